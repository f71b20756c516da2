// PutRecordBatch's answer, written into one buffer: the botocore model's shape (`FailedPutCount`, `Encrypted`,
// `RequestResponses` of `RecordId` or `ErrorCode`/`ErrorMessage`), compact, record ids of 56 lower-case hex digits
// (the log position, then the record's index) unique per record.

import Foundation
import JSON
import Testing
@testable import FirehoseServer

@Suite struct BatchResponseTests {
    /// The id as the server wrote it before the one-buffer answer (the reference here).
    func referenceId(_ lsn: UInt64, _ i: Int) -> String {
        let a = String(lsn, radix: 16), b = String(i, radix: 16)
        return String(repeating: "0", count: 40 - a.count) + a + String(repeating: "0", count: 16 - b.count) + b
    }

    @Test func recordIdsAreTheLogPositionAndIndexInHex() {
        for (lsn, i) in [(UInt64(0), 0), (1, 0), (0xabc, 499), (UInt64.max, Int(UInt32.max)), (123_456_789, 17)] {
            #expect(BatchResponse.recordId(lsn, i) == referenceId(lsn, i))
        }
    }

    @Test func answersEveryRecordInOrderCompactly() throws {
        for (count, accepted) in [(1, 1), (500, 500), (500, 250), (3, 1), (7, 0)] {
            let lsn: UInt64 = 0x1f00 + UInt64(count)
            let out = BatchResponse.putRecordBatch(lsn: lsn, count: count, accepted: accepted)
            let text = String(decoding: out, as: UTF8.self)
            #expect(text.hasPrefix("{\"FailedPutCount\":\(count - accepted),\"Encrypted\":false,\"RequestResponses\":["))
            #expect(!text.replacingOccurrences(of: "Slow down.", with: "").contains(" "), "compact: no white space")
            let v = try JSONParser.parse(out)
            #expect(v["FailedPutCount"]?.numberValue?.int64 == Int64(count - accepted))
            let rs = try #require(v["RequestResponses"]?.arrayValue)
            #expect(rs.count == count)
            for (i, r) in rs.enumerated() {
                if i < accepted {
                    guard case .string(let id)? = r["RecordId"] else { Issue.record("record \(i): no RecordId"); continue }
                    #expect(id == referenceId(lsn, i))
                } else {
                    guard case .string(let code)? = r["ErrorCode"], case .string(let m)? = r["ErrorMessage"] else {
                        Issue.record("record \(i): no error"); continue
                    }
                    #expect(code == "ServiceUnavailableException" && m == "Slow down.")
                }
            }
        }
    }
}
