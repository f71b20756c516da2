// The Parquet file writer: columnar batches (`ColumnData`, the reader's own buffers) or rows (`ParquetValue`) in,
// a Parquet file out. Pages are encoded and compressed as they fill; a row group's compressed chunks are held
// in memory until the row group is complete, then written. `close()` writes the page index and the footer into
// a temporary file next to the destination and renames it into place.
import Dispatch
import Synchronization
import SystemPackage
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes one Parquet file from column batches or rows.
///
/// Pages are encoded and compressed as values arrive; a row group closes at ``WriterOptions/rowGroupSize`` bytes or
/// ``WriterOptions/rowGroupRows`` rows. The file is written beside `path` under a hidden name and renamed into
/// place by ``close()``, so readers never see a partial file; ``abort()`` removes it. Not thread-safe: one writer
/// per thread (it encodes columns on ``WriterOptions/threads`` threads itself).
public final class ParquetWriter {
    /// The file's schema.
    public let schema: Schema
    /// The settings used.
    public let options: WriterOptions
    /// Where the file appears on ``close()`` (the path, or the sink's destination).
    public let path: String
    /// Footer key/value metadata (from the options; callers may add more before `close()`).
    public var keyValueMetadata: [KeyValue]

    private let elements: [SchemaElement]
    private var writers: [ColumnChunkWriter]
    private let sink: any ParquetSink
    private var offset: Int64 = 0
    private var rowGroups: [RowGroup] = []
    /// Per row group, per column: page records and whether a column index may be written (for the page index).
    private var pageIndexInfo: [[(pages: [PageRecord], columnIndex: Bool, isByteArray: Bool)]] = []
    private var rowGroupRows: Int64 = 0
    private var totalRows: Int64 = 0
    private var closed = false
    private var rowBytesEstimate: Int?
    /// Spill file (unlinked) the columns move their finished pages to when the open row group holds too many.
    private let pageSpill: PageSpill?
    private let encryptor: FileEncryptor?
    private let threads: Int
    /// Most rows per parallel step (columns encode independently within a step; row groups close between steps).
    private static let stepRows = 1 << 20

    /// Creates the writer; the file appears at `path` only when `close()` succeeds.
    public convenience init(path: String, schema: Schema, options: WriterOptions = WriterOptions(),
                            elements: [SchemaElement]? = nil) throws {
        try self.init(sink: LocalFileSink(path: path, fsync: options.fsync), schema: schema, options: options,
                      elements: elements)
    }

    /// Creates a writer into `sink` (`close()` closes the sink; `abort()` aborts it).
    public init(sink: any ParquetSink, schema: Schema, options: WriterOptions = WriterOptions(),
                elements: [SchemaElement]? = nil) throws {
        self.sink = sink
        self.path = sink.destination
        self.schema = schema
        self.options = options
        self.keyValueMetadata = options.keyValueMetadata
        self.elements = elements ?? schema.elements
        var ws: [ColumnChunkWriter] = []
        for c in schema.columns { ws.append(try ColumnChunkWriter(descriptor: c, options: options)) }
        writers = ws
        for p in options.columnEncodings.keys where !schema.columns.contains(where: { $0.dottedPath == p }) {
            throw ParquetError.invalidArgument("--encoding: no column '\(p)' in the schema")
        }
        for p in options.bloomFilters.keys where !schema.columns.contains(where: { $0.dottedPath == p }) {
            throw ParquetError.invalidArgument("--bloom-filter: no column '\(p)' in the schema")
        }
        threads = max(1, options.threads ?? ProcessInfoLite.activeCores)
        encryptor = try options.encryption.map { try FileEncryptor(options: $0, schema: schema) }
        if let t = options.spillThreshold, encryptor == nil {  // encrypted pages are re-framed in memory
            let dir = sink.spillDirectory ?? PageSpill.temporaryDirectory
            var rnd = SystemRandomNumberGenerator()
            let s = PageSpill(path: dir + "/.floe-spill-\(getpid())-\(String(rnd.next() as UInt64, radix: 16))", threshold: t)
            for w in writers { w.spill = s }
            pageSpill = s
        } else {
            pageSpill = nil
        }
        try writeBytes(encryptor?.magic ?? Array("PAR1".utf8))
    }

    deinit {
        if !closed { abort() }
    }

    /// Drops the partial file (the destination is left untouched).
    public func abort() {
        guard !closed else { return }
        closed = true
        pageSpill?.reset()
        sink.abort()
    }

    /// Small writes are gathered here and written in one call.
    private var staging: [UInt8] = []

    /// Writes `bytes` through the staging buffer (large arrays go straight to the file).
    private func writeBytes(_ bytes: [UInt8]) throws {
        if bytes.count < 1 << 16 {
            staging.append(contentsOf: bytes)
            offset += Int64(bytes.count)
            if staging.count >= 1 << 20 { try flushStaging() }
            return
        }
        try flushStaging()
        try writeRaw(bytes)
        offset += Int64(bytes.count)
    }

    private func flushStaging() throws {
        guard !staging.isEmpty else { return }
        try writeRaw(staging)
        staging.removeAll(keepingCapacity: true)
    }

    private func writeRaw(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try sink.write($0) }
    }

    // MARK: - input

    /// Rows in a batch column (levels with repetition level 0).
    static func rowCount(_ c: ColumnData) -> Int {
        if c.descriptor.maxRepetitionLevel == 0 { return c.levelCount }
        var n = 0
        c.repetitionLevels.withUnsafeBufferPointer { r in
            for k in 0..<c.levelCount { n &+= r[k] == 0 ? 1 : 0 }  // branch-free: vectorises
        }
        return n
    }

    /// Checks a batch against the schema; fills in implicit levels; returns the row count.
    private func normalize(_ columns: inout [ColumnData]) throws -> Int {
        guard columns.count == schema.columns.count else {
            throw ParquetError.invalidArgument("batch has \(columns.count) columns, the schema has \(schema.columns.count) leaf columns")
        }
        var rows: Int?
        for i in columns.indices {
            let r = try Self.normalizeColumn(&columns[i], as: schema.columns[i])
            if let rows, rows != r {
                throw ParquetError.invalidArgument("column \(schema.columns[i].dottedPath) holds \(r) rows, column \(schema.columns[0].dottedPath) holds \(rows)")
            }
            rows = r
        }
        return rows ?? 0
    }

    /// Checks one batch column against its schema column, fills in implicit levels; returns its row count.
    static func normalizeColumn(_ c: inout ColumnData, as want: ColumnDescriptor) throws -> Int {
        let path = want.dottedPath
        guard c.values.physicalType == want.physicalType else {
            throw ParquetError.invalidArgument("column \(path): batch holds \(c.values.physicalType) values, the schema says \(want.physicalType)")
        }
        if want.physicalType == .fixedLenByteArray && c.values.fixed.width != want.typeLength {
            throw ParquetError.invalidArgument("column \(path): values are \(c.values.fixed.width) bytes wide, the schema says \(want.typeLength)")
        }
        if c.levelCount == 0 && want.maxDefinitionLevel == 0 && want.maxRepetitionLevel == 0 {
            c.levelCount = c.values.count
        }
        let n = c.levelCount
        if want.maxDefinitionLevel > 0 {
            if c.definitionLevels.count < n {
                guard c.definitionLevels.isEmpty, c.values.count == n else {
                    throw ParquetError.invalidArgument("column \(path): \(c.definitionLevels.count) definition levels for \(n) entries")
                }
                c.definitionLevels = [Int16](repeating: Int16(want.maxDefinitionLevel), count: n)
            }
            let md = Int16(want.maxDefinitionLevel)
            var present = 0
            var outOfRange: UInt16 = 0
            c.definitionLevels.withUnsafeBufferPointer { d in
                // branch-free (vectorises): a negative level is a large UInt16
                let mdu = UInt16(md)
                for k in 0..<n {
                    let x = d[k]
                    present &+= x == md ? 1 : 0
                    outOfRange |= UInt16(bitPattern: x) > mdu ? 1 : 0
                }
            }
            if outOfRange != 0 { throw ParquetError.invalidArgument("column \(path): definition level out of range 0…\(md)") }
            guard present <= c.values.count else {
                throw ParquetError.invalidArgument("column \(path): levels say \(present) values, batch holds \(c.values.count)")
            }
        } else if c.values.count < n {
            throw ParquetError.invalidArgument("column \(path): \(n) entries but only \(c.values.count) values")
        }
        if want.maxRepetitionLevel > 0 {
            guard c.repetitionLevels.count >= n else {
                throw ParquetError.invalidArgument("column \(path): \(c.repetitionLevels.count) repetition levels for \(n) entries")
            }
            if n > 0 && c.repetitionLevels[0] != 0 {
                throw ParquetError.invalidArgument("column \(path): batch does not start at a row (repetition level \(c.repetitionLevels[0]))")
            }
            let mr = UInt16(want.maxRepetitionLevel)
            var outOfRange: UInt16 = 0
            c.repetitionLevels.withUnsafeBufferPointer { r in
                for k in 0..<n { outOfRange |= UInt16(bitPattern: r[k]) > mr ? 1 : 0 }
            }
            if outOfRange != 0 {
                throw ParquetError.invalidArgument("column \(path): repetition level out of range 0…\(mr)")
            }
        }
        c.descriptor = want
        return Self.rowCount(c)
    }

    /// Writes a batch of whole rows given as leaf columns in schema order (dense values + levels, as the reader
    /// produces them).
    public func write(columns input: [ColumnData]) throws {
        guard !closed else { throw ParquetError.invalidArgument("writer is closed") }
        var columns = input
        let rows = try normalize(&columns)
        if columns.isEmpty {
            totalRows += Int64(rows)
            rowGroupRows += Int64(rows)
            return
        }
        var cursors = [(level: Int, value: Int)](repeating: (0, 0), count: columns.count)
        var done = 0
        while done < rows {
            var step = min(rows - done, Self.stepRows, options.rowGroupRows - Int(rowGroupRows))
            // keep row groups near their byte target: estimate bytes per row from what is buffered (or, at the
            // start of a row group, from earlier ones; the very first step probes with a few rows)
            if rowGroupRows > 0 {
                let buffered = writers.reduce(0) { $0 + $1.bufferedBytes }
                let est = max(1, buffered / Int(rowGroupRows))
                rowBytesEstimate = est
                let budget = max(0, options.rowGroupSize - buffered)
                step = max(1, min(step, budget / est + 1))
            } else if let est = rowBytesEstimate {
                step = max(1, min(step, options.rowGroupSize / est + 1))
            } else {
                step = min(step, 128)
            }
            step = max(1, step)
            let batch = columns
            let n = step
            if threads > 1 && writers.count > 1 {
                let box = ParallelBox(writers: writers, cursors: cursors)
                defer { box.release() }
                let order = writers.indices.sorted { writers[$0].bufferedBytes > writers[$1].bufferedBytes }
                let next = AtomicCounter()
                DispatchQueue.concurrentPerform(iterations: min(threads, writers.count)) { _ in
                    while true {
                        let k = next.next()
                        if k >= order.count { break }
                        let i = order[k]
                        box.writers[i].append(batch[i], cursor: &box.cursors[i], rows: n)
                    }
                }
                for i in cursors.indices { cursors[i] = box.cursors[i] }
            } else {
                for i in writers.indices { writers[i].append(batch[i], cursor: &cursors[i], rows: n) }
            }
            for w in writers { if let f = w.failure { throw f } }
            done += step
            rowGroupRows += Int64(step)
            totalRows += Int64(step)
            let buffered = writers.reduce(0) { $0 + $1.bufferedBytes }
            rowBytesEstimate = max(1, buffered / max(1, Int(rowGroupRows)))
            if rowGroupRows >= options.rowGroupRows || buffered >= options.rowGroupSize {
                try flushRowGroup()
            }
        }
    }

    /// Writes rows of JSON-like values (`.object` per row, fields by name) through record shredding.
    public func write(rows: [ParquetValue]) throws {
        var shredder = RecordShredder(schema: schema)
        for r in rows { try shredder.append(r) }
        try write(columns: shredder.take())
    }

    /// Closes the current row group (no-op when it is empty).
    public func flushRowGroup() throws {
        guard rowGroupRows > 0 else { return }
        var chunks: [FinishedChunk] = []
        if threads > 1 && writers.count > 1 {
            let box = FinishBox(count: writers.count)
            let ws = writers
            DispatchQueue.concurrentPerform(iterations: ws.count) { i in
                do { box.set(i, try ws[i].finish()) } catch { box.fail(error) }
            }
            if let e = box.error { throw e }
            chunks = box.results.map { $0! }
        } else {
            for w in writers { chunks.append(try w.finish()) }
        }
        _ = try writeFinished(&chunks, rows: rowGroupRows, recycle: true)
        rowGroupRows = 0
    }

    /// Writes a row group of encoded column chunks (schema order) made by `ColumnChunkEncoder`s, after the row
    /// groups written so far; the encoders may run on any threads, this call is the ordered step.
    public func writeRowGroup(_ encoded: [EncodedColumnChunk], rows: Int) throws {
        guard !closed else { throw ParquetError.invalidArgument("writer is closed") }
        guard rowGroupRows == 0 else { throw ParquetError.invalidArgument("writeRowGroup with rows written by write(columns:) pending") }
        guard encoded.count == schema.columns.count else {
            throw ParquetError.invalidArgument("row group has \(encoded.count) column chunks, the schema has \(schema.columns.count) leaf columns")
        }
        var chunks = encoded.map(\.chunk)
        _ = try writeFinished(&chunks, rows: Int64(rows), recycle: false)
        totalRows += Int64(rows)
    }

    /// Like `writeRowGroup`, but only places the row group (the ordered step: file ranges, metadata, bloom
    /// filters); the column chunks' bytes are written by `PlacedRowGroup.write()`, from any thread, while later
    /// row groups are placed. Every placed row group must be written before `close()`. Into a sink other than a
    /// local file (bytes in order only) the row group is written by this call and `write()` has nothing left to do.
    public func placeRowGroup(_ encoded: [EncodedColumnChunk], rows: Int) throws -> PlacedRowGroup {
        guard !closed else { throw ParquetError.invalidArgument("writer is closed") }
        guard rowGroupRows == 0 else { throw ParquetError.invalidArgument("placeRowGroup with rows written by write(columns:) pending") }
        guard encoded.count == schema.columns.count else {
            throw ParquetError.invalidArgument("row group has \(encoded.count) column chunks, the schema has \(schema.columns.count) leaf columns")
        }
        var chunks = encoded.map(\.chunk)
        guard let file = sink as? LocalFileSink else {
            // a sink that takes bytes only in order (an object store's upload): the row group is written now
            _ = try writeFinished(&chunks, rows: Int64(rows), recycle: false)
            totalRows += Int64(rows)
            return PlacedRowGroup(fd: -1, parts: [])
        }
        let at = try writeFinished(&chunks, rows: Int64(rows), recycle: false, deferData: true, fd: file.fd)
        totalRows += Int64(rows)
        return PlacedRowGroup(fd: file.fd, parts: at)
    }

    /// Writes (or with `deferData`, only places) finished chunks as the next row group; returns, when deferred,
    /// the file offset of each chunk and its bytes (dictionary page, data pages) as they go to the file.
    private func writeFinished(_ chunks: inout [FinishedChunk], rows rowGroupRows: Int64, recycle: Bool,
                               deferData: Bool = false, fd: Int32 = -1) throws -> [(Int64, [UInt8], [UInt8])] {
        var placed: [(Int64, [UInt8], [UInt8])] = []
        if deferData { try flushStaging() }  // the file position is `offset` now
        let start = offset
        var columns: [ColumnChunk] = []
        var info: [(pages: [PageRecord], columnIndex: Bool, isByteArray: Bool)] = []
        var totalUncompressed: Int64 = 0
        for i in chunks.indices {
            let chunkStart = offset
            if let e = encryptor { try e.encryptChunk(&chunks[i], rowGroup: rowGroups.count, column: i) }
            if deferData {
                precondition(chunks[i].spilled.isEmpty, "placed chunks hold their pages in memory")
                // the bytes as they go to the file (encrypted when the file is)
                placed.append((chunkStart, chunks[i].dictionaryPage, chunks[i].data))
            }
            if !chunks[i].dictionaryPage.isEmpty {
                chunks[i].meta.dictionaryPageOffset = chunkStart
                if deferData { offset += Int64(chunks[i].dictionaryPage.count) } else { try writeBytes(chunks[i].dictionaryPage) }
            }
            chunks[i].meta.dataPageOffset = offset
            let dataStart = offset
            if deferData {
                offset += Int64(chunks[i].data.count)
            } else if !chunks[i].spilled.isEmpty, let spill = pageSpill {
                try flushStaging()
                for seg in chunks[i].spilled {
                    if let file = sink as? LocalFileSink {
                        try spill.copy(offset: seg.offset, length: seg.length, to: file.fd)
                    } else {
                        try spill.read(offset: seg.offset, length: seg.length) { try sink.write($0) }
                    }
                    offset += Int64(seg.length)
                }
            }
            if !deferData { try writeBytes(chunks[i].data) }
            if recycle { writers[i].recycle(&chunks[i].data) }  // the page buffer serves the next row group
            var ch = chunks[i]
            for k in ch.pages.indices { ch.pages[k].offset += Int(dataStart) }
            totalUncompressed += ch.meta.totalUncompressedSize
            columns.append(ColumnChunk(fileOffset: chunkStart, metaData: ch.meta))
            info.append((ch.pages, ch.columnIndexAllowed, schema.columns[i].physicalType == .byteArray))
        }
        let compressed = offset - start
        if deferData {
            do {
                _ = try FileDescriptor(rawValue: fd).seek(offset: offset, from: .start)
            } catch {
                throw ParquetError.io("seek failed: \(error)")
            }
        }
        // Bloom filters follow the row group's chunks.
        for (i, ch) in chunks.enumerated() {
            if let f = ch.bloomFilter {
                let plain = f.serialized()
                let bytes = try encryptor?.sealBloomFilter(plain, rowGroup: rowGroups.count, column: i) ?? plain
                columns[i].metaData?.bloomFilterOffset = offset
                columns[i].metaData?.bloomFilterLength = Int32(bytes.count)
                try writeBytes(bytes)
            }
        }
        if let e = encryptor {
            for i in columns.indices { try e.finishChunk(&columns[i], rowGroup: rowGroups.count, column: i) }
        }
        rowGroups.append(RowGroup(columns: columns, totalByteSize: totalUncompressed, numRows: rowGroupRows,
                                  sortingColumns: options.sortingColumns, fileOffset: start,
                                  totalCompressedSize: compressed, ordinal: Int16(truncatingIfNeeded: rowGroups.count)))
        pageIndexInfo.append(info)
        chunks = []
        // (encoders on other threads keep their own memory; trimming the heap under them only costs time)
        if recycle { releaseFreedMemory() }
        pageSpill?.reset()
        if !deferData {
            // the sink may push the finished row group on now (to the disk, to the network); a placed row group
            // is pushed on by `PlacedRowGroup.write()`
            try flushStaging()
            sink.rowGroupWritten()
        }
        return placed
    }

    /// Writes the last row group, the page index and the footer, then renames the file into place.
    public func close() throws {
        guard !closed else { throw ParquetError.invalidArgument("writer is already closed") }
        do {
            if rowGroupRows > 0 || (rowGroups.isEmpty && totalRows > 0) { try flushRowGroup() }
            if options.pageIndex { try writePageIndex() }
            let orders = [ColumnOrder](repeating: .typeDefinedOrder, count: schema.columns.count)
            let meta = FileMetaData(version: 2, schema: elements, numRows: totalRows, rowGroups: rowGroups,
                                    keyValueMetadata: keyValueMetadata.isEmpty ? nil : keyValueMetadata,
                                    createdBy: options.createdBy, columnOrders: orders.isEmpty ? nil : orders)
            var footer: [UInt8]
            if let e = encryptor {
                footer = try e.footerBytes(meta)
            } else {
                footer = meta.serialize()
                let len = UInt32(footer.count)
                for k in 0..<4 { footer.append(UInt8(truncatingIfNeeded: len >> UInt32(8 * k))) }
                footer.append(contentsOf: Array("PAR1".utf8))
            }
            try writeBytes(footer)
            try flushStaging()
            try sink.close()
            closed = true
            pageSpill?.closeFile()
        } catch {
            abort()
            throw error
        }
    }


    /// Bytes written so far (the file offset).
    public var bytesWritten: Int64 { offset }
    /// Rows accepted so far (flushed or not).
    public var rowsWritten: Int64 { totalRows }

    // MARK: - page index

    private func writePageIndex() throws {
        // all column indexes first, then all offset indexes (as arrow and parquet-mr do)
        for (g, rg) in pageIndexInfo.enumerated() {
            for (c, info) in rg.enumerated() where info.columnIndex && !info.pages.isEmpty {
                let ci = makeColumnIndex(info.pages, column: c)
                let bytes = try encryptor?.sealAuxiliary(ci.serialize(), .columnIndex, rowGroup: g, column: c) ?? ci.serialize()
                rowGroups[g].columns[c].columnIndexOffset = offset
                rowGroups[g].columns[c].columnIndexLength = Int32(bytes.count)
                try writeBytes(bytes)
            }
        }
        for (g, rg) in pageIndexInfo.enumerated() {
            for (c, info) in rg.enumerated() where !info.pages.isEmpty {
                let oi = OffsetIndex(
                    pageLocations: info.pages.map {
                        PageLocation(offset: Int64($0.offset), compressedPageSize: Int32($0.size), firstRowIndex: $0.firstRow)
                    },
                    unencodedByteArrayDataBytes: info.isByteArray ? info.pages.map(\.unencodedBytes) : nil)
                let bytes = try encryptor?.sealAuxiliary(oi.serialize(), .offsetIndex, rowGroup: g, column: c) ?? oi.serialize()
                rowGroups[g].columns[c].offsetIndexOffset = offset
                rowGroups[g].columns[c].offsetIndexLength = Int32(bytes.count)
                try writeBytes(bytes)
            }
        }
        pageIndexInfo = []
    }

    private func makeColumnIndex(_ pages: [PageRecord], column: Int) -> ColumnIndex {
        let d = schema.columns[column]
        let order = StatisticsOrder(d)
        var asc = true, desc = true
        var prev: PageRecord?
        for p in pages where !p.nullPage {
            if let q = prev {
                let cmin = compareBound(q.min, p.min, order), cmax = compareBound(q.max, p.max, order)
                if cmin > 0 || cmax > 0 { asc = false }
                if cmin < 0 || cmax < 0 { desc = false }
            }
            prev = p
        }
        let boundary: BoundaryOrder = asc ? .ascending : (desc ? .descending : .unordered)
        return ColumnIndex(
            nullPages: pages.map(\.nullPage), minValues: pages.map(\.min), maxValues: pages.map(\.max),
            boundaryOrder: boundary, nullCounts: pages.map(\.nullCount),
            repetitionLevelHistograms: d.maxRepetitionLevel > 0 ? pages.flatMap(\.repHist) : nil,
            definitionLevelHistograms: d.maxDefinitionLevel > 0 ? pages.flatMap(\.defHist) : nil)
    }
}

/// Compares two PLAIN-encoded statistics bounds in a column's order.
func compareBound(_ a: [UInt8], _ b: [UInt8], _ order: StatisticsOrder) -> Int {
    func load<T: FixedWidthInteger>(_ x: [UInt8], _: T.Type) -> T {
        var v: T = 0
        for (i, byte) in x.prefix(MemoryLayout<T>.size).enumerated() { v |= T(truncatingIfNeeded: byte) << (8 * i) }
        return v
    }
    func cmp<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x > y ? 1 : 0) }
    switch order {
    case .none: return 0
    case .boolean: return cmp(a.first ?? 0, b.first ?? 0)
    case .int32: return cmp(load(a, Int32.self), load(b, Int32.self))
    case .uint32: return cmp(load(a, UInt32.self), load(b, UInt32.self))
    case .int64: return cmp(load(a, Int64.self), load(b, Int64.self))
    case .uint64: return cmp(load(a, UInt64.self), load(b, UInt64.self))
    case .float: return cmp(Float(bitPattern: load(a, UInt32.self)), Float(bitPattern: load(b, UInt32.self)))
    case .double: return cmp(Double(bitPattern: load(a, UInt64.self)), Double(bitPattern: load(b, UInt64.self)))
    case .float16: return cmp(halfToFloat(load(a, UInt16.self)), halfToFloat(load(b, UInt16.self)))
    case .bytes: return a.withUnsafeBytes { x in b.withUnsafeBytes { y in compareBytes(x.baseAddress, x.count, y.baseAddress, y.count) } }
    case .decimalBytes: return a.withUnsafeBytes { x in b.withUnsafeBytes { y in compareSignedBigEndian(x, y) } }
    }
}

/// Returns freed heap memory to the system (glibc keeps freed large blocks once its mmap threshold has grown,
/// which would make the resident set creep with every row group).
func releaseFreedMemory() {
    #if canImport(Glibc)
    _ = glibcMallocTrim(0)
    #endif
}


#if canImport(Glibc)
@_silgen_name("malloc_trim")
private func glibcMallocTrim(_ pad: Int) -> Int32
#endif

// MARK: - parallel helpers

private final class ParallelBox: @unchecked Sendable {
    let writers: [ColumnChunkWriter]
    let cursors: UnsafeMutablePointer<(level: Int, value: Int)>
    init(writers: [ColumnChunkWriter], cursors: [(level: Int, value: Int)]) {
        self.writers = writers
        self.cursors = .allocate(capacity: max(1, cursors.count))
        self.cursors.initialize(from: cursors, count: cursors.count)
    }
    func release() { cursors.deallocate() }
}

private final class AtomicCounter: Sendable {
    private let value = Atomic<Int>(0)
    func next() -> Int {
        value.wrappingAdd(1, ordering: .relaxed).oldValue
    }
}

private final class FinishBox: @unchecked Sendable {
    var results: [FinishedChunk?]
    var error: Error?
    private let lock = Mutex(())
    init(count: Int) {
        results = [FinishedChunk?](repeating: nil, count: count)
    }
    func set(_ i: Int, _ r: FinishedChunk) {
        lock.withLock { _ in results[i] = r }
    }
    func fail(_ e: Error) {
        lock.withLock { _ in error = e }
    }
}

/// A row group placed by `ParquetWriter.placeRowGroup`: its column chunks and where they go in the file.
public struct PlacedRowGroup: @unchecked Sendable {
    let fd: Int32
    let parts: [(Int64, [UInt8], [UInt8])]

    /// Bytes to write.
    public var byteCount: Int { parts.reduce(0) { $0 + $1.1.count + $1.2.count } }

    /// Writes the chunks at their offsets (pwrite; safe alongside other placed row groups of the same file).
    public func write() throws {
        for (at, dict, data) in parts {
            try Self.pwriteAll(fd, dict, at)
            try Self.pwriteAll(fd, data, at + Int64(dict.count))
        }
        #if os(Linux)
        // start writing back now, so the fsync at close waits for little more than the last row group
        if let first = parts.first, let last = parts.last {
            let end = last.0 + Int64(last.1.count + last.2.count)
            // raw syscall: sync_file_range starts the write-back early (swift-system 1.8 does not offer it).
            _ = linuxSyncFileRange(fd, first.0, end - first.0, 2 /* SYNC_FILE_RANGE_WRITE */)
        }
        #endif
    }

    private static func pwriteAll(_ fd: Int32, _ bytes: [UInt8], _ at: Int64) throws {
        do {
            _ = try FileDescriptor(rawValue: fd).writeAll(toAbsoluteOffset: at, bytes)  // pwrite(2), retries EINTR
        } catch {
            throw ParquetError.io("write failed: \(error)")
        }
    }
}
