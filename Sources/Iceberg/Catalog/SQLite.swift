// A small synchronous SQLite connection (the system libsqlite3 through GRDB's GRDBSQLite module map):
// prepared statements with bound text/integer parameters, transactions, a busy timeout.

import GRDBSQLite

/// SQLite's "transient" destructor: SQLite copies bound text before the call returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

final class SQLiteConnection: SQLCatalogConnection {
    let path: String
    var displayName: String { path }
    private var db: OpaquePointer?

    init(path: String, busyTimeoutMs: Int32 = 30_000) throws(IcebergError) {
        self.path = path
        let rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nil)
        guard rc == SQLITE_OK else {
            let msg = db.map { String(cString: sqlite3_errmsg($0)) } ?? "error \(rc)"
            sqlite3_close(db)
            db = nil
            throw .io("SQLite catalog \(path): \(msg)")
        }
        sqlite3_busy_timeout(db, busyTimeoutMs)
    }

    deinit { sqlite3_close(db) }

    /// The primary result code of the last failure (SQLITE_BUSY, SQLITE_CONSTRAINT, ...).
    private(set) var lastCode: Int32 = SQLITE_OK

    /// Write-ahead logging: a commit is one fsync of the log instead of a rollback journal's create, sync and
    /// delete; readers (pyiceberg among them) never wait for a writer. Persistent in the file; a database that
    /// another connection holds keeps its mode, which is fine either way.
    func prepareCatalog() {
        _ = try? execute("PRAGMA journal_mode=WAL")
        _ = try? execute("PRAGMA synchronous=FULL")
    }

    func error(_ what: String) -> IcebergError {
        .io("SQLite catalog \(path): \(what): \(String(cString: sqlite3_errmsg(db)))")
    }

    /// Runs `sql` with `params`; returns the rows (each column as text or nil) and the number of rows changed.
    @discardableResult
    func execute(_ sql: String, _ params: [SQLValue] = []) throws(IcebergError) -> (rows: [[String?]], changes: Int) {
        var stmt: OpaquePointer?
        lastCode = sqlite3_prepare_v2(db, sql, -1, &stmt, nil)
        guard lastCode == SQLITE_OK else { throw error("prepare") }
        defer { sqlite3_finalize(stmt) }
        for (i, p) in params.enumerated() {
            let idx = Int32(i + 1)
            switch p {
            case .text(let s): sqlite3_bind_text(stmt, idx, s, -1, transient)
            case .int(let v): sqlite3_bind_int64(stmt, idx, v)
            case .null: sqlite3_bind_null(stmt, idx)
            }
        }
        var rows: [[String?]] = []
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else {
                lastCode = rc & 0xFF
                throw error("step")
            }
            let n = sqlite3_column_count(stmt)
            var row: [String?] = []
            for c in 0..<n {
                if let t = sqlite3_column_text(stmt, c) { row.append(String(cString: t)) } else { row.append(nil) }
            }
            rows.append(row)
        }
        lastCode = SQLITE_OK
        return (rows, Int(sqlite3_changes(db)))
    }

    /// SQLite applies a statement whole or not at all: a busy or locked database did not take it.
    var lastFailureNotApplied: Bool { lastCode == SQLITE_BUSY || lastCode == SQLITE_LOCKED }
}
