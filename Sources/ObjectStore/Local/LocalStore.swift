#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Objects as files below a root folder, with the guarantees of the S3 backend:
/// - a write goes to a temporary file in the destination folder, is fsynced, then renamed (or, for `createOnly`,
///   hard-linked, which fails atomically when the name exists) and the folder is fsynced: readers see the old file
///   or the new one, whole, and a crash leaves at most a `.floe-tmp-*` file that `list` never shows;
/// - `ifMatch` compares the ETag under an exclusive `flock` on `<root>/.floe-objectstore.lock` that every
///   conditional writer takes, so read-modify-write cycles of several processes serialise;
/// - the ETag is derived from inode, size and modification time (nanoseconds): every publish makes a new inode, so
///   every write changes it, without reading the file.
public struct LocalStore: ObjectStore {
    /// The folder the keys are relative to.
    public let root: String
    static let tempPrefix = ".floe-tmp-"
    static let lockName = ".floe-objectstore.lock"

    /// A store rooted at `root` (created when missing).
    public init(root: String) throws {
        var r = root
        while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
        self.root = r.isEmpty ? "." : r
        try Self.makeDirectories(self.root)
    }

    /// The root folder, with a trailing `/`.
    public var description: String { root + "/" }

    /// The file path of `key` (validated: no empty, `.` or `..` segments, no leading `/`, no NUL).
    public func path(of key: String) throws -> String {
        try Self.validate(key)
        return root + "/" + key
    }

    static func validate(_ key: String) throws {
        guard !key.isEmpty else { throw ObjectStoreError.invalidArgument("empty object key") }
        guard !key.utf8.contains(0) else { throw ObjectStoreError.invalidArgument("object key contains NUL") }
        for seg in key.split(separator: "/", omittingEmptySubsequences: false) {
            if seg.isEmpty || seg == "." || seg == ".." {
                throw ObjectStoreError.invalidArgument("object key '\(key)' has an empty, '.' or '..' segment")
            }
        }
    }

    // MARK: writes

    /// Writes the object whole: a temporary file, fsynced, then renamed (create-only: linked) into place under `condition`.
    @discardableResult
    public func put(_ key: String, bytes: [UInt8], condition: WriteCondition) async throws -> PutResult {
        let w = try LocalWriter(store: self, key: key, condition: condition)
        do {
            try bytes.withUnsafeBytes { try w.append($0) }
            return try w.publish()
        } catch {
            w.discard()
            throw error
        }
    }

    /// A streaming writer into a temporary file beside the key, renamed into place by `finish()`.
    public func writer(_ key: String, condition: WriteCondition, options: ObjectWriterOptions) async throws -> any ObjectWriter {
        try LocalWriter(store: self, key: key, condition: condition)
    }

    /// Copies an object under `condition`, through a temporary file renamed into place.
    @discardableResult
    public func copy(from source: String, to destination: String, condition: WriteCondition) async throws -> PutResult {
        let src = try path(of: source)
        let fd = open(src, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Self.error(errno, "cannot open", src, key: source) }
        defer { close(fd) }
        let w = try LocalWriter(store: self, key: destination, condition: condition)
        do {
            var buf = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw Self.error(errno, "cannot read", src, key: source)
                }
                if n == 0 { break }
                try buf.withUnsafeBytes { try w.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            }
            return try w.publish()
        } catch {
            w.discard()
            throw error
        }
    }

    /// Removes the object; a missing one is not an error.
    public func delete(_ key: String) async throws {
        let p = try path(of: key)
        if unlink(p) != 0 && errno != ENOENT {
            throw Self.error(errno, "cannot delete", p, key: key)
        }
        // Remove folders left empty, up to the root (S3 has no folders; neither should an emptied prefix here).
        var dir = Self.parent(of: p)
        while dir.count > root.count, dir.hasPrefix(root + "/"), rmdir(dir) == 0 {
            dir = Self.parent(of: dir)
        }
    }

    // MARK: reads

    /// The object's bytes, or those of `range` (clamped to the object).
    public func get(_ key: String, range: Range<Int64>?) async throws -> [UInt8] {
        let p = try path(of: key)
        let fd = open(p, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Self.error(errno, "cannot open", p, key: key) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw Self.error(errno, "cannot stat", p, key: key) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw ObjectStoreError.notFound("\(p): not a regular file") }
        let size = Int64(st.st_size)
        let r = range ?? 0..<size
        guard r.lowerBound >= 0 else { throw ObjectStoreError.invalidArgument("negative range start for \(key)") }
        let lo = min(r.lowerBound, size), hi = min(r.upperBound, size)
        var out = [UInt8](repeating: 0, count: Int(hi - lo))
        var done = 0
        try out.withUnsafeMutableBytes { b in
            while done < b.count {
                let n = pread(fd, b.baseAddress! + done, b.count - done, off_t(lo) + off_t(done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw Self.error(errno, "cannot read", p, key: key)
                }
                if n == 0 { throw ObjectStoreError.io("\(p): file shrank while reading") }
                done += n
            }
        }
        return out
    }

    /// The object's size, ETag and modification time.
    public func head(_ key: String) async throws -> ObjectMeta {
        let p = try path(of: key)
        var st = stat()
        guard stat(p, &st) == 0 else { throw Self.error(errno, "cannot stat", p, key: key) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw ObjectStoreError.notFound("\(p): not a regular file") }
        return Self.meta(key: key, st)
    }

    /// One page of the keys under `prefix`, in key order.
    public func listPage(prefix: String, delimiter: String?, continuation: String?, maxKeys: Int) async throws -> ListPage {
        // Walk only the folder that holds the prefix: "a/b/c" starts at root/a/b.
        var startDir = ""
        if let slash = prefix.lastIndex(of: "/") { startDir = String(prefix[..<slash]) }
        var found: [ObjectMeta] = []
        if startDir.isEmpty || (try? Self.validate(startDir)) != nil {
            walk(dir: startDir, prefix: prefix, into: &found)
        }
        found.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        var objects: [ObjectMeta] = []
        var prefixes: [String] = []
        let limit = max(1, maxKeys)
        // The continuation is the last entry returned: a key, or a common prefix (ends with the delimiter), after
        // which every key under that prefix is skipped too.
        let rolledUp = continuation.flatMap { c in delimiter.flatMap { !$0.isEmpty && c.hasSuffix($0) ? c : nil } }
        var next: String? = nil
        var lastEntry: String? = nil
        for m in found {
            if let c = continuation, !c.utf8.lexicographicallyPrecedes(m.key.utf8) { continue }
            if let r = rolledUp, m.key.hasPrefix(r) { continue }
            var entry = m.key
            var isPrefix = false
            if let d = delimiter, !d.isEmpty, let r = m.key.dropFirst(prefix.count).range(of: d) {
                entry = String(m.key[..<r.upperBound])
                isPrefix = true
                if entry == prefixes.last { continue }
            }
            if objects.count + prefixes.count == limit {
                next = lastEntry
                break
            }
            if isPrefix { prefixes.append(entry) } else { objects.append(m) }
            lastEntry = entry
        }
        return ListPage(objects: objects, commonPrefixes: prefixes, continuation: next)
    }

    /// Renames a staged temporary file into place; one already published succeeds.
    public func publish(_ staged: StagedObject) async throws -> PutResult {
        let final = try path(of: staged.key)
        let temp = try path(of: staged.token)
        var st = stat()
        if stat(temp, &st) != 0 && errno == ENOENT, stat(final, &st) == 0 {
            return PutResult(etag: Self.meta(key: staged.key, st).etag)  // published before
        }
        return try LocalWriter.place(store: self, key: staged.key, temp: temp, final: final, condition: staged.condition)
    }

    /// Removes a staged temporary file.
    public func discard(_ staged: StagedObject) async throws {
        unlink(try path(of: staged.token))
    }

    /// Temporary files of writers (`.floe-tmp-…`) in the folder of `prefix` and below it.
    public func stagedObjects(prefix: String) async throws -> [StagedObject] {
        var startDir = ""
        if let slash = prefix.lastIndex(of: "/") { startDir = String(prefix[..<slash]) }
        var out: [StagedObject] = []
        func scan(_ dir: String) {
            let full = dir.isEmpty ? root : root + "/" + dir
            guard let d = opendir(full) else { return }
            defer { closedir(d) }
            while let ent = readdir(d) {
                let name = withUnsafeBytes(of: ent.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                let rel = dir.isEmpty ? name : dir + "/" + name
                var st = stat()
                guard lstat(full + "/" + name, &st) == 0 else { continue }
                if (st.st_mode & S_IFMT) == S_IFDIR, !name.hasPrefix(".floe-") {
                    scan(rel)
                } else if (st.st_mode & S_IFMT) == S_IFREG, name.hasPrefix(Self.tempPrefix) {
                    // the name after the random part: the destination's (first 64 bytes of it)
                    let rest = name.dropFirst(Self.tempPrefix.count).drop { $0 != "-" }.dropFirst()
                    let key = dir.isEmpty ? String(rest) : dir + "/" + rest
                    if key.hasPrefix(prefix) { out.append(StagedObject(key: key, token: rel, size: Int64(st.st_size))) }
                }
            }
        }
        if startDir.isEmpty || (try? Self.validate(startDir)) != nil { scan(startDir) }
        return out
    }

    private func walk(dir: String, prefix: String, into out: inout [ObjectMeta]) {
        let full = dir.isEmpty ? root : root + "/" + dir
        guard let d = opendir(full) else { return }
        defer { closedir(d) }
        while let ent = readdir(d) {
            let name = withUnsafeBytes(of: ent.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." || name.hasPrefix(".floe-") { continue }
            let key = dir.isEmpty ? name : dir + "/" + name
            // Descend only into folders that can hold keys with the prefix.
            var st = stat()
            guard lstat(full + "/" + name, &st) == 0 else { continue }
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                let k = key + "/"
                if k.hasPrefix(prefix) || prefix.hasPrefix(k) { walk(dir: key, prefix: prefix, into: &out) }
            case S_IFREG:
                if key.hasPrefix(prefix) { out.append(Self.meta(key: key, st)) }
            default:
                continue  // symlinks and special files are not objects
            }
        }
    }

    // MARK: helpers

    static func meta(key: String, _ st: stat) -> ObjectMeta {
        let ns = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        let etag = String(UInt64(st.st_ino), radix: 16) + "-" + String(Int64(st.st_size), radix: 16) + "-"
            + String(ns, radix: 16)
        return ObjectMeta(key: key, size: Int64(st.st_size), etag: etag,
                          lastModified: Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9)
    }

    static func parent(of path: String) -> String {
        guard let i = path.lastIndex(of: "/") else { return "." }
        return i == path.startIndex ? "/" : String(path[..<i])
    }

    static func makeDirectories(_ path: String) throws {
        var st = stat()
        if stat(path, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFDIR else { throw ObjectStoreError.io("\(path): exists and is not a folder") }
            return
        }
        let up = parent(of: path)
        if up != path && up != "/" && up != "." { try makeDirectories(up) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw ObjectStoreError.io("\(path): cannot create folder: \(String(cString: strerror(errno)))")
        }
    }

    static func fsyncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { _ = fsync(fd); close(fd) }
    }

    static func error(_ code: Int32, _ what: String, _ path: String, key: String) -> ObjectStoreError {
        if code == ENOENT || code == ENOTDIR { return .notFound("\(path): no such object") }
        return .io("\(path): \(what): \(String(cString: strerror(code)))")
    }
}
