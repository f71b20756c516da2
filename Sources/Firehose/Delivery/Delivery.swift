// Delivery: one open Parquet file per partition (prefix), written in a staging folder outside the table tree
// and published by rename; error records buffered per error prefix; the buffering hints (size of input,
// interval of arrival time); the partition limit.

import Parallel
import JSON
import Parquet
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where and how converted records are delivered: folders, file naming, buffering hints and Parquet settings.
public struct DeliveryConfig: Sendable {
    /// The `--out` folder; files go to `<outDir>/<table>/<prefix>`.
    public var outDir: String
    /// The table name: the folder below ``outDir``, and the table named in error records.
    public var table: String
    /// The delivery stream name at the start of file names (`<stream>-1-yyyy-MM-dd-HH-mm-ss-<uuid>.parquet`).
    public var stream: String
    /// The database named in error records' `dataCatalogTable`.
    public var database = "default"
    /// The prefix of converted files.
    public var prefix: PrefixTemplate
    /// The prefix of error-output files.
    public var errorPrefix: PrefixTemplate
    /// Close a file once its records' input reaches this many bytes.
    public var bufferSize = 128 << 20
    /// … or once its first record arrived this many milliseconds ago.
    public var bufferIntervalMillis: Int64 = 300_000
    /// Distinct prefixes open at once; records for a further one fail with `ActivePartitionsExceeded`, as in Firehose.
    public var maxOpenPartitions = 500
    /// Parquet settings: the writer's defaults (row groups of 128 Ki rows or `--block-size` bytes, each written and
    /// handed to the disk while later records are still being converted), except that dictionaries may grow to
    /// 4 MiB (columns such as session ids keep their dictionary instead of falling back to PLAIN at 1 MiB).
    public var writer: WriterOptions = {
        var w = WriterOptions()
        w.dictionaryPageSizeLimit = 4 << 20
        return w
    }()

    /// A delivery into `outDir/table` with Firehose's default buffering hints (128 MiB, 300 s) and writer settings.
    public init(outDir: String, table: String, stream: String, prefix: PrefixTemplate, errorPrefix: PrefixTemplate) {
        self.outDir = outDir
        self.table = table
        self.stream = stream
        self.prefix = prefix
        self.errorPrefix = errorPrefix
    }

    /// The folder prefixes resolve in; nil: `outDir/table` (`floe serve` sets the bucket's folder, which the
    /// table name of its error records need not match).
    public var folder: String?

    /// The Parquet schema written in the files' footers instead of the columns' own (same columns and physical
    /// types: a committed table's field ids and annotations); nil: the columns' schema.
    public var dataSchema: Schema?

    /// Rows split into files by column values (an Iceberg table's partition spec: RowPartitioning.swift); the
    /// routing keys it names replace the prefix, and its folders the prefix's folders. Nil: by the prefix.
    public var partitioner: (any RowPartitioner)?

    /// The table's folder: `folder` when set, else `<outDir>/<table>`.
    public var tableDir: String { folder ?? outDir + "/" + table }
}

final class Delivery {
    struct OpenFile {
        var writer: ParquetWriter
        var encoding: EncodingFile
        var sink: any ParquetSink
        var finalPath: String
        var inputBytes: Int
        var firstArrival: Int64
        var rows: Int
        /// When rows were last appended (a counter): the least recent file closes first beyond the cap.
        var lastUse = 0
    }
    struct ErrorBuffer {
        var bytes: [UInt8] = []
        var firstArrival: Int64
        var count = 0
    }

    let config: DeliveryConfig
    let layout: RecordLayout
    let stagingDir: String
    let target: any DeliveryTarget
    /// Tag of the object names of a checkpointed run into a store (ObjectName.make).
    var nameTag: String?
    private(set) var open: [String: OpenFile] = [:]
    private var errors: [String: ErrorBuffer] = [:]
    /// Files complete in staging, waiting to be renamed into place: (staged, final).
    private(set) var pending: [(String, String)] = []
    var filesWritten = 0
    var errorFilesWritten = 0
    var bytesOut: Int64 = 0
    var rowsPublished = 0
    /// Appends so far (the files' `lastUse` clock).
    private var useClock = 0
    /// The routing key of each staged data file of a partitioned table, by staged path.
    var stagedKeys: [String: String] = [:]

    /// Runs the encoding of sealed row groups (on the pipeline's workers, or inline).
    let scheduler: EncodeScheduler
    let profile: StageProfile?

    init(config: DeliveryConfig, layout: RecordLayout, stagingDir: String, target: any DeliveryTarget,
         profile: StageProfile? = nil) {
        self.config = config
        self.layout = layout
        self.stagingDir = stagingDir
        self.target = target
        self.profile = profile
        var opts = config.writer
        opts.threads = 1
        scheduler = EncodeScheduler(schema: layout.schema, options: opts, profile: profile)
    }

    var openCount: Int { open.count }
    func isOpen(_ prefix: String) -> Bool { open[prefix] != nil }
    var hasBufferedData: Bool { !open.isEmpty || !errors.isEmpty }

    /// Adds a converted batch to the partition's open file (ordered step: assigning rows to row groups; the
    /// encoding runs as tasks of the scheduler). Once handed over the batch is the scheduler's: when that returns,
    /// it may be encoded, back in the pool and refilled by a later chunk's conversion.
    func append(prefix: String, batch: ColumnBatch, inputBytes: Int, arrival: Int64) throws {
        let rows = batch.rows
        guard rows > 0 else {
            scheduler.recycle(batch)
            return
        }
        if open[prefix] == nil {
            let name = ObjectName.make(stream: config.stream, millis: arrival, tag: nameTag, zone: config.prefix.timeZone) + ".parquet"
            let folder = config.tableDir + "/"
                + (config.partitioner?.folder(forKey: prefix) ?? PrefixTemplate.resolveRandom(prefix))
            var opts = config.writer
            opts.fsync = true
            opts.threads = 1
            let finalPath = folder.hasSuffix("/") ? folder + name : folder + name
            let sink = try target.parquetSink(name: name, final: finalPath)
            let w: ParquetWriter
            do {
                w = try ParquetWriter(sink: sink, schema: config.dataSchema ?? layout.schema, options: opts)
            } catch {
                sink.abort()
                throw error
            }
            open[prefix] = OpenFile(writer: w, encoding: EncodingFile(writer: w), sink: sink, finalPath: finalPath,
                                    inputBytes: 0, firstArrival: arrival, rows: 0)
        }
        try scheduler.append(batch, to: open[prefix]!.encoding)
        open[prefix]!.inputBytes += inputBytes
        open[prefix]!.rows += rows
        useClock += 1
        open[prefix]!.lastUse = useClock
    }

    /// Closes the open file rows were appended to least recently into staging (the cap on open files of a
    /// partitioned table).
    func closeOldest() throws {
        guard let p = open.min(by: { $0.value.lastUse < $1.value.lastUse })?.key else { return }
        try stage(file: p)
    }

    /// Seals the largest open row groups until the open row groups' estimated encoded bytes are at most `limit`.
    func boundOpenRowGroups(_ limit: Int) throws {
        var total = 0
        for (_, o) in open { total += o.encoding.openBytes }
        while total > limit {
            guard let largest = open.max(by: { $0.value.encoding.openBytes < $1.value.encoding.openBytes }),
                  largest.value.encoding.openBytes > 0 else { return }
            let o = largest.value
            total -= o.encoding.openBytes
            try scheduler.seal(o.encoding)
        }
    }

    func appendErrors(prefix: String, bytes: ArraySlice<UInt8>, count: Int, arrival: Int64) {
        errors[prefix, default: ErrorBuffer(firstArrival: arrival)].bytes.append(contentsOf: bytes)
        errors[prefix]!.count += count
    }

    /// Prefixes of open files due by size or interval.
    func due(now: Int64?) -> (files: [String], errors: [String]) {
        var f: [String] = []
        for (p, o) in open where o.inputBytes >= config.bufferSize
            || (now.map { $0 - o.firstArrival >= config.bufferIntervalMillis } ?? false) { f.append(p) }
        var e: [String] = []
        for (p, b) in errors where b.bytes.count >= config.bufferSize
            || (now.map { $0 - b.firstArrival >= config.bufferIntervalMillis } ?? false) { e.append(p) }
        return (f.sorted(), e.sorted())
    }

    /// Closes the file of `prefix` into staging; it joins `pending`.
    func stage(file prefix: String) throws {
        guard let o = open.removeValue(forKey: prefix) else { return }
        do {
            try scheduler.seal(o.encoding)
            try scheduler.finishWrites(o.encoding)
        } catch {
            o.writer.abort()
            throw error
        }
        let t0 = threadCPUNanos()
        try o.writer.close()
        profile?.add(ConvertStage.close, nanos: threadCPUNanos() &- t0)
        let (from, size) = try target.staged(o.sink)
        bytesOut += size
        rowsPublished += o.rows
        filesWritten += 1
        if config.partitioner != nil { stagedKeys[from] = prefix }
        pending.append((from, o.finalPath))
    }

    func stage(errors prefix: String) throws {
        guard let b = errors.removeValue(forKey: prefix), !b.bytes.isEmpty else { return }
        let name = ObjectName.make(stream: config.stream, millis: b.firstArrival, tag: nameTag, zone: config.prefix.timeZone)
        let folder = config.tableDir + "/" + PrefixTemplate.resolveRandom(prefix)
        pending.append(try target.stage(bytes: b.bytes, name: name, final: folder + name))
        errorFilesWritten += 1
    }

    /// Seals every open file's open row group (the end of the input), so the workers encode them now.
    func sealOpenRowGroups() throws {
        for p in open.keys.sorted() { try scheduler.seal(open[p]!.encoding) }
    }

    func stageAll() throws {
        for p in open.keys.sorted() { try stage(file: p) }
        for p in errors.keys.sorted() { try stage(errors: p) }
    }

    /// Renames every pending file into place (durably).
    func publishPending() throws {
        try target.publish(pending, rollForward: false)
        pending.removeAll()
    }

    /// Hands the pending entries over (a committed table publishes them itself).
    func takePending() -> [(String, String)] {
        defer { pending.removeAll() }
        return pending
    }

    /// Drops every open file (on failure).
    func abortAll() {
        for (_, o) in open {
            scheduler.abandon(o.encoding)
            o.writer.abort()
        }
        open.removeAll()
    }

    /// Drops staged files that will not be published (a failed run without a checkpoint).
    func discardPending() {
        target.discard(pending)
        pending.removeAll()
    }
}
