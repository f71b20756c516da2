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
