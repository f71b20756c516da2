// Schema compiler: indexes resources (`$id`, `$anchor`, `$dynamicAnchor`), resolves `$ref`s through the
// registry and turns each reachable schema into a `SchemaNode` once.

struct SchemaLocation: Hashable {
    let doc: Int
    let pointer: [String]
}

/// Per-subschema static context: base URI, draft, vocabularies, enclosing resource.
struct Scope {
    var base: String
    var draft: SchemaDraft
    var vocab: Vocabularies
    var resourcePointer: [String]
}

final class Compiler {
    let registry: SchemaRegistry
    let defaultDraft: SchemaDraft
    let assertFormat: Bool
    /// `format` values never asserted (`--disable-formats`).
    var disabledFormats: Set<String> = []
    /// Compile `$ref`s into unregistered remote (non-`file:`) documents as lazy failures
    /// (`ValidatorOptions.lazyRemoteReferences`).
    var lazyRemoteReferences = false

    private(set) var docs: [JSONValue] = []
    private var docURIs: [String: Int] = [:]
    /// Absolute URI (resource, or `uri#anchor`) → location.
    private var uriIndex: [String: SchemaLocation] = [:]
    /// Per document: pointer string → scope.
    private var scopes: [[String: Scope]] = []
    /// Resource URI → dynamic anchor name → location.
    private var dynamicAnchorLocations: [String: [String: SchemaLocation]] = [:]
    private var resourceRoots: [String: SchemaLocation] = [:]
    private var resources: [String: SchemaResource] = [:]
    private var resourcesReady: Set<String> = []
    private var memo: [SchemaLocation: SchemaNode] = [:]
    private(set) var usesDynamicScope = false
    /// `$ref`s into documents that are not registered, compiled as lazy failures (see `SchemaNode.unresolvedReference`).
    private(set) var unresolvedReferences: [String] = []
    private var pendingResources: [(SchemaResource, Scope)] = []

    init(registry: SchemaRegistry, defaultDraft: SchemaDraft, assertFormat: Bool) {
        self.registry = registry
        self.defaultDraft = defaultDraft
        self.assertFormat = assertFormat
    }

    // MARK: Documents and indexing

    /// Adds a document under `uri` and indexes it; returns its index.
    @discardableResult
    func addDocument(_ value: JSONValue, uri: String, draft: SchemaDraft) throws(SchemaError) -> Int {
        let key = SchemaRegistry.normalize(uri)
        if let d = docURIs[key] { return d }
        let d = docs.count
        docs.append(value)
        scopes.append([:])
        docURIs[key] = d
        let scope = Scope(base: key, draft: draft, vocab: .all, resourcePointer: [])
        if uriIndex[key] == nil { uriIndex[key] = SchemaLocation(doc: d, pointer: []) }
        resourceRoots[key] = resourceRoots[key] ?? SchemaLocation(doc: d, pointer: [])
        var ptr: [String] = []
        try scan(d, value, &ptr, scope, isRoot: true)
        return d
    }

    /// The draft and vocabularies selected by a `$schema` value.
    private func metaInfo(_ schemaURI: String, depth: Int = 0) throws(SchemaError) -> (SchemaDraft, Vocabularies) {
        if let d = SchemaDraft(metaSchemaURI: schemaURI) { return (d, .all) }
        let u = URIs.stripFragment(schemaURI)
        guard depth < 8, let meta = registry.document(for: u), case .object(let o) = meta else {
            throw SchemaError(.unresolvableReference, "cannot resolve meta-schema \"\(schemaURI)\"")
        }
        var draft = defaultDraft
        if case .string(let s)? = o["$schema"], s != schemaURI {
            draft = try metaInfo(URIs.resolve(s, against: u), depth: depth + 1).0
        }
        var vocab = Vocabularies.all
        if draft >= .draft2019_09, case .object(let v)? = o["$vocabulary"] {
            let names = v.keys
            func has(_ suffix: String) -> Bool { names.contains { $0.hasSuffix("/vocab/" + suffix) } }
            vocab.applicator = has("applicator")
            vocab.validation = has("validation")
            vocab.unevaluated = draft == .draft2019_09 ? has("applicator") : has("unevaluated")
            vocab.formatAssertion = has("format-assertion")
            for (name, required) in v.members where required == .bool(true) {
                let known = ["core", "applicator", "unevaluated", "validation", "meta-data", "format",
                             "format-annotation", "format-assertion", "content"]
                if !(name.hasPrefix("https://json-schema.org/draft/") && known.contains(where: { name.hasSuffix("/vocab/" + $0) })) {
                    throw SchemaError(.unsupportedVocabulary, "required vocabulary \"\(name)\" is not supported")
                }
            }
        }
        return (draft, vocab)
    }

    private static let schemaMapKeywords: Set<String> = [
        "properties", "patternProperties", "definitions", "$defs", "dependentSchemas", "dependencies",
    ]
    private static let schemaKeywords: Set<String> = [
        "additionalProperties", "additionalItems", "items", "contains", "propertyNames", "not", "if", "then",
        "else", "unevaluatedItems", "unevaluatedProperties", "contentSchema",
    ]
    private static let schemaArrayKeywords: Set<String> = ["allOf", "anyOf", "oneOf", "items", "prefixItems"]

    private func scan(_ d: Int, _ value: JSONValue, _ ptr: inout [String], _ parent: Scope, isRoot: Bool) throws(SchemaError) {
        guard case .object(let o) = value else {
            scopes[d][JSONPointer.string(ptr)] = parent
            return
        }
        var scope = parent
        let idKeyDraft: SchemaDraft
        if case .string(let s)? = o["$schema"] {
            let candidate = (try? metaInfo(s))?.0 ?? parent.draft
            let hasID = o[candidate.idKeyword] != nil
            if isRoot || hasID {
                let (dr, vo) = try metaInfo(s)
                scope.draft = dr
                scope.vocab = vo
            }
        }
        idKeyDraft = scope.draft
        let draft = scope.draft
        let hasRef = o["$ref"] != nil
        if case .string(let id)? = o[idKeyDraft.idKeyword], !(draft.refOverridesSiblings && hasRef) {
            if id.hasPrefix("#") {
                // Drafts 4–7: a plain-name fragment is an anchor; 2019-09+: not an identifier at all.
                let name = String(id.dropFirst())
                if draft <= .draft7 && !name.isEmpty { register(scope.base + "#" + name, SchemaLocation(doc: d, pointer: ptr)) }
            } else {
                let abs = URIs.resolve(id, against: scope.base)
                let (u, frag) = URIs.split(abs)
                let resourceURI = SchemaRegistry.normalize(u)
                scope.base = resourceURI
                scope.resourcePointer = ptr
                register(resourceURI, SchemaLocation(doc: d, pointer: ptr))
                resourceRoots[resourceURI] = SchemaLocation(doc: d, pointer: ptr)
                if draft <= .draft7 && !frag.isEmpty {
                    register(resourceURI + "#" + frag, SchemaLocation(doc: d, pointer: ptr))
                }
            }
        }
        if draft >= .draft2019_09 {
            if case .string(let a)? = o["$anchor"] {
                register(scope.base + "#" + a, SchemaLocation(doc: d, pointer: ptr))
            }
            if draft >= .draft2020_12, case .string(let a)? = o["$dynamicAnchor"] {
                register(scope.base + "#" + a, SchemaLocation(doc: d, pointer: ptr))
                dynamicAnchorLocations[scope.base, default: [:]][a] = SchemaLocation(doc: d, pointer: ptr)
            }
        }
        scopes[d][JSONPointer.string(ptr)] = scope
        for (k, v) in o.members {
            if Compiler.schemaMapKeywords.contains(k), case .object(let m) = v {
                for (name, sub) in m.members {
                    if k == "dependencies", case .array = sub { continue }
                    ptr.append(k); ptr.append(name)
                    try scan(d, sub, &ptr, scope, isRoot: false)
                    ptr.removeLast(2)
                }
            } else if Compiler.schemaArrayKeywords.contains(k), case .array(let a) = v {
                for (i, sub) in a.enumerated() {
                    ptr.append(k); ptr.append(String(i))
                    try scan(d, sub, &ptr, scope, isRoot: false)
                    ptr.removeLast(2)
                }
            } else if Compiler.schemaKeywords.contains(k) {
                ptr.append(k)
                try scan(d, v, &ptr, scope, isRoot: false)
                ptr.removeLast()
            }
        }
    }

    private func register(_ uri: String, _ loc: SchemaLocation) {
        if uriIndex[uri] == nil { uriIndex[uri] = loc }
    }

    /// The scope of any location: its own if indexed, else its nearest indexed ancestor's.
    private func scope(of loc: SchemaLocation) -> Scope {
        var p = loc.pointer
        while true {
            if let s = scopes[loc.doc][JSONPointer.string(p)] { return s }
            if p.isEmpty { break }
            p.removeLast()
        }
        return Scope(base: "", draft: defaultDraft, vocab: .all, resourcePointer: [])
    }

    // MARK: Reference resolution

    static let notRegistered = "no schema is registered at"

    func resolve(_ reference: String, base: String, draft: SchemaDraft) throws(SchemaError) -> SchemaLocation {
        let abs = URIs.resolve(reference, against: base)
        let shown = abs == reference ? "\"\(reference)\"" : "\"\(reference)\" (\(abs))"
        let (u0, frag) = URIs.split(abs)
        let u = SchemaRegistry.normalize(u0)
        if uriIndex[u] == nil {
            guard let doc = registry.document(for: u) else {
                throw SchemaError(.unresolvableReference, "cannot resolve $ref \(shown): \(Compiler.notRegistered) \(u)")
            }
            try addDocument(doc, uri: u, draft: draft)
        }
        if frag.isEmpty || frag.hasPrefix("/") {
            guard let root = uriIndex[u], let tokens = JSONPointer.tokens(frag) else {
                throw SchemaError(.unresolvableReference, "cannot resolve $ref \(shown)")
            }
            let loc = SchemaLocation(doc: root.doc, pointer: root.pointer + tokens)
            guard JSONPointer.resolve(loc.pointer, in: docs[loc.doc]) != nil else {
                throw SchemaError(.unresolvableReference, "cannot resolve $ref \(shown): no such location")
            }
            return loc
        }
        guard let loc = uriIndex[u + "#" + frag] else {
            throw SchemaError(.unresolvableReference, "cannot resolve $ref \(shown): no anchor \"\(frag)\"")
        }
        return loc
    }

    // MARK: Compilation

    private func resource(for scope: Scope, doc: Int) -> SchemaResource {
        if let r = resources[scope.base] { return r }
        let r = SchemaResource(uri: scope.base)
        resources[scope.base] = r
        pendingResources.append((r, scope))
        return r
    }

    /// Compiles everything reachable from `loc`.
    func compileRoot(_ loc: SchemaLocation) throws(SchemaError) -> SchemaNode {
        let n = try compile(loc)
        try finishResources()
        if !usesDynamicScope {
            for node in memo.values {
                node.stream = StreamInfo.make(node)
                if node.boolean == nil, node.keywords.count == 1, case .ref(let t) = node.keywords[0].kind { node.soleRef = t }
            }
        }
        return n
    }

    private func finishResources() throws(SchemaError) {
        while let (r, scope) = pendingResources.popLast() {
            if let anchors = dynamicAnchorLocations[r.uri] {
                for (name, loc) in anchors { r.dynamicAnchors[name] = try compile(loc) }
            }
            if scope.draft == .draft2019_09, let rootLoc = resourceRoots[r.uri],
               case .object(let o)? = JSONPointer.resolve(rootLoc.pointer, in: docs[rootLoc.doc]),
               o["$recursiveAnchor"] == .bool(true)
            {
                r.recursiveRoot = try compile(rootLoc)
            }
        }
    }

    func compile(_ loc: SchemaLocation) throws(SchemaError) -> SchemaNode {
        if let n = memo[loc] { return n }
        guard let value = JSONPointer.resolve(loc.pointer, in: docs[loc.doc]) else {
            throw SchemaError(.unresolvableReference, "no schema at \(JSONPointer.string(loc.pointer))")
        }
        let scope = scope(of: loc)
        let res = resource(for: scope, doc: loc.doc)
        let rel = Array(loc.pointer.dropFirst(min(scope.resourcePointer.count, loc.pointer.count)))
        let node = SchemaNode(resource: res, absoluteLocation: scope.base + "#" + JSONPointer.string(rel))
        memo[loc] = node
        switch value {
        case .bool(let b):
            node.boolean = b
        case .object(let o):
            node.keywords = try compileKeywords(o, loc, scope)
            node.hasUnevaluated = node.keywords.contains {
                if case .unevaluatedItems = $0.kind { return true }
                if case .unevaluatedProperties = $0.kind { return true }
                return false
            }
        default:
            node.boolean = true
        }
        return node
    }

    private func sub(_ loc: SchemaLocation, _ tokens: String...) throws(SchemaError) -> SchemaNode {
        try compile(SchemaLocation(doc: loc.doc, pointer: loc.pointer + tokens))
    }

    private func nonNegativeInt(_ v: JSONValue?, _ name: String) throws(SchemaError) -> Int? {
        guard let v else { return nil }
        guard case .number(let n) = v, n.isInteger, let i = n.int64 ?? (n.decimal.isNegative ? nil : Int64.max) else {
            throw SchemaError(.invalidKeyword, "\"\(name)\" must be a non-negative integer")
        }
        guard i >= 0 else { throw SchemaError(.invalidKeyword, "\"\(name)\" must be a non-negative integer") }
        return Int(clamping: i)
    }

    private func regex(_ p: String) throws(SchemaError) -> PatternMatcher {
        do { return PatternMatcher(try ECMARegex(p)) } catch {
            throw SchemaError(.invalidKeyword, "invalid pattern \"\(p)\": \(error)")
        }
    }

    private func compileKeywords(_ o: JSONObject, _ loc: SchemaLocation, _ scope: Scope) throws(SchemaError) -> [Keyword] {
        let draft = scope.draft
        var out: [Keyword] = []
        func add(_ name: String, _ kind: KeywordKind) { out.append(Keyword(name: name, kind: kind)) }

        // $ref
        if case .string(let r)? = o["$ref"] {
            let target: SchemaNode
            do {
                target = try compile(resolve(r, base: scope.base, draft: draft))
            } catch where lazyRemoteReferences && error.kind == .unresolvableReference && error.message.contains(Compiler.notRegistered)
                && !URIs.resolve(r, against: scope.base).lowercased().hasPrefix("file:")
            {
                // A remote document nobody registered: fail when (and only when) an instance reaches it. A local
                // file that is missing or unreadable stays a configuration error at once.
                let node = SchemaNode(resource: resource(for: scope, doc: loc.doc),
                                      absoluteLocation: URIs.resolve(r, against: scope.base))
                node.boolean = false
                node.unresolvedReference = error.message
                unresolvedReferences.append(error.message)
                target = node
            }
            add("$ref", .ref(target))
            if draft.refOverridesSiblings { return out }
        }
        if draft == .draft2019_09, case .string(let r)? = o["$recursiveRef"] {
            let loc = try resolve(r, base: scope.base, draft: draft)
            let target = try compile(loc)
            if case .object(let t)? = JSONPointer.resolve(loc.pointer, in: docs[loc.doc]), t["$recursiveAnchor"] == .bool(true) {
                usesDynamicScope = true
                add("$recursiveRef", .recursiveRef(target))
            } else {
                add("$recursiveRef", .ref(target))
            }
        }
        if draft >= .draft2020_12, case .string(let r)? = o["$dynamicRef"] {
            let loc = try resolve(r, base: scope.base, draft: draft)
            let target = try compile(loc)
            let frag = URIs.split(URIs.resolve(r, against: scope.base)).1
            if !frag.isEmpty, !frag.hasPrefix("/"),
               case .object(let t)? = JSONPointer.resolve(loc.pointer, in: docs[loc.doc]), t["$dynamicAnchor"] == .string(frag)
            {
                usesDynamicScope = true
                add("$dynamicRef", .dynamicRef(target, anchor: frag))
            } else {
                add("$dynamicRef", .ref(target))
            }
        }

        let validation = scope.vocab.validation
        let applicator = scope.vocab.applicator

        if validation {
            if let t = o["type"] {
                var mask: UInt8 = 0
                switch t {
                case .string(let s):
                    guard let st = SimpleType(name: s) else { throw SchemaError(.invalidKeyword, "unknown type \"\(s)\"") }
                    mask = st.rawValue
                case .array(let a):
                    for e in a {
                        guard case .string(let s) = e, let st = SimpleType(name: s) else {
                            throw SchemaError(.invalidKeyword, "invalid \"type\" entry")
                        }
                        mask |= st.rawValue
                    }
                default: throw SchemaError(.invalidKeyword, "\"type\" must be a string or an array")
                }
                add("type", .type(mask: mask, draft4Integers: draft == .draft4))
            }
            if case .array(let a)? = o["enum"] { add("enum", .enumeration(a)) }
            if draft >= .draft6, let c = o["const"] { add("const", .constant(c)) }
            if case .number(let n)? = o["multipleOf"] { add("multipleOf", .multipleOf(NumberLimit(n))) }
            if draft == .draft4 {
                if case .number(let n)? = o["minimum"] {
                    let ex = o["exclusiveMinimum"] == .bool(true)
                    add(ex ? "exclusiveMinimum" : "minimum", .minimum(NumberLimit(n), exclusive: ex))
                }
                if case .number(let n)? = o["maximum"] {
                    let ex = o["exclusiveMaximum"] == .bool(true)
                    add(ex ? "exclusiveMaximum" : "maximum", .maximum(NumberLimit(n), exclusive: ex))
                }
            } else {
                if case .number(let n)? = o["minimum"] { add("minimum", .minimum(NumberLimit(n), exclusive: false)) }
                if case .number(let n)? = o["exclusiveMinimum"] { add("exclusiveMinimum", .minimum(NumberLimit(n), exclusive: true)) }
                if case .number(let n)? = o["maximum"] { add("maximum", .maximum(NumberLimit(n), exclusive: false)) }
                if case .number(let n)? = o["exclusiveMaximum"] { add("exclusiveMaximum", .maximum(NumberLimit(n), exclusive: true)) }
            }
            if let n = try nonNegativeInt(o["minLength"], "minLength") { add("minLength", .minLength(n)) }
            if let n = try nonNegativeInt(o["maxLength"], "maxLength") { add("maxLength", .maxLength(n)) }
            if case .string(let p)? = o["pattern"] { add("pattern", .pattern(try regex(p))) }
            if let n = try nonNegativeInt(o["minItems"], "minItems") { add("minItems", .minItems(n)) }
            if let n = try nonNegativeInt(o["maxItems"], "maxItems") { add("maxItems", .maxItems(n)) }
            if o["uniqueItems"] == .bool(true) { add("uniqueItems", .uniqueItems) }
            if let n = try nonNegativeInt(o["minProperties"], "minProperties") { add("minProperties", .minProperties(n)) }
            if let n = try nonNegativeInt(o["maxProperties"], "maxProperties") { add("maxProperties", .maxProperties(n)) }
            if case .array(let a)? = o["required"] {
                let names = a.compactMap(\.stringValue)
                if !names.isEmpty { add("required", .required(names)) }
            }
            if draft >= .draft2019_09, case .object(let m)? = o["dependentRequired"] {
                add("dependentRequired", .dependentRequired(m.members.map { ($0.key, $0.value.arrayValue?.compactMap(\.stringValue) ?? []) }))
            }
        }
        if case .string(let f)? = o["format"], assertFormat || scope.vocab.formatAssertion, !disabledFormats.contains(f), !disabledFormats.contains("*") {
            add("format", .format(f, draft.formatDraft))
        }

        if applicator {
            // Arrays
            if draft >= .draft2020_12 {
                var prefix = 0
                if case .array(let a)? = o["prefixItems"] {
                    var nodes: [SchemaNode] = []
                    for i in a.indices { nodes.append(try sub(loc, "prefixItems", String(i))) }
                    prefix = nodes.count
                    add("prefixItems", .prefixItems(nodes))
                }
                if let it = o["items"], it.arrayValue == nil {
                    add("items", .itemsFrom(try sub(loc, "items"), start: prefix))
                }
            } else {
                switch o["items"] {
                case .array(let a)?:
                    var nodes: [SchemaNode] = []
                    for i in a.indices { nodes.append(try sub(loc, "items", String(i))) }
                    add("items", .prefixItems(nodes))
                    if o["additionalItems"] != nil {
                        add("additionalItems", .itemsFrom(try sub(loc, "additionalItems"), start: nodes.count))
                    }
                case .some:
                    add("items", .itemsFrom(try sub(loc, "items"), start: 0))
                case nil: break
                }
            }
            if draft >= .draft6, o["contains"] != nil {
                var minC = 1
                var maxC: Int? = nil
                if draft >= .draft2019_09 && validation {
                    if let n = try nonNegativeInt(o["minContains"], "minContains") { minC = n }
                    maxC = try nonNegativeInt(o["maxContains"], "maxContains")
                }
                add("contains", .contains(try sub(loc, "contains"), min: minC, max: maxC, annotates: draft >= .draft2020_12))
            }
            // Objects
            var propNames: [String] = []
            if case .object(let m)? = o["properties"] {
                var nodes: [SchemaNode] = []
                for (k, _) in m.members {
                    propNames.append(k)
                    nodes.append(try sub(loc, "properties", k))
                }
                add("properties", .properties(KeyTable(propNames), nodes))
            }
            var patterns: [PatternMatcher] = []
            if case .object(let m)? = o["patternProperties"] {
                var entries: [(PatternMatcher, SchemaNode)] = []
                for (k, _) in m.members {
                    let r = try regex(k)
                    patterns.append(r)
                    entries.append((r, try sub(loc, "patternProperties", k)))
                }
                add("patternProperties", .patternProperties(entries))
            }
            if o["additionalProperties"] != nil {
                add("additionalProperties", .additionalProperties(try sub(loc, "additionalProperties"), KeyTable(propNames), patterns))
            }
            if draft >= .draft6, o["propertyNames"] != nil {
                add("propertyNames", .propertyNames(try sub(loc, "propertyNames")))
            }
            if case .object(let m)? = o["dependencies"] {
                var req: [(String, [String])] = []
                var schemas: [(String, SchemaNode)] = []
                for (k, v) in m.members {
                    if case .array(let a) = v { req.append((k, a.compactMap(\.stringValue))) }
                    else { schemas.append((k, try sub(loc, "dependencies", k))) }
                }
                if !req.isEmpty { add("dependencies", .dependentRequired(req)) }
                if !schemas.isEmpty { add("dependencies", .dependentSchemas(schemas)) }
            }
            if draft >= .draft2019_09, case .object(let m)? = o["dependentSchemas"] {
                var schemas: [(String, SchemaNode)] = []
                for (k, _) in m.members { schemas.append((k, try sub(loc, "dependentSchemas", k))) }
                add("dependentSchemas", .dependentSchemas(schemas))
            }
            // In-place
            for name in ["allOf", "anyOf", "oneOf"] {
                guard case .array(let a)? = o[name] else { continue }
                var nodes: [SchemaNode] = []
                for i in a.indices { nodes.append(try sub(loc, name, String(i))) }
                switch name {
                case "allOf": add(name, .allOf(nodes))
                case "anyOf": add(name, .anyOf(nodes))
                default: add(name, .oneOf(nodes))
                }
            }
            if o["not"] != nil { add("not", .not(try sub(loc, "not"))) }
            if draft >= .draft7, o["if"] != nil {
                let t = o["then"] != nil ? try sub(loc, "then") : nil
                let e = o["else"] != nil ? try sub(loc, "else") : nil
                add("if", .ifThenElse(try sub(loc, "if"), t, e))
            }
        }
        if draft >= .draft2019_09 && scope.vocab.unevaluated {
            if o["unevaluatedItems"] != nil { add("unevaluatedItems", .unevaluatedItems(try sub(loc, "unevaluatedItems"))) }
            if o["unevaluatedProperties"] != nil {
                add("unevaluatedProperties", .unevaluatedProperties(try sub(loc, "unevaluatedProperties")))
            }
        }
        return out
    }
}
