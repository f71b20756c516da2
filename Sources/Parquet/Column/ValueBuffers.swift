// Columnar value buffers: what decoders append into and what the batch API hands out.

/// An INT96 value as stored: 8 bytes of nanoseconds within the day, then 4 bytes of Julian day (both little-endian).
public struct Int96: Hashable, Sendable {
    /// Nanoseconds since midnight.
    public var nanosOfDay: UInt64
    /// Julian day number (2440588 is 1970-01-01).
    public var julianDay: UInt32
    /// A value from its two parts.
    public init(nanosOfDay: UInt64, julianDay: UInt32) {
        self.nanosOfDay = nanosOfDay
        self.julianDay = julianDay
    }
}

/// Variable-length values (BYTE_ARRAY) stored back to back: value `i` is `bytes[offsets[i]..<offsets[i+1]]`.
public struct ByteArrayBuffer: Sendable, Equatable {
    /// Start offsets into ``bytes``, one per value plus the end (`count + 1` entries, first 0).
    public var offsets: [Int]
    /// All values' bytes back to back.
    public var bytes: [UInt8]

    /// An empty buffer.
    public init() {
        offsets = [0]
        bytes = []
    }

    /// An empty buffer with room for `n` values of `b` bytes in total.
    public init(reservingValues n: Int, bytes b: Int) {
        offsets = [0]
        offsets.reserveCapacity(n + 1)
        bytes = []
        bytes.reserveCapacity(b)
    }

    /// Number of values.
    public var count: Int { offsets.count - 1 }

    /// Appends one value (amortized O(length)).
    @inlinable
    public mutating func append(_ value: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: value)
        offsets.append(bytes.count)
    }

    /// Appends one value made of `value`'s bytes.
    public mutating func append<C: Collection>(contentsOf value: C) where C.Element == UInt8 {
        bytes.append(contentsOf: value)
        offsets.append(bytes.count)
    }

    /// Removes every value.
    public mutating func removeAll(keepingCapacity: Bool = true) {
        offsets.removeAll(keepingCapacity: keepingCapacity)
        offsets.append(0)
        bytes.removeAll(keepingCapacity: keepingCapacity)
    }

    /// Value `i` (0-based, must be below ``count``).
    public subscript(i: Int) -> ArraySlice<UInt8> {
        bytes[offsets[i]..<offsets[i + 1]]
    }

    /// Calls `body` with value `i`'s bytes, without copying; the pointer is valid only inside `body`.
    @inlinable
    public func withValue<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let start = offsets[i], end = offsets[i + 1]
        return try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
    }
}

/// FIXED_LEN_BYTE_ARRAY values: value `i` is `bytes[i*width ..< (i+1)*width]`.
public struct FixedBuffer: Sendable, Equatable {
    /// Bytes per value.
    public var width: Int
    /// All values' bytes back to back.
    public var bytes: [UInt8]

    /// An empty buffer of `width`-byte values.
    public init(width: Int) {
        self.width = width
        bytes = []
    }

    /// Number of values.
    public var count: Int { width == 0 ? 0 : bytes.count / width }

    /// Value `i` (0-based, must be below ``count``).
    public subscript(i: Int) -> ArraySlice<UInt8> {
        bytes[(i * width)..<((i + 1) * width)]
    }
}
