/// Display names of metadata unions used by the inspection commands and error messages.
extension ColumnOrder {
    /// The parquet.thrift name: `TYPE_DEFINED_ORDER`, `IEEE_754_TOTAL_ORDER`, `INT96_TIMESTAMP_ORDER` or
    /// `UNDEFINED(<field id>)`.
    public var name: String {
        switch self {
        case .typeDefinedOrder: "TYPE_DEFINED_ORDER"
        case .ieee754TotalOrder: "IEEE_754_TOTAL_ORDER"
        case .int96TimestampOrder: "INT96_TIMESTAMP_ORDER"
        case .undefined(let id): "UNDEFINED(\(id))"
        }
    }
}

extension EncryptionAlgorithm {
    /// The parquet.thrift name: `AES_GCM_V1`, `AES_GCM_CTR_V1` or `UNDEFINED(<field id>)`.
    public var name: String {
        switch self {
        case .aesGcmV1: "AES_GCM_V1"
        case .aesGcmCtrV1: "AES_GCM_CTR_V1"
        case .undefined(let id): "UNDEFINED(\(id))"
        }
    }
}

extension ColumnChunk {
    /// `, key metadata '…'` for a column encrypted with its own key, or `` (footer key).
    var keyMetadataDescription: String {
        switch cryptoMetadata {
        case .encryptionWithColumnKey(let k)?:
            if let km = k.keyMetadata, !km.isEmpty { return " (key metadata \(ParquetFile.printable(km)))" }
            return " (column key, no key metadata)"
        case .encryptionWithFooterKey?:
            return " (the footer key)"
        default:
            return ""
        }
    }
}
