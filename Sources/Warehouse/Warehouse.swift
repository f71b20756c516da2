// Module Warehouse: a "serverless data warehouse" in a folder.
//
// `DIR/floe-catalog.json` is the catalog (format in Catalog.swift, locking and atomic writes in
// CatalogStore.swift); a table's data lives under `DIR/<table>/`: every `*.parquet` below it (JSON tables: NDJSON
// files), so files placed there by other tools belong to the table. Streaming input tables receive files in
// hourly folders `DIR/<table>/YYYY/MM/DD/HH/` and are partitioned by `inserted_at='YYYY/MM/DD/HH'`; other
// partitioned tables use Hive folders `DIR/<table>/k1=v1/k2=v2/`.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FileSafety
import Firehose
import JSON
import ObjectStore

/// What `DataWarehouse.createTable` needs.
public struct TableSpec: Sendable {
    /// The table name (validated: letters, digits, underscores; stored lower-case).
    public var name: String
    /// The data columns and partition keys.
    public var columns: ColumnDefinitions
    /// How data files are stored (Parquet by default).
    public var format: TableFormat
    /// nil: `streaming` when the partition keys are exactly `inserted_at`, else `plain`.
    public var kind: TableKind?
    /// Table properties written to the catalog and the DDL (`TBLPROPERTIES`), in order.
    public var properties: [(key: String, value: String)]

    /// A table specification; `kind` `nil` derives it from the partition keys.
    public init(name: String, columns: ColumnDefinitions, format: TableFormat = .parquet, kind: TableKind? = nil,
                properties: [(key: String, value: String)] = []) {
        self.name = name
        self.columns = columns
        self.format = format
        self.kind = kind
        self.properties = properties
    }
}

/// What `DataWarehouse.syncPartitions` did.
public struct PartitionSyncResult: Equatable, Sendable {
    /// Partitions registered by this call, sorted.
    public var added: [Partition]
    /// Partitions found (or due ahead) that were registered already.
    public var alreadyRegistered: Int
    /// Registered partitions after the call.
    public var total: Int
    /// Folders (relative to the warehouse) that are not partitions: impossible dates such as `2024/02/30`, or
    /// names that do not fit the layout. Not registered; the CLI warns about each.
    public var skipped: [String] = []
}

/// A warehouse folder and its catalog.
public struct DataWarehouse: Sendable {
    /// The catalog file's name in the warehouse folder.
    public static let catalogFileName = "floe-catalog.json"
    /// The file every catalog writer `flock(2)`s, so concurrent commands serialize their read-modify-write.
    public static let lockFileName = ".floe-catalog.lock"
    /// Partition key of streaming input tables.
    public static let streamingPartitionKey = "inserted_at"

    /// The folder, as given (an object-store warehouse: `s3://bucket/prefix`).
    public let directory: String

    /// Set when the warehouse is in an object store (ObjectWarehouse.swift) rather than a local folder.
    public let remote: ObjectWarehouseRoot?

    /// `directory` as an absolute path (against the working directory), without `.` / `..` components; an
    /// object-store warehouse's URL.
    public var absoluteDirectory: String { remote?.url ?? Posix.absolutePath(directory) }

    /// The path (or URL) of the catalog file.
    public var catalogPath: String { directory + "/" + DataWarehouse.catalogFileName }
    var lockPath: String { directory + "/" + DataWarehouse.lockFileName }

    /// Opens an existing warehouse.
    public init(opening directory: String) throws(WarehouseError) {
        self.directory = DataWarehouse.trimmed(directory)
        self.remote = nil
        guard Posix.exists(catalogPath) else { throw .notAWarehouse(directory) }
    }

    /// Opens an existing warehouse in an object store (one GET of the catalog).
    public init(opening root: ObjectWarehouseRoot) throws(WarehouseError) {
        self.directory = root.url
        self.remote = root
        _ = try catalog()
    }

    private init(unchecked directory: String) {
        self.directory = DataWarehouse.trimmed(directory)
        self.remote = nil
    }

    /// Creates an empty catalog for `database` in an object store, create-only: `warehouseExists` when one is there.
    @discardableResult
    public static func initialize(at root: ObjectWarehouseRoot, database: String, now: Int64? = nil) throws(WarehouseError)
        -> DataWarehouse
    {
        let db = try validName(database, what: "database")
        let t = UTC.iso8601(now ?? UTC.now())
        let c = Catalog(version: 1, database: db, createdAt: t, updatedAt: t)
        let bytes = PrettyJSON.bytes(c.json)
        let store = root.store, key = root.catalogKey
        let created: Bool = try Remote.run(root.name(DataWarehouse.catalogFileName)) {
            do {
                try await store.put(key, bytes: bytes, condition: .createOnly)
                return true
            } catch ObjectStoreError.preconditionFailed {
                return false
            }
        }
        guard created else { throw .warehouseExists(root.url) }
        return try DataWarehouse(opening: root)
    }

    private static func trimmed(_ d: String) -> String {
        var d = d
        while d.count > 1 && d.hasSuffix("/") { d.removeLast() }
        return d.isEmpty ? "." : d
    }

    /// Creates the folder (if needed) and an empty catalog for `database`.
    @discardableResult
    public static func initialize(at directory: String, database: String, now: Int64? = nil) throws(WarehouseError)
        -> DataWarehouse
    {
        let db = try validName(database, what: "database")
        let w = DataWarehouse(unchecked: directory)
        try Posix.makeDirectories(w.directory)
        let lock = try CatalogLock(path: w.lockPath)
        defer { lock.unlock() }
        guard !Posix.exists(w.catalogPath) else { throw .warehouseExists(directory) }
        let t = UTC.iso8601(now ?? UTC.now())
        let c = Catalog(version: 1, database: db, createdAt: t, updatedAt: t)
        try Posix.atomicWrite(PrettyJSON.bytes(c.json), to: w.catalogPath, directory: w.directory)
        return w
    }

    /// The catalog as last written (no lock needed: writes are atomic renames).
    public func catalog() throws(WarehouseError) -> Catalog {
        if let remote { return try remoteCatalog(remote).catalog }
        guard Posix.exists(catalogPath) else { throw .notAWarehouse(directory) }
        return try Catalog(bytes: Posix.readAll(catalogPath))
    }

    /// The catalog object and its ETag (one GET).
    func remoteCatalog(_ root: ObjectWarehouseRoot) throws(WarehouseError) -> (catalog: Catalog, etag: String) {
        guard let r = try Remote.read(root, root.catalogKey, limit: BoundedRead.catalogLimit) else {
            throw .notAWarehouse(directory)
        }
        return (try Catalog(bytes: r.bytes), r.etag)
    }

    /// Optimistic read-modify-write of the catalog object: `If-Match` the ETag read; on 412 read again and apply
    /// `body` again, with jittered exponential backoff, at most `CatalogRetry.maxAttempts` times.
    func remoteUpdate<T>(_ root: ObjectWarehouseRoot, now: Int64?, _ body: (inout Catalog) throws(WarehouseError) -> T)
        throws(WarehouseError) -> T
    {
        let store = root.store, key = root.catalogKey
        for attempt in 0..<CatalogRetry.maxAttempts {
            let (before, etag) = try remoteCatalog(root)
            var c = before
            let result = try body(&c)
            guard c != before else { return result }
            c.version = before.version + 1
            c.updatedAt = UTC.iso8601(now ?? UTC.now())
            c.tables.sort { $0.name < $1.name }
            let bytes = PrettyJSON.bytes(c.json)
            let written: Bool = try Remote.run(catalogPath) {
                do {
                    try await store.put(key, bytes: bytes, condition: .ifMatch(etag))
                    return true
                } catch ObjectStoreError.preconditionFailed {
                    return false
                } catch ObjectStoreError.notFound {
                    return false  // some stores answer a failed If-Match on a missing key with 404
                }
            }
            if written { return result }
            CatalogRetry.pause(attempt)
        }
        throw .io(catalogPath, "another writer changed the catalog on each of \(CatalogRetry.maxAttempts) attempts; giving up")
    }

    /// Read-modify-write under the exclusive lock; the catalog is written (version + 1) only when `body`
    /// changed it.
    public func update<T>(now: Int64? = nil, _ body: (inout Catalog) throws(WarehouseError) -> T) throws(WarehouseError) -> T {
        if let remote { return try remoteUpdate(remote, now: now, body) }
        let lock = try CatalogLock(path: lockPath)
        defer { lock.unlock() }
        let before = try catalog()
        var c = before
        let result = try body(&c)
        if c != before {
            c.version = before.version + 1
            c.updatedAt = UTC.iso8601(now ?? UTC.now())
            c.tables.sort { $0.name < $1.name }
            try Posix.atomicWrite(PrettyJSON.bytes(c.json), to: catalogPath, directory: directory)
        }
        return result
    }

    // MARK: - Tables

    /// Lower-cased `name` if it is `[A-Za-z0-9_]+` (at most 255 characters); usage error otherwise.
    public static func validName(_ name: String, what: String) throws(WarehouseError) -> String {
        guard !name.isEmpty, name.utf8.count <= 255,
              name.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F })
        else {
            throw .invalid("invalid \(what) name '\(name)': use letters, digits and underscores (at most 255)")
        }
        return name.lowercased()
    }

    /// The catalog entry of table `name` (case-insensitive), read from the catalog file now.
    ///
    /// - Throws: ``WarehouseError/tableNotFound(_:)`` when there is no such table; ``WarehouseError/corruptCatalog(_:)``
    ///   or ``WarehouseError/io(_:_:)`` when the catalog cannot be read.
    public func table(named name: String) throws(WarehouseError) -> Table {
        guard let t = try catalog().table(named: name) else { throw .tableNotFound(name) }
        return t
    }

    /// Absolute-or-relative path (as `directory`) of a table's data folder, ending in `/`.
    public func dataDirectory(of table: Table) -> String { directory + "/" + table.location }

    /// Registers a table and creates its data folder. `Duplicate table! Name: <name>` if it exists.
    @discardableResult
    public func createTable(_ spec: TableSpec, now: Int64? = nil) throws(WarehouseError) -> Table {
        let name = try DataWarehouse.validName(spec.name, what: "table")
        guard spec.format != .iceberg else {
            throw .invalid("table '\(name)': an Iceberg table is created in its SQL catalog (IcebergWarehouse.createTable; floe table create --format iceberg)")
        }
        var defs = spec.columns
        defs.tableName = name
        let kind: TableKind
        let keyNames = defs.partitionKeys.map { $0.name.lowercased() }
        switch spec.kind {
        case nil:
            kind = keyNames == [DataWarehouse.streamingPartitionKey] ? .streaming : .plain
        case .streaming?:
            if defs.partitionKeys.isEmpty {
                defs.partitionKeys = [HiveColumn(name: DataWarehouse.streamingPartitionKey, type: .string)]
            } else if keyNames != [DataWarehouse.streamingPartitionKey] {
                throw .invalid("a streaming table is partitioned by \(DataWarehouse.streamingPartitionKey) only, not by \(keyNames.joined(separator: ", "))")
            }
            if defs.partitionKeys[0].type != .string {
                throw .invalid("partition key \(DataWarehouse.streamingPartitionKey) of a streaming table must be a string")
            }
            kind = .streaming
        case let k?:
            kind = k
        }
        do { try defs.validate() } catch { throw .invalid("columns: \(error)") }
        let stamp = UTC.iso8601(now ?? UTC.now())
        let table = Table(name: name, kind: kind, format: spec.format, location: name + "/", columns: defs.columns,
                          partitionKeys: defs.partitionKeys, properties: spec.properties, createdAt: stamp)
        if remote == nil { try requireInside(dataDirectory(of: table)) }
        try update(now: now) { (c: inout Catalog) throws(WarehouseError) in
            guard c.table(named: name) == nil else { throw .duplicateTable(name) }
            c.tables.append(table)
        }
        if remote == nil { try Posix.makeDirectories(dataDirectory(of: table)) }
        return table
    }

    /// Removes a table from the catalog; with `purge` also deletes its data folder.
    ///
    /// Nothing outside the warehouse is ever deleted (issue 11, rule 1): the table folder must be a real folder
    /// (not a symbolic link) whose real path lies inside the warehouse's, and the removal never follows a link
    /// below it. A failed drop changes nothing: every check runs before the catalog is touched, the folder is
    /// first renamed aside (one atomic step, inside the warehouse) and renamed back if the catalog update fails;
    /// only then is the set-aside folder removed.
    @discardableResult
    public func dropTable(named name: String, purge: Bool = false, now: Int64? = nil) throws(WarehouseError) -> Table {
        guard purge else {
            return try update(now: now) { (c: inout Catalog) throws(WarehouseError) -> Table in
                guard let i = c.index(of: name) else { throw .tableNotFound(name) }
                return c.tables.remove(at: i)
            }
        }
        if let remote {
            // No rename aside in an object store: unregister first (a failure changes nothing), then delete the
            // objects; a failed deletion leaves unregistered objects that a rerun of the purge cannot reach, so it
            // says which prefix to remove.
            let dropped = try update(now: now) { (c: inout Catalog) throws(WarehouseError) -> Table in
                guard let i = c.index(of: name) else { throw .tableNotFound(name) }
                return c.tables.remove(at: i)
            }
            do {
                try Remote.deleteAll(remote, remote.key(dropped.location))
            } catch {
                throw .io(remote.name(dropped.location), "table dropped from the catalog, but removing its objects failed: \(error)")
            }
            return dropped
        }
        let table = try self.table(named: name)
        var folder = dataDirectory(of: table)
        while folder.count > 1 && folder.hasSuffix("/") { folder.removeLast() }
        let exists = Posix.lexists(folder)
        var aside: String?
        if exists {
            do {
                try PathContainment.requireFolderWithin(folder, root: directory)
            } catch {
                throw .invalid("refusing to purge table '\(table.name)': \(error.description)")
            }
            let hidden = directory + "/.floe-drop-\(table.name)-\(getpid())"
            guard rename(folder, hidden) == 0 else { throw .io(folder, Posix.message()) }
            aside = hidden
        }
        let dropped: Table
        do {
            dropped = try update(now: now) { (c: inout Catalog) throws(WarehouseError) -> Table in
                guard let i = c.index(of: name) else { throw .tableNotFound(name) }
                return c.tables.remove(at: i)
            }
        } catch {
            if let aside { _ = rename(aside, folder) }
            throw error
        }
        if let aside {
            do { try PathContainment.removeTreeNoFollow(aside) } catch { throw .io(error.path, error.message) }
        }
        return dropped
    }

    // MARK: - Partitions

    /// Registers every partition folder of `table` that is not registered yet (idempotent): hourly
    /// `YYYY/MM/DD/HH/` folders for streaming tables, `k1=v1/.../kn=vn/` folders for other partitioned tables.
    /// `ahead` (streaming tables only) also registers the hours from the current one on: `ahead` hour slots,
    /// `now`'s hour first, as the hourly job that pre-creates partitions does (`--ahead 12`).
    public func syncPartitions(table name: String, ahead: Int = 0, now: Int64? = nil) throws(WarehouseError)
        -> PartitionSyncResult
    {
        guard ahead >= 0 else { throw .invalid("--ahead must not be negative") }
        let table = try self.table(named: name)
        guard !table.partitionKeys.isEmpty else { throw .invalid("table '\(table.name)' has no partition keys") }
        if ahead > 0 && !table.usesHourlyFolders {
            throw .invalid("--ahead applies to streaming tables (partitioned by hourly folders) only")
        }
        let clock = now ?? UTC.now()
        let stamp = UTC.iso8601(clock)
        var skipped: [String] = []
        var found: [[String]]
        // The folders below the table: local directories, or those implied by the table's object keys.
        let subfolders: (String) -> [String]
        if let remote {
            let prefix = remote.key(table.location)
            let keys = try Remote.list(remote, prefix).map { String($0.key.dropFirst(prefix.count)) }
            let tree = ObjectFolderTree(keys: keys)
            subfolders = { tree.folders(in: $0) }
        } else {
            let dir = dataDirectory(of: table)
            subfolders = { rel in
                let path = rel.isEmpty ? dir : dir + "/" + rel
                return Posix.list(path).filter { Posix.isRealDirectory(path + "/" + $0) }  // files and links are not partitions
            }
        }
        if table.usesHourlyFolders {
            let scan = DataWarehouse.hourlyFolderScan(subfolders: subfolders)
            found = scan.found.map { [$0] }
            skipped = scan.skipped.map { table.location + $0 }
        } else {
            found = DataWarehouse.hiveFolders(subfolders: subfolders, keys: table.partitionKeys.map(\.name))
        }
        if ahead > 0 {
            let hour0 = clock - ((clock % 3600) + 3600) % 3600
            for i in 0..<ahead { found.append([DataWarehouse.hourValue(hour0 + Int64(i) * 3600)]) }
        }
        return try update(now: now) { (c: inout Catalog) throws(WarehouseError) -> PartitionSyncResult in
            guard let ti = c.index(of: table.name) else { throw .tableNotFound(name) }
            var t = c.tables[ti]
            var known = Set(t.partitions.map(\.values))
            var added: [Partition] = []
            var existing = 0
            for values in found {
                guard known.insert(values).inserted else { existing += 1; continue }
                added.append(Partition(values: values, location: DataWarehouse.partitionLocation(t, values), createdAt: stamp))
            }
            added.sort { $0.values.lexicographicallyPrecedes($1.values) }
            t.partitions.append(contentsOf: added)
            t.partitions.sort { $0.values.lexicographicallyPrecedes($1.values) }
            c.tables[ti] = t
            return PartitionSyncResult(added: added, alreadyRegistered: existing, total: t.partitions.count,
                                       skipped: skipped)
        }
    }

    /// Folder (relative to the warehouse, ending in `/`) of a partition of `table`.
    public static func partitionLocation(_ table: Table, _ values: [String]) -> String {
        if table.usesHourlyFolders { return table.location + values[0] + "/" }
        var out = table.location
        for (k, v) in zip(table.partitionKeys, values) { out += "\(escapePathValue(k.name))=\(escapePathValue(v))/" }
        return out
    }

    /// `YYYY/MM/DD/HH` of a Unix time.
    public static func hourValue(_ epoch: Int64) -> String {
        let (y, m, d, h, _, _) = UTC.fields(epoch)
        return "\(UTC.pad(y, 4))/\(UTC.pad(m, 2))/\(UTC.pad(d, 2))/\(UTC.pad(h, 2))"
    }

    /// Every `YYYY/MM/DD/HH` folder below `dir` that names a real hour (month 01–12, a day the month has, hour
    /// 00–23), sorted; symbolic links are not followed.
    static func hourlyFolders(in dir: String) -> [String] { hourlyFolderScan(in: dir).found }

    static func hourlyFolderScan(in dir: String) -> (found: [String], skipped: [String]) {
        hourlyFolderScan(subfolders: { rel in
            let path = rel.isEmpty ? dir : dir + "/" + rel
            return Posix.list(path).filter { Posix.isRealDirectory(path + "/" + $0) }
        })
    }

    /// The hourly folders, and the folders that look like part of the layout but are not (`2024/02/30`,
    /// `2024/13`, `junk`), relative to `dir`, so `partitions sync` can warn instead of skipping them silently.
    /// `subfolders(rel)`: the real folders (not links) directly inside `rel` ("" for the table folder).
    static func hourlyFolderScan(subfolders: (String) -> [String]) -> (found: [String], skipped: [String]) {
        var out: [String] = []
        var skipped: [String] = []
        func numbered(_ rel: String, digits: Int, range: (Int) -> ClosedRange<Int>, _ bound: Int = 0) -> [String] {
            var ok: [String] = []
            for n in subfolders(rel) where !n.hasPrefix(".") {
                if n.utf8.count == digits && n.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) && range(bound).contains(Int(n)!) {
                    ok.append(n)
                } else if rel.isEmpty && (n == VersionedLayout.currentLink || VersionedLayout.objectVersion(of: n) != nil
                                          || n.hasSuffix("-failed")) {
                    continue  // versions, and the error output of convert (`processing-failed/`, ...)
                } else {
                    skipped.append(rel.isEmpty ? n : rel + "/" + n)
                }
            }
            return ok
        }
        for y in numbered("", digits: 4, range: { _ in 0...9999 }) {
            for m in numbered(y, digits: 2, range: { _ in 1...12 }) {
                let days = DataWarehouse.daysIn(month: Int(m)!, year: Int(y)!)
                for d in numbered("\(y)/\(m)", digits: 2, range: { _ in 1...days }) {
                    for h in numbered("\(y)/\(m)/\(d)", digits: 2, range: { _ in 0...23 }) {
                        out.append("\(y)/\(m)/\(d)/\(h)")
                    }
                }
            }
        }
        return (out, skipped)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Every `k1=v1/.../kn=vn` folder below `dir` whose keys are `keys` in order (case-insensitive), values
    /// %-decoded as Hive escapes them.
    static func hiveFolders(in dir: String, keys: [String]) -> [[String]] {
        hiveFolders(subfolders: { rel in
            let path = rel.isEmpty ? dir : dir + "/" + rel
            return Posix.list(path).filter { Posix.isRealDirectory(path + "/" + $0) }
        }, keys: keys)
    }

    /// `subfolders(rel)`: the real folders directly inside `rel` ("" for the table folder).
    static func hiveFolders(subfolders: (String) -> [String], keys: [String]) -> [[String]] {
        var out: [[String]] = []
        func walk(_ rel: String, _ depth: Int, _ values: [String]) {
            if depth == keys.count { out.append(values); return }
            let prefix = keys[depth].lowercased() + "="
            for n in subfolders(rel) where n.lowercased().hasPrefix(prefix) {
                walk(rel.isEmpty ? n : rel + "/" + n, depth + 1, values + [unescapePathValue(String(n.dropFirst(prefix.count)))])
            }
        }
        walk("", 0, [])
        return out
    }

    /// Hive's escaping of partition names and values in folder names (`/`, `=`, `%`, control and a few other
    /// characters as `%XX`).
    public static func escapePathValue(_ s: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for b in s.utf8 {
            if b < 0x20 || b == 0x7F || "\"#%'*/:=?\\{[]^".utf8.contains(b) {
                out += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 15)]]
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func unescapePathValue(_ s: String) -> String {
        guard s.contains("%") else { return s }
        let u = Array(s.utf8)
        var bytes: [UInt8] = []
        var i = 0
        func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case 0x30...0x39: b - 0x30
            case 0x41...0x46: b - 0x37
            case 0x61...0x66: b - 0x57
            default: nil
            }
        }
        while i < u.count {
            if u[i] == 0x25, i + 2 < u.count, let h = hex(u[i + 1]), let l = hex(u[i + 2]) {
                bytes.append(h << 4 | l)
                i += 3
            } else {
                bytes.append(u[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
