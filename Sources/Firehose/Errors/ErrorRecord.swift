// Failed records in Firehose's error-output layout (one JSON object per line):
//
//     {"attemptsMade":1,"arrivalTimestamp":1709251200000,"errorCode":"DataFormatConversion.ParseError",
//      "errorMessage":"…","lastErrorCode":…,"lastErrorMessage":…,"attemptEndingTimestamp":…,
//      "rawData":"<base64 of the exact input bytes>","sequenceNumber":"events.ndjson:12","subSequenceNumber":0,
//      "dataCatalogTable":{"catalogId":null,"databaseName":"default","tableName":"events","region":null,
//      "versionId":"LATEST","roleArn":null}}
//
// `sequenceNumber` is `<input>:<line>` (1-based line; stdin is `-`); `subSequenceNumber` the 0-based index of the
// JSON document within the line (0 for a whole-line failure).

import JSON

public enum ErrorRecord {
    public static func render(code: RecordFailure.Code, message: String, raw: UnsafeRawBufferPointer,
                              input: String, line: Int, document: Int, arrival: Int64, ending: Int64,
                              database: String, table: String, into out: inout [UInt8]) {
        out.append(contentsOf: "{\"attemptsMade\":1,\"arrivalTimestamp\":".utf8)
        out.append(contentsOf: String(arrival).utf8)
        out.append(contentsOf: ",\"errorCode\":\"".utf8)
        out.append(contentsOf: code.rawValue.utf8)
        out.append(contentsOf: "\",\"errorMessage\":".utf8)
        appendJSONString(message, &out)
        out.append(contentsOf: ",\"lastErrorCode\":\"".utf8)
        out.append(contentsOf: code.rawValue.utf8)
        out.append(contentsOf: "\",\"lastErrorMessage\":".utf8)
        appendJSONString(message, &out)
        out.append(contentsOf: ",\"attemptEndingTimestamp\":".utf8)
        out.append(contentsOf: String(ending).utf8)
        out.append(contentsOf: ",\"rawData\":\"".utf8)
        base64(raw, &out)
        out.append(contentsOf: "\",\"sequenceNumber\":".utf8)
        appendJSONString("\(input):\(line)", &out)
        out.append(contentsOf: ",\"subSequenceNumber\":\(document),\"dataCatalogTable\":{\"catalogId\":null,\"databaseName\":".utf8)
        appendJSONString(database, &out)
        out.append(contentsOf: ",\"tableName\":".utf8)
        appendJSONString(table, &out)
        out.append(contentsOf: ",\"region\":null,\"versionId\":\"LATEST\",\"roleArn\":null}}\n".utf8)
    }

    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    public static func base64(_ b: UnsafeRawBufferPointer, _ out: inout [UInt8]) {
        let n = b.count
        var i = 0
        out.reserveCapacity(out.count + (n + 2) / 3 * 4)
        while i + 3 <= n {
            let v = UInt32(b[i]) << 16 | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2])
            out.append(alphabet[Int(v >> 18)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(alphabet[Int(v >> 6 & 63)])
            out.append(alphabet[Int(v & 63)])
            i += 3
        }
        if n - i == 1 {
            let v = UInt32(b[i]) << 16
            out.append(alphabet[Int(v >> 18)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(contentsOf: "==".utf8)
        } else if n - i == 2 {
            let v = UInt32(b[i]) << 16 | UInt32(b[i + 1]) << 8
            out.append(alphabet[Int(v >> 18)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(alphabet[Int(v >> 6 & 63)])
            out.append(UInt8(ascii: "="))
        }
    }

    static func appendJSONString(_ s: String, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
            case 0x0A: out.append(contentsOf: "\\n".utf8)
            case 0x0D: out.append(contentsOf: "\\r".utf8)
            case 0x09: out.append(contentsOf: "\\t".utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: "\\u00".utf8)
                out.append(hex[Int(c >> 4)])
                out.append(hex[Int(c & 15)])
            default: out.append(c)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
