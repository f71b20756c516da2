// The logic of `floe validate`: configuration, instance discovery, (parallel) validation, reporting.
// The command file only parses flags and calls `ValidateRunner.run`.

import Dispatch

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
        if config.outputFormat == nil, validator.isValid(bytes: bytes) == true {
            if config.json { return InstanceOutcome(bad: false, resultLine: ValidateRunner.render(instance: instance, line: line, valid: true, errors: [], json: true)) }
            return InstanceOutcome(bad: false, resultLine: line == nil ? "\(instance): valid" : nil)
        }
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch {
            // Within an NDJSON line the line number is the record's; only the column says more.
            let what = line == nil ? "invalid JSON: \(error)" : "invalid JSON at column \(error.column): \(error.message)"
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
        }
        if let format = config.outputFormat {
            let out = validator.output(value, format: format)
            let valid = out["valid"]?.boolValue ?? false
            var s = "{\"instance\":" + ValidateRunner.jsonString(instance)
            if let line { s += ",\"line\":\(line)" }
            s += ",\"valid\":\(valid),\"output\":" + JSONSerializer.string(out) + "}"
            return InstanceOutcome(bad: !valid, resultLine: s)
        }
        if validator.isValid(value) {
            if config.json { return InstanceOutcome(bad: false, resultLine: ValidateRunner.render(instance: instance, line: line, valid: true, errors: [], json: true)) }
            // Human mode: a line per valid document, nothing per valid NDJSON record.
            return InstanceOutcome(bad: false, resultLine: line == nil ? "\(instance): valid" : nil)
        }
        let result = validator.validate(value)
        return InstanceOutcome(bad: true, resultLine: ValidateRunner.render(instance: instance, line: line, valid: false,
                                                                            errors: result.errors, json: config.json))
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
        // A named instance is a regular file (a FIFO or device only through `-`); instances may be large.
        return FileSystem.readFile(path, limit: Int.max)
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
                emit(one(f))
                if stop { return }
            }
            return
        }
        let results = OutcomeBuffer(count: files.count)
        DispatchQueue.concurrentPerform(iterations: files.count) { i in results.set(i, one(files[i])) }
        for o in results.items { emit(o!) }
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
        if config.jobs <= 1 || config.failFast {
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
        // Parallel and pipelined: while the workers validate chunk k (concurrentPerform over slices), this
        // thread reads chunk k+1; outcomes are emitted in input order.
        let jobs = config.jobs
        let config = self.config
        let validator = self.validator
        let done = DispatchGroup()
        var pending: LineChunk? = nil
        var current = LineChunk()
        func finish(_ chunk: LineChunk, _ state: inout RunState) {
            done.wait()
            for o in chunk.results!.items { if let o { state.emit(o) } }
        }
        func submit(_ chunk: LineChunk, _ state: inout RunState) {
            if let p = pending { finish(p, &state) }
            let n = chunk.lines.count
            chunk.results = OutcomeBuffer(count: n)
            let slices = min(n, jobs * 4)
            done.enter()
            DispatchQueue.global().async {
                chunk.buffer.withUnsafeBytes { all in
                    let base = UnsafeRawBufferPointerBox(all)
                    DispatchQueue.concurrentPerform(iterations: slices) { j in
                        let lo = j * n / slices
                        let hi = (j + 1) * n / slices
                        for k in lo..<hi {
                            let l = chunk.lines[k]
                            if l.tooLong {
                                chunk.results!.set(k, InstanceOutcome(bad: true, diagnostic: "floe: \(path):\(l.number): line too long"))
                                continue
                            }
                            let bytes = UnsafeRawBufferPointer(rebasing: base.buffer[l.range])
                            let o = RunState.evaluate(bytes, instance: path, line: l.number, config: config, validator: validator)
                            if o.bad || o.resultLine != nil { chunk.results!.set(k, o) }
                        }
                    }
                }
                done.leave()
            }
            pending = chunk
        }
        do {
            while let line = try reader.nextLine() {
                if let progress, line.lineNumber & 0xFFFF == 0 { progress(line.byteOffset, total, line.lineNumber) }
                let start = current.buffer.count
                current.buffer.append(contentsOf: reader.lineBytes)
                current.lines.append((line.lineNumber, start..<current.buffer.count, line.isTooLong))
                if current.buffer.count >= 4 << 20 || current.lines.count >= 8192 {
                    submit(current, &self)
                    current = LineChunk()
                }
            }
        } catch {
            if !current.lines.isEmpty { submit(current, &self) }
            if let p = pending { finish(p, &self) }
            emit(InstanceOutcome(bad: true, diagnostic: "floe: \(path): \(error)"))
            return
        }
        if !current.lines.isEmpty { submit(current, &self) }
        if let p = pending { finish(p, &self) }
    }
}

/// A block of NDJSON lines copied out of the reader, with the outcomes of its lines.
final class LineChunk: @unchecked Sendable {
    var buffer: [UInt8] = []
    var lines: [(number: Int, range: Range<Int>, tooLong: Bool)] = []
    var results: OutcomeBuffer? = nil
    init() { buffer.reserveCapacity(4 << 20 + 65536) }
}

struct UnsafeRawBufferPointerBox: @unchecked Sendable {
    let buffer: UnsafeRawBufferPointer
    init(_ b: UnsafeRawBufferPointer) { buffer = b }
}

/// Slots written concurrently at distinct indices, read after the workers finish.
final class OutcomeBuffer: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<InstanceOutcome?>
    let count: Int
    init(count: Int) {
        self.count = count
        storage = .allocate(capacity: count)
        storage.initialize(repeating: nil, count: count)
    }
    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }
    func set(_ i: Int, _ o: InstanceOutcome) { storage[i] = o }
    var items: [InstanceOutcome?] { Array(UnsafeBufferPointer(start: storage, count: count)) }
}
