// Issue 18: directory walking (--glob, --exclude), --instance-format, --disable-formats, --schema-from-catalog
// (skipped instances are listed, not failed) and the JUnit report through the runner.

import ConfigFormats
import Foundation
import JSON
import JSONSchema
import Testing

@Suite("ConfigFormats: runner options")
struct RunnerOptionsTests {
    func tempDir() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("floe-i18-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    func write(_ dir: URL, _ rel: String, _ text: String) throws -> String {
        let u = dir.appendingPathComponent(rel)
        try FileManager.default.createDirectory(at: u.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: u, atomically: true, encoding: .utf8)
        return u.path
    }

    func run(_ c: ValidateConfiguration) -> (Int32, [String]) {
        let lines = Lines()
        let status = ValidateRunner.run(c, output: lines.output)
        return (status, lines.all)
    }

    @Test func walkGlobExcludeAndForcedFormat() throws {
        let d = try tempDir()
        defer { try? FileManager.default.removeItem(at: d) }
        let s = try write(d, "s.json", #"{"type":"object"}"#)
        _ = try write(d, "in/a.json", "{}")
        _ = try write(d, "in/b.yaml", "a: 1\n")
        _ = try write(d, "in/c.toml", "a = 1\n")
        _ = try write(d, "in/d.json5", "{a: 1,}")
        _ = try write(d, "in/e.txt", "[1]")
        _ = try write(d, "in/node_modules/f.json", "[]")
        var c = ValidateConfiguration(schemaPath: s)
        c.decoder = ConfigFormatsDecoder()
        c.instances = [d.appendingPathComponent("in").path]
        var (status, out) = run(c)
        #expect(status == 1)  // node_modules/f.json is an array
        #expect(out.count == 5 && out.allSatisfy { !$0.contains("e.txt") })
        c.walk = InstanceWalk(excludes: ["node_modules"])
        (status, out) = run(c)
        #expect(status == 0 && out.count == 4)
        c.walk = InstanceWalk(globs: ["*.txt"])
        (status, out) = run(c)
        #expect(status == 1 && out.count == 1 && out[0].hasSuffix("e.txt:1:1: expected object, got array"))
        c.instanceFormat = .yaml
        c.walk = InstanceWalk(globs: ["*.txt"])
        (status, out) = run(c)
        #expect(status == 1 && out.count == 1)  // [1] is a YAML flow sequence too
    }

    @Test func disableFormats() throws {
        let d = try tempDir()
        defer { try? FileManager.default.removeItem(at: d) }
        let s = try write(d, "s.json", #"{"properties":{"d":{"format":"date"},"e":{"format":"email"}}}"#)
        let i = try write(d, "i.yaml", "d: 2024-13-01\ne: nope\n")
        var c = ValidateConfiguration(schemaPath: s)
        c.decoder = ConfigFormatsDecoder()
        c.instances = [i]
        c.assertFormat = true
        #expect(run(c).0 == 1 && run(c).1.count == 2)
        c.disabledFormats = ["date"]
        let (status, out) = run(c)
        #expect(status == 1)
        #expect(out == ["\(i):2:4: /e: \"nope\" is not a valid email"])
        c.disabledFormats = ["date", "email"]
        #expect(run(c).0 == 0)
        c.disabledFormats = ["*"]
        #expect(run(c).0 == 0)
    }

    @Test func catalogChoosesBySchemaStoreFileMatch() throws {
        let d = try tempDir()
        defer { try? FileManager.default.removeItem(at: d) }
        let wf = try write(d, "repo/.github/workflows/ci.yml", "on: push\njobs:\n  b:\n    runs-on: x\n    steps: [{run: make}]\n")
        let dep = try write(d, "repo/.github/dependabot.yml", "version: 3\nupdates: []\n")
        let other = try write(d, "repo/notes.yaml", "a: 1\n")
        var c = ValidateConfiguration(schemaPath: "")
        c.decoder = ConfigFormatsDecoder()
        c.chooser = CatalogChooser(registry: SchemaRegistry())
        c.instances = [wf, dep, other]
        let (status, out) = run(c)
        #expect(status == 1)
        #expect(out.contains("\(wf): valid"))
        #expect(out.contains { $0.hasPrefix("\(dep):1:10: /version") })
        #expect(out.contains("\(other): skipped (no schema in the catalog matches this file name)"))
        #expect(FileMatch.matches("**/.github/workflows/*.yml", "a/b/.github/workflows/x.yml"))
        #expect(!FileMatch.matches("**/.github/workflows/*.yml", "a/.github/workflows/sub/x.yml"))
        #expect(FileMatch.matches("*.gitlab-ci.yml", "x/.gitlab-ci.yml"))
        #expect(BuiltinSchemas.listing().count == BuiltinSchemas.all.count)
        #expect(BuiltinSchemas.named("vendor.github-workflows")?.name == "github-workflows")
        #expect(BuiltinSchemas.named("github-workflow")?.name == "github-workflows")
        #expect(BuiltinSchemas.named("nope") == nil)
        // Every built-in schema loads and compiles offline, except drone's `$ref` to a file no package ships.
        let registry = BuiltinSchemas.registry()
        for b in BuiltinSchemas.all {
            let (doc, uri) = try BuiltinSchemas.load(b)
            let compiled = Result { try JSONSchemaValidator(schema: doc, baseURI: uri, registry: registry) }
            if b.name == "drone-ci" {
                #expect(throws: SchemaError.self) { try compiled.get() }
            } else {
                #expect(throws: Never.self, "\(b.name)") { try compiled.get() }
            }
        }
    }

    @Test func junitReport() throws {
        let d = try tempDir()
        defer { try? FileManager.default.removeItem(at: d) }
        let s = try write(d, "s.json", #"{"type":"object","required":["a"]}"#)
        let good = try write(d, "g.yaml", "a: 1\n")
        let bad = try write(d, "b<&>.toml", "b = 1\n")
        var c = ValidateConfiguration(schemaPath: s)
        c.decoder = ConfigFormatsDecoder()
        c.instances = [good, bad, d.appendingPathComponent("missing.json").path]
        c.report = .junit
        let (status, out) = run(c)
        #expect(status == 1)
        let xml = out.joined(separator: "\n")
        #expect(xml.contains(#"tests="3" failures="1" errors="1""#))
        #expect(xml.contains("b&lt;&amp;&gt;.toml:1:1: missing required property &quot;a&quot;"))
        #expect(xml.contains("<error type=\"unreadable\""))
    }
}
