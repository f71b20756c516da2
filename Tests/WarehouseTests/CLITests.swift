import Foundation
import Testing

/// The `floe` binary built beside this test bundle (`swift build --build-tests` builds it), if any.
func floeBinary() -> String? {
    let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var dir = me.deletingLastPathComponent()
    // On Linux the bundle is a file in the bin folder; on macOS a folder inside it.
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("floe").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    return nil
}

@Suite("Warehouse command line")
struct WarehouseCLITests {
    @Test func messagesAndExitCodes() throws {
        guard let floe = floeBinary() else {
            print("SKIPPED messagesAndExitCodes: no floe binary beside the test bundle")
            return
        }
        let tmp = TempDir()
        let wh = tmp.path + "/wh"
        let cols = tmp.path + "/cols.json"
        try eventColumns.write(toFile: cols, atomically: true, encoding: .utf8)
        #expect(try run(floe, ["warehouse", "init", wh, "--name", "db"]).0 == 0)
        var r = try run(floe, ["table", "create", "events", "--warehouse", wh, "--columns", cols,
                               "--partition-key", "inserted_at"])
        #expect(r.0 == 0)
        #expect(r.1 == "Created table events (streaming, parquet, 5 columns, partitioned by inserted_at)\n")
        r = try run(floe, ["table", "create", "events", "--warehouse", wh, "--columns", cols])
        #expect(r.0 == 2)
        #expect(r.2 == "floe: \(wh): Duplicate table! Name: events\n")
        r = try run(floe, ["table", "show", "nope", "--warehouse", wh])
        #expect(r.0 == 2)
        #expect(r.2 == "floe: \(wh): Table 'nope' does not exist.\n")
        r = try run(floe, ["table", "drop", "nope", "--warehouse", wh])
        #expect(r.0 == 2)
        r = try run(floe, ["table", "list", "--warehouse", tmp.path + "/none"])
        #expect(r.0 == 2)
        try #"[{"name":"a","type":"struc<a:int>"}]"#.write(toFile: cols, atomically: true, encoding: .utf8)
        r = try run(floe, ["table", "create", "bad", "--warehouse", wh, "--columns", cols])
        #expect(r.0 == 2)
        #expect(r.2 == "floe: \(cols): [0] 'a': invalid type 'struc<a:int>' at 0: unknown type 'struc'\n")
        tmp.mkdir("wh/events/2024/05/01/12")
        r = try run(floe, ["partitions", "sync", "--warehouse", wh, "--table", "events"])
        #expect(r.1 == "Registered 1 new partition (0 already registered, 1 in all)\n")
        r = try run(floe, ["partitions", "sync", "--warehouse", wh, "--table", "events"])
        #expect(r.1 == "Registered 0 new partitions (1 already registered, 1 in all)\n")
        r = try run(floe, ["partitions", "list", "--warehouse", wh, "--table", "events"])
        #expect(r.1 == "inserted_at=2024/05/01/12\tevents/2024/05/01/12/\n")
        r = try run(floe, ["table", "ddl", "events", "--warehouse", wh, "--engine", "athena", "--location", "s3://b/p"])
        #expect(r.0 == 0)
        #expect(r.1.hasSuffix("ALTER TABLE `db`.`events` ADD IF NOT EXISTS PARTITION (`inserted_at`='2024/05/01/12') LOCATION 's3://b/p/events/2024/05/01/12/';\n"))
        r = try run(floe, ["table", "list", "--warehouse", wh])
        #expect(r.1 == "events\n")
        #expect(try run(floe, ["table", "drop", "events", "--warehouse", wh, "--purge"]).0 == 0)
        #expect(!FileManager.default.fileExists(atPath: wh + "/events"))
    }

    @Test func concurrentProcessesLoseNothing() throws {
        guard let floe = floeBinary() else {
            print("SKIPPED concurrentProcessesLoseNothing: no floe binary beside the test bundle")
            return
        }
        let tmp = TempDir()
        let wh = tmp.path + "/wh"
        let cols = tmp.path + "/cols.json"
        try #"[{"name":"a","type":"int"}]"#.write(toFile: cols, atomically: true, encoding: .utf8)
        #expect(try run(floe, ["warehouse", "init", wh, "--name", "db"]).0 == 0)
        // Two workers in parallel, each creating 15 tables with separate floe processes.
        let failures = LockedCounter()
        DispatchQueue.concurrentPerform(iterations: 2) { p in
            for i in 1...15 {
                let r = try? run(floe, ["table", "create", "p\(p)_\(i)", "--warehouse", wh, "--columns", cols])
                if r?.0 != 0 { failures.add() }
            }
        }
        #expect(failures.value == 0)
        let list = try run(floe, ["table", "list", "--warehouse", wh])
        #expect(list.1.split(separator: "\n").count == 30)
        let catalog = try String(contentsOfFile: wh + "/floe-catalog.json", encoding: .utf8)
        #expect(catalog.contains(#""version": 31,"#))
    }
}
