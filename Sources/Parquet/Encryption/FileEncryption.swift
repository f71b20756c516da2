// Writing encrypted files (Encryption.md §5): options, and the per-file encryptor the writer hands its finished
// column chunks, page indexes, bloom filters and footer to.

/// A column's encryption key and the key metadata stored with it (a key id, or key material).
public struct ColumnEncryptionKey: Sendable, Equatable {
    /// The AES key: 16, 24 or 32 bytes.
    public var key: [UInt8]
    /// Metadata stored with the column so readers can find the key (a key id or key material), if any.
    public var keyMetadata: [UInt8]?
    /// A column key with optional key metadata.
    public init(key: [UInt8], keyMetadata: [UInt8]? = nil) {
        self.key = key
        self.keyMetadata = keyMetadata
    }
}

/// How a file is encrypted. With no column keys every column is encrypted with the footer key ("uniform
/// encryption"); with column keys only those columns are encrypted, each with its key.
public struct FileEncryptionOptions: Sendable {
    /// `AES_GCM_V1` (default) or `AES_GCM_CTR_V1`.
    public var algorithm: EncryptionAlgorithmKind = .gcm
    /// The footer key: 16, 24 or 32 bytes; also the key of columns without their own key in uniform encryption.
    public var footerKey: [UInt8]
    /// Metadata stored in the file so readers can find the footer key, if any.
    public var footerKeyMetadata: [UInt8]?
    /// Keys of encrypted columns by dotted path.
    public var columnKeys: [String: ColumnEncryptionKey] = [:]
    /// Leave the footer readable (signed, PAR1) so legacy readers can read the plaintext columns.
    public var plaintextFooter = false
    /// An AAD prefix that binds the file to a name or table, if any.
    public var aadPrefix: [UInt8]?
    /// Store the AAD prefix in the file (else readers must supply it: `supply_aad_prefix`).
    public var storeAadPrefix = true

    /// Uniform encryption with `footerKey` and `algorithm` (add ``columnKeys`` to encrypt only some columns).
    public init(footerKey: [UInt8], footerKeyMetadata: [UInt8]? = nil, algorithm: EncryptionAlgorithmKind = .gcm) {
        self.footerKey = footerKey
        self.footerKeyMetadata = footerKeyMetadata
        self.algorithm = algorithm
    }
}

/// The writer's encryption state for one file.
final class FileEncryptor: @unchecked Sendable {
    let options: FileEncryptionOptions
    let algorithm: EncryptionAlgorithm
    let footer: ModuleCipher
    /// Per leaf column: nil (plaintext), or its cipher and whether it uses the footer key.
    let columns: [(cipher: ModuleCipher, footerKey: Bool, keyMetadata: [UInt8]?, path: [String])?]

    init(options: FileEncryptionOptions, schema: Schema) throws {
        self.options = options
        var rng = SystemRandomNumberGenerator()
        let unique = (0..<8).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let stored = options.storeAadPrefix ? options.aadPrefix : nil
        let supply: Bool? = options.aadPrefix != nil && !options.storeAadPrefix ? true : nil
        switch options.algorithm {
        case .gcm: algorithm = .aesGcmV1(AesGcmV1(aadPrefix: stored, aadFileUnique: unique, supplyAadPrefix: supply))
        case .gcmCtr:
            algorithm = .aesGcmCtrV1(AesGcmCtrV1(aadPrefix: stored, aadFileUnique: unique, supplyAadPrefix: supply))
        }
        let fileAAD = (options.aadPrefix ?? []) + unique
        func cipher(_ key: [UInt8], _ what: String) throws -> ModuleCipher {
            do { return try ModuleCipher(key: key, fileAAD: fileAAD) } catch {
                throw ParquetError.invalidArgument("\(what) is \(key.count) bytes; AES keys are 16, 24 or 32 bytes")
            }
        }
        footer = try cipher(options.footerKey, "footer key")
        for p in options.columnKeys.keys where !schema.columns.contains(where: { $0.dottedPath == p }) {
            throw ParquetError.invalidArgument("column key for '\(p)': no such column in the schema")
        }
        let f = footer
        columns = try schema.columns.map { d in
            if options.columnKeys.isEmpty { return (f, true, nil, d.path) }
            guard let k = options.columnKeys[d.dottedPath] else { return nil }
            if k.key == options.footerKey && k.keyMetadata == nil { return (f, true, nil, d.path) }
            return (try cipher(k.key, "key of column \(d.dottedPath)"), false, k.keyMetadata, d.path)
        }
    }

    var ctr: Bool { options.algorithm == .gcmCtr }

    /// Encrypts every page of a finished chunk in place: each header becomes a GCM module, each body a GCM or
    /// CTR module (compressed_page_size counts the module), and the page records follow the new sizes.
    func encryptChunk(_ chunk: inout FinishedChunk, rowGroup: Int, column: Int) throws {
        guard let col = columns[column] else { return }
        let c = col.cipher
        if !chunk.dictionaryPage.isEmpty {
            var out: [UInt8] = []
            _ = try encryptPages(chunk.dictionaryPage, cipher: c, rowGroup: rowGroup, column: column,
                                 firstDataOrdinal: 0, dictionary: true, into: &out)
            chunk.dictionaryPage = out
        }
        var out: [UInt8] = []
        out.reserveCapacity(chunk.data.count + 64 * chunk.pages.count)
        let spans = try encryptPages(chunk.data, cipher: c, rowGroup: rowGroup, column: column, firstDataOrdinal: 0,
                                     dictionary: false, into: &out)
        guard spans.count == chunk.pages.count else {
            throw ParquetError.corrupt("encrypting column \(column): \(spans.count) pages but \(chunk.pages.count) page records")
        }
        for k in spans.indices {
            chunk.pages[k].offset = spans[k].offset
            chunk.pages[k].size = spans[k].size
        }
        chunk.data = out
        chunk.dataBytes = out.count
        chunk.meta.totalCompressedSize = Int64(chunk.dictionaryPage.count + out.count)
    }

    private func encryptPages(_ bytes: [UInt8], cipher c: ModuleCipher, rowGroup: Int, column: Int,
                              firstDataOrdinal: Int, dictionary: Bool, into out: inout [UInt8]) throws
        -> [(offset: Int, size: Int)]
    {
        var spans: [(offset: Int, size: Int)] = []
        var ordinal = firstDataOrdinal
        try bytes.withUnsafeBytes { all in
            var pos = 0
            while pos < all.count {
                var (header, hl) = try PageHeader.decode(UnsafeRawBufferPointer(rebasing: all[pos...]))
                let body = UnsafeRawBufferPointer(rebasing: all[(pos + hl)..<(pos + hl + Int(header.compressedPageSize))])
                let isDict = header.type == .dictionaryPage
                var module: [UInt8] = []
                if ctr {
                    try c.sealCTR(body, into: &module)
                } else {
                    let aad = isDict ? c.aad(.dictionaryPage, rowGroup: rowGroup, column: column)
                        : c.aad(.dataPage, rowGroup: rowGroup, column: column, page: ordinal)
                    try c.sealGCM(body, aad: aad, into: &module)
                }
                header.compressedPageSize = Int32(module.count)
                if header.crc != nil { header.crc = Int32(bitPattern: module.withUnsafeBytes { crc32($0) }) }
                let start = out.count
                let hAAD = isDict ? c.aad(.dictionaryPageHeader, rowGroup: rowGroup, column: column)
                    : c.aad(.dataPageHeader, rowGroup: rowGroup, column: column, page: ordinal)
                try header.serialize().withUnsafeBytes { try c.sealGCM($0, aad: hAAD, into: &out) }
                out.append(contentsOf: module)
                if !isDict {
                    spans.append((start, out.count - start))
                    ordinal += 1
                }
                pos += hl + body.count
            }
        }
        return spans
    }

    /// The ColumnChunk of an encrypted column (§5.3-5.4): crypto metadata, and the ColumnMetaData encrypted with
    /// the column key where it must be (column keys, or any key under a plaintext footer); a plaintext footer
    /// keeps a copy without statistics for legacy readers.
    func finishChunk(_ chunk: inout ColumnChunk, rowGroup: Int, column: Int) throws {
        guard let col = columns[column], let meta = chunk.metaData else { return }
        chunk.cryptoMetadata = col.footerKey
            ? .encryptionWithFooterKey
            : .encryptionWithColumnKey(EncryptionWithColumnKey(pathInSchema: col.path, keyMetadata: col.keyMetadata))
        if col.footerKey && !options.plaintextFooter { return }
        var sealed: [UInt8] = []
        try meta.serialize().withUnsafeBytes {
            try col.cipher.sealGCM($0, aad: col.cipher.aad(.columnMetaData, rowGroup: rowGroup, column: column), into: &sealed)
        }
        chunk.encryptedColumnMetadata = sealed
        if options.plaintextFooter {
            var stripped = meta
            stripped.statistics = nil
            stripped.encodingStats = nil
            stripped.sizeStatistics = nil
            stripped.geospatialStatistics = nil
            chunk.metaData = stripped
        } else {
            chunk.metaData = nil
        }
    }

    /// A GCM module of a serialized index or bloom filter part (module types 6-9), or the bytes as they are for
    /// a plaintext column.
    func sealAuxiliary(_ bytes: [UInt8], _ type: ModuleType, rowGroup: Int, column: Int) throws -> [UInt8] {
        guard let col = columns[column] else { return bytes }
        var out: [UInt8] = []
        try bytes.withUnsafeBytes {
            try col.cipher.sealGCM($0, aad: col.cipher.aad(type, rowGroup: rowGroup, column: column), into: &out)
        }
        return out
    }

    /// A bloom filter: header (module 8) and bitset (module 9) each sealed.
    func sealBloomFilter(_ bytes: [UInt8], rowGroup: Int, column: Int) throws -> [UInt8] {
        guard columns[column] != nil else { return bytes }
        let hl = try bytes.withUnsafeBytes { try BloomFilterHeader.decode($0).headerLength }
        return try sealAuxiliary(Array(bytes[0..<hl]), .bloomFilterHeader, rowGroup: rowGroup, column: column)
            + sealAuxiliary(Array(bytes[hl...]), .bloomFilterBitset, rowGroup: rowGroup, column: column)
    }

    /// The file's tail after the last data: an encrypted footer (FileCryptoMetaData + GCM module, "PARE") or a
    /// signed plaintext footer (FileMetaData + nonce + tag, "PAR1"), each with its 4-byte length.
    func footerBytes(_ meta: FileMetaData) throws -> [UInt8] {
        var out: [UInt8]
        if options.plaintextFooter {
            var m = meta
            m.encryptionAlgorithm = algorithm
            m.footerSigningKeyMetadata = options.footerKeyMetadata
            out = m.serialize()
            out += try out.withUnsafeBytes { try footer.sign(footer: $0) }
        } else {
            out = FileCryptoMetaData(encryptionAlgorithm: algorithm, keyMetadata: options.footerKeyMetadata).serialize()
            try meta.serialize().withUnsafeBytes { try footer.sealGCM($0, aad: footer.aad(.footer), into: &out) }
        }
        let len = UInt32(out.count)
        for k in 0..<4 { out.append(UInt8(truncatingIfNeeded: len >> UInt32(8 * k))) }
        out += Array((options.plaintextFooter ? "PAR1" : "PARE").utf8)
        return out
    }

    var magic: [UInt8] { Array((options.plaintextFooter ? "PAR1" : "PARE").utf8) }
}
