/// Synchronous sequential reading of one object, for a stream consumer (an NDJSON input, a decompressor):
/// ranged GETs of `blockSize` bytes, the next `readAhead` blocks fetched in the background while the current one
/// is consumed, so a reader never waits a round trip per block and never holds the object whole.
///
/// - Memory: at most `(readAhead + 1) × blockSize` bytes, whatever the object's size.
/// - Version: every GET carries `If-Match` with the ETag the object had when it was listed, so an object replaced
///   while being read is an error (`ObjectStoreError.preconditionFailed`), never a mix of two versions.
/// - Faults: each block's GET is retried by the store's retry policy; a transfer cut part way resumes at the byte
///   it reached (`ObjectStore.get(_:range:ifMatch:)`).
///
/// Not for concurrent use: one thread reads. Call it from a thread that is neither an event loop nor a task of the
/// cooperative pool (it waits through `Blocking.run`).
public final class ObjectStreamReader: @unchecked Sendable {
    /// The store holding the object.
    public let store: any ObjectStore
    /// The object's key.
    public let key: String
    /// The object's size when listed.
    public let size: Int64
    /// The ETag every read is pinned to.
    public let etag: String
    /// Bytes per ranged GET.
    public let blockSize: Int
    /// Blocks fetched ahead of the one being consumed.
    public let readAhead: Int
    /// Offset in the object of the next byte `read` returns.
    public private(set) var position: Int64
    /// GET requests started (blocks; retries inside the store are not counted).
    public private(set) var requests = 0

    private var current: [UInt8] = []
    private var currentOffset = 0
    /// Offset of the first byte not yet requested.
    private var nextFetch: Int64
    private var inFlight: [Task<[UInt8], any Error>] = []

    /// A reader of `key` (`size` bytes, ETag `etag`) from byte `offset` on.
    public init(store: any ObjectStore, key: String, size: Int64, etag: String, from offset: Int64 = 0,
                blockSize: Int = 8 << 20, readAhead: Int = 2) {
        self.store = store
        self.key = key
        self.size = size
        self.etag = etag
        self.blockSize = max(64 << 10, blockSize)
        self.readAhead = max(0, readAhead)
        position = min(max(0, offset), size)
        nextFetch = position
    }

    deinit { cancel() }

    /// Moves to byte `offset` (dropping what was fetched ahead).
    public func seek(to offset: Int64) {
        cancel()
        current = []
        currentOffset = 0
        position = min(max(0, offset), size)
        nextFetch = position
    }

    /// Stops the fetches in flight (the reader can be used again after a `seek`).
    public func cancel() {
        for t in inFlight { t.cancel() }
        inFlight.removeAll()
    }

    /// Fills a prefix of `buffer`; returns the bytes written, 0 at the end of the object.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if currentOffset >= current.count {
            guard try nextBlock() else { return 0 }
        }
        let n = min(buffer.count, current.count - currentOffset)
        current.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + currentOffset, byteCount: n)
        }
        currentOffset += n
        position += Int64(n)
        return n
    }

    /// Makes the next block current; false at the end of the object.
    private func nextBlock() throws -> Bool {
        current = []
        currentOffset = 0
        fill()  // this block and `readAhead` more: those keep coming while this one is consumed
        guard !inFlight.isEmpty else { return false }
        let task = inFlight.removeFirst()
        let expected = Int(min(Int64(blockSize), size - position))
        let bytes: [UInt8]
        do {
            bytes = try Blocking.run { try await task.value }
        } catch ObjectStoreError.preconditionFailed {
            cancel()
            throw ObjectStoreError.preconditionFailed(
                "\(store.description)\(key): the object changed while being read (its ETag is no longer \(etag))")
        } catch {
            cancel()
            throw error
        }
        guard bytes.count == expected else {
            cancel()
            throw ObjectStoreError.requestFailed(
                "\(store.description)\(key): expected \(expected) bytes at offset \(position), got \(bytes.count) (the object changed?)")
        }
        current = bytes
        return !bytes.isEmpty
    }

    /// Starts GETs until `readAhead + 1` blocks are in flight or the object is all requested.
    private func fill() {
        while inFlight.count < readAhead + 1 && nextFetch < size {
            let range = nextFetch..<min(size, nextFetch + Int64(blockSize))
            nextFetch = range.upperBound
            let store = self.store, key = self.key, etag = self.etag
            requests += 1
            inFlight.append(Task { try await store.get(key, range: range, ifMatch: etag) })
        }
    }
}
