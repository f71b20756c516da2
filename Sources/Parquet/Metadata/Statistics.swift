// Statistics, SizeStatistics, BoundingBox, GeospatialStatistics (parquet.thrift).

/// Column chunk / page statistics (`struct Statistics`). Values are PLAIN-encoded bytes of the physical type.
public struct Statistics: Equatable, Hashable, Sendable {
    /// Deprecated `max` (signed comparison, only meaningful for some types; see parquet.thrift).
    public var max: [UInt8]?
    /// Deprecated `min`.
    public var min: [UInt8]?
    /// Number of null values, if written.
    public var nullCount: Int64?
    /// Number of distinct values, if written (rarely is).
    public var distinctCount: Int64?
    /// The maximum under the column's sort order (logical type aware), PLAIN-encoded; BYTE_ARRAY values without the
    /// length prefix.
    public var maxValue: [UInt8]?
    /// The minimum under the column's sort order, PLAIN-encoded like ``maxValue``.
    public var minValue: [UInt8]?
    /// Whether ``maxValue`` is an actual value (`false`: a truncated upper bound).
    public var isMaxValueExact: Bool?
    /// Whether ``minValue`` is an actual value (`false`: a truncated lower bound).
    public var isMinValueExact: Bool?
    /// Number of NaN values of a FLOAT / DOUBLE column (NaN is excluded from min and max), if written.
    public var nanCount: Int64?

    /// Statistics with the given fields; every field is optional on the wire.
    public init(max: [UInt8]? = nil, min: [UInt8]? = nil, nullCount: Int64? = nil, distinctCount: Int64? = nil,
                maxValue: [UInt8]? = nil, minValue: [UInt8]? = nil, isMaxValueExact: Bool? = nil,
                isMinValueExact: Bool? = nil, nanCount: Int64? = nil) {
        self.max = max
        self.min = min
        self.nullCount = nullCount
        self.distinctCount = distinctCount
        self.maxValue = maxValue
        self.minValue = minValue
        self.isMaxValueExact = isMaxValueExact
        self.isMinValueExact = isMinValueExact
        self.nanCount = nanCount
    }
}

extension Statistics: ThriftStruct {
    /// Decodes a `Statistics` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        self.init()
        var last: Int16 = 0
        while let f = try r.readFieldHeader(&last) {
            switch f.id {
            case 1 where f.type == .binary: max = try r.readBinary("Statistics.max")
            case 2 where f.type == .binary: min = try r.readBinary("Statistics.min")
            case 3 where f.type == .i64: nullCount = try r.readI64()
            case 4 where f.type == .i64: distinctCount = try r.readI64()
            case 5 where f.type == .binary: maxValue = try r.readBinary("Statistics.max_value")
            case 6 where f.type == .binary: minValue = try r.readBinary("Statistics.min_value")
            case 7 where f.isBool: isMaxValueExact = f.boolValue
            case 8 where f.isBool: isMinValueExact = f.boolValue
            case 9 where f.type == .i64: nanCount = try r.readI64()
            default: try r.skip(f.type)
            }
        }
    }

    /// Appends this `Statistics` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        let s = w.beginStruct()
        w.writeField(1, binary: max)
        w.writeField(2, binary: min)
        w.writeField(3, i64: nullCount)
        w.writeField(4, i64: distinctCount)
        w.writeField(5, binary: maxValue)
        w.writeField(6, binary: minValue)
        w.writeField(7, bool: isMaxValueExact)
        w.writeField(8, bool: isMinValueExact)
        w.writeField(9, i64: nanCount)
        w.endStruct(s)
    }
}

/// Sizes and level histograms of a column chunk or page (`struct SizeStatistics`).
public struct SizeStatistics: Equatable, Hashable, Sendable {
    /// Bytes of BYTE_ARRAY data before encoding and compression (without length prefixes), for readers that size
    /// buffers.
    public var unencodedByteArrayDataBytes: Int64?
    /// Count of each repetition level, index = level (0...max), if written.
    public var repetitionLevelHistogram: [Int64]?
    /// Count of each definition level, index = level (0...max), if written.
    public var definitionLevelHistogram: [Int64]?

    /// Size statistics with the given fields.
    public init(unencodedByteArrayDataBytes: Int64? = nil, repetitionLevelHistogram: [Int64]? = nil,
                definitionLevelHistogram: [Int64]? = nil) {
        self.unencodedByteArrayDataBytes = unencodedByteArrayDataBytes
        self.repetitionLevelHistogram = repetitionLevelHistogram
        self.definitionLevelHistogram = definitionLevelHistogram
    }
}

extension SizeStatistics: ThriftStruct {
    /// Decodes a `SizeStatistics` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        self.init()
        var last: Int16 = 0
        while let f = try r.readFieldHeader(&last) {
            switch (f.id, f.type) {
            case (1, .i64): unencodedByteArrayDataBytes = try r.readI64()
            case (2, .list): repetitionLevelHistogram = try r.readI64List("SizeStatistics.repetition_level_histogram")
            case (3, .list): definitionLevelHistogram = try r.readI64List("SizeStatistics.definition_level_histogram")
            default: try r.skip(f.type)
            }
        }
    }

    /// Appends this `SizeStatistics` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        let s = w.beginStruct()
        w.writeField(1, i64: unencodedByteArrayDataBytes)
        w.writeField(2, i64List: repetitionLevelHistogram)
        w.writeField(3, i64List: definitionLevelHistogram)
        w.endStruct(s)
    }
}

/// Bounding box of geospatial values (`struct BoundingBox`).
public struct BoundingBox: Equatable, Hashable, Sendable {
    /// Smallest X (longitude for geography).
    public var xmin: Double
    /// Largest X; smaller than ``xmin`` for a geography box that crosses the antimeridian.
    public var xmax: Double
    /// Smallest Y (latitude for geography).
    public var ymin: Double
    /// Largest Y.
    public var ymax: Double
    /// Smallest Z, when the geometries have Z.
    public var zmin: Double?
    /// Largest Z.
    public var zmax: Double?
    /// Smallest M (measure), when the geometries have M.
    public var mmin: Double?
    /// Largest M.
    public var mmax: Double?

    /// A bounding box with the given bounds.
    public init(xmin: Double, xmax: Double, ymin: Double, ymax: Double, zmin: Double? = nil, zmax: Double? = nil,
                mmin: Double? = nil, mmax: Double? = nil) {
        self.xmin = xmin
        self.xmax = xmax
        self.ymin = ymin
        self.ymax = ymax
        self.zmin = zmin
        self.zmax = zmax
        self.mmin = mmin
        self.mmax = mmax
    }

    /// Equality on the bit patterns, so NaN bounds compare equal to themselves (round trips stay exact).
    public static func == (a: BoundingBox, b: BoundingBox) -> Bool {
        func eq(_ x: Double?, _ y: Double?) -> Bool { x?.bitPattern == y?.bitPattern }
        return eq(a.xmin, b.xmin) && eq(a.xmax, b.xmax) && eq(a.ymin, b.ymin) && eq(a.ymax, b.ymax)
            && eq(a.zmin, b.zmin) && eq(a.zmax, b.zmax) && eq(a.mmin, b.mmin) && eq(a.mmax, b.mmax)
    }

    /// Hashes the bit patterns, consistent with the bit-pattern equality.
    public func hash(into h: inout Hasher) {
        for v in [xmin, xmax, ymin, ymax] { h.combine(v.bitPattern) }
        for v in [zmin, zmax, mmin, mmax] { h.combine(v?.bitPattern) }
    }
}

extension BoundingBox: ThriftStruct {
    /// Decodes a `BoundingBox` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        var last: Int16 = 0
        var xmin: Double?, xmax: Double?, ymin: Double?, ymax: Double?
        var zmin: Double?, zmax: Double?, mmin: Double?, mmax: Double?
        while let f = try r.readFieldHeader(&last) {
            switch (f.id, f.type) {
            case (1, .double): xmin = try r.readDouble()
            case (2, .double): xmax = try r.readDouble()
            case (3, .double): ymin = try r.readDouble()
            case (4, .double): ymax = try r.readDouble()
            case (5, .double): zmin = try r.readDouble()
            case (6, .double): zmax = try r.readDouble()
            case (7, .double): mmin = try r.readDouble()
            case (8, .double): mmax = try r.readDouble()
            default: try r.skip(f.type)
            }
        }
        guard let xmin else { throw thriftMissing("BoundingBox", "xmin") }
        guard let xmax else { throw thriftMissing("BoundingBox", "xmax") }
        guard let ymin else { throw thriftMissing("BoundingBox", "ymin") }
        guard let ymax else { throw thriftMissing("BoundingBox", "ymax") }
        self.init(xmin: xmin, xmax: xmax, ymin: ymin, ymax: ymax, zmin: zmin, zmax: zmax, mmin: mmin, mmax: mmax)
    }

    /// Appends this `BoundingBox` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        let s = w.beginStruct()
        w.writeField(1, double: xmin)
        w.writeField(2, double: xmax)
        w.writeField(3, double: ymin)
        w.writeField(4, double: ymax)
        w.writeField(5, double: zmin)
        w.writeField(6, double: zmax)
        w.writeField(7, double: mmin)
        w.writeField(8, double: mmax)
        w.endStruct(s)
    }
}

/// Geospatial statistics of a GEOMETRY/GEOGRAPHY column chunk (`struct GeospatialStatistics`).
public struct GeospatialStatistics: Equatable, Hashable, Sendable {
    /// The bounding box of all values, if written.
    public var bbox: BoundingBox?
    /// WKB geometry type codes (ISO), e.g. 1 = Point, 1001 = Point Z.
    public var geospatialTypes: [Int32]?

    /// Geospatial statistics with the given fields.
    public init(bbox: BoundingBox? = nil, geospatialTypes: [Int32]? = nil) {
        self.bbox = bbox
        self.geospatialTypes = geospatialTypes
    }
}

extension GeospatialStatistics: ThriftStruct {
    /// Decodes a `GeospatialStatistics` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        self.init()
        var last: Int16 = 0
        while let f = try r.readFieldHeader(&last) {
            switch (f.id, f.type) {
            case (1, .struct): bbox = try BoundingBox(from: &r)
            case (2, .list): geospatialTypes = try r.readI32List("GeospatialStatistics.geospatial_types")
            default: try r.skip(f.type)
            }
        }
    }

    /// Appends this `GeospatialStatistics` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        let s = w.beginStruct()
        w.writeField(1, struct: bbox)
        w.writeField(2, i32List: geospatialTypes)
        w.endStruct(s)
    }
}
