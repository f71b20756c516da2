// Small POSIX helpers for delivery: directories, durable renames, whole-file writes. Descriptors, stat and
// writes go through swift-system; what swift-system 1.8 lacks stays raw, each call marked `raw syscall`.

import FileSafety
import JSONSchema
import SystemPackage
#if canImport(Glibc)
import Glibc
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
        if exists(path) { return }
        let parent = dirname(path)
        if parent != path { try makeDirectories(parent) }
        // raw syscall: swift-system 1.8 has no mkdir.
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
        guard let fd = try? FileDescriptor.open(FilePath(path), .readOnly, options: [.directory, .closeOnExec])
        else { return }
        // raw syscall: swift-system 1.8 has no fsync.
        _ = fsync(fd.rawValue)
        try? fd.close()
    }

    static func exists(_ path: String) -> Bool {
        (try? FilePath(path).stat()) != nil
    }

    static func isDirectory(_ path: String) -> Bool {
        (try? FilePath(path).stat())?.type == .directory
    }

    static func fileSize(_ path: String) -> Int64 {
        (try? FilePath(path).stat()).map { $0.size } ?? 0
    }

    /// Renames `from` into `to` (creating `to`'s folder below `root`, through real folders only: nothing is
    /// published outside `root`) and makes the new entry durable.
    static func publish(_ from: String, _ to: String, root: String) throws(DeliveryError) {
        let dir = dirname(to)
        try makeFolders(dir, below: root)
        // raw syscall: swift-system 1.8 has no rename.
        if rename(from, to) != 0 { throw DeliveryError("cannot rename \(from) to \(to): \(errno_())") }
        fsyncDirectory(dir)
    }

    /// Writes `bytes` to `path` (created or truncated), fsynced.
    static func writeFile(_ path: String, _ bytes: [UInt8]) throws(DeliveryError) {
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.open(FilePath(path), .writeOnly, options: [.create, .truncate, .closeOnExec],
                                         permissions: FilePermissions(rawValue: 0o644))
        } catch {
            throw DeliveryError("cannot create \(path): \(error)")
        }
        defer { try? fd.close() }
        do {
            _ = try fd.writeAll(bytes)  // retries EINTR
        } catch {
            throw DeliveryError("cannot write \(path): \(error)")
        }
        // raw syscall: swift-system 1.8 has no fsync.
        if fsync(fd.rawValue) != 0 { throw DeliveryError("cannot fsync \(path): \(errno_())") }
    }

    /// Writes a file atomically: temp file, fsync, rename, fsync the folder.
    static func writeAtomically(_ path: String, _ bytes: [UInt8]) throws(DeliveryError) {
        let tmp = path + ".tmp-\(getpid())"
        try writeFile(tmp, bytes)
        // raw syscall: swift-system 1.8 has no rename.
        if rename(tmp, path) != 0 { throw DeliveryError("cannot rename \(tmp) to \(path): \(errno_())") }
        fsyncDirectory(dirname(path))
    }

    /// A checkpoint or similar small state file: nil when it does not exist; an error when it is not a regular
    /// file or larger than 64 MiB (FileSafety.BoundedRead).
    static func readFile(_ path: String, what: String = "file") throws(DeliveryError) -> [UInt8]? {
        do {
            return try BoundedRead.read(path, what: what)
        } catch {
            if error.kind == .io && isMissing(path) { return nil }
            throw DeliveryError(error.description)
        }
    }

    /// True when no entry (not even a dangling symbolic link) is at `path`: lstat fails with ENOENT.
    static func isMissing(_ path: String) -> Bool {
        do {
            _ = try FilePath(path).stat(followTargetSymlink: false)
            return false
        } catch {
            return error == .noSuchFileOrDirectory
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
