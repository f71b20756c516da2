import Testing
import CCodecs
@testable import Parquet

/// SnappyEncoder output checked two ways: libsnappy's `snappy_uncompress` must give back the input, and a strict
/// walk over the elements (below) must find only literal / copy-1 / copy-2 elements with offsets inside the output
/// produced so far and below 65536.
@Suite struct SnappyEncoderTests {
    /// Compresses with the pointer API into a buffer of exactly `maxCompressedLength` bytes, checks the result and
    /// returns the compressed bytes.
    @discardableResult
    static func roundTrip(_ data: [UInt8], _ note: String = "", sourceLocation: SourceLocation = #_sourceLocation) -> [UInt8] {
        let bound = SnappyEncoder.maxCompressedLength(data.count)
        var compressed = [UInt8](repeating: 0, count: bound)
        let used = data.withUnsafeBytes { inp in
            compressed.withUnsafeMutableBytes { SnappyEncoder.compress(inp, into: $0.baseAddress!) }
        }
        #expect(used <= bound, "\(note): wrote \(used) > bound \(bound)", sourceLocation: sourceLocation)
        compressed.removeSubrange(used...)
        #expect(libsnappyDecode(compressed) == data, "\(note): libsnappy round trip, size \(data.count)",
                sourceLocation: sourceLocation)
        let walk = strictWalk(compressed)
        #expect(walk.error == nil, "\(note): \(walk.error ?? "")", sourceLocation: sourceLocation)
        #expect(walk.output == data, "\(note): strict walk differs, size \(data.count)", sourceLocation: sourceLocation)
        #expect(SnappyEncoder.compress(data) == compressed, "\(note): array API differs", sourceLocation: sourceLocation)
        return compressed
    }

    static func libsnappyDecode(_ c: [UInt8]) -> [UInt8]? {
        c.withUnsafeBytes { src -> [UInt8]? in
            let p = src.baseAddress!.assumingMemoryBound(to: CChar.self)
            var len = 0
            guard snappy_uncompressed_length(p, src.count, &len) == SNAPPY_OK else { return nil }
            var out = [UInt8](repeating: 0, count: max(len, 1))
            var outLen = len
            let st = out.withUnsafeMutableBytes {
                snappy_uncompress(p, src.count, $0.baseAddress!.assumingMemoryBound(to: CChar.self), &outLen)
            }
            guard st == SNAPPY_OK, outLen == len else { return nil }
            return Array(out.prefix(len))
        }
    }

    static func libsnappyCompressedSize(_ data: [UInt8]) -> Int {
        var len = snappy_max_compressed_length(data.count)
        var out = [CChar](repeating: 0, count: len)
        let st = data.withUnsafeBytes { inp in
            snappy_compress(inp.baseAddress!.assumingMemoryBound(to: CChar.self), data.count, &out, &len)
        }
        precondition(st == SNAPPY_OK)
        return len
    }

    /// Decodes element by element, rejecting copy-4, zero or too-far offsets, truncation and length mismatches.
    static func strictWalk(_ c: [UInt8]) -> (output: [UInt8], error: String?) {
        var i = 0
        var n = 0
        var shift = 0
        while true {
            guard i < c.count, shift < 64 else { return ([], "bad preamble") }
            let b = Int(c[i]); i += 1
            n |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80 { break }
        }
        var out: [UInt8] = []
        out.reserveCapacity(n)
        while i < c.count {
            let tag = Int(c[i]); i += 1
            switch tag & 3 {
            case 0:
                var len = (tag >> 2) + 1
                if len > 60 {
                    let k = len - 60
                    guard i + k <= c.count else { return (out, "truncated literal length") }
                    len = 0
                    for j in 0..<k { len |= Int(c[i + j]) << (8 * j) }
                    len += 1
                    i += k
                    if len <= 60 { return (out, "literal length \(len) in the long form") }
                }
                guard i + len <= c.count else { return (out, "truncated literal") }
                out.append(contentsOf: c[i..<(i + len)])
                i += len
            case 1:
                guard i < c.count else { return (out, "truncated copy-1") }
                let len = ((tag >> 2) & 7) + 4
                let off = ((tag >> 5) << 8) | Int(c[i]); i += 1
                guard off >= 1, off <= out.count else { return (out, "copy-1 offset \(off) at output \(out.count)") }
                for _ in 0..<len { out.append(out[out.count - off]) }
            case 2:
                guard i + 2 <= c.count else { return (out, "truncated copy-2") }
                let len = (tag >> 2) + 1
                let off = Int(c[i]) | Int(c[i + 1]) << 8; i += 2
                guard off >= 1, off <= out.count else { return (out, "copy-2 offset \(off) at output \(out.count)") }
                for _ in 0..<len { out.append(out[out.count - off]) }
            default:
                return (out, "copy-4 element")
            }
            if out.count > n { return (out, "output longer than the preamble's \(n)") }
        }
        if out.count != n { return (out, "output \(out.count) bytes, preamble says \(n)") }
        return (out, nil)
    }

    static func randomBytes(_ n: Int, _ rng: inout SplitMix64) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: n)
        var i = 0
        while i < n {
            var v = rng.next()
            for _ in 0..<8 where i < n {
                out[i] = UInt8(truncatingIfNeeded: v)
                v >>= 8
                i += 1
            }
        }
        return out
    }

    @Test func smallAndBoundarySizes() {
        var rng = SplitMix64(seed: 1)
        let sizes = [0, 1, 2, 3, 4, 5, 15, 16, 17, 18, 31, 32, 33, 100, 65_535, 65_536, 65_537]
        for n in sizes {
            Self.roundTrip(Self.randomBytes(n, &rng), "random \(n)")
            Self.roundTrip([UInt8](repeating: 0x61, count: n), "run \(n)")
            Self.roundTrip((0..<n).map { UInt8(truncatingIfNeeded: $0 % 7) }, "period 7, \(n)")
        }
        #expect(Self.roundTrip([]) == [0])
        #expect(Self.roundTrip([42]) == [1, 0, 42])
    }

    @Test func longRunsAndSeveralFragments() {
        // offset-1 overlapping copies, split into 64-byte pieces; a run that crosses several 64 KiB fragments
        let run = Self.roundTrip([UInt8](repeating: 7, count: 200_000), "run")
        #expect(run.count < 200_000 / 64 * 3 + 64)
        var rng = SplitMix64(seed: 2)
        var mixed: [UInt8] = []
        for k in 0..<6 {  // alternate incompressible and compressible 40 KiB stretches
            mixed += k % 2 == 0 ? Self.randomBytes(40_000, &rng) : (0..<40_000).map { UInt8($0 % 251) }
        }
        Self.roundTrip(mixed, "fragments")
    }

    @Test(arguments: [1, 2, 3, 4, 5, 8, 11, 12, 63, 64, 65, 2_047, 2_048, 2_049, 65_535, 65_536, 65_537])
    func repeatedPattern(period: Int) {
        var rng = SplitMix64(seed: UInt64(period))
        let unit = Self.randomBytes(period, &rng)
        var data: [UInt8] = []
        let total = max(3 * period, 5_000)
        while data.count < total { data += unit }
        data.removeSubrange(total...)
        let c = Self.roundTrip(data, "period \(period)")
        if period <= 65_535 {
            #expect(c.count < period + (total - period) / 16 + 64, "period \(period): \(c.count) bytes")
        }
    }

    @Test func incompressibleStaysSmall() {
        var rng = SplitMix64(seed: 3)
        let data = Self.randomBytes(300_000, &rng)
        let c = Self.roundTrip(data, "random")
        #expect(c.count <= data.count + 10)
    }

    @Test func seededMixtures() {
        var rng = SplitMix64(seed: 4)
        for round in 0..<40 {
            let target = rng.below(rng.chance(0.2) ? 150_000 : 6_000) + 1
            var data: [UInt8] = []
            data.reserveCapacity(target + 300)
            while data.count < target {
                switch rng.below(5) {
                case 0:
                    data += Self.randomBytes(rng.below(40) + 1, &rng)
                case 1:
                    data += [UInt8](repeating: UInt8(rng.below(256)), count: rng.below(300) + 1)
                case 2, 3:
                    if data.isEmpty { continue }
                    let off = rng.chance(0.5) ? rng.below(min(data.count, 2_100)) + 1 : rng.below(min(data.count, 70_000)) + 1
                    let len = rng.below(rng.chance(0.8) ? 20 : 200) + 1
                    for _ in 0..<len { data.append(data[data.count - off]) }
                default:
                    data += Array("value-\(rng.below(1_000))".utf8)
                }
            }
            Self.roundTrip(data, "mixture \(round)")
        }
    }

    @Test func unalignedInputAndAppending() {
        var rng = SplitMix64(seed: 5)
        let text = (0..<3_000).map { _ in rng.pick(["alpha ", "beta ", "gamma ", "delta "]) }.joined()
        let data = [UInt8](repeating: 0, count: 1) + Array(text.utf8)
        let expected = SnappyEncoder.compress(Array(data.dropFirst()))
        var out: [UInt8] = [1, 2, 3]
        data.withUnsafeBytes { SnappyEncoder.compress(UnsafeRawBufferPointer(rebasing: $0.dropFirst()), appendingTo: &out) }
        #expect(out == [1, 2, 3] + expected)
        #expect(Self.libsnappyDecode(Array(out.dropFirst(3))) == Array(data.dropFirst()))
    }

    /// PLAIN pages like Floe writes (BYTE_ARRAY: 4-byte length + bytes; INT32): must not come out larger than libsnappy's.
    @Test func notLargerThanLibsnappyOnPlainPages() {
        var rng = SplitMix64(seed: 6)
        var ids: [UInt8] = []
        var id: UInt64 = 1_712_345_678_901_234_567
        for _ in 0..<8_000 {
            id &+= UInt64(rng.below(1 << 40))
            let s = Array(String(id).utf8)
            ids += [UInt8(s.count), 0, 0, 0] + s
        }
        let words = ["the", "parquet", "page", "snappy", "column", "is", "a", "to", "and", "of", "stream", "data",
                     "#swift", "@floe", "https://t.co/", "just", "shipped", "new", "release", "today", "!", "lol"]
        var tweets: [UInt8] = []
        for _ in 0..<3_000 {
            let t = (0..<(rng.below(20) + 5)).map { _ in rng.pick(words) }.joined(separator: " ")
            let s = Array(t.utf8)
            tweets += [UInt8(truncatingIfNeeded: s.count), UInt8(s.count >> 8), 0, 0] + s
        }
        var counts: [UInt8] = []  // PLAIN INT32 of small counts, mostly 0 (long zero runs between short values)
        for _ in 0..<20_000 {
            let v = rng.chance(0.6) ? 0 : rng.chance(0.7) ? rng.below(10) : rng.below(5_000)
            counts += [UInt8(truncatingIfNeeded: v), UInt8(truncatingIfNeeded: v >> 8), 0, 0]
        }
        for (name, page) in [("ids", ids), ("tweets", tweets), ("int32 counts", counts)] {
            let mine = Self.roundTrip(page, name).count
            let lib = Self.libsnappyCompressedSize(page)
            #expect(mine <= lib, "\(name): \(mine) bytes, libsnappy \(lib)")
        }
    }
}
