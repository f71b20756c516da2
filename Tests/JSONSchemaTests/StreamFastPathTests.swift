// The streaming validator's shortcuts (one-pass anchored patterns, flattened string enums, required bits per
// property) give the answers of the general code: patterns against the ECMA-262 engine, documents against the
// tree evaluator.

import JSON
import Testing
@testable import JSONSchema

private func validator(_ text: String) throws -> JSONSchemaValidator {
    try JSONSchemaValidator(schema: JSONParser.parse(text))
}

/// The streaming answer on the document's bytes and the tree evaluator's on its parsed value.
private func answers(_ v: JSONSchemaValidator, _ doc: String) throws -> (stream: Bool?, tree: Bool) {
    let bytes = Array(doc.utf8)
    let stream = bytes.withUnsafeBytes { v.isValid(bytes: $0) }
    return (stream, v.isValid(try JSONParser.parse(doc)))
}

@Suite struct StreamFastPathTests {
    @Test func linearPatternsAgreeWithEngine() throws {
        // linear: sequences of repeated sets anchored at both ends where greedy matching is exact
        let linear = ["^[0-9]{1,20}$", "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
                      "^[a-c]{2,3}[d-f]{1,2}$", "^x*y+$", "^[0-9]{2,}$", "^a{0}b$", "^(?:ab)c$", #"^\d{3}-\w+$"#,
                      "^a?b$", "^[a-z]{1,3}$"]
        // not linear: greedy could take a character the next item needs, or not anchored at both ends
        let general = ["^[ab]{1,3}b$", "^a*a$", "^x?y?z$", "^[0-9]{1,20}", "[0-9]{1,20}$", "^(ab)+$", "^a|b$"]
        for p in linear { #expect(FastPattern(p)?.linear != nil, "\(p) should be linear") }
        for p in general { #expect(FastPattern(p)?.linear == nil, "\(p) should not be linear") }
        let inputs = ["", "1", "12", "12345678901234567890", "123456789012345678901", "1a",
                      "18582b8e-2589-4f53-a891-4b60b86525b6", "18582b8e-2589-4f53-a891-4b60b86525b", "18582B8E-2589-4f53-a891-4b60b86525b6",
                      "ab", "abd", "abcd", "abcde", "abcdef", "abcdefd", "aad", "d", "y", "xy", "xxyy", "xyx", "b", "ab", "abb",
                      "abc", "abcc", "123-x_9", "123-", "12-x", "é", "1é", "a", "abbb", "aab", "z", "xyz", "xz", "abab",
                      "ababab", "\u{0}", "12\n"]
        for p in linear + general {
            let re = try ECMARegex(p)
            let pm = PatternMatcher(re)
            for s in inputs {
                #expect(try pm.matches(s) == (try re.matches(in: s)), "\(p) on \(s.debugDescription)")
            }
        }
    }

    @Test func stringEnumsAndRequiredBits() throws {
        let v = try validator(#"""
            {"type":"object","required":["a","b","zz"],"properties":{
              "a":{"enum":["x","yy","","é"]},"b":{"enum":["x",1]},"c":{"enum":["p"],"maxLength":0},
              "d":{"enum":["q","r"],"const":"q"}}}
            """#)
        let docs = [
            #"{"a":"x","b":"x","zz":1}"#, #"{"a":"yy","b":1,"zz":null}"#, #"{"a":"","b":"x","zz":0}"#,
            #"{"a":"é","b":"x","zz":0}"#, #"{"a":"\u00e9","b":"x","zz":0}"#, #"{"a":"y","b":"x","zz":0}"#,
            #"{"a":"xx","b":"x","zz":0}"#, #"{"a":"x","b":"y","zz":0}"#, #"{"a":"x","b":"x"}"#, #"{"a":"x","zz":1}"#,
            #"{"b":"x","zz":1}"#, #"{"a":"x","b":"x","zz":1,"c":"p"}"#, #"{"a":"x","b":"x","zz":1,"d":"q"}"#,
            #"{"a":"x","b":"x","zz":1,"d":"r"}"#, #"{"a":1,"b":"x","zz":1}"#, #"{"zz":1,"b":2,"a":"yy"}"#,
        ]
        for d in docs {
            let (stream, tree) = try answers(v, d)
            // only `true` is final on the streaming path (callers redo `false` on the tree)
            if stream == true { #expect(tree, "\(d): streaming said valid") }
            if tree { #expect(stream == true, "\(d): streaming missed a valid document") }
        }
        // required names repeated, and a required name that no property defines
        let dup = try validator(#"{"required":["a","a","b"],"properties":{"a":{"type":"integer"}}}"#)
        for d in [#"{"a":1,"b":2}"#, #"{"a":1}"#, #"{"b":2}"#, #"{"b":2,"a":"s"}"#, #"{"c":1,"b":0,"a":3}"#] {
            let (stream, tree) = try answers(dup, d)
            if stream == true { #expect(tree, "\(d): streaming said valid") }
            #expect((stream == true) == tree, "\(d)")
        }
    }
}
