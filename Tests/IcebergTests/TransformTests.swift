import Testing
@testable import Iceberg

/// Iceberg spec, "Partition Transforms", "Appendix B: 32-bit Hash Requirements", "Appendix D: Single-value
/// serialization".
@Suite("Iceberg transforms and values")
struct TransformTests {
    /// Appendix B's table of hash results.
    @Test func murmur3SpecValues() throws {
        let uuid: [UInt8] = [0xF7, 0x9C, 0x3E, 0x09, 0x67, 0x7C, 0x4B, 0xBD, 0xA4, 0x79, 0x3F, 0x34, 0x9C, 0xB7, 0x85, 0xE7]
        let cases: [(IcebergLiteral, Int32)] = [
            (.int(34), 2017239379), (.long(34), 2017239379), (.decimal(1420), -500754589),
            (.int(17486), -653330422),                 // date 2017-11-16
            (.long(81_068_000_000), -662762989),       // time 22:31:08
            (.long(1_510_871_468_000_000), -2047944441), // timestamp 2017-11-16T22:31:08 (and the tz form)
            (.string("iceberg"), 1210000089), (.binary(uuid), 1488055340), (.binary([0, 1, 2, 3]), -188683207),
        ]
        for (v, h) in cases { #expect(Murmur3.hash32(Transform.bucketBytes(v)) == h, "\(v)") }
        #expect(daysFromCivil(2017, 11, 16) == 17486)
    }

    @Test func bucketAndTruncate() throws {
        // bucket: (hash & Integer.MAX_VALUE) % N
        #expect(Transform.bucket(16).apply(.int(34), source: .int) == .int(Int32((2017239379 & 0x7FFF_FFFF) % 16)))
        #expect(Transform.bucket(100).apply(.string("iceberg"), source: .string) == .int(89))
        // truncate: v - (((v % W) + W) % W), the spec's examples
        #expect(Transform.truncate(10).apply(.int(1), source: .int) == .int(0))
        #expect(Transform.truncate(10).apply(.int(-1), source: .int) == .int(-10))
        #expect(Transform.truncate(10).apply(.long(-1), source: .long) == .long(-10))
        #expect(Transform.truncate(50).apply(.decimal(1065), source: .decimal(precision: 9, scale: 2)) == .decimal(1050))
        #expect(Transform.truncate(3).apply(.string("iceberg"), source: .string) == .string("ice"))
        // strings truncate on code points, not bytes or grapheme clusters
        #expect(Transform.truncate(2).apply(.string("é𝄞x"), source: .string) == .string("é𝄞"))
        #expect(Transform.truncate(2).apply(.binary([1, 2, 3]), source: .binary) == .binary([1, 2]))
        #expect(Transform.bucket(4).apply(nil, source: .int) == nil)
        #expect(throws: IcebergError.self) { try Transform.bucket(4).resultType(.double) }
        #expect(throws: IcebergError.self) { try Transform.hour.resultType(.date) }
        for s in ["identity", "year", "month", "day", "hour", "void", "bucket[16]", "truncate[4]"] {
            #expect(try Transform(parsing: s).description == s)
        }
        #expect(throws: IcebergError.self) { try Transform(parsing: "bucket[0]") }
    }

    /// year/month/day/hour count from 1970 and floor before the epoch.
    @Test func timeTransforms() throws {
        let ts = Int64(daysFromCivil(2024, 3, 5)) * 86_400_000_000 + 13 * 3_600_000_000 + 59 * 60_000_000
        #expect(Transform.year.apply(.long(ts), source: .timestamp) == .int(54))
        #expect(Transform.month.apply(.long(ts), source: .timestamp) == .int(54 * 12 + 2))
        #expect(Transform.day.apply(.long(ts), source: .timestamp) == .int(Int32(daysFromCivil(2024, 3, 5))))
        #expect(Transform.hour.apply(.long(ts), source: .timestamp) == .int(Int32(daysFromCivil(2024, 3, 5) * 24 + 13)))
        #expect(Transform.hour.apply(.long(-1), source: .timestamp) == .int(-1))
        #expect(Transform.day.apply(.long(-1), source: .timestamp) == .int(-1))
        #expect(Transform.year.apply(.int(-1), source: .date) == .int(-1))  // 1969-12-31
        #expect(Transform.month.apply(.int(-1), source: .date) == .int(-1))
        // the human forms used in folder names
        let h = Transform.hour.apply(.long(ts), source: .timestamp)
        #expect(Transform.hour.humanString(h, resultType: .int) == "2024-03-05-13")
        #expect(Transform.day.humanString(Transform.day.apply(.long(ts), source: .timestamp), resultType: .date) == "2024-03-05")
        #expect(Transform.month.humanString(.int(54 * 12 + 2), resultType: .int) == "2024-03")
        #expect(Transform.year.humanString(.int(54), resultType: .int) == "2024")
        #expect(Transform.identity.humanString(nil, resultType: .string) == "null")
    }

    /// Appendix D: little-endian numbers, big-endian minimal decimals, UTF-8 strings.
    @Test func singleValueSerialization() throws {
        #expect(IcebergLiteral.int(1).serialized == [1, 0, 0, 0])
        #expect(IcebergLiteral.long(-2).serialized == [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(IcebergLiteral.float(1).serialized == [0, 0, 0x80, 0x3F])
        #expect(IcebergLiteral.double(1).serialized == [0, 0, 0, 0, 0, 0, 0xF0, 0x3F])
        #expect(IcebergLiteral.boolean(true).serialized == [1])
        #expect(IcebergLiteral.decimal(1420).serialized == [0x05, 0x8C])
        #expect(IcebergLiteral.decimal(-1).serialized == [0xFF])
        #expect(IcebergLiteral.decimal(128).serialized == [0x00, 0x80])
        #expect(IcebergLiteral.string("é").serialized == [0xC3, 0xA9])
        for (v, t) in [(IcebergLiteral.decimal(-129), IcebergType.decimal(precision: 9, scale: 2)), (.long(1 << 40), .timestamp),
                       (.int(-5), .date), (.string("x𝄞"), .string), (.double(-0.5), .double)] {
            #expect(IcebergLiteral.deserialize(v.serialized, type: t) == v)
        }
    }

    /// Bounds: strings truncated to 16 code points; the upper bound's last code point incremented.
    @Test func boundTruncation() throws {
        let long = String(repeating: "a", count: 15) + "𝄞𝄞"
        #expect(BoundTruncation.lower(.string(long)) == .string(String(repeating: "a", count: 15) + "𝄞"))
        #expect(BoundTruncation.upper(.string(long)) == .string(String(repeating: "a", count: 15) + "\u{1D11F}"))
        #expect(BoundTruncation.upper(.string("short")) == .string("short"))
        #expect(BoundTruncation.upper(.binary(Array(repeating: 0xFF, count: 20))) == nil)
        #expect(BoundTruncation.upper(.binary(Array(repeating: 0x01, count: 20))) == .binary(Array(repeating: 1, count: 15) + [2]))
    }
}

@Suite("Iceberg specs from text")
struct SpecParsingTests {
    @Test func partitionSpecText() throws {
        let spec = try PartitionSpec.parse("hour(event_time), bucket(16, id), truncate(4, name), identity(score)", schema: Fixture.schema)
        #expect(spec.fields.map(\.name) == ["event_time_hour", "id_bucket_16", "name_trunc_4", "score"])
        #expect(spec.fields.map(\.fieldId) == [1000, 1001, 1002, 1003])
        #expect(spec.fields.map(\.sourceId) == [2, 1, 3, 4])
        #expect(spec.fields.map(\.transform) == [.hour, .bucket(16), .truncate(4), .identity])
        #expect(try PartitionSpec.parse("name", schema: Fixture.schema).fields.first?.transform == .identity)
        for bad in ["hour(nope)", "hour(name)", "bucket(0, id)", "bucket(id)", "identity(where)", "hour(event_time), hour(event_time)", "", "frob(id)"] {
            #expect(throws: IcebergError.self, "\(bad)") { try PartitionSpec.parse(bad, schema: Fixture.schema) }
        }
    }

    @Test func freshIds() throws {
        let s = IcebergSchema(fields: [
            NestedField(id: 0, name: "a", type: .long, required: true),
            NestedField(id: 0, name: "s", type: .structure([NestedField(id: 0, name: "x", type: .string)])),
            NestedField(id: 0, name: "l", type: .list(elementId: 0, element: .int, elementRequired: false)),
            NestedField(id: 0, name: "m", type: .map(keyId: 0, key: .string, valueId: 0, value: .double, valueRequired: false)),
        ]).assigningFreshIds()
        #expect(s.fields.map(\.id) == [1, 2, 3, 4])
        #expect(s.field(id: 5)?.name == "x")
        #expect(s.fields[2].type == .list(elementId: 6, element: .int, elementRequired: false))
        #expect(s.fields[3].type == .map(keyId: 7, key: .string, valueId: 8, value: .double, valueRequired: false))
        #expect(s.highestFieldId == 8)
        try s.validate()
    }
}
