import ArgumentParser
import Parquet

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks; each prints one JSON line.", subcommands: [BenchRead.self, BenchWrite.self])
}

struct BenchRead: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read", abstract: "Decode every column of every row group of a Parquet file.")

    @Argument(help: "The Parquet file.") var file: String
    @Option(name: .long, help: "Worker threads (default: all cores).") var jobs: Int?
    @Flag(name: .long, help: "Do not verify page checksums.") var noVerifyChecksums = false

    func run() throws {
        try Storage.requireLocal([file], command: "bench")
        do {
            let r = try ReadBenchmark.run(path: file, jobs: jobs,
                                          options: ReadOptions(verifyChecksums: !noVerifyChecksums))
            Output.write(r.jsonLine + "\n")
        } catch {
            throw Output.fail(file, error)
        }
    }
}
