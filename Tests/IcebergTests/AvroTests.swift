import Testing
import JSON
@testable import Iceberg

/// Avro 1.11 specification, by rule: "Binary Encoding" and "Object Container Files".
@Suite("Avro")
struct AvroTests {
    func encode(_ v: AvroValue, _ s: AvroSchema) throws -> [UInt8] {
        var e = AvroEncoder(schema: s)
        try e.encode(v, as: s)
        return e.bytes
    }

    func decode(_ b: [UInt8], _ s: AvroSchema) throws -> AvroValue {
        try b.withUnsafeBytes { buf in
            var d = AvroDecoder(buf, schema: s, file: "t")
            let v = try d.decode(s)
            #expect(d.remaining == 0)
            return v
        }
    }

    /// "Primitive Types": int and long are zig-zag varints (the spec's table of examples).
    @Test func zigzagVarints() throws {
        let table: [(Int64, [UInt8])] = [(0, [0x00]), (-1, [0x01]), (1, [0x02]), (-2, [0x03]), (2, [0x04]),
                                         (-64, [0x7F]), (64, [0x80, 0x01])]
        for (v, bytes) in table {
            #expect(try encode(.long(v), .long) == bytes)
            #expect(try decode(bytes, .long) == .long(v))
        }
        for v: Int64 in [Int64.min, Int64.max, Int64(Int32.min), Int64(Int32.max), 1 << 35, -(1 << 49)] {
            #expect(try decode(try encode(.long(v), .long), .long) == .long(v))
        }
        // An int is the same varint; a value out of 32-bit range is rejected when read as int.
        #expect(throws: IcebergError.self) { try decode(try encode(.long(1 << 40), .long), .int) }
        // More than 10 bytes, or a 10th byte carrying more than the 64th bit, is not a long.
        #expect(throws: IcebergError.self) { try decode([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02], .long) }
        #expect(throws: IcebergError.self) { try decode([0x80], .long) }
    }

    /// "Primitive Types": strings are a long length then UTF-8; floats and doubles are little-endian IEEE 754;
    /// booleans are one byte.
    @Test func primitives() throws {
        #expect(try encode(.string("foo"), .string) == [0x06, 0x66, 0x6F, 0x6F])
        #expect(try encode(.bytes([1, 2]), .bytes) == [0x04, 1, 2])
        #expect(try encode(.boolean(true), .boolean) == [1])
        #expect(try encode(.float(1.0), .float) == [0x00, 0x00, 0x80, 0x3F])
        #expect(try encode(.double(-2.0), .double) == [0, 0, 0, 0, 0, 0, 0, 0xC0])
        #expect(try encode(.null, .null) == [])
        #expect(throws: IcebergError.self) { try decode([2], .boolean) }
        #expect(throws: IcebergError.self) { try decode([0x04, 0xC3, 0x28], .string) }  // invalid UTF-8
        #expect(throws: IcebergError.self) { try decode([0x08, 1], .bytes) }  // length past the end
        #expect(throws: IcebergError.self) { try decode([0x01], .bytes) }  // negative length
    }

    /// "Complex Types Encoding": the spec's examples for records, arrays (blocks ending in 0) and unions.
    @Test func complexExamples() throws {
        let rec = AvroSchema.record("test", [AvroField("a", .long), AvroField("b", .string)])
        #expect(try encode(.record([.long(27), .string("foo")]), rec) == [0x36, 0x06, 0x66, 0x6F, 0x6F])
        #expect(try encode(.array([.long(3), .long(27)]), .array(.long)) == [0x04, 0x06, 0x36, 0x00])
        let u = AvroSchema.union([.null, .string])
        #expect(try encode(.null, u) == [0x00])
        #expect(try encode(.string("a"), u) == [0x02, 0x02, 0x61])
        // A block with a negative count carries its byte size: -2 items, 2 bytes, then 3 and 27.
        #expect(try decode([0x03, 0x04, 0x06, 0x36, 0x00], .array(.long)) == .array([.long(3), .long(27)]))
        // Several blocks concatenate.
        #expect(try decode([0x02, 0x06, 0x02, 0x36, 0x00], .array(.long)) == .array([.long(3), .long(27)]))
        #expect(try decode([0x02, 0x02, 0x6B, 0x02, 0x00], .map(.int)) == .map([AvroMapEntry("k", .int(1))]))
        // A count larger than the bytes could hold is rejected before allocating.
        #expect(throws: IcebergError.self) { try decode([0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 0x00], .array(.long)) }
        #expect(throws: IcebergError.self) { try decode([0x04], u) }  // branch 2 of 2
    }

    static let everything: AvroSchema = .record("org.floe.Everything", [
        AvroField("n", .null), AvroField("b", .boolean), AvroField("i", .int), AvroField("l", .long),
        AvroField("f", .float), AvroField("d", .double), AvroField("by", .bytes), AvroField("s", .string),
        AvroField("e", AvroSchema(.enumeration(name: "org.floe.Color", symbols: ["RED", "GREEN"], defaultSymbol: nil))),
        AvroField("fx", .fixed("org.floe.Four", size: 4)),
        AvroField("fx2", AvroSchema(.reference("org.floe.Four"))),
        AvroField("a", .array(.optional(.long), JSONObject([("element-id", 7)]))),
        AvroField("m", .map(.string)),
        AvroField("u", .union([.null, .int, .string, .record("org.floe.Inner", [AvroField("x", .int)])]),
                  default: .null, attributes: JSONObject([("field-id", 9), ("doc", "a union")])),
        AvroField("ts", AvroSchema(.long, attributes: JSONObject([("logicalType", "timestamp-micros"), ("adjust-to-utc", true)]))),
    ])

    static func everythingValue(_ i: Int) -> AvroValue {
        .record([
            .null, .boolean(i % 2 == 0), .int(Int32(i) - 50), .long(Int64(i) * 1_000_000_007), .float(Float(i) / 3),
            .double(i % 7 == 0 ? .nan : Double(i) * 1e100), .bytes((0..<(i % 5)).map { UInt8($0) }),
            .string("row \(i) é ✓ 𝄞"), .enumeration(i % 2), .fixed([1, 2, 3, UInt8(i % 256)]), .fixed([9, 9, 9, 9]),
            .array(i % 3 == 0 ? [] : [.union(0, .null), .union(1, .long(Int64(i)))]),
            .map(i % 4 == 0 ? [] : [AvroMapEntry("k\(i)", .string("v"))]),
            i % 4 == 0 ? .union(0, .null) : i % 4 == 1 ? .union(1, .int(Int32(i))) : i % 4 == 2 ? .union(2, .string("s"))
                : .union(3, .record([.int(5)])),
            .long(1_700_000_000_000_000 + Int64(i)),
        ])
    }

    /// "Object Container Files": header, metadata, sync markers, every codec; many blocks.
    @Test(arguments: AvroCodec.allCases) func containerRoundTrip(codec: AvroCodec) throws {
        var w = try AvroContainerWriter(schema: Self.everything, codec: codec, metadata: [("floe", Array("yes".utf8))])
        w.blockSize = 512
        let values = (0..<300).map(Self.everythingValue)
        for v in values { try w.append(v) }
        let bytes = try w.finish()
        #expect(Array(bytes[0..<4]) == [0x4F, 0x62, 0x6A, 0x01])
        let c = try AvroContainer(bytes: bytes, file: "t.avro")
        #expect(c.codec == codec)
        #expect(c.metadataString("floe") == "yes")
        #expect(c.metadataString("avro.codec") == codec.rawValue)
        #expect(c.schema == Self.everything)
        #expect(c.values == values)
    }

    @Test func schemaJSON() throws {
        let text = Self.everything.jsonText()
        let back = try AvroSchema.parse(json: Array(text.utf8))
        #expect(back == Self.everything)
        // Namespaces are inherited by nested named types and references resolve against them.
        let ns = #"{"type":"record","name":"R","namespace":"a.b","fields":[{"name":"x","type":{"type":"fixed","name":"F","size":2}},{"name":"y","type":"F"},{"name":"z","type":["null","R"]}]}"#
        let s = try AvroSchema.parse(json: Array(ns.utf8))
        guard case .record(let name, let fields) = s.type else { Issue.record("not a record"); return }
        #expect(name == "a.b.R")
        #expect(fields[0].schema.type == .fixed(name: "a.b.F", size: 2))
        #expect(fields[1].schema.type == .reference("a.b.F"))
        // A recursive record (a linked list) encodes and decodes.
        let list: AvroValue = .record([.fixed([1, 2]), .fixed([3, 4]), .union(1, .record([.fixed([5, 6]), .fixed([7, 8]), .union(0, .null)]))])
        #expect(try decode(try encode(list, s), s) == list)
        for bad in [#"{"type":"record","name":"1x","fields":[]}"#, #"["null","null"]"#, #"[["int"]]"#, #""Nope""#,
                    #"{"type":"fixed","name":"F"}"#, #"{"type":"enum","name":"E","symbols":["A","A"]}"#,
                    #"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]}"#] {
            #expect(throws: IcebergError.self) { try AvroSchema.parse(json: Array(bad.utf8)) }
        }
    }

    /// Damaged files: a clear error naming the file, never a crash.
    @Test func damagedContainers() throws {
        var w = try AvroContainerWriter(schema: Self.everything, codec: .deflate)
        for i in 0..<20 { try w.append(Self.everythingValue(i)) }
        let good = try w.finish()
        var badSync = good
        badSync[badSync.count - 1] ^= 0xFF
        #expect(throws: IcebergError.self) { try AvroContainer(bytes: badSync, file: "x.avro") }
        #expect(throws: IcebergError.self) { try AvroContainer(bytes: Array(good.prefix(good.count - 20)), file: "x.avro") }
        #expect(throws: IcebergError.self) { try AvroContainer(bytes: [0x4F, 0x62, 0x6A, 0x02], file: "x.avro") }
        // Every truncation and every single-byte flip either parses or throws; none crashes.
        for n in stride(from: 0, to: good.count, by: 7) { _ = try? AvroContainer(bytes: Array(good.prefix(n)), file: "x") }
        for i in stride(from: 0, to: good.count, by: 3) {
            var b = good
            b[i] &+= 0x55
            _ = try? AvroContainer(bytes: b, file: "x")
        }
        do {
            _ = try AvroContainer(bytes: badSync, file: "x.avro")
        } catch {
            #expect(error.description.hasPrefix("x.avro: "))
        }
    }
}
