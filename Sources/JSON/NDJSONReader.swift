// Streaming NDJSON (JSON Lines) reader with bounded memory. Files are opened, checked and read through
// swift-system; fcntl stays raw (swift-system 1.8 lacks it), marked `raw syscall`.

import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where an `NDJSONReader` gets its bytes from (a file descriptor, memory, a generator, a decompressor).
public protocol NDJSONByteSource {
    /// Fills a prefix of `buffer`; returns the number of bytes written, 0 at end of stream.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// An I/O failure while reading an NDJSON stream (syntax errors are per record, see `JSONParseError`).
public struct NDJSONReadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What failed, including the system's error text.
    public let message: String
    /// An error with the text `message`.
    public init(message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

/// Reads from a file descriptor with `read(2)` (retrying on EINTR).
public struct FileDescriptorByteSource: NDJSONByteSource {
    /// The descriptor read from; the source does not close it.
    public let fileDescriptor: Int32
    /// A source reading the open descriptor `fileDescriptor` (owned by the caller).
    public init(fileDescriptor: Int32) { self.fileDescriptor = fileDescriptor }

    /// Reads up to `buffer.count` bytes; 0 at end of file.
    ///
    /// - Throws: ``NDJSONReadError`` with the system's error text when `read(2)` fails.
    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        do {
            return try FileDescriptor(rawValue: fileDescriptor).read(into: buffer)  // retries EINTR
        } catch {
            throw NDJSONReadError(message: "read failed: \(error)")
        }
    }
}

/// Serves bytes from memory.
public struct MemoryByteSource: NDJSONByteSource {
    let bytes: [UInt8]
    var position = 0
    /// A source serving `bytes`, then end of stream.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Copies the next bytes into `buffer`; 0 when all were served. Never throws.
    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - position)
        if n > 0 {
            bytes.withUnsafeBytes { src in
                buffer.baseAddress!.copyMemory(from: src.baseAddress! + position, byteCount: n)
            }
        }
        position += n
        return n
    }
}

/// Tuning for `NDJSONReader`.
public struct NDJSONReaderOptions: Sendable, Equatable {
    /// Initial buffer size and read size (default 1 MiB). The buffer grows (doubling) only to hold a line
    /// longer than it, up to `maxLineLength + 1` bytes.
    public var chunkSize: Int
    /// Lines with more bytes than this (before the `\n`) are reported as `isTooLong` records carrying only
    /// a prefix; the reader skips the rest and continues with the next line. Default 64 MiB.
    public var maxLineLength: Int
    /// How many leading bytes of a too-long line are kept (default 1024).
    public var tooLongPrefixLength: Int

    /// Options with sizes in bytes; values are clamped to at least 16, 1 and 0.
    public init(chunkSize: Int = 1 << 20, maxLineLength: Int = 64 << 20, tooLongPrefixLength: Int = 1024) {
        self.chunkSize = max(16, chunkSize)
        self.maxLineLength = max(1, maxLineLength)
        self.tooLongPrefixLength = max(0, tooLongPrefixLength)
    }
}

/// Position and size of one non-blank line.
public struct NDJSONLine: Sendable, Equatable {
    /// 1-based line number in the stream (blank lines are counted, though not returned).
    public let lineNumber: Int
    /// Offset of the line's first byte from the start of the stream.
    public let byteOffset: Int
    /// Length in bytes without the `\n` and without a `\r` just before it.
    public let length: Int
    /// The line is longer than `maxLineLength`; only a prefix of its bytes is available.
    public let isTooLong: Bool

    /// A line description with the given fields.
    public init(lineNumber: Int, byteOffset: Int, length: Int, isTooLong: Bool) {
        self.lineNumber = lineNumber
        self.byteOffset = byteOffset
        self.length = length
        self.isTooLong = isTooLong
    }
}

/// A line with a copy of its bytes.
public struct NDJSONRecord: Sendable, Equatable {
    /// Where the line is.
    public let line: NDJSONLine
    /// The raw line (without `\n` / `\r\n`); for a too-long line, its first `tooLongPrefixLength` bytes.
    public let bytes: [UInt8]
}

/// Splits a byte stream into lines, in bounded memory.
///
/// - Lines end at `\n`; a `\r` right before it is stripped (CRLF tolerated). The last line may lack `\n`.
/// - Blank lines (only spaces, tabs, `\r`) are skipped but counted in line numbers.
/// - Memory: one buffer of `chunkSize`, grown only to hold the longest line, never beyond
///   `maxLineLength + 1` bytes; longer lines become `isTooLong` records and reading continues after them.
/// - Zero-copy: `nextLine()` returns the position and `lineBytes` points into the internal buffer until the
///   next call. `next()` returns a copy instead.
/// - JSON is not parsed here; feed `lineBytes` to `JSONTokenizer`, `JSONParser` or
///   `JSONParser.splitDocuments` (several values on one line).
public final class NDJSONReader {
    private var source: any NDJSONByteSource
    private let options: NDJSONReaderOptions
    private let ownedDescriptor: Int32?
    private var buffer: UnsafeMutableRawPointer
    private var capacity: Int
    private var start = 0  // first unconsumed byte
    private var filled = 0  // end of valid data
    private var scanFrom = 0  // no '\n' in [start, scanFrom)
    private var bufferStreamOffset = 0  // stream offset of buffer[0]
    private var atEOF = false
    private var nextLineNumber = 1
    private var current: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)
    private var prefixBuffer: UnsafeMutableRawPointer? = nil  // tooLongPrefixLength bytes, allocated on demand

    /// A reader of `source`; allocates one buffer of `options.chunkSize` bytes (or `maxLineLength + 1` if smaller).
    public init(source: some NDJSONByteSource, options: NDJSONReaderOptions = NDJSONReaderOptions()) {
        self.source = source
        self.options = options
        self.ownedDescriptor = nil
        self.capacity = min(options.chunkSize, options.maxLineLength + 1)
        self.buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    /// Reads from `fileDescriptor`, which stays owned by the caller.
    public init(fileDescriptor: Int32, options: NDJSONReaderOptions = NDJSONReaderOptions()) {
        self.source = FileDescriptorByteSource(fileDescriptor: fileDescriptor)
        self.options = options
        self.ownedDescriptor = nil
        self.capacity = min(options.chunkSize, options.maxLineLength + 1)
        self.buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    /// Opens `path` for reading (closed when the reader is deallocated).
    public init(path: String, options: NDJSONReaderOptions = NDJSONReaderOptions()) throws(NDJSONReadError) {
        // O_NONBLOCK: a FIFO without a writer must not hang the open; a named input is a regular file (streams
        // come through `-`, i.e. init(fileDescriptor:)).
        let file: FileDescriptor
        do {
            file = try FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec, .nonBlocking])
        } catch {
            throw NDJSONReadError(message: "cannot open \(path): \(error)")
        }
        guard (try? file.stat())?.type == .regular else {
            try? file.close()
            throw NDJSONReadError(message: "\(path): not a regular file (read streams through -)")
        }
        let fd = file.rawValue
        // raw syscall: swift-system 1.8 has no fcntl(F_SETFL) to clear O_NONBLOCK on an open descriptor.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        self.source = FileDescriptorByteSource(fileDescriptor: fd)
        self.options = options
        self.ownedDescriptor = fd
        self.capacity = min(options.chunkSize, options.maxLineLength + 1)
        self.buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    /// Reads an in-memory stream.
    public convenience init(bytes: [UInt8], options: NDJSONReaderOptions = NDJSONReaderOptions()) {
        self.init(source: MemoryByteSource(bytes), options: options)
    }

    deinit {
        buffer.deallocate()
        prefixBuffer?.deallocate()
        if let fd = ownedDescriptor { try? FileDescriptor(rawValue: fd).close() }
    }

    /// Current size of the internal buffer, in bytes.
    public var bufferCapacity: Int { capacity }

    /// The bytes of the line last returned by `nextLine()` (a prefix for a too-long line). Valid until the
    /// next call to `nextLine()` / `next()`.
    public var lineBytes: UnsafeRawBufferPointer { current }

    /// Returns a copy of the next non-blank line, or `nil` at the end of the stream.
    public func next() throws(NDJSONReadError) -> NDJSONRecord? {
        guard let line = try nextLine() else { return nil }
        return NDJSONRecord(line: line, bytes: Array(current))
    }

    /// Advances to the next non-blank line; its bytes are in `lineBytes`. `nil` at the end of the stream.
    public func nextLine() throws(NDJSONReadError) -> NDJSONLine? {
        while true {
            if scanFrom < filled, let hit = memchr(buffer + scanFrom, 0x0A, filled - scanFrom) {
                let nl = UnsafeMutableRawPointer(hit) - buffer
                let lineStart = start
                let number = nextLineNumber
                nextLineNumber += 1
                start = nl + 1
                scanFrom = start
                if let line = makeLine(lineStart, nl, number) { return line }
                continue
            }
            scanFrom = filled
            if filled - start > options.maxLineLength {
                return try skipTooLongLine()
            }
            if atEOF {
                guard start < filled else { return nil }
                let lineStart = start
                let number = nextLineNumber
                nextLineNumber += 1
                start = filled
                scanFrom = filled
                if let line = makeLine(lineStart, filled, number) { return line }
                return nil
            }
            compact()
            if filled == capacity { grow() }
            try fill(from: filled)
        }
    }

    /// Moves unconsumed bytes to the front of the buffer.
    private func compact() {
        guard start > 0 else { return }
        let remaining = filled - start
        if remaining > 0 { memmove(buffer, buffer + start, remaining) }
        bufferStreamOffset += start
        scanFrom -= start
        filled = remaining
        start = 0
    }

    private func grow() {
        let newCapacity = min(capacity * 2, options.maxLineLength + 1)
        precondition(newCapacity > capacity)
        let nb = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        nb.copyMemory(from: buffer, byteCount: filled)
        buffer.deallocate()
        buffer = nb
        capacity = newCapacity
    }

    /// Reads into `buffer[offset..<capacity]`; sets `atEOF` on end of stream.
    private func fill(from offset: Int) throws(NDJSONReadError) {
        let n: Int
        do {
            n = try source.read(into: UnsafeMutableRawBufferPointer(start: buffer + offset, count: capacity - offset))
        } catch let e as NDJSONReadError {
            throw e
        } catch {
            throw NDJSONReadError(message: "read failed: \(error)")
        }
        if n == 0 { atEOF = true } else { filled = offset + n }
    }

    private func makeLine(_ lineStart: Int, _ lineEnd: Int, _ number: Int) -> NDJSONLine? {
        var e = lineEnd
        if e > lineStart && buffer.load(fromByteOffset: e - 1, as: UInt8.self) == 0x0D { e -= 1 }
        var k = lineStart
        while k < e {
            let b = buffer.load(fromByteOffset: k, as: UInt8.self)
            if b != 0x20 && b != 0x09 && b != 0x0D { break }
            k += 1
        }
        if k == e { return nil }
        current = UnsafeRawBufferPointer(start: buffer + lineStart, count: e - lineStart)
        return NDJSONLine(
            lineNumber: number, byteOffset: bufferStreamOffset + lineStart, length: e - lineStart, isTooLong: false)
    }

    /// The buffered bytes from `start` are a line without `\n` longer than the limit: keep a prefix, discard
    /// the rest chunk by chunk until its end.
    private func skipTooLongLine() throws(NDJSONReadError) -> NDJSONLine {
        let number = nextLineNumber
        nextLineNumber += 1
        let offset = bufferStreamOffset + start
        let keep = min(options.tooLongPrefixLength, filled - start)
        if prefixBuffer == nil {
            prefixBuffer = UnsafeMutableRawPointer.allocate(byteCount: max(1, options.tooLongPrefixLength), alignment: 16)
        }
        prefixBuffer!.copyMemory(from: buffer + start, byteCount: keep)
        var length = filled - start
        var last = buffer.load(fromByteOffset: filled - 1, as: UInt8.self)
        bufferStreamOffset += filled
        start = 0
        filled = 0
        scanFrom = 0
        while !atEOF {
            try fill(from: 0)
            if atEOF { break }
            if let hit = memchr(buffer, 0x0A, filled) {
                let nl = UnsafeMutableRawPointer(hit) - buffer
                length += nl
                if nl > 0 { last = buffer.load(fromByteOffset: nl - 1, as: UInt8.self) }
                start = nl + 1
                scanFrom = start
                break
            }
            length += filled
            last = buffer.load(fromByteOffset: filled - 1, as: UInt8.self)
            bufferStreamOffset += filled
            filled = 0
        }
        if last == 0x0D { length -= 1 }
        current = UnsafeRawBufferPointer(start: prefixBuffer, count: keep)
        return NDJSONLine(lineNumber: number, byteOffset: offset, length: length, isTooLong: true)
    }
}
