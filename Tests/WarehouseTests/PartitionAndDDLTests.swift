import Foundation
import Testing

import Firehose
import JSON
import Warehouse

let testsDir = String(#filePath).split(separator: "/", omittingEmptySubsequences: false).dropLast()
    .joined(separator: "/")
let repoRoot = String(testsDir.split(separator: "/", omittingEmptySubsequences: false).dropLast(2)
    .joined(separator: "/"))

/// Compares `text` with the committed file `TestVectors/<name>`; `UPDATE_SNAPSHOTS=1` rewrites it.
func expectSnapshot(_ text: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let path = testsDir + "/TestVectors/" + name
    if ProcessInfo.processInfo.environment["UPDATE_SNAPSHOTS"] == "1" {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return
    }
    let expected = try String(contentsOfFile: path, encoding: .utf8)
    #expect(text == expected, "snapshot \(name) differs", sourceLocation: sourceLocation)
}

/// A warehouse with a streaming `events` table (two hourly folders), a JSON table and a batch table with Hive
/// partition folders.
func sampleWarehouse(_ tmp: TempDir) throws -> DataWarehouse {
    let w = try DataWarehouse.initialize(at: tmp.path + "/wh", database: "analytics", now: fixedNow)
    try w.createTable(TableSpec(name: "events", columns: try columns(eventColumns), kind: .streaming), now: fixedNow)
    var json = try columns(#"[{"name":"id","type":"string"},{"name":"payload","type":"map<string,string>"}]"#)
    json.partitionKeys = [HiveColumn(name: "inserted_at", type: .string)]
    try w.createTable(TableSpec(name: "raw_json", columns: json, format: .json), now: fixedNow)
    var daily = try columns(#"[{"name":"user_id","type":"bigint"},{"name":"clicks","type":"bigint"}]"#)
    daily.partitionKeys = [HiveColumn(name: "dt", type: .string), HiveColumn(name: "region", type: .string)]
    try w.createTable(TableSpec(name: "daily_clicks", columns: daily, kind: .batch,
                                properties: [("owner", "team-a"), ("note", "it's aggregated")]), now: fixedNow)
    for rel in ["wh/events/2024/05/01/11", "wh/events/2024/05/01/12", "wh/raw_json/2024/04/30/23",
                "wh/daily_clicks/dt=2024-05-01/region=eu", "wh/daily_clicks/dt=2024-05-01/region=us%2Fwest"] {
        tmp.mkdir(rel)
    }
    for t in ["events", "raw_json", "daily_clicks"] { _ = try w.syncPartitions(table: t, now: fixedNow) }
    return w
}

@Suite("Partitions")
struct PartitionTests {
    @Test func syncIsIdempotentAndAhead() throws {
        let tmp = TempDir()
        let w = try DataWarehouse.initialize(at: tmp.path, database: "db", now: fixedNow)
        try w.createTable(TableSpec(name: "events", columns: try columns(eventColumns), kind: .streaming))
        for rel in ["events/2024/05/01/12", "events/2024/05/01/13", "events/2023/12/31/23",
                    // Not hourly folders: ignored.
                    "events/2024/13/01/00", "events/2024/05/32/00", "events/2024/05/01/24", "events/24/05/01/00",
                    "events/processing-failed/2024/05/01/12", "events/2024/05/01"] {
            tmp.mkdir(rel)
        }
        tmp.touch("events/2024/05/01/12/a.parquet")
        tmp.touch("events/2024/05/02")  // a file, not a folder
        var r = try w.syncPartitions(table: "events", now: fixedNow)
        #expect(r.added.map(\.values) == [["2023/12/31/23"], ["2024/05/01/12"], ["2024/05/01/13"]])
        #expect(r.added.map(\.location) == ["events/2023/12/31/23/", "events/2024/05/01/12/", "events/2024/05/01/13/"])
        #expect(r.alreadyRegistered == 0 && r.total == 3)
        let version = try w.catalog().version

        r = try w.syncPartitions(table: "events", now: fixedNow)
        #expect(r.added.isEmpty && r.alreadyRegistered == 3 && r.total == 3)
        #expect(try w.catalog().version == version)  // nothing to write

        // --ahead 3 at 12:34 registers 12, 13 (already there) and 14.
        r = try w.syncPartitions(table: "events", ahead: 3, now: fixedNow)
        #expect(r.added.map(\.values) == [["2024/05/01/14"]])
        #expect(r.alreadyRegistered == 5 && r.total == 4)  // 3 folders + 2 of the hours ahead
        // Across a day boundary.
        r = try w.syncPartitions(table: "events", ahead: 12, now: 1_714_604_400)  // 2024-05-01T23:00:00Z
        #expect(r.added.first?.values == ["2024/05/01/23"])
        #expect(r.added.last?.values == ["2024/05/02/10"])
        #expect(r.added.count == 12)
        #expect(try w.table(named: "events").partitions.map(\.values[0]).prefix(3)
            == ["2023/12/31/23", "2024/05/01/12", "2024/05/01/13"])

        #expect(message { _ = try w.syncPartitions(table: "nope") } == "Table 'nope' does not exist.")
        try w.createTable(TableSpec(name: "plain", columns: try columns(#"[{"name":"a","type":"int"}]"#)))
        #expect(message { _ = try w.syncPartitions(table: "plain") } == "table 'plain' has no partition keys")
    }

    @Test func hiveFolders() throws {
        let tmp = TempDir()
        let w = try sampleWarehouse(tmp)
        let t = try w.table(named: "daily_clicks")
        #expect(t.partitions.map(\.values) == [["2024-05-01", "eu"], ["2024-05-01", "us/west"]])
        #expect(t.partitions.map(\.location) == ["daily_clicks/dt=2024-05-01/region=eu/",
                                                 "daily_clicks/dt=2024-05-01/region=us%2Fwest/"])
        #expect(message { _ = try w.syncPartitions(table: "daily_clicks", ahead: 2) }
            == "--ahead applies to streaming tables (partitioned by hourly folders) only")
    }
}

@Suite("DDL export")
struct DDLTests {
    @Test func athenaSnapshots() throws {
        let tmp = TempDir()
        let w = try sampleWarehouse(tmp)
        let c = try w.catalog()
        for name in ["events", "raw_json", "daily_clicks"] {
            let text = DDL.athena(database: c.database, table: c.table(named: name)!, base: "s3://bucket/warehouse/")
            try expectSnapshot(text, "\(name).athena.sql")
        }
    }

    @Test func duckdbSnapshots() throws {
        let tmp = TempDir()
        let w = try sampleWarehouse(tmp)
        let c = try w.catalog()
        for name in ["events", "raw_json", "daily_clicks"] {
            try expectSnapshot(DDL.duckdb(table: c.table(named: name)!, base: "/data/wh"), "\(name).duckdb.sql")
        }
    }

    @Test func glueSnapshotAndBatches() throws {
        let tmp = TempDir()
        let w = try sampleWarehouse(tmp)
        let c = try w.catalog()
        let docs = DDL.glue(database: c.database, table: c.table(named: "events")!, base: "s3://bucket/warehouse")
        try expectSnapshot(docs.map { JSONSerializer.string($0) + "\n" }.joined(), "events.glue.jsonl")
        // Partitions go in batches of at most 100.
        _ = try w.syncPartitions(table: "events", ahead: 250, now: fixedNow)
        let many = DDL.glue(database: "analytics", table: try w.table(named: "events"), base: "s3://b/p")
        #expect(many.count == 4)
        #expect(many.dropFirst().map { $0["PartitionInputList"]?.arrayValue?.count } == [100, 100, 51])
    }

    @Test func glueValidatesAgainstBotocore() throws {
        guard let python = findExecutable("python3") else {
            print("SKIPPED glueValidatesAgainstBotocore: python3 is not installed")
            return
        }
        let tmp = TempDir()
        let w = try sampleWarehouse(tmp)
        _ = try w.syncPartitions(table: "events", ahead: 120, now: fixedNow)
        let c = try w.catalog()
        var files: [String] = []
        for t in c.tables {
            let path = tmp.path + "/\(t.name).glue.jsonl"
            let docs = DDL.glue(database: c.database, table: t, base: "s3://bucket/warehouse")
            try docs.map { JSONSerializer.string($0) + "\n" }.joined().write(toFile: path, atomically: true, encoding: .utf8)
            files.append(path)
        }
        let (status, out, err) = try run(python, [repoRoot + "/Tests/Interop/glue_validate.py"] + files)
        if status == 3 {
            print("SKIPPED glueValidatesAgainstBotocore: botocore is not installed (\(err))")
            return
        }
        #expect(status == 0, "glue_validate.py: \(err)")
        // 3 CreateTable inputs; events has 2 + 120 - 1 overlapping partitions → 2 batches; the others 1 each.
        #expect(out.contains(#""checked": {"CreateTable": 3, "BatchCreatePartition": 4}"#), "\(out)")
    }

    @Test func duckdbViewsRunWhenAvailable() throws {
        let python = repoRoot + "/.venv/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            print("SKIPPED duckdbViewsRunWhenAvailable: no .venv/bin/python (make venv creates it)")
            return
        }
        let probe = try run(python, ["-c", "import duckdb"])
        guard probe.0 == 0 else {
            print("SKIPPED duckdbViewsRunWhenAvailable: duckdb is not installed in .venv")
            return
        }
        let tmp = TempDir()
        let w = try sampleWarehouse(tmp)
        let c = try w.catalog()
        let base = tmp.path + "/wh"
        let events = c.table(named: "events")!
        let ddl = DDL.duckdb(table: events, base: base) + DDL.duckdb(table: c.table(named: "daily_clicks")!, base: base)
        // Write tiny Parquet files with DuckDB itself, then query the views.
        let script = """
        import duckdb, sys
        con = duckdb.connect()
        con.execute("COPY (SELECT 'a' AS id, 1.5 AS score) TO '\(base)/events/2024/05/01/11/x.parquet' (FORMAT parquet)")
        con.execute("COPY (SELECT 'b' AS id, 2.5 AS score) TO '\(base)/events/2024/05/01/12/y.parquet' (FORMAT parquet)")
        con.execute("COPY (SELECT 7::BIGINT AS user_id, 3::BIGINT AS clicks) TO '\(base)/daily_clicks/dt=2024-05-01/region=eu/z.parquet' (FORMAT parquet)")
        for statement in sys.stdin.read().split(";\\n"):
            if statement.strip():
                con.execute(statement)
        print(con.execute('SELECT id, inserted_at FROM "events" ORDER BY id').fetchall())
        print(con.execute('SELECT user_id, clicks, dt, typeof(dt), region FROM "daily_clicks"').fetchall())
        """
        let (status, out, err) = try run(python, ["-c", script], stdin: ddl)
        #expect(status == 0, "\(err)")
        #expect(out == "[('a', '2024/05/01/11'), ('b', '2024/05/01/12')]\n[(7, 3, '2024-05-01', 'VARCHAR', 'eu')]\n")
    }
}

func findExecutable(_ name: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let p = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    return nil
}

func run(_ exe: String, _ args: [String], stdin: String? = nil) throws -> (Int32, String, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    p.arguments = args
    let out = Pipe(), err = Pipe(), inp = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = inp
    try p.run()
    if let stdin { inp.fileHandleForWriting.write(Data(stdin.utf8)) }
    try inp.fileHandleForWriting.close()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}
