// BYTE_STREAM_SPLIT (Encodings.md "BYTE_STREAM_SPLIT = 9"): K byte streams of N bytes for values of K bytes.

/// The BYTE_STREAM_SPLIT encoding: byte `k` of every value goes to stream `k`, which makes floating-point data
/// compress better. Linear in the data size.
public enum ByteStreamSplit {
    /// Reassembles `count` values of `width` bytes into `out` (room for `count * width` bytes).
    /// The stream length N is `data.count / width` (the page's value count); `data.count` must be a multiple of
    /// `width` and N ≥ `count`. Returns the bytes consumed (`data.count`).
    public static func decode(data: UnsafeRawBufferPointer, count: Int, width: Int,
                              into out: UnsafeMutableRawPointer) throws -> Int {
        guard width > 0 else { throw ParquetError.corrupt("BYTE_STREAM_SPLIT: width \(width) must be positive") }
        guard count >= 0, data.count % width == 0, data.count / width >= count else {
            throw ParquetError.corrupt("BYTE_STREAM_SPLIT: \(data.count) bytes do not hold \(count) values of \(width) bytes in \(width) equal streams")
        }
        if count == 0 { return data.count }
        let n = data.count / width
        let src = data.baseAddress!
        switch width {
        case 4:
            var i = 0
            while i + 4 <= count {
                // 4x4 byte transpose: row k = stream k, values i..i+3
                var r0 = loadLE32(src, i), r1 = loadLE32(src, n + i)
                var r2 = loadLE32(src, 2 * n + i), r3 = loadLE32(src, 3 * n + i)
                var t = ((r0 >> 8) ^ r1) & 0x00FF_00FF; r1 ^= t; r0 ^= t << 8
                t = ((r2 >> 8) ^ r3) & 0x00FF_00FF; r3 ^= t; r2 ^= t << 8
                t = ((r0 >> 16) ^ r2) & 0x0000_FFFF; r2 ^= t; r0 ^= t << 16
                t = ((r1 >> 16) ^ r3) & 0x0000_FFFF; r3 ^= t; r1 ^= t << 16
                out.storeBytes(of: r0.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
                out.storeBytes(of: r1.littleEndian, toByteOffset: 4 * i + 4, as: UInt32.self)
                out.storeBytes(of: r2.littleEndian, toByteOffset: 4 * i + 8, as: UInt32.self)
                out.storeBytes(of: r3.littleEndian, toByteOffset: 4 * i + 12, as: UInt32.self)
                i += 4
            }
            while i < count {
                let v = UInt32(src.load(fromByteOffset: i, as: UInt8.self))
                    | UInt32(src.load(fromByteOffset: n + i, as: UInt8.self)) << 8
                    | UInt32(src.load(fromByteOffset: 2 * n + i, as: UInt8.self)) << 16
                    | UInt32(src.load(fromByteOffset: 3 * n + i, as: UInt8.self)) << 24
                out.storeBytes(of: v.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
                i += 1
            }
        case 8:
            var i = 0
            while i + 8 <= count {
                // 8x8 byte transpose in three swap stages: row k = stream k, values i..i+7
                var r0 = loadLE64(src, i), r1 = loadLE64(src, n + i), r2 = loadLE64(src, 2 * n + i)
                var r3 = loadLE64(src, 3 * n + i), r4 = loadLE64(src, 4 * n + i), r5 = loadLE64(src, 5 * n + i)
                var r6 = loadLE64(src, 6 * n + i), r7 = loadLE64(src, 7 * n + i)
                let m1: UInt64 = 0x00FF_00FF_00FF_00FF, m2: UInt64 = 0x0000_FFFF_0000_FFFF, m4: UInt64 = 0x0000_0000_FFFF_FFFF
                var t = ((r0 >> 8) ^ r1) & m1; r1 ^= t; r0 ^= t << 8
                t = ((r2 >> 8) ^ r3) & m1; r3 ^= t; r2 ^= t << 8
                t = ((r4 >> 8) ^ r5) & m1; r5 ^= t; r4 ^= t << 8
                t = ((r6 >> 8) ^ r7) & m1; r7 ^= t; r6 ^= t << 8
                t = ((r0 >> 16) ^ r2) & m2; r2 ^= t; r0 ^= t << 16
                t = ((r1 >> 16) ^ r3) & m2; r3 ^= t; r1 ^= t << 16
                t = ((r4 >> 16) ^ r6) & m2; r6 ^= t; r4 ^= t << 16
                t = ((r5 >> 16) ^ r7) & m2; r7 ^= t; r5 ^= t << 16
                t = ((r0 >> 32) ^ r4) & m4; r4 ^= t; r0 ^= t << 32
                t = ((r1 >> 32) ^ r5) & m4; r5 ^= t; r1 ^= t << 32
                t = ((r2 >> 32) ^ r6) & m4; r6 ^= t; r2 ^= t << 32
                t = ((r3 >> 32) ^ r7) & m4; r7 ^= t; r3 ^= t << 32
                let o = 8 * i
                out.storeBytes(of: r0.littleEndian, toByteOffset: o, as: UInt64.self)
                out.storeBytes(of: r1.littleEndian, toByteOffset: o + 8, as: UInt64.self)
                out.storeBytes(of: r2.littleEndian, toByteOffset: o + 16, as: UInt64.self)
                out.storeBytes(of: r3.littleEndian, toByteOffset: o + 24, as: UInt64.self)
                out.storeBytes(of: r4.littleEndian, toByteOffset: o + 32, as: UInt64.self)
                out.storeBytes(of: r5.littleEndian, toByteOffset: o + 40, as: UInt64.self)
                out.storeBytes(of: r6.littleEndian, toByteOffset: o + 48, as: UInt64.self)
                out.storeBytes(of: r7.littleEndian, toByteOffset: o + 56, as: UInt64.self)
                i += 8
            }
            while i < count {
                var v: UInt64 = 0
                for k in 0..<8 { v |= UInt64(src.load(fromByteOffset: k * n + i, as: UInt8.self)) << UInt64(8 * k) }
                out.storeBytes(of: v.littleEndian, toByteOffset: 8 * i, as: UInt64.self)
                i += 1
            }
        case 2:
            for i in 0..<count {
                let v = UInt16(src.load(fromByteOffset: i, as: UInt8.self))
                    | UInt16(src.load(fromByteOffset: n + i, as: UInt8.self)) << 8
                out.storeBytes(of: v.littleEndian, toByteOffset: 2 * i, as: UInt16.self)
            }
        default:
            let o = out.assumingMemoryBound(to: UInt8.self)
            for k in 0..<width {
                let s = (src + k * n).assumingMemoryBound(to: UInt8.self)
                for i in 0..<count { o[i * width + k] = s[i] }
            }
        }
        return data.count
    }

    /// Fixed-width numeric values (FLOAT, DOUBLE, INT32, INT64): appends `count` values.
    @_specialize(where T == Int32)
    @_specialize(where T == Int64)
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func decode<T: Numeric & BitwiseCopyable>(data: UnsafeRawBufferPointer, count: Int,
                                                            into out: inout [T]) throws -> Int {
        var used = 0
        _ = try out.appendWithPointer(count: count, zero: 0) { p in
            used = try decode(data: data, count: count, width: MemoryLayout<T>.size, into: UnsafeMutableRawPointer(p))
            return count
        }
        if count == 0 { used = try decode(data: data, count: 0, width: MemoryLayout<T>.size, into: UnsafeMutableRawPointer(bitPattern: 16)!) }
        return used
    }

    /// FIXED_LEN_BYTE_ARRAY (any width, e.g. 2 for FLOAT16): appends `count` values of `out.width` bytes.
    public static func decode(data: UnsafeRawBufferPointer, count: Int, into out: inout FixedBuffer) throws -> Int {
        let w = out.width
        guard w > 0 else { throw ParquetError.corrupt("BYTE_STREAM_SPLIT: width \(w) must be positive") }
        var used = 0
        if count <= 0 {
            return try decode(data: data, count: count, width: w, into: UnsafeMutableRawPointer(bitPattern: 16)!)
        }
        _ = try out.bytes.appendWithPointer(count: count * w, zero: 0) { p in
            used = try decode(data: data, count: count, width: w, into: UnsafeMutableRawPointer(p))
            return count * w
        }
        return used
    }

    /// Appends the split streams of `count` values of `width` bytes stored back to back at `values`.
    public static func encode(_ values: UnsafeRawBufferPointer, width: Int, into out: inout [UInt8]) {
        guard width > 0 else { return }
        let n = values.count / width
        if n == 0 { return }
        let src = values.baseAddress!.assumingMemoryBound(to: UInt8.self)
        _ = out.appendWithPointer(count: n * width, zero: 0) { dst in
            for k in 0..<width {
                let d = dst + k * n
                for i in 0..<n { d[i] = src[i * width + k] }
            }
            return n * width
        }
    }

    /// Appends `values` (FLOAT, DOUBLE, INT32 or INT64) split into `MemoryLayout<T>.size` byte streams to `out`.
    @_specialize(where T == Int32)
    @_specialize(where T == Int64)
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func encode<T: BitwiseCopyable>(_ values: [T], into out: inout [UInt8]) {
        values.withUnsafeBytes { encode($0, width: MemoryLayout<T>.size, into: &out) }
    }

    /// Appends FIXED_LEN_BYTE_ARRAY `values` split into `width` byte streams to `out`.
    public static func encode(_ values: FixedBuffer, into out: inout [UInt8]) {
        values.bytes.withUnsafeBytes { encode($0, width: values.width, into: &out) }
    }
}
