import Foundation
import Testing
@testable import Parquet

/// Writes `rows` with `schema` to a temporary file and opens it.
func writeTemp(_ schema: Schema, _ rows: [ParquetValue], options: WriterOptions = WriterOptions(),
               name: String = "t") throws -> (ParquetFile, String) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("floe-writer-tests-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let path = dir.appendingPathComponent("\(name)-\(UInt32.random(in: 0...UInt32.max)).parquet").path
    let w = try ParquetWriter(path: path, schema: schema, options: options)
    try w.write(rows: rows)
    try w.close()
    return (try ParquetFile(path: path), path)
}

private func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }

private func chunkStats(_ f: ParquetFile, _ col: Int = 0, rowGroup: Int = 0) -> Statistics? {
    f.metadata.rowGroups[rowGroup].columns[col].metaData?.statistics
}

private func rows(_ name: String, _ values: [ParquetValue]) -> [ParquetValue] {
    values.map { .record([(name, $0)]) }
}

@Suite struct WriterStatisticsTests {
    @Test func signedAndUnsignedIntegers() throws {
        let vals: [ParquetValue] = [.int(-1), .int(1), .int(7)]
        let (f1, _) = try writeTemp(Schema(fields: [.int32("a")]), rows("a", vals))
        #expect(chunkStats(f1)?.minValue == le(Int32(-1)))
        #expect(chunkStats(f1)?.maxValue == le(Int32(7)))
        let u: [ParquetValue] = [.int(0xFFFF_FFFF), .int(1), .int(7)]
        let (f2, _) = try writeTemp(Schema(fields: [.leaf("a", .int32, logical: .integer(bitWidth: 32, isSigned: false))]), rows("a", u))
        #expect(chunkStats(f2)?.minValue == le(UInt32(1)))
        #expect(chunkStats(f2)?.maxValue == le(UInt32(0xFFFF_FFFF)))
        let u64: [ParquetValue] = [.uint64(UInt64.max), .uint64(3)]
        let (f3, _) = try writeTemp(Schema(fields: [.leaf("a", .int64, logical: .integer(bitWidth: 64, isSigned: false))]), rows("a", u64))
        #expect(chunkStats(f3)?.minValue == le(UInt64(3)))
        #expect(chunkStats(f3)?.maxValue == le(UInt64.max))
        #expect(f3.metadata.columnOrders == [.typeDefinedOrder])
    }

    @Test func floatsNaNAndSignedZeros() throws {
        let (f, _) = try writeTemp(Schema(fields: [.double("d")]),
                                   rows("d", [.double(.nan), .double(0.0), .double(-0.0), .null]))
        let s = try #require(chunkStats(f))
        #expect(s.minValue == le((-0.0 as Double).bitPattern))
        #expect(s.maxValue == le((0.0 as Double).bitPattern))
        #expect(s.nullCount == 1)
        #expect(s.nanCount == 1)
        let (g, _) = try writeTemp(Schema(fields: [.float("f")]), rows("f", [.float(.nan), .float(-2.5), .float(.nan), .float(3)]))
        let t = try #require(chunkStats(g))
        #expect(t.minValue == le((-2.5 as Float).bitPattern))
        #expect(t.maxValue == le((3 as Float).bitPattern))
        #expect(t.nanCount == 2)
        // all NaN: no bounds, and no column index
        let (h, _) = try writeTemp(Schema(fields: [.float("f")]), rows("f", [.float(.nan), .float(.nan)]))
        #expect(chunkStats(h)?.minValue == nil)
        #expect(chunkStats(h)?.maxValue == nil)
        #expect(h.metadata.rowGroups[0].columns[0].columnIndexOffset == nil)
        #expect(h.metadata.rowGroups[0].columns[0].offsetIndexOffset != nil)
    }

    @Test func byteOrderIsUnsigned() throws {
        let (f, _) = try writeTemp(Schema(fields: [.string("s")]), rows("s", [.string("z"), .string("é"), .string(""), .string("a")]))
        #expect(chunkStats(f)?.minValue == [])
        #expect(chunkStats(f)?.maxValue == Array("é".utf8))
        let (g, _) = try writeTemp(Schema(fields: [.binary("b")]), rows("b", [.bytes([0x7F]), .bytes([0x80]), .bytes([0x7F, 0])]))
        #expect(chunkStats(g)?.minValue == [0x7F])
        #expect(chunkStats(g)?.maxValue == [0x80])
    }

    @Test func decimalBytesAreSigned() throws {
        let schema = Schema(fields: [.leaf("d", .fixedLenByteArray, logical: .decimal(scale: 2, precision: 4), length: 2)])
        let (f, _) = try writeTemp(schema, rows("d", [.bytes([0x00, 0x05]), .bytes([0xFF, 0xFE]), .bytes([0x01, 0x00])]))
        #expect(chunkStats(f)?.minValue == [0xFF, 0xFE])
        #expect(chunkStats(f)?.maxValue == [0x01, 0x00])
    }

    @Test func booleansAndInt96() throws {
        let (f, _) = try writeTemp(Schema(fields: [.bool("b")]), rows("b", [.bool(true), .bool(true)]))
        #expect(chunkStats(f)?.minValue == [1])
        #expect(chunkStats(f)?.maxValue == [1])
        let (g, _) = try writeTemp(Schema(fields: [.timestamp("t", int96: true)]), rows("t", [.int(0), .int(1_000)]))
        #expect(chunkStats(g)?.minValue == nil)
        #expect(chunkStats(g)?.nullCount == 0)
        #expect(g.metadata.rowGroups[0].columns[0].columnIndexOffset == nil)
        #expect(try g.readValues() == rows("t", [.bytes(Int96(nanosSinceEpoch: 0).bytes), .bytes(Int96(nanosSinceEpoch: 1000).bytes)]))
    }

    @Test func truncation() {
        let long = [UInt8](repeating: 0x61, count: 100)
        let (lo, le1) = truncateMin(long, limit: 64, isString: false)
        #expect(lo == [UInt8](repeating: 0x61, count: 64) && !le1)
        let (hi, he) = truncateMax(long, limit: 64, isString: false)
        #expect(hi == [UInt8](repeating: 0x61, count: 63) + [0x62] && !he)
        // carry over 0xFF
        let carry = [UInt8](repeating: 0x10, count: 62) + [0x10, 0xFF, 0xFF, 0xFF]
        #expect(truncateMax(carry, limit: 64, isString: false).0 == [UInt8](repeating: 0x10, count: 62) + [0x11])
        // all 0xFF: no shorter bound, the value itself (exact)
        let ff = [UInt8](repeating: 0xFF, count: 70)
        #expect(truncateMax(ff, limit: 64, isString: false) == (ff, true))
        // short values untouched
        #expect(truncateMax([1, 2], limit: 64, isString: false) == ([1, 2], true))
        // strings stop at character boundaries and stay valid UTF-8
        let s = Array(String(repeating: "é", count: 40).utf8)  // 80 bytes
        let (smin, _) = truncateMin(s, limit: 64, isString: true)
        #expect(smin.count == 64 && String(validating: smin, as: UTF8.self) != nil)
        let (smax, _) = truncateMax(s, limit: 63, isString: true)
        #expect(String(validating: smax, as: UTF8.self) == String(repeating: "é", count: 30) + "ê")
        #expect(smax.lexicographicallyPrecedes(s) == false)
    }

    @Test func truncatedStatisticsInFile() throws {
        let big = String(repeating: "x", count: 200)
        let (f, _) = try writeTemp(Schema(fields: [.string("s")]), rows("s", [.string(big), .string("a")]))
        let s = try #require(chunkStats(f))
        #expect(s.minValue == Array("a".utf8) && s.isMinValueExact == true)
        #expect(s.maxValue == Array(String(repeating: "x", count: 63).utf8) + [0x79] && s.isMaxValueExact == false)
        var o = WriterOptions()
        o.statisticsTruncateLength = nil
        let (g, _) = try writeTemp(Schema(fields: [.string("s")]), rows("s", [.string(big)]), options: o)
        #expect(chunkStats(g)?.maxValue?.count == 200)
    }

    @Test func sizeStatisticsAndHistograms() throws {
        let schema = Schema(fields: [.list("l", element: .string("e"))])
        let data: [ParquetValue] = [.array([.string("ab"), .null]), .null, .array([]), .array([.string("c")])]
        let (f, _) = try writeTemp(schema, rows("l", data))
        let m = try #require(f.metadata.rowGroups[0].columns[0].metaData)
        #expect(m.sizeStatistics?.unencodedByteArrayDataBytes == 3)
        // def levels: 0 null list, 1 empty list, 2 null element, 3 value
        #expect(m.sizeStatistics?.definitionLevelHistogram == [1, 1, 1, 2])
        #expect(m.sizeStatistics?.repetitionLevelHistogram == [4, 1])
        #expect(m.statistics?.nullCount == 3)
        #expect(try f.readValues() == rows("l", data))
    }
}

@Suite struct WriterPageIndexTests {
    @Test func columnAndOffsetIndex() throws {
        var o = WriterOptions()
        o.pageRowLimit = 100
        let values: [ParquetValue] = (0..<1000).map { $0 % 250 == 0 ? .null : .int(Int64($0)) }
        let (f, path) = try writeTemp(Schema(fields: [.int64("a")]), rows("a", values), options: o)
        let cc = f.metadata.rowGroups[0].columns[0]
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let ciOff = Int(try #require(cc.columnIndexOffset)), ciLen = Int(try #require(cc.columnIndexLength))
        let ci = try ColumnIndex(serialized: Array(bytes[ciOff..<(ciOff + ciLen)]))
        #expect(ci.nullPages.count == 10)
        #expect(ci.boundaryOrder == .ascending)
        #expect(ci.minValues[0] == le(Int64(1)))
        #expect(ci.maxValues[9] == le(Int64(999)))
        #expect(ci.nullCounts == [1, 0, 1, 0, 0, 1, 0, 1, 0, 0])
        #expect(ci.definitionLevelHistograms?.count == 20)
        let oiOff = Int(try #require(cc.offsetIndexOffset)), oiLen = Int(try #require(cc.offsetIndexLength))
        let oi = try OffsetIndex(serialized: Array(bytes[oiOff..<(oiOff + oiLen)]))
        #expect(oi.pageLocations.map(\.firstRowIndex) == stride(from: 0, to: 1000, by: 100).map { Int64($0) })
        // each location points at a data page header
        for loc in oi.pageLocations {
            let (h, hl) = try bytes[Int(loc.offset)...].withUnsafeBytes { try PageHeader.decode($0) }
            #expect(h.type == .dataPage)
            #expect(hl + Int(h.compressedPageSize) == Int(loc.compressedPageSize))
        }
        // page index lies after the row groups, before the footer
        #expect(ciOff > Int(f.metadata.rowGroups[0].fileOffset ?? 0) + Int(f.metadata.rowGroups[0].totalCompressedSize ?? 0) - 1)
        #expect(oiOff > ciOff)
        #expect(try f.readValues() == rows("a", values))
    }

    @Test func nullPagesAndDescendingOrder() throws {
        var o = WriterOptions()
        o.pageRowLimit = 2
        let values: [ParquetValue] = [.string("z"), .string("y"), .null, .null, .string("b"), .string("a")]
        let (f, path) = try writeTemp(Schema(fields: [.string("s")]), rows("s", values), options: o)
        let cc = f.metadata.rowGroups[0].columns[0]
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let off = Int(cc.columnIndexOffset!), len = Int(cc.columnIndexLength!)
        let ci = try ColumnIndex(serialized: Array(bytes[off..<(off + len)]))
        #expect(ci.nullPages == [false, true, false])
        #expect(ci.minValues == [Array("y".utf8), [], Array("a".utf8)])
        #expect(ci.boundaryOrder == .descending)
    }

    @Test func noPageIndexNoStatistics() throws {
        var o = WriterOptions()
        o.pageIndex = false
        let (f, _) = try writeTemp(Schema(fields: [.int32("a")]), rows("a", [.int(1)]), options: o)
        #expect(f.metadata.rowGroups[0].columns[0].columnIndexOffset == nil)
        #expect(f.metadata.rowGroups[0].columns[0].offsetIndexOffset == nil)
        o = WriterOptions()
        o.statistics = false
        let (g, _) = try writeTemp(Schema(fields: [.int32("a")]), rows("a", [.int(1)]), options: o)
        #expect(chunkStats(g) == nil)
        #expect(g.metadata.rowGroups[0].columns[0].columnIndexOffset == nil)
        #expect(g.metadata.rowGroups[0].columns[0].offsetIndexOffset != nil)
    }
}

@Suite struct WriterBloomFilterTests {
    @Test func xxh64Vectors() {
        #expect(XXH64.hash([UInt8]()) == 0xEF46_DB37_51D8_E999)
        #expect(XXH64.hash(Array("a".utf8)) == 0xD24E_C4F1_A98C_6E5B)
        #expect(XXH64.hash(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
        // long input exercises the 32-byte stripes
        #expect(XXH64.hash(Array("Nobody inspects the spammish repetition".utf8)) == 0xFBCE_A83C_8A37_8BF1)
    }

    @Test func readsParquetTestingBloomFilter() throws {
        let bytes = TestVectors.bytes("data/bloom_filter.xxhash.bin")
        let (h, hl) = try bytes.withUnsafeBytes { try BloomFilterHeader.decode($0) }
        let f = SplitBlockBloomFilter(bitset: Array(bytes[hl..<(hl + Int(h.numBytes))]))
        for s in ["hello", "parquet", "bloom", "filter"] {
            #expect(f.check(hash: XXH64.hash(Array(s.utf8))))
        }
        var misses = 0
        for i in 0..<1000 where !f.check(hash: XXH64.hash(Array("absent-\(i)".utf8))) { misses += 1 }
        #expect(misses > 900)
    }

    @Test func sizing() {
        #expect(SplitBlockBloomFilter.optimalNumBytes(ndv: 1, fpp: 0.05) == 32)
        #expect(SplitBlockBloomFilter.optimalNumBytes(ndv: 1_000_000, fpp: 0.05) == 1 << 20)
        #expect(SplitBlockBloomFilter.optimalNumBytes(ndv: Int.max / 2, fpp: 0.0001) == 128 << 20)
        let n = SplitBlockBloomFilter.optimalNumBytes(ndv: 10_000, fpp: 0.01)
        #expect(n & (n - 1) == 0 && n * 8 >= 10_000 * 10)
    }

    @Test func writtenFilterFindsValues() throws {
        var o = WriterOptions()
        o.bloomFilters = ["s": BloomFilterOptions(), "i": BloomFilterOptions(ndv: 5000)]
        let data: [ParquetValue] = (0..<500).map { .record([("s", .string("v\($0)")), ("i", .int(Int64($0) * 3))]) }
        let (f, path) = try writeTemp(Schema(fields: [.string("s"), .int64("i")]), data, options: o)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        func filter(_ c: Int) throws -> SplitBlockBloomFilter {
            let m = try #require(f.metadata.rowGroups[0].columns[c].metaData)
            let off = Int(try #require(m.bloomFilterOffset))
            let (h, hl) = try bytes[off...].withUnsafeBytes { try BloomFilterHeader.decode($0) }
            #expect(Int(m.bloomFilterLength!) == hl + Int(h.numBytes))
            return SplitBlockBloomFilter(bitset: Array(bytes[(off + hl)..<(off + hl + Int(h.numBytes))]))
        }
        let fs = try filter(0), fi = try filter(1)
        // A declared NDV beyond the chunk's values is capped at the values (issue 11, rule 10; parquet-java sizes
        // the filter for what the chunk can hold): 500 rows need the filter of NDV 500, not 5000.
        #expect(fi.numBytes == SplitBlockBloomFilter.optimalNumBytes(ndv: 500, fpp: 0.05))
        #expect(fi.numBytes < SplitBlockBloomFilter.optimalNumBytes(ndv: 5000, fpp: 0.05))
        for k in 0..<500 {
            #expect(fs.check(hash: XXH64.hash(Array("v\(k)".utf8))))
            #expect(fi.check(hash: XXH64.hash(littleEndian: Int64(k) * 3)))
        }
        var fp = 0
        for k in 0..<2000 where fi.check(hash: XXH64.hash(littleEndian: Int64(k) * 3 + 1)) { fp += 1 }
        #expect(fp < 200)
    }
}

@Suite struct WriterFileTests {
    @Test func footerAndAtomicity() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("floe-writer-atomic-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("x.parquet").path
        var o = WriterOptions()
        o.keyValueMetadata = [KeyValue(key: "k", value: "v")]
        o.sortingColumns = [SortingColumn(columnIdx: 0, descending: false, nullsFirst: true)]
        let w = try ParquetWriter(path: path, schema: Schema(fields: [.int32("a", .required)]), options: o)
        try w.write(rows: [.record([("a", .int(1))])])
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).count == 1)
        try w.close()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["x.parquet"])
        let f = try ParquetFile(path: path)
        #expect(f.metadata.createdBy?.hasPrefix("floe version \(FloeInfo.version) (build ") == true)
        #expect(f.metadata.keyValueMetadata == [KeyValue(key: "k", value: "v")])
        #expect(f.metadata.rowGroups[0].sortingColumns == o.sortingColumns)
        // abort leaves nothing behind
        let w2 = try ParquetWriter(path: dir.appendingPathComponent("y.parquet").path, schema: Schema(fields: [.int32("a")]))
        w2.abort()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["x.parquet"])
    }

    @Test func rejectsBadInput() throws {
        let (_, path) = try writeTemp(Schema(fields: [.int32("a")]), [])
        let w = try ParquetWriter(path: path, schema: Schema(fields: [.int32("a", .required), .list("l", .required, element: .int32("e", .required))]))
        #expect(throws: ParquetError.self) { try w.write(rows: [.record([("a", .null)])]) }
        #expect(throws: ParquetError.self) { try w.write(rows: [.record([("a", .string("x"))])]) }
        #expect(throws: ParquetError.self) { try w.write(rows: [.record([("a", .int(1 << 40))])]) }
        var o = WriterOptions()
        o.columnEncodings = ["a": .deltaLengthByteArray]
        #expect(throws: ParquetError.self) { _ = try ParquetWriter(path: path + "2", schema: Schema(fields: [.int32("a")]), options: o) }
        w.abort()
    }

    @Test func dictionaryDroppedWhenTheFirstPageDoesNotPayOff() throws {
        // parquet-mr's rule: the first page's indices plus the dictionary must be smaller than the page PLAIN
        var o = WriterOptions()
        o.pageRowLimit = 100
        let data: [ParquetValue] = (0..<1000).map {
            .record([("s", .string("unique-\($0)")), ("d", .double(Double($0) * 0.37)), ("k", .int(Int64($0 % 5)))])
        }
        let (f, _) = try writeTemp(Schema(fields: [.string("s"), .double("d"), .int32("k")]), data, options: o)
        for c in 0..<2 {
            let m = f.metadata.rowGroups[0].columns[c].metaData!
            #expect(m.dictionaryPageOffset == nil, "column \(c)")
            #expect(!m.encodings.contains(.rleDictionary) && !m.encodings.contains(.plainDictionary), "column \(c)")
        }
        let k = f.metadata.rowGroups[0].columns[2].metaData!
        #expect(k.dictionaryPageOffset != nil && k.encodings.contains(.rleDictionary))
        #expect(try f.readValues() == data)
        let st = f.metadata.rowGroups[0].columns[0].metaData!.statistics
        #expect(st?.minValue == Array("unique-0".utf8) && st?.maxValue == Array("unique-999".utf8))

        // the same rule checked early, inside a large first page (after 4096 values)
        let many: [ParquetValue] = (0..<6000).map {
            .record([("s", .string("u\($0)")), ("k", .string("k\($0 % 7)"))])
        }
        let (g, _) = try writeTemp(Schema(fields: [.string("s"), .string("k")]), many, options: WriterOptions())
        #expect(g.metadata.rowGroups[0].columns[0].metaData!.dictionaryPageOffset == nil)
        #expect(g.metadata.rowGroups[0].columns[1].metaData!.dictionaryPageOffset != nil)
        #expect(try g.readValues() == many)
        let gs = g.metadata.rowGroups[0].columns[0].metaData!.statistics
        #expect(gs?.minValue == Array("u0".utf8) && gs?.maxValue == Array("u999".utf8))
    }

    @Test func dictionaryFallbackAndEncodings() throws {
        var o = WriterOptions()
        o.dictionaryPageSizeLimit = 1000
        o.pageRowLimit = 50
        // the first pages repeat a few values (the dictionary pays off), then every value is new: the dictionary
        // outgrows its limit and the chunk goes on PLAIN
        let data: [ParquetValue] = (0..<2000).map {
            .record([("s", .string($0 < 200 ? "v\($0 % 4)" : "value-\($0)")), ("k", .int(Int64($0 % 3)))])
        }
        let (f, _) = try writeTemp(Schema(fields: [.string("s"), .int32("k")]), data, options: o)
        let s = f.metadata.rowGroups[0].columns[0].metaData!
        #expect(s.encodings.contains(.rleDictionary) && s.encodings.contains(.plain))
        #expect(s.dictionaryPageOffset != nil)
        #expect(s.encodingStats?.contains { $0.pageType == .dataPage && $0.encoding == .plain } == true)
        let k = f.metadata.rowGroups[0].columns[1].metaData!
        #expect(k.encodings.contains(.rleDictionary))
        #expect(try f.readValues() == data)
        for (enc, type) in [(Encoding.deltaBinaryPacked, PhysicalType.int64), (.byteStreamSplit, .double),
                            (.deltaLengthByteArray, .byteArray), (.deltaByteArray, .byteArray), (.rle, .boolean)] {
            var o2 = WriterOptions()
            o2.columnEncodings = ["x": enc]
            let vals: [ParquetValue] = (0..<300).map { i in
                switch type {
                case .int64: return .int(Int64(i * i))
                case .double: return .double(Double(i) / 7)
                case .boolean: return .bool(i % 3 == 0)
                default: return .bytes(Array("prefix-\(i)".utf8))
                }
            }
            let (g, _) = try writeTemp(Schema(fields: [.leaf("x", type)]), rows("x", vals), options: o2)
            #expect(g.metadata.rowGroups[0].columns[0].metaData!.encodings.contains(enc))
            #expect(try g.readValues() == rows("x", vals))
        }
    }

    @Test func spilledRowGroupsReadBack() throws {
        var o = WriterOptions()
        o.spillThreshold = 1024
        o.pageRowLimit = 100
        let schema = Schema(fields: [.string("s"), .list("l", element: .int64("e"))])
        let data: [ParquetValue] = (0..<3000).map {
            .record([("s", .string("row \($0) " + String(repeating: "x", count: $0 % 50))),
                     ("l", .array((0..<($0 % 4)).map { .int(Int64($0)) }))])
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("floe-spill-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("s.parquet").path
        let w = try ParquetWriter(path: path, schema: schema, options: o)
        for k in stride(from: 0, to: 3000, by: 250) { try w.write(rows: Array(data[k..<(k + 250)])) }
        try w.close()
        let f = try ParquetFile(path: path)
        #expect(f.rowGroupCount == 1)
        #expect(try f.readValues() == data)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["s.parquet"])
    }

    @Test func rewriteEveryTestVector() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("floe-rewrite-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var configs: [WriterOptions] = []
        var a = WriterOptions(); a.pageVersion = .v2; a.compression = .zstd; configs.append(a)
        var b = WriterOptions(); b.dictionary = false; b.pageSize = 512; b.rowGroupSize = 4096; configs.append(b)
        var checked = 0
        for rel in TestVectors.parquetFiles {
            guard let expected = TestVectors.expectedRows(rel) else { continue }
            for (k, o) in configs.enumerated() {
                let out = dir.appendingPathComponent("\(k)-" + rel.replacingOccurrences(of: "/", with: "_")).path
                try ParquetRewrite.rewrite(input: TestVectors.path(rel), output: out, options: o,
                                           readOptions: ReadOptions(verifyChecksums: false))
                let got = try readAllJSONL(try ParquetFile(path: out))
                #expect(got == expected, "\(rel) config \(k)")
                checked += 1
            }
        }
        #expect(checked >= 100)
    }
}
