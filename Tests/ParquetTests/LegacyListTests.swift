import Foundation
import Testing
@testable import Parquet

/// LogicalTypes.md "Lists" and "Maps" → "Backward-compatibility rules": files built with Floe's writer from raw
/// schema elements and hand-written levels (INT32 leaves), read back as the rule says.
@Suite struct LegacyListTests {
    typealias Entry = (def: Int16, rep: Int16, value: Int32?)

    static func leaf(_ name: String, _ rep: Repetition) -> SchemaElement {
        SchemaElement(name: name, type: .int32, repetitionType: rep)
    }

    static func group(_ name: String, _ rep: Repetition, _ children: Int, _ ct: ConvertedType? = nil) -> SchemaElement {
        SchemaElement(name: name, repetitionType: rep, numChildren: Int32(children), convertedType: ct)
    }

    /// Writes one row group with the given leaf levels and returns the rows as canonical JSONL.
    static func rows(_ elements: [SchemaElement], _ leaves: [[Entry]]) throws -> String {
        let all = [SchemaElement(name: "schema", numChildren: Int32(topLevelCount(elements)))] + elements
        let schema = try Schema(elements: all)
        var cols: [ColumnData] = []
        for (i, entries) in leaves.enumerated() {
            let d = schema.columns[i]
            var c = ColumnData(descriptor: d)
            for e in entries {
                if d.maxDefinitionLevel > 0 { c.definitionLevels.append(e.def) }
                if d.maxRepetitionLevel > 0 { c.repetitionLevels.append(e.rep) }
                if Int(e.def) == d.maxDefinitionLevel { c.values.int32s.append(e.value ?? 0) }
                c.levelCount += 1
            }
            cols.append(c)
        }
        let path = NSTemporaryDirectory() + "legacy-\(UUID().uuidString).parquet"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var o = WriterOptions()
        o.fsync = false
        o.threads = 1
        let w = try ParquetWriter(path: path, schema: schema, options: o, elements: all)
        try w.write(columns: cols)
        try w.close()
        return String(decoding: try readAllJSONL(try ParquetFile(path: path)), as: UTF8.self)
    }

    /// Number of top-level fields in a depth-first element list.
    static func topLevelCount(_ e: [SchemaElement]) -> Int {
        var i = 0, n = 0
        func skip() {
            let k = Int(e[i].numChildren ?? 0)
            i += 1
            for _ in 0..<k { skip() }
        }
        while i < e.count { skip(); n += 1 }
        return n
    }

    // MARK: one rule each

    @Test func rule1RepeatedPrimitiveIsTheElement() throws {
        let r = try Self.rows([Self.group("my_list", .optional, 1, .list), Self.leaf("element", .repeated)],
                              [[(2, 0, 1), (2, 1, 2), (1, 0, nil), (0, 0, nil)]])
        #expect(r == "{\"my_list\":[1,2]}\n{\"my_list\":[]}\n{\"my_list\":null}\n")
    }

    @Test func rule2GroupOfSeveralFieldsIsTheElement() throws {
        let r = try Self.rows([Self.group("my_list", .optional, 1, .list), Self.group("element", .repeated, 2),
                               Self.leaf("a", .required), Self.leaf("b", .required)],
                              [[(2, 0, 1), (2, 1, 3), (0, 0, nil)], [(2, 0, 2), (2, 1, 4), (0, 0, nil)]])
        #expect(r == "{\"my_list\":[{\"a\":1,\"b\":2},{\"a\":3,\"b\":4}]}\n{\"my_list\":null}\n")
    }

    /// Rule 3, un-annotated group with one repeated field and an ordinary name: the group is the element (a
    /// struct whose field is a list) — "a repeated field inside a legacy list".
    @Test func rule3GroupWithOneRepeatedFieldIsTheElement() throws {
        let r = try Self.rows([Self.group("my_list", .optional, 1, .list), Self.group("items", .repeated, 1),
                               Self.leaf("x", .repeated)],
                              [[(3, 0, 1), (3, 2, 2), (2, 1, nil), (0, 0, nil)]])
        #expect(r == "{\"my_list\":[{\"x\":[1,2]},{\"x\":[]}]}\n{\"my_list\":null}\n")
    }

    /// Rule 3 with the element LIST-annotated (a legacy 2-level list as element): a list of lists.
    @Test func rule3ListAnnotatedElementIsAListOfLists() throws {
        let r = try Self.rows([Self.group("my_list", .optional, 1, .list), Self.group("inner", .repeated, 1, .list),
                               Self.leaf("x", .repeated)],
                              [[(3, 0, 1), (3, 2, 2), (3, 1, 3), (2, 0, nil), (1, 0, nil), (0, 0, nil)]])
        #expect(r == "{\"my_list\":[[1,2],[3]]}\n{\"my_list\":[[]]}\n{\"my_list\":[]}\n{\"my_list\":null}\n")
    }

    @Test(arguments: ["array", "my_list_tuple"])
    func rule4ArrayOrTupleGroupIsTheElement(_ name: String) throws {
        let r = try Self.rows([Self.group("my_list", .optional, 1, .list), Self.group(name, .repeated, 1),
                               Self.leaf("str", .required)],
                              [[(2, 0, 1), (2, 1, 2), (0, 0, nil)]])
        #expect(r == "{\"my_list\":[{\"str\":1},{\"str\":2}]}\n{\"my_list\":null}\n")
    }

    @Test func rule5OtherwiseTheFieldIsTheElement() throws {
        let r = try Self.rows([Self.group("my_list", .optional, 1, .list), Self.group("element", .repeated, 1),
                               Self.leaf("str", .optional)],
                              [[(3, 0, 1), (2, 1, nil), (1, 0, nil)]])
        #expect(r == "{\"my_list\":[1,null]}\n{\"my_list\":[]}\n")
    }

    // MARK: combinations of two rules (outer list rule, inner list rule)

    /// Spec example "Rule 3: List<List<Integer>>": repeated group `array` (LIST) holding `repeated int32 array`
    /// (rules 3/4 outside, rule 1 inside).
    @Test func rule3And1SpecExample() throws {
        let r = try Self.rows([Self.group("my_list", .optional, 1, .list), Self.group("array", .repeated, 1, .list),
                               Self.leaf("array", .repeated)],
                              [[(3, 0, 1), (3, 2, 2), (3, 1, 3), (0, 0, nil)]])
        #expect(r == "{\"my_list\":[[1,2],[3]]}\n{\"my_list\":null}\n")
    }

    @Test func rule5OuterRule1Inner() throws {
        let r = try Self.rows([Self.group("a", .optional, 1, .list), Self.group("element", .repeated, 1),
                               Self.group("b", .optional, 1, .list), Self.leaf("element", .repeated)],
                              [[(4, 0, 1), (4, 2, 2), (2, 1, nil), (3, 1, nil)]])
        #expect(r == "{\"a\":[[1,2],null,[]]}\n")
    }

    @Test func rule2OuterRule5Inner() throws {
        let r = try Self.rows([Self.group("a", .optional, 1, .list), Self.group("element", .repeated, 2),
                               Self.leaf("n", .required), Self.group("l", .optional, 1, .list),
                               Self.group("element", .repeated, 1), Self.leaf("v", .optional)],
                              [[(2, 0, 7)], [(5, 0, 5), (4, 2, nil)]])
        #expect(r == "{\"a\":[{\"n\":7,\"l\":[5,null]}]}\n")
    }

    @Test func rule4OuterRule1Inner() throws {
        let r = try Self.rows([Self.group("a", .optional, 1, .list), Self.group("array", .repeated, 1),
                               Self.group("l", .optional, 1, .list), Self.leaf("e", .repeated)],
                              [[(4, 0, 1), (4, 2, 2), (2, 1, nil)]])
        #expect(r == "{\"a\":[{\"l\":[1,2]},{\"l\":null}]}\n")
    }

    @Test func rule5OuterRule3Inner() throws {
        let r = try Self.rows([Self.group("a", .optional, 1, .list), Self.group("element", .repeated, 1),
                               Self.group("b", .optional, 1, .list), Self.group("items", .repeated, 1),
                               Self.leaf("x", .repeated)],
                              [[(5, 0, 1), (5, 3, 2), (4, 2, nil), (3, 1, nil)]])
        #expect(r == "{\"a\":[[{\"x\":[1,2]},{\"x\":[]}],[]]}\n")
    }

    @Test func rule1InsideRule4Tuple() throws {
        let r = try Self.rows([Self.group("a", .optional, 1, .list), Self.group("a_tuple", .repeated, 1),
                               Self.group("l", .required, 1, .list), Self.leaf("e", .repeated)],
                              [[(3, 0, 1), (2, 1, nil)]])
        #expect(r == "{\"a\":[{\"l\":[1]},{\"l\":[]}]}\n")
    }

    // MARK: maps

    /// "a group annotated with MAP_KEY_VALUE that is not contained by a MAP-annotated group should be handled
    /// as a MAP-annotated group", here with a legacy 2-level list as value (rule 1).
    @Test func mapKeyValueAsMapWithLegacyListValue() throws {
        let r = try Self.rows([Self.group("m", .optional, 1, .mapKeyValue), Self.group("map", .repeated, 2),
                               Self.leaf("key", .required), Self.group("value", .optional, 1, .list),
                               Self.leaf("element", .repeated)],
                              [[(2, 0, 1), (2, 1, 9), (0, 0, nil)], [(4, 0, 2), (4, 2, 3), (2, 1, nil), (0, 0, nil)]])
        #expect(r == "{\"m\":[[1,[2,3]],[9,null]]}\n{\"m\":null}\n")
    }

    /// Key and value by position when misnamed.
    @Test func mapFieldsByPosition() throws {
        let r = try Self.rows([Self.group("m", .required, 1, .map), Self.group("kv", .repeated, 2),
                               Self.leaf("str", .required), Self.leaf("num", .optional)],
                              [[(1, 0, 1), (1, 1, 2)], [(2, 0, 10), (1, 1, nil)]])
        #expect(r == "{\"m\":[[1,10],[2,null]]}\n")
    }

    /// A MAP without a value field reads as pyarrow reads it: the list of its keys (canonical-jsonl: an array).
    @Test func mapWithoutValueIsAListOfKeys() throws {
        let r = try Self.rows([Self.group("m", .optional, 1, .map), Self.group("key_value", .repeated, 1),
                               Self.leaf("key", .required)],
                              [[(2, 0, 1), (2, 1, 2), (1, 0, nil), (0, 0, nil)]])
        #expect(r == "{\"m\":[1,2]}\n{\"m\":[]}\n{\"m\":null}\n")
    }
}
