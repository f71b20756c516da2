// `aggregate` and `merge` into Iceberg tables: the result is computed exactly as for a versioned Parquet table, into
// Parquet files in a hidden staging folder of the warehouse, then its rows become the table's data files (with
// field ids and column statistics) in ONE overwrite snapshot: every live file removed, the new ones added,
// atomic by the catalog's compare-and-swap of `metadata_location`. A reader loads either the old or the new
// snapshot, never a mixture. A target that does not exist yet is created as an Iceberg `batch` table with the
// result's columns when `--format iceberg` is asked for or a source is an Iceberg table (in the source's
// catalog).

#if canImport(Glibc)
import Glibc
#endif
import FileSafety
import Firehose
import Iceberg
import Parquet

/// Where an Iceberg result goes: an existing Iceberg table, or a new one in the catalog `catalogRef` names.
struct IcebergTarget {
    var exists: Bool
    var catalogRef: String?
}

extension DataWarehouse {
    /// Whether `target` is (or is to become) an Iceberg table; nil for the versioned Parquet layout.
    func icebergTarget(_ target: String, format: TableFormat?, sources: [String]) throws(WarehouseError) -> IcebergTarget? {
        let name = try DataWarehouse.validName(target, what: "table")
        let c = try catalog()
        if let t = c.table(named: name) {
            if t.format == .iceberg { return IcebergTarget(exists: true, catalogRef: nil) }
            if format == .iceberg {
                throw .invalid("table '\(t.name)' exists as a \(t.format.rawValue) table; --format iceberg writes Iceberg tables (choose another --into)")
            }
            return nil
        }
        if let f = format, f != .iceberg {
            guard f == .parquet else { throw .invalid("aggregate and merge write parquet or iceberg tables, not \(f.rawValue)") }
            return nil
        }
        let icebergSource = sources.compactMap { c.table(named: $0) }.first { $0.format == .iceberg }
        guard format == .iceberg || icebergSource != nil else { return nil }
        return IcebergTarget(exists: false, catalogRef: icebergSource?.properties.last { $0.key == IcebergWarehouse.catalogProperty }?.value)
    }

    /// Computes a result with `body` (given a source of staging file paths for its Parquet writers) and commits it
    /// to Iceberg table `target` as one overwrite snapshot.
    func writeIceberg(into target: String, like: IcebergTarget,
                      _ body: (() -> String) throws -> Schema) throws(WarehouseError) -> VersionedWrite {
        let name = try DataWarehouse.validName(target, what: "table")
        let (staging, within) = icebergStagingFolder(name)
        try Posix.makeDirectories(staging)
        defer { try? PathContainment.removeTree(staging, within: within) }
        var paths: [String] = []
        let schema: Schema
        do {
            schema = try body {
                let p = staging + "/part-\(paths.count).parquet"
                paths.append(p)
                return p
            }
        } catch let e as WarehouseError {
            throw e
        } catch let e as MergeFailure {
            throw e.usage ? .invalid(e.description) : .io(directory + "/" + name, e.description)
        } catch let e as ParquetError {
            if case .invalidArgument(let m) = e { throw .invalid(m) }
            throw .io(directory + "/" + name, e.description)
        } catch {
            throw .io(directory + "/" + name, "\(error)")
        }
        if !like.exists {
            let iw = try IcebergWarehouse(warehouse: self, catalogURL: like.catalogRef)
            let defs = ColumnDefinitions(columns: HiveTypes.columns(of: schema), tableName: name)
            do {
                _ = try iw.createTable(TableSpec(name: name, columns: defs, format: .iceberg, kind: .batch), partitionSpec: nil)
            } catch .duplicateTable {
                // created by a concurrent writer meanwhile: commit onto it
            }
        }
        let entry = try table(named: name)
        guard entry.format == .iceberg else { throw .invalid("table '\(name)' is a \(entry.format.rawValue) table, not an Iceberg table") }
        let iw = try IcebergWarehouse(warehouse: self, table: entry)
        let committed = try iw.overwrite(name, withFilesIn: paths)
        let id = committed.metadata.currentSnapshotId.map(String.init) ?? "none"
        return VersionedWrite(table: name, version: "snapshot \(id)", rowsWritten: 0)
    }
}
