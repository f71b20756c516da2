// Logging of the long-running commands through swift-log (issue 13). `floe ingest` runs as long as its producer
// writes (a pipe from a service, for days), and `floe convert` of a large input for minutes: they report what they
// do as log events (`--log-level`, default `warning`, so a successful run still prints nothing). Short commands
// keep their one-line diagnostics (`floe: <file>: <what is wrong>`) and print no log events.
//
// Each event is one line on stderr, through Output's one stderr writer (so it never splits a diagnostic or a
// progress redraw): `floe: 2026-12-07T15:30:00.123Z ingest info: published file path=... records=...`, metadata
// as `key=value` sorted by key. The timestamp is UTC, milliseconds.
//
// `floe serve` logs the same way: `FloeLog.bootstrap` is the CLI's one `LoggingSystem.bootstrap`, so the loggers
// the server library makes for itself (`Logger(label:)`) print these lines too, at the same `--log-level`.

import Dispatch
import Firehose
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The swift-log handler of the CLI: one line per event on stderr.
struct FloeLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    /// Clear a progress bar's line before the event (stderr is a terminal with a bar on it).
    let clearsLine: Bool

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var line = (clearsLine ? "\r\u{1B}[K" : "") + "floe: " + FloeLog.timestamp() + " \(label) \(event.level): \(event.message)"
        var all = metadata
        if let m = event.metadata { all.merge(m) { $1 } }
        for (k, v) in all.sorted(by: { $0.key < $1.key }) { line += " \(k)=\(FloeLog.quoted("\(v)"))" }
        if let e = event.error { line += " error=\(FloeLog.quoted("\(e)"))" }
        Output.writeStderr(line + "\n")
    }
}

enum FloeLog {
    /// The levels `--log-level` accepts.
    static let levelNames = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")

    /// The level of `--log-level` (else `FLOE_LOG_LEVEL`, else `fallback`: `warning` for convert and ingest);
    /// nil for a name swift-log does not know.
    static func level(_ flag: String?, default fallback: Logger.Level = .warning) -> Logger.Level? {
        let env = getenv("FLOE_LOG_LEVEL").map { String(cString: $0) }
        guard let name = flag ?? (env?.isEmpty == false ? env : nil) else { return fallback }
        return Logger.Level(rawValue: name.lowercased())
    }

    /// Makes every `Logger(label:)` of the process (the CLI's and the libraries') print through
    /// ``FloeLogHandler`` at `level`. The CLI's one `LoggingSystem.bootstrap`; swift-log allows it once per
    /// process, so only a command that runs alone in its process (`floe serve`) calls it.
    static func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { FloeLogHandler(label: $0, logLevel: level, clearsLine: false) }
    }

    /// A logger for the command `label` at `level`.
    static func logger(_ label: String, level: Logger.Level, clearsLine: Bool = false) -> Logger {
        Logger(label: label) { FloeLogHandler(label: $0, logLevel: level, clearsLine: clearsLine) }
    }

    /// `2026-12-07T15:30:00.123Z`.
    static func timestamp() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = time_t(ts.tv_sec)
        var tm = tm()
        gmtime_r(&t, &tm)
        func pad(_ v: Int32, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return "\(pad(tm.tm_year + 1900, 4))-\(pad(tm.tm_mon + 1, 2))-\(pad(tm.tm_mday, 2))T\(pad(tm.tm_hour, 2)):"
            + "\(pad(tm.tm_min, 2)):\(pad(tm.tm_sec, 2)).\(pad(Int32(ts.tv_nsec / 1_000_000), 3))Z"
    }

    /// A metadata value as it is when it has no space, quote or control character; otherwise in double quotes
    /// with `"` and `\` escaped and control characters as `\u00XX`, so an event stays one parseable line.
    static func quoted(_ s: String) -> String {
        let plain = !s.isEmpty && s.unicodeScalars.allSatisfy { $0.value > 0x20 && $0 != "\"" && $0 != "\\" && $0.value != 0x7F }
        if plain { return s }
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}

/// The progress events of a long run at `info`: every `interval` seconds, what it has read so far (the library's
/// live counters, the ones the terminal progress bar draws).
final class ProgressLog: @unchecked Sendable {
    private let timer: DispatchSourceTimer

    init(_ counters: ConvertProgress, _ log: Logger, interval: Double) {
        let start = ProgressBar.now()
        let ms = max(1, Int((interval * 1000).rounded()))
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "floe.progress-log"))
        timer.schedule(deadline: .now() + .milliseconds(ms), repeating: .milliseconds(ms), leeway: .milliseconds(ms / 10 + 1))
        timer.setEventHandler {
            let elapsed = max(ProgressBar.now() - start, 1e-3)
            let records = counters.recordsIn
            log.info("progress", metadata: [
                "records_in": "\(records)", "records_failed": "\(counters.recordsFailed)",
                "bytes_in": "\(counters.bytesIn)", "records_per_s": "\(Int64(Double(records) / elapsed))",
            ])
        }
        timer.resume()
    }

    private var stopped = false  // stop() is called from the command's thread only

    /// Stops the events; returns once none is being written. Calling it again does nothing.
    func stop() {
        if stopped { return }
        stopped = true
        let done = DispatchSemaphore(value: 0)
        timer.setCancelHandler { done.signal() }
        timer.cancel()
        done.wait()
    }
}
