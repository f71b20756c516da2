// The journal of a stream's uploads into a bucket: keys written down (fsynced) before their uploads start, read
// back after a kill, forgotten once published; a line cut short by a kill is not a key (its upload never started).

import Foundation
import Testing
@testable import FirehoseServer

@Suite struct UploadJournalTests {
    func tempPath() -> String {
        NSTemporaryDirectory() + "floe-uploads-\(UUID().uuidString).uploads"
    }

    @Test func keysSurviveReopeningUntilForgotten() throws {
        let path = tempPath()
        defer { unlink(path) }
        do {
            let j = try UploadJournal(path: path)
            #expect(j.recorded.isEmpty)
            for k in ["a/2026/12/07/22/s-1-2026-12-07-22-00-00-1.bin", "b/x y/z", "c"] { try j.record(k) }
        }
        let j = try UploadJournal(path: path)
        #expect(j.recorded == ["a/2026/12/07/22/s-1-2026-12-07-22-00-00-1.bin", "b/x y/z", "c"])
        try j.forget(first: 2)
        try j.record("d")
        #expect(try UploadJournal(path: path).recorded == ["c", "d"])
        try j.forget(first: 2)
        #expect(try UploadJournal(path: path).recorded.isEmpty)
        j.remove()
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func aLineCutShortIsNoKey() throws {
        let path = tempPath()
        defer { unlink(path) }
        try Data("k1\nk2\nk3-cut".utf8).write(to: URL(fileURLWithPath: path))
        let j = try UploadJournal(path: path)
        #expect(j.recorded == ["k1", "k2"])
        // the cut line is dropped from the file, so a key appended next reads back whole
        try j.record("k4")
        #expect(try UploadJournal(path: path).recorded == ["k1", "k2", "k4"])
    }
}
