// `floe validate`: flag parsing and printing only; the logic lives in JSONSchema (`ValidateRunner`).

import Parallel
import ArgumentParser
import ObjectStore
import ConfigFormats
import FileSafety
import JSON
import JSONSchema
import Parquet
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Validate JSON, NDJSON, YAML, TOML and JSON5 instances against a JSON Schema (drafts 4 to 2020-12), offline.",
        discussion: """
            Exit status: 0 all valid; 1 invalid or unparseable instances; 2 usage or configuration errors \
            (unreadable schema, unresolvable $ref). Every error names file:line:column of the failing value. \
            `floe validate --metaschema SCHEMA...` checks schemas against the meta-schema of their draft. \
            `--output flag|basic|detailed|verbose` prints, per instance, one JSON line \
            {"instance":...,["line":N,]"valid":...,"output":<the 2020-12 output structure>}; `--output github` \
            prints GitHub Actions error commands, `--output junit` one JUnit XML document.
            """)

    @Option(name: .long, help: "The schema file (JSON, YAML or JSON5).")
    var schema: String?

    @Option(name: .customLong("builtin-schema"), help: "A vendored SchemaStore schema by NAME (`list` prints the names).")
    var builtinSchema: String?

    @Flag(name: .customLong("schema-from-catalog"), help: "Each instance gets the built-in schema whose SchemaStore fileMatch matches its path; others are skipped.")
    var schemaFromCatalog = false

    @Option(name: .customLong("instance-format"), help: "Read every instance as json, ndjson, yaml, toml or json5 (default: by extension).")
    var instanceFormat: String?

    @Option(name: .long, help: "In directories, take files matching PATTERN (repeatable; default *.json *.yaml *.yml *.toml *.json5).")
    var glob: [String] = []

    @Option(name: .long, help: "Skip files and directories matching PATTERN (repeatable).")
    var exclude: [String] = []

    @Option(name: .customLong("disable-formats"), help: "Never assert these `format` names (comma-separated; * for all).")
    var disableFormats: [String] = []

    @Option(name: .customLong("data-transform"),
            help: "Transform instances before validating: azure-pipelines (unnest ${{ }} template expressions; the default with --builtin-schema azure-pipelines).")
    var dataTransform: String?

    @Option(name: .customLong("schema-dir"), help: "Register every *.json directly in DIR (by file:// path and $id).")
    var schemaDirs: [String] = []

    @Option(name: .customLong("map-uri"), help: "PREFIX=DIR: a $ref URI starting with PREFIX is the file DIR/<rest>.")
    var mapURIs: [String] = []

    @Flag(name: .long, help: "Each non-empty line of each INSTANCE is one instance.")
    var ndjson = false

    @Flag(name: .long, help: "One JSON line per instance on stdout.")
    var json = false

    @Option(name: .long, help: "flag, basic, detailed or verbose (the standard output structure), github or junit.")
    var output: String?

    @Flag(name: .customLong("assert-format"), help: "Assert `format` instead of treating it as an annotation.")
    var assertFormat = false

    @Option(name: .long, help: "Draft where $schema is absent: 4, 6, 7, 2019-09, 2020-12 (default 2020-12).")
    var draft: String?

    @Flag(name: .customLong("fail-fast"), help: "Stop at the first invalid instance.")
    var failFast = false

    @Option(name: .long, parsing: .unconditional, help: "Validate with N threads (results stay in input order; default: cores; 1 to 4 x cores).")
    var jobs: Int?

    @Flag(name: .long, help: "Print the busy seconds and items of each pipeline stage on stderr.")
    var profile = false

    @Flag(name: .long, help: "Validate the given SCHEMA files against their meta-schemas.")
    var metaschema = false

    @Option(name: .customLong("max-schema-size"), help: "Largest schema or $ref file read (default 64MiB).")
    var maxSchemaSize: String = "64MiB"

    @Flag(name: .long, help: "No progress output.")
    var quiet = false

    @Argument(help: "Instance files, directories (see --glob) or - for stdin; with --metaschema, schema files.")
    var instances: [String] = []

    func run() throws {
        // s3:// instances, schema and --schema-dir: copied into a private temporary folder first; the output names
        // the URLs (ObjectMirror).
        let mirror = ObjectMirror()
        let schema: String?, schemaDirs: [String], instances: [String]
        do {
            (schema, schemaDirs, instances) = try mirror.validateArguments(schema: self.schema, schemaDirs: self.schemaDirs,
                                                                           instances: self.instances)
        } catch let e as FloeExit {
            throw e
        } catch {
            Output.diagnostic("floe: \(error)")
            throw ExitCode((error as? ObjectStoreError)?.isConfiguration == true ? ValidateExit.usage : ValidateExit.invalid)
        }
        let out = LineWriter(fd: 1)
        let err = LineWriter(fd: 2)
        let showProgress = !quiet && isatty(2) != 0
        let sink = ValidateOutput(result: { out.write(mirror.display($0)) }, diagnostic: {
            if showProgress { err.writeRaw("\r\u{1B}[K") }  // clear a progress line first
            err.write(mirror.display($0))
            err.flush()
        })
        defer { out.flush(); err.flush() }
        func usage(_ message: String) -> ExitCode {
            err.write("floe: \(message)")
            err.flush()
            return ExitCode(ValidateExit.usage)
        }
        guard let limit = parseByteSize(maxSchemaSize), limit > 0 else { throw usage("--max-schema-size: bad size '\(maxSchemaSize)'") }
        BoundedRead.defaultLimit = limit
        var d = SchemaDraft.draft2020_12
        if let draft {
            guard let parsed = SchemaDraft(name: draft) else { throw usage("unknown --draft \(draft) (4, 6, 7, 2019-09, 2020-12)") }
            d = parsed
        }
        var mappings: [(prefix: String, directory: String)] = []
        for m in mapURIs {
            guard let eq = m.firstIndex(of: "="), eq != m.startIndex else { throw usage("--map-uri expects PREFIX=DIR, got \(m)") }
            mappings.append((String(m[..<eq]), String(m[m.index(after: eq)...])))
        }
        var format: OutputFormat? = nil
        var report: ReportStyle = json ? .json : .text
        if let output {
            if output == "github" || output == "junit" {
                if json { throw usage("--json and --output \(output) exclude each other") }
                report = output == "github" ? .github : .junit
            } else {
                guard let f = OutputFormat(rawValue: output) else { throw usage("unknown --output \(output) (flag, basic, detailed, verbose, github, junit)") }
                format = f
            }
        }
        _ = try FlagRange.workers(jobs, "--jobs")

        var forced: InstanceFormat? = nil
        if let instanceFormat {
            guard let f = InstanceFormat(rawValue: instanceFormat) else { throw usage("unknown --instance-format \(instanceFormat) (json, ndjson, yaml, toml, json5)") }
            forced = f
        }
        if builtinSchema == "list" {
            for line in BuiltinSchemas.listing() { out.write(line) }
            return
        }
        let sources = [schema != nil, builtinSchema != nil, schemaFromCatalog].filter { $0 }.count
        if !metaschema && sources > 1 { throw usage("give one of --schema, --builtin-schema, --schema-from-catalog") }
        let status: Int32
        if metaschema {
            status = ValidateRunner.runMetaSchema(instances + (schema.map { [$0] } ?? []), schemaDirectories: schemaDirs,
                                                  uriMappings: mappings, draft: d, json: json, decoder: ConfigFormatsDecoder(), output: sink)
        } else {
            var config = ValidateConfiguration(schemaPath: schema ?? "")
            config.decoder = ConfigFormatsDecoder()
            if let name = builtinSchema {
                guard let b = BuiltinSchemas.named(name) else { throw usage("unknown --builtin-schema \(name) (see --builtin-schema list)") }
                do {
                    let (doc, uri) = try BuiltinSchemas.load(b)
                    config.schemaPath = uri
                    config.schemaDocument = doc
                    config.registry = BuiltinSchemas.registry()
                } catch {
                    throw usage("built-in schema \(name): \(error.message)")
                }
            } else if schemaFromCatalog {
                do {
                    let registry = try ValidateRunner.makeRegistry(schemaDirectories: schemaDirs, uriMappings: mappings)
                    config.chooser = CatalogChooser(registry: registry)
                } catch {
                    throw usage(error.message)
                }
            } else if schema == nil {
                throw usage("--schema, --builtin-schema or --schema-from-catalog is required (or --metaschema)")
            }
            config.schemaDirectories = schemaDirs
            config.uriMappings = mappings
            config.ndjson = ndjson
            config.report = report
            config.outputFormat = format
            config.assertFormat = assertFormat
            if let dataTransform {
                guard let t = DataTransform(rawValue: dataTransform) else { throw usage("unknown --data-transform \(dataTransform) (azure-pipelines)") }
                config.dataTransform = t
            } else if let name = builtinSchema {
                config.dataTransform = DataTransform.forBuiltinSchema(name)
            }
            config.disabledFormats = Set(disableFormats.flatMap { $0.split(separator: ",").map(String.init) })
            config.draft = d
            config.failFast = failFast
            config.jobs = jobs ?? ProcessInfoLite.activeCores
            let stages = profile ? StageProfile(ValidateRunner.stageNames) : nil
            config.profile = stages
            let t0 = monotonicNanos()
            defer {
                if let stages {
                    let bytes = instances.reduce(Int64(0)) { $0 + Int64(FileSystem.fileSize($1)) }
                    for line in stages.table(bytes: bytes, wallSeconds: Double(monotonicNanos() - t0) / 1e9) {
                        err.write("floe: profile: " + line)
                    }
                    err.flush()
                }
            }
            config.instances = instances
            config.instanceFormat = forced
            config.walk = InstanceWalk(globs: glob, excludes: exclude)
            if showProgress {
                config.progress = { done, total, records in
                    let line = total > 0
                        ? "\rfloe: validate: \(min(100, done * 100 / max(total, 1)))% (\(records) records)"
                        : "\rfloe: validate: \(records) records"
                    err.writeRaw(line)
                    err.flush()
                }
            }
            status = ValidateRunner.run(config, output: sink)
            if config.progress != nil {
                err.writeRaw("\r\u{1B}[K")
                err.flush()
            }
        }
        out.flush()
        err.flush()
        if status != 0 { throw ExitCode(status) }
    }
}

/// Buffered line output to a file descriptor.
final class LineWriter: @unchecked Sendable {
    private let fd: FileDescriptor
    private var buffer: [UInt8] = []

    init(fd: Int32) {
        self.fd = FileDescriptor(rawValue: fd)
        buffer.reserveCapacity(1 << 16)
    }

    func write(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { flush() }
    }

    /// Writes without a newline (progress bar redraws).
    func writeRaw(_ text: String) { buffer.append(contentsOf: text.utf8) }

    func flush() {
        // Output that cannot be written (a closed pipe) is dropped, as before; writeAll retries EINTR.
        _ = try? fd.writeAll(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
