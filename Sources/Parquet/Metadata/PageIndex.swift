// Page index structures: ColumnIndex, OffsetIndex, PageLocation (parquet.thrift).

/// Location of a data page in the file (`struct PageLocation`).
public struct PageLocation: Equatable, Hashable, Sendable {
    /// File offset of the page header.
    public var offset: Int64
    /// Size of the page, header included.
    public var compressedPageSize: Int32
    /// Index of the page's first row within the row group.
    public var firstRowIndex: Int64

    /// A page location with the given fields.
    public init(offset: Int64, compressedPageSize: Int32, firstRowIndex: Int64) {
        self.offset = offset
        self.compressedPageSize = compressedPageSize
        self.firstRowIndex = firstRowIndex
    }
}

extension PageLocation: ThriftStruct {
    /// Decodes a `PageLocation` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        var last: Int16 = 0
        var offset: Int64?, size: Int32?, first: Int64?
        while let f = try r.readFieldHeader(&last) {
            switch (f.id, f.type) {
            case (1, .i64): offset = try r.readI64()
            case (2, .i32): size = try r.readI32()
            case (3, .i64): first = try r.readI64()
            default: try r.skip(f.type)
            }
        }
        guard let offset else { throw thriftMissing("PageLocation", "offset") }
        guard let size else { throw thriftMissing("PageLocation", "compressed_page_size") }
        guard let first else { throw thriftMissing("PageLocation", "first_row_index") }
        self.init(offset: offset, compressedPageSize: size, firstRowIndex: first)
    }

    /// Appends this `PageLocation` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        let s = w.beginStruct()
        w.writeField(1, i64: offset)
        w.writeField(2, i32: compressedPageSize)
        w.writeField(3, i64: firstRowIndex)
        w.endStruct(s)
    }
}

/// Page locations of a column chunk (`struct OffsetIndex`).
public struct OffsetIndex: Equatable, Hashable, Sendable {
    /// Every data page of the chunk, in file order.
    public var pageLocations: [PageLocation]
    /// Unencoded BYTE_ARRAY bytes per page, if written.
    public var unencodedByteArrayDataBytes: [Int64]?

    /// An offset index with the given pages.
    public init(pageLocations: [PageLocation], unencodedByteArrayDataBytes: [Int64]? = nil) {
        self.pageLocations = pageLocations
        self.unencodedByteArrayDataBytes = unencodedByteArrayDataBytes
    }
}

extension OffsetIndex: ThriftStruct {
    /// Decodes a `OffsetIndex` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        var last: Int16 = 0
        var locations: [PageLocation]?, unencoded: [Int64]?
        while let f = try r.readFieldHeader(&last) {
            switch (f.id, f.type) {
            case (1, .list): locations = try r.readStructList(PageLocation.self, "OffsetIndex.page_locations")
            case (2, .list): unencoded = try r.readI64List("OffsetIndex.unencoded_byte_array_data_bytes")
            default: try r.skip(f.type)
            }
        }
        guard let locations else { throw thriftMissing("OffsetIndex", "page_locations") }
        self.init(pageLocations: locations, unencodedByteArrayDataBytes: unencoded)
    }

    /// Appends this `OffsetIndex` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        let s = w.beginStruct()
        w.writeField(1, structList: pageLocations)
        w.writeField(2, i64List: unencodedByteArrayDataBytes)
        w.endStruct(s)
    }
}

/// Per-page min/max/null statistics of a column chunk (`struct ColumnIndex`).
public struct ColumnIndex: Equatable, Hashable, Sendable {
    /// True for pages holding only nulls (their min/max entries are empty).
    public var nullPages: [Bool]
    /// Per page, the PLAIN-encoded minimum (empty for null pages); possibly truncated.
    public var minValues: [[UInt8]]
    /// Per page, the PLAIN-encoded maximum (empty for null pages); possibly truncated.
    public var maxValues: [[UInt8]]
    /// Whether the pages' minimums and maximums are sorted.
    public var boundaryOrder: BoundaryOrder
    /// Per page, the number of nulls, if written.
    public var nullCounts: [Int64]?
    /// Per page, the repetition level histogram, concatenated (max level + 1 entries each), if written.
    public var repetitionLevelHistograms: [Int64]?
    /// Per page, the definition level histogram, concatenated (max level + 1 entries each), if written.
    public var definitionLevelHistograms: [Int64]?
    /// Per page, the number of NaN values (floating-point columns), if written.
    public var nanCounts: [Int64]?

    /// A column index with the given per-page lists (all of one length, the number of pages).
    public init(nullPages: [Bool], minValues: [[UInt8]], maxValues: [[UInt8]], boundaryOrder: BoundaryOrder,
                nullCounts: [Int64]? = nil, repetitionLevelHistograms: [Int64]? = nil,
                definitionLevelHistograms: [Int64]? = nil, nanCounts: [Int64]? = nil) {
        self.nullPages = nullPages
        self.minValues = minValues
        self.maxValues = maxValues
        self.boundaryOrder = boundaryOrder
        self.nullCounts = nullCounts
        self.repetitionLevelHistograms = repetitionLevelHistograms
        self.definitionLevelHistograms = definitionLevelHistograms
        self.nanCounts = nanCounts
    }
}

extension ColumnIndex: ThriftStruct {
    /// Decodes a `ColumnIndex` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        var last: Int16 = 0
        var nullPages: [Bool]?, mins: [[UInt8]]?, maxs: [[UInt8]]?, order: BoundaryOrder?
        var nullCounts: [Int64]?, repH: [Int64]?, defH: [Int64]?, nanCounts: [Int64]?
        while let f = try r.readFieldHeader(&last) {
            switch (f.id, f.type) {
            case (1, .list): nullPages = try r.readBoolList("ColumnIndex.null_pages")
            case (2, .list): mins = try r.readBinaryList("ColumnIndex.min_values")
            case (3, .list): maxs = try r.readBinaryList("ColumnIndex.max_values")
            case (4, .i32):
                let v = try r.readI32()
                guard let o = BoundaryOrder(rawValue: v) else {
                    throw ParquetError.corrupt("ColumnIndex: unknown boundary_order \(v)")
                }
                order = o
            case (5, .list): nullCounts = try r.readI64List("ColumnIndex.null_counts")
            case (6, .list): repH = try r.readI64List("ColumnIndex.repetition_level_histograms")
            case (7, .list): defH = try r.readI64List("ColumnIndex.definition_level_histograms")
            case (8, .list): nanCounts = try r.readI64List("ColumnIndex.nan_counts")
            default: try r.skip(f.type)
            }
        }
        guard let nullPages else { throw thriftMissing("ColumnIndex", "null_pages") }
        guard let mins else { throw thriftMissing("ColumnIndex", "min_values") }
        guard let maxs else { throw thriftMissing("ColumnIndex", "max_values") }
        guard let order else { throw thriftMissing("ColumnIndex", "boundary_order") }
        self.init(nullPages: nullPages, minValues: mins, maxValues: maxs, boundaryOrder: order,
                  nullCounts: nullCounts, repetitionLevelHistograms: repH, definitionLevelHistograms: defH,
                  nanCounts: nanCounts)
    }

    /// Appends this `ColumnIndex` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        let s = w.beginStruct()
        w.writeField(1, boolList: nullPages)
        w.writeField(2, binaryList: minValues)
        w.writeField(3, binaryList: maxValues)
        w.writeField(4, i32: boundaryOrder.rawValue)
        w.writeField(5, i64List: nullCounts)
        w.writeField(6, i64List: repetitionLevelHistograms)
        w.writeField(7, i64List: definitionLevelHistograms)
        w.writeField(8, i64List: nanCounts)
        w.endStruct(s)
    }
}
