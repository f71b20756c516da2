// Column definitions: the columns (and partition keys) of a table in Hive types, loaded from the JSON files that
// `floe convert --columns` and `floe table create --columns` take.
//
// Accepted JSON documents:
// 1. A column list: `[{"name":"id","type":"string","comment":"optional"}, ...]` (`Name`/`Type`/`Comment` also
//    accepted, as Glue spells them).
// 2. A Glue `TableInput` object: `{"Name":"events","StorageDescriptor":{"Columns":[{"Name":..,"Type":..}]},
//    "PartitionKeys":[{"Name":..,"Type":..}]}` — also wrapped as `{"TableInput":{...}}` (the input of
//    `aws glue create-table`) or `{"Table":{...}}` (the output of `aws glue get-table`).
// 3. An object `{"columns":[...],"partition_keys":[...]}` of two column lists.
//
// Rules: names are non-empty, at most 255 characters, without control characters, unique ignoring case across
// columns and partition keys (Hive folds names to lower case); partition keys have primitive types.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FileSafety
import JSON

/// One column: a name, a Hive type and an optional comment.
public struct HiveColumn: Hashable, Sendable {
    /// The column name as defined (case kept; matched to JSON keys case-insensitively by default).
    public var name: String
    /// The column's Hive type.
    public var type: HiveType
    /// The definition's `comment`, carried into DDL.
    public var comment: String?

    /// A column `name` of `type`, with an optional comment.
    public init(name: String, type: HiveType, comment: String? = nil) {
        self.name = name
        self.type = type
        self.comment = comment
    }

    /// `{"name":..,"type":..[,"comment":..]}`.
    public var json: JSONValue {
        var o = JSONObject()
        _ = o.append(key: "name", value: .string(name))
        _ = o.append(key: "type", value: .string(type.description))
        if let comment { _ = o.append(key: "comment", value: .string(comment)) }
        return .object(o)
    }
}

/// The columns and partition keys of a table.
public struct ColumnDefinitions: Hashable, Sendable {
    /// The data columns, in file order.
    public var columns: [HiveColumn]
    /// The partition keys (Glue `PartitionKeys`), primitive types only; not stored in the data files.
    public var partitionKeys: [HiveColumn]
    /// The table name when the document was a Glue `TableInput` with a `Name`.
    public var tableName: String?

    /// Definitions with the given columns and keys, taken as they are (the `parse` functions apply the naming rules).
    public init(columns: [HiveColumn], partitionKeys: [HiveColumn] = [], tableName: String? = nil) {
        self.columns = columns
        self.partitionKeys = partitionKeys
        self.tableName = tableName
    }

    /// Columns followed by partition keys.
    public var allColumns: [HiveColumn] { columns + partitionKeys }

    /// Reads and parses a column definition file.
    public static func load(path: String) throws(ColumnDefinitionError) -> ColumnDefinitions {
        let bytes: [UInt8]
        do {
            bytes = try readWholeFile(path, what: "column definitions")
        } catch {
            throw ColumnDefinitionError(location: nil, message: "cannot read: \(error.message)")
        }
        return try parse(bytes)
    }

    /// Parses a column definition document (any of the accepted forms).
    public static func parse(_ bytes: [UInt8]) throws(ColumnDefinitionError) -> ColumnDefinitions {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw ColumnDefinitionError(location: nil, message: "not JSON: \(error)")
        }
        return try parse(value)
    }

    /// Reads a column list, a Glue `TableInput` (also wrapped in `TableInput` or `Table`) or a
    /// `{"columns":[...],"partition_keys":[...]}` object.
    ///
    /// - Throws: ``ColumnDefinitionError`` naming the entry when a name is empty, longer than 255 characters, holds a
    ///   control character or repeats (ignoring case), a type does not parse, or a partition key is not primitive.
    public static func parse(_ value: JSONValue) throws(ColumnDefinitionError) -> ColumnDefinitions {
        var defs: ColumnDefinitions
        switch value {
        case .array(let items):
            defs = ColumnDefinitions(columns: try columnList(items, at: ""))
        case .object(let o):
            if let inner = o["TableInput"] ?? o["Table"], o["StorageDescriptor"] == nil {
                guard case .object(let t) = inner else {
                    throw ColumnDefinitionError(location: o["TableInput"] != nil ? "TableInput" : "Table",
                                                message: "must be an object")
                }
                defs = try tableInput(t, at: o["TableInput"] != nil ? "TableInput." : "Table.")
            } else if o["StorageDescriptor"] != nil {
                defs = try tableInput(o, at: "")
            } else if let cols = o["columns"] {
                guard case .array(let items) = cols else {
                    throw ColumnDefinitionError(location: "columns", message: "must be an array")
                }
                var keys: [HiveColumn] = []
                if let pk = o["partition_keys"] ?? o["partitionKeys"] {
                    guard case .array(let pitems) = pk else {
                        throw ColumnDefinitionError(location: "partition_keys", message: "must be an array")
                    }
                    keys = try columnList(pitems, at: "partition_keys")
                }
                defs = ColumnDefinitions(columns: try columnList(items, at: "columns"), partitionKeys: keys)
            } else {
                throw ColumnDefinitionError(
                    location: nil,
                    message: "expected a column list or a Glue TableInput object (with StorageDescriptor.Columns)")
            }
        default:
            throw ColumnDefinitionError(
                location: nil, message: "expected a column list or a Glue TableInput object, found \(kind(value))")
        }
        try defs.validate()
        return defs
    }

    /// Checks names (non-empty, unique ignoring case) and that partition keys are primitive.
    public func validate() throws(ColumnDefinitionError) {
        guard !columns.isEmpty else { throw ColumnDefinitionError(location: nil, message: "no columns") }
        var seen = Set<String>()
        for (i, c) in allColumns.enumerated() {
            let isKey = i >= columns.count
            let loc = isKey ? "partition key '\(c.name)'" : "column '\(c.name)'"
            try Self.checkName(c.name, location: isKey ? "partition key \(i - columns.count)" : "column \(i)")
            guard seen.insert(c.name.lowercased()).inserted else {
                throw ColumnDefinitionError(location: loc, message: "duplicate name (names are case-insensitive)")
            }
            if isKey && !c.type.isPrimitive {
                throw ColumnDefinitionError(location: loc, message: "a partition key must have a primitive type, not \(c.type)")
            }
        }
    }

    static func checkName(_ name: String, location: String) throws(ColumnDefinitionError) {
        guard !name.isEmpty else { throw ColumnDefinitionError(location: location, message: "empty name") }
        guard name.count <= 255 else {
            throw ColumnDefinitionError(location: location, message: "name longer than 255 characters")
        }
        guard !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw ColumnDefinitionError(location: location, message: "name contains a control character")
        }
    }

    /// The column list document: `[{"name":..,"type":..}, ...]` (columns only).
    public var columnsJSON: JSONValue { .array(columns.map(\.json)) }

    // MARK: - Forms

    private static func tableInput(_ o: JSONObject, at prefix: String) throws(ColumnDefinitionError) -> ColumnDefinitions {
        var name: String? = nil
        if let n = o["Name"] {
            guard case .string(let s) = n else {
                throw ColumnDefinitionError(location: prefix + "Name", message: "must be a string")
            }
            name = s
        }
        guard case .object(let sd)? = o["StorageDescriptor"] else {
            throw ColumnDefinitionError(location: prefix + "StorageDescriptor", message: "missing or not an object")
        }
        guard case .array(let cols)? = sd["Columns"] else {
            throw ColumnDefinitionError(location: prefix + "StorageDescriptor.Columns", message: "missing or not an array")
        }
        var keys: [HiveColumn] = []
        if let pk = o["PartitionKeys"] {
            guard case .array(let items) = pk else {
                throw ColumnDefinitionError(location: prefix + "PartitionKeys", message: "must be an array")
            }
            keys = try columnList(items, at: prefix + "PartitionKeys")
        }
        return ColumnDefinitions(
            columns: try columnList(cols, at: prefix + "StorageDescriptor.Columns"), partitionKeys: keys,
            tableName: name)
    }

    private static func columnList(_ items: [JSONValue], at prefix: String) throws(ColumnDefinitionError) -> [HiveColumn] {
        var out: [HiveColumn] = []
        out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            let loc = "\(prefix)[\(i)]"
            guard case .object(let o) = item else {
                throw ColumnDefinitionError(location: loc, message: "a column must be an object, found \(kind(item))")
            }
            func string(_ keys: [String], required: Bool) throws(ColumnDefinitionError) -> String? {
                for k in keys {
                    guard let v = o[k] else { continue }
                    guard case .string(let s) = v else {
                        throw ColumnDefinitionError(location: "\(loc).\(k)", message: "must be a string, found \(kind(v))")
                    }
                    return s
                }
                if required {
                    throw ColumnDefinitionError(location: loc, message: "missing \"\(keys[0])\"")
                }
                return nil
            }
            let name = try string(["name", "Name"], required: true)!
            let typeText = try string(["type", "Type"], required: true)!
            let comment = try string(["comment", "Comment"], required: false)
            let type: HiveType
            do {
                type = try HiveType.parse(typeText)
            } catch {
                throw ColumnDefinitionError(location: "\(loc) '\(name)'", message: error.description)
            }
            out.append(HiveColumn(name: name, type: type, comment: comment))
        }
        return out
    }

    static func kind(_ v: JSONValue) -> String {
        switch v {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// A column definition that cannot be used: where (`StorageDescriptor.Columns[2] 'user'`) and what is wrong.
public struct ColumnDefinitionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where in the document (`StorageDescriptor.Columns[2] 'user'`); `nil` for problems of the whole document.
    public var location: String?
    /// What is wrong.
    public var message: String

    /// An error at `location` (or about the whole document when `nil`) saying `message`.
    public init(location: String?, message: String) {
        self.location = location
        self.message = message
    }

    /// `location: message`, or the message alone.
    public var description: String {
        guard let location, !location.isEmpty else { return message }
        return "\(location): \(message)"
    }
}

struct ReadFileError: Error {
    var message: String
}

/// Reads a column definitions / schema file: a regular file of at most 64 MiB (FileSafety.BoundedRead).
func readWholeFile(_ path: String, what: String = "file") throws(ReadFileError) -> [UInt8] {
    do {
        return try BoundedRead.read(path, what: what)
    } catch {
        throw ReadFileError(message: error.message)
    }
}
