import Dispatch

/// `floe bench read`: decode every column chunk of a file (values and levels), in parallel over chunks.
public enum ReadBenchmark {
    public struct Result: Sendable {
        public var bytes: Int
        public var rows: Int64
        public var values: Int
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

    public static func run(path: String, jobs: Int? = nil, options: ReadOptions = ReadOptions(),
                           decryption: FileDecryptionProperties? = nil) throws -> Result {
        let start = ContinuousClock.now
        let file = try ParquetFile(path: path, decryption: decryption)
        let values = try decodeAll(file, jobs: jobs, options: options)
        let d = ContinuousClock.now - start
        let secs = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        return Result(bytes: file.storage.size, rows: file.numRows, values: values, seconds: secs)
    }

    /// Decodes every chunk; returns the number of level entries decoded (a checksum that uses the data).
    public static func decodeAll(_ file: ParquetFile, jobs: Int? = nil, options: ReadOptions = ReadOptions()) throws
        -> Int
    {
        var tasks: [(Int, Int)] = []
        for g in 0..<file.rowGroupCount {
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
final class SharedState: @unchecked Sendable {
    private var lock = pthread_mutex_t()
    private var nextIndex = 0
    private let count: Int
    private(set) var total = 0
    private(set) var error: Error?

    init(count: Int) {
        self.count = count
        pthread_mutex_init(&lock, nil)
    }

    deinit { pthread_mutex_destroy(&lock) }

    func next() -> Int? {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        guard error == nil, nextIndex < count else { return nil }
        nextIndex += 1
        return nextIndex - 1
    }

    func add(_ n: Int) {
        pthread_mutex_lock(&lock)
        total += n
        pthread_mutex_unlock(&lock)
    }

    func fail(_ e: Error) {
        pthread_mutex_lock(&lock)
        if error == nil { error = e }
        pthread_mutex_unlock(&lock)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Cores online: the default parallelism of readers, writers and the converter.
public enum ProcessInfoLite {
    public static var activeCores: Int {
        let n = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        return n > 0 ? n : 1
    }
}
