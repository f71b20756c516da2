// The schema tree built from the flat, depth-first `SchemaElement` list of the footer, with the levels
// (max definition / repetition) every reader and writer needs, and the leaf column descriptors.

/// One node of a Parquet schema: a group (with children) or a primitive leaf.
public struct SchemaNode: Sendable {
    /// The field name (the root's is the schema name).
    public var name: String
    /// Repetition of this field; the root has none (treated as required).
    public var repetition: Repetition
    /// Physical type; nil for groups.
    public var physicalType: PhysicalType?
    /// Byte width of FIXED_LEN_BYTE_ARRAY values; 0 otherwise.
    public var typeLength: Int
    /// Legacy annotation, if any.
    public var convertedType: ConvertedType?
    /// Logical type annotation, if any.
    public var logicalType: LogicalType?
    /// Decimal scale (digits after the point); 0 when not a decimal.
    public var scale: Int
    /// Decimal precision (total digits); 0 when not a decimal.
    public var precision: Int
    /// Field id from an external schema (Iceberg, Arrow), if any.
    public var fieldId: Int32?
    /// Child fields of a group, in order; empty for leaves.
    public var children: [SchemaNode]

    /// Definition level at which this node is present (count of optional/repeated nodes from the root, this one
    /// included).
    public var definitionLevel: Int = 0
    /// Repetition level of this node (count of repeated nodes from the root, this one included).
    public var repetitionLevel: Int = 0
    /// Index of the first leaf column under this node (the leaf's own index for a leaf).
    public var firstLeaf: Int = 0
    /// Number of leaf columns under this node (1 for a leaf).
    public var leafCount: Int = 0

    /// Whether the node is a primitive column (has a physical type).
    public var isLeaf: Bool { physicalType != nil }
    /// Whether the field may be null.
    public var isOptional: Bool { repetition == .optional }
    /// Whether the field repeats (a list level).
    public var isRepeated: Bool { repetition == .repeated }

    /// A node with the given fields; levels and leaf indices are filled in when a ``Schema`` is built from it.
    public init(name: String, repetition: Repetition, physicalType: PhysicalType? = nil, typeLength: Int = 0,
                convertedType: ConvertedType? = nil, logicalType: LogicalType? = nil, scale: Int = 0,
                precision: Int = 0, fieldId: Int32? = nil, children: [SchemaNode] = []) {
        self.name = name
        self.repetition = repetition
        self.physicalType = physicalType
        self.typeLength = typeLength
        self.convertedType = convertedType
        self.logicalType = logicalType
        self.scale = scale
        self.precision = precision
        self.fieldId = fieldId
        self.children = children
    }
}

/// What a leaf column is: its path, physical type, annotations and levels.
public struct ColumnDescriptor: Sendable {
    /// Names from below the root to the leaf (`["user", "id"]`).
    public var path: [String]
    /// The leaf's physical type.
    public var physicalType: PhysicalType
    /// Byte width of FIXED_LEN_BYTE_ARRAY values; 0 otherwise.
    public var typeLength: Int
    /// Legacy annotation, if any.
    public var convertedType: ConvertedType?
    /// Logical type annotation, if any.
    public var logicalType: LogicalType?
    /// Decimal scale; 0 when not a decimal.
    public var scale: Int
    /// Decimal precision; 0 when not a decimal.
    public var precision: Int
    /// Number of optional or repeated fields on the path (the leaf included): the definition level of a present value.
    public var maxDefinitionLevel: Int
    /// Number of repeated fields on the path: 0 for flat columns.
    public var maxRepetitionLevel: Int
    /// The leaf's own repetition.
    public var repetition: Repetition

    /// The path joined with dots (`user.id`), as the command line names columns.
    public var dottedPath: String { path.joined(separator: ".") }
}

/// A whole schema: the tree and its leaves in file order.
public struct Schema: Sendable {
    /// The root group (its children are the top-level fields).
    public var root: SchemaNode
    /// The leaf columns in file order (the order of column chunks in every row group).
    public var columns: [ColumnDescriptor]

    /// Deepest nesting accepted from a file (a forged schema must not exhaust the stack).
    public static let maxDepth = 200

    /// Builds the tree from the footer's depth-first element list.
    public init(elements: [SchemaElement]) throws {
        guard let first = elements.first else { throw ParquetError.corrupt("schema is empty") }
        var index = 1
        var root = SchemaNode(name: first.name, repetition: .required)
        let rootChildren = Int(first.numChildren ?? 0)
        guard rootChildren >= 0 else { throw ParquetError.corrupt("schema root has a negative child count") }
        root.children = try Schema.readChildren(elements, &index, count: rootChildren, depth: 1)
        guard index == elements.count else {
            throw ParquetError.corrupt("schema has \(elements.count - index) elements not reachable from the root")
        }
        self.init(root: root)
    }

    /// Builds a schema from a tree (computes levels and leaf indices).
    public init(root: SchemaNode) {
        var root = root
        var columns: [ColumnDescriptor] = []
        root.repetition = .required
        Schema.annotate(&root, def: 0, rep: 0, path: [], columns: &columns, isRoot: true)
        self.root = root
        self.columns = columns
    }

    private static func readChildren(_ elements: [SchemaElement], _ index: inout Int, count: Int, depth: Int) throws
        -> [SchemaNode]
    {
        guard depth <= maxDepth else { throw ParquetError.corrupt("schema nesting deeper than \(maxDepth)") }
        guard count <= elements.count - index else {
            throw ParquetError.corrupt("schema element claims \(count) children but only \(elements.count - index) elements remain")
        }
        var nodes: [SchemaNode] = []
        nodes.reserveCapacity(count)
        for _ in 0..<count {
            guard index < elements.count else { throw ParquetError.corrupt("schema ends early") }
            let e = elements[index]
            index += 1
            var node = SchemaNode(
                name: e.name, repetition: e.repetitionType ?? .optional, physicalType: nil,
                typeLength: Int(e.typeLength ?? 0), convertedType: e.convertedType, logicalType: e.logicalType,
                scale: Int(e.scale ?? 0), precision: Int(e.precision ?? 0), fieldId: e.fieldId)
            let n = Int(e.numChildren ?? 0)
            if n > 0 || (e.type == nil && e.numChildren != nil) {
                guard n >= 0 else { throw ParquetError.corrupt("schema element '\(e.name)' has a negative child count") }
                node.children = try readChildren(elements, &index, count: n, depth: depth + 1)
            } else {
                guard let t = e.type else {
                    throw ParquetError.corrupt("schema element '\(e.name)' has neither a type nor children")
                }
                if case .unknown(let raw) = t { throw ParquetError.corrupt("schema element '\(e.name)' has unknown physical type \(raw)") }
                if t == .fixedLenByteArray && (node.typeLength < 0) {
                    throw ParquetError.corrupt("FIXED_LEN_BYTE_ARRAY column '\(e.name)' has negative type_length")
                }
                node.physicalType = t
            }
            nodes.append(node)
        }
        return nodes
    }

    private static func annotate(_ node: inout SchemaNode, def: Int, rep: Int, path: [String],
                                 columns: inout [ColumnDescriptor], isRoot: Bool) {
        var def = def, rep = rep
        if !isRoot {
            if node.repetition != .required { def += 1 }
            if node.repetition == .repeated { rep += 1 }
        }
        node.definitionLevel = def
        node.repetitionLevel = rep
        node.firstLeaf = columns.count
        let myPath = isRoot ? [] : path + [node.name]
        if let t = node.physicalType {
            columns.append(ColumnDescriptor(
                path: myPath, physicalType: t, typeLength: node.typeLength, convertedType: node.convertedType,
                logicalType: node.logicalType, scale: node.scale, precision: node.precision,
                maxDefinitionLevel: def, maxRepetitionLevel: rep, repetition: node.repetition))
        } else {
            for i in node.children.indices {
                annotate(&node.children[i], def: def, rep: rep, path: myPath, columns: &columns, isRoot: false)
            }
        }
        node.leafCount = columns.count - node.firstLeaf
    }

    /// The node at a dotted/segmented path from the root, or nil.
    public func node(at path: [String]) -> SchemaNode? {
        var n = root
        for seg in path {
            guard let c = n.children.first(where: { $0.name == seg }) else { return nil }
            n = c
        }
        return n
    }

    /// Leaf column indices selected by dotted paths (a group path selects every leaf under it).
    public func leafIndices(forPaths paths: [String]) throws -> [Int] {
        var selected = Set<Int>()
        for p in paths {
            let segs = p.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            if let n = node(at: segs) {
                for i in n.firstLeaf..<(n.firstLeaf + n.leafCount) { selected.insert(i) }
            } else if let i = columns.firstIndex(where: { $0.dottedPath == p }) {
                selected.insert(i)
            } else {
                throw ParquetError.invalidArgument("no column '\(p)' in the schema")
            }
        }
        return selected.sorted()
    }
}
