// Hive / Glue column types: the model and its canonical text.
//
// Grammar accepted by `HiveType.parse` (keywords case-insensitive, whitespace allowed between tokens):
//
//     type      := primitive | array | map | struct
//     primitive := string | char(N) | varchar(N) | tinyint | smallint | int | integer | bigint
//                | float | double | boolean | decimal | decimal(P) | decimal(P,S) | date | timestamp | binary
//     array     := array<type>
//     map       := map<primitive,type>          (Hive only allows primitive keys)
//     struct    := struct<field(,field)*>
//     field     := name : type                   name: [A-Za-z0-9_]+ or `backtick quoted` (`` doubles a `)
//
// Limits (as Hive): char 1…255, varchar 1…65535, decimal precision 1…38 and scale 0…precision; `decimal` alone is
// `decimal(10,0)` and `decimal(P)` is `decimal(P,0)`; `integer` is a synonym of `int`. Struct field names must be
// unique ignoring case (Hive folds them to lower case) and a struct needs at least one field.
//
// Canonical text (`description`): lower-case keywords, no spaces, `decimal(P,S)` always with both numbers,
// field names as given, backtick-quoted only when they are not `[A-Za-z0-9_]+`. Parsing the canonical text gives the
// same value back.

/// A Hive / Glue column type (`struct<id:bigint,tags:array<string>>`).
public indirect enum HiveType: Hashable, Sendable, CustomStringConvertible {
    /// `string`: UTF-8 text (Parquet BYTE_ARRAY, STRING).
    case string
    /// `char(n)`: text cut to its first `n` characters (1...255), as Hive stores it.
    case char(Int)
    /// `varchar(n)`: text cut to its first `n` characters (1...65535), as Hive stores it.
    case varchar(Int)
    /// `tinyint`: 8-bit signed integer (INT32 annotated INT(8, signed)).
    case tinyint
    /// `smallint`: 16-bit signed integer (INT32 annotated INT(16, signed)).
    case smallint
    /// `int` / `integer`: 32-bit signed integer (INT32).
    case int
    /// `bigint`: 64-bit signed integer (INT64).
    case bigint
    /// `float`: 32-bit IEEE 754 (FLOAT).
    case float
    /// `double`: 64-bit IEEE 754 (DOUBLE).
    case double
    /// `boolean` (BOOLEAN).
    case boolean
    /// `decimal(p,s)`: exact decimal with `precision` digits (1...38), `scale` of them after the point (DECIMAL on
    /// INT32 up to 9 digits, INT64 up to 18, else FIXED_LEN_BYTE_ARRAY).
    case decimal(precision: Int, scale: Int)
    /// `date`: a calendar day (INT32 DATE, days since 1970-01-01).
    case date
    /// `timestamp`: an instant (INT64 TIMESTAMP in microseconds by default, or INT96, see `--timestamp`).
    case timestamp
    /// `binary`: raw bytes (BYTE_ARRAY); from JSON, the string's unescaped UTF-8 bytes.
    case binary
    /// `array<T>`: a list (Parquet 3-level LIST).
    case array(HiveType)
    /// `map<K,V>`: a map with primitive keys (Parquet MAP).
    case map(key: HiveType, value: HiveType)
    /// `struct<a:T,...>`: named fields (a Parquet group).
    case `struct`([HiveField])

    /// Largest decimal precision Hive accepts.
    public static let maxDecimalPrecision = 38
    /// Deepest nesting `parse` accepts (a hostile definition must not exhaust the stack).
    public static let maxDepth = 100

    /// Parses a type string; throws `HiveTypeError` with the position of the first problem.
    public static func parse(_ text: String) throws(HiveTypeError) -> HiveType {
        var p = HiveTypeParser(text)
        return try p.parseWhole()
    }

    /// True for everything but array, map and struct.
    public var isPrimitive: Bool {
        switch self {
        case .array, .map, .struct: false
        default: true
        }
    }

    /// Canonical text, e.g. `struct<id:bigint,name:string>`.
    public var description: String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .string: out += "string"
        case .char(let n): out += "char(\(n))"
        case .varchar(let n): out += "varchar(\(n))"
        case .tinyint: out += "tinyint"
        case .smallint: out += "smallint"
        case .int: out += "int"
        case .bigint: out += "bigint"
        case .float: out += "float"
        case .double: out += "double"
        case .boolean: out += "boolean"
        case .decimal(let p, let s): out += "decimal(\(p),\(s))"
        case .date: out += "date"
        case .timestamp: out += "timestamp"
        case .binary: out += "binary"
        case .array(let t):
            out += "array<"
            t.write(to: &out)
            out += ">"
        case .map(let k, let v):
            out += "map<"
            k.write(to: &out)
            out += ","
            v.write(to: &out)
            out += ">"
        case .struct(let fields):
            out += "struct<"
            for (i, f) in fields.enumerated() {
                if i > 0 { out += "," }
                out += HiveField.quotedName(f.name)
                out += ":"
                f.type.write(to: &out)
            }
            out += ">"
        }
    }
}

/// A named member of a `struct<...>`.
public struct HiveField: Hashable, Sendable {
    /// The field name as written (backticks removed).
    public var name: String
    /// The field's type.
    public var type: HiveType

    /// A field `name` of `type`.
    public init(name: String, type: HiveType) {
        self.name = name
        self.type = type
    }

    /// True when `name` can be written without backticks (`[A-Za-z0-9_]+`).
    public static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { isIdentifierByte($0) }
    }

    /// `name` as is when it is a plain identifier; otherwise wrapped in backticks, with inner backticks doubled.
    public static func quotedName(_ name: String) -> String {
        if isPlainName(name) { return name }
        var out = "`"
        for c in name {
            if c == "`" { out += "``" } else { out.append(c) }
        }
        return out + "`"
    }

    static func isIdentifierByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
    }
}

/// A type string that does not parse: `invalid type 'struc<a:int>' at 0: unknown type 'struc'`.
public struct HiveTypeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The whole type string.
    public var input: String
    /// 0-based character offset of the problem in `input`.
    public var position: Int
    /// What is wrong there.
    public var message: String

    /// An error at character `position` (0-based) of `input`.
    public init(input: String, position: Int, message: String) {
        self.input = input
        self.position = position
        self.message = message
    }

    /// `invalid type '<input>' at <position>: <message>`.
    public var description: String { "invalid type '\(input)' at \(position): \(message)" }
}
