import Foundation
import Testing
@testable import Parquet

/// Damaged files: every outcome is a clean error or a read; never a crash, a hang or a runaway allocation.
@Suite struct RobustnessTests {
    static let files = TestVectors.parquetFiles.filter { !$0.hasSuffix(".encrypted") }

    /// Reads everything a user could ask for; returns normally or throws a ParquetError.
    static func exercise(_ bytes: [UInt8]) -> Result<Int, ParquetError> {
        do {
            let f = try ParquetFile(bytes: bytes)
            _ = f.schema.messageText
            _ = FileInspector.metaJSON(f)
            _ = try? FileInspector.pages(f, column: nil)
            let rows = try readAllJSONL(f, options: ReadOptions(verifyChecksums: false))
            _ = try ReadBenchmark.decodeAll(f, jobs: 1)
            return .success(rows.count)
        } catch let e as ParquetError {
            return .failure(e)
        } catch {
            Issue.record("unexpected error type \(type(of: error)): \(error)")
            return .success(0)
        }
    }

    @Test(arguments: files)
    func truncatedAt20Offsets(_ rel: String) {
        let bytes = TestVectors.bytes(rel)
        var rng = SplitMix64(seed: UInt64(bitPattern: Int64(rel.utf8.reduce(7) { $0 &* 31 &+ Int($1) })))
        var offsets = (0..<10).map { bytes.count * $0 / 10 }
        while offsets.count < 20 { offsets.append(rng.below(max(bytes.count, 1))) }
        let start = ContinuousClock.now
        for cut in offsets {
            let r = Self.exercise(Array(bytes[0..<cut]))
            // A truncated file has lost its footer: it can never read successfully.
            if case .success = r { Issue.record("\(rel) truncated at \(cut) read without an error") }
        }
        #expect(ContinuousClock.now - start < .seconds(60), "no hang")
    }

    @Test(arguments: files)
    func fiftyFlippedBytes(_ rel: String) {
        let original = TestVectors.bytes(rel)
        guard !original.isEmpty else { return }
        var rng = SplitMix64(seed: 0xF10E ^ UInt64(original.count))
        let start = ContinuousClock.now
        var all = original
        for _ in 0..<50 {
            // One flipped byte at a time, then all fifty together.
            var damaged = original
            let at = rng.below(original.count)
            let mask = UInt8(truncatingIfNeeded: rng.next() | 1)
            damaged[at] ^= mask
            all[at] ^= mask
            _ = Self.exercise(damaged)
        }
        _ = Self.exercise(all)
        #expect(ContinuousClock.now - start < .seconds(60), "no hang")
    }

    @Test func forgedFooterLengthFailsCleanly() {
        var bytes = TestVectors.bytes("data/alltypes_plain.parquet")
        let n = bytes.count
        bytes[n - 8] = 0xFF; bytes[n - 7] = 0xFF; bytes[n - 6] = 0xFF; bytes[n - 5] = 0x7F
        guard case .failure(let e) = Self.exercise(bytes) else {
            Issue.record("forged footer length accepted")
            return
        }
        #expect("\(e)".contains("footer length"))
    }

    @Test func notParquet() {
        let r = Self.exercise(Array("hello, this is not a parquet file at all".utf8))
        guard case .failure(let e) = r else {
            Issue.record("text accepted as Parquet")
            return
        }
        #expect("\(e)".contains("PAR1"))
    }
}
