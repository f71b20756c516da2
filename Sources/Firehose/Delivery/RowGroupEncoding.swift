// Encoding off the ordered path. The ordered delivery step only assigns a chunk's rows to a file and a row
// group (slices of the chunk's column data); a full row group is sealed and each of its columns becomes an
// independent encode task (pages, dictionary, compression, statistics, page index, bloom filter) that any
// worker runs. A file's row groups are written in order by whichever worker completes the next one.
//
// One monitor guards the task queue and the pipeline's chunk bookkeeping (`PipelineState` shares it), so a
// waiting worker sleeps until there is any work at all.

import Parallel
import JSON
import Parquet

/// A chunk's rows for one partition as column data (filled by the worker that converted the chunk).
final class ColumnBatch: @unchecked Sendable {
    var columns: [ColumnData] = []
    var rows = 0
    /// Bytes of column data (the raw size the row-group byte limit is estimated from).
    var rawBytes = 0
    /// Row groups (sealed or open) that still read it; back to the pool at zero.
    var users = 0
}

/// A sealed row group: whole-row slices of batches, encoded column by column.
final class RowGroupWork: @unchecked Sendable {
    let file: EncodingFile
    let index: Int
    /// Dropped once every column is encoded (the batches go back to the pool).
    var slices: [(batch: ColumnBatch, from: Int, rows: Int)]
    let rows: Int
    let rawBytes: Int
    /// Columns in the order they are handed out (largest first, so the last task of a group is short).
    let order: [Int]
    var handedOut = 0
    var done = 0
    var results: [EncodedColumnChunk?]

    init(file: EncodingFile, index: Int, slices: [(batch: ColumnBatch, from: Int, rows: Int)], rows: Int, rawBytes: Int,
         columns: Int) {
        self.file = file
        self.index = index
        self.slices = slices
        self.rows = rows
        self.rawBytes = rawBytes
        results = Array(repeating: nil, count: columns)
        var weight = [Int](repeating: 0, count: columns)
        for s in slices {
            for c in 0..<columns { weight[c] += EncodingFile.bytes(of: s.batch.columns[c]) }
        }
        order = (0..<columns).sorted { weight[$0] > weight[$1] }
    }
}

/// The encoding side of one open Parquet file: its open row group and the sealed ones not yet written.
final class EncodingFile: @unchecked Sendable {
    let writer: ParquetWriter
    var open: [(batch: ColumnBatch, from: Int, rows: Int)] = []
    var openRows = 0
    var openBytes = 0
    var openRaw = 0
    var sealed = 0
    /// Row groups placed in the file (in order) and written (in any order).
    var placed = 0
    var written = 0
    var writing = false
    var completed: [Int: RowGroupWork] = [:]

    init(writer: ParquetWriter) { self.writer = writer }

    static func bytes(of c: ColumnData) -> Int {
        var n = c.definitionLevels.count * 2 + c.repetitionLevels.count * 2
        switch c.values.physicalType {
        case .byteArray: n += c.values.byteArrays.bytes.count + 4 * c.values.byteArrays.offsets.count
        case .fixedLenByteArray: n += c.values.fixed.bytes.count
        case .boolean: n += c.values.booleans.count
        case .int32: n += 4 * c.values.int32s.count
        case .float: n += 4 * c.values.floats.count
        case .int64: n += 8 * c.values.int64s.count
        case .double: n += 8 * c.values.doubles.count
        case .int96: n += 12 * c.values.int96s.count
        case .unknown: break
        }
        return n
    }
}

/// The task queue, encoder pool and batch pool shared by the pipeline's workers.
final class EncodeScheduler: @unchecked Sendable {
    let m = Monitor()
    let schema: Schema
    let options: WriterOptions
    let columnCount: Int
    /// Sealed row groups with columns not yet handed out, oldest first.
    private var queue: [RowGroupWork] = []
    private var encoders: [[ColumnChunkEncoder]]
    private var batches: [ColumnBatch] = []
    /// Batches kept for reuse: about a row group's worth (more would only hold memory).
    private let maxPooled = 24
    /// Encoded bytes per raw byte of finished row groups (for the row-group byte limit).
    private var encodedBytes = 0
    private var rawBytes = 0
    var failure: Error?
    /// No worker threads (ingest, one job): a sealed row group is encoded at once by the caller.
    var inline = true
    let profile: StageProfile?

    init(schema: Schema, options: WriterOptions, profile: StageProfile?) {
        self.schema = schema
        self.options = options
        self.profile = profile
        columnCount = schema.columns.count
        encoders = Array(repeating: [], count: schema.columns.count)
    }

    /// (lock held) Whether an encode task is waiting.
    var hasTask: Bool { !queue.isEmpty }

    /// (lock held) Encoded bytes per raw byte so far (1 before any row group finished).
    var ratio: Double { rawBytes > 0 ? Double(encodedBytes) / Double(rawBytes) : 1 }

    func takeBatch() -> ColumnBatch {
        m.withLock { batches.popLast() } ?? ColumnBatch()
    }

    /// (lock held) Drops one user of each batch of `slices`; unused batches go back to the pool.
    private func release(_ slices: [(batch: ColumnBatch, from: Int, rows: Int)]) {
        for s in slices {
            s.batch.users -= 1
            if s.batch.users == 0 && batches.count < maxPooled { batches.append(s.batch) }
        }
    }

    /// Puts a batch that no row group took back into the pool.
    func recycle(_ b: ColumnBatch) {
        m.withLock { if b.users == 0 && batches.count < maxPooled { batches.append(b) } }
    }

    /// Seals the open row group of `file` (the ordered step); its columns become tasks.
    func seal(_ file: EncodingFile) throws {
        guard file.openRows > 0 else { return }
        m.lock()
        let rg = RowGroupWork(file: file, index: file.sealed, slices: file.open, rows: file.openRows,
                              rawBytes: file.openRaw, columns: columnCount)
        file.sealed += 1
        file.open = []
        file.openRows = 0
        file.openBytes = 0
        file.openRaw = 0
        queue.append(rg)
        m.broadcast()
        m.unlock()
        if inline { try drain() }
    }

    /// Adds rows of `batch` to the open row group of `file`, sealing row groups as they fill (by rows, or by
    /// the estimated encoded bytes against the row-group size).
    func append(_ batch: ColumnBatch, to file: EncodingFile) throws {
        var from = 0
        let perRowRaw = max(1, batch.rawBytes / max(1, batch.rows))
        while from < batch.rows {
            let est = max(1, Int((Double(perRowRaw) * m.withLock { ratio }).rounded(.up)))
            let byRows = options.rowGroupRows - file.openRows
            let byBytes = max(1, (options.rowGroupSize - file.openBytes + est - 1) / est)
            let take = max(1, min(batch.rows - from, byRows, byBytes))
            m.withLock { batch.users += 1 }
            file.open.append((batch, from, take))
            file.openRows += take
            file.openBytes += take * est
            file.openRaw += take * perRowRaw
            from += take
            if file.openRows >= options.rowGroupRows || file.openBytes >= options.rowGroupSize { try seal(file) }
        }
    }

    /// Runs tasks until the queue is empty (the caller's thread only).
    func drain() throws {
        m.lock()
        while hasTask {
            runOne()
        }
        let f = failure
        m.unlock()
        if let f { throw f }
    }

    /// (lock held; returns with it held) Takes one task and runs it with the lock released.
    func runOne() {
        let rg = queue[0]
        let column = rg.order[rg.handedOut]
        rg.handedOut += 1
        if rg.handedOut == columnCount { queue.removeFirst() }  // a handful at most
        let enc = encoders[column].popLast()
        m.unlock()
        let t0 = threadCPUNanos()
        var result: EncodedColumnChunk?
        var error: Error?
        do {
            let e = try enc ?? ColumnChunkEncoder(column: schema.columns[column], options: options)
            for s in rg.slices { try e.append(s.batch.columns[column], fromRow: s.from, rows: s.rows) }
            result = try e.finish()
            m.lock()
            encoders[column].append(e)
        } catch let e {
            error = e
            m.lock()
        }
        profile?.add(ConvertStage.encode, nanos: threadCPUNanos() &- t0)
        if let error, failure == nil { failure = error }
        rg.results[column] = result
        rg.done += 1
        if rg.done == columnCount {
            release(rg.slices)
            rg.slices = []
            rg.file.completed[rg.index] = rg
            writeCompleted(rg.file)
        }
        m.broadcast()
    }

    /// (lock held) Places the file's completed row groups that are next in order (the ordered step: file ranges
    /// and metadata), unless another worker is; then writes their bytes, which may overlap with other writes.
    private func writeCompleted(_ file: EncodingFile) {
        guard !file.writing else { return }
        file.writing = true
        var placed: [(PlacedRowGroup, Int, Int)] = []  // (row group, raw bytes, encoded bytes)
        while failure == nil, let rg = file.completed.removeValue(forKey: file.placed) {
            m.unlock()
            let t0 = threadCPUNanos()
            var failed: Error?
            do {
                let p = try file.writer.placeRowGroup(rg.results.map { $0! }, rows: rg.rows)
                placed.append((p, rg.rawBytes, p.byteCount))
                rg.results = []  // the placed row group holds the pages now
            } catch {
                failed = error
            }
            profile?.add(ConvertStage.place, nanos: threadCPUNanos() &- t0)
            m.lock()
            if let failed, failure == nil { failure = failed }
            file.placed += 1
        }
        file.writing = false
        m.broadcast()
        guard !placed.isEmpty else { return }
        m.unlock()
        var failed: Error?
        let t0 = threadCPUNanos()
        let groups = placed.map { ($0.1, $0.2) }
        for (p, _, _) in placed {
            do { try p.write() } catch { failed = error }
        }
        // the row groups' pages and column data are free now: give the memory back (flat RSS however long
        // the input)
        placed.removeAll()
        ParquetWriter.releaseFreedHeap()
        profile?.add(ConvertStage.write, nanos: threadCPUNanos() &- t0, items: groups.count)
        m.lock()
        for (raw, encoded) in groups {
            encodedBytes += encoded
            rawBytes += raw
        }
        if let failed, failure == nil { failure = failed }
        file.written += groups.count
        m.broadcast()
    }

    /// Waits until every sealed row group of `file` is written, running encode tasks meanwhile.
    func finishWrites(_ file: EncodingFile) throws {
        m.lock()
        while failure == nil && file.written < file.sealed {
            if hasTask { runOne() } else { m.wait() }
        }
        let f = failure
        m.unlock()
        if let f { throw f }
    }

    /// Drops a file's open and sealed work (on failure).
    func abandon(_ file: EncodingFile) {
        m.withLock {
            release(file.open)
            file.open = []
            file.openRows = 0
        }
    }
}
