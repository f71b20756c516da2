// Row partitioning by column values (an Iceberg table's partition spec): after a chunk is converted into one set
// of column builders, each row's source values are read back from the builders (exactly the values stored, after
// coercion) and handed to the table's `PartitionRouter`, which names the row's partition by a routing key; the
// rows are then copied, in input order, into one builder set per key, and each set becomes a batch for that
// partition's open file. A chunk whose rows all fall in one partition is not copied.
//
// Memory: at most `maxOpenFiles` files are open at once (a row for another partition closes the file written
// least recently, which joins the next commit as a finished data file), and the open row groups of all files
// together stay under `maxBufferedBytes` of estimated encoded bytes (beyond it the largest is sealed and written
// out). So a run holds at most `maxBufferedBytes` + `maxOpenFiles` × (one column encoder set) besides the chunks
// in flight, whatever the number of partitions.

import Parquet

/// A partition source value of one row, as the converter stored it; `bytes` is valid during the call only.
public enum PartitionSourceValue {
    /// Null or absent.
    case null
    /// A BOOLEAN column.
    case boolean(Bool)
    /// An INT32 column (int, smallint, tinyint, date as days, decimal with precision ≤ 9 unscaled).
    case int32(Int32)
    /// An INT64 column (bigint, timestamp in the file's unit, decimal with precision ≤ 18 unscaled).
    case int64(Int64)
    /// A FLOAT column.
    case float(Float)
    /// A DOUBLE column.
    case double(Double)
    /// A BYTE_ARRAY (string as UTF-8, binary) or FIXED_LEN_BYTE_ARRAY (big-endian two's complement decimal).
    case bytes(UnsafeRawBufferPointer)
}

/// Names the partition of each row (one instance per converting thread: it may keep caches).
public protocol PartitionRouter: AnyObject {
    /// The routing key of a row whose source columns hold `values` (in ``RowPartitioner/sourceColumns`` order).
    /// Equal keys are one partition; a key is never empty.
    func key(_ values: UnsafeBufferPointer<PartitionSourceValue>) -> String
}

/// A table whose rows are split into files by column values (an Iceberg partition spec).
public protocol RowPartitioner: AnyObject, Sendable {
    /// The source columns, as dotted paths of the table's columns (top-level columns or struct fields, not inside
    /// arrays or maps).
    var sourceColumns: [String] { get }
    /// A router for one thread's rows.
    func makeRouter() -> any PartitionRouter
    /// The folder, relative to the table's folder and ending with `/`, the files of a routing key go to.
    func folder(forKey key: String) -> String
    /// Files open at once, at most (≥ 1).
    var maxOpenFiles: Int { get }
    /// Estimated encoded bytes of the open row groups of all files together, at most.
    var maxBufferedBytes: Int { get }
}

/// Errors of a partitioner that does not fit the columns.
public struct PartitioningError: Error, CustomStringConvertible {
    /// What does not fit.
    public var description: String
}

extension RecordLayout {
    /// The leaf index of each source column of `p`.
    ///
    /// - Throws: ``PartitioningError`` when a column is not a leaf of the layout outside arrays and maps.
    public func partitionLeaves(_ p: any RowPartitioner) throws -> [Int] {
        try p.sourceColumns.map { path in
            let lower = path.lowercased()
            guard let n = nodes.first(where: { $0.kind == .leaf && $0.path.lowercased() == lower }) else {
                throw PartitioningError(description: "partition source column '\(path)' is not a column of primitive type")
            }
            guard n.rep == 0 else {
                throw PartitioningError(description: "partition source column '\(path)' is inside an array or map")
            }
            return n.leafRange.lowerBound
        }
    }
}

extension LeafStore {
    /// The value `i` of the store as a partition source value (`descriptor` says how to read it).
    func sourceValue(_ i: Int, _ type: PhysicalType) -> PartitionSourceValue {
        switch type {
        case .boolean: return .boolean(data.load(fromByteOffset: i * width, as: Bool.self))
        case .int32: return .int32(data.load(fromByteOffset: i * 4, as: Int32.self))
        case .int64: return .int64(data.load(fromByteOffset: i * 8, as: Int64.self))
        case .float: return .float(data.load(fromByteOffset: i * 4, as: Float.self))
        case .double: return .double(data.load(fromByteOffset: i * 8, as: Double.self))
        case .byteArray:
            let start = i == 0 ? 0 : ends[i - 1]
            return .bytes(UnsafeRawBufferPointer(start: data + start, count: ends[i] - start))
        case .fixedLenByteArray:
            return .bytes(UnsafeRawBufferPointer(start: data + i * width, count: width))
        case .int96, .unknown: return .null
        }
    }
}

extension ColumnBuilders {
    /// Copies row `r`'s entries of every leaf into `targets[groups[r]]`, rows in order; the builders keep theirs.
    func split(groups: UnsafeBufferPointer<Int32>, into targets: [ColumnBuilders]) {
        let descriptors = layout.descriptors
        for leaf in 0..<leafCount {
            let s = leaves[leaf]
            let maxDef = Int16(descriptors[leaf].maxDefinitionLevel)
            var row = -1
            var vi = 0
            for k in 0..<s.levelCount {
                let r: Int16 = s.hasRep ? s.reps[k] : 0
                if r == 0 { row += 1 }
                let d = s.defs[k]
                let t = targets[Int(groups[row])].leaves + leaf
                t.pointee.level(d, r)
                if d == maxDef {
                    if s.width == 0 {
                        let start = vi == 0 ? 0 : s.ends[vi - 1]
                        t.pointee.appendBytes(UnsafeRawBufferPointer(start: s.data + start, count: s.ends[vi] - start))
                    } else {
                        t.pointee.appendRaw(s.data + vi * s.width, count: s.width)
                    }
                    vi += 1
                }
            }
        }
        for g in groups { targets[Int(g)].rows += 1 }
    }
}

/// Per-chunk state of the partitioned path (kept in the chunk's `ChunkWork` between chunks).
final class PartitionScratch {
    let router: any PartitionRouter
    var pool: [ColumnBuilders] = []
    var groups: [Int32] = []
    var values: [PartitionSourceValue] = []
    var index: [String: Int32] = [:]
    var keys: [String] = []

    init(router: any PartitionRouter) { self.router = router }
}

extension ChunkProcessor {
    /// Splits the chunk's one builder set into one set per partition (see the file's header).
    func splitByPartition(_ w: ChunkWork, _ p: any RowPartitioner) {
        guard w.sets.count == 1, partitionLeaves.count == p.sourceColumns.count else { return }
        let b = w.sets[0].builders
        let n = b.rows
        guard n > 0 else { return }
        let scratch: PartitionScratch
        if let s = w.partitionScratch { scratch = s } else {
            scratch = PartitionScratch(router: p.makeRouter())
            w.partitionScratch = scratch
        }
        scratch.groups.removeAll(keepingCapacity: true)
        scratch.index.removeAll(keepingCapacity: true)
        scratch.keys.removeAll(keepingCapacity: true)
        let leaves = partitionLeaves
        let descriptors = layout.descriptors
        // per source leaf: the value index of each row (-1: null); one level per row (no repetition)
        var cursors = [Int](repeating: 0, count: leaves.count)
        for _ in 0..<n {
            scratch.values.removeAll(keepingCapacity: true)
            for (j, leaf) in leaves.enumerated() {
                let s = b.leaves[leaf]
                let k = scratch.groups.count
                let d = descriptors[leaf]
                if k < s.levelCount && s.defs[k] == Int16(d.maxDefinitionLevel) {
                    scratch.values.append(s.sourceValue(cursors[j], d.physicalType))
                    cursors[j] += 1
                } else {
                    scratch.values.append(.null)
                }
            }
            let key = scratch.values.withUnsafeBufferPointer { scratch.router.key($0) }
            let g: Int32
            if let x = scratch.index[key] { g = x } else {
                g = Int32(scratch.keys.count)
                scratch.index[key] = g
                scratch.keys.append(key)
            }
            scratch.groups.append(g)
        }
        if scratch.keys.count == 1 {
            w.sets[0].prefix = scratch.keys[0]
            return
        }
        // builders start small (a chunk may hold many partitions) and at most 64 are kept for the next chunks
        while scratch.pool.count < scratch.keys.count { scratch.pool.append(ColumnBuilders(layout: layout, capacity: 16)) }
        let targets = Array(scratch.pool[0..<scratch.keys.count])
        if scratch.pool.count > 64 { scratch.pool.removeLast(scratch.pool.count - 64) }
        for t in targets { t.reset() }
        scratch.groups.withUnsafeBufferPointer { b.split(groups: $0, into: targets) }
        // the input bytes (buffering hints) shared by rows
        let perRow = Double(b.inputBytes) / Double(n)
        var sets: [(prefix: String, builders: ColumnBuilders, records: [(Int, Range<Int>)])] = []
        for (g, key) in scratch.keys.enumerated() {
            targets[g].inputBytes = Int((Double(targets[g].rows) * perRow).rounded())
            sets.append((key, targets[g], []))
        }
        b.reset()
        w.sets = sets
    }
}
