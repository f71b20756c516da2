#!/usr/bin/env python3
"""floe serve vs moto's server under the same PutRecordBatch load (issue 16, done-when 6), side by side in one run.

usage: compare-serve.py FLOE [--seconds 60] [--peer-seconds 20] [--connections 8]

Load: wrk (Debian) on loopback with a Lua script posting prepared PutRecordBatch bodies of 500 generated events
(~600 bytes each, shared/bench/gen_events.py) to a stream with Parquet conversion on (floe) or to moto's stream
(which stores the raw bytes). Phase 1: as fast as the server answers, for --seconds. Phase 2 (floe): half the
phase-1 record rate, paced by wrk's delay(), for p99 latency at half load. Prints records/s, MB/s of records,
p50/p99 call latency and the server's peak RSS, and the floe/moto ratio.
"""
import argparse, base64, json, os, re, shutil, signal, socket, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BENCH = os.environ.get("FLOE_SHARED_BENCH", os.path.join(os.path.dirname(ROOT), "shared", "bench"))
COLUMNS = os.path.join(ROOT, "Tests", "FirehoseTests", "TestVectors", "events.columns.json")
sys.path.insert(0, os.path.join(ROOT, "Tests", "Interop"))
from serve_support import Server  # noqa: E402

ROLE = "arn:aws:iam::123456789012:role/firehose"
AUTH = "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/firehose/aws4_request, SignedHeaders=host, Signature=00"

LUA = r"""
local bodies = {}
local n = 0
for line in io.lines("%(bodies)s") do n = n + 1; bodies[n] = line end
local i = 0
local pace = %(pace)s
request = function()
  i = i %% n + 1
  return wrk.format("POST", "/", {["X-Amz-Target"] = "Firehose_20150804.PutRecordBatch",
    ["Content-Type"] = "application/x-amz-json-1.1", ["Authorization"] = "%(auth)s"}, bodies[i])
end
delay = function() return pace end
local failed = 0
response = function(status, headers, body)
  if status ~= 200 or not string.find(body, '"FailedPutCount":0', 1, true) then failed = failed + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%%d seconds=%%.3f p50=%%.3f p99=%%.3f errors=%%d\n", summary.requests,
    summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wrk(url, bodies, seconds, connections, pace_ms, tmp):
    script = os.path.join(tmp, "load.lua")
    with open(script, "w") as f:
        f.write(LUA % {"bodies": bodies, "pace": pace_ms, "auth": AUTH})
    out = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s", "-s", script, url],
                         capture_output=True, text=True)
    m = re.search(r"RESULT requests=(\d+) seconds=([\d.]+) p50=([\d.]+) p99=([\d.]+) errors=(\d+)", out.stdout)
    if not m:
        raise RuntimeError("wrk: " + out.stdout + out.stderr)
    return {"calls": int(m[1]), "seconds": float(m[2]), "p50_ms": float(m[3]), "p99_ms": float(m[4]), "errors": int(m[5])}


def cpu_seconds(pid):
    """user + system CPU seconds of the process so far (the machine may be loaded: CPU time is the fair figure)."""
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mib(pid):
    for l in open(f"/proc/{pid}/status"):
        if l.startswith("VmHWM:"):
            return int(l.split()[1]) / 1024
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("floe")
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--peer-seconds", type=int, default=20)
    ap.add_argument("--connections", type=int, default=8)
    a = ap.parse_args()
    import boto3
    if not shutil.which("wrk"):
        sys.exit("compare-serve: wrk is not installed (apt-get install wrk)")
    with tempfile.TemporaryDirectory() as tmp:
        events = os.path.join(tmp, "events.ndjson")
        subprocess.run([sys.executable, os.path.join(BENCH, "gen_events.py"), "--records", "8000", "-o", events],
                       check=True, stderr=subprocess.DEVNULL)
        lines = open(events, "rb").read().split(b"\n")[:-1]
        bodies = os.path.join(tmp, "bodies.jsonl")
        record_bytes = []
        with open(bodies, "w") as f:
            for k in range(0, len(lines), 500):
                recs = [l + b"\n" for l in lines[k:k + 500]]
                record_bytes.append(sum(map(len, recs)))
                f.write(json.dumps({"DeliveryStreamName": "events",
                                    "Records": [{"Data": base64.b64encode(r).decode()} for r in recs]}) + "\n")
        per_call = sum(record_bytes) / len(record_bytes)
        results = {}
        # floe serve, conversion on
        wh = os.path.join(tmp, "wh")
        subprocess.run([a.floe, "warehouse", "init", wh, "--name", "analytics"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([a.floe, "table", "create", "events", "--warehouse", wh, "--columns", COLUMNS], check=True, stdout=subprocess.DEVNULL)
        s = Server(a.floe, wh, "--log-level", "warning").start()
        try:
            fh = boto3.client("firehose", endpoint_url=s.url, region_name="us-east-1", aws_access_key_id="AKIDBENCH", aws_secret_access_key="x")
            fh.create_delivery_stream(DeliveryStreamName="events", ExtendedS3DestinationConfiguration={
                "RoleARN": ROLE, "BucketARN": "arn:aws:s3:::analytics", "Prefix": "events/", "ErrorOutputPrefix": "errors/",
                "BufferingHints": {"SizeInMBs": 128, "IntervalInSeconds": 60},
                "DataFormatConversionConfiguration": {
                    "SchemaConfiguration": {"DatabaseName": "analytics", "TableName": "events", "RoleARN": ROLE},
                    "InputFormatConfiguration": {"Deserializer": {"OpenXJsonSerDe": {}}},
                    "OutputFormatConfiguration": {"Serializer": {"ParquetSerDe": {}}}}})
            c0 = cpu_seconds(s.proc.pid)
            full = wrk(s.url, bodies, a.seconds, a.connections, 0, tmp)
            full["cpu"] = cpu_seconds(s.proc.pid) - c0
            rate = full["calls"] / full["seconds"]
            pace = max(1, int(a.connections * 1000 / (rate / 2)))
            half = wrk(s.url, bodies, max(10, a.seconds // 2), a.connections, pace, tmp)
            rss = peak_rss_mib(s.proc.pid)
            s.stop(timeout=300)
            rows = 0
            import pyarrow.parquet as pq, glob
            for f in glob.glob(os.path.join(wh, "events", "**", "*.parquet"), recursive=True):
                rows += pq.ParquetFile(f).metadata.num_rows
            results["floe"] = dict(full, half=half, rss=rss, rows=rows)
        finally:
            s.kill()
        # moto's server, same load
        port = free_port()
        moto = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "moto_server"), "-p", str(port)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(200):
                try:
                    socket.create_connection(("127.0.0.1", port), 0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            kw = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="AKIDBENCH", aws_secret_access_key="x")
            boto3.client("s3", **kw).create_bucket(Bucket="analytics")
            boto3.client("firehose", **kw).create_delivery_stream(DeliveryStreamName="events", ExtendedS3DestinationConfiguration={
                "RoleARN": ROLE, "BucketARN": "arn:aws:s3:::analytics", "Prefix": "events/"})
            c0 = cpu_seconds(moto.pid)
            m = wrk(url, bodies, a.peer_seconds, a.connections, 0, tmp)
            m["cpu"] = cpu_seconds(moto.pid) - c0
            results["moto"] = dict(m, rss=peak_rss_mib(moto.pid))
        finally:
            moto.send_signal(signal.SIGTERM)
            moto.wait()
    for name, r in results.items():
        recs = r["calls"] * 500 / r["seconds"]
        mbs = r["calls"] * per_call / r["seconds"] / 1e6
        r["records_per_s"], r["mb_per_s"] = recs, mbs
        print(json.dumps({"server": name, "calls": r["calls"], "seconds": round(r["seconds"], 1), "records_per_s": round(recs),
                          "mb_per_s": round(mbs, 1), "p50_ms": r["p50_ms"], "p99_ms": r["p99_ms"], "errors": r["errors"],
                          "peak_rss_mib": round(r["rss"], 1), "server_cpu_s": round(r["cpu"], 1),
                          "mb_per_cpu_s": round(r["calls"] * per_call / 1e6 / max(r["cpu"], 1e-9), 1)}))
    f = results["floe"]
    print(json.dumps({"server": "floe", "phase": "half rate", "records_per_s": round(f["half"]["calls"] * 500 / f["half"]["seconds"]),
                      "p50_ms": f["half"]["p50_ms"], "p99_ms": f["half"]["p99_ms"], "errors": f["half"]["errors"]}))
    m = results["moto"]
    print(json.dumps({"floe_rows_published": f["rows"], "floe_over_moto": round(f["records_per_s"] / m["records_per_s"], 1),
                      "floe_over_moto_per_cpu_s": round((f["calls"] / f["cpu"]) / (m["calls"] / max(m["cpu"], 1e-9)), 1)}))


main()
