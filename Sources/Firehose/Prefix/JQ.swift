// The jq subset of `--partition-key KEY=QUERY` (Firehose dynamic partitioning's inline parsing):
//
//     query  := filter ('|' filter)*
//     filter := path | tostring | tonumber | ascii_downcase | ascii_upcase | todate | length
//             | split("sep") | join("sep") | strftime("fmt") | ltrimstr("s") | rtrimstr("s")
//     path   := '.' | ('.' name | '."quoted"' | '[' "str" ']' | '[' n ']' | '[' n? ':' n? ']')+
//
// `todate` formats epoch seconds as `2024-03-01T00:00:00Z`; `strftime` takes epoch seconds and supports
// %Y %m %d %H %M %S %j %%. A query whose result is null (or an object / array) fails the record.

import JSON

/// A `--partition-key` query that does not parse, or that fails on a record.
public struct JQError: Error, CustomStringConvertible, Sendable {
    /// What is wrong, with the query text.
    public var message: String
    /// The message.
    public var description: String { message }
}

/// A query of the jq subset Firehose's inline parsing supports, compiled once and evaluated per record.
public struct JQQuery: Sendable {
    indirect enum Step: Sendable {
        case key(String)
        case index(Int)
        case slice(Int?, Int?)
        case function(String, String?)
    }
    let steps: [Step]
    /// The query as given.
    public let text: String

    /// Compiles `text`.
    ///
    /// - Throws: ``JQError`` for syntax outside the supported subset.
    public init(_ text: String) throws(JQError) {
        self.text = text
        var steps: [Step] = []
        let cs = Array(text.unicodeScalars)
        var i = 0
        func ws() { while i < cs.count && (cs[i] == " " || cs[i] == "\t") { i += 1 } }
        func fail(_ m: String) -> JQError { JQError(message: "query '\(text)': \(m)") }
        func stringLit() throws(JQError) -> String {
            guard i < cs.count, cs[i] == "\"" else { throw fail("expected a string at \(i)") }
            i += 1
            var s = ""
            while i < cs.count && cs[i] != "\"" {
                if cs[i] == "\\" && i + 1 < cs.count { i += 1 }
                s.unicodeScalars.append(cs[i])
                i += 1
            }
            guard i < cs.count else { throw fail("unterminated string") }
            i += 1
            return s
        }
        func int() -> Int? {
            var neg = false
            if i < cs.count && cs[i] == "-" { neg = true; i += 1 }
            var v = 0, k = 0
            while i < cs.count, let d = Int(String(cs[i])), cs[i].isASCII { v = v * 10 + d; i += 1; k += 1 }
            return k == 0 ? nil : (neg ? -v : v)
        }
        ws()
        while i < cs.count {
            ws()
            if cs[i] == "." {
                i += 1
                if i < cs.count && cs[i] == "\"" {
                    steps.append(.key(try stringLit()))
                } else {
                    var name = ""
                    while i < cs.count && (cs[i].properties.isAlphabetic || cs[i] == "_" || ("0"..."9").contains(cs[i])) {
                        name.unicodeScalars.append(cs[i]); i += 1
                    }
                    if !name.isEmpty { steps.append(.key(name)) }
                }
                while i < cs.count && cs[i] == "[" {
                    i += 1
                    ws()
                    if i < cs.count && cs[i] == "\"" {
                        steps.append(.key(try stringLit()))
                    } else {
                        let a = int()
                        ws()
                        if i < cs.count && cs[i] == ":" {
                            i += 1
                            ws()
                            let b = int()
                            steps.append(.slice(a, b))
                        } else {
                            guard let a else { throw fail("expected an index") }
                            steps.append(.index(a))
                        }
                    }
                    ws()
                    guard i < cs.count, cs[i] == "]" else { throw fail("expected ']'") }
                    i += 1
                    if i < cs.count && cs[i] == "." && i + 1 < cs.count && cs[i + 1] != "|" { break }
                }
            } else if cs[i] == "|" {
                i += 1
            } else if cs[i].properties.isAlphabetic {
                var name = ""
                while i < cs.count && (cs[i].properties.isAlphabetic || cs[i] == "_") { name.unicodeScalars.append(cs[i]); i += 1 }
                ws()
                var arg: String? = nil
                if i < cs.count && cs[i] == "(" {
                    i += 1
                    ws()
                    arg = try stringLit()
                    ws()
                    guard i < cs.count, cs[i] == ")" else { throw fail("expected ')'") }
                    i += 1
                }
                let known = ["tostring", "tonumber", "ascii_downcase", "ascii_upcase", "todate", "length", "split",
                             "join", "strftime", "ltrimstr", "rtrimstr"]
                guard known.contains(name) else { throw fail("unsupported function '\(name)'") }
                let needsArg = ["split", "join", "strftime", "ltrimstr", "rtrimstr"].contains(name)
                guard needsArg == (arg != nil) else { throw fail("\(name) \(needsArg ? "needs" : "takes no") argument") }
                steps.append(.function(name, arg))
            } else {
                throw fail("unexpected '\(cs[i])' at \(i)")
            }
            ws()
        }
        self.steps = steps
    }

    /// The query's result as partition value text (strings as they are, numbers and booleans as JSON text).
    public func evaluate(_ input: JSONValue) throws(JQError) -> String {
        var v = input
        for s in steps {
            switch s {
            case .key(let k):
                switch v {
                case .object(let o): v = o[k] ?? .null
                case .null: v = .null
                default: throw JQError(message: "cannot index \(kind(v)) with \"\(k)\"")
                }
            case .index(let n):
                switch v {
                case .array(let a):
                    let j = n < 0 ? a.count + n : n
                    v = j >= 0 && j < a.count ? a[j] : .null
                case .null: v = .null
                default: throw JQError(message: "cannot index \(kind(v)) with a number")
                }
            case .slice(let a, let b):
                switch v {
                case .string(let str):
                    let cs = Array(str)
                    let (lo, hi) = bounds(a, b, cs.count)
                    v = .string(String(cs[lo..<hi]))
                case .array(let arr):
                    let (lo, hi) = bounds(a, b, arr.count)
                    v = .array(Array(arr[lo..<hi]))
                case .null: v = .null
                default: throw JQError(message: "cannot slice \(kind(v))")
                }
            case .function(let f, let arg):
                v = try apply(f, arg, v)
            }
        }
        switch v {
        case .string(let s): return s
        case .number(let n): return n.text
        case .bool(let b): return b ? "true" : "false"
        case .null: throw JQError(message: "query '\(text)' gave null")
        default: throw JQError(message: "query '\(text)' gave \(kind(v)), not a scalar")
        }
    }

    private func bounds(_ a: Int?, _ b: Int?, _ n: Int) -> (Int, Int) {
        func norm(_ x: Int) -> Int { max(0, min(n, x < 0 ? n + x : x)) }
        let lo = norm(a ?? 0), hi = norm(b ?? n)
        return (lo, max(lo, hi))
    }

    private func kind(_ v: JSONValue) -> String {
        switch v {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    private func apply(_ f: String, _ arg: String?, _ v: JSONValue) throws(JQError) -> JSONValue {
        switch f {
        case "tostring":
            switch v {
            case .string: return v
            case .null: return .string("null")
            default: return .string(JSONSerializer.string(v))
            }
        case "tonumber":
            switch v {
            case .number: return v
            case .string(let s):
                guard let n = JSONNumber(s) else { throw JQError(message: "cannot parse '\(s)' as a number") }
                return .number(n)
            default: throw JQError(message: "\(kind(v)) cannot be parsed as a number")
            }
        case "ascii_downcase", "ascii_upcase":
            guard case .string(let s) = v else { throw JQError(message: "\(f) input must be a string") }
            let up = f == "ascii_upcase"
            return .string(String(decoding: s.utf8.map { c in
                if up { return c &- 0x61 < 26 ? c - 0x20 : c }
                return c &- 0x41 < 26 ? c + 0x20 : c
            }, as: UTF8.self))
        case "length":
            switch v {
            case .string(let s): return .number(JSONNumber(s.count))
            case .array(let a): return .number(JSONNumber(a.count))
            case .object(let o): return .number(JSONNumber(o.count))
            case .null: return .number(JSONNumber(0))
            default: return v
            }
        case "split":
            guard case .string(let s) = v else { throw JQError(message: "split input must be a string") }
            let parts = arg!.isEmpty ? s.map { String($0) } : s.components(separatedByString: arg!)
            return .array(parts.map { .string($0) })
        case "join":
            guard case .array(let a) = v else { throw JQError(message: "join input must be an array") }
            var out: [String] = []
            for e in a {
                switch e {
                case .string(let s): out.append(s)
                case .null: out.append("")
                case .number(let n): out.append(n.text)
                case .bool(let b): out.append(b ? "true" : "false")
                default: throw JQError(message: "cannot join \(kind(e))")
                }
            }
            return .string(out.joined(separator: arg!))
        case "ltrimstr", "rtrimstr":
            guard case .string(let s) = v else { return v }
            if f == "ltrimstr", s.hasPrefix(arg!) { return .string(String(s.dropFirst(arg!.count))) }
            if f == "rtrimstr", s.hasSuffix(arg!) { return .string(String(s.dropLast(arg!.count))) }
            return v
        case "todate", "strftime":
            guard case .number(let n) = v else { throw JQError(message: "\(f) requires a number (epoch seconds)") }
            let secs = n.double
            guard secs.isFinite, abs(secs) < 253_402_300_800 else { throw JQError(message: "\(f): out of range") }
            let ms = Int64((secs * 1000).rounded(.down))
            if f == "todate" {
                return .string(PrefixTemplate.format(try! PrefixTemplate.parseTimePattern("yyyy-MM-dd'T'HH:mm:ss'Z'"), millis: ms))
            }
            return .string(strftime(arg!, ms))
        default:
            throw JQError(message: "unsupported function \(f)")
        }
    }

    private func strftime(_ fmt: String, _ ms: Int64) -> String {
        var out = ""
        var it = Array(fmt)
        var i = 0
        let days = Int((ms >= 0 ? ms : ms - 86_399_999) / 86_400_000)
        let (y, m, d) = Coercion.civil(fromDays: days)
        let msOfDay = Int(ms - Int64(days) * 86_400_000)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        while i < it.count {
            if it[i] == "%" && i + 1 < it.count {
                i += 1
                switch it[i] {
                case "Y": out += String(y)
                case "m": out += two(m)
                case "d": out += two(d)
                case "H": out += two(msOfDay / 3_600_000)
                case "M": out += two(msOfDay / 60_000 % 60)
                case "S": out += two(msOfDay / 1000 % 60)
                case "j":
                    let doy = days - Coercion.daysFromCivil(y, 1, 1) + 1
                    out += doy < 10 ? "00\(doy)" : doy < 100 ? "0\(doy)" : "\(doy)"
                case "%": out += "%"
                default: out += "%" + String(it[i])
                }
            } else {
                out.append(it[i])
            }
            i += 1
        }
        it = []
        return out
    }
}

extension String {
    func components(separatedByString sep: String) -> [String] {
        var out: [String] = []
        var rest = Substring(self)
        while let r = rest.firstRange(of: sep) {
            out.append(String(rest[..<r.lowerBound]))
            rest = rest[r.upperBound...]
        }
        out.append(String(rest))
        return out
    }
}
