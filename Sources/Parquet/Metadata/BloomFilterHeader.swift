// BloomFilterHeader and its unions (parquet.thrift).

/// `union BloomFilterAlgorithm`.
public enum BloomFilterAlgorithm: Equatable, Hashable, Sendable {
    /// Split Block Bloom Filter.
    case block
    /// A union member this implementation does not know (its field id); such filters are not used.
    case undefined(fieldId: Int16)
}

/// `union BloomFilterHash`.
public enum BloomFilterHash: Equatable, Hashable, Sendable {
    /// xxHash64 with seed 0.
    case xxHash
    /// A union member this implementation does not know (its field id); such filters are not used.
    case undefined(fieldId: Int16)
}

/// `union BloomFilterCompression`.
public enum BloomFilterCompression: Equatable, Hashable, Sendable {
    /// The bitset is stored as is (the only compression the format defines).
    case uncompressed
    /// A union member this implementation does not know (its field id); such filters are not used.
    case undefined(fieldId: Int16)
}

/// Reads a union whose members are all empty structs: returns the (last) member's field id.
private func readEmptyMemberUnion(_ r: inout ThriftCompactReader, _ name: StaticString) throws -> Int16 {
    var last: Int16 = 0
    var id: Int16?
    while let f = try r.readFieldHeader(&last) {
        try r.skip(f.type)
        id = f.id
    }
    guard let id else { throw ParquetError.corrupt("\(name): empty union") }
    return id
}

private func writeEmptyMemberUnion(_ w: inout ThriftCompactWriter, _ id: Int16) {
    let s = w.beginStruct()
    w.writeEmptyStructField(id)
    w.endStruct(s)
}

extension BloomFilterAlgorithm: ThriftStruct {
    /// Decodes a `BloomFilterAlgorithm` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        let id = try readEmptyMemberUnion(&r, "BloomFilterAlgorithm")
        self = id == 1 ? .block : .undefined(fieldId: id)
    }

    /// Appends this `BloomFilterAlgorithm` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        switch self {
        case .block: writeEmptyMemberUnion(&w, 1)
        case .undefined(let id): writeEmptyMemberUnion(&w, id)
        }
    }
}

extension BloomFilterHash: ThriftStruct {
    /// Decodes a `BloomFilterHash` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        let id = try readEmptyMemberUnion(&r, "BloomFilterHash")
        self = id == 1 ? .xxHash : .undefined(fieldId: id)
    }

    /// Appends this `BloomFilterHash` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        switch self {
        case .xxHash: writeEmptyMemberUnion(&w, 1)
        case .undefined(let id): writeEmptyMemberUnion(&w, id)
        }
    }
}

extension BloomFilterCompression: ThriftStruct {
    /// Decodes a `BloomFilterCompression` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        let id = try readEmptyMemberUnion(&r, "BloomFilterCompression")
        self = id == 1 ? .uncompressed : .undefined(fieldId: id)
    }

    /// Appends this `BloomFilterCompression` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        switch self {
        case .uncompressed: writeEmptyMemberUnion(&w, 1)
        case .undefined(let id): writeEmptyMemberUnion(&w, id)
        }
    }
}

/// Header preceding a column chunk's bloom filter bitset (`struct BloomFilterHeader`).
public struct BloomFilterHeader: Equatable, Hashable, Sendable {
    /// Size of the bitset in bytes.
    public var numBytes: Int32
    /// The filter algorithm (split block).
    public var algorithm: BloomFilterAlgorithm
    /// The hash of values (xxHash64).
    public var hash: BloomFilterHash
    /// The compression of the bitset (none).
    public var compression: BloomFilterCompression

    /// A header for a bitset of `numBytes` bytes with the only algorithm, hash and compression the format defines.
    public init(numBytes: Int32, algorithm: BloomFilterAlgorithm = .block, hash: BloomFilterHash = .xxHash,
                compression: BloomFilterCompression = .uncompressed) {
        self.numBytes = numBytes
        self.algorithm = algorithm
        self.hash = hash
        self.compression = compression
    }

    /// Decodes the header at the start of `bytes` (followed by the bitset); returns it and its length.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> (BloomFilterHeader, headerLength: Int) {
        var r = ThriftCompactReader(bytes)
        let h = try BloomFilterHeader(from: &r)
        return (h, r.position)
    }
}

extension BloomFilterHeader: ThriftStruct {
    /// Decodes a `BloomFilterHeader` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        var last: Int16 = 0
        var n: Int32?, alg: BloomFilterAlgorithm?, hash: BloomFilterHash?, comp: BloomFilterCompression?
        while let f = try r.readFieldHeader(&last) {
            switch (f.id, f.type) {
            case (1, .i32): n = try r.readI32()
            case (2, .struct): alg = try BloomFilterAlgorithm(from: &r)
            case (3, .struct): hash = try BloomFilterHash(from: &r)
            case (4, .struct): comp = try BloomFilterCompression(from: &r)
            default: try r.skip(f.type)
            }
        }
        guard let n else { throw thriftMissing("BloomFilterHeader", "numBytes") }
        guard let alg else { throw thriftMissing("BloomFilterHeader", "algorithm") }
        guard let hash else { throw thriftMissing("BloomFilterHeader", "hash") }
        guard let comp else { throw thriftMissing("BloomFilterHeader", "compression") }
        self.init(numBytes: n, algorithm: alg, hash: hash, compression: comp)
    }

    /// Appends this `BloomFilterHeader` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        let s = w.beginStruct()
        w.writeField(1, i32: numBytes)
        w.writeField(2, struct: algorithm)
        w.writeField(3, struct: hash)
        w.writeField(4, struct: compression)
        w.endStruct(s)
    }
}
