// Recursive-descent parser of Hive type strings (grammar and limits in HiveType.swift).

struct HiveTypeParser {
    private let text: String
    private let chars: [Character]
    private var pos = 0

    init(_ text: String) {
        self.text = text
        self.chars = Array(text)
    }

    mutating func parseWhole() throws(HiveTypeError) -> HiveType {
        skipSpace()
        guard pos < chars.count else { throw error(at: pos, "empty type") }
        let t = try parseType(depth: 1)
        skipSpace()
        if pos < chars.count { throw error(at: pos, "unexpected \(describe(chars[pos])) after the type") }
        return t
    }

    // MARK: - Grammar

    private mutating func parseType(depth: Int) throws(HiveTypeError) -> HiveType {
        skipSpace()
        let start = pos
        guard depth <= HiveType.maxDepth else { throw error(at: start, "nesting deeper than \(HiveType.maxDepth)") }
        guard let word = readWord() else {
            if pos < chars.count { throw error(at: pos, "expected a type name, found \(describe(chars[pos]))") }
            throw error(at: pos, "unexpected end of input, expected a type name")
        }
        switch word.lowercased() {
        case "string": return .string
        case "tinyint": return .tinyint
        case "smallint": return .smallint
        case "int", "integer": return .int
        case "bigint": return .bigint
        case "float": return .float
        case "double": return .double
        case "boolean": return .boolean
        case "date": return .date
        case "timestamp": return .timestamp
        case "binary": return .binary
        case "char":
            let (n, at) = try parseLength(after: "char")
            guard (1...255).contains(n) else { throw error(at: at, "char length must be 1..255, not \(n)") }
            return .char(n)
        case "varchar":
            let (n, at) = try parseLength(after: "varchar")
            guard (1...65535).contains(n) else { throw error(at: at, "varchar length must be 1..65535, not \(n)") }
            return .varchar(n)
        case "decimal":
            return try parseDecimal()
        case "array":
            try expect("<", after: "'array'")
            let element = try parseType(depth: depth + 1)
            try expect(">", after: "the array element type")
            return .array(element)
        case "map":
            try expect("<", after: "'map'")
            skipSpace()
            let keyStart = pos
            let key = try parseType(depth: depth + 1)
            guard key.isPrimitive else {
                throw error(at: keyStart, "map key must be a primitive type, not \(key)")
            }
            try expect(",", after: "the map key type")
            let value = try parseType(depth: depth + 1)
            try expect(">", after: "the map value type")
            return .map(key: key, value: value)
        case "struct":
            return try parseStruct(depth: depth)
        default:
            throw error(at: start, "unknown type '\(word)'")
        }
    }

    private mutating func parseStruct(depth: Int) throws(HiveTypeError) -> HiveType {
        try expect("<", after: "'struct'")
        skipSpace()
        if peek() == ">" { throw error(at: pos, "struct needs at least one field") }
        var fields: [HiveField] = []
        var seen = Set<String>()
        while true {
            skipSpace()
            let nameStart = pos
            let name = try parseFieldName()
            guard seen.insert(name.lowercased()).inserted else {
                throw error(at: nameStart, "duplicate struct field '\(name)'")
            }
            try expect(":", after: "struct field name '\(name)'")
            let type = try parseType(depth: depth + 1)
            fields.append(HiveField(name: name, type: type))
            skipSpace()
            guard let c = peek() else { throw error(at: pos, "unexpected end of input, expected ',' or '>' in struct") }
            if c == "," { pos += 1; continue }
            if c == ">" { pos += 1; break }
            throw error(at: pos, "expected ',' or '>' in struct, found \(describe(c))")
        }
        return .struct(fields)
    }

    private mutating func parseFieldName() throws(HiveTypeError) -> String {
        guard let c = peek() else { throw error(at: pos, "unexpected end of input, expected a struct field name") }
        if c == "`" {
            let start = pos
            pos += 1
            var name = ""
            while true {
                guard pos < chars.count else { throw error(at: start, "unterminated backtick-quoted field name") }
                let ch = chars[pos]
                pos += 1
                if ch == "`" {
                    if peek() == "`" { name.append("`"); pos += 1; continue }
                    break
                }
                name.append(ch)
            }
            guard !name.isEmpty else { throw error(at: start, "empty struct field name") }
            return name
        }
        guard let word = readWord() else { throw error(at: pos, "expected a struct field name, found \(describe(c))") }
        return word
    }

    /// `(N)` after char / varchar; returns N and its position.
    private mutating func parseLength(after keyword: String) throws(HiveTypeError) -> (Int, Int) {
        try expect("(", after: "'\(keyword)'")
        skipSpace()
        let at = pos
        let n = try readNumber()
        try expect(")", after: "the \(keyword) length")
        return (n, at)
    }

    /// `decimal`, `decimal(P)` or `decimal(P,S)`.
    private mutating func parseDecimal() throws(HiveTypeError) -> HiveType {
        let save = pos
        skipSpace()
        guard peek() == "(" else {
            pos = save
            return .decimal(precision: 10, scale: 0)
        }
        pos += 1
        skipSpace()
        let pAt = pos
        let p = try readNumber()
        guard (1...HiveType.maxDecimalPrecision).contains(p) else {
            throw error(at: pAt, "decimal precision must be 1..\(HiveType.maxDecimalPrecision), not \(p)")
        }
        skipSpace()
        var s = 0
        if peek() == "," {
            pos += 1
            skipSpace()
            let sAt = pos
            s = try readNumber()
            guard s <= p else { throw error(at: sAt, "decimal scale \(s) is larger than precision \(p)") }
        }
        try expect(")", after: "the decimal precision and scale")
        return .decimal(precision: p, scale: s)
    }

    // MARK: - Lexing

    private func peek() -> Character? { pos < chars.count ? chars[pos] : nil }

    private mutating func skipSpace() {
        while pos < chars.count, chars[pos].isWhitespace { pos += 1 }
    }

    private static func isWordChar(_ c: Character) -> Bool {
        guard let a = c.asciiValue else { return false }
        return HiveField.isIdentifierByte(a)
    }

    private mutating func readWord() -> String? {
        let start = pos
        while pos < chars.count, Self.isWordChar(chars[pos]) { pos += 1 }
        return pos > start ? String(chars[start..<pos]) : nil
    }

    private mutating func readNumber() throws(HiveTypeError) -> Int {
        let start = pos
        var n = 0
        while pos < chars.count, let d = chars[pos].asciiValue, d >= 0x30, d <= 0x39 {
            if n < 1_000_000_000 { n = n * 10 + Int(d - 0x30) }
            pos += 1
        }
        guard pos > start else {
            if let c = peek() { throw error(at: pos, "expected a number, found \(describe(c))") }
            throw error(at: pos, "unexpected end of input, expected a number")
        }
        return n
    }

    private mutating func expect(_ c: Character, after what: String) throws(HiveTypeError) {
        skipSpace()
        guard let got = peek() else {
            throw error(at: pos, "unexpected end of input, expected '\(c)' after \(what)")
        }
        guard got == c else { throw error(at: pos, "expected '\(c)' after \(what), found \(describe(got))") }
        pos += 1
    }

    private func describe(_ c: Character) -> String { "'\(c)'" }

    private func error(at position: Int, _ message: String) -> HiveTypeError {
        HiveTypeError(input: text, position: position, message: message)
    }
}
