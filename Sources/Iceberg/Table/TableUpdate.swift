// Snapshot production: an append on top of a base metadata (new manifest for the added files, a manifest list
// carrying the base snapshot's manifests too, a summary whose totals accumulate from the parent), and reading
// the live data files of a snapshot.

import JSON

/// A table as a catalog hands it out: the metadata and the file it was read from.
public struct IcebergTable: Sendable {
    public var identifier: [String]
    public var metadata: TableMetadata
    public var metadataLocation: String

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
        let list = try ManifestIO.readManifestList(try LocalFileIO.read(snap.manifestList), file: snap.manifestList)
        var out: [ManifestEntry] = []
        for mf in list {
            guard let spec = m.spec(id: mf.partitionSpecId) else {
                throw .corrupt(file: mf.manifestPath, detail: "partition spec \(mf.partitionSpecId) is not in the table metadata")
            }
            let entries = try ManifestIO.readManifest(try LocalFileIO.read(mf.manifestPath), file: mf.manifestPath,
                                                      manifest: mf, spec: spec, schema: m.currentSchema)
            out += entries.filter { $0.status != 2 }
        }
        return out
    }
}

/// The files one attempt of a commit wrote; deleted when the attempt is known to have failed.
struct AttemptFiles {
    var paths: [String] = []
    func removeAll() { for p in paths { LocalFileIO.delete(p) } }
}

/// An append of data files, applicable to any base metadata (so a conflicting commit re-applies it).
public struct AppendFiles: Sendable {
    public var files: [DataFile]
    /// The manifest of `files`, written once and reused on every retry: its entries inherit the sequence number
    /// from the manifest list entry, so it does not depend on the base.
    var manifest: ManifestFile?
    public let snapshotId: Int64

    public init(files: [DataFile]) {
        self.files = files
        var g = SystemRandomNumberGenerator()
        snapshotId = Int64.random(in: 1...Int64.max, using: &g)
    }

    mutating func writeManifest(_ base: TableMetadata) throws(IcebergError) -> ManifestFile {
        if let m = manifest { return m }
        let spec = base.defaultSpec
        let entries = files.map { ManifestEntry(status: 1, snapshotId: snapshotId, sequenceNumber: nil, fileSequenceNumber: nil, dataFile: $0) }
        let bytes = try ManifestIO.writeManifest(entries: entries, schema: base.currentSchema, spec: spec)
        let path = base.location + "/metadata/" + makeUUID() + "-m0.avro"
        try LocalFileIO.write(bytes, to: path, createOnly: true)
        let ptype = try spec.partitionType(base.currentSchema)
        let m = ManifestFile(manifestPath: path, manifestLength: Int64(bytes.count), partitionSpecId: spec.specId, content: 0,
                             sequenceNumber: -1, minSequenceNumber: -1, addedSnapshotId: snapshotId,
                             addedFilesCount: Int32(files.count), existingFilesCount: 0, deletedFilesCount: 0,
                             addedRowsCount: files.reduce(0) { $0 + $1.recordCount }, existingRowsCount: 0, deletedRowsCount: 0,
                             partitions: Self.summaries(files, ptype))
        manifest = m
        return m
    }

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
        var mine = try writeManifest(base)
        mine.sequenceNumber = seq
        mine.minSequenceNumber = seq
        var manifests = [mine]
        let parent = base.currentSnapshot
        if let parent {
            manifests += try ManifestIO.readManifestList(try LocalFileIO.read(parent.manifestList), file: parent.manifestList)
        }
        let listPath = base.location + "/metadata/snap-\(snapshotId)-\(seq)-\(makeUUID()).avro"
        let listBytes = try ManifestIO.writeManifestList(manifests, snapshotId: snapshotId, parentSnapshotId: parent?.snapshotId,
                                                         sequenceNumber: seq)
        try LocalFileIO.write(listBytes, to: listPath, createOnly: true)
        attempt.paths.append(listPath)

        let addedRecords = files.reduce(0) { $0 + $1.recordCount }
        let addedSize = files.reduce(0) { $0 + $1.fileSizeInBytes }
        let partitions = Set(files.map { $0.partition }).count
        func total(_ key: String) -> Int64 { parent?.summaryValue(key).flatMap { Int64($0) } ?? 0 }
        let summary: [(String, String)] = [
            ("operation", "append"),
            ("added-data-files", String(files.count)), ("added-records", String(addedRecords)),
            ("added-files-size", String(addedSize)), ("changed-partition-count", String(partitions)),
            ("total-records", String(total("total-records") + addedRecords)),
            ("total-files-size", String(total("total-files-size") + addedSize)),
            ("total-data-files", String(total("total-data-files") + Int64(files.count))),
            ("total-delete-files", String(total("total-delete-files"))),
            ("total-position-deletes", String(total("total-position-deletes"))),
            ("total-equality-deletes", String(total("total-equality-deletes"))),
        ]
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
