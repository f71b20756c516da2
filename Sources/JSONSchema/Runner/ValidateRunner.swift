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
    public var schemaPath: String
    public var schemaDirectories: [String] = []
    /// `PREFIX=DIR` pairs.
    public var uriMappings: [(prefix: String, directory: String)] = []
    public var ndjson = false
    public var json = false
    /// Print the standard output structure per instance (one JSON line each) instead of the default lines.
    public var outputFormat: OutputFormat? = nil
    public var assertFormat = false
    public var draft: SchemaDraft = .draft2020_12
    public var failFast = false
    public var jobs = 1
    public var instances: [String] = []
    /// Bytes of NDJSON per unit of parallel work (tests use tiny ones to cut lines everywhere).
    public var chunkBytes = 4 << 20
    /// Busy time per pipeline stage (`--profile`, `floe bench validate`); nil: not measured.
    public var profile: StageProfile? = nil
    /// Called now and then during NDJSON input with (bytes read, total bytes or 0 if unknown, records so far);
    /// the command draws a progress bar with it when stderr is a terminal.
    public var progress: (@Sendable (Int, Int, Int) -> Void)? = nil

    public init(schemaPath: String) { self.schemaPath = schemaPath }
}

/// Sinks for results (stdout) and diagnostics (stderr); each call gets one complete line without `\n`.
public struct ValidateOutput: Sendable {
    public var result: @Sendable (String) -> Void
    public var diagnostic: @Sendable (String) -> Void
    public init(result: @escaping @Sendable (String) -> Void, diagnostic: @escaping @Sendable (String) -> Void) {
        self.result = result
        self.diagnostic = diagnostic
    }
}

/// Exit statuses of the CLI contract.
public enum ValidateExit {
    public static let ok: Int32 = 0
    public static let invalid: Int32 = 1
    public static let usage: Int32 = 2
}

public enum ValidateRunner {
    /// The pipeline's stages (name, ordered) for `StageProfile`.
    public static var stageNames: [(String, Bool)] { ValidateStage.names }

    /// Builds the registry of a configuration (`--schema-dir`, `--map-uri`, built-in meta-schemas).
    public static func makeRegistry(schemaDirectories: [String], uriMappings: [(prefix: String, directory: String)]) throws(SchemaError) -> SchemaRegistry {
        let registry = SchemaRegistry()
        for d in schemaDirectories { try registry.addDirectory(d) }
        for m in uriMappings { registry.mapURI(prefix: m.prefix, directory: m.directory) }
        return registry
    }

    /// Runs `floe validate`; returns the exit status.
    public static func run(_ config: ValidateConfiguration, output: ValidateOutput) -> Int32 {
        let validator: JSONSchemaValidator
        do {
            let registry = try makeRegistry(schemaDirectories: config.schemaDirectories, uriMappings: config.uriMappings)
            validator = try JSONSchemaValidator(path: config.schemaPath, registry: registry,
                                                options: ValidatorOptions(defaultDraft: config.draft, assertFormat: config.assertFormat))
        } catch {
            // Unreadable / unparseable files already name themselves.
            let named = error.kind == .unreadable || error.kind == .unparseable
            output.diagnostic(named ? "floe: \(error.message)" : "floe: \(config.schemaPath): \(error.message)")
            return ValidateExit.usage
        }
        if config.instances.isEmpty {
            output.diagnostic("floe: no INSTANCE given (use - for stdin)")
            return ValidateExit.usage
        }
        var files: [String] = []
        for i in config.instances {
            if i != "-" && FileSystem.isDirectory(i) {
                let found = FileSystem.jsonFilesRecursively(i)
                files += found
            } else {
                files.append(i)
            }
        }
        var state = RunState(config: config, validator: validator, output: output)
        if config.ndjson {
            for f in files {
                state.runNDJSON(f)
                if state.stop { break }
            }
        } else {
            state.runDocuments(files)
        }
        return state.anyBad ? ValidateExit.invalid : ValidateExit.ok
    }

    /// Runs `floe validate --metaschema`: each schema against its draft's meta-schema.
    public static func runMetaSchema(_ paths: [String], schemaDirectories: [String] = [],
                                     uriMappings: [(prefix: String, directory: String)] = [], draft: SchemaDraft = .draft2020_12,
                                     json: Bool = false, output: ValidateOutput) -> Int32
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
            do { doc = try SchemaRegistry.loadFile(p) } catch {
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

    /// One result line: human (`file:line: /ptr: message`, one per error) or the `--json` line.
    static func render(instance: String, line: Int?, valid: Bool, errors: [SchemaValidationError], json: Bool) -> String {
        if json {
            var s = "{\"instance\":" + jsonString(instance)
            if let line { s += ",\"line\":\(line)" }
            s += ",\"valid\":\(valid),\"errors\":["
            for (i, e) in errors.enumerated() {
                if i > 0 { s += "," }
                s += "{\"instanceLocation\":" + jsonString(e.instanceLocation) + ",\"keywordLocation\":"
                    + jsonString(e.keywordLocation) + ",\"message\":" + jsonString(e.message) + "}"
            }
            return s + "]}"
        }
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
    var resultLine: String? = nil
    var diagnostic: String? = nil
}

struct RunState {
    let config: ValidateConfiguration
    let validator: JSONSchemaValidator
    let output: ValidateOutput
    var anyBad = false
    var stop = false

    init(config: ValidateConfiguration, validator: JSONSchemaValidator, output: ValidateOutput) {
        self.config = config
        self.validator = validator
        self.output = output
    }

    /// Validates one parsed-or-not document (bytes) and renders its outcome.
    static func evaluate(_ bytes: UnsafeRawBufferPointer, instance: String, line: Int?, config: ValidateConfiguration,
                         validator: JSONSchemaValidator) -> InstanceOutcome
    {
        render(check(bytes, inLine: line != nil, config: config, validator: validator), instance: instance, line: line,
               config: config)
    }

    /// What validating one document found (without the instance name and line, which `render` adds; so the
    /// parallel NDJSON workers can check lines before their line numbers are known).
    enum Verdict: Sendable {
        case valid
        case invalid([SchemaValidationError])
        case unparseable(String)
        case output(valid: Bool, json: String)
    }

    static func check(_ bytes: UnsafeRawBufferPointer, inLine: Bool, config: ValidateConfiguration,
                      validator: JSONSchemaValidator) -> Verdict
    {
        if config.outputFormat == nil, validator.isValid(bytes: bytes) == true { return .valid }
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch {
            // Within an NDJSON line the line number is the record's; only the column says more.
            return .unparseable(inLine ? "invalid JSON at column \(error.column): \(error.message)" : "invalid JSON: \(error)")
        }
        if let format = config.outputFormat {
            let out = validator.output(value, format: format)
            return .output(valid: out["valid"]?.boolValue ?? false, json: JSONSerializer.string(out))
        }
        if validator.isValid(value) { return .valid }
        return .invalid(validator.validate(value).errors)
    }

    static func render(_ verdict: Verdict, instance: String, line: Int?, config: ValidateConfiguration) -> InstanceOutcome {
        switch verdict {
        case .valid:
            if config.json { return InstanceOutcome(bad: false, resultLine: ValidateRunner.render(instance: instance, line: line, valid: true, errors: [], json: true)) }
            // Human mode: a line per valid document, nothing per valid NDJSON record.
            return InstanceOutcome(bad: false, resultLine: line == nil ? "\(instance): valid" : nil)
        case .unparseable(let what):
            var o = InstanceOutcome(bad: true)
            let where_ = line.map { "\(instance):\($0)" } ?? instance
            if config.json || config.outputFormat != nil {
                var s = "{\"instance\":" + ValidateRunner.jsonString(instance)
                if let line { s += ",\"line\":\(line)" }
                s += ",\"valid\":null,\"error\":" + ValidateRunner.jsonString(what) + "}"
                o.resultLine = s
            } else {
                o.diagnostic = "floe: \(where_): \(what)"
            }
            return o
        case .output(let valid, let json):
            var s = "{\"instance\":" + ValidateRunner.jsonString(instance)
            if let line { s += ",\"line\":\(line)" }
            s += ",\"valid\":\(valid),\"output\":" + json + "}"
            return InstanceOutcome(bad: !valid, resultLine: s)
        case .invalid(let errors):
            return InstanceOutcome(bad: true, resultLine: ValidateRunner.render(instance: instance, line: line, valid: false,
                                                                                errors: errors, json: config.json))
        }
    }

    /// An instance file that cannot be read: a diagnostic, or the `valid: null` line in JSON modes.
    static func unreadable(_ path: String, config: ValidateConfiguration, _ what: String) -> InstanceOutcome {
        if config.json || config.outputFormat != nil {
            return InstanceOutcome(bad: true, resultLine: "{\"instance\":" + ValidateRunner.jsonString(path)
                + ",\"valid\":null,\"error\":" + ValidateRunner.jsonString(what) + "}")
        }
        return InstanceOutcome(bad: true, diagnostic: "floe: \(path): \(what)")
    }

    mutating func emit(_ o: InstanceOutcome) {
        if let r = o.resultLine { output.result(r) }
        if let d = o.diagnostic { output.diagnostic(d) }
        if o.bad {
            anyBad = true
            if config.failFast { stop = true }
        }
    }

    static func readInstance(_ path: String) -> [UInt8]? {
        if path == "-" {
            var out: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                out.append(contentsOf: chunk[0..<n])
            }
            return out
        }
        return FileSystem.readFile(path)
    }

    mutating func runDocuments(_ files: [String]) {
        let config = self.config
        let validator = self.validator
        @Sendable func one(_ f: String) -> InstanceOutcome {
            guard let bytes = RunState.readInstance(f) else {
                return RunState.unreadable(f, config: config, "cannot read file")
            }
            return bytes.withUnsafeBytes { RunState.evaluate($0, instance: f, line: nil, config: config, validator: validator) }
        }
        if config.jobs <= 1 || files.count < 2 || config.failFast {
            for f in files {
                let t0 = monotonicNanos()
                let o = one(f)
                config.profile?.add(ValidateStage.validate, nanos: monotonicNanos() &- t0)
                emit(o)
                if stop { return }
            }
            return
        }
        ParallelDocuments.run(count: files.count, jobs: config.jobs, profile: config.profile,
                              work: { one(files[$0]) }, emit: { emit($0) })
    }

    mutating func runNDJSON(_ path: String) {
        let reader: NDJSONReader
        do {
            reader = path == "-" ? NDJSONReader(fileDescriptor: 0) : try NDJSONReader(path: path)
        } catch {
            emit(RunState.unreadable(path, config: config, "\(error)"))
            return
        }
        let total = path == "-" ? 0 : FileSystem.fileSize(path)
        let progress = config.progress
        if config.failFast {
            do {
                while let line = try reader.nextLine() {
                    if let progress, line.lineNumber & 0xFFFF == 0 { progress(line.byteOffset, total, line.lineNumber) }
                    if line.isTooLong {
                        emit(InstanceOutcome(bad: true, diagnostic: "floe: \(path):\(line.lineNumber): line too long"))
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
