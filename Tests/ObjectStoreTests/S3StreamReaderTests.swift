import Foundation
import Testing
@testable import ObjectStore

/// ObjectStreamReader (a convert input streamed from a bucket) through the fault proxy. An extension of
/// S3FaultTests: the proxy is shared, so these run one at a time with the other fault tests.
extension S3FaultTests {
    /// A GET cut in the middle of its body is resumed at the byte it reached, not fetched again from the block's
    /// start: counted at the proxy, the upstream bytes are the object plus the half of one block that arrived
    /// before the cut (a restart would add a whole block).
    @Test func streamReaderResumesACutBodyAtTheByteReached() async throws {
        try await Proxy.reset()
        let store = try await TestServers.bucket(viaProxy: true)
        let size = 1 << 20, block = 256 << 10
        let data = testBytes(size, seed: 21)
        let put = try await store.put("in/obj", bytes: data, condition: .none)
        try await Proxy.reset()
        try await Proxy.queue(["drop"])
        let got = try await onThread { () throws -> [UInt8] in
            let r = ObjectStreamReader(store: store, key: "in/obj", size: Int64(size), etag: put.etag, blockSize: block,
                                       readAhead: 0)
            return try readAll(r)
        }
        #expect(got == data)
        let stats = try await Proxy.stats()
        #expect((stats["faults"] as? [String: Int])?["drop"] == 1)
        #expect(stats["get_bytes"] as? Int == size + block / 2)
        #expect(Proxy.count(stats, operation: "GetObject") == size / block + 1)
    }

    /// With every fault class at 10% of requests and blocks read ahead, the bytes are the object's; a read from an
    /// offset (a resumed input) starts there.
    @Test func streamReaderUnderFaultsAndFromAnOffset() async throws {
        try await Proxy.reset()
        let store = try await TestServers.bucket(viaProxy: true)
        let size = 3 << 20
        let data = testBytes(size, seed: 22)
        let put = try await store.put("in/obj", bytes: data, condition: .none)
        try await Proxy.random(rate: 0.1, faults: ["503", "500", "500after", "drop", "delay"], seed: 3, delay: 2)
        let (all, tail) = try await onThread { () throws -> ([UInt8], [UInt8]) in
            let r = ObjectStreamReader(store: store, key: "in/obj", size: Int64(size), etag: put.etag,
                                       blockSize: 64 << 10, readAhead: 2)
            let all = try readAll(r)
            let t = ObjectStreamReader(store: store, key: "in/obj", size: Int64(size), etag: put.etag, from: 1_000_003,
                                       blockSize: 64 << 10)
            return (all, try readAll(t))
        }
        let stats = try await Proxy.stats()
        try await Proxy.reset()
        #expect(all == data)
        #expect(tail == Array(data[1_000_003...]))
        let faults = (stats["faults"] as? [String: Int] ?? [:]).values.reduce(0, +)
        #expect(faults > 0)
    }

    /// An object replaced while it is being read is an error naming it, never a mix of two versions.
    @Test func streamReaderRefusesAReplacedObject() async throws {
        try await Proxy.reset()
        let store = try await TestServers.bucket(viaProxy: true)
        let data = testBytes(1 << 20, seed: 23)
        let put = try await store.put("in/obj", bytes: data, condition: .none)
        let r = ObjectStreamReader(store: store, key: "in/obj", size: Int64(data.count), etag: put.etag,
                                   blockSize: 128 << 10, readAhead: 0)
        let first = try await onThread { () throws -> Int in
            var buf = [UInt8](repeating: 0, count: 128 << 10)
            return try buf.withUnsafeMutableBytes { try r.read(into: $0) }
        }
        #expect(first == 128 << 10)
        try await store.put("in/obj", bytes: testBytes(1 << 20, seed: 24), condition: .none)
        await #expect {
            _ = try await onThread { try readAll(r) }
        } throws: { e in
            guard case .preconditionFailed(let m)? = e as? ObjectStoreError else { return false }
            return m.contains("in/obj") && m.contains("changed while being read") && !m.contains("\n")
        }
    }
}

/// Everything `r` returns until the end of the object.
private func readAll(_ r: ObjectStreamReader) throws -> [UInt8] {
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 100_000)
    while true {
        let n = try buf.withUnsafeMutableBytes { try r.read(into: $0) }
        if n == 0 { return out }
        out += buf[0..<n]
    }
}
