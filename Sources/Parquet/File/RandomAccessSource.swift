/// The bytes of a Parquet file, wherever they are: the reader asks for ranges and never learns what stores them.
///
/// `FileStorage` (a memory-mapped local file, or bytes in memory) is one conformance; object stores provide
/// another outside this module (ranged GETs with read-ahead, coalescing and a cached tail), so the format core
/// imports no networking.
public protocol RandomAccessSource: AnyObject, Sendable {
    /// The file's length in bytes.
    var size: Int { get }

    /// Calls `body` with the bytes of `range` (which lies within `0..<size`). The buffer is valid only inside `body`.
    func withBytes<R>(_ range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R

    /// True when every read has a fixed cost (a request): the reader then reads only the ranges the metadata names
    /// and skips checks that would need extra reads. False for memory maps, where touching a byte is the read.
    var readsAreExpensive: Bool { get }

    /// A hint that `ranges` will be read soon (a row group's projected column chunks), so a remote source can fetch
    /// them together.
    func willRead(_ ranges: [Range<Int>]) throws

    /// Lets go of cached or resident bytes (decoded data is unaffected).
    func releaseResidentPages()
}

extension RandomAccessSource {
    /// Local sources: reads are cheap.
    public var readsAreExpensive: Bool { false }
    /// Local sources: no prefetch.
    public func willRead(_ ranges: [Range<Int>]) throws {}
    /// Local sources: nothing cached.
    public func releaseResidentPages() {}
}

extension FileStorage: RandomAccessSource {
    var size: Int { count }

    func withBytes<R>(_ range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        try body(bytes(range))
    }
}
