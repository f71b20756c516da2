/// One interface to the places Floe reads and writes objects: a local folder or an S3-compatible bucket.
///
/// Keys are `/`-separated relative names (`table/2024/01/01/00/file.parquet`), never starting with `/`. Every write
/// publishes an object whole or not at all: a reader (`get`, `head`, `list`) sees the previous object or the new one,
/// never a part. Conditional writes (`createOnly`, `ifMatch`) let several processes on several machines commit to
/// one store without locks.
public protocol ObjectStore: Sendable {
    /// A human-readable location for messages (`s3://bucket/prefix/` or a folder path).
    var description: String { get }

    /// Writes `bytes` as the object `key` under `condition`; returns the new object's ETag.
    @discardableResult
    func put(_ key: String, bytes: [UInt8], condition: WriteCondition) async throws -> PutResult

    /// Starts a streaming writer for `key`; the object appears when `finish()` returns (and never if it throws or
    /// `abort()` is called).
    func writer(_ key: String, condition: WriteCondition, options: ObjectWriterOptions) async throws -> any ObjectWriter

    /// The bytes of `key` in `range` (the whole object when nil). A range past the end is clamped, as HTTP does.
    func get(_ key: String, range: Range<Int64>?) async throws -> [UInt8]

    /// The bytes of `key` in `range` while its ETag is `ifMatch` (nil: any version): an object replaced since the
    /// ETag was read throws `ObjectStoreError.preconditionFailed`, so a long sequential read never mixes two
    /// versions. A transfer cut short is resumed from the byte it reached, not started over (S3).
    func get(_ key: String, range: Range<Int64>, ifMatch: String?) async throws -> [UInt8]

    /// The last `length` bytes of `key` (all of it when shorter), with the object's size and ETag, in one request:
    /// how a reader of a format with a trailing footer opens an object.
    func getTail(_ key: String, length: Int) async throws -> (bytes: [UInt8], size: Int64, etag: String)

    /// Size, ETag and modification time of `key`; throws `ObjectStoreError.notFound` when it does not exist.
    func head(_ key: String) async throws -> ObjectMeta

    /// One page of the objects whose keys start with `prefix`, in key order (UTF-8 byte order). With a `delimiter`,
    /// keys that contain it after the prefix are rolled up into `commonPrefixes`.
    func listPage(prefix: String, delimiter: String?, continuation: String?, maxKeys: Int) async throws -> ListPage

    /// Removes `key`; removing a key that does not exist succeeds (as S3 does).
    func delete(_ key: String) async throws

    /// Copies `source` to `destination` inside this store under `condition`.
    @discardableResult
    func copy(from source: String, to destination: String, condition: WriteCondition) async throws -> PutResult

    /// Publishes an object that a writer staged (`ObjectWriter.stage()`), from this process or a later one (by its
    /// key and token, written down before a crash). Publishing an object that was published already succeeds, so a
    /// rerun can roll a log of staged objects forward.
    @discardableResult
    func publish(_ staged: StagedObject) async throws -> PutResult

    /// Drops a staged object; nothing becomes visible. Dropping one that is gone succeeds.
    func discard(_ staged: StagedObject) async throws

    /// Objects staged (uploads started, not published) whose keys start with `prefix`: what a killed writer left.
    func stagedObjects(prefix: String) async throws -> [StagedObject]
}

/// An object written whole but not yet visible: an S3 multipart upload with every part uploaded, not completed;
/// a local temporary file, fsynced, not renamed. Publishing it is one atomic step.
public struct StagedObject: Sendable, Equatable {
    /// The key the object will have.
    public var key: String
    /// The store's handle: the upload id (S3), the temporary file's name (local).
    public var token: String
    /// The uploaded parts (number, ETag) when known; empty: the store lists them when publishing.
    public var parts: [StagedPart]
    /// The condition the publishing write must meet.
    public var condition: WriteCondition
    /// Bytes written.
    public var size: Int64
    /// A staged object from its parts.
    public init(key: String, token: String, parts: [StagedPart] = [], condition: WriteCondition = .none, size: Int64 = 0) {
        self.key = key
        self.token = token
        self.parts = parts
        self.condition = condition
        self.size = size
    }
}

/// One uploaded part of a staged multipart upload.
public struct StagedPart: Sendable, Equatable {
    /// The part number (1-based).
    public var number: Int
    /// The ETag the store returned for the part.
    public var etag: String
    /// A part from its number and ETag.
    public init(number: Int, etag: String) {
        self.number = number
        self.etag = etag
    }
}

/// What must hold for a write to happen; a write whose condition does not hold throws
/// `ObjectStoreError.preconditionFailed` and changes nothing.
public enum WriteCondition: Sendable, Equatable {
    /// Always write (replace whatever is there).
    case none
    /// Write only when no object has the key (`If-None-Match: *`).
    case createOnly
    /// Write only when the current object's ETag is this one (`If-Match`): read-modify-write.
    case ifMatch(String)
}

/// The result of a write that published an object.
public struct PutResult: Sendable, Equatable {
    /// The new object's ETag (the `If-Match` of a later read-modify-write).
    public var etag: String
    /// A result with `etag`.
    public init(etag: String) { self.etag = etag }
}

/// An object's key, size, ETag and modification time.
public struct ObjectMeta: Sendable, Equatable {
    /// The object's key.
    public var key: String
    /// Bytes.
    public var size: Int64
    /// The object's ETag.
    public var etag: String
    /// Seconds since 1970 (UTC).
    public var lastModified: Double?
    /// Metadata from its parts.
    public init(key: String, size: Int64, etag: String, lastModified: Double?) {
        self.key = key
        self.size = size
        self.etag = etag
        self.lastModified = lastModified
    }
}

/// One page of a listing.
public struct ListPage: Sendable, Equatable {
    /// The objects of the page, in key order.
    public var objects: [ObjectMeta]
    /// With a delimiter: the prefixes rolled up up to the next delimiter.
    public var commonPrefixes: [String]
    /// Pass back to `listPage` for the next page; nil on the last page.
    public var continuation: String?
    /// A page from its parts.
    public init(objects: [ObjectMeta], commonPrefixes: [String], continuation: String?) {
        self.objects = objects
        self.commonPrefixes = commonPrefixes
        self.continuation = continuation
    }
}

/// Tuning of a streaming writer. Memory held by one writer is at most `(partsInFlight + 1) × partSize`.
public struct ObjectWriterOptions: Sendable, Equatable {
    /// Bytes per multipart part (S3 requires at least 5 MiB for every part but the last).
    public var partSize: Int
    /// Parts uploaded at once.
    public var partsInFlight: Int
    /// Options; `partsInFlight` is at least 1.
    public init(partSize: Int = 8 << 20, partsInFlight: Int = 4) {
        self.partSize = partSize
        self.partsInFlight = max(1, partsInFlight)
    }
}

/// A streaming write of one object. Not for concurrent use: one task writes, then finishes or aborts.
public protocol ObjectWriter: AnyObject {
    /// Appends bytes; may wait while `partsInFlight` parts are uploading.
    func write(_ bytes: [UInt8]) async throws
    /// Publishes the object (multipart complete / rename). After an error the upload is aborted.
    @discardableResult
    func finish() async throws -> PutResult
    /// Discards everything written; nothing becomes visible. Safe to call more than once.
    func abort() async
    /// Uploads / syncs everything written without publishing it: `ObjectStore.publish` makes it visible later (a
    /// two-phase write, for logging what is about to appear before it does). After an error nothing is left.
    func stage() async throws -> StagedObject
}

extension ObjectStore {
    /// The last `length` bytes of the object, its size and ETag (a HEAD and a ranged GET).
    public func getTail(_ key: String, length: Int) async throws -> (bytes: [UInt8], size: Int64, etag: String) {
        let meta = try await head(key)
        let bytes = try await get(key, range: max(0, meta.size - Int64(length))..<meta.size)
        return (bytes, meta.size, meta.etag)
    }

    /// `get(_:range:)`; a store without conditional reads compares the ETag before the read (LocalStore: a publish
    /// replaces the file, so the ETag changes with any new version).
    public func get(_ key: String, range: Range<Int64>, ifMatch: String?) async throws -> [UInt8] {
        if let etag = ifMatch, try await head(key).etag != etag {
            throw ObjectStoreError.preconditionFailed("\(description)\(key): changed since its ETag \(etag) was read")
        }
        return try await get(key, range: range)
    }

    /// Every object under `prefix` (all pages), in key order.
    public func list(prefix: String) async throws -> [ObjectMeta] {
        var out: [ObjectMeta] = []
        var token: String? = nil
        repeat {
            let page = try await listPage(prefix: prefix, delimiter: nil, continuation: token, maxKeys: 1000)
            out += page.objects
            token = page.continuation
        } while token != nil
        return out
    }

    /// Writes the object unconditionally.
    @discardableResult
    public func put(_ key: String, bytes: [UInt8]) async throws -> PutResult {
        try await put(key, bytes: bytes, condition: .none)
    }

    /// The whole object.
    public func get(_ key: String) async throws -> [UInt8] {
        try await get(key, range: nil)
    }
}
