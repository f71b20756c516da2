// XXH64 (seed 0 as Parquet uses it) and the split-block Bloom filter of BloomFilter.md.

/// xxHash64 (https://github.com/Cyan4973/xxHash, XXH64), implemented from the specification.
public enum XXH64 {
    static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    static let p3: UInt64 = 0x1656_67B1_9E37_79F9
    static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63
    static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

    @inline(__always) static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

    @inline(__always) static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        var a = acc &+ input &* p2
        a = rotl(a, 31)
        return a &* p1
    }

    @inline(__always) static func merge(_ acc: UInt64, _ val: UInt64) -> UInt64 {
        var a = acc ^ round(0, val)
        a = a &* p1 &+ p4
        return a
    }

    /// The 64-bit hash of `data` with `seed`.
    public static func hash(_ data: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        let n = data.count
        guard let p = data.baseAddress, n > 0 else { return finish(seed &+ p5, p: nil, n: 0, from: 0) }
        var h: UInt64
        var i = 0
        if n >= 32 {
            var v1 = seed &+ p1 &+ p2, v2 = seed &+ p2, v3 = seed, v4 = seed &- p1
            while i + 32 <= n {
                v1 = round(v1, loadLE64(p, i)); v2 = round(v2, loadLE64(p, i + 8))
                v3 = round(v3, loadLE64(p, i + 16)); v4 = round(v4, loadLE64(p, i + 24))
                i += 32
            }
            h = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
            h = merge(h, v1); h = merge(h, v2); h = merge(h, v3); h = merge(h, v4)
        } else {
            h = seed &+ p5
        }
        h = h &+ UInt64(n)
        return finish(h, p: p, n: n, from: i)
    }

    @inline(__always) static func finish(_ hIn: UInt64, p: UnsafeRawPointer?, n: Int, from: Int) -> UInt64 {
        var h = hIn
        var i = from
        if let p {
            while i + 8 <= n {
                h ^= round(0, loadLE64(p, i))
                h = rotl(h, 27) &* p1 &+ p4
                i += 8
            }
            if i + 4 <= n {
                h ^= UInt64(loadLE32(p, i)) &* p1
                h = rotl(h, 23) &* p2 &+ p3
                i += 4
            }
            while i < n {
                h ^= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) &* p5
                h = rotl(h, 11) &* p1
                i += 1
            }
        }
        h ^= h >> 33
        h = h &* p2
        h ^= h >> 29
        h = h &* p3
        h ^= h >> 32
        return h
    }

    /// xxHash64 of `bytes` with `seed` (the Bloom filter hash uses seed 0).
    public static func hash(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBytes { hash($0, seed: seed) }
    }

    /// Hash of a fixed-width value's little-endian bytes (INT32, INT64, FLOAT, DOUBLE as PLAIN-encoded).
    @inline(__always)
    public static func hash<T: FixedWidthInteger>(littleEndian v: T) -> UInt64 {
        withUnsafeBytes(of: v.littleEndian) { hash($0) }
    }
}

/// A split-block Bloom filter (BloomFilter.md): blocks of eight 32-bit words, xxHash64 of the PLAIN encoding.
public struct SplitBlockBloomFilter: Sendable, Equatable {
    /// Smallest bitset: one 32-byte block.
    public static let minBytes = 32
    /// Largest bitset written: 128 MiB.
    public static let maxBytes = 128 * 1024 * 1024
    static let salt: [UInt32] = [0x47b6_137b, 0x4497_4d91, 0x8824_ad5b, 0xa2b7_289d,
                                 0x7054_95c7, 0x2df1_424b, 0x9efc_4947, 0x5c6b_fb31]

    /// The bitset (little-endian words), `numBytes` long.
    public private(set) var words: [UInt32]

    /// Size of the bitset in bytes.
    public var numBytes: Int { words.count * 4 }

    /// An empty filter of `numBytes` rounded up to a power of two between ``minBytes`` and ``maxBytes``.
    public init(numBytes: Int) {
        let n = Self.roundedSize(numBytes)
        words = [UInt32](repeating: 0, count: n / 4)
    }

    /// Reads a bitset as stored in a file (after the header).
    public init(bitset: [UInt8]) {
        var w = [UInt32](repeating: 0, count: bitset.count / 4)
        for i in w.indices {
            w[i] = UInt32(bitset[4 * i]) | UInt32(bitset[4 * i + 1]) << 8 | UInt32(bitset[4 * i + 2]) << 16
                | UInt32(bitset[4 * i + 3]) << 24
        }
        words = w
    }

    /// A power of two between 32 bytes and 128 MiB, at least `n` (or the maximum).
    public static func roundedSize(_ n: Int) -> Int {
        var s = minBytes
        while s < n && s < maxBytes { s <<= 1 }
        return s
    }

    /// Optimal bitset size in bytes for `ndv` distinct values at false-positive probability `fpp`
    /// (m = -8·ndv / ln(1 - fpp^(1/8)) bits), rounded up to a power of two in 32 B ... 128 MiB.
    public static func optimalNumBytes(ndv: Int, fpp: Double) -> Int {
        let p = Swift.min(Swift.max(fpp, 1e-12), 0.999999)
        let bits = -8.0 * Double(Swift.max(ndv, 1)) / _log(1.0 - _pow(p, 1.0 / 8.0))
        let bytes = bits / 8.0
        if !(bytes < Double(maxBytes)) { return maxBytes }
        return roundedSize(Int(bytes.rounded(.up)))
    }

    @inline(__always) var blockCount: Int { words.count / 8 }

    @inline(__always) static func mask(_ key: UInt32, _ i: Int) -> UInt32 {
        1 << ((key &* salt[i]) >> 27)
    }

    /// Adds a value by its xxHash64 (sets one bit in each of the eight words of one block).
    public mutating func insert(hash h: UInt64) {
        let block = Int(((h >> 32) &* UInt64(blockCount)) >> 32)
        let key = UInt32(truncatingIfNeeded: h)
        words.withUnsafeMutableBufferPointer { w in
            for i in 0..<8 { w[block * 8 + i] |= Self.mask(key, i) }
        }
    }

    /// Whether a value with this hash may be in the set: `false` is certain, `true` may be a false positive.
    public func check(hash h: UInt64) -> Bool {
        let block = Int(((h >> 32) &* UInt64(blockCount)) >> 32)
        let key = UInt32(truncatingIfNeeded: h)
        for i in 0..<8 where words[block * 8 + i] & Self.mask(key, i) == 0 { return false }
        return true
    }

    /// The bitset bytes as stored (little-endian words).
    public func bitsetBytes() -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(numBytes)
        for w in words { withUnsafeBytes(of: w.littleEndian) { out.append(contentsOf: $0) } }
        return out
    }

    /// Header + bitset, ready to be written to a file.
    public func serialized() -> [UInt8] {
        var out = BloomFilterHeader(numBytes: Int32(numBytes)).serialize()
        out.append(contentsOf: bitsetBytes())
        return out
    }
}

// Foundation-free log/pow (Glibc).
#if canImport(Glibc)
import Glibc
@inline(__always) func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) func _pow(_ x: Double, _ y: Double) -> Double { Glibc.pow(x, y) }
#elseif canImport(Darwin)
import Darwin
@inline(__always) func _log(_ x: Double) -> Double { Darwin.log(x) }
@inline(__always) func _pow(_ x: Double, _ y: Double) -> Double { Darwin.pow(x, y) }
#endif
