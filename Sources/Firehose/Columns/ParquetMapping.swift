// Hive types → Parquet schema, as Hive's ParquetHiveSerDe writes them.
//
// Every column and struct field is `optional`. Leaves:
//
// | Hive                | Parquet                                                                      |
// |---------------------|------------------------------------------------------------------------------|
// | string, char, varchar | BYTE_ARRAY, STRING (UTF8)                                                  |
// | tinyint / smallint  | INT32, INT(8, signed) / INT(16, signed) (INT_8 / INT_16)                     |
// | int / bigint        | INT32 / INT64                                                                |
// | float / double      | FLOAT / DOUBLE                                                               |
// | boolean             | BOOLEAN                                                                      |
// | decimal(p,s)        | DECIMAL(p,s) on INT32 when p ≤ 9, INT64 when p ≤ 18, else FIXED_LEN_BYTE_ARRAY of the fewest bytes that hold 10^p − 1 in two's complement |
// | date                | INT32, DATE                                                                  |
// | timestamp           | micros (default): INT64 TIMESTAMP(MICROS, UTC) (TIMESTAMP_MICROS); millis: INT64 TIMESTAMP(MILLIS, UTC) (TIMESTAMP_MILLIS); int96: INT96 |
// | binary              | BYTE_ARRAY                                                                   |
//
// Nested types:
//
//     array<T>   optional group NAME (LIST) { repeated group list { optional T element; } }
//     map<K,V>   optional group NAME (MAP) { repeated group key_value { required K key; optional V value; } }
//     struct<..> optional group NAME { optional ... }
//
// The message is named `hive_schema`, as Hive names it.

import Parquet

/// How `timestamp` columns are stored (`--timestamp micros|millis|int96`).
public enum TimestampMode: String, Sendable, CaseIterable, Equatable {
    /// INT64 TIMESTAMP(MICROS, isAdjustedToUTC=true) — the default.
    case micros
    /// INT64 TIMESTAMP(MILLIS, isAdjustedToUTC=true).
    case millis
    /// Legacy INT96 (Julian day + nanoseconds of day), as older Hive and Impala write.
    case int96
}

extension HiveType {
    /// The Parquet node of a column (or struct field / element) of this type named `name`.
    public func parquetNode(name: String, repetition: Repetition = .optional, timestamp: TimestampMode = .micros)
        -> SchemaNode
    {
        switch self {
        case .string, .char, .varchar:
            return SchemaNode(name: name, repetition: repetition, physicalType: .byteArray, convertedType: .utf8,
                              logicalType: .string)
        case .tinyint:
            return SchemaNode(name: name, repetition: repetition, physicalType: .int32, convertedType: .int8,
                              logicalType: .integer(bitWidth: 8, isSigned: true))
        case .smallint:
            return SchemaNode(name: name, repetition: repetition, physicalType: .int32, convertedType: .int16,
                              logicalType: .integer(bitWidth: 16, isSigned: true))
        case .int:
            return SchemaNode(name: name, repetition: repetition, physicalType: .int32)
        case .bigint:
            return SchemaNode(name: name, repetition: repetition, physicalType: .int64)
        case .float:
            return SchemaNode(name: name, repetition: repetition, physicalType: .float)
        case .double:
            return SchemaNode(name: name, repetition: repetition, physicalType: .double)
        case .boolean:
            return SchemaNode(name: name, repetition: repetition, physicalType: .boolean)
        case .decimal(let p, let s):
            let logical = LogicalType.decimal(scale: Int32(s), precision: Int32(p))
            if p <= 9 {
                return SchemaNode(name: name, repetition: repetition, physicalType: .int32, convertedType: .decimal,
                                  logicalType: logical, scale: s, precision: p)
            }
            if p <= 18 {
                return SchemaNode(name: name, repetition: repetition, physicalType: .int64, convertedType: .decimal,
                                  logicalType: logical, scale: s, precision: p)
            }
            return SchemaNode(name: name, repetition: repetition, physicalType: .fixedLenByteArray,
                              typeLength: HiveType.decimalByteLength(precision: p), convertedType: .decimal,
                              logicalType: logical, scale: s, precision: p)
        case .date:
            return SchemaNode(name: name, repetition: repetition, physicalType: .int32, convertedType: .date,
                              logicalType: .date)
        case .timestamp:
            switch timestamp {
            case .micros:
                return SchemaNode(name: name, repetition: repetition, physicalType: .int64,
                                  convertedType: .timestampMicros,
                                  logicalType: .timestamp(isAdjustedToUTC: true, unit: .micros))
            case .millis:
                return SchemaNode(name: name, repetition: repetition, physicalType: .int64,
                                  convertedType: .timestampMillis,
                                  logicalType: .timestamp(isAdjustedToUTC: true, unit: .millis))
            case .int96:
                return SchemaNode(name: name, repetition: repetition, physicalType: .int96)
            }
        case .binary:
            return SchemaNode(name: name, repetition: repetition, physicalType: .byteArray)
        case .array(let element):
            let list = SchemaNode(name: "list", repetition: .repeated, children: [
                element.parquetNode(name: "element", repetition: .optional, timestamp: timestamp),
            ])
            return SchemaNode(name: name, repetition: repetition, convertedType: .list, logicalType: .list,
                              children: [list])
        case .map(let key, let value):
            let kv = SchemaNode(name: "key_value", repetition: .repeated, children: [
                key.parquetNode(name: "key", repetition: .required, timestamp: timestamp),
                value.parquetNode(name: "value", repetition: .optional, timestamp: timestamp),
            ])
            return SchemaNode(name: name, repetition: repetition, convertedType: .map, logicalType: .map,
                              children: [kv])
        case .struct(let fields):
            return SchemaNode(name: name, repetition: repetition, children: fields.map {
                $0.type.parquetNode(name: $0.name, repetition: .optional, timestamp: timestamp)
            })
        }
    }

    /// Fewest bytes whose two's complement holds every unscaled value of `precision` digits (10^p − 1).
    public static func decimalByteLength(precision: Int) -> Int {
        // Smallest n with 2^(8n−1) > 10^p − 1, i.e. 8n − 1 ≥ ceil(p · log2 10).
        var n = 1
        while Double(8 * n - 1) < (Double(precision) * 3.321928094887362).rounded(.up) { n += 1 }
        return n
    }
}

extension ColumnDefinitions {
    /// The Parquet schema of the data files: the columns only (partition keys live in the folder names, as Hive
    /// writes them), all optional, under `message hive_schema`.
    public func parquetSchema(timestamp: TimestampMode = .micros) -> Schema {
        Schema(root: SchemaNode(name: "hive_schema", repetition: .required, children: columns.map {
            $0.type.parquetNode(name: $0.name, repetition: .optional, timestamp: timestamp)
        }))
    }
}
