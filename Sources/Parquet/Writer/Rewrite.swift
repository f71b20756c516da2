import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

// Rewriting a Parquet file with other writer settings (`floe rewrite`), and the write benchmark (`floe bench write`).

/// `floe rewrite` and `floe bench write`: copy a file's rows into a new file with other writer settings.
public enum ParquetRewrite {
    /// What a rewrite wrote and how long it took.
    public struct Result: Sendable {
        /// Rows written.
        public var rows: Int64
        /// Size of the written file in bytes.
        public var bytes: Int64
        /// Seconds spent in the writer (encoding, compression, I/O), reading excluded.
        public var writeSeconds: Double
        /// Wall time of the whole rewrite, reading included.
        public var totalSeconds: Double

        /// `{"op":"write","bytes":N,"rows":N,"seconds":S,"mb_per_s":X}` (bytes of the written file, writer time).
        public var jsonLine: String {
            func fmt(_ x: Double) -> String { String((x * 1000).rounded() / 1000) }
            let mbps = writeSeconds > 0 ? Double(bytes) / 1e6 / writeSeconds : 0
            return "{\"op\":\"write\",\"bytes\":\(bytes),\"rows\":\(rows),\"seconds\":\(fmt(writeSeconds)),\"mb_per_s\":\(fmt(mbps))}"
        }
    }

    /// Reads `input` row group by row group and writes the same rows and schema (and key/value metadata) to
    /// `output`. Memory: one decoded input row group plus the writer's open row group.
    @discardableResult
    public static func rewrite(input: String, output: String, options: WriterOptions = WriterOptions(),
                               readOptions: ReadOptions = ReadOptions(),
                               decryption: FileDecryptionProperties? = nil) throws -> Result {
        try rewrite(file: ParquetFile(path: input, decryption: decryption), output: output, options: options, readOptions: readOptions)
    }

    /// Rewrites an opened file (from any byte source) to the local path `output`.
    @discardableResult
    public static func rewrite(file: ParquetFile, output: String, options: WriterOptions = WriterOptions(),
                               readOptions: ReadOptions = ReadOptions()) throws -> Result {
        try rewrite(file: file, sink: LocalFileSink(path: output, fsync: options.fsync), options: options,
                    readOptions: readOptions)
    }

    /// Rewrites an opened file (from any byte source) into `sink` (a local file, an object upload).
    @discardableResult
    public static func rewrite(file: ParquetFile, sink: any ParquetSink, options: WriterOptions = WriterOptions(),
                               readOptions: ReadOptions = ReadOptions()) throws -> Result {
        let clock = ContinuousClock()
        let t0 = clock.now
        var opts = options
        if opts.keyValueMetadata.isEmpty, let kv = file.metadata.keyValueMetadata { opts.keyValueMetadata = kv }
        let writer: ParquetWriter
        do {
            writer = try ParquetWriter(sink: sink, schema: file.schema, options: opts,
                                       elements: rootedElements(file.metadata.schema))
        } catch {
            sink.abort()
            throw error
        }
        var writing = Duration.zero
        do {
            for g in 0..<file.rowGroupCount {
                try file.willRead(rowGroup: g, columns: Array(file.schema.columns.indices))
                let cols = try readRowGroup(file, g, readOptions, threads: opts.threads)
                file.releaseResidentPages()
                let s = clock.now
                if cols.isEmpty {
                    // no leaf columns: nothing to write
                } else {
                    try writer.write(columns: cols)
                }
                writing += clock.now - s
                releaseFreedMemory()
            }
            let s = clock.now
            try writer.close()
            writing += clock.now - s
        } catch {
            writer.abort()
            throw error
        }
        func secs(_ d: Duration) -> Double {
            Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
        return Result(rows: writer.rowsWritten, bytes: writer.bytesWritten, writeSeconds: secs(writing),
                      totalSeconds: secs(clock.now - t0))
    }

    /// Decodes a row group's columns, in parallel over columns.
    static func readRowGroup(_ file: ParquetFile, _ g: Int, _ options: ReadOptions, threads: Int?) throws -> [ColumnData] {
        let n = file.schema.columns.count
        let workers = max(1, min(threads ?? ProcessInfoLite.activeCores, n))
        if workers <= 1 { return try file.readRowGroup(g, options: options) }
        final class Box: @unchecked Sendable {
            var out: [ColumnData?]
            var error: Error?
            let lock = Mutex(())
            init(_ n: Int) { out = [ColumnData?](repeating: nil, count: n) }
        }
        let box = Box(n)
        DispatchQueue.concurrentPerform(iterations: n) { c in
            do {
                let d = try file.readColumn(rowGroup: g, column: c, options: options)
                box.lock.withLock { _ in box.out[c] = d }
            } catch {
                box.lock.withLock { _ in box.error = error }
            }
        }
        if let e = box.error { throw e }
        return box.out.map { $0! }
    }

    /// The input's schema elements as they are (names, annotations, field ids), with a root that has no repetition.
    static func rootedElements(_ e: [SchemaElement]) -> [SchemaElement] {
        var out = e
        if !out.isEmpty {
            out[0].repetitionType = nil
            out[0].type = nil
        }
        return out
    }
}
