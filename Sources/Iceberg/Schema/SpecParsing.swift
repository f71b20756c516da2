// Building specs from text, as a command line gives them: `hour(event_time)`, `bucket(16, id)`,
// `truncate(4, name)`, `day(ts)`, `identity(country)` or a bare column name; and fresh field ids for a schema
// built without them.

extension PartitionSpec {
    /// Parses comma-separated partition fields (`hour(event_time), bucket(16, id)`) against `schema`. Field ids
    /// start at 1000; names follow the engines' convention (`event_time_hour`, `id_bucket_16`, `name_trunc_4`).
    public static func parse(_ text: String, schema: IcebergSchema, specId: Int = 0) throws(IcebergError) -> PartitionSpec {
        var fields: [PartitionField] = []
        for item in splitTopLevel(text) {
            let s = item[...].trimmingCharacters(in: " ")
            guard !s.isEmpty else { throw .invalidArgument("partition spec '\(text)': empty field") }
            var transform = Transform.identity
            var column = s
            if let open = s.firstIndex(of: "("), s.hasSuffix(")") {
                let fn = s[..<open].trimmingCharacters(in: " ").lowercased()
                let args = s[s.index(after: open)..<s.index(before: s.endIndex)].split(separator: ",").map { $0.trimmingCharacters(in: " ") }
                func number(_ a: String) throws(IcebergError) -> Int {
                    guard let n = Int(a), n > 0 else { throw .invalidArgument("partition spec '\(s)': '\(a)' is not a positive integer") }
                    return n
                }
                switch (fn, args.count) {
                case ("identity", 1): column = args[0]
                case ("year", 1), ("years", 1): transform = .year; column = args[0]
                case ("month", 1), ("months", 1): transform = .month; column = args[0]
                case ("day", 1), ("days", 1): transform = .day; column = args[0]
                case ("hour", 1), ("hours", 1): transform = .hour; column = args[0]
                case ("bucket", 2): transform = .bucket(try number(args[0])); column = args[1]
                case ("truncate", 2): transform = .truncate(try number(args[0])); column = args[1]
                default:
                    throw .invalidArgument("partition spec '\(s)': expected identity(col), year|month|day|hour(col), bucket(N, col) or truncate(W, col)")
                }
            }
            guard let source = schema.field(named: column) else {
                throw .invalidArgument("partition spec '\(s)': no column '\(column)' in the schema")
            }
            _ = try transform.resultType(source.type)
            let name: String
            switch transform {
            case .identity: name = column
            case .bucket(let n): name = "\(column)_bucket_\(n)"
            case .truncate(let w): name = "\(column)_trunc_\(w)"
            default: name = "\(column)_\(transform)"
            }
            guard !fields.contains(where: { $0.name == name }) else { throw .invalidArgument("partition spec '\(text)': field '\(name)' twice") }
            fields.append(PartitionField(sourceId: source.id, fieldId: 1000 + fields.count, name: name, transform: transform))
        }
        return PartitionSpec(specId: specId, fields: fields)
    }

    static func splitTopLevel(_ text: String) -> [String] {
        var out: [String] = [], cur = "", depth = 0
        for c in text {
            if c == "(" { depth += 1 } else if c == ")" { depth -= 1 }
            if c == "," && depth == 0 { out.append(cur); cur = "" } else { cur.append(c) }
        }
        out.append(cur)
        return out
    }
}

extension IcebergSchema {
    /// The same schema with ids assigned afresh (1, 2, ... breadth-first: a struct's fields before their
    /// children, as the reference implementation assigns them), whatever ids the input carried.
    public func assigningFreshIds() -> IcebergSchema {
        var next = 0
        func fresh() -> Int { next += 1; return next }
        func assign(_ fields: [NestedField]) -> [NestedField] {
            let ids = fields.map { _ in fresh() }
            return zip(fields, ids).map { f, id in NestedField(id: id, name: f.name, type: assignType(f.type), required: f.required, doc: f.doc) }
        }
        func assignType(_ t: IcebergType) -> IcebergType {
            switch t {
            case .structure(let fs): return .structure(assign(fs))
            case .list(_, let e, let req):
                let id = fresh()
                return .list(elementId: id, element: assignType(e), elementRequired: req)
            case .map(_, let k, _, let v, let req):
                let kid = fresh(), vid = fresh()
                return .map(keyId: kid, key: assignType(k), valueId: vid, value: assignType(v), valueRequired: req)
            default: return t
            }
        }
        return IcebergSchema(schemaId: schemaId, fields: assign(fields), identifierFieldIds: [])
    }
}
