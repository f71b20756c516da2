// `--auth strict`: AWS Signature Version 4 verification of each API request (the `Authorization` header form) with
// the secrets of a credentials file. The canonical request, string to sign and signing key follow AWS's
// "Create a signed AWS API request" (SigV4) rules: URI-encoded path (every byte but the unreserved ones and '/'),
// sorted query, the signed headers lowercased with trimmed, space-collapsed values, the SHA-256 of the payload.

import ObjectStore
import Parquet
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

/// The check of `--auth strict`; the canonical request, string to sign and signing key are ObjectStore's `SigV4`
/// (the signer of Floe's S3 client), so signing and verifying share one implementation.
enum SignatureCheck {
    static let skewSeconds: Int64 = 300

    /// `20261207T155800Z` → seconds since the epoch.
    static func parseAmzDate(_ s: String) -> Int64? {
        let u = Array(s.utf8)
        guard u.count == 16, u[8] == UInt8(ascii: "T"), u[15] == UInt8(ascii: "Z") else { return nil }
        func num(_ r: Range<Int>) -> Int? { Int(String(decoding: u[r], as: UTF8.self)) }
        guard let y = num(0..<4), let mo = num(4..<6), let d = num(6..<8), let h = num(9..<11), let mi = num(11..<13),
              let se = num(13..<15), (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, se < 61 else { return nil }
        let days = CanonicalFormat.daysFromCivil(year: Int64(y), month: mo, day: d)
        return days * 86400 + Int64(h * 3600 + mi * 60 + se)
    }

    static func formatAmzDate(_ t: Int64) -> String { SigV4.timestamps(epochSeconds: Int(t)).amzDate }

    /// Checks `r`'s signature; the error is what AWS answers. Returns the region of the credential scope.
    static func verify(_ r: SignedRequest, credentials: Credentials, now: Int64) throws(AWSError) -> String {
        func header(_ name: String) -> [String] { r.headers.filter { $0.0.lowercased() == name }.map(\.1) }
        guard let auth = header("authorization").first else {
            throw AWSError("MissingAuthenticationTokenException", "Missing Authentication Token", status: 403)
        }
        guard auth.hasPrefix(SigV4.algorithm + " ") else {
            throw AWSError("IncompleteSignatureException", "Authorization header must use the AWS4-HMAC-SHA256 algorithm.")
        }
        guard let a = SigV4.parseAuthorization(auth) else {
            throw AWSError("IncompleteSignatureException",
                           "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters, the Credential scoped to a valid region.")
        }
        guard let secret = credentials.secrets[a.accessKeyId] else {
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
        // the payload is always signed: a declared hash must be the body's (UNSIGNED-PAYLOAD is S3's only)
        let payloadHash = SigV4.sha256Hex(r.body)
        if let declared = header("x-amz-content-sha256").first, declared.lowercased() != payloadHash {
            throw AWSError("InvalidSignatureException",
                           "The provided 'x-amz-content-sha256' header does not match what was computed.")
        }
        // canonical request of a service other than S3: the (decoded) path normalised and encoded twice
        let q = r.uri.firstIndex(of: "?")
        let path = SigV4.percentDecode(String(q.map { r.uri[..<$0] } ?? r.uri[...]))
        let query = q.map { SigV4.parseQuery(String(r.uri[r.uri.index(after: $0)...])) } ?? []
        let signed = Set(a.signedHeaders.map { $0.lowercased() })
        let headers = r.headers.filter { signed.contains($0.0.lowercased()) }
        let canonical = SigV4.canonicalRequest(method: r.method, path: path, query: query, headers: headers,
                                               payloadHash: payloadHash, normalizePath: true, encodePathTwice: true)
        let stringToSign = SigV4.stringToSign(amzDate: amzDate, scope: a.scope, canonicalRequest: canonical.text)
        let key = SigV4.signingKey(secret: secret, dateStamp: a.dateStamp, region: a.region, service: a.service)
        guard SigV4.constantTimeEquals(SigV4.signature(signingKey: key, stringToSign: stringToSign), a.signature) else {
            throw AWSError("InvalidSignatureException",
                           "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
        }
        return a.region
    }
}
