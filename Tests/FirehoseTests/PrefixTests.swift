import Foundation
import Testing

import Firehose
import JSON

@Suite("Prefixes, partition keys, escaping")
struct PrefixTests {
    let march1 = Int64(1_709_287_200_000) + 23 * 60_000 + 45_678  // 2024-03-01T10:23:45.678Z

    @Test func timestampExpressions() throws {
        let p = try PrefixTemplate("!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/!{timestamp:HH}/", errorPrefix: false)
        #expect(p.render(arrival: march1) == "2024/03/01/10/")
        let q = try PrefixTemplate("year=!{timestamp:yyyy}/dt=!{timestamp:yyyy-MM-dd'T'HH:mm:ss.SSS}/", errorPrefix: false)
        #expect(q.render(arrival: march1) == "year=2024/dt=2024-03-01T10:23:45.678/")
        let e = try PrefixTemplate("!{firehose:error-output-type}/!{timestamp:yyyy/MM}/", errorPrefix: true)
        #expect(e.render(arrival: march1, errorType: "format-conversion-failed") == "format-conversion-failed/2024/03/")
        let r = try PrefixTemplate("x/!{firehose:random-string}/", errorPrefix: false)
        let rendered = PrefixTemplate.resolveRandom(r.render(arrival: march1))
        #expect(rendered.count == "x//".count + 11 && rendered.hasPrefix("x/"))
    }

    @Test func badPrefixes() {
        for bad in ["../x/", "a/../b/", "!{timestamp:yyyy", "!{nope:x}/", "!{firehose:error-output-type}/", "!{timestamp:QQ}/"] {
            #expect(throws: PrefixError.self, "\(bad)") { try PrefixTemplate(bad, errorPrefix: false) }
        }
        #expect(throws: PrefixError.self) { try PrefixTemplate("!{partitionKeyFromQuery:a}/", errorPrefix: true) }
    }

    @Test func hiveEscaping() {
        let cases: [(String, String)] = [
            ("plain", "plain"), ("a/b", "a%2Fb"), ("../../x", "..%2F..%2Fx"), ("..", "%2E%2E"), (".", "%2E"),
            ("%2e%2e", "%252e%252e"), ("a\u{0}b", "a%00b"), ("tab\tnl\n", "tab%09nl%0A"), ("k=v", "k%3Dv"),
            ("", "__HIVE_DEFAULT_PARTITION__"), ("a\\b:c", "a%5Cb%3Ac"), ("a.b", "a.b"), ("日本", "日本"),
        ]
        for (v, want) in cases { #expect(PrefixTemplate.escapePartitionValue(v) == want, "\(v)") }
        let long = String(repeating: "é/", count: 500)
        let e = PrefixTemplate.escapePartitionValue(long)
        #expect(e.utf8.count <= 200 && !e.contains("/"))
        #expect(e != PrefixTemplate.escapePartitionValue(long + "x"))
    }

    @Test func jqSubset() throws {
        let doc = try JSONParser.parse(Array(#"{"a":{"b":"Hello-World","n":12,"t":1709287425},"l":["x","y"],"k.q":true}"#.utf8))
        let cases: [(String, String)] = [
            (".a.b", "Hello-World"), (".a.n", "12"), (".a.n | tostring", "12"), (".a.b | ascii_downcase", "hello-world"),
            (".a.b | .[0:5]", "Hello"), (".a.b | split(\"-\") | .[1]", "World"), (".l[1]", "y"), (".[\"k.q\"]", "true"),
            (".a.t | todate", "2024-03-01T10:03:45Z"), (".a.t | strftime(\"%Y/%m/%d %H\")", "2024/03/01 10"),
            (".a.t | todate | .[0:10]", "2024-03-01"), (".l | join(\"+\")", "x+y"), (".a.b | .[:-6]", "Hello"),
        ]
        for (q, want) in cases { #expect(try JQQuery(q).evaluate(doc) == want, "\(q)") }
        #expect(throws: JQError.self) { try JQQuery(".missing").evaluate(doc) }
        #expect(throws: JQError.self) { try JQQuery(".a").evaluate(doc) }
        #expect(throws: JQError.self) { try JQQuery(".a | frobnicate") }
    }

    /// Hostile partition values stay inside the table folder; records beyond the partition limit go to the
    /// error output.
    @Test func dynamicPartitioningStaysInside() throws {
        let out = ConversionHarness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let input = out + "/in.ndjson"
        let values = ["../../x", "a/b", "%2e%2e", "nul\u{0}byte", String(repeating: "z", count: 1000), "..", "/abs", "ok"]
        var text = ""
        for (i, v) in values.enumerated() {
            var o: [UInt8] = []
            JSONSerializer.serialize(.object(JSONObject([("id", .number(JSONNumber(i))), ("k", .string(v))])), into: &o)
            text += String(decoding: o, as: UTF8.self) + "\n"
        }
        text += #"{"id":99}"# + "\n"  // no key: partition extraction fails
        try text.write(toFile: input, atomically: true, encoding: .utf8)
        let cols = try ColumnDefinitions.parse(Array(#"[{"name":"id","type":"int"},{"name":"k","type":"string"}]"#.utf8))
        var d = DeliveryConfig(outDir: out + "/wh", table: "t", stream: "s",
                               prefix: try PrefixTemplate("k=!{partitionKeyFromQuery:k}/", errorPrefix: false),
                               errorPrefix: try PrefixTemplate("errors/!{firehose:error-output-type}/", errorPrefix: true))
        d.maxOpenPartitions = 6
        var c = ConvertConfig(delivery: d, columns: cols)
        c.partitionKeys = [("k", try JQQuery(".k"))]
        c.arrivalTime = march1
        c.clock = FixedClock(millis: march1)
        let stats = try Converter(config: c).run(inputs: [input])
        #expect(stats.recordsIn == 9 && stats.recordsConverted == 6 && stats.recordsFailed == 3)
        #expect(stats.failedByCode["DynamicPartitioning.MetadataExtractionFailed"] == 1)
        #expect(stats.failedByCode["DynamicPartitioning.ActivePartitionsExceeded"] == 2)
        let table = URL(fileURLWithPath: out + "/wh/t").standardizedFileURL.path
        // nothing outside the table folder but the (removed) staging folder
        let top = try FileManager.default.contentsOfDirectory(atPath: out + "/wh").sorted()
        #expect(top == ["t"])
        let parquet = ConversionHarness.files(table, suffix: ".parquet")
        #expect(parquet.count == 6)
        for f in parquet {
            let resolved = URL(fileURLWithPath: f).resolvingSymlinksInPath().standardizedFileURL.path
            #expect(resolved.hasPrefix(table + "/k="), "\(resolved)")
            let rel = String(resolved.dropFirst(table.count + 1))
            #expect(rel.split(separator: "/").count == 2, "\(rel)")  // k=<value>/<file>
            #expect(rel.hasPrefix("k=") && rel.hasSuffix(".parquet") && rel.contains("/s-1-2024-03-01-10-23-45-"))
        }
        let folders = Set(parquet.map { URL(fileURLWithPath: $0).deletingLastPathComponent().lastPathComponent })
        #expect(folders.contains("k=..%2F..%2Fx") && folders.contains("k=a%2Fb") && folders.contains("k=%252e%252e")
                && folders.contains("k=nul%00byte"))
        let errs = try ConversionHarness.errorRecords(out + "/wh/t/errors")
        _ = errs
        let errorFiles = ConversionHarness.files(table + "/errors/partitioning-failed")
        #expect(errorFiles.count >= 1)
    }
}
