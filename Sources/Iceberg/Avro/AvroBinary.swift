// Avro's binary encoding (Avro 1.11 specification, "Binary Encoding"): zig-zag varints, little-endian IEEE
// floats, length-prefixed bytes and strings, blocked arrays and maps, unions as branch index + value.

/// A value of an Avro schema. Records are positional (the schema's field order); a union value carries its
/// branch index.
public indirect enum AvroValue: Sendable, Equatable {
    /// The Avro `null` value (encoded as zero bytes).
    case null
    /// An Avro `boolean` (one byte, 0 or 1).
    case boolean(Bool)
    /// An Avro `int`: 32-bit signed, zig-zag varint encoded.
    case int(Int32)
    /// An Avro `long`: 64-bit signed, zig-zag varint encoded.
    case long(Int64)
    /// An Avro `float`: IEEE 754 single precision, 4 bytes little-endian.
    case float(Float)
    /// An Avro `double`: IEEE 754 double precision, 8 bytes little-endian.
    case double(Double)
    /// An Avro `bytes` value (length-prefixed on the wire).
    case bytes([UInt8])
    /// An Avro `string` (UTF-8, length-prefixed on the wire).
    case string(String)
    /// A record: one value per field, in the schema's field order.
    case record([AvroValue])
    /// An enum symbol, as its zero-based index into the schema's `symbols`.
    case enumeration(Int)
    /// An array's items, in order.
    case array([AvroValue])
    /// A map's entries, in file order (duplicate keys are kept as read).
    case map([AvroMapEntry])
    /// A union value: the zero-based branch index in the union schema, and the value of that branch.
    case union(Int, AvroValue)
    /// A `fixed` value; its length is the schema's `size`.
    case fixed([UInt8])

    /// Structural equality; floats and doubles compare by bit pattern (so NaN equals the same NaN, and
    /// 0.0 differs from -0.0), strings by their UTF-8 bytes.
    public static func == (a: AvroValue, b: AvroValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.boolean(let x), .boolean(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.long(let x), .long(let y)): return x == y
        case (.float(let x), .float(let y)): return x.bitPattern == y.bitPattern
        case (.double(let x), .double(let y)): return x.bitPattern == y.bitPattern
        case (.bytes(let x), .bytes(let y)), (.fixed(let x), .fixed(let y)): return x == y
        case (.string(let x), .string(let y)): return x.utf8.elementsEqual(y.utf8)
        case (.record(let x), .record(let y)), (.array(let x), .array(let y)): return x == y
        case (.enumeration(let x), .enumeration(let y)): return x == y
        case (.map(let x), .map(let y)): return x == y
        case (.union(let i, let x), .union(let j, let y)): return i == j && x == y
        default: return false
        }
    }

    /// The value inside a union (or the value itself).
    public var unwrapped: AvroValue {
        if case .union(_, let v) = self { return v.unwrapped }
        return self
    }
}

/// An entry of an Avro map (keys are strings).
public struct AvroMapEntry: Sendable, Equatable {
    /// The entry's key.
    public var key: String
    /// The entry's value, of the map schema's `values` type.
    public var value: AvroValue
    /// An entry mapping `key` to `value`.
    public init(_ key: String, _ value: AvroValue) {
        self.key = key
        self.value = value
    }
}

// MARK: - Encoding

/// Appends Avro binary encodings to a byte buffer.
public struct AvroEncoder {
    /// The encoded bytes so far.
    public var bytes: [UInt8] = []
    let named: [String: AvroSchema]

    /// An empty encoder for values of `schema` (its named types resolve `reference`s while encoding).
    public init(schema: AvroSchema) { named = schema.namedTypes() }

    /// Appends `v` as a zig-zag varint (1 to 10 bytes), the encoding of Avro `int` and `long`.
    @inline(__always)
    public mutating func writeLong(_ v: Int64) {
        var z = UInt64(bitPattern: (v << 1) ^ (v >> 63))
        while z >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: z) | 0x80)
            z >>= 7
        }
        bytes.append(UInt8(z))
    }

    /// Appends `b` as Avro `bytes`: its length as a `long`, then the bytes.
    public mutating func writeBytes(_ b: [UInt8]) {
        writeLong(Int64(b.count))
        bytes.append(contentsOf: b)
    }

    /// Encodes `value` as an instance of `schema`; a value of the wrong shape is an `invalidArgument` error
    /// naming the path to it.
    public mutating func encode(_ value: AvroValue, as schema: AvroSchema, path: String = "") throws(IcebergError) {
        func wrong() -> IcebergError {
            .invalidArgument("Avro value at '\(path.isEmpty ? "<root>" : path)' does not match schema \(schema.jsonText())")
        }
        switch (schema.type, value) {
        case (.reference(let n), _):
            guard let s = named[n] else { throw .invalidArgument("Avro schema names unknown type '\(n)'") }
            try encode(value, as: s, path: path)
        case (.null, .null): break
        case (.boolean, .boolean(let b)): bytes.append(b ? 1 : 0)
        case (.int, .int(let v)): writeLong(Int64(v))
        case (.long, .long(let v)): writeLong(v)
        case (.long, .int(let v)): writeLong(Int64(v))
        case (.float, .float(let v)): appendLE(v.bitPattern)
        case (.double, .double(let v)): appendLE(v.bitPattern)
        case (.bytes, .bytes(let b)): writeBytes(b)
        case (.string, .string(let s)):
            writeLong(Int64(s.utf8.count))
            bytes.append(contentsOf: s.utf8)
        case (.fixed(_, let size), .fixed(let b)):
            guard b.count == size else { throw wrong() }
            bytes.append(contentsOf: b)
        case (.enumeration(_, let symbols, _), .enumeration(let i)):
            guard symbols.indices.contains(i) else { throw wrong() }
            writeLong(Int64(i))
        case (.record(_, let fields), .record(let vs)):
            guard vs.count == fields.count else { throw wrong() }
            for (f, v) in zip(fields, vs) { try encode(v, as: f.schema, path: path.isEmpty ? f.name : path + "." + f.name) }
        case (.array(let items), .array(let vs)):
            if !vs.isEmpty {
                writeLong(Int64(vs.count))
                for (i, v) in vs.enumerated() { try encode(v, as: items, path: "\(path)[\(i)]") }
            }
            writeLong(0)
        case (.map(let values), .map(let es)):
            if !es.isEmpty {
                writeLong(Int64(es.count))
                for e in es {
                    writeLong(Int64(e.key.utf8.count))
                    bytes.append(contentsOf: e.key.utf8)
                    try encode(e.value, as: values, path: "\(path)[\(e.key)]")
                }
            }
            writeLong(0)
        case (.union(let branches), .union(let i, let v)):
            guard branches.indices.contains(i) else { throw wrong() }
            writeLong(Int64(i))
            try encode(v, as: branches[i], path: path)
        case (.union(let branches), _):
            // a bare value: the first branch it fits (null for .null)
            guard let i = branches.firstIndex(where: { Self.fits(value, $0, named) }) else { throw wrong() }
            writeLong(Int64(i))
            try encode(value, as: branches[i], path: path)
        default: throw wrong()
        }
    }

    static func fits(_ v: AvroValue, _ s: AvroSchema, _ named: [String: AvroSchema]) -> Bool {
        switch (s.type, v) {
        case (.reference(let n), _): return named[n].map { fits(v, $0, named) } ?? false
        case (.null, .null), (.boolean, .boolean), (.int, .int), (.long, .long), (.float, .float), (.double, .double),
             (.bytes, .bytes), (.string, .string), (.record, .record), (.enumeration, .enumeration), (.array, .array),
             (.map, .map): return true
        case (.fixed(_, let n), .fixed(let b)): return b.count == n
        default: return false
        }
    }

    @inline(__always)
    mutating func appendLE<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }
}

// MARK: - Decoding

/// Reads Avro binary encodings from a byte range, with every length and count checked against the bytes left.
public struct AvroDecoder {
    let buffer: UnsafeRawBufferPointer
    /// The position of the next byte to read, in bytes from the start of the buffer.
    public private(set) var offset: Int
    let end: Int
    let named: [String: AvroSchema]
    let file: String
    var depth = 0

    /// `buffer` must outlive the decoder.
    public init(_ buffer: UnsafeRawBufferPointer, schema: AvroSchema, file: String, offset: Int = 0, end: Int? = nil) {
        self.buffer = buffer
        self.offset = offset
        self.end = end ?? buffer.count
        self.named = schema.namedTypes()
        self.file = file
    }

    init(_ buffer: UnsafeRawBufferPointer, named: [String: AvroSchema], file: String, offset: Int, end: Int) {
        self.buffer = buffer
        self.offset = offset
        self.end = end
        self.named = named
        self.file = file
    }

    /// The number of bytes between the current offset and the end of the range.
    public var remaining: Int { end - offset }

    func fail(_ message: String) -> IcebergError { .corrupt(file: file, detail: "at byte \(offset): \(message)") }

    /// Reads a zig-zag varint `long` (at most 10 bytes).
    ///
    /// - Throws: ``IcebergError/corrupt(file:detail:)`` when the range ends inside the varint or it encodes more
    ///   than 64 bits.
    public mutating func readLong() throws(IcebergError) -> Int64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < end else { throw fail("truncated varint") }
            let b = buffer[offset]
            offset += 1
            guard shift < 64, shift < 63 || b & 0x7E == 0 else { throw fail("varint longer than 64 bits") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { break }
            shift += 7
        }
        return Int64(bitPattern: result >> 1) ^ -Int64(bitPattern: result & 1)
    }

    /// Reads a zig-zag varint `int`.
    ///
    /// - Throws: ``IcebergError/corrupt(file:detail:)`` when the varint is malformed or the value does not fit
    ///   in 32 bits.
    public mutating func readInt() throws(IcebergError) -> Int32 {
        let v = try readLong()
        guard let i = Int32(exactly: v) else { throw fail("int value \(v) out of 32-bit range") }
        return i
    }

    /// Reads the next `n` bytes as they are.
    ///
    /// - Throws: ``IcebergError/corrupt(file:detail:)`` when `n` is negative or more than ``remaining``.
    public mutating func readRaw(_ n: Int) throws(IcebergError) -> [UInt8] {
        guard n >= 0, n <= remaining else { throw fail("length \(n) runs past the end (\(remaining) bytes left)") }
        let out = Array(UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + n)]))
        offset += n
        return out
    }

    /// Reads Avro `bytes`: a `long` length, then that many bytes.
    ///
    /// - Throws: ``IcebergError/corrupt(file:detail:)`` when the length is negative or exceeds the bytes left.
    public mutating func readBytes() throws(IcebergError) -> [UInt8] {
        let n = try readLong()
        guard n >= 0, n <= Int64(remaining) else { throw fail("length \(n) runs past the end (\(remaining) bytes left)") }
        return try readRaw(Int(n))
    }

    mutating func readString() throws(IcebergError) -> String {
        let b = try readBytes()
        guard let s = String(validating: b, as: UTF8.self) else { throw fail("string is not valid UTF-8") }
        return s
    }

    mutating func readLE<T: FixedWidthInteger>(_: T.Type) throws(IcebergError) -> T {
        let n = MemoryLayout<T>.size
        guard n <= remaining else { throw fail("truncated \(n)-byte value") }
        var v: T = 0
        withUnsafeMutableBytes(of: &v) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + n)])) }
        offset += n
        return T(littleEndian: v)
    }

    /// The item count of the next array or map block (0 ends the sequence); a negative count is followed by the
    /// block's size in bytes, which is checked and skipped over.
    mutating func blockCount(minItemSize: Int) throws(IcebergError) -> Int {
        var count = try readLong()
        if count < 0 {
            guard count != Int64.min else { throw fail("block count out of range") }
            count = -count
            let size = try readLong()
            guard size >= 0, size <= Int64(remaining) else { throw fail("block size \(size) runs past the end") }
        }
        // Each item takes at least one byte unless its type can be empty; cap zero-size items so a hostile count
        // cannot allocate without bound.
        let cap = minItemSize > 0 ? Int64(remaining / minItemSize) : 1 << 24
        guard count <= cap else { throw fail("block count \(count) exceeds what the \(remaining) bytes left can hold") }
        return Int(count)
    }

    func minSize(_ s: AvroSchema, _ seen: Int = 0) -> Int {
        guard seen < 32 else { return 0 }
        switch s.type {
        case .null: return 0
        case .float: return 4
        case .double: return 8
        case .fixed(_, let n): return n
        case .record(_, let fields): return fields.reduce(0) { $0 + minSize($1.schema, seen + 1) }
        case .reference(let n): return named[n].map { minSize($0, seen + 1) } ?? 0
        default: return 1
        }
    }

    /// Decodes one instance of `schema`.
    public mutating func decode(_ schema: AvroSchema) throws(IcebergError) -> AvroValue {
        depth += 1
        defer { depth -= 1 }
        guard depth <= 512 else { throw fail("values nested deeper than 512 levels") }
        switch schema.type {
        case .null: return .null
        case .boolean:
            guard offset < end else { throw fail("truncated boolean") }
            let b = buffer[offset]
            offset += 1
            guard b <= 1 else { throw fail("boolean byte \(b) is neither 0 nor 1") }
            return .boolean(b == 1)
        case .int: return .int(try readInt())
        case .long: return .long(try readLong())
        case .float: return .float(Float(bitPattern: try readLE(UInt32.self)))
        case .double: return .double(Double(bitPattern: try readLE(UInt64.self)))
        case .bytes: return .bytes(try readBytes())
        case .string: return .string(try readString())
        case .fixed(_, let n): return .fixed(try readRaw(n))
        case .enumeration(let name, let symbols, _):
            let i = try readLong()
            guard i >= 0, i < symbols.count else { throw fail("enum '\(name)' index \(i) out of range") }
            return .enumeration(Int(i))
        case .record(_, let fields):
            var vs: [AvroValue] = []
            vs.reserveCapacity(fields.count)
            for f in fields { vs.append(try decode(f.schema)) }
            return .record(vs)
        case .array(let items):
            var vs: [AvroValue] = []
            let m = minSize(items)
            while true {
                let n = try blockCount(minItemSize: m)
                if n == 0 { break }
                guard vs.count + n <= 1 << 26 else { throw fail("array longer than \(1 << 26) items") }
                vs.reserveCapacity(vs.count + n)
                for _ in 0..<n { vs.append(try decode(items)) }
            }
            return .array(vs)
        case .map(let values):
            var es: [AvroMapEntry] = []
            while true {
                let n = try blockCount(minItemSize: 1 + minSize(values))
                if n == 0 { break }
                guard es.count + n <= 1 << 26 else { throw fail("map longer than \(1 << 26) entries") }
                es.reserveCapacity(es.count + n)
                for _ in 0..<n {
                    let k = try readString()
                    es.append(AvroMapEntry(k, try decode(values)))
                }
            }
            return .map(es)
        case .union(let branches):
            let i = try readLong()
            guard i >= 0, i < branches.count else { throw fail("union branch \(i) out of range (\(branches.count) branches)") }
            return .union(Int(i), try decode(branches[Int(i)]))
        case .reference(let n):
            guard let s = named[n] else { throw fail("schema names unknown type '\(n)'") }
            return try decode(s)
        }
    }
}
