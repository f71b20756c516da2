import ArgumentParser
import Firehose
import Iceberg
import JSON
import Warehouse

struct TableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "table", abstract: "Create, list, show, drop and export (DDL) warehouse tables.",
        subcommands: [TableCreate.self, TableList.self, TableShow.self, TableDrop.self, TableDDL.self, TableSnapshots.self,
                      TableHistory.self, TableExpireSnapshots.self, TableRemoveOrphanFiles.self])
}

struct TableCreate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Register a table; its data lives under DIR/<name>/.",
        discussion: """
        Columns come from --columns (a column list or a Glue TableInput, whose PartitionKeys are used) or are \
        derived from a JSON Schema (--schema). --partition-key replaces the file's partition keys. A table \
        partitioned by inserted_at alone is a streaming input table (hourly YYYY/MM/DD/HH folders); \
        --kind streaming adds that key.
        """)

    @Argument(help: "Table name (letters, digits, underscores; stored in lower case).") var name: String
    @Option(name: .long, help: "The warehouse folder.") var warehouse: String
    @Option(name: .long, help: "Column definitions (JSON column list or Glue TableInput).") var columns: String?
    @Option(name: .long, help: "Derive the columns from this JSON Schema instead.") var schema: String?
    @Option(name: .customLong("partition-key"), help: "Partition key NAME or NAME:TYPE (default type string); repeatable.")
    var partitionKeys: [String] = []
    @Option(name: .long, help: "Data format: parquet, json (NDJSON) or iceberg (an Iceberg table in the SQL catalog).")
    var format: TableFormat = .parquet
    @Option(name: .customLong("partition-spec"), help: "Iceberg tables: partition fields, e.g. 'hour(event_time)' or 'day(ts), bucket(16, id)'.")
    var partitionSpec: String?
    @Option(name: .long, help: "Iceberg tables: the SQL catalog, postgresql://user@host:port/db or a SQLite file (default: DIR/iceberg-catalog.db; an s3:// warehouse needs one).")
    var catalog: String?
    @Option(name: .long, help: "plain, streaming or batch (default: streaming when partitioned by inserted_at).")
    var kind: TableKind?
    @Option(name: .customLong("property"), help: "Table property KEY=VALUE; repeatable.") var properties: [String] = []
    @Flag(name: .long, help: "Print the table as JSON.") var json = false

    func run() throws {
        guard (columns == nil) != (schema == nil) else {
            throw WarehouseCLI.usage(warehouse, "give exactly one of --columns and --schema")
        }
        var defs: ColumnDefinitions
        let source = columns ?? schema!
        do {
            defs = columns != nil ? try ColumnDefinitions.load(path: source)
                : try ColumnDefinitions.deriving(fromJSONSchemaAt: source)
        } catch {
            throw WarehouseCLI.usage(source, "\(error)")
        }
        if !partitionKeys.isEmpty {
            var keys: [HiveColumn] = []
            for spec in partitionKeys {
                let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
                guard let keyName = parts.first, !keyName.isEmpty else {
                    throw WarehouseCLI.usage(warehouse, "empty --partition-key")
                }
                var type = HiveType.string
                if parts.count == 2 {
                    do { type = try HiveType.parse(parts[1]) } catch {
                        throw WarehouseCLI.usage(warehouse, "--partition-key \(spec): \(error)")
                    }
                }
                keys.append(HiveColumn(name: keyName, type: type))
            }
            defs.partitionKeys = keys
        }
        var props: [(key: String, value: String)] = []
        for p in properties {
            guard let eq = p.firstIndex(of: "="), eq != p.startIndex else {
                throw WarehouseCLI.usage(warehouse, "--property \(p): expected KEY=VALUE")
            }
            props.append((String(p[..<eq]), String(p[p.index(after: eq)...])))
        }
        if format != .iceberg && (partitionSpec != nil || catalog != nil) {
            throw WarehouseCLI.usage(warehouse, "--partition-spec and --catalog apply to --format iceberg tables")
        }
        let w = try WarehouseCLI.open(warehouse)
        do {
            let spec = TableSpec(name: name, columns: defs, format: format, kind: kind, properties: props)
            let t: Table
            if format == .iceberg {
                let iw = try IcebergWarehouse(warehouse: w, catalogURL: catalog)
                let it = try iw.createTable(spec, partitionSpec: partitionSpec)
                t = try w.table(named: name)
                if !json {
                    let pf = it.metadata.defaultSpec.fields
                    Output.write("Created Iceberg table \(t.name) (\(t.columns.count) columns\(pf.isEmpty ? "" : ", partitioned by " + pf.map(\.name).joined(separator: ", ")); catalog \(iw.catalog.path), metadata \(it.metadataLocation))\n")
                    return
                }
            } else {
                t = try w.createTable(spec)
            }
            if json {
                Output.write(WarehouseCLI.jsonLine(t.json))
            } else {
                var line = "Created table \(t.name) (\(t.kind.rawValue), \(t.format.rawValue), \(t.columns.count) columns"
                if !t.partitionKeys.isEmpty {
                    line += ", partitioned by \(t.partitionKeys.map(\.name).joined(separator: ", "))"
                }
                Output.write(line + ")\n")
            }
        } catch {
            throw WarehouseCLI.fail(warehouse, error)
        }
    }
}

struct TableList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the tables (one name a line; --json: name, kind, format, keys, counts).")

    @Option(name: .long, help: "The warehouse folder.") var warehouse: String
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        let w = try WarehouseCLI.open(warehouse)
        do {
            let c = try w.catalog()
            if json {
                Output.write(WarehouseCLI.jsonLine(.array(c.tables.map { t in
                    .object(JSONObject([
                        ("name", .string(t.name)), ("kind", .string(t.kind.rawValue)),
                        ("format", .string(t.format.rawValue)), ("location", .string(t.location)),
                        ("columns", .number(JSONNumber(t.columns.count))),
                        ("partition_keys", .array(t.partitionKeys.map { .string($0.name) })),
                        ("partitions", .number(JSONNumber(t.partitions.count))),
                        ("created_at", .string(t.createdAt)),
                    ]))
                })))
            } else {
                for t in c.tables { Output.write(t.name + "\n") }
            }
        } catch {
            throw WarehouseCLI.fail(warehouse, error)
        }
    }
}

struct TableShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a table: columns, partition keys, kind, format, location, partitions.")

    @Argument(help: "Table name.") var name: String
    @Option(name: .long, help: "The warehouse folder.") var warehouse: String
    @Flag(name: .long, help: "Print the catalog entry as JSON.") var json = false

    func run() throws {
        let w = try WarehouseCLI.open(warehouse)
        do {
            let c = try w.catalog()
            guard let t = c.table(named: name) else { throw WarehouseError.tableNotFound(name) }
            if json {
                Output.write(WarehouseCLI.jsonLine(t.json))
                return
            }
            var out = "Table: \(t.name)\nDatabase: \(c.database)\nKind: \(t.kind.rawValue)\nFormat: \(t.format.rawValue)\n"
            out += "Location: \(w.dataDirectory(of: t))\nCreated: \(t.createdAt)\nColumns:\n"
            func line(_ col: HiveColumn) -> String {
                "  \(col.name) \(col.type)" + (col.comment.map { "  -- \($0)" } ?? "") + "\n"
            }
            for col in t.columns { out += line(col) }
            if !t.partitionKeys.isEmpty {
                out += "Partition keys:\n"
                for col in t.partitionKeys { out += line(col) }
                out += "Partitions: \(t.partitions.count)\n"
            }
            if !t.properties.isEmpty {
                out += "Properties:\n"
                for p in t.properties { out += "  \(p.key)=\(p.value)\n" }
            }
            Output.write(out)
        } catch {
            throw WarehouseCLI.fail(warehouse, error)
        }
    }
}

struct TableDrop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drop", abstract: "Remove a table from the catalog (--purge also deletes DIR/<name>/).")

    @Argument(help: "Table name.") var name: String
    @Option(name: .long, help: "The warehouse folder.") var warehouse: String
    @Flag(name: .long, help: "Also delete the table's data.") var purge = false
    @Flag(name: .customLong("if-exists"), help: "A missing table is not an error.") var ifExists = false
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        let w = try WarehouseCLI.open(warehouse)
        do {
            if let entry = try? w.table(named: name), entry.format == .iceberg {
                try IcebergWarehouse(warehouse: w, table: entry).dropTable(entry.name)
            }
            let t = try w.dropTable(named: name, purge: purge)
            if json {
                Output.write(WarehouseCLI.jsonLine(.object(JSONObject([
                    ("dropped", .string(t.name)), ("purged", .bool(purge)),
                ]))))
            } else {
                Output.write("Dropped table \(t.name)\(purge ? " and deleted its data" : "")\n")
            }
        } catch WarehouseError.tableNotFound(_) where ifExists {
            if json { Output.write(WarehouseCLI.jsonLine(.object(JSONObject([("dropped", .null), ("purged", .bool(false))])))) }
        } catch {
            throw WarehouseCLI.fail(warehouse, error)
        }
    }
}

struct TableDDL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ddl",
        abstract: "Print the DDL of a table and its registered partitions for another engine.",
        discussion: """
        athena: CREATE EXTERNAL TABLE, then ALTER TABLE ... ADD IF NOT EXISTS PARTITION statements. \
        glue: one JSON document a line: the `aws glue create-table --cli-input-json` input, then \
        `aws glue batch-create-partition --cli-input-json` inputs (at most 100 partitions each). \
        duckdb: a view over read_parquet (read_json for JSON tables) with the partition column. \
        --location is the warehouse's location (the table is <location>/<name>/); default: the local folder.
        """)

    @Argument(help: "Table name.") var name: String
    @Option(name: .long, help: "The warehouse folder.") var warehouse: String
    @Option(name: .long, help: "athena, glue or duckdb.") var engine: DDLEngine
    @Option(name: .long, help: "Where the warehouse is for the engine, e.g. s3://bucket/prefix.") var location: String?

    func run() throws {
        if let location, engine != .duckdb, !location.contains("://") {
            throw WarehouseCLI.usage(warehouse, "--location \(location): expected a URI such as s3://bucket/prefix")
        }
        let w = try WarehouseCLI.open(warehouse)
        do {
            let c = try w.catalog()
            guard let t = c.table(named: name) else { throw WarehouseError.tableNotFound(name) }
            let local = w.absoluteDirectory
            if t.format == .iceberg {
                let iw = try IcebergWarehouse(warehouse: w, table: t)
                guard let it = try iw.loadTable(t.name) else { throw WarehouseError.tableNotFound(name) }
                let ddl = IcebergDDL(database: c.database, table: t, iceberg: it, localRoot: local, base: location)
                switch engine {
                case .athena: Output.write(ddl.athena())
                case .glue: Output.write(JSONSerializer.string(ddl.glue()) + "\n")
                case .duckdb: Output.write(ddl.duckdb())
                }
                return
            }
            // an object-store warehouse is its own location for engines
            let uri = w.remote != nil ? local : "file://" + local
            switch engine {
            case .athena:
                Output.write(DDL.athena(database: c.database, table: t, base: location ?? uri))
            case .glue:
                for doc in DDL.glue(database: c.database, table: t, base: location ?? uri) {
                    Output.write(JSONSerializer.string(doc) + "\n")
                }
            case .duckdb:
                Output.write(DDL.duckdb(table: t, base: location ?? local))
            }
        } catch {
            throw WarehouseCLI.fail(warehouse, error)
        }
    }
}
