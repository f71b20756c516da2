// Where a table's rows are, and how `floe aggregate` / `floe merge` replace a table atomically while it is read.
//
// Plain layout (every table created by `floe table create`, every input table): the table's data is every
// `*.parquet` below `DIR/<table>/` (names starting with `.` — temporary files of writers — are skipped).
//
// Versioned layout (tables written by `aggregate` and `merge`; catalog property `floe.layout` = `versioned`):
//
//     DIR/<table>/current -> v-000007                 symbolic link (relative): the table's rows
//     DIR/<table>/v-000007/<table>-00000.parquet      one file per version (aggregate / merge write one)
//     DIR/<table>/v-000006/...                        superseded, kept for a grace period
//     DIR/<table>/.floe-table.lock                    writers of the table serialize on flock(2) of this file
//
// A replacement is built aside in `DIR/<table>/.v-000008.tmp-<pid>/` (hidden from globs), fsync'ed, renamed to
// `v-000008`, then a new link `.current.tmp-<pid>` -> `v-000008` is renamed over `current` — rename(2) replaces
// the link atomically, so a reader that resolves `current` sees the old or the new version, complete, never a
// mix and never nothing. Every version holds one file with the same name, so an engine that lists
// `current/*.parquet` and opens the listed paths a moment later (DuckDB's view) opens either version's whole
// file even when a swap falls in between — never a missing file. Floe's readers resolve `current` once
// (readlink) and open every file of that version (Parquet files are memory-mapped: once opened, removal does not
// disturb them); if a file vanished between the readlink and the open (its version was removed) they resolve
// again.
//
// Superseded versions are removed by the next writer of the table once their successor has been current for
// longer than the grace period (default 600 s; `--grace 0` removes them at once); the current version and the
// one it replaced within the grace period stay. The first write into a table that does not exist (or exists
// with no data files) creates the layout; a table with loose `*.parquet` files is never replaced.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FileSafety
import Parquet
import SystemPackage

/// Names used by the versioned layout.
public enum VersionedLayout {
    /// The relative symbolic link in the table folder naming the current version folder.
    public static let currentLink = "current"
    /// The file in the table folder that writers of the table `flock(2)`.
    public static let lockFile = ".floe-table.lock"
    /// The catalog table property marking the versioned layout.
    public static let layoutProperty = "floe.layout"
    /// The value of ``layoutProperty`` for versioned tables.
    public static let layoutValue = "versioned"
    /// Catalog property naming the current version folder (`v-000007`), for engines without symbolic links.
    public static let currentProperty = "floe.current_version"
    /// How long, in seconds, a superseded version stays after its successor became current (readers may still hold
    /// its files); `--grace` changes it.
    public static let defaultGraceSeconds = 600

    /// The folder name of version `n`: `v-` and at least six digits (`v-000007`).
    public static func folderName(_ n: Int) -> String { "v-" + pad(n, 6) }

    static func pad(_ n: Int, _ w: Int) -> String {
        let s = String(n)
        return s.count >= w ? s : String(repeating: "0", count: w - s.count) + s
    }

    /// The version number of a folder name `v-<digits>`.
    public static func version(of name: String) -> Int? {
        guard name.hasPrefix("v-"), name.count > 2 else { return nil }
        let digits = name.dropFirst(2)
        guard digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(digits)
    }
}

/// The files of a table at one moment, opened.
public struct TableSnapshot: @unchecked Sendable {
    /// The folder the rows were read from (`DIR/<table>` or `DIR/<table>/v-…`).
    public var root: String
    /// The version folder name when the table is versioned.
    public var version: String?
    /// The data files of the snapshot, sorted by path.
    public var paths: [String]
    /// The opened files, in the order of ``paths``; they stay readable after the version is removed.
    public var files: [ParquetFile]

    /// Resolves and opens the table folder `tableDir` (retries when a version disappears under it).
    public static func open(tableDir: String) throws(WarehouseError) -> TableSnapshot {
        var attempt = 0
        while true {
            attempt += 1
            let link = tableDir + "/" + VersionedLayout.currentLink
            var root = tableDir
            var version: String?
            if let target = Posix.readLink(link) {
                // `current` names a version folder beside it, nothing else (never a path out of the table).
                guard VersionedLayout.version(of: target) != nil else {
                    throw .corruptCatalog("\(link): points to '\(target)', not to a version folder v-N of the table")
                }
                root = tableDir + "/" + target
                version = target
            }
            let paths = TableSnapshot.parquetFiles(below: root, skipVersions: version == nil)
            var files: [ParquetFile] = []
            var vanished = false
            for p in paths {
                do {
                    files.append(try ParquetFile(path: p))
                } catch {
                    if !Posix.exists(p) { vanished = true; break }
                    throw .io(p, "\(error)")
                }
            }
            // A version being removed under the listing (its successor swapped in meanwhile) may list short or
            // empty: read `current` again and retry when it moved.
            let moved = version != nil && Posix.readLink(link) != version
            if vanished || moved || (version != nil && !Posix.isDirectory(root)) {
                if attempt < 100 { continue }
                throw .io(root, "the table's current version kept disappearing while it was opened")
            }
            return TableSnapshot(root: root, version: version, paths: paths, files: files)
        }
    }

    /// Every `*.parquet` below `dir` (recursively, sorted, names starting with `.` skipped; the one walker of
    /// FileSafety: symbolic links to folders are not followed, each file is listed once). `skipVersions`: a
    /// plain folder that happens to hold a `current` link or `v-N` folders of a versioned table is not read
    /// twice (those folders are skipped).
    static func parquetFiles(below dir: String, skipVersions: Bool) -> [String] {
        var walker = DirectoryWalker.suffixes([".parquet"])
        if skipVersions {
            walker.include = { folder, name in
                !(folder.isEmpty && (name == VersionedLayout.currentLink || VersionedLayout.version(of: name) != nil))
            }
        }
        return (try? walker.files(below: dir)) ?? []
    }
}

/// Writes a new version of a versioned table and swaps it in.
public final class VersionedTableWriter {
    /// The table's folder.
    public let tableDir: String
    /// The table's name, used in the data file names (`<table>-00000.parquet`).
    public let tableName: String
    /// The number of the version being written (one more than the highest existing).
    public let version: Int
    /// The hidden folder the new version is built in.
    public let stagingDir: String
    private let lockFD: FileDescriptor
    private var finished = false
    private var fileCount = 0

    /// Takes the table's writer lock (blocking) and prepares a staging folder for the next version.
    public init(tableDir: String, tableName: String) throws(WarehouseError) {
        self.tableDir = tableDir
        self.tableName = tableName
        try Posix.makeDirectories(tableDir)
        let lockPath = tableDir + "/" + VersionedLayout.lockFile
        let fd = try Posix.lockExclusive(lockPath)
        lockFD = fd
        // Loose data files mean the folder is not ours to replace.
        let loose = TableSnapshot.parquetFiles(below: tableDir, skipVersions: true)
        if let first = loose.first {
            Posix.unlock(fd)
            throw .invalid("table folder \(tableDir) holds data files outside floe's versions (e.g. \(first)); refusing to replace them")
        }
        var maxVersion = 0
        for name in Posix.list(tableDir) {
            if let v = VersionedLayout.version(of: name) { maxVersion = max(maxVersion, v) }
            // Staging folders of writers that died.
            if name.hasPrefix(".v-") && name.contains(".tmp-") { try? Posix.removeTree(tableDir + "/" + name) }
        }
        version = maxVersion + 1
        stagingDir = tableDir + "/.\(VersionedLayout.folderName(version)).tmp-\(getpid())"
        do {
            try Posix.removeTree(stagingDir)
            try Posix.makeDirectories(stagingDir)
        } catch {
            Posix.unlock(fd)
            throw error
        }
    }

    deinit {
        if !finished { abort() }
    }

    /// The new version's folder name (`v-000008`).
    public var versionName: String { VersionedLayout.folderName(version) }

    /// Path of the next data file in the staging folder.
    public func nextFilePath() -> String {
        defer { fileCount += 1 }
        return stagingDir + "/\(tableName)-\(VersionedLayout.pad(fileCount, 5)).parquet"
    }

    /// Drops the staging folder and releases the lock; the table is unchanged.
    public func abort() {
        guard !finished else { return }
        finished = true
        try? Posix.removeTree(stagingDir)
        Posix.unlock(lockFD)
    }

    /// Publishes the staged version: rename to `v-N`, swap `current`, remove versions past the grace period.
    /// Returns the version folder name.
    @discardableResult
    public func commit(graceSeconds: Int = VersionedLayout.defaultGraceSeconds) throws(WarehouseError) -> String {
        guard !finished else { throw .invalid("version already committed or aborted") }
        defer {
            finished = true
            Posix.unlock(lockFD)
        }
        let name = versionName
        let final = tableDir + "/" + name
        Posix.fsyncPath(stagingDir)
        // raw syscall: swift-system 1.8 has no rename, unlink or symlink.
        guard rename(stagingDir, final) == 0 else {
            let m = Posix.message()
            try? Posix.removeTree(stagingDir)
            throw .io(final, m)
        }
        let tmpLink = tableDir + "/.current.tmp-\(getpid())"
        unlink(tmpLink)
        guard symlink(name, tmpLink) == 0 else { throw .io(tmpLink, Posix.message()) }
        guard rename(tmpLink, tableDir + "/" + VersionedLayout.currentLink) == 0 else {
            let m = Posix.message()
            unlink(tmpLink)
            throw .io(tableDir + "/" + VersionedLayout.currentLink, m)
        }
        Posix.fsyncPath(tableDir)
        removeExpiredVersions(current: version, graceSeconds: graceSeconds)
        return name
    }

    /// Removes `v-k` (k < current) whose successor version folder is older than the grace period.
    private func removeExpiredVersions(current: Int, graceSeconds: Int) {
        let versions = Posix.list(tableDir).compactMap { VersionedLayout.version(of: $0) }.sorted()
        let now = Int64(time(nil))
        for (i, v) in versions.enumerated() where v < current && i + 1 < versions.count {
            let successor = tableDir + "/" + VersionedLayout.folderName(versions[i + 1])
            guard let m = Posix.modificationTime(successor) else { continue }
            if graceSeconds <= 0 || now - m >= Int64(graceSeconds) {
                try? Posix.removeTree(tableDir + "/" + VersionedLayout.folderName(v))
            }
        }
    }
}

extension Posix {
    /// The target of a symbolic link, nil when `path` is not one.
    static func readLink(_ path: String) -> String? {
        // raw syscall: swift-system 1.8 has no readlink.
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(path, &buf, buf.count - 1)
        guard n > 0 else { return nil }
        return buf.withUnsafeBufferPointer { p in
            String(decoding: UnsafeRawBufferPointer(start: p.baseAddress, count: n), as: UTF8.self)
        }
    }

    static func modificationTime(_ path: String) -> Int64? {
        guard let st = try? FilePath(path).stat() else { return nil }
        return Int64(st.st_mtim.tv_sec)
    }
}
