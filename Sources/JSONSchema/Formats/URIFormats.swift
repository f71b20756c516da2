// uri, uri-reference (RFC 3986), iri, iri-reference (RFC 3987) and uri-template (RFC 6570).

enum URIFormats {
    private static func isUnreserved(_ c: Unicode.Scalar) -> Bool {
        isASCIIAlpha(c) || isASCIIDigit(c) || c == "-" || c == "." || c == "_" || c == "~"
    }

    private static func isSubDelim(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "!", "$", "&", "'", "(", ")", "*", "+", ",", ";", "=": return true
        default: return false
        }
    }

    /// RFC 3987 ucschar.
    private static func isUCSChar(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        switch v {
        case 0xA0...0xD7FF, 0xF900...0xFDCF, 0xFDF0...0xFFEF: return true
        case 0x10000...0xEFFFD:
            return (v & 0xFFFF) <= 0xFFFD && !(v >= 0xE0000 && v < 0xE1000)
        default: return false
        }
    }

    /// RFC 3987 iprivate.
    private static func isPrivate(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        return (v >= 0xE000 && v <= 0xF8FF) || (v >= 0xF0000 && v <= 0xFFFFD) || (v >= 0x100000 && v <= 0x10FFFD)
    }

    private struct Parser {
        let u: [Unicode.Scalar]
        let iri: Bool

        func unreserved(_ c: Unicode.Scalar) -> Bool { URIFormats.isUnreserved(c) || (iri && URIFormats.isUCSChar(c)) }

        /// Length of a pct-encoded triple at k, or 0.
        func pct(_ k: Int) -> Int {
            if k + 2 < u.count, u[k] == "%", isHexDigit(u[k + 1]), isHexDigit(u[k + 2]) { return 3 }
            return 0
        }

        /// Advances over `*( allowed / pct-encoded )`; returns false on a bad `%`.
        func scan(_ k: inout Int, end: Int, _ allowed: (Unicode.Scalar) -> Bool) -> Bool {
            while k < end {
                if u[k] == "%" {
                    guard k + 2 < end, isHexDigit(u[k + 1]), isHexDigit(u[k + 2]) else { return false }
                    k += 3
                } else if allowed(u[k]) {
                    k += 1
                } else {
                    return true
                }
            }
            return true
        }

        func pchar(_ c: Unicode.Scalar) -> Bool { unreserved(c) || isSubDelim(c) || c == ":" || c == "@" }

        /// Validates the whole range as `*( pchar / "/" )` (a path), fully consumed.
        func isPath(_ a: Int, _ b: Int, noColonInFirstSegment: Bool) -> Bool {
            var k = a
            guard scan(&k, end: b, { c in self.pchar(c) || c == "/" }), k == b else { return false }
            if noColonInFirstSegment {
                for j in a..<b {
                    if u[j] == "/" { break }
                    if u[j] == ":" { return false }
                }
            }
            return true
        }

        func isQueryOrFragment(_ a: Int, _ b: Int, query: Bool) -> Bool {
            var k = a
            return scan(&k, end: b, { c in self.pchar(c) || c == "/" || c == "?" || (self.iri && query && URIFormats.isPrivate(c)) }) && k == b
        }

        func isAuthority(_ a: Int, _ b: Int) -> Bool {
            var hostStart = a
            if let at = u[a..<b].lastIndex(of: "@") {
                var k = a
                guard scan(&k, end: at, { c in self.unreserved(c) || isSubDelim(c) || c == ":" }), k == at else { return false }
                hostStart = at + 1
            }
            var hostEnd = b
            if hostStart < b, u[hostStart] == "[" {
                guard let close = u[hostStart..<b].firstIndex(of: "]") else { return false }
                let inner = u[(hostStart + 1)..<close]
                if inner.first == "v" || inner.first == "V" {
                    // IPvFuture: "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
                    guard let dot = inner.firstIndex(of: "."), dot > inner.startIndex + 1,
                          inner[(inner.startIndex + 1)..<dot].allSatisfy(isHexDigit), dot + 1 < inner.endIndex,
                          inner[(dot + 1)...].allSatisfy({ URIFormats.isUnreserved($0) || isSubDelim($0) || $0 == ":" })
                    else { return false }
                } else if !IPFormats.isIPv6(inner) {
                    return false
                }
                hostEnd = close + 1
            } else {
                var k = hostStart
                guard scan(&k, end: b, { c in self.unreserved(c) || isSubDelim(c) }) else { return false }
                hostEnd = k
            }
            if hostEnd == b { return true }
            guard u[hostEnd] == ":" else { return false }
            return u[(hostEnd + 1)..<b].allSatisfy(isASCIIDigit)
        }

        /// Validates `hier-part` / `relative-part` followed by query and fragment.
        func isRest(_ start: Int, relative: Bool) -> Bool {
            let n = u.count
            let hash = u[start...].firstIndex(of: "#") ?? n
            let q = u[start..<hash].firstIndex(of: "?") ?? hash
            if hash < n && !isQueryOrFragment(hash + 1, n, query: false) { return false }
            if q < hash && !isQueryOrFragment(q + 1, hash, query: true) { return false }
            // hier-part in [start, q)
            if q - start >= 2 && u[start] == "/" && u[start + 1] == "/" {
                let authEnd = u[(start + 2)..<q].firstIndex(of: "/") ?? q
                return isAuthority(start + 2, authEnd) && isPath(authEnd, q, noColonInFirstSegment: false)
            }
            return isPath(start, q, noColonInFirstSegment: relative && (q == start || u[start] != "/"))
        }

        func isAbsolute() -> Bool {
            guard let colon = u.firstIndex(of: ":"), colon > 0, isASCIIAlpha(u[0]) else { return false }
            for c in u[1..<colon] where !(isASCIIAlpha(c) || isASCIIDigit(c) || c == "+" || c == "-" || c == ".") { return false }
            return isRest(colon + 1, relative: false)
        }
    }

    static func isURI(_ s: String, iri: Bool, reference: Bool) -> Bool {
        let p = Parser(u: Array(s.unicodeScalars), iri: iri)
        if p.isAbsolute() { return true }
        guard reference else { return false }
        return p.isRest(0, relative: true)
    }

    // MARK: uri-template

    /// RFC 6570 level 4 syntax.
    static func isURITemplate(_ s: String) -> Bool {
        let u = Array(s.unicodeScalars)
        var k = 0
        while k < u.count {
            let c = u[k]
            if c == "{" {
                guard let close = u[k...].firstIndex(of: "}") else { return false }
                guard isExpression(u[(k + 1)..<close]) else { return false }
                k = close + 1
                continue
            }
            if c == "%" {
                guard k + 2 < u.count, isHexDigit(u[k + 1]), isHexDigit(u[k + 2]) else { return false }
                k += 3
                continue
            }
            let v = c.value
            if v <= 0x20 || v == 0x7F { return false }
            switch c {
            // RFC 6570 excludes "'" from literals too, but the test suite (and RFC 3986 sub-delims) allow it.
            case "\"", "<", ">", "\\", "^", "`", "|", "}": return false
            default: break
            }
            k += 1
        }
        return true
    }

    private static func isExpression(_ e: ArraySlice<Unicode.Scalar>) -> Bool {
        var body = e
        if let op = body.first, "+#./;?&=,!@|".unicodeScalars.contains(op) { body = body.dropFirst() }
        if body.isEmpty { return false }
        for spec in body.split(separator: ",", omittingEmptySubsequences: false) {
            guard !spec.isEmpty else { return false }
            var name = spec
            if spec.last == "*" {
                name = spec.dropLast()
            } else if let colon = spec.firstIndex(of: ":") {
                name = spec[..<colon]
                let len = spec[(colon + 1)...]
                guard (1...4).contains(len.count), len.allSatisfy(isASCIIDigit), len.first != "0" else { return false }
            }
            guard isVarname(name) else { return false }
        }
        return true
    }

    private static func isVarname(_ n: ArraySlice<Unicode.Scalar>) -> Bool {
        if n.isEmpty || n.first == "." || n.last == "." { return false }
        var k = n.startIndex
        var prevDot = false
        while k < n.endIndex {
            let c = n[k]
            if c == "%" {
                guard k + 2 < n.endIndex, isHexDigit(n[k + 1]), isHexDigit(n[k + 2]) else { return false }
                k += 3; prevDot = false
                continue
            }
            if c == "." {
                if prevDot { return false }
                prevDot = true
            } else if isASCIIAlpha(c) || isASCIIDigit(c) || c == "_" {
                prevDot = false
            } else {
                return false
            }
            k += 1
        }
        return true
    }
}
