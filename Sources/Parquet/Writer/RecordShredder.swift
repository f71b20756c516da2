// Record shredding (Dremel): rows of `ParquetValue` → one `ColumnData` per leaf (dense values + definition and
// repetition levels) for structs, LISTs (3-level, legacy 2-level), MAPs and bare repeated fields at any depth.

/// Turns rows of ``ParquetValue`` into column data (dense values plus definition and repetition levels), the Dremel
/// shredding, for structs, lists, maps and repeated fields at any depth. Linear in the values of the rows.
public struct RecordShredder {
    /// The schema rows are shredded for.
    public let schema: Schema
    private var columns: [ColumnData]

    /// A shredder with empty column buffers for every leaf of `schema`.
    public init(schema: Schema) {
        self.schema = schema
        columns = schema.columns.map { ColumnData(descriptor: $0) }
    }

    /// Rows appended since the last `take()`.
    public private(set) var rowCount = 0

    /// The shredded columns; starts a new batch.
    public mutating func take() -> [ColumnData] {
        let out = columns
        columns = schema.columns.map { ColumnData(descriptor: $0) }
        rowCount = 0
        return out
    }

    /// Shreds one row (an `.object`; `.null` is a row of nulls).
    public mutating func append(_ row: ParquetValue) throws {
        let fields: [ParquetField]
        switch row {
        case .object(let fs): fields = fs
        case .null: fields = []
        default: throw ParquetError.invalidArgument("a row must be an object, not \(row)")
        }
        let saved = columns.map { ($0.levelCount, $0.definitionLevels.count, $0.repetitionLevels.count, $0.values.count) }
        do {
            for child in schema.root.children {
                let v = fields.first(where: { $0.name == child.name })?.value ?? .null
                if child.isRepeated {
                    try writeRepeated(child, Self.items(v, child), rep: 0)
                } else {
                    try write(child, v, rep: 0)
                }
            }
        } catch {
            for i in columns.indices {
                let (l, d, r, v) = saved[i]
                columns[i].levelCount = l
                columns[i].definitionLevels.removeLast(columns[i].definitionLevels.count - d)
                columns[i].repetitionLevels.removeLast(columns[i].repetitionLevels.count - r)
                columns[i].values.truncate(to: v)
            }
            throw error
        }
        rowCount += 1
    }

    private static func isList(_ n: SchemaNode) -> Bool {
        if case .list? = n.logicalType { return true }
        return n.logicalType == nil && n.convertedType == .list
    }

    private static func isMap(_ n: SchemaNode) -> Bool {
        if case .map? = n.logicalType { return true }
        return n.logicalType == nil && (n.convertedType == .map || n.convertedType == .mapKeyValue)
    }

    private static func items(_ v: ParquetValue, _ n: SchemaNode) throws -> [ParquetValue] {
        switch v {
        case .null: return []
        case .array(let a): return a
        default: throw ParquetError.invalidArgument("field '\(n.name)' is repeated: expected an array, got \(v)")
        }
    }

    /// Entries for the one null (or empty) at `def`: every leaf below `n` gets a level entry and no value.
    private mutating func emitNull(_ n: SchemaNode, rep: Int, def: Int) {
        for c in n.firstLeaf..<(n.firstLeaf + n.leafCount) {
            if columns[c].descriptor.maxDefinitionLevel > 0 { columns[c].definitionLevels.append(Int16(def)) }
            if columns[c].descriptor.maxRepetitionLevel > 0 { columns[c].repetitionLevels.append(Int16(rep)) }
            columns[c].levelCount += 1
        }
    }

    /// A non-repeated node with its value.
    private mutating func write(_ n: SchemaNode, _ v: ParquetValue, rep: Int) throws {
        if v.isNull {
            guard n.repetition == .optional else {
                throw ParquetError.invalidArgument("required field '\(n.name)' is null")
            }
            emitNull(n, rep: rep, def: n.definitionLevel - 1)
            return
        }
        try writePresent(n, v, rep: rep)
    }

    /// Node `n` is present (defined at `n.definitionLevel`) with value `v`.
    private mutating func writePresent(_ n: SchemaNode, _ v: ParquetValue, rep: Int) throws {
        if n.isLeaf {
            try appendLeaf(n.firstLeaf, v, rep: rep, def: n.definitionLevel)
            return
        }
        if n.children.count == 1, n.children[0].isRepeated, Self.isList(n) || Self.isMap(n) {
            let r = n.children[0]
            var instances: [ParquetValue]
            if Self.isMap(n) && !r.isLeaf && r.children.count <= 2 && r.children.count >= 1 {
                let keyName = r.children.first(where: { $0.name == "key" })?.name ?? r.children[0].name
                let valueName = r.children.first(where: { $0.name != keyName })?.name
                var entries: [ParquetMapEntry]
                switch v {
                case .map(let es): entries = es
                case .object(let fs): entries = fs.map { ParquetMapEntry(.string($0.name), $0.value) }
                case .array(let a):
                    entries = try a.map {
                        guard case .array(let kv) = $0, kv.count == 2 else {
                            throw ParquetError.invalidArgument("map '\(n.name)': entries must be [key, value] pairs")
                        }
                        return ParquetMapEntry(kv[0], kv[1])
                    }
                default: throw ParquetError.invalidArgument("map '\(n.name)': expected map entries, got \(v)")
                }
                instances = entries.map { e in
                    var fs = [ParquetField(keyName, e.key)]
                    if let valueName { fs.append(ParquetField(valueName, e.value)) }
                    return .object(fs)
                }
            } else {
                guard case .array(let a) = v else {
                    throw ParquetError.invalidArgument("list '\(n.name)': expected an array, got \(v)")
                }
                instances = a
                // 3-level lists: each item is the single field of the repeated group
                if !r.isLeaf && r.children.count == 1 && !r.children[0].isRepeated && r.name != "array"
                    && r.name != n.name + "_tuple"
                {
                    let en = r.children[0].name
                    instances = a.map { .object([ParquetField(en, $0)]) }
                }
            }
            try writeRepeated(r, instances, rep: rep)
            return
        }
        let fields: [ParquetField]
        switch v {
        case .object(let fs): fields = fs
        default: throw ParquetError.invalidArgument("group '\(n.name)': expected an object, got \(v)")
        }
        for c in n.children {
            let cv = fields.first(where: { $0.name == c.name })?.value ?? .null
            if c.isRepeated {
                try writeRepeated(c, Self.items(cv, c), rep: rep)
            } else {
                try write(c, cv, rep: rep)
            }
        }
    }

    /// A repeated node with its instances.
    private mutating func writeRepeated(_ r: SchemaNode, _ items: [ParquetValue], rep: Int) throws {
        if items.isEmpty {
            emitNull(r, rep: rep, def: r.definitionLevel - 1)
            return
        }
        for (i, item) in items.enumerated() {
            let rr = i == 0 ? rep : r.repetitionLevel
            if item.isNull && r.isLeaf {
                throw ParquetError.invalidArgument("repeated field '\(r.name)' cannot hold null")
            }
            try writePresent(r, item.isNull ? .object([]) : item, rep: rr)
        }
    }

    private mutating func appendLeaf(_ c: Int, _ v: ParquetValue, rep: Int, def: Int) throws {
        let d = columns[c].descriptor
        try Self.appendValue(v, to: &columns[c].values, descriptor: d)
        if d.maxDefinitionLevel > 0 { columns[c].definitionLevels.append(Int16(def)) }
        if d.maxRepetitionLevel > 0 { columns[c].repetitionLevels.append(Int16(rep)) }
        columns[c].levelCount += 1
    }

    static func appendValue(_ v: ParquetValue, to out: inout ColumnValues, descriptor d: ColumnDescriptor) throws {
        func bad() -> ParquetError {
            ParquetError.invalidArgument("column \(d.dottedPath): cannot store \(v) in a \(d.physicalType) column")
        }
        func int() throws -> Int64 {
            switch v {
            case .int(let x): return x
            case .uint64(let x): return Int64(bitPattern: x)
            case .bool(let b): return b ? 1 : 0
            case .double(let x) where x == x.rounded() && abs(x) < 9.2e18: return Int64(x)
            default: throw bad()
            }
        }
        switch d.physicalType {
        case .boolean:
            guard case .bool(let b) = v else { throw bad() }
            out.booleans.append(b)
        case .int32:
            let x = try int()
            guard x >= Int64(Int32.min) && x <= Int64(UInt32.max) else {
                throw ParquetError.invalidArgument("column \(d.dottedPath): \(x) does not fit in INT32")
            }
            out.int32s.append(Int32(truncatingIfNeeded: x))
        case .int64:
            out.int64s.append(try int())
        case .float:
            switch v {
            case .float(let x): out.floats.append(x)
            case .double(let x): out.floats.append(Float(x))
            case .int(let x): out.floats.append(Float(x))
            default: throw bad()
            }
        case .double:
            switch v {
            case .double(let x): out.doubles.append(x)
            case .float(let x): out.doubles.append(Double(x))
            case .int(let x): out.doubles.append(Double(x))
            case .uint64(let x): out.doubles.append(Double(x))
            default: throw bad()
            }
        case .byteArray:
            switch v {
            case .string(let s): out.byteArrays.append(contentsOf: s.utf8)
            case .bytes(let b): out.byteArrays.append(contentsOf: b)
            default: throw bad()
            }
        case .fixedLenByteArray:
            let b: [UInt8]
            switch v {
            case .bytes(let x): b = x
            case .string(let s): b = Array(s.utf8)
            default: throw bad()
            }
            guard b.count == d.typeLength else {
                throw ParquetError.invalidArgument("column \(d.dottedPath): value of \(b.count) bytes in FIXED_LEN_BYTE_ARRAY(\(d.typeLength))")
            }
            out.fixed.bytes.append(contentsOf: b)
        case .int96:
            switch v {
            case .bytes(let b) where b.count == 12: out.int96s.append(Int96(bytes: b))
            case .int(let n): out.int96s.append(Int96(nanosSinceEpoch: n))
            default: throw bad()
            }
        case .unknown:
            throw bad()
        }
    }
}

extension ColumnValues {
    /// Keeps the first `n` values.
    mutating func truncate(to n: Int) {
        guard n < count else { return }
        switch physicalType {
        case .boolean: booleans.removeLast(booleans.count - n)
        case .int32: int32s.removeLast(int32s.count - n)
        case .int64: int64s.removeLast(int64s.count - n)
        case .int96: int96s.removeLast(int96s.count - n)
        case .float: floats.removeLast(floats.count - n)
        case .double: doubles.removeLast(doubles.count - n)
        case .byteArray:
            byteArrays.bytes.removeLast(byteArrays.bytes.count - byteArrays.offsets[n])
            byteArrays.offsets.removeLast(byteArrays.offsets.count - n - 1)
        case .fixedLenByteArray: fixed.bytes.removeLast(fixed.bytes.count - n * fixed.width)
        case .unknown: break
        }
    }
}
