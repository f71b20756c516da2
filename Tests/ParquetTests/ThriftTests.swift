import Foundation
import Testing
@testable import Parquet

/// Decodes `bytes` with `body`, keeping the buffer alive for the reader.
private func withReader<T>(_ bytes: [UInt8], _ body: (inout ThriftCompactReader) throws -> T) throws -> T {
    try bytes.withUnsafeBytes { buf in
        var r = ThriftCompactReader(buf)
        return try body(&r)
    }
}

private func isCorrupt(_ error: any Error) -> Bool {
    if case .corrupt = error as? ParquetError { return true }
    return false
}

private func corruptMessage(_ error: any Error) -> String {
    if case .corrupt(let m) = error as? ParquetError { return m }
    return "not a ParquetError.corrupt: \(error)"
}

@Suite struct ThriftTests {
    @Test func varintAndZigzagRoundTrip() throws {
        let i64s: [Int64] = [0, 1, -1, 2, -2, 63, -64, 64, -65, 127, 128, 300, -300, Int64(Int32.max), Int64(Int32.min),
                             1 << 40, -(1 << 40), .max, .min]
        var w = ThriftCompactWriter()
        for v in i64s { w.writeI64(v) }
        let i32s: [Int32] = [0, -1, 1, .max, .min, 1000, -1000]
        for v in i32s { w.writeI32(v) }
        let i16s: [Int16] = [0, -1, .max, .min]
        for v in i16s { w.writeI16(v) }
        let i8s: [Int8] = [0, -1, .max, .min]
        for v in i8s { w.writeI8(v) }
        let doubles: [Double] = [0, -0.0, 1.5, -2.25e300, .infinity, .leastNonzeroMagnitude]
        for v in doubles { w.writeDouble(v) }
        let bytes = w.bytes
        try withReader(bytes) { (r: inout ThriftCompactReader) throws in
            for v in i64s { #expect(try r.readI64() == v) }
            for v in i32s { #expect(try r.readI32() == v) }
            for v in i16s { #expect(try r.readI16() == v) }
            for v in i8s { #expect(try r.readI8() == v) }
            for v in doubles { #expect(try r.readDouble().bitPattern == v.bitPattern) }
            #expect(r.remaining == 0)
        }
    }

    @Test func knownEncodings() throws {
        // zigzag: 0 -> 0, -1 -> 1, 1 -> 2, -2 -> 3; 300 -> 600 = 0xD8 0x04
        var w = ThriftCompactWriter()
        w.writeI32(0); w.writeI32(-1); w.writeI32(1); w.writeI32(-2); w.writeI32(300)
        #expect(w.bytes == [0x00, 0x01, 0x02, 0x03, 0xD8, 0x04])
        // Int64.min zigzags to UInt64.max: ten bytes, last one 0x01.
        var w2 = ThriftCompactWriter()
        w2.writeI64(.min)
        #expect(w2.bytes == [UInt8](repeating: 0xFF, count: 9) + [0x01])
        // double is 8 bytes little-endian
        var w3 = ThriftCompactWriter()
        w3.writeDouble(1.0)
        #expect(w3.bytes == [0, 0, 0, 0, 0, 0, 0xF0, 0x3F])
    }

    @Test func fieldHeadersShortAndLongForm() throws {
        var w = ThriftCompactWriter()
        let s = w.beginStruct()
        w.writeField(1, i32: 7)        // delta 1: short form 0x15
        w.writeField(16, i64: 1)       // delta 15: short form 0xF6
        w.writeField(40, binary: [9])  // delta 24: long form 0x08 + zigzag(40) = 80
        w.writeField(3, bool: true)    // negative delta: long form 0x01 + zigzag(3) = 6
        w.writeField(4, bool: false)   // delta 1, bool false: 0x12
        w.endStruct(s)
        #expect(w.bytes == [0x15, 0x0E, 0xF6, 0x02, 0x08, 80, 0x01, 0x09, 0x01, 0x06, 0x12, 0x00])

        try withReader(w.bytes) { (r: inout ThriftCompactReader) throws in
            var last: Int16 = 0
            var f = try #require(try r.readFieldHeader(&last))
            #expect(f == ThriftFieldHeader(id: 1, type: .i32))
            #expect(try r.readI32() == 7)
            f = try #require(try r.readFieldHeader(&last))
            #expect(f == ThriftFieldHeader(id: 16, type: .i64))
            #expect(try r.readI64() == 1)
            f = try #require(try r.readFieldHeader(&last))
            #expect(f.id == 40 && f.type == .binary)
            #expect(try r.readBinary() == [9])
            f = try #require(try r.readFieldHeader(&last))
            #expect(f.id == 3 && f.isBool && f.boolValue)
            f = try #require(try r.readFieldHeader(&last))
            #expect(f.id == 4 && f.isBool && !f.boolValue)
            #expect(try r.readFieldHeader(&last) == nil)
            #expect(r.remaining == 0)
        }
    }

    @Test func nestedStructsRestoreFieldIdState() throws {
        var w = ThriftCompactWriter()
        let outer = w.beginStruct()
        w.writeField(5, i32: 1)
        w.writeFieldBegin(6, .struct)
        let inner = w.beginStruct()
        w.writeField(1, i32: 2)  // delta from 0 inside the nested struct
        w.endStruct(inner)
        w.writeField(7, i32: 3)  // delta from 6 again
        w.endStruct(outer)
        #expect(w.bytes == [0x55, 0x02, 0x1C, 0x15, 0x04, 0x00, 0x15, 0x06, 0x00])
    }

    @Test func listHeaders() throws {
        var w = ThriftCompactWriter()
        w.writeListHeader(.i32, count: 3)
        w.writeListHeader(.binary, count: 14)
        w.writeListHeader(.struct, count: 15)
        w.writeListHeader(.i64, count: 300)
        #expect(w.bytes == [0x35, 0xE8, 0xFC, 0x0F, 0xF6, 0xAC, 0x02])

        // Bool list elements are bytes: 1 = true, 2 = false (0 also read as false).
        var b = ThriftCompactWriter()
        b.writeListHeader(.boolTrue, count: 4)
        b.writeBool(true); b.writeBool(false)
        b.writeByte(0); b.writeByte(1)
        #expect(b.bytes == [0x41, 1, 2, 0, 1])
        #expect(try withReader(b.bytes) { try $0.readBoolList() } == [true, false, false, true])
        // ...and any other byte is corrupt.
        #expect(throws: ParquetError.self) { try withReader([0x11, 7]) { try $0.readBoolList() } }

        // An empty list may carry element type 0.
        #expect(try withReader([0x00]) { try $0.readI64List() } == [])
        // A non-empty list of the wrong element type is rejected.
        #expect(throws: ParquetError.self) { try withReader([0x18, 0x00]) { try $0.readI64List() } }
    }

    @Test func forgedListLengthThrowsQuickly() throws {
        // list<struct> header claiming 0x7fffffff elements, followed by 12 bytes.
        var w = ThriftCompactWriter()
        w.writeByte(0xFC)
        w.writeVarint(0x7FFF_FFFF)
        w.bytes += [UInt8](repeating: 0, count: 12)
        let start = ContinuousClock.now
        do {
            _ = try withReader(w.bytes) { try $0.readStructList(KeyValue.self, "FileMetaData.key_value_metadata") }
            Issue.record("forged list length accepted")
        } catch {
            let m = corruptMessage(error)
            #expect(m.contains("2147483647"), "\(m)")
            #expect(m.contains("exceeds remaining 12 bytes"), "\(m)")
            #expect(m.contains("FileMetaData.key_value_metadata"), "\(m)")
        }
        #expect(ContinuousClock.now - start < .seconds(20), "hang guard")

        // The same inside a real struct: RowGroup.columns forged in a footer.
        var f = ThriftCompactWriter()
        let s = f.beginStruct()
        f.writeField(1, i32: 1)
        f.writeFieldBegin(2, .list)
        f.writeByte(0xFC)
        f.writeVarint(0x7FFF_FFFF)
        f.endStruct(s)
        #expect(throws: ParquetError.self) { try FileMetaData(serialized: f.bytes) }

        // Counts beyond Int32 and binary lengths past the end are rejected too.
        var g = ThriftCompactWriter()
        g.writeByte(0xF5)
        g.writeVarint(UInt64.max)
        #expect(throws: ParquetError.self) { try withReader(g.bytes) { try $0.readI32List() } }
        var h = ThriftCompactWriter()
        h.writeVarint(1 << 62)
        h.writeByte(1)
        #expect(throws: ParquetError.self) { try withReader(h.bytes) { try $0.readBinary() } }
        // A list of doubles needs 8 bytes per element.
        #expect(throws: ParquetError.self) { try withReader([0x27] + [UInt8](repeating: 0, count: 15)) { try $0.skip(.list) } }
        #expect(throws: Never.self) { try withReader([0x27] + [UInt8](repeating: 0, count: 16)) { try $0.skip(.list) } }
    }

    @Test func varintLimits() throws {
        // 10-byte varint with a final byte of 1 is the largest legal value.
        let maxVarint: [UInt8] = [UInt8](repeating: 0xFF, count: 9) + [0x01]
        #expect(try withReader(maxVarint) { try $0.readVarint() } == UInt64.max)
        // Overflowing the 10th byte, or more than 10 bytes, is corrupt.
        #expect(throws: ParquetError.self) { try withReader([UInt8](repeating: 0xFF, count: 9) + [0x02]) { try $0.readVarint() } }
        #expect(throws: ParquetError.self) { try withReader([UInt8](repeating: 0x80, count: 11) + [0]) { try $0.readVarint() } }
        // Truncated varint.
        #expect(throws: ParquetError.self) { try withReader([0x80, 0x80]) { try $0.readVarint() } }
        // i32 out of range: zigzag(2^31) encodes Int32.max + 1.
        var w = ThriftCompactWriter()
        w.writeI64(Int64(Int32.max) + 1)
        #expect(throws: ParquetError.self) { try withReader(w.bytes) { try $0.readI32() } }
        #expect(throws: ParquetError.self) { try withReader([]) { try $0.readByte() } }
        #expect(throws: ParquetError.self) { try withReader([1, 2, 3]) { try $0.readDouble() } }
    }

    @Test func skipsEveryType() throws {
        // A struct with unknown fields of every type, then a known field; KeyValue must skip them all.
        var w = ThriftCompactWriter()
        let s = w.beginStruct()
        w.writeField(3, bool: true)
        w.writeField(4, i8: -5)
        w.writeField(5, i16: 300)
        w.writeField(6, i32: -70000)
        w.writeField(7, i64: 1 << 50)
        w.writeField(8, double: 3.5)
        w.writeField(9, binary: [1, 2, 3])
        w.writeFieldBegin(10, .list)
        w.writeListHeader(.boolTrue, count: 2)
        w.writeBool(true); w.writeBool(false)
        w.writeFieldBegin(11, .set)
        w.writeListHeader(.list, count: 1)
        w.writeListHeader(.i32, count: 2)
        w.writeI32(1); w.writeI32(2)
        w.writeFieldBegin(12, .map)
        w.writeMapHeader(key: .binary, value: .struct, count: 2)
        w.writeString("a")
        let i1 = w.beginStruct(); w.writeField(1, i32: 1); w.endStruct(i1)
        w.writeString("b")
        let i2 = w.beginStruct(); w.writeField(2, double: 2); w.endStruct(i2)
        w.writeFieldBegin(13, .map)
        w.writeMapHeader(key: .i32, value: .i32, count: 0)
        w.writeFieldBegin(14, .uuid)
        w.bytes += [UInt8](repeating: 0xAB, count: 16)
        w.writeFieldBegin(15, .struct)
        let i3 = w.beginStruct(); w.writeFieldBegin(1, .struct); w.writeEmptyStructField(1); w.endStruct(0); w.endStruct(i3)
        w.writeField(1, string: "key")  // long form (negative delta)
        w.writeField(2, string: "value")
        w.endStruct(s)
        let kv = try KeyValue(serialized: w.bytes)
        #expect(kv == KeyValue(key: "key", value: "value"))
        // `skip(.struct)` consumes the whole struct.
        try withReader(w.bytes + [0xEE]) { (r: inout ThriftCompactReader) throws in
            try r.skip(.struct)
            #expect(r.remaining == 1)
        }
    }

    @Test func deepNestingIsRejected() throws {
        // 100_000 nested structs as an unknown field: must throw (depth limit), not overflow the stack.
        var bytes: [UInt8] = []
        for _ in 0..<100_000 { bytes.append(0x1C) }  // field 1, type struct, nested
        #expect(throws: ParquetError.self) { try KeyValue(serialized: bytes) }
        // Nested lists too.
        let lists = [UInt8](repeating: 0x19, count: 100_000)
        #expect(throws: ParquetError.self) { try withReader(lists) { try $0.skip(.list) } }
        // Moderate nesting within the limit is fine.
        var ok: [UInt8] = [0x1C]
        for _ in 0..<40 { ok.append(0x1C) }
        ok += [UInt8](repeating: 0, count: 41)
        ok += [0x08, 0x02, 0x01, 0x41, 0x00]  // long-form field 1 (binary) = "A", stop
        #expect(try KeyValue(serialized: ok).key == "A")
    }

    @Test func invalidTypesAndUTF8() throws {
        // Unknown compact type 14 in a field header.
        #expect(throws: ParquetError.self) { try KeyValue(serialized: [0x1E, 0x00]) }
        // Invalid UTF-8 in a string is repaired, not a crash.
        var w = ThriftCompactWriter()
        let s = w.beginStruct()
        w.writeField(1, binary: [0x66, 0xFF, 0xC3, 0x28, 0x6F])
        w.endStruct(s)
        let kv = try KeyValue(serialized: w.bytes)
        #expect(kv.key == "f\u{FFFD}\u{FFFD}(o")
        // Required field missing.
        do {
            _ = try KeyValue(serialized: [0x00])
            Issue.record("missing key accepted")
        } catch {
            #expect(corruptMessage(error) == "KeyValue: required field key missing")
        }
    }

    @Test func strictPrefixesOfAStructAlwaysThrow() throws {
        var w = ThriftCompactWriter()
        let s = w.beginStruct()
        w.writeField(1, string: "k")
        w.writeField(2, string: "vvvvvvvvvvvvvvvvvvvv")
        w.endStruct(s)
        let full = w.bytes
        for n in 0..<full.count {
            #expect(throws: ParquetError.self) { try KeyValue(serialized: Array(full[..<n])) }
        }
        #expect(try KeyValue(serialized: full) == KeyValue(key: "k", value: "vvvvvvvvvvvvvvvvvvvv"))
    }
}
