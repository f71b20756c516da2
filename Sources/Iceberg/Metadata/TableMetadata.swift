// Table metadata, format version 2 (spec "Table Metadata", "Snapshots", "Partition Specs", "Sort Orders",
// "Snapshot References"): the value and its JSON file both ways.

import JSON

/// A field of a partition spec: a transform of one source column (spec "Partition Specs").
public struct PartitionField: Sendable, Equatable {
    /// The field id of the schema column the transform reads.
    public var sourceId: Int
    /// The partition field's own id (1000 and up, unique across the table's specs).
    public var fieldId: Int
    /// The partition field's name, the column name in partition tuples.
    public var name: String
    /// The transform applied to the source value.
    public var transform: Transform
    /// A partition field with every property given.
    public init(sourceId: Int, fieldId: Int, name: String, transform: Transform) {
        self.sourceId = sourceId
        self.fieldId = fieldId
        self.name = name
        self.transform = transform
    }
}

/// A partition spec: how rows map to partition tuples (spec "Partition Specs").
public struct PartitionSpec: Sendable, Equatable {
    /// The spec id, unique within the table.
    public var specId: Int
    /// The partition fields, in tuple order.
    public var fields: [PartitionField]
    /// A spec with `specId` and `fields`.
    public init(specId: Int = 0, fields: [PartitionField] = []) {
        self.specId = specId
        self.fields = fields
    }
    /// Spec 0 with no fields: every row in one partition.
    public static let unpartitioned = PartitionSpec()

    /// The struct type of partition tuples under `schema` (field ids are the partition field ids).
    public func partitionType(_ schema: IcebergSchema) throws(IcebergError) -> [NestedField] {
        var out: [NestedField] = []
        for f in fields {
            guard let src = schema.field(id: f.sourceId) else {
                throw .invalidArgument("partition field '\(f.name)': source column \(f.sourceId) is not in the schema")
            }
            out.append(NestedField(id: f.fieldId, name: f.name, type: try f.transform.resultType(src.type)))
        }
        return out
    }

    /// The fields as JSON (the manifest's `partition-spec` metadata is this array).
    public func fieldsJSON() -> JSONValue {
        .array(fields.map {
            .object(JSONObject([("name", .string($0.name)), ("transform", .string($0.transform.description)),
                                ("source-id", .number(JSONNumber($0.sourceId))), ("field-id", .number(JSONNumber($0.fieldId)))]))
        })
    }

    /// The spec's JSON form (`spec-id`, `fields`), as in the metadata file.
    public func json() -> JSONValue { .object(JSONObject([("spec-id", .number(JSONNumber(specId))), ("fields", fieldsJSON())])) }

    static func parseFields(_ v: JSONValue, file: String) throws(IcebergError) -> [PartitionField] {
        var out: [PartitionField] = []
        for f in v.arrayValue ?? [] {
            guard let src = f["source-id"]?.numberValue?.int64, let name = f["name"]?.stringValue,
                  let t = f["transform"]?.stringValue else { throw .corrupt(file: file, detail: "partition field without source-id, name or transform") }
            let fid = f["field-id"]?.numberValue?.int64 ?? Int64(1000 + out.count)
            out.append(PartitionField(sourceId: Int(src), fieldId: Int(fid), name: name, transform: try Transform(parsing: t)))
        }
        return out
    }

    static func parse(_ v: JSONValue, file: String) throws(IcebergError) -> PartitionSpec {
        PartitionSpec(specId: Int(v["spec-id"]?.numberValue?.int64 ?? 0), fields: try parseFields(v["fields"] ?? .array([]), file: file))
    }
}

/// A field of a sort order (spec "Sort Orders").
public struct SortField: Sendable, Equatable {
    /// The field id of the column sorted on.
    public var sourceId: Int
    /// The transform applied before comparing.
    public var transform: Transform
    /// Ascending (`asc`) or descending (`desc`).
    public var ascending: Bool
    /// Whether nulls sort before other values (`nulls-first`) or after (`nulls-last`).
    public var nullsFirst: Bool
    /// A sort field; by default identity, ascending, nulls first.
    public init(sourceId: Int, transform: Transform = .identity, ascending: Bool = true, nullsFirst: Bool = true) {
        self.sourceId = sourceId
        self.transform = transform
        self.ascending = ascending
        self.nullsFirst = nullsFirst
    }
}

/// A sort order (spec "Sort Orders"): order 0 with no fields means unsorted.
public struct SortOrder: Sendable, Equatable {
    /// The order id, unique within the table.
    public var orderId: Int
    /// The sort fields, most significant first.
    public var fields: [SortField]
    /// An order with `orderId` and `fields`.
    public init(orderId: Int = 0, fields: [SortField] = []) {
        self.orderId = orderId
        self.fields = fields
    }
    /// Order 0 with no fields.
    public static let unsorted = SortOrder()

    /// The order's JSON form (`order-id`, `fields`), as in the metadata file.
    public func json() -> JSONValue {
        .object(JSONObject([("order-id", .number(JSONNumber(orderId))), ("fields", .array(fields.map {
            .object(JSONObject([("transform", .string($0.transform.description)), ("source-id", .number(JSONNumber($0.sourceId))),
                                ("direction", .string($0.ascending ? "asc" : "desc")),
                                ("null-order", .string($0.nullsFirst ? "nulls-first" : "nulls-last"))]))
        }))]))
    }

    static func parse(_ v: JSONValue, file: String) throws(IcebergError) -> SortOrder {
        var fs: [SortField] = []
        for f in v["fields"]?.arrayValue ?? [] {
            guard let src = f["source-id"]?.numberValue?.int64, let t = f["transform"]?.stringValue else {
                throw .corrupt(file: file, detail: "sort field without source-id or transform")
            }
            fs.append(SortField(sourceId: Int(src), transform: try Transform(parsing: t), ascending: f["direction"]?.stringValue != "desc",
                                nullsFirst: f["null-order"]?.stringValue != "nulls-last"))
        }
        return SortOrder(orderId: Int(v["order-id"]?.numberValue?.int64 ?? 0), fields: fs)
    }
}

/// A snapshot: the table's state at one commit (spec "Snapshots").
public struct Snapshot: Sendable, Equatable {
    /// The snapshot id, unique within the table.
    public var snapshotId: Int64
    /// The snapshot this one was committed on, if any.
    public var parentSnapshotId: Int64?
    /// The sequence number of the commit (increases by one per commit).
    public var sequenceNumber: Int64
    /// When the snapshot was created, in milliseconds since the Unix epoch.
    public var timestampMs: Int64
    /// The location of the snapshot's manifest list.
    public var manifestList: String
    /// `operation` first, then the totals and counts ("Snapshot Summary"), all as strings.
    public var summary: [(String, String)]
    /// The id of the schema current when the snapshot was written.
    public var schemaId: Int?

    /// A snapshot with every property given.
    public init(snapshotId: Int64, parentSnapshotId: Int64?, sequenceNumber: Int64, timestampMs: Int64,
                manifestList: String, summary: [(String, String)], schemaId: Int?) {
        self.snapshotId = snapshotId
        self.parentSnapshotId = parentSnapshotId
        self.sequenceNumber = sequenceNumber
        self.timestampMs = timestampMs
        self.manifestList = manifestList
        self.summary = summary
        self.schemaId = schemaId
    }

    /// Equality of all fields, the summary compared in order.
    public static func == (a: Snapshot, b: Snapshot) -> Bool {
        a.snapshotId == b.snapshotId && a.parentSnapshotId == b.parentSnapshotId && a.sequenceNumber == b.sequenceNumber
            && a.timestampMs == b.timestampMs && a.manifestList == b.manifestList && a.schemaId == b.schemaId
            && a.summary.map { $0.0 + "=" + $0.1 } == b.summary.map { $0.0 + "=" + $0.1 }
    }

    /// The summary value of `key` (e.g. `total-records`), if present.
    public func summaryValue(_ key: String) -> String? { summary.first { $0.0 == key }?.1 }
    /// The summary's `operation`: `append`, `overwrite`, `delete` or `replace` (`append` when missing).
    public var operation: String { summaryValue("operation") ?? "append" }

    func json() -> JSONValue {
        var o = JSONObject([("snapshot-id", .number(JSONNumber(snapshotId)))])
        if let p = parentSnapshotId { _ = o.append(key: "parent-snapshot-id", value: .number(JSONNumber(p))) }
        _ = o.append(key: "sequence-number", value: .number(JSONNumber(sequenceNumber)))
        _ = o.append(key: "timestamp-ms", value: .number(JSONNumber(timestampMs)))
        _ = o.append(key: "manifest-list", value: .string(manifestList))
        _ = o.append(key: "summary", value: .object(JSONObject(summary.map { ($0.0, JSONValue.string($0.1)) })))
        if let s = schemaId { _ = o.append(key: "schema-id", value: .number(JSONNumber(s))) }
        return .object(o)
    }

    static func parse(_ v: JSONValue, file: String) throws(IcebergError) -> Snapshot {
        guard let id = v["snapshot-id"]?.numberValue?.int64, let ts = v["timestamp-ms"]?.numberValue?.int64 else {
            throw .corrupt(file: file, detail: "snapshot without snapshot-id or timestamp-ms")
        }
        guard let list = v["manifest-list"]?.stringValue else {
            throw .corrupt(file: file, detail: "snapshot \(id) has no manifest-list (v1 'manifests' arrays are not format v2)")
        }
        let summary: [(String, String)] = (v["summary"]?.objectValue?.members ?? []).compactMap { m in
            m.value.stringValue.map { (m.key, $0) }
        }
        return Snapshot(snapshotId: id, parentSnapshotId: v["parent-snapshot-id"]?.numberValue?.int64,
                        sequenceNumber: v["sequence-number"]?.numberValue?.int64 ?? 0, timestampMs: ts, manifestList: list,
                        summary: summary, schemaId: v["schema-id"]?.numberValue?.int64.map { Int($0) })
    }
}

/// A named reference to a snapshot: a branch or a tag (spec "Snapshot References").
public struct SnapshotRef: Sendable, Equatable {
    /// The snapshot the reference points at.
    public var snapshotId: Int64
    /// `branch` or `tag`.
    public var type: String  // "branch" or "tag"
    /// How long the reference is kept, in milliseconds (`max-ref-age-ms`); nil for the table default.
    public var maxRefAgeMs: Int64?
    /// For a branch, the age in milliseconds beyond which snapshots expire (`max-snapshot-age-ms`).
    public var maxSnapshotAgeMs: Int64?
    /// For a branch, the number of snapshots expiry keeps at least (`min-snapshots-to-keep`).
    public var minSnapshotsToKeep: Int?
}

/// The table metadata file's content (format version 2).
public struct TableMetadata: Sendable, Equatable {
    /// The format version, 2.
    public var formatVersion = 2
    /// The table's UUID (`table-uuid`), in canonical text form.
    public var tableUUID: String
    /// The table's base location; data and metadata files live under it.
    public var location: String
    /// The highest sequence number assigned so far.
    public var lastSequenceNumber: Int64 = 0
    /// When the metadata was last updated, in milliseconds since the Unix epoch.
    public var lastUpdatedMs: Int64
    /// The highest column field id assigned so far.
    public var lastColumnId: Int
    /// Every schema the table has had.
    public var schemas: [IcebergSchema]
    /// The id of the current schema in ``schemas``.
    public var currentSchemaId: Int
    /// Every partition spec the table has had.
    public var partitionSpecs: [PartitionSpec]
    /// The id of the spec new files are written with.
    public var defaultSpecId: Int
    /// The highest partition field id assigned so far (999 when none).
    public var lastPartitionId: Int
    /// Table properties in file order (e.g. `commit.retry.num-retries`); the last value of a key wins.
    public var properties: [(String, String)]
    /// The current snapshot's id; nil for a table with no snapshot.
    public var currentSnapshotId: Int64?
    /// The snapshots kept, oldest first.
    public var snapshots: [Snapshot] = []
    /// (snapshot id, timestamp ms) each time the current snapshot changed.
    public var snapshotLog: [(Int64, Int64)] = []
    /// (metadata file, timestamp ms) of earlier metadata files.
    public var metadataLog: [(String, Int64)] = []
    /// Every sort order the table has had.
    public var sortOrders: [SortOrder]
    /// The id of the order new files are written with.
    public var defaultSortOrderId: Int
    /// Named snapshot references, e.g. the `main` branch.
    public var refs: [(String, SnapshotRef)] = []

    /// Equality of the JSON forms (so member order in lists counts).
    public static func == (a: TableMetadata, b: TableMetadata) -> Bool {
        JSONSerializer.string(a.json()) == JSONSerializer.string(b.json())
    }

    /// New table metadata (no snapshots). Field ids of `schema` are kept as given.
    public init(location: String, schema: IcebergSchema, spec: PartitionSpec = .unpartitioned,
                sortOrder: SortOrder = .unsorted, properties: [(String, String)] = [], uuid: String = makeUUID(),
                nowMs: Int64 = currentTimeMillis()) throws(IcebergError) {
        try schema.validate()
        _ = try spec.partitionType(schema)
        tableUUID = uuid
        self.location = location.hasSuffix("/") ? String(location.dropLast()) : location
        lastUpdatedMs = nowMs
        lastColumnId = schema.highestFieldId
        schemas = [schema]
        currentSchemaId = schema.schemaId
        partitionSpecs = [spec]
        defaultSpecId = spec.specId
        lastPartitionId = spec.fields.map(\.fieldId).max() ?? 999
        self.properties = properties
        sortOrders = [sortOrder]
        defaultSortOrderId = sortOrder.orderId
    }

    /// The schema with ``currentSchemaId`` (the first schema when missing).
    public var currentSchema: IcebergSchema { schemas.first { $0.schemaId == currentSchemaId } ?? schemas[0] }
    /// The spec with ``defaultSpecId`` (unpartitioned when missing).
    public var defaultSpec: PartitionSpec { partitionSpecs.first { $0.specId == defaultSpecId } ?? .unpartitioned }
    /// The partition spec with `id`, if the table has it.
    public func spec(id: Int) -> PartitionSpec? { partitionSpecs.first { $0.specId == id } }
    /// The schema with `id`, if the table has it.
    public func schema(id: Int) -> IcebergSchema? { schemas.first { $0.schemaId == id } }
    /// The snapshot with ``currentSnapshotId``, if any.
    public var currentSnapshot: Snapshot? { currentSnapshotId.flatMap { id in snapshots.first { $0.snapshotId == id } } }
    /// The snapshot with `id`, if it is still kept.
    public func snapshot(id: Int64) -> Snapshot? { snapshots.first { $0.snapshotId == id } }
    /// The value of table property `key` (the last one when repeated).
    public func property(_ key: String) -> String? { properties.last { $0.0 == key }?.1 }

    /// The metadata file's JSON (spec "Table Metadata Fields"), with the keys in the spec's order.
    public func json() -> JSONValue {
        func n(_ v: Int) -> JSONValue { .number(JSONNumber(v)) }
        func n64(_ v: Int64) -> JSONValue { .number(JSONNumber(v)) }
        var o = JSONObject([
            ("format-version", n(formatVersion)), ("table-uuid", .string(tableUUID)), ("location", .string(location)),
            ("last-sequence-number", n64(lastSequenceNumber)), ("last-updated-ms", n64(lastUpdatedMs)),
            ("last-column-id", n(lastColumnId)), ("current-schema-id", n(currentSchemaId)),
            ("schemas", .array(schemas.map { $0.json() })), ("default-spec-id", n(defaultSpecId)),
            ("partition-specs", .array(partitionSpecs.map { $0.json() })), ("last-partition-id", n(lastPartitionId)),
            ("default-sort-order-id", n(defaultSortOrderId)), ("sort-orders", .array(sortOrders.map { $0.json() })),
            ("properties", .object(JSONObject(properties.map { ($0.0, JSONValue.string($0.1)) }))),
        ])
        _ = o.append(key: "current-snapshot-id", value: n64(currentSnapshotId ?? -1))
        _ = o.append(key: "refs", value: .object(JSONObject(refs.map { name, r in
            var ro = JSONObject([("snapshot-id", n64(r.snapshotId)), ("type", .string(r.type))])
            if let v = r.maxRefAgeMs { _ = ro.append(key: "max-ref-age-ms", value: n64(v)) }
            if let v = r.maxSnapshotAgeMs { _ = ro.append(key: "max-snapshot-age-ms", value: n64(v)) }
            if let v = r.minSnapshotsToKeep { _ = ro.append(key: "min-snapshots-to-keep", value: n(v)) }
            return (name, JSONValue.object(ro))
        })))
        _ = o.append(key: "snapshots", value: .array(snapshots.map { $0.json() }))
        _ = o.append(key: "statistics", value: .array([]))
        _ = o.append(key: "partition-statistics", value: .array([]))
        _ = o.append(key: "snapshot-log", value: .array(snapshotLog.map {
            .object(JSONObject([("snapshot-id", n64($0.0)), ("timestamp-ms", n64($0.1))]))
        }))
        _ = o.append(key: "metadata-log", value: .array(metadataLog.map {
            .object(JSONObject([("metadata-file", .string($0.0)), ("timestamp-ms", n64($0.1))]))
        }))
        return .object(o)
    }

    /// Parses a metadata file; `file` names it in errors.
    public static func parse(_ bytes: [UInt8], file: String) throws(IcebergError) -> TableMetadata {
        let v: JSONValue
        do { v = try JSONParser.parse(bytes) } catch { throw .corrupt(file: file, detail: "not JSON: \(error.description)") }
        func int(_ k: String) throws(IcebergError) -> Int64 {
            guard let x = v[k]?.numberValue?.int64 else { throw .corrupt(file: file, detail: "missing or non-integer '\(k)'") }
            return x
        }
        let version = try int("format-version")
        guard version == 2 || version == 1 else {
            throw .corrupt(file: file, detail: "format-version \(version); Floe reads format versions 1 and 2")
        }
        guard let uuid = v["table-uuid"]?.stringValue, let location = v["location"]?.stringValue else {
            throw .corrupt(file: file, detail: "missing table-uuid or location")
        }
        var schemas: [IcebergSchema] = []
        for s in v["schemas"]?.arrayValue ?? [] { schemas.append(try IcebergSchema.parse(s, file: file)) }
        if schemas.isEmpty, let s = v["schema"] { schemas.append(try IcebergSchema.parse(s, file: file)) }
        guard !schemas.isEmpty else { throw .corrupt(file: file, detail: "no schemas") }
        var specs: [PartitionSpec] = []
        for s in v["partition-specs"]?.arrayValue ?? [] { specs.append(try PartitionSpec.parse(s, file: file)) }
        if specs.isEmpty { specs.append(PartitionSpec(specId: 0, fields: try PartitionSpec.parseFields(v["partition-spec"] ?? .array([]), file: file))) }
        var orders: [SortOrder] = []
        for s in v["sort-orders"]?.arrayValue ?? [] { orders.append(try SortOrder.parse(s, file: file)) }
        if orders.isEmpty { orders = [.unsorted] }
        var m = try TableMetadata(location: location, schema: schemas[0], spec: specs[0], sortOrder: orders[0],
                                  properties: (v["properties"]?.objectValue?.members ?? []).compactMap { p in p.value.stringValue.map { (p.key, $0) } },
                                  uuid: uuid, nowMs: try int("last-updated-ms"))
        m.formatVersion = Int(version)
        m.schemas = schemas
        m.partitionSpecs = specs
        m.sortOrders = orders
        m.lastSequenceNumber = v["last-sequence-number"]?.numberValue?.int64 ?? 0
        m.lastColumnId = Int(try int("last-column-id"))
        m.currentSchemaId = Int(v["current-schema-id"]?.numberValue?.int64 ?? Int64(schemas[0].schemaId))
        m.defaultSpecId = Int(v["default-spec-id"]?.numberValue?.int64 ?? Int64(specs[0].specId))
        m.lastPartitionId = Int(v["last-partition-id"]?.numberValue?.int64 ?? Int64(specs.flatMap(\.fields).map(\.fieldId).max() ?? 999))
        m.defaultSortOrderId = Int(v["default-sort-order-id"]?.numberValue?.int64 ?? 0)
        let cur = v["current-snapshot-id"]?.numberValue?.int64
        m.currentSnapshotId = cur == -1 ? nil : cur
        for s in v["snapshots"]?.arrayValue ?? [] { m.snapshots.append(try Snapshot.parse(s, file: file)) }
        m.snapshotLog = (v["snapshot-log"]?.arrayValue ?? []).compactMap { e in
            guard let id = e["snapshot-id"]?.numberValue?.int64, let ts = e["timestamp-ms"]?.numberValue?.int64 else { return nil }
            return (id, ts)
        }
        m.metadataLog = (v["metadata-log"]?.arrayValue ?? []).compactMap { e in
            guard let f = e["metadata-file"]?.stringValue, let ts = e["timestamp-ms"]?.numberValue?.int64 else { return nil }
            return (f, ts)
        }
        for (name, r) in v["refs"]?.objectValue?.members ?? [] {
            guard let id = r["snapshot-id"]?.numberValue?.int64 else { continue }
            m.refs.append((name, SnapshotRef(snapshotId: id, type: r["type"]?.stringValue ?? "branch",
                                              maxRefAgeMs: r["max-ref-age-ms"]?.numberValue?.int64,
                                              maxSnapshotAgeMs: r["max-snapshot-age-ms"]?.numberValue?.int64,
                                              minSnapshotsToKeep: r["min-snapshots-to-keep"]?.numberValue?.int64.map { Int($0) })))
        }
        if m.refs.isEmpty, let cur = m.currentSnapshotId {
            m.refs = [("main", SnapshotRef(snapshotId: cur, type: "branch"))]
        }
        return m
    }
}

/// A random (version 4) UUID in its text form.
public func makeUUID() -> String {
    var g = SystemRandomNumberGenerator()
    var b = (0..<16).map { _ in UInt8.random(in: 0...255, using: &g) }
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    let hex = b.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }
    return hex[0..<4].joined() + "-" + hex[4..<6].joined() + "-" + hex[6..<8].joined() + "-" + hex[8..<10].joined() + "-" + hex[10..<16].joined()
}

/// Milliseconds since the epoch, now.
public func currentTimeMillis() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
