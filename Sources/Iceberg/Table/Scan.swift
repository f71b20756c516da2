// Reading a snapshot's rows: every live data file read by Floe's Parquet reader and projected onto the table's
// current schema by field id (so renamed columns keep their values and added columns read as null).

import Parquet

extension IcebergTable {
    /// The rows of the current snapshot (or `snapshotId`) as objects keyed by the current schema's names, with
    /// position and equality deletes applied by the spec's sequence-number and partition rules.
    public func scan(snapshotId: Int64? = nil) throws(IcebergError) -> [ParquetValue] {
        let snap: Snapshot?
        if let id = snapshotId {
            guard let s = metadata.snapshot(id: id) else { throw .notFound("table \(identifier.joined(separator: ".")): no snapshot \(id)") }
            snap = s
        } else {
            snap = metadata.currentSnapshot
        }
        guard let snap else { return [] }
        let entries = try Self.liveEntriesWithSpec(snap, metadata)
        let schema = metadata.currentSchema
        let deleteEntries = entries.filter { $0.0.dataFile.content != 0 }
        let deletes = try DeleteIndex(deleteEntries, schema: schema)
        let unpartitioned = Set(metadata.partitionSpecs.filter { $0.fields.isEmpty }.map(\.specId))
        var rows: [ParquetValue] = []
        for (e, specId) in entries where e.dataFile.content == 0 {
            let seq = e.sequenceNumber ?? 0
            for (pos, (v, root)) in try readRows(e.dataFile.filePath).enumerated() {
                let row = Self.project(v, fields: schema.fields, node: root)
                if !deleteEntries.isEmpty && deletes.isDeleted(file: e.dataFile, dataSequence: seq, specId: specId, pos: Int64(pos),
                                                               row: row, schema: schema, unpartitionedSpecs: unpartitioned) { continue }
                rows.append(row)
            }
        }
        return rows
    }

    /// `value` (shaped by Parquet node `node`) re-keyed onto `fields` by field id; a file without field ids
    /// is matched by name.
    static func project(_ value: ParquetValue, fields: [NestedField], node: SchemaNode) -> ParquetValue {
        guard case .object(let members) = value else { return .null }
        let byId = node.children.contains { $0.fieldId != nil }
        var out: [ParquetField] = []
        out.reserveCapacity(fields.count)
        for f in fields {
            let idx = byId ? node.children.firstIndex { $0.fieldId.map(Int.init) == f.id }
                           : node.children.firstIndex { $0.name == f.name }
            guard let i = idx, let m = members.first(where: { $0.name == node.children[i].name }) else {
                out.append(ParquetField(f.name, .null))
                continue
            }
            if case .structure(let inner) = f.type, !m.value.isNull {
                out.append(ParquetField(f.name, project(m.value, fields: inner, node: node.children[i])))
            } else {
                out.append(ParquetField(f.name, m.value))
            }
        }
        return .object(out)
    }
}

/// A local path for a location: plain absolute paths and `file:` URIs; any other scheme is an error.
public func localPath(_ location: String) throws(IcebergError) -> String {
    if location.hasPrefix("file://") { return String(location.dropFirst(7)) }
    if location.hasPrefix("file:/") { return String(location.dropFirst(5)) }
    if location.hasPrefix("/") { return location }
    if let colon = location.firstIndex(of: ":"), location[colon...].hasPrefix("://") {
        throw .invalidArgument("\(location): the \(location[..<colon]):// scheme is not supported (Iceberg tables are local folders or s3:// locations)")
    }
    return location
}
