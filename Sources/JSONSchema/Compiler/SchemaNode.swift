// The compiled program: a graph of schema nodes, each a list of keywords (cycles through `$ref` allowed).

/// A schema resource (a document root or a subschema with `$id`): the unit of the dynamic scope.
final class SchemaResource: @unchecked Sendable {
    let uri: String
    /// `$dynamicAnchor` name → its subschema (2020-12).
    var dynamicAnchors: [String: SchemaNode] = [:]
    /// `$recursiveAnchor: true` at the resource root (2019-09), with the root node.
    var recursiveRoot: SchemaNode? = nil
    init(uri: String) { self.uri = uri }
}

/// A limit of a numeric keyword, with fast forms for the common cases.
struct NumberLimit: @unchecked Sendable {
    let number: JSONNumber
    let double: Double
    let int64: Int64?
    init(_ n: JSONNumber) {
        number = n
        double = n.double
        int64 = n.isIntegerLiteral ? n.int64 : nil
    }
}

/// Property-name lookup by bytes (JSON keys are code-point sequences, not canonically-equivalent strings).
struct KeyTable: @unchecked Sendable {
    let keys: [String]
    private let lengths: [Int]

    init(_ keys: [String]) {
        self.keys = keys
        lengths = keys.map { $0.utf8.count }
    }

    @inline(__always)
    func find(_ key: String) -> Int? {
        let n = key.utf8.count
        for i in keys.indices where lengths[i] == n && keys[i].utf8.elementsEqual(key.utf8) { return i }
        return nil
    }

    @inline(__always)
    func contains(_ key: String) -> Bool { find(key) != nil }
}

@inline(__always)
func memcmpEqual(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
    if a.count != b.count { return false }
    var i = 0
    while i < a.count {
        if a[i] != b[i] { return false }
        i += 1
    }
    return true
}

enum SimpleType: UInt8, Sendable {
    case null = 1, boolean = 2, integer = 4, number = 8, string = 16, array = 32, object = 64

    init?(name: String) {
        switch name {
        case "null": self = .null
        case "boolean": self = .boolean
        case "integer": self = .integer
        case "number": self = .number
        case "string": self = .string
        case "array": self = .array
        case "object": self = .object
        default: return nil
        }
    }

    static func names(_ mask: UInt8) -> [String] {
        var out: [String] = []
        let order: [(SimpleType, String)] = [
            (.null, "null"), (.boolean, "boolean"), (.integer, "integer"), (.number, "number"),
            (.string, "string"), (.array, "array"), (.object, "object"),
        ]
        for (t, n) in order where mask & t.rawValue != 0 { out.append(n) }
        return out
    }
}

indirect enum KeywordKind: @unchecked Sendable {
    case type(mask: UInt8, draft4Integers: Bool)
    case enumeration([JSONValue])
    case constant(JSONValue)
    case multipleOf(NumberLimit)
    case minimum(NumberLimit, exclusive: Bool)
    case maximum(NumberLimit, exclusive: Bool)
    case minLength(Int)
    case maxLength(Int)
    case pattern(PatternMatcher)
    case format(String, FormatChecker.Draft)
    case minItems(Int)
    case maxItems(Int)
    case uniqueItems
    /// `prefixItems`, or `items` as an array (≤ 2019-09).
    case prefixItems([SchemaNode])
    /// `items` (schema form) / `additionalItems` / 2020-12 `items`: every item from `start` on.
    case itemsFrom(SchemaNode, start: Int)
    case contains(SchemaNode, min: Int, max: Int?, annotates: Bool)
    case minProperties(Int)
    case maxProperties(Int)
    case required([String])
    case properties(KeyTable, [SchemaNode])
    case patternProperties([(PatternMatcher, SchemaNode)])
    case additionalProperties(SchemaNode, KeyTable, [PatternMatcher])
    case propertyNames(SchemaNode)
    case dependentRequired([(String, [String])])
    case dependentSchemas([(String, SchemaNode)])
    case allOf([SchemaNode])
    case anyOf([SchemaNode])
    case oneOf([SchemaNode])
    case not(SchemaNode)
    case ifThenElse(SchemaNode, SchemaNode?, SchemaNode?)
    case ref(SchemaNode)
    case dynamicRef(SchemaNode, anchor: String)
    case recursiveRef(SchemaNode)
    case unevaluatedProperties(SchemaNode)
    case unevaluatedItems(SchemaNode)
}

struct Keyword: @unchecked Sendable {
    /// The keyword as written (`properties`, `exclusiveMinimum`, `$ref`, ...).
    let name: String
    let kind: KeywordKind
}

/// One compiled schema (object or boolean).
final class SchemaNode: @unchecked Sendable {
    @exclusivity(unchecked) var keywords: [Keyword] = []
    /// For boolean schemas (and non-schema values reached by pointer: `true`).
    @exclusivity(unchecked) var boolean: Bool? = nil
    let resource: SchemaResource
    /// `base-URI#/pointer-within-resource`.
    let absoluteLocation: String
    /// Has `unevaluatedProperties` / `unevaluatedItems` among its keywords.
    @exclusivity(unchecked) var hasUnevaluated = false
    /// The streaming plan (fast boolean path on bytes), nil when the node needs the tree.
    @exclusivity(unchecked) var stream: StreamInfo? = nil
    /// The target when the node is nothing but a `$ref` (streaming follows it directly).
    @exclusivity(unchecked) var soleRef: SchemaNode? = nil
    /// The target of a `$ref` into a document no one registered (a remote schema Floe never fetches): a `false`
    /// schema that, when an instance reaches it, makes the evaluation a schema error with this message — the
    /// `$ref` fails lazily, as in check-jsonschema and jsonschema-rs, instead of refusing the whole schema.
    @exclusivity(unchecked) var unresolvedReference: String? = nil

    init(resource: SchemaResource, absoluteLocation: String) {
        self.resource = resource
        self.absoluteLocation = absoluteLocation
    }
}
