// The Firehose operations: the stream lifecycle on the persisted definitions, and PutRecord/PutRecordBatch
// through the write-ahead log into each stream's runtime. Thread-safe: lifecycle changes hold one lock; puts take
// it only to find their stream.

import Dispatch
import Firehose
import JSON
import Logging
import ObjectStore
import Warehouse
#if canImport(Glibc)
import Glibc
#endif

/// `floe serve`'s settings, validated once by the CLI.
public struct ServerConfiguration: Sendable {
    /// The warehouse folder (`--warehouse`): its catalog holds the tables streams convert into.
    public var warehouse: String
    /// The address listened on.
    public var host = "127.0.0.1"
    /// The TCP port listened on (0: one the system picks).
    public var port = 4573
    /// Buckets are folders below it (default `<warehouse>/buckets`).
    public var bucketRoot: String?
    /// `--bucket-root s3://`: a BucketARN names a real S3 bucket reached with this configuration (the bucket named
    /// after the warehouse's database stays the warehouse folder); nil: buckets are folders below ``bucketRoot``.
    public var s3: S3Configuration?
    /// The write-ahead log's bound: past it, records are refused ("Slow down.").
    public var walLimitBytes = 1 << 30
    /// Size of one write-ahead log segment file.
    public var walSegmentBytes = 64 << 20
    /// How often buffers are checked against their interval.
    public var tickMillis = 1000
    /// The AWS account id in the ARNs of streams.
    public var account = "000000000000"
    /// `--auth strict`: every API request's SigV4 signature is checked against these secrets; nil: not checked.
    public var credentials: Credentials?
    /// The region of ARNs when a request carries no credential scope.
    public var defaultRegion = "us-east-1"

    /// The defaults of `floe serve` for a warehouse folder.
    public init(warehouse: String) { self.warehouse = warehouse }
}

/// The Firehose operations on the streams of one warehouse, independent of HTTP (thread-safe).
public final class FirehoseService: @unchecked Sendable {
    let config: ServerConfiguration
    let logger: Logger
    let wal: WriteAheadLog
    let stateDir: String
    let streamsDir: String
    private var mutex = pthread_mutex_t()
    private var definitions: [String: StreamDefinition] = [:]
    private var runtimes: [String: StreamRuntime] = [:]
    private var metrics: [String: StreamMetrics] = [:]
    private var timer: DispatchSourceTimer?
    /// The warehouse's database name (a bucket of that name is the warehouse folder), nil without a catalog.
    let warehouseDatabase: String?
    let catalogLock = DispatchQueue(label: "floe.firehose.catalog")
    /// The Prometheus registry the streams' metrics are recorded into (through swift-metrics).
    let serverMetrics = ServerMetrics()

    /// Opens the warehouse's stream definitions and write-ahead log, rolls interrupted publishes forward and
    /// replays the log from each stream's published-through position.
    public init(config: ServerConfiguration, logger: Logger) throws {
        self.config = config
        self.logger = logger
        pthread_mutex_init(&mutex, nil)
        let base = config.warehouse + "/.floe-firehose"
        streamsDir = base + "/streams"
        stateDir = base + "/state"
        try Disk.makeDirectories(streamsDir)
        try Disk.makeDirectories(stateDir)
        warehouseDatabase = Disk.exists(config.warehouse + "/" + DataWarehouse.catalogFileName)
            ? (try? DataWarehouse(opening: config.warehouse).catalog().database) : nil
        wal = try WriteAheadLog(directory: base + "/wal", segmentBytes: config.walSegmentBytes, maxBytes: config.walLimitBytes)
        // streams, then the log replayed into them
        for f in Disk.list(streamsDir).sorted() where f.hasSuffix(".json") {
            let path = streamsDir + "/" + f
            guard let v = try? JSONParser.parse(try Disk.readAll(path)), let d = StreamDefinition(json: v) else {
                throw WALError(message: "\(path): not a stream definition")
            }
            definitions[d.name] = d
            let m = StreamMetrics(stream: d.name, factory: serverMetrics.factory)
            metrics[d.name] = m
            runtimes[d.name] = try makeRuntime(d, metrics: m, startLSN: nil)
        }
        var replayed = 0
        try wal.replay { e in
            guard let r = runtimes[e.stream] else { return }
            try r.replay(e)
            replayed += e.records.count
        }
        for r in runtimes.values { wal.published(stream: r.name, through: r.publishedLSN) }
        logger.info("streams loaded", metadata: ["streams": "\(definitions.count)", "replayedRecords": "\(replayed)"])
        let t = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "floe.firehose.tick"))
        t.schedule(deadline: .now() + .milliseconds(config.tickMillis), repeating: .milliseconds(config.tickMillis))
        t.setEventHandler { [weak self] in self?.tick() }
        t.resume()
        timer = t
    }

    deinit { pthread_mutex_destroy(&mutex) }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }

    private func tick() {
        let rs = locked { Array(runtimes.values) }
        for r in rs { r.tick() }
    }

    /// Publishes every buffer (SIGTERM, graceful shutdown).
    public func shutdown() {
        timer?.cancel()
        let rs = locked { Array(runtimes.values) }
        for r in rs {
            do { try r.flushNow() } catch {
                logger.error("flush at shutdown failed", metadata: ["stream": "\(r.name)", "error": "\(error)"])
            }
        }
        logger.info("buffers flushed", metadata: ["streams": "\(rs.count)"])
    }

    // MARK: destinations

    func bucketFolder(_ bucket: String) -> String {
        if let db = warehouseDatabase, bucket == db { return config.warehouse }
        if config.s3 != nil { return "s3://" + bucket }
        return (config.bucketRoot ?? config.warehouse + "/buckets") + "/" + bucket
    }

    func plan(_ d: StreamDefinition) throws(AWSError) -> StreamPlan {
        let s = try DestinationSettings(d.destination)
        let folder = bucketFolder(s.bucket)
        var table: String? = nil
        var iceberg: String? = nil
        if folder == config.warehouse, let db = warehouseDatabase,
           let wh = try? DataWarehouse(opening: config.warehouse), let cat = try? wh.catalog() {
            // the table whose folder the prefix delivers into (its hourly partitions are registered on publish)
            let p = s.prefix ?? ""
            table = cat.tables.first { !$0.location.isEmpty && p.hasPrefix($0.location) && $0.usesHourlyFolders }?.name
            // an Iceberg table: each flush commits a snapshot (IcebergStream.swift)
            iceberg = cat.tables.first { $0.format == .iceberg && !$0.location.isEmpty && p.hasPrefix($0.location) }?.name
            _ = db
        }
        if let c = s.conversion {
            guard let wh = try? DataWarehouse(opening: config.warehouse), let cat = try? wh.catalog() else {
                throw AWSError.invalid("DataFormatConversionConfiguration: \(config.warehouse) holds no warehouse catalog (floe warehouse init)")
            }
            guard c.database == cat.database else {
                throw AWSError.invalid("SchemaConfiguration.DatabaseName \(c.database) not found: the warehouse's database is \(cat.database)")
            }
            guard let t = cat.tables.first(where: { $0.name == c.table }) else {
                throw AWSError.invalid("SchemaConfiguration.TableName \(c.table) not found in database \(c.database)")
            }
            guard t.format == .parquet || (t.format == .iceberg && t.name == iceberg) else {
                throw AWSError.invalid("table \(c.table) is stored as \(t.format), not Parquet")
            }
        }
        var p = StreamPlan(settings: s, bucketFolder: folder, warehouseTable: table)
        p.icebergTable = iceberg
        if let cfg = config.s3, folder.hasPrefix("s3://") {
            do {
                try StoreLocation.validateBucketName(s.bucket)
            } catch {
                throw AWSError.invalid("BucketARN arn:aws:s3:::\(s.bucket): \(error)")
            }
            p.store = S3Store(bucket: s.bucket, client: S3Client(configuration: cfg))
        }
        return p
    }

    private func makeRuntime(_ d: StreamDefinition, metrics m: StreamMetrics, startLSN: UInt64?) throws -> StreamRuntime {
        let p: StreamPlan
        do { p = try plan(d) } catch { throw WALError(message: "stream \(d.name): \(error.message)") }
        if p.store == nil { try Disk.makeDirectories(p.bucketFolder) }
        let warehouse = config.warehouse
        let log = logger
        let catalogLock = self.catalogLock
        return try StreamRuntime(name: d.name, plan: p, warehouse: warehouse, stateDir: stateDir, wal: wal, metrics: m,
                                 logger: logger, startLSN: startLSN, onPublish: { plan, _ in
            guard let t = plan.warehouseTable else { return }
            catalogLock.async {
                do { _ = try DataWarehouse(opening: warehouse).syncPartitions(table: t) } catch {
                    log.error("partition registration failed", metadata: ["table": "\(t)", "error": "\(error)"])
                }
            }
        })
    }

    private func persist(_ d: StreamDefinition) throws(AWSError) {
        do {
            try Disk.writeAtomically(streamsDir + "/" + d.name + ".json", JSONSerializer.serialize(d.json))
        } catch {
            throw AWSError("ServiceUnavailableException", "cannot persist stream \(d.name): \(error)", status: 500)
        }
    }

    // MARK: dispatch

    /// Who sent a request, as far as the operations need it.
    public struct Caller: Sendable {
        /// The region of the request's credential scope (ARNs are made in it).
        public var region: String
        /// A caller in `region`.
        public init(region: String) { self.region = region }
    }

    /// Runs `operation` (the part of X-Amz-Target after the dot) on a JSON body.
    public func handle(operation: String, body: UnsafeRawBufferPointer, caller: Caller) -> (Int, [UInt8], String?) {
        do throws(AWSError) {
            let out: JSONValue
            switch operation {
            case "PutRecordBatch": return (200, try putRecordBatch(body), nil)
            case "PutRecord": return (200, try putRecord(body), nil)
            case "CreateDeliveryStream": out = try create(Request(body: body), caller)
            case "DescribeDeliveryStream": out = try describe(Request(body: body))
            case "ListDeliveryStreams": out = try list(Request(body: body))
            case "DeleteDeliveryStream": out = try delete(Request(body: body))
            case "UpdateDestination": out = try updateDestination(Request(body: body))
            case "TagDeliveryStream": out = try tag(Request(body: body))
            case "UntagDeliveryStream": out = try untag(Request(body: body))
            case "ListTagsForDeliveryStream": out = try listTags(Request(body: body))
            case "StartDeliveryStreamEncryption", "StopDeliveryStreamEncryption":
                throw AWSError.invalid("Server-side encryption with KMS keys needs AWS KMS; Floe streams are not encrypted at rest.")
            default:
                throw AWSError("UnknownOperationException", "")
            }
            return (200, JSONSerializer.serialize(out), nil)
        } catch {
            return (error.status, error.body, error.code)
        }
    }

    // MARK: lifecycle

    static func validName(_ name: String, field: String = "deliveryStreamName") throws(AWSError) {
        var errors: [String] = []
        if name.utf8.count > 64 { errors.append(AWSError.constraint(name, at: field, "Member must have length less than or equal to 64")) }
        if name.isEmpty { errors.append(AWSError.constraint(name, at: field, "Member must have length greater than or equal to 1")) }
        if !name.utf8.allSatisfy({ c in (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x2E || c == 0x2D }) || name.isEmpty {
            errors.append(AWSError.constraint(name, at: field, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"))
        }
        if !errors.isEmpty { throw AWSError.validation(errors) }
    }

    static func parseTags(_ list: [JSONValue], field: String) throws(AWSError) -> [(key: String, value: String?)] {
        var out: [(key: String, value: String?)] = []
        for (i, t) in list.enumerated() {
            guard case .string(let k)? = t["Key"] else {
                throw AWSError.validation([AWSError.constraint("null", at: "\(field).\(i + 1).member.key", "Member must not be null")])
            }
            let v = t["Value"]?.stringValue
            if k.isEmpty || k.count > 128 {
                throw AWSError.validation([AWSError.constraint(k, at: "\(field).\(i + 1).member.key", "Member must have length less than or equal to 128")])
            }
            if k.hasPrefix("aws:") {
                throw AWSError.invalid("Tag keys starting with 'aws:' are reserved for AWS use.")
            }
            if let v, v.count > 256 {
                throw AWSError.validation([AWSError.constraint(v, at: "\(field).\(i + 1).member.value", "Member must have length less than or equal to 256")])
            }
            for s in [k, v ?? ""] where !s.unicodeScalars.allSatisfy({ c in
                c.properties.isAlphabetic || c.properties.numericType != nil || c.properties.generalCategory == .spaceSeparator
                    || "_.:/=+-@%".unicodeScalars.contains(c)
            }) {
                throw AWSError.invalid("Tag \(k): keys and values may hold letters, digits, white space and _ . : / = + - @ % only.")
            }
            out.append((k, v))
        }
        return out
    }

    func create(_ r: Request, _ caller: Caller) throws(AWSError) -> JSONValue {
        let name = try r.requiredString("DeliveryStreamName", field: "deliveryStreamName")
        try Self.validName(name)
        let type = try r.string("DeliveryStreamType") ?? "DirectPut"
        guard ["DirectPut", "KinesisStreamAsSource", "MSKAsSource"].contains(type) else {
            throw AWSError.validation([AWSError.constraint(type, at: "deliveryStreamType", "Member must satisfy enum value set: [DirectPut, KinesisStreamAsSource, MSKAsSource]")])
        }
        guard type == "DirectPut" else {
            throw AWSError.invalid("\(type) reads from Kinesis Data Streams or MSK; Floe's streams are DirectPut (producers call PutRecord/PutRecordBatch).")
        }
        let others = ["RedshiftDestinationConfiguration", "ElasticsearchDestinationConfiguration",
                      "AmazonopensearchserviceDestinationConfiguration", "SplunkDestinationConfiguration",
                      "HttpEndpointDestinationConfiguration", "AmazonOpenSearchServerlessDestinationConfiguration",
                      "SnowflakeDestinationConfiguration"]
        for o in others where r[o] != nil {
            throw AWSError.invalid("\(o): Floe delivers to S3 destinations (ExtendedS3DestinationConfiguration) and to the warehouse's Iceberg tables (IcebergDestinationConfiguration) only.")
        }
        let ext = try r.object("ExtendedS3DestinationConfiguration")
        let legacy = try r.object("S3DestinationConfiguration")
        // an Iceberg table of the warehouse: stored in its ExtendedS3 form (IcebergDestination.swift)
        let ice = try r.object(IcebergDestination.key).map { c throws(AWSError) in Request(object: try IcebergDestination.destination(c)) }
        if [ext, legacy, ice].compactMap({ $0 }).count > 1 {
            throw AWSError.invalid("Exactly one destination configuration is supported for a Firehose stream.")
        }
        guard let dest = ext ?? legacy ?? ice else {
            throw AWSError.invalid("Exactly one destination configuration is supported for a Firehose stream.")
        }
        _ = try DestinationSettings(dest.object)
        let tags = try Self.parseTags(try r.array("Tags") ?? [], field: "tags")
        if tags.count > 50 {
            throw AWSError("LimitExceededException", "A delivery stream can have at most 50 tags; \(tags.count) were given.")
        }
        var d = StreamDefinition(name: name, arn: "arn:aws:firehose:\(caller.region):\(config.account):deliverystream/\(name)",
                                 type: type, region: caller.region, account: config.account,
                                 createTimestamp: Double(Disk.nowMillis()) / 1000, versionId: 1, tags: [],
                                 destination: dest.object)
        for t in tags {
            if let i = d.tags.firstIndex(where: { $0.key == t.key }) { d.tags[i] = t } else { d.tags.append(t) }
        }
        let p = try plan(d)
        if let (db, table) = IcebergDestination.table(d.destination), p.icebergTable != table {
            throw AWSError.invalid("DestinationTableConfigurationList: \(db).\(table) is not an Iceberg table of the warehouse (database \(warehouseDatabase ?? "none"); floe table create \(table) --format iceberg)")
        }
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        if definitions[name] != nil { throw AWSError.inUse(name, account: config.account) }
        if definitions.count >= 5000 {
            throw AWSError("LimitExceededException", "You have already consumed your firehose quota of 5000 hoses.")
        }
        try persist(d)
        wal.revive(stream: name)
        let m = StreamMetrics(stream: name, factory: serverMetrics.factory)
        do {
            let rt = try makeRuntime(d, metrics: m, startLSN: wal.lastLSN)
            runtimes[name] = rt
        } catch {
            Disk.remove(streamsDir + "/" + name + ".json")
            throw AWSError("ServiceUnavailableException", "cannot start stream \(name): \(error)", status: 500)
        }
        _ = p
        definitions[name] = d
        metrics[name] = m
        logger.info("stream created", metadata: ["stream": "\(name)"])
        return .object(JSONObject([("DeliveryStreamARN", .string(d.arn))]))
    }

    private func existing(_ name: String) throws(AWSError) -> StreamDefinition {
        guard let d = locked({ definitions[name] }) else { throw AWSError.notFound(name, account: config.account) }
        return d
    }

    func describe(_ r: Request) throws(AWSError) -> JSONValue {
        let name = try r.requiredString("DeliveryStreamName", field: "deliveryStreamName")
        try Self.validName(name)
        if let l = try r.int("Limit"), !(1...10000).contains(l) {
            throw AWSError.validation([AWSError.constraint(String(l), at: "limit", l < 1 ? "Member must have value greater than or equal to 1" : "Member must have value less than or equal to 10000")])
        }
        let d = try existing(name)
        return .object(JSONObject([("DeliveryStreamDescription", d.description)]))
    }

    func list(_ r: Request) throws(AWSError) -> JSONValue {
        let limit = try r.int("Limit") ?? 10
        guard (1...10000).contains(limit) else {
            throw AWSError.validation([AWSError.constraint(String(limit), at: "limit", limit < 1 ? "Member must have value greater than or equal to 1" : "Member must have value less than or equal to 10000")])
        }
        let type = try r.string("DeliveryStreamType")
        if let t = type, !["DirectPut", "KinesisStreamAsSource", "MSKAsSource"].contains(t) {
            throw AWSError.validation([AWSError.constraint(t, at: "deliveryStreamType", "Member must satisfy enum value set: [DirectPut, KinesisStreamAsSource, MSKAsSource]")])
        }
        let start = try r.string("ExclusiveStartDeliveryStreamName")
        var names = locked { definitions.values.filter { type == nil || $0.type == type }.map(\.name) }
        names.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        if let s = start { names = names.filter { Array(s.utf8).lexicographicallyPrecedes(Array($0.utf8)) } }
        let page = names.prefix(limit)
        return .object(JSONObject([("DeliveryStreamNames", .array(page.map { .string($0) })),
                                   ("HasMoreDeliveryStreams", .bool(names.count > limit))]))
    }

    func delete(_ r: Request) throws(AWSError) -> JSONValue {
        let name = try r.requiredString("DeliveryStreamName", field: "deliveryStreamName")
        try Self.validName(name)
        _ = try r.bool("AllowForceDelete")
        pthread_mutex_lock(&mutex)
        guard definitions[name] != nil, let rt = runtimes[name] else {
            pthread_mutex_unlock(&mutex)
            throw AWSError.notFound(name, account: config.account)
        }
        Disk.remove(streamsDir + "/" + name + ".json")
        Disk.fsyncDirectory(streamsDir)
        definitions[name] = nil
        runtimes[name] = nil
        metrics.removeValue(forKey: name)?.destroy()
        pthread_mutex_unlock(&mutex)
        rt.delete()
        logger.info("stream deleted", metadata: ["stream": "\(name)"])
        return .object(JSONObject())
    }

    func updateDestination(_ r: Request) throws(AWSError) -> JSONValue {
        let name = try r.requiredString("DeliveryStreamName", field: "deliveryStreamName")
        try Self.validName(name)
        let version = try r.requiredString("CurrentDeliveryStreamVersionId", field: "currentDeliveryStreamVersionId")
        guard !version.isEmpty, version.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw AWSError.validation([AWSError.constraint(version, at: "currentDeliveryStreamVersionId", "Member must satisfy regular expression pattern: [0-9]+")])
        }
        let destId = try r.requiredString("DestinationId", field: "destinationId")
        var update = try r.object("ExtendedS3DestinationUpdate")
        if update == nil { update = try r.object("S3DestinationUpdate") }
        let iceUpdate = try r.object("IcebergDestinationUpdate")
        for o in ["RedshiftDestinationUpdate", "ElasticsearchDestinationUpdate", "AmazonopensearchserviceDestinationUpdate",
                  "SplunkDestinationUpdate", "HttpEndpointDestinationUpdate", "AmazonOpenSearchServerlessDestinationUpdate",
                  "SnowflakeDestinationUpdate"] where r[o] != nil {
            throw AWSError.invalid("\(o): the stream's destination is S3; a destination cannot change its type.")
        }
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        guard var d = definitions[name], let rt = runtimes[name] else { throw AWSError.notFound(name, account: config.account) }
        guard version == String(d.versionId) else {
            throw AWSError("ConcurrentModificationException",
                           "Cannot update firehose: \(name) since the current version id: \(d.versionId) and specified version id: \(version) do not match")
        }
        guard destId == StreamDefinition.destinationId else {
            throw AWSError.invalid("Destination Id \(destId) not found for delivery stream \(name).")
        }
        if let u = iceUpdate {
            // IcebergDestinationUpdate: merged into the Iceberg configuration, whose ExtendedS3 form is rebuilt
            guard case .object(let c)? = d.destination[IcebergDestination.key] else {
                throw AWSError.invalid("IcebergDestinationUpdate: the stream's destination is S3; a destination cannot change its type.")
            }
            d.destination = try IcebergDestination.destination(Request(object: c.merged(with: u.object)))
        } else if update != nil && d.destination[IcebergDestination.key] != nil {
            throw AWSError.invalid("ExtendedS3DestinationUpdate: the stream's destination is an Iceberg table; use IcebergDestinationUpdate.")
        }
        if let u = update { d.destination = d.destination.merged(with: u.object) }
        _ = try DestinationSettings(d.destination)
        let p = try plan(d)
        d.versionId += 1
        d.lastUpdateTimestamp = Double(Disk.nowMillis()) / 1000
        do { try rt.update(plan: p) } catch {
            throw AWSError("ServiceUnavailableException", "cannot apply the update to \(name): \(error)", status: 500)
        }
        try persist(d)
        definitions[name] = d
        return .object(JSONObject())
    }

    func tag(_ r: Request) throws(AWSError) -> JSONValue {
        let (name, list) = try tagRequest(r, member: "Tags", field: "tags")
        let tags = try Self.parseTags(list, field: "tags")
        return try changeDefinition(name) { (d: inout StreamDefinition) throws(AWSError) in
            for t in tags {
                if let i = d.tags.firstIndex(where: { $0.key == t.key }) { d.tags[i] = t } else { d.tags.append(t) }
            }
            if d.tags.count > 50 {
                throw AWSError("LimitExceededException", "A delivery stream can have at most 50 tags; it would have \(d.tags.count).")
            }
        }
    }

    func untag(_ r: Request) throws(AWSError) -> JSONValue {
        let (name, keys) = try tagRequest(r, member: "TagKeys", field: "tagKeys")
        let drop = Set(keys.compactMap(\.stringValue))
        return try changeDefinition(name) { (d: inout StreamDefinition) throws(AWSError) in
            d.tags.removeAll { drop.contains($0.key) }
        }
    }

    /// TagDeliveryStream / UntagDeliveryStream: the stream's name and the list `member` of 1 to 50 entries.
    private func tagRequest(_ r: Request, member: String, field: String) throws(AWSError) -> (String, [JSONValue]) {
        let name = try r.requiredString("DeliveryStreamName", field: "deliveryStreamName")
        try Self.validName(name)
        guard let list = try r.array(member) else {
            throw AWSError.validation([AWSError.constraint("null", at: field, "Member must not be null")])
        }
        if list.isEmpty || list.count > 50 {
            throw AWSError.validation([AWSError.constraint("[...]", at: field, list.isEmpty ? "Member must have length greater than or equal to 1" : "Member must have length less than or equal to 50")])
        }
        return (name, list)
    }

    /// Under the lock: the stream's definition loaded, changed by `change`, persisted and kept.
    private func changeDefinition(_ name: String,
                                  _ change: (inout StreamDefinition) throws(AWSError) -> Void) throws(AWSError) -> JSONValue {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        guard var d = definitions[name] else { throw AWSError.notFound(name, account: config.account) }
        try change(&d)
        try persist(d)
        definitions[name] = d
        return .object(JSONObject())
    }

    func listTags(_ r: Request) throws(AWSError) -> JSONValue {
        let name = try r.requiredString("DeliveryStreamName", field: "deliveryStreamName")
        try Self.validName(name)
        let limit = try r.int("Limit") ?? 50
        guard (1...50).contains(limit) else {
            throw AWSError.validation([AWSError.constraint(String(limit), at: "limit", limit < 1 ? "Member must have value greater than or equal to 1" : "Member must have value less than or equal to 50")])
        }
        let start = try r.string("ExclusiveStartTagKey")
        let d = try existing(name)
        var tags = d.tags
        if let s = start, let i = tags.firstIndex(where: { $0.key == s }) { tags = Array(tags[(i + 1)...]) }
        let page = tags.prefix(limit)
        return .object(JSONObject([("Tags", .array(page.map(StreamDefinition.tagJSON))),
                                   ("HasMoreTags", .bool(tags.count > limit))]))
    }

    // MARK: records

    static let maxRecordBytes = 1_024_000
    static let maxCallBytes = 4 << 20
    static let maxRecords = 500

    private func runtime(_ name: String) throws(AWSError) -> (StreamRuntime, StreamMetrics) {
        guard let r = locked({ () -> (StreamRuntime, StreamMetrics)? in
            guard let rt = runtimes[name], let m = metrics[name] else { return nil }
            return (rt, m)
        }) else { throw AWSError.notFound(name, account: config.account) }
        return r
    }

    /// Decodes the `Data` blobs of `records` into one buffer; validates AWS's limits.
    private func decode(_ records: [JSONValue], field: String) throws(AWSError) -> ([UInt8], [Range<Int>]) {
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(records.count)
        var errors: [String] = []
        for (i, rec) in records.enumerated() {
            guard case .string(let b64)? = rec["Data"] else {
                errors.append(AWSError.constraint("null", at: field.isEmpty ? "record.data" : "\(field).\(i + 1).member.data", "Member must not be null"))
                continue
            }
            let start = bytes.count
            guard Base64.decode(b64, into: &bytes) else {
                throw AWSError.serialization("Base64 encoded data expected for Data (record \(i + 1))")
            }
            if bytes.count - start > Self.maxRecordBytes {
                errors.append(AWSError.constraint("java.nio.HeapByteBuffer[pos=0 lim=\(bytes.count - start) cap=\(bytes.count - start)]",
                                                  at: field.isEmpty ? "record.data" : "\(field).\(i + 1).member.data",
                                                  "Member must have length less than or equal to \(Self.maxRecordBytes)"))
            }
            ranges.append(start..<bytes.count)
        }
        if !errors.isEmpty { throw AWSError.validation(errors) }
        return (bytes, ranges)
    }

    func putRecordBatch(_ body: UnsafeRawBufferPointer) throws(AWSError) -> [UInt8] {
        let t0 = Disk.monotonicNanos()
        let name: String
        let bytes: [UInt8]
        let ranges: [Range<Int>]
        if let b = BatchScanner.scan(body, maxRecords: Self.maxRecords, maxRecordBytes: Self.maxRecordBytes) {
            // the plain shape every SDK sends: one pass over the bytes
            name = b.stream
            try Self.validName(name)
            (bytes, ranges) = (b.bytes, b.ranges)
        } else {
            let r = try Request(body: body)
            name = try r.requiredString("DeliveryStreamName", field: "deliveryStreamName")
            try Self.validName(name)
            guard let list = try r.array("Records") else {
                throw AWSError.validation([AWSError.constraint("null", at: "records", "Member must not be null")])
            }
            if list.isEmpty || list.count > Self.maxRecords {
                throw AWSError.validation([AWSError.constraint("[...]", at: "records",
                    list.isEmpty ? "Member must have length greater than or equal to 1" : "Member must have length less than or equal to \(Self.maxRecords)")])
            }
            _ = try runtime(name)  // an unknown stream is reported before the records' errors
            (bytes, ranges) = try decode(list, field: "records")
        }
        let (rt, m) = try runtime(name)
        if bytes.count > Self.maxCallBytes {
            throw AWSError.validation([AWSError.constraint("[...]", at: "records",
                "the records of one call must total at most 4 MiB (4194304 bytes), got \(bytes.count)")])
        }
        let arrival = Disk.nowMillis()
        // as many records as the log takes; the rest are refused one by one ("Slow down.")
        var accepted = ranges.count
        var lsn: UInt64 = 0
        while true {
            let res: WriteAheadLog.AppendResult
            let take = accepted
            do {
                res = try bytes.withUnsafeBytes {
                    try wal.append(stream: name, arrival: arrival, bytes: $0, records: ranges[0..<take]) { l in
                        rt.deliver(lsn: l, arrival: arrival,
                                   bytes: take == ranges.count ? bytes : Array(bytes[0..<ranges[take - 1].upperBound]),
                                   records: Array(ranges[0..<take]))
                    }
                }
            } catch {
                throw AWSError("ServiceUnavailableException", "write-ahead log: \(error)", status: 500)
            }
            if case .durable(let l) = res { lsn = l; break }
            if accepted == 1 {
                m.add(\.throttledRecords, ranges.count)
                throw AWSError.slowDown
            }
            accepted /= 2
        }
        m.add(\.incomingRecords, accepted)
        m.add(\.incomingBytes, ranges[accepted - 1].upperBound)
        m.add(\.incomingPutRequests, 1)
        m.add(\.throttledRecords, ranges.count - accepted)
        let out = BatchResponse.putRecordBatch(lsn: lsn, count: ranges.count, accepted: accepted)
        m.observeBatchLatency(nanoseconds: Int64(Disk.monotonicNanos() - t0))
        return out
    }

    func putRecord(_ body: UnsafeRawBufferPointer) throws(AWSError) -> [UInt8] {
        let r = try Request(body: body)
        let name = try r.requiredString("DeliveryStreamName", field: "deliveryStreamName")
        try Self.validName(name)
        guard let rec = r["Record"] else {
            throw AWSError.validation([AWSError.constraint("null", at: "record", "Member must not be null")])
        }
        let (rt, m) = try runtime(name)
        let (bytes, ranges) = try decode([rec], field: "")
        let arrival = Disk.nowMillis()
        let res: WriteAheadLog.AppendResult
        do {
            res = try bytes.withUnsafeBytes {
                try wal.append(stream: name, arrival: arrival, bytes: $0, records: ranges[...]) { l in
                    rt.deliver(lsn: l, arrival: arrival, bytes: bytes, records: ranges)
                }
            }
        } catch {
            throw AWSError("ServiceUnavailableException", "write-ahead log: \(error)", status: 500)
        }
        guard case .durable(let lsn) = res else {
            m.add(\.throttledRecords, 1)
            throw AWSError.slowDown
        }
        m.add(\.incomingRecords, 1)
        m.add(\.incomingBytes, bytes.count)
        m.add(\.incomingPutRequests, 1)
        return Array("{\"RecordId\":\"\(BatchResponse.recordId(lsn, 0))\",\"Encrypted\":false}".utf8)
    }

    // MARK: operations endpoints

    /// The metrics in Prometheus' text exposition format (`GET /metrics`).
    public func metricsText() -> [UInt8] {
        serverMetrics.text(walBytes: wal.bytesInUse, walLimit: config.walLimitBytes)
    }

    /// Delivery streams defined.
    public var streamCount: Int { locked { definitions.count } }
}
