/// Dispatches a page's value bytes to the decoder of its encoding and physical type, appending to
/// `ColumnValues`.
enum ValueDecoding {
    /// PLAIN values; returns bytes consumed.
    @discardableResult
    static func decodePlain(_ data: UnsafeRawBufferPointer, count: Int, into v: inout ColumnValues,
                            column: String) throws -> Int {
        switch v.physicalType {
        case .boolean:
            let bits = try Booleans.decodePlain(data: data, count: count, into: &v.booleans)
            return (bits + 7) / 8
        case .int32: return try Plain.decode(data: data, count: count, into: &v.int32s)
        case .int64: return try Plain.decode(data: data, count: count, into: &v.int64s)
        case .float: return try Plain.decode(data: data, count: count, into: &v.floats)
        case .double: return try Plain.decode(data: data, count: count, into: &v.doubles)
        case .int96: return try Plain.decodeInt96(data: data, count: count, into: &v.int96s)
        case .byteArray: return try Plain.decodeByteArray(data: data, count: count, into: &v.byteArrays)
        case .fixedLenByteArray: return try Plain.decodeFixedLenByteArray(data: data, count: count, into: &v.fixed)
        case .unknown(let raw): throw ParquetError.unsupported("physical type \(raw)")
        }
    }

    /// Values in any non-dictionary encoding.
    static func decode(_ encoding: Encoding, _ data: UnsafeRawBufferPointer, count: Int, into v: inout ColumnValues,
                       column: String) throws {
        let t = v.physicalType
        switch encoding {
        case .plain:
            try decodePlain(data, count: count, into: &v, column: column)
        case .rle where t == .boolean:
            _ = try Booleans.decodeRLE(data: data, count: count, into: &v.booleans)
        case .deltaBinaryPacked where t == .int32:
            if count == 0 { return }
            let r = try DeltaBinaryPacked.decodeInt32(data: data, maxValues: count, into: &v.int32s)
            guard r.values == count else { throw short(encoding, r.values, count) }
        case .deltaBinaryPacked where t == .int64:
            if count == 0 { return }
            let r = try DeltaBinaryPacked.decodeInt64(data: data, maxValues: count, into: &v.int64s)
            guard r.values == count else { throw short(encoding, r.values, count) }
        case .deltaLengthByteArray where t == .byteArray:
            if count == 0 { return }
            _ = try DeltaLengthByteArray.decode(data: data, count: count, into: &v.byteArrays)
        case .deltaByteArray where t == .byteArray:
            if count == 0 { return }
            _ = try DeltaByteArray.decode(data: data, count: count, into: &v.byteArrays)
        case .deltaByteArray where t == .fixedLenByteArray:
            if count == 0 { return }
            _ = try DeltaByteArray.decode(data: data, count: count, into: &v.fixed)
        case .byteStreamSplit:
            switch t {
            case .int32: _ = try ByteStreamSplit.decode(data: data, count: count, into: &v.int32s)
            case .int64: _ = try ByteStreamSplit.decode(data: data, count: count, into: &v.int64s)
            case .float: _ = try ByteStreamSplit.decode(data: data, count: count, into: &v.floats)
            case .double: _ = try ByteStreamSplit.decode(data: data, count: count, into: &v.doubles)
            case .fixedLenByteArray: _ = try ByteStreamSplit.decode(data: data, count: count, into: &v.fixed)
            default: throw ParquetError.unsupported("BYTE_STREAM_SPLIT for \(t)")
            }
        case .plainDictionary, .rleDictionary:
            throw ParquetError.corrupt("dictionary-encoded values without a dictionary")
        default:
            throw ParquetError.unsupported("value encoding \(encoding) for \(t)")
        }
    }

    private static func short(_ e: Encoding, _ got: Int, _ want: Int) -> ParquetError {
        .corrupt("\(e) holds \(got) of \(want) values")
    }

    /// Dictionary indices (bit-width byte + hybrid runs) gathered from `dictionary`.
    static func decodeDictionary(_ data: UnsafeRawBufferPointer, count: Int, dictionary: ColumnValues,
                                 into v: inout ColumnValues, scratch: inout [Int32]) throws {
        if count == 0 { return }
        scratch.removeAll(keepingCapacity: true)
        try DictionaryIndices.decode(data: data, count: count, into: &scratch)
        switch v.physicalType {
        case .boolean: try DictionaryIndices.gather(indices: scratch, dictionary: dictionary.booleans, into: &v.booleans)
        case .int32: try DictionaryIndices.gather(indices: scratch, dictionary: dictionary.int32s, into: &v.int32s)
        case .int64: try DictionaryIndices.gather(indices: scratch, dictionary: dictionary.int64s, into: &v.int64s)
        case .int96: try DictionaryIndices.gather(indices: scratch, dictionary: dictionary.int96s, into: &v.int96s)
        case .float: try DictionaryIndices.gather(indices: scratch, dictionary: dictionary.floats, into: &v.floats)
        case .double: try DictionaryIndices.gather(indices: scratch, dictionary: dictionary.doubles, into: &v.doubles)
        case .byteArray:
            try DictionaryIndices.gather(indices: scratch, dictionary: dictionary.byteArrays, into: &v.byteArrays)
        case .fixedLenByteArray:
            try scratch.withUnsafeBufferPointer {
                try DictionaryIndices.gather(indices: $0, dictionary: dictionary.fixed, into: &v.fixed)
            }
        case .unknown(let raw): throw ParquetError.unsupported("physical type \(raw)")
        }
    }
}
