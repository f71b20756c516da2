// RecordFeed: API records (PutRecordBatch) into the conversion stage; RawFeed: records without conversion.

import Foundation
import Testing
import Parquet
import Firehose
import JSON

@Suite struct RecordFeedTests {
    func batch(_ records: [String]) -> ([UInt8], [Range<Int>]) {
        var b: [UInt8] = []
        var r: [Range<Int>] = []
        for s in records { let st = b.count; b.append(contentsOf: s.utf8); r.append(st..<b.count) }
        return (b, r)
    }

    @Test func recordsConvertAndFailuresKeepEveryByte() throws {
        let out = ConversionHarness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let defs = ColumnDefinitions(columns: [HiveColumn(name: "a", type: .string), HiveColumn(name: "n", type: .int)])
        var d = DeliveryConfig(outDir: out, table: "t", stream: "s",
                               prefix: try PrefixTemplate("p/", errorPrefix: false),
                               errorPrefix: try PrefixTemplate("e/!{firehose:error-output-type}/", errorPrefix: true))
        d.folder = out + "/bucket"
        var c = ConvertConfig(delivery: d, columns: defs)
        c.clock = FixedClock(millis: 1_709_251_200_000)
        let feed = try RecordFeed(config: c, stagingDir: out + "/bucket/.staging")
        // a pretty-printed record (newlines inside), a record of two documents, a blank one, bad data, bad JSON
        let records = ["{\n  \"a\": \"multi\",\n  \"n\": 1\n}\n", "{\"a\":\"x\"} {\"a\":\"y\"}", "  \n",
                       "{\"a\":\"bad\",\"n\":\"NaN-ish\"}\n", "{\"a\": tru"]
        let (bytes, ranges) = batch(records)
        try bytes.withUnsafeBytes { try feed.append($0, records: ranges, arrival: 1_709_251_200_000, source: "s:1", firstNumber: 1) }
        #expect(feed.hasBufferedData)
        #expect(!feed.due(now: 1_709_251_200_000))
        #expect(feed.due(now: 1_709_251_200_000 + 300_000))
        let renames = try feed.stage()
        #expect(renames.allSatisfy { FileManager.default.fileExists(atPath: $0.staged) })
        try feed.publish()
        let parquet = ConversionHarness.files(out + "/bucket/p", suffix: ".parquet")
        #expect(parquet.count == 1)
        #expect(try parquet.map { try ConversionHarness.rows($0) }.joined()
                == "{\"a\":\"multi\",\"n\":1}\n{\"a\":\"x\",\"n\":null}\n{\"a\":\"y\",\"n\":null}\n")
        let errors = try ConversionHarness.errorRecords(out + "/bucket/e")
        var raws: [String] = []
        for e in errors {
            guard case .string(let b64)? = e["rawData"], let data = Data(base64Encoded: b64) else { continue }
            raws.append(String(decoding: data, as: UTF8.self))
        }
        // every failed record with all its bytes (trailing newline included), the blank one too
        #expect(raws.sorted() == ["  \n", "{\"a\": tru", "{\"a\":\"bad\",\"n\":\"NaN-ish\"}\n"].sorted())
        #expect(feed.statistics.recordsConverted == 3 && feed.statistics.recordsFailed == 3)
    }

    @Test func rawObjectsConcatenateRecordsPerPrefix() throws {
        let out = ConversionHarness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: out) }
        var r = RawFeedConfig(folder: out + "/b", stream: "raw",
                              prefix: try PrefixTemplate("k=!{partitionKeyFromQuery:k}/", errorPrefix: false),
                              errorPrefix: try PrefixTemplate("err/!{firehose:error-output-type}/", errorPrefix: true))
        r.partitionKeys = [("k", try JQQuery(".k"))]
        r.maxOpenPartitions = 2
        r.fileExtension = ".json"
        let feed = try RawFeed(config: r, stagingDir: out + "/b/.staging")
        let (bytes, ranges) = batch(["{\"k\":\"a\",\"v\":1}\n", "{\"k\":\"b\"}\n", "{\"k\":\"a\",\"v\":2}\n",
                                     "{\"k\":\"c\"}\n", "not json\n"])
        try bytes.withUnsafeBytes { try feed.append($0, records: ranges, arrival: 0, source: "raw:1", firstNumber: 1) }
        #expect(feed.openPartitions == 2 && feed.partitionLimitFailures == 1)
        _ = try feed.stage()
        try feed.publish()
        let a = ConversionHarness.files(out + "/b/k=a", suffix: ".json")
        #expect(a.count == 1)
        #expect(try String(contentsOfFile: a[0], encoding: .utf8) == "{\"k\":\"a\",\"v\":1}\n{\"k\":\"a\",\"v\":2}\n")
        let errs = ConversionHarness.files(out + "/b/err")
        let text = try errs.map { try String(contentsOfFile: $0, encoding: .utf8) }.joined()
        #expect(text.contains("DynamicPartitioning.ActivePartitionsExceeded") && text.contains("DynamicPartitioning.MetadataExtractionFailed"))
    }
}
