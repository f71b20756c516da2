// Issue 11, rule 1: nothing Floe deletes, renames or writes lies outside the warehouse. Symlinked table folders
// and catalog entries whose name or location escape the warehouse are refused (the catalog when it is loaded);
// a failed drop changes nothing.

import Foundation
import Testing

import Firehose
import Warehouse

@Suite struct WarehouseContainmentTests {
    let cols = #"[{"name":"a","type":"string"}]"#

    func sentinel(_ tmp: TempDir) -> String {
        tmp.mkdir("sentinel/sub")
        tmp.touch("sentinel/keep", "keep")
        tmp.touch("sentinel/sub/x.parquet", "x")
        return tmp.path + "/sentinel"
    }

    func intact(_ tmp: TempDir) -> Bool {
        (try? String(contentsOfFile: tmp.path + "/sentinel/keep", encoding: .utf8)) == "keep"
            && FileManager.default.fileExists(atPath: tmp.path + "/sentinel/sub/x.parquet")
    }

    @Test func purgeRefusesASymlinkedTableFolderAndChangesNothing() throws {
        let tmp = TempDir()
        _ = sentinel(tmp)
        let w = try DataWarehouse.initialize(at: tmp.path + "/wh", database: "db", now: fixedNow)
        try w.createTable(TableSpec(name: "t", columns: try columns(cols)), now: fixedNow)
        try FileManager.default.removeItem(atPath: tmp.path + "/wh/t")
        try FileManager.default.createSymbolicLink(atPath: tmp.path + "/wh/t", withDestinationPath: "../sentinel")
        let before = try w.catalog()
        do {
            try w.dropTable(named: "t", purge: true)
            Issue.record("dropped a symlinked table folder")
        } catch {
            #expect(error.exitCode == 2)
            #expect("\(error)".contains("symbolic link"))
        }
        #expect(intact(tmp))
        #expect(try w.catalog() == before, "a failed drop changes nothing")
    }

    @Test(arguments: [#""location": "../sentinel/""#, #""location": "/tmp/""#, #""location": "t/../../sentinel/""#,
                      #""location": "other/""#])
    func catalogLocationsEscapingTheWarehouseAreRefusedAtLoad(_ location: String) throws {
        let tmp = TempDir()
        _ = sentinel(tmp)
        let w = try DataWarehouse.initialize(at: tmp.path + "/wh", database: "db", now: fixedNow)
        try w.createTable(TableSpec(name: "t", columns: try columns(cols)), now: fixedNow)
        var text = try String(contentsOfFile: w.catalogPath, encoding: .utf8)
        text = text.replacingOccurrences(of: #""location": "t/""#, with: location)
        try text.write(toFile: w.catalogPath, atomically: true, encoding: .utf8)
        do {
            _ = try w.catalog()
            Issue.record("loaded a catalog entry with \(location)")
        } catch {
            #expect(error.exitCode == 2)
            #expect("\(error)".contains("location"))
        }
        #expect(throws: WarehouseError.self) { try w.dropTable(named: "t", purge: true) }
        #expect(intact(tmp))
    }

    @Test func catalogNamesEscapingTheWarehouseAreRefusedAtLoad() throws {
        let tmp = TempDir()
        _ = sentinel(tmp)
        let w = try DataWarehouse.initialize(at: tmp.path + "/wh", database: "db", now: fixedNow)
        try w.createTable(TableSpec(name: "t", columns: try columns(cols)), now: fixedNow)
        var text = try String(contentsOfFile: w.catalogPath, encoding: .utf8)
        text = text.replacingOccurrences(of: #""name": "t""#, with: #""name": "../sentinel""#)
            .replacingOccurrences(of: #""location": "t/""#, with: #""location": "../sentinel/""#)
        try text.write(toFile: w.catalogPath, atomically: true, encoding: .utf8)
        #expect(throws: WarehouseError.self) { try w.catalog() }
        #expect(throws: WarehouseError.self) { try w.dropTable(named: "../sentinel", purge: true) }
        #expect(intact(tmp))
    }

    @Test func partitionLocationsOutsideTheTableAreRefused() throws {
        let tmp = TempDir()
        let w = try DataWarehouse.initialize(at: tmp.path + "/wh", database: "db", now: fixedNow)
        try w.createTable(TableSpec(name: "t", columns: try columns(cols)), now: fixedNow)
        var text = try String(contentsOfFile: w.catalogPath, encoding: .utf8)
        text = text.replacingOccurrences(of: #""partitions": []"#,
                                         with: #""partitions": [{"values": ["x"], "location": "t/../../sentinel/"}]"#)
        try text.write(toFile: w.catalogPath, atomically: true, encoding: .utf8)
        #expect(throws: WarehouseError.self) { try w.catalog() }
    }

    @Test func aggregateIntoASymlinkedTableFolderIsRefused() throws {
        let tmp = TempDir()
        _ = sentinel(tmp)
        let w = try DataWarehouse.initialize(at: tmp.path + "/wh", database: "db", now: fixedNow)
        try FileManager.default.createSymbolicLink(atPath: tmp.path + "/wh/into", withDestinationPath: "../sentinel")
        #expect(throws: WarehouseError.self) {
            _ = try w.createTable(TableSpec(name: "into", columns: try columns(cols)), now: fixedNow)
        }
        #expect(intact(tmp))
        #expect(try w.catalog().tables.isEmpty)
    }

    @Test func purgeOfARealFolderRemovesLinksNotTheirTargets() throws {
        let tmp = TempDir()
        _ = sentinel(tmp)
        let w = try DataWarehouse.initialize(at: tmp.path + "/wh", database: "db", now: fixedNow)
        try w.createTable(TableSpec(name: "t", columns: try columns(cols)), now: fixedNow)
        try FileManager.default.createSymbolicLink(atPath: tmp.path + "/wh/t/out", withDestinationPath: "../../sentinel")
        try FileManager.default.createSymbolicLink(atPath: tmp.path + "/wh/t/k", withDestinationPath: "../../sentinel/keep")
        try w.dropTable(named: "t", purge: true)
        #expect(!FileManager.default.fileExists(atPath: tmp.path + "/wh/t"))
        #expect(intact(tmp))
        #expect(try w.catalog().tables.isEmpty)
    }
}
