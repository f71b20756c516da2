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
    static let schemaPath = ProcessInfo.processInfo.environment["FLOE_SCHEMA_BENCH_SCHEMA"] ?? "/work/shared/bench/events.schema.json"

    @Test(.enabled(if: benchFile != nil))
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
