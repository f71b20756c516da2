import Crypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// AWS Signature Version 4 (header form), written once for signing (the S3 client) and verifying (a server that
/// checks requests): both build the canonical request with the same code.
///
/// Reference: AWS General Reference, "Create a signed AWS API request" (canonical request, string to sign, signing
/// key, signature) and the S3 API Reference "Signature Calculations for the Authorization Header" (S3 neither
/// normalises nor double-encodes the path, and signs `x-amz-content-sha256`).
public enum SigV4 {
    /// The algorithm name of the Authorization header and the string to sign.
    public static let algorithm = "AWS4-HMAC-SHA256"
    /// SHA-256 of the empty payload.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// The payload hash of a request whose body is not signed.
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"

    /// A canonical request and its signed header list.
    public struct CanonicalRequest: Sendable, Equatable {
        /// The canonical request text (method, URI, query, headers, signed header list, payload hash).
        public var text: String
        /// `host;x-amz-date;...`: lowercase names, sorted, `;`-joined.
        public var signedHeaders: String
    }

    /// The canonical request of a request.
    /// - path: the decoded path (`/bucket/my key`); it is URI-encoded here, `/` kept.
    /// - query: decoded name/value pairs (a name without `=` has the value "").
    /// - headers: every header to sign (any case, duplicates allowed: their values are joined with `,`).
    /// - normalizePath: remove `.`/`..` segments and repeated `/` (every service but S3).
    /// - encodePathTwice: encode the already-encoded path again (every service but S3).
    public static func canonicalRequest(method: String, path: String, query: [(String, String)],
                                        headers: [(String, String)], payloadHash: String,
                                        normalizePath: Bool = false, encodePathTwice: Bool = false) -> CanonicalRequest {
        var p = path.isEmpty ? "/" : path
        if normalizePath { p = normalize(p) }
        var uri = uriEncode(p, keepSlash: true)
        if encodePathTwice { uri = uriEncode(uri, keepSlash: true) }

        let q = query.map { (uriEncode($0.0, keepSlash: false), uriEncode($0.1, keepSlash: false)) }
            .sorted { a, b in a.0 == b.0 ? a.1.utf8.lexicographicallyPrecedes(b.1.utf8) : a.0.utf8.lexicographicallyPrecedes(b.0.utf8) }
            .map { $0.0 + "=" + $0.1 }.joined(separator: "&")

        var merged: [String: [String]] = [:]
        for (name, value) in headers { merged[name.lowercased(), default: []].append(trimAll(value)) }
        let names = merged.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var text = method + "\n" + uri + "\n" + q + "\n"
        for n in names { text += n + ":" + merged[n]!.joined(separator: ",") + "\n" }
        let signed = names.joined(separator: ";")
        text += "\n" + signed + "\n" + payloadHash
        return CanonicalRequest(text: text, signedHeaders: signed)
    }

    /// `yyyymmdd/region/service/aws4_request`.
    public static func scope(dateStamp: String, region: String, service: String) -> String {
        dateStamp + "/" + region + "/" + service + "/aws4_request"
    }

    /// The string to sign: algorithm, timestamp, scope and the canonical request's SHA-256.
    public static func stringToSign(amzDate: String, scope: String, canonicalRequest: String) -> String {
        algorithm + "\n" + amzDate + "\n" + scope + "\n" + hex(SHA256.hash(data: Array(canonicalRequest.utf8)))
    }

    /// HMAC chain `AWS4<secret>` → date → region → service → `aws4_request`.
    public static func signingKey(secret: String, dateStamp: String, region: String, service: String) -> SymmetricKey {
        var key = SymmetricKey(data: Array(("AWS4" + secret).utf8))
        for part in [dateStamp, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return key
    }

    /// The hex HMAC-SHA256 of the string to sign.
    public static func signature(signingKey: SymmetricKey, stringToSign: String) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: signingKey))
    }

    /// The `Authorization` header value.
    public static func authorization(accessKeyId: String, scope: String, signedHeaders: String, signature: String) -> String {
        algorithm + " Credential=" + accessKeyId + "/" + scope + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature
    }

    /// The parts of an `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...` header.
    public struct Authorization: Sendable, Equatable {
        /// The access key id of the credential.
        public var accessKeyId: String
        /// The credential's date (`yyyymmdd`).
        public var dateStamp: String
        /// The credential's region.
        public var region: String
        /// The credential's service.
        public var service: String
        /// The signed header names.
        public var signedHeaders: [String]
        /// The hex signature.
        public var signature: String
        /// The credential scope.
        public var scope: String { SigV4.scope(dateStamp: dateStamp, region: region, service: service) }
    }

    /// Parses an Authorization header; nil when it is not a well-formed SigV4 header.
    public static func parseAuthorization(_ header: String) -> Authorization? {
        guard header.hasPrefix(algorithm + " ") else { return nil }
        var fields: [String: String] = [:]
        for part in header.dropFirst(algorithm.count + 1).split(separator: ",") {
            let t = String(part).trimmingSpaces
            guard let eq = t.firstIndex(of: "=") else { return nil }
            fields[String(t[..<eq])] = String(t[t.index(after: eq)...])
        }
        guard let cred = fields["Credential"], let sh = fields["SignedHeaders"], let sig = fields["Signature"] else { return nil }
        let c = cred.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard c.count == 5, c[4] == "aws4_request", !c[0].isEmpty else { return nil }
        return Authorization(accessKeyId: c[0], dateStamp: c[1], region: c[2], service: c[3],
                             signedHeaders: sh.split(separator: ";").map(String.init), signature: sig)
    }

    /// Compares two signatures in time independent of where they differ.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var d: UInt8 = 0
        for i in 0..<x.count { d |= x[i] ^ y[i] }
        return d == 0
    }

    /// `yyyyMMdd'T'HHmmss'Z'` and `yyyyMMdd` of a Unix time, UTC.
    public static func timestamps(epochSeconds: Int) -> (amzDate: String, dateStamp: String) {
        var t = time_t(epochSeconds)
        var tm = tm()
        gmtime_r(&t, &tm)
        func d2(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let date = "\(tm.tm_year + 1900)" + d2(tm.tm_mon + 1) + d2(tm.tm_mday)
        return (date + "T" + d2(tm.tm_hour) + d2(tm.tm_min) + d2(tm.tm_sec) + "Z", date)
    }

    /// RFC 3986 percent-encoding of everything but unreserved characters (`A-Z a-z 0-9 - . _ ~`), and `/` when
    /// `keepSlash`; hex digits upper case.
    public static func uriEncode(_ s: String, keepSlash: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        let digits: [UInt8] = Array("0123456789ABCDEF".utf8)
        for c in s.utf8 {
            let unreserved = (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39)
                || c == 0x2D || c == 0x2E || c == 0x5F || c == 0x7E || (keepSlash && c == 0x2F)
            if unreserved {
                out.append(c)
            } else {
                out += [0x25, digits[Int(c >> 4)], digits[Int(c & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `%XX` sequences (and leaves malformed ones as they are).
    public static func percentDecode(_ s: String) -> String {
        let u = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(u.count)
        var i = 0
        func hexValue(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x41...0x46: return c - 0x37
            case 0x61...0x66: return c - 0x57
            default: return nil
            }
        }
        while i < u.count {
            if u[i] == 0x25, i + 2 < u.count, let h = hexValue(u[i + 1]), let l = hexValue(u[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(u[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Splits a raw query string (`a=1&b&c=%20`) into decoded pairs.
    public static func parseQuery(_ raw: String) -> [(String, String)] {
        raw.split(separator: "&", omittingEmptySubsequences: true).map { item in
            if let eq = item.firstIndex(of: "=") {
                return (percentDecode(String(item[..<eq])), percentDecode(String(item[item.index(after: eq)...])))
            }
            return (percentDecode(String(item)), "")
        }
    }

    /// RFC 3986 5.2.4 dot-segment removal, with runs of `/` collapsed (AWS's path normalisation).
    static func normalize(_ path: String) -> String {
        var out: [Substring] = []
        let segs = path.split(separator: "/", omittingEmptySubsequences: true)
        for s in segs {
            if s == "." { continue }
            if s == ".." { if !out.isEmpty { out.removeLast() }; continue }
            out.append(s)
        }
        var r = "/" + out.joined(separator: "/")
        let last = path.split(separator: "/", omittingEmptySubsequences: false).last
        if path.hasSuffix("/") || last == "." || last == "..", r != "/" { r += "/" }
        return r
    }

    /// Trims a header value and collapses each run of whitespace to one space.
    static func trimAll(_ v: String) -> String {
        var out: [UInt8] = []
        var pendingSpace = false
        for c in v.utf8 {
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(0x20); pendingSpace = false }
                out.append(c)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Lower-case hex of bytes.
    public static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Lower-case hex of a digest.
    public static func hex<D: Digest>(_ digest: D) -> String { hex(Array(digest)) }
    /// Lower-case hex of an HMAC.
    public static func hex(_ mac: HashedAuthenticationCode<SHA256>) -> String { hex(Array(mac)) }

    /// Lower-case hex SHA-256 of bytes.
    public static func sha256Hex(_ bytes: UnsafeRawBufferPointer) -> String { hex(SHA256.hash(data: bytes)) }
}

/// Signs requests for one identity, region and service.
public struct SigV4Signer: Sendable {
    /// The identity that signs.
    public var credentials: AWSCredentials
    /// The signing region.
    public var region: String
    /// The signing service (`s3`).
    public var service: String

    /// A signer for one identity, region and service.
    public init(credentials: AWSCredentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// Adds `x-amz-date`, `x-amz-content-sha256` (S3), `x-amz-security-token` (session credentials) and
    /// `Authorization` to `headers`, which must already hold `host` and every other header to sign.
    public func sign(method: String, path: String, query: [(String, String)], headers: inout [(String, String)],
                     payloadHash: String, epochSeconds: Int, s3: Bool = true) {
        let (amzDate, dateStamp) = SigV4.timestamps(epochSeconds: epochSeconds)
        headers.append(("x-amz-date", amzDate))
        if s3 { headers.append(("x-amz-content-sha256", payloadHash)) }
        if let token = credentials.sessionToken { headers.append(("x-amz-security-token", token)) }
        let creq = SigV4.canonicalRequest(method: method, path: path, query: query, headers: headers,
                                          payloadHash: payloadHash, normalizePath: !s3, encodePathTwice: !s3)
        let scope = SigV4.scope(dateStamp: dateStamp, region: region, service: service)
        let sts = SigV4.stringToSign(amzDate: amzDate, scope: scope, canonicalRequest: creq.text)
        let key = SigV4.signingKey(secret: credentials.secretAccessKey, dateStamp: dateStamp, region: region, service: service)
        headers.append(("Authorization", SigV4.authorization(accessKeyId: credentials.accessKeyId, scope: scope,
                                                             signedHeaders: creq.signedHeaders,
                                                             signature: SigV4.signature(signingKey: key, stringToSign: sts))))
    }
}
