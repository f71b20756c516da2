// Parquet's basic enumerations (parquet.thrift), shared by the metadata model, the encodings and the readers.
// Unknown values decoded from a file are kept (`.unknown(raw)`) so a reader can say exactly what it met.

/// Physical storage type of a leaf column (`Type` in parquet.thrift).
public enum PhysicalType: Equatable, Hashable, Sendable, CustomStringConvertible {
    case boolean, int32, int64, int96, float, double, byteArray, fixedLenByteArray
    case unknown(Int32)

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
    case required = 0, optional = 1, repeated = 2
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
    case plain, plainDictionary, rle, bitPacked, deltaBinaryPacked, deltaLengthByteArray, deltaByteArray
    case rleDictionary, byteStreamSplit, alp
    case unknown(Int32)

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

    public init?(name: String) {
        let all: [Encoding] = [.plain, .plainDictionary, .rle, .bitPacked, .deltaBinaryPacked, .deltaLengthByteArray,
                               .deltaByteArray, .rleDictionary, .byteStreamSplit, .alp]
        guard let e = all.first(where: { $0.description == name.uppercased() }) else { return nil }
        self = e
    }
}

/// Compression codecs (`CompressionCodec`).
public enum CompressionCodec: Equatable, Hashable, Sendable, CustomStringConvertible {
    case uncompressed, snappy, gzip, lzo, brotli, lz4, zstd, lz4Raw
    case unknown(Int32)

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
    case dataPage, indexPage, dictionaryPage, dataPageV2
    case unknown(Int32)

    public init(rawValue: Int32) {
        switch rawValue {
        case 0: self = .dataPage
        case 1: self = .indexPage
        case 2: self = .dictionaryPage
        case 3: self = .dataPageV2
        default: self = .unknown(rawValue)
        }
    }

    public var rawValue: Int32 {
        switch self {
        case .dataPage: 0
        case .indexPage: 1
        case .dictionaryPage: 2
        case .dataPageV2: 3
        case .unknown(let v): v
        }
    }

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
    case utf8 = 0, map = 1, mapKeyValue = 2, list = 3, enumType = 4, decimal = 5, date = 6
    case timeMillis = 7, timeMicros = 8, timestampMillis = 9, timestampMicros = 10
    case uint8 = 11, uint16 = 12, uint32 = 13, uint64 = 14, int8 = 15, int16 = 16, int32 = 17, int64 = 18
    case json = 19, bson = 20, interval = 21

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
    case unordered = 0, ascending = 1, descending = 2
    public var description: String {
        switch self {
        case .unordered: "UNORDERED"
        case .ascending: "ASCENDING"
        case .descending: "DESCENDING"
        }
    }
}
