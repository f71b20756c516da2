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

    /// Indices of a pair of equal items (JSON equality: `1 == 1.0`, member order irrelevant), if any: the
    /// first item that repeats an earlier one, and that earlier one. Hash-based (issue 11, rule 7): linear in
    /// the items, not quadratic — 1,000,000 items are checked in well under a second.
    static func firstDuplicate(_ a: [JSONValue]) -> (Int, Int)? {
        guard a.count > 1 else { return nil }
        if a.count <= 8 {
            for i in 0..<(a.count - 1) {
                for j in (i + 1)..<a.count where a[i] == a[j] { return (i, j) }
            }
            return nil
        }
        var seen: [UniqueItemKey: Int] = [:]
        seen.reserveCapacity(a.count)
        for (j, v) in a.enumerated() {
            if let i = seen.updateValue(j, forKey: UniqueItemKey(value: v)) { return (i, j) }
        }
        return nil
    }

    /// A hash consistent with JSON equality: numbers by their correctly rounded double (equal decimals round
    /// alike; distinct ones that collide are told apart by `==`), strings by their bytes, arrays in order,
    /// objects as an order-independent sum of their members' hashes.
    static func hashJSON(_ v: JSONValue, into h: inout Hasher) {
        switch v {
        case .null: h.combine(0 as UInt8)
        case .bool(let b): h.combine(b ? 1 as UInt8 : 2)
        case .number(let n):
            h.combine(3 as UInt8)
            if let i = smallInt(n) { h.combine(Double(i)) } else { h.combine(n.double) }
        case .string(let s):
            h.combine(4 as UInt8)
            var t = s
            t.withUTF8 { h.combine(bytes: UnsafeRawBufferPointer($0)) }
        case .array(let a):
            h.combine(5 as UInt8)
            h.combine(a.count)
            for x in a { hashJSON(x, into: &h) }
        case .object(let o):
            h.combine(6 as UInt8)
            h.combine(o.count)
            var sum = 0
            for m in o {
                var mh = Hasher()
                var k = m.key
                k.withUTF8 { mh.combine(bytes: UnsafeRawBufferPointer($0)) }
                hashJSON(m.value, into: &mh)
                sum = sum &+ mh.finalize()
            }
            h.combine(sum)
        }
    }
}

/// An item of an array under `uniqueItems`, hashed and compared with JSON equality.
struct UniqueItemKey: Hashable {
    let value: JSONValue
    static func == (a: UniqueItemKey, b: UniqueItemKey) -> Bool { a.value == b.value }
    func hash(into hasher: inout Hasher) { Values.hashJSON(value, into: &hasher) }
}
