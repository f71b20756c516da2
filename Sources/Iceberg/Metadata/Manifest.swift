// Manifests and manifest lists (spec "Manifests", "Manifest Lists"): Avro files with the spec's field ids and
// record names (`manifest_entry`, `r2` data_file, `r102` partition, `k117_v118`-style int-keyed maps,
// `manifest_file`, `r508` field summaries), written and read here.

import JSON

/// A data or delete file as a manifest lists it.
public struct DataFile: Sendable, Equatable {
    /// 0 data, 1 position deletes, 2 equality deletes.
    public var content: Int = 0
    /// The file's full location (`file_path`, field 100).
    public var filePath: String
    /// `PARQUET`, `AVRO` or `ORC` (`file_format`, field 101); Floe writes Parquet.
    public var fileFormat: String = "PARQUET"
    /// Partition tuple, in the spec's field order; nil for a null value.
    public var partition: [IcebergLiteral?]
    /// The number of rows in the file (`record_count`, field 103).
    public var recordCount: Int64
    /// The file's size in bytes (`file_size_in_bytes`, field 104).
    public var fileSizeInBytes: Int64
    /// (column field id, bytes on disk) pairs (`column_sizes`, field 108).
    public var columnSizes: [(Int, Int64)] = []
    /// (column field id, values including nulls and NaNs) pairs (`value_counts`, field 109).
    public var valueCounts: [(Int, Int64)] = []
    /// (column field id, null values) pairs (`null_value_counts`, field 110).
    public var nullValueCounts: [(Int, Int64)] = []
    /// (column field id, NaN values) pairs for float and double columns (`nan_value_counts`, field 137).
    public var nanValueCounts: [(Int, Int64)] = []
    /// (column field id, lower bound) pairs, each bound in single-value serialization (spec "Appendix D")
    /// (`lower_bounds`, field 125).
    public var lowerBounds: [(Int, [UInt8])] = []
    /// (column field id, upper bound) pairs, each bound in single-value serialization (spec "Appendix D")
    /// (`upper_bounds`, field 128).
    public var upperBounds: [(Int, [UInt8])] = []
    /// Byte offsets where the file can be split (Parquet row group starts), ascending (`split_offsets`,
    /// field 132).
    public var splitOffsets: [Int64]? = nil
    /// For equality delete files, the field ids of the columns rows are matched on (`equality_ids`,
    /// field 135).
    public var equalityIds: [Int]? = nil
    /// The sort order id the file's rows follow, if any (`sort_order_id`, field 140).
    public var sortOrderId: Int? = nil

    /// A data file (content 0, Parquet) with no column metrics.
    public init(filePath: String, partition: [IcebergLiteral?], recordCount: Int64, fileSizeInBytes: Int64) {
        self.filePath = filePath
        self.partition = partition
        self.recordCount = recordCount
        self.fileSizeInBytes = fileSizeInBytes
    }

    /// Field-by-field equality, the metric lists compared in order.
    public static func == (a: DataFile, b: DataFile) -> Bool {
        func same<T: Equatable>(_ x: [(Int, T)], _ y: [(Int, T)]) -> Bool { x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 } }
        return a.content == b.content && a.filePath == b.filePath && a.fileFormat == b.fileFormat && a.partition == b.partition
            && a.recordCount == b.recordCount && a.fileSizeInBytes == b.fileSizeInBytes && same(a.columnSizes, b.columnSizes)
            && same(a.valueCounts, b.valueCounts) && same(a.nullValueCounts, b.nullValueCounts)
            && same(a.nanValueCounts, b.nanValueCounts) && same(a.lowerBounds, b.lowerBounds) && same(a.upperBounds, b.upperBounds)
            && a.splitOffsets == b.splitOffsets && a.equalityIds == b.equalityIds && a.sortOrderId == b.sortOrderId
    }
}

/// An entry of a manifest (spec "Manifest Entry Fields"): a file, its status, and the snapshot and sequence
/// numbers that added it. Null ids and numbers are inherited from the manifest list entry when read.
public struct ManifestEntry: Sendable, Equatable {
    /// 0 existing, 1 added, 2 deleted.
    public var status: Int
    /// The snapshot that added (or deleted) the file (field 1); nil to inherit it.
    public var snapshotId: Int64?
    /// The data sequence number of the file (field 3); nil to inherit the manifest's.
    public var sequenceNumber: Int64?
    /// The sequence number of the snapshot that added the file (field 4); nil to inherit the manifest's.
    public var fileSequenceNumber: Int64?
    /// The file the entry tracks (field 2).
    public var dataFile: DataFile
    /// An entry with every field given.
    public init(status: Int, snapshotId: Int64?, sequenceNumber: Int64?, fileSequenceNumber: Int64?, dataFile: DataFile) {
        self.status = status
        self.snapshotId = snapshotId
        self.sequenceNumber = sequenceNumber
        self.fileSequenceNumber = fileSequenceNumber
        self.dataFile = dataFile
    }
}

/// The summary of one partition field over a manifest's files (spec "Manifest Lists", `field_summary`).
public struct FieldSummary: Sendable, Equatable {
    /// Whether some file has a null for the field (field 509).
    public var containsNull: Bool
    /// Whether some file has a NaN for the field (field 518); nil when unknown.
    public var containsNaN: Bool?
    /// The lowest non-null value, in single-value serialization (field 510).
    public var lowerBound: [UInt8]?
    /// The highest non-null value, in single-value serialization (field 511).
    public var upperBound: [UInt8]?
}

/// An entry of a manifest list.
public struct ManifestFile: Sendable, Equatable {
    /// The manifest file's location (field 500).
    public var manifestPath: String
    /// The manifest file's size in bytes (field 501).
    public var manifestLength: Int64
    /// The id of the partition spec the manifest was written with (field 502).
    public var partitionSpecId: Int
    /// 0 data, 1 deletes.
    public var content: Int = 0
    /// The sequence number of the snapshot that added the manifest (field 515).
    public var sequenceNumber: Int64
    /// The lowest data sequence number of the manifest's live files (field 516).
    public var minSequenceNumber: Int64
    /// The snapshot that added the manifest (field 503).
    public var addedSnapshotId: Int64
    /// Entries with status ADDED (field 504).
    public var addedFilesCount: Int32
    /// Entries with status EXISTING (field 505).
    public var existingFilesCount: Int32
    /// Entries with status DELETED (field 506).
    public var deletedFilesCount: Int32
    /// Rows in the ADDED files (field 512).
    public var addedRowsCount: Int64
    /// Rows in the EXISTING files (field 513).
    public var existingRowsCount: Int64
    /// Rows in the DELETED files (field 514).
    public var deletedRowsCount: Int64
    /// One summary per partition field, in the spec's order (field 507); nil when not written.
    public var partitions: [FieldSummary]?
}

// MARK: - Avro schemas

enum ManifestSchemas {
    static func attrs(_ id: Int, doc: String? = nil) -> JSONObject {
        var o = JSONObject([("field-id", .number(JSONNumber(id)))])
        if let doc { _ = o.append(key: "doc", value: .string(doc)) }
        return o
    }
    static func req(_ name: String, _ s: AvroSchema, _ id: Int) -> AvroField { AvroField(name, s, attributes: attrs(id)) }
    static func opt(_ name: String, _ s: AvroSchema, _ id: Int) -> AvroField {
        AvroField(name, .optional(s), default: .null, attributes: attrs(id))
    }
    /// An Iceberg map with int keys: an array of `k<id>_v<id>` records, `logicalType: map`.
    static func intMap(_ name: String, _ id: Int, _ kid: Int, _ vid: Int, _ value: AvroSchema) -> AvroField {
        let rec = AvroSchema.record("k\(kid)_v\(vid)", [req("key", .int, kid), req("value", value, vid)])
        return opt(name, .array(rec, JSONObject([("logicalType", "map")])), id)
    }
    static func list(_ name: String, _ id: Int, _ eid: Int, _ element: AvroSchema) -> AvroField {
        opt(name, .array(element, JSONObject([("element-id", .number(JSONNumber(eid)))])), id)
    }

    /// The Avro schema of a primitive Iceberg type ("Appendix A: Format-specific Requirements", Avro).
    static func avro(_ t: IcebergType, fieldId: Int) -> AvroSchema {
        func logical(_ base: AvroSchema, _ pairs: [(String, JSONValue)]) -> AvroSchema { AvroSchema(base.type, attributes: JSONObject(pairs)) }
        switch t {
        case .boolean: return .boolean
        case .int: return .int
        case .long: return .long
        case .float: return .float
        case .double: return .double
        case .date: return logical(.int, [("logicalType", "date")])
        case .time: return logical(.long, [("logicalType", "time-micros")])
        case .timestamp: return logical(.long, [("logicalType", "timestamp-micros"), ("adjust-to-utc", false)])
        case .timestamptz: return logical(.long, [("logicalType", "timestamp-micros"), ("adjust-to-utc", true)])
        case .string: return .string
        case .uuid: return AvroSchema(.fixed(name: "uuid_fixed", size: 16), attributes: JSONObject([("logicalType", "uuid")]))
        case .binary: return .bytes
        case .fixed(let n): return .fixed("fixed_\(n)_\(fieldId)", size: n)
        case .decimal(let p, let s):
            let size = decimalBytes(p)
            return AvroSchema(.fixed(name: "decimal_\(p)_\(s)", size: size), attributes: JSONObject([
                ("logicalType", "decimal"), ("precision", .number(JSONNumber(p))), ("scale", .number(JSONNumber(s)))]))
        default: return .null
        }
    }

    /// Bytes of the smallest fixed that holds `precision` decimal digits.
    static func decimalBytes(_ precision: Int) -> Int {
        var n = 1
        while IcebergLiteral.pow10(precision) > (Int128(1) << (8 * n - 1)) - 1 { n += 1 }
        return n
    }

    static func partitionRecord(_ partitionType: [NestedField]) -> AvroSchema {
        .record("r102", partitionType.map { f in
            AvroField(f.name, .optional(avro(f.type, fieldId: f.id)), default: .null, attributes: attrs(f.id))
        })
    }

    static func dataFile(_ partitionType: [NestedField]) -> AvroSchema {
        .record("r2", [
            req("content", .int, 134), req("file_path", .string, 100), req("file_format", .string, 101),
            req("partition", partitionRecord(partitionType), 102),
            req("record_count", .long, 103), req("file_size_in_bytes", .long, 104),
            intMap("column_sizes", 108, 117, 118, .long), intMap("value_counts", 109, 119, 120, .long),
            intMap("null_value_counts", 110, 121, 122, .long), intMap("nan_value_counts", 137, 138, 139, .long),
            intMap("lower_bounds", 125, 126, 127, .bytes), intMap("upper_bounds", 128, 129, 130, .bytes),
            opt("key_metadata", .bytes, 131), list("split_offsets", 132, 133, .long), list("equality_ids", 135, 136, .int),
            opt("sort_order_id", .int, 140),
        ])
    }

    static func manifestEntry(_ partitionType: [NestedField]) -> AvroSchema {
        .record("manifest_entry", [
            req("status", .int, 0), opt("snapshot_id", .long, 1), opt("sequence_number", .long, 3),
            opt("file_sequence_number", .long, 4), req("data_file", dataFile(partitionType), 2),
        ])
    }

    static let fieldSummary: AvroSchema = .record("r508", [
        req("contains_null", .boolean, 509), opt("contains_nan", .boolean, 518),
        opt("lower_bound", .bytes, 510), opt("upper_bound", .bytes, 511),
    ])

    static let manifestFile: AvroSchema = .record("manifest_file", [
        req("manifest_path", .string, 500), req("manifest_length", .long, 501), req("partition_spec_id", .int, 502),
        req("content", .int, 517), req("sequence_number", .long, 515), req("min_sequence_number", .long, 516),
        req("added_snapshot_id", .long, 503), req("added_files_count", .int, 504), req("existing_files_count", .int, 505),
        req("deleted_files_count", .int, 506), req("added_rows_count", .long, 512), req("existing_rows_count", .long, 513),
        req("deleted_rows_count", .long, 514), list("partitions", 507, 508, fieldSummary), opt("key_metadata", .bytes, 519),
    ])
}

// MARK: - Writing

extension AvroValue {
    static func opt(_ v: AvroValue?) -> AvroValue { v.map { .union(1, $0) } ?? .union(0, .null) }
}

func avroValue(_ lit: IcebergLiteral, _ t: IcebergType) -> AvroValue {
    switch (lit, t) {
    case (.boolean(let b), _): return .boolean(b)
    case (.int(let i), _): return .int(i)
    case (.long(let l), _): return .long(l)
    case (.float(let f), _): return .float(f)
    case (.double(let d), _): return .double(d)
    case (.string(let s), _): return .string(s)
    case (.binary(let b), .uuid), (.binary(let b), .fixed): return .fixed(b)
    case (.binary(let b), _): return .bytes(b)
    case (.decimal(let u), .decimal(let p, _)):
        let n = ManifestSchemas.decimalBytes(p)
        let be = withUnsafeBytes(of: u.bigEndian, Array.init)
        return .fixed(Array(be.suffix(n)))
    case (.decimal(let u), _): return .long(Int64(truncatingIfNeeded: u))
    }
}

/// Writing and reading manifests and manifest lists as Avro container files, with the spec's schemas,
/// field ids and header metadata.
public enum ManifestIO {
    static func intMap(_ m: [(Int, Int64)]) -> AvroValue {
        .opt(.array(m.map { .record([.int(Int32($0.0)), .long($0.1)]) }))
    }
    static func bytesMap(_ m: [(Int, [UInt8])]) -> AvroValue {
        .opt(.array(m.map { .record([.int(Int32($0.0)), .bytes($0.1)]) }))
    }

    /// A manifest file's bytes for `entries` of one partition spec.
    public static func writeManifest(entries: [ManifestEntry], schema: IcebergSchema, spec: PartitionSpec,
                                     content: Int = 0) throws(IcebergError) -> [UInt8] {
        let ptype = try spec.partitionType(schema)
        let avro = ManifestSchemas.manifestEntry(ptype)
        let meta: [(String, [UInt8])] = [
            ("schema", Array(JSONSerializer.string(schema.json()).utf8)),
            ("schema-id", Array(String(schema.schemaId).utf8)),
            ("partition-spec", Array(JSONSerializer.string(spec.fieldsJSON()).utf8)),
            ("partition-spec-id", Array(String(spec.specId).utf8)),
            ("format-version", Array("2".utf8)),
            ("content", Array((content == 0 ? "data" : "deletes").utf8)),
        ]
        var w = try AvroContainerWriter(schema: avro, codec: .deflate, metadata: meta)
        for e in entries {
            let d = e.dataFile
            guard d.partition.count == ptype.count else {
                throw .invalidArgument("\(d.filePath): partition tuple has \(d.partition.count) values, spec \(spec.specId) has \(ptype.count) fields")
            }
            let part: [AvroValue] = zip(d.partition, ptype).map { v, f in .opt(v.map { avroValue($0, f.type) }) }
            let df: AvroValue = .record([
                .int(Int32(d.content)), .string(d.filePath), .string(d.fileFormat), .record(part), .long(d.recordCount),
                .long(d.fileSizeInBytes), intMap(d.columnSizes), intMap(d.valueCounts), intMap(d.nullValueCounts),
                intMap(d.nanValueCounts), bytesMap(d.lowerBounds), bytesMap(d.upperBounds), .opt(nil),
                .opt(d.splitOffsets.map { .array($0.map { .long($0) }) }),
                .opt(d.equalityIds.map { .array($0.map { .int(Int32($0)) }) }), .opt(d.sortOrderId.map { .int(Int32($0)) }),
            ])
            try w.append(.record([.int(Int32(e.status)), .opt(e.snapshotId.map { .long($0) }),
                                  .opt(e.sequenceNumber.map { .long($0) }), .opt(e.fileSequenceNumber.map { .long($0) }), df]))
        }
        return try w.finish()
    }

    /// A manifest list's bytes.
    public static func writeManifestList(_ manifests: [ManifestFile], snapshotId: Int64, parentSnapshotId: Int64?,
                                         sequenceNumber: Int64) throws(IcebergError) -> [UInt8] {
        var w = try AvroContainerWriter(schema: ManifestSchemas.manifestFile, codec: .deflate, metadata: [
            ("snapshot-id", Array(String(snapshotId).utf8)),
            ("parent-snapshot-id", Array((parentSnapshotId.map { String($0) } ?? "null").utf8)),
            ("sequence-number", Array(String(sequenceNumber).utf8)),
            ("format-version", Array("2".utf8)),
        ])
        for m in manifests {
            let parts: AvroValue = .opt(m.partitions.map { ps in
                .array(ps.map { .record([.boolean($0.containsNull), .opt($0.containsNaN.map { .boolean($0) }),
                                         .opt($0.lowerBound.map { .bytes($0) }), .opt($0.upperBound.map { .bytes($0) })]) })
            })
            try w.append(.record([
                .string(m.manifestPath), .long(m.manifestLength), .int(Int32(m.partitionSpecId)), .int(Int32(m.content)),
                .long(m.sequenceNumber), .long(m.minSequenceNumber), .long(m.addedSnapshotId), .int(m.addedFilesCount),
                .int(m.existingFilesCount), .int(m.deletedFilesCount), .long(m.addedRowsCount), .long(m.existingRowsCount),
                .long(m.deletedRowsCount), parts, .opt(nil),
            ]))
        }
        return try w.finish()
    }
}

// MARK: - Reading (by field id, whatever the writer's field order or record names)

/// A decoded record looked at through its writer schema: fields found by Iceberg field id.
struct AvroRecordView {
    let fields: [AvroField]
    let values: [AvroValue]
    let named: [String: AvroSchema]
    let file: String

    init(_ v: AvroValue, _ s: AvroSchema, named: [String: AvroSchema], file: String) throws(IcebergError) {
        var schema = s
        if case .reference(let n) = s.type, let r = named[n] { schema = r }
        if case .union(let bs) = schema.type, case .union(let i, let inner) = v {
            self = try AvroRecordView(inner, bs[i], named: named, file: file)
            return
        }
        guard case .record(_, let fs) = schema.type, case .record(let vs) = v else {
            throw .corrupt(file: file, detail: "expected a record")
        }
        fields = fs
        values = vs
        self.named = named
        self.file = file
    }

    func index(_ id: Int) -> Int? { fields.firstIndex { $0.fieldId == id } }
    func value(_ id: Int) -> AvroValue? {
        guard let i = index(id) else { return nil }
        let v = values[i].unwrapped
        return v == .null ? nil : v
    }
    func schema(_ id: Int) -> AvroSchema? { index(id).map { fields[$0].schema } }

    func long(_ id: Int) -> Int64? {
        switch value(id) {
        case .long(let l)?: return l
        case .int(let i)?: return Int64(i)
        default: return nil
        }
    }
    func requireLong(_ id: Int, _ name: String) throws(IcebergError) -> Int64 {
        guard let v = long(id) else { throw .corrupt(file: file, detail: "missing required field \(name) (id \(id))") }
        return v
    }
    func string(_ id: Int) -> String? { if case .string(let s)? = value(id) { return s } else { return nil } }
    func bool(_ id: Int) -> Bool? { if case .boolean(let b)? = value(id) { return b } else { return nil } }
    func bytes(_ id: Int) -> [UInt8]? {
        switch value(id) {
        case .bytes(let b)?, .fixed(let b)?: return b
        default: return nil
        }
    }
    func record(_ id: Int) throws(IcebergError) -> AvroRecordView? {
        guard let i = index(id), value(id) != nil else { return nil }
        return try AvroRecordView(values[i], fields[i].schema, named: named, file: file)
    }
    /// An int-keyed map: an array of key/value records (or an Avro map with string keys).
    func map<T>(_ id: Int, _ conv: (AvroValue) -> T?) -> [(Int, T)] {
        switch value(id) {
        case .array(let items)?:
            return items.compactMap { item in
                guard case .record(let kv) = item.unwrapped, kv.count == 2, case .int(let k) = kv[0].unwrapped,
                      let v = conv(kv[1].unwrapped) else { return nil }
                return (Int(k), v)
            }
        case .map(let es)?: return es.compactMap { e in Int(e.key).flatMap { k in conv(e.value.unwrapped).map { (k, $0) } } }
        default: return []
        }
    }
    func list(_ id: Int) -> [AvroValue]? { if case .array(let a)? = value(id) { return a.map(\.unwrapped) } else { return nil } }
}

extension ManifestIO {
    /// Reads a manifest; `spec` and `schema` type the partition tuple. Sequence numbers and snapshot ids left
    /// null are inherited from `manifest` ("Sequence Number Inheritance").
    public static func readManifest(_ bytes: [UInt8], file: String, manifest: ManifestFile?, spec: PartitionSpec,
                                    schema: IcebergSchema) throws(IcebergError) -> [ManifestEntry] {
        let c = try AvroContainer(bytes: bytes, file: file)
        let named = c.schema.namedTypes()
        let ptype = (try? spec.partitionType(schema)) ?? []
        var out: [ManifestEntry] = []
        for v in c.values {
            let e = try AvroRecordView(v, c.schema, named: named, file: file)
            guard let d = try e.record(2) else { throw .corrupt(file: file, detail: "manifest entry without data_file") }
            var df = DataFile(filePath: d.string(100) ?? "", partition: [], recordCount: try d.requireLong(103, "record_count"),
                              fileSizeInBytes: try d.requireLong(104, "file_size_in_bytes"))
            guard !df.filePath.isEmpty else { throw .corrupt(file: file, detail: "data_file without file_path") }
            df.content = Int(d.long(134) ?? 0)
            df.fileFormat = d.string(101) ?? "PARQUET"
            if let p = try d.record(102) {
                df.partition = ptype.map { f in
                    guard let v = p.value(f.id) else { return nil }
                    return literal(v, f.type)
                }
            }
            let asLong: (AvroValue) -> Int64? = { if case .long(let l) = $0 { return l }; if case .int(let i) = $0 { return Int64(i) }; return nil }
            let asBytes: (AvroValue) -> [UInt8]? = { if case .bytes(let b) = $0 { return b }; return nil }
            df.columnSizes = d.map(108, asLong)
            df.valueCounts = d.map(109, asLong)
            df.nullValueCounts = d.map(110, asLong)
            df.nanValueCounts = d.map(137, asLong)
            df.lowerBounds = d.map(125, asBytes)
            df.upperBounds = d.map(128, asBytes)
            df.splitOffsets = d.list(132)?.compactMap(asLong)
            df.equalityIds = d.list(135)?.compactMap { asLong($0).map { Int($0) } }
            df.sortOrderId = d.long(140).map { Int($0) }
            let status = Int(try e.requireLong(0, "status"))
            var seq = e.long(3), fileSeq = e.long(4), snap = e.long(1)
            if let m = manifest {
                if snap == nil { snap = m.addedSnapshotId }
                if seq == nil && (status == 1 || m.sequenceNumber == 0) { seq = m.sequenceNumber }
                if fileSeq == nil && status == 1 { fileSeq = m.sequenceNumber }
            }
            out.append(ManifestEntry(status: status, snapshotId: snap, sequenceNumber: seq, fileSequenceNumber: fileSeq, dataFile: df))
        }
        return out
    }

    static func literal(_ v: AvroValue, _ t: IcebergType) -> IcebergLiteral? {
        switch (v, t) {
        case (.boolean(let b), _): return .boolean(b)
        case (.int(let i), .long), (.int(let i), .timestamp), (.int(let i), .timestamptz), (.int(let i), .time): return .long(Int64(i))
        case (.int(let i), _): return .int(i)
        case (.long(let l), _): return .long(l)
        case (.float(let f), _): return .float(f)
        case (.double(let d), _): return .double(d)
        case (.string(let s), _): return .string(s)
        case (.bytes(let b), .decimal), (.fixed(let b), .decimal): return IcebergLiteral.deserialize(b, type: t)
        case (.bytes(let b), _), (.fixed(let b), _): return .binary(b)
        default: return nil
        }
    }

    /// Reads a manifest list.
    public static func readManifestList(_ bytes: [UInt8], file: String) throws(IcebergError) -> [ManifestFile] {
        let c = try AvroContainer(bytes: bytes, file: file)
        let named = c.schema.namedTypes()
        var out: [ManifestFile] = []
        for v in c.values {
            let r = try AvroRecordView(v, c.schema, named: named, file: file)
            guard let path = r.string(500) else { throw .corrupt(file: file, detail: "manifest_file without manifest_path") }
            let parts: [FieldSummary]? = try r.list(507).map { items throws(IcebergError) in
                var ps: [FieldSummary] = []
                for item in items {
                    let s = try AvroRecordView(item, ManifestSchemas.fieldSummary, named: named, file: file)
                    ps.append(FieldSummary(containsNull: s.bool(509) ?? true, containsNaN: s.bool(518), lowerBound: s.bytes(510), upperBound: s.bytes(511)))
                }
                return ps
            }
            out.append(ManifestFile(
                manifestPath: path, manifestLength: try r.requireLong(501, "manifest_length"),
                partitionSpecId: Int(try r.requireLong(502, "partition_spec_id")), content: Int(r.long(517) ?? 0),
                sequenceNumber: r.long(515) ?? 0, minSequenceNumber: r.long(516) ?? 0,
                addedSnapshotId: try r.requireLong(503, "added_snapshot_id"),
                addedFilesCount: Int32(truncatingIfNeeded: r.long(504) ?? 0), existingFilesCount: Int32(truncatingIfNeeded: r.long(505) ?? 0),
                deletedFilesCount: Int32(truncatingIfNeeded: r.long(506) ?? 0), addedRowsCount: r.long(512) ?? 0,
                existingRowsCount: r.long(513) ?? 0, deletedRowsCount: r.long(514) ?? 0, partitions: parts))
        }
        return out
    }
}
