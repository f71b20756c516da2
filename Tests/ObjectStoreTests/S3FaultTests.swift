import Foundation
import Testing
@testable import ObjectStore

/// S3 against moto with signatures enforced, and through the fault-injecting proxy (Tests/Support/fault_proxy.py).
/// The proxy is shared by these tests, so they run one at a time.
@Suite(.serialized, .enabled(if: TestServers.available && TestServers.proxy != nil, "needs make test-objectstore's servers"))
struct S3FaultTests {
    /// Signatures are checked by the server: the right key is accepted (every other test), a wrong secret is
    /// refused, and the error is one line naming the object, the refusal and where the credentials came from.
    @Test func wrongSecretIsRefusedInOneLine() async throws {
        let good = try await TestServers.bucket()
        try await good.put("k", bytes: [1, 2, 3], condition: .none)
        let bad = S3Store(bucket: good.bucket, client: TestServers.client(secret: "not-the-secret"))
        await #expect {
            _ = try await bad.get("k")
        } throws: { e in
            guard let err = e as? ObjectStoreError, case .accessDenied(let m) = err else { return false }
            return err.isConfiguration && !m.contains("\n") && m.contains("s3://\(good.bucket)/k")
                && m.contains("SignatureDoesNotMatch") && m.contains("the test's access key")
        }
        // a session token the server does not know is refused too
        var cfg = TestServers.client().configuration
        cfg.credentials.sessionToken = "bogus-token"
        await #expect(throws: ObjectStoreError.self) {
            _ = try await S3Store(bucket: good.bucket, client: S3Client(configuration: cfg)).get("k")
        }
    }

    /// Each fault class once, on each kind of request: the operation still gives the right result, and the proxy saw
    /// the retry.
    @Test(arguments: ["503", "500", "500after", "drop", "delay"])
    func faultOnEveryOperation(_ fault: String) async throws {
        try await Proxy.reset()
        let store = try await TestServers.bucket(viaProxy: true)
        let data = testBytes(300_000, seed: 9)
        try await Proxy.queue([fault])
        let put = try await store.put("x/obj", bytes: data, condition: .none)
        try await Proxy.queue([fault])
        #expect(try await store.get("x/obj") == data)
        try await Proxy.queue([fault])
        #expect(try await store.get("x/obj", range: 1000..<250_000) == Array(data[1000..<250_000]))
        try await Proxy.queue([fault])
        #expect(try await store.head("x/obj").etag == put.etag)
        try await Proxy.queue([fault])
        #expect(try await store.list(prefix: "x/").map(\.key) == ["x/obj"])
        try await Proxy.queue([fault])
        try await store.copy(from: "x/obj", to: "x/copy", condition: .none)
        try await Proxy.queue([fault])
        try await store.delete("x/copy")
        #expect(try await store.list(prefix: "x/").map(\.key) == ["x/obj"])
        let stats = try await Proxy.stats()
        #expect(((stats["faults"] as? [String: Int])?[fault] ?? 0) == 7)
        #expect((stats["requests"] as? Int ?? 0) >= 14)  // every faulted request was sent again
    }

    /// A conditional PUT whose first attempt landed but whose answer was lost (500 after forwarding): the retry
    /// meets its own object and must not report a conflict.
    @Test func ambiguousConditionalPutIsResolved() async throws {
        try await Proxy.reset()
        let store = try await TestServers.bucket(viaProxy: true)
        try await Proxy.queue(["500after"])
        let r = try await store.put("only-once", bytes: Array("mine".utf8), condition: .createOnly)
        #expect(try await store.head("only-once").etag == r.etag)
        // but a genuine conflict is still a conflict
        await #expect(throws: ObjectStoreError.self) {
            try await store.put("only-once", bytes: Array("other".utf8), condition: .createOnly)
        }
    }

    /// A multipart upload with a fault on every kind of its requests (create, each part, complete with a 200 error
    /// document) completes with the right bytes and leaves no upload behind.
    @Test(arguments: [["503"], ["drop", "500"], ["500after"], ["error200"]])
    func multipartWithFaults(_ faults: [String]) async throws {
        try await Proxy.reset()
        let store = try await TestServers.bucket(viaProxy: true)
        let data = testBytes(10 << 20 + 7, seed: 4)
        // Faults for: CreateMultipartUpload (not retried on ambiguous faults, so only where it is safe), then the parts
        // and CompleteMultipartUpload, by injecting at random at a high rate.
        try await Proxy.random(rate: 0.5, faults: faults, seed: faults.count)
        let w = try await store.writer("mp", condition: .createOnly, options: ObjectWriterOptions(partSize: 5 << 20, partsInFlight: 2))
        do {
            try await w.write(data)
            try await w.finish()
        } catch {
            // CreateMultipartUpload after a possibly-landed attempt is not retried: the run may fail, but then cleanly.
            try await Proxy.random(rate: 0, faults: [])
            #expect(try await store.list(prefix: "mp").isEmpty)
            throw error
        }
        try await Proxy.random(rate: 0, faults: [])
        #expect(try await store.get("mp") == data)
        #expect(try await store.incompleteUploads(prefix: "").isEmpty)
    }

    /// 200 OK carrying an InternalError document: CompleteMultipartUpload, CopyObject and DeleteObjects retry.
    @Test func errorDocumentIn200() async throws {
        try await Proxy.reset()
        let store = try await TestServers.bucket(viaProxy: true)
        let s3 = store as S3Store
        try await store.put("a", bytes: [1], condition: .none)
        try await store.put("b", bytes: [2], condition: .none)
        try await Proxy.queue(["error200"])
        try await store.copy(from: "a", to: "c", condition: .none)
        #expect(try await store.get("c") == [1])
        try await Proxy.queue(["error200"])
        try await s3.delete(keys: ["a", "b", "missing"])
        #expect(try await store.list(prefix: "").map(\.key) == ["c"])
        let stats = try await Proxy.stats()
        #expect(Proxy.count(stats, operation: "CopyObject") == 2 && Proxy.count(stats, operation: "DeleteObjects") == 2)
    }

    /// Retries are bounded in count and in total time, and the final error is one line.
    @Test func retriesAreBounded() async throws {
        try await Proxy.reset()
        let store = try await TestServers.bucket(viaProxy: true,
                                                 retry: RetryPolicy(maxAttempts: 4, baseDelay: 0.01, maxDelay: 0.05, totalTimeout: 10, requestTimeout: 1))
        try await Proxy.random(rate: 1.0, faults: ["500"])
        let start = Date()
        await #expect {
            _ = try await store.get("nothing")
        } throws: { e in
            guard let err = e as? ObjectStoreError, case .requestFailed(let m) = err else { return false }
            return m.contains("HTTP 500") && !m.contains("\n")
        }
        #expect(Date().timeIntervalSince(start) < 5)
        let stats = try await Proxy.stats()
        #expect(stats["requests"] as? Int == 4)
        // total-time bound: delays of 3 s against a 1 s timeout and a 2.5 s budget stop after at most 3 attempts
        try await Proxy.reset()
        let slow = S3Store(bucket: store.bucket, client: TestServers.client(viaProxy: true,
            retry: RetryPolicy(maxAttempts: 50, baseDelay: 0.01, maxDelay: 0.05, totalTimeout: 2.5, requestTimeout: 1)))
        try await Proxy.random(rate: 1.0, faults: ["delay"], delay: 3)
        let t0 = Date()
        await #expect(throws: ObjectStoreError.self) { _ = try await slow.head("nothing") }
        #expect(Date().timeIntervalSince(t0) < 4.5)
        try await Proxy.random(rate: 0, faults: [])
    }

    /// CreateMultipartUpload is not idempotent (each attempt starts an upload): after an ambiguous failure its retry
    /// succeeds, and the orphan the lost attempt created is aborted, so nothing is left behind.
    @Test func retriedCreateLeavesNoOrphan() async throws {
        try await Proxy.reset()
        let store = try await TestServers.bucket(viaProxy: true)
        let data = testBytes(6 << 20, seed: 5)
        for fault in ["503", "500after", "drop"] {
            try await Proxy.queue([fault])
            let w = try await store.writer("obj-\(fault)", condition: .none, options: ObjectWriterOptions(partSize: 5 << 20, partsInFlight: 1))
            try await w.write(data)
            try await w.finish()
            #expect(try await store.get("obj-\(fault)") == data)
            #expect(try await store.incompleteUploads(prefix: "").isEmpty)
        }
        let stats = try await Proxy.stats()
        #expect(Proxy.count(stats, operation: "CreateMultipartUpload") == 6)
    }
}
