// Issue 11 on the conversion stage: truncated compressed inputs (rule 4), named inputs that are not regular files
// (rule 5), folder inputs through the one walker (rule 6), the checkpoint lock (rule 3), the stop request that
// SIGTERM/SIGINT raise (rule 2), a UTF-8 byte-order mark, and staging folders of killed runs.

import Foundation
import Testing

import Firehose
import JSON
import Parquet

@Suite("Hostile input", .serialized)
struct HostileInputTests {
    static let lines = (0..<5000).map { "{\"a\":\"record-\($0)\"}\n" }.joined()

    func setup() throws -> (dir: String, out: String, config: ConvertConfig) {
        let dir = ConversionHarness.tempDir()
        let out = ConversionHarness.tempDir()
        try "[{\"name\":\"a\",\"type\":\"string\"}]".write(toFile: dir + "/columns.json", atomically: true, encoding: .utf8)
        return (dir, out, try ConversionHarness.config(case: dir, out: out))
    }

    func write(_ bytes: [UInt8], _ path: String) {
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    }

    func compressed(_ codec: CompressionCodec, _ text: String) throws -> [UInt8] {
        var out: [UInt8] = []
        try Compression.compress(codec, input: Array(text.utf8), into: &out)
        return out
    }

    func rowCount(_ out: String) throws -> Int {
        try ConversionHarness.files(out + "/t/2024", suffix: ".parquet").map { try ParquetFile(path: $0).metadata.numRows }
            .reduce(0) { $0 + Int($1) }
    }

    // Rule 4: a truncated stream is an error naming the byte offset, for every decompressor; nothing published.
    @Test(arguments: [("gz", CompressionCodec.gzip, "gzip"), ("zst", .zstd, "zstd"), ("br", .brotli, "brotli")])
    func truncatedCompressedInputIsAnError(_ ext: String, _ codec: CompressionCodec, _ name: String) throws {
        let (dir, out, c) = try setup()
        defer { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: out) }
        let whole = try compressed(codec, Self.lines)
        let cut = whole.count * 2 / 3
        write(Array(whole[0..<cut]), dir + "/in.json." + ext)
        do {
            _ = try Converter(config: c).run(inputs: [dir + "/in.json." + ext])
            Issue.record("\(name): a truncated input converted without error")
        } catch {
            let m = "\(error)"
            #expect(m.contains("in.json.\(ext)") && m.contains(name) && m.contains("truncated") && m.contains("byte"), "\(m)")
        }
        // the whole stream converts
        write(whole, dir + "/ok.json." + ext)
        let out2 = ConversionHarness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: out2) }
        var c2 = c
        c2.delivery.outDir = out2
        let s = try Converter(config: c2).run(inputs: [dir + "/ok.json." + ext])
        #expect(s.recordsConverted == 5000)
    }

    @Test func concatenatedGzipMembersAreOneStream() throws {
        let (dir, out, c) = try setup()
        defer { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: out) }
        let one = try compressed(.gzip, Self.lines)
        write(one + one + one, dir + "/in.json.gz")
        let s = try Converter(config: c).run(inputs: [dir + "/in.json.gz"])
        #expect(s.recordsConverted == 15000 && s.recordsFailed == 0)
        // a second member cut short is still an error
        write(one + Array(one[0..<(one.count / 2)]), dir + "/bad.json.gz")
        #expect(throws: (any Error).self) { _ = try Converter(config: c).run(inputs: [dir + "/bad.json.gz"]) }
    }

    // Rule 5: named inputs are regular files; a FIFO without writer or a device is an error, not a hang.
    @Test func fifoAndDeviceInputsAreRefused() throws {
        let (dir, out, c) = try setup()
        defer { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: out) }
        #expect(mkfifo(dir + "/fifo.json", 0o600) == 0)
        for p in [dir + "/fifo.json", "/dev/zero"] {
            do {
                _ = try Converter(config: c).run(inputs: [p])
                Issue.record("converted \(p)")
            } catch {
                #expect("\(error)".contains("not a regular file"), "\(error)")
            }
        }
    }

    // Rule 6: `convert DIR` reads NDJSON kinds once each, no symlink loop followed.
    @Test func folderInputsUseTheWalker() throws {
        let (dir, out, c) = try setup()
        defer { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: out) }
        try FileManager.default.createDirectory(atPath: dir + "/in/sub", withIntermediateDirectories: true)
        try "{\"a\":\"1\"}\n".write(toFile: dir + "/in/a.json", atomically: true, encoding: .utf8)
        try "{\"a\":\"2\"}\n".write(toFile: dir + "/in/sub/b.ndjson", atomically: true, encoding: .utf8)
        try "{\"a\":\"3\"}\n".write(toFile: dir + "/in/x.txt", atomically: true, encoding: .utf8)
        try "{\"a\":\"4\"}\n".write(toFile: dir + "/in/y.parquet", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir + "/in/loop", withDestinationPath: ".")
        try FileManager.default.createSymbolicLink(atPath: dir + "/in/sub/up", withDestinationPath: "..")
        let s = try Converter(config: c).run(inputs: [dir + "/in"])
        #expect(s.recordsIn == 2 && s.recordsConverted == 2)
    }

    // Rule 5: a checkpoint that is not a regular file is an error, not a hang.
    @Test func checkpointMustBeARegularFile() throws {
        let (dir, out, c0) = try setup()
        defer { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: out) }
        try Self.lines.write(toFile: dir + "/in.json", atomically: true, encoding: .utf8)
        #expect(mkfifo(dir + "/cp", 0o600) == 0)
        var c = c0
        c.checkpoint = dir + "/cp"
        #expect(throws: (any Error).self) { _ = try Converter(config: c).run(inputs: [dir + "/in.json"]) }
    }

    // Rule 3: the checkpoint is locked for the run; a second run fails at once naming the holder's pid.
    @Test func checkpointIsLockedForTheRun() throws {
        let (dir, out, c0) = try setup()
        defer { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: out) }
        try Self.lines.write(toFile: dir + "/in.json", atomically: true, encoding: .utf8)
        var c = c0
        c.checkpoint = dir + "/cp"
        // another run holds the lock (flock locks belong to open file descriptions: a second open conflicts)
        let fd = open(dir + "/cp.lock", O_RDWR | O_CREAT, 0o644)
        #expect(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
        _ = "4242\n".withCString { Glibc.write(fd, $0, 5) }
        defer { close(fd) }
        do {
            _ = try Converter(config: c).run(inputs: [dir + "/in.json"])
            Issue.record("a second run shared the checkpoint")
        } catch let e as CheckpointBusy {
            #expect(e.description.contains("in use by another run"))
            #expect(e.holder == 4242)
        }
        #expect(try rowCount(out) == 0)
    }

    // Rule 2: a stop request ends the input at a chunk boundary; what was read is published and the checkpoint
    // lets the rerun continue exactly once.
    @Test func stopRequestPublishesWhatWasReadAndTheRerunContinues() throws {
        let (dir, out, c0) = try setup()
        defer { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: out) }
        // 50,000 records, about 1 MB: some 16 chunks of 64 KiB (the reader's read size)
        let many = (0..<50_000).map { "{\"a\":\"record-\($0)\"}\n" }.joined()
        try many.write(toFile: dir + "/in.json", atomically: true, encoding: .utf8)
        var c = c0
        c.checkpoint = dir + "/cp"
        c.chunkBytes = 1 << 10
        c.delivery.bufferSize = 1 << 17
        c.stop = StopRequest()
        // the "signal" arrives while the fifth chunk is read (the clock is asked once per chunk)
        c.arrivalTime = nil
        c.clock = StoppingClock(stop: c.stop, after: 5)
        let s1 = try Converter(config: c).run(inputs: [dir + "/in.json"])
        #expect(s1.stoppedBySignal == SIGTERM)
        #expect(s1.recordsIn > 0 && s1.recordsIn < 50_000, "\(s1.recordsIn)")
        #expect(try rowCount(out) == s1.recordsConverted)
        c.stop = StopRequest()
        c.clock = FixedClock(millis: 1_709_287_200_000)
        let s2 = try Converter(config: c).run(inputs: [dir + "/in.json"])
        #expect(s2.stoppedBySignal == 0)
        #expect(s1.recordsIn + s2.recordsIn == 50_000)
        let rows = try ConversionHarness.files(out + "/t/2024", suffix: ".parquet").map { try ConversionHarness.rows($0) }
            .joined().split(separator: "\n")
        #expect(rows.count == 50_000 && Set(rows).count == 50_000)
        #expect(ConversionHarness.files(out + "/.floe-staging").allSatisfy { !$0.hasSuffix(".parquet") })
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let (dir, out, c) = try setup()
        defer { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: out) }
        write([0xEF, 0xBB, 0xBF] + Array("{\"a\":\"x\"}\n{\"a\":\"y\"}\n".utf8), dir + "/bom.json")
        let s = try Converter(config: c).run(inputs: [dir + "/bom.json"])
        #expect(s.recordsConverted == 2 && s.recordsFailed == 0)
        #expect(s.bytesIn == 3 + 20)
    }

    @Test func stagingFoldersOfDeadRunsAreRemoved() throws {
        let (dir, out, c) = try setup()
        defer { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: out) }
        try "{\"a\":\"x\"}\n".write(toFile: dir + "/in.json", atomically: true, encoding: .utf8)
        // pid 2^22+1 is above Linux's pid_max: never a live process
        let dead = out + "/.floe-staging/t/run-4194305-abcdefgh"
        try FileManager.default.createDirectory(atPath: dead, withIntermediateDirectories: true)
        try "junk".write(toFile: dead + "/x.parquet.tmp", atomically: true, encoding: .utf8)
        let live = out + "/.floe-staging/t/run-\(getpid())-abcdefgh"
        try FileManager.default.createDirectory(atPath: live, withIntermediateDirectories: true)
        _ = try Converter(config: c).run(inputs: [dir + "/in.json"])
        #expect(!FileManager.default.fileExists(atPath: dead))
        #expect(FileManager.default.fileExists(atPath: live))
    }

    // Rule 1 for --out: a table or staging folder that is a symbolic link out of --out is refused.
    @Test func symlinkedTableFolderOutOfOutIsRefused() throws {
        let (dir, out, c) = try setup()
        defer { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: out) }
        try "{\"a\":\"x\"}\n".write(toFile: dir + "/in.json", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: dir + "/sentinel", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: out + "/t", withDestinationPath: dir + "/sentinel")
        #expect(throws: (any Error).self) { _ = try Converter(config: c).run(inputs: [dir + "/in.json"]) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/sentinel").isEmpty)
    }
}

/// A clock that requests a stop (as SIGTERM would) on its `after`-th reading.
final class StoppingClock: ConversionClock, @unchecked Sendable {
    let stop: StopRequest
    let after: Int
    private var calls = 0
    private let lock = NSLock()
    init(stop: StopRequest, after: Int) {
        self.stop = stop
        self.after = after
    }
    func nowMillis() -> Int64 {
        lock.lock()
        calls += 1
        if calls == after { stop.request(signal: SIGTERM) }
        lock.unlock()
        return 1_709_287_200_000
    }
}
