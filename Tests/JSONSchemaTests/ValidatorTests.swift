import Parallel
import Foundation
import JSON
import Testing
import Synchronization
@testable import JSONSchema

private func schema(_ text: String, draft: SchemaDraft = .draft2020_12, registry: SchemaRegistry = SchemaRegistry(),
                    assertFormat: Bool = false) throws -> JSONSchemaValidator
{
    try JSONSchemaValidator(schema: JSONParser.parse(text), registry: registry,
                            options: ValidatorOptions(defaultDraft: draft, assertFormat: assertFormat))
}

private func json(_ text: String) throws -> JSONValue { try JSONParser.parse(text) }

/// Collects the runner's output lines.
final class Captured: @unchecked Sendable {
    var results: [String] = []
    var diagnostics: [String] = []
    let lock = NSLock()
    var output: ValidateOutput {
        ValidateOutput(result: { s in self.lock.withLock { self.results.append(contentsOf: s.split(separator: "\n").map(String.init)) } },
                       diagnostic: { s in self.lock.withLock { self.diagnostics.append(s) } })
    }
}

private func tempDir() -> URL {
    let u = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("floe-schema-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
    return u
}

private func write(_ dir: URL, _ name: String, _ text: String) -> String {
    let u = dir.appendingPathComponent(name)
    try? FileManager.default.createDirectory(at: u.deletingLastPathComponent(), withIntermediateDirectories: true)
    try? text.write(to: u, atomically: true, encoding: .utf8)
    return u.path
}

@Suite("JSON Schema: validator API and output")
struct ValidatorTests {
    @Test func numbersAndEquality() throws {
        let v = try schema(#"{"type":"integer","multipleOf":0.1,"maximum":1e400}"#)
        #expect(v.isValid(try json("1.0")))
        #expect(v.isValid(try json("12345678901234567890123456789")))
        #expect(!v.isValid(try json("1.5")))
        let e = try schema(#"{"enum":[1, false, "a"]}"#)
        #expect(e.isValid(try json("1.0")))
        #expect(!e.isValid(try json("0")))
        #expect(!e.isValid(try json("true")))
        let d4 = try schema(#"{"type":"integer"}"#, draft: .draft4)
        #expect(!d4.isValid(try json("1.0")))
        #expect(d4.validate(try json("1.0")).errors.map(\.message) == ["expected integer, got number"])
        let len = try schema(#"{"minLength":2,"maxLength":2}"#)
        #expect(len.isValid(.string("💩💩")))
        #expect(!len.isValid(.string("💩")))
    }

    @Test func errorLocationsAndMessages() throws {
        let v = try schema(#"""
            {"type":"object","required":["user"],
             "properties":{"user":{"type":"object","properties":{"followers_count":{"type":"integer"}}},
                           "tags":{"type":"array","items":{"$ref":"#/$defs/tag"}}},
             "$defs":{"tag":{"type":"string","minLength":1}}}
            """#)
        let r = v.validate(try json(#"{"user":{"followers_count":"12"},"tags":["a",""]}"#))
        #expect(!r.valid)
        let errs = r.errors
        #expect(errs.count == 2)
        #expect(errs[0].instanceLocation == "/user/followers_count")
        #expect(errs[0].keywordLocation == "/properties/user/properties/followers_count/type")
        #expect(errs[0].message == "expected integer, got string")
        #expect(errs[1].instanceLocation == "/tags/1")
        #expect(errs[1].keywordLocation == "/properties/tags/items/$ref/minLength")
        #expect(errs[1].absoluteKeywordLocation == "urn:floe:schema#/$defs/tag/minLength")
        let missing = v.validate(try json("{}")).errors
        #expect(missing.map(\.message) == [#"missing required property "user""#])
    }

    @Test func outputFormats() throws {
        let v = try schema(#"{"properties":{"a":{"type":"string"},"b":{"minimum":3}},"additionalProperties":false}"#)
        let bad = try json(#"{"a":1,"b":2,"c":0}"#)
        #expect(v.output(bad, format: .flag) == (try json(#"{"valid":false}"#)))
        #expect(v.output(try json(#"{"a":"x"}"#), format: .flag) == (try json(#"{"valid":true}"#)))
        let basic = v.output(bad, format: .basic)
        #expect(basic["valid"] == .bool(false))
        let errors = basic["errors"]?.arrayValue ?? []
        // The failing `properties` keyword itself and its three leaf errors (a flat list, as in the spec's example).
        #expect(errors.count == 4)
        #expect(errors.map { $0["instanceLocation"]?.stringValue ?? "" } == ["", "/a", "/b", "/c"])
        #expect(errors.map { $0["keywordLocation"]?.stringValue ?? "" }
            == ["/properties", "/properties/a/type", "/properties/b/minimum", "/additionalProperties"])
        #expect(errors.allSatisfy { $0["keywordLocation"] != nil && $0["absoluteKeywordLocation"] != nil && $0["error"] != nil })
        let detailed = v.output(bad, format: .detailed)
        #expect(detailed["valid"] == .bool(false))
        #expect((detailed["errors"]?.arrayValue ?? []).count == 2)  // properties (a, b) and additionalProperties
        let verbose = v.output(try json(#"{"a":"x"}"#), format: .verbose)
        #expect(verbose["valid"] == .bool(true))
        #expect((verbose["annotations"]?.arrayValue ?? []).count == 2)
    }

    @Test func metaSchemaValidation() throws {
        let good = try json(#"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"string","minLength":1}"#)
        #expect(try JSONSchemaValidator.validateAgainstMetaSchema(good).valid)
        let bad = try json(#"{"type":"strin","minLength":-1}"#)
        let r = try JSONSchemaValidator.validateAgainstMetaSchema(bad)
        #expect(!r.valid)
        #expect(r.errors.contains { $0.instanceLocation == "/minLength" })
        for d in SchemaDraft.allCases {
            let s = try json(##"{"$schema":"\##(d.metaSchemaURI)#","properties":{"a":{"type":"integer"}}}"##)
            #expect(try JSONSchemaValidator.validateAgainstMetaSchema(s).valid, "draft \(d.rawValue)")
            let b = try json(##"{"$schema":"\##(d.metaSchemaURI)#","properties":{"a":{"type":5}}}"##)
            #expect(!(try JSONSchemaValidator.validateAgainstMetaSchema(b).valid), "draft \(d.rawValue)")
        }
        // Each embedded meta-schema validates against itself.
        for (uri, _) in EmbeddedMetaSchemas.texts where !uri.contains("/meta/") {
            let doc = SchemaRegistry.metaSchema(uri)!
            #expect(try JSONSchemaValidator.validateAgainstMetaSchema(doc).valid, "\(uri)")
        }
    }

    @Test func unresolvableRefIsASchemaError() throws {
        #expect(throws: SchemaError.self) { try schema(#"{"properties":{"k":{"$ref":"https://example.com/nowhere.json"}}}"#) }
        #expect(throws: SchemaError.self) { try schema(##"{"$ref":"#/$defs/missing"}"##) }
        #expect(throws: SchemaError.self) { try schema(#"{"pattern":"(unclosed"}"#) }
    }

    /// A `$ref` into a document nobody registered (Floe never fetches one) fails lazily, as in check-jsonschema and
    /// jsonschema-rs: the schema compiles, instances that never reach it get verdicts, and one that reaches it
    /// (on any path, even under `not` or in a failing `anyOf` branch) has no verdict but the reference's error.
    @Test func unregisteredRemoteRefFailsOnlyWhenReached() throws {
        let v = try JSONSchemaValidator(schema: JSONParser.parse(#"""
            {"properties":{"k":{"$ref":"https://example.com/nowhere.json#/a"},
                           "n":{"not":{"$ref":"https://example.com/nowhere.json"}},
                           "t":{"type":"integer"}}}
            """#), options: ValidatorOptions(lazyRemoteReferences: true))
        for ok in ["{}", #"{"t":1}"#, "[1]"] {
            #expect(v.isValid(try JSONParser.parse(ok)), "\(ok)")
            #expect(v.validate(try JSONParser.parse(ok)).unresolvedReference == nil)
        }
        #expect(!v.isValid(try JSONParser.parse(#"{"t":"x"}"#)))
        #expect(v.validate(try JSONParser.parse(#"{"t":"x"}"#)).unresolvedReference == nil)
        for (reaching, at) in [(#"{"k":1}"#, "/k"), (#"{"n":1}"#, "/n"), (#"{"t":1,"k":{}}"#, "/k")] {
            let value = try JSONParser.parse(reaching)
            #expect(!v.isValid(value), "\(reaching)")
            let r = v.validate(value)
            #expect(!r.valid)
            #expect(r.unresolvedReference?.contains("https://example.com/nowhere.json") == true, "\(reaching)")
            #expect(r.unresolvedReferenceAt == at, "\(reaching)")
            let bytes = Array(reaching.utf8)
            #expect(bytes.withUnsafeBytes { v.isValid(bytes: $0) } == false)
        }
        // A missing local file, and a missing location inside a registered document, are still compile-time errors.
        #expect(throws: SchemaError.self) {
            try JSONSchemaValidator(schema: JSONParser.parse(#"{"properties":{"k":{"$ref":"file:///nonexistent/floe/s.json"}}}"#),
                                    options: ValidatorOptions(lazyRemoteReferences: true))
        }
        #expect(throws: SchemaError.self) {
            try JSONSchemaValidator(schema: JSONParser.parse(##"{"$defs":{"a":{}},"properties":{"k":{"$ref":"#/$defs/b"}}}"##),
                                    options: ValidatorOptions(lazyRemoteReferences: true))
        }
    }

    @Test func refCycleIsASchemaError() throws {
        // A cycle that never tests the instance cannot be evaluated; issue 11 makes it a schema error at compile
        // time (exit 2 once) instead of "evaluation too deep" for every instance.
        do {
            _ = try schema(##"{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"}"##)
            Issue.record("compiled a $ref cycle")
        } catch let error as SchemaError {
            #expect(error.kind == .unresolvableReference)
            #expect(error.message.contains("#/$defs/a") || error.message.contains("#/$defs/b"))
        }
    }

    @Test func assertFormat() throws {
        let annot = try schema(#"{"format":"date-time"}"#)
        #expect(annot.isValid(.string("not a date")))
        let assert = try schema(#"{"format":"date-time"}"#, assertFormat: true)
        #expect(!assert.isValid(.string("not a date")))
        #expect(assert.isValid(.string("2024-03-01T00:00:00Z")))
    }

    @Test func fastPatternAgreesWithEngine() throws {
        let patterns = ["^[0-9]{1,20}$", "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
                        #"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$"#,
                        "a+b", "^(ab|cd)*$", "x{2,}", "[a-c]?d", #"\d\w"#, "^$", "abc|^d", "(a|ab)(c|bcd)(d*)", "^a?$",
                        "[-a]", "[a-]", #"[\]]"#, "^(?:a|b)+$"]
        let inputs = ["", "1", "12345678901234567890", "123456789012345678901", "18582b8e-2589-4f53-a891-4b60b86525b6",
                      "2024-03-01T00:00:00.282Z", "2024-03-01T00:00:00+01:00", "2024-03-01T00:00:00", "aab", "b", "abab",
                      "abcd", "xx", "x", "d", "cd", "é1a", "1é", "a", "-", "]", "abcabd", "ab", "ñd"]
        for p in patterns {
            let re = try ECMARegex(p)
            let pm = PatternMatcher(re)
            for s in inputs {
                #expect(try pm.matches(s) == (try re.matches(in: s)), "\(p) on \(s)")
            }
        }
        #expect(FastPattern("^a|b$") == nil)
        #expect(FastPattern(".") == nil)
        #expect(FastPattern("[^a]") == nil)
    }

    @Test func streamingMatchesTreeOnEvents() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("TestVectors/bench/events.schema.json").path
        let v = try JSONSchemaValidator(path: path)
        let good = #"{"id":"1","event_type":"click","session_id":"18582b8e-2589-4f53-a891-4b60b86525b6","event_time":"2024-03-01T00:00:00.000Z","event_time_ms":1,"user":{"id":2,"screen_name":"a\u00e9\ud83d\ude00","followers_count":8,"verified":false},"text":"x\n","retweet_count":3,"coordinates":{"lat":29.5,"lon":null}}"#
        let bads = [
            good.replacingOccurrences(of: #""followers_count":8"#, with: #""followers_count":"8""#),
            good.replacingOccurrences(of: #""event_type":"click""#, with: #""event_type":"clack""#),
            good.replacingOccurrences(of: #""lat":29.5"#, with: #""lat":90.0000000000000000001"#),
            good.replacingOccurrences(of: #","retweet_count":3"#, with: ""),
            good.replacingOccurrences(of: #""id":"1""#, with: #""id":"1x""#),
            good.replacingOccurrences(of: #""text":"x\n""#, with: #""text":"x","extra":1"#),
        ]
        for (text, expected) in [(good, true)] + bads.map({ ($0, false) }) {
            let bytes = Array(text.utf8)
            let tree = v.isValid(try JSONParser.parse(bytes))
            #expect(tree == expected, "\(text)")
            #expect(bytes.withUnsafeBytes { v.isValid(bytes: $0) } == expected, "\(text)")
        }
        let bytes = Array(#"{"id":"1""#.utf8)
        #expect(bytes.withUnsafeBytes { v.isValid(bytes: $0) } == nil)
    }
}

@Suite("floe validate: runner")
struct ValidateRunnerTests {
    @Test func documentsNDJSONAndExitCodes() throws {
        let dir = tempDir()
        let s = write(dir, "s.json", #"{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}"#)
        let a = write(dir, "docs/a.json", #"{"n":1}"#)
        _ = write(dir, "docs/b.json", #"{"n":"x"}"#)
        let nd = write(dir, "e.ndjson", "{\"n\":1}\n\n{\"n\":\"s\"}\n{\"n\":\n{}\n")
        var c = ValidateConfiguration(schemaPath: s)
        c.instances = [a]
        let cap = Captured()
        #expect(ValidateRunner.run(c, output: cap.output) == 0)
        #expect(cap.results == ["\(a): valid"])

        c.instances = [dir.appendingPathComponent("docs").path]
        c.json = true
        let cap2 = Captured()
        #expect(ValidateRunner.run(c, output: cap2.output) == 1)
        #expect(cap2.results.count == 2)
        #expect(cap2.results[1].hasSuffix(#"b.json","valid":false,"errors":[{"instanceLocation":"/n","keywordLocation":"/properties/n/type","message":"expected integer, got string","line":1,"column":6}]}"#))

        for jobs in [1, 3] {
            var n = ValidateConfiguration(schemaPath: s)
            n.instances = [nd]
            n.ndjson = true
            n.jobs = jobs
            let cap3 = Captured()
            #expect(ValidateRunner.run(n, output: cap3.output) == 1)
            // Each error names line:column of the failing value (issue 18).
            #expect(cap3.results == ["\(nd):3:6: /n: expected integer, got string", "\(nd):5:1: missing required property \"n\""])
            #expect(cap3.diagnostics.count == 1 && cap3.diagnostics[0].hasPrefix("floe: \(nd):4:6: invalid JSON"))
            n.json = true
            let cap4 = Captured()
            #expect(ValidateRunner.run(n, output: cap4.output) == 1)
            #expect(cap4.results.count == 4)
            #expect(cap4.results[0] == #"{"instance":"\#(nd)","line":1,"valid":true,"errors":[]}"#)
            #expect(cap4.results[2].hasPrefix(#"{"instance":"\#(nd)","line":4,"column":6,"valid":null,"error":"#))
        }
        var ff = ValidateConfiguration(schemaPath: s)
        ff.instances = [nd]
        ff.ndjson = true
        ff.failFast = true
        let cap5 = Captured()
        #expect(ValidateRunner.run(ff, output: cap5.output) == 1)
        #expect(cap5.results.count == 1)

        var of = ValidateConfiguration(schemaPath: s)
        of.instances = [a]
        of.outputFormat = .basic
        let cap6 = Captured()
        #expect(ValidateRunner.run(of, output: cap6.output) == 0)
        #expect(cap6.results == [#"{"instance":"\#(a)","valid":true,"output":{"valid":true}}"#])
    }

    /// Parallel NDJSON (issue 14): each worker reads the lines that start in its byte range; whatever the range
    /// size and the number of workers, the results are those of one worker reading the whole file, in input
    /// order, with the same line numbers (blank lines counted, CRLF stripped, the last line without `\n`).
    @Test func ndjsonRangesMatchOneReader() throws {
        let dir = tempDir()
        let s = write(dir, "s.json", #"{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}"#)
        var text = ""
        for i in 1...300 {
            switch i % 11 {
            case 0: text += "\n"
            case 1: text += "  \t \r\n"
            case 2: text += "{\"n\":\"s\(i)\"}\r\n"
            case 3: text += "{\"n\":\n"
            case 4: text += "{\"m\":[" + String(repeating: "1,", count: i) + "1]}\n"
            default: text += "{\"n\":\(i)}\n"
            }
        }
        text += "{\"n\":\"last\"}"
        let nd = write(dir, "r.ndjson", text)
        func run(jobs: Int, chunk: Int, json: Bool) -> (Int32, [String], [String]) {
            var c = ValidateConfiguration(schemaPath: s)
            c.instances = [nd]
            c.ndjson = true
            c.json = json
            c.jobs = jobs
            c.chunkBytes = chunk
            let cap = Captured()
            let status = ValidateRunner.run(c, output: cap.output)
            return (status, cap.results, cap.diagnostics)
        }
        for json in [false, true] {
            let reference = run(jobs: 1, chunk: 4 << 20, json: json)
            #expect(reference.0 == 1)
            if !json {
                #expect(reference.1.first == "\(nd):2:6: /n: expected integer, got string")
                #expect(reference.1.last == "\(nd):301:6: /n: expected integer, got string")
                // the record's line, then the column within it (Report.place)
                #expect(reference.2.first?.hasPrefix("floe: \(nd):3:") == true)
                #expect(reference.2.first?.contains("invalid JSON") == true)
            } else {
                // one JSON line per non-blank line
                let nonBlank = text.utf8.split(separator: 10, omittingEmptySubsequences: false)
                    .filter { !$0.allSatisfy { $0 == 32 || $0 == 9 || $0 == 13 } }.count
                #expect(reference.1.count == nonBlank)
            }
            for (jobs, chunk) in [(1, 1), (3, 1), (2, 7), (4, 64), (3, 1000)] {
                let got = run(jobs: jobs, chunk: chunk, json: json)
                #expect(got.0 == reference.0, "jobs \(jobs), \(chunk)-byte ranges")
                #expect(got.1 == reference.1, "jobs \(jobs), \(chunk)-byte ranges")
                #expect(got.2 == reference.2, "jobs \(jobs), \(chunk)-byte ranges")
            }
        }
    }

    @Test func configurationErrorsExitTwo() throws {
        let dir = tempDir()
        let bad = write(dir, "bad.json", #"{"$ref":"other.json"}"#)
        let inst = write(dir, "i.json", "1")
        var c = ValidateConfiguration(schemaPath: bad)
        c.instances = [inst]
        let cap = Captured()
        // other.json resolves to file://<dir>/other.json, which does not exist.
        #expect(ValidateRunner.run(c, output: cap.output) == 2)
        #expect(cap.diagnostics.first?.contains("cannot resolve $ref") == true)
        var m = ValidateConfiguration(schemaPath: dir.appendingPathComponent("missing.json").path)
        m.instances = [inst]
        #expect(ValidateRunner.run(m, output: Captured().output) == 2)
        // An unreadable instance is bad data (1), reported as `valid: null` with --json.
        let ok = write(dir, "ok.json", "true")
        var u = ValidateConfiguration(schemaPath: ok)
        u.instances = [dir.appendingPathComponent("nope.json").path]
        u.json = true
        let capU = Captured()
        #expect(ValidateRunner.run(u, output: capU.output) == 1)
        #expect(capU.results.count == 1 && capU.results[0].contains(#""valid":null,"error":"cannot read file""#))
    }

    @Test func schemaDirAndMapURI() throws {
        let dir = tempDir()
        _ = write(dir, "lib/pos.json", #"{"$id":"https://schemas.example/pos.json","type":"integer","minimum":0}"#)
        _ = write(dir, "mapped/sub/neg.json", #"{"type":"integer","maximum":0}"#)
        let s = write(dir, "s.json", #"{"properties":{"p":{"$ref":"https://schemas.example/pos.json"},"n":{"$ref":"https://mapped.example/sub/neg.json"}}}"#)
        let good = write(dir, "g.json", #"{"p":1,"n":-1}"#)
        let bad = write(dir, "b.json", #"{"p":-1,"n":1}"#)
        var c = ValidateConfiguration(schemaPath: s)
        c.schemaDirectories = [dir.appendingPathComponent("lib").path]
        c.uriMappings = [("https://mapped.example/", dir.appendingPathComponent("mapped").path)]
        c.instances = [good]
        #expect(ValidateRunner.run(c, output: Captured().output) == 0)
        c.instances = [bad]
        let cap = Captured()
        #expect(ValidateRunner.run(c, output: cap.output) == 1)
        #expect(cap.results.count == 2)
        c.uriMappings = []
        #expect(ValidateRunner.run(c, output: Captured().output) == 2)
    }

    @Test func metaschemaCommand() throws {
        let dir = tempDir()
        let good = write(dir, "good.json", ##"{"$schema":"http://json-schema.org/draft-07/schema#","type":"object"}"##)
        let bad = write(dir, "bad.json", #"{"type":"objekt"}"#)
        let cap = Captured()
        #expect(ValidateRunner.runMetaSchema([good], output: cap.output) == 0)
        #expect(cap.results == ["\(good): valid"])
        let cap2 = Captured()
        #expect(ValidateRunner.runMetaSchema([good, bad], output: cap2.output) == 1)
        #expect(cap2.results.count >= 2)
        #expect(ValidateRunner.runMetaSchema([dir.appendingPathComponent("none.json").path], output: Captured().output) == 2)
    }
}

@Suite("JSON Schema: deep documents")
struct DeepDocumentTests {
    /// Deep nesting on small-stack worker threads never crashes: it validates, or fails with a clear error.
    @Test func deepNestingOnWorkerThreads() throws {
        let v = try JSONSchemaValidator(schema: JSONParser.parse(##"{"anyOf":[{"type":"integer"},{"type":"array","items":{"$ref":"#"}}]}"##))
        let shallow = String(repeating: "[", count: 20) + "1" + String(repeating: "]", count: 20)
        let deep = String(repeating: "[", count: 1000) + "1" + String(repeating: "]", count: 1000)
        let s = try JSONParser.parse(shallow)
        let d = try JSONParser.parse(deep)
        // the threads validate and convert run on (WorkerThreads), and Dispatch's
        let results = Mutex<(bad: Int, done: Int)>((0, 0))
        @Sendable func check(_ i: Int) {
            let okShallow = v.isValid(s) && v.validate(s).valid
            let deepResult = v.validate(d)
            let deepExplained = deepResult.valid || deepResult.errors.contains { $0.message.contains("too deep") }
            _ = v.isValid(d)
            _ = Array(deep.utf8).withUnsafeBytes { v.isValid(bytes: $0) }
            results.withLock {
                $0.done += 1
                if !okShallow || !deepExplained { $0.bad += 1 }
            }
        }
        WorkerThreads.run(8) { check($0) }
        DispatchQueue.concurrentPerform(iterations: 8) { check($0) }
        #expect(results.withLock { $0.done == 16 && $0.bad == 0 })
    }
}

// Issue 11, rule 7: uniqueItems is hash-based with the JSON Schema equality (JSON Schema 2020-12 validation
// §6.4.3; equality per core §4.2.2: numbers by value, objects regardless of member order).
@Suite struct UniqueItemsEqualityTests {
    func valid(_ instance: String) throws -> Bool {
        let v = try JSONSchemaValidator(schema: try JSONParser.parse(#"{"uniqueItems": true}"#))
        return v.isValid(try JSONParser.parse(instance))
    }

    @Test func numbersCompareByValue() throws {
        let many = (0..<100).map(String.init).joined(separator: ",")
        #expect(try !valid("[\(many), 1.0]"))
        #expect(try !valid("[\(many), 1e1]"))
        #expect(try !valid("[\(many), 0.0, -0]"))
        #expect(try valid("[\(many), 1.5, 100.0000001]"))
        #expect(try !valid("[\(many), 123456789012345678901234567890, 1.23456789012345678901234567890e29]"))
        #expect(try valid("[\(many), 9007199254740993, 9007199254740992]"), "distinct integers beyond 2^53 stay distinct")
    }

    @Test func objectsIgnoreMemberOrderArraysDoNot() throws {
        let many = (0..<20).map { "{\"k\":\($0)}" }.joined(separator: ",")
        #expect(try !valid(#"[\#(many), {"a":1,"b":[1,{"c":2}]}, {"b":[1.0,{"c":2.0}],"a":1}]"#))
        #expect(try valid(#"[\#(many), [1,2], [2,1], {"a":1}, {"a":1,"b":null}]"#))
        #expect(try valid(#"[\#(many), "a", "A", "\#u{E9}", "e\#u{301}"]"#), "strings compare by code points")
        #expect(try !valid(#"[\#(many), null, true, false, null]"#))
    }

    @Test func largeArraysAreChecked() throws {
        let n = 200_000
        var items = (0..<n).map(String.init)
        #expect(try valid("[" + items.joined(separator: ",") + "]"))
        items.append("\(n / 2).0")
        let v = try JSONSchemaValidator(schema: try JSONParser.parse(#"{"uniqueItems": true}"#))
        let r = v.validate(try JSONParser.parse("[" + items.joined(separator: ",") + "]"))
        #expect(!r.valid)
        #expect(r.errors.first?.message.contains("\(n / 2) and \(n)") == true)
    }
}

// Issue 11: schemas that are not valid against their meta-schema and `$ref` cycles that never test the instance
// are schema errors when the schema is loaded (exit 2 once), not per-instance failures.
@Suite struct SchemaErrorsAtLoadTests {
    func load(_ text: String) throws {
        let path = NSTemporaryDirectory() + "floe-schema-\(UUID().uuidString).json"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try JSONSchemaValidator(path: path)
    }

    @Test(arguments: ["[1,2]", #"{"minimum":"x"}"#, #"{"type":"strin"}"#, #"{"properties":{"a":3}}"#])
    func invalidAgainstTheMetaSchema(_ schema: String) {
        #expect(throws: SchemaError.self) { try load(schema) }
    }

    @Test(arguments: [##"{"$ref":"#"}"##, ##"{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"allOf":[{"$ref":"#/$defs/a"}]}},"$ref":"#/$defs/a"}"##,
                      ##"{"anyOf":[{"type":"string"},{"$ref":"#"}]}"##])
    func refCyclesInPlace(_ schema: String) {
        do { try load(schema); Issue.record("accepted \(schema)") } catch {
            #expect((error as? SchemaError)?.kind == .unresolvableReference, "\(error)")
        }
    }

    @Test(arguments: [##"{"properties":{"next":{"$ref":"#"}}}"##, ##"{"items":{"$ref":"#"}}"##, ##"{"type":"integer"}"##])
    func recursionThroughChildrenIsFine(_ schema: String) throws {
        try load(schema)
    }
}
