import AsyncHTTPClient
import Foundation
@testable import ObjectStore

/// The servers that `Tests/Support/servers.py` started for this run (make test-objectstore), read from the
/// environment; nil when the tests run without them.
enum TestServers {
    static let env = ProcessInfo.processInfo.environment
    static let s3Endpoint = env["FLOE_TEST_S3_ENDPOINT"]
    static let proxy = env["FLOE_TEST_S3_PROXY"]
    static var available: Bool { s3Endpoint != nil && env["FLOE_TEST_AWS_ACCESS_KEY_ID"] != nil }

    static func credentials(secret: String? = nil) -> AWSCredentials {
        AWSCredentials(accessKeyId: env["FLOE_TEST_AWS_ACCESS_KEY_ID"]!,
                       secretAccessKey: secret ?? env["FLOE_TEST_AWS_SECRET_ACCESS_KEY"]!)
    }

    /// A client of the S3 server, directly or through the fault proxy, with short timeouts and quick retries.
    static func client(viaProxy: Bool = false, secret: String? = nil, retry: RetryPolicy? = nil) -> S3Client {
        let endpoint = viaProxy ? proxy! : s3Endpoint!
        return S3Client(configuration: S3Configuration(
            credentials: credentials(secret: secret), region: env["FLOE_TEST_AWS_REGION"] ?? "us-east-1",
            endpoint: endpoint,
            retry: retry ?? RetryPolicy(maxAttempts: 8, baseDelay: 0.01, maxDelay: 0.2, totalTimeout: 30, requestTimeout: 1.5),
            sources: ["credentials": "the test's access key"]))
    }

    /// A new bucket with a unique name.
    static func bucket(viaProxy: Bool = false, retry: RetryPolicy? = nil) async throws -> S3Store {
        let name = "floe-" + UUID().uuidString.lowercased().prefix(18)
        let store = S3Store(bucket: String(name), client: client(viaProxy: viaProxy, retry: retry))
        try await S3Store(bucket: String(name), client: client()).createBucket()
        return store
    }
}

/// Talks to the fault proxy's control API.
enum Proxy {
    static func call(_ path: String, _ json: String = "{}") async throws -> [String: Any] {
        var req = HTTPClientRequest(url: TestServers.proxy! + path)
        req.method = .POST
        req.body = .bytes(Array(json.utf8))
        let resp = try await HTTPClient.shared.execute(req, timeout: .seconds(10))
        let body = try await resp.body.collect(upTo: 1 << 20)
        return (try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]) ?? [:]
    }

    static func reset() async throws { _ = try await call("/__proxy/reset") }
    /// The next requests get these faults, in order.
    static func queue(_ faults: [String]) async throws {
        _ = try await call("/__proxy/queue", "{\"faults\":[\"" + faults.joined(separator: "\",\"") + "\"]}")
    }
    static func random(rate: Double, faults: [String], seed: Int = 1, delay: Double = 3) async throws {
        _ = try await call("/__proxy/config",
                           "{\"rate\":\(rate),\"seed\":\(seed),\"delay\":\(delay),\"faults\":[\"" + faults.joined(separator: "\",\"") + "\"]}")
    }
    static func stats() async throws -> [String: Any] { try await call("/__proxy/stats") }
    static func count(_ stats: [String: Any], operation: String) -> Int {
        ((stats["by_operation"] as? [String: Any])?[operation] as? Int) ?? 0
    }
}

/// Deterministic pseudo-random bytes.
func testBytes(_ n: Int, seed: UInt64) -> [UInt8] {
    var x = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    return (0..<n).map { _ in
        x ^= x << 13; x ^= x >> 7; x ^= x << 17
        return UInt8(truncatingIfNeeded: x)
    }
}

func temporaryFolder() -> String {
    let dir = NSTemporaryDirectory() + "floe-store-" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// Runs blocking work (ObjectRangeReader, Blocking.run) on a new thread, outside Swift's cooperative pool, whose
/// few threads it would otherwise hold while waiting for tasks that need them.
func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, any Error>) in
        let t = Thread { c.resume(with: Result { try work() }) }
        t.stackSize = 8 << 20
        t.start()
    }
}
