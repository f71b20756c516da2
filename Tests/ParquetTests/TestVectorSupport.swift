import Foundation
@testable import Parquet

/// Locates the conformance data copied into Tests/ParquetTests/TestVectors.
enum TestVectors {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("TestVectors")
    static let parquetTesting = root.appendingPathComponent("parquet-testing")
    static let expected = root.appendingPathComponent("parquet-expected")

    /// Relative paths (`data/x.parquet`, `bad_data/y.parquet`, `data/aes256/z.parquet.encrypted`) of every
    /// Parquet file in parquet-testing, sorted.
    static let parquetFiles: [String] = {
        var out: [String] = []
        let fm = FileManager.default
        for sub in ["data", "bad_data"] {
            let base = parquetTesting.appendingPathComponent(sub)
            guard let e = fm.enumerator(atPath: base.path) else { continue }
            while let p = e.nextObject() as? String {
                if p.hasSuffix(".parquet") || p.hasSuffix(".parquet.encrypted") { out.append(sub + "/" + p) }
            }
        }
        return out.sorted()
    }()

    static func path(_ rel: String) -> String { parquetTesting.appendingPathComponent(rel).path }

    static func expectedRows(_ rel: String) -> [UInt8]? {
        let p = expected.appendingPathComponent(rel + ".jsonl").path
        guard let d = FileManager.default.contents(atPath: p) else { return nil }
        return [UInt8](d)
    }

    static func bytes(_ rel: String) -> [UInt8] {
        [UInt8](FileManager.default.contents(atPath: path(rel)) ?? Data())
    }
}

/// Reads every row of a file as canonical JSON lines.
func readAllJSONL(_ file: ParquetFile, options: ReadOptions = ReadOptions(), columns: [String]? = nil) throws -> [UInt8] {
    var out: [UInt8] = []
    try RowExporter(file: file, columns: columns, options: options).export(format: .jsonl, limit: nil) {
        out.append(contentsOf: $0)
    }
    return out
}

/// The first line where two JSONL outputs differ, for readable failures.
func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> String {
    let la = a.split(separator: 0x0A, omittingEmptySubsequences: false)
    let lb = b.split(separator: 0x0A, omittingEmptySubsequences: false)
    for i in 0..<max(la.count, lb.count) {
        let x = i < la.count ? String(decoding: la[i], as: UTF8.self) : "<none>"
        let y = i < lb.count ? String(decoding: lb[i], as: UTF8.self) : "<none>"
        if x != y { return "line \(i + 1):\n  got:      \(x.prefix(600))\n  expected: \(y.prefix(600))" }
    }
    return "identical"
}

/// Deterministic generator (SplitMix64) for reproducible random tests: failures reproduce from the seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }
    mutating func pick<T>(_ xs: [T]) -> T { xs[Int.random(in: 0..<xs.count, using: &self)] }
}
