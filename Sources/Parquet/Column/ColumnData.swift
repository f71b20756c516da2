// Decoded contents of one column (chunk or batch): dense non-null values plus the level streams.

/// Dense values of one leaf column: only the buffer of its physical type is used.
public struct ColumnValues: Sendable {
    public let physicalType: PhysicalType
    public var booleans: [Bool] = []
    public var int32s: [Int32] = []
    public var int64s: [Int64] = []
    public var int96s: [Int96] = []
    public var floats: [Float] = []
    public var doubles: [Double] = []
    public var byteArrays = ByteArrayBuffer()
    public var fixed: FixedBuffer

    public init(physicalType: PhysicalType, typeLength: Int = 0) {
        self.physicalType = physicalType
        fixed = FixedBuffer(width: typeLength)
    }

    public var count: Int {
        switch physicalType {
        case .boolean: booleans.count
        case .int32: int32s.count
        case .int64: int64s.count
        case .int96: int96s.count
        case .float: floats.count
        case .double: doubles.count
        case .byteArray: byteArrays.count
        case .fixedLenByteArray: fixed.count
        case .unknown: 0
        }
    }

    public mutating func reserveCapacity(_ n: Int) {
        switch physicalType {
        case .boolean: booleans.reserveCapacity(n)
        case .int32: int32s.reserveCapacity(n)
        case .int64: int64s.reserveCapacity(n)
        case .int96: int96s.reserveCapacity(n)
        case .float: floats.reserveCapacity(n)
        case .double: doubles.reserveCapacity(n)
        case .byteArray: byteArrays.offsets.reserveCapacity(n + 1)
        case .fixedLenByteArray: fixed.bytes.reserveCapacity(n * fixed.width)
        case .unknown: break
        }
    }

    public mutating func removeAll() {
        booleans.removeAll(keepingCapacity: true)
        int32s.removeAll(keepingCapacity: true)
        int64s.removeAll(keepingCapacity: true)
        int96s.removeAll(keepingCapacity: true)
        floats.removeAll(keepingCapacity: true)
        doubles.removeAll(keepingCapacity: true)
        byteArrays.removeAll()
        fixed.bytes.removeAll(keepingCapacity: true)
    }
}

/// One leaf column's decoded data: `levelCount` entries; definition levels (empty when the column's max
/// definition level is 0, i.e. every entry is a value), repetition levels (empty when max repetition is 0) and
/// the dense non-null values (`values.count` == number of entries whose definition level is the maximum).
public struct ColumnData: Sendable {
    public var descriptor: ColumnDescriptor
    public var values: ColumnValues
    public var definitionLevels: [Int16] = []
    public var repetitionLevels: [Int16] = []
    public var levelCount: Int = 0

    public init(descriptor: ColumnDescriptor) {
        self.descriptor = descriptor
        values = ColumnValues(physicalType: descriptor.physicalType, typeLength: descriptor.typeLength)
    }

    /// Validity per entry (true = value present) for flat columns; for nested columns use the levels.
    public var validity: [Bool] {
        let maxDef = Int16(descriptor.maxDefinitionLevel)
        if definitionLevels.isEmpty { return [Bool](repeating: true, count: levelCount) }
        return definitionLevels.map { $0 == maxDef }
    }
}
