// `floe merge`: the serving layer of a Lambda architecture from a batch-layer (base) and a speed-layer (delta)
// table.
//
// Result: every base row, each `--sum` column increased by the delta's value for the same key; then one row per
// delta key that is not in the base. In SQL (DuckDB), with Floe's null rule on top:
//
//     CREATE TABLE serving_tmp AS SELECT * FROM batch_layer;
//     UPDATE serving_tmp SET count_id = count_id + speed_layer."count(id)", …
//       FROM speed_layer WHERE serving_tmp.location = speed_layer.location;
//     INSERT INTO serving_tmp SELECT * FROM speed_layer
//       WHERE location NOT IN (SELECT DISTINCT location FROM serving_tmp);
//
// Rules:
// - The result has the base's schema. Delta columns are matched to base columns by name after `--map
//   DELTACOL=COL` renames (a top-level name or a dotted path); a base column the delta lacks is null in inserted
//   rows. INT32 delta values widen to INT64, FLOAT to DOUBLE.
// - A null measure adds nothing: base + null = base, null + delta = delta, null only when both are null (SQL
//   would give null). A base value null inside a null struct stays null.
// - Keys compare by value (INT32 = INT64 of the same value) and a null key equals a null key (SQL's `=` and
//   `NOT IN` would never match or insert it).
// - Delta rows with the same key are combined first: their `--sum` columns added (with the null rule), the other
//   columns taken from the first of them. (SQL's UPDATE … FROM would pick one arbitrarily.) Base rows sharing a
//   key each get the delta added, as the UPDATE does.
// - Sums are checked: an INT32/INT64 overflow is an error (exit 1), not a wrap-around.
// - When the base table has no files the result is the delta (renamed); a base with a schema and a delta with
//   no files gives the base.
//
// Execution: the delta is read whole (columnar) and its keys go into an open-addressing hash table over key
// bytes (ColumnKit.swift), with the delta sums pre-combined per distinct key. The base is streamed row group by
// row group — several decoded and probed in parallel, then handed to the Parquet writer in order — so memory is
// bounded by the delta plus a few base row groups and the writer's open row group.

import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Firehose
import Parquet

/// What `floe merge` does: which columns identify a row, which are added up, and how the delta's columns map to
/// the base's.
public struct MergeSpec: Sendable {
    /// Key columns (dotted paths of base columns).
    public var keys: [String]
    /// Columns added up (base names).
    public var sums: [String]
    /// Delta column renames: delta name (top-level or dotted) → base name.
    public var renames: [(from: String, to: String)]
    /// Row groups decoded at once (nil: the active cores).
    public var threads: Int?
    /// Parquet writer settings of the merged table.
    public var writerOptions: WriterOptions

    /// A merge on `keys` adding up `sums`, with delta columns renamed by `renames` and `threads` row groups decoded at
    /// once (`nil`: the active cores).
    public init(keys: [String], sums: [String] = [], renames: [(from: String, to: String)] = [], threads: Int? = nil,
                writerOptions: WriterOptions = WriterOptions()) {
        self.keys = keys
        self.sums = sums
        self.renames = renames
        self.threads = threads
        self.writerOptions = writerOptions
    }
}

/// What a merge did.
public struct MergeStats: Sendable, Equatable {
    /// Rows read from the base table.
    public var baseRows: Int = 0
    /// Rows read from the delta table.
    public var deltaRows: Int = 0
    /// Distinct keys of the delta.
    public var deltaKeys: Int = 0
    /// Delta keys found in the base.
    public var matchedKeys: Int = 0
    /// Base rows that received a delta.
    public var updatedRows: Int = 0
    /// Rows inserted from the delta.
    public var insertedRows: Int = 0
    /// Rows of the result: base rows plus inserted rows.
    public var rowsWritten: Int = 0
}

enum Cores {
    static var active: Int { ProcessInfoLite.activeCores }
}

/// A closure handed to worker threads (the callers make sure what it touches is safe to share).
final class SendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ v: T) { value = v }
}

/// Results of parallel work, by index.
final class Slots<T>: @unchecked Sendable {
    var items: [T?]
    var error: Error?
    private let lock = Mutex(())
    init(_ n: Int) {
        items = Array(repeating: nil, count: n)
    }
    func set(_ i: Int, _ v: T) {
        lock.withLock { _ in items[i] = v }
    }
    func fail(_ e: Error) {
        lock.withLock { _ in
            if error == nil { error = e }
        }
    }
}

/// Runs `body(i)` for `0..<n` on up to `threads` threads; rethrows the first error.
func parallelMap<T>(_ n: Int, threads: Int, _ body: @escaping (Int) throws -> T) throws -> [T] {
    if n == 0 { return [] }
    if threads <= 1 || n == 1 { return try (0..<n).map(body) }
    let slots = Slots<T>(n)
    let f = SendableBox(body)
    DispatchQueue.concurrentPerform(iterations: n) { i in
        do { slots.set(i, try f.value(i)) } catch { slots.fail(error) }
    }
    if let e = slots.error { throw e }
    return slots.items.map { $0! }
}

/// A merge failure before it is mapped to a warehouse error.
struct MergeFailure: Error, CustomStringConvertible {
    var description: String
    var usage: Bool
    init(_ d: String, usage: Bool = false) {
        description = d
        self.usage = usage
    }
}

/// Numbers of a sum column, per distinct delta key.
enum SumAccumulator {
    case ints([Int64], present: [Bool])
    case doubles([Double], present: [Bool])
}

/// The merge engine behind ``DataWarehouse`` `merge`: the delta is loaded into a hash table by key, then the base
/// is streamed row group by row group (several decoded in parallel), probed and written in order; memory is the
/// delta plus a few base row groups.
public enum TableMerge {
    /// The delta's dotted path after renames.
    static func renamed(_ path: [String], _ renames: [(from: String, to: String)]) -> String {
        let dotted = path.joined(separator: ".")
        for r in renames where r.from == dotted { return r.to }
        for r in renames where r.from.lowercased() == dotted.lowercased() { return r.to }
        if path.count > 1 {
            for r in renames where r.from == path[0] || r.from.lowercased() == path[0].lowercased() {
                return ([r.to] + path.dropFirst()).joined(separator: ".")
            }
        }
        return dotted
    }

    static func isInteger(_ t: PhysicalType) -> Bool { t == .int32 || t == .int64 }
    static func isFloating(_ t: PhysicalType) -> Bool { t == .float || t == .double }

    static func checkSameSchema(_ files: [ParquetFile], _ paths: [String], what: String) throws {
        guard let first = files.first else { return }
        let want = first.schema.columns.map { ($0.dottedPath, $0.physicalType, $0.maxDefinitionLevel, $0.maxRepetitionLevel) }
        for (k, f) in files.enumerated().dropFirst() {
            let got = f.schema.columns.map { ($0.dottedPath, $0.physicalType, $0.maxDefinitionLevel, $0.maxRepetitionLevel) }
            guard got.count == want.count, zip(got, want).allSatisfy({ $0.0 == $1.0 && $0.1 == $1.1 && $0.2 == $1.2 && $0.3 == $1.3 }) else {
                throw MergeFailure("\(paths[k]): schema differs from \(paths[0]) (the \(what) table's files must share one schema)")
            }
        }
    }

    /// Reads leaves `leaves` of every row group of `files` into one ColumnData each.
    static func readWhole(_ files: [ParquetFile], leaves: [Int], threads: Int) throws -> [ColumnData] {
        guard let first = files.first else { return [] }
        var out = leaves.map { ColumnData(descriptor: first.schema.columns[$0]) }
        var work: [(Int, Int)] = []
        for (fi, f) in files.enumerated() { for g in 0..<f.rowGroupCount where f.metadata.rowGroups[g].numRows > 0 { work.append((fi, g)) } }
        var start = 0
        while start < work.count {
            let batch = Array(work[start..<min(work.count, start + threads)])
            let parts = try parallelMap(batch.count, threads: threads) { i in
                let (fi, g) = batch[i]
                return try leaves.map { try files[fi].readColumn(rowGroup: g, column: $0) }
            }
            for p in parts { for k in leaves.indices { appendAll(p[k], to: &out[k]) } }
            start += batch.count
        }
        return out
    }

    /// Merges `delta` into `base`, writing the result with `makeWriter` (called once with the result schema).
    static func run(base: TableSnapshot, delta: TableSnapshot, spec: MergeSpec,
                    makeWriter: (Schema) throws -> ParquetWriter) throws -> MergeStats {
        let threads = max(1, spec.threads ?? Cores.active)
        var stats = MergeStats()
        try checkSameSchema(base.files, base.paths, what: "base")
        try checkSameSchema(delta.files, delta.paths, what: "delta")
        guard let schemaFile = base.files.first ?? delta.files.first else {
            throw MergeFailure("both the base and the delta table have no Parquet files: nothing to merge", usage: true)
        }
        // The result schema: the base's, or the renamed delta's when the base has no files.
        var schema = schemaFile.schema
        if base.files.isEmpty {
            var root = schema.root
            for i in root.children.indices {
                let n = renamed([root.children[i].name], spec.renames)
                if !n.contains(".") { root.children[i].name = n }
            }
            schema = Schema(root: root)
        }
        let leaves = schema.columns
        func leaf(_ name: String, _ what: String) throws -> Int {
            guard let i = schema.leafIndex(name) else {
                throw MergeFailure("\(what) column '\(name)' is not a column of the \(base.files.isEmpty ? "delta" : "base") table (columns: \(leaves.map(\.dottedPath).joined(separator: ", ")))", usage: true)
            }
            guard leaves[i].maxRepetitionLevel == 0 else {
                throw MergeFailure("\(what) column '\(name)' is inside a list or map", usage: true)
            }
            return i
        }
        guard !spec.keys.isEmpty else { throw MergeFailure("give at least one --key column", usage: true) }
        let keyLeaves = try spec.keys.map { try leaf($0, "key") }
        let sumLeaves = try spec.sums.map { try leaf($0, "sum") }
        for (k, s) in sumLeaves.enumerated() {
            let t = leaves[s].physicalType
            guard isInteger(t) || isFloating(t), leaves[s].logicalType.map({ if case .integer = $0 { return true }; return false }) ?? true,
                  leaves[s].convertedType == nil || [.int8, .int16, .int32, .int64].contains(leaves[s].convertedType!)
            else {
                throw MergeFailure("sum column '\(spec.sums[k])' is \(t)\(leaves[s].logicalType.map { " (\($0))" } ?? ""); --sum takes integer or floating-point columns", usage: true)
            }
            if keyLeaves.contains(s) { throw MergeFailure("column '\(spec.sums[k])' is both a key and a sum", usage: true) }
        }
        // Base leaf → delta leaf.
        var deltaOf = [Int?](repeating: nil, count: leaves.count)
        if let d = delta.files.first {
            var byName: [String: Int] = [:]
            var byLower: [String: Int] = [:]
            for (j, c) in d.schema.columns.enumerated() {
                let n = renamed(c.path, spec.renames)
                byName[n] = j
                byLower[n.lowercased()] = byLower[n.lowercased()] ?? j
            }
            for (i, c) in leaves.enumerated() {
                deltaOf[i] = byName[c.dottedPath] ?? byLower[c.dottedPath.lowercased()]
            }
            for r in spec.renames where !d.schema.columns.contains(where: {
                $0.dottedPath == r.from || $0.path[0] == r.from || $0.dottedPath.lowercased() == r.from.lowercased()
                    || $0.path[0].lowercased() == r.from.lowercased()
            }) {
                throw MergeFailure("--map \(r.from)=\(r.to): the delta table has no column '\(r.from)' (columns: \(d.schema.columns.map(\.dottedPath).joined(separator: ", ")))", usage: true)
            }
            for (k, kl) in keyLeaves.enumerated() where deltaOf[kl] == nil {
                throw MergeFailure("key column '\(spec.keys[k])' is not in the delta table (rename delta columns with --map DELTACOL=\(spec.keys[k]))", usage: true)
            }
            for (i, c) in leaves.enumerated() {
                guard let j = deltaOf[i] else {
                    if c.path.count > 1 {
                        throw MergeFailure("the delta table lacks the nested column '\(c.dottedPath)'", usage: true)
                    }
                    continue
                }
                let dc = d.schema.columns[j]
                let t = c.physicalType, dt = dc.physicalType
                let widen = (t == .int64 && dt == .int32) || (t == .double && (dt == .float || dt == .int32 || dt == .int64) && sumLeaves.contains(i))
                    || (t == .double && dt == .float)
                let keyCompatible = keyLeaves.contains(i) && isInteger(t) && isInteger(dt)
                guard t == dt || widen || keyCompatible else {
                    throw MergeFailure("column '\(c.dottedPath)' is \(t) in the base but \(dt) in the delta", usage: true)
                }
                if t == .fixedLenByteArray && c.typeLength != dc.typeLength {
                    throw MergeFailure("column '\(c.dottedPath)' has width \(c.typeLength) in the base but \(dc.typeLength) in the delta", usage: true)
                }
                if dc.maxRepetitionLevel != c.maxRepetitionLevel
                    || (dc.maxDefinitionLevel != c.maxDefinitionLevel && (c.path.count > 1 || c.maxRepetitionLevel > 0))
                {
                    throw MergeFailure("column '\(c.dottedPath)' is nested differently in the base and the delta", usage: true)
                }
                if isInteger(t) && isFloating(dt) {
                    throw MergeFailure("column '\(c.dottedPath)' is \(t) in the base but \(dt) in the delta", usage: true)
                }
            }
        }

        // The delta, whole.
        let deltaLeaves = Array(Set(deltaOf.compactMap { $0 })).sorted()
        let deltaCols = try readWhole(delta.files, leaves: deltaLeaves, threads: threads)
        var deltaCol: [Int: ColumnData] = [:]
        for (k, j) in deltaLeaves.enumerated() { deltaCol[j] = deltaCols[k] }
        let deltaRows = deltaCols.first.map { RowLayout($0).rows } ?? 0
        stats.deltaRows = deltaRows
        var table = ByteKeyTable(capacity: max(16, deltaRows))
        var firstRow: [Int] = []
        var uniqOfRow = [Int32](repeating: 0, count: deltaRows)
        if deltaRows > 0 {
            let keys = RowKeys(columns: keyLeaves.map { deltaCol[deltaOf[$0]!]! }, rows: deltaRows)
            keys.bytes.withUnsafeBytes { b in
                let base = b.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
                for r in 0..<deltaRows {
                    let s = keys.starts[r], n = keys.starts[r + 1] - s
                    let (id, inserted) = table.findOrInsert(base + s, n, hash: hashBytes(base + s, n))
                    if inserted { firstRow.append(r) }
                    uniqOfRow[r] = Int32(id)
                }
            }
        }
        let uniq = table.count
        stats.deltaKeys = uniq
        // Delta sums per distinct key.
        var accs: [SumAccumulator] = []
        for s in sumLeaves {
            let ints = isInteger(leaves[s].physicalType)
            var present = [Bool](repeating: false, count: uniq)
            guard let j = deltaOf[s], let dcol = deltaCol[j] else {
                accs.append(ints ? .ints([Int64](repeating: 0, count: uniq), present: present)
                                 : .doubles([Double](repeating: 0, count: uniq), present: present))
                continue
            }
            let idx = valueIndexes(dcol)
            let v = dcol.values
            if ints {
                var sums = [Int64](repeating: 0, count: uniq)
                for r in 0..<deltaRows where idx[r] >= 0 {
                    let u = Int(uniqOfRow[r])
                    let x: Int64 = v.physicalType == .int32 ? Int64(v.int32s[Int(idx[r])]) : v.int64s[Int(idx[r])]
                    let (s2, o) = sums[u].addingReportingOverflow(x)
                    if o { throw MergeFailure("sum column '\(leaves[s].dottedPath)': integer overflow adding delta rows of one key") }
                    sums[u] = s2
                    present[u] = true
                }
                accs.append(.ints(sums, present: present))
            } else {
                var sums = [Double](repeating: 0, count: uniq)
                for r in 0..<deltaRows where idx[r] >= 0 {
                    let u = Int(uniqOfRow[r])
                    let i = Int(idx[r])
                    let x: Double = switch v.physicalType {
                    case .float: Double(v.floats[i])
                    case .double: v.doubles[i]
                    case .int32: Double(v.int32s[i])
                    default: Double(v.int64s[i])
                    }
                    sums[u] += x
                    present[u] = true
                }
                accs.append(.doubles(sums, present: present))
            }
        }

        let writer = try makeWriter(schema)
        var matched = [Bool](repeating: false, count: uniq)

        // The base, streamed.
        var work: [(Int, Int)] = []
        for (fi, f) in base.files.enumerated() { for g in 0..<f.rowGroupCount where f.metadata.rowGroups[g].numRows > 0 { work.append((fi, g)) } }
        let frozenTable = table
        let frozenAccs = accs
        var start = 0
        while start < work.count {
            let batch = Array(work[start..<min(work.count, start + threads)])
            let parts = try parallelMap(batch.count, threads: threads) { i -> ([ColumnData], [Int32], Int) in
                let (fi, g) = batch[i]
                let f = base.files[fi]
                var cols = try (0..<leaves.count).map { try f.readColumn(rowGroup: g, column: $0) }
                let rows = Int(f.metadata.rowGroups[g].numRows)
                var match = [Int32](repeating: -1, count: rows)
                var updated = 0
                if uniq > 0 && rows > 0 {
                    let keys = RowKeys(columns: keyLeaves.map { cols[$0] }, rows: rows)
                    keys.bytes.withUnsafeBytes { b in
                        let p = b.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
                        for r in 0..<rows {
                            let s = keys.starts[r], n = keys.starts[r + 1] - s
                            let id = frozenTable.find(p + s, n, hash: hashBytes(p + s, n))
                            match[r] = Int32(id)
                            if id >= 0 { updated += 1 }
                        }
                    }
                    if updated > 0 {
                        for (k, s) in sumLeaves.enumerated() {
                            try addSums(&cols[s], match: match, acc: frozenAccs[k], name: leaves[s].dottedPath)
                        }
                    }
                }
                return (cols, match, updated)
            }
            for (cols, match, updated) in parts {
                stats.baseRows += match.count
                stats.updatedRows += updated
                if updated > 0 { for m in match where m >= 0 { matched[Int(m)] = true } }
                try writer.write(columns: cols)
            }
            start += batch.count
        }
        stats.matchedKeys = matched.reduce(0) { $0 + ($1 ? 1 : 0) }

        // Delta keys not in the base.
        var rows: [Int] = []
        var uniqs: [Int] = []
        for u in 0..<uniq where !matched[u] {
            rows.append(firstRow[u])
            uniqs.append(u)
        }
        if !rows.isEmpty {
            var out: [ColumnData] = []
            let chunk = 1 << 20
            var s0 = 0
            while s0 < rows.count {
                let part = Array(rows[s0..<min(rows.count, s0 + chunk)])
                let partU = Array(uniqs[s0..<min(rows.count, s0 + chunk)])
                out = []
                for (i, c) in leaves.enumerated() {
                    if let k = sumLeaves.firstIndex(of: i) {
                        out.append(try sumColumn(c, acc: accs[k], uniqs: partU, rows: part,
                                                 delta: deltaOf[i].flatMap { deltaCol[$0] }))
                    } else if let j = deltaOf[i], let dcol = deltaCol[j] {
                        out.append(try conform(gather(dcol, rows: part), to: c))
                    } else {
                        guard c.maxDefinitionLevel > 0 else {
                            throw MergeFailure("column '\(c.dottedPath)' is required in the base and missing from the delta", usage: true)
                        }
                        var n = ColumnData(descriptor: c)
                        n.definitionLevels = [Int16](repeating: 0, count: part.count)
                        n.levelCount = part.count
                        out.append(n)
                    }
                }
                try writer.write(columns: out)
                stats.insertedRows += part.count
                s0 += part.count
            }
        }
        stats.rowsWritten = Int(writer.rowsWritten)
        try writer.close()
        return stats
    }

    static func gather(_ c: ColumnData, rows: [Int]) -> ColumnData {
        var out = ColumnData(descriptor: c.descriptor)
        appendRows(c, layout: RowLayout(c), rows: rows, to: &out)
        return out
    }

    /// Converts a gathered delta column to the base column's physical type and (flat) levels.
    static func conform(_ c: ColumnData, to want: ColumnDescriptor) throws -> ColumnData {
        var out = c
        if c.values.physicalType != want.physicalType {
            var v = ColumnValues(physicalType: want.physicalType, typeLength: want.typeLength)
            switch (c.values.physicalType, want.physicalType) {
            case (.int32, .int64): v.int64s = c.values.int32s.map { Int64($0) }
            case (.int64, .int32):
                for x in c.values.int64s {
                    guard let y = Int32(exactly: x) else {
                        throw MergeFailure("column '\(want.dottedPath)': delta value \(x) does not fit the base's INT32")
                    }
                    v.int32s.append(y)
                }
            case (.float, .double): v.doubles = c.values.floats.map { Double($0) }
            case (.int32, .double): v.doubles = c.values.int32s.map { Double($0) }
            case (.int64, .double): v.doubles = c.values.int64s.map { Double($0) }
            default: throw MergeFailure("column '\(want.dottedPath)': cannot convert \(c.values.physicalType) to \(want.physicalType)")
            }
            out.values = v
        }
        if c.descriptor.maxDefinitionLevel != want.maxDefinitionLevel {
            // Flat columns only (checked earlier): present → want's max, null → 0.
            let md = Int16(c.descriptor.maxDefinitionLevel)
            let present: [Bool] = c.definitionLevels.isEmpty ? [Bool](repeating: true, count: c.levelCount)
                : c.definitionLevels.map { $0 == md }
            if want.maxDefinitionLevel == 0 {
                guard present.allSatisfy({ $0 }) else {
                    throw MergeFailure("column '\(want.dottedPath)' is required in the base but null in delta rows", usage: false)
                }
                out.definitionLevels = []
            } else {
                out.definitionLevels = present.map { $0 ? Int16(want.maxDefinitionLevel) : 0 }
            }
        }
        out.descriptor = want
        return out
    }

    /// The sum column of inserted delta rows: combined delta sums, levels from each key's first delta row.
    static func sumColumn(_ c: ColumnDescriptor, acc: SumAccumulator, uniqs: [Int], rows: [Int],
                          delta: ColumnData?) throws -> ColumnData {
        var out = ColumnData(descriptor: c)
        let md = Int16(c.maxDefinitionLevel)
        for (k, u) in uniqs.enumerated() {
            let present: Bool
            switch acc {
            case .ints(_, let p): present = p[u]
            case .doubles(_, let p): present = p[u]
            }
            var def: Int16 = present ? md : 0
            if c.path.count > 1, let d = delta, !d.definitionLevels.isEmpty {
                // Nested: the first delta row's levels say which ancestors are present.
                let dd = d.definitionLevels[rows[k]]
                def = present && dd >= md - 1 ? md : min(dd, md - 1)
            }
            if def == md {
                switch (acc, c.physicalType) {
                case (.ints(let s, _), .int64): out.values.int64s.append(s[u])
                case (.ints(let s, _), .int32):
                    guard let y = Int32(exactly: s[u]) else {
                        throw MergeFailure("sum column '\(c.dottedPath)': \(s[u]) does not fit INT32")
                    }
                    out.values.int32s.append(y)
                case (.doubles(let s, _), .double): out.values.doubles.append(s[u])
                case (.doubles(let s, _), .float): out.values.floats.append(Float(s[u]))
                default: throw MergeFailure("sum column '\(c.dottedPath)': unsupported type \(c.physicalType)")
                }
            }
            if md > 0 {
                out.definitionLevels.append(def)
            } else if def != md {
                throw MergeFailure("sum column '\(c.dottedPath)' is required in the base but null for an inserted delta row")
            }
            out.levelCount += 1
        }
        return out
    }

    /// Adds the matched delta sums into a base sum column (null rule: a null side adds nothing).
    static func addSums(_ col: inout ColumnData, match: [Int32], acc: SumAccumulator, name: String) throws {
        let rows = col.levelCount
        let md = Int16(col.descriptor.maxDefinitionLevel)
        let idx = valueIndexes(col)
        var insert = false
        let defs = col.definitionLevels
        func dpresent(_ u: Int) -> Bool {
            switch acc {
            case .ints(_, let p): p[u]
            case .doubles(_, let p): p[u]
            }
        }
        try col.values.int64s.withUnsafeMutableBufferPointer { i64 in
            try col.values.int32s.withUnsafeMutableBufferPointer { i32 in
                try col.values.doubles.withUnsafeMutableBufferPointer { f64 in
                    try col.values.floats.withUnsafeMutableBufferPointer { f32 in
                        for r in 0..<rows {
                            let m = Int(match[r])
                            if m < 0 { continue }
                            let vi = Int(idx[r])
                            if vi < 0 {
                                if dpresent(m) && defs[r] == md - 1 { insert = true }
                                continue
                            }
                            switch acc {
                            case .ints(let s, let p):
                                guard p[m] else { continue }
                                if col.values.physicalType == .int64 {
                                    let (x, o) = i64[vi].addingReportingOverflow(s[m])
                                    if o { throw MergeFailure("sum column '\(name)': integer overflow (\(i64[vi]) + \(s[m]))") }
                                    i64[vi] = x
                                } else {
                                    guard let d = Int32(exactly: s[m]) else {
                                        throw MergeFailure("sum column '\(name)': integer overflow (\(i32[vi]) + \(s[m]))")
                                    }
                                    let (x, o) = i32[vi].addingReportingOverflow(d)
                                    if o { throw MergeFailure("sum column '\(name)': integer overflow (\(i32[vi]) + \(s[m]))") }
                                    i32[vi] = x
                                }
                            case .doubles(let s, let p):
                                guard p[m] else { continue }
                                if col.values.physicalType == .double { f64[vi] += s[m] } else { f32[vi] = Float(Double(f32[vi]) + s[m]) }
                            }
                        }
                    }
                }
            }
        }
        guard insert else { return }
        // Some null base values take the delta's value: rebuild values and levels.
        var values = ColumnValues(physicalType: col.values.physicalType, typeLength: col.values.fixed.width)
        values.reserveCapacity(rows)
        var newDefs = defs
        for r in 0..<rows {
            let vi = Int(idx[r])
            if vi >= 0 {
                appendValue(col.values, vi, to: &values)
                continue
            }
            let m = Int(match[r])
            guard m >= 0, dpresent(m), defs[r] == md - 1 else { continue }
            newDefs[r] = md
            switch (acc, values.physicalType) {
            case (.ints(let s, _), .int64): values.int64s.append(s[m])
            case (.ints(let s, _), _):
                guard let y = Int32(exactly: s[m]) else { throw MergeFailure("sum column '\(name)': \(s[m]) does not fit INT32") }
                values.int32s.append(y)
            case (.doubles(let s, _), .double): values.doubles.append(s[m])
            case (.doubles(let s, _), _): values.floats.append(Float(s[m]))
            }
        }
        col.values = values
        col.definitionLevels = newDefs
    }
}
