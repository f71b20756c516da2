// Encoding off the ordered path. The ordered delivery step only assigns a chunk's rows to a file and a row
// group (slices of the chunk's column data); each column of a row group is an encoder fed those slices in order
// by column tasks that any worker runs (one task per column of a row group at a time), and a full row group is
// sealed so its columns finish (pages, dictionary, compression, statistics, page index, bloom filter). A batch
// goes back to the pool once every column encoded it, so memory holds encoded pages and the batches in flight,
// not a row group of raw column data. A file's row groups are placed in order by whichever worker completes the
// next one, and written with pwrite in parallel.
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
    /// Column tasks that still read it; back to the pool at zero.
    var users = 0
}

/// Whole rows `from ..< from + rows` of a batch.
typealias BatchSlice = (batch: ColumnBatch, from: Int, rows: Int)

/// A row group being encoded column by column. Each column has its own encoder, fed the row group's slices in
/// order as they are delivered (one task per column at a time; different columns, and different row groups, on
/// any workers), so a batch is encoded and returned to the pool as soon as every column took it: memory holds
/// the encoded pages of the open row groups and the batches in flight, not a row group of raw column data.
final class RowGroupWork: @unchecked Sendable {
    let file: EncodingFile
    let index: Int
    var rows = 0
    var rawBytes = 0
    /// No more rows come; each column finishes once its pending slices are encoded.
    var sealed = false
    /// Per column: slices not yet appended to its encoder, in row order.
    var pending: [[BatchSlice]]
    var encoders: [ColumnChunkEncoder?]
    /// Per column: a worker is appending to (or finishing) its encoder; in the task queue.
    var busy: [Bool]
    var queued: [Bool]
    var finished: [Bool]
    var done = 0
    var results: [EncodedColumnChunk?]

    init(file: EncodingFile, index: Int, columns: Int) {
        self.file = file
        self.index = index
        pending = Array(repeating: [], count: columns)
        encoders = Array(repeating: nil, count: columns)
        busy = Array(repeating: false, count: columns)
        queued = busy
        finished = busy
        results = Array(repeating: nil, count: columns)
    }
}

/// The encoding side of one open Parquet file: its open row group and the sealed ones not yet written.
final class EncodingFile: @unchecked Sendable {
    let writer: ParquetWriter
    /// The row group rows are appended to (nil until the first rows after a seal).
    var open: RowGroupWork?
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
    /// Column tasks (row group, column) with work to do, oldest row group first; `head` is the next.
    private var queue: [(RowGroupWork, Int)] = []
    private var head = 0
    /// Finished encoders per column, reused by later row groups (at most one per column).
    private var encoders: [[ColumnChunkEncoder]]
    private var batches: [ColumnBatch] = []
    /// Batches kept for reuse (more would only hold memory); the pipeline sets it from its job count.
    var maxPooled = 8
    /// Raw bytes of the batches delivered to row groups and not yet encoded by every column (lock held): the
    /// pipeline claims no new chunk while this is above its bound, so a column whose encoding lags cannot make
    /// the delivered data pile up (memory stays `jobs × chunk size` plus the encoded pages).
    private(set) var queuedRaw = 0
    /// Encoded bytes per raw byte of finished row groups (for the row-group byte limit).
    private var encodedBytes = 0
    private var rawBytes = 0
    var failure: Error?
    /// No worker threads (ingest, one job): a sealed row group is encoded at once by the caller.
    var inline = true
    let profile: StageProfile?
    /// Test seam (nil in use): runs on the ordered step right after each slice of ``append(_:to:)`` is handed to
    /// the encoders, the lock released: where a worker may finish encoding the batch and a converter take it back.
    var sliceHandedOver: (() -> Void)?

    init(schema: Schema, options: WriterOptions, profile: StageProfile?) {
        self.schema = schema
        self.options = options
        self.profile = profile
        columnCount = schema.columns.count
        encoders = Array(repeating: [], count: schema.columns.count)
    }

    /// (lock held) Whether an encode task is waiting.
    var hasTask: Bool { head < queue.count }

    /// (lock held) Encoded bytes per raw byte so far (1 before any row group finished).
    var ratio: Double { rawBytes > 0 ? Double(encodedBytes) / Double(rawBytes) : 1 }

    func takeBatch() -> ColumnBatch {
        m.withLock { batches.popLast() } ?? ColumnBatch()
    }

    /// (lock held) Drops one user of each batch of `slices`; unused batches go back to the pool.
    private func release(_ slices: [BatchSlice]) {
        for s in slices { release(s.batch) }
    }

    /// (lock held) Drops one user of `batch`; unused, it goes back to the pool.
    private func release(_ batch: ColumnBatch) {
        batch.users -= 1
        if batch.users == 0 {
            queuedRaw -= batch.rawBytes
            if batches.count < maxPooled { batches.append(batch) }
        }
    }

    /// Puts a batch that no row group took back into the pool.
    func recycle(_ b: ColumnBatch) {
        m.withLock { if b.users == 0 && batches.count < maxPooled { batches.append(b) } }
    }

    /// (lock held) Queues column `c` of `rg` when it has work (slices, or its finish) and no worker has it.
    private func enqueue(_ rg: RowGroupWork, _ c: Int) {
        guard !rg.busy[c], !rg.queued[c], !rg.finished[c], !rg.pending[c].isEmpty || rg.sealed else { return }
        rg.queued[c] = true
        queue.append((rg, c))
    }

    /// Seals the open row group of `file` (the ordered step); each column finishes once it has encoded its rows.
    func seal(_ file: EncodingFile) throws {
        guard file.openRows > 0 else { return }
        m.lock()
        if let rg = file.open {
            rg.sealed = true
            for c in 0..<columnCount { enqueue(rg, c) }
        }
        file.open = nil
        file.openRows = 0
        file.openBytes = 0
        file.openRaw = 0
        m.broadcast()
        m.unlock()
        if inline { try drain() }
    }

    /// Adds rows of `batch` to the open row group of `file`, sealing row groups as they fill (by rows, or by
    /// the estimated encoded bytes against the row-group size); its columns become tasks at once.
    ///
    /// Once every column has encoded a batch's slices, the batch goes back to the pool, and a worker converting a
    /// later chunk may take it and refill it (its rows and columns) at once, while this loop is still running. So
    /// the batch's size is read once, before its first slice is handed over, and the loop holds it as one more
    /// user until it returns: a slice handed over later (a row group filled midway) reads the batch's own rows.
    func append(_ batch: ColumnBatch, to file: EncodingFile) throws {
        let rows = batch.rows
        guard rows > 0 else { return }
        var from = 0
        let perRowRaw = max(1, batch.rawBytes / rows)
        m.withLock {
            if batch.users == 0 { queuedRaw += batch.rawBytes }
            batch.users += 1
        }
        defer { m.withLock { release(batch) } }
        while from < rows {
            let est = max(1, Int((Double(perRowRaw) * m.withLock { ratio }).rounded(.up)))
            let byRows = options.rowGroupRows - file.openRows
            let byBytes = max(1, (options.rowGroupSize - file.openBytes + est - 1) / est)
            let take = max(1, min(rows - from, byRows, byBytes))
            m.lock()
            let rg: RowGroupWork
            if let o = file.open {
                rg = o
            } else {
                rg = RowGroupWork(file: file, index: file.sealed, columns: columnCount)
                file.sealed += 1
                file.open = rg
            }
            batch.users += columnCount
            rg.rows += take
            rg.rawBytes += take * perRowRaw
            for c in 0..<columnCount {
                rg.pending[c].append((batch, from, take))
                enqueue(rg, c)
            }
            m.broadcast()
            m.unlock()
            sliceHandedOver?()
            file.openRows += take
            file.openBytes += take * est
            file.openRaw += take * perRowRaw
            from += take
            if file.openRows >= options.rowGroupRows || file.openBytes >= options.rowGroupSize { try seal(file) }
        }
        if inline { try drain() }
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

    /// (lock held; returns with it held) Takes one column task and runs it with the lock released: appends the
    /// column's pending slices to its encoder and, once the row group is sealed, finishes the column chunk.
    func runOne() {
        let (rg, column) = queue[head]
        head += 1
        if head == queue.count {
            queue.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 256 && head * 2 >= queue.count {
            queue.removeFirst(head)
            head = 0
        }
        rg.queued[column] = false
        rg.busy[column] = true
        let slices = rg.pending[column]
        rg.pending[column] = []
        let finishing = rg.sealed  // every slice of a sealed row group is in `slices` or already encoded
        let enc = rg.encoders[column] ?? encoders[column].popLast()
        m.unlock()
        let t0 = profile == nil ? 0 : threadCPUNanos()
        var encoder: ColumnChunkEncoder?
        var result: EncodedColumnChunk?
        var error: Error?
        do {
            let e = try enc ?? ColumnChunkEncoder(column: schema.columns[column], options: options)
            encoder = e
            for s in slices { try e.append(s.batch.columns[column], fromRow: s.from, rows: s.rows) }
            if finishing { result = try e.finish() }
        } catch let e {
            error = e
            encoder = nil  // an encoder that failed midway is not reused
        }
        m.lock()
        profile?.add(ConvertStage.encode, nanos: threadCPUNanos() &- t0, items: slices.count)
        if let error, failure == nil { failure = error }
        release(slices)
        rg.busy[column] = false
        if finishing {
            rg.finished[column] = true
            rg.encoders[column] = nil
            // one idle encoder per column is all the next row group takes; more would be the most row groups
            // ever open at once, each holding its page-sized scratch buffers until the end (it grows with the
            // length of the input: peak memory would too)
            if let encoder, encoders[column].isEmpty { encoders[column].append(encoder) }
            rg.results[column] = result
            rg.done += 1
            if rg.done == columnCount {
                rg.file.completed[rg.index] = rg
                writeCompleted(rg.file)
            }
        } else {
            rg.encoders[column] = encoder
            enqueue(rg, column)
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
        placed.removeAll()  // the row groups' pages are free now
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

    /// Drops a file's open row group (on failure).
    func abandon(_ file: EncodingFile) {
        m.withLock {
            if let rg = file.open {
                for c in 0..<columnCount {
                    release(rg.pending[c])
                    rg.pending[c] = []
                }
                rg.finished = Array(repeating: true, count: columnCount)
            }
            file.open = nil
            file.openRows = 0
        }
    }
}
