// Low-level helpers shared by the encodings: ULEB128 / zigzag varints, unaligned little-endian loads,
// LSB-first bit unpacking/packing (RLE hybrid, DELTA_BINARY_PACKED) and MSB-first packing (legacy BIT_PACKED).
// Everything works on raw pointers with explicit bounds; nothing here traps on malformed input.

// MARK: - Varints

/// Reads a ULEB128 value at `pos` (advancing it). Throws `.corrupt` when truncated or longer than 64 bits.
@inline(__always)
func readULEB128(_ base: UnsafeRawPointer, _ end: Int, _ pos: inout Int, _ what: StaticString) throws -> UInt64 {
    var result: UInt64 = 0
    var shift: UInt64 = 0
    while true {
        guard pos < end else { throw ParquetError.corrupt("truncated varint in \(what)") }
        let byte = base.load(fromByteOffset: pos, as: UInt8.self)
        pos += 1
        if shift == 63 && byte > 1 { throw ParquetError.corrupt("varint in \(what) overflows 64 bits") }
        result |= UInt64(byte & 0x7F) << shift
        if byte & 0x80 == 0 { return result }
        shift += 7
        if shift > 63 { throw ParquetError.corrupt("varint in \(what) is longer than 10 bytes") }
    }
}

@inline(__always)
func zigzagDecode(_ v: UInt64) -> UInt64 { (v >> 1) ^ (0 &- (v & 1)) }

@inline(__always)
func zigzagEncode(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }

@inline(__always)
func appendULEB128(_ value: UInt64, to out: inout [UInt8]) {
    var v = value
    while v >= 0x80 {
        out.append(UInt8(truncatingIfNeeded: v) | 0x80)
        v >>= 7
    }
    out.append(UInt8(v))
}

@inline(__always)
func appendLE32(_ v: UInt32, to out: inout [UInt8]) {
    withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
}

@inline(__always)
func loadLE32(_ p: UnsafeRawPointer, _ off: Int) -> UInt32 {
    UInt32(littleEndian: p.loadUnaligned(fromByteOffset: off, as: UInt32.self))
}

@inline(__always)
func loadLE64(_ p: UnsafeRawPointer, _ off: Int) -> UInt64 {
    UInt64(littleEndian: p.loadUnaligned(fromByteOffset: off, as: UInt64.self))
}

/// Number of bits needed to represent `v` (0 for 0).
@inline(__always)
func bitsRequired(_ v: UInt64) -> Int { 64 - v.leadingZeroBitCount }

// MARK: - Growing arrays without per-element work

/// A sequence whose `_copyContents` lets a closure write straight into an array's spare capacity, so appending
/// `n` elements costs no zero-fill. `Array.append(contentsOf:)` requires at least `underestimatedCount` elements
/// to be written, so the closure's shortfall (or a thrown error) is padded with `zero` and trimmed by the caller.
struct DirectFill<Element, E: Error>: Sequence {
    let count: Int
    let zero: Element?
    let body: (UnsafeMutablePointer<Element>) throws(E) -> Int
    let result: UnsafeMutablePointer<(Int, E?)>

    var underestimatedCount: Int { count }
    func makeIterator() -> EmptyCollection<Element>.Iterator { EmptyCollection<Element>.Iterator() }

    func _copyContents(initializing buf: UnsafeMutableBufferPointer<Element>)
        -> (EmptyCollection<Element>.Iterator, Int) {
        guard count > 0, let p = buf.baseAddress, buf.count >= count else {
            return (EmptyCollection<Element>.Iterator(), 0)
        }
        var produced = 0
        do throws(E) {
            produced = Swift.min(Swift.max(0, try body(p)), count)
        } catch {
            result.pointee.1 = error
            produced = 0
        }
        result.pointee.0 = produced
        if produced < count {
            guard let zero else { preconditionFailure("appendExactly: body wrote \(produced) of \(count) elements") }
            (p + produced).initialize(repeating: zero, count: count - produced)
        }
        return (EmptyCollection<Element>.Iterator(), count)
    }
}

extension Array {
    /// Appends exactly `n` elements written by `body` (which must initialise all of them and cannot fail).
    @inline(__always)
    mutating func appendExactly(count n: Int, _ body: (UnsafeMutablePointer<Element>) -> Void) {
        if n <= 0 { return }
        let old = count
        var result: (Int, Never?) = (0, nil)
        withoutActuallyEscaping({ (p: UnsafeMutablePointer<Element>) -> Int in body(p); return n }) { escapable in
            withUnsafeMutablePointer(to: &result) { r in
                append(contentsOf: DirectFill<Element, Never>(count: n, zero: nil, body: escapable, result: r))
            }
        }
        if count != old + n {
            // the standard library did not use _copyContents (never observed): build the values separately
            var tmp = [Element]()
            tmp.reserveCapacity(n)
            let buf = UnsafeMutablePointer<Element>.allocate(capacity: n)
            body(buf)
            tmp.append(contentsOf: UnsafeBufferPointer(start: buf, count: n))
            buf.deinitialize(count: n); buf.deallocate()
            removeSubrange(old...)
            append(contentsOf: tmp)
        }
    }

    /// Appends `n` elements produced by `body` writing through a pointer to uninitialised storage (no zero-fill);
    /// `body` returns how many it wrote (≤ n) and the array is trimmed to that. `Element` must be a trivial type.
    /// If `body` throws, nothing is appended and the error is rethrown.
    @inline(__always)
    mutating func appendWithPointer<E: Error>(count n: Int, zero: Element,
                                              _ body: (UnsafeMutablePointer<Element>) throws(E) -> Int) throws(E) -> Int {
        if n <= 0 { return 0 }
        let old = count
        var result: (Int, E?) = (0, nil)
        withoutActuallyEscaping(body) { escapable in
            withUnsafeMutablePointer(to: &result) { r in
                append(contentsOf: DirectFill<Element, E>(count: n, zero: zero, body: escapable, result: r))
                if count != old + n {
                    // the standard library did not use _copyContents: fall back to zero-fill and write
                    removeSubrange(old...)
                    append(contentsOf: repeatElement(zero, count: n))
                    do throws(E) {
                        r.pointee.0 = try withUnsafeMutableBufferPointer { (b) throws(E) -> Int in try escapable(b.baseAddress! + old) }
                    } catch {
                        r.pointee.1 = error
                    }
                }
            }
        }
        if let e = result.1 {
            removeSubrange(old...)
            throw e
        }
        let produced = Swift.min(Swift.max(0, result.0), n)
        if produced < n { removeSubrange((old + produced)...) }
        return produced
    }
}

// MARK: - LSB-first bit unpacking

enum BitUnpack {
    /// Unpacks `count` values of `bitWidth` (0…64) bits, LSB-first, starting at bit `startBit` of `base`.
    /// `available` is the number of readable bytes at `base`; the caller guarantees
    /// `startBit + count * bitWidth <= available * 8`. Values are truncated into `T`.
    @inline(__always)
    static func unpack<T: FixedWidthInteger>(_ base: UnsafeRawPointer, available: Int, startBit: Int,
                                             bitWidth: Int, count: Int, into out: UnsafeMutablePointer<T>) {
        switch bitWidth {
        case 0: out.update(repeating: 0, count: count)
        case 1: fixed(base, available, startBit, 1, count, out)
        case 2: fixed(base, available, startBit, 2, count, out)
        case 3: fixed(base, available, startBit, 3, count, out)
        case 4: fixed(base, available, startBit, 4, count, out)
        case 5: fixed(base, available, startBit, 5, count, out)
        case 6: fixed(base, available, startBit, 6, count, out)
        case 7: fixed(base, available, startBit, 7, count, out)
        case 8: fixed(base, available, startBit, 8, count, out)
        case 9: fixed(base, available, startBit, 9, count, out)
        case 10: fixed(base, available, startBit, 10, count, out)
        case 11: fixed(base, available, startBit, 11, count, out)
        case 12: fixed(base, available, startBit, 12, count, out)
        case 13: fixed(base, available, startBit, 13, count, out)
        case 14: fixed(base, available, startBit, 14, count, out)
        case 15: fixed(base, available, startBit, 15, count, out)
        case 16: fixed(base, available, startBit, 16, count, out)
        case 17: fixed(base, available, startBit, 17, count, out)
        case 18: fixed(base, available, startBit, 18, count, out)
        case 19: fixed(base, available, startBit, 19, count, out)
        case 20: fixed(base, available, startBit, 20, count, out)
        case 21: fixed(base, available, startBit, 21, count, out)
        case 22: fixed(base, available, startBit, 22, count, out)
        case 23: fixed(base, available, startBit, 23, count, out)
        case 24: fixed(base, available, startBit, 24, count, out)
        case 25: fixed(base, available, startBit, 25, count, out)
        case 26: fixed(base, available, startBit, 26, count, out)
        case 27: fixed(base, available, startBit, 27, count, out)
        case 28: fixed(base, available, startBit, 28, count, out)
        case 29: fixed(base, available, startBit, 29, count, out)
        case 30: fixed(base, available, startBit, 30, count, out)
        case 31: fixed(base, available, startBit, 31, count, out)
        case 32: fixed(base, available, startBit, 32, count, out)
        default: general(base, available, startBit, bitWidth, count, out)
        }
    }

    /// Single-load path for widths ≤ 57 (a 64-bit load at the value's first byte covers shift ≤ 7 plus the value).
    /// `bw` is a constant at each call site, so the loop is specialised per width.
    @inline(__always)
    static func fixed<T: FixedWidthInteger>(_ base: UnsafeRawPointer, _ available: Int, _ startBit: Int, _ bw: Int,
                                            _ count: Int, _ out: UnsafeMutablePointer<T>) {
        let mask: UInt64 = (1 << UInt64(bw)) &- 1
        // value i is safe for an 8-byte load iff startBit + i*bw < (available - 7) * 8
        var fast = 0
        if available >= 8 {
            let limit = (available - 7) * 8 - startBit
            if limit > 0 { fast = min(count, (limit + bw - 1) / bw) }
        }
        var bit = startBit
        var i = 0
        // 8 values per iteration keeps the shift pattern regular for the optimiser.
        while i + 8 <= fast {
            for k in 0..<8 {
                let b = bit + k * bw
                let w = loadLE64(base, b >> 3)
                out[i + k] = T(truncatingIfNeeded: (w >> UInt64(b & 7)) & mask)
            }
            bit += 8 * bw
            i += 8
        }
        while i < fast {
            let w = loadLE64(base, bit >> 3)
            out[i] = T(truncatingIfNeeded: (w >> UInt64(bit & 7)) & mask)
            bit += bw
            i += 1
        }
        while i < count {
            out[i] = T(truncatingIfNeeded: slowValue(base, available, bit, bw))
            bit += bw
            i += 1
        }
    }

    @inline(never)
    static func general<T: FixedWidthInteger>(_ base: UnsafeRawPointer, _ available: Int, _ startBit: Int, _ bw: Int,
                                              _ count: Int, _ out: UnsafeMutablePointer<T>) {
        let mask: UInt64 = bw >= 64 ? ~0 : (1 << UInt64(bw)) &- 1
        var bit = startBit
        var i = 0
        if bw <= 57 {
            var fast = 0
            if available >= 8 {
                let limit = (available - 7) * 8 - startBit
                if limit > 0 { fast = min(count, (limit + bw - 1) / bw) }
            }
            while i < fast {
                let w = loadLE64(base, bit >> 3)
                out[i] = T(truncatingIfNeeded: (w >> UInt64(bit & 7)) & mask)
                bit += bw
                i += 1
            }
        } else {
            // needs up to 9 bytes: byte offset + 9 <= available  <=>  bit < (available - 8) * 8
            var fast = 0
            if available >= 9 {
                let limit = (available - 8) * 8 - startBit
                if limit > 0 { fast = min(count, (limit + bw - 1) / bw) }
            }
            while i < fast {
                let off = bit >> 3, sh = UInt64(bit & 7)
                var w = loadLE64(base, off) >> sh
                if sh != 0 { w |= UInt64(base.load(fromByteOffset: off + 8, as: UInt8.self)) << (64 - sh) }
                out[i] = T(truncatingIfNeeded: w & mask)
                bit += bw
                i += 1
            }
        }
        while i < count {
            out[i] = T(truncatingIfNeeded: slowValue(base, available, bit, bw))
            bit += bw
            i += 1
        }
    }

    /// Reads one value byte by byte, never touching bytes at or past `available` (treated as zero).
    @inline(never)
    static func slowValue(_ base: UnsafeRawPointer, _ available: Int, _ bit: Int, _ bw: Int) -> UInt64 {
        if bw == 0 { return 0 }
        let off = bit >> 3, sh = bit & 7
        let nbytes = (sh + bw + 7) >> 3  // ≤ 9
        var lo: UInt64 = 0
        var hi: UInt64 = 0
        for k in 0..<nbytes where off + k < available {
            let byte = UInt64(base.load(fromByteOffset: off + k, as: UInt8.self))
            if k < 8 { lo |= byte << UInt64(8 * k) } else { hi = byte }
        }
        var v = lo >> UInt64(sh)
        if sh != 0 { v |= hi << UInt64(64 - sh) }
        return bw >= 64 ? v : v & ((1 << UInt64(bw)) &- 1)
    }
}

// MARK: - LSB-first bit packing

enum BitPack {
    /// Appends `count` values (masked to `bitWidth` bits, 0…64) packed LSB-first, then `padTo` - count zero
    /// values (`padTo` ≥ count; used to fill 8-value groups). Appends ceil(padTo * bitWidth / 8) bytes.
    @inline(__always)
    static func pack<T: FixedWidthInteger>(_ values: UnsafePointer<T>, count: Int, padTo: Int? = nil,
                                           bitWidth bw: Int, into out: inout [UInt8]) {
        let total = max(padTo ?? count, count)
        let nbytes = (total * bw + 7) / 8
        if nbytes == 0 { return }
        let mask: UInt64 = bw >= 64 ? ~0 : (1 << UInt64(bw)) &- 1
        _ = out.appendWithPointer(count: nbytes + 8, zero: 0) { p in
            p.initialize(repeating: 0, count: nbytes + 8)  // storage is uninitialised; padding groups must be 0
            let raw = UnsafeMutableRawPointer(p)
            var acc: UInt64 = 0
            var nbits = 0
            var pos = 0
            for i in 0..<count {
                let v = UInt64(truncatingIfNeeded: values[i]) & mask
                acc |= v << UInt64(nbits)  // nbits < 64
                let t = nbits + bw
                if t >= 64 {
                    raw.storeBytes(of: acc.littleEndian, toByteOffset: pos, as: UInt64.self)
                    pos += 8
                    acc = nbits == 0 ? 0 : v >> UInt64(64 - nbits)
                    nbits = t - 64
                } else {
                    nbits = t
                }
            }
            // padding values are zero: only the remaining accumulator bits need writing
            raw.storeBytes(of: acc.littleEndian, toByteOffset: pos, as: UInt64.self)
            return nbytes
        }
    }
}

extension BitPack {
    /// Packs `groups` groups of 8 values of `bitWidth` (1…32) bits LSB-first: each group becomes `bitWidth` bytes
    /// at `dst` (up to 8 bytes past the last group may be written as well; the caller leaves that slack).
    /// Values are masked to `bitWidth` bits. Dispatches to a loop specialised for the width.
    @inline(__always)
    static func packGroups<T: FixedWidthInteger>(_ values: UnsafePointer<T>, groups: Int, bitWidth: Int,
                                                 to dst: UnsafeMutableRawPointer) {
        switch bitWidth {
        case 1: packGroupsW(values, groups, 1, dst)
        case 2: packGroupsW(values, groups, 2, dst)
        case 3: packGroupsW(values, groups, 3, dst)
        case 4: packGroupsW(values, groups, 4, dst)
        case 5: packGroupsW(values, groups, 5, dst)
        case 6: packGroupsW(values, groups, 6, dst)
        case 7: packGroupsW(values, groups, 7, dst)
        case 8: packGroupsW(values, groups, 8, dst)
        case 9: packGroupsW(values, groups, 9, dst)
        case 10: packGroupsW(values, groups, 10, dst)
        case 11: packGroupsW(values, groups, 11, dst)
        case 12: packGroupsW(values, groups, 12, dst)
        case 13: packGroupsW(values, groups, 13, dst)
        case 14: packGroupsW(values, groups, 14, dst)
        case 15: packGroupsW(values, groups, 15, dst)
        case 16: packGroupsW(values, groups, 16, dst)
        case 17: packGroupsW(values, groups, 17, dst)
        case 18: packGroupsW(values, groups, 18, dst)
        case 19: packGroupsW(values, groups, 19, dst)
        case 20: packGroupsW(values, groups, 20, dst)
        case 21: packGroupsW(values, groups, 21, dst)
        case 22: packGroupsW(values, groups, 22, dst)
        case 23: packGroupsW(values, groups, 23, dst)
        case 24: packGroupsW(values, groups, 24, dst)
        default: packGroupsW(values, groups, bitWidth, dst)
        }
    }

    /// One group of 8 values per iteration, without branches: up to 8 bits wide a group is one 64-bit word,
    /// up to 16 two words, wider ones go through a byte-granular accumulator.
    @inline(__always)
    static func packGroupsW<T: FixedWidthInteger>(_ v: UnsafePointer<T>, _ groups: Int, _ bw: Int,
                                                  _ dst: UnsafeMutableRawPointer) {
        let mask: UInt64 = (1 << UInt64(bw)) &- 1
        let w = UInt64(bw)
        @inline(__always) func x(_ s: UnsafePointer<T>, _ k: Int) -> UInt64 { UInt64(truncatingIfNeeded: s[k]) & mask }
        if bw <= 8 {
            for g in 0..<groups {
                let s = v + 8 * g
                let a = x(s, 0) | x(s, 1) << w | x(s, 2) << (2 * w) | x(s, 3) << (3 * w)
                let b = x(s, 4) << (4 * w) | x(s, 5) << (5 * w) | x(s, 6) << (6 * w) | x(s, 7) << (7 * w)
                (dst + g * bw).storeBytes(of: (a | b).littleEndian, as: UInt64.self)
            }
        } else if bw <= 16 {
            let sh = 4 * w  // 36…64
            for g in 0..<groups {
                let s = v + 8 * g
                let lo = x(s, 0) | x(s, 1) << w | x(s, 2) << (2 * w) | x(s, 3) << (3 * w)
                let hi = x(s, 4) | x(s, 5) << w | x(s, 6) << (2 * w) | x(s, 7) << (3 * w)
                let w0 = sh < 64 ? lo | hi << sh : lo
                let w1 = sh < 64 ? hi >> (64 - sh) : hi
                let out = dst + g * bw
                out.storeBytes(of: w0.littleEndian, as: UInt64.self)
                out.storeBytes(of: w1.littleEndian, toByteOffset: 8, as: UInt64.self)
            }
        } else {
            for g in 0..<groups {
                let s = v + 8 * g
                let out = dst + g * bw
                var acc: UInt64 = 0
                var nbits: UInt64 = 0  // < 8 between values, so acc never overflows (bw ≤ 32)
                var pos = 0
                for k in 0..<8 {
                    acc |= x(s, k) << nbits
                    nbits += w
                    out.storeBytes(of: acc.littleEndian, toByteOffset: pos, as: UInt64.self)
                    let bytes = nbits >> 3
                    pos += Int(bytes)
                    acc >>= bytes << 3
                    nbits &= 7
                }
            }
        }
    }
}

// MARK: - MSB-first (legacy BIT_PACKED)

enum LegacyBitPacked {
    /// Decodes `count` values of `bitWidth` bits packed MSB-first. Caller checks `data` holds enough bits.
    static func unpack<T: FixedWidthInteger>(_ base: UnsafeRawPointer, bitWidth bw: Int, count: Int,
                                             into out: UnsafeMutablePointer<T>) {
        if bw == 0 { out.update(repeating: 0, count: count); return }
        var bit = 0
        for i in 0..<count {
            var v: UInt64 = 0
            for _ in 0..<bw {
                let byte = base.load(fromByteOffset: bit >> 3, as: UInt8.self)
                v = (v << 1) | UInt64((byte >> UInt8(7 - (bit & 7))) & 1)
                bit += 1
            }
            out[i] = T(truncatingIfNeeded: v)
        }
    }

    static func pack<T: FixedWidthInteger>(_ values: UnsafePointer<T>, count: Int, bitWidth bw: Int,
                                           into out: inout [UInt8]) {
        let nbytes = (count * bw + 7) / 8
        _ = out.appendWithPointer(count: nbytes, zero: 0) { p in
            p.initialize(repeating: 0, count: nbytes)
            var bit = 0
            for i in 0..<count {
                let v = UInt64(truncatingIfNeeded: values[i])
                for j in stride(from: bw - 1, through: 0, by: -1) {
                    if (v >> UInt64(j)) & 1 != 0 { p[bit >> 3] |= UInt8(0x80) >> UInt8(bit & 7) }
                    bit += 1
                }
            }
            return nbytes
        }
    }
}
