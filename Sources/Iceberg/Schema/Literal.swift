// Single values of Iceberg primitive types: conversion from the row values Floe writes, ordering for bounds,
// and the spec's "Appendix D: Single-value serialization" (binary) both ways.

import Parquet

/// A value of a primitive Iceberg type, in Iceberg's physical representation: `date` is days since 1970-01-01
/// (`int`), `time` microseconds since midnight, `timestamp`/`timestamptz` microseconds since the epoch (`long`),
/// `decimal` the unscaled integer, `uuid`/`fixed`/`binary` bytes.
public enum IcebergLiteral: Sendable, Equatable, Hashable {
    /// A `boolean`.
    case boolean(Bool)
    /// An `int` or a `date` (days since 1970-01-01).
    case int(Int32)
    /// A `long`, a `time` (microseconds since midnight) or a `timestamp`/`timestamptz` (microseconds since
    /// the Unix epoch).
    case long(Int64)
    /// A `float`.
    case float(Float)
    /// A `double`.
    case double(Double)
    /// A `decimal`, as its unscaled value (the scale is the type's).
    case decimal(Int128)
    /// A `string`.
    case string(String)
    /// A `binary`, `fixed` or `uuid` (16 bytes) value.
    case binary([UInt8])

    /// The value of a row field for a column of `type`; `nil` for a null. A value that does not fit the type is
    /// an `invalidArgument` error naming the column.
    public static func from(_ v: ParquetValue, type: IcebergType, column: String) throws(IcebergError) -> IcebergLiteral? {
        func wrong() -> IcebergError { .invalidArgument("column '\(column)': value \(v) does not fit type \(type)") }
        switch (type, v) {
        case (_, .null): return nil
        case (.boolean, .bool(let b)): return .boolean(b)
        case (.int, .int(let i)), (.date, .int(let i)):
            guard let x = Int32(exactly: i) else { throw wrong() }
            return .int(x)
        case (.long, .int(let i)), (.time, .int(let i)), (.timestamp, .int(let i)), (.timestamptz, .int(let i)): return .long(i)
        case (.float, .float(let f)): return .float(f)
        case (.float, .double(let d)): return .float(Float(d))
        case (.float, .int(let i)): return .float(Float(i))
        case (.double, .double(let d)): return .double(d)
        case (.double, .float(let f)): return .double(Double(f))
        case (.double, .int(let i)): return .double(Double(i))
        case (.decimal(let p, _), .int(let i)):
            guard p >= 19 || abs(Int128(i)) < pow10(p) else { throw wrong() }
            return .decimal(Int128(i))
        case (.string, .string(let s)): return .string(s)
        case (.uuid, .bytes(let b)) where b.count == 16: return .binary(b)
        case (.fixed(let n), .bytes(let b)) where b.count == n: return .binary(b)
        case (.binary, .bytes(let b)): return .binary(b)
        case (.binary, .string(let s)): return .binary(Array(s.utf8))
        default: throw wrong()
        }
    }

    static func pow10(_ n: Int) -> Int128 {
        var r: Int128 = 1
        for _ in 0..<n { r *= 10 }
        return r
    }

    /// The spec's single-value serialization (Appendix D): little-endian fixed widths for numbers, big-endian
    /// minimal two's complement for decimals, UTF-8 for strings, the bytes themselves otherwise.
    public var serialized: [UInt8] {
        switch self {
        case .boolean(let b): return [b ? 1 : 0]
        case .int(let i): return withUnsafeBytes(of: i.littleEndian, Array.init)
        case .long(let l): return withUnsafeBytes(of: l.littleEndian, Array.init)
        case .float(let f): return withUnsafeBytes(of: f.bitPattern.littleEndian, Array.init)
        case .double(let d): return withUnsafeBytes(of: d.bitPattern.littleEndian, Array.init)
        case .decimal(let u): return Self.minimalBigEndian(u)
        case .string(let s): return Array(s.utf8)
        case .binary(let b): return b
        }
    }

    /// The fewest big-endian two's complement bytes that hold `v` (at least one).
    static func minimalBigEndian(_ v: Int128) -> [UInt8] {
        var bytes = withUnsafeBytes(of: v.bigEndian, Array.init)
        while bytes.count > 1 {
            let drop = (bytes[0] == 0x00 && bytes[1] & 0x80 == 0) || (bytes[0] == 0xFF && bytes[1] & 0x80 != 0)
            guard drop else { break }
            bytes.removeFirst()
        }
        return bytes
    }

    /// Reads a single-value serialization of `type`.
    public static func deserialize(_ b: [UInt8], type: IcebergType) -> IcebergLiteral? {
        func le<T: FixedWidthInteger>(_: T.Type) -> T? {
            guard b.count == MemoryLayout<T>.size else { return nil }
            var v: T = 0
            withUnsafeMutableBytes(of: &v) { $0.copyBytes(from: b) }
            return T(littleEndian: v)
        }
        switch type {
        case .boolean: return b.count == 1 ? .boolean(b[0] != 0) : nil
        case .int, .date: return le(Int32.self).map { .int($0) }
        case .long, .time, .timestamp, .timestamptz:
            // a 4-byte bound is legal for a long promoted from int
            if b.count == 4 { return le(Int32.self).map { .long(Int64($0)) } }
            return le(Int64.self).map { .long($0) }
        case .float: return le(UInt32.self).map { .float(Float(bitPattern: $0)) }
        case .double:
            if b.count == 4 { return le(UInt32.self).map { .double(Double(Float(bitPattern: $0))) } }
            return le(UInt64.self).map { .double(Double(bitPattern: $0)) }
        case .decimal:
            guard !b.isEmpty, b.count <= 16 else { return nil }
            var v: Int128 = b[0] & 0x80 != 0 ? -1 : 0
            for x in b { v = (v << 8) | Int128(x) }
            return .decimal(v)
        case .string: return String(validating: b, as: UTF8.self).map { .string($0) }
        case .uuid, .fixed, .binary: return .binary(b)
        default: return nil
        }
    }

    /// Iceberg's ordering for bounds: numbers by value (NaN excluded by the caller), strings by UTF-8 bytes
    /// (which is code point order), binary unsigned lexicographic.
    public static func less(_ a: IcebergLiteral, _ b: IcebergLiteral) -> Bool {
        switch (a, b) {
        case (.boolean(let x), .boolean(let y)): return !x && y
        case (.int(let x), .int(let y)): return x < y
        case (.long(let x), .long(let y)): return x < y
        case (.float(let x), .float(let y)): return x < y
        case (.double(let x), .double(let y)): return x < y
        case (.decimal(let x), .decimal(let y)): return x < y
        case (.string(let x), .string(let y)): return x.utf8.lexicographicallyPrecedes(y.utf8)
        case (.binary(let x), .binary(let y)): return x.lexicographicallyPrecedes(y)
        default: return false
        }
    }

    var isNaN: Bool {
        switch self {
        case .float(let f): return f.isNaN
        case .double(let d): return d.isNaN
        default: return false
        }
    }

    /// The value as a row value (what `floe cat` prints through the Parquet exporter's types).
    public var parquetValue: ParquetValue {
        switch self {
        case .boolean(let b): return .bool(b)
        case .int(let i): return .int(Int64(i))
        case .long(let l): return .int(l)
        case .float(let f): return .float(f)
        case .double(let d): return .double(d)
        case .decimal(let u): return .int(Int64(truncatingIfNeeded: u))
        case .string(let s): return .string(s)
        case .binary(let b): return .bytes(b)
        }
    }
}
