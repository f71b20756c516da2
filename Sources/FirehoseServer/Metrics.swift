// Per-stream counters under Firehose's CloudWatch metric names, served by `GET /metrics` in the Prometheus text
// exposition format (version 0.0.4): `firehose_<Name with . as _>{delivery_stream="…"}`.

#if canImport(Glibc)
import Glibc
#endif

final class StreamMetrics: @unchecked Sendable {
    struct Values {
        var incomingRecords = 0
        var incomingBytes = 0
        var incomingPutRequests = 0
        var throttledRecords = 0
        var putRecordBatchLatencySum = 0.0
        var putRecordBatchLatencyCount = 0
        var putRecordBatchLatencyBuckets = [Int](repeating: 0, count: StreamMetrics.latencyBounds.count)
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
    static let latencyBounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

    private var mutex = pthread_mutex_t()
    private var v = Values()

    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }

    func add(_ k: WritableKeyPath<Values, Int>, _ n: Int) {
        pthread_mutex_lock(&mutex); v[keyPath: k] += n; pthread_mutex_unlock(&mutex)
    }
    func set(_ k: WritableKeyPath<Values, Int>, _ n: Int) {
        pthread_mutex_lock(&mutex); v[keyPath: k] = n; pthread_mutex_unlock(&mutex)
    }
    func observeBatchLatency(_ seconds: Double) {
        pthread_mutex_lock(&mutex)
        v.putRecordBatchLatencySum += seconds
        v.putRecordBatchLatencyCount += 1
        for (i, b) in Self.latencyBounds.enumerated() where seconds <= b { v.putRecordBatchLatencyBuckets[i] += 1 }
        pthread_mutex_unlock(&mutex)
    }
    var values: Values {
        pthread_mutex_lock(&mutex); defer { pthread_mutex_unlock(&mutex) }
        return v
    }
}

enum PrometheusText {
    static func escape(_ s: String) -> String {
        var o = ""
        for c in s {
            switch c {
            case "\\": o += "\\\\"
            case "\"": o += "\\\""
            case "\n": o += "\\n"
            default: o.append(c)
            }
        }
        return o
    }

    static func render(_ streams: [(String, StreamMetrics)], walBytes: Int, walLimit: Int) -> String {
        let counters: [(String, String, KeyPath<StreamMetrics.Values, Int>)] = [
            ("IncomingRecords", "Records accepted by PutRecord and PutRecordBatch.", \.incomingRecords),
            ("IncomingBytes", "Bytes of records accepted.", \.incomingBytes),
            ("IncomingPutRequests", "PutRecord and PutRecordBatch calls answered.", \.incomingPutRequests),
            ("ThrottledRecords", "Records refused with ServiceUnavailableException (the log is full).", \.throttledRecords),
            ("DeliveryToS3.Records", "Records published to the destination (converted or raw).", \.deliveredRecords),
            ("DeliveryToS3.Bytes", "Bytes of objects published.", \.deliveryBytes),
            ("DeliveryToS3.Success", "Successful flushes (every buffered object published).", \.deliverySuccess),
            ("DeliveryToS3.ObjectCount", "Objects published.", \.deliveryObjects),
            ("SucceedConversion.Records", "Records converted to Parquet.", \.succeedConversion),
            ("FailedConversion.Records", "Records sent to the error output.", \.failedConversion),
            ("PartitionCountExceeded", "Records routed to the error output by the active partition limit.", \.partitionCountExceeded),
        ]
        let gauges: [(String, String, KeyPath<StreamMetrics.Values, Int>)] = [
            ("DeliveryToS3.DataFreshness", "Age in seconds of the oldest record at its last publication.", \.dataFreshnessSeconds),
            ("PartitionCount", "Partitions open.", \.partitionCount),
        ]
        let snap = streams.map { ($0.0, $0.1.values) }
        var out = ""
        for (name, help, k) in counters {
            let m = "firehose_" + name.replacingDots
            out += "# HELP \(m) \(help)\n# TYPE \(m) counter\n"
            for (s, v) in snap { out += "\(m){delivery_stream=\"\(escape(s))\"} \(v[keyPath: k])\n" }
        }
        for (name, help, k) in gauges {
            let m = "firehose_" + name.replacingDots
            out += "# HELP \(m) \(help)\n# TYPE \(m) gauge\n"
            for (s, v) in snap { out += "\(m){delivery_stream=\"\(escape(s))\"} \(v[keyPath: k])\n" }
        }
        let h = "firehose_PutRecordBatch_Latency_seconds"
        out += "# HELP \(h) PutRecord and PutRecordBatch call latency.\n# TYPE \(h) histogram\n"
        for (s, v) in snap {
            let l = "delivery_stream=\"\(escape(s))\""
            for (i, b) in StreamMetrics.latencyBounds.enumerated() {
                out += "\(h)_bucket{\(l),le=\"\(b)\"} \(v.putRecordBatchLatencyBuckets[i])\n"
            }
            out += "\(h)_bucket{\(l),le=\"+Inf\"} \(v.putRecordBatchLatencyCount)\n"
            out += "\(h)_sum{\(l)} \(v.putRecordBatchLatencySum)\n\(h)_count{\(l)} \(v.putRecordBatchLatencyCount)\n"
        }
        out += "# HELP floe_wal_bytes Bytes held by the write-ahead log.\n# TYPE floe_wal_bytes gauge\nfloe_wal_bytes \(walBytes)\n"
        out += "# HELP floe_wal_limit_bytes The write-ahead log's bound.\n# TYPE floe_wal_limit_bytes gauge\nfloe_wal_limit_bytes \(walLimit)\n"
        return out
    }
}

extension String {
    var replacingDots: String { String(map { $0 == "." ? "_" : $0 }) }
}
