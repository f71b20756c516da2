// Live counters of a running conversion, for a progress display. The converter stores its running totals once
// per delivered chunk (a few relaxed atomic stores per 4 MiB of input); a reader samples them at any time from
// another thread. Nothing is computed for a run that has no observer.

import Synchronization

/// Counters a running `Converter` publishes for progress displays (`floe convert` on a terminal).
///
/// Attach one through ``ConvertConfig/progress`` and read it from any thread while ``Converter/run(inputs:ingest:)``
/// runs: the values only grow, and each is updated after every delivered chunk of input.
public final class ConvertProgress: Sendable {
    private let bytes = Atomic<Int64>(0)
    private let records = Atomic<Int64>(0)
    private let failed = Atomic<Int64>(0)
    private let total = Atomic<Int64>(-1)

    /// Creates counters at zero, with the input size unknown.
    public init() {}

    /// Input bytes consumed so far (of the decompressed stream, as `ConvertStats.bytesIn`).
    public var bytesIn: Int64 { bytes.load(ordering: .relaxed) }
    /// Records read so far (converted or failed).
    public var recordsIn: Int64 { records.load(ordering: .relaxed) }
    /// Records that went to the error output so far.
    public var recordsFailed: Int64 { failed.load(ordering: .relaxed) }
    /// The total input size when every input is a regular file of known size, else nil (no ETA).
    public var totalBytes: Int64? {
        let t = total.load(ordering: .relaxed)
        return t >= 0 ? t : nil
    }

    func setTotal(_ bytes: Int64?) { total.store(bytes ?? -1, ordering: .relaxed) }

    func update(bytesIn: Int64, recordsIn: Int, recordsFailed: Int) {
        bytes.store(bytesIn, ordering: .relaxed)
        records.store(Int64(recordsIn), ordering: .relaxed)
        failed.store(Int64(recordsFailed), ordering: .relaxed)
    }
}
