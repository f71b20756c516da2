import ArgumentParser
import ObjectStore
import Parquet

struct BenchWrite: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write",
        abstract: "Read a Parquet file's columns and write them with snappy; time the writer (reading excluded).")

    @Argument(help: "The Parquet file to read (a path or s3://bucket/key).") var input: String
    @Argument(help: "The Parquet file to write (a path or s3://bucket/key: a streaming multipart upload).") var output: String
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
        let target = try Storage.location(output)
        _ = try Storage.location(input)
        do {
            let file = try Storage.openParquet(input)
            let r: ParquetRewrite.Result
            if case .local(let path) = target {
                r = try ParquetRewrite.rewrite(file: file, output: path, options: opts)
            } else {
                let sink = try Storage.objectSink(output)!
                do {
                    r = try ParquetRewrite.rewrite(file: file, sink: sink, options: opts)
                } catch let e as ObjectStoreError {
                    throw Output.fail(output, e)
                }
            }
            Output.write(r.jsonLine + "\n")
        } catch let e as FloeExit {
            throw e
        } catch {
            throw Output.fail(input, error)
        }
    }
}
