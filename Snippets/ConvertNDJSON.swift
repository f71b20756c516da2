// Convert NDJSON records to Parquet like Kinesis Data Firehose: records vetted against Hive column definitions,
// written into hourly partition folders, failed records in Firehose's error layout.
// Run: swift run ConvertNDJSON INPUT.ndjson OUTDIR
import Firehose

// snippet.hide
let input = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "events.ndjson"
let outDir = CommandLine.arguments.count > 2 ? CommandLine.arguments[2] : "out"
// snippet.show
let columns = ColumnDefinitions(columns: [
    HiveColumn(name: "id", type: try HiveType.parse("bigint")),
    HiveColumn(name: "user", type: try HiveType.parse("struct<name:string,followers:int>")),
])
let delivery = DeliveryConfig(
    outDir: outDir, table: "events", stream: "events",
    prefix: try PrefixTemplate("!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/!{timestamp:HH}/", errorPrefix: false),
    errorPrefix: try PrefixTemplate("!{firehose:error-output-type}/!{timestamp:yyyy}/!{timestamp:MM}/", errorPrefix: true))
var config = ConvertConfig(delivery: delivery, columns: columns)
config.jobs = 2

let stats = try Converter(config: config).run(inputs: [input])
print("converted \(stats.recordsConverted) of \(stats.recordsIn) records, \(stats.recordsFailed) failed,",
      "\(stats.filesWritten) files")
