import Foundation
import Testing
@testable import JSONSchema

/// One `format` case of the official suite with a string instance.
struct FormatSuiteCase: CustomTestStringConvertible, Sendable {
    let draft: FormatChecker.Draft
    let file: String  // e.g. "draft2020-12/date-time.json"
    let group: String
    let description: String
    let format: String
    let data: String
    let valid: Bool

    var testDescription: String { "\(file): \(group) / \(description)" }
}

enum FormatSuite {
    static let drafts: [(String, FormatChecker.Draft)] = [
        ("draft4", .draft4), ("draft6", .draft6), ("draft7", .draft7),
        ("draft2019-09", .draft2019_09), ("draft2020-12", .draft2020_12),
    ]

    static let cases: [FormatSuiteCase] = {
        var out: [FormatSuiteCase] = []
        for (dir, draft) in drafts {
            for path in SuiteFiles.files(in: "\(dir)/optional/format") {
                let file = dir + "/" + (path.split(separator: "/").last.map(String.init) ?? path)
                for g in SuiteFiles.groups(path) {
                    guard let schema = g["schema"] as? [String: Any], let format = schema["format"] as? String,
                          let tests = g["tests"] as? [[String: Any]] else { continue }
                    let gd = g["description"] as? String ?? "?"
                    for t in tests {
                        // Non-string instances are ignored by `format` (always valid): not a checker concern.
                        guard let data = t["data"] as? String else { continue }
                        out.append(FormatSuiteCase(draft: draft, file: file, group: gd,
                                                   description: t["description"] as? String ?? "?",
                                                   format: format, data: data, valid: (t["valid"] as? Bool) ?? false))
                    }
                }
            }
        }
        return out
    }()

    /// Cases this implementation knowingly gets wrong, with the reason (checked with `withKnownIssue`).
    static let knownIssues: [String: String] = [:]
}

@Suite("Formats: official suite")
struct FormatSuiteTests {
    @Test(arguments: FormatSuite.cases)
    func suiteCase(_ c: FormatSuiteCase) {
        let result = FormatChecker.check(c.format, c.data, draft: c.draft)
        // Unknown formats are not assertions: nil counts as valid.
        let valid = result ?? true
        if let reason = FormatSuite.knownIssues[c.testDescription] {
            withKnownIssue(Comment(rawValue: reason)) {
                #expect(valid == c.valid, "format \(c.format) on \(c.data.debugDescription)")
            }
        } else {
            #expect(valid == c.valid, "format \(c.format) on \(c.data.debugDescription)")
        }
    }

    @Test func suiteIsLoaded() {
        #expect(FormatSuite.cases.count > 1000)
        for (dir, _) in FormatSuite.drafts {
            #expect(FormatSuite.cases.contains { $0.file.hasPrefix(dir + "/") }, "no cases for \(dir)")
        }
    }
}

@Suite("Formats: unit tests")
struct FormatUnitTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let format: String, value: String, expected: Bool
        init(_ f: String, _ v: String, _ e: Bool) { format = f; value = v; expected = e }
        var testDescription: String { "\(format): \(value.debugDescription) → \(expected)" }
    }

    static let cases: [Case] = [
        // date-time / date / time
        Case("date-time", "1985-04-12T23:20:50.52Z", true), Case("date-time", "1996-12-19T16:39:57-08:00", true),
        Case("date-time", "1990-12-31T23:59:60Z", true), Case("date-time", "1990-12-31t15:59:60-08:00", true),
        Case("date-time", "1990-12-31T23:59:60+01:00", false), Case("date-time", "2021-02-29T00:00:00Z", false),
        Case("date-time", "2000-02-29T00:00:00z", true), Case("date-time", "1900-02-29T00:00:00Z", false),
        Case("date-time", "2024-01-01 00:00:00Z", false), Case("date-time", "2024-01-01T00:00:00.Z", false),
        Case("date-time", "2024-01-01T00:00:00", false), Case("date-time", "2024-13-01T00:00:00Z", false),
        Case("date", "2024-02-29", true), Case("date", "2023-02-29", false), Case("date", "2024-04-31", false),
        Case("date", "2024-4-30", false), Case("date", "20240430", false), Case("date", "0000-01-01", true),
        Case("time", "00:00:00+23:59", true), Case("time", "00:00:00+24:00", false), Case("time", "12:00:00.123456789Z", true),
        Case("time", "00:59:60+01:00", true), Case("time", "12:00Z", false),
        // duration
        Case("duration", "P1Y2M3DT4H5M6S", true), Case("duration", "P3W", true), Case("duration", "PT", false),
        Case("duration", "P1Y1W", false), Case("duration", "P1.5D", false), Case("duration", "p1D", false),
        // email / idn-email
        Case("email", "a@b.co", true), Case("email", "first.last+tag@sub.example.org", true),
        Case("email", "\"quoted\\\"escape\"@example.com", true), Case("email", "a@[IPv6:2001:db8::1]", true),
        Case("email", "a@[ipv6:::1]", true), Case("email", "a@[300.1.1.1]", false), Case("email", "a@b@c.com", false),
        Case("email", "é@example.com", false), Case("email", "a@-example.com", false), Case("email", "a..b@x.com", false),
        Case("idn-email", "실례@실례.테스트", true), Case("idn-email", "é@example.com", true), Case("idn-email", "a@", false),
        // hostname / idn-hostname
        Case("hostname", "localhost", true), Case("hostname", "a.b-c.d", true), Case("hostname", String(repeating: "a", count: 64), false),
        Case("hostname", "xn--bcher-kva.example", true), Case("hostname", "xn--bcher-kvA.example", true),
        Case("hostname", "xn--zz.example", false), Case("hostname", "ab--cd.example", false),
        Case("hostname", "bücher.example", false), Case("hostname", "a_b.com", false),
        Case("idn-hostname", "bücher.example", true), Case("idn-hostname", "BÜCHER.example", false),
        Case("idn-hostname", "日本語。jp", true), Case("idn-hostname", "xn--bcher-kva.example", true),
        Case("idn-hostname", "a\u{200D}b", false), Case("idn-hostname", "ᄀᄀ", false), Case("idn-hostname", "☃", false),
        Case("idn-hostname", "\u{05D0}\u{05D1}.com", true), Case("idn-hostname", "\u{05D0}1.com", true),
        // ipv4 / ipv6
        Case("ipv4", "0.0.0.0", true), Case("ipv4", "255.255.255.255", true), Case("ipv4", "256.0.0.1", false),
        Case("ipv4", "1.2.3", false), Case("ipv4", "01.2.3.4", false), Case("ipv4", "1.2.3.4.", false), Case("ipv4", "1..3.4", false),
        Case("ipv6", "::", true), Case("ipv6", "1::", true), Case("ipv6", "1:2:3:4:5:6:7:8", true), Case("ipv6", "1:2:3:4:5:6:7::", true),
        Case("ipv6", "::ffff:192.168.0.1", true), Case("ipv6", "1:2:3:4:5:6:1.2.3.4", true), Case("ipv6", "1:2:3:4:5:6:7:1.2.3.4", false),
        Case("ipv6", "1::2::3", false), Case("ipv6", ":1:2:3:4:5:6:7", false), Case("ipv6", "1:2:3:4:5:6:7:", false),
        Case("ipv6", "fe80::1%eth0", false), Case("ipv6", "::1.2.3", false), Case("ipv6", "1:2:3:4:5:6:7:8:9", false),
        Case("ipv6", "::1.2.3.4", true), Case("ipv6", "1:::2", false),
        // uri / uri-reference / iri / iri-reference
        Case("uri", "http://example.com/path?q=1#frag", true), Case("uri", "urn:isbn:0451450523", true),
        Case("uri", "mailto:user@example.com", true), Case("uri", "http://[::1]:8080/", true), Case("uri", "http://[v1.x]/", true),
        Case("uri", "//example.com", false), Case("uri", "/relative", false), Case("uri", "http://exa mple.com", false),
        Case("uri", "http://example.com/%zz", false), Case("uri", "http://ünicode.example", false), Case("uri", "1http://x", false),
        Case("uri", "http://user:pw@host:80", true), Case("uri", "http://host:8a", false), Case("uri", "http://[::1/", false),
        Case("uri-reference", "", true), Case("uri-reference", "#frag", true), Case("uri-reference", "../a/b?c", true),
        Case("uri-reference", "a:b", true), Case("uri-reference", "1a:b", false), Case("uri-reference", "\\\\server", false),
        Case("iri", "http://ünicode.example/päth?q=ü#f", true), Case("iri", "http://example.com/\u{E000}", false),
        Case("iri", "http://example.com/?\u{E000}", true), Case("iri-reference", "päth/to", true), Case("iri-reference", "a b", false),
        // uri-template
        Case("uri-template", "http://example.com/{user}/{+path}{?q,lang}{#frag}", true), Case("uri-template", "{var:30}", true),
        Case("uri-template", "{list*}", true), Case("uri-template", "{a.b}", true), Case("uri-template", "{", false),
        Case("uri-template", "{}", false), Case("uri-template", "{var:0}", false), Case("uri-template", "{a b}", false),
        Case("uri-template", "{a..b}", false), Case("uri-template", "}", false), Case("uri-template", "%2", false),
        // json-pointer / relative-json-pointer
        Case("json-pointer", "", true), Case("json-pointer", "/", true), Case("json-pointer", "/a~0b/~1", true),
        Case("json-pointer", "a", false), Case("json-pointer", "/~", false), Case("json-pointer", "/~2", false),
        Case("relative-json-pointer", "0", true), Case("relative-json-pointer", "0#", true), Case("relative-json-pointer", "10/a", true),
        Case("relative-json-pointer", "#", false), Case("relative-json-pointer", "00", false),
        // regex
        Case("regex", "^[a-z]+$", true), Case("regex", "(?<y>\\d{4})", true), Case("regex", "[", false), Case("regex", "\\p{Foo}", false),
        Case("regex", "a{2,1}", false), Case("regex", "{", false),
        // uuid
        Case("uuid", "2EB8AA08-AA98-11EA-B4AA-73B441D16380", true), Case("uuid", "00000000-0000-0000-0000-000000000000", true),
        Case("uuid", "2eb8aa08aa9811eab4aa73b441d16380", false), Case("uuid", "2eb8aa08-aa98-11ea-b4aa-73b441d1638g", false),
        Case("uuid", "{2eb8aa08-aa98-11ea-b4aa-73b441d16380}", false),
    ]

    @Test(arguments: cases)
    func check(_ c: Case) {
        #expect(FormatChecker.check(c.format, c.value) == c.expected)
    }

    @Test func unknownFormatsAreNil() {
        #expect(FormatChecker.check("color", "red") == nil)
        #expect(FormatChecker.check("", "x") == nil)
        #expect(FormatChecker.check("DATE", "2024-01-01") == nil)
    }

    @Test func formatsAreGatedByDraft() {
        #expect(FormatChecker.check("uuid", "x", draft: .draft7) == nil)
        #expect(FormatChecker.check("uuid", "x", draft: .draft2019_09) == false)
        #expect(FormatChecker.check("duration", "P1D", draft: .draft2020_12) == true)
        #expect(FormatChecker.check("date", "2024-01-01", draft: .draft6) == nil)
        #expect(FormatChecker.check("date", "2024-01-01", draft: .draft7) == true)
        #expect(FormatChecker.check("idn-hostname", "bücher", draft: .draft6) == nil)
        #expect(FormatChecker.check("json-pointer", "/a", draft: .draft4) == nil)
        #expect(FormatChecker.check("date-time", "2024-01-01T00:00:00Z", draft: .draft4) == true)
        // Draft 4/6 hostnames are plain RFC 1123: "--" in positions 3–4 is fine there.
        #expect(FormatChecker.check("hostname", "ab--cd.example", draft: .draft4) == true)
        #expect(FormatChecker.check("hostname", "ab--cd.example", draft: .draft7) == false)
    }

    @Test func punycodeRoundTrips() {
        let samples = ["bücher", "münchen", "日本語", "ليهمابتكلموشعربي؟", "почему", "ü", "a-b-ü"]
        for s in samples {
            let cps = s.unicodeScalars.map(\.value)
            let enc = Punycode.encode(cps)
            #expect(enc != nil)
            #expect(Punycode.decode(enc ?? []) == cps, "\(s)")
        }
        #expect(Punycode.encode("bücher".unicodeScalars.map(\.value)).map { String(String.UnicodeScalarView($0.compactMap(Unicode.Scalar.init))) } == "bcher-kva")
        #expect(Punycode.decode("X".unicodeScalars.map(\.value)) == nil)
    }
}
