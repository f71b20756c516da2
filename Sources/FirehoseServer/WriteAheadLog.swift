// The write-ahead log: every accepted batch of records is appended to the current segment and fsynced before
// the call is answered. Appends group-commit: the first caller to find no sync in progress writes everything
// queued so far with one write and one fdatasync; callers arriving meanwhile wait for the next round. Entries carry
// a log sequence number (LSN); a stream that published its records through LSN n reports it, and a closed
// segment is deleted once every stream with entries in it has published them. The bytes on disk plus those queued
// are bounded: past the bound, appends are refused (the caller answers "Slow down.").
//
// Entry layout (little-endian): magic "FLW1", payload length u32, CRC-32 of the payload u32; payload: LSN u64,
// arrival ms i64, stream name length u16 + UTF-8 name, record count u32, then per record its length u32 and bytes.
// Replay stops at the first torn or corrupt entry of the last segment (a crash mid-write; never acknowledged).

import CCodecs
import Parquet
#if canImport(Glibc)
import Glibc
#endif

struct WALEntry {
    var lsn: UInt64
    var arrival: Int64
    var stream: String
    /// The records, back to back, and their ranges in `bytes`.
    var bytes: [UInt8]
    var records: [Range<Int>]
}

struct WALError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

final class WriteAheadLog: @unchecked Sendable {
    struct Segment {
        var path: String
        var firstLSN: UInt64
        var size: Int
        /// Highest LSN per stream in the segment.
        var lastLSN: [String: UInt64] = [:]
    }

    let directory: String
    let segmentBytes: Int
    let maxBytes: Int
    private var mutex = pthread_mutex_t()
    private var cond = pthread_cond_t()
    private var fd: Int32 = -1
    private var segments: [Segment] = []
    private var nextLSN: UInt64 = 1
    private var queued: [UInt8] = []
    /// An empty buffer with capacity: the next queue while `queued` is being written.
    private var spare: [UInt8] = []
    private var queuedLast: UInt64 = 0
    private var queuedCallbacks: [(UInt64, (UInt64) -> Void)] = []
    private var durableLSN: UInt64 = 0
    private var syncing = false
    private var failure: WALError?
    /// Bytes in segments on disk plus bytes queued.
    private var liveBytes = 0
    private var published: [String: UInt64] = [:]
    /// Streams deleted: their entries need no publishing.
    private var dropped: Set<String> = []

    static let magic: UInt32 = 0x31574C46 // "FLW1"
    static let headerSize = 12

    init(directory: String, segmentBytes: Int = 64 << 20, maxBytes: Int) throws {
        self.directory = directory
        self.segmentBytes = segmentBytes
        self.maxBytes = maxBytes
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&cond, nil)
        try Disk.makeDirectories(directory)
    }

    deinit {
        if fd >= 0 { close(fd) }
        pthread_cond_destroy(&cond)
        pthread_mutex_destroy(&mutex)
    }

    /// The LSN of the last entry appended.
    var lastLSN: UInt64 {
        pthread_mutex_lock(&mutex); defer { pthread_mutex_unlock(&mutex) }
        return nextLSN - 1
    }

    var bytesInUse: Int {
        pthread_mutex_lock(&mutex); defer { pthread_mutex_unlock(&mutex) }
        return liveBytes
    }

    // MARK: replay

    /// Reads every segment in order; `body` gets each intact entry. Afterwards the log appends to a new segment.
    func replay(_ body: (WALEntry) throws -> Void) throws {
        let names = Disk.list(directory).filter { $0.hasPrefix("wal-") && $0.hasSuffix(".log") }.sorted()
        for (i, name) in names.enumerated() {
            let path = directory + "/" + name
            guard let first = UInt64(name.dropFirst(4).dropLast(4)) else { continue }
            // a segment is named after the LSN it starts at: an empty one (every entry published, the log
            // restarted) still carries the counter on, so LSNs never repeat across restarts (a stream's
            // published-through position would otherwise swallow the new entries)
            nextLSN = max(nextLSN, first)
            let data = try Disk.readAll(path)
            var seg = Segment(path: path, firstLSN: first, size: data.count)
            var off = 0
            while off + Self.headerSize <= data.count {
                let magic = data.loadLE32(off), len = Int(data.loadLE32(off + 4)), crc = data.loadLE32(off + 8)
                guard magic == Self.magic, off + Self.headerSize + len <= data.count else { break }
                let payload = off + Self.headerSize
                let ok = data.withUnsafeBytes { Compression.crc32(UnsafeRawBufferPointer(rebasing: $0[payload..<(payload + len)])) } == crc
                guard ok, let e = Self.decode(data, payload, len) else { break }
                seg.lastLSN[e.stream] = e.lsn
                nextLSN = max(nextLSN, e.lsn + 1)
                try body(e)
                off = payload + len
            }
            if off < data.count {
                if i != names.count - 1 {
                    throw WALError(message: "\(path): corrupt entry at byte \(off) in a segment that is not the last")
                }
                // a torn tail (a crash during its write: never acknowledged) is cut off, so the segment stays
                // readable once later segments follow it
                if truncate(path, off_t(off)) != 0 {
                    throw WALError(message: "cannot truncate \(path): \(String(cString: strerror(errno)))")
                }
            }
            seg.size = off
            segments.append(seg)
            liveBytes += off
        }
        durableLSN = nextLSN - 1
        queuedLast = durableLSN
        // an empty last segment named after the next LSN is the one appends go to (not a second entry of it,
        // which collection would unlink while it is being written)
        if let last = segments.last, last.size == 0, last.firstLSN == nextLSN { segments.removeLast() }
        try openSegment()
    }

    /// The durable entries of `stream` with an LSN above `lsn`, read back from the segments while the log is live
    /// (a stream whose delivery failed rebuilds its buffers from them). A segment deleted meanwhile held nothing the
    /// stream still needed.
    func entries(stream: String, after lsn: UInt64, _ body: (WALEntry) throws -> Void) throws {
        pthread_mutex_lock(&mutex)
        let segs = segments.filter { ($0.lastLSN[stream] ?? 0) > lsn }
        let durable = durableLSN
        pthread_mutex_unlock(&mutex)
        for seg in segs {
            guard let data = try? Disk.readAll(seg.path) else { continue }
            var off = 0
            while off + Self.headerSize <= data.count {
                let magic = data.loadLE32(off), len = Int(data.loadLE32(off + 4))
                guard magic == Self.magic, off + Self.headerSize + len <= data.count,
                      let e = Self.decode(data, off + Self.headerSize, len) else { break }
                off += Self.headerSize + len
                if e.lsn > durable { break }
                if e.stream == stream && e.lsn > lsn { try body(e) }
            }
        }
    }

    static func decode(_ d: [UInt8], _ start: Int, _ len: Int) -> WALEntry? {
        var p = start
        let end = start + len
        guard len >= 22 else { return nil }
        let lsn = d.loadLE64(p); p += 8
        let arrival = Int64(bitPattern: d.loadLE64(p)); p += 8
        let nameLen = Int(d[p]) | Int(d[p + 1]) << 8; p += 2
        guard p + nameLen + 4 <= end else { return nil }
        let name = String(decoding: d[p..<(p + nameLen)], as: UTF8.self); p += nameLen
        let count = Int(d.loadLE32(p)); p += 4
        var bytes: [UInt8] = []
        bytes.reserveCapacity(len)
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(count)
        for _ in 0..<count {
            guard p + 4 <= end else { return nil }
            let n = Int(d.loadLE32(p)); p += 4
            guard p + n <= end else { return nil }
            ranges.append(bytes.count..<(bytes.count + n))
            bytes.append(contentsOf: d[p..<(p + n)])
            p += n
        }
        return WALEntry(lsn: lsn, arrival: arrival, stream: name, bytes: bytes, records: ranges)
    }

    private func openSegment() throws {
        if fd >= 0 { close(fd) }
        let path = directory + "/wal-" + String(format20: nextLSN) + ".log"
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WALError(message: "cannot create \(path): \(String(cString: strerror(errno)))") }
        Disk.fsyncDirectory(directory)
        segments.append(Segment(path: path, firstLSN: nextLSN, size: Disk.fileSize(path)))
    }

    // MARK: appending

    enum AppendResult { case durable(UInt64), full }

    /// Appends the records (ranges of `bytes`) and returns once they are durable; `.full` when they do not fit.
    /// `onDurable` runs once the entry is durable, under the log's lock and in LSN order across all callers (so a
    /// stream receives its entries in log order, and "published through LSN n" never skips an entry below n).
    func append(stream: String, arrival: Int64, bytes: UnsafeRawBufferPointer, records: ArraySlice<Range<Int>>,
                onDurable: @escaping (UInt64) -> Void = { _ in }) throws -> AppendResult {
        let name = Array(stream.utf8)
        var payloadLen = 8 + 8 + 2 + name.count + 4
        for r in records { payloadLen += 4 + r.count }
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        if let f = failure { throw f }
        if liveBytes + Self.headerSize + payloadLen > maxBytes { return .full }
        let lsn = nextLSN
        nextLSN += 1
        // the entry is written straight into the queue (one copy of the records; moved out of the property for
        // the appends), its CRC filled in after
        var q: [UInt8] = []
        swap(&q, &queued)
        let at = q.count
        let need = at + Self.headerSize + payloadLen
        if q.capacity < need { q.reserveCapacity(max(need, 2 * q.capacity)) }
        q.appendLE32(Self.magic); q.appendLE32(UInt32(payloadLen)); q.appendLE32(0)
        q.appendLE64(lsn); q.appendLE64(UInt64(bitPattern: arrival))
        q.append(UInt8(name.count & 0xFF)); q.append(UInt8(name.count >> 8))
        q.append(contentsOf: name)
        q.appendLE32(UInt32(records.count))
        for r in records {
            q.appendLE32(UInt32(r.count))
            q.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[r]))
        }
        q.withUnsafeMutableBytes { b in
            let crc = Compression.crc32(UnsafeRawBufferPointer(rebasing: b[(at + Self.headerSize)...]))
            b.storeBytes(of: crc.littleEndian, toByteOffset: at + 8, as: UInt32.self)
        }
        swap(&q, &queued)
        queuedCallbacks.append((lsn, onDurable))
        queuedLast = lsn
        liveBytes += Self.headerSize + payloadLen
        segments[segments.count - 1].lastLSN[stream] = lsn
        // group commit: wait for a sync covering this entry, or do it
        while durableLSN < lsn {
            if let f = failure { throw f }
            if syncing {
                pthread_cond_wait(&cond, &mutex)
                continue
            }
            syncing = true
            // the queue's buffer goes to the write; the spare (the last write's, emptied) takes appends meanwhile
            var batch: [UInt8] = []
            swap(&batch, &queued)
            swap(&queued, &spare)
            let last = queuedLast
            let callbacks = queuedCallbacks
            queuedCallbacks.removeAll(keepingCapacity: true)
            let segFD = fd
            pthread_mutex_unlock(&mutex)
            var err: WALError? = nil
            var done = 0
            while done < batch.count && err == nil {
                let n = batch.withUnsafeBytes { write(segFD, $0.baseAddress! + done, $0.count - done) }
                if n < 0 {
                    if errno == EINTR { continue }
                    err = WALError(message: "write-ahead log: write failed: \(String(cString: strerror(errno)))")
                } else { done += n }
            }
            if err == nil && fdatasync(segFD) != 0 {
                err = WALError(message: "write-ahead log: fdatasync failed: \(String(cString: strerror(errno)))")
            }
            let written = batch.count
            batch.removeAll(keepingCapacity: true)
            pthread_mutex_lock(&mutex)
            syncing = false
            if batch.capacity <= 64 << 20 && batch.capacity > spare.capacity { spare = batch }
            if let err { failure = err; pthread_cond_broadcast(&cond); throw err }
            durableLSN = last
            for (l, f) in callbacks { f(l) }
            segments[segments.count - 1].size += written
            if segments[segments.count - 1].size >= segmentBytes && queued.isEmpty {
                try openSegment()
            }
            pthread_cond_broadcast(&cond)
        }
        return .durable(lsn)
    }

    // MARK: truncation

    /// `stream` published every entry up to `lsn`: segments no stream needs any more are deleted.
    func published(stream: String, through lsn: UInt64) {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        published[stream] = max(published[stream] ?? 0, lsn)
        collect()
    }

    /// The stream was deleted: its entries are not needed.
    func drop(stream: String) {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        dropped.insert(stream)
        collect()
    }

    /// The stream exists (again): entries appended from now on need publishing.
    func revive(stream: String) {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        dropped.remove(stream)
    }

    private func collect() {
        var i = 0
        while i < segments.count - 1 {
            let s = segments[i]
            let needed = s.lastLSN.contains { stream, last in !dropped.contains(stream) && (published[stream] ?? 0) < last }
            if needed { i += 1; continue }
            unlink(s.path)
            liveBytes -= s.size
            segments.remove(at: i)
        }
        // the current segment, once every entry in it is published and nothing is queued: start a fresh one
        if let cur = segments.last, cur.size > 0, queued.isEmpty, !syncing,
           !cur.lastLSN.contains(where: { stream, last in !dropped.contains(stream) && (published[stream] ?? 0) < last }) {
            let old = cur
            if (try? openSegment()) != nil {
                unlink(old.path)
                liveBytes -= old.size
                segments.removeAll { $0.path == old.path }
            }
        }
    }
}

extension String {
    init(format20 v: UInt64) {
        let digits = String(v)
        self = String(repeating: "0", count: Swift.max(0, 20 - digits.count)) + digits
    }
}

extension Array where Element == UInt8 {
    mutating func appendLE32(_ v: UInt32) {
        append(UInt8(v & 0xFF)); append(UInt8((v >> 8) & 0xFF)); append(UInt8((v >> 16) & 0xFF)); append(UInt8(v >> 24))
    }
    mutating func appendLE64(_ v: UInt64) {
        appendLE32(UInt32(truncatingIfNeeded: v)); appendLE32(UInt32(truncatingIfNeeded: v >> 32))
    }
    func loadLE32(_ i: Int) -> UInt32 {
        UInt32(self[i]) | UInt32(self[i + 1]) << 8 | UInt32(self[i + 2]) << 16 | UInt32(self[i + 3]) << 24
    }
    func loadLE64(_ i: Int) -> UInt64 { UInt64(loadLE32(i)) | UInt64(loadLE32(i + 4)) << 32 }
}
