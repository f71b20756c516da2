import ArgumentParser
import JSON
import Parquet
import Warehouse

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Build the serving layer: base rows plus the delta's sums for the same key, plus new delta keys.",
        discussion: """
        Every base row, each --sum column increased by the delta row with the same --key; then the delta rows \
        whose key is not in the base. Delta columns match base columns by name after --map DELTACOL=COL renames \
        (e.g. --map 'count(id)=count_id'). A null measure adds nothing (null only when both sides are null); a null \
        key equals a null key; delta rows sharing a key are added up first; integer overflow is an error. The \
        result has the base's schema and replaces TABLE atomically: it is built in a hidden folder, renamed to a \
        new version DIR/TABLE/v-N/ and the link DIR/TABLE/current is swapped by rename(2), so readers see the old \
        or the new table, complete. Versions superseded for more than --grace seconds are removed. TABLE may be \
        the base; a missing TABLE is created (batch table).
        """)

    @Option(name: .long, help: "The warehouse folder.") var warehouse: String
    @Option(name: .long, help: "The base (batch-layer) table.") var base: String
    @Option(name: .long, help: "The delta (speed-layer) table.") var delta: String
    @Option(name: .long, parsing: .upToNextOption, help: "Key columns (repeatable, or comma-separated).") var key: [String] = []
    @Option(name: .long, help: "A column to add up (base name). Repeatable.") var sum: [String] = []
    @Option(name: .customLong("map"), help: "Rename a delta column: DELTACOL=COL. Repeatable.") var maps: [String] = []
    @Option(name: .long, help: "The table to write (created as a batch table if missing).") var into: String
    @Option(name: .long, parsing: .unconditional, help: "Seconds a superseded version is kept for readers still on it (default 600).")
    var grace: Int = VersionedLayout.defaultGraceSeconds
    @Option(name: .long, parsing: .unconditional, help: "Row groups decoded in parallel (default: the active cores; at most 4 x cores).") var threads: Int?
    @Option(name: .customLong("format"), help: "A missing --into table is created as parquet (versioned folders) or iceberg (default: iceberg when a source table is).")
    var intoFormat: TableFormat?
    @Flag(name: .long, help: "Print the outcome as JSON.") var json = false
    @Flag(name: .long, help: "Print nothing on success.") var quiet = false

    func run() throws {
        let keys = splitList(key)
        guard !keys.isEmpty else { throw WarehouseCLI.usage(warehouse, "give at least one --key column") }
        var renames: [(from: String, to: String)] = []
        for m in maps {
            // The delta name may itself contain '=' only if quoted differently; split at the last '='.
            guard let eq = m.lastIndex(of: "="), eq != m.startIndex, m.index(after: eq) != m.endIndex else {
                throw WarehouseCLI.usage(warehouse, "--map \(m): expected DELTACOL=COL")
            }
            renames.append((String(m[..<eq]), String(m[m.index(after: eq)...])))
        }
        if grace < 0 { throw WarehouseCLI.usage(warehouse, "--grace must not be negative") }
        _ = try FlagRange.workers(threads, "--threads")
        let w = try WarehouseCLI.open(warehouse)
        let t0 = monotonicSeconds()
        do {
            let spec = MergeSpec(keys: keys, sums: splitList(sum), renames: renames, threads: threads)
            let (result, stats) = try w.merge(base: base, delta: delta, into: into, spec: spec, graceSeconds: grace, format: intoFormat)
            let secs = monotonicSeconds() - t0
            if json {
                Output.write(WarehouseCLI.jsonLine(.object(JSONObject([
                    ("table", .string(result.table)), ("version", .string(result.version)),
                    ("base_rows", .number(JSONNumber(stats.baseRows))), ("delta_rows", .number(JSONNumber(stats.deltaRows))),
                    ("delta_keys", .number(JSONNumber(stats.deltaKeys))), ("matched_keys", .number(JSONNumber(stats.matchedKeys))),
                    ("updated_rows", .number(JSONNumber(stats.updatedRows))),
                    ("inserted_rows", .number(JSONNumber(stats.insertedRows))),
                    ("rows", .number(JSONNumber(stats.rowsWritten))), ("seconds", .number(JSONNumber(Double(Int(secs * 1000)) / 1000)!)),
                ]))))
            } else if !quiet {
                Output.write("Merged \(delta) into \(base) as \(result.table): \(stats.baseRows) base rows (\(stats.updatedRows) updated), \(stats.insertedRows) inserted, \(stats.rowsWritten) rows (\(result.version))\n")
            }
        } catch {
            throw WarehouseCLI.fail(warehouse, error)
        }
    }
}
