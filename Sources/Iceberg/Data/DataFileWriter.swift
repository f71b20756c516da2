// Data files: rows written by Floe's Parquet writer with Iceberg field ids in the Parquet schema, split by
// partition, with the per-file column metrics a manifest carries (spec "Manifests": value, null and NaN
// counts, lower and upper bounds in the single-value serialization; strings and binary truncated to 16 code
// points / bytes as the default `truncate(16)` metrics mode does).

import FileSafety
import Parquet

/// The Parquet schema of an Iceberg schema: every field, list element and map key/value carries its field id.
public func parquetSchema(_ schema: IcebergSchema) -> Schema {
    func node(_ name: String, _ t: IcebergType, required: Bool, id: Int) -> SchemaNode {
        let rep: Repetition = required ? .required : .optional
        let fid = Int32(id)
        switch t {
        case .boolean: return .leaf(name, .boolean, rep, fieldId: fid)
        case .int: return .leaf(name, .int32, rep, fieldId: fid)
        case .long: return .leaf(name, .int64, rep, fieldId: fid)
        case .float: return .leaf(name, .float, rep, fieldId: fid)
        case .double: return .leaf(name, .double, rep, fieldId: fid)
        case .date: return .leaf(name, .int32, rep, logical: .date, fieldId: fid)
        case .time: return .leaf(name, .int64, rep, logical: .time(isAdjustedToUTC: false, unit: .micros), fieldId: fid)
        case .timestamp: return .leaf(name, .int64, rep, logical: .timestamp(isAdjustedToUTC: false, unit: .micros), fieldId: fid)
        case .timestamptz: return .leaf(name, .int64, rep, logical: .timestamp(isAdjustedToUTC: true, unit: .micros), fieldId: fid)
        case .string: return .leaf(name, .byteArray, rep, logical: .string, fieldId: fid)
        case .uuid: return .leaf(name, .fixedLenByteArray, rep, logical: .uuid, length: 16, fieldId: fid)
        case .binary: return .leaf(name, .byteArray, rep, fieldId: fid)
        case .fixed(let n): return .leaf(name, .fixedLenByteArray, rep, length: n, fieldId: fid)
        case .decimal(let p, let s):
            let phys: PhysicalType = p <= 9 ? .int32 : p <= 18 ? .int64 : .fixedLenByteArray
            return .leaf(name, phys, rep, logical: .decimal(scale: Int32(s), precision: Int32(p)),
                         length: phys == .fixedLenByteArray ? ManifestSchemas.decimalBytes(p) : 0, fieldId: fid)
        case .structure(let fs):
            return .group(name, rep, fs.map { node($0.name, $0.type, required: $0.required, id: $0.id) }, fieldId: fid)
        case .list(let eid, let e, let ereq):
            return .list(name, rep, element: node("element", e, required: ereq, id: eid), fieldId: fid)
        case .map(let kid, let k, let vid, let v, let vreq):
            return .map(name, rep, key: node("key", k, required: true, id: kid), value: node("value", v, required: vreq, id: vid), fieldId: fid)
        }
    }
    return Schema(fields: schema.fields.map { node($0.name, $0.type, required: $0.required, id: $0.id) }, name: "table")
}

/// Metrics of one primitive column over the rows of a file.
struct ColumnMetrics {
    var values: Int64 = 0
    var nulls: Int64 = 0
    var nans: Int64 = 0
    var lower: IcebergLiteral?
    var upper: IcebergLiteral?

    mutating func add(_ v: IcebergLiteral?) {
        values += 1
        guard let v else { nulls += 1; return }
        if v.isNaN { nans += 1; return }
        if lower.map({ IcebergLiteral.less(v, $0) }) ?? true { lower = v }
        if upper.map({ IcebergLiteral.less($0, v) }) ?? true { upper = v }
    }
}

/// Truncation of bounds (`truncate(16)`): a lower bound is a prefix; an upper bound a prefix whose last code point
/// (byte) is incremented, or none when no such value exists.
enum BoundTruncation {
    static let width = 16

    static func lower(_ v: IcebergLiteral) -> IcebergLiteral {
        switch v {
        case .string(let s) where s.unicodeScalars.count > width: return .string(String(String.UnicodeScalarView(s.unicodeScalars.prefix(width))))
        case .binary(let b) where b.count > width: return .binary(Array(b.prefix(width)))
        default: return v
        }
    }

    static func upper(_ v: IcebergLiteral) -> IcebergLiteral? {
        switch v {
        case .string(let s) where s.unicodeScalars.count > width:
            var scalars = Array(s.unicodeScalars.prefix(width))
            while let last = scalars.popLast() {
                var next = last.value + 1
                if next >= 0xD800 && next <= 0xDFFF { next = 0xE000 }
                if let u = Unicode.Scalar(next) {
                    scalars.append(u)
                    return .string(String(String.UnicodeScalarView(scalars)))
                }
            }
            return nil
        case .binary(let b) where b.count > width:
            var bytes = Array(b.prefix(width))
            while let last = bytes.popLast() {
                if last < 0xFF { bytes.append(last + 1); return .binary(bytes) }
            }
            return nil
        default: return v
        }
    }
}

/// Writes rows into Parquet data files under `<table location>/data/`, one file per partition.
public struct DataFileWriter {
    /// The table schema the rows follow (column field ids and types).
    public let schema: IcebergSchema
    /// The partition spec that splits rows into files.
    public let spec: PartitionSpec
    /// The table location; files go to `<location>/data/`.
    public let location: String
    /// Parquet writer options for the data files.
    public var options: WriterOptions

    /// A writer for a table with `schema` and `spec` at `location`.
    public init(schema: IcebergSchema, spec: PartitionSpec, location: String, options: WriterOptions = WriterOptions()) {
        self.schema = schema
        self.spec = spec
        self.location = location
        var o = options
        if o.compression == .uncompressed { o.compression = .zstd }
        self.options = o
    }

    /// The primitive columns reachable through structs: (field id, type, path of names).
    func primitiveColumns() -> [(Int, IcebergType, [String])] {
        var out: [(Int, IcebergType, [String])] = []
        func walk(_ fs: [NestedField], _ prefix: [String]) {
            for f in fs {
                if case .structure(let inner) = f.type { walk(inner, prefix + [f.name]) } else if f.type.isPrimitive {
                    out.append((f.id, f.type, prefix + [f.name]))
                }
            }
        }
        walk(schema.fields, [])
        return out
    }

    static func lookup(_ row: ParquetValue, _ path: [String]) -> ParquetValue {
        var v = row
        for name in path {
            guard case .object(let fs) = v, let f = fs.first(where: { $0.name == name }) else { return .null }
            v = f.value
        }
        return v
    }

    /// Writes `rows` (objects by column name, values in Iceberg's representation: see `IcebergLiteral`) and
    /// returns the data files, ready for a manifest.
    public func write(rows: [ParquetValue]) throws(IcebergError) -> [DataFile] {
        _ = try spec.partitionType(schema)
        let sources: [(Int, IcebergType, [String])] = try spec.fields.map { pf throws(IcebergError) in
            guard let col = primitiveColumns().first(where: { $0.0 == pf.sourceId }) else {
                throw .invalidArgument("partition field '\(pf.name)': source column \(pf.sourceId) is not a primitive column")
            }
            return col
        }
        // group rows by partition tuple, keeping first-seen order
        var groups: [[IcebergLiteral?]: [ParquetValue]] = [:]
        var order: [[IcebergLiteral?]] = []
        for row in rows {
            var key: [IcebergLiteral?] = []
            for (pf, src) in zip(spec.fields, sources) {
                let lit = try IcebergLiteral.from(Self.lookup(row, src.2), type: src.1, column: src.2.joined(separator: "."))
                key.append(pf.transform.apply(lit, source: src.1))
            }
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(row)
        }
        var files: [DataFile] = []
        for key in order {
            var dir = location + "/data"
            if !spec.fields.isEmpty { dir += "/" + (try spec.partitionToPath(key, schema: schema)) }
            files.append(try writeFile(rows: groups[key]!, partition: key, folder: dir))
        }
        return files
    }

    func writeFile(rows: [ParquetValue], partition: [IcebergLiteral?], folder: String) throws(IcebergError) -> DataFile {
        let path = folder + "/" + makeUUID() + ".parquet"
        var metrics: [ColumnMetrics] = []
        let cols = primitiveColumns()
        metrics = Array(repeating: ColumnMetrics(), count: cols.count)
        for row in rows {
            for (i, c) in cols.enumerated() {
                metrics[i].add(try IcebergLiteral.from(Self.lookup(row, c.2), type: c.1, column: c.2.joined(separator: ".")))
            }
        }
        let footer: FileMetaData
        let size: Int64
        let local = try LocalFileIO.stagingPath(for: path)  // an object's is a temporary file, uploaded below
        do {
            let w = try ParquetWriter(path: local, schema: parquetSchema(schema), options: options)
            do {
                try w.write(rows: rows)
                try w.close()
            } catch {
                w.abort()
                throw error
            }
            let f = try ParquetFile(path: local)
            footer = f.metadata
            size = try LocalFileIO.size(local)
            try LocalFileIO.publishStaged(local, as: path)
        } catch let e as IcebergError {
            LocalFileIO.discardStaged(local, as: path)
            throw e
        } catch {
            LocalFileIO.discardStaged(local, as: path)
            throw .io("\(local): \(error)")
        }
        var df = DataFile(filePath: path, partition: partition, recordCount: Int64(rows.count), fileSizeInBytes: size)
        // column sizes by field id, from the footer's chunks (leaf paths map to ids through the schema)
        var sizes: [Int: Int64] = [:]
        let ids = leafFieldIds()
        for rg in footer.rowGroups {
            for chunk in rg.columns {
                guard let md = chunk.metaData, let id = ids[md.pathInSchema] else { continue }
                sizes[id, default: 0] += md.totalCompressedSize
            }
        }
        df.columnSizes = sizes.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        for (i, c) in cols.enumerated() {
            let m = metrics[i]
            df.valueCounts.append((c.0, m.values))
            df.nullValueCounts.append((c.0, m.nulls))
            if c.1 == .float || c.1 == .double { df.nanValueCounts.append((c.0, m.nans)) }
            if let lo = m.lower { df.lowerBounds.append((c.0, BoundTruncation.lower(lo).serialized)) }
            if let hi = m.upper, let t = BoundTruncation.upper(hi) { df.upperBounds.append((c.0, t.serialized)) }
        }
        df.splitOffsets = footer.rowGroups.compactMap { rg in
            rg.fileOffset ?? rg.columns.first?.metaData.map { $0.dictionaryPageOffset ?? $0.dataPageOffset }
        }.sorted()
        df.sortOrderId = 0
        return df
    }

    /// Leaf column paths (as the Parquet footer names them) to field ids.
    func leafFieldIds() -> [[String]: Int] {
        var out: [[String]: Int] = [:]
        func walk(_ n: SchemaNode, _ prefix: [String], isRoot: Bool) {
            let path = isRoot ? [] : prefix + [n.name]
            if n.isLeaf { if let id = n.fieldId { out[path] = Int(id) }; return }
            for c in n.children { walk(c, path, isRoot: false) }
        }
        walk(parquetSchema(schema).root, [], isRoot: true)
        return out
    }
}
