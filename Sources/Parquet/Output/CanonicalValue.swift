extension ColumnValues {
    /// Appends value `i` as canonical JSON, interpreted by `format`.
    @inline(__always)
    public func appendCanonical(index i: Int, format: LeafFormat, to out: inout [UInt8]) {
        CanonicalValue.append(self, index: i, format: format, to: &out)
    }
}

/// Appends one stored value as canonical JSON, interpreted by its `LeafFormat`.
public enum CanonicalValue {
    /// Appends value `i` of `v` (below `v.count`) as canonical JSON text for `format` (numbers, quoted strings,
    /// ISO 8601 dates and times, decimal text) to `out`.
    @inline(__always)
    public static func append(_ v: borrowing ColumnValues, index i: Int, format: LeafFormat, to out: inout [UInt8]) {
        switch format {
        case .boolean:
            CanonicalFormat.appendBool(v.booleans[i], to: &out)
        case .int32:
            CanonicalFormat.appendInt64(Int64(v.int32s[i]), to: &out)
        case .uint32:
            CanonicalFormat.appendUInt64(UInt64(UInt32(bitPattern: v.int32s[i])), to: &out)
        case .int64:
            CanonicalFormat.appendInt64(v.int64s[i], to: &out)
        case .uint64:
            CanonicalFormat.appendUInt64(UInt64(bitPattern: v.int64s[i]), to: &out)
        case .float:
            CanonicalFormat.appendFloat(v.floats[i], to: &out)
        case .double:
            CanonicalFormat.appendDouble(v.doubles[i], to: &out)
        case .float16:
            let b = v.fixed[i]
            let bits = UInt16(b[b.startIndex]) | (UInt16(b[b.startIndex + 1]) << 8)
            CanonicalFormat.appendFloat16(bits: bits, to: &out)
        case .string:
            withBytes(v, i) { CanonicalFormat.appendString(bytes: $0, to: &out) }
        case .binary:
            switch v.physicalType {
            case .byteArray, .fixedLenByteArray:
                withBytes(v, i) { CanonicalFormat.appendBase64(bytes: $0, to: &out) }
            default:
                appendStorage(v, i, to: &out)
            }
        case .decimal(let scale):
            switch v.physicalType {
            case .int32: CanonicalFormat.appendDecimal(unscaled: Int64(v.int32s[i]), scale: scale, to: &out)
            case .int64: CanonicalFormat.appendDecimal(unscaled: v.int64s[i], scale: scale, to: &out)
            default:
                withBytes(v, i) {
                    CanonicalFormat.appendDecimal(unscaledBigEndianTwosComplement: $0, scale: scale, to: &out)
                }
            }
        case .date:
            CanonicalFormat.appendDate(daysSinceEpoch: v.int32s[i], to: &out)
        case .time(let unit):
            let raw = v.physicalType == .int32 ? Int64(v.int32s[i]) : v.int64s[i]
            CanonicalFormat.appendTime(raw, unit: unit, to: &out)
        case .timestamp(let unit, let utc):
            CanonicalFormat.appendTimestamp(v.int64s[i], unit: unit, utc: utc, to: &out)
        case .int96:
            CanonicalFormat.appendInt96Timestamp(v.int96s[i], to: &out)
        case .uuid:
            withBytes(v, i) { CanonicalFormat.appendUUID(bytes16: $0, to: &out) }
        }
    }

    /// A value of a storage type that has no byte representation in `format` (defensive; formats are resolved
    /// per physical type, so this prints the plain value).
    static func appendStorage(_ v: borrowing ColumnValues, _ i: Int, to out: inout [UInt8]) {
        switch v.physicalType {
        case .boolean: CanonicalFormat.appendBool(v.booleans[i], to: &out)
        case .int32: CanonicalFormat.appendInt64(Int64(v.int32s[i]), to: &out)
        case .int64: CanonicalFormat.appendInt64(v.int64s[i], to: &out)
        case .int96: CanonicalFormat.appendInt96Timestamp(v.int96s[i], to: &out)
        case .float: CanonicalFormat.appendFloat(v.floats[i], to: &out)
        case .double: CanonicalFormat.appendDouble(v.doubles[i], to: &out)
        case .byteArray, .fixedLenByteArray:
            withBytes(v, i) { CanonicalFormat.appendBase64(bytes: $0, to: &out) }
        case .unknown: CanonicalFormat.appendNull(to: &out)
        }
    }

    @inline(__always)
    static func withBytes(_ v: borrowing ColumnValues, _ i: Int, _ body: (UnsafeRawBufferPointer) -> Void) {
        if v.physicalType == .byteArray {
            v.byteArrays.withValue(i, body)
        } else {
            let w = v.fixed.width
            v.fixed.bytes.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[(i * w)..<((i + 1) * w)])) }
        }
    }
}
