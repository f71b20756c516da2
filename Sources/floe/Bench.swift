import ArgumentParser
import Parquet

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks; each prints one JSON line.", subcommands: [BenchRead.self, BenchWrite.self, BenchConvert.self, BenchValidate.self])
}

struct BenchRead: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read", abstract: "Decode every column of every row group of a Parquet file.")

    @Argument(help: "The Parquet file (a path or s3://bucket/key).") var file: String
    @Option(name: .long, parsing: .unconditional, help: "Worker threads (default: all cores; at most 4 x cores).") var jobs: Int?
    @Flag(name: .long, help: "Do not verify page checksums.") var noVerifyChecksums = false
    @OptionGroup var keys: DecryptionFlags

    func run() throws {
        let jobs = try FlagRange.workers(jobs, "--jobs")
        _ = try Storage.location(file)  // another URL scheme: exit 2
        let decryption = try keys.properties(file: file)
        do {
            // an object: the footer in at most two ranged GETs, then each row group's chunks fetched together
            let r = try ReadBenchmark.run(opening: { try Storage.openParquet(file, decryption: decryption) }, jobs: jobs,
                                          options: ReadOptions(verifyChecksums: !noVerifyChecksums))
            Output.write(r.jsonLine + "\n")
        } catch {
            throw Output.fail(file, error)
        }
    }
}
