// Delivery into a committed table (an Iceberg table) whose location is in an object store (`CommitDeliveryTarget`
// over an `ObjectDeliveryTarget`): each data file is a multipart upload, staged when its flush closes it (every
// part uploaded, nothing visible), completed when the flush publishes it (still invisible to readers of the
// table: no snapshot names it), then committed by the table's catalog. The footer the commit needs (row count,
// column statistics) is taken from the tail of the bytes the Parquet writer wrote, so nothing is read back from
// the bucket. Error records are uploaded and published as for `--out s3://`.

import ObjectStore
import Parquet

extension ObjectDeliveryTarget {
    /// Deletes published objects by URL (errors ignored: a missing object is gone already).
    func delete(_ urls: [String]) {
        let store = self.store
        for url in urls {
            guard let key = try? key(url) else { continue }
            _ = try? Blocking.run { try await store.delete(key) }
        }
    }
}

/// A sink that passes every byte on and keeps the last ones written, from which the file's footer is decoded
/// after `close()` (a Parquet file ends with the footer, its 4-byte length and `PAR1`). At most `keep` bytes are
/// held (twice that while trimming); a footer longer than that is an error, never a partial read.
final class FooterKeepingSink: ParquetSink {
    let inner: any ParquetSink
    let keep: Int
    private var tail: [UInt8] = []

    init(_ inner: any ParquetSink, keep: Int = 16 << 20) {
        self.inner = inner
        self.keep = keep
    }

    var destination: String { inner.destination }
    var spillDirectory: String? { inner.spillDirectory }
    func rowGroupWritten() { inner.rowGroupWritten() }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try inner.write(bytes)
        if bytes.count >= keep {
            tail = Array(bytes[(bytes.count - keep)...])
            return
        }
        tail.append(contentsOf: bytes)
        if tail.count > 2 * keep { tail.removeFirst(tail.count - keep) }
    }

    func close() throws { try inner.close() }
    func abort() { inner.abort() }

    /// The footer of the file written (after `close()`).
    func footer() throws -> FileMetaData {
        let n = tail.count
        guard n >= 8, Array(tail[(n - 4)...]) == Array("PAR1".utf8) else {
            throw DeliveryError("\(destination): the written file does not end with a Parquet footer")
        }
        var len = 0
        for k in 0..<4 { len |= Int(tail[n - 8 + k]) << (8 * k) }
        guard len + 8 <= n else {
            throw DeliveryError("\(destination): the footer (\(len) bytes) is larger than the \(keep) bytes kept")
        }
        do {
            return try tail[(n - 8 - len)..<(n - 8)].withUnsafeBytes { try FileMetaData.decode($0) }
        } catch {
            throw DeliveryError("\(destination): cannot decode the footer written: \(error)")
        }
    }
}
