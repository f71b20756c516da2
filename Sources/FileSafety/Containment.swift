// Path containment: everything Floe deletes, renames or writes stays inside its root (warehouse or `--out`).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// `lstat(path)` through swift-system: the entry itself, a symbolic link not followed.
private func linkStat(_ path: String) throws(Errno) -> Stat {
    try FilePath(path).stat(followTargetSymlink: false)
}

/// Checks and operations that keep every file Floe deletes, renames or writes inside a root folder (the
/// warehouse, `--out`): real paths are compared, and symbolic links are refused or removed, never followed out.
///
/// All functions work on absolute or relative POSIX paths and touch only the local file system.
public enum PathContainment {
    /// The real path of `path` (symbolic links resolved), nil when it does not exist.
    public static func realPath(_ path: String) -> String? {
        // raw syscall: swift-system 1.8 has no realpath.
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    /// True when `path` is `root` or below it (both absolute, normalised).
    public static func isWithin(_ path: String, root: String) -> Bool {
        if path == root { return true }
        let r = root.hasSuffix("/") ? root : root + "/"
        return path.hasPrefix(r)
    }

    /// A relative path that stays below its base by construction: not empty, not absolute, no `..`
    /// component, no NUL. (`a/b/`, `t/2024/05/01/00/` pass; `../x`, `/etc`, `a/../../b` do not.)
    public static func isSafeRelative(_ path: String) -> Bool {
        guard !path.isEmpty, !path.hasPrefix("/"), !path.utf8.contains(0) else { return false }
        for c in path.split(separator: "/", omittingEmptySubsequences: true) where c == ".." {
            return false
        }
        return true
    }

    /// Checks that `path` (which must exist) is a real folder inside `root`: not a symbolic link itself and its
    /// real path below the real path of `root`. Returns the real path.
    @discardableResult
    public static func requireFolderWithin(_ path: String, root: String) throws(FileSafetyError) -> String {
        let st: Stat
        do { st = try linkStat(path) } catch { throw FileSafetyError(.io, path: path, errnoText(error)) }
        if st.type == .symbolicLink {
            throw FileSafetyError(.outsideRoot, path: path, "is a symbolic link; refusing to follow it out of \(root)")
        }
        guard st.type == .directory else {
            throw FileSafetyError(.outsideRoot, path: path, "is not a folder")
        }
        guard let realRoot = realPath(root) else { throw FileSafetyError(.io, path: root, errnoText()) }
        guard let real = realPath(path) else { throw FileSafetyError(.io, path: path, errnoText()) }
        guard real != realRoot, isWithin(real, root: realRoot) else {
            throw FileSafetyError(.outsideRoot, path: path, "resolves to \(real), outside \(realRoot)")
        }
        return real
    }

    /// `mkdir -p path` below `root` that never leaves it: every component between `root` (trusted, e.g. the user's
    /// `--out`) and `path` must be a real folder — an existing symbolic link or a `..` component is refused —
    /// and missing ones are created. So files later written or renamed into `path` stay inside `root`.
    public static func makeFolders(_ path: String, below root: String) throws(FileSafetyError) {
        var r = root
        while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
        guard path == r || path.hasPrefix(r == "/" ? "/" : r + "/") else {
            throw FileSafetyError(.outsideRoot, path: path, "is not below \(root)")
        }
        if path == r { return }
        let rest = path.dropFirst(r == "/" ? 1 : r.count + 1)
        var current = r
        for part in rest.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            guard part != ".." else { throw FileSafetyError(.outsideRoot, path: path, "has a '..' component; refusing to leave \(root)") }
            current = current == "/" ? "/" + part : current + "/" + part
            if let st = try? linkStat(current) {
                switch st.type {
                case .directory: continue
                case .symbolicLink:
                    throw FileSafetyError(.outsideRoot, path: current, "is a symbolic link; refusing to write through it out of \(root)")
                default:
                    throw FileSafetyError(.io, path: current, "exists and is not a folder")
                }
            }
            // raw syscall: swift-system 1.8 has no mkdir.
            if mkdir(current, 0o755) != 0 && errno != EEXIST { throw FileSafetyError(.io, path: current, errnoText()) }
            // created by someone else meanwhile: it must be a real folder too
            guard (try? linkStat(current))?.type == .directory else {
                throw FileSafetyError(.outsideRoot, path: current, "is not a real folder")
            }
        }
    }

    /// `rm -rf path` that never leaves `root`: refuses unless `path` is a real folder (or file) inside `root`
    /// (requireFolderWithin), and never follows a symbolic link below it (links are removed, not their targets).
    public static func removeTree(_ path: String, within root: String) throws(FileSafetyError) {
        let st: Stat
        do { st = try linkStat(path) } catch {
            if error == .noSuchFileOrDirectory { return }
            throw FileSafetyError(.io, path: path, errnoText(error))
        }
        if st.type == .directory {
            try requireFolderWithin(path, root: root)
        } else if let realRoot = realPath(root), let realParent = realPath(parent(of: path)),
                  !isWithin(realParent, root: realRoot) {
            throw FileSafetyError(.outsideRoot, path: path, "lies outside \(realRoot)")
        }
        try removeTreeNoFollow(path)
    }

    /// `rm -rf` by lstat: removes links themselves, descends only into real folders.
    public static func removeTreeNoFollow(_ path: String) throws(FileSafetyError) {
        let st: Stat
        do { st = try linkStat(path) } catch {
            if error == .noSuchFileOrDirectory { return }
            throw FileSafetyError(.io, path: path, errnoText(error))
        }
        if st.type == .directory {
            for name in DirectoryWalker.names(in: path) { try removeTreeNoFollow(path + "/" + name) }
            // raw syscall: swift-system 1.8 has no rmdir or unlink.
            guard rmdir(path) == 0 || errno == ENOENT else { throw FileSafetyError(.io, path: path, errnoText()) }
        } else {
            guard unlink(path) == 0 || errno == ENOENT else { throw FileSafetyError(.io, path: path, errnoText()) }
        }
    }

    static func parent(of path: String) -> String {
        var p = Substring(path)
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        guard let slash = p.lastIndex(of: "/") else { return "." }
        return slash == p.startIndex ? "/" : String(p[..<slash])
    }
}
