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
        var found: (stream: String, ranges: [Range<Int>])?
        // every record's base64 shrinks to 3/4: one allocation for the call, written in place
        let bytes = [UInt8](unsafeUninitializedCapacity: body.count / 4 * 3 + 4) { o, n in
            var w = 0
            found = Base64.table.withUnsafeBufferPointer { t in
                quads.withUnsafeBufferPointer { q in
                    scanRecords(p, body.count, t.baseAddress!, q.baseAddress!, o.baseAddress!, &w, maxRecords: maxRecords,
                                maxRecordBytes: maxRecordBytes)
                }
            }
            n = found == nil ? 0 : w
        }
        guard let f = found else { return nil }
        return Batch(stream: f.stream, bytes: bytes, ranges: f.ranges)
    }

    /// Base64 decoding a group of four characters at a time: `quads[256 * k + c]` is character `c` in position `k`
    /// of a group, shifted to where its bits go in the group's three bytes read as a little-endian word (byte 3
    /// clear); not a base64 character: 0x01FFFFFF, so a group with one has a word of 0x01000000 or more.
    static let quads: [UInt32] = {
        var q = [UInt32](repeating: 0x01FF_FFFF, count: 1024)
        for c in 0..<256 {
            let v = UInt32(Base64.table[c])
            guard v < 64 else { continue }
            q[c] = v << 2
            q[256 + c] = v >> 4 | (v & 15) << 12
            q[512 + c] = (v >> 2) << 8 | (v & 3) << 22
            q[768 + c] = v << 16
        }
        return q
    }()

    private static func scanRecords(_ p: UnsafePointer<UInt8>, _ end: Int, _ t: UnsafePointer<UInt8>, _ q: UnsafePointer<UInt32>,
                                    _ o: UnsafeMutablePointer<UInt8>,
                             _ w: inout Int, maxRecords: Int, maxRecordBytes: Int) -> (stream: String, ranges: [Range<Int>])? {
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
                ranges.reserveCapacity(min(maxRecords, 512))
                ws()
                if i < end, p[i] == 0x5D { return nil }  // an empty list: the full parser's error
                while true {
                    guard expect(0x7B), let k = plainString(), isKey(k, "Data"), expect(0x3A), expect(0x22) else { return nil }
                    // the base64 is decoded as it is scanned: a quote, backslash or control byte is no base64
                    let start = w
                    guard let next = decodeString(p, i, end, t, q, o, &w), w - start <= maxRecordBytes else { return nil }
                    i = next
                    guard expect(0x7D) else { return nil }
                    ranges.append(start..<w)
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
        return (name, ranges)
    }

    /// Decodes the base64 (RFC 4648 alphabet, `=` padding) of the JSON string whose bytes start at `p[i]` into
    /// `o[w...]`, advancing `w`; returns the index after the closing quote, or nil when the string is not plain
    /// base64 (the caller then parses fully and reports it). `t` is `Base64.table` (0xFF: not base64), `q` is
    /// `quads`; a full group stores a 4-byte word (its fourth byte is overwritten by the next group's, or lies
    /// past the output: `o` needs one byte to spare).
    @inline(__always)
    static func decodeString(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int, _ t: UnsafePointer<UInt8>,
                             _ q: UnsafePointer<UInt32>, _ o: UnsafeMutablePointer<UInt8>, _ w: inout Int) -> Int? {
        var r = i
        var x = w
        let out = UnsafeMutableRawPointer(o)
        while r + 4 <= end {
            let v = q[Int(p[r])] | q[256 + Int(p[r + 1])] | q[512 + Int(p[r + 2])] | q[768 + Int(p[r + 3])]
            if v >= 0x0100_0000 { break }
            out.storeBytes(of: v.littleEndian, toByteOffset: x, as: UInt32.self)
            x += 3
            r += 4
        }
        // at a group boundary: the closing quote, or a padded last group (`xx==`, `xxx=`) and then the quote
        guard r < end else { return nil }
        if p[r] == 0x22 {
            w = x
            return r + 1
        }
        guard r + 5 <= end, p[r + 4] == 0x22, p[r + 3] == 0x3D else { return nil }
        let a = t[Int(p[r])], b = t[Int(p[r + 1])]
        guard (a | b) & 0xC0 == 0 else { return nil }
        if p[r + 2] == 0x3D {
            o[x] = a << 2 | b >> 4
            x += 1
        } else {
            let c = t[Int(p[r + 2])]
            guard c & 0xC0 == 0 else { return nil }
            o[x] = a << 2 | b >> 4
            o[x + 1] = b << 4 | c >> 2
            x += 2
        }
        w = x
        return r + 5
    }
}
