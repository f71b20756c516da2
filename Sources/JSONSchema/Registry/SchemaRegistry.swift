// Offline schema registry: documents by URI, `--schema-dir` directories, `--map-uri` prefixes and the
// embedded meta-schemas. Never touches the network.

import FileSafety
import Synchronization
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An error in a schema or its configuration (unreadable, unparseable, unresolvable `$ref`, bad keyword).
public struct SchemaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The category of a schema error (all map to exit status 2 in the CLI).
    public enum Kind: Sendable, Equatable {
        /// The file cannot be read; it is not JSON (or YAML); a `$ref` target is not found offline; a keyword's value
        /// is invalid for the draft; `$vocabulary` requires a vocabulary Floe does not implement.
        case unreadable, unparseable, unresolvableReference, invalidKeyword, unsupportedVocabulary
    }
    /// The category.
    public let kind: Kind
    /// The diagnostic, naming the file or URI.
    public let message: String
    /// An error of `kind` saying `message`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
    /// The message.
    public var description: String { message }
}

/// Where `$ref` targets come from. Thread-safe for reads after setup; set it up before compiling.
public final class SchemaRegistry: @unchecked Sendable {
    private var documents: [String: JSONValue] = [:]
    private var mappings: [(prefix: String, directory: String)] = []
    private let lock = Mutex(())
    /// Whether the embedded meta-schemas of all five drafts are served.
    public let includesMetaSchemas: Bool

    /// An empty registry; `includeMetaSchemas` serves the embedded meta-schemas of drafts 4 to 2020-12.
    public init(includeMetaSchemas: Bool = true) {
        self.includesMetaSchemas = includeMetaSchemas
    }

    /// Registers `document` under `uri` (a fragment is ignored) and, if it has one, its top-level `$id`
    /// (draft 4: `id`) resolved against `uri`.
    public func add(_ document: JSONValue, uri: String) {
        lock.withLock { _ in
            let key = SchemaRegistry.normalize(URIs.stripFragment(uri))
            documents[key] = document
            if case .object(let o) = document {
                for k in ["$id", "id"] {
                    if case .string(let id)? = o[k] {
                        let abs = SchemaRegistry.normalize(URIs.stripFragment(URIs.resolve(id, against: key)))
                        if !abs.isEmpty && documents[abs] == nil { documents[abs] = document }
                    }
                }
            }
        }
    }

    /// Parses `text` and registers it under `uri`.
    public func add(json text: String, uri: String) throws(SchemaError) {
        let v: JSONValue
        do { v = try JSONParser.parse(text) } catch {
            throw SchemaError(.unparseable, "\(uri): \(error)")
        }
        add(v, uri: uri)
    }

    /// Registers every `*.json` directly in `directory` under its `file://` URI and its top-level `$id`.
    public func addDirectory(_ directory: String) throws(SchemaError) {
        let abs = FileSystem.absolutePath(directory)
        guard let names = FileSystem.listDirectory(abs) else {
            throw SchemaError(.unreadable, "\(directory): cannot read directory")
        }
        for name in names.sorted() where name.hasSuffix(".json") {
            let path = abs.hasSuffix("/") ? abs + name : abs + "/" + name
            guard FileSystem.isRegularFile(path) else { continue }
            let doc = try SchemaRegistry.loadFile(path)
            add(doc, uri: FileSystem.fileURI(path))
        }
    }

    /// A URI starting with `prefix` is the file `directory/<rest of the URI>`.
    public func mapURI(prefix: String, directory: String) {
        lock.withLock { _ in mappings.append((prefix, FileSystem.absolutePath(directory))) }
    }

    /// Reads and parses a schema file.
    public static func loadFile(_ path: String) throws(SchemaError) -> JSONValue {
        let bytes: [UInt8]
        do {
            bytes = try BoundedRead.read(path, what: "schema")
        } catch {
            throw SchemaError(.unreadable, error.description)
        }
        do { return try JSONParser.parse(bytes) } catch {
            throw SchemaError(.unparseable, "\(path): \(error)")
        }
    }

    /// The document for `uri` (no fragment), or nil.
    func document(for uri: String) -> JSONValue? {
        let key = SchemaRegistry.normalize(uri)
        if let d = lock.withLock({ _ in documents[key] }) { return d }
        if includesMetaSchemas, let d = SchemaRegistry.metaSchema(key) { return d }
        let maps = lock.withLock { _ in mappings }
        for (prefix, dir) in maps where key.hasPrefix(prefix) {
            let rest = String(key.dropFirst(prefix.count))
            let path = dir.hasSuffix("/") || rest.hasPrefix("/") ? dir + rest : dir + "/" + rest
            if let doc = try? SchemaRegistry.loadFile(path) {
                lock.withLock { _ in documents[key] = doc }
                return doc
            }
        }
        if key.hasPrefix("file://"), let doc = try? SchemaRegistry.loadFile(URIs.percentDecode(String(key.dropFirst(7)))) {
            lock.withLock { _ in documents[key] = doc }
            return doc
        }
        return nil
    }

    static func normalize(_ uri: String) -> String {
        var u = uri
        if u.hasSuffix("#") { u.removeLast() }
        return u
    }

    private static let metaSchemaCache = MetaSchemaCache()

    /// The embedded meta-schema at `uri` (http or https, with or without `#`).
    static func metaSchema(_ uri: String) -> JSONValue? {
        var u = normalize(uri)
        if u.hasPrefix("https://json-schema.org/draft-0") { u = "http://" + u.dropFirst(8) }
        if u.hasPrefix("http://json-schema.org/draft/") { u = "https://" + u.dropFirst(7) }
        return metaSchemaCache.get(u)
    }
}

final class MetaSchemaCache: @unchecked Sendable {
    private var parsed: [String: JSONValue] = [:]
    private let lock = Mutex(())
    func get(_ uri: String) -> JSONValue? {
        lock.withLock { _ in
            if let v = parsed[uri] { return v }
            guard let text = EmbeddedMetaSchemas.texts[uri], let v = try? JSONParser.parse(text) else { return nil }
            parsed[uri] = v
            return v
        }
    }
}

/// File-system helpers without Foundation.
public enum FileSystem {
    /// The bytes of a regular file of at most `limit` bytes (FileSafety.BoundedRead); nil otherwise.
    public static func readFile(_ path: String, limit: Int? = nil) -> [UInt8]? {
        try? BoundedRead.read(path, limit: limit)
    }

    /// Size in bytes of a regular file (0 if unknown).
    public static func fileSize(_ path: String) -> Int {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return 0 }
        return Int(st.st_size)
    }

    /// Whether `path` is a directory (following symbolic links).
    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Whether `path` is a regular file (following symbolic links).
    public static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// Names in `path` (without `.` and `..`), or nil if unreadable.
    public static func listDirectory(_ path: String) -> [String]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Every `*.json` file below `path`, sorted (FileSafety's walker: no symbolic link to a folder followed,
    /// each file once).
    public static func jsonFilesRecursively(_ path: String) -> [String] {
        var walker = DirectoryWalker.suffixes([".json"])
        walker.skipHidden = false
        return (try? walker.files(below: path)) ?? []
    }

    /// `path` made absolute against the working directory and normalized (`.` and `..` removed lexically).
    public static func absolutePath(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var buf = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buf, buf.count) != nil else { return path }
        let cwd = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var p = path
        while p.hasPrefix("./") { p.removeFirst(2) }
        return cwd.hasSuffix("/") ? cwd + p : cwd + "/" + p
    }

    /// `file://` + absolute path (spaces and `%`/`#`/`?` percent-encoded).
    public static func fileURI(_ path: String) -> String {
        var s = "file://"
        for c in absolutePath(path).unicodeScalars {
            switch c {
            case " ": s += "%20"
            case "%": s += "%25"
            case "#": s += "%23"
            case "?": s += "%3F"
            default: s.unicodeScalars.append(c)
            }
        }
        return s
    }
}
