// Public entry point: compile a schema once, validate many instances.

/// Compilation options.
public struct ValidatorOptions: Sendable {
    /// The draft of schema resources without `$schema` (CLI `--draft`; default 2020-12).
    public var defaultDraft: SchemaDraft
    /// Assert `format` with `FormatChecker` instead of treating it as an annotation.
    public var assertFormat: Bool
    /// `format` names never asserted, even with `assertFormat` or the format-assertion vocabulary
    /// (`--disable-formats`, as check-jsonschema's).
    public var disabledFormats: Set<String>
    /// A `$ref` into a remote document nobody registered (any scheme but `file:`) fails only when an instance reaches it (`floe validate`, as
    /// check-jsonschema and jsonschema-rs; `ValidationResult.unresolvedReference`), instead of failing compilation
    /// (the default: a pipeline such as `convert` must not start with a schema that cannot decide every record).
    public var lazyRemoteReferences: Bool

    /// Options with the given defaults (draft 2020-12, `format` as annotation, none disabled, remote references
    /// resolved eagerly).
    public init(defaultDraft: SchemaDraft = .draft2020_12, assertFormat: Bool = false, disabledFormats: Set<String> = [],
                lazyRemoteReferences: Bool = false)
    {
        self.defaultDraft = defaultDraft
        self.assertFormat = assertFormat
        self.disabledFormats = disabledFormats
        self.lazyRemoteReferences = lazyRemoteReferences
    }
}

/// A compiled JSON Schema (drafts 4, 6, 7, 2019-09, 2020-12). Immutable and thread-safe once built.
public final class JSONSchemaValidator: @unchecked Sendable {
    let root: SchemaNode
    let tracksDynamicScope: Bool
    /// Some `$ref` targets a document that is not registered (they fail lazily; the streaming path is off).
    let hasUnresolvedReferences: Bool
    /// The draft of the root schema resource.
    public let draft: SchemaDraft
    /// The root's base URI.
    public let baseURI: String
    /// What it was compiled from, for ``replica()``.
    private let source: (schema: JSONValue, uri: String, registry: SchemaRegistry, options: ValidatorOptions)

    /// Compiles `schema`, whose retrieval URI is `baseURI` (e.g. `file:///abs/path.json`).
    public init(schema: JSONValue, baseURI: String = "urn:floe:schema", registry: SchemaRegistry = SchemaRegistry(),
                options: ValidatorOptions = ValidatorOptions()) throws(SchemaError)
    {
        let compiler = Compiler(registry: registry, defaultDraft: options.defaultDraft, assertFormat: options.assertFormat)
        compiler.disabledFormats = options.disabledFormats
        compiler.lazyRemoteReferences = options.lazyRemoteReferences
        let doc = try compiler.addDocument(schema, uri: baseURI, draft: options.defaultDraft)
        root = try compiler.compileRoot(SchemaLocation(doc: doc, pointer: []))
        if let at = RefCycles.find(from: root) {
            throw SchemaError(.unresolvableReference, "$ref cycle at \(at) never reaches a schema that tests the instance (it would recurse forever)")
        }
        tracksDynamicScope = compiler.usesDynamicScope
        hasUnresolvedReferences = !compiler.unresolvedReferences.isEmpty
        self.baseURI = root.resource.uri
        var d = options.defaultDraft
        if case .object(let o) = schema, case .string(let s)? = o["$schema"] {
            d = SchemaDraft(metaSchemaURI: s) ?? d
        }
        draft = d
        source = (schema, baseURI, registry, options)
    }

    /// The same schema compiled again: an equal validator that shares no node with this one. Threads that validate
    /// at once each take their own, because every schema node the hot path touches is reference-counted, and
    /// two cores updating the same counters take turns on one cache line (measured: `--jobs 2` spent 32% of its
    /// cycles in `swift_retain`, against 12% with one job). Falls back to this validator if compiling again fails,
    /// which it cannot for a schema that compiled once from the same inputs.
    public func replica() -> JSONSchemaValidator {
        (try? JSONSchemaValidator(schema: source.schema, baseURI: source.uri, registry: source.registry,
                                  options: source.options)) ?? self
    }

    /// Reads, parses and compiles the schema file at `path` (base URI `file://` + absolute path).
    public convenience init(path: String, registry: SchemaRegistry = SchemaRegistry(),
                            options: ValidatorOptions = ValidatorOptions()) throws(SchemaError)
    {
        let doc = try SchemaRegistry.loadFile(path)
        // A schema that is not valid against its draft's meta-schema (`[1,2]`, `{"minimum":"x"}`) is a schema
        // error, reported once (issue 11) — not a validator that silently ignores the bad keyword. Custom
        // meta-schemas (an unknown `$schema`) are checked by `validate --metaschema` only.
        var metaURI: String? = options.defaultDraft.metaSchemaURI
        if case .object(let o) = doc, case .string(let s)? = o["$schema"] { metaURI = SchemaDraft(metaSchemaURI: s) != nil ? s : nil }
        if metaURI != nil {
            let r = try JSONSchemaValidator.validateAgainstMetaSchema(doc, registry: registry, defaultDraft: options.defaultDraft)
            if !r.valid, let e = r.errors.first {
                let at = e.instanceLocation.isEmpty ? "" : " at \(e.instanceLocation)"
                throw SchemaError(.invalidKeyword, "not a valid schema\(at) (against its meta-schema, \(e.keywordLocation)): \(e.message)")
            }
        }
        try self.init(schema: doc, baseURI: FileSystem.fileURI(path), registry: registry, options: options)
    }

    /// The fast boolean path: short-circuits on the first failure and allocates nothing on valid input
    /// (schemas using `$dynamicRef`/`$recursiveRef` or `unevaluated*` may allocate bookkeeping).
    public func isValid(_ instance: JSONValue) -> Bool {
        var ctx = EvalContext(trackScope: tracksDynamicScope, collect: false)
        // An evaluation that reached an unresolvable `$ref` is not a verdict: `false` sends callers to `validate`,
        // whose result carries the reference.
        return Evaluator.validate(root, instance, &ctx) && ctx.unresolvedReference == nil
    }

    /// The error-collecting path: every failure with its instance and keyword locations.
    /// `verbose` also records passing keywords (for `OutputFormat.verbose`).
    public func validate(_ instance: JSONValue, verbose: Bool = false) -> ValidationResult {
        var ctx = EvalContext(trackScope: tracksDynamicScope, collect: true, verbose: verbose)
        let ok = Evaluator.validate(root, instance, &ctx)
        return ValidationResult(valid: ok && ctx.unresolvedReference == nil, units: ctx.units,
                                unresolvedReference: ctx.unresolvedReference,
                                unresolvedReferenceAt: ctx.unresolvedReference == nil ? nil : ctx.unresolvedReferenceAt ?? "")
    }

    /// The result in `format` (`flag` uses the fast path).
    public func output(_ instance: JSONValue, format: OutputFormat) -> JSONValue {
        if format == .flag { return .object(JSONObject([("valid", .bool(isValid(instance)))])) }
        return validate(instance, verbose: format == .verbose).output(format)
    }

    /// Validates a schema document against the meta-schema of its draft (`$schema`, else `defaultDraft`),
    /// or against the custom meta-schema its `$schema` names (resolved through `registry`).
    public static func validateAgainstMetaSchema(_ schema: JSONValue, registry: SchemaRegistry = SchemaRegistry(),
                                                 defaultDraft: SchemaDraft = .draft2020_12) throws(SchemaError) -> ValidationResult
    {
        var metaURI = defaultDraft.metaSchemaURI
        if case .object(let o) = schema, case .string(let s)? = o["$schema"] { metaURI = s }
        let ref = JSONValue.object(JSONObject([("$ref", .string(metaURI))]))
        let v = try JSONSchemaValidator(schema: ref, baseURI: "urn:floe:metaschema-check", registry: registry,
                                        options: ValidatorOptions(defaultDraft: SchemaDraft(metaSchemaURI: metaURI) ?? defaultDraft))
        let result = v.validate(schema)
        // A meta-schema that is not there (draft 3, an unregistered custom one) decides nothing: a schema error.
        if let m = result.unresolvedReference { throw SchemaError(.unresolvableReference, m) }
        return result
    }
}

extension JSONSchemaValidator {
    /// Validates raw JSON bytes: `nil` when they are not one valid JSON document.
    /// Streams the tokens for the common keywords (no tree, no allocation on typical valid input).
    public func isValid(bytes: UnsafeRawBufferPointer) -> Bool? {
        if !tracksDynamicScope && !hasUnresolvedReferences {
            var t = JSONTokenizer(bytes)
            do {
                let tok = try t.next()
                if tok == .endOfDocument { return nil }
                if try StreamValidator.validate(root, tok, &t, 0) {
                    return try t.next() == .endOfDocument ? true : nil
                }
            } catch {
                return nil
            }
        }
        guard let v = try? JSONParser.parse(bytes) else { return nil }
        return isValid(v)
    }
}
