// Inputs in an object store: `s3://bucket/key` (one object; `.gz`, `.zst`, `.br` decompressed by the key's suffix)
// or `s3://bucket/prefix/` (every object under it that a local folder's walk would take, in key order). Each is
// streamed with ranged GETs and bounded read-ahead (ObjectStreamReader), pinned to the ETag it was listed with.

import FileSafety
import JSON
import ObjectStore

/// One object to convert: its URL (the input's name in error records and the checkpoint), store, key, size and
/// the ETag that identifies its version.
struct InputObject {
    var url: String
    var store: any ObjectStore
    var key: String
    var size: Int64
    var etag: String
}

/// An object's bytes as an NDJSON byte stream.
final class ObjectByteSource: NDJSONByteSource {
    let reader: ObjectStreamReader
    init(_ reader: ObjectStreamReader) { self.reader = reader }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int { try reader.read(into: buffer) }
}

/// A checkpointed object input whose version is no longer the one the checkpoint's positions were taken from:
/// resuming would skip or repeat records, so the run stops before converting anything (exit 2).
public struct CheckpointInputChanged: Error, CustomStringConvertible {
    /// The one-line message.
    public let description: String
}

enum ObjectInputs {
    /// The objects an `s3://` input names, or nil when `text` is not an object-store URL. A key that is not an
    /// object but has objects below `key/` is read as that prefix (as a local folder named without its slash).
    static func expand(_ text: String, stores: [String: any ObjectStore]) throws -> [InputObject]? {
        guard case .s3(let bucket, let key)? = try? StoreLocation.parse(text) else { return nil }
        guard let store = stores[bucket] else {
            throw InputError(message: "\(text): no store configured for the bucket '\(bucket)'")
        }
        let base = "s3://\(bucket)/"
        do {
            if !key.isEmpty && !key.hasSuffix("/") {
                do {
                    let meta = try Blocking.run { try await store.head(key) }
                    return [InputObject(url: base + key, store: store, key: key, size: meta.size, etag: meta.etag)]
                } catch ObjectStoreError.notFound {
                    let below = try list(store, prefix: key + "/", base: base)
                    if below.isEmpty { throw InputError(message: "\(text): no such object or prefix") }
                    return below
                }
            }
            return try list(store, prefix: key, base: base)
        } catch let e as InputError {
            throw e
        } catch {
            throw InputError(message: messageNaming(text, error))
        }
    }

    /// The NDJSON objects under `prefix` (a folder's rules: `*.json`, `*.ndjson`, `*.jsonl` and their `.gz`,
    /// `.zst`, `.zstd`, `.br`; no name below the prefix starting with `.`; no folder markers), page by page, in key
    /// order.
    static func list(_ store: any ObjectStore, prefix: String, base: String) throws -> [InputObject] {
        let accept = DirectoryWalker.ndjsonInputs.accept
        var out: [InputObject] = []
        var token: String? = nil
        repeat {
            let page = try Blocking.run { [token] in
                try await store.listPage(prefix: prefix, delimiter: nil, continuation: token, maxKeys: 1000)
            }
            for o in page.objects where !o.key.hasSuffix("/") {
                let parts = o.key.dropFirst(prefix.count).split(separator: "/")
                guard let name = parts.last, !parts.contains(where: { $0.hasPrefix(".") }), accept(String(name)) else {
                    continue
                }
                out.append(InputObject(url: base + o.key, store: store, key: o.key, size: o.size, etag: o.etag))
            }
            token = page.continuation
        } while token != nil
        return out
    }

    /// `error`'s message naming `name` once (store errors already start with the object's URL).
    static func messageNaming(_ name: String, _ error: any Error) -> String {
        let m = "\(error)"
        return m.hasPrefix("s3://") || m.hasPrefix(name) ? m : "\(name): \(m)"
    }
}
