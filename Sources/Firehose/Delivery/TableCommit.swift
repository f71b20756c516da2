// Delivery into a table whose files become part of it by a commit (an Iceberg table): data files are written in
// the run's staging folder like any delivery, renamed under the table's location (still invisible: no snapshot
// names them), then committed in one atomic step through a `TableCommitter`. Error records are published by
// rename as for a folder table.
//
// Exactly once with a checkpoint (Converter+Commit.swift): a flush logs, before anything becomes visible, the
// input positions it reaches, the positions it starts from (`base`), its sequence number and the data files it
// is about to commit; the commit records the checkpoint's id, the sequence number and the positions in the
// snapshot's summary. A rerun asks the table for the latest snapshot of its checkpoint id: if it carries the
// logged sequence number the flush committed (its error files are published again), if not the flush did not
// (its data files are removed and the run resumes from `base`); a snapshot newer than the checkpoint file wins
// over it (a stale checkpoint).

import Parquet

/// A data file a flush hands to the commit: where it is (under the table's location), its size and footer.
public struct CommitFile: Sendable {
    /// The file's final path (under the table's location).
    public var path: String
    /// Its size in bytes.
    public var size: Int64
    /// Its footer (row count, schema with field ids, column statistics).
    public var footer: FileMetaData
    /// The routing key of its partition (a table partitioned by column values: `RowPartitioner`); nil otherwise.
    public var partitionKey: String?

    /// A file with every property given.
    public init(path: String, size: Int64, footer: FileMetaData, partitionKey: String? = nil) {
        (self.path, self.size, self.footer, self.partitionKey) = (path, size, footer, partitionKey)
    }
}

/// What a checkpointed run's commit covers: the checkpoint's id (random, kept in the checkpoint file), the
/// flush's sequence number within the run's checkpoint, and the input positions the flush reached (the
/// checkpoint's `inputs` array as JSON).
public struct CommitMark: Sendable, Equatable {
    /// The checkpoint's id.
    public var checkpointID: String
    /// The flush's sequence number (increasing through the checkpoint's life).
    public var sequence: Int64
    /// The input positions after the flush: a JSON array of `{"path","offset","line","done"}` objects.
    public var positions: String

    /// A mark with every property given.
    public init(checkpointID: String, sequence: Int64, positions: String) {
        (self.checkpointID, self.sequence, self.positions) = (checkpointID, sequence, positions)
    }
}

/// A commit that certainly did not happen (the catalog refused it): its files may be removed.
public struct CommitRejected: Error, CustomStringConvertible {
    /// What the catalog said.
    public var description: String

    /// A rejection with the catalog's message.
    public init(_ description: String) { self.description = description }
}

/// A table that makes data files visible by committing them (an Iceberg table through its catalog).
public protocol TableCommitter: AnyObject, Sendable {
    /// The folder data files go to (the table's `data` folder), a local path.
    var dataFolder: String { get }
    /// The Parquet schema data files are written with: `layoutSchema` (the columns' schema) with the table's
    /// field ids and type annotations, same columns and physical types.
    func dataSchema(_ layoutSchema: Schema) throws -> Schema
    /// Commits `files` as one snapshot that records `mark`. Throws ``CommitRejected`` when the commit certainly
    /// did not happen, any other error when its outcome is unknown.
    func commit(_ files: [CommitFile], mark: CommitMark?) throws
    /// The mark of the latest committed snapshot of `checkpointID` on the table's main branch, nil when none.
    func lastMark(checkpointID: String) throws -> CommitMark?
}

/// The delivery target of a committed table: files staged and published as by the target it wraps — a local
/// folder's (renamed) or a bucket's (multipart uploads, ObjectCommitTarget.swift) — with the data files' footers
/// kept for the commit: read back from a staged local file, taken from the bytes written for an upload.
final class CommitDeliveryTarget: DeliveryTarget {
    let inner: any DeliveryTarget
    /// The bucket's target when the table is in one (its sinks keep their footers' bytes).
    let objects: ObjectDeliveryTarget?
    /// Footers of staged data files, by staged entry.
    private(set) var footers: [String: (FileMetaData, Int64)] = [:]

    init(stagingDir: String, root: String) {
        inner = LocalDeliveryTarget(stagingDir: stagingDir, root: root)
        objects = nil
    }

    init(objects: ObjectDeliveryTarget) {
        inner = objects
        self.objects = objects
    }

    func parquetSink(name: String, final: String) throws -> any ParquetSink {
        let sink = try inner.parquetSink(name: name, final: final)
        return objects == nil ? sink : FooterKeepingSink(sink)
    }

    func staged(_ sink: any ParquetSink) throws -> (from: String, size: Int64) {
        let footer: FileMetaData
        let (from, size): (String, Int64)
        if let kept = sink as? FooterKeepingSink {
            footer = try kept.footer()
            (from, size) = try inner.staged(kept.inner)
        } else {
            (from, size) = try inner.staged(sink)
            do {
                footer = try ParquetFile(path: from).metadata
            } catch {
                throw DeliveryError("\(from): cannot read back the footer: \(error)")
            }
        }
        footers[from] = (footer, size)
        return (from, size)
    }

    func stage(bytes: [UInt8], name: String, final: String) throws -> (String, String) {
        try inner.stage(bytes: bytes, name: name, final: final)
    }

    func publish(_ entries: [(String, String)], rollForward: Bool) throws {
        try inner.publish(entries, rollForward: rollForward)
    }

    func discard(_ entries: [(String, String)]) {
        inner.discard(entries)
        for (from, _) in entries { footers[from] = nil }
    }

    /// The commit files of staged data entries (their footers forgotten).
    func takeFiles(_ entries: [(String, String)]) -> [CommitFile] {
        entries.map { from, to in
            let (f, size) = footers.removeValue(forKey: from)!
            return CommitFile(path: to, size: size, footer: f)
        }
    }

    func isData(_ staged: String) -> Bool { footers[staged] != nil }

    /// Removes published data files whose commit certainly did not happen (no snapshot names them).
    func removeUncommitted(_ finals: [String]) {
        guard let objects else { return finals.forEach { FileOps.removeTree($0) } }
        objects.delete(finals)
    }
}
