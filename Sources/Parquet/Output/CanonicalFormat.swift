// Canonical JSONL value formatting (shared/conventions/canonical-jsonl.md): the byte-exact rendering of
// single values for `floe cat --format jsonl`. Every function APPENDS UTF-8 bytes to an `inout [UInt8]`.
// Pure Swift, no Foundation; scalars are rendered through small stack buffers, never through a String
// (the only exception is the shortest-digits step of floating point, see CanonicalFormat+Float.swift).
//
// Files: this one (strings, keys, literals, integers, base64, UUID), +Float, +Decimal, +Temporal.

/// Canonical JSON rendering of Parquet values. All members append to `out`; none of them throws or traps
/// on any input bytes or integer value.
public enum CanonicalFormat {
    // "00" "01" ... "99": two ASCII digits per entry; a StaticString costs no lazy initialisation.
    @usableFromInline
    static let digitPairs: StaticString =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

    @usableFromInline
    static let base64Alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    @usableFromInline
    static let hexDigits: StaticString = "0123456789abcdef"

    @usableFromInline static let quote: UInt8 = 0x22

    // MARK: - Literals

    /// `null`
    public static func appendNull(to out: inout [UInt8]) {
        appendStatic("null", to: &out)
    }

    /// `true` / `false`
    public static func appendBool(_ value: Bool, to out: inout [UInt8]) {
        appendStatic(value ? "true" : "false", to: &out)
    }

    /// Appends the bytes of an ASCII literal.
    @usableFromInline @inline(__always)
    static func appendStatic(_ s: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    // MARK: - Integers

    /// Writes the decimal digits of `value` backwards so that they end just before `end`; returns the digit count.
    @usableFromInline @inline(__always)
    static func writeDigits(_ value: UInt64, endingAt end: UnsafeMutablePointer<UInt8>) -> Int {
        let pairs = digitPairs.utf8Start
        var v = value
        var p = end
        while v >= 100 {
            let (q, r) = v.quotientAndRemainder(dividingBy: 100)
            p -= 2
            p[0] = pairs[Int(r) &* 2]
            p[1] = pairs[Int(r) &* 2 &+ 1]
            v = q
        }
        if v >= 10 {
            p -= 2
            p[0] = pairs[Int(v) &* 2]
            p[1] = pairs[Int(v) &* 2 &+ 1]
        } else {
            p -= 1
            p[0] = UInt8(truncatingIfNeeded: v) &+ 0x30
        }
        return end - p
    }

    /// Number of decimal digits of `value` (1 for 0).
    @usableFromInline @inline(__always)
    static func digitCount(_ value: UInt64) -> Int {
        var n = 1
        var v = value
        while v >= 10 {
            v /= 10
            n += 1
        }
        return n
    }

    /// Writes `value` zero-padded to at least `width` digits at `p`, advancing `p`.
    @usableFromInline @inline(__always)
    static func putPadded(_ value: UInt64, width: Int, at p: inout UnsafeMutablePointer<UInt8>) {
        let n = max(width, digitCount(value))
        let written = writeDigits(value, endingAt: p + n)
        var i = 0
        while i < n - written {
            p[i] = 0x30
            i += 1
        }
        p += n
    }

    /// Writes exactly two digits (`value` < 100) at `p`, advancing `p`.
    @usableFromInline @inline(__always)
    static func put2(_ value: Int, at p: inout UnsafeMutablePointer<UInt8>) {
        let pairs = digitPairs.utf8Start
        p[0] = pairs[value &* 2]
        p[1] = pairs[value &* 2 &+ 1]
        p += 2
    }

    /// An unsigned integer, e.g. `18446744073709551615`.
    public static func appendUInt64(_ value: UInt64, to out: inout [UInt8]) {
        if value < 10 {
            out.append(UInt8(truncatingIfNeeded: value) &+ 0x30)
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buf in
            let end = buf.baseAddress! + 24
            let n = writeDigits(value, endingAt: end)
            out.append(contentsOf: UnsafeBufferPointer(start: end - n, count: n))
        }
    }

    /// A signed integer, e.g. `-9223372036854775808`.
    public static func appendInt64(_ value: Int64, to out: inout [UInt8]) {
        if value >= 0 && value < 10 {
            out.append(UInt8(truncatingIfNeeded: value) &+ 0x30)
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buf in
            let end = buf.baseAddress! + 24
            var n = writeDigits(value.magnitude, endingAt: end)
            if value < 0 {
                end[-n - 1] = 0x2D
                n += 1
            }
            out.append(contentsOf: UnsafeBufferPointer(start: end - n, count: n))
        }
    }

    // MARK: - Strings

    /// True when one of the 8 bytes of `w` is >= 0x80, < 0x20, `"` or `\` (may report extra positives,
    /// never misses one).
    @usableFromInline @inline(__always)
    static func wordNeedsAttention(_ w: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let control = (w &- ones &* 0x20) & ~w
        let q = w ^ (ones &* 0x22)
        let quoteHit = (q &- ones) & ~q
        let b = w ^ (ones &* 0x5C)
        let backslashHit = (b &- ones) & ~b
        return ((w | control | quoteHit | backslashHit) & highs) != 0
    }

    /// Length of the valid UTF-8 sequence starting with the non-ASCII byte at `p[i]`, or 0 when it is invalid
    /// (stray continuation byte, overlong form, surrogate, beyond U+10FFFF, truncated).
    @usableFromInline @inline(__always)
    static func utf8SequenceLength(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Int {
        let c0 = p[i]
        @inline(__always) func cont(_ k: Int) -> Bool { i + k < n && p[i + k] & 0xC0 == 0x80 }
        switch c0 {
        case 0xC2...0xDF:
            return cont(1) ? 2 : 0
        case 0xE0...0xEF:
            guard i + 2 < n else { return 0 }
            let c1 = p[i + 1]
            let lo: UInt8 = c0 == 0xE0 ? 0xA0 : 0x80
            let hi: UInt8 = c0 == 0xED ? 0x9F : 0xBF
            return (c1 >= lo && c1 <= hi && cont(2)) ? 3 : 0
        case 0xF0...0xF4:
            guard i + 3 < n else { return 0 }
            let c1 = p[i + 1]
            let lo: UInt8 = c0 == 0xF0 ? 0x90 : 0x80
            let hi: UInt8 = c0 == 0xF4 ? 0x8F : 0xBF
            return (c1 >= lo && c1 <= hi && cont(2) && cont(3)) ? 4 : 0
        default:
            return 0
        }
    }

    /// Whether `bytes` is strict UTF-8 (the test `appendString` applies).
    public static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return true }
        let n = bytes.count
        var i = 0
        while i < n {
            if base[i] < 0x80 {
                i += 1
            } else {
                let len = utf8SequenceLength(base, i, n)
                if len == 0 { return false }
                i += len
            }
        }
        return true
    }

    /// A JSON string for UTF-8 `bytes`: escapes exactly `\"` `\\` `\n` `\r` `\t` `\b` `\f` and other
    /// U+0000..U+001F as `\u00xx`; everything else raw. Bytes that are not strict UTF-8 are written as
    /// `{"$invalid_utf8_b64":"<base64>"}` instead.
    public static func appendString(bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(quote)
        guard let raw = bytes.baseAddress, bytes.count > 0 else {
            out.append(quote)
            return
        }
        let base = raw.assumingMemoryBound(to: UInt8.self)
        let start = out.count - 1
        let n = bytes.count
        var i = 0
        var runStart = 0
        while i < n {
            // Fast path: skip 8 plain ASCII bytes at a time.
            while i &+ 8 <= n, !wordNeedsAttention(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) {
                i &+= 8
            }
            if i >= n { break }
            let c = base[i]
            if c >= 0x80 {
                let len = utf8SequenceLength(base, i, n)
                if len == 0 {
                    out.removeSubrange(start...)
                    appendInvalidUTF8(bytes: bytes, to: &out)
                    return
                }
                i &+= len
            } else if c < 0x20 || c == 0x22 || c == 0x5C {
                if runStart < i {
                    out.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: i - runStart))
                }
                appendEscape(c, to: &out)
                i &+= 1
                runStart = i
            } else {
                i &+= 1
            }
        }
        if runStart < n {
            out.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: n - runStart))
        }
        out.append(quote)
    }

    @usableFromInline
    static func appendEscape(_ c: UInt8, to out: inout [UInt8]) {
        let short: UInt8
        switch c {
        case 0x22: short = 0x22  // \"
        case 0x5C: short = 0x5C  // \\
        case 0x0A: short = 0x6E  // \n
        case 0x0D: short = 0x72  // \r
        case 0x09: short = 0x74  // \t
        case 0x08: short = 0x62  // \b
        case 0x0C: short = 0x66  // \f
        default:
            let hex = hexDigits.utf8Start
            appendStatic("\\u00", to: &out)
            out.append(hex[Int(c >> 4)])
            out.append(hex[Int(c & 0xF)])
            return
        }
        out.append(0x5C)
        out.append(short)
    }

    /// `{"$invalid_utf8_b64":"<base64>"}`
    public static func appendInvalidUTF8(bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        appendStatic(#"{"$invalid_utf8_b64":"#, to: &out)
        appendBase64(bytes: bytes, to: &out)
        out.append(0x7D)
    }

    /// A JSON string for a Swift string (always valid UTF-8).
    public static func appendString(_ string: String, to out: inout [UInt8]) {
        var s = string
        s.withUTF8 { appendString(bytes: UnsafeRawBufferPointer($0), to: &out) }
    }

    /// An object key: the quoted, escaped `name` followed by `:`.
    public static func appendKey(_ name: String, to out: inout [UInt8]) {
        appendString(name, to: &out)
        out.append(0x3A)
    }

    /// The bytes `appendKey` writes, to compute once per column and append with `out.append(contentsOf:)`.
    public static func encodedKey(_ name: String) -> [UInt8] {
        var out: [UInt8] = []
        appendKey(name, to: &out)
        return out
    }

    // MARK: - Base64, UUID

    /// A quoted base64 string (standard alphabet, `=` padding; `""` when empty).
    public static func appendBase64(bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        let n = bytes.count
        guard n > 0, let raw = bytes.baseAddress else {
            out.append(contentsOf: [quote, quote])
            return
        }
        let src = raw.assumingMemoryBound(to: UInt8.self)
        let encoded = ((n + 2) / 3) * 4
        let start = out.count
        out.append(contentsOf: repeatElement(0x3D as UInt8, count: encoded + 2))  // '=' fill covers padding
        out.withUnsafeMutableBufferPointer { dst in
            let alphabet = base64Alphabet.utf8Start
            var o = dst.baseAddress! + start
            o[0] = quote
            o += 1
            var i = 0
            while i + 3 <= n {
                let v = UInt32(src[i]) << 16 | UInt32(src[i + 1]) << 8 | UInt32(src[i + 2])
                o[0] = alphabet[Int(v >> 18)]
                o[1] = alphabet[Int((v >> 12) & 0x3F)]
                o[2] = alphabet[Int((v >> 6) & 0x3F)]
                o[3] = alphabet[Int(v & 0x3F)]
                o += 4
                i += 3
            }
            let rest = n - i
            if rest == 1 {
                let v = UInt32(src[i]) << 16
                o[0] = alphabet[Int(v >> 18)]
                o[1] = alphabet[Int((v >> 12) & 0x3F)]
                o += 4
            } else if rest == 2 {
                let v = UInt32(src[i]) << 16 | UInt32(src[i + 1]) << 8
                o[0] = alphabet[Int(v >> 18)]
                o[1] = alphabet[Int((v >> 12) & 0x3F)]
                o[2] = alphabet[Int((v >> 6) & 0x3F)]
                o += 4
            }
            o[0] = quote
        }
    }

    /// A UUID from its 16 big-endian bytes: `"00112233-4455-6677-8899-aabbccddeeff"`. Any other length
    /// (invalid data) falls back to base64 rather than trapping.
    public static func appendUUID(bytes16 bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        guard bytes.count == 16 else {
            appendBase64(bytes: bytes, to: &out)
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 38) { buf in
            let hex = hexDigits.utf8Start
            var p = buf.baseAddress!
            p[0] = quote
            p += 1
            for k in 0..<16 {
                if k == 4 || k == 6 || k == 8 || k == 10 {
                    p[0] = 0x2D
                    p += 1
                }
                let b = bytes[k]
                p[0] = hex[Int(b >> 4)]
                p[1] = hex[Int(b & 0xF)]
                p += 2
            }
            p[0] = quote
            out.append(contentsOf: UnsafeBufferPointer(start: buf.baseAddress!, count: 38))
        }
    }
}
