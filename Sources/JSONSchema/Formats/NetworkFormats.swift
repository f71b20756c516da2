// ipv4 (RFC 2673 dotted-quad), ipv6 (RFC 4291 text forms), email (RFC 5321) and idn-email (RFC 6531).

enum IPFormats {
    /// Dotted-quad, decimal octets 0–255 without leading zeros, ASCII digits only.
    static func isIPv4<C: Collection>(_ u: C) -> Bool where C.Element == Unicode.Scalar {
        var parts = 0
        var digits = 0
        var value = 0
        var leadingZero = false
        for c in u {
            if c == "." {
                if digits == 0 { return false }
                parts += 1
                digits = 0; value = 0; leadingZero = false
                continue
            }
            guard isASCIIDigit(c) else { return false }
            if digits == 0 && c == "0" { leadingZero = true } else if leadingZero { return false }
            digits += 1
            if digits > 3 { return false }
            value = value * 10 + Int(c.value - 0x30)
            if value > 255 { return false }
        }
        return digits > 0 && parts == 3
    }

    /// RFC 4291 section 2.2 text representation; no zone identifiers.
    static func isIPv6<C: Collection>(_ input: C) -> Bool where C.Element == Unicode.Scalar {
        let u = Array(input)
        if u.isEmpty { return false }
        // Split off an embedded IPv4 tail after the last ':'.
        var groupsAllowed = 8
        var body = u[...]
        if let lastColon = u.lastIndex(of: ":"), u[(lastColon + 1)...].contains(".") {
            guard isIPv4(u[(lastColon + 1)...]) else { return false }
            groupsAllowed = 6
            body = u[...lastColon]
            // keep a trailing "::" intact, otherwise drop the single separator colon
            if !(body.count >= 2 && body[body.endIndex - 2] == ":") {
                body = body.dropLast()
            }
            if body.isEmpty { return false }
        }
        var groups = 0
        var compressed = false
        var k = body.startIndex
        if body.starts(with: [":", ":"]) {
            compressed = true
            k += 2
            if k == body.endIndex { return groupsAllowed >= 1 }
        } else if body.first == ":" {
            return false
        }
        while k < body.endIndex {
            var n = 0
            while k < body.endIndex, isHexDigit(body[k]) { k += 1; n += 1 }
            if n == 0 || n > 4 { return false }
            groups += 1
            if k == body.endIndex { break }
            guard body[k] == ":" else { return false }
            k += 1
            if k < body.endIndex && body[k] == ":" {
                if compressed { return false }
                compressed = true
                k += 1
                if k == body.endIndex { break }
            } else if k == body.endIndex {
                return false  // trailing single ':'
            }
        }
        return compressed ? groups < groupsAllowed : groups == groupsAllowed
    }
}

enum EmailFormat {
    private static func isAtext(_ c: Unicode.Scalar, international: Bool) -> Bool {
        if isASCIIAlpha(c) || isASCIIDigit(c) { return true }
        switch c {
        case "!", "#", "$", "%", "&", "'", "*", "+", "-", "/", "=", "?", "^", "_", "`", "{", "|", "}", "~": return true
        default: return international && c.value >= 0x80
        }
    }

    /// RFC 5321 Mailbox (RFC 6531 when `international`): Local-part "@" ( Domain / address-literal ).
    static func isEmail(_ s: String, international: Bool, idna: Bool = true) -> Bool {
        let u = Array(s.unicodeScalars)
        guard let at = u.lastIndex(of: "@"), at > 0, at < u.count - 1 else { return false }
        let local = u[..<at]
        let domain = u[(at + 1)...]
        // Local part: Dot-string or Quoted-string.
        if local.first == "\"" {
            guard local.count >= 2, local.last == "\"" else { return false }
            var k = local.startIndex + 1
            let end = local.endIndex - 1
            while k < end {
                let c = local[k]
                if c == "\\" {
                    guard k + 1 < end, local[k + 1].value >= 32, local[k + 1].value <= 126 || (international && local[k + 1].value >= 0x80)
                    else { return false }
                    k += 2
                    continue
                }
                let v = c.value
                let ok = (v == 32 || v == 33 || (v >= 35 && v <= 91) || (v >= 93 && v <= 126)) || (international && v >= 0x80)
                if !ok { return false }
                k += 1
            }
        } else {
            var prevDot = true
            for c in local {
                if c == "." {
                    if prevDot { return false }
                    prevDot = true
                } else if isAtext(c, international: international) {
                    prevDot = false
                } else {
                    return false
                }
            }
            if prevDot { return false }
        }
        // Domain or address literal.
        if domain.first == "[" {
            guard domain.last == "]" else { return false }
            let inner = domain.dropFirst().dropLast()
            let prefix: [Unicode.Scalar] = ["I", "P", "v", "6", ":"]
            if inner.count > 5, inner.prefix(5).elementsEqual(prefix, by: { $0.properties.lowercaseMapping == $1.properties.lowercaseMapping }) {
                return IPFormats.isIPv6(inner.dropFirst(5))
            }
            return IPFormats.isIPv4(inner)
        }
        let d = String(String.UnicodeScalarView(domain))
        return international ? HostnameFormat.isIDNHostname(d) : HostnameFormat.isHostname(d, idna: idna)
    }
}
