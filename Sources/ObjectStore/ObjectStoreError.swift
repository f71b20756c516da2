/// Why an object-store operation failed. `isConfiguration` errors are the user's setup (exit 2); the others are
/// about the data or the store (exit 1).
public enum ObjectStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The object (or bucket) does not exist.
    case notFound(String)
    /// A conditional write found the condition false (the key exists for create-only; another ETag for if-match).
    case preconditionFailed(String)
    /// The store refused our identity or signature (403, bad key, bad signature).
    case accessDenied(String)
    /// Missing or invalid configuration: credentials, region, endpoint, URL scheme.
    case configuration(String)
    /// A request failed for good (non-retryable status, or retries exhausted).
    case requestFailed(String)
    /// A local file-system operation failed.
    case io(String)
    /// The argument was invalid (a key that escapes the store, a bad range).
    case invalidArgument(String)

    /// The message: what failed and why.
    public var description: String {
        switch self {
        case .notFound(let m), .preconditionFailed(let m), .accessDenied(let m), .configuration(let m),
             .requestFailed(let m), .io(let m), .invalidArgument(let m):
            return m
        }
    }

    /// True for errors the user fixes in flags, environment or files (exit status 2).
    public var isConfiguration: Bool {
        switch self {
        case .configuration, .accessDenied, .invalidArgument: return true
        default: return false
        }
    }
}
