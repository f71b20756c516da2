import Parallel
import ArgumentParser
import JSON
import JSONSchema
import ObjectStore
import Parquet
import Synchronization

struct BenchValidate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Time `floe validate` (results counted, not printed); prints one JSON line with the stage profile.",
        discussion: """
            {"op":"validate","bytes":N,"records":N,"invalid":N,"seconds":S,"mb_per_s":X,"cpu_seconds":C,"jobs":J,\
            "profile":{...}}
            """)
    @Option(name: .long, help: "The JSON Schema.") var schema: String
    @Option(name: .customLong("schema-dir"), help: "Directory of schemas for $ref (repeatable).") var schemaDirs: [String] = []
    @Flag(name: .long, help: "Each line of each INSTANCE is an instance.") var ndjson = false
    @Flag(name: .customLong("assert-format"), help: "Assert `format`.") var assertFormat = false
    @Option(name: .long, help: "Threads (default: cores).") var jobs: Int?
    @Argument(help: "JSON files, directories or - for stdin.") var instances: [String] = []

    func run() throws {
        guard jobs.map({ $0 >= 1 }) ?? true else {
            Output.diagnostic("floe: --jobs must be at least 1")
            throw FloeExit.usageError
        }
        // s3:// schema, --schema-dir and instances: copied into a private temporary folder first (not timed), as
        // `floe validate` does
        let mirror = ObjectMirror()
        let local: (schema: String?, schemaDirs: [String], instances: [String])
        do {
            local = try mirror.validateArguments(schema: schema, schemaDirs: schemaDirs, instances: instances)
        } catch let e as FloeExit {
            throw e
        } catch {
            Output.diagnostic("floe: \(error)")
            throw (error as? ObjectStoreError)?.isConfiguration == true ? FloeExit.usageError : FloeExit.dataError
        }
        var config = ValidateConfiguration(schemaPath: local.schema!)
        config.schemaDirectories = local.schemaDirs
        config.ndjson = ndjson
        config.assertFormat = assertFormat
        config.jobs = jobs ?? ProcessInfoLite.activeCores
        config.instances = local.instances
        let profile = StageProfile(ValidateRunner.stageNames)
        config.profile = profile
        let counter = Counter()
        let sink = ValidateOutput(result: { _ in counter.add() }, diagnostic: { counter.add($0) })
        let cpu0 = ProcessCPU.seconds()
        let t0 = monotonicNanos()
        let status = ValidateRunner.run(config, output: sink)
        let wall = Double(monotonicNanos() - t0) / 1e9
        let cpu = ProcessCPU.seconds() - cpu0
        if status == ValidateExit.usage {
            if let d = counter.first { Output.diagnostic(mirror.display(d)) }
            throw FloeExit.usageError
        }
        let bytes = local.instances.reduce(Int64(0)) { $0 + Int64(FileSystem.fileSize($1)) }
        withExtendedLifetime(mirror) {}
        let records = profile.snapshot[2].items
        let mbps = wall > 0 ? Double(bytes) / 1e6 / wall : 0
        var line = "{\"op\":\"validate\",\"bytes\":\(bytes),\"records\":\(records),\"invalid\":\(counter.value),"
        line += "\"seconds\":\(ProcessCPU.fmt(wall)),\"mb_per_s\":\(ProcessCPU.fmt(mbps)),\"cpu_seconds\":\(ProcessCPU.fmt(cpu)),"
        line += "\"jobs\":\(config.jobs),\"profile\":" + profile.json(bytes: bytes) + "}\n"
        Output.write(line)
        Output.flush()
    }
}

/// Lines reported (invalid instances), counted from the printing thread.
final class Counter: Sendable {
    private let state = Mutex<(n: Int, first: String?)>((0, nil))
    func add(_ diagnostic: String? = nil) {
        state.withLock {
            $0.n += 1
            if $0.first == nil { $0.first = diagnostic }
        }
    }
    var value: Int { state.withLock { $0.n } }
    var first: String? { state.withLock { $0.first } }
}
