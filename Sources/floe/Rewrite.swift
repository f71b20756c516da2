import ArgumentParser
import Firehose
import ObjectStore
import Parquet

/// Parses sizes such as `123`, `64KiB`, `128MiB`, `1GiB` (also KB/MB/GB as powers of 1000, K/M/G as binary).
func parseByteSize(_ s: String) -> Int? {
    let t = s.trimmingWhitespace()
    var digits = Substring(t)
    var unit = ""
    while let last = digits.last, !last.isNumber { unit = String(last) + unit; digits.removeLast() }
    guard let n = Int(digits), n >= 0 else { return nil }
    let mult: Int
    switch unit.lowercased() {
    case "", "b": mult = 1
    case "k", "kib": mult = 1 << 10
    case "m", "mib": mult = 1 << 20
    case "g", "gib": mult = 1 << 30
    case "kb": mult = 1000
    case "mb": mult = 1_000_000
    case "gb": mult = 1_000_000_000
    default: return nil
    }
    let (r, o) = n.multipliedReportingOverflow(by: mult)
    return o ? nil : r
}

/// Writer flags shared by `rewrite` (conventions/cli.md "Writing Parquet").
struct WriterFlags: ParsableArguments {
    @Option(name: .long, help: "Codec: none|snappy|gzip|zstd|lz4_raw|brotli (default snappy).")
    var compression: String = "snappy"
    @Option(name: .long, parsing: .unconditional, help: "Codec level (gzip 0-9, zstd 1-22, brotli 0-11).")
    var level: Int?
    @Option(name: .long, help: "Data page version: 1 or 2 (default 1).")
    var pageVersion: Int = 1
    @Option(name: .long, help: "PATH=ENCODING, e.g. a.b=DELTA_BINARY_PACKED (repeatable).")
    var encoding: [String] = []
    @Flag(name: .long, help: "No dictionary encoding.")
    var noDictionary = false
    @Option(name: .long, help: "Row group size in bytes (123, 64KiB, 128MiB, 1GiB; default 128MiB).")
    var rowGroupSize: String?
    @Option(name: .long, help: "Data page size in bytes (default 1MiB).")
    var pageSize: String?
    @Option(name: .long, help: "PATH[:NDV]: write a Bloom filter for the column (repeatable).")
    var bloomFilter: [String] = []
    @Flag(name: .long, help: "No min/max/null statistics (and no column index).")
    var noStatistics = false
    @Flag(name: .long, help: "No page index (column and offset indexes).")
    var noPageIndex = false
    @Flag(name: .long, help: "No page CRC checksums.")
    var noChecksums = false

    func usage(_ message: String) -> FloeExit {
        Output.diagnostic("floe: \(message)")
        return .usageError
    }

    static func codec(_ name: String) -> CompressionCodec? {
        switch name.lowercased() {
        case "none", "uncompressed": .uncompressed
        case "snappy": .snappy
        case "gzip": .gzip
        case "zstd": .zstd
        case "lz4_raw", "lz4raw": .lz4Raw
        case "brotli": .brotli
        default: nil
        }
    }

    func options() throws -> WriterOptions {
        var o = WriterOptions()
        guard let codec = Self.codec(compression) else {
            throw usage("unknown --compression '\(compression)' (expected none, snappy, gzip, zstd, lz4_raw or brotli)")
        }
        o.compression = codec
        try FlagRange.check(level, "--level", -131072...22)
        o.compressionLevel = level
        guard let v = DataPageVersion(rawValue: pageVersion) else { throw usage("--page-version must be 1 or 2") }
        o.pageVersion = v
        o.dictionary = !noDictionary
        for e in encoding {
            guard let eq = e.lastIndex(of: "=") else { throw usage("--encoding expects PATH=ENCODING, got '\(e)'") }
            let path = String(e[..<eq]), name = String(e[e.index(after: eq)...])
            guard let enc = Encoding(name: name), enc != .alp, enc != .bitPacked else {
                throw usage("--encoding: unknown encoding '\(name)'")
            }
            o.columnEncodings[path] = enc
        }
        if let s = rowGroupSize {
            guard let n = parseByteSize(s), n > 0 else { throw usage("--row-group-size: bad size '\(s)'") }
            o.rowGroupSize = n
        }
        if let s = pageSize {
            guard let n = parseByteSize(s), n > 0 else { throw usage("--page-size: bad size '\(s)'") }
            o.pageSize = n
        }
        for b in bloomFilter {
            var path = b
            var ndv: Int?
            if let c = b.lastIndex(of: ":"), let n = Int(b[b.index(after: c)...]) {
                guard n > 0 else { throw usage("--bloom-filter: NDV must be positive") }
                path = String(b[..<c])
                ndv = n
            }
            o.bloomFilters[path] = BloomFilterOptions(ndv: ndv)
        }
        o.statistics = !noStatistics
        o.pageIndex = !noPageIndex
        o.checksums = !noChecksums
        o.createdBy = FloeInfo.createdBy
        return o
    }
}

struct Rewrite: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rewrite a Parquet file (same rows and schema) with other writer settings; OUT appears atomically.")

    @Argument(help: "The Parquet file to read (a path or s3://bucket/key).") var input: String
    @Argument(help: "The Parquet file to write (a path or s3://bucket/key).") var output: String
    @OptionGroup var writer: WriterFlags
    @Flag(name: .long, help: "Do not verify page checksums of IN.") var noVerifyChecksums = false
    @OptionGroup(title: "Keys (of an encrypted IN, and of OUT with --encrypt)") var keys: DecryptionFlags
    @OptionGroup(title: "Encryption of OUT") var encryption: EncryptionFlags

    func run() throws {
        MallocTuning.mapLargeBlocks()
        var opts = try writer.options()
        opts.encryption = try encryption.options(keys: keys)
        // With --encrypt and explicit keys, those keys are OUT's; IN is read with the key file / KMS only.
        var readKeys = keys
        if encryption.encrypt { readKeys.footerKey = nil; readKeys.columnKey = []; readKeys.aadPrefix = nil }
        let decryption = try readKeys.properties(file: input)
        let target = try Storage.location(output)
        if case .local(let path) = target {
            // OUT's folder must exist: name OUT (not IN) when it does not (issue 11).
            let slash = path.lastIndex(of: "/")
            let folder = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
            if !FileKind.isDirectory(folder) {
                Output.diagnostic("floe: \(output): folder \(folder) does not exist")
                throw FloeExit.usageError
            }
        }
        do {
            let file = try Storage.openParquet(input, decryption: decryption)
            switch target {
            case .local(let path):
                try ParquetRewrite.rewrite(file: file, output: path, options: opts,
                                           readOptions: ReadOptions(verifyChecksums: !noVerifyChecksums))
            case .s3:
                // Streamed up as a multipart upload while it is written: the object appears when the upload
                // completes, whole, or not at all.
                let sink = try Storage.objectSink(output)!
                do {
                    try ParquetRewrite.rewrite(file: file, sink: sink, options: opts,
                                               readOptions: ReadOptions(verifyChecksums: !noVerifyChecksums))
                } catch let e as ObjectStoreError {
                    throw Output.fail(output, e)
                }
            }
        } catch let e as FloeExit {
            throw e
        } catch let e as ParquetError {
            if case .invalidArgument = e {
                Output.diagnostic("floe: \(e.description)")
                throw FloeExit.usageError
            }
            // failures of the writer (create, write, fsync, rename: e.g. a full disk) are OUT's
            let m = e.description
            let writing = ["cannot create", "write failed", "fsync failed", "close failed", "cannot rename", "spill"]
            throw Output.fail(writing.contains(where: { m.contains($0) }) ? output : input, e)
        } catch {
            throw Output.fail(input, error)
        }
    }
}
