import Foundation
import Testing
@testable import JSONSchema

// MARK: - Official test suite loading (shared with FormatTests)

enum SuiteFiles {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .appendingPathComponent("TestVectors/json-schema-test-suite/tests")

    /// Parses a suite file into its groups (JSON arrays of {description, schema, tests}).
    static func groups(_ relativePath: String) -> [[String: Any]] {
        let url = root.appendingPathComponent(relativePath)
        guard let data = try? Data(contentsOf: url),
              let json = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) as? [[String: Any]]
        else { return [] }
        return json
    }

    static func files(in relativeDir: String) -> [String] {
        let dir = root.appendingPathComponent(relativeDir)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().map { relativeDir + "/" + $0 }
    }
}

/// JSON numbers decode as NSNumber; booleans too. Distinguish them.
func isJSONBool(_ v: Any) -> Bool {
    String(describing: type(of: v)).contains("Boolean") || type(of: v) == Bool.self
}

// MARK: - Regex cases from the suite

/// One regex-related suite case: a pattern (or patternProperties schema) and an instance.
struct RegexSuiteCase: CustomTestStringConvertible, Sendable {
    enum Kind: Sendable {
        /// `pattern`: the string instance must (not) match.
        case pattern(String, String)
        /// `patternProperties` evaluated by a tiny evaluator (keys only need the regex engine).
        case patternProperties(schemaJSON: String, dataJSON: String)
    }
    let file: String
    let group: String
    let description: String
    let kind: Kind
    let valid: Bool

    var testDescription: String { "\(file): \(group) / \(description)" }
}

enum RegexSuite {
    static let files = [
        "draft2020-12/optional/ecmascript-regex.json",
        "draft2020-12/optional/non-bmp-regex.json",
        "draft2020-12/pattern.json",
        "draft2020-12/patternProperties.json",
    ]

    static func json(_ v: Any) -> String {
        let d = try! JSONSerialization.data(withJSONObject: v, options: [.fragmentsAllowed])
        return String(decoding: d, as: UTF8.self)
    }

    static let cases: [RegexSuiteCase] = {
        var out: [RegexSuiteCase] = []
        for f in files {
            let short = f.replacingOccurrences(of: "draft2020-12/", with: "")
            for g in SuiteFiles.groups(f) {
                guard let schema = g["schema"] as? [String: Any], let tests = g["tests"] as? [[String: Any]] else { continue }
                let gd = g["description"] as? String ?? "?"
                for t in tests {
                    let d = t["description"] as? String ?? "?"
                    let valid = (t["valid"] as? Bool) ?? false
                    if let p = schema["pattern"] as? String {
                        guard let s = t["data"] as? String else { continue }  // non-strings are ignored
                        out.append(RegexSuiteCase(file: short, group: gd, description: d, kind: .pattern(p, s), valid: valid))
                    } else if schema["patternProperties"] != nil {
                        guard let data = t["data"] as? [String: Any] else { continue }  // non-objects are ignored
                        out.append(RegexSuiteCase(file: short, group: gd, description: d,
                                                  kind: .patternProperties(schemaJSON: json(schema), dataJSON: json(data)),
                                                  valid: valid))
                    }
                }
            }
        }
        return out
    }()

    /// Evaluates the subset of keywords these files use next to patternProperties.
    static func validate(schema: Any, instance: Any) throws -> Bool {
        if isJSONBool(schema), let b = schema as? Bool { return b }
        guard let s = schema as? [String: Any] else { return true }
        if let type = s["type"] as? String {
            switch type {
            case "integer":
                guard let n = instance as? NSNumber, !isJSONBool(n), n.doubleValue.rounded() == n.doubleValue else { return false }
            case "number":
                guard let n = instance as? NSNumber, !isJSONBool(n) else { return false }
            case "string": if !(instance is String) { return false }
            case "boolean": guard let n = instance as? NSNumber, isJSONBool(n) else { return false }
            case "null": if !(instance is NSNull) { return false }
            case "object": if !(instance is [String: Any]) { return false }
            default: break
            }
        }
        if let max = s["maximum"] as? NSNumber, let n = instance as? NSNumber, !isJSONBool(n) {
            if n.doubleValue > max.doubleValue { return false }
        }
        if let pp = s["patternProperties"] as? [String: Any], let obj = instance as? [String: Any] {
            for (key, value) in obj {
                var matched = false
                for (pattern, sub) in pp {
                    if try ECMARegex(pattern).matches(in: key) {
                        matched = true
                        if try !validate(schema: sub, instance: value) { return false }
                    }
                }
                if !matched, let ap = s["additionalProperties"], try !validate(schema: ap, instance: value) { return false }
            }
        }
        return true
    }
}

@Suite("ECMA-262 regex: official suite")
struct RegexSuiteTests {
    @Test(arguments: RegexSuite.cases)
    func suiteCase(_ c: RegexSuiteCase) throws {
        switch c.kind {
        case .pattern(let p, let s):
            let re = try ECMARegex(p)
            #expect(try re.matches(in: s) == c.valid)
        case .patternProperties(let schemaJSON, let dataJSON):
            let schema = try JSONSerialization.jsonObject(with: Data(schemaJSON.utf8))
            let data = try JSONSerialization.jsonObject(with: Data(dataJSON.utf8))
            #expect(try RegexSuite.validate(schema: schema, instance: data) == c.valid)
        }
    }

    @Test func suiteIsLoaded() {
        #expect(RegexSuite.cases.count > 80)
    }
}

// MARK: - Unit tests

private func m(_ pattern: String, _ input: String) throws -> Bool {
    try ECMARegex(pattern).matches(in: input)
}

private func syntaxError(_ pattern: String) -> RegexSyntaxError? {
    do {
        _ = try ECMARegex(pattern)
        return nil
    } catch {
        return error
    }
}

@Suite("ECMA-262 regex: matching")
struct RegexMatchingTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let pattern: String, input: String, expected: Bool
        init(_ p: String, _ i: String, _ e: Bool) { pattern = p; input = i; expected = e }
        var testDescription: String { "/\(pattern)/ on \(input.debugDescription) → \(expected)" }
    }

    static let cases: [Case] = [
        // literals, search semantics, anchors
        Case("abc", "xxabcxx", true), Case("abc", "ab", false), Case("^abc", "abcd", true), Case("^abc", "xabc", false),
        Case("abc$", "xabc", true), Case("abc$", "abc\n", false), Case("^abc$", "abc", true), Case("", "anything", true),
        Case("^$", "", true), Case("^$", "a", false), Case("a|b", "zzb", true), Case("^(a|b)$", "c", false),
        Case("caf\u{E9}", "un caf\u{E9}", true), Case("caf\u{E9}", "cafe\u{301}", false),
        // dot and line terminators
        Case("^.$", "a", true), Case("^.$", "\n", false), Case("^.$", "\r", false), Case("^.$", "\u{2028}", false),
        Case("^.$", "\u{2029}", false), Case("^.$", "🐲", true), Case("^..$", "🐲", false), Case("a.c", "a\u{85}c", true),
        // quantifiers
        Case("^a*$", "", true), Case("^a+$", "", false), Case("^a?b$", "b", true), Case("^a{2}$", "aa", true),
        Case("^a{2}$", "aaa", false), Case("^a{2,}$", "aaaaa", true), Case("^a{2,3}$", "aaaa", false),
        Case("^a{0}$", "", true), Case("^a{1,3}?$", "aaa", true), Case("^a+?b$", "aaab", true), Case("^(ab)*c$", "ababc", true),
        Case("^(a*)*$", "aaaa", true), Case("^(a*)*b$", "aaaa", false), Case("^(a|ab)(c|bcd)(d*)$", "abcd", true),
        Case("^🐲{2}$", "🐲🐲", true), Case("^[🐲🐉]+$", "🐉🐲", true),
        // classes
        Case("^[a-z]+$", "hello", true), Case("^[a-z]+$", "Hello", false), Case("^[^a-z]+$", "ABC", true),
        Case("^[]$", "a", false), Case("^[^]$", "\n", true), Case("^[\\d-]+$", "1-2", true), Case("^[-a]$", "-", true),
        Case("^[a-]$", "-", true), Case("^[\\-]$", "-", true), Case("^[\\b]$", "\u{8}", true), Case("^[\\w.]+$", "a.b_c", true),
        Case("^[^\\d]$", "a", true), Case("^[^\\d]$", "5", false), Case("^[\\D]$", "5", false), Case("^[\\S\\s]$", "\n", true),
        Case("^[\\u0041-\\u005A]+$", "AZ", true), Case("^[\\u{1F400}-\\u{1F4FF}]$", "🐲", true), Case("^[\\x41]$", "A", true),
        Case("^[\\p{Lu}\\d]+$", "A1B2", true), Case("^[\\P{L}]+$", "123", true), Case("^[\\P{L}]+$", "a", false),
        Case("^[^\\P{L}]+$", "abc", true), Case("^[^\\P{L}]+$", "ab1", false),
        // escapes
        Case("^\\t\\n\\r\\v\\f$", "\t\n\r\u{B}\u{C}", true), Case("^\\cJ$", "\n", true), Case("^\\0$", "\0", true),
        Case("^\\x41\\u0042\\u{43}$", "ABC", true), Case("^\\ud83d\\udc32$", "🐲", true), Case("^\\u{1F432}$", "🐲", true),
        Case("^\\/\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$\\\\$", "/.*+?()[]{}|^$\\", true),
        Case("^\\d+$", "0123456789", true), Case("^\\d$", "\u{0660}", false), Case("^\\w+$", "a_Z9", true), Case("^\\w$", "é", false),
        Case("^\\s$", "\u{FEFF}", true), Case("^\\s$", "\u{3000}", true), Case("^\\s$", "\u{180E}", false), Case("^\\S$", "\u{180E}", true),
        // word boundaries
        Case("\\bfoo\\b", "a foo b", true), Case("\\bfoo\\b", "afoob", false), Case("\\Bfoo", "afoo", true), Case("^\\B$", "", true),
        Case("\\bé", "é", false),
        // unicode properties
        Case("^\\p{L}+$", "héllo", true), Case("^\\p{Lu}$", "É", true), Case("^\\p{Ll}$", "É", false), Case("^\\p{Lt}$", "ǅ", true),
        Case("^\\p{Lm}$", "ʰ", true), Case("^\\p{Lo}$", "中", true), Case("^\\p{N}+$", "1½Ⅻ", true), Case("^\\p{Nd}$", "٣", true),
        Case("^\\p{Nl}$", "Ⅻ", true), Case("^\\p{No}$", "½", true), Case("^\\p{P}+$", "!?", true), Case("^\\p{Pd}$", "-", true),
        Case("^\\p{S}+$", "+$", true), Case("^\\p{Sc}$", "€", true), Case("^\\p{Sm}$", "+", true), Case("^\\p{Zs}$", " ", true),
        Case("^\\p{Z}$", "\u{2028}", true), Case("^\\p{Cc}$", "\u{1}", true), Case("^\\p{C}$", "\u{200B}", true),
        Case("^\\p{General_Category=Letter}$", "x", true), Case("^\\p{gc=Nd}$", "7", true), Case("^\\P{L}$", "7", true),
        Case("^\\p{Script=Greek}+$", "αβγ", true), Case("^\\p{sc=Grek}$", "a", false), Case("^\\p{Script=Latin}+$", "abcé", true),
        Case("^\\p{Script=Cyrillic}+$", "Жизнь", true), Case("^\\p{Script=Han}+$", "漢字", true),
        Case("^\\p{Script=Hiragana}+$", "ひらがな", true), Case("^\\p{Script=Katakana}+$", "カタカナ", true),
        Case("^\\p{Script=Arabic}+$", "عربي", true), Case("^\\p{Script=Hebrew}+$", "עברית", true),
        Case("^\\p{scx=Hira}$", "\u{30FC}", true), Case("^\\p{Script=Hiragana}$", "\u{30FC}", false),
        Case("^\\p{ASCII}+$", "abc", true), Case("^\\p{ASCII}$", "é", false), Case("^\\p{Any}$", "\u{10FFFF}", true),
        Case("^\\p{Alphabetic}$", "é", true), Case("^\\p{White_Space}$", "\u{85}", true), Case("^\\p{Emoji}$", "🐲", true),
        Case("^\\p{Uppercase}$", "A", true), Case("^\\p{Lowercase}$", "A", false),
        // groups, alternation, named groups
        Case("^(?:ab|cd)+$", "abcdab", true), Case("^(?<year>\\d{4})-(?<month>\\d{2})$", "2024-01", true),
        // backreferences (backtracking engine)
        Case("^(a+)b\\1$", "aaabaaa", true), Case("^(a+)b\\1$", "aaabaa", false), Case("(\\w)\\1", "hello", true),
        Case("(\\w)\\1", "helo", false), Case("^(?<q>['\"]).*\\k<q>$", "'x'", true), Case("^(?<q>['\"]).*\\k<q>$", "'x\"", false),
        Case("^\\k<n>(?<n>a)$", "a", true), Case("^(a)?\\1b$", "b", true), Case("^(?:(a)|b)+\\1$", "ab", true),
        Case("^(?:(a)|b)+\\1$", "aba", false), Case("^\\1(a)$", "a", true),
        // lookaround
        Case("^(?=.*\\d)(?=.*[a-z]).{6,}$", "abc123", true), Case("^(?=.*\\d)(?=.*[a-z]).{6,}$", "abcdef", false),
        Case("^(?!abc).*$", "abd", true), Case("^(?!abc).*$", "abcd", false), Case("foo(?=bar)", "foobar", true),
        Case("foo(?=bar)", "foobaz", false), Case("foo(?!bar)", "foobaz", true), Case("(?<=\\$)\\d+", "cost $42", true),
        Case("(?<=\\$)\\d+", "cost 42", false), Case("(?<!\\$)\\b\\d+", "cost 42", true), Case("(?<!\\$)\\b\\d+", "$42", false),
        Case("(?<=a+)b", "aaab", true), Case("(?<=^a+)b", "xab", false), Case("(?<=\\1(\\w))c", "aac", true),
        Case("(?<=\\1(\\w))c", "abc", false), Case("(?<=(\\w)\\1)c", "abc", true), Case("^(?=(a+))a*b\\1$", "aaba", false), Case("^(?=(a+))a*b\\1$", "aaabaaa", true),
        Case("(?<=(?<!x)a)b", "ab", true), Case("(?<=(?<!x)a)b", "xab", false), Case("^(?!(a)b)\\1?a", "ac", true),
    ]

    @Test(arguments: cases)
    func matching(_ c: Case) throws {
        #expect(try m(c.pattern, c.input) == c.expected)
    }

    @Test func engineSelection() throws {
        #expect(try ECMARegex("abc").engine == "literal")
        #expect(try ECMARegex("^abc$").engine == "literal")
        #expect(try ECMARegex("a+").engine == "pike")
        #expect(try ECMARegex("(a)\\1").engine == "backtrack")
        #expect(try ECMARegex("(?=a)").engine == "backtrack")
        #expect(try ECMARegex("(?<n>a)").groupNames == ["n": 1])
        #expect(try ECMARegex("(a)(?:b)(c)").captureGroupCount == 2)
    }

    @Test func literalFastPathIsScalarExact() throws {
        // Canonically equivalent but different scalars must not match (Swift String == would say equal).
        #expect(try m("^\u{E9}$", "e\u{301}") == false)
        #expect(try m("\u{E9}", "xx\u{E9}yy") == true)
        #expect(try m("^ab", "a") == false)
        #expect(try m("ab$", "b") == false)
    }

    @Test func compileOnceMatchMany() throws {
        let re = try ECMARegex("^[a-z]+@[a-z]+\\.com$")
        for _ in 0..<1000 { #expect(try re.matches(in: "user@example.com")) }
        #expect(try !re.matches(in: "user@example.org"))
    }
}

@Suite("ECMA-262 regex: syntax errors")
struct RegexSyntaxTests {
    static let invalid: [String] = [
        "(", ")", "(abc", "abc)", "[abc", "a{2,1}", "\\p{Invalid}", "\\p{Script=Klingon}", "\\p{L", "\\pL",
        "\\c", "\\c1", "{", "a{", "a{1", "}", "]", "a**", "a+*", "*a", "+", "?", "a{1}{2}", "\\", "a\\",
        "\\a", "\\e", "\\q", "\\-", "\\u12", "\\u{110000}", "\\u{}", "\\x1", "\\01", "\\1", "(a)\\2", "\\k<x>",
        "\\k", "(?<n>a)\\k<m>", "(?<n>a)(?<n>b)", "(?<1n>a)", "(?<>a)", "(?P<name>x)", "(?#c)", "(?i)a",
        "(?=a)*", "(?!a)+", "(?<=a)?", "^*", "$+", "\\b*", "[b-a]", "[\\d-z]", "[a-\\d]", "[\\B]", "[\\1]",
        "[\\c]", "\\P{Any", "[\\p{L}--]", "(?<name", "(?:", "(?", "a|*",
    ]

    static let valid: [String] = [
        "", "a", "[]", "[^]", "\\cA", "\\ca", "(?<name>x)", "(?<n>a)\\k<n>", "(?<=a+)b", "(?<!a)b", "(?=a)", "(?!a)",
        "([abc])+\\s+$", "^\\p{L}\\p{Nd}\\p{Script=Latin}\\p{scx=Grek}\\p{gc=Lu}$", "[\\-\\]\\\\]", "a{0}", "a{0,}", "a{3,3}?",
        "\\0", "\\u{10FFFF}", "\\uD83D\\uDC32", "\\/", "[\\b]", "(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\\10", "\\1(a)",
        "[\\p{L}-]", "[\\d-]", "[--a]", "^(?:a|b|)+$", "\\k<n>(?<n>a)", "(?<$_é>x)", "a|", "|", "()", "(?:)",
        // ECMA-262 Annex B.1.2 identity escapes of ASCII punctuation (SchemaStore's Azure Pipelines schema).
        "^[^\\/~\\^\\: \\[\\]\\\\]+$", "a\\:b\\%",
    ]

    @Test(arguments: invalid)
    func rejects(_ p: String) {
        #expect(syntaxError(p) != nil, "expected /\(p)/ to be rejected")
        #expect(throws: RegexSyntaxError.self) { try ECMARegex.validate(p) }
    }

    @Test(arguments: valid)
    func accepts(_ p: String) {
        #expect(syntaxError(p) == nil, "expected /\(p)/ to be accepted: \(String(describing: syntaxError(p)))")
    }

    @Test func errorCarriesPosition() {
        let e = syntaxError("abc{2,1}")
        #expect(e?.position == 3)
        #expect(syntaxError("ab\\p{Nope}")?.position == 2)
        #expect(syntaxError("(ab")?.position == 0)
        #expect(e?.description.contains("offset 3") == true)
    }
}

@Suite("ECMA-262 regex: bounded time")
struct RegexReDoSTests {
    static func timed(_ body: () throws -> Void) rethrows -> Double {
        let start = ContinuousClock.now
        try body()
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    @Test(arguments: [
        ("^(a+)+$", String(repeating: "a", count: 30) + "!"),
        ("^(a|a)*$", String(repeating: "a", count: 40) + "!"),
        ("^(a|aa)+$", String(repeating: "a", count: 60) + "!"),
        ("^(\\w+\\s?)*$", String(repeating: "word ", count: 40) + "!"),
        ("(x+x+)+y", String(repeating: "x", count: 5000)),
        ("^([a-zA-Z0-9])(([\\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$",
         String(repeating: "a", count: 50) + "!"),
        ("^(.*a){20}$", String(repeating: "a", count: 19) + String(repeating: "b", count: 200)),
        ("(a*)*b", String(repeating: "a", count: 10000)),
    ])
    func linearEngineIsFast(_ pattern: String, _ input: String) throws {
        let re = try ECMARegex(pattern)
        #expect(re.engine == "pike")
        var result = true
        let t = try Self.timed { result = try re.matches(in: input) }
        #expect(result == false)
        #expect(t < 20.0, "hang guard (debug build, shared CPU): took \(t)s")
    }

    @Test func catastrophicBackrefPatternHitsBudget() throws {
        let re = try ECMARegex("^(a+)+\\1$", stepBudget: 200_000)
        #expect(re.engine == "backtrack")
        let input = String(repeating: "a", count: 40) + "!"
        let t = Self.timed {
            #expect(throws: RegexBudgetError.self) { try re.matches(in: input) }
        }
        #expect(t < 20.0, "hang guard (debug build, shared CPU): took \(t)s")
    }

    @Test func catastrophicLookaroundPatternHitsBudget() throws {
        let re = try ECMARegex("^(?=x?)(a|a)*$")
        let input = String(repeating: "a", count: 60) + "!"
        let t = Self.timed {
            do {
                let r = try re.matches(in: input)
                #expect(r == false)
            } catch {
                #expect("\(error)".contains("budget"))
            }
        }
        #expect(t < 20.0, "hang guard (debug build, shared CPU): took \(t)s")
    }

    @Test func longInputsDoNotOverflowTheStack() throws {
        let long = String(repeating: "ab", count: 100_000)
        #expect(try m("^(?:ab)*$", long))
        #expect(try m("^(?=a)(?:ab)*$", long))  // backtracker, explicit stack
        #expect(try m("(?<=b)$", long))
        #expect(try ECMARegex("^(a)\\1*b", stepBudget: 10_000_000).matches(in: String(repeating: "a", count: 200_000) + "b"))
    }

    @Test func hugeRepetitionCountsUseCounterLoops() throws {
        // Too large to expand for the Pike VM: compiled to counter loops on the budgeted backtracker.
        let nested = try ECMARegex("(?:(?:a{1000}){1000}){1000}")
        #expect(nested.engine == "backtrack")
        #expect(try nested.matches(in: "aaa") == false)
        let re = try ECMARegex("^.{1,100000}$")
        #expect(re.engine == "backtrack")
        #expect(try re.matches(in: String(repeating: "x", count: 100_000)))
        #expect(try !re.matches(in: String(repeating: "x", count: 100_001)))
        #expect(try !re.matches(in: ""))
        #expect(try ECMARegex("^\\d{1,100}$").engine == "pike")
        #expect(try ECMARegex("^a{3,70000}?b$").matches(in: "aaab"))
        #expect(try !ECMARegex("^a{3,70000}?b$").matches(in: "aab"))
    }

    /// Counter loops must agree with expansion on every matching case.
    @Test(arguments: RegexMatchingTests.cases)
    func counterLoopsAgreeWithExpansion(_ c: RegexMatchingTests.Case) throws {
        let re = try ECMARegex(c.pattern, stepBudget: ECMARegex.defaultStepBudget, forceCounters: true)
        #expect(try re.matches(in: c.input) == c.expected)
    }
}

// MARK: - Differential testing

/// Optional differential check against cases produced by a JavaScript engine (scripts/regex-diff-gen.js);
/// runs only when REGEX_DIFF names such a file.
@Test func differentialAgainstJavaScript() throws {
    guard let path = ProcessInfo.processInfo.environment["REGEX_DIFF"],
          let data = FileManager.default.contents(atPath: path),
          let cases = try JSONSerialization.jsonObject(with: data) as? [[Any]] else { return }
    let counters = ProcessInfo.processInfo.environment["REGEX_DIFF_COUNTERS"] != nil
    var bad = 0
    var cache: [String: Result<ECMARegex, RegexSyntaxError>] = [:]
    for c in cases {
        let p = c[0] as! String, s = c[1] as! String
        let r = cache[p] ?? { do { return .success(try ECMARegex(p, stepBudget: ECMARegex.defaultStepBudget, forceCounters: counters)) } catch { return .failure(error as! RegexSyntaxError) } }()
        cache[p] = r
        let expected: String = (c[2] as? String) ?? (((c[2] as? Bool) ?? false) ? "true" : "false")
        let got: String
        switch r {
        case .failure: got = "syntax"
        case .success(let re):
            do { got = try re.matches(in: s) ? "true" : "false" } catch { got = "budget" }
        }
        if got != expected && !(p.contains("\\B") && s.unicodeScalars.contains { $0.value > 0xFFFF }) {
            bad += 1
            if bad < 40 { print("MISMATCH /\(p)/ on \(s.debugDescription): node=\(expected) ours=\(got)") }
        }
    }
    print("DIFF: \(bad) mismatches of \(cases.count)")
    #expect(bad == 0)
}
