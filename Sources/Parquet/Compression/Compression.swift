// Page compression codecs (Compression.md) over the system C libraries, plus the page CRC-32.

import CCodecs

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Page compression and decompression for every codec Parquet defines except LZO, over the system libraries
/// (snappy, zlib, brotli, lz4, zstd), with size checks so a forged page cannot allocate more than its bytes could
/// decode to.
public enum Compression {
    /// Default cap on a page's declared uncompressed size: what the format allows (PageHeader's
    /// `uncompressed_page_size` is an i32, so 2 GiB - 1). A forged size is also checked against the compressed
    /// bytes present (`maxExpansion`) before anything is allocated.
    public static let defaultMaxUncompressedSize = Int(Int32.max)

    /// The most bytes `compressed` bytes of a codec can decode to (its format's best case, with slack): snappy
    /// copies emit at most 64 bytes per 2-byte tag, LZ4 255 per byte of run length, DEFLATE 258 per 1-2 bits
    /// (zlib's bound 1032:1), ZSTD at most a 128 KiB RLE block per 4 bytes. BROTLI has no useful bound (1.2 GiB
    /// of zeros take 1.9 KB), so only the format's limit applies to it.
    public static func maxExpansion(_ codec: CompressionCodec, compressed: Int) -> Int {
        let c = max(compressed, 0)
        switch codec {
        case .uncompressed: return c
        case .snappy: return c &* 32 &+ 64
        case .lz4, .lz4Raw: return c &* 256 &+ 64
        case .gzip: return c &* 1032 &+ 64
        case .zstd: return c &* 32768 &+ (1 << 17)
        default: return Int.max
        }
    }

    /// Decompresses `input` into `out`, replacing its contents (its capacity is reused). The result must be exactly
    /// `uncompressedSize` bytes, else `.corrupt`. `uncompressedSize` above `maxSize` is rejected before allocating.
    /// LZO → `.unsupported`. LZ4 (deprecated) tries Hadoop framing, then the LZ4 frame format, then a raw block.
    public static func decompress(_ codec: CompressionCodec, input: UnsafeRawBufferPointer, uncompressedSize: Int,
                                  into out: inout [UInt8], maxSize: Int = defaultMaxUncompressedSize) throws {
        guard uncompressedSize >= 0 else {
            throw ParquetError.corrupt("negative uncompressed page size \(uncompressedSize)")
        }
        guard uncompressedSize <= maxSize else {
            throw ParquetError.corrupt("uncompressed page size \(uncompressedSize) exceeds the limit of \(maxSize) bytes")
        }
        let bound = maxExpansion(codec, compressed: input.count)
        guard uncompressedSize <= bound else {
            throw ParquetError.corrupt(
                "page header says \(uncompressedSize) uncompressed bytes, more than \(input.count) bytes of \(codec) can hold (at most \(bound))")
        }
        let size = uncompressedSize
        let src = input.baseAddress ?? UnsafeRawPointer(emptyInput)
        let srcCount = input.baseAddress == nil ? 0 : input.count
        switch codec {
        case .uncompressed:
            guard srcCount == size else {
                throw ParquetError.corrupt("UNCOMPRESSED page: \(srcCount) bytes but header says \(size)")
            }
            try replace(&out, count: size) { dst in
                if size > 0 { dst.copyMemory(from: src, byteCount: size) }
            }
        case .snappy:
            var len = 0
            guard snappy_uncompressed_length(src.assumingMemoryBound(to: CChar.self), srcCount, &len) == SNAPPY_OK else {
                throw ParquetError.corrupt("SNAPPY: invalid compressed data (bad length preamble)")
            }
            guard len == size else {
                throw ParquetError.corrupt("SNAPPY: data decompresses to \(len) bytes, page header says \(size)")
            }
            try replace(&out, count: size) { dst in
                var outLen = size
                let st = snappy_uncompress(src.assumingMemoryBound(to: CChar.self), srcCount,
                                           dst.assumingMemoryBound(to: CChar.self), &outLen)
                guard st == SNAPPY_OK, outLen == size else {
                    throw ParquetError.corrupt("SNAPPY: decompression failed (status \(st.rawValue))")
                }
            }
        case .gzip:
            try replace(&out, count: size) { dst in
                try gunzip(src, srcCount, dst, size)
            }
        case .zstd:
            let fcs = ZSTD_getFrameContentSize(src, srcCount)
            if fcs < UInt64.max - 1 && fcs > UInt64(size) {
                throw ParquetError.corrupt("ZSTD: frame declares \(fcs) bytes, page header says \(size)")
            }
            try replace(&out, count: size) { dst in
                let dctx = zstdDCtx()
                let r = ZSTD_decompressDCtx(dctx, dst, size, src, srcCount)
                if ZSTD_isError(r) != 0 {
                    throw ParquetError.corrupt("ZSTD: \(String(cString: ZSTD_getErrorName(r)))")
                }
                guard r == size else { throw ParquetError.corrupt("ZSTD: decompressed \(r) bytes, page header says \(size)") }
            }
        case .brotli:
            try replace(&out, count: size) { dst in
                var outLen = size
                let r = BrotliDecoderDecompress(srcCount, src.assumingMemoryBound(to: UInt8.self), &outLen,
                                                dst.assumingMemoryBound(to: UInt8.self))
                guard r == BROTLI_DECODER_RESULT_SUCCESS else {
                    throw ParquetError.corrupt("BROTLI: decompression failed (corrupt data or more than \(size) bytes)")
                }
                guard outLen == size else {
                    throw ParquetError.corrupt("BROTLI: decompressed \(outLen) bytes, page header says \(size)")
                }
            }
        case .lz4Raw:
            try replace(&out, count: size) { dst in
                guard lz4Block(src, srcCount, dst, size) else {
                    throw ParquetError.corrupt("LZ4_RAW: invalid block or size differs from \(size) bytes")
                }
            }
        case .lz4:
            try replace(&out, count: size) { dst in
                if lz4Hadoop(src, srcCount, dst, size) { return }
                if lz4Frame(src, srcCount, dst, size) { return }
                if lz4Block(src, srcCount, dst, size) { return }
                throw ParquetError.corrupt("LZ4: data is neither Hadoop-framed, an LZ4 frame nor an LZ4 block of \(size) bytes")
            }
        case .lzo:
            throw ParquetError.unsupported("LZO compression is not supported")
        case .unknown(let v):
            throw ParquetError.unsupported("unknown compression codec \(v)")
        }
    }

    /// Decompresses `input` (see the `UnsafeRawBufferPointer` overload for the checks and errors).
    public static func decompress(_ codec: CompressionCodec, input: [UInt8], uncompressedSize: Int,
                                  into out: inout [UInt8], maxSize: Int = defaultMaxUncompressedSize) throws {
        try input.withUnsafeBytes {
            try decompress(codec, input: $0, uncompressedSize: uncompressedSize, into: &out, maxSize: maxSize)
        }
    }

    /// Compresses `input` into `out`, replacing its contents. `level`: GZIP 0…9 (default 6), ZSTD (default 3),
    /// BROTLI quality 0…11 (default 5); ignored by the others. LZ4 writes one Hadoop frame; LZO → `.unsupported`.
    public static func compress(_ codec: CompressionCodec, input: UnsafeRawBufferPointer, level: Int? = nil,
                                into out: inout [UInt8]) throws {
        let src = input.baseAddress ?? UnsafeRawPointer(emptyInput)
        let n = input.baseAddress == nil ? 0 : input.count
        switch codec {
        case .uncompressed:
            try replace(&out, count: n) { dst in if n > 0 { dst.copyMemory(from: src, byteCount: n) } }
        case .snappy:
            // Floe's own encoder (SnappyEncoder): standard raw Snappy, smaller than libsnappy 1.1.9's output
            _ = try replaceBounded(&out, bound: SnappyEncoder.maxCompressedLength(n)) { dst in
                SnappyEncoder.compress(UnsafeRawBufferPointer(start: src, count: n), into: dst)
            }
        case .gzip:
            _ = try replaceBounded(&out, bound: gzipBound(n)) { dst in
                try gzip(src, n, dst, gzipBound(n), level: level ?? 6)
            }
        case .zstd:
            let bound = ZSTD_compressBound(n)
            _ = try replaceBounded(&out, bound: bound) { dst in
                let r = ZSTD_compress(dst, bound, src, n, Int32(level ?? 3))
                if ZSTD_isError(r) != 0 { throw ParquetError.io("ZSTD: \(String(cString: ZSTD_getErrorName(r)))") }
                return r
            }
        case .brotli:
            var bound = BrotliEncoderMaxCompressedSize(n)
            if bound == 0 { bound = n + (n >> 2) + 1024 }
            _ = try replaceBounded(&out, bound: bound) { dst in
                var len = bound
                let ok = BrotliEncoderCompress(Int32(level ?? 5), BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, n,
                                               src.assumingMemoryBound(to: UInt8.self), &len,
                                               dst.assumingMemoryBound(to: UInt8.self))
                guard ok != 0 else { throw ParquetError.io("BROTLI compression failed") }
                return len
            }
        case .lz4Raw:
            guard n <= Int(LZ4_MAX_INPUT_SIZE) else { throw ParquetError.invalidArgument("LZ4_RAW: page too large") }
            let bound = Int(LZ4_compressBound(Int32(n)))
            _ = try replaceBounded(&out, bound: bound) { dst in
                let r = LZ4_compress_default(src.assumingMemoryBound(to: CChar.self), dst.assumingMemoryBound(to: CChar.self),
                                             Int32(n), Int32(bound))
                guard r > 0 || n == 0 else { throw ParquetError.io("LZ4 compression failed") }
                return Int(r)
            }
        case .lz4:
            guard n <= Int(LZ4_MAX_INPUT_SIZE) else { throw ParquetError.invalidArgument("LZ4: page too large") }
            let bound = Int(LZ4_compressBound(Int32(n))) + 8
            _ = try replaceBounded(&out, bound: bound) { dst in
                let r = LZ4_compress_default(src.assumingMemoryBound(to: CChar.self),
                                             (dst + 8).assumingMemoryBound(to: CChar.self), Int32(n), Int32(bound - 8))
                guard r > 0 || n == 0 else { throw ParquetError.io("LZ4 compression failed") }
                dst.storeBytes(of: UInt32(n).bigEndian, as: UInt32.self)
                dst.storeBytes(of: UInt32(r).bigEndian, toByteOffset: 4, as: UInt32.self)
                return Int(r) + 8
            }
        case .lzo:
            throw ParquetError.unsupported("LZO compression is not supported")
        case .unknown(let v):
            throw ParquetError.unsupported("unknown compression codec \(v)")
        }
    }

    /// Compresses `input` with `codec` at `level` (`nil`: the codec's default) into `out` (replacing its contents).
    ///
    /// - Throws: ``ParquetError/unsupported(_:)`` for LZO or an unknown codec; ``ParquetError/io(_:)`` when the
    ///   library fails; ``ParquetError/invalidArgument(_:)`` for an LZ4_RAW page above LZ4's input limit.
    public static func compress(_ codec: CompressionCodec, input: [UInt8], level: Int? = nil,
                                into out: inout [UInt8]) throws {
        try input.withUnsafeBytes { try compress(codec, input: $0, level: level, into: &out) }
    }

    /// Standard CRC-32 (zlib), as used for Parquet page checksums.
    public static func crc32(_ data: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        guard let base = data.baseAddress else { return seed }
        var crc = UInt(seed)
        var off = 0
        while off < data.count {
            let chunk = min(data.count - off, 1 << 30)
            crc = CCodecs.crc32(crc, (base + off).assumingMemoryBound(to: Bytef.self), uInt(chunk))
            off += chunk
        }
        return UInt32(truncatingIfNeeded: crc)
    }

    // MARK: - output buffer management

    nonisolated(unsafe) static let emptyInput = UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 16)

    /// Makes `out` exactly `count` bytes (reusing its capacity, without zero-filling) and lets `body` write them.
    /// On error `out` is left empty.
    static func replace(_ out: inout [UInt8], count: Int, _ body: (UnsafeMutableRawPointer) throws -> Void) throws {
        out.removeAll(keepingCapacity: true)
        if count == 0 {
            try body(emptyInput)
            return
        }
        _ = try out.appendWithPointer(count: count, zero: 0) { p in
            try body(UnsafeMutableRawPointer(p))
            return count
        }
    }

    /// Like `replace` for an upper bound; `body` returns the bytes actually written and `out` is trimmed to that.
    static func replaceBounded(_ out: inout [UInt8], bound: Int, _ body: (UnsafeMutableRawPointer) throws -> Int) throws -> Int {
        var used = 0
        try replace(&out, count: bound) { used = try body($0) }
        out.removeSubrange(used...)
        return used
    }

    // MARK: - zlib

    static func gunzip(_ src: UnsafeRawPointer, _ srcCount: Int, _ dst: UnsafeMutableRawPointer, _ size: Int) throws {
        guard srcCount <= Int(UInt32.max), size <= Int(UInt32.max) else {
            throw ParquetError.corrupt("GZIP: page larger than 4 GiB")
        }
        var strm = z_stream()
        guard inflateInit2_(&strm, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ParquetError.io("GZIP: inflateInit failed")
        }
        defer { inflateEnd(&strm) }
        strm.next_in = UnsafeMutablePointer(mutating: src.assumingMemoryBound(to: Bytef.self))
        strm.avail_in = uInt(srcCount)
        strm.next_out = dst.assumingMemoryBound(to: Bytef.self)
        strm.avail_out = uInt(size)
        while true {
            let r = inflate(&strm, Z_NO_FLUSH)
            if r == Z_STREAM_END {
                if strm.avail_in == 0 { break }
                // another gzip member follows (or trailing zero padding, which some writers leave)
                let rest = UnsafeRawBufferPointer(start: strm.next_in, count: Int(strm.avail_in))
                if rest.allSatisfy({ $0 == 0 }) { break }
                guard inflateReset(&strm) == Z_OK else { throw ParquetError.corrupt("GZIP: cannot reset for next member") }
                continue
            }
            if r == Z_OK { continue }
            if r == Z_BUF_ERROR {
                if strm.avail_out == 0 {
                    throw ParquetError.corrupt("GZIP: data decompresses to more than the \(size) bytes the page header says")
                }
                throw ParquetError.corrupt("GZIP: compressed data truncated")
            }
            let msg = strm.msg.map { String(cString: $0) } ?? "error \(r)"
            throw ParquetError.corrupt("GZIP: \(msg)")
        }
        let produced = size - Int(strm.avail_out)
        guard produced == size else {
            throw ParquetError.corrupt("GZIP: decompressed \(produced) bytes, page header says \(size)")
        }
    }

    static func gzipBound(_ n: Int) -> Int { n + (n >> 12) + (n >> 14) + (n >> 25) + 13 + 18 + 64 }

    static func gzip(_ src: UnsafeRawPointer, _ n: Int, _ dst: UnsafeMutableRawPointer, _ cap: Int, level: Int) throws -> Int {
        guard n <= Int(UInt32.max) else { throw ParquetError.invalidArgument("GZIP: page larger than 4 GiB") }
        var strm = z_stream()
        guard deflateInit2_(&strm, Int32(max(-1, min(level, 9))), Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                            zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ParquetError.io("GZIP: deflateInit failed")
        }
        defer { deflateEnd(&strm) }
        strm.next_in = UnsafeMutablePointer(mutating: src.assumingMemoryBound(to: Bytef.self))
        strm.avail_in = uInt(n)
        strm.next_out = dst.assumingMemoryBound(to: Bytef.self)
        strm.avail_out = uInt(min(cap, Int(UInt32.max)))
        let r = deflate(&strm, Z_FINISH)
        guard r == Z_STREAM_END else { throw ParquetError.io("GZIP: deflate failed (\(r))") }
        return Int(strm.total_out)
    }

    // MARK: - zstd

    /// One decompression context per thread, freed when the thread exits.
    static let zstdKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { p in
            #if canImport(Darwin)
            ZSTD_freeDCtx(OpaquePointer(p))
            #else
            if let p { ZSTD_freeDCtx(OpaquePointer(p)) }
            #endif
        }
        return key
    }()

    static func zstdDCtx() -> OpaquePointer? {
        if let p = pthread_getspecific(zstdKey) { return OpaquePointer(p) }
        let ctx = ZSTD_createDCtx()
        pthread_setspecific(zstdKey, UnsafeRawPointer(ctx))
        return ctx
    }

    // MARK: - lz4

    static func lz4Block(_ src: UnsafeRawPointer, _ n: Int, _ dst: UnsafeMutableRawPointer, _ size: Int) -> Bool {
        guard n <= Int(Int32.max), size <= Int(Int32.max) else { return false }
        if size == 0 { return n == 1 && src.load(as: UInt8.self) == 0 || n == 0 }
        let r = LZ4_decompress_safe(src.assumingMemoryBound(to: CChar.self), dst.assumingMemoryBound(to: CChar.self),
                                    Int32(n), Int32(size))
        return Int(r) == size
    }

    /// Hadoop framing: repeated [BE32 uncompressed size][BE32 compressed size][LZ4 block], exactly covering input
    /// and output.
    static func lz4Hadoop(_ src: UnsafeRawPointer, _ n: Int, _ dst: UnsafeMutableRawPointer, _ size: Int) -> Bool {
        var ip = 0, op = 0
        while n - ip >= 8 {
            let u = Int(UInt32(bigEndian: src.loadUnaligned(fromByteOffset: ip, as: UInt32.self)))
            let c = Int(UInt32(bigEndian: src.loadUnaligned(fromByteOffset: ip + 4, as: UInt32.self)))
            ip += 8
            guard c <= n - ip, u <= size - op else { return false }
            guard lz4Block(src + ip, c, dst + op, u) else { return false }
            ip += c
            op += u
        }
        return ip == n && op == size && n > 0
    }

    static func lz4Frame(_ src: UnsafeRawPointer, _ n: Int, _ dst: UnsafeMutableRawPointer, _ size: Int) -> Bool {
        var ctx: OpaquePointer?
        guard LZ4F_isError(LZ4F_createDecompressionContext(&ctx, UInt32(LZ4F_VERSION))) == 0, let ctx else { return false }
        defer { LZ4F_freeDecompressionContext(ctx) }
        var ip = 0, op = 0
        var finished = false
        while ip < n {
            var dstSize = size - op
            var srcSize = n - ip
            let r = LZ4F_decompress(ctx, dst + op, &dstSize, src + ip, &srcSize, nil)
            if LZ4F_isError(r) != 0 { return false }
            ip += srcSize
            op += dstSize
            finished = r == 0
            if !finished && srcSize == 0 && dstSize == 0 { return false }
        }
        return finished && op == size
    }
}

/// Standard CRC-32 (zlib's), as used for Parquet page checksums (over the compressed page bytes).
public func crc32(_ data: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
    Compression.crc32(data, seed: seed)
}
