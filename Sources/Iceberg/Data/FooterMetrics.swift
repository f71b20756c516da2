// A manifest entry for a Parquet file written by another writer (Floe's converter): its metrics come from the
// footer, as pyiceberg's `data_file_statistics_from_parquet_metadata` takes them, instead of from the rows
// (spec "Manifests": column sizes, value and null counts, lower and upper bounds in the single-value serialization,
// truncated as the default `truncate(16)` metrics mode does). Leaves map to field ids through the `field_id` of
// the file's schema. NaN counts are not in Parquet statistics and are left out (optional in the spec); bounds are
// left out for columns inside lists and maps (their statistics span all elements).

import Parquet

extension DataFile {
    /// The manifest entry of the Parquet file at `path` (`size` bytes, footer `footer`), for a table of `schema`,
    /// in partition `partition`.
    ///
    /// - Throws: ``IcebergError/invalidArgument(_:)`` when the file's schema has a leaf without a field id, a field
    ///   id the table schema lacks, or a leaf whose physical type does not store the field's Iceberg type.
    public static func fromParquetFooter(path: String, size: Int64, footer: FileMetaData, schema: IcebergSchema,
                                         partition: [IcebergLiteral?] = []) throws(IcebergError) -> DataFile {
        let fileSchema: Schema
        do { fileSchema = try Schema(elements: footer.schema) } catch {
            throw .invalidArgument("\(path): unreadable Parquet schema: \(error)")
        }
        // every field id's type: struct fields, list elements, map keys and values
        var types: [Int: IcebergType] = [:]
        func collect(_ t: IcebergType) {
            switch t {
            case .structure(let fs): for f in fs { types[f.id] = f.type; collect(f.type) }
            case .list(let eid, let e, _): types[eid] = e; collect(e)
            case .map(let kid, let k, let vid, let v, _): types[kid] = k; types[vid] = v; collect(k); collect(v)
            default: break
            }
        }
        collect(.structure(schema.fields))
        // leaf path -> (field id, Iceberg type, inside a list or map)
        var leaves: [[String]: (Int, IcebergType, Bool)] = [:]
        var problem: IcebergError?
        func walk(_ n: SchemaNode, _ prefix: [String], repeated: Bool, isRoot: Bool) {
            let path = isRoot ? [] : prefix + [n.name]
            let rep = repeated || n.isRepeated
            if n.isLeaf {
                guard let id = n.fieldId.map(Int.init) else {
                    problem = problem ?? .invalidArgument("\(path.joined(separator: ".")): Parquet column without a field id")
                    return
                }
                guard let type = types[id] else {
                    problem = problem ?? .invalidArgument("\(path.joined(separator: ".")): field id \(id) is not in the table schema")
                    return
                }
                leaves[path] = (id, type, rep)
                return
            }
            for c in n.children { walk(c, path, repeated: rep, isRoot: false) }
        }
        walk(fileSchema.root, [], repeated: false, isRoot: true)
        if let problem { throw problem }

        struct Acc {
            var size: Int64 = 0
            var values: Int64 = 0
            var nulls: Int64? = 0
            var lower: IcebergLiteral?
            var upper: IcebergLiteral?
            var boundsKnown = true
        }
        var acc: [Int: Acc] = [:]
        var order: [Int] = []
        for rg in footer.rowGroups {
            for chunk in rg.columns {
                guard let md = chunk.metaData, let (id, type, repeated) = leaves[md.pathInSchema] else { continue }
                if acc[id] == nil { acc[id] = Acc(); order.append(id) }
                acc[id]!.size += md.totalCompressedSize
                acc[id]!.values += md.numValues
                let st = md.statistics
                if let n = st?.nullCount, let had = acc[id]!.nulls { acc[id]!.nulls = had + n } else { acc[id]!.nulls = nil }
                guard !repeated, type.isPrimitive else { acc[id]!.boundsKnown = false; continue }
                let nonNull = md.numValues - (st?.nullCount ?? 0)
                if nonNull == 0 && st?.nullCount != nil { continue }  // an all-null chunk bounds nothing
                guard let lo = st.flatMap({ statValue($0.minValue ?? signedOnly($0.min, type), type, md.type) }),
                      let hi = st.flatMap({ statValue($0.maxValue ?? signedOnly($0.max, type), type, md.type) }) else {
                    acc[id]!.boundsKnown = false
                    continue
                }
                if acc[id]!.lower.map({ IcebergLiteral.less(lo, $0) }) ?? true { acc[id]!.lower = lo }
                if acc[id]!.upper.map({ IcebergLiteral.less($0, hi) }) ?? true { acc[id]!.upper = hi }
            }
        }
        var df = DataFile(filePath: path, partition: partition, recordCount: footer.numRows, fileSizeInBytes: size)
        for id in order.sorted() {
            let a = acc[id]!
            df.columnSizes.append((id, a.size))
            df.valueCounts.append((id, a.values))
            if let n = a.nulls { df.nullValueCounts.append((id, n)) }
            guard a.boundsKnown else { continue }
            if let lo = a.lower { df.lowerBounds.append((id, BoundTruncation.lower(lo).serialized)) }
            if let hi = a.upper, let t = BoundTruncation.upper(hi) { df.upperBounds.append((id, t.serialized)) }
        }
        df.splitOffsets = footer.rowGroups.compactMap { rg in
            rg.fileOffset ?? rg.columns.first?.metaData.map { $0.dictionaryPageOffset ?? $0.dataPageOffset }
        }.sorted()
        df.sortOrderId = 0
        return df
    }

    /// The deprecated `min`/`max` hold signed-order values: meaningful for the numeric types only.
    static func signedOnly(_ b: [UInt8]?, _ type: IcebergType) -> [UInt8]? {
        switch type {
        case .boolean, .int, .long, .float, .double, .date, .time, .timestamp, .timestamptz: return b
        default: return nil
        }
    }

    /// A statistics value (PLAIN bytes of `physical`) as a literal of `type`; nil when it cannot be one (NaN, bad
    /// UTF-8, a width that does not match).
    static func statValue(_ b: [UInt8]?, _ type: IcebergType, _ physical: PhysicalType) -> IcebergLiteral? {
        guard let b else { return nil }
        switch type {
        case .decimal:
            switch physical {
            case .int32:
                guard b.count == 4 else { return nil }
                var v: Int32 = 0
                withUnsafeMutableBytes(of: &v) { $0.copyBytes(from: b) }
                return .decimal(Int128(Int32(littleEndian: v)))
            case .int64:
                guard b.count == 8 else { return nil }
                var v: Int64 = 0
                withUnsafeMutableBytes(of: &v) { $0.copyBytes(from: b) }
                return .decimal(Int128(Int64(littleEndian: v)))
            default:
                guard !b.isEmpty, b.count <= 16 else { return nil }
                var v: Int128 = b[0] & 0x80 != 0 ? -1 : 0
                for x in b { v = (v << 8) | Int128(x) }
                return .decimal(v)
            }
        case .string:
            guard let s = String(validating: b, as: UTF8.self) else { return nil }
            return .string(s)
        default:
            guard let v = IcebergLiteral.deserialize(b, type: type), !v.isNaN else { return nil }
            return v
        }
    }
}
