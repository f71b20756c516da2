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
        // Every built-in schema loads and compiles offline (drone's `$ref`s to kubernetes-definitions.json, which no
        // package ships, fail only for instances that reach them).
        let registry = BuiltinSchemas.registry()
        for b in BuiltinSchemas.all {
            let (doc, uri) = try BuiltinSchemas.load(b)
            #expect(throws: Never.self, "\(b.name)") {
                try JSONSchemaValidator(schema: doc, baseURI: uri, registry: registry, options: ValidatorOptions(lazyRemoteReferences: true))
            }
        }
    }

    @Test func droneKubernetesRefFailsOnlyWhenReached() throws {
        let d = try tempDir()
        defer { try? FileManager.default.removeItem(at: d) }
        let plain = try write(d, "a/.drone.yml", "kind: pipeline\ntype: kubernetes\nname: default\nsteps:\n- name: s\n  image: alpine\n  commands: [make]\n")
        let reaching = try write(d, "b/.drone.yml", "kind: pipeline\ntype: kubernetes\nname: default\nmetadata:\n  namespace: ci\nsteps:\n- name: s\n  image: alpine\n  commands: [make]\n")
        let (doc, uri) = try BuiltinSchemas.load(BuiltinSchemas.named("drone-ci")!)
        var c = ValidateConfiguration(schemaPath: uri)
        c.schemaDocument = doc
        c.registry = BuiltinSchemas.registry()
        c.decoder = ConfigFormatsDecoder()
        c.instances = [plain]
        #expect(run(c).0 == 0)
        c.instances = [plain, reaching]
        let (status, out) = run(c)
        #expect(status == 2)
        #expect(out.contains("\(plain): valid"))
        // Named at the value that reached the `$ref` (line 5, column 3: `namespace: ci` under `metadata:`).
        #expect(out.contains { $0.hasPrefix("floe: \(reaching):5:3: /metadata: cannot resolve $ref") && $0.contains("kubernetes-definitions.json") }, "\(out)")
        // The standard output formats report it in their units; the exit status is 2 there too.
        c.instances = [reaching]
        for format in [OutputFormat.flag, .basic, .detailed] {
            c.outputFormat = format
            #expect(run(c).0 == 2, "\(format)")
        }
        c.instances = [plain]
        #expect(run(c).0 == 0)
    }

    @Test func azurePipelinesTemplateExpressionsAreUnnested() throws {
        let d = try tempDir()
        defer { try? FileManager.default.removeItem(at: d) }
        // `${{ if }}:` lifted into the mapping, `- ${{ each }}:` spliced into the sequence, `${{ x }}: y` dropped.
        let text = """
            trigger: [main]
            variables:
              ${{ if eq(variables.a, 'b') }}:
                v: 1
              ${{ x }}: y
            steps:
            - ${{ each s in parameters.steps }}:
              - script: echo ${{ s }}
              - script: echo again
            - script: make
            - ${{ if true }}:
                bash: 12
            """
        let i = try write(d, "azure-pipelines.yml", text + "\n")
        let (doc, uri) = try BuiltinSchemas.load(BuiltinSchemas.named("azure-pipelines")!)
        var c = ValidateConfiguration(schemaPath: uri)
        c.schemaDocument = doc
        c.registry = BuiltinSchemas.registry()
        c.decoder = ConfigFormatsDecoder()
        c.instances = [i]
        c.dataTransform = .azurePipelines
        let (status, out) = run(c)
        // The only error is `bash: 12` (a string is required), named where it is in the file: line 12, column 15.
        #expect(status == 1, "\(out)")
        #expect(out.contains { $0.hasPrefix("\(i):12:") && $0.contains("/steps/3") }, "\(out)")
        c.dataTransform = nil
        #expect(run(c).0 == 1)
        // The transform itself: values and their source positions.
        let docs = try InstanceDecoding.decode(Array(text.utf8), format: .yaml, decoder: ConfigFormatsDecoder())
        let t = try DataTransform.azurePipelines.apply(docs[0])
        let expected = try JSONParser.parse(#"""
            {"trigger":["main"],"variables":{"v":1},
             "steps":[{"script":"echo ${{ s }}"},{"script":"echo again"},{"script":"make"},{"bash":12}]}
            """#)
        #expect(t.value == expected)
        #expect(t.locate("/variables/v") == SourcePosition(line: 4, column: 8))
        #expect(t.locate("/steps/1/script") == SourcePosition(line: 9, column: 13))
        #expect(t.locate("/steps/2/script") == SourcePosition(line: 10, column: 11))
        let list = try InstanceDecoding.decode(Array("- a\n".utf8), format: .yaml, decoder: ConfigFormatsDecoder())
        #expect(throws: InstanceDecodeError.self) { try DataTransform.azurePipelines.apply(list[0]) }
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
