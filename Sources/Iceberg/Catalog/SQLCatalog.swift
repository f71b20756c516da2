// The SQL catalog that Iceberg's JDBC catalog, pyiceberg's SqlCatalog, iceberg-rust and iceberg-go share:
// tables `iceberg_tables` and `iceberg_namespace_properties`, a commit being a compare-and-swap of
// `metadata_location`, retried on conflict by re-applying the change on the new base (`commit.retry.*`).

/// The retry policy of commits, from the table's `commit.retry.*` properties (defaults as Iceberg's).
public struct CommitRetry: Sendable, Equatable {
    /// Retries after the first attempt (`commit.retry.num-retries`, default 4).
    public var numRetries = 4
    /// The first wait between attempts, in milliseconds (`commit.retry.min-wait-ms`, default 100).
    public var minWaitMs = 100
    /// The longest wait between attempts, in milliseconds (`commit.retry.max-wait-ms`, default 60 000; never
    /// below ``minWaitMs``).
    public var maxWaitMs = 60_000
    /// The time budget of a commit and its retries, in milliseconds (`commit.retry.total-timeout-ms`,
    /// default 1 800 000, 30 minutes).
    public var totalTimeoutMs = 1_800_000

    /// Iceberg's defaults.
    public init() {}

    /// The policy from table `properties` (the last value of a key wins); missing, non-numeric or negative
    /// values keep the default.
    public init(properties: [(String, String)]) {
        func get(_ k: String) -> Int? { properties.last { $0.0 == k }.flatMap { Int($0.1) }.flatMap { $0 >= 0 ? $0 : nil } }
        numRetries = get("commit.retry.num-retries") ?? numRetries
        minWaitMs = get("commit.retry.min-wait-ms") ?? minWaitMs
        maxWaitMs = max(get("commit.retry.max-wait-ms") ?? maxWaitMs, minWaitMs)
        totalTimeoutMs = get("commit.retry.total-timeout-ms") ?? totalTimeoutMs
    }

    /// The wait before retry `attempt` (1-based): exponential from the minimum, capped, with jitter.
    func waitMs(_ attempt: Int) -> Int {
        let base = min(maxWaitMs, minWaitMs << min(attempt - 1, 20))
        return base / 2 + Int.random(in: 0...max(0, base / 2))
    }
}

/// A bound statement parameter of the catalog's SQL.
enum SQLValue {
    /// A text parameter.
    case text(String)
    /// A 64-bit integer parameter.
    case int(Int64)
    /// SQL `NULL`.
    case null
}

/// One connection to the database that holds the catalog (SQLite or PostgreSQL). Statements use `?`
/// placeholders and run one at a time, each in its own transaction.
protocol SQLCatalogConnection: AnyObject {
    /// The database as error messages name it (a path, or a URL without its password).
    var displayName: String { get }
    /// Backend settings before the catalog's tables are created.
    func prepareCatalog()
    /// Runs `sql`; returns the rows (each column as text or nil) and the number of rows changed.
    @discardableResult
    func execute(_ sql: String, _ params: [SQLValue]) throws(IcebergError) -> (rows: [[String?]], changes: Int)
    /// Whether the statement that failed last was certainly not applied (a busy database, a serialization
    /// failure); otherwise its outcome is unknown (a lost connection).
    var lastFailureNotApplied: Bool { get }
}

extension SQLCatalogConnection {
    @discardableResult
    func execute(_ sql: String) throws(IcebergError) -> (rows: [[String?]], changes: Int) { try execute(sql, []) }
}

/// The catalog on SQLite in the warehouse folder (the embedded default).
public typealias SQLiteCatalog = SQLCatalog

/// An Iceberg SQL catalog, in the layout of the JDBC catalog (schema V1) and pyiceberg's SqlCatalog, on SQLite
/// (one machine) or PostgreSQL (many machines writing one table).
public final class SQLCatalog {
    /// The catalog name: the `catalog_name` column every row of this catalog carries, so several catalogs can
    /// share one database.
    public let name: String
    /// The catalog database: a SQLite path, or the PostgreSQL URL without its password.
    public let path: String
    /// Where new tables go: `<warehouse>/<namespace>/<table>`.
    public let warehouse: String
    let db: any SQLCatalogConnection

    /// Opens (creating if needed) the SQLite catalog database at `path`.
    public convenience init(path: String, name: String = "floe", warehouse: String) throws(IcebergError) {
        try self.init(connection: try SQLiteConnection(path: path), name: name, warehouse: warehouse)
    }

    /// Opens the catalog a URL names: `postgresql://user:password@host:port/database?sslmode=…` (or
    /// `postgres://`) on PostgreSQL, anything else as a SQLite file path (`sqlite:` prefix optional).
    public convenience init(url: String, name: String = "floe", warehouse: String) throws(IcebergError) {
        if url.hasPrefix("postgresql://") || url.hasPrefix("postgres://") {
            try self.init(connection: try PostgresCatalogConnection(url: url), name: name, warehouse: warehouse)
        } else {
            var p = Substring(url)
            if p.hasPrefix("sqlite://") { p = p.dropFirst("sqlite://".count) } else if p.hasPrefix("sqlite:") { p = p.dropFirst("sqlite:".count) }
            guard !p.contains("://") else { throw .invalidArgument("catalog '\(url)': unsupported URL scheme (postgresql:// or a SQLite file)") }
            try self.init(path: String(p), name: name, warehouse: warehouse)
        }
    }

    init(connection: any SQLCatalogConnection, name: String, warehouse: String) throws(IcebergError) {
        self.name = name
        self.path = connection.displayName
        self.warehouse = warehouse.hasSuffix("/") ? String(warehouse.dropLast()) : warehouse
        db = connection
        db.prepareCatalog()
        try createCatalogTables()
    }

    /// Creates the catalog's two tables when missing. Two processes creating them at once on PostgreSQL can
    /// collide in its system catalog (a unique violation) although both say IF NOT EXISTS: tried again.
    func createCatalogTables() throws(IcebergError) {
        var attempt = 0
        while true {
            attempt += 1
            do {
                try createCatalogTablesOnce()
                return
            } catch {
                if attempt >= 3 { throw error }
                sleepMs(10 * attempt)
            }
        }
    }

    private func createCatalogTablesOnce() throws(IcebergError) {
        try db.execute("""
            CREATE TABLE IF NOT EXISTS iceberg_tables (
              catalog_name VARCHAR(255) NOT NULL,
              table_namespace VARCHAR(255) NOT NULL,
              table_name VARCHAR(255) NOT NULL,
              metadata_location VARCHAR(1000),
              previous_metadata_location VARCHAR(1000),
              iceberg_type VARCHAR(5),
              PRIMARY KEY (catalog_name, table_namespace, table_name))
            """)
        try db.execute("""
            CREATE TABLE IF NOT EXISTS iceberg_namespace_properties (
              catalog_name VARCHAR(255) NOT NULL,
              namespace VARCHAR(255) NOT NULL,
              property_key VARCHAR(255) NOT NULL,
              property_value VARCHAR(1000),
              PRIMARY KEY (catalog_name, namespace, property_key))
            """)
    }

    static func nsString(_ ns: [String]) -> String { ns.joined(separator: ".") }

    // MARK: Namespaces

    /// Creates namespace `ns` (levels without dots), storing `properties` in `iceberg_namespace_properties`
    /// (an `exists = true` row when there are none, as the JDBC catalog does).
    ///
    /// - Throws: ``IcebergError/invalidArgument(_:)`` for an empty namespace or a level that is empty or
    ///   contains a dot, ``IcebergError/alreadyExists(_:)`` when it exists, ``IcebergError/io(_:)`` on a
    ///   database failure.
    public func createNamespace(_ ns: [String], properties: [(String, String)] = []) throws(IcebergError) {
        guard !ns.isEmpty, ns.allSatisfy({ !$0.isEmpty && !$0.contains(".") }) else {
            throw .invalidArgument("invalid namespace '\(Self.nsString(ns))'")
        }
        guard try !namespaceExists(ns) else { throw .alreadyExists("namespace \(Self.nsString(ns)) exists already") }
        let props = properties.isEmpty ? [("exists", "true")] : properties
        for (k, v) in props {
            try db.execute("INSERT INTO iceberg_namespace_properties (catalog_name, namespace, property_key, property_value) VALUES (?, ?, ?, ?)",
                           [.text(name), .text(Self.nsString(ns)), .text(k), .text(v)])
        }
    }

    /// Whether namespace `ns` has properties or tables in this catalog.
    ///
    /// - Throws: ``IcebergError/io(_:)`` on a database failure.
    public func namespaceExists(_ ns: [String]) throws(IcebergError) -> Bool {
        let s = Self.nsString(ns)
        let a = try db.execute("SELECT 1 FROM iceberg_namespace_properties WHERE catalog_name = ? AND namespace = ? LIMIT 1", [.text(name), .text(s)])
        if !a.rows.isEmpty { return true }
        let b = try db.execute("SELECT 1 FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? LIMIT 1", [.text(name), .text(s)])
        return !b.rows.isEmpty
    }

    /// Every namespace of this catalog (with properties or tables), sorted, each as its levels.
    ///
    /// - Throws: ``IcebergError/io(_:)`` on a database failure.
    public func listNamespaces() throws(IcebergError) -> [[String]] {
        let r = try db.execute("""
            SELECT namespace FROM iceberg_namespace_properties WHERE catalog_name = ?
            UNION SELECT table_namespace FROM iceberg_tables WHERE catalog_name = ? ORDER BY 1
            """, [.text(name), .text(name)])
        return r.rows.compactMap { $0[0].map { $0.split(separator: ".").map(String.init) } }
    }

    // MARK: Tables

    /// The names of the tables in namespace `ns` (views excluded), sorted.
    ///
    /// - Throws: ``IcebergError/io(_:)`` on a database failure.
    public func listTables(_ ns: [String]) throws(IcebergError) -> [String] {
        try db.execute("SELECT table_name FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? AND (iceberg_type = 'TABLE' OR iceberg_type IS NULL) ORDER BY table_name",
                       [.text(name), .text(Self.nsString(ns))]).rows.compactMap { $0[0] }
    }

    func currentLocation(_ ns: [String], _ table: String) throws(IcebergError) -> String? {
        let r = try db.execute("SELECT metadata_location FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? AND table_name = ? AND (iceberg_type = 'TABLE' OR iceberg_type IS NULL)",
                               [.text(name), .text(Self.nsString(ns)), .text(table)])
        guard let row = r.rows.first else { return nil }
        guard let loc = row[0] else { throw .corrupt(file: path, detail: "table \(Self.nsString(ns)).\(table) has no metadata_location") }
        return loc
    }

    /// Reads table `ns`.`table` from its current metadata file.
    ///
    /// - Throws: ``IcebergError/notFound(_:)`` when the catalog has no such table or the metadata file is
    ///   missing, ``IcebergError/corrupt(file:detail:)`` when the row has no metadata location or the file does
    ///   not parse, ``IcebergError/io(_:)`` on a database or read failure.
    public func loadTable(_ ns: [String], _ table: String) throws(IcebergError) -> IcebergTable {
        guard let loc = try currentLocation(ns, table) else {
            throw .notFound("table \(Self.nsString(ns)).\(table) does not exist in catalog '\(name)' (\(path))")
        }
        let m = try TableMetadata.parse(try LocalFileIO.read(loc), file: loc)
        return IcebergTable(identifier: ns + [table], metadata: m, metadataLocation: loc)
    }

    /// Creates a table: writes its first metadata file (create-only) and registers it.
    public func createTable(_ ns: [String], _ table: String, schema: IcebergSchema, spec: PartitionSpec = .unpartitioned,
                            sortOrder: SortOrder = .unsorted, properties: [(String, String)] = [],
                            location: String? = nil) throws(IcebergError) -> IcebergTable {
        guard try namespaceExists(ns) else { throw .notFound("namespace \(Self.nsString(ns)) does not exist in catalog '\(name)'") }
        guard try currentLocation(ns, table) == nil else { throw .alreadyExists("table \(Self.nsString(ns)).\(table) exists already") }
        let loc = location ?? warehouse + "/" + ns.joined(separator: "/") + "/" + table
        let m = try TableMetadata(location: loc, schema: schema, spec: spec, sortOrder: sortOrder, properties: properties)
        let metaPath = nextMetadataPath(location: m.location, previous: nil)
        try LocalFileIO.write(JSONSerializerBytes(m), to: metaPath, createOnly: true)
        do {
            try db.execute("INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, metadata_location, previous_metadata_location, iceberg_type) VALUES (?, ?, ?, ?, NULL, 'TABLE')",
                           [.text(name), .text(Self.nsString(ns)), .text(table), .text(metaPath)])
        } catch {
            LocalFileIO.delete(metaPath)
            if try currentLocation(ns, table) != nil { throw .alreadyExists("table \(Self.nsString(ns)).\(table) exists already") }
            throw error
        }
        writeVersionHint(m.location, metaPath)
        return IcebergTable(identifier: ns + [table], metadata: m, metadataLocation: metaPath)
    }

    /// Removes the table from the catalog (its files stay).
    public func dropTable(_ ns: [String], _ table: String) throws(IcebergError) {
        let r = try db.execute("DELETE FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? AND table_name = ?",
                               [.text(name), .text(Self.nsString(ns)), .text(table)])
        guard r.changes == 1 else { throw .notFound("table \(Self.nsString(ns)).\(table) does not exist") }
    }

    // MARK: Commits

    /// Appends `files` (data files, and delete files for a row-level delta) as one snapshot, with `summary`
    /// added to its summary. On a conflicting concurrent commit the append is re-applied on the new
    /// base, up to the table's `commit.retry.*` limits.
    @discardableResult
    public func append(_ ns: [String], _ table: String, files: [DataFile],
                       summary: [(String, String)] = []) throws(IcebergError) -> IcebergTable {
        var op = AppendFiles(files: files)
        op.summaryProperties = summary
        do {
            return try commit(ns, table) { (base, baseLocation, attempt) throws(IcebergError) in
                try op.apply(to: base, metadataLocation: baseLocation, attempt: &attempt)
            }
        } catch {
            // the manifest of the files belongs to no snapshot when every attempt failed for sure
            if case .commitConflict = error { op.deleteAll() }
            throw error
        }
    }

    /// The commit loop: load the current metadata, apply `update`, write the new metadata file create-only,
    /// swap `metadata_location` if it is still the one read. A lost swap deletes this attempt's files and
    /// retries; an error whose outcome is unknown deletes nothing.
    func commit(_ ns: [String], _ table: String,
                       _ update: (TableMetadata, String, inout AttemptFiles) throws(IcebergError) -> TableMetadata) throws(IcebergError) -> IcebergTable {
        let start = currentTimeMillis()
        var attemptNo = 0
        while true {
            attemptNo += 1
            let base = try loadTable(ns, table)
            let retry = CommitRetry(properties: base.metadata.properties)
            var files = AttemptFiles()
            var new: TableMetadata
            do { new = try update(base.metadata, base.metadataLocation, &files) } catch {
                files.removeAll()
                throw error
            }
            let metaPath = nextMetadataPath(location: new.location, previous: base.metadataLocation)
            var written = true
            do { try LocalFileIO.write(JSONSerializerBytes(new), to: metaPath, createOnly: true, durable: false) } catch {
                // the path exists already (another writer's file, never ours to delete): a lost round
                guard case .alreadyExists = error else {
                    files.removeAll()
                    throw error
                }
                written = false
            }
            var swapped = false
            if written {
                files.paths.append(metaPath)
                // Durability before the swap: the catalog row must never point at metadata, a manifest list or a
                // manifest that a crash could lose. They are fsynced together (in parallel: the file system joins
                // them into one journal commit) and their folder once, instead of one after the other.
                do { try LocalFileIO.sync(files.unsynced + [metaPath]) } catch {
                    files.removeAll()  // nothing points at them: the swap has not happened
                    throw error
                }
                do {
                    let r = try db.execute("""
                        UPDATE iceberg_tables SET metadata_location = ?, previous_metadata_location = ?
                        WHERE catalog_name = ? AND table_namespace = ? AND table_name = ? AND metadata_location = ?
                        """, [.text(metaPath), .text(base.metadataLocation), .text(name), .text(Self.nsString(ns)), .text(table),
                              .text(base.metadataLocation)])
                    swapped = r.changes == 1
                } catch {
                    // a statement the database certainly did not apply (busy, serialization failure) is a lost
                    // round; any other failure (a lost connection) leaves the outcome unknown: keep every file
                    guard db.lastFailureNotApplied else { throw error }
                }
            }
            if swapped {
                writeVersionHint(new.location, metaPath)
                return IcebergTable(identifier: ns + [table], metadata: new, metadataLocation: metaPath)
            }
            files.removeAll()
            let elapsed = Int(currentTimeMillis() - start)
            guard attemptNo <= retry.numRetries, elapsed < retry.totalTimeoutMs else {
                throw .commitConflict("table \(Self.nsString(ns)).\(table): commit lost to concurrent commits \(attemptNo) times (commit.retry.num-retries = \(retry.numRetries))")
            }
            sleepMs(min(retry.waitMs(attemptNo), max(0, retry.totalTimeoutMs - elapsed)))
        }
    }

    /// `metadata/version-hint.text` for catalog-less readers (best effort: the catalog is the truth). It holds
    /// the current metadata file's name without `.metadata.json` (`00003-<uuid>`), which DuckDB's
    /// `iceberg_scan` completes with its `%s%s.metadata.json` name format.
    func writeVersionHint(_ location: String, _ metaPath: String) {
        var name = metaPath.split(separator: "/").last.map(String.init) ?? metaPath
        if name.hasSuffix(".metadata.json") { name.removeLast(".metadata.json".count) }
        try? LocalFileIO.write(Array(name.utf8), to: location + "/metadata/version-hint.text", durable: false)
    }
}

func JSONSerializerBytes(_ m: TableMetadata) -> [UInt8] {
    var out: [UInt8] = []
    JSONSerializer.serialize(m.json(), into: &out)
    return out
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JSON

func sleepMs(_ ms: Int) {
    guard ms > 0 else { return }
    var req = timespec(tv_sec: ms / 1000, tv_nsec: (ms % 1000) * 1_000_000)
    var rem = timespec()
    while nanosleep(&req, &rem) != 0 && errno == EINTR { req = rem }
}
