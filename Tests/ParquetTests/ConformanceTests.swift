import Foundation
import Testing
@testable import Parquet

/// One test per Parquet file in TestVectors: rows equal the reference `.jsonl`, and every other expectation of
/// canonical-jsonl.md (checksum files, bad_data, encrypted files) holds.
@Suite struct ConformanceTests {
    static let corruptChecksumFiles: Set<String> = [
        "data/datapage_v1-corrupt-checksum.parquet",
        "data/rle-dict-uncompressed-corrupt-checksum.parquet",
    ]

    @Test(arguments: TestVectors.parquetFiles)
    func readsLikeTheReference(_ rel: String) throws {
        let path = TestVectors.path(rel)
        if rel.hasSuffix(".encrypted") {
            let error = #expect(throws: ParquetError.self) {
                let f = try ParquetFile(path: path)
                _ = try readAllJSONL(f)
            }
            let message = error.map { "\($0)" } ?? ""
            #expect(message.contains("encrypted"), "message: \(message)")
            #expect(message.contains("key"), "message should say which keys are needed: \(message)")
            return
        }
        let expected = TestVectors.expectedRows(rel)
        if Self.corruptChecksumFiles.contains(rel) {
            let error = #expect(throws: ParquetError.self) {
                _ = try readAllJSONL(try ParquetFile(path: path))
            }
            let message = error.map { "\($0)" } ?? ""
            #expect(message.contains("CRC"), "message: \(message)")
            #expect(message.contains("column") && message.contains("page"), "names column and page: \(message)")
            let rows = try readAllJSONL(try ParquetFile(path: path), options: ReadOptions(verifyChecksums: false))
            let exp = try #require(expected)
            #expect(rows == exp, "\(firstDifference(rows, exp))")
            return
        }
        guard let expected else {
            // bad_data without a reference: a clean error, quickly.
            #expect(rel.hasPrefix("bad_data/"), "a data file without a reference: \(rel)")
            let start = ContinuousClock.now
            #expect(throws: ParquetError.self) {
                _ = try readAllJSONL(try ParquetFile(path: path))
            }
            #expect(ContinuousClock.now - start < .seconds(30), "fails within seconds, not a hang")
            return
        }
        let rows = try readAllJSONL(try ParquetFile(path: path))
        #expect(rows == expected, "\(firstDifference(rows, expected))")
    }

    @Test func inMemoryEqualsPath() throws {
        let rel = "data/alltypes_plain.snappy.parquet"
        let a = try readAllJSONL(try ParquetFile(path: TestVectors.path(rel)))
        let b = try readAllJSONL(try ParquetFile(bytes: TestVectors.bytes(rel)))
        #expect(a == b)
        #expect(!a.isEmpty)
    }
}
