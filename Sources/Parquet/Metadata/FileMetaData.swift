// FileMetaData (the footer) and ColumnOrder (parquet.thrift).

/// Sort order used for a column's min/max statistics (`union ColumnOrder`).
public enum ColumnOrder: Equatable, Hashable, Sendable {
    /// TYPE_ORDER: the order defined by the logical/physical type.
    case typeDefinedOrder
    /// IEEE_754_TOTAL_ORDER for floating point columns.
    case ieee754TotalOrder
    /// INT96_TIMESTAMP_ORDER for legacy INT96 timestamps.
    case int96TimestampOrder
    /// A union member this spec does not know (field id); statistics should then be ignored.
    case undefined(fieldId: Int16)
}

extension ColumnOrder: ThriftStruct {
    /// Decodes a `ColumnOrder` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        var last: Int16 = 0
        var order: ColumnOrder?
        while let f = try r.readFieldHeader(&last) {
            switch f.id {
            case 1 where f.type == .struct: try r.readEmptyStruct(); order = .typeDefinedOrder
            case 2 where f.type == .struct: try r.readEmptyStruct(); order = .ieee754TotalOrder
            case 3 where f.type == .struct: try r.readEmptyStruct(); order = .int96TimestampOrder
            default:
                try r.skip(f.type)
                if f.type == .struct { order = .undefined(fieldId: f.id) }  // mistyped known members are ignored
            }
        }
        guard let order else { throw ParquetError.corrupt("ColumnOrder: empty union") }
        self = order
    }

    /// Appends this `ColumnOrder` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        let s = w.beginStruct()
        switch self {
        case .typeDefinedOrder: w.writeEmptyStructField(1)
        case .ieee754TotalOrder: w.writeEmptyStructField(2)
        case .int96TimestampOrder: w.writeEmptyStructField(3)
        case .undefined(let id): w.writeEmptyStructField(id)
        }
        w.endStruct(s)
    }
}

/// The file footer (`struct FileMetaData`).
public struct FileMetaData: Equatable, Hashable, Sendable {
    /// Format version the writer claims: 1 or 2 (readers do not depend on it).
    public var version: Int32
    /// The schema tree flattened depth-first; element 0 is the root.
    public var schema: [SchemaElement]
    /// Number of rows in the file, the sum of the row groups' rows.
    public var numRows: Int64
    /// The row groups, in file order.
    public var rowGroups: [RowGroup]
    /// Application metadata (e.g. `ARROW:schema`), in order.
    public var keyValueMetadata: [KeyValue]?
    /// e.g. "parquet-mr version 1.12.0 (build …)".
    public var createdBy: String?
    /// One per leaf column when present.
    public var columnOrders: [ColumnOrder]?
    /// Set in files with a plaintext footer whose columns are encrypted.
    public var encryptionAlgorithm: EncryptionAlgorithm?
    /// Retrieval metadata of the key that signs a plaintext footer of an encrypted file.
    public var footerSigningKeyMetadata: [UInt8]?

    /// File metadata with the given fields.
    public init(version: Int32, schema: [SchemaElement], numRows: Int64, rowGroups: [RowGroup],
                keyValueMetadata: [KeyValue]? = nil, createdBy: String? = nil, columnOrders: [ColumnOrder]? = nil,
                encryptionAlgorithm: EncryptionAlgorithm? = nil, footerSigningKeyMetadata: [UInt8]? = nil) {
        self.version = version
        self.schema = schema
        self.numRows = numRows
        self.rowGroups = rowGroups
        self.keyValueMetadata = keyValueMetadata
        self.createdBy = createdBy
        self.columnOrders = columnOrders
        self.encryptionAlgorithm = encryptionAlgorithm
        self.footerSigningKeyMetadata = footerSigningKeyMetadata
    }
}

extension FileMetaData: ThriftStruct {
    /// Decodes a `FileMetaData` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        var last: Int16 = 0
        var version: Int32?, schema: [SchemaElement]?, numRows: Int64?, rowGroups: [RowGroup]?
        var kv: [KeyValue]?, createdBy: String?, orders: [ColumnOrder]?
        var algorithm: EncryptionAlgorithm?, signingKey: [UInt8]?
        while let f = try r.readFieldHeader(&last) {
            switch (f.id, f.type) {
            case (1, .i32): version = try r.readI32()
            case (2, .list): schema = try r.readStructList(SchemaElement.self, "FileMetaData.schema")
            case (3, .i64): numRows = try r.readI64()
            case (4, .list): rowGroups = try r.readStructList(RowGroup.self, "FileMetaData.row_groups")
            case (5, .list): kv = try r.readStructList(KeyValue.self, "FileMetaData.key_value_metadata")
            case (6, .binary): createdBy = try r.readString("FileMetaData.created_by")
            case (7, .list): orders = try r.readStructList(ColumnOrder.self, "FileMetaData.column_orders")
            case (8, .struct): algorithm = try r.readStruct(EncryptionAlgorithm.self, "FileMetaData.encryption_algorithm")
            case (9, .binary): signingKey = try r.readBinary("FileMetaData.footer_signing_key_metadata")
            default: try r.skip(f.type)
            }
        }
        guard let version else { throw thriftMissing("FileMetaData", "version") }
        guard let schema else { throw thriftMissing("FileMetaData", "schema") }
        guard let numRows else { throw thriftMissing("FileMetaData", "num_rows") }
        guard let rowGroups else { throw thriftMissing("FileMetaData", "row_groups") }
        self.init(version: version, schema: schema, numRows: numRows, rowGroups: rowGroups, keyValueMetadata: kv,
                  createdBy: createdBy, columnOrders: orders, encryptionAlgorithm: algorithm,
                  footerSigningKeyMetadata: signingKey)
    }

    /// Appends this `FileMetaData` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        let s = w.beginStruct()
        w.writeField(1, i32: version)
        w.writeField(2, structList: schema)
        w.writeField(3, i64: numRows)
        w.writeField(4, structList: rowGroups)
        w.writeField(5, structList: keyValueMetadata)
        w.writeField(6, string: createdBy)
        w.writeField(7, structList: columnOrders)
        w.writeField(8, struct: encryptionAlgorithm)
        w.writeField(9, binary: footerSigningKeyMetadata)
        w.endStruct(s)
    }

    /// Decodes a footer (the thrift bytes between the data and the 8-byte trailer). Trailing bytes, such as the
    /// footer signature of a plaintext-footer encrypted file, are ignored.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> FileMetaData {
        var r = ThriftCompactReader(bytes)
        return try FileMetaData(from: &r)
    }

    /// Number of leaf (primitive) columns in the schema.
    public var leafColumnCount: Int {
        schema.reduce(0) { $0 + (($1.numChildren ?? 0) == 0 && $1.type != nil ? 1 : 0) }
    }
}
