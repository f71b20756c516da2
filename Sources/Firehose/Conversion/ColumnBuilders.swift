// JSON records straight into Parquet column buffers (no tree): the tokenizer's events drive a tree of nodes
// built from the Hive columns; every leaf appends dense values and definition / repetition levels to a
// `ColumnData`. A record either commits (its entries stay) or rolls back (every leaf is truncated to the mark
// taken before it), so a failed record leaves no trace.

import JSON
import Parquet

/// Record semantics (`--serde`, key matching).
public struct RecordOptions: Sendable {
    /// The Hive SerDe whose JSON rules are followed (`--serde`): `openx` (Firehose's OpenX JSON SerDe: keys matched
    /// ignoring case, numbers in strings accepted) or `hive` (Hive's JsonSerDe: stricter type matching).
    public enum SerDe: String, Sendable {
        /// `openx`: Firehose's OpenX JSON SerDe; `hive`: Hive's JsonSerDe (stricter type matching).
        case openx, hive
    }
    /// The SerDe rules to follow (OpenX by default, as Firehose).
    public var serde: SerDe = .openx
    /// Keys match column and field names ignoring (ASCII and Unicode) case (OpenX default).
    public var caseInsensitive = true
    /// `--key-mapping COLUMN=JSONKEY`: the column / field named COLUMN (any depth) reads JSON key JSONKEY.
    public var keyMapping: [String: String] = [:]
    /// `--dots-to-underscores`: the JSON key `a.b` matches the column `a_b`.
    public var dotsToUnderscores = false
    /// How `timestamp` columns are stored (`--timestamp`): INT64 microseconds by default.
    public var timestamp: TimestampMode = .micros
    /// Firehose's defaults: OpenX, case-insensitive keys, no mapping, microsecond timestamps.
    public init() {}
}

/// Why a record failed.
public struct RecordFailure: Error, Sendable {
    /// Firehose's error code for the failure (the raw value), written as `errorCode` in the error output.
    public enum Code: String, Sendable, CaseIterable {
        /// The record is not JSON (or not an object).
        case parseError = "DataFormatConversion.ParseError"
        /// A value does not fit its column's type (wrong kind, out of range, bad date or timestamp, too long).
        case malformedData = "DataFormatConversion.MalformedData"
        /// The record fails the `--schema` JSON Schema.
        case schemaViolation = "DataFormatConversion.JSONSchemaViolation"
        /// A `--partition-key` query gave no usable value (null, object, array, or an error).
        case partitionExtraction = "DynamicPartitioning.MetadataExtractionFailed"
        /// The record would open a partition beyond the limit of open partitions.
        case partitionLimit = "DynamicPartitioning.ActivePartitionsExceeded"

        /// `!{firehose:error-output-type}` of the code.
        public var outputType: String {
            switch self {
            case .parseError, .malformedData, .schemaViolation: "format-conversion-failed"
            case .partitionExtraction, .partitionLimit: "partitioning-failed"
            }
        }
    }
    /// The failure's category.
    public var code: Code
    /// What was wrong with the record (`column 'id': expected a string, found an array`).
    public var message: String
    /// A failure with `code` and `message`.
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
    /// Position in `RecordLayout.nodes` (and the plan).
    var index = 0

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

/// A node of the plan: plain values only (no references), so the converter walks it without retain/release.
struct PlanNode {
    var kind: Node.Kind
    var leafKind: LeafKind
    var rep: Int16
    var leafLower: Int
    var leafUpper: Int
    /// Children: `RecordPlan.children[firstChild ..< firstChild + childCount]`; for a struct, child `i`'s key is
    /// `RecordPlan.keys[firstChild + i]`.
    var firstChild: Int
    var childCount: Int
}

/// A struct member's key: its JSON text with quotes (for `JSONTokenizer.skipKey(ifEqualTo:)`), and its bytes
/// as matched (ASCII-lowercased when matching ignores case).
struct PlanKey {
    var quoted: UnsafeRawBufferPointer
    var plain: UnsafeRawBufferPointer
    /// The quoted form can be compared byte for byte (printable ASCII without `"` or `\`).
    var fast: Bool
}

/// The node tree flattened into raw buffers, owned by the layout (alive as long as it is).
struct RecordPlan {
    let nodes: UnsafeMutablePointer<PlanNode>
    let children: UnsafeMutablePointer<Int>
    let keys: UnsafeMutablePointer<PlanKey>
}

/// The shape shared by every builder of one table: nodes, leaf descriptors, options. Immutable, shared by threads.
public final class RecordLayout: @unchecked Sendable {
    /// The Parquet schema the columns map to.
    public let schema: Schema
    /// The column definitions the layout was built from.
    public let columns: ColumnDefinitions
    /// The record semantics used.
    public let options: RecordOptions
    let descriptors: [ColumnDescriptor]
    /// Every node, by index (root first); the plan mirrors them.
    let nodes: [Node]
    let plan: RecordPlan
    private let keyBytes: UnsafeMutableRawPointer

    /// Builds the node tree and flat plan of `columns`; linear in the number of columns and fields.
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
        // flatten: nodes in preorder, children and keys in slots
        var all: [Node] = []
        func number(_ n: Node) {
            n.index = all.count
            all.append(n)
            for c in n.children { number(c) }
        }
        number(r)
        nodes = all
        let slots = all.reduce(0) { $0 + $1.children.count }
        let keyLength = all.reduce(0) { acc, n in acc + n.keys.reduce(0) { $0 + 2 * $1.count + 2 } }
        let blob = UnsafeMutableRawPointer.allocate(byteCount: max(1, keyLength), alignment: 8)
        keyBytes = blob
        let planNodes = UnsafeMutablePointer<PlanNode>.allocate(capacity: all.count)
        let children = UnsafeMutablePointer<Int>.allocate(capacity: max(1, slots))
        let keys = UnsafeMutablePointer<PlanKey>.allocate(capacity: max(1, slots))
        var slot = 0
        var at = 0
        func store(_ bytes: [UInt8]) -> UnsafeRawBufferPointer {
            let start = blob + at
            bytes.withUnsafeBytes { start.copyMemory(from: $0.baseAddress ?? UnsafeRawPointer(start), byteCount: bytes.count) }
            at += bytes.count
            return UnsafeRawBufferPointer(start: start, count: bytes.count)
        }
        for n in all {
            (planNodes + n.index).initialize(to: PlanNode(
                kind: n.kind, leafKind: n.leafKind, rep: n.rep, leafLower: n.leafRange.lowerBound,
                leafUpper: n.leafRange.upperBound, firstChild: slot, childCount: n.children.count))
            for (i, c) in n.children.enumerated() {
                (children + slot + i).initialize(to: c.index)
                if n.kind == .strukt {
                    let k = n.keys[i]
                    let fast = k.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }
                    let quoted = store([0x22] + k + [0x22])
                    (keys + slot + i).initialize(to: PlanKey(quoted: quoted, plain: store(k), fast: fast))
                } else {
                    (keys + slot + i).initialize(to: PlanKey(quoted: UnsafeRawBufferPointer(start: nil, count: 0),
                                                             plain: UnsafeRawBufferPointer(start: nil, count: 0), fast: false))
                }
            }
            slot += n.children.count
        }
        plan = RecordPlan(nodes: planNodes, children: children, keys: keys)
    }

    deinit {
        plan.nodes.deallocate()
        plan.children.deallocate()
        plan.keys.deallocate()
        keyBytes.deallocate()
    }
}

/// Column buffers of one batch of records: dense values plus levels per leaf. Reused between batches.
public final class ColumnBuilders: @unchecked Sendable {
    /// The shared layout the builders fill.
    public let layout: RecordLayout
    /// One store per leaf.
    let leaves: UnsafeMutablePointer<LeafStore>
    let leafCount: Int
    /// Records committed since the last `reset()`.
    public internal(set) var rows = 0
    /// Input bytes of those records.
    public var inputBytes = 0
    /// Bytes of data in the buffers (approximate).
    public var bufferedBytes: Int {
        var n = 0
        for i in 0..<leafCount { n += leaves[i].bufferedBytes }
        return n
    }

    /// The batch as the writer's column data (a copy, into arrays kept for the next batch: hand them back by
    /// dropping the returned value before the next call).
    public var columns: [ColumnData] {
        if materialized.isEmpty { materialized = layout.descriptors.map { ColumnData(descriptor: $0) } }
        var out = materialized
        materialized = []  // `out` holds the only reference while filling
        for i in 0..<leafCount { leaves[i].fill(&out[i]) }
        materialized = out
        return out
    }
    private var materialized: [ColumnData] = []

    /// Copies the batch into `out` (reusing its arrays' storage).
    func fill(_ out: inout [ColumnData]) {
        if out.count != leafCount { out = layout.descriptors.map { ColumnData(descriptor: $0) } }
        for i in 0..<leafCount { leaves[i].fill(&out[i]) }
    }

    /// Empty buffers for every leaf of `layout`, each holding `capacity` levels before it grows (the rows of
    /// one partition of a chunk start small: RowPartitioning.swift).
    public init(layout: RecordLayout, capacity: Int = 1024) {
        self.layout = layout
        leafCount = layout.descriptors.count
        leaves = .allocate(capacity: max(1, leafCount))
        for (i, d) in layout.descriptors.enumerated() {
            let width: Int
            switch d.physicalType {
            case .boolean: width = MemoryLayout<Bool>.stride
            case .int32: width = 4
            case .int64: width = 8
            case .int96: width = MemoryLayout<Int96>.stride
            case .float: width = 4
            case .double: width = 8
            case .fixedLenByteArray: width = d.typeLength
            case .byteArray, .unknown: width = 0
            }
            (leaves + i).initialize(to: LeafStore(width: width, hasRep: d.maxRepetitionLevel > 0, capacity: max(4, capacity)))
        }
        marks = .allocate(capacity: max(1, leafCount))
        lineMarks = .allocate(capacity: max(1, leafCount))
        marks.initialize(repeating: 0, count: max(1, leafCount))
        lineMarks.initialize(repeating: 0, count: max(1, leafCount))
        maxDefs = layout.descriptors.map { Int16($0.maxDefinitionLevel) }
    }

    deinit {
        for i in 0..<leafCount { leaves[i].free() }
        leaves.deallocate()
        marks.deallocate()
        lineMarks.deallocate()
    }

    /// Empties every buffer (keeping capacity) for the next batch.
    public func reset() {
        for i in 0..<leafCount { leaves[i].removeAll() }
        rows = 0
        inputBytes = 0
    }

    /// Level counts per leaf at the document / line mark (values and bytes follow from the levels).
    private let marks: UnsafeMutablePointer<Int>
    private let lineMarks: UnsafeMutablePointer<Int>
    private var lineRows = 0
    private let maxDefs: [Int16]

    func mark() {
        for i in 0..<leafCount { marks[i] = leaves[i].levelCount }
    }

    /// Marks the start of a line (several documents may follow).
    func markLine() {
        for i in 0..<leafCount { lineMarks[i] = leaves[i].levelCount }
        lineRows = rows
    }

    /// Drops everything since `markLine()`, committed documents included.
    func rollbackLine() {
        rollback(to: lineMarks)
        rows = lineRows
    }

    func rollback() { rollback(to: marks) }

    private func rollback(to marks: UnsafeMutablePointer<Int>) {
        for i in 0..<leafCount { leaves[i].truncate(toLevel: marks[i], maxDef: maxDefs[i]) }
    }

    func commitRow(bytes: Int) {
        rows += 1
        inputBytes += bytes
    }

    // MARK: appending

    @inline(__always)
    func level(_ leaf: Int, r: Int16, d: Int16) {
        leaves[leaf].level(d, r)
    }

    /// Null (or absent) at definition level `d` for the leaves `lower..<upper`.
    @inline(__always)
    func nulls(_ lower: Int, _ upper: Int, r: Int16, d: Int16) {
        var leaf = lower
        while leaf < upper {
            leaves[leaf].level(d, r)
            leaf &+= 1
        }
    }
}

/// Converts records (one line of NDJSON: one or more JSON documents) into `ColumnBuilders`.
struct RecordConverter {
    let layout: RecordLayout
    let plan: RecordPlan
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
        plan = layout.plan
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
        try strukt(0, &t, b, r: 0, d: 0, fromArray: false)
    }

    private func fail(_ index: Int, _ what: String, _ t: borrowing JSONTokenizer, _ tok: JSONToken) -> Failure {
        let node = layout.nodes[index]
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

    /// A value token (already read) for node `index`.
    @inline(__always)
    private mutating func value(_ index: Int, _ tok: JSONToken, _ t: inout JSONTokenizer, _ b: ColumnBuilders,
                                r: Int16, d: Int16) throws(Failure) {
        let node = plan.nodes[index]
        if case .null = tok {
            b.nulls(node.leafLower, node.leafUpper, r: r, d: d)
            return
        }
        switch node.kind {
        case .leaf:
            try leaf(index, tok, &t, b, r: r, d: d)
        case .strukt:
            if case .objectStart = tok {
                try strukt(index, &t, b, r: r, d: d + 1, fromArray: false)
            } else if case .arrayStart = tok, openx {
                try strukt(index, &t, b, r: r, d: d + 1, fromArray: true)
            } else {
                throw fail(index, "expected an object", t, tok)
            }
        case .list:
            try list(index, tok, &t, b, r: r, d: d)
        case .map:
            guard case .objectStart = tok else { throw fail(index, "expected an object", t, tok) }
            try map(index, &t, b, r: r, d: d)
        }
    }

    /// Struct members; `d` is the struct's own (present) definition level.
    private mutating func strukt(_ index: Int, _ t: inout JSONTokenizer, _ b: ColumnBuilders, r: Int16, d: Int16,
                                 fromArray: Bool) throws(Failure) {
        let node = plan.nodes[index]
        let first = node.firstChild
        let n = node.childCount
        if fromArray {
            // a JSON array fills the fields by position; extra elements are dropped, missing ones are null
            var k = 0
            while true {
                let tok = try next(&t)
                if case .arrayEnd = tok { break }
                if k < n {
                    do {
                        try value(plan.children[first + k], tok, &t, b, r: r, d: d)
                    } catch {
                        throw error.prepending(String(k))
                    }
                } else {
                    try skip(tok, &t)
                }
                k += 1
            }
            while k < n {
                let c = plan.nodes[plan.children[first + k]]
                b.nulls(c.leafLower, c.leafUpper, r: r, d: d)
                k += 1
            }
            return
        }
        // Small structs: a bit mask of seen fields; larger: an array.
        var seenMask: UInt64 = 0
        var seenBig: [Bool]? = n > 64 ? [Bool](repeating: false, count: n) : nil
        var hint = 0
        while true {
            let idx: Int
            var keyToken: JSONStringToken? = nil
            // fast path: the member the previous one is usually followed by, matched in place
            if hint < n, plan.keys[first + hint].fast, t.skipKey(ifEqualTo: plan.keys[first + hint].quoted) {
                idx = hint
            } else {
                let tok = try next(&t)
                guard case .key(let k) = tok else { break }  // objectEnd
                keyToken = k
                idx = lookup(index, first, n, k, &t, hint: hint)
                if idx < 0 {
                    let vtok = try next(&t)
                    try skip(vtok, &t)
                    continue
                }
            }
            let vtok = try next(&t)
            hint = idx + 1
            let dup = n > 64 ? seenBig![idx] : (seenMask >> UInt64(idx)) & 1 != 0
            if dup {
                let name = keyToken.map { t.string(of: $0) } ?? layout.nodes[index].keyStrings[idx]
                throw .data("duplicate key '\(name)' for column '\(layout.nodes[plan.children[first + idx]].path)'", [])
            }
            if n > 64 { seenBig![idx] = true } else { seenMask |= 1 << UInt64(idx) }
            do {
                try value(plan.children[first + idx], vtok, &t, b, r: r, d: d)
            } catch {
                throw error.prepending(keyToken.map { t.string(of: $0) } ?? layout.nodes[index].keyStrings[idx])
            }
        }
        if n <= 64 {
            let full: UInt64 = n == 64 ? ~0 : (1 << UInt64(n)) - 1
            if seenMask != full {
                for i in 0..<n where (seenMask >> UInt64(i)) & 1 == 0 {
                    let c = plan.nodes[plan.children[first + i]]
                    b.nulls(c.leafLower, c.leafUpper, r: r, d: d)
                }
            }
        } else {
            for i in 0..<n where !seenBig![i] {
                let c = plan.nodes[plan.children[first + i]]
                b.nulls(c.leafLower, c.leafUpper, r: r, d: d)
            }
        }
    }

    /// Index of the child a key selects, or -1.
    @inline(__always)
    private mutating func lookup(_ index: Int, _ first: Int, _ n: Int, _ k: JSONStringToken, _ t: inout JSONTokenizer,
                                 hint: Int) -> Int {
        let raw = t.bytes(of: k)
        if !k.hasEscapes && (k.isASCII || !caseInsensitive) && !dotsToUnderscores {
            if hint < n && equalKey(raw, plan.keys[first + hint].plain) { return hint }
            for i in 0..<n where i != hint && equalKey(raw, plan.keys[first + i].plain) { return i }
            return -1
        }
        // slow path: unescape, fold, map dots
        keyScratch.removeAll(keepingCapacity: true)
        if k.hasEscapes { JSONTokenizer.unescape(raw, appendingTo: &keyScratch) } else { keyScratch.append(contentsOf: raw) }
        var s = String(decoding: keyScratch, as: UTF8.self)
        if caseInsensitive { s = s.lowercased() }
        if dotsToUnderscores { s = String(s.map { $0 == "." ? "_" : $0 }) }
        let keyStrings = layout.nodes[index].keyStrings
        for i in 0..<n where keyStrings[i] == s { return i }
        return -1
    }

    @inline(__always)
    private func equalKey(_ raw: UnsafeRawBufferPointer, _ key: UnsafeRawBufferPointer) -> Bool {
        guard raw.count == key.count else { return false }
        if caseInsensitive {
            for i in 0..<raw.count {
                var c = raw[i]
                if c &- 0x41 < 26 { c |= 0x20 }
                if c != key[i] { return false }
            }
            return true
        }
        return memcmpEqual(raw, key)
    }

    @inline(__always)
    private func memcmpEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        for i in 0..<a.count where a[i] != b[i] { return false }
        return true
    }

    /// `d` is the definition level of the list's parent (list null at d, list present at d+1).
    private mutating func list(_ index: Int, _ tok: JSONToken, _ t: inout JSONTokenizer, _ b: ColumnBuilders,
                               r: Int16, d: Int16) throws(Failure) {
        let node = plan.nodes[index]
        let el = plan.children[node.firstChild]
        guard case .arrayStart = tok else {
            // a single value becomes a one-element list (OpenX)
            guard openx else { throw fail(index, "expected an array", t, tok) }
            try value(el, tok, &t, b, r: r, d: d + 2)
            return
        }
        var first = true
        var i = 0
        while true {
            let e = try next(&t)
            if case .arrayEnd = e { break }
            do {
                try value(el, e, &t, b, r: first ? r : node.rep, d: d + 2)
            } catch {
                throw error.prepending(String(i))
            }
            first = false
            i &+= 1
        }
        if first { b.nulls(node.leafLower, node.leafUpper, r: r, d: d + 1) }  // empty list
    }

    private mutating func map(_ index: Int, _ t: inout JSONTokenizer, _ b: ColumnBuilders, r: Int16, d: Int16)
        throws(Failure)
    {
        let node = plan.nodes[index]
        let kn = plan.children[node.firstChild], vn = plan.children[node.firstChild + 1]
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
        if first { b.nulls(node.leafLower, node.leafUpper, r: r, d: d + 1) }
    }

    // MARK: leaves

    private mutating func leaf(_ index: Int, _ tok: JSONToken, _ t: inout JSONTokenizer, _ b: ColumnBuilders,
                               r: Int16, d: Int16) throws(Failure) {
        let node = plan.nodes[index]
        let i = node.leafLower
        let dv = d + 1  // value present
        switch node.leafKind {
        case .string(let maxChars):
            switch tok {
            case .string(let s):
                let raw = t.bytes(of: s)
                if !s.hasEscapes && maxChars == nil {
                    b.leaves[i].appendBytes(raw)
                } else {
                    scratch.removeAll(keepingCapacity: true)
                    if s.hasEscapes { JSONTokenizer.unescape(raw, appendingTo: &scratch) } else { scratch.append(contentsOf: raw) }
                    if let m = maxChars { truncate(&scratch, chars: m) }
                    b.leaves[i].appendBytes(scratch)
                }
            case .number(let n):
                b.leaves[i].appendBytes(t.bytes(of: n))
            case .bool(let v):
                b.leaves[i].appendBytes(v ? trueBytes : falseBytes)
            case .objectStart, .arrayStart:
                guard openx else { throw fail(index, "expected a string", t, tok) }
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
                b.leaves[i].appendBytes(scratch)
            default:
                throw fail(index, "expected a string", t, tok)
            }
        case .binary:
            guard case .string(let s) = tok else { throw fail(index, "expected a string", t, tok) }
            scratch.removeAll(keepingCapacity: true)
            JSONTokenizer.unescape(t.bytes(of: s), appendingTo: &scratch)
            b.leaves[i].appendBytes(scratch)
        case .int8, .int16, .int32, .int64:
            let v = try integer(index, tok, &t)
            switch node.leafKind {
            case .int64: b.leaves[i].append(v)
            case .int32:
                guard v >= Int64(Int32.min) && v <= Int64(Int32.max) else { throw fail(index, "out of range", t, tok) }
                b.leaves[i].append(Int32(v))
            case .int16:
                guard v >= Int64(Int16.min) && v <= Int64(Int16.max) else { throw fail(index, "out of range", t, tok) }
                b.leaves[i].append(Int32(v))
            default:
                guard v >= Int64(Int8.min) && v <= Int64(Int8.max) else { throw fail(index, "out of range", t, tok) }
                b.leaves[i].append(Int32(v))
            }
        case .double, .float:
            var v: Double
            switch tok {
            case .number(let n):
                if let iv = n.int64 {
                    v = Double(iv)
                } else {
                    v = JSONNumber.parseDouble(t.bytes(of: n))
                    guard v.isFinite else { throw fail(index, "out of range", t, tok) }
                }
            case .string(let s) where openx:
                guard !s.hasEscapes, let x = Coercion.double(string: t.bytes(of: s)) ?? specialDouble(t.bytes(of: s))
                else { throw fail(index, "not a number", t, tok) }
                v = x
            default:
                throw fail(index, "expected a number", t, tok)
            }
            if case .float = node.leafKind {
                let f = Float(v)
                if f.isInfinite && v.isFinite { throw fail(index, "out of range", t, tok) }
                b.leaves[i].append(f)
            } else {
                b.leaves[i].append(v)
            }
        case .boolean:
            switch tok {
            case .bool(let v): b.leaves[i].append(v)
            case .string(let s) where openx:
                let text = t.string(of: s).lowercased()
                guard text == "true" || text == "false" else { throw fail(index, "not a boolean", t, tok) }
                b.leaves[i].append(text == "true")
            default:
                throw fail(index, "expected a boolean", t, tok)
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
                guard ok else { throw fail(index, "not a number", t, tok) }
                dec = text.withUnsafeBytes { JSONDecimal(validatedLiteral: $0) }
            default:
                throw fail(index, "expected a number", t, tok)
            }
            guard let digits = Coercion.unscaled(dec, scale: s, roundHalfUp: true), digits.count <= p else {
                throw fail(index, "out of range", t, tok)
            }
            let neg = dec.isNegative && !digits.isEmpty
            if p <= 18 {
                var v: Int64 = 0
                for dg in digits { v = v * 10 + Int64(dg) }
                if neg { v = -v }
                if p <= 9 { b.leaves[i].append(Int32(v)) } else { b.leaves[i].append(v) }
            } else {
                let w = b.leaves[i].width
                b.leaves[i].appendFixed(Coercion.twosComplement(digits: digits, negative: neg, width: w))
            }
        case .date:
            guard case .string(let s) = tok, !s.hasEscapes else { throw fail(index, "expected a date", t, tok) }
            let raw = t.bytes(of: s)
            var k = 0
            var days: Int?
            if let dd = Coercion.parseDate(raw, &k), k == raw.count {
                days = dd
            } else if let (sec, _) = Coercion.timestamp(string: raw) {
                days = Int(Coercion.floorDiv(sec, 86400))
            }
            guard let days else { throw fail(index, "not a date", t, tok) }
            b.leaves[i].append(Int32(days))
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
                throw fail(index, "not a timestamp", t, tok)
            }
            switch timestampMode {
            case .micros: b.leaves[i].append(sec * 1_000_000 + ns / 1000)
            case .millis: b.leaves[i].append(sec * 1000 + ns / 1_000_000)
            case .int96:
                let day = Coercion.floorDiv(sec, 86400)
                let nod = (sec - day * 86400) * 1_000_000_000 + ns
                b.leaves[i].append(Int96(nanosOfDay: UInt64(nod), julianDay: UInt32(day + 2_440_588)))
            }
        }
        b.level(i, r: r, d: dv)
    }

    @inline(__always)
    private func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    private let trueBytes: [UInt8] = Array("true".utf8)
    private let falseBytes: [UInt8] = Array("false".utf8)

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

    private func integer(_ node: Int, _ tok: JSONToken, _ t: inout JSONTokenizer) throws(Failure) -> Int64 {
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
