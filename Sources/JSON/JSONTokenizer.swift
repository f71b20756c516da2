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
    /// end of input (also for empty input: zero values) and `depth == 0` after a token marks the end of one
    /// value. When `false` (default) anything but whitespace after the first value is `.trailingContent`.
    public var multipleDocuments: Bool

    /// Options with the given limits; every default is the strict RFC 8259 behavior (depth 1024, duplicates kept,
    /// no byte order mark, one document).
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
///
/// (Two words, so that a `JSONToken` is returned in registers.)
public struct JSONStringToken: Sendable, Equatable, Hashable {
    /// Offset of the first byte after the opening quote.
    public let start: Int
    @usableFromInline let packed: UInt64  // length << 2 | isASCII << 1 | hasEscapes

    /// A token for the body `start..<end` (byte offsets, quotes excluded). `start..<end` must be at most 2^62 bytes.
    @inlinable
    public init(start: Int, end: Int, hasEscapes: Bool, isASCII: Bool) {
        self.start = start
        self.packed = UInt64(end &- start) &<< 2 | (isASCII ? 2 : 0) | (hasEscapes ? 1 : 0)
    }

    /// Offset of the closing quote.
    @inlinable public var end: Int { start &+ length }
    /// Length of the (escaped) body in bytes.
    @inlinable public var length: Int { Int(truncatingIfNeeded: packed &>> 2) }
    /// The body contains at least one backslash escape.
    @inlinable public var hasEscapes: Bool { packed & 1 != 0 }
    /// Every byte of the body is < 0x80.
    @inlinable public var isASCII: Bool { packed & 2 != 0 }
    /// The body's byte range, `start..<end`.
    @inlinable public var range: Range<Int> { start..<end }
}

/// A number token: the byte range of the literal (grammar already validated) and, for plain integer
/// literals that fit, the value. (Three words.)
public struct JSONNumberToken: Sendable, Equatable, Hashable {
    /// Offset of the literal's first byte.
    public let start: Int
    @usableFromInline let packed: UInt64  // length << 2 | hasFastValue << 1 | isIntegerLiteral
    @usableFromInline let fastValue: Int64

    /// A token for the literal at `start..<end`; `int64` is its value when it is a plain integer literal that fits.
    @inlinable
    public init(start: Int, end: Int, isIntegerLiteral: Bool, int64: Int64?) {
        self.start = start
        self.packed = UInt64(end &- start) &<< 2 | (int64 != nil ? 2 : 0) | (isIntegerLiteral ? 1 : 0)
        self.fastValue = int64 ?? 0
    }

    /// Offset just past the literal's last byte.
    @inlinable public var end: Int { start &+ length }
    /// Length of the literal in bytes.
    @inlinable public var length: Int { Int(truncatingIfNeeded: packed &>> 2) }
    /// The literal's byte range, `start..<end`.
    @inlinable public var range: Range<Int> { start..<end }
    /// The literal has neither a fraction nor an exponent (`-12`, not `1.0` or `1e2`).
    @inlinable public var isIntegerLiteral: Bool { packed & 1 != 0 }

    /// The value when the literal is a plain integer within Int64 range; otherwise `nil` (use
    /// `JSONNumber` on the literal text for exponents, fractions and big integers).
    @inlinable
    public var int64: Int64? { packed & 2 != 0 ? fastValue : nil }
}

/// One event of the pull tokenizer.
///
/// Inside an object the tokenizer returns `.key` before each member's value, so `{"a":[1]}` yields
/// `objectStart, key("a"), arrayStart, number(1), arrayEnd, objectEnd, endOfDocument`.
public enum JSONToken: Sendable, Equatable, Hashable {
    /// `{`.
    case objectStart
    /// `}`.
    case objectEnd
    /// `[`.
    case arrayStart
    /// `]`.
    case arrayEnd
    /// An object member's key (the tokenizer has consumed the `:` after it).
    case key(JSONStringToken)
    /// A string value.
    case string(JSONStringToken)
    /// A number value.
    case number(JSONNumberToken)
    /// `true` or `false`.
    case bool(Bool)
    /// `null`.
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
@usableFromInline let sStart: UInt8 = 0  // top-level value expected
@usableFromInline let sAfterColon: UInt8 = 1  // member value expected
@usableFromInline let sAfterArrayComma: UInt8 = 2  // array element expected; ']' is a trailing comma
@usableFromInline let sArrayFirst: UInt8 = 3  // element or ']'
@usableFromInline let sObjectFirst: UInt8 = 4  // key or '}'
@usableFromInline let sAfterObjectComma: UInt8 = 5  // key expected; '}' is a trailing comma
@usableFromInline let sAfterValue: UInt8 = 6  // ',' or the closing bracket of the current container
@usableFromInline let sDone: UInt8 = 7  // top-level value complete

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
/// - No allocation at all for documents up to 64 levels deep (the container stack is a bit set; deeper
///   levels use an array). `next()` is `@inlinable`, so a consumer loop in another module gets the tokenizer
///   inlined into it.
public struct JSONTokenizer {
    @usableFromInline let base: UnsafePointer<UInt8>
    /// Number of bytes in the buffer.
    public let count: Int
    @usableFromInline var position_: Int
    @usableFromInline var tokenStart_: Int = 0
    @usableFromInline var state: UInt8 = sStart
    @usableFromInline var topIsObject = false
    @usableFromInline var depthCount = 0
    @usableFromInline var levelBits: UInt64 = 0  // bit d set = level d+1 is an object, for d < 64
    @usableFromInline var deeperBits: [UInt64] = []  // the same for d >= 64 (allocated only for deep documents)
    @usableFromInline let maxDepth: Int
    @usableFromInline let multipleDocuments: Bool
    let allowBOM: Bool
    @usableFromInline var documentsSeen = 0

    /// Offset of the next unread byte.
    public var position: Int { position_ }
    /// Offset of the first byte of the token returned by the last `next()` (the quote of a string or key,
    /// the bracket of a container).
    public var tokenStart: Int { tokenStart_ }

    /// Tokenizes `buffer`, which must outlive the tokenizer.
    public init(_ buffer: UnsafeRawBufferPointer, options: JSONParserOptions = JSONParserOptions()) {
        if let b = buffer.baseAddress, buffer.count > 0 {
            base = b.assumingMemoryBound(to: UInt8.self)
            count = buffer.count
        } else {
            base = UnsafePointer(emptyInputByte)
            count = 0
        }
        position_ = 0
        maxDepth = max(0, options.maxDepth)
        multipleDocuments = options.multipleDocuments
        allowBOM = options.allowByteOrderMark
        if allowBOM && count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF {
            position_ = 3
        }
    }

    /// Current nesting depth (0 outside any container).
    public var depth: Int { depthCount }

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

    @usableFromInline @inline(never)
    func error(_ code: ByteScanner.ErrorCode, _ p: Int) -> JSONParseError {
        ByteScanner(base: base, count: count).error(code, p, maxDepth: maxDepth)
    }

    // MARK: - Container stack (one bit per level)

    @inlinable @inline(__always)
    mutating func push(_ isObject: Bool, at p: Int) throws(JSONParseError) {
        let d = depthCount
        if d >= maxDepth {
            position_ = p
            throw error(.depth, p)
        }
        let mask: UInt64 = 1 &<< UInt64(d & 63)
        if d < 64 {
            if isObject { levelBits |= mask } else { levelBits &= ~mask }
        } else {
            let w = (d &>> 6) &- 1
            if w == deeperBits.count { deeperBits.append(0) }
            if isObject { deeperBits[w] |= mask } else { deeperBits[w] &= ~mask }
        }
        depthCount = d &+ 1
        topIsObject = isObject
    }

    @inlinable @inline(__always)
    mutating func pop() {
        let d = depthCount &- 1
        depthCount = d
        if d == 0 {
            state = sDone
            documentsSeen &+= 1
        } else {
            let t = d &- 1
            let word = t < 64 ? levelBits : deeperBits[(t &>> 6) &- 1]
            topIsObject = (word &>> UInt64(t & 63)) & 1 == 1
            state = sAfterValue
        }
    }

    @inlinable @inline(__always)
    mutating func finishValue() {
        if depthCount == 0 {
            state = sDone
            documentsSeen &+= 1
        } else {
            state = sAfterValue
        }
    }

    // MARK: - The pull loop

    @inlinable @inline(__always)
    func skipWhitespace(_ from: Int) -> Int {
        var p = from
        let end = count
        while p < end {
            let b = base[p]
            if b > 0x20 || (b != 0x20 && b != 0x0A && b != 0x0D && b != 0x09) { break }
            p &+= 1
        }
        return p
    }

    /// Returns the next token, or throws on the first syntax error (the tokenizer must not be used after
    /// an error).
    ///
    /// Inlinable: a converter's token loop in another module gets the tokenizer inlined into it (about 20%
    /// faster than a call per token).
    @inlinable @inline(__always)
    public mutating func next() throws(JSONParseError) -> JSONToken {
        var p = skipWhitespace(position_)
        tokenStart_ = p
        var st = state
        if st == sAfterValue {
            guard p < count else {
                position_ = p
                throw error(topIsObject ? .expectedCommaOrBrace : .expectedCommaOrBracket, p)
            }
            let c = base[p]
            if c == UInt8(ascii: ",") {
                p = skipWhitespace(p &+ 1)
                tokenStart_ = p
                if topIsObject { return try readKey(p, afterComma: true) }
                st = sAfterArrayComma
            } else if c == (topIsObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                position_ = p &+ 1
                let wasObject = topIsObject
                pop()
                return wasObject ? .objectEnd : .arrayEnd
            } else {
                position_ = p
                throw error(topIsObject ? .expectedCommaOrBrace : .expectedCommaOrBracket, p)
            }
        } else if st == sObjectFirst || st == sAfterObjectComma {
            return try readKey(p, afterComma: st == sAfterObjectComma)
        } else if st == sDone {
            if p >= count {
                position_ = p
                return .endOfDocument
            }
            guard multipleDocuments else {
                position_ = p
                throw error(.trailingContent, p)
            }
            state = sStart
            st = sStart
        }
        return try readValue(p, st)
    }

    /// The fast path of a consumer that expects a particular member next (records whose keys come in the same
    /// order every time): if the next token is an object key spelled exactly `quotedKey` (the key's JSON text,
    /// quotes included, with no backslash in it), consumes the key and its ':' and returns true — the next token
    /// is the member's value, just as after `.key`. Otherwise changes nothing and returns false (read the key
    /// with `next()`). Byte-for-byte equality with a valid quoted key implies the input's key is valid too.
    @inlinable @inline(__always)
    public mutating func skipKey(ifEqualTo quotedKey: UnsafeRawBufferPointer) -> Bool {
        var p = position_
        let st = state
        if st == sAfterValue {
            guard topIsObject else { return false }
            p = skipWhitespace(p)
            guard p < count, base[p] == UInt8(ascii: ",") else { return false }
            p = skipWhitespace(p &+ 1)
        } else if st == sObjectFirst || st == sAfterObjectComma {
            p = skipWhitespace(p)
        } else {
            return false
        }
        let n = quotedKey.count
        guard n >= 2, p &+ n < count, bytesEqual(base + p, quotedKey.baseAddress!, n) else { return false }
        var q = p &+ n
        if base[q] != UInt8(ascii: ":") {
            q = skipWhitespace(q)
            guard q < count, base[q] == UInt8(ascii: ":") else { return false }
        }
        tokenStart_ = p
        position_ = q &+ 1
        state = sAfterColon
        return true
    }

    /// `n >= 2` bytes at `a` and `b` are equal (overlapping word loads, no call).
    @inlinable @inline(__always)
    func bytesEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
        let ra = UnsafeRawPointer(a)
        if n >= 8 {
            var i = 0
            while i &+ 8 < n {
                if ra.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
                    return false
                }
                i &+= 8
            }
            return ra.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
                == b.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
        }
        if n >= 4 {
            return ra.loadUnaligned(as: UInt32.self) == b.loadUnaligned(as: UInt32.self)
                && ra.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self)
                    == b.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self)
        }
        return ra.loadUnaligned(as: UInt16.self) == b.loadUnaligned(as: UInt16.self)
            && ra.load(fromByteOffset: n &- 1, as: UInt8.self) == b.load(fromByteOffset: n &- 1, as: UInt8.self)
    }

    /// Reads an object key and the following ':' (state: object start or after a comma).
    @inlinable @inline(__always)
    mutating func readKey(_ start: Int, afterComma: Bool) throws(JSONParseError) -> JSONToken {
        var p = start
        let end = count
        if p < end && base[p] == UInt8(ascii: "\"") {
            let tok = try ByteScanner(base: base, count: end).scanString(&p)
            if p < end && base[p] == UInt8(ascii: ":") {
                p &+= 1
            } else {
                p = skipWhitespace(p)
                guard p < end, base[p] == UInt8(ascii: ":") else {
                    position_ = p
                    throw error(.expectedColon, p)
                }
                p &+= 1
            }
            position_ = p
            state = sAfterColon
            return .key(tok)
        }
        position_ = p
        if p < end && base[p] == UInt8(ascii: "}") {
            if afterComma { throw error(.trailingCommaObject, p) }
            position_ = p &+ 1
            pop()
            return .objectEnd
        }
        throw error(afterComma ? .expectedKey : .expectedKeyOrBrace, p)
    }

    /// Reads a value (state: start, after ':', after ',' in an array, or array start).
    @inlinable @inline(__always)
    mutating func readValue(_ start: Int, _ st: UInt8) throws(JSONParseError) -> JSONToken {
        var p = start
        let end = count
        guard p < end else {
            position_ = p
            if st == sStart {
                if documentsSeen > 0 || multipleDocuments { return .endOfDocument }
                throw error(.emptyInput, p)
            }
            throw error(.expectedValue, p)
        }
        switch base[p] {
        case UInt8(ascii: "\""):
            let tok = try ByteScanner(base: base, count: end).scanString(&p)
            position_ = p
            finishValue()
            return .string(tok)
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
            let tok = try ByteScanner(base: base, count: end).scanNumber(&p)
            position_ = p
            finishValue()
            return .number(tok)
        case UInt8(ascii: "{"):
            try push(true, at: p)
            position_ = p &+ 1
            state = sObjectFirst
            return .objectStart
        case UInt8(ascii: "["):
            try push(false, at: p)
            position_ = p &+ 1
            state = sArrayFirst
            return .arrayStart
        case UInt8(ascii: "t"):
            guard p &+ 4 <= end, loadWord(p) == 0x6575_7274 else {  // "true" little-endian
                position_ = p
                throw error(.literalTrue, p)
            }
            position_ = p &+ 4
            finishValue()
            return .bool(true)
        case UInt8(ascii: "f"):
            guard p &+ 5 <= end, loadWord(p &+ 1) == 0x6573_6c61 else {  // "alse"
                position_ = p
                throw error(.literalFalse, p)
            }
            position_ = p &+ 5
            finishValue()
            return .bool(false)
        case UInt8(ascii: "n"):
            guard p &+ 4 <= end, loadWord(p) == 0x6c6c_756e else {  // "null"
                position_ = p
                throw error(.literalNull, p)
            }
            position_ = p &+ 4
            finishValue()
            return .null
        case UInt8(ascii: "]") where st == sArrayFirst:
            position_ = p &+ 1
            pop()
            return .arrayEnd
        case UInt8(ascii: "]") where st == sAfterArrayComma:
            position_ = p
            throw error(.trailingCommaArray, p)
        default:
            position_ = p
            throw error(.expectedValue, p)
        }
    }

    @inlinable @inline(__always)
    func loadWord(_ p: Int) -> UInt32 {
        UInt32(littleEndian: UnsafeRawPointer(base + p).loadUnaligned(as: UInt32.self))
    }
}

/// The scanning primitives, on a two-word value (base, count) so that calls from the tokenizer pass registers
/// instead of copying the tokenizer's mutable state.
@usableFromInline
struct ByteScanner {
    @usableFromInline let base: UnsafePointer<UInt8>
    @usableFromInline let count: Int

    @inlinable
    init(base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        self.count = count
    }

    // MARK: - Errors (cold)

    /// Error sites, so that the hot code only passes a code and an offset; messages are built in
    /// `error(_:_:)`, out of line.
    @usableFromInline
    enum ErrorCode: UInt8 {
        case expectedCommaOrBrace, expectedCommaOrBracket, expectedKeyOrBrace, expectedKey, expectedColon
        case expectedValue, trailingCommaObject, trailingCommaArray, trailingContent, emptyInput, depth
        case literalTrue, literalFalse, literalNull
        case numberEnd, leadingZero, digitAfterMinus, digitAfterPoint, digitInExponent
        case unterminatedString, controlCharacter, escapeEnd, loneLow, loneHigh, highThenNotLow, invalidEscape
        case hexDigits, invalidUTF8
    }

    @usableFromInline @inline(never)
    func error(_ code: ErrorCode, _ p: Int, maxDepth: Int = 0) -> JSONParseError {
        func make(_ at: Int, _ kind: JSONParseError.Kind, _ message: String) -> JSONParseError {
            JSONParseError.at(at, in: base, count: count, kind: kind, message)
        }
        func unexpected(_ what: String) -> JSONParseError {
            if p >= count { return make(p, .unexpectedEndOfInput, "unexpected end of input, expected \(what)") }
            let b = base[p]
            if p == 0 && b == 0xEF && count >= 3 && base[1] == 0xBB && base[2] == 0xBF {
                return make(p, .byteOrderMark, "byte order mark (U+FEFF) at start of input is not allowed")
            }
            if b >= 0x80 {
                return make(p, .unexpectedCharacter, "unexpected \(describeByte(b)) (non-ASCII outside a string), expected \(what)")
            }
            return make(p, .unexpectedCharacter, "unexpected \(describeByte(b)), expected \(what)")
        }
        func literal(_ name: String) -> JSONParseError {
            let lit = Array(name.utf8)
            var i = 0
            while i < lit.count && p + i < count && base[p + i] == lit[i] { i += 1 }
            if p + i >= count {
                return make(p + i, .unexpectedEndOfInput, "unexpected end of input in literal '\(name)'")
            }
            return make(p + i, .invalidLiteral, "invalid literal, expected '\(name)'")
        }
        func unit(_ at: Int) -> String {
            var v: UInt16 = 0
            for k in 0..<4 where at + k < count { v = v << 4 | UInt16(hexValue(base[at + k]) & 15) }
            return hexString(v)
        }
        func endOr(_ kind: JSONParseError.Kind, _ message: String) -> JSONParseError {
            p >= count ? make(p, .unexpectedEndOfInput, "unexpected end of input: " + message) : make(p, kind, message)
        }
        switch code {
        case .expectedCommaOrBrace: return unexpected("',' or '}' after object member")
        case .expectedCommaOrBracket: return unexpected("',' or ']' after array element")
        case .expectedKeyOrBrace: return unexpected("string key or '}'")
        case .expectedKey: return unexpected("string key")
        case .expectedColon: return unexpected("':' after object key")
        case .expectedValue: return unexpected("a value")
        case .trailingCommaObject: return make(p, .trailingComma, "trailing comma in object")
        case .trailingCommaArray: return make(p, .trailingComma, "trailing comma in array")
        case .trailingContent:
            return make(p, .trailingContent, "unexpected \(describeByte(base[p])) after the top-level value")
        case .emptyInput: return make(p, .emptyInput, "empty input, expected a JSON value")
        case .depth: return make(p, .depthLimitExceeded, "nesting deeper than \(maxDepth) levels")
        case .literalTrue: return literal("true")
        case .literalFalse: return literal("false")
        case .literalNull: return literal("null")
        case .numberEnd: return make(p, .unexpectedEndOfInput, "unexpected end of input in number")
        case .leadingZero: return make(p, .invalidNumber, "leading zeros are not allowed in numbers")
        case .digitAfterMinus: return endOr(.invalidNumber, "expected a digit after '-'")
        case .digitAfterPoint: return endOr(.invalidNumber, "expected a digit after the decimal point")
        case .digitInExponent: return endOr(.invalidNumber, "expected a digit in the exponent")
        case .unterminatedString: return make(p, .unexpectedEndOfInput, "unexpected end of input in string")
        case .controlCharacter:
            return make(p, .controlCharacterInString, "unescaped control character \(describeByte(base[p])) in string")
        case .escapeEnd: return make(p, .unexpectedEndOfInput, "unexpected end of input in escape")
        case .loneLow:
            return make(p, .loneSurrogate, "lone low surrogate \\u\(unit(p + 2)) (not preceded by a high surrogate)")
        case .loneHigh:
            return make(p, .loneSurrogate, "lone high surrogate \\u\(unit(p + 2)) (not followed by a low surrogate)")
        case .highThenNotLow:
            return make(p, .loneSurrogate, "high surrogate \\u\(unit(p + 2)) followed by \\u\(unit(p + 8)), not a low surrogate")
        case .invalidEscape:
            return make(p, .invalidEscape, "invalid escape: '\\' followed by \(describeByte(base[p + 1]))")
        case .hexDigits:
            return endOr(.invalidUnicodeEscape, "\\u must be followed by four hexadecimal digits")
        case .invalidUTF8: return invalidUTF8(p)
        }
    }

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
            } else if (b0 == 0xE0 || b0 == 0xF0) && i + 1 < count && base[i + 1] >= 0x80
                && base[i + 1] < (b0 == 0xE0 ? 0xA0 : 0x90)
            {
                what = "overlong encoding"
            } else {
                what = "truncated multi-byte sequence"
            }
        }
        return JSONParseError.at(i, in: base, count: count, kind: .invalidUTF8, "invalid UTF-8 in string: \(what) (\(describeByte(b0)))")
    }

    // MARK: - Numbers

    @inlinable @inline(__always)
    func scanNumber(_ pos: inout Int) throws(JSONParseError) -> JSONNumberToken {
        let base = self.base
        let end = count
        let start = pos
        var i = pos
        var negative = false
        if base[i] == UInt8(ascii: "-") {
            negative = true
            i &+= 1
            guard i < end else { throw error(.numberEnd, i) }
        }
        let digitsStart = i
        var mantissa: UInt64 = 0
        let first = base[i] &- 0x30
        if first == 0 {
            i &+= 1
            if i < end && base[i] &- 0x30 < 10 { throw error(.leadingZero, start) }
        } else if first < 10 {
            mantissa = UInt64(first)
            i &+= 1
            while i &+ 8 <= end {
                let w = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
                guard isEightDigits(w) else { break }
                mantissa = mantissa &* 100_000_000 &+ parseEightDigits(w)
                i &+= 8
            }
            while i < end {
                let d = base[i] &- 0x30
                if d >= 10 { break }
                mantissa = mantissa &* 10 &+ UInt64(d)
                i &+= 1
            }
        } else {
            throw error(.digitAfterMinus, i)
        }
        let integerDigits = i &- digitsStart
        var isInteger = true
        if i < end && base[i] == UInt8(ascii: ".") {
            isInteger = false
            i &+= 1
            guard i < end, base[i] &- 0x30 < 10 else { throw error(.digitAfterPoint, i) }
            i &+= 1
            while i &+ 8 <= end
                && isEightDigits(UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)))
            {
                i &+= 8
            }
            while i < end && base[i] &- 0x30 < 10 { i &+= 1 }
        }
        if i < end && base[i] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            i &+= 1
            if i < end && (base[i] == UInt8(ascii: "+") || base[i] == UInt8(ascii: "-")) { i &+= 1 }
            guard i < end, base[i] &- 0x30 < 10 else { throw error(.digitInExponent, i) }
            i &+= 1
            while i < end && base[i] &- 0x30 < 10 { i &+= 1 }
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

    /// Offset of the first byte at or after `from` that is `"`, `\`, < 0x20 or >= 0x80, or `count`.
    @inlinable @inline(__always)
    func findSpecial(_ from: Int) -> Int {
        var i = from
        let end = count
        let quote = SIMD16<UInt8>(repeating: 0x22)
        let backslash = SIMD16<UInt8>(repeating: 0x5C)
        let space = SIMD16<UInt8>(repeating: 0x20)
        let range = SIMD16<UInt8>(repeating: 0x5F)
        while i &+ 16 <= end {
            let v = UnsafeRawPointer(base + i).loadUnaligned(as: SIMD16<UInt8>.self)
            // (v - 0x20) > 0x5F  <=>  v < 0x20 || v >= 0x80
            let m = (v .== quote) .| (v .== backslash) .| ((v &- space) .> range)
            let words = unsafeBitCast(m, to: SIMD2<UInt64>.self)
            let lo = words[0]
            let hi = words[1]
            if lo | hi != 0 {
                let bit = lo != 0 ? lo.trailingZeroBitCount : 64 &+ hi.trailingZeroBitCount
                return i &+ bit &>> 3
            }
            i &+= 16
        }
        while i < end {
            let b = base[i]
            if b == 0x22 || b == 0x5C || b &- 0x20 > 0x5F { return i }
            i &+= 1
        }
        return end
    }

    @inlinable @inline(__always)
    func scanString(_ pos: inout Int) throws(JSONParseError) -> JSONStringToken {
        let start = pos &+ 1
        var i = start
        var hasEscapes = false
        var isASCII = true
        let end = count
        while true {
            i = findSpecial(i)
            guard i < end else { throw error(.unterminatedString, i) }
            let b = base[i]
            if b == 0x22 {
                pos = i &+ 1
                return JSONStringToken(start: start, end: i, hasEscapes: hasEscapes, isASCII: isASCII)
            }
            if b >= 0x80 {
                isASCII = false
                i = try validateUTF8(i)
            } else if b == 0x5C {
                hasEscapes = true
                i = try scanEscape(i)
            } else {
                throw error(.controlCharacter, i)
            }
        }
    }

    /// Validates the escape at `i` (a backslash); returns the offset after it.
    @usableFromInline
    func scanEscape(_ i: Int) throws(JSONParseError) -> Int {
        let end = count
        guard i &+ 1 < end else { throw error(.escapeEnd, i &+ 1) }
        switch base[i &+ 1] {
        case 0x22, 0x5C, 0x2F, UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"),
            UInt8(ascii: "t"):
            return i &+ 2
        case UInt8(ascii: "u"):
            let unit = try readHex4(i &+ 2)
            if unit >= 0xDC00 && unit <= 0xDFFF { throw error(.loneLow, i) }
            if unit >= 0xD800 && unit <= 0xDBFF {
                let j = i &+ 6
                guard j &+ 1 < end, base[j] == 0x5C, base[j &+ 1] == UInt8(ascii: "u") else {
                    throw error(.loneHigh, i)
                }
                let low = try readHex4(j &+ 2)
                guard low >= 0xDC00 && low <= 0xDFFF else { throw error(.highThenNotLow, i) }
                return j &+ 6
            }
            return i &+ 6
        default:
            throw error(.invalidEscape, i)
        }
    }

    @usableFromInline
    func readHex4(_ i: Int) throws(JSONParseError) -> UInt16 {
        var v: UInt16 = 0
        for k in 0..<4 {
            guard i &+ k < count else { throw error(.hexDigits, i &+ k) }
            let h = hexValue(base[i &+ k])
            guard h < 16 else { throw error(.hexDigits, i &+ k) }
            v = v << 4 | UInt16(h)
        }
        return v
    }

    /// Validates one UTF-8 sequence whose lead byte (>= 0x80) is at `i`; returns the offset after it.
    @inlinable @inline(__always)
    func validateUTF8(_ i: Int) throws(JSONParseError) -> Int {
        let end = count
        let b0 = base[i]
        @inline(__always) func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            i &+ k < end && base[i &+ k] >= lo && base[i &+ k] <= hi
        }
        if b0 >= 0xC2 && b0 <= 0xDF {
            if cont(1) { return i &+ 2 }
        } else if b0 >= 0xE0 && b0 <= 0xEF {
            let ok1 = b0 == 0xE0 ? cont(1, 0xA0) : (b0 == 0xED ? cont(1, 0x80, 0x9F) : cont(1))
            if ok1 && cont(2) { return i &+ 3 }
        } else if b0 >= 0xF0 && b0 <= 0xF4 {
            let ok1 = b0 == 0xF0 ? cont(1, 0x90) : (b0 == 0xF4 ? cont(1, 0x80, 0x8F) : cont(1))
            if ok1 && cont(2) && cont(3) { return i &+ 4 }
        }
        throw error(.invalidUTF8, i)
    }
}
/// All eight bytes of `w` (little-endian load) are ASCII digits (SWAR, as in simdjson).
@inlinable @inline(__always)
func isEightDigits(_ w: UInt64) -> Bool {
    (w & 0xF0F0_F0F0_F0F0_F0F0) | (((w &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) &>> 4)
        == 0x3333_3333_3333_3333
}

/// The value of eight ASCII digits loaded little-endian (first digit in the low byte).
@inlinable @inline(__always)
func parseEightDigits(_ w: UInt64) -> UInt64 {
    var v = w & 0x0F0F_0F0F_0F0F_0F0F
    v = (v &* 2561) &>> 8
    v = ((v & 0x00FF_00FF_00FF_00FF) &* 6_553_601) &>> 16
    return ((v & 0x0000_FFFF_0000_FFFF) &* 42_949_672_960_001) &>> 32
}

@inlinable @inline(__always)
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
