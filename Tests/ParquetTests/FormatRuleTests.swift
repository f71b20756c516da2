import Foundation
import Testing
@testable import Parquet

/// Format rules checked on files built byte by byte from Floe's metadata structs (one column `x`, INT32), each
/// test citing the rule's place in the Parquet format specification (apache/parquet-format: LogicalTypes.md,
/// Encodings.md, parquet.thrift).
@Suite struct FormatRuleTests {
    static func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

    /// A file with one row group of `numRows` rows and one column chunk made of `pages` (serialized headers and
    /// bodies); `offsetsZero` stores data_page_offset 0 (writers do for empty chunks).
    static func file(repetition: Repetition, codec: CompressionCodec, pages: [[UInt8]], numValues: Int64,
                     numRows: Int64, offsetsZero: Bool = false) -> [UInt8] {
        var f = Array("PAR1".utf8)
        for p in pages { f += p }
        let size = Int64(f.count - 4)
        let meta = ColumnMetaData(type: .int32, encodings: [.plain, .rle], pathInSchema: ["x"], codec: codec,
                                  numValues: numValues, totalUncompressedSize: size, totalCompressedSize: size,
                                  dataPageOffset: offsetsZero ? 0 : 4)
        let fm = FileMetaData(version: 2,
                              schema: [SchemaElement(name: "schema", numChildren: 1),
                                       SchemaElement(name: "x", type: .int32, repetitionType: repetition)],
                              numRows: numRows,
                              rowGroups: [RowGroup(columns: [ColumnChunk(fileOffset: offsetsZero ? 0 : 4, metaData: meta)],
                                                   totalByteSize: size, numRows: numRows)])
        let footer = fm.serialize()
        return f + footer + le32(footer.count) + Array("PAR1".utf8)
    }

    /// A v1 page of required PLAIN INT32 values.
    static func v1Page(_ values: [Int32]) -> [UInt8] {
        var body: [UInt8] = []
        for v in values { body += le32(Int(v)) }
        let h = PageHeader(type: .dataPage, uncompressedPageSize: Int32(body.count), compressedPageSize: Int32(body.count),
                           dataPageHeader: DataPageHeader(numValues: Int32(values.count), encoding: .plain,
                                                          definitionLevelEncoding: .rle, repetitionLevelEncoding: .rle))
        return h.serialize() + body
    }

    static func rows(_ bytes: [UInt8]) throws -> String {
        String(decoding: try readAllJSONL(try ParquetFile(bytes: bytes)), as: UTF8.self)
    }

    // MARK: Data page v2 with an empty compressed section

    /// parquet.thrift DataPageHeaderV2 / Compression.md: levels are never compressed; the values section is. An
    /// all-null page has zero value bytes, and an empty section is zero bytes of values for every codec (it is
    /// not a valid SNAPPY/ZSTD/GZIP/LZ4/BROTLI stream and must not be handed to the decompressor).
    @Test(arguments: [CompressionCodec.snappy, .zstd, .gzip, .lz4Raw, .lz4, .brotli])
    func emptyCompressedV2SectionIsNoValues(_ codec: CompressionCodec) throws {
        let n = 5
        let levels: [UInt8] = [UInt8(n << 1), 0]  // one RLE run of n zeros, bit width 1
        let h = PageHeader(type: .dataPageV2, uncompressedPageSize: 2, compressedPageSize: 2,
                           dataPageHeaderV2: DataPageHeaderV2(numValues: Int32(n), numNulls: Int32(n), numRows: Int32(n),
                                                              encoding: .plain, definitionLevelsByteLength: 2,
                                                              repetitionLevelsByteLength: 0, isCompressed: true))
        let f = Self.file(repetition: .optional, codec: codec, pages: [h.serialize() + levels], numValues: Int64(n),
                          numRows: Int64(n))
        #expect(try Self.rows(f) == String(repeating: "{\"x\":null}\n", count: n))
    }

    // MARK: Page and chunk sizes

    /// parquet.thrift PageHeader.uncompressed_page_size is an i32: pages up to 2 GiB - 1 are legal. The size
    /// limit is the format's, and a declared size is checked against what the compressed bytes present can hold.
    @Test func pageSizeLimitIsTheFormatsAndTheBytesPresent() throws {
        #expect(Compression.defaultMaxUncompressedSize == Int(Int32.max))
        var out: [UInt8] = []
        // 1.5 GiB is plausible for 64 KiB of ZSTD (a 2 GiB page of zeros compresses to less) and for 1.5 MiB of
        // GZIP (zlib's 1032:1); not for 64 KiB of SNAPPY (at most 32:1).
        #expect(Compression.maxExpansion(.zstd, compressed: 1 << 16) >= 3 << 29)
        #expect(Compression.maxExpansion(.gzip, compressed: 3 << 20) >= 3 << 29)
        #expect(Compression.maxExpansion(.snappy, compressed: 1 << 16) < 3 << 29)
        // pyarrow writes a 1.2 GiB page of zeros as 1,911 bytes of BROTLI: no ratio bound for it.
        #expect(Compression.maxExpansion(.brotli, compressed: 1911) >= 1_258_291_210)
        // Real pages at their codec's best ratio stay within the bound: 64 MiB of zeros in each codec.
        let zeros = [UInt8](repeating: 0, count: 64 << 20)
        for codec in [CompressionCodec.brotli, .zstd, .gzip, .lz4Raw, .snappy] {
            var packed: [UInt8] = [], back: [UInt8] = []
            try Compression.compress(codec, input: zeros, into: &packed)
            try Compression.decompress(codec, input: packed, uncompressedSize: zeros.count, into: &back)
            #expect(back.count == zeros.count, "\(codec)")
        }
        // The same size claimed by 10 bytes of SNAPPY is refused before allocating.
        let e2 = "\(#expect(throws: ParquetError.self) { try Compression.decompress(.snappy, input: [UInt8](repeating: 0, count: 10), uncompressedSize: 3 << 29, into: &out) }!)"
        #expect(e2.contains("can hold"), "\(e2)")
        #expect(out.capacity < 1 << 20, "no allocation for a forged size")
    }

    // MARK: Zero-value column chunks

    /// A row group with zero rows whose chunk has no pages and offsets 0 (as some writers leave them) reads,
    /// inspects and rewrites.
    @Test func zeroValueChunkReadsInspectsRewrites() throws {
        let f = Self.file(repetition: .optional, codec: .snappy, pages: [], numValues: 0, numRows: 0, offsetsZero: true)
        let pf = try ParquetFile(bytes: f)
        #expect(try Self.rows(f) == "")
        #expect(try pf.readColumn(rowGroup: 0, column: 0).levelCount == 0)
        #expect(try FileInspector.pages(pf, column: nil).isEmpty)
        #expect(FileInspector.metaText(pf).contains("values=0"))
        let dir = NSTemporaryDirectory()
        let src = dir + "zero-\(UUID().uuidString).parquet", dst = src + ".out.parquet"
        defer { try? FileManager.default.removeItem(atPath: src); try? FileManager.default.removeItem(atPath: dst) }
        try Data(f).write(to: URL(fileURLWithPath: src))
        var o = WriterOptions()
        o.fsync = false
        try ParquetRewrite.rewrite(input: src, output: dst, options: o)
        let back = try ParquetFile(path: dst)
        #expect(back.numRows == 0)
        #expect(back.schema.columns.map(\.dottedPath) == ["x"])
    }

    // MARK: Value counts (decisions in TestVectors/DECISIONS.md)

    /// num_values smaller than the page holds: the page is read whole (as Arrow does), rows = num_rows.
    @Test func chunkNumValuesBelowPageCountReadsThePage() throws {
        let f = Self.file(repetition: .required, codec: .uncompressed, pages: [Self.v1Page([1, 2, 3])], numValues: 2, numRows: 3)
        #expect(try Self.rows(f) == "{\"x\":1}\n{\"x\":2}\n{\"x\":3}\n")
    }

    /// num_values larger than the pages hold, the pages covering every row: the chunk ends at its size.
    @Test func chunkNumValuesAboveThePagesReadsThePages() throws {
        let f = Self.file(repetition: .required, codec: .uncompressed, pages: [Self.v1Page([1, 2])], numValues: 9, numRows: 2)
        #expect(try Self.rows(f) == "{\"x\":1}\n{\"x\":2}\n")
    }

    /// Pages holding more records than the row group's num_rows: an error naming the column.
    @Test func moreValuesThanRowsIsAnErrorNamingTheColumn() throws {
        let f = Self.file(repetition: .required, codec: .uncompressed, pages: [Self.v1Page([1, 2, 3])], numValues: 3, numRows: 2)
        let e = "\(#expect(throws: ParquetError.self) { _ = try Self.rows(f) }!)"
        #expect(e.contains("column x"), "\(e)")
    }

    /// Pages holding fewer records than num_rows: an error naming the column.
    @Test func fewerValuesThanRowsIsAnErrorNamingTheColumn() throws {
        let f = Self.file(repetition: .required, codec: .uncompressed, pages: [Self.v1Page([1])], numValues: 1, numRows: 3)
        let e = "\(#expect(throws: ParquetError.self) { _ = try Self.rows(f) }!)"
        #expect(e.contains("column x"), "\(e)")
    }

    // MARK: INT96

    /// LogicalTypes.md "INT96" (deprecated timestamps: nanoseconds of the day, then the Julian day) and
    /// canonical-jsonl.md: exact for any value, years beyond 9999 and before 0 with a sign.
    @Test func int96IsExactForFarYears() throws {
        func text(year: Int64, nanos: UInt64 = 0) -> String {
            let days = CanonicalFormat.daysFromCivil(year: year, month: 1, day: 1)
            let jd = UInt32(days + CanonicalFormat.julianDayOfUnixEpoch)
            var out: [UInt8] = []
            CanonicalFormat.appendInt96Timestamp(Int96(nanosOfDay: nanos, julianDay: jd), to: &out)
            return String(decoding: out, as: UTF8.self)
        }
        #expect(text(year: 290000) == "\"+290000-01-01T00:00:00.000000000\"")
        #expect(text(year: -4000, nanos: 3_723_000_000_123) == "\"-4000-01-01T01:02:03.000000123\"")
        #expect(text(year: 1970) == "\"1970-01-01T00:00:00.000000000\"")
        // The largest Julian day and nanos 96 bits hold print without wrapping (nanos past a day carry).
        var out: [UInt8] = []
        CanonicalFormat.appendInt96Timestamp(Int96(nanosOfDay: .max, julianDay: .max), to: &out)
        let s = String(decoding: out, as: UTF8.self)
        #expect(s.hasPrefix("\"+11") && s.hasSuffix(".709551615\""), "\(s)")
    }

    // MARK: ENUM, JSON, BSON

    /// LogicalTypes.md ENUM / JSON (UTF-8 strings) and BSON (binary), as logical and as converted types; printed
    /// as canonical-jsonl.md says: strings (JSON not parsed), strings, base64.
    @Test func enumJsonBsonPrintAsCanonicalJsonlSays() throws {
        let names = ["e", "j", "b", "ce", "cj", "cb"]
        let elements: [SchemaElement] = [SchemaElement(name: "schema", numChildren: 6),
            SchemaElement(name: "e", type: .byteArray, repetitionType: .required, logicalType: .enum),
            SchemaElement(name: "j", type: .byteArray, repetitionType: .required, logicalType: .json),
            SchemaElement(name: "b", type: .byteArray, repetitionType: .required, logicalType: .bson),
            SchemaElement(name: "ce", type: .byteArray, repetitionType: .required, convertedType: .enumType),
            SchemaElement(name: "cj", type: .byteArray, repetitionType: .required, convertedType: .json),
            SchemaElement(name: "cb", type: .byteArray, repetitionType: .required, convertedType: .bson)]
        let schema = try Schema(elements: elements)
        let values: [[UInt8]] = [Array("RED".utf8), Array("{\"a\": [1, 2]}".utf8), [0x05, 0, 0, 0, 0xff],
                                 Array("GREEN".utf8), Array("[true]".utf8), [0x00]]
        var cols: [ColumnData] = []
        for (i, v) in values.enumerated() {
            var c = ColumnData(descriptor: schema.columns[i])
            c.values.byteArrays.append(contentsOf: v)
            c.levelCount = 1
            cols.append(c)
        }
        let path = NSTemporaryDirectory() + "ejb-\(UUID().uuidString).parquet"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var o = WriterOptions()
        o.fsync = false
        let w = try ParquetWriter(path: path, schema: schema, options: o, elements: elements)
        try w.write(columns: cols)
        try w.close()
        let r = String(decoding: try readAllJSONL(try ParquetFile(path: path)), as: UTF8.self)
        _ = names
        #expect(r == "{\"e\":\"RED\",\"j\":\"{\\\"a\\\": [1, 2]}\",\"b\":\"BQAAAP8=\",\"ce\":\"GREEN\",\"cj\":\"[true]\",\"cb\":\"AA==\"}\n", "\(r)")
    }
}
