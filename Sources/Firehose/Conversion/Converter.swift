// The Firehose-equivalent stage: NDJSON in, Parquet files per prefix and error records out.
//
// Inputs are read in chunks of whole lines; `jobs` chunks at a time are converted in parallel, each into its own
// column builders (one set per partition prefix) and rendered error records; then, in input order, the batches
// go to the partition's open Parquet file and the errors to their buffers. Files close by the buffering hints
// and are published by rename from the staging folder. With a checkpoint, every flush closes all files, logs
// them with the input positions reached (write-ahead), then publishes them: a rerun rolls the log forward,
// removes staging leftovers and resumes from those positions, so each record lands exactly once.

import Parallel
import Dispatch
import JSON
import FileSafety
import JSONSchema
import ObjectStore
import Parquet
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The source of arrival times for records and file names, replaceable in tests.
public protocol ConversionClock: Sendable {
    /// The current time in milliseconds since the Unix epoch, UTC.
    func nowMillis() -> Int64
}

/// The real clock (`CLOCK_REALTIME`).
public struct SystemClock: ConversionClock {
    /// The system clock.
    public init() {}
    /// Milliseconds since the Unix epoch from `clock_gettime(CLOCK_REALTIME)`.
    public func nowMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}

/// A clock stopped at one instant (reproducible file names and prefixes in tests).
public struct FixedClock: ConversionClock {
    /// The instant, in milliseconds since the Unix epoch.
    public let millis: Int64
    /// A clock that always reads `millis`.
    public init(millis: Int64) { self.millis = millis }
    /// The fixed instant.
    public func nowMillis() -> Int64 { millis }
}

/// Everything one `floe convert` / `floe ingest` run needs: where files go, the columns, record rules,
/// validation, dynamic partitioning, parallelism and checkpointing.
public struct ConvertConfig: Sendable {
    /// Where and how files are delivered.
    public var delivery: DeliveryConfig
    /// The table's columns.
    public var columns: ColumnDefinitions
    /// How JSON records map to columns.
    public var record = RecordOptions()
    /// A JSON Schema each record must pass before conversion (`--schema`); failures are `JSONSchemaViolation`.
    public var validator: JSONSchemaValidator?
    /// `--partition-key KEY=QUERY`: values for `!{partitionKeyFromQuery:KEY}`, taken from each record.
    public var partitionKeys: [(String, JQQuery)] = []
    /// Chunks converted in parallel (`--jobs`); 1 converts on the calling thread.
    public var jobs = 1
    /// `--checkpoint FILE`: input positions are recorded there after each publish, and a rerun resumes after them.
    public var checkpoint: String?
    /// Longest input line converted; a longer one goes to the error output with its first bytes.
    public var maxRecordBytes = 64 << 20
    /// Input per chunk (the unit of parallel work).
    public var chunkBytes = 4 << 20
    /// Arrival time of every record (tests); nil: the run's start (convert) or the read time (ingest).
    public var arrivalTime: Int64?
    /// Where arrival times come from when ``arrivalTime`` is `nil`.
    public var clock: any ConversionClock = SystemClock()
    /// Live counters for a progress display; nil: none kept.
    public var progress: ConvertProgress?

    /// Observed by the reading stage: once requested, reading stops and what is buffered is published.
    public var stop: StopRequest = .shared
    /// Busy time per pipeline stage (`--profile`, `--stats-json`, `floe bench convert`); nil: not measured.
    public var profile: StageProfile?

    /// `--out` in an object store: the store of the bucket and the URL its keys follow (`s3://bucket/`);
    /// `delivery.outDir` is then a URL under it. Nil: a local folder.
    public var outStore: (any ObjectStore)?
    /// The URL the keys of ``outStore`` follow (`s3://bucket/`); empty for a local `--out`.
    public var outStoreURL = ""
    /// Part size and parts in flight of each uploaded file (memory: `(partsInFlight + 1) × partSize` per open file).
    public var objectWriter = ObjectWriterOptions()
    /// `--checkpoint` in an object store (`checkpoint` is then a URL under `checkpointStoreURL`).
    public var checkpointStore: (any ObjectStore)?
    /// The URL the keys of ``checkpointStore`` follow; empty for a local checkpoint.
    public var checkpointStoreURL = ""
    /// The stores of the buckets that `s3://` inputs name (bucket → store); an input in another bucket is an error.
    public var inputStores: [String: any ObjectStore] = [:]
    /// Bytes per ranged GET of an object input, and blocks read ahead (memory per input: `(readAhead + 1) ×`
    /// this).
    public var inputBlockSize = 8 << 20
    /// Blocks of an object input fetched ahead of the one being read.
    public var inputReadAhead = 2
    /// A table whose data files become visible by a commit (an Iceberg table): each flush commits its files
    /// through it (TableCommit.swift); nil: files are published by rename.
    public var committer: (any TableCommitter)?

    /// A configuration with the defaults of `floe convert` for everything else.
    public init(delivery: DeliveryConfig, columns: ColumnDefinitions) {
        self.delivery = delivery
        self.columns = columns
    }
}

/// What a run did; ``json`` is the `--stats-json` document.
public struct ConvertStats: Sendable {
    /// Records read (non-blank lines, or documents when a line holds several).
    public var recordsIn = 0
    /// Records written to Parquet files.
    public var recordsConverted = 0
    /// Records routed to the error output.
    public var recordsFailed = 0
    /// Failed records by Firehose error code.
    public var failedByCode: [String: Int] = [:]
    /// Parquet files published.
    public var filesWritten = 0
    /// Error-output files published.
    public var errorFilesWritten = 0
    /// Input bytes read (after decompression).
    public var bytesIn: Int64 = 0
    /// Bytes of the published Parquet files.
    public var bytesOut: Int64 = 0
    /// Wall time of the run, in seconds.
    public var seconds = 0.0
    /// The signal that stopped the run before its input ended (0: the input was read to its end).
    public var stoppedBySignal: Int32 = 0
    /// The stage profile as JSON (`StageProfile.json`), when measured.
    public var profile: String?

    /// The `--stats-json` object on one line, keys in a fixed order.
    public var json: String {
        let codes = failedByCode.keys.sorted().map { "\"\($0)\":\(failedByCode[$0]!)" }.joined(separator: ",")
        return "{\"records_in\":\(recordsIn),\"records_converted\":\(recordsConverted),\"records_failed\":\(recordsFailed),"
            + "\"failed_by_code\":{\(codes)},\"files_written\":\(filesWritten),\"error_files_written\":\(errorFilesWritten),"
            + "\"bytes_in\":\(bytesIn),\"bytes_out\":\(bytesOut),\"seconds\":\(seconds)"
            + (profile.map { ",\"profile\":" + $0 } ?? "") + "}"
    }
}

/// One chunk of input lines and what became of them.
final class ChunkWork: @unchecked Sendable {
    let buffer = ChunkBuffer(capacity: 1 << 20)
    var input = ""
    /// Bytes of the stream the chunk covers; the length of a line beyond the limit (its first bytes only).
    var streamBytes: Int64 = 0
    var oversizeLine: Int64?
    var firstLine = 1
    var endOffset: Int64 = 0
    var arrival: Int64 = 0
    var ending: Int64 = 0
    /// Builders per prefix, in first-use order; with partition keys, each record's (line, byte range) too.
    var sets: [(prefix: String, builders: ColumnBuilders, records: [(Int, Range<Int>)])] = []
    var errorOut: [String: [UInt8]] = [:]
    var errorCounts: [String: Int] = [:]
    var recordsIn = 0
    var converted = 0
    var failedByCode: [RecordFailure.Code: Int] = [:]
    var spare: ColumnBuilders?
    /// This chunk's own builders (the single-partition case reuses them chunk after chunk).
    var own: ColumnBuilders?
    var lineCount = 0
    var error: Error?
    /// Buffer index of the first line (range input: bytes before it belong to the previous range).
    var begin = 0
    /// Line numbers in `sets` records and error splices count from 0 at the chunk's first line (range input,
    /// whose absolute line numbers are known only in order); `firstLine` is set when the chunk is delivered.
    var relativeLines = false
    /// Per error prefix: where line numbers go into `errorOut` (relative lines).
    var splices: [String: [(at: Int, line: Int)]] = [:]
    /// Lines cut at the record limit (range input): buffer index of the line -> its whole length.
    var oversize: [Int: Int64] = [:]
    /// Per set: its rows as column data with the input bytes they came from (nil: no rows).
    var batches: [(batch: ColumnBatch, inputBytes: Int)?] = []
    /// Set by `RecordFeed`: each "line" is one API record (it may hold newlines), a blank record fails, and a
    /// record of one JSON document that fails carries all its bytes (trailing newline included) as rawData.
    var recordMode = false
    /// Rows split by partition values (a partitioned table: RowPartitioning.swift); made on first use.
    var partitionScratch: PartitionScratch?

    func clearResults() {
        sets.removeAll()
        splices.removeAll(keepingCapacity: true)
        batches.removeAll(keepingCapacity: true)
        errorOut.removeAll(keepingCapacity: true)
        errorCounts.removeAll(keepingCapacity: true)
        recordsIn = 0
        converted = 0
        failedByCode.removeAll(keepingCapacity: true)
        error = nil
    }
}

/// Converts NDJSON inputs into Parquet files under the Firehose layout: records are parsed straight into column
/// buffers in chunks (in parallel with `jobs` > 1), failed records go to the error output, files are written in a
/// hidden staging folder and published by rename. Memory is bounded by the chunks in flight and the open row groups.
public final class Converter {
    /// The run's configuration.
    public let config: ConvertConfig
    let layout: RecordLayout
    var stats = ConvertStats()
    let stagingDir: String
    var delivery: Delivery!
    /// What the run did so far (also after it failed: `--stats-json` is written either way).
    public var statistics: ConvertStats { stats }
    /// With a checkpoint: the tag of the run's object names (8 hex digits of the checkpoint's hash).
    var nameTag: String?
    /// Positions reached per input path: (offset, next line, done).
    var positions: [String: (Int64, Int, Bool)] = [:]
    var positionOrder: [String] = []
    /// Object inputs of this run by URL (size and ETag as listed).
    var objects: [String: InputObject] = [:]
    /// The version (ETag, size) of each object input that the checkpoint's positions were taken from.
    var inputVersions: [String: (etag: String, size: Int64)] = [:]
    /// Delivery into a committed table: the checkpoint's id and sequence, the positions last committed.
    var commitState = CommitState()

    /// `OUT/.floe-staging/<table>`: the staging folders of this table's runs.
    var stagingBase: String { config.delivery.outDir + "/.floe-staging/" + config.delivery.table }

    /// Prepares a run: the record layout and the staging folder name (derived from the checkpoint path, so a rerun
    /// finds its staging folder). Nothing is written yet.
    public init(config: ConvertConfig) throws {
        self.config = config
        layout = RecordLayout(columns: config.columns, options: config.record)
        if let p = config.delivery.partitioner {
            _ = try layout.partitionLeaves(p)
            guard config.partitionKeys.isEmpty else {
                throw PartitioningError(description: "--partition-key does not apply to a table partitioned by column values")
            }
        }
        let base = config.delivery.outDir + "/.floe-staging/" + config.delivery.table
        if let cp = config.checkpoint {
            var h: UInt64 = 0xcbf29ce484222325
            let id = config.checkpointStore == nil ? FileOps.absolute(cp) : cp
            for c in id.utf8 { h = (h ^ UInt64(c)) &* 0x100000001b3 }
            stagingDir = base + "/cp-" + String(h, radix: 16)
            var tag = String(h >> 32, radix: 16)
            while tag.utf8.count < 8 { tag = "0" + tag }
            nameTag = tag
        } else {
            stagingDir = base + "/run-\(getpid())-" + PrefixTemplate.randomString(8)
        }
    }

    /// Removes `run-<pid>-…` staging folders of runs of this table whose process is gone (killed runs without a
    /// checkpoint leave them; their files were never published, so they are garbage).
    func removeDeadRunFolders() {
        for name in FileOps.list(stagingBase) where name.hasPrefix("run-") {
            let digits = name.dropFirst(4).prefix { $0 != "-" }
            guard let pid = Int32(digits), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                FileOps.removeTree(stagingBase + "/" + name)
            }
        }
    }

    // MARK: checkpoint

    func loadCheckpoint() throws {
        if config.committer != nil { return try loadCommitCheckpoint() }
        guard let cp = config.checkpoint, let bytes = try readCheckpointBytes(cp) else { return }
        guard let v = try? JSONParser.parse(bytes), case .object(let o) = v else {
            throw DeliveryError("checkpoint \(cp): not a checkpoint file")
        }
        if case .array(let items)? = o["inputs"] {
            for it in items {
                guard case .string(let p)? = it["path"], case .number(let off)? = it["offset"],
                      case .number(let line)? = it["line"] else { continue }
                let done = it["done"]?.boolValue ?? false
                positions[p] = (off.int64 ?? 0, Int(line.int64 ?? 1), done)
                if case .string(let etag)? = it["etag"], case .number(let size)? = it["size"] {
                    inputVersions[p] = (etag, size.int64 ?? -1)
                }
                positionOrder.append(p)
            }
        }
        // roll the last flush forward
        if case .array(let pend)? = o["pending"] {
            var entries: [(String, String)] = []
            for p in pend {
                guard case .array(let pair) = p, pair.count == 2, case .string(let from) = pair[0],
                      case .string(let to) = pair[1] else { continue }
                entries.append((from, to))
            }
            rolledForward = entries
            try delivery.target.publish(entries, rollForward: true)
        }
    }

    /// The staged entries of the checkpoint's last flush, published again by `loadCheckpoint`.
    var rolledForward: [(String, String)] = []

    func readCheckpointBytes(_ cp: String) throws -> [UInt8]? {
        guard let store = config.checkpointStore else { return try FileOps.readFile(cp, what: "checkpoint") }
        let key = String(cp.dropFirst(config.checkpointStoreURL.count))
        do {
            return try Blocking.run { try await store.get(key) }
        } catch ObjectStoreError.notFound {
            return nil
        } catch {
            throw DeliveryError("checkpoint \(cp): \(error)")
        }
    }

    func writeCheckpointBytes(_ cp: String, _ bytes: [UInt8]) throws {
        guard let store = config.checkpointStore else { return try FileOps.writeAtomically(cp, bytes) }
        let key = String(cp.dropFirst(config.checkpointStoreURL.count))
        do {
            _ = try Blocking.run { try await store.put(key, bytes: bytes, condition: .none) }
        } catch {
            throw DeliveryError("checkpoint \(cp): cannot write: \(error)")
        }
    }

    func writeCheckpoint(pending: [(String, String)]) throws {
        guard let cp = config.checkpoint else { return }
        var out: [UInt8] = Array("{\"version\":1,\"inputs\":[".utf8)
        for (i, p) in positionOrder.enumerated() {
            let (off, line, done) = positions[p]!
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: "{\"path\":".utf8)
            ErrorRecord.appendJSONString(p, &out)
            out.append(contentsOf: ",\"offset\":\(off),\"line\":\(line),\"done\":\(done)".utf8)
            // an object input: the version the positions belong to (a rerun refuses another one)
            if let v = objects[p].map({ ($0.etag, $0.size) }) ?? inputVersions[p] {
                out.append(contentsOf: ",\"etag\":".utf8)
                ErrorRecord.appendJSONString(v.0, &out)
                out.append(contentsOf: ",\"size\":\(v.1)".utf8)
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: "],\"pending\":".utf8)
        appendPairs(pending, &out)
        out.append(contentsOf: "}\n".utf8)
        try writeCheckpointBytes(cp, out)
    }

    // MARK: running

    /// Converts every input (paths, directories, `-`); `ingest`: read stdin until EOF, flushing by size and
    /// interval as records arrive.
    public func run(inputs: [String], ingest: Bool = false) throws -> ConvertStats {
        let t0 = SystemClock().nowMillis()
        let runStart = config.arrivalTime ?? config.clock.nowMillis()
        if config.outStore != nil { return try runIntoStore(inputs: inputs, ingest: ingest, t0: t0, runStart: runStart) }
        try FileOps.makeDirectories(config.delivery.outDir)
        try FileOps.makeFolders(config.delivery.tableDir, below: config.delivery.outDir)
        try FileOps.makeFolders(stagingBase, below: config.delivery.outDir)
        // Nothing written, renamed or removed may lie outside --out (issue 11, rule 1): the table and staging
        // folders must be real folders inside it, not symbolic links out of it.
        for folder in [config.delivery.tableDir, config.delivery.outDir + "/.floe-staging", stagingBase] {
            do {
                try PathContainment.requireFolderWithin(folder, root: config.delivery.outDir)
            } catch {
                throw DeliveryError("refusing to write: \(error.description)")
            }
        }
        let lock = try ObjectCheckpointLock(config)
        defer { lock.release() }
        delivery = Delivery(config: config.delivery, layout: layout, stagingDir: stagingDir,
                            target: config.committer != nil
                                ? CommitDeliveryTarget(stagingDir: stagingDir, root: config.delivery.outDir)
                                : LocalDeliveryTarget(stagingDir: stagingDir, root: config.delivery.outDir),
                            profile: config.profile)
        config.profile?.threads = ingest ? 1 : max(1, config.jobs)
        try loadCheckpoint()
        removeDeadRunFolders()
        // staging leftovers of an interrupted run are garbage now
        FileOps.removeTree(stagingDir)
        try FileOps.makeFolders(stagingDir, below: config.delivery.outDir)
        defer {
            delivery.abortAll()
            if config.checkpoint == nil { FileOps.removeTree(stagingDir) }
        }
        try convertInputs(inputs, ingest: ingest, runStart: runStart)
        stats.seconds = Double(SystemClock().nowMillis() - t0) / 1000
        if config.checkpoint == nil {
            FileOps.removeTree(stagingDir)
            // drop the staging parents when nothing else uses them
            rmdir(config.delivery.outDir + "/.floe-staging/" + config.delivery.table)
            rmdir(config.delivery.outDir + "/.floe-staging")
        }
        return stats
    }

    /// `run` into an object store: files are multipart uploads, staged when a flush closes them and completed
    /// when it publishes. With a checkpoint the run first completes the uploads its last flush logged, then aborts
    /// every other upload under the table that carries the checkpoint's name tag (a killed run's files in
    /// progress), so a rerun leaves each record exactly once and no incomplete upload behind.
    private func runIntoStore(inputs: [String], ingest: Bool, t0: Int64, runStart: Int64) throws -> ConvertStats {
        let target = ObjectDeliveryTarget(store: config.outStore!, urlPrefix: config.outStoreURL,
                                          writerOptions: config.objectWriter)
        let lock = try ObjectCheckpointLock(config)
        defer { lock.release() }
        delivery = Delivery(config: config.delivery, layout: layout, stagingDir: "",
                            target: config.committer != nil ? CommitDeliveryTarget(objects: target) : target,
                            profile: config.profile)
        config.profile?.threads = ingest ? 1 : max(1, config.jobs)
        delivery.nameTag = nameTag
        try loadCheckpoint()
        if let tag = nameTag {
            let keep = Set(rolledForward.map { String($0.0.dropFirst(ObjectDeliveryTarget.uploadMark.count)) })
            _ = try target.discardLeftovers(prefix: config.delivery.tableDir + "/", tag: tag, keep: keep)
        }
        defer {
            delivery.abortAll()
            if config.checkpoint == nil { delivery.discardPending() }
        }
        try convertInputs(inputs, ingest: ingest, runStart: runStart)
        stats.seconds = Double(SystemClock().nowMillis() - t0) / 1000
        return stats
    }

    /// Reads and converts every input, then flushes (the part of `run` common to both targets).
    private func convertInputs(_ inputs: [String], ingest: Bool, runStart: Int64) throws {
        var files: [String] = []
        for i in (ingest ? ["-"] : inputs) {
            if i == "-" { files.append("-"); continue }
            if let listed = try ObjectInputs.expand(i, stores: config.inputStores) {
                for o in listed where objects[o.url] == nil {
                    objects[o.url] = o
                    files.append(o.url)
                }
                continue
            }
            guard FileOps.exists(i) else { throw InputError(message: "\(i): no such file or directory") }
            files.append(contentsOf: try FileOps.filesBelow(i))
        }
        for f in files where positions[f] == nil {
            positions[f] = (0, 1, false)
            positionOrder.append(f)
        }
        // an object replaced since the checkpoint was written: its positions do not fit the new bytes
        for f in files {
            guard let o = objects[f], let v = inputVersions[f], v.etag != o.etag || v.size != o.size else { continue }
            throw CheckpointInputChanged(description:
                "\(f): changed since the checkpoint \(config.checkpoint ?? "") was written (ETag \(v.etag), \(v.size) bytes; "
                + "now ETag \(o.etag), \(o.size) bytes): resuming would skip or repeat records; "
                + "restore the object or start over with a new --checkpoint")
        }
        if let p = config.progress { p.setTotal(knownInputSize(files)) }
        let chunkTarget = min(config.chunkBytes, max(64 << 10, config.delivery.bufferSize / 2))
        let processor = ChunkProcessor(layout: layout, config: config, scheduler: delivery.scheduler)
        let pending = files.filter { !positions[$0]!.2 }
        for (n, f) in pending.enumerated() {
            let pos = positions[f]!
            // a small input gets smaller chunks (about four per job), so every worker has work and the memory
            // the workers touch does not outgrow the input
            let jobs = Int64(max(1, config.jobs))
            let small = Int(max(256 << 10, (FileOps.fileSize(f) - pos.0) / (jobs * 4)))
            if !ingest, objects[f] == nil, let ranges = RangeInput(path: f, origin: pos.0, chunk: min(chunkTarget, small),
                                                maxLine: max(1, config.maxRecordBytes)) {
                // a plain file: workers read their own ranges
                let end = try pipeline(.ranges(ranges), f, processor, start: (pos.0, pos.1), arrival: runStart,
                                       lastInput: n == pending.count - 1)
                // stopped by a signal: the file is done only if every range was read
                positions[f] = (end.offset, end.line, !end.stopped)
                if end.stopped || config.stop.isRequested {
                    stats.stoppedBySignal = config.stop.signal
                    break
                }
                continue
            }
            let reader: ChunkReader
            do {
                if let o = objects[f] {
                    let stream = ObjectStreamReader(store: o.store, key: o.key, size: o.size, etag: o.etag,
                                                    blockSize: config.inputBlockSize, readAhead: config.inputReadAhead)
                    reader = try ChunkReader(object: ObjectByteSource(stream), name: f)
                } else {
                    reader = try ChunkReader(path: f)
                }
                reader.maxLine = max(1, config.maxRecordBytes)
                if f != "-" { try reader.skip(to: pos.0, line: pos.1) }
            } catch {
                throw InputError(message: ObjectInputs.messageNaming(f, error))
            }
            if ingest {
                try ingestLoop(reader, f, processor, chunkTarget: chunkTarget)
            } else {
                _ = try pipeline(.stream(reader, chunkTarget), f, processor, start: (reader.offset, reader.line),
                                 arrival: runStart, lastInput: n == pending.count - 1)
            }
            // stopped by a signal: the file is done only if it was read to its end
            let stopped = config.stop.isRequested
            positions[f] = (reader.offset, reader.line, f != "-" && (!stopped || reader.atEOF))
            if stopped {
                stats.stoppedBySignal = config.stop.signal
                break
            }
        }
        try flushAll()
        stats.filesWritten = delivery.filesWritten
        stats.errorFilesWritten = delivery.errorFilesWritten
        stats.bytesOut = delivery.bytesOut
        stats.profile = config.profile?.json(bytes: stats.bytesIn)
    }

    /// Bytes still to read when every input is an uncompressed regular file (the progress display's ETA); nil
    /// for stdin and compressed inputs, whose stream size is not known in advance.
    private func knownInputSize(_ files: [String]) -> Int64? {
        var total: Int64 = 0
        for f in files {
            guard let pos = positions[f] else { continue }
            if pos.2 { continue }
            if f == "-" || ChunkReader.isCompressed(f) { return nil }
            total += max(0, (objects[f]?.size ?? FileOps.fileSize(f)) - pos.0)
        }
        return total
    }

    /// Reads the next chunk of `reader` into `w` (lines counted, positions advanced); false at the end.
    func claim(_ w: ChunkWork, _ reader: ChunkReader, _ f: String, target: Int, interactive: Bool,
                       arrival: Int64?) throws -> Bool {
        // A stop request ends the input at this chunk boundary (ingest: once the pipe's ready bytes are read).
        if config.stop.isRequested {
            if !interactive { return false }
            reader.drainOnly = true
        }
        let got: ChunkInfo?
        do {
            got = try reader.next(into: w.buffer, target: target, interactive: interactive, waitMillis: 200)
        } catch {
            throw InputError(message: ObjectInputs.messageNaming(f, error))
        }
        guard let info = got else { return false }
        // A UTF-8 byte-order mark opening the stream is not part of the first record (issue 11); its bytes still
        // count in the stream offsets (checkpoints).
        if reader.offset == 0, info.oversizeLine == nil, w.buffer.count >= 3,
           w.buffer.bytes[0] == 0xEF, w.buffer.bytes[1] == 0xBB, w.buffer.bytes[2] == 0xBF {
            w.buffer.dropFirst(3)
        }
        w.input = f
        w.firstLine = reader.line
        w.streamBytes = info.streamBytes
        w.oversizeLine = info.oversizeLine
        w.lineCount = info.oversizeLine != nil ? 1 : countNewlines(w.buffer.bytes)
        reader.line += w.lineCount
        reader.offset += info.streamBytes
        w.endOffset = reader.offset
        w.arrival = arrival ?? config.arrivalTime ?? config.clock.nowMillis()
        w.ending = config.arrivalTime ?? config.clock.nowMillis()
        w.clearResults()
        w.begin = 0
        w.relativeLines = false
        w.oversize.removeAll()
        if w.own == nil { w.own = ColumnBuilders(layout: layout) }
        w.spare = w.own
        return true
    }

    /// `floe ingest`: stdin as it arrives, one chunk at a time, flushing by interval while no input comes.
    private func ingestLoop(_ reader: ChunkReader, _ f: String, _ processor: ChunkProcessor, chunkTarget: Int) throws {
        let w = ChunkWork()
        while true {
            guard try claim(w, reader, f, target: chunkTarget, interactive: true, arrival: nil) else {
                if !reader.atEOF {
                    // a stop request: claim again, which drains what is ready and ends the stream there
                    if !config.stop.isRequested {
                        try flushDue(now: config.clock.nowMillis(), input: f, offset: reader.offset, line: reader.line)
                    }
                    continue
                }
                return
            }
            processor.process(w)
            try deliverChunk(w, now: config.clock.nowMillis())
        }
    }

    /// Delivers a converted chunk and closes the files that are due.
    func deliverChunk(_ w: ChunkWork, now: Int64? = nil) throws {
        if let e = w.error { throw e }
        stats.bytesIn += w.streamBytes
        try deliver(w)
        config.progress?.update(bytesIn: stats.bytesIn, recordsIn: stats.recordsIn, recordsFailed: stats.recordsFailed)
        try flushDue(now: now, input: w.input, offset: w.endOffset, line: w.firstLine + w.lineCount)
    }

    private func deliver(_ w: ChunkWork) throws {
        try deliverWork(w, to: delivery, config: config, stats: &stats)
    }

    /// Closes files due by the buffering hints. With a checkpoint, a due file closes every file (so the
    /// input position logged covers exactly the published records).
    func flushDue(now: Int64?, input: String, offset: Int64, line: Int) throws {
        let (files, errs) = delivery.due(now: now)
        if files.isEmpty && errs.isEmpty { return }
        if config.checkpoint != nil || config.committer != nil {
            positions[input] = (offset, line, false)
            try flushAll()
            return
        }
        for p in files { try delivery.stage(file: p) }
        for p in errs { try delivery.stage(errors: p) }
        try delivery.publishPending()
    }

    func flushAll() throws {
        if config.committer != nil {
            try delivery.stageAll()
            return try commitPending()
        }
        try delivery.stageAll()
        if config.checkpoint != nil {
            try writeCheckpoint(pending: delivery.pending)
        }
        try delivery.publishPending()
    }
}

/// Hands a converted chunk to the delivery: its row batches to the partitions' files (a partition beyond the open
/// partition limit goes to the error output instead) and its error records to their buffers.
func deliverWork(_ w: ChunkWork, to delivery: Delivery, config: ConvertConfig, stats: inout ConvertStats) throws {
    stats.recordsIn += w.recordsIn
    stats.recordsConverted += w.converted
    for (c, n) in w.failedByCode {
        stats.recordsFailed += n
        stats.failedByCode[c.rawValue, default: 0] += n
    }
    // relative line numbers become absolute here (the chunk's first line is known in order)
    let add = w.relativeLines ? w.firstLine : 0
    for (i, (prefix, _, records)) in w.sets.enumerated() {
        guard i < w.batches.count, let (batch, inputBytes) = w.batches[i] else { continue }
        // the batch is the delivery's (or the pool's) from here on: a failure below must not recycle it again
        // (RecordFeed.release), or the pool would hand it out twice
        w.batches[i] = nil
        if let p = config.delivery.partitioner {
            // partitions by column values: a new partition beyond the cap closes the file written least recently
            if !delivery.isOpen(prefix) && delivery.openCount >= max(1, p.maxOpenFiles) { try delivery.closeOldest() }
            try delivery.append(prefix: prefix, batch: batch, inputBytes: inputBytes, arrival: w.arrival)
            try delivery.boundOpenRowGroups(p.maxBufferedBytes)
            continue
        }
        if !delivery.isOpen(prefix) && delivery.openCount >= config.delivery.maxOpenPartitions {
            // beyond the partition limit: every record of this partition goes to the error output
            delivery.scheduler.recycle(batch)
            overLimit(w, records, lineOffset: add, to: delivery, config: config, stats: &stats)
            continue
        }
        try delivery.append(prefix: prefix, batch: batch, inputBytes: inputBytes, arrival: w.arrival)
    }
    w.sets.removeAll()
    w.batches.removeAll(keepingCapacity: true)
    w.spare = nil
    for (prefix, bytes) in w.errorOut where !bytes.isEmpty {
        var out = bytes
        if let sp = w.splices[prefix], !sp.isEmpty {
            out = ErrorRecord.insertLines(bytes, sp.map { ($0.at, $0.line + add) })
        }
        delivery.appendErrors(prefix: prefix, bytes: out[...], count: w.errorCounts[prefix] ?? 0,
                              arrival: w.arrival)
    }
}

/// The records of a partition beyond the open partition limit, as error records (`records`' line numbers plus
/// `lineOffset`).
private func overLimit(_ w: ChunkWork, _ records: [(Int, Range<Int>)], lineOffset: Int, to delivery: Delivery,
                       config: ConvertConfig, stats: inout ConvertStats) {
    let code = RecordFailure.Code.partitionLimit
    let prefix = config.delivery.errorPrefix.render(arrival: w.arrival, errorType: code.outputType)
    var out: [UInt8] = []
    for (line, range) in records {
        let p = w.buffer.bytes
        ErrorRecord.render(code: code, message: "more than \(config.delivery.maxOpenPartitions) open partitions",
                           raw: UnsafeRawBufferPointer(rebasing: p[range]), input: w.input, line: line + lineOffset,
                           document: 0, arrival: w.arrival, ending: w.ending,
                           database: config.delivery.database, table: config.delivery.table, into: &out)
    }
    stats.recordsConverted -= records.count
    stats.recordsFailed += records.count
    stats.failedByCode[code.rawValue, default: 0] += records.count
    delivery.appendErrors(prefix: prefix, bytes: out[...], count: records.count, arrival: w.arrival)
}

/// Converts the lines of a chunk (thread-safe: the shared state is read-only).
final class ChunkProcessor: @unchecked Sendable {
    let layout: RecordLayout
    let config: ConvertConfig
    let multi = JSONParserOptions(multipleDocuments: true)
    let scheduler: EncodeScheduler
    /// The leaves of the partition source columns (a partitioned table), checked by `Converter.init`.
    let partitionLeaves: [Int]

    init(layout: RecordLayout, config: ConvertConfig, scheduler: EncodeScheduler) {
        self.layout = layout
        self.config = config
        self.scheduler = scheduler
        partitionLeaves = config.delivery.partitioner.flatMap { try? layout.partitionLeaves($0) } ?? []
    }

    /// Converts the chunk, then copies each partition's rows out as column data (in parallel, off the ordered
    /// path); the builders are free for the next chunk.
    func process(_ w: ChunkWork) {
        convert(w)
        takeBatches(w)
    }

    /// `RecordFeed`: each range of the buffer is one record (numbered from `w.firstLine`); then, as `process`,
    /// each partition's rows copied out as column data.
    func process(_ w: ChunkWork, records: [Range<Int>]) {
        convert(w, records: records)
        takeBatches(w)
    }

    /// Each set's rows as a column batch (nil: no rows); the builders are reset.
    private func takeBatches(_ w: ChunkWork) {
        if let p = config.delivery.partitioner { splitByPartition(w, p) }
        w.batches.removeAll(keepingCapacity: true)
        for (_, b, _) in w.sets {
            guard b.rows > 0 else {
                w.batches.append(nil)
                continue
            }
            let batch = scheduler.takeBatch()
            b.fill(&batch.columns)
            batch.rows = b.rows
            batch.rawBytes = b.bufferedBytes
            w.batches.append((batch, b.inputBytes))
            b.reset()
        }
    }

    private func convert(_ w: ChunkWork) {
        var conv = RecordConverter(layout: layout)
        let defaultPrefix = config.partitionKeys.isEmpty
            ? config.delivery.prefix.render(arrival: w.arrival) : ""
        if let length = w.oversizeLine {
            let b = w.spare!
            w.spare = nil
            w.sets.append((defaultPrefix, b, []))
            failOversize(w, w.buffer.bytes, length: length, lineNo: w.firstLine)
            return
        }
        do {
            let all = w.buffer.bytes
            guard let base = all.baseAddress else { return }
            var start = w.begin
            var lineNo = w.firstLine
            let n = all.count
            var main: ColumnBuilders? = nil
            if config.partitionKeys.isEmpty {
                let b = w.spare!
                w.spare = nil
                w.sets.append((defaultPrefix, b, []))
                main = b
            }
            while start < n {
                var end = n
                if let hit = memchr(base + start, 0x0A, n - start) { end = UnsafeRawPointer(hit) - base }
                var lineEnd = end
                if lineEnd > start && all[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                let line = UnsafeRawBufferPointer(rebasing: all[start..<lineEnd])
                if line.count > config.maxRecordBytes {
                    failOversize(w, UnsafeRawBufferPointer(rebasing: line[0..<config.maxRecordBytes]),
                                 length: w.oversize[start] ?? Int64(line.count), lineNo: lineNo)
                } else if !isBlank(line) {
                    if let b = main {
                        convertLine(line, lineStart: start, lineNo: lineNo, into: b, w, &conv)
                        b.inputBytes += end - start + 1
                    } else {
                        convertLineKeyed(line, lineStart: start, lineNo: lineNo, w, &conv)
                    }
                }
                start = end + 1
                lineNo += 1
            }
        }
    }

    private func convert(_ w: ChunkWork, records: [Range<Int>]) {
        var conv = RecordConverter(layout: layout)
        let all = w.buffer.bytes
        var main: ColumnBuilders? = nil
        if config.partitionKeys.isEmpty {
            let b = w.spare!
            w.spare = nil
            w.sets.append((config.delivery.prefix.render(arrival: w.arrival), b, []))
            main = b
        }
        var recordNo = w.firstLine
        for r in records {
            let rec = UnsafeRawBufferPointer(rebasing: all[r])
            // a record may end with (or hold only) newlines: blank is white space of any kind
            if rec.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }) {
                fail(w, .parseError, "Encountered malformed JSON: the record holds no JSON document", rec,
                     line: recordNo, document: 0)
            } else if let b = main {
                convertLine(rec, lineStart: r.lowerBound, lineNo: recordNo, into: b, w, &conv)
                b.inputBytes += r.count
            } else {
                convertLineKeyed(rec, lineStart: r.lowerBound, lineNo: recordNo, w, &conv)
            }
            recordNo += 1
        }
    }

    private func failOversize(_ w: ChunkWork, _ prefix: UnsafeRawBufferPointer, length: Int64, lineNo: Int) {
        fail(w, .parseError, "record longer than \(config.maxRecordBytes) bytes (\(length) bytes): rawData holds its first \(config.maxRecordBytes) bytes",
             prefix, line: lineNo, document: 0)
    }

    @inline(__always)
    private func isBlank(_ line: UnsafeRawBufferPointer) -> Bool {
        for c in line where c != 0x20 && c != 0x09 && c != 0x0D { return false }
        return true
    }

    private func fail(_ w: ChunkWork, _ code: RecordFailure.Code, _ message: String, _ raw: UnsafeRawBufferPointer,
                      line: Int, document: Int) {
        let prefix = config.delivery.errorPrefix.render(arrival: w.arrival, errorType: code.outputType)
        let at = ErrorRecord.render(code: code, message: message, raw: raw, input: w.input,
                                    line: w.relativeLines ? nil : line, document: document, arrival: w.arrival,
                                    ending: w.ending, database: config.delivery.database,
                                    table: config.delivery.table, into: &w.errorOut[prefix, default: []])
        if w.relativeLines { w.splices[prefix, default: []].append((at, line)) }
        w.errorCounts[prefix, default: 0] += 1
        w.failedByCode[code, default: 0] += 1
        w.recordsIn += 1
    }

    private func describe(_ f: RecordConverter.Failure) -> (RecordFailure.Code, String) {
        switch f {
        case .parse(let e):
            return (.parseError, "Encountered malformed JSON: \(e)")
        case .data(let m, let pointer):
            let p = pointer.reversed().map { $0.pointerEscaped() }.joined(separator: "/")
            return (.malformedData, "\(m) at /\(p)")
        }
    }

    /// One line: every JSON document in it is a record. A syntax error anywhere fails the whole line.
    private func convertLine(_ line: UnsafeRawBufferPointer, lineStart: Int, lineNo: Int, into b: ColumnBuilders,
                             _ w: ChunkWork, _ conv: inout RecordConverter) {
        var t = JSONTokenizer(line, options: multi)
        b.markLine()
        var pendingFailures: [(RecordFailure.Code, String, Range<Int>, Int)] = []
        var docs = 0
        var ok = 0
        var lastError: JSONParseError? = nil
        while true {
            let tok: JSONToken
            do { tok = try t.next() } catch { lastError = error; break }
            if case .endOfDocument = tok { break }
            let docStart = t.tokenStart
            let docIndex = docs
            docs += 1
            b.mark()
            guard case .objectStart = tok else {
                do { try conv.skip(tok, &t) } catch {
                    if case .parse(let e) = error { lastError = e }
                    break
                }
                pendingFailures.append((.malformedData, "a record must be a JSON object, not \(kindName(tok))",
                                        docStart..<t.position, docIndex))
                continue
            }
            do {
                try conv.convertObject(&t, into: b)
            } catch {
                if case .parse(let e) = error { lastError = e; break }
                b.rollback()
                do { try conv.skipDocument(&t) } catch {
                    if case .parse(let e) = error { lastError = e }
                    break
                }
                let (code, msg) = describe(error)
                pendingFailures.append((code, msg, docStart..<t.position, docIndex))
                continue
            }
            if let v = config.validator {
                let doc = UnsafeRawBufferPointer(rebasing: line[docStart..<t.position])
                if v.isValid(bytes: doc) != true {
                    b.rollback()
                    pendingFailures.append((.schemaViolation, schemaMessage(v, doc), docStart..<t.position, docIndex))
                    continue
                }
            }
            b.commitRow(bytes: 0)
            ok += 1
        }
        if let e = lastError {
            b.rollbackLine()
            fail(w, .parseError, "Encountered malformed JSON: \(e)", line, line: lineNo, document: 0)
            return
        }
        w.recordsIn += ok
        w.converted += ok
        for (code, msg, range, idx) in pendingFailures {
            let raw = w.recordMode && docs == 1 ? line : UnsafeRawBufferPointer(rebasing: line[range])
            fail(w, code, msg, raw, line: lineNo, document: idx)
        }
    }

    private func kindName(_ tok: JSONToken) -> String {
        switch tok {
        case .arrayStart: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        default: "\(tok)"
        }
    }

    private func schemaMessage(_ v: JSONSchemaValidator, _ doc: UnsafeRawBufferPointer) -> String {
        guard let tree = try? JSONParser.parse(doc) else { return "JSON Schema validation failed" }
        let r = v.validate(tree)
        if let e = r.errors.first {
            return "JSON Schema validation failed at \(e.instanceLocation.isEmpty ? "/" : e.instanceLocation): \(e.message) (\(e.keywordLocation))"
        }
        return "JSON Schema validation failed"
    }

    /// Dynamic partitioning: each document is parsed into a tree for the queries, then converted into the
    /// builders of its prefix.
    private func convertLineKeyed(_ line: UnsafeRawBufferPointer, lineStart: Int, lineNo: Int, _ w: ChunkWork,
                                  _ conv: inout RecordConverter) {
        let split = JSONParser.splitDocuments(line)
        if let e = split.error {
            fail(w, .parseError, "Encountered malformed JSON: \(e)", line, line: lineNo, document: 0)
            return
        }
        for (idx, r) in split.ranges.enumerated() {
            let doc = UnsafeRawBufferPointer(rebasing: line[r])
            guard let tree = try? JSONParser.parse(doc), case .object = tree else {
                fail(w, .malformedData, "a record must be a JSON object", doc, line: lineNo, document: idx)
                continue
            }
            var keys: [String: String] = [:]
            var failed = false
            for (k, q) in config.partitionKeys {
                do {
                    keys[k] = try q.evaluate(tree)
                } catch {
                    fail(w, .partitionExtraction, "partition key '\(k)': \(error)", doc, line: lineNo, document: idx)
                    failed = true
                    break
                }
            }
            if failed { continue }
            if let v = config.validator, !v.isValid(tree) {
                fail(w, .schemaViolation, schemaMessage(v, doc), doc, line: lineNo, document: idx)
                continue
            }
            let prefix = config.delivery.prefix.render(arrival: w.arrival, keys: keys)
            var si = w.sets.firstIndex { $0.prefix == prefix }
            if si == nil {
                let b: ColumnBuilders
                if let s = w.spare { b = s; w.spare = nil } else { b = ColumnBuilders(layout: layout) }
                w.sets.append((prefix, b, []))
                si = w.sets.count - 1
            }
            let b = w.sets[si!].builders
            b.mark()
            var t = JSONTokenizer(doc)
            do throws(RecordConverter.Failure) {
                do { _ = try t.next() } catch { throw .parse(error) }
                try conv.convertObject(&t, into: b)
            } catch {
                b.rollback()
                let (code, msg) = describe(error)
                fail(w, code, msg, doc, line: lineNo, document: idx)
                continue
            }
            b.commitRow(bytes: r.count + 1)
            let absolute = (lineStart + r.lowerBound)..<(lineStart + r.upperBound)
            w.sets[si!].records.append((lineNo, absolute))
            w.recordsIn += 1
            w.converted += 1
        }
    }
}

extension String {
    /// JSON pointer escaping of one component.
    func pointerEscaped() -> String {
        var s = ""
        for c in self {
            switch c {
            case "~": s += "~0"
            case "/": s += "~1"
            default: s.append(c)
            }
        }
        return s
    }
}
