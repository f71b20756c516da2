// Reading rows back as `ParquetValue` trees (record assembly into values), for tests and callers that want values.

/// Builds `ParquetValue` rows from record assembly.
struct ValueSink: RecordSink {
    let columns: [ColumnData]
    var rows: [ParquetValue] = []
    // stack of open containers: (isObject, pending key, items)
    private var stack: [(object: Bool, keys: [String], items: [ParquetValue])] = []
    private var pendingKey: String?

    init(columns: [ColumnData]) { self.columns = columns }

    mutating func beginRecord() {}
    mutating func endRecord() {}
    mutating func beginObject() { stack.append((true, [], [])) }
    mutating func key(_ node: AssemblyNode) { stack[stack.count - 1].keys.append(node.name) }
    mutating func endObject() {
        let top = stack.removeLast()
        let v = ParquetValue.object(zip(top.keys, top.items).map { ParquetField($0, $1) })
        push(v)
    }
    mutating func beginArray() { stack.append((false, [], [])) }
    mutating func arraySeparator() {}
    mutating func endArray() {
        let top = stack.removeLast()
        push(.array(top.items))
    }
    mutating func null() { push(.null) }
    mutating func value(column: Int, index: Int) throws {
        push(Self.leafValue(columns[column], index))
    }

    private mutating func push(_ v: ParquetValue) {
        if stack.isEmpty { rows.append(v) } else { stack[stack.count - 1].items.append(v) }
    }

    static func leafValue(_ c: ColumnData, _ i: Int) -> ParquetValue {
        let d = c.descriptor
        let v = c.values
        switch d.physicalType {
        case .boolean: return .bool(v.booleans[i])
        case .int32:
            if StatisticsOrder(d) == .uint32 { return .int(Int64(UInt32(bitPattern: v.int32s[i]))) }
            return .int(Int64(v.int32s[i]))
        case .int64:
            if StatisticsOrder(d) == .uint64 { return .uint64(UInt64(bitPattern: v.int64s[i])) }
            return .int(v.int64s[i])
        case .float: return .float(v.floats[i])
        case .double: return .double(v.doubles[i])
        case .int96: return .bytes(v.int96s[i].bytes)
        case .byteArray:
            let b = Array(v.byteArrays[i])
            var str = d.convertedType == .utf8 || d.convertedType == .json || d.convertedType == .enumType
            switch d.logicalType {
            case .string?, .json?, .enum?: str = true
            default: break
            }
            if str, let s = String(validating: b, as: UTF8.self) { return .string(s) }
            return .bytes(b)
        case .fixedLenByteArray: return .bytes(Array(v.fixed[i]))
        case .unknown: return .null
        }
    }
}

extension ParquetFile {
    /// The rows of one row group as values: objects per row; LISTs and repeated fields as arrays; MAPs as
    /// arrays of `[key, value]` arrays (as record assembly sees them); INT96 as its 12 bytes; unsigned 64-bit
    /// integers as `uint64`; strings (STRING/UTF8/ENUM/JSON) as `string`, other binary as `bytes`.
    public func readValues(rowGroup: Int, options: ReadOptions = ReadOptions()) throws -> [ParquetValue] {
        let plan = AssemblyPlan(schema: schema)
        let cols = try plan.columns.map { try readColumn(rowGroup: rowGroup, column: $0, options: options) }
        var asm = RecordAssembler(plan: plan, columns: cols)
        var sink = ValueSink(columns: cols)
        for _ in 0..<metadata.rowGroups[rowGroup].numRows { try asm.next(into: &sink) }
        return sink.rows
    }

    /// Every row of the file as values (see `readValues(rowGroup:)`).
    public func readValues(options: ReadOptions = ReadOptions()) throws -> [ParquetValue] {
        var out: [ParquetValue] = []
        for g in 0..<rowGroupCount { out.append(contentsOf: try readValues(rowGroup: g, options: options)) }
        return out
    }
}
