// Table data and metadata in an S3-compatible bucket (`s3://bucket/key`; `s3a://` and `s3n://`, as Spark and Hadoop
// spell them, name the same objects). `LocalFileIO` hands every location with one of these schemes to this file, so
// the metadata, manifest and catalog code is the same for a folder and a bucket:
// - metadata JSON, manifests and manifest lists are written create-only (`If-None-Match: *`): two writers can
//   never overwrite each other's files; a 412 is `alreadyExists`, which the commit loop takes as a lost round;
// - data files are written to a local temporary file by Floe's Parquet writer, then uploaded with the streaming
//   multipart writer, create-only: the object appears whole when the upload completes, or not at all;
// - a write's durability is the PUT's (S3 acknowledges a write once it is stored): `sync` has nothing to do;
// - reads are GETs (Parquet data files through ranged GETs with read-ahead, `ObjectRangeReader`);
// - listing (remove-orphan-files) is a paginated listing of the prefix, with each object's modification time.
// The stores come from the AWS configuration (environment, ~/.aws files), resolved once per process; a program can
// set `ObjectFileIO.storeProvider` to hand out its own.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import ObjectStore
import Parquet

/// Table files in an object store; see the top of this file.
public enum ObjectFileIO {
    /// The store of a bucket; nil: the AWS configuration of the environment (one client for every bucket).
    nonisolated(unsafe) public static var storeProvider: (@Sendable (String) throws -> any ObjectStore)?

    nonisolated(unsafe) private static var stores: [String: any ObjectStore] = [:]
    nonisolated(unsafe) private static var client: S3Client?
    private static let queue = DispatchQueue(label: "floe.iceberg.object-io")

    /// Whether `location` is an object (`s3://`, `s3a://`, `s3n://`).
    public static func isObject(_ location: String) -> Bool {
        location.hasPrefix("s3://") || location.hasPrefix("s3a://") || location.hasPrefix("s3n://")
    }

    /// Bucket and key of an object location.
    static func split(_ location: String) throws(IcebergError) -> (bucket: String, key: String) {
        guard let r = location.firstRange(of: "://") else { throw .invalidArgument("\(location): not an s3:// location") }
        let rest = location[r.upperBound...]
        guard let slash = rest.firstIndex(of: "/"), slash != rest.startIndex else {
            throw .invalidArgument("\(location): expected s3://bucket/key")
        }
        return (String(rest[..<slash]), String(rest[rest.index(after: slash)...]))
    }

    /// The store of `bucket` (cached).
    static func store(_ bucket: String) throws(IcebergError) -> any ObjectStore {
        let result: Result<any ObjectStore, IcebergError> = queue.sync {
            if let s = stores[bucket] { return .success(s) }
            do {
                let s: any ObjectStore
                if let p = storeProvider {
                    s = try p(bucket)
                } else {
                    if client == nil { client = S3Client(configuration: try AWSConfigResolver.resolve()) }
                    s = S3Store(bucket: bucket, client: client!)
                }
                stores[bucket] = s
                return .success(s)
            } catch {
                return .failure(map(error, "s3://\(bucket)/"))
            }
        }
        return try result.get()
    }

    /// An object-store error as an Iceberg error: a missing object `notFound`, a create-only write that found the
    /// key `alreadyExists`, configuration and access problems `invalidArgument` (exit 2), the rest `io`.
    static func map(_ error: any Error, _ location: String) -> IcebergError {
        if let e = error as? IcebergError { return e }
        guard let e = error as? ObjectStoreError else { return .io("\(location): \(error)") }
        switch e {
        case .notFound: return .notFound("\(location): no such object")
        case .preconditionFailed: return .alreadyExists("\(location) exists already")
        case .configuration, .accessDenied, .invalidArgument: return .invalidArgument("\(location): \(e.description)")
        case .requestFailed, .io: return .io("\(location): \(e.description)")
        }
    }

    /// Runs `work` against the store of `location`'s bucket with its key.
    static func run<T: Sendable>(_ location: String,
                                 _ work: @escaping @Sendable (any ObjectStore, String) async throws -> T) throws(IcebergError) -> T {
        let (bucket, key) = try split(location)
        let s = try store(bucket)
        do { return try Blocking.run { try await work(s, key) } } catch { throw map(error, location) }
    }

    /// The object's bytes (at most `limit`).
    static func read(_ location: String, limit: Int) throws(IcebergError) -> [UInt8] {
        let bytes = try run(location) { s, k in try await s.getTail(k, length: limit + 1) }
        guard bytes.size <= Int64(limit) else { throw .io("\(location): larger than \(limit) bytes") }
        return bytes.bytes
    }

    /// Whether the object exists (false when it cannot be asked).
    static func exists(_ location: String) -> Bool {
        (try? run(location) { s, k in try await s.head(k) }) != nil
    }

    /// The object's size.
    static func size(_ location: String) throws(IcebergError) -> Int64 {
        try run(location) { s, k in try await s.head(k) }.size
    }

    /// One PUT: create-only (`If-None-Match: *`) or unconditional.
    static func write(_ bytes: [UInt8], to location: String, createOnly: Bool) throws(IcebergError) {
        _ = try run(location) { s, k in try await s.put(k, bytes: bytes, condition: createOnly ? .createOnly : .none) }
    }

    /// Removes the object, ignoring errors.
    static func delete(_ location: String) {
        _ = try? run(location) { s, k in try await s.delete(k) }
    }

    /// Every object below the prefix `location/`, in key order: its location, size and modification time in
    /// milliseconds since 1970 (0 when the store does not say).
    public static func list(under location: String) throws(IcebergError) -> [(location: String, size: Int64, modifiedMs: Int64)] {
        var base = location
        while base.hasSuffix("/") { base.removeLast() }
        let (bucket, key) = try split(base + "/")
        let scheme = String(base[..<base.firstRange(of: "://")!.lowerBound])
        return try run(base + "/") { s, _ in try await s.list(prefix: key) }.map {
            ("\(scheme)://\(bucket)/\($0.key)", $0.size, Int64(($0.lastModified ?? 0) * 1000))
        }
    }

    /// Uploads the local file `path` to `location` with the streaming multipart writer (8 MiB parts, 4 in flight),
    /// create-only: the object appears whole when the upload completes, or not at all (any failure aborts it).
    static func upload(_ path: String, to location: String) throws(IcebergError) {
        _ = try run(location) { s, k in try await s.upload(file: path, to: k, condition: .createOnly) }
    }

    /// The Parquet file at an object location, read through ranged GETs.
    static func openParquet(_ location: String) throws(IcebergError) -> ParquetFile {
        let (bucket, key) = try split(location)
        let s = try store(bucket)
        do {
            return try ParquetFile(source: ObjectParquetSource(reader: try ObjectRangeReader(store: s, key: key)))
        } catch {
            throw map(error, location)
        }
    }
}

/// Parquet's byte source over an object: ranged GETs with a cached tail (the footer in at most two GETs), prefetch
/// with coalescing and read-ahead (`ObjectRangeReader`).
public final class ObjectParquetSource: RandomAccessSource, @unchecked Sendable {
    /// The reader of the object.
    public let reader: ObjectRangeReader
    /// A source over `reader`'s object.
    public init(reader: ObjectRangeReader) { self.reader = reader }
    public var size: Int { reader.size }
    public var readsAreExpensive: Bool { true }
    public func withBytes<R>(_ range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        try reader.withBytes(range, body)
    }
    public func willRead(_ ranges: [Range<Int>]) throws { try reader.prefetch(ranges) }
    public func releaseResidentPages() { reader.releaseCache() }
}

extension LocalFileIO {
    /// Where a data file for `location` is written before it is published: the file itself for a local
    /// location, a temporary file (in `$TMPDIR`, default /tmp) for an object. Its folder exists.
    public static func stagingPath(for location: String) throws(IcebergError) -> String {
        guard ObjectFileIO.isObject(location) else {
            let path = try localPath(location)
            if let slash = path.lastIndex(of: "/") { try makeDirectories(String(path[..<slash])) }
            return path
        }
        let dir = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        return dir + "/floe-iceberg-\(getpid())-" + makeUUID() + ".parquet"
    }

    /// Publishes a data file written at `staged` (from ``stagingPath(for:)``) as `location`: nothing to do for a
    /// local file; an object is uploaded create-only, whole or not at all, and the temporary file removed.
    public static func publishStaged(_ staged: String, as location: String) throws(IcebergError) {
        guard ObjectFileIO.isObject(location) else { return }
        defer { unlink(staged) }
        try ObjectFileIO.upload(staged, to: location)
    }

    /// Drops a staged data file that will not be published (a temporary file; a local file is left to the caller).
    public static func discardStaged(_ staged: String, as location: String) {
        if ObjectFileIO.isObject(location) { unlink(staged) }
    }

    /// The Parquet file at `location` (a local path or `file:` URI, mapped; an object, through ranged GETs).
    public static func openParquet(_ location: String) throws(IcebergError) -> ParquetFile {
        if ObjectFileIO.isObject(location) { return try ObjectFileIO.openParquet(location) }
        let path = try localPath(location)
        do { return try ParquetFile(path: path) } catch {
            if access(path, F_OK) != 0 { throw .notFound("\(path): no such file") }
            throw .io("\(path): \(error)")
        }
    }

    /// Every file below the folder `location` (recursively, in name order), with its size and modification time
    /// in milliseconds since 1970: a walk of a local folder (a missing folder has no files), a listing of an
    /// object prefix.
    public static func listFiles(under location: String) throws(IcebergError) -> [(location: String, size: Int64, modifiedMs: Int64)] {
        if ObjectFileIO.isObject(location) { return try ObjectFileIO.list(under: location) }
        var out: [(location: String, size: Int64, modifiedMs: Int64)] = []
        func walk(_ dir: String) {
            guard let d = opendir(dir) else { return }
            defer { closedir(d) }
            var names: [String] = []
            while let e = readdir(d) {
                let n = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if n != "." && n != ".." { names.append(n) }
            }
            for n in names.sorted() {
                let p = dir + "/" + n
                var st = stat()
                guard lstat(p, &st) == 0 else { continue }
                if (st.st_mode & S_IFMT) == S_IFDIR { walk(p); continue }
                guard (st.st_mode & S_IFMT) == S_IFREG else { continue }
                out.append((p, Int64(st.st_size), Int64(st.st_mtim.tv_sec) * 1000 + Int64(st.st_mtim.tv_nsec) / 1_000_000))
            }
        }
        var root = try localPath(location)
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        walk(root)
        return out
    }

    /// A location as the reachability of remove-orphan-files compares it: the local path of a local location,
    /// an object location as written.
    public static func canonical(_ location: String) throws(IcebergError) -> String {
        ObjectFileIO.isObject(location) ? location : try localPath(location)
    }
}
