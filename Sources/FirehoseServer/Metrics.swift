// Per-stream metrics under Firehose's CloudWatch metric names, recorded through swift-metrics (Counter, Meter,
// Timer) into one swift-prometheus registry per server, which `GET /metrics` emits in the Prometheus text
// exposition format: `firehose_<Name with . as _>{delivery_stream="…"}`, the latency as the histogram
// `firehose_PutRecordBatch_Latency_seconds`.

import CoreMetrics
import Prometheus
#if canImport(Glibc)
import Glibc
#endif

/// The server's registry and the swift-metrics factory that records into it.
final class ServerMetrics: @unchecked Sendable {
    let registry = PrometheusCollectorRegistry()
    let factory: PrometheusMetricsFactory
    let walBytes: CoreMetrics.Meter
    let walLimit: CoreMetrics.Meter
    static let latencyName = "firehose_PutRecordBatch_Latency_seconds"
    static let latencyBounds: [Duration] = [
        .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .milliseconds(2500), .seconds(5),
    ]

    init() {
        var f = PrometheusMetricsFactory(registry: registry)
        f.durationHistogramBuckets[Self.latencyName] = Self.latencyBounds
        factory = f
        walBytes = CoreMetrics.Meter(label: "floe_wal_bytes", dimensions: [], factory: f)
        walLimit = CoreMetrics.Meter(label: "floe_wal_limit_bytes", dimensions: [], factory: f)
    }

    /// The Prometheus text of every metric, after the log's gauges are brought up to date.
    func text(walBytes bytes: Int, walLimit limit: Int) -> [UInt8] {
        walBytes.set(bytes)
        walLimit.set(limit)
        var out: [UInt8] = []
        out.reserveCapacity(registry.internalBufferCapacity())
        registry.emit(into: &out)
        return out
    }
}

/// One stream's metrics: each change goes to its swift-metrics handler; the values are mirrored (a counter that
/// is set from a total grows by the difference).
final class StreamMetrics: @unchecked Sendable {
    struct Values {
        var incomingRecords = 0
        var incomingBytes = 0
        var incomingPutRequests = 0
        var throttledRecords = 0
        var deliveredRecords = 0
        var deliveryBytes = 0
        var deliverySuccess = 0
        var deliveryFailures = 0
        var deliveryObjects = 0
        var dataFreshnessSeconds = 0
        var succeedConversion = 0
        var failedConversion = 0
        var partitionCount = 0
        var partitionCountExceeded = 0
    }

    nonisolated(unsafe) static let counterNames: [(WritableKeyPath<Values, Int>, String)] = [
        (\.incomingRecords, "IncomingRecords"), (\.incomingBytes, "IncomingBytes"),
        (\.incomingPutRequests, "IncomingPutRequests"), (\.throttledRecords, "ThrottledRecords"),
        (\.deliveredRecords, "DeliveryToS3.Records"), (\.deliveryBytes, "DeliveryToS3.Bytes"),
        (\.deliverySuccess, "DeliveryToS3.Success"), (\.deliveryObjects, "DeliveryToS3.ObjectCount"),
        (\.succeedConversion, "SucceedConversion.Records"), (\.failedConversion, "FailedConversion.Records"),
        (\.partitionCountExceeded, "PartitionCountExceeded"), (\.deliveryFailures, "DeliveryToS3.Failures"),
    ]
    nonisolated(unsafe) static let gaugeNames: [(WritableKeyPath<Values, Int>, String)] = [
        (\.dataFreshnessSeconds, "DeliveryToS3.DataFreshness"), (\.partitionCount, "PartitionCount"),
    ]

    private var mutex = pthread_mutex_t()
    private var v = Values()
    private let counters: [WritableKeyPath<Values, Int>: CoreMetrics.Counter]
    private let gauges: [WritableKeyPath<Values, Int>: CoreMetrics.Meter]
    private let latency: CoreMetrics.Timer

    init(stream: String, factory: PrometheusMetricsFactory) {
        pthread_mutex_init(&mutex, nil)
        let dims = [("delivery_stream", stream)]
        var c: [WritableKeyPath<Values, Int>: CoreMetrics.Counter] = [:]
        for (k, n) in Self.counterNames { c[k] = CoreMetrics.Counter(label: "firehose_" + n.replacingDots, dimensions: dims, factory: factory) }
        var g: [WritableKeyPath<Values, Int>: CoreMetrics.Meter] = [:]
        for (k, n) in Self.gaugeNames { g[k] = CoreMetrics.Meter(label: "firehose_" + n.replacingDots, dimensions: dims, factory: factory) }
        counters = c
        gauges = g
        latency = CoreMetrics.Timer(label: ServerMetrics.latencyName, dimensions: dims, factory: factory)
    }
    deinit { pthread_mutex_destroy(&mutex) }

    func add(_ k: WritableKeyPath<Values, Int>, _ n: Int) {
        guard n != 0 else { return }
        pthread_mutex_lock(&mutex)
        v[keyPath: k] += n
        let now = v[keyPath: k]
        pthread_mutex_unlock(&mutex)
        if let g = gauges[k] { g.set(now) } else if n > 0 { counters[k]?.increment(by: n) }
    }

    func set(_ k: WritableKeyPath<Values, Int>, _ n: Int) {
        pthread_mutex_lock(&mutex)
        let old = v[keyPath: k]
        v[keyPath: k] = n
        pthread_mutex_unlock(&mutex)
        if let g = gauges[k] { g.set(n) } else if n > old { counters[k]?.increment(by: n - old) }
    }

    func observeBatchLatency(nanoseconds: Int64) {
        latency.recordNanoseconds(nanoseconds)
    }

    var values: Values {
        pthread_mutex_lock(&mutex); defer { pthread_mutex_unlock(&mutex) }
        return v
    }

    /// The stream is deleted: its series leave the registry.
    func destroy() {
        for c in counters.values { c.destroy() }
        for g in gauges.values { g.destroy() }
        latency.destroy()
    }
}

extension String {
    var replacingDots: String { String(map { $0 == "." ? "_" : $0 }) }
}
