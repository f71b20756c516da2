// Reading encrypted files (Encryption.md): the keys a reader supplies, and the per-file decryptor that resolves
// them against the footer's crypto metadata.

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Finds a key from the `key_metadata` a writer stored for it (Encryption.md §4.3): a key id, or key material
/// to unwrap through a KMS (ParquetKeyManagement), or anything else the caller's scheme stores.
public protocol DecryptionKeyRetriever: Sendable {
    /// The key (16, 24 or 32 bytes) for this key metadata; nil when the retriever does not know it. Throws when
    /// retrieval itself fails (bad key material, unknown master key) with a message naming the cause.
    func retrieveKey(keyMetadata: [UInt8]) throws -> [UInt8]?
}

/// Keys and options for reading an encrypted file. Explicit keys win over the retriever.
public struct FileDecryptionProperties: Sendable {
    /// The footer key (decrypts an encrypted footer, verifies a signed plaintext footer, and decrypts columns
    /// encrypted with the footer key).
    public var footerKey: [UInt8]?
    /// Column keys by dotted column path (`a.b.list.element`).
    public var columnKeys: [String: [UInt8]]
    /// Resolves keys from their key metadata when no explicit key is given.
    public var keyRetriever: (any DecryptionKeyRetriever)?
    /// The AAD prefix, for files written with one they do not store (`supply_aad_prefix`); when the file stores
    /// one too, both must be equal.
    public var aadPrefix: [UInt8]?
    /// Verify the signature of a plaintext footer when the footer key is known (default on).
    public var verifyFooterSignature: Bool

    /// Decryption properties with explicit keys (16, 24 or 32 bytes each; column keys by dotted path), a retriever for
    /// keys named by key metadata, an AAD prefix, and whether to verify a plaintext footer's signature.
    public init(footerKey: [UInt8]? = nil, columnKeys: [String: [UInt8]] = [:],
                keyRetriever: (any DecryptionKeyRetriever)? = nil, aadPrefix: [UInt8]? = nil,
                verifyFooterSignature: Bool = true) {
        self.footerKey = footerKey
        self.columnKeys = columnKeys
        self.keyRetriever = keyRetriever
        self.aadPrefix = aadPrefix
        self.verifyFooterSignature = verifyFooterSignature
    }
}

/// How one encrypted column chunk is decrypted.
struct ChunkCipher: Sendable {
    let cipher: ModuleCipher
    /// AES_GCM_CTR_V1: page bodies are CTR modules.
    let ctrPages: Bool
    let rowGroup: Int
    let column: Int
}

/// The resolved decryption state of one file: algorithm, file AAD, footer key and the column keys found.
final class FileDecryptor: @unchecked Sendable {
    let algorithm: EncryptionAlgorithmKind
    let fileAAD: [UInt8]
    let properties: FileDecryptionProperties
    private(set) var footerCipher: ModuleCipher?
    /// Per leaf column: its cipher, or why there is none.
    private(set) var columnCiphers: [Result<ModuleCipher, ParquetError>] = []

    init(algorithm: EncryptionAlgorithm, properties: FileDecryptionProperties, footerKeyMetadata: [UInt8]?) throws {
        let prefix: [UInt8]?, unique: [UInt8]?, supply: Bool?
        switch algorithm {
        case .aesGcmV1(let a):
            self.algorithm = .gcm
            (prefix, unique, supply) = (a.aadPrefix, a.aadFileUnique, a.supplyAadPrefix)
        case .aesGcmCtrV1(let a):
            self.algorithm = .gcmCtr
            (prefix, unique, supply) = (a.aadPrefix, a.aadFileUnique, a.supplyAadPrefix)
        case .undefined(let id):
            throw ParquetError.unsupported("encryption algorithm with union field id \(id) (known: AES_GCM_V1, AES_GCM_CTR_V1)")
        }
        var aadPrefix: [UInt8] = []
        if let supplied = properties.aadPrefix {
            if let stored = prefix, stored != supplied {
                throw ParquetError.encrypted(
                    "the AAD prefix given (\(ParquetFile.printable(supplied))) differs from the one stored in the file (\(ParquetFile.printable(stored)))")
            }
            aadPrefix = supplied
        } else if let stored = prefix {
            aadPrefix = stored
        } else if supply == true {
            throw ParquetError.encrypted(
                "file was encrypted with an AAD prefix it does not store: supply it (--aad-prefix)")
        }
        fileAAD = aadPrefix + (unique ?? [])
        self.properties = properties
        if let key = try Self.resolve(explicit: properties.footerKey, metadata: footerKeyMetadata,
                                      retriever: properties.keyRetriever, what: "footer") {
            footerCipher = try Self.cipher(key, fileAAD: fileAAD, what: "footer")
        }
    }

    var ctrPages: Bool { algorithm == .gcmCtr }

    /// The footer cipher, or an error saying the footer key is missing.
    func requireFooterCipher(_ keyMetadata: [UInt8]?) throws -> ModuleCipher {
        if let c = footerCipher { return c }
        var m = "footer: no footer key"
        if let km = keyMetadata, !km.isEmpty { m += " (key metadata \(ParquetFile.printable(km)))" }
        throw ParquetError.encrypted(m + ": give --footer-key, --key-file or --kms-keys")
    }

    /// Resolves each leaf column's cipher from the first row group that describes its encryption.
    func resolveColumns(metadata: FileMetaData, schema: Schema) {
        columnCiphers = schema.columns.indices.map { c in
            let path = schema.columns[c].dottedPath
            guard let crypto = metadata.rowGroups.lazy.compactMap({ $0.columns[c].cryptoMetadata }).first else {
                return .failure(.encrypted("column \(path) is not encrypted"))
            }
            switch crypto {
            case .encryptionWithFooterKey:
                if let f = footerCipher { return .success(f) }
                return .failure(.encrypted("column \(path): encrypted with the footer key, which was not given"))
            case .encryptionWithColumnKey(let k):
                do {
                    guard let key = try Self.resolve(explicit: properties.columnKeys[path], metadata: k.keyMetadata,
                                                     retriever: properties.keyRetriever, what: "column \(path)")
                    else {
                        var m = "column \(path): no column key"
                        if let km = k.keyMetadata, !km.isEmpty { m += " (key metadata \(ParquetFile.printable(km)))" }
                        return .failure(.encrypted(m + ": give --column-key \(path):KEY, --key-file or --kms-keys"))
                    }
                    return .success(try Self.cipher(key, fileAAD: fileAAD, what: "column \(path)"))
                } catch let e as ParquetError {
                    return .failure(e)
                } catch {
                    return .failure(.encrypted("column \(path): \(error)"))
                }
            case .undefined(let id):
                return .failure(.unsupported("column \(path): column crypto metadata with union field id \(id)"))
            }
        }
    }

    private static func resolve(explicit: [UInt8]?, metadata: [UInt8]?, retriever: (any DecryptionKeyRetriever)?,
                                what: String) throws -> [UInt8]? {
        if let explicit { return explicit }
        guard let retriever, let metadata else { return nil }
        do {
            return try retriever.retrieveKey(keyMetadata: metadata)
        } catch let e as ParquetError {
            throw e
        } catch {
            throw ParquetError.encrypted("\(what): cannot retrieve the key: \(error)")
        }
    }

    private static func cipher(_ key: [UInt8], fileAAD: [UInt8], what: String) throws -> ModuleCipher {
        do {
            return try ModuleCipher(key: key, fileAAD: fileAAD)
        } catch {
            throw ParquetError.encrypted("\(what): key is \(key.count) bytes; AES keys are 16, 24 or 32 bytes")
        }
    }
}

extension ParquetFile {
    /// Decrypts the ColumnMetaData of chunks that carry it encrypted (Encryption.md §5.3) where the key is known.
    static func decryptColumnMetadata(_ meta: inout FileMetaData, schema: Schema, decryptor: FileDecryptor) throws {
        for g in meta.rowGroups.indices {
            let ordinal = meta.rowGroups[g].ordinal.map(Int.init) ?? g
            for c in meta.rowGroups[g].columns.indices {
                guard let enc = meta.rowGroups[g].columns[c].encryptedColumnMetadata,
                      c < decryptor.columnCiphers.count, case .success(let cipher) = decryptor.columnCiphers[c]
                else { continue }
                let path = schema.columns[c].dottedPath
                let plain: Data
                do {
                    (plain, _) = try enc.withUnsafeBytes {
                        try cipher.openGCM($0, aad: cipher.aad(.columnMetaData, rowGroup: ordinal, column: c))
                    }
                } catch {
                    throw ParquetError.encrypted(
                        "column \(path) row group \(g): wrong column key or AAD prefix (GCM authentication of its column metadata failed)")
                }
                let cm = try plain.withUnsafeBytes { buf -> ColumnMetaData in
                    var r = ThriftCompactReader(buf)
                    return try ColumnMetaData(from: &r)
                }
                meta.rowGroups[g].columns[c].metaData = cm
            }
        }
    }

    /// The cipher of an encrypted column chunk; nil for a plaintext chunk; an error naming the column when its
    /// key is missing.
    func chunkCipher(rowGroup: Int, column: Int) throws -> ChunkCipher? {
        let chunk = metadata.rowGroups[rowGroup].columns[column]
        guard chunk.cryptoMetadata != nil || chunk.encryptedColumnMetadata != nil else { return nil }
        let path = schema.columns[column].dottedPath
        guard let decryptor else {
            throw ParquetError.encrypted(
                "column \(path) is encrypted: reading it needs its column key\(chunk.keyMetadataDescription); decryption is not configured")
        }
        switch decryptor.columnCiphers[column] {
        case .success(let c):
            let ordinal = metadata.rowGroups[rowGroup].ordinal.map(Int.init) ?? rowGroup
            return ChunkCipher(cipher: c, ctrPages: decryptor.ctrPages, rowGroup: ordinal, column: column)
        case .failure(let e):
            throw e
        }
    }
}
