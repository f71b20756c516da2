// Durable, concurrency-safe reading and writing of the catalog file.
//
// - Writers serialize on an exclusive `flock` of `DIR/.floe-catalog.lock` (held across read → modify → write), so
//   two processes — or two threads, each `update` opens its own descriptor — never lose each other's changes.
// - A write goes to a temporary file in DIR, is fsync'ed, renamed over `floe-catalog.json`, and DIR is fsync'ed:
//   readers (which take no lock) see the old or the new catalog, never a partial one, even after a crash.

//
// Descriptors, stat and writes go through swift-system; what swift-system 1.8 lacks stays raw, each call marked
// `raw syscall`.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FileSafety
import JSON
import SystemPackage

enum Posix {
    static func message(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    /// A catalog-like file: a regular file of at most 64 MiB (FileSafety.BoundedRead).
    static func readAll(_ path: String) throws(WarehouseError) -> [UInt8] {
        do {
            return try BoundedRead.read(path, limit: BoundedRead.catalogLimit, what: "catalog")
        } catch {
            if error.kind == .io { throw .io(path, error.message) }
            throw .corruptCatalog(error.message)
        }
    }

    static func writeAll(_ fd: FileDescriptor, _ bytes: [UInt8], path: String) throws(WarehouseError) {
        do {
            _ = try fd.writeAll(bytes)  // retries EINTR
        } catch {
            throw .io(path, "\(error)")
        }
    }

    /// Opens `path` with `O_CREAT | O_CLOEXEC` and `options` (mode 0644 for a new file); the error names `path`.
    static func create(_ path: String, _ mode: FileDescriptor.AccessMode,
                       _ options: FileDescriptor.OpenOptions) throws(WarehouseError) -> FileDescriptor {
        do {
            return try FileDescriptor.open(FilePath(path), mode, options: options.union([.create, .closeOnExec]),
                                           permissions: FilePermissions(rawValue: 0o644))
        } catch {
            throw .io(path, "\(error)")
        }
    }

    /// fsync(2) of an open descriptor.
    static func sync(_ fd: FileDescriptor) -> Bool {
        // raw syscall: swift-system 1.8 has no fsync.
        fsync(fd.rawValue) == 0
    }

    /// Writes `bytes` to `path` atomically and durably (temp file, fsync, rename, fsync of the folder).
    static func atomicWrite(_ bytes: [UInt8], to path: String, directory: String) throws(WarehouseError) {
        let tmp = "\(path).\(getpid()).\(UInt64.random(in: 0...UInt64.max)).tmp"
        let fd = try create(tmp, .writeOnly, [.exclusiveCreate])
        do throws(WarehouseError) {
            try writeAll(fd, bytes, path: tmp)
            guard sync(fd) else { throw WarehouseError.io(tmp, message()) }
        } catch {
            try? fd.close()
            // raw syscall: swift-system 1.8 has no unlink.
            unlink(tmp)
            throw error
        }
        try? fd.close()
        // raw syscall: swift-system 1.8 has no rename or unlink.
        guard rename(tmp, path) == 0 else {
            let m = message()
            unlink(tmp)
            throw .io(path, m)
        }
        fsyncPath(directory)
    }

    /// fsync(2) of a file or folder by path (durability of renames into a folder); failures are ignored.
    static func fsyncPath(_ path: String) {
        guard let fd = try? FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec]) else { return }
        _ = sync(fd)
        try? fd.close()
    }

    static func exists(_ path: String) -> Bool {
        (try? FilePath(path).stat()) != nil
    }

    /// True when `path` exists as an entry (a dangling symbolic link too).
    static func lexists(_ path: String) -> Bool {
        (try? FilePath(path).stat(followTargetSymlink: false)) != nil
    }

    /// A folder that is not a symbolic link.
    static func isRealDirectory(_ path: String) -> Bool {
        (try? FilePath(path).stat(followTargetSymlink: false))?.type == .directory
    }

    static func isDirectory(_ path: String) -> Bool {
        (try? FilePath(path).stat())?.type == .directory
    }

    /// Names in a directory (without `.` and `..`); empty when it does not exist.
    static func list(_ path: String) -> [String] {
        // raw syscall: swift-system 1.8 has no directory listing.
        guard let d = opendir(path) else { return [] }
        defer { closedir(d) }
        var out: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { out.append(name) }
        }
        return out.sorted()
    }

    /// `mkdir -p`.
    static func makeDirectories(_ path: String) throws(WarehouseError) {
        if isDirectory(path) { return }
        var prefix = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/") {
            prefix += part
            if !isDirectory(prefix) {
                // raw syscall: swift-system 1.8 has no mkdir.
                if mkdir(prefix, 0o755) != 0 && errno != EEXIST { throw .io(prefix, message()) }
            }
            prefix += "/"
        }
    }

    /// `rm -rf` (does not follow symbolic links to folders).
    static func removeTree(_ path: String) throws(WarehouseError) {
        let st: Stat
        do {
            st = try FilePath(path).stat(followTargetSymlink: false)
        } catch {
            if error == .noSuchFileOrDirectory { return }
            throw .io(path, "\(error)")
        }
        if st.type == .directory {
            for name in list(path) { try removeTree(path + "/" + name) }
            // raw syscall: swift-system 1.8 has no rmdir or unlink.
            guard rmdir(path) == 0 else { throw .io(path, message()) }
        } else {
            guard unlink(path) == 0 || errno == ENOENT else { throw .io(path, message()) }
        }
    }

    static func absolutePath(_ path: String) -> String {
        if path.hasPrefix("/") { return normalize(path) }
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        // raw syscall: swift-system 1.8 has no getcwd.
        guard getcwd(&buf, buf.count) != nil else { return path }
        let cwd = buf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return normalize(cwd + "/" + path)
    }

    /// Removes `.`, empty components and resolves `..` textually.
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for p in path.split(separator: "/") {
            if p == "." { continue }
            if p == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(p)
        }
        return "/" + parts.joined(separator: "/")
    }
}

/// An exclusive `flock` held until `unlock()`.
struct CatalogLock {
    private let fd: FileDescriptor

    init(path: String) throws(WarehouseError) {
        fd = try Posix.lockExclusive(path)
    }

    func unlock() {
        Posix.unlock(fd)
    }
}

extension Posix {
    /// Opens (creating it, never through a symbolic link) the lock file at `path` and takes an exclusive `flock`
    /// on it, waiting for other holders; the descriptor holds the lock until `unlock(_:)`.
    static func lockExclusive(_ path: String) throws(WarehouseError) -> FileDescriptor {
        let fd = try create(path, .readWrite, [.noFollow])
        // raw syscall: swift-system 1.8 has no flock.
        while flock(fd.rawValue, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            let m = message()
            try? fd.close()
            throw .io(path, m)
        }
        return fd
    }

    /// Releases a lock of `lockExclusive(_:)` and closes its descriptor.
    static func unlock(_ fd: FileDescriptor) {
        // raw syscall: swift-system 1.8 has no flock.
        _ = flock(fd.rawValue, LOCK_UN)
        try? fd.close()
    }
}

/// Pretty JSON (2-space indent, `": "` after keys) with the string escaping of `JSONSerializer`.
enum PrettyJSON {
    static func bytes(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        write(value, indent: 0, into: &out)
        out.append(0x0A)
        return out
    }

    private static func newline(_ indent: Int, _ out: inout [UInt8]) {
        out.append(0x0A)
        out.append(contentsOf: repeatElement(0x20, count: indent * 2))
    }

    private static func write(_ value: JSONValue, indent: Int, into out: inout [UInt8]) {
        switch value {
        case .array(let a) where !a.isEmpty:
            // Arrays of scalars stay on one line.
            if a.allSatisfy({ if case .array = $0 { return false }; if case .object = $0 { return false }; return true }) {
                JSONSerializer.serialize(value, into: &out)
                return
            }
            out.append(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent + 1, &out)
                write(v, indent: indent + 1, into: &out)
            }
            newline(indent, &out)
            out.append(UInt8(ascii: "]"))
        case .object(let o) where !o.isEmpty:
            out.append(UInt8(ascii: "{"))
            for (i, m) in o.members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent + 1, &out)
                JSONSerializer.appendString(m.key, to: &out)
                out.append(contentsOf: ": ".utf8)
                write(m.value, indent: indent + 1, into: &out)
            }
            newline(indent, &out)
            out.append(UInt8(ascii: "}"))
        default:
            JSONSerializer.serialize(value, into: &out)
        }
    }
}

/// UTC timestamps as ISO 8601 to the second.
enum UTC {
    static func now() -> Int64 { Int64(time(nil)) }

    static func iso8601(_ epoch: Int64) -> String {
        let (y, mo, d, h, mi, s) = fields(epoch)
        return "\(pad(y, 4))-\(pad(mo, 2))-\(pad(d, 2))T\(pad(h, 2)):\(pad(mi, 2)):\(pad(s, 2))Z"
    }

    /// Civil date and time of a Unix time (proleptic Gregorian, UTC).
    static func fields(_ epoch: Int64) -> (Int, Int, Int, Int, Int, Int) {
        var days = epoch / 86400
        var secs = epoch % 86400
        if secs < 0 { secs += 86400; days -= 1 }
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (Int(y), Int(m), Int(d), Int(secs / 3600), Int(secs % 3600 / 60), Int(secs % 60))
    }

    static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
