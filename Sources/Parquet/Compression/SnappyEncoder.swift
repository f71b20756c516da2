// Pure-Swift compressor for the raw Snappy block format (no framing), written from the format description:
//   preamble: uncompressed length as a little-endian base-128 varint;
//   then elements whose tag byte's low two bits select
//     00 literal   — (len-1) in the upper 6 bits if < 60, else 60…63 = 1…4 little-endian bytes of (len-1) follow;
//     01 copy-1    — len 4…11 as (len-4) in bits 2…4, offset bits 8…10 in bits 5…7, then the offset's low byte;
//     10 copy-2    — (len-1) in the upper 6 bits (len 1…64), then a 2-byte little-endian offset;
//     11 copy-4    — as copy-2 with a 4-byte offset (never emitted here).
//
// Unlike libsnappy, which compresses 64 KiB fragments independently, this encoder slides one 64 KiB window over
// the whole input: a match may reach back into the previous "fragment" as long as its offset fits copy-2
// (1…65535). Decoders resolve copies against everything decoded so far, so the output is plain Snappy.
//
// Match finding: a table of 16-bit positions indexed by a multiplicative hash of 4 bytes (2^15 entries for inputs
// above 16 KiB, smaller for smaller inputs). Positions are stored modulo 2^16 and turned back into a distance with
// `(pos - stored) & 0xFFFF`, so stale entries alias to some position inside the window and are simply rejected by
// the byte comparison (no per-fragment reset needed). Matches are extended backwards over the pending literal bytes
// and forwards 8 bytes at a time; after a copy the positions ip-2 and ip-1 before its end are inserted and ip itself
// is tried at once. While no match turns up, the distance between lookups grows (1 byte for the first 32 misses,
// then by 1/32 per lookup, at most 512 bytes), so incompressible input is skipped quickly; after a match the grown
// distance decays to 1/8 instead of restarting at 1, so barely compressible data (doubles, hashes) does not get
// rescanned byte by byte after every short accidental match.

/// Floe's own Snappy block compressor (format-compatible with the snappy library, faster on Parquet pages); the
/// system library decompresses.
public enum SnappyEncoder {
    /// Upper bound on the compressed size of `n` input bytes (the output buffer must have at least this much room).
    public static func maxCompressedLength(_ n: Int) -> Int { 32 + n + n / 6 }

    /// Compresses `input` into `output` (at least `maxCompressedLength(input.count)` writable bytes) and returns the
    /// number of bytes written. The format limits the input to 2^32 - 1 bytes.
    public static func compress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawPointer) -> Int {
        let n = input.baseAddress == nil ? 0 : input.count
        precondition(n <= Int(UInt32.max), "Snappy input larger than 4 GiB")
        var op = output
        var v = UInt(n)
        while v >= 0x80 {
            op.storeBytes(of: UInt8(truncatingIfNeeded: v) | 0x80, as: UInt8.self)
            op += 1
            v >>= 7
        }
        op.storeBytes(of: UInt8(v), as: UInt8.self)
        op += 1
        guard n > 0, let base = input.baseAddress else { return op - output }
        if n < minInputForMatching {
            op = emitLiteralTail(op, base, n)
            return op - output
        }
        var bits = 8
        while bits < maxTableBits && (1 << bits) < n { bits += 1 }
        let table = UnsafeMutablePointer<UInt16>.allocate(capacity: 1 << bits)
        table.initialize(repeating: 0, count: 1 << bits)
        defer { table.deallocate() }
        op = compressBody(base, n, op, table, UInt32(32 - bits))
        return op - output
    }

    /// Appends the compressed form of `input` to `out` (no zero-filling of the reserved room).
    public static func compress(_ input: UnsafeRawBufferPointer, appendingTo out: inout [UInt8]) {
        _ = out.appendWithPointer(count: maxCompressedLength(input.count), zero: 0) { p in
            compress(input, into: UnsafeMutableRawPointer(p))
        }
    }

    /// Convenience: the compressed form of `input` as a new array.
    public static func compress(_ input: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        input.withUnsafeBytes { compress($0, appendingTo: &out) }
        return out
    }

    // MARK: - Internals

    static let maxTableBits = 15
    /// Inputs shorter than this are emitted as one literal (the main loop needs 15 bytes of look-ahead).
    static let minInputForMatching = 16
    /// The main loop stops looking for matches this many bytes before the end (8-byte loads stay in bounds).
    static let inputMargin = 15
    /// Cap of the lookup-distance counter: at most 512 bytes between lookups (`maxSkip >> 5`) in incompressible data.
    static let maxSkip = 512 << 5

    @inline(__always) static func load32(_ p: UnsafeRawPointer) -> UInt32 {
        UInt32(littleEndian: p.loadUnaligned(as: UInt32.self))
    }

    @inline(__always) static func load64(_ p: UnsafeRawPointer) -> UInt64 {
        UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
    }

    @inline(__always) static func hash(_ v: UInt32, _ shift: UInt32) -> Int {
        Int(truncatingIfNeeded: (v &* 0x9E37_79B1) &>> shift)
    }

    @inline(__always) static func store8(_ op: UnsafeMutableRawPointer, _ b: UInt32) {
        op.storeBytes(of: UInt8(truncatingIfNeeded: b), as: UInt8.self)
    }

    /// Number of equal bytes at `s` and `c` (c < s), stopping at `end`. When the first difference lies at least
    /// `inputMargin` bytes before `end` (the only case in which the caller goes on), `next` receives the 4 bytes
    /// starting there, taken from the words already loaded so the caller's next hash does not wait for another
    /// load; otherwise `next` is unspecified.
    @inline(__always)
    static func matchLength(_ s: UnsafeRawPointer, _ c: UnsafeRawPointer, _ end: UnsafeRawPointer,
                            _ next: inout UInt32) -> Int {
        let wordLimit = (end - 8) - s  // 8-byte loads at s+i stay in bounds while i <= wordLimit
        var i = 0
        while i <= wordLimit {
            let w = load64(s + i)
            let x = w ^ load64(c + i)
            if x != 0 {
                let k = x.trailingZeroBitCount &>> 3
                // bytes k…k+3 of the word are in w for k <= 4, else in the word 4 bytes further on (its address is
                // clamped to stay inside the input; when clamping matters the caller stops before using `next`)
                let w4 = load64(min(s + i + 4, end - 8))
                next = k <= 4 ? UInt32(truncatingIfNeeded: w &>> UInt64(k &* 8))
                              : UInt32(truncatingIfNeeded: w4 &>> UInt64((k &- 4) &* 8))
                return i &+ k
            }
            i &+= 8
        }
        let n = end - s
        while i < n && s.load(fromByteOffset: i, as: UInt8.self) == c.load(fromByteOffset: i, as: UInt8.self) {
            i &+= 1
        }
        return i
    }

    /// Literal inside the main loop: at least 16 readable bytes at `src` and 16 bytes of slack at `op`.
    @inline(__always)
    static func emitLiteral(_ op0: UnsafeMutableRawPointer, _ src: UnsafeRawPointer, _ len: Int) -> UnsafeMutableRawPointer {
        var op = op0
        let m = UInt32(truncatingIfNeeded: len &- 1)
        if len <= 16 {
            store8(op, m << 2)
            op.storeBytes(of: src.loadUnaligned(as: SIMD16<UInt8>.self), toByteOffset: 1, as: SIMD16<UInt8>.self)
            return op + 1 + len
        }
        op = literalHeader(op, m)
        op.copyMemory(from: src, byteCount: len)
        return op + len
    }

    /// Literal with exact reads and writes (input tail, short inputs).
    static func emitLiteralTail(_ op0: UnsafeMutableRawPointer, _ src: UnsafeRawPointer, _ len: Int) -> UnsafeMutableRawPointer {
        let op = literalHeader(op0, UInt32(truncatingIfNeeded: len &- 1))
        op.copyMemory(from: src, byteCount: len)
        return op + len
    }

    @inline(__always)
    static func literalHeader(_ op: UnsafeMutableRawPointer, _ m: UInt32) -> UnsafeMutableRawPointer {
        if m < 60 {
            store8(op, m << 2)
            return op + 1
        }
        // 60…63: 1…4 bytes of (len-1) follow
        let extra = m < 0x100 ? 1 : m < 0x1_0000 ? 2 : m < 0x100_0000 ? 3 : 4
        store8(op, UInt32(59 + extra) << 2)
        op.storeBytes(of: m.littleEndian, toByteOffset: 1, as: UInt32.self)  // unaligned store of 4 bytes
        return op + 1 + extra
    }

    /// Copy of `len` ≥ 4 bytes from `offset` (1…65535) back. Writes up to one byte past the returned pointer.
    @inline(__always)
    static func emitCopy(_ op0: UnsafeMutableRawPointer, _ offset: Int, _ len0: Int) -> UnsafeMutableRawPointer {
        var op = op0
        var len = len0
        let off = UInt32(truncatingIfNeeded: offset)
        if len > 64 {
            // pieces of 64 while at least 68 remain, so the last piece keeps ≥ 4 bytes (copy-1 needs 4…11)
            while len >= 68 {
                op.storeBytes(of: (2 | (63 << 2) | off << 8).littleEndian, as: UInt32.self)
                op += 3
                len -= 64
            }
            if len > 64 {
                op.storeBytes(of: (2 | (59 << 2) | off << 8).littleEndian, as: UInt32.self)
                op += 3
                len -= 60
            }
        }
        // len 4…64: copy-1 (2 bytes) when len < 12 and offset < 2048, else copy-2 (3 bytes)
        let l = UInt32(truncatingIfNeeded: len)
        if len < 12 && offset < 2048 {
            let tag = 1 | ((l &- 4) << 2) | ((off >> 8) << 5) | ((off & 0xFF) << 8)
            op.storeBytes(of: UInt16(truncatingIfNeeded: tag).littleEndian, as: UInt16.self)
            return op + 2
        }
        op.storeBytes(of: (2 | ((l &- 1) << 2) | (off << 8)).littleEndian, as: UInt32.self)
        return op + 3
    }

    @inline(never)
    static func compressBody(_ base: UnsafeRawPointer, _ n: Int, _ out: UnsafeMutableRawPointer,
                             _ table: UnsafeMutablePointer<UInt16>, _ shift: UInt32) -> UnsafeMutableRawPointer {
        let end = base + n
        let ipLimit = end - inputMargin
        var op = out
        var nextEmit = base
        var ip = base + 1
        var skip = 32

        outer: while true {
            // ---- look for a 4-byte match at ip, lookups further apart the longer nothing is found
            skip = 32 &+ (skip &- 32) &>> 3
            var cand: UnsafeRawPointer
            while true {
                if ip > ipLimit { break outer }
                let cur = load32(ip)
                let h = hash(cur, shift)
                let pos = ip - base
                let d = (pos &- Int(table[h])) & 0xFFFF
                table[h] = UInt16(truncatingIfNeeded: pos)
                if d != 0 && load32(ip - d) == cur {
                    cand = ip - d
                    break
                }
                let step = skip &>> 5
                ip += step
                skip = min(skip &+ step, maxSkip)
            }
            // ---- extend backwards over pending literal bytes
            if ip > nextEmit && cand > base && (ip - 1).load(as: UInt8.self) == (cand - 1).load(as: UInt8.self) {
                let most = min(ip - nextEmit, cand - base)
                var k = 1
                while k < most && (ip - k - 1).load(as: UInt8.self) == (cand - k - 1).load(as: UInt8.self) { k &+= 1 }
                ip -= k
                cand -= k
            }
            if ip > nextEmit { op = emitLiteral(op, nextEmit, ip - nextEmit) }
            // ---- emit copies; right after one, try the position where it ended before scanning again
            while true {
                var next: UInt32 = 0
                let len = 4 + matchLength(ip + 4, cand + 4, end, &next)
                op = emitCopy(op, ip - cand, len)
                ip += len
                nextEmit = ip
                if ip > ipLimit { break outer }
                let x = load64(ip - 2)
                let p = ip - base
                let cur = next
                let h = hash(cur, shift)
                // the entry for ip is read before ip-2 and ip-1 are inserted (a shorter dependency chain); when ip-1
                // shares the slot it is the candidate, as if inserted first (so runs of one byte get offset 1)
                var d = (p &- Int(table[h])) & 0xFFFF
                let h2 = hash(UInt32(truncatingIfNeeded: x), shift)
                let h1 = hash(UInt32(truncatingIfNeeded: x >> 8), shift)
                table[h2] = UInt16(truncatingIfNeeded: p - 2)
                table[h1] = UInt16(truncatingIfNeeded: p - 1)
                table[h] = UInt16(truncatingIfNeeded: p)
                d = h1 == h ? 1 : d
                if d != 0 && load32(ip - d) == cur {
                    cand = ip - d
                    continue
                }
                ip += 1
                break
            }
        }
        if nextEmit < end { op = emitLiteralTail(op, nextEmit, end - nextEmit) }
        return op
    }
}
