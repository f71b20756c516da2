// RLE / bit-packing hybrid (Encodings.md "RLE = 3"): decoder, encoder, and the level helpers built on them.

/// Streaming decoder for the RLE / bit-packed hybrid encoding (no length prefix: pass the encoded runs only).
///
/// Values are produced on demand; `decode` returns fewer than asked only when the input is exhausted.
/// A truncated final bit-packed run yields the values whose bits are present. Malformed headers throw `.corrupt`.
public struct RLEBitPackedHybridDecoder {
    @usableFromInline let base: UnsafeRawPointer
    @usableFromInline let end: Int
    @usableFromInline var pos: Int = 0
    /// Bits per value (0...32).
    public let bitWidth: Int
    @usableFromInline let valueBytes: Int
    @usableFromInline let mask: UInt64
    @usableFromInline var rleLeft: Int = 0
    @usableFromInline var rleValue: UInt64 = 0
    @usableFromInline var bpLeft: Int = 0
    @usableFromInline var bpStart: Int = 0  // byte offset of the current bit-packed run's data
    @usableFromInline var bpIndex: Int = 0  // next value index inside that run
    @usableFromInline let badWidth: Bool

    nonisolated(unsafe) private static let emptyByte: UnsafeMutableRawPointer = .allocate(byteCount: 16, alignment: 16)

    /// `bitWidth` must be 0…32 (levels use ≤ 16, dictionary indices ≤ 32); anything else throws on first use.
    public init(data: UnsafeRawBufferPointer, bitWidth: Int) {
        base = data.baseAddress.map { UnsafeRawPointer($0) } ?? UnsafeRawPointer(Self.emptyByte)
        end = data.baseAddress == nil ? 0 : data.count
        self.bitWidth = max(0, min(bitWidth, 64))
        badWidth = bitWidth < 0 || bitWidth > 32
        valueBytes = (self.bitWidth + 7) / 8
        mask = self.bitWidth >= 64 ? ~0 : (1 << UInt64(self.bitWidth)) &- 1
    }

    /// Bytes of input consumed by the runs read so far (run headers and bit-packed data, including any
    /// run still partly unread).
    public var bytesConsumed: Int { pos }

    /// True when every run has been read and no buffered values remain.
    public var isExhausted: Bool { rleLeft == 0 && bpLeft == 0 && pos >= end }

    /// Decodes up to `count` values into `out`; returns how many were produced.
    public mutating func decode(into out: UnsafeMutablePointer<Int32>, count: Int) throws -> Int {
        try decodeGeneric(into: out, count: count)
    }

    /// Decodes up to `count` values into `out` (levels); returns how many were produced.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` for a malformed run header (bit width above 32, a run past the data).
    public mutating func decode(into out: UnsafeMutablePointer<Int16>, count: Int) throws -> Int {
        try decodeGeneric(into: out, count: count)
    }

    /// Decodes up to `count` values into `out` (Booleans, bit width 1); returns how many were produced.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` for a malformed run header.
    public mutating func decode(into out: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int {
        try decodeGeneric(into: out, count: count)
    }

    /// Decodes up to `count` values into `out`; returns how many were produced.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` for a malformed run header.
    public mutating func decode(into out: UnsafeMutablePointer<UInt32>, count: Int) throws -> Int {
        try decodeGeneric(into: out, count: count)
    }

    /// Appends up to `count` values to `out`; returns how many were appended.
    public mutating func decode(appendingTo out: inout [Int32], count: Int) throws -> Int {
        let n = max(0, count)
        out.reserveCapacity(out.count + n)
        return try out.appendWithPointer(count: n, zero: 0) { try decodeGeneric(into: $0, count: n) }
    }

    /// Skips up to `count` values; returns how many were skipped.
    public mutating func skip(count: Int) throws -> Int {
        if badWidth { throw ParquetError.corrupt("RLE/bit-packed bit width \(bitWidth) out of range 0…32") }
        var done = 0
        while done < count {
            if rleLeft > 0 {
                let n = min(rleLeft, count - done)
                rleLeft -= n; done += n
            } else if bpLeft > 0 {
                let n = min(bpLeft, count - done)
                bpLeft -= n; bpIndex += n; done += n
            } else if try !readRun() {
                break
            }
        }
        return done
    }

    @inline(__always)
    mutating func decodeGeneric<T: FixedWidthInteger>(into out: UnsafeMutablePointer<T>, count: Int) throws -> Int {
        if badWidth { throw ParquetError.corrupt("RLE/bit-packed bit width \(bitWidth) out of range 0…32") }
        var produced = 0
        while produced < count {
            if rleLeft > 0 {
                let n = min(rleLeft, count - produced)
                (out + produced).update(repeating: T(truncatingIfNeeded: rleValue), count: n)
                rleLeft -= n
                produced += n
            } else if bpLeft > 0 {
                let n = min(bpLeft, count - produced)
                BitUnpack.unpack(base + bpStart, available: end - bpStart, startBit: bpIndex * bitWidth,
                                 bitWidth: bitWidth, count: n, into: out + produced)
                bpLeft -= n
                bpIndex += n
                produced += n
            } else if try !readRun() {
                break
            }
        }
        return produced
    }

    /// Reads the next run header; false at end of input.
    @usableFromInline
    mutating func readRun() throws -> Bool {
        if pos >= end { return false }
        let header = try readULEB128(base, end, &pos, "RLE run header")
        guard header <= UInt64(UInt32.max) else {
            throw ParquetError.corrupt("RLE/bit-packed run header \(header) exceeds the 2^31-1 run length limit")
        }
        if header & 1 == 1 {
            let groups = Int(header >> 1)
            let runBytes = groups * bitWidth
            let avail = end - pos
            bpStart = pos
            bpIndex = 0
            if runBytes <= avail {
                bpLeft = groups * 8
                pos += runBytes
            } else {
                // truncated final run: keep the values whose bits are all present
                bpLeft = bitWidth == 0 ? groups * 8 : (avail * 8) / bitWidth
                pos = end
            }
        } else {
            let len = Int(header >> 1)
            guard valueBytes <= end - pos else {
                throw ParquetError.corrupt("RLE run value truncated: needs \(valueBytes) bytes, \(end - pos) left")
            }
            var v: UInt64 = 0
            for k in 0..<valueBytes {
                v |= UInt64(base.load(fromByteOffset: pos + k, as: UInt8.self)) << UInt64(8 * k)
            }
            pos += valueBytes
            rleValue = v & mask
            rleLeft = len
        }
        return true
    }
}

/// Encoder for the RLE / bit-packed hybrid encoding (no length prefix). Runs of ≥ 8 equal values become RLE
/// runs; everything else is bit-packed in groups of 8 (the last group zero-padded).
public enum RLEBitPackedHybridEncoder {
    /// Appends the encoding of `values` (each must fit in `bitWidth` bits, 0…32) to `out`.
    public static func encode<T: FixedWidthInteger>(_ values: UnsafeBufferPointer<T>, bitWidth: Int,
                                                    into out: inout [UInt8]) {
        guard let p = values.baseAddress, values.count > 0 else { return }
        let n = values.count
        let valueBytes = (bitWidth + 7) / 8
        var lit = 0  // start of pending literal (bit-packed) values
        var i = 0
        while i < n {
            // 8 values each different from the next: eight runs of one, nothing to emit yet
            if i + 9 <= n && noEqualNeighbours8(p, i) {
                i += 8
                continue
            }
            let v = p[i]
            let j = runEnd(p, i, n)
            let run = j - i
            if run >= 8 {
                let litLen = i - lit
                let pad = (8 - litLen % 8) % 8
                if run - pad >= 8 {
                    if litLen + pad > 0 { emitBitPacked(p + lit, count: litLen + pad, bitWidth: bitWidth, into: &out) }
                    emitRLE(UInt64(truncatingIfNeeded: v), count: run - pad, valueBytes: valueBytes, into: &out)
                    lit = j
                }
            }
            i = j
        }
        if lit < n { emitBitPacked(p + lit, count: n - lit, bitWidth: bitWidth, into: &out) }
    }

    /// Appends `values` (each fitting `bitWidth` bits) RLE / bit-packed hybrid encoded, without a length prefix.
    public static func encode<T: FixedWidthInteger>(_ values: [T], bitWidth: Int, into out: inout [UInt8]) {
        values.withUnsafeBufferPointer { encode($0, bitWidth: bitWidth, into: &out) }
    }

    /// Whether none of `p[i..<i+8]` equals the value after it (reads `p[i + 8]`).
    @inline(__always)
    static func noEqualNeighbours8<T: FixedWidthInteger>(_ p: UnsafePointer<T>, _ i: Int) -> Bool {
        let raw = UnsafeRawPointer(p + i)
        switch MemoryLayout<T>.size {
        case 4:
            let a = raw.loadUnaligned(as: SIMD8<UInt32>.self)
            let b = raw.loadUnaligned(fromByteOffset: 4, as: SIMD8<UInt32>.self)
            return !any(a .== b)
        case 2:
            let a = raw.loadUnaligned(as: SIMD8<UInt16>.self)
            let b = raw.loadUnaligned(fromByteOffset: 2, as: SIMD8<UInt16>.self)
            return !any(a .== b)
        default:
            for k in 0..<8 where p[i + k] == p[i + k + 1] { return false }
            return true
        }
    }

    /// The end of the run of values equal to `p[i]` (the first index after `i` holding another value, or `n`).
    /// Short runs are scanned value by value; past 8 equal values, 32 bytes are compared at a time.
    @inline(__always)
    static func runEnd<T: FixedWidthInteger>(_ p: UnsafePointer<T>, _ i: Int, _ n: Int) -> Int {
        let v = p[i]
        var j = i + 1
        let lim = Swift.min(n, i + 8)
        while j < lim && p[j] == v { j += 1 }
        if j < lim || j == n { return j }
        let size = MemoryLayout<T>.size
        if size <= 4 {
            var pattern = UInt64(truncatingIfNeeded: v) & ((1 << UInt64(8 * size)) &- 1)
            var w = 8 * size
            while w < 64 { pattern |= pattern << UInt64(w); w *= 2 }
            let per = 32 / size  // values per 32 bytes
            let raw = UnsafeRawPointer(p)
            while j + per <= n {
                let o = j * size
                let a = raw.loadUnaligned(fromByteOffset: o, as: UInt64.self) ^ pattern
                let b = raw.loadUnaligned(fromByteOffset: o + 8, as: UInt64.self) ^ pattern
                let c = raw.loadUnaligned(fromByteOffset: o + 16, as: UInt64.self) ^ pattern
                let d = raw.loadUnaligned(fromByteOffset: o + 24, as: UInt64.self) ^ pattern
                if (a | b | c | d) != 0 { break }
                j += per
            }
        }
        while j < n && p[j] == v { j += 1 }
        return j
    }

    @inline(__always)
    static func emitRLE(_ v: UInt64, count: Int, valueBytes: Int, into out: inout [UInt8]) {
        appendULEB128(UInt64(count) << 1, to: &out)
        for k in 0..<valueBytes { out.append(UInt8(truncatingIfNeeded: v >> UInt64(8 * k))) }
    }

    @inline(__always)
    static func emitBitPacked<T: FixedWidthInteger>(_ p: UnsafePointer<T>, count: Int, bitWidth: Int,
                                                     into out: inout [UInt8]) {
        let groups = (count + 7) / 8
        appendULEB128(UInt64(groups) << 1 | 1, to: &out)
        if bitWidth == 0 { return }
        guard bitWidth <= 32 else {
            BitPack.pack(p, count: count, padTo: groups * 8, bitWidth: bitWidth, into: &out)
            return
        }
        let full = count / 8
        let rest = count - 8 * full
        _ = out.appendWithPointer(count: groups * bitWidth + 8, zero: 0) { dst in
            let raw = UnsafeMutableRawPointer(dst)
            BitPack.packGroups(p, groups: full, bitWidth: bitWidth, to: raw)
            if rest > 0 {
                // the last group, zero-padded to 8 values
                var tail: (T, T, T, T, T, T, T, T) = (0, 0, 0, 0, 0, 0, 0, 0)
                withUnsafeMutableBytes(of: &tail) { t in
                    let tp = t.baseAddress!.assumingMemoryBound(to: T.self)
                    for k in 0..<rest { tp[k] = p[8 * full + k] }
                    BitPack.packGroups(UnsafePointer(tp), groups: 1, bitWidth: bitWidth, to: raw + full * bitWidth)
                }
            }
            return groups * bitWidth
        }
    }
}

/// Definition / repetition level helpers.
public enum Levels {
    /// Bit width for levels whose maximum is `maxLevel` (0 → 0).
    public static func bitWidth(forMaxLevel maxLevel: Int) -> Int { bitsRequired(UInt64(max(0, maxLevel))) }

    /// Decodes exactly `count` levels of a data page v1 and appends them to `out`; returns the bytes consumed.
    /// `.rle`: 4-byte little-endian length, then the hybrid runs (consumed = 4 + length).
    /// `.bitPacked`: legacy MSB-first packing, ceil(count * bitWidth / 8) bytes.
    /// With `bitWidth == 0` (max level 0) nothing is stored: appends `count` zeros and consumes 0 bytes.
    public static func decodeLevels(encoding: Encoding, bitWidth: Int, data: UnsafeRawBufferPointer, count: Int,
                                    into out: inout [Int16]) throws -> Int {
        guard count >= 0 else { throw ParquetError.corrupt("negative level count \(count)") }
        guard (0...16).contains(bitWidth) else {
            throw ParquetError.corrupt("level bit width \(bitWidth) out of range 0…16")
        }
        if bitWidth == 0 {
            out.append(contentsOf: repeatElement(0, count: count))
            return 0
        }
        switch encoding {
        case .rle:
            guard data.count >= 4, let b = data.baseAddress else {
                throw ParquetError.corrupt("RLE levels: missing 4-byte length prefix")
            }
            let len = Int(loadLE32(b, 0))
            guard len <= data.count - 4 else {
                throw ParquetError.corrupt("RLE levels length \(len) exceeds the \(data.count - 4) bytes left in the page")
            }
            _ = try decodeLevelsV2(bitWidth: bitWidth, data: UnsafeRawBufferPointer(start: b + 4, count: len),
                                   count: count, into: &out)
            return 4 + len
        case .bitPacked:
            let need = (count * bitWidth + 7) / 8
            guard need <= data.count else {
                throw ParquetError.corrupt("BIT_PACKED levels need \(need) bytes, page has \(data.count)")
            }
            if count == 0 { return 0 }
            let b = data.baseAddress!
            _ = out.appendWithPointer(count: count, zero: 0) {
                LegacyBitPacked.unpack(b, bitWidth: bitWidth, count: count, into: $0)
                return count
            }
            return need
        default:
            throw ParquetError.unsupported("level encoding \(encoding)")
        }
    }

    /// Decodes exactly `count` levels stored as hybrid runs without a length prefix (data page v2: `data` is the
    /// whole levels section). Appends to `out`; returns `data.count`.
    public static func decodeLevelsV2(bitWidth: Int, data: UnsafeRawBufferPointer, count: Int,
                                      into out: inout [Int16]) throws -> Int {
        guard (0...16).contains(bitWidth) else {
            throw ParquetError.corrupt("level bit width \(bitWidth) out of range 0…16")
        }
        if bitWidth == 0 {
            out.append(contentsOf: repeatElement(0, count: max(0, count)))
            return data.count
        }
        var dec = RLEBitPackedHybridDecoder(data: data, bitWidth: bitWidth)
        let got = try out.appendWithPointer(count: count, zero: 0) { try dec.decodeGeneric(into: $0, count: count) }
        guard got == count else {
            throw ParquetError.corrupt("levels truncated: expected \(count) values, found \(got)")
        }
        return data.count
    }

    /// Appends hybrid-encoded levels; with `lengthPrefixed` (data page v1) a 4-byte LE length comes first.
    public static func encodeLevels(_ levels: UnsafeBufferPointer<Int16>, bitWidth: Int, lengthPrefixed: Bool,
                                    into out: inout [UInt8]) {
        if bitWidth == 0 { return }
        let start = out.count
        if lengthPrefixed { out.append(contentsOf: [0, 0, 0, 0]) }
        RLEBitPackedHybridEncoder.encode(levels, bitWidth: bitWidth, into: &out)
        if lengthPrefixed {
            let len = UInt32(out.count - start - 4)
            for k in 0..<4 { out[start + k] = UInt8(truncatingIfNeeded: len >> UInt32(8 * k)) }
        }
    }

    /// Appends `levels` hybrid-encoded at `bitWidth`; `lengthPrefixed` adds the 4-byte length v1 data pages need.
    /// Nothing is written when `bitWidth` is 0.
    public static func encodeLevels(_ levels: [Int16], bitWidth: Int, lengthPrefixed: Bool, into out: inout [UInt8]) {
        levels.withUnsafeBufferPointer { encodeLevels($0, bitWidth: bitWidth, lengthPrefixed: lengthPrefixed, into: &out) }
    }

    /// Legacy BIT_PACKED (MSB-first) level encoding, for tests and compatibility.
    public static func encodeLevelsBitPacked(_ levels: [Int16], bitWidth: Int, into out: inout [UInt8]) {
        levels.withUnsafeBufferPointer { b in
            guard let p = b.baseAddress else { return }
            LegacyBitPacked.pack(p, count: b.count, bitWidth: bitWidth, into: &out)
        }
    }
}
