// The stage profile of a parallel pipeline: per stage, the CPU seconds threads spent in it (thread CPU time, so
// other load on the machine does not inflate them) and the items it handled. Stages are "parallel" (any number of threads at once) or "ordered" (one thread at a time, in input
// order); the ordered stages bound the speed-up (Amdahl's law), so their seconds per GB of input are the figure
// to watch. Printed by `--profile`, `--stats-json` and `floe bench convert|validate`.

import Synchronization

/// Accumulates busy time per stage; `add` may be called from any thread.
public final class StageProfile: Sendable {
    public struct Stage: Sendable {
        public let name: String
        public let ordered: Bool
        public var nanos: UInt64 = 0
        public var items: Int = 0
        public var seconds: Double { Double(nanos) / 1e9 }
    }

    private let stages: Mutex<[Stage]>
    private let threadCount = Atomic<Int>(1)
    /// Threads (jobs) the pipeline ran with.
    public var threads: Int {
        get { threadCount.load(ordering: .relaxed) }
        set { threadCount.store(newValue, ordering: .relaxed) }
    }

    /// `stages`: (name, ordered) in pipeline order.
    public init(_ stages: [(String, Bool)]) {
        self.stages = Mutex(stages.map { Stage(name: $0.0, ordered: $0.1) })
    }

    public func add(_ stage: Int, nanos: UInt64, items: Int = 1) {
        stages.withLock {
            $0[stage].nanos &+= nanos
            $0[stage].items &+= items
        }
    }

    /// Times `body` as `items` items of `stage`.
    @inline(__always)
    public func measure<T>(_ stage: Int, items: Int = 1, _ body: () throws -> T) rethrows -> T {
        let t0 = threadCPUNanos()
        defer { add(stage, nanos: threadCPUNanos() &- t0, items: items) }
        return try body()
    }

    public var snapshot: [Stage] { stages.withLock { $0 } }

    /// Seconds of the ordered stages together.
    public var orderedSeconds: Double { snapshot.filter(\.ordered).reduce(0) { $0 + $1.seconds } }

    /// `{"threads":N,"ordered_seconds":S,"ordered_s_per_gb":X,"stages":[{"name":...,"ordered":B,"seconds":S,"items":N},...]}`
    /// (`bytes`: input bytes, for the per-GB figure).
    public func json(bytes: Int64) -> String {
        let s = snapshot
        let ordered = s.filter(\.ordered).reduce(0) { $0 + $1.seconds }
        let perGB = bytes > 0 ? ordered / (Double(bytes) / 1e9) : 0
        var out = "{\"threads\":\(threads),\"ordered_seconds\":\(Self.fmt(ordered)),\"ordered_s_per_gb\":\(Self.fmt(perGB)),\"stages\":["
        for (i, st) in s.enumerated() {
            if i > 0 { out += "," }
            out += "{\"name\":\"\(st.name)\",\"ordered\":\(st.ordered),\"seconds\":\(Self.fmt(st.seconds)),\"items\":\(st.items)}"
        }
        return out + "]}"
    }

    /// Human-readable table (`--profile` on stderr).
    public func table(bytes: Int64, wallSeconds: Double) -> [String] {
        let s = snapshot
        var lines = ["stage            kind      busy s    items   s/GB"]
        let gb = max(1e-12, Double(bytes) / 1e9)
        for st in s {
            let name = Self.padRight(st.name, 16)
            let kind = Self.padRight(st.ordered ? "ordered" : "parallel", 9)
            lines.append("\(name) \(kind) \(Self.pad(Self.fmt(st.seconds), 8)) \(Self.pad(String(st.items), 8)) \(Self.pad(Self.fmt(st.seconds / gb), 7))")
        }
        let ordered = s.filter(\.ordered).reduce(0) { $0 + $1.seconds }
        lines.append("ordered stages: \(Self.fmt(ordered)) s (\(Self.fmt(ordered / gb)) s/GB) of \(Self.fmt(wallSeconds)) s wall on \(threads) threads")
        return lines
    }

    static func padRight(_ s: String, _ n: Int) -> String {
        s.count >= n ? s : s + String(repeating: " ", count: n - s.count)
    }

    static func pad(_ s: String, _ n: Int) -> String {
        s.count >= n ? s : String(repeating: " ", count: n - s.count) + s
    }

    static func fmt(_ x: Double) -> String {
        let v = (x * 10000).rounded() / 10000
        return "\(v)"
    }
}
