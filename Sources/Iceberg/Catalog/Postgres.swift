// The SQL catalog's connection to PostgreSQL (postgres-nio), for many machines committing to one table. The
// catalog's API is synchronous: each statement runs on postgres-nio's event loops and the calling thread waits
// for its result (never call it from an event loop thread).

import Logging
import NIOCore
import NIOSSL
import PostgresNIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The parts of a `postgresql://` connection URL (libpq's form: user, password, host or a unix-socket folder,
/// port, database, and the `host`, `port`, `user`, `password`, `dbname`, `sslmode` query parameters).
struct PostgresURL: Equatable {
    var user: String
    var password: String?
    var host: String
    var port: Int
    var database: String?
    var sslmode: String

    /// The URL without its password, for messages.
    var redacted: String {
        "postgresql://\(user)@\(host.hasPrefix("/") ? "[\(host)]" : host):\(port)/\(database ?? "")"
    }

    init(_ url: String) throws(IcebergError) {
        let bad = { (why: String) -> IcebergError in .invalidArgument("catalog URL '\(Self.scrub(url))': \(why)") }
        var rest: Substring
        if url.hasPrefix("postgresql://") { rest = url.dropFirst("postgresql://".count) }
        else if url.hasPrefix("postgres://") { rest = url.dropFirst("postgres://".count) }
        else { throw bad("not a postgresql:// URL") }
        var query: Substring = ""
        if let q = rest.firstIndex(of: "?") { query = rest[rest.index(after: q)...]; rest = rest[..<q] }
        var path: Substring? = nil
        if let s = rest.firstIndex(of: "/") { path = rest[rest.index(after: s)...]; rest = rest[..<s] }
        var userInfo: Substring? = nil
        if let at = rest.lastIndex(of: "@") { userInfo = rest[..<at]; rest = rest[rest.index(after: at)...] }
        var user: String? = nil
        if let ui = userInfo {
            if let c = ui.firstIndex(of: ":") {
                user = try Self.decode(ui[..<c], url)
                password = try Self.decode(ui[ui.index(after: c)...], url)
            } else {
                user = try Self.decode(ui, url)
            }
        }
        var hostPart = rest
        var portText: Substring? = nil
        if hostPart.hasPrefix("[") {  // [IPv6]:port
            guard let close = hostPart.firstIndex(of: "]") else { throw bad("unclosed '[' in the host") }
            let after = hostPart[hostPart.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { throw bad("text after the host") }
            hostPart = hostPart[hostPart.index(after: hostPart.startIndex)..<close]
        } else if let c = hostPart.lastIndex(of: ":") {
            portText = hostPart[hostPart.index(after: c)...]
            hostPart = hostPart[..<c]
        }
        host = try Self.decode(hostPart, url)
        port = 5432
        if let p = portText, !p.isEmpty {
            guard let v = Int(p), (1...65535).contains(v) else { throw bad("port '\(p)' is not a number in 1...65535") }
            port = v
        }
        if let p = path, !p.isEmpty { database = try Self.decode(p, url) }
        sslmode = "prefer"
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(kv[0]), value = kv.count > 1 ? try Self.decode(kv[1], url) : ""
            switch key {
            case "host": host = value
            case "port":
                guard let v = Int(value), (1...65535).contains(v) else { throw bad("port '\(value)' is not a number in 1...65535") }
                port = v
            case "user": user = value
            case "password": password = value
            case "dbname": database = value
            case "sslmode":
                guard ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"].contains(value) else {
                    throw bad("sslmode '\(value)' is none of disable, allow, prefer, require, verify-ca, verify-full")
                }
                sslmode = value
            case "connect_timeout", "application_name": break
            default: throw bad("unknown parameter '\(key)'")
            }
        }
        if host.isEmpty { host = getenv("PGHOST").map { String(cString: $0) } ?? "localhost" }
        if password == nil, let p = getenv("PGPASSWORD") { password = String(cString: p) }
        self.user = user ?? getenv("PGUSER").map { String(cString: $0) } ?? Self.loginName()
    }

    static func loginName() -> String {
        if let pw = getpwuid(geteuid()), let n = pw.pointee.pw_name { return String(cString: n) }
        return getenv("USER").map { String(cString: $0) } ?? "postgres"
    }

    /// The URL with any password replaced, for error messages.
    static func scrub(_ url: String) -> String {
        let b = Array(url.utf8)
        guard let s = (0..<max(0, b.count - 2)).first(where: { b[$0] == 0x3A && b[$0 + 1] == 0x2F && b[$0 + 2] == 0x2F })
        else { return url }
        let start = s + 3
        let end = b[start...].firstIndex { $0 == 0x2F || $0 == 0x3F } ?? b.count
        guard let at = b[start..<end].lastIndex(of: 0x40), let colon = b[start..<at].firstIndex(of: 0x3A) else { return url }
        return String(decoding: b[..<colon], as: UTF8.self) + ":***" + String(decoding: b[at...], as: UTF8.self)
    }

    static func decode(_ s: Substring, _ url: String) throws(IcebergError) -> String {
        guard s.contains("%") else { return String(s) }
        var out: [UInt8] = []
        var it = Array(s.utf8)[...]
        while let b = it.popFirst() {
            if b == UInt8(ascii: "%") {
                guard it.count >= 2, let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16) else {
                    throw .invalidArgument("catalog URL '\(scrub(url))': bad percent escape")
                }
                out.append(v)
                it = it.dropFirst(2)
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

final class PostgresCatalogConnection: SQLCatalogConnection {
    let url: PostgresURL
    let displayName: String
    private let connection: PostgresConnection
    private let logger = Logger(label: "floe.iceberg.catalog", factory: { _ in SwiftLogNoOpLogHandler() })
    private(set) var lastFailureNotApplied = false

    init(url text: String) throws(IcebergError) {
        url = try PostgresURL(text)
        displayName = url.redacted
        let tls: PostgresConnection.Configuration.TLS
        do {
            switch url.sslmode {
            case "disable", "allow": tls = .disable
            case "prefer", "require":
                var c = TLSConfiguration.makeClientConfiguration()
                c.certificateVerification = .none  // libpq's prefer/require encrypt without verifying
                let ctx = try NIOSSLContext(configuration: c)
                tls = url.sslmode == "prefer" ? .prefer(ctx) : .require(ctx)
            default:
                var c = TLSConfiguration.makeClientConfiguration()
                c.certificateVerification = url.sslmode == "verify-ca" ? .noHostnameVerification : .fullVerification
                tls = .require(try NIOSSLContext(configuration: c))
            }
        } catch {
            throw .io("PostgreSQL catalog \(url.redacted): TLS setup: \(error)")
        }
        var config: PostgresConnection.Configuration
        if url.host.hasPrefix("/") {
            // libpq's convention: a host starting with '/' is the folder of the server's unix socket
            config = .init(unixSocketPath: url.host + "/.s.PGSQL.\(url.port)", username: url.user, password: url.password,
                           database: url.database)
        } else {
            config = .init(host: url.host, port: url.port, username: url.user, password: url.password, database: url.database, tls: tls)
            if url.sslmode == "verify-full" { config.options.tlsServerName = url.host }
        }
        config.options.connectTimeout = .seconds(10)
        do {
            connection = try PostgresConnection.connect(on: PostgresConnection.defaultEventLoopGroup.any(), configuration: config,
                                                        id: 1, logger: logger).wait()
        } catch {
            throw .io("PostgreSQL catalog \(url.redacted): cannot connect: \(Self.describe(error))")
        }
    }

    deinit { try? connection.close().wait() }

    func prepareCatalog() {}

    /// Rewrites `?` placeholders as PostgreSQL's `$1`, `$2`, … (the catalog's SQL has no `?` in literals).
    static func numbered(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.utf8.count + 8)
        var n = 0
        for ch in sql {
            if ch == "?" { n += 1; out += "$\(n)" } else { out.append(ch) }
        }
        return out
    }

    @discardableResult
    func execute(_ sql: String, _ params: [SQLValue]) throws(IcebergError) -> (rows: [[String?]], changes: Int) {
        var binds = PostgresBindings(capacity: params.count)
        for p in params {
            switch p {
            case .text(let s): binds.append(s)
            case .int(let v): binds.append(v)
            case .null: binds.appendNull()
            }
        }
        let q = PostgresQuery(unsafeSQL: Self.numbered(sql), binds: binds)
        let result: PostgresQueryResult
        do {
            result = try connection.query(q, logger: logger).wait()
        } catch {
            // an error response from the server ends this statement's implicit transaction: not applied
            if let e = error as? PSQLError, e.code == .server { lastFailureNotApplied = true } else { lastFailureNotApplied = false }
            throw .io("PostgreSQL catalog \(displayName): \(Self.describe(error))")
        }
        lastFailureNotApplied = false
        var rows: [[String?]] = []
        rows.reserveCapacity(result.rows.count)
        for row in result.rows {
            var r: [String?] = []
            for cell in row {
                guard var bytes = cell.bytes else { r.append(nil); continue }
                if cell.format == .text || cell.dataType == .text || cell.dataType == .varchar || cell.dataType == .bpchar || cell.dataType == .name {
                    r.append(bytes.readString(length: bytes.readableBytes) ?? "")
                } else if cell.dataType == .int4, let v = bytes.readInteger(as: Int32.self) {
                    r.append(String(v))
                } else if cell.dataType == .int8, let v = bytes.readInteger(as: Int64.self) {
                    r.append(String(v))
                } else if cell.dataType == .int2, let v = bytes.readInteger(as: Int16.self) {
                    r.append(String(v))
                } else {
                    r.append(bytes.readString(length: bytes.readableBytes) ?? "")
                }
            }
            rows.append(r)
        }
        return (rows, result.metadata.rows ?? 0)
    }

    /// A one-line description: the server's message and SQLSTATE when it sent one.
    static func describe(_ error: any Error) -> String {
        if let e = error as? PSQLError {
            if let info = e.serverInfo, let msg = info[.message] {
                return msg + (info[.sqlState].map { " (SQLSTATE \($0))" } ?? "")
            }
            if let u = e.underlying { return "\(e.code): \(u)" }
            return "\(e.code)"
        }
        return "\(error)"
    }
}
