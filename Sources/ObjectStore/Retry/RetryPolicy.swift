#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How often and how long a failed request is tried again: "full jitter" exponential backoff (each wait is uniform in
/// `0 ..< min(maxDelay, baseDelay × 2^attempt)`), bounded both by the number of attempts and by the total time
/// since the first attempt. A request is retried only when it is idempotent or when the failure proves the server
/// never acted on it.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    /// Seconds: the backoff before the second attempt doubles from this.
    public var baseDelay: Double
    /// Seconds: the longest backoff between attempts.
    public var maxDelay: Double
    /// No new attempt starts once this many seconds have passed since the first.
    public var totalTimeout: Double
    /// Each attempt's deadline (connect, send, wait for and read the response).
    public var requestTimeout: Double

    /// A policy; `maxAttempts` is at least 1.
    public init(maxAttempts: Int = 10, baseDelay: Double = 0.05, maxDelay: Double = 5, totalTimeout: Double = 120,
                requestTimeout: Double = 60) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.totalTimeout = totalTimeout
        self.requestTimeout = requestTimeout
    }

    /// The wait before attempt `attempt + 1` (attempt counts from 0 for the first try).
    public func delay(afterAttempt attempt: Int) -> Double {
        let cap = min(maxDelay, baseDelay * Double(1 << min(attempt, 30)))
        return Double.random(in: 0..<max(cap, 1e-6))
    }
}

/// How a failed attempt may be treated.
public enum FailureKind: Sendable, Equatable {
    /// Transient, and the server may have acted on the request (timeouts, dropped connections, 5xx): retry only
    /// idempotent requests.
    case transient
    /// Transient, and the server did not act on it (throttled with 503 SlowDown / 429, connection refused): retry any
    /// request.
    case notProcessed
    /// Retrying cannot help.
    case permanent
}

/// Monotonic seconds (CLOCK_MONOTONIC), for total-time bounds that do not jump with the wall clock.
@inline(__always)
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Runs `attempt` under `policy`. `classify` says how each error may be retried; `idempotent` whether transient
/// failures may be retried. `onRetry` sees each retried error (for logging and counting).
func withRetries<T>(
    _ policy: RetryPolicy, idempotent: Bool,
    classify: (any Error) -> FailureKind,
    onRetry: (any Error, Int) -> Void = { _, _ in },
    _ attempt: (Int) async throws -> T
) async throws -> T {
    let start = monotonicSeconds()
    var n = 0
    while true {
        do {
            return try await attempt(n)
        } catch {
            let kind = classify(error)
            let retryable = kind == .notProcessed || (kind == .transient && idempotent)
            n += 1
            let wait = policy.delay(afterAttempt: n - 1)
            guard retryable, n < policy.maxAttempts, monotonicSeconds() - start + wait < policy.totalTimeout,
                  !Task.isCancelled
            else { throw error }
            onRetry(error, n)
            try await Task.sleep(nanoseconds: UInt64(wait * 1e9))
        }
    }
}
