// Small POSIX helpers for delivery: directories, durable renames, whole-file writes.

import FileSafety
#if canImport(Glibc)
import Glibc
import JSONSchema
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing, syncing or publishing an output file failed (the message names the path and the system error).
public struct DeliveryError: Error, CustomStringConvertible, Sendable {
    /// The path and what failed.
    public var message: String
    /// An error with the text `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

enum FileOps {
    static func errno_() -> String { String(cString: strerror(errno)) }

    /// `mkdir -p`.
    static func makeDirectories(_ path: String) throws(DeliveryError) {
        if path.isEmpty { return }
        var st = stat()
        if stat(path, &st) == 0 { return }
        let parent = dirname(path)
        if parent != path { try makeDirectories(parent) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw DeliveryError("cannot create directory \(path): \(errno_())")
        }
    }

    /// `mkdir -p` below `root` that never follows a symbolic link out of it (FileSafety.PathContainment).
    static func makeFolders(_ path: String, below root: String) throws(DeliveryError) {
        do {
            try PathContainment.makeFolders(path, below: root)
        } catch {
            throw DeliveryError("refusing to write: \(error.description)")
        }
    }

    static func dirname(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    static func fsyncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            _ = fsync(fd)
            _ = close(fd)
        }
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func fileSize(_ path: String) -> Int64 {
        var st = stat()
        return stat(path, &st) == 0 ? Int64(st.st_size) : 0
    }

    /// Renames `from` into `to` (creating `to`'s folder below `root`, through real folders only: nothing is
    /// published outside `root`) and makes the new entry durable.
    static func publish(_ from: String, _ to: String, root: String) throws(DeliveryError) {
        let dir = dirname(to)
        try makeFolders(dir, below: root)
        if rename(from, to) != 0 { throw DeliveryError("cannot rename \(from) to \(to): \(errno_())") }
        fsyncDirectory(dir)
    }

    /// Writes `bytes` to `path` (created or truncated), fsynced.
    static func writeFile(_ path: String, _ bytes: [UInt8]) throws(DeliveryError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw DeliveryError("cannot create \(path): \(errno_())") }
        defer { close(fd) }
        var done = 0
        while done < bytes.count {
            let r = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if r < 0 {
                if errno == EINTR { continue }
                throw DeliveryError("cannot write \(path): \(errno_())")
            }
            done += r
        }
        if fsync(fd) != 0 { throw DeliveryError("cannot fsync \(path): \(errno_())") }
    }

    /// Writes a file atomically: temp file, fsync, rename, fsync the folder.
    static func writeAtomically(_ path: String, _ bytes: [UInt8]) throws(DeliveryError) {
        let tmp = path + ".tmp-\(getpid())"
        try writeFile(tmp, bytes)
        if rename(tmp, path) != 0 { throw DeliveryError("cannot rename \(tmp) to \(path): \(errno_())") }
        fsyncDirectory(dirname(path))
    }

    /// A checkpoint or similar small state file: nil when it does not exist; an error when it is not a regular
    /// file or larger than 64 MiB (FileSafety.BoundedRead).
    static func readFile(_ path: String, what: String = "file") throws(DeliveryError) -> [UInt8]? {
        do {
            return try BoundedRead.read(path, what: what)
        } catch {
            var st = stat()
            if error.kind == .io && lstat(path, &st) != 0 && errno == ENOENT { return nil }
            throw DeliveryError(error.description)
        }
    }

    static func list(_ dir: String) -> [String] {
        DirectoryWalker.names(in: dir)
    }

    /// `rm -rf` that never follows a symbolic link (a link is removed, not its target).
    static func removeTree(_ path: String) {
        try? PathContainment.removeTreeNoFollow(path)
    }

    /// The NDJSON inputs below `path` (`*.json`, `*.ndjson`, `*.jsonl` and their `.gz` / `.zst`, sorted, each
    /// once, no symbolic link to a folder followed), or `path` itself when it is not a folder.
    static func filesBelow(_ path: String) throws(DeliveryError) -> [String] {
        if !isDirectory(path) { return [path] }
        do {
            return try DirectoryWalker.ndjsonInputs.files(below: path)
        } catch {
            throw DeliveryError(error.description)
        }
    }

    static func absolute(_ path: String) -> String {
        JSONSchema.FileSystem.absolutePath(path)
    }
}
