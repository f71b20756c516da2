// Min/max/null statistics as the writer computes them, per page and per column chunk, with the sort order the
// spec defines for each type (LogicalTypes.md "Sort Order", parquet.thrift ColumnOrder).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How values of a column are ordered for min/max statistics.
public enum StatisticsOrder: Sendable, Equatable {
    /// No defined order (INT96, INTERVAL, unknown or geospatial logical types): no min/max are written.
    case none
    /// `false` < `true`.
    case boolean
    /// Signed or unsigned integer order of 32- or 64-bit values (unsigned for UINT logical types).
    case int32, uint32, int64, uint64
    /// IEEE 754 order with NaN excluded and `-0.0` / `+0.0` written as the min / max of zero.
    case float, double
    /// FLOAT16 logical type on FIXED_LEN_BYTE_ARRAY(2).
    case float16
    /// BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY: unsigned byte-wise lexicographic.
    case bytes
    /// DECIMAL on BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY: signed big-endian two's complement.
    case decimalBytes

    /// The order the specification defines for column `c`'s physical and logical type.
    public init(_ c: ColumnDescriptor) {
        var unsigned = false
        if case .integer(_, let signed)? = c.logicalType { unsigned = !signed }
        if c.logicalType == nil, let ct = c.convertedType, [.uint8, .uint16, .uint32, .uint64].contains(ct) { unsigned = true }
        var decimal = c.convertedType == .decimal
        if case .decimal? = c.logicalType { decimal = true }
        switch c.logicalType {
        case .undefined?, .geometry?, .geography?, .variant?: self = .none; return
        default: break
        }
        switch c.physicalType {
        case .boolean: self = .boolean
        case .int32: self = unsigned ? .uint32 : .int32
        case .int64: self = unsigned ? .uint64 : .int64
        case .float: self = .float
        case .double: self = .double
        case .int96, .unknown: self = .none
        case .byteArray, .fixedLenByteArray:
            if c.convertedType == .interval { self = .none; return }
            if c.logicalType == .float16 { self = c.physicalType == .fixedLenByteArray && c.typeLength == 2 ? .float16 : .none; return }
            self = decimal ? .decimalBytes : .bytes
        }
    }
}

/// Unsigned lexicographic order of two byte strings (negative, zero, positive). The common prefix is compared
/// eight bytes at a time as big-endian words (no call per value: the statistics of a PLAIN page compare every
/// value with the running min and max), the last partial word byte by byte.
@inline(__always)
func compareBytes(_ a: UnsafeRawPointer?, _ an: Int, _ b: UnsafeRawPointer?, _ bn: Int) -> Int {
    let n = min(an, bn)
    if n > 0, let a, let b {
        var i = 0
        while i &+ 8 <= n {
            let x = a.loadUnaligned(fromByteOffset: i, as: UInt64.self).bigEndian
            let y = b.loadUnaligned(fromByteOffset: i, as: UInt64.self).bigEndian
            if x != y { return x < y ? -1 : 1 }
            i &+= 8
        }
        while i < n {
            let x = a.load(fromByteOffset: i, as: UInt8.self), y = b.load(fromByteOffset: i, as: UInt8.self)
            if x != y { return x < y ? -1 : 1 }
            i &+= 1
        }
    }
    return an < bn ? -1 : (an > bn ? 1 : 0)
}

/// Signed comparison of big-endian two's complement integers of possibly different lengths.
func compareSignedBigEndian(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
    let an = a.count, bn = b.count
    let aNeg = an > 0 && a[0] & 0x80 != 0, bNeg = bn > 0 && b[0] & 0x80 != 0
    if aNeg != bNeg { return aNeg ? -1 : 1 }
    let ext: UInt8 = aNeg ? 0xFF : 0
    let n = max(an, bn)
    for i in 0..<n {
        let x = i < n - an ? ext : a[i - (n - an)]
        let y = i < n - bn ? ext : b[i - (n - bn)]
        if x != y { return x < y ? -1 : 1 }
    }
    return 0
}

/// IEEE half-precision bits to Float.
func halfToFloat(_ h: UInt16) -> Float {
    let sign = UInt32(h >> 15) << 31
    let exp = Int((h >> 10) & 0x1F), frac = UInt32(h & 0x3FF)
    if exp == 0 {
        let v = Float(frac) * Float(sign: .plus, exponent: -24, significand: 1)
        return sign != 0 ? -v : v
    }
    if exp == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (frac << 13)) }
    return Float(bitPattern: sign | UInt32(exp - 15 + 127) << 23 | (frac << 13))
}

/// Running statistics of a page or column chunk.
struct StatsAccumulator {
    let order: StatisticsOrder
    var has = false
    var iMin: Int64 = 0, iMax: Int64 = 0
    var uMin: UInt64 = 0, uMax: UInt64 = 0
    var dMin: Double = 0, dMax: Double = 0
    var bMin: [UInt8] = [], bMax: [UInt8] = []
    var nullCount: Int64 = 0
    var nanCount: Int64 = 0

    init(order: StatisticsOrder) { self.order = order }

    mutating func reset() {
        has = false
        nullCount = 0
        nanCount = 0
    }

    // MARK: updates over dense value slices

    mutating func update(booleans p: UnsafeBufferPointer<Bool>) {
        guard !p.isEmpty else { return }
        var sawT = false, sawF = false
        for v in p { if v { sawT = true } else { sawF = true } }
        let lo: Int64 = sawF ? 0 : 1, hi: Int64 = sawT ? 1 : 0
        mergeInt(lo, hi)
    }

    mutating func update(int32 p: UnsafeBufferPointer<Int32>) {
        guard !p.isEmpty else { return }
        if order == .uint32 {
            var lo = UInt32.max, hi = UInt32.min
            for v in p { let u = UInt32(bitPattern: v); lo = min(lo, u); hi = max(hi, u) }
            mergeUInt(UInt64(lo), UInt64(hi))
        } else {
            var lo = Int32.max, hi = Int32.min
            for v in p { lo = min(lo, v); hi = max(hi, v) }
            mergeInt(Int64(lo), Int64(hi))
        }
    }

    mutating func update(int64 p: UnsafeBufferPointer<Int64>) {
        guard !p.isEmpty else { return }
        if order == .uint64 {
            var lo = UInt64.max, hi = UInt64.min
            for v in p { let u = UInt64(bitPattern: v); lo = min(lo, u); hi = max(hi, u) }
            mergeUInt(lo, hi)
        } else {
            var lo = Int64.max, hi = Int64.min
            for v in p { lo = min(lo, v); hi = max(hi, v) }
            mergeInt(lo, hi)
        }
    }

    mutating func update<F: BinaryFloatingPoint>(floats p: UnsafeBufferPointer<F>) {
        guard !p.isEmpty else { return }
        var lo = F.infinity, hi = -F.infinity
        var nans: Int64 = 0, any = false
        for v in p {
            if v.isNaN { nans += 1; continue }
            any = true
            if v < lo { lo = v }
            if v > hi { hi = v }
        }
        nanCount += nans
        if any { mergeDouble(Double(lo), Double(hi)) }
    }

    mutating func update(byteArrays buf: ByteArrayBuffer, range: Range<Int>) {
        guard !range.isEmpty else { return }
        if order == .decimalBytes {
            buf.bytes.withUnsafeBytes { b in
                for i in range {
                    let s = buf.offsets[i], e = buf.offsets[i + 1]
                    mergeDecimal(UnsafeRawBufferPointer(rebasing: b[s..<e]))
                }
            }
            return
        }
        buf.offsets.withUnsafeBufferPointer { off in
            buf.bytes.withUnsafeBytes { b in
                let base = b.baseAddress
                var mi = range.lowerBound, ma = range.lowerBound
                for i in range.dropFirst() {
                    let s = off[i], n = off[i + 1] - s
                    let ms = off[mi], mn = off[mi + 1] - ms
                    if compareBytes(base.map { $0 + s }, n, base.map { $0 + ms }, mn) < 0 { mi = i; continue }
                    let xs = off[ma], xn = off[ma + 1] - xs
                    if compareBytes(base.map { $0 + s }, n, base.map { $0 + xs }, xn) > 0 { ma = i }
                }
                mergeBytes(UnsafeRawBufferPointer(rebasing: b[off[mi]..<off[mi + 1]]),
                           UnsafeRawBufferPointer(rebasing: b[off[ma]..<off[ma + 1]]))
            }
        }
    }

    /// Values `indices` of `buf` (distinct dictionary entries of a page).
    mutating func update(byteArrays buf: ByteArrayBuffer, indices: [Int32]) {
        guard !indices.isEmpty else { return }
        buf.offsets.withUnsafeBufferPointer { off in
            buf.bytes.withUnsafeBytes { b in
                if order == .decimalBytes {
                    for i in indices { mergeDecimal(UnsafeRawBufferPointer(rebasing: b[off[Int(i)]..<off[Int(i) + 1]])) }
                    return
                }
                let base = b.baseAddress
                var mi = Int(indices[0]), ma = mi
                for k in indices.dropFirst() {
                    let i = Int(k)
                    let s = off[i], n = off[i + 1] - s
                    let ms = off[mi], mn = off[mi + 1] - ms
                    if compareBytes(base.map { $0 + s }, n, base.map { $0 + ms }, mn) < 0 { mi = i; continue }
                    let xs = off[ma], xn = off[ma + 1] - xs
                    if compareBytes(base.map { $0 + s }, n, base.map { $0 + xs }, xn) > 0 { ma = i }
                }
                mergeBytes(UnsafeRawBufferPointer(rebasing: b[off[mi]..<off[mi + 1]]),
                           UnsafeRawBufferPointer(rebasing: b[off[ma]..<off[ma + 1]]))
            }
        }
    }

    mutating func update(fixed buf: FixedBuffer, range: Range<Int>) {
        guard !range.isEmpty else { return }
        let w = buf.width
        buf.bytes.withUnsafeBytes { b in
            switch order {
            case .decimalBytes:
                for i in range { mergeDecimal(UnsafeRawBufferPointer(rebasing: b[(i * w)..<((i + 1) * w)])) }
            case .float16:
                for i in range {
                    let f = halfToFloat(UInt16(b[i * 2]) | UInt16(b[i * 2 + 1]) << 8)
                    if f.isNaN { nanCount += 1; continue }
                    let d = Double(f)
                    let raw = Array(b[(i * 2)..<(i * 2 + 2)])
                    if !has { has = true; dMin = d; dMax = d; bMin = raw; bMax = raw; continue }
                    if d < dMin || (d == dMin && d == 0 && f.sign == .minus) { dMin = d; bMin = raw }
                    if d > dMax || (d == dMax && d == 0 && f.sign == .plus) { dMax = d; bMax = raw }
                }
            default:
                var mi = range.lowerBound, ma = range.lowerBound
                let base = b.baseAddress
                for i in range.dropFirst() {
                    if compareBytes(base! + i * w, w, base! + mi * w, w) < 0 { mi = i; continue }
                    if compareBytes(base! + i * w, w, base! + ma * w, w) > 0 { ma = i }
                }
                mergeBytes(UnsafeRawBufferPointer(rebasing: b[(mi * w)..<((mi + 1) * w)]),
                           UnsafeRawBufferPointer(rebasing: b[(ma * w)..<((ma + 1) * w)]))
            }
        }
    }

    // MARK: merges

    @inline(__always) mutating func mergeInt(_ lo: Int64, _ hi: Int64) {
        if !has { has = true; iMin = lo; iMax = hi; return }
        if lo < iMin { iMin = lo }
        if hi > iMax { iMax = hi }
    }

    @inline(__always) mutating func mergeUInt(_ lo: UInt64, _ hi: UInt64) {
        if !has { has = true; uMin = lo; uMax = hi; return }
        if lo < uMin { uMin = lo }
        if hi > uMax { uMax = hi }
    }

    @inline(__always) mutating func mergeDouble(_ lo: Double, _ hi: Double) {
        if !has { has = true; dMin = lo; dMax = hi; return }
        if lo < dMin { dMin = lo }
        if hi > dMax { dMax = hi }
    }

    mutating func mergeBytes(_ lo: UnsafeRawBufferPointer, _ hi: UnsafeRawBufferPointer) {
        if !has { has = true; bMin = Array(lo); bMax = Array(hi); return }
        let c1 = bMin.withUnsafeBytes { compareBytes(lo.baseAddress, lo.count, $0.baseAddress, $0.count) }
        if c1 < 0 { bMin = Array(lo) }
        let c2 = bMax.withUnsafeBytes { compareBytes(hi.baseAddress, hi.count, $0.baseAddress, $0.count) }
        if c2 > 0 { bMax = Array(hi) }
    }

    mutating func mergeDecimal(_ v: UnsafeRawBufferPointer) {
        if !has { has = true; bMin = Array(v); bMax = Array(v); return }
        if bMin.withUnsafeBytes({ compareSignedBigEndian(v, $0) }) < 0 { bMin = Array(v) }
        if bMax.withUnsafeBytes({ compareSignedBigEndian(v, $0) }) > 0 { bMax = Array(v) }
    }

    /// Folds another accumulator (a finished page) into this one (the chunk).
    mutating func merge(_ o: StatsAccumulator) {
        nullCount += o.nullCount
        nanCount += o.nanCount
        guard o.has else { return }
        switch order {
        case .none: return
        case .boolean, .int32, .int64: mergeInt(o.iMin, o.iMax)
        case .uint32, .uint64: mergeUInt(o.uMin, o.uMax)
        case .float, .double: mergeDouble(o.dMin, o.dMax)
        case .float16:
            if !has { self = StatsAccumulator(copying: o, nulls: nullCount, nans: nanCount); return }
            if o.dMin < dMin || (o.dMin == dMin && o.dMin == 0) { dMin = o.dMin; bMin = o.bMin }
            if o.dMax > dMax || (o.dMax == dMax && o.dMax == 0) { dMax = o.dMax; bMax = o.bMax }
        case .bytes:
            o.bMin.withUnsafeBytes { lo in o.bMax.withUnsafeBytes { hi in mergeBytes(lo, hi) } }
        case .decimalBytes:
            o.bMin.withUnsafeBytes { mergeDecimal($0) }
            o.bMax.withUnsafeBytes { mergeDecimal($0) }
        }
    }

    private init(copying o: StatsAccumulator, nulls: Int64, nans: Int64) {
        self = o
        nullCount = nulls
        nanCount = nans
    }

    // MARK: output

    /// PLAIN bytes of the bounds (nil when there are none), and whether each is exact.
    func bounds(truncateTo limit: Int?, isString: Bool) -> (min: [UInt8], max: [UInt8], minExact: Bool, maxExact: Bool)? {
        guard has else { return nil }
        func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        switch order {
        case .none: return nil
        case .boolean: return ([UInt8(iMin)], [UInt8(iMax)], true, true)
        case .int32: return (le(Int32(iMin)), le(Int32(iMax)), true, true)
        case .int64: return (le(iMin), le(iMax), true, true)
        case .uint32: return (le(UInt32(uMin)), le(UInt32(uMax)), true, true)
        case .uint64: return (le(uMin), le(uMax), true, true)
        case .float:
            let lo: Float = dMin == 0 ? -0.0 : Float(dMin), hi: Float = dMax == 0 ? 0.0 : Float(dMax)
            return (le(lo.bitPattern), le(hi.bitPattern), true, true)
        case .double:
            let lo: Double = dMin == 0 ? -0.0 : dMin, hi: Double = dMax == 0 ? 0.0 : dMax
            return (le(lo.bitPattern), le(hi.bitPattern), true, true)
        case .float16:
            let lo: [UInt8] = dMin == 0 ? [0x00, 0x80] : bMin, hi: [UInt8] = dMax == 0 ? [0x00, 0x00] : bMax
            return (lo, hi, true, true)
        case .decimalBytes:
            return (bMin, bMax, true, true)
        case .bytes:
            guard let limit, limit > 0 else { return (bMin, bMax, true, true) }
            let (lo, loExact) = truncateMin(bMin, limit: limit, isString: isString)
            let (hi, hiExact) = truncateMax(bMax, limit: limit, isString: isString)
            return (lo, hi, loExact, hiExact)
        }
    }
}

/// The longest prefix of `v` of at most `limit` bytes (at a UTF-8 character boundary for strings): a lower bound.
public func truncateMin(_ v: [UInt8], limit: Int, isString: Bool) -> ([UInt8], exact: Bool) {
    guard v.count > limit else { return (v, true) }
    var n = limit
    if isString { while n > 0 && v[n] & 0xC0 == 0x80 { n -= 1 } }
    return (Array(v[0..<n]), false)
}

/// A short upper bound of `v` (at most `limit` bytes): a prefix with its last byte (last character for valid
/// UTF-8 strings) incremented, carrying past 0xFF. When no such bound exists (all 0xFF), `v` itself (exact).
public func truncateMax(_ v: [UInt8], limit: Int, isString: Bool) -> ([UInt8], exact: Bool) {
    guard v.count > limit else { return (v, true) }
    if isString, let s = String(validating: v, as: UTF8.self) {
        var scalars: [Unicode.Scalar] = []
        var bytes = 0
        for u in s.unicodeScalars {
            let w = String(u).utf8.count
            if bytes + w > limit { break }
            scalars.append(u)
            bytes += w
        }
        while let last = scalars.popLast() {
            var next = last.value + 1
            if next == 0xD800 { next = 0xE000 }
            if next <= 0x10FFFF, let u = Unicode.Scalar(next) {
                scalars.append(u)
                var out = [UInt8]()
                for x in scalars { out.append(contentsOf: String(x).utf8) }
                return (out, false)
            }
        }
        return (v, true)
    }
    var p = Array(v[0..<limit])
    while let last = p.last {
        if last < 0xFF {
            p[p.count - 1] = last + 1
            return (p, false)
        }
        p.removeLast()
    }
    return (v, true)
}
