// PLACEHOLDER (branch h17b): a minimal version of h17a's IcebergWarehouse with the same API, so that the
// delivery into Iceberg tables (IcebergDelivery.swift) compiles and its tests can create tables. h17a's file
// replaces this one at merge; nothing else lives here.

import Firehose
import FileSafety
import Iceberg

/// A warehouse's Iceberg tables: the SQL catalog `floe` (SQLite `<warehouse>/iceberg-catalog.db`, or PostgreSQL),
/// namespace = the warehouse's database, table locations `<warehouse>/<table>`.
public struct IcebergWarehouse {
    /// The SQL catalog.
    public let catalog: SQLCatalog
    /// The namespace of the warehouse's tables.
    public var namespace: [String]
    let warehouse: DataWarehouse
    let catalogURL: String?

    /// Opens (creating when missing) the catalog of `warehouse`: SQLite in the warehouse folder, or `catalogURL`.
    public init(warehouse: DataWarehouse, catalogURL: String? = nil) throws(WarehouseError) {
        self.warehouse = warehouse
        self.catalogURL = catalogURL
        let dir = PathContainment.realPath(warehouse.directory) ?? warehouse.directory
        let where_ = catalogURL ?? dir + "/iceberg-catalog.db"
        let c: SQLCatalog
        do {
            c = try SQLCatalog(url: where_, name: "floe", warehouse: dir)
        } catch {
            throw .io(where_, error.description)
        }
        let ns = [try warehouse.catalog().database]
        do {
            if try !c.namespaceExists(ns) { try c.createNamespace(ns) }
        } catch {
            // another process created it first
            if case .alreadyExists = error {} else { throw .io(where_, error.description) }
        }
        catalog = c
        namespace = ns
    }

    /// The table `name`, nil when the catalog has none.
    public func loadTable(_ name: String) throws(WarehouseError) -> IcebergTable? {
        do {
            return try catalog.loadTable(namespace, name)
        } catch .notFound {
            return nil
        } catch {
            throw .io(catalog.path, error.description)
        }
    }

    /// Registers the table in the warehouse catalog (format iceberg) and creates it in the SQL catalog.
    public func createTable(_ spec: TableSpec, partitionSpec: String?) throws(WarehouseError) -> IcebergTable {
        var s = spec
        s.format = .iceberg
        if let u = catalogURL { s.properties.append((key: "iceberg.catalog", value: u)) }
        var next = 1
        func field(_ name: String, _ t: HiveType) -> NestedField {
            let id = next
            next += 1
            return NestedField(id: id, name: name, type: convert(t))
        }
        func convert(_ t: HiveType) -> IcebergType {
            switch t {
            case .string, .char, .varchar: return .string
            case .tinyint, .smallint, .int: return .int
            case .bigint: return .long
            case .float: return .float
            case .double: return .double
            case .boolean: return .boolean
            case .decimal(let p, let sc): return .decimal(precision: p, scale: sc)
            case .date: return .date
            case .timestamp: return .timestamptz
            case .binary: return .binary
            case .array(let e):
                let id = next
                next += 1
                return .list(elementId: id, element: convert(e), elementRequired: false)
            case .map(let k, let v):
                let kid = next, vid = next + 1
                next += 2
                return .map(keyId: kid, key: convert(k), valueId: vid, value: convert(v), valueRequired: false)
            case .struct(let fs):
                var out: [NestedField] = []
                for f in fs { out.append(field(f.name, f.type)) }
                return .structure(out)
            }
        }
        let cols = spec.columns.columns + spec.columns.partitionKeys
        var top: [NestedField] = []
        for c in cols {
            top.append(NestedField(id: next, name: c.name.lowercased(), type: .boolean))
            next += 1
        }
        for i in top.indices { top[i].type = convert(cols[i].type) }
        let schema = IcebergSchema(fields: top)
        let dir = PathContainment.realPath(warehouse.directory) ?? warehouse.directory
        var pspec = PartitionSpec.unpartitioned
        if let t = partitionSpec {
            do { pspec = try PartitionSpec.parse(t, schema: schema) } catch { throw .invalid(error.description) }
        }
        let entry = try warehouse.createTable(s)
        do {
            return try catalog.createTable(namespace, entry.name, schema: schema, spec: pspec, location: dir + "/" + entry.name)
        } catch {
            throw .invalid(error.description)
        }
    }
}
