// Write a Parquet file from columns: dense typed values and definition levels per leaf, the shape the reader returns.
// Run: swift run WriteParquetColumns OUT.parquet
import Parquet

// snippet.hide
let out = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "columns.parquet"
// snippet.show
let schema = Schema(fields: [.int64("id", .required), .double("score")])
let writer = try ParquetWriter(path: out, schema: schema)

var ids = ColumnData(descriptor: schema.columns[0])
ids.values.int64s = [10, 11, 12]
ids.levelCount = 3

// `score` is optional: definition level 1 = a value, 0 = null; values hold only the non-null ones.
var scores = ColumnData(descriptor: schema.columns[1])
scores.values.doubles = [0.5, 2.25]
scores.definitionLevels = [1, 0, 1]
scores.levelCount = 3

try writer.write(columns: [ids, scores])
try writer.close()
print("wrote", try ParquetFile(path: out).numRows, "rows")
