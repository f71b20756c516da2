// Blocking building blocks for the parallel pipelines (validate, convert): a monitor (mutex + condition
// variable) and a group of plain threads. Waiting threads sleep in the kernel; nothing polls a shared counter.
// Dispatch's `concurrentPerform` is not used for pipelines: its pool is sized by the cores, not by `--jobs`,
// and its idle workers look for more work before they sleep.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A mutex with one condition variable. `wait()` releases the mutex while asleep.
public final class Monitor: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var cond = pthread_cond_t()

    public init() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&cond, nil)
    }
    deinit {
        pthread_cond_destroy(&cond)
        pthread_mutex_destroy(&mutex)
    }

    public func lock() { pthread_mutex_lock(&mutex) }
    public func unlock() { pthread_mutex_unlock(&mutex) }
    /// Sleeps until `signal()`/`broadcast()` (the mutex must be held; it is held again on return).
    public func wait() { pthread_cond_wait(&cond, &mutex) }
    public func signal() { pthread_cond_signal(&cond) }
    public func broadcast() { pthread_cond_broadcast(&cond) }

    @inline(__always)
    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }
}

/// Runs `body(0..<count)` on `count` threads (the caller's thread is worker 0) and returns when all are done.
public enum WorkerThreads {
    private final class Start: @unchecked Sendable {
        let body: (Int) -> Void
        let index: Int
        init(_ body: @escaping (Int) -> Void, _ index: Int) {
            self.body = body
            self.index = index
        }
    }

    public static func run(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let n = max(1, count)
        let group = spawn(n - 1) { body($0 + 1) }
        body(0)
        group.join()
        // workers whose thread could not be created run here, one after another (their work is shared by
        // claiming, so the others already did most of it)
        for i in group.count..<(n - 1) { body(i + 1) }
    }

    /// Threads started by `spawn`; `join()` waits for all of them.
    public struct Group: @unchecked Sendable {
        fileprivate var threads: [pthread_t] = []
        /// Threads actually started (bodies 0..<count run; the rest did not start).
        public var count: Int { threads.count }
        public func join() { for t in threads { pthread_join(t, nil) } }
    }

    /// Starts `body(0..<count)` on `count` new threads and returns at once; if the system refuses a thread, the
    /// bodies from there on do not start (`Group.count` tells how many did).
    public static func spawn(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) -> Group {
        var group = Group()
        for i in 0..<max(0, count) {
            let box = Unmanaged.passRetained(Start(body, i)).toOpaque()
            #if canImport(Darwin)
                var t: pthread_t? = nil
            #else
                var t = pthread_t()
            #endif
            let rc = pthread_create(&t, nil, { raw in
                #if canImport(Darwin)
                    let s = Unmanaged<Start>.fromOpaque(raw).takeRetainedValue()
                #else
                    let s = Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue()
                #endif
                s.body(s.index)
                return nil
            }, box)
            if rc != 0 {
                Unmanaged<Start>.fromOpaque(box).release()
                break
            }
            #if canImport(Darwin)
                group.threads.append(t!)
            #else
                group.threads.append(t)
            #endif
        }
        return group
    }
}

/// Monotonic nanoseconds.
@inline(__always)
public func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// CPU nanoseconds of the calling thread (what `StageProfile` counts as busy: time on a core, so the figures do
/// not grow when other processes share the machine).
@inline(__always)
public func threadCPUNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}
