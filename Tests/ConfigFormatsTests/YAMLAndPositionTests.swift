// Issue 18: YAML-specific rules (YAML 1.2.2 §10.3.2 core schema, multi-document streams §9.2, anchors and aliases
// §3.2.2.2 / §7.1, merge keys https://yaml.org/type/merge.html, unique keys §3.2.1.1, tags §6.9), TOML 1.0 dates,
// JSON5, the position of every error, and GitHub's workflow-command grammar.

import ConfigFormats
import Foundation
import JSON
import JSONSchema
import Testing

func decode(_ text: String, _ format: InstanceFormat) throws -> [InstanceDocument] {
    try Array(text.utf8).withUnsafeBytes { try ConfigFormatsDecoder().decode($0, format: format) }
}

func decodeError(_ text: String, _ format: InstanceFormat) -> InstanceDecodeError? {
    do { _ = try decode(text, format); return nil } catch let e as InstanceDecodeError { return e } catch { return nil }
}

@Suite("ConfigFormats: YAML")
struct YAMLTests {
    /// §10.3.2: only true/false are booleans, 0o and 0x are integers, `1_000`, `yes`, `on`, `off`, dates are strings.
    @Test func coreSchemaScalars() throws {
        let v = try decode("""
            a: yes
            b: on
            c: off
            d: 0o17
            e: 1_000
            f: 0x1F
            g: true
            h: ~
            i: 2001-12-14
            j: +12
            k: .5
            l: 1.
            m: 007
            n: "12"
            o: Null
            p: 1e3
            q: 0b101
            """, .yaml)[0].value
        let expected: JSONValue = [
            "a": "yes", "b": "on", "c": "off", "d": 15, "e": "1_000", "f": 31, "g": true, "h": nil, "i": "2001-12-14",
            "j": 12, "k": .number(JSONNumber("0.5")!), "l": 1, "m": 7, "n": "12", "o": nil, "p": 1000, "q": "0b101",
        ]
        #expect(v == expected)
    }

    /// §6.9: standard tags force a type; `!` and quoted scalars are strings; application tags are ignored.
    @Test func tags() throws {
        let v = try decode("""
            a: !!str 123
            b: !!int "42"
            c: !!float 1
            d: ! true
            e: !!bool "false"
            f: !reference [x, y]
            g: !Ref 12
            h: 'true'
            """, .yaml)[0].value
        #expect(v == ["a": "123", "b": 42, "c": 1, "d": "true", "e": false, "f": ["x", "y"], "g": 12, "h": "true"])
        #expect(decodeError("a: !!int abc\n", .yaml)?.position == SourcePosition(line: 1, column: 4))
    }

    /// §9.2: a stream of documents gives one value each.
    @Test func multiDocument() throws {
        let docs = try decode("a: 1\n---\na: 2\n...\n---\n- x\n", .yaml)
        #expect(docs.map(\.value) == [["a": 1], ["a": 2], ["x"]])
        #expect(docs[2].locate("/0") == SourcePosition(line: 6, column: 3))
        #expect(try decode("", .yaml).map(\.value) == [nil])
    }

    /// Anchors, aliases and merge keys: explicit keys win, earlier merge sources win over later ones.
    @Test func anchorsAndMergeKeys() throws {
        let v = try decode("""
            base: &b {x: 1, y: 2}
            other: &o {y: 3, z: 4}
            one:
              <<: *b
              y: 9
            two:
              <<: [*b, *o]
            list: [*b, *b]
            """, .yaml)[0].value
        #expect(v["one"] == ["x": 1, "y": 9])
        #expect(v["two"] == ["x": 1, "y": 2, "z": 4])
        #expect(v["list"] == [["x": 1, "y": 2], ["x": 1, "y": 2]])
        #expect(decodeError("a: *nothing\n", .yaml) != nil)
        #expect(decodeError("a:\n  <<: 3\n", .yaml)?.position == SourcePosition(line: 2, column: 7))
    }

    /// §3.2.1.1: keys are unique; a repeated key is an error at its line.
    @Test func duplicateKeys() throws {
        let e = try #require(decodeError("a: 1\nb:\n  c: 1\n  c: 2\n", .yaml))
        #expect(e.message.contains("duplicate key \"c\""))
        #expect(e.position?.line == 3)
        #expect(decodeError("a: 1\na: 1\n", .yaml) != nil)
    }

    @Test func syntaxErrorPosition() {
        let e = decodeError("a: [1, 2\nb: 3\n", .yaml)
        #expect(e?.position?.line == 2)
        #expect(decodeError("a: .inf\n", .yaml)?.message.contains("no JSON value") == true)
    }
}

@Suite("ConfigFormats: TOML and JSON5")
struct TOMLAndJSON5Tests {
    /// TOML 1.0 §Offset Date-Time / Local Date-Time / Local Date / Local Time, written as check-jsonschema does.
    @Test func tomlDates() throws {
        let v = try decode("""
            odt = 1979-05-27T07:32:00Z
            odt2 = 1979-05-27T00:32:00.999999-07:00
            ldt = 1979-05-27T07:32:00
            ld = 1979-05-27
            lt = 07:32:00
            """, .toml)[0].value
        #expect(v == ["odt": "1979-05-27T07:32:00+00:00", "odt2": "1979-05-27T00:32:00.999999-07:00",
                      "ldt": "1979-05-27T07:32:00Z", "ld": "1979-05-27", "lt": "07:32:00Z"])
        #expect(decodeError("a = 1\na = 2\n", .toml)?.position?.line == 2)
    }

    /// JSON5 §3–§8: comments, identifier keys, single quotes, hex, signs, leading/trailing points, trailing commas.
    @Test func json5Grammar() throws {
        let v = try decode("""
            // comment
            {unquoted: 'single \\' quote', "q": +1, hex: 0xFF, lead: .5, trail: 2., /* c */ list: [1, 2,],
             esc: '\\x41\\u0042', cont: 'a\\
            b',}
            """, .json5)[0].value
        #expect(v == ["unquoted": "single ' quote", "q": 1, "hex": 255, "lead": .number(JSONNumber("0.5")!), "trail": 2,
                      "list": [1, 2], "esc": "AB", "cont": "ab"])
        #expect(decodeError("{a: 01}", .json5) != nil)
        #expect(decodeError("{a: NaN}", .json5)?.message.contains("no JSON value") == true)
        #expect(decodeError("{a: 1 b: 2}", .json5)?.position == SourcePosition(line: 1, column: 7))
    }
}

/// Issue 18, Done-when 2: a corpus of invalid documents with the expected line:column of every error.
struct PositionCase: Sendable, CustomTestStringConvertible {
    let name: String
    let format: InstanceFormat
    let text: String
    let expected: [String]  // "line:column pointer"
    var testDescription: String { name }
}

let positionSchema: JSONValue = try! JSONParser.parse(#"""
    {"type":"object","required":["name"],"properties":{
      "name":{"type":"string"},"port":{"type":"integer","maximum":65535},
      "tags":{"type":"array","items":{"type":"string"}},
      "jobs":{"type":"object","additionalProperties":{"type":"object","required":["run"],"properties":{"run":{"type":"string"}}}}}}
    """#)

let positionCorpus: [PositionCase] = [
    PositionCase(name: "json nested", format: .json, text: "{\n  \"name\": \"x\",\n  \"port\": 70000,\n  \"tags\": [\"a\", 2]\n}\n",
                 expected: ["3:11 /port", "4:17 /tags/1"]),
    PositionCase(name: "json root and unicode", format: .json, text: "{\"tags\": [\"é\", \"ü\", null]}",
                 expected: ["1:1 ", "1:21 /tags/2"]),
    PositionCase(name: "json escaped keys", format: .json, text: "{\"name\":\"n\",\"jobs\":{\"a/b\":{\"run\":1},\"c~d\":{}}}",
                 expected: ["1:34 /jobs/a~1b/run", "1:43 /jobs/c~0d"]),
    PositionCase(name: "yaml block", format: .yaml, text: "name: x\nport: 70000\ntags:\n  - a\n  - 2\njobs:\n  build:\n    run: [1]\n  test: {}\n",
                 expected: ["2:7 /port", "5:5 /tags/1", "8:10 /jobs/build/run", "9:9 /jobs/test"]),
    PositionCase(name: "yaml flow and merge", format: .yaml, text: "d: &d {run: 5}\nname: 1\njobs:\n  x:\n    <<: *d\n",
                 expected: ["2:7 /name", "1:13 /jobs/x/run"]),
    PositionCase(name: "yaml missing root key", format: .yaml, text: "# no name\nport: \"80\"\n",
                 expected: ["2:1 ", "2:7 /port"]),
    PositionCase(name: "toml tables", format: .toml, text: "name = \"x\"\nport = 70000\ntags = [\"a\",\n  2]\n[jobs.build]\nrun = 3\n[jobs.\"t.x\"]\n",
                 expected: ["2:8 /port", "4:3 /tags/1", "6:7 /jobs/build/run", "7:1 /jobs/t.x"]),
    PositionCase(name: "toml inline and dotted", format: .toml, text: "tags = []\njobs.a = { run = false }\njobs.b.run = 1.5\n",
                 expected: ["1:1 ", "2:18 /jobs/a/run", "3:14 /jobs/b/run"]),
    PositionCase(name: "toml array of tables", format: .toml, text: "name = 1\n[[tags]]\nx = 1\n",
                 expected: ["1:8 /name", "2:1 /tags/0"]),
    PositionCase(name: "json5 comments", format: .json5, text: "// c\n{\n  name: 'x', /* p */ port: 0x10000,\n  tags: ['a', 2,],\n}\n",
                 expected: ["3:28 /port", "4:15 /tags/1"]),
]

@Suite("ConfigFormats: positions of errors")
struct PositionTests {
    @Test("corpus", arguments: positionCorpus)
    func corpus(_ c: PositionCase) throws {
        let v = try JSONSchemaValidator(schema: positionSchema)
        let doc = try decode(c.text, c.format)[0]
        let result = v.validate(doc.value)
        let got = result.errors.map { e -> String in
            let p = doc.locate(e.instanceLocation)
            return "\(p?.line ?? 0):\(p?.column ?? 0) \(e.instanceLocation)"
        }
        #expect(got.sorted() == c.expected.sorted())
    }

    /// The runner prints file:line:column in text, "line"/"column" in --json, and GitHub commands.
    @Test func runnerOutputs() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("floe-i18-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let schema = dir.appendingPathComponent("s.yaml").path
        try "type: object\nproperties:\n  n: {type: integer}\n".write(toFile: schema, atomically: true, encoding: .utf8)
        let inst = dir.appendingPathComponent("a, b:c%.yaml").path
        try "n: 1\n---\nn: x\n".write(toFile: inst, atomically: true, encoding: .utf8)
        for (style, expected) in [(ReportStyle.text, "\(inst)#2:3:4: /n: expected integer, got string"),
                                  (.github, "::error file=\(inst.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: ",", with: "%2C").replacingOccurrences(of: ":", with: "%3A")),line=3,col=4,title=schema violation at /n (2)::expected integer, got string")]
        {
            var c = ValidateConfiguration(schemaPath: schema)
            c.decoder = ConfigFormatsDecoder()
            c.instances = [inst]
            c.report = style
            let lines = Lines()
            #expect(ValidateRunner.run(c, output: lines.output) == 1)
            #expect(lines.all.contains(expected), "\(lines.all)")
            if style == .github { for l in lines.all { #expect(GitHubGrammar.isCommand(l), "\(l)") } }
        }
    }

    /// GitHub's workflow-command grammar (actions/toolkit `command.ts`): `::name k=v,k=v::data`, with `%`, CR, LF
    /// escaped everywhere and `:` `,` escaped in property values; unescaping gives back the original text.
    @Test func githubEscaping() {
        let message = "50% of\r\nlines: a,b"
        let file = "dir/we,ird:name%.yaml"
        let line = Report.githubCommand(file: file, position: SourcePosition(line: 3, column: 9), title: "t: x, y", message: message)
        #expect(GitHubGrammar.isCommand(line))
        #expect(line == "::error file=dir/we%2Cird%3Aname%25.yaml,line=3,col=9,title=t%3A x%2C y::50%25 of%0D%0Alines: a,b")
        #expect(GitHubGrammar.unescape("50%25 of%0D%0Alines: a,b") == message)
    }
}

enum GitHubGrammar {
    /// `::error` + properties + `::` + data; no raw CR/LF; every `%` starts one of the five escapes; no raw `,` or
    /// `:` inside a property value.
    static func isCommand(_ l: String) -> Bool {
        guard l.hasPrefix("::error "), !l.contains("\n"), !l.contains("\r") else { return false }
        let body = l.dropFirst("::error ".count)
        guard let sep = body.range(of: "::") else { return false }
        let props = body[..<sep.lowerBound].split(separator: ",", omittingEmptySubsequences: false)
        for p in props {
            let kv = p.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, ["file", "line", "col", "endLine", "endColumn", "title"].contains(String(kv[0])),
                  !kv[1].contains(":"), escapesValid(kv[1]) else { return false }
            if kv[0] == "line" || kv[0] == "col" { guard Int(kv[1]) != nil else { return false } }
        }
        return escapesValid(body[sep.upperBound...])
    }

    static func escapesValid(_ s: Substring) -> Bool {
        var i = s.startIndex
        while let r = s[i...].firstIndex(of: "%") {
            let code = s[r...].prefix(3)
            guard ["%25", "%0D", "%0A", "%3A", "%2C"].contains(String(code)) else { return false }
            i = s.index(r, offsetBy: 3)
        }
        return true
    }

    static func unescape(_ s: String) -> String {
        s.replacingOccurrences(of: "%0D", with: "\r").replacingOccurrences(of: "%0A", with: "\n")
            .replacingOccurrences(of: "%3A", with: ":").replacingOccurrences(of: "%2C", with: ",").replacingOccurrences(of: "%25", with: "%")
    }
}

final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    var all: [String] { lock.withLock { lines } }
    var output: ValidateOutput {
        ValidateOutput(result: { s in self.lock.withLock { self.lines += s.split(separator: "\n").map(String.init) } },
                       diagnostic: { s in self.lock.withLock { self.lines.append(s) } })
    }
}
