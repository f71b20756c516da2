// `floe cat|head s3://bucket/prefix/<table>`: an Iceberg table whose files are in a bucket, read through its
// catalog when the prefix above it is a Floe warehouse that registers it (one GET of floe-catalog.json), else
// catalog-less through `metadata/version-hint.text` (as written by Floe's SQL catalog, and by Hadoop-style writers).
// `floe cat s3://…/metadata/<v>.metadata.json` reads the table as of that metadata file (any writer's, e.g. a table
// pyiceberg or Spark created in its own catalog).

import Iceberg
import ObjectStore
import Warehouse

extension IcebergCLI {
    /// The Iceberg table an `s3://` table prefix names, or nil when it is not one. Only names whose last component
    /// has no dot are looked at (a table name has none; a data file `….parquet` is read as a file, with no extra
    /// request).
    static func table(atObject path: String) throws -> IcebergTable? {
        guard case .s3(let bucket, var key) = try Storage.location(path) else { return nil }
        while key.hasSuffix("/") { key.removeLast() }
        if key.hasSuffix(".metadata.json") {
            // a metadata file: the table as of it (as DuckDB's iceberg_scan reads one)
            do {
                let m = try TableMetadata.parse(try LocalFileIO.read(path), file: path)
                let name = m.location.split(separator: "/").last.map(String.init) ?? "table"
                return IcebergTable(identifier: [name], metadata: m, metadataLocation: path)
            } catch {
                Output.diagnostic("floe: \(path): \(error)")
                throw FloeExit.dataError
            }
        }
        guard !key.isEmpty, let name = key.split(separator: "/").last.map(String.init), !name.contains(".") else { return nil }
        let parentKey = key.contains("/") ? String(key[..<key.lastIndex(of: "/")!]) : ""
        let store = try Storage.s3(bucket, for: path)
        let root = ObjectWarehouseRoot(store: store, prefix: parentKey, url: "s3://\(bucket)/\(parentKey)")
        let catalogKey = (parentKey.isEmpty ? "" : parentKey + "/") + DataWarehouse.catalogFileName
        let hasCatalog = try exists(store, catalogKey, path)
        if hasCatalog, let w = try? DataWarehouse(opening: root), let entry = try? w.catalog().table(named: name) {
            guard entry.format == .iceberg else { return nil }
            do {
                let iw = try IcebergWarehouse(warehouse: w, table: entry)
                return try iw.loadTable(entry.name)
            } catch {
                throw WarehouseCLI.fail(root.url, error)
            }
        }
        let hintKey = key + "/metadata/version-hint.text"
        guard try exists(store, hintKey, path) else { return nil }
        return try table(hintedAt: "s3://\(bucket)/\(key)", name: name, display: path)
    }

    /// The table whose `metadata/version-hint.text` is under `base` (a folder path or an `s3://` prefix): the
    /// metadata file the hint names (`N` → `vN.metadata.json`, else `<hint>.metadata.json`). Exit 1 when unreadable.
    static func table(hintedAt base: String, name: String, display path: String) throws -> IcebergTable {
        let hint = base + "/metadata/version-hint.text"
        do {
            var text = String(decoding: try LocalFileIO.read(hint, limit: 4096), as: UTF8.self)
            while let l = text.last, l == "\n" || l == " " || l == "\r" { text.removeLast() }
            guard !text.isEmpty, !text.contains("/") else { throw IcebergError.corrupt(file: hint, detail: "not a metadata version") }
            let file = base + "/metadata/" + (text.allSatisfy(\.isNumber) ? "v\(text)" : text) + ".metadata.json"
            let m = try TableMetadata.parse(try LocalFileIO.read(file), file: file)
            return IcebergTable(identifier: [name], metadata: m, metadataLocation: file)
        } catch {
            Output.diagnostic("floe: \(path): \(error)")
            throw FloeExit.dataError
        }
    }

    private static func exists(_ store: S3Store, _ key: String, _ path: String) throws -> Bool {
        do {
            return try Blocking.run { () async throws -> Bool in
                do {
                    _ = try await store.head(key)
                    return true
                } catch ObjectStoreError.notFound {
                    return false
                }
            }
        } catch {
            throw Output.fail(path, error)
        }
    }
}
