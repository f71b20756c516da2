import AsyncHTTPClient
import NIOCore
import NIOHTTP1

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One S3 request before signing.
struct S3Request: Sendable {
    var method: HTTPMethod
    var bucket: String
    /// nil for bucket-level requests (list, create bucket, delete objects).
    var key: String?
    var query: [(String, String)] = []
    var headers: [(String, String)] = []
    var body: [UInt8] = []
    /// Safe to send twice (the server may have acted on an attempt that failed in transit).
    var idempotent = true
    /// CompleteMultipartUpload, CopyObject and DeleteObjects report some failures as `200 OK` with an `<Error>` body.
    var errorMayArriveWith200 = false
    /// A short name for messages (`GET`, `CompleteMultipartUpload`).
    var operation: String
    /// The most response-body bytes accepted.
    var maxResponseBytes = 16 << 20
}

struct S3Response: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]

    func header(_ name: String) -> String? { headers.first(name: name) }
}

/// A non-2xx answer (or a 200 carrying an error document).
struct S3HTTPFailure: Error, Sendable {
    var status: Int
    var code: String
    var message: String
}

/// The response ended before its Content-Length.
struct S3TruncatedBody: Error, Sendable {
    var expected: Int
    var got: Int
}

/// Signs, sends and retries S3 requests. Counts attempts and retries (for tests and `--stats`).
public final class S3Client: Sendable {
    /// The settings every request uses.
    public let configuration: S3Configuration
    let signer: SigV4Signer
    let http: HTTPClient
    /// `http` or `https`, and `host[:port]` of the endpoint.
    let scheme: String
    let endpointHost: String

    /// A client with its own HTTP connection pool.
    public init(configuration: S3Configuration) {
        self.configuration = configuration
        signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region)
        http = HTTPClient.shared
        if let e = configuration.endpoint {
            let lower = e.lowercased()
            scheme = lower.hasPrefix("https://") ? "https" : "http"
            endpointHost = String(e.dropFirst(scheme.count + 3))
        } else {
            scheme = "https"
            endpointHost = "s3.\(configuration.region).amazonaws.com"
        }
    }

    /// `s3://bucket/key` for messages.
    static func name(_ bucket: String, _ key: String?) -> String { "s3://\(bucket)/\(key ?? "")" }

    /// Host and (decoded) path of a request, per the addressing style.
    func target(bucket: String, key: String?) -> (host: String, path: String) {
        let keyPath = "/" + (key ?? "")
        let virtual = configuration.addressing == .virtualHosted && !(scheme == "https" && bucket.contains("."))
        if virtual { return (bucket + "." + endpointHost, keyPath) }
        return (endpointHost, "/" + bucket + (key.map { "/" + $0 } ?? ""))
    }

    /// Sends `request` with retries per the configuration's policy; returns a 2xx response or throws an
    /// `ObjectStoreError` naming the object.
    func send(_ request: S3Request) async throws -> S3Response {
        try await sendCountingAttempts(request).response
    }

    /// `send`, also telling how many attempts it took.
    func sendCountingAttempts(_ request: S3Request) async throws -> (response: S3Response, attempts: Int) {
        var attempts = 0
        let r = try await sendCountingAttempts(request, attempts: &attempts)
        return (r.response, attempts)
    }

    /// `send`, recording in `attempts` how many attempts were made, also when it throws.
    func sendCountingAttempts(_ request: S3Request, attempts: inout Int) async throws -> (response: S3Response, attempts: Int) {
        let policy = configuration.retry
        var n = 0
        defer { attempts = n }
        do {
            let r = try await withRetries(policy, idempotent: request.idempotent, classify: Self.classify) { i in
                n = i + 1
                return try await attempt(request, timeout: policy.requestTimeout)
            }
            return (r, n)
        } catch {
            throw mapError(error, request)
        }
    }

    private func attempt(_ r: S3Request, timeout: Double) async throws -> S3Response {
        let response = try await http.execute(signed(r), timeout: .milliseconds(Int64(timeout * 1000)))
        let expected = response.headers.first(name: "content-length").flatMap { Int($0) }
        var body: [UInt8] = []
        if r.method != .HEAD {
            let limit = max(r.maxResponseBytes, expected ?? 0)
            var buf = try await response.body.collect(upTo: limit)
            body = buf.readBytes(length: buf.readableBytes) ?? []
            if let n = expected, n != body.count { throw S3TruncatedBody(expected: n, got: body.count) }
        }
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let doc = S3ErrorDocument.parse(body)
            throw S3HTTPFailure(status: status, code: doc?.code ?? response.status.reasonPhrase,
                                message: doc?.message ?? "")
        }
        if r.errorMayArriveWith200, let doc = S3ErrorDocument.parse(body) {
            // S3 answers 200 before the work is done and reports a failure in the body (InternalError, SlowDown).
            throw S3HTTPFailure(status: doc.code == "SlowDown" ? 503 : 500, code: doc.code, message: doc.message)
        }
        return S3Response(status: status, headers: response.headers, body: body)
    }

    /// A ranged GetObject whose body is kept as it arrives: an attempt that fails part way (a dropped connection, a
    /// timeout, a body ended early) is retried under the configuration's policy from the first byte not yet
    /// received, never from the start of the range. `ifMatch` pins the object's version on every attempt (a replaced
    /// object answers 412: `preconditionFailed`). Returns exactly the bytes of `range` that the object holds (fewer
    /// only when the object ends inside it).
    func getResuming(bucket: String, key: String, range: Range<Int64>, ifMatch: String?) async throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Int(range.count))
        var base = S3Request(method: .GET, bucket: bucket, key: key, operation: "GetObject")
        base.maxResponseBytes = Int(range.count)
        var ended = false
        let policy = configuration.retry
        do {
            try await withRetries(policy, idempotent: true, classify: Self.classify) { _ in
                let from = range.lowerBound + Int64(out.count)
                if from >= range.upperBound || ended { return }
                var r = base
                r.headers = [("Range", "bytes=\(from)-\(range.upperBound - 1)")]
                if let e = ifMatch { r.headers.append(("If-Match", "\"" + e + "\"")) }
                let response = try await http.execute(signed(r), timeout: .milliseconds(Int64(policy.requestTimeout * 1000)))
                let status = Int(response.status.code)
                if status == 416 {
                    ended = true  // the range starts at or past the end: the object ends before it
                    return
                }
                guard status == 206 || status == 200 else {
                    var buf = try await response.body.collect(upTo: 1 << 20)
                    let doc = S3ErrorDocument.parse(buf.readBytes(length: buf.readableBytes) ?? [])
                    throw S3HTTPFailure(status: status, code: doc?.code ?? response.status.reasonPhrase,
                                        message: doc?.message ?? "")
                }
                if status == 200 && from > 0 {
                    throw ObjectStoreError.requestFailed(
                        "\(Self.name(bucket, key)): GetObject: the server ignored the Range header (HTTP 200 for bytes=\(from)-)")
                }
                let expected = response.headers.first(name: "content-length").flatMap { Int($0) }
                let want = Int(range.upperBound - from)
                var got = 0
                for try await chunk in response.body {
                    let take = min(chunk.readableBytes, want - got)
                    if take > 0 {
                        chunk.withUnsafeReadableBytes { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[0..<take])) }
                        got += take
                    }
                }
                if let n = expected, got < min(n, want) { throw S3TruncatedBody(expected: n, got: got) }
                if expected == nil && got < want {
                    // no length to hold the body to: the object is shorter than the range only if Content-Range says so
                    ended = true
                } else if let n = expected, n < want {
                    ended = true  // the object ends inside the range
                }
            }
        } catch {
            throw mapError(error, base)
        }
        return out
    }

    /// `r` signed for sending: host, SigV4 headers, encoded URL, body.
    private func signed(_ r: S3Request) -> HTTPClientRequest {
        let (host, path) = target(bucket: r.bucket, key: r.key)
        var headers = r.headers
        headers.append(("host", host))
        let payloadHash = r.body.withUnsafeBytes { SigV4.sha256Hex($0) }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        signer.sign(method: r.method.rawValue, path: path, query: r.query, headers: &headers,
                    payloadHash: payloadHash, epochSeconds: Int(now.tv_sec))
        var url = scheme + "://" + host + SigV4.uriEncode(path, keepSlash: true)
        if !r.query.isEmpty {
            url += "?" + r.query.map { SigV4.uriEncode($0.0, keepSlash: false) + "=" + SigV4.uriEncode($0.1, keepSlash: false) }
                .joined(separator: "&")
        }
        var req = HTTPClientRequest(url: url)
        req.method = r.method
        for (n, v) in headers { req.headers.add(name: n, value: v) }
        if !r.body.isEmpty || r.method == .PUT || r.method == .POST {
            // the bytes themselves, flattened into buffers of at most 4 MiB as they are sent (and again for a
            // retry): not a second whole copy of every part held beside it while it uploads
            req.body = .bytes(r.body)
        }
        return req
    }

    /// Which failures are worth another attempt.
    static func classify(_ error: any Error) -> FailureKind {
        switch error {
        case let f as S3HTTPFailure:
            if f.status == 429 || (f.status == 503 && f.code == "SlowDown") { return .notProcessed }
            if f.status == 408 || f.status >= 500 { return .transient }
            if f.code == "RequestTimeout" || f.code == "RequestTimeTooSkewed" || f.code == "InternalError" { return .transient }
            return .permanent
        case is S3TruncatedBody:
            return .transient
        case let e as HTTPClientError:
            if e == .connectTimeout { return .notProcessed }
            if e == .invalidURL || e == .emptyHost { return .permanent }
            return .transient
        case is ObjectStoreError:
            return .permanent
        case is CancellationError:
            return .permanent
        default:
            // NIO connection errors: refused (never sent) or reset/closed mid-exchange.
            let text = String(describing: error)
            if text.contains("connectionRefused") || text.contains("Connection refused") { return .notProcessed }
            return .transient
        }
    }

    /// The `ObjectStoreError` the user sees: one line naming the object.
    func mapError(_ error: any Error, _ r: S3Request) -> ObjectStoreError {
        let name = Self.name(r.bucket, r.key)
        switch error {
        case let e as ObjectStoreError:
            return e
        case let f as S3HTTPFailure:
            let detail = f.code + (f.message.isEmpty ? "" : ": " + f.message)
            switch (f.status, f.code) {
            case (404, "NoSuchBucket"): return .notFound("s3://\(r.bucket): no such bucket")
            case (404, _) where r.key != nil && r.method != .POST: return .notFound("\(name): no such object")
            case (412, _), (409, "ConditionalRequestConflict"), (409, "OperationAborted"):
                return .preconditionFailed("\(name): \(r.operation) precondition failed (\(detail))")
            case (403, _), (_, "InvalidAccessKeyId"), (_, "SignatureDoesNotMatch"), (_, "ExpiredToken"),
                 (_, "InvalidToken"), (_, "AccessDenied"):
                let source = configuration.sources["credentials"].map { " (credentials from \($0))" } ?? ""
                // A HEAD answer has no body to say why: name the usual causes.
                let why = r.method == .HEAD && f.message.isEmpty ? " (access denied, or a wrong secret key or session token)" : ""
                return .accessDenied("\(name): \(r.operation) refused: HTTP \(f.status) \(detail)\(why)\(source)")
            default:
                return .requestFailed("\(name): \(r.operation) failed: HTTP \(f.status) \(detail)")
            }
        case let t as S3TruncatedBody:
            return .requestFailed("\(name): \(r.operation): response ended after \(t.got) of \(t.expected) bytes")
        default:
            return .requestFailed("\(name): \(r.operation) failed: \(error)")
        }
    }
}
