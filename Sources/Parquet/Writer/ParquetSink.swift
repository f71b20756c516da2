// Where a Parquet writer's bytes go: a local file (temporary name, fsync, rename) or anything else that can take
// bytes in order and publish them whole at the end (an object store's streaming upload, outside this module: the
// format core imports no networking). Descriptors go through swift-system; rename, unlink, fsync and
// sync_file_range stay raw (swift-system 1.8 lacks them), each marked `raw syscall`.
import SystemPackage
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The destination of one Parquet file. The writer calls `write` with the file's bytes in order, then `close()`
/// once; the file must not be visible (at its final name or key) before `close()` returns, and never if `abort()`
/// is called instead.
public protocol ParquetSink: AnyObject {
    /// Where the file goes, for messages (a path or a URL).
    var destination: String { get }
    /// Appends bytes.
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Ends the file: publishes it whole (or, for a two-phase sink, makes it ready to publish).
    func close() throws
    /// Discards everything written; the destination is untouched. Safe to call more than once and after `close()`
    /// failed.
    func abort()
    /// A local folder for the writer's spill file (pages of a large open row group); nil: `$TMPDIR` or /tmp.
    var spillDirectory: String? { get }
    /// A row group was written: a sink may start pushing it on (to the disk, to the network).
    func rowGroupWritten()
}

extension ParquetSink {
    /// No preference: the spill file goes to `$TMPDIR` or /tmp.
    public var spillDirectory: String? { nil }
    /// Nothing to do by default.
    public func rowGroupWritten() {}
}

/// A local file: bytes go to `.<name>.<pid>-<random>.tmp` beside `path`; `close()` fsyncs (when `fsync` is set)
/// and renames it into place, so the file appears whole or not at all.
public final class LocalFileSink: ParquetSink {
    /// The final path.
    public let path: String
    /// The temporary file written until `close()`.
    public let tempPath: String
    let fsync: Bool
    private var file: FileDescriptor?
    private var finished = false
    /// The temporary file's descriptor, -1 once closed.
    var fd: Int32 { file?.rawValue ?? -1 }

    /// Creates the temporary file beside `path`.
    public init(path: String, fsync: Bool) throws {
        self.path = path
        self.fsync = fsync
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[..<$0]) } ?? "."
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        var rnd = SystemRandomNumberGenerator()
        tempPath = (dir.isEmpty ? "" : dir + "/") + ".\(base).\(getpid())-\(String(rnd.next() as UInt32, radix: 16)).tmp"
        do {
            file = try FileDescriptor.open(FilePath(tempPath), .writeOnly, options: [.create, .truncate, .closeOnExec],
                                           permissions: FilePermissions(rawValue: 0o644))
        } catch {
            throw ParquetError.io("cannot create \(tempPath): \(error)")
        }
    }

    deinit { if !finished { abort() } }

    /// The final path.
    public var destination: String { path }

    /// The spill file lies beside the temporary file (same disk, so pages move with `copy_file_range`).
    public var spillDirectory: String? {
        guard let slash = tempPath.lastIndex(of: "/") else { return "." }
        return slash == tempPath.startIndex ? "/" : String(tempPath[..<slash])
    }

    /// Appends bytes to the temporary file.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        do {
            _ = try (file ?? FileDescriptor(rawValue: -1)).writeAll(bytes)  // retries EINTR
        } catch {
            throw ParquetError.io("write failed: \(error)")
        }
    }

    /// Starts the write-back of what was written (with fsync).
    public func rowGroupWritten() {
        // start writing the finished row group to disk now, so that the fsync at close waits for little more than
        // the last row group
        #if os(Linux)
        // raw syscall: sync_file_range starts the write-back early (swift-system 1.8 does not offer it).
        if fsync { _ = linuxSyncFileRange(fd, 0, 0, 2 /* SYNC_FILE_RANGE_WRITE */) }
        #endif
    }

    /// Fsyncs (when set), closes and renames the file into place.
    public func close() throws {
        do {
            // raw syscall: swift-system 1.8 has no fsync.
            if fsync && Glibc.fsync(fd) != 0 {
                throw ParquetError.io("fsync failed: \(String(cString: strerror(errno)))")
            }
            if let f = file {
                file = nil
                do { try f.close() } catch { throw ParquetError.io("close failed: \(error)") }
            }
            // raw syscall: swift-system 1.8 has no rename.
            if rename(tempPath, path) != 0 {
                throw ParquetError.io("cannot rename into \(path): \(String(cString: strerror(errno)))")
            }
            finished = true
        } catch {
            abort()
            throw error
        }
    }

    /// Closes and removes the temporary file.
    public func abort() {
        guard !finished else { return }
        finished = true
        try? file?.close()
        file = nil
        // raw syscall: swift-system 1.8 has no unlink.
        unlink(tempPath)
    }
}

#if os(Linux)
@_silgen_name("sync_file_range")
func linuxSyncFileRange(_ fd: Int32, _ offset: Int64, _ count: Int64, _ flags: UInt32) -> Int32
#endif
