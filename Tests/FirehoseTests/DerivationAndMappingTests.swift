import Testing

import Firehose
import JSON
import Parquet

@Suite("JSON Schema derivation")
struct JSONSchemaDerivationTests {
    func derive(_ text: String) throws -> ColumnDefinitions {
        try ColumnDefinitions.deriving(fromJSONSchema: try JSONParser.parse(text))
    }

    func types(_ text: String) throws -> [String] { try derive(text).columns.map { "\($0.name) \($0.type)" } }

    @Test func sharedEventsSchemaMatchesTheGivenColumns() throws {
        let derived = try ColumnDefinitions.deriving(fromJSONSchemaAt: testVector("events.schema.json"))
        let given = try ColumnDefinitions.load(path: testVector("events.columns.json"))
        // Same columns in the same order, and the same type wherever both describe a column.
        #expect(derived.columns.map(\.name) == given.columns.map(\.name))
        for g in given.columns {
            let d = try #require(derived.columns.first { $0.name == g.name })
            #expect(d.type == g.type, "\(g.name): derived \(d.type), given \(g.type)")
        }
    }

    @Test func rules() throws {
        let schema = #"""
        {"type":"object","$defs":{"pt":{"type":"object","properties":{"x":{"type":"number"}}}},
         "properties":{
          "s":{"type":"string"}, "ts":{"type":"string","format":"date-time"}, "d":{"type":"string","format":"date"},
          "b64":{"type":"string","contentEncoding":"base64"},
          "i":{"type":"integer"}, "i32":{"type":"integer","minimum":-5,"maximum":100},
          "i64":{"type":"integer","minimum":0,"maximum":4294967296}, "n":{"type":"number"}, "ni":{"type":["integer","number"]},
          "flag":{"type":["boolean","null"]}, "mixed":{"type":["string","integer"]},
          "obj":{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"array","items":{"type":"integer"}}}},
          "free":{"type":"object"}, "counts":{"type":"object","additionalProperties":{"type":"integer"}},
          "list":{"type":"array"}, "pts":{"type":"array","items":{"$ref":"#/$defs/pt"}},
          "e":{"enum":["a","b",null]}, "ei":{"enum":[1,2,3]}, "eb":{"const":true}, "en":{"enum":[1,2.5]},
          "opt":{"anyOf":[{"type":"null"},{"type":"string","format":"date-time"}]}, "any":{}, "yes":true,
          "choice":{"oneOf":[{"type":"string"},{"type":"integer"}]},
          "both":{"allOf":[{"properties":{"a":{"type":"integer"}}},{"properties":{"b":{"type":"boolean"}}}]},
          "implicit":{"properties":{"k":{"type":"string"}}}
         }}
        """#
        #expect(try types(schema) == [
            "s string", "ts timestamp", "d date", "b64 binary", "i bigint", "i32 int", "i64 bigint", "n double",
            "ni double", "flag boolean", "mixed string", "obj struct<a:string,b:array<bigint>>", "free string",
            "counts map<string,bigint>", "list array<string>", "pts array<struct<x:double>>", "e string", "ei int",
            "eb boolean", "en double", "opt timestamp", "any string", "yes string", "choice string",
            "both struct<a:bigint,b:boolean>", "implicit struct<k:string>",
        ])
    }

    @Test func errors() throws {
        func err(_ text: String) -> String {
            do {
                _ = try derive(text)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(err(#"{"type":"string"}"#) == ##"#: the schema must describe an object with "properties""##)
        #expect(err(#"{"properties":{"a":{"$ref":"https://x/y.json"}}}"#)
            == ##"#/properties/a: only local $ref ("#/...") is supported, not 'https://x/y.json'"##)
        #expect(err(##"{"properties":{"a":{"$ref":"#/$defs/nope"}}}"##) == "#/properties/a: $ref '#/$defs/nope' does not resolve")
        #expect(err(##"{"$defs":{"n":{"type":"object","properties":{"next":{"$ref":"#/$defs/n"}}}},"properties":{"a":{"$ref":"#/$defs/n"}}}"##)
            == "#/$defs/n/properties/next: $ref cycle through '#/$defs/n': a Hive type must be finite")
        #expect(err(#"{"properties":{"a":{"type":"thing"}}}"#) == "#/properties/a: unknown JSON Schema type 'thing'")
    }
}

@Suite("Parquet mapping")
struct ParquetMappingTests {
    func schema(_ columns: String, _ mode: TimestampMode = .micros) throws -> Schema {
        try ColumnDefinitions.parse(Array(columns.utf8)).parquetSchema(timestamp: mode)
    }

    @Test func primitivesAndAnnotations() throws {
        let s = try schema(#"""
        [{"name":"s","type":"string"},{"name":"c","type":"char(3)"},{"name":"v","type":"varchar(9)"},
         {"name":"t","type":"tinyint"},{"name":"sm","type":"smallint"},{"name":"i","type":"int"},
         {"name":"b","type":"bigint"},{"name":"f","type":"float"},{"name":"d","type":"double"},
         {"name":"bo","type":"boolean"},{"name":"da","type":"date"},{"name":"ts","type":"timestamp"},
         {"name":"bin","type":"binary"}]
        """#)
        #expect(s.messageText == """
        message hive_schema {
          optional binary s (STRING);
          optional binary c (STRING);
          optional binary v (STRING);
          optional int32 t (INTEGER(8,true));
          optional int32 sm (INTEGER(16,true));
          optional int32 i;
          optional int64 b;
          optional float f;
          optional double d;
          optional boolean bo;
          optional int32 da (DATE);
          optional int64 ts (TIMESTAMP(MICROS,true));
          optional binary bin;
        }

        """)
        let byName = Dictionary(uniqueKeysWithValues: s.columns.map { ($0.dottedPath, $0) })
        #expect(byName["s"]?.convertedType == .utf8)
        #expect(byName["t"]?.convertedType == .int8)
        #expect(byName["sm"]?.convertedType == .int16)
        #expect(byName["da"]?.convertedType == .date)
        #expect(byName["ts"]?.convertedType == .timestampMicros)
        #expect(s.columns.allSatisfy { $0.maxDefinitionLevel == 1 && $0.maxRepetitionLevel == 0 })
    }

    @Test func timestampModes() throws {
        let cols = #"[{"name":"ts","type":"timestamp"}]"#
        let millis = try schema(cols, .millis).columns[0]
        #expect(millis.physicalType == .int64)
        #expect(millis.logicalType == .timestamp(isAdjustedToUTC: true, unit: .millis))
        #expect(millis.convertedType == .timestampMillis)
        let int96 = try schema(cols, .int96).columns[0]
        #expect(int96.physicalType == .int96)
        #expect(int96.logicalType == nil && int96.convertedType == nil)
        #expect(TimestampMode(rawValue: "int96") == .int96)
        #expect(TimestampMode(rawValue: "nanos") == nil)
    }

    @Test func decimalsByPrecision() throws {
        let p = [1, 9, 10, 18, 19, 20, 28, 38]
        let cols = "[" + p.map { #"{"name":"d\#($0)","type":"decimal(\#($0),0)"}"# }.joined(separator: ",") + "]"
        let s = try schema(cols)
        let phys = s.columns.map { c -> String in
            switch c.physicalType {
            case .fixedLenByteArray: "flba\(c.typeLength)"
            default: c.physicalType.description
            }
        }
        #expect(phys == ["INT32", "INT32", "INT64", "INT64", "flba9", "flba9", "flba12", "flba16"])
        #expect(s.columns.allSatisfy { $0.convertedType == .decimal })
        #expect(s.columns[1].logicalType == .decimal(scale: 0, precision: 9))
        // Minimal bytes: smallest n with 2^(8n-1) >= 10^p (computed exactly with big integers).
        let expected = [1: 1, 2: 1, 3: 2, 4: 2, 5: 3, 6: 3, 7: 4, 8: 4, 9: 4, 10: 5, 11: 5, 12: 6, 13: 6, 14: 6,
                        15: 7, 16: 7, 17: 8, 18: 8, 19: 9, 20: 9, 21: 9, 22: 10, 23: 10, 24: 11, 25: 11, 26: 11,
                        27: 12, 28: 12, 29: 13, 30: 13, 31: 13, 32: 14, 33: 14, 34: 15, 35: 15, 36: 16, 37: 16, 38: 16]
        for (precision, bytes) in expected {
            #expect(HiveType.decimalByteLength(precision: precision) == bytes, "precision \(precision)")
        }
        let d = try schema(#"[{"name":"x","type":"decimal(12,4)"}]"#).columns[0]
        #expect(d.precision == 12 && d.scale == 4)
        #expect(d.logicalType == .decimal(scale: 4, precision: 12))
    }

    @Test func listMapStructLevels() throws {
        let s = try schema(#"""
        [{"name":"tags","type":"array<string>"},
         {"name":"m","type":"map<string,array<int>>"},
         {"name":"u","type":"struct<id:bigint,loc:struct<lat:double>>"}]
        """#)
        #expect(s.messageText == """
        message hive_schema {
          optional group tags (LIST) {
            repeated group list {
              optional binary element (STRING);
            }
          }
          optional group m (MAP) {
            repeated group key_value {
              required binary key (STRING);
              optional group value (LIST) {
                repeated group list {
                  optional int32 element;
                }
              }
            }
          }
          optional group u {
            optional int64 id;
            optional group loc {
              optional double lat;
            }
          }
        }

        """)
        let levels = s.columns.map { "\($0.dottedPath) d\($0.maxDefinitionLevel) r\($0.maxRepetitionLevel)" }
        #expect(levels == [
            "tags.list.element d3 r1",
            "m.key_value.key d2 r1",
            "m.key_value.value.list.element d5 r2",
            "u.id d2 r0",
            "u.loc.lat d3 r0",
        ])
        #expect(s.root.children[0].convertedType == .list)
        #expect(s.root.children[1].convertedType == .map)
    }

    @Test func sharedEventsSchema() throws {
        let d = try ColumnDefinitions.load(path: testVector("events.columns.json"))
        let s = d.parquetSchema()
        #expect(s.columns.count == 20)
        #expect(s.columns.first { $0.dottedPath == "hashtags.list.element" }?.maxRepetitionLevel == 1)
    }
}
