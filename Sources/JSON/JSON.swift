// Module JSON: byte-level RFC 8259 parser, NDJSON reader and serializer. No Foundation.
//
// Layers (each usable on its own):
// - `JSONTokenizer` — the fast core: a strict pull tokenizer over `UnsafeRawBufferPointer` returning
//   `JSONToken`s with raw byte ranges (SIMD string scanning, SWAR digits, validation of UTF-8, escapes,
//   surrogates, numbers and depth as it goes). Converters read columns straight from it.
// - `JSONParser` — builds `JSONValue` trees on top of the tokenizer (iterative, depth-limited), and splits
//   a line holding several top-level values (`splitDocuments`).
// - `JSONValue` / `JSONObject` / `JSONNumber` / `JSONDecimal` — the tree, with exact numbers (literal text,
//   exact decimal comparisons and `isMultiple(of:)`), byte-wise string/key equality, duplicate-key flag.
// - `NDJSONReader` — splits a file / descriptor / memory / custom source into lines in bounded memory.
// - `JSONSerializer` — compact output with the escaping of `canonical-jsonl.md`.

/// Module marker kept for callers of the original placeholder.
public enum JSONModule {
    /// The module's name, `"JSON"`.
    public static let name = "JSON"
}
