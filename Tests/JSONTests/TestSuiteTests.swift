import Foundation
import Testing

import JSON

/// Tests generated from nst/JSONTestSuite (`TestVectors/json-test-suite`). Choices for the `i_` files are in
/// `implementationDefined` below and in `TestVectors/json-test-suite/DECISIONS.md`.
enum Vectors {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("TestVectors/json-test-suite")
    static let parsingDir = root.appendingPathComponent("test_parsing")
    static let transformDir = root.appendingPathComponent("test_transform")

    static func files(_ dir: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
            .filter { $0.hasSuffix(".json") }.sorted()
    }

    static let parsingFiles = files(parsingDir)
    static let yesFiles = parsingFiles.filter { $0.hasPrefix("y_") }
    static let transformFiles = files(transformDir)

    static func bytes(_ dir: URL, _ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: dir.appendingPathComponent(name)))
    }
}

/// `true` = accepted, `false` = rejected (with the error kind we expect).
let implementationDefined: [String: JSONParseError.Kind?] = [
    // Numbers: always accepted and kept exact as text; `double` over/underflows to ±inf / ±0.
    "i_number_double_huge_neg_exp.json": nil,
    "i_number_huge_exp.json": nil,
    "i_number_neg_int_huge_exp.json": nil,
    "i_number_pos_double_huge_exp.json": nil,
    "i_number_real_neg_overflow.json": nil,
    "i_number_real_pos_overflow.json": nil,
    "i_number_real_underflow.json": nil,
    "i_number_too_big_neg_int.json": nil,
    "i_number_too_big_pos_int.json": nil,
    "i_number_very_big_negative_int.json": nil,
    // Escaped surrogates must come in high+low pairs.
    "i_object_key_lone_2nd_surrogate.json": .loneSurrogate,
    "i_string_1st_surrogate_but_2nd_missing.json": .loneSurrogate,
    "i_string_1st_valid_surrogate_2nd_invalid.json": .loneSurrogate,
    "i_string_incomplete_surrogate_and_escape_valid.json": .loneSurrogate,
    "i_string_incomplete_surrogate_pair.json": .loneSurrogate,
    "i_string_incomplete_surrogates_escape_valid.json": .loneSurrogate,
    "i_string_invalid_lonely_surrogate.json": .loneSurrogate,
    "i_string_invalid_surrogate.json": .loneSurrogate,
    "i_string_inverted_surrogates_U+1D11E.json": .loneSurrogate,
    "i_string_lone_second_surrogate.json": .loneSurrogate,
    // Input must be UTF-8.
    "i_string_UTF-16LE_with_BOM.json": .unexpectedCharacter,
    "i_string_utf16BE_no_BOM.json": .unexpectedCharacter,
    "i_string_utf16LE_no_BOM.json": .unexpectedCharacter,
    "i_string_UTF-8_invalid_sequence.json": .invalidUTF8,
    "i_string_UTF8_surrogate_U+D800.json": .invalidUTF8,
    "i_string_invalid_utf-8.json": .invalidUTF8,
    "i_string_iso_latin_1.json": .invalidUTF8,
    "i_string_lone_utf8_continuation_byte.json": .invalidUTF8,
    "i_string_not_in_unicode_range.json": .invalidUTF8,
    "i_string_overlong_sequence_2_bytes.json": .invalidUTF8,
    "i_string_overlong_sequence_6_bytes.json": .invalidUTF8,
    "i_string_overlong_sequence_6_bytes_null.json": .invalidUTF8,
    "i_string_truncated-utf-8.json": .invalidUTF8,
    // Structure: 500 levels are within the default limit of 1024; a BOM is rejected unless
    // `allowByteOrderMark` is set.
    "i_structure_500_nested_arrays.json": nil,
    "i_structure_UTF-8_BOM_empty_object.json": .byteOrderMark,
]

@Suite("JSONTestSuite")
struct JSONTestSuiteTests {
    @Test func vectorsArePresent() {
        #expect(Vectors.parsingFiles.count == 318)
        #expect(Vectors.transformFiles.count == 22)
        let iFiles = Set(Vectors.parsingFiles.filter { $0.hasPrefix("i_") })
        #expect(iFiles == Set(implementationDefined.keys), "every i_ file needs a decision")
    }

    @Test(arguments: Vectors.parsingFiles)
    func parsing(_ name: String) throws {
        let bytes = try Vectors.bytes(Vectors.parsingDir, name)
        let clock = ContinuousClock()
        let started = clock.now
        let result = Result { () throws(JSONParseError) in try JSONParser.parse(bytes) }
        let elapsed = clock.now - started
        #expect(elapsed < .seconds(2), "\(name) took \(elapsed)")

        // The tokenizer alone must agree with the tree parser.
        let tokenizerOK: Bool = bytes.withUnsafeBytes { buf in
            var t = JSONTokenizer(buf)
            while true {
                guard let tok = try? t.next() else { return false }
                if tok == .endOfDocument { return true }
            }
        }

        switch name.prefix(2) {
        case "y_":
            if case .failure(let e) = result { Issue.record("\(name) rejected: \(e)") }
            #expect(tokenizerOK)
        case "n_":
            if case .success(let v) = result { Issue.record("\(name) accepted: \(JSONSerializer.string(v))") }
            if case .failure(let e) = result {
                #expect(e.line >= 1 && e.column >= 1 && !e.message.isEmpty)
                #expect(e.offset <= bytes.count)
            }
            #expect(!tokenizerOK)
        default:
            let decision = try #require(implementationDefined[name], "no decision for \(name)")
            switch (decision, result) {
            case (nil, .success):
                #expect(tokenizerOK)
            case (let kind?, .failure(let e)):
                #expect(e.kind == kind, "\(name): \(e)")
                #expect(!tokenizerOK)
            case (nil, .failure(let e)):
                Issue.record("\(name) should be accepted, got \(e)")
            case (_?, .success):
                Issue.record("\(name) should be rejected")
            }
        }
    }

    @Test func deepNestingFailsFastWithDepthError() throws {
        let bytes = try Vectors.bytes(Vectors.parsingDir, "n_structure_100000_opening_arrays.json")
        #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
        do {
            _ = try JSONParser.parse(bytes)
        } catch {
            #expect(error.kind == .depthLimitExceeded)
            #expect(error.offset == 1024)
            #expect(error.description == "line 1, column 1025: nesting deeper than 1024 levels")
        }
    }

    @Test func byteOrderMarkAcceptedWhenAllowed() throws {
        let bytes = try Vectors.bytes(Vectors.parsingDir, "i_structure_UTF-8_BOM_empty_object.json")
        let v = try JSONParser.parse(bytes, options: JSONParserOptions(allowByteOrderMark: true))
        #expect(v == .object(JSONObject()))
        #expect(throws: JSONParseError.self) {
            try JSONParser.parse(Vectors.bytes(Vectors.parsingDir, "n_structure_UTF8_BOM_no_data.json"),
                                 options: JSONParserOptions(allowByteOrderMark: true))
        }
    }

    @Test func hugeNumbersKeptExact() throws {
        let v = try JSONParser.parse(Vectors.bytes(Vectors.parsingDir, "i_number_huge_exp.json"))
        let n = try #require(v[0]?.numberValue)
        #expect(n.text.hasPrefix("0.4e0066999999999"))
        #expect(n.double == .infinity && n.overflowsDouble)
        let neg = try #require(try JSONParser.parse(Vectors.bytes(Vectors.parsingDir, "i_number_real_neg_overflow.json"))[0]?.numberValue)
        #expect(neg.double == -.infinity)
        let under = try #require(try JSONParser.parse(Vectors.bytes(Vectors.parsingDir, "i_number_real_underflow.json"))[0]?.numberValue)
        #expect(under.double == 0 && !under.decimal.isZero)
        let big = try #require(try JSONParser.parse(Vectors.bytes(Vectors.parsingDir, "i_number_very_big_negative_int.json"))[0]?.numberValue)
        #expect(big.int64 == nil && big.isInteger)
        #expect(big.text == "-237462374673276894279832749832423479823246327846")
    }

    /// parse → serialize → parse gives an equal tree, and serializing is idempotent.
    @Test(arguments: Vectors.yesFiles)
    func roundTrip(_ name: String) throws {
        let v = try JSONParser.parse(Vectors.bytes(Vectors.parsingDir, name))
        let out = JSONSerializer.serialize(v)
        let w = try JSONParser.parse(out)
        #expect(v == w)
        #expect(JSONSerializer.serialize(w) == out)
    }
}

@Suite("JSONTestSuite transform")
struct TransformTests {
    func parse(_ name: String, _ options: JSONParserOptions = JSONParserOptions()) throws(JSONParseError) -> JSONValue {
        let bytes = (try? Vectors.bytes(Vectors.transformDir, name)) ?? []
        return try JSONParser.parse(bytes, options: options)
    }

    func number(_ name: String) throws -> JSONNumber {
        try #require(try parse(name)[0]?.numberValue)
    }

    @Test func allFilesHaveAnAssertedOutcome() {
        #expect(Set(Vectors.transformFiles) == Set(TransformTests.covered))
    }

    static let covered = [
        "number_-9223372036854775808.json", "number_-9223372036854775809.json", "number_1.0.json",
        "number_1.000000000000000005.json", "number_1000000000000000.json", "number_10000000000000000999.json",
        "number_1e-999.json", "number_1e6.json", "number_9223372036854775807.json",
        "number_9223372036854775808.json", "object_key_nfc_nfd.json", "object_key_nfd_nfc.json",
        "object_same_key_different_values.json", "object_same_key_same_value.json",
        "object_same_key_unclear_values.json", "string_1_escaped_invalid_codepoint.json",
        "string_1_invalid_codepoint.json", "string_2_escaped_invalid_codepoints.json",
        "string_2_invalid_codepoints.json", "string_3_escaped_invalid_codepoints.json",
        "string_3_invalid_codepoints.json", "string_with_escaped_NULL.json",
    ]

    @Test func integersAtInt64Bounds() throws {
        #expect(try number("number_-9223372036854775808.json").int64 == Int64.min)
        #expect(try number("number_9223372036854775807.json").int64 == Int64.max)
        #expect(try number("number_9223372036854775807.json").uint64 == UInt64(Int64.max))
        let below = try number("number_-9223372036854775809.json")
        #expect(below.int64 == nil && below.uint64 == nil && below.isInteger)
        #expect(below.text == "-9223372036854775809")
        #expect(below.double == -9223372036854775808.0)
        let above = try number("number_9223372036854775808.json")
        #expect(above.int64 == nil && above.uint64 == 9_223_372_036_854_775_808)
        let big = try number("number_10000000000000000999.json")
        #expect(big.int64 == nil && big.uint64 == 10_000_000_000_000_000_999)
        #expect(try number("number_1000000000000000.json").int64 == 1_000_000_000_000_000)
    }

    @Test func numbersKeepTheirLiteral() throws {
        let one = try number("number_1.0.json")
        #expect(one.text == "1.0" && one.isInteger && !one.isIntegerLiteral && one.int64 == 1)
        #expect(JSONSerializer.string(try parse("number_1.0.json")) == "[1.0]")
        let close = try number("number_1.000000000000000005.json")
        #expect(close.text == "1.000000000000000005" && !close.isInteger)
        #expect(close.double == 1.0)
        #expect(close != JSONNumber(1))  // exact, unlike the double
        let tiny = try number("number_1e-999.json")
        #expect(tiny.text == "1E-999" && tiny.double == 0 && tiny.decimal.exponent == -999)
        let million = try number("number_1e6.json")
        #expect(million.text == "1E6" && million.int64 == 1_000_000 && million.isInteger)
        #expect(JSONSerializer.string(try parse("number_1e6.json")) == "[1E6]")
    }

    @Test func keysAreComparedByBytesNotCanonicalEquivalence() throws {
        for name in ["object_key_nfc_nfd.json", "object_key_nfd_nfc.json"] {
            let o = try #require(try parse(name).objectValue)
            #expect(o.count == 2 && !o.hasDuplicateKeys)
            #expect(o["\u{E9}"] == .string("NFC"))
            #expect(o["e\u{301}"] == .string("NFD"))
        }
    }

    @Test func duplicateKeysLastWinsAndFlagged() throws {
        let o = try #require(try parse("object_same_key_different_values.json").objectValue)
        #expect(o.count == 1 && o.hasDuplicateKeys && o["a"] == 2)
        let same = try #require(try parse("object_same_key_same_value.json").objectValue)
        #expect(same.count == 1 && same.hasDuplicateKeys && same["a"] == 1)
        let unclear = try #require(try parse("object_same_key_unclear_values.json").objectValue)
        #expect(unclear.hasDuplicateKeys && unclear["a"]?.numberValue?.text == "-0")
        #expect(unclear["a"] == 0)  // -0 == 0 mathematically
        #expect(JSONSerializer.string(.object(unclear)) == #"{"a":-0}"#)
        do {
            _ = try parse("object_same_key_different_values.json", JSONParserOptions(rejectDuplicateKeys: true))
            Issue.record("duplicate accepted")
        } catch {
            #expect(error.kind == .duplicateKey)
            #expect(error.description == #"line 1, column 8: duplicate key "a" in object"#)
        }
    }

    @Test(arguments: [
        "string_1_escaped_invalid_codepoint.json", "string_2_escaped_invalid_codepoints.json",
        "string_3_escaped_invalid_codepoints.json",
    ])
    func escapedLoneSurrogatesRejected(_ name: String) {
        #expect(throws: JSONParseError.self) { try parse(name) }
        do { _ = try parse(name) } catch { #expect(error.kind == .loneSurrogate) }
    }

    @Test(arguments: [
        "string_1_invalid_codepoint.json", "string_2_invalid_codepoints.json", "string_3_invalid_codepoints.json",
    ])
    func encodedSurrogatesRejected(_ name: String) {
        do {
            _ = try parse(name)
            Issue.record("accepted")
        } catch {
            #expect(error.kind == .invalidUTF8)
            #expect(error.description == "line 1, column 3: invalid UTF-8 in string: encoded surrogate (U+D800..U+DFFF) (byte 0xed)")
        }
    }

    @Test func escapedNul() throws {
        let v = try parse("string_with_escaped_NULL.json")
        #expect(v == ["A\u{0}B"])
        #expect(JSONSerializer.string(v) == #"["A\u0000B"]"#)
    }
}
