import ArgumentParser
import Firehose
import JSON
import ObjectStore
import Warehouse

struct WarehouseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "warehouse", abstract: "Create a warehouse (a folder with a catalog of tables and partitions).",
        subcommands: [WarehouseInit.self])
}

struct WarehouseInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create DIR (if needed) and an empty catalog DIR/floe-catalog.json for database NAME.")

    @Argument(help: "The warehouse folder.") var directory: String
    @Option(name: .long, help: "The database name (letters, digits, underscores).") var name: String
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        let root = try WarehouseCLI.objectRoot(directory)
        do {
            let w: DataWarehouse
            if let root {
                w = try DataWarehouse.initialize(at: root, database: name)
            } else {
                w = try DataWarehouse.initialize(at: directory, database: name)
            }
            let c = try w.catalog()
            if json {
                Output.write(JSONSerializer.string(.object(JSONObject([
                    ("database", .string(c.database)), ("directory", .string(directory)),
                    ("catalog", .string(w.catalogPath)),
                ]))) + "\n")
            } else {
                Output.write("Created warehouse \(c.database) in \(directory)\n")
            }
        } catch {
            throw WarehouseCLI.fail(directory, error)
        }
    }
}

/// Diagnostics and exit statuses of the warehouse commands (see `WarehouseError` for which is 1 and which 2).
enum WarehouseCLI {
    static func fail(_ directory: String, _ error: Error) -> FloeExit {
        if let e = error as? WarehouseError {
            switch e {
            case .io(let path, let m):
                Output.diagnostic("floe: \(path): \(m)")
            case .notAWarehouse:
                Output.diagnostic("floe: \(directory): not a warehouse (no \(DataWarehouse.catalogFileName); create one with `floe warehouse init`)")
            case .warehouseExists:
                Output.diagnostic("floe: \(directory): already holds a warehouse (\(DataWarehouse.catalogFileName) exists)")
            case .corruptCatalog:
                Output.diagnostic("floe: \(directory)/\(DataWarehouse.catalogFileName): \(e)")
            default:
                Output.diagnostic("floe: \(directory): \(e)")
            }
            return FloeExit(code: e.exitCode)
        }
        if let e = error as? FloeExit { return e }
        Output.diagnostic("floe: \(directory): \(error)")
        return .dataError
    }

    /// `floe: <file>: <message>` and exit 2 (usage / configuration).
    static func usage(_ file: String, _ message: String) -> FloeExit {
        Output.diagnostic("floe: \(file): \(message)")
        return .usageError
    }

    static func open(_ directory: String) throws -> DataWarehouse {
        let root = try objectRoot(directory)
        do {
            if let root { return try DataWarehouse(opening: root) }
            return try DataWarehouse(opening: directory)
        } catch {
            throw fail(directory, error)
        }
    }

    /// The object-store root of `--warehouse s3://bucket/prefix`; nil for a local folder (another URL scheme: exit 2).
    static func objectRoot(_ directory: String) throws -> ObjectWarehouseRoot? {
        guard case .s3(let bucket, let key) = try Storage.location(directory) else { return nil }
        let store = try Storage.s3(bucket, for: directory)
        return ObjectWarehouseRoot(store: store, prefix: key, url: directory)
    }

    static func jsonLine(_ v: JSONValue) -> String { JSONSerializer.string(v) + "\n" }
}

extension TableKind: ExpressibleByArgument {}
extension TableFormat: ExpressibleByArgument {}
extension DDLEngine: ExpressibleByArgument {}
