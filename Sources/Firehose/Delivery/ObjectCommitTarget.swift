// Delivery into a committed table (an Iceberg table) whose location is in an object store: each data file is a
// multipart upload, staged when its flush closes it (every part uploaded, nothing visible), completed when the
// flush publishes it (still invisible to readers of the table: no snapshot names it), then committed by the
// table's catalog. The footer the commit needs (row count, column statistics) is taken from the tail of the bytes
// the Parquet writer wrote, so nothing is read back from the bucket. Error records are uploaded and published as
// for `--out s3://`.

import ObjectStore
import Parquet

/// A delivery target whose data files become part of a table by a commit.
protocol CommittingTarget: DeliveryTarget {
    /// The commit files of staged data entries (their footers forgotten).
    func takeFiles(_ entries: [(String, String)]) -> [CommitFile]
    /// Whether a staged entry is a data file (else an error-records file).
    func isData(_ staged: String) -> Bool
    /// Removes data files that were published but whose commit certainly did not happen (nothing names them).
    func removeUncommitted(_ finals: [String])
}

/// The object-store target of a committed table: uploads staged and completed as for `--out s3://`, footers kept.
final class ObjectCommitDeliveryTarget: CommittingTarget, @unchecked Sendable {
    let objects: ObjectDeliveryTarget
    /// Footers of staged data files, by staged entry (`upload:<id>`).
    private var footers: [String: (FileMetaData, Int64)] = [:]

    init(_ objects: ObjectDeliveryTarget) {
        self.objects = objects
    }

    func parquetSink(name: String, final: String) throws -> any ParquetSink {
        FooterKeepingSink(try objects.parquetSink(name: name, final: final))
    }

    func staged(_ sink: any ParquetSink) throws -> (from: String, size: Int64) {
        guard let s = sink as? FooterKeepingSink else { throw DeliveryError("\(sink.destination): not a data file sink") }
        let footer = try s.footer()
        let (from, size) = try objects.staged(s.inner)
        footers[from] = (footer, size)
        return (from, size)
    }

    func stage(bytes: [UInt8], name: String, final: String) throws -> (String, String) {
        try objects.stage(bytes: bytes, name: name, final: final)
    }

    func publish(_ entries: [(String, String)], rollForward: Bool) throws {
        try objects.publish(entries, rollForward: rollForward)
    }

    func discard(_ entries: [(String, String)]) {
        objects.discard(entries)
        for (from, _) in entries { footers[from] = nil }
    }

    func takeFiles(_ entries: [(String, String)]) -> [CommitFile] {
        entries.map { from, to in
            let (f, size) = footers.removeValue(forKey: from)!
            return CommitFile(path: to, size: size, footer: f)
        }
    }

    func isData(_ staged: String) -> Bool { footers[staged] != nil }

    func removeUncommitted(_ finals: [String]) {
        let store = objects.store
        for url in finals {
            guard let key = try? objects.key(url) else { continue }
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
