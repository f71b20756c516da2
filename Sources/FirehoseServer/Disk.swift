// Small file-system helpers of the server (state files, the log's folder).

import FileSafety
#if canImport(Glibc)
import Glibc
#endif

enum Disk {
    static func errno_() -> String { String(cString: strerror(errno)) }

    static func makeDirectories(_ path: String) throws {
        var cur = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            cur += "/" + part
            if mkdir(cur, 0o755) != 0 && errno != EEXIST {
                throw WALError(message: "cannot create folder \(cur): \(errno_())")
            }
        }
    }

    static func list(_ dir: String) -> [String] { DirectoryWalker.names(in: dir) }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    static func fileSize(_ path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : 0
    }

    static func readAll(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw WALError(message: "cannot open \(path): \(errno_())") }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw WALError(message: "cannot read \(path): \(errno_())") }
            if n == 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return out
    }

    static func fsyncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { fsync(fd); close(fd) }
    }

    /// temp file, fsync, rename, fsync the folder.
    static func writeAtomically(_ path: String, _ bytes: [UInt8]) throws {
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WALError(message: "cannot create \(tmp): \(errno_())") }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 { if errno == EINTR { continue }; close(fd); throw WALError(message: "cannot write \(tmp): \(errno_())") }
            done += n
        }
        if fsync(fd) != 0 { close(fd); throw WALError(message: "cannot fsync \(tmp): \(errno_())") }
        close(fd)
        if rename(tmp, path) != 0 { throw WALError(message: "cannot rename \(tmp): \(errno_())") }
        fsyncDirectory(String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)]))
    }

    static func remove(_ path: String) { unlink(path) }

    static func removeTree(_ path: String) { try? PathContainment.removeTreeNoFollow(path) }

    static func nowMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    static func monotonicNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
