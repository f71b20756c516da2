// Snapshot expiry (spec "Snapshot Retention Policy", `expire_snapshots` of the engines) and time travel.

extension TableMetadata {
    /// The snapshot that was current at `timestampMs` (the snapshot log's last entry at or before it).
    public func snapshot(asOf timestampMs: Int64) -> Snapshot? {
        let entry = snapshotLog.last { $0.1 <= timestampMs }
        return entry.flatMap { snapshot(id: $0.0) }
    }

    /// Snapshot ids from the current one back through its parents.
    public func ancestry(of id: Int64?) -> [Int64] {
        var out: [Int64] = []
        var cur = id.flatMap { snapshot(id: $0) }
        while let s = cur, !out.contains(s.snapshotId) {
            out.append(s.snapshotId)
            cur = s.parentSnapshotId.flatMap { snapshot(id: $0) }
        }
        return out
    }
}

/// What an expiry removed.
public struct ExpireResult: Sendable, Equatable {
    /// The ids of the snapshots removed from the metadata.
    public var expiredSnapshotIds: [Int64]
    /// The locations of files deleted because no kept snapshot reaches them.
    public var deletedFiles: [String]
}

extension SQLiteCatalog {
    /// Expires snapshots older than `olderThanMs` (all but the current when nil), keeping the `retainLast` most
    /// recent ancestors of the current snapshot and every ref head. After the commit succeeds, deletes the
    /// manifest lists, manifests and data files that no retained snapshot references; if the commit's outcome
    /// is unknown nothing is deleted.
    @discardableResult
    public func expireSnapshots(_ ns: [String], _ table: String, olderThanMs: Int64? = nil,
                                retainLast: Int = 1) throws(IcebergError) -> ExpireResult {
        guard retainLast >= 1 else { throw .invalidArgument("--retain-last must be at least 1, got \(retainLast)") }
        var expired: [Snapshot] = []
        var retained: [Snapshot] = []
        var baseMeta: TableMetadata?
        _ = try commit(ns, table) { (base, baseLocation, _) throws(IcebergError) in
            let keepIds = Set(base.ancestry(of: base.currentSnapshotId).prefix(retainLast)).union(base.refs.map(\.1.snapshotId))
            let cutoff = olderThanMs ?? Int64.max
            expired = base.snapshots.filter { !keepIds.contains($0.snapshotId) && $0.timestampMs < cutoff }
            let gone = Set(expired.map(\.snapshotId))
            retained = base.snapshots.filter { !gone.contains($0.snapshotId) }
            baseMeta = base
            var m = base
            m.snapshots = retained
            m.snapshotLog = base.snapshotLog.filter { !gone.contains($0.0) }
            m.lastUpdatedMs = max(currentTimeMillis(), base.lastUpdatedMs)
            m.metadataLog.append((baseLocation, base.lastUpdatedMs))
            return m
        }
        guard let base = baseMeta, !expired.isEmpty else { return ExpireResult(expiredSnapshotIds: [], deletedFiles: []) }
        // Reachable from what is kept: manifest lists, manifests, live files.
        var keepLists = Set<String>(), keepManifests = Set<String>(), keepFiles = Set<String>()
        for s in retained {
            keepLists.insert(s.manifestList)
            for mf in try ManifestIO.readManifestList(try LocalFileIO.read(s.manifestList), file: s.manifestList) {
                keepManifests.insert(mf.manifestPath)
            }
            for e in try IcebergTable.liveEntries(s, base) { keepFiles.insert(e.dataFile.filePath) }
        }
        var deleted: [String] = []
        var seenManifests = Set<String>()
        for s in expired {
            guard let list = try? ManifestIO.readManifestList(try LocalFileIO.read(s.manifestList), file: s.manifestList) else { continue }
            for mf in list where !keepManifests.contains(mf.manifestPath) && seenManifests.insert(mf.manifestPath).inserted {
                if let spec = base.spec(id: mf.partitionSpecId),
                   let entries = try? ManifestIO.readManifest(try LocalFileIO.read(mf.manifestPath), file: mf.manifestPath,
                                                              manifest: mf, spec: spec, schema: base.currentSchema) {
                    for e in entries where !keepFiles.contains(e.dataFile.filePath) && LocalFileIO.exists(e.dataFile.filePath) {
                        LocalFileIO.delete(e.dataFile.filePath)
                        deleted.append(e.dataFile.filePath)
                    }
                }
                LocalFileIO.delete(mf.manifestPath)
                deleted.append(mf.manifestPath)
            }
            if !keepLists.contains(s.manifestList) {
                LocalFileIO.delete(s.manifestList)
                deleted.append(s.manifestList)
            }
        }
        return ExpireResult(expiredSnapshotIds: expired.map(\.snapshotId), deletedFiles: deleted)
    }
}
