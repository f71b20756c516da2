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
import Parquet

/// Failed records in Firehose's error-output layout, one JSON object per line.
public enum ErrorRecord {
    /// Appends one error-output line (with its `\n`) for a failed record to `out`: `code` and `message` as the
    /// error fields, `raw` (the record's exact input bytes) base64-encoded as `rawData`, `input:line` (1-based
    /// line, `-` for stdin) as `sequenceNumber` and `document` (0-based) as `subSequenceNumber`, `arrival` and
    /// `ending` (milliseconds since the epoch) as the timestamps, and `database` / `table` in `dataCatalogTable`.
    /// With `line` nil the line number is left out (the parallel reader knows it only later and adds it with
    /// `insertLines`). Returns the offset in `out` where the record begins.
    @discardableResult
    public static func render(code: RecordFailure.Code, message: String, raw: UnsafeRawBufferPointer,
                              input: String, line: Int?, document: Int, arrival: Int64, ending: Int64,
                              database: String, table: String, into out: inout [UInt8]) -> Int {
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
        out.append(contentsOf: ",\"rawData\":".utf8)
        CanonicalFormat.appendBase64(bytes: raw, to: &out)
        out.append(contentsOf: ",\"sequenceNumber\":".utf8)
        appendJSONString("\(input):", &out)
        out.removeLast()  // the closing quote: the line number goes before it
        let at = out.count
        if let line { out.append(contentsOf: String(line).utf8) }
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: ",\"subSequenceNumber\":\(document),\"dataCatalogTable\":{\"catalogId\":null,\"databaseName\":".utf8)
        appendJSONString(database, &out)
        out.append(contentsOf: ",\"tableName\":".utf8)
        appendJSONString(table, &out)
        out.append(contentsOf: ",\"region\":null,\"versionId\":\"LATEST\",\"roleArn\":null}}\n".utf8)
        return at
    }

    /// Puts line numbers into records rendered without them: `splices` are (offset, line) in increasing offset.
    static func insertLines(_ bytes: [UInt8], _ splices: [(at: Int, line: Int)]) -> [UInt8] {
        guard !splices.isEmpty else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 8 * splices.count)
        var from = 0
        for s in splices {
            out.append(contentsOf: bytes[from..<s.at])
            out.append(contentsOf: String(s.line).utf8)
            from = s.at
        }
        out.append(contentsOf: bytes[from...])
        return out
    }

    static func appendJSONString(_ s: String, _ out: inout [UInt8]) {
        JSONSerializer.appendString(s, to: &out)
    }
}
