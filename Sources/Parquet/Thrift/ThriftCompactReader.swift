// Thrift compact protocol decoding (apache/thrift doc/specs/thrift-compact-protocol.md), as used by every
// Parquet footer, page header, page index and bloom filter header.
//
// The reader is a plain struct over borrowed bytes: no allocation per field, no closures, no existentials.
// Every length and count is checked against the bytes that remain before anything is allocated, varints are
// limited to 10 bytes, and skipping unknown fields is depth-limited, so forged input can only ever produce
// `ParquetError.corrupt`.

/// Compact protocol type ids (the low nibble of a field header, the element type of a list/set/map).
public enum ThriftCompactType: UInt8, Sendable, CustomStringConvertible {
    /// End of a struct's fields.
    case stop = 0
    /// A Boolean field whose value is `true` (or a Boolean list element).
    case boolTrue = 1
    /// A Boolean field whose value is `false`.
    case boolFalse = 2
    /// A signed byte.
    case i8 = 3
    /// A zigzag varint 16-bit integer.
    case i16 = 4
    /// A zigzag varint 32-bit integer.
    case i32 = 5
    /// A zigzag varint 64-bit integer.
    case i64 = 6
    /// An 8-byte little-endian IEEE 754 double.
    case double = 7
    /// A varint length, then bytes (also strings).
    case binary = 8
    /// A list: element type and count header, then the elements.
    case list = 9
    /// A set, encoded as a list.
    case set = 10
    /// A map: count, key and value types, then the pairs.
    case map = 11
    /// A nested struct, ended by a stop field.
    case `struct` = 12
    /// A 16-byte UUID.
    case uuid = 13

    /// The type's name.
    public var description: String {
        switch self {
        case .stop: "stop"
        case .boolTrue, .boolFalse: "bool"
        case .i8: "i8"
        case .i16: "i16"
        case .i32: "i32"
        case .i64: "i64"
        case .double: "double"
        case .binary: "binary"
        case .list: "list"
        case .set: "set"
        case .map: "map"
        case .struct: "struct"
        case .uuid: "uuid"
        }
    }

    /// Smallest number of bytes one value of this type occupies on the wire (used to reject forged counts).
    @inlinable
    public var minimumEncodedSize: Int {
        switch self {
        case .double: 8
        case .uuid: 16
        case .stop: 0
        default: 1
        }
    }
}

/// A decoded field header. For struct fields of type bool the value is carried in the type itself.
public struct ThriftFieldHeader: Sendable, Equatable {
    /// The field id of the Thrift IDL.
    public var id: Int16
    /// The field's wire type.
    public var type: ThriftCompactType

    /// A field header with `id` and `type`.
    @inlinable public init(id: Int16, type: ThriftCompactType) {
        self.id = id
        self.type = type
    }

    /// True if the field is a bool (its value is `boolValue`).
    @inlinable public var isBool: Bool { type == .boolTrue || type == .boolFalse }
    /// The value of a bool field (type nibble 1 = true, 2 = false).
    @inlinable public var boolValue: Bool { type == .boolTrue }
}

/// A Thrift-encoded struct of the Parquet metadata model.
public protocol ThriftStruct: Sendable {
    /// Decodes the struct at the reader's position and leaves the reader after it.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` for truncated or malformed input.
    init(from reader: inout ThriftCompactReader) throws
    /// Appends the struct's encoding to `writer`.
    func write(to writer: inout ThriftCompactWriter)
}

/// Reads the compact protocol from borrowed bytes. The bytes must outlive the reader.
public struct ThriftCompactReader {
    /// The bytes being decoded.
    public let buffer: UnsafeRawBufferPointer
    /// Offset of the next byte to read.
    public var position: Int
    /// Maximum nesting of structs/lists/maps that `skip` will follow.
    public static let maxDepth = 64

    /// A reader of `buffer` starting at byte `position`; `buffer` must outlive the reader.
    @inlinable
    public init(_ buffer: UnsafeRawBufferPointer, position: Int = 0) {
        self.buffer = buffer
        self.position = max(0, min(position, buffer.count))
    }

    /// Bytes not yet consumed.
    @inlinable public var remaining: Int { buffer.count &- position }

    // MARK: primitives

    /// The next byte.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` at the end of the buffer.
    @inlinable
    public mutating func readByte() throws -> UInt8 {
        guard position < buffer.count else {
            throw ParquetError.corrupt("thrift: unexpected end of data at offset \(position)")
        }
        let b = buffer[position]
        position &+= 1
        return b
    }

    /// Unsigned LEB128 varint, at most 10 bytes.
    @inlinable
    public mutating func readVarint() throws -> UInt64 {
        // Fast path: one byte.
        if position < buffer.count {
            let b = buffer[position]
            if b < 0x80 {
                position &+= 1
                return UInt64(b)
            }
        }
        return try readVarintSlow()
    }

    @usableFromInline
    mutating func readVarintSlow() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        let start = position
        for i in 0..<10 {
            guard position < buffer.count else {
                throw ParquetError.corrupt("thrift: varint truncated at offset \(start)")
            }
            let b = buffer[position]
            position &+= 1
            if i == 9 && b > 1 {
                throw ParquetError.corrupt("thrift: varint at offset \(start) overflows 64 bits")
            }
            result |= UInt64(b & 0x7F) &<< shift
            if b & 0x80 == 0 { return result }
            shift &+= 7
        }
        throw ParquetError.corrupt("thrift: varint at offset \(start) is longer than 10 bytes")
    }

    /// A zigzag varint as `Int64`.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the varint is truncated or longer than 10 bytes.
    @inlinable
    public mutating func readI64() throws -> Int64 {
        let v = try readVarint()
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    /// A zigzag varint as `Int32`.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the varint is truncated or its value does not fit 32 bits.
    @inlinable
    public mutating func readI32() throws -> Int32 {
        let v = try readI64()
        guard let r = Int32(exactly: v) else {
            throw ParquetError.corrupt("thrift: i32 value \(v) out of range at offset \(position)")
        }
        return r
    }

    /// A zigzag varint as `Int16`.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the varint is truncated or its value does not fit 16 bits.
    @inlinable
    public mutating func readI16() throws -> Int16 {
        let v = try readI64()
        guard let r = Int16(exactly: v) else {
            throw ParquetError.corrupt("thrift: i16 value \(v) out of range at offset \(position)")
        }
        return r
    }

    /// i8 is a single raw byte (not a varint).
    @inlinable
    public mutating func readI8() throws -> Int8 {
        Int8(bitPattern: try readByte())
    }

    /// A bool outside a field header (list/set/map element): one byte, 1 = true, 0 or 2 = false.
    @inlinable
    public mutating func readBool() throws -> Bool {
        let b = try readByte()
        switch b {
        case 1: return true
        case 0, 2: return false
        default: throw ParquetError.corrupt("thrift: invalid bool byte \(b) at offset \(position &- 1)")
        }
    }

    /// 8 bytes little-endian IEEE 754.
    @inlinable
    public mutating func readDouble() throws -> Double {
        guard remaining >= 8 else {
            throw ParquetError.corrupt("thrift: double needs 8 bytes, \(remaining) remain at offset \(position)")
        }
        let bits = buffer.loadUnaligned(fromByteOffset: position, as: UInt64.self)
        position &+= 8
        return Double(bitPattern: UInt64(littleEndian: bits))
    }

    /// The byte range of a binary/string value (varint length + bytes), consumed without copying.
    @inlinable
    public mutating func readBinaryRange(_ context: StaticString = "") throws -> Range<Int> {
        let len = try readVarint()
        guard len <= UInt64(remaining) else {
            throw ParquetError.corrupt("thrift: binary of \(len) bytes exceeds remaining \(remaining) bytes\(Self.ctx(context))")
        }
        let start = position
        position &+= Int(truncatingIfNeeded: len)
        return start..<position
    }

    /// A length-prefixed binary, copied; `context` names the field in errors.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the length runs past the buffer.
    @inlinable
    public mutating func readBinary(_ context: StaticString = "") throws -> [UInt8] {
        let r = try readBinaryRange(context)
        return [UInt8](UnsafeRawBufferPointer(rebasing: buffer[r]))
    }

    /// A string; invalid UTF-8 is repaired with U+FFFD.
    @inlinable
    public mutating func readString(_ context: StaticString = "") throws -> String {
        let r = try readBinaryRange(context)
        return String(decoding: UnsafeRawBufferPointer(rebasing: buffer[r]), as: UTF8.self)
    }

    /// A 16-byte UUID value (compact type 13).
    public mutating func readUUID() throws -> [UInt8] {
        guard remaining >= 16 else {
            throw ParquetError.corrupt("thrift: uuid needs 16 bytes, \(remaining) remain at offset \(position)")
        }
        let r = position..<(position &+ 16)
        position &+= 16
        return [UInt8](UnsafeRawBufferPointer(rebasing: buffer[r]))
    }

    // MARK: structure

    @inlinable
    static func ctx(_ context: StaticString) -> String {
        context.utf8CodeUnitCount == 0 ? "" : " in \(context)"
    }

    @inlinable
    static func type(_ nibble: UInt8, at offset: Int) throws -> ThriftCompactType {
        guard let t = ThriftCompactType(rawValue: nibble) else {
            throw ParquetError.corrupt("thrift: unknown compact type \(nibble) at offset \(offset)")
        }
        return t
    }

    /// Reads a field header; returns nil at the stop field. `lastFieldId` is the previous field id of the
    /// enclosing struct (start with 0) and is updated.
    @inlinable
    public mutating func readFieldHeader(_ lastFieldId: inout Int16) throws -> ThriftFieldHeader? {
        let b = try readByte()
        if b == 0 { return nil }
        let t = try Self.type(b & 0x0F, at: position &- 1)
        guard t != .stop else {
            throw ParquetError.corrupt("thrift: field header with type 0 at offset \(position &- 1)")
        }
        let delta = b >> 4
        let id: Int16
        if delta != 0 {
            id = lastFieldId &+ Int16(delta)
        } else {
            id = try readI16()
        }
        lastFieldId = id
        return ThriftFieldHeader(id: id, type: t)
    }

    /// Reads a list or set header and checks that `count` elements can fit in the remaining bytes.
    @inlinable
    public mutating func readListHeader(_ context: StaticString = "") throws -> (elementType: ThriftCompactType, count: Int) {
        let start = position
        let b = try readByte()
        var count = Int(b >> 4)
        if count == 15 {
            let n = try readVarint()
            guard n <= UInt64(Int32.max) else {
                throw ParquetError.corrupt("thrift: list of \(n) elements at offset \(start) is too long\(Self.ctx(context))")
            }
            count = Int(n)
        }
        let t: ThriftCompactType
        if count == 0 {
            // Empty lists may carry any element type (some writers put 0); it is never used.
            t = ThriftCompactType(rawValue: b & 0x0F) ?? .stop
        } else {
            t = try Self.type(b & 0x0F, at: start)
            guard t != .stop else {
                throw ParquetError.corrupt("thrift: list element type 0 at offset \(start)\(Self.ctx(context))")
            }
            let (need, overflow) = count.multipliedReportingOverflow(by: t.minimumEncodedSize)
            if overflow || need > remaining {
                throw ParquetError.corrupt("thrift: list of \(count) elements exceeds remaining \(remaining) bytes\(Self.ctx(context))")
            }
        }
        return (t, count)
    }

    /// Reads a list header and checks its element type (empty lists accept any type).
    @inlinable
    public mutating func readListHeader(of expected: ThriftCompactType, _ context: StaticString = "") throws -> Int {
        let (t, n) = try readListHeader(context)
        if n > 0 && t != expected && !(expected.isBoolType && t.isBoolType) {
            throw ParquetError.corrupt("thrift: expected list<\(expected)>, found list<\(t)>\(Self.ctx(context))")
        }
        return n
    }

    /// Reads a map header: size, then (if non-empty) one byte of key type << 4 | value type.
    public mutating func readMapHeader(_ context: StaticString = "") throws -> (keyType: ThriftCompactType, valueType: ThriftCompactType, count: Int) {
        let start = position
        let n = try readVarint()
        guard n <= UInt64(Int32.max) else {
            throw ParquetError.corrupt("thrift: map of \(n) entries at offset \(start) is too long\(Self.ctx(context))")
        }
        let count = Int(n)
        if count == 0 { return (.stop, .stop, 0) }
        let kv = try readByte()
        let k = try Self.type(kv >> 4, at: position &- 1)
        let v = try Self.type(kv & 0x0F, at: position &- 1)
        guard k != .stop, v != .stop else {
            throw ParquetError.corrupt("thrift: map with element type 0 at offset \(start)\(Self.ctx(context))")
        }
        let per = k.minimumEncodedSize &+ v.minimumEncodedSize
        let (need, overflow) = count.multipliedReportingOverflow(by: per)
        if overflow || need > remaining {
            throw ParquetError.corrupt("thrift: map of \(count) entries exceeds remaining \(remaining) bytes\(Self.ctx(context))")
        }
        return (k, v, count)
    }

    // MARK: skipping

    /// Skips one value of the given type (a field's value, or a list element). For bool struct fields the value
    /// lives in the header, so nothing is consumed; use `skipElement` for list elements.
    public mutating func skip(_ type: ThriftCompactType) throws {
        try skip(type, inContainer: false, depth: 0)
    }

    mutating func skip(_ type: ThriftCompactType, inContainer: Bool, depth: Int) throws {
        switch type {
        case .stop:
            throw ParquetError.corrupt("thrift: cannot skip a value of type 0 at offset \(position)")
        case .boolTrue, .boolFalse:
            if inContainer { _ = try readBool() }
        case .i8:
            _ = try readByte()
        case .i16, .i32, .i64:
            _ = try readVarint()
        case .double:
            guard remaining >= 8 else {
                throw ParquetError.corrupt("thrift: double needs 8 bytes, \(remaining) remain at offset \(position)")
            }
            position &+= 8
        case .uuid:
            guard remaining >= 16 else {
                throw ParquetError.corrupt("thrift: uuid needs 16 bytes, \(remaining) remain at offset \(position)")
            }
            position &+= 16
        case .binary:
            _ = try readBinaryRange()
        case .list, .set:
            guard depth < Self.maxDepth else {
                throw ParquetError.corrupt("thrift: nesting deeper than \(Self.maxDepth) at offset \(position)")
            }
            let (t, n) = try readListHeader()
            for _ in 0..<n { try skip(t, inContainer: true, depth: depth &+ 1) }
        case .map:
            guard depth < Self.maxDepth else {
                throw ParquetError.corrupt("thrift: nesting deeper than \(Self.maxDepth) at offset \(position)")
            }
            let (k, v, n) = try readMapHeader()
            for _ in 0..<n {
                try skip(k, inContainer: true, depth: depth &+ 1)
                try skip(v, inContainer: true, depth: depth &+ 1)
            }
        case .struct:
            guard depth < Self.maxDepth else {
                throw ParquetError.corrupt("thrift: nesting deeper than \(Self.maxDepth) at offset \(position)")
            }
            var last: Int16 = 0
            while let f = try readFieldHeader(&last) {
                try skip(f.type, inContainer: false, depth: depth &+ 1)
            }
        }
    }

    /// Skips a list/set/map element of the given type (bools take one byte there).
    public mutating func skipElement(_ type: ThriftCompactType) throws {
        try skip(type, inContainer: true, depth: 0)
    }

    // MARK: typed helpers used by the metadata model

    /// Reads a struct; a `.corrupt` error from inside it is extended with `context` (e.g. "ColumnChunk.meta_data"),
    /// so messages name the path to the bad bytes.
    @inlinable
    public mutating func readStruct<T: ThriftStruct>(_: T.Type = T.self, _ context: StaticString) throws -> T {
        do {
            return try T(from: &self)
        } catch ParquetError.corrupt(let m) {
            throw ParquetError.corrupt("\(m), in \(context)")
        }
    }

    /// Reads a list<struct>.
    @inlinable
    public mutating func readStructList<T: ThriftStruct>(_: T.Type = T.self, _ context: StaticString = "") throws -> [T] {
        let n = try readListHeader(of: .struct, context)
        var out: [T] = []
        // Each element takes at least one byte, but an element's in-memory size can be far larger: cap the reservation.
        out.reserveCapacity(Swift.min(n, 1024))
        for i in 0..<n {
            do {
                out.append(try T(from: &self))
            } catch ParquetError.corrupt(let m) {
                throw ParquetError.corrupt("\(m), in \(context)[\(i)]")
            }
        }
        return out
    }

    /// A list of i64; `context` names the field in errors.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` for a wrong element type or a count the remaining bytes cannot hold.
    @inlinable
    public mutating func readI64List(_ context: StaticString = "") throws -> [Int64] {
        let n = try readListHeader(of: .i64, context)
        var out: [Int64] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try readI64()) }
        return out
    }

    /// A list of i32; `context` names the field in errors.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` for a wrong element type or a count the remaining bytes cannot hold.
    @inlinable
    public mutating func readI32List(_ context: StaticString = "") throws -> [Int32] {
        let n = try readListHeader(of: .i32, context)
        var out: [Int32] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try readI32()) }
        return out
    }

    /// A list of Booleans; `context` names the field in errors.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` for a wrong element type or a count the remaining bytes cannot hold.
    @inlinable
    public mutating func readBoolList(_ context: StaticString = "") throws -> [Bool] {
        let n = try readListHeader(of: .boolTrue, context)
        var out: [Bool] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try readBool()) }
        return out
    }

    /// A list of binaries; `context` names the field in errors.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` for a wrong element type or a count the remaining bytes cannot hold.
    public mutating func readBinaryList(_ context: StaticString = "") throws -> [[UInt8]] {
        let n = try readListHeader(of: .binary, context)
        var out: [[UInt8]] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try readBinary(context)) }
        return out
    }

    /// A list of strings (invalid UTF-8 repaired); `context` names the field in errors.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` for a wrong element type or a count the remaining bytes cannot hold.
    public mutating func readStringList(_ context: StaticString = "") throws -> [String] {
        let n = try readListHeader(of: .binary, context)
        var out: [String] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try readString(context)) }
        return out
    }

    /// Reads a union member that is an empty struct (e.g. `StringType`), skipping any fields it may carry.
    @inlinable
    public mutating func readEmptyStruct() throws {
        try skip(.struct)
    }
}

extension ThriftCompactType {
    @inlinable var isBoolType: Bool { self == .boolTrue || self == .boolFalse }
}

/// Shorthand for the "required field missing" error.
@inlinable
func thriftMissing(_ structName: StaticString, _ field: StaticString) -> ParquetError {
    .corrupt("\(structName): required field \(field) missing")
}
