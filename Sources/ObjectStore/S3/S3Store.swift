import Crypto
import Foundation
import NIOHTTP1

/// One S3 bucket as an `ObjectStore`. Keys are full object keys.
public struct S3Store: ObjectStore {
    /// The bucket.
    public let bucket: String
    /// The client that signs and sends the requests.
    public let client: S3Client

    /// The store of `bucket` through `client`.
    public init(bucket: String, client: S3Client) {
        self.bucket = bucket
        self.client = client
    }

    /// Resolves the configuration from the environment and AWS files (see `AWSConfigResolver`).
    public init(bucket: String, environment: [String: String] = AWSConfigResolver.processEnvironment()) throws {
        self.init(bucket: bucket, client: S3Client(configuration: try AWSConfigResolver.resolve(environment: environment)))
    }

    /// `s3://bucket/`.
    public var description: String { "s3://\(bucket)/" }

    static func conditionHeaders(_ c: WriteCondition) -> [(String, String)] {
        switch c {
        case .none: return []
        case .createOnly: return [("If-None-Match", "*")]
        case .ifMatch(let etag): return [("If-Match", "\"" + etag + "\"")]
        }
    }

    static func checkKey(_ key: String) throws {
        guard !key.isEmpty else { throw ObjectStoreError.invalidArgument("empty object key") }
        guard key.utf8.count <= 1024 else { throw ObjectStoreError.invalidArgument("object key longer than 1024 bytes") }
    }

    // MARK: writes

    /// PutObject, with `If-None-Match: *` or `If-Match` for the condition.
    @discardableResult
    public func put(_ key: String, bytes: [UInt8], condition: WriteCondition) async throws -> PutResult {
        try Self.checkKey(key)
        var r = S3Request(method: .PUT, bucket: bucket, key: key, operation: "PutObject")
        r.headers = Self.conditionHeaders(condition)
        r.body = bytes
        var attempts = 0
        do {
            let resp = try await client.sendCountingAttempts(r, attempts: &attempts).response
            return PutResult(etag: S3XML.unquote(resp.header("etag") ?? ""))
        } catch ObjectStoreError.preconditionFailed(let m) where condition != .none && attempts > 1 {
            // A retried conditional PUT whose earlier attempt did land fails its condition against itself: the object
            // now holds our bytes. A single-part ETag is the MD5 of the content.
            if let meta = try? await head(key), meta.etag == SigV4.hex(Insecure.MD5.hash(data: bytes)) {
                return PutResult(etag: meta.etag)
            }
            throw ObjectStoreError.preconditionFailed(m)
        }
    }

    /// A streaming multipart upload (parts in parallel, aborted on failure).
    public func writer(_ key: String, condition: WriteCondition, options: ObjectWriterOptions) async throws -> any ObjectWriter {
        try Self.checkKey(key)
        return S3MultipartWriter(store: self, key: key, condition: condition, options: options)
    }

    /// CopyObject under `condition` (a 200 with an error document is a failure).
    @discardableResult
    public func copy(from source: String, to destination: String, condition: WriteCondition) async throws -> PutResult {
        try Self.checkKey(source)
        try Self.checkKey(destination)
        if condition != .none { return try await conditionalCopy(from: source, to: destination, condition: condition) }
        var r = S3Request(method: .PUT, bucket: bucket, key: destination, operation: "CopyObject")
        r.headers = Self.conditionHeaders(condition) + [("x-amz-copy-source", SigV4.uriEncode("/\(bucket)/\(source)", keepSlash: true))]
        r.errorMayArriveWith200 = true
        let resp = try await client.send(r)
        guard let root = XMLNode.parse(resp.body), let etag = root.value("ETag") else {
            throw ObjectStoreError.requestFailed("\(S3Client.name(bucket, destination)): CopyObject: unreadable response")
        }
        return PutResult(etag: S3XML.unquote(etag))
    }

    /// A server-side copy under a write condition: UploadPartCopy parts (up to 5 GiB each) and a conditional
    /// CompleteMultipartUpload, which every S3 implementation with conditional writes honours (a conditional
    /// CopyObject is not).
    func conditionalCopy(from source: String, to destination: String, condition: WriteCondition) async throws -> PutResult {
        let size = try await head(source).size
        if size == 0 { return try await put(destination, bytes: [], condition: condition) }
        var create = S3Request(method: .POST, bucket: bucket, key: destination, operation: "CreateMultipartUpload")
        create.query = [("uploads", "")]
        let created = try await client.send(create)
        guard let id = XMLNode.parse(created.body)?.value("UploadId"), !id.isEmpty else {
            throw ObjectStoreError.requestFailed("\(S3Client.name(bucket, destination)): CreateMultipartUpload: no UploadId")
        }
        do {
            var parts: [(number: Int, etag: String)] = []
            let partMax: Int64 = 5 << 30
            var off: Int64 = 0
            while off < size {
                let end = min(size, off + partMax)
                var r = S3Request(method: .PUT, bucket: bucket, key: destination, operation: "UploadPartCopy")
                r.query = [("partNumber", String(parts.count + 1)), ("uploadId", id)]
                r.headers = [("x-amz-copy-source", SigV4.uriEncode("/\(bucket)/\(source)", keepSlash: true)),
                             ("x-amz-copy-source-range", "bytes=\(off)-\(end - 1)")]
                r.errorMayArriveWith200 = true
                let resp = try await client.send(r)
                guard let etag = XMLNode.parse(resp.body)?.value("ETag") else {
                    throw ObjectStoreError.requestFailed("\(S3Client.name(bucket, destination)): UploadPartCopy: no ETag")
                }
                parts.append((parts.count + 1, S3XML.unquote(etag)))
                off = end
            }
            return try await completeUpload(key: destination, uploadId: id, parts: parts, condition: condition)
        } catch {
            try? await abortUpload(key: destination, uploadId: id)
            throw error
        }
    }

    /// CompleteMultipartUpload under `condition`. A retry of a Complete that did land meets NoSuchUpload (or, when
    /// conditional, its own object): the object's multipart ETag (MD5 of the parts' MD5s, `-N`) tells whether it is
    /// ours.
    func completeUpload(key: String, uploadId: String, parts: [(number: Int, etag: String)],
                        condition: WriteCondition) async throws -> PutResult {
        let sorted = parts.sorted { $0.number < $1.number }
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for p in sorted {
            xml += "<Part><PartNumber>\(p.number)</PartNumber><ETag>\"\(S3XML.escape(p.etag))\"</ETag></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        var r = S3Request(method: .POST, bucket: bucket, key: key, operation: "CompleteMultipartUpload")
        r.query = [("uploadId", uploadId)]
        r.headers = Self.conditionHeaders(condition) + [("Content-Type", "application/xml")]
        r.body = Array(xml.utf8)
        r.errorMayArriveWith200 = true  // idempotent per S3: completing a completed upload answers 200 again
        var attempts = 0
        do {
            let resp = try await client.sendCountingAttempts(r, attempts: &attempts).response
            return PutResult(etag: S3XML.unquote(XMLNode.parse(resp.body)?.value("ETag") ?? ""))
        } catch let e as ObjectStoreError {
            // Only an attempt that may have landed (a retried request) can have made the object ours.
            guard attempts > 1 else { throw e }
            switch e {
            case .notFound, .preconditionFailed, .requestFailed:
                if let meta = try? await head(key), meta.etag == Self.multipartETag(sorted.map(\.etag)) {
                    return PutResult(etag: meta.etag)
                }
            default: break
            }
            throw e
        }
    }

    /// The ETag S3 gives a completed multipart object: hex MD5 of the concatenated binary part MD5s, `-`, part count.
    static func multipartETag(_ partETags: [String]) -> String? {
        var all: [UInt8] = []
        for e in partETags {
            let h = Array(e.utf8)
            guard h.count == 32 else { return nil }
            var i = 0
            while i < 32 {
                guard let b = UInt8(String(decoding: h[i..<(i + 2)], as: UTF8.self), radix: 16) else { return nil }
                all.append(b)
                i += 2
            }
        }
        return SigV4.hex(Insecure.MD5.hash(data: all)) + "-\(partETags.count)"
    }

    /// DeleteObject; a missing object is not an error.
    public func delete(_ key: String) async throws {
        try Self.checkKey(key)
        do {
            _ = try await client.send(S3Request(method: .DELETE, bucket: bucket, key: key, operation: "DeleteObject"))
        } catch ObjectStoreError.notFound(let m) where !m.hasSuffix("no such bucket") {
            return
        }
    }

    /// Deletes many keys with DeleteObjects (1000 per request); a key that does not exist is not an error.
    public func delete(keys: [String]) async throws {
        var i = 0
        while i < keys.count {
            let batch = keys[i..<min(i + 1000, keys.count)]
            i += batch.count
            var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Delete><Quiet>true</Quiet>"
            for k in batch { xml += "<Object><Key>" + S3XML.escape(k) + "</Key></Object>" }
            xml += "</Delete>"
            var r = S3Request(method: .POST, bucket: bucket, key: nil, operation: "DeleteObjects")
            r.query = [("delete", "")]
            r.body = Array(xml.utf8)
            r.headers = [("Content-MD5", Data(Insecure.MD5.hash(data: r.body)).base64EncodedString()), ("Content-Type", "application/xml")]
            r.errorMayArriveWith200 = true
            let resp = try await client.send(r)
            if let root = XMLNode.parse(resp.body) {
                let failed = root.all("Error").filter { $0.value("Code") != "NoSuchKey" }
                if let f = failed.first {
                    throw ObjectStoreError.requestFailed(
                        "\(S3Client.name(bucket, f.value("Key"))): DeleteObjects failed for \(failed.count) keys: \(f.value("Code") ?? "") \(f.value("Message") ?? "")")
                }
            }
        }
    }

    // MARK: reads

    /// GetObject, ranged when `range` is given.
    public func get(_ key: String, range: Range<Int64>?) async throws -> [UInt8] {
        try Self.checkKey(key)
        var r = S3Request(method: .GET, bucket: bucket, key: key, operation: "GetObject")
        if let rg = range {
            guard rg.lowerBound >= 0 else { throw ObjectStoreError.invalidArgument("negative range start for \(key)") }
            if rg.isEmpty { return [] }
            r.headers = [("Range", "bytes=\(rg.lowerBound)-\(rg.upperBound - 1)")]
            r.maxResponseBytes = Int(rg.count)
        } else {
            r.maxResponseBytes = Int.max
        }
        do {
            return try await client.send(r).body
        } catch ObjectStoreError.requestFailed(let m) where range != nil && m.contains("HTTP 416") {
            return []  // the range starts at or past the end: clamped to nothing
        }
    }

    /// A ranged GetObject with `If-Match` on every attempt, resumed from the byte reached when an attempt fails
    /// part way (S3Client.getResuming).
    public func get(_ key: String, range: Range<Int64>, ifMatch: String?) async throws -> [UInt8] {
        try Self.checkKey(key)
        guard range.lowerBound >= 0 else { throw ObjectStoreError.invalidArgument("negative range start for \(key)") }
        if range.isEmpty { return [] }
        return try await client.getResuming(bucket: bucket, key: key, range: range, ifMatch: ifMatch)
    }

    /// One GET with a suffix range (`bytes=-N`); the size comes from `Content-Range`.
    public func getTail(_ key: String, length: Int) async throws -> (bytes: [UInt8], size: Int64, etag: String) {
        try Self.checkKey(key)
        var r = S3Request(method: .GET, bucket: bucket, key: key, operation: "GetObject")
        r.headers = [("Range", "bytes=-\(max(1, length))")]
        r.maxResponseBytes = max(1, length)
        do {
            let resp = try await client.send(r)
            let etag = S3XML.unquote(resp.header("etag") ?? "")
            if resp.status == 206 {
                guard let cr = resp.header("content-range"), let slash = cr.lastIndex(of: "/"),
                      let total = Int64(cr[cr.index(after: slash)...]) else {
                    throw ObjectStoreError.requestFailed("\(S3Client.name(bucket, key)): GetObject: 206 without a Content-Range total")
                }
                return (resp.body, total, etag)
            }
            return (resp.body, Int64(resp.body.count), etag)  // 200: the whole (short) object
        } catch ObjectStoreError.requestFailed(let m) where m.contains("HTTP 416") {
            return ([], 0, try await head(key).etag)  // an empty object has no suffix to range over
        }
    }

    /// HeadObject.
    public func head(_ key: String) async throws -> ObjectMeta {
        try Self.checkKey(key)
        let resp = try await client.send(S3Request(method: .HEAD, bucket: bucket, key: key, operation: "HeadObject"))
        return ObjectMeta(key: key, size: Int64(resp.header("content-length") ?? "") ?? 0,
                          etag: S3XML.unquote(resp.header("etag") ?? ""), lastModified: nil)
    }

    /// One ListObjectsV2 page.
    public func listPage(prefix: String, delimiter: String?, continuation: String?, maxKeys: Int) async throws -> ListPage {
        var r = S3Request(method: .GET, bucket: bucket, key: nil, operation: "ListObjectsV2")
        r.query = [("list-type", "2"), ("max-keys", String(max(1, min(maxKeys, 1000))))]
        if !prefix.isEmpty { r.query.append(("prefix", prefix)) }
        if let d = delimiter, !d.isEmpty { r.query.append(("delimiter", d)) }
        if let c = continuation { r.query.append(("continuation-token", c)) }
        let resp = try await client.send(r)
        guard let root = XMLNode.parse(resp.body), root.name == "ListBucketResult" else {
            throw ObjectStoreError.requestFailed("s3://\(bucket)/\(prefix): ListObjectsV2: unreadable response")
        }
        let objects = root.all("Contents").map { c in
            ObjectMeta(key: c.value("Key") ?? "", size: Int64(c.value("Size") ?? "") ?? 0,
                       etag: S3XML.unquote(c.value("ETag") ?? ""), lastModified: c.value("LastModified").flatMap(S3XML.isoSeconds))
        }
        let prefixes = root.all("CommonPrefixes").compactMap { $0.value("Prefix") }
        let truncated = root.value("IsTruncated") == "true"
        let next = truncated ? root.value("NextContinuationToken") : nil
        if truncated && next == nil {
            throw ObjectStoreError.requestFailed("s3://\(bucket)/\(prefix): ListObjectsV2: truncated listing without a continuation token")
        }
        return ListPage(objects: objects, commonPrefixes: prefixes, continuation: next)
    }

    // MARK: buckets (tests and setup)

    /// Creates the bucket (CreateBucket); an existing bucket of ours is fine.
    public func createBucket() async throws {
        var r = S3Request(method: .PUT, bucket: bucket, key: nil, operation: "CreateBucket")
        if client.configuration.region != "us-east-1" {
            r.body = Array("<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>\(client.configuration.region)</LocationConstraint></CreateBucketConfiguration>".utf8)
        }
        do {
            _ = try await client.send(r)
        } catch ObjectStoreError.requestFailed(let m) where m.contains("BucketAlreadyOwnedByYou") {
            return
        }
    }

    /// Multipart uploads in progress under `prefix` (key, upload id), for cleanup of killed runs.
    public func incompleteUploads(prefix: String) async throws -> [(key: String, uploadId: String)] {
        var out: [(key: String, uploadId: String)] = []
        var keyMarker: String? = nil, idMarker: String? = nil
        repeat {
            var r = S3Request(method: .GET, bucket: bucket, key: nil, operation: "ListMultipartUploads")
            r.query = [("uploads", "")]
            if !prefix.isEmpty { r.query.append(("prefix", prefix)) }
            if let k = keyMarker { r.query.append(("key-marker", k)) }
            if let u = idMarker { r.query.append(("upload-id-marker", u)) }
            let resp = try await client.send(r)
            guard let root = XMLNode.parse(resp.body) else {
                throw ObjectStoreError.requestFailed("s3://\(bucket)/\(prefix): ListMultipartUploads: unreadable response")
            }
            for u in root.all("Upload") {
                if let k = u.value("Key"), let id = u.value("UploadId") { out.append((k, id)) }
            }
            if root.value("IsTruncated") == "true" {
                keyMarker = root.value("NextKeyMarker")
                idMarker = root.value("NextUploadIdMarker")
                if keyMarker == nil { break }
            } else {
                keyMarker = nil
            }
        } while keyMarker != nil
        return out
    }

    /// Completes a staged multipart upload (parts listed when not known); one already completed succeeds.
    public func publish(_ staged: StagedObject) async throws -> PutResult {
        var parts = staged.parts.map { (number: $0.number, etag: $0.etag) }
        do {
            if parts.isEmpty { parts = try await uploadedParts(key: staged.key, uploadId: staged.token) }
            return try await completeUpload(key: staged.key, uploadId: staged.token, parts: parts,
                                            condition: staged.condition)
        } catch ObjectStoreError.notFound(let m) {
            // No such upload: completed before (a rerun rolling its log forward), then the object is there.
            if let meta = try? await head(staged.key) { return PutResult(etag: meta.etag) }
            throw ObjectStoreError.notFound("\(m) (staged upload gone and no object \(S3Client.name(bucket, staged.key)))")
        }
    }

    /// Aborts a staged multipart upload.
    public func discard(_ staged: StagedObject) async throws {
        try await abortUpload(key: staged.key, uploadId: staged.token)
    }

    /// The multipart uploads open under `prefix`.
    public func stagedObjects(prefix: String) async throws -> [StagedObject] {
        try await incompleteUploads(prefix: prefix).map { StagedObject(key: $0.key, token: $0.uploadId) }
    }

    /// The parts of an upload in progress (ListParts, every page).
    func uploadedParts(key: String, uploadId: String) async throws -> [(number: Int, etag: String)] {
        var out: [(number: Int, etag: String)] = []
        var marker: String? = nil
        repeat {
            var r = S3Request(method: .GET, bucket: bucket, key: key, operation: "ListParts")
            r.query = [("uploadId", uploadId)]
            if let m = marker { r.query.append(("part-number-marker", m)) }
            let resp = try await client.send(r)
            guard let root = XMLNode.parse(resp.body) else {
                throw ObjectStoreError.requestFailed("\(S3Client.name(bucket, key)): ListParts: unreadable response")
            }
            for p in root.all("Part") {
                if let n = p.value("PartNumber").flatMap({ Int($0) }), let e = p.value("ETag") { out.append((n, S3XML.unquote(e))) }
            }
            marker = root.value("IsTruncated") == "true" ? root.value("NextPartNumberMarker") : nil
        } while marker != nil
        return out
    }

    /// Aborts one multipart upload (an upload that no longer exists is fine).
    public func abortUpload(key: String, uploadId: String) async throws {
        var r = S3Request(method: .DELETE, bucket: bucket, key: key, operation: "AbortMultipartUpload")
        r.query = [("uploadId", uploadId)]
        do { _ = try await client.send(r) } catch ObjectStoreError.notFound { return }
    }
}
