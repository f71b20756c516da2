import ArgumentParser
import Parquet

struct BenchWrite: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write",
        abstract: "Read a Parquet file's columns and write them with snappy; time the writer (reading excluded).")

    @Argument(help: "The Parquet file to read.") var input: String
    @Argument(help: "The Parquet file to write.") var output: String
    @Option(name: .long, help: "Codec (default snappy).") var compression: String = "snappy"
    @Option(name: .long, parsing: .unconditional, help: "Writer threads (default: all cores; at most 4 x cores).") var jobs: Int?

    func run() throws {
        MallocTuning.mapLargeBlocks()
        guard let codec = WriterFlags.codec(compression) else {
            Output.diagnostic("floe: unknown --compression '\(compression)'")
            throw FloeExit.usageError
        }
        var opts = WriterOptions(compression: codec)
        opts.createdBy = FloeInfo.createdBy
        opts.threads = try FlagRange.workers(jobs, "--jobs")
        do {
            let r = try ParquetRewrite.rewrite(input: input, output: output, options: opts)
            Output.write(r.jsonLine + "\n")
        } catch {
            throw Output.fail(input, error)
        }
    }
}
