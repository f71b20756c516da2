// Iceberg tables of a warehouse in an object store (`--warehouse s3://bucket/prefix`, issues 15 and 17).
//
// Location: `s3://bucket/prefix/<table>` — the same layout as a local warehouse's Iceberg tables and as its folder
// tables (table names are unique in a warehouse, so no two tables share a folder; a per-database folder level would
// collide with a folder table named like the database). Metadata JSON, manifests and manifest lists are written
// create-only (`If-None-Match: *`), data files by multipart uploads (ObjectFileIO.swift, Iceberg module).
//
// Catalog: a SQL catalog cannot live in a bucket (SQLite needs a local file with working locks), and the bucket has
// no default place for one. An s3:// warehouse's Iceberg table is therefore created with `--catalog`, either
//   `postgresql://user@host:port/db` — the many-machines case: every machine reaches the same catalog; or
//   `sqlite:///abs/path/catalog.db` (or a plain path) — a SQLite file on this machine, for one machine only;
// and without one, `floe table create` fails with one line naming the option (exit 2), as do `aggregate` and
// `merge --format iceberg` into a new table of such a warehouse from non-Iceberg sources (an Iceberg source's
// catalog is used otherwise). The choice is recorded in
// the table's floe-catalog.json entry (property `iceberg.catalog`, a SQLite path made absolute), so every later
// command — convert, cat, merge, expire-snapshots — finds the catalog without being told again.

import FileSafety
import Iceberg
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension IcebergWarehouse {
    /// The one-line reason an s3:// warehouse's Iceberg table needs `--catalog`.
    public static let objectCatalogRequirement =
        "an Iceberg table in an s3:// warehouse needs a SQL catalog outside the bucket: create it with `floe table create NAME --format iceberg --catalog postgresql://user@host:port/db` (shared by many machines) or `--catalog sqlite:///path/catalog.db` (a local file, this machine only)"

    /// The catalog URL of an Iceberg table in an object-store warehouse: a PostgreSQL URL as given, a SQLite path
    /// (`sqlite:` prefix optional) made absolute; none (or the local default) is an error naming `--catalog`.
    static func objectWarehouseCatalog(_ url: String?) throws(WarehouseError) -> String {
        guard let url, !url.isEmpty, url != IcebergWarehouse.catalogFileName else {
            throw .invalid(objectCatalogRequirement)
        }
        if url.hasPrefix("postgresql://") || url.hasPrefix("postgres://") { return url }
        var path = Substring(url)
        if path.hasPrefix("sqlite://") { path = path.dropFirst("sqlite://".count) } else if path.hasPrefix("sqlite:") {
            path = path.dropFirst("sqlite:".count)
        }
        guard !path.isEmpty, !path.contains("://") else {
            throw .invalid("--catalog \(url): expected postgresql://… or a SQLite file path (sqlite:///path/catalog.db)")
        }
        return Posix.absolutePath(String(path))
    }

    /// Refuses to create table `name` over another table's metadata left in its folder (or under its prefix).
    func checkNoMetadata(_ name: String) throws(WarehouseError) {
        if let remote = warehouse.remote {
            let prefix = remote.key(name + "/metadata/")
            let store = remote.store
            let page = try Remote.run(remote.name(name)) {
                try await store.listPage(prefix: prefix, delimiter: nil, continuation: nil, maxKeys: 1)
            }
            if !page.objects.isEmpty {
                throw .invalid("\(remote.name(name))/metadata/ holds objects already: another table's files; drop it with --purge or choose another name")
            }
            return
        }
        let folder = warehouse.directory + "/" + name
        try warehouse.requireInside(folder)
        if Posix.isDirectory(folder), Posix.exists(folder + "/metadata") {
            throw .invalid("\(folder)/metadata exists already: the folder holds another table's files; drop it with --purge or choose another name")
        }
    }
}

extension DataWarehouse {
    /// A private staging folder for an Iceberg result of table `name` and the folder it lies within: inside the
    /// warehouse folder (a local warehouse), in `$TMPDIR` (default /tmp) for an object-store warehouse, whose data
    /// files are uploaded from there.
    func icebergStagingFolder(_ name: String) -> (folder: String, within: String) {
        let leaf = "/.floe-iceberg-staging-\(name)-\(getpid())-\(makeUUID())"
        guard remote != nil else { return (directory + leaf, directory) }
        let tmp = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        return (tmp + leaf, tmp)
    }
}
