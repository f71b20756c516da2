// Module FileSafety: local files read and written safely — one home for the three rules every Floe module
// follows when it touches the local file system (issue 11):
//
// - BoundedRead: a schema, column file, catalog or checkpoint is read only from a regular file and only up to a
//   size limit (64 MiB by default). `/dev/zero`, a FIFO without a writer, a directory or a 20 GiB file is a clear
//   error, never a hang or an unbounded allocation. Streams (`-`) are read elsewhere, where a stream is the point.
// - PathContainment (Containment.swift): nothing Floe deletes, renames or writes lies outside its root (the
//   warehouse or the `--out` folder); real paths are compared, symbolic links are never followed out.
// - DirectoryWalker (DirectoryWalker.swift): the one directory walk of the project — follows no symbolic link to
//   a folder, detects cycles (bind mounts) by device and inode, visits each file once, takes only the file kinds
//   the command reads.
//
// The module imports only the C library and swift-system (descriptors, paths, stat), so JSONSchema's runner,
// Firehose and Warehouse can all use it without gaining a dependency on JSON or networking. Calls swift-system
// does not offer (opendir/readdir, mkdir, rmdir, unlink, realpath, fcntl) stay raw, each marked `raw syscall`.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// A local file operation that was refused or failed: the path and what is wrong, ready for
/// `floe: <path>: <message>`.
public struct FileSafetyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Why the operation was refused or failed; callers map ``io`` to "cannot read" and the others to a refusal.
    public enum Kind: Sendable, Equatable {
        /// The file does not exist or cannot be opened / read (errno text in the message).
        case io
        /// Not a regular file (FIFO, device, directory, socket).
        case notRegularFile
        /// Larger than the limit.
        case tooLarge
        /// The path (or its real path) lies outside the root it must stay in, or is a symbolic link where none
        /// is allowed.
        case outsideRoot
    }
    /// The category of the failure.
    public var kind: Kind
    /// The path as the caller gave it (or the component of it that failed), not a resolved real path.
    public var path: String
    /// What is wrong, without the path: `is a symbolic link; refusing to follow it out of /w`, or the `strerror`
    /// text for ``Kind/io``.
    public var message: String

    /// Creates an error of `kind` about `path` with the human-readable `message`.
    public init(_ kind: Kind, path: String, _ message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    /// `<path>: <message>`, the text after `floe: ` in a diagnostic line.
    public var description: String { "\(path): \(message)" }
}

/// Whole-file reads of configuration-like files (schemas, column definitions, catalogs, checkpoints).
public enum BoundedRead {
    /// The built-in limit: 64 MiB.
    public static let builtInLimit = 64 << 20

    /// Limit of `read(_:)` for schemas, column files and checkpoints: 64 MiB unless the command line raised it
    /// (`--max-schema-size`). Set once at start-up, before any file is read.
    nonisolated(unsafe) public static var defaultLimit = builtInLimit

    /// Catalogs grow with their partitions and are written by Floe itself: at least 1 GiB (the regular-file rule
    /// is what keeps `/dev/zero` out).
    public static var catalogLimit: Int { max(defaultLimit, 1 << 30) }

    /// The bytes of the regular file at `path`, at most `limit` bytes. Opens without blocking (a FIFO with no
    /// writer does not hang the open), refuses anything that is not a regular file after the open (fstat of the
    /// descriptor, so a file swapped for a FIFO between a check and the open is caught too), and stops reading
    /// past `limit` even if the size reported by fstat was wrong (procfs, growing files).
    public static func read(_ path: String, limit: Int? = nil, what: String = "file") throws(FileSafetyError)
        -> [UInt8]
    {
        let limit = limit ?? defaultLimit
        let fd: FileDescriptor
        do {
            // Non-blocking open: a FIFO with no writer does not hang the open. (Glibc's O_NOCTTY has no named
            // option in swift-system.)
            fd = try FileDescriptor.open(FilePath(path), .readOnly,
                                         options: [.closeOnExec, .nonBlocking, FileDescriptor.OpenOptions(rawValue: O_NOCTTY)])
        } catch {
            throw FileSafetyError(.io, path: path, errnoText(error))
        }
        defer { try? fd.close() }
        let st: Stat
        do { st = try fd.stat() } catch { throw FileSafetyError(.io, path: path, errnoText(error)) }
        guard st.type == .regular else {
            throw FileSafetyError(.notRegularFile, path: path,
                                  "\(what) must be a regular file, not \(kindName(st.type))")
        }
        if st.size > Int64(limit) {
            throw FileSafetyError(.tooLarge, path: path,
                                  "\(what) is \(st.size) bytes, more than the limit of \(limit) bytes (raise it with --max-schema-size)")
        }
        // Back to blocking reads (a regular file never blocks, but be explicit).
        // raw syscall: swift-system 1.8 has no fcntl(F_SETFL) to clear O_NONBLOCK on an open descriptor.
        let flags = fcntl(fd.rawValue, F_GETFL)
        if flags >= 0 { _ = fcntl(fd.rawValue, F_SETFL, flags & ~O_NONBLOCK) }
        var out: [UInt8] = []
        out.reserveCapacity(Int(st.size))
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n: Int
            do {
                n = try chunk.withUnsafeMutableBytes { try fd.read(into: $0) }  // retries EINTR
            } catch {
                throw FileSafetyError(.io, path: path, errnoText(error))
            }
            if n == 0 { break }
            if out.count + n > limit {
                throw FileSafetyError(.tooLarge, path: path, "\(what) is larger than the limit of \(limit) bytes")
            }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    static func kindName(_ type: FileType) -> String {
        switch type {
        case .fifo: "a FIFO or pipe"
        case .characterSpecial: "a character device"
        case .blockSpecial: "a block device"
        case .directory: "a directory"
        case .socket: "a socket"
        case .symbolicLink: "a symbolic link"
        default: "a special file"
        }
    }
}

func errnoText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

/// The system's text for a swift-system error (`Errno` for every call this module makes), as `strerror` gives it.
func errnoText(_ error: any Error) -> String {
    if let e = error as? Errno { return errnoText(e.rawValue) }
    return "\(error)"
}
