// Building schemas for writing: leaf and group constructors (standard 3-level LIST, MAP), and the flattening of
// a schema tree into the footer's SchemaElement list.

extension SchemaNode {
    /// A primitive column. The converted (legacy) type is derived from `logical` unless given.
    public static func leaf(_ name: String, _ type: PhysicalType, _ repetition: Repetition = .optional,
                            logical: LogicalType? = nil, converted: ConvertedType? = nil, length: Int = 0,
                            fieldId: Int32? = nil) -> SchemaNode {
        var scale = 0, precision = 0
        if case .decimal(let s, let p)? = logical { scale = Int(s); precision = Int(p) }
        var len = length
        if type == .fixedLenByteArray, len == 0 {
            if logical == .uuid { len = 16 } else if logical == .float16 { len = 2 }
        }
        return SchemaNode(name: name, repetition: repetition, physicalType: type, typeLength: len,
                          convertedType: converted ?? logical.flatMap { ConvertedType.legacy(for: $0, physical: type) },
                          logicalType: logical, scale: scale, precision: precision, fieldId: fieldId)
    }

    /// A struct.
    public static func group(_ name: String, _ repetition: Repetition = .optional, _ children: [SchemaNode],
                             logical: LogicalType? = nil, fieldId: Int32? = nil) -> SchemaNode {
        SchemaNode(name: name, repetition: repetition, convertedType: logical.flatMap { ConvertedType.legacy(for: $0, physical: nil) },
                   logicalType: logical, fieldId: fieldId, children: children)
    }

    /// A standard 3-level LIST: `<repetition> group name (LIST) { repeated group list { <element> element } }`.
    public static func list(_ name: String, _ repetition: Repetition = .optional, element: SchemaNode,
                            fieldId: Int32? = nil) -> SchemaNode {
        var e = element
        e.name = "element"
        let inner = SchemaNode(name: "list", repetition: .repeated, children: [e])
        return group(name, repetition, [inner], logical: .list, fieldId: fieldId)
    }

    /// A MAP: `<repetition> group name (MAP) { repeated group key_value { required <key> key; <value> value } }`.
    public static func map(_ name: String, _ repetition: Repetition = .optional, key: SchemaNode, value: SchemaNode,
                           fieldId: Int32? = nil) -> SchemaNode {
        var k = key, v = value
        k.name = "key"
        k.repetition = .required
        v.name = "value"
        let inner = SchemaNode(name: "key_value", repetition: .repeated, children: [k, v])
        return group(name, repetition, [inner], logical: .map, fieldId: fieldId)
    }

    /// A UTF-8 string leaf: BYTE_ARRAY annotated STRING.
    public static func string(_ name: String, _ repetition: Repetition = .optional) -> SchemaNode {
        leaf(name, .byteArray, repetition, logical: .string)
    }
    /// A binary leaf: BYTE_ARRAY without annotation.
    public static func binary(_ name: String, _ repetition: Repetition = .optional) -> SchemaNode {
        leaf(name, .byteArray, repetition)
    }
    /// A BOOLEAN leaf.
    public static func bool(_ name: String, _ repetition: Repetition = .optional) -> SchemaNode {
        leaf(name, .boolean, repetition)
    }
    /// An INT32 leaf.
    public static func int32(_ name: String, _ repetition: Repetition = .optional) -> SchemaNode {
        leaf(name, .int32, repetition)
    }
    /// An INT64 leaf.
    public static func int64(_ name: String, _ repetition: Repetition = .optional) -> SchemaNode {
        leaf(name, .int64, repetition)
    }
    /// A FLOAT (32-bit) leaf.
    public static func float(_ name: String, _ repetition: Repetition = .optional) -> SchemaNode {
        leaf(name, .float, repetition)
    }
    /// A DOUBLE (64-bit) leaf.
    public static func double(_ name: String, _ repetition: Repetition = .optional) -> SchemaNode {
        leaf(name, .double, repetition)
    }
    /// A timestamp: INT64 with TIMESTAMP(unit, UTC) by default (MICROS), or legacy INT96 (Hive, Firehose) when
    /// `int96` is set (row values are then nanoseconds since the epoch).
    public static func timestamp(_ name: String, _ repetition: Repetition = .optional, unit: TimeUnit = .micros,
                                 utc: Bool = true, int96: Bool = false) -> SchemaNode {
        if int96 { return leaf(name, .int96, repetition) }
        return leaf(name, .int64, repetition, logical: .timestamp(isAdjustedToUTC: utc, unit: unit))
    }
}

extension ConvertedType {
    /// The legacy converted type matching a logical type (written alongside it for old readers), if any.
    public static func legacy(for logical: LogicalType, physical: PhysicalType?) -> ConvertedType? {
        switch logical {
        case .string: return .utf8
        case .map: return .map
        case .list: return .list
        case .enum: return .enumType
        case .decimal: return .decimal
        case .date: return .date
        case .json: return .json
        case .bson: return .bson
        case .time(_, let u):
            switch u { case .millis: return .timeMillis; case .micros: return .timeMicros; default: return nil }
        case .timestamp(let utc, let u):
            guard utc else { return nil }
            switch u { case .millis: return .timestampMillis; case .micros: return .timestampMicros; default: return nil }
        case .integer(let bits, let signed):
            switch (bits, signed) {
            case (8, true): return .int8
            case (16, true): return .int16
            case (32, true): return .int32
            case (64, true): return .int64
            case (8, false): return .uint8
            case (16, false): return .uint16
            case (32, false): return .uint32
            case (64, false): return .uint64
            default: return nil
            }
        default: return nil
        }
    }
}

extension Schema {
    /// A schema whose root (named `name`) holds `fields`.
    public init(fields: [SchemaNode], name: String = "schema") {
        self.init(root: SchemaNode(name: name, repetition: .required, children: fields))
    }

    /// The schema flattened depth-first into footer elements (the root first).
    public var elements: [SchemaElement] {
        var out: [SchemaElement] = []
        out.append(SchemaElement(name: root.name, numChildren: Int32(root.children.count)))
        func visit(_ n: SchemaNode) {
            var e = SchemaElement(name: n.name, repetitionType: n.repetition, convertedType: n.convertedType,
                                  fieldId: n.fieldId, logicalType: n.logicalType)
            var decimal = n.convertedType == .decimal
            if case .decimal? = n.logicalType { decimal = true }
            if decimal {
                e.scale = Int32(n.scale)
                e.precision = Int32(n.precision)
            }
            if let t = n.physicalType {
                e.type = t
                if t == .fixedLenByteArray { e.typeLength = Int32(n.typeLength) }
            } else {
                e.numChildren = Int32(n.children.count)
            }
            out.append(e)
            for c in n.children { visit(c) }
        }
        for c in root.children { visit(c) }
        return out
    }
}
