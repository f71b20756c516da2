import ObjectStore
import Parquet
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ends the process with an exit status after a diagnostic has been printed.
struct FloeExit: Error {
    let code: Int32
    static let dataError = FloeExit(code: 1)
    static let usageError = FloeExit(code: 2)
}

/// Buffered stdout and one-line diagnostics on stderr (`floe: <file>[:<line>]: <what is wrong>`).
enum Output {
    nonisolated(unsafe) static var buffer: [UInt8] = {
        var b: [UInt8] = []
        b.reserveCapacity(1 << 20)
        return b
    }()

    static func write(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { flush() }
    }

    static func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 1 << 20 { flush() }
    }

    static func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { p in
            var off = 0
            while off < p.count {
                let r = Glibc.write(1, p.baseAddress! + off, p.count - off)
                if r <= 0 {
                    if r < 0 && errno == EINTR { continue }
                    // Downstream closed (e.g. `| head`): stop quietly.
                    exit(errno == EPIPE ? 0 : 1)
                }
                off += r
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    static func diagnostic(_ message: String) {
        var message = Substring(message)
        while let f = message.first, f == "\n" || f == " " { message.removeFirst() }
        let line = message.hasPrefix("floe:") || message.hasPrefix("Error:") || message.hasPrefix("Usage:")
            ? String(message) : "floe: \(message)"
        var bytes = Array(line.utf8)
        if bytes.last != 0x0A { bytes.append(0x0A) }
        writeStderr(bytes)
    }

    /// Serializes writers of stderr (the progress bar's timer thread and diagnostics from the command's threads),
    /// so a line is never split by another.
    private static let stderrLock = Mutex(())

    /// Writes `text` to stderr whole: see `writeStderr(_: [UInt8])`.
    static func writeStderr(_ text: String) { writeStderr(Array(text.utf8)) }

    /// The one writer of stderr: writes every byte, resuming after a partial write or a signal (EINTR) and
    /// waiting (poll) while a non-blocking stderr is full (EAGAIN); gives up silently when stderr is gone (EPIPE,
    /// EBADF), since there is nowhere left to report that.
    static func writeStderr(_ bytes: [UInt8]) {
        stderrLock.withLock { _ in
            bytes.withUnsafeBytes { p in
                var off = 0
                while off < p.count {
                    let r = Glibc.write(2, p.baseAddress! + off, p.count - off)
                    if r > 0 {
                        off += r
                    } else if r < 0 && errno == EINTR {
                        continue
                    } else if r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                        var fds = pollfd(fd: 2, events: Int16(POLLOUT), revents: 0)
                        _ = poll(&fds, 1, 1000)
                    } else {
                        return
                    }
                }
            }
        }
    }

    /// Reports a failure on `file` and returns the exit to throw.
    static func fail(_ file: String, _ error: Error) -> FloeExit {
        if let e = error as? ObjectStoreError {
            // Object-store messages name their object already.
            let m = e.description
            diagnostic(m.hasPrefix("s3://") || m.hasPrefix(file) ? "floe: \(m)" : "floe: \(file): \(m)")
            return e.isConfiguration ? .usageError : .dataError
        }
        let what: String
        if let p = error as? ParquetError {
            what = p.description
            diagnostic("floe: \(file): \(what)")
            if case .invalidArgument = p { return .usageError }
            return .dataError
        }
        diagnostic("floe: \(file): \(error)")
        return .dataError
    }
}

/// glibc malloc settings for the commands that stream row groups through the writer (`rewrite`, `bench write`,
/// `convert`).
enum MallocTuning {
    /// Blocks of `threshold` bytes and more (decoded columns, page buffers; 1 MiB unless given) come from mmap
    /// and go back to the system when freed. By default glibc raises this threshold as large blocks are freed
    /// and then serves them from the heap, where the differently sized buffers of successive row groups fragment
    /// it: peak memory then grows with the number of row groups (+15% when the input doubles); with the fixed
    /// threshold it stays flat. An explicit `MALLOC_MMAP_THRESHOLD_` in the environment is glibc's and wins.
    static func mapLargeBlocks(_ threshold: Int32 = 1 << 20) {
        #if canImport(Glibc)
        // glibc's own setting, when given, wins (MALLOC_MMAP_THRESHOLD_ in the environment)
        guard getenv("MALLOC_MMAP_THRESHOLD_") == nil else { return }
        _ = glibcMallopt(-3 /* M_MMAP_THRESHOLD */, threshold)
        #endif
    }
}

#if canImport(Glibc)
@_silgen_name("mallopt")
private func glibcMallopt(_ param: Int32, _ value: Int32) -> Int32
#endif

/// Range checks of numeric flags at parse time (issue 11, rules 8 and 9): one diagnostic line, exit 2.
enum FlagRange {
    /// Most worker threads any command starts: 4 x the active cores (stated in each `--jobs` help).
    static var maxWorkers: Int { 4 * max(1, ProcessInfoLite.activeCores) }

    /// `--jobs N` / `--threads N`: nil stays nil; below 1 or above `maxWorkers` is a usage error.
    static func workers(_ n: Int?, _ flag: String) throws -> Int? {
        guard let n else { return nil }
        guard n >= 1, n <= maxWorkers else {
            Output.diagnostic("floe: \(flag) must be between 1 and \(maxWorkers) (4 x \(ProcessInfoLite.activeCores) cores), got \(n)")
            throw FloeExit.usageError
        }
        return n
    }

    /// An integer flag within `range`.
    static func check(_ n: Int?, _ flag: String, _ range: ClosedRange<Int>) throws {
        guard let n else { return }
        guard range.contains(n) else {
            Output.diagnostic("floe: \(flag) must be between \(range.lowerBound) and \(range.upperBound), got \(n)")
            throw FloeExit.usageError
        }
    }
}
