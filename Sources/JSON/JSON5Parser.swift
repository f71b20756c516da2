// JSON5 (https://spec.json5.org, 1.0.0) and JSONC (JSON with comments and trailing commas) into `JSONValue`, and
// the source position of any value by JSON pointer (for JSON too: JSON5 is a superset of JSON).
//
// No JSON5 package is on the project's package list, so this is Floe's own, written from the JSON5 spec:
// comments (§2 / §6.1 of ECMAScript), identifier keys (§3), single-quoted strings and escapes (§5), hexadecimal,
// leading/trailing-point and signed numbers (§6), trailing commas (§2.1, §2.2), extra white space (§8).

/// A 1-based line and column of a value in its source text. Columns count Unicode scalars (code points), as
/// editors and GitHub annotations do.
public struct SourcePosition: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// 1-based line number; lines end at `\n`, `\r\n`, `\r`, U+2028 or U+2029.
    public var line: Int
    /// 1-based column in Unicode scalars from the line start.
    public var column: Int
    /// A position at `line` and `column` (both 1-based).
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
    /// `line:column`, as compilers and editors print positions.
    public var description: String { "\(line):\(column)" }
}

/// A JSON5 document that cannot be parsed: what, and where (1-based, columns in code points).
public struct JSON5ParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line of the offending character.
    public let line: Int
    /// 1-based column of the offending character, in Unicode scalars.
    public let column: Int
    /// What is wrong, without the position (`unterminated string`).
    public let message: String
    /// `line L, column C: message`.
    public var description: String { "line \(line), column \(column): \(message)" }
}

/// A parser of JSON5 1.0 (and so JSONC and JSON) into ``JSONValue``, and the locator of values' source positions
/// for diagnostics.
///
/// Recursive descent limited to 512 nested containers (deeper documents are an error, not a crash); linear in the
/// input size. Numbers keep their literal (hexadecimal, `Infinity` and `NaN` become the nearest JSON number or are
/// refused, as documented on `parse(_: UnsafeRawBufferPointer)`).
public struct JSON5Parser {
    private let p: UnsafePointer<UInt8>?
    private let n: Int
    private var i = 0
    private var line = 1
    private var lineStart = 0
    /// Pointer tokens of the value being parsed (only while recording positions).
    private var path: [String] = []
    private var record: Bool
    private(set) var positions: [String: SourcePosition] = [:]
    static let maxDepth = 512

    private init(_ bytes: UnsafeRawBufferPointer, record: Bool) {
        p = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        n = bytes.count
        self.record = record
    }

    /// Parses one JSON5 value (optionally surrounded by white space and comments; a UTF-8 BOM is skipped).
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSON5ParseError) -> JSONValue {
        var parser = JSON5Parser(bytes, record: false)
        return try parser.document()
    }

    /// Parses one JSON5 value from `text` (see `parse(_: UnsafeRawBufferPointer)`).
    ///
    /// - Throws: ``JSON5ParseError`` with the line and column of the first error.
    public static func parse(_ text: String) throws(JSON5ParseError) -> JSONValue {
        let bytes = Array(text.utf8)
        let r: Result<JSONValue, JSON5ParseError> = bytes.withUnsafeBytes { b in
            Result { () throws(JSON5ParseError) in try parse(b) }
        }
        return try r.get()
    }

    /// Positions of every value of the document, by JSON pointer (`""` is the root). Used only when an error is
    /// reported, so valid documents never pay for it. `nil` if the text does not parse as JSON5.
    public static func positions(_ bytes: UnsafeRawBufferPointer) -> [String: SourcePosition]? {
        var parser = JSON5Parser(bytes, record: true)
        guard (try? parser.document()) != nil else { return nil }
        return parser.positions
    }

    // MARK: - Grammar

    private mutating func document() throws(JSON5ParseError) -> JSONValue {
        if n >= 3, p![0] == 0xEF, p![1] == 0xBB, p![2] == 0xBF { i = 3; lineStart = 3 }
        try skipSpace()
        guard i < n else { throw fail("empty document, expected a JSON5 value") }
        let v = try value(depth: 0)
        try skipSpace()
        if i < n { throw fail("unexpected \(describe()) after the value") }
        return v
    }

    private mutating func value(depth: Int) throws(JSON5ParseError) -> JSONValue {
        if record { positions[pointer()] = position() }
        guard depth < JSON5Parser.maxDepth else { throw fail("nesting deeper than \(JSON5Parser.maxDepth)") }
        let c = p![i]
        switch c {
        case 0x7B: return try object(depth: depth)
        case 0x5B: return try array(depth: depth)
        case 0x22, 0x27: return .string(try string(quote: c))
        case 0x74: try literal("true"); return .bool(true)
        case 0x66: try literal("false"); return .bool(false)
        case 0x6E: try literal("null"); return .null
        default:
            if c == 0x2B || c == 0x2D || c == 0x2E || (c >= 0x30 && c <= 0x39) || c == 0x49 || c == 0x4E {
                return .number(try number())
            }
            throw fail("unexpected \(describe()), expected a value")
        }
    }

    private mutating func object(depth: Int) throws(JSON5ParseError) -> JSONValue {
        i += 1
        var o = JSONObject()
        try skipSpace()
        while true {
            guard i < n else { throw fail("unterminated object") }
            if p![i] == 0x7D { i += 1; return .object(o) }
            let key: String
            if p![i] == 0x22 || p![i] == 0x27 { key = try string(quote: p![i]) } else { key = try identifier() }
            try skipSpace()
            guard i < n, p![i] == 0x3A else { throw fail("expected ':' after the key \"\(key)\"") }
            i += 1
            try skipSpace()
            guard i < n else { throw fail("unterminated object") }
            if record { path.append(key) }
            let v = try value(depth: depth + 1)
            if record { path.removeLast() }
            o.append(key: key, value: v)
            try skipSpace()
            guard i < n else { throw fail("unterminated object") }
            if p![i] == 0x2C {
                i += 1
                try skipSpace()
            } else if p![i] != 0x7D {
                throw fail("unexpected \(describe()), expected ',' or '}'")
            }
        }
    }

    private mutating func array(depth: Int) throws(JSON5ParseError) -> JSONValue {
        i += 1
        var a: [JSONValue] = []
        try skipSpace()
        while true {
            guard i < n else { throw fail("unterminated array") }
            if p![i] == 0x5D { i += 1; return .array(a) }
            if record { path.append(String(a.count)) }
            a.append(try value(depth: depth + 1))
            if record { path.removeLast() }
            try skipSpace()
            guard i < n else { throw fail("unterminated array") }
            if p![i] == 0x2C {
                i += 1
                try skipSpace()
            } else if p![i] != 0x5D {
                throw fail("unexpected \(describe()), expected ',' or ']'")
            }
        }
    }

    private mutating func literal(_ word: String) throws(JSON5ParseError) {
        for b in word.utf8 {
            guard i < n, p![i] == b else { throw fail("invalid literal, expected \(word)") }
            i += 1
        }
        if i < n, isIdentifierPart(p![i]) { throw fail("invalid literal, expected \(word)") }
    }

    /// JSON5 §6: decimal (optional sign, leading or trailing point, exponent), hexadecimal, Infinity, NaN.
    /// Infinity and NaN have no JSON value, so a document containing them is reported, not validated.
    private mutating func number() throws(JSON5ParseError) -> JSONNumber {
        let start = i
        var negative = false
        if p![i] == 0x2B || p![i] == 0x2D { negative = p![i] == 0x2D; i += 1 }
        guard i < n else { throw fail("unterminated number") }
        if p![i] == 0x49 || p![i] == 0x4E {
            let word = p![i] == 0x49 ? "Infinity" : "NaN"
            try literal(word)
            throw JSON5ParseError(line: line, column: errorColumn(of: start), message: "\(word) has no JSON value (JSON Schema cannot validate it)")
        }
        if p![i] == 0x30, i + 1 < n, p![i + 1] | 0x20 == 0x78 {
            i += 2
            var digits: [UInt8] = []
            while i < n, hexValue(p![i]) != nil { digits.append(p![i]); i += 1 }
            guard !digits.isEmpty else { throw fail("hexadecimal number without digits") }
            if i < n, isIdentifierPart(p![i]) { throw fail("invalid hexadecimal number") }
            // Arbitrary length: convert the hex digits to decimal text.
            var dec: [UInt8] = [0]  // little-endian base-10 digits
            for d in digits {
                var carry = Int(hexValue(d)!)
                for k in dec.indices {
                    let v = Int(dec[k]) * 16 + carry
                    dec[k] = UInt8(v % 10)
                    carry = v / 10
                }
                while carry > 0 { dec.append(UInt8(carry % 10)); carry /= 10 }
            }
            let text = (negative ? "-" : "") + String(decoding: dec.reversed().map { $0 + 0x30 }, as: UTF8.self)
            return JSONNumber(text)!
        }
        var intDigits = 0
        var text: [UInt8] = negative ? [0x2D] : []
        while i < n, p![i] >= 0x30, p![i] <= 0x39 { text.append(p![i]); i += 1; intDigits += 1 }
        if intDigits > 1, text[negative ? 1 : 0] == 0x30 { throw JSON5ParseError(line: line, column: errorColumn(of: start), message: "leading zero in number") }
        if intDigits == 0 { text.append(0x30) }
        var fracDigits = 0
        if i < n, p![i] == 0x2E {
            i += 1
            var frac: [UInt8] = []
            while i < n, p![i] >= 0x30, p![i] <= 0x39 { frac.append(p![i]); i += 1; fracDigits += 1 }
            if fracDigits > 0 { text.append(0x2E); text += frac }
        }
        guard intDigits + fracDigits > 0 else { throw JSON5ParseError(line: line, column: errorColumn(of: start), message: "invalid number") }
        if i < n, p![i] | 0x20 == 0x65 {
            text.append(0x65)
            i += 1
            if i < n, p![i] == 0x2B || p![i] == 0x2D { text.append(p![i]); i += 1 }
            var e = 0
            while i < n, p![i] >= 0x30, p![i] <= 0x39 { text.append(p![i]); i += 1; e += 1 }
            guard e > 0 else { throw fail("exponent without digits") }
        }
        if i < n, isIdentifierPart(p![i]) { throw fail("unexpected \(describe()) in number") }
        guard let num = JSONNumber(String(decoding: text, as: UTF8.self)) else {
            throw JSON5ParseError(line: line, column: errorColumn(of: start), message: "invalid number")
        }
        return num
    }

    /// JSON5 §5.1 strings: either quote, ECMAScript escapes, escaped line terminators continue the line.
    private mutating func string(quote: UInt8) throws(JSON5ParseError) -> String {
        i += 1
        var out: [UInt8] = []
        while true {
            guard i < n else { throw fail("unterminated string") }
            let c = p![i]
            if c == quote { i += 1; break }
            if c == 0x0A || c == 0x0D { throw fail("line break in a string (escape it with \\)") }
            if c != 0x5C { out.append(c); i += 1; continue }
            i += 1
            guard i < n else { throw fail("unterminated string") }
            let e = p![i]
            i += 1
            switch e {
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x76: out.append(0x0B)
            case 0x30:
                if i < n, p![i] >= 0x30, p![i] <= 0x39 { throw fail("octal escape in a string") }
                out.append(0)
            case 0x31...0x39: throw fail("invalid escape \\\(Character(Unicode.Scalar(e)))")
            case 0x78:
                guard i + 2 <= n, let h = hexValue(p![i]), let l = hexValue(p![i + 1]) else { throw fail("invalid \\x escape") }
                i += 2
                appendScalar(UInt32(h << 4 | l), to: &out)
            case 0x75:
                var u = try hex4()
                if u >= 0xD800, u < 0xDC00, i + 6 <= n, p![i] == 0x5C, p![i + 1] == 0x75 {
                    let save = i
                    i += 2
                    let lo = try hex4()
                    if lo >= 0xDC00, lo < 0xE000 { u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00) } else { i = save }
                }
                if u >= 0xD800, u < 0xE000 { throw fail("lone surrogate in \\u escape") }
                appendScalar(u, to: &out)
            case 0x0D:
                if i < n, p![i] == 0x0A { i += 1 }
                newLine()
            case 0x0A:
                newLine()
            case 0xE2 where i + 1 < n && p![i] == 0x80 && (p![i + 1] == 0xA8 || p![i + 1] == 0xA9):
                i += 2  // escaped U+2028 / U+2029: line continuation
            default:
                out.append(e)  // any other character escapes to itself (ECMAScript NonEscapeCharacter)
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw fail("invalid UTF-8 in a string") }
        return s
    }

    /// JSON5 §3: an ECMAScript 5.1 IdentifierName (ASCII letters, digits, `$`, `_`, `\uXXXX`, any non-ASCII letter).
    private mutating func identifier() throws(JSON5ParseError) -> String {
        var out: [UInt8] = []
        while i < n {
            let c = p![i]
            if c == 0x5C {
                guard i + 1 < n, p![i + 1] == 0x75 else { throw fail("invalid escape in a key") }
                i += 2
                appendScalar(try hex4(), to: &out)
                continue
            }
            guard isIdentifierPart(c) || c >= 0x80 else { break }
            if out.isEmpty, c >= 0x30, c <= 0x39 { throw fail("a key cannot start with a digit (quote it)") }
            if c >= 0x80, isUnicodeSpace() { break }
            out.append(c)
            i += 1
        }
        guard !out.isEmpty else { throw fail("unexpected \(describe()), expected a key") }
        guard let s = String(validating: out, as: UTF8.self) else { throw fail("invalid UTF-8 in a key") }
        return s
    }

    private mutating func hex4() throws(JSON5ParseError) -> UInt32 {
        guard i + 4 <= n else { throw fail("invalid \\u escape") }
        var v: UInt32 = 0
        for k in 0..<4 {
            guard let h = hexValue(p![i + k]) else { throw fail("invalid \\u escape") }
            v = v << 4 | UInt32(h)
        }
        i += 4
        return v
    }

    /// White space (JSON5 §8: ASCII space, tabs, VT, FF, line terminators, NBSP, BOM, Zs) and comments.
    private mutating func skipSpace() throws(JSON5ParseError) {
        while i < n {
            let c = p![i]
            switch c {
            case 0x20, 0x09, 0x0B, 0x0C: i += 1
            case 0x0A: i += 1; newLine()
            case 0x0D:
                i += 1
                if i < n, p![i] == 0x0A { i += 1 }
                newLine()
            case 0x2F:
                guard i + 1 < n else { throw fail("unexpected '/'") }
                if p![i + 1] == 0x2F {
                    while i < n, p![i] != 0x0A, p![i] != 0x0D { i += 1 }
                } else if p![i + 1] == 0x2A {
                    i += 2
                    while true {
                        guard i + 1 < n else { throw fail("unterminated /* comment") }
                        if p![i] == 0x2A, p![i + 1] == 0x2F { i += 2; break }
                        if p![i] == 0x0A { i += 1; newLine() } else { i += 1 }
                    }
                } else {
                    throw fail("unexpected '/'")
                }
            default:
                if c >= 0x80, isUnicodeSpace() {
                    let isLineSep = p![i] == 0xE2 && p![i + 1] == 0x80 && (p![i + 2] == 0xA8 || p![i + 2] == 0xA9)
                    i += c >= 0xE0 ? 3 : 2
                    if isLineSep { newLine() }
                    continue
                }
                return
            }
        }
    }

    /// U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF at `i`.
    private func isUnicodeSpace() -> Bool {
        let c = p![i]
        if c == 0xC2 { return i + 1 < n && p![i + 1] == 0xA0 }
        guard i + 2 < n else { return false }
        let b1 = p![i + 1], b2 = p![i + 2]
        switch c {
        case 0xE1: return b1 == 0x9A && b2 == 0x80
        case 0xE2:
            if b1 == 0x80 { return b2 <= 0x8A || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF }
            return b1 == 0x81 && b2 == 0x9F
        case 0xE3: return b1 == 0x80 && b2 == 0x80
        case 0xEF: return b1 == 0xBB && b2 == 0xBF
        default: return false
        }
    }

    // MARK: - Helpers

    private var colBase = 0
    private var colValue = 1

    private mutating func newLine() {
        line += 1
        lineStart = i
    }

    /// The column (in code points) of `offset` on the current line. Offsets only grow within a line, so the count
    /// continues from the last one asked for: locating every value of a long one-line document stays linear
    /// (counting from the line start each time was quadratic: 200,000 array items took minutes).
    private mutating func column(of offset: Int) -> Int {
        if colBase < lineStart || colBase > offset {
            colBase = lineStart
            colValue = 1
        }
        var col = colValue
        var k = colBase
        while k < offset {
            if p![k] & 0xC0 != 0x80 { col += 1 }
            k += 1
        }
        colBase = offset
        colValue = col
        return col
    }

    /// The column of `offset` for an error (once per document): counted from the line start.
    private func errorColumn(of offset: Int) -> Int {
        var col = 1
        var k = lineStart
        while k < offset {
            if p![k] & 0xC0 != 0x80 { col += 1 }
            k += 1
        }
        return col
    }

    private mutating func position() -> SourcePosition { SourcePosition(line: line, column: column(of: i)) }

    private func pointer() -> String {
        var s = ""
        for t in path {
            s += "/"
            for ch in t.unicodeScalars {
                if ch == "~" { s += "~0" } else if ch == "/" { s += "~1" } else { s.unicodeScalars.append(ch) }
            }
        }
        return s
    }

    private func fail(_ message: String) -> JSON5ParseError {
        JSON5ParseError(line: line, column: errorColumn(of: min(i, n)), message: message)
    }

    private func describe() -> String { i < n ? describeByte(p![i]) : "end of input" }

    private func isIdentifierPart(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x24 || c == 0x5F
    }

    private func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }

    private func appendScalar(_ u: UInt32, to out: inout [UInt8]) {
        let s = Unicode.Scalar(u) ?? "\u{FFFD}"
        out.append(contentsOf: String(Character(s)).utf8)
    }
}
