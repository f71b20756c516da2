import Foundation
import Testing

import Firehose
import Parquet
@testable import Warehouse

// MARK: - helpers

/// Writes rows (`.object` values) as `DIR/<rel>` with a schema of top-level fields.
func writeParquet(_ path: String, _ fields: [SchemaNode], _ rows: [ParquetValue], rowGroupRows: Int? = nil) throws {
    let dir = (path as NSString).deletingLastPathComponent
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    var o = WriterOptions()
    if let r = rowGroupRows { o.rowGroupRows = r }
    o.fsync = false
    let w = try ParquetWriter(path: path, schema: Schema(fields: fields), options: o)
    try w.write(rows: rows)
    try w.close()
}

func row(_ pairs: [(String, ParquetValue)]) -> ParquetValue { .record(pairs) }

/// Rows of a table (its current version) as comparable text, sorted.
func tableRows(_ w: DataWarehouse, _ name: String) throws -> [String] {
    let s = try w.snapshot(of: name)
    var out: [String] = []
    for f in s.files { out += try f.readValues().map { "\($0)" } }
    return out.sorted()
}

func int(_ v: Int64?) -> ParquetValue { v.map { .int($0) } ?? .null }

let servingFields: [SchemaNode] = [.string("location"), .int64("count_id"), .int64("sum_followers_count")]
let speedFields: [SchemaNode] = [.string("location"), .int64("count(id)"), .int32("sum(followers_count)")]

func servingRow(_ loc: String?, _ c: Int64?, _ f: Int64?) -> ParquetValue {
    row([("location", loc.map { .string($0) } ?? .null), ("count_id", int(c)), ("sum_followers_count", int(f))])
}

func speedRow(_ loc: String?, _ c: Int64?, _ f: Int64?) -> ParquetValue {
    row([("location", loc.map { .string($0) } ?? .null), ("count(id)", int(c)), ("sum(followers_count)", int(f))])
}

let lambdaSpec = MergeSpec(keys: ["location"], sums: ["count_id", "sum_followers_count"],
                           renames: [("count(id)", "count_id"), ("sum(followers_count)", "sum_followers_count")])

func lambdaWarehouse(_ tmp: TempDir, base: [ParquetValue], delta: [ParquetValue]) throws -> DataWarehouse {
    let w = try DataWarehouse.initialize(at: tmp.path + "/wh", database: "db", now: fixedNow)
    try writeParquet(w.directory + "/batch_layer/part-0.parquet", servingFields, base)
    try writeParquet(w.directory + "/speed_layer/part-0.parquet", speedFields, delta)
    return w
}

@Suite("Merge (serving layer)")
struct MergeTests {
    @Test func lambdaRules() throws {
        let tmp = TempDir()
        let w = try lambdaWarehouse(tmp, base: [
            servingRow("a", 1, 10),      // only in the base
            servingRow("b", 2, 20),      // in both
            servingRow("c", nil, 30),    // null base measure
            servingRow(nil, 4, nil),     // null key, in both
            servingRow("e", 5, 50),      // delta measure null
        ], delta: [
            speedRow("b", 5, nil),
            speedRow("c", 6, 3),
            speedRow(nil, 8, 1),
            speedRow("e", nil, nil),
            speedRow("d", 7, 9),         // only in the delta
            speedRow("f", 1, 1), speedRow("f", 2, nil),   // a repeated delta key: added up first
        ])
        let (result, stats) = try w.merge(base: "batch_layer", delta: "speed_layer", into: "serving_layer", spec: lambdaSpec)
        #expect(result.version == "v-000001")
        #expect(stats.baseRows == 5 && stats.deltaRows == 7 && stats.deltaKeys == 6 && stats.matchedKeys == 4)
        #expect(stats.insertedRows == 2 && stats.rowsWritten == 7)
        #expect(try tableRows(w, "serving_layer") == [
            servingRow("a", 1, 10), servingRow("b", 7, 20), servingRow("c", 6, 33), servingRow(nil, 12, 1),
            servingRow("e", 5, 50), servingRow("d", 7, 9), servingRow("f", 3, 1),
        ].map { "\($0)" }.sorted())
        // Registered as a versioned batch table; DDL reads the current version.
        let t = try w.table(named: "serving_layer")
        #expect(t.kind == .batch)
        #expect(t.columns.map { "\($0.name) \($0.type)" } == ["location string", "count_id bigint", "sum_followers_count bigint"])
        #expect(t.properties.map(\.key) == [VersionedLayout.layoutProperty, VersionedLayout.currentProperty])
        #expect(DDL.duckdb(table: t, base: "/w").contains("read_parquet('/w/serving_layer/current/**/*.parquet'"))
        #expect(DDL.athena(database: "db", table: t, base: "s3://b/p").contains("LOCATION 's3://b/p/serving_layer/v-000001/'"))
    }

    @Test func firstMergeIntoItselfAndVersions() throws {
        let tmp = TempDir()
        let w = try lambdaWarehouse(tmp, base: [servingRow("a", 1, 1)], delta: [speedRow("a", 1, 1), speedRow("b", 1, 1)])
        // First merge: no serving table yet.
        try w.merge(base: "batch_layer", delta: "speed_layer", into: "serving_layer", spec: lambdaSpec)
        // Then the serving layer is its own base.
        for k in 2...4 {
            let (r, _) = try w.merge(base: "serving_layer", delta: "speed_layer", into: "serving_layer", spec: lambdaSpec,
                                     graceSeconds: 0)
            #expect(r.version == VersionedLayout.folderName(k))
        }
        #expect(try tableRows(w, "serving_layer") == [servingRow("a", 5, 5), servingRow("b", 4, 4)].map { "\($0)" }.sorted())
        // Grace 0: only the current version and the one it replaced within 0 s are... removed at once.
        let names = try FileManager.default.contentsOfDirectory(atPath: w.directory + "/serving_layer").filter { !$0.hasPrefix(".") }.sorted()
        #expect(names == ["current", "v-000004"])
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: w.directory + "/serving_layer/current") == "v-000004")
    }

    @Test func errorsAndRefusals() throws {
        let tmp = TempDir()
        let w = try lambdaWarehouse(tmp, base: [servingRow("a", 1, 1)], delta: [speedRow("a", 1, 1)])
        var spec = lambdaSpec
        spec.keys = ["nope"]
        #expect(message { try w.merge(base: "batch_layer", delta: "speed_layer", into: "s", spec: spec) }
            .hasPrefix("key column 'nope' is not a column of the base table"))
        spec = lambdaSpec
        spec.renames = []
        #expect(message { try w.merge(base: "batch_layer", delta: "speed_layer", into: "s", spec: spec) } == "no error")
        spec.renames = [("count(x)", "count_id")]
        #expect(message { try w.merge(base: "batch_layer", delta: "speed_layer", into: "s", spec: spec) }
            .hasPrefix("--map count(x)=count_id: the delta table has no column 'count(x)'"))
        // A failed merge leaves the table as it was.
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: w.directory + "/s/current") == "v-000001")
        // A folder with loose files is not replaced; a plain table is not a target.
        try writeParquet(w.directory + "/loose/x.parquet", servingFields, [servingRow("a", 1, 1)])
        #expect(message { try w.merge(base: "batch_layer", delta: "speed_layer", into: "loose", spec: lambdaSpec) }
            .contains("holds data files outside floe's versions"))
        try w.createTable(TableSpec(name: "plain", columns: try columns(#"[{"name":"a","type":"int"}]"#)))
        #expect(message { try w.merge(base: "batch_layer", delta: "speed_layer", into: "plain", spec: lambdaSpec) }
            .hasPrefix("table 'plain' is a plain parquet table"))
        // Overflow is an error, not a wrap-around.
        try writeParquet(w.directory + "/big/x.parquet", servingFields, [servingRow("a", Int64.max, 1)])
        let e = message { try w.merge(base: "big", delta: "speed_layer", into: "s2", spec: lambdaSpec) }
        #expect(e.contains("integer overflow"))
    }

    /// Random tables against a dictionary model of the rules.
    @Test func randomAgainstModel() throws {
        var rng = SystemRandomNumberGenerator()
        for iteration in 0..<25 {
            let tmp = TempDir()
            let nb = Int.random(in: 0...(iteration % 5 == 0 ? 3 : 3000), using: &rng)
            let nd = Int.random(in: 0...(iteration % 7 == 0 ? 3 : 1500), using: &rng)
            let nullRate = [0.0, 0.2, 0.6].randomElement(using: &rng)!
            func m() -> Int64? { Double.random(in: 0..<1, using: &rng) < nullRate ? nil : Int64.random(in: -1000...1000, using: &rng) }
            let pool = (0..<(nb + nd + 5)).shuffled(using: &rng)
            let baseKeys = Array(pool[0..<nb])
            let both = Int(Double(min(nb, nd)) * Double.random(in: 0...1, using: &rng))
            var deltaKeys = Array(baseKeys.shuffled(using: &rng).prefix(both)) + Array(pool[nb..<(nb + nd - both)])
            deltaKeys.shuffle(using: &rng)
            let base = baseKeys.map { ("k\($0)", m(), m()) }
            let delta = deltaKeys.map { ("k\($0)", m(), m()) }
            let w = try DataWarehouse.initialize(at: tmp.path + "/wh", database: "db", now: fixedNow)
            let half = base.count / 2
            try writeParquet(w.directory + "/batch_layer/a.parquet", servingFields,
                             base[..<half].map { servingRow($0.0, $0.1, $0.2) }, rowGroupRows: 500)
            try writeParquet(w.directory + "/batch_layer/b.parquet", servingFields,
                             base[half...].map { servingRow($0.0, $0.1, $0.2) }, rowGroupRows: 700)
            try writeParquet(w.directory + "/speed_layer/d.parquet", speedFields, delta.map { speedRow($0.0, $0.1, $0.2) })
            var spec = lambdaSpec
            spec.threads = iteration % 2 == 0 ? 1 : 3
            try w.merge(base: "batch_layer", delta: "speed_layer", into: "serving_layer", spec: spec)
            func add(_ a: Int64?, _ b: Int64?) -> Int64? { a == nil ? b : b == nil ? a : a! + b! }
            let d = Dictionary(uniqueKeysWithValues: delta.map { ($0.0, ($0.1, $0.2)) })
            let baseSet = Set(base.map(\.0))
            var want = base.map { r -> ParquetValue in
                guard let x = d[r.0] else { return servingRow(r.0, r.1, r.2) }
                return servingRow(r.0, add(r.1, x.0), add(r.2, x.1))
            }
            want += delta.filter { !baseSet.contains($0.0) }.map { servingRow($0.0, $0.1, $0.2) }
            #expect(try tableRows(w, "serving_layer") == want.map { "\($0)" }.sorted(), "iteration \(iteration): base \(nb), delta \(nd)")
        }
    }

    /// A reader loop during 50 merges never sees a partial or missing table.
    @Test func readerDuringFiftyMerges() throws {
        let tmp = TempDir()
        let keys = 3000
        let w = try lambdaWarehouse(tmp, base: (0..<keys).map { servingRow("k\($0)", 1, 1) },
                                    delta: (0..<keys).map { speedRow("k\($0)", 1, 1) })
        try w.merge(base: "batch_layer", delta: "speed_layer", into: "serving_layer", spec: lambdaSpec)
        final class State: @unchecked Sendable {
            let lock = NSLock()
            var stop = false
            var reads = 0
            var problems: [String] = []
            var versions = Set<Int64>()
        }
        let state = State()
        let dir = w.directory + "/serving_layer"
        let reader = Thread {
            while true {
                state.lock.lock()
                let stop = state.stop
                state.lock.unlock()
                if stop { break }
                do {
                    let s = try TableSnapshot.open(tableDir: dir)
                    var counts: [Int64] = []
                    for f in s.files {
                        for g in 0..<f.rowGroupCount {
                            let c = try f.readColumn(rowGroup: g, column: 1)
                            counts += c.values.int64s
                        }
                    }
                    let distinct = Set(counts)
                    state.lock.lock()
                    if counts.count != keys || distinct.count != 1 {
                        state.problems.append("\(counts.count) rows, counts \(distinct.sorted().prefix(3))")
                    } else {
                        state.versions.insert(distinct.first!)
                    }
                    state.reads += 1
                    state.lock.unlock()
                } catch {
                    state.lock.lock()
                    state.problems.append("\(error)")
                    state.lock.unlock()
                }
            }
            state.lock.lock()
            state.stop = false
            state.lock.unlock()
        }
        reader.start()
        for _ in 0..<50 {
            try w.merge(base: "serving_layer", delta: "speed_layer", into: "serving_layer", spec: lambdaSpec, graceSeconds: 0)
        }
        state.lock.lock()
        state.stop = true
        state.lock.unlock()
        while true {
            state.lock.lock()
            let done = !state.stop
            state.lock.unlock()
            if done { break }
            usleep(1000)
        }
        #expect(state.problems.isEmpty, "\(state.problems.prefix(3))")
        #expect(state.reads > 0)
        #expect(try tableRows(w, "serving_layer").count == keys)
        let s = try w.snapshot(of: "serving_layer")
        #expect(s.version == "v-000051")
        print("readerDuringFiftyMerges: \(state.reads) reads, \(state.versions.count) distinct versions seen")
    }
}

@Suite("Aggregate (batch layer)")
struct AggregateTests {
    func tweets(_ tmp: TempDir) throws -> DataWarehouse {
        let w = try DataWarehouse.initialize(at: tmp.path + "/wh", database: "db", now: fixedNow)
        let fields: [SchemaNode] = [
            .string("id"),
            .group("user", .optional, [.string("location"), .int64("followers_count")]),
            .int32("retweet_count"), .double("score"),
        ]
        func t(_ id: String, _ loc: String?, _ f: Int64?, _ rt: Int64?, _ s: Double?) -> ParquetValue {
            row([("id", .string(id)),
                 ("user", loc == nil && f == nil ? .null : row([("location", loc.map { .string($0) } ?? .null), ("followers_count", int(f))])),
                 ("retweet_count", int(rt)), ("score", s.map { .double($0) } ?? .null)])
        }
        try writeParquet(w.directory + "/tweets/2024/05/01/12/a.parquet", fields, [
            t("1", "paris", 10, 1, 0.5), t("2", "paris", 20, nil, 1.5), t("1", "rome", nil, 3, nil), t("3", nil, nil, 4, 2.0),
        ])
        try writeParquet(w.directory + "/tweets/2024/05/01/13/b.parquet", fields, [
            t("4", "paris", 5, 2, -1.0), t("5", "oslo", 7, 7, 3.0),
        ])
        return w
    }

    @Test func lambdaBatchLayer() throws {
        let tmp = TempDir()
        let w = try tweets(tmp)
        let spec = AggregateSpec(groupBy: ["user.location"], measures: [
            AggregateMeasure(.count, "id"), AggregateMeasure(.countDistinct, "id"), AggregateMeasure(.sum, "user.followers_count"),
            AggregateMeasure(.sum, "retweet_count"), AggregateMeasure(.sum, "score"), AggregateMeasure(.min, "id"),
            AggregateMeasure(.max, "score"), AggregateMeasure(.count, "*", name: "n"),
        ])
        let (r, stats) = try w.aggregate(table: "tweets", into: "batch_layer", spec: spec)
        #expect(r.version == "v-000001" && stats.groups == 4 && stats.rowsRead == 6 && stats.filesRead == 2)
        let t = try w.table(named: "batch_layer")
        #expect(t.columns.map(\.name) == ["location", "count_id", "count_distinct_id", "sum_followers_count",
                                          "sum_retweet_count", "sum_score", "min_id", "max_score", "n"])
        #expect(t.columns.map(\.type.description) == ["string", "bigint", "bigint", "bigint", "bigint", "double", "string", "double", "bigint"])
        func out(_ loc: String?, _ c: Int64, _ cd: Int64, _ f: Int64?, _ rt: Int64?, _ s: Double?, _ mn: String, _ mx: Double?, _ n: Int64) -> String {
            "\(row([("location", loc.map { .string($0) } ?? .null), ("count_id", .int(c)), ("count_distinct_id", .int(cd)), ("sum_followers_count", int(f)), ("sum_retweet_count", int(rt)), ("sum_score", s.map { .double($0) } ?? .null), ("min_id", .string(mn)), ("max_score", mx.map { .double($0) } ?? .null), ("n", .int(n))]))"
        }
        #expect(try tableRows(w, "batch_layer") == [
            out("paris", 3, 3, 35, 3, 1.0, "1", 1.5, 3), out("rome", 1, 1, nil, 3, nil, "1", nil, 1),
            out(nil, 1, 1, nil, 4, 2.0, "3", 2.0, 1), out("oslo", 1, 1, 7, 7, 3.0, "5", 3.0, 1),
        ].sorted())
        // Partition filter and renaming; a second aggregate replaces the table.
        let spec2 = AggregateSpec(groupBy: ["user.location"], groupNames: ["place"], measures: [AggregateMeasure(.count, "*")],
                                  filters: [try PartitionFilter.parse("inserted_at>=2024/05/01/13")])
        let (r2, s2) = try w.aggregate(table: "tweets", into: "batch_layer", spec: spec2)
        #expect(r2.version == "v-000002" && s2.filesRead == 1 && s2.filesSkipped == 1 && s2.groups == 2)
        #expect(try w.table(named: "batch_layer").columns.map(\.name) == ["place", "count"])
    }

    @Test func filtersAndErrors() throws {
        #expect(try PartitionFilter.parse("inserted_at >= '2024/05/01/00'") == PartitionFilter(key: "inserted_at", op: .ge, value: "2024/05/01/00"))
        #expect(try PartitionFilter.parse("dt!=3") == PartitionFilter(key: "dt", op: .ne, value: "3"))
        #expect(message { _ = try PartitionFilter.parse("nothing") }.hasPrefix("--where-partition 'nothing'"))
        #expect(PartitionFilter.values(ofRelativePath: "2024/05/01/12/x.parquet") == ["inserted_at": "2024/05/01/12"])
        #expect(PartitionFilter.values(ofRelativePath: "dt=2024-05-01/h=7/x.parquet") == ["dt": "2024-05-01", "h": "7"])
        #expect(try PartitionFilter.parse("h>=10").passes(["h": "9"]) == false)   // numbers compare as numbers
        let tmp = TempDir()
        let w = try tweets(tmp)
        #expect(message { try w.aggregate(table: "tweets", into: "b", spec: AggregateSpec(groupBy: ["nope"], measures: [])) }
            .hasPrefix("group-by column 'nope' is not a column of the source table"))
        #expect(message { try w.aggregate(table: "tweets", into: "b", spec: AggregateSpec(groupBy: ["id"], measures: [AggregateMeasure(.sum, "id")])) }
            .hasPrefix("sum(id): the column is"))
        #expect(message { try w.aggregate(table: "tweets", into: "b", spec: AggregateSpec(groupBy: ["id"], measures: [AggregateMeasure(.count, "id"), AggregateMeasure(.count, "user.id")])) }
            .contains("not a column"))
        #expect(message { try w.aggregate(table: "none", into: "b", spec: AggregateSpec(groupBy: ["id"], measures: [])) } == "Table 'none' does not exist.")
    }
}

@Suite("aggregate and merge command line")
struct ServingCLITests {
    @Test func exitCodesAndOutput() throws {
        guard let floe = floeBinary() else {
            print("SKIPPED exitCodesAndOutput: no floe binary beside the test bundle")
            return
        }
        let tmp = TempDir()
        let w = try lambdaWarehouse(tmp, base: [servingRow("a", 1, 1)], delta: [speedRow("a", 2, 2), speedRow("b", 1, 1)])
        let wh = w.directory
        let mergeArgs = ["merge", "--warehouse", wh, "--base", "batch_layer", "--delta", "speed_layer", "--key", "location",
                         "--sum", "count_id", "--sum", "sum_followers_count", "--map", "count(id)=count_id",
                         "--map", "sum(followers_count)=sum_followers_count", "--into", "serving_layer"]
        var r = try run(floe, mergeArgs)
        #expect(r.0 == 0)
        #expect(r.1 == "Merged speed_layer into batch_layer as serving_layer: 1 base rows (1 updated), 1 inserted, 2 rows (v-000001)\n")
        r = try run(floe, ["cat", wh + "/serving_layer"])
        #expect(r.1 == "{\"location\":\"a\",\"count_id\":3,\"sum_followers_count\":3}\n{\"location\":\"b\",\"count_id\":1,\"sum_followers_count\":1}\n")
        r = try run(floe, mergeArgs.map { $0 == "location" ? "place" : $0 })
        #expect(r.0 == 2)
        #expect(r.2.hasPrefix("floe: \(wh): key column 'place' is not a column of the base table"))
        r = try run(floe, ["merge", "--warehouse", wh, "--base", "batch_layer", "--delta", "speed_layer", "--into", "x"])
        #expect(r.0 == 2)
        r = try run(floe, ["aggregate", "--warehouse", wh, "--table", "serving_layer", "--group-by", "location",
                           "--sum", "count_id", "--as", "sum(count_id)=total", "--into", "agg", "--json"])
        #expect(r.0 == 0)
        #expect(r.1.hasPrefix("{\"table\":\"agg\",\"version\":\"v-000001\",\"files_read\":1,\"files_skipped\":0,\"rows_read\":2,\"groups\":2,"))
        r = try run(floe, ["cat", wh + "/agg"])
        #expect(r.1 == "{\"location\":\"a\",\"total\":3}\n{\"location\":\"b\",\"total\":1}\n")
        r = try run(floe, ["aggregate", "--warehouse", wh, "--table", "serving_layer", "--group-by", "location",
                           "--where-partition", "oops", "--into", "agg"])
        #expect(r.0 == 2)
        #expect(r.2.contains("--where-partition 'oops'"))
        r = try run(floe, ["table", "ddl", "serving_layer", "--warehouse", wh, "--engine", "duckdb"])
        #expect(r.1.contains("/serving_layer/current/**/*.parquet"))
    }
}
