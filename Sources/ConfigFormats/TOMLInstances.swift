// TOML 1.0 instances: TOMLKit (toml++) parses; Floe maps tables to JSON values, dates and times to RFC 3339
// strings exactly as check-jsonschema does (Python `isoformat()`, `Z` appended to local date-times and times).
//
// Why positions are Floe's: TOMLKit reports a source region for parse errors only; the C shim it wraps toml++ with
// (`CTOML.h`) exposes no node's source region, so a value's line and column cannot be had from it. Floe therefore
// re-scans the text of a failing document (`TOMLLocator`, errors only) to map JSON pointers to positions.

import JSON
import JSONSchema
import TOMLKit

enum TOMLInstances {
    static func decode(_ bytes: UnsafeRawBufferPointer) throws(InstanceDecodeError) -> [InstanceDocument] {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw InstanceDecodeError("not UTF-8 text") }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let e as TOMLParseError {
            throw InstanceDecodeError(e.description, at: SourcePosition(line: e.source.begin.line, column: e.source.begin.column))
        } catch {
            throw InstanceDecodeError("\(error)")
        }
        let value = try json(table, depth: 0)
        let copy = Array(bytes)
        return [InstanceDocument(value: value, locate: { ptr in
            InstanceDecoding.nearest(ptr, in: TOMLLocator.positions(copy))
        })]
    }

    static func json(_ v: any TOMLValueConvertible, depth: Int) throws(InstanceDecodeError) -> JSONValue {
        guard depth < 512 else { throw InstanceDecodeError("nesting deeper than 512") }
        switch v.type {
        case .table:
            var o = JSONObject()
            for (k, x) in v.table! { o.append(key: k, value: try json(x, depth: depth + 1)) }
            return .object(o)
        case .array:
            var a: [JSONValue] = []
            for x in v.array! { a.append(try json(x, depth: depth + 1)) }
            return .array(a)
        case .string: return .string(v.string!)
        case .int: return .number(JSONNumber(v.int!))
        case .double:
            let d = v.double!
            guard let n = JSONNumber(d) else { throw InstanceDecodeError("\(d) has no JSON value (JSON Schema cannot validate it)") }
            return .number(n)
        case .bool: return .bool(v.bool!)
        case .date: return .string(isoDate(v.date!))
        case .time: return .string(isoTime(v.time!) + "Z")
        case .dateTime:
            let dt = v.dateTime!
            let base = isoDate(dt.date) + "T" + isoTime(dt.time)
            guard let off = dt.offset else { return .string(base + "Z") }
            let m = abs(off.offset)
            return .string(base + (off.offset < 0 ? "-" : "+") + pad(m / 60, 2) + ":" + pad(m % 60, 2))
        }
    }

    static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    static func isoDate(_ d: TOMLDate) -> String { pad(d.year, 4) + "-" + pad(d.month, 2) + "-" + pad(d.day, 2) }

    /// Python's `time.isoformat()`: microseconds (6 digits) only when non-zero.
    static func isoTime(_ t: TOMLTime) -> String {
        var s = pad(t.hour, 2) + ":" + pad(t.minute, 2) + ":" + pad(t.second, 2)
        let micro = t.nanoSecond / 1000
        if micro != 0 { s += "." + pad(micro, 6) }
        return s
    }
}

/// Maps every key of a TOML document to the position of its value (and every table header to its `[`), by
/// JSON pointer. A structural scan of TOML 1.0: comments, bare/quoted/dotted keys, `[table]` and `[[array]]`
/// headers (with the array index in the pointer), inline tables, arrays, and all four string forms.
struct TOMLLocator {
    private let u: [UInt8]
    private var i = 0
    private var line = 1
    private var lineStart = 0
    private var map: [String: SourcePosition] = [:]
    /// Number of `[[x]]` tables seen so far per pointer.
    private var arrayCounts: [String: Int] = [:]

    static func positions(_ bytes: [UInt8]) -> [String: SourcePosition] {
        var l = TOMLLocator(u: bytes)
        l.map[""] = SourcePosition(line: 1, column: 1)
        l.document()
        return l.map
    }

    private init(u: [UInt8]) { self.u = u }

    private mutating func document() {
        var table = ""
        while i < u.count {
            skipBlank(newlines: true)
            guard i < u.count else { break }
            if u[i] == 0x5B {
                let pos = here()
                let isArray = i + 1 < u.count && u[i + 1] == 0x5B
                i += isArray ? 2 : 1
                skipBlank(newlines: false)
                let keys = keyPath()
                var ptr = ""
                for (n, k) in keys.enumerated() {
                    ptr += "/" + escape(k)
                    if n < keys.count - 1, let c = arrayCounts[ptr] { ptr += "/\(c - 1)" }
                }
                if isArray {
                    let c = arrayCounts[ptr, default: 0]
                    arrayCounts[ptr] = c + 1
                    if map[ptr] == nil { map[ptr] = pos }
                    ptr += "/\(c)"
                }
                map[ptr] = pos
                table = ptr
                skipToLineEnd()
                continue
            }
            let keys = keyPath()
            guard !keys.isEmpty else { skipToLineEnd(); continue }
            skipBlank(newlines: false)
            guard i < u.count, u[i] == 0x3D else { skipToLineEnd(); continue }
            i += 1
            skipBlank(newlines: false)
            var ptr = table
            for k in keys { ptr += "/" + escape(k) }
            value(ptr)
            skipToLineEnd()
        }
    }

    private mutating func value(_ ptr: String) {
        guard i < u.count else { return }
        map[ptr] = here()
        switch u[i] {
        case 0x5B:  // array
            i += 1
            var n = 0
            while i < u.count {
                skipBlank(newlines: true)
                guard i < u.count else { return }
                if u[i] == 0x5D { i += 1; return }
                if u[i] == 0x2C { i += 1; continue }
                value(ptr + "/\(n)")
                n += 1
            }
        case 0x7B:  // inline table
            i += 1
            while i < u.count {
                skipBlank(newlines: true)
                guard i < u.count else { return }
                if u[i] == 0x7D { i += 1; return }
                if u[i] == 0x2C { i += 1; continue }
                let keys = keyPath()
                if keys.isEmpty { i += 1; continue }
                skipBlank(newlines: false)
                if i < u.count, u[i] == 0x3D { i += 1 }
                skipBlank(newlines: false)
                var p = ptr
                for k in keys { p += "/" + escape(k) }
                value(p)
            }
        case 0x22, 0x27:
            _ = string()
        default:
            while i < u.count, ![0x2C, 0x5D, 0x7D, 0x0A, 0x0D, 0x23].contains(u[i]) { i += 1 }
        }
    }

    /// `a."b.c".'d'` → ["a", "b.c", "d"]; stops before `=` or `]`.
    private mutating func keyPath() -> [String] {
        var keys: [String] = []
        while i < u.count {
            skipBlank(newlines: false)
            guard i < u.count else { break }
            let c = u[i]
            if c == 0x22 || c == 0x27 {
                keys.append(string())
            } else {
                let s = i
                while i < u.count, isBare(u[i]) { i += 1 }
                if s == i { break }
                keys.append(String(decoding: u[s..<i], as: UTF8.self))
            }
            skipBlank(newlines: false)
            if i < u.count, u[i] == 0x2E { i += 1 } else { break }
        }
        return keys
    }

    private func isBare(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x5F || c == 0x2D
    }

    /// One string of any of the four forms; returns its (unescaped for basic strings) text.
    private mutating func string() -> String {
        let q = u[i]
        let multi = i + 2 < u.count && u[i + 1] == q && u[i + 2] == q
        i += multi ? 3 : 1
        var out: [UInt8] = []
        while i < u.count {
            let c = u[i]
            if c == q {
                if !multi { i += 1; break }
                if i + 2 < u.count, u[i + 1] == q, u[i + 2] == q {
                    i += 3
                    while i < u.count, u[i] == q { out.append(q); i += 1 }  // up to two quotes may end the content
                    break
                }
            }
            if c == 0x0A { i += 1; newLine(); out.append(c); continue }
            if c == 0x5C, q == 0x22, i + 1 < u.count {
                let e = u[i + 1]
                i += 2
                switch e {
                case 0x6E: out.append(0x0A)
                case 0x74: out.append(0x09)
                case 0x22, 0x5C: out.append(e)
                default: out.append(e)
                }
                continue
            }
            out.append(c)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func skipBlank(newlines: Bool) {
        while i < u.count {
            switch u[i] {
            case 0x20, 0x09, 0x0D: i += 1
            case 0x0A:
                guard newlines else { return }
                i += 1
                newLine()
            case 0x23:
                while i < u.count, u[i] != 0x0A { i += 1 }
            default: return
            }
        }
    }

    private mutating func skipToLineEnd() {
        while i < u.count, u[i] != 0x0A {
            if u[i] == 0x22 || u[i] == 0x27 { _ = string(); continue }
            i += 1
        }
    }

    private mutating func newLine() {
        line += 1
        lineStart = i
    }

    private func here() -> SourcePosition {
        var col = 1
        for k in lineStart..<i where u[k] & 0xC0 != 0x80 { col += 1 }
        return SourcePosition(line: line, column: col)
    }

    private func escape(_ k: String) -> String { k.replacingOccurrences("~", "~0").replacingOccurrences("/", "~1") }
}

/// The `InstanceDecoder` of `floe validate` for YAML and TOML.
public struct ConfigFormatsDecoder: InstanceDecoder {
    /// Creates the decoder; it holds no state and can be shared between threads.
    public init() {}
    /// The documents in `bytes`: every document of a YAML stream (`---` separated), the one table of a TOML file,
    /// or JSON / JSON5 through JSONSchema's own decoding; each value keeps its line and column for diagnostics.
    ///
    /// - Throws: `InstanceDecodeError` (JSONSchema) with the line and column of the first syntax error.
    public func decode(_ bytes: UnsafeRawBufferPointer, format: InstanceFormat) throws(InstanceDecodeError) -> [InstanceDocument] {
        switch format {
        case .yaml: return try YAMLInstances.decode(bytes)
        case .toml: return try TOMLInstances.decode(bytes)
        default: return try InstanceDecoding.decode(bytes, format: format, decoder: nil)
        }
    }
}
