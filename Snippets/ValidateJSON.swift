// Validate JSON against a JSON Schema (drafts 4 to 2020-12): compile once, validate many instances.
// Run: swift run ValidateJSON
import JSON
import JSONSchema

// snippet.show
let schema = try JSONParser.parse(#"""
    {"$schema": "https://json-schema.org/draft/2020-12/schema",
     "type": "object", "required": ["id"],
     "properties": {"id": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}}}}
    """#)
let validator = try JSONSchemaValidator(schema: schema)

for text in [#"{"id": 1, "tags": ["a"]}"#, #"{"id": "1", "tags": [2]}"#] {
    let instance = try JSONParser.parse(text)
    let result = validator.validate(instance)
    print(result.valid ? "valid" : "invalid", text)
    for error in result.errors {
        print("  \(error.instanceLocation): \(error.message)")
    }
}
