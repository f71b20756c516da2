#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// Reads one column chunk: walks its pages, verifies CRCs, decompresses, decodes levels and values.

/// Options for reading pages.
public struct ReadOptions: Sendable {
    /// Verify page CRCs when a page carries one (default on; `--no-verify-checksums` turns it off).
    public var verifyChecksums: Bool = true
    /// Options; checksums are verified unless `verifyChecksums` is `false`.
    public init(verifyChecksums: Bool = true) { self.verifyChecksums = verifyChecksums }
}

/// Decodes every page of one column chunk into a `ColumnData`.
public struct ColumnChunkReader {
    /// The column being read.
    public let descriptor: ColumnDescriptor
    /// The chunk's metadata (offsets, codec, sizes).
    public let metadata: ColumnMetaData
    /// The read options.
    public let options: ReadOptions
    /// Rows of the row group (bounds the values a flat column may hold).
    public let rowGroupRows: Int64

    /// Set for an encrypted column chunk: page headers and pages are decrypted modules (Encryption.md §5.1).
    var cipher: ChunkCipher?

    private var dictionary: ColumnValues?
    private var pageBuffer: [UInt8] = []
    private var indexScratch: [Int32] = []

    /// A reader of the chunk described by `metadata`; pages are read by the methods that take the chunk's bytes.
    public init(descriptor: ColumnDescriptor, metadata: ColumnMetaData, rowGroupRows: Int64, options: ReadOptions) {
        self.descriptor = descriptor
        self.metadata = metadata
        self.rowGroupRows = rowGroupRows
        self.options = options
    }

    private var columnName: String { descriptor.dottedPath }

    /// Reads all pages from `bytes`, which starts at the chunk's first page and may extend past the chunk's
    /// declared size (writers that got `total_compressed_size` wrong are read like other readers read them).
    public mutating func read(_ bytes: UnsafeRawBufferPointer) throws -> ColumnData {
        var out = ColumnData(descriptor: descriptor)
        let total = metadata.numValues
        guard total >= 0 else { throw ParquetError.corrupt("column \(columnName): negative num_values \(total)") }
        // A chunk's num_values that disagrees with its row group's rows is not an error here: the pages decide
        // (TestVectors/DECISIONS.md, "value counts"); the row assembly checks rows against num_rows.
        var pos = 0
        var pageIndex = 0
        var dataPageOrdinal = 0
        let declaredEnd = Int(clamping: metadata.totalCompressedSize)
        while out.levelCount < total {
            // A flat chunk whose pages already hold every row of the row group ends at its declared size even
            // if num_values says more (TestVectors/DECISIONS.md, "value counts").
            if pos >= declaredEnd, descriptor.maxRepetitionLevel == 0, rowGroupRows >= 0,
               out.levelCount >= rowGroupRows { break }
            guard pos < bytes.count else {
                throw ParquetError.corrupt(
                    "column \(columnName): chunk ends after \(out.levelCount) of \(total) values (page \(pageIndex))")
            }
            let rest = UnsafeRawBufferPointer(rebasing: bytes[pos...])
            let header: PageHeader, headerLength: Int
            if let cipher {
                (header, headerLength) = try Self.decryptHeader(rest, cipher: cipher, first: pageIndex == 0,
                                                                dictionaryFirst: metadata.dictionaryPageOffset != nil,
                                                                dataPageOrdinal: dataPageOrdinal,
                                                                column: columnName, page: pageIndex)
            } else {
                (header, headerLength) = try PageHeader.decode(rest)
            }
            let size = Int(header.compressedPageSize)
            guard size >= 0, size <= bytes.count - pos - headerLength else {
                throw ParquetError.corrupt(
                    "column \(columnName) page \(pageIndex): compressed size \(header.compressedPageSize) exceeds the \(bytes.count - pos - headerLength) bytes left")
            }
            guard header.uncompressedPageSize >= 0 else {
                throw ParquetError.corrupt("column \(columnName) page \(pageIndex): negative uncompressed size")
            }
            let stored = UnsafeRawBufferPointer(rebasing: bytes[(pos + headerLength)..<(pos + headerLength + size)])
            var plain: Data?
            if let cipher, header.type == .dataPage || header.type == .dataPageV2 || header.type == .dictionaryPage {
                plain = try Self.decryptPage(stored, cipher: cipher, type: header.type, dataPageOrdinal: dataPageOrdinal,
                                             column: columnName, page: pageIndex)
            }
            if options.verifyChecksums, let crc = header.crc {
                // The CRC covers the page as written (after compression and encryption, parquet.thrift
                // PageHeader.crc); writers that checksummed the plaintext are accepted too.
                let actual = crc32(stored)
                if actual != UInt32(bitPattern: crc) && plain.map({ p in p.withUnsafeBytes { crc32($0) } != UInt32(bitPattern: crc) }) ?? true {
                    throw ParquetError.checksumMismatch(
                        "column \(columnName) page \(pageIndex): CRC mismatch (stored \(String(UInt32(bitPattern: crc), radix: 16)), computed \(String(actual, radix: 16)))")
                }
            }
            try Self.withBody(stored, plain) { body in
                switch header.type {
                case .dictionaryPage:
                    try readDictionaryPage(header, body, pageIndex)
                case .dataPage:
                    try readDataPageV1(header, body, pageIndex, remaining: total - Int64(out.levelCount), into: &out)
                case .dataPageV2:
                    try readDataPageV2(header, body, pageIndex, remaining: total - Int64(out.levelCount), into: &out)
                case .indexPage, .unknown:
                    break
                }
            }
            if header.type == .dataPage || header.type == .dataPageV2 { dataPageOrdinal += 1 }
            pos += headerLength + size
            pageIndex += 1
        }
        return out
    }

    private static func withBody(_ stored: UnsafeRawBufferPointer, _ plain: Data?,
                          _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        if let plain { try plain.withUnsafeBytes(body) } else { try body(stored) }
    }

    // MARK: pages

    private mutating func decompress(_ body: UnsafeRawBufferPointer, uncompressedSize: Int, page: Int) throws {
        do {
            try Compression.decompress(metadata.codec, input: body, uncompressedSize: uncompressedSize,
                                       into: &pageBuffer)
        } catch let e as ParquetError {
            throw ParquetError.corrupt("column \(columnName) page \(page): \(e.description)")
        }
    }

    private mutating func readDictionaryPage(_ header: PageHeader, _ body: UnsafeRawBufferPointer, _ page: Int) throws {
        guard let dh = header.dictionaryPageHeader else {
            throw ParquetError.corrupt("column \(columnName) page \(page): dictionary page without its header")
        }
        let n = Int(dh.numValues)
        guard n >= 0 else { throw ParquetError.corrupt("column \(columnName): negative dictionary size") }
        try checkValueCount(n, uncompressedSize: Int(header.uncompressedPageSize), page: page)
        try decompress(body, uncompressedSize: Int(header.uncompressedPageSize), page: page)
        var dict = ColumnValues(physicalType: descriptor.physicalType, typeLength: descriptor.typeLength)
        try pageBuffer.withUnsafeBytes { data in
            _ = try ValueDecoding.decodePlain(data, count: n, into: &dict, column: columnName)
        }
        dictionary = dict
    }

    /// A page may not claim more values than its bytes could plausibly hold (RLE runs allow many values per
    /// byte, so the bound is generous) — a forged count must not cause a huge allocation.
    private func checkValueCount(_ n: Int, uncompressedSize: Int, page: Int) throws {
        let bound = uncompressedSize &* 8 &+ (1 << 22)
        if n > bound {
            throw ParquetError.corrupt(
                "column \(columnName) page \(page): \(n) values cannot fit in \(uncompressedSize) bytes")
        }
    }

    private mutating func readDataPageV1(_ header: PageHeader, _ body: UnsafeRawBufferPointer, _ page: Int,
                                         remaining: Int64, into out: inout ColumnData) throws {
        guard let dh = header.dataPageHeader else {
            throw ParquetError.corrupt("column \(columnName) page \(page): data page without its header")
        }
        let n = Int(dh.numValues)
        // A last page holding more values than the chunk's num_values says is read whole, as Arrow reads it
        // (TestVectors/DECISIONS.md, "value counts").
        guard n >= 0 else {
            throw ParquetError.corrupt("column \(columnName) page \(page): negative value count \(dh.numValues)")
        }
        try checkValueCount(n, uncompressedSize: Int(header.uncompressedPageSize), page: page)
        try decompress(body, uncompressedSize: Int(header.uncompressedPageSize), page: page)
        let buffer = pageBuffer
        try buffer.withUnsafeBytes { data in
            var offset = 0
            if descriptor.maxRepetitionLevel > 0 {
                offset += try decodeLevelsV1(encoding: dh.repetitionLevelEncoding, max: descriptor.maxRepetitionLevel,
                                             data: UnsafeRawBufferPointer(rebasing: data[offset...]), count: n,
                                             into: &out.repetitionLevels, page: page, what: "repetition")
            }
            var nonNull = n
            if descriptor.maxDefinitionLevel > 0 {
                let start = out.definitionLevels.count
                offset += try decodeLevelsV1(encoding: dh.definitionLevelEncoding, max: descriptor.maxDefinitionLevel,
                                             data: UnsafeRawBufferPointer(rebasing: data[offset...]), count: n,
                                             into: &out.definitionLevels, page: page, what: "definition")
                nonNull = countMax(out.definitionLevels, from: start)
            }
            try decodeValues(encoding: dh.encoding, data: UnsafeRawBufferPointer(rebasing: data[offset...]),
                             count: nonNull, into: &out.values, page: page)
        }
        out.levelCount += n
    }

    private mutating func readDataPageV2(_ header: PageHeader, _ body: UnsafeRawBufferPointer, _ page: Int,
                                         remaining: Int64, into out: inout ColumnData) throws {
        guard let dh = header.dataPageHeaderV2 else {
            throw ParquetError.corrupt("column \(columnName) page \(page): data page v2 without its header")
        }
        let n = Int(dh.numValues)
        // A last page holding more values than the chunk's num_values says is read whole, as Arrow reads it
        // (TestVectors/DECISIONS.md, "value counts").
        guard n >= 0 else {
            throw ParquetError.corrupt("column \(columnName) page \(page): negative value count \(dh.numValues)")
        }
        try checkValueCount(n, uncompressedSize: Int(header.uncompressedPageSize), page: page)
        let repLength = Int(dh.repetitionLevelsByteLength), defLength = Int(dh.definitionLevelsByteLength)
        guard repLength >= 0, defLength >= 0, repLength + defLength <= body.count else {
            throw ParquetError.corrupt("column \(columnName) page \(page): level lengths exceed the page")
        }
        if descriptor.maxRepetitionLevel > 0 {
            try decodeHybridLevels(UnsafeRawBufferPointer(rebasing: body[0..<repLength]),
                                   max: descriptor.maxRepetitionLevel, count: n, into: &out.repetitionLevels,
                                   page: page, what: "repetition")
        }
        var nonNull = n
        if descriptor.maxDefinitionLevel > 0 {
            let start = out.definitionLevels.count
            try decodeHybridLevels(UnsafeRawBufferPointer(rebasing: body[repLength..<(repLength + defLength)]),
                                   max: descriptor.maxDefinitionLevel, count: n, into: &out.definitionLevels,
                                   page: page, what: "definition")
            nonNull = countMax(out.definitionLevels, from: start)
        }
        let valueBytes = UnsafeRawBufferPointer(rebasing: body[(repLength + defLength)...])
        let uncompressedValues = Int(header.uncompressedPageSize) - repLength - defLength
        // An empty compressed section is zero bytes of values, whatever the codec (it is never handed to the
        // decompressor: an empty SNAPPY/ZSTD/GZIP/LZ4 stream is not valid input for it).
        if dh.isCompressed && metadata.codec != .uncompressed && !valueBytes.isEmpty {
            guard uncompressedValues >= 0 else {
                throw ParquetError.corrupt("column \(columnName) page \(page): level lengths exceed the page size")
            }
            try decompress(valueBytes, uncompressedSize: uncompressedValues, page: page)
            let buffer = pageBuffer
            try buffer.withUnsafeBytes { data in
                try decodeValues(encoding: dh.encoding, data: data, count: nonNull, into: &out.values, page: page)
            }
        } else {
            try decodeValues(encoding: dh.encoding, data: valueBytes, count: nonNull, into: &out.values, page: page)
        }
        out.levelCount += n
    }

    // MARK: levels

    private func countMax(_ levels: [Int16], from start: Int) -> Int {
        let maxDef = Int16(descriptor.maxDefinitionLevel)
        var c = 0
        levels.withUnsafeBufferPointer { p in
            for i in start..<p.count where p[i] == maxDef { c += 1 }
        }
        return c
    }

    private static func bitWidth(_ max: Int) -> Int {
        max == 0 ? 0 : (Int.bitWidth - max.leadingZeroBitCount)
    }

    /// v1 levels: RLE with a 4-byte length prefix, or legacy BIT_PACKED. Returns bytes consumed.
    private func decodeLevelsV1(encoding: Encoding, max: Int, data: UnsafeRawBufferPointer, count: Int,
                                into levels: inout [Int16], page: Int, what: String) throws -> Int {
        let start = levels.count
        let used: Int
        do {
            used = try Levels.decodeLevels(encoding: encoding, bitWidth: Self.bitWidth(max), data: data, count: count,
                                           into: &levels)
        } catch let e as ParquetError {
            throw ParquetError.corrupt("column \(columnName) page \(page): \(what) levels: \(e.description)")
        }
        try checkLevels(levels, from: start, max: max, page: page, what: what)
        return used
    }

    private func decodeHybridLevels(_ data: UnsafeRawBufferPointer, max: Int, count: Int,
                                    into levels: inout [Int16], page: Int, what: String) throws {
        let start = levels.count
        do {
            _ = try Levels.decodeLevelsV2(bitWidth: Self.bitWidth(max), data: data, count: count, into: &levels)
        } catch let e as ParquetError {
            throw ParquetError.corrupt("column \(columnName) page \(page): \(what) levels: \(e.description)")
        }
        try checkLevels(levels, from: start, max: max, page: page, what: what)
    }

    private func checkLevels(_ levels: [Int16], from start: Int, max: Int, page: Int, what: String) throws {
        let m = Int16(max)
        var bad = false
        levels.withUnsafeBufferPointer { p in
            for i in start..<p.count where p[i] > m || p[i] < 0 { bad = true }
        }
        if bad {
            throw ParquetError.corrupt("column \(columnName) page \(page): \(what) level above its maximum \(max)")
        }
    }

    // MARK: values

    private mutating func decodeValues(encoding: Encoding, data: UnsafeRawBufferPointer, count: Int,
                                       into values: inout ColumnValues, page: Int) throws {
        do {
            switch encoding {
            case .plainDictionary, .rleDictionary:
                guard let dict = dictionary else {
                    throw ParquetError.corrupt("dictionary-encoded page but the chunk has no dictionary page")
                }
                try ValueDecoding.decodeDictionary(data, count: count, dictionary: dict, into: &values,
                                                   scratch: &indexScratch)
            default:
                try ValueDecoding.decode(encoding, data, count: count, into: &values, column: columnName)
            }
        } catch let e as ParquetError {
            switch e {
            case .corrupt(let m): throw ParquetError.corrupt("column \(columnName) page \(page): \(m)")
            case .unsupported(let m): throw ParquetError.unsupported("column \(columnName) page \(page): \(m)")
            default: throw e
            }
        }
    }
}
