// `floe convert` / `floe ingest`: flag parsing only; the stage lives in Firehose (`Converter`).

import ArgumentParser
import Firehose
import JSON
import JSONSchema
import Parquet
import Warehouse
#if canImport(Glibc)
import Glibc
#endif

struct ConvertFlags: ParsableArguments {
    @Option(name: .long, help: "Column definitions (JSON column list or Glue TableInput).")
    var columns: String?
    @Option(name: .long, help: "Output folder (the table folder is DIR/<table>).")
    var out: String?
    @Option(name: .long, help: "A warehouse (floe warehouse init): with --table, the columns, location and database come from its catalog.")
    var warehouse: String?
    @Option(name: .long, help: "Table name (default: the TableInput's Name, else the columns file's name).")
    var table: String?
    @Option(name: .long, help: "Stream name in object names (default: the table name).")
    var stream: String?
    @Option(name: .long, help: "Database name in error records (default: the warehouse's database, else 'default').")
    var database: String?
    @Option(name: .long, help: "JSON Schema every record must satisfy as well.")
    var schema: String?
    @Option(name: .long, help: "Prefix expression (default !{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/!{timestamp:HH}/).")
    var prefix: String?
    @Option(name: .customLong("error-prefix"), help: "Error prefix expression.")
    var errorPrefix: String?
    @Option(name: .customLong("partition-key"), help: "KEY=QUERY (jq subset) for !{partitionKeyFromQuery:KEY} (repeatable).")
    var partitionKey: [String] = []
    @Option(name: .customLong("max-open-partitions"), help: "Most partitions open at once (default 500).")
    var maxOpenPartitions: Int = 500
    @Option(name: .customLong("buffer-size"), help: "Close a file after this much input (default 128MiB).")
    var bufferSize: String = "128MiB"
    @Option(name: .customLong("buffer-interval"), help: "… or this many seconds after its first record arrived (default 300).")
    var bufferInterval: Double = 300
    @Option(name: .long, help: "none|snappy|gzip|zstd (default snappy).")
    var compression: String = "snappy"
    @Option(name: .customLong("block-size"), help: "Parquet row group size (default 256MiB).")
    var blockSize: String = "256MiB"
    @Option(name: .customLong("page-size"), help: "Parquet page size (default 1MiB).")
    var pageSize: String = "1MiB"
    @Option(name: .customLong("writer-version"), help: "V1 or V2 data pages (default V1).")
    var writerVersion: String = "V1"
    @Flag(name: .customLong("no-dictionary"), help: "No dictionary encoding.")
    var noDictionary = false
    @Option(name: .long, help: "openx (default) or hive.")
    var serde: String = "openx"
    @Flag(name: .customLong("case-sensitive"), help: "Match keys to column names exactly.")
    var caseSensitive = false
    @Option(name: .customLong("key-mapping"), help: "COLUMN=JSONKEY (repeatable).")
    var keyMapping: [String] = []
    @Flag(name: .customLong("dots-to-underscores"), help: "JSON key a.b matches column a_b.")
    var dotsToUnderscores = false
    @Option(name: .long, help: "micros (default), millis or int96.")
    var timestamp: String = "micros"
    @Option(name: .long, help: "Checkpoint file: resume exactly once after a crash.")
    var checkpoint: String?
    @Option(name: .customLong("stats-json"), help: "Write run statistics as JSON here.")
    var statsJSON: String?
    @Option(name: .customLong("max-errors"), help: "Exit 1 when more records than this fail.")
    var maxErrors: Int?
    @Option(name: .long, help: "Parallel parse/vet/encode jobs (default: cores).")
    var jobs: Int?
    @Option(name: .customLong("arrival-time"), help: "Arrival time of every record (ISO-8601 or epoch ms), for tests.")
    var arrivalTime: String?
    @Flag(name: .long, help: "No progress output.")
    var quiet = false

    func usage(_ message: String) -> FloeExit {
        Output.diagnostic("floe: \(message)")
        return .usageError
    }

    /// Columns, output folder, table and database: from the warehouse catalog (`--warehouse DIR --table NAME`) or
    /// from `--columns` and `--out`.
    func target() throws -> (defs: ColumnDefinitions, out: String, table: String?, database: String?) {
        if let w = warehouse {
            guard columns == nil, out == nil else {
                throw usage("--warehouse takes the columns and location from the catalog: drop --columns/--out")
            }
            guard let t = table else { throw usage("--warehouse needs --table NAME") }
            do {
                let wh = try DataWarehouse(opening: w)
                let entry = try wh.table(named: t)
                guard entry.format == .parquet else {
                    throw usage("table '\(entry.name)' is stored as \(entry.format); convert writes Parquet")
                }
                return (ColumnDefinitions(columns: entry.columns, tableName: entry.name), wh.directory, entry.name,
                        try wh.catalog().database)
            } catch let e as FloeExit {
                throw e
            } catch {
                Output.diagnostic("floe: \(w): \(error)")
                throw FloeExit.usageError
            }
        }
        guard let columns else { throw usage("give --columns COLUMNS.json (or --warehouse DIR --table NAME)") }
        guard let out else { throw usage("give --out DIR (or --warehouse DIR --table NAME)") }
        do {
            return (try ColumnDefinitions.load(path: columns), out, table, nil)
        } catch {
            Output.diagnostic("floe: \(columns): \(error)")
            throw FloeExit.usageError
        }
    }

    func config() throws -> ConvertConfig {
        let (defs, out, table, catalogDatabase) = try target()
        var tableName = table ?? defs.tableName
        if tableName == nil, let columns {
            var base = Substring(columns.split(separator: "/").last ?? "table")
            for ext in [".json", ".columns"] where base.hasSuffix(ext) { base = base.dropLast(ext.count) }
            tableName = String(base)
        }
        guard let tableName, !tableName.isEmpty, !tableName.contains("/"), tableName != "..", tableName != "." else {
            throw usage("--table: bad table name")
        }
        let prefixT: PrefixTemplate, errorT: PrefixTemplate
        do {
            prefixT = try PrefixTemplate(prefix ?? "!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/!{timestamp:HH}/",
                                         errorPrefix: false)
            errorT = try PrefixTemplate(errorPrefix ?? "!{firehose:error-output-type}/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/!{timestamp:HH}/",
                                        errorPrefix: true)
        } catch {
            throw usage(error.description)
        }
        var keys: [(String, JQQuery)] = []
        for kv in partitionKey {
            guard let eq = kv.firstIndex(of: "=") else { throw usage("--partition-key: expected KEY=QUERY, got '\(kv)'") }
            do {
                keys.append((String(kv[..<eq]), try JQQuery(String(kv[kv.index(after: eq)...]))))
            } catch {
                throw usage("--partition-key: \(error)")
            }
        }
        for k in prefixT.partitionKeys where !keys.contains(where: { $0.0 == k }) {
            throw usage("--prefix uses !{partitionKeyFromQuery:\(k)} but no --partition-key \(k)=QUERY is given")
        }
        if !keys.isEmpty && prefixT.partitionKeys.isEmpty {
            throw usage("--partition-key given but --prefix has no !{partitionKeyFromQuery:KEY}")
        }
        var d = DeliveryConfig(outDir: out, table: tableName, stream: stream ?? tableName, prefix: prefixT, errorPrefix: errorT)
        d.database = database ?? catalogDatabase ?? "default"
        guard let bs = parseByteSize(bufferSize), bs > 0 else { throw usage("--buffer-size: bad size '\(bufferSize)'") }
        d.bufferSize = bs
        guard bufferInterval > 0 else { throw usage("--buffer-interval must be positive") }
        d.bufferIntervalMillis = Int64(bufferInterval * 1000)
        guard maxOpenPartitions > 0 else { throw usage("--max-open-partitions must be positive") }
        d.maxOpenPartitions = maxOpenPartitions
        var w = d.writer
        switch compression.lowercased() {
        case "none", "uncompressed": w.compression = .uncompressed
        case "snappy": w.compression = .snappy
        case "gzip": w.compression = .gzip
        case "zstd": w.compression = .zstd
        default: throw usage("--compression: expected none|snappy|gzip|zstd, got '\(compression)'")
        }
        guard let blk = parseByteSize(blockSize), blk > 0 else { throw usage("--block-size: bad size '\(blockSize)'") }
        w.rowGroupSize = blk
        guard let ps = parseByteSize(pageSize), ps > 0 else { throw usage("--page-size: bad size '\(pageSize)'") }
        w.pageSize = ps
        switch writerVersion.uppercased() {
        case "V1", "1": w.pageVersion = .v1
        case "V2", "2": w.pageVersion = .v2
        default: throw usage("--writer-version: expected V1 or V2")
        }
        w.dictionary = !noDictionary
        if let j = jobs { w.threads = max(1, j) }
        d.writer = w
        var c = ConvertConfig(delivery: d, columns: defs)
        switch serde.lowercased() {
        case "openx": c.record.serde = .openx
        case "hive": c.record.serde = .hive
        default: throw usage("--serde: expected openx or hive")
        }
        c.record.caseInsensitive = !caseSensitive
        c.record.dotsToUnderscores = dotsToUnderscores
        for kv in keyMapping {
            guard let eq = kv.firstIndex(of: "=") else { throw usage("--key-mapping: expected COLUMN=JSONKEY, got '\(kv)'") }
            c.record.keyMapping[String(kv[..<eq])] = String(kv[kv.index(after: eq)...])
        }
        guard let ts = TimestampMode(rawValue: timestamp.lowercased()) else {
            throw usage("--timestamp: expected micros, millis or int96")
        }
        c.record.timestamp = ts
        if let s = schema {
            do {
                c.validator = try JSONSchemaValidator(path: s)
            } catch {
                Output.diagnostic("floe: \(s): \(error)")
                throw FloeExit.usageError
            }
        }
        c.partitionKeys = keys
        c.jobs = max(1, jobs ?? ProcessInfoLite.activeCores)
        c.checkpoint = checkpoint
        if let a = arrivalTime {
            if let ms = Int64(a) {
                c.arrivalTime = ms
            } else {
                guard let ns = Firehose.parseTimestampNanos(a) else { throw usage("--arrival-time: bad time '\(a)'") }
                c.arrivalTime = ns / 1_000_000
            }
            c.clock = FixedClock(millis: c.arrivalTime!)
        }
        return c
    }


    func run(inputs: [String], ingest: Bool) throws {
        if !ingest && inputs.isEmpty { throw usage("convert: give INPUT files, directories or -") }
        let c = try config()
        let stats: ConvertStats
        do {
            let conv = try Converter(config: c)
            stats = try conv.run(inputs: inputs, ingest: ingest)
        } catch {
            Output.diagnostic("floe: \(error)")
            throw FloeExit.dataError
        }
        if let s = statsJSON {
            let text = stats.json + "\n"
            let fd = open(s, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw usage("--stats-json: cannot create \(s)") }
            _ = Array(text.utf8).withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
            close(fd)
        }
        if let m = maxErrors, stats.recordsFailed > m {
            Output.diagnostic("floe: \(stats.recordsFailed) records failed conversion (more than --max-errors \(m))")
            throw FloeExit.dataError
        }
    }
}

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert NDJSON records to Parquet like Kinesis Data Firehose (OpenX JSON SerDe → Parquet).",
        discussion: """
            Output: DIR/<table>/<prefix>/<stream>-1-yyyy-MM-dd-HH-mm-ss-<uuid>.parquet; failed records go, \
            byte-exact (base64 rawData), to DIR/<table>/<error prefix> in Firehose's error layout.
            """)
    @OptionGroup var flags: ConvertFlags
    @Argument(help: "NDJSON files (.gz, .zst too), directories or - for stdin.")
    var inputs: [String] = []
    func run() throws {
        try Storage.requireLocal([flags.columns, flags.out, flags.warehouse, flags.schema, flags.checkpoint,
                                  flags.statsJSON] + inputs, command: "convert")
        try flags.run(inputs: inputs, ingest: false)
    }
}

struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Long-running convert: read stdin until it closes, flushing files by size and interval.")
    @OptionGroup var flags: ConvertFlags
    func run() throws {
        try Storage.requireLocal([flags.columns, flags.out, flags.warehouse, flags.schema, flags.checkpoint,
                                  flags.statsJSON], command: "ingest")
        try flags.run(inputs: ["-"], ingest: true)
    }
}
