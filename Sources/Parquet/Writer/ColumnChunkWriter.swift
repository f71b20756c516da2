// Writes one column chunk: buffers one open page of levels and values, encodes and compresses each page as it
// fills (by bytes or rows), keeps the chunk's finished pages, the dictionary, statistics, level histograms, page
// index entries and Bloom filter hashes until the row group is flushed.

/// What the page index needs to know about one data page.
struct PageRecord {
    var offset: Int  // within the chunk's data-page bytes
    var size: Int  // header + body
    var firstRow: Int64
    var nullPage: Bool
    var min: [UInt8] = []
    var max: [UInt8] = []
    var nullCount: Int64
    var defHist: [Int64]
    var repHist: [Int64]
    var unencodedBytes: Int64
}

/// A finished column chunk, ready to be written at a file offset.
struct FinishedChunk {
    var dictionaryPage: [UInt8]
    /// Data pages (headers and bodies, in order): first the segments moved to the spill file, then `data`.
    var spilled: [(offset: Int64, length: Int)]
    var data: [UInt8]
    var dataBytes: Int
    var meta: ColumnMetaData
    var pages: [PageRecord]
    var columnIndexAllowed: Bool
    var bloomFilter: SplitBlockBloomFilter?
    var totalSize: Int { dictionaryPage.count + dataBytes }
}

final class ColumnChunkWriter: @unchecked Sendable {
    let descriptor: ColumnDescriptor
    let codec: CompressionCodec
    let level: Int?
    let pageVersion: DataPageVersion
    let checksums: Bool
    let statistics: Bool
    let truncateLength: Int?
    let pageSize: Int
    let pageRowLimit: Int
    let dictionaryLimit: Int
    let isString: Bool
    let maxDef: Int, maxRep: Int
    let defBW: Int, repBW: Int
    let order: StatisticsOrder
    let dictionaryAllowed: Bool
    let plainEncoding: Encoding
    let bloom: BloomFilterOptions?
    static let sliceRows = 1024

    private(set) var dictMode: Bool
    var dict32: FixedWidthDictionaryBuilder<UInt32>?
    var dict64: FixedWidthDictionaryBuilder<UInt64>?
    var dictBytes: ByteArrayDictionaryBuilder?

    // open page
    var pageDef: [Int16] = []
    var pageRep: [Int16] = []
    var pageLevels = 0
    var pageRows = 0
    var pageValueCount = 0
    var pageValues: ColumnValues
    var pageIds: [Int32] = []
    var pageUnencoded: Int64 = 0
    var pageStats: StatsAccumulator
    var pageDefHist: [Int64]
    var pageRepHist: [Int64]

    // chunk
    /// Finished data pages held in memory (headers and bodies, contiguous), after those in `spilled`.
    var data: [UInt8] = []
    var spilled: [(offset: Int64, length: Int)] = []
    /// Where pages go once the row group holds too many page bytes (set by the file writer).
    var spill: PageSpill?
    var dataBytes = 0
    /// Bytes of pages the previous chunk held in memory: the size a new chunk's page buffer starts at.
    var previousChunkBytes = 0
    var pages: [PageRecord] = []
    var chunkStats: StatsAccumulator
    var chunkRows: Int64 = 0
    var chunkLevels: Int64 = 0
    var chunkUncompressed: Int64 = 0
    var chunkDefHist: [Int64]
    var chunkRepHist: [Int64]
    var chunkUnencoded: Int64 = 0
    var encodingsUsed: [Encoding] = []
    var pageEncodingCounts: [Encoding: Int32] = [:]
    var usedDictionary = false
    var columnIndexAllowed = true
    var bloomHashes = Set<UInt64>()

    // scratch
    var scratchValues: [UInt8] = []
    var scratchBody: [UInt8] = []
    var scratchCompressed: [UInt8] = []
    var seenIds: [Bool] = []
    var distinctIds: [Int32] = []

    init(descriptor: ColumnDescriptor, options: WriterOptions) throws {
        self.descriptor = descriptor
        codec = options.compression
        level = options.compressionLevel
        pageVersion = options.pageVersion
        checksums = options.checksums
        statistics = options.statistics
        truncateLength = options.statisticsTruncateLength
        pageSize = max(1, options.pageSize)
        pageRowLimit = max(1, options.pageRowLimit)
        dictionaryLimit = options.dictionaryPageSizeLimit
        maxDef = descriptor.maxDefinitionLevel
        maxRep = descriptor.maxRepetitionLevel
        defBW = Levels.bitWidth(forMaxLevel: maxDef)
        repBW = Levels.bitWidth(forMaxLevel: maxRep)
        order = StatisticsOrder(descriptor)
        var str = descriptor.convertedType == .utf8 || descriptor.convertedType == .json || descriptor.convertedType == .enumType
        switch descriptor.logicalType {
        case .string?, .json?, .enum?: str = true
        default: break
        }
        isString = str && descriptor.physicalType == .byteArray
        let path = descriptor.dottedPath
        let t = descriptor.physicalType
        var useDict = options.columnDictionary[path] ?? options.dictionary
        var plain = options.defaultEncoding
        if let e = options.columnEncodings[path] {
            switch e {
            case .rleDictionary, .plainDictionary: useDict = true
            default:
                useDict = false
                plain = e
            }
        }
        if t == .boolean { useDict = false }
        guard Self.supports(plain, t) else {
            throw ParquetError.invalidArgument("column \(path): encoding \(plain) cannot encode \(t) values")
        }
        if case .unknown = t { throw ParquetError.invalidArgument("column \(path): unknown physical type") }
        dictionaryAllowed = useDict
        plainEncoding = plain
        dictMode = useDict
        bloom = options.bloomFilters[path]
        pageValues = ColumnValues(physicalType: t, typeLength: descriptor.typeLength)
        pageStats = StatsAccumulator(order: statistics ? order : .none)
        chunkStats = StatsAccumulator(order: statistics ? order : .none)
        pageDefHist = [Int64](repeating: 0, count: maxDef + 1)
        pageRepHist = [Int64](repeating: 0, count: maxRep + 1)
        chunkDefHist = pageDefHist
        chunkRepHist = pageRepHist
        if t == .fixedLenByteArray && descriptor.typeLength <= 0 {
            throw ParquetError.invalidArgument("column \(path): FIXED_LEN_BYTE_ARRAY needs a positive length")
        }
        resetDictionary()
    }

    static func supports(_ e: Encoding, _ t: PhysicalType) -> Bool {
        switch e {
        case .plain: return true
        case .rle: return t == .boolean
        case .deltaBinaryPacked: return t == .int32 || t == .int64
        case .deltaLengthByteArray: return t == .byteArray
        case .deltaByteArray: return t == .byteArray || t == .fixedLenByteArray
        case .byteStreamSplit: return [.int32, .int64, .float, .double, .fixedLenByteArray].contains(t)
        default: return false
        }
    }

    /// Values after which the first page's dictionary is checked once (besides the check when it is written).
    static let earlyDictionaryCheck = 4096
    /// The early check was made for this chunk.
    var dictionaryChecked = false

    func resetDictionary() {
        dictionaryChecked = false
        dict32 = nil; dict64 = nil; dictBytes = nil
        guard dictionaryAllowed else { return }
        switch descriptor.physicalType {
        case .int32, .float: dict32 = FixedWidthDictionaryBuilder<UInt32>()
        case .int64, .double: dict64 = FixedWidthDictionaryBuilder<UInt64>()
        case .int96: dictBytes = ByteArrayDictionaryBuilder(fixedWidth: 12)
        case .byteArray: dictBytes = ByteArrayDictionaryBuilder()
        case .fixedLenByteArray: dictBytes = ByteArrayDictionaryBuilder(fixedWidth: descriptor.typeLength)
        default: break
        }
    }

    var dictionaryCount: Int { dict32?.count ?? dict64?.count ?? dictBytes?.count ?? 0 }
    var dictionarySize: Int { dict32?.plainEncodedSize ?? dict64?.plainEncodedSize ?? dictBytes?.plainEncodedSize ?? 0 }

    /// Encoded size of the open page (an estimate for levels and dictionary indices).
    var estimatedPageBytes: Int {
        var est = (pageLevels * (defBW + repBW) + 7) / 8
        if dictMode {
            est += (pageIds.count * DictionaryIndices.bitWidth(dictionaryCount: dictionaryCount) + 7) / 8
        } else {
            switch descriptor.physicalType {
            case .boolean: est += (pageValueCount + 7) / 8
            case .byteArray: est += pageValues.byteArrays.bytes.count + 4 * pageValueCount
            case .fixedLenByteArray: est += pageValues.fixed.bytes.count
            case .int96: est += 12 * pageValueCount
            default: est += pageValueCount * (descriptor.physicalType.fixedByteWidth ?? 4)
            }
        }
        return est
    }

    /// Bytes this chunk holds so far (finished pages plus the open page and dictionary).
    var bufferedBytes: Int { dataBytes + estimatedPageBytes + (usedDictionary || dictMode ? dictionarySize : 0) }

    // MARK: - appending

    /// Appends `rows` whole rows of `d` starting at `cursor` (level index, value index); advances the cursor.
    func append(_ d: ColumnData, cursor: inout (level: Int, value: Int), rows: Int) {
        var remaining = rows
        let levelEnd = d.levelCount
        while remaining > 0 {
            let k = min(remaining, Self.sliceRows, max(1, pageRowLimit - pageRows))
            let l0 = cursor.level
            var l1: Int
            if maxRep == 0 {
                l1 = l0 + k
            } else {
                l1 = l0 + 1
                var seen = 1
                d.repetitionLevels.withUnsafeBufferPointer { rep in
                    while l1 < levelEnd {
                        if rep[l1] == 0 {
                            if seen == k { break }
                            seen += 1
                        }
                        l1 += 1
                    }
                }
            }
            var nv = l1 - l0
            if maxDef > 0 {
                let md = Int16(maxDef)
                nv = d.definitionLevels.withUnsafeBufferPointer { def in
                    var c = 0
                    for i in l0..<l1 where def[i] == md { c += 1 }
                    return c
                }
            }
            appendSlice(d, l0, l1, cursor.value, cursor.value + nv)
            cursor.level = l1
            cursor.value += nv
            pageRows += k
            remaining -= k
            if dictMode && !usedDictionary && !dictionaryChecked && pageIds.count >= Self.earlyDictionaryCheck {
                // the first-page rule, applied early: a column of mostly new values stops hashing them now
                dictionaryChecked = true
                if !dictionaryPaysOff() { abandonDictionary() }
            }
            if pageRows >= pageRowLimit || estimatedPageBytes >= pageSize {
                flushPage()
            }
            if dictMode && dictionarySize > dictionaryLimit {
                flushPage()
                dictMode = false
            }
        }
    }

    private func appendSlice(_ d: ColumnData, _ l0: Int, _ l1: Int, _ v0: Int, _ v1: Int) {
        if maxDef > 0 {
            d.definitionLevels.withUnsafeBufferPointer { def in
                let s = UnsafeBufferPointer(rebasing: def[l0..<l1])
                pageDef.append(contentsOf: s)
                pageDefHist.withUnsafeMutableBufferPointer { h in for l in s { h[Int(l)] += 1 } }
            }
        }
        if maxRep > 0 {
            d.repetitionLevels.withUnsafeBufferPointer { rep in
                let s = UnsafeBufferPointer(rebasing: rep[l0..<l1])
                pageRep.append(contentsOf: s)
                pageRepHist.withUnsafeMutableBufferPointer { h in for l in s { h[Int(l)] += 1 } }
            }
        }
        pageLevels += l1 - l0
        let nv = v1 - v0
        pageValueCount += nv
        pageStats.nullCount += Int64((l1 - l0) - nv)
        guard nv > 0 else { return }
        let wantBloom = bloom != nil
        let v = d.values
        switch descriptor.physicalType {
        case .boolean:
            v.booleans.withUnsafeBufferPointer { p in
                let s = UnsafeBufferPointer(rebasing: p[v0..<v1])
                pageStats.update(booleans: s)
                pageValues.booleans.append(contentsOf: s)
            }
        case .int32:
            v.int32s.withUnsafeBufferPointer { p in
                let s = UnsafeBufferPointer(rebasing: p[v0..<v1])
                pageStats.update(int32: s)
                addFixed32(UnsafeRawBufferPointer(s), bloom: wantBloom) { pageValues.int32s.append(contentsOf: s) }
            }
        case .float:
            v.floats.withUnsafeBufferPointer { p in
                let s = UnsafeBufferPointer(rebasing: p[v0..<v1])
                pageStats.update(floats: s)
                addFixed32(UnsafeRawBufferPointer(s), bloom: wantBloom) { pageValues.floats.append(contentsOf: s) }
            }
        case .int64:
            v.int64s.withUnsafeBufferPointer { p in
                let s = UnsafeBufferPointer(rebasing: p[v0..<v1])
                pageStats.update(int64: s)
                addFixed64(UnsafeRawBufferPointer(s), bloom: wantBloom) { pageValues.int64s.append(contentsOf: s) }
            }
        case .double:
            v.doubles.withUnsafeBufferPointer { p in
                let s = UnsafeBufferPointer(rebasing: p[v0..<v1])
                pageStats.update(floats: s)
                addFixed64(UnsafeRawBufferPointer(s), bloom: wantBloom) { pageValues.doubles.append(contentsOf: s) }
            }
        case .int96:
            for i in v0..<v1 {
                let x = v.int96s[i]
                var raw = (x.nanosOfDay.littleEndian, x.julianDay.littleEndian)
                withUnsafeBytes(of: &raw) { b in
                    let r = UnsafeRawBufferPointer(rebasing: b[0..<12])
                    if wantBloom { bloomHashes.insert(XXH64.hash(r)) }
                    if dictMode { pageIds.append(dictBytes!.id(of: r)) }
                }
                if !dictMode { pageValues.int96s.append(x) }
            }
        case .byteArray:
            let buf = v.byteArrays
            if !dictMode { pageStats.update(byteArrays: buf, range: v0..<v1) }
            let bytes = Int64(buf.offsets[v1] - buf.offsets[v0])
            pageUnencoded += bytes
            if wantBloom {
                buf.bytes.withUnsafeBytes { b in
                    for i in v0..<v1 {
                        bloomHashes.insert(XXH64.hash(UnsafeRawBufferPointer(rebasing: b[buf.offsets[i]..<buf.offsets[i + 1]])))
                    }
                }
            }
            if dictMode {
                dictBytes!.insert(contentsOf: buf, range: v0..<v1, ids: &pageIds)
            } else {
                let base = buf.offsets[v0]
                let dstBase = pageValues.byteArrays.bytes.count
                pageValues.byteArrays.bytes.append(contentsOf: buf.bytes[base..<buf.offsets[v1]])
                pageValues.byteArrays.offsets.reserveCapacity(pageValues.byteArrays.offsets.count + nv)
                for i in (v0 + 1)...v1 { pageValues.byteArrays.offsets.append(buf.offsets[i] - base + dstBase) }
            }
        case .fixedLenByteArray:
            let buf = v.fixed
            let w = buf.width
            pageStats.update(fixed: buf, range: v0..<v1)
            if wantBloom {
                buf.bytes.withUnsafeBytes { b in
                    for i in v0..<v1 { bloomHashes.insert(XXH64.hash(UnsafeRawBufferPointer(rebasing: b[(i * w)..<((i + 1) * w)]))) }
                }
            }
            if dictMode {
                dictBytes!.insert(contentsOf: buf, range: v0..<v1, ids: &pageIds)
            } else {
                pageValues.fixed.bytes.append(contentsOf: buf.bytes[(v0 * w)..<(v1 * w)])
            }
        case .unknown:
            break
        }
    }

    @inline(__always)
    private func addFixed32(_ raw: UnsafeRawBufferPointer, bloom: Bool, plain: () -> Void) {
        let u = raw.bindMemory(to: UInt32.self)
        if bloom { for x in u { bloomHashes.insert(XXH64.hash(littleEndian: x)) } }
        if dictMode { dict32!.insert(contentsOf: u, ids: &pageIds) } else { plain() }
    }

    @inline(__always)
    private func addFixed64(_ raw: UnsafeRawBufferPointer, bloom: Bool, plain: () -> Void) {
        let u = raw.bindMemory(to: UInt64.self)
        if bloom { for x in u { bloomHashes.insert(XXH64.hash(littleEndian: x)) } }
        if dictMode { dict64!.insert(contentsOf: u, ids: &pageIds) } else { plain() }
    }

    // MARK: - pages

    private func encodeValues(_ e: Encoding, into out: inout [UInt8]) {
        let v = pageValues
        switch (e, descriptor.physicalType) {
        case (.rle, _): Booleans.encodeRLE(v.booleans, into: &out)
        case (.deltaBinaryPacked, .int32): DeltaBinaryPacked.encode(v.int32s, into: &out)
        case (.deltaBinaryPacked, _): DeltaBinaryPacked.encode(v.int64s, into: &out)
        case (.deltaLengthByteArray, _): DeltaLengthByteArray.encode(v.byteArrays, into: &out)
        case (.deltaByteArray, .fixedLenByteArray): DeltaByteArray.encode(v.fixed, into: &out)
        case (.deltaByteArray, _): DeltaByteArray.encode(v.byteArrays, into: &out)
        case (.byteStreamSplit, .int32): ByteStreamSplit.encode(v.int32s, into: &out)
        case (.byteStreamSplit, .int64): ByteStreamSplit.encode(v.int64s, into: &out)
        case (.byteStreamSplit, .float): ByteStreamSplit.encode(v.floats, into: &out)
        case (.byteStreamSplit, .double): ByteStreamSplit.encode(v.doubles, into: &out)
        case (.byteStreamSplit, _): ByteStreamSplit.encode(v.fixed, into: &out)
        default:
            switch descriptor.physicalType {
            case .boolean: Booleans.encodePlain(v.booleans, into: &out)
            case .int32: Plain.encode(v.int32s, into: &out)
            case .int64: Plain.encode(v.int64s, into: &out)
            case .float: Plain.encode(v.floats, into: &out)
            case .double: Plain.encode(v.doubles, into: &out)
            case .int96: Plain.encodeInt96(v.int96s, into: &out)
            case .byteArray: Plain.encodeByteArray(v.byteArrays, into: &out)
            case .fixedLenByteArray: Plain.encodeFixedLenByteArray(v.fixed, into: &out)
            case .unknown: break
            }
        }
    }

    /// Compresses `input` into `scratchCompressed` (reused across pages).
    private func compress(_ input: [UInt8]) throws {
        try Compression.compress(codec, input: input, level: level, into: &scratchCompressed)
    }

    private func noteEncoding(_ e: Encoding) {
        if !encodingsUsed.contains(e) { encodingsUsed.append(e) }
    }

    /// The first failure while encoding or compressing a page; the writer reports it after the batch.
    private(set) var failure: Error?

    /// Encodes, compresses and stores the open page (a failure is kept in `failure`, never a trap).
    func flushPage() {
        guard pageLevels > 0, failure == nil else { return }
        do { try flushPageThrowing() } catch { failure = error }
    }

    /// Min/max of a dictionary-encoded BYTE_ARRAY page from its distinct dictionary entries.
    private func dictionaryPageStats() {
        guard statistics, dictMode, descriptor.physicalType == .byteArray, let dict = dictBytes, !pageIds.isEmpty else { return }
        if seenIds.count < dict.count { seenIds.append(contentsOf: repeatElement(false, count: dict.count - seenIds.count)) }
        distinctIds.removeAll(keepingCapacity: true)
        seenIds.withUnsafeMutableBufferPointer { seen in
            for id in pageIds where !seen[Int(id)] {
                seen[Int(id)] = true
                distinctIds.append(id)
            }
            for id in distinctIds { seen[Int(id)] = false }
        }
        pageStats.update(byteArrays: dict.values, indices: distinctIds)
    }

    private func encodeValues(into out: inout [UInt8]) -> Encoding {
        if dictMode && dictionaryCount > 0 {
            DictionaryIndices.encode(pageIds, dictionaryCount: dictionaryCount, into: &out)
            usedDictionary = true
            return .rleDictionary
        }
        let e = dictMode ? .plain : plainEncoding
        encodeValues(e, into: &out)
        return e
    }

    /// parquet-mr's check at the first page of a chunk: the dictionary pays off only if the page's indices plus
    /// the dictionary are smaller than the page's values written PLAIN.
    private func dictionaryPaysOff() -> Bool {
        let n = pageIds.count
        guard n > 0 else { return true }
        let indices = (n * DictionaryIndices.bitWidth(dictionaryCount: dictionaryCount) + 7) / 8 + 1
        let plain: Int
        switch descriptor.physicalType {
        case .byteArray: plain = Int(pageUnencoded) + 4 * n
        case .int32, .float: plain = 4 * n
        case .int64, .double: plain = 8 * n
        default: return true
        }
        return indices + dictionarySize < plain
    }

    /// Drops the chunk's dictionary before its first page is written: the page's values go PLAIN (gathered from
    /// the dictionary), and so do the chunk's later pages.
    private func abandonDictionary() {
        let ids = pageIds
        switch descriptor.physicalType {
        case .byteArray:
            guard let dict = dictBytes?.values else { return }
            dict.bytes.withUnsafeBytes { b in
                for id in ids {
                    let i = Int(id)
                    pageValues.byteArrays.append(UnsafeRawBufferPointer(rebasing: b[dict.offsets[i]..<dict.offsets[i + 1]]))
                }
            }
            pageStats.update(byteArrays: pageValues.byteArrays, range: 0..<ids.count)
        case .int32:
            guard let d = dict32?.values else { return }
            pageValues.int32s.append(contentsOf: ids.map { Int32(bitPattern: d[Int($0)]) })
        case .float:
            guard let d = dict32?.values else { return }
            pageValues.floats.append(contentsOf: ids.map { Float(bitPattern: d[Int($0)]) })
        case .int64:
            guard let d = dict64?.values else { return }
            pageValues.int64s.append(contentsOf: ids.map { Int64(bitPattern: d[Int($0)]) })
        case .double:
            guard let d = dict64?.values else { return }
            pageValues.doubles.append(contentsOf: ids.map { Double(bitPattern: d[Int($0)]) })
        default:
            return
        }
        pageIds.removeAll(keepingCapacity: true)
        dict32 = nil
        dict64 = nil
        dictBytes = nil
        dictMode = false
    }

    private func flushPageThrowing() throws {
        if dictMode && !usedDictionary && !dictionaryPaysOff() { abandonDictionary() }
        dictionaryPageStats()
        let pageStatistics = makeStatistics(pageStats, forPage: true)
        let encoding: Encoding
        var header: PageHeader
        var uncompressed: Int
        scratchBody.removeAll(keepingCapacity: true)
        switch pageVersion {
        case .v1:
            if maxRep > 0 { Levels.encodeLevels(pageRep, bitWidth: repBW, lengthPrefixed: true, into: &scratchBody) }
            if maxDef > 0 { Levels.encodeLevels(pageDef, bitWidth: defBW, lengthPrefixed: true, into: &scratchBody) }
            encoding = encodeValues(into: &scratchBody)
            uncompressed = scratchBody.count
            if codec == .uncompressed {
                swap(&scratchBody, &scratchCompressed)
            } else {
                try compress(scratchBody)
            }
            header = PageHeader(type: .dataPage, uncompressedPageSize: Int32(uncompressed),
                                compressedPageSize: Int32(scratchCompressed.count),
                                dataPageHeader: DataPageHeader(numValues: Int32(pageLevels), encoding: encoding,
                                                               definitionLevelEncoding: .rle,
                                                               repetitionLevelEncoding: .rle,
                                                               statistics: pageStatistics))
        case .v2:
            if maxRep > 0 { Levels.encodeLevels(pageRep, bitWidth: repBW, lengthPrefixed: false, into: &scratchBody) }
            let repLen = scratchBody.count
            if maxDef > 0 { Levels.encodeLevels(pageDef, bitWidth: defBW, lengthPrefixed: false, into: &scratchBody) }
            let defLen = scratchBody.count - repLen
            scratchValues.removeAll(keepingCapacity: true)
            encoding = encodeValues(into: &scratchValues)
            uncompressed = scratchBody.count + scratchValues.count
            // levels stay uncompressed in front of the (compressed) values
            if codec == .uncompressed {
                scratchBody.append(contentsOf: scratchValues)
                swap(&scratchBody, &scratchCompressed)
            } else {
                try compress(scratchValues)
                scratchBody.append(contentsOf: scratchCompressed)
                swap(&scratchBody, &scratchCompressed)
            }
            header = PageHeader(type: .dataPageV2, uncompressedPageSize: Int32(uncompressed),
                                compressedPageSize: Int32(scratchCompressed.count),
                                dataPageHeaderV2: DataPageHeaderV2(
                                    numValues: Int32(pageLevels), numNulls: Int32(pageLevels - pageValueCount),
                                    numRows: Int32(pageRows), encoding: encoding,
                                    definitionLevelsByteLength: Int32(defLen), repetitionLevelsByteLength: Int32(repLen),
                                    isCompressed: codec != .uncompressed, statistics: pageStatistics))
        }
        // the page body is in scratchCompressed
        if checksums {
            header.crc = Int32(bitPattern: scratchCompressed.withUnsafeBytes { Compression.crc32($0) })
        }
        let hdr = header.serialize()
        let bodyCount = scratchCompressed.count
        var rec = PageRecord(offset: dataBytes, size: hdr.count + bodyCount, firstRow: chunkRows,
                             nullPage: pageValueCount == 0, nullCount: pageStats.nullCount, defHist: pageDefHist,
                             repHist: pageRepHist, unencodedBytes: pageUnencoded)
        if pageValueCount > 0 {
            if let b = pageStats.bounds(truncateTo: truncateLength, isString: isString) {
                rec.min = b.min
                rec.max = b.max
            } else {
                columnIndexAllowed = false
            }
        }
        try storePage(hdr)
        dataBytes += hdr.count + bodyCount
        pages.append(rec)
        chunkUncompressed += Int64(hdr.count + uncompressed)
        noteEncoding(encoding)
        if maxDef > 0 || maxRep > 0 { noteEncoding(.rle) }
        pageEncodingCounts[encoding, default: 0] += 1
        chunkStats.merge(pageStats)
        for i in pageDefHist.indices { chunkDefHist[i] += pageDefHist[i]; pageDefHist[i] = 0 }
        for i in pageRepHist.indices { chunkRepHist[i] += pageRepHist[i]; pageRepHist[i] = 0 }
        chunkUnencoded += pageUnencoded
        chunkRows += Int64(pageRows)
        chunkLevels += Int64(pageLevels)
        // reset the page
        pageDef.removeAll(keepingCapacity: true)
        pageRep.removeAll(keepingCapacity: true)
        pageIds.removeAll(keepingCapacity: true)
        pageValues.removeAll()
        pageLevels = 0
        pageRows = 0
        pageValueCount = 0
        pageUnencoded = 0
        pageStats.reset()
    }

    /// Keeps a finished page (`header`, then the body in `scratchCompressed`) in memory, or once the row group
    /// went over the spill threshold, moves it (with the pages held so far) to the spill file.
    private func storePage(_ header: [UInt8]) throws {
        let n = header.count + scratchCompressed.count
        if let spill {
            var counted = false  // whether this page's bytes were counted as held
            var streaming = spill.isStreaming
            if !streaming {
                streaming = spill.noteHeld(n)
                counted = true
            }
            if streaming {
                try spillHeldPages()
                let at = try header.withUnsafeBytes { h in
                    try scratchCompressed.withUnsafeBytes { b in try spill.append(h, b, held: counted ? n : 0) }
                }
                noteSpilled(at, n)
                return
            }
        }
        if data.count + n > data.capacity {
            if data.isEmpty && previousChunkBytes > n {
                // a new chunk: one buffer the size of the previous chunk plus an eighth, instead of growing from
                // nothing by copies (about five times the chunk's bytes allocated and copied per row group, in
                // blocks of every size, which fragment the heap of a long conversion)
                data.reserveCapacity(previousChunkBytes + previousChunkBytes / 8)
            } else {
                // grow by a quarter, not by doubling: the buffer is kept for the next row group (recycle), so a
                // doubling would hold up to twice the largest chunk seen, and the largest chunk seen creeps up
                // with the input's length (peak RSS 102 → 127 MiB from 200 MB to 1 GB of events before this)
                data.reserveCapacity(data.count + n + Swift.max(n, data.count / 4))
            }
        }
        data.append(contentsOf: header)
        data.append(contentsOf: scratchCompressed)
    }

    /// Moves the pages held in memory to the spill file (and gives back a large buffer).
    private func spillHeldPages() throws {
        guard let spill, !data.isEmpty else { return }
        let at = try data.withUnsafeBytes { try spill.append($0, held: data.count) }
        noteSpilled(at, data.count)
        if data.capacity > 1 << 20 { data = [] } else { data.removeAll(keepingCapacity: true) }
    }

    private func noteSpilled(_ at: Int64, _ n: Int) {
        if let last = spilled.last, last.offset + Int64(last.length) == at {
            spilled[spilled.count - 1].length += n
        } else {
            spilled.append((at, n))
        }
    }

    func makeStatistics(_ s: StatsAccumulator, forPage: Bool) -> Statistics? {
        guard statistics else { return nil }
        var st = Statistics(nullCount: s.nullCount)
        if let b = s.bounds(truncateTo: truncateLength, isString: isString) {
            st.minValue = b.min
            st.maxValue = b.max
            st.isMinValueExact = b.minExact
            st.isMaxValueExact = b.maxExact
        }
        if order == .float || order == .double || order == .float16 { st.nanCount = s.nanCount }
        return st
    }

    /// Bytes of finished pages held in memory.
    var heldPageBytes: Int { data.count }

    /// Takes back a finished chunk's page buffer (written out) to reuse its storage.
    func recycle(_ buffer: inout [UInt8]) {
        if data.isEmpty && buffer.capacity > data.capacity {
            buffer.removeAll(keepingCapacity: true)
            swap(&data, &buffer)
        }
    }

    // MARK: - finishing

    /// Flushes the open page and hands out the chunk (dictionary page first), then resets for the next row group.
    func finish() throws -> FinishedChunk {
        flushPage()
        if let failure { throw failure }
        var dictPage: [UInt8] = []
        var dictUncompressed = 0
        if usedDictionary {
            var plain: [UInt8] = []
            dict32?.encodePlain(into: &plain)
            dict64?.encodePlain(into: &plain)
            dictBytes?.encodePlain(into: &plain)
            let plainCount = plain.count
            if codec == .uncompressed { swap(&plain, &scratchCompressed) } else { try compress(plain) }
            let body = scratchCompressed
            var h = PageHeader(type: .dictionaryPage, uncompressedPageSize: Int32(plainCount),
                               compressedPageSize: Int32(body.count),
                               dictionaryPageHeader: DictionaryPageHeader(numValues: Int32(dictionaryCount), encoding: .plain))
            if checksums { h.crc = Int32(bitPattern: body.withUnsafeBytes { Compression.crc32($0) }) }
            dictPage = h.serialize()
            dictUncompressed = dictPage.count + plainCount
            dictPage.append(contentsOf: body)
        }
        var encodings: [Encoding] = []
        if usedDictionary { encodings.append(.plain) }
        for e in encodingsUsed where !encodings.contains(e) { encodings.append(e) }
        if encodings.isEmpty { encodings = [plainEncoding] }
        var encStats: [PageEncodingStats] = []
        if usedDictionary { encStats.append(PageEncodingStats(pageType: .dictionaryPage, encoding: .plain, count: 1)) }
        let dataType: PageType = pageVersion == .v1 ? .dataPage : .dataPageV2
        for e in encodingsUsed where pageEncodingCounts[e] != nil {
            encStats.append(PageEncodingStats(pageType: dataType, encoding: e, count: pageEncodingCounts[e]!))
        }
        var size = SizeStatistics()
        if descriptor.physicalType == .byteArray { size.unencodedByteArrayDataBytes = chunkUnencoded }
        if maxRep > 0 { size.repetitionLevelHistogram = chunkRepHist }
        if maxDef > 0 { size.definitionLevelHistogram = chunkDefHist }
        let meta = ColumnMetaData(
            type: descriptor.physicalType, encodings: encodings, pathInSchema: descriptor.path, codec: codec,
            numValues: chunkLevels, totalUncompressedSize: Int64(dictUncompressed) + chunkUncompressed,
            totalCompressedSize: Int64(dictPage.count + dataBytes), dataPageOffset: 0,
            dictionaryPageOffset: nil, statistics: makeStatistics(chunkStats, forPage: false),
            encodingStats: encStats, sizeStatistics: size)
        var filter: SplitBlockBloomFilter?
        if let bloom {
            // A chunk cannot hold more distinct values than values: a declared NDV beyond that (`id:99999999999999`
            // on 8 rows) would only inflate the filter, up to 128 MiB per column (issue 11, rule 10).
            let ndv = Swift.min(bloom.ndv ?? bloomHashes.count, Swift.max(1, Int(chunkLevels)))
            var f = SplitBlockBloomFilter(numBytes: SplitBlockBloomFilter.optimalNumBytes(ndv: ndv, fpp: bloom.fpp))
            for h in bloomHashes { f.insert(hash: h) }
            filter = f
        }
        var held: [UInt8] = []
        swap(&held, &data)
        previousChunkBytes = held.count
        if let spill, !held.isEmpty { _ = spill.noteHeld(-held.count) }
        let out = FinishedChunk(dictionaryPage: dictPage, spilled: spilled, data: held, dataBytes: dataBytes, meta: meta, pages: pages,
                                columnIndexAllowed: columnIndexAllowed && statistics && order != .none,
                                bloomFilter: filter)
        // reset for the next chunk
        spilled = []
        dataBytes = 0
        pages = []
        chunkStats = StatsAccumulator(order: statistics ? order : .none)
        chunkRows = 0
        chunkLevels = 0
        chunkUncompressed = 0
        for i in chunkDefHist.indices { chunkDefHist[i] = 0 }
        for i in chunkRepHist.indices { chunkRepHist[i] = 0 }
        chunkUnencoded = 0
        encodingsUsed = []
        pageEncodingCounts = [:]
        usedDictionary = false
        columnIndexAllowed = true
        bloomHashes = []
        dictMode = dictionaryAllowed
        resetDictionary()
        return out
    }
}
