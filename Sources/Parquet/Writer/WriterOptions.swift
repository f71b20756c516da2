// Writer settings: codec, page format, encodings, sizes, statistics, page index, bloom filters, checksums.

/// The Floe version written into `created_by`.
public enum FloeInfo {
    public static let version = "0.2.0"
    public static let build = "swiftpm"
    /// `floe version 0.2.0 (build …)`, the form parquet-mr's and arrow's version parsers understand.
    public static var createdBy: String { "floe version \(version) (build \(build))" }
}

/// Data page format.
public enum DataPageVersion: Int, Sendable {
    case v1 = 1, v2 = 2
}

/// A Bloom filter requested for one column: expected distinct values per column chunk (nil: the chunk's exact
/// distinct count) and the false-positive probability.
public struct BloomFilterOptions: Sendable, Equatable {
    public var ndv: Int?
    public var fpp: Double
    public init(ndv: Int? = nil, fpp: Double = 0.05) {
        self.ndv = ndv
        self.fpp = fpp
    }
}

/// Settings of a `ParquetWriter`. Defaults follow arrow's (readable by every engine): v1 data pages, snappy,
/// dictionary encoding with a 1 MiB dictionary limit (then PLAIN), 1 MiB / 20 000-row pages, statistics, page
/// index, page CRCs; row groups close at 128 MiB or 128 Ki rows (DuckDB's size class, not arrow's 1 Mi rows: each
/// row group is finished and written while later rows are still coming, and the memory a row group needs stays
/// the same whatever the file size).
public struct WriterOptions: Sendable {
    public var compression: CompressionCodec = .snappy
    /// Codec level (GZIP 0…9, ZSTD 1…22, BROTLI 0…11); nil = the codec's default.
    public var compressionLevel: Int?
    public var pageVersion: DataPageVersion = .v1
    /// Dictionary encoding for every column (except BOOLEAN) unless a column's encoding says otherwise.
    public var dictionary = true
    /// Columns (dotted paths) with dictionary encoding turned on or off individually.
    public var columnDictionary: [String: Bool] = [:]
    /// Largest dictionary (PLAIN-encoded bytes) before a column chunk falls back to its non-dictionary encoding.
    public var dictionaryPageSizeLimit = 1 << 20
    /// Value encodings by column (dotted path). RLE_DICTIONARY/PLAIN_DICTIONARY turn dictionary encoding on;
    /// any other encoding turns it off and is used for every page.
    public var columnEncodings: [String: Encoding] = [:]
    /// Encoding of non-dictionary pages for columns not in `columnEncodings` (PLAIN).
    public var defaultEncoding: Encoding = .plain
    /// Target data page size (bytes, before compression) and most rows per page.
    public var pageSize = 1 << 20
    public var pageRowLimit = 20_000
    /// A row group is closed when its encoded size reaches `rowGroupSize` bytes or it holds `rowGroupRows` rows.
    public var rowGroupSize = 128 << 20
    public var rowGroupRows = 128 << 10
    public var statistics = true
    /// Binary min/max longer than this are truncated (min: prefix; max: prefix incremented); nil = never.
    public var statisticsTruncateLength: Int? = 64
    public var pageIndex = true
    public var checksums = true
    public var bloomFilters: [String: BloomFilterOptions] = [:]
    public var keyValueMetadata: [KeyValue] = []
    public var sortingColumns: [SortingColumn]?
    public var createdBy: String = FloeInfo.createdBy
    /// Columns are encoded in parallel on this many threads (nil = active cores, 1 = on the calling thread).
    public var threads: Int?
    /// When the finished pages of the open row group exceed this many bytes, they are moved to an unlinked
    /// temporary file next to the output (and copied into place when the row group closes), so memory stays
    /// flat whatever the row-group size. nil = keep row groups in memory.
    public var spillThreshold: Int? = 16 << 20
    /// Flush the file to disk (fsync) before renaming it into place.
    public var fsync = true
    /// Modular encryption (Encryption.md); nil writes a plain file.
    public var encryption: FileEncryptionOptions?

    public init() {}

    public init(compression: CompressionCodec) {
        self.compression = compression
    }
}
