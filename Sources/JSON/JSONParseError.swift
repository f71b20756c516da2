// Errors reported by the JSON tokenizer, the tree parser and the document splitter.

/// A syntax error, with the position of the offending byte.
///
/// Positions are computed only when an error is thrown, by scanning the input up to the error:
/// - `offset` is the 0-based byte offset into the parsed buffer;
/// - `line` is 1-based; lines are separated by `\n` (a `\r` before it is part of the previous line);
/// - `column` is 1-based and counts **bytes** from the start of the line (so a line that starts with
///   `"é` puts the byte after `é` at column 4). Byte columns are unambiguous even for invalid UTF-8.
///
/// `description` reads like `line 3, column 14: trailing comma in object`.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for callers that branch on it. The human-readable detail is in `message`.
    public enum Kind: Sendable, Equatable, Hashable {
        /// The input is empty or only whitespace.
        case emptyInput
        /// The input ends inside a value, string or container.
        case unexpectedEndOfInput
        /// A byte that cannot start or continue the expected token.
        case unexpectedCharacter
        /// `[1,]` or `{"a":1,}`.
        case trailingComma
        /// A number that violates the RFC 8259 grammar (leading zeros, `1.`, `-`, `1e`).
        case invalidNumber
        /// A misspelled `true`, `false` or `null`.
        case invalidLiteral
        /// A backslash followed by something other than `" \ / b f n r t u`.
        case invalidEscape
        /// `\u` not followed by four hexadecimal digits.
        case invalidUnicodeEscape
        /// A `\uD800`–`\uDFFF` escape that is not part of a high+low surrogate pair.
        case loneSurrogate
        /// A raw byte U+0000…U+001F inside a string.
        case controlCharacterInString
        /// Bytes that are not well-formed UTF-8 (overlong, surrogate, truncated, > U+10FFFF, stray continuation).
        case invalidUTF8
        /// A UTF-8 byte order mark at the start and `allowByteOrderMark` is off.
        case byteOrderMark
        /// More nested arrays/objects than `maxDepth`.
        case depthLimitExceeded
        /// Non-whitespace after the top-level value.
        case trailingContent
        /// A repeated object key while `rejectDuplicateKeys` is on.
        case duplicateKey
    }

    /// What went wrong, for branching; see ``message`` for the text.
    public let kind: Kind
    /// 0-based byte offset of the offending byte (or the end of input).
    public let offset: Int
    /// 1-based line number.
    public let line: Int
    /// 1-based column, in bytes from the start of the line.
    public let column: Int
    /// What went wrong, without the position: `trailing comma in object`.
    public let message: String

    /// An error of `kind` at byte `offset` (0-based), `line` and byte `column` (1-based), described by `message`.
    public init(kind: Kind, offset: Int, line: Int, column: Int, message: String) {
        self.kind = kind
        self.offset = offset
        self.line = line
        self.column = column
        self.message = message
    }

    /// `line L, column C: message` (column in bytes).
    public var description: String { "line \(line), column \(column): \(message)" }

    /// Maps an error found while parsing one NDJSON record (whose positions are relative to the record) to
    /// the stream: the record starts at `lineNumber` / `byteOffset` (see `NDJSONLine`). Columns on the
    /// record's first line are unchanged (a record starts at column 1).
    public func relocated(toLine lineNumber: Int, byteOffset: Int) -> JSONParseError {
        JSONParseError(kind: kind, offset: byteOffset + offset, line: lineNumber + line - 1, column: column, message: message)
    }

    /// Builds an error at `offset` of the buffer, computing line and column.
    static func at(
        _ offset: Int, in base: UnsafePointer<UInt8>?, count: Int, kind: Kind, _ message: String
    ) -> JSONParseError {
        var line = 1
        var lineStart = 0
        let limit = min(offset, count)
        if let base {
            var i = 0
            while i < limit {
                if base[i] == 0x0A { line += 1; lineStart = i + 1 }
                i += 1
            }
        }
        return JSONParseError(kind: kind, offset: offset, line: line, column: offset - lineStart + 1, message: message)
    }
}

/// Describes a byte for error messages: `'x'`, `newline`, `byte 0xff`.
func describeByte(_ b: UInt8) -> String {
    if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
    switch b {
    case 0x20: return "space"
    case 0x0A: return "newline"
    case 0x0D: return "carriage return"
    case 0x09: return "tab"
    default:
        let hex = String(b, radix: 16)
        return "byte 0x" + (hex.count == 1 ? "0" + hex : hex)
    }
}
