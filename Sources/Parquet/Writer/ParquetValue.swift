// JSON-like values for the row API of the writer (and for reading rows back as values).

/// A field of an object value.
public struct ParquetField: Sendable, Equatable {
    /// The field name.
    public var name: String
    /// The field's value.
    public var value: ParquetValue
    /// A field `name` with `value`.
    public init(_ name: String, _ value: ParquetValue) {
        self.name = name
        self.value = value
    }
}

/// An entry of a map value.
public struct ParquetMapEntry: Sendable, Equatable {
    /// The entry's key (must not be null when written).
    public var key: ParquetValue
    /// The entry's value.
    public var value: ParquetValue
    /// An entry `key` → `value`.
    public init(_ key: ParquetValue, _ value: ParquetValue) {
        self.key = key
        self.value = value
    }
}

/// A value of a row: the shapes JSON has, plus the widths Parquet distinguishes.
///
/// Leaf conversions when writing: BOOLEAN ← bool; INT32/INT64 ← int, uint64 (unsigned logical types take the bit
/// pattern); FLOAT/DOUBLE ← double, float, int; BYTE_ARRAY ← string, bytes; FIXED_LEN_BYTE_ARRAY ← bytes,
/// string (exact width); INT96 ← bytes (12, as stored) or int (nanoseconds since the Unix epoch).
/// Groups take `object` (fields by name, missing = null), LISTs and repeated fields `array`, MAPs `map` (or an
/// `object`, keys as strings). Equality compares floating point values by bit pattern (NaN equals NaN).
public enum ParquetValue: Sendable, Equatable {
    /// No value (a null of an optional field, or an absent field).
    case null
    /// A Boolean.
    case bool(Bool)
    /// A signed integer (any width up to 64 bits, and INT96 nanoseconds).
    case int(Int64)
    /// An unsigned integer above `Int64.max`, or from an unsigned column.
    case uint64(UInt64)
    /// A 64-bit floating-point value.
    case double(Double)
    /// A 32-bit floating-point value.
    case float(Float)
    /// Text (UTF-8 when written).
    case string(String)
    /// Raw bytes.
    case bytes([UInt8])
    /// A list, or the values of a repeated field.
    case array([ParquetValue])
    /// A group's fields, in order.
    case object([ParquetField])
    /// A map's entries, in order.
    case map([ParquetMapEntry])

    /// Structural equality; floating-point values compare by bit pattern.
    public static func == (a: ParquetValue, b: ParquetValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.uint64(let x), .uint64(let y)): return x == y
        case (.double(let x), .double(let y)): return x.bitPattern == y.bitPattern
        case (.float(let x), .float(let y)): return x.bitPattern == y.bitPattern
        case (.string(let x), .string(let y)): return x == y
        case (.bytes(let x), .bytes(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)): return x == y
        case (.map(let x), .map(let y)): return x == y
        default: return false
        }
    }

    /// Whether the value is ``null``.
    public var isNull: Bool { if case .null = self { return true } else { return false } }

    /// A field of an object by name (nil when absent or not an object).
    public subscript(field: String) -> ParquetValue? {
        guard case .object(let fs) = self else { return nil }
        return fs.first(where: { $0.name == field })?.value
    }

    /// An object from ordered (name, value) pairs.
    public static func record(_ pairs: [(String, ParquetValue)]) -> ParquetValue {
        .object(pairs.map { ParquetField($0.0, $0.1) })
    }
}

extension Int96 {
    static let unixEpochJulianDay: Int64 = 2_440_588
    static let nanosPerDay: Int64 = 86_400_000_000_000

    /// The INT96 timestamp of `nanos` nanoseconds since 1970-01-01T00:00:00.
    public init(nanosSinceEpoch nanos: Int64) {
        var day = nanos / Self.nanosPerDay
        var rem = nanos % Self.nanosPerDay
        if rem < 0 { rem += Self.nanosPerDay; day -= 1 }
        self.init(nanosOfDay: UInt64(rem), julianDay: UInt32(truncatingIfNeeded: day + Self.unixEpochJulianDay))
    }

    /// The 12 bytes as stored.
    public var bytes: [UInt8] {
        var out = [UInt8]()
        withUnsafeBytes(of: nanosOfDay.littleEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: julianDay.littleEndian) { out.append(contentsOf: $0) }
        return out
    }

    /// The value stored in `b` (at least 12 bytes: 8 of nanoseconds, 4 of Julian day, little-endian).
    public init(bytes b: [UInt8]) {
        var n: UInt64 = 0, d: UInt32 = 0
        for i in 0..<8 { n |= UInt64(b[i]) << (8 * UInt64(i)) }
        for i in 0..<4 { d |= UInt32(b[8 + i]) << (8 * UInt32(i)) }
        self.init(nanosOfDay: n, julianDay: d)
    }
}
