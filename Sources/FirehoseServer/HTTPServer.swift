// HTTP/1.1 on SwiftNIO: each request's body is collected (bounded) on its event loop, the operation runs on a
// thread pool (it parses JSON, waits for the log's fsync, converts), and the answer goes back on the event loop.
// `POST /` with `X-Amz-Target: Firehose_20150804.<Operation>`; `GET /health`; `GET /metrics`.

import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// The Firehose API over HTTP/1.1 on SwiftNIO event loops (`floe serve`).
public final class FirehoseServer: @unchecked Sendable {
    /// The operations the server answers with.
    public let service: FirehoseService
    let config: ServerConfiguration
    let logger: Logger
    let group: MultiThreadedEventLoopGroup
    let pool: NIOThreadPool
    var channel: Channel?

    /// Largest request body accepted: a 4 MiB PutRecordBatch in base64 inside JSON, with room to spare.
    static let maxBody = 8 << 20

    /// Opens the service (the write-ahead log is replayed, streams resume); `start()` then listens.
    public init(config: ServerConfiguration, logger: Logger) throws {
        self.config = config
        self.logger = logger
        service = try FirehoseService(config: config, logger: logger)
        group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, min(4, System.coreCount)))
        pool = NIOThreadPool(numberOfThreads: 32)
        pool.start()
    }

    /// Binds and starts serving; returns the bound port (useful with port 0).
    public func start() throws -> Int {
        let service = self.service
        let pool = self.pool
        let logger = self.logger
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMap {
                    channel.pipeline.addHandler(RequestHandler(service: service, pool: pool, logger: logger))
                }
            }
        let ch = try bootstrap.bind(host: config.host, port: config.port).wait()
        channel = ch
        let port = ch.localAddress?.port ?? config.port
        logger.info("listening", metadata: ["address": "\(config.host):\(port)", "warehouse": "\(config.warehouse)"])
        return port
    }

    /// Stops accepting, publishes every buffer, stops the threads.
    public func stop() {
        try? channel?.close().wait()
        service.shutdown()
        try? pool.syncShutdownGracefully()
        try? group.syncShutdownGracefully()
    }
}

/// AWS's request ids look like UUIDs.
func requestId() -> String {
    var g = SystemRandomNumberGenerator()
    let hex = Array("0123456789abcdef")
    var s = ""
    for i in 0..<32 {
        if i == 8 || i == 12 || i == 16 || i == 20 { s += "-" }
        s.append(hex[Int(g.next() as UInt8) & 15])
    }
    return s
}

/// The region of the request's SigV4 credential scope (`Credential=AKID/DATE/REGION/firehose/aws4_request`).
func credentialRegion(_ authorization: String?) -> String? {
    guard let a = authorization else { return nil }
    let words = a.split(whereSeparator: { $0 == " " || $0 == "," })
    guard let cred = words.first(where: { $0.hasPrefix("Credential=") }) else { return nil }
    let parts = cred.dropFirst("Credential=".count).split(separator: "/")
    return parts.count >= 5 ? String(parts[2]) : nil
}

final class RequestHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let service: FirehoseService
    let pool: NIOThreadPool
    let logger: Logger
    var head: HTTPRequestHead?
    var body: ByteBuffer?
    var tooLarge = false

    init(service: FirehoseService, pool: NIOThreadPool, logger: Logger) {
        self.service = service
        self.pool = pool
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            tooLarge = false
            body = context.channel.allocator.buffer(capacity: Int(h.headers.first(name: "content-length") ?? "") .map { min($0, FirehoseServer.maxBody) } ?? 0)
        case .body(var chunk):
            if tooLarge { return }
            if (body?.readableBytes ?? 0) + chunk.readableBytes > FirehoseServer.maxBody {
                tooLarge = true
                body = nil
                return
            }
            body?.writeBuffer(&chunk)
        case .end:
            guard let h = head else { return }
            head = nil
            let b = body
            body = nil
            dispatch(context: context, head: h, body: b)
        }
    }

    private func dispatch(context: ChannelHandlerContext, head: HTTPRequestHead, body: ByteBuffer?) {
        let keepAlive = head.isKeepAlive
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? "/"
        if head.method == .GET && path == "/health" {
            respond(context: context, status: .ok, body: Array("{\"status\":\"ok\",\"streams\":\(service.streamCount)}".utf8),
                    contentType: "application/json", errorType: nil, keepAlive: keepAlive)
            return
        }
        if head.method == .GET && path == "/metrics" {
            respond(context: context, status: .ok, body: service.metricsText(), contentType: "text/plain; version=0.0.4",
                    errorType: nil, keepAlive: keepAlive)
            return
        }
        if tooLarge {
            let e = AWSError("SerializationException", "The request body exceeds \(FirehoseServer.maxBody) bytes.", status: 413)
            respond(context: context, status: .payloadTooLarge, body: e.body, contentType: "application/x-amz-json-1.1",
                    errorType: e.code, keepAlive: false)
            return
        }
        guard head.method == .POST, path == "/" else {
            let e = AWSError("UnknownOperationException", "")
            respond(context: context, status: .badRequest, body: e.body, contentType: "application/x-amz-json-1.1",
                    errorType: e.code, keepAlive: keepAlive)
            return
        }
        let target = head.headers.first(name: "x-amz-target") ?? ""
        guard target.hasPrefix("Firehose_20150804.") else {
            let e = AWSError("UnknownOperationException", "")
            respond(context: context, status: .badRequest, body: e.body, contentType: "application/x-amz-json-1.1",
                    errorType: e.code, keepAlive: keepAlive)
            return
        }
        let op = String(target.dropFirst("Firehose_20150804.".count))
        let region = credentialRegion(head.headers.first(name: "authorization")) ?? service.config.defaultRegion
        let service = self.service
        let loop = context.eventLoop
        let method = head.method.rawValue, uri = head.uri
        let headers = head.headers.map { ($0.name, $0.value) }
        let future = pool.runIfActive(eventLoop: loop) { () -> (Int, [UInt8], String?) in
            func run(_ p: UnsafeRawBufferPointer) -> (Int, [UInt8], String?) {
                var caller = FirehoseService.Caller(region: region)
                if let creds = service.config.credentials {
                    do {
                        caller.region = try SignatureCheck.verify(SignedRequest(method: method, uri: uri, headers: headers, body: p),
                                                         credentials: creds, now: Disk.nowMillis() / 1000)
                    } catch {
                        return (error.status, error.body, error.code)
                    }
                }
                return service.handle(operation: op, body: p, caller: caller)
            }
            guard let b = body else { return run(UnsafeRawBufferPointer(start: nil, count: 0)) }
            return b.withUnsafeReadableBytes { run($0) }
        }
        let bound = NIOLoopBound((self, context), eventLoop: loop)
        future.whenComplete { result in
            let (handler, context) = bound.value
            switch result {
            case .success(let (status, out, errorType)):
                handler.respond(context: context, status: HTTPResponseStatus(statusCode: status), body: out,
                             contentType: "application/x-amz-json-1.1", errorType: errorType, keepAlive: keepAlive)
            case .failure(let error):
                let e = AWSError("ServiceUnavailableException", "\(error)", status: 503)
                handler.respond(context: context, status: .serviceUnavailable, body: e.body,
                             contentType: "application/x-amz-json-1.1", errorType: e.code, keepAlive: false)
            }
        }
    }

    private func respond(context: ChannelHandlerContext, status: HTTPResponseStatus, body: [UInt8], contentType: String,
                         errorType: String?, keepAlive: Bool) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(body.count))
        headers.add(name: "x-amzn-RequestId", value: requestId())
        if let e = errorType { headers.add(name: "x-amzn-ErrorType", value: e) }
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        var buf = context.channel.allocator.buffer(capacity: body.count)
        buf.writeBytes(body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buf))), promise: nil)
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
