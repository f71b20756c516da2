// Instance files of `floe validate`: their formats, how they are decoded into documents, where each value sits in
// the source, and which files a directory contributes. JSON and JSON5/JSONC are decoded here; YAML and TOML come
// from an `InstanceDecoder` the caller supplies (ConfigFormats), so this module stays free of libyaml and toml++.

import FileSafety
import JSON

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// How an instance file is read.
public enum InstanceFormat: String, Sendable, CaseIterable {
    /// JSON (RFC 8259), newline-delimited JSON (one instance per line), YAML 1.2, TOML 1.0 and JSON5 (which also
    /// reads JSONC).
    case json, ndjson, yaml, toml, json5

    /// By extension: `.yaml .yml` (and `.cff`, Citation File Format, which is YAML) YAML, `.toml` TOML, `.json5 .jsonc` JSON5, anything else JSON.
    public static func forPath(_ path: String) -> InstanceFormat {
        let lower = path.lowercased()
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") || lower.hasSuffix(".cff") { return .yaml }
        if lower.hasSuffix(".toml") { return .toml }
        if lower.hasSuffix(".json5") || lower.hasSuffix(".jsonc") { return .json5 }
        return .json
    }

    /// The name in messages: `invalid YAML: …`.
    public var displayName: String {
        switch self {
        case .json, .ndjson: return "JSON"
        case .yaml: return "YAML"
        case .toml: return "TOML"
        case .json5: return "JSON5"
        }
    }

    /// File names a directory contributes by default.
    public static let defaultGlobs = ["*.json", "*.yaml", "*.yml", "*.toml", "*.json5"]
}

/// One document of an instance file (a YAML stream may hold several).
public struct InstanceDocument: Sendable {
    /// The decoded document.
    public var value: JSONValue
    /// The source position of the value at a JSON pointer; called only for reported errors.
    public var locate: @Sendable (String) -> SourcePosition?

    /// A document `value` with the function that finds a JSON pointer's position in its source.
    public init(value: JSONValue, locate: @escaping @Sendable (String) -> SourcePosition?) {
        self.value = value
        self.locate = locate
    }
}

/// A document that cannot be decoded: the cause and, where known, its position.
public struct InstanceDecodeError: Error, Sendable, Equatable {
    /// What is wrong with the document.
    public var message: String
    /// Line and column of the problem, when known.
    public var position: SourcePosition?
    /// An error saying `message` at `position`.
    public init(_ message: String, at position: SourcePosition? = nil) {
        self.message = message
        self.position = position
    }
}

/// Decodes formats this module does not read itself (YAML, TOML).
public protocol InstanceDecoder: Sendable {
    /// The documents in `bytes` read as `format`, each with a position locator.
    ///
    /// - Throws: ``InstanceDecodeError`` with the position of the first syntax error.
    func decode(_ bytes: UnsafeRawBufferPointer, format: InstanceFormat) throws(InstanceDecodeError) -> [InstanceDocument]
}

/// Decoding of instance files by format.
public enum InstanceDecoding {
    /// Decodes `bytes` in `format`: JSON and JSON5 here, others through `decoder`.
    public static func decode(_ bytes: UnsafeRawBufferPointer, format: InstanceFormat,
                              decoder: (any InstanceDecoder)?) throws(InstanceDecodeError) -> [InstanceDocument]
    {
        switch format {
        case .json, .ndjson:
            do {
                let v = try JSONParser.parse(bytes)
                let copy = Array(bytes)
                return [InstanceDocument(value: v, locate: { ptr in locateJSON(copy, ptr) })]
            } catch {
                throw InstanceDecodeError(error.message, at: SourcePosition(line: error.line, column: error.column))
            }
        case .json5:
            do {
                let v = try JSON5Parser.parse(bytes)
                let copy = Array(bytes)
                return [InstanceDocument(value: v, locate: { ptr in locateJSON(copy, ptr) })]
            } catch {
                throw InstanceDecodeError(error.message, at: SourcePosition(line: error.line, column: error.column))
            }
        case .yaml, .toml:
            guard let decoder else { throw InstanceDecodeError("\(format.displayName) instances need the ConfigFormats decoder") }
            return try decoder.decode(bytes, format: format)
        }
    }

    /// Decodes `bytes` in `format` (see the `UnsafeRawBufferPointer` overload).
    public static func decode(_ bytes: [UInt8], format: InstanceFormat,
                              decoder: (any InstanceDecoder)?) throws(InstanceDecodeError) -> [InstanceDocument]
    {
        let r: Result<[InstanceDocument], InstanceDecodeError> = bytes.withUnsafeBytes { b in
            Result { () throws(InstanceDecodeError) in try decode(b, format: format, decoder: decoder) }
        }
        return try r.get()
    }

    /// The position of the value at `pointer` in JSON or JSON5 text (re-scans the text: errors only), falling
    /// back to the nearest enclosing value.
    public static func locateJSON(_ bytes: [UInt8], _ pointer: String) -> SourcePosition? {
        guard let map = bytes.withUnsafeBytes({ JSON5Parser.positions($0) }) else { return nil }
        return nearest(pointer, in: map)
    }

    /// `map[pointer]`, else the entry of its longest prefix that is a whole pointer.
    public static func nearest(_ pointer: String, in map: [String: SourcePosition]) -> SourcePosition? {
        var p = Substring(pointer)
        while true {
            if let hit = map[String(p)] { return hit }
            guard let slash = p.lastIndex(of: "/") else { return map[""] }
            p = p[..<slash]
        }
    }

    /// Reads a whole file (or stdin for `-`).
    public static func read(_ path: String) -> [UInt8]? {
        if path == "-" {
            var out: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = chunk.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                out.append(contentsOf: chunk[0..<n])
            }
            return out
        }
        // A named instance is a regular file (a FIFO or device only through `-`); instances may be large.
        return FileSystem.readFile(path, limit: Int.max)
    }
}

/// Which files below a directory are instances: names or relative paths matching one `globs` pattern (default
/// `InstanceFormat.defaultGlobs`) and none of the `excludes` (which also prune directories). Patterns are
/// fnmatch(3) patterns tried against the name and against the path relative to the walked directory.
public struct InstanceWalk: Sendable {
    /// Patterns an instance must match (one of them).
    public var globs: [String]
    /// Patterns that exclude files and prune directories.
    public var excludes: [String]

    /// A walk with `globs` (empty: ``InstanceFormat/defaultGlobs``) and `excludes`.
    public init(globs: [String] = [], excludes: [String] = []) {
        self.globs = globs.isEmpty ? InstanceFormat.defaultGlobs : globs
        self.excludes = excludes
    }

    static func matches(_ patterns: [String], name: String, relative: String) -> Bool {
        for p in patterns where fnmatch(p, name, 0) == 0 || fnmatch(p, relative, 0) == 0 { return true }
        return false
    }

    /// Files below `root`, sorted by path. The walk is FileSafety's (issue 11, rule 6): no symbolic link to a
    /// folder is followed, each folder and file is visited once; `--exclude` prunes folders and files, `--glob`
    /// selects files by name or by path relative to `root`.
    public func files(below root: String) -> [String] {
        let globs = self.globs, excludes = self.excludes
        var walker = DirectoryWalker(accept: { _ in true })
        walker.skipHidden = false
        walker.include = { folder, name in
            !InstanceWalk.matches(excludes, name: name, relative: folder.isEmpty ? name : folder + "/" + name)
        }
        let found = (try? walker.files(below: root)) ?? []
        var base = root
        while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        let prefix = base == "/" ? "/" : base + "/"
        return found.filter { path in
            let rel = path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
            let name = rel.split(separator: "/").last.map(String.init) ?? rel
            return InstanceWalk.matches(globs, name: name, relative: rel)
        }
    }
}

/// Picks the schema of each instance by its path (`--schema-from-catalog`); `nil` when none applies.
public protocol SchemaChooser: Sendable {
    /// Where the chosen schemas' `$ref`s resolve.
    var registry: SchemaRegistry { get }
    /// The schema for the instance at `path` (its name for reports, the document and its base URI), or `nil` to skip
    /// the instance.
    func schema(for path: String) -> (name: String, document: JSONValue, baseURI: String)?
}
