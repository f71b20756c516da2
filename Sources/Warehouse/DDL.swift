// DDL export: how to declare a warehouse table (and its registered partitions) in other engines.
//
// - Athena (Hive DDL): `CREATE EXTERNAL TABLE` with `PARTITIONED BY`, the SerDe of the format (Parquet:
//   ParquetHiveSerDe; JSON: org.openx.data.jsonserde.JsonSerDe), `LOCATION`, `TBLPROPERTIES` (table properties,
//   if any), then one `ALTER TABLE … ADD IF NOT EXISTS PARTITION (…) LOCATION '…';` per registered partition.
// - Glue: JSON documents, one per line: the input of `aws glue create-table --cli-input-json`
//   (`DatabaseName`, `TableInput`), then the inputs of `aws glue batch-create-partition --cli-input-json`
//   (`DatabaseName`, `TableName`, `PartitionInputList`), at most 100 partitions each (Glue's limit).
// - DuckDB: `CREATE OR REPLACE VIEW` over `read_parquet` (JSON tables: `read_json`) of the table's files, with
//   the partition column: streaming tables take `inserted_at` from the hourly folder names, other partitioned
//   tables read Hive `key=value` folders (`hive_partitioning = true`).
//
// Locations: `base` is the warehouse's location in the engine (`s3://bucket/prefix`, or a local folder); a
// table is at `<base>/<table>/` and a partition at `<base>/<partition folder>/`.
//
// Versioned tables (written by `aggregate` / `merge`, TableStorage.swift): DuckDB reads
// `<base>/<table>/current/**/*.parquet` (the link resolves to the current version when the view is queried);
// Athena and Glue, which have no links, get `LOCATION '<base>/<table>/<floe.current_version>/'` — the version
// current when the DDL was printed; after a merge, print it again (or `ALTER TABLE … SET LOCATION` to the new
// version).

import Firehose
import JSON

/// The dialect `floe table ddl --engine` prints.
public enum DDLEngine: String, Sendable, CaseIterable {
    /// `athena`: `CREATE EXTERNAL TABLE` and `ALTER TABLE ADD PARTITION` statements; `glue`: `aws glue` CLI input
    /// JSON (`TableInput`, `PartitionInputList` in batches of ``DDL/gluePartitionBatch``); `duckdb`: a view over
    /// `read_parquet` / `read_json` of the table's files.
    case athena, glue, duckdb
}

/// Statements that register a warehouse table in a query engine (Athena, Glue, DuckDB), from its catalog entry.
public enum DDL {
    static let parquetSerDe = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    static let parquetInput = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    static let parquetOutput = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
    static let jsonSerDe = "org.openx.data.jsonserde.JsonSerDe"
    static let textInput = "org.apache.hadoop.mapred.TextInputFormat"
    static let textOutput = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
    /// Glue's limit on `PartitionInputList`.
    public static let gluePartitionBatch = 100

    /// `base` + `/` + a relative location (which ends in `/`).
    public static func join(_ base: String, _ relative: String) -> String {
        var b = base
        while b.hasSuffix("/") && b.count > 1 { b.removeLast() }
        if b == "/" { return "/" + relative }
        return b + "/" + relative
    }

    /// Where the table's rows are, relative to the warehouse: its location, or for a versioned table the folder of
    /// its current version (`<table>/v-000007/`) — or its `current` link with `link`.
    public static func dataLocation(_ table: Table, link: Bool = false) -> String {
        guard table.properties.contains(where: { $0.key == VersionedLayout.layoutProperty && $0.value == VersionedLayout.layoutValue })
        else { return table.location }
        if link { return table.location + VersionedLayout.currentLink + "/" }
        guard let v = table.properties.last(where: { $0.key == VersionedLayout.currentProperty })?.value, !v.isEmpty else {
            return table.location + VersionedLayout.currentLink + "/"
        }
        return table.location + v + "/"
    }

    // MARK: - Athena

    /// `'text'` with `\` and `'` escaped by a backslash, as Hive string literals.
    static func hiveString(_ s: String) -> String {
        var out = "'"
        for c in s {
            switch c {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out + "'"
    }

    /// `` `name` `` with inner backticks doubled.
    static func quoted(_ name: String) -> String {
        "`" + name.split(separator: "`", omittingEmptySubsequences: false).joined(separator: "``") + "`"
    }

    static func columnLine(_ c: HiveColumn) -> String {
        var line = "  \(quoted(c.name)) \(c.type)"
        if let comment = c.comment { line += " COMMENT \(hiveString(comment))" }
        return line
    }

    /// The Athena (Hive) DDL of `table` at `base`, then its partitions.
    public static func athena(database: String, table: Table, base: String) -> String {
        let name = "\(quoted(database)).\(quoted(table.name))"
        var out = "CREATE EXTERNAL TABLE \(name) (\n"
        out += table.columns.map(columnLine).joined(separator: ",\n") + "\n)\n"
        if !table.partitionKeys.isEmpty {
            out += "PARTITIONED BY (\n" + table.partitionKeys.map(columnLine).joined(separator: ",\n") + "\n)\n"
        }
        switch table.format {
        case .parquet, .iceberg:
            out += "ROW FORMAT SERDE \(hiveString(parquetSerDe))\n"
            out += "STORED AS INPUTFORMAT \(hiveString(parquetInput))\n"
            out += "OUTPUTFORMAT \(hiveString(parquetOutput))\n"
        case .json:
            out += "ROW FORMAT SERDE \(hiveString(jsonSerDe))\n"
            out += "STORED AS INPUTFORMAT \(hiveString(textInput))\n"
            out += "OUTPUTFORMAT \(hiveString(textOutput))\n"
        }
        out += "LOCATION \(hiveString(join(base, dataLocation(table))))"
        if !table.properties.isEmpty {
            out += "\nTBLPROPERTIES (\n"
            out += table.properties.map { "  \(hiveString($0.key))=\(hiveString($0.value))" }.joined(separator: ",\n")
            out += "\n)"
        }
        out += ";\n"
        for p in table.partitions {
            let spec = zip(table.partitionKeys, p.values).map { "\(quoted($0.name))=\(hiveString($1))" }
                .joined(separator: ", ")
            out += "ALTER TABLE \(name) ADD IF NOT EXISTS PARTITION (\(spec)) LOCATION \(hiveString(join(base, p.location)));\n"
        }
        return out
    }

    // MARK: - Glue

    static func glueColumns(_ cols: [HiveColumn]) -> JSONValue {
        .array(cols.map { c in
            var o = JSONObject([("Name", .string(c.name)), ("Type", .string(c.type.description))])
            if let comment = c.comment { _ = o.append(key: "Comment", value: .string(comment)) }
            return .object(o)
        })
    }

    static func storageDescriptor(_ table: Table, location: String) -> JSONValue {
        let (input, output, serde, serdeParams): (String, String, String, [(String, JSONValue)]) = switch table.format {
        case .parquet, .iceberg: (parquetInput, parquetOutput, parquetSerDe, [("serialization.format", "1")])
        case .json: (textInput, textOutput, jsonSerDe, [("paths", .string(table.columns.map(\.name).joined(separator: ",")))])
        }
        return .object(JSONObject([
            ("Columns", glueColumns(table.columns)),
            ("Location", .string(location)),
            ("InputFormat", .string(input)),
            ("OutputFormat", .string(output)),
            ("Compressed", .bool(false)),
            ("SerdeInfo", .object(JSONObject([
                ("SerializationLibrary", .string(serde)),
                ("Parameters", .object(JSONObject(serdeParams))),
            ]))),
            ("StoredAsSubDirectories", .bool(false)),
        ]))
    }

    /// The Glue `TableInput` of `table` at `base`.
    public static func glueTableInput(_ table: Table, base: String) -> JSONValue {
        var params = JSONObject([("EXTERNAL", "TRUE"), ("classification", .string(table.format.rawValue))])
        for p in table.properties { _ = params.append(key: p.key, value: .string(p.value)) }
        return .object(JSONObject([
            ("Name", .string(table.name)),
            ("TableType", "EXTERNAL_TABLE"),
            ("Parameters", .object(params)),
            ("StorageDescriptor", storageDescriptor(table, location: join(base, dataLocation(table)))),
            ("PartitionKeys", glueColumns(table.partitionKeys)),
        ]))
    }

    /// The Glue `PartitionInput` of one partition.
    public static func gluePartitionInput(_ table: Table, _ p: Partition, base: String) -> JSONValue {
        .object(JSONObject([
            ("Values", .array(p.values.map { .string($0) })),
            ("StorageDescriptor", storageDescriptor(table, location: join(base, p.location))),
        ]))
    }

    /// The `create-table` input, then the `batch-create-partition` inputs (≤ 100 partitions each).
    public static func glue(database: String, table: Table, base: String) -> [JSONValue] {
        var docs: [JSONValue] = [.object(JSONObject([
            ("DatabaseName", .string(database)),
            ("TableInput", glueTableInput(table, base: base)),
        ]))]
        var i = 0
        while i < table.partitions.count {
            let batch = table.partitions[i..<min(i + gluePartitionBatch, table.partitions.count)]
            docs.append(.object(JSONObject([
                ("DatabaseName", .string(database)),
                ("TableName", .string(table.name)),
                ("PartitionInputList", .array(batch.map { gluePartitionInput(table, $0, base: base) })),
            ])))
            i += gluePartitionBatch
        }
        return docs
    }

    // MARK: - DuckDB

    /// `'text'` with `'` doubled (SQL).
    static func sqlString(_ s: String) -> String {
        "'" + s.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''") + "'"
    }

    /// `"name"` with `"` doubled (SQL identifier).
    static func sqlIdentifier(_ s: String) -> String {
        "\"" + s.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }

    /// The DuckDB type of a primitive Hive type (partition keys).
    static func duckdbType(_ t: HiveType) -> String {
        switch t {
        case .string, .char, .varchar: "VARCHAR"
        case .tinyint: "TINYINT"
        case .smallint: "SMALLINT"
        case .int: "INTEGER"
        case .bigint: "BIGINT"
        case .float: "FLOAT"
        case .double: "DOUBLE"
        case .boolean: "BOOLEAN"
        case .decimal(let p, let s): "DECIMAL(\(p),\(s))"
        case .date: "DATE"
        case .timestamp: "TIMESTAMP"
        case .binary: "BLOB"
        case .array, .map, .struct: "VARCHAR"
        }
    }

    /// A DuckDB view over the table's files at `base`.
    public static func duckdb(table: Table, base: String) -> String {
        let root = join(base, dataLocation(table, link: true))
        let file = table.format == .parquet ? "*.parquet" : "*"
        let reader = table.format == .parquet ? "read_parquet" : "read_json"
        let formatArg = table.format == .json ? ", format = 'newline_delimited'" : ""
        var out = "CREATE OR REPLACE VIEW \(sqlIdentifier(table.name)) AS\n"
        if table.usesHourlyFolders {
            let key = sqlIdentifier(table.partitionKeys[0].name)
            out += "SELECT * EXCLUDE (\"filename\"), "
            out += "regexp_extract(\"filename\", '([0-9]{4}/[0-9]{2}/[0-9]{2}/[0-9]{2})/[^/]*$', 1) AS \(key)\n"
            out += "FROM \(reader)(\(sqlString(root + "*/*/*/*/" + file))\(formatArg), filename = true, union_by_name = true);\n"
        } else if !table.partitionKeys.isEmpty {
            let depth = String(repeating: "*/", count: table.partitionKeys.count)
            let types = table.partitionKeys.map { "\(sqlString($0.name)): \(sqlString(duckdbType($0.type)))" }
                .joined(separator: ", ")
            out += "SELECT *\n"
            out += "FROM \(reader)(\(sqlString(root + depth + file))\(formatArg), hive_partitioning = true, "
            out += "hive_types = {\(types)}, union_by_name = true);\n"
        } else {
            out += "SELECT *\n"
            out += "FROM \(reader)(\(sqlString(root + "**/" + file))\(formatArg), union_by_name = true);\n"
        }
        return out
    }
}
