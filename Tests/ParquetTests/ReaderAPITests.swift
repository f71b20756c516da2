import Foundation
import Testing
@testable import Parquet

@Suite struct ReaderAPITests {
    /// Projection reads only the projected chunks: overwriting every other chunk with garbage changes nothing.
    @Test func projectionNeverTouchesOtherColumns() throws {
        let rel = "data/alltypes_plain.snappy.parquet"
        var bytes = TestVectors.bytes(rel)
        let original = try ParquetFile(bytes: bytes)
        let keep = try original.schema.leafIndices(forPaths: ["id", "string_col"])
        for rg in original.metadata.rowGroups {
            for (c, chunk) in rg.columns.enumerated() where !keep.contains(c) {
                let md = try #require(chunk.metaData)
                let start = Int(md.firstPageOffset)
                for i in start..<(start + Int(md.totalCompressedSize)) { bytes[i] = 0xA5 }
            }
        }
        let damaged = try ParquetFile(bytes: bytes)
        let projected = try readAllJSONL(damaged, columns: ["id", "string_col"])
        let reference = try readAllJSONL(original, columns: ["id", "string_col"])
        #expect(projected == reference)
        #expect(String(decoding: projected, as: UTF8.self).hasPrefix(#"{"id":6,"string_col":"MA=="}"#))
        // The other columns really are damaged.
        #expect(throws: ParquetError.self) { _ = try readAllJSONL(damaged) }
    }

    @Test func nestedProjectionKeepsStructShape() throws {
        let f = try ParquetFile(path: TestVectors.path("data/nonnullable.impala.parquet"))
        let rows = try readAllJSONL(f, columns: ["nested_Struct.c", "ID"])
        #expect(String(decoding: rows, as: UTF8.self) == #"{"ID":8,"nested_Struct":{"c":{"D":[[{"e":-1,"f":"nonnullable"}]]}}}"# + "\n")
        #expect(throws: ParquetError.self) { _ = try readAllJSONL(f, columns: ["nested_Struct.zz"]) }
    }

    @Test func rowGroupSelection() throws {
        let rel = "data/alltypes_tiny_pages_plain.parquet"
        let f = try ParquetFile(path: TestVectors.path(rel))
        let expected = try #require(TestVectors.expectedRows(rel))
        let all = try readAllJSONL(f)
        #expect(all == expected)
        var joined: [UInt8] = []
        for g in 0..<f.rowGroupCount {
            try RowExporter(file: f, rowGroups: [g]).export(format: .jsonl, limit: nil) { joined.append(contentsOf: $0) }
        }
        #expect(joined == expected)
        #expect(throws: ParquetError.self) { _ = try RowExporter(file: f, rowGroups: [f.rowGroupCount]) }
    }

    /// The columnar batch API: dense typed values, levels and validity.
    @Test func columnarBatch() throws {
        let f = try ParquetFile(path: TestVectors.path("data/list_columns.parquet"))
        let leaf = try #require(f.schema.columns.firstIndex { $0.dottedPath == "int64_list.list.item" })
        let data = try f.readColumn(rowGroup: 0, column: leaf)
        // [1,2,3], [null,1], [4]
        #expect(data.values.int64s == [1, 2, 3, 1, 4])
        #expect(data.levelCount == 6)
        #expect(data.repetitionLevels == [0, 1, 1, 0, 1, 0])
        #expect(data.definitionLevels.count == 6)
        #expect(data.validity == [true, true, true, false, true, true])
        #expect(data.descriptor.maxRepetitionLevel == 1)
    }

    @Test func limitStopsEarly() throws {
        let f = try ParquetFile(path: TestVectors.path("data/alltypes_plain.parquet"))
        var out: [UInt8] = []
        try RowExporter(file: f).export(format: .jsonl, limit: 3) { out.append(contentsOf: $0) }
        #expect(out.split(separator: 0x0A).count == 3)
    }
}
