// A warehouse in an object store (`--warehouse s3://bucket/prefix`): the same catalog and table layout as the
// local folder, with conditional writes in place of locks and renames.
//
// Catalog: the object `PREFIX/floe-catalog.json`. `warehouse init` writes it create-only (`If-None-Match: *`).
// Every change is a read-modify-write: GET (bytes and ETag in one request), apply the change, PUT with
// `If-Match: <ETag>`. A 412 means another process wrote in between: read again, apply the change again to what
// it wrote (a change that no longer applies — the table exists now — fails as it would have under the local
// lock), retry; at most `CatalogRetry.maxAttempts` times with jittered exponential backoff. Processes on
// different machines creating tables and syncing partitions at once lose nothing.
//
// Versioned tables (aggregate, merge):
//
//     PREFIX/<table>/_floe_current                        pointer object: the current version's folder name
//     PREFIX/<table>/v-000008-5f3a9c21/<table>-00000.parquet
//     PREFIX/<table>/v-000007-0be41d7a/...                superseded, kept for the grace period
//
// A writer reads the pointer (and its ETag), builds the new version in a local temporary folder, uploads each
// file create-only under a fresh version folder (the number one more than the pointer's, plus a random suffix so
// two writers never share a folder), then publishes it with one conditional write of the pointer (`If-Match` the
// ETag it read, or create-only for the first version). A writer that loses the race removes its uploads and
// starts over from the new pointer (a merge into its own base re-reads the base), bounded like the catalog.
// Readers read the pointer first, then list that version's folder: every object of the version was uploaded
// before the pointer named it, so a reader sees the old or the new version whole, never a mix or nothing. Only
// after the swap are superseded versions removed, once their successor has been current for longer than the grace
// period (the successor's upload time, from the listing); a reader that finds a version gone under it resolves the
// pointer again. The catalog's `floe.current_version` property follows the pointer (for DDL); it is only ever
// moved forward.
//
// Engines that list a table folder skip names starting with `_`, so the pointer is invisible to them.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FileSafety
import Iceberg
import ObjectStore
import Parquet

/// Where an object-store warehouse lives: a store and a key prefix (empty, or ending in `/`).
public struct ObjectWarehouseRoot: Sendable {
    /// The store (an S3 bucket).
    public let store: any ObjectStore
    /// The warehouse's key prefix: empty (the bucket's root) or ending in `/`.
    public let prefix: String
    /// `s3://bucket/prefix` without a trailing `/`, for messages and locations.
    public let url: String

    /// A root; `url` is how the user named it (`s3://bucket/prefix`).
    public init(store: any ObjectStore, prefix: String, url: String) {
        var p = prefix
        while p.hasPrefix("/") { p.removeFirst() }
        while p.hasSuffix("//") { p.removeLast() }
        if !p.isEmpty && !p.hasSuffix("/") { p += "/" }
        self.store = store
        self.prefix = p
        var u = url
        while u.hasSuffix("/") && !u.hasSuffix("://") { u.removeLast() }
        self.url = u
    }

    var catalogKey: String { prefix + DataWarehouse.catalogFileName }

    /// The key of `relative` (a path below the warehouse: `events/2024/…`).
    func key(_ relative: String) -> String { prefix + relative }

    /// `s3://bucket/prefix/relative`.
    func name(_ relative: String) -> String { url + "/" + relative }
}

/// Bounds of the catalog's and the pointer's optimistic retries.
enum CatalogRetry {
    static let maxAttempts = 40
    static let baseDelay = 0.02
    static let maxDelay = 1.0

    /// Jittered exponential backoff ("full jitter"): uniform in [0, min(max, base × 2^attempt)).
    static func pause(_ attempt: Int) {
        let cap = min(maxDelay, baseDelay * Double(1 << min(attempt, 20)))
        let s = Double.random(in: 0..<cap)
        usleep(useconds_t(s * 1_000_000))
    }
}

/// Object-store operations from the warehouse's synchronous code, errors as `WarehouseError`.
enum Remote {
    static func run<T: Sendable>(_ what: String, _ work: @escaping @Sendable () async throws -> T) throws(WarehouseError) -> T {
        do {
            return try Blocking.run(work)
        } catch let e as ObjectStoreError {
            throw map(e, what)
        } catch let e as WarehouseError {
            throw e
        } catch {
            throw .io(what, "\(error)")
        }
    }

    static func map(_ e: ObjectStoreError, _ what: String) -> WarehouseError {
        e.isConfiguration ? .invalid("\(what): \(e.description)") : .io(what, e.description)
    }

    /// The object's bytes and ETag (one GET); nil when it does not exist.
    static func read(_ root: ObjectWarehouseRoot, _ key: String, limit: Int) throws(WarehouseError) -> (bytes: [UInt8], etag: String)? {
        let store = root.store
        let r: (bytes: [UInt8], size: Int64, etag: String)?
        do {
            r = try Blocking.run { () async throws -> (bytes: [UInt8], size: Int64, etag: String)? in
                do {
                    return try await store.getTail(key, length: limit + 1)
                } catch ObjectStoreError.notFound {
                    return nil
                }
            }
        } catch let e as ObjectStoreError {
            throw map(e, "s3://\(storeBucket(root))/\(key)")
        } catch {
            throw .io(key, "\(error)")
        }
        guard let r else { return nil }
        if r.size > Int64(limit) || r.bytes.count > limit {
            throw .corruptCatalog("\(key): larger than \(limit >> 20) MiB")
        }
        return (r.bytes, r.etag)
    }

    static func storeBucket(_ root: ObjectWarehouseRoot) -> String {
        var d = root.store.description
        if d.hasPrefix("s3://") { d.removeFirst(5) }
        while d.hasSuffix("/") { d.removeLast() }
        return d
    }

    /// Every object below `prefix`, all pages.
    static func list(_ root: ObjectWarehouseRoot, _ prefix: String) throws(WarehouseError) -> [ObjectMeta] {
        let store = root.store
        return try run(root.url + "/" + String(prefix.dropFirst(root.prefix.count))) { try await store.list(prefix: prefix) }
    }

    /// The folder names directly below `prefix` (with delimiter `/`), all pages.
    static func folders(_ root: ObjectWarehouseRoot, _ prefix: String) throws(WarehouseError) -> [String] {
        let store = root.store
        return try run(root.url) {
            var out: [String] = []
            var token: String? = nil
            repeat {
                let page = try await store.listPage(prefix: prefix, delimiter: "/", continuation: token, maxKeys: 1000)
                for p in page.commonPrefixes {
                    var n = String(p.dropFirst(prefix.count))
                    if n.hasSuffix("/") { n.removeLast() }
                    if !n.isEmpty { out.append(n) }
                }
                token = page.continuation
            } while token != nil
            return out
        }
    }

    /// Deletes every object below `prefix`.
    static func deleteAll(_ root: ObjectWarehouseRoot, _ prefix: String) throws(WarehouseError) {
        let objects = try list(root, prefix)
        let store = root.store
        try run(root.url + "/" + String(prefix.dropFirst(root.prefix.count))) {
            for o in objects { try await store.delete(o.key) }
        }
    }
}

/// The folders that hold objects below a table folder, as a tree (S3 has no folders: a key `a/b/c.parquet`
/// implies the folders `a` and `a/b`).
struct ObjectFolderTree {
    private var children: [String: Set<String>] = [:]

    init(keys: [String]) {
        for k in keys {
            let parts = k.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            // Every component but the last names a folder (a key ending in `/` is a folder marker).
            var parent = ""
            for i in 0..<(parts.count - 1) where !parts[i].isEmpty {
                children[parent, default: []].insert(parts[i])
                parent = parent.isEmpty ? parts[i] : parent + "/" + parts[i]
            }
        }
    }

    /// The folder names directly inside `relative` ("" for the top), sorted.
    func folders(in relative: String) -> [String] { (children[relative] ?? []).sorted() }
}

/// Parquet's byte source over an object (the warehouse's tables, and every `s3://` Parquet path of the CLI): the
/// footer from a cached tail in at most two ranged GETs, row-group prefetch with coalescing, read-ahead. One class
/// serves Iceberg's data files and these (Iceberg's `ObjectParquetSource`, the lower module of the two).
public typealias ParquetObjectSource = ObjectParquetSource

extension VersionedLayout {
    /// The pointer object of a versioned table in an object store (`<table>/_floe_current`): its content is the
    /// current version's folder name and a newline.
    public static let pointerObject = "_floe_current"

    /// The version number of an object-store version folder `v-<digits>-<suffix>` (or a local `v-<digits>`).
    public static func objectVersion(of name: String) -> Int? {
        if let v = version(of: name) { return v }
        guard name.hasPrefix("v-") else { return nil }
        let rest = name.dropFirst(2)
        guard let dash = rest.firstIndex(of: "-") else { return nil }
        let digits = rest[..<dash], suffix = rest[rest.index(after: dash)...]
        guard !digits.isEmpty, !suffix.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              suffix.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        else { return nil }
        return Int(digits)
    }
}

extension TableSnapshot {
    /// Opens the table folder `prefix` (empty or ending in `/`) of `store`, named `url` (`s3://bucket/prefix`) in
    /// paths and messages: a versioned table at its current version (never a mix of versions, never nothing),
    /// any other folder as every `*.parquet` below it.
    public static func open(store: any ObjectStore, prefix: String, url: String) throws(WarehouseError) -> TableSnapshot {
        try open(root: ObjectWarehouseRoot(store: store, prefix: prefix, url: url), table: "")
    }

    /// Opens a table folder in an object store: a versioned table (pointer object) at its current version, any
    /// other folder as every `*.parquet` below it. Retries when a version is removed under it.
    static func open(root: ObjectWarehouseRoot, table relative: String) throws(WarehouseError) -> TableSnapshot {
        let tablePrefix = relative.isEmpty ? root.prefix : root.key(relative + "/")
        let pointerKey = tablePrefix + VersionedLayout.pointerObject
        let display = relative.isEmpty ? root.url : root.name(relative)
        var attempt = 0
        while true {
            attempt += 1
            let pointer = try Remote.read(root, pointerKey, limit: 4096)
            var version: String?
            var listPrefix = tablePrefix
            if let pointer {
                let target = String(decoding: pointer.bytes, as: UTF8.self).trimmingTrailingNewlines()
                guard VersionedLayout.objectVersion(of: target) != nil else {
                    throw .corruptCatalog("\(display)/\(VersionedLayout.pointerObject): names '\(target)', not a version folder v-N of the table")
                }
                version = target
                listPrefix = tablePrefix + target + "/"
            }
            var objects = try Remote.list(root, listPrefix).filter { o in
                let rel = o.key.dropFirst(listPrefix.count)
                return o.key.hasSuffix(".parquet") && !rel.split(separator: "/").contains { $0.hasPrefix(".") || $0.hasPrefix("_") }
            }
            if version == nil {
                // A plain folder: versions of a table being created meanwhile are not its rows.
                objects.removeAll { o in
                    let first = o.key.dropFirst(listPrefix.count).split(separator: "/").first.map(String.init) ?? ""
                    return VersionedLayout.objectVersion(of: first) != nil
                }
            }
            objects.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            var files: [ParquetFile] = []
            var paths: [String] = []
            var vanished = false
            for o in objects {
                let reader = ObjectRangeReader(store: root.store, key: o.key, size: Int(o.size), etag: o.etag)
                let name = root.url + "/" + String(o.key.dropFirst(root.prefix.count))
                do {
                    files.append(try ParquetFile(source: ParquetObjectSource(reader: reader)))
                    paths.append(name)
                } catch let e as ObjectStoreError {
                    if case .notFound = e { vanished = true; break }
                    throw Remote.map(e, name)
                } catch {
                    throw .io(name, "\(error)")
                }
            }
            // The version was removed between the pointer and the listing (or an open): resolve again.
            if vanished || (version != nil && objects.isEmpty) {
                let now = try Remote.read(root, pointerKey, limit: 4096)
                if now?.etag != pointer?.etag || vanished {
                    if attempt < 100 { continue }
                    throw .io(display, "the table's current version kept disappearing while it was opened")
                }
            }
            return TableSnapshot(root: version.map { display + "/" + $0 } ?? display, version: version, paths: paths,
                                 files: files)
        }
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var s = self
        while let l = s.last, l == "\n" || l == "\r" || l == " " { s.removeLast() }
        return s
    }
}

/// Writes a new version of a versioned table in an object store and publishes it with the pointer.
final class ObjectVersionWriter {
    let root: ObjectWarehouseRoot
    let table: String
    let staging: String
    private var fileCount = 0

    init(root: ObjectWarehouseRoot, table: String) throws(WarehouseError) {
        self.root = root
        self.table = table
        let dir = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        staging = dir + "/floe-version-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        try Posix.makeDirectories(staging)
    }

    /// The next local file to write (uploaded by `publish`).
    func nextFilePath() -> String {
        defer { fileCount += 1 }
        return staging + "/\(table)-\(VersionedLayout.pad(fileCount, 5)).parquet"
    }

    func cleanUp() { try? Posix.removeTree(staging) }

    /// Reads the pointer: the current version's name and the pointer's ETag (nil, nil: no version yet).
    func pointer() throws(WarehouseError) -> (version: String?, etag: String?) {
        guard let p = try Remote.read(root, root.key(table + "/" + VersionedLayout.pointerObject), limit: 4096) else {
            return (nil, nil)
        }
        return (String(decoding: p.bytes, as: UTF8.self).trimmingTrailingNewlines(), p.etag)
    }

    /// Uploads the staged files under a fresh version folder after `current` and swaps the pointer from `etag`.
    /// Returns the new version's name, or nil when another writer moved the pointer first (the uploads are removed).
    func publish(after current: String?, etag: String?) throws(WarehouseError) -> String? {
        let number = (current.flatMap { VersionedLayout.objectVersion(of: $0) } ?? 0) + 1
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let name = VersionedLayout.folderName(number) + "-" + String(repeating: "0", count: 8 - suffix.count) + suffix
        let versionPrefix = root.key(table + "/" + name + "/")
        let files = Posix.list(staging).filter { $0.hasSuffix(".parquet") }
        let store = root.store
        let stagingDir = staging
        let display = root.name(table + "/" + name)
        do throws(WarehouseError) {
            for f in files {
                let path = stagingDir + "/" + f
                try Remote.run(display + "/" + f) {
                    try await ObjectVersionWriter.upload(path: path, store: store, key: versionPrefix + f)
                }
            }
            let pointerKey = root.key(table + "/" + VersionedLayout.pointerObject)
            let body = Array((name + "\n").utf8)
            let condition: WriteCondition = etag.map { .ifMatch($0) } ?? .createOnly
            let won: Bool = try Remote.run(root.name(table + "/" + VersionedLayout.pointerObject)) {
                do {
                    try await store.put(pointerKey, bytes: body, condition: condition)
                    return true
                } catch ObjectStoreError.preconditionFailed {
                    return false
                }
            }
            if won { return name }
        } catch {
            try? Remote.deleteAll(root, versionPrefix)
            throw error
        }
        try? Remote.deleteAll(root, versionPrefix)
        return nil
    }

    /// Streams a local file to `key` create-only (multipart for large files): whole or not at all.
    static func upload(path: String, store: any ObjectStore, key: String) async throws {
        try await store.upload(file: path, to: key, condition: .createOnly)
    }

    /// Removes versions older than `current` whose successor was published longer than `graceSeconds` ago.
    func removeExpiredVersions(current: String, graceSeconds: Int) {
        guard let currentNumber = VersionedLayout.objectVersion(of: current) else { return }
        let tablePrefix = root.key(table + "/")
        guard let objects = try? Remote.list(root, tablePrefix) else { return }
        // version folder -> (number, newest upload time)
        var versions: [String: (n: Int, time: Double)] = [:]
        for o in objects {
            let first = String(o.key.dropFirst(tablePrefix.count).split(separator: "/").first ?? "")
            guard let n = VersionedLayout.objectVersion(of: first), o.key.dropFirst(tablePrefix.count).contains("/") else { continue }
            let t = o.lastModified ?? 0
            versions[first] = (n, max(versions[first]?.time ?? 0, t))
        }
        let ordered = versions.sorted { ($0.value.n, $0.key) < ($1.value.n, $1.key) }
        let now = Double(time(nil))
        for (i, v) in ordered.enumerated() where v.value.n < currentNumber && v.key != current && i + 1 < ordered.count {
            // The successor: the next version that was ever published (an unpublished loser's uploads do not
            // count, they are removed by their writer), approximated by the next folder in order.
            let successor = ordered[i + 1].value.time
            if graceSeconds <= 0 || now - successor >= Double(graceSeconds) {
                try? Remote.deleteAll(root, tablePrefix + v.key + "/")
            }
        }
    }
}
