import Firehose
import ObjectStore
import Parquet
import Warehouse
#if canImport(Glibc)
import Glibc
#endif

/// Where command-line paths lead: local files, or objects in S3 (one configuration per process, resolved from the
/// AWS environment and files on first use).
enum Storage {
    nonisolated(unsafe) private static var configuration: S3Configuration?

    /// Parses a path argument; an unsupported scheme is a usage error (exit 2), never a local path.
    static func location(_ text: String) throws -> StoreLocation {
        do {
            return try StoreLocation.parse(text)
        } catch {
            Output.diagnostic("floe: \(error)")
            throw FloeExit.usageError
        }
    }

    /// The store of an S3 bucket; a configuration problem (no credentials, no region) is reported once, exit 2.
    static func s3(_ bucket: String, for text: String) throws -> S3Store {
        if configuration == nil {
            do {
                configuration = try AWSConfigResolver.resolve()
            } catch {
                Output.diagnostic("floe: \(text): \(error)")
                throw FloeExit.usageError
            }
        }
        return S3Store(bucket: bucket, client: S3Client(configuration: configuration!))
    }

    /// Opens a Parquet file at a local path or an S3 key (`decryption`: the keys of an encrypted file).
    static func openParquet(_ text: String, decryption: FileDecryptionProperties? = nil) throws -> ParquetFile {
        switch try location(text) {
        case .local(let path):
            return try ParquetFile(path: path, decryption: decryption)
        case .s3(let bucket, let key):
            let store = try s3(bucket, for: text)
            guard !key.isEmpty, !key.hasSuffix("/") else {
                throw ObjectStoreError.invalidArgument("\(text): names a prefix, not an object")
            }
            return try ParquetFile(source: ParquetObjectSource(reader: ObjectRangeReader(store: store, key: key)),
                                   decryption: decryption)
        }
    }

    /// True when `text` names a folder: a local directory, or an S3 prefix (a bucket, or a key ending in `/`).
    static func isFolder(_ text: String) throws -> Bool {
        switch try location(text) {
        case .local(let path): return FileKind.isDirectory(path)
        case .s3(_, let key): return key.isEmpty || key.hasSuffix("/")
        }
    }

    /// Every `*.parquet` object under an S3 prefix, in key order, opened.
    static func openParquetPrefix(_ text: String) throws -> [(String, ParquetFile)] {
        guard case .s3(let bucket, let prefix) = try location(text) else { return [] }
        let store = try s3(bucket, for: text)
        // A versioned table of an S3 warehouse (aggregate, merge): its pointer object names the current version,
        // read whole; superseded versions kept for their grace period are not rows of the table.
        var normalized = prefix
        if !normalized.isEmpty && !normalized.hasSuffix("/") { normalized += "/" }
        let pointerKey = normalized + VersionedLayout.pointerObject
        let pointer = try Blocking.run { () async throws -> Bool in
            do {
                _ = try await store.head(pointerKey)
                return true
            } catch ObjectStoreError.notFound {
                return false
            }
        }
        if pointer {
            var url = "s3://\(bucket)/\(normalized)"
            while url.hasSuffix("/") { url.removeLast() }
            let snap = try TableSnapshot.open(store: store, prefix: normalized, url: url)
            return Array(zip(snap.paths, snap.files))
        }
        let objects = try Blocking.run { try await store.list(prefix: prefix) }
        var out: [(String, ParquetFile)] = []
        for o in objects where o.key.hasSuffix(".parquet") {
            let name = "s3://\(bucket)/\(o.key)"
            do {
                let reader = ObjectRangeReader(store: store, key: o.key, size: Int(o.size), etag: o.etag)
                out.append((name, try ParquetFile(source: ParquetObjectSource(reader: reader))))
            } catch {
                throw Output.fail(name, error)
            }
        }
        return out
    }

    /// The streaming multipart upload of `text` when it names an object (8 MiB parts, 4 in flight; the object
    /// appears when the sink closes, whole, or not at all); nil for a local path. A prefix is a usage error.
    static func objectSink(_ text: String) throws -> ObjectSink? {
        guard case .s3(let bucket, let key) = try location(text) else { return nil }
        guard !key.isEmpty, !key.hasSuffix("/") else {
            Output.diagnostic("floe: \(text): names a prefix, not an object")
            throw FloeExit.usageError
        }
        let store = try s3(bucket, for: text)
        do {
            return try ObjectSink(store: store, key: key, destination: text)
        } catch {
            throw Output.fail(text, error)
        }
    }

    /// Uploads a finished local file to an S3 key with the streaming multipart writer (8 MiB parts, 4 in flight);
    /// the object appears whole when the upload completes, or not at all.
    static func upload(localPath: String, to text: String, bucket: String, key: String) throws {
        let store = try s3(bucket, for: text)
        _ = try Blocking.run { try await store.upload(file: localPath, to: key, condition: .none) }
    }
}

/// A uniquely named file in `$TMPDIR` (default /tmp) for work that is uploaded when finished.
enum TemporaryFile {
    static func path(near: String?, name: String) -> String {
        let dir = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        return dir + "/floe-\(getpid())-\(UInt64.random(in: 0...UInt64.max))-" + name
    }

    static func remove(_ path: String) { unlink(path) }
}

/// `s3://` arguments of a command that reads local files (validate): each object, or every object under a prefix,
/// is copied into a private temporary folder (streamed in 8 MiB ranges, so memory stays flat whatever the size),
/// the command runs on the copies, and `display` turns the copies' paths in its output back into the URLs.
final class ObjectMirror: @unchecked Sendable {
    let root: String
    private var used = false

    init() {
        root = TemporaryFile.path(near: nil, name: "mirror")
    }

    deinit {
        if used { removeTree(root) }
    }

    /// The local path standing for `text`: itself when it is local; else the copy of the object, or the folder of
    /// copies of every object under the prefix (`s3://bucket/prefix/`). `only`: copy just the objects whose name
    /// passes (a schema folder's `*.json`).
    func localPath(_ text: String, only: ((String) -> Bool)? = nil) throws -> String {
        guard case .s3(let bucket, let key) = try Storage.location(text) else { return text }
        let store = try Storage.s3(bucket, for: text)
        if !used {
            guard mkdir(root, 0o700) == 0 else {
                throw ObjectStoreError.io("\(root): cannot create: \(String(cString: strerror(errno)))")
            }
            used = true
        }
        let base = root + "/" + bucket
        if key.isEmpty || key.hasSuffix("/") {
            let objects = try Blocking.run { try await store.list(prefix: key) }
            try makeFolders(base + "/" + key)
            for o in objects where !o.key.hasSuffix("/") {
                let name = String(o.key.dropFirst(key.count))
                if let only, !only(name) { continue }
                try copy(store, o.key, size: o.size, to: base + "/" + o.key)
            }
            return base + "/" + key
        }
        let meta: ObjectMeta
        do {
            meta = try Blocking.run { try await store.head(key) }
        } catch ObjectStoreError.notFound {
            throw ObjectStoreError.notFound("\(text): no such object")
        }
        try copy(store, key, size: meta.size, to: base + "/" + key)
        return base + "/" + key
    }

    /// `validate`'s paths with every `s3://` one replaced by its copy: the schema, each `--schema-dir` (its
    /// `*.json` objects directly under the prefix) and each instance (an object, or every object under a prefix).
    func validateArguments(schema: String?, schemaDirs: [String], instances: [String]) throws
        -> (schema: String?, schemaDirs: [String], instances: [String])
    {
        (try schema.map { try localPath($0) },
         try schemaDirs.map { try localPath($0.hasSuffix("/") || !$0.hasPrefix("s3://") ? $0 : $0 + "/",
                                            only: { !$0.contains("/") && $0.hasSuffix(".json") }) },
         try instances.map { try localPath($0) })
    }

    /// A line of output with the copies' paths shown as the URLs they stand for.
    func display(_ line: String) -> String {
        used ? line.replacingAll(root + "/", with: "s3://") : line
    }

    private func copy(_ store: S3Store, _ key: String, size: Int64, to path: String) throws {
        if let slash = path.lastIndex(of: "/") { try makeFolders(String(path[..<slash])) }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ObjectStoreError.io("\(path): cannot create: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var off: Int64 = 0
        let step: Int64 = 8 << 20
        while off < size {
            let range = off..<min(size, off + step)
            let bytes = try Blocking.run { try await store.get(key, range: range) }
            guard !bytes.isEmpty else { break }
            var done = 0
            while done < bytes.count {
                let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ObjectStoreError.io("\(path): cannot write: \(String(cString: strerror(errno)))")
                }
                done += n
            }
            off += Int64(bytes.count)
        }
    }

    private func makeFolders(_ path: String) throws {
        var p = ""
        for part in path.split(separator: "/", omittingEmptySubsequences: false) {
            p += (p.isEmpty && path.hasPrefix("/") ? "/" : (p.isEmpty ? "" : "/")) + part
            if part.isEmpty { continue }
            if mkdir(p, 0o700) != 0 && errno != EEXIST {
                throw ObjectStoreError.io("\(p): cannot create: \(String(cString: strerror(errno)))")
            }
        }
    }

    private func removeTree(_ path: String) {
        guard let d = opendir(path) else { unlink(path); return }
        while let ent = readdir(d) {
            let name = withUnsafeBytes(of: ent.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            var st = stat()
            let p = path + "/" + name
            if lstat(p, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR { removeTree(p) } else { unlink(p) }
        }
        closedir(d)
        rmdir(path)
    }
}

extension String {
    /// Every occurrence of `target` replaced (no Foundation).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var out = ""
        var rest = Substring(self)
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
