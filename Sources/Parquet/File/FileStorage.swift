#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of a Parquet file: a read-only memory map of a path (pages are touched only when a column that
/// lives there is read) or an in-memory copy.
final class FileStorage: @unchecked Sendable {
    let base: UnsafeRawPointer?
    let count: Int
    private let mapped: Bool
    private let owned: UnsafeMutableRawPointer?

    init(path: String) throws {
        // O_NONBLOCK: opening a FIFO without a writer must not hang; only regular files are read (a device such as
        // /dev/zero reports size 0 and would otherwise be "a 0-byte file").
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw ParquetError.io("cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw ParquetError.io("cannot stat: \(String(cString: strerror(errno)))") }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw ParquetError.io("is a directory") }
        if (st.st_mode & S_IFMT) != S_IFREG { throw ParquetError.io("not a regular file (a FIFO, socket or device)") }
        let size = Int(st.st_size)
        count = size
        if size == 0 {
            base = nil
            mapped = false
            owned = nil
            return
        }
        if (st.st_mode & S_IFMT) == S_IFREG, let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED {
            base = UnsafeRawPointer(p)
            mapped = true
            owned = nil
            return
        }
        // Not mappable (a pipe, a special file): read it.
        let buf = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        var done = 0
        while done < size {
            let r = read(fd, buf + done, size - done)
            if r <= 0 { break }
            done += r
        }
        base = UnsafeRawPointer(buf)
        owned = buf
        mapped = false
        if done != size {
            buf.deallocate()
            throw ParquetError.io("short read")
        }
    }

    init(bytes: [UInt8]) {
        count = bytes.count
        let buf = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { if let b = $0.baseAddress { buf.copyMemory(from: b, byteCount: bytes.count) } }
        base = UnsafeRawPointer(buf)
        owned = buf
        mapped = false
    }

    deinit {
        if mapped, let b = base { munmap(UnsafeMutableRawPointer(mutating: b), count) }
        owned?.deallocate()
    }

    /// The bytes in `range` (clamped by the caller).
    func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        guard let b = base, !range.isEmpty else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: b + range.lowerBound, count: range.count)
    }

    var all: UnsafeRawBufferPointer { bytes(0..<count) }

    /// Lets the kernel drop the mapped pages from this process (they are read again from the page cache when
    /// touched). Keeps a long sequential pass (e.g. a rewrite) from accumulating the whole file in its RSS.
    func releaseResidentPages() {
        guard mapped, let b = base, count > 0 else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: b), count, MADV_DONTNEED)
    }
}
