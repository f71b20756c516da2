import Foundation
import Testing
@testable import ObjectStore

/// The same behaviour from every backend (the `ObjectStore` protocol's contract): the local folder always, S3 when
/// the test servers run (moto, signatures enforced).
enum Backend: String, CaseIterable, CustomTestStringConvertible {
    case local, s3
    var testDescription: String { rawValue }

    func make() async throws -> (any ObjectStore)? {
        switch self {
        case .local: return try LocalStore(root: temporaryFolder())
        case .s3: return TestServers.available ? try await TestServers.bucket() : nil
        }
    }
}

@Suite struct ConformanceTests {
    @Test(arguments: Backend.allCases)
    func putGetHeadDelete(_ b: Backend) async throws {
        guard let store = try await b.make() else { return }
        let data = testBytes(100_000, seed: 1)
        let put = try await store.put("dir/a b/ሴ.bin", bytes: data, condition: .none)
        #expect(try await store.get("dir/a b/ሴ.bin") == data)
        #expect(try await store.get("dir/a b/ሴ.bin", range: 10..<20) == Array(data[10..<20]))
        #expect(try await store.get("dir/a b/ሴ.bin", range: 99_990..<200_000) == Array(data[99_990...]))  // clamped
        let meta = try await store.head("dir/a b/ሴ.bin")
        #expect(meta.size == 100_000 && meta.etag == put.etag && !meta.etag.isEmpty)
        try await store.delete("dir/a b/ሴ.bin")
        await #expect(throws: ObjectStoreError.self) { try await store.head("dir/a b/ሴ.bin") }
        await #expect { try await store.get("dir/a b/ሴ.bin") } throws: {
            if case .notFound = $0 as? ObjectStoreError { return true } else { return false }
        }
        try await store.delete("dir/a b/ሴ.bin")  // deleting a missing key succeeds, as on S3
        let empty = try await store.put("empty", bytes: [], condition: .none)
        #expect(try await store.get("empty") == [] && !empty.etag.isEmpty)
    }

    /// Conditional writes: create-only fails when the key exists; if-match fails when the ETag moved on; a failed
    /// conditional write changes nothing.
    @Test(arguments: Backend.allCases)
    func conditionalWrites(_ b: Backend) async throws {
        guard let store = try await b.make() else { return }
        let first = try await store.put("catalog.json", bytes: Array("v1".utf8), condition: .createOnly)
        await #expect { try await store.put("catalog.json", bytes: Array("v1b".utf8), condition: .createOnly) } throws: {
            if case .preconditionFailed = $0 as? ObjectStoreError { return true } else { return false }
        }
        let second = try await store.put("catalog.json", bytes: Array("v2".utf8), condition: .ifMatch(first.etag))
        #expect(second.etag != first.etag)
        await #expect { try await store.put("catalog.json", bytes: Array("v3".utf8), condition: .ifMatch(first.etag)) } throws: {
            if case .preconditionFailed = $0 as? ObjectStoreError { return true } else { return false }
        }
        #expect(try await store.get("catalog.json") == Array("v2".utf8))
        await #expect(throws: ObjectStoreError.self) {
            try await store.put("missing.json", bytes: [1], condition: .ifMatch(first.etag))
        }
        // copy honours conditions too
        try await store.copy(from: "catalog.json", to: "copy.json", condition: .createOnly)
        #expect(try await store.get("copy.json") == Array("v2".utf8))
        await #expect(throws: ObjectStoreError.self) {
            try await store.copy(from: "catalog.json", to: "copy.json", condition: .createOnly)
        }
    }

    /// Listing: key order, prefixes, delimiters, pagination (S3 ListObjectsV2 semantics).
    @Test(arguments: Backend.allCases)
    func listing(_ b: Backend) async throws {
        guard let store = try await b.make() else { return }
        let keys = (0..<23).map { "t/2024/01/\(String(format: "%02d", $0 % 3))/f\(String(format: "%02d", $0)).parquet" }
            + ["t/a.json", "t-other/x", "u/y"]
        for k in keys.shuffled() { try await store.put(k, bytes: Array(k.utf8), condition: .none) }
        let all = try await store.list(prefix: "t/")
        #expect(all.map(\.key) == keys.filter { $0.hasPrefix("t/") }.sorted())
        #expect(all.allSatisfy { $0.size == Int64($0.key.utf8.count) })
        // pagination by 5
        var seen: [String] = []
        var token: String? = nil
        var pages = 0
        repeat {
            let p = try await store.listPage(prefix: "t/", delimiter: nil, continuation: token, maxKeys: 5)
            #expect(p.objects.count <= 5)
            seen += p.objects.map(\.key)
            token = p.continuation
            pages += 1
        } while token != nil && pages < 100
        #expect(seen == all.map(\.key) && pages == 5)
        // delimiter roll-up, paged by 1
        var entries: [String] = []
        token = nil
        pages = 0
        repeat {
            let p = try await store.listPage(prefix: "t/2024/01/", delimiter: "/", continuation: token, maxKeys: 1)
            entries += p.commonPrefixes + p.objects.map(\.key)
            token = p.continuation
            pages += 1
        } while token != nil && pages < 100
        #expect(entries == ["t/2024/01/00/", "t/2024/01/01/", "t/2024/01/02/"])
        let top = try await store.listPage(prefix: "", delimiter: "/", continuation: nil, maxKeys: 1000)
        #expect(top.commonPrefixes == ["t-other/", "t/", "u/"] && top.objects.isEmpty)
    }

    /// A streaming write: nothing is visible before finish, everything after; abort leaves nothing.
    @Test(arguments: Backend.allCases)
    func streamingWriter(_ b: Backend) async throws {
        guard let store = try await b.make() else { return }
        let data = testBytes(11 << 20 + 12345, seed: 2)  // three 5 MiB parts, the last one short
        let w = try await store.writer("big.bin", condition: .createOnly, options: ObjectWriterOptions(partSize: 5 << 20, partsInFlight: 2))
        var off = 0
        var step = 1
        while off < data.count {
            let n = min(step, data.count - off)
            try await w.write(Array(data[off..<(off + n)]))
            off += n
            step = step * 3 + 1
            if off > 6 << 20 { #expect(try await store.list(prefix: "big").isEmpty) }
        }
        let r = try await w.finish()
        #expect(try await store.head("big.bin").etag == r.etag)
        #expect(try await store.get("big.bin") == data)

        let a = try await store.writer("aborted.bin", condition: .none, options: ObjectWriterOptions(partSize: 5 << 20, partsInFlight: 2))
        try await a.write(Array(data[0..<(6 << 20)]))
        await a.abort()
        #expect(try await store.list(prefix: "aborted").isEmpty)
        if let s3 = store as? S3Store { #expect(try await s3.incompleteUploads(prefix: "").isEmpty) }

        // create-only on an existing key fails at finish and leaves the old object
        let c = try await store.writer("big.bin", condition: .createOnly, options: ObjectWriterOptions(partSize: 5 << 20, partsInFlight: 2))
        try await c.write(Array(data[0..<(6 << 20)]))
        await #expect(throws: ObjectStoreError.self) { try await c.finish() }
        #expect(try await store.head("big.bin").etag == r.etag)
        if let s3 = store as? S3Store { #expect(try await s3.incompleteUploads(prefix: "").isEmpty) }

        // a small object through the writer is one PUT
        let s = try await store.writer("small.bin", condition: .none, options: ObjectWriterOptions())
        try await s.write([1, 2, 3])
        try await s.finish()
        #expect(try await store.get("small.bin") == [1, 2, 3])
    }

    /// The range reader behind Parquet's byte source: footer-sized tail in one GET, coalesced prefetch.
    @Test(arguments: Backend.allCases)
    func rangeReader(_ b: Backend) async throws {
        guard let store = try await b.make() else { return }
        let data = testBytes(3 << 20, seed: 3)
        try await store.put("f.parquet", bytes: data, condition: .none)
        let meta = try await store.head("f.parquet")
        // The reader blocks its thread while requests run: use a thread of its own, not the test's task pool.
        let results: (Int, Int, Bool) = try await onThread {
            let r = ObjectRangeReader(store: store, key: "f.parquet", size: Int(meta.size), etag: meta.etag)
            let last8 = try r.withBytes((data.count - 8)..<data.count) { Array($0) }
            let footer = try r.withBytes((data.count - 40_000)..<(data.count - 8)) { Array($0) }
            let afterTail = r.requests
            try r.prefetch([1000..<2000, 2100..<5000, 2_000_000..<2_000_100])
            let a = try r.withBytes(1500..<4000) { Array($0) }
            let c = try r.withBytes(2_000_010..<2_000_020) { Array($0) }
            let ok = last8 == Array(data[(data.count - 8)...]) && footer == Array(data[(data.count - 40_000)..<(data.count - 8)])
                && a == Array(data[1500..<4000]) && c == Array(data[2_000_010..<2_000_020])
            return (afterTail, r.requests, ok)
        }
        #expect(results.0 == 1)  // tail and footer: one GET
        #expect(results.1 == 3)  // two coalesced groups
        #expect(results.2)
    }

    /// Keys that cannot name a file are refused by the local backend instead of escaping its folder.
    @Test func localRejectsEscapingKeys() async throws {
        let store = try LocalStore(root: temporaryFolder())
        for bad in ["../x", "a/../../x", "/abs", "a//b", "a/./b", ""] {
            await #expect(throws: ObjectStoreError.self) { try await store.put(bad, bytes: [1], condition: .none) }
        }
    }

    /// Local if-match under contention: 8 writers each add their id by read-modify-write 5 times; no update is lost.
    @Test func localReadModifyWriteLosesNothing() async throws {
        let store = try LocalStore(root: temporaryFolder())
        try await store.put("c", bytes: [], condition: .createOnly)
        try await withThrowingTaskGroup(of: Void.self) { g in
            for id in 0..<8 {
                g.addTask {
                    for _ in 0..<5 {
                        while true {
                            let meta = try await store.head("c")
                            let cur = try await store.get("c")
                            do {
                                try await store.put("c", bytes: cur + [UInt8(id)], condition: .ifMatch(meta.etag))
                                break
                            } catch ObjectStoreError.preconditionFailed { continue }
                        }
                    }
                }
            }
            try await g.waitForAll()
        }
        let final = try await store.get("c")
        #expect(final.count == 40)
        #expect((0..<8).allSatisfy { id in final.filter { $0 == id }.count == 5 })
    }
}

/// Two-phase writes (what convert's checkpoint logs between): a staged object is invisible until published,
/// publishing it again (a rerun rolling its log forward) succeeds, a discarded one never appears, and a staged
/// object is listed as left over until published or discarded.
@Suite struct StagedWriteTests {
    @Test(arguments: Backend.allCases)
    func stageThenPublish(_ b: Backend) async throws {
        guard let store = try await b.make() else { return }
        let data = testBytes(6 << 20, seed: 9)  // more than one 5 MiB part
        let w = try await store.writer("t/2024/a.parquet", condition: .none,
                                       options: ObjectWriterOptions(partSize: 5 << 20, partsInFlight: 2))
        try await w.write(data)
        let staged = try await w.stage()
        #expect(staged.size == Int64(data.count))
        #expect(try await store.list(prefix: "t/").isEmpty)
        #expect(try await store.stagedObjects(prefix: "t/").contains { $0.token == staged.token })
        // published from its key and token alone (as a later process does from a checkpoint)
        let later = StagedObject(key: staged.key, token: staged.token)
        let put = try await store.publish(b == .s3 ? later : staged)
        #expect(try await store.get("t/2024/a.parquet") == data)
        #expect(try await store.head("t/2024/a.parquet").etag == put.etag)
        _ = try await store.publish(later)  // again: already published, succeeds
        #expect(try await store.get("t/2024/a.parquet") == data)
        #expect(try await store.stagedObjects(prefix: "t/").isEmpty)

        // a small object (one short part) staged, then discarded: never visible, nothing left
        let w2 = try await store.writer("t/2024/err", condition: .none, options: ObjectWriterOptions())
        try await w2.write(Array("{}\n".utf8))
        let s2 = try await w2.stage()
        #expect(try await store.list(prefix: "t/2024/e").isEmpty)
        try await store.discard(s2)
        #expect(try await store.stagedObjects(prefix: "t/").isEmpty)
        await #expect(throws: ObjectStoreError.self) { try await store.publish(s2) }
        #expect(try await store.list(prefix: "t/2024/e").isEmpty)
    }
}
