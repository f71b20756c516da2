// The fast boolean path on raw bytes: validates straight from the tokenizer without building a tree for
// the common keywords (types, numbers, strings, properties, items, required, enum of scalars). A subschema
// using anything else gets its value materialized as a `JSONValue` and handed to the tree evaluator, so
// every schema is supported; only `true` answers are final (callers redo `false` on the tree path for errors).

/// Precomputed per-node data for streaming; nil when the node needs the tree evaluator.
final class StreamInfo: @unchecked Sendable {
    var typeMask: UInt8 = 0x7F
    var draft4Integers = false
    var scalarChecks: [Keyword] = []
    var propertyNames: [[UInt8]] = []
    var propertyNodes: [SchemaNode] = []
    var patterns: [(PatternMatcher, SchemaNode)] = []
    var additional: SchemaNode? = nil
    var required: [[UInt8]] = []
    var minProperties = 0
    var maxProperties = Int.max
    var prefixItems: [SchemaNode] = []
    var items: SchemaNode? = nil
    var itemsStart = 0
    var minItems = 0
    var maxItems = Int.max
    var hasObjectKeywords = false
    var hasArrayKeywords = false
    /// `enum` / `const` with scalar values only: no array or object can match.
    var containersInvalid = false

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
            case .minProperties(let n): s.minProperties = n; s.hasObjectKeywords = true
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
        return s
    }
}

enum StreamValidator {
    nonisolated(unsafe) static let dummyNode = SchemaNode(resource: SchemaResource(uri: ""), absoluteLocation: "")
    static let maxDepth = 200

    /// Validates the value that starts with `tok`.
    static func validate(_ node0: SchemaNode, _ tok: JSONToken, _ t: inout JSONTokenizer, _ depth: Int) throws(JSONParseError) -> Bool {
        var node = node0
        var hops = 0
        while node.boolean == nil, node.keywords.count == 1, case .ref(let target) = node.keywords[0].kind {
            node = target
            hops += 1
            if hops > 64 { break }
        }
        if let b = node.boolean {
            if b { try skip(tok, &t) }
            return b
        }
        guard let s = node.stream, depth < maxDepth, hops <= 64 else {
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
            if s.scalarChecks.isEmpty { return true }
            return string(s, st, t)
        case .number(let nt):
            if s.typeMask & SimpleType.number.rawValue == 0 {
                guard s.typeMask & SimpleType.integer.rawValue != 0 else { return false }
                if !nt.isIntegerLiteral {
                    if s.draft4Integers { return false }
                    guard let n = JSONNumber(String(decoding: t.bytes(of: nt), as: UTF8.self)), n.decimal.isInteger else { return false }
                }
            }
            if s.scalarChecks.isEmpty { return true }
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
        if st.hasEscapes {
            return scalarTree(s, .string(t.string(of: st)))
        }
        let b = t.bytes(of: st)
        for kw in s.scalarChecks {
            switch kw.kind {
            case .minLength(let m):
                if b.count < m { return false }
                if !st.isASCII && codePoints(b) < m { return false }
            case .maxLength(let m):
                if b.count > m && (st.isASCII || codePoints(b) > m) { return false }
            case .pattern(let p):
                if let r = p.fastMatches(b) {
                    if !r { return false }
                } else if (try? p.matches(String(decoding: b, as: UTF8.self))) != true {
                    return false
                }
            case .enumeration(let values):
                var found = false
                for v in values {
                    if case .string(let e) = v, e.utf8.count == b.count, e.utf8.elementsEqual(b) { found = true; break }
                }
                if !found { return false }
            case .constant(let c):
                guard case .string(let e) = c, e.utf8.elementsEqual(b) else { return false }
            case .format:
                if !scalarTree(StreamInfo.only(kw), .string(String(decoding: b, as: UTF8.self))) { return false }
            default:
                break
            }
        }
        return true
    }

    static func codePoints(_ b: UnsafeRawBufferPointer) -> Int {
        var c = 0
        for x in b where x & 0xC0 != 0x80 { c += 1 }
        return c
    }

    static func number(_ s: StreamInfo, _ nt: JSONNumberToken, _ t: JSONTokenizer) -> Bool {
        let b = t.bytes(of: nt)
        let fast = nt.int64
        for kw in s.scalarChecks {
            switch kw.kind {
            case .minimum(let limit, let exclusive):
                let c = compare(fast, b, limit)
                if exclusive ? c <= 0 : c < 0 { return false }
            case .maximum(let limit, let exclusive):
                let c = compare(fast, b, limit)
                if exclusive ? c >= 0 : c > 0 { return false }
            case .minLength, .maxLength, .pattern, .format:
                break
            default:
                guard let n = JSONNumber(String(decoding: b, as: UTF8.self)) else { return false }
                if !scalarTree(StreamInfo.only(kw), .number(n)) { return false }
            }
        }
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
            func withKeyBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
                if var ks = keyString { return ks.withUTF8 { body(UnsafeRawBufferPointer($0)) } }
                return body(kb)
            }
            withKeyBytes { bytes in
                for (i, name) in s.propertyNames.enumerated() where bytesEqual(name, bytes) {
                    first = s.propertyNodes[i]
                    evaluated = true
                    break
                }
                for (r, name) in s.required.enumerated() where bytesEqual(name, bytes) { seen |= 1 << UInt64(r) }
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
