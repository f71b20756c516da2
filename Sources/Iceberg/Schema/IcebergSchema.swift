// Iceberg schemas (spec "Schemas and Data Types"): primitive and nested types with field ids, and their JSON
// form ("Appendix C: JSON serialization").

import JSON

/// An Iceberg type.
public indirect enum IcebergType: Sendable, Equatable, CustomStringConvertible {
    /// `boolean`, 32-bit `int`, 64-bit `long`, IEEE 754 `float` (32-bit) and `double` (64-bit).
    case boolean, int, long, float, double
    /// Fixed-point decimal: `precision` digits (at most 38), `scale` of them after the point.
    case decimal(precision: Int, scale: Int)
    /// `date` (days since 1970-01-01), `time` (microseconds since midnight), `timestamp` without and
    /// `timestamptz` with time zone (microseconds since the Unix epoch, UTC for `timestamptz`).
    case date, time, timestamp, timestamptz
    /// UTF-8 `string`, 16-byte `uuid`, variable-length `binary`.
    case string, uuid, binary
    /// A fixed-length byte string of the given length in bytes.
    case fixed(Int)
    /// A struct of fields, each with its own field id.
    case structure([NestedField])
    /// A list: the element's field id and type, and whether elements are required (non-null).
    case list(elementId: Int, element: IcebergType, elementRequired: Bool)
    /// A map: key and value field ids and types, and whether values are required (keys always are).
    case map(keyId: Int, key: IcebergType, valueId: Int, value: IcebergType, valueRequired: Bool)

    /// Whether the type is primitive (not a struct, list or map).
    public var isPrimitive: Bool {
        switch self {
        case .structure, .list, .map: return false
        default: return true
        }
    }

    /// The JSON name of a primitive type (`decimal(9,2)`, `fixed[16]`).
    public var description: String {
        switch self {
        case .boolean: return "boolean"
        case .int: return "int"
        case .long: return "long"
        case .float: return "float"
        case .double: return "double"
        case .decimal(let p, let s): return "decimal(\(p), \(s))"
        case .date: return "date"
        case .time: return "time"
        case .timestamp: return "timestamp"
        case .timestamptz: return "timestamptz"
        case .string: return "string"
        case .uuid: return "uuid"
        case .binary: return "binary"
        case .fixed(let n): return "fixed[\(n)]"
        case .structure: return "struct"
        case .list: return "list"
        case .map: return "map"
        }
    }

    static func parsePrimitive(_ s: String) -> IcebergType? {
        switch s {
        case "boolean": return .boolean
        case "int": return .int
        case "long": return .long
        case "float": return .float
        case "double": return .double
        case "date": return .date
        case "time": return .time
        case "timestamp": return .timestamp
        case "timestamptz": return .timestamptz
        case "string": return .string
        case "uuid": return .uuid
        case "binary": return .binary
        default: break
        }
        if s.hasPrefix("fixed[") && s.hasSuffix("]"), let n = Int(s.dropFirst(6).dropLast()), n >= 0 { return .fixed(n) }
        if s.hasPrefix("decimal(") && s.hasSuffix(")") {
            let parts = s.dropFirst(8).dropLast().split(separator: ",").map { $0.trimmingCharacters(in: " ") }
            if parts.count == 2, let p = Int(parts[0]), let sc = Int(parts[1]), p >= 1, p <= 38, sc >= 0, sc <= p {
                return .decimal(precision: p, scale: sc)
            }
        }
        return nil
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        var s = self
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}

/// A field of a struct (or of the schema): id, name, type, required-ness, doc.
public struct NestedField: Sendable, Equatable {
    /// The field id, unique within the table schema.
    public var id: Int
    /// The field name.
    public var name: String
    /// The field type.
    public var type: IcebergType
    /// Whether values may not be null.
    public var required: Bool
    /// The field's documentation, if any.
    public var doc: String?

    /// A field; optional (nullable) by default.
    public init(id: Int, name: String, type: IcebergType, required: Bool = false, doc: String? = nil) {
        self.id = id
        self.name = name
        self.type = type
        self.required = required
        self.doc = doc
    }
}

/// A table schema: a struct with a schema id (and optional identifier field ids).
public struct IcebergSchema: Sendable, Equatable {
    /// The schema id, unique within the table.
    public var schemaId: Int
    /// The top-level fields, in order.
    public var fields: [NestedField]
    /// The field ids that identify a row (`identifier-field-ids`); empty when none.
    public var identifierFieldIds: [Int]

    /// A schema of `fields`.
    public init(schemaId: Int = 0, fields: [NestedField], identifierFieldIds: [Int] = []) {
        self.schemaId = schemaId
        self.fields = fields
        self.identifierFieldIds = identifierFieldIds
    }

    /// The highest field id anywhere in the schema (nested fields, list elements, map keys and values).
    public var highestFieldId: Int {
        var m = 0
        func walk(_ t: IcebergType) {
            switch t {
            case .structure(let fs): for f in fs { m = max(m, f.id); walk(f.type) }
            case .list(let id, let e, _): m = max(m, id); walk(e)
            case .map(let kid, let k, let vid, let v, _): m = max(m, kid, vid); walk(k); walk(v)
            default: break
            }
        }
        walk(.structure(fields))
        return m
    }

    /// The field with `id`, searched through nested structs (not inside lists or maps).
    public func field(id: Int) -> NestedField? {
        func find(_ fs: [NestedField]) -> NestedField? {
            for f in fs {
                if f.id == id { return f }
                if case .structure(let inner) = f.type, let r = find(inner) { return r }
            }
            return nil
        }
        return find(fields)
    }

    /// A top-level field by name.
    public func field(named name: String) -> NestedField? { fields.first { $0.name == name } }

    /// Checks the rules of "Schemas": unique ids, unique names within a struct, decimal bounds.
    public func validate() throws(IcebergError) {
        var ids = Set<Int>()
        func check(_ id: Int) throws(IcebergError) {
            guard id >= 0, ids.insert(id).inserted else { throw .invalidArgument("schema \(schemaId): field id \(id) used twice") }
        }
        func walk(_ t: IcebergType) throws(IcebergError) {
            switch t {
            case .structure(let fs):
                var names = Set<String>()
                for f in fs {
                    try check(f.id)
                    guard names.insert(f.name).inserted else { throw .invalidArgument("schema \(schemaId): field name '\(f.name)' twice in a struct") }
                    try walk(f.type)
                }
            case .list(let id, let e, _): try check(id); try walk(e)
            case .map(let kid, let k, let vid, let v, _): try check(kid); try check(vid); try walk(k); try walk(v)
            default: break
            }
        }
        try walk(.structure(fields))
    }
}

// MARK: - JSON

extension IcebergType {
    /// The type's JSON form (spec "Appendix C"): a string for a primitive (`decimal(P,S)`, `fixed[L]`),
    /// an object for `struct`, `list` and `map`.
    public func json() -> JSONValue {
        switch self {
        case .structure(let fs):
            return .object(JSONObject([("type", "struct"), ("fields", .array(fs.map { $0.json() }))]))
        case .list(let id, let e, let req):
            return .object(JSONObject([("type", "list"), ("element-id", .number(JSONNumber(id))), ("element", e.json()),
                                       ("element-required", .bool(req))]))
        case .map(let kid, let k, let vid, let v, let req):
            return .object(JSONObject([("type", "map"), ("key-id", .number(JSONNumber(kid))), ("key", k.json()),
                                       ("value-id", .number(JSONNumber(vid))), ("value", v.json()),
                                       ("value-required", .bool(req))]))
        case .decimal(let p, let s): return .string("decimal(\(p),\(s))")
        default: return .string(description)
        }
    }

    /// Parses the JSON form of a type (spec "Appendix C").
    ///
    /// - Throws: ``IcebergError/corrupt(file:detail:)`` naming `file` for an unknown type or a malformed
    ///   nested type.
    public static func parse(_ v: JSONValue, file: String) throws(IcebergError) -> IcebergType {
        func fail(_ m: String) -> IcebergError { .corrupt(file: file, detail: m) }
        switch v {
        case .string(let s):
            guard let t = parsePrimitive(s) else { throw fail("unknown type '\(s)'") }
            return t
        case .object(let o):
            switch o["type"]?.stringValue {
            case "struct":
                guard let fs = o["fields"]?.arrayValue else { throw fail("struct without 'fields'") }
                var out: [NestedField] = []
                for f in fs { out.append(try NestedField.parse(f, file: file)) }
                return .structure(out)
            case "list":
                guard let id = o["element-id"]?.numberValue?.int64, let e = o["element"] else { throw fail("list without 'element-id' or 'element'") }
                return .list(elementId: Int(id), element: try parse(e, file: file), elementRequired: o["element-required"]?.boolValue ?? false)
            case "map":
                guard let kid = o["key-id"]?.numberValue?.int64, let k = o["key"], let vid = o["value-id"]?.numberValue?.int64,
                      let val = o["value"] else { throw fail("map without key-id, key, value-id or value") }
                return .map(keyId: Int(kid), key: try parse(k, file: file), valueId: Int(vid), value: try parse(val, file: file),
                            valueRequired: o["value-required"]?.boolValue ?? false)
            default: throw fail("unknown nested type \(JSONSerializer.string(v))")
            }
        default: throw fail("a type must be a string or an object")
        }
    }
}

extension NestedField {
    /// The field's JSON form (`id`, `name`, `required`, `type`, and `doc` when set).
    public func json() -> JSONValue {
        var o = JSONObject([("id", .number(JSONNumber(id))), ("name", .string(name)), ("required", .bool(required)),
                            ("type", type.json())])
        if let doc { _ = o.append(key: "doc", value: .string(doc)) }
        return .object(o)
    }

    static func parse(_ v: JSONValue, file: String) throws(IcebergError) -> NestedField {
        guard let id = v["id"]?.numberValue?.int64, let name = v["name"]?.stringValue, let t = v["type"] else {
            throw .corrupt(file: file, detail: "field without 'id', 'name' or 'type': \(JSONSerializer.string(v))")
        }
        return NestedField(id: Int(id), name: name, type: try IcebergType.parse(t, file: file),
                           required: v["required"]?.boolValue ?? false, doc: v["doc"]?.stringValue)
    }
}

extension IcebergSchema {
    /// The schema's JSON form: a `struct` with `schema-id` (and `identifier-field-ids` when set).
    public func json() -> JSONValue {
        var o = JSONObject([("type", "struct"), ("schema-id", .number(JSONNumber(schemaId))),
                            ("fields", .array(fields.map { $0.json() }))])
        if !identifierFieldIds.isEmpty {
            _ = o.append(key: "identifier-field-ids", value: .array(identifierFieldIds.map { .number(JSONNumber($0)) }))
        }
        return .object(o)
    }

    /// Parses a schema from its JSON form (spec "Appendix C").
    ///
    /// - Throws: ``IcebergError/corrupt(file:detail:)`` naming `file` when it is not a struct or a field is
    ///   malformed.
    public static func parse(_ v: JSONValue, file: String) throws(IcebergError) -> IcebergSchema {
        guard case .structure(let fs) = try IcebergType.parse(v, file: file) else {
            throw .corrupt(file: file, detail: "schema is not a struct")
        }
        let ids = (v["identifier-field-ids"]?.arrayValue ?? []).compactMap { $0.numberValue?.int64.map { Int($0) } }
        return IcebergSchema(schemaId: Int(v["schema-id"]?.numberValue?.int64 ?? 0), fields: fs, identifierFieldIds: ids)
    }
}
