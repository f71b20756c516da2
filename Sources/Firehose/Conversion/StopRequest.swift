// Graceful shutdown of convert and ingest (issue 11, rule 2).
//
// SIGTERM or SIGINT (docker stop, systemd, Ctrl-C) does not kill the stage: it becomes a stop request that the
// reading stage observes. Reading stops at a line boundary (ingest first takes what the pipe already holds, up to
// `drainLimit` bytes, and treats what follows as the end of input), then the normal end-of-input path runs:
// buffered records are published, the checkpoint is written, staging is cleaned and the summary printed. A
// second signal aborts at once (`_exit(128 + signal)`): files are only ever published by rename from the hidden
// staging folder, so nothing partial becomes visible, and with a checkpoint the rerun rolls the log forward.
//
// The signals are received by DispatchSource signal sources (the default disposition is set to ignore first, as
// those sources require), so no work happens in an async-signal context and nothing polls for them.

import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A request to stop a conversion at the next line boundary, set by SIGTERM / SIGINT or by a caller; thread-safe.
public final class StopRequest: Sendable {
    /// The process-wide request that `Converter` observes.
    public static let shared = StopRequest()

    private let signalNumber = Atomic<Int32>(0)
    private let sources = Mutex<[any DispatchSourceSignal]>([])

    /// A request not yet made (tests and embedders use their own; the CLI uses ``shared``).
    public init() {}

    /// The signal that asked to stop (0: none).
    public var signal: Int32 { signalNumber.load(ordering: .acquiring) }
    /// Whether a stop was requested.
    public var isRequested: Bool { signal != 0 }

    /// Asks the stage to stop (as the first SIGTERM / SIGINT does). Returns false when a stop was already
    /// requested.
    @discardableResult
    public func request(signal: Int32) -> Bool {
        signalNumber.compareExchange(expected: 0, desired: signal, ordering: .acquiringAndReleasing).exchanged
    }

    /// Routes SIGTERM and SIGINT to this request: the first stops gracefully, the second exits at once with
    /// status 128 + signal.
    public func installSignalHandlers(_ signals: [Int32] = [SIGTERM, SIGINT]) {
        sources.withLock { list in
            for sig in signals {
                Glibc.signal(sig, SIG_IGN)
                let src = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                src.setEventHandler { [self, src] in  // the sources live as long as the process
                    // two signals in quick succession may arrive as one event with a count of 2
                    if !self.request(signal: sig) || src.data > 1 { _exit(128 + sig) }
                }
                src.resume()
                list.append(src)
            }
        }
    }
}
