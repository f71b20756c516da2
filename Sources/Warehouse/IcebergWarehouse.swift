// Iceberg tables of a warehouse (issue 17): the warehouse's tables with `"format": "iceberg"` live in an Iceberg SQL
// catalog — SQLite `DIR/iceberg-catalog.db` by default (catalog name `floe`), or PostgreSQL when created with
// `--catalog postgresql://…` — in the namespace named after the warehouse's database; the table location is
// `<warehouse, absolute>/<table>`. The catalog a table was created in is remembered in its floe-catalog.json entry
// (property `iceberg.catalog`: `iceberg-catalog.db` for the warehouse's own SQLite file, else the URL without
// its password; PGPASSWORD supplies one), so every later command finds it. The SQL catalog also writes
// `metadata/version-hint.text` beside the metadata files for catalog-less readers.
//
// Columns: the floe catalog keeps Hive types (for the DDL); the Iceberg schema is derived from them with fresh
// field ids (Hive `timestamp` → `timestamptz`: Floe's timestamps are instants; tinyint/smallint → int;
// char/varchar → string; array/map/struct → list/map/struct).

import FileSafety
import Firehose
import Iceberg
import JSON
import Parquet

/// A warehouse's view of its Iceberg tables through one SQL catalog.
public struct IcebergWarehouse {
    /// The SQLite catalog file in the warehouse folder.
    public static let catalogFileName = "iceberg-catalog.db"
    /// The catalog name (`catalog_name` of the catalog rows), as pyiceberg's `SqlCatalog("floe", …)`.
    public static let catalogName = "floe"
    /// The table property of the floe catalog entry naming the Iceberg catalog the table lives in.
    public static let catalogProperty = "iceberg.catalog"

    /// The warehouse.
    public let warehouse: DataWarehouse
    /// The SQL catalog.
    public let catalog: SQLCatalog
    /// The Iceberg namespace of the warehouse's tables: `[catalog database]`.
    public var namespace: [String]
    /// How the catalog is remembered in a table entry (`iceberg-catalog.db`, or a URL without password).
    public let catalogReference: String

    /// Opens (creating if needed) the Iceberg catalog of `warehouse`: the SQLite file `DIR/iceberg-catalog.db`,
    /// or the catalog `catalogURL` names (`postgresql://…`, or a SQLite file path), and its namespace.
    public init(warehouse: DataWarehouse, catalogURL: String? = nil) throws(WarehouseError) {
        self.warehouse = warehouse
        let database = try warehouse.catalog().database
        let root = warehouse.absoluteDirectory
        var url = catalogURL ?? IcebergWarehouse.catalogFileName
        if warehouse.remote != nil {
            url = try IcebergWarehouse.objectWarehouseCatalog(catalogURL)
        } else if url == IcebergWarehouse.catalogFileName || url.isEmpty {
            url = root + "/" + IcebergWarehouse.catalogFileName
        }
        let isDefault = warehouse.remote == nil && url == root + "/" + IcebergWarehouse.catalogFileName
        do {
            catalog = try SQLCatalog(url: url, name: IcebergWarehouse.catalogName, warehouse: root)
        } catch {
            throw IcebergWarehouse.map(error, context: "Iceberg catalog")
        }
        catalogReference = isDefault ? IcebergWarehouse.catalogFileName : catalog.path
        namespace = [database]
        do {
            if try !catalog.namespaceExists(namespace) {
                do { try catalog.createNamespace(namespace) } catch IcebergError.alreadyExists { /* created meanwhile */ }
            }
        } catch {
            throw IcebergWarehouse.map(error, context: "Iceberg catalog \(catalog.path)")
        }
    }

    /// The catalog a registered Iceberg table was created in (its `iceberg.catalog` property).
    public init(warehouse: DataWarehouse, table: Table) throws(WarehouseError) {
        let ref = table.properties.last { $0.key == IcebergWarehouse.catalogProperty }?.value
        try self.init(warehouse: warehouse, catalogURL: ref)
    }

    /// The Iceberg table `name` of the warehouse, or nil when `name` is registered but not an Iceberg table.
    ///
    /// - Throws: ``WarehouseError/tableNotFound(_:)`` when the warehouse has no such table; ``WarehouseError/io(_:_:)``
    ///   when the catalog or the metadata cannot be read.
    public func loadTable(_ name: String) throws(WarehouseError) -> IcebergTable? {
        let t = try warehouse.table(named: name)
        guard t.format == .iceberg else { return nil }
        do {
            return try catalog.loadTable(namespace, t.name)
        } catch {
            throw IcebergWarehouse.map(error, context: "table '\(t.name)'")
        }
    }

    /// Creates an Iceberg table: the schema from the spec's columns (fresh field ids), the partition spec from
    /// `partitionSpec` (`hour(event_time)`, `bucket(16, id), day(ts)`, …), location `<warehouse>/<name>`; registers
    /// it in the SQL catalog, then in the warehouse catalog (format `iceberg`, property `iceberg.catalog`).
    public func createTable(_ spec: TableSpec, partitionSpec: String?) throws(WarehouseError) -> IcebergTable {
        let name = try DataWarehouse.validName(spec.name, what: "table")
        var defs = spec.columns
        defs.tableName = name
        guard defs.partitionKeys.isEmpty else {
            throw .invalid("an Iceberg table has no partition key columns (\(defs.partitionKeys.map(\.name).joined(separator: ", "))): partition it with --partition-spec, e.g. 'hour(event_time)'")
        }
        if spec.kind == .streaming {
            throw .invalid("an Iceberg table is not a streaming (hourly folder) table; use --partition-spec 'hour(COLUMN)'")
        }
        do { try defs.validate() } catch { throw .invalid("columns: \(error)") }
        guard !defs.columns.isEmpty else { throw .invalid("an Iceberg table needs at least one column") }
        let schema = try IcebergWarehouse.schema(of: defs.columns)
        var pspec = PartitionSpec.unpartitioned
        if let text = partitionSpec, !text.trimmingCharacters().isEmpty {
            do { pspec = try PartitionSpec.parse(text, schema: schema) } catch {
                throw .invalid("--partition-spec '\(text)': \(error.description)")
            }
        }
        guard try warehouse.catalog().table(named: name) == nil else { throw .duplicateTable(name) }
        try checkNoMetadata(name)
        let location = warehouse.absoluteDirectory + "/" + name
        var props: [(String, String)] = [("write.format.default", "parquet")]
        for p in spec.properties where !p.key.hasPrefix("iceberg.") { props.append((p.key, p.value)) }
        let created: IcebergTable
        do {
            created = try catalog.createTable(namespace, name, schema: schema, spec: pspec, properties: props, location: location)
        } catch {
            throw IcebergWarehouse.map(error, context: "table '\(name)'")
        }
        var entryProps = spec.properties.filter { $0.key != IcebergWarehouse.catalogProperty }
        entryProps.append((IcebergWarehouse.catalogProperty, catalogReference))
        let stamp = UTC.iso8601(UTC.now())
        let entry = Table(name: name, kind: spec.kind ?? .plain, format: .iceberg, location: name + "/", columns: defs.columns,
                          partitionKeys: [], properties: entryProps, createdAt: stamp)
        do {
            try warehouse.update { (c: inout Catalog) throws(WarehouseError) in
                guard c.table(named: name) == nil else { throw .duplicateTable(name) }
                c.tables.append(entry)
            }
        } catch {
            try? catalog.dropTable(namespace, name)
            throw error
        }
        return created
    }

    /// Removes the table from the SQL catalog (a table already gone there is not an error).
    public func dropTable(_ name: String) throws(WarehouseError) {
        do { try catalog.dropTable(namespace, name) } catch IcebergError.notFound { return } catch {
            throw IcebergWarehouse.map(error, context: "table '\(name)'")
        }
    }

    /// An Iceberg error as a warehouse error: bad arguments and name clashes are usage errors (exit 2), the rest
    /// I/O (exit 1).
    public static func map(_ e: IcebergError, context: String) -> WarehouseError {
        switch e {
        case .invalidArgument(let m): return .invalid("\(context): \(m)")
        case .alreadyExists(let m): return .invalid("\(context): \(m)")
        case .notFound(let m): return .io(context, m)
        case .corrupt(let file, let detail): return .io(file, detail)
        case .commitConflict(let m), .io(let m): return .io(context, m)
        }
    }

    // MARK: - Types

    /// The Iceberg schema of Hive columns, with fresh field ids (columns optional, as Hive's are).
    public static func schema(of columns: [HiveColumn]) throws(WarehouseError) -> IcebergSchema {
        var fields: [NestedField] = []
        for c in columns {
            fields.append(NestedField(id: 0, name: c.name, type: try icebergType(c.type, column: c.name), required: false, doc: c.comment))
        }
        return IcebergSchema(schemaId: 0, fields: fields).assigningFreshIds()
    }

    /// The Iceberg type of a Hive type (ids are placeholders; `assigningFreshIds` numbers them).
    public static func icebergType(_ t: HiveType, column: String) throws(WarehouseError) -> IcebergType {
        switch t {
        case .string, .char, .varchar: return .string
        case .tinyint, .smallint, .int: return .int
        case .bigint: return .long
        case .float: return .float
        case .double: return .double
        case .boolean: return .boolean
        case .decimal(let p, let s): return .decimal(precision: p, scale: s)
        case .date: return .date
        case .timestamp: return .timestamptz
        case .binary: return .binary
        case .array(let e): return .list(elementId: 0, element: try icebergType(e, column: column), elementRequired: false)
        case .map(let k, let v):
            return .map(keyId: 0, key: try icebergType(k, column: column), valueId: 0, value: try icebergType(v, column: column), valueRequired: false)
        case .struct(let fs):
            var out: [NestedField] = []
            for f in fs { out.append(NestedField(id: 0, name: f.name, type: try icebergType(f.type, column: column + "." + f.name))) }
            return .structure(out)
        }
    }

    /// The Hive type of an Iceberg type (for DDL and the floe catalog's columns).
    public static func hiveType(_ t: IcebergType) -> HiveType {
        switch t {
        case .boolean: return .boolean
        case .int: return .int
        case .long: return .bigint
        case .float: return .float
        case .double: return .double
        case .decimal(let p, let s): return .decimal(precision: p, scale: s)
        case .date: return .date
        case .time: return .bigint
        case .timestamp, .timestamptz: return .timestamp
        case .string, .uuid: return .string
        case .binary, .fixed: return .binary
        case .structure(let fs): return .struct(fs.map { HiveField(name: $0.name, type: hiveType($0.type)) })
        case .list(_, let e, _): return .array(hiveType(e))
        case .map(_, let k, _, let v, _): return .map(key: hiveType(k), value: hiveType(v))
        }
    }

    // MARK: - Reading and writing for aggregate / merge

    /// The live data files of the table's current snapshot, opened, as the snapshot aggregate and merge read.
    /// A snapshot with delete files is refused (their rows would count although deleted).
    func tableSnapshot(_ table: IcebergTable) throws(WarehouseError) -> TableSnapshot {
        let name = table.identifier.last ?? "?"
        var paths: [String] = []
        do {
            if let snap = table.metadata.currentSnapshot, let n = snap.summaryValue("total-delete-files"), n != "0" {
                throw WarehouseError.invalid("Iceberg table '\(name)' has \(n) delete files in its current snapshot; aggregate and merge read tables without row-level deletes (rewrite it first)")
            }
            for f in try table.dataFiles() { paths.append(try LocalFileIO.canonical(f.filePath)) }
        } catch let e as WarehouseError {
            throw e
        } catch let e as IcebergError {
            throw IcebergWarehouse.map(e, context: "table '\(name)'")
        } catch {
            throw .io(name, "\(error)")
        }
        paths.sort()
        var files: [ParquetFile] = []
        for p in paths {
            do { files.append(try LocalFileIO.openParquet(p)) } catch { throw IcebergWarehouse.map(error, context: p) }
        }
        let root = (try? LocalFileIO.canonical(table.metadata.location)) ?? table.metadata.location
        return TableSnapshot(root: root + "/data", version: nil, paths: paths, files: files)
    }

    /// Replaces the rows of Iceberg table `name` with the rows of the Parquet files in `staging` as one overwrite
    /// snapshot (every live file removed, the new files added), atomic by its catalog commit. Rows are matched to
    /// the table's columns by name; timestamps are converted to microseconds.
    func overwrite(_ name: String, withFilesIn paths: [String]) throws(WarehouseError) -> IcebergTable {
        guard let table = try loadTable(name) else { throw .invalid("table '\(name)' is not an Iceberg table") }
        let schema = table.metadata.currentSchema
        var rows: [ParquetValue] = []
        for p in paths {
            do {
                let f = try ParquetFile(path: p)
                let scales = f.schema.root.children.map { IcebergWarehouse.microScale($0) }
                let names = f.schema.root.children.map(\.name)
                for r in try f.readValues() {
                    rows.append(IcebergWarehouse.normalize(r, names: names, scales: scales))
                }
            } catch {
                throw .io(p, "\(error)")
            }
        }
        for col in schema.fields where !rows.isEmpty {
            if case .object(let fs) = rows[0], !fs.contains(where: { $0.name == col.name }) {
                throw .invalid("table '\(name)': the result has no column '\(col.name)' of the Iceberg table's schema")
            }
        }
        let writer = DataFileWriter(schema: schema, spec: table.metadata.defaultSpec, location: table.metadata.location)
        let files: [DataFile]
        do { files = try writer.write(rows: rows) } catch { throw IcebergWarehouse.map(error, context: "table '\(name)'") }
        do {
            return try catalog.overwrite(namespace, name, adding: files, removing: { _ in true })
        } catch {
            // a commit that certainly failed leaves its data files to nobody; an unknown outcome deletes nothing
            if case .commitConflict = error { for f in files { LocalFileIO.delete(f.filePath) } }
            if case .invalidArgument = error { for f in files { LocalFileIO.delete(f.filePath) } }
            throw IcebergWarehouse.map(error, context: "table '\(name)'")
        }
    }

    /// The factor that turns a timestamp column's stored values into microseconds (nil: not a timestamp).
    static func microScale(_ node: SchemaNode) -> (Int64, Bool)? {
        guard case .timestamp(_, let unit)? = node.logicalType else { return nil }
        switch unit {
        case .millis: return (1000, true)
        case .nanos: return (1000, false)
        default: return (1, true)
        }
    }

    static func normalize(_ row: ParquetValue, names: [String], scales: [(Int64, Bool)?]) -> ParquetValue {
        guard case .object(var fs) = row, scales.contains(where: { $0 != nil }) else { return row }
        for i in fs.indices {
            guard let k = names.firstIndex(of: fs[i].name), let sc = scales[k], case .int(let v) = fs[i].value else { continue }
            fs[i].value = .int(sc.1 ? v &* sc.0 : v / sc.0)
        }
        return .object(fs)
    }
}

