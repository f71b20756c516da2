// A feed into a committed table (an Iceberg table: `ConvertConfig.committer`): a flush stages every buffered file,
// the caller logs what it is about to commit, the data files are renamed under the table's location (invisible:
// no snapshot names them) and committed as one snapshot whose summary carries the caller's mark (for `floe
// serve`, the write-ahead log position the snapshot covers); the error files are published by rename after it.

extension RecordFeed {
    /// The files of one flush into a committed table, staged: data files and error-output files, as
    /// (staged, final) pairs.
    public struct StagedCommit: Sendable {
        /// Data files: (staged path, final path under the table's location).
        public var data: [(staged: String, final: String)]
        /// Error-output files: (staged path, final path).
        public var errors: [(staged: String, final: String)]
        /// Keys of the data files' partitions (a partitioned table), by staged path.
        var keys: [String: String]
    }

    /// Whether the feed delivers into a committed table.
    public var commitsToTable: Bool { config.committer != nil }

    /// Closes every buffered file into staging (fsynced) and splits them into data and error files.
    public func stageForCommit() throws -> StagedCommit {
        try delivery.stageAll()
        bufferedRecords = 0
        let entries = delivery.takePending()
        guard let target = delivery.target as? CommitDeliveryTarget else {
            throw DeliveryError("\(config.delivery.table): not a committed table")
        }
        var keys: [String: String] = [:]
        var data: [(staged: String, final: String)] = []
        var errors: [(staged: String, final: String)] = []
        for (from, to) in entries {
            if target.isData(from) {
                data.append((from, to))
                if let k = delivery.stagedKeys.removeValue(forKey: from) { keys[from] = k }
            } else {
                errors.append((from, to))
            }
        }
        return StagedCommit(data: data, errors: errors, keys: keys)
    }

    /// Renames the staged data files under the table's location and commits them as one snapshot recording
    /// `mark`. Throws ``CommitRejected`` when the commit certainly did not happen (the files are then removed),
    /// any other error when its outcome is unknown (the files stay: the caller settles it from its log).
    public func commit(_ staged: StagedCommit, mark: CommitMark?) throws {
        guard let committer = config.committer, let target = delivery.target as? CommitDeliveryTarget else {
            throw DeliveryError("\(config.delivery.table): not a committed table")
        }
        guard !staged.data.isEmpty else { return }
        let pairs = staged.data.map { ($0.staged, $0.final) }
        try target.publish(pairs, rollForward: false)
        var files = target.takeFiles(pairs)
        for i in files.indices { files[i].partitionKey = staged.keys[pairs[i].0] }
        do {
            try committer.commit(files, mark: mark)
        } catch let e as CommitRejected {
            for f in files { FileOps.removeTree(f.path) }
            throw e
        }
    }

    /// Publishes staged error-output files by rename (`rollForward`: entries of an interrupted flush, some of
    /// which may be in place already).
    public func publishErrors(_ entries: [(staged: String, final: String)], rollForward: Bool = false) throws {
        try delivery.target.publish(entries.map { ($0.staged, $0.final) }, rollForward: rollForward)
    }

    /// The table's newest snapshot mark of `checkpointID` (nil: none).
    public func lastMark(checkpointID: String) throws -> CommitMark? {
        guard let committer = config.committer else { return nil }
        return try committer.lastMark(checkpointID: checkpointID)
    }
}
