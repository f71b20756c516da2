// A stream delivering into an Iceberg table of the warehouse (a destination prefix `<table>/` naming an Iceberg
// table): each flush commits one append snapshot through the table's SQL catalog, exactly once across crashes and
// write-ahead log replay. The stream's Iceberg state file (`<state>/<stream>.iceberg.json`) holds a random id
// and, written before anything becomes visible, the flush's sequence number, the log position it covers (`lsn`)
// and its data and error files; the snapshot's summary records the id, the sequence number and
// `{"stream":…,"lsn":…}` (`floe.checkpoint-id`, `floe.checkpoint-seq`, `floe.checkpoint`, as `floe convert
// --checkpoint` does). At start (and before a stalled stream retries) the logged flush is settled against the
// table: a snapshot with its sequence number means it committed — the stream is published through its `lsn`
// and its error files are published again; none means it did not — its data files are removed and the log is
// replayed from the published-through position, which the commit had not moved.

import Firehose
import JSON
import Warehouse

final class IcebergStreamLog {
    let path: String
    let stream: String
    private(set) var id: String
    private(set) var sequence: Int64 = 0

    /// The log of stream `stream` in `stateDir` (a new id when there is none).
    init(stateDir: String, stream: String) throws {
        path = stateDir + "/" + stream + ".iceberg.json"
        self.stream = stream
        id = PrefixTemplate.randomString(16)
        guard Disk.exists(path) else { return }
        guard let v = try? JSONParser.parse(try Disk.readAll(path)), case .string(let i)? = v["id"],
              let seq = v["seq"]?.numberValue?.int64 else {
            throw WALError(message: "\(path): not a stream Iceberg state file")
        }
        id = i
        sequence = seq
    }

    static func pairs(_ v: JSONValue?) -> [(staged: String, final: String)] {
        (v?.arrayValue ?? []).compactMap { p in
            guard case .string(let a)? = p[0], case .string(let b)? = p[1] else { return nil }
            return (a, b)
        }
    }

    private func write(lsn: UInt64, data: [(staged: String, final: String)], errors: [(staged: String, final: String)]) throws {
        func arr(_ ps: [(staged: String, final: String)]) -> JSONValue {
            .array(ps.map { .array([.string($0.staged), .string($0.final)]) })
        }
        let o = JSONObject([("id", .string(id)), ("seq", .number(JSONNumber(sequence))),
                            ("lsn", .number(JSONNumber(lsn))), ("files", arr(data)), ("errors", arr(errors))])
        try Disk.writeAtomically(path, JSONSerializer.serialize(.object(o)))
    }

    /// Settles the logged flush against the table (see the file's header); returns the published-through LSN.
    func settle(lastMark: (String) throws -> CommitMark?, published: UInt64, root: String) throws -> UInt64 {
        guard Disk.exists(path), let v = try? JSONParser.parse(try Disk.readAll(path)) else { return published }
        let files = Self.pairs(v["files"]), errors = Self.pairs(v["errors"])
        guard !files.isEmpty, let lsn = v["lsn"]?.numberValue?.int64 else { return published }
        let mark: CommitMark?
        do { mark = try lastMark(id) } catch {
            throw WALError(message: "stream \(stream): cannot read the Iceberg table's snapshots: \(error)")
        }
        if let m = mark, m.sequence >= sequence {
            // committed: published through the snapshot's position; its error files again
            try RecordFeed.rollForward(errors, root: root)
            var through = UInt64(lsn)
            if let p = try? JSONParser.parse(Array(m.positions.utf8)), let n = p["lsn"]?.numberValue?.int64 {
                through = max(through, UInt64(n))
            }
            try write(lsn: through, data: [], errors: [])
            return max(published, through)
        }
        // not committed: its files are garbage; the log still holds its records
        for (s, f) in files {
            Disk.remove(s)
            Disk.remove(f)
        }
        for (s, _) in errors { Disk.remove(s) }
        try write(lsn: published, data: [], errors: [])
        return published
    }

    /// Commits a staged flush covering the log through `lsn`: logged first, then the snapshot.
    func commit(_ feed: RecordFeed, _ staged: RecordFeed.StagedCommit, lsn: UInt64) throws {
        guard !staged.data.isEmpty else { return }
        sequence += 1
        try write(lsn: lsn, data: staged.data, errors: staged.errors)
        var pos = JSONObject([("stream", .string(stream))])
        _ = pos.append(key: "lsn", value: .number(JSONNumber(lsn)))
        let mark = CommitMark(checkpointID: id, sequence: sequence,
                              positions: String(decoding: JSONSerializer.serialize(.object(pos)), as: UTF8.self))
        try feed.commit(staged, mark: mark)
    }

    /// The flush is complete (its error files published): nothing to settle.
    func done(lsn: UInt64) throws { try write(lsn: lsn, data: [], errors: []) }

    /// The stream is deleted.
    func remove() { Disk.remove(path) }
}

extension DestinationSettings {
    /// The deserializer's record options of DataFormatConversionConfiguration (OpenX or Hive, key matching,
    /// column-to-key mappings); none given: Firehose's defaults.
    func applyRecordOptions(to cc: inout ConvertConfig) {
        guard let c = conversion else { return }
        cc.record.serde = c.serde == "hive" ? .hive : .openx
        cc.record.caseInsensitive = c.caseInsensitive
        cc.record.dotsToUnderscores = c.convertDotsToUnderscores
        for (col, key) in c.columnToJsonKeyMappings { cc.record.keyMapping[col] = key }
    }
}

extension StreamPlan {
    /// The committer of Iceberg table `name` of the warehouse, through the catalog it was created in.
    static func icebergCommitter(table name: String, warehouse: String) throws -> (DataWarehouse, Table, IcebergCommitter) {
        let wh = try DataWarehouse(opening: warehouse)
        let entry = try wh.table(named: name)
        let iw = try IcebergWarehouse(warehouse: wh, table: entry)
        return (wh, entry, try IcebergCommitter(catalog: iw.catalog, namespace: iw.namespace, name: entry.name))
    }

    /// The converting feed of a stream into Iceberg table `table` (RecordFeed+Commit.swift): the table's columns,
    /// its data files under `<location>/data/` (a partitioned table's by its spec), error records under the
    /// table's folder with the stream's error prefix.
    func makeIcebergFeed(table name: String, stream: String, warehouse: String, stagingDir: String,
                         errorPrefix: PrefixTemplate) throws -> Feed {
        let (wh, entry, committer) = try Self.icebergCommitter(table: name, warehouse: warehouse)
        var prefix = try PrefixTemplate("data/", errorPrefix: false)
        prefix.timeZone = settings.timeZone
        var d = DeliveryConfig(outDir: bucketFolder, table: entry.name, stream: stream, prefix: prefix, errorPrefix: errorPrefix)
        d.folder = committer.location
        d.database = try wh.catalog().database
        d.bufferSize = settings.sizeInMBs << 20
        d.bufferIntervalMillis = Int64(settings.intervalInSeconds) * 1000
        d.writer.threads = 1
        d.partitioner = committer.partitioner
        let defs = ColumnDefinitions(columns: entry.columns, tableName: entry.name)
        var cc = ConvertConfig(delivery: d, columns: defs)
        cc.delivery.dataSchema = try committer.dataSchema(defs.parquetSchema(timestamp: cc.record.timestamp))
        settings.applyRecordOptions(to: &cc)
        cc.committer = committer
        cc.jobs = 1
        cc.maxRecordBytes = 1_024_000
        return .converted(try RecordFeed(config: cc, stagingDir: stagingDir))
    }
}
