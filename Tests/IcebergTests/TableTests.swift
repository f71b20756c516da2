import Foundation
import Testing
import Parquet
@testable import Iceberg

/// A table of events partitioned by hour(event_time), the shape Floe's warehouse writes.
enum Fixture {
    static let schema = IcebergSchema(schemaId: 0, fields: [
        NestedField(id: 1, name: "id", type: .long, required: true),
        NestedField(id: 2, name: "event_time", type: .timestamptz, required: true),
        NestedField(id: 3, name: "name", type: .string),
        NestedField(id: 4, name: "score", type: .double),
        NestedField(id: 5, name: "tags", type: .list(elementId: 7, element: .string, elementRequired: false)),
        NestedField(id: 6, name: "where", type: .structure([NestedField(id: 8, name: "city", type: .string),
                                                              NestedField(id: 9, name: "day", type: .date)])),
    ])
    static let spec = PartitionSpec(specId: 0, fields: [PartitionField(sourceId: 2, fieldId: 1000, name: "event_time_hour", transform: .hour)])
    static let hour0: Int64 = 1_767_225_600_000_000  // 2026-01-01T00:00:00Z

    static func row(_ i: Int, base: Int = 0) -> ParquetValue {
        let n = i + base
        return .object([
            ParquetField("id", .int(Int64(n))),
            ParquetField("event_time", .int(hour0 + Int64(i % 3) * 3_600_000_000 + Int64(i) * 1_000_000)),
            ParquetField("name", i % 5 == 0 ? .null : .string("name-\(n)-é")),
            ParquetField("score", .double(i % 7 == 0 ? .nan : Double(i) / 2)),
            ParquetField("tags", .array([.string("t\(i % 3)")])),
            ParquetField("where", .object([ParquetField("city", .string("c\(i % 4)")), ParquetField("day", .int(20454))])),
        ])
    }
}

@Suite("Iceberg tables")
struct TableTests {
    @Test func metadataJSONRoundTrip() throws {
        var m = try TableMetadata(location: "/w/db/t", schema: Fixture.schema, spec: Fixture.spec,
                                  sortOrder: SortOrder(orderId: 1, fields: [SortField(sourceId: 1, ascending: false, nullsFirst: false)]),
                                  properties: [("commit.retry.num-retries", "7")])
        m.snapshots = [Snapshot(snapshotId: 5, parentSnapshotId: nil, sequenceNumber: 1, timestampMs: 10, manifestList: "/w/l.avro",
                                summary: [("operation", "append"), ("total-records", "3")], schemaId: 0)]
        m.currentSnapshotId = 5
        m.refs = [("main", SnapshotRef(snapshotId: 5, type: "branch"))]
        m.snapshotLog = [(5, 10)]
        m.metadataLog = [("/w/db/t/metadata/00000-x.metadata.json", 9)]
        let text = JSONSerializerBytes(m)
        let back = try TableMetadata.parse(text, file: "m.json")
        #expect(back == m)
        #expect(back.currentSchema.field(id: 8)?.name == "city")
        #expect(back.currentSchema.highestFieldId == 9)
        #expect(back.lastPartitionId == 1000)
        #expect(CommitRetry(properties: back.properties).numRetries == 7)
        #expect(throws: IcebergError.self) { try TableMetadata.parse(Array("{\"format-version\":3}".utf8), file: "m.json") }
        #expect(throws: IcebergError.self) {
            try TableMetadata(location: "/x", schema: IcebergSchema(fields: [NestedField(id: 1, name: "a", type: .int),
                                                                              NestedField(id: 1, name: "b", type: .int)]))
        }
    }

    /// Manifests carry the spec's record names and field ids; reading them back gives the entries written.
    @Test func manifestRoundTrip() throws {
        var df = DataFile(filePath: "/w/data/a.parquet", partition: [.int(490_896)], recordCount: 3, fileSizeInBytes: 100)
        df.columnSizes = [(1, 10), (2, 20)]
        df.valueCounts = [(1, 3)]
        df.nullValueCounts = [(1, 0)]
        df.nanValueCounts = [(4, 1)]
        df.lowerBounds = [(1, IcebergLiteral.long(1).serialized)]
        df.upperBounds = [(1, IcebergLiteral.long(3).serialized)]
        df.splitOffsets = [4]
        df.sortOrderId = 0
        let entry = ManifestEntry(status: 1, snapshotId: 9, sequenceNumber: nil, fileSequenceNumber: nil, dataFile: df)
        let bytes = try ManifestIO.writeManifest(entries: [entry], schema: Fixture.schema, spec: Fixture.spec)
        let c = try AvroContainer(bytes: bytes, file: "m.avro")
        #expect(c.metadataString("format-version") == "2")
        #expect(c.metadataString("partition-spec-id") == "0")
        #expect(c.metadataString("content") == "data")
        let text = c.schema.jsonText()
        for needle in ["\"name\":\"manifest_entry\"", "\"name\":\"r2\"", "\"name\":\"r102\"", "\"name\":\"k117_v118\"",
                       "\"name\":\"k126_v127\"", "\"field-id\":1000", "\"field-id\":134", "\"element-id\":133", "\"logicalType\":\"map\""] {
            #expect(text.contains(needle), "\(needle) in \(text)")
        }
        let mf = ManifestFile(manifestPath: "m.avro", manifestLength: Int64(bytes.count), partitionSpecId: 0, content: 0,
                              sequenceNumber: 4, minSequenceNumber: 4, addedSnapshotId: 9, addedFilesCount: 1, existingFilesCount: 0,
                              deletedFilesCount: 0, addedRowsCount: 3, existingRowsCount: 0, deletedRowsCount: 0,
                              partitions: [FieldSummary(containsNull: false, containsNaN: false, lowerBound: [1], upperBound: [2])])
        let back = try ManifestIO.readManifest(bytes, file: "m.avro", manifest: mf, spec: Fixture.spec, schema: Fixture.schema)
        #expect(back.count == 1)
        #expect(back[0].dataFile == df)
        #expect(back[0].sequenceNumber == 4)  // inherited
        let list = try ManifestIO.writeManifestList([mf], snapshotId: 9, parentSnapshotId: nil, sequenceNumber: 4)
        let lc = try AvroContainer(bytes: list, file: "l.avro")
        #expect(lc.metadataString("parent-snapshot-id") == "null")
        #expect(lc.schema.jsonText().contains("\"name\":\"r508\""))
        #expect(try ManifestIO.readManifestList(list, file: "l.avro") == [mf])
    }

    /// Data files: field ids in the Parquet schema, one file per hour, metrics per column.
    @Test func dataFilesAndMetrics() throws {
        let tmp = TempFolder()
        let w = DataFileWriter(schema: Fixture.schema, spec: Fixture.spec, location: tmp.path + "/t")
        let files = try w.write(rows: (0..<30).map { Fixture.row($0) })
        #expect(files.count == 3)
        #expect(files.allSatisfy { $0.filePath.contains("/data/event_time_hour=2026-01-01-0") })
        #expect(files.reduce(0) { $0 + $1.recordCount } == 30)
        let f0 = files[0]
        let pf = try ParquetFile(path: f0.filePath)
        let ids = pf.schema.root.children.map(\.fieldId)
        #expect(ids == [1, 2, 3, 4, 5, 6])
        #expect(pf.schema.root.children[4].children[0].children[0].fieldId == 7)  // list element
        func count(_ m: [(Int, Int64)], _ id: Int) -> Int64? { m.first { $0.0 == id }?.1 }
        #expect(count(f0.valueCounts, 1) == 10)
        #expect(count(f0.nullValueCounts, 3) == 2)  // i = 0, 15
        #expect(count(f0.nanValueCounts, 4) == 2)  // i = 0, 21
        let lo = f0.lowerBounds.first { $0.0 == 1 }.map { IcebergLiteral.deserialize($0.1, type: .long) }
        let hi = f0.upperBounds.first { $0.0 == 1 }.map { IcebergLiteral.deserialize($0.1, type: .long) }
        #expect(lo == .long(0))
        #expect(hi == .long(27))
        #expect(f0.lowerBounds.contains { $0.0 == 8 })  // nested struct column
        #expect(f0.columnSizes.count == 7)  // every leaf: 1 2 3 4 7 8 9
        #expect(f0.splitOffsets?.first == 4)
        #expect(try pf.readValues().count == 10)
    }

    @Test(arguments: CatalogBackend.allCases) func catalogAppendsAccumulate(_ backend: CatalogBackend) throws {
        let tmp = TempFolder()
        guard let cats = TestCatalogs(backend, tmp) else { return }
        let cat = try cats.open()
        try cat.createNamespace(["db"])
        #expect(throws: IcebergError.self) { try cat.createNamespace(["db"]) }
        var t = try cat.createTable(["db"], "events", schema: Fixture.schema, spec: Fixture.spec)
        #expect(throws: IcebergError.self) { try cat.createTable(["db"], "events", schema: Fixture.schema) }
        #expect(try cat.listTables(["db"]) == ["events"])
        let writer = DataFileWriter(schema: Fixture.schema, spec: Fixture.spec, location: t.metadata.location)
        for round in 0..<3 {
            t = try cat.append(["db"], "events", files: try writer.write(rows: (0..<10).map { Fixture.row($0, base: round * 100) }))
        }
        let loaded = try cat.loadTable(["db"], "events")
        #expect(loaded.metadataLocation == t.metadataLocation)
        #expect(loaded.metadataLocation.contains("/metadata/00003-"))
        let snap = try #require(loaded.metadata.currentSnapshot)
        #expect(snap.summaryValue("total-records") == "30")
        #expect(snap.summaryValue("total-data-files") == "9")
        #expect(snap.summaryValue("added-records") == "10")
        #expect(snap.sequenceNumber == 3)
        #expect(loaded.metadata.snapshots.count == 3)
        #expect(loaded.metadata.metadataLog.count == 3)
        #expect(loaded.metadata.refs.first?.0 == "main")
        let files = try loaded.dataFiles()
        #expect(files.count == 9)
        #expect(files.reduce(0) { $0 + $1.recordCount } == 30)
        // the first snapshot still lists its own three files
        #expect(try loaded.dataFiles(snapshotId: loaded.metadata.snapshots[0].snapshotId).count == 3)
        let hint = String(decoding: try LocalFileIO.read(loaded.metadata.location + "/metadata/version-hint.text"), as: UTF8.self)
        #expect(loaded.metadataLocation == loaded.metadata.location + "/metadata/" + hint + ".metadata.json")
        #expect(throws: IcebergError.self) { try cat.loadTable(["db"], "nope") }
    }

    /// Concurrent writers on one table through separate connections: every append lands once, the snapshots
    /// form one parent chain, and lost swaps leave no stray metadata files.
    @Test(arguments: CatalogBackend.allCases) func concurrentCommits(_ backend: CatalogBackend) throws {
        let tmp = TempFolder()
        guard let cats = TestCatalogs(backend, tmp) else { return }
        let cat = try cats.open()
        try cat.createNamespace(["db"])
        let t = try cat.createTable(["db"], "events", schema: Fixture.schema, spec: .unpartitioned,
                                    properties: [("commit.retry.num-retries", "100"), ("commit.retry.min-wait-ms", "1"),
                                                 ("commit.retry.max-wait-ms", "20")])
        let writers = 4, commits = 8
        let errors = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: writers) { w in
            do {
                let c = try cats.open()
                let dw = DataFileWriter(schema: Fixture.schema, spec: .unpartitioned, location: t.metadata.location)
                for k in 0..<commits {
                    try c.append(["db"], "events", files: try dw.write(rows: (0..<(w + 1)).map { Fixture.row($0, base: w * 1000 + k * 10) }))
                }
            } catch {
                errors.withLock { $0.append("\(error)") }
            }
        }
        #expect(errors.withLock { $0 } == [])
        let m = try cat.loadTable(["db"], "events").metadata
        #expect(m.snapshots.count == writers * commits)
        #expect(m.currentSnapshot?.summaryValue("total-records") == String((1...writers).reduce(0, +) * commits))
        var chain = 0
        var cur = m.currentSnapshot
        while let s = cur { chain += 1; cur = s.parentSnapshotId.flatMap { m.snapshot(id: $0) } }
        #expect(chain == writers * commits)
        let metas = try FileManager.default.contentsOfDirectory(atPath: m.location + "/metadata").filter { $0.hasSuffix(".metadata.json") }
        #expect(metas.count == writers * commits + 1)
    }
}

import Synchronization

@Suite("Iceberg overwrites")
struct OverwriteTests {
    /// An overwrite removes exactly the selected files, keeps the others as EXISTING with their sequence numbers,
    /// and its summary totals follow; the previous snapshot still reads as before.
    @Test(arguments: CatalogBackend.allCases) func overwriteByPartitionAndWhole(_ backend: CatalogBackend) throws {
        let tmp = TempFolder()
        guard let cats = TestCatalogs(backend, tmp) else { return }
        let cat = try cats.open()
        try cat.createNamespace(["db"])
        let t = try cat.createTable(["db"], "t", schema: Fixture.schema, spec: Fixture.spec)
        let w = DataFileWriter(schema: Fixture.schema, spec: Fixture.spec, location: t.metadata.location)
        for round in 0..<2 { try cat.append(["db"], "t", files: try w.write(rows: (0..<30).map { Fixture.row($0, base: round * 100) })) }
        let before = try cat.loadTable(["db"], "t")
        let hour0: IcebergLiteral = .int(Int32(Fixture.hour0 / 3_600_000_000))
        let o = try cat.overwrite(["db"], "t", adding: try w.write(rows: [Fixture.row(0, base: 900)])) { $0.partition == [hour0] }
        let s = try #require(o.metadata.currentSnapshot)
        #expect(s.operation == "overwrite")
        #expect(s.summaryValue("deleted-data-files") == "2")
        #expect(s.summaryValue("deleted-records") == "20")
        #expect(s.summaryValue("total-records") == "41")
        #expect(s.summaryValue("total-data-files") == "5")
        #expect(s.sequenceNumber == 3)
        let files = try o.dataFiles()
        #expect(files.count == 5)
        #expect(try o.scan().count == 41)
        #expect(try o.dataFiles(snapshotId: before.metadata.currentSnapshotId).count == 6)
        // existing entries keep the sequence number of the append that added them
        let entries = try IcebergTable.liveEntries(s, o.metadata)
        #expect(Set(entries.compactMap(\.sequenceNumber)) == [1, 2, 3])
        let all = try cat.overwrite(["db"], "t", adding: []) { _ in true }
        #expect(all.metadata.currentSnapshot?.operation == "delete")
        #expect(all.metadata.currentSnapshot?.summaryValue("total-records") == "0")
        #expect(try all.scan().isEmpty)
    }
}

/// Spec "Row-level Deletes" and "Scan Planning": a position delete applies to data files with a data sequence
/// number <= its own; an equality delete to data files with a strictly smaller one, within its partition.
@Suite("Iceberg row-level deletes")
struct DeleteTests {
    static func ids(_ rows: [ParquetValue]) -> Set<Int64> {
        Set(rows.compactMap { r in
            guard case .object(let fs) = r, case .int(let id)? = fs.first(where: { $0.name == "id" })?.value else { return nil }
            return id
        })
    }

    @Test(arguments: CatalogBackend.allCases) func positionAndEqualityDeletes(_ backend: CatalogBackend) throws {
        let tmp = TempFolder()
        guard let cats = TestCatalogs(backend, tmp) else { return }
        let cat = try cats.open()
        try cat.createNamespace(["db"])
        let t = try cat.createTable(["db"], "t", schema: Fixture.schema, spec: Fixture.spec)
        let w = DataFileWriter(schema: Fixture.schema, spec: Fixture.spec, location: t.metadata.location)
        let files = try w.write(rows: (0..<30).map { Fixture.row($0) })  // hour = i % 3
        try cat.append(["db"], "t", files: files)
        // positions 0 and 2 of the hour-0 file (ids 0 and 6), plus a position in a file that is not there
        let f0 = files[0]
        let pd = try w.writePositionDeletes([(f0.filePath, 2), (f0.filePath, 0), ("/nowhere.parquet", 1)], partition: f0.partition)
        var s = try cat.append(["db"], "t", files: [pd])
        #expect(s.metadata.currentSnapshot?.operation == "delete")
        #expect(s.metadata.currentSnapshot?.summaryValue("total-position-deletes") == "3")
        #expect(s.metadata.currentSnapshot?.summaryValue("total-delete-files") == "1")
        var ids = Self.ids(try s.scan())
        #expect(ids == Set(0..<30).subtracting([0, 6]))
        // equality delete on id in the hour-2 partition: ids 5 and 8 go; id 4 (hour 1) stays although listed
        let hour2 = files.first { $0.filePath.contains("2026-01-01-02") }!.partition
        let eq = try w.writeEqualityDeletes([.object([ParquetField("id", .int(5))]), .object([ParquetField("id", .int(8))]),
                                             .object([ParquetField("id", .int(4))])], equalityIds: [1], partition: hour2)
        s = try cat.append(["db"], "t", files: [eq])
        #expect(s.metadata.currentSnapshot?.summaryValue("total-equality-deletes") == "3")
        ids = Self.ids(try s.scan())
        #expect(ids == Set(0..<30).subtracting([0, 6, 5, 8]))
        // a row appended after the equality delete has a larger sequence number: not deleted
        s = try cat.append(["db"], "t", files: try w.write(rows: [Fixture.row(5)]))
        #expect(try s.scan().count == 27)
        // the earlier snapshot still reads without the equality delete
        #expect(Self.ids(try s.scan(snapshotId: s.metadata.snapshots[1].snapshotId)) == Set(0..<30).subtracting([0, 6]))
        // data files listing ignores delete files
        #expect(try s.dataFiles().count == 4)
    }
}

@Suite("Iceberg snapshot expiry and time travel")
struct ExpireTests {
    @Test(arguments: CatalogBackend.allCases) func expireKeepsWhatRetainedSnapshotsNeed(_ backend: CatalogBackend) throws {
        let tmp = TempFolder()
        guard let cats = TestCatalogs(backend, tmp) else { return }
        let cat = try cats.open()
        try cat.createNamespace(["db"])
        let t = try cat.createTable(["db"], "t", schema: Fixture.schema, spec: Fixture.spec)
        let w = DataFileWriter(schema: Fixture.schema, spec: Fixture.spec, location: t.metadata.location)
        let first = try w.write(rows: (0..<9).map { Fixture.row($0) })
        try cat.append(["db"], "t", files: first)
        try cat.append(["db"], "t", files: try w.write(rows: (0..<9).map { Fixture.row($0, base: 100) }))
        // the third snapshot removes the first append's hour-0 file
        let hour0: IcebergLiteral = .int(Int32(Fixture.hour0 / 3_600_000_000))
        let removed = first.first { $0.partition == [hour0] }!.filePath
        let o = try cat.overwrite(["db"], "t", adding: []) { $0.filePath == removed }
        let m = o.metadata
        #expect(m.snapshot(asOf: m.snapshotLog[1].1)?.snapshotId == m.snapshotLog[1].0)
        #expect(m.snapshot(asOf: m.snapshotLog[0].1 - 1) == nil)
        #expect(m.ancestry(of: m.currentSnapshotId).count == 3)
        let before = try o.scan().count
        let r = try cat.expireSnapshots(["db"], "t", retainLast: 2)
        #expect(r.expiredSnapshotIds == [m.snapshots[0].snapshotId])
        // the second snapshot (retained) still reads the removed file and the first append's manifest
        #expect(r.deletedFiles == [m.snapshots[0].manifestList])
        #expect(LocalFileIO.exists(removed))
        let r2 = try cat.expireSnapshots(["db"], "t", retainLast: 1)
        #expect(r2.expiredSnapshotIds == [m.snapshots[1].snapshotId])
        #expect(r2.deletedFiles.contains(removed))  // no retained snapshot has it live now
        #expect(r2.deletedFiles.contains(m.snapshots[1].manifestList))
        #expect(!LocalFileIO.exists(removed))
        let after = try cat.loadTable(["db"], "t")
        #expect(after.metadata.snapshots.count == 1)
        #expect(try after.scan().count == before)
        // every file the retained snapshots read is still there
        for s in after.metadata.snapshots { for f in try after.dataFiles(snapshotId: s.snapshotId) { #expect(LocalFileIO.exists(f.filePath)) } }
        #expect(throws: IcebergError.self) { try cat.expireSnapshots(["db"], "t", retainLast: 0) }
        // nothing older than the cutoff: nothing expires
        #expect(try cat.expireSnapshots(["db"], "t", olderThanMs: 0, retainLast: 1).expiredSnapshotIds.isEmpty)
    }
}

@Suite("Iceberg commit conflicts")
struct ConflictTests {
    /// A swap lost to a concurrent commit is retried on the new base; with no retries left it fails with
    /// commitConflict and removes every file of the failed attempts (nothing of it is referenced).
    @Test(arguments: CatalogBackend.allCases) func lostSwapRetriesThenGivesUp(_ backend: CatalogBackend) throws {
        let tmp = TempFolder()
        guard let cats = TestCatalogs(backend, tmp) else { return }
        let a = try cats.open()
        let b = try cats.open()
        try a.createNamespace(["db"])
        let t = try a.createTable(["db"], "t", schema: Fixture.schema, properties: [("commit.retry.num-retries", "1"),
                                                                                  ("commit.retry.min-wait-ms", "1")])
        let w = DataFileWriter(schema: Fixture.schema, spec: .unpartitioned, location: t.metadata.location)
        let files = try w.write(rows: [Fixture.row(1)])
        var attempts = 0
        // every attempt of `a` loses to a commit `b` makes between a's read and a's swap
        let r: Result<IcebergTable, IcebergError> = Result { () throws(IcebergError) in
            try a.commit(["db"], "t") { (base, loc, files2) throws(IcebergError) in
                attempts += 1
                try b.append(["db"], "t", files: try w.write(rows: [Fixture.row(100 + attempts)]))
                var op = AppendFiles(files: files)
                return try op.apply(to: base, metadataLocation: loc, attempt: &files2)
            }
        }
        guard case .failure(.commitConflict) = r else { Issue.record("expected commitConflict, got \(r)"); return }
        #expect(attempts == 2)  // the first try and one retry
        let m = try a.loadTable(["db"], "t").metadata
        #expect(m.snapshots.count == 2)  // b's two appends only
        let metaDir = try localPath(m.location) + "/metadata"
        let names = try FileManager.default.contentsOfDirectory(atPath: metaDir)
        #expect(names.filter { $0.hasSuffix(".metadata.json") }.count == 3)  // create + b's two commits
        #expect(names.filter { $0.hasPrefix("snap-") }.count == 2)  // a's manifest lists were removed
        // a retry that finds the base quiet succeeds on top of b's commits, parent = b's last snapshot
        let ok = try a.append(["db"], "t", files: files)
        #expect(ok.metadata.currentSnapshot?.parentSnapshotId == m.currentSnapshotId)
        #expect(ok.metadata.currentSnapshot?.summaryValue("total-records") == "3")
    }
}
