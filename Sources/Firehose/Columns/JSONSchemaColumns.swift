// Deriving Hive columns from a JSON Schema.
//
// The top-level schema must describe an object with `properties`; each property becomes a column, in the order
// the schema lists them. A subschema maps to a Hive type by these rules:
//
// | subschema                                                   | Hive type                                   |
// |-------------------------------------------------------------|---------------------------------------------|
// | `"type":"string"` with `"format":"date-time"`               | `timestamp`                                 |
// | `"type":"string"` with `"format":"date"`                    | `date`                                      |
// | `"type":"string"` with `"contentEncoding":"base64"`         | `binary`                                    |
// | other `"type":"string"`                                     | `string`                                    |
// | `"type":"integer"`                                          | `bigint`; `int` when both `minimum` and     |
// |                                                             | `maximum` are given and fit in 32 bits      |
// | `"type":"number"`                                           | `double`                                    |
// | `"type":"boolean"`                                          | `boolean`                                   |
// | `"type":"object"` with `properties`                         | `struct<...>` of the properties, in order   |
// | `"type":"object"`, no `properties`, `additionalProperties` a schema | `map<string,T>`                     |
// | other `"type":"object"`                                     | `string` (the object's JSON text)           |
// | `"type":"array"` with `items` a schema                      | `array<T>`                                  |
// | other `"type":"array"`                                      | `array<string>`                             |
// | `enum` / `const` only: all strings / integers / numbers / booleans | as the matching `type` above          |
// | no `type`: `properties` → struct, `items` → array, else     | `string`                                    |
//
// `"type"` given as a list ignores `"null"` (every Hive column is nullable); two or more other types give
// `string`. `$ref` to a JSON pointer inside the same document (`#/$defs/x`, `#/definitions/x`) is followed
// (a reference cycle is an error: Hive types are finite); any other `$ref` is an error. `anyOf` / `oneOf`
// with exactly one branch that is not `{"type":"null"}` use that branch, otherwise `string`; `allOf` with one
// branch uses it, otherwise its object branches' `properties` are merged into one struct. Schemas `true` and
// `{}` give `string`.

import JSON

extension ColumnDefinitions {
    /// Derives the columns from a JSON Schema document (rules above).
    public static func deriving(fromJSONSchema schema: JSONValue) throws(ColumnDefinitionError) -> ColumnDefinitions {
        let d = SchemaDeriver(root: schema)
        let top = try d.resolve(schema, at: "#")
        guard let props = SchemaDeriver.objectProperties(top.value) ?? d.allOfProperties(top.value) else {
            throw ColumnDefinitionError(location: "#", message: "the schema must describe an object with \"properties\"")
        }
        var cols: [HiveColumn] = []
        for (name, sub) in props {
            let t = try d.hiveType(sub, at: "\(top.pointer)/properties/\(SchemaDeriver.escape(name))", depth: 1,
                                    refs: top.refs)
            cols.append(HiveColumn(name: name, type: t))
        }
        let defs = ColumnDefinitions(columns: cols)
        try defs.validate()
        return defs
    }

    /// Reads a JSON Schema file and derives the columns from it.
    public static func deriving(fromJSONSchemaAt path: String) throws(ColumnDefinitionError) -> ColumnDefinitions {
        let bytes: [UInt8]
        do {
            bytes = try readWholeFile(path, what: "schema")
        } catch {
            throw ColumnDefinitionError(location: nil, message: "cannot read: \(error.message)")
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw ColumnDefinitionError(location: nil, message: "not JSON: \(error)")
        }
        return try deriving(fromJSONSchema: value)
    }
}

struct SchemaDeriver {
    let root: JSONValue
    static let maxDepth = 100

    struct Resolved {
        var value: JSONValue
        var pointer: String
        var refs: Set<String>
    }

    /// Follows `$ref` chains (local JSON pointers only), detecting cycles.
    func resolve(_ schema: JSONValue, at pointer: String, refs: Set<String> = []) throws(ColumnDefinitionError) -> Resolved {
        var current = schema
        var pointer = pointer
        var refs = refs
        while case .string(let ref)? = current["$ref"] {
            guard ref.hasPrefix("#") else {
                throw ColumnDefinitionError(location: pointer, message: "only local $ref (\"#/...\") is supported, not '\(ref)'")
            }
            guard refs.insert(ref).inserted else {
                throw ColumnDefinitionError(location: pointer, message: "$ref cycle through '\(ref)': a Hive type must be finite")
            }
            guard let target = Self.pointerLookup(root, String(ref.dropFirst())) else {
                throw ColumnDefinitionError(location: pointer, message: "$ref '\(ref)' does not resolve")
            }
            current = target
            pointer = ref
        }
        return Resolved(value: current, pointer: pointer, refs: refs)
    }

    static func pointerLookup(_ doc: JSONValue, _ pointer: String) -> JSONValue? {
        if pointer.isEmpty { return doc }
        guard pointer.hasPrefix("/") else { return nil }
        var v = doc
        for raw in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let token = percentDecode(String(raw)).replacingTilde()
            switch v {
            case .object(let o):
                guard let next = o[token] else { return nil }
                v = next
            case .array(let a):
                guard let i = Int(token), i >= 0, i < a.count else { return nil }
                v = a[i]
            default:
                return nil
            }
        }
        return v
    }

    static func percentDecode(_ s: String) -> String {
        guard s.contains("%") else { return s }
        var bytes: [UInt8] = []
        let u = Array(s.utf8)
        var i = 0
        while i < u.count {
            if u[i] == 0x25, i + 2 < u.count, let h = hex(u[i + 1]), let l = hex(u[i + 2]) {
                bytes.append(h << 4 | l)
                i += 3
            } else {
                bytes.append(u[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: b - 0x30
        case 0x41...0x46: b - 0x41 + 10
        case 0x61...0x66: b - 0x61 + 10
        default: nil
        }
    }

    static func escape(_ name: String) -> String {
        var out = ""
        for c in name {
            switch c {
            case "~": out += "~0"
            case "/": out += "~1"
            default: out.append(c)
            }
        }
        return out
    }

    static func objectProperties(_ schema: JSONValue) -> [(String, JSONValue)]? {
        guard case .object(let props)? = schema["properties"] else { return nil }
        return props.members.map { ($0.key, $0.value) }
    }

    /// `allOf` object branches merged (first definition of a property wins).
    func allOfProperties(_ schema: JSONValue) -> [(String, JSONValue)]? {
        guard case .array(let branches)? = schema["allOf"] else { return nil }
        var out: [(String, JSONValue)] = []
        var seen = Set<String>()
        var any = false
        for b in branches {
            let r = (try? resolve(b, at: "#"))?.value ?? b
            guard let props = Self.objectProperties(r) else { continue }
            any = true
            for (k, v) in props where seen.insert(k).inserted { out.append((k, v)) }
        }
        return any ? out : nil
    }

    func hiveType(_ schema: JSONValue, at pointer: String, depth: Int, refs: Set<String>) throws(ColumnDefinitionError)
        -> HiveType
    {
        guard depth <= Self.maxDepth else {
            throw ColumnDefinitionError(location: pointer, message: "schema nested deeper than \(Self.maxDepth)")
        }
        let r = try resolve(schema, at: pointer, refs: refs)
        let s = r.value
        let at = r.pointer
        guard case .object = s else { return .string }  // `true`, `false`

        // Combinators.
        for key in ["anyOf", "oneOf"] {
            if case .array(let branches)? = s[key], s["type"] == nil, s["properties"] == nil {
                let nonNull = branches.enumerated().filter { !Self.isNullOnly($0.element) }
                if nonNull.count == 1 {
                    return try hiveType(nonNull[0].element, at: "\(at)/\(key)/\(nonNull[0].offset)", depth: depth + 1,
                                        refs: r.refs)
                }
                return .string
            }
        }
        if case .array(let branches)? = s["allOf"], s["type"] == nil, s["properties"] == nil {
            if branches.count == 1 {
                return try hiveType(branches[0], at: "\(at)/allOf/0", depth: depth + 1, refs: r.refs)
            }
            if let props = allOfProperties(s) {
                return try structType(props, at: at, depth: depth, refs: r.refs)
            }
            return .string
        }

        var types: [String] = []
        switch s["type"] {
        case .string(let t)?: types = [t]
        case .array(let ts)?: types = ts.compactMap(\.stringValue)
        default: break
        }
        types.removeAll { $0 == "null" }
        if types.isEmpty {
            if s["properties"] != nil { types = ["object"] }
            else if s["items"] != nil { types = ["array"] }
            else if let inferred = Self.typeFromValues(s) { return inferred }
            else { return .string }
        }
        guard types.count == 1 else {
            // integer + number is still a number.
            if Set(types) == ["integer", "number"] { return .double }
            return .string
        }
        switch types[0] {
        case "string":
            if let f = s["format"]?.stringValue {
                if f == "date-time" { return .timestamp }
                if f == "date" { return .date }
            }
            if s["contentEncoding"]?.stringValue?.lowercased() == "base64" { return .binary }
            return .string
        case "integer":
            return Self.integerType(s)
        case "number":
            return .double
        case "boolean":
            return .boolean
        case "object":
            if let props = Self.objectProperties(s), !props.isEmpty {
                return try structType(props, at: at, depth: depth, refs: r.refs)
            }
            if let ap = s["additionalProperties"], case .object = ap {
                let v = try hiveType(ap, at: "\(at)/additionalProperties", depth: depth + 1, refs: r.refs)
                return .map(key: .string, value: v)
            }
            return .string
        case "array":
            if let items = s["items"], case .object = items {
                return .array(try hiveType(items, at: "\(at)/items", depth: depth + 1, refs: r.refs))
            }
            return .array(.string)
        default:
            throw ColumnDefinitionError(location: at, message: "unknown JSON Schema type '\(types[0])'")
        }
    }

    private func structType(_ props: [(String, JSONValue)], at: String, depth: Int, refs: Set<String>)
        throws(ColumnDefinitionError) -> HiveType
    {
        var fields: [HiveField] = []
        var seen = Set<String>()
        for (name, sub) in props {
            guard seen.insert(name.lowercased()).inserted else {
                throw ColumnDefinitionError(location: "\(at)/properties", message: "properties '\(name)' differ only in case; Hive names are case-insensitive")
            }
            let t = try hiveType(sub, at: "\(at)/properties/\(Self.escape(name))", depth: depth + 1, refs: refs)
            fields.append(HiveField(name: name, type: t))
        }
        return .struct(fields)
    }

    static func isNullOnly(_ s: JSONValue) -> Bool {
        if case .string("null")? = s["type"] { return true }
        if case .array(let ts)? = s["type"], ts.allSatisfy({ $0 == .string("null") }) { return !ts.isEmpty }
        return false
    }

    /// `bigint`, or `int` when `minimum` and `maximum` (or their exclusive forms) both fit in 32 bits.
    static func integerType(_ s: JSONValue) -> HiveType {
        func bound(_ keys: [String]) -> Int64? {
            for k in keys {
                if case .number(let n)? = s[k] {
                    // A fractional bound is still a bound; round outward by going through Double.
                    if let i = n.int64 { return i }
                    let d = n.double
                    if d.isFinite, abs(d) < 9.2e18 { return Int64(d.rounded(.towardZero)) }
                    return nil
                }
            }
            return nil
        }
        if let lo = bound(["minimum", "exclusiveMinimum"]), let hi = bound(["maximum", "exclusiveMaximum"]),
           lo >= Int64(Int32.min), hi <= Int64(Int32.max)
        {
            return .int
        }
        return .bigint
    }

    /// The type of an `enum` / `const` without `type`.
    static func typeFromValues(_ s: JSONValue) -> HiveType? {
        var values: [JSONValue] = []
        if case .array(let e)? = s["enum"] { values = e }
        if let c = s["const"] { values.append(c) }
        values.removeAll { $0.isNull }
        guard !values.isEmpty else { return nil }
        if values.allSatisfy({ $0.stringValue != nil }) { return .string }
        if values.allSatisfy({ $0.boolValue != nil }) { return .boolean }
        if values.allSatisfy({ $0.numberValue?.isInteger == true }) {
            let ints = values.compactMap { $0.numberValue?.int64 }
            if ints.count == values.count, ints.allSatisfy({ $0 >= Int64(Int32.min) && $0 <= Int64(Int32.max) }) {
                return .int
            }
            return .bigint
        }
        if values.allSatisfy({ $0.numberValue != nil }) { return .double }
        return .string
    }
}

private extension String {
    func replacingTilde() -> String {
        guard contains("~") else { return self }
        var out = ""
        var it = makeIterator()
        while let c = it.next() {
            if c == "~" {
                switch it.next() {
                case "0": out.append("~")
                case "1": out.append("/")
                case let other?: out.append("~"); out.append(other)
                case nil: out.append("~")
                }
            } else {
                out.append(c)
            }
        }
        return out
    }
}
