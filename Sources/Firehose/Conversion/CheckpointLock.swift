// One run per checkpoint (issue 11, rule 3): two `floe convert` runs sharing a `--checkpoint` would both resume
// from the same positions and duplicate every record. The run holds an exclusive, non-blocking `flock` of
// `<checkpoint>.lock` (the checkpoint itself is replaced by rename, so it cannot carry the lock) for its whole
// length, with its pid written in the file; a second run fails at once naming the holder. The kernel drops the
// lock when the holder dies (kill -9 included), so a stale lock file never blocks a rerun.

import ObjectStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The checkpoint is held by another running process.
public struct CheckpointBusy: Error, CustomStringConvertible, Sendable {
    /// The checkpoint path the second run named.
    public var checkpoint: String
    /// The process id of the run holding it, when its lock file names one.
    public var holder: Int32?
    /// The holder's machine, when it is another one.
    public var host: String? = nil
    /// The diagnostic: the checkpoint, the holder's pid (and machine) and why the run refuses to start.
    public var description: String {
        "\(checkpoint): checkpoint is in use by another run" + (holder.map { " (pid \($0)\(host.map { " on \($0)" } ?? ""))" } ?? "")
            + "; two runs sharing a checkpoint would duplicate records"
    }
}

final class CheckpointLock {
    private var fd: Int32 = -1

    init(checkpoint: String?) throws {
        guard let cp = checkpoint else { return }
        let path = cp + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw DeliveryError("cannot create \(path): \(String(cString: strerror(errno)))") }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            if errno == EWOULDBLOCK {
                var buf = [UInt8](repeating: 0, count: 32)
                let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, 0) }
                close(fd)
                let text = n > 0 ? String(decoding: buf[0..<n], as: UTF8.self) : ""
                throw CheckpointBusy(checkpoint: cp, holder: Int32(text.filter { $0.isNumber }))
            }
            let m = String(cString: strerror(errno))
            close(fd)
            throw DeliveryError("cannot lock \(path): \(m)")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress!, $0.count, 0) }
        self.fd = fd
    }

    func release() {
        guard fd >= 0 else { return }
        _ = flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }
}

/// The checkpoint lock wherever the checkpoint lives: the flock'd local file above, or, for a checkpoint in an
/// object store, a lock object `<checkpoint>.lock` created with `If-None-Match: *` holding "host pid". A lock
/// object whose holder is gone from this machine (kill -9 leaves the object behind) is taken over; one held from
/// another machine is reported as busy, naming the holder (delete the object once that run is known dead).
final class ObjectCheckpointLock {
    private var local: CheckpointLock?
    private var store: (any ObjectStore)?
    private var key = ""

    init(_ config: ConvertConfig) throws {
        guard let cp = config.checkpoint else { return }
        guard let store = config.checkpointStore else {
            local = try CheckpointLock(checkpoint: cp)
            return
        }
        let key = String(cp.dropFirst(config.checkpointStoreURL.count)) + ".lock"
        let host = Self.hostName()
        let me = Array("\(host) \(getpid())\n".utf8)
        for attempt in 0..<2 {
            do {
                _ = try Blocking.run { try await store.put(key, bytes: me, condition: .createOnly) }
                self.store = store
                self.key = key
                return
            } catch ObjectStoreError.preconditionFailed {
                let held = (try? Blocking.run { try await store.get(key) }) ?? []
                let fields = String(decoding: held, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
                let pid = fields.count == 2 ? Int32(fields[1]) : nil
                if attempt == 0, fields.count == 2, fields[0] == host, let pid, kill(pid, 0) != 0, errno == ESRCH {
                    _ = try? Blocking.run { try await store.delete(key) }  // its holder died on this machine
                    continue
                }
                throw CheckpointBusy(checkpoint: cp, holder: pid,
                                     host: fields.count == 2 && fields[0] != host ? String(fields[0]) : nil)
            } catch {
                throw DeliveryError("checkpoint \(cp): cannot lock (\(config.checkpointStoreURL)\(key)): \(error)")
            }
        }
        throw CheckpointBusy(checkpoint: cp, holder: nil, host: nil)
    }

    func release() {
        local?.release()
        local = nil
        if let store {
            let key = self.key
            _ = try? Blocking.run { try await store.delete(key) }
            self.store = nil
        }
    }

    deinit { release() }

    static func hostName() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        guard gethostname(&buf, buf.count - 1) == 0 else { return "localhost" }
        return String(decoding: buf.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
