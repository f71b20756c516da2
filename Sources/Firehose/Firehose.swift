// Module Firehose: the Firehose-equivalent stage (JSON records → Parquet), and the column definitions it shares
// with the warehouse.
//
// Columns/ — column definitions:
// - `HiveType` / `HiveField`: Hive / Glue type strings (`struct<id:bigint,tags:array<string>>`), parsed by
//   `HiveType.parse` (errors: `HiveTypeError`, `invalid type '…' at N: …`) and printed canonically (`description`).
// - `HiveColumn` / `ColumnDefinitions`: a table's columns and partition keys, loaded from a JSON column list or a
//   Glue `TableInput` (`ColumnDefinitions.load(path:)`, `parse(_:)`), or derived from a JSON Schema
//   (`ColumnDefinitions.deriving(fromJSONSchema:)`); errors: `ColumnDefinitionError`.
// - `HiveType.parquetNode(name:repetition:timestamp:)`, `ColumnDefinitions.parquetSchema(timestamp:)`: the Parquet
//   schema Hive would write, with `TimestampMode` (micros, millis, int96).
