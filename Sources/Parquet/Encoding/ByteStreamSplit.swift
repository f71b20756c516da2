// BYTE_STREAM_SPLIT (Encodings.md "BYTE_STREAM_SPLIT = 9"): K byte streams of N bytes for values of K bytes.

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
            for i in 0..<count {
                let v = UInt32(src.load(fromByteOffset: i, as: UInt8.self))
                    | UInt32(src.load(fromByteOffset: n + i, as: UInt8.self)) << 8
                    | UInt32(src.load(fromByteOffset: 2 * n + i, as: UInt8.self)) << 16
                    | UInt32(src.load(fromByteOffset: 3 * n + i, as: UInt8.self)) << 24
                out.storeBytes(of: v.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
            }
        case 8:
            for i in 0..<count {
                var v: UInt64 = 0
                for k in 0..<8 { v |= UInt64(src.load(fromByteOffset: k * n + i, as: UInt8.self)) << UInt64(8 * k) }
                out.storeBytes(of: v.littleEndian, toByteOffset: 8 * i, as: UInt64.self)
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

    public static func encode<T: BitwiseCopyable>(_ values: [T], into out: inout [UInt8]) {
        values.withUnsafeBytes { encode($0, width: MemoryLayout<T>.size, into: &out) }
    }

    public static func encode(_ values: FixedBuffer, into out: inout [UInt8]) {
        values.bytes.withUnsafeBytes { encode($0, width: values.width, into: &out) }
    }
}
