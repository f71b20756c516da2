// Page decompression throughput of every codec in module Parquet.
//
// Each iteration decompresses one page of exactly 1,000,000 bytes (~1 MiB) of realistic column data, and the
// scaling factor is `.mega`, so the scaled throughput column (`*`, in M) reads as MB/s of uncompressed output on
// one core. Pages are compressed in the setup hook (not timed) with each codec's default level; the output buffer
// is reused across iterations.

import Benchmark
import BenchSupport
import Parquet

/// Uncompressed page size.
let pageSize = 1_000_000

/// What a page of an events file holds: half a PLAIN BYTE_ARRAY page of short strings (ids, tags, free text),
/// half a PLAIN INT64 page of microsecond timestamps. Compresses about 2-4x, like real pages.
func realisticPage() -> [UInt8] {
    var rng = SplitMix64(seed: 42)
    var page: [UInt8] = []
    page.reserveCapacity(pageSize + 64)
    while page.count < pageSize / 2 {
        var s = words[rng.below(words.count)]
        for _ in 0..<rng.below(4) { s += " " + words[rng.below(words.count)] }
        if rng.chance(0.5) { s += " u" + String(rng.next() % 100_000_000) }
        let bytes = Array(s.utf8)
        withUnsafeBytes(of: UInt32(bytes.count).littleEndian) { page.append(contentsOf: $0) }
        page.append(contentsOf: bytes)
    }
    var t: Int64 = 1_700_000_000_000_000
    while page.count < pageSize {
        t += Int64(rng.below(2_000_000))
        withUnsafeBytes(of: t.littleEndian) { page.append(contentsOf: $0) }
    }
    page.removeLast(page.count - pageSize)
    return page
}

final class State: @unchecked Sendable {
    let codec: CompressionCodec
    var compressed: [UInt8] = []
    var output: [UInt8] = []
    init(_ codec: CompressionCodec) { self.codec = codec }
    func prepare() throws {
        let page = realisticPage()
        try Compression.compress(codec, input: page, into: &compressed)
        try Compression.decompress(codec, input: compressed, uncompressedSize: pageSize, into: &output)
        precondition(output == page, "\(codec) round trip differs")
    }
    func release() {
        compressed = []
        output = []
    }
}

let benchmarks: @Sendable () -> Void = {
    let config = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 3,
        scalingFactor: .mega,
        maxDuration: .seconds(2),
        maxIterations: 1_000
    )
    let codecs: [CompressionCodec] = [.snappy, .gzip, .zstd, .brotli, .lz4, .lz4Raw]
    for codec in codecs {
        let state = State(codec)
        let label = codec == .lz4 ? "LZ4 (hadoop)" : codec.description
        Benchmark("\(label) decompress 1 MB page", configuration: config, closure: { _ in
            try Compression.decompress(state.codec, input: state.compressed, uncompressedSize: pageSize,
                                       into: &state.output)
            blackHole(state.output)
        }, setup: {
            try state.prepare()
            let ratio = Double(pageSize) / Double(max(1, state.compressed.count))
            print("\(label): \(state.compressed.count) bytes compressed, ratio \((ratio * 100).rounded() / 100)")
        }, teardown: { state.release() })
    }
}
