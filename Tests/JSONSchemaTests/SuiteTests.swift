import Foundation
import JSON
import Testing
@testable import JSONSchema

/// One case of the official JSON-Schema-Test-Suite (required and optional, except `optional/format/`).
struct SchemaSuiteCase: CustomTestStringConvertible, Sendable {
    let draft: SchemaDraft
    let file: String  // e.g. "draft2020-12/ref.json"
    let group: String
    let groupIndex: Int
    let description: String
    let schema: JSONValue
    let data: JSONValue
    let valid: Bool
    var optional: Bool { file.contains("/optional/") }

    var testDescription: String { "\(file): \(group) / \(description)" }
}

enum SchemaSuite {
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("TestVectors/json-schema-test-suite")

    static let drafts: [(String, SchemaDraft)] = [
        ("draft4", .draft4), ("draft6", .draft6), ("draft7", .draft7),
        ("draft2019-09", .draft2019_09), ("draft2020-12", .draft2020_12),
    ]

    static func parse(_ url: URL) -> JSONValue? {
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONParser.parse([UInt8](data))
    }

    static func jsonFiles(_ dir: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().map { dir.appendingPathComponent($0) }
    }

    static func cases(optional: Bool) -> [SchemaSuiteCase] {
        var out: [SchemaSuiteCase] = []
        for (dir, draft) in drafts {
            let base = root.appendingPathComponent("tests").appendingPathComponent(dir)
            let files = optional ? jsonFiles(base.appendingPathComponent("optional")) : jsonFiles(base)
            for url in files {
                let file = dir + (optional ? "/optional/" : "/") + url.lastPathComponent
                guard case .array(let groups)? = parse(url) else { continue }
                for (gi, g) in groups.enumerated() {
                    guard let schema = g["schema"], case .array(let tests)? = g["tests"] else { continue }
                    let gd = g["description"]?.stringValue ?? "?"
                    for t in tests {
                        out.append(SchemaSuiteCase(
                            draft: draft, file: file, group: gd, groupIndex: gi, description: t["description"]?.stringValue ?? "?",
                            schema: schema, data: t["data"] ?? .null, valid: t["valid"]?.boolValue ?? false))
                    }
                }
            }
        }
        return out
    }

    static let required = cases(optional: false)
    static let optionalCases = cases(optional: true)

    /// The suite's `remotes/` served from memory under `http://localhost:1234/`.
    static let registry: SchemaRegistry = {
        let r = SchemaRegistry()
        let remotes = root.appendingPathComponent("remotes")
        func walk(_ dir: URL, _ prefix: String) {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            for n in names.sorted() {
                let u = dir.appendingPathComponent(n)
                var isDir: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: u.path, isDirectory: &isDir)
                if isDir.boolValue { walk(u, prefix + n + "/") }
                else if n.hasSuffix(".json"), let v = parse(u) { r.add(v, uri: "http://localhost:1234/" + prefix + n) }
            }
        }
        walk(remotes, "")
        return r
    }()

    /// Cases this implementation knowingly gets wrong, with the reason.
    static let knownIssues: [String: String] = [:]

    /// Known issues by file prefix (whole files).
    static let knownIssueFiles: [String: String] = [
        "draft7/optional/content.json":
            "content keywords are annotations by design (issue: \"Content keywords are annotations\"); draft 7 only MAY assert them",
    ]

    /// Compiled once per group (a compiled validator is immutable and shared across test cases).
    nonisolated(unsafe) static var compiled: [String: Result<JSONSchemaValidator, SchemaError>] = [:]
    static let compiledLock = NSLock()

    static func validator(_ c: SchemaSuiteCase) throws -> JSONSchemaValidator {
        let key = "\(c.file)#\(c.groupIndex)"
        if let r = compiledLock.withLock({ compiled[key] }) { return try r.get() }
        let r = Result { () throws(SchemaError) in
            try JSONSchemaValidator(schema: c.schema, baseURI: "urn:floe:suite-schema", registry: registry,
                                    options: ValidatorOptions(defaultDraft: c.draft))
        }
        compiledLock.withLock { compiled[key] = r }
        return try r.get()
    }

    static func run(_ c: SchemaSuiteCase) -> Bool? {
        do {
            let v = try validator(c)
            let fast = v.isValid(c.data)
            let slow = v.validate(c.data)
            #expect(fast == slow.valid, "boolean and collecting paths disagree")
            let bytes = JSONSerializer.serialize(c.data)
            let streamed = bytes.withUnsafeBytes { v.isValid(bytes: $0) }
            #expect(streamed == fast, "streaming path disagrees")
            if !slow.valid { #expect(!slow.errors.isEmpty, "invalid result without errors") }
            return fast
        } catch {
            Issue.record("schema failed to compile: \(error)")
            return nil
        }
    }

    static func check(_ c: SchemaSuiteCase) {
        let reason = knownIssues[c.testDescription] ?? knownIssueFiles.first(where: { c.file == $0.key })?.value
        if let reason, (run(c) ?? !c.valid) != c.valid {
            withKnownIssue(Comment(rawValue: reason)) {
                Issue.record("expected valid=\(c.valid)")
            }
            return
        }
        if reason != nil { return }
        let got = run(c)
        #expect(got == c.valid, "expected valid=\(c.valid), got \(String(describing: got))")
    }
}

@Suite("JSON Schema: official suite")
struct SuiteTests {
    @Test("required", arguments: SchemaSuite.required)
    func required(_ c: SchemaSuiteCase) { SchemaSuite.check(c) }

    @Test("optional", arguments: SchemaSuite.optionalCases)
    func optional(_ c: SchemaSuiteCase) { SchemaSuite.check(c) }
}
