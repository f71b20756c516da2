/// Time units of TIME and TIMESTAMP values.
public typealias TimeUnitKind = CanonicalFormat.TimeUnit

/// How a leaf column's values are presented (the logical meaning of the stored values).
public enum LeafFormat: Sendable, Equatable {
    /// `true` / `false`.
    case boolean
    /// Signed or unsigned integers of 32 or 64 bits (8- and 16-bit integer types are shown as 32-bit).
    case int32, uint32, int64, uint64
    /// IEEE 754 single, double and half precision (FLOAT16 on FIXED_LEN_BYTE_ARRAY(2)).
    case float, double, float16
    /// UTF-8 text (STRING, ENUM, JSON and their converted types).
    case string
    /// Raw bytes (no string annotation, INTERVAL, BSON, WKB geometry).
    case binary
    /// A DECIMAL shown as exact decimal text with `scale` digits after the point.
    case decimal(scale: Int)
    /// A DATE (days since 1970-01-01), shown as `YYYY-MM-DD`.
    case date
    /// A TIME of day in the given unit, shown as `HH:MM:SS[.fraction]`.
    case time(TimeUnitKind)
    /// A TIMESTAMP in the given unit since the epoch; `utc` for instants (shown with `Z`), `false` for local times.
    case timestamp(TimeUnitKind, utc: Bool)
    /// Legacy INT96 timestamps (nanoseconds, no zone).
    case int96
    /// A UUID (16 bytes), shown in the 8-4-4-4-12 hex form.
    case uuid

    /// Resolves the presentation of a column from its logical type, else its converted type, else its storage.
    public init(_ c: ColumnDescriptor) {
        let p = c.physicalType
        let isBytes = p == .byteArray || p == .fixedLenByteArray
        if let lt = c.logicalType, let f = Self.fromLogical(lt, c) {
            self = f
            return
        }
        if c.logicalType == nil, let ct = c.convertedType {
            switch ct {
            case .utf8, .enumType, .json:
                if isBytes { self = .string; return }
            case .decimal where p == .int32 || p == .int64 || isBytes:
                self = .decimal(scale: c.scale)
                return
            case .date where p == .int32:
                self = .date
                return
            case .timeMillis where p == .int32:
                self = .time(.millis)
                return
            case .timeMicros where p == .int64:
                self = .time(.micros)
                return
            case .timestampMillis where p == .int64:
                self = .timestamp(.millis, utc: true)
                return
            case .timestampMicros where p == .int64:
                self = .timestamp(.micros, utc: true)
                return
            case .uint8, .uint16, .uint32:
                if p == .int32 { self = .uint32; return }
            case .uint64:
                if p == .int64 { self = .uint64; return }
            default:
                break
            }
        }
        self = Self.storage(p)
    }

    static func storage(_ p: PhysicalType) -> LeafFormat {
        switch p {
        case .boolean: .boolean
        case .int32: .int32
        case .int64: .int64
        case .int96: .int96
        case .float: .float
        case .double: .double
        case .byteArray, .fixedLenByteArray, .unknown: .binary
        }
    }

    static func unit(_ u: TimeUnit) -> TimeUnitKind? {
        switch u {
        case .millis: .millis
        case .micros: .micros
        case .nanos: .nanos
        case .undefined: nil
        }
    }

    private static func fromLogical(_ lt: LogicalType, _ c: ColumnDescriptor) -> LeafFormat? {
        let p = c.physicalType
        let isBytes = p == .byteArray || p == .fixedLenByteArray
        switch lt {
        case .string, .enum, .json:
            return isBytes ? .string : nil
        case .decimal(let scale, _):
            return (p == .int32 || p == .int64 || isBytes) ? .decimal(scale: Int(scale)) : nil
        case .date:
            return p == .int32 ? .date : nil
        case .time(_, let unit):
            guard let u = Self.unit(unit) else { return .some(storage(p)) }
            if p == .int32 && u == .millis { return .time(.millis) }
            if p == .int64 && u != .millis { return .time(u) }
            return nil
        case .timestamp(let utc, let unit):
            guard let u = Self.unit(unit) else { return .some(storage(p)) }
            return p == .int64 ? .timestamp(u, utc: utc) : nil
        case .integer(let bits, let signed):
            if p == .int32 { return signed ? .int32 : .uint32 }
            if p == .int64 { return signed ? .int64 : .uint64 }
            _ = bits
            return nil
        case .uuid:
            return (p == .fixedLenByteArray && c.typeLength == 16) ? .uuid : nil
        case .float16:
            return (p == .fixedLenByteArray && c.typeLength == 2) ? .float16 : nil
        default:
            return .some(storage(p))
        }
    }
}
