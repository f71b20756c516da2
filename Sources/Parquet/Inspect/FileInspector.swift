/// One page header as found while walking a column chunk.
public struct PageInfo: Sendable {
    /// 0-based row group index.
    public var rowGroup: Int
    /// The column's dotted path.
    public var column: String
    /// 0-based page index within the column chunk (dictionary page included).
    public var index: Int
    /// File offset of the page header.
    public var offset: Int
    /// Bytes of the Thrift page header; the page data follows.
    public var headerLength: Int
    /// The decoded page header.
    public var header: PageHeader
}

/// The inspection commands' reports (`floe meta`, `floe pages`, `floe schema --json`).
public enum FileInspector {
    // MARK: statistics values

    /// A statistics bound shown as its canonical JSON value for the column's type.
    public static func statValueJSON(_ bytes: [UInt8], _ d: ColumnDescriptor) -> String {
        var values = ColumnValues(physicalType: d.physicalType, typeLength: d.typeLength)
        var ok = true
        bytes.withUnsafeBytes { raw in
            switch d.physicalType {
            case .byteArray:
                values.byteArrays.append(raw)
            case .fixedLenByteArray:
                if raw.count == d.typeLength { values.fixed.bytes.append(contentsOf: raw) } else { ok = false }
            case .boolean:
                if raw.count >= 1 { values.booleans.append(raw[0] & 1 == 1) } else { ok = false }
            default:
                if let w = d.physicalType.fixedByteWidth, raw.count == w {
                    ok = (try? ValueDecoding.decodePlain(raw, count: 1, into: &values, column: d.dottedPath)) != nil
                } else {
                    ok = false
                }
            }
        }
        guard ok, values.count == 1 else {
            // Not decodable as a value of the column type: show the raw bytes.
            var out: [UInt8] = []
            bytes.withUnsafeBytes { CanonicalFormat.appendBase64(bytes: $0, to: &out) }
            return String(decoding: out, as: UTF8.self)
        }
        var out: [UInt8] = []
        CanonicalValue.append(values, index: 0, format: LeafFormat(d), to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: schema

    /// `floe schema --json`: the schema tree as one JSON object (name, repetition, type, annotations, children).
    public static func schemaJSON(_ f: ParquetFile) -> String {
        var j = JSONOut()
        func node(_ n: SchemaNode, key: String?) {
            j.beginObject(key)
            j.field("name", n.name)
            j.field("repetition", n.repetition.description)
            if let t = n.physicalType {
                j.field("type", t.description)
                if t == .fixedLenByteArray { j.field("type_length", n.typeLength) }
            }
            if let a = Schema.annotationText(n) { j.field("logical_type", a) }
            if let c = n.convertedType { j.field("converted_type", c.description) }
            if let id = n.fieldId { j.field("field_id", id) }
            if !n.isLeaf {
                j.beginArray("fields")
                for c in n.children { node(c, key: nil) }
                j.endArray()
            }
            j.endObject()
        }
        node(f.schema.root, key: nil)
        return j.text
    }

    // MARK: meta

    /// `floe meta --json`: the footer as one JSON object (row groups, column chunks with codec, encodings, sizes,
    /// statistics, page index and Bloom filter presence, key/value metadata).
    public static func metaJSON(_ f: ParquetFile) -> String {
        let m = f.metadata
        var j = JSONOut()
        j.beginObject()
        j.field("version", m.version)
        j.field("num_rows", f.numRows)
        j.field("footer_num_rows", m.numRows)
        j.field("created_by", m.createdBy)
        j.field("num_row_groups", m.rowGroups.count)
        j.field("num_columns", f.schema.columns.count)
        j.field("footer_length", f.storage.size - 8 - f.footerOffset)
        keyValues(&j, "key_value_metadata", m.keyValueMetadata)
        j.beginArray("row_groups")
        for (g, rg) in m.rowGroups.enumerated() {
            j.beginObject()
            j.field("index", g)
            j.field("num_rows", rg.numRows)
            j.field("total_byte_size", rg.totalByteSize)
            j.field("total_compressed_size", rg.totalCompressedSize)
            j.field("file_offset", rg.fileOffset)
            if let sc = rg.sortingColumns {
                j.beginArray("sorting_columns")
                for s in sc {
                    j.beginObject()
                    j.field("column_idx", s.columnIdx)
                    j.field("descending", s.descending)
                    j.field("nulls_first", s.nullsFirst)
                    j.endObject()
                }
                j.endArray()
            }
            j.beginArray("columns")
            for (c, chunk) in rg.columns.enumerated() {
                let d = f.schema.columns[c]
                j.beginObject()
                j.field("path", d.dottedPath)
                j.field("physical_type", d.physicalType.description)
                if let a = d.logicalType?.annotationText ?? d.convertedType?.description { j.field("logical_type", a) }
                j.field("file_offset", chunk.fileOffset)
                if let fp = chunk.filePath { j.field("file_path", fp) }
                if chunk.cryptoMetadata != nil || chunk.encryptedColumnMetadata != nil { j.field("encrypted", true) }
                if let md = chunk.metaData {
                    j.field("codec", md.codec.description)
                    j.beginArray("encodings")
                    for e in md.encodings { j.element(e.description) }
                    j.endArray()
                    j.field("num_values", md.numValues)
                    j.field("total_compressed_size", md.totalCompressedSize)
                    j.field("total_uncompressed_size", md.totalUncompressedSize)
                    j.field("data_page_offset", md.dataPageOffset)
                    j.field("dictionary_page_offset", md.dictionaryPageOffset)
                    j.field("index_page_offset", md.indexPageOffset)
                    if let s = md.statistics { statistics(&j, s, d) } else { j.rawField("statistics", "null") }
                    if let es = md.encodingStats {
                        j.beginArray("encoding_stats")
                        for e in es {
                            j.beginObject()
                            j.field("page_type", e.pageType.description)
                            j.field("encoding", e.encoding.description)
                            j.field("count", e.count)
                            j.endObject()
                        }
                        j.endArray()
                    }
                    if let ss = md.sizeStatistics {
                        j.beginObject("size_statistics")
                        j.field("unencoded_byte_array_data_bytes", ss.unencodedByteArrayDataBytes)
                        if let h = ss.repetitionLevelHistogram { j.rawField("repetition_level_histogram", "[" + h.map(String.init).joined(separator: ",") + "]") }
                        if let h = ss.definitionLevelHistogram { j.rawField("definition_level_histogram", "[" + h.map(String.init).joined(separator: ",") + "]") }
                        j.endObject()
                    }
                    if let bo = md.bloomFilterOffset {
                        j.beginObject("bloom_filter")
                        j.field("offset", bo)
                        j.field("length", md.bloomFilterLength)
                        j.endObject()
                    } else {
                        j.rawField("bloom_filter", "null")
                    }
                    keyValues(&j, "key_value_metadata", md.keyValueMetadata)
                }
                if let o = chunk.columnIndexOffset {
                    j.beginObject("column_index")
                    j.field("offset", o)
                    j.field("length", chunk.columnIndexLength)
                    j.endObject()
                } else {
                    j.rawField("column_index", "null")
                }
                if let o = chunk.offsetIndexOffset {
                    j.beginObject("offset_index")
                    j.field("offset", o)
                    j.field("length", chunk.offsetIndexLength)
                    j.endObject()
                } else {
                    j.rawField("offset_index", "null")
                }
                j.endObject()
            }
            j.endArray()
            j.endObject()
        }
        j.endArray()
        if let orders = m.columnOrders {
            j.beginArray("column_orders")
            for o in orders { j.element(o.name) }
            j.endArray()
        }
        if let e = f.encryptionAlgorithm {
            j.field("encryption_algorithm", e.name)
            j.field("encrypted_footer", f.hasEncryptedFooter)
        }
        j.endObject()
        return j.text
    }

    static func keyValues(_ j: inout JSONOut, _ key: String, _ kv: [KeyValue]?) {
        guard let kv else { return }
        j.beginObject(key)
        for p in kv { j.field(p.key, p.value) }
        j.endObject()
    }

    static func statistics(_ j: inout JSONOut, _ s: Statistics, _ d: ColumnDescriptor) {
        j.beginObject("statistics")
        j.field("null_count", s.nullCount)
        j.field("distinct_count", s.distinctCount)
        if let v = s.minValue { j.rawField("min", statValueJSON(v, d)) }
        if let v = s.maxValue { j.rawField("max", statValueJSON(v, d)) }
        if let v = s.isMinValueExact { j.field("is_min_value_exact", v) }
        if let v = s.isMaxValueExact { j.field("is_max_value_exact", v) }
        if s.minValue == nil, let v = s.min { j.rawField("min_deprecated", statValueJSON(v, d)) }
        if s.maxValue == nil, let v = s.max { j.rawField("max_deprecated", statValueJSON(v, d)) }
        j.endObject()
    }

    /// `floe meta`: the footer as indented text, one fact per line.
    public static func metaText(_ f: ParquetFile) -> String {
        let m = f.metadata
        var out = ""
        out += "version: \(m.version)\n"
        out += "created_by: \(m.createdBy ?? "")\n"
        out += "num_rows: \(f.numRows)\(m.numRows != f.numRows ? " (footer says \(m.numRows))" : "")\n"
        out += "row_groups: \(m.rowGroups.count)\n"
        out += "columns: \(f.schema.columns.count)\n"
        if let e = f.encryptionAlgorithm {
            out += "encryption: \(e.name) (\(f.hasEncryptedFooter ? "encrypted" : "plaintext") footer)\n"
        }
        if let kv = m.keyValueMetadata, !kv.isEmpty {
            out += "key_value_metadata:\n"
            for p in kv {
                var v = p.value ?? "null"
                if v.count > 120 { v = String(v.prefix(117)) + "..." }
                out += "  \(p.key): \(v)\n"
            }
        }
        for (g, rg) in m.rowGroups.enumerated() {
            out += "row group \(g): \(rg.numRows) rows, \(rg.totalByteSize) bytes"
            if let c = rg.totalCompressedSize { out += ", \(c) compressed" }
            out += "\n"
            for (c, chunk) in rg.columns.enumerated() {
                let d = f.schema.columns[c]
                out += "  \(d.dottedPath): \(d.physicalType)"
                if let a = d.logicalType?.annotationText ?? d.convertedType?.description { out += " (\(a))" }
                guard let md = chunk.metaData else {
                    out += chunk.cryptoMetadata != nil ? " encrypted\n" : " no metadata\n"
                    continue
                }
                out += " \(md.codec)"
                out += " [" + md.encodings.map(\.description).joined(separator: ",") + "]"
                out += " values=\(md.numValues) compressed=\(md.totalCompressedSize) uncompressed=\(md.totalUncompressedSize)"
                out += " data_page_offset=\(md.dataPageOffset)"
                if let dp = md.dictionaryPageOffset { out += " dictionary_page_offset=\(dp)" }
                if let s = md.statistics {
                    out += " stats{"
                    var parts: [String] = []
                    if let n = s.nullCount { parts.append("nulls=\(n)") }
                    if let v = s.minValue ?? s.min { parts.append("min=\(statValueJSON(v, d))") }
                    if let v = s.maxValue ?? s.max { parts.append("max=\(statValueJSON(v, d))") }
                    if let dc = s.distinctCount { parts.append("distinct=\(dc)") }
                    out += parts.joined(separator: " ") + "}"
                }
                if chunk.cryptoMetadata != nil { out += " encrypted" }
                out += " column_index=\(chunk.columnIndexOffset != nil ? "yes" : "no")"
                out += " offset_index=\(chunk.offsetIndexOffset != nil ? "yes" : "no")"
                out += " bloom_filter=\(md.bloomFilterOffset != nil ? "yes" : "no")"
                out += "\n"
            }
        }
        return out
    }

    // MARK: pages

    /// Walks the page headers of every column chunk (or those under `column`).
    public static func pages(_ f: ParquetFile, column: String?) throws -> [PageInfo] {
        let cols = try column.map { try f.schema.leafIndices(forPaths: [$0]) } ?? Array(f.schema.columns.indices)
        var result: [PageInfo] = []
        for g in 0..<f.rowGroupCount {
            for c in cols {
                for (index, p) in try f.pageHeaders(rowGroup: g, column: c).enumerated() {
                    result.append(PageInfo(rowGroup: g, column: f.schema.columns[c].dottedPath, index: index,
                                           offset: p.offset, headerLength: p.headerLength, header: p.header))
                }
            }
        }
        return result
    }

    /// `floe pages --json`: one JSON object per page and line.
    public static func pagesJSON(_ pages: [PageInfo]) -> String {
        var out = ""
        for p in pages {
            var j = JSONOut()
            j.beginObject()
            j.field("row_group", p.rowGroup)
            j.field("column", p.column)
            j.field("page", p.index)
            j.field("offset", p.offset)
            j.field("header_length", p.headerLength)
            j.field("type", p.header.type.description)
            j.field("compressed_size", p.header.compressedPageSize)
            j.field("uncompressed_size", p.header.uncompressedPageSize)
            j.field("crc", p.header.crc.map { Int64(UInt32(bitPattern: $0)) })
            if let d = p.header.dataPageHeader {
                j.field("num_values", d.numValues)
                j.field("encoding", d.encoding.description)
                j.field("definition_level_encoding", d.definitionLevelEncoding.description)
                j.field("repetition_level_encoding", d.repetitionLevelEncoding.description)
                j.field("has_statistics", d.statistics != nil)
            }
            if let d = p.header.dataPageHeaderV2 {
                j.field("num_values", d.numValues)
                j.field("num_nulls", d.numNulls)
                j.field("num_rows", d.numRows)
                j.field("encoding", d.encoding.description)
                j.field("definition_levels_byte_length", d.definitionLevelsByteLength)
                j.field("repetition_levels_byte_length", d.repetitionLevelsByteLength)
                j.field("is_compressed", d.isCompressed)
                j.field("has_statistics", d.statistics != nil)
            }
            if let d = p.header.dictionaryPageHeader {
                j.field("num_values", d.numValues)
                j.field("encoding", d.encoding.description)
                j.field("is_sorted", d.isSorted)
            }
            j.endObject()
            out += j.text + "\n"
        }
        return out
    }

    /// `floe pages`: one line per page, grouped by row group and column.
    public static func pagesText(_ pages: [PageInfo]) -> String {
        var out = ""
        var last = ""
        for p in pages {
            let key = "\(p.rowGroup)/\(p.column)"
            if key != last {
                out += "row group \(p.rowGroup) column \(p.column)\n"
                last = key
            }
            var line = "  page \(p.index) @\(p.offset) \(p.header.type) compressed=\(p.header.compressedPageSize) uncompressed=\(p.header.uncompressedPageSize)"
            if let d = p.header.dataPageHeader {
                line += " values=\(d.numValues) encoding=\(d.encoding) def=\(d.definitionLevelEncoding) rep=\(d.repetitionLevelEncoding)"
            }
            if let d = p.header.dataPageHeaderV2 {
                line += " values=\(d.numValues) nulls=\(d.numNulls) rows=\(d.numRows) encoding=\(d.encoding) compressed=\(d.isCompressed)"
            }
            if let d = p.header.dictionaryPageHeader {
                line += " values=\(d.numValues) encoding=\(d.encoding)"
            }
            if let c = p.header.crc { line += " crc=\(String(UInt32(bitPattern: c), radix: 16))" }
            out += line + "\n"
        }
        return out
    }
}
