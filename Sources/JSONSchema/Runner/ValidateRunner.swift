// The logic of `floe validate`: configuration, instance discovery, (parallel) validation, reporting.
// The command file only parses flags and calls `ValidateRunner.run`.


import Parallel
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Everything `floe validate` takes from the command line.
public struct ValidateConfiguration: Sendable {
    /// `--schema`: the schema file (`-` is not allowed).
    public var schemaPath: String
    /// `--schema-dir`: folders whose `*.json` schemas `$ref` may name.
    public var schemaDirectories: [String] = []
    /// `PREFIX=DIR` pairs.
    public var uriMappings: [(prefix: String, directory: String)] = []
    /// `--ndjson`: each non-empty line of each instance is one instance.
    public var ndjson = false
    /// The report on stdout (`--json` is `.json`, `--output github|junit`).
    public var report: ReportStyle = .text
    /// `--json`: whether ``report`` is JSON lines (setting `false` goes back to text).
    public var json: Bool {
        get { report == .json }
        set { report = newValue ? .json : (report == .json ? .text : report) }
    }
    /// Forces one format for every instance (`--instance-format`); otherwise by extension.
    public var instanceFormat: InstanceFormat? = nil
    /// Reads YAML and TOML (ConfigFormats); JSON and JSON5 need none.
    public var decoder: (any InstanceDecoder)? = nil
    /// The schema already loaded (YAML schemas, built-in schemas); `schemaPath` then only names it.
    public var schemaDocument: JSONValue? = nil
    /// Chooses a schema per instance (`--schema-from-catalog`); instances it gives none are skipped.
    public var chooser: (any SchemaChooser)? = nil
    /// Directory walking (`--glob`, `--exclude`).
    public var walk = InstanceWalk()
    /// `format` names never asserted (`--disable-formats`).
    public var disabledFormats: Set<String> = []
    /// Applied to every decoded instance before validation (`--data-transform`); with `chooser`, the transform
    /// of the chosen built-in schema applies (azure-pipelines).
    public var dataTransform: DataTransform? = nil
    /// Schemas to resolve `$ref`s against besides `--schema-dir`/`--map-uri` (the built-in schemas).
    public var registry: SchemaRegistry? = nil
    /// Print the standard output structure per instance (one JSON line each) instead of the default lines.
    public var outputFormat: OutputFormat? = nil
    /// `--assert-format`: `format` is asserted, not only annotated.
    public var assertFormat = false
    /// `--draft`: the draft of a schema without `$schema`.
    public var draft: SchemaDraft = .draft2020_12
    /// Stop at the first invalid instance.
    public var failFast = false
    /// Instances validated in parallel.
    public var jobs = 1
    /// The instance arguments: files, folders, or `-` for stdin.
    public var instances: [String] = []
    /// Bytes of NDJSON per unit of parallel work (tests use tiny ones to cut lines everywhere).
    public var chunkBytes = 4 << 20
    /// Busy time per pipeline stage (`--profile`, `floe bench validate`); nil: not measured.
    public var profile: StageProfile? = nil
    /// Called now and then during NDJSON input with (bytes read, total bytes or 0 if unknown, records so far);
    /// the command draws a progress bar with it when stderr is a terminal.
    public var progress: (@Sendable (Int, Int, Int) -> Void)? = nil

    /// A configuration for `schemaPath` with every other option at its default.
    public init(schemaPath: String) { self.schemaPath = schemaPath }
}

/// Sinks for results (stdout) and diagnostics (stderr); each call gets one complete line without `\n`.
public struct ValidateOutput: Sendable {
    /// Receives report lines (stdout).
    public var result: @Sendable (String) -> Void
    /// Receives diagnostic lines (stderr).
    public var diagnostic: @Sendable (String) -> Void
    /// Sinks `result` for the report and `diagnostic` for diagnostics; both may be called from several threads.
    public init(result: @escaping @Sendable (String) -> Void, diagnostic: @escaping @Sendable (String) -> Void) {
        self.result = result
        self.diagnostic = diagnostic
    }
}

/// Exit statuses of the CLI contract.
public enum ValidateExit {
    /// Every instance is valid.
    public static let ok: Int32 = 0
    /// An instance is invalid or cannot be read or parsed.
    public static let invalid: Int32 = 1
    /// A usage or schema error (takes precedence over 1).
    public static let usage: Int32 = 2
}

/// The whole of `floe validate` below the flag parsing: loads and compiles the schema, walks the instances, validates
/// them (in parallel with `jobs`), and writes the report.
public enum ValidateRunner {
    /// The pipeline's stages (name, ordered) for `StageProfile`.
    public static var stageNames: [(String, Bool)] { ValidateStage.names }

    /// Builds the registry of a configuration (`--schema-dir`, `--map-uri`, built-in meta-schemas).
    public static func makeRegistry(schemaDirectories: [String], uriMappings: [(prefix: String, directory: String)],
                                    base: SchemaRegistry? = nil) throws(SchemaError) -> SchemaRegistry {
        let registry = base ?? SchemaRegistry()
        for d in schemaDirectories { try registry.addDirectory(d) }
        for m in uriMappings { registry.mapURI(prefix: m.prefix, directory: m.directory) }
        return registry
    }

    /// Runs `floe validate`; returns the exit status.
    public static func run(_ config: ValidateConfiguration, output: ValidateOutput) -> Int32 {
        let registry: SchemaRegistry
        do { registry = try makeRegistry(schemaDirectories: config.schemaDirectories, uriMappings: config.uriMappings, base: config.registry) } catch {
            output.diagnostic("floe: \(error.message)")
            return ValidateExit.usage
        }
        let options = ValidatorOptions(defaultDraft: config.draft, assertFormat: config.assertFormat, disabledFormats: config.disabledFormats,
                                       lazyRemoteReferences: true)
        var validator: JSONSchemaValidator? = nil
        if config.chooser == nil {
            do {
                if let doc = config.schemaDocument {
                    validator = try JSONSchemaValidator(schema: doc, baseURI: baseURI(config.schemaPath), registry: registry, options: options)
                } else if InstanceFormat.forPath(config.schemaPath) == .yaml || InstanceFormat.forPath(config.schemaPath) == .json5 {
                    let doc = try loadSchemaDocument(config.schemaPath, decoder: config.decoder)
                    validator = try JSONSchemaValidator(schema: doc, baseURI: FileSystem.fileURI(config.schemaPath), registry: registry, options: options)
                } else {
                    validator = try JSONSchemaValidator(path: config.schemaPath, registry: registry, options: options)
                }
            } catch {
                // Unreadable / unparseable files already name themselves.
                let named = error.kind == .unreadable || error.kind == .unparseable
                output.diagnostic(named ? "floe: \(error.message)" : "floe: \(config.schemaPath): \(error.message)")
                return ValidateExit.usage
            }
        }
        if config.instances.isEmpty {
            output.diagnostic("floe: no INSTANCE given (use - for stdin)")
            return ValidateExit.usage
        }
        if config.chooser != nil && (config.ndjson || config.instanceFormat == .ndjson) {
            output.diagnostic("floe: a schema chosen by file name does not apply to NDJSON records; give --schema")
            return ValidateExit.usage
        }
        var files: [String] = []
        for i in config.instances {
            if i != "-" && FileSystem.isDirectory(i) {
                files += config.walk.files(below: i)
            } else {
                files.append(i)
            }
        }
        var state = RunState(config: config, validator: validator, output: output)
        if config.ndjson || config.instanceFormat == .ndjson {
            for f in files {
                state.runNDJSON(f)
                if state.stop { break }
            }
        } else if let chooser = config.chooser {
            // One compiled validator per chosen schema, shared by every instance it applies to.
            var compiled: [String: JSONSchemaValidator] = [:]
            var plan: [(String, JSONSchemaValidator?)] = []
            for f in files {
                guard let choice = chooser.schema(for: f) else {
                    plan.append((f, nil))
                    continue
                }
                if compiled[choice.name] == nil {
                    do {
                        compiled[choice.name] = try JSONSchemaValidator(schema: choice.document, baseURI: choice.baseURI,
                                                                        registry: chooser.registry, options: options)
                    } catch {
                        output.diagnostic("floe: schema \(choice.name): \(error.message)")
                        return ValidateExit.usage
                    }
                }
                plan.append((f, compiled[choice.name]))
            }
            state.runDocuments(plan)
        } else {
            state.runDocuments(files.map { ($0, validator) })
        }
        state.finish(schemaName: config.chooser == nil ? config.schemaPath : "schemastore catalog")
        return state.anySchemaError ? ValidateExit.usage : state.anyBad ? ValidateExit.invalid : ValidateExit.ok
    }

    /// A base URI for a schema given by name: `file://` for paths, the name itself when it is a URI already.
    static func baseURI(_ name: String) -> String {
        name.contains("://") || name.hasPrefix("urn:") ? name : FileSystem.fileURI(name)
    }

    /// Reads a YAML or JSON5 schema file.
    public static func loadSchemaDocument(_ path: String, decoder: (any InstanceDecoder)?) throws(SchemaError) -> JSONValue {
        guard let bytes = FileSystem.readFile(path) else { throw SchemaError(.unreadable, "\(path): cannot read file") }
        let format = InstanceFormat.forPath(path)
        let docs: [InstanceDocument]
        do {
            docs = try InstanceDecoding.decode(bytes, format: format, decoder: decoder)
        } catch {
            throw SchemaError(.unparseable, "\(Report.place(path, error.position)): invalid \(format.displayName): \(error.message)")
        }
        guard docs.count == 1 else { throw SchemaError(.unparseable, "\(path): a schema file holds one document, found \(docs.count)") }
        return docs[0].value
    }

    /// Runs `floe validate --metaschema`: each schema against its draft's meta-schema.
    public static func runMetaSchema(_ paths: [String], schemaDirectories: [String] = [],
                                     uriMappings: [(prefix: String, directory: String)] = [], draft: SchemaDraft = .draft2020_12,
                                     json: Bool = false, decoder: (any InstanceDecoder)? = nil, output: ValidateOutput) -> Int32
    {
        let registry: SchemaRegistry
        do { registry = try makeRegistry(schemaDirectories: schemaDirectories, uriMappings: uriMappings) } catch {
            output.diagnostic("floe: \(error.message)")
            return ValidateExit.usage
        }
        if paths.isEmpty {
            output.diagnostic("floe: no SCHEMA given")
            return ValidateExit.usage
        }
        var status = ValidateExit.ok
        for p in paths {
            let doc: JSONValue
            let format = InstanceFormat.forPath(p)
            do { doc = format == .yaml || format == .json5 ? try loadSchemaDocument(p, decoder: decoder) : try SchemaRegistry.loadFile(p) } catch {
                output.diagnostic("floe: \(error.message)")
                status = ValidateExit.usage
                continue
            }
            let result: ValidationResult
            do { result = try JSONSchemaValidator.validateAgainstMetaSchema(doc, registry: registry, defaultDraft: draft) } catch {
                output.diagnostic("floe: \(p): \(error.message)")
                status = ValidateExit.usage
                continue
            }
            report(instance: p, line: nil, result: result, json: json, output: output)
            if !result.valid && status == ValidateExit.ok { status = ValidateExit.invalid }
        }
        return status
    }

    static func report(instance: String, line: Int?, result: ValidationResult, json: Bool, output: ValidateOutput) {
        output.result(render(instance: instance, line: line, valid: result.valid, errors: result.errors, json: json))
    }

    /// One result line: human (`file: /ptr: message`, one per error) or the `--json` line (no positions: used for
    /// schema files checked against their meta-schema).
    static func render(instance: String, line: Int?, valid: Bool, errors: [SchemaValidationError], json: Bool) -> String {
        if json { return Report.jsonLine(instance, line: line, valid: valid, errors: errors.map { LocatedError($0, nil) }) }
        let prefix = line.map { "\(instance):\($0)" } ?? instance
        if valid { return "\(prefix): valid" }
        return errors.map { e in
            e.instanceLocation.isEmpty ? "\(prefix): \(e.message)" : "\(prefix): \(e.instanceLocation): \(e.message)"
        }.joined(separator: "\n")
    }

    static func jsonString(_ s: String) -> String {
        var out: [UInt8] = []
        JSONSerializer.appendString(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

/// What one instance produced: nothing to print (valid, human mode), or lines; plus whether it was bad.
struct InstanceOutcome: Sendable {
    var bad = false
    /// The schema could not decide this instance (an unresolvable `$ref` reached): exit 2.
    var schemaError = false
    var resultLine: String? = nil
    var diagnostic: String? = nil
    var junit: JUnitCase? = nil
    /// Further documents of the same file (YAML streams), emitted in order after this one.
    var more: [InstanceOutcome] = []
}

struct RunState {
    let config: ValidateConfiguration
    let validator: JSONSchemaValidator?
    let output: ValidateOutput
    var anyBad = false
    var anySchemaError = false
    var stop = false
    var junitCases: [JUnitCase] = []

    init(config: ValidateConfiguration, validator: JSONSchemaValidator?, output: ValidateOutput) {
        self.config = config
        self.validator = validator
        self.output = output
    }

    /// Validates one JSON document or NDJSON record (bytes) and renders its outcome. Valid input takes the
    /// streaming path; source positions are computed only for instances with errors.
    static func evaluate(_ bytes: UnsafeRawBufferPointer, instance: String, line: Int?, config: ValidateConfiguration,
                         validator: JSONSchemaValidator) -> InstanceOutcome
    {
        if config.outputFormat == nil, validator.isValid(bytes: bytes) == true {
            return Report.valid(instance, line: line, style: config.report)
        }
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch {
            let pos = SourcePosition(line: line.map { $0 + error.line - 1 } ?? error.line, column: error.column)
            return Report.unusable(instance, file: instance, line: line, what: "invalid JSON: \(error.message)", position: pos, style: config.report)
        }
        let copy = config.outputFormat == nil ? Array(bytes) : []
        let doc = InstanceDocument(value: value, locate: { InstanceDecoding.locateJSON(copy, $0) })
        return check(doc, instance: instance, file: instance, line: line, config: config, validator: validator)
    }

    /// Validates a decoded document and renders its outcome.
    static func check(_ doc: InstanceDocument, instance: String, file: String, line: Int?, config: ValidateConfiguration,
                      validator: JSONSchemaValidator) -> InstanceOutcome
    {
        if let format = config.outputFormat {
            let out: JSONValue
            var unresolved: String? = nil
            if format == .flag {
                out = validator.output(doc.value, format: format)
                if validator.hasUnresolvedReferences, out["valid"]?.boolValue == false {
                    unresolved = validator.validate(doc.value).unresolvedReference
                }
            } else {
                let r = validator.validate(doc.value, verbose: format == .verbose)
                unresolved = r.unresolvedReference
                out = r.output(format)
            }
            let valid = out["valid"]?.boolValue ?? false
            var s = "{\"instance\":" + ValidateRunner.jsonString(instance)
            if let line { s += ",\"line\":\(line)" }
            s += ",\"valid\":\(valid),\"output\":" + JSONSerializer.string(out) + "}"
            var o = InstanceOutcome(bad: !valid, resultLine: s)
            // The output units name the unresolvable `$ref`; the exit status says the schema is incomplete.
            o.schemaError = unresolved != nil
            return o
        }
        if validator.isValid(doc.value) { return Report.valid(instance, line: line, style: config.report) }
        let result = validator.validate(doc.value)
        if let m = result.unresolvedReference {
            // The instance reached a `$ref` Floe cannot resolve offline: no verdict, a schema error (exit 2) named
            // at the value that reached it.
            let at = result.unresolvedReferenceAt ?? ""
            var pos = doc.locate(at)
            if let line, let p = pos { pos = SourcePosition(line: line + p.line - 1, column: p.column) }
            let ptr = at.isEmpty ? "/" : at
            var o = Report.unusable(instance, file: file, line: line,
                                    what: "\(ptr): \(m) (Floe never fetches schemas: give it with --schema-dir or --map-uri)",
                                    position: pos, style: config.report)
            o.schemaError = true
            return o
        }
        let located = result.errors.map { e -> LocatedError in
            var pos = doc.locate(e.instanceLocation)
            // An NDJSON record's positions are relative to its line.
            if let line, let p = pos { pos = SourcePosition(line: line + p.line - 1, column: p.column) }
            return LocatedError(e, pos)
        }
        return Report.invalid(instance, file: file, line: line, errors: located, style: config.report)
    }

    /// What validating one NDJSON record found, before its line number is known (the parallel workers check
    /// lines of a range whose first line number the ordered print step learns): positions are relative to the
    /// record's line (line 1); `render` makes them absolute.
    enum Verdict: Sendable {
        case valid
        case invalid([LocatedError])
        case unparseable(String, SourcePosition)
        case output(valid: Bool, json: String)
    }

    /// Validates one NDJSON record (the parallel workers); the same checks as `evaluate`.
    static func verdict(_ bytes: UnsafeRawBufferPointer, config: ValidateConfiguration, validator: JSONSchemaValidator) -> Verdict {
        if config.outputFormat == nil, validator.isValid(bytes: bytes) == true { return .valid }
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch {
            return .unparseable("invalid JSON: \(error.message)", SourcePosition(line: error.line, column: error.column))
        }
        if let format = config.outputFormat {
            let out = validator.output(value, format: format)
            return .output(valid: out["valid"]?.boolValue ?? false, json: JSONSerializer.string(out))
        }
        if validator.isValid(value) { return .valid }
        let copy = Array(bytes)
        return .invalid(validator.validate(value).errors.map { LocatedError($0, InstanceDecoding.locateJSON(copy, $0.instanceLocation)) })
    }

    /// The outcome of a record's verdict at its line.
    static func render(_ verdict: Verdict, instance: String, line: Int, config: ValidateConfiguration) -> InstanceOutcome {
        func shift(_ p: SourcePosition?) -> SourcePosition? { p.map { SourcePosition(line: line + $0.line - 1, column: $0.column) } }
        switch verdict {
        case .valid:
            return Report.valid(instance, line: line, style: config.report)
        case .unparseable(let what, let pos):
            return Report.unusable(instance, file: instance, line: line, what: what, position: shift(pos), style: config.report)
        case .output(let valid, let json):
            var s = "{\"instance\":" + ValidateRunner.jsonString(instance)
            s += ",\"line\":\(line)"
            s += ",\"valid\":\(valid),\"output\":" + json + "}"
            return InstanceOutcome(bad: !valid, resultLine: s)
        case .invalid(let errors):
            return Report.invalid(instance, file: instance, line: line,
                                  errors: errors.map { LocatedError($0.error, shift($0.position)) }, style: config.report)
        }
    }

    /// Reads, decodes and validates one instance file (all its documents).
    static func evaluateFile(_ path: String, config: ValidateConfiguration, validator: JSONSchemaValidator?) -> InstanceOutcome {
        guard let validator else { return Report.skipped(path, why: "no schema in the catalog matches this file name", style: config.report) }
        guard let bytes = InstanceDecoding.read(path) else {
            return Report.unusable(path, file: path, line: nil, what: "cannot read file", position: nil, style: config.report)
        }
        let format = config.instanceFormat ?? InstanceFormat.forPath(path)
        let transform = config.dataTransform
            ?? config.chooser.flatMap { $0.schema(for: path) }.flatMap { DataTransform.forBuiltinSchema($0.name) }
        if (format == .json || format == .ndjson) && transform == nil {
            return bytes.withUnsafeBytes { evaluate($0, instance: path, line: nil, config: config, validator: validator) }
        }
        var docs: [InstanceDocument]
        do {
            docs = try InstanceDecoding.decode(bytes, format: format == .ndjson ? .json : format, decoder: config.decoder)
            if let transform { docs = try docs.map { d throws(InstanceDecodeError) in try transform.apply(d) } }
        } catch {
            return Report.unusable(path, file: path, line: nil, what: "invalid \(format.displayName): \(error.message)", position: error.position, style: config.report)
        }
        if docs.count == 1 { return check(docs[0], instance: path, file: path, line: nil, config: config, validator: validator) }
        var outcomes = docs.enumerated().map { k, d in check(d, instance: "\(path)#\(k + 1)", file: path, line: nil, config: config, validator: validator) }
        guard !outcomes.isEmpty else { return Report.valid(path, line: nil, style: config.report) }
        var first = outcomes.removeFirst()
        first.more = outcomes
        return first
    }

    mutating func emit(_ o: InstanceOutcome) {
        if let r = o.resultLine { output.result(r) }
        if let d = o.diagnostic { output.diagnostic(d) }
        if let j = o.junit { junitCases.append(j) }
        if o.schemaError { anySchemaError = true }
        if o.bad {
            anyBad = true
            if config.failFast { stop = true }
        }
        for m in o.more where !stop { emit(m) }
    }

    /// Writes what is written once at the end (the JUnit document).
    mutating func finish(schemaName: String) {
        if config.report == .junit { output.result(Report.junitDocument(junitCases, suite: schemaName)) }
    }

    mutating func runDocuments(_ plan: [(String, JSONSchemaValidator?)]) {
        let config = self.config
        @Sendable func one(_ f: String, _ v: JSONSchemaValidator?) -> InstanceOutcome {
            RunState.evaluateFile(f, config: config, validator: v)
        }
        if config.jobs <= 1 || plan.count < 2 || config.failFast {
            for (f, v) in plan {
                let t0 = threadCPUNanos()
                let o = one(f, v)
                config.profile?.add(ValidateStage.validate, nanos: threadCPUNanos() &- t0)
                emit(o)
                if stop { return }
            }
            return
        }
        let shared = PlanBox(plan)
        ParallelDocuments.run(count: plan.count, jobs: config.jobs, profile: config.profile,
                              work: { one(shared.plan[$0].0, shared.plan[$0].1) }, emit: { emit($0) })
    }

    mutating func runNDJSON(_ path: String) {
        let reader: NDJSONReader
        do {
            reader = path == "-" ? NDJSONReader(fileDescriptor: 0) : try NDJSONReader(path: path)
        } catch {
            emit(Report.unusable(path, file: path, line: nil, what: "\(error)", position: nil, style: config.report))
            return
        }
        guard let validator = self.validator else { return }
        let total = path == "-" ? 0 : FileSystem.fileSize(path)
        let progress = config.progress
        if config.failFast {
            do {
                while let line = try reader.nextLine() {
                    if let progress, line.lineNumber & 0xFFFF == 0 { progress(line.byteOffset, total, line.lineNumber) }
                    if line.isTooLong {
                        emit(Report.unusable(path, file: path, line: line.lineNumber, what: "line too long", position: nil, style: config.report))
                    } else {
                        emit(RunState.evaluate(reader.lineBytes, instance: path, line: line.lineNumber, config: config, validator: validator))
                    }
                    if stop { return }
                }
            } catch {
                emit(InstanceOutcome(bad: true, diagnostic: "floe: \(path): \(error)"))
            }
            return
        }
        // Parallel: `jobs` threads read and validate chunks of lines; this thread prints in input order.
        ParallelNDJSON(path: path, reader: reader, config: config, validator: validator, total: total).run(&self)
    }
}

/// The (file, validator) plan handed to the workers.
struct PlanBox: @unchecked Sendable {
    let plan: [(String, JSONSchemaValidator?)]
    init(_ p: [(String, JSONSchemaValidator?)]) { plan = p }
}
