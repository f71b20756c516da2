import Foundation
import Testing
@testable import Parquet

/// Leaf kinds the generator uses.
private enum LeafKind: CaseIterable {
    case bool, int32, uint32, int8, date, int64, uint64, timestamp, float, double, string, binary, fixed, decimalFixed,
         decimalInt64, int96, float16, uuid, json
}

private struct Generator {
    var rng: SplitMix64
    var nullDensity: Double
    var names = 0

    mutating func name() -> String {
        names += 1
        return "f\(names)"
    }

    mutating func repetition() -> Repetition { rng.chance(0.6) ? .optional : .required }

    mutating func leafNode(_ name: String, _ rep: Repetition) -> SchemaNode {
        switch rng.pick(LeafKind.allCases) {
        case .bool: return .bool(name, rep)
        case .int32: return .int32(name, rep)
        case .uint32: return .leaf(name, .int32, rep, logical: .integer(bitWidth: 32, isSigned: false))
        case .int8: return .leaf(name, .int32, rep, logical: .integer(bitWidth: 8, isSigned: true))
        case .date: return .leaf(name, .int32, rep, logical: .date)
        case .int64: return .int64(name, rep)
        case .uint64: return .leaf(name, .int64, rep, logical: .integer(bitWidth: 64, isSigned: false))
        case .timestamp: return .timestamp(name, rep, unit: rng.pick([.millis, .micros, .nanos]))
        case .float: return .float(name, rep)
        case .double: return .double(name, rep)
        case .string: return .string(name, rep)
        case .binary: return .binary(name, rep)
        case .fixed: return .leaf(name, .fixedLenByteArray, rep, length: Int.random(in: 1...20, using: &rng))
        case .decimalFixed: return .leaf(name, .fixedLenByteArray, rep, logical: .decimal(scale: 2, precision: 9), length: 4)
        case .decimalInt64: return .leaf(name, .int64, rep, logical: .decimal(scale: 3, precision: 18))
        case .int96: return .timestamp(name, rep, int96: true)
        case .float16: return .leaf(name, .fixedLenByteArray, rep, logical: .float16)
        case .uuid: return .leaf(name, .fixedLenByteArray, rep, logical: .uuid)
        case .json: return .leaf(name, .byteArray, rep, logical: .json)
        }
    }

    /// A field of nesting depth at most `depth` (groups, lists and maps count one level each).
    mutating func field(depth: Int) -> SchemaNode {
        let n = name(), rep = repetition()
        let r = Double.random(in: 0..<1, using: &rng)
        if depth <= 1 || r < 0.45 { return leafNode(n, rep) }
        if r < 0.65 {
            let k = Int.random(in: 1...3, using: &rng)
            return .group(n, rep, (0..<k).map { _ in field(depth: depth - 1) })
        }
        if r < 0.82 {
            // A 3-level list's element is required or optional (LogicalTypes.md "Lists"); a repeated field there
            // would be backward-compatibility rule 3 (the repeated group is the element), so wrap it in a group.
            var e = field(depth: depth - 1)
            if e.isRepeated { e = .group(e.name, .optional, [e]) }
            return .list(n, rep, element: e)
        }
        if r < 0.94 {
            let key = rng.chance(0.5) ? SchemaNode.string("key", .required) : .int64("key", .required)
            return .map(n, rep, key: key, value: field(depth: depth - 1))
        }
        // bare repeated field (legacy)
        var f = rng.chance(0.5) ? leafNode(n, .repeated) : .group(n, .repeated, [field(depth: depth - 1)])
        f.repetition = .repeated
        return f
    }

    mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) } }

    mutating func leafValue(_ n: SchemaNode) -> ParquetValue {
        let extreme = rng.chance(0.2)
        switch n.physicalType! {
        case .boolean: return .bool(rng.chance(0.5))
        case .int32:
            if case .integer(32, false)? = n.logicalType {
                return .int(extreme ? rng.pick([0, Int64(UInt32.max), 1 << 31]) : Int64.random(in: 0...Int64(UInt32.max), using: &rng))
            }
            if case .integer(8, true)? = n.logicalType { return .int(Int64.random(in: -128...127, using: &rng)) }
            return .int(extreme ? rng.pick([Int64(Int32.min), Int64(Int32.max), 0, -1]) : Int64.random(in: -1000...1000, using: &rng))
        case .int64:
            if case .integer(64, false)? = n.logicalType {
                return .uint64(extreme ? rng.pick([0, UInt64.max, 1 << 63]) : UInt64.random(in: 0...UInt64.max, using: &rng))
            }
            return .int(extreme ? rng.pick([Int64.min, Int64.max, 0]) : Int64.random(in: -1_000_000...1_000_000, using: &rng))
        case .float:
            return .float(extreme ? rng.pick([Float.nan, -0.0, 0.0, .infinity, -.infinity, .greatestFiniteMagnitude, .leastNonzeroMagnitude])
                          : Float.random(in: -100...100, using: &rng))
        case .double:
            return .double(extreme ? rng.pick([Double.nan, -0.0, 0.0, .infinity, -.infinity, .greatestFiniteMagnitude, -.leastNonzeroMagnitude])
                           : Double.random(in: -1e6...1e6, using: &rng))
        case .int96:
            return .bytes(Int96(nanosSinceEpoch: Int64.random(in: -(1 << 60)...(1 << 60), using: &rng)).bytes)
        case .byteArray:
            let len = extreme ? rng.pick([0, 0, 65, 200]) : Int.random(in: 0...12, using: &rng)
            if n.logicalType == .string || n.logicalType == .json {
                let alphabet: [String] = ["a", "b", "z", "é", "ß", "日", "😀", "\u{0}", "\n", "\"", "\u{7F}"]
                let k = rng.chance(0.3) ? Int.random(in: 0...3, using: &rng) : len
                return .string((0..<k).map { _ in rng.pick(alphabet) }.joined())
            }
            return .bytes(extreme ? [UInt8](repeating: rng.pick([0, 0xFF]), count: len) : bytes(len))
        case .fixedLenByteArray:
            if n.logicalType == .float16 {
                return .bytes(extreme ? rng.pick([[0, 0x7E], [0, 0x80], [0, 0], [0xFF, 0x7B], [0, 0x7C]]) : bytes(2))
            }
            return .bytes(extreme ? [UInt8](repeating: rng.pick([0, 0x7F, 0x80, 0xFF]), count: n.typeLength) : bytes(n.typeLength))
        case .unknown: return .null
        }
    }

    /// Returns (value to write, value the reader gives back).
    mutating func value(_ n: SchemaNode) -> (ParquetValue, ParquetValue) {
        if n.repetition == .optional && rng.chance(nullDensity) { return (.null, .null) }
        return present(n)
    }

    mutating func items(_ n: SchemaNode) -> Int {
        rng.chance(0.25) ? 0 : Int.random(in: 1...4, using: &rng)
    }

    mutating func present(_ n: SchemaNode) -> (ParquetValue, ParquetValue) {
        if n.isRepeated {
            // bare repeated field: an array of instances
            var w: [ParquetValue] = [], r: [ParquetValue] = []
            for _ in 0..<items(n) {
                let (a, b) = instance(n)
                w.append(a); r.append(b)
            }
            return (.array(w), .array(r))
        }
        return instance(n)
    }

    mutating func instance(_ n: SchemaNode) -> (ParquetValue, ParquetValue) {
        if n.isLeaf {
            let v = leafValue(n)
            return (v, v)
        }
        if n.logicalType == .list {
            let e = n.children[0].children[0]
            var w: [ParquetValue] = [], r: [ParquetValue] = []
            for _ in 0..<items(n) {
                let (a, b) = value(e)
                w.append(a); r.append(b)
            }
            return (.array(w), .array(r))
        }
        if n.logicalType == .map {
            let kv = n.children[0]
            var w: [ParquetMapEntry] = [], r: [ParquetValue] = []
            var seen = Set<String>()
            for _ in 0..<items(n) {
                let k = leafValue(kv.children[0])
                guard seen.insert("\(k)").inserted else { continue }
                let (a, b) = value(kv.children[1])
                w.append(ParquetMapEntry(k, a)); r.append(.array([k, b]))
            }
            return (.map(w), .array(r))
        }
        var w: [ParquetField] = [], r: [ParquetField] = []
        for c in n.children {
            let (a, b) = value(c)
            if !(a.isNull && rng.chance(0.3)) { w.append(ParquetField(c.name, a)) }  // missing = null
            r.append(ParquetField(c.name, b))
        }
        return (.object(w), .object(r))
    }

    mutating func options(for schema: Schema) -> WriterOptions {
        var o = WriterOptions()
        o.compression = rng.pick([.uncompressed, .snappy, .zstd, .gzip, .lz4Raw])
        o.pageVersion = rng.chance(0.5) ? .v1 : .v2
        o.dictionary = rng.chance(0.6)
        o.dictionaryPageSizeLimit = rng.pick([64, 1 << 20])
        o.pageRowLimit = rng.pick([1, 3, 17, 20_000])
        o.pageSize = rng.pick([1, 100, 1 << 20])
        o.rowGroupRows = rng.pick([5, 40, 1 << 20])
        o.threads = rng.pick([1, 2])
        o.checksums = rng.chance(0.8)
        o.spillThreshold = rng.pick([nil, 0, 1 << 24])
        for c in schema.columns where rng.chance(0.3) {
            let options: [Encoding]
            switch c.physicalType {
            case .boolean: options = [.plain, .rle]
            case .int32, .int64: options = [.deltaBinaryPacked, .byteStreamSplit, .plain, .rleDictionary]
            case .float, .double: options = [.byteStreamSplit, .plain, .rleDictionary]
            case .byteArray: options = [.deltaLengthByteArray, .deltaByteArray, .plain, .rleDictionary]
            case .fixedLenByteArray: options = [.deltaByteArray, .byteStreamSplit, .plain]
            default: options = [.plain]
            }
            o.columnEncodings[c.dottedPath] = rng.pick(options)
            if rng.chance(0.2) { o.bloomFilters[c.dottedPath] = BloomFilterOptions() }
        }
        return o
    }
}

@Suite struct WriterPropertyTests {
    @Test(arguments: [0.0, 0.5, 1.0])
    func randomSchemasRoundTrip(nullDensity: Double) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("floe-writer-prop-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for seed in 0..<40 {
            var g = Generator(rng: SplitMix64(seed: UInt64(seed) &* 7919 &+ UInt64(nullDensity * 10)), nullDensity: nullDensity)
            let fields = (0..<Int.random(in: 1...4, using: &g.rng)).map { _ in g.field(depth: 4) }
            let schema = Schema(fields: fields)
            let rowCount = g.rng.pick([0, 1, 7, 60, 150])
            var input: [ParquetValue] = [], expected: [ParquetValue] = []
            for _ in 0..<rowCount {
                var w: [ParquetField] = [], r: [ParquetField] = []
                for f in schema.root.children {
                    let (a, b) = f.isRepeated ? g.present(f) : g.value(f)
                    w.append(ParquetField(f.name, a))
                    r.append(ParquetField(f.name, b))
                }
                input.append(.object(w))
                expected.append(.object(r))
            }
            let options = g.options(for: schema)
            let path = dir.appendingPathComponent("p\(seed)-\(Int(nullDensity * 10)).parquet").path
            let writer = try ParquetWriter(path: path, schema: schema, options: options)
            var i = 0
            while i < input.count {
                let k = min(input.count - i, Int.random(in: 1...50, using: &g.rng))
                try writer.write(rows: Array(input[i..<(i + k)]))
                i += k
            }
            try writer.close()
            let file = try ParquetFile(path: path)
            let got = try file.readValues()
            #expect(got.count == expected.count, "seed \(seed) density \(nullDensity)")
            for (k, (a, b)) in zip(got, expected).enumerated() where a != b {
                Issue.record("seed \(seed) density \(nullDensity) row \(k): got \(a), expected \(b)")
                break
            }
            #expect(file.numRows == Int64(rowCount))
            // the same data again through the columnar path: read column batches, write them, compare
            let path2 = path + ".2"
            let w2 = try ParquetWriter(path: path2, schema: file.schema, options: options)
            for rg in 0..<file.rowGroupCount { try w2.write(columns: try file.readRowGroup(rg)) }
            try w2.close()
            #expect(try ParquetFile(path: path2).readValues() == expected, "columnar seed \(seed)")
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: path2)
        }
    }
}
