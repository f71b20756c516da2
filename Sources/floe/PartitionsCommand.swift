import ArgumentParser
import JSON
import Warehouse

struct PartitionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partitions", abstract: "Register and list the partitions of a warehouse table.",
        subcommands: [PartitionsSync.self, PartitionsList.self])
}

struct PartitionsSync: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Register every partition folder not registered yet (idempotent).",
        discussion: """
        Streaming tables: every DIR/<table>/YYYY/MM/DD/HH/ folder becomes partition inserted_at='YYYY/MM/DD/HH'. \
        Other partitioned tables: Hive folders key=value/.... --ahead N (streaming tables) also registers N hours \
        from the current one on, as the hourly job that runs ALTER TABLE ... ADD IF NOT EXISTS PARTITION does.
        """)

    @Option(name: .long, help: "The warehouse folder.") var warehouse: String
    @Option(name: .long, help: "Table name.") var table: String
    @Option(name: .long, parsing: .unconditional, help: "Also register the coming N hours (the current one first; 0-8784).") var ahead: Int = 0
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        let w = try WarehouseCLI.open(warehouse)
        do {
            try FlagRange.check(ahead, "--ahead", 0...8784)
            let r = try w.syncPartitions(table: table, ahead: ahead)
            for f in r.skipped {
                Output.diagnostic("floe: \(w.directory)/\(f): warning: not an hourly partition folder (YYYY/MM/DD/HH with a real date); skipped")
            }
            if json {
                Output.write(WarehouseCLI.jsonLine(.object(JSONObject([
                    ("table", .string(table.lowercased())),
                    ("added", .array(r.added.map(\.json))),
                    ("already_registered", .number(JSONNumber(r.alreadyRegistered))),
                    ("total", .number(JSONNumber(r.total))),
                ]))))
            } else {
                Output.write("Registered \(r.added.count) new partition\(r.added.count == 1 ? "" : "s") "
                             + "(\(r.alreadyRegistered) already registered, \(r.total) in all)\n")
            }
        } catch {
            throw WarehouseCLI.fail(warehouse, error)
        }
    }
}

struct PartitionsList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List registered partitions: key=value[/key=value] and location, one a line.")

    @Option(name: .long, help: "The warehouse folder.") var warehouse: String
    @Option(name: .long, help: "Table name.") var table: String
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        let w = try WarehouseCLI.open(warehouse)
        do {
            let t = try w.table(named: table)
            if json {
                Output.write(WarehouseCLI.jsonLine(.array(t.partitions.map(\.json))))
                return
            }
            for p in t.partitions {
                let spec = zip(t.partitionKeys, p.values).map { "\($0.name)=\($1)" }.joined(separator: "/")
                Output.write("\(spec)\t\(p.location)\n")
            }
        } catch {
            throw WarehouseCLI.fail(warehouse, error)
        }
    }
}
