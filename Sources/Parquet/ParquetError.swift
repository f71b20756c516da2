/// Every failure the Parquet module reports. Messages name the cause; callers add the file name.
public enum ParquetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes do not form a valid Parquet structure (bad magic, forged length, truncated page, bad thrift).
    case corrupt(String)
    /// A valid file uses something Floe does not read (LZO, an unknown encoding).
    case unsupported(String)
    /// The file is encrypted and no keys were given.
    case encrypted(String)
    /// A page checksum did not match.
    case checksumMismatch(String)
    /// A caller asked for something that does not exist (unknown column path, row group out of range).
    case invalidArgument(String)
    /// An I/O failure (open, read, write, rename).
    case io(String)

    public var description: String {
        switch self {
        case .corrupt(let m): "corrupt Parquet data: \(m)"
        case .unsupported(let m): "unsupported: \(m)"
        case .encrypted(let m): m
        case .checksumMismatch(let m): m
        case .invalidArgument(let m): m
        case .io(let m): m
        }
    }

    /// The same error with `context` (e.g. a file name) before its message.
    public func prefixed(_ context: String) -> ParquetError {
        switch self {
        case .corrupt(let m): .corrupt("\(context): \(m)")
        case .unsupported(let m): .unsupported("\(context): \(m)")
        case .encrypted(let m): .encrypted("\(context): \(m)")
        case .checksumMismatch(let m): .checksumMismatch("\(context): \(m)")
        case .invalidArgument(let m): .invalidArgument("\(context): \(m)")
        case .io(let m): .io("\(context): \(m)")
        }
    }
}
