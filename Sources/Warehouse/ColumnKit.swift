// Columnar helpers of `aggregate` and `merge`: key bytes, an open-addressing hash table over them, per-row access
// to flat columns, gathering and concatenating `ColumnData`, and Hive types of Parquet schema nodes.
//
// Key bytes of a row: per key column a tag byte (0 = null, 1 = value) and, for a value, its bytes in a
// normalized form — integers (INT32, INT64, BOOLEAN) as 8-byte little-endian Int64 (so an INT32 key matches the
// same INT64 key), FLOAT/DOUBLE as the 8 bytes of the Double (-0.0 as 0.0, one NaN), INT96 as its 12 bytes,
// BYTE_ARRAY as a 4-byte length then the bytes, FIXED_LEN_BYTE_ARRAY as its bytes. Nulls are equal to nulls.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Firehose
import Parquet

// MARK: - Hashing and the hash table

@inline(__always)
func mix64(_ x: UInt64) -> UInt64 {
    var z = x
    z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
    z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
    return z ^ (z >> 31)
}

@inline(__always)
func hashBytes(_ base: UnsafeRawPointer, _ n: Int) -> UInt64 {
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: n)
    var i = 0
    while i + 8 <= n {
        let v = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        h = (h ^ v) &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 29
        i += 8
    }
    if i < n {
        var v: UInt64 = 0
        var s: UInt64 = 0
        while i < n {
            v |= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) << s
            s += 8
            i += 1
        }
        h = (h ^ v) &* 0xc4ce_b9fe_1a85_ec53
    }
    return mix64(h)
}

/// Byte strings → dense ids 0, 1, 2, … (open addressing, linear probing; slots hold a hash tag and id + 1).
struct ByteKeyTable {
    private(set) var arena: [UInt8] = []
    /// Key `i` is `arena[starts[i] ..< starts[i + 1]]`.
    private(set) var starts: [Int] = [0]
    private var slots: [UInt64]
    private var mask: Int

    init(capacity: Int = 16) {
        var c = 16
        while c < capacity * 2 { c <<= 1 }
        slots = [UInt64](repeating: 0, count: c)
        mask = c - 1
    }

    var count: Int { starts.count - 1 }

    func key(_ id: Int) -> ArraySlice<UInt8> { arena[starts[id]..<starts[id + 1]] }

    @inline(__always)
    private func equal(_ id: Int, _ p: UnsafeRawPointer, _ n: Int) -> Bool {
        let s = starts[id], e = starts[id + 1]
        guard e - s == n else { return false }
        if n == 0 { return true }
        return arena.withUnsafeBytes { a in memcmp(a.baseAddress! + s, p, n) == 0 }
    }

    /// The id of a key, or -1.
    func find(_ p: UnsafeRawPointer, _ n: Int, hash: UInt64) -> Int {
        let tag = hash >> 32
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let s = slots[i]
            if s == 0 { return -1 }
            if s >> 32 == tag {
                let id = Int(s & 0xFFFF_FFFF) - 1
                if equal(id, p, n) { return id }
            }
            i = (i + 1) & mask
        }
    }

    /// The id of a key, inserting it when new.
    mutating func findOrInsert(_ p: UnsafeRawPointer, _ n: Int, hash: UInt64) -> (id: Int, inserted: Bool) {
        if count * 2 >= slots.count { grow() }
        let tag = hash >> 32
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let s = slots[i]
            if s == 0 {
                let id = count
                arena.append(contentsOf: UnsafeRawBufferPointer(start: p, count: n))
                starts.append(arena.count)
                slots[i] = tag << 32 | UInt64(id + 1)
                return (id, true)
            }
            if s >> 32 == tag {
                let id = Int(s & 0xFFFF_FFFF) - 1
                if equal(id, p, n) { return (id, false) }
            }
            i = (i + 1) & mask
        }
    }

    mutating func findOrInsert(_ key: [UInt8]) -> (id: Int, inserted: Bool) {
        key.withUnsafeBytes { b in
            let p = b.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
            return findOrInsert(p, b.count, hash: hashBytes(p, b.count))
        }
    }

    private mutating func grow() {
        let c = slots.count * 2
        var fresh = [UInt64](repeating: 0, count: c)
        let m = c - 1
        arena.withUnsafeBytes { a in
            let base = a.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
            for id in 0..<count {
                let h = hashBytes(base + starts[id], starts[id + 1] - starts[id])
                var i = Int(truncatingIfNeeded: h) & m
                while fresh[i] != 0 { i = (i + 1) & m }
                fresh[i] = (h >> 32) << 32 | UInt64(id + 1)
            }
        }
        slots = fresh
        mask = m
    }
}

// MARK: - Flat columns

/// Per row of a column without repetition: the index of its value in the dense values, or -1 for null.
func valueIndexes(_ c: ColumnData) -> [Int32] {
    let n = c.levelCount
    if c.definitionLevels.isEmpty || c.descriptor.maxDefinitionLevel == 0 {
        return (0..<Int32(n)).map { $0 }
    }
    let md = Int16(c.descriptor.maxDefinitionLevel)
    var out = [Int32](repeating: -1, count: n)
    var v: Int32 = 0
    c.definitionLevels.withUnsafeBufferPointer { d in
        out.withUnsafeMutableBufferPointer { o in
            for i in 0..<n where d[i] == md {
                o[i] = v
                v += 1
            }
        }
    }
    return out
}

/// Appends row keys of one column (tag byte + normalized value) to per-row key buffers.
/// `keys` holds one growing byte string per row, laid out as `bytes` with `ends`.
struct RowKeys {
    var bytes: [UInt8] = []
    /// Key of row `i` is `bytes[starts[i] ..< starts[i + 1]]`.
    var starts: [Int] = []

    /// Builds the keys of `rows` rows from the given flat columns (all with `levelCount == rows`).
    init(columns: [ColumnData], rows: Int) {
        if columns.count == 1 {
            let c = columns[0]
            let idx = valueIndexes(c)
            var b: [UInt8] = []
            b.reserveCapacity(rows * (c.values.physicalType == .byteArray ? 16 : 9))
            var s = [Int](repeating: 0, count: rows + 1)
            for r in 0..<rows {
                RowKeys.appendValue(c.values, Int(idx[r]), to: &b)
                s[r + 1] = b.count
            }
            bytes = b
            starts = s
            return
        }
        let idxs = columns.map(valueIndexes)
        var b: [UInt8] = []
        var s = [Int](repeating: 0, count: rows + 1)
        for r in 0..<rows {
            for (k, c) in columns.enumerated() { RowKeys.appendValue(c.values, Int(idxs[k][r]), to: &b) }
            s[r + 1] = b.count
        }
        bytes = b
        starts = s
    }

    @inline(__always)
    static func appendInt(_ v: Int64, to b: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { b.append(contentsOf: $0) }
    }

    /// Appends tag + normalized value `i` (-1: null) of `values`.
    @inline(__always)
    static func appendValue(_ values: ColumnValues, _ i: Int, to b: inout [UInt8]) {
        if i < 0 { b.append(0); return }
        b.append(1)
        switch values.physicalType {
        case .int32: appendInt(Int64(values.int32s[i]), to: &b)
        case .int64: appendInt(values.int64s[i], to: &b)
        case .boolean: appendInt(values.booleans[i] ? 1 : 0, to: &b)
        case .float: appendDouble(Double(values.floats[i]), to: &b)
        case .double: appendDouble(values.doubles[i], to: &b)
        case .int96:
            let v = values.int96s[i]
            withUnsafeBytes(of: v.nanosOfDay.littleEndian) { b.append(contentsOf: $0) }
            withUnsafeBytes(of: v.julianDay.littleEndian) { b.append(contentsOf: $0) }
        case .byteArray:
            let a = values.byteArrays
            let s = a.offsets[i], e = a.offsets[i + 1]
            withUnsafeBytes(of: UInt32(e - s).littleEndian) { b.append(contentsOf: $0) }
            b.append(contentsOf: a.bytes[s..<e])
        case .fixedLenByteArray:
            b.append(contentsOf: values.fixed[i])
        case .unknown:
            break
        }
    }

    @inline(__always)
    static func appendDouble(_ d: Double, to b: inout [UInt8]) {
        var x = d
        if x == 0 { x = 0 }
        if x.isNaN { x = .nan }
        withUnsafeBytes(of: x.bitPattern.littleEndian) { b.append(contentsOf: $0) }
    }

    /// Decodes one normalized key part starting at `pos` into `values` (or reports null); advances `pos`.
    static func decodeValue(_ key: ArraySlice<UInt8>, _ pos: inout Int, into values: inout ColumnValues) -> Bool {
        let tag = key[pos]
        pos += 1
        if tag == 0 { return false }
        func load<T: FixedWidthInteger>(_: T.Type, _ n: Int) -> T {
            var v: T = 0
            for k in 0..<n { v |= T(truncatingIfNeeded: key[pos + k]) << (8 * k) }
            pos += n
            return v
        }
        switch values.physicalType {
        case .int32: values.int32s.append(Int32(truncatingIfNeeded: load(Int64.self, 8)))
        case .int64: values.int64s.append(load(Int64.self, 8))
        case .boolean: values.booleans.append(load(Int64.self, 8) != 0)
        case .float: values.floats.append(Float(Double(bitPattern: load(UInt64.self, 8))))
        case .double: values.doubles.append(Double(bitPattern: load(UInt64.self, 8)))
        case .int96:
            let nanos = load(UInt64.self, 8)
            let day = load(UInt32.self, 4)
            values.int96s.append(Int96(nanosOfDay: nanos, julianDay: day))
        case .byteArray:
            let n = Int(load(UInt32.self, 4))
            values.byteArrays.append(contentsOf: key[pos..<(pos + n)])
            pos += n
        case .fixedLenByteArray:
            let w = values.fixed.width
            values.fixed.bytes.append(contentsOf: key[pos..<(pos + w)])
            pos += w
        case .unknown:
            break
        }
        return true
    }
}

// MARK: - Gathering and concatenating

/// Appends value `i` of `src` to `dst` (same physical type).
@inline(__always)
func appendValue(_ src: ColumnValues, _ i: Int, to dst: inout ColumnValues) {
    switch src.physicalType {
    case .boolean: dst.booleans.append(src.booleans[i])
    case .int32: dst.int32s.append(src.int32s[i])
    case .int64: dst.int64s.append(src.int64s[i])
    case .int96: dst.int96s.append(src.int96s[i])
    case .float: dst.floats.append(src.floats[i])
    case .double: dst.doubles.append(src.doubles[i])
    case .byteArray:
        let a = src.byteArrays
        dst.byteArrays.append(contentsOf: a.bytes[a.offsets[i]..<a.offsets[i + 1]])
    case .fixedLenByteArray: dst.fixed.bytes.append(contentsOf: src.fixed[i])
    case .unknown: break
    }
}

/// Appends values `range` of `src` to `dst` (same physical type).
func appendValues(_ src: ColumnValues, _ range: Range<Int>, to dst: inout ColumnValues) {
    if range.isEmpty { return }
    switch src.physicalType {
    case .boolean: dst.booleans.append(contentsOf: src.booleans[range])
    case .int32: dst.int32s.append(contentsOf: src.int32s[range])
    case .int64: dst.int64s.append(contentsOf: src.int64s[range])
    case .int96: dst.int96s.append(contentsOf: src.int96s[range])
    case .float: dst.floats.append(contentsOf: src.floats[range])
    case .double: dst.doubles.append(contentsOf: src.doubles[range])
    case .byteArray:
        let a = src.byteArrays
        let base = dst.byteArrays.bytes.count - a.offsets[range.lowerBound]
        dst.byteArrays.bytes.append(contentsOf: a.bytes[a.offsets[range.lowerBound]..<a.offsets[range.upperBound]])
        for k in (range.lowerBound + 1)...range.upperBound { dst.byteArrays.offsets.append(a.offsets[k] + base) }
    case .fixedLenByteArray:
        let w = src.fixed.width
        dst.fixed.bytes.append(contentsOf: src.fixed.bytes[(range.lowerBound * w)..<(range.upperBound * w)])
    case .unknown: break
    }
}

/// Row layout of a column: entry range and first value index of each row.
struct RowLayout {
    /// Entry `entryStarts[r] ..< entryStarts[r + 1]` belong to row `r`.
    var entryStarts: [Int]
    /// Values before entry `e`: `valueBefore[e]` (count + 1 long).
    var valueBefore: [Int]

    init(_ c: ColumnData) {
        let n = c.levelCount
        var es: [Int] = []
        if c.descriptor.maxRepetitionLevel == 0 || c.repetitionLevels.isEmpty {
            es = Array(0...n)
        } else {
            es.reserveCapacity(n + 1)
            for e in 0..<n where c.repetitionLevels[e] == 0 { es.append(e) }
            es.append(n)
        }
        entryStarts = es
        var vb = [Int](repeating: 0, count: n + 1)
        if c.definitionLevels.isEmpty || c.descriptor.maxDefinitionLevel == 0 {
            for e in 0...n { vb[e] = e }
        } else {
            let md = Int16(c.descriptor.maxDefinitionLevel)
            var v = 0
            for e in 0..<n {
                vb[e] = v
                if c.definitionLevels[e] == md { v += 1 }
            }
            vb[n] = v
        }
        valueBefore = vb
    }

    var rows: Int { entryStarts.count - 1 }
}

/// Appends the rows `rows` of `src` (with its layout) to `dst` (same descriptor levels).
func appendRows(_ src: ColumnData, layout: RowLayout, rows: [Int], to dst: inout ColumnData) {
    let hasDef = src.descriptor.maxDefinitionLevel > 0
    let hasRep = src.descriptor.maxRepetitionLevel > 0
    for r in rows {
        let e0 = layout.entryStarts[r], e1 = layout.entryStarts[r + 1]
        if hasDef {
            if src.definitionLevels.isEmpty {
                dst.definitionLevels.append(contentsOf: repeatElement(Int16(src.descriptor.maxDefinitionLevel), count: e1 - e0))
            } else {
                dst.definitionLevels.append(contentsOf: src.definitionLevels[e0..<e1])
            }
        }
        if hasRep { dst.repetitionLevels.append(contentsOf: src.repetitionLevels[e0..<e1]) }
        dst.levelCount += e1 - e0
        appendValues(src.values, layout.valueBefore[e0]..<layout.valueBefore[e1], to: &dst.values)
    }
}

/// Appends all of `src` to `dst` (same descriptor levels).
func appendAll(_ src: ColumnData, to dst: inout ColumnData) {
    let n = src.levelCount
    if src.descriptor.maxDefinitionLevel > 0 {
        if src.definitionLevels.isEmpty {
            dst.definitionLevels.append(contentsOf: repeatElement(Int16(src.descriptor.maxDefinitionLevel), count: n))
        } else {
            dst.definitionLevels.append(contentsOf: src.definitionLevels[0..<n])
        }
    }
    if src.descriptor.maxRepetitionLevel > 0 { dst.repetitionLevels.append(contentsOf: src.repetitionLevels[0..<n]) }
    dst.levelCount += n
    appendValues(src.values, 0..<src.values.count, to: &dst.values)
}

// MARK: - Schema helpers

extension Schema {
    /// The leaf index of a dotted path (`user.followers_count`), matching names exactly, then ignoring case.
    func leafIndex(_ dotted: String) -> Int? {
        if let i = columns.firstIndex(where: { $0.dottedPath == dotted }) { return i }
        let l = dotted.lowercased()
        return columns.firstIndex(where: { $0.dottedPath.lowercased() == l })
    }

    /// The schema node of a leaf.
    func leafNode(_ index: Int) -> SchemaNode {
        var node = root
        for name in columns[index].path {
            guard let c = node.children.first(where: { $0.name == name }) else { break }
            node = c
        }
        return node
    }
}

enum HiveTypes {
    /// The Hive type of a Parquet schema node (as Athena / Glue read it).
    static func of(_ node: SchemaNode) -> HiveType {
        if let t = node.physicalType {
            if case .decimal(let s, let p)? = node.logicalType { return .decimal(precision: Int(p), scale: Int(s)) }
            if node.convertedType == .decimal { return .decimal(precision: node.precision, scale: node.scale) }
            switch t {
            case .boolean: return .boolean
            case .int32:
                if node.logicalType == .date || node.convertedType == .date { return .date }
                if case .integer(let bits, _)? = node.logicalType {
                    return bits == 8 ? .tinyint : bits == 16 ? .smallint : .int
                }
                if node.convertedType == .int8 { return .tinyint }
                if node.convertedType == .int16 { return .smallint }
                return .int
            case .int64:
                if case .timestamp? = node.logicalType { return .timestamp }
                if node.convertedType == .timestampMillis || node.convertedType == .timestampMicros { return .timestamp }
                return .bigint
            case .int96: return .timestamp
            case .float: return .float
            case .double: return .double
            case .byteArray:
                if node.logicalType == .string || node.convertedType == .utf8 || node.logicalType == .json
                    || node.logicalType == .enum || node.convertedType == .enumType || node.convertedType == .json
                {
                    return .string
                }
                return .binary
            case .fixedLenByteArray, .unknown: return .binary
            }
        }
        if node.logicalType == .list || node.convertedType == .list,
           let rep = node.children.first, rep.isRepeated
        {
            let element = rep.isLeaf || rep.children.count != 1 ? rep : rep.children[0]
            return .array(of(element))
        }
        if node.logicalType == .map || node.convertedType == .map || node.convertedType == .mapKeyValue,
           let kv = node.children.first, kv.children.count == 2
        {
            return .map(key: of(kv.children[0]), value: of(kv.children[1]))
        }
        return .struct(node.children.map { HiveField(name: $0.name, type: of($0)) })
    }

    static func columns(of schema: Schema) -> [HiveColumn] {
        schema.root.children.map { HiveColumn(name: $0.name, type: of($0)) }
    }
}
