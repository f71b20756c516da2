// The spill file of a writer's open row group: an unlinked temporary file next to the output that column writers
// move their finished pages to (from their own threads) once the row group holds more page bytes than
// `WriterOptions.spillThreshold`; the pages are copied into place (in the kernel, `copy_file_range`) when the row
// group is written. Keeps the writer's memory flat whatever the row-group size.
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class PageSpill: @unchecked Sendable {
    /// Page bytes held in memory by all columns of the open row group, above which the row group's pages go to
    /// the spill file (those held so far, and every page after them as it is finished).
    let threshold: Int
    private let path: String
    private var fd: Int32 = -1
    private var end: Int64 = 0
    private var held = 0
    private var streaming = false
    private let lock = Mutex(())

    init(path: String, threshold: Int) {
        self.path = path
        self.threshold = max(0, threshold)
    }

    deinit {
        if fd >= 0 { _ = close(fd) }
    }

    /// Whether the open row group's pages go to the spill file (it went over the threshold).
    var isStreaming: Bool {
        lock.withLock { _ in streaming }
    }

    /// Notes `delta` more (or fewer) page bytes held in memory; returns whether the row group is over the
    /// threshold (from then on, until `reset()`, pages go to the spill file).
    func noteHeld(_ delta: Int) -> Bool {
        lock.withLock { _ in
            held += delta
            if held > threshold { streaming = true }
            return streaming
        }
    }

    /// Appends `a` then `b` to the spill file (`held` of them were counted as held in memory); returns their
    /// offset in it.
    func append(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0),
                held wasHeld: Int) throws -> Int64 {
        let (f, at) = lock.withLock { _ in
            if fd < 0 {
                fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
                if fd >= 0 { unlink(path) }
            }
            let at = end
            end += Int64(a.count + b.count)
            held -= wasHeld
            return (fd, at)
        }
        guard f >= 0 else { throw ParquetError.io("cannot create \(path): \(String(cString: strerror(errno)))") }
        try writeAll(f, a, at: at)
        try writeAll(f, b, at: at + Int64(a.count))
        return at
    }

    private func writeAll(_ f: Int32, _ bytes: UnsafeRawBufferPointer, at: Int64) throws {
        var done = 0
        while done < bytes.count {
            let r = pwrite(f, bytes.baseAddress! + done, bytes.count - done, off_t(at) + off_t(done))
            if r < 0 {
                if errno == EINTR { continue }
                throw ParquetError.io("spill write failed: \(String(cString: strerror(errno)))")
            }
            done += r
        }
    }

    /// Copies `length` spilled bytes at `offset` to the current position of `out`.
    func copy(offset: Int64, length: Int, to out: Int32) throws {
        var inOff = Int64(offset)
        var left = length
        while left > 0 {
            let r = spillCopyFileRange(fd, &inOff, out, nil, left, 0)
            if r > 0 { left -= r; continue }
            if r < 0 && errno == EINTR { continue }
            if r == 0 { throw ParquetError.io("spill read failed: file ended early") }
            // no copy_file_range between these files: read and write
            try copyByReading(offset: inOff, length: left, to: out)
            return
        }
    }

    private func copyByReading(offset: Int64, length: Int, to out: Int32) throws {
        let cap = min(length, 1 << 20)
        let buf = UnsafeMutableRawPointer.allocate(byteCount: cap, alignment: 16)
        defer { buf.deallocate() }
        var done = 0
        while done < length {
            let r = pread(fd, buf, min(cap, length - done), off_t(offset) + off_t(done))
            if r < 0 && errno == EINTR { continue }
            guard r > 0 else { throw ParquetError.io("spill read failed: \(String(cString: strerror(errno)))") }
            var w = 0
            while w < r {
                let k = write(out, buf + w, r - w)
                if k < 0 {
                    if errno == EINTR { continue }
                    throw ParquetError.io("write failed: \(String(cString: strerror(errno)))")
                }
                w += k
            }
            done += r
        }
    }

    /// Calls `body` with the `length` spilled bytes at `offset`, 1 MiB at a time (for sinks that are not files).
    func read(offset: Int64, length: Int, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let cap = max(1, min(length, 1 << 20))
        let buf = UnsafeMutableRawPointer.allocate(byteCount: cap, alignment: 16)
        defer { buf.deallocate() }
        var done = 0
        while done < length {
            let r = pread(fd, buf, min(cap, length - done), off_t(offset) + off_t(done))
            if r < 0 && errno == EINTR { continue }
            guard r > 0 else { throw ParquetError.io("spill read failed: \(String(cString: strerror(errno)))") }
            try body(UnsafeRawBufferPointer(start: buf, count: r))
            done += r
        }
    }

    /// Closes the spill file (the writer is done).
    func closeFile() {
        lock.withLock { _ in
            if fd >= 0 { _ = Glibc.close(fd) }
            fd = -1
        }
    }

    /// `$TMPDIR`, or /tmp.
    static var temporaryDirectory: String {
        if let t = getenv("TMPDIR"), t.pointee != 0 { return String(cString: t) }
        return "/tmp"
    }

    /// Forgets the spilled pages (the row group was written).
    func reset() {
        lock.withLock { _ in
            end = 0
            held = 0
            streaming = false
            if fd >= 0 { _ = ftruncate(fd, 0) }
        }
    }
}

#if canImport(Glibc)
@_silgen_name("copy_file_range")
private func spillCopyFileRange(_ fdIn: Int32, _ offIn: UnsafeMutablePointer<Int64>?, _ fdOut: Int32,
                                _ offOut: UnsafeMutablePointer<Int64>?, _ len: Int, _ flags: UInt32) -> Int
#else
private func spillCopyFileRange(_ fdIn: Int32, _ offIn: UnsafeMutablePointer<Int64>?, _ fdOut: Int32,
                                _ offOut: UnsafeMutablePointer<Int64>?, _ len: Int, _ flags: UInt32) -> Int {
    errno = ENOSYS
    return -1
}
#endif
