// Writing a partitioned Iceberg table (convert, ingest, serve): the converter reads each row's partition source
// values back from its column builders and asks this partitioner for the row's partition (Firehose,
// RowPartitioning.swift). The partition tuple is the spec's transforms applied to the source values (Iceberg
// spec "Partition Transforms"; `bucket[N]` hashes the value's bytes as "Appendix B: 32-bit Hash Requirements"
// says: ints and longs as 8-byte little-endian longs, strings as UTF-8, decimals as their minimal big-endian
// two's complement unscaled value); the file's folder is `data/<partitionToPath>/` (Java `PartitionSpec.
// partitionToPath`); a null source value is the null partition. The routing key is the folder plus one
// null flag per field (`null` and the string "null" render the same folder but are two partitions); the tuple of
// each key is kept for the commit, which writes it into the manifest entry (the `r102` partition record, field
// ids 1000+).

import Firehose
import Iceberg
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Routes rows of an Iceberg table to partitions by its default partition spec.
public final class IcebergPartitioner: RowPartitioner, @unchecked Sendable {
    /// The table schema.
    public let schema: IcebergSchema
    /// The partition spec rows are split by.
    public let spec: PartitionSpec
    /// Per partition field: the source column's dotted path and Iceberg type.
    let sources: [(path: String, type: IcebergType)]
    public let sourceColumns: [String]
    /// Files open at once, at most (default 64).
    public var maxOpenFiles = 64
    /// Estimated encoded bytes of all open row groups, at most (default 256 MiB).
    public var maxBufferedBytes = 256 << 20

    private var lock = pthread_mutex_t()
    private var tuples: [String: [IcebergLiteral?]] = [:]

    /// A partitioner for `spec` over `schema`.
    ///
    /// - Throws: ``WarehouseError/invalid(_:)`` when a partition field's source column is not a primitive column
    ///   outside lists and maps, or the transform does not apply to its type.
    public init(schema: IcebergSchema, spec: PartitionSpec) throws(WarehouseError) {
        self.schema = schema
        self.spec = spec
        var paths: [Int: (String, IcebergType)] = [:]
        func walk(_ fs: [NestedField], _ prefix: String) {
            for f in fs {
                let p = prefix.isEmpty ? f.name : prefix + "." + f.name
                if case .structure(let inner) = f.type { walk(inner, p) } else if f.type.isPrimitive { paths[f.id] = (p, f.type) }
            }
        }
        walk(schema.fields, "")
        var src: [(path: String, type: IcebergType)] = []
        for f in spec.fields {
            guard let (p, t) = paths[f.sourceId] else {
                throw .invalid("partition field '\(f.name)': source column \(f.sourceId) is not a primitive column outside lists and maps")
            }
            do { _ = try f.transform.resultType(t) } catch { throw .invalid("partition field '\(f.name)': \(error.description)") }
            src.append((p, t))
        }
        sources = src
        sourceColumns = src.map(\.path)
        pthread_mutex_init(&lock, nil)
    }

    deinit { pthread_mutex_destroy(&lock) }

    public func makeRouter() -> any PartitionRouter { Router(self) }

    public func folder(forKey key: String) -> String {
        guard let cut = key.utf8.firstIndex(of: 1) else { return key }
        return String(key[..<cut])
    }

    /// The partition tuple of a routing key the routers made (nil: not a key of this partitioner).
    public func tuple(forKey key: String) -> [IcebergLiteral?]? {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return tuples[key]
    }

    func register(_ key: String, _ tuple: [IcebergLiteral?]) {
        pthread_mutex_lock(&lock)
        if tuples[key] == nil { tuples[key] = tuple }
        pthread_mutex_unlock(&lock)
    }

    /// The Iceberg value of a stored source value of type `type` (timestamps are microseconds: the committer's
    /// data schema requires them).
    static func literal(_ v: PartitionSourceValue, _ type: IcebergType) -> IcebergLiteral? {
        switch (type, v) {
        case (_, .null): return nil
        case (.boolean, .boolean(let b)): return .boolean(b)
        case (.int, .int32(let i)), (.date, .int32(let i)): return .int(i)
        case (.long, .int64(let i)), (.timestamp, .int64(let i)), (.timestamptz, .int64(let i)), (.time, .int64(let i)): return .long(i)
        case (.long, .int32(let i)): return .long(Int64(i))
        case (.float, .float(let f)): return .float(f)
        case (.double, .double(let d)): return .double(d)
        case (.decimal, .int32(let i)): return .decimal(Int128(i))
        case (.decimal, .int64(let i)): return .decimal(Int128(i))
        case (.decimal, .bytes(let b)):
            // big-endian two's complement
            var u: Int128 = (b.first ?? 0) & 0x80 != 0 ? -1 : 0
            for x in b { u = u << 8 | Int128(x) }
            return .decimal(u)
        case (.string, .bytes(let b)): return .string(String(decoding: b, as: UTF8.self))
        case (.binary, .bytes(let b)), (.fixed, .bytes(let b)), (.uuid, .bytes(let b)): return .binary(Array(b))
        default: return nil
        }
    }

    /// The partition tuple of a row's source values.
    func tuple(_ values: UnsafeBufferPointer<PartitionSourceValue>) -> [IcebergLiteral?] {
        var out: [IcebergLiteral?] = []
        out.reserveCapacity(spec.fields.count)
        for (i, f) in spec.fields.enumerated() {
            out.append(f.transform.apply(Self.literal(values[i], sources[i].type), source: sources[i].type))
        }
        return out
    }

    /// The routing key of a tuple: `data/<partition path>/` then U+0001 and one `0`/`1` null flag per field.
    func key(_ tuple: [IcebergLiteral?]) -> String {
        let path = (try? spec.partitionToPath(tuple, schema: schema)) ?? ""
        var k = "data/" + path + "/\u{1}"
        for v in tuple { k += v == nil ? "1" : "0" }
        return k
    }

    final class Router: PartitionRouter {
        let p: IcebergPartitioner
        /// Keys of the tuples seen by this router (bounded: cleared past 4096 entries).
        var cache: [[IcebergLiteral?]: String] = [:]
        init(_ p: IcebergPartitioner) { self.p = p }

        func key(_ values: UnsafeBufferPointer<PartitionSourceValue>) -> String {
            let t = p.tuple(values)
            if let k = cache[t] { return k }
            let k = p.key(t)
            p.register(k, t)
            if cache.count >= 4096 { cache.removeAll(keepingCapacity: true) }
            cache[t] = k
            return k
        }
    }
}
