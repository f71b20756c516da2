// `floe convert` / `floe ingest`: flag parsing only; the stage lives in Firehose (`Converter`).

import ArgumentParser
import ObjectStore
import FileSafety
import Firehose
import JSON
import JSONSchema
import Logging
import Parallel
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
    @Option(name: .customLong("max-open-partitions"), parsing: .unconditional, help: "Most partitions open at once (1-100000, default 500; a partitioned Iceberg table: open data files, default 64, the least recently written closing first).")
    var maxOpenPartitions: Int?
    @Option(name: .customLong("buffer-size"), help: "Close a file after this much input (default 128MiB).")
    var bufferSize: String = "128MiB"
    @Option(name: .customLong("buffer-interval"), parsing: .unconditional, help: "… or this many seconds after its first record arrived (above 0, at most 86400; default 300).")
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
    @Option(name: .customLong("max-errors"), parsing: .unconditional, help: "Exit 1 when more records than this fail (>= 0).")
    var maxErrors: Int?
    @Option(name: .long, parsing: .unconditional, help: "Parallel parse/vet/encode jobs (default: cores; at most 4 x cores, never more than the input has chunks).")
    var jobs: Int?
    @Option(name: .customLong("arrival-time"), help: "Arrival time of every record (ISO-8601 or epoch ms), for tests.")
    var arrivalTime: String?
    @Flag(name: .long, help: "No progress bar or summary line on a terminal.")
    var quiet = false
    @Option(name: .customLong("log-level"), help: ArgumentHelp(
        "Log events on stderr from this level on: trace, debug, info, notice, warning, error, critical (default warning: nothing on success; also FLOE_LOG_LEVEL).",
        discussion: "At info: the start of the run, progress every --log-interval seconds, and the outcome."))
    var logLevel: String?
    @Option(name: .customLong("log-interval"), parsing: .unconditional, help: "Seconds between progress events at --log-level info (default 60).")
    var logInterval: Double = 60
    @Flag(name: .long, help: "Print the busy seconds and items of each pipeline stage on stderr.")
    var profile = false
    @Option(name: .customLong("max-schema-size"), help: "Largest --columns / --schema / $ref / checkpoint file read (default 64MiB).")
    var maxSchemaSize: String = "64MiB"

    func usage(_ message: String) -> FloeExit {
        Output.diagnostic("floe: \(message)")
        return .usageError
    }

    /// Columns, output folder, table and database: from the warehouse catalog (`--warehouse DIR --table NAME`) or
    /// from `--columns` and `--out`.
    func target() throws -> (defs: ColumnDefinitions, out: String, table: String?, database: String?, iceberg: IcebergCommitter?) {
        if let w = warehouse {
            guard columns == nil, out == nil else {
                throw usage("--warehouse takes the columns and location from the catalog: drop --columns/--out")
            }
            guard let t = table else { throw usage("--warehouse needs --table NAME") }
            do {
                let wh = try WarehouseCLI.open(w)
                let entry = try wh.table(named: t)
                if entry.format == .iceberg {
                    // an Iceberg table: each flush commits an append snapshot (IcebergDelivery.swift)
                    let iw = try IcebergWarehouse(warehouse: wh, table: entry)
                    let committer = try IcebergCommitter(catalog: iw.catalog, namespace: iw.namespace, name: entry.name)
                    return (ColumnDefinitions(columns: entry.columns, tableName: entry.name), Self.absolute(wh.directory),
                            entry.name, try wh.catalog().database, committer)
                }
                guard entry.format == .parquet else {
                    throw usage("table '\(entry.name)' is stored as \(entry.format); convert writes Parquet")
                }
                return (ColumnDefinitions(columns: entry.columns, tableName: entry.name), wh.directory, entry.name,
                        try wh.catalog().database, nil)
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
            return (try ColumnDefinitions.load(path: columns), out, table, nil, nil)
        } catch {
            Output.diagnostic("floe: \(columns): \(error)")
            throw FloeExit.usageError
        }
    }

    func config() throws -> ConvertConfig {
        // Numeric flags first, before any file is read (issue 11, rules 8 and 9).
        guard let limit = parseByteSize(maxSchemaSize), limit > 0 else { throw usage("--max-schema-size: bad size '\(maxSchemaSize)'") }
        BoundedRead.defaultLimit = limit
        guard bufferInterval.isFinite, bufferInterval > 0, bufferInterval <= 86400 else {
            throw usage("--buffer-interval must be above 0 and at most 86400 seconds, got \(bufferInterval)")
        }
        if let m = maxOpenPartitions { try FlagRange.check(m, "--max-open-partitions", 1...100_000) }
        try FlagRange.check(maxErrors, "--max-errors", 0...Int.max)
        let jobs = try FlagRange.workers(self.jobs, "--jobs")
        let (defs, out, table, catalogDatabase, iceberg) = try target()
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
            // an Iceberg table's data files go under its data folder, one file per flush by default
            prefixT = iceberg != nil
                ? try PrefixTemplate("data/" + (prefix ?? ""), errorPrefix: false)
                : try PrefixTemplate(prefix ?? "!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/!{timestamp:HH}/",
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
        // --out / --checkpoint in S3: the bucket's store; outDir is then the URL prefix (no trailing slash).
        var outDir = out
        var outStore: (store: S3Store, url: String)?
        if case .s3(let bucket, var key) = try Storage.location(out) {
            outStore = (try Storage.s3(bucket, for: out), "s3://\(bucket)/")
            while key.hasSuffix("/") { key.removeLast() }
            outDir = key.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(key)"
        }
        var checkpointStore: (store: S3Store, url: String)?
        if let cp = checkpoint, case .s3(let bucket, let key) = try Storage.location(cp) {
            guard !key.isEmpty, !key.hasSuffix("/") else { throw usage("--checkpoint \(cp): names a prefix, not an object") }
            checkpointStore = (try Storage.s3(bucket, for: cp), "s3://\(bucket)/")
        }
        var d = DeliveryConfig(outDir: outDir, table: tableName, stream: stream ?? tableName, prefix: prefixT, errorPrefix: errorT)
        if let iceberg {
            d.folder = iceberg.location
            if let p = iceberg.partitioner {
                // a partitioned table: rows go to data/<partition path>/ by the table's partition spec
                if prefix != nil || !keys.isEmpty {
                    throw usage("table '\(tableName)' is partitioned by its Iceberg partition spec: drop --prefix and --partition-key")
                }
                if let m = maxOpenPartitions { p.maxOpenFiles = m }
                d.partitioner = p
            }
        }
        d.database = database ?? catalogDatabase ?? "default"
        guard let bs = parseByteSize(bufferSize), bs > 0 else { throw usage("--buffer-size: bad size '\(bufferSize)'") }
        d.bufferSize = bs
        d.bufferIntervalMillis = Int64(bufferInterval * 1000)
        d.maxOpenPartitions = maxOpenPartitions ?? 500
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
        if let j = jobs { w.threads = j }
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
        if let iceberg {
            do {
                c.delivery.dataSchema = try iceberg.dataSchema(defs.parquetSchema(timestamp: ts))
            } catch {
                throw usage("\(error)")
            }
            c.committer = iceberg
        }
        c.partitionKeys = keys
        c.jobs = jobs ?? ProcessInfoLite.activeCores
        c.profile = StageProfile(ConvertStage.names)
        c.checkpoint = checkpoint
        if let o = outStore {
            c.outStore = o.store
            c.outStoreURL = o.url
        }
        if let k = checkpointStore {
            c.checkpointStore = k.store
            c.checkpointStoreURL = k.url
        }
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


    /// The store of each bucket that an `s3://` input names (an unsupported URL scheme, a missing credential or
    /// region: exit 2 before any work).
    static func inputStores(_ inputs: [String]) throws -> [String: any ObjectStore] {
        var stores: [String: any ObjectStore] = [:]
        for i in inputs where i != "-" {
            guard case .s3(let bucket, _) = try Storage.location(i), stores[bucket] == nil else { continue }
            stores[bucket] = try Storage.s3(bucket, for: i)
        }
        return stores
    }

    /// The real path of the existing folder `path`.
    static func absolute(_ path: String) -> String {
        PathContainment.realPath(path) ?? path
    }

    @discardableResult
    /// The flags with `--columns` and `--schema` in a bucket replaced by private local copies (ObjectMirror; the
    /// copies live as long as `mirror`).
    func mirroringDefinitions(_ mirror: ObjectMirror) throws -> ConvertFlags {
        var f = self
        for (flag, path) in [("--columns", columns), ("--schema", schema)] {
            guard let path, case .s3 = try Storage.location(path) else { continue }
            let local: String
            do {
                local = try mirror.localPath(path)
            } catch {
                throw Output.fail(path, error)
            }
            if flag == "--columns" { f.columns = local } else { f.schema = local }
        }
        if let s = statsJSON, case .s3(_, let key) = try Storage.location(s), key.isEmpty || key.hasSuffix("/") {
            throw usage("--stats-json \(s): names a prefix, not an object")
        }
        return f
    }

    func writeStats(_ stats: ConvertStats, to path: String) -> Bool {
        let bytes = Array((stats.json + "\n").utf8)
        if case .s3(let bucket, let key)? = try? StoreLocation.parse(path) {
            // one PUT of the whole document: the object appears whole or not at all
            guard !key.isEmpty, !key.hasSuffix("/"), let store = try? Storage.s3(bucket, for: path) else { return false }
            return (try? Blocking.run { try await store.put(key, bytes: bytes) }) != nil
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return bytes.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) } == bytes.count
    }

    func run(inputs: [String], ingest: Bool) throws {
        if !ingest && inputs.isEmpty { throw usage("convert: give INPUT files, directories or -") }
        guard let level = FloeLog.level(logLevel) else {
            throw usage("--log-level: unknown level '\(logLevel ?? "")' (\(FloeLog.levelNames))")
        }
        guard logInterval > 0, logInterval <= 86_400 else { throw usage("--log-interval: \(logInterval) is not between 0 and 86400 seconds") }
        var c = try config()
        let terminal = ProgressBar.isTerminal(quiet: quiet)
        if terminal || level <= .info { c.progress = ConvertProgress() }
        let stats = try convert(c, inputs: inputs, ingest: ingest, terminal: terminal, logLevel: level)
        if profile, let p = c.profile {
            for line in p.table(bytes: stats.bytesIn, wallSeconds: stats.seconds) { Output.diagnostic("floe: profile: " + line) }
            if let ic = c.committer as? IcebergCommitter, !ic.commitMillis.isEmpty {
                let ms = ic.commitMillis.sorted()
                func q(_ f: Double) -> Double { (ms[min(ms.count - 1, Int(Double(ms.count) * f))] * 100).rounded() / 100 }
                Output.diagnostic("floe: profile: iceberg commits \(ms.count), p50 \(q(0.5)) ms, p90 \(q(0.9)) ms, max \(q(1)) ms")
            }
        }
    }

    /// Runs the conversion and the checks after it (progress bar, log events, stats file, signal stop,
    /// --max-errors).
    func convert(_ c: ConvertConfig, inputs: [String], ingest: Bool, terminal: Bool = false,
                 logLevel level: Logger.Level = .warning) throws -> ConvertStats {
        var c = c
        c.inputStores = try Self.inputStores(inputs)
        // Page buffers and scratch, column batches, chunk buffers (and, into or from a bucket, 8 MiB parts and
        // blocks) come and go all the time: with glibc's sliding mmap threshold they land in the heap arenas after
        // the first frees, which fragment, and peak memory grows with the input (measured, debug build, 50 -> 250
        // MB into moto: +46 MiB; with the fixed threshold +18 MiB). Page-sized blocks (the 1 MiB default page and
        // its scratch) are mapped too: with a 1 MiB threshold, those just under it fragmented the arenas.
        MallocTuning.mapLargeBlocks(256 << 10)
        if let b = getenv("FLOE_S3_INPUT_BLOCK").map({ String(cString: $0) }), !c.inputStores.isEmpty {
            // bytes per ranged GET of an s3:// input (default 8 MiB; tests use small blocks to make many requests)
            guard let n = parseByteSize(b), n >= 64 << 10, n <= 1 << 30 else {
                throw usage("FLOE_S3_INPUT_BLOCK: '\(b)' is not a size between 64KiB and 1GiB")
            }
            c.inputBlockSize = n
        }
        let bar = terminal ? c.progress.flatMap { ProgressBar.start($0, quiet: quiet) } : nil
        let log = FloeLog.logger(ingest ? "ingest" : "convert", level: level, clearsLine: bar != nil)
        log.info("started", metadata: [
            "inputs": "\(inputs.joined(separator: ","))", "out": "\(c.delivery.outDir)", "table": "\(c.delivery.table)",
            "jobs": "\(c.jobs)", "checkpoint": "\(checkpoint ?? "none")",
        ])
        let ticker = level <= .info ? c.progress.map { ProgressLog($0, log, interval: logInterval) } : nil
        defer { ticker?.stop() }
        let stats: ConvertStats
        // SIGTERM / SIGINT: stop reading, publish what is buffered, write the checkpoint (StopRequest.swift).
        c.stop.installSignalHandlers()
        var conv: Converter?
        var statsWritten = false
        // --stats-json is written also when the run fails (e.g. a full disk), with what was done until then
        defer { if let conv, let s = statsJSON, !statsWritten { _ = writeStats(conv.statistics, to: s) } }
        do {
            conv = try Converter(config: c)
            stats = try conv!.run(inputs: inputs, ingest: ingest)
            bar?.stop()
        } catch let e as CheckpointBusy {
            bar?.stop()
            Output.diagnostic("floe: \(e)")
            throw FloeExit.usageError
        } catch let e as CheckpointInputChanged {
            // the checkpoint belongs to another version of an input: a usage error, nothing was converted
            bar?.stop()
            Output.diagnostic("floe: \(e)")
            throw FloeExit.usageError
        } catch let e as DeliveryError where e.message.hasPrefix("refusing to write") {
            bar?.stop()
            Output.diagnostic("floe: \(e)")
            throw FloeExit.usageError
        } catch {
            bar?.stop()
            Output.diagnostic("floe: \(error)")
            throw FloeExit.dataError
        }
        ticker?.stop()
        log.info("finished", metadata: [
            "records_in": "\(stats.recordsIn)", "records_converted": "\(stats.recordsConverted)",
            "records_failed": "\(stats.recordsFailed)", "files_written": "\(stats.filesWritten)",
            "bytes_in": "\(stats.bytesIn)", "bytes_out": "\(stats.bytesOut)", "seconds": "\(stats.seconds)",
        ])
        if terminal { Output.writeStderr(ProgressBar.summary(stats) + "\n") }
        statsWritten = true
        if let s = statsJSON, !writeStats(stats, to: s) { throw usage("--stats-json: cannot write \(s)") }
        if stats.stoppedBySignal != 0 {
            let name = stats.stoppedBySignal == SIGINT ? "SIGINT" : stats.stoppedBySignal == SIGTERM ? "SIGTERM" : "signal \(stats.stoppedBySignal)"
            Output.diagnostic("floe: stopped by \(name): \(stats.recordsIn) records read, \(stats.recordsConverted) converted, "
                + "\(stats.recordsFailed) to the error output, \(stats.filesWritten) files published"
                + (ingest ? "" : checkpoint != nil ? "; rerun with the same --checkpoint to continue" : "; the input was not read to its end"))
            // ingest: a signal is the end of its stream (Firehose flushes on shutdown); convert did not finish.
            if !ingest { throw FloeExit(code: 128 + stats.stoppedBySignal) }
        }
        if let m = maxErrors, stats.recordsFailed > m {
            Output.diagnostic("floe: \(stats.recordsFailed) records failed conversion (more than --max-errors \(m))")
            throw FloeExit.dataError
        }
        return stats
    }
}

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert NDJSON records to Parquet like Kinesis Data Firehose (OpenX JSON SerDe → Parquet).",
        discussion: """
            Output: DIR/<table>/<prefix>/<stream>-1-yyyy-MM-dd-HH-mm-ss-<uuid>.parquet; failed records go, \
            byte-exact (base64 rawData), to DIR/<table>/<error prefix> in Firehose's error layout. An Iceberg \
            table (--warehouse, --table): each flush commits one append snapshot; a partitioned table's rows go \
            to <location>/data/<field>=<value>/… by its partition spec (identity, year, month, day, hour, \
            bucket, truncate), at most --max-open-partitions data files open (64 by default; the least recently \
            written closes first) and 256 MiB of open row groups (the largest is written out first).
            """)
    @OptionGroup var flags: ConvertFlags
    @Argument(help: "NDJSON files (.gz, .zst, .br too), directories, s3://bucket/key objects, s3://bucket/prefix/ prefixes or - for stdin.")
    var inputs: [String] = []
    func run() throws {
        let mirror = ObjectMirror()
        try withExtendedLifetime(mirror) {
            try flags.mirroringDefinitions(mirror).run(inputs: inputs, ingest: false)
        }
    }
}

struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Long-running convert: read stdin until it closes, flushing files by size and interval.")
    @OptionGroup var flags: ConvertFlags
    @Argument(help: "Only - (stdin, the default): ingest reads one stream.")
    var inputs: [String] = []
    func run() throws {
        guard inputs.allSatisfy({ $0 == "-" }), inputs.count <= 1 else {
            throw flags.usage("ingest reads stdin only (give - or nothing); use convert for files")
        }
        let mirror = ObjectMirror()
        try withExtendedLifetime(mirror) {
            try flags.mirroringDefinitions(mirror).run(inputs: ["-"], ingest: true)
        }
    }
}
