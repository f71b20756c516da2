// Snapshot production: an append on top of a base metadata (new manifest for the added files, a manifest list
// carrying the base snapshot's manifests too, a summary whose totals accumulate from the parent), and reading
// the live data files of a snapshot.

import JSON

/// A table as a catalog hands it out: the metadata and the file it was read from.
public struct IcebergTable: Sendable {
    /// The namespace levels, then the table name.
    public var identifier: [String]
    /// The table's metadata as read.
    public var metadata: TableMetadata
    /// The metadata file the metadata was read from (the catalog's `metadata_location`).
    public var metadataLocation: String

    /// A table with every property given.
    public init(identifier: [String], metadata: TableMetadata, metadataLocation: String) {
        self.identifier = identifier
        self.metadata = metadata
        self.metadataLocation = metadataLocation
    }

    /// The live data files of the current snapshot (or of `snapshotId`).
    public func dataFiles(snapshotId: Int64? = nil) throws(IcebergError) -> [DataFile] {
        let snap: Snapshot?
        if let id = snapshotId {
            guard let s = metadata.snapshot(id: id) else { throw .notFound("table \(identifier.joined(separator: ".")): no snapshot \(id)") }
            snap = s
        } else {
            snap = metadata.currentSnapshot
        }
        guard let snap else { return [] }
        return try Self.liveEntries(snap, metadata).filter { $0.dataFile.content == 0 }.map(\.dataFile)
    }

    /// Live (added or existing) entries of every manifest of `snap`.
    static func liveEntries(_ snap: Snapshot, _ m: TableMetadata) throws(IcebergError) -> [ManifestEntry] {
        try liveEntriesWithSpec(snap, m).map(\.0)
    }

    /// Live entries with the partition spec id of their manifest.
    static func liveEntriesWithSpec(_ snap: Snapshot, _ m: TableMetadata) throws(IcebergError) -> [(ManifestEntry, Int)] {
        let list = try ManifestIO.readManifestList(try LocalFileIO.read(snap.manifestList), file: snap.manifestList)
        var out: [(ManifestEntry, Int)] = []
        for mf in list {
            guard let spec = m.spec(id: mf.partitionSpecId) else {
                throw .corrupt(file: mf.manifestPath, detail: "partition spec \(mf.partitionSpecId) is not in the table metadata")
            }
            let entries = try ManifestIO.readManifest(try LocalFileIO.read(mf.manifestPath), file: mf.manifestPath,
                                                      manifest: mf, spec: spec, schema: m.currentSchema)
            out += entries.filter { $0.status != 2 }.map { ($0, mf.partitionSpecId) }
        }
        return out
    }
}

/// The files one attempt of a commit wrote; deleted when the attempt is known to have failed.
struct AttemptFiles {
    var paths: [String] = []
    /// Files written without fsync that must be durable before the swap makes the new metadata current
    /// (manifests, the manifest list): the commit fsyncs them together with the metadata file, in parallel.
    var unsynced: [String] = []
    func removeAll() { for p in paths { LocalFileIO.delete(p) } }
}

/// An append of data files, applicable to any base metadata (so a conflicting commit re-applies it).
public struct AppendFiles: Sendable {
    /// Data files (content 0) and delete files (content 1 position, 2 equality).
    public var files: [DataFile]
    /// The manifests of `files` (one for data, one for deletes), written once and reused on every retry: their
    /// entries inherit the sequence number from the manifest list entry, so they do not depend on the base.
    var written: [ManifestFile]?
    /// The id of the snapshot the append commits (random, positive, fixed across retries).
    public let snapshotId: Int64
    /// Properties added to the snapshot summary after the standard ones (e.g. what input a writer's snapshot
    /// covers: `floe.checkpoint`); on every retry the same.
    public var summaryProperties: [(String, String)] = []

    /// An append of `files` with a new random snapshot id.
    public init(files: [DataFile]) {
        self.files = files
        var g = SystemRandomNumberGenerator()
        snapshotId = Int64.random(in: 1...Int64.max, using: &g)
    }

    /// The data manifest (the first written), for callers that add data files only.
    var manifest: ManifestFile? { written?.first }

    mutating func writeManifests(_ base: TableMetadata) throws(IcebergError) -> [ManifestFile] {
        if let m = written { return m }
        let spec = base.defaultSpec
        let ptype = try spec.partitionType(base.currentSchema)
        var out: [ManifestFile] = []
        for content in [0, 1] {
            let group = files.filter { ($0.content == 0) == (content == 0) }
            if group.isEmpty { continue }
            let entries = group.map { ManifestEntry(status: 1, snapshotId: snapshotId, sequenceNumber: nil, fileSequenceNumber: nil, dataFile: $0) }
            let bytes = try ManifestIO.writeManifest(entries: entries, schema: base.currentSchema, spec: spec, content: content)
            let path = base.location + "/metadata/" + makeUUID() + "-m\(content).avro"
            try LocalFileIO.write(bytes, to: path, createOnly: true, durable: false)
            out.append(ManifestFile(manifestPath: path, manifestLength: Int64(bytes.count), partitionSpecId: spec.specId, content: content,
                                    sequenceNumber: -1, minSequenceNumber: -1, addedSnapshotId: snapshotId,
                                    addedFilesCount: Int32(group.count), existingFilesCount: 0, deletedFilesCount: 0,
                                    addedRowsCount: group.reduce(0) { $0 + $1.recordCount }, existingRowsCount: 0, deletedRowsCount: 0,
                                    partitions: Self.summaries(group, ptype)))
        }
        written = out
        return out
    }

    mutating func writeManifest(_ base: TableMetadata) throws(IcebergError) -> ManifestFile {
        guard let m = try writeManifests(base).first else { throw .invalidArgument("an empty set of files has no manifest") }
        return m
    }

    func deleteAll() { for m in written ?? [] { LocalFileIO.delete(m.manifestPath) } }

    static func summaries(_ files: [DataFile], _ ptype: [NestedField]) -> [FieldSummary] {
        ptype.enumerated().map { i, f in
            var s = FieldSummary(containsNull: false, containsNaN: false, lowerBound: nil, upperBound: nil)
            var lo: IcebergLiteral?, hi: IcebergLiteral?
            for d in files {
                guard let v = d.partition[i] else { s.containsNull = true; continue }
                if v.isNaN { s.containsNaN = true; continue }
                if lo.map({ IcebergLiteral.less(v, $0) }) ?? true { lo = v }
                if hi.map({ IcebergLiteral.less($0, v) }) ?? true { hi = v }
            }
            _ = f
            s.lowerBound = lo?.serialized
            s.upperBound = hi?.serialized
            return s
        }
    }

    /// The new metadata: `base` plus one append snapshot. Writes the manifest list (recorded in `attempt`).
    mutating func apply(to base: TableMetadata, metadataLocation: String, attempt: inout AttemptFiles,
                        nowMs: Int64 = currentTimeMillis()) throws(IcebergError) -> TableMetadata {
        let seq = base.lastSequenceNumber + 1
        let mine = try writeManifests(base)
        attempt.unsynced += mine.map(\.manifestPath)  // fsynced once durably; a retry's fsync finds nothing dirty
        var manifests = mine.map { m -> ManifestFile in
            var m = m
            m.sequenceNumber = seq
            m.minSequenceNumber = seq
            return m
        }
        let parent = base.currentSnapshot
        if let parent {
            manifests += try ManifestIO.readManifestList(try LocalFileIO.read(parent.manifestList), file: parent.manifestList)
        }
        let listPath = base.location + "/metadata/snap-\(snapshotId)-\(seq)-\(makeUUID()).avro"
        let listBytes = try ManifestIO.writeManifestList(manifests, snapshotId: snapshotId, parentSnapshotId: parent?.snapshotId,
                                                         sequenceNumber: seq)
        try LocalFileIO.write(listBytes, to: listPath, createOnly: true, durable: false)
        attempt.paths.append(listPath)
        attempt.unsynced.append(listPath)

        let data = files.filter { $0.content == 0 }
        let posDeletes = files.filter { $0.content == 1 }, eqDeletes = files.filter { $0.content == 2 }
        let addedRecords = data.reduce(0) { $0 + $1.recordCount }
        let addedSize = files.reduce(0) { $0 + $1.fileSizeInBytes }
        let addedPos = posDeletes.reduce(0) { $0 + $1.recordCount }, addedEq = eqDeletes.reduce(0) { $0 + $1.recordCount }
        let partitions = Set(files.map { $0.partition }).count
        func total(_ key: String) -> Int64 { parent?.summaryValue(key).flatMap { Int64($0) } ?? 0 }
        var summary: [(String, String)] = [
            ("operation", data.count == files.count ? "append" : data.isEmpty ? "delete" : "overwrite"),
            ("added-data-files", String(data.count)), ("added-records", String(addedRecords)),
            ("added-files-size", String(addedSize)), ("changed-partition-count", String(partitions)),
        ]
        if data.count != files.count {
            summary += [("added-delete-files", String(files.count - data.count)),
                        ("added-position-delete-files", String(posDeletes.count)), ("added-position-deletes", String(addedPos)),
                        ("added-equality-delete-files", String(eqDeletes.count)), ("added-equality-deletes", String(addedEq))]
        }
        summary += [
            ("total-records", String(total("total-records") + addedRecords)),
            ("total-files-size", String(total("total-files-size") + addedSize)),
            ("total-data-files", String(total("total-data-files") + Int64(data.count))),
            ("total-delete-files", String(total("total-delete-files") + Int64(files.count - data.count))),
            ("total-position-deletes", String(total("total-position-deletes") + addedPos)),
            ("total-equality-deletes", String(total("total-equality-deletes") + addedEq)),
        ]
        summary += summaryProperties.filter { p in !summary.contains { $0.0 == p.0 } }
        return commitSnapshot(base: base, metadataLocation: metadataLocation, snapshotId: snapshotId, sequenceNumber: seq,
                              manifestList: listPath, summary: summary, nowMs: nowMs)
    }
}

/// The path of the metadata file that follows `previous` (`<location>/metadata/<NNNNN>-<uuid>.metadata.json`).
func nextMetadataPath(location: String, previous: String?) -> String {
    var version = 0
    if let p = previous, let name = p.split(separator: "/").last, let dash = name.firstIndex(of: "-"), let v = Int(name[..<dash]) {
        version = v + 1
    }
    let n = String(version)
    return location + "/metadata/" + String(repeating: "0", count: max(0, 5 - n.count)) + n + "-" + makeUUID() + ".metadata.json"
}
