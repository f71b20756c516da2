// One run per checkpoint (issue 11, rule 3): two `floe convert` runs sharing a `--checkpoint` would both resume
// from the same positions and duplicate every record. The run holds an exclusive, non-blocking `flock` of
// `<checkpoint>.lock` (the checkpoint itself is replaced by rename, so it cannot carry the lock) for its whole
// length, with its pid written in the file; a second run fails at once naming the holder. The kernel drops the
// lock when the holder dies (kill -9 included), so a stale lock file never blocks a rerun.

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
    /// The diagnostic: the checkpoint, the holder's pid and why the run refuses to start.
    public var description: String {
        "\(checkpoint): checkpoint is in use by another run" + (holder.map { " (pid \($0))" } ?? "")
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
