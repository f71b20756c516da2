// The one-pass PutRecordBatch scan accepts exactly the plain bodies and decodes them as the JSON tree path does
// (RFC 4648 section 4 base64, RFC 8259 JSON); everything else is left to the full parser (nil).

import Foundation
import Testing
@testable import FirehoseServer

@Suite struct BatchScannerTests {
    func scan(_ s: String) -> BatchScanner.Batch? {
        Array(s.utf8).withUnsafeBytes { BatchScanner.scan($0, maxRecords: 500, maxRecordBytes: 1_024_000) }
    }

    @Test func decodesEveryRecordLikeFoundation() throws {
        var g = SystemRandomNumberGenerator()
        for trial in 0..<200 {
            let n = Int.random(in: 1...40, using: &g)
            let records = (0..<n).map { _ in (0..<Int.random(in: 0...700, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) } }
            let sp = trial % 2 == 0 ? "" : " \n\t"
            let items = records.map { "{\(sp)\"Data\"\(sp):\(sp)\"\(Data($0).base64EncodedString())\"\(sp)}" }
            let body = trial % 3 == 0
                ? "{\(sp)\"Records\":[\(items.joined(separator: sp + "," + sp))],\"DeliveryStreamName\":\"s-\(trial)\"\(sp)}"
                : "\(sp){\"DeliveryStreamName\":\(sp)\"s-\(trial)\",\(sp)\"Records\":\(sp)[\(items.joined(separator: ","))]}\(sp)"
            let b = try #require(scan(body), "trial \(trial)")
            #expect(b.stream == "s-\(trial)")
            #expect(b.ranges.count == n)
            for (i, r) in b.ranges.enumerated() { #expect(Array(b.bytes[r]) == records[i]) }
        }
    }

    @Test func leavesEverythingElseToTheFullParser() {
        let ok = #"{"DeliveryStreamName":"s","Records":[{"Data":"YWJj"}]}"#
        #expect(scan(ok)?.bytes == Array("abc".utf8))
        let padded = #"{"DeliveryStreamName":"s","Records":[{"Data":"YQ=="},{"Data":""},{"Data":"YWI="},{"Data":"YWJjZA=="}]}"#
        let p = scan(padded)
        #expect(p.map { b in b.ranges.map { Array(b.bytes[$0]) } } == ["a", "", "ab", "abcd"].map { Array($0.utf8) })
        for bad in [
            #"{"DeliveryStreamName":"s","Records":[]}"#,                     // empty list: a validation error
            #"{"DeliveryStreamName":"s","Records":[{"Data":"YWJ"}]}"#,       // not base64
            #"{"DeliveryStreamName":"s","Records":[{"Data":"Y=Jj"}]}"#,      // padding inside
            #"{"DeliveryStreamName":"s","Records":[{"Data":"YQ="}]}"#,       // a short padded group
            #"{"DeliveryStreamName":"s","Records":[{"Data":"Y==="}]}"#,      // three pads
            #"{"DeliveryStreamName":"s","Records":[{"Data":"YQ==YWJj"}]}"#,  // data after the padding
            #"{"DeliveryStreamName":"s","Records":[{"Data":"YWJj="}]}"#,     // a pad after a full group
            #"{"DeliveryStreamName":"s","Records":[{"Data":"YW=j"}]}"#,      // a pad before the last character
            #"{"DeliveryStreamName":"s","Records":[{"Data":"YWJj\u0000"}]}"#, // an escape after a full group
            #"{"DeliveryStreamName":"s","Records":[{"Data":"YWJj"#,           // cut inside the string
            #"{"DeliveryStreamName":"s","Records":[{"Data":"YW\/j"}]}"#,     // an escape (\/ is legal JSON)
            #"{"DeliveryStreamName":"s","Records":[{"Data":null}]}"#,        // not a string
            #"{"DeliveryStreamName":"s","Records":[{"Data":"YWJj","X":1}]}"#, // another member
            #"{"DeliveryStreamName":"s","Records":[{"Data":"YWJj"}],"Extra":true}"#,
            #"{"Records":[{"Data":"YWJj"}]}"#,                                // no stream name
            #"{"DeliveryStreamName":"s","Records":[{"Data":"YWJj"}]"#,       // truncated
            #"{"DeliveryStreamName":"s","Records":[{"Data":"YWJj"}]} x"#,    // trailing bytes
            #"{"DeliveryStreamName":"s","DeliveryStreamName":"t","Records":[{"Data":"YWJj"}]}"#,
        ] {
            #expect(scan(bad) == nil, "\(bad)")
        }
        // more than 500 records: the full parser's ValidationException
        let many = "{\"DeliveryStreamName\":\"s\",\"Records\":[" + Array(repeating: #"{"Data":"YQ=="}"#, count: 501).joined(separator: ",") + "]}"
        #expect(scan(many) == nil)
        let most = "{\"DeliveryStreamName\":\"s\",\"Records\":[" + Array(repeating: #"{"Data":"YQ=="}"#, count: 500).joined(separator: ",") + "]}"
        #expect(scan(most)?.ranges.count == 500)
    }
}
