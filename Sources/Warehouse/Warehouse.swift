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

    /// The folder, as given.
    public let directory: String

    /// `directory` as an absolute path (against the working directory), without `.` / `..` components.
    public var absoluteDirectory: String { Posix.absolutePath(directory) }

    /// The path of the catalog file.
    public var catalogPath: String { directory + "/" + DataWarehouse.catalogFileName }
    var lockPath: String { directory + "/" + DataWarehouse.lockFileName }

    /// Opens an existing warehouse.
    public init(opening directory: String) throws(WarehouseError) {
        self.directory = DataWarehouse.trimmed(directory)
        guard Posix.exists(catalogPath) else { throw .notAWarehouse(directory) }
    }

    private init(unchecked directory: String) {
        self.directory = DataWarehouse.trimmed(directory)
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
        guard Posix.exists(catalogPath) else { throw .notAWarehouse(directory) }
        return try Catalog(bytes: Posix.readAll(catalogPath))
    }

    /// Read-modify-write under the exclusive lock; the catalog is written (version + 1) only when `body`
    /// changed it.
    public func update<T>(now: Int64? = nil, _ body: (inout Catalog) throws(WarehouseError) -> T) throws(WarehouseError) -> T {
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
        try requireInside(dataDirectory(of: table))
        try update(now: now) { (c: inout Catalog) throws(WarehouseError) in
            guard c.table(named: name) == nil else { throw .duplicateTable(name) }
            c.tables.append(table)
        }
        try Posix.makeDirectories(dataDirectory(of: table))
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
        if table.usesHourlyFolders {
            let scan = DataWarehouse.hourlyFolderScan(in: dataDirectory(of: table))
            found = scan.found.map { [$0] }
            skipped = scan.skipped.map { table.location + $0 }
        } else {
            found = DataWarehouse.hiveFolders(in: dataDirectory(of: table), keys: table.partitionKeys.map(\.name))
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

    /// The hourly folders, and the folders that look like part of the layout but are not (`2024/02/30`,
    /// `2024/13`, `junk`), relative to `dir`, so `partitions sync` can warn instead of skipping them silently.
    static func hourlyFolderScan(in dir: String) -> (found: [String], skipped: [String]) {
        var out: [String] = []
        var skipped: [String] = []
        func numbered(_ rel: String, digits: Int, range: (Int) -> ClosedRange<Int>, _ bound: Int = 0) -> [String] {
            let path = rel.isEmpty ? dir : dir + "/" + rel
            var ok: [String] = []
            for n in Posix.list(path) where !n.hasPrefix(".") {
                let full = path + "/" + n
                guard Posix.isRealDirectory(full) else { continue }  // data files and links are not partitions
                if n.utf8.count == digits && n.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) && range(bound).contains(Int(n)!) {
                    ok.append(n)
                } else if rel.isEmpty && (n == VersionedLayout.currentLink || VersionedLayout.version(of: n) != nil
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
        var out: [[String]] = []
        func walk(_ path: String, _ depth: Int, _ values: [String]) {
            if depth == keys.count { out.append(values); return }
            let prefix = keys[depth].lowercased() + "="
            for n in Posix.list(path) where n.lowercased().hasPrefix(prefix) && Posix.isRealDirectory(path + "/" + n) {
                walk(path + "/" + n, depth + 1, values + [unescapePathValue(String(n.dropFirst(prefix.count)))])
            }
        }
        walk(dir, 0, [])
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
