// Tree parser and document splitter on top of `JSONTokenizer`.

/// Parses whole documents into `JSONValue` trees.
///
/// Strict RFC 8259 (see `JSONTokenizer`); iterative with explicit stacks, so nesting is limited only by
/// `JSONParserOptions.maxDepth` (default 1024), never by the thread's stack.
public struct JSONParser {
    private init() {}

    /// Parses exactly one JSON value (surrounded by optional whitespace).
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, options: JSONParserOptions = JSONParserOptions()
    ) throws(JSONParseError) -> JSONValue {
        var opts = options
        opts.multipleDocuments = false
        var tokenizer = JSONTokenizer(bytes, options: opts)
        guard let v = try parseValue(&tokenizer, rejectDuplicates: options.rejectDuplicateKeys) else {
            throw JSONParseError.at(0, in: nil, count: 0, kind: .emptyInput, "empty input, expected a JSON value")
        }
        let t = try tokenizer.next()
        assert(t == .endOfDocument)
        return v
    }

    /// Parses exactly one JSON value from `bytes` (see the `UnsafeRawBufferPointer` overload).
    ///
    /// - Throws: ``JSONParseError`` at the first syntax error, excess depth or trailing content.
    public static func parse(
        _ bytes: [UInt8], options: JSONParserOptions = JSONParserOptions()
    ) throws(JSONParseError) -> JSONValue {
        let r: Result<JSONValue, JSONParseError> = bytes.withUnsafeBytes { buf in
            Result { () throws(JSONParseError) in try parse(buf, options: options) }
        }
        return try r.get()
    }

    /// Parses exactly one JSON value from the UTF-8 of `text`.
    ///
    /// - Throws: ``JSONParseError`` at the first syntax error, excess depth or trailing content.
    public static func parse(
        _ text: String, options: JSONParserOptions = JSONParserOptions()
    ) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8), options: options)
    }

    /// Reads the next complete value from `tokenizer` (which may be positioned inside a larger document,
    /// e.g. a converter that wants one subtree as a tree). Returns `nil` at `.endOfDocument`.
    public static func parseValue(
        _ tokenizer: inout JSONTokenizer, rejectDuplicates: Bool = false
    ) throws(JSONParseError) -> JSONValue? {
        // Parallel stacks: container kinds, open arrays, open objects with their pending keys.
        var kinds: [Bool] = []  // true = object
        var arrays: [[JSONValue]] = []
        var objects: [JSONObject] = []
        var keys: [String] = []
        var keyOffsets: [Int] = []
        var result: JSONValue? = nil

        while true {
            let token = try tokenizer.next()
            var value: JSONValue
            switch token {
            case .objectStart:
                kinds.append(true)
                objects.append(JSONObject())
                continue
            case .arrayStart:
                kinds.append(false)
                arrays.append([])
                continue
            case .key(let k):
                keys.append(tokenizer.string(of: k))
                keyOffsets.append(k.start - 1)
                continue
            case .objectEnd:
                kinds.removeLast()
                value = .object(objects.removeLast())
            case .arrayEnd:
                kinds.removeLast()
                value = .array(arrays.removeLast())
            case .string(let s):
                value = .string(tokenizer.string(of: s))
            case .number(let n):
                value = .number(JSONNumber(validatedText: String(decoding: tokenizer.bytes(of: n), as: UTF8.self)))
            case .bool(let b):
                value = .bool(b)
            case .null:
                value = .null
            case .endOfDocument:
                return nil
            }
            guard let isObject = kinds.last else {
                result = value
                break
            }
            if isObject {
                let key = keys.removeLast()
                let offset = keyOffsets.removeLast()
                let duplicate = objects[objects.count - 1].append(key: key, value: value)
                if duplicate && rejectDuplicates {
                    throw JSONParseError.at(
                        offset, in: tokenizer.base, count: tokenizer.count, kind: .duplicateKey,
                        "duplicate key \"\(key)\" in object")
                }
            } else {
                arrays[arrays.count - 1].append(value)
            }
        }
        return result
    }

    /// The result of `splitDocuments`: the byte ranges of the consecutive top-level values found, and the
    /// error that stopped the split, if any (values after an error cannot be located reliably).
    public struct DocumentSplit: Sendable, Equatable {
        /// Byte ranges of the values found, in order, each without surrounding whitespace.
        public var ranges: [Range<Int>]
        /// The error that ended the split early, or `nil` when the whole input was split.
        public var error: JSONParseError?

        /// A split result with `ranges` and the stopping `error`.
        public init(ranges: [Range<Int>], error: JSONParseError? = nil) {
            self.ranges = ranges
            self.error = error
        }
    }

    /// Splits `bytes` (typically one NDJSON line) into consecutive top-level JSON values:
    /// `{"a":1} {"a":2}` and `[1][2]` give two ranges each; whitespace-only input gives none.
    /// Each value is fully validated; ranges exclude surrounding whitespace.
    public static func splitDocuments(
        _ bytes: UnsafeRawBufferPointer, options: JSONParserOptions = JSONParserOptions()
    ) -> DocumentSplit {
        var opts = options
        opts.multipleDocuments = true
        var tokenizer = JSONTokenizer(bytes, options: opts)
        var ranges: [Range<Int>] = []
        var start = -1
        while true {
            let token: JSONToken
            do {
                token = try tokenizer.next()
            } catch {
                return DocumentSplit(ranges: ranges, error: error)
            }
            if token == .endOfDocument { return DocumentSplit(ranges: ranges, error: nil) }
            if start < 0 { start = tokenizer.tokenStart }
            if tokenizer.depth == 0 {
                ranges.append(start..<tokenizer.position)
                start = -1
            }
        }
    }

    /// Splits `bytes` into consecutive top-level JSON values (see
    /// the `UnsafeRawBufferPointer` overload).
    public static func splitDocuments(
        _ bytes: [UInt8], options: JSONParserOptions = JSONParserOptions()
    ) -> DocumentSplit {
        bytes.withUnsafeBytes { splitDocuments($0, options: options) }
    }
}
