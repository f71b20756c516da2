// A delivery stream as the API defines it: its name, ARN, version, tags and ExtendedS3 destination, validated
// by AWS's rules when created or updated, persisted as one JSON file per stream in the warehouse
// (`DIR/.floe-firehose/streams/<name>.json`), and described with the fields and defaults AWS returns.

import Firehose
import JSON

struct StreamDefinition: Sendable {
    var name: String
    var arn: String
    var type: String
    var region: String
    var account: String
    var createTimestamp: Double
    var lastUpdateTimestamp: Double?
    var versionId: Int
    var tags: [(key: String, value: String?)]
    /// The ExtendedS3DestinationConfiguration as given (merged with updates), defaults not filled in.
    var destination: JSONObject

    static let destinationId = "destinationId-000000000001"

    // MARK: persistence

    var json: JSONValue {
        var o = JSONObject([
            ("name", .string(name)), ("arn", .string(arn)), ("type", .string(type)), ("region", .string(region)),
            ("account", .string(account)), ("createTimestamp", .number(JSONNumber(createTimestamp)!)),
            ("versionId", .number(JSONNumber(versionId))),
        ])
        if let l = lastUpdateTimestamp { _ = o.append(key: "lastUpdateTimestamp", value: .number(JSONNumber(l)!)) }
        _ = o.append(key: "tags", value: .array(tags.map(Self.tagJSON)))
        _ = o.append(key: "destination", value: .object(destination))
        return .object(o)
    }

    static func tagJSON(_ t: (key: String, value: String?)) -> JSONValue {
        var o = JSONObject([("Key", .string(t.key))])
        if let v = t.value { _ = o.append(key: "Value", value: .string(v)) }
        return .object(o)
    }

    init(name: String, arn: String, type: String, region: String, account: String, createTimestamp: Double,
         versionId: Int, tags: [(key: String, value: String?)], destination: JSONObject) {
        self.name = name
        self.arn = arn
        self.type = type
        self.region = region
        self.account = account
        self.createTimestamp = createTimestamp
        self.versionId = versionId
        self.tags = tags
        self.destination = destination
    }

    init?(json v: JSONValue) {
        guard case .string(let n)? = v["name"], case .string(let a)? = v["arn"], case .string(let t)? = v["type"],
              case .string(let r)? = v["region"], case .string(let acct)? = v["account"],
              let ct = v["createTimestamp"]?.numberValue?.double, let ver = v["versionId"]?.numberValue?.int64,
              case .object(let d)? = v["destination"] else { return nil }
        self.init(name: n, arn: a, type: t, region: r, account: acct, createTimestamp: ct, versionId: Int(ver),
                  tags: (v["tags"]?.arrayValue ?? []).compactMap { t in
                      guard case .string(let k)? = t["Key"] else { return nil }
                      return (k, t["Value"]?.stringValue)
                  }, destination: d)
        lastUpdateTimestamp = v["lastUpdateTimestamp"]?.numberValue?.double
    }

    // MARK: description

    /// DeliveryStreamDescription as DescribeDeliveryStream returns it.
    var description: JSONValue {
        var o = JSONObject([
            ("DeliveryStreamName", .string(name)), ("DeliveryStreamARN", .string(arn)),
            ("DeliveryStreamStatus", "ACTIVE"),
            ("DeliveryStreamEncryptionConfiguration", .object(JSONObject([("Status", "DISABLED")]))),
            ("DeliveryStreamType", .string(type)), ("VersionId", .string(String(versionId))),
            ("CreateTimestamp", .number(JSONNumber(createTimestamp)!)),
        ])
        if let l = lastUpdateTimestamp { _ = o.append(key: "LastUpdateTimestamp", value: .number(JSONNumber(l)!)) }
        let d = DestinationSettings.described(destination, account: account, region: region)
        if let ice = IcebergDestination.description(destination, s3: d.s3) {
            _ = o.append(key: "Destinations", value: .array([.object(JSONObject([
                ("DestinationId", .string(Self.destinationId)), ("IcebergDestinationDescription", .object(ice)),
            ]))]))
        } else {
            _ = o.append(key: "Destinations", value: .array([.object(JSONObject([
                ("DestinationId", .string(Self.destinationId)),
                ("S3DestinationDescription", .object(d.s3)),
                ("ExtendedS3DestinationDescription", .object(d.extended)),
            ]))]))
        }
        _ = o.append(key: "HasMoreDestinations", value: false)
        return .object(o)
    }
}

/// An ExtendedS3 destination's settings, resolved with AWS's defaults and validated by its rules.
struct DestinationSettings: Sendable {
    var roleARN: String
    var bucket: String
    var prefix: String?
    var errorOutputPrefix: String?
    var sizeInMBs: Int
    var intervalInSeconds: Int
    var compression: RawCompression
    var fileExtension: String?
    var customTimeZone: String?
    /// The zone prefixes and object names are rendered in (CustomTimeZone; UTC by default).
    var timeZone = PrefixTimeZone.utc
    /// Database and table of the catalog table records are converted for (nil: no conversion).
    var conversion: (database: String, table: String, serde: String, caseInsensitive: Bool,
                     columnToJsonKeyMappings: [(String, String)], convertDotsToUnderscores: Bool,
                     parquetCompression: String, blockSize: Int?, pageSize: Int?, writerVersion: String,
                     enableDictionary: Bool)?
    var partitionKeys: [(String, String)] = []
    var dynamicPartitioning = false
    var deaggregation: String?
    var delimiter: String?
    var appendDelimiter: Bool = false

    /// Validates `d` (ExtendedS3DestinationConfiguration, or the result of merging an update into one).
    init(_ d: JSONObject, field: String = "extendedS3DestinationConfiguration") throws(AWSError) {
        let r = Request(object: d)
        roleARN = try r.requiredString("RoleARN", field: "\(field).roleARN")
        let bucketARN = try r.requiredString("BucketARN", field: "\(field).bucketARN")
        guard bucketARN.hasPrefix("arn:aws:s3:::"), bucketARN.count > 13 else {
            throw AWSError.invalid("BucketARN \(bucketARN) is not a valid S3 bucket ARN (arn:aws:s3:::NAME)")
        }
        bucket = String(bucketARN.dropFirst(13))
        guard !bucket.contains("/"), bucket != ".", bucket != "..", bucket.count <= 63 else {
            throw AWSError.invalid("BucketARN \(bucketARN) does not name a bucket")
        }
        prefix = try r.string("Prefix")
        errorOutputPrefix = try r.string("ErrorOutputPrefix")
        for (v, f) in [(prefix, "prefix"), (errorOutputPrefix, "errorOutputPrefix")] {
            if let v, v.utf8.count > 1024 {
                throw AWSError.validation([AWSError.constraint(v, at: "\(field).\(f)", "Member must have length less than or equal to 1024")])
            }
        }
        let hints = try r.object("BufferingHints")
        let size = try hints?.int("SizeInMBs")
        let interval = try hints?.int("IntervalInSeconds")
        if let s = size, !(1...128).contains(s) {
            throw AWSError.validation([AWSError.constraint(String(s), at: "\(field).bufferingHints.sizeInMBs",
                                                           s < 1 ? "Member must have value greater than or equal to 1" : "Member must have value less than or equal to 128")])
        }
        if let i = interval, !(0...900).contains(i) {
            throw AWSError.validation([AWSError.constraint(String(i), at: "\(field).bufferingHints.intervalInSeconds",
                                                           i < 0 ? "Member must have value greater than or equal to 0" : "Member must have value less than or equal to 900")])
        }
        let cf = try r.string("CompressionFormat") ?? "UNCOMPRESSED"
        guard let c = RawCompression(rawValue: cf) else {
            throw AWSError.validation([AWSError.constraint(cf, at: "\(field).compressionFormat",
                                                           "Member must satisfy enum value set: [HADOOP_SNAPPY, GZIP, UNCOMPRESSED, ZIP, Snappy]")])
        }
        compression = c
        fileExtension = try r.string("FileExtension")
        if let e = fileExtension {
            guard e.hasPrefix("."), e.utf8.count <= 128, !e.contains("/") else {
                throw AWSError.invalid("FileExtension \(e) must start with a period and hold no slash")
            }
        }
        customTimeZone = try r.string("CustomTimeZone")
        if let tz = customTimeZone {
            if tz.utf8.count > 50 {
                throw AWSError.validation([AWSError.constraint(tz, at: "\(field).customTimeZone", "Member must have length less than or equal to 50")])
            }
            guard let z = StreamTimeZone.resolve(tz) else {
                throw AWSError.invalid("CustomTimeZone \(tz) is not a valid time zone; give an IANA time zone name such as Asia/Tokyo, or UTC.")
            }
            timeZone = z
        }
        // data format conversion
        let conv = try r.object("DataFormatConversionConfiguration")
        if let conv, try conv.bool("Enabled") ?? true {
            guard let schema = try conv.object("SchemaConfiguration") else {
                throw AWSError.invalid("SchemaConfiguration is required when DataFormatConversionConfiguration is enabled.")
            }
            guard let db = try schema.string("DatabaseName"), let table = try schema.string("TableName") else {
                throw AWSError.invalid("SchemaConfiguration must specify DatabaseName and TableName.")
            }
            guard let input = try conv.object("InputFormatConfiguration")?.object("Deserializer") else {
                throw AWSError.invalid("InputFormatConfiguration is required when DataFormatConversionConfiguration is enabled.")
            }
            guard let output = try conv.object("OutputFormatConfiguration")?.object("Serializer") else {
                throw AWSError.invalid("OutputFormatConfiguration is required when DataFormatConversionConfiguration is enabled.")
            }
            guard c == .uncompressed else {
                throw AWSError.invalid("CompressionFormat must be UNCOMPRESSED when DataFormatConversionConfiguration is enabled.")
            }
            if let s = size, s < 64 {
                throw AWSError.invalid("BufferingHints.SizeInMBs must be at least 64 when data format conversion is enabled.")
            }
            var serde = "openx", ci = true, dots = false
            var mappings: [(String, String)] = []
            if let ox = try input.object("OpenXJsonSerDe") {
                ci = try ox.bool("CaseInsensitive") ?? true
                dots = try ox.bool("ConvertDotsInJsonKeysToUnderscores") ?? false
                if let m = try ox.object("ColumnToJsonKeyMappings") {
                    for (k, v) in m.object { if case .string(let s) = v { mappings.append((k, s)) } }
                }
            } else if try input.object("HiveJsonSerDe") != nil {
                serde = "hive"
            } else {
                throw AWSError.invalid("Deserializer must specify OpenXJsonSerDe or HiveJsonSerDe.")
            }
            guard let pq = try output.object("ParquetSerDe") else {
                throw AWSError.invalid(try output.object("OrcSerDe") != nil
                    ? "Floe writes Parquet: give OutputFormatConfiguration.Serializer.ParquetSerDe (OrcSerDe is not written)."
                    : "Serializer must specify ParquetSerDe or OrcSerDe.")
            }
            let pc = try pq.string("Compression") ?? "SNAPPY"
            guard ["UNCOMPRESSED", "GZIP", "SNAPPY"].contains(pc) else {
                throw AWSError.validation([AWSError.constraint(pc, at: "\(field).dataFormatConversionConfiguration.outputFormatConfiguration.serializer.parquetSerDe.compression",
                                                               "Member must satisfy enum value set: [UNCOMPRESSED, GZIP, SNAPPY]")])
            }
            let wv = try pq.string("WriterVersion") ?? "V1"
            guard wv == "V1" || wv == "V2" else { throw AWSError.invalid("ParquetSerDe.WriterVersion must be V1 or V2.") }
            conversion = (db, table, serde, ci, mappings, dots, pc, try pq.int("BlockSizeBytes"),
                          try pq.int("PageSizeBytes"), wv, try pq.bool("EnableDictionaryCompression") ?? true)
        }
        sizeInMBs = size ?? (conversion != nil ? 128 : 5)
        intervalInSeconds = interval ?? 300
        // dynamic partitioning and processing
        if let dp = try r.object("DynamicPartitioningConfiguration"), try dp.bool("Enabled") ?? false {
            dynamicPartitioning = true
            if let s = size, s < 64 {
                throw AWSError.invalid("BufferingHints.SizeInMBs must be at least 64 when Dynamic Partitioning is enabled.")
            }
        }
        if let pc = try r.object("ProcessingConfiguration"), try pc.bool("Enabled") ?? false {
            for p in try pc.array("Processors") ?? [] {
                guard case .object(let po) = p else { continue }
                let pr = Request(object: po)
                let type = try pr.requiredString("Type", field: "\(field).processingConfiguration.processors.member.type")
                var params: [String: String] = [:]
                for pv in try pr.array("Parameters") ?? [] {
                    if case .string(let n)? = pv["ParameterName"], case .string(let v)? = pv["ParameterValue"] { params[n] = v }
                }
                switch type {
                case "MetadataExtraction":
                    guard let q = params["MetadataExtractionQuery"] else {
                        throw AWSError.invalid("MetadataExtraction processor needs MetadataExtractionQuery.")
                    }
                    partitionKeys = try Self.parseQueryKeys(q)
                case "RecordDeAggregation":
                    let st = params["SubRecordType"] ?? "JSON"
                    guard st == "JSON" || st == "DELIMITED" else { throw AWSError.invalid("SubRecordType must be JSON or DELIMITED.") }
                    deaggregation = st
                    if st == "DELIMITED" {
                        guard let d = params["Delimiter"] else { throw AWSError.invalid("DELIMITED deaggregation needs a Delimiter.") }
                        delimiter = Self.decodeDelimiter(d)
                    }
                case "AppendDelimiterToRecord":
                    appendDelimiter = true
                    if let d = params["Delimiter"] { delimiter = Self.decodeDelimiter(d) }
                case "Lambda":
                    throw AWSError.invalid("Lambda processors need AWS Lambda; Floe runs no functions (use MetadataExtraction, RecordDeAggregation or AppendDelimiterToRecord).")
                default:
                    throw AWSError.invalid("Unknown processor type \(type).")
                }
            }
        }
        if dynamicPartitioning {
            guard let ep = errorOutputPrefix, !ep.isEmpty else {
                throw AWSError.invalid("ErrorOutputPrefix is required when dynamic partitioning is enabled.")
            }
        }
        // the prefix expressions themselves
        do {
            let p = try PrefixTemplate(prefix ?? "", errorPrefix: false)
            _ = try PrefixTemplate(errorOutputPrefix ?? "", errorPrefix: true)
            let keys = Set(partitionKeys.map(\.0))
            for k in p.partitionKeys where !keys.contains(k) {
                throw AWSError.invalid("Prefix uses !{partitionKeyFromQuery:\(k)} but MetadataExtractionQuery defines no key \(k).")
            }
            if !p.partitionKeys.isEmpty && !dynamicPartitioning {
                throw AWSError.invalid("Prefix uses partitionKeyFromQuery but dynamic partitioning is not enabled.")
            }
        } catch let e as AWSError {
            throw e
        } catch {
            throw AWSError.invalid("\(error)")
        }
    }

    /// `{key1: .a, key2: .b.c}` → [(key1, ".a"), (key2, ".b.c")].
    static func parseQueryKeys(_ q: String) throws(AWSError) -> [(String, String)] {
        var s = Substring(q).trimmingSpaces
        guard s.hasPrefix("{"), s.hasSuffix("}") else {
            throw AWSError.invalid("MetadataExtractionQuery must be a JQ object expression like {key: .field}.")
        }
        s = s.dropFirst().dropLast()
        var out: [(String, String)] = []
        for part in s.split(separator: ",") {
            guard let colon = part.firstIndex(of: ":") else {
                throw AWSError.invalid("MetadataExtractionQuery: expected key: query, got '\(part)'")
            }
            let key = part[..<colon].trimmingSpaces
            let query = part[part.index(after: colon)...].trimmingSpaces
            guard !key.isEmpty, !query.isEmpty else { throw AWSError.invalid("MetadataExtractionQuery: expected key: query") }
            do { _ = try JQQuery(String(query)) } catch { throw AWSError.invalid("MetadataExtractionQuery: \(error)") }
            out.append((String(key), String(query)))
        }
        return out
    }

    static func decodeDelimiter(_ d: String) -> String {
        var bytes: [UInt8] = []
        if Base64.decode(d, into: &bytes), let s = String(validating: bytes, as: UTF8.self) { return s }
        return d
    }

    /// The S3DestinationDescription and ExtendedS3DestinationDescription AWS returns for `d`.
    static func described(_ d: JSONObject, account: String, region: String) -> (s3: JSONObject, extended: JSONObject) {
        let conversionOn: Bool = {
            guard case .object(let c)? = d["DataFormatConversionConfiguration"] else { return false }
            return c["Enabled"]?.boolValue ?? true
        }()
        var hints = JSONObject()
        let given = d["BufferingHints"]?.objectValue
        _ = hints.append(key: "SizeInMBs", value: given?["SizeInMBs"] ?? .number(JSONNumber(conversionOn ? 128 : 5)))
        _ = hints.append(key: "IntervalInSeconds", value: given?["IntervalInSeconds"] ?? .number(JSONNumber(300)))
        let encryption = d["EncryptionConfiguration"] ?? .object(JSONObject([("NoEncryptionConfig", "NoEncryption")]))
        let logging = d["CloudWatchLoggingOptions"] ?? .object(JSONObject([("Enabled", false)]))
        var s3 = JSONObject()
        _ = s3.append(key: "RoleARN", value: d["RoleARN"] ?? "")
        _ = s3.append(key: "BucketARN", value: d["BucketARN"] ?? "")
        if let p = d["Prefix"] { _ = s3.append(key: "Prefix", value: p) }
        if let p = d["ErrorOutputPrefix"] { _ = s3.append(key: "ErrorOutputPrefix", value: p) }
        _ = s3.append(key: "BufferingHints", value: .object(hints))
        _ = s3.append(key: "CompressionFormat", value: d["CompressionFormat"] ?? "UNCOMPRESSED")
        _ = s3.append(key: "EncryptionConfiguration", value: encryption)
        _ = s3.append(key: "CloudWatchLoggingOptions", value: logging)
        var ext = s3
        _ = ext.append(key: "ProcessingConfiguration", value: d["ProcessingConfiguration"]
                       ?? .object(JSONObject([("Enabled", false), ("Processors", .array([]))])))
        _ = ext.append(key: "S3BackupMode", value: d["S3BackupMode"] ?? "Disabled")
        if case .object(var c)? = d["DataFormatConversionConfiguration"] {
            if c["Enabled"] == nil { _ = c.append(key: "Enabled", value: true) }
            if case .object(var sc)? = c["SchemaConfiguration"] {
                if sc["CatalogId"] == nil { _ = sc.append(key: "CatalogId", value: .string(account)) }
                if sc["Region"] == nil { _ = sc.append(key: "Region", value: .string(region)) }
                if sc["VersionId"] == nil { _ = sc.append(key: "VersionId", value: "LATEST") }
                c = c.replacing("SchemaConfiguration", with: .object(sc))
            }
            _ = ext.append(key: "DataFormatConversionConfiguration", value: .object(c))
        }
        if case .object(var dp)? = d["DynamicPartitioningConfiguration"] {
            if dp["RetryOptions"] == nil {
                _ = dp.append(key: "RetryOptions", value: .object(JSONObject([("DurationInSeconds", .number(JSONNumber(300)))])))
            }
            _ = ext.append(key: "DynamicPartitioningConfiguration", value: .object(dp))
        }
        for k in ["FileExtension", "CustomTimeZone"] { if let v = d[k] { _ = ext.append(key: k, value: v) } }
        return (s3, ext)
    }
}

extension JSONObject {
    /// A copy with `key` set to `value` (replaced in place, or appended).
    func replacing(_ key: String, with value: JSONValue) -> JSONObject {
        var pairs = members.map { ($0.key, $0.value) }
        if let i = pairs.firstIndex(where: { $0.0 == key }) { pairs[i].1 = value } else { pairs.append((key, value)) }
        return JSONObject(pairs)
    }

    /// Update semantics of UpdateDestination: members of `update` replace those of `self`; nested structures merge.
    func merged(with update: JSONObject) -> JSONObject {
        var out = self
        for (k, v) in update {
            if case .object(let nu) = v, case .object(let old)? = out[k] {
                out = out.replacing(k, with: .object(old.merged(with: nu)))
            } else {
                out = out.replacing(k, with: v)
            }
        }
        return out
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" || f == "\n" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" { s = s.dropLast() }
        return s
    }
}
