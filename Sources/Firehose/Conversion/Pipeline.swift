// The convert pipeline on `config.jobs` threads. Stages (see README "Convert pipeline"):
//   claim    (ordered)  hand out the next chunk: a range number for a plain file; for stdin, pipes and
//                       compressed input, read the next whole lines from the one stream
//   read     (parallel) a plain file's range: pread, find the lines that start in it, count newlines
//   convert  (parallel) parse JSON into column builders, render error records, copy out column batches
//   deliver  (ordered)  in input order: line numbers, statistics, assign rows to files and row groups (slices),
//                       buffering hints; seals full row groups
//   encode   (parallel) one task per column of a sealed row group: pages, dictionary, compression, statistics,
//                       page index, bloom filter
//   place    (ordered per file) give a file's encoded row groups their file ranges and metadata, in order
//   write    (parallel) pwrite a placed row group's column chunks
//   close    (ordered)  footer, fsync, rename; checkpoint and publish
// A worker prefers encode tasks (they free memory), then the next delivery, then a new chunk; it sleeps on the
// monitor when there is nothing to do. At most `jobs + 1` chunks are claimed and not delivered; row groups wait
// for encoding only while every worker is busy encoding.

import Parallel
import JSON
import Parquet

/// Where a pipeline's chunks come from.
enum PipelineSource {
    case ranges(RangeInput)
    case stream(ChunkReader, Int)
}

/// Stages of the convert pipeline, for `StageProfile`.
public enum ConvertStage {
    /// The stage names in report order, each with whether it is an ordered (single-threaded) stage.
    public static let names: [(String, Bool)] = [
        ("claim", true), ("read", false), ("convert", false), ("deliver", true), ("encode", false),
        ("place", true), ("write", false), ("close", true),
    ]
    static let claim = 0, read = 1, convert = 2, deliver = 3, encode = 4, place = 5, write = 6, close = 7
}

/// The chunk bookkeeping of `Converter.pipeline`, guarded by the scheduler's monitor.
final class PipelineState: @unchecked Sendable {
    let limit: Int
    /// Chunks claimed and delivered so far; chunk numbers are claim order.
    var claimed = 0
    var delivered = 0
    var atEnd = false
    var claiming = false
    var delivering = false
    var sealedAtEnd = false
    /// A stop request (SIGINT/SIGTERM) ended the input before its last chunk was claimed.
    var stopped = false
    var failure: Error?
    /// Converted chunks waiting for their turn to be delivered, by number.
    var ready: [Int: ChunkWork] = [:]
    var pool: [ChunkWork] = []
    /// Stream position after the chunks delivered so far (the deliverer's).
    var offset: Int64 = 0
    var line = 1

    init(limit: Int) { self.limit = limit }
}

extension Converter {
    /// One input on `config.jobs` workers; returns the stream position (offset, next line) reached and whether
    /// a stop request ended it before its end.
    func pipeline(_ source: PipelineSource, _ f: String, _ processor: ChunkProcessor, start: (Int64, Int),
                  arrival: Int64, lastInput: Bool) throws -> (offset: Int64, line: Int, stopped: Bool) {
        let jobs = max(1, config.jobs)
        let sched = delivery.scheduler
        let m = sched.m
        let profile = config.profile
        sched.inline = false
        sched.maxPooled = jobs + 3
        defer { sched.inline = true }
        // delivered column data waiting for encoding: about one chunk per two jobs (EncodeScheduler.queuedRaw)
        let queuedLimit = max(1, jobs / 2) * max(1 << 20, config.chunkBytes)
        let state = PipelineState(limit: jobs + 1)
        state.offset = start.0
        state.line = start.1
        // the workers share `self` only as its one deliverer (or under the monitor)
        nonisolated(unsafe) let me = self
        nonisolated(unsafe) let source = source
        WorkerThreads.run(jobs) { _ in
            m.lock()
            defer { m.unlock() }
            while true {
                if state.failure == nil, let e = sched.failure { state.failure = e }
                if state.failure != nil {
                    m.broadcast()
                    return
                }
                // 1. encode tasks first: they free the row groups' column data
                if sched.hasTask {
                    sched.runOne()
                    continue
                }
                // 2. the next delivery, in input order
                if !state.delivering, let r = state.ready.removeValue(forKey: state.delivered) {
                    state.delivering = true
                    m.unlock()
                    var failed: Error?
                    let t0 = threadCPUNanos()
                    do {
                        try me.deliverInOrder(r, state)
                    } catch {
                        failed = error
                    }
                    profile?.add(ConvertStage.deliver, nanos: threadCPUNanos() &- t0)
                    m.lock()
                    state.delivering = false
                    state.delivered += 1
                    state.pool.append(r)
                    if let e = failed, state.failure == nil { state.failure = e }
                    m.broadcast()
                    continue
                }
                // 3. a new chunk
                if !state.atEnd && !state.claiming && state.claimed - state.delivered < state.limit
                    && sched.queuedRaw <= queuedLimit {
                    if case .ranges(let input) = source, state.claimed >= input.count {
                        state.atEnd = true
                        m.broadcast()
                        continue
                    }
                    // a stop request ends the input at this chunk boundary; what is claimed is still delivered
                    // (a stream's claim checks it itself)
                    if case .ranges = source, me.config.stop.isRequested {
                        state.atEnd = true
                        state.stopped = true
                        m.broadcast()
                        continue
                    }
                    let w = state.pool.popLast() ?? ChunkWork()
                    let seq = state.claimed
                    state.claimed += 1
                    var failed: Error?
                    var got = true
                    switch source {
                    case .ranges(let input):
                        m.unlock()
                        let t0 = threadCPUNanos()
                        do { try me.readRange(w, input, seq, f, arrival: arrival) } catch { failed = error }
                        profile?.add(ConvertStage.read, nanos: threadCPUNanos() &- t0)
                    case .stream(let reader, let target):
                        // one reader: the claim is the ordered read
                        state.claiming = true
                        m.unlock()
                        let t0 = threadCPUNanos()
                        do {
                            got = try me.claim(w, reader, f, target: target, interactive: false, arrival: arrival)
                        } catch {
                            failed = error
                        }
                        profile?.add(ConvertStage.claim, nanos: threadCPUNanos() &- t0)
                        m.lock()
                        state.claiming = false
                        if !got || failed != nil { state.claimed -= 1 }
                        if !got { state.atEnd = true }
                        m.broadcast()
                        m.unlock()
                    }
                    if got && failed == nil {
                        let t0 = threadCPUNanos()
                        processor.process(w)
                        profile?.add(ConvertStage.convert, nanos: threadCPUNanos() &- t0, items: w.recordsIn)
                    }
                    m.lock()
                    if got && failed == nil {
                        state.ready[seq] = w
                    } else {
                        state.pool.append(w)
                        if let e = failed, state.failure == nil { state.failure = e }
                    }
                    m.broadcast()
                    continue
                }
                // 4. the end: the last input seals its open row groups so the workers encode them
                if state.atEnd && state.delivered == state.claimed && !state.delivering {
                    if lastInput && !state.sealedAtEnd {
                        state.sealedAtEnd = true
                        m.unlock()
                        var failed: Error?
                        do { try me.delivery.sealOpenRowGroups() } catch { failed = error }
                        m.lock()
                        if let e = failed, state.failure == nil { state.failure = e }
                        continue
                    }
                    if !sched.hasTask {
                        m.broadcast()
                        return
                    }
                    continue
                }
                m.wait()
            }
        }
        if let e = state.failure ?? sched.failure { throw e }
        precondition(state.ready.isEmpty && state.delivered == state.claimed, "every chunk is delivered")
        return (state.offset, state.line, state.stopped)
    }

    /// Reads range `k` of a plain file into `w` (a worker, in parallel).
    func readRange(_ w: ChunkWork, _ input: RangeInput, _ k: Int, _ f: String, arrival: Int64) throws {
        let r: RangeInput.Range
        do { r = try input.read(k, into: w.buffer) } catch { throw InputError(message: "\(f): \(error)") }
        w.input = f
        w.begin = r.begin
        // A UTF-8 byte-order mark opening the file is not part of the first record (issue 11), as in `claim`.
        if k == 0 && input.origin == 0 && r.oversize[r.begin] == nil && w.buffer.count >= r.begin + 3,
           w.buffer.bytes[r.begin] == 0xEF, w.buffer.bytes[r.begin + 1] == 0xBB, w.buffer.bytes[r.begin + 2] == 0xBF {
            w.begin += 3
        }
        w.relativeLines = true
        w.firstLine = 0
        w.oversize = r.oversize
        w.oversizeLine = nil
        w.streamBytes = r.end - r.start
        w.lineCount = r.newlines
        w.endOffset = r.isEmpty ? -1 : r.end
        w.arrival = config.arrivalTime ?? arrival
        w.ending = config.arrivalTime ?? config.clock.nowMillis()
        w.clearResults()
        if w.own == nil { w.own = ColumnBuilders(layout: layout) }
        w.spare = w.own
    }

    /// The ordered step for one chunk: absolute line numbers and positions, then delivery.
    func deliverInOrder(_ w: ChunkWork, _ state: PipelineState) throws {
        if w.relativeLines {
            w.firstLine = state.line
            state.line += w.lineCount
            if w.endOffset >= 0 { state.offset = w.endOffset } else { w.endOffset = state.offset }
        } else {
            state.offset = w.endOffset
            state.line = w.firstLine + w.lineCount
        }
        try deliverChunk(w)
    }
}
