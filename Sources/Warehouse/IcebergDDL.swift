// DDL of Iceberg tables for other engines (issue 17):
// - Athena: `CREATE TABLE … PARTITIONED BY (hour(`event_time`)) LOCATION '…' TBLPROPERTIES ('table_type'='ICEBERG')`
//   — Athena's DDL for an Iceberg table (its partition transforms are written as Athena spells them: year, month,
//   day, hour, bucket(N, col), truncate(W, col), a bare column for identity).
// - Glue: the `aws glue create-table --cli-input-json` input that registers the existing table: `TableType`
//   EXTERNAL_TABLE, `Parameters` `table_type`=`ICEBERG` and `metadata_location` (the current metadata file),
//   the columns and the location — what Glue's Iceberg catalog and Athena read.
// - DuckDB: a view over `iceberg_scan('<current metadata file>')` (the iceberg extension).
//
// Locations: `base` (e.g. `s3://bucket/prefix`) replaces the warehouse folder in every path; default: the local
// paths (`file://` URIs for Athena and Glue).

import Firehose
import Iceberg
import JSON

/// The DDL of one Iceberg table of the warehouse.
public struct IcebergDDL {
    /// The warehouse's database.
    public var database: String
    /// The floe catalog entry (columns with Hive types).
    public var table: Table
    /// The table as loaded from its SQL catalog.
    public var iceberg: IcebergTable
    /// The warehouse folder, absolute.
    public var localRoot: String
    /// The warehouse's location in the engine, or nil for the local folder.
    public var base: String?

    /// The DDL of `iceberg` (registered as `table` in warehouse `localRoot`), with paths under `base`.
    public init(database: String, table: Table, iceberg: IcebergTable, localRoot: String, base: String?) {
        self.database = database
        self.table = table
        self.iceberg = iceberg
        self.localRoot = localRoot
        self.base = base
    }

    /// A table path as the engine sees it.
    func location(_ path: String, uri: Bool) -> String {
        let local = (try? localPath(path)) ?? path
        if let base, local.hasPrefix(localRoot + "/") {
            return DDL.join(base, String(local.dropFirst(localRoot.count + 1)))
        }
        return uri && local.hasPrefix("/") ? "file://" + local : local
    }

    /// Athena's spelling of a partition field.
    func athenaField(_ f: PartitionField) -> String {
        let col = iceberg.metadata.currentSchema.field(id: f.sourceId)?.name ?? f.name
        let q = DDL.quoted(col)
        switch f.transform {
        case .identity: return q
        case .year: return "year(\(q))"
        case .month: return "month(\(q))"
        case .day: return "day(\(q))"
        case .hour: return "hour(\(q))"
        case .bucket(let n): return "bucket(\(n), \(q))"
        case .truncate(let w): return "truncate(\(w), \(q))"
        case .void: return q
        }
    }

    /// The columns: the current Iceberg schema's, typed as Hive types.
    var columns: [HiveColumn] {
        iceberg.metadata.currentSchema.fields.map { HiveColumn(name: $0.name, type: IcebergWarehouse.hiveType($0.type), comment: $0.doc) }
    }

    /// Athena's `CREATE TABLE` of the table as an Iceberg table.
    public func athena() -> String {
        var out = "CREATE TABLE \(DDL.quoted(database)).\(DDL.quoted(table.name)) (\n"
        out += columns.map(DDL.columnLine).joined(separator: ",\n") + "\n)\n"
        let fields = iceberg.metadata.defaultSpec.fields
        if !fields.isEmpty { out += "PARTITIONED BY (" + fields.map(athenaField).joined(separator: ", ") + ")\n" }
        out += "LOCATION \(DDL.hiveString(location(iceberg.metadata.location, uri: true)))\n"
        out += "TBLPROPERTIES (\n  'table_type'='ICEBERG',\n  'format'='parquet'"
        for p in table.properties where p.key != IcebergWarehouse.catalogProperty && p.key != "table_type" && p.key != "format" {
            out += ",\n  \(DDL.hiveString(p.key))=\(DDL.hiveString(p.value))"
        }
        return out + "\n);\n"
    }

    /// The `aws glue create-table --cli-input-json` input registering the table at its current metadata file.
    public func glue() -> JSONValue {
        var params = JSONObject([
            ("table_type", .string("ICEBERG")),
            ("metadata_location", .string(location(iceberg.metadataLocation, uri: true))),
        ])
        if let prev = iceberg.metadata.metadataLog.last?.0 {
            _ = params.append(key: "previous_metadata_location", value: .string(location(prev, uri: true)))
        }
        let sd = JSONObject([
            ("Columns", DDL.glueColumns(columns)),
            ("Location", .string(location(iceberg.metadata.location, uri: true))),
        ])
        return .object(JSONObject([
            ("DatabaseName", .string(database)),
            ("TableInput", .object(JSONObject([
                ("Name", .string(table.name)),
                ("TableType", .string("EXTERNAL_TABLE")),
                ("Parameters", .object(params)),
                ("StorageDescriptor", .object(sd)),
            ]))),
        ]))
    }

    /// A DuckDB view over `iceberg_scan` of the current metadata file.
    public func duckdb() -> String {
        "INSTALL iceberg;\nLOAD iceberg;\nCREATE OR REPLACE VIEW \(DDL.sqlIdentifier(table.name)) AS\nSELECT * FROM iceberg_scan(\(DDL.sqlString(location(iceberg.metadataLocation, uri: false))));\n"
    }
}
