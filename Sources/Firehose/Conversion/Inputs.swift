// Inputs: plain, gzip (`.gz`), zstd (`.zst`) and brotli (`.br`) files, stdin; read in chunks of whole lines.

import CCodecs
import JSON
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct InputError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

// Every decompressor reports a truncated or corrupt stream as an error naming the byte offset in the compressed
// file (issue 11, rule 4): the end of the file inside a gzip member, a zstd frame or a brotli stream is
// "truncated", never a silent end of input. Concatenated gzip members (and zstd frames) are one stream.

/// gzip (or zlib) stream decompression (concatenated members too).
final class GzipSource: NDJSONByteSource {
    var inner: any NDJSONByteSource
    var stream = z_stream()
    let inBuf = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 18)
    var eof = false
    /// Between members (before the first one, or after a member's end): the input may end here.
    var betweenMembers = true
    /// Compressed bytes read from the file so far.
    var bytesRead: Int64 = 0

    init(_ source: any NDJSONByteSource) throws {
        inner = source
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw InputError(message: "zlib init failed")
        }
    }
    deinit {
        inflateEnd(&stream)
        inBuf.deallocate()
    }

    /// Offset in the compressed file of the next byte zlib would consume.
    var offset: Int64 { bytesRead - Int64(stream.avail_in) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            if stream.avail_in == 0 && !eof {
                let n = try inner.read(into: UnsafeMutableRawBufferPointer(start: inBuf, count: 1 << 18))
                if n == 0 { eof = true } else { stream.avail_in = UInt32(n); bytesRead += Int64(n) }
                stream.next_in = inBuf
            }
            if stream.avail_in == 0 && eof {
                if betweenMembers { return 0 }
                throw InputError(message: "gzip: truncated input: the file ends at byte \(offset) inside a compressed member")
            }
            if betweenMembers {
                // another gzip member follows (or the first one starts)
                if offset > 0 { inflateReset(&stream) }
                betweenMembers = false
            }
            let at = offset
            stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            stream.avail_out = UInt32(buffer.count)
            let r = inflate(&stream, Z_NO_FLUSH)
            let produced = buffer.count - Int(stream.avail_out)
            if r == Z_STREAM_END {
                betweenMembers = true
            } else if r != Z_OK && r != Z_BUF_ERROR {
                let why = stream.msg.map { String(cString: $0) } ?? "zlib error \(r)"
                throw InputError(message: "gzip: corrupt input near byte \(at): \(why)")
            }
            if produced > 0 { return produced }
        }
    }
}

final class ZstdSource: NDJSONByteSource {
    var inner: any NDJSONByteSource
    let ds: OpaquePointer
    let inBuf = UnsafeMutableRawPointer.allocate(byteCount: 1 << 18, alignment: 16)
    var input = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
    var eof = false
    var lastRet = 0
    var bytesRead: Int64 = 0

    init(_ source: any NDJSONByteSource) throws {
        inner = source
        guard let d = ZSTD_createDStream() else { throw InputError(message: "zstd init failed") }
        ds = d
        ZSTD_initDStream(ds)
    }
    deinit {
        ZSTD_freeDStream(ds)
        inBuf.deallocate()
    }

    var offset: Int64 { bytesRead - Int64(input.size - input.pos) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            if input.pos >= input.size && !eof {
                let n = try inner.read(into: UnsafeMutableRawBufferPointer(start: inBuf, count: 1 << 18))
                if n == 0 { eof = true }
                bytesRead += Int64(n)
                input = ZSTD_inBuffer(src: UnsafeRawPointer(inBuf), size: n, pos: 0)
            }
            if input.pos >= input.size && eof {
                if lastRet != 0 {
                    throw InputError(message: "zstd: truncated input: the file ends at byte \(offset) inside a frame")
                }
                return 0
            }
            let at = offset
            var out = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
            let r = ZSTD_decompressStream(ds, &out, &input)
            if ZSTD_isError(r) != 0 {
                throw InputError(message: "zstd: corrupt input near byte \(at): \(String(cString: ZSTD_getErrorName(r)))")
            }
            lastRet = r
            if out.pos > 0 { return out.pos }
        }
    }
}

/// brotli stream decompression (`.br` inputs).
final class BrotliSource: NDJSONByteSource {
    var inner: any NDJSONByteSource
    let state: OpaquePointer
    let inBuf = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 18)
    var next: UnsafePointer<UInt8>?
    var available = 0
    var eof = false
    var finished = false
    var bytesRead: Int64 = 0

    init(_ source: any NDJSONByteSource) throws {
        inner = source
        guard let s = BrotliDecoderCreateInstance(nil, nil, nil) else { throw InputError(message: "brotli init failed") }
        state = s
    }
    deinit {
        BrotliDecoderDestroyInstance(state)
        inBuf.deallocate()
    }

    var offset: Int64 { bytesRead - Int64(available) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            if finished {
                if available > 0 { throw InputError(message: "brotli: corrupt input: data after the end of the stream at byte \(offset)") }
                if !eof {
                    let n = try inner.read(into: UnsafeMutableRawBufferPointer(start: inBuf, count: 1 << 18))
                    if n == 0 { eof = true; return 0 }
                    bytesRead += Int64(n)
                    available = n
                    next = UnsafePointer(inBuf)
                    continue
                }
                return 0
            }
            if available == 0 && !eof {
                let n = try inner.read(into: UnsafeMutableRawBufferPointer(start: inBuf, count: 1 << 18))
                if n == 0 { eof = true } else { bytesRead += Int64(n) }
                available = n
                next = UnsafePointer(inBuf)
            }
            let at = offset
            var outLeft = buffer.count
            var outPtr: UnsafeMutablePointer<UInt8>? = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let r = BrotliDecoderDecompressStream(state, &available, &next, &outLeft, &outPtr, nil)
            let produced = buffer.count - outLeft
            switch r {
            case BROTLI_DECODER_RESULT_SUCCESS:
                finished = true
            case BROTLI_DECODER_RESULT_ERROR:
                let why = String(cString: BrotliDecoderErrorString(BrotliDecoderGetErrorCode(state)))
                throw InputError(message: "brotli: corrupt input near byte \(at): \(why)")
            case BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT:
                if eof && produced == 0 {
                    throw InputError(message: "brotli: truncated input: the file ends at byte \(offset) inside the stream")
                }
            default:
                break
            }
            if produced > 0 { return produced }
        }
    }
}

/// A growable byte buffer for chunks of input (no zero-filling, no copy-on-write).
final class ChunkBuffer {
    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    var count = 0

    init(capacity: Int = 1 << 16) {
        self.capacity = max(16, capacity)
        base = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 16)
    }
    deinit { base.deallocate() }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    func reserve(_ n: Int) {
        guard n > capacity else { return }
        base = movedBytes(base, count: count, capacity: &capacity, minimum: n)
    }

    /// Removes the first `n` bytes.
    func dropFirst(_ n: Int) {
        let k = Swift.min(n, count)
        if count > k { memmove(base, base + k, count - k) }
        count -= k
    }

    func append(_ p: UnsafeRawBufferPointer) {
        guard p.count > 0 else { return }
        reserve(count + p.count)
        (base + count).copyMemory(from: p.baseAddress!, byteCount: p.count)
        count += p.count
    }
}

/// Number of `\n` bytes in `p`: 32 bytes per step, lane counters (a matching lane's mask is all ones, so
/// subtracting it adds one) summed every 255 steps.
func countNewlines(_ p: UnsafeRawBufferPointer) -> Int {
    guard let b = p.baseAddress else { return 0 }
    let n = p.count
    var i = 0
    var total = 0
    let nl = SIMD32<UInt8>(repeating: 0x0A)
    while i &+ 32 <= n {
        var acc = SIMD32<UInt8>(repeating: 0)
        var steps = 0
        while steps < 255 && i &+ 32 <= n {
            let v = b.loadUnaligned(fromByteOffset: i, as: SIMD32<UInt8>.self)
            acc &-= unsafeBitCast(v .== nl, to: SIMD32<UInt8>.self)
            i &+= 32
            steps &+= 1
        }
        total &+= Int(SIMD32<UInt16>(truncatingIfNeeded: acc).wrappedSum())
    }
    while i < n {
        if b.load(fromByteOffset: i, as: UInt8.self) == 0x0A { total &+= 1 }
        i &+= 1
    }
    return total
}

/// What `ChunkReader.next` read.
struct ChunkInfo {
    /// Bytes of the stream the chunk covers (more than the buffer holds when a line was too long).
    var streamBytes: Int64
    /// A line longer than the limit (its length): the buffer holds its first `maxLine` bytes; the rest was
    /// skipped.
    var oversizeLine: Int64?
}

/// Reads whole lines in chunks of about `target` bytes.
final class ChunkReader {
    var source: any NDJSONByteSource
    let fd: Int32
    let ownsFD: Bool
    let carry = ChunkBuffer()
    var atEOF = false
    /// Stream offset of the next chunk's first byte; line number of its first line.
    var offset: Int64 = 0
    var line = 1
    /// Longest line kept whole; a longer one becomes a failed record holding its first `maxLine` bytes.
    var maxLine = 64 << 20
    /// Stop requested: read only what is ready now (at most `drainLimit` more bytes), then end the input.
    var drainOnly = false
    var drainLimit: Int64 = 64 << 20
    private var drained: Int64 = 0

    init(path: String) throws {
        if path == "-" {
            fd = 0
            ownsFD = false
        } else {
            // A named input is a regular file; FIFOs and devices only through `-` (issue 11, rule 5). O_NONBLOCK
            // keeps the open of a FIFO without a writer from hanging.
            fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
            guard fd >= 0 else { throw InputError(message: "cannot open: \(String(cString: strerror(errno)))") }
            var st = stat()
            guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
                close(fd)
                throw InputError(message: "not a regular file (read streams through -)")
            }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
            ownsFD = true
        }
        source = try ChunkReader.decompressing(FileDescriptorByteSource(fileDescriptor: fd), name: path)
    }

    /// Reads an object of a store (`name`, its URL, tells the compression by its suffix, as for files).
    init(object: ObjectByteSource, name: String) throws {
        fd = -1
        ownsFD = false
        source = try ChunkReader.decompressing(object, name: name)
    }
    deinit { if ownsFD { close(fd) } }

    /// `raw` read through the decompressor that `name`'s extension calls for (none for other names).
    static func decompressing(_ raw: any NDJSONByteSource, name: String) throws -> any NDJSONByteSource {
        if !isCompressed(name) { return raw }
        if name.hasSuffix(".gz") { return try GzipSource(raw) }
        if name.hasSuffix(".zst") || name.hasSuffix(".zstd") { return try ZstdSource(raw) }
        return try BrotliSource(raw)
    }

    /// Whether `path` is read through a decompressor (by its extension: `.gz`, `.zst`, `.zstd`, `.br`).
    static func isCompressed(_ path: String) -> Bool {
        path.hasSuffix(".gz") || path.hasSuffix(".zst") || path.hasSuffix(".zstd") || path.hasSuffix(".br")
    }

    /// Chunks of about `target` bytes the rest of a plain file holds (at least 1); Int.max when unknown
    /// (compressed or a stream).
    func chunkEstimate(target: Int) -> Int {
        guard source is FileDescriptorByteSource, ownsFD else { return Int.max }  // objects stream too
        var st = stat()
        guard fstat(fd, &st) == 0 else { return Int.max }
        let left = max(0, Int64(st.st_size) - offset)
        return Int(min(Int64(Int32.max), left / Int64(max(1, target)) + 1))
    }

    /// Skips `bytes` bytes of the (decompressed) stream and sets the line counter (resume).
    func skip(to bytes: Int64, line: Int) throws {
        if bytes == 0 { return }
        if source is FileDescriptorByteSource, lseek(fd, off_t(bytes), SEEK_SET) >= 0 {
            offset = bytes
            self.line = line
            return
        }
        if let object = source as? ObjectByteSource {
            // a plain object: the next GET starts there
            object.reader.seek(to: bytes)
            offset = bytes
            self.line = line
            return
        }
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { scratch.deallocate() }
        var left = bytes
        while left > 0 {
            let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: scratch[0..<Int(min(Int64(scratch.count), left))]))
            if n == 0 { break }
            left -= Int64(n)
        }
        offset = bytes
        self.line = line
    }

    /// Fills `buf` with whole lines, about `target` bytes (the last line of the stream may lack its `\n`).
    /// `interactive`: return as soon as at least one whole line is there and no more input is ready (waiting
    /// up to `waitMillis` for it). Returns nil at the end of input with nothing read (or, interactive, when
    /// nothing came in time).
    func next(into buf: ChunkBuffer, target: Int, interactive: Bool = false, waitMillis: Int32 = 0) throws -> ChunkInfo? {
        buf.count = 0
        buf.append(carry.bytes)
        carry.count = 0
        var lastNL = -1  // the carry never holds a newline
        while true {
            if atEOF {
                return buf.count > 0 ? ChunkInfo(streamBytes: Int64(buf.count)) : nil
            }
            // stop requested: what is not ready now is not read; a partial last line is the last record
            if drainOnly && (drained >= drainLimit || !readable(0)) { atEOF = true; continue }
            if lastNL >= 0 && (buf.count >= target || (interactive && !readable(0))) {
                carry.append(UnsafeRawBufferPointer(start: buf.base + lastNL + 1, count: buf.count - lastNL - 1))
                buf.count = lastNL + 1
                return ChunkInfo(streamBytes: Int64(buf.count))
            }
            if lastNL < 0 && buf.count > maxLine {
                return try skipLongLine(buf)
            }
            if interactive && lastNL < 0 && !readable(waitMillis) {
                // nothing complete yet: hand back the partial line
                carry.append(buf.bytes)
                buf.count = 0
                return nil
            }
            let want = min(8 << 20, max(64 << 10, target - buf.count))
            buf.reserve(buf.count + want)
            let n = try source.read(into: UnsafeMutableRawBufferPointer(start: buf.base + buf.count, count: want))
            if n == 0 { atEOF = true; continue }
            if drainOnly { drained += Int64(n) }
            var k = buf.count + n - 1
            while k >= buf.count && buf.base.load(fromByteOffset: k, as: UInt8.self) != 0x0A { k -= 1 }
            if k >= buf.count { lastNL = k }
            buf.count += n
        }
    }

    /// The line in `buf` has no end within `maxLine` bytes: keep its first `maxLine` bytes, read on to its end
    /// (or the end of input) and carry what follows.
    private func skipLongLine(_ buf: ChunkBuffer) throws -> ChunkInfo {
        var total = Int64(buf.count)
        var length: Int64 = 0
        buf.count = maxLine
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { scratch.deallocate() }
        while true {
            let n = try source.read(into: scratch)
            if n == 0 { atEOF = true; length = total; break }
            if let hit = memchr(scratch.baseAddress!, 0x0A, n) {
                let k = UnsafeRawPointer(hit) - UnsafeRawPointer(scratch.baseAddress!)
                total += Int64(k + 1)
                length = total - 1
                carry.append(UnsafeRawBufferPointer(rebasing: scratch[(k + 1)..<n]))
                break
            }
            total += Int64(n)
        }
        return ChunkInfo(streamBytes: total, oversizeLine: length)
    }

    private func readable(_ ms: Int32) -> Bool {
        guard source is FileDescriptorByteSource else { return true }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let r = poll(&p, 1, ms)
        return r > 0
    }
}

/// A plain regular file read in parallel: range k holds the lines that *start* in
/// [origin + k·C, origin + (k+1)·C) (the last range runs to the end of the file), so each worker finds its own
/// lines with `pread` and no reader is shared. Line numbers are counted per range and made absolute by the
/// ordered delivery step.
final class RangeInput: @unchecked Sendable {
    let fd: Int32
    let origin: Int64
    let size: Int64
    let chunk: Int64
    /// Longest line kept whole; a longer one is cut to `maxLine + 1` bytes (its length noted).
    let maxLine: Int

    /// nil when `path` is not a plain regular file (stdin, pipes, compressed files use `ChunkReader`).
    init?(path: String, origin: Int64, chunk: Int, maxLine: Int) {
        if path == "-" || ChunkReader.isCompressed(path) { return nil }
        // O_NONBLOCK: a named pipe given as a path must not block the open (it is not a range input)
        let f = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard f >= 0 else { return nil }
        var st = stat()
        guard fstat(f, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(f)
            return nil
        }
        fd = f
        self.origin = origin
        size = Int64(st.st_size)
        self.chunk = Int64(max(1, chunk))
        self.maxLine = maxLine
    }
    deinit { close(fd) }

    /// Number of ranges.
    var count: Int { size <= origin ? 0 : Int((size - origin + chunk - 1) / chunk) }

    /// What `read` found.
    struct Range {
        /// Buffer index of the first line; stream offsets of the first line and past the last.
        var begin = 0
        var start: Int64 = 0
        var end: Int64 = 0
        var newlines = 0
        /// Cut lines: buffer index of the line's start -> its whole length.
        var oversize: [Int: Int64] = [:]
        var isEmpty: Bool { end <= start }
    }

    private func pread(_ buf: ChunkBuffer, at pos: Int64, want: Int) throws -> Int {
        buf.reserve(buf.count + want)
        while true {
            let n = Glibc.pread(fd, buf.base + buf.count, want, off_t(pos))
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw InputError(message: "read failed: \(String(cString: strerror(errno)))") }
            buf.count += n
            return n
        }
    }

    /// Reads the lines of range `k` into `buf` (each ends with `\n`, except the file's last line without one).
    func read(_ k: Int, into buf: ChunkBuffer) throws -> Range {
        let lo = origin + Int64(k) * chunk
        let hi = k == count - 1 ? Int64.max : lo + chunk
        buf.count = 0
        var r = Range()
        // `pos` is the stream offset of buf[count]; delta maps buffer indices to stream offsets until a line
        // is cut
        var pos = k == 0 ? lo : lo - 1
        var delta = pos
        var n = try pread(buf, at: pos, want: Int(chunk) + 65536)
        pos += Int64(n)
        var i = 0
        if k > 0 {
            // the first line starting at or after lo follows the first newline at or after lo - 1
            var scan = 0
            while true {
                if let hit = memchr(buf.base + scan, 0x0A, buf.count - scan) {
                    i = UnsafeMutableRawPointer(hit) - buf.base + 1
                    break
                }
                scan = buf.count
                if delta + Int64(scan) >= hi || n == 0 {
                    buf.count = 0
                    return r
                }
                n = try pread(buf, at: pos, want: 1 << 20)
                pos += Int64(n)
            }
        }
        r.begin = i
        r.start = delta + Int64(i)
        if r.start >= hi { buf.count = 0; return Range(begin: i, start: r.start, end: r.start) }
        var eof = n == 0
        while delta + Int64(i) < hi {
            var scan = i
            var end = -1
            while true {
                if scan < buf.count, let hit = memchr(buf.base + scan, 0x0A, buf.count - scan) {
                    end = UnsafeMutableRawPointer(hit) - buf.base
                    break
                }
                scan = buf.count
                if eof { break }
                if scan - i > maxLine { break }
                n = try pread(buf, at: pos, want: max(1 << 20, min(buf.count - i, maxLine + 1)))
                pos += Int64(n)
                if n == 0 { eof = true }
            }
            if end < 0 && !eof {
                // a line longer than maxLine: keep maxLine + 1 bytes, skip to its end
                var length = Int64(buf.count - i)
                buf.count = i + maxLine + 1
                var scratch = [UInt8](repeating: 0, count: 1 << 20)
                var found = -1
                var got = 0
                while true {
                    got = scratch.withUnsafeMutableBytes { Glibc.pread(fd, $0.baseAddress, $0.count, off_t(pos)) }
                    if got < 0 && errno == EINTR { continue }
                    if got < 0 { throw InputError(message: "read failed: \(String(cString: strerror(errno)))") }
                    if got == 0 { eof = true; break }
                    if let j = scratch.withUnsafeBytes({ p in memchr(p.baseAddress!, 0x0A, got).map { UnsafeRawPointer($0) - p.baseAddress! } }) {
                        found = j
                        break
                    }
                    length += Int64(got)
                    pos += Int64(got)
                }
                r.oversize[i] = length + Int64(max(0, found))
                let lineStart = delta + Int64(i)
                if found < 0 {
                    r.end = lineStart + length
                    r.newlines += 0
                    return r
                }
                // terminate the cut line and go on after its newline
                pos += Int64(found + 1)
                withUnsafeBytes(of: UInt8(0x0A)) { buf.append($0) }
                r.newlines += 1
                i = buf.count
                delta = pos - Int64(i)
                continue
            }
            if end < 0 {
                // the last line of the file, without a newline
                r.end = delta + Int64(buf.count)
                return r
            }
            r.newlines += 1
            i = end + 1
        }
        // lines from `i` on belong to the next range
        buf.count = i
        r.end = delta + Int64(i)
        return r
    }
}
