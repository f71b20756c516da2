// Local files for table data and metadata: bounded reads, writes that appear whole (temp file, fsync, rename or
// link), create-only publication for metadata files, folder creation and deletion. Locations in an object store
// (`s3://bucket/key`) are handed to `ObjectFileIO` (ObjectFileIO.swift) with the same guarantees.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FileSafety

/// Table data and metadata on the local file system, or in an object store for `s3://` locations
/// (``ObjectFileIO``). Locations are plain paths, `file:` URLs or `s3://bucket/key`; other schemes are an
/// ``IcebergError/invalidArgument(_:)`` error.
public enum LocalFileIO {
    /// The bytes of `path` (at most `limit`).
    public static func read(_ location: String, limit: Int = 1 << 30) throws(IcebergError) -> [UInt8] {
        if ObjectFileIO.isObject(location) { return try ObjectFileIO.read(location, limit: limit) }
        let path = try localPath(location)
        do { return try BoundedRead.read(path, limit: limit, what: "Iceberg file") } catch {
            if access(path, F_OK) != 0 { throw .notFound("\(path): no such file") }
            throw .io(error.description)
        }
    }

    /// Whether something exists at `location` (false for a location that is not local).
    public static func exists(_ location: String) -> Bool {
        if ObjectFileIO.isObject(location) { return ObjectFileIO.exists(location) }
        guard let path = try? localPath(location) else { return false }
        return access(path, F_OK) == 0
    }

    /// The size of the file at `location`, in bytes.
    ///
    /// - Throws: ``IcebergError/io(_:)`` when it cannot be stat'ed.
    public static func size(_ location: String) throws(IcebergError) -> Int64 {
        if ObjectFileIO.isObject(location) { return try ObjectFileIO.size(location) }
        let path = try localPath(location)
        var st = stat()
        guard stat(path, &st) == 0 else { throw .io("\(path): \(String(cString: strerror(errno)))") }
        return Int64(st.st_size)
    }

    /// Writes `bytes` so that `path` appears whole or not at all. With `createOnly`, an existing `path` is an
    /// `alreadyExists` error and is left untouched (the publication is a hard link, which fails if it exists).
    /// `durable: false` skips the fsyncs (for hints that may be lost); `syncFolder: false` leaves the folder's
    /// fsync to a later durable write into the same folder (one folder fsync covers every entry made before it).
    public static func write(_ bytes: [UInt8], to location: String, createOnly: Bool = false, durable: Bool = true,
                             syncFolder: Bool = true) throws(IcebergError) {
        if ObjectFileIO.isObject(location) { return try ObjectFileIO.write(bytes, to: location, createOnly: createOnly) }
        let path = try localPath(location)
        let dir = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        try makeDirectories(dir)
        let tmp = dir + "/.tmp-" + makeUUID()
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io("\(tmp): \(String(cString: strerror(errno)))") }
        var ok = true
        bytes.withUnsafeBytes { buf in
            var off = 0
            while off < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + off, buf.count - off)
                if n <= 0 { if errno == EINTR { continue }; ok = false; break }
                off += n
            }
        }
        let err = errno
        if ok && durable && fsync(fd) != 0 { ok = false }
        close(fd)
        guard ok else {
            unlink(tmp)
            throw .io("\(path): \(String(cString: strerror(err)))")
        }
        defer { unlink(tmp) }
        if createOnly {
            guard link(tmp, path) == 0 else {
                if errno == EEXIST { throw .alreadyExists("\(path) exists already") }
                throw .io("\(path): \(String(cString: strerror(errno)))")
            }
        } else {
            guard rename(tmp, path) == 0 else { throw .io("\(path): \(String(cString: strerror(errno)))") }
        }
        if durable && syncFolder {
            let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if dfd >= 0 { fsync(dfd); close(dfd) }
        }
    }

    /// Makes files written with `durable: false` durable: fsyncs them in parallel (concurrent fsyncs share the
    /// file system's journal commit), then each of their folders once (their names). Objects are durable once
    /// their PUT returned: nothing to do for them.
    public static func sync(_ locations: [String]) throws(IcebergError) {
        let paths = try locations.filter { !ObjectFileIO.isObject($0) }.map { (l) throws(IcebergError) in try localPath(l) }
        // each iteration writes its own slot: errno of the failed open or fsync, 0 when durable
        let errs = UnsafeMutableBufferPointer<Int32>.allocate(capacity: paths.count)
        errs.initialize(repeating: 0)
        defer { errs.deallocate() }
        nonisolated(unsafe) let slots = errs
        DispatchQueue.concurrentPerform(iterations: paths.count) { i in
            let fd = open(paths[i], O_RDONLY | O_CLOEXEC)
            if fd < 0 || fsync(fd) != 0 { slots[i] = errno }
            if fd >= 0 { close(fd) }
        }
        if let i = errs.firstIndex(where: { $0 != 0 }) { throw .io("\(paths[i]): fsync: \(String(cString: strerror(errs[i])))") }
        var folders: [String] = []
        for p in paths {
            let dir = p.lastIndex(of: "/").map { String(p[..<$0]) } ?? "."
            if !folders.contains(dir) { folders.append(dir) }
        }
        for dir in folders {
            let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard dfd >= 0 else { throw .io("\(dir): \(String(cString: strerror(errno)))") }
            let rc = fsync(dfd)
            close(dfd)
            if rc != 0 { throw .io("\(dir): fsync: \(String(cString: strerror(errno)))") }
        }
    }

    /// Removes the file at `location`, ignoring errors (a missing file is not a failure).
    public static func delete(_ location: String) {
        if ObjectFileIO.isObject(location) { return ObjectFileIO.delete(location) }
        if let path = try? localPath(location) { unlink(path) }
    }
}

/// `mkdir -p`.
func makeDirectories(_ path: String) throws(IcebergError) {
    var current = path.hasPrefix("/") ? "" : "."
    for part in path.split(separator: "/") {
        current += "/" + part
        if mkdir(current, 0o755) != 0 && errno != EEXIST {
            throw .io("\(current): \(String(cString: strerror(errno)))")
        }
    }
}

import Dispatch
