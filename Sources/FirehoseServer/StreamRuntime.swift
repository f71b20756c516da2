// One delivery stream at run time: its feed into Firehose's converter (Parquet with conversion, raw objects
// without), a serial queue that owns the feed, and the flush that makes records durable in the destination
// before the write-ahead log may forget them:
//   1. stage every buffered file (written and fsynced in the staging folder),
//   2. write the stream's state file: published-through LSN + the renames still to do (atomically),
//   3. rename the files into place, 4. tell the log.
// On restart the renames of step 2 are rolled forward and the log is replayed from the published-through LSN,
// so a record is never lost and never published twice by the server itself.

import Dispatch
import Firehose
import JSON
import Logging
import ObjectStore
import Warehouse
#if canImport(Glibc)
import Glibc
#endif

enum Feed {
    case converted(RecordFeed)
    case raw(RawFeed)

    func append(_ bytes: UnsafeRawBufferPointer, records: [Range<Int>], arrival: Int64, source: String, first: Int) throws {
        switch self {
        case .converted(let f): try f.append(bytes, records: records, arrival: arrival, source: source, firstNumber: first)
        case .raw(let f): try f.append(bytes, records: records, arrival: arrival, source: source, firstNumber: first)
        }
    }
    func due(now: Int64) -> Bool {
        switch self {
        case .converted(let f): f.due(now: now)
        case .raw(let f): f.due(now: now)
        }
    }
    var hasBufferedData: Bool {
        switch self {
        case .converted(let f): f.hasBufferedData
        case .raw(let f): f.hasBufferedData
        }
    }
    func stage() throws -> [(staged: String, final: String)] {
        switch self {
        case .converted(let f): try f.stage()
        case .raw(let f): try f.stage()
        }
    }
    func publish() throws {
        switch self {
        case .converted(let f): try f.publish()
        case .raw(let f): try f.publish()
        }
    }
    func abort() {
        switch self {
        case .converted(let f): f.abort()
        case .raw(let f): f.abort()
        }
    }
    /// (open partitions, records refused by the partition limit so far).
    var partitions: (Int, Int) {
        switch self {
        case .converted(let f): (f.openPartitions, f.statistics.failedByCode[RecordFailure.Code.partitionLimit.rawValue] ?? 0)
        case .raw(let f): (f.openPartitions, f.partitionLimitFailures)
        }
    }
    /// Bytes of the objects staged so far.
    var bytesOut: Int64 {
        switch self {
        case .converted(let f): f.statistics.bytesOut
        case .raw(let f): f.bytesOut
        }
    }
    /// (converted, failed) so far.
    var conversionCounts: (Int, Int) {
        switch self {
        case .converted(let f): (f.statistics.recordsConverted, f.statistics.recordsFailed)
        case .raw(let f): (f.recordsIn - f.recordsFailed, f.recordsFailed)
        }
    }
}

/// Where a stream's objects go and how it converts: built from its definition, the warehouse and the bucket root.
struct StreamPlan {
    var settings: DestinationSettings
    /// The bucket's folder, or `s3://NAME` when ``store`` is set.
    var bucketFolder: String
    var warehouseTable: String?
    /// The Iceberg table the stream commits into (a prefix `<table>/` in the warehouse's bucket: IcebergStream.swift).
    var icebergTable: String?
    /// The S3 bucket objects are uploaded to (`--bucket-root s3://`); nil: the folder.
    var store: (any ObjectStore)?
    /// `s3://NAME/`: the URL prefix of the keys of ``store``.
    var storeURL: String { bucketFolder + "/" }

    static func prefixText(_ s: DestinationSettings) -> String {
        let p = s.prefix ?? ""
        // Firehose appends the YYYY/MM/dd/HH/ time folders to a prefix without expressions
        return p.contains("!{") ? p : p + "!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/!{timestamp:HH}/"
    }

    static func errorPrefixText(_ s: DestinationSettings) -> String {
        if let e = s.errorOutputPrefix, !e.isEmpty { return e }
        return "!{firehose:error-output-type}/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/!{timestamp:HH}/"
    }

    /// The plan with its bucket's writers journaled in `journal` (nothing changes for a folder).
    func journaled(_ journal: UploadJournal) -> StreamPlan {
        var p = self
        if let s = store, !(s is JournaledStore) { p.store = JournaledStore(base: s, journal: journal) }
        return p
    }

    func makeFeed(stream: String, warehouse: String, stagingDir: String) throws -> Feed {
        var prefix = try PrefixTemplate(Self.prefixText(settings), errorPrefix: false)
        var errorPrefix = try PrefixTemplate(Self.errorPrefixText(settings), errorPrefix: true)
        prefix.timeZone = settings.timeZone
        errorPrefix.timeZone = settings.timeZone
        var keys: [(String, JQQuery)] = []
        for (k, q) in settings.partitionKeys { keys.append((k, try JQQuery(q))) }
        if let t = icebergTable {
            return try makeIcebergFeed(table: t, stream: stream, warehouse: warehouse, stagingDir: stagingDir, errorPrefix: errorPrefix)
        }
        if let c = settings.conversion {
            let wh = try DataWarehouse(opening: warehouse)
            let table = try wh.table(named: c.table)
            var d = DeliveryConfig(outDir: bucketFolder, table: table.name, stream: stream, prefix: prefix, errorPrefix: errorPrefix)
            d.folder = bucketFolder
            d.database = c.database
            d.bufferSize = settings.sizeInMBs << 20
            d.bufferIntervalMillis = Int64(settings.intervalInSeconds) * 1000
            var w = d.writer
            switch c.parquetCompression {
            case "GZIP": w.compression = .gzip
            case "UNCOMPRESSED": w.compression = .uncompressed
            default: w.compression = .snappy
            }
            if let b = c.blockSize, b > 0 { w.rowGroupSize = b }
            if let p = c.pageSize, p > 0 { w.pageSize = p }
            w.pageVersion = c.writerVersion == "V2" ? .v2 : .v1
            w.dictionary = c.enableDictionary
            w.threads = 1
            d.writer = w
            var cc = ConvertConfig(delivery: d, columns: table.columnDefinitions)
            settings.applyRecordOptions(to: &cc)
            cc.partitionKeys = keys
            cc.jobs = 1
            cc.maxRecordBytes = 1_024_000
            if let st = store {
                cc.outStore = st
                cc.outStoreURL = storeURL
            }
            return .converted(try RecordFeed(config: cc, stagingDir: stagingDir))
        }
        var r = RawFeedConfig(folder: bucketFolder, stream: stream, prefix: prefix, errorPrefix: errorPrefix)
        r.partitionKeys = keys
        r.compression = settings.compression
        r.fileExtension = settings.fileExtension
        r.bufferSize = settings.sizeInMBs << 20
        r.bufferIntervalMillis = Int64(settings.intervalInSeconds) * 1000
        if let st = store {
            r.store = st
            r.storeURL = storeURL
        }
        return .raw(try RawFeed(config: r, stagingDir: stagingDir))
    }
}

final class StreamRuntime: @unchecked Sendable {
    let name: String
    let queue: DispatchQueue
    let wal: WriteAheadLog
    let metrics: StreamMetrics
    let logger: Logger
    let statePath: String
    let stagingDir: String
    let warehouse: String
    /// The keys of the uploads into a bucket, written down before each starts (UploadJournal.swift).
    let journal: UploadJournal
    /// The first journaled keys are a killed run's whose abort failed at start: retried at each flush.
    private var leftoverKeys = 0
    /// Mutated on `queue` only.
    private var plan: StreamPlan
    private var feed: Feed {
        didSet {
            publishConverter()
            countedDelivered = 0
        }
    }
    /// Records of the current feed already counted in DeliveryToS3.Records.
    private var countedDelivered = 0
    /// The converting feed and its settings, for `deliver` to convert batches in parallel before their turn
    /// (read on the log's callback thread, written on `queue`).
    private var converterMutex = pthread_mutex_t()
    private var converterValue: (feed: RecordFeed, settings: DestinationSettings)?
    private var converter: (feed: RecordFeed, settings: DestinationSettings)? {
        get {
            pthread_mutex_lock(&converterMutex)
            defer { pthread_mutex_unlock(&converterMutex) }
            return converterValue
        }
        set {
            pthread_mutex_lock(&converterMutex)
            converterValue = newValue
            pthread_mutex_unlock(&converterMutex)
        }
    }
    /// Converts record batches of every stream at once (the ordered delivery stays on each stream's `queue`).
    static let prepareQueue = DispatchQueue(label: "floe.firehose.convert", attributes: .concurrent)

    private func publishConverter() {
        let c: (RecordFeed, DestinationSettings)?
        if case .converted(let f) = feed {
            f.encodesInline = false
            c = (f, plan.settings)
        } else {
            c = nil
        }
        converter = c
    }
    private var appliedLSN: UInt64
    private(set) var publishedLSN: UInt64
    private var oldestUnpublishedArrival: Int64?
    /// Set on `queue` when the stream is deleted: later deliveries and ticks do nothing.
    private var deleted = false
    /// The LSN whose delivery failed (a bucket unreachable, a disk full): nothing from it on is applied or
    /// published, so the log keeps it; each tick rebuilds the buffers from the log and retries.
    private var stalledAt: UInt64?
    private var onPublish: (@Sendable (StreamPlan, [String]) -> Void)?
    /// A stream into an Iceberg table: the log of its commits (IcebergStream.swift).
    private var icebergLog: IcebergStreamLog?

    init(name: String, plan: StreamPlan, warehouse: String, stateDir: String, wal: WriteAheadLog,
         metrics: StreamMetrics, logger: Logger, startLSN: UInt64?,
         onPublish: (@Sendable (StreamPlan, [String]) -> Void)?) throws {
        self.name = name
        journal = try UploadJournal(path: stateDir + "/" + name + ".uploads")
        let plan = plan.journaled(journal)
        self.plan = plan
        pthread_mutex_init(&converterMutex, nil)
        self.wal = wal
        self.metrics = metrics
        self.logger = logger
        self.warehouse = warehouse
        self.onPublish = onPublish
        queue = DispatchQueue(label: "floe.firehose.stream.\(name)")
        statePath = stateDir + "/" + name + ".json"
        // staged files sit beside the bucket's folder (renames publish them); a bucket's uploads need only an
        // empty local folder
        stagingDir = plan.store == nil ? plan.bucketFolder + "/.floe-staging/firehose-" + name
            : stateDir + "/staging-" + name
        // roll the last flush forward, then drop staging leftovers (their records are still in the log)
        var published: UInt64 = startLSN ?? 0
        if startLSN == nil, Disk.exists(statePath) {
            let bytes = try Disk.readAll(statePath)
            guard let v = try? JSONParser.parse(bytes), let n = v["publishedThrough"]?.numberValue?.int64 else {
                throw WALError(message: "\(statePath): not a stream state file")
            }
            published = UInt64(n)
            var renames: [(staged: String, final: String)] = []
            for p in v["pending"]?.arrayValue ?? [] {
                if case .string(let a)? = p[0], case .string(let b)? = p[1] { renames.append((a, b)) }
            }
            if let st = plan.store {
                try RecordFeed.rollForward(renames, store: st, urlPrefix: plan.storeURL)
            } else {
                try RecordFeed.rollForward(renames, root: plan.bucketFolder)
            }
        }
        if let t = plan.icebergTable {
            // the last commit settled against the table before its staged files go
            let log = try IcebergStreamLog(stateDir: stateDir, stream: name)
            let (_, _, committer) = try StreamPlan.icebergCommitter(table: t, warehouse: warehouse)
            published = try log.settle(lastMark: { try committer.lastMark(checkpointID: $0) }, published: published,
                                       root: plan.bucketFolder)
            icebergLog = log
        }
        publishedLSN = published
        appliedLSN = published
        Disk.removeTree(stagingDir)
        feed = try plan.makeFeed(stream: name, warehouse: warehouse, stagingDir: stagingDir)
        publishConverter()
        // the uploads the killed run left open (the pending ones above are complete now) are aborted before the
        // log's replay starts new ones
        leftoverKeys = journal.recorded.count
        abortLeftoverUploads()
        if startLSN != nil { try writeState(pending: []) }
    }

    /// Aborts the uploads of the keys a killed run journaled (`leftoverKeys`); a failure keeps them for the next
    /// flush, and the stream goes on (its records are in the log either way).
    private func abortLeftoverUploads() {
        guard leftoverKeys > 0 else { return }
        guard let st = plan.store else {
            // now a folder: the keys were of a bucket this stream no longer knows
            try? journal.forget(first: leftoverKeys)
            leftoverKeys = 0
            return
        }
        do {
            let n = try journal.abortLeftovers(count: leftoverKeys, store: st)
            logger.info("aborted the multipart uploads a killed run left", metadata: ["stream": "\(name)", "uploads": "\(n)"])
            leftoverKeys = 0
        } catch {
            logger.error("cannot abort the uploads a killed run left; retrying at the next flush",
                         metadata: ["stream": "\(name)", "error": "\(error)"])
        }
    }

    private func writeState(pending: [(staged: String, final: String)]) throws {
        var o = JSONObject([("publishedThrough", .number(JSONNumber(publishedLSN)))])
        _ = o.append(key: "pending", value: .array(pending.map { .array([.string($0.staged), .string($0.final)]) }))
        try Disk.writeAtomically(statePath, JSONSerializer.serialize(.object(o)))
    }

    /// Replay (startup, on the caller's thread before serving): an entry of the log for this stream.
    func replay(_ e: WALEntry) throws {
        guard e.lsn > publishedLSN, stalledAt == nil else { return }
        // a destination that fails (a bucket not there yet) must not keep the server from starting: the stream
        // stalls and retries from the log
        do { try apply(lsn: e.lsn, arrival: e.arrival, bytes: e.bytes, records: e.records) } catch { stall(at: e.lsn, error) }
    }

    /// Records made durable in the log (called in log order): converted and buffered on the stream's queue.
    /// A converting stream's batches are parsed and converted to column batches on `prepareQueue` (in parallel,
    /// as they become durable), then delivered into the buffered files on `queue` in log order.
    func deliver(lsn: UInt64, arrival: Int64, bytes: [UInt8], records: [Range<Int>]) {
        let job: PrepareJob?
        if let (f, settings) = converter {  // RecordFeed.prepare and encodePending are thread-safe
            let j = PrepareJob(feed: f)
            let source = "\(name):\(lsn)"
            Self.prepareQueue.async {
                let (b2, r2) = settings.transform(bytes, records)
                j.prepared = b2.withUnsafeBytes { j.feed.prepare($0, records: r2, arrival: arrival, source: source, firstNumber: 1) }
                j.done.signal()
            }
            job = j
        } else {
            job = nil
        }
        queue.async {
            job?.done.wait()
            // stalled: the log holds the entry for the retry; applied already: read back by a retry
            if self.deleted || self.stalledAt != nil || lsn <= self.appliedLSN {
                if let j = job, let p = j.prepared { j.feed.release(p) }
                return
            }
            do {
                if let j = job, let p = j.prepared, case .converted(let f) = self.feed, f === j.feed {
                    try self.apply(lsn: lsn, arrival: arrival) { try f.commit(p) }
                    // the filled row groups' columns are encoded beside the next batches' conversion
                    Self.prepareQueue.async { j.feed.encodePending() }
                } else {
                    if let j = job, let p = j.prepared { j.feed.release(p) }
                    try self.apply(lsn: lsn, arrival: arrival, bytes: bytes, records: records)
                }
            } catch {
                self.stall(at: lsn, error)
                return
            }
            do {
                if self.feed.due(now: Disk.nowMillis()) { try self.flush() }
            } catch {
                self.logger.error("flush failed", metadata: ["stream": "\(self.name)", "error": "\(error)"])
                self.metrics.add(\.deliveryFailures, 1)
            }
        }
    }

    /// A record batch could not be buffered: what the feed holds is dropped (the log has it all, from the
    /// published-through LSN on) and the stream waits for `recover()`.
    private func stall(at lsn: UInt64, _ error: Error) {
        logger.error("delivery failed; retrying from the write-ahead log", metadata: ["stream": "\(name)", "lsn": "\(lsn)", "error": "\(error)"])
        metrics.add(\.deliveryFailures, 1)
        stalledAt = lsn
        feed.abort()
        appliedLSN = publishedLSN
        oldestUnpublishedArrival = nil
    }

    /// On a tick after a failure: a fresh feed gets every entry of the log above the published-through LSN.
    private func recover() {
        do {
            feed = try plan.makeFeed(stream: name, warehouse: warehouse, stagingDir: stagingDir)
        } catch {
            logger.error("delivery still failing", metadata: ["stream": "\(name)", "error": "\(error)"])
            return
        }
        stalledAt = nil
        if let log = icebergLog, case .converted(let f) = feed {
            // a commit whose outcome was unknown: the table says whether the log's records are in it
            do {
                publishedLSN = try log.settle(lastMark: { try f.lastMark(checkpointID: $0) }, published: publishedLSN,
                                              root: plan.bucketFolder)
                appliedLSN = publishedLSN
            } catch {
                stall(at: publishedLSN + 1, error)
                return
            }
        }
        do {
            try wal.entries(stream: name, after: publishedLSN) { e in
                do { try self.apply(lsn: e.lsn, arrival: e.arrival, bytes: e.bytes, records: e.records) } catch {
                    self.stall(at: e.lsn, error)
                    throw error
                }
            }
        } catch {
            if stalledAt == nil { stall(at: publishedLSN + 1, error) }
            return
        }
        logger.info("delivery resumed", metadata: ["stream": "\(name)", "through": "\(appliedLSN)"])
    }

    private func apply(lsn: UInt64, arrival: Int64, bytes: [UInt8], records: [Range<Int>]) throws {
        let (bytes2, records2) = plan.settings.transform(bytes, records)
        try apply(lsn: lsn, arrival: arrival) {
            try bytes2.withUnsafeBytes { p in
                try feed.append(p, records: records2, arrival: arrival, source: "\(name):\(lsn)", first: 1)
            }
        }
    }

    /// Runs `append` (the entry into the feed) with the metrics and positions around it.
    private func apply(lsn: UInt64, arrival: Int64, _ append: () throws -> Void) throws {
        let before = feed.conversionCounts
        try append()
        let after = feed.conversionCounts
        if plan.settings.conversion != nil {
            metrics.add(\.succeedConversion, after.0 - before.0)
            metrics.add(\.failedConversion, after.1 - before.1)
        }
        let (open, exceeded) = feed.partitions
        metrics.set(\.partitionCount, open)
        metrics.set(\.partitionCountExceeded, exceeded)
        appliedLSN = max(appliedLSN, lsn)
        if oldestUnpublishedArrival == nil { oldestUnpublishedArrival = arrival }
    }

    /// Flushes when a buffer is due (the periodic tick).
    func tick() {
        queue.async {
            if self.deleted { return }
            if self.stalledAt != nil { self.recover() }
            guard self.stalledAt == nil, self.feed.hasBufferedData, self.feed.due(now: Disk.nowMillis()) else { return }
            do { try self.flush() } catch {
                self.logger.error("flush failed", metadata: ["stream": "\(self.name)", "error": "\(error)"])
                self.metrics.add(\.deliveryFailures, 1)
            }
        }
    }

    /// Publishes everything buffered (on `queue`).
    private func flush() throws {
        if stalledAt != nil { return }
        if let log = icebergLog, case .converted(let f) = feed { return try flushCommitted(f, log) }
        let bytesBefore = feed.bytesOut
        let renames: [(staged: String, final: String)]
        do { renames = try feed.stage() } catch {
            // nothing of this flush is published: rebuilt from the log on the next tick
            stall(at: publishedLSN + 1, error)
            throw error
        }
        let through = appliedLSN
        if !renames.isEmpty || through > publishedLSN {
            let before = publishedLSN
            publishedLSN = through
            do { try writeState(pending: renames) } catch { publishedLSN = before; throw error }
            try feed.publish()
            forgetUploads()
            published(objects: renames.map(\.final), bytesBefore: bytesBefore, through: through)
        }
        wal.published(stream: name, through: through)
    }

    /// After a flush published every buffer: the uploads journaled so far are complete (or were aborted by a
    /// stall), so the journal forgets them; a killed run's keys are aborted first.
    private func forgetUploads() {
        abortLeftoverUploads()
        guard leftoverKeys == 0, !feed.hasBufferedData else { return }
        do { try journal.forget(first: journal.recorded.count) } catch {
            logger.error("cannot rewrite the upload journal", metadata: ["stream": "\(name)", "error": "\(error)"])
        }
    }

    /// A flush into an Iceberg table: one append snapshot covering the log through the applied LSN, logged
    /// first (IcebergStream.swift); the error files are published after it.
    private func flushCommitted(_ f: RecordFeed, _ log: IcebergStreamLog) throws {
        let bytesBefore = feed.bytesOut
        let staged: RecordFeed.StagedCommit
        do { staged = try f.stageForCommit() } catch {
            stall(at: publishedLSN + 1, error)
            throw error
        }
        let through = appliedLSN
        if !staged.data.isEmpty || !staged.errors.isEmpty || through > publishedLSN {
            do { try log.commit(f, staged, lsn: through) } catch {
                // not committed, or not known: rebuilt from the log once the table tells which (`recover`)
                stall(at: publishedLSN + 1, error)
                throw error
            }
            let before = publishedLSN
            publishedLSN = through
            do { try writeState(pending: staged.errors) } catch { publishedLSN = before; throw error }
            try f.publishErrors(staged.errors)
            try log.done(lsn: through)
            published(objects: (staged.data + staged.errors).map(\.final), bytesBefore: bytesBefore, through: through)
        }
        wal.published(stream: name, through: through)
    }

    /// Metrics and the publish hook of a completed flush.
    private func published(objects: [String], bytesBefore: Int64, through: UInt64) {
        let bytes = feed.bytesOut - bytesBefore
        metrics.add(\.deliveryObjects, objects.count)
        metrics.add(\.deliveryBytes, Int(bytes))
        metrics.add(\.deliverySuccess, 1)
        if let a = oldestUnpublishedArrival { metrics.set(\.dataFreshnessSeconds, max(0, Int((Disk.nowMillis() - a) / 1000))) }
        oldestUnpublishedArrival = nil
        metrics.set(\.partitionCount, 0)
        let (ok, _) = feed.conversionCounts
        metrics.add(\.deliveredRecords, ok - countedDelivered)
        countedDelivered = ok
        if !objects.isEmpty { onPublish?(plan, objects) }
        logger.debug("published", metadata: ["stream": "\(name)", "objects": "\(objects.count)", "through": "\(through)"])
    }

    /// Publishes everything buffered and waits (shutdown, UpdateDestination).
    func flushNow() throws {
        var failure: Error?
        queue.sync {
            if self.stalledAt != nil { self.recover() }
            if let at = self.stalledAt {
                failure = WALError(message: "stream \(self.name): delivery failing from log entry \(at) on; the log keeps the records")
                return
            }
            do { try self.flush() } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// A new destination: what is buffered is published under the old one, then the feed is rebuilt.
    func update(plan newPlan: StreamPlan) throws {
        var failure: Error?
        queue.sync {
            do {
                try self.flush()
                let p = newPlan.journaled(self.journal)
                let f = try p.makeFeed(stream: self.name, warehouse: self.warehouse, stagingDir: self.stagingDir)
                // into an Iceberg table from now on (or no more): its commit log (the flush above settled the old)
                if p.icebergTable == nil {
                    self.icebergLog = nil
                } else if self.icebergLog == nil {
                    self.icebergLog = try IcebergStreamLog(stateDir: String(self.statePath.dropLast(self.name.count + 6)),
                                                           stream: self.name)
                }
                self.plan = p
                self.feed = f
            } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// The stream is deleted: what is buffered is dropped, with its state.
    func delete() {
        queue.sync {
            self.deleted = true
            self.feed.abort()
            Disk.remove(self.statePath)
            self.journal.remove()
            self.icebergLog?.remove()
            Disk.removeTree(self.stagingDir)
        }
        wal.drop(stream: name)
    }
}

extension DestinationSettings {
    /// The processors that change records before delivery: RecordDeAggregation (JSON: each document of a record
    /// is a record; DELIMITED: split at the delimiter) and, without conversion, AppendDelimiterToRecord.
    func transform(_ bytes: [UInt8], _ records: [Range<Int>]) -> ([UInt8], [Range<Int>]) {
        if deaggregation == nil && !(appendDelimiter && conversion == nil) { return (bytes, records) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + records.count)
        var ranges: [Range<Int>] = []
        let delim = Array((delimiter ?? "\n").utf8)
        func emit(_ r: Range<Int>) {
            let start = out.count
            out.append(contentsOf: bytes[r])
            if appendDelimiter && conversion == nil { out.append(contentsOf: delim) }
            ranges.append(start..<out.count)
        }
        for r in records {
            switch deaggregation {
            case "JSON":
                let split = bytes.withUnsafeBytes { JSONParser.splitDocuments(UnsafeRawBufferPointer(rebasing: $0[r])) }
                if split.error != nil || split.ranges.isEmpty { emit(r); continue }
                for d in split.ranges { emit((r.lowerBound + d.lowerBound)..<(r.lowerBound + d.upperBound)) }
            case "DELIMITED":
                guard let d = delimiter, !d.isEmpty else { emit(r); continue }
                let dl = Array(d.utf8)
                var s = r.lowerBound
                var i = r.lowerBound
                while i + dl.count <= r.upperBound {
                    if bytes[i..<(i + dl.count)].elementsEqual(dl) {
                        if i > s { emit(s..<i) }
                        i += dl.count
                        s = i
                    } else { i += 1 }
                }
                if s < r.upperBound { emit(s..<r.upperBound) }
            default:
                emit(r)
            }
        }
        return (out, ranges)
    }
}

/// A batch being converted on `StreamRuntime.prepareQueue`: `done` is signalled once `prepared` is set.
final class PrepareJob: @unchecked Sendable {
    let feed: RecordFeed
    let done = DispatchSemaphore(value: 0)
    var prepared: RecordFeed.Prepared?
    init(feed: RecordFeed) { self.feed = feed }
}
