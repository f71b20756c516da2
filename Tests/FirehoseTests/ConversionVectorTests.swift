// Tests/FirehoseTests/TestVectors/firehose/<case>/: input.ndjson + columns.json (+ options.json, schema.json)
// → expected.jsonl (rows, canonical JSONL) and expected_errors.jsonl (failed records: code, rawData,
// sequenceNumber, subSequenceNumber). `regenerate.py` there rewrites the expectations (review the diff).

import Foundation
import Testing

import Firehose
import JSON
import JSONSchema
import Parquet

enum ConversionHarness {
    static func tempDir() -> String {
        let d = NSTemporaryDirectory() + "floe-conv-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    static func files(_ dir: String, suffix: String? = nil, containing: String? = nil) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: dir) else { return [] }
        var out: [String] = []
        while let p = e.nextObject() as? String {
            let full = dir + "/" + p
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue else { continue }
            if let s = suffix, !p.hasSuffix(s) { continue }
            if let c = containing, !p.contains(c) { continue }
            out.append(full)
        }
        return out.sorted()
    }

    static func rows(_ path: String) throws -> String {
        let f = try ParquetFile(path: path)
        var out: [UInt8] = []
        try RowExporter(file: f).export(format: .jsonl, limit: nil) { out.append(contentsOf: $0) }
        return String(decoding: out, as: UTF8.self)
    }

    static func errorRecords(_ tableDir: String) throws -> [JSONValue] {
        var out: [JSONValue] = []
        for f in files(tableDir, containing: "-failed/") {
            let text = try String(contentsOfFile: f, encoding: .utf8)
            for line in text.split(separator: "\n") { out.append(try JSONParser.parse(Array(line.utf8))) }
        }
        return out
    }

    static func config(case dir: String, out: String) throws -> ConvertConfig {
        let cols = try ColumnDefinitions.load(path: dir + "/columns.json")
        var opts: JSONObject = JSONObject()
        if let b = FileManager.default.contents(atPath: dir + "/options.json"),
           case .object(let o) = try JSONParser.parse(Array(b)) { opts = o }
        let d = DeliveryConfig(outDir: out, table: "t", stream: "t",
                               prefix: try PrefixTemplate(opts["prefix"]?.stringValue ?? "!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/!{timestamp:HH}/", errorPrefix: false),
                               errorPrefix: try PrefixTemplate("!{firehose:error-output-type}/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/!{timestamp:HH}/", errorPrefix: true))
        var c = ConvertConfig(delivery: d, columns: cols)
        if opts["serde"]?.stringValue == "hive" { c.record.serde = .hive }
        if opts["case_sensitive"]?.boolValue == true { c.record.caseInsensitive = false }
        if opts["dots_to_underscores"]?.boolValue == true { c.record.dotsToUnderscores = true }
        if let t = opts["timestamp"]?.stringValue { c.record.timestamp = TimestampMode(rawValue: t)! }
        if case .object(let m)? = opts["key_mapping"] {
            for (k, v) in m { c.record.keyMapping[k] = v.stringValue! }
        }
        if let s = opts["schema"]?.stringValue { c.validator = try JSONSchemaValidator(path: dir + "/" + s) }
        c.arrivalTime = 1_709_287_200_000  // 2024-03-01T10:00:00Z
        c.clock = FixedClock(millis: 1_709_287_200_000)
        c.jobs = 1
        return c
    }
}

@Suite("Firehose conversion test vectors", .serialized)
struct ConversionVectorTests {
    static let root = testVector("firehose")
    static let cases: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
        .filter { FileManager.default.fileExists(atPath: root + "/" + $0 + "/input.ndjson") }.sorted()

    @Test(arguments: cases)
    func vector(_ name: String) throws {
        let dir = Self.root + "/" + name
        let out = ConversionHarness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let conv = try Converter(config: try ConversionHarness.config(case: dir, out: out))
        // An absolute input path (no chdir: other suites run in parallel); sequence numbers are compared with the
        // case folder taken off.
        let stats = try conv.run(inputs: [dir + "/input.ndjson"])
        let parquet = ConversionHarness.files(out + "/t/2024", suffix: ".parquet")
        #expect(parquet.count <= 1)
        let rows = try parquet.first.map { try ConversionHarness.rows($0) } ?? ""
        let expected = try String(contentsOfFile: dir + "/expected.jsonl", encoding: .utf8)
        #expect(rows == expected, "rows of \(name)")
        let errs = try ConversionHarness.errorRecords(out + "/t")
        let expectedErrs = try String(contentsOfFile: dir + "/expected_errors.jsonl", encoding: .utf8)
            .split(separator: "\n").map { try JSONParser.parse(Array($0.utf8)) }
        #expect(errs.count == expectedErrs.count, "error count of \(name)")
        for (e, x) in zip(errs, expectedErrs) {
            for k in ["lastErrorCode", "rawData", "subSequenceNumber"] {
                #expect(e[k] == x[k], "\(name): \(k) of \(x)")
            }
            let seq = e["sequenceNumber"]?.stringValue.map { $0.replacingOccurrences(of: dir + "/", with: "") }
            #expect(seq == x["sequenceNumber"]?.stringValue, "\(name): sequenceNumber of \(x)")
            #expect(e["attemptsMade"] == .number(JSONNumber(1)))
            #expect(e["arrivalTimestamp"] == .number(JSONNumber(1_709_287_200_000)))
            #expect(e["dataCatalogTable"]?["tableName"] == .string("t"))
            let message = e["lastErrorMessage"]?.stringValue ?? ""
            #expect(message.count > 0)
        }
        #expect(stats.recordsIn == stats.recordsConverted + stats.recordsFailed)
        #expect(stats.recordsFailed == expectedErrs.count)
        #expect(stats.recordsConverted == expected.split(separator: "\n").count)
        // nothing left in staging
        #expect(ConversionHarness.files(out + "/.floe-staging").isEmpty)
    }
}
