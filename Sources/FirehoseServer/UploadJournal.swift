// A stream's uploads into a bucket (`--bucket-root s3://`), written down before they start, so that a restart
// after kill -9 aborts the multipart uploads the killed process left open — and only those.
//
// Why a journal of keys rather than ListMultipartUploads under the stream's prefixes: a prefix is shared (another
// stream, another warehouse's server or any other writer may upload under `events/` or `errors/` of the same
// bucket), and a prefix with expressions (`!{partitionKeyFromQuery:…}`, a custom time zone's hours) has no
// bounded listing, so matching leftovers by prefix or by name shape could abort someone else's upload. Upload ids
// alone are not enough either: CreateMultipartUpload's id is known only after the upload exists, so a kill between
// the answer and the journal's fsync would leave an upload nobody knows about. The key, though, is chosen by
// this process before any request is sent (`<stream>-1-<time>-<random uuid>`): it is journaled and fsynced first,
// then the upload starts. At restart every upload of a journaled key is ours (no other writer can know the key),
// so aborting `ListMultipartUploads(prefix: key)` filtered to that exact key aborts our leftovers and nothing else.
// Uploads the stream's state lists as pending (staged, about to be published) are rolled forward first, so they
// are complete, not aborted. A flush that published everything forgets the keys journaled before it.

import Dispatch
import ObjectStore
#if canImport(Glibc)
import Glibc
#endif

/// The keys a stream is uploading (one line each), fsynced before each upload starts.
final class UploadJournal: @unchecked Sendable {
    let path: String
    private var mutex = pthread_mutex_t()
    /// Keys journaled and not yet forgotten, in order (this run's and, until aborted, the last run's).
    private var keys: [String] = []
    private var fd: Int32 = -1

    /// Opens the journal at `path` (read back: the keys a killed run may have left open).
    init(path: String) throws {
        self.path = path
        pthread_mutex_init(&mutex, nil)
        if Disk.exists(path) {
            let bytes = try Disk.readAll(path)
            keys = Self.parse(bytes)
            // a torn last line would run into the next key appended: the file is rewritten without it
            if let last = bytes.last, last != 0x0A { try Disk.writeAtomically(path, Self.text(keys)) }
        }
        try reopen()
    }

    deinit {
        if fd >= 0 { close(fd) }
        pthread_mutex_destroy(&mutex)
    }

    static func parse(_ bytes: [UInt8]) -> [String] {
        // a line cut short by the kill has no newline: its upload never started (the fsync comes first)
        var out: [String] = []
        var start = 0
        for (i, c) in bytes.enumerated() where c == 0x0A {
            if i > start { out.append(String(decoding: bytes[start..<i], as: UTF8.self)) }
            start = i + 1
        }
        return out
    }

    static func text(_ keys: [String]) -> [UInt8] {
        Array(keys.map { $0 + "\n" }.joined().utf8)
    }

    private func reopen() throws {
        if fd >= 0 { close(fd) }
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WALError(message: "cannot open \(path): \(Disk.errno_())") }
    }

    /// The keys journaled so far.
    var recorded: [String] {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return keys
    }

    /// Writes `key` down durably; the upload may start once this returns.
    func record(_ key: String) throws {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        let line = Array((key + "\n").utf8)
        var done = 0
        while done < line.count {
            let n = line.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw WALError(message: "cannot write \(path): \(Disk.errno_())")
            }
            done += n
        }
        guard fdatasync(fd) == 0 else { throw WALError(message: "cannot fsync \(path): \(Disk.errno_())") }
        keys.append(key)
    }

    /// Drops the first `count` keys (their uploads were completed or aborted), keeping the later ones durably.
    func forget(first count: Int) throws {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        guard count > 0 else { return }
        keys.removeFirst(min(count, keys.count))
        try Disk.writeAtomically(path, Self.text(keys))
        try reopen()
    }

    /// The journal is no longer needed (the stream is deleted).
    func remove() {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        keys = []
        Disk.remove(path)
    }

    /// Aborts every multipart upload in `store` whose key is one of the first `count` journaled keys (what a
    /// killed run left), then forgets those keys. Returns how many uploads were aborted. An error (the bucket
    /// unreachable) keeps the keys for the next attempt.
    func abortLeftovers(count: Int, store: any ObjectStore) throws -> Int {
        let ks = Array(recorded.prefix(count))
        var aborted = 0
        for key in Set(ks).sorted() {
            let open = try Blocking.run { try await store.stagedObjects(prefix: key) }
            // the listing is by prefix: only the exact key is ours
            for s in open where s.key == key {
                try Blocking.run { try await store.discard(s) }
                aborted += 1
            }
        }
        try forget(first: ks.count)
        return aborted
    }
}

/// A bucket whose streaming writers are journaled before they start (every other call passes through).
struct JournaledStore: ObjectStore {
    let base: any ObjectStore
    let journal: UploadJournal

    var description: String { base.description }

    func put(_ key: String, bytes: [UInt8], condition: WriteCondition) async throws -> PutResult {
        try await base.put(key, bytes: bytes, condition: condition)
    }

    func writer(_ key: String, condition: WriteCondition, options: ObjectWriterOptions) async throws -> any ObjectWriter {
        try journal.record(key)
        return try await base.writer(key, condition: condition, options: options)
    }

    func get(_ key: String, range: Range<Int64>?) async throws -> [UInt8] { try await base.get(key, range: range) }

    func getTail(_ key: String, length: Int) async throws -> (bytes: [UInt8], size: Int64, etag: String) {
        try await base.getTail(key, length: length)
    }

    func head(_ key: String) async throws -> ObjectMeta { try await base.head(key) }

    func listPage(prefix: String, delimiter: String?, continuation: String?, maxKeys: Int) async throws -> ListPage {
        try await base.listPage(prefix: prefix, delimiter: delimiter, continuation: continuation, maxKeys: maxKeys)
    }

    func delete(_ key: String) async throws { try await base.delete(key) }

    func copy(from source: String, to destination: String, condition: WriteCondition) async throws -> PutResult {
        try await base.copy(from: source, to: destination, condition: condition)
    }

    func publish(_ staged: StagedObject) async throws -> PutResult { try await base.publish(staged) }

    func discard(_ staged: StagedObject) async throws { try await base.discard(staged) }

    func stagedObjects(prefix: String) async throws -> [StagedObject] { try await base.stagedObjects(prefix: prefix) }
}
