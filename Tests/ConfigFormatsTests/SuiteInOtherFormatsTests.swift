// Issue 18, Done-when 1: the JSON-Schema-Test-Suite's instances written as YAML, TOML (where TOML can express
// them) and JSON5 decode to the same JSON value and get the same verdicts as the JSON run.

import ConfigFormats
import Foundation
import JSON
import JSONSchema
import Testing

struct SuiteCase: Sendable, CustomTestStringConvertible {
    let file: String
    let group: Int
    let description: String
    let schema: JSONValue
    let data: JSONValue
    let valid: Bool
    let draft: SchemaDraft
    var testDescription: String { "\(file) #\(group): \(description)" }
}

enum Suite {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../JSONSchemaTests/TestVectors/json-schema-test-suite").standardized

    static let cases: [SuiteCase] = {
        var out: [SuiteCase] = []
        for (dir, draft) in [("draft2020-12", SchemaDraft.draft2020_12), ("draft7", .draft7)] {
            let base = root.appendingPathComponent("tests/\(dir)")
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: base.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
            for n in names {
                guard let d = try? Data(contentsOf: base.appendingPathComponent(n)),
                      case .array(let groups)? = try? JSONParser.parse([UInt8](d)) else { continue }
                for (gi, g) in groups.enumerated() {
                    guard let schema = g["schema"], case .array(let tests)? = g["tests"] else { continue }
                    for t in tests {
                        out.append(SuiteCase(file: "\(dir)/\(n)", group: gi, description: t["description"]?.stringValue ?? "?",
                                             schema: schema, data: t["data"] ?? .null, valid: t["valid"]?.boolValue ?? false, draft: draft))
                    }
                }
            }
        }
        return out
    }()

    static let registry: SchemaRegistry = {
        let r = SchemaRegistry()
        let remotes = root.appendingPathComponent("remotes")
        if let e = FileManager.default.enumerator(atPath: remotes.path) {
            for case let rel as String in e where rel.hasSuffix(".json") {
                if let d = try? Data(contentsOf: remotes.appendingPathComponent(rel)), let v = try? JSONParser.parse([UInt8](d)) {
                    r.add(v, uri: "http://localhost:1234/" + rel)
                }
            }
        }
        return r
    }()

    static func verdict(_ c: SuiteCase, _ value: JSONValue) throws -> Bool {
        let v = try JSONSchemaValidator(schema: c.schema, baseURI: "urn:floe:suite-schema", registry: registry,
                                        options: ValidatorOptions(defaultDraft: c.draft))
        return v.isValid(value)
    }

    static func decode(_ text: String, _ format: InstanceFormat) throws -> [InstanceDocument] {
        try Array(text.utf8).withUnsafeBytes { try ConfigFormatsDecoder().decode($0, format: format) }
    }
}

@Suite("ConfigFormats: the JSON Schema suite in YAML, JSON5 and TOML")
struct SuiteInOtherFormatsTests {
    @Test func suiteIsThere() { #expect(Suite.cases.count > 2000) }

    @Test("YAML", arguments: Suite.cases)
    func yaml(_ c: SuiteCase) throws {
        let text = Emit.yaml(c.data)
        let docs = try Suite.decode(text, .yaml)
        try #require(docs.count == 1, "\(text)")
        #expect(docs[0].value == c.data, "YAML text:\n\(text)")
        #expect(try Suite.verdict(c, docs[0].value) == c.valid)
    }

    @Test("JSON5", arguments: Suite.cases)
    func json5(_ c: SuiteCase) throws {
        let text = Emit.json5(c.data)
        let docs = try Suite.decode(text, .json5)
        #expect(docs[0].value == c.data, "JSON5 text:\n\(text)")
        #expect(try Suite.verdict(c, docs[0].value) == c.valid)
    }

    /// TOML documents are tables and have no null; other instances are not expressible and are counted, not run.
    @Test func toml() throws {
        var ran = 0
        for c in Suite.cases {
            guard let text = Emit.toml(c.data) else { continue }
            ran += 1
            let docs = try Suite.decode(text, .toml)
            #expect(docs[0].value == c.data, "\(c.testDescription) TOML text:\n\(text)")
            #expect(try Suite.verdict(c, docs[0].value) == c.valid, "\(c.testDescription)")
        }
        #expect(ran > 400)
    }
}

/// Writers of test documents: every JSON value as YAML (block style, plain scalars where the core schema keeps
/// them strings), JSON5 (identifier keys, single quotes, hex integers, comments, trailing commas) and TOML.
enum Emit {
    static func quoted(_ s: String) -> String {
        var out: [UInt8] = []
        JSONSerializer.appendString(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// A string YAML 1.2 core reads back as the same string when written plain.
    static func plainSafe(_ s: String) -> Bool {
        guard let f = s.unicodeScalars.first, f.properties.isAlphabetic, s.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || $0 == " " || ("0"..."9").contains($0)) }),
              !s.hasSuffix(" ") else { return false }
        return !["null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE"].contains(s)
    }

    static func yamlScalar(_ v: JSONValue) -> String? {
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n.text
        case .string(let s): return plainSafe(s) ? s : quoted(s)
        case .array(let a) where a.isEmpty: return "[]"
        case .object(let o) where o.isEmpty: return "{}"
        default: return nil
        }
    }

    static func yaml(_ v: JSONValue, indent: String = "") -> String {
        if let s = yamlScalar(v) { return s + "\n" }
        var out = ""
        switch v {
        case .array(let a):
            for x in a {
                if let s = yamlScalar(x) { out += indent + "- " + s + "\n" } else { out += indent + "-\n" + yaml(x, indent: indent + "  ") }
            }
        case .object(let o):
            for (k, x) in o {
                let key = plainSafe(k) ? k : quoted(k)
                if let s = yamlScalar(x) { out += indent + key + ": " + s + "\n" } else { out += indent + key + ":\n" + yaml(x, indent: indent + "  ") }
            }
        default: break
        }
        return out
    }

    static func json5(_ v: JSONValue) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n):
            if n.isIntegerLiteral, let i = n.int64, i > 9 { return String(format: "0x%llx", i) }
            if n.text.hasPrefix("0.") { return String(n.text.dropFirst()) }  // leading point
            return n.text
        case .string(let s):
            // Scalar by scalar (a combining mark after a quote would join it into one Character).
            var q = "'"
            for u in s.unicodeScalars {
                switch u {
                case "'": q += "\\'"
                case "\\": q += "\\\\"
                case "\n": q += "\\n"
                case "\r": q += "\\r"
                case "\t": q += "\\t"
                default:
                    if u.value < 0x20 || u.value == 0x2028 || u.value == 0x2029 { q += "\\u" + String(repeating: "0", count: 4 - String(u.value, radix: 16).count) + String(u.value, radix: 16) } else { q.unicodeScalars.append(u) }
                }
            }
            return q + "'"
        case .array(let a): return "[ // list\n" + a.map { json5($0) + ",\n" }.joined() + "]"
        case .object(let o):
            return "{ /* object */ " + o.map { k, x in
                let ident = !k.isEmpty && k.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || $0 == "_" || $0 == "$") }
                return (ident ? k : quoted(k)) + ": " + json5(x) + ", "
            }.joined() + "}"
        }
    }

    static func toml(_ v: JSONValue) -> String? {
        guard case .object(let o) = v else { return nil }
        var out = "# written by the test\n"
        for (k, x) in o {
            guard let s = tomlValue(x) else { return nil }
            out += quoted(k) + " = " + s + "\n"
        }
        return out
    }

    static func tomlValue(_ v: JSONValue) -> String? {
        switch v {
        case .null: return nil
        case .bool(let b): return b ? "true" : "false"
        case .number(let n):
            if n.isIntegerLiteral { return n.int64 != nil ? n.text : nil }
            // A TOML float is a double: only numbers a double holds exactly.
            guard let back = JSONNumber(n.double), back == n else { return nil }
            return n.text.contains(".") || n.text.contains("e") || n.text.contains("E") ? n.text : n.text + ".0"
        case .string(let s): return quoted(s).replacingOccurrences(of: "\\/", with: "/")
        case .array(let a):
            var parts: [String] = []
            for x in a { guard let s = tomlValue(x) else { return nil }; parts.append(s) }
            return "[" + parts.joined(separator: ", ") + "]"
        case .object(let o):
            var parts: [String] = []
            for (k, x) in o { guard let s = tomlValue(x) else { return nil }; parts.append(quoted(k) + " = " + s) }
            return "{" + parts.joined(separator: ", ") + "}"
        }
    }
}
