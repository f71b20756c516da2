import Testing
@testable import Iceberg

/// Partition folders as Iceberg's Java `PartitionSpec.partitionToPath` builds them: `name=value` per field, both
/// form-encoded (`URLEncoder.encode(s, UTF_8)`), values as the transforms' `toHumanString`.
@Suite("Iceberg partition paths")
struct PartitionPathTests {
    @Test func formEncoding() {
        // letters, digits and .-*_ kept; space as +; every other UTF-8 byte %XX in upper case
        #expect(formEncode("a b/é*~.-_Z9") == "a+b%2F%C3%A9*%7E.-_Z9")
        #expect(formEncode("") == "")
        #expect(formEncode("=&%") == "%3D%26%25")
    }

    @Test func humanStrings() {
        let ts: Int64 = 1_709_330_401_500_000  // 2024-03-01T22:00:01.5Z
        #expect(Transform.identity.humanString(.long(ts), resultType: .timestamptz) == "2024-03-01T22:00:01.500Z")
        #expect(Transform.identity.humanString(.long(1_709_330_400_000_000), resultType: .timestamp) == "2024-03-01T22:00")
        #expect(Transform.identity.humanString(.long(1_709_330_400_000_001), resultType: .timestamp) == "2024-03-01T22:00:00.000001")
        #expect(Transform.identity.humanString(.decimal(-5), resultType: .decimal(precision: 9, scale: 2)) == "-0.05")
        #expect(Transform.identity.humanString(.decimal(12345), resultType: .decimal(precision: 9, scale: 2)) == "123.45")
        #expect(Transform.identity.humanString(.binary([0xFB, 0xFF]), resultType: .binary) == "+/8=")
        #expect(Transform.bucket(16).humanString(.int(7), resultType: .int) == "7")
        #expect(Transform.truncate(4).humanString(.string("héll"), resultType: .string) == "héll")
    }

    @Test func paths() throws {
        let schema = IcebergSchema(schemaId: 0, fields: [
            NestedField(id: 1, name: "event_time", type: .timestamptz),
            NestedField(id: 2, name: "category", type: .string),
            NestedField(id: 3, name: "id", type: .long),
        ])
        let spec = PartitionSpec(specId: 0, fields: [
            PartitionField(sourceId: 1, fieldId: 1000, name: "event_time_hour", transform: .hour),
            PartitionField(sourceId: 2, fieldId: 1001, name: "category", transform: .identity),
            PartitionField(sourceId: 3, fieldId: 1002, name: "id_bucket_16", transform: .bucket(16)),
        ])
        let hour = Transform.hour.apply(.long(1_709_330_401_500_000), source: .timestamptz)
        #expect(try spec.partitionToPath([hour, .string("a b/c"), .int(3)], schema: schema)
                == "event_time_hour=2024-03-01-22/category=a+b%2Fc/id_bucket_16=3")
        // a null is the partition "null" (its routing stays apart from the string "null" by the tuple)
        #expect(try spec.partitionToPath([nil, nil, nil], schema: schema) == "event_time_hour=null/category=null/id_bucket_16=null")
        #expect(throws: IcebergError.self) { try spec.partitionToPath([nil], schema: schema) }
    }
}
