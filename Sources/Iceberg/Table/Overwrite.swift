// Overwrite snapshots: remove the live data files a predicate selects and add new ones in one commit (what the
// serving layer's merge needs: readers see the old snapshot or the new one). Manifests without a removed file
// are carried over; the others are rewritten with the removed entries DELETED and the rest EXISTING, keeping
// their sequence numbers (spec "Manifest Entry Fields", "Sequence Numbers").

/// An overwrite, applicable to any base metadata (a conflicting commit re-applies it on the new base, so the
/// predicate is evaluated against what is live then).
public struct OverwriteFiles: Sendable {
    /// The data files the overwrite adds.
    public var added: [DataFile]
    /// Selects the live data files the overwrite deletes.
    public let removes: @Sendable (DataFile) -> Bool
    var append: AppendFiles

    /// `removes` selects the live data files to delete (`{ _ in true }` replaces the whole table).
    public init(adding added: [DataFile], removing removes: @escaping @Sendable (DataFile) -> Bool) {
        self.added = added
        self.removes = removes
        append = AppendFiles(files: added)
    }

    /// The id of the snapshot the overwrite commits.
    public var snapshotId: Int64 { append.snapshotId }

    mutating func apply(to base: TableMetadata, metadataLocation: String, attempt: inout AttemptFiles,
                        nowMs: Int64 = currentTimeMillis()) throws(IcebergError) -> TableMetadata {
        let seq = base.lastSequenceNumber + 1
        var manifests: [ManifestFile] = []
        var deletedFiles: Int64 = 0, deletedRecords: Int64 = 0, deletedSize: Int64 = 0
        var changedPartitions = Set<[IcebergLiteral?]>()
        if !added.isEmpty {
            var mine = try append.writeManifest(base)
            attempt.unsynced.append(mine.manifestPath)
            mine.sequenceNumber = seq
            mine.minSequenceNumber = seq
            manifests.append(mine)
            for f in added { changedPartitions.insert(f.partition) }
        }
        let parent = base.currentSnapshot
        if let parent {
            let list = try ManifestIO.readManifestList(try LocalFileIO.read(parent.manifestList), file: parent.manifestList)
            for mf in list {
                guard let spec = base.spec(id: mf.partitionSpecId) else {
                    throw .corrupt(file: mf.manifestPath, detail: "partition spec \(mf.partitionSpecId) is not in the table metadata")
                }
                let entries = try ManifestIO.readManifest(try LocalFileIO.read(mf.manifestPath), file: mf.manifestPath,
                                                          manifest: mf, spec: spec, schema: base.currentSchema)
                    .filter { $0.status != 2 }
                let hit = entries.filter { $0.dataFile.content == 0 && removes($0.dataFile) }
                if hit.isEmpty {
                    manifests.append(mf)
                    continue
                }
                var rewritten: [ManifestEntry] = []
                var existing: Int32 = 0, existingRows: Int64 = 0, deleted: Int32 = 0, deletedRows: Int64 = 0
                for var e in entries {
                    if e.dataFile.content == 0 && removes(e.dataFile) {
                        e.status = 2
                        e.snapshotId = snapshotId
                        deleted += 1
                        deletedRows += e.dataFile.recordCount
                        deletedFiles += 1
                        deletedRecords += e.dataFile.recordCount
                        deletedSize += e.dataFile.fileSizeInBytes
                        changedPartitions.insert(e.dataFile.partition)
                    } else {
                        e.status = 0
                        existing += 1
                        existingRows += e.dataFile.recordCount
                    }
                    rewritten.append(e)
                }
                let schema = base.currentSchema
                let bytes = try ManifestIO.writeManifest(entries: rewritten, schema: schema, spec: spec, content: mf.content)
                let path = base.location + "/metadata/" + makeUUID() + "-m1.avro"
                try LocalFileIO.write(bytes, to: path, createOnly: true, durable: false)
                attempt.paths.append(path)
                attempt.unsynced.append(path)
                let minSeq = rewritten.compactMap(\.sequenceNumber).min() ?? mf.minSequenceNumber
                manifests.append(ManifestFile(
                    manifestPath: path, manifestLength: Int64(bytes.count), partitionSpecId: spec.specId, content: mf.content,
                    sequenceNumber: seq, minSequenceNumber: minSeq, addedSnapshotId: snapshotId, addedFilesCount: 0,
                    existingFilesCount: existing, deletedFilesCount: deleted, addedRowsCount: 0, existingRowsCount: existingRows,
                    deletedRowsCount: deletedRows,
                    partitions: AppendFiles.summaries(rewritten.map(\.dataFile), try spec.partitionType(schema))))
            }
        }
        let listPath = base.location + "/metadata/snap-\(snapshotId)-\(seq)-\(makeUUID()).avro"
        let listBytes = try ManifestIO.writeManifestList(manifests, snapshotId: snapshotId, parentSnapshotId: parent?.snapshotId,
                                                         sequenceNumber: seq)
        try LocalFileIO.write(listBytes, to: listPath, createOnly: true, durable: false)
        attempt.paths.append(listPath)
        attempt.unsynced.append(listPath)

        let addedRecords = added.reduce(0) { $0 + $1.recordCount }
        let addedSize = added.reduce(0) { $0 + $1.fileSizeInBytes }
        func total(_ key: String) -> Int64 { parent?.summaryValue(key).flatMap { Int64($0) } ?? 0 }
        let summary: [(String, String)] = [
            ("operation", deletedFiles == 0 ? "append" : added.isEmpty ? "delete" : "overwrite"),
            ("added-data-files", String(added.count)), ("added-records", String(addedRecords)),
            ("added-files-size", String(addedSize)),
            ("deleted-data-files", String(deletedFiles)), ("deleted-records", String(deletedRecords)),
            ("removed-files-size", String(deletedSize)),
            ("changed-partition-count", String(changedPartitions.count)),
            ("total-records", String(total("total-records") + addedRecords - deletedRecords)),
            ("total-files-size", String(total("total-files-size") + addedSize - deletedSize)),
            ("total-data-files", String(total("total-data-files") + Int64(added.count) - deletedFiles)),
            ("total-delete-files", String(total("total-delete-files"))),
            ("total-position-deletes", String(total("total-position-deletes"))),
            ("total-equality-deletes", String(total("total-equality-deletes"))),
        ]
        return commitSnapshot(base: base, metadataLocation: metadataLocation, snapshotId: snapshotId, sequenceNumber: seq,
                              manifestList: listPath, summary: summary, nowMs: nowMs)
    }
}

/// `base` with a new current snapshot on `main`, the logs extended.
func commitSnapshot(base: TableMetadata, metadataLocation: String, snapshotId: Int64, sequenceNumber: Int64,
                    manifestList: String, summary: [(String, String)], nowMs: Int64) -> TableMetadata {
    var m = base
    let ts = max(nowMs, base.lastUpdatedMs)
    m.snapshots.append(Snapshot(snapshotId: snapshotId, parentSnapshotId: base.currentSnapshotId, sequenceNumber: sequenceNumber,
                                timestampMs: ts, manifestList: manifestList, summary: summary, schemaId: base.currentSchemaId))
    m.lastSequenceNumber = sequenceNumber
    m.currentSnapshotId = snapshotId
    m.lastUpdatedMs = ts
    m.snapshotLog.append((snapshotId, ts))
    m.metadataLog.append((metadataLocation, base.lastUpdatedMs))
    let keep = Int(base.property("write.metadata.previous-versions-max") ?? "") ?? 100
    if m.metadataLog.count > keep { m.metadataLog.removeFirst(m.metadataLog.count - keep) }
    m.refs.removeAll { $0.0 == "main" }
    m.refs.insert(("main", SnapshotRef(snapshotId: snapshotId, type: "branch")), at: 0)
    return m
}

extension SQLiteCatalog {
    /// Commits an overwrite: the files `removing` selects go, `files` arrive, in one snapshot.
    @discardableResult
    public func overwrite(_ ns: [String], _ table: String, adding files: [DataFile],
                          removing: @escaping @Sendable (DataFile) -> Bool) throws(IcebergError) -> IcebergTable {
        var op = OverwriteFiles(adding: files, removing: removing)
        do {
            return try commit(ns, table) { (base, baseLocation, attempt) throws(IcebergError) in
                try op.apply(to: base, metadataLocation: baseLocation, attempt: &attempt)
            }
        } catch {
            if case .commitConflict = error { op.append.deleteAll() }
            throw error
        }
    }
}
