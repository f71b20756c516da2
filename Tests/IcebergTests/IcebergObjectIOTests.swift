import Foundation
import Testing
import ObjectStore
import Parquet
@testable import Iceberg

/// The object-store half of Iceberg's IO layer (ObjectFileIO.swift). The location rules and the local listing run
/// everywhere; the S3 cases run against the server `Tests/Support/servers.py --s3` starts (make test-objectstore
/// selects this suite), and are skipped without it.
@Suite("Iceberg IO on object stores")
struct IcebergObjectIOTests {
    static let env = ProcessInfo.processInfo.environment
    static var serverAvailable: Bool { env["FLOE_TEST_S3_ENDPOINT"] != nil && env["FLOE_TEST_AWS_ACCESS_KEY_ID"] != nil }

    @Test func locations() throws {
        for l in ["s3://b/k", "s3a://b/k", "s3n://b/k/x.parquet"] { #expect(ObjectFileIO.isObject(l), "\(l)") }
        for l in ["/tmp/x", "file:///tmp/x", "gs://b/k", "relative/s3://x"] { #expect(!ObjectFileIO.isObject(l), "\(l)") }
        let (b, k) = try ObjectFileIO.split("s3://bucket/wh/t/metadata/v1.metadata.json")
        #expect(b == "bucket" && k == "wh/t/metadata/v1.metadata.json")
        #expect(throws: IcebergError.self) { try ObjectFileIO.split("s3://bucket") }
        #expect(throws: IcebergError.self) { try ObjectFileIO.split("s3:///key") }
        #expect(try LocalFileIO.canonical("file:///w/t/data/a.parquet") == "/w/t/data/a.parquet")
        #expect(try LocalFileIO.canonical("s3a://b/w/t/data/a.parquet") == "s3a://b/w/t/data/a.parquet")
        // errors of the store map onto the commit loop's cases
        #expect(ObjectFileIO.map(ObjectStoreError.preconditionFailed("412"), "s3://b/k") == .alreadyExists("s3://b/k exists already"))
        #expect(ObjectFileIO.map(ObjectStoreError.notFound("404"), "s3://b/k") == .notFound("s3://b/k: no such object"))
        guard case .invalidArgument = ObjectFileIO.map(ObjectStoreError.accessDenied("403"), "s3://b/k") else {
            Issue.record("access denied is a usage error")
            return
        }
    }

    /// A local folder lists recursively in name order with sizes; a local data file is staged at its own path
    /// (its folder made), an object's in a temporary file.
    @Test func localListingAndStaging() throws {
        let dir = NSTemporaryDirectory() + "floe-objio-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try LocalFileIO.write(Array("abc".utf8), to: dir + "/metadata/b.json")
        try LocalFileIO.write(Array("de".utf8), to: dir + "/metadata/a.json")
        try LocalFileIO.write(Array("f".utf8), to: dir + "/metadata/sub/c.avro")
        let files = try LocalFileIO.listFiles(under: dir + "/metadata/")
        #expect(files.map(\.location) == [dir + "/metadata/a.json", dir + "/metadata/b.json", dir + "/metadata/sub/c.avro"])
        #expect(files.map(\.size) == [2, 3, 1])
        #expect(files.allSatisfy { abs($0.modifiedMs - Int64(Date().timeIntervalSince1970 * 1000)) < 600_000 })
        #expect(try LocalFileIO.listFiles(under: dir + "/data").isEmpty)
        let staged = try LocalFileIO.stagingPath(for: dir + "/data/x=1/f.parquet")
        #expect(staged == dir + "/data/x=1/f.parquet")
        #expect(FileManager.default.fileExists(atPath: dir + "/data/x=1"))
        try LocalFileIO.publishStaged(staged, as: dir + "/data/x=1/f.parquet")  // nothing to do locally
        let remote = try LocalFileIO.stagingPath(for: "s3://bucket/t/data/f.parquet")
        #expect(remote.hasPrefix("/") && remote.hasSuffix(".parquet") && !remote.contains("bucket"))
    }

    /// What the S3 case observed (gathered on a thread of its own, asserted on the test's).
    struct Observed: Sendable {
        var secondWrite: IcebergError?
        var readBack: [UInt8] = []
        var existsFlags = (false, true)
        var missingReadFails = false
        var location = "", metadataLocation = ""
        var failures = 0
        var totalRecords: String?
        var chain = 0
        var ids: Set<Int64> = []
        var dataFiles: [DataFile] = []
        var sizesMatch = false
        var listed: [(location: String, size: Int64, modifiedMs: Int64)] = []
    }

    /// Against the S3 server: metadata written create-only never replaces another writer's file; a table whose
    /// location is in the bucket takes data files (multipart uploads), appends from two writers at once through one
    /// catalog (every commit lands, one parent chain), and reads back through ranged GETs.
    @Test(.enabled(if: serverAvailable)) func tableInABucket() async throws {
        let bucket = "floe-iceberg-io-" + UUID().uuidString.lowercased().prefix(12)
        let client = S3Client(configuration: S3Configuration(
            credentials: AWSCredentials(accessKeyId: Self.env["FLOE_TEST_AWS_ACCESS_KEY_ID"]!,
                                        secretAccessKey: Self.env["FLOE_TEST_AWS_SECRET_ACCESS_KEY"]!),
            region: Self.env["FLOE_TEST_AWS_REGION"] ?? "us-east-1", endpoint: Self.env["FLOE_TEST_S3_ENDPOINT"]!,
            sources: ["credentials": "the test's access key"]))
        try await S3Store(bucket: String(bucket), client: client).createBucket()
        ObjectFileIO.storeProvider = { S3Store(bucket: $0, client: client) }
        let root = "s3://\(bucket)/wh"
        let meta = root + "/t0/metadata/00000-x.metadata.json"
        // the IO layer blocks its caller while the store's tasks run: a thread of its own, not the test's task
        let o: Observed = try await withCheckedThrowingContinuation { done in
            Thread {
                done.resume(with: Result { try Self.exercise(root: root, meta: meta) })
            }.start()
        }
        #expect(o.secondWrite == .alreadyExists("\(meta) exists already"))
        #expect(o.readBack == Array("first".utf8))
        #expect(o.existsFlags == (true, false))
        #expect(o.missingReadFails)
        #expect(o.location == root + "/db/events" && o.metadataLocation.hasPrefix(root + "/db/events/metadata/"))
        #expect(o.failures == 0)
        #expect(o.totalRecords == "80")
        #expect(o.chain == 8)
        let want: Set<Int64> = Set((0..<40).map { Int64($0) } + (0..<40).map { Int64(1000 + $0) })
        #expect(o.ids == want)
        #expect(!o.dataFiles.isEmpty && o.dataFiles.allSatisfy { $0.filePath.hasPrefix(root + "/db/events/data/") })
        #expect(o.sizesMatch)
        #expect(Set(o.dataFiles.map(\.filePath)).isSubset(of: Set(o.listed.map(\.location))))
        #expect(!o.listed.isEmpty && o.listed.allSatisfy { $0.modifiedMs > 0 })
    }

    static func exercise(root: String, meta: String) throws -> Observed {
        var o = Observed()
        // create-only: the second writer of a name fails and the first one's bytes stay
        try LocalFileIO.write(Array("first".utf8), to: meta, createOnly: true)
        do { try LocalFileIO.write(Array("second".utf8), to: meta, createOnly: true) } catch { o.secondWrite = error }
        o.readBack = try LocalFileIO.read(meta)
        o.existsFlags = (LocalFileIO.exists(meta), LocalFileIO.exists(meta + ".nope"))
        o.missingReadFails = (try? LocalFileIO.read(meta + ".nope")) == nil

        let dir = NSTemporaryDirectory() + "floe-objio-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let catalog = try SQLCatalog(path: dir + "/catalog.db", warehouse: root)
        try catalog.createNamespace(["db"])
        let t = try catalog.createTable(["db"], "events", schema: Fixture.schema, spec: Fixture.spec)
        (o.location, o.metadataLocation) = (t.metadata.location, t.metadataLocation)
        let writer = DataFileWriter(schema: Fixture.schema, spec: Fixture.spec, location: t.metadata.location)
        // two writers (their own catalog connections) append 4 times each at once
        let second = try SQLCatalog(path: dir + "/catalog.db", warehouse: root)
        let failures = UnsafeMutableBufferPointer<Int>.allocate(capacity: 2)
        failures.initialize(repeating: 0)
        defer { failures.deallocate() }
        nonisolated(unsafe) let slots = failures
        nonisolated(unsafe) let catalogs = [catalog, second]
        nonisolated(unsafe) let dataWriter = writer
        DispatchQueue.concurrentPerform(iterations: 2) { w in
            for k in 0..<4 {
                do {
                    let files = try dataWriter.write(rows: (0..<10).map { Fixture.row($0, base: w * 1000 + k * 10) })
                    try catalogs[w].append(["db"], "events", files: files)
                } catch {
                    slots[w] += 1
                }
            }
        }
        o.failures = failures[0] + failures[1]
        let loaded = try catalog.loadTable(["db"], "events")
        o.totalRecords = loaded.metadata.currentSnapshot?.summaryValue("total-records")
        o.chain = loaded.metadata.ancestry(of: loaded.metadata.currentSnapshotId).count
        o.ids = Set(try loaded.scan().compactMap { r -> Int64? in
            guard case .object(let fs) = r, case .int(let v)? = fs.first(where: { $0.name == "id" })?.value else { return nil }
            return v
        })
        o.dataFiles = try loaded.dataFiles()
        o.sizesMatch = try o.dataFiles.allSatisfy { try LocalFileIO.size($0.filePath) == $0.fileSizeInBytes }
        o.listed = try LocalFileIO.listFiles(under: root + "/db/events")
        return o
    }
}
