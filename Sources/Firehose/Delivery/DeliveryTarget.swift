// Where delivery writes. Both targets write every file in two phases — staged (whole, durable, invisible), then
// published in one atomic step — so a checkpoint can log what a flush is about to publish before it appears:
//   local folder: a file in the run's staging folder, fsynced; published by rename (the original delivery);
//   object store: a multipart upload with every part uploaded; published by CompleteMultipartUpload.
// A staged entry is a pair (staged, final): for the local folder two paths, for a store ("upload:<id>", key URL).

import ObjectStore
import Parquet

protocol DeliveryTarget: AnyObject {
    /// A sink for a Parquet file that is to be published at `final`; `close()` stages it.
    func parquetSink(name: String, final: String) throws -> any ParquetSink
    /// The staged half of the entry, and the size, of a sink after its `close()`.
    func staged(_ sink: any ParquetSink) throws -> (from: String, size: Int64)
    /// Stages `bytes` as the file to be published at `final`.
    func stage(bytes: [UInt8], name: String, final: String) throws -> (String, String)
    /// Publishes staged entries. `rollForward`: entries of an earlier run read back from its checkpoint, some of
    /// which may be published already (those are skipped).
    func publish(_ entries: [(String, String)], rollForward: Bool) throws
    /// Drops staged entries that will never be published (a run without a checkpoint that failed).
    func discard(_ entries: [(String, String)])
}

/// The local folder: staging files renamed into place (durably, never outside `root`).
final class LocalDeliveryTarget: DeliveryTarget {
    let stagingDir: String
    let root: String

    init(stagingDir: String, root: String) {
        self.stagingDir = stagingDir
        self.root = root
    }

    func parquetSink(name: String, final: String) throws -> any ParquetSink {
        try LocalFileSink(path: stagingDir + "/" + name, fsync: true)
    }

    func staged(_ sink: any ParquetSink) throws -> (from: String, size: Int64) {
        let path = (sink as! LocalFileSink).path
        return (path, FileOps.fileSize(path))
    }

    func stage(bytes: [UInt8], name: String, final: String) throws -> (String, String) {
        let staged = stagingDir + "/" + name
        try FileOps.writeFile(staged, bytes)
        return (staged, final)
    }

    func publish(_ entries: [(String, String)], rollForward: Bool) throws {
        if !entries.isEmpty && !rollForward { FileOps.fsyncDirectory(stagingDir) }
        for (from, to) in entries where !rollForward || FileOps.exists(from) {
            try FileOps.publish(from, to, root: root)
        }
    }

    func discard(_ entries: [(String, String)]) {
        for (from, _) in entries { FileOps.removeTree(from) }
    }
}

/// A bucket: multipart uploads, completed on publish. `urlPrefix` is `s3://bucket/`; finals are URLs under it.
final class ObjectDeliveryTarget: DeliveryTarget, @unchecked Sendable {
    let store: any ObjectStore
    let urlPrefix: String
    let writerOptions: ObjectWriterOptions
    /// Staged uploads of this process by upload id (their parts are known: publishing needs no ListParts).
    private var known: [String: StagedObject] = [:]

    init(store: any ObjectStore, urlPrefix: String, writerOptions: ObjectWriterOptions) {
        self.store = store
        self.urlPrefix = urlPrefix
        self.writerOptions = writerOptions
    }

    func key(_ url: String) throws -> String {
        guard url.hasPrefix(urlPrefix) else { throw DeliveryError("\(url): not under \(urlPrefix)") }
        return String(url.dropFirst(urlPrefix.count))
    }

    static let uploadMark = "upload:"

    func parquetSink(name: String, final: String) throws -> any ParquetSink {
        try ObjectSink(store: store, key: key(final), destination: final, options: writerOptions, mode: .stage)
    }

    func staged(_ sink: any ParquetSink) throws -> (from: String, size: Int64) {
        guard let s = (sink as? ObjectSink)?.stagedObject else { throw DeliveryError("\(sink.destination): not staged") }
        known[s.token] = s
        return (Self.uploadMark + s.token, s.size)
    }

    func stage(bytes: [UInt8], name: String, final: String) throws -> (String, String) {
        let sink = try ObjectSink(store: store, key: key(final), destination: final, options: writerOptions, mode: .stage)
        do {
            try bytes.withUnsafeBytes { try sink.write($0) }
            try sink.close()
        } catch {
            sink.abort()
            throw DeliveryError("\(final): \(error)")
        }
        return (try staged(sink).from, final)
    }

    func publish(_ entries: [(String, String)], rollForward: Bool) throws {
        // (a store's publish of a completed upload finds the object and succeeds: roll-forward needs no care)
        for (from, to) in entries {
            guard from.hasPrefix(Self.uploadMark) else { throw DeliveryError("\(to): staged as '\(from)', not an upload") }
            let id = String(from.dropFirst(Self.uploadMark.count))
            let staged = try known[id] ?? StagedObject(key: key(to), token: id)
            let store = self.store
            do {
                _ = try Blocking.run { try await store.publish(staged) }
            } catch {
                throw DeliveryError("\(to): cannot publish: \(error)")
            }
            known[id] = nil
        }
    }

    func discard(_ entries: [(String, String)]) {
        for (from, to) in entries where from.hasPrefix(Self.uploadMark) {
            guard let k = try? key(to) else { continue }
            let staged = StagedObject(key: k, token: String(from.dropFirst(Self.uploadMark.count)))
            let store = self.store
            _ = try? Blocking.run { try await store.discard(staged) }
        }
    }

    /// Drops the uploads a killed run of this checkpoint left under `prefix` (their names carry `tag`), except
    /// those in `keep` (logged as about to be published). Returns how many were dropped.
    func discardLeftovers(prefix: String, tag: String, keep: Set<String>) throws -> Int {
        let store = self.store
        let p = try key(prefix)
        let all: [StagedObject]
        do {
            all = try Blocking.run { try await store.stagedObjects(prefix: p) }
        } catch {
            throw DeliveryError("\(prefix): cannot list incomplete uploads: \(error)")
        }
        var n = 0
        for s in all where !keep.contains(s.token) && ObjectName.carries(tag: tag, key: s.key) {
            _ = try? Blocking.run { try await store.discard(s) }
            n += 1
        }
        return n
    }
}

/// A Parquet sink into an object: a streaming multipart upload (parts uploaded while the writer is still encoding;
/// memory: the parts in flight). `.publish`: `close()` completes the upload (the object appears whole); `.stage`:
/// `close()` uploads the rest and leaves the upload open for `ObjectStore.publish`. Any failure aborts the upload.
public final class ObjectSink: ParquetSink, @unchecked Sendable {
    /// What `close()` does: complete the upload, or stage it for a later publish.
    public enum Mode: Sendable {
        /// `close()` completes the upload: the object appears.
        case publish
        /// `close()` uploads the rest and leaves the upload open for `ObjectStore.publish`.
        case stage
    }
    /// The object's URL, for messages.
    public let destination: String
    let mode: Mode
    private let writer: any ObjectWriter
    private var done = false
    /// The staged upload after `close()` in `.stage` mode.
    public private(set) var stagedObject: StagedObject?

    /// Starts the upload of `key`.
    public init(store: any ObjectStore, key: String, destination: String, options: ObjectWriterOptions = ObjectWriterOptions(),
                mode: Mode = .publish, condition: WriteCondition = .none) throws {
        self.destination = destination
        self.mode = mode
        let box = try Blocking.run { WriterBox(try await store.writer(key, condition: condition, options: options)) }
        writer = box.writer
    }

    deinit { if !done { abort() } }

    /// Appends bytes to the upload (waits while its parts in flight are full).
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        let chunk = [UInt8](bytes)
        let box = WriterBox(writer)
        do {
            try Blocking.run { try await box.writer.write(chunk) }
        } catch {
            done = true  // the writer aborted the upload itself
            throw error
        }
    }

    /// Completes (`.publish`) or stages (`.stage`) the upload.
    public func close() throws {
        let box = WriterBox(writer)
        done = true
        switch mode {
        case .publish:
            _ = try Blocking.run { try await box.writer.finish() }
        case .stage:
            let s = try Blocking.run { try await box.writer.stage() }
            stagedObject = s
        }
    }

    /// Aborts the upload; nothing becomes visible.
    public func abort() {
        done = true
        let box = WriterBox(writer)
        _ = try? Blocking.run { await box.writer.abort() }
    }
}

/// Hands a (non-Sendable) writer to the task that drives it; one task at a time uses it.
private final class WriterBox: @unchecked Sendable {
    let writer: any ObjectWriter
    init(_ w: any ObjectWriter) { writer = w }
}
