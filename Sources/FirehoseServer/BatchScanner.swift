// PutRecordBatch bodies in one pass over the bytes: `{"DeliveryStreamName":"…","Records":[{"Data":"<base64>"},…]}`
// as every SDK sends it, each record's base64 decoded straight into one buffer sized once for the call — no JSON
// tree, no String per record. Anything else (other members, escapes in a string, a member missing, bad base64,
// a limit exceeded) returns nil and the caller parses the body as a JSON tree, which answers every misuse with
// AWS's error as before: the scan only ever accepts bodies the full parser accepts the same way.

enum BatchScanner {
    struct Batch {
        var stream: String
        var bytes: [UInt8]
        var ranges: [Range<Int>]
    }

    /// The stream name and records of a plain PutRecordBatch body, or nil (parse it fully).
    static func scan(_ body: UnsafeRawBufferPointer, maxRecords: Int, maxRecordBytes: Int) -> Batch? {
        guard let base = body.baseAddress, body.count > 0 else { return nil }
        let p = base.assumingMemoryBound(to: UInt8.self)
        let end = body.count
        var i = 0
        @inline(__always) func ws() {
            while i < end {
                let c = p[i]
                if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i += 1 } else { break }
            }
        }
        @inline(__always) func expect(_ c: UInt8) -> Bool {
            ws()
            guard i < end, p[i] == c else { return false }
            i += 1
            return true
        }
        /// A string without escapes: the range of its bytes.
        func plainString() -> Range<Int>? {
            ws()
            guard i < end, p[i] == 0x22 else { return nil }
            let start = i + 1
            var j = start
            while j < end {
                let c = p[j]
                if c == 0x22 { i = j + 1; return start..<j }
                if c == 0x5C || c < 0x20 { return nil }
                j += 1
            }
            return nil
        }
        func isKey(_ r: Range<Int>, _ k: StaticString) -> Bool {
            guard r.count == k.utf8CodeUnitCount else { return false }
            let kp = k.utf8Start
            for n in 0..<r.count where p[r.lowerBound + n] != kp[n] { return false }
            return true
        }
        var stream: String?
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        var sawRecords = false
        guard expect(0x7B) else { return nil }  // {
        var first = true
        while true {
            ws()
            if i < end, p[i] == 0x7D { i += 1; break }  // }
            if !first { guard expect(0x2C) else { return nil } }
            first = false
            guard let key = plainString(), expect(0x3A) else { return nil }
            if isKey(key, "DeliveryStreamName") {
                guard stream == nil, let v = plainString() else { return nil }
                stream = String(decoding: UnsafeBufferPointer(start: p + v.lowerBound, count: v.count), as: UTF8.self)
            } else if isKey(key, "Records") {
                guard !sawRecords, expect(0x5B) else { return nil }  // [
                sawRecords = true
                // every record's base64 shrinks to 3/4: one allocation for the call
                bytes.reserveCapacity((end - i) / 4 * 3 + 3)
                ranges.reserveCapacity(min(maxRecords, 512))
                ws()
                if i < end, p[i] == 0x5D { return nil }  // an empty list: the full parser's error
                while true {
                    guard expect(0x7B), let k = plainString(), isKey(k, "Data"), expect(0x3A),
                          let v = plainString(), expect(0x7D) else { return nil }
                    let start = bytes.count
                    guard decode(p + v.lowerBound, v.count, into: &bytes), bytes.count - start <= maxRecordBytes else {
                        return nil
                    }
                    ranges.append(start..<bytes.count)
                    if ranges.count > maxRecords { return nil }
                    ws()
                    guard i < end else { return nil }
                    if p[i] == 0x2C { i += 1; continue }
                    if p[i] == 0x5D { i += 1; break }
                    return nil
                }
            } else {
                return nil
            }
        }
        ws()
        guard i == end, let name = stream, sawRecords else { return nil }
        return Batch(stream: name, bytes: bytes, ranges: ranges)
    }

    /// Appends the bytes `n` base64 characters at `s` decode to (RFC 4648 alphabet, `=` padding); false when they
    /// are not base64 (the caller then parses fully and reports it).
    static func decode(_ s: UnsafePointer<UInt8>, _ n: Int, into out: inout [UInt8]) -> Bool {
        if n == 0 { return true }
        guard n % 4 == 0 else { return false }
        var pad = 0
        if s[n - 1] == 0x3D { pad += 1; if s[n - 2] == 0x3D { pad += 1 } }
        let outCount = n / 4 * 3 - pad
        let start = out.count
        var ok = true
        out.append(contentsOf: repeatElement(0, count: outCount))
        Base64.table.withUnsafeBufferPointer { t in
            out.withUnsafeMutableBufferPointer { o in
                var w = start
                var r = 0
                let full = pad == 0 ? n : n - 4
                var bad: UInt8 = 0
                while r < full {
                    let a = t[Int(s[r])], b = t[Int(s[r + 1])], c = t[Int(s[r + 2])], d = t[Int(s[r + 3])]
                    bad |= a | b | c | d
                    let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                    o[w] = UInt8(truncatingIfNeeded: v >> 16)
                    o[w + 1] = UInt8(truncatingIfNeeded: v >> 8)
                    o[w + 2] = UInt8(truncatingIfNeeded: v)
                    w += 3
                    r += 4
                }
                if bad & 0xC0 != 0 { ok = false; return }
                if pad > 0 {
                    let a = t[Int(s[r])], b = t[Int(s[r + 1])]
                    let c = pad == 1 ? t[Int(s[r + 2])] : 0
                    if (a | b | c) & 0xC0 != 0 { ok = false; return }
                    let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6
                    o[w] = UInt8(truncatingIfNeeded: v >> 16)
                    if pad == 1 { o[w + 1] = UInt8(truncatingIfNeeded: v >> 8) }
                }
            }
        }
        if !ok { out.removeSubrange(start...) }
        return ok
    }
}
