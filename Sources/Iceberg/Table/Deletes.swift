// Row-level deletes (spec "Row-level Deletes"): position delete files (`file_path`, `pos`, field ids 2147483546
// and 2147483545) and equality delete files (rows of the `equality_ids` columns), written as Parquet, committed
// in delete manifests, and applied when a snapshot is scanned.

import Parquet

/// Field ids the spec reserves for position delete files.
public enum ReservedFieldIds {
    /// The field id of `file_path` in position delete files.
    public static let deleteFilePath = 2_147_483_546
    /// The field id of `pos` (zero-based row position) in position delete files.
    public static let deleteFilePos = 2_147_483_545
}

extension DataFileWriter {
    /// Writes a position delete file: `(data file path, row position)` pairs, sorted as the spec requires.
    /// `partition` is the partition of the data files it applies to.
    public func writePositionDeletes(_ positions: [(String, Int64)], partition: [IcebergLiteral?]) throws(IcebergError) -> DataFile {
        let sorted = positions.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        let schema = Schema(fields: [
            .leaf("file_path", .byteArray, .required, logical: .string, fieldId: Int32(ReservedFieldIds.deleteFilePath)),
            .leaf("pos", .int64, .required, fieldId: Int32(ReservedFieldIds.deleteFilePos)),
        ], name: "table")
        let rows: [ParquetValue] = sorted.map { .object([ParquetField("file_path", .string($0.0)), ParquetField("pos", .int($0.1))]) }
        var df = try writeParquet(rows: rows, schema: schema, folder: location + "/data", partition: partition)
        df.content = 1
        df.sortOrderId = nil
        return df
    }

    /// Writes an equality delete file: rows holding the values of the `equalityIds` columns (top-level fields
    /// of the table schema) of the rows to delete.
    public func writeEqualityDeletes(_ rows: [ParquetValue], equalityIds: [Int], partition: [IcebergLiteral?]) throws(IcebergError) -> DataFile {
        var fields: [NestedField] = []
        for id in equalityIds {
            guard let f = schema.fields.first(where: { $0.id == id }), f.type.isPrimitive else {
                throw .invalidArgument("equality delete column \(id) is not a top-level primitive column of the schema")
            }
            fields.append(f)
        }
        let deleteSchema = IcebergSchema(schemaId: schema.schemaId, fields: fields)
        var df = try writeParquet(rows: rows, schema: parquetSchema(deleteSchema), folder: location + "/data", partition: partition)
        df.content = 2
        df.equalityIds = equalityIds
        df.sortOrderId = nil
        return df
    }

    func writeParquet(rows: [ParquetValue], schema: Schema, folder: String, partition: [IcebergLiteral?]) throws(IcebergError) -> DataFile {
        let path = folder + "/" + makeUUID() + "-deletes.parquet"
        let local = try LocalFileIO.stagingPath(for: path)  // an object's is a temporary file, uploaded below
        let size: Int64
        do {
            let w = try ParquetWriter(path: local, schema: schema, options: options)
            do {
                try w.write(rows: rows)
                try w.close()
            } catch {
                w.abort()
                throw error
            }
            size = try LocalFileIO.size(local)
            try LocalFileIO.publishStaged(local, as: path)
        } catch let e as IcebergError {
            LocalFileIO.discardStaged(local, as: path)
            throw e
        } catch {
            LocalFileIO.discardStaged(local, as: path)
            throw .io("\(local): \(error)")
        }
        return DataFile(filePath: path, partition: partition, recordCount: Int64(rows.count), fileSizeInBytes: size)
    }
}

/// The deletes that apply to a data file, gathered from a snapshot's delete entries.
struct DeleteIndex {
    struct Equality {
        let sequenceNumber: Int64
        let specId: Int
        let partition: [IcebergLiteral?]
        let fieldIds: [Int]
        let keys: Set<String>
    }
    /// data file path → (delete sequence number, positions)
    var positions: [String: [(Int64, Set<Int64>)]] = [:]
    var equality: [Equality] = []

    init(_ entries: [(ManifestEntry, Int)], schema: IcebergSchema) throws(IcebergError) {
        for (e, specId) in entries {
            let d = e.dataFile
            let seq = e.sequenceNumber ?? 0
            let rows = try readRows(d.filePath)
            if d.content == 1 {
                var byFile: [String: Set<Int64>] = [:]
                for (row, node) in rows {
                    let r = IcebergTable.project(row, fields: [
                        NestedField(id: ReservedFieldIds.deleteFilePath, name: "file_path", type: .string, required: true),
                        NestedField(id: ReservedFieldIds.deleteFilePos, name: "pos", type: .long, required: true)], node: node)
                    guard case .object(let fs) = r, case .string(let p) = fs[0].value, case .int(let pos) = fs[1].value else {
                        throw .corrupt(file: d.filePath, detail: "position delete row without file_path and pos")
                    }
                    byFile[p, default: []].insert(pos)
                }
                for (p, s) in byFile { positions[p, default: []].append((seq, s)) }
            } else if d.content == 2 {
                guard let ids = d.equalityIds, !ids.isEmpty else {
                    throw .corrupt(file: d.filePath, detail: "equality delete file without equality_ids")
                }
                let fields = try ids.map { id throws(IcebergError) -> NestedField in
                    guard let f = schema.field(id: id) else { throw .corrupt(file: d.filePath, detail: "equality field \(id) is not in the schema") }
                    return f
                }
                var keys = Set<String>()
                for (row, node) in rows { keys.insert(Self.key(IcebergTable.project(row, fields: fields, node: node))) }
                equality.append(Equality(sequenceNumber: seq, specId: specId, partition: d.partition, fieldIds: ids, keys: keys))
            }
        }
    }

    static func key(_ v: ParquetValue) -> String { "\(v)" }

    /// Whether row `pos` (value `row`, already projected onto `schema`) of data file `file` is deleted.
    func isDeleted(file: DataFile, dataSequence: Int64, specId: Int, pos: Int64, row: ParquetValue, schema: IcebergSchema,
                   unpartitionedSpecs: Set<Int>) -> Bool {
        // position deletes apply to data files whose data sequence number is <= the delete's
        if let ps = positions[file.filePath], ps.contains(where: { $0.0 >= dataSequence && $0.1.contains(pos) }) { return true }
        for eq in equality where eq.sequenceNumber > dataSequence {
            // a partitioned equality delete applies only within its partition of the same spec
            if !unpartitionedSpecs.contains(eq.specId) && (eq.specId != specId || eq.partition != file.partition) { continue }
            guard case .object(let fs) = row else { continue }
            let fields = eq.fieldIds.compactMap { id in schema.fields.first { $0.id == id } }
            let values: [ParquetField] = fields.map { f in ParquetField(f.name, fs.first { $0.name == f.name }?.value ?? .null) }
            if eq.keys.contains(Self.key(.object(values))) { return true }
        }
        return false
    }
}

func readRows(_ location: String) throws(IcebergError) -> [(ParquetValue, SchemaNode)] {
    let f = try LocalFileIO.openParquet(location)
    do {
        let root = f.schema.root
        return try f.readValues().map { ($0, root) }
    } catch {
        throw .io("\(location): \(error)")
    }
}
