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
        self.path = path
        self.size = size
        self.footer = footer
        self.partitionKey = partitionKey
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
        self.checkpointID = checkpointID
        self.sequence = sequence
        self.positions = positions
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

/// The delivery target of a committed table: files staged and published (renamed) as in a local folder; the data
/// files' footers are kept for the commit.
final class CommitDeliveryTarget: DeliveryTarget {
    let local: LocalDeliveryTarget
    /// Footers of staged data files, by staged path.
    private(set) var footers: [String: (FileMetaData, Int64)] = [:]

    init(stagingDir: String, root: String) {
        local = LocalDeliveryTarget(stagingDir: stagingDir, root: root)
    }

    func parquetSink(name: String, final: String) throws -> any ParquetSink {
        try local.parquetSink(name: name, final: final)
    }

    func staged(_ sink: any ParquetSink) throws -> (from: String, size: Int64) {
        let (path, size) = try local.staged(sink)
        let footer: FileMetaData
        do {
            footer = try ParquetFile(path: path).metadata
        } catch {
            throw DeliveryError("\(path): cannot read back the footer: \(error)")
        }
        footers[path] = (footer, size)
        return (path, size)
    }

    func stage(bytes: [UInt8], name: String, final: String) throws -> (String, String) {
        try local.stage(bytes: bytes, name: name, final: final)
    }

    func publish(_ entries: [(String, String)], rollForward: Bool) throws {
        try local.publish(entries, rollForward: rollForward)
    }

    func discard(_ entries: [(String, String)]) {
        local.discard(entries)
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
}
