// The document tree.

/// A parsed JSON document.
///
/// Equality is JSON semantics: numbers compare mathematically (`1 == 1.0`), strings and object keys by
/// Unicode code points (bytes) — *not* by Swift's canonical equivalence, so NFC `"é"` and NFD `"é"` differ —
/// and objects ignore member order.
public enum JSONValue: Sendable, Equatable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number, kept exactly as written.
    case number(JSONNumber)
    /// A string, unescaped.
    case string(String)
    /// An array, in order.
    case array([JSONValue])
    /// An object, members in document order.
    case object(JSONObject)

    /// JSON equality: numbers mathematically, strings by bytes, objects regardless of member order, arrays in order.
    /// Linear in the size of both trees.
    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return sameBytes(x, y)
        case (.array(let x), .array(let y)):
            guard x.count == y.count else { return false }
            for i in x.indices where !(x[i] == y[i]) { return false }
            return true
        case (.object(let x), .object(let y)): return x == y
        default: return false
        }
    }

    /// Whether the value is `null`.
    public var isNull: Bool { if case .null = self { return true } else { return false } }
    /// The Boolean, or `nil` for other kinds.
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    /// The number, or `nil` for other kinds.
    public var numberValue: JSONNumber? { if case .number(let n) = self { return n } else { return nil } }
    /// The string, or `nil` for other kinds.
    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    /// The elements, or `nil` for other kinds.
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    /// The object, or `nil` for other kinds.
    public var objectValue: JSONObject? { if case .object(let o) = self { return o } else { return nil } }

    /// Member lookup on objects (`nil` for other kinds or a missing key).
    public subscript(key: String) -> JSONValue? { objectValue?[key] }
    /// Element access on arrays (`nil` out of range or for other kinds).
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let a) = self, a.indices.contains(index) else { return nil }
        return a[index]
    }
}

/// Byte-wise (code point) string equality; Swift's `==` uses canonical equivalence, which JSON does not.
/// Fast negatives first: different byte counts, then Swift's `==` (byte-equal strings are always
/// canonically equal, so `!=` proves the bytes differ; `==` is a raw compare for small/ASCII strings).
@inline(__always)
func sameBytes(_ a: String, _ b: String) -> Bool {
    guard a.utf8.count == b.utf8.count, a == b else { return false }
    return a.utf8.elementsEqual(b.utf8)
}

/// A key compared and hashed by its UTF-8 bytes (JSON keys are code-point sequences).
struct ByteKey: Hashable, Sendable {
    let string: String
    static func == (a: ByteKey, b: ByteKey) -> Bool { sameBytes(a.string, b.string) }
    func hash(into hasher: inout Hasher) {
        var s = string
        s.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

/// An object: members in document order, with key lookup.
///
/// Keys are compared by bytes. Duplicate keys: the **last value wins**, kept at the position of the first
/// occurrence, and `hasDuplicateKeys` is set (the parser can instead reject them, see
/// `JSONParserOptions.rejectDuplicateKeys`). Lookup is a linear scan up to 16 members and a hash index
/// beyond. `==` ignores member order.
public struct JSONObject: Sendable, Equatable, Sequence {
    /// A member: its key and value.
    public typealias Element = (key: String, value: JSONValue)

    /// Members in order of first appearance; keys are unique.
    public private(set) var members: [Element] = []
    /// A key occurred more than once in the source (or in `init(_:)` / `append`).
    public private(set) var hasDuplicateKeys = false
    var index: [ByteKey: Int]? = nil

    static let indexThreshold = 16

    /// An empty object.
    public init() {}

    /// Builds an object from pairs; later duplicates replace earlier values.
    public init(_ pairs: [(String, JSONValue)]) {
        members.reserveCapacity(pairs.count)
        for (k, v) in pairs { append(key: k, value: v) }
    }

    /// The number of members (distinct keys).
    public var count: Int { members.count }
    /// Whether the object has no members.
    public var isEmpty: Bool { members.isEmpty }
    /// The keys in document order.
    public var keys: [String] { members.map(\.key) }

    /// Iterates the members in document order.
    public func makeIterator() -> IndexingIterator<[Element]> { members.makeIterator() }

    /// Index of `key` in `members`.
    public func firstIndex(of key: String) -> Int? {
        if let index { return index[ByteKey(string: key)] }
        for i in members.indices where sameBytes(members[i].key, key) { return i }
        return nil
    }

    /// The value of member `key` (compared by bytes), or `nil`. Setting a new key appends it; setting `nil` removes
    /// the member. O(1) with more than 16 members (hash index), a linear scan below.
    public subscript(key: String) -> JSONValue? {
        get { firstIndex(of: key).map { members[$0].value } }
        set {
            if let i = firstIndex(of: key) {
                if let newValue {
                    members[i].value = newValue
                } else {
                    members.remove(at: i)
                    rebuildIndex()
                }
            } else if let newValue {
                append(key: key, value: newValue)
            }
        }
    }

    /// Adds a member; if the key exists, replaces its value (last wins), sets `hasDuplicateKeys` and returns
    /// `true`.
    @discardableResult
    public mutating func append(key: String, value: JSONValue) -> Bool {
        if let i = firstIndex(of: key) {
            members[i].value = value
            hasDuplicateKeys = true
            return true
        }
        members.append((key, value))
        if index != nil {
            index![ByteKey(string: key)] = members.count - 1
        } else if members.count > JSONObject.indexThreshold {
            rebuildIndex()
        }
        return false
    }

    mutating func rebuildIndex() {
        guard members.count > JSONObject.indexThreshold else {
            index = nil
            return
        }
        var d = [ByteKey: Int](minimumCapacity: members.count)
        for (i, m) in members.enumerated() { d[ByteKey(string: m.key)] = i }
        index = d
    }

    /// Whether both have the same keys with equal values, in any order.
    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        guard a.count == b.count else { return false }
        for (k, v) in a.members {
            guard let w = b[k], v == w else { return false }
        }
        return true
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    /// `nil` as a literal: ``JSONValue/null``.
    public init(nilLiteral: ()) { self = .null }
    /// `true` / `false` literals.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// Integer literals.
    public init(integerLiteral value: Int) { self = .number(JSONNumber(value)) }
    /// String literals.
    public init(stringLiteral value: String) { self = .string(value) }
    /// Array literals.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// Dictionary literals, as an object with members in literal order (a repeated key: the last value wins).
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
}
