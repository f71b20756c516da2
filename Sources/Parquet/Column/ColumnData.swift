// Decoded contents of one column (chunk or batch): dense non-null values plus the level streams.

/// Dense values of one leaf column: only the buffer of its physical type is used.
public struct ColumnValues: Sendable {
    /// The physical type; selects the buffer in use.
    public let physicalType: PhysicalType
    /// BOOLEAN values.
    public var booleans: [Bool] = []
    /// INT32 values.
    public var int32s: [Int32] = []
    /// INT64 values.
    public var int64s: [Int64] = []
    /// INT96 values.
    public var int96s: [Int96] = []
    /// FLOAT values.
    public var floats: [Float] = []
    /// DOUBLE values.
    public var doubles: [Double] = []
    /// BYTE_ARRAY values.
    public var byteArrays = ByteArrayBuffer()
    /// FIXED_LEN_BYTE_ARRAY values.
    public var fixed: FixedBuffer

    /// Empty values of `physicalType` (`typeLength`: the FIXED_LEN_BYTE_ARRAY width).
    public init(physicalType: PhysicalType, typeLength: Int = 0) {
        self.physicalType = physicalType
        fixed = FixedBuffer(width: typeLength)
    }

    /// Number of values in the buffer in use.
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

    /// Reserves room for `n` values (for byte arrays, their offsets only).
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

    /// Removes every value, keeping capacity.
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
    /// The column.
    public var descriptor: ColumnDescriptor
    /// The non-null values, densely.
    public var values: ColumnValues
    /// One definition level per entry (empty when the max definition level is 0).
    public var definitionLevels: [Int16] = []
    /// One repetition level per entry (empty when the max repetition level is 0).
    public var repetitionLevels: [Int16] = []
    /// Number of entries (values and nulls, and for repeated columns empty lists).
    public var levelCount: Int = 0

    /// Empty data for `descriptor`.
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
