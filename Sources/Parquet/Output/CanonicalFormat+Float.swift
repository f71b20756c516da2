// Floating point: shortest digits that round-trip at the value's own width, laid out positionally when
// 1e-4 <= |x| < 1e16 (always with a fraction: `0.1`, `123.0`, `-0.0`), otherwise as `d.ddde±XX` with at
// least two exponent digits (`1e-05`, `1.5e+16`, `5e-324`). NaN and infinities are the strings
// `"NaN"`, `"Infinity"`, `"-Infinity"`.
//
// The shortest digit string comes from Swift's own `description` (SwiftDtoa prints the shortest digits
// that round-trip, choosing the closest when several are equally short). Integral values below 2^mantissa
// (the common case for row data) skip it and print the integer directly — for them the integer's own
// digits are the shortest (any shorter string is a different integer, and the spacing there is <= 1).
// Short descriptions (<= 15 bytes) are small Strings and do not allocate.
// Exception: Float16 values >= 2048, which Swift prints as exact integers ("65504.0") instead of shortest
// digits ("65500.0"); those are rounded here (`shortestFloat16Integer`). Ties at the rounding-interval edge
// count as round-tripping when the significand is even (IEEE round-half-even), as in Ryu / Gay's dtoa:
// binary16 8192 prints "8190.0".

extension CanonicalFormat {
    /// A DOUBLE value.
    public static func appendDouble(_ value: Double, to out: inout [UInt8]) {
        appendBinaryFloat(value, exactIntegerLimit: 9_007_199_254_740_992.0, to: &out)
    }

    /// A FLOAT value (shortest digits at 32-bit width: `0.1`, not `0.10000000149011612`).
    public static func appendFloat(_ value: Float, to out: inout [UInt8]) {
        appendBinaryFloat(value, exactIntegerLimit: 16_777_216.0, to: &out)
    }

    /// A FLOAT16 value from its IEEE binary16 bit pattern (shortest digits at 16-bit width).
    public static func appendFloat16(bits: UInt16, to out: inout [UInt8]) {
        #if (os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64)
        // No Float16 on Intel macOS: binary16 → binary32 is exact, digits are then shortest at 32-bit width.
        appendFloat(float16BitsToFloat(bits), to: &out)
        #else
        let exponentBits = (bits >> 10) & 0x1F
        if exponentBits >= 26 && exponentBits < 31 {
            // 2048 <= |x| <= 65504: Swift's description prints these integers exactly ("65504.0") rather than
            // with the shortest digits ("65500.0"), so they are rounded here.
            if bits & 0x8000 != 0 { out.append(0x2D) }
            appendUInt64(shortestFloat16Integer(bits: bits & 0x7FFF), to: &out)
            appendStatic(".0", to: &out)
            return
        }
        appendBinaryFloat(Float16(bitPattern: bits), exactIntegerLimit: 2048.0, to: &out)
        #endif
    }

    /// For a positive binary16 value >= 2048 (an integer, spacing 2...32): the integer with the fewest
    /// significant digits that rounds back to it (round-half-even on ties), the closest one when several do.
    static func shortestFloat16Integer(bits: UInt16) -> UInt64 {
        let exponent = Int((bits >> 10) & 0x1F) - 15  // 11...15
        let mantissa = UInt64(bits & 0x3FF)
        let value = (0x400 | mantissa) << UInt64(exponent - 10)
        let spacing: UInt64 = 1 << UInt64(exponent - 10)
        let evenMantissa = mantissa & 1 == 0
        // Distances in quarter units: above, the half-gap is spacing/2; below, spacing/4 at a power of two.
        let upperHalf4 = spacing * 2
        let lowerHalf4 = mantissa == 0 ? spacing : spacing * 2
        let digits = digitCount(value)
        var unit: UInt64 = 1
        for _ in 1..<digits { unit *= 10 }  // 10^(digits-1): one significant digit
        while unit > 1 {
            let candidate = (value + unit / 2) / unit * unit
            let ok: Bool
            if candidate >= value {
                let d4 = (candidate - value) * 4
                ok = d4 < upperHalf4 || (d4 == upperHalf4 && evenMantissa)
            } else {
                let d4 = (value - candidate) * 4
                ok = d4 < lowerHalf4 || (d4 == lowerHalf4 && evenMantissa)
            }
            if ok { return candidate }
            unit /= 10
        }
        return value
    }

    /// Exact binary16 → binary32 conversion (independent of platform support for `Float16`).
    public static func float16BitsToFloat(_ bits: UInt16) -> Float {
        let sign = UInt32(bits >> 15) << 31
        let exponent = UInt32((bits >> 10) & 0x1F)
        var mantissa = UInt32(bits & 0x3FF)
        if exponent == 0x1F {
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        }
        if exponent == 0 {
            if mantissa == 0 { return Float(bitPattern: sign) }
            // Subnormal: normalise.
            var e: UInt32 = 127 - 15 + 1
            while mantissa & 0x400 == 0 {
                mantissa <<= 1
                e -= 1
            }
            mantissa &= 0x3FF
            return Float(bitPattern: sign | (e << 23) | (mantissa << 13))
        }
        return Float(bitPattern: sign | ((exponent + 127 - 15) << 23) | (mantissa << 13))
    }

    @inline(__always)
    static func appendBinaryFloat<F: BinaryFloatingPoint & CustomStringConvertible>(
        _ value: F, exactIntegerLimit: F, to out: inout [UInt8]
    ) {
        if !value.isFinite {
            if value.isNaN {
                appendStatic(#""NaN""#, to: &out)
            } else if value.sign == .minus {
                appendStatic(#""-Infinity""#, to: &out)
            } else {
                appendStatic(#""Infinity""#, to: &out)
            }
            return
        }
        if value == 0 {
            appendStatic(value.sign == .minus ? "-0.0" : "0.0", to: &out)
            return
        }
        let magnitude = value.magnitude
        if magnitude < exactIntegerLimit && magnitude == magnitude.rounded(.towardZero) {
            if value.sign == .minus { out.append(0x2D) }
            appendUInt64(UInt64(magnitude), to: &out)
            appendStatic(".0", to: &out)
            return
        }
        var text = value.description
        text.withUTF8 { appendRelayout(shortestDescription: $0, to: &out) }
    }

    /// Re-lays out a shortest-digits rendering of a finite non-zero number (any of `-1.5`, `1e-05`,
    /// `1.5e+16`, `0.0001`, `123.0`) in the canonical layout.
    static func appendRelayout(shortestDescription text: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 96) { buf in
            let digits = buf.baseAddress!          // digits[0..<48]
            var p = buf.baseAddress! + 48          // output[48..<96]
            let outStart = p
            var nd = 0, intDigits = 0
            var negative = false, sawDot = false, sawE = false, expNegative = false
            var exp10 = 0
            for c in text {
                switch c {
                case 0x30...0x39:
                    if sawE {
                        exp10 = exp10 &* 10 &+ Int(c &- 0x30)
                    } else if nd < 40 {
                        digits[nd] = c
                        nd += 1
                        if !sawDot { intDigits += 1 }
                    } else if !sawDot {
                        intDigits += 1  // cannot happen for shortest output; keeps the magnitude right
                    }
                case 0x2D:
                    if sawE { expNegative = true } else { negative = true }
                case 0x2E: sawDot = true
                case 0x65, 0x45: sawE = true
                default: break
                }
            }
            if expNegative { exp10 = -exp10 }
            var first = 0
            while first < nd && digits[first] == 0x30 { first += 1 }
            if first == nd {  // zero (not reached: zero is handled by the caller)
                if negative { out.append(0x2D) }
                appendStatic("0.0", to: &out)
                return
            }
            var last = nd
            while digits[last - 1] == 0x30 { last -= 1 }
            let d = digits + first
            let n = last - first
            // value = d[0].d[1]... × 10^e
            let e = intDigits - 1 - first + exp10

            if negative {
                p[0] = 0x2D
                p += 1
            }
            if e >= -4 && e < 16 {
                if e >= 0 {
                    if n <= e + 1 {
                        p.update(from: d, count: n)
                        p += n
                        for _ in 0..<(e + 1 - n) {
                            p[0] = 0x30
                            p += 1
                        }
                        p[0] = 0x2E
                        p[1] = 0x30
                        p += 2
                    } else {
                        p.update(from: d, count: e + 1)
                        p += e + 1
                        p[0] = 0x2E
                        p += 1
                        p.update(from: d + e + 1, count: n - e - 1)
                        p += n - e - 1
                    }
                } else {
                    p[0] = 0x30
                    p[1] = 0x2E
                    p += 2
                    for _ in 0..<(-e - 1) {
                        p[0] = 0x30
                        p += 1
                    }
                    p.update(from: d, count: n)
                    p += n
                }
            } else {
                p[0] = d[0]
                p += 1
                if n > 1 {
                    p[0] = 0x2E
                    p += 1
                    p.update(from: d + 1, count: n - 1)
                    p += n - 1
                }
                p[0] = 0x65
                p[1] = e < 0 ? 0x2D : 0x2B
                p += 2
                putPadded(UInt64(e.magnitude), width: 2, at: &p)
            }
            out.append(contentsOf: UnsafeBufferPointer(start: outStart, count: p - outStart))
        }
    }
}
