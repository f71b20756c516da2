// The progress display of long commands (conventions/cli.md: "Long work shows a progress bar on stderr when stderr
// is a terminal; --quiet silences it"). A Dispatch timer samples the library's counters at most 10 times a second
// and redraws one line; nothing runs when stderr is not a terminal.

import Dispatch
import Firehose
#if canImport(Glibc)
import Glibc
#endif

final class ProgressBar: @unchecked Sendable {
    private let counters: ConvertProgress
    private let timer: DispatchSourceTimer
    private let start: Double
    private let width: Int
    private var drawn = false   // touched on the timer's queue only, and by stop() after the timer is cancelled

    /// A bar on stderr when it is a terminal and not `quiet`; nil otherwise.
    static func start(_ counters: ConvertProgress, quiet: Bool) -> ProgressBar? {
        guard !quiet, isatty(2) == 1 else { return nil }
        return ProgressBar(counters)
    }

    static func isTerminal(quiet: Bool) -> Bool { !quiet && isatty(2) == 1 }

    private init(_ counters: ConvertProgress) {
        self.counters = counters
        start = Self.now()
        var ws = winsize()
        width = ioctl(2, UInt(TIOCGWINSZ), &ws) == 0 && ws.ws_col >= 40 ? Int(ws.ws_col) : 80
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "floe.progress"))
        timer.schedule(deadline: .now() + .milliseconds(100), repeating: .milliseconds(100), leeway: .milliseconds(20))
        timer.setEventHandler { [unowned self] in self.draw() }
        timer.resume()
    }

    /// Stops redrawing and clears the bar's line.
    func stop() {
        let done = DispatchSemaphore(value: 0)
        timer.setCancelHandler { done.signal() }
        timer.cancel()
        done.wait()
        if drawn { Output.writeStderr("\r\u{1B}[K") }
    }

    private func draw() {
        let elapsed = max(Self.now() - start, 1e-3)
        let bytes = counters.bytesIn, records = counters.recordsIn, failed = counters.recordsFailed
        var text = Self.size(bytes)
        var bar = ""
        var eta = ""
        if let total = counters.totalBytes, total > 0 {
            let frac = min(1, Double(bytes) / Double(total))
            text += " / " + Self.size(total) + Self.percent(Int(frac * 100))
            let cells = 12
            let full = Int(frac * Double(cells))
            bar = " [" + String(repeating: "#", count: full) + String(repeating: ".", count: cells - full) + "]"
            if bytes > 0 {
                let remaining = elapsed * Double(total - bytes) / Double(bytes)
                eta = "  ETA " + Self.clock(remaining)
            }
        }
        let rate = Double(records) / elapsed
        var line = text + bar + "  " + Self.grouped(Int64(rate)) + " rec/s"
        if failed > 0 { line += "  " + Self.grouped(failed) + " failed" }
        line += eta
        if line.count > width - 1 { line = String(line.prefix(width - 1)) }
        Output.writeStderr("\r" + line + "\u{1B}[K")
        drawn = true
    }

    // MARK: formatting

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Decimal megabytes with one decimal (`40.0 MB`), kB below 1 MB, GB from 1 GB.
    static func size(_ bytes: Int64) -> String {
        let b = Double(bytes)
        if b >= 1e9 { return fixed1(b / 1e9) + " GB" }
        if b >= 1e6 { return fixed1(b / 1e6) + " MB" }
        return fixed1(b / 1e3) + " kB"
    }

    static func fixed1(_ v: Double) -> String {
        let tenths = Int64((v * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    /// `335,741`.
    static func grouped(_ n: Int64) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return n < 0 ? "-" + out : out
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded(.up))
        return s >= 3600 ? "\(s / 3600):" + two((s / 60) % 60) + ":" + two(s % 60) : "\(s / 60):" + two(s % 60)
    }

    /// `"   7%"`: a percentage right-aligned in four cells after a space.
    static func percent(_ value: Int) -> String {
        let v = String(value)
        return " " + String(repeating: " ", count: max(0, 3 - v.count)) + v + "%"
    }

    private static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// The one summary line at the end: `converted 335,741 of 335,753 records (12 failed) into 2 files, 40.0 MB,
    /// 0.71 s`.
    static func summary(_ s: ConvertStats) -> String {
        let files = s.filesWritten
        let seconds = (s.seconds * 100).rounded() / 100
        return "converted \(grouped(Int64(s.recordsConverted))) of \(grouped(Int64(s.recordsIn))) records "
            + "(\(grouped(Int64(s.recordsFailed))) failed) into \(files) file\(files == 1 ? "" : "s"), "
            + "\(size(s.bytesOut)), \(seconds2(seconds)) s"
    }

    private static func seconds2(_ v: Double) -> String {
        let c = Int64((v * 100).rounded())
        let frac = c % 100
        return "\(c / 100)." + (frac < 10 ? "0\(frac)" : "\(frac)")
    }
}
