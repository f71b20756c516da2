// Exact JSON numbers: the literal text, fast accessors, and an exact decimal form for schema validation.

/// A JSON number, kept as its exact literal text.
///
/// Equality, hashing and ordering are *mathematical* (via `decimal`): `1`, `1.0`, `10e-1` and `0.1e1` are
/// equal, `-0 == 0`. Use `text` for the literal as written (the serializer does).
public struct JSONNumber: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The literal exactly as it appeared in the input (always valid RFC 8259 number grammar).
    public let text: String

    /// Wraps a literal; returns `nil` unless `text` is a valid RFC 8259 number.
    public init?(_ text: String) {
        var t = text
        let ok = t.withUTF8 { JSONNumber.isValidLiteral(UnsafeRawBufferPointer($0)) }
        guard ok else { return nil }
        self.text = t
    }

    /// Wraps a literal already validated by the tokenizer.
    init(validatedText: String) { self.text = validatedText }

    /// The number `value`, written in decimal without exponent.
    public init(_ value: Int64) { text = String(value) }
    /// The number `value`, written in decimal without exponent.
    public init(_ value: UInt64) { text = String(value) }
    /// The number `value`, written in decimal without exponent.
    public init(_ value: Int) { text = String(value) }

    /// A finite double, written with Swift's shortest round-trip digits (`0.1`, `1e-05`, `5e-324`).
    /// Returns `nil` for NaN and infinities, which JSON cannot represent.
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        text = value.description
    }

    /// The literal text, as ``text``.
    public var description: String { text }

    /// The literal has neither fraction nor exponent.
    public var isIntegerLiteral: Bool {
        !text.utf8.contains { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") }
    }

    /// Mathematically an integer: `1`, `1.0`, `1e2`, `-0.0`, `1.5e1` (but not `1.5` or `1e-1`).
    public var isInteger: Bool { isIntegerLiteral || decimal.isInteger }

    /// The exact value if it is an integer in Int64 range (`1.0` and `1e2` qualify), else `nil`.
    public var int64: Int64? {
        if isIntegerLiteral { return Int64(text) }
        return decimal.int64
    }

    /// The exact value if it is an integer in UInt64 range, else `nil`.
    public var uint64: UInt64? {
        if isIntegerLiteral { return text.utf8.first == UInt8(ascii: "-") ? (Int64(text) == 0 ? 0 : nil) : UInt64(text) }
        return decimal.uint64
    }

    /// The nearest double, correctly rounded; `±infinity` when the magnitude is too large (see
    /// `overflowsDouble`), `±0` when too small.
    public var double: Double {
        var t = text
        return t.withUTF8 { JSONNumber.parseDouble(UnsafeRawBufferPointer($0)) }
    }

    /// The value is finite but too large for a Double (`1e400`): `double` is ±infinity.
    public var overflowsDouble: Bool { double.isInfinite }

    /// The exact decimal value.
    public var decimal: JSONDecimal {
        var t = text
        return t.withUTF8 { JSONDecimal(validatedLiteral: UnsafeRawBufferPointer($0)) }
    }

    /// Mathematical equality: `1 == 1.0 == 10e-1`, `-0 == 0`. Linear in the literals' lengths.
    public static func == (a: JSONNumber, b: JSONNumber) -> Bool {
        if a.text == b.text { return true }
        return a.decimal == b.decimal
    }

    /// Hashes the exact decimal value, consistent with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(decimal) }

    /// Exact mathematical order (no rounding through `Double`, so `9007199254740993 > 9007199254740992`).
    public static func < (a: JSONNumber, b: JSONNumber) -> Bool { a.decimal < b.decimal }

    /// Exact: `self / divisor` is an integer. `false` when `divisor` is zero.
    public func isMultiple(of divisor: JSONNumber) -> Bool { decimal.isMultiple(of: divisor.decimal) }

    // MARK: - Byte-level helpers

    /// Whether `bytes` is exactly one RFC 8259 number literal.
    public static func isValidLiteral(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = bytes.count
        @inline(__always) func digit(_ k: Int) -> Bool { k < n && bytes[k] &- 0x30 < 10 }
        if i < n && bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard digit(i) else { return false }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while digit(i) { i += 1 }
        }
        if i < n && bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digit(i) else { return false }
            while digit(i) { i += 1 }
        }
        if i < n && bytes[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < n && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
            guard digit(i) else { return false }
            while digit(i) { i += 1 }
        }
        return i == n
    }

    /// Parses a valid JSON number literal (e.g. from `JSONTokenizer.bytes(of:)`) to the nearest double,
    /// correctly rounded. Fast exact path (Clinger) when the significand has at most 19 digits and is
    /// < 2^53 with a power of ten within ±22; otherwise the standard library's correctly rounded parser.
    public static func parseDouble(_ bytes: UnsafeRawBufferPointer) -> Double {
        let n = bytes.count
        guard let base = bytes.baseAddress, n > 0 else { return .nan }
        var i = 0
        var negative = false
        if base.load(as: UInt8.self) == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        var mantissa: UInt64 = 0
        var significant = 0  // digits accumulated after the first non-zero digit
        var scale = 0  // digits after the decimal point
        var exact = true
        @inline(__always) func digit(_ k: Int) -> UInt8 { base.load(fromByteOffset: k, as: UInt8.self) &- 0x30 }
        @inline(__always) func eight(_ k: Int) -> UInt64? {
            // eight more significant digits at once (the mantissa already started, so all of them count)
            guard mantissa != 0, significant <= 11, k + 8 <= n else { return nil }
            let w = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: k, as: UInt64.self))
            return isEightDigits(w) ? parseEightDigits(w) : nil
        }
        while i < n {
            if let v = eight(i) {
                mantissa = mantissa &* 100_000_000 &+ v
                significant += 8
                i += 8
                continue
            }
            let d = digit(i)
            if d >= 10 { break }
            if significant < 19 {
                mantissa = mantissa &* 10 &+ UInt64(d)
                if mantissa != 0 { significant += 1 }
            } else {
                exact = false
            }
            i += 1
        }
        if i < n && base.load(fromByteOffset: i, as: UInt8.self) == UInt8(ascii: ".") {
            i += 1
            while i < n {
                if let v = eight(i) {
                    mantissa = mantissa &* 100_000_000 &+ v
                    significant += 8
                    scale += 8
                    i += 8
                    continue
                }
                let d = digit(i)
                if d >= 10 { break }
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(d)
                    if mantissa != 0 { significant += 1 }
                    scale += 1
                } else {
                    exact = false
                }
                i += 1
            }
        }
        var exponent = 0
        if i < n && bytes[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var expNegative = false
            if i < n && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) {
                expNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            while i < n {
                let d = bytes[i] &- 0x30
                if d >= 10 { break }
                if exponent < 100_000 { exponent = exponent * 10 + Int(d) }
                i += 1
            }
            if expNegative { exponent = -exponent }
        }
        if exact {
            if mantissa == 0 { return negative ? -0.0 : 0.0 }
            let e10 = exponent - scale
            if mantissa <= 1 << 53 && e10 >= -22 && e10 <= 22 {
                var v = Double(mantissa)
                if e10 >= 0 { v *= exactPowersOfTen[e10] } else { v /= exactPowersOfTen[-e10] }
                return negative ? -v : v
            }
            if let v = eiselLemire(mantissa, e10) { return negative ? -v : v }
        }
        let s = String(decoding: bytes, as: UTF8.self)
        return Double(s) ?? .nan
    }

    /// `w × 10^q` correctly rounded (Eisel-Lemire: the leading bits of `w` times a 128-bit approximation of
    /// `5^q`, with the binary exponent from `q`), for a nonzero `w` holding every significant digit; nil in the
    /// rare cases the product cannot decide the rounding (the caller falls back to the exact conversion).
    @inline(__always)
    static func eiselLemire(_ w0: UInt64, _ q: Int) -> Double? {
        if q < -342 { return 0 }
        if q > 308 { return .infinity }
        let lz = w0.leadingZeroBitCount
        let w = w0 << UInt64(lz)
        let index = 2 * (q + 342)
        var (hi, lo) = powersOfFive128.withUnsafeBufferPointer { t in w.multipliedFullWidth(by: t[index]) }
        if hi & 0x1FF == 0x1FF {
            let hi2 = powersOfFive128.withUnsafeBufferPointer { t in w.multipliedFullWidth(by: t[index + 1]).high }
            let (sum, carry) = lo.addingReportingOverflow(hi2)
            lo = sum
            if carry { hi &+= 1 }
            if lo == UInt64.max && (q < -27 || q > 55) { return nil }
        }
        let upper = Int(hi >> 63)
        let shift = UInt64(upper + 9)
        var mantissa = hi >> shift
        var power2 = ((217_706 * q) >> 16) + 63 + upper - lz + 1023
        if power2 <= 0 {
            // subnormal (or zero)
            if -power2 + 1 >= 64 { return 0 }
            mantissa >>= UInt64(-power2 + 1)
            mantissa += mantissa & 1
            mantissa >>= 1
            power2 = mantissa < (1 << 52) ? 0 : 1
            return Double(bitPattern: UInt64(power2) << 52 | mantissa)
        }
        // exactly halfway between two doubles: round to even
        if lo <= 1 && q >= -4 && q <= 23 && mantissa & 3 == 1 && (mantissa << shift) == hi {
            mantissa &= ~1
        }
        mantissa += mantissa & 1
        mantissa >>= 1
        if mantissa >= (2 << 52) {
            mantissa = 1 << 52
            power2 += 1
        }
        mantissa &= ~(1 << 52)
        if power2 >= 0x7FF { return .infinity }
        return Double(bitPattern: UInt64(power2) << 52 | mantissa)
    }
}

private let exactPowersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
    1e19, 1e20, 1e21, 1e22,
]

/// An exact decimal: `(isNegative ? -1 : 1) × digits × 10^exponent`, normalized so that `digits` has no
/// leading or trailing zeros (zero is `digits == []`, `exponent == 0`, never negative). Normal form makes
/// synthesized `==`/hash exact: `1 == 1.0 == 10e-1`.
///
/// Exponents are exact up to ±2^60; literals with even larger exponents (`1e99999999999999999999`)
/// saturate there, which only affects comparisons between such absurd numbers.
public struct JSONDecimal: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The sign; always `false` for zero.
    public let isNegative: Bool
    /// Significant decimal digits as values 0...9, most significant first.
    public let digitValues: [UInt8]
    /// The power of ten the digits are multiplied by, clamped to ±2^60.
    public let exponent: Int

    static let exponentLimit = 1 << 60

    /// The value `±digitValues × 10^exponent`, normalized (leading and trailing zeros removed, zero made positive).
    /// `digitValues` holds values 0...9, most significant first.
    public init(isNegative: Bool, digitValues: [UInt8], exponent: Int) {
        var d = digitValues
        var e = exponent
        var lead = 0
        while lead < d.count && d[lead] == 0 { lead += 1 }
        if lead > 0 { d.removeFirst(lead) }
        while let last = d.last, last == 0 {
            d.removeLast()
            e = JSONDecimal.saturatingAdd(e, 1)
        }
        if d.isEmpty {
            self.isNegative = false
            self.digitValues = []
            self.exponent = 0
        } else {
            self.isNegative = isNegative
            self.digitValues = d
            self.exponent = e
        }
    }

    /// Parses a JSON number literal (not validated here; pass tokenizer output or check
    /// `JSONNumber.isValidLiteral` first).
    public init(validatedLiteral bytes: UnsafeRawBufferPointer) {
        var i = 0
        let n = bytes.count
        var negative = false
        if i < n && bytes[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        var digits: [UInt8] = []
        digits.reserveCapacity(n)
        while i < n, bytes[i] &- 0x30 < 10 {
            if !(digits.isEmpty && bytes[i] == 0x30) { digits.append(bytes[i] &- 0x30) }
            i += 1
        }
        var fraction = 0
        if i < n && bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < n, bytes[i] &- 0x30 < 10 {
                if !(digits.isEmpty && bytes[i] == 0x30) { digits.append(bytes[i] &- 0x30) }
                fraction += 1
                i += 1
            }
        }
        var exp = 0
        if i < n && bytes[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var expNegative = false
            if i < n && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) {
                expNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            while i < n, bytes[i] &- 0x30 < 10 {
                if exp < JSONDecimal.exponentLimit { exp = exp * 10 + Int(bytes[i] &- 0x30) }
                i += 1
            }
            exp = min(exp, JSONDecimal.exponentLimit)
            if expNegative { exp = -exp }
        }
        self.init(isNegative: negative, digitValues: digits, exponent: JSONDecimal.saturatingAdd(exp, -fraction))
    }

    static func saturatingAdd(_ a: Int, _ b: Int) -> Int {
        max(-exponentLimit, min(exponentLimit, a + b))
    }

    /// Whether the value is zero.
    public var isZero: Bool { digitValues.isEmpty }

    /// The significant digits as text, e.g. `"75"` for 0.0075.
    public var digits: String { String(decoding: digitValues.map { $0 + 0x30 }, as: UTF8.self) }

    /// Scientific-ish exact text: `-75e-4`, `0`.
    public var description: String {
        if isZero { return "0" }
        return (isNegative ? "-" : "") + digits + (exponent == 0 ? "" : "e\(exponent)")
    }

    /// Whether the value has no fractional part (`1.5e1` is an integer).
    public var isInteger: Bool { isZero || exponent >= 0 }

    /// Magnitude as UInt64 if it is an integer that fits.
    var magnitudeUInt64: UInt64? {
        guard isInteger else { return nil }
        if isZero { return 0 }
        guard digitValues.count + exponent <= 20 else { return nil }
        var v: UInt64 = 0
        for d in digitValues {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 { return nil }
            v = s
        }
        for _ in 0..<exponent {
            let (m, o) = v.multipliedReportingOverflow(by: 10)
            if o { return nil }
            v = m
        }
        return v
    }

    /// The value if it is an integer in `Int64` range, else `nil`.
    public var int64: Int64? {
        guard let m = magnitudeUInt64 else { return nil }
        if isNegative { return m <= 1 << 63 ? Int64(bitPattern: 0 &- m) : nil }
        return m <= UInt64(Int64.max) ? Int64(m) : nil
    }

    /// The value if it is a non-negative integer in `UInt64` range, else `nil`.
    public var uint64: UInt64? {
        guard let m = magnitudeUInt64 else { return nil }
        return isNegative && m != 0 ? nil : m
    }

    /// Compares magnitudes.
    static func compareMagnitude(_ a: JSONDecimal, _ b: JSONDecimal) -> Int {
        if a.isZero || b.isZero { return (a.isZero ? 0 : 1) - (b.isZero ? 0 : 1) }
        // Position of the most significant digit: value in [10^(top-1), 10^top).
        let ta = a.exponent + a.digitValues.count
        let tb = b.exponent + b.digitValues.count
        if ta != tb { return ta < tb ? -1 : 1 }
        let n = max(a.digitValues.count, b.digitValues.count)
        for k in 0..<n {
            let da = k < a.digitValues.count ? a.digitValues[k] : 0
            let db = k < b.digitValues.count ? b.digitValues[k] : 0
            if da != db { return da < db ? -1 : 1 }
        }
        return 0
    }

    /// Exact numeric order.
    public static func < (a: JSONDecimal, b: JSONDecimal) -> Bool {
        let sa = a.isZero ? 0 : (a.isNegative ? -1 : 1)
        let sb = b.isZero ? 0 : (b.isNegative ? -1 : 1)
        if sa != sb { return sa < sb }
        if sa == 0 { return false }
        let c = compareMagnitude(a, b)
        return sa > 0 ? c < 0 : c > 0
    }

    /// Exact: `self / divisor` is an integer (signs ignored). `false` when `divisor` is zero; zero is a
    /// multiple of every non-zero number.
    ///
    /// With `a = da·10^ea`, `b = db·10^eb`: if `ea >= eb` the question is whether `db` divides
    /// `da·10^(ea-eb)`. Powers of ten beyond `4·len(db)+4` cannot change the answer (they already cover the
    /// 2- and 5-parts of `db`), so the shift is capped and the work stays bounded for any exponent. If
    /// `ea < eb` then `db·10^(eb-ea)` must divide `da`, impossible once it has more digits than `da`.
    public func isMultiple(of divisor: JSONDecimal) -> Bool {
        if divisor.isZero { return false }
        if isZero { return true }
        var numerator = digitValues
        var denominator = divisor.digitValues
        if exponent >= divisor.exponent {
            let shift = min(exponent - divisor.exponent, 4 * denominator.count + 4)
            numerator.append(contentsOf: repeatElement(0, count: shift))
        } else {
            let shift = divisor.exponent - exponent
            if denominator.count + shift > numerator.count { return false }
            denominator.append(contentsOf: repeatElement(0, count: shift))
        }
        return BigUInt(decimalDigits: numerator).remainder(dividingBy: BigUInt(decimalDigits: denominator)).isZero
    }
}

/// Minimal arbitrary-precision unsigned integer for `isMultiple(of:)` (not on any hot path).
struct BigUInt {
    var limbs: [UInt32]  // little-endian, no trailing zero limbs

    init(limbs: [UInt32]) {
        self.limbs = limbs
        normalize()
    }

    init(decimalDigits: [UInt8]) {
        var l: [UInt32] = []
        var i = 0
        // Consume up to 9 digits at a time: l = l * 10^k + chunk.
        while i < decimalDigits.count {
            let k = min(9, decimalDigits.count - i)
            var chunk: UInt32 = 0
            var mul: UInt32 = 1
            for j in 0..<k {
                chunk = chunk * 10 + UInt32(decimalDigits[i + j])
                mul *= 10
            }
            var carry = UInt64(chunk)
            for idx in 0..<l.count {
                let v = UInt64(l[idx]) * UInt64(mul) + carry
                l[idx] = UInt32(truncatingIfNeeded: v)
                carry = v >> 32
            }
            if carry != 0 { l.append(UInt32(carry)) }
            i += k
        }
        self.init(limbs: l)
    }

    var isZero: Bool { limbs.isEmpty }

    mutating func normalize() {
        while let last = limbs.last, last == 0 { limbs.removeLast() }
    }

    var bitWidth: Int {
        guard let last = limbs.last else { return 0 }
        return limbs.count * 32 - last.leadingZeroBitCount
    }

    func bit(_ i: Int) -> Bool { (limbs[i >> 5] >> UInt32(i & 31)) & 1 == 1 }

    static func compare(_ a: BigUInt, _ b: BigUInt) -> Int {
        if a.limbs.count != b.limbs.count { return a.limbs.count < b.limbs.count ? -1 : 1 }
        var i = a.limbs.count - 1
        while i >= 0 {
            if a.limbs[i] != b.limbs[i] { return a.limbs[i] < b.limbs[i] ? -1 : 1 }
            i -= 1
        }
        return 0
    }

    /// self -= other, requires self >= other.
    mutating func subtract(_ other: BigUInt) {
        var borrow: Int64 = 0
        for i in 0..<limbs.count {
            var v = Int64(limbs[i]) - borrow - (i < other.limbs.count ? Int64(other.limbs[i]) : 0)
            if v < 0 {
                v += 1 << 32
                borrow = 1
            } else {
                borrow = 0
            }
            limbs[i] = UInt32(v)
        }
        normalize()
    }

    /// self = self * 2 + bit.
    mutating func shiftLeftOne(adding bit: Bool) {
        var carry: UInt32 = bit ? 1 : 0
        for i in 0..<limbs.count {
            let v = limbs[i]
            limbs[i] = v << 1 | carry
            carry = v >> 31
        }
        if carry != 0 { limbs.append(carry) }
    }

    /// Binary long division remainder (shift and subtract).
    func remainder(dividingBy d: BigUInt) -> BigUInt {
        precondition(!d.isZero)
        if BigUInt.compare(self, d) < 0 { return self }
        if d.limbs.count == 1 {
            let m = UInt64(d.limbs[0])
            var r: UInt64 = 0
            for limb in limbs.reversed() { r = ((r << 32) | UInt64(limb)) % m }
            return BigUInt(limbs: [UInt32(r)])
        }
        var r = BigUInt(limbs: [])
        var i = bitWidth - 1
        while i >= 0 {
            r.shiftLeftOne(adding: bit(i))
            if BigUInt.compare(r, d) >= 0 { r.subtract(d) }
            i -= 1
        }
        return r
    }
}
