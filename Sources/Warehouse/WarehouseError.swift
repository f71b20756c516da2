// Errors of the warehouse, and which exit status each maps to (conventions/cli.md: 1 = bad data, 2 = usage or
// configuration).
//
// | error                       | exit | why                                                                    |
// |-----------------------------|------|------------------------------------------------------------------------|
// | duplicateTable              | 2    | the user asked to create a table that exists                           |
// | tableNotFound               | 2    | the user named a table that does not exist                             |
// | notAWarehouse               | 2    | `--warehouse DIR` names a folder without a catalog                     |
// | warehouseExists             | 2    | `warehouse init` on a folder that already has a catalog                |
// | invalid                     | 2    | bad names, columns, partition keys, kinds, flag combinations           |
// | corruptCatalog              | 2    | the catalog (configuration) cannot be understood or escapes the        |
// |                             |      | warehouse: one code for every command (issue 11)                       |
// | io                          | 1    | reading or writing files failed                                        |

/// A warehouse operation that failed.
public enum WarehouseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `Duplicate table! Name: <name>`
    case duplicateTable(String)
    /// `Table '<name>' does not exist.`
    case tableNotFound(String)
    /// The directory has no catalog.
    case notAWarehouse(String)
    /// `warehouse init` on a directory that already has a catalog.
    case warehouseExists(String)
    /// A usage or configuration problem (message).
    case invalid(String)
    /// The catalog file cannot be understood (message).
    case corruptCatalog(String)
    /// A file operation failed: path and the system's message.
    case io(String, String)

    /// The message after `floe: ` in a diagnostic (`Table 'x' does not exist.`, `path: system message`).
    public var description: String {
        switch self {
        case .duplicateTable(let n): "Duplicate table! Name: \(n)"
        case .tableNotFound(let n): "Table '\(n)' does not exist."
        case .notAWarehouse(let d): "\(d) is not a warehouse (no \(DataWarehouse.catalogFileName); create one with `floe warehouse init`)"
        case .warehouseExists(let d): "\(d) already holds a warehouse (\(DataWarehouse.catalogFileName) exists)"
        case .invalid(let m): m
        case .corruptCatalog(let m): "corrupt catalog: \(m)"
        case .io(let path, let m): "\(path): \(m)"
        }
    }

    /// Exit status for the command line: 2 for usage / configuration, 1 for bad data and I/O.
    public var exitCode: Int32 {
        switch self {
        case .duplicateTable, .tableNotFound, .notAWarehouse, .warehouseExists, .invalid, .corruptCatalog: 2
        case .io: 1
        }
    }
}
