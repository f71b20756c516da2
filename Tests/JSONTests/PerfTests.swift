import Foundation
import Testing

import JSON

/// Hand-run throughput check (no timing assertions):
/// `FLOE_PERF=1 swift test -c release --filter JSONTests.PerfTests` (file: FLOE_PERF_FILE or /tmp/events.ndjson).
@Suite("Throughput", .enabled(if: ProcessInfo.processInfo.environment["FLOE_PERF"] == "1"))
struct PerfTests {
    static var path: String { ProcessInfo.processInfo.environment["FLOE_PERF_FILE"] ?? "/tmp/events.ndjson" }

    /// CPU time of the calling thread (robust against other processes sharing the cores).
    static func threadCPUTime() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Prints the best of `runs` in GB/s of thread CPU time (and wall time).
    func measure(_ label: String, bytes: Int, runs: Int = 5, _ body: () throws -> Int) rethrows {
        var best = Double.infinity
        var bestWall = Double.infinity
        var check = 0
        for _ in 0..<runs {
            let wall = DispatchTime.now().uptimeNanoseconds
            let cpu = Self.threadCPUTime()
            check = try body()
            best = min(best, Self.threadCPUTime() - cpu)
            bestWall = min(bestWall, Double(DispatchTime.now().uptimeNanoseconds - wall) / 1e9)
        }
        print(String(format: "[perf] %@: %.3f GB/s CPU (%.3f GB/s wall; %.1f MB, %.3f s CPU, check %d)", label,
                     Double(bytes) / best / 1e9, Double(bytes) / bestWall / 1e9, Double(bytes) / 1e6, best, check))
    }

    /// Consumes every token the way a converter would (switch on the kind, touch the payload).
    static func drain(_ t: inout JSONTokenizer) throws -> Int {
        var tokens = 0
        while true {
            switch try t.next() {
            case .endOfDocument: return tokens
            case .string(let s), .key(let s): tokens &+= s.length & 1
            case .number(let n): tokens &+= n.length & 1
            default: break
            }
            tokens &+= 1
        }
    }

    @Test func eventsThroughput() throws {
        guard let data = FileManager.default.contents(atPath: Self.path) else {
            print("[perf] \(Self.path) not found; skipped")
            return
        }
        let bytes = [UInt8](data)
        try bytes.withUnsafeBytes { buf in
            try measure("tokenizer, whole file as a document stream", bytes: buf.count) {
                var t = JSONTokenizer(buf, options: JSONParserOptions(multipleDocuments: true))
                return try Self.drain(&t)
            }
        }
        try measure("NDJSONReader + tokenizer per line", bytes: bytes.count) {
            let reader = try NDJSONReader(path: Self.path)
            var tokens = 0
            while try reader.nextLine() != nil {
                var t = JSONTokenizer(reader.lineBytes)
                tokens += try Self.drain(&t)
            }
            return tokens
        }
        try measure("NDJSONReader + tree parse per line", bytes: bytes.count, runs: 1) {
            let reader = try NDJSONReader(path: Self.path)
            var members = 0
            while try reader.nextLine() != nil {
                members += try JSONParser.parse(reader.lineBytes).objectValue?.count ?? 0
            }
            return members
        }
    }
}
