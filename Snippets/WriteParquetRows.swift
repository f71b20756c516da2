// Write a Parquet file from rows: a schema, then values shaped like JSON (objects, arrays, scalars).
// Run: swift run WriteParquetRows OUT.parquet
import Parquet

// snippet.hide
let out = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "rows.parquet"
// snippet.show
let schema = Schema(fields: [
    .int64("id", .required),
    .string("name"),
    .list("tags", element: .string("element")),
])
var options = WriterOptions()
options.compression = .zstd
let writer = try ParquetWriter(path: out, schema: schema, options: options)
try writer.write(rows: [
    .record([("id", .int(1)), ("name", .string("ada")), ("tags", .array([.string("x"), .string("y")]))]),
    .record([("id", .int(2)), ("name", .null), ("tags", .array([]))]),
])
try writer.close()  // the file appears whole at `out` (written aside, then renamed)
print("wrote", try ParquetFile(path: out).numRows, "rows")
