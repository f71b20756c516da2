// Firehose's IcebergDestinationConfiguration (botocore firehose/2015-08-04: RoleARN, CatalogConfiguration,
// S3Configuration required; DestinationTableConfigurationList, BufferingHints, ProcessingConfiguration,
// S3BackupMode, RetryOptions, CloudWatchLoggingOptions, AppendOnly, SchemaEvolution/TableCreationConfiguration)
// on Floe's warehouse: DestinationDatabaseName is the warehouse's database and DestinationTableName one of its
// Iceberg tables (created with `floe table create --format iceberg`). A stream delivers into one table, as a
// stream with BucketARN = the warehouse's database and Prefix `<table>/` does (IcebergStream.swift): the
// definition stores that ExtendedS3 form, with the configuration as given under `IcebergDestinationConfiguration`,
// and DescribeDeliveryStream returns IcebergDestinationDescription with AWS's defaults filled in.

import JSON

enum IcebergDestination {
    /// The key of the stored definition holding the IcebergDestinationConfiguration as given.
    static let key = "IcebergDestinationConfiguration"

    /// The ExtendedS3 form of an IcebergDestinationConfiguration (validated by AWS's rules for its members).
    static func destination(_ c: Request) throws(AWSError) -> JSONObject {
        let field = "icebergDestinationConfiguration"
        let role = try c.requiredString("RoleARN", field: "\(field).roleARN")
        guard try c.object("CatalogConfiguration") != nil else {
            throw AWSError.validation([AWSError.constraint("null", at: "\(field).catalogConfiguration", "Member must not be null")])
        }
        guard let s3 = try c.object("S3Configuration") else {
            throw AWSError.validation([AWSError.constraint("null", at: "\(field).s3Configuration", "Member must not be null")])
        }
        _ = try s3.requiredString("BucketARN", field: "\(field).s3Configuration.bucketARN")
        let tables = try c.array("DestinationTableConfigurationList") ?? []
        guard tables.count == 1, case .object(let t) = tables[0] else {
            throw AWSError.invalid("DestinationTableConfigurationList: give one table (DestinationDatabaseName, DestinationTableName); a Floe stream delivers into one Iceberg table of the warehouse (\(tables.count) given)")
        }
        let tr = Request(object: t)
        let db = try tr.requiredString("DestinationDatabaseName", field: "\(field).destinationTableConfigurationList.member.destinationDatabaseName")
        let table = try tr.requiredString("DestinationTableName", field: "\(field).destinationTableConfigurationList.member.destinationTableName")
        if let keys = try tr.array("UniqueKeys"), !keys.isEmpty {
            throw AWSError.invalid("UniqueKeys: updates and deletes by unique key need row-level deletes; a Floe stream appends to \(db).\(table) (AppendOnly)")
        }
        if try c.bool("AppendOnly") == false, try tr.array("UniqueKeys") != nil {
            throw AWSError.invalid("AppendOnly false needs UniqueKeys")
        }
        var o = JSONObject([("RoleARN", .string(role)), ("BucketARN", .string("arn:aws:s3:::" + db)),
                            ("Prefix", .string(table + "/"))])
        if let h = c["BufferingHints"] { _ = o.append(key: "BufferingHints", value: h) }
        var errorPrefix = try tr.string("S3ErrorOutputPrefix")
        if errorPrefix == nil { errorPrefix = try s3.string("ErrorOutputPrefix") }
        if let e = errorPrefix {
            _ = o.append(key: "ErrorOutputPrefix", value: .string(e))
        }
        if let p = c["ProcessingConfiguration"] { _ = o.append(key: "ProcessingConfiguration", value: p) }
        _ = o.append(key: key, value: .object(c.object))
        return o
    }

    /// The table the definition's Iceberg destination names: (database, table); nil for an S3 destination.
    static func table(_ d: JSONObject) -> (String, String)? {
        guard case .object(let c)? = d[key], case .object(let t)? = c["DestinationTableConfigurationList"]?[0],
              case .string(let db)? = t["DestinationDatabaseName"], case .string(let name)? = t["DestinationTableName"] else {
            return nil
        }
        return (db, name)
    }

    /// IcebergDestinationDescription of a stored definition (AWS's defaults filled in), nil for an S3 destination.
    static func description(_ d: JSONObject, s3: JSONObject) -> JSONObject? {
        guard case .object(let c)? = d[key] else { return nil }
        var o = JSONObject()
        _ = o.append(key: "DestinationTableConfigurationList", value: c["DestinationTableConfigurationList"] ?? .array([]))
        var hints = JSONObject()
        let given = c["BufferingHints"]?.objectValue
        _ = hints.append(key: "SizeInMBs", value: given?["SizeInMBs"] ?? .number(JSONNumber(128)))
        _ = hints.append(key: "IntervalInSeconds", value: given?["IntervalInSeconds"] ?? .number(JSONNumber(300)))
        _ = o.append(key: "BufferingHints", value: .object(hints))
        _ = o.append(key: "CloudWatchLoggingOptions", value: c["CloudWatchLoggingOptions"] ?? .object(JSONObject([("Enabled", false)])))
        _ = o.append(key: "ProcessingConfiguration", value: c["ProcessingConfiguration"]
                     ?? .object(JSONObject([("Enabled", false), ("Processors", .array([]))])))
        _ = o.append(key: "S3BackupMode", value: c["S3BackupMode"] ?? "FailedDataOnly")
        _ = o.append(key: "RetryOptions", value: c["RetryOptions"] ?? .object(JSONObject([("DurationInSeconds", .number(JSONNumber(300)))])))
        _ = o.append(key: "RoleARN", value: c["RoleARN"] ?? "")
        _ = o.append(key: "AppendOnly", value: c["AppendOnly"] ?? true)
        _ = o.append(key: "CatalogConfiguration", value: c["CatalogConfiguration"] ?? .object(JSONObject()))
        var s3d = s3
        if case .object(let given)? = c["S3Configuration"] {
            for k in ["RoleARN", "BucketARN", "Prefix", "ErrorOutputPrefix", "CompressionFormat"] {
                if let v = given[k] { s3d = s3d.replacing(k, with: v) }
            }
            if given["Prefix"] == nil { s3d = JSONObject(s3d.members.filter { $0.key != "Prefix" }.map { ($0.key, $0.value) }) }
        }
        _ = o.append(key: "S3DestinationDescription", value: .object(s3d))
        return o
    }
}
