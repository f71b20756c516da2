import Testing

import Firehose

@Suite("Hive type parser")
struct HiveTypeTests {
    func t(_ s: String) throws -> HiveType { try HiveType.parse(s) }

    @Test func everyPrimitive() throws {
        let cases: [(String, HiveType)] = [
            ("string", .string), ("char(10)", .char(10)), ("varchar(65535)", .varchar(65535)),
            ("tinyint", .tinyint), ("smallint", .smallint), ("int", .int), ("integer", .int), ("bigint", .bigint),
            ("float", .float), ("double", .double), ("boolean", .boolean),
            ("decimal(10,2)", .decimal(precision: 10, scale: 2)), ("decimal", .decimal(precision: 10, scale: 0)),
            ("decimal(5)", .decimal(precision: 5, scale: 0)), ("decimal(38,38)", .decimal(precision: 38, scale: 38)),
            ("date", .date), ("timestamp", .timestamp), ("binary", .binary),
        ]
        for (text, expected) in cases {
            #expect(try t(text) == expected, "\(text)")
            #expect(try t(text.uppercased()) == expected, "\(text.uppercased())")
        }
    }

    @Test func nestingAndCanonicalText() throws {
        let s = "struct<id:bigint,name:string>"
        #expect(try t(s) == .struct([HiveField(name: "id", type: .bigint), HiveField(name: "name", type: .string)]))
        #expect(try t(s).description == s)
        #expect(try t("array<map<string,array<struct<a:int>>>>")
            == .array(.map(key: .string, value: .array(.struct([HiveField(name: "a", type: .int)])))))
        // Whitespace and case are tolerated; the canonical text has neither.
        #expect(try t("  STRUCT < Id : BigInt , tags:ARRAY< string >, m : Map<INT , Decimal( 12 , 3 )> >  ").description
            == "struct<Id:bigint,tags:array<string>,m:map<int,decimal(12,3)>>")
        #expect(try t("decimal").description == "decimal(10,0)")
        #expect(try t("integer").description == "int")
        // Backtick-quoted names (with a doubled backtick inside) survive the round trip.
        let q = try t("struct<`a b`:int,`x``y`:string,`plain`:date>")
        #expect(q == .struct([HiveField(name: "a b", type: .int), HiveField(name: "x`y", type: .string),
                              HiveField(name: "plain", type: .date)]))
        #expect(q.description == "struct<`a b`:int,`x``y`:string,plain:date>")
        // Keywords are fine as field names.
        #expect(try t("struct<date:date,map:string>").description == "struct<date:date,map:string>")
    }

    @Test func canonicalRoundTrip() throws {
        let texts = [
            "string", "char(1)", "varchar(3)", "tinyint", "smallint", "int", "bigint", "float", "double", "boolean",
            "decimal(1,0)", "decimal(38,10)", "date", "timestamp", "binary", "array<string>",
            "map<string,bigint>", "map<decimal(5,2),array<struct<a:int,b:map<string,string>>>>",
            "struct<a:struct<b:struct<c:array<array<timestamp>>>>,`weird name`:binary>",
        ]
        for text in texts {
            let v = try t(text)
            #expect(v.description == text)
            #expect(try t(v.description) == v)
        }
        // Deep nesting up to the limit.
        let deep = String(repeating: "array<", count: 99) + "int" + String(repeating: ">", count: 99)
        #expect(try t(deep).description == deep)
    }

    @Test func errorsWithPositions() {
        func err(_ s: String) -> String {
            do {
                _ = try HiveType.parse(s)
                return "no error"
            } catch {
                return error.description
            }
        }
        #expect(err("struc<a:int>") == "invalid type 'struc<a:int>' at 0: unknown type 'struc'")
        #expect(err("") == "invalid type '' at 0: empty type")
        #expect(err("   ") == "invalid type '   ' at 3: empty type")
        #expect(err("array<int") == "invalid type 'array<int' at 9: unexpected end of input, expected '>' after the array element type")
        #expect(err("array(int)") == "invalid type 'array(int)' at 5: expected '<' after 'array', found '('")
        #expect(err("map<array<int>,int>") == "invalid type 'map<array<int>,int>' at 4: map key must be a primitive type, not array<int>")
        #expect(err("map<string>") == "invalid type 'map<string>' at 10: expected ',' after the map key type, found '>'")
        #expect(err("struct<>") == "invalid type 'struct<>' at 7: struct needs at least one field")
        #expect(err("struct<a:int,A:string>") == "invalid type 'struct<a:int,A:string>' at 13: duplicate struct field 'A'")
        #expect(err("struct<a int>") == "invalid type 'struct<a int>' at 9: expected ':' after struct field name 'a', found 'i'")
        #expect(err("struct<a:int;b:int>") == "invalid type 'struct<a:int;b:int>' at 12: expected ',' or '>' in struct, found ';'")
        #expect(err("struct<`a:int>") == "invalid type 'struct<`a:int>' at 7: unterminated backtick-quoted field name")
        #expect(err("decimal(39,2)") == "invalid type 'decimal(39,2)' at 8: decimal precision must be 1..38, not 39")
        #expect(err("decimal(5,6)") == "invalid type 'decimal(5,6)' at 10: decimal scale 6 is larger than precision 5")
        #expect(err("decimal(x)") == "invalid type 'decimal(x)' at 8: expected a number, found 'x'")
        #expect(err("char(0)") == "invalid type 'char(0)' at 5: char length must be 1..255, not 0")
        #expect(err("varchar") == "invalid type 'varchar' at 7: unexpected end of input, expected '(' after 'varchar'")
        #expect(err("int int") == "invalid type 'int int' at 4: unexpected 'i' after the type")
        #expect(err("array<>") == "invalid type 'array<>' at 6: expected a type name, found '>'")
        let tooDeep = String(repeating: "array<", count: 101) + "int" + String(repeating: ">", count: 101)
        #expect(err(tooDeep).hasSuffix("nesting deeper than 100"))
    }
}
