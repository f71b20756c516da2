// Thrift compact protocol encoding; the exact mirror of `ThriftCompactReader`.
//
// Usage for a struct:
//     let saved = w.beginStruct()
//     w.writeField(1, i32: version)
//     w.writeFieldBegin(2, .list); w.writeListHeader(.struct, count: schema.count); ...
//     w.endStruct(saved)

/// Appends compact-protocol bytes to `bytes`.
public struct ThriftCompactWriter: Sendable {
    public var bytes: [UInt8]
    /// Id of the last field written in the current struct (for delta field headers).
    public var lastFieldId: Int16 = 0

    public init(reservingCapacity n: Int = 256) {
        bytes = []
        bytes.reserveCapacity(n)
    }

    // MARK: primitives

    @inlinable
    public mutating func writeByte(_ b: UInt8) {
        bytes.append(b)
    }

    @inlinable
    public mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: v))
    }

    @inlinable
    public mutating func writeI64(_ v: Int64) {
        writeVarint(UInt64(bitPattern: (v &<< 1) ^ (v >> 63)))
    }

    @inlinable
    public mutating func writeI32(_ v: Int32) {
        writeI64(Int64(v))
    }

    @inlinable
    public mutating func writeI16(_ v: Int16) {
        writeI64(Int64(v))
    }

    @inlinable
    public mutating func writeI8(_ v: Int8) {
        bytes.append(UInt8(bitPattern: v))
    }

    /// A bool as a list element: 1 = true, 2 = false.
    @inlinable
    public mutating func writeBool(_ v: Bool) {
        bytes.append(v ? 1 : 2)
    }

    @inlinable
    public mutating func writeDouble(_ v: Double) {
        var bits = v.bitPattern.littleEndian
        withUnsafeBytes(of: &bits) { bytes.append(contentsOf: $0) }
    }

    @inlinable
    public mutating func writeBinary(_ v: [UInt8]) {
        writeVarint(UInt64(v.count))
        bytes.append(contentsOf: v)
    }

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

    @inlinable public mutating func writeField(_ id: Int16, bool v: Bool) {
        writeFieldBegin(id, v ? .boolTrue : .boolFalse)
    }

    @inlinable public mutating func writeField(_ id: Int16, i8 v: Int8) {
        writeFieldBegin(id, .i8)
        writeI8(v)
    }

    @inlinable public mutating func writeField(_ id: Int16, i16 v: Int16) {
        writeFieldBegin(id, .i16)
        writeI16(v)
    }

    @inlinable public mutating func writeField(_ id: Int16, i32 v: Int32) {
        writeFieldBegin(id, .i32)
        writeI32(v)
    }

    @inlinable public mutating func writeField(_ id: Int16, i64 v: Int64) {
        writeFieldBegin(id, .i64)
        writeI64(v)
    }

    @inlinable public mutating func writeField(_ id: Int16, double v: Double) {
        writeFieldBegin(id, .double)
        writeDouble(v)
    }

    @inlinable public mutating func writeField(_ id: Int16, binary v: [UInt8]) {
        writeFieldBegin(id, .binary)
        writeBinary(v)
    }

    @inlinable public mutating func writeField(_ id: Int16, string v: String) {
        writeFieldBegin(id, .binary)
        writeString(v)
    }

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

    @inlinable public mutating func writeField(_ id: Int16, bool v: Bool?) {
        if let v { writeField(id, bool: v) }
    }
    @inlinable public mutating func writeField(_ id: Int16, i8 v: Int8?) {
        if let v { writeField(id, i8: v) }
    }
    @inlinable public mutating func writeField(_ id: Int16, i16 v: Int16?) {
        if let v { writeField(id, i16: v) }
    }
    @inlinable public mutating func writeField(_ id: Int16, i32 v: Int32?) {
        if let v { writeField(id, i32: v) }
    }
    @inlinable public mutating func writeField(_ id: Int16, i64 v: Int64?) {
        if let v { writeField(id, i64: v) }
    }
    @inlinable public mutating func writeField(_ id: Int16, double v: Double?) {
        if let v { writeField(id, double: v) }
    }
    @inlinable public mutating func writeField(_ id: Int16, binary v: [UInt8]?) {
        if let v { writeField(id, binary: v) }
    }
    @inlinable public mutating func writeField(_ id: Int16, string v: String?) {
        if let v { writeField(id, string: v) }
    }
    @inlinable public mutating func writeField<T: ThriftStruct>(_ id: Int16, struct v: T?) {
        if let v { writeField(id, struct: v) }
    }

    // Lists.

    @inlinable public mutating func writeField<T: ThriftStruct>(_ id: Int16, structList v: [T]?) {
        guard let v else { return }
        writeFieldBegin(id, .list)
        writeListHeader(.struct, count: v.count)
        for e in v { e.write(to: &self) }
    }

    @inlinable public mutating func writeField(_ id: Int16, i64List v: [Int64]?) {
        guard let v else { return }
        writeFieldBegin(id, .list)
        writeListHeader(.i64, count: v.count)
        for e in v { writeI64(e) }
    }

    @inlinable public mutating func writeField(_ id: Int16, i32List v: [Int32]?) {
        guard let v else { return }
        writeFieldBegin(id, .list)
        writeListHeader(.i32, count: v.count)
        for e in v { writeI32(e) }
    }

    @inlinable public mutating func writeField(_ id: Int16, boolList v: [Bool]?) {
        guard let v else { return }
        writeFieldBegin(id, .list)
        writeListHeader(.boolTrue, count: v.count)  // element type 1 like C++ and Rust; parquet-mr writes 2
        for e in v { writeBool(e) }
    }

    @inlinable public mutating func writeField(_ id: Int16, binaryList v: [[UInt8]]?) {
        guard let v else { return }
        writeFieldBegin(id, .list)
        writeListHeader(.binary, count: v.count)
        for e in v { writeBinary(e) }
    }

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
