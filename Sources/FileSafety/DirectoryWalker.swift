// The one directory walk of the project (issue 11, rule 6).
//
// - Symbolic links to folders are never followed (a `loop -> .` link cannot multiply or hang a walk); symbolic
//   links to regular files are taken like the files themselves (a table folder may link data files in).
// - Every folder is entered once, keyed by (device, inode): bind mounts or hard-linked folders that form a cycle
//   are cut.
// - Each regular file is reported once (also by device and inode), in sorted path order.
// - Only names the caller accepts are taken (`convert DIR` reads NDJSON kinds, `cat DIR` reads `*.parquet`);
//   names starting with `.` (temporary files of writers, staging folders) are skipped unless asked for.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// The one recursive directory walk of Floe: takes the regular files below a root whose names a command reads,
/// each once and in sorted path order, without following symbolic links into folders and cutting cycles by
/// device and inode.
///
/// ```swift
/// let inputs = try DirectoryWalker.ndjsonInputs.files(below: "events/")
/// ```
///
/// Cost: one `lstat` per entry plus one `readdir` pass per folder; memory grows with the number of files found.
public struct DirectoryWalker: Sendable {
    /// Which file names a command reads.
    public var accept: @Sendable (String) -> Bool
    /// Skip names starting with `.`.
    public var skipHidden = true
    /// Called with a folder's name relative to the root (empty for the root) and an entry's name; false skips
    /// the entry (files and folders).
    public var include: (@Sendable (_ relativeFolder: String, _ name: String) -> Bool)?
    /// Deepest folder level entered (guards against absurd trees; a deeper folder is an error).
    public var maxDepth = 256

    /// A walker taking the files whose base name `accept` returns true for (hidden names skipped, depth 256).
    public init(accept: @escaping @Sendable (String) -> Bool) {
        self.accept = accept
    }

    /// Files whose names end in one of `suffixes` (case-sensitive).
    public static func suffixes(_ suffixes: [String]) -> DirectoryWalker {
        DirectoryWalker(accept: { name in suffixes.contains { name.hasSuffix($0) } })
    }

    /// The NDJSON inputs of `convert DIR`: `*.json`, `*.ndjson`, `*.jsonl` and those with `.gz` / `.zst` / `.br`.
    public static let ndjsonInputs: DirectoryWalker = {
        var kinds: [String] = []
        for base in [".json", ".ndjson", ".jsonl"] {
            kinds += [base, base + ".gz", base + ".zst", base + ".zstd", base + ".br"]
        }
        return suffixes(kinds)
    }()

    /// The accepted regular files below `root` (sorted by path). `root` itself may be a symbolic link to a
    /// folder (the user named it); links below it are not followed into folders.
    public func files(below root: String) throws(FileSafetyError) -> [String] {
        var out: [String] = []
        var seenDirs = Set<FileID>()
        var seenFiles = Set<FileID>()
        let st: Stat
        do { st = try FilePath(root).stat() } catch { throw FileSafetyError(.io, path: root, errnoText(error)) }
        guard st.type == .directory else {
            throw FileSafetyError(.notRegularFile, path: root, "is not a folder")
        }
        seenDirs.insert(FileID(st))
        var trimmed = root
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        try walk(trimmed, relative: "", depth: 0, &out, &seenDirs, &seenFiles)
        return out
    }

    private func walk(_ dir: String, relative: String, depth: Int, _ out: inout [String],
                      _ seenDirs: inout Set<FileID>, _ seenFiles: inout Set<FileID>) throws(FileSafetyError) {
        guard depth < maxDepth else { throw FileSafetyError(.io, path: dir, "folders nested deeper than \(maxDepth) levels") }
        for name in DirectoryWalker.names(in: dir) {
            if skipHidden && name.hasPrefix(".") { continue }
            if let include, !include(relative, name) { continue }
            let path = dir == "/" ? "/" + name : dir + "/" + name
            guard let st = try? FilePath(path).stat(followTargetSymlink: false) else { continue }  // vanished meanwhile
            switch st.type {
            case .directory:
                guard seenDirs.insert(FileID(st)).inserted else { continue }
                try walk(path, relative: relative.isEmpty ? name : relative + "/" + name, depth: depth + 1,
                         &out, &seenDirs, &seenFiles)
            case .regular:
                if accept(name), seenFiles.insert(FileID(st)).inserted { out.append(path) }
            case .symbolicLink:
                // A link to a regular file counts as that file; links to folders (or dangling) are skipped.
                if let target = try? FilePath(path).stat(), target.type == .regular, accept(name),
                   seenFiles.insert(FileID(target)).inserted {
                    out.append(path)
                }
            default:
                continue  // FIFOs, sockets, devices are never inputs of a walk
            }
        }
    }

    /// Names in a folder (without `.` and `..`), sorted; empty when it cannot be read.
    public static func names(in path: String) -> [String] {
        // raw syscall: swift-system 1.8 has no directory listing.
        guard let d = opendir(path) else { return [] }
        defer { closedir(d) }
        var out: [String] = []
        while let e = readdir(d) {
            let name = withUnsafePointer(to: e.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { out.append(name) }
        }
        return out.sorted()
    }

    /// True when `path` is a folder and not a symbolic link (lstat).
    public static func isRealFolder(_ path: String) -> Bool {
        (try? FilePath(path).stat(followTargetSymlink: false))?.type == .directory
    }
}

struct FileID: Hashable {
    var dev: UInt64
    var ino: UInt64
    init(_ st: Stat) {
        dev = UInt64(st.deviceID.rawValue)
        ino = UInt64(st.inode.rawValue)
    }
}
