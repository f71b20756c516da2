#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ObjectStore {
    /// Streams the local file `path` to `key` through the multipart writer under `condition` (8 MiB reads; memory
    /// as `options` bound it): the object appears whole when the upload completes, or not at all — any failure,
    /// reading or uploading, aborts the upload.
    @discardableResult
    public func upload(file path: String, to key: String, condition: WriteCondition,
                       options: ObjectWriterOptions = ObjectWriterOptions()) async throws -> PutResult {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ObjectStoreError.io("\(path): cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let w = try await writer(key, condition: condition, options: options)
        do {
            var buf = [UInt8](repeating: 0, count: 8 << 20)
            while true {
                let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ObjectStoreError.io("\(path): cannot read: \(String(cString: strerror(errno)))")
                }
                if n == 0 { break }
                try await w.write(Array(buf[0..<n]))
            }
            return try await w.finish()
        } catch {
            await w.abort()
            throw error
        }
    }
}
