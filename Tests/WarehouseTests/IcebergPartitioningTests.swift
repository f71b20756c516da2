import Firehose
import Iceberg
import Testing
@testable import Warehouse

/// Rows routed to Iceberg partitions (IcebergPartitioning.swift): the spec's transforms on the stored values
/// (Iceberg spec "Partition Transforms", bucket by Appendix B), folders as Java's `partitionToPath`, and a null
/// apart from the string "null" although both render the folder `…=null`.
@Suite("Iceberg partition routing")
struct IcebergPartitioningTests {
    let schema = IcebergSchema(schemaId: 0, fields: [
        NestedField(id: 1, name: "event_time", type: .timestamptz),
        NestedField(id: 2, name: "category", type: .string),
        NestedField(id: 3, name: "id", type: .long),
    ])

    func route(_ p: IcebergPartitioner, _ values: [PartitionSourceValue]) -> String {
        let r = p.makeRouter()
        return values.withUnsafeBufferPointer { r.key($0) }
    }

    @Test func keysFoldersAndTuples() throws {
        let spec = PartitionSpec(specId: 0, fields: [
            PartitionField(sourceId: 1, fieldId: 1000, name: "event_time_hour", transform: .hour),
            PartitionField(sourceId: 3, fieldId: 1001, name: "id_bucket_16", transform: .bucket(16)),
        ])
        let p = try IcebergPartitioner(schema: schema, spec: spec)
        #expect(p.sourceColumns == ["event_time", "id"])
        let us: Int64 = 1_709_330_401_500_000  // 2024-03-01T22:00:01.5Z
        let k = route(p, [.int64(us), .int64(34)])
        // bucket(34) = (murmur3_x86_32(34 as 8-byte LE long) & Int.max) % 16; the spec's hash of 34 is 2017239379
        #expect(p.folder(forKey: k) == "data/event_time_hour=2024-03-01-22/id_bucket_16=\(2017239379 % 16)/")
        #expect(p.tuple(forKey: k) == [.int(Int32(us / 3_600_000_000)), .int(2017239379 % 16)])
        let n = route(p, [.null, .null])
        #expect(p.folder(forKey: n) == "data/event_time_hour=null/id_bucket_16=null/")
        #expect(p.tuple(forKey: n) == [nil, nil])
    }

    @Test func nullIsNotTheStringNull() throws {
        let spec = PartitionSpec(specId: 0, fields: [PartitionField(sourceId: 2, fieldId: 1000, name: "category", transform: .identity)])
        let p = try IcebergPartitioner(schema: schema, spec: spec)
        let text = Array("null".utf8)
        let s = text.withUnsafeBytes { b in route(p, [.bytes(b)]) }
        let n = route(p, [.null])
        #expect(s != n)
        #expect(p.folder(forKey: s) == p.folder(forKey: n))
        #expect(p.tuple(forKey: s) == [.string("null")])
        #expect(p.tuple(forKey: n) == [nil])
        let spaced = Array("a b/c".utf8).withUnsafeBytes { b in route(p, [.bytes(b)]) }
        #expect(p.folder(forKey: spaced) == "data/category=a+b%2Fc/")
    }

    @Test func badSpecs() {
        let spec = PartitionSpec(specId: 0, fields: [PartitionField(sourceId: 9, fieldId: 1000, name: "x", transform: .identity)])
        #expect(throws: WarehouseError.self) { try IcebergPartitioner(schema: schema, spec: spec) }
        let hourOfString = PartitionSpec(specId: 0, fields: [PartitionField(sourceId: 2, fieldId: 1000, name: "x", transform: .hour)])
        #expect(throws: WarehouseError.self) { try IcebergPartitioner(schema: schema, spec: hourOfString) }
    }
}
