import Firehose
import Foundation
import Iceberg
import Parquet
import Testing
import Warehouse

/// Conversion into an Iceberg table (issue 17): each flush an append snapshot with field ids and footer metrics,
/// and a checkpointed run settled against the table's snapshots after a crash.
@Suite("Convert into Iceberg tables")
struct IcebergDeliveryTests {
    static let defs = ColumnDefinitions(columns: [
        HiveColumn(name: "id", type: .string), HiveColumn(name: "n", type: .int), HiveColumn(name: "ts", type: .timestamp),
        HiveColumn(name: "score", type: .double), HiveColumn(name: "tags", type: .array(.string)),
        HiveColumn(name: "price", type: .decimal(precision: 10, scale: 2)),
        HiveColumn(name: "user", type: .struct([HiveField(name: "name", type: .string)])),
    ], tableName: "ev")

    struct Setup {
        let dir: TempDir
        let wh: DataWarehouse
        let iceberg: IcebergWarehouse
    }

    static func setup() throws -> Setup {
        let tmp = TempDir()
        let wh = try DataWarehouse.initialize(at: tmp.path + "/wh", database: "db")
        let iw = try IcebergWarehouse(warehouse: wh)
        _ = try iw.createTable(TableSpec(name: "ev", columns: defs), partitionSpec: nil)
        return Setup(dir: tmp, wh: wh, iceberg: iw)
    }

    /// Lines `from..<to`: every 10th fails conversion (n is not a number).
    static func lines(_ r: Range<Int>) -> String {
        r.map { i in
            let n = i % 10 == 9 ? "\"x\"" : String(i % 1000 - 500)
            return "{\"id\":\"r\(i)\",\"n\":\(n),\"ts\":\"2024-03-01T10:00:\(String(format: "%02d", i % 60))Z\",\"score\":\(Double(i) / 4),"
                + "\"tags\":[\"a\(i % 3)\"],\"price\":\(i % 97).25,\"user\":{\"name\":\"u\(i % 7)\"}}\n"
        }.joined()
    }

    static func config(_ s: Setup, checkpoint: String? = nil) throws -> ConvertConfig {
        let committer = try IcebergCommitter(catalog: s.iceberg.catalog, namespace: s.iceberg.namespace, name: "ev")
        let out = URL(fileURLWithPath: s.wh.directory).resolvingSymlinksInPath().path
        var d = DeliveryConfig(outDir: out, table: "ev", stream: "ev", prefix: try PrefixTemplate("data/", errorPrefix: false),
                               errorPrefix: try PrefixTemplate("!{firehose:error-output-type}/", errorPrefix: true))
        d.folder = committer.location
        d.dataSchema = try committer.dataSchema(defs.parquetSchema())
        d.bufferSize = 1  // every chunk is a flush
        var c = ConvertConfig(delivery: d, columns: defs)
        c.committer = committer
        c.checkpoint = checkpoint
        c.chunkBytes = 64 << 10
        c.arrivalTime = 1_709_287_200_000
        c.clock = FixedClock(millis: c.arrivalTime!)
        return c
    }

    static func ids(_ s: Setup) throws -> [String] {
        let t = try s.iceberg.catalog.loadTable(s.iceberg.namespace, "ev")
        return try t.scan().map { row -> String in
            guard case .object(let fs) = row, case .string(let id)? = fs.first(where: { $0.name == "id" })?.value else { return "?" }
            return id
        }.sorted()
    }

    static func want(_ r: Range<Int>) -> [String] { r.filter { $0 % 10 != 9 }.map { "r\($0)" }.sorted() }

    @Test func appendsSnapshotsWithFieldIdsAndMetrics() throws {
        let s = try Self.setup()
        let input = s.dir.path + "/in.ndjson"
        try Self.lines(0..<3000).write(toFile: input, atomically: true, encoding: .utf8)
        let stats = try Converter(config: try Self.config(s)).run(inputs: [input])
        #expect(stats.recordsFailed == 300)
        let t = try s.iceberg.catalog.loadTable(s.iceberg.namespace, "ev")
        let snaps = t.metadata.snapshots
        #expect(snaps.count >= 2)  // ~300 KB in 64 KiB chunks: one commit per chunk
        #expect(t.metadata.currentSnapshot?.summaryValue("total-records") == "2700")
        #expect(t.metadata.ancestry(of: t.metadata.currentSnapshotId).count == snaps.count)
        #expect(try Self.ids(s) == Self.want(0..<3000))
        // every data file: field ids in its schema, metrics equal to its rows'
        let schema = t.metadata.currentSchema
        let nId = schema.fields.first { $0.name == "n" }!.id
        let idId = schema.fields.first { $0.name == "id" }!.id
        for df in try t.dataFiles() {
            #expect(df.filePath.hasPrefix(t.metadata.location + "/data/"))
            let f = try ParquetFile(path: df.filePath)
            #expect(f.schema.root.children.allSatisfy { $0.fieldId != nil })
            let rows = try f.readValues()
            let ns = rows.compactMap { r -> Int64? in
                guard case .object(let fs) = r, case .int(let v)? = fs.first(where: { $0.name == "n" })?.value else { return nil }
                return v
            }
            #expect(df.recordCount == Int64(rows.count))
            let lo = df.lowerBounds.first { $0.0 == nId }.flatMap { IcebergLiteral.deserialize($0.1, type: .int) }
            let hi = df.upperBounds.first { $0.0 == nId }.flatMap { IcebergLiteral.deserialize($0.1, type: .int) }
            #expect(lo == .int(Int32(ns.min()!)))
            #expect(hi == .int(Int32(ns.max()!)))
            #expect(df.nullValueCounts.first { $0.0 == nId }?.1 == 0)
            #expect(df.valueCounts.first { $0.0 == idId }?.1 == Int64(rows.count))
        }
        // error records beside the data, once each
        let failed = try FileManager.default.subpathsOfDirectory(atPath: t.metadata.location + "/format-conversion-failed")
        #expect(!failed.isEmpty)
    }

    @Test func rerunRemovesAnUncommittedFlushAndResumesFromItsBase() throws {
        let s = try Self.setup()
        let x = s.dir.path + "/x.ndjson", y = s.dir.path + "/y.ndjson", cp = s.dir.path + "/cp.json"
        try Self.lines(0..<1000).write(toFile: x, atomically: true, encoding: .utf8)
        try Self.lines(1000..<2000).write(toFile: y, atomically: true, encoding: .utf8)
        _ = try Converter(config: try Self.config(s, checkpoint: cp)).run(inputs: [x])
        // a run that logged a flush of y and crashed before its commit: its data file lies under data/, unnamed
        let logged = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cp))) as! [String: Any]
        let commit = logged["commit"] as! [String: Any]
        let seq = commit["seq"] as! Int
        let location = try IcebergCommitter(catalog: s.iceberg.catalog, namespace: s.iceberg.namespace, name: "ev").location
        let orphan = location + "/data/ev-crashed.parquet"
        try Data("not committed".utf8).write(to: URL(fileURLWithPath: orphan))
        let inputs = logged["inputs"] as! [[String: Any]]
        let crashed: [String: Any] = [
            "version": 1,
            "inputs": inputs + [["path": y, "offset": 5000, "line": 40, "done": false]],
            "pending": [],
            "commit": ["id": commit["id"]!, "seq": seq + 1, "base": inputs, "files": [[s.dir.path + "/gone", orphan]]],
        ]
        try JSONSerialization.data(withJSONObject: crashed).write(to: URL(fileURLWithPath: cp))
        _ = try Converter(config: try Self.config(s, checkpoint: cp)).run(inputs: [x, y])
        #expect(!FileManager.default.fileExists(atPath: orphan))
        #expect(try Self.ids(s) == Self.want(0..<2000))
        // the snapshots carry increasing sequence numbers of one checkpoint id
        let t = try s.iceberg.catalog.loadTable(s.iceberg.namespace, "ev")
        let seqs = t.metadata.ancestry(of: t.metadata.currentSnapshotId).reversed().compactMap {
            t.metadata.snapshot(id: $0)?.summaryValue(IcebergCommitter.checkpointSeqKey).flatMap { Int($0) }
        }
        #expect(seqs.count == t.metadata.snapshots.count)
        #expect(seqs == seqs.sorted() && Set(seqs).count == seqs.count)
        #expect(seqs.contains(seq + 2))  // the first flush after the crashed one
    }

    @Test func aStaleCheckpointYieldsToTheCommittedSnapshot() throws {
        let s = try Self.setup()
        let x = s.dir.path + "/x.ndjson", y = s.dir.path + "/y.ndjson", cp = s.dir.path + "/cp.json"
        try Self.lines(0..<800).write(toFile: x, atomically: true, encoding: .utf8)
        try Self.lines(800..<1600).write(toFile: y, atomically: true, encoding: .utf8)
        _ = try Converter(config: try Self.config(s, checkpoint: cp)).run(inputs: [x])
        let old = try Data(contentsOf: URL(fileURLWithPath: cp))
        _ = try Converter(config: try Self.config(s, checkpoint: cp)).run(inputs: [x, y])
        try old.write(to: URL(fileURLWithPath: cp))  // an older copy of the checkpoint comes back
        let before = try s.iceberg.catalog.loadTable(s.iceberg.namespace, "ev").metadata.snapshots.count
        _ = try Converter(config: try Self.config(s, checkpoint: cp)).run(inputs: [x, y])
        #expect(try s.iceberg.catalog.loadTable(s.iceberg.namespace, "ev").metadata.snapshots.count == before)
        #expect(try Self.ids(s) == Self.want(0..<1600))
    }

    @Test func dataSchemaRefusesWhatTheTableCannotStore() throws {
        let s = try Self.setup()
        let committer = try IcebergCommitter(catalog: s.iceberg.catalog, namespace: s.iceberg.namespace, name: "ev")
        #expect(throws: (any Error).self) { try committer.dataSchema(Self.defs.parquetSchema(timestamp: .millis)) }
        let other = ColumnDefinitions(columns: [HiveColumn(name: "nope", type: .string)])
        #expect(throws: (any Error).self) { try committer.dataSchema(other.parquetSchema()) }
        let s2 = try committer.dataSchema(Self.defs.parquetSchema())
        #expect(s2.columns.count == Self.defs.parquetSchema().columns.count)
        #expect(s2.root.children.map(\.fieldId) == s.iceberg.catalog.loadTableFields("db", "ev"))
    }
}

extension SQLCatalog {
    func loadTableFields(_ ns: String, _ name: String) -> [Int32?] {
        ((try? loadTable([ns], name))?.metadata.currentSchema.fields ?? []).map { Int32($0.id) }
    }
}
