// PageHeader and the per-page-type headers (parquet.thrift). Decoded once per page: kept allocation-light.

/// Header of a v1 data page (`struct DataPageHeader`).
public struct DataPageHeader: Equatable, Hashable, Sendable {
    /// Number of values including nulls.
    public var numValues: Int32
    /// Encoding of the values.
    public var encoding: Encoding
    /// Encoding of the definition levels (`RLE`, or the deprecated `BIT_PACKED`).
    public var definitionLevelEncoding: Encoding
    /// Encoding of the repetition levels (`RLE`, or the deprecated `BIT_PACKED`).
    public var repetitionLevelEncoding: Encoding
    /// Statistics of the page's values (deprecated in data pages in favor of the page index; still read).
    public var statistics: Statistics?

    /// A v1 data page header with the given fields.
    public init(numValues: Int32, encoding: Encoding, definitionLevelEncoding: Encoding,
                repetitionLevelEncoding: Encoding, statistics: Statistics? = nil) {
        self.numValues = numValues
        self.encoding = encoding
        self.definitionLevelEncoding = definitionLevelEncoding
        self.repetitionLevelEncoding = repetitionLevelEncoding
        self.statistics = statistics
    }
}

extension DataPageHeader: ThriftStruct {
    /// Decodes a `DataPageHeader` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        var last: Int16 = 0
        var n: Int32?, enc: Encoding?, def: Encoding?, rep: Encoding?
        // Optional members are decoded straight into self (no intermediate copies on this hot path).
        while let f = try r.readFieldHeader(&last) {
            switch (f.id, f.type) {
            case (1, .i32): n = try r.readI32()
            case (2, .i32): enc = Encoding(rawValue: try r.readI32())
            case (3, .i32): def = Encoding(rawValue: try r.readI32())
            case (4, .i32): rep = Encoding(rawValue: try r.readI32())
            case (5, .struct): statistics = try r.readStruct(Statistics.self, "DataPageHeader.statistics")
            default: try r.skip(f.type)
            }
        }
        guard let n else { throw thriftMissing("DataPageHeader", "num_values") }
        guard let enc else { throw thriftMissing("DataPageHeader", "encoding") }
        guard let def else { throw thriftMissing("DataPageHeader", "definition_level_encoding") }
        guard let rep else { throw thriftMissing("DataPageHeader", "repetition_level_encoding") }
        numValues = n
        encoding = enc
        definitionLevelEncoding = def
        repetitionLevelEncoding = rep
    }

    /// Appends this `DataPageHeader` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        let s = w.beginStruct()
        w.writeField(1, i32: numValues)
        w.writeField(2, i32: encoding.rawValue)
        w.writeField(3, i32: definitionLevelEncoding.rawValue)
        w.writeField(4, i32: repetitionLevelEncoding.rawValue)
        w.writeField(5, struct: statistics)
        w.endStruct(s)
    }
}

/// Header of an index page (`struct IndexPageHeader`, empty; index pages are not used by writers).
public struct IndexPageHeader: Equatable, Hashable, Sendable {
    /// The empty index page header.
    public init() {}
}

extension IndexPageHeader: ThriftStruct {
    /// Decodes a `IndexPageHeader` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        try r.readEmptyStruct()
    }

    /// Appends this `IndexPageHeader` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        let s = w.beginStruct()
        w.endStruct(s)
    }
}

/// Header of a dictionary page (`struct DictionaryPageHeader`).
public struct DictionaryPageHeader: Equatable, Hashable, Sendable {
    /// Number of values in the dictionary.
    public var numValues: Int32
    /// Encoding of the dictionary values: `PLAIN` (or `PLAIN_DICTIONARY` from old writers).
    public var encoding: Encoding
    /// Whether the dictionary entries are sorted, if the writer said.
    public var isSorted: Bool?

    /// A dictionary page header with the given fields.
    public init(numValues: Int32, encoding: Encoding, isSorted: Bool? = nil) {
        self.numValues = numValues
        self.encoding = encoding
        self.isSorted = isSorted
    }
}

extension DictionaryPageHeader: ThriftStruct {
    /// Decodes a `DictionaryPageHeader` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        var last: Int16 = 0
        var n: Int32?, enc: Encoding?, sorted: Bool?
        while let f = try r.readFieldHeader(&last) {
            switch f.id {
            case 1 where f.type == .i32: n = try r.readI32()
            case 2 where f.type == .i32: enc = Encoding(rawValue: try r.readI32())
            case 3 where f.isBool: sorted = f.boolValue
            default: try r.skip(f.type)
            }
        }
        guard let n else { throw thriftMissing("DictionaryPageHeader", "num_values") }
        guard let enc else { throw thriftMissing("DictionaryPageHeader", "encoding") }
        self.init(numValues: n, encoding: enc, isSorted: sorted)
    }

    /// Appends this `DictionaryPageHeader` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        let s = w.beginStruct()
        w.writeField(1, i32: numValues)
        w.writeField(2, i32: encoding.rawValue)
        w.writeField(3, bool: isSorted)
        w.endStruct(s)
    }
}

/// Header of a v2 data page (`struct DataPageHeaderV2`).
public struct DataPageHeaderV2: Equatable, Hashable, Sendable {
    /// Number of values, including nulls.
    public var numValues: Int32
    /// Number of null values.
    public var numNulls: Int32
    /// Number of rows (records) in the page: pages of v2 start and end at row boundaries.
    public var numRows: Int32
    /// Encoding of the values.
    public var encoding: Encoding
    /// Bytes of RLE-encoded definition levels at the start of the page (never compressed, no length prefix).
    public var definitionLevelsByteLength: Int32
    /// Bytes of RLE-encoded repetition levels after the definition levels (never compressed, no length prefix).
    public var repetitionLevelsByteLength: Int32
    /// Whether the values section is compressed. Absent on the wire means true (`isCompressedField` keeps
    /// whether it was written, so a round trip is byte-exact).
    public var isCompressed: Bool { isCompressedField ?? true }
    /// The field as stored (nil = absent).
    public var isCompressedField: Bool?
    /// Statistics of the page's values, if written.
    public var statistics: Statistics?

    /// A v2 data page header; `isCompressed` `nil` leaves the field absent (meaning compressed).
    public init(numValues: Int32, numNulls: Int32, numRows: Int32, encoding: Encoding,
                definitionLevelsByteLength: Int32, repetitionLevelsByteLength: Int32, isCompressed: Bool? = nil,
                statistics: Statistics? = nil) {
        self.numValues = numValues
        self.numNulls = numNulls
        self.numRows = numRows
        self.encoding = encoding
        self.definitionLevelsByteLength = definitionLevelsByteLength
        self.repetitionLevelsByteLength = repetitionLevelsByteLength
        self.isCompressedField = isCompressed
        self.statistics = statistics
    }
}

extension DataPageHeaderV2: ThriftStruct {
    /// Decodes a `DataPageHeaderV2` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        var last: Int16 = 0
        var n: Int32?, nulls: Int32?, rows: Int32?, enc: Encoding?, defLen: Int32?, repLen: Int32?
        while let f = try r.readFieldHeader(&last) {
            switch f.id {
            case 1 where f.type == .i32: n = try r.readI32()
            case 2 where f.type == .i32: nulls = try r.readI32()
            case 3 where f.type == .i32: rows = try r.readI32()
            case 4 where f.type == .i32: enc = Encoding(rawValue: try r.readI32())
            case 5 where f.type == .i32: defLen = try r.readI32()
            case 6 where f.type == .i32: repLen = try r.readI32()
            case 7 where f.isBool: isCompressedField = f.boolValue
            case 8 where f.type == .struct: statistics = try r.readStruct(Statistics.self, "DataPageHeaderV2.statistics")
            default: try r.skip(f.type)
            }
        }
        guard let n else { throw thriftMissing("DataPageHeaderV2", "num_values") }
        guard let nulls else { throw thriftMissing("DataPageHeaderV2", "num_nulls") }
        guard let rows else { throw thriftMissing("DataPageHeaderV2", "num_rows") }
        guard let enc else { throw thriftMissing("DataPageHeaderV2", "encoding") }
        guard let defLen else { throw thriftMissing("DataPageHeaderV2", "definition_levels_byte_length") }
        guard let repLen else { throw thriftMissing("DataPageHeaderV2", "repetition_levels_byte_length") }
        numValues = n
        numNulls = nulls
        numRows = rows
        encoding = enc
        definitionLevelsByteLength = defLen
        repetitionLevelsByteLength = repLen
    }

    /// Appends this `DataPageHeaderV2` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        let s = w.beginStruct()
        w.writeField(1, i32: numValues)
        w.writeField(2, i32: numNulls)
        w.writeField(3, i32: numRows)
        w.writeField(4, i32: encoding.rawValue)
        w.writeField(5, i32: definitionLevelsByteLength)
        w.writeField(6, i32: repetitionLevelsByteLength)
        w.writeField(7, bool: isCompressedField)
        w.writeField(8, struct: statistics)
        w.endStruct(s)
    }
}

/// Header preceding every page (`struct PageHeader`).
public struct PageHeader: Equatable, Hashable, Sendable {
    /// The kind of page, which says which of the sub-headers is set.
    public var type: PageType
    /// Bytes of page data after decompression (levels included); bounded by 2 GiB by the format.
    public var uncompressedPageSize: Int32
    /// Bytes of page data following the header.
    public var compressedPageSize: Int32
    /// CRC-32 of the page data (as stored, i.e. the compressed bytes), when written.
    public var crc: Int32?
    /// Set for `DATA_PAGE`.
    public var dataPageHeader: DataPageHeader?
    /// Set for `INDEX_PAGE`.
    public var indexPageHeader: IndexPageHeader?
    /// Set for `DICTIONARY_PAGE`.
    public var dictionaryPageHeader: DictionaryPageHeader?
    /// Set for `DATA_PAGE_V2`.
    public var dataPageHeaderV2: DataPageHeaderV2?

    /// A page header with the given fields.
    public init(type: PageType, uncompressedPageSize: Int32, compressedPageSize: Int32, crc: Int32? = nil,
                dataPageHeader: DataPageHeader? = nil, indexPageHeader: IndexPageHeader? = nil,
                dictionaryPageHeader: DictionaryPageHeader? = nil, dataPageHeaderV2: DataPageHeaderV2? = nil) {
        self.type = type
        self.uncompressedPageSize = uncompressedPageSize
        self.compressedPageSize = compressedPageSize
        self.crc = crc
        self.dataPageHeader = dataPageHeader
        self.indexPageHeader = indexPageHeader
        self.dictionaryPageHeader = dictionaryPageHeader
        self.dataPageHeaderV2 = dataPageHeaderV2
    }

    /// Number of values (including nulls) in a data or dictionary page; nil for other page types.
    public var numValues: Int32? {
        switch type {
        case .dataPage: dataPageHeader?.numValues
        case .dataPageV2: dataPageHeaderV2?.numValues
        case .dictionaryPage: dictionaryPageHeader?.numValues
        default: nil
        }
    }
}

extension PageHeader: ThriftStruct {
    /// Decodes a `PageHeader` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        // Optional members are decoded straight into self (no copies of the large sub-headers).
        var last: Int16 = 0
        var type: PageType?, unc: Int32?, comp: Int32?
        while let f = try r.readFieldHeader(&last) {
            switch (f.id, f.type) {
            case (1, .i32): type = PageType(rawValue: try r.readI32())
            case (2, .i32): unc = try r.readI32()
            case (3, .i32): comp = try r.readI32()
            case (4, .i32): crc = try r.readI32()
            case (5, .struct): dataPageHeader = try r.readStruct(DataPageHeader.self, "PageHeader.data_page_header")
            case (6, .struct): indexPageHeader = try IndexPageHeader(from: &r)
            case (7, .struct):
                dictionaryPageHeader = try r.readStruct(DictionaryPageHeader.self, "PageHeader.dictionary_page_header")
            case (8, .struct): dataPageHeaderV2 = try r.readStruct(DataPageHeaderV2.self, "PageHeader.data_page_header_v2")
            default: try r.skip(f.type)
            }
        }
        guard let type else { throw thriftMissing("PageHeader", "type") }
        guard let unc else { throw thriftMissing("PageHeader", "uncompressed_page_size") }
        guard let comp else { throw thriftMissing("PageHeader", "compressed_page_size") }
        self.type = type
        uncompressedPageSize = unc
        compressedPageSize = comp
    }

    /// Appends this `PageHeader` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        let s = w.beginStruct()
        w.writeField(1, i32: type.rawValue)
        w.writeField(2, i32: uncompressedPageSize)
        w.writeField(3, i32: compressedPageSize)
        w.writeField(4, i32: crc)
        w.writeField(5, struct: dataPageHeader)
        w.writeField(6, struct: indexPageHeader)
        w.writeField(7, struct: dictionaryPageHeader)
        w.writeField(8, struct: dataPageHeaderV2)
        w.endStruct(s)
    }

    /// Decodes the page header at the start of `bytes` (which continue with the page data) and returns it with
    /// the number of bytes the header took.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> (PageHeader, headerLength: Int) {
        var r = ThriftCompactReader(bytes)
        let h = try PageHeader(from: &r)
        return (h, r.position)
    }
}
