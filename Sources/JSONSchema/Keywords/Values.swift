// Instance-value helpers for the keywords: types, exact numeric comparison, code-point lengths, equality.

enum Values {
    @inline(__always)
    static func typeMatches(_ v: JSONValue, _ mask: UInt8, draft4Integers: Bool) -> Bool {
        switch v {
        case .null: return mask & SimpleType.null.rawValue != 0
        case .bool: return mask & SimpleType.boolean.rawValue != 0
        case .string: return mask & SimpleType.string.rawValue != 0
        case .array: return mask & SimpleType.array.rawValue != 0
        case .object: return mask & SimpleType.object.rawValue != 0
        case .number(let n):
            if mask & SimpleType.number.rawValue != 0 { return true }
            guard mask & SimpleType.integer.rawValue != 0 else { return false }
            return isInteger(n, draft4: draft4Integers)
        }
    }

    /// Integer literal, or (from draft 6 on) a number with zero fractional part (`1.0`, `1e2`).
    @inline(__always)
    static func isInteger(_ n: JSONNumber, draft4: Bool) -> Bool {
        var t = n.text
        let literal = t.withUTF8 { b -> Bool in
            for c in b where c == UInt8(ascii: ".") || c | 0x20 == UInt8(ascii: "e") { return false }
            return true
        }
        if literal { return true }
        return !draft4 && n.decimal.isInteger
    }

    static func typeName(_ v: JSONValue, draft4: Bool = false) -> String {
        switch v {
        case .null: return "null"
        case .bool: return "boolean"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        case .number(let n): return isInteger(n, draft4: draft4) ? "integer" : "number"
        }
    }

    /// A short JSON rendering for messages.
    static func brief(_ v: JSONValue) -> String {
        let s = JSONSerializer.string(v)
        if s.unicodeScalars.count <= 64 { return s }
        return String(String.UnicodeScalarView(s.unicodeScalars.prefix(60))) + "…"
    }

    static func quoted(_ s: String) -> String { brief(.string(s)) }

    /// Fast exact Int64 of an integer literal of at most 18 digits.
    @inline(__always)
    static func smallInt(_ n: JSONNumber) -> Int64? {
        var t = n.text
        return t.withUTF8 { b -> Int64? in
            var i = 0
            var neg = false
            if b.count > 0 && b[0] == UInt8(ascii: "-") { neg = true; i = 1 }
            let digits = b.count - i
            guard digits > 0 && digits <= 18 else { return nil }
            var r: Int64 = 0
            while i < b.count {
                let d = b[i] &- 0x30
                guard d < 10 else { return nil }
                r = r &* 10 &+ Int64(d)
                i += 1
            }
            return neg ? -r : r
        }
    }

    /// -1, 0, 1: exact comparison of `n` with `limit`.
    @inline(__always)
    static func compare(_ n: JSONNumber, _ limit: NumberLimit) -> Int {
        if let li = limit.int64, let ni = smallInt(n) { return ni < li ? -1 : (ni > li ? 1 : 0) }
        let d = n.double
        // Correct rounding is monotonic: distinct doubles order their exact values.
        if d < limit.double { return -1 }
        if d > limit.double { return 1 }
        let a = n.decimal
        let b = limit.number.decimal
        return a < b ? -1 : (b < a ? 1 : 0)
    }

    static func isMultiple(_ n: JSONNumber, of m: NumberLimit) -> Bool {
        if let mi = m.int64, mi != 0, let ni = smallInt(n) { return ni % mi == 0 }
        return n.isMultiple(of: m.number)
    }

    /// Code points (not grapheme clusters) — UTF-8 bytes that are not continuation bytes.
    @inline(__always)
    static func codePointCount(_ s: String) -> Int {
        var t = s
        return t.withUTF8 { b -> Int in
            var c = 0
            for x in b where x & 0xC0 != 0x80 { c += 1 }
            return c
        }
    }

    @inline(__always)
    static func codePoints(_ s: String, atLeast m: Int) -> Bool {
        if m == 0 { return true }
        return codePointCount(s) >= m
    }

    /// Indices of the first pair of equal items (JSON equality), if any.
    static func firstDuplicate(_ a: [JSONValue]) -> (Int, Int)? {
        guard a.count > 1 else { return nil }
        for i in 0..<(a.count - 1) {
            for j in (i + 1)..<a.count where a[i] == a[j] { return (i, j) }
        }
        return nil
    }
}
