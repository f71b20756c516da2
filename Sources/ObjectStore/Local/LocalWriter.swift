#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes one object of a `LocalStore`: bytes go to `.floe-tmp-<random>-<name>` beside the destination; `publish`
/// fsyncs it and moves it into place under the write condition.
final class LocalWriter: ObjectWriter {
    let store: LocalStore
    let key: String
    let condition: WriteCondition
    let finalPath: String
    let tempPath: String
    let dir: String
    private var fd: Int32
    private var done = false

    init(store: LocalStore, key: String, condition: WriteCondition) throws {
        self.store = store
        self.key = key
        self.condition = condition
        finalPath = try store.path(of: key)
        dir = LocalStore.parent(of: finalPath)
        try LocalStore.makeDirectories(dir)
        let name = finalPath[finalPath.index(after: finalPath.lastIndex(of: "/")!)...]
        tempPath = dir + "/" + LocalStore.tempPrefix + String(UInt64.random(in: 0...UInt64.max), radix: 36) + "-"
            + String(name.prefix(64))
        fd = open(tempPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ObjectStoreError.io("\(tempPath): cannot create: \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        if !done { discard() }
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard !done else { throw ObjectStoreError.invalidArgument("\(finalPath): write after finish or abort") }
        var off = 0
        while off < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + off, bytes.count - off)
            if n < 0 {
                if errno == EINTR { continue }
                throw ObjectStoreError.io("\(tempPath): cannot write: \(String(cString: strerror(errno)))")
            }
            off += n
        }
    }

    func write(_ bytes: [UInt8]) async throws {
        do { try bytes.withUnsafeBytes { try append($0) } } catch { discard(); throw error }
    }

    @discardableResult
    func finish() async throws -> PutResult {
        do { return try publish() } catch { discard(); throw error }
    }

    func abort() async { discard() }

    func discard() {
        guard !done else { return }
        done = true
        if fd >= 0 { close(fd); fd = -1 }
        unlink(tempPath)
    }

    /// fsync, then rename / link into place under the condition, then fsync the folder.
    func publish() throws -> PutResult {
        try syncAndClose()
        let r = try Self.place(store: store, key: key, temp: tempPath, final: finalPath, condition: condition)
        done = true
        return r
    }

    func stage() async throws -> StagedObject {
        do {
            try syncAndClose()
        } catch {
            discard()
            throw error
        }
        done = true
        var st = stat()
        let size = stat(tempPath, &st) == 0 ? Int64(st.st_size) : 0
        return StagedObject(key: key, token: String(tempPath.dropFirst(store.root.count + 1)), condition: condition,
                            size: size)
    }

    private func syncAndClose() throws {
        guard !done else { throw ObjectStoreError.invalidArgument("\(finalPath): finish after finish or abort") }
        guard fsync(fd) == 0 else {
            throw ObjectStoreError.io("\(tempPath): fsync failed: \(String(cString: strerror(errno)))")
        }
        close(fd)
        fd = -1
    }

    /// Moves the synced file `temp` to `final` under the condition, then fsyncs the folder.
    static func place(store: LocalStore, key: String, temp tempPath: String, final finalPath: String,
                      condition: WriteCondition) throws -> PutResult {
        func rename() throws {
            if Glibc.rename(tempPath, finalPath) != 0 {
                throw ObjectStoreError.io("\(finalPath): cannot publish: \(String(cString: strerror(errno)))")
            }
        }
        switch condition {
        case .none:
            try rename()
        case .createOnly:
            // link(2) fails with EEXIST when the name exists: atomic create-only, even between machines on NFS.
            if link(tempPath, finalPath) != 0 {
                let e = errno
                if e == EEXIST { throw ObjectStoreError.preconditionFailed("\(finalPath): already exists (create-only write)") }
                throw ObjectStoreError.io("\(finalPath): cannot publish: \(String(cString: strerror(e)))")
            }
            unlink(tempPath)
        case .ifMatch(let expected):
            let lock = try lockStore(store)
            defer { close(lock) }  // closing releases the flock
            var st = stat()
            guard stat(finalPath, &st) == 0 else {
                throw ObjectStoreError.preconditionFailed("\(finalPath): does not exist (if-match \(expected))")
            }
            let current = LocalStore.meta(key: key, st).etag
            guard current == expected else {
                throw ObjectStoreError.preconditionFailed("\(finalPath): changed (ETag \(current), expected \(expected))")
            }
            try rename()
        }
        LocalStore.fsyncDirectory(LocalStore.parent(of: finalPath))
        var st = stat()
        guard stat(finalPath, &st) == 0 else {
            throw ObjectStoreError.io("\(finalPath): vanished after publish: \(String(cString: strerror(errno)))")
        }
        return PutResult(etag: LocalStore.meta(key: key, st).etag)
    }

    /// An exclusive flock on the store's lock file, held by conditional writers for their compare-and-rename.
    private static func lockStore(_ store: LocalStore) throws -> Int32 {
        let p = store.root + "/" + LocalStore.lockName
        let l = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard l >= 0 else { throw ObjectStoreError.io("\(p): cannot open lock: \(String(cString: strerror(errno)))") }
        while flock(l, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            let e = errno
            close(l)
            throw ObjectStoreError.io("\(p): cannot lock: \(String(cString: strerror(e)))")
        }
        return l
    }
}
