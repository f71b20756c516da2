import Dispatch
import Synchronization

/// `floe bench read`: decode every column chunk of a file (values and levels), in parallel over chunks.
public enum ReadBenchmark {
    /// What a read benchmark measured.
    public struct Result: Sendable {
        /// Size of the file in bytes.
        public var bytes: Int
        /// Rows in the file.
        public var rows: Int64
        /// Values and levels decoded, over all column chunks.
        public var values: Int
        /// Wall time from opening the file to the last chunk decoded, in seconds.
        public var seconds: Double

        /// `{"op":"read","bytes":N,"rows":N,"seconds":S,"mb_per_s":X}`
        public var jsonLine: String {
            let mbps = seconds > 0 ? Double(bytes) / 1e6 / seconds : 0
            return "{\"op\":\"read\",\"bytes\":\(bytes),\"rows\":\(rows),\"seconds\":\(fmt(seconds)),\"mb_per_s\":\(fmt(mbps))}"
        }

        private func fmt(_ x: Double) -> String {
            let r = (x * 1000).rounded() / 1000
            return String(r)
        }
    }

    /// Opens `path` and decodes every column chunk on `jobs` threads (`nil`: the active cores).
    ///
    /// - Throws: ``ParquetError`` when the file cannot be opened, decrypted or decoded.
    public static func run(path: String, jobs: Int? = nil, options: ReadOptions = ReadOptions(),
                           decryption: FileDecryptionProperties? = nil) throws -> Result {
        try run(opening: { try ParquetFile(path: path, decryption: decryption) }, jobs: jobs, options: options)
    }

    /// Opens a file with `open` (a local path, an object through a remote byte source) and decodes every column
    /// chunk on `jobs` threads; the time counts from the open. A remote file (`readsAreExpensive`) is read row group
    /// by row group: each group's chunks fetched together first, then decoded in parallel, then let go, so memory
    /// holds one row group's chunks.
    public static func run(opening open: () throws -> ParquetFile, jobs: Int? = nil,
                           options: ReadOptions = ReadOptions()) throws -> Result {
        let start = ContinuousClock.now
        let file = try open()
        var values = 0
        if file.storage.readsAreExpensive {
            for g in 0..<file.rowGroupCount {
                try file.willRead(rowGroup: g, columns: Array(file.schema.columns.indices))
                values += try decodeAll(file, rowGroups: g..<(g + 1), jobs: jobs, options: options)
                file.releaseResidentPages()
            }
        } else {
            values = try decodeAll(file, jobs: jobs, options: options)
        }
        let d = ContinuousClock.now - start
        let secs = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        return Result(bytes: file.storage.size, rows: file.numRows, values: values, seconds: secs)
    }

    /// Decodes every chunk; returns the number of level entries decoded (a checksum that uses the data).
    public static func decodeAll(_ file: ParquetFile, jobs: Int? = nil, options: ReadOptions = ReadOptions()) throws
        -> Int
    {
        try decodeAll(file, rowGroups: 0..<file.rowGroupCount, jobs: jobs, options: options)
    }

    /// Decodes every chunk of the row groups in `rowGroups`; returns the number of level entries decoded.
    public static func decodeAll(_ file: ParquetFile, rowGroups: Range<Int>, jobs: Int? = nil,
                                 options: ReadOptions = ReadOptions()) throws -> Int {
        var tasks: [(Int, Int)] = []
        for g in rowGroups.clamped(to: 0..<file.rowGroupCount) {
            for c in file.schema.columns.indices { tasks.append((g, c)) }
        }
        // Largest chunks first so the tail of the run is short.
        tasks.sort { a, b in
            let sa = file.metadata.rowGroups[a.0].columns[a.1].metaData?.totalUncompressedSize ?? 0
            let sb = file.metadata.rowGroups[b.0].columns[b.1].metaData?.totalUncompressedSize ?? 0
            return sa > sb
        }
        let work = tasks
        let workers = max(1, min(jobs ?? ProcessInfoLite.activeCores, work.count))
        let state = SharedState(count: work.count)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let i = state.next() {
                let (g, c) = work[i]
                do {
                    let data = try file.readColumn(rowGroup: g, column: c, options: options)
                    state.add(data.levelCount + data.values.count)
                } catch {
                    state.fail(error)
                }
            }
        }
        if let e = state.error { throw e }
        return state.total
    }
}

/// Work queue and result shared by benchmark workers.
final class SharedState: Sendable {
    private struct State {
        var nextIndex = 0
        var total = 0
        var error: Error?
    }
    private let state = Mutex(State())
    private let count: Int

    init(count: Int) {
        self.count = count
    }

    var total: Int { state.withLock { $0.total } }
    var error: Error? { state.withLock { $0.error } }

    func next() -> Int? {
        state.withLock { s in
            guard s.error == nil, s.nextIndex < count else { return nil }
            s.nextIndex += 1
            return s.nextIndex - 1
        }
    }

    func add(_ n: Int) {
        state.withLock { $0.total += n }
    }

    func fail(_ e: Error) {
        state.withLock { s in
            if s.error == nil { s.error = e }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Cores online: the default parallelism of readers, writers and the converter.
public enum ProcessInfoLite {
    /// Processors online (`sysconf(_SC_NPROCESSORS_ONLN)`), at least 1.
    public static var activeCores: Int {
        let n = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        return n > 0 ? n : 1
    }
}
