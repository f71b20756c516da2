// `floe validate`: flag parsing and printing only; the logic lives in JSONSchema (`ValidateRunner`).

import ArgumentParser
import JSONSchema

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
        abstract: "Validate JSON instances against a JSON Schema (drafts 4, 6, 7, 2019-09, 2020-12), offline.",
        discussion: """
            Exit status: 0 all valid; 1 invalid or unparseable instances; 2 usage or configuration errors \
            (unreadable schema, unresolvable $ref). `floe validate --metaschema SCHEMA...` checks schemas \
            against the meta-schema of their draft. `--output FORMAT` prints, per instance, one JSON line \
            {"instance":...,["line":N,]"valid":...,"output":<the 2020-12 output structure>}.
            """)

    @Option(name: .long, help: "The schema file.")
    var schema: String?

    @Option(name: .customLong("schema-dir"), help: "Register every *.json directly in DIR (by file:// path and $id).")
    var schemaDirs: [String] = []

    @Option(name: .customLong("map-uri"), help: "PREFIX=DIR: a $ref URI starting with PREFIX is the file DIR/<rest>.")
    var mapURIs: [String] = []

    @Flag(name: .long, help: "Each non-empty line of each INSTANCE is one instance.")
    var ndjson = false

    @Flag(name: .long, help: "One JSON line per instance on stdout.")
    var json = false

    @Option(name: .long, help: "Print the standard output structure: flag, basic, detailed or verbose.")
    var output: String?

    @Flag(name: .customLong("assert-format"), help: "Assert `format` instead of treating it as an annotation.")
    var assertFormat = false

    @Option(name: .long, help: "Draft where $schema is absent: 4, 6, 7, 2019-09, 2020-12 (default 2020-12).")
    var draft: String?

    @Flag(name: .customLong("fail-fast"), help: "Stop at the first invalid instance.")
    var failFast = false

    @Option(name: .long, help: "Validate with N threads (results stay in input order).")
    var jobs: Int = 1

    @Flag(name: .long, help: "Validate the given SCHEMA files against their meta-schemas.")
    var metaschema = false

    @Flag(name: .long, help: "No progress output.")
    var quiet = false

    @Argument(help: "JSON files, directories (every *.json below) or - for stdin; with --metaschema, schema files.")
    var instances: [String] = []

    func run() throws {
        try Storage.requireLocal([schema] + schemaDirs + instances, command: "validate")
        let out = LineWriter(fd: 1)
        let err = LineWriter(fd: 2)
        let showProgress = !quiet && isatty(2) != 0
        let sink = ValidateOutput(result: { out.write($0) }, diagnostic: {
            if showProgress { err.writeRaw("\r\u{1B}[K") }  // clear a progress line first
            err.write($0)
            err.flush()
        })
        defer { out.flush(); err.flush() }
        func usage(_ message: String) -> ExitCode {
            err.write("floe: \(message)")
            err.flush()
            return ExitCode(ValidateExit.usage)
        }
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
        if let output {
            guard let f = OutputFormat(rawValue: output) else { throw usage("unknown --output \(output) (flag, basic, detailed, verbose)") }
            format = f
        }
        guard jobs >= 1 else { throw usage("--jobs must be at least 1") }
        let status: Int32
        if metaschema {
            status = ValidateRunner.runMetaSchema(instances + (schema.map { [$0] } ?? []), schemaDirectories: schemaDirs,
                                                  uriMappings: mappings, draft: d, json: json, output: sink)
        } else {
            guard let schema else { throw usage("--schema is required (or --metaschema)") }
            var config = ValidateConfiguration(schemaPath: schema)
            config.schemaDirectories = schemaDirs
            config.uriMappings = mappings
            config.ndjson = ndjson
            config.json = json
            config.outputFormat = format
            config.assertFormat = assertFormat
            config.draft = d
            config.failFast = failFast
            config.jobs = jobs
            config.instances = instances
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
    private let fd: Int32
    private var buffer: [UInt8] = []

    init(fd: Int32) {
        self.fd = fd
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
        var off = 0
        while off < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, $0.count - off) }
            if n <= 0 { break }
            off += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
