// Records from an API (Firehose's PutRecord/PutRecordBatch) into the conversion stage: the same record
// conversion, partitioning, error output and delivery as `floe convert`, fed one batch of records at a time
// instead of NDJSON lines. The caller decides when to flush (by `due(now:)`) and owns durability: `stage()` closes
// every buffered file into the staging folder and returns the renames, `publish()` makes them visible.

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
    public private(set) var bufferedRecords = 0

    /// What the feed did so far: records in, converted, failed; files and bytes written.
    public var statistics: ConvertStats {
        var s = stats
        s.filesWritten = delivery.filesWritten
        s.errorFilesWritten = delivery.errorFilesWritten
        s.bytesOut = delivery.bytesOut
        return s
    }

    /// `stagingDir` must be a folder on the same file system as the destination (renames publish).
    public init(config: ConvertConfig, stagingDir: String) throws {
        self.config = config
        layout = RecordLayout(columns: config.columns, options: config.record)
        try FileOps.makeDirectories(stagingDir)
        // the scheduler encodes inline (on the calling thread) as each batch is appended
        delivery = Delivery(config: config.delivery, layout: layout, stagingDir: stagingDir,
                            target: LocalDeliveryTarget(stagingDir: stagingDir, root: config.delivery.outDir))
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
        let w = work
        w.buffer.count = 0
        w.buffer.append(bytes)
        w.input = source
        w.firstLine = firstNumber
        w.arrival = arrival
        w.ending = config.clock.nowMillis()
        w.clearResults()
        w.spare = w.own
        processor.process(w, records: records)
        stats.bytesIn += Int64(records.reduce(0) { $0 + $1.count })
        try deliverWork(w, to: delivery, config: config, stats: &stats)
        bufferedRecords += records.count
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
    }

    /// Renames left staged by an interrupted flush (from the caller's log), applied again: a file already renamed
    /// is skipped.
    public static func rollForward(_ renames: [(staged: String, final: String)], root: String) throws {
        for (from, to) in renames where FileOps.exists(from) {
            try FileOps.publish(from, to, root: root)
        }
    }
}
