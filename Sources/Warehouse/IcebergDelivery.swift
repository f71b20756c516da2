// `floe convert` / `floe ingest` into an Iceberg table: the converter's data files get the table's field ids and
// annotations in their Parquet schema, and each flush commits its files as one `append` snapshot through the SQL
// catalog (retried on conflicts by re-applying the append on the new base). With a checkpoint the snapshot's
// summary records what input it covers (`floe.checkpoint-id`, `floe.checkpoint-seq`, `floe.checkpoint`), which
// a rerun reads back to settle a flush a crash interrupted (Firehose, Converter+Commit.swift). A partitioned
// table's rows are routed by ``partitioner`` (set it as the delivery's `partitioner`: IcebergPartitioning.swift),
// and each data file's manifest entry carries its partition tuple.

import Firehose
import Iceberg
import Parquet
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Commits converted data files to an Iceberg table.
public final class IcebergCommitter: TableCommitter, @unchecked Sendable {
    /// The catalog the table is in.
    public let catalog: SQLCatalog
    /// The table's namespace.
    public let namespace: [String]
    /// The table's name.
    public let name: String
    /// The table as loaded when the committer was made (its schema and location).
    public let table: IcebergTable
    /// The table's location: a local path, or an `s3://` URL.
    public let location: String
    /// The router of rows to partitions for a partitioned table (its default spec); nil when unpartitioned.
    public let partitioner: IcebergPartitioner?
    /// Wall milliseconds of each commit so far (catalog round trips, metadata and manifest writes, retries).
    public private(set) var commitMillis: [Double] = []

    /// Summary keys of a checkpointed run's snapshots.
    public static let checkpointIDKey = "floe.checkpoint-id"
    /// The flush's sequence number within the checkpoint.
    public static let checkpointSeqKey = "floe.checkpoint-seq"
    /// The input positions the snapshot's flush reached (JSON).
    public static let checkpointKey = "floe.checkpoint"

    /// A committer for table `name` of `namespace` in `catalog`.
    ///
    /// - Throws: ``WarehouseError/tableNotFound(_:)`` when the catalog has no such table,
    ///   ``WarehouseError/invalid(_:)`` for a partition spec whose source columns are not primitive columns, or a
    ///   table neither on the local file system nor in S3.
    public init(catalog: SQLCatalog, namespace: [String], name: String) throws(WarehouseError) {
        self.catalog = catalog
        self.namespace = namespace
        self.name = name
        do {
            table = try catalog.loadTable(namespace, name)
        } catch .notFound {
            throw .tableNotFound(name)
        } catch {
            throw .io(catalog.path, error.description)
        }
        do {
            location = try LocalFileIO.canonical(table.metadata.location)
        } catch {
            throw .invalid("table '\(name)': location \(table.metadata.location) is neither a local folder nor s3://")
        }
        let spec = table.metadata.defaultSpec
        partitioner = spec.fields.isEmpty ? nil : try IcebergPartitioner(schema: table.metadata.currentSchema, spec: spec)
    }

    /// `<location>/data`.
    public var dataFolder: String { location + "/data" }

    /// The layout's schema with the field ids of the table's current schema (matched by name, case-insensitively),
    /// timestamps annotated as the Iceberg type says (`timestamptz`: adjusted to UTC) and narrow integers as plain
    /// INT32 (Iceberg `int`).
    public func dataSchema(_ layoutSchema: Schema) throws -> Schema {
        let fields = table.metadata.currentSchema.fields
        var root = layoutSchema.root
        root.name = "table"
        root.children = try root.children.map { c throws(WarehouseError) in
            guard let f = fields.first(where: { $0.name.lowercased() == c.name.lowercased() }) else {
                throw .invalid("table '\(name)': column '\(c.name)' is not in the Iceberg schema")
            }
            return try annotate(c, f.id, f.type, path: c.name)
        }
        return Schema(root: root)
    }

    private func annotate(_ node: SchemaNode, _ id: Int, _ type: IcebergType, path: String) throws(WarehouseError) -> SchemaNode {
        var n = node
        n.fieldId = Int32(id)
        func mismatch() -> WarehouseError {
            .invalid("table '\(name)': column '\(path)' is \(type) in the Iceberg schema, which its definition does not store")
        }
        switch type {
        case .structure(let fs):
            guard !n.isLeaf, n.logicalType == nil else { throw mismatch() }
            n.children = try n.children.map { c throws(WarehouseError) in
                guard let f = fs.first(where: { $0.name.lowercased() == c.name.lowercased() }) else {
                    throw .invalid("table '\(name)': field '\(path).\(c.name)' is not in the Iceberg schema")
                }
                return try annotate(c, f.id, f.type, path: path + "." + c.name)
            }
        case .list(let eid, let e, _):
            guard n.logicalType == .list, n.children.count == 1, n.children[0].children.count == 1 else { throw mismatch() }
            n.children[0].children[0] = try annotate(n.children[0].children[0], eid, e, path: path + ".element")
        case .map(let kid, let k, let vid, let v, _):
            guard n.logicalType == .map, n.children.count == 1, n.children[0].children.count == 2 else { throw mismatch() }
            n.children[0].children[0] = try annotate(n.children[0].children[0], kid, k, path: path + ".key")
            n.children[0].children[1] = try annotate(n.children[0].children[1], vid, v, path: path + ".value")
        case .timestamp, .timestamptz:
            guard n.physicalType == .int64, case .timestamp(_, let unit)? = n.logicalType, unit == .micros else {
                throw .invalid("table '\(name)': column '\(path)': Iceberg stores timestamps in microseconds (--timestamp micros)")
            }
            let utc = type == .timestamptz
            n.logicalType = .timestamp(isAdjustedToUTC: utc, unit: .micros)
            n.convertedType = utc ? .timestampMicros : nil
        case .int:
            guard n.physicalType == .int32, n.logicalType == nil || n.logicalType == .integer(bitWidth: 8, isSigned: true)
                    || n.logicalType == .integer(bitWidth: 16, isSigned: true) || n.logicalType == .integer(bitWidth: 32, isSigned: true) else {
                throw mismatch()
            }
            n.logicalType = nil
            n.convertedType = nil
        case .long: guard n.physicalType == .int64, n.logicalType == nil else { throw mismatch() }
        case .float: guard n.physicalType == .float else { throw mismatch() }
        case .double: guard n.physicalType == .double else { throw mismatch() }
        case .boolean: guard n.physicalType == .boolean else { throw mismatch() }
        case .date: guard n.physicalType == .int32, n.logicalType == .date else { throw mismatch() }
        case .string: guard n.physicalType == .byteArray, n.logicalType == .string else { throw mismatch() }
        case .binary: guard n.physicalType == .byteArray, n.logicalType == nil else { throw mismatch() }
        case .decimal(let p, let s):
            guard case .decimal(let ls, let lp)? = n.logicalType, Int(lp) == p, Int(ls) == s else { throw mismatch() }
        case .time, .uuid, .fixed:
            throw mismatch()
        }
        return n
    }

    /// Appends `files` as one snapshot; `mark` goes into its summary.
    public func commit(_ files: [CommitFile], mark: CommitMark?) throws {
        let schema = table.metadata.currentSchema
        let dataFiles: [DataFile]
        do {
            dataFiles = try files.map { f throws(IcebergError) in
                var partition: [IcebergLiteral?] = []
                if let p = partitioner {
                    guard let key = f.partitionKey, let t = p.tuple(forKey: key) else {
                        throw .invalidArgument("\(f.path): a data file of partitioned table '\(name)' without its partition")
                    }
                    partition = t
                }
                return try DataFile.fromParquetFooter(path: f.path, size: f.size, footer: f.footer, schema: schema,
                                                      partition: partition)
            }
        } catch {
            throw CommitRejected(error.description)  // nothing reached the catalog
        }
        var summary: [(String, String)] = []
        if let m = mark {
            summary = [(Self.checkpointIDKey, m.checkpointID), (Self.checkpointSeqKey, String(m.sequence)),
                       (Self.checkpointKey, m.positions)]
        }
        var t0 = timespec(), t1 = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t0)
        defer {
            clock_gettime(CLOCK_MONOTONIC, &t1)
            commitMillis.append(Double(t1.tv_sec - t0.tv_sec) * 1000 + Double(t1.tv_nsec - t0.tv_nsec) / 1_000_000)
        }
        do {
            try catalog.append(namespace, name, files: dataFiles, summary: summary)
        } catch .commitConflict(let m) {
            throw CommitRejected(m)
        }
    }

    /// The mark of the newest snapshot of `checkpointID` in the current snapshot's ancestry.
    public func lastMark(checkpointID: String) throws -> CommitMark? {
        let t = try catalog.loadTable(namespace, name)
        for id in t.metadata.ancestry(of: t.metadata.currentSnapshotId) {
            guard let s = t.metadata.snapshot(id: id), s.summaryValue(Self.checkpointIDKey) == checkpointID,
                  let seq = s.summaryValue(Self.checkpointSeqKey).flatMap({ Int64($0) }) else { continue }
            return CommitMark(checkpointID: checkpointID, sequence: seq, positions: s.summaryValue(Self.checkpointKey) ?? "[]")
        }
        return nil
    }
}
