// The spill file of a writer's open row group: an unlinked temporary file next to the output that column writers
// move their finished pages to (from their own threads) once the row group holds more page bytes than
// `WriterOptions.spillThreshold`; the pages are copied into place (in the kernel, `copy_file_range`) when the row
// group is written. Keeps the writer's memory flat whatever the row-group size.
import Synchronization
import SystemPackage
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
    private var fd: FileDescriptor?
    private var end: Int64 = 0
    private var held = 0
    private var streaming = false
    private let lock = Mutex(())

    init(path: String, threshold: Int) {
        self.path = path
        self.threshold = max(0, threshold)
    }

    deinit {
        try? fd?.close()
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
        let (f, at): (Result<FileDescriptor, any Error>, Int64) = lock.withLock { _ in
            var opened: Result<FileDescriptor, any Error>
            if let fd {
                opened = .success(fd)
            } else {
                opened = Result {
                    try FileDescriptor.open(FilePath(path), .readWrite, options: [.create, .truncate, .closeOnExec],
                                            permissions: FilePermissions(rawValue: 0o600))
                }
                if case .success(let f) = opened {
                    fd = f
                    // raw syscall: swift-system 1.8 has no unlink.
                    unlink(path)
                }
            }
            let at = end
            end += Int64(a.count + b.count)
            held -= wasHeld
            return (opened, at)
        }
        let file: FileDescriptor
        switch f {
        case .success(let d): file = d
        case .failure(let e): throw ParquetError.io("cannot create \(path): \(e)")
        }
        do {
            // pwrite(2) until all is written, retrying EINTR
            _ = try file.writeAll(toAbsoluteOffset: at, a)
            _ = try file.writeAll(toAbsoluteOffset: at + Int64(a.count), b)
        } catch {
            throw ParquetError.io("spill write failed: \(error)")
        }
        return at
    }

    /// Copies `length` spilled bytes at `offset` to the current position of `out`.
    func copy(offset: Int64, length: Int, to out: Int32) throws {
        var inOff = Int64(offset)
        var left = length
        let fd = fd?.rawValue ?? -1
        while left > 0 {
            // raw syscall: copy_file_range moves the pages in the kernel (swift-system 1.8 does not offer it).
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
        let out = FileDescriptor(rawValue: out)
        try read(offset: offset, length: length) { chunk in
            do {
                _ = try out.writeAll(chunk)  // retries EINTR
            } catch {
                throw ParquetError.io("write failed: \(error)")
            }
        }
    }

    /// Calls `body` with the `length` spilled bytes at `offset`, 1 MiB at a time (for sinks that are not files,
    /// and to copy where `copy_file_range` cannot).
    func read(offset: Int64, length: Int, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let cap = max(1, min(length, 1 << 20))
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: cap, alignment: 16)
        defer { buf.deallocate() }
        let fd = fd ?? FileDescriptor(rawValue: -1)
        var done = 0
        while done < length {
            let r: Int
            do {
                // pread(2), retrying EINTR
                r = try fd.read(fromAbsoluteOffset: offset + Int64(done),
                                into: UnsafeMutableRawBufferPointer(rebasing: buf[..<min(cap, length - done)]))
            } catch {
                throw ParquetError.io("spill read failed: \(error)")
            }
            guard r > 0 else { throw ParquetError.io("spill read failed: file ended early") }
            try body(UnsafeRawBufferPointer(rebasing: buf[..<r]))
            done += r
        }
    }

    /// Closes the spill file (the writer is done).
    func closeFile() {
        lock.withLock { _ in
            try? fd?.close()
            fd = nil
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
            try? fd?.resize(to: 0)
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
