// ColumnChunk, ColumnMetaData, PageEncodingStats (parquet.thrift).

/// How many pages of a type used an encoding (`struct PageEncodingStats`).
public struct PageEncodingStats: Equatable, Hashable, Sendable {
    /// The page type counted.
    public var pageType: PageType
    /// The encoding of those pages' values.
    public var encoding: Encoding
    /// How many pages of ``pageType`` used ``encoding``.
    public var count: Int32

    /// Counts `count` pages of `pageType` encoded with `encoding`.
    public init(pageType: PageType, encoding: Encoding, count: Int32) {
        self.pageType = pageType
        self.encoding = encoding
        self.count = count
    }
}

extension PageEncodingStats: ThriftStruct {
    /// Decodes a `PageEncodingStats` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        var last: Int16 = 0
        var pageType: PageType?, encoding: Encoding?, count: Int32?
        while let f = try r.readFieldHeader(&last) {
            switch (f.id, f.type) {
            case (1, .i32): pageType = PageType(rawValue: try r.readI32())
            case (2, .i32): encoding = Encoding(rawValue: try r.readI32())
            case (3, .i32): count = try r.readI32()
            default: try r.skip(f.type)
            }
        }
        guard let pageType else { throw thriftMissing("PageEncodingStats", "page_type") }
        guard let encoding else { throw thriftMissing("PageEncodingStats", "encoding") }
        guard let count else { throw thriftMissing("PageEncodingStats", "count") }
        self.init(pageType: pageType, encoding: encoding, count: count)
    }

    /// Appends this `PageEncodingStats` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        let s = w.beginStruct()
        w.writeField(1, i32: pageType.rawValue)
        w.writeField(2, i32: encoding.rawValue)
        w.writeField(3, i32: count)
        w.endStruct(s)
    }
}

/// Description of a column chunk (`struct ColumnMetaData`).
public struct ColumnMetaData: Equatable, Hashable, Sendable {
    /// Physical type of the column's values (the schema leaf's type).
    public var type: PhysicalType
    /// Every encoding used in the chunk's pages (values and levels), without repeats.
    public var encodings: [Encoding]
    /// The leaf's path from the root (excluded) to the leaf, e.g. `["user", "id"]`.
    public var pathInSchema: [String]
    /// Compression of the chunk's pages.
    public var codec: CompressionCodec
    /// Number of values in the chunk, nulls included (for repeated columns, more than the rows).
    public var numValues: Int64
    /// Bytes of all pages after decompression, headers included.
    public var totalUncompressedSize: Int64
    /// Bytes of all pages as stored, headers included: the chunk's length in the file.
    public var totalCompressedSize: Int64
    /// Free-form key/value pairs of the chunk, if any.
    public var keyValueMetadata: [KeyValue]?
    /// File offset of the first data page.
    public var dataPageOffset: Int64
    /// File offset of the first index page (unused by known writers).
    public var indexPageOffset: Int64?
    /// File offset of the dictionary page, if there is one (see ``firstPageOffset`` for writers that store 0).
    public var dictionaryPageOffset: Int64?
    /// Statistics of the whole chunk (min, max, null count), if written.
    public var statistics: Statistics?
    /// Pages per type and encoding; tells whether every data page is dictionary-encoded.
    public var encodingStats: [PageEncodingStats]?
    /// File offset of the chunk's split-block Bloom filter (header then bitset), if any.
    public var bloomFilterOffset: Int64?
    /// Bytes of the Bloom filter, header included, when the writer recorded it.
    public var bloomFilterLength: Int32?
    /// Unencoded byte-array sizes and level histograms of the chunk, if written.
    public var sizeStatistics: SizeStatistics?
    /// Bounding box and geometry types of a GEOMETRY / GEOGRAPHY column, if written.
    public var geospatialStatistics: GeospatialStatistics?

    /// Column metadata with the given fields.
    public init(type: PhysicalType, encodings: [Encoding], pathInSchema: [String], codec: CompressionCodec,
                numValues: Int64, totalUncompressedSize: Int64, totalCompressedSize: Int64,
                keyValueMetadata: [KeyValue]? = nil, dataPageOffset: Int64, indexPageOffset: Int64? = nil,
                dictionaryPageOffset: Int64? = nil, statistics: Statistics? = nil,
                encodingStats: [PageEncodingStats]? = nil, bloomFilterOffset: Int64? = nil,
                bloomFilterLength: Int32? = nil, sizeStatistics: SizeStatistics? = nil,
                geospatialStatistics: GeospatialStatistics? = nil) {
        self.type = type
        self.encodings = encodings
        self.pathInSchema = pathInSchema
        self.codec = codec
        self.numValues = numValues
        self.totalUncompressedSize = totalUncompressedSize
        self.totalCompressedSize = totalCompressedSize
        self.keyValueMetadata = keyValueMetadata
        self.dataPageOffset = dataPageOffset
        self.indexPageOffset = indexPageOffset
        self.dictionaryPageOffset = dictionaryPageOffset
        self.statistics = statistics
        self.encodingStats = encodingStats
        self.bloomFilterOffset = bloomFilterOffset
        self.bloomFilterLength = bloomFilterLength
        self.sizeStatistics = sizeStatistics
        self.geospatialStatistics = geospatialStatistics
    }

    /// Offset of the chunk's first page: the dictionary page if there is one, else the first data page.
    /// Some writers store `dictionary_page_offset = 0` (or a value past the data page) when there is no
    /// dictionary; those are ignored.
    public var firstPageOffset: Int64 {
        if let d = dictionaryPageOffset, d > 0, d < dataPageOffset { return d }
        return dataPageOffset
    }
}

extension ColumnMetaData: ThriftStruct {
    /// Decodes a `ColumnMetaData` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        var last: Int16 = 0
        var type: PhysicalType?, encodings: [Encoding]?, path: [String]?, codec: CompressionCodec?
        var numValues: Int64?, unc: Int64?, comp: Int64?, dataPageOffset: Int64?
        var kv: [KeyValue]?, indexPageOffset: Int64?, dictOffset: Int64?, stats: Statistics?
        var encStats: [PageEncodingStats]?, bloomOffset: Int64?, bloomLength: Int32?
        var sizeStats: SizeStatistics?, geoStats: GeospatialStatistics?
        while let f = try r.readFieldHeader(&last) {
            switch (f.id, f.type) {
            case (1, .i32): type = PhysicalType(rawValue: try r.readI32())
            case (2, .list):
                let n = try r.readListHeader(of: .i32, "ColumnMetaData.encodings")
                var e: [Encoding] = []
                e.reserveCapacity(n)
                for _ in 0..<n { e.append(Encoding(rawValue: try r.readI32())) }
                encodings = e
            case (3, .list): path = try r.readStringList("ColumnMetaData.path_in_schema")
            case (4, .i32): codec = CompressionCodec(rawValue: try r.readI32())
            case (5, .i64): numValues = try r.readI64()
            case (6, .i64): unc = try r.readI64()
            case (7, .i64): comp = try r.readI64()
            case (8, .list): kv = try r.readStructList(KeyValue.self, "ColumnMetaData.key_value_metadata")
            case (9, .i64): dataPageOffset = try r.readI64()
            case (10, .i64): indexPageOffset = try r.readI64()
            case (11, .i64): dictOffset = try r.readI64()
            case (12, .struct): stats = try r.readStruct(Statistics.self, "ColumnMetaData.statistics")
            case (13, .list): encStats = try r.readStructList(PageEncodingStats.self, "ColumnMetaData.encoding_stats")
            case (14, .i64): bloomOffset = try r.readI64()
            case (15, .i32): bloomLength = try r.readI32()
            case (16, .struct): sizeStats = try r.readStruct(SizeStatistics.self, "ColumnMetaData.size_statistics")
            case (17, .struct): geoStats = try r.readStruct(GeospatialStatistics.self, "ColumnMetaData.geospatial_statistics")
            default: try r.skip(f.type)
            }
        }
        guard let type else { throw thriftMissing("ColumnMetaData", "type") }
        guard let encodings else { throw thriftMissing("ColumnMetaData", "encodings") }
        guard let path else { throw thriftMissing("ColumnMetaData", "path_in_schema") }
        guard let codec else { throw thriftMissing("ColumnMetaData", "codec") }
        guard let numValues else { throw thriftMissing("ColumnMetaData", "num_values") }
        guard let unc else { throw thriftMissing("ColumnMetaData", "total_uncompressed_size") }
        guard let comp else { throw thriftMissing("ColumnMetaData", "total_compressed_size") }
        guard let dataPageOffset else { throw thriftMissing("ColumnMetaData", "data_page_offset") }
        self.init(type: type, encodings: encodings, pathInSchema: path, codec: codec, numValues: numValues,
                  totalUncompressedSize: unc, totalCompressedSize: comp, keyValueMetadata: kv,
                  dataPageOffset: dataPageOffset, indexPageOffset: indexPageOffset, dictionaryPageOffset: dictOffset,
                  statistics: stats, encodingStats: encStats, bloomFilterOffset: bloomOffset,
                  bloomFilterLength: bloomLength, sizeStatistics: sizeStats, geospatialStatistics: geoStats)
    }

    /// Appends this `ColumnMetaData` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        let s = w.beginStruct()
        w.writeField(1, i32: type.rawValue)
        w.writeFieldBegin(2, .list)
        w.writeListHeader(.i32, count: encodings.count)
        for e in encodings { w.writeI32(e.rawValue) }
        w.writeField(3, stringList: pathInSchema)
        w.writeField(4, i32: codec.rawValue)
        w.writeField(5, i64: numValues)
        w.writeField(6, i64: totalUncompressedSize)
        w.writeField(7, i64: totalCompressedSize)
        w.writeField(8, structList: keyValueMetadata)
        w.writeField(9, i64: dataPageOffset)
        w.writeField(10, i64: indexPageOffset)
        w.writeField(11, i64: dictionaryPageOffset)
        w.writeField(12, struct: statistics)
        w.writeField(13, structList: encodingStats)
        w.writeField(14, i64: bloomFilterOffset)
        w.writeField(15, i32: bloomFilterLength)
        w.writeField(16, struct: sizeStatistics)
        w.writeField(17, struct: geospatialStatistics)
        w.endStruct(s)
    }
}

/// A column chunk of a row group (`struct ColumnChunk`).
public struct ColumnChunk: Equatable, Hashable, Sendable {
    /// File holding the chunk when it is not this file (rare; relative path).
    public var filePath: String?
    /// Deprecated byte offset of the chunk's ColumnMetaData copy (often 0 or the first page offset).
    public var fileOffset: Int64
    /// Nil when the column's metadata is encrypted (`encryptedColumnMetadata`).
    public var metaData: ColumnMetaData?
    /// File offset of the chunk's offset index (page locations), if written.
    public var offsetIndexOffset: Int64?
    /// Bytes of the offset index.
    public var offsetIndexLength: Int32?
    /// File offset of the chunk's column index (per-page min/max), if written.
    public var columnIndexOffset: Int64?
    /// Bytes of the column index.
    public var columnIndexLength: Int32?
    /// How the column is encrypted (footer key or its own key), when the file is encrypted.
    public var cryptoMetadata: ColumnCryptoMetaData?
    /// The ColumnMetaData encrypted with the column key (decrypt, then decode as ColumnMetaData).
    public var encryptedColumnMetadata: [UInt8]?

    /// A column chunk with the given fields.
    public init(filePath: String? = nil, fileOffset: Int64 = 0, metaData: ColumnMetaData? = nil,
                offsetIndexOffset: Int64? = nil, offsetIndexLength: Int32? = nil, columnIndexOffset: Int64? = nil,
                columnIndexLength: Int32? = nil, cryptoMetadata: ColumnCryptoMetaData? = nil,
                encryptedColumnMetadata: [UInt8]? = nil) {
        self.filePath = filePath
        self.fileOffset = fileOffset
        self.metaData = metaData
        self.offsetIndexOffset = offsetIndexOffset
        self.offsetIndexLength = offsetIndexLength
        self.columnIndexOffset = columnIndexOffset
        self.columnIndexLength = columnIndexLength
        self.cryptoMetadata = cryptoMetadata
        self.encryptedColumnMetadata = encryptedColumnMetadata
    }
}

extension ColumnChunk: ThriftStruct {
    /// Decodes a `ColumnChunk` in the Thrift compact protocol at the reader's position and leaves the reader
    /// after it; fields this version does not know are skipped.
    ///
    /// - Throws: ``ParquetError/corrupt(_:)`` when the bytes end early, a required field is missing, or a
    ///   length, count or nesting depth is out of range.
    public init(from r: inout ThriftCompactReader) throws {
        self.init()
        var last: Int16 = 0
        var sawFileOffset = false
        while let f = try r.readFieldHeader(&last) {
            switch (f.id, f.type) {
            case (1, .binary): filePath = try r.readString("ColumnChunk.file_path")
            case (2, .i64): fileOffset = try r.readI64(); sawFileOffset = true
            case (3, .struct): metaData = try r.readStruct(ColumnMetaData.self, "ColumnChunk.meta_data")
            case (4, .i64): offsetIndexOffset = try r.readI64()
            case (5, .i32): offsetIndexLength = try r.readI32()
            case (6, .i64): columnIndexOffset = try r.readI64()
            case (7, .i32): columnIndexLength = try r.readI32()
            case (8, .struct): cryptoMetadata = try r.readStruct(ColumnCryptoMetaData.self, "ColumnChunk.crypto_metadata")
            case (9, .binary): encryptedColumnMetadata = try r.readBinary("ColumnChunk.encrypted_column_metadata")
            default: try r.skip(f.type)
            }
        }
        guard sawFileOffset else { throw thriftMissing("ColumnChunk", "file_offset") }
    }

    /// Appends this `ColumnChunk` in the Thrift compact protocol to the writer; `nil` optional fields are
    /// omitted, so decoding and re-encoding a struct gives the same bytes.
    public func write(to w: inout ThriftCompactWriter) {
        let s = w.beginStruct()
        w.writeField(1, string: filePath)
        w.writeField(2, i64: fileOffset)
        w.writeField(3, struct: metaData)
        w.writeField(4, i64: offsetIndexOffset)
        w.writeField(5, i32: offsetIndexLength)
        w.writeField(6, i64: columnIndexOffset)
        w.writeField(7, i32: columnIndexLength)
        w.writeField(8, struct: cryptoMetadata)
        w.writeField(9, binary: encryptedColumnMetadata)
        w.endStruct(s)
    }
}
