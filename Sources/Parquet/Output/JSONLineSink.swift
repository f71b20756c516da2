/// Writes assembled records as canonical JSON lines (conventions: canonical-jsonl.md) into a byte buffer.
/// Records where each top-level field's value starts (`fieldStarts`) so row-oriented formats can slice them.
public struct JSONLineSink: RecordSink {
    /// The JSON lines written so far, each ended by `\n`.
    public var out: [UInt8] = []
    /// For the last record: byte offsets in `out` where each top-level value starts and ends.
    public var fieldRanges: [Range<Int>] = []
    /// Values live in a class so reading them while `out` is written needs no copy of a column's buffers.
    final class Store {
        let values: [ColumnValues]
        let formats: [LeafFormat]
        init(_ columns: [ColumnData]) {
            values = columns.map(\.values)
            formats = columns.map { LeafFormat($0.descriptor) }
        }
    }
    let store: Store
    private var firstInObject: [Bool] = []
    private var depth = 0
    private var fieldStart = 0

    /// A sink printing the values of `columns` (the assembler's projected columns, in the same order).
    public init(columns: [ColumnData]) {
        store = Store(columns)
        out.reserveCapacity(1 << 16)
        firstInObject.reserveCapacity(16)
    }

    /// Starts a record.
    public mutating func beginRecord() {
        fieldRanges.removeAll(keepingCapacity: true)
    }

    /// Ends the record's line.
    public mutating func endRecord() {
        out.append(0x0A)
    }

    private var inField = false

    private mutating func closeField() {
        if inField {
            fieldRanges.append(fieldStart..<out.count)
            inField = false
        }
    }

    /// Opens an object.
    public mutating func beginObject() {
        out.append(UInt8(ascii: "{"))
        firstInObject.append(true)
        depth += 1
    }

    /// Writes the member key of `node`.
    public mutating func key(_ node: AssemblyNode) {
        if depth == 1 { closeField() }
        if firstInObject[firstInObject.count - 1] {
            firstInObject[firstInObject.count - 1] = false
        } else {
            out.append(UInt8(ascii: ","))
        }
        out.append(contentsOf: node.jsonKey)
        if depth == 1 {
            fieldStart = out.count
            inField = true
        }
    }

    /// Closes the current object.
    public mutating func endObject() {
        if depth == 1 { closeField() }
        firstInObject.removeLast()
        depth -= 1
        out.append(UInt8(ascii: "}"))
    }

    /// Opens a list.
    public mutating func beginArray() { out.append(UInt8(ascii: "[")) }
    /// Writes the comma between list elements.
    public mutating func arraySeparator() { out.append(UInt8(ascii: ",")) }
    /// Closes the current list.
    public mutating func endArray() { out.append(UInt8(ascii: "]")) }
    /// Writes `null`.
    public mutating func null() { out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C]) }

    /// Writes value `index` of `column` as JSON.
    public mutating func value(column: Int, index: Int) throws {
        store.values[column].appendCanonical(index: index, format: store.formats[column], to: &out)
    }
}
