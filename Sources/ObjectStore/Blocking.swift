import Dispatch

/// Runs async object-store work from synchronous code (the Parquet reader, a file sink) and waits for it.
///
/// The work runs on the global concurrent executor and the HTTP client's event loops; the calling thread only
/// waits. Call it from a thread that is neither an event loop nor a task of the cooperative pool (the CLI's main
/// thread or a worker thread), never from inside async code.
public enum Blocking {
    /// Runs `work` and waits for its result (or error).
    public static func run<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { box.result = .success(try await work()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }

    private final class ResultBox<T>: @unchecked Sendable {
        // Written once by the task before signalling, read once by the waiter after the wait.
        var result: Result<T, any Error>?
    }
}
