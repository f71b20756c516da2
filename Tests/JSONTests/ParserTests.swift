import Testing

import JSON

@Suite("Parser and tokenizer")
struct ParserTests {
    func error(_ text: String, _ options: JSONParserOptions = JSONParserOptions()) -> JSONParseError? {
        do {
            _ = try JSONParser.parse(text, options: options)
            return nil
        } catch {
            return error
        }
    }

    @Test func errorMessagesHaveLineAndColumn() {
        let doc = "{\n  \"a\": 1,\n  \"b\": [1, 2],\n}"
        let e = error(doc)
        #expect(e?.kind == .trailingComma)
        #expect(e?.description == "line 4, column 1: trailing comma in object")
        #expect(error("[1,2,]")?.description == "line 1, column 6: trailing comma in array")
        #expect(error("[01]")?.description == "line 1, column 2: leading zeros are not allowed in numbers")
        #expect(error("[-01]")?.kind == .invalidNumber)
        #expect(error("[1.]")?.description == "line 1, column 4: expected a digit after the decimal point")
        #expect(error("[1e]")?.kind == .invalidNumber)
        #expect(error("[1e")?.kind == .unexpectedEndOfInput)
        #expect(error("[\"a\\x\"]")?.description == "line 1, column 4: invalid escape: '\\' followed by 'x'")
        #expect(error("[\"\\u12G4\"]")?.kind == .invalidUnicodeEscape)
        #expect(error("[\"\\uD800\"]")?.description == "line 1, column 3: lone high surrogate \\uD800 (not followed by a low surrogate)")
        #expect(error("[\"\\uDC00\"]")?.kind == .loneSurrogate)
        #expect(error("[\"a\tb\"]")?.description == "line 1, column 4: unescaped control character tab in string")
        #expect(error("[\"a\nb\"]")?.kind == .controlCharacterInString)
        #expect(error("")?.description == "line 1, column 1: empty input, expected a JSON value")
        #expect(error(" \n ")?.kind == .emptyInput)
        #expect(error("[1] [2]")?.description == "line 1, column 5: unexpected '[' after the top-level value")
        #expect(error("[1 2]")?.description == "line 1, column 4: unexpected '2', expected ',' or ']' after array element")
        #expect(error("{\"a\" 1}")?.description == "line 1, column 6: unexpected '1', expected ':' after object key")
        #expect(error("{1:2}")?.description == "line 1, column 2: unexpected '1', expected string key or '}'")
        #expect(error("[tru]")?.description == "line 1, column 5: invalid literal, expected 'true'")
        #expect(error("[nul")?.kind == .unexpectedEndOfInput)
        #expect(error("[\"abc")?.description == "line 1, column 6: unexpected end of input in string")
        #expect(error("[1,\n\n   ]")?.description == "line 3, column 4: trailing comma in array")
        #expect(error("[\u{C}]")?.kind == .unexpectedCharacter)  // form feed is not whitespace
        #expect(error("\u{FEFF}{}")?.description == "line 1, column 1: byte order mark (U+FEFF) at start of input is not allowed")
        #expect(error("[é]")?.description == "line 1, column 2: unexpected byte 0xc3 (non-ASCII outside a string), expected a value")
    }

    @Test func invalidUTF8IsReportedWithPosition() {
        let bad: [UInt8] = Array("{\n\"k\":\"ab".utf8) + [0xC3, 0x28] + Array("\"}".utf8)
        do {
            _ = try JSONParser.parse(bad)
            Issue.record("accepted")
        } catch {
            #expect(error.kind == .invalidUTF8)
            #expect(error.line == 2 && error.column == 8 && error.offset == 9)
        }
        // Overlong, surrogate, above U+10FFFF, truncated at the end of input.
        for seq: [UInt8] in [[0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF0, 0x9F], [0xFF]] {
            #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22] + seq + [0x22]) }
        }
        // Valid boundaries.
        for seq: [UInt8] in [[0xC2, 0x80], [0xDF, 0xBF], [0xE0, 0xA0, 0x80], [0xED, 0x9F, 0xBF], [0xEE, 0x80, 0x80], [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF]] {
            #expect(throws: Never.self) { try JSONParser.parse([0x22] + seq + [0x22]) }
        }
    }

    @Test func depthLimit() {
        let deep = String(repeating: "[", count: 100_000)
        let clock = ContinuousClock()
        let start = clock.now
        let e = error(deep)
        #expect(clock.now - start < .seconds(1))
        #expect(e?.kind == .depthLimitExceeded && e?.offset == 1024)
        let ok = String(repeating: "[", count: 1024) + String(repeating: "]", count: 1024)
        #expect(error(ok) == nil)
        let over = String(repeating: "[", count: 1025) + String(repeating: "]", count: 1025)
        #expect(error(over)?.kind == .depthLimitExceeded)
        #expect(error(ok, JSONParserOptions(maxDepth: 10))?.kind == .depthLimitExceeded)
        let objects = String(repeating: "{\"a\":", count: 2000) + "1" + String(repeating: "}", count: 2000)
        #expect(error(objects)?.kind == .depthLimitExceeded)
        let v = try? JSONParser.parse(objects, options: JSONParserOptions(maxDepth: 5000))
        #expect(v != nil)
        // Alternating arrays and objects past 64 levels (the inline part of the container bit stack).
        let mixed = String(repeating: "[{\"a\":", count: 300) + "1" + String(repeating: "}]", count: 300)
        #expect((try? JSONParser.parse(mixed)).map(JSONSerializer.string) == mixed)
        #expect(error(String(repeating: "[{\"a\":", count: 300) + "1" + String(repeating: "]}", count: 300))?.kind == .unexpectedCharacter)
        // The tree is deep; serializing is iterative.
        if let v { #expect(JSONSerializer.serialize(v).count == objects.utf8.count) }
    }

    @Test func tokenizerEvents() throws {
        let text = #" {"a" : [1, -2.5e3, "x\ny", true, false, null, {}, []], "é": "plain"} "#
        let bytes = Array(text.utf8)
        var events: [String] = []
        try bytes.withUnsafeBytes { buf in
            var t = JSONTokenizer(buf)
            loop: while true {
                let tok = try t.next()
                switch tok {
                case .objectStart: events.append("{")
                case .objectEnd: events.append("}")
                case .arrayStart: events.append("[")
                case .arrayEnd: events.append("]")
                case .key(let k): events.append("key:\(t.string(of: k)):\(k.hasEscapes):\(k.isASCII)")
                case .string(let s):
                    events.append("str:\(t.string(of: s)):\(s.hasEscapes):\(s.isASCII)")
                    #expect(String(decoding: t.bytes(of: s), as: UTF8.self) == (s.hasEscapes ? #"x\ny"# : "plain"))
                case .number(let n):
                    events.append("num:\(String(decoding: t.bytes(of: n), as: UTF8.self)):\(n.int64.map(String.init) ?? "-")")
                case .bool(let b): events.append("\(b)")
                case .null: events.append("null")
                case .endOfDocument: break loop
                }
            }
            #expect(t.depth == 0)
        }
        #expect(events == [
            "{", "key:a:false:true", "[", "num:1:1", "num:-2.5e3:-", "str:x\ny:true:true", "true", "false", "null",
            "{", "}", "[", "]", "]", "key:é:false:false", "str:plain:false:true", "}",
        ])
    }

    @Test func unescapeAllEscapes() throws {
        let v = try JSONParser.parse(#"["\"\\\/\b\f\n\r\t\u0041\u00e9\u20AC\uD83D\uDE00\u0000"]"#)
        #expect(v == ["\"\\/\u{8}\u{C}\n\r\tAé€😀\u{0}"])
    }

    @Test func treeAccessors() throws {
        let v = try JSONParser.parse(#"{"a":{"b":[10,"x",null,true]},"c":1.5}"#)
        #expect(v["a"]?["b"]?[0] == 10)
        #expect(v["a"]?["b"]?[1]?.stringValue == "x")
        #expect(v["a"]?["b"]?[2]?.isNull == true)
        #expect(v["a"]?["b"]?[3]?.boolValue == true)
        #expect(v["c"]?.numberValue?.double == 1.5)
        #expect(v["zz"] == nil && v["a"]?["b"]?[9] == nil)
        #expect(v.objectValue?.keys == ["a", "c"])
        // Objects compare without regard to order.
        #expect(try JSONParser.parse(#"{"x":1,"y":2}"#) == JSONParser.parse(#"{"y":2.0,"x":1}"#))
        #expect(try JSONParser.parse(#"{"x":1}"#) != JSONParser.parse(#"{"x":1,"y":2}"#))
        #expect(try JSONParser.parse(#"[1,2]"#) != JSONParser.parse(#"[2,1]"#))
    }

    @Test func largeObjectsUseAnIndexAndKeepLastWins() throws {
        var text = "{"
        for i in 0..<100 { text += "\"k\(i)\":\(i)," }
        text += "\"k5\":\"dup\"}"
        let o = try #require(try JSONParser.parse(text).objectValue)
        #expect(o.count == 100 && o.hasDuplicateKeys)
        #expect(o["k5"] == "dup" && o["k99"] == 99 && o["k100"] == nil)
        #expect(o.members[5].key == "k5")
        var m = o
        m["k0"] = nil
        #expect(m.count == 99 && m["k1"] == 1 && m["k0"] == nil && m.firstIndex(of: "k99") == 98)
        m["new"] = "v"
        #expect(m.keys.last == "new")
        let small = JSONObject([("a", 1), ("b", 2), ("a", 3)])
        #expect(small.hasDuplicateKeys && small["a"] == 3 && small.keys == ["a", "b"])
    }

    @Test func splitDocumentsOnOneLine() throws {
        let line = Array(#"  {"a":1} {"a":2}[3]"x"4 true null  "#.utf8)
        let split = JSONParser.splitDocuments(line)
        #expect(split.error == nil)
        let docs = split.ranges.map { String(decoding: line[$0], as: UTF8.self) }
        #expect(docs == [#"{"a":1}"#, #"{"a":2}"#, "[3]", "\"x\"", "4", "true", "null"])
        for r in split.ranges { #expect(throws: Never.self) { try JSONParser.parse(Array(line[r])) } }

        let broken = Array(#"{"a":1} {"b":,}"#.utf8)
        let s2 = JSONParser.splitDocuments(broken)
        #expect(s2.ranges == [0..<7])
        #expect(s2.error?.kind == .unexpectedCharacter && s2.error?.column == 14)
        #expect(JSONParser.splitDocuments(Array("   ".utf8)) == JSONParser.DocumentSplit(ranges: [], error: nil))
        #expect(JSONParser.splitDocuments(Array("{}".utf8)).ranges == [0..<2])
        #expect(JSONParser.splitDocuments(Array("12 34".utf8)).ranges == [0..<2, 3..<5])
    }

    @Test func parseValueReadsASubtree() throws {
        let bytes = Array(#"{"skip":[1,2],"tree":{"x":[true]}}"#.utf8)
        try bytes.withUnsafeBytes { buf in
            var t = JSONTokenizer(buf)
            #expect(try t.next() == .objectStart)
            guard case .key = try t.next() else { Issue.record("key"); return }
            let skipped = try JSONParser.parseValue(&t)
            #expect(skipped == [1, 2])
            guard case .key(let k) = try t.next() else { Issue.record("key"); return }
            #expect(t.string(of: k) == "tree")
            #expect(try JSONParser.parseValue(&t) == ["x": [true]])
            #expect(try t.next() == .objectEnd)
            #expect(try t.next() == .endOfDocument)
            #expect(try t.next() == .endOfDocument)
        }
    }
}

@Suite("Serializer")
struct SerializerTests {
    @Test func escapingFollowsCanonicalJSONL() throws {
        var s = ""
        for c in 0..<0x20 { s.unicodeScalars.append(Unicode.Scalar(UInt8(c))) }
        s += "\"\\/\u{7F}é😀 <>&'"
        let out = JSONSerializer.string(.string(s))
        let expected = #""\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f"#
            + #"\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f"#
            + "\\\"\\\\/\u{7F}é😀 <>&'\""
        #expect(out == expected)
        #expect(try JSONParser.parse(out) == .string(s))
    }

    @Test func compactOutput() throws {
        let v = try JSONParser.parse(" { \"a\" : [ 1 , 2.50 , -0 , 1E+2 ] , \"b\" : { } , \"c\" : [ ] , \"d\" : null , \"e\" : true } ")
        #expect(JSONSerializer.string(v) == #"{"a":[1,2.50,-0,1E+2],"b":{},"c":[],"d":null,"e":true}"#)
        #expect(JSONSerializer.string(["k": ["x\u{1}"], "n": nil]) == #"{"k":["x\u0001"],"n":null}"#)
        #expect(JSONSerializer.string(.number(JSONNumber(UInt64.max))) == "18446744073709551615")
        var out: [UInt8] = Array("prefix:".utf8)
        JSONSerializer.serialize([1, "2"], into: &out)
        #expect(String(decoding: out, as: UTF8.self) == #"prefix:[1,"2"]"#)
    }
}
