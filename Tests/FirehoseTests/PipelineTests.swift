// The parallel pipeline: chunks converted by several workers and delivered in input order give exactly what one
// worker gives; a line longer than the record limit becomes one failed record and the lines around it convert.

import Foundation
import Testing

import Firehose
import JSON
import Parquet

@Suite("Conversion pipeline", .serialized)
struct PipelineTests {
    /// Rows and error records (code, rawData, sequenceNumber, subSequenceNumber) of one run.
    func run(_ dir: String, jobs: Int, chunkBytes: Int) throws -> (String, [String], ConvertStats) {
        let out = ConversionHarness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: out) }
        var c = try ConversionHarness.config(case: dir, out: out)
        c.jobs = jobs
        c.chunkBytes = chunkBytes
        let stats = try Converter(config: c).run(inputs: [dir + "/input.ndjson"])
        let parquet = ConversionHarness.files(out + "/t/2024", suffix: ".parquet")
        let rows = try parquet.map { try ConversionHarness.rows($0) }.joined()
        let errs = try ConversionHarness.errorRecords(out + "/t").map { e in
            ["lastErrorCode", "rawData", "sequenceNumber", "subSequenceNumber"].map { "\(e[$0].map { "\($0)" } ?? "-")" }
                .joined(separator: " ")
        }
        return (rows, errs, stats)
    }

    @Test(arguments: ConversionVectorTests.cases)
    func smallChunksManyWorkersMatchOneWorker(_ name: String) throws {
        let dir = ConversionVectorTests.root + "/" + name
        let (rows1, errs1, s1) = try run(dir, jobs: 1, chunkBytes: 4 << 20)
        for (jobs, chunk) in [(3, 1), (4, 97), (2, 512)] {
            let (rows, errs, s) = try run(dir, jobs: jobs, chunkBytes: chunk)
            #expect(rows == rows1, "\(name): rows with \(jobs) workers, \(chunk)-byte chunks")
            #expect(errs == errs1, "\(name): error records with \(jobs) workers, \(chunk)-byte chunks")
            #expect(s.recordsIn == s1.recordsIn && s.recordsConverted == s1.recordsConverted
                && s.recordsFailed == s1.recordsFailed && s.bytesIn == s1.bytesIn)
        }
    }

    @Test func lineBeyondTheRecordLimit() throws {
        let dir = ConversionHarness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let long = "{\"a\":\"" + String(repeating: "x", count: 300) + "\"}"
        let input = "{\"a\":\"one\"}\n" + long + "\n{\"a\":\"three\"}\n" + long
        try input.write(toFile: dir + "/input.ndjson", atomically: true, encoding: .utf8)
        try "[{\"name\":\"a\",\"type\":\"string\"}]".write(toFile: dir + "/columns.json", atomically: true, encoding: .utf8)
        for jobs in [1, 2] {
            let out = ConversionHarness.tempDir()
            defer { try? FileManager.default.removeItem(atPath: out) }
            var c = try ConversionHarness.config(case: dir, out: out)
            c.maxRecordBytes = 100
            c.chunkBytes = 64
            c.jobs = jobs
            let stats = try Converter(config: c).run(inputs: [dir + "/input.ndjson"])
            #expect(stats.recordsIn == 4 && stats.recordsConverted == 2 && stats.recordsFailed == 2)
            #expect(stats.bytesIn == Int64(input.utf8.count))
            let parquet = ConversionHarness.files(out + "/t/2024", suffix: ".parquet")
            #expect(try parquet.map { try ConversionHarness.rows($0) }.joined() == "{\"a\":\"one\"}\n{\"a\":\"three\"}\n")
            let errs = try ConversionHarness.errorRecords(out + "/t")
            #expect(errs.count == 2)
            for (e, line) in zip(errs, [2, 4]) {
                #expect(e["lastErrorCode"] == .string("DataFormatConversion.ParseError"))
                #expect(e["sequenceNumber"]?.stringValue?.hasSuffix("input.ndjson:\(line)") == true)
                let prefix = Array(long.utf8.prefix(100))
                #expect(e["rawData"] == .string(base64(prefix)))
                #expect(e["lastErrorMessage"]?.stringValue?.contains("record longer than 100 bytes (\(long.utf8.count) bytes)") == true)
            }
        }
    }

    @Test func structWiderThan64Fields() throws {
        let dir = ConversionHarness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cols = (0..<70).map { "{\"name\":\"c\($0)\",\"type\":\"int\"}" }.joined(separator: ",")
        try "[\(cols)]".write(toFile: dir + "/columns.json", atomically: true, encoding: .utf8)
        try "{\"c69\":2,\"c0\":1}\n{\"c5\":1,\"C5\":2}\n{\"c65\":7}\n".write(toFile: dir + "/input.ndjson", atomically: true, encoding: .utf8)
        let out = ConversionHarness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let stats = try Converter(config: try ConversionHarness.config(case: dir, out: out)).run(inputs: [dir + "/input.ndjson"])
        #expect(stats.recordsConverted == 2 && stats.recordsFailed == 1)
        let rows = try ConversionHarness.files(out + "/t/2024", suffix: ".parquet").map { try ConversionHarness.rows($0) }.joined()
        func row(_ set: [Int: Int]) -> String {
            "{" + (0..<70).map { "\"c\($0)\":\(set[$0].map(String.init) ?? "null")" }.joined(separator: ",") + "}\n"
        }
        #expect(rows == row([0: 1, 69: 2]) + row([65: 7]))
        let errs = try ConversionHarness.errorRecords(out + "/t")
        #expect(errs.count == 1 && errs.first?["lastErrorMessage"]?.stringValue?.contains("duplicate key") == true)
    }

    func base64(_ b: [UInt8]) -> String { Data(b).base64EncodedString() }
}
