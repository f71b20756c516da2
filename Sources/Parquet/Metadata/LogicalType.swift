// LogicalType (parquet.thrift union LogicalType) and its members.

/// Time unit of TIME and TIMESTAMP logical types (`union TimeUnit`).
public enum TimeUnit: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// Milliseconds, microseconds or nanoseconds.
    case millis, micros, nanos
    /// A union member this spec does not know (field id).
    case undefined(Int16)

    /// `MILLIS`, `MICROS` or `NANOS`.
    public var description: String {
        switch self {
        case .millis: "MILLIS"
        case .micros: "MICROS"
        case .nanos: "NANOS"
        case .undefined(let id): "UNDEFINED_UNIT(\(id))"
        }
    }
}

extension TimeUnit: ThriftStruct {
    /// Decodes a `TimeUnit` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        var last: Int16 = 0
        var unit: TimeUnit?
        while let f = try r.readFieldHeader(&last) {
            switch f.id {
            case 1 where f.type == .struct: try r.readEmptyStruct(); unit = .millis
            case 2 where f.type == .struct: try r.readEmptyStruct(); unit = .micros
            case 3 where f.type == .struct: try r.readEmptyStruct(); unit = .nanos
            default:
                try r.skip(f.type)
                if f.type == .struct { unit = .undefined(f.id) }  // mistyped known members are ignored
            }
        }
        guard let unit else { throw ParquetError.corrupt("TimeUnit: empty union") }
        self = unit
    }

    /// Appends this `TimeUnit` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        let s = w.beginStruct()
        switch self {
        case .millis: w.writeEmptyStructField(1)
        case .micros: w.writeEmptyStructField(2)
        case .nanos: w.writeEmptyStructField(3)
        case .undefined(let id): w.writeEmptyStructField(id)
        }
        w.endStruct(s)
    }
}

/// Edge interpolation of GEOGRAPHY values (`EdgeInterpolationAlgorithm`).
public enum EdgeInterpolationAlgorithm: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// Edges are shortest paths on the sphere (`SPHERICAL`) or on the ellipsoid by the named algorithm.
    case spherical, vincenty, thomas, andoyer, karney
    /// An algorithm number this implementation does not know.
    case unknown(Int32)

    /// The algorithm with Thrift value `rawValue`; unknown values give ``unknown(_:)``.
    public init(rawValue: Int32) {
        switch rawValue {
        case 0: self = .spherical
        case 1: self = .vincenty
        case 2: self = .thomas
        case 3: self = .andoyer
        case 4: self = .karney
        default: self = .unknown(rawValue)
        }
    }

    /// The Thrift enum value.
    public var rawValue: Int32 {
        switch self {
        case .spherical: 0
        case .vincenty: 1
        case .thomas: 2
        case .andoyer: 3
        case .karney: 4
        case .unknown(let v): v
        }
    }

    /// The parquet.thrift name: `SPHERICAL`, `VINCENTY`, `KARNEY`.
    public var description: String {
        switch self {
        case .spherical: "SPHERICAL"
        case .vincenty: "VINCENTY"
        case .thomas: "THOMAS"
        case .andoyer: "ANDOYER"
        case .karney: "KARNEY"
        case .unknown(let v): "UNKNOWN_ALGORITHM(\(v))"
        }
    }
}

/// Logical type annotation of a schema element (`union LogicalType`).
public enum LogicalType: Equatable, Hashable, Sendable {
    /// UTF-8 text in BYTE_ARRAY.
    case string
    /// A map: a group holding one repeated `key_value` group of `key` and `value`.
    case map
    /// A list: a group holding one repeated `list` group of one `element`.
    case list
    /// An enum value as UTF-8 text.
    case `enum`
    /// A decimal `unscaled × 10^-scale` with at most `precision` digits, in INT32, INT64, FIXED_LEN_BYTE_ARRAY or
    /// BYTE_ARRAY (big-endian two's complement).
    case decimal(scale: Int32, precision: Int32)
    /// Days since 1970-01-01 in INT32.
    case date
    /// Time of day in `unit` since midnight (INT32 for milliseconds, INT64 otherwise).
    case time(isAdjustedToUTC: Bool, unit: TimeUnit)
    /// An instant (`isAdjustedToUTC`) or a local date-time, in `unit` since the epoch, in INT64.
    case timestamp(isAdjustedToUTC: Bool, unit: TimeUnit)
    /// An integer of 8, 16, 32 or 64 bits, signed or unsigned, in INT32 or INT64.
    case integer(bitWidth: Int8, isSigned: Bool)
    /// `NullType`: only nulls are stored.
    case unknown
    /// JSON text in BYTE_ARRAY.
    case json
    /// BSON bytes in BYTE_ARRAY.
    case bson
    /// A UUID in a 16-byte FIXED_LEN_BYTE_ARRAY, big-endian.
    case uuid
    /// An IEEE 754 half-precision float in a 2-byte FIXED_LEN_BYTE_ARRAY, little-endian.
    case float16
    /// A semi-structured Variant value (group of `metadata` and `value` binaries).
    case variant(specVersion: Int8?)
    /// Planar geometries as WKB in BYTE_ARRAY, in the coordinate reference system `crs` (default OGC:CRS84).
    case geometry(crs: String?)
    /// Geographies as WKB in BYTE_ARRAY, with edges interpolated by `algorithm` (default spherical).
    case geography(crs: String?, algorithm: EdgeInterpolationAlgorithm?)
    /// Reserved in parquet.thrift (field 15); no content.
    case file
    /// A union member this spec does not know (its field id); its content was skipped.
    case undefined(fieldId: Int16)
}

extension LogicalType: ThriftStruct {
    /// Decodes a `LogicalType` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        var last: Int16 = 0
        var result: LogicalType?
        while let f = try r.readFieldHeader(&last) {
            guard f.type == .struct else {
                // Every member is a struct: a mistyped member is skipped and ignored.
                try r.skip(f.type)
                continue
            }
            switch f.id {
            case 1: try r.readEmptyStruct(); result = .string
            case 2: try r.readEmptyStruct(); result = .map
            case 3: try r.readEmptyStruct(); result = .list
            case 4: try r.readEmptyStruct(); result = .enum
            case 5: result = try Self.readDecimal(&r)
            case 6: try r.readEmptyStruct(); result = .date
            case 7:
                let (utc, unit) = try Self.readTime(&r, "TimeType")
                result = .time(isAdjustedToUTC: utc, unit: unit)
            case 8:
                let (utc, unit) = try Self.readTime(&r, "TimestampType")
                result = .timestamp(isAdjustedToUTC: utc, unit: unit)
            case 10: result = try Self.readInt(&r)
            case 11: try r.readEmptyStruct(); result = .unknown
            case 12: try r.readEmptyStruct(); result = .json
            case 13: try r.readEmptyStruct(); result = .bson
            case 14: try r.readEmptyStruct(); result = .uuid
            case 15: try r.readEmptyStruct(); result = .float16
            case 16: result = try Self.readVariant(&r)
            case 17: result = try Self.readGeometry(&r)
            case 18: result = try Self.readGeography(&r)
            case 19: try r.readEmptyStruct(); result = .file
            default: try r.readEmptyStruct(); result = .undefined(fieldId: f.id)
            }
        }
        guard let result else { throw ParquetError.corrupt("LogicalType: empty union") }
        self = result
    }

    private static func readDecimal(_ r: inout ThriftCompactReader) throws -> LogicalType {
        var last: Int16 = 0
        var scale: Int32?, precision: Int32?
        while let f = try r.readFieldHeader(&last) {
            switch (f.id, f.type) {
            case (1, .i32): scale = try r.readI32()
            case (2, .i32): precision = try r.readI32()
            default: try r.skip(f.type)
            }
        }
        guard let scale else { throw thriftMissing("DecimalType", "scale") }
        guard let precision else { throw thriftMissing("DecimalType", "precision") }
        return .decimal(scale: scale, precision: precision)
    }

    private static func readTime(_ r: inout ThriftCompactReader, _ name: StaticString) throws -> (Bool, TimeUnit) {
        var last: Int16 = 0
        var utc: Bool?, unit: TimeUnit?
        while let f = try r.readFieldHeader(&last) {
            switch f.id {
            case 1 where f.isBool: utc = f.boolValue
            case 2 where f.type == .struct: unit = try TimeUnit(from: &r)
            default: try r.skip(f.type)
            }
        }
        guard let utc else { throw thriftMissing(name, "isAdjustedToUTC") }
        guard let unit else { throw thriftMissing(name, "unit") }
        return (utc, unit)
    }

    private static func readInt(_ r: inout ThriftCompactReader) throws -> LogicalType {
        var last: Int16 = 0
        var width: Int8?, signed: Bool?
        while let f = try r.readFieldHeader(&last) {
            switch f.id {
            case 1 where f.type == .i8: width = try r.readI8()
            case 2 where f.isBool: signed = f.boolValue
            default: try r.skip(f.type)
            }
        }
        guard let width else { throw thriftMissing("IntType", "bitWidth") }
        guard let signed else { throw thriftMissing("IntType", "isSigned") }
        return .integer(bitWidth: width, isSigned: signed)
    }

    private static func readVariant(_ r: inout ThriftCompactReader) throws -> LogicalType {
        var last: Int16 = 0
        var version: Int8?
        while let f = try r.readFieldHeader(&last) {
            switch (f.id, f.type) {
            case (1, .i8): version = try r.readI8()
            default: try r.skip(f.type)
            }
        }
        return .variant(specVersion: version)
    }

    private static func readGeometry(_ r: inout ThriftCompactReader) throws -> LogicalType {
        var last: Int16 = 0
        var crs: String?
        while let f = try r.readFieldHeader(&last) {
            switch (f.id, f.type) {
            case (1, .binary): crs = try r.readString("GeometryType.crs")
            default: try r.skip(f.type)
            }
        }
        return .geometry(crs: crs)
    }

    private static func readGeography(_ r: inout ThriftCompactReader) throws -> LogicalType {
        var last: Int16 = 0
        var crs: String?
        var algorithm: EdgeInterpolationAlgorithm?
        while let f = try r.readFieldHeader(&last) {
            switch (f.id, f.type) {
            case (1, .binary): crs = try r.readString("GeographyType.crs")
            case (2, .i32): algorithm = EdgeInterpolationAlgorithm(rawValue: try r.readI32())
            default: try r.skip(f.type)
            }
        }
        return .geography(crs: crs, algorithm: algorithm)
    }

    /// Appends this `LogicalType` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        let s = w.beginStruct()
        switch self {
        case .string: w.writeEmptyStructField(1)
        case .map: w.writeEmptyStructField(2)
        case .list: w.writeEmptyStructField(3)
        case .enum: w.writeEmptyStructField(4)
        case .decimal(let scale, let precision):
            w.writeFieldBegin(5, .struct)
            let t = w.beginStruct()
            w.writeField(1, i32: scale)
            w.writeField(2, i32: precision)
            w.endStruct(t)
        case .date: w.writeEmptyStructField(6)
        case .time(let utc, let unit), .timestamp(let utc, let unit):
            if case .time = self { w.writeFieldBegin(7, .struct) } else { w.writeFieldBegin(8, .struct) }
            let t = w.beginStruct()
            w.writeField(1, bool: utc)
            w.writeField(2, struct: unit)
            w.endStruct(t)
        case .integer(let width, let signed):
            w.writeFieldBegin(10, .struct)
            let t = w.beginStruct()
            w.writeField(1, i8: width)
            w.writeField(2, bool: signed)
            w.endStruct(t)
        case .unknown: w.writeEmptyStructField(11)
        case .json: w.writeEmptyStructField(12)
        case .bson: w.writeEmptyStructField(13)
        case .uuid: w.writeEmptyStructField(14)
        case .float16: w.writeEmptyStructField(15)
        case .variant(let version):
            w.writeFieldBegin(16, .struct)
            let t = w.beginStruct()
            w.writeField(1, i8: version)
            w.endStruct(t)
        case .geometry(let crs):
            w.writeFieldBegin(17, .struct)
            let t = w.beginStruct()
            w.writeField(1, string: crs)
            w.endStruct(t)
        case .geography(let crs, let algorithm):
            w.writeFieldBegin(18, .struct)
            let t = w.beginStruct()
            w.writeField(1, string: crs)
            w.writeField(2, i32: algorithm?.rawValue)
            w.endStruct(t)
        case .file: w.writeEmptyStructField(19)
        case .undefined(let id): w.writeEmptyStructField(id)
        }
        w.endStruct(s)
    }
}
