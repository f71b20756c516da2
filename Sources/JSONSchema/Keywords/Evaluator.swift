// The validator program's interpreter: one pass over (schema node, instance), either as a boolean
// short-circuiting check (no allocation on valid input) or collecting output units with locations.

/// Evaluation state. Locations are only tracked while collecting (lazy error locations).
struct EvalContext {
    /// Dynamic scope (resources entered), only when the program uses `$dynamicRef` / `$recursiveRef`.
    var scope: [SchemaResource] = []
    let trackScope: Bool
    var depth = 0
    var collect: Bool
    var verbose: Bool
    var units: [OutputUnit] = []
    var instancePath: [String] = []
    var keywordPath: [String] = []
    var depthExceeded = false
    /// Set when the evaluation reached a `$ref` whose document is not registered (a schema error, not a verdict).
    var unresolvedReference: String? = nil
    /// The instance location that reached it (or, in a non-collecting probe, its nearest collected ancestor).
    var unresolvedReferenceAt: String? = nil
    /// Lowest stack address this evaluation may use (see `StackGuard`).
    let stackLimit: UInt = StackGuard.limit()

    init(trackScope: Bool, collect: Bool, verbose: Bool = false) {
        self.trackScope = trackScope
        self.collect = collect
        self.verbose = verbose
    }
}

enum Evaluator {
    /// Schema nesting depth during one evaluation (each instance level costs 1–3); `$ref` cycles that never
    /// descend into the instance stop here. Keeps the stack of worker threads safe even in debug builds.
    static let maxDepth = 1024

    // MARK: Nodes

    static func validate(_ node: SchemaNode, _ v: JSONValue, _ ctx: inout EvalContext) -> Bool {
        if let b = node.boolean {
            if !b, let m = node.unresolvedReference {
                if ctx.unresolvedReference == nil { ctx.unresolvedReference = m }
                // Outside collection (a `not` or `if` probe) the path is that of the nearest collecting ancestor.
                if ctx.unresolvedReferenceAt == nil { ctx.unresolvedReferenceAt = JSONPointer.string(ctx.instancePath) }
                if ctx.collect { ctx.units.append(unit(ctx, node, nil, valid: false, error: m)) }
                return false
            }
            if !b && ctx.collect {
                ctx.units.append(unit(ctx, node, nil, valid: false, error: "no value is allowed here (the schema is false)"))
            }
            return b
        }
        if ctx.depth >= maxDepth || (ctx.depth & 7 == 7 && !StackGuard.hasRoom(ctx.stackLimit)) {
            ctx.depthExceeded = true
            if ctx.collect {
                ctx.units.append(unit(ctx, node, nil, valid: false,
                                      error: "evaluation too deep (a $ref cycle, or nesting beyond the thread's stack)"))
            }
            return false
        }
        let pushed = enter(node, &ctx)
        var ok = true
        if ctx.collect {
            for kw in node.keywords {
                ctx.keywordPath.append(kw.name)
                let mark = ctx.units.count
                let r = check(kw, node, v, &ctx)
                if !r { ok = false }
                if ctx.verbose && ctx.units.count == mark {
                    ctx.units.append(unit(ctx, node, kw.name, valid: r, error: nil))
                }
                ctx.keywordPath.removeLast()
            }
        } else {
            for kw in node.keywords where !check(kw, node, v, &ctx) {
                ok = false
                break
            }
        }
        leave(pushed, &ctx)
        return ok
    }

    /// One level deeper; enters the node's resource into the dynamic scope when it changes.
    @inline(__always)
    static func enter(_ node: SchemaNode, _ ctx: inout EvalContext) -> Bool {
        ctx.depth += 1
        guard ctx.trackScope && ctx.scope.last !== node.resource else { return false }
        ctx.scope.append(node.resource)
        return true
    }

    @inline(__always)
    static func leave(_ pushed: Bool, _ ctx: inout EvalContext) {
        if pushed { ctx.scope.removeLast() }
        ctx.depth -= 1
    }

    @inline(__always)
    static func isValid(_ node: SchemaNode, _ v: JSONValue, _ ctx: inout EvalContext) -> Bool {
        if !ctx.collect { return validate(node, v, &ctx) }
        ctx.collect = false
        let r = validate(node, v, &ctx)
        ctx.collect = true
        return r
    }

    // MARK: Output units

    static func unit(_ ctx: EvalContext, _ node: SchemaNode, _ keyword: String?, valid: Bool, error: String?,
                     children: [OutputUnit] = []) -> OutputUnit
    {
        var abs = node.absoluteLocation
        if let keyword { abs += "/" + JSONPointer.escape(keyword) }
        return OutputUnit(valid: valid, keywordLocation: JSONPointer.string(ctx.keywordPath),
                          absoluteKeywordLocation: abs, instanceLocation: JSONPointer.string(ctx.instancePath),
                          error: error, errors: children)
    }

    @inline(__always)
    static func fail(_ ctx: inout EvalContext, _ node: SchemaNode, _ kw: Keyword, _ message: @autoclosure () -> String) -> Bool {
        if ctx.collect { ctx.units.append(unit(ctx, node, kw.name, valid: false, error: message())) }
        return false
    }

    /// Wraps the units collected since `mark` under one unit for an applicator keyword.
    static func wrap(_ ctx: inout EvalContext, _ node: SchemaNode, _ kw: Keyword, from mark: Int, valid: Bool,
                     _ message: @autoclosure () -> String)
    {
        guard ctx.collect else { return }
        let children = Array(ctx.units[mark...])
        ctx.units.removeSubrange(mark...)
        if !valid {
            ctx.units.append(unit(ctx, node, kw.name, valid: false, error: message(), children: children))
        } else if ctx.verbose {
            ctx.units.append(unit(ctx, node, kw.name, valid: true, error: nil, children: children))
        }
    }

    @inline(__always)
    static func withPath<T>(_ ctx: inout EvalContext, keyword: String?, instance: String?, _ body: (inout EvalContext) -> T) -> T {
        guard ctx.collect else { return body(&ctx) }
        if let keyword { ctx.keywordPath.append(keyword) }
        if let instance { ctx.instancePath.append(instance) }
        let r = body(&ctx)
        if keyword != nil { ctx.keywordPath.removeLast() }
        if instance != nil { ctx.instancePath.removeLast() }
        return r
    }

    // MARK: Keywords

    static func check(_ kw: Keyword, _ node: SchemaNode, _ v: JSONValue, _ ctx: inout EvalContext) -> Bool {
        switch kw.kind {
        case .type(let mask, let d4):
            if Values.typeMatches(v, mask, draft4Integers: d4) { return true }
            return fail(&ctx, node, kw, "expected \(SimpleType.names(mask).joined(separator: " or ")), got \(Values.typeName(v, draft4: d4))")
        case .enumeration(let values):
            for e in values where e == v { return true }
            let shown = values.prefix(8).map(Values.brief).joined(separator: ", ") + (values.count > 8 ? ", …" : "")
            return fail(&ctx, node, kw, "\(Values.brief(v)) is not one of \(shown)")
        case .constant(let c):
            if c == v { return true }
            return fail(&ctx, node, kw, "\(Values.brief(v)) is not equal to the constant \(Values.brief(c))")
        case .multipleOf(let m):
            guard case .number(let n) = v else { return true }
            if Values.isMultiple(n, of: m) { return true }
            return fail(&ctx, node, kw, "\(n.text) is not a multiple of \(m.number.text)")
        case .minimum(let limit, let exclusive):
            guard case .number(let n) = v else { return true }
            let c = Values.compare(n, limit)
            if exclusive ? c > 0 : c >= 0 { return true }
            return fail(&ctx, node, kw, "\(n.text) is less than \(exclusive ? "or equal to " : "")the minimum \(limit.number.text)")
        case .maximum(let limit, let exclusive):
            guard case .number(let n) = v else { return true }
            let c = Values.compare(n, limit)
            if exclusive ? c < 0 : c <= 0 { return true }
            return fail(&ctx, node, kw, "\(n.text) is greater than \(exclusive ? "or equal to " : "")the maximum \(limit.number.text)")
        case .minLength(let m):
            guard case .string(let s) = v else { return true }
            if s.utf8.count >= m && Values.codePoints(s, atLeast: m) { return true }
            return fail(&ctx, node, kw, "string is shorter than \(m) character\(m == 1 ? "" : "s") (\(s.unicodeScalars.count))")
        case .maxLength(let m):
            guard case .string(let s) = v else { return true }
            if s.utf8.count <= m || Values.codePointCount(s) <= m { return true }
            return fail(&ctx, node, kw, "string is longer than \(m) character\(m == 1 ? "" : "s") (\(s.unicodeScalars.count))")
        case .pattern(let re):
            guard case .string(let s) = v else { return true }
            do {
                if try re.matches(s) { return true }
                return fail(&ctx, node, kw, "\(Values.brief(v)) does not match the pattern \(Values.quoted(re.pattern))")
            } catch {
                return fail(&ctx, node, kw, "pattern \(Values.quoted(re.pattern)) gave up on \(Values.brief(v)): \(error)")
            }
        case .format(let f, let d):
            guard case .string(let s) = v else { return true }
            if FormatChecker.check(f, s, draft: d) ?? true { return true }
            return fail(&ctx, node, kw, "\(Values.brief(v)) is not a valid \(f)")
        case .minItems(let m):
            guard case .array(let a) = v else { return true }
            if a.count >= m { return true }
            return fail(&ctx, node, kw, "array has \(a.count) item\(a.count == 1 ? "" : "s"), fewer than \(m)")
        case .maxItems(let m):
            guard case .array(let a) = v else { return true }
            if a.count <= m { return true }
            return fail(&ctx, node, kw, "array has \(a.count) items, more than \(m)")
        case .uniqueItems:
            guard case .array(let a) = v else { return true }
            if let (i, j) = Values.firstDuplicate(a) {
                return fail(&ctx, node, kw, "items \(i) and \(j) are equal (items must be unique)")
            }
            return true
        case .prefixItems(let nodes):
            guard case .array(let a) = v else { return true }
            let mark = ctx.units.count
            var ok = true
            for i in 0..<min(nodes.count, a.count) {
                let r = withPath(&ctx, keyword: ctx.collect ? String(i) : nil, instance: ctx.collect ? String(i) : nil) {
                    validate(nodes[i], a[i], &$0)
                }
                if !r { ok = false; if !ctx.collect { return false } }
            }
            wrap(&ctx, node, kw, from: mark, valid: ok, "some items do not match their schemas")
            return ok
        case .itemsFrom(let sub, let start):
            guard case .array(let a) = v, a.count > start else { return true }
            let mark = ctx.units.count
            var ok = true
            for i in start..<a.count {
                let r = withPath(&ctx, keyword: nil, instance: ctx.collect ? String(i) : nil) { validate(sub, a[i], &$0) }
                if !r { ok = false; if !ctx.collect { return false } }
            }
            wrap(&ctx, node, kw, from: mark, valid: ok, "some items do not match the schema")
            return ok
        case .contains(let sub, let minC, let maxC, _):
            guard case .array(let a) = v else { return true }
            var count = 0
            for e in a where isValid(sub, e, &ctx) {
                count += 1
                if maxC == nil && count >= minC { return true }
            }
            if count < minC {
                return fail(&ctx, node, kw, minC == 1 ? "no item matches the \"contains\" schema"
                    : "only \(count) item\(count == 1 ? "" : "s") match the \"contains\" schema, fewer than \(minC)")
            }
            if let maxC, count > maxC {
                return fail(&ctx, node, kw, "\(count) items match the \"contains\" schema, more than \(maxC)")
            }
            return true
        case .minProperties(let m):
            guard case .object(let o) = v else { return true }
            if o.count >= m { return true }
            return fail(&ctx, node, kw, "object has \(o.count) propert\(o.count == 1 ? "y" : "ies"), fewer than \(m)")
        case .maxProperties(let m):
            guard case .object(let o) = v else { return true }
            if o.count <= m { return true }
            return fail(&ctx, node, kw, "object has \(o.count) properties, more than \(m)")
        case .required(let names):
            guard case .object(let o) = v else { return true }
            var ok = true
            for n in names where o.firstIndex(of: n) == nil {
                ok = false
                if !ctx.collect { return false }
                _ = fail(&ctx, node, kw, "missing required property \(Values.quoted(n))")
            }
            return ok
        case .properties(let table, let nodes):
            guard case .object(let o) = v else { return true }
            let mark = ctx.units.count
            var ok = true
            for m in o.members {
                guard let i = table.find(m.key) else { continue }
                let r = withPath(&ctx, keyword: m.key, instance: m.key) { validate(nodes[i], m.value, &$0) }
                if !r { ok = false; if !ctx.collect { return false } }
            }
            wrap(&ctx, node, kw, from: mark, valid: ok, "some properties do not match their schemas")
            return ok
        case .patternProperties(let entries):
            guard case .object(let o) = v else { return true }
            let mark = ctx.units.count
            var ok = true
            for m in o.members {
                for (re, sub) in entries where (try? re.matches(m.key)) == true {
                    let r = withPath(&ctx, keyword: re.pattern, instance: m.key) { validate(sub, m.value, &$0) }
                    if !r { ok = false; if !ctx.collect { return false } }
                }
            }
            wrap(&ctx, node, kw, from: mark, valid: ok, "some properties do not match their pattern schemas")
            return ok
        case .additionalProperties(let sub, let table, let patterns):
            guard case .object(let o) = v else { return true }
            let mark = ctx.units.count
            var ok = true
            for m in o.members {
                if table.contains(m.key) { continue }
                if !patterns.isEmpty && patterns.contains(where: { (try? $0.matches(m.key)) == true }) { continue }
                if sub.boolean == false {
                    ok = false
                    if !ctx.collect { return false }
                    withPath(&ctx, keyword: nil, instance: m.key) {
                        _ = fail(&$0, node, kw, "property \(Values.quoted(m.key)) is not allowed (additionalProperties)")
                    }
                    continue
                }
                let r = withPath(&ctx, keyword: nil, instance: m.key) { validate(sub, m.value, &$0) }
                if !r { ok = false; if !ctx.collect { return false } }
            }
            if sub.boolean == false {
                if ctx.collect && ctx.verbose && ok { ctx.units.append(unit(ctx, node, kw.name, valid: true, error: nil)) }
                return ok
            }
            wrap(&ctx, node, kw, from: mark, valid: ok, "some additional properties do not match the schema")
            return ok
        case .propertyNames(let sub):
            guard case .object(let o) = v else { return true }
            let mark = ctx.units.count
            var ok = true
            for m in o.members where !validate(sub, .string(m.key), &ctx) {
                ok = false
                if !ctx.collect { return false }
            }
            wrap(&ctx, node, kw, from: mark, valid: ok, "some property names do not match the schema")
            return ok
        case .dependentRequired(let deps):
            guard case .object(let o) = v else { return true }
            var ok = true
            for (k, reqs) in deps where o.firstIndex(of: k) != nil {
                for r in reqs where o.firstIndex(of: r) == nil {
                    ok = false
                    if !ctx.collect { return false }
                    _ = fail(&ctx, node, kw, "property \(Values.quoted(r)) is required when \(Values.quoted(k)) is present")
                }
            }
            return ok
        case .dependentSchemas(let deps):
            guard case .object(let o) = v else { return true }
            let mark = ctx.units.count
            var ok = true
            for (k, sub) in deps where o.firstIndex(of: k) != nil {
                let r = withPath(&ctx, keyword: k, instance: nil) { validate(sub, v, &$0) }
                if !r { ok = false; if !ctx.collect { return false } }
            }
            wrap(&ctx, node, kw, from: mark, valid: ok, "the object does not match the schemas of its dependencies")
            return ok
        case .allOf(let nodes):
            let mark = ctx.units.count
            var ok = true
            for (i, sub) in nodes.enumerated() {
                let r = withPath(&ctx, keyword: ctx.collect ? String(i) : nil, instance: nil) { validate(sub, v, &$0) }
                if !r { ok = false; if !ctx.collect { return false } }
            }
            wrap(&ctx, node, kw, from: mark, valid: ok, "the value does not match all of the allOf schemas")
            return ok
        case .anyOf(let nodes):
            if !ctx.collect {
                for sub in nodes where validate(sub, v, &ctx) { return true }
                return false
            }
            let mark = ctx.units.count
            var ok = false
            for (i, sub) in nodes.enumerated() {
                if withPath(&ctx, keyword: String(i), instance: nil, { validate(sub, v, &$0) }) { ok = true }
            }
            wrap(&ctx, node, kw, from: mark, valid: ok, "the value matches none of the anyOf schemas")
            return ok
        case .oneOf(let nodes):
            let mark = ctx.units.count
            var matched: [Int] = []
            var count = 0
            for (i, sub) in nodes.enumerated() {
                if withPath(&ctx, keyword: ctx.collect ? String(i) : nil, instance: nil, { validate(sub, v, &$0) }) {
                    count += 1
                    if ctx.collect { matched.append(i) } else if count > 1 { return false }
                }
            }
            if count == 1 {
                wrap(&ctx, node, kw, from: mark, valid: true, "")
                return true
            }
            if count == 0 {
                wrap(&ctx, node, kw, from: mark, valid: false, "the value matches none of the oneOf schemas")
            } else {
                if ctx.collect { ctx.units.removeSubrange(mark...) }
                _ = fail(&ctx, node, kw, "the value matches more than one oneOf schema (\(matched.map(String.init).joined(separator: ", ")))")
            }
            return false
        case .not(let sub):
            if !isValid(sub, v, &ctx) { return true }
            return fail(&ctx, node, kw, "the value must not match the \"not\" schema")
        case .ifThenElse(let i, let t, let e):
            if isValid(i, v, &ctx) {
                guard let t else { return true }
                let mark = ctx.units.count
                let r = withPath(&ctx, keyword: nil, instance: nil) { c -> Bool in
                    if c.collect { c.keywordPath[c.keywordPath.count - 1] = "then" }
                    let r = validate(t, v, &c)
                    if c.collect { c.keywordPath[c.keywordPath.count - 1] = "if" }
                    return r
                }
                wrap(&ctx, node, Keyword(name: "then", kind: kw.kind), from: mark, valid: r, "the value matches \"if\" but not \"then\"")
                return r
            } else {
                guard let e else { return true }
                let mark = ctx.units.count
                let r = withPath(&ctx, keyword: nil, instance: nil) { c -> Bool in
                    if c.collect { c.keywordPath[c.keywordPath.count - 1] = "else" }
                    let r = validate(e, v, &c)
                    if c.collect { c.keywordPath[c.keywordPath.count - 1] = "if" }
                    return r
                }
                wrap(&ctx, node, Keyword(name: "else", kind: kw.kind), from: mark, valid: r, "the value matches neither \"if\" nor \"else\"")
                return r
            }
        case .ref(let target), .dynamicRef(let target, _), .recursiveRef(let target):
            let t = dynamicTarget(kw.kind, target, ctx)
            let mark = ctx.units.count
            let r = validate(t, v, &ctx)
            wrap(&ctx, node, kw, from: mark, valid: r, "the value does not match the referenced schema \(t.absoluteLocation)")
            return r
        case .unevaluatedProperties(let sub):
            guard case .object(let o) = v else { return true }
            var marks = [Bool](repeating: false, count: o.count)
            let saved = ctx.collect
            ctx.collect = false
            markProperties(node, o, &marks, &ctx, skipUnevaluated: true)
            ctx.collect = saved
            let mark = ctx.units.count
            var ok = true
            for (i, m) in o.members.enumerated() where !marks[i] {
                if sub.boolean == false {
                    ok = false
                    if !ctx.collect { return false }
                    withPath(&ctx, keyword: nil, instance: m.key) {
                        _ = fail(&$0, node, kw, "property \(Values.quoted(m.key)) is not allowed (unevaluatedProperties)")
                    }
                    continue
                }
                let r = withPath(&ctx, keyword: nil, instance: m.key) { validate(sub, m.value, &$0) }
                if !r { ok = false; if !ctx.collect { return false } }
            }
            if sub.boolean == false { return ok }
            wrap(&ctx, node, kw, from: mark, valid: ok, "some unevaluated properties do not match the schema")
            return ok
        case .unevaluatedItems(let sub):
            guard case .array(let a) = v else { return true }
            var marks = [Bool](repeating: false, count: a.count)
            let saved = ctx.collect
            ctx.collect = false
            markItems(node, a, &marks, &ctx, skipUnevaluated: true)
            ctx.collect = saved
            let mark = ctx.units.count
            var ok = true
            for i in a.indices where !marks[i] {
                if sub.boolean == false {
                    ok = false
                    if !ctx.collect { return false }
                    withPath(&ctx, keyword: nil, instance: String(i)) {
                        _ = fail(&$0, node, kw, "item \(i) is not allowed (unevaluatedItems)")
                    }
                    continue
                }
                let r = withPath(&ctx, keyword: nil, instance: String(i)) { validate(sub, a[i], &$0) }
                if !r { ok = false; if !ctx.collect { return false } }
            }
            if sub.boolean == false { return ok }
            wrap(&ctx, node, kw, from: mark, valid: ok, "some unevaluated items do not match the schema")
            return ok
        }
    }

    static func dynamicTarget(_ kind: KeywordKind, _ target: SchemaNode, _ ctx: EvalContext) -> SchemaNode {
        switch kind {
        case .dynamicRef(_, let anchor):
            for r in ctx.scope { if let n = r.dynamicAnchors[anchor] { return n } }
            return target
        case .recursiveRef:
            for r in ctx.scope { if let n = r.recursiveRoot { return n } }
            return target
        default:
            return target
        }
    }
}
