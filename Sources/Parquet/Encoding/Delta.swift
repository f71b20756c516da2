// DELTA_BINARY_PACKED (INT32, INT64), DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY (Encodings.md).

/// The DELTA_BINARY_PACKED encoding of INT32 and INT64: blocks of 128 deltas from the block's minimum delta,
/// bit-packed in four miniblocks of 32 at the width each needs.
public enum DeltaBinaryPacked {
    /// Largest accepted block size; real writers use 128 (parquet-mr, arrow) up to a few thousand.
    static let maxBlockSize = 1 << 20

    /// Decodes up to `maxValues` INT64 values (fewer if the header's total count is smaller) and appends them.
    /// Returns the values decoded and the bytes consumed by the whole encoded stream (when the stream holds more
    /// values than asked, the remaining blocks are skipped over as far as the data goes).
    public static func decodeInt64(data: UnsafeRawBufferPointer, maxValues: Int,
                                   into out: inout [Int64]) throws -> (values: Int, bytesConsumed: Int) {
        try decode(data: data, maxValues: maxValues, into: &out)
    }

    /// INT32 variant: arithmetic wraps in 32 bits (deltas/min deltas wider than 32 bits are truncated mod 2^32).
    public static func decodeInt32(data: UnsafeRawBufferPointer, maxValues: Int,
                                   into out: inout [Int32]) throws -> (values: Int, bytesConsumed: Int) {
        try decode(data: data, maxValues: maxValues, into: &out)
    }

    @inline(__always)
    static func decode<T: FixedWidthInteger>(data: UnsafeRawBufferPointer, maxValues: Int,
                                             into out: inout [T]) throws -> (values: Int, bytesConsumed: Int) {
        guard let base = data.baseAddress, data.count > 0 else {
            throw ParquetError.corrupt("DELTA_BINARY_PACKED: empty data, header missing")
        }
        let end = data.count
        var pos = 0
        let blockSize = try readULEB128(base, end, &pos, "DELTA_BINARY_PACKED block size")
        let miniCount = try readULEB128(base, end, &pos, "DELTA_BINARY_PACKED miniblock count")
        let total = try readULEB128(base, end, &pos, "DELTA_BINARY_PACKED value count")
        let first = zigzagDecode(try readULEB128(base, end, &pos, "DELTA_BINARY_PACKED first value"))
        guard blockSize > 0, blockSize % 128 == 0, blockSize <= UInt64(maxBlockSize) else {
            throw ParquetError.corrupt("DELTA_BINARY_PACKED: block size \(blockSize) is not a positive multiple of 128 (≤ \(maxBlockSize))")
        }
        guard miniCount > 0, blockSize % miniCount == 0, (blockSize / miniCount) % 32 == 0 else {
            throw ParquetError.corrupt("DELTA_BINARY_PACKED: \(miniCount) miniblocks do not divide block size \(blockSize) into multiples of 32")
        }
        let perMini = Int(blockSize / miniCount)
        let minis = Int(miniCount)
        let want = Int(min(total, UInt64(max(0, maxValues))))
        if total == 0 { return (0, pos) }
        if want == 0 {
            var dummy: T = 0
            _ = try decodeBlocks(base, end, &pos, first: first, total: total, want: 0, perMini: perMini,
                                 minis: minis, into: &dummy)
            return (0, pos)
        }
        // `want` ≤ maxValues, which the caller bounds: values are unpacked straight into the output.
        let produced = try out.appendWithPointer(count: want, zero: 0) { dst in
            try decodeBlocks(base, end, &pos, first: first, total: total, want: want, perMini: perMini,
                             minis: minis, into: dst)
        }
        if produced < want {
            throw ParquetError.corrupt("DELTA_BINARY_PACKED: \(produced) of \(want) values decoded")
        }
        return (produced, pos)
    }

    /// Decodes the first value and the blocks; returns the values written to `dst` (== want unless corrupt).
    @inline(__always)
    static func decodeBlocks<T: FixedWidthInteger>(_ base: UnsafeRawPointer, _ end: Int, _ pos: inout Int,
                                                   first: UInt64, total: UInt64, want: Int, perMini: Int,
                                                   minis: Int, into dst: UnsafeMutablePointer<T>) throws -> Int {
        var produced = 0
        if want > 0 {
            dst[0] = T(truncatingIfNeeded: first)
            produced = 1
        }
        var remaining = total - 1  // values still encoded in blocks
        var last = T(truncatingIfNeeded: first)
        while remaining > 0 {
            let skipping = produced >= want
            let blockStart = pos
            let minDelta: T
            do {
                minDelta = T(truncatingIfNeeded: zigzagDecode(try readULEB128(base, end, &pos, "DELTA_BINARY_PACKED min delta")))
            } catch {
                if skipping { pos = blockStart; break }
                throw error
            }
            guard minis <= end - pos else {
                if skipping { pos = end; break }
                throw ParquetError.corrupt("DELTA_BINARY_PACKED: miniblock bit widths truncated")
            }
            let widths = pos
            pos += minis
            var m = 0
            while m < minis && remaining > 0 {
                let bw = Int(base.load(fromByteOffset: widths + m, as: UInt8.self))
                let inMini = Int(min(remaining, UInt64(perMini)))
                let avail = end - pos
                if produced < want {
                    guard bw <= 64 else {
                        throw ParquetError.corrupt("DELTA_BINARY_PACKED: miniblock bit width \(bw) exceeds 64")
                    }
                    let k = min(inMini, want - produced)
                    guard (k * bw + 7) / 8 <= avail else {
                        throw ParquetError.corrupt("DELTA_BINARY_PACKED: miniblock data truncated (needs \((k * bw + 7) / 8) bytes, \(avail) left)")
                    }
                    let o = dst + produced
                    BitUnpack.unpack(base + pos, available: avail, startBit: 0, bitWidth: bw, count: k, into: o)
                    var acc = last
                    for i in 0..<k {
                        acc = acc &+ minDelta &+ o[i]
                        o[i] = acc
                    }
                    last = acc
                    produced += k
                }
                pos += min(avail, perMini * bw / 8)
                remaining -= UInt64(inMini)
                m += 1
            }
            if skipping && pos >= end { break }
        }
        return produced
    }

    /// Appends the DELTA_BINARY_PACKED encoding of `values` (block size 128, 4 miniblocks of 32).
    public static func encode(_ values: UnsafeBufferPointer<Int64>, into out: inout [UInt8]) {
        encodeGeneric(values, into: &out)
    }

    /// INT32 variant: deltas wrap in 32 bits, so miniblock widths never exceed 32.
    public static func encode(_ values: UnsafeBufferPointer<Int32>, into out: inout [UInt8]) {
        encodeGeneric(values, into: &out)
    }

    /// Appends `values` DELTA_BINARY_PACKED to `out` (header, then blocks of 128 with four miniblocks each).
    public static func encode(_ values: [Int64], into out: inout [UInt8]) {
        values.withUnsafeBufferPointer { encodeGeneric($0, into: &out) }
    }

    /// Appends INT32 `values` DELTA_BINARY_PACKED to `out` (deltas wrap in 32 bits).
    public static func encode(_ values: [Int32], into out: inout [UInt8]) {
        values.withUnsafeBufferPointer { encodeGeneric($0, into: &out) }
    }

    static func encodeGeneric<T: FixedWidthInteger & SignedInteger>(_ values: UnsafeBufferPointer<T>,
                                                                     into out: inout [UInt8]) {
        let blockSize = 128, minis = 4, perMini = 32
        let n = values.count
        appendULEB128(UInt64(blockSize), to: &out)
        appendULEB128(UInt64(minis), to: &out)
        appendULEB128(UInt64(n), to: &out)
        guard n > 0, let v = values.baseAddress else {
            appendULEB128(0, to: &out)
            return
        }
        appendULEB128(zigzagEncode(Int64(v[0])), to: &out)
        var deltas = [T](repeating: 0, count: blockSize)
        var rel = [UInt64](repeating: 0, count: blockSize)
        var i = 1
        while i < n {
            let cnt = min(blockSize, n - i)
            var minD = T.max
            for j in 0..<cnt {
                let d = v[i + j] &- v[i + j - 1]
                deltas[j] = d
                if d < minD { minD = d }
            }
            for j in 0..<cnt { rel[j] = UInt64(truncatingIfNeeded: T.Magnitude(truncatingIfNeeded: deltas[j] &- minD)) }
            for j in cnt..<blockSize { rel[j] = 0 }
            appendULEB128(zigzagEncode(Int64(minD)), to: &out)
            let usedMinis = (cnt + perMini - 1) / perMini
            var widths = [Int](repeating: 0, count: minis)
            for m in 0..<usedMinis {
                var or: UInt64 = 0
                for j in (m * perMini)..<((m + 1) * perMini) { or |= rel[j] }
                widths[m] = bitsRequired(or)
            }
            for m in 0..<minis { out.append(UInt8(widths[m])) }
            rel.withUnsafeBufferPointer { r in
                for m in 0..<usedMinis {
                    BitPack.pack(r.baseAddress! + m * perMini, count: perMini, bitWidth: widths[m], into: &out)
                }
            }
            i += cnt
        }
    }
}

/// The DELTA_LENGTH_BYTE_ARRAY encoding: the lengths DELTA_BINARY_PACKED, then the values' bytes back to back.
public enum DeltaLengthByteArray {
    /// Decodes `count` values (delta-encoded lengths, then the bytes back to back) and appends them.
    /// Returns the bytes consumed.
    public static func decode(data: UnsafeRawBufferPointer, count: Int, into out: inout ByteArrayBuffer) throws -> Int {
        guard count >= 0 else { throw ParquetError.corrupt("negative value count \(count)") }
        if count == 0 && data.count == 0 { return 0 }
        var lengths: [Int32] = []
        let (got, used) = try DeltaBinaryPacked.decodeInt32(data: data, maxValues: count, into: &lengths)
        guard got == count else {
            throw ParquetError.corrupt("DELTA_LENGTH_BYTE_ARRAY: \(got) lengths for \(count) values")
        }
        let consumed = try appendConcatenated(lengths: lengths, data: data, from: used, into: &out,
                                              what: "DELTA_LENGTH_BYTE_ARRAY")
        return consumed
    }

    /// Appends values whose `lengths` are given and whose bytes start at `data[from...]`; returns end offset.
    static func appendConcatenated(lengths: [Int32], data: UnsafeRawBufferPointer, from: Int,
                                   into out: inout ByteArrayBuffer, what: StaticString) throws -> Int {
        var total = 0
        for (i, l) in lengths.enumerated() {
            guard l >= 0 else { throw ParquetError.corrupt("\(what): negative length \(l) for value \(i)") }
            total += Int(l)
        }
        guard total <= data.count - from else {
            throw ParquetError.corrupt("\(what): lengths add up to \(total) bytes, only \(data.count - from) left")
        }
        if total > 0 { out.bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: data[from..<(from + total)])) }
        let o0 = out.offsets[out.offsets.count - 1]
        lengths.withUnsafeBufferPointer { lp in
            _ = out.offsets.appendWithPointer(count: lp.count, zero: 0) { off in
                var o = o0
                for i in 0..<lp.count {
                    o += Int(lp[i])
                    off[i] = o
                }
                return lp.count
            }
        }
        return from + total
    }

    /// Appends the encoding of `values[range]` (default all).
    public static func encode(_ values: ByteArrayBuffer, range: Range<Int>? = nil, into out: inout [UInt8]) {
        let r = range ?? 0..<values.count
        var lengths = [Int32]()
        lengths.reserveCapacity(r.count)
        for i in r { lengths.append(Int32(truncatingIfNeeded: values.offsets[i + 1] - values.offsets[i])) }
        DeltaBinaryPacked.encode(lengths, into: &out)
        if !r.isEmpty { out.append(contentsOf: values.bytes[values.offsets[r.lowerBound]..<values.offsets[r.upperBound]]) }
    }
}

/// The DELTA_BYTE_ARRAY (incremental) encoding: per value, the length of the prefix shared with the previous
/// value and the remaining suffix (both as DELTA_LENGTH_BYTE_ARRAY streams).
public enum DeltaByteArray {
    /// Decodes `count` BYTE_ARRAY values (prefix lengths, suffix lengths, suffix bytes) and appends them.
    /// The first value's "previous" is empty (the state resets every page). Returns bytes consumed.
    /// Prefixes can make the output much larger than the page; more than `maxBytes` decoded bytes → `.corrupt`.
    public static func decode(data: UnsafeRawBufferPointer, count: Int, into out: inout ByteArrayBuffer,
                              maxBytes: Int = Int(Int32.max)) throws -> Int {
        try decodeGeneric(data: data, count: count, fixedWidth: nil, maxBytes: maxBytes, into: &out)
    }

    /// FIXED_LEN_BYTE_ARRAY variant: every reconstructed value must be `out.width` bytes.
    public static func decode(data: UnsafeRawBufferPointer, count: Int, into out: inout FixedBuffer) throws -> Int {
        var tmp = ByteArrayBuffer(reservingValues: count, bytes: count * out.width)
        let used = try decodeGeneric(data: data, count: count, fixedWidth: out.width, maxBytes: Int.max, into: &tmp)
        out.bytes.append(contentsOf: tmp.bytes)
        return used
    }

    static func decodeGeneric(data: UnsafeRawBufferPointer, count: Int, fixedWidth: Int?, maxBytes: Int,
                              into out: inout ByteArrayBuffer) throws -> Int {
        guard count >= 0 else { throw ParquetError.corrupt("negative value count \(count)") }
        if count == 0 && data.count == 0 { return 0 }
        var prefixes: [Int32] = []
        let (np, used1) = try DeltaBinaryPacked.decodeInt32(data: data, maxValues: count, into: &prefixes)
        guard np == count else { throw ParquetError.corrupt("DELTA_BYTE_ARRAY: \(np) prefix lengths for \(count) values") }
        var suffixes: [Int32] = []
        let rest = UnsafeRawBufferPointer(rebasing: data[used1...])
        let (ns, used2) = try DeltaBinaryPacked.decodeInt32(data: rest, maxValues: count, into: &suffixes)
        guard ns == count else { throw ParquetError.corrupt("DELTA_BYTE_ARRAY: \(ns) suffix lengths for \(count) values") }
        let sufStart = used1 + used2
        // validate and size
        var total = 0, sufTotal = 0, prev = 0
        for i in 0..<count {
            let p = Int(prefixes[i]), s = Int(suffixes[i])
            guard p >= 0, s >= 0 else {
                throw ParquetError.corrupt("DELTA_BYTE_ARRAY: negative prefix/suffix length at value \(i)")
            }
            guard p <= prev else {
                throw ParquetError.corrupt("DELTA_BYTE_ARRAY: prefix length \(p) at value \(i) exceeds previous value length \(prev)")
            }
            let len = p + s
            if let w = fixedWidth, len != w {
                throw ParquetError.corrupt("DELTA_BYTE_ARRAY: value \(i) has length \(len), FIXED_LEN_BYTE_ARRAY width is \(w)")
            }
            total += len
            sufTotal += s
            prev = len
            guard total <= maxBytes else {
                throw ParquetError.corrupt("DELTA_BYTE_ARRAY: decoded values exceed \(maxBytes) bytes")
            }
        }
        guard sufTotal <= data.count - sufStart else {
            throw ParquetError.corrupt("DELTA_BYTE_ARRAY: suffixes need \(sufTotal) bytes, only \(data.count - sufStart) left")
        }
        let base0 = out.bytes.count
        let src = data.baseAddress.map { $0 + sufStart }
        _ = out.bytes.appendWithPointer(count: total, zero: 0) { dstp in
            let dst = UnsafeMutableRawPointer(dstp)
            var o = 0, s0 = 0, prevStart = 0
            for i in 0..<count {
                let p = Int(prefixes[i]), s = Int(suffixes[i])
                if p > 0 { (dst + o).copyMemory(from: dst + prevStart, byteCount: p) }
                if s > 0 { (dst + o + p).copyMemory(from: src! + s0, byteCount: s) }
                prevStart = o
                o += p + s
                s0 += s
            }
            return total
        }
        var o = base0
        out.offsets.reserveCapacity(out.offsets.count + count)
        for i in 0..<count {
            o += Int(prefixes[i]) + Int(suffixes[i])
            out.offsets.append(o)
        }
        return sufStart + sufTotal
    }

    /// Appends the DELTA_BYTE_ARRAY encoding of `values[range]` (default all).
    public static func encode(_ values: ByteArrayBuffer, range: Range<Int>? = nil, into out: inout [UInt8]) {
        let r = range ?? 0..<values.count
        var prefixes = [Int32](), suffixes = [Int32]()
        prefixes.reserveCapacity(r.count); suffixes.reserveCapacity(r.count)
        values.bytes.withUnsafeBytes { b in
            var prevStart = 0, prevLen = 0
            for i in r {
                let s = values.offsets[i], len = values.offsets[i + 1] - s
                var p = 0
                let lim = min(len, prevLen)
                while p < lim && b[prevStart + p] == b[s + p] { p += 1 }
                prefixes.append(Int32(p)); suffixes.append(Int32(len - p))
                prevStart = s; prevLen = len
            }
        }
        DeltaBinaryPacked.encode(prefixes, into: &out)
        DeltaBinaryPacked.encode(suffixes, into: &out)
        var k = 0
        for i in r {
            let s = values.offsets[i] + Int(prefixes[k]), e = values.offsets[i + 1]
            out.append(contentsOf: values.bytes[s..<e])
            k += 1
        }
    }

    /// FIXED_LEN_BYTE_ARRAY variant.
    public static func encode(_ values: FixedBuffer, range: Range<Int>? = nil, into out: inout [UInt8]) {
        let r = range ?? 0..<values.count
        var tmp = ByteArrayBuffer(reservingValues: r.count, bytes: r.count * values.width)
        for i in r { tmp.append(contentsOf: values[i]) }
        encode(tmp, into: &out)
    }
}
