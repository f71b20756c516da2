// `unevaluatedProperties` / `unevaluatedItems`: which members and items the sibling keywords (and valid
// in-place subschemas, through references and the dynamic scope) evaluated, recomputed on demand.

extension Evaluator {
    // MARK: Annotations for unevaluated*

    /// Marks the members of `o` that `node` (when valid) evaluates: properties, patternProperties,
    /// additionalProperties, unevaluatedProperties and those of valid in-place subschemas.
    static func markProperties(_ node: SchemaNode, _ o: JSONObject, _ marks: inout [Bool], _ ctx: inout EvalContext,
                               skipUnevaluated: Bool = false)
    {
        guard node.boolean == nil, ctx.depth < maxDepth, StackGuard.hasRoom(ctx.stackLimit) else { return }
        let pushed = enter(node, &ctx)
        defer { leave(pushed, &ctx) }
        let v = JSONValue.object(o)
        for kw in node.keywords {
            switch kw.kind {
            case .properties(let table, _):
                for (i, m) in o.members.enumerated() where table.contains(m.key) { marks[i] = true }
            case .patternProperties(let entries):
                for (i, m) in o.members.enumerated() where entries.contains(where: { (try? $0.0.matches(m.key)) == true }) {
                    marks[i] = true
                }
            case .additionalProperties:
                for i in marks.indices { marks[i] = true }
            case .unevaluatedProperties:
                if !skipUnevaluated { for i in marks.indices { marks[i] = true } }
            case .allOf(let nodes), .anyOf(let nodes), .oneOf(let nodes):
                for n in nodes where validate(n, v, &ctx) { markProperties(n, o, &marks, &ctx) }
            case .ifThenElse(let i, let t, let e):
                if validate(i, v, &ctx) {
                    markProperties(i, o, &marks, &ctx)
                    if let t, validate(t, v, &ctx) { markProperties(t, o, &marks, &ctx) }
                } else if let e, validate(e, v, &ctx) {
                    markProperties(e, o, &marks, &ctx)
                }
            case .dependentSchemas(let deps):
                for (k, n) in deps where o.firstIndex(of: k) != nil && validate(n, v, &ctx) {
                    markProperties(n, o, &marks, &ctx)
                }
            case .ref(let t), .dynamicRef(let t, _), .recursiveRef(let t):
                let target = dynamicTarget(kw.kind, t, ctx)
                if validate(target, v, &ctx) { markProperties(target, o, &marks, &ctx) }
            default:
                break
            }
        }
    }

    static func markItems(_ node: SchemaNode, _ a: [JSONValue], _ marks: inout [Bool], _ ctx: inout EvalContext,
                          skipUnevaluated: Bool = false)
    {
        guard node.boolean == nil, ctx.depth < maxDepth, StackGuard.hasRoom(ctx.stackLimit) else { return }
        let pushed = enter(node, &ctx)
        defer { leave(pushed, &ctx) }
        let v = JSONValue.array(a)
        for kw in node.keywords {
            switch kw.kind {
            case .prefixItems(let nodes):
                for i in 0..<min(nodes.count, a.count) { marks[i] = true }
            case .itemsFrom(_, let start):
                if start < a.count { for i in start..<a.count { marks[i] = true } }
            case .contains(let sub, _, _, let annotates):
                if annotates { for i in a.indices where validate(sub, a[i], &ctx) { marks[i] = true } }
            case .unevaluatedItems:
                if !skipUnevaluated { for i in marks.indices { marks[i] = true } }
            case .allOf(let nodes), .anyOf(let nodes), .oneOf(let nodes):
                for n in nodes where validate(n, v, &ctx) { markItems(n, a, &marks, &ctx) }
            case .ifThenElse(let i, let t, let e):
                if validate(i, v, &ctx) {
                    markItems(i, a, &marks, &ctx)
                    if let t, validate(t, v, &ctx) { markItems(t, a, &marks, &ctx) }
                } else if let e, validate(e, v, &ctx) {
                    markItems(e, a, &marks, &ctx)
                }
            case .dependentSchemas:
                break
            case .ref(let t), .dynamicRef(let t, _), .recursiveRef(let t):
                let target = dynamicTarget(kw.kind, t, ctx)
                if validate(target, v, &ctx) { markItems(target, a, &marks, &ctx) }
            default:
                break
            }
        }
    }
}
