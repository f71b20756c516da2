import Foundation
import Testing
@testable import Parquet

// MARK: test vector helpers

private let vectorsRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("TestVectors").appendingPathComponent("parquet-testing")

/// Every `*.parquet` (and `*.parquet.encrypted`) under `data/` or `bad_data/`, recursively, as paths relative to
/// parquet-testing.
private func vectorFiles(_ folder: String) -> [String] {
    let base = vectorsRoot.appendingPathComponent(folder)
    guard let e = FileManager.default.enumerator(atPath: base.path) else { return [] }
    var out: [String] = []
    while let p = e.nextObject() as? String {
        if p.hasSuffix(".parquet") || p.hasSuffix(".parquet.encrypted") { out.append(folder + "/" + p) }
    }
    return out.sorted()
}

private func load(_ relative: String) throws -> [UInt8] {
    let url = vectorsRoot.appendingPathComponent(relative)
    return [UInt8](try Data(contentsOf: url))
}

private enum Trailer { case plain, encryptedFooter }

/// Locates the footer: returns its byte range and the trailer magic.
private func footer(of file: [UInt8]) throws -> (Range<Int>, Trailer) {
    guard file.count >= 12 else { throw ParquetError.corrupt("file too short") }
    let magic = Array(file[(file.count - 4)...])
    let trailer: Trailer
    if magic == Array("PAR1".utf8) { trailer = .plain }
    else if magic == Array("PARE".utf8) { trailer = .encryptedFooter }
    else { throw ParquetError.corrupt("bad trailing magic") }
    let lenBytes = file[(file.count - 8)..<(file.count - 4)]
    let len = lenBytes.reversed().reduce(0) { $0 << 8 | Int($1) }
    guard len <= file.count - 12 else { throw ParquetError.corrupt("footer length \(len) too large") }
    let end = file.count - 8
    return ((end - len)..<end, trailer)
}

private func decodeFooter(_ file: [UInt8]) throws -> FileMetaData {
    let (range, trailer) = try footer(of: file)
    guard trailer == .plain else { throw ParquetError.encrypted("encrypted footer") }
    return try file.withUnsafeBytes { try FileMetaData.decode(UnsafeRawBufferPointer(rebasing: $0[range])) }
}

/// Checks the schema is a well-formed depth-first tree; returns the number of leaves.
private func walkSchema(_ schema: [SchemaElement]) -> (consumed: Int, leaves: Int)? {
    var index = 0
    var leaves = 0
    func node(_ depth: Int) -> Bool {
        guard index < schema.count, depth < 100 else { return false }
        let e = schema[index]
        index += 1
        let n = Int(e.numChildren ?? 0)
        if n == 0 && e.type != nil { leaves += 1; return true }
        guard n >= 0 else { return false }
        for _ in 0..<n where !node(depth + 1) { return false }
        return true
    }
    guard node(0) else { return nil }
    return (index, leaves)
}

/// Facts about some files, from pyarrow (`pq.ParquetFile(f).metadata`): rows, leaf columns, row groups.
private let pyarrowFacts: [String: (rows: Int64, columns: Int, rowGroups: Int)] = [
    "data/alltypes_plain.parquet": (8, 11, 1),
    "data/alltypes_dictionary.parquet": (2, 11, 1),
    "data/alltypes_tiny_pages_plain.parquet": (7300, 13, 1),
    "data/delta_binary_packed.parquet": (200, 66, 1),
    "data/datapage_v2.snappy.parquet": (5, 5, 1),
    "data/nonnullable.impala.parquet": (1, 13, 1),
    "data/sort_columns.parquet": (6, 2, 2),
    "data/geospatial/geospatial.parquet": (196, 3, 31),
    "data/geospatial/geography-points.parquet": (500, 2, 50),
    "data/hadoop_lz4_compressed_larger.parquet": (10000, 1, 1),
    "data/lz4_raw_compressed_larger.parquet": (10000, 1, 1),
    "data/byte_stream_split.zstd.parquet": (300, 2, 1),
    "bad_data/ARROW-GH-41317.parquet": (5, 105, 2),
]

private func isParquetError(_ error: any Error) -> Bool { error is ParquetError }

// MARK: tests

@Suite struct MetadataTests {
    @Test func vectorsArePresent() {
        #expect(vectorFiles("data").count >= 50)
        #expect(vectorFiles("bad_data").count >= 4)
    }

    /// (a) Every footer decodes, is internally consistent and round-trips through the writer.
    @Test(arguments: vectorFiles("data"))
    func footerDecodesAndRoundTrips(_ path: String) throws {
        let file = try load(path)
        let (range, trailer) = try footer(of: file)
        if trailer == .encryptedFooter {
            // Encrypted footer: only the plaintext FileCryptoMetaData prefix can be decoded without keys.
            #expect(path.hasSuffix(".encrypted"))
            let (crypto, length) = try file.withUnsafeBytes {
                try FileCryptoMetaData.decode(UnsafeRawBufferPointer(rebasing: $0[range]))
            }
            #expect(length > 0 && length < range.count)
            switch crypto.encryptionAlgorithm {
            case .aesGcmV1(let p): #expect(p.aadFileUnique != nil)
            case .aesGcmCtrV1(let p): #expect(p.aadFileUnique != nil)
            case .undefined: Issue.record("unknown encryption algorithm in \(path)")
            }
            #expect(try FileCryptoMetaData(serialized: crypto.serialize()) == crypto)
            #expect(crypto.serialize() == Array(file[range.lowerBound..<(range.lowerBound + length)]))
            return
        }
        let md = try decodeFooter(file)
        #expect(md.version >= 1 && md.version <= 2)
        let tree = try #require(walkSchema(md.schema), "malformed schema tree in \(path)")
        #expect(tree.consumed == md.schema.count, "schema tree of \(path) does not cover all elements")
        #expect(tree.leaves == md.leafColumnCount)
        #expect(md.rowGroups.reduce(0) { $0 + $1.numRows } == md.numRows)
        for rg in md.rowGroups {
            #expect(rg.columns.count == tree.leaves)
            for (i, c) in rg.columns.enumerated() {
                guard let cm = c.metaData else {
                    // Only columns with encrypted metadata may lack it.
                    #expect(c.encryptedColumnMetadata != nil, "column \(i) of \(path) has no metadata")
                    continue
                }
                #expect(cm.totalCompressedSize > 0 && cm.dataPageOffset >= 4)
                #expect(cm.numValues >= 0)
                #expect(!cm.pathInSchema.isEmpty)
            }
        }
        if let orders = md.columnOrders { #expect(orders.count == tree.leaves) }
        if path.hasSuffix(".encrypted") {
            #expect(md.encryptionAlgorithm != nil, "plaintext-footer encrypted file without encryption_algorithm")
        }
        if let facts = pyarrowFacts[path] {
            #expect(md.numRows == facts.rows)
            #expect(tree.leaves == facts.columns)
            #expect(md.rowGroups.count == facts.rowGroups)
        }

        // Round trip: writer output decodes to the same model, and re-encodes to the same bytes.
        let bytes = md.serialize()
        let again = try FileMetaData(serialized: bytes)
        #expect(again == md)
        #expect(again.serialize() == bytes)
    }

    @Test func footerBytesAreReproducedExactly() throws {
        // Writers emit fields in id order with short-form headers, as our writer does: for files whose footer has
        // nothing this model drops, re-serializing reproduces the footer byte for byte.
        // dict-page-offset-zero.parquet's writer (a parquet-mr fork) puts a list in ColumnMetaData field 15
        // (bloom_filter_length, an i32 in the spec): the mistyped field is skipped, so its bytes are not reproduced.
        let dropsFields: Set<String> = ["data/dict-page-offset-zero.parquet"]
        var exact = 0, total = 0
        for path in vectorFiles("data") {
            let file = try load(path)
            guard let (range, trailer) = try? footer(of: file), trailer == .plain else { continue }
            let md = try decodeFooter(file)
            let original = Array(file[range])
            let bytes = md.serialize()
            if dropsFields.contains(path) {
                #expect(!original.starts(with: bytes))
                continue
            }
            total += 1
            if original.starts(with: bytes) { exact += 1 } else { Issue.record("\(path): footer not reproduced") }
        }
        #expect(total > 40)
        #expect(exact == total, "\(exact) of \(total) footers reproduced byte-exactly")
    }

    @Test func knownFacts() throws {
        let plain = try decodeFooter(try load("data/alltypes_plain.parquet"))
        #expect(plain.schema.count == 12)
        #expect(plain.schema[0].name == "schema" && plain.schema[0].numChildren == 11)
        #expect(plain.schema.map(\.name).dropFirst().starts(with: ["id", "bool_col", "tinyint_col"]))
        #expect(plain.schema[1].type == .int32)
        #expect(plain.schema[2].type == .boolean)
        #expect(plain.schema.last?.type == .int96)
        #expect(plain.createdBy?.hasPrefix("impala version 1.3.0") == true)

        let sorted = try decodeFooter(try load("data/sort_columns.parquet"))
        #expect(sorted.rowGroups[0].sortingColumns == [
            SortingColumn(columnIdx: 0, descending: true, nullsFirst: true),
            SortingColumn(columnIdx: 1, descending: false, nullsFirst: false),
        ])

        let bloom = try decodeFooter(try load("data/data_index_bloom_encoding_stats.parquet"))
        let bcm = try #require(bloom.rowGroups[0].columns[0].metaData)
        #expect(bcm.type == .byteArray)
        #expect(bcm.codec == .gzip)
        #expect(bcm.numValues == 14)
        #expect(bcm.bloomFilterOffset == 192)
        #expect(bcm.bloomFilterLength == nil)
        #expect(bcm.totalCompressedSize == 152 && bcm.totalUncompressedSize == 163)
        #expect(bcm.statistics?.minValue == Array("Hello".utf8))
        #expect(bcm.statistics?.maxValue == Array("today".utf8))
        #expect(bcm.statistics?.nullCount == 0)
        #expect(Set(bcm.encodings) == [.bitPacked, .rle, .plain])
        #expect(bcm.encodingStats?.isEmpty == false)

        let geo = try decodeFooter(try load("data/geospatial/crs-srid.parquet"))
        #expect(geo.schema[2].logicalType == .geometry(crs: "srid:5070"))
        let gs = try #require(geo.rowGroups[0].columns[1].metaData?.geospatialStatistics)
        #expect(gs.geospatialTypes == [3])
        let box = try #require(gs.bbox)
        #expect(box.xmin == -1246468.6282243181 && box.xmax == -629201.6831309096)
        #expect(box.ymin == 2027071.9552939134 && box.ymax == 2538743.2590920925)
        #expect(box.zmin == nil && box.mmax == nil)

        let geog = try decodeFooter(try load("data/geospatial/crs-geography.parquet"))
        #expect(geog.schema.contains { if case .geography = $0.logicalType { true } else { false } })

        // A logical type from a newer spec is kept as `.undefined(fieldId:)`.
        let unknown = try decodeFooter(try load("data/unknown-logical-type.parquet"))
        #expect(unknown.schema[1].logicalType == .string)
        if case .undefined(let id) = unknown.schema[2].logicalType { #expect(id > 19) } else {
            Issue.record("expected an undefined logical type, got \(String(describing: unknown.schema[2].logicalType))")
        }

        let tiny = try decodeFooter(try load("data/alltypes_tiny_pages_plain.parquet"))
        let id = try #require(tiny.rowGroups[0].columns[0].metaData)
        #expect(id.dataPageOffset == 4 && id.totalCompressedSize == 37325 && id.numValues == 7300)
        #expect(id.statistics?.min == [0, 0, 0, 0] || id.statistics?.minValue == [0, 0, 0, 0])

        let f16 = try decodeFooter(try load("data/float16_zeros_and_nans.parquet"))
        #expect(f16.schema[1].logicalType == .float16)
        #expect(f16.schema[1].typeLength == 2)
    }

    /// (a) bad_data: decoding succeeds or throws a ParquetError; never crashes.
    @Test(arguments: vectorFiles("bad_data"))
    func badDataNeverCrashes(_ path: String) throws {
        let file = try load(path)
        do {
            let md = try decodeFooter(file)
            #expect(try FileMetaData(serialized: md.serialize()) == md)
            if path.hasSuffix("PARQUET-1481.parquet") {
                // The corrupted schema has a physical type no spec defines: kept as `.unknown`.
                #expect(md.schema.contains { if case .unknown = $0.type { true } else { false } })
            }
            if let facts = pyarrowFacts[path] {
                #expect(md.numRows == facts.rows && md.rowGroups.count == facts.rowGroups)
            }
            // Walking pages may fail but must fail with an error.
            do { _ = try walkAllPages(file, md) } catch { #expect(isParquetError(error)) }
        } catch {
            #expect(isParquetError(error), "\(path): \(error)")
        }
    }

    /// (b) Every page header of every column chunk of the unencrypted data files.
    @Test(arguments: vectorFiles("data").filter { !$0.hasSuffix(".encrypted") })
    func pageHeadersDecode(_ path: String) throws {
        let file = try load(path)
        let md = try decodeFooter(file)
        let stats = try walkAllPages(file, md)
        #expect(stats.pages >= md.rowGroups.reduce(0) { $0 + $1.columns.count })
        // Only the file made to be malformed has pages beyond its chunks' total_compressed_size.
        if path.hasSuffix("nation.dict-malformed.parquet") { #expect(stats.overruns > 0) } else { #expect(stats.overruns == 0) }
    }

    @Test func pageHeaderFacts() throws {
        // datapage_v2.snappy.parquet: parquet-mr 1.8.1 v2 pages.
        let file = try load("data/datapage_v2.snappy.parquet")
        let md = try decodeFooter(file)
        let cm = try #require(md.rowGroups[0].columns[0].metaData)
        let (h, n) = try file.withUnsafeBytes {
            try PageHeader.decode(UnsafeRawBufferPointer(rebasing: $0[Int(cm.firstPageOffset)...]))
        }
        #expect(n > 0)
        let pages = try walkAllPages(file, md)
        #expect(pages.v2 > 0)
        #expect(h.type == .dataPageV2 || h.type == .dictionaryPage)

        // dict-page-offset-zero.parquet stores dictionary_page_offset = 0.
        let z = try load("data/dict-page-offset-zero.parquet")
        let zm = try decodeFooter(z)
        let zc = try #require(zm.rowGroups[0].columns[0].metaData)
        #expect(zc.dictionaryPageOffset == 0)
        #expect(zc.firstPageOffset == zc.dataPageOffset)

        // Checksummed pages carry a crc.
        let c = try load("data/datapage_v1-snappy-compressed-checksum.parquet")
        let cs = try walkAllPages(c, try decodeFooter(c))
        #expect(cs.withCRC == cs.pages)
    }

    /// Page index structures and bloom filter headers of the files that have them.
    @Test func pageIndexAndBloomFilters() throws {
        var columnIndexes = 0, offsetIndexes = 0, blooms = 0
        for path in vectorFiles("data") where !path.hasSuffix(".encrypted") {
            let file = try load(path)
            let md = try decodeFooter(file)
            try file.withUnsafeBytes { buf in
                for rg in md.rowGroups {
                    for c in rg.columns {
                        if let off = c.columnIndexOffset, let len = c.columnIndexLength {
                            let r = Int(off)..<(Int(off) + Int(len))
                            let ci = try ColumnIndex(serialized: UnsafeRawBufferPointer(rebasing: buf[r]))
                            #expect(ci.minValues.count == ci.nullPages.count)
                            #expect(ci.maxValues.count == ci.nullPages.count)
                            if let nc = ci.nullCounts { #expect(nc.count == ci.nullPages.count) }
                            // Byte-exact, except that writers differ on the list<bool> element type (1 or 2); we write 1.
                            var original = Array(buf[r])
                            if original.count > 1, original[0] == 0x19, original[1] & 0x0F == 2 {
                                original[1] = original[1] & 0xF0 | 1
                            }
                            #expect(ci.serialize() == original)
                            #expect(try ColumnIndex(serialized: ci.serialize()) == ci)
                            columnIndexes += 1
                        }
                        if let off = c.offsetIndexOffset, let len = c.offsetIndexLength {
                            let r = Int(off)..<(Int(off) + Int(len))
                            let oi = try OffsetIndex(serialized: UnsafeRawBufferPointer(rebasing: buf[r]))
                            #expect(!oi.pageLocations.isEmpty)
                            #expect(oi.pageLocations.first?.firstRowIndex == 0)
                            let rows = oi.pageLocations.map(\.firstRowIndex)
                            #expect(rows == rows.sorted())
                            #expect(oi.serialize() == Array(buf[r]))
                            offsetIndexes += 1
                        }
                        if let off = c.metaData?.bloomFilterOffset {
                            let (h, n) = try BloomFilterHeader.decode(UnsafeRawBufferPointer(rebasing: buf[Int(off)...]))
                            #expect(h.algorithm == .block && h.hash == .xxHash && h.compression == .uncompressed)
                            #expect(h.numBytes > 0 && h.numBytes % 32 == 0)
                            #expect(Int(off) + n + Int(h.numBytes) <= file.count)
                            if let len = c.metaData?.bloomFilterLength { #expect(Int(len) == n + Int(h.numBytes)) }
                            #expect(h.serialize() == Array(buf[Int(off)..<(Int(off) + n)]))
                            blooms += 1
                        }
                    }
                }
            }
        }
        #expect(columnIndexes > 10)
        #expect(offsetIndexes > 10)
        #expect(blooms >= 2)
    }

    /// (c) Truncated footers always throw; mutated footers decode or throw, and what decodes is stable.
    @Test(arguments: ["data/alltypes_plain.parquet", "data/data_index_bloom_encoding_stats.parquet",
                      "data/geospatial/crs-geography.parquet", "data/sort_columns.parquet",
                      "data/datapage_v2.snappy.parquet", "data/unknown-logical-type.parquet",
                      "data/encrypt_columns_plaintext_footer.parquet.encrypted"])
    func fuzzFooter(_ path: String) throws {
        let file = try load(path)
        let (range, _) = try footer(of: file)
        let original = Array(file[range])
        let reference = try FileMetaData(serialized: original)
        // The serialized struct ends at its final stop byte: every strict prefix of it must throw.
        let structLength = reference.serialize().count
        for n in 0..<structLength {
            do {
                _ = try FileMetaData(serialized: Array(original[..<n]))
                Issue.record("prefix of \(n) bytes of \(path) decoded")
            } catch {
                #expect(isParquetError(error))
            }
        }
        var rng = SplitMix64(seed: 0x5EED ^ UInt64(original.count))
        var decoded = 0
        for _ in 0..<1500 {
            var mutated = original
            let flips = 1 + Int(rng.next() % 4)
            for _ in 0..<flips {
                let i = Int(rng.next() % UInt64(mutated.count))
                switch rng.next() % 3 {
                case 0: mutated[i] ^= UInt8(truncatingIfNeeded: 1 << (rng.next() % 8))
                case 1: mutated[i] = UInt8(truncatingIfNeeded: rng.next())
                default: mutated[i] = [0x00, 0x7F, 0x80, 0xFF, 0x19, 0x1C, 0xF9][Int(rng.next() % 7)]
                }
            }
            do {
                let md = try FileMetaData(serialized: mutated)
                decoded += 1
                // Whatever decodes re-encodes to something that decodes to the same model.
                #expect(try FileMetaData(serialized: md.serialize()) == md)
            } catch {
                #expect(isParquetError(error), "\(error)")
            }
        }
        #expect(decoded > 0)
    }

    @Test func fuzzPageHeaders() throws {
        let file = try load("data/datapage_v2.snappy.parquet")
        let md = try decodeFooter(file)
        var rng = SplitMix64(seed: 42)
        for c in md.rowGroups[0].columns {
            let start = Int(try #require(c.metaData).firstPageOffset)
            let (h, n) = try file.withUnsafeBytes { try PageHeader.decode(UnsafeRawBufferPointer(rebasing: $0[start...])) }
            let original = Array(file[start..<(start + n)])
            #expect(h.serialize() == original)
            for k in 0..<n {
                #expect(throws: ParquetError.self) { try PageHeader(serialized: Array(original[..<k])) }
            }
            for _ in 0..<500 {
                var m = original
                let i = Int(rng.next() % UInt64(m.count))
                m[i] = UInt8(truncatingIfNeeded: rng.next())
                do {
                    let d = try PageHeader(serialized: m)
                    #expect(try PageHeader(serialized: d.serialize()) == d)
                } catch {
                    #expect(isParquetError(error))
                }
            }
        }
    }

    /// (d) Hand-built structs round trip, including every LogicalType case.
    @Test func logicalTypesRoundTrip() throws {
        let all: [LogicalType] = [
            .string, .map, .list, .enum, .decimal(scale: 2, precision: 38), .date,
            .time(isAdjustedToUTC: true, unit: .millis), .time(isAdjustedToUTC: false, unit: .micros),
            .timestamp(isAdjustedToUTC: true, unit: .nanos), .timestamp(isAdjustedToUTC: false, unit: .undefined(9)),
            .integer(bitWidth: 8, isSigned: true), .integer(bitWidth: 64, isSigned: false), .unknown, .json, .bson,
            .uuid, .float16, .variant(specVersion: nil), .variant(specVersion: 1), .geometry(crs: nil),
            .geometry(crs: "OGC:CRS84"), .geography(crs: nil, algorithm: nil),
            .geography(crs: "srid:4326", algorithm: .karney), .geography(crs: nil, algorithm: .unknown(77)),
            .file, .undefined(fieldId: 42),
        ]
        for t in all {
            #expect(try LogicalType(serialized: t.serialize()) == t, "\(t)")
            let e = SchemaElement(name: "c", type: .int32, repetitionType: .optional, logicalType: t)
            #expect(try SchemaElement(serialized: e.serialize()) == e)
        }
        // Known wire form: DECIMAL(scale 2, precision 10) = field 5 struct { 1: i32 2, 2: i32 10 }.
        #expect(LogicalType.decimal(scale: 2, precision: 10).serialize() == [0x5C, 0x15, 0x04, 0x15, 0x14, 0x00, 0x00])
        #expect(LogicalType.string.serialize() == [0x1C, 0x00, 0x00])
        // TIMESTAMP(utc, MICROS): field 8 struct { 1: bool true, 2: struct { 2: struct {} } }
        #expect(LogicalType.timestamp(isAdjustedToUTC: true, unit: .micros).serialize()
                == [0x8C, 0x11, 0x1C, 0x2C, 0x00, 0x00, 0x00, 0x00])
        #expect(throws: ParquetError.self) { try LogicalType(serialized: [0x00]) }
    }

    @Test func handBuiltStructsRoundTrip() throws {
        let stats = Statistics(max: [9], min: [1], nullCount: 3, distinctCount: 7, maxValue: [9, 9], minValue: [],
                               isMaxValueExact: true, isMinValueExact: false, nanCount: 0)
        let geo = GeospatialStatistics(
            bbox: BoundingBox(xmin: -1, xmax: 1, ymin: .nan, ymax: 2, zmin: 0, zmax: nil, mmin: nil, mmax: 5),
            geospatialTypes: [1, 1003])
        let cm = ColumnMetaData(
            type: .fixedLenByteArray, encodings: [.plain, .rleDictionary, .unknown(99)], pathInSchema: ["a", "b"],
            codec: .zstd, numValues: 1 << 40, totalUncompressedSize: 100, totalCompressedSize: 50,
            keyValueMetadata: [KeyValue(key: "k", value: "v"), KeyValue(key: "only-key")], dataPageOffset: 1000,
            indexPageOffset: 7, dictionaryPageOffset: 4, statistics: stats,
            encodingStats: [PageEncodingStats(pageType: .dictionaryPage, encoding: .plain, count: 1),
                            PageEncodingStats(pageType: .dataPageV2, encoding: .rleDictionary, count: 20)],
            bloomFilterOffset: 5000, bloomFilterLength: 1056,
            sizeStatistics: SizeStatistics(unencodedByteArrayDataBytes: 12, repetitionLevelHistogram: [1, 2],
                                           definitionLevelHistogram: []),
            geospatialStatistics: geo)
        let columnKey = ColumnCryptoMetaData.encryptionWithColumnKey(
            EncryptionWithColumnKey(pathInSchema: ["a", "b"], keyMetadata: [1, 2, 3]))
        let chunks = [
            ColumnChunk(filePath: "other.parquet", fileOffset: 4, metaData: cm, offsetIndexOffset: 10,
                        offsetIndexLength: 20, columnIndexOffset: 30, columnIndexLength: 40,
                        cryptoMetadata: .encryptionWithFooterKey),
            ColumnChunk(fileOffset: 0, cryptoMetadata: columnKey, encryptedColumnMetadata: [0xDE, 0xAD]),
            ColumnChunk(cryptoMetadata: .undefined(fieldId: 3)),
        ]
        let rg = RowGroup(columns: chunks, totalByteSize: 123, numRows: 10,
                          sortingColumns: [SortingColumn(columnIdx: 1, descending: true, nullsFirst: false)],
                          fileOffset: 4, totalCompressedSize: 99, ordinal: -3)
        let schema = [
            SchemaElement(name: "root", numChildren: 1),
            SchemaElement(name: "a", repetitionType: .required, numChildren: 1, convertedType: .map, fieldId: 5),
            SchemaElement(name: "b", type: .fixedLenByteArray, typeLength: 16, repetitionType: .repeated,
                          convertedType: .decimal, scale: 3, precision: 20, fieldId: -1,
                          logicalType: .decimal(scale: 3, precision: 20)),
        ]
        let md = FileMetaData(
            version: 2, schema: schema, numRows: 10, rowGroups: [rg, RowGroup(columns: [], totalByteSize: 0, numRows: 0)],
            keyValueMetadata: [KeyValue(key: "ARROW:schema", value: "/////")], createdBy: "floe ✓",
            columnOrders: [.typeDefinedOrder, .ieee754TotalOrder, .int96TimestampOrder, .undefined(fieldId: 20)],
            encryptionAlgorithm: .aesGcmCtrV1(AesGcmCtrV1(aadPrefix: [1], aadFileUnique: [2, 3], supplyAadPrefix: true)),
            footerSigningKeyMetadata: [4, 5, 6])
        let bytes = md.serialize()
        #expect(try FileMetaData(serialized: bytes) == md)
        let decoded = try bytes.withUnsafeBytes { try FileMetaData.decode($0) }
        #expect(decoded == md)
        // NaN in a bounding box compares equal to itself (bit patterns).
        #expect(decoded.rowGroups[0].columns[0].metaData?.geospatialStatistics == geo)
        // Trailing bytes (e.g. a footer signature) are ignored.
        #expect(try FileMetaData(serialized: bytes + [1, 2, 3]) == md)

        let crypto = FileCryptoMetaData(encryptionAlgorithm: .aesGcmV1(AesGcmV1(aadFileUnique: [7])), keyMetadata: [8])
        #expect(try FileCryptoMetaData(serialized: crypto.serialize()) == crypto)
        let undefinedAlg = FileCryptoMetaData(encryptionAlgorithm: .undefined(fieldId: 5))
        #expect(try FileCryptoMetaData(serialized: undefinedAlg.serialize()) == undefinedAlg)

        let headers = [
            PageHeader(type: .dataPage, uncompressedPageSize: 100, compressedPageSize: 80, crc: -12345,
                       dataPageHeader: DataPageHeader(numValues: 10, encoding: .plain, definitionLevelEncoding: .rle,
                                                      repetitionLevelEncoding: .bitPacked, statistics: stats)),
            PageHeader(type: .dictionaryPage, uncompressedPageSize: 5, compressedPageSize: 5,
                       dictionaryPageHeader: DictionaryPageHeader(numValues: 1, encoding: .plainDictionary, isSorted: false)),
            PageHeader(type: .dataPageV2, uncompressedPageSize: 0, compressedPageSize: 0,
                       dataPageHeaderV2: DataPageHeaderV2(numValues: 3, numNulls: 1, numRows: 2, encoding: .deltaBinaryPacked,
                                                          definitionLevelsByteLength: 2, repetitionLevelsByteLength: 1)),
            PageHeader(type: .dataPageV2, uncompressedPageSize: 0, compressedPageSize: 0,
                       dataPageHeaderV2: DataPageHeaderV2(numValues: 3, numNulls: 1, numRows: 2, encoding: .plain,
                                                          definitionLevelsByteLength: 2, repetitionLevelsByteLength: 1,
                                                          isCompressed: false)),
            PageHeader(type: .indexPage, uncompressedPageSize: 1, compressedPageSize: 1, indexPageHeader: IndexPageHeader()),
            PageHeader(type: .unknown(17), uncompressedPageSize: 1, compressedPageSize: 1),
        ]
        for h in headers {
            let b = h.serialize()
            let (d, n) = try (b + [0xAA, 0xBB]).withUnsafeBytes { try PageHeader.decode($0) }
            #expect(d == h)
            #expect(n == b.count)
        }
        #expect(headers[2].dataPageHeaderV2?.isCompressed == true)
        #expect(headers[3].dataPageHeaderV2?.isCompressed == false)

        let ci = ColumnIndex(nullPages: [false, true, false], minValues: [[1], [], [2]], maxValues: [[5], [], [9]],
                             boundaryOrder: .ascending, nullCounts: [0, 4, 1], repetitionLevelHistograms: [1, 2, 3],
                             definitionLevelHistograms: nil, nanCounts: [0, 0, 0])
        #expect(try ColumnIndex(serialized: ci.serialize()) == ci)
        let oi = OffsetIndex(pageLocations: (0..<20).map { PageLocation(offset: 4 + Int64($0) * 100, compressedPageSize: 100,
                                                                         firstRowIndex: Int64($0) * 7) },
                             unencodedByteArrayDataBytes: [1, 2])
        #expect(try OffsetIndex(serialized: oi.serialize()) == oi)
        let bf = BloomFilterHeader(numBytes: 1024)
        #expect(bf.serialize() == [0x15, 0x80, 0x10, 0x1C, 0x1C, 0x00, 0x00, 0x1C, 0x1C, 0x00, 0x00, 0x1C, 0x1C, 0x00, 0x00, 0x00])
        #expect(try BloomFilterHeader(serialized: bf.serialize()) == bf)
        let bfu = BloomFilterHeader(numBytes: 32, algorithm: .undefined(fieldId: 2), hash: .undefined(fieldId: 3),
                                    compression: .undefined(fieldId: 4))
        #expect(try BloomFilterHeader(serialized: bfu.serialize()) == bfu)
    }

    @Test func requiredFieldsAreEnforced() throws {
        func message(_ body: () throws -> Void) -> String {
            do { try body(); return "no error" } catch { return "\(error)" }
        }
        // FileMetaData without num_rows.
        var w = ThriftCompactWriter()
        let s = w.beginStruct()
        w.writeField(1, i32: 1)
        w.writeField(2, structList: [SchemaElement(name: "root")])
        w.writeField(4, structList: [RowGroup]())
        w.endStruct(s)
        #expect(message { _ = try FileMetaData(serialized: w.bytes) }.contains("FileMetaData: required field num_rows missing"))
        #expect(message { _ = try PageHeader(serialized: [0x15, 0x00, 0x00]) }
                    .contains("PageHeader: required field uncompressed_page_size missing"))
        #expect(message { _ = try ColumnChunk(serialized: [0x00]) }.contains("ColumnChunk: required field file_offset missing"))
        // Errors deep inside a footer name the path to the bad bytes.
        let cm = ColumnMetaData(type: .int32, encodings: [.plain], pathInSchema: ["x"], codec: .snappy, numValues: 1,
                                totalUncompressedSize: 1, totalCompressedSize: 1, dataPageOffset: 4,
                                statistics: Statistics(max: [1, 2, 3, 4]))
        let md = FileMetaData(version: 1, schema: [SchemaElement(name: "root", numChildren: 1),
                                                   SchemaElement(name: "x", type: .int32, repetitionType: .required)],
                              numRows: 1, rowGroups: [RowGroup(columns: [ColumnChunk(fileOffset: 4, metaData: cm)],
                                                               totalByteSize: 1, numRows: 1)])
        var bytes = md.serialize()
        // Find Statistics.max (field 1, binary, length 4, bytes 1 2 3 4) and forge its length.
        let needle: [UInt8] = [0x18, 0x04, 1, 2, 3, 4]
        let at = try #require((0...(bytes.count - needle.count)).first { Array(bytes[$0..<($0 + needle.count)]) == needle })
        bytes[at + 1] = 0x7F
        let m = message { _ = try FileMetaData(serialized: bytes) }
        #expect(m.contains("binary of 127 bytes exceeds remaining"), "\(m)")
        #expect(m.contains("in Statistics.max, in ColumnMetaData.statistics, in ColumnChunk.meta_data, in RowGroup.columns[0], in FileMetaData.row_groups[0]"), "\(m)")

        // An unknown repetition type is corrupt; an unknown converted type is dropped.
        var e = ThriftCompactWriter()
        let t = e.beginStruct()
        e.writeField(3, i32: 9)
        e.writeField(4, string: "x")
        e.endStruct(t)
        #expect(message { _ = try SchemaElement(serialized: e.bytes) }.contains("unknown repetition_type 9"))
        var c = ThriftCompactWriter()
        let u = c.beginStruct()
        c.writeField(4, string: "x")
        c.writeField(6, i32: 99)
        c.endStruct(u)
        #expect(try SchemaElement(serialized: c.bytes) == SchemaElement(name: "x"))
    }
}

// MARK: page walking

private struct PageWalkStats {
    var pages = 0, dictionaryPages = 0, v1 = 0, v2 = 0, withCRC = 0
    /// Chunks whose pages run past `total_compressed_size` (some writers under-count it).
    var overruns = 0
}

/// Walks every page header of every column chunk: starts at the first page (dictionary if present, else data),
/// steps over `compressed_page_size` bytes of data until the chunk's `num_values` are covered. Pages are bounded by
/// the footer, not by `total_compressed_size` (which nation.dict-malformed.parquet under-states): overruns are counted.
private func walkAllPages(_ file: [UInt8], _ md: FileMetaData) throws -> PageWalkStats {
    var stats = PageWalkStats()
    let dataEnd = try footer(of: file).0.lowerBound
    try file.withUnsafeBytes { buf in
        for rg in md.rowGroups {
            for c in rg.columns {
                guard let cm = c.metaData else { continue }
                var pos = Int(cm.firstPageOffset)
                let (chunkEnd, overflow) = pos.addingReportingOverflow(Int(cm.totalCompressedSize))
                guard !overflow, pos >= 4, chunkEnd <= dataEnd else {
                    throw ParquetError.corrupt("chunk outside the file")
                }
                var values: Int64 = 0
                var first = true
                while values < cm.numValues {
                    guard pos < dataEnd else { throw ParquetError.corrupt("pages end before num_values") }
                    let (h, n) = try PageHeader.decode(UnsafeRawBufferPointer(rebasing: buf[pos..<dataEnd]))
                    guard h.compressedPageSize >= 0, h.uncompressedPageSize >= 0 else {
                        throw ParquetError.corrupt("negative page size")
                    }
                    // The page header re-encodes byte for byte.
                    guard h.serialize() == Array(buf[pos..<(pos + n)]) else {
                        throw ParquetError.corrupt("page header at \(pos) does not re-encode identically")
                    }
                    stats.pages += 1
                    if h.crc != nil { stats.withCRC += 1 }
                    switch h.type {
                    case .dictionaryPage:
                        guard first else { throw ParquetError.corrupt("dictionary page after data pages") }
                        guard let d = h.dictionaryPageHeader, d.numValues >= 0 else { throw ParquetError.corrupt("negative dictionary size") }
                        stats.dictionaryPages += 1
                    case .dataPage:
                        guard let d = h.dataPageHeader, d.numValues >= 0 else { throw ParquetError.corrupt("negative num_values") }
                        values += Int64(d.numValues)
                        stats.v1 += 1
                    case .dataPageV2:
                        guard let d = h.dataPageHeaderV2, d.numValues >= 0, d.numNulls >= 0, d.numNulls <= d.numValues,
                              d.definitionLevelsByteLength >= 0, d.repetitionLevelsByteLength >= 0,
                              Int64(d.definitionLevelsByteLength) + Int64(d.repetitionLevelsByteLength)
                                  <= Int64(h.compressedPageSize)
                        else { throw ParquetError.corrupt("inconsistent v2 page header") }
                        values += Int64(d.numValues)
                        stats.v2 += 1
                    case .indexPage:
                        break
                    case .unknown(let t):
                        throw ParquetError.corrupt("unknown page type \(t)")
                    }
                    first = false
                    pos += n + Int(h.compressedPageSize)
                    guard pos <= dataEnd else { throw ParquetError.corrupt("page runs past the data") }
                }
                if pos > chunkEnd { stats.overruns += 1 }
                guard values == cm.numValues else {
                    throw ParquetError.corrupt("pages hold \(values) values, chunk says \(cm.numValues)")
                }
            }
        }
    }
    return stats
}


