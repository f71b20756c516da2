// Modular encryption metadata (parquet.thrift): EncryptionAlgorithm, FileCryptoMetaData, ColumnCryptoMetaData.

/// Parameters of AES_GCM_V1 (`struct AesGcmV1`).
public struct AesGcmV1: Equatable, Hashable, Sendable {
    /// AAD prefix (stored only if the writer chose to).
    public var aadPrefix: [UInt8]?
    /// Unique file identifier part of the AAD.
    public var aadFileUnique: [UInt8]?
    /// True if the reader must supply the AAD prefix.
    public var supplyAadPrefix: Bool?

    /// AES-GCM parameters with the given fields.
    public init(aadPrefix: [UInt8]? = nil, aadFileUnique: [UInt8]? = nil, supplyAadPrefix: Bool? = nil) {
        self.aadPrefix = aadPrefix
        self.aadFileUnique = aadFileUnique
        self.supplyAadPrefix = supplyAadPrefix
    }
}

/// Parameters of AES_GCM_CTR_V1 (`struct AesGcmCtrV1`).
public struct AesGcmCtrV1: Equatable, Hashable, Sendable {
    /// AAD prefix (stored only if the writer chose to).
    public var aadPrefix: [UInt8]?
    /// Unique file identifier part of the AAD.
    public var aadFileUnique: [UInt8]?
    /// True if the reader must supply the AAD prefix.
    public var supplyAadPrefix: Bool?

    /// AES-GCM-CTR parameters with the given fields.
    public init(aadPrefix: [UInt8]? = nil, aadFileUnique: [UInt8]? = nil, supplyAadPrefix: Bool? = nil) {
        self.aadPrefix = aadPrefix
        self.aadFileUnique = aadFileUnique
        self.supplyAadPrefix = supplyAadPrefix
    }
}

private func readAesFields(_ r: inout ThriftCompactReader, _ name: StaticString)
    throws -> (prefix: [UInt8]?, unique: [UInt8]?, supply: Bool?) {
    var last: Int16 = 0
    var prefix: [UInt8]?, unique: [UInt8]?, supply: Bool?
    while let f = try r.readFieldHeader(&last) {
        switch f.id {
        case 1 where f.type == .binary: prefix = try r.readBinary(name)
        case 2 where f.type == .binary: unique = try r.readBinary(name)
        case 3 where f.isBool: supply = f.boolValue
        default: try r.skip(f.type)
        }
    }
    return (prefix, unique, supply)
}

private func writeAesFields(_ w: inout ThriftCompactWriter, _ prefix: [UInt8]?, _ unique: [UInt8]?, _ supply: Bool?) {
    let s = w.beginStruct()
    w.writeField(1, binary: prefix)
    w.writeField(2, binary: unique)
    w.writeField(3, bool: supply)
    w.endStruct(s)
}

extension AesGcmV1: ThriftStruct {
    /// Decodes a `AesGcmV1` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        let (p, u, s) = try readAesFields(&r, "AesGcmV1")
        self.init(aadPrefix: p, aadFileUnique: u, supplyAadPrefix: s)
    }

    /// Appends this `AesGcmV1` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        writeAesFields(&w, aadPrefix, aadFileUnique, supplyAadPrefix)
    }
}

extension AesGcmCtrV1: ThriftStruct {
    /// Decodes a `AesGcmCtrV1` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        let (p, u, s) = try readAesFields(&r, "AesGcmCtrV1")
        self.init(aadPrefix: p, aadFileUnique: u, supplyAadPrefix: s)
    }

    /// Appends this `AesGcmCtrV1` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        writeAesFields(&w, aadPrefix, aadFileUnique, supplyAadPrefix)
    }
}

/// `union EncryptionAlgorithm`.
public enum EncryptionAlgorithm: Equatable, Hashable, Sendable {
    /// `AES_GCM_V1`: every module (pages and metadata) encrypted and authenticated with AES-GCM.
    case aesGcmV1(AesGcmV1)
    /// `AES_GCM_CTR_V1`: page data encrypted with AES-CTR (not authenticated), metadata with AES-GCM.
    case aesGcmCtrV1(AesGcmCtrV1)
    /// A union member this spec does not know (field id); such files cannot be decrypted.
    case undefined(fieldId: Int16)
}

extension EncryptionAlgorithm: ThriftStruct {
    /// Decodes an `EncryptionAlgorithm` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        var last: Int16 = 0
        var result: EncryptionAlgorithm?
        while let f = try r.readFieldHeader(&last) {
            switch f.id {
            case 1 where f.type == .struct: result = .aesGcmV1(try AesGcmV1(from: &r))
            case 2 where f.type == .struct: result = .aesGcmCtrV1(try AesGcmCtrV1(from: &r))
            default:
                try r.skip(f.type)
                if f.type == .struct { result = .undefined(fieldId: f.id) }  // mistyped known members are ignored
            }
        }
        guard let result else { throw ParquetError.corrupt("EncryptionAlgorithm: empty union") }
        self = result
    }

    /// Appends this `EncryptionAlgorithm` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        let s = w.beginStruct()
        switch self {
        case .aesGcmV1(let a): w.writeField(1, struct: a)
        case .aesGcmCtrV1(let a): w.writeField(2, struct: a)
        case .undefined(let id): w.writeEmptyStructField(id)
        }
        w.endStruct(s)
    }
}

/// The plaintext prefix of an encrypted footer ("PARE" files) (`struct FileCryptoMetaData`).
public struct FileCryptoMetaData: Equatable, Hashable, Sendable {
    /// The algorithm and AAD parameters of the file.
    public var encryptionAlgorithm: EncryptionAlgorithm
    /// Retrieval metadata of the footer key.
    public var keyMetadata: [UInt8]?

    /// Crypto metadata with the given fields.
    public init(encryptionAlgorithm: EncryptionAlgorithm, keyMetadata: [UInt8]? = nil) {
        self.encryptionAlgorithm = encryptionAlgorithm
        self.keyMetadata = keyMetadata
    }

    /// Decodes the crypto metadata at the start of an encrypted footer; returns it and its length (the
    /// encrypted FileMetaData follows).
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> (FileCryptoMetaData, length: Int) {
        var r = ThriftCompactReader(bytes)
        let m = try FileCryptoMetaData(from: &r)
        return (m, r.position)
    }
}

extension FileCryptoMetaData: ThriftStruct {
    /// Decodes a `FileCryptoMetaData` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        var last: Int16 = 0
        var alg: EncryptionAlgorithm?, key: [UInt8]?
        while let f = try r.readFieldHeader(&last) {
            switch (f.id, f.type) {
            case (1, .struct): alg = try EncryptionAlgorithm(from: &r)
            case (2, .binary): key = try r.readBinary("FileCryptoMetaData.key_metadata")
            default: try r.skip(f.type)
            }
        }
        guard let alg else { throw thriftMissing("FileCryptoMetaData", "encryption_algorithm") }
        self.init(encryptionAlgorithm: alg, keyMetadata: key)
    }

    /// Appends this `FileCryptoMetaData` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        let s = w.beginStruct()
        w.writeField(1, struct: encryptionAlgorithm)
        w.writeField(2, binary: keyMetadata)
        w.endStruct(s)
    }
}

/// Column encrypted with its own key (`struct EncryptionWithColumnKey`).
public struct EncryptionWithColumnKey: Equatable, Hashable, Sendable {
    /// The encrypted column's path (the same as in its `ColumnMetaData`).
    public var pathInSchema: [String]
    /// Retrieval metadata of the column key (a key id or key material), passed to the key retriever.
    public var keyMetadata: [UInt8]?

    /// A column-key description with the given fields.
    public init(pathInSchema: [String], keyMetadata: [UInt8]? = nil) {
        self.pathInSchema = pathInSchema
        self.keyMetadata = keyMetadata
    }
}

extension EncryptionWithColumnKey: ThriftStruct {
    /// Decodes a `EncryptionWithColumnKey` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        var last: Int16 = 0
        var path: [String]?, key: [UInt8]?
        while let f = try r.readFieldHeader(&last) {
            switch (f.id, f.type) {
            case (1, .list): path = try r.readStringList("EncryptionWithColumnKey.path_in_schema")
            case (2, .binary): key = try r.readBinary("EncryptionWithColumnKey.key_metadata")
            default: try r.skip(f.type)
            }
        }
        guard let path else { throw thriftMissing("EncryptionWithColumnKey", "path_in_schema") }
        self.init(pathInSchema: path, keyMetadata: key)
    }

    /// Appends this `EncryptionWithColumnKey` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        let s = w.beginStruct()
        w.writeField(1, stringList: pathInSchema)
        w.writeField(2, binary: keyMetadata)
        w.endStruct(s)
    }
}

/// How a column chunk is encrypted (`union ColumnCryptoMetaData`).
public enum ColumnCryptoMetaData: Equatable, Hashable, Sendable {
    /// ENCRYPTION_WITH_FOOTER_KEY (`EncryptionWithFooterKey`, an empty struct).
    case encryptionWithFooterKey
    /// ENCRYPTION_WITH_COLUMN_KEY: the column has its own key.
    case encryptionWithColumnKey(EncryptionWithColumnKey)
    /// A union member this implementation does not know (its field id); the column cannot be decrypted.
    case undefined(fieldId: Int16)
}

extension ColumnCryptoMetaData: ThriftStruct {
    /// Decodes a `ColumnCryptoMetaData` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        var last: Int16 = 0
        var result: ColumnCryptoMetaData?
        while let f = try r.readFieldHeader(&last) {
            switch f.id {
            case 1 where f.type == .struct: try r.readEmptyStruct(); result = .encryptionWithFooterKey
            case 2 where f.type == .struct: result = .encryptionWithColumnKey(try EncryptionWithColumnKey(from: &r))
            default:
                try r.skip(f.type)
                if f.type == .struct { result = .undefined(fieldId: f.id) }  // mistyped known members are ignored
            }
        }
        guard let result else { throw ParquetError.corrupt("ColumnCryptoMetaData: empty union") }
        self = result
    }

    /// Appends this `ColumnCryptoMetaData` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        let s = w.beginStruct()
        switch self {
        case .encryptionWithFooterKey: w.writeEmptyStructField(1)
        case .encryptionWithColumnKey(let k): w.writeField(2, struct: k)
        case .undefined(let id): w.writeEmptyStructField(id)
        }
        w.endStruct(s)
    }
}
