// JSONNumber.parseDouble against the standard library's correctly rounded conversion: edge cases of the
// Eisel-Lemire path (halfway cases, subnormals, the largest finite values, 19-digit mantissas) and seeded random
// literals across the whole exponent range.

import Testing

@testable import JSON

@Suite("parseDouble")
struct ParseDoubleTests {
    func parse(_ s: String) -> Double {
        var bytes = Array(s.utf8)
        return bytes.withUnsafeMutableBytes { JSONNumber.parseDouble(UnsafeRawBufferPointer($0)) }
    }

    func expectSame(_ s: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let want = Double(s)!
        let got = parse(s)
        #expect(got.bitPattern == want.bitPattern, "\(s): \(got) != \(want)", sourceLocation: sourceLocation)
    }

    @Test func edgeCases() {
        for s in [
            "0", "-0", "0.0", "-0.0", "1", "-1", "0.1", "0.2", "0.3", "1e23", "8.41e21", "5e-324", "4.9e-324",
            "2.4703282292062327e-324", "2.4703282292062328e-324", "2.2250738585072011e-308",
            "2.2250738585072014e-308", "2.2250738585072009e-308", "1.7976931348623157e308",
            "1.7976931348623158e308", "1.7976931348623159e308", "9007199254740993", "9007199254740995",
            "9007199254740992.5", "18446744073709551615", "9999999999999999999", "1000000000000000000",
            "123456789012345678", "0.5388818658523502", "-95.29885423659756", "4.785171125733487",
            "7.038531e-26", "1e-400", "1e400", "-1e-400", "3.141592653589793", "2.718281828459045",
            "1.00000000000000011102230246251565404236316680908203125", "0.1e-342", "1e-342", "1e-343",
            "1e308", "1e309", "1e-307", "1e-308", "1e-309", "1e-320", "1e-323", "1e-324", "0.000001",
            "123.456e-2", "6.02214076e23", "1.616255e-35", "4503599627370497.5", "4503599627370496.5",
            "9223372036854775807", "9223372036854775808", "1.9e-308", "2.5e-324", "7.4e-323",
        ] {
            expectSame(s)
        }
    }

    @Test func seededRandomLiterals() {
        var state: UInt64 = 0x5EED_D0_0B1E
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        for i in 0..<60_000 {
            let digits = Int(next() % 19) + 1
            var m = ""
            for k in 0..<digits { m.append(Character(String(k == 0 ? next() % 9 + 1 : next() % 10))) }
            let e = Int(next() % 680) - 360
            switch i % 3 {
            case 0: expectSame("\(m)e\(e)")
            case 1:
                let point = Int(next() % UInt64(digits + 1))
                let s = String(m.prefix(point)) + "." + String(m.dropFirst(point))
                expectSame((point == 0 ? "0" : "") + s + (s.hasSuffix(".") ? "0" : ""))
            default:
                // shortest round-trip text of a random double
                let d = Double(bitPattern: next() & 0x7FEF_FFFF_FFFF_FFFF)
                let g = parse("\(d)")
                #expect(g.bitPattern == d.bitPattern, "\(d)")
            }
        }
    }
}
