import Testing

import Firehose
import JSON

func testVector(_ name: String) -> String {
    let dir = String(#filePath).split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    return dir + "/TestVectors/" + name
}

@Suite("Column definitions")
struct ColumnDefinitionTests {
    func parse(_ text: String) throws -> ColumnDefinitions { try ColumnDefinitions.parse(Array(text.utf8)) }

    func err(_ text: String) -> String {
        do {
            _ = try parse(text)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func columnList() throws {
        let d = try parse(#"[{"name":"id","type":"string","comment":"the id"},{"name":"user","type":"struct<id:bigint,name:string>"}]"#)
        #expect(d.columns == [
            HiveColumn(name: "id", type: .string, comment: "the id"),
            HiveColumn(name: "user", type: .struct([HiveField(name: "id", type: .bigint), HiveField(name: "name", type: .string)])),
        ])
        #expect(d.partitionKeys.isEmpty)
        #expect(d.tableName == nil)
        #expect(JSONSerializer.string(d.columnsJSON)
            == #"[{"name":"id","type":"string","comment":"the id"},{"name":"user","type":"struct<id:bigint,name:string>"}]"#)
    }

    @Test func glueTableInput() throws {
        let text = #"""
        {"Name":"events","TableType":"EXTERNAL_TABLE",
         "StorageDescriptor":{"Columns":[{"Name":"id","Type":"string","Comment":"c"},{"Name":"tags","Type":"array<string>"}],
                              "Location":"s3://b/p/"},
         "PartitionKeys":[{"Name":"inserted_at","Type":"string"}]}
        """#
        let d = try parse(text)
        #expect(d.tableName == "events")
        #expect(d.columns == [HiveColumn(name: "id", type: .string, comment: "c"), HiveColumn(name: "tags", type: .array(.string))])
        #expect(d.partitionKeys == [HiveColumn(name: "inserted_at", type: .string)])
        // Wrapped as the create-table input and as the get-table output.
        #expect(try parse(#"{"DatabaseName":"db","TableInput":\#(text)}"#) == d)
        #expect(try parse(#"{"Table":\#(text)}"#) == d)
        // Two lists.
        let two = try parse(#"{"columns":[{"name":"a","type":"int"}],"partition_keys":[{"name":"dt","type":"date"}]}"#)
        #expect(two.columns == [HiveColumn(name: "a", type: .int)])
        #expect(two.partitionKeys == [HiveColumn(name: "dt", type: .date)])
    }

    @Test func errors() {
        #expect(err(#"[{"name":"a","type":"struc<a:int>"}]"#)
            == "[0] 'a': invalid type 'struc<a:int>' at 0: unknown type 'struc'")
        #expect(err(#"{"StorageDescriptor":{"Columns":[{"Name":"a","Type":"int"},{"Name":"b"}]}}"#)
            == #"StorageDescriptor.Columns[1]: missing "type""#)
        #expect(err(#"[{"name":"a","type":"int"},{"name":"A","type":"int"}]"#)
            == "column 'A': duplicate name (names are case-insensitive)")
        #expect(err(#"{"StorageDescriptor":{"Columns":[{"Name":"a","Type":"int"}]},"PartitionKeys":[{"Name":"a","Type":"string"}]}"#)
            == "partition key 'a': duplicate name (names are case-insensitive)")
        #expect(err(#"{"StorageDescriptor":{"Columns":[{"Name":"a","Type":"int"}]},"PartitionKeys":[{"Name":"p","Type":"array<int>"}]}"#)
            == "partition key 'p': a partition key must have a primitive type, not array<int>")
        #expect(err("[]") == "no columns")
        #expect(err("42") == "expected a column list or a Glue TableInput object, found a number")
        #expect(err("{}") == "expected a column list or a Glue TableInput object (with StorageDescriptor.Columns)")
        #expect(err("[1]") == "[0]: a column must be an object, found a number")
        #expect(err(#"[{"name":7,"type":"int"}]"#) == "[0].name: must be a string, found a number")
        #expect(err(#"[{"name":"","type":"int"}]"#) == "column 0: empty name")
        #expect(err("[").hasPrefix("not JSON: "))
        do {
            _ = try ColumnDefinitions.load(path: "/nonexistent/columns.json")
            Issue.record("no error")
        } catch {
            #expect(error.description == "cannot read: No such file or directory")
        }
    }

    @Test func sharedEventColumnsLoad() throws {
        let d = try ColumnDefinitions.load(path: testVector("events.columns.json"))
        #expect(d.columns.count == 15)
        #expect(d.columns.first { $0.name == "user" }?.type.description
            == "struct<id:bigint,screen_name:string,followers_count:bigint,favorite_count:bigint,verified:boolean>")
    }
}
