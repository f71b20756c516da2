// `format` assertion checkers for JSON Schema drafts 4, 6, 7, 2019-09 and 2020-12.

/// Checks string instances against the `format` values JSON Schema defines.
public enum FormatChecker {
    /// The draft whose format vocabulary applies (formats a draft does not define are unknown to it).
    public enum Draft: Sendable, Comparable, CaseIterable {
        /// Drafts 4, 6, 7, 2019-09 and 2020-12, oldest first.
        case draft4, draft6, draft7, draft2019_09, draft2020_12
    }

    /// Returns whether `value` conforms to `format`, or nil when `format` is unknown to `draft`
    /// (an unknown format is not an assertion: callers treat nil as valid).
    public static func check(_ format: String, _ value: String, draft: Draft = .draft2020_12) -> Bool? {
        guard let since = introduced[format], draft >= since else { return nil }
        switch format {
        case "date-time": return DateTimeFormats.isDateTime(value)
        case "date": return DateTimeFormats.isDate(value)
        case "time": return DateTimeFormats.isTime(value)
        case "duration": return DateTimeFormats.isDuration(value)
        case "email": return EmailFormat.isEmail(value, international: false, idna: draft >= .draft7)
        case "idn-email": return EmailFormat.isEmail(value, international: true, idna: true)
        case "hostname": return HostnameFormat.isHostname(value, idna: draft >= .draft7)
        case "idn-hostname": return HostnameFormat.isIDNHostname(value)
        case "ipv4": return IPFormats.isIPv4(Array(value.unicodeScalars))
        case "ipv6": return IPFormats.isIPv6(Array(value.unicodeScalars))
        case "uri": return URIFormats.isURI(value, iri: false, reference: false)
        case "uri-reference": return URIFormats.isURI(value, iri: false, reference: true)
        case "iri": return URIFormats.isURI(value, iri: true, reference: false)
        case "iri-reference": return URIFormats.isURI(value, iri: true, reference: true)
        case "uri-template": return URIFormats.isURITemplate(value)
        case "json-pointer": return PointerFormats.isJSONPointer(Substring(value))
        case "relative-json-pointer": return PointerFormats.isRelativeJSONPointer(value)
        case "regex": return (try? ECMARegex.validate(value)) != nil
        case "uuid": return MiscFormats.isUUID(value)
        default: return nil
        }
    }

    /// Formats known to this checker and the first draft that defines each.
    public static let introduced: [String: Draft] = [
        "date-time": .draft4, "email": .draft4, "hostname": .draft4, "ipv4": .draft4, "ipv6": .draft4,
        "uri": .draft4, "regex": .draft4,
        "uri-reference": .draft6, "uri-template": .draft6, "json-pointer": .draft6,
        "date": .draft7, "time": .draft7, "idn-email": .draft7, "idn-hostname": .draft7, "iri": .draft7,
        "iri-reference": .draft7, "relative-json-pointer": .draft7,
        "duration": .draft2019_09, "uuid": .draft2019_09,
    ]
}

@inline(__always)
func isASCIIDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 0x30 && c.value <= 0x39 }

@inline(__always)
func isASCIIAlpha(_ c: Unicode.Scalar) -> Bool {
    (c.value >= 0x41 && c.value <= 0x5A) || (c.value >= 0x61 && c.value <= 0x7A)
}

@inline(__always)
func isHexDigit(_ c: Unicode.Scalar) -> Bool {
    isASCIIDigit(c) || (c.value >= 0x41 && c.value <= 0x46) || (c.value >= 0x61 && c.value <= 0x66)
}

enum MiscFormats {
    /// RFC 4122 hyphenated form, any version and variant.
    static func isUUID(_ s: String) -> Bool {
        let u = Array(s.unicodeScalars)
        guard u.count == 36 else { return false }
        for (k, c) in u.enumerated() {
            if k == 8 || k == 13 || k == 18 || k == 23 {
                if c != "-" { return false }
            } else if !isHexDigit(c) {
                return false
            }
        }
        return true
    }
}

enum PointerFormats {
    /// RFC 6901: "" or ("/" reference-token)*, `~` only as `~0` / `~1`.
    static func isJSONPointer(_ s: Substring) -> Bool {
        let u = Array(s.unicodeScalars)
        if u.isEmpty { return true }
        guard u[0] == "/" else { return false }
        var k = 0
        while k < u.count {
            if u[k] == "~" {
                guard k + 1 < u.count, u[k + 1] == "0" || u[k + 1] == "1" else { return false }
                k += 2
            } else {
                k += 1
            }
        }
        return true
    }

    /// draft-handrews-relative-json-pointer: non-negative-integer ( "#" / json-pointer ).
    static func isRelativeJSONPointer(_ s: String) -> Bool {
        let u = s.unicodeScalars
        var i = u.startIndex
        var digits = 0
        var firstIsZero = false
        while i < u.endIndex, isASCIIDigit(u[i]) {
            if digits == 0 && u[i] == "0" { firstIsZero = true }
            digits += 1
            i = u.index(after: i)
        }
        if digits == 0 || (firstIsZero && digits > 1) { return false }
        let rest = Substring(String(u[i...]))
        if rest == "#" { return true }
        return isJSONPointer(rest)
    }
}
