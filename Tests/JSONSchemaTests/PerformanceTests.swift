import Foundation
import JSON
import Testing
@testable import JSONSchema

/// Performance sanity path: the boolean `isValid` path over an NDJSON file, single-threaded.
/// Runs only when FLOE_SCHEMA_BENCH names the NDJSON file (e.g. /tmp/events.ndjson); measure in release:
///   FLOE_SCHEMA_BENCH=/tmp/events.ndjson swift test -c release -Xswiftc -enable-testing --filter PerformanceTests
@Suite("JSON Schema: performance sanity")
struct PerformanceTests {
    static let benchFile = ProcessInfo.processInfo.environment["FLOE_SCHEMA_BENCH"]
    static let schemaPath = ProcessInfo.processInfo.environment["FLOE_SCHEMA_BENCH_SCHEMA"]
        ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("TestVectors/bench/events.schema.json").path

    /// The fast path alone, best of 3 (FLOE_SCHEMA_BENCH_FAST=1).
    @Test(.enabled(if: benchFile != nil && ProcessInfo.processInfo.environment["FLOE_SCHEMA_BENCH_FAST"] != nil))
    func fastPathBestOfThree() throws {
        let v = try JSONSchemaValidator(path: Self.schemaPath)
        let clock = ContinuousClock()
        var best = Duration.seconds(1000)
        var bestCPU = 1000.0
        var n = 0
        func cpu() -> Double {
            var ts = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
            return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        }
        for _ in 0..<3 {
            n = 0
            let c0 = cpu()
            let t = try clock.measure {
                let r = try NDJSONReader(path: Self.benchFile!)
                while let _ = try r.nextLine() {
                    if v.isValid(bytes: r.lineBytes) == true { n += 1 }
                }
            }
            bestCPU = min(bestCPU, cpu() - c0)
            best = min(best, t)
        }
        print("BENCH fast path: valid=\(n) best of 3: wall \(best), thread CPU \(bestCPU) s")
        // The whole `floe validate --ndjson` logic (schema load, reader, per-line outcome), output discarded.
        var config = ValidateConfiguration(schemaPath: Self.schemaPath)
        config.ndjson = true
        config.instances = [Self.benchFile!]
        var status: Int32 = -1
        let c0 = cpu()
        let t = clock.measure {
            status = ValidateRunner.run(config, output: ValidateOutput(result: { _ in }, diagnostic: { _ in }))
        }
        print("BENCH runner --ndjson: status=\(status) wall \(t), thread CPU \(cpu() - c0) s")
        config.jobs = 2
        let t2 = clock.measure {
            status = ValidateRunner.run(config, output: ValidateOutput(result: { _ in }, diagnostic: { _ in }))
        }
        print("BENCH runner --ndjson --jobs 2: status=\(status) wall \(t2)")
    }

    @Test(.enabled(if: benchFile != nil && ProcessInfo.processInfo.environment["FLOE_SCHEMA_BENCH_FAST"] == nil))
    func isValidOverNDJSON() throws {
        let v = try JSONSchemaValidator(path: Self.schemaPath)
        let clock = ContinuousClock()
        var lines = 0, valid = 0, parseOnly = 0
        let tParse = try clock.measure {
            let r = try NDJSONReader(path: Self.benchFile!)
            while let _ = try r.nextLine() {
                if (try? JSONParser.parse(r.lineBytes)) != nil { parseOnly += 1 }
            }
        }
        let tAll = try clock.measure {
            let r = try NDJSONReader(path: Self.benchFile!)
            while let _ = try r.nextLine() {
                lines += 1
                if let doc = try? JSONParser.parse(r.lineBytes), v.isValid(doc) { valid += 1 }
            }
        }
        let tFast = try clock.measure {
            let r = try NDJSONReader(path: Self.benchFile!)
            var n = 0
            while let _ = try r.nextLine() {
                if v.isValid(bytes: r.lineBytes) == true { n += 1 }
            }
            #expect(n == valid)
        }
        print("BENCH lines=\(lines) valid=\(valid) parse-only=\(tParse) parse+isValid=\(tAll) isValid(bytes:)=\(tFast)")
        #expect(parseOnly == lines)
    }
}
