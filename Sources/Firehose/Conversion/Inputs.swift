// Inputs: plain, gzip (`.gz`) and zstd (`.zst`) files, stdin; read in chunks of whole lines.

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

/// gzip (or zlib) stream decompression (concatenated members too).
final class GzipSource: NDJSONByteSource {
    var inner: FileDescriptorByteSource
    var stream = z_stream()
    let inBuf = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 18)
    var eof = false
    var ended = false

    init(fd: Int32) throws {
        inner = FileDescriptorByteSource(fileDescriptor: fd)
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw InputError(message: "zlib init failed")
        }
    }
    deinit {
        inflateEnd(&stream)
        inBuf.deallocate()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            if stream.avail_in == 0 && !eof {
                let n = try inner.read(into: UnsafeMutableRawBufferPointer(start: inBuf, count: 1 << 18))
                if n == 0 { eof = true } else { stream.avail_in = UInt32(n) }
                stream.next_in = inBuf
            }
            if stream.avail_in == 0 && eof { return 0 }
            if ended {
                // another gzip member follows
                inflateReset(&stream)
                ended = false
            }
            stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            stream.avail_out = UInt32(buffer.count)
            let r = inflate(&stream, Z_NO_FLUSH)
            let produced = buffer.count - Int(stream.avail_out)
            if r == Z_STREAM_END { ended = true }
            else if r != Z_OK && r != Z_BUF_ERROR { throw InputError(message: "gzip: corrupt input (zlib error \(r))") }
            if produced > 0 { return produced }
            if r == Z_BUF_ERROR && eof { throw InputError(message: "gzip: truncated input") }
        }
    }
}

final class ZstdSource: NDJSONByteSource {
    var inner: FileDescriptorByteSource
    let ds: OpaquePointer
    let inBuf = UnsafeMutableRawPointer.allocate(byteCount: 1 << 18, alignment: 16)
    var input = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
    var eof = false
    var lastRet = 0

    init(fd: Int32) throws {
        inner = FileDescriptorByteSource(fileDescriptor: fd)
        guard let d = ZSTD_createDStream() else { throw InputError(message: "zstd init failed") }
        ds = d
        ZSTD_initDStream(ds)
    }
    deinit {
        ZSTD_freeDStream(ds)
        inBuf.deallocate()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            if input.pos >= input.size && !eof {
                let n = try inner.read(into: UnsafeMutableRawBufferPointer(start: inBuf, count: 1 << 18))
                if n == 0 { eof = true }
                input = ZSTD_inBuffer(src: UnsafeRawPointer(inBuf), size: n, pos: 0)
            }
            if input.pos >= input.size && eof {
                if lastRet != 0 { throw InputError(message: "zstd: truncated input") }
                return 0
            }
            var out = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
            let r = ZSTD_decompressStream(ds, &out, &input)
            if ZSTD_isError(r) != 0 {
                throw InputError(message: "zstd: \(String(cString: ZSTD_getErrorName(r)))")
            }
            lastRet = r
            if out.pos > 0 { return out.pos }
        }
    }
}

/// Reads whole lines in chunks of about `target` bytes.
final class ChunkReader {
    var source: any NDJSONByteSource
    let fd: Int32
    let ownsFD: Bool
    var carry: [UInt8] = []
    var readBuf = [UInt8](repeating: 0, count: 1 << 20)
    var atEOF = false
    /// Stream offset of the next chunk's first byte; line number of its first line.
    var offset: Int64 = 0
    var line = 1

    init(path: String) throws {
        if path == "-" {
            fd = 0
            ownsFD = false
        } else {
            fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw InputError(message: "cannot open: \(String(cString: strerror(errno)))") }
            ownsFD = true
        }
        if path.hasSuffix(".gz") {
            source = try GzipSource(fd: fd)
        } else if path.hasSuffix(".zst") || path.hasSuffix(".zstd") {
            source = try ZstdSource(fd: fd)
        } else {
            source = FileDescriptorByteSource(fileDescriptor: fd)
        }
    }
    deinit { if ownsFD { close(fd) } }

    /// Skips `bytes` bytes of the (decompressed) stream and sets the line counter (resume).
    func skip(to bytes: Int64, line: Int) throws {
        if bytes == 0 { return }
        if source is FileDescriptorByteSource, lseek(fd, off_t(bytes), SEEK_SET) >= 0 {
            offset = bytes
            self.line = line
            return
        }
        var left = bytes
        while left > 0 {
            let n = try readBuf.withUnsafeMutableBytes { p in
                try source.read(into: UnsafeMutableRawBufferPointer(rebasing: p[0..<Int(min(Int64(p.count), left))]))
            }
            if n == 0 { break }
            left -= Int64(n)
        }
        offset = bytes
        self.line = line
    }

    /// Fills `data` with whole lines (the last line of the stream may lack its `\n`). `interactive`: return as
    /// soon as at least one whole line is there and no more input is ready (waiting up to `waitMillis` for it).
    /// Returns false at the end of input with nothing read (or, interactive, when nothing came in time).
    func next(into data: inout [UInt8], target: Int, interactive: Bool = false, waitMillis: Int32 = 0) throws -> Bool {
        data.removeAll(keepingCapacity: true)
        data.append(contentsOf: carry)
        carry.removeAll(keepingCapacity: true)
        while true {
            let hasLine = data.contains(0x0A)
            if data.count >= target || (interactive && hasLine && !readable(0)) || atEOF {
                if atEOF {
                    return !data.isEmpty
                }
                if let p = data.lastIndex(of: 0x0A) {
                    carry.append(contentsOf: data[(p + 1)...])
                    data.removeSubrange((p + 1)...)
                    return true
                }
            }
            if interactive && !hasLine && !readable(waitMillis) {
                // nothing complete yet: hand back the partial line
                carry.append(contentsOf: data)
                data.removeAll(keepingCapacity: true)
                return false
            }
            let want = min(readBuf.count, max(64 << 10, target - data.count))
            let n = try readBuf.withUnsafeMutableBytes { p in
                try source.read(into: UnsafeMutableRawBufferPointer(rebasing: p[0..<want]))
            }
            if n == 0 { atEOF = true; continue }
            data.append(contentsOf: readBuf[0..<n])
        }
    }

    private func readable(_ ms: Int32) -> Bool {
        guard source is FileDescriptorByteSource else { return true }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let r = poll(&p, 1, ms)
        return r > 0
    }
}
