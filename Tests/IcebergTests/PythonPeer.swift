import Foundation
import Testing

/// The Python side of the interop tests: the project's venv (`.venv`, which `make venv-iceberg` fills with
/// fastavro and pyiceberg) or `FLOE_PYTHON`. With `FLOE_REQUIRE_INTEROP=1` (set by `make test-iceberg-interop`) a
/// missing interpreter or module fails the test; otherwise the test says SKIPPED and returns.
enum PythonPeer {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func python(needing modules: [String], test: String) -> String? {
        let env = ProcessInfo.processInfo.environment
        let required = env["FLOE_REQUIRE_INTEROP"] == "1"
        let py = env["FLOE_PYTHON"] ?? root + "/.venv/bin/python"
        let ok = FileManager.default.isExecutableFile(atPath: py)
            && (try? run(py, ["-c", "import " + modules.joined(separator: ", ")]).status) == 0
        if !ok {
            if required { Issue.record("\(test): \(py) with \(modules.joined(separator: ", ")) is required (FLOE_REQUIRE_INTEROP=1)") }
            print("SKIPPED \(test): no \(py) with \(modules.joined(separator: ", ")) (make venv-iceberg installs them)")
            return nil
        }
        return py
    }

    static func script(_ name: String) -> String { root + "/Tests/Interop/" + name }

    @discardableResult
    static func run(_ exe: String, _ args: [String], env: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        if !env.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 } }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}

/// A temporary folder removed when the value goes away.
final class TempFolder: Sendable {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "floe-iceberg-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}
