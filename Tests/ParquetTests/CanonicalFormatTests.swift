import Testing
@testable import Parquet

// Byte-exact tests of the canonical JSONL value formatting (shared/conventions/canonical-jsonl.md).

private typealias CF = CanonicalFormat

private func render(_ body: (inout [UInt8]) -> Void) -> String {
    var out: [UInt8] = [0x5B]  // a prefix, to check that writers append and never overwrite
    body(&out)
    #expect(out.first == 0x5B)
    return String(decoding: out.dropFirst(), as: UTF8.self)
}

private func str(_ bytes: [UInt8]) -> String {
    render { out in bytes.withUnsafeBytes { CF.appendString(bytes: $0, to: &out) } }
}

private func b64(_ bytes: [UInt8]) -> String {
    render { out in bytes.withUnsafeBytes { CF.appendBase64(bytes: $0, to: &out) } }
}

private func dbl(_ x: Double) -> String { render { CF.appendDouble(x, to: &$0) } }
private func flt(_ x: Float) -> String { render { CF.appendFloat(x, to: &$0) } }
private func half(_ bits: UInt16) -> String { render { CF.appendFloat16(bits: bits, to: &$0) } }

private func dec(_ unscaled: Int64, _ scale: Int) -> String {
    render { CF.appendDecimal(unscaled: unscaled, scale: scale, to: &$0) }
}

private func decBytes(_ bytes: [UInt8], _ scale: Int) -> String {
    render { out in
        bytes.withUnsafeBytes { CF.appendDecimal(unscaledBigEndianTwosComplement: $0, scale: scale, to: &out) }
    }
}

private func ts(_ v: Int64, _ unit: CF.TimeUnit, utc: Bool) -> String {
    render { CF.appendTimestamp(v, unit: unit, utc: utc, to: &$0) }
}

private func int96(julianDay: UInt32, nanos: UInt64) -> String {
    render { CF.appendInt96Timestamp(Int96(nanosOfDay: nanos, julianDay: julianDay), to: &$0) }
}

// MARK: - Float helpers (independent of the implementation)

/// Significant digits and exponent of a rendered finite number: value = 0.d1d2...dn × 10^exp.
private func significand(_ s: String) -> (digits: [UInt8], exp: Int) {
    var mantissa = Substring(s)
    var exp = 0
    if let e = s.firstIndex(of: "e") {
        mantissa = s[..<e]
        exp = Int(s[s.index(after: e)...])!
    }
    var digits: [UInt8] = []
    var intDigits = 0
    var sawDot = false
    for c in mantissa.utf8 where c != UInt8(ascii: "-") {
        if c == UInt8(ascii: ".") {
            sawDot = true
        } else {
            digits.append(c - 0x30)
            if !sawDot { intDigits += 1 }
        }
    }
    while digits.first == 0 {
        digits.removeFirst()
        intDigits -= 1
    }
    while digits.last == 0 { digits.removeLast() }
    return (digits, exp + intDigits)
}

/// Checks the canonical layout of a rendered finite non-zero value.
private func checkLayout(_ s: String, magnitudeInPositionalRange: Bool, sourceLocation: SourceLocation = #_sourceLocation) {
    if magnitudeInPositionalRange {
        #expect(!s.contains("e"), "\(s) should be positional", sourceLocation: sourceLocation)
        #expect(s.contains("."), "\(s) needs a fraction", sourceLocation: sourceLocation)
        #expect(!s.hasSuffix("."), sourceLocation: sourceLocation)
    } else {
        let parts = s.split(separator: "e", omittingEmptySubsequences: false)
        #expect(parts.count == 2, "\(s) should be exponential", sourceLocation: sourceLocation)
        if parts.count == 2 {
            let e = parts[1]
            #expect(e.first == "+" || e.first == "-", sourceLocation: sourceLocation)
            #expect(e.count >= 3, "\(s): at least two exponent digits", sourceLocation: sourceLocation)
            #expect(!parts[0].hasSuffix(".") && !parts[0].hasSuffix("0"), "\(s): no trailing zeros", sourceLocation: sourceLocation)
        }
    }
}

/// The shorter candidates that would have to fail to round-trip if `s` is the shortest rendering: the digit
/// string cut by one digit, and that plus one unit (all shorter decimals inside the rounding interval would
/// include one of these two).
private func shorterCandidates(_ s: String) -> [String] {
    let (digits, exp) = significand(s)
    guard digits.count > 1 else { return [] }
    var truncated: UInt64 = 0
    for d in digits.dropLast() { truncated = truncated * 10 + UInt64(d) }
    let e = exp - (digits.count - 1)
    let sign = s.hasPrefix("-") ? "-" : ""
    return ["\(sign)\(truncated)e\(e)", "\(sign)\(truncated + 1)e\(e)"]
}

@Suite struct CanonicalFormatTests {
    // MARK: Literals, integers

    @Test func literalsAndIntegers() {
        #expect(render { CF.appendNull(to: &$0) } == "null")
        #expect(render { CF.appendBool(true, to: &$0) } == "true")
        #expect(render { CF.appendBool(false, to: &$0) } == "false")
        let ints: [(Int64, String)] = [
            (0, "0"), (7, "7"), (-7, "-7"), (10, "10"), (99, "99"), (100, "100"), (-100, "-100"), (12345, "12345"),
            (Int64.max, "9223372036854775807"), (Int64.min, "-9223372036854775808"), (1_000_000_000, "1000000000"),
        ]
        for (v, s) in ints { #expect(render { CF.appendInt64(v, to: &$0) } == s) }
        #expect(render { CF.appendUInt64(UInt64.max, to: &$0) } == "18446744073709551615")
        #expect(render { CF.appendUInt64(0, to: &$0) } == "0")
        var rng = SplitMix64(seed: 1)
        for _ in 0..<2000 {
            let v = Int64(bitPattern: rng.next()) >> Int64.random(in: 0...63, using: &rng)
            #expect(render { CF.appendInt64(v, to: &$0) } == String(v))
            let u = rng.next() >> UInt64.random(in: 0...63, using: &rng)
            #expect(render { CF.appendUInt64(u, to: &$0) } == String(u))
        }
    }

    // MARK: Strings

    @Test func stringEscapes() {
        #expect(str([]) == #""""#)
        #expect(str(Array("abc".utf8)) == #""abc""#)
        #expect(str(Array("a\"b\\c".utf8)) == #""a\"b\\c""#)
        #expect(str([0x0A, 0x0D, 0x09, 0x08, 0x0C]) == #""\n\r\t\b\f""#)
        #expect(str([0x00, 0x01, 0x1F, 0x0B, 0x1B]) == #""\u0000\u0001\u001f\u000b\u001b""#)
        // Not escaped: '/', DEL, non-ASCII.
        #expect(str(Array("a/b\u{7F}".utf8)) == "\"a/b\u{7F}\"")
        #expect(str(Array("héllo – 日本語 🎉".utf8)) == "\"héllo – 日本語 🎉\"")
        #expect(str(Array("\u{10FFFF}\u{FFFF}\u{E000}\u{D7FF}\u{80}\u{7FF}\u{800}".utf8))
            == "\"\u{10FFFF}\u{FFFF}\u{E000}\u{D7FF}\u{80}\u{7FF}\u{800}\"")
        // Specials at every position of long runs (exercises the 8-byte fast path and run copying).
        for len in 0..<40 {
            for pos in 0..<len {
                for special: UInt8 in [0x22, 0x5C, 0x0A, 0x01, 0xC3] {
                    var bytes = [UInt8](repeating: UInt8(ascii: "x"), count: len)
                    bytes[pos] = special
                    if special == 0xC3 {
                        bytes.insert(0xA9, at: pos + 1)  // é
                    }
                    #expect(str(bytes) == referenceString(bytes))
                }
            }
        }
        #expect(render { CF.appendKey("a\"b", to: &$0) } == #""a\"b":"#)
        #expect(CF.encodedKey("id") == Array(#""id":"#.utf8))
        #expect(render { CF.appendString("tab\there", to: &$0) } == #""tab\there""#)
    }

    @Test func invalidUTF8() {
        let cases: [[UInt8]] = [
            [0x80],  // lone continuation
            [0xC0, 0x80], [0xC1, 0xBF],  // overlong 2-byte
            [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF],  // overlong 3-byte
            [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],  // surrogates
            [0xF0, 0x80, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF],  // overlong 4-byte
            [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80],  // > U+10FFFF
            [0xE2, 0x82], [0xF0, 0x9F, 0x8E], [0xC3],  // truncated
            [0xFE], [0xFF], [0xC3, 0x28], [0xE2, 0x28, 0xA1],
        ]
        for bad in cases {
            for prefix in [[], Array("abcdefghij".utf8), Array("a\"é".utf8)] {
                let bytes = prefix + bad
                #expect(str(bytes) == #"{"$invalid_utf8_b64":"# + b64(bytes) + "}", "\(bytes)")
                #expect(!bytes.withUnsafeBytes { CF.isValidUTF8($0) })
            }
        }
        #expect(str([0x61, 0xFF, 0x62]) == #"{"$invalid_utf8_b64":"Yf9i"}"#)
        #expect(str([0xED, 0xA0, 0x80]) == #"{"$invalid_utf8_b64":"7aCA"}"#)
        // Valid boundaries.
        for good: [UInt8] in [[0xED, 0x9F, 0xBF], [0xEE, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF], [0xF0, 0x90, 0x80, 0x80]] {
            #expect(str(good) == referenceString(good))
            #expect(str(good).hasPrefix("\""))
        }
    }

    @Test func randomStringsMatchReference() {
        var rng = SplitMix64(seed: 42)
        let pieces: [[UInt8]] = [
            Array("abcdefgh".utf8), [0x22], [0x5C], [0x0A], [0x00], [0x1F], [0x7F], Array("é".utf8), Array("€".utf8),
            Array("🎉".utf8), [0xC3], [0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], Array("xyz ".utf8),
        ]
        for _ in 0..<3000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...12, using: &rng) {
                // Invalid pieces (index >= 10) are rare so that most strings stay valid.
                let k = Int.random(in: 0..<(Int.random(in: 0..<8, using: &rng) == 0 ? pieces.count : 10), using: &rng)
                bytes += pieces[k]
            }
            #expect(str(bytes) == referenceString(bytes), "\(bytes)")
        }
    }

    // MARK: Base64, UUID

    @Test func base64() {
        let vectors: [(String, String)] = [
            ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"), ("03/01/09", "MDMvMDEvMDk="), ("0", "MA=="), ("1", "MQ=="),
        ]
        for (plain, encoded) in vectors { #expect(b64(Array(plain.utf8)) == "\"\(encoded)\"") }
        #expect(b64([0xFB, 0xFF, 0xBF]) == #""+/+/""#)
        #expect(b64([0x00]) == #""AA==""#)
        var rng = SplitMix64(seed: 7)
        for _ in 0..<500 {
            let bytes = (0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(b64(bytes) == "\"" + referenceBase64(bytes) + "\"")
        }
    }

    @Test func uuid() {
        let bytes: [UInt8] = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF]
        #expect(render { out in bytes.withUnsafeBytes { CF.appendUUID(bytes16: $0, to: &out) } }
            == #""00112233-4455-6677-8899-aabbccddeeff""#)
        let one = [UInt8](repeating: 0, count: 15) + [1]
        #expect(render { out in one.withUnsafeBytes { CF.appendUUID(bytes16: $0, to: &out) } }
            == #""00000000-0000-0000-0000-000000000001""#)
        // Wrong width (invalid data) degrades to base64 instead of trapping.
        #expect(render { out in [UInt8]([1, 2, 3]).withUnsafeBytes { CF.appendUUID(bytes16: $0, to: &out) } } == #""AQID""#)
    }

    // MARK: Floating point

    @Test func doubleExamples() {
        let cases: [(Double, String)] = [
            (0.0, "0.0"), (-0.0, "-0.0"), (0.1, "0.1"), (123.0, "123.0"), (1.0, "1.0"), (-1.5, "-1.5"),
            (10.1, "10.1"), (30.299999999999997, "30.299999999999997"), (10.1 * 3, "30.299999999999997"),
            (1e-5, "1e-05"), (1e-4, "0.0001"), (0.00012345, "0.00012345"), (1.2345e-5, "1.2345e-05"),
            (1e16, "1e+16"), (1.5e16, "1.5e+16"), (9999999999999998.0, "9999999999999998.0"),
            (1e15, "1000000000000000.0"), (123456789012345.6, "123456789012345.6"),
            (9007199254740993.0, "9007199254740992.0"), (Double.leastNonzeroMagnitude, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"), (-1.7976931348623157e308, "-1.7976931348623157e+308"),
            (2.2250738585072014e-308, "2.2250738585072014e-308"), (1e100, "1e+100"), (1e-100, "1e-100"),
            (1e21, "1e+21"), (123e18, "1.23e+20"), (0.3, "0.3"), (0.1 + 0.2, "0.30000000000000004"),
            (-2.5e-7, "-2.5e-07"), (100.0, "100.0"), (4503599627370495.5, "4503599627370495.5"),
            (Double.pi, "3.141592653589793"), (1.0 / 3.0, "0.3333333333333333"),
            (.nan, #""NaN""#), (-.nan, #""NaN""#), (.infinity, #""Infinity""#), (-.infinity, #""-Infinity""#),
        ]
        for (x, s) in cases { #expect(dbl(x) == s, "\(x)") }
    }

    @Test func randomDoublesRoundTripAndAreShortest() {
        var rng = SplitMix64(seed: 2024)
        var values: [Double] = []
        for _ in 0..<20000 { values.append(Double(bitPattern: rng.next())) }
        for _ in 0..<5000 {  // "human" values: short decimals and integers around the layout thresholds
            let m = Double(Int.random(in: -99999...99999, using: &rng))
            values.append(m / powerOf10(Int.random(in: 0...22, using: &rng)))
            values.append(m * powerOf10(Int.random(in: 0...20, using: &rng)))
        }
        for x in values where x.isFinite && x != 0 {
            let s = dbl(x)
            #expect(Double(s) == x, "\(s) does not round-trip to \(x)")
            checkLayout(s, magnitudeInPositionalRange: x.magnitude >= 1e-4 && x.magnitude < 1e16)
            #expect(significand(s).digits.count == significand(x.description).digits.count, "\(s) vs \(x.description)")
            for c in shorterCandidates(s) { #expect(Double(c) != x, "\(c) is shorter than \(s)") }
        }
    }

    @Test func floatExamplesAndRandom() {
        let cases: [(Float, String)] = [
            (0, "0.0"), (-0.0, "-0.0"), (1.1, "1.1"), (2.2, "2.2"), (3.3, "3.3"), (0.1, "0.1"), (16777216, "16777216.0"),
            (16777218, "16777218.0"), (33554432, "33554432.0"), (1.5e16, "1.5e+16"), (3.4028235e38, "3.4028235e+38"), (Float.leastNonzeroMagnitude, "1e-45"), (1.0e-5, "1e-05"),
            (1e-4, "0.0001"), (1e16, "1e+16"), (1e15, "1000000000000000.0"), (123456.79, "123456.79"),
            (.nan, #""NaN""#), (.infinity, #""Infinity""#), (-.infinity, #""-Infinity""#),
        ]
        for (x, s) in cases { #expect(flt(x) == s, "\(x)") }
        var rng = SplitMix64(seed: 99)
        for _ in 0..<20000 {
            let x = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))
            guard x.isFinite && x != 0 else { continue }
            let s = flt(x)
            #expect(Float(s) == x, "\(s) does not round-trip to \(x)")
            checkLayout(s, magnitudeInPositionalRange: x.magnitude >= 1e-4 && x.magnitude < 1e16)
            #expect(significand(s).digits.count == significand(x.description).digits.count)
            for c in shorterCandidates(s) { #expect(Float(c) != x, "\(c) is shorter than \(s)") }
        }
    }

    @Test func float16Exhaustive() {
        let cases: [(UInt16, String)] = [
            (0x0000, "0.0"), (0x8000, "-0.0"), (0x3C00, "1.0"), (0xC000, "-2.0"), (0x7BFF, "65500.0"), (0xFBFF, "-65500.0"), (0x7BFE, "65470.0"), (0x7000, "8190.0")  /* 8190 ties to 8192 (even significand) */, (0x7001, "8200.0"),
            (0x6C00, "4096.0"), (0x6C01, "4100.0"), (0x67FF, "2047.0"),
            (0x0001, "6e-08"), (0x0400, "6.104e-05"), (0x2E66, "0.1"), (0x3555, "0.3333"), (0x1C00, "0.003906"),
            (0x6800, "2048.0"), (0x6801, "2050.0"), (0x7C00, #""Infinity""#), (0xFC00, #""-Infinity""#),
            (0x7E00, #""NaN""#), (0xFE01, #""NaN""#), (0x7C01, #""NaN""#),
        ]
        for (bits, s) in cases { #expect(half(bits) == s, "\(bits)") }
        for bits in UInt16.min...UInt16.max {
            let f = CF.float16BitsToFloat(bits)
            let s = half(bits)
            if f.isNaN {
                #expect(s == #""NaN""#)
                continue
            }
            if !f.isFinite || f == 0 { continue }
            #if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
            let h = Float16(bitPattern: bits)
            #expect(Float(h) == f, "binary16 conversion of \(bits)")
            #expect(Float16(s)?.bitPattern == bits, "\(s) does not round-trip to \(bits)")
            for c in shorterCandidates(s) { #expect(Float16(c)?.bitPattern != bits, "\(c) is shorter than \(s)") }
            #endif
            checkLayout(s, magnitudeInPositionalRange: f.magnitude >= 1e-4 && f.magnitude < 1e16)
        }
    }

    // MARK: Decimal

    @Test func decimalExamples() {
        #expect(dec(100, 2) == #""1.00""#)
        #expect(dec(-5, 2) == #""-0.05""#)
        #expect(dec(12345, 0) == #""12345""#)
        #expect(dec(0, 3) == #""0.000""#)
        #expect(dec(0, 0) == #""0""#)
        #expect(dec(-12345, 2) == #""-123.45""#)
        #expect(dec(12345, 5) == #""0.12345""#)
        #expect(dec(12345, 7) == #""0.0012345""#)
        #expect(dec(Int64.min, 0) == #""-9223372036854775808""#)
        #expect(dec(Int64.min, 19) == #""-0.9223372036854775808""#)
        #expect(dec(Int64.max, 20) == #""0.09223372036854775807""#)
        #expect(dec(12, -3) == #""12000""#)  // invalid negative scale: times 10^3
        #expect(dec(0, -3) == #""0""#)
        #expect(dec(-7, -1) == #""-70""#)
        #expect(decBytes([], 2) == #""0.00""#)
        #expect(decBytes([0xFF], 2) == #""-0.01""#)
        #expect(decBytes([0x00, 0x64], 2) == #""1.00""#)
        // fixed_length_decimal: FLBA(11), unscaled 100, scale 2.
        #expect(decBytes([UInt8](repeating: 0, count: 10) + [0x64], 2) == #""1.00""#)
        // 2^127 - 1 and -2^127 (decimal(38)-sized FLBA(16)).
        #expect(decBytes([0x7F] + [UInt8](repeating: 0xFF, count: 15), 0) == #""170141183460469231731687303715884105727""#)
        #expect(decBytes([0x80] + [UInt8](repeating: 0x00, count: 15), 0) == #""-170141183460469231731687303715884105728""#)
        #expect(decBytes([0x80] + [UInt8](repeating: 0x00, count: 15), 38)
            == #""-1.70141183460469231731687303715884105728""#)
        #expect(decBytes([UInt8](repeating: 0xFF, count: 16), 3) == #""-0.001""#)
        #expect(decBytes([UInt8](repeating: 0x00, count: 16), 3) == #""0.000""#)
        // 10^18 in 9 bytes and 2^64 in 9 bytes.
        #expect(decBytes([0x00, 0x0D, 0xE0, 0xB6, 0xB3, 0xA7, 0x64, 0x00, 0x00], 18) == #""1.000000000000000000""#)
        #expect(decBytes([0x01, 0, 0, 0, 0, 0, 0, 0, 0], 0) == #""18446744073709551616""#)
        #expect(decBytes([0xFF, 0, 0, 0, 0, 0, 0, 0, 0], 1) == #""-1844674407370955161.6""#)
    }

    @Test func decimalRandomAgainstReference() {
        var rng = SplitMix64(seed: 5)
        for _ in 0..<3000 {
            let v = Int64(bitPattern: rng.next()) >> Int64.random(in: 0...63, using: &rng)
            let scale = Int.random(in: 0...25, using: &rng)
            let expected = referenceDecimal(digits: String(v.magnitude), negative: v < 0, scale: scale)
            #expect(dec(v, scale) == expected)
            // The same value as a sign-extended FLBA(16) and as minimal big-endian bytes.
            let wide = (0..<16).map { k in UInt8(truncatingIfNeeded: (k < 8 ? v >> 63 : v >> Int64(8 * (15 - k)))) }
            #expect(decBytes(wide, scale) == expected)
        }
        for _ in 0..<1500 {
            let bytes = (0..<Int.random(in: 1...48, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let scale = Int.random(in: 0...40, using: &rng)
            let (digits, negative) = referenceTwosComplement(bytes)
            #expect(decBytes(bytes, scale) == referenceDecimal(digits: digits, negative: negative, scale: scale), "\(bytes)")
        }
    }

    // MARK: Dates and times

    @Test func dates() {
        let cases: [(Int64, String)] = [
            (0, "1970-01-01"), (-1, "1969-12-31"), (10957, "2000-01-01"), (11016, "2000-02-29"), (11017, "2000-03-01"),
            (14304, "2009-03-01"), (-719528, "0000-01-01"), (-719529, "-0001-12-31"), (-719162, "0001-01-01"),
            (2932896, "9999-12-31"), (2932897, "+10000-01-01"), (-141427, "1582-10-15"),
            (Int64(Int32.max), "+5881580-07-11"), (Int64(Int32.min), "-5877641-06-23"),
            (-4371587, "-9999-01-01"), (-4371953, "-10000-01-01"), (-2440588, "-4713-11-24"),
        ]
        for (d, s) in cases {
            #expect(render { CF.appendDate(daysSinceEpoch: d, to: &$0) } == "\"\(s)\"", "\(d)")
            if let d32 = Int32(exactly: d) {
                #expect(render { CF.appendDate(daysSinceEpoch: d32, to: &$0) } == "\"\(s)\"")
            }
        }
        // Extremes print without trapping and round-trip.
        for d in [Int64.max, Int64.min, Int64.max - 146097, Int64.min + 719468] {
            let c = CF.civilFromDays(d)
            #expect(CF.daysFromCivil(year: c.year, month: c.month, day: c.day) == d)
            #expect(render { CF.appendDate(daysSinceEpoch: d, to: &$0) }.hasSuffix(String(format2(c.day)) + "\""))
        }
        #expect(render { CF.appendDate(daysSinceEpoch: Int64.max, to: &$0) } == #""+25252734927768524-07-27""#)
        #expect(render { CF.appendDate(daysSinceEpoch: Int64.min, to: &$0) } == #""-25252734927764585-06-07""#)
    }

    @Test func civilCalendarProperties() {
        // Consecutive days advance the calendar by exactly one day (checks every day of years -1000...+10000).
        var prev = CF.civilFromDays(-1_100_000)
        for d in Int64(-1_099_999)...3_000_000 {
            let c = CF.civilFromDays(d)
            if c.day == 1 {
                #expect(prev.day == daysInMonth(prev.year, prev.month))
                #expect(c.month == (prev.month == 12 ? 1 : prev.month + 1))
                #expect(c.year == (prev.month == 12 ? prev.year + 1 : prev.year))
            } else if c.day != prev.day + 1 || c.month != prev.month || c.year != prev.year {
                Issue.record("day \(d): \(prev) → \(c)")
                break
            }
            prev = c
        }
        var rng = SplitMix64(seed: 11)
        for _ in 0..<20000 {
            let d = Int64(bitPattern: rng.next()) >> Int64.random(in: 0...63, using: &rng)
            let c = CF.civilFromDays(d)
            #expect((1...12).contains(c.month) && c.day >= 1 && c.day <= daysInMonth(c.year, c.month))
            #expect(CF.daysFromCivil(year: c.year, month: c.month, day: c.day) == d, "\(d)")
        }
    }

    @Test func timestamps() {
        #expect(ts(0, .millis, utc: true) == #""1970-01-01T00:00:00.000Z""#)
        #expect(ts(0, .millis, utc: false) == #""1970-01-01T00:00:00.000""#)
        #expect(ts(-1, .millis, utc: true) == #""1969-12-31T23:59:59.999Z""#)
        #expect(ts(-1, .micros, utc: false) == #""1969-12-31T23:59:59.999999""#)
        #expect(ts(-1, .nanos, utc: true) == #""1969-12-31T23:59:59.999999999Z""#)
        #expect(ts(-1, .seconds, utc: true) == #""1969-12-31T23:59:59Z""#)
        #expect(ts(1_235_865_660_000, .millis, utc: true) == #""2009-03-01T00:01:00.000Z""#)
        #expect(ts(1_235_865_660_123_456, .micros, utc: false) == #""2009-03-01T00:01:00.123456""#)
        #expect(ts(951_782_400_000_000_001, .nanos, utc: true) == #""2000-02-29T00:00:00.000000001Z""#)
        #expect(ts(253_402_300_800, .seconds, utc: true) == #""+10000-01-01T00:00:00Z""#)
        #expect(ts(-62_167_219_201, .seconds, utc: false) == #""-0001-12-31T23:59:59""#)
        #expect(ts(Int64.max, .nanos, utc: true) == #""2262-04-11T23:47:16.854775807Z""#)
        #expect(ts(Int64.min, .nanos, utc: true) == #""1677-09-21T00:12:43.145224192Z""#)
        #expect(ts(Int64.max, .micros, utc: false) == #""+294247-01-10T04:00:54.775807""#)
        #expect(ts(Int64.min, .micros, utc: false) == #""-290308-12-21T19:59:05.224192""#)
        #expect(ts(Int64.max, .millis, utc: true) == #""+292278994-08-17T07:12:55.807Z""#)
        #expect(ts(Int64.min, .millis, utc: true) == #""-292275055-05-16T16:47:04.192Z""#)
        #expect(ts(Int64.max, .seconds, utc: true) == #""+292277026596-12-04T15:30:07Z""#)
        #expect(ts(Int64.min, .seconds, utc: true) == #""-292277022657-01-27T08:29:52Z""#)
        // Property: a timestamp's date part is the date of floor(value / ticksPerDay).
        var rng = SplitMix64(seed: 3)
        for unit in [CF.TimeUnit.seconds, .millis, .micros, .nanos] {
            for _ in 0..<2000 {
                let v = Int64(bitPattern: rng.next()) >> Int64.random(in: 0...63, using: &rng)
                let perDay = 86_400 * unit.perSecond
                let days = v >= 0 ? v / perDay : -((-(v + 1)) / perDay) - 1
                let date = render { CF.appendDate(daysSinceEpoch: days, to: &$0) }.dropLast()
                let s = ts(v, unit, utc: true)
                #expect(s.hasPrefix(date + "T") && s.hasSuffix("Z\""), "\(v) \(unit)")
                #expect(s.count == date.count + 1 + 8 + (unit == .seconds ? 0 : 1 + unit.fractionDigits) + 2)
            }
        }
    }

    @Test func int96Timestamps() {
        // alltypes_plain: 2009-03-01 is day 14304, Julian day 2454892.
        #expect(int96(julianDay: 2_454_892, nanos: 0) == #""2009-03-01T00:00:00.000000000""#)
        #expect(int96(julianDay: 2_454_892, nanos: 60_000_000_000) == #""2009-03-01T00:01:00.000000000""#)
        // alltypes_tiny_pages_plain: 2009-01-13T01:03:05.430000000.
        #expect(int96(julianDay: 2_454_845, nanos: 3_785_430_000_000) == #""2009-01-13T01:03:05.430000000""#)
        #expect(int96(julianDay: 2_440_588, nanos: 86_400_000_000_001) == #""1970-01-02T00:00:00.000000001""#)
        #expect(int96(julianDay: 2_440_587, nanos: 86_399_999_999_999) == #""1969-12-31T23:59:59.999999999""#)
        #expect(int96(julianDay: 0, nanos: 0) == #""-4713-11-24T00:00:00.000000000""#)
        // UInt64.max nanos = 213503 days + 84_873_709_551_615 ns (23:34:33.709551615).
        #expect(int96(julianDay: 2_440_588, nanos: UInt64.max) == #""2554-07-21T23:34:33.709551615""#)
        let maxDays = Int64(UInt32.max) - 2_440_588 + 213_503
        let maxDate = render { CF.appendDate(daysSinceEpoch: maxDays, to: &$0) }.dropLast()
        #expect(int96(julianDay: UInt32.max, nanos: UInt64.max) == maxDate + #"T23:34:33.709551615""#)
        // Consistency with NANOS timestamps where those are in range.
        var rng = SplitMix64(seed: 17)
        for _ in 0..<2000 {
            let v = Int64.random(in: -9_000_000_000_000_000_000...9_000_000_000_000_000_000, using: &rng)
            let perDay: Int64 = 86_400_000_000_000
            let days = v >= 0 ? v / perDay : -((-(v + 1)) / perDay) - 1
            let nanos = UInt64(v - days * perDay)
            #expect(int96(julianDay: UInt32(days + 2_440_588), nanos: nanos) == ts(v, .nanos, utc: false))
        }
    }

    @Test func times() {
        let t = { (v: Int64, u: CF.TimeUnit) in render { CF.appendTime(v, unit: u, to: &$0) } }
        #expect(t(0, .millis) == #""00:00:00.000""#)
        #expect(t(86_399_999, .millis) == #""23:59:59.999""#)
        #expect(t(45_296_789_012, .micros) == #""12:34:56.789012""#)
        #expect(t(45_296_789_012_345, .nanos) == #""12:34:56.789012345""#)
        #expect(t(45_296, .seconds) == #""12:34:56""#)
        #expect(t(1, .nanos) == #""00:00:00.000000001""#)
        // Out of range (invalid data): hours beyond 23, negative values signed.
        #expect(t(90_000_000, .millis) == #""25:00:00.000""#)
        #expect(t(-1_000, .millis) == #""-00:00:01.000""#)
        #expect(t(Int64.max, .nanos) == #""2562047:47:16.854775807""#)
        #expect(t(Int64.min, .nanos) == #""-2562047:47:16.854775808""#)
        #expect(t(Int64.max, .seconds) == #""2562047788015215:30:07""#)
    }

    // MARK: Whole reference lines (values decoded by hand)

    @Test func referenceLines() {
        // alltypes_plain.parquet, row 2.
        var out: [UInt8] = []
        out.append(0x7B)
        CF.appendKey("id", to: &out); CF.appendInt64(5, to: &out); out.append(0x2C)
        CF.appendKey("bool_col", to: &out); CF.appendBool(false, to: &out); out.append(0x2C)
        CF.appendKey("tinyint_col", to: &out); CF.appendInt64(1, to: &out); out.append(0x2C)
        CF.appendKey("smallint_col", to: &out); CF.appendInt64(1, to: &out); out.append(0x2C)
        CF.appendKey("int_col", to: &out); CF.appendInt64(1, to: &out); out.append(0x2C)
        CF.appendKey("bigint_col", to: &out); CF.appendInt64(10, to: &out); out.append(0x2C)
        CF.appendKey("float_col", to: &out); CF.appendFloat(Float(1.1), to: &out); out.append(0x2C)
        CF.appendKey("double_col", to: &out); CF.appendDouble(10.1, to: &out); out.append(0x2C)
        CF.appendKey("date_string_col", to: &out)
        Array("03/01/09".utf8).withUnsafeBytes { CF.appendBase64(bytes: $0, to: &out) }
        out.append(0x2C)
        CF.appendKey("string_col", to: &out)
        Array("1".utf8).withUnsafeBytes { CF.appendBase64(bytes: $0, to: &out) }
        out.append(0x2C)
        CF.appendKey("timestamp_col", to: &out)
        CF.appendInt96Timestamp(Int96(nanosOfDay: 60_000_000_000, julianDay: 2_454_892), to: &out)
        out.append(0x7D)
        #expect(String(decoding: out, as: UTF8.self) == #"{"id":5,"bool_col":false,"tinyint_col":1,"smallint_col":1,"int_col":1,"bigint_col":10,"float_col":1.1,"double_col":10.1,"date_string_col":"MDMvMDEvMDk=","string_col":"MQ==","timestamp_col":"2009-03-01T00:01:00.000000000"}"#)

        // alltypes_tiny_pages_plain.parquet, row 2 (strings there are UTF8-annotated).
        out = [0x7B]
        CF.appendKey("id", to: &out); CF.appendInt64(123, to: &out); out.append(0x2C)
        CF.appendKey("float_col", to: &out); CF.appendFloat(Float(3.3), to: &out); out.append(0x2C)
        CF.appendKey("double_col", to: &out); CF.appendDouble(30.299999999999997, to: &out); out.append(0x2C)
        CF.appendKey("date_string_col", to: &out); CF.appendString("01/13/09", to: &out); out.append(0x2C)
        CF.appendKey("timestamp_col", to: &out)
        CF.appendInt96Timestamp(Int96(nanosOfDay: 3_785_430_000_000, julianDay: 2_454_845), to: &out)
        out.append(0x7D)
        #expect(String(decoding: out, as: UTF8.self) == #"{"id":123,"float_col":3.3,"double_col":30.299999999999997,"date_string_col":"01/13/09","timestamp_col":"2009-01-13T01:03:05.430000000"}"#)

        // fixed_length_decimal.parquet / int32_decimal.parquet: decimal(25,2) FLBA(11) and decimal(4,2) INT32.
        out = [0x7B]
        CF.appendKey("value", to: &out)
        ([UInt8](repeating: 0, count: 10) + [0xC8]).withUnsafeBytes {
            CF.appendDecimal(unscaledBigEndianTwosComplement: $0, scale: 2, to: &out)
        }
        out.append(0x7D)
        #expect(String(decoding: out, as: UTF8.self) == #"{"value":"2.00"}"#)
        out = [0x7B]
        CF.appendKey("value", to: &out); CF.appendDecimal(unscaled: 300, scale: 2, to: &out); out.append(0x7D)
        #expect(String(decoding: out, as: UTF8.self) == #"{"value":"3.00"}"#)

        // float16_zeros_and_nans.parquet: +0.0 and a NaN; datapage_v2.snappy.parquet row 1.
        #expect(half(0x0000) == "0.0" && half(0x7E00) == #""NaN""#)
        out = [0x7B]
        CF.appendKey("a", to: &out); CF.appendString("abc", to: &out); out.append(0x2C)
        CF.appendKey("b", to: &out); CF.appendInt64(1, to: &out); out.append(0x2C)
        CF.appendKey("c", to: &out); CF.appendDouble(2.0, to: &out); out.append(0x2C)
        CF.appendKey("d", to: &out); CF.appendBool(true, to: &out); out.append(0x2C)
        CF.appendKey("e", to: &out); out.append(0x5B)
        for (i, v) in [1, 2, 3].enumerated() {
            if i > 0 { out.append(0x2C) }
            CF.appendInt64(Int64(v), to: &out)
        }
        out.append(contentsOf: [0x5D, 0x7D])
        #expect(String(decoding: out, as: UTF8.self) == #"{"a":"abc","b":1,"c":2.0,"d":true,"e":[1,2,3]}"#)
    }
}

// MARK: - Reference implementations (slow and obvious)

private func referenceString(_ bytes: [UInt8]) -> String {
    guard let s = String(validating: bytes, as: UTF8.self) else {
        return #"{"$invalid_utf8_b64":""# + referenceBase64(bytes) + #""}"#
    }
    var r = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": r += "\\\""
        case "\\": r += "\\\\"
        case "\n": r += "\\n"
        case "\r": r += "\\r"
        case "\t": r += "\\t"
        case "\u{08}": r += "\\b"
        case "\u{0C}": r += "\\f"
        default:
            if u.value < 0x20 {
                r += "\\u00" + (u.value < 0x10 ? "0" : "") + String(u.value, radix: 16)
            } else {
                r.unicodeScalars.append(u)
            }
        }
    }
    return r + "\""
}

private func referenceBase64(_ bytes: [UInt8]) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    var bits = ""
    for b in bytes {
        let s = String(b, radix: 2)
        bits += String(repeating: "0", count: 8 - s.count) + s
    }
    while bits.count % 6 != 0 { bits += "0" }
    var r = ""
    var chars = Array(bits)
    while !chars.isEmpty {
        r.append(alphabet[Int(String(chars.prefix(6)), radix: 2)!])
        chars.removeFirst(6)
    }
    while r.count % 4 != 0 { r += "=" }
    return r
}

/// Big-endian two's complement → (decimal digits of the magnitude, negative), by schoolbook base conversion.
private func referenceTwosComplement(_ bytes: [UInt8]) -> (String, Bool) {
    let negative = bytes[0] >= 0x80
    var mag = bytes
    if negative {
        mag = mag.map { ~$0 }
        var i = mag.count - 1
        while i >= 0 {
            let (s, o) = mag[i].addingReportingOverflow(1)
            mag[i] = s
            if !o { break }
            i -= 1
        }
        if i < 0 { mag.insert(1, at: 0) }  // cannot happen for two's complement, kept for safety
    }
    var decimal: [Int] = [0]  // little-endian decimal digits
    for b in mag {
        var carry = Int(b)
        for k in decimal.indices {
            let v = decimal[k] * 256 + carry
            decimal[k] = v % 10
            carry = v / 10
        }
        while carry > 0 {
            decimal.append(carry % 10)
            carry /= 10
        }
    }
    while decimal.count > 1 && decimal.last == 0 { decimal.removeLast() }
    return (String(decimal.reversed().map { Character(String($0)) }), negative)
}

private func referenceDecimal(digits: String, negative: Bool, scale: Int) -> String {
    let isZero = digits.allSatisfy { $0 == "0" }
    var d = digits
    if d.count <= scale { d = String(repeating: "0", count: scale - d.count + 1) + d }
    var s = d
    if scale > 0 { s.insert(".", at: s.index(s.endIndex, offsetBy: -scale)) }
    return "\"" + (negative && !isZero ? "-" : "") + s + "\""
}

private func powerOf10(_ n: Int) -> Double {
    var r = 1.0
    for _ in 0..<n { r *= 10 }
    return r
}

private func isLeap(_ y: Int64) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

private func daysInMonth(_ y: Int64, _ m: Int) -> Int {
    switch m {
    case 2: isLeap(y) ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
}

private func format2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
