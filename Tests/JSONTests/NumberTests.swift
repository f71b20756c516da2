import Testing

import JSON

@Suite("Numbers")
struct NumberTests {
    func n(_ s: String) -> JSONNumber { JSONNumber(s)! }
    func d(_ s: String) -> JSONDecimal { JSONNumber(s)!.decimal }

    @Test func literalValidation() {
        for ok in ["0", "-0", "1", "-1", "0.5", "1e5", "1E+5", "1e-5", "12.34e-56", "-0.0e0"] {
            #expect(JSONNumber(ok) != nil, "\(ok)")
        }
        for bad in ["", "-", "01", "-01", "1.", ".5", "+1", "1e", "1e+", "0x10", "1 ", "NaN", "Infinity", "1.5.2"] {
            #expect(JSONNumber(bad) == nil, "\(bad)")
        }
    }

    @Test func int64AndUInt64Bounds() {
        #expect(n("9223372036854775807").int64 == .max)
        #expect(n("-9223372036854775808").int64 == .min)
        #expect(n("9223372036854775808").int64 == nil)
        #expect(n("-9223372036854775809").int64 == nil)
        #expect(n("18446744073709551615").uint64 == .max)
        #expect(n("18446744073709551616").uint64 == nil)
        #expect(n("-1").uint64 == nil)
        #expect(n("-0").uint64 == 0 && n("-0").int64 == 0)
        #expect(n("1e2").int64 == 100 && n("1.0").int64 == 1 && n("1.5").int64 == nil)
        #expect(n("1.8446744073709551615e19").uint64 == .max)
        #expect(n("9.223372036854775807e18").int64 == .max)
        #expect(n("1e19").int64 == nil && n("1e19").uint64 == 10_000_000_000_000_000_000)
        #expect(n("1e20").uint64 == nil)
        #expect(n("123e-2").int64 == nil)
        #expect(n("0e99999999999").int64 == 0)
    }

    @Test func tokenizerFastInt64MatchesExactValue() throws {
        let literals = ["0", "-0", "7", "-7", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
                        "-9223372036854775809", "99999999999999999999", "1.0", "1e2", "123456789012345678"]
        for lit in literals {
            let bytes = Array(lit.utf8)
            let tok: JSONToken = try bytes.withUnsafeBytes { buf in
                var t = JSONTokenizer(buf)
                return try t.next()
            }
            guard case .number(let num) = tok else {
                Issue.record("not a number: \(lit)")
                continue
            }
            #expect(num.isIntegerLiteral == !(lit.contains(".") || lit.contains("e")))
            #expect(num.int64 == (num.isIntegerLiteral ? Int64(lit) : nil), "\(lit)")
            #expect(num.range == 0..<bytes.count)
        }
    }

    /// Random literals of every length: the tokenizer's fast Int64 (SWAR digit parsing) matches `Int64(String)`
    /// and `double` matches the standard library's correctly rounded parser.
    @Test func randomLiteralsAgreeWithStandardLibrary() throws {
        var rng = SystemRandomNumberGenerator()
        func digits(_ n: Int) -> String {
            var s = String(Int.random(in: 1...9, using: &rng))
            for _ in 1..<max(1, n) { s += String(Int.random(in: 0...9, using: &rng)) }
            return s
        }
        var literals: [String] = []
        for length in 1...22 {
            for _ in 0..<30 {
                let sign = Bool.random(using: &rng) ? "-" : ""
                literals.append(sign + digits(length))
                literals.append(sign + digits(length) + "." + digits(Int.random(in: 1...20, using: &rng)))
                literals.append(sign + "0." + String(repeating: "0", count: Int.random(in: 0...5, using: &rng)) + digits(length))
                literals.append(sign + digits(length) + "e" + String(Int.random(in: -330...310, using: &rng)))
            }
        }
        for lit in literals {
            let bytes = Array((lit + " ").utf8)
            let tok = try bytes.withUnsafeBytes { buf in
                var t = JSONTokenizer(buf)
                return try t.next()
            }
            guard case .number(let num) = tok else {
                Issue.record("not a number: \(lit)")
                continue
            }
            #expect(num.length == lit.utf8.count)
            #expect(num.int64 == (num.isIntegerLiteral ? Int64(lit) : nil), "\(lit)")
            let v = n(lit).double
            #expect(v == Double(lit)!, "\(lit)")
        }
    }

    @Test func bigNumbersAndDoubleOverflow() {
        let huge = n("1e400")
        #expect(huge.text == "1e400")
        #expect(huge.double == .infinity && huge.overflowsDouble)
        #expect(n("-1e400").double == -.infinity)
        #expect(!n("1e308").overflowsDouble)
        #expect(huge.isInteger && huge.int64 == nil)
        #expect(huge > n("1.7976931348623157e308"))
        #expect(n("1e400") == n("10e399"))
        #expect(n("1e400") != n("1e401"))
        let bigInt = n("123456789012345678901234567890")
        #expect(bigInt.decimal.digits == "12345678901234567890123456789" && bigInt.decimal.exponent == 1)
        #expect(bigInt < n("123456789012345678901234567891"))
        #expect(bigInt == n("1.2345678901234567890123456789e29"))
    }

    @Test func doublesCorrectlyRounded() {
        let cases: [(String, Double)] = [
            ("0.1", 0.1), ("0.2", 0.2), ("0.3", 0.3), ("1e23", 1e23), ("8.98846567431158e307", 8.98846567431158e307),
            ("2.2250738585072014e-308", Double.leastNormalMagnitude), ("2.2250738585072011e-308", Double.leastNormalMagnitude.nextDown), ("4.9e-324", Double.leastNonzeroMagnitude), ("5e-325", 0),
            ("0.5388818658523502", 0.5388818658523502), ("-95.29885423659756", -95.29885423659756),
            ("9007199254740993", 9007199254740992), ("123456789012345678901234567890", 1.2345678901234568e29),
            // 1 + 2^-53 is exactly halfway between 1 and the next double: ties to even.
            ("1.00000000000000011102230246251565404236316680908203125", 1.0),
            ("1.00000000000000011102230246251565404236316680908203126", 1.0000000000000002),
            ("1.00000000000000011102230246251565404236316680908203124", 1.0),
            ("-0", -0.0), ("0.000001", 1e-6), ("1E22", 1e22), ("12345678901234567e-5", 123456789012.34567),
        ]
        for (text, expected) in cases {
            let v = n(text).double
            #expect(v == expected && v.sign == expected.sign, "\(text) -> \(v), expected \(expected)")
        }
    }

    @Test func exactDecimalEquality() {
        #expect(n("1") == n("1.0"))
        #expect(n("1") == n("10e-1"))
        #expect(n("1") == n("0.1e1"))
        #expect(n("0") == n("-0.0e5"))
        #expect(n("0.3") == n("3e-1"))
        #expect(n("0.30000000000000004") != n("0.3"))  // 0.1+0.2 as a double is not 0.3 …
        #expect(0.1 + 0.2 != 0.3)
        // … but exact decimal arithmetic on the literals is.
        #expect(d("0.1").isMultiple(of: d("0.1")) && n("0.30") == n("0.3"))
        #expect(n("100") == n("1e2") && n("1e2").hashValue == n("100").hashValue)
        #expect(n("-1.5") < n("-1.25") && n("-1") < n("0") && n("0") < n("1e-300"))
        #expect(!(n("2") < n("2.0")) && !(n("2.0") < n("2")))
        #expect(d("0.0075").digits == "75" && d("0.0075").exponent == -4 && !d("0.0075").isNegative)
        #expect(d("-0").isZero && !d("-0").isNegative)
        #expect(JSONValue.number(n("1.0")) == JSONValue.number(n("1")))
    }

    @Test func isMultipleOfExact() {
        #expect(n("0.0075").isMultiple(of: n("0.0001")))
        #expect(n("0.0075").isMultiple(of: n("0.0025")))
        #expect(!n("0.0075").isMultiple(of: n("0.002")))
        #expect(n("0.3").isMultiple(of: n("0.1")))  // false with doubles
        #expect(n("19.99").isMultiple(of: n("0.01")))
        #expect(!n("19.995").isMultiple(of: n("0.01")))
        #expect(n("10").isMultiple(of: n("2.5")))
        #expect(!n("10").isMultiple(of: n("3")))
        #expect(n("-9").isMultiple(of: n("3")))
        #expect(n("0").isMultiple(of: n("0.7")))
        #expect(!n("1").isMultiple(of: n("0")))
        #expect(n("1e308").isMultiple(of: n("1e-308")))
        #expect(n("1e1000000000").isMultiple(of: n("7e3")) == false)
        #expect(n("1e1000000000").isMultiple(of: n("8e3")))
        #expect(n("1e-5").isMultiple(of: n("1e-1000000")))
        #expect(!n("1e-1000000").isMultiple(of: n("1e-5")))
        // Big integers beyond 64 bits.
        let a = "340282366920938463463374607431768211456"  // 2^128
        #expect(n(a).isMultiple(of: n("18446744073709551616")))  // 2^64
        #expect(!n(a).isMultiple(of: n("18446744073709551617")))
        #expect(n("152415787532388367501905199875019052100").isMultiple(of: n("12345678901234567890")))  // its square
        #expect(!n("152415787532388367501905199875019052101").isMultiple(of: n("12345678901234567890")))
        #expect(n("1.52415787532388367501905199875019052100e-10").isMultiple(of: n("1.2345678901234567890e-29")))
        #expect(n("4.5").isMultiple(of: n("1.5")) && !n("4.5").isMultiple(of: n("2")))
    }

    @Test func multiLimbRemainders() {
        // 10^21 mod 7 = 6; (2^64 + 1) mod (2^32 + 1) = 2; 2^128 mod (2^64 + 1) = 1 — via 1-limb and multi-limb divisors.
        #expect(!n("1000000000000000000000").isMultiple(of: n("7")) && n("999999999999999999994").isMultiple(of: n("7")))
        #expect(!n("18446744073709551617").isMultiple(of: n("4294967297")))
        #expect(n("18446744073709551615").isMultiple(of: n("4294967297")))
        #expect(!n("340282366920938463463374607431768211456").isMultiple(of: n("18446744073709551617")))
        #expect(n("340282366920938463463374607431768211455").isMultiple(of: n("18446744073709551617")))
    }

    @Test func doubleInitialiserUsesShortestDigits() {
        #expect(JSONNumber(0.1)?.text == "0.1")
        #expect(JSONNumber(Double.nan) == nil && JSONNumber(Double.infinity) == nil)
        #expect(JSONNumber(1e-5).map { JSONNumber($0.text) != nil } == true)
    }
}
