import ArgumentParser
import JSON
import Parquet
import Warehouse
#if canImport(Glibc)
import Glibc
#endif

/// Splits repeated options that may also hold comma-separated lists (`--group-by a,b --group-by c`).
func splitList(_ values: [String]) -> [String] {
    values.flatMap { $0.split(separator: ",").map { String($0).trimmingWhitespace() } }.filter { !$0.isEmpty }
}

/// Seconds since an arbitrary start (wall clock).
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

struct AggregateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aggregate",
        abstract: "Compute a batch-layer table: group a table's rows and count, count distinct, sum, min, max.",
        discussion: """
        Like SELECT g..., count(c), count(DISTINCT c), sum(c), min(c), max(c) FROM SRC GROUP BY g... (nulls form \
        one group; count counts non-null values, --count '*' rows; sum/min/max of only nulls are null; integer \
        sums are BIGINT and an overflow is an error). Columns are dotted paths (user.followers_count). Output \
        columns, in this order: the group columns (named by their last path component), then count_<col>, \
        count_distinct_<col>, sum_<col>, min_<col>, max_<col> (<col>: the last path component; count(*) is \
        `count`); rename any with --as EXPR=NAME, EXPR a group column or func(col) such as sum(user.followers_count). \
        --where-partition KEY OP VALUE (OP: = != < <= > >=; repeatable) reads only files whose partition folder \
        passes: Hive key=value folders, and for hourly YYYY/MM/DD/HH folders the key inserted_at. The result \
        replaces TABLE atomically (a new version folder and a swapped `current` link; readers see the old or the \
        new table, complete); TABLE is registered as a batch table.
        """)

    @Option(name: .long, help: "The warehouse folder.") var warehouse: String
    @Option(name: .long, help: "The source table (registered, or any folder DIR/<name> of Parquet files).") var table: String
    @Option(name: .customLong("group-by"), parsing: .upToNextOption, help: "Group columns (repeatable, or comma-separated).")
    var groupBy: [String] = []
    @Option(name: .long, help: "count(COL): non-null values; '*' counts rows. Repeatable.") var count: [String] = []
    @Option(name: .customLong("count-distinct"), help: "count(DISTINCT COL). Repeatable.") var countDistinct: [String] = []
    @Option(name: .long, help: "sum(COL). Repeatable.") var sum: [String] = []
    @Option(name: .long, help: "min(COL). Repeatable.") var min: [String] = []
    @Option(name: .long, help: "max(COL). Repeatable.") var max: [String] = []
    @Option(name: .customLong("as"), help: "Output name: EXPR=NAME, EXPR a group column or func(col). Repeatable.")
    var renames: [String] = []
    @Option(name: .customLong("where-partition"), help: "Partition filter KEY OP VALUE, e.g. inserted_at>=2024/05/01/00. Repeatable (all must hold).")
    var wherePartition: [String] = []
    @Option(name: .long, help: "The table to write (created as a batch table if missing).") var into: String
    @Option(name: .long, parsing: .unconditional, help: "Seconds a superseded version is kept for readers still on it (default 600).")
    var grace: Int = VersionedLayout.defaultGraceSeconds
    @Option(name: .customLong("format"), help: "A missing --into table is created as parquet (versioned folders) or iceberg (default: iceberg when a source table is).")
    var intoFormat: TableFormat?
    @Flag(name: .long, help: "Print the outcome as JSON.") var json = false
    @Flag(name: .long, help: "Print nothing on success.") var quiet = false

    func run() throws {
        let groups = splitList(groupBy)
        var measures: [AggregateMeasure] = []
        for c in splitList(count) { measures.append(AggregateMeasure(.count, c)) }
        for c in splitList(countDistinct) { measures.append(AggregateMeasure(.countDistinct, c)) }
        for c in splitList(sum) { measures.append(AggregateMeasure(.sum, c)) }
        for c in splitList(min) { measures.append(AggregateMeasure(.min, c)) }
        for c in splitList(max) { measures.append(AggregateMeasure(.max, c)) }
        var groupNames = [String?](repeating: nil, count: groups.count)
        for r in renames {
            guard let eq = r.lastIndex(of: "="), eq != r.startIndex, r.index(after: eq) != r.endIndex else {
                throw WarehouseCLI.usage(warehouse, "--as \(r): expected EXPR=NAME")
            }
            let expr = String(r[..<eq]).trimmingWhitespace(), name = String(r[r.index(after: eq)...]).trimmingWhitespace()
            if let k = groups.firstIndex(of: expr) {
                groupNames[k] = name
            } else if let k = measures.firstIndex(where: { $0.expression.lowercased() == expr.lowercased().replacingSpaces() }) {
                measures[k].name = name
            } else {
                let known = groups + measures.map(\.expression)
                throw WarehouseCLI.usage(warehouse, "--as \(r): '\(expr)' is not an output of this aggregate (\(known.joined(separator: ", ")))")
            }
        }
        if grace < 0 { throw WarehouseCLI.usage(warehouse, "--grace must not be negative") }
        var filters: [PartitionFilter] = []
        do {
            for w in wherePartition { filters.append(try PartitionFilter.parse(w)) }
        } catch {
            throw WarehouseCLI.fail(warehouse, error)
        }
        if groups.isEmpty && measures.isEmpty {
            throw WarehouseCLI.usage(warehouse, "give --group-by columns and at least one measure (--count, --sum, ...)")
        }
        let w = try WarehouseCLI.open(warehouse)
        let t0 = monotonicSeconds()
        do {
            let spec = AggregateSpec(groupBy: groups, groupNames: groupNames, measures: measures, filters: filters)
            let (result, stats) = try w.aggregate(table: table, into: into, spec: spec, graceSeconds: grace, format: intoFormat)
            let secs = monotonicSeconds() - t0
            if json {
                Output.write(WarehouseCLI.jsonLine(.object(JSONObject([
                    ("table", .string(result.table)), ("version", .string(result.version)),
                    ("files_read", .number(JSONNumber(stats.filesRead))),
                    ("files_skipped", .number(JSONNumber(stats.filesSkipped))),
                    ("rows_read", .number(JSONNumber(stats.rowsRead))), ("groups", .number(JSONNumber(stats.groups))),
                    ("seconds", .number(JSONNumber(Double(Int(secs * 1000)) / 1000)!)),
                ]))))
            } else if !quiet {
                Output.write("Aggregated \(stats.rowsRead) rows of \(table) into \(result.table): \(stats.groups) rows (\(result.version))\n")
            }
        } catch {
            throw WarehouseCLI.fail(warehouse, error)
        }
    }
}

extension String {
    func replacingSpaces() -> String { String(filter { $0 != " " }) }
}
