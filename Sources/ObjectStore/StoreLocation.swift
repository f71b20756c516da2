/// Where a command-line path points: a local file or folder, or an object (or prefix) in an S3 bucket.
///
/// Anything that looks like a URL (`scheme://`) with a scheme Floe does not handle is an error, never a local path:
/// `gs://b/k` must not silently become the folder `./gs:/b/k`.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    /// A local path (or a `file://` URL's path).
    case local(path: String)
    /// An object or prefix in an S3 bucket (`s3://bucket/key`).
    case s3(bucket: String, key: String)

    /// Parses `s3://bucket/key`, `file:///abs/path` or a plain path.
    public static func parse(_ text: String) throws -> StoreLocation {
        guard let schemeEnd = schemeLength(text) else { return .local(path: text) }
        let scheme = String(text.prefix(schemeEnd)).lowercased()
        let rest = String(text.dropFirst(schemeEnd + 3))
        switch scheme {
        case "s3":
            let bucket: String, key: String
            if let slash = rest.firstIndex(of: "/") {
                bucket = String(rest[..<slash])
                key = String(rest[rest.index(after: slash)...])
            } else {
                bucket = rest
                key = ""
            }
            try validateBucket(bucket, in: text)
            return .s3(bucket: bucket, key: key)
        case "file":
            // file:///abs/path (an empty authority) or file://localhost/abs/path.
            var path = rest
            if path.hasPrefix("localhost/") { path.removeFirst("localhost".count) }
            guard path.hasPrefix("/") else {
                throw ObjectStoreError.invalidArgument("\(text): a file URL needs an absolute path (file:///path)")
            }
            return .local(path: path)
        default:
            throw ObjectStoreError.invalidArgument(
                "\(text): unsupported URL scheme '\(scheme)://' (Floe reads and writes local paths and s3://bucket/key)")
        }
    }

    /// The path, or `s3://bucket/key`.
    public var description: String {
        switch self {
        case .local(let p): return p
        case .s3(let b, let k): return "s3://\(b)/\(k)"
        }
    }

    /// Whether the location is in an object store rather than a local path.
    public var isRemote: Bool {
        if case .s3 = self { return true }
        return false
    }

    /// Length of the scheme when `text` starts with `scheme://` (RFC 3986 3.1: ALPHA *( ALPHA / DIGIT / + - . )).
    static func schemeLength(_ text: String) -> Int? {
        let u = Array(text.utf8.prefix(64))
        guard let first = u.first, isAlpha(first) else { return nil }
        var i = 1
        while i < u.count, isAlpha(u[i]) || (u[i] >= 0x30 && u[i] <= 0x39) || u[i] == 0x2B || u[i] == 0x2D || u[i] == 0x2E {
            i += 1
        }
        guard i + 3 <= u.count, u[i] == 0x3A, u[i + 1] == 0x2F, u[i + 2] == 0x2F else { return nil }
        return i
    }

    private static func isAlpha(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }

    /// Throws unless `bucket` is a bucket name (the rules of ``parse(_:)``).
    public static func validateBucketName(_ bucket: String) throws {
        try validateBucket(bucket, in: "s3://\(bucket)/")
    }

    /// Bucket names per S3's rules: 3-63 characters of lowercase letters, digits, dots and hyphens, starting and
    /// ending with a letter or digit. (Legacy buckets with capitals or underscores are accepted, as the AWS CLI does.)
    static func validateBucket(_ bucket: String, in text: String) throws {
        guard !bucket.isEmpty else {
            throw ObjectStoreError.invalidArgument("\(text): no bucket name (expected s3://bucket/key)")
        }
        let ok = bucket.utf8.count <= 255 && bucket.utf8.allSatisfy { c in
            isAlpha(c) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x2E || c == 0x5F
        }
        guard ok else {
            throw ObjectStoreError.invalidArgument("\(text): '\(bucket)' is not a valid bucket name")
        }
    }
}
