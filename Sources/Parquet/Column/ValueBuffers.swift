// Columnar value buffers: what decoders append into and what the batch API hands out.

/// An INT96 value as stored: 8 bytes of nanoseconds within the day, then 4 bytes of Julian day (both little-endian).
public struct Int96: Hashable, Sendable {
    public var nanosOfDay: UInt64
    public var julianDay: UInt32
    public init(nanosOfDay: UInt64, julianDay: UInt32) {
        self.nanosOfDay = nanosOfDay
        self.julianDay = julianDay
    }
}

/// Variable-length values (BYTE_ARRAY) stored back to back: value `i` is `bytes[offsets[i]..<offsets[i+1]]`.
public struct ByteArrayBuffer: Sendable, Equatable {
    public var offsets: [Int]
    public var bytes: [UInt8]

    public init() {
        offsets = [0]
        bytes = []
    }

    public init(reservingValues n: Int, bytes b: Int) {
        offsets = [0]
        offsets.reserveCapacity(n + 1)
        bytes = []
        bytes.reserveCapacity(b)
    }

    public var count: Int { offsets.count - 1 }

    @inlinable
    public mutating func append(_ value: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: value)
        offsets.append(bytes.count)
    }

    public mutating func append<C: Collection>(contentsOf value: C) where C.Element == UInt8 {
        bytes.append(contentsOf: value)
        offsets.append(bytes.count)
    }

    public mutating func removeAll(keepingCapacity: Bool = true) {
        offsets.removeAll(keepingCapacity: keepingCapacity)
        offsets.append(0)
        bytes.removeAll(keepingCapacity: keepingCapacity)
    }

    public subscript(i: Int) -> ArraySlice<UInt8> {
        bytes[offsets[i]..<offsets[i + 1]]
    }

    @inlinable
    public func withValue<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let start = offsets[i], end = offsets[i + 1]
        return try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
    }
}

/// FIXED_LEN_BYTE_ARRAY values: value `i` is `bytes[i*width ..< (i+1)*width]`.
public struct FixedBuffer: Sendable, Equatable {
    public var width: Int
    public var bytes: [UInt8]

    public init(width: Int) {
        self.width = width
        bytes = []
    }

    public var count: Int { width == 0 ? 0 : bytes.count / width }

    public subscript(i: Int) -> ArraySlice<UInt8> {
        bytes[(i * width)..<((i + 1) * width)]
    }
}
