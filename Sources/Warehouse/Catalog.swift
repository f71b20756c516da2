// The warehouse catalog: database, tables and partitions, and its JSON form.
//
// File `DIR/floe-catalog.json` (pretty-printed, 2-space indent, members in this order):
//
//     {
//       "format": "floe-warehouse-catalog",
//       "format_version": 1,                 // layout of this file; readers reject a newer one
//       "version": 12,                       // +1 on every write (optimistic checks, debugging)
//       "database": "analytics",
//       "created_at": "2024-05-01T12:00:00Z",
//       "updated_at": "2024-05-01T13:00:02Z",
//       "tables": [                          // sorted by name
//         {
//           "name": "events",                // lower case [a-z0-9_]+
//           "kind": "streaming",             // plain | streaming (input, hourly folders) | batch
//           "format": "parquet",             // parquet | json (NDJSON files)
//           "location": "events/",           // relative to DIR; always "<name>/"
//           "columns": [{"name": "id", "type": "string", "comment": "optional"}],
//           "partition_keys": [{"name": "inserted_at", "type": "string"}],
//           "properties": {"owner": "team-a"},
//           "created_at": "2024-05-01T12:00:00Z",
//           "partitions": [                  // sorted by values
//             {"values": ["2024/05/01/12"], "location": "events/2024/05/01/12/", "created_at": "..."}
//           ]
//         }
//       ]
//     }
//
// Times are UTC, ISO 8601 to the second. Column types are canonical Hive type strings.

import Firehose
import FileSafety
import JSON

/// What a table is for.
public enum TableKind: String, Sendable, CaseIterable, Codable {
    /// An ordinary table.
    case plain
    /// A streaming input table: files arrive in hourly `YYYY/MM/DD/HH/` folders, partitioned by `inserted_at`.
    case streaming
    /// A table written in batches (aggregates, serving layer), partitioned by `key=value` folders if at all.
    case batch
}

/// How a table's files are stored.
public enum TableFormat: String, Sendable, CaseIterable, Codable {
    /// Parquet files (`*.parquet`), the default.
    case parquet
    /// Newline-delimited JSON.
    case json
    /// An Apache Iceberg table in the warehouse's SQL catalog (IcebergWarehouse.swift).
    case iceberg
}

/// One registered partition.
public struct Partition: Hashable, Sendable {
    /// One value per partition key, in key order.
    public var values: [String]
    /// Folder of the partition relative to the warehouse directory, ending in `/`.
    public var location: String
    /// When the partition was registered: UTC, ISO 8601 to the second (`2024-05-01T12:00:00Z`).
    public var createdAt: String

    /// A partition with one value per partition key, its folder relative to the warehouse (ending in `/`) and its
    /// registration time.
    public init(values: [String], location: String, createdAt: String) {
        self.values = values
        self.location = location
        self.createdAt = createdAt
    }
}

/// One table of the catalog.
public struct Table: Hashable, Sendable {
    /// The table name: lower case letters, digits and underscores, at most 255 characters.
    public var name: String
    /// Whether files arrive in hourly folders (streaming) or are written in batches.
    public var kind: TableKind
    /// How the data files are stored.
    public var format: TableFormat
    /// Folder of the table's data relative to the warehouse directory, ending in `/` (`<name>/`).
    public var location: String
    /// The data columns (not the partition keys), with Hive types, in order.
    public var columns: [HiveColumn]
    /// The partition columns, in folder order (`inserted_at` for streaming tables).
    public var partitionKeys: [HiveColumn]
    /// Free-form table properties (written as TBLPROPERTIES / Glue `Parameters`), in order.
    public var properties: [(key: String, value: String)]
    /// When the table was created: UTC, ISO 8601 to the second.
    public var createdAt: String
    /// The registered partitions, sorted by their values.
    public var partitions: [Partition]

    /// A table entry with every field given; names and locations are taken as they are (``DataWarehouse`` validates
    /// them when it creates tables).
    public init(name: String, kind: TableKind, format: TableFormat, location: String, columns: [HiveColumn],
                partitionKeys: [HiveColumn], properties: [(key: String, value: String)] = [], createdAt: String,
                partitions: [Partition] = []) {
        self.name = name
        self.kind = kind
        self.format = format
        self.location = location
        self.columns = columns
        self.partitionKeys = partitionKeys
        self.properties = properties
        self.createdAt = createdAt
        self.partitions = partitions
    }

    /// Whether every field is equal, properties compared in order.
    public static func == (a: Table, b: Table) -> Bool {
        a.name == b.name && a.kind == b.kind && a.format == b.format && a.location == b.location
            && a.columns == b.columns && a.partitionKeys == b.partitionKeys
            && a.properties.map(\.key) == b.properties.map(\.key) && a.properties.map(\.value) == b.properties.map(\.value)
            && a.createdAt == b.createdAt && a.partitions == b.partitions
    }

    /// Hashes the name, columns and partitions (a subset of what `==` compares).
    public func hash(into h: inout Hasher) {
        h.combine(name)
        h.combine(columns)
        h.combine(partitions)
    }

    /// The columns as `ColumnDefinitions` (with partition keys).
    public var columnDefinitions: ColumnDefinitions {
        ColumnDefinitions(columns: columns, partitionKeys: partitionKeys, tableName: name)
    }

    /// True for streaming tables: partitions are hourly folders `YYYY/MM/DD/HH/` valued `'YYYY/MM/DD/HH'`.
    public var usesHourlyFolders: Bool { kind == .streaming && partitionKeys.count == 1 }
}

/// The whole catalog file.
public struct Catalog: Equatable, Sendable {
    /// The catalog file's `"format"` value; a file with another value is refused as corrupt.
    public static let formatName = "floe-warehouse-catalog"
    /// The catalog file's `"format_version"` this build writes and reads.
    public static let formatVersion = 1

    /// Incremented by every write.
    public var version: Int
    /// The database name given to `floe warehouse init` (lower case; the database of the printed DDL).
    public var database: String
    /// When the warehouse was created: UTC, ISO 8601 to the second.
    public var createdAt: String
    /// When the catalog was last written: UTC, ISO 8601 to the second.
    public var updatedAt: String
    /// Sorted by name.
    public var tables: [Table]

    /// A catalog with the given fields; `tables` must be sorted by name.
    public init(version: Int = 0, database: String, createdAt: String, updatedAt: String, tables: [Table] = []) {
        self.version = version
        self.database = database
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.tables = tables
    }

    /// The table called `name` (case-insensitive), or `nil`. Linear in the number of tables.
    public func table(named name: String) -> Table? {
        let n = name.lowercased()
        return tables.first { $0.name == n }
    }

    /// The position in ``tables`` of the table called `name` (case-insensitive), or `nil`.
    public func index(of name: String) -> Int? {
        let n = name.lowercased()
        return tables.firstIndex { $0.name == n }
    }
}

// MARK: - JSON

extension HiveColumn {
    init(catalogJSON v: JSONValue, at path: String) throws(WarehouseError) {
        guard case .string(let name)? = v["name"], case .string(let typeText)? = v["type"] else {
            throw .corruptCatalog("\(path): a column needs string \"name\" and \"type\"")
        }
        let type: HiveType
        do { type = try HiveType.parse(typeText) } catch { throw .corruptCatalog("\(path): \(error)") }
        self.init(name: name, type: type, comment: v["comment"]?.stringValue)
    }
}

extension Partition {
    /// The partition as it is stored in the catalog file (`values`, `location`, `created_at`).
    public var json: JSONValue {
        .object(JSONObject([
            ("values", .array(values.map { .string($0) })),
            ("location", .string(location)),
            ("created_at", .string(createdAt)),
        ]))
    }

    init(catalogJSON v: JSONValue, at path: String) throws(WarehouseError) {
        guard case .array(let vals)? = v["values"], case .string(let loc)? = v["location"] else {
            throw .corruptCatalog("\(path): a partition needs \"values\" and \"location\"")
        }
        var values: [String] = []
        for x in vals {
            guard case .string(let s) = x else { throw .corruptCatalog("\(path).values: must be strings") }
            values.append(s)
        }
        self.init(values: values, location: loc, createdAt: v["created_at"]?.stringValue ?? "")
    }
}

extension Table {
    /// The table as stored in the catalog (and printed by `floe table show --json`).
    public var json: JSONValue {
        var props = JSONObject()
        for p in properties { _ = props.append(key: p.key, value: .string(p.value)) }
        return .object(JSONObject([
            ("name", .string(name)),
            ("kind", .string(kind.rawValue)),
            ("format", .string(format.rawValue)),
            ("location", .string(location)),
            ("columns", .array(columns.map(\.json))),
            ("partition_keys", .array(partitionKeys.map(\.json))),
            ("properties", .object(props)),
            ("created_at", .string(createdAt)),
            ("partitions", .array(partitions.map(\.json))),
        ]))
    }

    init(catalogJSON v: JSONValue, at path: String) throws(WarehouseError) {
        guard case .string(let name)? = v["name"] else { throw .corruptCatalog("\(path): missing \"name\"") }
        let p = "\(path) '\(name)'"
        guard let kind = v["kind"]?.stringValue.flatMap(TableKind.init(rawValue:)) else {
            throw .corruptCatalog("\(p): missing or unknown \"kind\"")
        }
        guard let format = v["format"]?.stringValue.flatMap(TableFormat.init(rawValue:)) else {
            throw .corruptCatalog("\(p): missing or unknown \"format\"")
        }
        guard case .string(let location)? = v["location"] else { throw .corruptCatalog("\(p): missing \"location\"") }
        // Nothing a catalog names may lie outside the warehouse (issue 11, rule 1): the name is a plain table name
        // and the location is the table's own folder `<name>/` (or below it), relative, without `..`.
        guard (try? DataWarehouse.validName(name, what: "table")) == name.lowercased() else {
            throw .corruptCatalog("\(p): table name is not a plain name (letters, digits, underscores); refusing an entry that could point outside the warehouse")
        }
        guard PathContainment.isSafeRelative(location),
              location.split(separator: "/").first.map({ String($0).lowercased() == name.lowercased() }) == true
        else {
            throw .corruptCatalog("\(p): location '\(location)' is not the table's own folder '\(name)/' inside the warehouse")
        }
        func list(_ key: String) throws(WarehouseError) -> [JSONValue] {
            guard let x = v[key] else { return [] }
            guard case .array(let a) = x else { throw .corruptCatalog("\(p).\(key): must be an array") }
            return a
        }
        var columns: [HiveColumn] = []
        for (i, c) in try list("columns").enumerated() {
            columns.append(try HiveColumn(catalogJSON: c, at: "\(p).columns[\(i)]"))
        }
        var keys: [HiveColumn] = []
        for (i, c) in try list("partition_keys").enumerated() {
            keys.append(try HiveColumn(catalogJSON: c, at: "\(p).partition_keys[\(i)]"))
        }
        var partitions: [Partition] = []
        for (i, c) in try list("partitions").enumerated() {
            let part = try Partition(catalogJSON: c, at: "\(p).partitions[\(i)]")
            guard PathContainment.isSafeRelative(part.location), part.location.hasPrefix(location) else {
                throw .corruptCatalog("\(p).partitions[\(i)]: location '\(part.location)' is not inside the table's folder '\(location)'")
            }
            partitions.append(part)
        }
        var properties: [(key: String, value: String)] = []
        if case .object(let o)? = v["properties"] {
            for m in o { properties.append((m.key, m.value.stringValue ?? JSONSerializer.string(m.value))) }
        }
        self.init(name: name, kind: kind, format: format, location: location, columns: columns, partitionKeys: keys,
                  properties: properties, createdAt: v["created_at"]?.stringValue ?? "", partitions: partitions)
    }
}

extension Catalog {
    /// The whole catalog file's JSON (format, version, database, times and tables).
    public var json: JSONValue {
        .object(JSONObject([
            ("format", .string(Catalog.formatName)),
            ("format_version", .number(JSONNumber(Catalog.formatVersion))),
            ("version", .number(JSONNumber(version))),
            ("database", .string(database)),
            ("created_at", .string(createdAt)),
            ("updated_at", .string(updatedAt)),
            ("tables", .array(tables.map(\.json))),
        ]))
    }

    /// Decodes a catalog file's bytes.
    public init(bytes: [UInt8]) throws(WarehouseError) {
        let v: JSONValue
        do { v = try JSONParser.parse(bytes) } catch { throw .corruptCatalog("not JSON: \(error)") }
        guard case .object = v, v["format"]?.stringValue == Catalog.formatName else {
            throw .corruptCatalog("not a floe warehouse catalog (\"format\" is not \"\(Catalog.formatName)\")")
        }
        guard let fv = v["format_version"]?.numberValue?.int64 else { throw .corruptCatalog("missing \"format_version\"") }
        guard fv <= Int64(Catalog.formatVersion) else {
            throw .corruptCatalog("catalog format_version \(fv) is newer than this floe understands (\(Catalog.formatVersion))")
        }
        guard let version = v["version"]?.numberValue?.int64, case .string(let db)? = v["database"] else {
            throw .corruptCatalog("missing \"version\" or \"database\"")
        }
        var tables: [Table] = []
        if case .array(let ts)? = v["tables"] {
            for (i, t) in ts.enumerated() { tables.append(try Table(catalogJSON: t, at: "tables[\(i)]")) }
        }
        self.init(version: Int(version), database: db, createdAt: v["created_at"]?.stringValue ?? "",
                  updatedAt: v["updated_at"]?.stringValue ?? "", tables: tables)
    }
}
