// Thrift compact protocol encoding; the exact mirror of `ThriftCompactReader`.
//
// Usage for a struct:
//     let saved = w.beginStruct()
//     w.writeField(1, i32: version)
//     w.writeFieldBegin(2, .list); w.writeListHeader(.struct, count: schema.count); ...
//     w.endStruct(saved)

/// Appends compact-protocol bytes to `bytes`.
public struct ThriftCompactWriter: Sendable {
    /// The encoded bytes so far.
    public var bytes: [UInt8]
    /// Id of the last field written in the current struct (for delta field headers).
    public var lastFieldId: Int16 = 0

    /// An empty writer with room for `n` bytes.
    public init(reservingCapacity n: Int = 256) {
        bytes = []
        bytes.reserveCapacity(n)
    }

    // MARK: primitives

    /// Appends one raw byte.
    @inlinable
    public mutating func writeByte(_ b: UInt8) {
        bytes.append(b)
    }

    /// Appends `value` as an unsigned LEB128 varint (1 to 10 bytes).
    @inlinable
    public mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: v))
    }

    /// Appends `v` zigzag-encoded as a varint.
    @inlinable
    public mutating func writeI64(_ v: Int64) {
        writeVarint(UInt64(bitPattern: (v &<< 1) ^ (v >> 63)))
    }

    /// Appends `v` zigzag-encoded as a varint.
    @inlinable
    public mutating func writeI32(_ v: Int32) {
        writeI64(Int64(v))
    }

    /// Appends `v` zigzag-encoded as a varint.
    @inlinable
    public mutating func writeI16(_ v: Int16) {
        writeI64(Int64(v))
    }

    /// Appends `v` as one byte.
    @inlinable
    public mutating func writeI8(_ v: Int8) {
        bytes.append(UInt8(bitPattern: v))
    }

    /// A bool as a list element: 1 = true, 2 = false.
    @inlinable
    public mutating func writeBool(_ v: Bool) {
        bytes.append(v ? 1 : 2)
    }

    /// Appends `v` as 8 little-endian bytes.
    @inlinable
    public mutating func writeDouble(_ v: Double) {
        var bits = v.bitPattern.littleEndian
        withUnsafeBytes(of: &bits) { bytes.append(contentsOf: $0) }
    }

    /// Appends the length of `v` as a varint, then its bytes.
    @inlinable
    public mutating func writeBinary(_ v: [UInt8]) {
        writeVarint(UInt64(v.count))
        bytes.append(contentsOf: v)
    }

    /// Appends the UTF-8 length of `v` as a varint, then its UTF-8 bytes.
    @inlinable
    public mutating func writeString(_ v: String) {
        var s = v
        s.withUTF8 { buf in
            writeVarint(UInt64(buf.count))
            bytes.append(contentsOf: buf)
        }
    }

    // MARK: structure

    /// Starts a nested struct: returns the enclosing struct's last field id, to pass to `endStruct`.
    @inlinable
    public mutating func beginStruct() -> Int16 {
        let saved = lastFieldId
        lastFieldId = 0
        return saved
    }

    /// Writes the stop field and restores the enclosing struct's field id state.
    @inlinable
    public mutating func endStruct(_ saved: Int16) {
        bytes.append(0)
        lastFieldId = saved
    }

    /// Writes a field header (short form when the id delta is 1...15, else the type byte + zigzag i16 id).
    @inlinable
    public mutating func writeFieldBegin(_ id: Int16, _ type: ThriftCompactType) {
        let delta = Int32(id) - Int32(lastFieldId)
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            writeI16(id)
        }
        lastFieldId = id
    }

    /// A list or set header.
    @inlinable
    public mutating func writeListHeader(_ elementType: ThriftCompactType, count: Int) {
        if count < 15 {
            bytes.append(UInt8(count) << 4 | elementType.rawValue)
        } else {
            bytes.append(0xF0 | elementType.rawValue)
            writeVarint(UInt64(count))
        }
    }

    /// A map header.
    public mutating func writeMapHeader(key: ThriftCompactType, value: ThriftCompactType, count: Int) {
        writeVarint(UInt64(count))
        if count > 0 { bytes.append(key.rawValue << 4 | value.rawValue) }
    }

    // MARK: fields

    /// Writes field `id` (header, then the value) as a Boolean (the value is in the field header's type).
    @inlinable public mutating func writeField(_ id: Int16, bool v: Bool) {
        writeFieldBegin(id, v ? .boolTrue : .boolFalse)
    }

    /// Writes field `id` (header, then the value) as a byte.
    @inlinable public mutating func writeField(_ id: Int16, i8 v: Int8) {
        writeFieldBegin(id, .i8)
        writeI8(v)
    }

    /// Writes field `id` (header, then the value) as a zigzag varint i16.
    @inlinable public mutating func writeField(_ id: Int16, i16 v: Int16) {
        writeFieldBegin(id, .i16)
        writeI16(v)
    }

    /// Writes field `id` (header, then the value) as a zigzag varint i32.
    @inlinable public mutating func writeField(_ id: Int16, i32 v: Int32) {
        writeFieldBegin(id, .i32)
        writeI32(v)
    }

    /// Writes field `id` (header, then the value) as a zigzag varint i64.
    @inlinable public mutating func writeField(_ id: Int16, i64 v: Int64) {
        writeFieldBegin(id, .i64)
        writeI64(v)
    }

    /// Writes field `id` (header, then the value) as a little-endian double.
    @inlinable public mutating func writeField(_ id: Int16, double v: Double) {
        writeFieldBegin(id, .double)
        writeDouble(v)
    }

    /// Writes field `id` (header, then the value) as a length-prefixed binary.
    @inlinable public mutating func writeField(_ id: Int16, binary v: [UInt8]) {
        writeFieldBegin(id, .binary)
        writeBinary(v)
    }

    /// Writes field `id` (header, then the value) as a length-prefixed UTF-8 string.
    @inlinable public mutating func writeField(_ id: Int16, string v: String) {
        writeFieldBegin(id, .binary)
        writeString(v)
    }

    /// Writes field `id` (header, then the value) as a struct.
    @inlinable public mutating func writeField<T: ThriftStruct>(_ id: Int16, struct v: T) {
        writeFieldBegin(id, .struct)
        v.write(to: &self)
    }

    /// An empty struct as a field (union members such as `StringType`).
    @inlinable public mutating func writeEmptyStructField(_ id: Int16) {
        writeFieldBegin(id, .struct)
        bytes.append(0)
    }

    // Optional-field conveniences: write nothing when nil.

    /// Writes field `id` as a Boolean (the value is in the field header's type) when `v` is not `nil`; nothing otherwise (an absent optional field).
    @inlinable public mutating func writeField(_ id: Int16, bool v: Bool?) {
        if let v { writeField(id, bool: v) }
    }
    /// Writes field `id` as a byte when `v` is not `nil`; nothing otherwise (an absent optional field).
    @inlinable public mutating func writeField(_ id: Int16, i8 v: Int8?) {
        if let v { writeField(id, i8: v) }
    }
    /// Writes field `id` as a zigzag varint i16 when `v` is not `nil`; nothing otherwise (an absent optional field).
    @inlinable public mutating func writeField(_ id: Int16, i16 v: Int16?) {
        if let v { writeField(id, i16: v) }
    }
    /// Writes field `id` as a zigzag varint i32 when `v` is not `nil`; nothing otherwise (an absent optional field).
    @inlinable public mutating func writeField(_ id: Int16, i32 v: Int32?) {
        if let v { writeField(id, i32: v) }
    }
    /// Writes field `id` as a zigzag varint i64 when `v` is not `nil`; nothing otherwise (an absent optional field).
    @inlinable public mutating func writeField(_ id: Int16, i64 v: Int64?) {
        if let v { writeField(id, i64: v) }
    }
    /// Writes field `id` as a little-endian double when `v` is not `nil`; nothing otherwise (an absent optional field).
    @inlinable public mutating func writeField(_ id: Int16, double v: Double?) {
        if let v { writeField(id, double: v) }
    }
    /// Writes field `id` as a length-prefixed binary when `v` is not `nil`; nothing otherwise (an absent optional field).
    @inlinable public mutating func writeField(_ id: Int16, binary v: [UInt8]?) {
        if let v { writeField(id, binary: v) }
    }
    /// Writes field `id` as a length-prefixed UTF-8 string when `v` is not `nil`; nothing otherwise (an absent optional field).
    @inlinable public mutating func writeField(_ id: Int16, string v: String?) {
        if let v { writeField(id, string: v) }
    }
    /// Writes field `id` as a struct when `v` is not `nil`; nothing otherwise (an absent optional field).
    @inlinable public mutating func writeField<T: ThriftStruct>(_ id: Int16, struct v: T?) {
        if let v { writeField(id, struct: v) }
    }

    // Lists.

    /// Writes field `id` as a list of structs when `v` is not `nil`; nothing otherwise (an absent optional field).
    @inlinable public mutating func writeField<T: ThriftStruct>(_ id: Int16, structList v: [T]?) {
        guard let v else { return }
        writeFieldBegin(id, .list)
        writeListHeader(.struct, count: v.count)
        for e in v { e.write(to: &self) }
    }

    /// Writes field `id` as a list of i64 when `v` is not `nil`; nothing otherwise (an absent optional field).
    @inlinable public mutating func writeField(_ id: Int16, i64List v: [Int64]?) {
        guard let v else { return }
        writeFieldBegin(id, .list)
        writeListHeader(.i64, count: v.count)
        for e in v { writeI64(e) }
    }

    /// Writes field `id` as a list of i32 when `v` is not `nil`; nothing otherwise (an absent optional field).
    @inlinable public mutating func writeField(_ id: Int16, i32List v: [Int32]?) {
        guard let v else { return }
        writeFieldBegin(id, .list)
        writeListHeader(.i32, count: v.count)
        for e in v { writeI32(e) }
    }

    /// Writes field `id` as a list of Booleans when `v` is not `nil`; nothing otherwise (an absent optional field).
    @inlinable public mutating func writeField(_ id: Int16, boolList v: [Bool]?) {
        guard let v else { return }
        writeFieldBegin(id, .list)
        writeListHeader(.boolTrue, count: v.count)  // element type 1 like C++ and Rust; parquet-mr writes 2
        for e in v { writeBool(e) }
    }

    /// Writes field `id` as a list of binaries when `v` is not `nil`; nothing otherwise (an absent optional field).
    @inlinable public mutating func writeField(_ id: Int16, binaryList v: [[UInt8]]?) {
        guard let v else { return }
        writeFieldBegin(id, .list)
        writeListHeader(.binary, count: v.count)
        for e in v { writeBinary(e) }
    }

    /// Writes field `id` as a list of strings when `v` is not `nil`; nothing otherwise (an absent optional field).
    @inlinable public mutating func writeField(_ id: Int16, stringList v: [String]?) {
        guard let v else { return }
        writeFieldBegin(id, .list)
        writeListHeader(.binary, count: v.count)
        for e in v { writeString(e) }
    }
}

extension ThriftStruct {
    /// The struct's compact-protocol encoding.
    public func serialize() -> [UInt8] {
        var w = ThriftCompactWriter()
        write(to: &w)
        return w.bytes
    }

    /// Decodes one struct from the start of `bytes` (trailing bytes are ignored).
    public init(serialized bytes: UnsafeRawBufferPointer) throws {
        var r = ThriftCompactReader(bytes)
        try self.init(from: &r)
    }

    /// Decodes one struct from the start of `bytes` (trailing bytes are ignored).
    public init(serialized bytes: [UInt8]) throws {
        self = try bytes.withUnsafeBytes { try Self(serialized: $0) }
    }
}
