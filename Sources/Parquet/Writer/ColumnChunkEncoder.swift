// One column chunk (one column of one row group) encoded on its own: pages, dictionary, compression,
// statistics, page-index records and bloom filter. A file's row groups and columns are independent units of
// work, so a pipeline can encode them on any number of threads and hand the results, in order, to
// `ParquetWriter.writeRowGroup` (the only ordered step: appending bytes to the file).

/// Encodes the column chunk of `column` from whole-row slices of batches, in the order appended.
public final class ColumnChunkEncoder: @unchecked Sendable {
    /// The column encoded.
    public let column: ColumnDescriptor
    private let writer: ColumnChunkWriter
    /// Rows appended since the last `finish()`.
    public private(set) var rows = 0

    /// An encoder of `column` with the writer settings `options`.
    public init(column: ColumnDescriptor, options: WriterOptions) throws {
        self.column = column
        writer = try ColumnChunkWriter(descriptor: column, options: options)
    }

    /// Appends rows `fromRow ..< fromRow + rows` (all remaining rows when nil) of `data`, a batch column in the
    /// reader's layout (dense values plus levels).
    public func append(_ data: ColumnData, fromRow: Int = 0, rows: Int? = nil) throws {
        var d = data
        let total = try ParquetWriter.normalizeColumn(&d, as: column)
        let n = rows ?? (total - fromRow)
        guard fromRow >= 0, n >= 0, fromRow + n <= total else {
            throw ParquetError.invalidArgument("column \(column.dottedPath): rows \(fromRow)..<\(fromRow + n) of a batch of \(total)")
        }
        guard n > 0 else { return }
        var cursor = Self.cursor(d, row: fromRow)
        writer.append(d, cursor: &cursor, rows: n)
        if let f = writer.failure { throw f }
        self.rows += n
    }

    /// (level index, value index) where row `row` of `d` starts.
    static func cursor(_ d: ColumnData, row: Int) -> (level: Int, value: Int) {
        guard row > 0 else { return (0, 0) }
        var level = row
        if d.descriptor.maxRepetitionLevel > 0 {
            level = d.levelCount
            var seen = 0
            d.repetitionLevels.withUnsafeBufferPointer { r in
                for k in 0..<d.levelCount where r[k] == 0 {
                    if seen == row {
                        level = k
                        return
                    }
                    seen += 1
                }
            }
        }
        var value = level
        if d.descriptor.maxDefinitionLevel > 0 {
            let md = Int16(d.descriptor.maxDefinitionLevel)
            value = d.definitionLevels.withUnsafeBufferPointer { def in
                var c = 0
                for k in 0..<level { c &+= def[k] == md ? 1 : 0 }
                return c
            }
        }
        return (level, value)
    }

    /// Bytes the chunk holds so far (an estimate of its encoded size).
    public var bufferedBytes: Int { writer.bufferedBytes }

    /// Finishes the chunk; the encoder is ready for the next one.
    public func finish() throws -> EncodedColumnChunk {
        let c = try writer.finish()
        rows = 0
        return EncodedColumnChunk(chunk: c)
    }
}

/// An encoded column chunk, ready for `ParquetWriter.writeRowGroup`.
public struct EncodedColumnChunk: @unchecked Sendable {
    let chunk: FinishedChunk
    /// Bytes it will take in the file (dictionary page and data pages).
    public var byteCount: Int { chunk.totalSize }
}
