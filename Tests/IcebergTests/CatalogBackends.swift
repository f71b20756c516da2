import Foundation
import Testing
@testable import Iceberg

/// The databases the SQL catalog tests run on: SQLite in a temporary folder, and the PostgreSQL server that
/// `scripts/with_postgres.sh` (run by `make test-swift`) starts and names in `FLOE_TEST_POSTGRES_URL`. Without
/// that variable the PostgreSQL cases say SKIPPED, unless `FLOE_REQUIRE_POSTGRES=1` makes them fail.
enum CatalogBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgresql
    var testDescription: String { rawValue }
}

/// Catalog connections of one test: each `open()` is a new connection to the same catalog. On PostgreSQL the
/// tests share one database, so each gets its own catalog name (the `catalog_name` column keeps them apart).
struct TestCatalogs {
    let backend: CatalogBackend
    let url: String
    let name: String
    let warehouse: String

    init?(_ backend: CatalogBackend, _ tmp: TempFolder, test: String = #function) {
        self.backend = backend
        warehouse = tmp.path + "/wh"
        switch backend {
        case .sqlite:
            url = tmp.path + "/catalog.db"
            name = "floe"
        case .postgresql:
            let env = ProcessInfo.processInfo.environment
            guard let u = env["FLOE_TEST_POSTGRES_URL"], !u.isEmpty else {
                if env["FLOE_REQUIRE_POSTGRES"] == "1" {
                    Issue.record("\(test): FLOE_TEST_POSTGRES_URL is required (FLOE_REQUIRE_POSTGRES=1)")
                }
                print("SKIPPED \(test) on PostgreSQL: no FLOE_TEST_POSTGRES_URL (scripts/with_postgres.sh sets it)")
                return nil
            }
            url = u
            name = "t" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        }
    }

    func open() throws -> SQLCatalog { try SQLCatalog(url: url, name: name, warehouse: warehouse) }
}

@Suite("PostgreSQL catalog URLs")
struct PostgresURLTests {
    /// libpq's URI form (PostgreSQL docs, 34.1.1.2 Connection URIs): user, password, host, port, database,
    /// percent-decoding, a unix-socket folder as host, query parameters overriding.
    @Test func parsesLibpqURIs() throws {
        var u = try PostgresURL("postgresql://alice:s%40cret@db.example:6543/warehouse?sslmode=require")
        #expect(u.user == "alice" && u.password == "s@cret" && u.host == "db.example" && u.port == 6543)
        #expect(u.database == "warehouse" && u.sslmode == "require")
        #expect(!u.redacted.contains("s@cret"))
        u = try PostgresURL("postgres://bob@%2Ftmp%2Fpg:5433/db")
        #expect(u.host == "/tmp/pg" && u.port == 5433 && u.user == "bob" && u.password == nil)
        u = try PostgresURL("postgresql://[::1]:7000/x?user=carol&password=pw&dbname=y&sslmode=disable")
        #expect(u.host == "::1" && u.port == 7000 && u.user == "carol" && u.password == "pw" && u.database == "y")
        u = try PostgresURL("postgresql:///db?host=/run/pg")
        #expect(u.host == "/run/pg" && u.port == 5432 && u.database == "db")
        for bad in ["postgresql://h:99999/db", "postgresql://h:x/db", "postgresql://h/db?sslmode=maybe",
                    "postgresql://h/db?frobnicate=1", "postgresql://h/%zz", "mysql://h/db"] {
            #expect(throws: IcebergError.self, "\(bad)") { try PostgresURL(bad) }
        }
        #expect(PostgresURL.scrub("postgresql://a:secret@h/db") == "postgresql://a:***@h/db")
        #expect(PostgresCatalogConnection.numbered("a = ? AND b = ?") == "a = $1 AND b = $2")
    }

    /// A server that is not there: a one-line error naming the URL without its password, never a hang.
    @Test func unreachableServerIsAnError() throws {
        let tmp = TempFolder()
        do {
            _ = try SQLCatalog(url: "postgresql://u:topsecret@127.0.0.1:1/db?sslmode=disable", warehouse: tmp.path)
            Issue.record("connected to nothing")
        } catch {
            let text = "\(error)"
            #expect(text.contains("127.0.0.1:1") && !text.contains("topsecret"), "\(text)")
        }
    }
}
