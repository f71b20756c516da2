// Reading a column chunk's page index (PageIndex.md) and bloom filter (BloomFilter.md), decrypting them for
// encrypted columns (Encryption.md §4.4.2: ColumnIndex 6, OffsetIndex 7, BloomFilter header 8 and bitset 9).

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension ParquetFile {
    /// The bytes of a module at `offset` (plaintext: `length` bytes; encrypted: the GCM module opened with its AAD).
    private func auxiliaryBytes(rowGroup g: Int, column c: Int, offset: Int64, length: Int?, type: ModuleType,
                                what: String) throws -> (bytes: [UInt8], consumed: Int) {
        let path = schema.columns[c].dottedPath
        guard offset >= 4, offset < Int64(footerOffset) else {
            throw ParquetError.corrupt("column \(path) row group \(g): \(what) offset \(offset) outside the data")
        }
        let start = Int(offset)
        if let cc = try chunkCipher(rowGroup: g, column: c) {
            // A module is its 4-byte length and that many bytes: read just those (one request from a remote
            // source); a length that does not fit leaves the whole area to openGCM, which reports it.
            var end = footerOffset
            if footerOffset - start >= 4 {
                let len = try storage.withBytes(start..<(start + 4)) {
                    Int($0.loadUnaligned(fromByteOffset: 0, as: UInt32.self).littleEndian)
                }
                if len <= footerOffset - start - 4 { end = start + 4 + len }
            }
            return try storage.withBytes(start..<end) { area in
                do {
                    let (plain, used) = try cc.cipher.openGCM(area, aad: cc.cipher.aad(type, rowGroup: cc.rowGroup, column: c))
                    return ([UInt8](plain), used)
                } catch CipherFailure.authentication {
                    throw ParquetError.encrypted("column \(path) row group \(g): GCM authentication of its \(what) failed")
                } catch let f as CipherFailure {
                    throw ParquetError.corrupt("column \(path) row group \(g): encrypted \(what): \(f)")
                }
            }
        }
        let n = length ?? (footerOffset - start)
        guard n >= 0, n <= footerOffset - start else {
            throw ParquetError.corrupt("column \(path) row group \(g): \(what) length \(n) exceeds the data")
        }
        return (try storage.withBytes(start..<(start + n)) { Array($0) }, n)
    }

    /// The column index of a chunk, or nil when it has none.
    public func columnIndex(rowGroup g: Int, column c: Int) throws -> ColumnIndex? {
        let chunk = metadata.rowGroups[g].columns[c]
        guard let o = chunk.columnIndexOffset else { return nil }
        let (b, _) = try auxiliaryBytes(rowGroup: g, column: c, offset: o, length: chunk.columnIndexLength.map(Int.init),
                                        type: .columnIndex, what: "column index")
        return try b.withUnsafeBytes { var r = ThriftCompactReader($0); return try ColumnIndex(from: &r) }
    }

    /// The offset index of a chunk, or nil when it has none.
    public func offsetIndex(rowGroup g: Int, column c: Int) throws -> OffsetIndex? {
        let chunk = metadata.rowGroups[g].columns[c]
        guard let o = chunk.offsetIndexOffset else { return nil }
        let (b, _) = try auxiliaryBytes(rowGroup: g, column: c, offset: o, length: chunk.offsetIndexLength.map(Int.init),
                                        type: .offsetIndex, what: "offset index")
        return try b.withUnsafeBytes { var r = ThriftCompactReader($0); return try OffsetIndex(from: &r) }
    }

    /// The split-block bloom filter of a chunk, or nil when it has none.
    public func bloomFilter(rowGroup g: Int, column c: Int) throws -> SplitBlockBloomFilter? {
        guard let md = metadata.rowGroups[g].columns[c].metaData, let o = md.bloomFilterOffset else { return nil }
        if try chunkCipher(rowGroup: g, column: c) != nil {
            let (h, used) = try auxiliaryBytes(rowGroup: g, column: c, offset: o, length: nil, type: .bloomFilterHeader,
                                               what: "bloom filter header")
            _ = try h.withUnsafeBytes { try BloomFilterHeader.decode($0) }
            let (bits, _) = try auxiliaryBytes(rowGroup: g, column: c, offset: o + Int64(used), length: nil,
                                               type: .bloomFilterBitset, what: "bloom filter bitset")
            return SplitBlockBloomFilter(bitset: bits)
        }
        let (b, _) = try auxiliaryBytes(rowGroup: g, column: c, offset: o, length: md.bloomFilterLength.map(Int.init),
                                        type: .bloomFilterHeader, what: "bloom filter")
        let (header, hl) = try b.withUnsafeBytes { try BloomFilterHeader.decode($0) }
        let n = Int(header.numBytes)
        guard n >= 0, hl + n <= b.count || md.bloomFilterLength == nil else {
            throw ParquetError.corrupt("column \(schema.columns[c].dottedPath): bloom filter bitset exceeds its length")
        }
        let end = min(b.count, hl + n)
        return SplitBlockBloomFilter(bitset: Array(b[hl..<end]))
    }
}
