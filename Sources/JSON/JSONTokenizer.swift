// The fast core: a pull tokenizer over raw bytes. The tree parser, the document splitter and the
// converter's column builders all sit on top of it.

/// Options shared by the tokenizer and the tree parser.
public struct JSONParserOptions: Sendable, Equatable {
    /// Maximum nesting of arrays and objects. The top-level `[` is depth 1, so with the default 1024 a
    /// document with 1024 nested arrays parses and one with 1025 fails with `.depthLimitExceeded`.
    /// Nesting is tracked on an explicit stack, so any limit is safe (no recursion).
    public var maxDepth: Int
    /// When `true`, a repeated key in one object is an error (`.duplicateKey`). When `false` (default) the
    /// last value wins and `JSONObject.hasDuplicateKeys` is set. (Tree parser only; the tokenizer does not
    /// track keys.)
    public var rejectDuplicateKeys: Bool
    /// When `true`, a UTF-8 byte order mark (EF BB BF) at the very start is skipped. Default `false`:
    /// RFC 8259 forbids emitting one and this parser is strict, so it is `.byteOrderMark`.
    public var allowByteOrderMark: Bool
    /// When `true`, the input may hold several top-level values one after another (separated by optional
    /// whitespace, e.g. `{"a":1} {"a":2}` or `[1][2]`); the tokenizer returns `.endOfDocument` only at the
    /// end of input and `depth == 0` after a token marks the end of one value. When `false` (default) anything
    /// but whitespace after the first value is `.trailingContent`.
    public var multipleDocuments: Bool

    public init(
        maxDepth: Int = 1024, rejectDuplicateKeys: Bool = false, allowByteOrderMark: Bool = false,
        multipleDocuments: Bool = false
    ) {
        self.maxDepth = maxDepth
        self.rejectDuplicateKeys = rejectDuplicateKeys
        self.allowByteOrderMark = allowByteOrderMark
        self.multipleDocuments = multipleDocuments
    }
}

/// A string token: the byte range of the string body, without the quotes, still escaped.
///
/// The tokenizer has already validated the body: well-formed UTF-8, no raw control characters, only valid
/// escapes, surrogate escapes only in high+low pairs. If `hasEscapes` is `false` the bytes *are* the
/// string's UTF-8; otherwise decode with `JSONTokenizer.unescape(_:appendingTo:)`.
public struct JSONStringToken: Sendable, Equatable, Hashable {
    /// Offset of the first byte after the opening quote.
    public let start: Int
    /// Offset of the closing quote.
    public let end: Int
    /// The body contains at least one backslash escape.
    public let hasEscapes: Bool
    /// Every byte of the body is < 0x80.
    public let isASCII: Bool

    public init(start: Int, end: Int, hasEscapes: Bool, isASCII: Bool) {
        self.start = start
        self.end = end
        self.hasEscapes = hasEscapes
        self.isASCII = isASCII
    }

    public var range: Range<Int> { start..<end }
}

/// A number token: the byte range of the literal (grammar already validated) and, for plain integer
/// literals that fit, the value.
public struct JSONNumberToken: Sendable, Equatable, Hashable {
    public let start: Int
    public let end: Int
    /// The literal has neither a fraction nor an exponent (`-12`, not `1.0` or `1e2`).
    public let isIntegerLiteral: Bool
    @usableFromInline let fastValue: Int64
    @usableFromInline let hasFastValue: Bool

    public init(start: Int, end: Int, isIntegerLiteral: Bool, int64: Int64?) {
        self.start = start
        self.end = end
        self.isIntegerLiteral = isIntegerLiteral
        self.fastValue = int64 ?? 0
        self.hasFastValue = int64 != nil
    }

    public var range: Range<Int> { start..<end }

    /// The value when the literal is a plain integer within Int64 range; otherwise `nil` (use
    /// `JSONNumber` on the literal text for exponents, fractions and big integers).
    @inlinable
    public var int64: Int64? { hasFastValue ? fastValue : nil }
}

/// One event of the pull tokenizer.
///
/// Inside an object the tokenizer returns `.key` before each member's value, so `{"a":[1]}` yields
/// `objectStart, key("a"), arrayStart, number(1), arrayEnd, objectEnd, endOfDocument`.
public enum JSONToken: Sendable, Equatable, Hashable {
    case objectStart
    case objectEnd
    case arrayStart
    case arrayEnd
    case key(JSONStringToken)
    case string(JSONStringToken)
    case number(JSONNumberToken)
    case bool(Bool)
    case null
    /// The input is exhausted after a complete value (repeated on further calls).
    case endOfDocument
}

nonisolated(unsafe) private let emptyInputByte: UnsafeMutablePointer<UInt8> = {
    let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 16)
    p.initialize(repeating: 0, count: 16)
    return p
}()

// Parser states.
private let sStart: UInt8 = 0  // top-level value expected
private let sAfterColon: UInt8 = 1  // member value expected
private let sAfterArrayComma: UInt8 = 2  // array element expected; ']' is a trailing comma
private let sArrayFirst: UInt8 = 3  // element or ']'
private let sObjectFirst: UInt8 = 4  // key or '}'
private let sAfterObjectComma: UInt8 = 5  // key expected; '}' is a trailing comma
private let sAfterValue: UInt8 = 6  // ',' or the closing bracket of the current container
private let sDone: UInt8 = 7  // top-level value complete

/// A strict RFC 8259 pull tokenizer over a byte buffer (SAX-like, but the caller pulls).
///
/// ```swift
/// try bytes.withUnsafeBytes { buf in
///     var t = JSONTokenizer(buf)
///     while true {
///         switch try t.next() {
///         case .key(let k): ... t.bytes(of: k) ...
///         case .endOfDocument: return
///         ...
///         }
///     }
/// }
/// ```
///
/// - The buffer must stay valid while the tokenizer is used; tokens carry offsets into it.
/// - Everything is validated as it is read (grammar, UTF-8, escapes, surrogate pairs, depth), so a caller
///   that consumes tokens up to `.endOfDocument` has seen a valid document. Errors are `JSONParseError`
///   with line and column.
/// - String bodies are scanned 16 bytes at a time (`SIMD16<UInt8>`) for `"`, `\`, control bytes and
///   non-ASCII in one pass; non-ASCII sequences are validated by a scalar UTF-8 check.
/// - No allocation per token; the only allocation is the container stack (one byte per nesting level).
public struct JSONTokenizer {
    @usableFromInline let base: UnsafePointer<UInt8>
    /// Number of bytes in the buffer.
    public let count: Int
    /// Offset of the next unread byte.
    public private(set) var position: Int
    /// Offset of the first byte of the token returned by the last `next()` (the quote of a string or key,
    /// the bracket of a container).
    public private(set) var tokenStart: Int = 0
    var state: UInt8 = sStart
    var topIsObject = false
    var containers: [Bool] = []  // true = object
    let maxDepth: Int
    let multipleDocuments: Bool
    let allowBOM: Bool
    var documentsSeen = 0

    /// Tokenizes `buffer`, which must outlive the tokenizer.
    public init(_ buffer: UnsafeRawBufferPointer, options: JSONParserOptions = JSONParserOptions()) {
        if let b = buffer.baseAddress, buffer.count > 0 {
            base = b.assumingMemoryBound(to: UInt8.self)
            count = buffer.count
        } else {
            base = UnsafePointer(emptyInputByte)
            count = 0
        }
        position = 0
        maxDepth = max(0, options.maxDepth)
        multipleDocuments = options.multipleDocuments
        allowBOM = options.allowByteOrderMark
        if allowBOM && count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF {
            position = 3
        }
        containers.reserveCapacity(32)
    }

    /// Current nesting depth (0 outside any container).
    public var depth: Int { containers.count }

    /// The raw (still escaped) bytes of a string token.
    @inlinable
    public func bytes(of token: JSONStringToken) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + token.start, count: token.end - token.start)
    }

    /// The bytes of a number literal.
    @inlinable
    public func bytes(of token: JSONNumberToken) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + token.start, count: token.end - token.start)
    }

    /// The bytes in `range` of the tokenized buffer.
    @inlinable
    public func bytes(in range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count)
    }

    /// Decodes a string token into a `String` (unescaping if needed).
    public func string(of token: JSONStringToken) -> String {
        let raw = bytes(of: token)
        if !token.hasEscapes {
            return String(decoding: raw, as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        JSONTokenizer.unescape(raw, appendingTo: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the UTF-8 of a validated, escaped string body (as returned by `bytes(of:)`) to `out`.
    /// The body must come from a string token (escapes are assumed valid).
    public static func unescape(_ raw: UnsafeRawBufferPointer, appendingTo out: inout [UInt8]) {
        var i = 0
        let n = raw.count
        while i < n {
            let b = raw[i]
            if b != 0x5C {
                var j = i + 1
                while j < n && raw[j] != 0x5C { j += 1 }
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[i..<j]))
                i = j
                continue
            }
            let e = raw[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = UInt32(hex4(raw, i))
                i += 4
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    let low = UInt32(hex4(raw, i + 2))
                    i += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                appendUTF8(scalar, to: &out)
            default: out.append(e)  // " \ /
            }
        }
    }

    @inline(__always)
    static func hex4(_ raw: UnsafeRawBufferPointer, _ i: Int) -> UInt16 {
        var v: UInt16 = 0
        for k in 0..<4 { v = v << 4 | UInt16(hexValue(raw[i + k])) }
        return v
    }

    static func appendUTF8(_ s: UInt32, to out: inout [UInt8]) {
        if s < 0x80 {
            out.append(UInt8(s))
        } else if s < 0x800 {
            out.append(UInt8(0xC0 | (s >> 6)))
            out.append(UInt8(0x80 | (s & 0x3F)))
        } else if s < 0x10000 {
            out.append(UInt8(0xE0 | (s >> 12)))
            out.append(UInt8(0x80 | ((s >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (s & 0x3F)))
        } else {
            out.append(UInt8(0xF0 | (s >> 18)))
            out.append(UInt8(0x80 | ((s >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((s >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (s & 0x3F)))
        }
    }

    // MARK: - Errors (cold)

    @inline(never)
    func fail(_ offset: Int, _ kind: JSONParseError.Kind, _ message: String) -> JSONParseError {
        JSONParseError.at(offset, in: base, count: count, kind: kind, message)
    }

    @inline(never)
    func unexpected(_ p: Int, expecting what: String) -> JSONParseError {
        if p >= count {
            return fail(p, .unexpectedEndOfInput, "unexpected end of input, expected \(what)")
        }
        let b = base[p]
        if p == 0 && b == 0xEF && count >= 3 && base[1] == 0xBB && base[2] == 0xBF {
            return fail(p, .byteOrderMark, "byte order mark (U+FEFF) at start of input is not allowed")
        }
        if b >= 0x80 {
            return fail(p, .unexpectedCharacter, "unexpected \(describeByte(b)) (non-ASCII outside a string), expected \(what)")
        }
        return fail(p, .unexpectedCharacter, "unexpected \(describeByte(b)), expected \(what)")
    }

    // MARK: - The pull loop

    /// Returns the next token, or throws on the first syntax error (the tokenizer must not be used after
    /// an error).
    public mutating func next() throws(JSONParseError) -> JSONToken {
        let base = self.base
        let end = count
        var p = position
        while true {
            // Skip whitespace.
            while p < end {
                let b = base[p]
                if b > 0x20 || (b != 0x20 && b != 0x0A && b != 0x0D && b != 0x09) { break }
                p += 1
            }
            tokenStart = p
            let st = state
            if st == sAfterValue {
                guard p < end else {
                    position = p
                    throw unexpected(p, expecting: topIsObject ? "',' or '}'" : "',' or ']'")
                }
                let c = base[p]
                if c == UInt8(ascii: ",") {
                    p += 1
                    state = topIsObject ? sAfterObjectComma : sAfterArrayComma
                    continue
                }
                if topIsObject {
                    if c == UInt8(ascii: "}") {
                        position = p + 1
                        pop()
                        return .objectEnd
                    }
                    position = p
                    throw unexpected(p, expecting: "',' or '}' after object member")
                } else {
                    if c == UInt8(ascii: "]") {
                        position = p + 1
                        pop()
                        return .arrayEnd
                    }
                    position = p
                    throw unexpected(p, expecting: "',' or ']' after array element")
                }
            }
            if st == sObjectFirst || st == sAfterObjectComma {
                guard p < end else {
                    position = p
                    throw unexpected(p, expecting: st == sObjectFirst ? "string key or '}'" : "string key")
                }
                let c = base[p]
                if c == UInt8(ascii: "\"") {
                    let tok = try scanString(&p)
                    while p < end {
                        let b = base[p]
                        if b > 0x20 || (b != 0x20 && b != 0x0A && b != 0x0D && b != 0x09) { break }
                        p += 1
                    }
                    guard p < end, base[p] == UInt8(ascii: ":") else {
                        position = p
                        throw unexpected(p, expecting: "':' after object key")
                    }
                    position = p + 1
                    state = sAfterColon
                    return .key(tok)
                }
                if c == UInt8(ascii: "}") {
                    if st == sObjectFirst {
                        position = p + 1
                        pop()
                        return .objectEnd
                    }
                    position = p
                    throw fail(p, .trailingComma, "trailing comma in object")
                }
                position = p
                throw unexpected(p, expecting: st == sObjectFirst ? "string key or '}'" : "string key")
            }
            if st == sDone {
                if p >= end {
                    position = p
                    return .endOfDocument
                }
                if multipleDocuments {
                    state = sStart
                    continue
                }
                position = p
                throw fail(p, .trailingContent, "unexpected \(describeByte(base[p])) after the top-level value")
            }
            // A value is expected (sStart, sAfterColon, sAfterArrayComma, sArrayFirst).
            guard p < end else {
                position = p
                if st == sStart {
                    if documentsSeen > 0 { return .endOfDocument }
                    throw fail(p, .emptyInput, "empty input, expected a JSON value")
                }
                throw unexpected(p, expecting: "a value")
            }
            let c = base[p]
            switch c {
            case UInt8(ascii: "\""):
                let tok = try scanString(&p)
                position = p
                finishValue()
                return .string(tok)
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                let tok = try scanNumber(&p)
                position = p
                finishValue()
                return .number(tok)
            case UInt8(ascii: "{"):
                try push(true, at: p)
                position = p + 1
                state = sObjectFirst
                return .objectStart
            case UInt8(ascii: "["):
                try push(false, at: p)
                position = p + 1
                state = sArrayFirst
                return .arrayStart
            case UInt8(ascii: "t"):
                try literal(p, 0x6575_7274, "true")  // "true" little-endian
                position = p + 4
                finishValue()
                return .bool(true)
            case UInt8(ascii: "f"):
                guard p + 5 <= end else { throw literalError(p, "false") }
                try literal(p + 1, 0x6573_6c61, "false")  // "alse"
                position = p + 5
                finishValue()
                return .bool(false)
            case UInt8(ascii: "n"):
                try literal(p, 0x6c6c_756e, "null")
                position = p + 4
                finishValue()
                return .null
            case UInt8(ascii: "]") where st == sArrayFirst:
                position = p + 1
                pop()
                return .arrayEnd
            case UInt8(ascii: "]") where st == sAfterArrayComma:
                position = p
                throw fail(p, .trailingComma, "trailing comma in array")
            default:
                position = p
                throw unexpected(p, expecting: "a value")
            }
        }
    }

    @inline(__always)
    mutating func finishValue() {
        if containers.isEmpty {
            state = sDone
            documentsSeen &+= 1
        } else {
            state = sAfterValue
        }
    }

    @inline(__always)
    mutating func push(_ isObject: Bool, at p: Int) throws(JSONParseError) {
        if containers.count >= maxDepth {
            position = p
            throw fail(p, .depthLimitExceeded, "nesting deeper than \(maxDepth) levels")
        }
        containers.append(isObject)
        topIsObject = isObject
    }

    @inline(__always)
    mutating func pop() {
        containers.removeLast()
        if let last = containers.last {
            topIsObject = last
            state = sAfterValue
        } else {
            state = sDone
            documentsSeen &+= 1
        }
    }

    @inline(__always)
    func literal(_ p: Int, _ word: UInt32, _ name: String) throws(JSONParseError) {
        guard p + 4 <= count,
            UInt32(littleEndian: UnsafeRawPointer(base + p).loadUnaligned(as: UInt32.self)) == word
        else { throw literalError(name == "false" ? p - 1 : p, name) }
    }

    @inline(never)
    func literalError(_ p: Int, _ name: String) -> JSONParseError {
        let lit = Array(name.utf8)
        var i = 0
        while i < lit.count && p + i < count && base[p + i] == lit[i] { i += 1 }
        if p + i >= count {
            return fail(p + i, .unexpectedEndOfInput, "unexpected end of input in literal '\(name)'")
        }
        return fail(p + i, .invalidLiteral, "invalid literal, expected '\(name)'")
    }

    // MARK: - Numbers

    @inline(__always)
    mutating func scanNumber(_ pos: inout Int) throws(JSONParseError) -> JSONNumberToken {
        let base = self.base
        let end = count
        let start = pos
        var i = pos
        var negative = false
        if base[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
            guard i < end else { throw fail(i, .unexpectedEndOfInput, "unexpected end of input in number") }
        }
        let digitsStart = i
        var mantissa: UInt64 = 0
        let first = base[i] &- 0x30
        if first == 0 {
            i += 1
            if i < end && base[i] &- 0x30 < 10 {
                throw fail(start, .invalidNumber, "leading zeros are not allowed in numbers")
            }
        } else if first < 10 {
            mantissa = UInt64(first)
            i += 1
            while i < end {
                let d = base[i] &- 0x30
                if d >= 10 { break }
                mantissa = mantissa &* 10 &+ UInt64(d)
                i += 1
            }
        } else {
            throw fail(i, .invalidNumber, "expected a digit after '-'")
        }
        let integerDigits = i - digitsStart
        var isInteger = true
        if i < end && base[i] == UInt8(ascii: ".") {
            isInteger = false
            i += 1
            guard i < end, base[i] &- 0x30 < 10 else {
                throw fail(i, i < end ? .invalidNumber : .unexpectedEndOfInput, "expected a digit after the decimal point")
            }
            i += 1
            while i < end && base[i] &- 0x30 < 10 { i += 1 }
        }
        if i < end && base[i] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            i += 1
            if i < end && (base[i] == UInt8(ascii: "+") || base[i] == UInt8(ascii: "-")) { i += 1 }
            guard i < end, base[i] &- 0x30 < 10 else {
                throw fail(i, i < end ? .invalidNumber : .unexpectedEndOfInput, "expected a digit in the exponent")
            }
            i += 1
            while i < end && base[i] &- 0x30 < 10 { i += 1 }
        }
        pos = i
        var value: Int64? = nil
        if isInteger && integerDigits <= 19 {  // 19 digits never wrap a UInt64
            if negative {
                if mantissa <= 1 << 63 { value = Int64(bitPattern: 0 &- mantissa) }
            } else if mantissa <= UInt64(Int64.max) {
                value = Int64(mantissa)
            }
        }
        return JSONNumberToken(start: start, end: i, isIntegerLiteral: isInteger, int64: value)
    }

    // MARK: - Strings

    /// Offset of the first byte at or after `i` that is `"`, `\`, < 0x20 or >= 0x80, or `count`.
    @inline(__always)
    func findSpecial(_ from: Int) -> Int {
        var i = from
        let end = count
        let quote = SIMD16<UInt8>(repeating: 0x22)
        let backslash = SIMD16<UInt8>(repeating: 0x5C)
        let space = SIMD16<UInt8>(repeating: 0x20)
        let range = SIMD16<UInt8>(repeating: 0x5F)
        while i + 16 <= end {
            let v = UnsafeRawPointer(base + i).loadUnaligned(as: SIMD16<UInt8>.self)
            // (v - 0x20) > 0x5F  <=>  v < 0x20 || v >= 0x80
            let m = (v .== quote) .| (v .== backslash) .| ((v &- space) .> range)
            let words = unsafeBitCast(m, to: SIMD2<UInt64>.self)
            let lo = words[0]
            if lo != 0 { return i + lo.trailingZeroBitCount >> 3 }
            let hi = words[1]
            if hi != 0 { return i + 8 + hi.trailingZeroBitCount >> 3 }
            i += 16
        }
        while i < end {
            let b = base[i]
            if b == 0x22 || b == 0x5C || b &- 0x20 > 0x5F { return i }
            i += 1
        }
        return end
    }

    @inline(__always)
    mutating func scanString(_ pos: inout Int) throws(JSONParseError) -> JSONStringToken {
        let start = pos + 1
        var i = start
        var hasEscapes = false
        var isASCII = true
        let end = count
        while true {
            i = findSpecial(i)
            guard i < end else {
                throw fail(i, .unexpectedEndOfInput, "unterminated string (opened at offset \(start - 1))")
            }
            let b = base[i]
            if b == 0x22 {
                pos = i + 1
                return JSONStringToken(start: start, end: i, hasEscapes: hasEscapes, isASCII: isASCII)
            }
            if b == 0x5C {
                hasEscapes = true
                i = try scanEscape(i)
            } else if b < 0x20 {
                throw fail(i, .controlCharacterInString, "unescaped control character \(describeByte(b)) in string")
            } else {
                isASCII = false
                i = try validateUTF8(i)
            }
        }
    }

    /// Validates the escape at `i` (a backslash); returns the offset after it.
    mutating func scanEscape(_ i: Int) throws(JSONParseError) -> Int {
        let end = count
        guard i + 1 < end else { throw fail(i + 1, .unexpectedEndOfInput, "unexpected end of input in escape") }
        switch base[i + 1] {
        case 0x22, 0x5C, 0x2F, UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"),
            UInt8(ascii: "t"):
            return i + 2
        case UInt8(ascii: "u"):
            let unit = try readHex4(i + 2)
            if unit >= 0xDC00 && unit <= 0xDFFF {
                throw fail(i, .loneSurrogate, "lone low surrogate \\u\(hexString(unit)) (not preceded by a high surrogate)")
            }
            if unit >= 0xD800 && unit <= 0xDBFF {
                let j = i + 6
                guard j + 1 < end, base[j] == 0x5C, base[j + 1] == UInt8(ascii: "u") else {
                    throw fail(i, .loneSurrogate, "lone high surrogate \\u\(hexString(unit)) (not followed by a low surrogate)")
                }
                let low = try readHex4(j + 2)
                guard low >= 0xDC00 && low <= 0xDFFF else {
                    throw fail(i, .loneSurrogate, "high surrogate \\u\(hexString(unit)) followed by \\u\(hexString(low)), not a low surrogate")
                }
                return j + 6
            }
            return i + 6
        default:
            let b = base[i + 1]
            throw fail(i, .invalidEscape, "invalid escape '\\' followed by \(describeByte(b))")
        }
    }

    func readHex4(_ i: Int) throws(JSONParseError) -> UInt16 {
        var v: UInt16 = 0
        for k in 0..<4 {
            guard i + k < count else {
                throw fail(i + k, .unexpectedEndOfInput, "unexpected end of input in \\u escape")
            }
            let h = hexValue(base[i + k])
            guard h < 16 else {
                throw fail(i + k, .invalidUnicodeEscape, "\\u must be followed by four hexadecimal digits")
            }
            v = v << 4 | UInt16(h)
        }
        return v
    }

    /// Validates one UTF-8 sequence whose lead byte (>= 0x80) is at `i`; returns the offset after it.
    @inline(__always)
    func validateUTF8(_ i: Int) throws(JSONParseError) -> Int {
        let end = count
        let b0 = base[i]
        @inline(__always) func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            i + k < end && base[i + k] >= lo && base[i + k] <= hi
        }
        if b0 >= 0xC2 && b0 <= 0xDF {
            if cont(1) { return i + 2 }
        } else if b0 >= 0xE0 && b0 <= 0xEF {
            let ok1 = b0 == 0xE0 ? cont(1, 0xA0) : (b0 == 0xED ? cont(1, 0x80, 0x9F) : cont(1))
            if ok1 && cont(2) { return i + 3 }
        } else if b0 >= 0xF0 && b0 <= 0xF4 {
            let ok1 = b0 == 0xF0 ? cont(1, 0x90) : (b0 == 0xF4 ? cont(1, 0x80, 0x8F) : cont(1))
            if ok1 && cont(2) && cont(3) { return i + 4 }
        }
        throw invalidUTF8(i)
    }

    @inline(never)
    func invalidUTF8(_ i: Int) -> JSONParseError {
        let b0 = base[i]
        let what: String
        switch b0 {
        case 0x80...0xBF: what = "unexpected continuation byte"
        case 0xC0, 0xC1: what = "overlong encoding"
        case 0xF5...0xFF: what = "byte that never appears in UTF-8"
        default:
            if b0 == 0xED && i + 1 < count && base[i + 1] >= 0xA0 {
                what = "encoded surrogate (U+D800..U+DFFF)"
            } else if b0 == 0xF4 && i + 1 < count && base[i + 1] >= 0x90 {
                what = "code point above U+10FFFF"
            } else if (b0 == 0xE0 || b0 == 0xF0) && i + 1 < count && base[i + 1] >= 0x80 && base[i + 1] < (b0 == 0xE0 ? 0xA0 : 0x90) {
                what = "overlong encoding"
            } else {
                what = "truncated multi-byte sequence"
            }
        }
        return fail(i, .invalidUTF8, "invalid UTF-8 in string: \(what) (\(describeByte(b0)))")
    }
}

@inline(__always)
func hexValue(_ b: UInt8) -> UInt8 {
    let d = b &- 0x30
    if d < 10 { return d }
    let l = (b | 0x20) &- 0x61
    if l < 6 { return l + 10 }
    return 0xFF
}

func hexString(_ v: UInt16) -> String {
    let s = String(v, radix: 16, uppercase: true)
    return String(repeating: "0", count: 4 - s.count) + s
}
