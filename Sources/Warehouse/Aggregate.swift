// `floe aggregate`: a batch-layer table from a source table — group by one or more columns and compute count,
// count distinct, sum, min and max, optionally over some partitions only.
//
// Semantics are SQL's `SELECT g1, …, count(c), count(DISTINCT c), sum(c), min(c), max(c) FROM src GROUP BY g1, …`:
// - Group columns and measured columns are dotted paths of leaf columns outside lists and maps
//   (`user.followers_count`); a null inside a null struct is null. Null group values form one group.
// - count(c) counts non-null values, count(*) rows; count distinct counts distinct non-null values (INT32 and
//   INT64 values compare by number, floating-point -0.0 = 0.0). sum of integers is a BIGINT (an overflow is an
//   error, exit 1), of FLOAT/DOUBLE a DOUBLE; sum, min and max of only nulls are null. min/max keep the column's
//   type; strings and binaries compare byte-wise, NaN is ignored.
// - Output names (change any with `--as EXPR=NAME`, EXPR a group column or `func(col)`): a group column keeps its
//   last path component (`user.location` → `location`); measures are `count_<col>`, `count_distinct_<col>`,
//   `sum_<col>`, `min_<col>`, `max_<col>` with <col> the last path component, and count(*) is `count`. Every
//   output column is optional. Rows come out in order of first appearance of their group.
// - `--where-partition KEY OP VALUE` (OP one of = != < <= > >=; repeatable, all must hold) keeps the files whose
//   partition value passes. A file's partition values come from its folder below the table: Hive `key=value`
//   components, and for hourly folders `YYYY/MM/DD/HH/` the key `inserted_at` = `YYYY/MM/DD/HH`. Values compare
//   as integers when both are integers, else as strings (hourly values sort by time). Files without the key do
//   not pass.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Firehose
import Parquet

/// An aggregate `floe aggregate` computes per group, with SQL's semantics; the raw value is the prefix of the
/// default output name (`sum_<col>`).
public enum AggregateFunction: String, Sendable, CaseIterable {
    /// `count(c)`: non-null values of the column; `count(*)`: rows. A BIGINT, never null.
    case count
    /// `count(DISTINCT c)`: distinct non-null values (integers compare by number, `-0.0` equals `0.0`). A BIGINT.
    case countDistinct = "count_distinct"
    /// `sum` adds integers into a BIGINT (overflow is an error) and floating-point values into a DOUBLE; `min` and
    /// `max` keep the column's type, compare strings and binaries byte-wise and ignore NaN. Over only nulls: null.
    case sum, min, max
}

/// One output measure of an aggregate: a function applied to a column, and the output column's name.
public struct AggregateMeasure: Sendable, Equatable {
    /// What is computed.
    public var function: AggregateFunction
    /// Dotted path; `*` for count(*).
    public var column: String
    /// Output name (nil: the default naming).
    public var name: String?

    /// A measure of `function` over the dotted leaf path `column` (`*` for `count(*)`), named `name` or by
    /// ``defaultName``.
    public init(_ function: AggregateFunction, _ column: String, name: String? = nil) {
        self.function = function
        self.column = column
        self.name = name
    }

    /// The output name when none is given: `<function>_<last path component>` (`sum_followers_count`), `count` for
    /// `count(*)`.
    public var defaultName: String {
        if column == "*" { return function == .count ? "count" : "\(function.rawValue)_all" }
        let last = column.split(separator: ".").last.map(String.init) ?? column
        return "\(function.rawValue)_\(last)"
    }

    /// `sum(user.followers_count)` — the form `--as` refers to.
    public var expression: String { "\(function.rawValue)(\(column))" }
}

/// A `--where-partition KEY OP VALUE` condition on a file's partition values; files that fail it are not read.
public struct PartitionFilter: Sendable, Equatable {
    /// The comparison; the raw value is its spelling in a filter (`<>` is parsed as ``ne``).
    public enum Op: String, Sendable, CaseIterable {
        /// Equal, not equal, less, less or equal, greater, greater or equal.
        case eq = "=", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
    }
    /// The partition key compared (`inserted_at`, or a Hive `key=value` folder's key; matched case-insensitively).
    public var key: String
    /// How the file's value compares with ``value``.
    public var op: Op
    /// The value compared against, quotes removed. Compared as an integer when both sides are integers, else as a
    /// string (hourly `YYYY/MM/DD/HH` values therefore sort by time).
    public var value: String

    /// A filter `key op value`.
    public init(key: String, op: Op, value: String) {
        self.key = key
        self.op = op
        self.value = value
    }

    /// Parses `KEY OP VALUE` (`inserted_at>=2024/05/01/00`; quotes around VALUE are dropped).
    public static func parse(_ text: String) throws(WarehouseError) -> PartitionFilter {
        let ops: [(String, Op)] = [(">=", .ge), ("<=", .le), ("!=", .ne), ("<>", .ne), ("=", .eq), ("<", .lt), (">", .gt)]
        let chars = Array(text)
        for i in chars.indices {
            for (sym, op) in ops where text[text.index(text.startIndex, offsetBy: i)...].hasPrefix(sym) {
                let key = String(chars[..<i]).trimmingCharacters()
                var value = String(chars[(i + sym.count)...]).trimmingCharacters()
                if value.count >= 2, let f = value.first, f == "'" || f == "\"", value.last == f {
                    value = String(value.dropFirst().dropLast())
                }
                guard !key.isEmpty else { break }
                return PartitionFilter(key: key, op: op, value: value)
            }
        }
        throw .invalid("--where-partition '\(text)': expected KEY OP VALUE with OP one of = != < <= > >= (e.g. inserted_at>=2024/05/01/00)")
    }

    /// Whether a file with the partition `values` (from ``values(ofRelativePath:)``) is read. A file without the key
    /// does not pass.
    public func passes(_ values: [String: String]) -> Bool {
        guard let v = values[key] ?? values.first(where: { $0.key.lowercased() == key.lowercased() })?.value else { return false }
        let c: Int
        if let a = Int64(v), let b = Int64(value) { c = a < b ? -1 : a > b ? 1 : 0 } else { c = v < value ? -1 : v > value ? 1 : 0 }
        switch op {
        case .eq: return c == 0
        case .ne: return c != 0
        case .lt: return c < 0
        case .le: return c <= 0
        case .gt: return c > 0
        case .ge: return c >= 0
        }
    }

    /// Partition values of a file at `relative` (path below the table root, file name last).
    public static func values(ofRelativePath relative: String) -> [String: String] {
        let parts = relative.split(separator: "/").dropLast().map(String.init)
        var out: [String: String] = [:]
        for p in parts {
            if let eq = p.firstIndex(of: "="), eq != p.startIndex {
                out[DataWarehouse.unescapePathValue(String(p[..<eq]))] = DataWarehouse.unescapePathValue(String(p[p.index(after: eq)...]))
            }
        }
        func digits(_ s: String, _ n: Int) -> Bool { s.utf8.count == n && s.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        if parts.count >= 4, digits(parts[0], 4), digits(parts[1], 2), digits(parts[2], 2), digits(parts[3], 2) {
            out[DataWarehouse.streamingPartitionKey] = parts[0..<4].joined(separator: "/")
        }
        return out
    }
}

extension String {
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}

/// What `floe aggregate` computes: the group columns, the measures, the partition filters and how the result is
/// written.
public struct AggregateSpec: Sendable {
    /// Group columns as dotted leaf paths outside lists and maps; nulls form one group. Empty: one row for the table.
    public var groupBy: [String]
    /// Output names of the group columns (nil entries: the last path component).
    public var groupNames: [String?]
    /// The measures, in output order after the group columns.
    public var measures: [AggregateMeasure]
    /// Conditions every read file must pass (all of them).
    public var filters: [PartitionFilter]
    /// Parquet writer settings of the result (compression, row group size).
    public var writerOptions: WriterOptions

    /// An aggregate of `measures` grouped by `groupBy`; `groupNames` renames group columns by position.
    public init(groupBy: [String], groupNames: [String?] = [], measures: [AggregateMeasure],
                filters: [PartitionFilter] = [], writerOptions: WriterOptions = WriterOptions()) {
        self.groupBy = groupBy
        self.groupNames = groupNames
        self.measures = measures
        self.filters = filters
        self.writerOptions = writerOptions
    }
}

/// What an aggregate read and produced.
public struct AggregateStats: Sendable, Equatable {
    /// Data files read.
    public var filesRead = 0
    /// Data files skipped by the partition filters.
    public var filesSkipped = 0
    /// Source rows read from the files that passed.
    public var rowsRead = 0
    /// Groups found: the rows of the result.
    public var groups = 0
}

/// Per-group state of one measure.
enum MeasureState {
    case count([Int64])
    case distinct([Int64], ByteKeyTable)
    case sumInt([Int64], [Bool])
    case sumDouble([Double], [Bool])
    case extInt([Int64], [Bool], unsigned: Bool)
    case extDouble([Double], [Bool])
    case extBytes([[UInt8]], [Bool])
    case extInt96([Int96], [Bool])
}

/// The aggregate engine behind ``DataWarehouse`` `aggregate`: one pass over the source's row groups with per-group
/// state in hash tables (memory grows with the number of groups, not rows).
public enum TableAggregate {
    /// `emptySchema`: the schema of a source table without data files (from its catalog columns); the result is
    /// then an empty table with the output columns (issue 11), not an error.
    static func run(source: TableSnapshot, spec: AggregateSpec, emptySchema: Schema? = nil,
                    makeWriter: (Schema) throws -> ParquetWriter) throws -> AggregateStats
    {
        var stats = AggregateStats()
        guard !spec.groupBy.isEmpty || !spec.measures.isEmpty else {
            throw MergeFailure("give --group-by columns and measures (--count, --sum, …)", usage: true)
        }
        // Files that pass the partition filter.
        var files: [ParquetFile] = []
        var paths: [String] = []
        for (f, p) in zip(source.files, source.paths) {
            let rel = p.hasPrefix(source.root + "/") ? String(p.dropFirst(source.root.count + 1)) : p
            let values = PartitionFilter.values(ofRelativePath: rel)
            if spec.filters.allSatisfy({ $0.passes(values) }) {
                files.append(f)
                paths.append(p)
            } else {
                stats.filesSkipped += 1
            }
        }
        stats.filesRead = files.count
        guard let schema = files.first?.schema ?? source.files.first?.schema ?? emptySchema else {
            throw MergeFailure("the source table has no Parquet files (and is not registered with columns)", usage: true)
        }
        try TableMerge.checkSameSchema(files, paths, what: "source")
        func leaf(_ name: String, _ what: String) throws -> Int {
            guard let i = schema.leafIndex(name) else {
                throw MergeFailure("\(what) column '\(name)' is not a column of the source table (columns: \(schema.columns.map(\.dottedPath).joined(separator: ", ")))", usage: true)
            }
            guard schema.columns[i].maxRepetitionLevel == 0 else {
                throw MergeFailure("\(what) column '\(name)' is inside a list or map", usage: true)
            }
            return i
        }
        let groupLeaves = try spec.groupBy.map { try leaf($0, "group-by") }
        var measureLeaves: [Int?] = []
        for m in spec.measures {
            if m.column == "*" {
                guard m.function == .count else { throw MergeFailure("\(m.function.rawValue)(*) is not supported", usage: true) }
                measureLeaves.append(nil)
                continue
            }
            let i = try leaf(m.column, m.function.rawValue)
            let c = schema.columns[i]
            switch m.function {
            case .sum:
                let decimal: Bool = { if case .decimal? = c.logicalType { return true }; return c.convertedType == .decimal }()
                guard [.int32, .int64, .float, .double].contains(c.physicalType), !decimal else {
                    throw MergeFailure("sum(\(m.column)): the column is \(c.physicalType)\(c.logicalType.map { " (\($0))" } ?? ""); sum takes integer or floating-point columns", usage: true)
                }
            case .min, .max:
                let decimal: Bool = { if case .decimal? = c.logicalType { return true }; return c.convertedType == .decimal }()
                if c.physicalType == .fixedLenByteArray && decimal {
                    throw MergeFailure("\(m.function.rawValue)(\(m.column)): fixed-length decimals are not supported", usage: true)
                }
            default: break
            }
            measureLeaves.append(i)
        }
        // Output names.
        var names: [String] = []
        for (k, g) in spec.groupBy.enumerated() {
            let n = (k < spec.groupNames.count ? spec.groupNames[k] : nil) ?? String(g.split(separator: ".").last ?? "")
            names.append(n)
        }
        for m in spec.measures { names.append(m.name ?? m.defaultName) }
        var seen = Set<String>()
        for n in names {
            guard !n.isEmpty else { throw MergeFailure("an output column name is empty", usage: true) }
            guard seen.insert(n.lowercased()).inserted else {
                throw MergeFailure("two output columns are named '\(n)'; rename one with --as EXPR=NAME", usage: true)
            }
        }
        // State.
        var groups = ByteKeyTable(capacity: 1024)
        var states: [MeasureState] = []
        for (k, m) in spec.measures.enumerated() {
            let c = measureLeaves[k].map { schema.columns[$0] }
            switch m.function {
            case .count: states.append(.count([]))
            case .countDistinct: states.append(.distinct([], ByteKeyTable(capacity: 1024)))
            case .sum: states.append(TableMerge.isInteger(c!.physicalType) ? .sumInt([], []) : .sumDouble([], []))
            case .min, .max:
                switch c!.physicalType {
                case .int32, .int64, .boolean:
                    var unsigned = false
                    if case .integer(_, let signed)? = c!.logicalType { unsigned = !signed }
                    if let ct = c!.convertedType, [.uint8, .uint16, .uint32, .uint64].contains(ct) { unsigned = true }
                    states.append(.extInt([], [], unsigned: unsigned))
                case .float, .double: states.append(.extDouble([], []))
                case .int96: states.append(.extInt96([], []))
                default: states.append(.extBytes([], []))
                }
            }
        }
        let needed = Array(Set(groupLeaves + measureLeaves.compactMap { $0 })).sorted()
        var gids: [Int32] = []
        var keyBuf: [UInt8] = []
        for f in files {
            for g in 0..<f.rowGroupCount {
                let rows = Int(f.metadata.rowGroups[g].numRows)
                if rows == 0 { continue }
                var cols: [Int: ColumnData] = [:]
                let read = try parallelMap(needed.count, threads: min(needed.count, Cores.active)) { k in
                    try f.readColumn(rowGroup: g, column: needed[k])
                }
                for (k, i) in needed.enumerated() { cols[i] = read[k] }
                stats.rowsRead += rows
                // Group ids.
                gids = [Int32](repeating: 0, count: rows)
                if groupLeaves.isEmpty {
                    if groups.count == 0 { _ = groups.findOrInsert([]) }
                } else {
                    let keys = RowKeys(columns: groupLeaves.map { cols[$0]! }, rows: rows)
                    keys.bytes.withUnsafeBytes { b in
                        let p = b.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
                        for r in 0..<rows {
                            let s = keys.starts[r], n = keys.starts[r + 1] - s
                            gids[r] = Int32(groups.findOrInsert(p + s, n, hash: hashBytes(p + s, n)).id)
                        }
                    }
                }
                let ng = groups.count
                for k in states.indices {
                    let col = measureLeaves[k].map { cols[$0]! }
                    let idx = col.map(valueIndexes)
                    try update(&states[k], col: col, idx: idx, gids: gids, groups: ng, keyBuf: &keyBuf,
                               name: spec.measures[k].expression)
                }
            }
        }
        if groupLeaves.isEmpty && groups.count == 0 { _ = groups.findOrInsert([]) }
        let ng = groups.count
        stats.groups = ng
        for k in states.indices {
            try update(&states[k], col: nil, idx: nil, gids: [], groups: ng, keyBuf: &keyBuf, name: "")
        }
        // Output schema.
        var fields: [SchemaNode] = []
        for (k, l) in groupLeaves.enumerated() {
            var n = schema.leafNode(l)
            n.name = names[k]
            n.repetition = .optional
            fields.append(n)
        }
        for (k, m) in spec.measures.enumerated() {
            let name = names[groupLeaves.count + k]
            switch states[k] {
            case .count, .distinct, .sumInt: fields.append(.int64(name))
            case .sumDouble: fields.append(.double(name))
            default:
                var n = schema.leafNode(measureLeaves[k]!)
                n.name = name
                n.repetition = .optional
                fields.append(n)
                _ = m
            }
        }
        let outSchema = Schema(fields: fields)
        let writer = try makeWriter(outSchema)
        let chunk = 1 << 20
        var g0 = 0
        while g0 < ng {
            let g1 = min(ng, g0 + chunk)
            var cols: [ColumnData] = []
            for (k, _) in groupLeaves.enumerated() {
                var c = ColumnData(descriptor: outSchema.columns[k])
                for g in g0..<g1 {
                    let key = groups.key(g)
                    var pos = key.startIndex
                    // Skip earlier key parts.
                    for j in 0..<k {
                        var scratch = ColumnValues(physicalType: schema.columns[groupLeaves[j]].physicalType,
                                                   typeLength: schema.columns[groupLeaves[j]].typeLength)
                        _ = RowKeys.decodeValue(key, &pos, into: &scratch)
                    }
                    let present = RowKeys.decodeValue(key, &pos, into: &c.values)
                    c.definitionLevels.append(present ? 1 : 0)
                }
                c.levelCount = g1 - g0
                cols.append(c)
            }
            for k in states.indices {
                var c = ColumnData(descriptor: outSchema.columns[groupLeaves.count + k])
                c.levelCount = g1 - g0
                func put<T>(_ v: [T], _ p: [Bool]?, _ append: (inout ColumnValues, T) -> Void) {
                    for g in g0..<g1 {
                        if p?[g] ?? true {
                            append(&c.values, v[g])
                            c.definitionLevels.append(1)
                        } else {
                            c.definitionLevels.append(0)
                        }
                    }
                }
                switch states[k] {
                case .count(let v), .distinct(let v, _): put(v, nil) { $0.int64s.append($1) }
                case .sumInt(let v, let p): put(v, p) { $0.int64s.append($1) }
                case .sumDouble(let v, let p): put(v, p) { $0.doubles.append($1) }
                case .extDouble(let v, let p):
                    if c.values.physicalType == .float { put(v, p) { $0.floats.append(Float($1)) } } else { put(v, p) { $0.doubles.append($1) } }
                case .extInt(let v, let p, _):
                    switch c.values.physicalType {
                    case .int32: put(v, p) { $0.int32s.append(Int32(truncatingIfNeeded: $1)) }
                    case .boolean: put(v, p) { $0.booleans.append($1 != 0) }
                    default: put(v, p) { $0.int64s.append($1) }
                    }
                case .extInt96(let v, let p): put(v, p) { $0.int96s.append($1) }
                case .extBytes(let v, let p):
                    if c.values.physicalType == .fixedLenByteArray {
                        put(v, p) { $0.fixed.bytes.append(contentsOf: $1) }
                    } else {
                        put(v, p) { $0.byteArrays.append(contentsOf: $1) }
                    }
                }
                cols.append(c)
            }
            try writer.write(columns: cols)
            g0 = g1
        }
        try writer.close()
        return stats
    }

    /// Folds one row group into a measure (`col` nil and `gids` empty: only grow the state to `groups`).
    static func update(_ state: inout MeasureState, col: ColumnData?, idx: [Int32]?, gids: [Int32], groups: Int,
                       keyBuf: inout [UInt8], name: String) throws {
        func grow<T>(_ a: inout [T], _ fill: T) { if a.count < groups { a.append(contentsOf: repeatElement(fill, count: groups - a.count)) } }
        let rows = gids.count
        switch state {
        case .count(var v):
            state = .count([])
            grow(&v, 0)
            if let idx {
                for r in 0..<rows where idx[r] >= 0 { v[Int(gids[r])] += 1 }
            } else {
                for r in 0..<rows { v[Int(gids[r])] += 1 }
            }
            state = .count(v)
        case .distinct(var v, var set):
            state = .count([])
            grow(&v, 0)
            if let col, let idx {
                for r in 0..<rows where idx[r] >= 0 {
                    keyBuf.removeAll(keepingCapacity: true)
                    withUnsafeBytes(of: gids[r].littleEndian) { keyBuf.append(contentsOf: $0) }
                    RowKeys.appendValue(col.values, Int(idx[r]), to: &keyBuf)
                    if set.findOrInsert(keyBuf).inserted { v[Int(gids[r])] += 1 }
                }
            }
            state = .distinct(v, set)
        case .sumInt(var v, var p):
            state = .count([])
            grow(&v, 0)
            grow(&p, false)
            if let col, let idx {
                let vals = col.values
                for r in 0..<rows where idx[r] >= 0 {
                    let g = Int(gids[r])
                    let x = vals.physicalType == .int32 ? Int64(vals.int32s[Int(idx[r])]) : vals.int64s[Int(idx[r])]
                    let (s, o) = v[g].addingReportingOverflow(x)
                    if o { throw MergeFailure("\(name): integer overflow") }
                    v[g] = s
                    p[g] = true
                }
            }
            state = .sumInt(v, p)
        case .sumDouble(var v, var p):
            state = .count([])
            grow(&v, 0)
            grow(&p, false)
            if let col, let idx {
                let vals = col.values
                for r in 0..<rows where idx[r] >= 0 {
                    let g = Int(gids[r])
                    v[g] += vals.physicalType == .float ? Double(vals.floats[Int(idx[r])]) : vals.doubles[Int(idx[r])]
                    p[g] = true
                }
            }
            state = .sumDouble(v, p)
        case .extInt(var v, var p, let unsigned):
            state = .count([])
            grow(&v, 0)
            grow(&p, false)
            let isMax = name.hasPrefix("max(")
            if let col, let idx {
                let vals = col.values
                for r in 0..<rows where idx[r] >= 0 {
                    let g = Int(gids[r])
                    let i = Int(idx[r])
                    let x: Int64 = switch vals.physicalType {
                    case .int32: unsigned ? Int64(UInt32(bitPattern: vals.int32s[i])) : Int64(vals.int32s[i])
                    case .boolean: vals.booleans[i] ? 1 : 0
                    default: vals.int64s[i]
                    }
                    if !p[g] {
                        v[g] = x
                        p[g] = true
                        continue
                    }
                    let less = unsigned && vals.physicalType == .int64 ? UInt64(bitPattern: x) < UInt64(bitPattern: v[g]) : x < v[g]
                    let greater = unsigned && vals.physicalType == .int64 ? UInt64(bitPattern: x) > UInt64(bitPattern: v[g]) : x > v[g]
                    if isMax ? greater : less { v[g] = x }
                }
            }
            state = .extInt(v, p, unsigned: unsigned)
        case .extDouble(var v, var p):
            state = .count([])
            grow(&v, 0)
            grow(&p, false)
            let isMax = name.hasPrefix("max(")
            if let col, let idx {
                let vals = col.values
                for r in 0..<rows where idx[r] >= 0 {
                    let g = Int(gids[r])
                    let x = vals.physicalType == .float ? Double(vals.floats[Int(idx[r])]) : vals.doubles[Int(idx[r])]
                    if x.isNaN { continue }
                    if !p[g] || (isMax ? x > v[g] : x < v[g]) {
                        v[g] = x
                        p[g] = true
                    }
                }
            }
            state = .extDouble(v, p)
        case .extInt96(var v, var p):
            state = .count([])
            grow(&v, Int96(nanosOfDay: 0, julianDay: 0))
            grow(&p, false)
            let isMax = name.hasPrefix("max(")
            if let col, let idx {
                let vals = col.values
                for r in 0..<rows where idx[r] >= 0 {
                    let g = Int(gids[r])
                    let x = vals.int96s[Int(idx[r])]
                    let less = (x.julianDay, x.nanosOfDay) < (v[g].julianDay, v[g].nanosOfDay)
                    let greater = (x.julianDay, x.nanosOfDay) > (v[g].julianDay, v[g].nanosOfDay)
                    if !p[g] || (isMax ? greater : less) {
                        v[g] = x
                        p[g] = true
                    }
                }
            }
            state = .extInt96(v, p)
        case .extBytes(var v, var p):
            state = .count([])
            grow(&v, [])
            grow(&p, false)
            let isMax = name.hasPrefix("max(")
            if let col, let idx {
                let vals = col.values
                for r in 0..<rows where idx[r] >= 0 {
                    let g = Int(gids[r])
                    let i = Int(idx[r])
                    let x: ArraySlice<UInt8> = vals.physicalType == .fixedLenByteArray ? vals.fixed[i] : vals.byteArrays[i]
                    if !p[g] || (isMax ? v[g].lexicographicallyPrecedes(x) : x.lexicographicallyPrecedes(v[g])) {
                        v[g] = Array(x)
                        p[g] = true
                    }
                }
            }
            state = .extBytes(v, p)
        }
    }
}
