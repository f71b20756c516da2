// DECIMAL: a quoted string in plain notation with exactly `scale` fraction digits (`"1.00"`, `"-0.05"`,
// `"12345"`, `"0.000"`), `-` only when the value is non-zero. Arbitrary precision for BYTE_ARRAY / FLBA.
//
// Scale < 0 is not valid Parquet; it is rendered as the integer times 10^-scale (zeros appended) instead of
// trapping. The scale is trusted otherwise: a caller should reject absurd scales (precision bounds it in valid
// files), since the output holds `scale` digits.

extension CanonicalFormat {
    /// DECIMAL stored as INT32 / INT64: `unscaled × 10^-scale`.
    public static func appendDecimal(unscaled: Int64, scale: Int, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buf in
            let end = buf.baseAddress! + 24
            let n = writeDigits(unscaled.magnitude, endingAt: end)
            appendDecimalLayout(
                digits: UnsafeBufferPointer(start: end - n, count: n), negative: unscaled < 0, scale: scale, to: &out)
        }
    }

    /// DECIMAL stored as BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY: big-endian two's complement of any length
    /// (empty → 0).
    public static func appendDecimal(
        unscaledBigEndianTwosComplement bytes: UnsafeRawBufferPointer, scale: Int, to out: inout [UInt8]
    ) {
        let n = bytes.count
        if n == 0 {
            appendDecimal(unscaled: 0, scale: scale, to: &out)
            return
        }
        let negative = bytes[0] & 0x80 != 0
        let signByte: UInt8 = negative ? 0xFF : 0x00
        // Drop redundant sign-extension bytes.
        var first = 0
        while first < n - 1 && bytes[first] == signByte && (bytes[first + 1] & 0x80) == (signByte & 0x80) {
            first += 1
        }
        let m = n - first
        if m <= 8 {
            var v: UInt64 = negative ? ~0 : 0
            for k in first..<n {
                v = v << 8 | UInt64(bytes[k])
            }
            appendDecimal(unscaled: Int64(bitPattern: v), scale: scale, to: &out)
            return
        }
        // Magnitude as big-endian base-2^32 limbs, most significant first.
        let limbCount = (m + 3) / 4
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: limbCount) { limbBuf in
            let limbs = limbBuf.baseAddress!
            let padBytes = limbCount * 4 - m
            for l in 0..<limbCount {
                var word: UInt32 = 0
                for b in 0..<4 {
                    let pos = l * 4 + b - padBytes  // index into bytes[first...]
                    let byte = pos < 0 ? signByte : bytes[first + pos]
                    word = word << 8 | UInt32(byte)
                }
                limbs[l] = word
            }
            if negative {
                var carry: UInt64 = 1
                var l = limbCount - 1
                while l >= 0 {
                    let s = UInt64(~limbs[l]) + carry
                    limbs[l] = UInt32(truncatingIfNeeded: s)
                    carry = s >> 32
                    l -= 1
                }
            }
            var top = 0
            while top < limbCount && limbs[top] == 0 { top += 1 }
            // 8 bits < 2.41 decimal digits; 9 digits per base-10^9 chunk, the last chunk may be padded.
            let capacity = m * 3 + 16
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { digitBuf in
                let end = digitBuf.baseAddress! + capacity
                var p = end
                if top == limbCount {
                    p -= 1
                    p[0] = 0x30
                }
                while top < limbCount {
                    var rem: UInt64 = 0
                    for l in top..<limbCount {
                        let cur = rem << 32 | UInt64(limbs[l])
                        let (q, r) = cur.quotientAndRemainder(dividingBy: 1_000_000_000)
                        limbs[l] = UInt32(truncatingIfNeeded: q)
                        rem = r
                    }
                    while top < limbCount && limbs[top] == 0 { top += 1 }
                    let written = writeDigits(rem, endingAt: p)
                    p -= written
                    if top < limbCount {  // not the most significant chunk: pad to 9 digits
                        for _ in written..<9 {
                            p -= 1
                            p[0] = 0x30
                        }
                    }
                }
                appendDecimalLayout(
                    digits: UnsafeBufferPointer(start: p, count: end - p), negative: negative, scale: scale, to: &out)
            }
        }
    }

    /// Lays out the magnitude's ASCII `digits` (no leading zeros; `"0"` for zero) with `scale`.
    static func appendDecimalLayout(
        digits: UnsafeBufferPointer<UInt8>, negative: Bool, scale: Int, to out: inout [UInt8]
    ) {
        let isZero = digits.count == 1 && digits[0] == 0x30
        out.append(quote)
        if negative && !isZero { out.append(0x2D) }
        if scale <= 0 {
            out.append(contentsOf: digits)
            if !isZero && scale < 0 {
                out.append(contentsOf: repeatElement(0x30 as UInt8, count: Int(scale.magnitude)))
            }
        } else if digits.count > scale {
            let intCount = digits.count - scale
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[0..<intCount]))
            out.append(0x2E)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[intCount...]))
        } else {
            out.append(0x30)
            out.append(0x2E)
            out.append(contentsOf: repeatElement(0x30 as UInt8, count: scale - digits.count))
            out.append(contentsOf: digits)
        }
        out.append(quote)
    }
}
