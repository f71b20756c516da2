// Avro object container files (Avro 1.11 specification, "Object Container Files"): the header (magic `Obj\x01`,
// a metadata map with `avro.schema` and `avro.codec`, a 16-byte sync marker), then blocks of
// (count, byte size, possibly compressed objects, sync marker). Codecs: null, deflate (raw RFC 1951), snappy
// (with the big-endian CRC-32 of the uncompressed data), zstandard.

import CCodecs
import JSON

/// The block codecs of container files.
public enum AvroCodec: String, Sendable, CaseIterable {
    /// The values of the header's `avro.codec` key: `null` (stored), `deflate` (raw RFC 1951), `snappy` (with
    /// a big-endian CRC-32 of the uncompressed block) and `zstandard`.
    case null, deflate, snappy, zstandard
}

/// Writes an object container file into memory; `finish()` returns the file's bytes.
public struct AvroContainerWriter {
    /// The writer schema, stored in the header as `avro.schema`.
    public let schema: AvroSchema
    /// The codec that compresses every block, stored in the header as `avro.codec`.
    public let codec: AvroCodec
    let sync: [UInt8]
    var out: [UInt8] = []
    var block: AvroEncoder
    var blockCount = 0
    /// A block is written when its encoded objects reach this many bytes.
    public var blockSize = 64 * 1024
    /// The number of objects appended so far.
    public private(set) var count = 0

    /// `metadata` adds user keys (Iceberg writes `schema`, `partition-spec`, ... here); keys starting `avro.`
    /// are reserved and rejected.
    public init(schema: AvroSchema, codec: AvroCodec = .deflate, metadata: [(String, [UInt8])] = [],
                syncMarker: [UInt8]? = nil) throws(IcebergError) {
        self.schema = schema
        self.codec = codec
        if let s = syncMarker {
            guard s.count == 16 else { throw .invalidArgument("Avro sync marker must be 16 bytes, got \(s.count)") }
            sync = s
        } else {
            var g = SystemRandomNumberGenerator()
            sync = (0..<16).map { _ in UInt8.random(in: 0...255, using: &g) }
        }
        block = AvroEncoder(schema: schema)
        var header = AvroEncoder(schema: .null)
        header.bytes = [0x4F, 0x62, 0x6A, 0x01]
        var meta: [(String, [UInt8])] = [("avro.schema", Array(schema.jsonText().utf8)), ("avro.codec", Array(codec.rawValue.utf8))]
        for (k, v) in metadata {
            guard !k.hasPrefix("avro.") else { throw .invalidArgument("Avro metadata key '\(k)' is reserved") }
            meta.append((k, v))
        }
        header.writeLong(Int64(meta.count))
        for (k, v) in meta {
            header.writeBytes(Array(k.utf8))
            header.writeBytes(v)
        }
        header.writeLong(0)
        header.bytes += sync
        out = header.bytes
    }

    /// Encodes `value` (which must match ``schema``) into the current block, writing the block out once it
    /// reaches ``blockSize`` bytes.
    ///
    /// - Throws: ``IcebergError/invalidArgument(_:)`` when the value does not match the schema, or an
    ///   ``IcebergError/io(_:)`` compression failure.
    public mutating func append(_ value: AvroValue) throws(IcebergError) {
        try block.encode(value, as: schema)
        blockCount += 1
        count += 1
        if block.bytes.count >= blockSize { try flush() }
    }

    mutating func flush() throws(IcebergError) {
        guard blockCount > 0 else { return }
        let data = try AvroCodecs.compress(block.bytes, codec)
        var e = AvroEncoder(schema: .null)
        e.writeLong(Int64(blockCount))
        e.writeLong(Int64(data.count))
        out += e.bytes
        out += data
        out += sync
        block.bytes.removeAll(keepingCapacity: true)
        blockCount = 0
    }

    /// The whole file.
    public mutating func finish() throws(IcebergError) -> [UInt8] {
        try flush()
        return out
    }
}

/// A parsed object container file: header, schema, and all objects.
public struct AvroContainer: Sendable {
    /// The writer schema from the header's `avro.schema`.
    public let schema: AvroSchema
    /// The block codec from the header's `avro.codec` (`null` when absent).
    public let codec: AvroCodec
    /// The header's metadata, `avro.*` keys included.
    public let metadata: [String: [UInt8]]
    /// Every object of every block, decoded with ``schema``, in file order.
    public let values: [AvroValue]

    /// The metadata value for `key` as UTF-8 text.
    public func metadataString(_ key: String) -> String? {
        metadata[key].flatMap { String(validating: $0, as: UTF8.self) }
    }

    /// Parses `bytes`; `file` names the file in errors. `maxDecompressed` bounds each block's decompressed size.
    public init(bytes: [UInt8], file: String, maxDecompressed: Int = 1 << 30) throws(IcebergError) {
        let r: Result<(AvroSchema, AvroCodec, [String: [UInt8]], [AvroValue]), IcebergError> = bytes.withUnsafeBytes { buf in
            Result { () throws(IcebergError) in try Self.parse(buf, file: file, maxDecompressed: maxDecompressed) }
        }
        (schema, codec, metadata, values) = try r.get()
    }

    static func parse(_ buf: UnsafeRawBufferPointer, file: String, maxDecompressed: Int) throws(IcebergError)
        -> (AvroSchema, AvroCodec, [String: [UInt8]], [AvroValue]) {
        guard buf.count >= 4, buf[0] == 0x4F, buf[1] == 0x62, buf[2] == 0x6A, buf[3] == 0x01 else {
            throw .corrupt(file: file, detail: "not an Avro container file (no 'Obj\\x01' magic)")
        }
        var d = AvroDecoder(buf, named: [:], file: file, offset: 4, end: buf.count)
        var meta: [String: [UInt8]] = [:]
        while true {
            let n = try d.blockCount(minItemSize: 2)
            if n == 0 { break }
            for _ in 0..<n {
                let k = try d.readString()
                meta[k] = try d.readBytes()
            }
        }
        let sync = try d.readRaw(16)
        guard let schemaText = meta["avro.schema"] else { throw .corrupt(file: file, detail: "header has no avro.schema") }
        let schema = try AvroSchema.parse(json: schemaText, file: file)
        let codecName = meta["avro.codec"].map { String(decoding: $0, as: UTF8.self) } ?? "null"
        guard let codec = AvroCodec(rawValue: codecName) else {
            throw .corrupt(file: file, detail: "codec '\(codecName)' is not one Floe reads (null, deflate, snappy, zstandard)")
        }
        let named = schema.namedTypes()
        var values: [AvroValue] = []
        var pos = d.offset
        while pos < buf.count {
            var h = AvroDecoder(buf, named: named, file: file, offset: pos, end: buf.count)
            let count = try h.readLong()
            let size = try h.readLong()
            guard count >= 0, size >= 0, size <= Int64(h.remaining - 16) else {
                throw .corrupt(file: file, detail: "block at byte \(pos): count \(count) or size \(size) out of range")
            }
            let start = h.offset, stop = start + Int(size)
            guard Array(buf[stop..<(stop + 16)]) == sync else {
                throw .corrupt(file: file, detail: "block at byte \(pos): sync marker does not match the header's")
            }
            if codec == .null {
                var bd = AvroDecoder(buf, named: named, file: file, offset: start, end: stop)
                try decodeBlock(&bd, count: count, schema: schema, into: &values, at: pos)
            } else {
                let raw = try AvroCodecs.decompress(UnsafeRawBufferPointer(rebasing: buf[start..<stop]), codec,
                                                    file: file, limit: maxDecompressed)
                let r: Result<[AvroValue], IcebergError> = raw.withUnsafeBytes { rb in
                    Result { () throws(IcebergError) in
                        var bd = AvroDecoder(rb, named: named, file: "\(file) (block at byte \(pos))", offset: 0, end: rb.count)
                        var vs: [AvroValue] = []
                        try decodeBlock(&bd, count: count, schema: schema, into: &vs, at: pos)
                        return vs
                    }
                }
                values += try r.get()
            }
            pos = stop + 16
        }
        return (schema, codec, meta, values)
    }

    static func decodeBlock(_ d: inout AvroDecoder, count: Int64, schema: AvroSchema, into values: inout [AvroValue],
                            at pos: Int) throws(IcebergError) {
        let m = d.minSize(schema)
        guard count <= Int64(m > 0 ? d.remaining / m : 1 << 24) else {
            throw d.fail("block at byte \(pos) claims \(count) objects, more than its bytes hold")
        }
        for _ in 0..<count { values.append(try d.decode(schema)) }
        guard d.remaining == 0 else { throw d.fail("block at byte \(pos) has \(d.remaining) bytes after its \(count) objects") }
    }
}

/// The block codecs.
enum AvroCodecs {
    static func compress(_ data: [UInt8], _ codec: AvroCodec) throws(IcebergError) -> [UInt8] {
        switch codec {
        case .null: return data
        case .deflate:
            var strm = z_stream()
            guard deflateInit2_(&strm, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
                                Int32(MemoryLayout<z_stream>.size)) == Z_OK else { throw .io("deflate: init failed") }
            defer { deflateEnd(&strm) }
            let bound = Int(deflateBound(&strm, uLong(data.count)))
            var out = [UInt8](repeating: 0, count: bound)
            let r: Int32 = data.withUnsafeBytes { src in
                out.withUnsafeMutableBytes { dst in
                    strm.next_in = UnsafeMutablePointer(mutating: src.baseAddress?.assumingMemoryBound(to: Bytef.self))
                    strm.avail_in = uInt(data.count)
                    strm.next_out = dst.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    strm.avail_out = uInt(bound)
                    return deflate(&strm, Z_FINISH)
                }
            }
            guard r == Z_STREAM_END else { throw .io("deflate: failed (\(r))") }
            out.removeSubrange(Int(strm.total_out)...)
            return out
        case .snappy:
            var len = snappy_max_compressed_length(data.count)
            var out = [UInt8](repeating: 0, count: len + 4)
            let input = data.isEmpty ? [0] : data
            let st = input.withUnsafeBytes { src in
                out.withUnsafeMutableBytes { dst in
                    snappy_compress(src.baseAddress!.assumingMemoryBound(to: CChar.self), data.count,
                                    dst.baseAddress!.assumingMemoryBound(to: CChar.self), &len)
                }
            }
            guard st == SNAPPY_OK else { throw .io("snappy: compression failed") }
            out.removeSubrange((len + 4)...)
            let crc = UInt32(data.withUnsafeBytes { crc32(0, $0.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(data.count)) })
            out[len] = UInt8(crc >> 24); out[len + 1] = UInt8((crc >> 16) & 0xFF)
            out[len + 2] = UInt8((crc >> 8) & 0xFF); out[len + 3] = UInt8(crc & 0xFF)
            return out
        case .zstandard:
            let bound = ZSTD_compressBound(data.count)
            var out = [UInt8](repeating: 0, count: bound)
            let r = data.withUnsafeBytes { src in
                out.withUnsafeMutableBytes { dst in ZSTD_compress(dst.baseAddress, bound, src.baseAddress, data.count, 3) }
            }
            guard ZSTD_isError(r) == 0 else { throw .io("zstandard: \(String(cString: ZSTD_getErrorName(r)))") }
            out.removeSubrange(r...)
            return out
        }
    }

    static func decompress(_ src: UnsafeRawBufferPointer, _ codec: AvroCodec, file: String, limit: Int) throws(IcebergError) -> [UInt8] {
        func fail(_ m: String) -> IcebergError { .corrupt(file: file, detail: "\(codec.rawValue) block: \(m)") }
        switch codec {
        case .null: return Array(src)
        case .deflate:
            var strm = z_stream()
            guard inflateInit2_(&strm, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                throw .io("inflate: init failed")
            }
            defer { inflateEnd(&strm) }
            var out: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: max(4096, min(src.count * 4, 1 << 20)))
            strm.next_in = UnsafeMutablePointer(mutating: src.baseAddress?.assumingMemoryBound(to: Bytef.self))
            strm.avail_in = uInt(src.count)
            while true {
                let (r, produced): (Int32, Int) = chunk.withUnsafeMutableBytes { dst in
                    strm.next_out = dst.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    strm.avail_out = uInt(dst.count)
                    let r = inflate(&strm, Z_NO_FLUSH)
                    return (r, dst.count - Int(strm.avail_out))
                }
                out += chunk[0..<produced]
                guard out.count <= limit else { throw fail("decompresses to more than \(limit) bytes") }
                if r == Z_STREAM_END { break }
                if r == Z_OK { continue }
                if r == Z_BUF_ERROR { throw fail("compressed data truncated") }
                throw fail(strm.msg.map { String(cString: $0) } ?? "error \(r)")
            }
            return out
        case .snappy:
            guard src.count >= 4 else { throw fail("shorter than its CRC") }
            let body = UnsafeRawBufferPointer(rebasing: src[0..<(src.count - 4)])
            var len = 0
            guard snappy_uncompressed_length(body.baseAddress!.assumingMemoryBound(to: CChar.self), body.count, &len) == SNAPPY_OK,
                  len <= limit else { throw fail("invalid or oversized length") }
            var out = [UInt8](repeating: 0, count: len)
            let st = out.withUnsafeMutableBytes { dst in
                snappy_uncompress(body.baseAddress!.assumingMemoryBound(to: CChar.self), body.count,
                                  dst.baseAddress?.assumingMemoryBound(to: CChar.self), &len)
            }
            guard st == SNAPPY_OK else { throw fail("corrupt compressed data") }
            let crc = UInt32(out.withUnsafeBytes { crc32(0, $0.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(len)) })
            let n = src.count
            let stored = UInt32(src[n - 4]) << 24 | UInt32(src[n - 3]) << 16 | UInt32(src[n - 2]) << 8 | UInt32(src[n - 1])
            guard crc == stored else { throw fail("CRC-32 mismatch") }
            return out
        case .zstandard:
            guard let dctx = ZSTD_createDCtx() else { throw .io("zstandard: no context") }
            defer { ZSTD_freeDCtx(dctx) }
            var out: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 1 << 17)
            var input = ZSTD_inBuffer(src: src.baseAddress, size: src.count, pos: 0)
            while true {
                let (r, produced): (Int, Int) = chunk.withUnsafeMutableBytes { dst in
                    var output = ZSTD_outBuffer(dst: dst.baseAddress, size: dst.count, pos: 0)
                    let r = ZSTD_decompressStream(dctx, &output, &input)
                    return (r, output.pos)
                }
                guard ZSTD_isError(r) == 0 else { throw fail(String(cString: ZSTD_getErrorName(r))) }
                out += chunk[0..<produced]
                guard out.count <= limit else { throw fail("decompresses to more than \(limit) bytes") }
                if r == 0 && input.pos == input.size { break }
                if produced == 0 && input.pos == input.size { throw fail("compressed data truncated") }
            }
            return out
        }
    }
}
