// A partition's folder as Iceberg's Java `PartitionSpec.partitionToPath` builds it: one `name=value` segment per
// partition field, both sides form-encoded as `java.net.URLEncoder.encode(s, UTF_8)` does (letters, digits and
// `.-*_` kept, space as `+`, every other UTF-8 byte as `%XX` in upper case), the value as the transform's
// `toHumanString` renders it (`Transform.humanString`).

extension PartitionSpec {
    /// The relative folder of the partition `tuple` (`event_time_hour=2024-01-05-13/id_bucket=7`), no leading or
    /// trailing `/`; empty for an unpartitioned spec.
    ///
    /// - Throws: ``IcebergError/invalidArgument(_:)`` when the spec does not fit the schema or the tuple's size.
    public func partitionToPath(_ tuple: [IcebergLiteral?], schema: IcebergSchema) throws(IcebergError) -> String {
        let ptype = try partitionType(schema)
        guard tuple.count == fields.count else {
            throw .invalidArgument("partition tuple has \(tuple.count) values, spec \(specId) has \(fields.count) fields")
        }
        var out = ""
        for (i, f) in fields.enumerated() {
            if i > 0 { out += "/" }
            out += formEncode(f.name) + "=" + formEncode(f.transform.humanString(tuple[i], resultType: ptype[i].type))
        }
        return out
    }
}

/// `java.net.URLEncoder.encode(s, UTF_8)`: `a-zA-Z0-9.-*_` kept, space as `+`, other bytes `%XX` (upper case).
public func formEncode(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count)
    let hex: [Character] = Array("0123456789ABCDEF")
    for b in s.utf8 {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2E, 0x2D, 0x2A, 0x5F: out.unicodeScalars.append(Unicode.Scalar(b))
        case 0x20: out.append("+")
        default:
            out.append("%")
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 15)])
        }
    }
    return out
}

/// Standard Base64 with padding (Java's `Base64.getEncoder()`), for binary partition values.
func base64(_ bytes: [UInt8]) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var out: [UInt8] = []
    out.reserveCapacity((bytes.count + 2) / 3 * 4)
    var i = 0
    while i + 3 <= bytes.count {
        let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
        out += [alphabet[Int(v >> 18)], alphabet[Int(v >> 12 & 63)], alphabet[Int(v >> 6 & 63)], alphabet[Int(v & 63)]]
        i += 3
    }
    let rest = bytes.count - i
    if rest == 1 {
        let v = UInt32(bytes[i]) << 16
        out += [alphabet[Int(v >> 18)], alphabet[Int(v >> 12 & 63)], 0x3D, 0x3D]
    } else if rest == 2 {
        let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
        out += [alphabet[Int(v >> 18)], alphabet[Int(v >> 12 & 63)], alphabet[Int(v >> 6 & 63)], 0x3D]
    }
    return String(decoding: out, as: UTF8.self)
}

/// `java.time.LocalTime.toString` of microseconds since midnight: `HH:mm`, then `:ss` when seconds or a fraction
/// are not zero, then `.SSS` or `.SSSSSS` (the shortest that holds the fraction).
func javaTimeString(_ micros: Int64) -> String {
    let s = micros / 1_000_000, frac = micros % 1_000_000
    var out = "\(pad(s / 3600, 2)):\(pad(s / 60 % 60, 2))"
    if s % 60 != 0 || frac != 0 { out += ":" + pad(s % 60, 2) }
    if frac != 0 { out += frac % 1000 == 0 ? "." + pad(frac / 1000, 3) : "." + pad(frac, 6) }
    return out
}

/// `java.time.LocalDateTime.toString` of microseconds since the epoch (`2024-01-05T13:00`, `…T13:00:01.5`).
func javaTimestampString(_ micros: Int64) -> String {
    let days = floorDiv(micros, 86_400_000_000)
    let (y, m, d) = civil(days)
    return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T" + javaTimeString(micros - days * 86_400_000_000)
}

/// `BigDecimal(unscaled, scale).toPlainString()`.
func decimalString(_ unscaled: Int128, scale: Int) -> String {
    guard scale > 0 else { return String(unscaled) }
    let neg = unscaled < 0
    var digits = String(neg ? -unscaled : unscaled)
    while digits.count <= scale { digits = "0" + digits }
    let cut = digits.index(digits.endIndex, offsetBy: -scale)
    return (neg ? "-" : "") + digits[..<cut] + "." + digits[cut...]
}
