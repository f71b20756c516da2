// Decoding throughput of every Parquet encoding in module Parquet.
//
// Every benchmark decodes exactly `scalingFactor` (1,000,000) values per iteration, so the scaled throughput
// column (`*`, in M) reads directly as millions of values per second on one core. Input pages are generated
// deterministically in the setup hook (not timed); output buffers are reused across iterations (capacity kept),
// so `mallocCountTotal` shows what the kernel itself allocates.

import Benchmark
import BenchSupport
import Parquet

// MARK: - deterministic data

/// Values per iteration (= `BenchmarkScalingFactor.mega.rawValue`).
let valueCount = 1_000_000

/// A realistic string: 1–3 words joined by '_' or '/', sometimes a number; 3–40 bytes.
func makeString(_ rng: inout SplitMix64) -> [UInt8] {
    var s = words[rng.below(words.count)]
    for _ in 0..<rng.below(3) { s += (rng.chance(0.5) ? "_" : "/") + words[rng.below(words.count)] }
    if rng.chance(0.3) { s += String(rng.below(100_000)) }
    return Array(s.utf8)
}

func makeStrings(_ n: Int, seed: UInt64) -> ByteArrayBuffer {
    var rng = SplitMix64(seed: seed)
    var b = ByteArrayBuffer(reservingValues: n, bytes: n * 24)
    for _ in 0..<n { b.append(contentsOf: makeString(&rng)) }
    return b
}

/// Sorted URL-like strings sharing long prefixes (what DELTA_BYTE_ARRAY is for).
func makeSortedKeys(_ n: Int, seed: UInt64) -> ByteArrayBuffer {
    var rng = SplitMix64(seed: seed)
    var keys: [String] = []
    keys.reserveCapacity(n)
    for _ in 0..<n {
        let host = ["api", "cdn", "www", "img"][rng.below(4)]
        keys.append("https://\(host).example.com/\(words[rng.below(20)])/\(rng.below(10_000))/\(rng.below(1_000_000))")
    }
    keys.sort()
    var b = ByteArrayBuffer(reservingValues: n, bytes: n * 48)
    for k in keys { b.append(contentsOf: k.utf8) }
    return b
}

/// Output buffers are emptied (capacity kept) before each iteration.
protocol Resettable { mutating func reset() }
extension Array: Resettable { mutating func reset() { removeAll(keepingCapacity: true) } }
extension ByteArrayBuffer: Resettable { mutating func reset() { removeAll(keepingCapacity: true) } }
extension FixedBuffer: Resettable { mutating func reset() { bytes.removeAll(keepingCapacity: true) } }

/// Input made in the setup hook, plus an output buffer that lives across iterations (so the measured region
/// neither allocates nor page-faults fresh output memory). Dropped in teardown.
final class State<Input, Output: Resettable>: @unchecked Sendable {
    private let makeInput: () -> Input
    private let makeOutput: (Input) -> Output
    var input: Input!
    var output: Output!
    init(_ makeInput: @escaping () -> Input, _ makeOutput: @escaping (Input) -> Output) {
        self.makeInput = makeInput
        self.makeOutput = makeOutput
    }
    func prepare() {
        let i = makeInput()
        input = i
        output = makeOutput(i)
    }
    func release() {
        input = nil
        output = nil
    }
}

/// One encoded page plus whatever the decoder needs beside it (a dictionary).
struct Page<Extra> {
    var bytes: [UInt8]
    var extra: Extra
}

func encodedPlain<T: BitwiseCopyable>(_ values: [T]) -> [UInt8] {
    var out: [UInt8] = []
    Plain.encode(values, into: &out)
    return out
}

// MARK: - benchmarks

nonisolated(unsafe) let config = Benchmark.Configuration(
    metrics: [.wallClock, .throughput, .mallocCountTotal],
    warmupIterations: 3,
    scalingFactor: .mega,
    maxDuration: .seconds(2),
    maxIterations: 1_000
)

/// Registers `name`: setup makes the input page and an output buffer; each iteration empties the output and
/// decodes the whole page (`valueCount` values) into it.
/// `describe`, if given, prints a line about the decoded data after a check run in setup.
func bench<I, O: Resettable>(_ name: String, input: @escaping () -> I, output: @escaping (I) -> O,
                             describe: ((I, O) -> String)? = nil,
                             decode: @escaping (I, inout O) throws -> Void) {
    let state = State(input, output)
    Benchmark(name, configuration: config, closure: { benchmark in
        state.output.reset()
        try decode(state.input, &state.output!)
        blackHole(state.output)
    }, setup: {
        state.prepare()
        if let describe {
            try decode(state.input, &state.output!)
            print("\(name): \(describe(state.input, state.output))")
        }
    }, teardown: { state.release() })
}

/// Mean value length of gathered strings.
func meanLength<I>(_: I, _ out: DictionaryScratch<ByteArrayBuffer>) -> String {
    let v = out.values
    let mean = Double(v.offsets[v.count] - v.offsets[0]) / Double(max(1, v.count))
    return "\(v.count) values, mean \((mean * 10).rounded() / 10) bytes"
}

/// Same as `bench`, for pages made of bytes alone.
func benchPage<O: Resettable>(_ name: String, input: @escaping () -> [UInt8], output: @escaping ([UInt8]) -> O,
                              decode: @escaping (UnsafeRawBufferPointer, inout O) throws -> Void) {
    bench(name, input: input, output: output) { page, out in
        try page.withUnsafeBytes { try decode($0, &out) }
    }
}

func reserved<T>(_: T.Type, _ n: Int = valueCount) -> [T] {
    var a = [T]()
    a.reserveCapacity(n)
    return a
}

let benchmarks: @Sendable () -> Void = {
    // PLAIN fixed width
    benchPage("PLAIN INT32 decode", input: {
        var rng = SplitMix64(seed: 1)
        return encodedPlain((0..<valueCount).map { _ in Int32(truncatingIfNeeded: rng.next() % 1_000_000) })
    }, output: { _ in reserved(Int32.self) }) { p, out in
        _ = try Plain.decodeInt32(data: p, count: valueCount, into: &out)
    }

    benchPage("PLAIN INT64 decode", input: {
        var rng = SplitMix64(seed: 2)
        var t: Int64 = 1_700_000_000_000_000
        return encodedPlain((0..<valueCount).map { _ in t += Int64(rng.below(5_000_000)); return t })
    }, output: { _ in reserved(Int64.self) }) { p, out in
        _ = try Plain.decodeInt64(data: p, count: valueCount, into: &out)
    }

    benchPage("PLAIN FLOAT decode", input: {
        var rng = SplitMix64(seed: 3)
        return encodedPlain((0..<valueCount).map { _ in Float(rng.below(1_000_000)) / 100 })
    }, output: { _ in reserved(Float.self) }) { p, out in
        _ = try Plain.decodeFloat(data: p, count: valueCount, into: &out)
    }

    benchPage("PLAIN DOUBLE decode", input: {
        var rng = SplitMix64(seed: 4)
        return encodedPlain((0..<valueCount).map { _ in Double(rng.below(100_000_000)) / 1e4 - 5_000 })
    }, output: { _ in reserved(Double.self) }) { p, out in
        _ = try Plain.decodeDouble(data: p, count: valueCount, into: &out)
    }

    benchPage("PLAIN INT96 decode", input: {
        var rng = SplitMix64(seed: 5)
        let values = (0..<valueCount).map { _ in
            Int96(nanosOfDay: rng.next() % 86_400_000_000_000, julianDay: 2_460_000 + UInt32(rng.below(1_000)))
        }
        var out: [UInt8] = []
        Plain.encodeInt96(values, into: &out)
        return out
    }, output: { _ in reserved(Int96.self) }) { p, out in
        _ = try Plain.decodeInt96(data: p, count: valueCount, into: &out)
    }

    benchPage("PLAIN BOOLEAN decode", input: {
        var rng = SplitMix64(seed: 6)
        var out: [UInt8] = []
        Booleans.encodePlain((0..<valueCount).map { _ in rng.chance(0.3) }, into: &out)
        return out
    }, output: { _ in reserved(Bool.self) }) { p, out in
        _ = try Booleans.decodePlain(data: p, count: valueCount, into: &out)
    }

    // PLAIN variable / fixed length bytes
    benchPage("PLAIN BYTE_ARRAY decode", input: {
        var out: [UInt8] = []
        Plain.encodeByteArray(makeStrings(valueCount, seed: 7), into: &out)
        return out
    }, output: { page in ByteArrayBuffer(reservingValues: valueCount, bytes: page.count) }) { p, out in
        _ = try Plain.decodeByteArray(data: p, count: valueCount, into: &out)
    }

    benchPage("PLAIN FIXED_LEN_BYTE_ARRAY(16) decode", input: {
        // 16-byte UUIDs
        var rng = SplitMix64(seed: 8)
        var out: [UInt8] = []
        out.reserveCapacity(valueCount * 16)
        for _ in 0..<(valueCount * 2) { withUnsafeBytes(of: rng.next()) { out.append(contentsOf: $0) } }
        return out
    }, output: { page in
        var b = FixedBuffer(width: 16)
        b.bytes.reserveCapacity(page.count)
        return b
    }) { p, out in
        _ = try Plain.decodeFixedLenByteArray(data: p, count: valueCount, into: &out)
    }

    // RLE / bit-packed hybrid levels (data page v1: 4-byte length prefix)
    benchPage("RLE levels decode (bit width 1, 10% nulls)", input: {
        // optional column, ~10% nulls scattered: mostly bit-packed runs of width 1
        var rng = SplitMix64(seed: 9)
        let levels = (0..<valueCount).map { _ in Int16(rng.chance(0.1) ? 0 : 1) }
        var out: [UInt8] = []
        Levels.encodeLevels(levels, bitWidth: 1, lengthPrefixed: true, into: &out)
        return out
    }, output: { _ in reserved(Int16.self) }) { p, out in
        _ = try Levels.decodeLevels(encoding: .rle, bitWidth: 1, data: p, count: valueCount, into: &out)
    }

    benchPage("RLE levels decode (bit width 2, runs + packed)", input: {
        // definition levels of a nullable list of nullable items: long runs of the max level, short mixed stretches
        var rng = SplitMix64(seed: 10)
        var levels: [Int16] = []
        levels.reserveCapacity(valueCount)
        while levels.count < valueCount {
            let run = min(valueCount - levels.count, rng.chance(0.5) ? 9 + rng.below(200) : 1 + rng.below(8))
            if run > 8 {
                levels.append(contentsOf: repeatElement(3, count: run))
            } else {
                for _ in 0..<run { levels.append(Int16(rng.below(4))) }
            }
        }
        var out: [UInt8] = []
        Levels.encodeLevels(levels, bitWidth: 2, lengthPrefixed: true, into: &out)
        return out
    }, output: { _ in reserved(Int16.self) }) { p, out in
        _ = try Levels.decodeLevels(encoding: .rle, bitWidth: 2, data: p, count: valueCount, into: &out)
    }

    // Dictionary: index decode + gather. Skewed indices: a few hot entries make RLE runs, the rest bit-packed.
    func skewedIndices(_ rng: inout SplitMix64, dictionaryCount: Int) -> [Int32] {
        (0..<valueCount).map { _ in Int32(rng.chance(0.2) ? rng.below(4) : rng.below(dictionaryCount)) }
    }

    bench("RLE_DICTIONARY INT64 decode (indices + gather, 1000 entries)", input: { () -> Page<[Int64]> in
        var rng = SplitMix64(seed: 11)
        let dict = (0..<1_000).map { _ in Int64(bitPattern: rng.next() >> 8) }
        var out: [UInt8] = []
        DictionaryIndices.encode(skewedIndices(&rng, dictionaryCount: dict.count), dictionaryCount: dict.count, into: &out)
        return Page(bytes: out, extra: dict)
    }, output: { _ in DictionaryScratch(values: reserved(Int64.self)) }) { page, out in
        _ = try page.bytes.withUnsafeBytes {
            try DictionaryIndices.decode(data: $0, count: valueCount, into: &out.indices)
        }
        try DictionaryIndices.gather(indices: out.indices, dictionary: page.extra, into: &out.values)
    }

    let stringDictionary = { () -> Page<ByteArrayBuffer> in
        var rng = SplitMix64(seed: 12)
        let dict = makeStrings(1_000, seed: 13)
        var out: [UInt8] = []
        DictionaryIndices.encode(skewedIndices(&rng, dictionaryCount: dict.count), dictionaryCount: dict.count, into: &out)
        return Page(bytes: out, extra: dict)
    }
    bench("RLE_DICTIONARY strings decode (indices + gather, 1000 entries)", input: stringDictionary, output: { _ in
        DictionaryScratch(values: ByteArrayBuffer(reservingValues: valueCount, bytes: valueCount * 32))
    }, describe: meanLength) { page, out in
        _ = try page.bytes.withUnsafeBytes {
            try DictionaryIndices.decode(data: $0, count: valueCount, into: &out.indices)
        }
        try DictionaryIndices.gather(indices: out.indices, dictionary: page.extra, into: &out.values)
    }

    // The same data cut into pages of 20 000 values (the page row limit of arrow's and Floe's writers): each page
    // is decoded into buffers emptied per page, as a page-at-a-time consumer does, so the output stays in cache.
    let pageValues = 20_000
    bench("RLE_DICTIONARY strings decode, 20 000-value pages (indices + gather, 1000 entries)", input: {
        () -> Page<([[UInt8]], ByteArrayBuffer)> in
        var rng = SplitMix64(seed: 12)
        let dict = makeStrings(1_000, seed: 13)
        let all = skewedIndices(&rng, dictionaryCount: dict.count)
        var pages: [[UInt8]] = []
        for start in stride(from: 0, to: valueCount, by: pageValues) {
            var out: [UInt8] = []
            DictionaryIndices.encode(Array(all[start..<min(valueCount, start + pageValues)]),
                                     dictionaryCount: dict.count, into: &out)
            pages.append(out)
        }
        return Page(bytes: [], extra: (pages, dict))
    }, output: { _ in
        DictionaryScratch(values: ByteArrayBuffer(reservingValues: pageValues, bytes: pageValues * 64))
    }) { page, out in
        let (pages, dict) = page.extra
        for (i, p) in pages.enumerated() {
            out.reset()
            let n = min(pageValues, valueCount - i * pageValues)
            _ = try p.withUnsafeBytes { try DictionaryIndices.decode(data: $0, count: n, into: &out.indices) }
            try DictionaryIndices.gather(indices: out.indices, dictionary: dict, into: &out.values)
        }
    }

    bench("RLE_DICTIONARY short strings decode (indices + gather, 1000 entries, ~8 bytes)", input: {
        () -> Page<ByteArrayBuffer> in
        var rng = SplitMix64(seed: 20)
        var dict = ByteArrayBuffer()
        for i in 0..<1_000 { dict.append(contentsOf: "\(words[i % words.count].prefix(6))\(i / words.count)".utf8) }
        var out: [UInt8] = []
        DictionaryIndices.encode(skewedIndices(&rng, dictionaryCount: dict.count), dictionaryCount: dict.count, into: &out)
        return Page(bytes: out, extra: dict)
    }, output: { _ in
        DictionaryScratch(values: ByteArrayBuffer(reservingValues: valueCount, bytes: valueCount * 16))
    }, describe: meanLength) { page, out in
        _ = try page.bytes.withUnsafeBytes {
            try DictionaryIndices.decode(data: $0, count: valueCount, into: &out.indices)
        }
        try DictionaryIndices.gather(indices: out.indices, dictionary: page.extra, into: &out.values)
    }

    bench("RLE_DICTIONARY indices decode only (bit width 10)", input: stringDictionary,
          output: { _ in reserved(Int32.self) }) { page, out in
        _ = try page.bytes.withUnsafeBytes { try DictionaryIndices.decode(data: $0, count: valueCount, into: &out) }
    }

    // DELTA_BINARY_PACKED
    benchPage("DELTA_BINARY_PACKED INT32 decode", input: {
        // drifting counters: deltas of a few bits
        var rng = SplitMix64(seed: 14)
        var v: Int32 = 1_000
        let values = (0..<valueCount).map { _ in v &+= Int32(rng.below(200)) - 90; return v }
        var out: [UInt8] = []
        DeltaBinaryPacked.encode(values, into: &out)
        return out
    }, output: { _ in reserved(Int32.self) }) { p, out in
        _ = try DeltaBinaryPacked.decodeInt32(data: p, maxValues: valueCount, into: &out)
    }

    benchPage("DELTA_BINARY_PACKED INT64 decode", input: {
        // microsecond timestamps ~1 s apart with jitter (late arrivals make some deltas negative)
        var rng = SplitMix64(seed: 15)
        var t: Int64 = 1_700_000_000_000_000
        let values = (0..<valueCount).map { _ in t += Int64(rng.below(2_000_000)) - 100_000; return t }
        var out: [UInt8] = []
        DeltaBinaryPacked.encode(values, into: &out)
        return out
    }, output: { _ in reserved(Int64.self) }) { p, out in
        _ = try DeltaBinaryPacked.decodeInt64(data: p, maxValues: valueCount, into: &out)
    }

    benchPage("DELTA_LENGTH_BYTE_ARRAY decode", input: {
        var out: [UInt8] = []
        DeltaLengthByteArray.encode(makeStrings(valueCount, seed: 16), into: &out)
        return out
    }, output: { page in ByteArrayBuffer(reservingValues: valueCount, bytes: page.count) }) { p, out in
        _ = try DeltaLengthByteArray.decode(data: p, count: valueCount, into: &out)
    }

    benchPage("DELTA_BYTE_ARRAY decode (sorted URLs)", input: {
        var out: [UInt8] = []
        DeltaByteArray.encode(makeSortedKeys(valueCount, seed: 17), into: &out)
        return out
    }, output: { _ in ByteArrayBuffer(reservingValues: valueCount, bytes: valueCount * 64) }) { p, out in
        _ = try DeltaByteArray.decode(data: p, count: valueCount, into: &out)
    }

    // BYTE_STREAM_SPLIT
    benchPage("BYTE_STREAM_SPLIT FLOAT decode", input: {
        var rng = SplitMix64(seed: 18)
        var out: [UInt8] = []
        ByteStreamSplit.encode((0..<valueCount).map { _ in Float(rng.below(1_000_000)) / 1_000 + 20 }, into: &out)
        return out
    }, output: { _ in reserved(Float.self) }) { p, out in
        _ = try ByteStreamSplit.decode(data: p, count: valueCount, into: &out)
    }

    benchPage("BYTE_STREAM_SPLIT DOUBLE decode", input: {
        var rng = SplitMix64(seed: 19)
        var out: [UInt8] = []
        ByteStreamSplit.encode((0..<valueCount).map { _ in Double(rng.below(360_000_000)) / 1e6 - 180 }, into: &out)
        return out
    }, output: { _ in reserved(Double.self) }) { p, out in
        _ = try ByteStreamSplit.decode(data: p, count: valueCount, into: &out)
    }
}

/// Reused buffers for dictionary decoding: the decoded indices and the gathered values.
struct DictionaryScratch<Values: Resettable>: Resettable {
    var indices = reserved(Int32.self)
    var values: Values
    init(values: Values) { self.values = values }
    mutating func reset() {
        indices.reset()
        values.reset()
    }
}
