// Read a Parquet file: its schema and footer, whole rows as canonical JSON lines, and one column as typed values.
// Run: swift run ReadParquet FILE.parquet
import Parquet

// snippet.hide
let path = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "data.parquet"
// snippet.show
let file = try ParquetFile(path: path)
print("\(file.numRows) rows in \(file.rowGroupCount) row groups, \(file.schema.columns.count) leaf columns")

// Rows, the way `floe cat` prints them (conventions/canonical-jsonl.md): one JSON object per line.
var jsonl: [UInt8] = []
try RowExporter(file: file, columns: nil).export(format: .jsonl, limit: 3) { jsonl += $0 }
print(String(decoding: jsonl, as: UTF8.self), terminator: "")

// One column of the first row group as dense typed values plus definition levels (nulls have no value).
if file.rowGroupCount > 0 {
    let column = try file.readColumn(rowGroup: 0, column: 0)
    print("\(column.descriptor.dottedPath): \(column.values.count) values, \(column.levelCount) levels")
}
