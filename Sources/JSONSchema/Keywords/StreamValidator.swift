// The fast boolean path on raw bytes: validates straight from the tokenizer without building a tree for
// the common keywords (types, numbers, strings, properties, items, required, enum of scalars). A subschema
// using anything else gets its value materialized as a `JSONValue` and handed to the tree evaluator, so
// every schema is supported; only `true` answers are final (callers redo `false` on the tree path for errors).

/// Precomputed per-node data for streaming; nil when the node needs the tree evaluator.
final class StreamInfo: @unchecked Sendable {
    @exclusivity(unchecked) var typeMask: UInt8 = 0x7F
    @exclusivity(unchecked) var draft4Integers = false
    @exclusivity(unchecked) var scalarChecks: [Keyword] = []
    @exclusivity(unchecked) var propertyNames: [[UInt8]] = []
    @exclusivity(unchecked) var propertyNodes: [SchemaNode] = []
    @exclusivity(unchecked) var patterns: [(PatternMatcher, SchemaNode)] = []
    @exclusivity(unchecked) var additional: SchemaNode? = nil
    @exclusivity(unchecked) var required: [[UInt8]] = []
    @exclusivity(unchecked) var minProperties = 0
    @exclusivity(unchecked) var maxProperties = Int.max
    @exclusivity(unchecked) var prefixItems: [SchemaNode] = []
    @exclusivity(unchecked) var items: SchemaNode? = nil
    @exclusivity(unchecked) var itemsStart = 0
    @exclusivity(unchecked) var minItems = 0
    @exclusivity(unchecked) var maxItems = Int.max
    @exclusivity(unchecked) var hasObjectKeywords = false
    @exclusivity(unchecked) var hasArrayKeywords = false
    /// `enum` / `const` with scalar values only: no array or object can match.
    @exclusivity(unchecked) var containersInvalid = false
    /// String members of `enum` as bytes (nil: no enum or non-string members too).
    @exclusivity(unchecked) var enumStrings: [[UInt8]]? = nil
    // Flattened string checks (no keyword copies on the hot path).
    @exclusivity(unchecked) var minLength = 0
    @exclusivity(unchecked) var maxLength = Int.max
    @exclusivity(unchecked) var fastPatterns: [FastPattern] = []
    /// Checks that need the general code (patterns outside the fast subset, const, format, enum).
    @exclusivity(unchecked) var otherStringChecks: [Keyword] = []
    @exclusivity(unchecked) var hasStringChecks = false
    // Flattened numeric bounds.
    @exclusivity(unchecked) var numberBounds: [NumberBound] = []
    @exclusivity(unchecked) var otherNumberChecks: [Keyword] = []
    @exclusivity(unchecked) var hasNumberChecks = false
    // Property names and required names, flattened: bytes + offsets.
    @exclusivity(unchecked) var nameBytes: [UInt8] = []
    @exclusivity(unchecked) var nameOffsets: [Int] = [0]
    @exclusivity(unchecked) var requiredBytes: [UInt8] = []
    @exclusivity(unchecked) var requiredOffsets: [Int] = [0]
    /// Per property: the bits of the `required` names equal to its name (a key that matches a property needs
    /// no scan of the required names).
    @exclusivity(unchecked) var propertyRequiredMask: [UInt64] = []
    /// Some required name is not a property name: keys matching no property still scan the required names.
    @exclusivity(unchecked) var requiredOutsideProperties = false
    /// The only general string check is an `enum` of strings: its members flattened (bytes + offsets), so a
    /// string is matched without walking keywords or retaining arrays.
    @exclusivity(unchecked) var stringEnumOnly = false
    @exclusivity(unchecked) var enumBytes: [UInt8] = []
    @exclusivity(unchecked) var enumOffsets: [Int] = [0]

    /// Builds the streaming plan of `node`, or nil.
    static func make(_ node: SchemaNode) -> StreamInfo? {
        let s = StreamInfo()
        for kw in node.keywords {
            switch kw.kind {
            case .type(let mask, let d4):
                s.typeMask = mask
                s.draft4Integers = d4
            case .enumeration(let values):
                guard values.allSatisfy({ $0.arrayValue == nil && $0.objectValue == nil }) else { return nil }
                s.scalarChecks.append(kw)
                s.containersInvalid = true
                if values.allSatisfy({ $0.stringValue != nil }) { s.enumStrings = values.map { Array($0.stringValue!.utf8) } }
            case .constant(let c):
                guard c.arrayValue == nil && c.objectValue == nil else { return nil }
                s.scalarChecks.append(kw)
                s.containersInvalid = true
            case .multipleOf, .minimum, .maximum, .minLength, .maxLength, .pattern, .format:
                s.scalarChecks.append(kw)
            case .minItems(let n): s.minItems = n; s.hasArrayKeywords = true
            case .maxItems(let n): s.maxItems = n; s.hasArrayKeywords = true
            case .prefixItems(let nodes): s.prefixItems = nodes; s.hasArrayKeywords = true
            case .itemsFrom(let n, let start):
                s.items = n
                s.itemsStart = start
                s.hasArrayKeywords = true
            case .minProperties(let n):
                // Streaming counts repeated keys twice; the tree keeps one (last wins): only `true` is final,
                // so a lower bound cannot be streamed.
                if n > 0 { return nil }
                s.minProperties = n
                s.hasObjectKeywords = true
            case .maxProperties(let n): s.maxProperties = n; s.hasObjectKeywords = true
            case .required(let names):
                guard names.count <= 64 else { return nil }
                s.required = names.map { Array($0.utf8) }
                s.hasObjectKeywords = true
            case .properties(let table, let nodes):
                s.propertyNames = table.keys.map { Array($0.utf8) }
                s.propertyNodes = nodes
                s.hasObjectKeywords = true
            case .patternProperties(let entries):
                s.patterns = entries
                s.hasObjectKeywords = true
            case .additionalProperties(let n, _, _):
                s.additional = n
                s.hasObjectKeywords = true
            default:
                return nil
            }
        }
        if s.items != nil && s.itemsStart < s.prefixItems.count { return nil }
        for kw in s.scalarChecks {
            switch kw.kind {
            case .minLength(let m): s.minLength = max(s.minLength, m)
            case .maxLength(let m): s.maxLength = min(s.maxLength, m)
            case .pattern(let p):
                if let f = p.fast { s.fastPatterns.append(f) } else { s.otherStringChecks.append(kw) }
            case .enumeration, .constant, .format: s.otherStringChecks.append(kw)
            case .minimum(let l, let ex):
                s.numberBounds.append(NumberBound(isMin: true, exclusive: ex, int64: l.int64, double: l.double, limit: l))
            case .maximum(let l, let ex):
                s.numberBounds.append(NumberBound(isMin: false, exclusive: ex, int64: l.int64, double: l.double, limit: l))
            default: s.otherNumberChecks.append(kw)
            }
        }
        for kw in s.scalarChecks {
            switch kw.kind {
            case .enumeration, .constant: s.otherNumberChecks.append(kw)
            default: break
            }
        }
        s.hasStringChecks = s.minLength > 0 || s.maxLength != Int.max || !s.fastPatterns.isEmpty || !s.otherStringChecks.isEmpty
        s.hasNumberChecks = !s.numberBounds.isEmpty || !s.otherNumberChecks.isEmpty
        for n in s.propertyNames {
            s.nameBytes += n
            s.nameOffsets.append(s.nameBytes.count)
        }
        for n in s.required {
            s.requiredBytes += n
            s.requiredOffsets.append(s.requiredBytes.count)
        }
        s.propertyRequiredMask = s.propertyNames.map { name in
            var m: UInt64 = 0
            for (r, req) in s.required.enumerated() where req == name { m |= 1 << UInt64(r) }
            return m
        }
        s.requiredOutsideProperties = s.required.contains { !s.propertyNames.contains($0) }
        if let es = s.enumStrings, s.otherStringChecks.count == 1, case .enumeration = s.otherStringChecks[0].kind {
            s.stringEnumOnly = true
            for e in es {
                s.enumBytes += e
                s.enumOffsets.append(s.enumBytes.count)
            }
        }
        return s
    }
}

/// A numeric bound with its fast forms; `limit` is only read on exact ties.
struct NumberBound {
    let isMin: Bool
    let exclusive: Bool
    let int64: Int64?
    let double: Double
    let limit: NumberLimit
}

enum StreamValidator {
    static let dummyNode = SchemaNode(resource: SchemaResource(uri: ""), absoluteLocation: "")
    static let maxDepth = 200

    /// Validates the value that starts with `tok`.
    static func validate(_ node0: SchemaNode, _ tok: JSONToken, _ t: inout JSONTokenizer, _ depth: Int) throws(JSONParseError) -> Bool {
        var node = node0
        var hops = 0
        while let target = node.soleRef {
            node = target
            hops += 1
            if hops > 64 { break }
        }
        if let b = node.boolean {
            if b { try skip(tok, &t) }
            return b
        }
        guard let s = node.stream, depth < maxDepth, hops <= 64 else {
            if depth >= maxDepth { return false }  // the caller redoes `false` on the tree path
            let v = try materialize(tok, &t)
            var ctx = EvalContext(trackScope: false, collect: false)
            return Evaluator.validate(node, v, &ctx)
        }
        switch tok {
        case .objectStart:
            guard s.typeMask & SimpleType.object.rawValue != 0, !s.containersInvalid else { return false }
            if !s.hasObjectKeywords { try skip(tok, &t); return true }
            return try object(s, &t, depth)
        case .arrayStart:
            guard s.typeMask & SimpleType.array.rawValue != 0, !s.containersInvalid else { return false }
            if !s.hasArrayKeywords { try skip(tok, &t); return true }
            return try array(s, &t, depth)
        case .string(let st):
            guard s.typeMask & SimpleType.string.rawValue != 0 else { return false }
            return string(s, st, t)
        case .number(let nt):
            if s.typeMask & SimpleType.number.rawValue == 0 {
                guard s.typeMask & SimpleType.integer.rawValue != 0 else { return false }
                if !nt.isIntegerLiteral {
                    if s.draft4Integers { return false }
                    guard let n = JSONNumber(String(decoding: t.bytes(of: nt), as: UTF8.self)), n.decimal.isInteger else { return false }
                }
            }
            return number(s, nt, t)
        case .bool(let b):
            guard s.typeMask & SimpleType.boolean.rawValue != 0 else { return false }
            return scalarTree(s, .bool(b))
        case .null:
            guard s.typeMask & SimpleType.null.rawValue != 0 else { return false }
            return scalarTree(s, .null)
        default:
            return false
        }
    }

    static func scalarTree(_ s: StreamInfo, _ v: JSONValue) -> Bool {
        if s.scalarChecks.isEmpty { return true }
        var ctx = EvalContext(trackScope: false, collect: false)
        for kw in s.scalarChecks where !Evaluator.check(kw, dummyNode, v, &ctx) { return false }
        return true
    }

    @inline(__always)
    static func bytesEqual(_ a: [UInt8], _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBytes { x in
            if x.count == 0 { return true }
            return memcmp(x.baseAddress!, b.baseAddress!, x.count) == 0
        }
    }

    static func string(_ s: StreamInfo, _ st: JSONStringToken, _ t: JSONTokenizer) -> Bool {
        if !s.hasStringChecks { return true }
        let b = t.bytes(of: st)
        if st.hasEscapes {
            // Lengths only: count the unescaped code points without building the string.
            if !s.fastPatterns.isEmpty || !s.otherStringChecks.isEmpty {
                return scalarTree(s, .string(t.string(of: st)))
            }
            let n = escapedCodePoints(b)
            return n >= s.minLength && n <= s.maxLength
        }
        if b.count < s.minLength { return false }
        if b.count > s.maxLength || (!st.isASCII && s.minLength > 0) {
            let n = st.isASCII ? b.count : codePoints(b)
            if n < s.minLength || n > s.maxLength { return false }
        }
        if !s.fastPatterns.isEmpty {
            for i in s.fastPatterns.indices {
                if let r = s.fastPatterns[i].matches(b) {
                    if !r { return false }
                } else if (try? s.fastPatterns[i].fallback(String(decoding: b, as: UTF8.self))) != true {
                    return false
                }
            }
        }
        if s.otherStringChecks.isEmpty { return true }
        if s.stringEnumOnly { return flatContains(s.enumBytes, s.enumOffsets, b) }
        for kw in s.otherStringChecks {
            switch kw.kind {
            case .enumeration(let values):
                var found = false
                if let es = s.enumStrings {
                    for e in es where bytesEqual(e, b) { found = true; break }
                } else {
                    for v in values {
                        if case .string(let e) = v, e.utf8.count == b.count, e.utf8.elementsEqual(b) { found = true; break }
                    }
                }
                if !found { return false }
            case .constant(let c):
                guard case .string(let e) = c, e.utf8.elementsEqual(b) else { return false }
            default:
                if !scalarTree(StreamInfo.only(kw), .string(String(decoding: b, as: UTF8.self))) { return false }
            }
        }
        return true
    }

    /// `b` is one of the byte strings laid out in `bytes` at `offsets` (string `i` is `offsets[i] ..< offsets[i + 1]`).
    @inline(__always)
    static func flatContains(_ bytes: [UInt8], _ offsets: [Int], _ b: UnsafeRawBufferPointer) -> Bool {
        let n = b.count
        return bytes.withUnsafeBytes { all in
            offsets.withUnsafeBufferPointer { offs in
                for k in 0..<(offs.count - 1) where offs[k + 1] - offs[k] == n {
                    if n == 0 || memcmp(all.baseAddress! + offs[k], b.baseAddress!, n) == 0 { return true }
                }
                return false
            }
        }
    }

    /// Code points of the unescaped form of a raw (escaped) string body; a surrogate pair counts once.
    static func escapedCodePoints(_ b: UnsafeRawBufferPointer) -> Int {
        var c = 0
        var i = 0
        let n = b.count
        var afterHigh = false
        while i < n {
            let x = b[i]
            if x == UInt8(ascii: "\\") && i + 1 < n {
                if b[i + 1] == UInt8(ascii: "u") && i + 5 < n {
                    var v: UInt32 = 0
                    for k in 2...5 {
                        let h = b[i + k]
                        let d: UInt32 = h <= 0x39 ? UInt32(h &- 0x30) : UInt32((h | 0x20) &- 0x61 &+ 10)
                        v = v << 4 | d
                    }
                    if !(afterHigh && v >= 0xDC00 && v <= 0xDFFF) { c += 1 }
                    afterHigh = v >= 0xD800 && v <= 0xDBFF
                    i += 6
                } else {
                    c += 1
                    afterHigh = false
                    i += 2
                }
            } else {
                if x & 0xC0 != 0x80 { c += 1 }
                afterHigh = false
                i += 1
            }
        }
        return c
    }

    static func codePoints(_ b: UnsafeRawBufferPointer) -> Int {
        var c = 0
        for x in b where x & 0xC0 != 0x80 { c += 1 }
        return c
    }

    static func number(_ s: StreamInfo, _ nt: JSONNumberToken, _ t: JSONTokenizer) -> Bool {
        if !s.hasNumberChecks { return true }
        let b = t.bytes(of: nt)
        let fast = nt.int64
        for i in s.numberBounds.indices {
            let c: Int
            if let f = fast, let l = s.numberBounds[i].int64 {
                c = f < l ? -1 : (f > l ? 1 : 0)
            } else {
                c = compare(fast, b, s.numberBounds[i].limit)
            }
            let exclusive = s.numberBounds[i].exclusive
            if s.numberBounds[i].isMin {
                if exclusive ? c <= 0 : c < 0 { return false }
            } else {
                if exclusive ? c >= 0 : c > 0 { return false }
            }
        }
        if s.otherNumberChecks.isEmpty { return true }
        guard let n = JSONNumber(String(decoding: b, as: UTF8.self)) else { return false }
        for kw in s.otherNumberChecks where !scalarTree(StreamInfo.only(kw), .number(n)) { return false }
        return true
    }

    @inline(__always)
    static func compare(_ fast: Int64?, _ b: UnsafeRawBufferPointer, _ limit: NumberLimit) -> Int {
        if let f = fast, let l = limit.int64 { return f < l ? -1 : (f > l ? 1 : 0) }
        let d = JSONNumber.parseDouble(b)
        if d < limit.double { return -1 }
        if d > limit.double { return 1 }
        let a = JSONDecimal(validatedLiteral: b)
        let c = limit.number.decimal
        return a < c ? -1 : (c < a ? 1 : 0)
    }

    static func object(_ s: StreamInfo, _ t: inout JSONTokenizer, _ depth: Int) throws(JSONParseError) -> Bool {
        var count = 0
        var seen: UInt64 = 0
        var hint = 0
        while true {
            let kt = try t.next()
            guard case .key(let k) = kt else { break }
            count += 1
            var keyString: String? = nil
            var kb = t.bytes(of: k)
            if k.hasEscapes {
                keyString = t.string(of: k)
            }
            // Applicable subschemas.
            var first: SchemaNode? = nil
            var more: [SchemaNode] = []
            var evaluated = false
            let (pi, rmask): (Int, UInt64)
            if var ks = keyString {
                (pi, rmask) = ks.withUTF8 { lookup(s, UnsafeRawBufferPointer($0), hint: &hint) }
            } else {
                (pi, rmask) = lookup(s, kb, hint: &hint)
            }
            seen |= rmask
            if pi >= 0 {
                first = s.propertyNodes[pi]
                evaluated = true
            }
            if !s.patterns.isEmpty {
                let key = keyString ?? String(decoding: kb, as: UTF8.self)
                for (p, sub) in s.patterns where (try? p.matches(key)) == true {
                    evaluated = true
                    if first == nil { first = sub } else { more.append(sub) }
                }
            }
            if !evaluated, let a = s.additional {
                if a.boolean == false { return false }
                first = a
            }
            kb = UnsafeRawBufferPointer(start: nil, count: 0)
            let vt = try t.next()
            if let f = first {
                if more.isEmpty {
                    if !(try validate(f, vt, &t, depth + 1)) { return false }
                } else {
                    let v = try materialize(vt, &t)
                    var ctx = EvalContext(trackScope: false, collect: false)
                    if !Evaluator.validate(f, v, &ctx) { return false }
                    for m in more where !Evaluator.validate(m, v, &ctx) { return false }
                }
            } else {
                try skip(vt, &t)
            }
        }
        if count < s.minProperties || count > s.maxProperties { return false }
        if !s.required.isEmpty {
            let all: UInt64 = s.required.count == 64 ? ~0 : (1 << UInt64(s.required.count)) - 1
            if seen & all != all { return false }
        }
        return true
    }

    @inline(__always)
    static func lookup(_ s: StreamInfo, _ bytes: UnsafeRawBufferPointer, hint: inout Int) -> (Int, UInt64) {
        var pi = -1
        let count = s.nameOffsets.count - 1
        if count > 0 {
            s.nameBytes.withUnsafeBytes { names in
                s.nameOffsets.withUnsafeBufferPointer { offs in
                    // Keys usually come in schema order: start at the expected next property.
                    var k = hint
                    for _ in 0..<count {
                        if k >= count { k = 0 }
                        let lo = offs[k], hi = offs[k + 1]
                        if hi - lo == bytes.count && (bytes.count == 0 || memcmp(names.baseAddress! + lo, bytes.baseAddress!, bytes.count) == 0) {
                            pi = k
                            break
                        }
                        k += 1
                    }
                }
            }
            if pi >= 0 {
                hint = pi + 1
                return (pi, s.propertyRequiredMask[pi])
            }
        }
        var mask: UInt64 = 0
        let rc = s.requiredOffsets.count - 1
        if rc > 0 && s.requiredOutsideProperties {
            s.requiredBytes.withUnsafeBytes { names in
                s.requiredOffsets.withUnsafeBufferPointer { offs in
                    for r in 0..<rc {
                        let lo = offs[r], hi = offs[r + 1]
                        if hi - lo == bytes.count && (bytes.count == 0 || memcmp(names.baseAddress! + lo, bytes.baseAddress!, bytes.count) == 0) {
                            mask |= 1 << UInt64(r)
                            break
                        }
                    }
                }
            }
        }
        return (pi, mask)
    }

    static func array(_ s: StreamInfo, _ t: inout JSONTokenizer, _ depth: Int) throws(JSONParseError) -> Bool {
        var i = 0
        while true {
            let tok = try t.next()
            if tok == .arrayEnd { break }
            let sub: SchemaNode? = i < s.prefixItems.count ? s.prefixItems[i] : (i >= s.itemsStart ? s.items : nil)
            if let sub {
                if !(try validate(sub, tok, &t, depth + 1)) { return false }
            } else {
                try skip(tok, &t)
            }
            i += 1
            if i > s.maxItems { return false }
        }
        return i >= s.minItems
    }

    /// Consumes the rest of the value that starts with `tok`.
    static func skip(_ tok: JSONToken, _ t: inout JSONTokenizer) throws(JSONParseError) {
        guard tok == .objectStart || tok == .arrayStart else { return }
        let target = t.depth - 1
        while t.depth > target { _ = try t.next() }
    }

    /// Builds the tree of the value that starts with `tok`.
    static func materialize(_ tok: JSONToken, _ t: inout JSONTokenizer) throws(JSONParseError) -> JSONValue {
        switch tok {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .string(let s): return .string(t.string(of: s))
        case .number(let n): return .number(JSONNumber(String(decoding: t.bytes(of: n), as: UTF8.self))!)
        case .arrayStart:
            var a: [JSONValue] = []
            while true {
                let e = try t.next()
                if e == .arrayEnd { return .array(a) }
                a.append(try materialize(e, &t))
            }
        case .objectStart:
            var o = JSONObject()
            while true {
                let e = try t.next()
                guard case .key(let k) = e else { return .object(o) }
                let key = t.string(of: k)
                let v = try materialize(try t.next(), &t)
                o.append(key: key, value: v)
            }
        default:
            return .null
        }
    }
}

extension StreamInfo {
    static func only(_ kw: Keyword) -> StreamInfo {
        let s = StreamInfo()
        s.scalarChecks = [kw]
        return s
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
