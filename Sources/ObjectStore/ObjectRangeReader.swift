import Foundation
import Synchronization

/// Synchronous random access to one object for a format reader (the Parquet reader's byte source), built on ranged
/// GETs:
/// - the tail is fetched once (`tailSize`, 64 KiB by default) and kept: a Parquet footer that fits is read with one
///   GET, a larger one with a second;
/// - `prefetch` of several ranges coalesces those less than `coalesceGap` apart into one GET and fetches the groups
///   in parallel; reads inside a prefetched range cost nothing; each prefetch drops the ranges earlier ones kept;
/// - a read that misses every cached range is one GET of at least `readAhead` bytes (sequential readers do not pay a
///   request per page); cached ranges other than the tail are dropped when the cache exceeds `cacheLimit`.
/// Safe to use from several threads (the reader's state is behind a lock; reads that miss the cache are made one
/// at a time, so a row group should be `prefetch`ed first).
public final class ObjectRangeReader: @unchecked Sendable {
    private let lock = Mutex(())
    /// The store holding the object.
    public let store: any ObjectStore
    /// The object's key.
    public let key: String
    /// The object's size in bytes.
    public let size: Int
    /// The object's ETag when opened.
    public let etag: String
    /// Bytes of the tail fetched and kept (a Parquet footer that fits is one GET).
    public var tailSize = 64 << 10
    /// Least bytes fetched by a read that misses the cache.
    public var readAhead = 1 << 20
    /// Prefetched ranges closer than this are fetched with one GET.
    public var coalesceGap = 64 << 10
    /// Most bytes of cached ranges (the tail aside).
    public var cacheLimit = 256 << 20
    private var tail: (start: Int, bytes: [UInt8])?
    private var cached: [(start: Int, bytes: [UInt8])] = []
    private var cachedBytes = 0
    /// GET requests made by this reader (for tests and statistics).
    public private(set) var requests = 0
    /// Bytes fetched by this reader.
    public private(set) var bytesFetched = 0

    /// Opens `key` with one GET of its tail (`tailSize` bytes), which also tells its size.
    public init(store: any ObjectStore, key: String, tailSize: Int = 64 << 10) throws {
        self.store = store
        self.key = key
        self.tailSize = tailSize
        let t = try Blocking.run { try await store.getTail(key, length: tailSize) }
        size = Int(t.size)
        etag = t.etag
        tail = (size - t.bytes.count, t.bytes)
        requests = 1
        bytesFetched = t.bytes.count
    }

    /// Opens `key` whose size and ETag are known (no request until the first read).
    public init(store: any ObjectStore, key: String, size: Int, etag: String) {
        self.store = store
        self.key = key
        self.size = size
        self.etag = etag
    }

    /// Calls `body` with the bytes of `range` (clamped to the object).
    public func withBytes<R>(_ range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let r = max(0, range.lowerBound)..<min(size, max(range.upperBound, range.lowerBound))
        if r.isEmpty { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        // Find or fetch under the lock; decode outside it (the array is shared, not copied).
        let found: (bytes: [UInt8], offset: Int) = try lock.withLock { _ in try locate(r) }
        return try found.bytes.withUnsafeBytes {
            try body(UnsafeRawBufferPointer(rebasing: $0[found.offset..<(found.offset + r.count)]))
        }
    }

    private func locate(_ r: Range<Int>) throws -> (bytes: [UInt8], offset: Int) {
        if tail == nil, r.upperBound == size, r.count <= tailSize {
            let start = max(0, size - tailSize)
            tail = (start, try fetch([start..<size])[0])
        }
        if let t = tail, r.lowerBound >= t.start { return (t.bytes, r.lowerBound - t.start) }
        if let c = cached.first(where: { $0.start <= r.lowerBound && r.upperBound <= $0.start + $0.bytes.count }) {
            return (c.bytes, r.lowerBound - c.start)
        }
        // Fetch with read-ahead, but never into the kept tail.
        var end = max(r.upperBound, min(size, r.lowerBound + readAhead))
        if let t = tail, r.upperBound <= t.start { end = min(end, t.start) }
        let bytes = try fetch([r.lowerBound..<end])[0]
        insert(start: r.lowerBound, bytes: bytes)
        return (bytes, 0)
    }

    /// Fetches `ranges` ahead of reading them: neighbours closer than `coalesceGap` become one GET, groups are
    /// fetched in parallel.
    public func prefetch(_ ranges: [Range<Int>]) throws {
        try lock.withLock { _ in try prefetchLocked(ranges) }
    }

    private func prefetchLocked(_ ranges: [Range<Int>]) throws {
        // A prefetch starts the next unit of work (a row group): what earlier ones fetched is let go, so memory
        // stays at one unit's ranges (plus the tail).
        cached.removeAll { c in !ranges.contains { $0.overlaps(c.start..<(c.start + c.bytes.count)) } }
        cachedBytes = cached.reduce(0) { $0 + $1.bytes.count }
        let want = ranges.map { max(0, $0.lowerBound)..<min(size, $0.upperBound) }.filter { !$0.isEmpty }
            .filter { r in !(tail.map { r.lowerBound >= $0.start } ?? false) }
            .filter { r in !cached.contains { $0.start <= r.lowerBound && r.upperBound <= $0.start + $0.bytes.count } }
            .sorted { $0.lowerBound < $1.lowerBound }
        var groups: [Range<Int>] = []
        for r in want {
            if let last = groups.last, r.lowerBound <= last.upperBound + coalesceGap {
                groups[groups.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
            } else {
                groups.append(r)
            }
        }
        if groups.isEmpty { return }
        let fetched = try fetch(groups)
        for (g, b) in zip(groups, fetched) { insert(start: g.lowerBound, bytes: b) }
    }

    /// Drops cached ranges (not the tail).
    public func releaseCache() {
        lock.withLock { _ in
            cached = []
            cachedBytes = 0
        }
    }

    private func insert(start: Int, bytes: [UInt8]) {
        cached.append((start, bytes))
        cachedBytes += bytes.count
        while cachedBytes > cacheLimit, cached.count > 1 {
            cachedBytes -= cached.removeFirst().bytes.count
        }
    }

    private func fetch(_ ranges: [Range<Int>]) throws -> [[UInt8]] {
        let store = self.store, key = self.key
        requests += ranges.count
        let out = try Blocking.run {
            try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
                for (i, r) in ranges.enumerated() {
                    group.addTask { (i, try await store.get(key, range: Int64(r.lowerBound)..<Int64(r.upperBound))) }
                }
                var result = [[UInt8]](repeating: [], count: ranges.count)
                for try await (i, b) in group { result[i] = b }
                return result
            }
        }
        for (r, b) in zip(ranges, out) {
            guard b.count == r.count else {
                throw ObjectStoreError.requestFailed(
                    "\(store.description)\(key): expected \(r.count) bytes at \(r.lowerBound), got \(b.count) (object changed?)")
            }
            bytesFetched += b.count
        }
        return out
    }
}
