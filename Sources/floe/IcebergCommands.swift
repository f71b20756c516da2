// Iceberg tables on the command line (issue 17): reading a snapshot with `cat`/`head` (`--snapshot ID`,
// `--as-of TIME`), `floe table snapshots | history | expire-snapshots | remove-orphan-files`.

import ArgumentParser
import Iceberg
import JSON
import Parquet
import Warehouse
#if canImport(Glibc)
import Glibc
#endif

enum IcebergCLI {
    /// The Iceberg table of a registered warehouse table, with its catalog.
    static func open(_ warehouse: String, _ name: String) throws -> (IcebergWarehouse, IcebergTable) {
        let w = try WarehouseCLI.open(warehouse)
        do {
            let entry = try w.table(named: name)
            guard entry.format == .iceberg else {
                throw WarehouseError.invalid("table '\(entry.name)' is a \(entry.format.rawValue) table, not an Iceberg table")
            }
            let iw = try IcebergWarehouse(warehouse: w, table: entry)
            guard let t = try iw.loadTable(entry.name) else { throw WarehouseError.tableNotFound(name) }
            return (iw, t)
        } catch {
            throw WarehouseCLI.fail(warehouse, error)
        }
    }

    /// The Iceberg table a folder path names: a table of the warehouse the folder is in (through its catalog), or
    /// any folder with `metadata/version-hint.text` (catalog-less). nil: not an Iceberg table.
    static func table(atPath path: String) throws -> IcebergTable? {
        var p = path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        let name = p.split(separator: "/").last.map(String.init) ?? p
        let parent = p.contains("/") ? String(p[..<p.lastIndex(of: "/")!]) : "."
        let wdir = parent.isEmpty ? "/" : parent
        if access(wdir + "/" + DataWarehouse.catalogFileName, F_OK) == 0,
           let w = try? DataWarehouse(opening: wdir), let entry = try? w.catalog().table(named: name), entry.format == .iceberg
        {
            do {
                let iw = try IcebergWarehouse(warehouse: w, table: entry)
                return try iw.loadTable(entry.name)
            } catch {
                throw WarehouseCLI.fail(wdir, error)
            }
        }
        let hint = p + "/metadata/version-hint.text"
        guard access(hint, F_OK) == 0 else { return nil }
        return try table(hintedAt: p, name: name, display: path)
    }

    /// A time: ISO 8601 (`2026-12-07T18:00:00Z`, `2026-12-07 18:00:00.250+01:00`, `2026-12-07`), Unix
    /// milliseconds, or an age (`30s`, `15m`, `6h`, `5d`: that long before now). In milliseconds since the epoch.
    static func parseTime(_ text: String, flag: String) throws -> Int64 {
        let s = text.trimmingWhitespace()
        let now = currentTimeMillis()
        if let n = Int64(s) { return n }
        if let unit = s.last, "smhd".contains(unit), let n = Int64(s.dropLast()), n >= 0 {
            let ms: Int64 = unit == "s" ? 1000 : unit == "m" ? 60_000 : unit == "h" ? 3_600_000 : 86_400_000
            let (p, o) = n.multipliedReportingOverflow(by: ms)
            guard !o else { throw WarehouseCLI.usage(flag, "'\(text)' is too large") }
            return now - p
        }
        let u = Array(s.utf8)
        func num(_ from: Int, _ len: Int) -> Int? {
            guard from + len <= u.count else { return nil }
            var v = 0
            for b in u[from..<from + len] { guard b >= 48 && b <= 57 else { return nil }; v = v * 10 + Int(b - 48) }
            return v
        }
        guard let y = num(0, 4), u.count >= 10, u[4] == 45, let mo = num(5, 2), u[7] == 45, let d = num(8, 2),
              (1...12).contains(mo), (1...31).contains(d) else {
            throw WarehouseCLI.usage(flag, "'\(text)' is not a time (ISO 8601 such as 2026-12-07T18:00:00Z, Unix milliseconds, or an age such as 6h or 5d)")
        }
        var h = 0, mi = 0, sec = 0, ms = 0, offset = 0
        var i = 10
        if i < u.count {
            guard u[i] == 84 || u[i] == 32, let hh = num(i + 1, 2), u.count > i + 3, u[i + 3] == 58, let mm = num(i + 4, 2) else {
                throw WarehouseCLI.usage(flag, "'\(text)': expected THH:MM[:SS[.fff]] after the date")
            }
            h = hh; mi = mm; i += 6
            if i < u.count, u[i] == 58, let ss = num(i + 1, 2) { sec = ss; i += 3 }
            if i < u.count, u[i] == 46 {
                i += 1
                var digits = 0
                while i < u.count, u[i] >= 48, u[i] <= 57 { if digits < 3 { ms = ms * 10 + Int(u[i] - 48) }; digits += 1; i += 1 }
                if digits < 3 { for _ in digits..<3 { ms *= 10 } }
            }
            if i < u.count {
                if u[i] == 90 { i += 1 } else if u[i] == 43 || u[i] == 45, let oh = num(i + 1, 2), u.count >= i + 6, u[i + 3] == 58, let om = num(i + 4, 2) {
                    offset = (oh * 60 + om) * (u[i] == 43 ? 1 : -1)
                    i += 6
                }
            }
            guard i == u.count, h < 24, mi < 60, sec < 61 else { throw WarehouseCLI.usage(flag, "'\(text)' is not a valid time") }
        }
        // days from civil (proleptic Gregorian)
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let secs = Int64(days) * 86_400 + Int64(h * 3600 + mi * 60 + sec) - Int64(offset * 60)
        return secs * 1000 + Int64(ms)
    }

    static func iso(_ ms: Int64) -> String {
        var out: [UInt8] = []
        CanonicalFormat.appendTimestamp(ms, unit: .millis, utc: true, to: &out)
        var s = String(decoding: out, as: UTF8.self)
        if s.hasPrefix("\""), s.hasSuffix("\"") { s = String(s.dropFirst().dropLast()) }
        return s
    }

    /// The snapshot to read: `--snapshot ID`, the one current at `--as-of TIME`, or the current one.
    static func pick(_ t: IcebergTable, snapshot: Int64?, asOf: String?, label: String) throws -> Int64? {
        if let id = snapshot {
            guard t.metadata.snapshot(id: id) != nil else {
                throw WarehouseCLI.usage(label, "table has no snapshot \(id) (see `floe table snapshots`)")
            }
            return id
        }
        if let asOf {
            let ms = try parseTime(asOf, flag: "--as-of")
            guard let s = t.metadata.snapshot(asOf: ms) else {
                throw WarehouseCLI.usage(label, "no snapshot was current at \(iso(ms)) (the first one is from \(t.metadata.snapshotLog.first.map { iso($0.1) } ?? "never"))")
            }
            return s.snapshotId
        }
        return t.metadata.currentSnapshotId
    }
}

// MARK: - cat / head

extension RowOutputOptions {
    /// Prints the rows of an Iceberg table's snapshot. Files are read straight through the row exporter when the
    /// snapshot has no delete files and every file's columns carry the current schema's names; otherwise the rows
    /// come from the scan (deletes applied, columns projected by field id) as JSON lines.
    func runIceberg(_ path: String, _ t: IcebergTable, format fmt: RowFormat, columns cols: [String]?, limit: Int?) throws {
        let id = try IcebergCLI.pick(t, snapshot: snapshot, asOf: asOf, label: path)
        guard let id, let snap = t.metadata.snapshot(id: id) else { return }  // a table without snapshots has no rows
        let schema = t.metadata.currentSchema
        var direct = (snap.summaryValue("total-delete-files") ?? "0") == "0"
        var parts: [RowExporter] = []
        do {
            let files = try t.dataFiles(snapshotId: id).map { try LocalFileIO.canonical($0.filePath) }.sorted()
            if direct {
                for p in files {
                    let f = try LocalFileIO.openParquet(p)
                    let ids = f.schema.root.children.map { $0.fieldId.map(Int.init) }
                    let names = f.schema.root.children.map(\.name)
                    if names != schema.fields.map(\.name) || ids != schema.fields.map({ Optional($0.id) }) { direct = false; break }
                    var part = try RowExporter(file: f, columns: cols, options: ReadOptions(verifyChecksums: !noVerifyChecksums))
                    part.label = p
                    parts.append(part)
                }
            }
        } catch {
            throw Output.fail(path, error)
        }
        if direct {
            do {
                try RowExporter.export(parts, format: fmt, limit: limit) { Output.write($0) }
                Output.flush()
            } catch {
                Output.flush()
                throw Output.fail(path, error)
            }
            return
        }
        guard fmt == .jsonl, cols == nil else {
            throw WarehouseCLI.usage(path, "this snapshot has delete files or an evolved schema: it prints as --format jsonl with all columns")
        }
        let rows: [ParquetValue]
        do { rows = try t.scan(snapshotId: id) } catch { throw Output.fail(path, error) }
        var out: [UInt8] = []
        for (n, row) in rows.enumerated() {
            if let limit, n >= limit { break }
            Self.appendJSON(row, fields: schema.fields, to: &out)
            out.append(10)
            if out.count >= 1 << 16 { Output.write(out); out.removeAll(keepingCapacity: true) }
        }
        Output.write(out)
        Output.flush()
    }

    static func appendJSON(_ v: ParquetValue, fields: [NestedField], to out: inout [UInt8]) {
        guard case .object(let members) = v else { CanonicalFormat.appendNull(to: &out); return }
        out.append(UInt8(ascii: "{"))
        for (i, f) in fields.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            CanonicalFormat.appendKey(f.name, to: &out)
            appendValue(members.first { $0.name == f.name }?.value ?? .null, type: f.type, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    static func appendValue(_ v: ParquetValue, type: IcebergType, to out: inout [UInt8]) {
        switch (type, v) {
        case (_, .null): CanonicalFormat.appendNull(to: &out)
        case (.structure(let fs), _): appendJSON(v, fields: fs, to: &out)
        case (.list(_, let e, _), .array(let xs)):
            out.append(UInt8(ascii: "["))
            for (i, x) in xs.enumerated() { if i > 0 { out.append(UInt8(ascii: ",")) }; appendValue(x, type: e, to: &out) }
            out.append(UInt8(ascii: "]"))
        case (.date, .int(let d)): CanonicalFormat.appendDate(daysSinceEpoch: d, to: &out)
        case (.timestamp, .int(let t)): CanonicalFormat.appendTimestamp(t, unit: .micros, utc: false, to: &out)
        case (.timestamptz, .int(let t)): CanonicalFormat.appendTimestamp(t, unit: .micros, utc: true, to: &out)
        case (.decimal(_, let s), .int(let u)): CanonicalFormat.appendDecimal(unscaled: u, scale: s, to: &out)
        case (_, .bool(let b)): CanonicalFormat.appendBool(b, to: &out)
        case (_, .int(let i)): CanonicalFormat.appendInt64(i, to: &out)
        case (_, .uint64(let u)): CanonicalFormat.appendUInt64(u, to: &out)
        case (_, .double(let d)): CanonicalFormat.appendDouble(d, to: &out)
        case (_, .float(let f)): CanonicalFormat.appendDouble(Double(f), to: &out)
        case (_, .string(let s)): CanonicalFormat.appendString(s, to: &out)
        case (_, .bytes(let b)): b.withUnsafeBytes { CanonicalFormat.appendBase64(bytes: $0, to: &out) }
        default: out.append(contentsOf: Array(JSONSerializer.string(.string("\(v)")).utf8))
        }
    }
}

// MARK: - table snapshots | history | expire-snapshots | remove-orphan-files

/// The arguments `table snapshots` and `table history` share: the table, the warehouse, `--json`.
struct IcebergListingOptions: ParsableArguments {
    @Argument(help: "Table name.") var name: String
    @Option(name: .long, help: "The warehouse folder.") var warehouse: String
    @Flag(name: .long, help: "One JSON object a line.") var json = false

    /// The table, whether JSON lines are wanted, and the output's opening (the TSV header line, or nothing).
    func open(tsvHeader: String) throws -> (IcebergTable, Bool, String) {
        let (_, t) = try IcebergCLI.open(warehouse, name)
        return (t, json, json ? "" : tsvHeader + "\n")
    }
}

struct TableSnapshots: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshots",
        abstract: "List an Iceberg table's snapshots: id, parent, commit time, operation, totals.")

    @OptionGroup var listing: IcebergListingOptions

    func run() throws {
        let (t, json, header) = try listing.open(tsvHeader: "snapshot_id\tparent_id\tcommitted_at\toperation\ttotal_records\ttotal_data_files\tcurrent")
        var out = header
        for s in t.metadata.snapshots.sorted(by: { ($0.sequenceNumber, $0.timestampMs) < ($1.sequenceNumber, $1.timestampMs) }) {
            let current = s.snapshotId == t.metadata.currentSnapshotId
            if json {
                var summary = JSONObject()
                for (k, v) in s.summary { _ = summary.append(key: k, value: .string(v)) }
                out += WarehouseCLI.jsonLine(.object(JSONObject([
                    ("snapshot_id", .number(JSONNumber(s.snapshotId))),
                    ("parent_id", s.parentSnapshotId.map { .number(JSONNumber($0)) } ?? .null),
                    ("sequence_number", .number(JSONNumber(s.sequenceNumber))),
                    ("committed_at", .string(IcebergCLI.iso(s.timestampMs))),
                    ("timestamp_ms", .number(JSONNumber(s.timestampMs))),
                    ("operation", .string(s.operation)),
                    ("manifest_list", .string(s.manifestList)),
                    ("current", .bool(current)),
                    ("summary", .object(summary)),
                ])))
            } else {
                out += "\(s.snapshotId)\t\(s.parentSnapshotId.map(String.init) ?? "-")\t\(IcebergCLI.iso(s.timestampMs))\t\(s.operation)\t\(s.summaryValue("total-records") ?? "-")\t\(s.summaryValue("total-data-files") ?? "-")\t\(current ? "*" : "")\n"
            }
        }
        Output.write(out)
    }
}

struct TableHistory: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "An Iceberg table's snapshot log: when each snapshot became current, and whether it is an ancestor of the current one.")

    @OptionGroup var listing: IcebergListingOptions

    func run() throws {
        let (t, json, header) = try listing.open(tsvHeader: "made_current_at\tsnapshot_id\tparent_id\tis_current_ancestor")
        let ancestors = Set(t.metadata.ancestry(of: t.metadata.currentSnapshotId))
        var out = header
        for (id, ms) in t.metadata.snapshotLog {
            let parent = t.metadata.snapshot(id: id)?.parentSnapshotId
            if json {
                out += WarehouseCLI.jsonLine(.object(JSONObject([
                    ("made_current_at", .string(IcebergCLI.iso(ms))), ("timestamp_ms", .number(JSONNumber(ms))),
                    ("snapshot_id", .number(JSONNumber(id))), ("parent_id", parent.map { .number(JSONNumber($0)) } ?? .null),
                    ("is_current_ancestor", .bool(ancestors.contains(id))),
                ])))
            } else {
                out += "\(IcebergCLI.iso(ms))\t\(id)\t\(parent.map(String.init) ?? "-")\t\(ancestors.contains(id))\n"
            }
        }
        Output.write(out)
    }
}

struct TableExpireSnapshots: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expire-snapshots",
        abstract: "Remove an Iceberg table's old snapshots and the files only they reference.",
        discussion: """
        Expires the snapshots committed before --older-than (default: the table property \
        history.expire.max-snapshot-age-ms, else 5 days), always keeping the --retain-last most recent ancestors \
        of the current snapshot (default: history.expire.min-snapshots-to-keep, else 1) and every branch or tag \
        head. After the commit, deletes the manifest lists, manifests and data files no kept snapshot reaches; a \
        commit whose outcome is unknown deletes nothing. TIME: ISO 8601, Unix milliseconds, or an age (6h, 5d).
        """)

    @Argument(help: "Table name.") var name: String
    @Option(name: .long, help: "Expire snapshots committed before TIME.") var olderThan: String?
    @Option(name: .long, parsing: .unconditional, help: "Keep at least N ancestors of the current snapshot.") var retainLast: Int?
    @Option(name: .long, help: "The warehouse folder.") var warehouse: String
    @Flag(name: .long, help: "Print the outcome as JSON.") var json = false

    func run() throws {
        if let r = retainLast, r < 1 { throw WarehouseCLI.usage(warehouse, "--retain-last must be at least 1, got \(r)") }
        let cutoff = try olderThan.map { try IcebergCLI.parseTime($0, flag: "--older-than") }
        let (iw, t) = try IcebergCLI.open(warehouse, name)
        let maxAge = t.metadata.property("history.expire.max-snapshot-age-ms").flatMap(Int64.init) ?? 5 * 86_400_000
        let keep = retainLast ?? t.metadata.property("history.expire.min-snapshots-to-keep").flatMap(Int.init) ?? 1
        let tname = t.identifier.last ?? self.name
        do {
            let r = try iw.catalog.expireSnapshots(iw.namespace, tname, olderThanMs: cutoff ?? currentTimeMillis() - maxAge, retainLast: keep)
            if json {
                Output.write(WarehouseCLI.jsonLine(.object(JSONObject([
                    ("table", .string(tname)),
                    ("expired_snapshots", .array(r.expiredSnapshotIds.map { .number(JSONNumber($0)) })),
                    ("deleted_files", .number(JSONNumber(r.deletedFiles.count))),
                ]))))
            } else {
                Output.write("Expired \(r.expiredSnapshotIds.count) snapshots of \(tname), deleted \(r.deletedFiles.count) files\n")
            }
        } catch {
            throw WarehouseCLI.fail(warehouse, IcebergWarehouse.map(error, context: "table '\(tname)'"))
        }
    }
}

struct TableRemoveOrphanFiles: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove-orphan-files",
        abstract: "Delete files in an Iceberg table's folder that no metadata references.",
        discussion: """
        Reachable: the current and logged metadata files, version-hint.text, every snapshot's manifest list, its \
        manifests and their data and delete files. Any other file under the table's data/ and metadata/ folders \
        older than --older-than (default 3 days, so files of commits in flight are never taken) is deleted; \
        --dry-run only lists them. TIME: ISO 8601, Unix milliseconds, or an age (1h, 3d).
        """)

    @Argument(help: "Table name.") var name: String
    @Option(name: .long, help: "Only files last modified before TIME (default 3d).") var olderThan: String?
    @Option(name: .long, help: "The warehouse folder.") var warehouse: String
    @Flag(name: .customLong("dry-run"), help: "List the orphan files without deleting them.") var dryRun = false
    @Flag(name: .long, help: "Print the outcome as JSON.") var json = false

    func run() throws {
        let cutoff = try IcebergCLI.parseTime(olderThan ?? "3d", flag: "--older-than")
        let (_, t) = try IcebergCLI.open(warehouse, name)
        let m = t.metadata
        var reachable = Set<String>()
        do {
            reachable.insert(try LocalFileIO.canonical(t.metadataLocation))
            for (loc, _) in m.metadataLog { reachable.insert(try LocalFileIO.canonical(loc)) }
            for s in m.snapshots {
                reachable.insert(try LocalFileIO.canonical(s.manifestList))
                for mf in try ManifestIO.readManifestList(try LocalFileIO.read(s.manifestList), file: s.manifestList) {
                    reachable.insert(try LocalFileIO.canonical(mf.manifestPath))
                    guard let spec = m.spec(id: mf.partitionSpecId) else { continue }
                    for e in try ManifestIO.readManifest(try LocalFileIO.read(mf.manifestPath), file: mf.manifestPath,
                                                         manifest: mf, spec: spec, schema: m.currentSchema) {
                        reachable.insert(try LocalFileIO.canonical(e.dataFile.filePath))
                    }
                }
            }
        } catch {
            throw WarehouseCLI.fail(warehouse, IcebergWarehouse.map(error, context: "table '\(name)'"))
        }
        // every file under data/ and metadata/: a walk of the local folders, a listing of the bucket's prefixes
        var orphans: [String] = []
        do {
            let root = try LocalFileIO.canonical(m.location)
            for folder in ["/data", "/metadata"] {
                for f in try LocalFileIO.listFiles(under: root + folder) {
                    if folder == "/metadata" && f.location.hasSuffix("/metadata/version-hint.text") { continue }
                    if !reachable.contains(f.location) && f.modifiedMs < cutoff { orphans.append(f.location) }
                }
            }
        } catch {
            throw WarehouseCLI.fail(warehouse, IcebergWarehouse.map(error, context: "table '\(name)'"))
        }
        if !dryRun { for p in orphans { LocalFileIO.delete(p) } }
        if json {
            Output.write(WarehouseCLI.jsonLine(.object(JSONObject([
                ("table", .string(name)), ("dry_run", .bool(dryRun)),
                ("orphan_files", .array(orphans.map { .string($0) })),
            ]))))
        } else {
            for p in orphans { Output.write((dryRun ? "" : "deleted ") + p + "\n") }
            if !dryRun { Output.write("Removed \(orphans.count) orphan files of \(name)\n") }
        }
    }
}
