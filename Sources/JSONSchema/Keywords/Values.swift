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
    /// first item that repeats an earlier one, and that earlier one. Hash-based (issue 11, rule 7): each item is
    /// hashed once (numbers by their exact value, strings by their bytes with a per-process seed, so crafted
    /// collisions cannot make it quadratic), then an open-addressing table of indices finds repeats; `==` runs
    /// only on equal hashes. 1,000,000 items take a fraction of a second.
    static func firstDuplicate(_ a: [JSONValue]) -> (Int, Int)? {
        let n = a.count
        guard n > 1 else { return nil }
        if n <= 8 {
            for i in 0..<(n - 1) {
                for j in (i + 1)..<n where a[i] == a[j] { return (i, j) }
            }
            return nil
        }
        var hashes = [UInt64](repeating: 0, count: n)
        for i in 0..<n { hashes[i] = JSONHash.hash(a[i]) }
        var cap = 16
        while cap < 2 * n { cap <<= 1 }
        let mask = cap - 1
        var table = [Int32](repeating: -1, count: cap)
        return table.withUnsafeMutableBufferPointer { t -> (Int, Int)? in
            for j in 0..<n {
                let h = hashes[j]
                var slot = Int(truncatingIfNeeded: h >> 7) & mask
                while true {
                    let k = Int(t[slot])
                    if k < 0 { t[slot] = Int32(j); break }
                    if hashes[k] == h && a[k] == a[j] { return (k, j) }
                    slot = (slot + 1) & mask
                }
            }
            return nil
        }
    }
}

/// A 64-bit hash consistent with JSON equality (equal values hash alike).
enum JSONHash {
    /// Per-process seed: hashes of strings cannot be precomputed to collide.
    static let seed: UInt64 = UInt64.random(in: 1...UInt64.max)

    @inline(__always) static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static func hash(_ v: JSONValue) -> UInt64 {
        switch v {
        case .null: return 0x6E75_6C6C
        case .bool(let b): return b ? 0x7472_7565 : 0x6661_6C73
        case .number(let n): return number(n)
        case .string(let s): return string(s)
        case .array(let items):
            var h = mix(0xA77A ^ UInt64(items.count))
            for x in items { h = mix(h ^ hash(x)) }
            return h
        case .object(let o):
            // order-independent: a sum of per-member hashes
            var sum: UInt64 = 0
            for m in o { sum = sum &+ mix(string(m.key) &+ 0x9E37_79B9 &* hash(m.value)) }
            return mix(sum ^ 0x0B1E_C7 ^ UInt64(o.count))
        }
    }

    /// Numbers by exact value: integers that fit Int64 (whatever their spelling: `10`, `1e1`, `10.0`) by that
    /// integer, others by their normalized decimal digits and exponent.
    static func number(_ n: JSONNumber) -> UInt64 {
        if let i = Values.smallInt(n) { return mix(UInt64(bitPattern: i) ^ 0x4E55_4D42) }
        let d = n.decimal
        if d.digitValues.isEmpty { return mix(0 ^ 0x4E55_4D42) }
        if d.exponent >= 0 && d.digitValues.count + d.exponent <= 18 {
            var v: Int64 = 0
            for x in d.digitValues { v = v &* 10 &+ Int64(x) }
            for _ in 0..<d.exponent { v = v &* 10 }
            return mix(UInt64(bitPattern: d.isNegative ? -v : v) ^ 0x4E55_4D42)
        }
        var h = mix(UInt64(bitPattern: Int64(d.exponent)) ^ (d.isNegative ? 1 : 2))
        for x in d.digitValues { h = (h ^ UInt64(x)) &* 0x0000_0100_0000_01B3 }
        return mix(h)
    }

    static func string(_ s: String) -> UInt64 {
        var t = s
        return t.withUTF8 { b -> UInt64 in
            var h = seed ^ UInt64(b.count)
            var i = 0
            let raw = UnsafeRawBufferPointer(b)
            while i + 8 <= b.count {
                h = mix(h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                i += 8
            }
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < b.count {
                tail |= UInt64(b[i]) << shift
                shift += 8
                i += 1
            }
            return mix(h ^ tail ^ 0x5354_52)
        }
    }
}
