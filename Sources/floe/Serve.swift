// `floe serve`: flag parsing only; the Firehose API lives in FirehoseServer.

import ArgumentParser
import Dispatch
import FileSafety
import FirehoseServer
import Logging
import ObjectStore
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the Firehose API (AWS JSON 1.1): producers' PutRecordBatch calls delivered into the warehouse.",
        discussion: """
            Streams persist in DIR/.floe-firehose. A stream's BucketARN arn:aws:s3:::NAME delivers into \
            --bucket-root/NAME (default DIR/buckets/NAME), or into the S3 bucket NAME with --bucket-root s3:// \
            (multipart uploads completed when a buffer is published); a bucket named after the warehouse's database is the \
            warehouse folder itself. Records are acknowledged once fsynced in the write-ahead log (at-least-once). \
            SIGTERM or SIGINT publishes every buffer and exits 0. GET /health, GET /metrics (Prometheus).
            """)

    @Option(name: .long, help: "The warehouse folder (streams, the write-ahead log and, for conversion, the catalog).")
    var warehouse: String
    @Option(name: .long, help: "HOST:PORT to listen on (default 127.0.0.1:4573; port 0 picks a free one).")
    var listen: String = "127.0.0.1:4573"
    @Option(name: .customLong("bucket-root"), help: "Folder holding one folder per bucket (default DIR/buckets), or s3:// to deliver into the S3 buckets the BucketARNs name.")
    var bucketRoot: String?
    @Option(name: .long, help: "none (default: signatures are not checked, as local emulators do) or strict (SigV4 against --credentials).")
    var auth: String = "none"
    @Option(name: .long, help: "With --auth strict: lines ACCESS_KEY_ID SECRET, or the AWS CLI's credentials file form.")
    var credentials: String?
    @Option(name: .customLong("wal-limit"), help: "Bound of the write-ahead log; past it records are refused with 'Slow down.' (default 1GiB).")
    var walLimit: String = "1GiB"
    @Option(name: .customLong("log-level"), help: ArgumentHelp(
        "Log events on stderr from this level on: trace, debug, info, notice, warning, error, critical (default info; also FLOE_LOG_LEVEL)."))
    var logLevel: String?
    @Option(name: .customLong("port-file"), help: "Write the bound port here once listening (for tests using port 0).")
    var portFile: String?

    func usage(_ message: String) -> FloeExit {
        Output.diagnostic("floe: \(message)")
        return .usageError
    }

    func run() throws {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
              (0...65535).contains(port), colon != listen.startIndex else {
            throw usage("--listen: expected HOST:PORT, got '\(listen)'")
        }
        var s3: S3Configuration?
        if let b = bucketRoot, b.contains("://") {
            // s3://: a BucketARN arn:aws:s3:::NAME is the S3 bucket NAME (credentials, region and endpoint as the
            // AWS CLI resolves them: AWS_* variables, ~/.aws/config and credentials)
            guard b == "s3://" || b == "s3:///" else {
                throw usage("--bucket-root: \(b): expected a local folder or s3:// (each stream's BucketARN names its bucket)")
            }
            do {
                s3 = try AWSConfigResolver.resolve()
            } catch {
                throw usage("--bucket-root s3://: \(error)")
            }
        }
        guard let limit = parseByteSize(walLimit), limit >= 1 << 20 else { throw usage("--wal-limit: bad size '\(walLimit)' (at least 1MiB)") }
        guard let level = FloeLog.level(logLevel, default: .info) else {
            throw usage("--log-level: unknown level '\(logLevel ?? "")' (\(FloeLog.levelNames))")
        }
        var config = ServerConfiguration(warehouse: warehouse)
        switch auth {
        case "none":
            if credentials != nil { throw usage("--credentials is used with --auth strict only") }
        case "strict":
            guard let path = credentials else { throw usage("--auth strict needs --credentials FILE") }
            do {
                config.credentials = try Credentials.parse(String(decoding: try BoundedRead.read(path, what: "credentials file"), as: UTF8.self))
            } catch {
                throw usage("\(path): \(error)")
            }
        default:
            throw usage("--auth: expected none or strict, got '\(auth)'")
        }
        config.host = String(listen[..<colon])
        config.port = port
        config.bucketRoot = s3 == nil ? bucketRoot : nil
        config.s3 = s3
        config.walLimitBytes = limit
        config.walSegmentBytes = min(64 << 20, max(1 << 20, limit / 8))
        FloeLog.bootstrap(level: level)
        let logger = Logger(label: "floe.serve")
        let server: FirehoseServer
        let bound: Int
        do {
            server = try FirehoseServer(config: config, logger: logger)
            bound = try server.start()
        } catch {
            Output.diagnostic("floe: \(warehouse): \(error)")
            throw FloeExit.usageError
        }
        if let pf = portFile {
            if let fd = try? FileDescriptor.open(FilePath(pf), .writeOnly, options: [.create, .truncate, .closeOnExec],
                                                 permissions: FilePermissions(rawValue: 0o644)) {
                _ = try? fd.writeAll(Array("\(bound)\n".utf8))
                try? fd.close()
            }
        }
        // SIGTERM / SIGINT: publish every buffer, then exit
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let done = DispatchSemaphore(value: 0)
        var sources: [DispatchSourceSignal] = []
        for sig in [SIGTERM, SIGINT] {
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { done.signal() }
            s.resume()
            sources.append(s)
        }
        done.wait()
        logger.info("shutting down")
        server.stop()
        logger.info("stopped")
    }
}
