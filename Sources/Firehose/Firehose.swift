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
//
// Conversion/ — the stage itself (`floe convert` / `floe ingest`):
// - `RecordLayout` / `ColumnBuilders` / `RecordConverter`: JSON tokens straight into Parquet column buffers with
//   OpenX (or Hive) SerDe semantics; a failed record rolls back to its mark. Coercions in `Coercion`.
// - `Converter` (`ConvertConfig`, `ConvertStats`): chunks of lines converted in parallel, delivered in order on a
//   delivery queue; `--checkpoint` write-ahead log of published files and input positions (exactly once).
// Delivery/ — `Delivery`: open file per prefix in a staging folder, buffering hints, partition limit, publish by
//   rename + fsync. Errors/ — `ErrorRecord`: Firehose's error-output JSON. Prefix/ — `PrefixTemplate`
//   (`!{timestamp:…}`, `!{firehose:…}`, `!{partitionKeyFromQuery:…}`, Hive escaping), `JQQuery` (jq subset).
