// JSON records straight into Parquet column buffers (no tree): the tokenizer's events drive a tree of nodes
// built from the Hive columns; every leaf appends dense values and definition / repetition levels to a
// `ColumnData`. A record either commits (its entries stay) or rolls back (every leaf is truncated to the mark
// taken before it), so a failed record leaves no trace.

import JSON
import Parquet

/// Record semantics (`--serde`, key matching).
public struct RecordOptions: Sendable {
    public enum SerDe: String, Sendable { case openx, hive }
    public var serde: SerDe = .openx
    /// Keys match column and field names ignoring (ASCII and Unicode) case (OpenX default).
    public var caseInsensitive = true
    /// `--key-mapping COLUMN=JSONKEY`: the column / field named COLUMN (any depth) reads JSON key JSONKEY.
    public var keyMapping: [String: String] = [:]
    /// `--dots-to-underscores`: the JSON key `a.b` matches the column `a_b`.
    public var dotsToUnderscores = false
    public var timestamp: TimestampMode = .micros
    public init() {}
}

/// Why a record failed.
public struct RecordFailure: Error, Sendable {
    public enum Code: String, Sendable, CaseIterable {
        case parseError = "DataFormatConversion.ParseError"
        case malformedData = "DataFormatConversion.MalformedData"
        case schemaViolation = "DataFormatConversion.JSONSchemaViolation"
        case partitionExtraction = "DynamicPartitioning.MetadataExtractionFailed"
        case partitionLimit = "DynamicPartitioning.ActivePartitionsExceeded"

        /// `!{firehose:error-output-type}` of the code.
        public var outputType: String {
            switch self {
            case .parseError, .malformedData, .schemaViolation: "format-conversion-failed"
            case .partitionExtraction, .partitionLimit: "partitioning-failed"
            }
        }
    }
    public var code: Code
    public var message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}

enum LeafKind {
    case string(maxChars: Int?)
    case binary
    case int8, int16, int32, int64
    case float, double, boolean
    case decimal(precision: Int, scale: Int)
    case date
    case timestamp
}

final class Node {
    enum Kind { case leaf, strukt, list, map }
    let kind: Kind
    let hive: HiveType
    /// Definition level when this node holds a value (not null).
    let def: Int16
    /// For list / map: the repetition level of their entries.
    let rep: Int16
    let leafRange: Range<Int>
    var children: [Node] = []
    /// Struct: the JSON key each child reads (ASCII-lowercased when matching ignores case).
    var keys: [[UInt8]] = []
    var keyStrings: [String] = []
    let leafKind: LeafKind
    let path: String

    init(kind: Kind, hive: HiveType, def: Int16, rep: Int16, leafRange: Range<Int>, leafKind: LeafKind, path: String) {
        self.kind = kind
        self.hive = hive
        self.def = def
        self.rep = rep
        self.leafRange = leafRange
        self.leafKind = leafKind
        self.path = path
    }
}

/// The shape shared by every builder of one table: nodes, leaf descriptors, options. Immutable, shared by threads.
public final class RecordLayout: @unchecked Sendable {
    public let schema: Schema
    public let columns: ColumnDefinitions
    public let options: RecordOptions
    let root: Node
    let leafKinds: [LeafKind]
    let descriptors: [ColumnDescriptor]

    public init(columns: ColumnDefinitions, options: RecordOptions) {
        self.columns = columns
        self.options = options
        schema = columns.parquetSchema(timestamp: options.timestamp)
        descriptors = schema.columns
        var kinds: [LeafKind] = []
        var mapping: [String: String] = [:]
        for (k, v) in options.keyMapping { mapping[k.lowercased()] = v }
        func key(_ name: String) -> String {
            let k = mapping[name.lowercased()] ?? name
            return options.caseInsensitive ? k.lowercased() : k
        }
        func build(_ t: HiveType, def: Int16, rep: Int16, path: String) -> Node {
            let start = kinds.count
            switch t {
            case .struct(let fields):
                let kids = fields.map { build($0.type, def: def + 1, rep: rep, path: path + "." + $0.name) }
                let n = Node(kind: .strukt, hive: t, def: def, rep: rep, leafRange: start..<kinds.count,
                             leafKind: .binary, path: path)
                n.children = kids
                n.keyStrings = fields.map { key($0.name) }
                n.keys = n.keyStrings.map { Array($0.utf8) }
                return n
            case .array(let e):
                // optional list (def), repeated list entry (def+1), optional element (def+2 when present)
                let el = build(e, def: def + 2, rep: rep + 1, path: path + "[]")
                let n = Node(kind: .list, hive: t, def: def, rep: rep + 1, leafRange: start..<kinds.count,
                             leafKind: .binary, path: path)
                n.children = [el]
                return n
            case .map(let k, let v):
                let kn = build(k, def: def + 1, rep: rep + 1, path: path + ".key")  // required key
                let vn = build(v, def: def + 2, rep: rep + 1, path: path + ".value")
                let n = Node(kind: .map, hive: t, def: def, rep: rep + 1, leafRange: start..<kinds.count,
                             leafKind: .binary, path: path)
                n.children = [kn, vn]
                return n
            default:
                let lk: LeafKind
                switch t {
                case .string: lk = .string(maxChars: nil)
                case .char(let n), .varchar(let n): lk = .string(maxChars: n)
                case .binary: lk = .binary
                case .tinyint: lk = .int8
                case .smallint: lk = .int16
                case .int: lk = .int32
                case .bigint: lk = .int64
                case .float: lk = .float
                case .double: lk = .double
                case .boolean: lk = .boolean
                case .decimal(let p, let s): lk = .decimal(precision: p, scale: s)
                case .date: lk = .date
                default: lk = .timestamp
                }
                kinds.append(lk)
                return Node(kind: .leaf, hive: t, def: def, rep: rep, leafRange: start..<kinds.count, leafKind: lk,
                            path: path)
            }
        }
        // The root is a required struct: its fields are optional at definition level 1.
        let fields = columns.columns.map { HiveField(name: $0.name, type: $0.type) }
        let kids = fields.map { build($0.type, def: 1, rep: 0, path: $0.name) }
        let r = Node(kind: .strukt, hive: .struct(fields), def: 0, rep: 0, leafRange: 0..<kinds.count,
                     leafKind: .binary, path: "")
        r.children = kids
        r.keyStrings = fields.map { key($0.name) }
        r.keys = r.keyStrings.map { Array($0.utf8) }
        root = r
        leafKinds = kinds
    }
}

/// Column buffers of one batch of records: dense values plus levels per leaf. Reused between batches.
public final class ColumnBuilders: @unchecked Sendable {
    public let layout: RecordLayout
    public var columns: [ColumnData]
    /// Records committed since the last `reset()`.
    public private(set) var rows = 0
    /// Input bytes of those records.
    public var inputBytes = 0
    /// Bytes of data in the buffers (approximate).
    public var bufferedBytes: Int {
        var n = 0
        for c in columns { n += c.levelCount * 4 + c.values.byteArrays.bytes.count + c.values.count * 8 }
        return n
    }
    let hasRep: [Bool]

    public init(layout: RecordLayout) {
        self.layout = layout
        columns = layout.descriptors.map { ColumnData(descriptor: $0) }
        marks = [Int](repeating: 0, count: layout.descriptors.count)
        lineMarks = marks
        hasRep = layout.descriptors.map { $0.maxRepetitionLevel > 0 }
        maxDefs = layout.descriptors.map { Int16($0.maxDefinitionLevel) }
    }

    public func reset() {
        for i in columns.indices {
            columns[i].values.removeAll()
            columns[i].definitionLevels.removeAll(keepingCapacity: true)
            columns[i].repetitionLevels.removeAll(keepingCapacity: true)
            columns[i].levelCount = 0
        }
        rows = 0
        inputBytes = 0
    }

    /// Level counts per leaf at the document / line mark (values and bytes follow from the levels).
    private var marks: [Int]
    private var lineMarks: [Int]
    private var lineRows = 0
    private let maxDefs: [Int16]

    func mark() {
        for i in columns.indices { marks[i] = columns[i].levelCount }
    }

    /// Marks the start of a line (several documents may follow).
    func markLine() {
        for i in columns.indices { lineMarks[i] = columns[i].levelCount }
        lineRows = rows
    }

    /// Drops everything since `markLine()`, committed documents included.
    func rollbackLine() {
        rollback(to: lineMarks)
        rows = lineRows
    }

    func rollback() { rollback(to: marks) }

    func rollback(to marks: [Int]) {
        for i in columns.indices {
            let m = marks[i]
            let n = columns[i].levelCount
            if n == m { continue }
            let maxDef = maxDefs[i]
            var drop = 0
            for k in m..<n where columns[i].definitionLevels[k] == maxDef { drop += 1 }
            columns[i].levelCount = m
            columns[i].definitionLevels.removeSubrange(m...)
            if hasRep[i] { columns[i].repetitionLevels.removeSubrange(m...) }
            let keep = columns[i].values.count - drop
            var v = columns[i].values
            columns[i].values = ColumnValues(physicalType: .boolean)  // release the reference while editing
            switch v.physicalType {
            case .boolean: v.booleans.removeSubrange(keep...)
            case .int32: v.int32s.removeSubrange(keep...)
            case .int64: v.int64s.removeSubrange(keep...)
            case .int96: v.int96s.removeSubrange(keep...)
            case .float: v.floats.removeSubrange(keep...)
            case .double: v.doubles.removeSubrange(keep...)
            case .byteArray:
                let bytes = v.byteArrays.offsets[keep]
                v.byteArrays.offsets.removeSubrange((keep + 1)...)
                v.byteArrays.bytes.removeSubrange(bytes...)
            case .fixedLenByteArray: v.fixed.bytes.removeSubrange((keep * v.fixed.width)...)
            case .unknown: break
            }
            columns[i].values = v
        }
    }

    func commitRow(bytes: Int) {
        rows += 1
        inputBytes += bytes
    }

    // MARK: appending

    @inline(__always)
    func level(_ leaf: Int, r: Int16, d: Int16) {
        columns[leaf].definitionLevels.append(d)
        if hasRep[leaf] { columns[leaf].repetitionLevels.append(r) }
        columns[leaf].levelCount &+= 1
    }

    /// Null (or absent) at definition level `d` for every leaf of `node`.
    @inline(__always)
    func nulls(_ node: Node, r: Int16, d: Int16) {
        for leaf in node.leafRange { level(leaf, r: r, d: d) }
    }
}

/// Converts records (one line of NDJSON: one or more JSON documents) into `ColumnBuilders`.
struct RecordConverter {
    let layout: RecordLayout
    let openx: Bool
    let caseInsensitive: Bool
    let dotsToUnderscores: Bool
    let timestampMode: TimestampMode
    var scratch: [UInt8] = []
    var keyScratch: [UInt8] = []
    var seen: [Bool] = []
    var pointer: [String] = []

    init(layout: RecordLayout) {
        self.layout = layout
        openx = layout.options.serde == .openx
        caseInsensitive = layout.options.caseInsensitive
        dotsToUnderscores = layout.options.dotsToUnderscores
        timestampMode = layout.options.timestamp
    }

    enum Failure: Error {
        case parse(JSONParseError)
        /// What is wrong and the JSON pointer components, innermost first.
        case data(String, [String])

        func prepending(_ component: String) -> Failure {
            if case .data(let m, var p) = self {
                p.append(component)
                return .data(m, p)
            }
            return self
        }
    }

    /// Converts one top-level object whose `objectStart` was just read. On `.data` failure the tokenizer is
    /// somewhere inside the document (the caller skips to its end) and the builders hold partial entries (the
    /// caller rolls back).
    mutating func convertObject(_ t: inout JSONTokenizer, into b: ColumnBuilders) throws(Failure) {
        try strukt(layout.root, &t, b, r: 0, d: 0, fromArray: false)
    }

    private func fail(_ node: Node, _ what: String, _ t: borrowing JSONTokenizer, _ tok: JSONToken) -> Failure {
        var value = ""
        switch tok {
        case .string(let s): value = "\"" + truncated(t.string(of: s)) + "\""
        case .number(let n): value = String(decoding: t.bytes(of: n), as: UTF8.self)
        case .bool(let v): value = v ? "true" : "false"
        case .objectStart: value = "an object"
        case .arrayStart: value = "an array"
        default: value = "\(tok)"
        }
        return .data("column '\(node.path)' (expected \(node.hive)): \(what): \(value)", [])
    }

    private func truncated(_ s: String) -> String {
        s.count > 64 ? String(s.prefix(64)) + "…" : s
    }

    // MARK: nodes

    /// A value token (already read) for `node`.
    @inline(__always)
    private mutating func value(_ node: Node, _ tok: JSONToken, _ t: inout JSONTokenizer, _ b: ColumnBuilders,
                                r: Int16, d: Int16) throws(Failure) {
        if case .null = tok {
            b.nulls(node, r: r, d: d)
            return
        }
        switch node.kind {
        case .leaf:
            try leaf(node, tok, &t, b, r: r, d: d)
        case .strukt:
            if case .objectStart = tok {
                try strukt(node, &t, b, r: r, d: d + 1, fromArray: false)
            } else if case .arrayStart = tok, openx {
                try strukt(node, &t, b, r: r, d: d + 1, fromArray: true)
            } else {
                throw fail(node, "expected an object", t, tok)
            }
        case .list:
            try list(node, tok, &t, b, r: r, d: d)
        case .map:
            guard case .objectStart = tok else { throw fail(node, "expected an object", t, tok) }
            try map(node, &t, b, r: r, d: d)
        }
    }

    /// Struct members; `d` is the struct's own (present) definition level.
    private mutating func strukt(_ node: Node, _ t: inout JSONTokenizer, _ b: ColumnBuilders, r: Int16, d: Int16,
                                 fromArray: Bool) throws(Failure) {
        let children = node.children
        let n = children.count
        if fromArray {
            // a JSON array fills the fields by position; extra elements are dropped, missing ones are null
            var k = 0
            while true {
                let tok = try next(&t)
                if case .arrayEnd = tok { break }
                if k < n {
                    do {
                        try value(children[k], tok, &t, b, r: r, d: d)
                    } catch {
                        throw error.prepending(String(k))
                    }
                } else {
                    try skip(tok, &t)
                }
                k += 1
            }
            while k < n {
                b.nulls(children[k], r: r, d: d)
                k += 1
            }
            return
        }
        // Small structs: a bit mask of seen fields; larger: an array.
        var seenMask: UInt64 = 0
        var seenBig: [Bool] = n > 64 ? [Bool](repeating: false, count: n) : []
        var hint = 0
        let keys = node.keys
        while true {
            let tok = try next(&t)
            guard case .key(let k) = tok else { break }  // objectEnd
            let idx = lookup(node, keys, k, &t, hint: hint)
            let vtok = try next(&t)
            guard idx >= 0 else {
                try skip(vtok, &t)
                continue
            }
            hint = idx + 1
            let dup = n > 64 ? seenBig[idx] : (seenMask >> UInt64(idx)) & 1 != 0
            if dup {
                throw .data("duplicate key '\(t.string(of: k))' for column '\(children[idx].path)'", [])
            }
            if n > 64 { seenBig[idx] = true } else { seenMask |= 1 << UInt64(idx) }
            do {
                try value(children[idx], vtok, &t, b, r: r, d: d)
            } catch {
                throw error.prepending(t.string(of: k))
            }
        }
        if n <= 64 {
            let full: UInt64 = n == 64 ? ~0 : (1 << UInt64(n)) - 1
            if seenMask != full {
                for i in 0..<n where (seenMask >> UInt64(i)) & 1 == 0 { b.nulls(children[i], r: r, d: d) }
            }
        } else {
            for i in 0..<n where !seenBig[i] { b.nulls(children[i], r: r, d: d) }
        }
    }

    /// Index of the child a key selects, or -1.
    @inline(__always)
    private mutating func lookup(_ node: Node, _ keys: [[UInt8]], _ k: JSONStringToken, _ t: inout JSONTokenizer,
                                 hint: Int) -> Int {
        let raw = t.bytes(of: k)
        let n = keys.count
        if !k.hasEscapes && (k.isASCII || !caseInsensitive) && !dotsToUnderscores {
            if hint < n && equalKey(raw, keys[hint]) { return hint }
            for i in 0..<n where i != hint && equalKey(raw, keys[i]) { return i }
            return -1
        }
        // slow path: unescape, fold, map dots
        keyScratch.removeAll(keepingCapacity: true)
        if k.hasEscapes { JSONTokenizer.unescape(raw, appendingTo: &keyScratch) } else { keyScratch.append(contentsOf: raw) }
        var s = String(decoding: keyScratch, as: UTF8.self)
        if caseInsensitive { s = s.lowercased() }
        if dotsToUnderscores { s = String(s.map { $0 == "." ? "_" : $0 }) }
        for i in 0..<n where node.keyStrings[i] == s { return i }
        return -1
    }

    @inline(__always)
    private func equalKey(_ raw: UnsafeRawBufferPointer, _ key: [UInt8]) -> Bool {
        guard raw.count == key.count else { return false }
        if caseInsensitive {
            for i in 0..<raw.count {
                var c = raw[i]
                if c &- 0x41 < 26 { c |= 0x20 }
                if c != key[i] { return false }
            }
            return true
        }
        return key.withUnsafeBytes { kb in memcmpEqual(raw, kb) }
    }

    @inline(__always)
    private func memcmpEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        for i in 0..<a.count where a[i] != b[i] { return false }
        return true
    }

    /// `d` is the definition level of the list's parent (list null at d, list present at d+1).
    private mutating func list(_ node: Node, _ tok: JSONToken, _ t: inout JSONTokenizer, _ b: ColumnBuilders,
                               r: Int16, d: Int16) throws(Failure) {
        let el = node.children[0]
        guard case .arrayStart = tok else {
            // a single value becomes a one-element list (OpenX)
            guard openx else { throw fail(node, "expected an array", t, tok) }
            try value(el, tok, &t, b, r: r, d: d + 2)
            return
        }
        var first = true
        var index = 0
        while true {
            let e = try next(&t)
            if case .arrayEnd = e { break }
            do {
                try value(el, e, &t, b, r: first ? r : node.rep, d: d + 2)
            } catch {
                throw error.prepending(String(index))
            }
            first = false
            index &+= 1
        }
        if first { b.nulls(node, r: r, d: d + 1) }  // empty list
    }

    private mutating func map(_ node: Node, _ t: inout JSONTokenizer, _ b: ColumnBuilders, r: Int16, d: Int16)
        throws(Failure)
    {
        let kn = node.children[0], vn = node.children[1]
        var first = true
        while true {
            let tok = try next(&t)
            guard case .key(let k) = tok else { break }
            let rr = first ? r : node.rep
            first = false
            // the key is a required leaf at d+2 (present entry); a JSON key is a string token
            try leaf(kn, .string(k), &t, b, r: rr, d: d + 1)  // required: present at d+2
            let v = try next(&t)
            do {
                try value(vn, v, &t, b, r: rr, d: d + 2)
            } catch {
                throw error.prepending(t.string(of: k))
            }
        }
        if first { b.nulls(node, r: r, d: d + 1) }
    }

    // MARK: leaves

    private mutating func leaf(_ node: Node, _ tok: JSONToken, _ t: inout JSONTokenizer, _ b: ColumnBuilders,
                               r: Int16, d: Int16) throws(Failure) {
        let i = node.leafRange.lowerBound
        let dv = d + 1  // value present
        switch node.leafKind {
        case .string(let maxChars):
            switch tok {
            case .string(let s):
                let raw = t.bytes(of: s)
                if !s.hasEscapes && maxChars == nil {
                    b.columns[i].values.byteArrays.append(raw)
                } else {
                    scratch.removeAll(keepingCapacity: true)
                    if s.hasEscapes { JSONTokenizer.unescape(raw, appendingTo: &scratch) } else { scratch.append(contentsOf: raw) }
                    if let m = maxChars { truncate(&scratch, chars: m) }
                    b.columns[i].values.byteArrays.append(contentsOf: scratch)
                }
            case .number(let n):
                b.columns[i].values.byteArrays.append(t.bytes(of: n))
            case .bool(let v):
                b.columns[i].values.byteArrays.append(contentsOf: v ? Array("true".utf8) : Array("false".utf8))
            case .objectStart, .arrayStart:
                guard openx else { throw fail(node, "expected a string", t, tok) }
                // the JSON text of the value, compact (as OpenX's JSONObject.toString gives it)
                let start = t.tokenStart
                try skip(tok, &t)
                scratch.removeAll(keepingCapacity: true)
                var inString = false, escaped = false
                for c in t.bytes(in: start..<t.position) {
                    if inString {
                        if escaped { escaped = false } else if c == 0x5C { escaped = true } else if c == 0x22 { inString = false }
                    } else if c == 0x22 {
                        inString = true
                    } else if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {
                        continue
                    }
                    scratch.append(c)
                }
                b.columns[i].values.byteArrays.append(contentsOf: scratch)
            default:
                throw fail(node, "expected a string", t, tok)
            }
        case .binary:
            guard case .string(let s) = tok else { throw fail(node, "expected a string", t, tok) }
            scratch.removeAll(keepingCapacity: true)
            JSONTokenizer.unescape(t.bytes(of: s), appendingTo: &scratch)
            b.columns[i].values.byteArrays.append(contentsOf: scratch)
        case .int8, .int16, .int32, .int64:
            let v = try integer(node, tok, &t)
            switch node.leafKind {
            case .int64: b.columns[i].values.int64s.append(v)
            case .int32:
                guard v >= Int64(Int32.min) && v <= Int64(Int32.max) else { throw fail(node, "out of range", t, tok) }
                b.columns[i].values.int32s.append(Int32(v))
            case .int16:
                guard v >= Int64(Int16.min) && v <= Int64(Int16.max) else { throw fail(node, "out of range", t, tok) }
                b.columns[i].values.int32s.append(Int32(v))
            default:
                guard v >= Int64(Int8.min) && v <= Int64(Int8.max) else { throw fail(node, "out of range", t, tok) }
                b.columns[i].values.int32s.append(Int32(v))
            }
        case .double, .float:
            var v: Double
            switch tok {
            case .number(let n):
                if let iv = n.int64 {
                    v = Double(iv)
                } else {
                    v = JSONNumber.parseDouble(t.bytes(of: n))
                    guard v.isFinite else { throw fail(node, "out of range", t, tok) }
                }
            case .string(let s) where openx:
                guard !s.hasEscapes, let x = Coercion.double(string: t.bytes(of: s)) ?? specialDouble(t.bytes(of: s))
                else { throw fail(node, "not a number", t, tok) }
                v = x
            default:
                throw fail(node, "expected a number", t, tok)
            }
            if case .float = node.leafKind {
                let f = Float(v)
                if f.isInfinite && v.isFinite { throw fail(node, "out of range", t, tok) }
                b.columns[i].values.floats.append(f)
            } else {
                b.columns[i].values.doubles.append(v)
            }
        case .boolean:
            switch tok {
            case .bool(let v): b.columns[i].values.booleans.append(v)
            case .string(let s) where openx:
                let text = t.string(of: s).lowercased()
                guard text == "true" || text == "false" else { throw fail(node, "not a boolean", t, tok) }
                b.columns[i].values.booleans.append(text == "true")
            default:
                throw fail(node, "expected a boolean", t, tok)
            }
        case .decimal(let p, let s):
            let dec: JSONDecimal
            switch tok {
            case .number(let n):
                dec = JSONDecimal(validatedLiteral: t.bytes(of: n))
            case .string(let st) where openx:
                var text = Array(t.string(of: st).utf8)
                if text.first == UInt8(ascii: "+") { text.removeFirst() }
                let ok = text.withUnsafeBytes { JSONNumber.isValidLiteral($0) }
                guard ok else { throw fail(node, "not a number", t, tok) }
                dec = text.withUnsafeBytes { JSONDecimal(validatedLiteral: $0) }
            default:
                throw fail(node, "expected a number", t, tok)
            }
            guard let digits = Coercion.unscaled(dec, scale: s, roundHalfUp: true), digits.count <= p else {
                throw fail(node, "out of range", t, tok)
            }
            let neg = dec.isNegative && !digits.isEmpty
            if p <= 18 {
                var v: Int64 = 0
                for dg in digits { v = v * 10 + Int64(dg) }
                if neg { v = -v }
                if p <= 9 { b.columns[i].values.int32s.append(Int32(v)) } else { b.columns[i].values.int64s.append(v) }
            } else {
                let w = b.columns[i].values.fixed.width
                b.columns[i].values.fixed.bytes.append(contentsOf: Coercion.twosComplement(digits: digits, negative: neg, width: w))
            }
        case .date:
            guard case .string(let s) = tok, !s.hasEscapes else { throw fail(node, "expected a date", t, tok) }
            let raw = t.bytes(of: s)
            var k = 0
            var days: Int?
            if let dd = Coercion.parseDate(raw, &k), k == raw.count {
                days = dd
            } else if let (sec, _) = Coercion.timestamp(string: raw) {
                days = Int(Coercion.floorDiv(sec, 86400))
            }
            guard let days else { throw fail(node, "not a date", t, tok) }
            b.columns[i].values.int32s.append(Int32(days))
        case .timestamp:
            var ts: (Int64, Int64)?
            switch tok {
            case .string(let s) where !s.hasEscapes:
                let raw = t.bytes(of: s)
                ts = Coercion.timestamp(string: raw)
                if ts == nil && openx {
                    if let iv = Coercion.integer(string: raw, allowHex: false) {
                        ts = Coercion.epoch(integer: iv)
                    } else if JSONNumber.isValidLiteral(raw) {
                        ts = Coercion.epoch(literal: raw)
                    }
                }
            case .number(let n) where openx:
                if let iv = n.int64 { ts = Coercion.epoch(integer: iv) } else { ts = Coercion.epoch(literal: t.bytes(of: n)) }
            default:
                break
            }
            guard let (sec, ns) = ts, sec >= Coercion.minSeconds, sec <= Coercion.maxSeconds else {
                throw fail(node, "not a timestamp", t, tok)
            }
            switch timestampMode {
            case .micros: b.columns[i].values.int64s.append(sec * 1_000_000 + ns / 1000)
            case .millis: b.columns[i].values.int64s.append(sec * 1000 + ns / 1_000_000)
            case .int96:
                let day = Coercion.floorDiv(sec, 86400)
                let nod = (sec - day * 86400) * 1_000_000_000 + ns
                b.columns[i].values.int96s.append(Int96(nanosOfDay: UInt64(nod), julianDay: UInt32(day + 2_440_588)))
            }
        }
        b.level(i, r: r, d: dv)
    }

    @inline(__always)
    private func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    private func specialDouble(_ raw: UnsafeRawBufferPointer) -> Double? { nil }

    private func truncate(_ bytes: inout [UInt8], chars: Int) {
        var count = 0
        for (k, c) in bytes.enumerated() where c & 0xC0 != 0x80 {
            if count == chars {
                bytes.removeSubrange(k...)
                return
            }
            count += 1
        }
    }

    private func integer(_ node: Node, _ tok: JSONToken, _ t: inout JSONTokenizer) throws(Failure) -> Int64 {
        switch tok {
        case .number(let n):
            if let v = n.int64 { return v }
            // a fraction or an exponent (even `1.0`, `1e2`) is not an integer literal (as pyarrow and Hive's
            // strict SerDe read them); a plain integer beyond Int64 is out of range
            throw fail(node, n.isIntegerLiteral ? "out of range" : "not an integer", t, tok)
        case .string(let s) where openx && !s.hasEscapes:
            guard let v = Coercion.integer(string: t.bytes(of: s), allowHex: true) else {
                throw fail(node, "not an integer", t, tok)
            }
            return v
        default:
            throw fail(node, "expected an integer", t, tok)
        }
    }

    // MARK: tokens

    @inline(__always)
    private func next(_ t: inout JSONTokenizer) throws(Failure) -> JSONToken {
        do {
            return try t.next()
        } catch {
            throw .parse(error)
        }
    }

    /// Skips the rest of a value whose first token is `tok`.
    @inline(__always)
    func skip(_ tok: JSONToken, _ t: inout JSONTokenizer) throws(Failure) {
        switch tok {
        case .objectStart, .arrayStart:
            let depth = t.depth - 1
            repeat { _ = try next(&t) } while t.depth > depth
        default:
            return
        }
    }

    /// Skips to the end of the current top-level document.
    func skipDocument(_ t: inout JSONTokenizer) throws(Failure) {
        while t.depth > 0 { _ = try next(&t) }
    }
}
