// PutRecordBatch's answer written straight into one buffer of its exact size: 500 record ids per call were 500
// Strings built from several more (hex digits, padding, interpolation) — an eighth of the server's CPU time.
// `{"FailedPutCount":F,"Encrypted":false,"RequestResponses":[{"RecordId":"<56 hex>"},…,{"ErrorCode":…}]}`, compact
// (some clients match `"FailedPutCount":0` literally).

enum BatchResponse {
    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
    static let idOpen: [UInt8] = Array("{\"RecordId\":\"".utf8)
    static let idClose: [UInt8] = Array("\"}".utf8)
    static let refused: [UInt8] = Array("{\"ErrorCode\":\"ServiceUnavailableException\",\"ErrorMessage\":\"Slow down.\"}".utf8)
    /// Bytes of one record id: 40 hex digits of the log sequence number, 16 of the record's index in its call.
    static let idLength = 56

    /// The record id of record `i` of the call logged at `lsn`.
    static func recordId(_ lsn: UInt64, _ i: Int) -> String {
        String(unsafeUninitializedCapacity: idLength) { b in
            writeId(lsn, i, b.baseAddress!)
            return idLength
        }
    }

    /// Writes the 56 hex digits of the id of record `i` of the call logged at `lsn` at `o`.
    @inline(__always)
    static func writeId(_ lsn: UInt64, _ i: Int, _ o: UnsafeMutablePointer<UInt8>) {
        hexDigits.withUnsafeBufferPointer { h in
            for k in 0..<24 { o[k] = 0x30 }
            var v = lsn
            for k in stride(from: 39, through: 24, by: -1) {
                o[k] = h[Int(v & 15)]
                v >>= 4
            }
            var n = UInt64(i)
            for k in stride(from: 55, through: 40, by: -1) {
                o[k] = h[Int(n & 15)]
                n >>= 4
            }
        }
    }

    /// The answer to a call of `count` records logged at `lsn`, of which the first `accepted` were taken.
    static func putRecordBatch(lsn: UInt64, count: Int, accepted: Int) -> [UInt8] {
        let head = Array("{\"FailedPutCount\":\(count - accepted),\"Encrypted\":false,\"RequestResponses\":[".utf8)
        let idBytes = idOpen.count + idLength + idClose.count
        let size = head.count + accepted * idBytes + (count - accepted) * refused.count + max(0, count - 1) + 2
        return [UInt8](unsafeUninitializedCapacity: size) { b, n in
            let o = b.baseAddress!
            var w = 0
            func put(_ a: [UInt8]) {
                a.withUnsafeBufferPointer { (o + w).update(from: $0.baseAddress!, count: $0.count) }
                w += a.count
            }
            put(head)
            for i in 0..<count {
                if i > 0 { o[w] = UInt8(ascii: ","); w += 1 }
                if i < accepted {
                    put(idOpen)
                    writeId(lsn, i, o + w)
                    w += idLength
                    put(idClose)
                } else {
                    put(refused)
                }
            }
            o[w] = UInt8(ascii: "]")
            o[w + 1] = UInt8(ascii: "}")
            w += 2
            precondition(w == size)
            n = w
        }
    }
}
