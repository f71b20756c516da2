// Writer settings: codec, page format, encodings, sizes, statistics, page index, bloom filters, checksums.

/// The Floe version written into `created_by`.
public enum FloeInfo {
    /// Floe's version (also what `floe --version` prints).
    public static let version = "0.2.0"
    /// The build tag in `created_by`.
    public static let build = "swiftpm"
    /// `floe version 0.2.0 (build …)`, the form parquet-mr's and arrow's version parsers understand.
    public static var createdBy: String { "floe version \(version) (build \(build))" }
}

/// Data page format.
public enum DataPageVersion: Int, Sendable {
    /// `DATA_PAGE` (levels compressed with the values) or `DATA_PAGE_V2` (levels uncompressed, row-aligned pages).
    case v1 = 1, v2 = 2
}

/// A Bloom filter requested for one column: expected distinct values per column chunk (nil: the chunk's exact
/// distinct count) and the false-positive probability.
public struct BloomFilterOptions: Sendable, Equatable {
    /// Expected distinct values per column chunk; `nil` sizes the filter from the chunk's exact distinct count.
    public var ndv: Int?
    /// False-positive probability, in (0, 1); 0.05 by default.
    public var fpp: Double
    /// Bloom filter settings with the given expected distinct values and false-positive probability.
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
    /// Page compression (SNAPPY by default; UNCOMPRESSED, GZIP, ZSTD, LZ4_RAW and BROTLI are written too).
    public var compression: CompressionCodec = .snappy
    /// Codec level (GZIP 0…9, ZSTD 1…22, BROTLI 0…11); nil = the codec's default.
    public var compressionLevel: Int?
    /// Data page format (v1 by default, as arrow writes).
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
    /// Most rows per data page.
    public var pageRowLimit = 20_000
    /// A row group is closed when its encoded size reaches `rowGroupSize` bytes or it holds `rowGroupRows` rows.
    public var rowGroupSize = 128 << 20
    /// Most rows per row group (128 Ki by default).
    public var rowGroupRows = 128 << 10
    /// Write min/max/null-count statistics per chunk and per page.
    public var statistics = true
    /// Binary min/max longer than this are truncated (min: prefix; max: prefix incremented); nil = never.
    public var statisticsTruncateLength: Int? = 64
    /// Write the column index and offset index of every chunk.
    public var pageIndex = true
    /// Write a CRC-32 of every page.
    public var checksums = true
    /// Split-block Bloom filters to write, by column (dotted path).
    public var bloomFilters: [String: BloomFilterOptions] = [:]
    /// Footer key/value metadata.
    public var keyValueMetadata: [KeyValue] = []
    /// Sort order to declare in every row group (the writer does not sort).
    public var sortingColumns: [SortingColumn]?
    /// The footer's `created_by` (`floe version 0.2.0 (build swiftpm)`).
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

    /// The defaults described on the type.
    public init() {}

    /// The defaults with `compression`.
    public init(compression: CompressionCodec) {
        self.compression = compression
    }
}
