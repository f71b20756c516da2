// `--auth strict`: AWS Signature Version 4 verification of each API request (the `Authorization` header form) with
// the secrets of a credentials file. The canonical request, string to sign and signing key follow AWS's
// "Create a signed AWS API request" (SigV4) rules: URI-encoded path (every byte but the unreserved ones and '/'),
// sorted query, the signed headers lowercased with trimmed, space-collapsed values, the SHA-256 of the payload.

import Crypto
#if canImport(Glibc)
import Glibc
#endif

/// The secrets `--auth strict` checks SigV4 signatures with.
public struct Credentials: Sendable {
    /// Secret access key by access key id.
    public var secrets: [String: String]

    /// Credentials of these (access key id, secret) pairs.
    public init(secrets: [String: String]) { self.secrets = secrets }

    /// A credentials file: lines `ACCESS_KEY_ID SECRET` (or `ACCESS_KEY_ID:SECRET`, `ACCESS_KEY_ID=SECRET`), or the
    /// AWS CLI's INI form (`aws_access_key_id = …` / `aws_secret_access_key = …` in each profile); `#` and `;`
    /// start comments.
    public static func parse(_ text: String) throws -> Credentials {
        var secrets: [String: String] = [:]
        var pendingKey: String?, pendingSecret: String?
        func flushINI() {
            if let k = pendingKey, let s = pendingSecret { secrets[k] = s }
            pendingKey = nil; pendingSecret = nil
        }
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingSpaces
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") { flushINI(); continue }
            if let eq = line.firstIndex(of: "=") {
                let k = line[..<eq].trimmingSpaces.lowercased(), v = String(line[line.index(after: eq)...].trimmingSpaces)
                if k == "aws_access_key_id" { pendingKey = v; if pendingSecret != nil { flushINI() }; continue }
                if k == "aws_secret_access_key" { pendingSecret = v; if pendingKey != nil { flushINI() }; continue }
                if k.hasPrefix("aws_") || k == "region" || k == "output" { continue }
            }
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ":" || $0 == "=" })
            guard parts.count == 2 else {
                throw WALError(message: "line \(n + 1): expected ACCESS_KEY_ID SECRET")
            }
            secrets[String(parts[0])] = String(parts[1])
        }
        flushINI()
        guard !secrets.isEmpty else { throw WALError(message: "no credentials in the file") }
        return Credentials(secrets: secrets)
    }
}

/// What a request's signature check needs, taken from the HTTP layer.
struct SignedRequest {
    var method: String
    var uri: String
    /// (name, value) in arrival order.
    var headers: [(String, String)]
    var body: UnsafeRawBufferPointer
}

enum SigV4 {
    static let skewSeconds: Int64 = 300

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    static func uriEncode(_ s: Substring, keepSlash: Bool) -> String {
        var out = ""
        for b in s.utf8 {
            let c = Character(Unicode.Scalar(b))
            if (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
                || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E || (keepSlash && b == 0x2F) {
                out.append(c)
            } else {
                out += "%" + String(b >> 4, radix: 16, uppercase: true) + String(b & 15, radix: 16, uppercase: true)
            }
        }
        return out
    }

    static func percentDecode(_ s: Substring) -> Substring {
        guard s.contains("%") || s.contains("+") else { return s }
        var bytes: [UInt8] = []
        var it = Array(s.utf8)[...]
        while let c = it.popFirst() {
            if c == 0x25, it.count >= 2, let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(v); it = it.dropFirst(2)
            } else { bytes.append(c) }
        }
        return Substring(String(decoding: bytes, as: UTF8.self))
    }

    /// `20261207T155800Z` → seconds since the epoch.
    static func parseAmzDate(_ s: String) -> Int64? {
        let u = Array(s.utf8)
        guard u.count == 16, u[8] == UInt8(ascii: "T"), u[15] == UInt8(ascii: "Z") else { return nil }
        func num(_ r: Range<Int>) -> Int? { Int(String(decoding: u[r], as: UTF8.self)) }
        guard let y = num(0..<4), let mo = num(4..<6), let d = num(6..<8), let h = num(9..<11), let mi = num(11..<13),
              let se = num(13..<15), (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, se < 61 else { return nil }
        // days from civil (Howard Hinnant)
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        return Int64(days) * 86400 + Int64(h * 3600 + mi * 60 + se)
    }

    static func formatAmzDate(_ t: Int64) -> String {
        var tt = time_t(t)
        var tmv = tm()
        gmtime_r(&tt, &tmv)
        func p(_ v: Int32, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return p(tmv.tm_year + 1900, 4) + p(tmv.tm_mon + 1, 2) + p(tmv.tm_mday, 2) + "T" + p(tmv.tm_hour, 2)
            + p(tmv.tm_min, 2) + p(tmv.tm_sec, 2) + "Z"
    }

    static func hmac(_ key: [UInt8], _ data: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(data.utf8), using: SymmetricKey(data: key)))
    }

    /// Checks `r`'s signature; the error is what AWS answers. Returns the region of the credential scope.
    static func verify(_ r: SignedRequest, credentials: Credentials, now: Int64) throws(AWSError) -> String {
        func header(_ name: String) -> [String] { r.headers.filter { $0.0.lowercased() == name }.map(\.1) }
        guard let auth = header("authorization").first else {
            throw AWSError("MissingAuthenticationTokenException", "Missing Authentication Token", status: 403)
        }
        let incomplete = AWSError("IncompleteSignatureException",
                                  "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.")
        guard auth.hasPrefix("AWS4-HMAC-SHA256 ") else {
            throw AWSError("IncompleteSignatureException", "Authorization header must use the AWS4-HMAC-SHA256 algorithm.")
        }
        var fields: [String: String] = [:]
        for part in auth.dropFirst("AWS4-HMAC-SHA256 ".count).split(separator: ",") {
            let p = part.trimmingSpaces
            guard let eq = p.firstIndex(of: "=") else { throw incomplete }
            fields[String(p[..<eq])] = String(p[p.index(after: eq)...])
        }
        guard let credential = fields["Credential"], let signedHeaders = fields["SignedHeaders"],
              let signature = fields["Signature"] else { throw incomplete }
        let scope = credential.split(separator: "/", omittingEmptySubsequences: false)
        guard scope.count == 5, scope[4] == "aws4_request" else {
            throw AWSError("IncompleteSignatureException", "Credential should be scoped to a valid region, not '\(credential)'.")
        }
        let akid = String(scope[0]), date = String(scope[1]), region = String(scope[2]), service = String(scope[3])
        guard let secret = credentials.secrets[akid] else {
            throw AWSError("UnrecognizedClientException", "The security token included in the request is invalid.")
        }
        guard let amzDate = header("x-amz-date").first ?? header("date").first, let t = parseAmzDate(amzDate) else {
            throw AWSError("IncompleteSignatureException", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
        }
        if t < now - skewSeconds {
            throw AWSError("InvalidSignatureException",
                           "Signature expired: \(amzDate) is now earlier than \(formatAmzDate(now - skewSeconds)) (\(formatAmzDate(now)) - 5 min.)")
        }
        if t > now + skewSeconds {
            throw AWSError("InvalidSignatureException",
                           "Signature not yet current: \(amzDate) is still later than \(formatAmzDate(now + skewSeconds)) (\(formatAmzDate(now)) + 5 min.)")
        }
        // canonical request
        let q = r.uri.firstIndex(of: "?")
        let path = q.map { r.uri[..<$0] } ?? r.uri[...]
        let query = q.map { r.uri[r.uri.index(after: $0)...] } ?? ""
        let canonicalURI = path.isEmpty ? "/" : uriEncode(path, keepSlash: true)
        let pairs = query.split(separator: "&").map { kv -> (String, String) in
            let eq = kv.firstIndex(of: "=")
            let k = eq.map { kv[..<$0] } ?? kv, v = eq.map { kv[kv.index(after: $0)...] } ?? ""
            return (uriEncode(percentDecode(k), keepSlash: false), uriEncode(percentDecode(v), keepSlash: false))
        }.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        let canonicalQuery = pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        var canonicalHeaders = ""
        for name in signedHeaders.split(separator: ";") {
            let values = header(String(name)).map { v in
                v.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
            }
            canonicalHeaders += "\(name):\(values.joined(separator: ","))\n"
        }
        // the payload is always signed: a declared hash must be the body's (UNSIGNED-PAYLOAD is S3's only)
        let payloadHash = hex(SHA256.hash(data: r.body))
        if let declared = header("x-amz-content-sha256").first, declared.lowercased() != payloadHash {
            throw AWSError("InvalidSignatureException",
                           "The provided 'x-amz-content-sha256' header does not match what was computed.")
        }
        let canonical = "\(r.method)\n\(canonicalURI)\n\(canonicalQuery)\n\(canonicalHeaders)\n\(signedHeaders)\n\(payloadHash)"
        let stringToSign = "AWS4-HMAC-SHA256\n\(amzDate)\n\(date)/\(region)/\(service)/aws4_request\n"
            + hex(SHA256.hash(data: Array(canonical.utf8)))
        let key = hmac(hmac(hmac(hmac(Array(("AWS4" + secret).utf8), date), region), service), "aws4_request")
        let expected = hex(hmac(key, stringToSign))
        var diff: UInt8 = expected.utf8.count == signature.utf8.count ? 0 : 1
        for (a, b) in zip(expected.utf8, signature.utf8) { diff |= a ^ b }
        guard diff == 0 else {
            throw AWSError("InvalidSignatureException",
                           "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
        }
        return region
    }
}
