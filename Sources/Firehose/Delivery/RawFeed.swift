// Delivery without format conversion (a Firehose stream with no DataFormatConversionConfiguration): records are
// concatenated as they arrived, per prefix, and each object is compressed whole with the stream's
// CompressionFormat (UNCOMPRESSED, GZIP, ZIP, Snappy framing format, HADOOP_SNAPPY). With dynamic partitioning,
// each record is parsed for the partition-key queries; a record whose keys cannot be extracted goes to the error
// output (`processing-failed`… as Firehose's `partitioning-failed` type) with its bytes in rawData.

import CCodecs
import JSON
import ObjectStore
import Parquet

/// A Firehose `CompressionFormat` for objects delivered without format conversion.
public enum RawCompression: String, Sendable, CaseIterable {
    /// The records as they arrived.
    case uncompressed = "UNCOMPRESSED"
    /// One gzip member (RFC 1952).
    case gzip = "GZIP"
    /// A ZIP archive of one deflated entry.
    case zip = "ZIP"
    /// The Snappy framing format (stream identifier, CRC-32C-checked chunks).
    case snappy = "Snappy"
    /// Hadoop's Snappy block stream (big-endian lengths per block of at most 256 KiB).
    case hadoopSnappy = "HADOOP_SNAPPY"

    /// The object-name extension Firehose appends for the format.
    public var defaultExtension: String {
        switch self {
        case .uncompressed: ""
        case .gzip: ".gz"
        case .zip: ".zip"
        case .snappy: ".snappy"
        case .hadoopSnappy: ".hsnappy"
        }
    }

    /// `data` as one object in this format; `entryName` names the ZIP entry.
    public func encode(_ data: [UInt8], entryName: String) throws -> [UInt8] {
        switch self {
        case .uncompressed:
            return data
        case .gzip:
            var out: [UInt8] = []
            try Compression.compress(.gzip, input: data, into: &out)
            return out
        case .hadoopSnappy:
            // Hadoop's block stream: per block of at most 256 KiB, the uncompressed length, then one chunk
            // (compressed length + raw Snappy), lengths big-endian.
            var out: [UInt8] = []
            var i = 0
            var chunk: [UInt8] = []
            while i < data.count {
                let n = min(256 << 10, data.count - i)
                chunk.removeAll(keepingCapacity: true)
                data.withUnsafeBytes { SnappyEncoder.compress(UnsafeRawBufferPointer(rebasing: $0[i..<(i + n)]), appendingTo: &chunk) }
                appendBE32(UInt32(n), &out)
                appendBE32(UInt32(chunk.count), &out)
                out.append(contentsOf: chunk)
                i += n
            }
            return out
        case .snappy:
            // The Snappy framing format: stream identifier, then compressed chunks of at most 64 KiB of input,
            // each with the masked CRC-32C of its uncompressed bytes.
            var out: [UInt8] = [0xFF, 0x06, 0x00, 0x00] + Array("sNaPpY".utf8)
            var i = 0
            var chunk: [UInt8] = []
            while i < data.count {
                let n = min(65536, data.count - i)
                chunk.removeAll(keepingCapacity: true)
                let crc = data.withUnsafeBytes { p -> UInt32 in
                    let slice = UnsafeRawBufferPointer(rebasing: p[i..<(i + n)])
                    SnappyEncoder.compress(slice, appendingTo: &chunk)
                    return CRC32C.masked(slice)
                }
                let compressed = chunk.count < n
                let body = compressed ? chunk.count : n
                out.append(compressed ? 0x00 : 0x01)
                let len = body + 4
                out.append(UInt8(len & 0xFF)); out.append(UInt8((len >> 8) & 0xFF)); out.append(UInt8((len >> 16) & 0xFF))
                appendLE32(crc, &out)
                if compressed { out.append(contentsOf: chunk) } else { out.append(contentsOf: data[i..<(i + n)]) }
                i += n
            }
            return out
        case .zip:
            return try ZipArchive.single(name: entryName, data: data)
        }
    }
}

@inline(__always) func appendBE32(_ v: UInt32, _ out: inout [UInt8]) {
    out.append(UInt8(v >> 24)); out.append(UInt8((v >> 16) & 0xFF)); out.append(UInt8((v >> 8) & 0xFF)); out.append(UInt8(v & 0xFF))
}
@inline(__always) func appendLE32(_ v: UInt32, _ out: inout [UInt8]) {
    out.append(UInt8(v & 0xFF)); out.append(UInt8((v >> 8) & 0xFF)); out.append(UInt8((v >> 16) & 0xFF)); out.append(UInt8(v >> 24))
}
@inline(__always) func appendLE16(_ v: UInt16, _ out: inout [UInt8]) {
    out.append(UInt8(v & 0xFF)); out.append(UInt8(v >> 8))
}

/// CRC-32C (Castagnoli), as the Snappy framing format checks chunks with (masked).
public enum CRC32C {
    static let table: [UInt32] = (0..<256).map { i in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F63B78 : c >> 1 }
        return c
    }
    /// The CRC-32C of `p`.
    public static func checksum(_ p: UnsafeRawBufferPointer) -> UInt32 {
        var c: UInt32 = 0xFFFFFFFF
        table.withUnsafeBufferPointer { t in
            for b in p { c = t[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        }
        return c ^ 0xFFFFFFFF
    }
    /// The CRC-32C of `p` masked as the Snappy framing format stores it (rotated right by 15, plus 0xa282ead8).
    public static func masked(_ p: UnsafeRawBufferPointer) -> UInt32 {
        let c = checksum(p)
        return ((c >> 15) | (c << 17)) &+ 0xa282ead8
    }
}

/// A ZIP archive (APPNOTE 6.3) of one deflated entry, as Firehose's ZIP objects hold.
enum ZipArchive {
    static func single(name: String, data: [UInt8]) throws -> [UInt8] {
        var gz: [UInt8] = []
        try Compression.compress(.gzip, input: data, into: &gz)
        // zlib's gzip wrapper: a 10-byte header (no name, no extra) and an 8-byte trailer around raw deflate
        guard gz.count >= 18 else { throw DeliveryError("ZIP: deflate failed") }
        let deflated = gz[10..<(gz.count - 8)]
        let crc = data.withUnsafeBytes { Compression.crc32($0) }
        let nameBytes = Array(name.utf8)
        guard data.count < Int(UInt32.max), deflated.count < Int(UInt32.max) else {
            throw DeliveryError("ZIP: an object over 4 GiB needs ZIP64")
        }
        var out: [UInt8] = []
        // local file header
        appendLE32(0x04034b50, &out); appendLE16(20, &out); appendLE16(0x0800, &out); appendLE16(8, &out)
        appendLE16(0, &out); appendLE16(0x21, &out) // 1980-01-01 00:00
        appendLE32(crc, &out); appendLE32(UInt32(deflated.count), &out); appendLE32(UInt32(data.count), &out)
        appendLE16(UInt16(nameBytes.count), &out); appendLE16(0, &out)
        out.append(contentsOf: nameBytes)
        out.append(contentsOf: deflated)
        let central = out.count
        appendLE32(0x02014b50, &out); appendLE16(20, &out); appendLE16(20, &out); appendLE16(0x0800, &out); appendLE16(8, &out)
        appendLE16(0, &out); appendLE16(0x21, &out)
        appendLE32(crc, &out); appendLE32(UInt32(deflated.count), &out); appendLE32(UInt32(data.count), &out)
        appendLE16(UInt16(nameBytes.count), &out); appendLE16(0, &out); appendLE16(0, &out); appendLE16(0, &out)
        appendLE16(0, &out); appendLE32(0o100644 << 16, &out); appendLE32(0, &out)
        out.append(contentsOf: nameBytes)
        let centralSize = out.count - central
        appendLE32(0x06054b50, &out); appendLE16(0, &out); appendLE16(0, &out); appendLE16(1, &out); appendLE16(1, &out)
        appendLE32(UInt32(centralSize), &out); appendLE32(UInt32(central), &out); appendLE16(0, &out)
        return out
    }
}

/// How a stream without format conversion delivers: prefixes, compression, buffering hints, partition keys.
public struct RawFeedConfig: Sendable {
    /// The bucket's folder: prefixes resolve below it.
    public var folder: String
    /// The delivery stream's name (in object names).
    public var stream: String
    /// The object prefix (Firehose's `Prefix`, with `!{…}` expressions).
    public var prefix: PrefixTemplate
    /// The prefix of the error output (`ErrorOutputPrefix`).
    public var errorPrefix: PrefixTemplate
    /// Dynamic partitioning: the values of `!{partitionKeyFromQuery:KEY}`, taken from each record.
    public var partitionKeys: [(String, JQQuery)] = []
    /// How each object is compressed (`CompressionFormat`).
    public var compression: RawCompression = .uncompressed
    /// nil: the compression's default extension.
    public var fileExtension: String?
    /// Buffered bytes per prefix that make an object due (`BufferingHints.SizeInMBs`).
    public var bufferSize = 5 << 20
    /// Age of a buffer's first record that makes it due, in milliseconds (`BufferingHints.IntervalInSeconds`).
    public var bufferIntervalMillis: Int64 = 300_000
    /// Firehose's active partition limit: records of a further partition go to the error output.
    public var maxOpenPartitions = 500
    /// The database named in error records.
    public var database = "default"
    /// The table named in error records.
    public var table = ""
    /// Where the error records' processing times come from.
    public var clock: any ConversionClock = SystemClock()
    /// Objects go to this store (keys below ``storeURL``, which ``folder`` then starts with) instead of the folder.
    public var store: (any ObjectStore)?
    /// The URL the keys of ``store`` follow (`s3://bucket/`).
    public var storeURL = ""

    /// A configuration with Firehose's defaults for everything else: uncompressed, 5 MiB / 300 s, no partition keys.
    public init(folder: String, stream: String, prefix: PrefixTemplate, errorPrefix: PrefixTemplate) {
        self.folder = folder
        self.stream = stream
        self.prefix = prefix
        self.errorPrefix = errorPrefix
    }
}

/// Records from an API delivered without format conversion: concatenated per prefix as they arrived, each object
/// compressed whole; the caller decides when to flush (by `due(now:)`) and owns durability (`stage()`, `publish()`).
public final class RawFeed {
    struct Buffer {
        var bytes: [UInt8] = []
        var firstArrival: Int64
        var count = 0
    }
    /// The feed's configuration.
    public let config: RawFeedConfig
    let stagingDir: String
    var buffers: [String: Buffer] = [:]
    var errors: [String: Buffer] = [:]
    var pending: [(String, String)] = []
    /// Records appended.
    public private(set) var recordsIn = 0
    /// Records routed to the error output.
    public private(set) var recordsFailed = 0
    /// Records of a partition beyond the active partition limit (also counted in `recordsFailed`).
    public private(set) var partitionLimitFailures = 0
    /// Objects staged.
    public private(set) var filesWritten = 0
    /// Bytes of the objects staged.
    public private(set) var bytesOut: Int64 = 0

    /// `stagingDir` must be a folder on the same file system as the destination (renames publish); it is created.
    public init(config: RawFeedConfig, stagingDir: String) throws {
        self.config = config
        self.stagingDir = stagingDir
        try FileOps.makeDirectories(stagingDir)
        target = config.store.map { ObjectDeliveryTarget(store: $0, urlPrefix: config.storeURL, writerOptions: ObjectWriterOptions()) as any DeliveryTarget }
            ?? LocalDeliveryTarget(stagingDir: stagingDir, root: config.folder)
    }

    /// The staging folder and renames, or the bucket's multipart uploads.
    let target: any DeliveryTarget

    /// Buffers `records` (ranges of `bytes`, each one API record) that arrived at `arrival` (ms since the epoch);
    /// error records name them `<source>:<firstNumber + i>`.
    public func append(_ bytes: UnsafeRawBufferPointer, records: [Range<Int>], arrival: Int64, source: String,
                       firstNumber: Int) throws {
        var n = firstNumber
        let plain = config.partitionKeys.isEmpty ? config.prefix.render(arrival: arrival) : ""
        for r in records {
            let rec = UnsafeRawBufferPointer(rebasing: bytes[r])
            recordsIn += 1
            var prefix = plain
            if !config.partitionKeys.isEmpty {
                var keys: [String: String] = [:]
                var failure: String? = nil
                if let tree = try? JSONParser.parse(rec), case .object = tree {
                    for (k, q) in config.partitionKeys {
                        do { keys[k] = try q.evaluate(tree) } catch {
                            failure = "partition key '\(k)': \(error)"
                            break
                        }
                    }
                } else {
                    failure = "the record is not a JSON object: its partition keys cannot be extracted"
                }
                if let failure {
                    let code = RecordFailure.Code.partitionExtraction
                    let ep = config.errorPrefix.render(arrival: arrival, errorType: code.outputType)
                    var out: [UInt8] = []
                    ErrorRecord.render(code: code, message: failure, raw: rec, input: source, line: n, document: 0,
                                       arrival: arrival, ending: config.clock.nowMillis(), database: config.database,
                                       table: config.table, into: &out)
                    errors[ep, default: Buffer(firstArrival: arrival)].bytes.append(contentsOf: out)
                    errors[ep]!.count += 1
                    recordsFailed += 1
                    n += 1
                    continue
                }
                prefix = config.prefix.render(arrival: arrival, keys: keys)
            }
            if buffers[prefix] == nil && buffers.count >= config.maxOpenPartitions {
                let code = RecordFailure.Code.partitionLimit
                let ep = config.errorPrefix.render(arrival: arrival, errorType: code.outputType)
                var out: [UInt8] = []
                ErrorRecord.render(code: code, message: "more than \(config.maxOpenPartitions) open partitions", raw: rec,
                                   input: source, line: n, document: 0, arrival: arrival,
                                   ending: config.clock.nowMillis(), database: config.database, table: config.table,
                                   into: &out)
                errors[ep, default: Buffer(firstArrival: arrival)].bytes.append(contentsOf: out)
                errors[ep]!.count += 1
                recordsFailed += 1
                partitionLimitFailures += 1
                n += 1
                continue
            }
            buffers[prefix, default: Buffer(firstArrival: arrival)].bytes.append(contentsOf: rec)
            buffers[prefix]!.count += 1
            n += 1
        }
    }

    /// True when a buffer is due by size or by interval at `now`.
    public func due(now: Int64) -> Bool {
        for b in buffers.values where b.bytes.count >= config.bufferSize || now - b.firstArrival >= config.bufferIntervalMillis {
            return true
        }
        for b in errors.values where b.bytes.count >= config.bufferSize || now - b.firstArrival >= config.bufferIntervalMillis {
            return true
        }
        return false
    }

    /// True while records or error records are buffered.
    public var hasBufferedData: Bool { !buffers.isEmpty || !errors.isEmpty }

    /// Partitions (prefixes) with buffered records.
    public var openPartitions: Int { buffers.count }

    /// Writes every buffer into staging (fsynced); returns the renames that publish them.
    public func stage() throws -> [(staged: String, final: String)] {
        for p in buffers.keys.sorted() {
            let b = buffers[p]!
            let name = ObjectName.make(stream: config.stream, millis: b.firstArrival, zone: config.prefix.timeZone)
            let ext = config.fileExtension ?? config.compression.defaultExtension
            let body = try config.compression.encode(b.bytes, entryName: name)
            pending.append(try target.stage(bytes: body, name: name + ext,
                                            final: config.folder + "/" + PrefixTemplate.resolveRandom(p) + name + ext))
            bytesOut += Int64(body.count)
            filesWritten += 1
        }
        for p in errors.keys.sorted() {
            let b = errors[p]!
            let name = ObjectName.make(stream: config.stream, millis: b.firstArrival, zone: config.prefix.timeZone)
            pending.append(try target.stage(bytes: b.bytes, name: name,
                                            final: config.folder + "/" + PrefixTemplate.resolveRandom(p) + name))
        }
        buffers.removeAll()
        errors.removeAll()
        return pending.map { ($0.0, $0.1) }
    }

    /// Publishes the staged objects (renames, durably; or completes the uploads).
    public func publish() throws {
        try target.publish(pending, rollForward: false)
        pending.removeAll()
    }

    /// Drops what is buffered (the stream is deleted).
    public func abort() {
        buffers.removeAll()
        errors.removeAll()
        target.discard(pending)
        pending.removeAll()
    }
}
