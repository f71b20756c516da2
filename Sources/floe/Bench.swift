import ArgumentParser
import Parquet

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks; each prints one JSON line.", subcommands: [BenchRead.self, BenchWrite.self, BenchConvert.self, BenchValidate.self])
}

struct BenchRead: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read", abstract: "Decode every column of every row group of a Parquet file.")

    @Argument(help: "The Parquet file.") var file: String
    @Option(name: .long, parsing: .unconditional, help: "Worker threads (default: all cores; at most 4 x cores).") var jobs: Int?
    @Flag(name: .long, help: "Do not verify page checksums.") var noVerifyChecksums = false
    @OptionGroup var keys: DecryptionFlags

    func run() throws {
        try Storage.requireLocal([file], command: "bench")
        let jobs = try FlagRange.workers(jobs, "--jobs")

        let decryption = try keys.properties(file: file)
        do {
            let r = try ReadBenchmark.run(path: file, jobs: jobs,
                                          options: ReadOptions(verifyChecksums: !noVerifyChecksums),
                                          decryption: decryption)
            Output.write(r.jsonLine + "\n")
        } catch {
            throw Output.fail(file, error)
        }
    }
}
