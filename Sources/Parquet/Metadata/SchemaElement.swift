// SchemaElement and KeyValue (parquet.thrift).

/// One node of the flattened (depth-first) schema tree (`struct SchemaElement`).
public struct SchemaElement: Equatable, Hashable, Sendable {
    /// Physical type; nil for group nodes.
    public var type: PhysicalType?
    /// Byte width of FIXED_LEN_BYTE_ARRAY values.
    public var typeLength: Int32?
    /// Nil only for the root (some writers also set it there).
    public var repetitionType: Repetition?
    /// The field name (for the root, the schema's name, often `schema`).
    public var name: String
    /// Number of children; nil (or absent) for leaves.
    public var numChildren: Int32?
    /// Legacy annotation. A value this model does not know is dropped (treated as absent).
    public var convertedType: ConvertedType?
    /// Legacy DECIMAL scale (see ``LogicalType/decimal(scale:precision:)`` for the current form).
    public var scale: Int32?
    /// Legacy DECIMAL precision.
    public var precision: Int32?
    /// The field id of an external schema (Iceberg, Arrow), if any.
    public var fieldId: Int32?
    /// The logical type annotation; a member this implementation does not know is kept as `undefined`.
    public var logicalType: LogicalType?

    /// A schema element with the given fields.
    public init(name: String, type: PhysicalType? = nil, typeLength: Int32? = nil, repetitionType: Repetition? = nil,
                numChildren: Int32? = nil, convertedType: ConvertedType? = nil, scale: Int32? = nil,
                precision: Int32? = nil, fieldId: Int32? = nil, logicalType: LogicalType? = nil) {
        self.type = type
        self.typeLength = typeLength
        self.repetitionType = repetitionType
        self.name = name
        self.numChildren = numChildren
        self.convertedType = convertedType
        self.scale = scale
        self.precision = precision
        self.fieldId = fieldId
        self.logicalType = logicalType
    }
}

extension SchemaElement: ThriftStruct {
    /// Decodes a `SchemaElement` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        var last: Int16 = 0
        var name: String?
        var e = SchemaElement(name: "")
        while let f = try r.readFieldHeader(&last) {
            switch (f.id, f.type) {
            case (1, .i32): e.type = PhysicalType(rawValue: try r.readI32())
            case (2, .i32): e.typeLength = try r.readI32()
            case (3, .i32):
                let v = try r.readI32()
                guard let rep = Repetition(rawValue: v) else {
                    throw ParquetError.corrupt("SchemaElement: unknown repetition_type \(v)")
                }
                e.repetitionType = rep
            case (4, .binary): name = try r.readString("SchemaElement.name")
            case (5, .i32): e.numChildren = try r.readI32()
            case (6, .i32): e.convertedType = ConvertedType(rawValue: try r.readI32())
            case (7, .i32): e.scale = try r.readI32()
            case (8, .i32): e.precision = try r.readI32()
            case (9, .i32): e.fieldId = try r.readI32()
            case (10, .struct): e.logicalType = try r.readStruct(LogicalType.self, "SchemaElement.logicalType")
            default: try r.skip(f.type)
            }
        }
        guard let name else { throw thriftMissing("SchemaElement", "name") }
        e.name = name
        self = e
    }

    /// Appends this `SchemaElement` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        let s = w.beginStruct()
        w.writeField(1, i32: type?.rawValue)
        w.writeField(2, i32: typeLength)
        w.writeField(3, i32: repetitionType?.rawValue)
        w.writeField(4, string: name)
        w.writeField(5, i32: numChildren)
        w.writeField(6, i32: convertedType?.rawValue)
        w.writeField(7, i32: scale)
        w.writeField(8, i32: precision)
        w.writeField(9, i32: fieldId)
        w.writeField(10, struct: logicalType)
        w.endStruct(s)
    }
}

/// A key/value metadata pair (`struct KeyValue`).
public struct KeyValue: Equatable, Hashable, Sendable {
    /// The key (e.g. `ARROW:schema`, `writer.time.zone`).
    public var key: String
    /// The value, which may be absent.
    public var value: String?

    /// A pair `key` = `value`.
    public init(key: String, value: String? = nil) {
        self.key = key
        self.value = value
    }
}

extension KeyValue: ThriftStruct {
    /// Decodes a `KeyValue` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        var last: Int16 = 0
        var key: String?
        var value: String?
        while let f = try r.readFieldHeader(&last) {
            switch (f.id, f.type) {
            case (1, .binary): key = try r.readString("KeyValue.key")
            case (2, .binary): value = try r.readString("KeyValue.value")
            default: try r.skip(f.type)
            }
        }
        guard let key else { throw thriftMissing("KeyValue", "key") }
        self.init(key: key, value: value)
    }

    /// Appends this `KeyValue` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        let s = w.beginStruct()
        w.writeField(1, string: key)
        w.writeField(2, string: value)
        w.endStruct(s)
    }
}
