// The one error type of the Iceberg module: what went wrong, and where (file, field, offset).

/// An error reading or writing Iceberg metadata, Avro files or catalog entries.
///
/// `description` is the one-line message a user sees: it names the file (or catalog entry) and the cause.
public enum IcebergError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Bytes that do not follow the format (Avro, metadata JSON, manifests): `file` names where, `detail` what.
    case corrupt(file: String, detail: String)
    /// An argument or value the caller passed does not fit the schema or the spec.
    case invalidArgument(String)
    /// A file or catalog entry that does not exist.
    case notFound(String)
    /// A table or namespace that exists already.
    case alreadyExists(String)
    /// The catalog's current metadata changed under a commit, and the retries ran out.
    case commitConflict(String)
    /// An I/O or catalog (SQLite) failure.
    case io(String)

    /// The one-line message: `file: detail` for ``corrupt(file:detail:)``, the message itself otherwise.
    public var description: String {
        switch self {
        case .corrupt(let file, let detail): return "\(file): \(detail)"
        case .invalidArgument(let m), .notFound(let m), .alreadyExists(let m), .commitConflict(let m), .io(let m):
            return m
        }
    }
}
