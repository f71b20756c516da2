// Records from an API (Firehose's PutRecord/PutRecordBatch) into the conversion stage: the same record
// conversion, partitioning, error output and delivery as `floe convert`, fed one batch of records at a time
// instead of NDJSON lines. The caller decides when to flush (by `due(now:)`) and owns durability: `stage()` closes
// every buffered file into the staging folder and returns the renames, `publish()` makes them visible.

import ObjectStore
import Parallel
import Parquet

/// API records converted to Parquet exactly as `floe convert` converts NDJSON lines: the same record conversion,
/// partitioning, error output and delivery, fed one batch of records at a time (see the file's header).
public final class RecordFeed {
    /// The conversion's configuration.
    public let config: ConvertConfig
    let layout: RecordLayout
    let processor: ChunkProcessor
    let delivery: Delivery
    let work = ChunkWork()
    var stats = ConvertStats()
    var rangesScratch: [Range<Int>] = []
    /// Records appended since the last stage (converted or failed).
    public internal(set) var bufferedRecords = 0

    /// What the feed did so far: records in, converted, failed; files and bytes written.
    public var statistics: ConvertStats {
        var s = stats
        s.filesWritten = delivery.filesWritten
        s.errorFilesWritten = delivery.errorFilesWritten
        s.bytesOut = delivery.bytesOut
        return s
    }

    /// `stagingDir` must be a folder on the same file system as the destination (renames publish); with
    /// `config.outStore` set, files go to that store instead (the staged half of an entry is `upload:<id>`).
    public init(config: ConvertConfig, stagingDir: String) throws {
        self.config = config
        layout = RecordLayout(columns: config.columns, options: config.record)
        if let p = config.delivery.partitioner { _ = try layout.partitionLeaves(p) }
        try FileOps.makeDirectories(stagingDir)
        // the scheduler encodes inline (on the calling thread) as each batch is appended
        // into a bucket (`config.outStore`): files are multipart uploads, staged by `stage()` and completed by
        // `publish()`; else files in the staging folder renamed into place
        // into a committed table (an Iceberg table, `config.committer`): staged files keep their footers for the
        // commit (RecordFeed+Commit.swift)
        let target: any DeliveryTarget
        if let store = config.outStore {
            target = ObjectDeliveryTarget(store: store, urlPrefix: config.outStoreURL, writerOptions: config.objectWriter)
        } else if config.committer != nil {
            target = CommitDeliveryTarget(stagingDir: stagingDir, root: config.delivery.outDir)
        } else {
            target = LocalDeliveryTarget(stagingDir: stagingDir, root: config.delivery.outDir)
        }
        delivery = Delivery(config: config.delivery, layout: layout, stagingDir: stagingDir, target: target)
        processor = ChunkProcessor(layout: layout, config: config, scheduler: delivery.scheduler)
        work.recordMode = true
        work.own = ColumnBuilders(layout: layout)
    }

    deinit { delivery.abortAll() }

    /// Converts `records` (ranges of `bytes`, each one API record) that arrived at `arrival` (ms since the epoch);
    /// error records name them `<source>:<firstNumber + i>`.
    public func append(_ bytes: UnsafeRawBufferPointer, records: [Range<Int>], arrival: Int64, source: String,
                       firstNumber: Int) throws {
        guard !records.isEmpty else { return }
        fill(work, bytes, records: records, arrival: arrival, source: source, firstNumber: firstNumber)
        try deliver(work, records: records)
    }

    /// Records converted to column batches by ``prepare(_:records:arrival:source:firstNumber:)``, waiting for
    /// ``commit(_:)``.
    public final class Prepared: @unchecked Sendable {
        let work: ChunkWork
        let records: [Range<Int>]
        init(work: ChunkWork, records: [Range<Int>]) {
            self.work = work
            self.records = records
        }
    }

    private let poolLock = Monitor()
    private var pool: [ChunkWork] = []

    /// The first half of `append`: the records parsed, checked and converted into column batches, touching no
    /// buffered file — so calls for different batches run at once, on any threads. ``commit(_:)`` (called in the
    /// records' order, one at a time) then delivers them exactly as `append` would have.
    public func prepare(_ bytes: UnsafeRawBufferPointer, records: [Range<Int>], arrival: Int64, source: String,
                        firstNumber: Int) -> Prepared {
        let w = poolLock.withLock { pool.popLast() } ?? {
            let w = ChunkWork()
            w.recordMode = true
            w.own = ColumnBuilders(layout: layout)
            return w
        }()
        if !records.isEmpty { fill(w, bytes, records: records, arrival: arrival, source: source, firstNumber: firstNumber) }
        return Prepared(work: w, records: records)
    }

    /// The second half of `append`, in order: prepared records into the buffered files and error output.
    public func commit(_ p: Prepared) throws {
        defer { release(p) }
        if p.records.isEmpty { return }
        try deliver(p.work, records: p.records)
    }

    /// Whether `append` and `commit` encode the row groups they fill before returning (the default). When false,
    /// the column chunks are encoded by whoever calls ``encodePending()`` (any threads, several at once), by
    /// `append`/`commit` themselves once 64 MiB of rows wait, and at the latest by `stage()`.
    public var encodesInline: Bool {
        get { delivery.scheduler.inline }
        set { delivery.scheduler.inline = newValue }
    }

    /// Encodes waiting column chunks until none is left (any thread; a failure surfaces in `stage()`).
    public func encodePending() {
        try? delivery.scheduler.drain()
    }

    static let encodeBacklog = 64 << 20

    /// Gives a prepared batch's buffers back without delivering it.
    public func release(_ p: Prepared) {
        let w = p.work
        for case let (batch, _)? in w.batches { delivery.scheduler.recycle(batch) }
        w.clearResults()
        w.spare = nil
        poolLock.withLock { if pool.count < 8 { pool.append(w) } }
    }

    private func fill(_ w: ChunkWork, _ bytes: UnsafeRawBufferPointer, records: [Range<Int>], arrival: Int64,
                      source: String, firstNumber: Int) {
        w.buffer.count = 0
        w.buffer.append(bytes)
        w.input = source
        w.firstLine = firstNumber
        w.arrival = arrival
        w.ending = config.clock.nowMillis()
        w.clearResults()
        w.spare = w.own
        processor.process(w, records: records)
    }

    private func deliver(_ w: ChunkWork, records: [Range<Int>]) throws {
        stats.bytesIn += Int64(records.reduce(0) { $0 + $1.count })
        try deliverWork(w, to: delivery, config: config, stats: &stats)
        bufferedRecords += records.count
        let s = delivery.scheduler
        if !s.inline && s.m.withLock({ s.queuedRaw }) > Self.encodeBacklog { try s.drain() }
    }

    /// True when a buffered file or error buffer is due by size or by interval at `now`.
    public func due(now: Int64) -> Bool {
        let (f, e) = delivery.due(now: now)
        return !f.isEmpty || !e.isEmpty
    }

    /// True while a file is open or error records are buffered.
    public var hasBufferedData: Bool { delivery.hasBufferedData }

    /// Partitions (prefixes) with an open file.
    public var openPartitions: Int { delivery.openCount }

    /// Closes every buffered file and error buffer into staging (fsynced); returns the renames that publish them.
    public func stage() throws -> [(staged: String, final: String)] {
        try delivery.stageAll()
        bufferedRecords = 0
        return delivery.pending.map { ($0.0, $0.1) }
    }

    /// Renames the staged files into place (durably).
    public func publish() throws {
        try delivery.publishPending()
    }

    /// Drops what is buffered (the stream is deleted).
    public func abort() {
        delivery.abortAll()
        delivery.discardPending()
    }

    /// Renames left staged by an interrupted flush (from the caller's log), applied again: a file already renamed
    /// is skipped.
    public static func rollForward(_ renames: [(staged: String, final: String)], root: String) throws {
        for (from, to) in renames where FileOps.exists(from) {
            try FileOps.publish(from, to, root: root)
        }
    }

    /// Entries staged into `store` by an interrupted flush (from the caller's log; staged halves `upload:<id>`,
    /// finals URLs under `urlPrefix`), published again: an upload already completed is found and skipped.
    public static func rollForward(_ entries: [(staged: String, final: String)], store: any ObjectStore,
                                   urlPrefix: String) throws {
        let target = ObjectDeliveryTarget(store: store, urlPrefix: urlPrefix, writerOptions: ObjectWriterOptions())
        try target.publish(entries.map { ($0.staged, $0.final) }, rollForward: true)
    }
}
