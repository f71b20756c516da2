// Warehouse-level `aggregate` and `merge`: resolve the tables, build the result as a new version of the target
// table (TableStorage.swift), swap it in, and register the target in the catalog as a `batch` table with
// properties `floe.layout` = `versioned` and `floe.current_version` = `v-…` and the result's columns.

import FileSafety
import Firehose
import Parquet

/// What `aggregate` / `merge` did to the target table.
public struct VersionedWrite: Sendable, Equatable {
    /// The target table's name.
    public var table: String
    /// The version folder now current (`v-000007`).
    public var version: String
    /// Rows in the new version.
    public var rowsWritten: Int
}

extension DataWarehouse {
    /// The data folder (without a trailing `/`) of a table: a registered table's location, or — for a name not
    /// in the catalog — the folder `DIR/<name>` if it exists (any folder of Parquet files is a table).
    public func tableDirectory(_ name: String) throws(WarehouseError) -> (path: String, table: Table?) {
        let n = try DataWarehouse.validName(name, what: "table")
        if let t = try catalog().table(named: n) {
            var p = dataDirectory(of: t)
            while p.hasSuffix("/") { p.removeLast() }
            return (p, t)
        }
        if let remote {
            let prefix = remote.key(n + "/")
            let store = remote.store
            let page = try Remote.run(remote.name(n)) {
                try await store.listPage(prefix: prefix, delimiter: nil, continuation: nil, maxKeys: 1)
            }
            guard !page.objects.isEmpty else { throw .tableNotFound(name) }
            return (remote.name(n), nil)
        }
        let p = directory + "/" + n
        guard Posix.isDirectory(p) else { throw .tableNotFound(name) }
        return (p, nil)
    }

    /// The table's files now (a versioned table: its current version).
    public func snapshot(of name: String) throws(WarehouseError) -> TableSnapshot {
        let (dir, t) = try tableDirectory(name)
        if let t, t.format == .iceberg {
            let iw = try IcebergWarehouse(warehouse: self, table: t)
            guard let it = try iw.loadTable(t.name) else { throw .tableNotFound(name) }
            return try iw.tableSnapshot(it)
        }
        if let t, t.format != .parquet { throw .invalid("table '\(t.name)' is a \(t.format.rawValue) table; Parquet tables only") }
        if let remote {
            var relative = String(dir.dropFirst(remote.url.count + 1))
            while relative.hasSuffix("/") { relative.removeLast() }
            return try TableSnapshot.open(root: remote, table: relative)
        }
        return try TableSnapshot.open(tableDir: dir)
    }

    /// Checks that `name` may receive versions (absent, or a batch Parquet table).
    func checkTarget(_ name: String) throws(WarehouseError) -> (dir: String, table: Table?) {
        let n = try DataWarehouse.validName(name, what: "table")
        if let t = try catalog().table(named: n) {
            guard t.kind == .batch, t.format == .parquet else {
                throw .invalid("table '\(t.name)' is a \(t.kind.rawValue) \(t.format.rawValue) table; aggregate and merge write batch Parquet tables (choose another --into)")
            }
            guard t.partitionKeys.isEmpty else {
                throw .invalid("table '\(t.name)' is partitioned; aggregate and merge write unpartitioned tables")
            }
            var p = dataDirectory(of: t)
            while p.hasSuffix("/") { p.removeLast() }
            if remote == nil { try requireInside(p) }
            return (p, t)
        }
        if remote == nil { try requireInside(directory + "/" + n) }
        return (directory + "/" + n, nil)
    }

    /// A folder Floe writes into must be a real folder inside the warehouse (issue 11, rule 1); absent is fine.
    func requireInside(_ folder: String) throws(WarehouseError) {
        var folder = folder
        while folder.count > 1 && folder.hasSuffix("/") { folder.removeLast() }
        guard Posix.lexists(folder) else { return }
        do {
            try PathContainment.requireFolderWithin(folder, root: directory)
        } catch {
            throw .invalid("refusing to write table folder: \(error.description)")
        }
    }

    /// Builds a new version of `target` with `body` (given the version writer), swaps it in, updates the catalog.
    /// `body` gets the function that names each next data file to write.
    func writeVersion(into target: String, graceSeconds: Int, now: Int64?,
                      _ body: (() -> String) throws -> Schema) throws(WarehouseError) -> (VersionedWrite, Schema) {
        let (dir, _) = try checkTarget(target)
        let name = try DataWarehouse.validName(target, what: "table")
        if let remote {
            return try remoteWriteVersion(remote, name: name, dir: dir, graceSeconds: graceSeconds, now: now, body)
        }
        // a failed first write leaves no unregistered folder behind
        let created = !Posix.lexists(dir)
        func cleanUp() { if created { try? PathContainment.removeTree(dir, within: directory) } }
        let vw = try VersionedTableWriter(tableDir: dir, tableName: name)
        let schema: Schema
        do {
            schema = try body(vw.nextFilePath)
        } catch let e as WarehouseError {
            vw.abort()
            cleanUp()
            throw e
        } catch let e as MergeFailure {
            vw.abort()
            cleanUp()
            throw e.usage ? .invalid(e.description) : .io(dir, e.description)
        } catch let e as ParquetError {
            vw.abort()
            cleanUp()
            if case .invalidArgument(let m) = e { throw .invalid(m) }
            throw .io(dir, e.description)
        } catch {
            vw.abort()
            cleanUp()
            throw .io(dir, "\(error)")
        }
        let version = try vw.commit(graceSeconds: graceSeconds)
        try registerVersion(name: name, version: version, schema: schema, now: now)
        return (VersionedWrite(table: name, version: version, rowsWritten: 0), schema)
    }

    /// The object-store swap (ObjectWarehouse.swift): build locally, upload under a fresh version folder, publish
    /// with one conditional write of the pointer; a writer that loses the race starts over from the new pointer.
    func remoteWriteVersion(_ root: ObjectWarehouseRoot, name: String, dir: String, graceSeconds: Int, now: Int64?,
                            _ body: (() -> String) throws -> Schema) throws(WarehouseError) -> (VersionedWrite, Schema) {
        for attempt in 0..<CatalogRetry.maxAttempts {
            let vw = try ObjectVersionWriter(root: root, table: name)
            defer { vw.cleanUp() }
            let (current, etag) = try vw.pointer()
            if current == nil {
                // Loose data files mean the folder is not ours to replace (as in the local layout).
                let prefix = root.key(name + "/")
                if let loose = try Remote.list(root, prefix).first(where: { o in
                    let first = String(o.key.dropFirst(prefix.count).split(separator: "/").first ?? "")
                    return o.key.hasSuffix(".parquet") && VersionedLayout.objectVersion(of: first) == nil
                }) {
                    throw .invalid("table folder \(dir) holds data objects outside floe's versions (e.g. \(root.url)/\(loose.key.dropFirst(root.prefix.count))); refusing to replace them")
                }
            }
            let schema: Schema
            do {
                schema = try body(vw.nextFilePath)
            } catch {
                throw DataWarehouse.versionBodyError(error, dir)
            }
            if let version = try vw.publish(after: current, etag: etag) {
                vw.removeExpiredVersions(current: version, graceSeconds: graceSeconds)
                try registerVersion(name: name, version: version, schema: schema, now: now)
                return (VersionedWrite(table: name, version: version, rowsWritten: 0), schema)
            }
            CatalogRetry.pause(attempt)
        }
        throw .io(dir, "another writer published a new version on each of \(CatalogRetry.maxAttempts) attempts; giving up")
    }

    static func versionBodyError(_ error: any Error, _ dir: String) -> WarehouseError {
        if let e = error as? WarehouseError { return e }
        if let e = error as? MergeFailure { return e.usage ? .invalid(e.description) : .io(dir, e.description) }
        if let e = error as? ParquetError {
            if case .invalidArgument(let m) = e { return .invalid(m) }
            return .io(dir, e.description)
        }
        return .io(dir, "\(error)")
    }

    /// Registers `version` as the table's current one in the catalog (creating the batch table entry); in an object
    /// store, where writers do not serialize, `floe.current_version` only ever moves forward.
    func registerVersion(name: String, version: String, schema: Schema, now: Int64?) throws(WarehouseError) {
        let columns = HiveTypes.columns(of: schema)
        let stamp = UTC.iso8601(now ?? UTC.now())
        let newNumber = VersionedLayout.objectVersion(of: version) ?? 0
        try update(now: now) { (c: inout Catalog) throws(WarehouseError) in
            func setProps(_ props: inout [(key: String, value: String)]) {
                props.removeAll { $0.key == VersionedLayout.layoutProperty || $0.key == VersionedLayout.currentProperty }
                props.append((VersionedLayout.layoutProperty, VersionedLayout.layoutValue))
                props.append((VersionedLayout.currentProperty, version))
            }
            if let i = c.index(of: name) {
                if remote != nil, let old = c.tables[i].properties.last(where: { $0.key == VersionedLayout.currentProperty }),
                   let oldNumber = VersionedLayout.objectVersion(of: old.value), oldNumber >= newNumber {
                    return  // a later version was registered first
                }
                c.tables[i].columns = columns
                setProps(&c.tables[i].properties)
            } else {
                var props: [(key: String, value: String)] = []
                setProps(&props)
                c.tables.append(Table(name: name, kind: .batch, format: .parquet, location: name + "/", columns: columns,
                                      partitionKeys: [], properties: props, createdAt: stamp))
            }
        }
    }

    /// `floe merge`: the serving layer `into` from `base` and `delta` (Merge.swift). `into` may be `base`.
    @discardableResult
    public func merge(base: String, delta: String, into target: String, spec: MergeSpec,
                      graceSeconds: Int = VersionedLayout.defaultGraceSeconds, now: Int64? = nil,
                      format: TableFormat? = nil)
        throws(WarehouseError) -> (VersionedWrite, MergeStats)
    {
        _ = try tableDirectory(base)
        _ = try tableDirectory(delta)
        var stats = MergeStats()
        if let like = try icebergTarget(target, format: format, sources: [base, delta]) {
            var result = try writeIceberg(into: target, like: like) { next in
                let b = try snapshot(of: base)
                let d = try snapshot(of: delta)
                var schema: Schema?
                stats = try TableMerge.run(base: b, delta: d, spec: spec) { s in
                    schema = s
                    return try ParquetWriter(path: next(), schema: s, options: spec.writerOptions)
                }
                return schema!
            }
            result.rowsWritten = stats.rowsWritten
            return (result, stats)
        }
        var (result, _) = try writeVersion(into: target, graceSeconds: graceSeconds, now: now) { vw in
            // Snapshots under the target's lock: merging into the base reads the version just before this one.
            let b = try snapshot(of: base)
            let d = try snapshot(of: delta)
            var schema: Schema?
            stats = try TableMerge.run(base: b, delta: d, spec: spec) { s in
                schema = s
                return try ParquetWriter(path: vw(), schema: s, options: spec.writerOptions)
            }
            return schema!
        }
        result.rowsWritten = stats.rowsWritten
        return (result, stats)
    }

    /// `floe aggregate`: the batch-layer table `into` from `table` (Aggregate.swift).
    @discardableResult
    public func aggregate(table source: String, into target: String, spec: AggregateSpec,
                          graceSeconds: Int = VersionedLayout.defaultGraceSeconds, now: Int64? = nil,
                          format: TableFormat? = nil)
        throws(WarehouseError) -> (VersionedWrite, AggregateStats)
    {
        _ = try tableDirectory(source)
        var stats = AggregateStats()
        // writes the aggregate into the files `next` names (a new version's or a new snapshot's); its schema
        let body = { (next: () -> String) throws -> Schema in
            let s = try self.snapshot(of: source)
            var schema: Schema?
            // an empty registered table aggregates to an empty table with the output columns
            let (_, entry) = try self.tableDirectory(source)
            let empty = entry.map { ColumnDefinitions(columns: $0.columns, tableName: $0.name).parquetSchema() }
            stats = try TableAggregate.run(source: s, spec: spec, emptySchema: empty) { sch in
                schema = sch
                return try ParquetWriter(path: next(), schema: sch, options: spec.writerOptions)
            }
            return schema!
        }
        var result: VersionedWrite
        if let like = try icebergTarget(target, format: format, sources: [source]) {
            result = try writeIceberg(into: target, like: like, body)
        } else {
            (result, _) = try writeVersion(into: target, graceSeconds: graceSeconds, now: now, body)
        }
        result.rowsWritten = stats.groups
        return (result, stats)
    }
}
