// Walking the page headers of a column chunk (plain or encrypted) without decoding the pages.

extension ParquetFile {
    /// The page headers of one column chunk with their file offsets and header lengths (for an encrypted chunk:
    /// the decrypted headers, the length of the header module).
    public func pageHeaders(rowGroup g: Int, column c: Int) throws -> [(offset: Int, headerLength: Int, header: PageHeader)] {
        if let m = metadata.rowGroups[g].columns[c].metaData, m.numValues == 0 { return [] }
        let (md, range) = try chunkRange(rowGroup: g, column: c)
        // From a remote source the chunk's recorded size first (what decoding fetches); the range up to the footer
        // when a writer recorded it short, as a local read sees it.
        let cut = readRange(range, md)
        if cut != range, let pages = try? pageHeaders(g, c, md, start: range.lowerBound, in: cut) { return pages }
        return try pageHeaders(g, c, md, start: range.lowerBound, in: range) ?? []
    }

    /// The headers of the chunk starting at `start`, read from `r`; nil when `r` ends before the chunk's values do
    /// (and before the footer).
    private func pageHeaders(_ g: Int, _ c: Int, _ md: ColumnMetaData, start: Int, in r: Range<Int>) throws
        -> [(offset: Int, headerLength: Int, header: PageHeader)]?
    {
        let cipher = try chunkCipher(rowGroup: g, column: c)
        let path = schema.columns[c].dottedPath
        return try storage.withBytes(r) { bytes -> [(offset: Int, headerLength: Int, header: PageHeader)]? in
            var out: [(offset: Int, headerLength: Int, header: PageHeader)] = []
            var pos = 0, seen: Int64 = 0, index = 0, ordinal = 0
            while seen < md.numValues, pos < bytes.count {
                let rest = UnsafeRawBufferPointer(rebasing: bytes[pos...])
                let (h, hl) = try cipher.map {
                    try ColumnChunkReader.decryptHeader(rest, cipher: $0, first: index == 0,
                                                        dictionaryFirst: md.dictionaryPageOffset != nil,
                                                        dataPageOrdinal: ordinal, column: path, page: index)
                } ?? PageHeader.decode(rest)
                let size = Int(h.compressedPageSize)
                guard size >= 0, size <= bytes.count - pos - hl else {
                    throw ParquetError.corrupt("column \(path) page \(index): size exceeds the file")
                }
                out.append((start + pos, hl, h))
                if let d = h.dataPageHeader { seen += Int64(d.numValues) }
                if let d = h.dataPageHeaderV2 { seen += Int64(d.numValues) }
                if h.type == .dataPage || h.type == .dataPageV2 { ordinal += 1 }
                pos += hl + size
                index += 1
            }
            return seen >= md.numValues || r.upperBound >= footerOffset ? out : nil
        }
    }
}
