// RowGroup and SortingColumn (parquet.thrift).

/// Sort order of a row group on one column (`struct SortingColumn`).
public struct SortingColumn: Equatable, Hashable, Sendable {
    /// Index of the leaf column in the row group's `columns`.
    public var columnIdx: Int32
    /// Whether the order is descending.
    public var descending: Bool
    /// Whether nulls sort before values.
    public var nullsFirst: Bool

    /// A sorting column with the given fields.
    public init(columnIdx: Int32, descending: Bool, nullsFirst: Bool) {
        self.columnIdx = columnIdx
        self.descending = descending
        self.nullsFirst = nullsFirst
    }
}

extension SortingColumn: ThriftStruct {
    /// Decodes a `SortingColumn` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        var last: Int16 = 0
        var idx: Int32?, desc: Bool?, nullsFirst: Bool?
        while let f = try r.readFieldHeader(&last) {
            switch f.id {
            case 1 where f.type == .i32: idx = try r.readI32()
            case 2 where f.isBool: desc = f.boolValue
            case 3 where f.isBool: nullsFirst = f.boolValue
            default: try r.skip(f.type)
            }
        }
        guard let idx else { throw thriftMissing("SortingColumn", "column_idx") }
        guard let desc else { throw thriftMissing("SortingColumn", "descending") }
        guard let nullsFirst else { throw thriftMissing("SortingColumn", "nulls_first") }
        self.init(columnIdx: idx, descending: desc, nullsFirst: nullsFirst)
    }

    /// Appends this `SortingColumn` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        let s = w.beginStruct()
        w.writeField(1, i32: columnIdx)
        w.writeField(2, bool: descending)
        w.writeField(3, bool: nullsFirst)
        w.endStruct(s)
    }
}

/// A row group (`struct RowGroup`).
public struct RowGroup: Equatable, Hashable, Sendable {
    /// One chunk per leaf column, in schema order.
    public var columns: [ColumnChunk]
    /// Total uncompressed byte size of all column data.
    public var totalByteSize: Int64
    /// Number of rows in the row group.
    public var numRows: Int64
    /// The order of rows, when the writer sorted them.
    public var sortingColumns: [SortingColumn]?
    /// Byte offset of the row group's first page.
    public var fileOffset: Int64?
    /// Bytes of the row group's column chunks as stored, if written.
    public var totalCompressedSize: Int64?
    /// Position of the row group in the file (needed for encryption AADs), if written.
    public var ordinal: Int16?

    /// A row group with the given fields.
    public init(columns: [ColumnChunk], totalByteSize: Int64, numRows: Int64, sortingColumns: [SortingColumn]? = nil,
                fileOffset: Int64? = nil, totalCompressedSize: Int64? = nil, ordinal: Int16? = nil) {
        self.columns = columns
        self.totalByteSize = totalByteSize
        self.numRows = numRows
        self.sortingColumns = sortingColumns
        self.fileOffset = fileOffset
        self.totalCompressedSize = totalCompressedSize
        self.ordinal = ordinal
    }
}

extension RowGroup: ThriftStruct {
    /// Decodes a `RowGroup` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        var last: Int16 = 0
        var columns: [ColumnChunk]?, total: Int64?, numRows: Int64?
        var sorting: [SortingColumn]?, fileOffset: Int64?, compressed: Int64?, ordinal: Int16?
        while let f = try r.readFieldHeader(&last) {
            switch (f.id, f.type) {
            case (1, .list): columns = try r.readStructList(ColumnChunk.self, "RowGroup.columns")
            case (2, .i64): total = try r.readI64()
            case (3, .i64): numRows = try r.readI64()
            case (4, .list): sorting = try r.readStructList(SortingColumn.self, "RowGroup.sorting_columns")
            case (5, .i64): fileOffset = try r.readI64()
            case (6, .i64): compressed = try r.readI64()
            case (7, .i16): ordinal = try r.readI16()
            default: try r.skip(f.type)
            }
        }
        guard let columns else { throw thriftMissing("RowGroup", "columns") }
        guard let total else { throw thriftMissing("RowGroup", "total_byte_size") }
        guard let numRows else { throw thriftMissing("RowGroup", "num_rows") }
        self.init(columns: columns, totalByteSize: total, numRows: numRows, sortingColumns: sorting,
                  fileOffset: fileOffset, totalCompressedSize: compressed, ordinal: ordinal)
    }

    /// Appends this `RowGroup` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        let s = w.beginStruct()
        w.writeField(1, structList: columns)
        w.writeField(2, i64: totalByteSize)
        w.writeField(3, i64: numRows)
        w.writeField(4, structList: sortingColumns)
        w.writeField(5, i64: fileOffset)
        w.writeField(6, i64: totalCompressedSize)
        w.writeField(7, i16: ordinal)
        w.endStruct(s)
    }
}
