// Value coercions of the OpenX JSON SerDe (and the stricter Hive JSON SerDe), on raw bytes.
//
// - Integers: JSON integer literals (no fraction, no exponent), numeric strings `"12"`, `"-7"`,
//   `"+3"`, hex `"0x1F"` (OpenX only). Out of the column's range, fractions and anything else fail.
// - Floating point: JSON numbers, numeric strings (`"1.5"`, `"1e3"`, `"NaN"`, `"Infinity"`; OpenX only);
//   a value beyond the type's range fails.
// - Timestamps: `yyyy-[M]M-[d]d[T| ]HH:mm:ss[.f{1,9}][Z|±HH[:MM]|±HHMM]` (no zone = UTC); numbers (and, with
//   OpenX, numeric strings) are epoch seconds, epoch milliseconds (|v| ≥ 10^11) or fractional epoch seconds.
// - Dates: `yyyy-[M]M-[d]d`, or a timestamp string (its UTC date).
// - Decimals: numbers or numeric strings, rounded half-up to the scale; more digits than the precision fail.

import JSON

@usableFromInline
enum Coercion {
    // MARK: integers

    /// An integer from a validated JSON number literal (nil: not an integer or beyond Int64).
    static func integer(literal bytes: UnsafeRawBufferPointer) -> Int64? {
        let d = JSONDecimal(validatedLiteral: bytes)
        guard d.isInteger else { return nil }
        return d.int64
    }

    /// An integer from a string: `[+-]digits` or `[+-]0x hex` (hex only when `allowHex`).
    static func integer(string s: UnsafeRawBufferPointer, allowHex: Bool) -> Int64? {
        var i = 0
        let n = s.count
        var neg = false
        if i < n && (s[i] == UInt8(ascii: "-") || s[i] == UInt8(ascii: "+")) {
            neg = s[i] == UInt8(ascii: "-")
            i += 1
        }
        guard i < n else { return nil }
        var mag: UInt64 = 0
        if allowHex && n - i > 2 && s[i] == UInt8(ascii: "0") && s[i + 1] | 0x20 == UInt8(ascii: "x") {
            i += 2
            while i < n {
                let c = s[i]
                let v: UInt8
                if c &- 0x30 < 10 { v = c &- 0x30 }
                else if (c | 0x20) &- 0x61 < 6 { v = (c | 0x20) &- 0x61 &+ 10 }
                else { return nil }
                if mag > (UInt64.max >> 4) { return nil }
                mag = mag << 4 | UInt64(v)
                i += 1
            }
        } else {
            while i < n {
                let v = s[i] &- 0x30
                guard v < 10 else { return nil }
                let (m1, o1) = mag.multipliedReportingOverflow(by: 10)
                let (m2, o2) = m1.addingReportingOverflow(UInt64(v))
                if o1 || o2 { return nil }
                mag = m2
                i += 1
            }
        }
        if neg {
            if mag > UInt64(Int64.max) + 1 { return nil }
            return mag == UInt64(Int64.max) + 1 ? Int64.min : -Int64(mag)
        }
        return mag > UInt64(Int64.max) ? nil : Int64(mag)
    }

    // MARK: floating point

    static func double(string s: UnsafeRawBufferPointer) -> Double? {
        var text = String(decoding: s, as: UTF8.self)
        while let f = text.first, f == " " || f == "\t" { text.removeFirst() }
        while let l = text.last, l == " " || l == "\t" { text.removeLast() }
        switch text {
        case "NaN": return .nan
        case "Infinity", "+Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: break
        }
        // Decimal notation only (no hex floats, no "inf"/"nan" spellings).
        var sawDigit = false
        for (k, c) in text.utf8.enumerated() {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): sawDigit = true
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): break
            case UInt8(ascii: "+"), UInt8(ascii: "-"): if k != 0 { let p = Array(text.utf8)[k - 1]; if p | 0x20 != UInt8(ascii: "e") { return nil } }
            default: return nil
            }
        }
        guard sawDigit, let v = Double(text), v.isFinite else { return nil }
        return v
    }

    // MARK: time

    /// Days from 1970-01-01 of a proleptic Gregorian date.
    @inline(__always)
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// (year, month, day) of a day number.
    static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }
    static func daysIn(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: isLeap(y) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Parses `yyyy-[M]M-[d]d` at `i`; advances `i`. Returns the day number.
    static func parseDate(_ s: UnsafeRawBufferPointer, _ i: inout Int) -> Int? {
        let n = s.count
        func digits(_ minCount: Int, _ maxCount: Int) -> Int? {
            var v = 0, k = 0
            while i < n && k < maxCount, s[i] &- 0x30 < 10 {
                v = v * 10 + Int(s[i] &- 0x30)
                i += 1
                k += 1
            }
            return k >= minCount ? v : nil
        }
        guard let y = digits(4, 4), i < n, s[i] == UInt8(ascii: "-") else { return nil }
        i += 1
        guard let m = digits(1, 2), i < n, s[i] == UInt8(ascii: "-") else { return nil }
        i += 1
        guard let d = digits(1, 2) else { return nil }
        guard y >= 1, m >= 1, m <= 12, d >= 1, d <= daysIn(y, m) else { return nil }
        return daysFromCivil(y, m, d)
    }

    /// Two ASCII digits at `i` (advancing `i` past them). A static function taking `i` inout rather than a nested
    /// function capturing it: the capture made every call check exclusive access at run time (about 1% of a
    /// conversion's instructions once the Firehose target lost `-enforce-exclusivity=unchecked`).
    @inline(__always)
    static func twoDigits(_ s: UnsafeRawBufferPointer, _ i: inout Int) -> Int? {
        guard i + 1 < s.count, s[i] &- 0x30 < 10, s[i + 1] &- 0x30 < 10 else { return nil }
        defer { i += 2 }
        return Int(s[i] &- 0x30) * 10 + Int(s[i + 1] &- 0x30)
    }

    /// A timestamp string as (seconds since the epoch, nanoseconds) in UTC.
    static func timestamp(string s: UnsafeRawBufferPointer) -> (Int64, Int64)? {
        var i = 0
        let n = s.count
        guard let days = parseDate(s, &i) else { return nil }
        guard i < n, s[i] == UInt8(ascii: "T") || s[i] == UInt8(ascii: " ") || s[i] == UInt8(ascii: "t") else {
            return nil
        }
        i += 1
        guard let hh = twoDigits(s, &i), hh < 24, i < n, s[i] == UInt8(ascii: ":") else { return nil }
        i += 1
        guard let mm = twoDigits(s, &i), mm < 60, i < n, s[i] == UInt8(ascii: ":") else { return nil }
        i += 1
        guard let ss = twoDigits(s, &i), ss < 60 else { return nil }
        var nanos: Int64 = 0
        if i < n && s[i] == UInt8(ascii: ".") {
            i += 1
            var k = 0
            while i < n, s[i] &- 0x30 < 10 {
                guard k < 9 else { return nil }
                nanos = nanos * 10 + Int64(s[i] &- 0x30)
                i += 1
                k += 1
            }
            guard k > 0 else { return nil }
            while k < 9 { nanos *= 10; k += 1 }
        }
        var offsetSeconds = 0
        if i < n {
            let c = s[i]
            if c == UInt8(ascii: "Z") || c == UInt8(ascii: "z") {
                i += 1
            } else if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
                i += 1
                guard let oh = twoDigits(s, &i), oh <= 18 else { return nil }
                var om = 0
                if i < n && s[i] == UInt8(ascii: ":") { i += 1 }
                if i < n {
                    guard let m = twoDigits(s, &i), m < 60 else { return nil }
                    om = m
                }
                offsetSeconds = (oh * 3600 + om * 60) * (c == UInt8(ascii: "-") ? -1 : 1)
            } else {
                return nil
            }
        }
        guard i == n else { return nil }
        let secs = Int64(days) * 86400 + Int64(hh * 3600 + mm * 60 + ss) - Int64(offsetSeconds)
        return (secs, nanos)
    }

    @inline(__always)
    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Epoch seconds (|v| < 10^11) or milliseconds from an integer.
    static func epoch(integer v: Int64) -> (Int64, Int64) {
        if v > -100_000_000_000 && v < 100_000_000_000 { return (v, 0) }
        let s = floorDiv(v, 1000)
        return (s, (v - s * 1000) * 1_000_000)
    }

    /// Epoch from a JSON number literal (integer: seconds or millis; fraction: seconds).
    static func epoch(literal bytes: UnsafeRawBufferPointer) -> (Int64, Int64)? {
        let d = JSONDecimal(validatedLiteral: bytes)
        if d.isInteger {
            guard let v = d.int64 else { return nil }
            return epoch(integer: v)
        }
        // fractional seconds: scale to nanoseconds exactly (truncating beyond nanoseconds)
        guard let ns = unscaled(d, scale: 9, roundHalfUp: false), ns.count <= 19 else { return nil }
        var v: Int64 = 0
        for digit in ns {
            let (a, o1) = v.multipliedReportingOverflow(by: 10)
            let (b, o2) = a.addingReportingOverflow(Int64(digit))
            if o1 || o2 { return nil }
            v = b
        }
        if d.isNegative { v = -v }
        let s = floorDiv(v, 1_000_000_000)
        return (s, v - s * 1_000_000_000)
    }

    /// Years 0001…9999 only (seconds since the epoch).
    static let minSeconds: Int64 = Int64(daysFromCivil(1, 1, 1)) * 86400
    static let maxSeconds: Int64 = Int64(daysFromCivil(9999, 12, 31) + 1) * 86400 - 1

    // MARK: decimals

    /// The decimal digits of `d` scaled by 10^scale (most significant first, no leading zeros; empty = 0),
    /// rounded half-up (or truncated) at the scale.
    static func unscaled(_ d: JSONDecimal, scale: Int, roundHalfUp: Bool) -> [UInt8]? {
        if d.isZero { return [] }
        let shift = d.exponent + scale
        var digits = d.digitValues
        if shift >= 0 {
            guard digits.count + shift <= 80 else { return nil }
            digits.append(contentsOf: repeatElement(0, count: shift))
            return digits
        }
        let drop = -shift
        if drop > digits.count {
            return []  // rounds to zero (|value| < 0.5 unit)
        }
        let keep = digits.count - drop
        let roundUp = roundHalfUp && digits[keep] >= 5
        digits.removeLast(drop)
        if roundUp {
            var k = digits.count - 1
            while k >= 0 {
                if digits[k] == 9 { digits[k] = 0; k -= 1 } else { digits[k] += 1; break }
            }
            if k < 0 { digits.insert(1, at: 0) }
        }
        while let f = digits.first, f == 0 { digits.removeFirst() }
        return digits
    }

    /// Two's complement big-endian bytes of the (signed) unscaled value, `width` bytes wide.
    static func twosComplement(digits: [UInt8], negative: Bool, width: Int) -> [UInt8] {
        var mag = [UInt8](repeating: 0, count: width)
        for dg in digits {
            var carry = Int(dg)
            for k in stride(from: width - 1, through: 0, by: -1) {
                let v = Int(mag[k]) * 10 + carry
                mag[k] = UInt8(v & 0xFF)
                carry = v >> 8
            }
        }
        if negative {
            var carry = 1
            for k in stride(from: width - 1, through: 0, by: -1) {
                let v = Int(~mag[k]) + carry
                mag[k] = UInt8(v & 0xFF)
                carry = v >> 8
            }
        }
        return mag
    }
}

/// Nanoseconds since the epoch of an ISO-8601 timestamp (the converter's accepted forms), or nil.
public func parseTimestampNanos(_ s: String) -> Int64? {
    guard let (sec, ns) = Array(s.utf8).withUnsafeBytes({ Coercion.timestamp(string: $0) }) else { return nil }
    return sec * 1_000_000_000 + ns
}
