#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A Parquet file opened for reading: footer, schema, and access to column chunks by row group.
///
/// Reading a column touches only that column chunk's bytes; memory held while reading is bounded by the
/// projected column chunks of one row group.
public final class ParquetFile: @unchecked Sendable {
    /// The decoded footer (decrypted for encrypted footers).
    public let metadata: FileMetaData
    /// The schema tree built from the footer, with levels and leaf descriptors.
    public let schema: Schema
    /// Byte offset where the footer starts (pages never extend past it).
    public let footerOffset: Int
    let storage: any RandomAccessSource

    /// Opens the file at `path` (memory-mapped). `decryption` holds the keys of an encrypted file.
    public convenience init(path: String, decryption: FileDecryptionProperties? = nil) throws {
        try self.init(storage: FileStorage(path: path), decryption: decryption)
    }

    /// Opens a file held in memory.
    public convenience init(bytes: [UInt8], decryption: FileDecryptionProperties? = nil) throws {
        try self.init(storage: FileStorage(bytes: bytes), decryption: decryption)
    }

    /// The decryption state of an encrypted file opened with keys (nil otherwise).
    let decryptor: FileDecryptor?

    /// The encryption algorithm of an encrypted file (encrypted or plaintext footer), nil for a plain file.
    public let encryptionAlgorithm: EncryptionAlgorithm?
    /// True when the footer itself is encrypted (PARE).
    public let hasEncryptedFooter: Bool

    /// Opens a file through a byte source (an object in a store, say). The footer is read with at most two reads
    /// (the source's cached tail, then the rest of a larger footer); column chunks are read when decoded.
    public convenience init(source: any RandomAccessSource, decryption: FileDecryptionProperties? = nil) throws {
        try self.init(storage: source, decryption: decryption)
    }

    init(storage: any RandomAccessSource, decryption: FileDecryptionProperties? = nil) throws {
        self.storage = storage
        let n = storage.size
        guard n >= 12 else {
            throw ParquetError.corrupt("file is \(n) bytes, too small to be Parquet (needs at least 12)")
        }
        let (tail, footerLength) = try storage.withBytes((n - 8)..<n) { t in
            (Array(t[4..<8]), Int(t.loadUnaligned(fromByteOffset: 0, as: UInt32.self).littleEndian))
        }
        let par1: [UInt8] = Array("PAR1".utf8), pare: [UInt8] = Array("PARE".utf8)
        let encryptedFooter = tail == pare
        if encryptedFooter && decryption == nil {
            let crypto = footerLength > 0 && footerLength <= n - 12
                ? try? storage.withBytes((n - 8 - footerLength)..<(n - 8)) { try FileCryptoMetaData.decode($0).0 } : nil
            throw ParquetError.encrypted(Self.encryptedFooterMessage(crypto))
        }
        guard tail == par1 || encryptedFooter else {
            throw ParquetError.corrupt("no PAR1 magic at the end of the file (not Parquet, or truncated)")
        }
        // The leading magic costs a read of its own on a remote source; there it is checked when the footer read
        // covers it.
        if !storage.readsAreExpensive || footerLength + 12 >= n {
            let head = try storage.withBytes(0..<4) { Array($0) }
            guard head == par1 || head == pare else { throw ParquetError.corrupt("no PAR1 magic at the start of the file") }
        }
        guard footerLength > 0, footerLength <= n - 12 else {
            throw ParquetError.corrupt("footer length \(footerLength) does not fit in a file of \(n) bytes")
        }
        footerOffset = n - 8 - footerLength
        let footerRead = try storage.withBytes(footerOffset..<(n - 8)) {
            footer -> (FileMetaData, FileDecryptor?, EncryptionAlgorithm?) in
            var meta: FileMetaData
            var decryptor: FileDecryptor?
            if encryptedFooter, let decryption {
                // Encrypted footer (Encryption.md §5.4): FileCryptoMetaData, then the FileMetaData as a GCM module.
                let (crypto, cryptoLength) = try FileCryptoMetaData.decode(footer)
                let d = try FileDecryptor(algorithm: crypto.encryptionAlgorithm, properties: decryption,
                                          footerKeyMetadata: crypto.keyMetadata)
                let cipher = try d.requireFooterCipher(crypto.keyMetadata)
                let plain: Data
                do {
                    (plain, _) = try cipher.openGCM(UnsafeRawBufferPointer(rebasing: footer[cryptoLength...]),
                                                    aad: cipher.aad(.footer))
                } catch {
                    throw ParquetError.encrypted(
                        "footer: wrong footer key or AAD prefix (GCM authentication of the encrypted footer failed)")
                }
                meta = try plain.withUnsafeBytes { try FileMetaData.decode($0) }
                decryptor = d
            } else {
                var r = ThriftCompactReader(footer)
                meta = try FileMetaData(from: &r)
                if let alg = meta.encryptionAlgorithm, let decryption {
                    // Plaintext footer (§5.5): verify its signature (nonce + tag after the FileMetaData) when the
                    // footer key is known.
                    let d = try FileDecryptor(algorithm: alg, properties: decryption,
                                              footerKeyMetadata: meta.footerSigningKeyMetadata)
                    if decryption.verifyFooterSignature, let cipher = d.footerCipher {
                        let signed = r.position
                        guard footer.count - signed == 28,
                              cipher.verifySignature(footer: UnsafeRawBufferPointer(rebasing: footer[0..<signed]),
                                                     signature: UnsafeRawBufferPointer(rebasing: footer[signed...]))
                        else {
                            throw ParquetError.encrypted(
                                "footer: signature does not verify (wrong footer key or AAD prefix, or the footer was altered)")
                        }
                    }
                    decryptor = d
                }
            }
            let algorithm = encryptedFooter
                ? (try? FileCryptoMetaData.decode(footer))?.0.encryptionAlgorithm : meta.encryptionAlgorithm
            return (meta, decryptor, algorithm)
        }
        var meta = footerRead.0
        let decryptor = footerRead.1
        schema = try Schema(elements: meta.schema)
        for (g, rg) in meta.rowGroups.enumerated() {
            guard rg.columns.count == schema.columns.count else {
                throw ParquetError.corrupt(
                    "row group \(g) has \(rg.columns.count) column chunks but the schema has \(schema.columns.count) leaf columns")
            }
            guard rg.numRows >= 0 else { throw ParquetError.corrupt("row group \(g) has negative num_rows") }
        }
        if let decryptor {
            decryptor.resolveColumns(metadata: meta, schema: schema)
            try Self.decryptColumnMetadata(&meta, schema: schema, decryptor: decryptor)
        }
        metadata = meta
        self.decryptor = decryptor
        hasEncryptedFooter = encryptedFooter
        encryptionAlgorithm = footerRead.2
    }

    private static func encryptedFooterMessage(_ crypto: FileCryptoMetaData?) -> String {
        var msg = "file is encrypted (encrypted footer, PARE): reading it needs the footer key"
        if let crypto {
            msg += " (\(crypto.encryptionAlgorithm.name))"
            if let km = crypto.keyMetadata, !km.isEmpty {
                msg += ", key metadata \(Self.printable(km))"
            }
        }
        return msg + " and the column keys; decryption is not configured"
    }

    static func printable(_ bytes: [UInt8]) -> String {
        if let s = String(validating: bytes, as: UTF8.self), s.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7f }) {
            return "'\(s)'"
        }
        return "0x" + bytes.prefix(32).map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    /// Rows in the file: the sum over row groups (some writers leave the footer's num_rows at 0).
    public var numRows: Int64 {
        metadata.rowGroups.reduce(0) { $0 + $1.numRows }
    }

    /// Number of row groups.
    public var rowGroupCount: Int { metadata.rowGroups.count }

    /// The first byte of a column chunk's pages and the bytes the reader may look at (up to the footer: some
    /// writers record a wrong `total_compressed_size`).
    func chunkRange(rowGroup: Int, column: Int) throws -> (ColumnMetaData, Range<Int>) {
        let chunk = metadata.rowGroups[rowGroup].columns[column]
        let path = schema.columns[column].dottedPath
        _ = try chunkCipher(rowGroup: rowGroup, column: column)
        if let fp = chunk.filePath, !fp.isEmpty {
            throw ParquetError.unsupported("column \(path) lives in another file ('\(fp)')")
        }
        guard let meta = chunk.metaData else {
            throw ParquetError.corrupt("column \(path) in row group \(rowGroup) has no metadata")
        }
        let data = meta.dataPageOffset
        var start = data
        if let d = meta.dictionaryPageOffset, d > 0, d < data { start = d }
        guard start >= 4, start < Int64(footerOffset) else {
            throw ParquetError.corrupt(
                "column \(path) in row group \(rowGroup): page offset \(start) outside the data region 4..<\(footerOffset)")
        }
        return (meta, Int(start)..<footerOffset)
    }

    /// Throws one error naming every selected column that cannot be read without keys.
    public func checkReadable(columns: [Int]) throws {
        guard let rg = metadata.rowGroups.first else { return }
        var locked: [String] = []
        for c in columns where c < rg.columns.count {
            let chunk = rg.columns[c]
            if let d = decryptor, case .failure(let e) = d.columnCiphers[c] {
                if chunk.cryptoMetadata != nil || chunk.encryptedColumnMetadata != nil { throw e }
                continue
            }
            if decryptor == nil, chunk.cryptoMetadata != nil || chunk.encryptedColumnMetadata != nil {
                locked.append(schema.columns[c].dottedPath + chunk.keyMetadataDescription)
            }
        }
        if locked.isEmpty { return }
        throw ParquetError.encrypted(
            "file has encrypted columns (plaintext footer\(metadata.encryptionAlgorithm.map { ", \($0.name)" } ?? "")): reading needs the column keys of \(locked.joined(separator: ", ")); decryption is not configured")
    }

    /// Decodes one column chunk.
    public func readColumn(rowGroup: Int, column: Int, options: ReadOptions = ReadOptions()) throws -> ColumnData {
        guard rowGroup >= 0, rowGroup < metadata.rowGroups.count else {
            throw ParquetError.invalidArgument("row group \(rowGroup) out of range 0..<\(metadata.rowGroups.count)")
        }
        guard column >= 0, column < schema.columns.count else {
            throw ParquetError.invalidArgument("column \(column) out of range 0..<\(schema.columns.count)")
        }
        let descriptor = schema.columns[column]
        if let m = metadata.rowGroups[rowGroup].columns[column].metaData, m.numValues == 0 {
            // A chunk with no values (zero rows; writers leave its offsets at 0) has no pages to read.
            return ColumnData(descriptor: descriptor)
        }
        let (meta, range) = try chunkRange(rowGroup: rowGroup, column: column)
        if meta.type != descriptor.physicalType {
            throw ParquetError.corrupt(
                "column \(descriptor.dottedPath): chunk type \(meta.type) differs from schema type \(descriptor.physicalType)")
        }
        var reader = ColumnChunkReader(descriptor: descriptor, metadata: meta,
                                       rowGroupRows: metadata.rowGroups[rowGroup].numRows, options: options)
        reader.cipher = try chunkCipher(rowGroup: rowGroup, column: column)
        let cut = readRange(range, meta)
        if cut == range { return try storage.withBytes(range) { try reader.read($0) } }
        do {
            return try storage.withBytes(cut) { try reader.read($0) }
        } catch {
            // A writer that recorded total_compressed_size short: read up to the footer, as from a local file.
            var again = ColumnChunkReader(descriptor: descriptor, metadata: meta,
                                          rowGroupRows: metadata.rowGroups[rowGroup].numRows, options: options)
            again.cipher = reader.cipher
            return try storage.withBytes(range) { try again.read($0) }
        }
    }

    /// The bytes to fetch for a chunk: up to the footer from a memory map (touching is reading); from an expensive
    /// source, the chunk's `total_compressed_size` (a read that needs more falls back to the full range).
    func readRange(_ range: Range<Int>, _ meta: ColumnMetaData) -> Range<Int> {
        guard storage.readsAreExpensive, meta.totalCompressedSize > 0 else { return range }
        return range.lowerBound..<min(range.upperBound, range.lowerBound &+ Int(clamping: meta.totalCompressedSize))
    }

    /// Tells the source which chunks of a row group are about to be read, so a remote one can fetch them together.
    public func willRead(rowGroup: Int, columns: [Int]) throws {
        guard storage.readsAreExpensive, rowGroup >= 0, rowGroup < metadata.rowGroups.count else { return }
        var ranges: [Range<Int>] = []
        for c in columns where c >= 0 && c < schema.columns.count {
            if let (meta, range) = try? chunkRange(rowGroup: rowGroup, column: c) { ranges.append(readRange(range, meta)) }
        }
        try storage.willRead(ranges)
    }

    /// Drops the file's memory-mapped pages from the process's resident set (decoded data is unaffected).
    public func releaseResidentPages() {
        storage.releaseResidentPages()
    }

    /// Decodes the selected columns (all when nil) of one row group.
    public func readRowGroup(_ rowGroup: Int, columns: [Int]? = nil, options: ReadOptions = ReadOptions()) throws
        -> [ColumnData]
    {
        let cols = columns ?? Array(schema.columns.indices)
        return try cols.map { try readColumn(rowGroup: rowGroup, column: $0, options: options) }
    }
}
