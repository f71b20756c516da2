// Partition transforms (spec "Partition Transforms") and the bucket hash ("Appendix B: 32-bit Hash
// Requirements": Murmur3 x86 32-bit, seed 0).

/// A partition (or sort) transform.
public enum Transform: Sendable, Equatable, CustomStringConvertible {
    /// `identity` (the value), `year`/`month`/`day`/`hour` (since 1970 of a date or timestamp), `void`
    /// (always null).
    case identity, year, month, day, hour, void
    /// Murmur3 hash of the value modulo the given number of buckets (positive).
    case bucket(Int)
    /// Truncation to the given width (positive): integers down to a multiple, strings to that many code
    /// points, binary to that many bytes.
    case truncate(Int)

    /// The transform's name in metadata JSON: `identity`, `bucket[N]`, `truncate[W]`, ...
    public var description: String {
        switch self {
        case .identity: return "identity"
        case .year: return "year"
        case .month: return "month"
        case .day: return "day"
        case .hour: return "hour"
        case .void: return "void"
        case .bucket(let n): return "bucket[\(n)]"
        case .truncate(let w): return "truncate[\(w)]"
        }
    }

    /// Parses a transform name as written in metadata JSON.
    ///
    /// - Throws: ``IcebergError/invalidArgument(_:)`` for an unknown name or a non-positive parameter.
    public init(parsing s: String) throws(IcebergError) {
        func param(_ prefix: String) -> Int? {
            guard s.hasPrefix(prefix + "["), s.hasSuffix("]"), let n = Int(s.dropFirst(prefix.count + 1).dropLast()), n > 0 else { return nil }
            return n
        }
        switch s {
        case "identity": self = .identity
        case "year": self = .year
        case "month": self = .month
        case "day": self = .day
        case "hour": self = .hour
        case "void": self = .void
        default:
            if let n = param("bucket") { self = .bucket(n) } else if let w = param("truncate") { self = .truncate(w) } else {
                throw .invalidArgument("unknown partition transform '\(s)'")
            }
        }
    }

    /// The type of the transform's result for a source column of `source`, or an error if the transform does
    /// not apply to that type.
    public func resultType(_ source: IcebergType) throws(IcebergError) -> IcebergType {
        func bad() -> IcebergError { .invalidArgument("transform \(self) does not apply to type \(source)") }
        switch self {
        case .identity:
            guard source.isPrimitive else { throw bad() }
            return source
        case .void: return source
        case .year, .month:
            switch source { case .date, .timestamp, .timestamptz: return .int; default: throw bad() }
        case .day:
            switch source { case .date, .timestamp, .timestamptz: return .date; default: throw bad() }
        case .hour:
            switch source { case .timestamp, .timestamptz: return .int; default: throw bad() }
        case .bucket:
            switch source {
            case .int, .long, .decimal, .date, .time, .timestamp, .timestamptz, .string, .uuid, .fixed, .binary: return .int
            default: throw bad()
            }
        case .truncate:
            switch source { case .int, .long, .decimal, .string, .binary: return source; default: throw bad() }
        }
    }

    /// Applies the transform to a value of the source type (nil stays nil).
    public func apply(_ v: IcebergLiteral?, source: IcebergType) -> IcebergLiteral? {
        guard let v else { return nil }
        switch self {
        case .identity: return v
        case .void: return nil
        case .year, .month, .day, .hour:
            let days: Int64, micros: Int64?
            switch v {
            case .int(let d): days = Int64(d); micros = nil
            case .long(let us): days = floorDiv(us, 86_400_000_000); micros = us
            default: return nil
            }
            switch self {
            case .day: return .int(Int32(truncatingIfNeeded: days))
            case .hour: return micros.map { .int(Int32(truncatingIfNeeded: floorDiv($0, 3_600_000_000))) }
            default:
                let (y, m, _) = civil(days)
                return .int(Int32(truncatingIfNeeded: self == .year ? y - 1970 : (y - 1970) * 12 + (m - 1)))
            }
        case .bucket(let n):
            let h = Murmur3.hash32(Self.bucketBytes(v))
            return .int(Int32((Int64(h) & Int64(Int32.max)) % Int64(n)))
        case .truncate(let w):
            switch v {
            case .int(let x): let r = ((Int64(x) % Int64(w)) + Int64(w)) % Int64(w); return .int(Int32(Int64(x) - r))
            case .long(let x): let r = ((x % Int64(w)) + Int64(w)) % Int64(w); return .long(x - r)
            case .decimal(let x): let r = ((x % Int128(w)) + Int128(w)) % Int128(w); return .decimal(x - r)
            case .string(let s):
                // the first W code points
                var out = String.UnicodeScalarView()
                for (i, c) in s.unicodeScalars.enumerated() { if i == w { break }; out.append(c) }
                return .string(String(out))
            case .binary(let b): return .binary(Array(b.prefix(w)))
            default: return v
            }
        }
    }

    /// The bytes Appendix B hashes: ints, longs, dates, times and timestamps as an 8-byte little-endian long,
    /// decimals as their minimal big-endian two's complement unscaled value, strings as UTF-8, the rest as is.
    static func bucketBytes(_ v: IcebergLiteral) -> [UInt8] {
        switch v {
        case .int(let i): return IcebergLiteral.long(Int64(i)).serialized
        case .long, .string, .binary: return v.serialized
        case .decimal(let u): return IcebergLiteral.minimalBigEndian(u)
        case .boolean(let b): return [b ? 1 : 0]
        case .float(let f): return IcebergLiteral.double(Double(f)).serialized
        case .double: return v.serialized
        }
    }

    /// The partition value as it appears in a data file's folder name (`event_time_hour=2024-01-05-13`), as
    /// Iceberg's Java transforms render it (`toHumanString`): dates `yyyy-MM-dd`, timestamps as
    /// `LocalDateTime`/`OffsetDateTime.toString` (`2024-01-05T13:00:01Z`), decimals plain with their scale,
    /// binary in Base64, `null` for a null.
    public func humanString(_ v: IcebergLiteral?, resultType: IcebergType) -> String {
        guard let v else { return "null" }
        switch (self, v) {
        case (.year, .int(let y)): return pad(1970 + Int64(y), 4)
        case (.month, .int(let m)):
            let y = floorDiv(Int64(m), 12), mo = Int64(m) - y * 12
            return "\(pad(1970 + y, 4))-\(pad(mo + 1, 2))"
        case (.hour, .int(let h)):
            let d = floorDiv(Int64(h), 24)
            let (y, m, dd) = civil(d)
            return "\(pad(y, 4))-\(pad(m, 2))-\(pad(dd, 2))-\(pad(Int64(h) - d * 24, 2))"
        default: break
        }
        switch (resultType, v) {
        case (.date, .int(let d)):
            let (y, m, dd) = civil(Int64(d))
            return "\(pad(y, 4))-\(pad(m, 2))-\(pad(dd, 2))"
        case (.timestamp, .long(let us)): return javaTimestampString(us)
        case (.timestamptz, .long(let us)): return javaTimestampString(us) + "Z"
        case (.time, .long(let us)): return javaTimeString(us)
        case (.decimal(_, let s), .decimal(let u)): return decimalString(u, scale: s)
        case (.uuid, .binary(let b)) where b.count == 16:
            let h = b.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }
            return [h[0..<4], h[4..<6], h[6..<8], h[8..<10], h[10..<16]].map { $0.joined() }.joined(separator: "-")
        case (.binary, .binary(let b)), (.fixed, .binary(let b)): return base64(b)
        case (_, .boolean(let b)): return b ? "true" : "false"
        case (_, .int(let i)): return String(i)
        case (_, .long(let l)): return String(l)
        case (_, .float(let f)): return String(f)
        case (_, .double(let d)): return String(d)
        case (_, .decimal(let u)): return String(u)
        case (_, .string(let s)): return s
        case (_, .binary(let b)): return b.map { String($0, radix: 16) }.joined()
        }
    }
}

func pad(_ v: Int64, _ width: Int) -> String {
    let s = String(abs(v))
    return (v < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - s.count)) + s
}

func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

/// The proleptic Gregorian date of `days` since 1970-01-01 (H. Hinnant's civil_from_days).
func civil(_ days: Int64) -> (Int64, Int64, Int64) {
    let z = days + 719_468
    let era = floorDiv(z, 146_097)
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (days_from_civil).
func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
    let y = m <= 2 ? y0 - 1 : y0
    let era = floorDiv(y, 400)
    let yoe = y - era * 400
    let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
}

/// MurmurHash3 x86 32-bit (Austin Appleby's public-domain algorithm), seed 0 as Iceberg requires.
public enum Murmur3 {
    /// The 32-bit MurmurHash3 of `data` (Iceberg's bucket hash uses seed 0 over the value's single-value
    /// hash bytes).
    public static func hash32(_ data: [UInt8], seed: UInt32 = 0) -> Int32 {
        let c1: UInt32 = 0xCC9E_2D51, c2: UInt32 = 0x1B87_3593
        var h = seed
        let n = data.count
        var i = 0
        while i + 4 <= n {
            var k = UInt32(data[i]) | UInt32(data[i + 1]) << 8 | UInt32(data[i + 2]) << 16 | UInt32(data[i + 3]) << 24
            k = k &* c1; k = (k << 15) | (k >> 17); k = k &* c2
            h ^= k; h = (h << 13) | (h >> 19); h = h &* 5 &+ 0xE654_6B64
            i += 4
        }
        var k: UInt32 = 0
        let rest = n - i
        if rest >= 3 { k ^= UInt32(data[i + 2]) << 16 }
        if rest >= 2 { k ^= UInt32(data[i + 1]) << 8 }
        if rest >= 1 {
            k ^= UInt32(data[i])
            k = k &* c1; k = (k << 15) | (k >> 17); k = k &* c2
            h ^= k
        }
        h ^= UInt32(n)
        h ^= h >> 16; h = h &* 0x85EB_CA6B
        h ^= h >> 13; h = h &* 0xC2B2_AE35
        h ^= h >> 16
        return Int32(bitPattern: h)
    }
}
