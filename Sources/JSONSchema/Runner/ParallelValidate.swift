// Parallel `floe validate`: `jobs` worker threads validate, the calling thread prints in input order.
//
// NDJSON from a regular file is cut into byte ranges of `chunkBytes`; chunk k holds the lines that *start* in
// [k·C, (k+1)·C), so a worker finds its lines by itself (pread, no shared reader): the only ordered work is
// handing out the next chunk number and printing. Line numbers are counted per chunk and made absolute when
// printed. Other inputs (stdin, pipes) are read by one claimer at a time, which copies whole lines out of the
// stream reader. Waiting threads sleep on a condition variable; at most `2 × jobs + 2` chunks are in flight.

import Parallel
import JSON

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Stages of the validate pipeline (`--profile`).
enum ValidateStage {
    static let names: [(String, Bool)] = [("claim", true), ("read", false), ("validate", false), ("print", true)]
    static let claim = 0, read = 1, validate = 2, print = 3
}

/// What a chunk produced: the lines it covered and the outcomes that print (line numbers relative to the chunk's
/// first line unless `absolute`).
final class ChunkResult: @unchecked Sendable {
    var newlines = 0
    var absolute = false
    var byteEnd = 0
    var records = 0
    var outcomes: [(line: Int, verdict: RunState.Verdict?, fixed: InstanceOutcome?)] = []
}

struct ParallelNDJSON {
    let path: String
    let reader: NDJSONReader
    let config: ValidateConfiguration
    var validator: JSONSchemaValidator
    let total: Int
    let chunkBytes: Int
    let maxLine = 64 << 20
    let tooLongPrefix = 1024
    /// A valid record prints nothing and adds no JUnit case (text and GitHub reports).
    let validQuiet: Bool

    init(path: String, reader: NDJSONReader, config: ValidateConfiguration, validator: JSONSchemaValidator, total: Int) {
        self.path = path
        self.reader = reader
        self.config = config
        self.validator = validator
        self.total = total
        chunkBytes = max(1, config.chunkBytes)
        validQuiet = config.report == .text || config.report == .github
    }

    /// The shared state: next chunk to hand out, results waiting to print.
    final class Shared: @unchecked Sendable {
        let m = Monitor()
        var next = 0
        var printed = 0
        var end = Int.max
        var results: [Int: ChunkResult] = [:]
        var stop = false
        var readError: String?
        var streamLine = 1
    }

    func run(_ state: inout RunState) {
        let jobs = max(1, config.jobs)
        let profile = config.profile
        profile?.threads = jobs
        var fd: Int32 = -1
        var size = 0
        if path != "-" {
            var st = stat()
            let f = open(path, O_RDONLY | O_CLOEXEC)
            if f >= 0 && fstat(f, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG {
                fd = f
                size = Int(st.st_size)
            } else if f >= 0 {
                close(f)
            }
        }
        let shared = Shared()
        // a small file gets smaller ranges (about four per job), so every worker has work and the memory the
        // workers touch does not outgrow the input
        let chunkBytes = min(self.chunkBytes, max(256 << 10, size / (4 * jobs)))
        if fd >= 0 { shared.end = max(1, (size + chunkBytes - 1) / chunkBytes) }
        let limit = 2 * jobs + 2
        nonisolated(unsafe) let base = self
        let fileFD = fd
        let fileSize = size
        nonisolated(unsafe) let streamReader = reader
        let group = WorkerThreads.spawn(jobs) { worker in
            // every worker but the first validates with its own compiled copy of the schema (see replica())
            var me = base
            if worker > 0 { me.validator = base.validator.replica() }
            let buffer = RangeBuffer()
            while true {
                shared.m.lock()
                while !shared.stop && shared.next < shared.end && shared.next - shared.printed >= limit { shared.m.wait() }
                if shared.stop || shared.next >= shared.end {
                    shared.m.unlock()
                    return
                }
                let k = shared.next
                shared.next += 1
                let result = ChunkResult()
                if fileFD < 0 {
                    // a stream: copy the next lines out under the lock (the one ordered read)
                    let t0 = threadCPUNanos()
                    let more = me.copyLines(streamReader, into: buffer, result, shared)
                    profile?.add(ValidateStage.claim, nanos: threadCPUNanos() &- t0)
                    if !more { shared.end = k + 1 }
                    shared.m.unlock()
                    me.validateCopied(buffer, result, profile)
                } else {
                    shared.m.unlock()
                    me.validateRange(fileFD, k, size: fileSize, chunk: chunkBytes, buffer, result, profile)
                }
                shared.m.lock()
                shared.results[k] = result
                shared.m.broadcast()
                shared.m.unlock()
            }
        }
        if group.count == 0 {
            // no threads: validate here, in order
            let buffer = RangeBuffer()
            var k = 0
            var base = 0
            var records = 0
            while k < shared.end && !state.stop {
                let result = ChunkResult()
                if fd < 0 {
                    if !copyLines(reader, into: buffer, result, shared) { shared.end = k + 1 }
                    validateCopied(buffer, result, profile)
                } else {
                    validateRange(fd, k, size: size, chunk: chunkBytes, buffer, result, profile)
                }
                base = emit(result, base: base, records: &records, &state)
                k += 1
            }
        } else {
            var base = 0
            var k = 0
            var records = 0
            shared.m.lock()
            while k < shared.end {
                guard let r = shared.results.removeValue(forKey: k) else {
                    shared.m.wait()
                    continue
                }
                shared.m.unlock()
                let t0 = threadCPUNanos()
                base = emit(r, base: base, records: &records, &state)
                profile?.add(ValidateStage.print, nanos: threadCPUNanos() &- t0)
                shared.m.lock()
                shared.printed = k + 1
                if state.stop { shared.stop = true }
                shared.m.broadcast()
                if shared.stop { break }
                k += 1
            }
            shared.m.unlock()
            group.join()
        }
        if fd >= 0 { close(fd) }
        if let e = shared.readError { state.emit(InstanceOutcome(bad: true, diagnostic: "floe: \(path): \(e)")) }
    }

    /// Prints a chunk's outcomes; returns the line base of the next chunk.
    private func emit(_ r: ChunkResult, base: Int, records: inout Int, _ state: inout RunState) -> Int {
        for o in r.outcomes {
            let line = r.absolute ? o.line : base + o.line
            if o.fixed != nil {
                state.emit(Report.unusable(path, file: path, line: line, what: "line too long", position: nil, style: config.report))
            } else if let v = o.verdict {
                state.emit(RunState.render(v, instance: path, line: line, config: config))
            }
            if state.stop { break }
        }
        records += r.records
        if let progress = config.progress { progress(r.byteEnd, total, records) }
        return base + r.newlines
    }

    // MARK: stream input (one reader, under the lock)

    /// Copies about `chunkBytes` of lines from the stream reader; false when the stream ended.
    private func copyLines(_ reader: NDJSONReader, into buffer: RangeBuffer, _ result: ChunkResult, _ shared: Shared) -> Bool {
        buffer.count = 0
        buffer.lines.removeAll(keepingCapacity: true)
        result.absolute = true
        do {
            while let line = try reader.nextLine() {
                let start = buffer.count
                buffer.append(reader.lineBytes)
                buffer.lines.append((line.lineNumber, start..<buffer.count, line.isTooLong))
                result.byteEnd = line.byteOffset + line.length
                if buffer.count >= chunkBytes || buffer.lines.count >= 16384 { return true }
            }
        } catch {
            shared.readError = "\(error)"
        }
        return false
    }

    private func validateCopied(_ buffer: RangeBuffer, _ result: ChunkResult, _ profile: StageProfile?) {
        let t0 = threadCPUNanos()
        let all = buffer.bytes
        for l in buffer.lines {
            result.records += 1
            if l.tooLong {
                result.outcomes.append((l.number, nil, InstanceOutcome(bad: true, diagnostic: "")))
                continue
            }
            check(UnsafeRawBufferPointer(rebasing: all[l.range]), line: l.number, result)
        }
        profile?.add(ValidateStage.validate, nanos: threadCPUNanos() &- t0, items: result.records)
    }

    @inline(__always)
    private func check(_ bytes: UnsafeRawBufferPointer, line: Int, _ result: ChunkResult) {
        let v = RunState.verdict(bytes, config: config, validator: validator)
        if case .valid = v, validQuiet { return }
        result.outcomes.append((line, v, nil))
    }

    // MARK: regular files (every worker reads its own range)

    /// Validates the lines that start in chunk `k` of the file.
    private func validateRange(_ fd: Int32, _ k: Int, size: Int, chunk chunkBytes: Int, _ buf: RangeBuffer,
                               _ result: ChunkResult, _ profile: StageProfile?) {
        let lo = k * chunkBytes
        let last = (k + 1) * chunkBytes >= size
        let hi = last ? Int.max : (k + 1) * chunkBytes
        var t0 = threadCPUNanos()
        var readNanos: UInt64 = 0
        // position 0 of the buffer is file offset `from`
        let from = max(0, lo - 1)
        buf.reset(at: from)
        var first = lo
        if lo > 0 {
            // the first line starting at or after `lo` follows the first newline at or after lo - 1
            var p = from
            while true {
                if p >= buf.end && !buf.fill(fd, want: chunkBytes + 65536) { first = Int.max; break }
                if let nl = buf.find(0x0A, from: p) { first = nl + 1; break }
                p = buf.end
                if p >= hi { first = Int.max; break }
            }
        } else if !buf.fill(fd, want: chunkBytes + 65536) {
            first = Int.max
        }
        result.byteEnd = min(size, hi)
        var start = first
        var lineNo = 1
        readNanos &+= threadCPUNanos() &- t0
        t0 = threadCPUNanos()
        let firstRead = readNanos
        while start < hi {
            // find the end of the line starting at `start`
            var scan = start
            var end = -1
            var tooLong = false
            while true {
                if let nl = buf.find(0x0A, from: scan) { end = nl; break }
                scan = max(scan, buf.end)
                if scan - start > maxLine { tooLong = true; break }
                let r0 = threadCPUNanos()
                let more = buf.fill(fd, want: max(1 << 20, buf.end - start), keepFrom: start)
                readNanos &+= threadCPUNanos() &- r0
                if !more { break }
            }
            if tooLong {
                // keep nothing of it; read on to its end
                let r0 = threadCPUNanos()
                let nl = buf.skipPastNewline(fd, from: scan)
                readNanos &+= threadCPUNanos() &- r0
                result.records += 1
                result.outcomes.append((lineNo, nil, InstanceOutcome(bad: true, diagnostic: "")))
                if nl < 0 { break }
                start = nl + 1
                lineNo += 1
                result.newlines += 1
                continue
            }
            let lineEnd = end >= 0 ? end : buf.end
            if lineEnd == start && end < 0 { break }  // end of file
            var e = lineEnd
            if e > start && buf.byte(at: e - 1) == 0x0D { e -= 1 }
            let line = buf.slice(start, e)
            if !isBlank(line) {
                result.records += 1
                check(line, line: lineNo, result)
            }
            if end < 0 { break }
            result.newlines += 1
            lineNo += 1
            start = end + 1
        }
        // line splitting is counted with validation; reading is the preads
        let spent = threadCPUNanos() &- t0
        profile?.add(ValidateStage.read, nanos: readNanos, items: 1)
        profile?.add(ValidateStage.validate, nanos: spent &- min(spent, readNanos &- firstRead), items: result.records)
    }

    @inline(__always)
    private func isBlank(_ line: UnsafeRawBufferPointer) -> Bool {
        for c in line where c != 0x20 && c != 0x09 && c != 0x0D { return false }
        return true
    }
}

/// A window of a file (or a copy of stream lines) in one growable buffer: byte i is file offset `origin + i`.
final class RangeBuffer {
    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    var count = 0
    var origin = 0
    var eof = false
    var lines: [(number: Int, range: Range<Int>, tooLong: Bool)] = []

    init() {
        capacity = 1 << 16
        base = .allocate(byteCount: capacity, alignment: 16)
    }
    deinit { base.deallocate() }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
    /// File offset just past the buffered bytes.
    var end: Int { origin + count }

    func reset(at offset: Int) {
        origin = offset
        count = 0
        eof = false
    }

    private func reserve(_ n: Int) {
        guard n > capacity else { return }
        var c = capacity
        while c < n { c *= 2 }
        let nb = UnsafeMutableRawPointer.allocate(byteCount: c, alignment: 16)
        nb.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = nb
        capacity = c
    }

    func append(_ p: UnsafeRawBufferPointer) {
        guard p.count > 0 else { return }
        reserve(count + p.count)
        (base + count).copyMemory(from: p.baseAddress!, byteCount: p.count)
        count += p.count
    }

    /// Reads up to `want` more bytes from the file; drops the bytes before file offset `keepFrom` first.
    /// False at the end of the file (nothing more came).
    func fill(_ fd: Int32, want: Int, keepFrom: Int? = nil) -> Bool {
        if eof { return false }
        if let k = keepFrom, k > origin {
            let drop = min(count, k - origin)
            if drop > 0 && drop < count { memmove(base, base + drop, count - drop) }
            count -= drop
            origin += drop
        }
        reserve(count + want)
        var got = 0
        while got < want {
            let n = pread(fd, base + count, want - got, off_t(origin + count))
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { eof = true; break }
            count += n
            got += n
        }
        return got > 0
    }

    /// File offset of the first `byte` at or after file offset `from` within the buffer.
    @inline(__always)
    func find(_ byte: UInt8, from: Int) -> Int? {
        let i = from - origin
        guard i < count else { return nil }
        guard let hit = memchr(base + i, Int32(byte), count - i) else { return nil }
        return origin + (UnsafeMutableRawPointer(hit) - base)
    }

    @inline(__always)
    func byte(at offset: Int) -> UInt8 { base.load(fromByteOffset: offset - origin, as: UInt8.self) }

    @inline(__always)
    func slice(_ from: Int, _ to: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + (from - origin), count: to - from)
    }

    /// Reads on from file offset `from` to the next newline, dropping the bytes; returns its offset (-1 at EOF).
    /// The buffer then starts at that newline.
    func skipPastNewline(_ fd: Int32, from: Int) -> Int {
        var at = from
        while true {
            if let nl = find(0x0A, from: at) {
                return nl
            }
            at = end
            count = 0
            origin = at
            if !fill(fd, want: 1 << 20) { return -1 }
        }
    }
}

/// Documents (one instance per file) on `jobs` threads, printed in input order by the caller.
enum ParallelDocuments {
    final class Shared: @unchecked Sendable {
        let m = Monitor()
        var next = 0
        var printed = 0
        var results: [Int: InstanceOutcome] = [:]
    }

    static func run(count: Int, jobs: Int, profile: StageProfile?, work: @escaping @Sendable (Int) -> InstanceOutcome,
                    emit: (InstanceOutcome) -> Void) {
        let shared = Shared()
        let limit = 64 * jobs
        profile?.threads = jobs
        let group = WorkerThreads.spawn(min(jobs, count)) { _ in
            while true {
                shared.m.lock()
                while shared.next < count && shared.next - shared.printed >= limit { shared.m.wait() }
                if shared.next >= count {
                    shared.m.unlock()
                    return
                }
                let i = shared.next
                shared.next += 1
                shared.m.unlock()
                let t0 = threadCPUNanos()
                let o = work(i)
                profile?.add(ValidateStage.validate, nanos: threadCPUNanos() &- t0)
                shared.m.lock()
                shared.results[i] = o
                shared.m.broadcast()
                shared.m.unlock()
            }
        }
        if group.count == 0 {
            for i in 0..<count { emit(work(i)) }
            return
        }
        shared.m.lock()
        var i = 0
        while i < count {
            guard let o = shared.results.removeValue(forKey: i) else {
                shared.m.wait()
                continue
            }
            shared.m.unlock()
            let t0 = threadCPUNanos()
            emit(o)
            profile?.add(ValidateStage.print, nanos: threadCPUNanos() &- t0)
            shared.m.lock()
            i += 1
            shared.printed = i
            shared.m.broadcast()
        }
        shared.m.unlock()
        group.join()
    }
}
