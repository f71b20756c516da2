// Module JSONSchema: compiler and validator for drafts 4, 6, 7, 2019-09 and 2020-12 (see README, "Architecture").
//
// - Registry/: offline `SchemaRegistry` (documents by URI, `--schema-dir`, `--map-uri`, embedded meta-schemas
//   in MetaSchemas/), URI and JSON Pointer helpers.
// - Compiler/: `Compiler` indexes resources (`$id`, `$anchor`, `$dynamicAnchor`, per-resource `$schema` and
//   `$vocabulary`) and compiles each reachable schema once into a `SchemaNode` graph (cycles via `$ref`).
// - Keywords/: `Evaluator` (tree path: boolean short-circuit or collecting output units with lazy locations),
//   `Unevaluated` (annotations for unevaluated*), `StreamValidator` (boolean path straight from tokens),
//   `FastPattern` (byte-level subset of `pattern`), `Values` (exact numbers, code points, equality).
// - Output/: output units and the flag / basic / detailed / verbose structures.
// - Runner/: the logic of `floe validate` (instances, NDJSON, `--jobs`, reporting, exit statuses).
// - Regex/ and Formats/: the ECMA-262 engine and `FormatChecker` (other branches).
@_exported import JSON

/// The module marker.
public enum JSONSchemaModule {
    /// The module's name, `"JSONSchema"`.
    public static let name = "JSONSchema"
}
