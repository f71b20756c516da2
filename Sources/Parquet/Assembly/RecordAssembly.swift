// Record assembly: turns the level streams of leaf columns back into nested records (structs, lists, maps),
// driving a `RecordSink` so the same walk produces JSON lines, value trees or anything else.

/// Receives the structure of assembled records.
public protocol RecordSink {
    /// A record (row) starts.
    mutating func beginRecord()
    /// The record ends.
    mutating func endRecord()
    /// Start of a struct (top-level records are structs too).
    mutating func beginObject()
    /// The next value belongs to field `node` of the current struct.
    mutating func key(_ node: AssemblyNode)
    /// The current struct ends.
    mutating func endObject()
    /// A list (or map, as a list of `[key, value]` pairs) starts.
    mutating func beginArray()
    /// Between two elements of the current list.
    mutating func arraySeparator()
    /// The current list ends.
    mutating func endArray()
    /// A null value (a missing optional field or element).
    mutating func null()
    /// The value at dense index `index` of projected column `column`.
    mutating func value(column: Int, index: Int) throws
}

/// A node of the assembly plan: which JSON-like shape a schema node takes.
public final class AssemblyNode: @unchecked Sendable {
    /// The shape a schema node takes in an assembled record.
    public enum Kind {
        /// A primitive value from projected column `column`.
        case leaf(column: Int)
        /// A struct with the given fields (only projected ones).
        case group([AssemblyNode])
        /// A list: `repeatedDef`/`repeatedRep` are the levels of the repeated node; `element` the item shape.
        case list(repeatedDef: Int, repeatedRep: Int, element: AssemblyNode)
        /// A map: entries of `[key, value]`.
        case map(repeatedDef: Int, repeatedRep: Int, key: AssemblyNode?, value: AssemblyNode?)
    }

    /// The field name.
    public let name: String
    /// `"name":` as JSON bytes (escaped), ready to copy.
    public let jsonKey: [UInt8]
    /// Whether the field may be null.
    public let optional: Bool
    /// The definition level at which the node is present (not null).
    public let definitionLevel: Int
    /// The node's shape.
    public let kind: Kind
    /// Projected columns under this node: `firstColumn ..< firstColumn + columnCount`.
    public let firstColumn: Int
    /// Number of projected columns under the node.
    public let columnCount: Int

    init(name: String, optional: Bool, definitionLevel: Int, kind: Kind, firstColumn: Int, columnCount: Int) {
        self.name = name
        jsonKey = CanonicalFormat.encodedKey(name)
        self.optional = optional
        self.definitionLevel = definitionLevel
        self.kind = kind
        self.firstColumn = firstColumn
        self.columnCount = columnCount
    }
}

/// The assembly plan for a (projected) schema: top-level fields and the leaf columns in projection order.
public struct AssemblyPlan: Sendable {
    /// The top-level fields with at least one projected column, in schema order.
    public let fields: [AssemblyNode]
    /// Schema leaf index of each projected column.
    public let columns: [Int]

    /// Plans assembly of the leaves `selected` (schema leaf indices; nil = all).
    public init(schema: Schema, selected: [Int]? = nil) {
        let sel = Set(selected ?? Array(schema.columns.indices))
        var cols: [Int] = []
        var fields: [AssemblyNode] = []
        for child in schema.root.children {
            if let n = Self.build(child, sel, &cols, asInstance: false) { fields.append(n) }
        }
        self.fields = fields
        self.columns = cols
    }

    private static func hasSelected(_ n: SchemaNode, _ sel: Set<Int>) -> Bool {
        for i in n.firstLeaf..<(n.firstLeaf + n.leafCount) where sel.contains(i) { return true }
        return false
    }

    private static func isListAnnotated(_ n: SchemaNode) -> Bool {
        if case .list = n.logicalType { return true }
        return n.logicalType == nil && n.convertedType == .list
    }

    private static func isMapAnnotated(_ n: SchemaNode) -> Bool {
        if case .map = n.logicalType { return true }
        return n.logicalType == nil && (n.convertedType == .map || n.convertedType == .mapKeyValue)
    }

    /// Builds the node for `n`; `asInstance` builds one element of a repeated node (present, not repeated).
    private static func build(_ n: SchemaNode, _ sel: Set<Int>, _ cols: inout [Int], asInstance: Bool)
        -> AssemblyNode?
    {
        guard hasSelected(n, sel) else { return nil }
        let first = cols.count
        if n.isRepeated && !asInstance {
            // A bare repeated field: a list of its instances.
            guard let element = build(n, sel, &cols, asInstance: true) else { return nil }
            return AssemblyNode(name: n.name, optional: false, definitionLevel: n.definitionLevel - 1,
                                kind: .list(repeatedDef: n.definitionLevel, repeatedRep: n.repetitionLevel,
                                            element: element),
                                firstColumn: first, columnCount: cols.count - first)
        }
        let optional = !asInstance && n.isOptional
        if n.isLeaf {
            cols.append(n.firstLeaf)
            return AssemblyNode(name: n.name, optional: optional, definitionLevel: n.definitionLevel,
                                kind: .leaf(column: first), firstColumn: first, columnCount: 1)
        }
        // LogicalTypes.md "Lists" / "Maps", backward-compatibility rules. An instance of a repeated LIST- or
        // MAP-annotated group (a legacy 2-level list that is the element of another) is itself a list / map.
        if n.children.count == 1, n.children[0].isRepeated {
            let r = n.children[0]
            if isMapAnnotated(n), !r.isLeaf, r.children.count == 1 {
                // A MAP without a value field reads as pyarrow reads it: the list of its keys.
                guard let key = build(r.children[0], sel, &cols, asInstance: false) else { return nil }
                return AssemblyNode(name: n.name, optional: optional, definitionLevel: n.definitionLevel,
                                    kind: .list(repeatedDef: r.definitionLevel, repeatedRep: r.repetitionLevel,
                                                element: key),
                                    firstColumn: first, columnCount: cols.count - first)
            }
            if isMapAnnotated(n), !r.isLeaf, r.children.count == 2 {
                let keyIndex = r.children.firstIndex(where: { $0.name == "key" }) ?? 0
                let key = build(r.children[keyIndex], sel, &cols, asInstance: false)
                var value: AssemblyNode?
                if r.children.count == 2 {
                    value = build(r.children[1 - keyIndex], sel, &cols, asInstance: false)
                }
                return AssemblyNode(name: n.name, optional: optional, definitionLevel: n.definitionLevel,
                                    kind: .map(repeatedDef: r.definitionLevel, repeatedRep: r.repetitionLevel,
                                               key: key, value: value),
                                    firstColumn: first, columnCount: cols.count - first)
            }
            if isListAnnotated(n) || isMapAnnotated(n) {
                let element: AssemblyNode?
                // Rules 1-4: a primitive, a group of several fields, a group whose one field is repeated, or a
                // group named `array` / `<list>_tuple` is the element itself (required); rule 5: else its field.
                if r.isLeaf || r.children.count != 1 || r.children[0].isRepeated || r.name == "array"
                    || r.name == n.name + "_tuple"
                {
                    element = build(r, sel, &cols, asInstance: true)
                } else {
                    element = build(r.children[0], sel, &cols, asInstance: false)
                }
                guard let element else { return nil }
                return AssemblyNode(name: n.name, optional: optional, definitionLevel: n.definitionLevel,
                                    kind: .list(repeatedDef: r.definitionLevel, repeatedRep: r.repetitionLevel,
                                                element: element),
                                    firstColumn: first, columnCount: cols.count - first)
            }
        }
        var children: [AssemblyNode] = []
        for c in n.children {
            if let b = build(c, sel, &cols, asInstance: false) { children.append(b) }
        }
        return AssemblyNode(name: n.name, optional: optional, definitionLevel: n.definitionLevel,
                            kind: .group(children), firstColumn: first, columnCount: cols.count - first)
    }
}

/// Walks the level streams of one row group's projected columns, record by record.
public struct RecordAssembler {
    /// The plan being walked.
    public let plan: AssemblyPlan
    let columns: [ColumnData]
    private var levelPos: [Int]
    private var valuePos: [Int]
    private let maxDef: [Int]
    private let levelCount: [Int]
    private let valueCount: [Int]
    private let hasDef: [Bool]
    private let hasRep: [Bool]

    /// An assembler over one row group's decoded `columns`, one per ``AssemblyPlan/columns`` entry in the same order.
    public init(plan: AssemblyPlan, columns: [ColumnData]) {
        precondition(plan.columns.count == columns.count)
        self.plan = plan
        self.columns = columns
        levelPos = [Int](repeating: 0, count: columns.count)
        valuePos = [Int](repeating: 0, count: columns.count)
        maxDef = columns.map { $0.descriptor.maxDefinitionLevel }
        levelCount = columns.map(\.levelCount)
        valueCount = columns.map(\.values.count)
        hasDef = columns.map { !$0.definitionLevels.isEmpty }
        hasRep = columns.map { !$0.repetitionLevels.isEmpty }
    }

    /// Columns with levels left after the records read so far.
    public var unfinishedColumns: [Int] {
        columns.indices.filter { levelPos[$0] < levelCount[$0] }
    }

    /// True when every column has been consumed.
    public var isAtEnd: Bool {
        for c in columns.indices where levelPos[c] < levelCount[c] { return false }
        return true
    }

    @inline(__always)
    private func def(_ c: Int) throws -> Int {
        let p = levelPos[c]
        guard p < levelCount[c] else {
            throw ParquetError.corrupt("column \(columns[c].descriptor.dottedPath): levels end before the row group's records")
        }
        if !hasDef[c] { return maxDef[c] }
        return Int(columns[c].definitionLevels[p])
    }

    @inline(__always)
    private func rep(_ c: Int) -> Int {
        let p = levelPos[c]
        if !hasRep[c] || p >= levelCount[c] { return 0 }
        return Int(columns[c].repetitionLevels[p])
    }

    @inline(__always)
    private mutating func skip(_ n: AssemblyNode) {
        for c in n.firstColumn..<(n.firstColumn + n.columnCount) { levelPos[c] += 1 }
    }

    /// Emits the next record into `sink`.
    public mutating func next<S: RecordSink>(into sink: inout S) throws {
        if plan.fields.isEmpty {
            sink.beginRecord(); sink.beginObject(); sink.endObject(); sink.endRecord()
            return
        }
        for c in columns.indices where levelPos[c] < levelCount[c] && rep(c) != 0 {
            throw ParquetError.corrupt(
                "column \(columns[c].descriptor.dottedPath): record starts with repetition level \(rep(c))")
        }
        sink.beginRecord()
        sink.beginObject()
        for f in plan.fields {
            sink.key(f)
            try emit(f, &sink)
        }
        sink.endObject()
        sink.endRecord()
    }

    private mutating func emit<S: RecordSink>(_ n: AssemblyNode, _ sink: inout S) throws {
        if n.columnCount == 0 { sink.null(); return }
        if n.optional {
            let d = try def(n.firstColumn)
            if d < n.definitionLevel {
                sink.null()
                skip(n)
                return
            }
        }
        switch n.kind {
        case .leaf(let c):
            let d = try def(c)
            if d < maxDef[c] {
                // A required leaf below a null ancestor never gets here; a leaf whose definition level is short
                // of its own maximum is null.
                sink.null()
                levelPos[c] += 1
                return
            }
            let i = valuePos[c]
            guard i < valueCount[c] else {
                throw ParquetError.corrupt("column \(columns[c].descriptor.dottedPath): fewer values than levels say")
            }
            try sink.value(column: c, index: i)
            valuePos[c] = i + 1
            levelPos[c] += 1
        case .group(let children):
            sink.beginObject()
            for ch in children {
                sink.key(ch)
                try emit(ch, &sink)
            }
            sink.endObject()
        case .list(let rd, let rr, let element):
            try emitRepeated(n, rd, rr, &sink) { this, sink in try this.emit(element, &sink) }
        case .map(let rd, let rr, let key, let value):
            try emitRepeated(n, rd, rr, &sink) { this, sink in
                sink.beginArray()
                if let key { try this.emit(key, &sink) } else { sink.null() }
                sink.arraySeparator()
                if let value { try this.emit(value, &sink) } else { sink.null() }
                sink.endArray()
            }
        }
    }
    /// The items of a list or map node: `[]` when the repeated node is not defined, else items while the next
    /// level continues this repetition.
    @inline(__always)
    private mutating func emitRepeated<S: RecordSink>(_ n: AssemblyNode, _ repeatedDef: Int, _ repeatedRep: Int,
                                                      _ sink: inout S,
                                                      _ item: (inout RecordAssembler, inout S) throws -> Void) throws {
        let c = n.firstColumn
        if try def(c) < repeatedDef {
            sink.beginArray()
            sink.endArray()
            skip(n)
            return
        }
        sink.beginArray()
        var firstItem = true
        repeat {
            if !firstItem { sink.arraySeparator() }
            firstItem = false
            let before = levelPos[c]
            try item(&self, &sink)
            if levelPos[c] == before {
                throw ParquetError.corrupt("column \(columns[c].descriptor.dottedPath): repeated item consumed no levels")
            }
        } while levelPos[c] < levelCount[c] && rep(c) == repeatedRep
        sink.endArray()
    }
}
