// PLAIN encoding (Encodings.md "PLAIN = 0") for every physical type, and the two BOOLEAN encodings.


/// The PLAIN encoding: fixed-width values little-endian back to back, BYTE_ARRAY values with a 4-byte
/// little-endian length prefix, FIXED_LEN_BYTE_ARRAY values raw, INT96 as 12 bytes.
public enum Plain {
    // MARK: decode

    /// Appends `count` fixed-width little-endian values (INT32, INT64, FLOAT, DOUBLE) to `out` with one memcpy.
    /// Returns the bytes consumed (`count * MemoryLayout<T>.size`).
    @_specialize(where T == Int32)
    @_specialize(where T == Int64)
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func decode<T: Numeric & BitwiseCopyable>(data: UnsafeRawBufferPointer, count: Int,
                                                            into out: inout [T]) throws -> Int {
        let w = MemoryLayout<T>.size
        guard count >= 0, count <= data.count / w else {
            throw ParquetError.corrupt("PLAIN: \(count) values of \(w) bytes need \(count * w) bytes, page has \(data.count)")
        }
        if count == 0 { return 0 }
        let src = data.baseAddress!
        _ = out.appendWithPointer(count: count, zero: 0) { dst in
            UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: count * w)
            return count
        }
        return count * w
    }

    /// Writes `count` fixed-width values of `width` bytes to `out` (raw copy). Returns bytes consumed.
    public static func decode(data: UnsafeRawBufferPointer, count: Int, width: Int,
                              into out: UnsafeMutableRawPointer) throws -> Int {
        guard count >= 0, width > 0, count <= data.count / width else {
            throw ParquetError.corrupt("PLAIN: \(count) values of \(width) bytes exceed the \(data.count) bytes in the page")
        }
        if count > 0 { out.copyMemory(from: data.baseAddress!, byteCount: count * width) }
        return count * width
    }

    /// Appends `count` INT32 values; returns the bytes consumed.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when `data` holds fewer than `count` values.
    public static func decodeInt32(data: UnsafeRawBufferPointer, count: Int, into out: inout [Int32]) throws -> Int {
        try decode(data: data, count: count, into: &out)
    }

    /// Appends `count` INT64 values; returns the bytes consumed.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when `data` holds fewer than `count` values.
    public static func decodeInt64(data: UnsafeRawBufferPointer, count: Int, into out: inout [Int64]) throws -> Int {
        try decode(data: data, count: count, into: &out)
    }

    /// Appends `count` FLOAT values; returns the bytes consumed.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when `data` holds fewer than `count` values.
    public static func decodeFloat(data: UnsafeRawBufferPointer, count: Int, into out: inout [Float]) throws -> Int {
        try decode(data: data, count: count, into: &out)
    }

    /// Appends `count` DOUBLE values; returns the bytes consumed.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when `data` holds fewer than `count` values.
    public static func decodeDouble(data: UnsafeRawBufferPointer, count: Int, into out: inout [Double]) throws -> Int {
        try decode(data: data, count: count, into: &out)
    }

    /// INT96: 12 bytes each (8 bytes nanos of day, 4 bytes Julian day, little-endian).
    public static func decodeInt96(data: UnsafeRawBufferPointer, count: Int, into out: inout [Int96]) throws -> Int {
        guard count >= 0, count <= data.count / 12 else {
            throw ParquetError.corrupt("PLAIN INT96: \(count) values need \(count * 12) bytes, page has \(data.count)")
        }
        if count == 0 { return 0 }
        let b = data.baseAddress!
        out.reserveCapacity(out.count + count)
        for i in 0..<count {
            out.append(Int96(nanosOfDay: loadLE64(b, i * 12), julianDay: loadLE32(b, i * 12 + 8)))
        }
        return count * 12
    }

    /// BYTE_ARRAY: each value is a 4-byte LE length then the bytes. Appends `count` values; returns bytes consumed.
    public static func decodeByteArray(data: UnsafeRawBufferPointer, count: Int,
                                       into out: inout ByteArrayBuffer) throws -> Int {
        guard count >= 0 else { throw ParquetError.corrupt("negative value count \(count)") }
        if count == 0 { return 0 }
        guard let b = data.baseAddress else {
            throw ParquetError.corrupt("PLAIN BYTE_ARRAY: \(count) values expected, page is empty")
        }
        let end = data.count
        // pass 1: validate lengths, total payload
        var pos = 0
        var total = 0
        for i in 0..<count {
            guard end - pos >= 4 else {
                throw ParquetError.corrupt("PLAIN BYTE_ARRAY: value \(i) of \(count): length prefix truncated")
            }
            let len = Int(loadLE32(b, pos))
            pos += 4
            guard len <= end - pos else {
                throw ParquetError.corrupt("PLAIN BYTE_ARRAY: value \(i) length \(len) exceeds the \(end - pos) bytes left")
            }
            pos += len
            total += len
        }
        let consumed = pos
        // pass 2: copy payloads and write offsets together
        let base0 = out.bytes.count
        _ = out.offsets.appendWithPointer(count: count, zero: 0) { off in
            _ = out.bytes.appendWithPointer(count: total + 16, zero: 0) { dst0 in
                let dst = UnsafeMutableRawPointer(dst0)
                var p = 0, o = 0
                for i in 0..<count {
                    let len = Int(loadLE32(b, p))
                    let s = p + 4
                    if len <= 16 && s + 16 <= end {
                        (dst + o).storeBytes(of: (b + s).loadUnaligned(as: UInt64.self), as: UInt64.self)
                        (dst + o + 8).storeBytes(of: (b + s + 8).loadUnaligned(as: UInt64.self), as: UInt64.self)
                    } else {
                        (dst + o).copyMemory(from: b + s, byteCount: len)
                    }
                    p = s + len
                    o += len
                    off[i] = base0 + o
                }
                return total
            }
            return count
        }
        return consumed
    }

    /// FIXED_LEN_BYTE_ARRAY: `count * out.width` bytes. Returns bytes consumed.
    public static func decodeFixedLenByteArray(data: UnsafeRawBufferPointer, count: Int,
                                               into out: inout FixedBuffer) throws -> Int {
        let w = out.width
        guard w > 0 else { throw ParquetError.corrupt("FIXED_LEN_BYTE_ARRAY width \(w) must be positive") }
        guard count >= 0, count <= data.count / w else {
            throw ParquetError.corrupt("PLAIN FIXED_LEN_BYTE_ARRAY: \(count) values of \(w) bytes exceed the \(data.count) bytes in the page")
        }
        if count == 0 { return 0 }
        out.bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: data[0..<(count * w)]))
        return count * w
    }

    // MARK: encode

    /// Appends the raw little-endian bytes of fixed-width values (INT32, INT64, FLOAT, DOUBLE).
    @_specialize(where T == Int32)
    @_specialize(where T == Int64)
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func encode<T: BitwiseCopyable>(_ values: UnsafeBufferPointer<T>, into out: inout [UInt8]) {
        out.append(contentsOf: UnsafeRawBufferPointer(values))
    }

    /// Appends fixed-width `values` (INT32, INT64, FLOAT, DOUBLE) little-endian to `out`.
    @_specialize(where T == Int32)
    @_specialize(where T == Int64)
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func encode<T: BitwiseCopyable>(_ values: [T], into out: inout [UInt8]) {
        values.withUnsafeBufferPointer { encode($0, into: &out) }
    }

    /// Appends INT96 `values` as 12 bytes each (nanoseconds of day, then Julian day, little-endian).
    public static func encodeInt96(_ values: [Int96], into out: inout [UInt8]) {
        out.reserveCapacity(out.count + values.count * 12)
        for v in values {
            withUnsafeBytes(of: v.nanosOfDay.littleEndian) { out.append(contentsOf: $0) }
            withUnsafeBytes(of: v.julianDay.littleEndian) { out.append(contentsOf: $0) }
        }
    }

    /// BYTE_ARRAY values `range` (default all) of `values`: 4-byte LE length + bytes each.
    public static func encodeByteArray(_ values: ByteArrayBuffer, range: Range<Int>? = nil, into out: inout [UInt8]) {
        let r = range ?? 0..<values.count
        if r.isEmpty { return }
        let payload = values.offsets[r.upperBound] - values.offsets[r.lowerBound]
        let total = payload + 4 * r.count
        values.offsets.withUnsafeBufferPointer { offs in
            values.bytes.withUnsafeBytes { src in
                _ = out.appendWithPointer(count: total, zero: 0) { dst in
                    let d = UnsafeMutableRawPointer(dst)
                    var o = 0
                    for i in r {
                        let s = offs[i], len = offs[i + 1] - s
                        d.storeBytes(of: UInt32(truncatingIfNeeded: len).littleEndian, toByteOffset: o, as: UInt32.self)
                        if len > 0 { (d + o + 4).copyMemory(from: src.baseAddress! + s, byteCount: len) }
                        o += 4 + len
                    }
                    return total
                }
            }
        }
    }

    /// FIXED_LEN_BYTE_ARRAY values `range` (default all): the bytes back to back.
    public static func encodeFixedLenByteArray(_ values: FixedBuffer, range: Range<Int>? = nil, into out: inout [UInt8]) {
        let r = range ?? 0..<values.count
        out.append(contentsOf: values.bytes[(r.lowerBound * values.width)..<(r.upperBound * values.width)])
    }
}

/// BOOLEAN encodings: PLAIN (bit-packed, LSB first) and RLE (4-byte length + hybrid with bit width 1).
public enum Booleans {
    /// Appends `count` booleans bit-packed LSB-first starting at bit `startBit` of `data`.
    /// Returns the bit position after the last value read (`startBit + count`), for batch-wise decoding.
    public static func decodePlain(data: UnsafeRawBufferPointer, count: Int, startBit: Int = 0,
                                   into out: inout [Bool]) throws -> Int {
        guard count >= 0, startBit >= 0, startBit + count <= data.count * 8 else {
            throw ParquetError.corrupt("PLAIN BOOLEAN: \(count) values from bit \(startBit) exceed the \(data.count) bytes in the page")
        }
        if count == 0 { return startBit }
        let b = data.baseAddress!.assumingMemoryBound(to: UInt8.self)
        _ = out.appendWithPointer(count: count, zero: false) { dst in
            var i = 0
            var bit = startBit
            while i < count && bit & 7 != 0 {
                dst[i] = (b[bit >> 3] >> UInt8(bit & 7)) & 1 != 0
                i += 1; bit += 1
            }
            let raw = UnsafeMutableRawPointer(dst)
            while i + 8 <= count {
                // spread 8 bits into 8 bytes of 0/1
                let byte = UInt64(b[bit >> 3])
                let spread = ((((byte &* 0x0101_0101_0101_0101) & 0x8040_2010_0804_0201) &+ 0x7F7F_7F7F_7F7F_7F7F) >> 7)
                    & 0x0101_0101_0101_0101
                raw.storeBytes(of: spread.littleEndian, toByteOffset: i, as: UInt64.self)
                i += 8; bit += 8
            }
            while i < count {
                dst[i] = (b[bit >> 3] >> UInt8(bit & 7)) & 1 != 0
                i += 1; bit += 1
            }
            return count
        }
        return startBit + count
    }

    /// RLE booleans (4-byte LE length prefix + hybrid runs of width 1). Appends exactly `count` values; returns
    /// the bytes consumed (4 + length).
    public static func decodeRLE(data: UnsafeRawBufferPointer, count: Int, into out: inout [Bool]) throws -> Int {
        guard data.count >= 4, let b = data.baseAddress else {
            throw ParquetError.corrupt("RLE BOOLEAN: missing 4-byte length prefix")
        }
        let len = Int(loadLE32(b, 0))
        guard len <= data.count - 4 else {
            throw ParquetError.corrupt("RLE BOOLEAN: length \(len) exceeds the \(data.count - 4) bytes left in the page")
        }
        var dec = RLEBitPackedHybridDecoder(data: UnsafeRawBufferPointer(start: b + 4, count: len), bitWidth: 1)
        let got = try out.appendWithPointer(count: count, zero: false) { dst in
            // values are masked to 1 bit, so every byte written is a valid Bool (0 or 1)
            try dst.withMemoryRebound(to: UInt8.self, capacity: count) { try dec.decodeGeneric(into: $0, count: count) }
        }
        guard got == count else {
            throw ParquetError.corrupt("RLE BOOLEAN: expected \(count) values, found \(got)")
        }
        return 4 + len
    }

    /// Appends BOOLEAN `values` PLAIN: bit-packed, least significant bit first, padded to a whole byte.
    public static func encodePlain(_ values: UnsafeBufferPointer<Bool>, into out: inout [UInt8]) {
        let n = values.count
        if n == 0 { return }
        let src = UnsafeRawPointer(values.baseAddress!).assumingMemoryBound(to: UInt8.self)
        _ = out.appendWithPointer(count: (n + 7) / 8, zero: 0) { dst in
            var i = 0
            while i + 8 <= n {
                let w = UnsafeRawPointer(src + i).loadUnaligned(as: UInt64.self)
                // gather bit 0 of each byte into one byte
                dst[i >> 3] = UInt8(truncatingIfNeeded: ((w & 0x0101_0101_0101_0101) &* 0x0102_0408_1020_4080) >> 56)
                i += 8
            }
            if i < n {
                var byte: UInt8 = 0
                for k in 0..<(n - i) where src[i + k] != 0 { byte |= 1 << UInt8(k) }
                dst[i >> 3] = byte
            }
            return (n + 7) / 8
        }
    }

    /// Appends BOOLEAN `values` PLAIN: bit-packed, least significant bit first, padded to a whole byte.
    public static func encodePlain(_ values: [Bool], into out: inout [UInt8]) {
        values.withUnsafeBufferPointer { encodePlain($0, into: &out) }
    }

    /// RLE booleans with the 4-byte length prefix.
    public static func encodeRLE(_ values: [Bool], into out: inout [UInt8]) {
        let start = out.count
        out.append(contentsOf: [0, 0, 0, 0])
        values.withUnsafeBufferPointer { b in
            b.withMemoryRebound(to: UInt8.self) { RLEBitPackedHybridEncoder.encode($0, bitWidth: 1, into: &out) }
        }
        let len = UInt32(out.count - start - 4)
        for k in 0..<4 { out[start + k] = UInt8(truncatingIfNeeded: len >> UInt32(8 * k)) }
    }
}
