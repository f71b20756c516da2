// Parquet's basic enumerations (parquet.thrift), shared by the metadata model, the encodings and the readers.
// Unknown values decoded from a file are kept (`.unknown(raw)`) so a reader can say exactly what it met.

/// Physical storage type of a leaf column (`Type` in parquet.thrift).
public enum PhysicalType: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The physical types of parquet.thrift `Type`, values 0 to 7: bit-packed Booleans, 32- and 64-bit signed
    /// integers, the deprecated 96-bit timestamps, IEEE 754 floats and doubles, length-prefixed byte arrays and byte
    /// arrays of the width the schema gives.
    case boolean, int32, int64, int96, float, double, byteArray, fixedLenByteArray
    /// A type number this implementation does not know, kept so errors can name it.
    case unknown(Int32)

    /// The type with Thrift value `rawValue`; values outside 0...7 give ``unknown(_:)``.
    public init(rawValue: Int32) {
        switch rawValue {
        case 0: self = .boolean
        case 1: self = .int32
        case 2: self = .int64
        case 3: self = .int96
        case 4: self = .float
        case 5: self = .double
        case 6: self = .byteArray
        case 7: self = .fixedLenByteArray
        default: self = .unknown(rawValue)
        }
    }

    /// The Thrift enum value.
    public var rawValue: Int32 {
        switch self {
        case .boolean: 0
        case .int32: 1
        case .int64: 2
        case .int96: 3
        case .float: 4
        case .double: 5
        case .byteArray: 6
        case .fixedLenByteArray: 7
        case .unknown(let v): v
        }
    }

    /// The parquet.thrift name: `INT32`, `BYTE_ARRAY`, `FIXED_LEN_BYTE_ARRAY`.
    public var description: String {
        switch self {
        case .boolean: "BOOLEAN"
        case .int32: "INT32"
        case .int64: "INT64"
        case .int96: "INT96"
        case .float: "FLOAT"
        case .double: "DOUBLE"
        case .byteArray: "BYTE_ARRAY"
        case .fixedLenByteArray: "FIXED_LEN_BYTE_ARRAY"
        case .unknown(let v): "UNKNOWN_TYPE(\(v))"
        }
    }

    /// Byte width of one PLAIN value, nil for variable-width (BYTE_ARRAY), FLBA (width from schema) and BOOLEAN (bits).
    public var fixedByteWidth: Int? {
        switch self {
        case .int32, .float: 4
        case .int64, .double: 8
        case .int96: 12
        default: nil
        }
    }
}

/// Field repetition (`FieldRepetitionType`).
public enum Repetition: Int32, Sendable, CustomStringConvertible {
    /// `required`: exactly one value; `optional`: zero or one (nullable); `repeated`: zero or more (lists).
    case required = 0, optional = 1, repeated = 2
    /// The schema-text keyword: `required`, `optional` or `repeated`.
    public var description: String {
        switch self {
        case .required: "required"
        case .optional: "optional"
        case .repeated: "repeated"
        }
    }
}

/// Value encodings (`Encoding`).
public enum Encoding: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The encodings of parquet.thrift `Encoding`: `PLAIN` (0), `PLAIN_DICTIONARY` (2, the v1 dictionary page and
    /// indices), `RLE` (3, the hybrid RLE / bit-packing of levels and Booleans), `BIT_PACKED` (4, deprecated levels),
    /// `DELTA_BINARY_PACKED` (5), `DELTA_LENGTH_BYTE_ARRAY` (6) and `DELTA_BYTE_ARRAY` (7).
    case plain, plainDictionary, rle, bitPacked, deltaBinaryPacked, deltaLengthByteArray, deltaByteArray
    /// `RLE_DICTIONARY` (8, dictionary indices), `BYTE_STREAM_SPLIT` (9) and `ALP` (10, adaptive lossless
    /// floating point; recognised, not decoded).
    case rleDictionary, byteStreamSplit, alp
    /// An encoding number this implementation does not know.
    case unknown(Int32)

    /// The encoding with Thrift value `rawValue`; unknown values give ``unknown(_:)``.
    public init(rawValue: Int32) {
        switch rawValue {
        case 0: self = .plain
        case 2: self = .plainDictionary
        case 3: self = .rle
        case 4: self = .bitPacked
        case 5: self = .deltaBinaryPacked
        case 6: self = .deltaLengthByteArray
        case 7: self = .deltaByteArray
        case 8: self = .rleDictionary
        case 9: self = .byteStreamSplit
        case 10: self = .alp
        default: self = .unknown(rawValue)
        }
    }

    /// The Thrift enum value.
    public var rawValue: Int32 {
        switch self {
        case .plain: 0
        case .plainDictionary: 2
        case .rle: 3
        case .bitPacked: 4
        case .deltaBinaryPacked: 5
        case .deltaLengthByteArray: 6
        case .deltaByteArray: 7
        case .rleDictionary: 8
        case .byteStreamSplit: 9
        case .alp: 10
        case .unknown(let v): v
        }
    }

    /// The name used in parquet.thrift and on the command line (`DELTA_BINARY_PACKED`).
    public var description: String {
        switch self {
        case .plain: "PLAIN"
        case .plainDictionary: "PLAIN_DICTIONARY"
        case .rle: "RLE"
        case .bitPacked: "BIT_PACKED"
        case .deltaBinaryPacked: "DELTA_BINARY_PACKED"
        case .deltaLengthByteArray: "DELTA_LENGTH_BYTE_ARRAY"
        case .deltaByteArray: "DELTA_BYTE_ARRAY"
        case .rleDictionary: "RLE_DICTIONARY"
        case .byteStreamSplit: "BYTE_STREAM_SPLIT"
        case .alp: "ALP"
        case .unknown(let v): "UNKNOWN_ENCODING(\(v))"
        }
    }

    /// The encoding named `name` as in parquet.thrift (case-insensitive: `delta_binary_packed`), or `nil`.
    public init?(name: String) {
        let all: [Encoding] = [.plain, .plainDictionary, .rle, .bitPacked, .deltaBinaryPacked, .deltaLengthByteArray,
                               .deltaByteArray, .rleDictionary, .byteStreamSplit, .alp]
        guard let e = all.first(where: { $0.description == name.uppercased() }) else { return nil }
        self = e
    }
}

/// Compression codecs (`CompressionCodec`).
public enum CompressionCodec: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The codecs of parquet.thrift `CompressionCodec`, values 0 to 7. `lz4` is the deprecated Hadoop-framed LZ4;
    /// `lz4Raw` the LZ4 block format that replaced it. LZO is recognised but not supported.
    case uncompressed, snappy, gzip, lzo, brotli, lz4, zstd, lz4Raw
    /// A codec number this implementation does not know.
    case unknown(Int32)

    /// The codec with Thrift value `rawValue`; unknown values give ``unknown(_:)``.
    public init(rawValue: Int32) {
        switch rawValue {
        case 0: self = .uncompressed
        case 1: self = .snappy
        case 2: self = .gzip
        case 3: self = .lzo
        case 4: self = .brotli
        case 5: self = .lz4
        case 6: self = .zstd
        case 7: self = .lz4Raw
        default: self = .unknown(rawValue)
        }
    }

    /// The Thrift enum value.
    public var rawValue: Int32 {
        switch self {
        case .uncompressed: 0
        case .snappy: 1
        case .gzip: 2
        case .lzo: 3
        case .brotli: 4
        case .lz4: 5
        case .zstd: 6
        case .lz4Raw: 7
        case .unknown(let v): v
        }
    }

    /// The parquet.thrift name: `UNCOMPRESSED`, `SNAPPY`, `ZSTD`, `LZ4_RAW`.
    public var description: String {
        switch self {
        case .uncompressed: "UNCOMPRESSED"
        case .snappy: "SNAPPY"
        case .gzip: "GZIP"
        case .lzo: "LZO"
        case .brotli: "BROTLI"
        case .lz4: "LZ4"
        case .zstd: "ZSTD"
        case .lz4Raw: "LZ4_RAW"
        case .unknown(let v): "UNKNOWN_CODEC(\(v))"
        }
    }
}

/// Page types (`PageType`).
public enum PageType: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// `DATA_PAGE` (0), `INDEX_PAGE` (1, never written by any known writer), `DICTIONARY_PAGE` (2) and
    /// `DATA_PAGE_V2` (3).
    case dataPage, indexPage, dictionaryPage, dataPageV2
    /// A page type number this implementation does not know (such pages are skipped by size).
    case unknown(Int32)

    /// The page type with Thrift value `rawValue`; unknown values give ``unknown(_:)``.
    public init(rawValue: Int32) {
        switch rawValue {
        case 0: self = .dataPage
        case 1: self = .indexPage
        case 2: self = .dictionaryPage
        case 3: self = .dataPageV2
        default: self = .unknown(rawValue)
        }
    }

    /// The Thrift enum value.
    public var rawValue: Int32 {
        switch self {
        case .dataPage: 0
        case .indexPage: 1
        case .dictionaryPage: 2
        case .dataPageV2: 3
        case .unknown(let v): v
        }
    }

    /// The parquet.thrift name: `DATA_PAGE`, `DICTIONARY_PAGE`, `DATA_PAGE_V2`.
    public var description: String {
        switch self {
        case .dataPage: "DATA_PAGE"
        case .indexPage: "INDEX_PAGE"
        case .dictionaryPage: "DICTIONARY_PAGE"
        case .dataPageV2: "DATA_PAGE_V2"
        case .unknown(let v): "UNKNOWN_PAGE_TYPE(\(v))"
        }
    }
}

/// Legacy converted types (`ConvertedType`).
public enum ConvertedType: Int32, Sendable, CustomStringConvertible {
    /// The legacy annotations of parquet.thrift `ConvertedType`, by Thrift value; each has a ``LogicalType``
    /// equivalent that newer writers write beside it.
    case utf8 = 0, map = 1, mapKeyValue = 2, list = 3, enumType = 4, decimal = 5, date = 6
    /// Time of day and timestamps (UTC-adjusted) in milliseconds or microseconds.
    case timeMillis = 7, timeMicros = 8, timestampMillis = 9, timestampMicros = 10
    /// Integers of the given signedness and width, stored in INT32 or INT64.
    case uint8 = 11, uint16 = 12, uint32 = 13, uint64 = 14, int8 = 15, int16 = 16, int32 = 17, int64 = 18
    /// JSON text, BSON bytes, and the 12-byte `INTERVAL` (months, days, milliseconds).
    case json = 19, bson = 20, interval = 21

    /// The parquet.thrift name: `UTF8`, `TIMESTAMP_MILLIS`, `INTERVAL`.
    public var description: String {
        switch self {
        case .utf8: "UTF8"
        case .map: "MAP"
        case .mapKeyValue: "MAP_KEY_VALUE"
        case .list: "LIST"
        case .enumType: "ENUM"
        case .decimal: "DECIMAL"
        case .date: "DATE"
        case .timeMillis: "TIME_MILLIS"
        case .timeMicros: "TIME_MICROS"
        case .timestampMillis: "TIMESTAMP_MILLIS"
        case .timestampMicros: "TIMESTAMP_MICROS"
        case .uint8: "UINT_8"
        case .uint16: "UINT_16"
        case .uint32: "UINT_32"
        case .uint64: "UINT_64"
        case .int8: "INT_8"
        case .int16: "INT_16"
        case .int32: "INT_32"
        case .int64: "INT_64"
        case .json: "JSON"
        case .bson: "BSON"
        case .interval: "INTERVAL"
        }
    }
}

/// Boundary order of a column index (`BoundaryOrder`).
public enum BoundaryOrder: Int32, Sendable, CustomStringConvertible {
    /// How the pages' min/max values of a column index are ordered, so readers can binary-search them.
    case unordered = 0, ascending = 1, descending = 2
    /// The parquet.thrift name: `UNORDERED`, `ASCENDING` or `DESCENDING`.
    public var description: String {
        switch self {
        case .unordered: "UNORDERED"
        case .ascending: "ASCENDING"
        case .descending: "DESCENDING"
        }
    }
}
