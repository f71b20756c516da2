// Module JSONSchema: compiler and validator for drafts 4, 6, 7, 2019-09 and 2020-12 (see README, "Architecture").
@_exported import JSON

public enum JSONSchemaModule {
    public static let name = "JSONSchema"
}
