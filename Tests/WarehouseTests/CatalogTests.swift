import Foundation
import Testing

import Firehose
import JSON
import Warehouse

/// A fresh temporary folder, removed at deinit.
final class TempDir {
    let path: String
    init() {
        path = FileManager.default.temporaryDirectory.path + "/floe-wh-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    func mkdir(_ rel: String) {
        try! FileManager.default.createDirectory(atPath: path + "/" + rel, withIntermediateDirectories: true)
    }

    func touch(_ rel: String, _ text: String = "") {
        _ = FileManager.default.createFile(atPath: path + "/" + rel, contents: Data(text.utf8))
    }
}

/// 2024-05-01T12:34:56Z
let fixedNow: Int64 = 1_714_566_896

func columns(_ text: String) throws -> ColumnDefinitions { try ColumnDefinitions.parse(Array(text.utf8)) }

let eventColumns = #"[{"name":"id","type":"string","comment":"event id"},{"name":"user","type":"struct<id:bigint,name:string>"},{"name":"tags","type":"array<string>"},{"name":"score","type":"decimal(12,2)"},{"name":"ts","type":"timestamp"}]"#

func message(_ body: () throws -> Void) -> String {
    do {
        try body()
        return "no error"
    } catch {
        return "\(error)"
    }
}

@Suite("Warehouse catalog")
struct CatalogTests {
    @Test func initCreateListShowDrop() throws {
        let tmp = TempDir()
        let dir = tmp.path + "/wh"
        let w = try DataWarehouse.initialize(at: dir, database: "Analytics", now: fixedNow)
        var c = try w.catalog()
        #expect(c.database == "analytics")
        #expect(c.version == 1)
        #expect(c.createdAt == "2024-05-01T12:34:56Z")
        #expect(c.tables.isEmpty)

        let events = try w.createTable(TableSpec(name: "events", columns: try columns(eventColumns), kind: .streaming),
                                       now: fixedNow)
        #expect(events.kind == .streaming)
        #expect(events.partitionKeys == [HiveColumn(name: "inserted_at", type: .string)])
        #expect(events.location == "events/")
        #expect(FileManager.default.fileExists(atPath: dir + "/events"))

        // --partition-key inserted_at alone marks a streaming table; other keys a plain one.
        var defs = try columns(#"[{"name":"a","type":"int"}]"#)
        defs.partitionKeys = [HiveColumn(name: "inserted_at", type: .string)]
        #expect(try w.createTable(TableSpec(name: "raw", columns: defs, format: .json)).kind == .streaming)
        defs.partitionKeys = [HiveColumn(name: "dt", type: .date)]
        #expect(try w.createTable(TableSpec(name: "Daily", columns: defs, kind: .batch,
                                            properties: [("owner", "team-a")])).kind == .batch)
        defs.partitionKeys = []
        #expect(try w.createTable(TableSpec(name: "dim", columns: defs)).kind == .plain)

        c = try w.catalog()
        #expect(c.version == 5)
        #expect(c.tables.map(\.name) == ["daily", "dim", "events", "raw"])
        let shown = try w.table(named: "DAILY")
        #expect(shown.properties.map(\.key) == ["owner"])
        #expect(shown.partitionKeys == [HiveColumn(name: "dt", type: .date)])
        #expect(try w.table(named: "events") == events)
        #expect(try w.table(named: "events").columns[0].comment == "event id")

        // Exact messages and exit codes.
        #expect(message { try w.createTable(TableSpec(name: "events", columns: try columns(eventColumns))) }
            == "Duplicate table! Name: events")
        #expect(WarehouseError.duplicateTable("x").exitCode == 2)
        #expect(message { _ = try w.table(named: "nope") } == "Table 'nope' does not exist.")
        #expect(message { try w.dropTable(named: "nope") } == "Table 'nope' does not exist.")
        #expect(WarehouseError.tableNotFound("x").exitCode == 2)
        #expect(message { try w.createTable(TableSpec(name: "bad-name", columns: try columns(eventColumns))) }
            == "invalid table name 'bad-name': use letters, digits and underscores (at most 255)")
        #expect(message { _ = try DataWarehouse(opening: tmp.path + "/nowhere") }
            == "\(tmp.path)/nowhere is not a warehouse (no floe-catalog.json; create one with `floe warehouse init`)")
        #expect(message { try DataWarehouse.initialize(at: dir, database: "again") }
            == "\(dir) already holds a warehouse (floe-catalog.json exists)")
        var streamingWrongKey = try columns(#"[{"name":"a","type":"int"}]"#)
        streamingWrongKey.partitionKeys = [HiveColumn(name: "dt", type: .string)]
        #expect(message { try w.createTable(TableSpec(name: "s", columns: streamingWrongKey, kind: .streaming)) }
            == "a streaming table is partitioned by inserted_at only, not by dt")
        #expect(try w.catalog().version == 5)  // failed operations write nothing

        // Drop keeps the data unless purged.
        tmp.touch("wh/events/keep.parquet")
        try w.dropTable(named: "events")
        #expect(FileManager.default.fileExists(atPath: dir + "/events/keep.parquet"))
        tmp.touch("wh/dim/x.parquet")
        try w.dropTable(named: "dim", purge: true)
        #expect(!FileManager.default.fileExists(atPath: dir + "/dim"))
        #expect(try w.catalog().tables.map(\.name) == ["daily", "raw"])
        #expect(try w.catalog().version == 7)
    }

    @Test func catalogFileFormat() throws {
        let tmp = TempDir()
        let w = try DataWarehouse.initialize(at: tmp.path, database: "db", now: fixedNow)
        try w.createTable(TableSpec(name: "t", columns: try columns(#"[{"name":"a","type":"INT"}]"#),
                                    properties: [("k", "v")]), now: fixedNow)
        let text = try String(contentsOfFile: w.catalogPath, encoding: .utf8)
        #expect(text == """
        {
          "format": "floe-warehouse-catalog",
          "format_version": 1,
          "version": 2,
          "database": "db",
          "created_at": "2024-05-01T12:34:56Z",
          "updated_at": "2024-05-01T12:34:56Z",
          "tables": [
            {
              "name": "t",
              "kind": "plain",
              "format": "parquet",
              "location": "t/",
              "columns": [
                {
                  "name": "a",
                  "type": "int"
                }
              ],
              "partition_keys": [],
              "properties": {
                "k": "v"
              },
              "created_at": "2024-05-01T12:34:56Z",
              "partitions": []
            }
          ]
        }

        """)
        // No temporary files are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).sorted()
            == [".floe-catalog.lock", "floe-catalog.json", "t"])

        // A damaged catalog is a configuration error, exit 2 for every command (issue 11: it was 1 for `table`
        // and 2 for `convert --warehouse`).
        _ = FileManager.default.createFile(atPath: w.catalogPath, contents: Data("{\"format\":\"x\"}".utf8))
        do {
            _ = try w.catalog()
            Issue.record("no error")
        } catch {
            #expect(error.exitCode == 2)
            #expect(error.description == #"corrupt catalog: not a floe warehouse catalog ("format" is not "floe-warehouse-catalog")"#)
        }
    }

    @Test func concurrentWritersLoseNothing() throws {
        let tmp = TempDir()
        let w = try DataWarehouse.initialize(at: tmp.path, database: "db")
        let defs = try columns(#"[{"name":"a","type":"int"}]"#)
        let threads = 8, perThread = 12
        let failures = LockedCounter()
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            for i in 0..<perThread {
                do {
                    try w.createTable(TableSpec(name: "t\(t)_\(i)", columns: defs))
                } catch {
                    failures.add()
                }
                // Readers never see a partial file.
                if (try? w.catalog()) == nil { failures.add() }
            }
        }
        #expect(failures.value == 0)
        let c = try w.catalog()
        #expect(c.tables.count == threads * perThread)
        #expect(c.version == 1 + threads * perThread)
        #expect(Set(c.tables.map(\.name)).count == threads * perThread)
    }
}

final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() { lock.lock(); n += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}
