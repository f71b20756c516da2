import ArgumentParser
import Parquet
import Warehouse
#if canImport(Glibc)
import Glibc
#endif

/// Options shared by `cat` and `head`.
struct RowOutputOptions: ParsableArguments {
    @Option(name: .long, help: "Comma-separated dotted paths of the columns to print (nested fields allowed).")
    var columns: String?

    @Option(name: .long, help: "Output format: jsonl (canonical JSON lines), csv (RFC 4180) or table.")
    var format: String = "jsonl"

    @Flag(name: .long, help: "Do not verify page checksums.")
    var noVerifyChecksums = false

    @OptionGroup var keys: DecryptionFlags

    @Option(name: .long, parsing: .unconditional, help: "Iceberg tables: read snapshot ID instead of the current one.")
    var snapshot: Int64?

    @Option(name: .customLong("as-of"), help: "Iceberg tables: read the snapshot that was current at TIME (ISO 8601, Unix ms, or an age such as 2h).")
    var asOf: String?

    func run(file path: String, limit: Int?) throws {
        guard let fmt = RowFormat(rawValue: format) else {
            Output.diagnostic("floe: unknown --format '\(format)' (expected jsonl, csv or table)")
            throw FloeExit.usageError
        }
        let cols = columns.map { $0.split(separator: ",").map { String($0).trimmingWhitespace() } }
        if snapshot != nil && asOf != nil {
            Output.diagnostic("floe: \(path): give at most one of --snapshot and --as-of")
            throw FloeExit.usageError
        }
        if !path.hasPrefix("s3://"), FileKind.isDirectory(path), let t = try IcebergCLI.table(atPath: path) {
            try runIceberg(path, t, format: fmt, columns: cols, limit: limit)
            return
        }
        if path.hasPrefix("s3://"), let t = try IcebergCLI.table(atObject: path) {
            try runIceberg(path, t, format: fmt, columns: cols, limit: limit)
            return
        }
        if snapshot != nil || asOf != nil {
            Output.diagnostic("floe: \(path): --snapshot and --as-of apply to Iceberg tables only")
            throw FloeExit.usageError
        }
        if try Storage.isFolder(path) {
            if case .s3 = try Storage.location(path) {
                try runObjects(path, format: fmt, columns: cols, limit: limit)
            } else {
                try runTable(path, format: fmt, columns: cols, limit: limit)
            }
            return
        }
        let decryption = try keys.properties(file: path)
        do {
            let file = try Storage.openParquet(path, decryption: decryption)
            let exporter = try RowExporter(file: file, columns: cols,
                                           options: ReadOptions(verifyChecksums: !noVerifyChecksums))
            try exporter.export(format: fmt, limit: limit) { Output.write($0) }
            Output.flush()
        } catch let e as FloeExit {
            throw e
        } catch {
            Output.flush()
            throw Output.fail(path, error)
        }
    }
}

extension RowOutputOptions {
    /// A table folder: every `*.parquet` below it, or for a versioned table (aggregate / merge output) the files of
    /// the version its `current` link names, resolved once (TableStorage.swift).
    func runTable(_ path: String, format fmt: RowFormat, columns cols: [String]?, limit: Int?) throws {
        let snap: TableSnapshot
        do {
            snap = try TableSnapshot.open(tableDir: path)
        } catch {
            throw Output.fail(path, error)
        }
        try exportAll(zip(snap.paths, snap.files), of: path, format: fmt, columns: cols, limit: limit)
    }

    /// An S3 prefix (`s3://bucket/table/`): every `*.parquet` object under it, in key order.
    func runObjects(_ path: String, format fmt: RowFormat, columns cols: [String]?, limit: Int?) throws {
        try exportAll(try Storage.openParquetPrefix(path), of: path, format: fmt, columns: cols, limit: limit)
    }

    /// The rows of several Parquet files (`(name, file)`, in order) as one output; a file that cannot be read is
    /// reported by its name, an export failure by `path` (the table folder or prefix).
    private func exportAll<Files: Sequence<(String, ParquetFile)>>(
        _ files: Files, of path: String, format fmt: RowFormat, columns cols: [String]?, limit: Int?
    ) throws {
        var parts: [RowExporter] = []
        for (name, file) in files {
            do {
                var part = try RowExporter(file: file, columns: cols,
                                           options: ReadOptions(verifyChecksums: !noVerifyChecksums))
                part.label = name
                parts.append(part)
            } catch {
                throw Output.fail(name, error)
            }
        }
        do {
            try RowExporter.export(parts, format: fmt, limit: limit) { Output.write($0) }
            Output.flush()
        } catch {
            Output.flush()
            throw Output.fail(path, error)
        }
    }
}

enum FileKind {
    static func isDirectory(_ p: String) -> Bool {
        var st = stat()
        return stat(p, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}

struct Cat: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the rows of a Parquet file.")

    @Argument(help: "The Parquet file or table folder (a path, s3://bucket/key or s3://bucket/prefix/).") var file: String
    @Option(name: .long, parsing: .unconditional, help: "Print at most N rows.") var limit: Int?
    @OptionGroup var output: RowOutputOptions

    func run() throws {
        if let l = limit, l < 0 {
            Output.diagnostic("floe: --limit must be >= 0")
            throw FloeExit.usageError
        }
        try output.run(file: file, limit: limit)
    }
}

struct Head: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the first rows of a Parquet file (cat --limit N).")

    @Argument(help: "The Parquet file or table folder (a path, s3://bucket/key or s3://bucket/prefix/).") var file: String
    @Option(name: .short, parsing: .unconditional, help: "Number of rows (default 10).") var n: Int = 10
    @OptionGroup var output: RowOutputOptions

    func run() throws {
        if n < 0 {
            Output.diagnostic("floe: -n must be >= 0")
            throw FloeExit.usageError
        }
        try output.run(file: file, limit: n)
    }
}
