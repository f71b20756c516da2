// End to end: open a Parquet file and decode every column chunk (values and levels) on one thread, as
// `floe bench read --jobs 1` does. Default input is the parquet-testing vector alltypes_tiny_pages_plain.parquet
// (800 KB, many small pages); FLOE_BENCH_PARQUET=/path/to/file.parquet measures another file.
//
// The scaling factor is `.one`: throughput is files per second; the setup hook prints the values per file, so
// values/s = throughput x values.

import Benchmark
import Parquet

/// Repo root: this file is <repo>/Benchmarks/Benchmarks/FileRead/FileRead.swift.
let repoRoot: String = {
    var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(4)
    return parts.joined(separator: "/")
}()

let defaultFiles = [
    "alltypes_tiny_pages_plain.parquet",
    "lz4_raw_compressed_larger.parquet",
].map { "\(repoRoot)/Tests/ParquetTests/TestVectors/parquet-testing/data/\($0)" }

let benchmarks: @Sendable () -> Void = {
    let config = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 2,
        scalingFactor: .one,
        maxDuration: .seconds(2),
        maxIterations: 1_000
    )
    let env = getenv("FLOE_BENCH_PARQUET").map { String(cString: $0) }
    let files = env.map { [$0] } ?? defaultFiles
    for path in files {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        Benchmark("decodeAll \(name) (jobs 1)", configuration: config, closure: { _ in
            let values = try ReadBenchmark.decodeAll(ParquetFile(path: path), jobs: 1)
            blackHole(values)
        }, setup: {
            let file = try ParquetFile(path: path)
            let values = try ReadBenchmark.decodeAll(file, jobs: 1)
            var st = stat()
            let size = stat(path, &st) == 0 ? Int(st.st_size) : -1
            print("\(name): \(size) bytes, \(file.numRows) rows, \(values) values+levels per file")
        })
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
