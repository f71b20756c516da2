// Avro schemas (Avro 1.11 specification, "Schema Declaration"): the tree, its JSON form both ways, and the
// named-type table that references resolve against.

import JSON

/// An Avro schema: a type plus the attributes the spec leaves open (`logicalType`, Iceberg's `element-id`,
/// `key-id`, `value-id`, `adjust-to-utc`, `doc`, ...), kept and written back as given.
public struct AvroSchema: Sendable, Equatable {
    /// The type this schema declares.
    public var type: AvroType
    /// Attributes other than the ones that define the type (`type`, `name`, `namespace`, `fields`, `items`,
    /// `values`, `symbols`, `size`).
    public var attributes: JSONObject

    /// A schema of `type`, with extra `attributes` written back as given.
    public init(_ type: AvroType, attributes: JSONObject = JSONObject()) {
        self.type = type
        self.attributes = attributes
    }

    /// The primitive `null` schema.
    public static let null = AvroSchema(.null)
    /// The primitive `boolean` schema.
    public static let boolean = AvroSchema(.boolean)
    /// The primitive `int` schema (32-bit signed).
    public static let int = AvroSchema(.int)
    /// The primitive `long` schema (64-bit signed).
    public static let long = AvroSchema(.long)
    /// The primitive `float` schema (32-bit IEEE 754).
    public static let float = AvroSchema(.float)
    /// The primitive `double` schema (64-bit IEEE 754).
    public static let double = AvroSchema(.double)
    /// The primitive `bytes` schema.
    public static let bytes = AvroSchema(.bytes)
    /// The primitive `string` schema (UTF-8).
    public static let string = AvroSchema(.string)
    /// An array of `items`; `attributes` carries e.g. Iceberg's `element-id` or `logicalType: map`.
    public static func array(_ items: AvroSchema, _ attributes: JSONObject = JSONObject()) -> AvroSchema {
        AvroSchema(.array(items), attributes: attributes)
    }
    /// A map with string keys and `values`; `attributes` carries e.g. Iceberg's `key-id` and `value-id`.
    public static func map(_ values: AvroSchema, _ attributes: JSONObject = JSONObject()) -> AvroSchema {
        AvroSchema(.map(values), attributes: attributes)
    }
    /// A union of `branches`, in order (a union value names its branch by index).
    public static func union(_ branches: [AvroSchema]) -> AvroSchema { AvroSchema(.union(branches)) }
    /// `["null", schema]`, the usual optional field.
    public static func optional(_ schema: AvroSchema) -> AvroSchema { AvroSchema(.union([.null, schema])) }
    /// A record named `name` (the full name, `namespace.name`) with `fields` in order.
    public static func record(_ name: String, _ fields: [AvroField], _ attributes: JSONObject = JSONObject()) -> AvroSchema {
        AvroSchema(.record(name: name, fields: fields), attributes: attributes)
    }
    /// A `fixed` type named `name` whose values are exactly `size` bytes.
    public static func fixed(_ name: String, size: Int, _ attributes: JSONObject = JSONObject()) -> AvroSchema {
        AvroSchema(.fixed(name: name, size: size), attributes: attributes)
    }

    /// The `logicalType` attribute, if any.
    public var logicalType: String? { attributes["logicalType"]?.stringValue }
}

/// The kinds of Avro types. Named types (`record`, `enum`, `fixed`) carry their full name (`namespace.name`);
/// `reference` names one defined earlier in the same schema document.
public indirect enum AvroType: Sendable, Equatable {
    /// The primitive types.
    case null, boolean, int, long, float, double, bytes, string
    /// A record: its full name and its fields in order.
    case record(name: String, fields: [AvroField])
    /// An enum: its full name, its symbols (values are indexes into them) and the reader's default symbol.
    case enumeration(name: String, symbols: [String], defaultSymbol: String?)
    /// An array of the given item schema.
    case array(AvroSchema)
    /// A map from strings to the given value schema.
    case map(AvroSchema)
    /// A union of the given branches.
    case union([AvroSchema])
    /// A fixed-size byte string: its full name and its size in bytes.
    case fixed(name: String, size: Int)
    /// A use of a named type (by full name) defined earlier in the same schema.
    case reference(String)

    var primitiveName: String? {
        switch self {
        case .null: return "null"
        case .boolean: return "boolean"
        case .int: return "int"
        case .long: return "long"
        case .float: return "float"
        case .double: return "double"
        case .bytes: return "bytes"
        case .string: return "string"
        default: return nil
        }
    }

    /// The full name of a named type.
    public var fullName: String? {
        switch self {
        case .record(let n, _), .enumeration(let n, _, _), .fixed(let n, _): return n
        default: return nil
        }
    }
}

/// A field of a record.
public struct AvroField: Sendable, Equatable {
    /// The field's name, unique within the record.
    public var name: String
    /// The field's schema.
    public var schema: AvroSchema
    /// The field's default, as JSON (for a union, a value of its first branch).
    public var defaultValue: JSONValue?
    /// Other attributes (`field-id`, `doc`, `aliases`, `order`).
    public var attributes: JSONObject

    /// A field `name` of `schema`, with an optional JSON default and other attributes.
    public init(_ name: String, _ schema: AvroSchema, default defaultValue: JSONValue? = nil,
                attributes: JSONObject = JSONObject()) {
        self.name = name
        self.schema = schema
        self.defaultValue = defaultValue
        self.attributes = attributes
    }

    /// Iceberg's `field-id` attribute.
    public var fieldId: Int? { attributes["field-id"]?.numberValue?.int64.map { Int($0) } }
}

// MARK: - Parsing

extension AvroSchema {
    /// Parses a schema from its JSON text (the `avro.schema` of a container file).
    public static func parse(json text: [UInt8], file: String = "schema") throws(IcebergError) -> AvroSchema {
        let value: JSONValue
        do { value = try JSONParser.parse(text) } catch {
            throw .corrupt(file: file, detail: "Avro schema is not JSON: \(error.description)")
        }
        var parser = SchemaParser(file: file)
        return try parser.parse(value, namespace: nil)
    }

    /// Every named type in the schema, by full name (what `reference` resolves against).
    public func namedTypes() -> [String: AvroSchema] {
        var out: [String: AvroSchema] = [:]
        collectNamed(into: &out)
        return out
    }

    private func collectNamed(into out: inout [String: AvroSchema]) {
        switch type {
        case .record(let name, let fields):
            out[name] = self
            for f in fields { f.schema.collectNamed(into: &out) }
        case .enumeration(let name, _, _), .fixed(let name, _): out[name] = self
        case .array(let s), .map(let s): s.collectNamed(into: &out)
        case .union(let bs): for b in bs { b.collectNamed(into: &out) }
        default: break
        }
    }
}

private let primitiveNames: Set<String> = ["null", "boolean", "int", "long", "float", "double", "bytes", "string"]

private struct SchemaParser {
    let file: String
    var defined: [String: AvroType] = [:]
    var depth = 0

    init(file: String) { self.file = file }

    func fail(_ message: String) -> IcebergError { .corrupt(file: file, detail: "Avro schema: \(message)") }

    static func primitive(_ name: String) -> AvroType? {
        switch name {
        case "null": return .null
        case "boolean": return .boolean
        case "int": return .int
        case "long": return .long
        case "float": return .float
        case "double": return .double
        case "bytes": return .bytes
        case "string": return .string
        default: return nil
        }
    }

    /// A name is `[A-Za-z_][A-Za-z0-9_]*`; a namespace is such names joined by dots.
    func checkName(_ name: String, what: String) throws(IcebergError) {
        var first = true
        guard !name.isEmpty else { throw fail("empty \(what)") }
        for b in name.utf8 {
            let letter = (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
            let digit = b >= 0x30 && b <= 0x39
            guard letter || (!first && digit) else { throw fail("invalid \(what) '\(name)'") }
            first = false
        }
    }

    /// Resolves `name` against the enclosing namespace into a full name, validating each part.
    func fullName(_ name: String, namespace: String?) throws(IcebergError) -> String {
        let full = name.contains(".") ? name : (namespace.map { $0.isEmpty ? name : "\($0).\(name)" } ?? name)
        for part in full.split(separator: ".", omittingEmptySubsequences: false) {
            try checkName(String(part), what: "name")
        }
        return full
    }

    mutating func parse(_ v: JSONValue, namespace: String?) throws(IcebergError) -> AvroSchema {
        depth += 1
        defer { depth -= 1 }
        guard depth < 256 else { throw fail("nested deeper than 256 levels") }
        switch v {
        case .string(let name):
            if let p = Self.primitive(name) { return AvroSchema(p) }
            let candidates = name.contains(".") ? [name] : [namespace.map { "\($0).\(name)" } ?? name, name]
            for c in candidates where defined[c] != nil { return AvroSchema(.reference(c)) }
            throw fail("unknown type '\(name)'")
        case .array(let branches):
            var out: [AvroSchema] = []
            var seen = Set<String>()
            for b in branches {
                let s = try parse(b, namespace: namespace)
                let key: String
                switch s.type {
                case .union: throw fail("a union may not directly contain a union")
                case .record(let n, _), .enumeration(let n, _, _), .fixed(let n, _), .reference(let n): key = "named:" + n
                case .array: key = "array"
                case .map: key = "map"
                default: key = s.type.primitiveName!
                }
                guard seen.insert(key).inserted else { throw fail("union has two branches of type \(key)") }
                out.append(s)
            }
            return AvroSchema(.union(out))
        case .object(let o):
            guard let t = o["type"] else { throw fail("object without 'type'") }
            var attributes = JSONObject()
            let structural: Set<String> = ["type", "name", "namespace", "fields", "items", "values", "symbols", "size", "default"]
            guard case .string(let typeName) = t else {
                // {"type": {...}} or {"type": [...]}: the same as the inner schema, attributes kept
                var inner = try parse(t, namespace: namespace)
                for (k, val) in o where !structural.contains(k) { _ = inner.attributes.append(key: k, value: val) }
                return inner
            }
            for (k, val) in o where !structural.contains(k) { _ = attributes.append(key: k, value: val) }
            if let p = Self.primitive(typeName) { return AvroSchema(p, attributes: attributes) }
            switch typeName {
            case "record", "error":
                let (full, ns) = try named(o, namespace: namespace)
                defined[full] = .record(name: full, fields: [])  // visible to its own fields (recursion)
                guard case .array(let fs)? = o["fields"] else { throw fail("record '\(full)' has no 'fields' array") }
                var fields: [AvroField] = []
                var names = Set<String>()
                for f in fs {
                    guard case .object(let fo) = f, case .string(let fname)? = fo["name"], let ft = fo["type"] else {
                        throw fail("record '\(full)': a field without 'name' or 'type'")
                    }
                    try checkName(fname, what: "field name")
                    guard names.insert(fname).inserted else { throw fail("record '\(full)': field '\(fname)' twice") }
                    let fschema = try parse(ft, namespace: ns)
                    var fattrs = JSONObject()
                    for (k, val) in fo where k != "name" && k != "type" && k != "default" { _ = fattrs.append(key: k, value: val) }
                    fields.append(AvroField(fname, fschema, default: fo["default"], attributes: fattrs))
                }
                let type = AvroType.record(name: full, fields: fields)
                defined[full] = type
                return AvroSchema(type, attributes: attributes)
            case "enum":
                let (full, _) = try named(o, namespace: namespace)
                guard case .array(let ss)? = o["symbols"] else { throw fail("enum '\(full)' has no 'symbols' array") }
                var symbols: [String] = []
                for s in ss {
                    guard case .string(let sym) = s else { throw fail("enum '\(full)': a symbol that is not a string") }
                    try checkName(sym, what: "enum symbol")
                    guard !symbols.contains(sym) else { throw fail("enum '\(full)': symbol '\(sym)' twice") }
                    symbols.append(sym)
                }
                let def = o["default"]?.stringValue
                if let def, !symbols.contains(def) { throw fail("enum '\(full)': default '\(def)' is not a symbol") }
                let type = AvroType.enumeration(name: full, symbols: symbols, defaultSymbol: def)
                defined[full] = type
                return AvroSchema(type, attributes: attributes)
            case "fixed":
                let (full, _) = try named(o, namespace: namespace)
                guard let size = o["size"]?.numberValue?.int64, size >= 0, size <= Int64(Int32.max) else {
                    throw fail("fixed '\(full)' needs a non-negative integer 'size'")
                }
                let type = AvroType.fixed(name: full, size: Int(size))
                defined[full] = type
                return AvroSchema(type, attributes: attributes)
            case "array":
                guard let items = o["items"] else { throw fail("array without 'items'") }
                return AvroSchema(.array(try parse(items, namespace: namespace)), attributes: attributes)
            case "map":
                guard let values = o["values"] else { throw fail("map without 'values'") }
                return AvroSchema(.map(try parse(values, namespace: namespace)), attributes: attributes)
            default:
                // a reference written as {"type": "Name"}
                var s = try parse(.string(typeName), namespace: namespace)
                s.attributes = attributes
                return s
            }
        default:
            throw fail("a schema must be a string, an object or an array, not \(v)")
        }
    }

    mutating func named(_ o: JSONObject, namespace: String?) throws(IcebergError) -> (String, String?) {
        guard case .string(let name)? = o["name"] else { throw fail("named type without 'name'") }
        var ns = namespace
        if case .string(let n)? = o["namespace"] { ns = n }
        let full = try fullName(name, namespace: ns)
        guard defined[full] == nil else { throw fail("type '\(full)' defined twice") }
        guard !primitiveNames.contains(full) else { throw fail("'\(full)' is a primitive type name") }
        let lastDot = full.lastIndex(of: ".")
        return (full, lastDot.map { String(full[..<$0]) } ?? "")
    }
}

// MARK: - Writing

extension AvroSchema {
    /// The schema's JSON form; a named type is written in full at its first occurrence and by name after.
    public func json() -> JSONValue {
        var written = Set<String>()
        return json(&written)
    }

    /// The JSON text of `json()`.
    public func jsonText() -> String { JSONSerializer.string(json()) }

    private func json(_ written: inout Set<String>) -> JSONValue {
        func object(_ pairs: [(String, JSONValue)]) -> JSONValue {
            var o = JSONObject(pairs)
            for (k, v) in attributes { _ = o.append(key: k, value: v) }
            return .object(o)
        }
        switch type {
        case .union(let bs): return .array(bs.map { $0.json(&written) })
        case .reference(let n): return .string(n)
        case .array(let items): return object([("type", "array"), ("items", items.json(&written))])
        case .map(let values): return object([("type", "map"), ("values", values.json(&written))])
        case .record(let name, let fields):
            if !written.insert(name).inserted { return .string(name) }
            var fs: [JSONValue] = []
            for f in fields {
                var o = JSONObject([("name", .string(f.name)), ("type", f.schema.json(&written))])
                if let d = f.defaultValue { _ = o.append(key: "default", value: d) }
                for (k, v) in f.attributes { _ = o.append(key: k, value: v) }
                fs.append(.object(o))
            }
            return object([("type", "record"), ("name", .string(name)), ("fields", .array(fs))])
        case .enumeration(let name, let symbols, let def):
            if !written.insert(name).inserted { return .string(name) }
            var pairs: [(String, JSONValue)] = [("type", "enum"), ("name", .string(name)), ("symbols", .array(symbols.map { .string($0) }))]
            if let def { pairs.append(("default", .string(def))) }
            return object(pairs)
        case .fixed(let name, let size):
            if !written.insert(name).inserted { return .string(name) }
            return object([("type", "fixed"), ("name", .string(name)), ("size", .number(JSONNumber(size)))])
        default:
            let n = type.primitiveName!
            return attributes.isEmpty ? .string(n) : object([("type", .string(n))])
        }
    }
}
