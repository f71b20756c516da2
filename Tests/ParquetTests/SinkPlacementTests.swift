import Foundation
import Testing
@testable import Parquet

/// A sink that takes bytes only in order (as an object store's upload does) and keeps them in memory.
private final class MemorySink: ParquetSink {
    var bytes: [UInt8] = []
    var closed = false
    var destination: String { "memory" }
    func write(_ b: UnsafeRawBufferPointer) throws { bytes.append(contentsOf: b) }
    func close() throws { closed = true }
    func abort() { bytes = [] }
}

/// Row groups encoded per column and placed (`placeRowGroup`) give the same file whether the sink is a local file
/// (chunk bytes written later at their offsets) or a sink that only appends (written at placement).
@Suite struct SinkPlacementTests {
    private func encodedRowGroups(_ schema: Schema, options: WriterOptions) throws -> [([EncodedColumnChunk], Int)] {
        var out: [([EncodedColumnChunk], Int)] = []
        for g in 0..<3 {
            let rows = 1000 + g * 7
            var a = ColumnData(descriptor: schema.columns[0])
            var s = ColumnData(descriptor: schema.columns[1])
            for r in 0..<rows {
                a.values.int64s.append(Int64(g * 100_000 + r * 3))
                s.values.byteArrays.append(contentsOf: Array("row \(r % 37) of group \(g)".utf8))
            }
            a.levelCount = rows
            s.levelCount = rows
            var chunks: [EncodedColumnChunk] = []
            for (i, c) in [a, s].enumerated() {
                let e = try ColumnChunkEncoder(column: schema.columns[i], options: options)
                try e.append(c)
                chunks.append(try e.finish())
            }
            out.append((chunks, rows))
        }
        return out
    }

    @Test func appendOnlySinkMatchesLocalFile() throws {
        let schema = Schema(fields: [.int64("a", .required), .string("s", .required)])
        var o = WriterOptions()
        o.fsync = false
        let path = NSTemporaryDirectory() + "placed-\(UUID().uuidString).parquet"
        defer { try? FileManager.default.removeItem(atPath: path) }

        let local = try ParquetWriter(path: path, schema: schema, options: o)
        var placed: [PlacedRowGroup] = []
        for (chunks, rows) in try encodedRowGroups(schema, options: o) {
            placed.append(try local.placeRowGroup(chunks, rows: rows))
        }
        // written out of order, as the workers may
        for p in placed.reversed() { try p.write() }
        try local.close()

        let sink = MemorySink()
        let remote = try ParquetWriter(sink: sink, schema: schema, options: o)
        for (chunks, rows) in try encodedRowGroups(schema, options: o) {
            let p = try remote.placeRowGroup(chunks, rows: rows)
            #expect(p.byteCount == 0, "an append-only sink gets the row group at placement")
            try p.write()
        }
        try remote.close()

        #expect(sink.closed)
        let fileBytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(sink.bytes == fileBytes)
        let f = try ParquetFile(path: path)
        #expect(f.metadata.numRows == 3 * 1000 + 7 + 14)
        #expect(f.metadata.rowGroups.count == 3)
    }
}
