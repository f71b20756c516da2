#!/usr/bin/env python3
"""A fault-injecting HTTP proxy for the object-store tests (loopback only).

Forwards every request to one upstream (the S3 server) unchanged, Host header included, so SigV4 signatures made
for the proxy's address stay valid, and injects faults:

  503       503 SlowDown, request not forwarded (S3's throttling answer)
  500       500 InternalError, request not forwarded
  500after  request forwarded (the server acts on it), then 500 InternalError: the ambiguous case
  error200  200 OK with an <Error><Code>InternalError</Code> body, not forwarded; only for the operations S3 answers
            that way (CompleteMultipartUpload, CopyObject, DeleteObjects), others get 500 instead
  drop      forwarded, then the response is cut in the middle of its body and the connection closed
  delay     forwarded, then the response is held for `delay` seconds (past the client's timeout)

Faults come from a queue (POST /__proxy/queue {"faults": [...]}: the next requests get them in order) or at random
(POST /__proxy/config {"rate": 0.1, "faults": [...], "seed": 1, "delay": 3}). GET /__proxy/stats returns counts of
requests (by method and operation), bytes in and out, and faults injected; POST /__proxy/reset clears them.

Usage: fault_proxy.py --listen-port P --upstream http://127.0.0.1:Q
"""
import argparse
import http.client
import json
import random
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FAULTS = ("503", "500", "500after", "error200", "drop", "delay")


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()
        self.rate = 0.0
        self.random_faults = []
        self.rng = random.Random(1)
        self.delay = 3.0

    def reset(self):
        self.queue = []
        self.stats = {"requests": 0, "by_method": {}, "by_operation": {}, "bytes_in": 0, "bytes_out": 0,
                      "faults": {}, "get_bytes": 0, "gets": 0}

    def pick(self, op):
        with self.lock:
            if self.queue:
                return self.queue.pop(0)
            if self.rate > 0 and self.random_faults and self.rng.random() < self.rate:
                return self.rng.choice(self.random_faults)
            return None


STATE = State()


def operation(method, path, headers):
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query, keep_blank_values=True)
    if method == "POST" and "uploadId" in q:
        return "CompleteMultipartUpload"
    if method == "POST" and "uploads" in q:
        return "CreateMultipartUpload"
    if method == "POST" and "delete" in q:
        return "DeleteObjects"
    if method == "PUT" and "partNumber" in q:
        return "UploadPart"
    if method == "PUT" and headers.get("x-amz-copy-source"):
        return "CopyObject"
    if method == "GET" and ("list-type" in q or "uploads" in q):
        return "List"
    if method == "DELETE" and "uploadId" in q:
        return "AbortMultipartUpload"
    return {"GET": "GetObject", "PUT": "PutObject", "HEAD": "HeadObject", "DELETE": "DeleteObject"}.get(method, method)


ERROR_BODY = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{msg}</Message>"
              "<RequestId>fault-proxy</RequestId></Error>")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstream = None  # (host, port)

    def log_message(self, fmt, *args):
        pass

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _send(self, status, headers, body, cut=False):
        self.send_response_only(status)
        length = str(len(body))
        for k, v in headers:
            if k.lower() == "content-length" and self.command == "HEAD":
                length = v  # a HEAD answer has no body but tells the object's length
            elif k.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", length)
        if cut:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            data = body[: len(body) // 2] if cut else body
            self.wfile.write(data)
            with STATE.lock:
                STATE.stats["bytes_out"] += len(data)
        if cut:
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(2)
            except OSError:
                pass

    def _control(self, body):
        path = urllib.parse.urlsplit(self.path).path
        reply = {}
        with STATE.lock:
            if path == "/__proxy/stats":
                reply = STATE.stats
            elif path == "/__proxy/reset":
                STATE.reset()
                STATE.rate = 0.0
            elif path == "/__proxy/queue":
                STATE.queue.extend(json.loads(body)["faults"])
            elif path == "/__proxy/config":
                c = json.loads(body)
                STATE.rate = float(c.get("rate", 0))
                STATE.random_faults = list(c.get("faults", []))
                STATE.rng = random.Random(c.get("seed", 1))
                STATE.delay = float(c.get("delay", STATE.delay))
            else:
                self._send(404, [], b"unknown control path")
                return
            data = json.dumps(reply).encode()
        self._send(200, [("Content-Type", "application/json")], data)

    def _handle(self):
        body = self._body()
        if self.path.startswith("/__proxy/"):
            return self._control(body)
        op = operation(self.command, self.path, {k.lower(): v for k, v in self.headers.items()})
        fault = STATE.pick(op)
        if fault == "error200" and op not in ("CompleteMultipartUpload", "CopyObject", "DeleteObjects"):
            fault = "500"
        with STATE.lock:
            s = STATE.stats
            s["requests"] += 1
            s["by_method"][self.command] = s["by_method"].get(self.command, 0) + 1
            s["by_operation"][op] = s["by_operation"].get(op, 0) + 1
            s["bytes_in"] += len(body)
            if fault:
                s["faults"][fault] = s["faults"].get(fault, 0) + 1
        if fault == "503":
            return self._send(503, [], ERROR_BODY.format(code="SlowDown", msg="Please reduce your request rate.").encode())
        if fault == "500":
            return self._send(500, [], ERROR_BODY.format(code="InternalError", msg="injected").encode())
        if fault == "error200":
            return self._send(200, [], ERROR_BODY.format(code="InternalError", msg="injected (200)").encode())
        conn = http.client.HTTPConnection(*self.upstream, timeout=60)
        try:
            conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for k, v in self.headers.items():
                if k.lower() not in ("connection", "keep-alive", "proxy-connection"):
                    conn.putheader(k, v)
            conn.endheaders(body if body or self.command in ("PUT", "POST") else None)
            resp = conn.getresponse()
            data = resp.read()
            headers = resp.getheaders()
            status = resp.status
        finally:
            conn.close()
        if op == "GetObject" and status in (200, 206):
            with STATE.lock:
                STATE.stats["gets"] += 1
                STATE.stats["get_bytes"] += len(data)
        if fault == "500after":
            return self._send(500, [], ERROR_BODY.format(code="InternalError", msg="injected after").encode())
        if fault == "delay":
            time.sleep(STATE.delay)
        if fault == "drop" and len(data) < 2 or (fault == "drop" and self.command == "HEAD"):
            # Nothing to cut: the server acted, and the connection closes before any answer.
            self.close_connection = True
            try:
                self.connection.shutdown(2)
            except OSError:
                pass
            return
        try:
            self._send(status, headers, data, cut=(fault == "drop"))
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen-port", type=int, required=True)
    ap.add_argument("--upstream", required=True)
    a = ap.parse_args()
    u = urllib.parse.urlsplit(a.upstream)
    Handler.upstream = (u.hostname, u.port)
    srv = ThreadingHTTPServer(("127.0.0.1", a.listen_port), Handler)
    srv.daemon_threads = True
    print(f"fault proxy on 127.0.0.1:{a.listen_port} -> {a.upstream}", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
