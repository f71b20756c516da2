// Dictionary encoding (Encodings.md "RLE_DICTIONARY = 8"): index decoding, gathers that materialise values from a
// dictionary page, index encoding, and dictionary builders for the writer.

/// The RLE_DICTIONARY / PLAIN_DICTIONARY index stream of a data page (a bit-width byte, then RLE / bit-packed
/// hybrid runs), and the lookup of indices in a decoded dictionary.
public enum DictionaryIndices {
    /// Reads the leading bit-width byte (0…32) and returns a hybrid decoder positioned after it.
    public static func decoder(data: UnsafeRawBufferPointer) throws -> RLEBitPackedHybridDecoder {
        guard let b = data.baseAddress, data.count >= 1 else {
            throw ParquetError.corrupt("dictionary indices: missing bit-width byte")
        }
        let bw = Int(b.load(as: UInt8.self))
        guard bw <= 32 else { throw ParquetError.corrupt("dictionary index bit width \(bw) exceeds 32") }
        return RLEBitPackedHybridDecoder(data: UnsafeRawBufferPointer(start: b + 1, count: data.count - 1), bitWidth: bw)
    }

    /// Decodes exactly `count` indices (bit-width byte + hybrid runs) and appends them to `out`.
    /// Returns the bytes consumed. Fewer than `count` indices → `.corrupt`.
    @discardableResult
    public static func decode(data: UnsafeRawBufferPointer, count: Int, into out: inout [Int32]) throws -> Int {
        guard count >= 0 else { throw ParquetError.corrupt("negative index count \(count)") }
        var dec = try decoder(data: data)
        let got = try out.appendWithPointer(count: count, zero: 0) { p in
            var got = try dec.decodeGeneric(into: p, count: count)
            if got < count && dec.bitWidth == 0 && dec.isExhausted {
                // width 0 means every index is 0; tolerate writers that omit the runs
                (p + got).update(repeating: 0, count: count - got)
                got = count
            }
            return got
        }
        guard got == count else {
            throw ParquetError.corrupt("dictionary indices truncated: expected \(count), found \(got)")
        }
        return 1 + dec.bytesConsumed
    }

    /// Bit width used for indices into a dictionary of `dictionaryCount` entries.
    public static func bitWidth(dictionaryCount: Int) -> Int { bitsRequired(UInt64(max(0, dictionaryCount - 1))) }

    /// Appends the bit-width byte and the hybrid encoding of `indices`.
    public static func encode(_ indices: UnsafeBufferPointer<Int32>, dictionaryCount: Int, into out: inout [UInt8]) {
        let bw = bitWidth(dictionaryCount: dictionaryCount)
        out.append(UInt8(bw))
        RLEBitPackedHybridEncoder.encode(indices, bitWidth: bw, into: &out)
    }

    /// Appends the bit-width byte and the hybrid encoding of `indices` (each below `dictionaryCount`) to `out`.
    public static func encode(_ indices: [Int32], dictionaryCount: Int, into out: inout [UInt8]) {
        indices.withUnsafeBufferPointer { encode($0, dictionaryCount: dictionaryCount, into: &out) }
    }

    @inline(__always)
    static func checkIndices(_ idx: UnsafeBufferPointer<Int32>, _ n: Int) throws {
        // OR of (index >= n) over the whole batch keeps the loop branch-free; find the culprit only on failure
        let limit = UInt32(truncatingIfNeeded: n)
        var bad = false
        for v in idx { bad = bad || UInt32(bitPattern: v) >= limit }
        if bad {
            let i = idx.firstIndex { UInt32(bitPattern: $0) >= limit }!
            throw ParquetError.corrupt("dictionary index \(idx[i]) at position \(i) out of range for a dictionary of \(n) values")
        }
    }

    /// One pass over the indices, in blocks whose worst case (every value as long as the longest dictionary
    /// entry) is reserved up front: copies in 16-byte moves and writes offsets as it goes. Returns false when the
    /// two-pass path (size first, then copy) should run instead (long entries, or a dictionary much larger than
    /// the page, where scanning it for its longest entry would cost more than it saves).
    @inline(__always)
    static func gatherSinglePass(_ idx: UnsafePointer<Int32>, _ n: Int, _ doffs: UnsafePointer<Int>, _ dcount: Int,
                                 _ dictionary: ByteArrayBuffer, _ out: inout ByteArrayBuffer) throws -> Bool {
        guard dcount > 0, dcount <= 4 * n else { return false }
        var maxLen = 0
        for k in 0..<dcount { maxLen = Swift.max(maxLen, doffs[k + 1] - doffs[k]) }
        guard maxLen <= 256 else { return false }
        let dictBytes = dictionary.bytes.count
        guard doffs[0] >= 0, doffs[dcount] <= dictBytes else {
            throw ParquetError.corrupt("dictionary offsets out of range")
        }
        let limit = UInt32(truncatingIfNeeded: dcount)
        let span = Swift.max(16, (maxLen + 15) & ~15)
        let block = 8192
        try dictionary.bytes.withUnsafeBytes { dsrcBuf in
            let dsrc = dsrcBuf.baseAddress ?? UnsafeRawPointer(bitPattern: 16)!
            var first = 0
            while first < n {
                let m = Swift.min(block, n - first)
                let base0 = out.bytes.count
                _ = try out.offsets.appendWithPointer(count: m, zero: 0) { off in
                    _ = try out.bytes.appendWithPointer(count: m * (maxLen + 16), zero: 0) { dstp in
                        let dst = UnsafeMutableRawPointer(dstp)
                        var o = 0
                        for j in 0..<m {
                            let u = UInt32(bitPattern: idx[first + j])
                            guard u < limit else {
                                throw ParquetError.corrupt(
                                    "dictionary index \(idx[first + j]) out of range (dictionary has \(dcount) entries)")
                            }
                            let k = Int(u)
                            let s = doffs[k], len = doffs[k + 1] - s
                            if s + span <= dictBytes {
                                // The same number of 16-byte chunks for every value (predictable); the copy may
                                // run up to 15 bytes past the value (inside the dictionary and the block's slack),
                                // which the next value overwrites.
                                var c = 0
                                while c < span {
                                    let a = (dsrc + s + c).loadUnaligned(as: SIMD16<UInt8>.self)
                                    (dst + o + c).storeBytes(of: a, as: SIMD16<UInt8>.self)
                                    c &+= 16
                                }
                            } else if len > 0 {
                                (dst + o).copyMemory(from: dsrc + s, byteCount: len)
                            }
                            o += len
                            off[j] = base0 + o
                        }
                        return o
                    }
                    return m
                }
                first += m
            }
        }
        return true
    }

    /// Appends `dictionary[i]` for each index. Index outside the dictionary → `.corrupt`.
    public static func gather(indices: UnsafeBufferPointer<Int32>, dictionary: ByteArrayBuffer,
                              into out: inout ByteArrayBuffer) throws {
        let n = indices.count
        if n == 0 { return }
        let dcount = dictionary.count
        if dcount == 0 { try checkIndices(indices, 0) }
        let idx = indices.baseAddress!
        try dictionary.offsets.withUnsafeBufferPointer { dOffs in
            let doffs = dOffs.baseAddress!
            if try gatherSinglePass(idx, n, doffs, dcount, dictionary, &out) { return }
            // one pass: validate (branch-free, clamped loads) and size the output
            var total = 0
            var bad = false
            let limit = UInt32(truncatingIfNeeded: dcount)
            for i in 0..<n {
                let u = UInt32(bitPattern: idx[i])
                bad = bad || u >= limit
                let k = Int(Swift.min(u, limit - 1))
                total += doffs[k + 1] - doffs[k]
            }
            if bad { try checkIndices(indices, dcount) }
            let dictBytes = dictionary.bytes.count
            let base0 = out.bytes.count
            try dictionary.bytes.withUnsafeBytes { dsrcBuf in
                let dsrc = dsrcBuf.baseAddress ?? UnsafeRawPointer(bitPattern: 16)!
                _ = try out.offsets.appendWithPointer(count: n, zero: 0) { off in
                    // 32 bytes of slack let short values be copied with one or two 16-byte moves
                    _ = try out.bytes.appendWithPointer(count: total + 32, zero: 0) { dstp in
                        let dst = UnsafeMutableRawPointer(dstp)
                        var o = 0
                        for i in 0..<n {
                            let k = Int(idx[i])
                            let s = doffs[k], len = doffs[k + 1] - s
                            if len <= 16 && s + 16 <= dictBytes {
                                let a = (dsrc + s).loadUnaligned(as: SIMD16<UInt8>.self)
                                (dst + o).storeBytes(of: a, as: SIMD16<UInt8>.self)
                            } else if len <= 32 && s + 32 <= dictBytes {
                                let a = (dsrc + s).loadUnaligned(as: SIMD16<UInt8>.self)
                                let b = (dsrc + s + 16).loadUnaligned(as: SIMD16<UInt8>.self)
                                (dst + o).storeBytes(of: a, as: SIMD16<UInt8>.self)
                                (dst + o + 16).storeBytes(of: b, as: SIMD16<UInt8>.self)
                            } else if len > 0 {
                                guard s >= 0, s + len <= dictBytes else {
                                    throw ParquetError.corrupt("dictionary offsets out of range")
                                }
                                (dst + o).copyMemory(from: dsrc + s, byteCount: len)
                            }
                            o += len
                            off[i] = base0 + o
                        }
                        return total
                    }
                    return n
                }
            }
        }
    }

    /// Appends `dictionary[i]` for each index to `out`.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when an index is negative or not below the dictionary's count.
    public static func gather(indices: [Int32], dictionary: ByteArrayBuffer, into out: inout ByteArrayBuffer) throws {
        try indices.withUnsafeBufferPointer { try gather(indices: $0, dictionary: dictionary, into: &out) }
    }

    /// Fixed-width gather (INT32, INT64, FLOAT, DOUBLE, INT96…): appends `dictionary[i]` for each index.
    @_specialize(where T == Int32)
    @_specialize(where T == Int64)
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    @_specialize(where T == Int96)
    public static func gather<T>(indices: UnsafeBufferPointer<Int32>, dictionary: UnsafeBufferPointer<T>,
                                 into out: inout [T]) throws {
        let n = indices.count
        if n == 0 { return }
        try checkIndices(indices, dictionary.count)
        let d = dictionary.baseAddress!
        let idx = indices.baseAddress!
        // indices checked above: the copy loop has no bounds checks
        out.appendExactly(count: n) { dst in
            for i in 0..<n { (dst + i).initialize(to: d[Int(idx[i])]) }
        }
    }

    /// Appends `dictionary[i]` for each index to `out` (fixed-width values).
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when an index is negative or not below the dictionary's count.
    @_specialize(where T == Int32)
    @_specialize(where T == Int64)
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    @_specialize(where T == Int96)
    public static func gather<T>(indices: [Int32], dictionary: [T], into out: inout [T]) throws {
        try indices.withUnsafeBufferPointer { i in
            try dictionary.withUnsafeBufferPointer { d in try gather(indices: i, dictionary: d, into: &out) }
        }
    }

    /// Writes `dictionary[indices[i]]` to `out[i]` (caller provides room for `indices.count` values).
    @_specialize(where T == Int32)
    @_specialize(where T == Int64)
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    @_specialize(where T == Int96)
    public static func gather<T>(indices: UnsafeBufferPointer<Int32>, dictionary: UnsafeBufferPointer<T>,
                                 writingTo out: UnsafeMutablePointer<T>) throws {
        let n = indices.count
        if n == 0 { return }
        try checkIndices(indices, dictionary.count)
        let d = dictionary.baseAddress!
        let idx = indices.baseAddress!
        for i in 0..<n { (out + i).initialize(to: d[Int(idx[i])]) }
    }

    /// FIXED_LEN_BYTE_ARRAY gather: `out.width` must equal `dictionary.width`.
    public static func gather(indices: UnsafeBufferPointer<Int32>, dictionary: FixedBuffer,
                              into out: inout FixedBuffer) throws {
        let n = indices.count
        if n == 0 { return }
        let w = dictionary.width
        guard w > 0, out.width == w else {
            throw ParquetError.invalidArgument("FIXED_LEN_BYTE_ARRAY gather: width \(out.width) vs dictionary width \(w)")
        }
        try checkIndices(indices, dictionary.count)
        let idx = indices.baseAddress!
        dictionary.bytes.withUnsafeBytes { src in
            let s = src.baseAddress!
            _ = out.bytes.appendWithPointer(count: n * w, zero: 0) { dstp in
                let dst = UnsafeMutableRawPointer(dstp)
                switch w {
                case 2:
                    for i in 0..<n {
                        (dst + 2 * i).storeBytes(of: (s + 2 * Int(idx[i])).loadUnaligned(as: UInt16.self), as: UInt16.self)
                    }
                case 4:
                    for i in 0..<n {
                        (dst + 4 * i).storeBytes(of: (s + 4 * Int(idx[i])).loadUnaligned(as: UInt32.self), as: UInt32.self)
                    }
                case 8:
                    for i in 0..<n {
                        (dst + 8 * i).storeBytes(of: (s + 8 * Int(idx[i])).loadUnaligned(as: UInt64.self), as: UInt64.self)
                    }
                default:
                    for i in 0..<n { (dst + w * i).copyMemory(from: s + w * Int(idx[i]), byteCount: w) }
                }
                return n * w
            }
        }
    }
}

// MARK: - Builders

/// Fast non-cryptographic hash of a byte string (wyhash-style multiply-fold).
@inline(__always)
func hashBytes(_ p: UnsafeRawPointer, _ n: Int) -> UInt64 {
    @inline(__always) func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let r = a.multipliedFullWidth(by: b)
        return r.high ^ r.low
    }
    let k0: UInt64 = 0xa076_1d64_78bd_642f, k1: UInt64 = 0xe703_7ed1_a0b4_28db, k2: UInt64 = 0x8ebc_6af0_9c88_c6e3
    var h = k0 ^ UInt64(truncatingIfNeeded: n)
    var a: UInt64 = 0, b: UInt64 = 0
    if n <= 16 {
        if n >= 8 {
            a = loadLE64(p, 0); b = loadLE64(p, n - 8)
        } else if n >= 4 {
            a = UInt64(loadLE32(p, 0)); b = UInt64(loadLE32(p, n - 4))
        } else if n > 0 {
            a = UInt64(p.load(as: UInt8.self)) << 16 | UInt64(p.load(fromByteOffset: n >> 1, as: UInt8.self)) << 8
                | UInt64(p.load(fromByteOffset: n - 1, as: UInt8.self))
        }
    } else {
        var i = 0
        while i + 16 < n {
            h = mix(loadLE64(p, i) ^ k1, loadLE64(p, i + 8) ^ h)
            i += 16
        }
        a = loadLE64(p, n - 16); b = loadLE64(p, n - 8)
    }
    return mix(k1 ^ UInt64(truncatingIfNeeded: n), mix(a ^ k1, b ^ h ^ k2))
}

/// Builds a dictionary of byte strings (BYTE_ARRAY, or FIXED_LEN_BYTE_ARRAY / INT96 when `fixedWidth` is set),
/// keeping insertion order. Use `plainEncodedSize` to decide when to fall back to PLAIN.
/// Open addressing with linear probing; a slot holds the upper 32 bits of the value's hash and its id + 1, so a
/// probe only touches the stored bytes when the hash matches.
public struct ByteArrayDictionaryBuilder {
    /// Distinct values in insertion order; index `i` is dictionary id `i`.
    public private(set) var values = ByteArrayBuffer()
    /// Value width for FIXED_LEN_BYTE_ARRAY dictionaries (PLAIN without length prefixes), nil for BYTE_ARRAY.
    public let fixedWidth: Int?
    private var hashes: [UInt64] = []
    private var slots: [UInt64]  // hash tag (upper 32 bits) | entry index + 1 (lower 32 bits), 0 = empty
    private var mask: Int

    /// An empty dictionary; `fixedWidth` for FIXED_LEN_BYTE_ARRAY / INT96 values, `expectedCount` sizes the hash table
    /// (it grows as needed).
    public init(fixedWidth: Int? = nil, expectedCount: Int = 1024) {
        self.fixedWidth = fixedWidth
        var cap = 64
        while cap < max(1, expectedCount) * 2 { cap <<= 1 }
        slots = [UInt64](repeating: 0, count: cap)
        mask = cap - 1
    }

    /// Number of distinct values.
    public var count: Int { values.count }

    /// Size of the dictionary page payload in PLAIN encoding.
    public var plainEncodedSize: Int { values.bytes.count + (fixedWidth == nil ? 4 * values.count : 0) }

    /// Returns the id of `value`, inserting it if new.
    public mutating func id(of value: UnsafeRawBufferPointer) -> Int32 {
        let p = value.baseAddress ?? UnsafeRawPointer(bitPattern: 16)!
        let n = value.count
        let h = hashBytes(p, n)
        let (found, slot) = find(p, n, h)
        if found >= 0 { return Int32(found) }
        return add(p, n, h, slot)
    }

    /// Looks `p[0..<n]` (hash `h`) up: its id, or -1 and the empty slot where it belongs.
    @inline(__always)
    private func find(_ p: UnsafeRawPointer, _ n: Int, _ h: UInt64) -> (Int, Int) {
        slots.withUnsafeBufferPointer { sl in
            values.offsets.withUnsafeBufferPointer { vo in
                values.bytes.withUnsafeBytes { vb in
                    Self.probe(sl.baseAddress!, mask, vo.baseAddress!, vb.baseAddress, p, n, h)
                }
            }
        }
    }

    @inline(__always)
    private static func probe(_ sl: UnsafePointer<UInt64>, _ mask: Int, _ vo: UnsafePointer<Int>, _ vb: UnsafeRawPointer?,
                              _ p: UnsafeRawPointer, _ n: Int, _ h: UInt64) -> (Int, Int) {
        let tag = h & 0xFFFF_FFFF_0000_0000
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = sl[s]
            if e == 0 { return (-1, s) }
            if e & 0xFFFF_FFFF_0000_0000 == tag {
                let k = Int(truncatingIfNeeded: e & 0xFFFF_FFFF) - 1
                let o = vo[k]
                if vo[k + 1] - o == n && (n == 0 || memcmpEqual(vb! + o, p, n)) { return (k, s) }
            }
            s = (s + 1) & mask
        }
    }

    /// Appends a new value whose empty slot is `slot`; returns its id.
    private mutating func add(_ p: UnsafeRawPointer, _ n: Int, _ h: UInt64, _ slot: Int) -> Int32 {
        let id = values.count
        values.append(UnsafeRawBufferPointer(start: p, count: n))
        hashes.append(h)
        slots[slot] = (h & 0xFFFF_FFFF_0000_0000) | UInt64(id + 1)
        if values.count * 2 > slots.count { grow() }
        return Int32(id)
    }

    /// Inserts the values at `offsets[i]..<offsets[i+1]` of `base` for `i` in `r` (fixed `width` when > 0) and
    /// appends their ids to `ids`. Lookups run over raw pointers; the buffers are taken again after each insert.
    @inline(__always)
    private mutating func insert(base: UnsafeRawPointer, offsets: UnsafePointer<Int>?, width: Int, _ r: Range<Int>,
                                 ids: inout [Int32]) {
        let n = r.count
        if n == 0 { return }
        ids.appendExactly(count: n) { out in
            var i = r.lowerBound
            while i < r.upperBound {
                // look values up until one is missing
                var miss = (index: r.upperBound, hash: UInt64(0), slot: 0)
                slots.withUnsafeBufferPointer { sl in
                    values.offsets.withUnsafeBufferPointer { vo in
                        values.bytes.withUnsafeBytes { vb in
                            let slp = sl.baseAddress!, vop = vo.baseAddress!, vbp = vb.baseAddress
                            var j = i
                            while j < r.upperBound {
                                let o = offsets.map { $0[j] } ?? j * width
                                let len = offsets.map { $0[j + 1] - $0[j] } ?? width
                                let h = hashBytes(base + o, len)
                                let (k, s) = Self.probe(slp, mask, vop, vbp, base + o, len, h)
                                if k < 0 {
                                    miss = (j, h, s)
                                    return
                                }
                                out[j - r.lowerBound] = Int32(truncatingIfNeeded: k)
                                j += 1
                            }
                        }
                    }
                }
                let j = miss.index
                if j == r.upperBound { break }
                let o = offsets.map { $0[j] } ?? j * width
                let len = offsets.map { $0[j + 1] - $0[j] } ?? width
                out[j - r.lowerBound] = add(base + o, len, miss.hash, miss.slot)
                i = j + 1
            }
        }
    }

    /// Inserts `source[range]` (default all) and appends their ids to `ids`.
    public mutating func insert(contentsOf source: ByteArrayBuffer, range: Range<Int>? = nil, ids: inout [Int32]) {
        let r = range ?? 0..<source.count
        if r.isEmpty { return }
        source.bytes.withUnsafeBytes { b in
            source.offsets.withUnsafeBufferPointer { so in
                insert(base: b.baseAddress ?? UnsafeRawPointer(bitPattern: 16)!, offsets: so.baseAddress!, width: 0, r,
                       ids: &ids)
            }
        }
    }

    /// Inserts fixed-width values `source[range]` and appends their ids to `ids`.
    public mutating func insert(contentsOf source: FixedBuffer, range: Range<Int>? = nil, ids: inout [Int32]) {
        let r = range ?? 0..<source.count
        let w = source.width
        if r.isEmpty { return }
        source.bytes.withUnsafeBytes { b in
            guard let base = b.baseAddress else { return }
            insert(base: base, offsets: nil, width: w, r, ids: &ids)
        }
    }

    /// Appends the dictionary page payload (PLAIN) to `out`.
    public func encodePlain(into out: inout [UInt8]) {
        if fixedWidth != nil {
            out.append(contentsOf: values.bytes)
        } else {
            Plain.encodeByteArray(values, into: &out)
        }
    }

    /// Empties the dictionary for the next column chunk, keeping capacity.
    public mutating func removeAll() {
        values.removeAll()
        hashes.removeAll(keepingCapacity: true)
        for i in slots.indices { slots[i] = 0 }
    }

    private mutating func grow() {
        let cap = slots.count * 2
        slots = [UInt64](repeating: 0, count: cap)
        mask = cap - 1
        let m = mask
        slots.withUnsafeMutableBufferPointer { sl in
            hashes.withUnsafeBufferPointer { hs in
                for k in 0..<hs.count {
                    let h = hs[k]
                    var s = Int(truncatingIfNeeded: h) & m
                    while sl[s] != 0 { s = (s + 1) & m }
                    sl[s] = (h & 0xFFFF_FFFF_0000_0000) | UInt64(k + 1)
                }
            }
        }
    }
}

@inline(__always)
func memcmpEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
    if n >= 8 {
        var i = 0
        while i + 8 <= n {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
                return false
            }
            i += 8
        }
        // the last (overlapping) word covers the tail
        return i == n
            || a.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
    }
    if n >= 4 {
        return a.loadUnaligned(as: UInt32.self) == b.loadUnaligned(as: UInt32.self)
            && a.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self) == b.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
    }
    var i = 0
    while i < n {
        if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
        i += 1
    }
    return true
}

/// Builds a dictionary of fixed-width values keyed by bit pattern (pass `Float.bitPattern` / `Double.bitPattern`
/// so that -0.0 and NaN payloads stay distinct), keeping insertion order. Open addressing with linear probing
/// over slots that hold the value itself next to its id + 1 (one memory access per probe).
public struct FixedWidthDictionaryBuilder<T: FixedWidthInteger> {
    /// Distinct values in insertion order; index `i` is dictionary id `i`.
    public private(set) var values: [T] = []
    private var keys: [T]
    private var ids: [Int32]  // entry index + 1, 0 = empty
    private var mask: Int

    /// An empty dictionary sized for about `expectedCount` values (it grows as needed).
    public init(expectedCount: Int = 1024) {
        var cap = 64
        while cap < max(1, expectedCount) * 2 { cap <<= 1 }
        keys = [T](repeating: 0, count: cap)
        ids = [Int32](repeating: 0, count: cap)
        mask = cap - 1
    }

    /// Number of distinct values.
    public var count: Int { values.count }
    /// Size of the dictionary page payload in PLAIN encoding, in bytes.
    public var plainEncodedSize: Int { values.count * MemoryLayout<T>.size }

    @inline(__always)
    static func hash(_ v: T) -> Int {
        let x = UInt64(truncatingIfNeeded: v) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: x ^ (x >> 29))
    }

    /// The id of `v`, inserting it if new (amortized O(1)).
    public mutating func id(of v: T) -> Int32 {
        var r: Int32 = 0
        withUnsafePointer(to: v) { vp in
            withUnsafeMutablePointer(to: &r) { insert(contentsOf: UnsafeBufferPointer(start: vp, count: 1), into: $0) }
        }
        return r
    }

    /// Writes the ids of `source` (inserting new values) to `out`.
    @inline(__always)
    private mutating func insert(contentsOf source: UnsafeBufferPointer<T>, into out: UnsafeMutablePointer<Int32>) {
        var i = 0
        let n = source.count
        while i < n {
            // look values up until one is missing
            var miss = (index: n, slot: 0)
            let m = mask
            keys.withUnsafeBufferPointer { kb in
                ids.withUnsafeBufferPointer { ib in
                    let kp = kb.baseAddress!, ip = ib.baseAddress!
                    var j = i
                    while j < n {
                        let v = source[j]
                        var s = Self.hash(v) & m
                        while true {
                            let e = ip[s]
                            if e == 0 {
                                miss = (j, s)
                                return
                            }
                            if kp[s] == v {
                                out[j] = e - 1
                                break
                            }
                            s = (s + 1) & m
                        }
                        j += 1
                    }
                }
            }
            let j = miss.index
            if j == n { break }
            let v = source[j]
            let id = values.count
            values.append(v)
            keys[miss.slot] = v
            ids[miss.slot] = Int32(id + 1)
            if values.count * 2 > keys.count { grow() }
            out[j] = Int32(id)
            i = j + 1
        }
    }

    /// Appends the ids of `source` (inserting new values) to `out`.
    public mutating func insert(contentsOf source: UnsafeBufferPointer<T>, ids out: inout [Int32]) {
        if source.isEmpty { return }
        out.appendExactly(count: source.count) { insert(contentsOf: source, into: $0) }
    }

    /// Appends the ids of `source` (inserting new values) to `ids`.
    public mutating func insert(contentsOf source: [T], ids: inout [Int32]) {
        source.withUnsafeBufferPointer { insert(contentsOf: $0, ids: &ids) }
    }

    /// Appends the dictionary page payload (PLAIN, little-endian) to `out`.
    public func encodePlain(into out: inout [UInt8]) {
        values.withUnsafeBufferPointer { v in
            _ = out.appendWithPointer(count: v.count * MemoryLayout<T>.size, zero: 0) { dst in
                let raw = UnsafeMutableRawPointer(dst)
                for k in 0..<v.count {
                    raw.storeBytes(of: v[k].littleEndian, toByteOffset: k * MemoryLayout<T>.size, as: T.self)
                }
                return v.count * MemoryLayout<T>.size
            }
        }
    }

    /// Empties the dictionary for the next column chunk, keeping capacity.
    public mutating func removeAll() {
        values.removeAll(keepingCapacity: true)
        for i in ids.indices { ids[i] = 0 }
    }

    private mutating func grow() {
        let cap = keys.count * 2
        keys = [T](repeating: 0, count: cap)
        ids = [Int32](repeating: 0, count: cap)
        mask = cap - 1
        let m = mask
        keys.withUnsafeMutableBufferPointer { kb in
            ids.withUnsafeMutableBufferPointer { ib in
                values.withUnsafeBufferPointer { vb in
                    for k in 0..<vb.count {
                        let v = vb[k]
                        var s = Self.hash(v) & m
                        while ib[s] != 0 { s = (s + 1) & m }
                        kb[s] = v
                        ib[s] = Int32(k + 1)
                    }
                }
            }
        }
    }
}
