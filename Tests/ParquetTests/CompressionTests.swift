import Testing
import CCodecs
@testable import Parquet

@Suite struct CompressionTests {
    static let codecs: [CompressionCodec] = [.uncompressed, .snappy, .gzip, .zstd, .brotli, .lz4Raw, .lz4]

    static func samples() -> [[UInt8]] {
        var rng = SplitMix64(seed: 77)
        let random = (0..<100_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let repetitive = (0..<200_000).map { UInt8(($0 / 100) % 7) }
        let text = Array(String(repeating: "parquet columnar floe ", count: 3000).utf8)
        return [[], [42], random, repetitive, text]
    }

    @Test(arguments: codecs)
    func roundTrip(codec: CompressionCodec) throws {
        var compressed: [UInt8] = [9, 9, 9]  // replaced, not appended to
        var out: [UInt8] = Array(repeating: 7, count: 500_000)  // longer than needed: must be trimmed
        for data in Self.samples() {
            try Compression.compress(codec, input: data, into: &compressed)
            try Compression.decompress(codec, input: compressed, uncompressedSize: data.count, into: &out)
            #expect(out == data, "\(codec) size \(data.count)")
            if data.count > 1000 && codec != .uncompressed {
                // wrong declared size must fail
                #expect(throws: ParquetError.self) {
                    try Compression.decompress(codec, input: compressed, uncompressedSize: data.count - 1, into: &out)
                }
                #expect(throws: ParquetError.self) {
                    try Compression.decompress(codec, input: compressed, uncompressedSize: data.count + 1, into: &out)
                }
                // truncated input must fail
                #expect(throws: ParquetError.self) {
                    try Compression.decompress(codec, input: Array(compressed.prefix(compressed.count / 2)),
                                               uncompressedSize: data.count, into: &out)
                }
            }
        }
    }

    @Test func levels() throws {
        let data = Array(String(repeating: "abcdefgh", count: 5000).utf8)
        var a: [UInt8] = [], b: [UInt8] = []
        try Compression.compress(.gzip, input: data, level: 1, into: &a)
        try Compression.compress(.gzip, input: data, level: 9, into: &b)
        var out: [UInt8] = []
        try Compression.decompress(.gzip, input: b, uncompressedSize: data.count, into: &out)
        #expect(out == data)
        try Compression.compress(.zstd, input: data, level: 19, into: &a)
        try Compression.decompress(.zstd, input: a, uncompressedSize: data.count, into: &out)
        #expect(out == data)
        try Compression.compress(.brotli, input: data, level: 11, into: &a)
        try Compression.decompress(.brotli, input: a, uncompressedSize: data.count, into: &out)
        #expect(out == data)
    }

    @Test func gzipIsGzipAndConcatenatedMembers() throws {
        let p1 = Array("first member;".utf8), p2 = Array(String(repeating: "second member ", count: 100).utf8)
        var c1: [UInt8] = [], c2: [UInt8] = []
        try Compression.compress(.gzip, input: p1, into: &c1)
        try Compression.compress(.gzip, input: p2, into: &c2)
        #expect(c1[0] == 0x1F && c1[1] == 0x8B)  // RFC 1952 magic
        var out: [UInt8] = []
        try Compression.decompress(.gzip, input: c1 + c2, uncompressedSize: p1.count + p2.count, into: &out)
        #expect(out == p1 + p2)
        // only the first member's size → the second one overflows the declared size
        #expect(throws: ParquetError.self) {
            try Compression.decompress(.gzip, input: c1 + c2, uncompressedSize: p1.count, into: &out)
        }
        // garbage after a member
        #expect(throws: ParquetError.self) {
            try Compression.decompress(.gzip, input: c1 + [1, 2, 3], uncompressedSize: p1.count, into: &out)
        }
    }

    @Test func lz4HadoopMultipleFrames() throws {
        let parts = [Array(String(repeating: "hadoop ", count: 300).utf8), Array("x".utf8), Array(repeating: UInt8(3), count: 5000)]
        var framed: [UInt8] = []
        for p in parts {
            var block: [UInt8] = []
            try Compression.compress(.lz4Raw, input: p, into: &block)
            withUnsafeBytes(of: UInt32(p.count).bigEndian) { framed += $0 }
            withUnsafeBytes(of: UInt32(block.count).bigEndian) { framed += $0 }
            framed += block
        }
        let all = parts.flatMap { $0 }
        var out: [UInt8] = []
        try Compression.decompress(.lz4, input: framed, uncompressedSize: all.count, into: &out)
        #expect(out == all)
    }

    @Test func lz4FallbackToFrameAndRawBlock() throws {
        let data = Array(String(repeating: "fallback to raw lz4 ", count: 500).utf8)
        // raw block (old parquet-cpp wrote LZ4 pages this way)
        var raw: [UInt8] = []
        try Compression.compress(.lz4Raw, input: data, into: &raw)
        var out: [UInt8] = []
        try Compression.decompress(.lz4, input: raw, uncompressedSize: data.count, into: &out)
        #expect(out == data)
        // LZ4 frame format
        let bound = LZ4F_compressFrameBound(data.count, nil)
        var frame = [UInt8](repeating: 0, count: bound)
        let n = data.withUnsafeBytes { src in
            frame.withUnsafeMutableBytes { LZ4F_compressFrame($0.baseAddress, bound, src.baseAddress, data.count, nil) }
        }
        #expect(LZ4F_isError(n) == 0)
        frame.removeSubrange(n...)
        try Compression.decompress(.lz4, input: frame, uncompressedSize: data.count, into: &out)
        #expect(out == data)
        #expect(throws: ParquetError.self) {
            try Compression.decompress(.lz4, input: [1, 2, 3, 4, 5, 6, 7, 8, 9], uncompressedSize: 100, into: &out)
        }
    }

    @Test func unsupportedAndLimits() throws {
        var out: [UInt8] = []
        #expect(throws: ParquetError.unsupported("LZO compression is not supported")) {
            try Compression.decompress(.lzo, input: [1, 2], uncompressedSize: 2, into: &out)
        }
        #expect(throws: ParquetError.unsupported("LZO compression is not supported")) {
            try Compression.compress(.lzo, input: [1, 2], into: &out)
        }
        #expect(throws: ParquetError.self) {
            try Compression.decompress(.unknown(99), input: [1], uncompressedSize: 1, into: &out)
        }
        // forged sizes are rejected before allocation
        #expect(throws: ParquetError.self) {
            try Compression.decompress(.zstd, input: [1, 2, 3], uncompressedSize: Int.max, into: &out)
        }
        #expect(throws: ParquetError.self) {
            try Compression.decompress(.gzip, input: [1, 2, 3], uncompressedSize: 10_000, into: &out, maxSize: 1000)
        }
        #expect(throws: ParquetError.self) {
            try Compression.decompress(.snappy, input: [0xFF, 0xFF, 0xFF, 0xFF, 0x0F], uncompressedSize: 1 << 29, into: &out)
        }
        #expect(throws: ParquetError.self) {
            try Compression.decompress(.uncompressed, input: [1, 2, 3], uncompressedSize: 4, into: &out)
        }
        #expect(throws: ParquetError.self) {
            try Compression.decompress(.snappy, input: [1, 2, 3], uncompressedSize: -1, into: &out)
        }
        // zstd frame declaring more than the page header
        var z: [UInt8] = []
        try Compression.compress(.zstd, input: [UInt8](repeating: 1, count: 10_000), into: &z)
        #expect(throws: ParquetError.self) { try Compression.decompress(.zstd, input: z, uncompressedSize: 100, into: &out) }
        // garbage
        for codec in [CompressionCodec.snappy, .gzip, .zstd, .brotli, .lz4Raw, .lz4] {
            #expect(throws: ParquetError.self) {
                try Compression.decompress(codec, input: [0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, 0x05], uncompressedSize: 64, into: &out)
            }
        }
    }

    @Test func crc() {
        let check = Array("123456789".utf8)
        #expect(check.withUnsafeBytes { crc32($0) } == 0xCBF4_3926)
        #expect([UInt8]().withUnsafeBytes { crc32($0) } == 0)
        let part1 = check.withUnsafeBytes { Compression.crc32(UnsafeRawBufferPointer(rebasing: $0[0..<4])) }
        let whole = check.withUnsafeBytes { Compression.crc32(UnsafeRawBufferPointer(rebasing: $0[4...]), seed: part1) }
        #expect(whole == 0xCBF4_3926)
    }
}
