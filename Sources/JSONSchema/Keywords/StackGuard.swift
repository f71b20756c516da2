// Stack-depth guard: evaluation is recursive, and threads (GCD workers, Swift concurrency) may have small
// stacks. Before going deeper the evaluator compares the stack pointer with the thread's stack limit
// (cached per thread) and fails the evaluation cleanly instead of overflowing.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

enum StackGuard {
    /// Bytes kept free below the deepest frame we allow (debug frames are large).
    static let margin: UInt = 192 * 1024

    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k, nil)
        return k
    }()

    #if canImport(Glibc)
        /// `pthread_getattr_np` (a GNU extension the Glibc module does not export).
        private typealias GetAttr = @convention(c) (pthread_t, UnsafeMutablePointer<pthread_attr_t>) -> Int32
        private static let getattrNP: GetAttr? = {
            guard let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pthread_getattr_np") else { return nil }
            return unsafeBitCast(sym, to: GetAttr.self)
        }()
    #endif

    /// The lowest address evaluation may reach on this thread (0 if unknown).
    static func limit() -> UInt {
        if let p = pthread_getspecific(key) { return UInt(bitPattern: p) }
        var low: UInt = 1
        #if canImport(Glibc)
            var attr = pthread_attr_t()
            if let getattr = getattrNP, getattr(pthread_self(), &attr) == 0 {
                var addr: UnsafeMutableRawPointer? = nil
                var size = 0
                if pthread_attr_getstack(&attr, &addr, &size) == 0, let addr {
                    let base = UInt(bitPattern: addr)
                    low = size > Int(margin) * 2 ? base + margin : base + UInt(size / 2)
                }
                pthread_attr_destroy(&attr)
            }
        #endif
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: low))
        return low
    }

    /// Whether the current stack pointer is still above `limit`.
    @inline(__always)
    static func hasRoom(_ limit: UInt) -> Bool {
        var marker: UInt8 = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) } > limit
    }
}
