// `$ref` cycles that can never resolve (issue 11): `{"$ref": "#"}`, or `a -> b -> a` through `$ref` where no
// keyword on the way moves to a child of the instance. Evaluating such a schema recurses on the same instance
// forever; it is a schema error (exit 2, once, naming the location), found when the schema is compiled, not an
// "evaluation too deep" per instance.

extension SchemaNode {
    /// Subschemas applied to the same instance (in place): the edges an endless recursion runs along.
    fileprivate var inPlaceTargets: [(SchemaNode, isRef: Bool)] {
        var out: [(SchemaNode, Bool)] = []
        for k in keywords {
            switch k.kind {
            case .ref(let n), .recursiveRef(let n): out.append((n, true))
            case .dynamicRef(let n, _): out.append((n, true))
            case .allOf(let ns), .anyOf(let ns), .oneOf(let ns): for n in ns { out.append((n, false)) }
            case .not(let n): out.append((n, false))
            case .ifThenElse(let i, let t, let e):
                out.append((i, false))
                if let t { out.append((t, false)) }
                if let e { out.append((e, false)) }
            case .dependentSchemas(let pairs): for (_, n) in pairs { out.append((n, false)) }
            default: break
            }
        }
        return out
    }
}

enum RefCycles {
    /// The location of a node on an in-place cycle that contains a `$ref`, if any (iterative DFS, so a deep
    /// schema cannot overflow the stack here).
    static func find(from root: SchemaNode) -> String? {
        var state: [ObjectIdentifier: UInt8] = [:]  // 1 on the stack, 2 done
        // Every node reachable through any keyword is a possible start of a cycle.
        var all: [SchemaNode] = []
        var seen: Set<ObjectIdentifier> = [ObjectIdentifier(root)]
        var queue = [root]
        while let n = queue.popLast() {
            all.append(n)
            for c in children(n) where seen.insert(ObjectIdentifier(c)).inserted { queue.append(c) }
        }
        for start in all where state[ObjectIdentifier(start)] == nil {
            // frames: node, its in-place targets, next index, whether the edge into it was a $ref
            var stack: [(SchemaNode, [(SchemaNode, isRef: Bool)], Int)] = [(start, start.inPlaceTargets, 0)]
            var refOnPath: [Bool] = [false]
            state[ObjectIdentifier(start)] = 1
            while !stack.isEmpty {
                let top = stack.count - 1
                let (node, targets, i) = stack[top]
                if i == targets.count {
                    state[ObjectIdentifier(node)] = 2
                    stack.removeLast()
                    refOnPath.removeLast()
                    continue
                }
                stack[top].2 += 1
                let (t, isRef) = targets[i]
                switch state[ObjectIdentifier(t)] {
                case 1?:
                    // a cycle: the path from t to node plus this edge; it loops forever if it holds a $ref
                    if let from = stack.firstIndex(where: { $0.0 === t }) {
                        if isRef || refOnPath[(from + 1)...].contains(true) { return t.absoluteLocation }
                    }
                case nil:
                    state[ObjectIdentifier(t)] = 1
                    stack.append((t, t.inPlaceTargets, 0))
                    refOnPath.append(isRef)
                default:
                    break
                }
            }
        }
        return nil
    }

    /// Every subschema of a node (in place or not).
    private static func children(_ n: SchemaNode) -> [SchemaNode] {
        var out: [SchemaNode] = []
        for k in n.keywords {
            switch k.kind {
            case .prefixItems(let ns), .allOf(let ns), .anyOf(let ns), .oneOf(let ns): out += ns
            case .itemsFrom(let c, _), .contains(let c, _, _, _), .propertyNames(let c), .not(let c), .ref(let c),
                 .recursiveRef(let c), .unevaluatedProperties(let c), .unevaluatedItems(let c),
                 .additionalProperties(let c, _, _):
                out.append(c)
            case .dynamicRef(let c, _): out.append(c)
            case .properties(_, let ns): out += ns
            case .patternProperties(let ps): out += ps.map(\.1)
            case .dependentSchemas(let ps): out += ps.map(\.1)
            case .ifThenElse(let i, let t, let e):
                out.append(i)
                if let t { out.append(t) }
                if let e { out.append(e) }
            default: break
            }
        }
        return out
    }
}
