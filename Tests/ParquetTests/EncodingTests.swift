import Testing
@testable import Parquet

func withBytes<R>(_ a: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    try a.withUnsafeBytes(body)
}

func randomStrings(_ n: Int, _ rng: inout SplitMix64, maxLen: Int = 20, alphabet: Int = 4) -> ByteArrayBuffer {
    var b = ByteArrayBuffer()
    for _ in 0..<n {
        let len = Int.random(in: 0...maxLen, using: &rng)
        b.append(contentsOf: (0..<len).map { _ in UInt8(97 + Int.random(in: 0..<alphabet, using: &rng)) })
    }
    return b
}

extension ByteArrayBuffer {
    init(_ strings: [String]) {
        self.init()
        for s in strings { append(contentsOf: Array(s.utf8)) }
    }
    var strings: [String] { (0..<count).map { String(decoding: self[$0], as: UTF8.self) } }
}

@Suite struct BitPackingTests {
    @Test func roundTripEveryWidth() {
        var rng = SplitMix64(seed: 1)
        for bw in 0...64 {
            for count in [0, 1, 7, 8, 31, 32, 33, 100] {
                let mask: UInt64 = bw == 64 ? ~0 : (1 << UInt64(bw)) - 1
                let values = (0..<count).map { _ in rng.next() & mask }
                var packed: [UInt8] = []
                values.withUnsafeBufferPointer { BitPack.pack($0.baseAddress ?? UnsafePointer(bitPattern: 8)!, count: count, bitWidth: bw, into: &packed) }
                #expect(packed.count == (count * bw + 7) / 8)
                // decode from every start value to exercise the fast and tail paths
                for start in [0, min(count, 3)] {
                    var out = [UInt64](repeating: 0, count: count - start)
                    packed.withUnsafeBytes { raw in
                        out.withUnsafeMutableBufferPointer { o in
                            BitUnpack.unpack(raw.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!, available: raw.count,
                                             startBit: start * bw, bitWidth: bw, count: count - start,
                                             into: o.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!)
                        }
                    }
                    #expect(out == Array(values[start...]), "bw \(bw) count \(count) start \(start)")
                }
            }
        }
    }
}

@Suite struct RLETests {
    @Test func specBitPackedExample() throws {
        // Encodings.md: 0…7 with bit width 3 → 10001000 11000110 11111010
        var enc: [UInt8] = []
        RLEBitPackedHybridEncoder.encode([Int32](0..<8), bitWidth: 3, into: &enc)
        #expect(enc == [0x03, 0x88, 0xC6, 0xFA])
        var out = [Int32](repeating: -1, count: 8)
        let n = try withBytes(enc) { d throws in
            var dec = RLEBitPackedHybridDecoder(data: d, bitWidth: 3)
            return try out.withUnsafeMutableBufferPointer { try dec.decode(into: $0.baseAddress!, count: 8) }
        }
        #expect(n == 8)
        #expect(out == [0, 1, 2, 3, 4, 5, 6, 7])
    }

    @Test func legacyBitPackedExample() throws {
        // Encodings.md deprecated BIT_PACKED: 0…7 with width 3 → 00000101 00111001 01110111
        var enc: [UInt8] = []
        Levels.encodeLevelsBitPacked((0..<8).map { Int16($0) }, bitWidth: 3, into: &enc)
        #expect(enc == [0x05, 0x39, 0x77])
        var levels: [Int16] = []
        let used = try withBytes(enc + [0xAA]) {
            try Levels.decodeLevels(encoding: .bitPacked, bitWidth: 3, data: $0, count: 8, into: &levels)
        }
        #expect(used == 3)
        #expect(levels == (0..<8).map { Int16($0) })
    }

    @Test func rleRunEncoding() throws {
        var enc: [UInt8] = []
        RLEBitPackedHybridEncoder.encode([Int32](repeating: 5, count: 100), bitWidth: 3, into: &enc)
        #expect(enc == [200, 1, 5])  // varint(100 << 1) then 1-byte value
        enc = []
        RLEBitPackedHybridEncoder.encode([Int32](repeating: 0x1234, count: 10), bitWidth: 13, into: &enc)
        #expect(enc == [20, 0x34, 0x12])
    }

    @Test func randomRoundTrip() throws {
        var rng = SplitMix64(seed: 2)
        for bw in 0...32 {
            let maxV: UInt64 = bw == 0 ? 0 : (1 << UInt64(bw)) - 1
            var values: [Int32] = []
            while values.count < 3000 {
                let v = Int32(truncatingIfNeeded: rng.next() & maxV)
                let run = Bool.random(using: &rng) ? Int.random(in: 1...40, using: &rng) : 1
                values.append(contentsOf: repeatElement(v, count: run))
            }
            var enc: [UInt8] = []
            RLEBitPackedHybridEncoder.encode(values, bitWidth: bw, into: &enc)
            // decode in irregular batch sizes
            var out: [Int32] = []
            try withBytes(enc) { d in
                var dec = RLEBitPackedHybridDecoder(data: d, bitWidth: bw)
                while out.count < values.count {
                    let want = min(Int.random(in: 1...77, using: &rng), values.count - out.count)
                    let got = try dec.decode(appendingTo: &out, count: want)
                    #expect(got == want)
                    if got == 0 { break }
                }
            }
            #expect(out == values, "bit width \(bw)")
        }
    }

    @Test func skipAndInt16() throws {
        let values: [Int16] = (0..<500).map { Int16($0 % 7) } + [Int16](repeating: 3, count: 300)
        var enc: [UInt8] = []
        RLEBitPackedHybridEncoder.encode(values, bitWidth: 3, into: &enc)
        try withBytes(enc) { d throws in
            var dec = RLEBitPackedHybridDecoder(data: d, bitWidth: 3)
            #expect(try dec.skip(count: 123) == 123)
            var out = [Int16](repeating: 0, count: 677)
            let got = try out.withUnsafeMutableBufferPointer { try dec.decode(into: $0.baseAddress!, count: 677) }
            #expect(got == 677)
            #expect(out == Array(values[123...]))
            #expect(dec.isExhausted)
        }
    }

    @Test func bitWidthZeroAndEmpty() throws {
        // bit width 0: RLE run of 10 with no value bytes
        var out: [Int32] = []
        try withBytes([20]) { d throws in
            var dec = RLEBitPackedHybridDecoder(data: d, bitWidth: 0)
            #expect(try dec.decode(appendingTo: &out, count: 10) == 10)
        }
        #expect(out == [Int32](repeating: 0, count: 10))
        try withBytes([]) { d throws in
            var dec = RLEBitPackedHybridDecoder(data: d, bitWidth: 5)
            #expect(try dec.decode(appendingTo: &out, count: 10) == 0)
        }
    }

    @Test func truncatedBitPackedRunYieldsWhatIsPresent() throws {
        // header says 4 groups (32 values) of width 8 but only 10 bytes follow
        let data: [UInt8] = [0x09] + (1...10).map { UInt8($0) }
        var out: [Int32] = []
        try withBytes(data) { d throws in
            var dec = RLEBitPackedHybridDecoder(data: d, bitWidth: 8)
            #expect(try dec.decode(appendingTo: &out, count: 32) == 10)
        }
        #expect(out == (1...10).map { Int32($0) })
    }

    @Test func corruptHeadersThrow() throws {
        var out: [Int32] = []
        // varint longer than 10 bytes
        try withBytes([UInt8](repeating: 0xFF, count: 12)) { d throws in
            var dec = RLEBitPackedHybridDecoder(data: d, bitWidth: 4)
            #expect(throws: ParquetError.self) { try dec.decode(appendingTo: &out, count: 4) }
        }
        // run header beyond 2^32
        try withBytes([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]) { d throws in
            var dec = RLEBitPackedHybridDecoder(data: d, bitWidth: 4)
            #expect(throws: ParquetError.self) { try dec.decode(appendingTo: &out, count: 4) }
        }
        // truncated varint
        try withBytes([0x80]) { d throws in
            var dec = RLEBitPackedHybridDecoder(data: d, bitWidth: 4)
            #expect(throws: ParquetError.self) { try dec.decode(appendingTo: &out, count: 4) }
        }
        // RLE value truncated (width 16 needs 2 bytes)
        try withBytes([0x04, 0x01]) { d throws in
            var dec = RLEBitPackedHybridDecoder(data: d, bitWidth: 16)
            #expect(throws: ParquetError.self) { try dec.decode(appendingTo: &out, count: 2) }
        }
        // bad width
        try withBytes([0x04, 0x01]) { d throws in
            var dec = RLEBitPackedHybridDecoder(data: d, bitWidth: 33)
            #expect(throws: ParquetError.self) { try dec.decode(appendingTo: &out, count: 2) }
        }
        // a forged huge RLE run only produces what is asked
        try withBytes([0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 0x01]) { d throws in
            var dec = RLEBitPackedHybridDecoder(data: d, bitWidth: 1)
            out = []
            #expect(try dec.decode(appendingTo: &out, count: 5) == 5)
            #expect(out == [1, 1, 1, 1, 1])
        }
    }
}

@Suite struct LevelTests {
    @Test func v1AndV2RoundTrip() throws {
        var rng = SplitMix64(seed: 3)
        for maxLevel in [1, 2, 3, 7, 100] {
            let bw = Levels.bitWidth(forMaxLevel: maxLevel)
            let levels = (0..<1000).map { _ in Int16(Int.random(in: 0...maxLevel, using: &rng)) }
            var v1: [UInt8] = []
            Levels.encodeLevels(levels, bitWidth: bw, lengthPrefixed: true, into: &v1)
            let trailing: [UInt8] = [9, 9, 9]
            var out: [Int16] = [42]
            let used = try withBytes(v1 + trailing) {
                try Levels.decodeLevels(encoding: .rle, bitWidth: bw, data: $0, count: 1000, into: &out)
            }
            #expect(used == v1.count)
            #expect(out == [42] + levels)

            var v2: [UInt8] = []
            Levels.encodeLevels(levels, bitWidth: bw, lengthPrefixed: false, into: &v2)
            #expect(v2 == Array(v1[4...]))
            out = []
            _ = try withBytes(v2) { try Levels.decodeLevelsV2(bitWidth: bw, data: $0, count: 1000, into: &out) }
            #expect(out == levels)

            var bp: [UInt8] = []
            Levels.encodeLevelsBitPacked(levels, bitWidth: bw, into: &bp)
            out = []
            let usedBP = try withBytes(bp) {
                try Levels.decodeLevels(encoding: .bitPacked, bitWidth: bw, data: $0, count: 1000, into: &out)
            }
            #expect(usedBP == (1000 * bw + 7) / 8)
            #expect(out == levels)
        }
    }

    @Test func maxLevelZero() throws {
        var out: [Int16] = []
        let used = try withBytes([]) { try Levels.decodeLevels(encoding: .rle, bitWidth: 0, data: $0, count: 5, into: &out) }
        #expect(used == 0)
        #expect(out == [0, 0, 0, 0, 0])
    }

    @Test func corruptLevels() throws {
        var out: [Int16] = []
        // length prefix larger than the page
        #expect(throws: ParquetError.self) {
            try withBytes([100, 0, 0, 0, 1, 2]) { try Levels.decodeLevels(encoding: .rle, bitWidth: 1, data: $0, count: 5, into: &out) }
        }
        // missing prefix
        #expect(throws: ParquetError.self) {
            try withBytes([1, 0]) { try Levels.decodeLevels(encoding: .rle, bitWidth: 1, data: $0, count: 5, into: &out) }
        }
        // too few levels
        #expect(throws: ParquetError.self) {
            try withBytes([2, 0, 0, 0, 0x06, 0x01]) { try Levels.decodeLevels(encoding: .rle, bitWidth: 1, data: $0, count: 5, into: &out) }
        }
        // bit-packed levels truncated
        #expect(throws: ParquetError.self) {
            try withBytes([0xFF]) { try Levels.decodeLevels(encoding: .bitPacked, bitWidth: 2, data: $0, count: 5, into: &out) }
        }
        #expect(throws: ParquetError.self) {
            try withBytes([0xFF]) { try Levels.decodeLevels(encoding: .plain, bitWidth: 2, data: $0, count: 1, into: &out) }
        }
    }
}

@Suite struct BooleanTests {
    @Test func plainRoundTrip() throws {
        var rng = SplitMix64(seed: 4)
        for n in [0, 1, 7, 8, 9, 63, 64, 1001] {
            let values = (0..<n).map { _ in Bool.random(using: &rng) }
            var enc: [UInt8] = []
            Booleans.encodePlain(values, into: &enc)
            #expect(enc.count == (n + 7) / 8)
            var out: [Bool] = []
            let end = try withBytes(enc) { try Booleans.decodePlain(data: $0, count: n, into: &out) }
            #expect(end == n)
            #expect(out == values)
            // batch-wise from odd bit offsets
            if n > 10 {
                out = []
                let mid = try withBytes(enc) { try Booleans.decodePlain(data: $0, count: 5, into: &out) }
                _ = try withBytes(enc) { try Booleans.decodePlain(data: $0, count: n - 5, startBit: mid, into: &out) }
                #expect(out == values)
            }
        }
        #expect(try withBytes([0b0000_0101]) { d in
            var o: [Bool] = []
            _ = try Booleans.decodePlain(data: d, count: 3, into: &o)
            return o
        } == [true, false, true])
        var o: [Bool] = []
        #expect(throws: ParquetError.self) { try withBytes([1]) { try Booleans.decodePlain(data: $0, count: 9, into: &o) } }
    }

    @Test func rleRoundTrip() throws {
        var rng = SplitMix64(seed: 5)
        let values = (0..<2000).map { i in i < 1000 ? Bool.random(using: &rng) : i % 300 < 200 }
        var enc: [UInt8] = []
        Booleans.encodeRLE(values, into: &enc)
        var out: [Bool] = []
        let used = try withBytes(enc + [7]) { try Booleans.decodeRLE(data: $0, count: values.count, into: &out) }
        #expect(used == enc.count)
        #expect(out == values)
        // RLE run value with stray high bits is masked to a valid Bool
        out = []
        _ = try withBytes([2, 0, 0, 0, 0x06, 0xFF]) { try Booleans.decodeRLE(data: $0, count: 3, into: &out) }
        #expect(out == [true, true, true])
    }
}

@Suite struct PlainTests {
    @Test func fixedWidthRoundTrip() throws {
        var rng = SplitMix64(seed: 6)
        let i32 = (0..<257).map { _ in Int32(truncatingIfNeeded: rng.next()) } + [Int32.min, Int32.max]
        let i64 = (0..<257).map { _ in Int64(bitPattern: rng.next()) } + [Int64.min, Int64.max]
        let f = (0..<100).map { _ in Float.random(in: -1e6...1e6, using: &rng) } + [.nan, -0.0, .infinity]
        let d = (0..<100).map { _ in Double.random(in: -1e300...1e300, using: &rng) } + [-0.0, .infinity]
        var enc: [UInt8] = [0xEE]  // misalign the payload on purpose
        Plain.encode(i32, into: &enc)
        Plain.encode(i64, into: &enc)
        Plain.encode(f, into: &enc)
        Plain.encode(d, into: &enc)
        try enc.withUnsafeBytes { raw in
            var pos = 1
            var o32: [Int32] = []
            pos += try Plain.decodeInt32(data: UnsafeRawBufferPointer(rebasing: raw[pos...]), count: i32.count, into: &o32)
            var o64: [Int64] = []
            pos += try Plain.decodeInt64(data: UnsafeRawBufferPointer(rebasing: raw[pos...]), count: i64.count, into: &o64)
            var of: [Float] = []
            pos += try Plain.decodeFloat(data: UnsafeRawBufferPointer(rebasing: raw[pos...]), count: f.count, into: &of)
            var od: [Double] = []
            pos += try Plain.decodeDouble(data: UnsafeRawBufferPointer(rebasing: raw[pos...]), count: d.count, into: &od)
            #expect(pos == raw.count)
            #expect(o32 == i32)
            #expect(o64 == i64)
            #expect(of.map(\.bitPattern) == f.map(\.bitPattern))
            #expect(od.map(\.bitPattern) == d.map(\.bitPattern))
            #expect(throws: ParquetError.self) {
                try Plain.decodeInt64(data: UnsafeRawBufferPointer(rebasing: raw[0..<15]), count: 2, into: &o64)
            }
        }
    }

    @Test func int96() throws {
        let vals = [Int96(nanosOfDay: 1, julianDay: 2_440_588), Int96(nanosOfDay: .max, julianDay: .max)]
        var enc: [UInt8] = []
        Plain.encodeInt96(vals, into: &enc)
        #expect(enc.count == 24)
        #expect(Array(enc[0..<12]) == [1, 0, 0, 0, 0, 0, 0, 0, 0x8C, 0x3D, 0x25, 0x00])
        var out: [Int96] = []
        #expect(try withBytes(enc) { try Plain.decodeInt96(data: $0, count: 2, into: &out) } == 24)
        #expect(out == vals)
    }

    @Test func byteArrayRoundTrip() throws {
        var rng = SplitMix64(seed: 7)
        let values = randomStrings(500, &rng, maxLen: 40)
        var enc: [UInt8] = []
        Plain.encodeByteArray(values, into: &enc)
        var out = ByteArrayBuffer(["prefix"])
        let used = try withBytes(enc + [1, 2]) { try Plain.decodeByteArray(data: $0, count: 500, into: &out) }
        #expect(used == enc.count)
        #expect(out.strings == ["prefix"] + values.strings)
        // sub-range encode
        enc = []
        Plain.encodeByteArray(ByteArrayBuffer(["a", "bc", "", "def"]), range: 1..<4, into: &enc)
        #expect(enc == [2, 0, 0, 0, 98, 99, 0, 0, 0, 0, 3, 0, 0, 0, 100, 101, 102])
    }

    @Test func byteArrayCorrupt() throws {
        var out = ByteArrayBuffer()
        // forged length
        #expect(throws: ParquetError.self) {
            try withBytes([0xFF, 0xFF, 0xFF, 0x7F, 1, 2]) { try Plain.decodeByteArray(data: $0, count: 1, into: &out) }
        }
        // truncated length prefix
        #expect(throws: ParquetError.self) {
            try withBytes([1, 0, 0, 0, 9, 3, 0]) { try Plain.decodeByteArray(data: $0, count: 2, into: &out) }
        }
        #expect(throws: ParquetError.self) { try withBytes([]) { try Plain.decodeByteArray(data: $0, count: 1, into: &out) } }
        #expect(out.count == 0)
        // zero-length values
        #expect(try withBytes([0, 0, 0, 0, 0, 0, 0, 0]) { try Plain.decodeByteArray(data: $0, count: 2, into: &out) } == 8)
        #expect(out.strings == ["", ""])
    }

    @Test func fixedLenByteArray() throws {
        var fb = FixedBuffer(width: 3)
        fb.bytes = [1, 2, 3, 4, 5, 6]
        var enc: [UInt8] = []
        Plain.encodeFixedLenByteArray(fb, into: &enc)
        #expect(enc == [1, 2, 3, 4, 5, 6])
        var out = FixedBuffer(width: 3)
        #expect(try withBytes(enc) { try Plain.decodeFixedLenByteArray(data: $0, count: 2, into: &out) } == 6)
        #expect(out == fb)
        #expect(throws: ParquetError.self) { try withBytes(enc) { try Plain.decodeFixedLenByteArray(data: $0, count: 3, into: &out) } }
    }
}

@Suite struct DictionaryTests {
    @Test func indicesRoundTripAndGather() throws {
        var rng = SplitMix64(seed: 8)
        var builder = ByteArrayDictionaryBuilder()
        let values = randomStrings(5000, &rng, maxLen: 6, alphabet: 3)
        var ids: [Int32] = []
        builder.insert(contentsOf: values, ids: &ids)
        #expect(ids.count == 5000)
        // insertion order, distinct entries
        #expect(Set(builder.values.strings).count == builder.count)
        #expect(builder.values.strings[Int(ids[0])] == values.strings[0])
        #expect(ids[0] == 0)
        #expect(builder.plainEncodedSize == builder.values.bytes.count + 4 * builder.count)
        var dictPage: [UInt8] = []
        builder.encodePlain(into: &dictPage)
        #expect(dictPage.count == builder.plainEncodedSize)

        var enc: [UInt8] = []
        DictionaryIndices.encode(ids, dictionaryCount: builder.count, into: &enc)
        #expect(Int(enc[0]) == DictionaryIndices.bitWidth(dictionaryCount: builder.count))
        var decodedIds: [Int32] = []
        let used = try withBytes(enc) { try DictionaryIndices.decode(data: $0, count: ids.count, into: &decodedIds) }
        #expect(used == enc.count)
        #expect(decodedIds == ids)

        // decode the dictionary page, then gather
        var dict = ByteArrayBuffer()
        _ = try withBytes(dictPage) { try Plain.decodeByteArray(data: $0, count: builder.count, into: &dict) }
        var out = ByteArrayBuffer(["x"])
        try DictionaryIndices.gather(indices: decodedIds, dictionary: dict, into: &out)
        #expect(out.strings == ["x"] + values.strings)
    }

    @Test func gatherLongValuesAndFixed() throws {
        let dict = ByteArrayBuffer(["a-rather-long-string-over-sixteen-bytes", "", "short", "z"])
        var out = ByteArrayBuffer()
        try DictionaryIndices.gather(indices: [3, 0, 1, 2, 0, 3], dictionary: dict, into: &out)
        #expect(out.strings == ["z", "a-rather-long-string-over-sixteen-bytes", "", "short",
                                "a-rather-long-string-over-sixteen-bytes", "z"])
        #expect(throws: ParquetError.self) { try DictionaryIndices.gather(indices: [0, 4], dictionary: dict, into: &out) }
        #expect(throws: ParquetError.self) { try DictionaryIndices.gather(indices: [-1], dictionary: dict, into: &out) }

        var o64: [Int64] = []
        try DictionaryIndices.gather(indices: [1, 1, 0], dictionary: [Int64.min, Int64.max], into: &o64)
        #expect(o64 == [Int64.max, Int64.max, Int64.min])
        #expect(throws: ParquetError.self) { var od: [Double] = []; try DictionaryIndices.gather(indices: [2], dictionary: [1.0, 2.0], into: &od) }

        for w in [2, 4, 8, 5] {
            var fd = FixedBuffer(width: w)
            fd.bytes = (0..<(3 * w)).map { UInt8($0) }
            var fo = FixedBuffer(width: w)
            try [Int32(2), 0, 1].withUnsafeBufferPointer { try DictionaryIndices.gather(indices: $0, dictionary: fd, into: &fo) }
            #expect(fo.count == 3)
            #expect(Array(fo[0]) == Array(fd[2]) && Array(fo[1]) == Array(fd[0]) && Array(fo[2]) == Array(fd[1]))
            #expect(throws: ParquetError.self) {
                try [Int32(3)].withUnsafeBufferPointer { try DictionaryIndices.gather(indices: $0, dictionary: fd, into: &fo) }
            }
        }
    }

    @Test func indicesEdgeCases() throws {
        var out: [Int32] = []
        // width 0, no runs at all: every index is 0
        _ = try withBytes([0]) { try DictionaryIndices.decode(data: $0, count: 4, into: &out) }
        #expect(out == [0, 0, 0, 0])
        #expect(throws: ParquetError.self) { try withBytes([33, 0]) { try DictionaryIndices.decode(data: $0, count: 1, into: &out) } }
        #expect(throws: ParquetError.self) { try withBytes([]) { try DictionaryIndices.decode(data: $0, count: 1, into: &out) } }
        #expect(throws: ParquetError.self) { try withBytes([2, 0x02, 1]) { try DictionaryIndices.decode(data: $0, count: 3, into: &out) } }
        // width 32
        let ids: [Int32] = [0, Int32.max, 7, Int32.max - 1]
        var enc: [UInt8] = []
        DictionaryIndices.encode(ids, dictionaryCount: Int(Int32.max) + 1, into: &enc)
        #expect(enc[0] == 31)
        out = []
        _ = try withBytes(enc) { try DictionaryIndices.decode(data: $0, count: 4, into: &out) }
        #expect(out == ids)
    }

    @Test func fixedWidthBuilder() {
        var b = FixedWidthDictionaryBuilder<UInt64>(expectedCount: 4)
        let vals: [Double] = [1.5, -0.0, 0.0, .nan, 1.5, .nan, 0.0] + (0..<1000).map { Double($0 % 300) }
        var ids: [Int32] = []
        b.insert(contentsOf: vals.map(\.bitPattern), ids: &ids)
        #expect(Array(ids[0..<7]) == [0, 1, 2, 3, 0, 3, 2])
        #expect(b.count == 4 + 299)  // 0.0 already present; 1..299 new
        for (i, v) in vals.enumerated() { #expect(b.values[Int(ids[i])] == v.bitPattern) }
        var page: [UInt8] = []
        b.encodePlain(into: &page)
        #expect(page.count == b.plainEncodedSize)
        b.removeAll()
        #expect(b.id(of: 42) == 0)
    }

    @Test func flbaBuilder() {
        var b = ByteArrayDictionaryBuilder(fixedWidth: 2)
        var fb = FixedBuffer(width: 2)
        fb.bytes = [1, 2, 3, 4, 1, 2, 5, 6, 3, 4]
        var ids: [Int32] = []
        b.insert(contentsOf: fb, ids: &ids)
        #expect(ids == [0, 1, 0, 2, 1])
        #expect(b.plainEncodedSize == 6)
        var page: [UInt8] = []
        b.encodePlain(into: &page)
        #expect(page == [1, 2, 3, 4, 5, 6])
    }
}

@Suite struct DeltaBinaryPackedTests {
    @Test func specExample1() throws {
        // 1,2,3,4,5: deltas all 1, min delta 1, widths 0 (block 128, 4 miniblocks)
        let expected: [UInt8] = [0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0, 0, 0, 0]
        var enc: [UInt8] = []
        DeltaBinaryPacked.encode([Int64]([1, 2, 3, 4, 5]), into: &enc)
        #expect(enc == expected)
        var out: [Int64] = []
        let r = try withBytes(expected + [0xAB]) { try DeltaBinaryPacked.decodeInt64(data: $0, maxValues: 100, into: &out) }
        #expect(r.values == 5 && r.bytesConsumed == expected.count)
        #expect(out == [1, 2, 3, 4, 5])
    }

    @Test func specExample2() throws {
        // 7,5,3,1,2,3,4,5: min delta -2, relative 0,0,0,3,3,3,3 on 2 bits
        let expected: [UInt8] = [0x80, 0x01, 0x04, 0x08, 0x0E, 0x03, 2, 0, 0, 0, 0xC0, 0x3F, 0, 0, 0, 0, 0, 0]
        var enc: [UInt8] = []
        DeltaBinaryPacked.encode([Int32]([7, 5, 3, 1, 2, 3, 4, 5]), into: &enc)
        #expect(enc == expected)
        var out: [Int32] = []
        let r = try withBytes(expected) { try DeltaBinaryPacked.decodeInt32(data: $0, maxValues: 8, into: &out) }
        #expect(r.values == 8 && r.bytesConsumed == expected.count)
        #expect(out == [7, 5, 3, 1, 2, 3, 4, 5])
        // the same data with a single 128-value miniblock (block 128, 1 miniblock)
        let one: [UInt8] = [0x80, 0x01, 0x01, 0x08, 0x0E, 0x03, 2, 0xC0, 0x3F] + [UInt8](repeating: 0, count: 30)
        out = []
        let r1 = try withBytes(one) { try DeltaBinaryPacked.decodeInt32(data: $0, maxValues: 8, into: &out) }
        #expect(r1.bytesConsumed == one.count)
        #expect(out == [7, 5, 3, 1, 2, 3, 4, 5])
    }

    func roundTrip64(_ values: [Int64]) throws {
        var enc: [UInt8] = []
        DeltaBinaryPacked.encode(values, into: &enc)
        var out: [Int64] = []
        let r = try withBytes(enc + [1, 2, 3]) { try DeltaBinaryPacked.decodeInt64(data: $0, maxValues: values.count, into: &out) }
        #expect(r.values == values.count)
        #expect(r.bytesConsumed == enc.count)
        #expect(out == values)
    }

    func roundTrip32(_ values: [Int32]) throws {
        var enc: [UInt8] = []
        DeltaBinaryPacked.encode(values, into: &enc)
        var out: [Int32] = []
        let r = try withBytes(enc) { try DeltaBinaryPacked.decodeInt32(data: $0, maxValues: values.count, into: &out) }
        #expect(r.values == values.count)
        #expect(r.bytesConsumed == enc.count)
        #expect(out == values)
    }

    @Test func roundTrips() throws {
        var rng = SplitMix64(seed: 9)
        for n in [0, 1, 2, 31, 32, 33, 127, 128, 129, 130, 500, 1025] {
            try roundTrip64((0..<n).map { _ in Int64(bitPattern: rng.next()) })
            try roundTrip64((0..<n).map { _ in Int64.random(in: -1000...1000, using: &rng) })
            try roundTrip64((0..<n).map { Int64($0) * 3 })
            try roundTrip32((0..<n).map { _ in Int32(truncatingIfNeeded: rng.next()) })
            try roundTrip32((0..<n).map { _ in Int32.random(in: 0...50, using: &rng) })
        }
        // extremes: wrapping deltas
        try roundTrip64([Int64.min, Int64.max, Int64.min, 0, Int64.max, -1, Int64.min])
        try roundTrip32([Int32.min, Int32.max, Int32.min, 0, Int32.max, -1, Int32.min])
        try roundTrip64([Int64](repeating: Int64.max, count: 300))
        try roundTrip32([Int32](repeating: Int32.min, count: 300))
    }

    @Test func int32WrapsWith64BitWideDeltas() throws {
        // an encoder working in 64 bits produces deltas up to 33 bits; decoding as INT32 must wrap correctly
        let vals: [Int32] = [Int32.min, Int32.max, Int32.min, 5, Int32.max]
        var enc: [UInt8] = []
        DeltaBinaryPacked.encode(vals.map { Int64($0) }, into: &enc)
        var out: [Int32] = []
        _ = try withBytes(enc) { try DeltaBinaryPacked.decodeInt32(data: $0, maxValues: 5, into: &out) }
        #expect(out == vals)
    }

    @Test func partialRead() throws {
        let vals = (0..<1000).map { Int64($0 * $0) }
        var enc: [UInt8] = []
        DeltaBinaryPacked.encode(vals, into: &enc)
        var out: [Int64] = []
        let r = try withBytes(enc) { try DeltaBinaryPacked.decodeInt64(data: $0, maxValues: 300, into: &out) }
        #expect(r.values == 300)
        #expect(r.bytesConsumed == enc.count)  // remaining blocks skipped over
        #expect(out == Array(vals[0..<300]))
    }

    @Test func corruptHeaders() throws {
        var out: [Int64] = []
        for bad: [UInt8] in [
            [],  // empty
            [0x00, 0x04, 0x05, 0x02],  // block size 0
            [0x64, 0x04, 0x05, 0x02],  // block size 100
            [0x80, 0x01, 0x00, 0x05, 0x02],  // 0 miniblocks
            [0x80, 0x01, 0x03, 0x05, 0x02],  // 128/3
            [0x80, 0x01, 0x08, 0x05, 0x02],  // 16 per miniblock
            [0x80, 0x01, 0x04, 0x05],  // first value missing
            [0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0, 0],  // widths truncated
            [0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 8, 0, 0, 0, 1, 2],  // miniblock data truncated
            [0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 65, 0, 0, 0] + [UInt8](repeating: 0, count: 300),  // width 65
            [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x04, 0x05, 0x02],  // varint too long
        ] {
            #expect(throws: ParquetError.self) { try withBytes(bad) { try DeltaBinaryPacked.decodeInt64(data: $0, maxValues: 5, into: &out) } }
        }
        // forged huge total count with tiny data: reads only what is asked, no huge allocation
        let huge: [UInt8] = [0x80, 0x01, 0x04, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x02, 0x02, 0, 0, 0, 0]
        out = []
        let r = try withBytes(huge) { try DeltaBinaryPacked.decodeInt64(data: $0, maxValues: 10, into: &out) }
        #expect(r.values == 10)
        #expect(out == (1...10).map { Int64($0) })
    }
}

@Suite struct DeltaByteArrayTests {
    @Test func deltaLengthSpecExample() throws {
        let vals = ByteArrayBuffer(["Hello", "World", "Foobar", "ABCDEF"])
        var enc: [UInt8] = []
        DeltaLengthByteArray.encode(vals, into: &enc)
        #expect(Array(enc.suffix(22)) == Array("HelloWorldFoobarABCDEF".utf8))
        var lens: [Int32] = []
        let r = try withBytes(enc) { try DeltaBinaryPacked.decodeInt32(data: $0, maxValues: 4, into: &lens) }
        #expect(lens == [5, 5, 6, 6])
        #expect(r.bytesConsumed == enc.count - 22)
        var out = ByteArrayBuffer(["zz"])
        let used = try withBytes(enc) { try DeltaLengthByteArray.decode(data: $0, count: 4, into: &out) }
        #expect(used == enc.count)
        #expect(out.strings == ["zz", "Hello", "World", "Foobar", "ABCDEF"])
    }

    @Test func deltaLengthRoundTripAndCorrupt() throws {
        var rng = SplitMix64(seed: 10)
        let vals = randomStrings(1000, &rng, maxLen: 30)
        var enc: [UInt8] = []
        DeltaLengthByteArray.encode(vals, into: &enc)
        var out = ByteArrayBuffer()
        _ = try withBytes(enc) { try DeltaLengthByteArray.decode(data: $0, count: 1000, into: &out) }
        #expect(out == vals)
        // truncated payload
        #expect(throws: ParquetError.self) { try withBytes(Array(enc.dropLast())) { try DeltaLengthByteArray.decode(data: $0, count: 1000, into: &out) } }
        // fewer lengths than values
        #expect(throws: ParquetError.self) { try withBytes(enc) { try DeltaLengthByteArray.decode(data: $0, count: 1001, into: &out) } }
        // negative length
        var neg: [UInt8] = []
        DeltaBinaryPacked.encode([Int32](arrayLiteral: 3, -1), into: &neg)
        #expect(throws: ParquetError.self) { try withBytes(neg + [1, 2, 3]) { try DeltaLengthByteArray.decode(data: $0, count: 2, into: &out) } }
        // empty page
        var e: [UInt8] = []
        DeltaLengthByteArray.encode(ByteArrayBuffer(), into: &e)
        var eo = ByteArrayBuffer()
        #expect(try withBytes(e) { try DeltaLengthByteArray.decode(data: $0, count: 0, into: &eo) } == e.count)
        #expect(eo.count == 0)
    }

    @Test func deltaByteArraySpecExample() throws {
        let vals = ByteArrayBuffer(["axis", "axle", "babble", "babyhood"])
        var enc: [UInt8] = []
        DeltaByteArray.encode(vals, into: &enc)
        var prefixes: [Int32] = [], suffixes: [Int32] = []
        let r1 = try withBytes(enc) { try DeltaBinaryPacked.decodeInt32(data: $0, maxValues: 4, into: &prefixes) }
        let r2 = try withBytes(Array(enc[r1.bytesConsumed...])) { try DeltaBinaryPacked.decodeInt32(data: $0, maxValues: 4, into: &suffixes) }
        #expect(prefixes == [0, 2, 0, 3])
        #expect(suffixes == [4, 2, 6, 5])
        #expect(Array(enc[(r1.bytesConsumed + r2.bytesConsumed)...]) == Array("axislebabbleyhood".utf8))
        var out = ByteArrayBuffer(["keep"])
        let used = try withBytes(enc) { try DeltaByteArray.decode(data: $0, count: 4, into: &out) }
        #expect(used == enc.count)
        #expect(out.strings == ["keep", "axis", "axle", "babble", "babyhood"])
    }

    @Test func deltaByteArrayRoundTrip() throws {
        var rng = SplitMix64(seed: 11)
        var strings: [String] = []
        var cur = ""
        for _ in 0..<2000 {
            let keep = Int.random(in: 0...cur.count, using: &rng)
            cur = String(cur.prefix(keep)) + String((0..<Int.random(in: 0...5, using: &rng)).map { _ in "abc".randomElement(using: &rng)! })
            strings.append(cur)
        }
        let vals = ByteArrayBuffer(strings)
        var enc: [UInt8] = []
        DeltaByteArray.encode(vals, into: &enc)
        var out = ByteArrayBuffer()
        _ = try withBytes(enc) { try DeltaByteArray.decode(data: $0, count: vals.count, into: &out) }
        #expect(out == vals)
        // sub-range encode starts a fresh prefix chain
        enc = []
        DeltaByteArray.encode(vals, range: 1000..<1500, into: &enc)
        out = ByteArrayBuffer()
        _ = try withBytes(enc) { try DeltaByteArray.decode(data: $0, count: 500, into: &out) }
        #expect(out.strings == Array(strings[1000..<1500]))
    }

    @Test func deltaByteArrayFixed() throws {
        var fb = FixedBuffer(width: 4)
        fb.bytes = Array("abcdabceabzzqqqq".utf8)
        var enc: [UInt8] = []
        DeltaByteArray.encode(fb, into: &enc)
        var out = FixedBuffer(width: 4)
        _ = try withBytes(enc) { try DeltaByteArray.decode(data: $0, count: 4, into: &out) }
        #expect(out == fb)
        var wrong = FixedBuffer(width: 5)
        #expect(throws: ParquetError.self) { try withBytes(enc) { try DeltaByteArray.decode(data: $0, count: 4, into: &wrong) } }
    }

    @Test func deltaByteArrayCorrupt() throws {
        // prefix 3 on the first value (previous is empty)
        var enc: [UInt8] = []
        DeltaBinaryPacked.encode([Int32](arrayLiteral: 3), into: &enc)
        DeltaBinaryPacked.encode([Int32](arrayLiteral: 1), into: &enc)
        enc.append(65)
        var out = ByteArrayBuffer()
        #expect(throws: ParquetError.self) { try withBytes(enc) { try DeltaByteArray.decode(data: $0, count: 1, into: &out) } }
        // prefix longer than previous value
        enc = []
        DeltaBinaryPacked.encode([Int32](arrayLiteral: 0, 3), into: &enc)
        DeltaBinaryPacked.encode([Int32](arrayLiteral: 2, 1), into: &enc)
        enc += [65, 66, 67]
        #expect(throws: ParquetError.self) { try withBytes(enc) { try DeltaByteArray.decode(data: $0, count: 2, into: &out) } }
        // suffix bytes missing
        enc = []
        DeltaBinaryPacked.encode([Int32](arrayLiteral: 0, 1), into: &enc)
        DeltaBinaryPacked.encode([Int32](arrayLiteral: 2, 5), into: &enc)
        enc += [65, 66, 67]
        #expect(throws: ParquetError.self) { try withBytes(enc) { try DeltaByteArray.decode(data: $0, count: 2, into: &out) } }
        #expect(out.count == 0)
    }
}

@Suite struct ByteStreamSplitTests {
    @Test func specExample() throws {
        let raw: [UInt8] = [0xAA, 0xBB, 0xCC, 0xDD, 0x00, 0x11, 0x22, 0x33, 0xA3, 0xB4, 0xC5, 0xD6]
        var enc: [UInt8] = []
        raw.withUnsafeBytes { ByteStreamSplit.encode($0, width: 4, into: &enc) }
        #expect(enc == [0xAA, 0x00, 0xA3, 0xBB, 0x11, 0xB4, 0xCC, 0x22, 0xC5, 0xDD, 0x33, 0xD6])
        var out: [Float] = []
        _ = try withBytes(enc) { try ByteStreamSplit.decode(data: $0, count: 3, into: &out) }
        #expect(withUnsafeBytes(of: out) { _ in true })
        #expect(out.withUnsafeBytes { Array($0) } == raw)
    }

    @Test func roundTripAllWidths() throws {
        var rng = SplitMix64(seed: 12)
        let d = (0..<333).map { _ in Double.random(in: -1...1, using: &rng) }
        var enc: [UInt8] = []
        ByteStreamSplit.encode(d, into: &enc)
        var od: [Double] = []
        #expect(try withBytes(enc) { try ByteStreamSplit.decode(data: $0, count: d.count, into: &od) } == enc.count)
        #expect(od == d)
        let i32 = (0..<100).map { _ in Int32(truncatingIfNeeded: rng.next()) }
        enc = []
        ByteStreamSplit.encode(i32, into: &enc)
        var o32: [Int32] = []
        _ = try withBytes(enc) { try ByteStreamSplit.decode(data: $0, count: i32.count, into: &o32) }
        #expect(o32 == i32)
        let i64 = (0..<100).map { _ in Int64(bitPattern: rng.next()) }
        enc = []
        ByteStreamSplit.encode(i64, into: &enc)
        var o64: [Int64] = []
        _ = try withBytes(enc) { try ByteStreamSplit.decode(data: $0, count: i64.count, into: &o64) }
        #expect(o64 == i64)
        for w in [1, 2, 3, 4, 8, 16] {
            var fb = FixedBuffer(width: w)
            fb.bytes = (0..<(w * 77)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            enc = []
            ByteStreamSplit.encode(fb, into: &enc)
            var out = FixedBuffer(width: w)
            _ = try withBytes(enc) { try ByteStreamSplit.decode(data: $0, count: 77, into: &out) }
            #expect(out == fb, "width \(w)")
        }
    }

    @Test func corrupt() throws {
        var out: [Float] = []
        #expect(throws: ParquetError.self) { try withBytes([1, 2, 3, 4, 5]) { try ByteStreamSplit.decode(data: $0, count: 1, into: &out) } }
        #expect(throws: ParquetError.self) { try withBytes([1, 2, 3, 4]) { try ByteStreamSplit.decode(data: $0, count: 2, into: &out) } }
        var fb = FixedBuffer(width: 3)
        #expect(throws: ParquetError.self) { try withBytes([1, 2, 3, 4]) { try ByteStreamSplit.decode(data: $0, count: 1, into: &fb) } }
        #expect(try withBytes([]) { try ByteStreamSplit.decode(data: $0, count: 0, into: &out) } == 0)
    }
}

@Suite struct MiscEncodingTests {
    @Test func deltaByteArrayAmplificationIsBounded() throws {
        // one 1000-byte value, then 1000 values that repeat it through prefixes: 1 MB decoded from ~1 KB
        var prefixes: [Int32] = [0], suffixes: [Int32] = [1000]
        prefixes += [Int32](repeating: 1000, count: 1000)
        suffixes += [Int32](repeating: 0, count: 1000)
        var enc: [UInt8] = []
        DeltaBinaryPacked.encode(prefixes, into: &enc)
        DeltaBinaryPacked.encode(suffixes, into: &enc)
        enc += [UInt8](repeating: 65, count: 1000)
        var out = ByteArrayBuffer()
        #expect(throws: ParquetError.self) {
            try withBytes(enc) { try DeltaByteArray.decode(data: $0, count: 1001, into: &out, maxBytes: 100_000) }
        }
        #expect(out.count == 0)
        _ = try withBytes(enc) { try DeltaByteArray.decode(data: $0, count: 1001, into: &out) }
        #expect(out.count == 1001 && out.bytes.count == 1_001_000)
    }

    @Test func pointerGatherAndUInt8Decode() throws {
        let dict: [Double] = [1.5, -2.5, 3.25]
        var dst = [Double](repeating: 0, count: 4)
        try [Int32(2), 0, 1, 2].withUnsafeBufferPointer { idx in
            try dict.withUnsafeBufferPointer { d in
                try dst.withUnsafeMutableBufferPointer { try DictionaryIndices.gather(indices: idx, dictionary: d, writingTo: $0.baseAddress!) }
            }
        }
        #expect(dst == [3.25, 1.5, -2.5, 3.25])
        var enc: [UInt8] = []
        RLEBitPackedHybridEncoder.encode([UInt8]([1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), bitWidth: 1, into: &enc)
        var out = [UInt8](repeating: 9, count: 15)
        let got = try withBytes(enc) { d throws in
            var dec = RLEBitPackedHybridDecoder(data: d, bitWidth: 1)
            return try out.withUnsafeMutableBufferPointer { try dec.decode(into: $0.baseAddress!, count: 15) }
        }
        #expect(got == 15)
        #expect(out == [1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
    }

    @Test func failedDecodeLeavesOutputUntouched() throws {
        var levels: [Int16] = [7]
        #expect(throws: ParquetError.self) {
            try withBytes([3, 0, 0, 0, 0x03, 0xFF]) { try Levels.decodeLevels(encoding: .rle, bitWidth: 2, data: $0, count: 100, into: &levels) }
        }
        #expect(levels == [7])
        var ids: [Int32] = [1]
        #expect(throws: ParquetError.self) {
            try withBytes([4, 0x80]) { try DictionaryIndices.decode(data: $0, count: 3, into: &ids) }
        }
        #expect(ids == [1])
        var comp: [UInt8] = [1, 2, 3]
        #expect(throws: ParquetError.self) {
            try Compression.decompress(.snappy, input: [5, 0, 1, 2], uncompressedSize: 5, into: &comp)
        }
        #expect(comp.isEmpty)
    }
}

@Suite struct DictionaryGatherPathTests {
    /// Both gather paths (single pass for short entries, two passes otherwise) give the same values, including
    /// empty entries and entries at the very end of the dictionary bytes.
    @Test(arguments: [0, 1, 7, 16, 17, 31, 32, 33, 100])
    func gatherMatchesNaive(maxLen: Int) throws {
        var dict = ByteArrayBuffer()
        for k in 0..<50 {
            let len = maxLen == 0 ? 0 : (k * 7) % (maxLen + 1)
            dict.append(contentsOf: (0..<len).map { UInt8(truncatingIfNeeded: k &* 31 &+ $0) })
        }
        for n in [1, 13, 200, 1000] {
            let indices = (0..<n).map { Int32(($0 * 17 + 3) % 50) }
            var out = ByteArrayBuffer()
            try DictionaryIndices.gather(indices: indices, dictionary: dict, into: &out)
            #expect(out.count == n)
            for i in 0..<n { #expect(Array(out[i]) == Array(dict[Int(indices[i])])) }
        }
        var out = ByteArrayBuffer()
        #expect(throws: ParquetError.self) {
            try DictionaryIndices.gather(indices: [0, 50], dictionary: dict, into: &out)
        }
    }
}
