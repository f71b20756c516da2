// YAML instances: Yams (libyaml) parses and composes the node graph with marks; Floe maps nodes to JSON values.
//
// Why the scalar typing is Floe's and not Yams' resolver: Yams' `Resolver.default` implements YAML 1.1 (`yes`,
// `on`, `off` are booleans, `0o17` is a string, `1_000` an integer, timestamps), and its regular expressions run
// per scalar through Foundation. The issue asks for the YAML 1.2 core schema (YAML 1.2.2 §10.3.2), so Floe composes
// with `Resolver.basic` (no implicit typing) and types plain untagged scalars itself by the core schema's rules.
// Merge keys (`<<`, the YAML 1.1 merge type, https://yaml.org/type/merge.html) are applied here too, since
// compose leaves them as ordinary keys. Duplicate keys are Yams' `duplicatedKeysInMapping` error.

import JSON
import JSONSchema
import Yams

/// The root node of one YAML document, kept for locating values only when an error is reported.
final class YAMLNodeBox: @unchecked Sendable {
    let node: Node
    init(_ node: Node) { self.node = node }
}

enum YAMLInstances {
    static func decode(_ bytes: UnsafeRawBufferPointer) throws(InstanceDecodeError) -> [InstanceDocument] {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw InstanceDecodeError("not UTF-8 text") }
        var docs: [InstanceDocument] = []
        do {
            let parser = try Parser(yaml: text, resolver: .basic, constructor: .default, encoding: .utf8)
            while let root = try parser.nextRoot() {
                let value = try JSONValue(yaml: root, depth: 0)
                let box = YAMLNodeBox(root)
                docs.append(InstanceDocument(value: value, locate: { ptr in YAMLInstances.locate(ptr, in: box.node) }))
            }
        } catch let e as InstanceDecodeError {
            throw e
        } catch let e as YamlError {
            throw describe(e)
        } catch {
            throw InstanceDecodeError("\(error)")
        }
        // An empty stream is one null document (as PyYAML/ruamel load it).
        if docs.isEmpty { docs.append(InstanceDocument(value: .null, locate: { _ in SourcePosition(line: 1, column: 1) })) }
        return docs
    }

    static func describe(_ e: YamlError) -> InstanceDecodeError {
        func pos(_ m: Mark) -> SourcePosition { SourcePosition(line: m.line, column: m.column) }
        switch e {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let ctx = context.map { "\($0.text) at \($0.mark.line):\($0.mark.column): " } ?? ""
            return InstanceDecodeError(ctx + problem, at: pos(mark))
        case let .duplicatedKeysInMapping(duplicates, context):
            return InstanceDecodeError("duplicate key \(duplicates.map { "\"\($0)\"" }.joined(separator: ", ")) in a mapping", at: pos(context.mark))
        case let .reader(problem, offset, _, _):
            return InstanceDecodeError("\(problem)" + (offset.map { " at byte \($0)" } ?? ""))
        default:
            return InstanceDecodeError("\(e)")
        }
    }

    /// The mark of the node at `pointer`, or of its nearest resolvable ancestor.
    static func locate(_ pointer: String, in root: Node) -> SourcePosition? {
        var node = root
        var tokens = pointer.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map {
            String($0).replacingOccurrences("~1", "/").replacingOccurrences("~0", "~")
        }
        while !tokens.isEmpty {
            let t = tokens.removeFirst()
            guard let next = child(of: node, t) else { break }
            node = next
        }
        return node.mark.map { SourcePosition(line: $0.line, column: $0.column) }
    }

    static func child(of node: Node, _ token: String) -> Node? {
        switch node {
        case .sequence(let s):
            guard let i = Int(token), i >= 0, i < s.count else { return nil }
            return s[i]
        case .mapping(let m):
            for (k, v) in m where !isMergeKey(k) && k.scalar?.string == token { return v }
            for (k, v) in m where isMergeKey(k) {
                for source in mergeSources(v) { if let hit = child(of: source, token) { return hit } }
            }
            return nil
        default:
            return nil
        }
    }

    static func isMergeKey(_ k: Node) -> Bool {
        guard case .scalar(let s) = k, s.string == "<<" else { return false }
        // Yams resolves mapping keys' tags while checking duplicates (implicit becomes !!str), so a plain `<<` key is
        // a merge key unless tagged `!`.
        let tag = s.tag.description
        return tag == Tag.Name.merge.rawValue || (s.style == .plain && tag != "!")
    }

    static func mergeSources(_ v: Node) -> [Node] {
        switch v {
        case .mapping: return [v]
        case .sequence(let s): return s.filter { if case .mapping = $0 { return true } else { return false } }
        default: return []
        }
    }
}

extension String {
    func replacingOccurrences(_ a: String, _ b: String) -> String {
        guard contains(a) else { return self }
        return split(separator: a, omittingEmptySubsequences: false).joined(separator: b)
    }
}

extension JSONValue {
    static let yamlMaxDepth = 512

    /// The JSON value of a composed YAML node (YAML 1.2 core schema; standard tags honoured; other tags ignored).
    init(yaml node: Node, depth: Int) throws(InstanceDecodeError) {
        guard depth < JSONValue.yamlMaxDepth else { throw InstanceDecodeError("nesting deeper than \(JSONValue.yamlMaxDepth)", at: node.yamlPosition) }
        switch node {
        case .scalar(let s):
            self = try YAMLCore.scalar(s)
        case .sequence(let seq):
            var a: [JSONValue] = []
            a.reserveCapacity(seq.count)
            for n in seq { a.append(try JSONValue(yaml: n, depth: depth + 1)) }
            self = .array(a)
        case .mapping(let m):
            var o = JSONObject()
            var merged: [Node] = []
            for (k, v) in m {
                if YAMLInstances.isMergeKey(k) {
                    let sources = YAMLInstances.mergeSources(v)
                    if sources.isEmpty { throw InstanceDecodeError("a merge key (<<) needs a mapping or a list of mappings", at: v.yamlPosition) }
                    merged += sources
                    continue
                }
                guard case .scalar(let ks) = k else { throw InstanceDecodeError("a mapping key must be a scalar to be a JSON member name", at: k.yamlPosition) }
                o.append(key: ks.string, value: try JSONValue(yaml: v, depth: depth + 1))
            }
            // Explicit keys win over merged ones; earlier merge sources win over later ones.
            for source in merged {
                guard case .object(let so) = try JSONValue(yaml: source, depth: depth + 1) else { continue }
                for (key, value) in so where o[key] == nil { o.append(key: key, value: value) }
            }
            self = .object(o)
        case .alias:
            throw InstanceDecodeError("unresolved alias", at: node.yamlPosition)
        }
    }
}

extension Node {
    var yamlPosition: SourcePosition? { mark.map { SourcePosition(line: $0.line, column: $0.column) } }
}

/// Tag resolution of the YAML 1.2 core schema (YAML 1.2.2 §10.3.2) and of the standard explicit tags.
enum YAMLCore {
    static func scalar(_ s: Node.Scalar) throws(InstanceDecodeError) -> JSONValue {
        let text = s.string
        let pos = s.mark.map { SourcePosition(line: $0.line, column: $0.column) }
        switch s.tag.description {
        case "":
            return s.style == .plain ? try plain(text, pos) : .string(text)
        case "!", Tag.Name.str.rawValue, Tag.Name.binary.rawValue, Tag.Name.timestamp.rawValue:
            return .string(text)
        case Tag.Name.null.rawValue:
            guard isNull(text) else { throw InstanceDecodeError("!!null scalar \"\(text)\" is not null", at: pos) }
            return .null
        case Tag.Name.bool.rawValue:
            guard let b = bool(text) else { throw InstanceDecodeError("!!bool scalar \"\(text)\" is not true or false", at: pos) }
            return .bool(b)
        case Tag.Name.int.rawValue:
            guard let n = int(text) else { throw InstanceDecodeError("!!int scalar \"\(text)\" is not an integer", at: pos) }
            return .number(n)
        case Tag.Name.float.rawValue:
            if let n = int(text) { return .number(n) }
            guard let f = try float(text, pos) else { throw InstanceDecodeError("!!float scalar \"\(text)\" is not a number", at: pos) }
            return .number(f)
        default:
            // Application tags (`!reference`, `!Ref`, …) carry no JSON meaning: the value is read as if untagged.
            return s.style == .plain ? try plain(text, pos) : .string(text)
        }
    }

    /// A plain untagged scalar: null, bool, int, float, else string.
    static func plain(_ text: String, _ pos: SourcePosition?) throws(InstanceDecodeError) -> JSONValue {
        if isNull(text) { return .null }
        if let b = bool(text) { return .bool(b) }
        if let n = int(text) { return .number(n) }
        if let f = try float(text, pos) { return .number(f) }
        return .string(text)
    }

    static func isNull(_ t: String) -> Bool { t.isEmpty || t == "~" || t == "null" || t == "Null" || t == "NULL" }

    static func bool(_ t: String) -> Bool? {
        switch t {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    /// `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+`.
    static func int(_ t: String) -> JSONNumber? {
        let u = Array(t.utf8)
        guard !u.isEmpty else { return nil }
        if u.count > 2, u[0] == 0x30, u[1] == 0x6F || u[1] == 0x78 {
            let radix = u[1] == 0x6F ? 8 : 16
            var dec: [UInt8] = [0]
            for c in u[2...] {
                guard let d = digit(c), d < radix else { return nil }
                var carry = d
                for k in dec.indices {
                    let v = Int(dec[k]) * radix + carry
                    dec[k] = UInt8(v % 10)
                    carry = v / 10
                }
                while carry > 0 { dec.append(UInt8(carry % 10)); carry /= 10 }
            }
            return JSONNumber(String(decoding: dec.reversed().map { $0 + 0x30 }, as: UTF8.self))
        }
        var i = 0
        var negative = false
        if u[0] == 0x2B || u[0] == 0x2D { negative = u[0] == 0x2D; i = 1 }
        guard i < u.count else { return nil }
        for c in u[i...] where c < 0x30 || c > 0x39 { return nil }
        var digits = u[i...].drop { $0 == 0x30 }
        if digits.isEmpty { digits = [0x30][...] }
        return JSONNumber((negative && digits != [0x30] ? "-" : "") + String(decoding: digits, as: UTF8.self))
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`; `.inf`/`.nan` have no JSON value and are reported.
    static func float(_ t: String, _ pos: SourcePosition?) throws(InstanceDecodeError) -> JSONNumber? {
        let u = Array(t.utf8)
        var i = 0
        var out: [UInt8] = []
        if i < u.count, u[i] == 0x2B || u[i] == 0x2D { if u[i] == 0x2D { out.append(0x2D) }; i += 1 }
        let rest = String(decoding: u[i...], as: UTF8.self)
        if [".inf", ".Inf", ".INF"].contains(rest) || (i == 0 && [".nan", ".NaN", ".NAN"].contains(rest)) {
            throw InstanceDecodeError("\(t) has no JSON value (JSON Schema cannot validate it)", at: pos)
        }
        var intDigits: [UInt8] = []
        while i < u.count, u[i] >= 0x30, u[i] <= 0x39 { intDigits.append(u[i]); i += 1 }
        var frac: [UInt8] = []
        var sawPoint = false
        if i < u.count, u[i] == 0x2E {
            sawPoint = true
            i += 1
            while i < u.count, u[i] >= 0x30, u[i] <= 0x39 { frac.append(u[i]); i += 1 }
        }
        guard !intDigits.isEmpty || !frac.isEmpty else { return nil }
        if !sawPoint && intDigits.isEmpty { return nil }
        let trimmed = intDigits.drop { $0 == 0x30 }
        out += trimmed.isEmpty ? [0x30] : Array(trimmed)
        if !frac.isEmpty { out.append(0x2E); out += frac }
        if i < u.count, u[i] == 0x65 || u[i] == 0x45 {
            out.append(0x65)
            i += 1
            if i < u.count, u[i] == 0x2B || u[i] == 0x2D { out.append(u[i]); i += 1 }
            var e = 0
            while i < u.count, u[i] >= 0x30, u[i] <= 0x39 { out.append(u[i]); i += 1; e += 1 }
            if e == 0 { return nil }
        }
        guard i == u.count else { return nil }
        return JSONNumber(String(decoding: out, as: UTF8.self))
    }

    static func digit(_ c: UInt8) -> Int? {
        switch c {
        case 0x30...0x39: return Int(c - 0x30)
        case 0x61...0x66: return Int(c - 0x61 + 10)
        case 0x41...0x46: return Int(c - 0x41 + 10)
        default: return nil
        }
    }
}
