/// A small builder for the machine-readable (`--json`) outputs of the inspection commands.
public struct JSONOut {
    public private(set) var text = ""
    private var needComma: [Bool] = [false]

    public init() {}

    private mutating func sep() {
        if needComma[needComma.count - 1] { text += "," }
        needComma[needComma.count - 1] = true
    }

    public mutating func beginObject(_ key: String? = nil) {
        if let key { self.key(key) } else { sep() }
        text += "{"
        needComma.append(false)
    }

    public mutating func endObject() {
        needComma.removeLast()
        text += "}"
    }

    public mutating func beginArray(_ key: String? = nil) {
        if let key { self.key(key) } else { sep() }
        text += "["
        needComma.append(false)
    }

    public mutating func endArray() {
        needComma.removeLast()
        text += "]"
    }

    private mutating func key(_ k: String) {
        sep()
        text += Self.quote(k) + ":"
    }

    public mutating func field(_ k: String, _ v: String?) {
        key(k)
        text += v.map(Self.quote) ?? "null"
    }

    public mutating func field<I: BinaryInteger>(_ k: String, _ v: I?) {
        key(k)
        text += v.map { "\($0)" } ?? "null"
    }

    public mutating func field(_ k: String, _ v: Bool?) {
        key(k)
        text += v.map { $0 ? "true" : "false" } ?? "null"
    }

    /// A field whose value is already JSON text.
    public mutating func rawField(_ k: String, _ json: String) {
        key(k)
        text += json
    }

    public mutating func element(_ v: String) {
        sep()
        text += Self.quote(v)
    }

    public mutating func rawElement(_ json: String) {
        sep()
        text += json
    }

    public static func quote(_ s: String) -> String {
        var b: [UInt8] = []
        CanonicalFormat.appendString(s, to: &b)
        return String(decoding: b, as: UTF8.self)
    }
}
