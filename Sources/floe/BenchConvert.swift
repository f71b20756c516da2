import Parallel
import ArgumentParser
import Firehose
import JSON
import Parquet
#if canImport(Glibc)
import Glibc
#endif

/// Process CPU seconds (user + system) so far.
enum ProcessCPU {
    static func seconds() -> Double {
        var u = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
        return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
    }

    static func fmt(_ x: Double) -> String { "\((x * 10000).rounded() / 10000)" }
}

struct BenchConvert: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Time `floe convert` (same flags); prints one JSON line with the stage profile.",
        discussion: """
            Without --out the Parquet output goes to a temporary folder, removed after the run unless --keep. \
            {"op":"convert","bytes":N,"records":N,"seconds":S,"mb_per_s":X,"cpu_seconds":C,"jobs":J,\
            "bytes_out":N,"files":N,"profile":{...}}
            """)
    @OptionGroup var flags: ConvertFlags
    @Flag(name: .long, help: "Keep the output (default: removed after the run).") var keep = false
    @Argument(help: "NDJSON files (.gz, .zst, .br too), directories, s3://bucket/key objects, s3://bucket/prefix/ prefixes or - for stdin.")
    var inputs: [String] = []

    func run() throws {
        // --columns / --schema in a bucket: private local copies, as `floe convert` makes
        let mirror = ObjectMirror()
        try withExtendedLifetime(mirror) { try measure(flags.mirroringDefinitions(mirror)) }
    }

    private func measure(_ flags: ConvertFlags) throws {
        var f = flags
        var temp: String?
        if f.out == nil && f.warehouse == nil {
            var template = Array("/tmp/floe-bench-XXXXXX".utf8CString)
            guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
                Output.diagnostic("floe: bench convert: cannot create a temporary folder")
                throw FloeExit.usageError
            }
            temp = String(decoding: template.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            f.out = temp
        }
        if f.quiet == false { f.quiet = true }
        let c = try f.config()
        let cpu0 = ProcessCPU.seconds()
        let t0 = monotonicNanos()
        let stats: ConvertStats
        defer {
            if let temp, !keep { removeTree(temp) }
        }
        stats = try f.convert(c, inputs: inputs, ingest: false)
        let wall = Double(monotonicNanos() - t0) / 1e9
        let cpu = ProcessCPU.seconds() - cpu0
        let mbps = wall > 0 ? Double(stats.bytesIn) / 1e6 / wall : 0
        var line = "{\"op\":\"convert\",\"bytes\":\(stats.bytesIn),\"records\":\(stats.recordsIn),"
        line += "\"seconds\":\(ProcessCPU.fmt(wall)),\"mb_per_s\":\(ProcessCPU.fmt(mbps)),\"cpu_seconds\":\(ProcessCPU.fmt(cpu)),"
        line += "\"jobs\":\(c.jobs),\"bytes_out\":\(stats.bytesOut),\"files\":\(stats.filesWritten)"
        if let p = stats.profile { line += ",\"profile\":" + p }
        if keep, let temp { line += ",\"out\":\"\(temp)\"" }
        Output.write(line + "}\n")
        Output.flush()
    }

    private func removeTree(_ path: String) {
        guard let d = opendir(path) else {
            unlink(path)
            return
        }
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { p in
                String(decoding: p.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            let child = path + "/" + name
            var st = stat()
            if lstat(child, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR { removeTree(child) } else { unlink(child) }
        }
        closedir(d)
        rmdir(path)
    }
}
