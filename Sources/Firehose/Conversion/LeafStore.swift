// Raw growable storage of one leaf column while records are converted: definition (and repetition) levels,
// fixed-width values or byte-array values (ends + bytes). Appends are a capacity check and a store — no
// copy-on-write checks, no retain/release — and the buffers are kept between batches. `ColumnBuilders` turns
// them into `ColumnData` (one copy per buffer) when a batch is delivered.

import Parquet

struct LeafStore {
    /// Bytes per value in `data` (the Swift stride: booleans 1, Int96 16; FIXED_LEN_BYTE_ARRAY its length;
    /// byte arrays 0).
    let width: Int
    let hasRep: Bool
    private(set) var defs: UnsafeMutablePointer<Int16>
    private(set) var reps: UnsafeMutablePointer<Int16>
    private var levelCapacity: Int
    private(set) var levelCount = 0
    /// Fixed-width values, or the bytes of byte-array values.
    private(set) var data: UnsafeMutableRawPointer
    private var dataCapacity: Int
    private(set) var dataCount = 0
    /// Byte arrays: value `i` ends at `ends[i]` (starts at `ends[i - 1]`, or 0).
    private(set) var ends: UnsafeMutablePointer<Int>
    private var endsCapacity: Int
    private(set) var valueCount = 0

    /// `capacity`: levels (and byte-array values) the buffers hold before they grow; 4 bytes of data each.
    init(width: Int, hasRep: Bool, capacity: Int = 1024) {
        self.width = width
        self.hasRep = hasRep
        levelCapacity = capacity
        defs = .allocate(capacity: levelCapacity)
        reps = .allocate(capacity: hasRep ? levelCapacity : 1)
        dataCapacity = capacity * 4
        data = .allocate(byteCount: dataCapacity, alignment: 16)
        endsCapacity = width == 0 ? capacity : 1
        ends = .allocate(capacity: endsCapacity)
    }

    func free() {
        defs.deallocate()
        reps.deallocate()
        data.deallocate()
        ends.deallocate()
    }

    // MARK: appending

    @inline(__always)
    mutating func level(_ d: Int16, _ r: Int16) {
        if levelCount == levelCapacity { growLevels() }
        defs[levelCount] = d
        if hasRep { reps[levelCount] = r }
        levelCount &+= 1
    }

    @inline(__always)
    mutating func append<T: BitwiseCopyable>(_ v: T) {
        let n = MemoryLayout<T>.stride
        if dataCount &+ n > dataCapacity { growData(dataCount &+ n) }
        (data + dataCount).storeBytes(of: v, as: T.self)
        dataCount &+= n
        valueCount &+= 1
    }

    @inline(__always)
    mutating func appendBytes(_ p: UnsafeRawBufferPointer) {
        let n = p.count
        if dataCount &+ n > dataCapacity { growData(dataCount &+ n) }
        if valueCount == endsCapacity { growEnds() }
        if n > 0 {
            if n <= 16 {
                // short values: byte moves instead of a memcpy call
                var k = 0
                while k < n {
                    (data + (dataCount &+ k)).storeBytes(of: p.load(fromByteOffset: k, as: UInt8.self), as: UInt8.self)
                    k &+= 1
                }
            } else {
                (data + dataCount).copyMemory(from: p.baseAddress!, byteCount: n)
            }
        }
        dataCount &+= n
        ends[valueCount] = dataCount
        valueCount &+= 1
    }

    /// An INT96 value, laid out as Swift lays out `Int96` (`width` is its stride).
    mutating func append(_ v: Int96) {
        if dataCount + width > dataCapacity { growData(dataCount + width) }
        let p = data + dataCount
        p.initializeMemory(as: UInt8.self, repeating: 0, count: width)
        p.storeBytes(of: v.nanosOfDay, toByteOffset: MemoryLayout<Int96>.offset(of: \.nanosOfDay)!, as: UInt64.self)
        p.storeBytes(of: v.julianDay, toByteOffset: MemoryLayout<Int96>.offset(of: \.julianDay)!, as: UInt32.self)
        dataCount += width
        valueCount += 1
    }

    mutating func appendBytes(_ a: [UInt8]) {
        a.withUnsafeBytes { appendBytes($0) }
    }

    /// Appends one value of `width` bytes copied from `p` (a row moved between builders: RowPartitioning.swift).
    mutating func appendRaw(_ p: UnsafeRawPointer, count n: Int) {
        if dataCount &+ n > dataCapacity { growData(dataCount &+ n) }
        (data + dataCount).copyMemory(from: p, byteCount: n)
        dataCount &+= n
        valueCount &+= 1
    }

    /// Appends the raw bytes of a fixed-width value (FIXED_LEN_BYTE_ARRAY).
    mutating func appendFixed(_ a: [UInt8]) {
        a.withUnsafeBytes { p in
            if dataCount + p.count > dataCapacity { growData(dataCount + p.count) }
            if p.count > 0 { (data + dataCount).copyMemory(from: p.baseAddress!, byteCount: p.count) }
            dataCount += p.count
        }
        valueCount += 1
    }

    @inline(never)
    private mutating func growLevels() {
        var c = levelCapacity
        defs = moved(defs, count: levelCount, capacity: &c, minimum: c + 1)
        if hasRep {
            c = levelCapacity
            reps = moved(reps, count: levelCount, capacity: &c, minimum: c + 1)
        }
        levelCapacity = c
    }

    @inline(never)
    private mutating func growData(_ need: Int) {
        data = movedBytes(data, count: dataCount, capacity: &dataCapacity, minimum: need)
    }

    @inline(never)
    private mutating func growEnds() {
        ends = moved(ends, count: valueCount, capacity: &endsCapacity, minimum: endsCapacity + 1)
    }

    // MARK: batches

    mutating func removeAll() {
        levelCount = 0
        dataCount = 0
        valueCount = 0
    }

    /// Drops the levels from `levelMark` on, and the values among them (those at `maxDef`).
    mutating func truncate(toLevel levelMark: Int, maxDef: Int16) {
        guard levelMark < levelCount else { return }
        var drop = 0
        for k in levelMark..<levelCount where defs[k] == maxDef { drop += 1 }
        levelCount = levelMark
        let keep = valueCount - drop
        if width == 0 {
            dataCount = keep == 0 ? 0 : ends[keep - 1]
        } else {
            dataCount -= drop * width
        }
        valueCount = keep
    }

    /// Approximate bytes held.
    var bufferedBytes: Int { levelCount * (hasRep ? 4 : 2) + dataCount + (width == 0 ? valueCount * 8 : 0) }

    /// Copies the batch into `c` (the writer's `ColumnData`), reusing its arrays' storage.
    func fill(_ c: inout ColumnData) {
        c.levelCount = levelCount
        c.definitionLevels.removeAll(keepingCapacity: true)
        c.definitionLevels.append(contentsOf: UnsafeBufferPointer(start: defs, count: levelCount))
        c.repetitionLevels.removeAll(keepingCapacity: true)
        if hasRep { c.repetitionLevels.append(contentsOf: UnsafeBufferPointer(start: reps, count: levelCount)) }
        func refill<T>(_ a: inout [T], _: T.Type) {
            a.removeAll(keepingCapacity: true)
            a.append(contentsOf: UnsafeBufferPointer(start: data.assumingMemoryBound(to: T.self), count: valueCount))
        }
        switch c.descriptor.physicalType {
        case .boolean: refill(&c.values.booleans, Bool.self)
        case .int32: refill(&c.values.int32s, Int32.self)
        case .int64: refill(&c.values.int64s, Int64.self)
        case .int96: refill(&c.values.int96s, Int96.self)
        case .float: refill(&c.values.floats, Float.self)
        case .double: refill(&c.values.doubles, Double.self)
        case .byteArray:
            c.values.byteArrays.offsets.removeAll(keepingCapacity: true)
            c.values.byteArrays.offsets.append(0)
            c.values.byteArrays.offsets.append(contentsOf: UnsafeBufferPointer(start: ends, count: valueCount))
            c.values.byteArrays.bytes.removeAll(keepingCapacity: true)
            c.values.byteArrays.bytes.append(contentsOf: UnsafeRawBufferPointer(start: data, count: dataCount))
        case .fixedLenByteArray:
            c.values.fixed.bytes.removeAll(keepingCapacity: true)
            c.values.fixed.bytes.append(contentsOf: UnsafeRawBufferPointer(start: data, count: dataCount))
        case .unknown: break
        }
    }
}

/// `p` moved to a new allocation of at least `minimum` elements (and at least twice `capacity`), keeping its first
/// `count`; `capacity` is updated.
func moved<T>(_ p: UnsafeMutablePointer<T>, count: Int, capacity: inout Int, minimum: Int) -> UnsafeMutablePointer<T> {
    let c = max(minimum, capacity * 2)
    let q = UnsafeMutablePointer<T>.allocate(capacity: c)
    q.moveInitialize(from: p, count: count)
    p.deallocate()
    capacity = c
    return q
}

/// The same for raw bytes (16-byte aligned).
func movedBytes(_ p: UnsafeMutableRawPointer, count: Int, capacity: inout Int, minimum: Int) -> UnsafeMutableRawPointer {
    let c = max(minimum, capacity * 2)
    let q = UnsafeMutableRawPointer.allocate(byteCount: c, alignment: 16)
    q.copyMemory(from: p, byteCount: count)
    p.deallocate()
    capacity = c
    return q
}
