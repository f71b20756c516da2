// Issue 11 rules 1, 5 and 6, on the FileSafety module itself: bounded regular-file reads, path containment and
// the one directory walker.

import Foundation
import Testing

import FileSafety

final class Scratch {
    let path: String
    init() {
        path = FileManager.default.temporaryDirectory.path + "/floe-fs-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func mkdir(_ rel: String) { try! FileManager.default.createDirectory(atPath: path + "/" + rel, withIntermediateDirectories: true) }
    func write(_ rel: String, _ text: String) { _ = FileManager.default.createFile(atPath: path + "/" + rel, contents: Data(text.utf8)) }
    func link(_ rel: String, to target: String) { try! FileManager.default.createSymbolicLink(atPath: path + "/" + rel, withDestinationPath: target) }
    func rel(_ paths: [String]) -> [String] { paths.map { String($0.dropFirst(path.count + 1)) } }
}

@Suite struct BoundedReadTests {
    // Rule 5: schemas, column files, catalogs and checkpoints only from regular files, up to a limit.
    @Test func readsRegularFiles() throws {
        let s = Scratch()
        s.write("a.json", "[1,2]")
        #expect(try BoundedRead.read(s.path + "/a.json") == Array("[1,2]".utf8))
    }

    @Test func refusesDevicesInsteadOfReadingForever() {
        #expect(throws: FileSafetyError.self) { try BoundedRead.read("/dev/zero") }
        do { _ = try BoundedRead.read("/dev/zero", what: "schema") } catch {
            #expect(error.kind == .notRegularFile)
            #expect(error.description == "/dev/zero: schema must be a regular file, not a character device")
        }
    }

    @Test func fifoWithoutWriterDoesNotBlock() throws {
        let s = Scratch()
        let fifo = s.path + "/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        do { _ = try BoundedRead.read(fifo); Issue.record("read a FIFO") } catch {
            #expect(error.kind == .notRegularFile)
        }
    }

    @Test func refusesFilesBeyondTheLimit() throws {
        let s = Scratch()
        s.write("big", String(repeating: "x", count: 1000))
        do { _ = try BoundedRead.read(s.path + "/big", limit: 999); Issue.record("no limit") } catch {
            #expect(error.kind == .tooLarge)
        }
        #expect(try BoundedRead.read(s.path + "/big", limit: 1000).count == 1000)
    }

    @Test func directoriesAndMissingFiles() {
        let s = Scratch()
        #expect(throws: FileSafetyError.self) { try BoundedRead.read(s.path) }
        do { _ = try BoundedRead.read(s.path + "/missing") } catch { #expect(error.kind == .io) }
    }
}

@Suite struct DirectoryWalkerTests {
    // Rule 6: no symlinked folders followed, cycles cut, each file once, only the kinds a command reads.
    @Test func symlinkLoopsAreNotFollowed() throws {
        let s = Scratch()
        s.mkdir("t/a")
        s.write("t/a/x.parquet", "")
        s.write("t/y.parquet", "")
        s.link("t/loop", to: ".")
        s.link("t/a/up", to: "..")
        let files = try DirectoryWalker.suffixes([".parquet"]).files(below: s.path + "/t")
        #expect(s.rel(files) == ["t/a/x.parquet", "t/y.parquet"])
    }

    @Test func linksToFilesCountOnceLinksToFoldersNever() throws {
        let s = Scratch()
        s.mkdir("t")
        s.mkdir("outside")
        s.write("outside/o.parquet", "")
        s.write("t/real.parquet", "")
        s.link("t/alias.parquet", to: "real.parquet")      // same file twice: listed once
        s.link("t/ext.parquet", to: "../outside/o.parquet")  // a file linked in: taken
        s.link("t/dir", to: "../outside")                    // a folder linked in: not entered
        let files = try DirectoryWalker.suffixes([".parquet"]).files(below: s.path + "/t")
        #expect(s.rel(files) == ["t/alias.parquet", "t/ext.parquet"])
    }

    @Test func ndjsonKindsOnly() throws {
        let s = Scratch()
        s.mkdir("in")
        for n in ["a.json", "b.ndjson", "c.jsonl", "d.json.gz", "e.jsonl.zst", "f.json.br", "x.txt", "y.parquet", ".hidden.json"] {
            s.write("in/" + n, "")
        }
        #expect(mkfifo(s.path + "/in/p.json", 0o600) == 0)  // a FIFO is never an input of a walk
        let files = try DirectoryWalker.ndjsonInputs.files(below: s.path + "/in")
        #expect(s.rel(files) == ["in/a.json", "in/b.ndjson", "in/c.jsonl", "in/d.json.gz", "in/e.jsonl.zst", "in/f.json.br"])
    }

    @Test func includeFilterSeesRelativeFolders() throws {
        let s = Scratch()
        s.mkdir("t/v-000001")
        s.mkdir("t/2024")
        s.write("t/v-000001/a.parquet", "")
        s.write("t/2024/b.parquet", "")
        var w = DirectoryWalker.suffixes([".parquet"])
        w.include = { folder, name in !(folder.isEmpty && name.hasPrefix("v-")) }
        #expect(s.rel(try w.files(below: s.path + "/t")) == ["t/2024/b.parquet"])
    }
}

@Suite struct ContainmentTests {
    // Rule 1: nothing Floe deletes, renames or writes lies outside its root.
    @Test func safeRelativePaths() {
        #expect(PathContainment.isSafeRelative("events/"))
        #expect(PathContainment.isSafeRelative("events/2024/05/01/00/"))
        #expect(!PathContainment.isSafeRelative("../other/"))
        #expect(!PathContainment.isSafeRelative("a/../../b"))
        #expect(!PathContainment.isSafeRelative("/etc"))
        #expect(!PathContainment.isSafeRelative(""))
    }

    @Test func symlinkedFolderIsRefusedOrUnlinked() throws {
        let s = Scratch()
        s.mkdir("wh")
        s.mkdir("sentinel")
        s.write("sentinel/keep", "keep")
        s.link("wh/t", to: "../sentinel")
        // as a folder to own: refused
        #expect(throws: FileSafetyError.self) { try PathContainment.requireFolderWithin(s.path + "/wh/t", root: s.path + "/wh") }
        // removed: only the link goes, never its target
        try PathContainment.removeTree(s.path + "/wh/t", within: s.path + "/wh")
        #expect(FileManager.default.fileExists(atPath: s.path + "/sentinel/keep"))
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: s.path + "/wh/t")) == nil)
    }

    @Test func dotDotOutOfTheRootIsRefused() throws {
        let s = Scratch()
        s.mkdir("wh/t")
        s.mkdir("other")
        s.write("other/keep", "keep")
        #expect(throws: FileSafetyError.self) { try PathContainment.removeTree(s.path + "/wh/../other", within: s.path + "/wh") }
        #expect(FileManager.default.fileExists(atPath: s.path + "/other/keep"))
    }

    @Test func removalNeverFollowsLinksBelowTheFolder() throws {
        let s = Scratch()
        s.mkdir("wh/t/sub")
        s.mkdir("sentinel")
        s.write("sentinel/keep", "keep")
        s.link("wh/t/sub/out", to: "../../../sentinel")
        s.link("wh/t/file", to: "../../sentinel/keep")
        try PathContainment.removeTree(s.path + "/wh/t", within: s.path + "/wh")
        #expect(!FileManager.default.fileExists(atPath: s.path + "/wh/t"))
        #expect((try? String(contentsOfFile: s.path + "/sentinel/keep", encoding: .utf8)) == "keep")
    }
}
