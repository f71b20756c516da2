import NIOHTTP1

/// A streaming upload: bytes are cut into parts of `partSize`, up to `partsInFlight` parts upload at once (a write
/// waits for the oldest when that many are in flight), and `finish` completes the upload, which is the moment the
/// object appears whole. An object smaller than one part is sent as one PUT. Any failure aborts the upload, so no
/// part is left billed and nothing is visible. Memory: at most `(partsInFlight + 1) × partSize` bytes.
final class S3MultipartWriter: ObjectWriter {
    let store: S3Store
    let key: String
    let condition: WriteCondition
    let options: ObjectWriterOptions
    private var buffer: [UInt8] = []
    private var uploadId: String?
    private var inFlight: [(number: Int, task: Task<String, any Error>)] = []
    private var completed: [(number: Int, etag: String)] = []
    private var nextPart = 1
    private var closed = false
    /// CreateMultipartUpload needed more than one attempt: an earlier one may have started an orphan upload.
    private var createRetried = false
    private var written: Int64 = 0

    init(store: S3Store, key: String, condition: WriteCondition, options: ObjectWriterOptions) {
        self.store = store
        self.key = key
        self.condition = condition
        self.options = options
    }

    var name: String { S3Client.name(store.bucket, key) }

    func write(_ bytes: [UInt8]) async throws {
        guard !closed else { throw ObjectStoreError.invalidArgument("\(name): write after finish or abort") }
        written += Int64(bytes.count)
        var off = 0
        while off < bytes.count {
            if buffer.capacity < options.partSize { buffer.reserveCapacity(options.partSize) }
            let n = min(options.partSize - buffer.count, bytes.count - off)
            buffer.append(contentsOf: bytes[off..<(off + n)])
            off += n
            if buffer.count == options.partSize {
                do { try await sendPart() } catch { await abort(); throw error }
            }
        }
    }

    /// Starts uploading the buffered part (creating the upload first), after waiting for a slot.
    private func sendPart() async throws {
        if uploadId == nil {
            var r = S3Request(method: .POST, bucket: store.bucket, key: key, operation: "CreateMultipartUpload")
            r.query = [("uploads", "")]
            // Retried like an idempotent request: an attempt whose answer was lost leaves an empty upload (no parts,
            // no bytes) that `finish`/`abort` then remove, so a retry cannot leave anything behind.
            let (resp, attempts) = try await store.client.sendCountingAttempts(r)
            createRetried = attempts > 1
            guard let root = XMLNode.parse(resp.body), let id = root.value("UploadId"), !id.isEmpty else {
                throw ObjectStoreError.requestFailed("\(name): CreateMultipartUpload: no UploadId in the response")
            }
            uploadId = id
        }
        while inFlight.count >= options.partsInFlight {
            let first = inFlight.removeFirst()
            completed.append((first.number, try await first.task.value))
        }
        let part = buffer
        buffer = []
        buffer.reserveCapacity(options.partSize)
        let number = nextPart
        nextPart += 1
        guard number <= 10_000 else {
            throw ObjectStoreError.invalidArgument("\(name): more than 10000 parts of \(options.partSize) bytes")
        }
        let client = store.client, bucket = store.bucket, key = self.key, id = uploadId!
        inFlight.append((number, Task {
            var r = S3Request(method: .PUT, bucket: bucket, key: key, operation: "UploadPart \(number)")
            r.query = [("partNumber", String(number)), ("uploadId", id)]
            r.body = part
            let resp = try await client.send(r)
            guard let etag = resp.header("etag") else {
                throw ObjectStoreError.requestFailed("\(S3Client.name(bucket, key)): UploadPart \(number): no ETag")
            }
            return S3XML.unquote(etag)
        }))
    }

    @discardableResult
    func finish() async throws -> PutResult {
        guard !closed else { throw ObjectStoreError.invalidArgument("\(name): finish after finish or abort") }
        if uploadId == nil {
            closed = true
            let bytes = buffer
            buffer = []
            return try await store.put(key, bytes: bytes, condition: condition)
        }
        do {
            if !buffer.isEmpty { try await sendPart() }
            for p in inFlight { completed.append((p.number, try await p.task.value)) }
            inFlight = []
            closed = true
            return try await complete()
        } catch {
            closed = false
            await abort()
            throw error
        }
    }

    func stage() async throws -> StagedObject {
        guard !closed else { throw ObjectStoreError.invalidArgument("\(name): stage after finish or abort") }
        do {
            // Always a multipart upload (one part may be small, even empty): only a Complete publishes it.
            if uploadId == nil || !buffer.isEmpty { try await sendPart() }
            for p in inFlight { completed.append((p.number, try await p.task.value)) }
            inFlight = []
            closed = true
            let id = uploadId!
            uploadId = nil
            await removeOrphans(except: id)
            return StagedObject(key: key, token: id, parts: completed.map { StagedPart(number: $0.number, etag: $0.etag) },
                                condition: condition, size: written)
        } catch {
            closed = false
            await abort()
            throw error
        }
    }

    private func complete() async throws -> PutResult {
        let id = uploadId!
        let result = try await store.completeUpload(key: key, uploadId: id, parts: completed, condition: condition)
        uploadId = nil
        await removeOrphans(except: id)
        return result
    }

    func abort() async {
        guard !closed else { return }
        closed = true
        buffer = []
        for p in inFlight { p.task.cancel() }
        for p in inFlight { _ = try? await p.task.value }
        inFlight = []
        if let id = uploadId {
            try? await store.abortUpload(key: key, uploadId: id)
            uploadId = nil
            await removeOrphans(except: id)
        }
    }

    /// After a retried CreateMultipartUpload: aborts the other uploads of this key (Floe's object keys are unique
    /// per writer, so another upload of the key is an orphan of a lost answer).
    private func removeOrphans(except id: String) async {
        guard createRetried else { return }
        createRetried = false
        guard let uploads = try? await store.incompleteUploads(prefix: key) else { return }
        for u in uploads where u.key == key && u.uploadId != id {
            try? await store.abortUpload(key: u.key, uploadId: u.uploadId)
        }
    }
}
