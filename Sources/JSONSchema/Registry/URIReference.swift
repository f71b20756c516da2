// Minimal RFC 3986 reference resolution for `$id` / `$ref` (no network, no normalization beyond dot segments).

/// A parsed URI reference: `scheme:` `//authority` path `?query` `#fragment`.
struct URIReference: Equatable {
    var scheme: String?
    var authority: String?
    var path: String
    var query: String?
    var fragment: String?

    init(scheme: String?, authority: String?, path: String, query: String?, fragment: String?) {
        self.scheme = scheme
        self.authority = authority
        self.path = path
        self.query = query
        self.fragment = fragment
    }

    init(_ text: String) {
        var rest = Substring(text)
        if let h = rest.firstIndex(of: "#") {
            fragment = String(rest[rest.index(after: h)...])
            rest = rest[..<h]
        }
        if let q = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: q)...])
            rest = rest[..<q]
        }
        // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"
        if let c = rest.firstIndex(of: ":") {
            let s = rest[..<c]
            if let f = s.first, f.isASCII, f.isLetter,
               s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") })
            {
                scheme = String(s)
                rest = rest[rest.index(after: c)...]
            }
        }
        if rest.hasPrefix("//") {
            rest = rest.dropFirst(2)
            let end = rest.firstIndex(of: "/") ?? rest.endIndex
            authority = String(rest[..<end])
            rest = rest[end...]
        }
        path = String(rest)
    }

    var text: String {
        var s = ""
        if let scheme { s += scheme + ":" }
        if let authority { s += "//" + authority }
        s += path
        if let query { s += "?" + query }
        if let fragment { s += "#" + fragment }
        return s
    }

    /// RFC 3986 §5.2.2 (strict).
    func resolved(against base: URIReference) -> URIReference {
        var t = URIReference(scheme: nil, authority: nil, path: "", query: nil, fragment: fragment)
        if let scheme {
            t.scheme = scheme
            t.authority = authority
            t.path = URIReference.removeDotSegments(path)
            t.query = query
        } else {
            if authority != nil {
                t.authority = authority
                t.path = URIReference.removeDotSegments(path)
                t.query = query
            } else {
                if path.isEmpty {
                    t.path = base.path
                    t.query = query ?? base.query
                } else {
                    if path.hasPrefix("/") {
                        t.path = URIReference.removeDotSegments(path)
                    } else {
                        t.path = URIReference.removeDotSegments(merge(base))
                    }
                    t.query = query
                }
                t.authority = base.authority
            }
            t.scheme = base.scheme
        }
        return t
    }

    private func merge(_ base: URIReference) -> String {
        if base.authority != nil && base.path.isEmpty { return "/" + path }
        if let slash = base.path.lastIndex(of: "/") { return String(base.path[...slash]) + path }
        return path
    }

    static func removeDotSegments(_ input: String) -> String {
        if !input.utf8.contains(UInt8(ascii: ".")) { return input }
        var inp = Substring(input)
        var outStr = ""
        while !inp.isEmpty {
            if inp.hasPrefix("../") { inp = inp.dropFirst(3) }
            else if inp.hasPrefix("./") { inp = inp.dropFirst(2) }
            else if inp.hasPrefix("/./") { inp = inp.dropFirst(2) }
            else if inp == "/." { inp = "/" }
            else if inp.hasPrefix("/../") || inp == "/.." {
                inp = inp == "/.." ? "/" : inp.dropFirst(3)
                if let i = outStr.lastIndex(of: "/") { outStr = String(outStr[..<i]) } else { outStr = "" }
            } else if inp == "." || inp == ".." { inp = "" }
            else {
                var end = inp.index(after: inp.startIndex)
                if inp.first == "/" {
                    end = inp[end...].firstIndex(of: "/") ?? inp.endIndex
                } else {
                    end = inp.firstIndex(of: "/") ?? inp.endIndex
                }
                outStr += inp[..<end]
                inp = inp[end...]
            }
        }
        return outStr
    }
}

enum URIs {
    /// Resolves `reference` against `base` (both texts); an empty base leaves the reference as is.
    static func resolve(_ reference: String, against base: String) -> String {
        if base.isEmpty { return reference }
        return URIReference(reference).resolved(against: URIReference(base)).text
    }

    /// Splits off the fragment: ("http://x/y", "frag"); the fragment is percent-decoded.
    static func split(_ uri: String) -> (String, String) {
        guard let h = uri.firstIndex(of: "#") else { return (uri, "") }
        return (String(uri[..<h]), percentDecode(String(uri[uri.index(after: h)...])))
    }

    /// The URI without its fragment (an empty fragment `#` is dropped too).
    static func stripFragment(_ uri: String) -> String { split(uri).0 }

    static func percentDecode(_ s: String) -> String {
        guard s.utf8.contains(UInt8(ascii: "%")) else { return s }
        var bytes: [UInt8] = []
        let u = Array(s.utf8)
        var i = 0
        func hex(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x41...0x46: return c - 0x41 + 10
            case 0x61...0x66: return c - 0x61 + 10
            default: return nil
            }
        }
        while i < u.count {
            if u[i] == UInt8(ascii: "%"), i + 2 < u.count, let a = hex(u[i + 1]), let b = hex(u[i + 2]) {
                bytes.append(a << 4 | b)
                i += 3
            } else {
                bytes.append(u[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// JSON Pointer (RFC 6901) helpers.
enum JSONPointer {
    static func escape(_ token: String) -> String {
        if !token.utf8.contains(UInt8(ascii: "~")) && !token.utf8.contains(UInt8(ascii: "/")) { return token }
        return token.replacingOccurrences("~", "~0").replacingOccurrences("/", "~1")
    }

    static func unescape(_ token: Substring) -> String {
        if !token.utf8.contains(UInt8(ascii: "~")) { return String(token) }
        return String(token).replacingOccurrences("~1", "/").replacingOccurrences("~0", "~")
    }

    /// Tokens of a pointer ("" → []); nil unless it starts with "/".
    static func tokens(_ pointer: String) -> [String]? {
        if pointer.isEmpty { return [] }
        guard pointer.hasPrefix("/") else { return nil }
        return pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map { unescape($0) }
    }

    static func string(_ tokens: [String]) -> String {
        var s = ""
        for t in tokens { s += "/" + escape(t) }
        return s
    }

    static func resolve(_ tokens: [String], in value: JSONValue) -> JSONValue? {
        var v = value
        for t in tokens {
            switch v {
            case .object(let o):
                guard let n = o[t] else { return nil }
                v = n
            case .array(let a):
                guard let i = Int(t), i >= 0, i < a.count, t == String(i) else { return nil }
                v = a[i]
            default: return nil
            }
        }
        return v
    }
}

extension String {
    /// Literal (non-regex) substring replacement without Foundation.
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        guard !target.isEmpty, Substring(self).rangeOfLiteral(target) != nil else { return self }
        var out = ""
        var rest = Substring(self)
        while let r = rest.rangeOfLiteral(target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        out += rest
        return out
    }
}

extension Substring {
    func rangeOfLiteral(_ target: String) -> Range<Substring.Index>? {
        let t = Array(target.utf8)
        let u = self.utf8
        guard t.count <= u.count else { return nil }
        var i = u.startIndex
        while i != u.endIndex {
            var j = i
            var k = 0
            while k < t.count, j != u.endIndex, u[j] == t[k] { j = u.index(after: j); k += 1 }
            if k == t.count { return i..<j }
            i = u.index(after: i)
        }
        return nil
    }
}

