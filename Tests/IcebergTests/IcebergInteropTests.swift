import Foundation
import Testing
import JSON
import Parquet
@testable import Iceberg

/// pyiceberg's SqlCatalog on the SQLite catalog Floe writes, and Floe on tables pyiceberg writes.
@Suite("Iceberg interop (pyiceberg)", .serialized)
struct IcebergInteropTests {
    /// Rows as the JSON lines iceberg_interop.py compares (numbers as is, NaN as "NaN", bytes as hex).
    static func jsonl(_ rows: [ParquetValue]) -> String {
        func j(_ v: ParquetValue) -> JSONValue {
            switch v {
            case .null: return .null
            case .bool(let b): return .bool(b)
            case .int(let i): return .number(JSONNumber(i))
            case .uint64(let u): return .number(JSONNumber(u))
            case .double(let d): return d.isNaN ? "NaN" : (JSONNumber(d).map { .number($0) } ?? .null)
            case .float(let f): return f.isNaN ? "NaN" : (JSONNumber(Double(f)).map { .number($0) } ?? .null)
            case .string(let s): return .string(s)
            case .bytes(let b): return .string(b.map { String(format: "%02x", $0) }.joined())
            case .array(let a): return .array(a.map(j))
            case .object(let fs): return .object(JSONObject(fs.map { ($0.name, j($0.value)) }))
            case .map(let es): return .object(JSONObject(es.map { (JSONSerializer.string(j($0.key)), j($0.value)) }))
            }
        }
        return rows.map { JSONSerializer.string(j($0)) + "\n" }.joined()
    }

    /// pyiceberg's SqlCatalog on the PostgreSQL catalog (psycopg2) loads the table Floe committed there: field
    /// ids, the hour partition spec, summaries, the parent chain, rows equal as a multiset, one hour's files
    /// planned for a one-hour filter (the same checks as on SQLite).
    @Test func pyicebergReadsFloeOnPostgres() throws {
        guard let py = PythonPeer.python(needing: ["pyiceberg.catalog.sql", "pyarrow", "sqlalchemy", "psycopg2"],
                                         test: "pyiceberg interop on PostgreSQL") else { return }
        let tmp = TempFolder()
        guard let cats = TestCatalogs(.postgresql, tmp) else { return }
        let cat = try cats.open()
        try cat.createNamespace(["db"])
        let t = try cat.createTable(["db"], "events", schema: Fixture.schema, spec: Fixture.spec)
        let writer = DataFileWriter(schema: Fixture.schema, spec: Fixture.spec, location: t.metadata.location)
        var all: [ParquetValue] = []
        for round in 0..<3 {
            let rows = (0..<40).map { Fixture.row($0, base: round * 1000) }
            try cat.append(["db"], "events", files: try writer.write(rows: rows))
            all += rows
        }
        try Self.jsonl(all).write(toFile: tmp.path + "/expected.jsonl", atomically: true, encoding: .utf8)
        let r = try PythonPeer.run(py, [PythonPeer.script("iceberg_interop.py"), "read-floe", cats.url, cats.warehouse,
                                        tmp.path + "/expected.jsonl"], env: ["FLOE_CATALOG_NAME": cats.name])
        #expect(r.status == 0, "pyiceberg reading Floe's table through PostgreSQL: \(r.err)")
        print("read-floe (PostgreSQL):", r.out.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func pyicebergReadsFloeAndFloeReadsPyiceberg() throws {
        guard let py = PythonPeer.python(needing: ["pyiceberg.catalog.sql", "pyarrow", "sqlalchemy"], test: "pyiceberg interop") else { return }
        let tmp = TempFolder()
        let db = tmp.path + "/catalog.db", wh = tmp.path + "/warehouse"
        let script = PythonPeer.script("iceberg_interop.py")

        // Floe writes db.events (hour partitions, three appends) through its SQLite catalog.
        let cat = try SQLiteCatalog(path: db, warehouse: wh)
        try cat.createNamespace(["db"])
        let t = try cat.createTable(["db"], "events", schema: Fixture.schema, spec: Fixture.spec)
        let writer = DataFileWriter(schema: Fixture.schema, spec: Fixture.spec, location: t.metadata.location)
        var all: [ParquetValue] = []
        for round in 0..<3 {
            let rows = (0..<50).map { Fixture.row($0, base: round * 1000) }
            try cat.append(["db"], "events", files: try writer.write(rows: rows))
            all += rows
        }
        try Self.jsonl(all).write(toFile: tmp.path + "/expected.jsonl", atomically: true, encoding: .utf8)
        var r = try PythonPeer.run(py, [script, "read-floe", db, wh, tmp.path + "/expected.jsonl"])
        #expect(r.status == 0, "pyiceberg reading Floe's table: \(r.err)")
        print("read-floe:", r.out.trimmingCharacters(in: .whitespacesAndNewlines))
        // Floe's own scan equals what it wrote.
        try Self.jsonl(try cat.loadTable(["db"], "events").scan()).write(toFile: tmp.path + "/floe-events.jsonl", atomically: true, encoding: .utf8)
        r = try PythonPeer.run(py, [script, "compare", tmp.path + "/expected.jsonl", tmp.path + "/floe-events.jsonl"])
        #expect(r.status == 0, "Floe's scan of its own table: \(r.err)")

        // Floe overwrites hour 1 of db.events (the files of that partition go, ten new rows arrive) in one
        // snapshot; pyiceberg's scan has the other hours' rows and the new ones.
        let hour1: IcebergLiteral = .int(Int32(Fixture.hour0 / 3_600_000_000 + 1))
        let fresh = (0..<10).map { Fixture.row($0 * 3 + 1, base: 5000) }  // i % 3 == 1: hour 1
        let over = try cat.overwrite(["db"], "events", adding: try writer.write(rows: fresh)) { $0.partition == [hour1] }
        #expect(over.metadata.currentSnapshot?.operation == "overwrite")
        #expect(over.metadata.currentSnapshot?.summaryValue("deleted-records") == "51")  // 17 rows x 3 rounds
        #expect(over.metadata.currentSnapshot?.summaryValue("total-records") == "109")
        var kept: [ParquetValue] = []
        for round in 0..<3 { for i in 0..<50 where i % 3 != 1 { kept.append(Fixture.row(i, base: round * 1000)) } }
        try Self.jsonl(kept + fresh).write(toFile: tmp.path + "/over-expected.jsonl", atomically: true, encoding: .utf8)
        r = try PythonPeer.run(py, [script, "scan", db, wh, "events", tmp.path + "/over-py.jsonl"])
        #expect(r.status == 0, "pyiceberg scanning Floe's overwrite: \(r.err)")
        r = try PythonPeer.run(py, [script, "compare", tmp.path + "/over-expected.jsonl", tmp.path + "/over-py.jsonl"])
        #expect(r.status == 0, "pyiceberg's scan after Floe's overwrite: \(r.err)")

        // Floe deletes rows 0 and 1 of one data file by a position delete file; pyiceberg's scan applies it.
        let target = try #require(try over.dataFiles().first)
        let gone = DeleteTests.ids(try readRows(target.filePath).prefix(2).map { IcebergTable.project($0.0, fields: Fixture.schema.fields, node: $0.1) })
        let pd = try writer.writePositionDeletes([(target.filePath, 0), (target.filePath, 1)], partition: target.partition)
        try cat.append(["db"], "events", files: [pd])
        let afterDelete = (kept + fresh).filter { !DeleteTests.ids([$0]).isSubset(of: gone) }
        #expect(afterDelete.count == kept.count + fresh.count - 2)
        try Self.jsonl(afterDelete).write(toFile: tmp.path + "/del-expected.jsonl", atomically: true, encoding: .utf8)
        r = try PythonPeer.run(py, [script, "scan", db, wh, "events", tmp.path + "/del-py.jsonl"])
        #expect(r.status == 0, "pyiceberg scanning Floe's position deletes: \(r.err)")
        r = try PythonPeer.run(py, [script, "compare", tmp.path + "/del-expected.jsonl", tmp.path + "/del-py.jsonl"])
        #expect(r.status == 0, "pyiceberg's scan after Floe's position delete: \(r.err)")
        // Expiring all but the last two snapshots deletes unreferenced files; pyiceberg still reads the table.
        let expired = try cat.expireSnapshots(["db"], "events", retainLast: 2)
        #expect(expired.expiredSnapshotIds.count == 3)
        #expect(!expired.deletedFiles.isEmpty)
        r = try PythonPeer.run(py, [script, "scan", db, wh, "events", tmp.path + "/exp-py.jsonl"])
        #expect(r.status == 0, "pyiceberg scanning after expiry: \(r.err)")
        r = try PythonPeer.run(py, [script, "compare", tmp.path + "/del-expected.jsonl", tmp.path + "/exp-py.jsonl"])
        #expect(r.status == 0, "pyiceberg's scan after expiry: \(r.err)")

        // pyiceberg writes db.py_events into the same catalog; Floe scans it.
        r = try PythonPeer.run(py, [script, "write-py", db, wh, tmp.path + "/py.jsonl"])
        #expect(r.status == 0, "pyiceberg writing: \(r.err)")
        print("write-py:", r.out.trimmingCharacters(in: .whitespacesAndNewlines))
        let pyTable = try cat.loadTable(["db"], "py_events")
        #expect(pyTable.metadata.snapshots.count >= 6)  // 4 appends, a delete, an overwrite (one or two snapshots)
        #expect(pyTable.metadata.defaultSpec.fields.first?.transform == .day)
        #expect(pyTable.metadata.currentSchema.fields.map(\.name) == ["id", "ts", "title", "value", "point", "extra"])
        #expect(pyTable.metadata.schemas.count == 2)
        try Self.jsonl(try pyTable.scan()).write(toFile: tmp.path + "/floe-py.jsonl", atomically: true, encoding: .utf8)
        r = try PythonPeer.run(py, [script, "compare", tmp.path + "/py.jsonl", tmp.path + "/floe-py.jsonl"])
        #expect(r.status == 0, "Floe's scan of pyiceberg's table: \(r.err)")

        // Floe appends to pyiceberg's table; pyiceberg's scan then has both writers' rows.
        var more: [ParquetValue] = []
        for i in 0..<20 {
            let point: ParquetValue = .object([ParquetField("x", .int(Int64(i))), ParquetField("day", .int(20454))])
            let extra: ParquetValue = i % 3 == 0 ? .null : .string("x\(i)")
            let ts: Int64 = Fixture.hour0 + Int64(i) * 86_400_000_000
            more.append(.object([ParquetField("id", .int(Int64(90_000 + i))), ParquetField("ts", .int(ts)),
                                 ParquetField("title", .string("floe\(i)")), ParquetField("value", .double(Double(i))),
                                 ParquetField("point", point), ParquetField("extra", extra)]))
        }
        let pyWriter = DataFileWriter(schema: pyTable.metadata.currentSchema, spec: pyTable.metadata.defaultSpec,
                                      location: pyTable.metadata.location)
        #expect(pyTable.metadata.location.hasPrefix("file://"))  // pyiceberg's locations are URIs
        let after = try cat.append(["db"], "py_events", files: try pyWriter.write(rows: more))
        let before = Int(pyTable.metadata.currentSnapshot?.summaryValue("total-records") ?? "") ?? -1
        #expect(after.metadata.currentSnapshot?.summaryValue("total-records") == String(before + 20))
        let combined = String(decoding: try LocalFileIO.read(tmp.path + "/py.jsonl"), as: UTF8.self) + Self.jsonl(more)
        try combined.write(toFile: tmp.path + "/combined.jsonl", atomically: true, encoding: .utf8)
        r = try PythonPeer.run(py, [script, "scan", db, wh, "py_events", tmp.path + "/py-after.jsonl"])
        #expect(r.status == 0, "pyiceberg scanning after Floe's append: \(r.err)")
        r = try PythonPeer.run(py, [script, "compare", tmp.path + "/combined.jsonl", tmp.path + "/py-after.jsonl"])
        #expect(r.status == 0, "pyiceberg's scan after Floe's append: \(r.err)")
    }
}
