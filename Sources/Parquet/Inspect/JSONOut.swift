/// A small builder for the machine-readable (`--json`) outputs of the inspection commands.
public struct JSONOut {
    /// The JSON text written so far.
    public private(set) var text = ""
    private var needComma: [Bool] = [false]

    /// An empty builder.
    public init() {}

    private mutating func sep() {
        if needComma[needComma.count - 1] { text += "," }
        needComma[needComma.count - 1] = true
    }

    /// Opens an object, as the member `key` of the enclosing object or as an array element when `key` is `nil`.
    public mutating func beginObject(_ key: String? = nil) {
        if let key { self.key(key) } else { sep() }
        text += "{"
        needComma.append(false)
    }

    /// Closes the innermost object.
    public mutating func endObject() {
        needComma.removeLast()
        text += "}"
    }

    /// Opens an array, as the member `key` of the enclosing object or as an array element when `key` is `nil`.
    public mutating func beginArray(_ key: String? = nil) {
        if let key { self.key(key) } else { sep() }
        text += "["
        needComma.append(false)
    }

    /// Closes the innermost array.
    public mutating func endArray() {
        needComma.removeLast()
        text += "]"
    }

    private mutating func key(_ k: String) {
        sep()
        text += Self.quote(k) + ":"
    }

    /// A string member (`null` when `v` is `nil`).
    public mutating func field(_ k: String, _ v: String?) {
        key(k)
        text += v.map(Self.quote) ?? "null"
    }

    /// An integer member (`null` when `v` is `nil`).
    public mutating func field<I: BinaryInteger>(_ k: String, _ v: I?) {
        key(k)
        text += v.map { "\($0)" } ?? "null"
    }

    /// A Boolean member (`null` when `v` is `nil`).
    public mutating func field(_ k: String, _ v: Bool?) {
        key(k)
        text += v.map { $0 ? "true" : "false" } ?? "null"
    }

    /// A field whose value is already JSON text.
    public mutating func rawField(_ k: String, _ json: String) {
        key(k)
        text += json
    }

    /// A string element of the current array.
    public mutating func element(_ v: String) {
        sep()
        text += Self.quote(v)
    }

    /// An element that is already JSON text.
    public mutating func rawElement(_ json: String) {
        sep()
        text += json
    }

    /// `s` as a JSON string literal, escaped as `canonical-jsonl.md` prescribes.
    public static func quote(_ s: String) -> String {
        var b: [UInt8] = []
        CanonicalFormat.appendString(s, to: &b)
        return String(decoding: b, as: UTF8.self)
    }
}
