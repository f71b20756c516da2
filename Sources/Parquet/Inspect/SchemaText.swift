// The message-type text of a schema (`message schema { optional int32 a; ... }`), as parquet-mr prints it.

extension Schema {
    /// The schema as message-type text, one field per line, groups indented by two spaces.
    public var messageText: String {
        var out = "message \(root.name.isEmpty ? "schema" : root.name) {\n"
        for c in root.children { Self.appendNode(c, indent: 1, to: &out) }
        out += "}\n"
        return out
    }

    private static func appendNode(_ n: SchemaNode, indent: Int, to out: inout String) {
        let pad = String(repeating: "  ", count: indent)
        var line = pad + n.repetition.description + " "
        if let t = n.physicalType {
            switch t {
            case .fixedLenByteArray: line += "fixed_len_byte_array(\(n.typeLength))"
            case .byteArray: line += "binary"
            default: line += t.description.lowercased()
            }
        } else {
            line += "group"
        }
        line += " " + n.name
        if let a = annotationText(n) { line += " (\(a))" }
        if let id = n.fieldId { line += " = \(id)" }
        if n.isLeaf {
            out += line + ";\n"
        } else {
            out += line + " {\n"
            for c in n.children { appendNode(c, indent: indent + 1, to: &out) }
            out += pad + "}\n"
        }
    }

    /// The annotation shown in parentheses: the logical type, else the converted type.
    static func annotationText(_ n: SchemaNode) -> String? {
        if let lt = n.logicalType { return lt.annotationText }
        guard let ct = n.convertedType else { return nil }
        if ct == .decimal { return "DECIMAL(\(n.precision),\(n.scale))" }
        return ct.description
    }
}

extension LogicalType {
    /// Text form used in schema listings: `STRING`, `DECIMAL(9,2)`, `TIMESTAMP(MICROS,true)`, `INTEGER(8,false)`.
    public var annotationText: String {
        switch self {
        case .string: return "STRING"
        case .map: return "MAP"
        case .list: return "LIST"
        case .enum: return "ENUM"
        case .decimal(let scale, let precision): return "DECIMAL(\(precision),\(scale))"
        case .date: return "DATE"
        case .time(let utc, let unit): return "TIME(\(unit.name),\(utc))"
        case .timestamp(let utc, let unit): return "TIMESTAMP(\(unit.name),\(utc))"
        case .integer(let bits, let signed): return "INTEGER(\(bits),\(signed))"
        case .unknown: return "UNKNOWN"
        case .json: return "JSON"
        case .bson: return "BSON"
        case .uuid: return "UUID"
        case .float16: return "FLOAT16"
        case .variant: return "VARIANT"
        case .geometry: return "GEOMETRY"
        case .geography: return "GEOGRAPHY"
        default: return "UNDEFINED"
        }
    }
}

extension TimeUnit {
    /// The schema-text name: `MILLIS`, `MICROS` or `NANOS`.
    public var name: String {
        switch self {
        case .millis: "MILLIS"
        case .micros: "MICROS"
        case .nanos: "NANOS"
        case .undefined(let id): "UNDEFINED(\(id))"
        }
    }
}
