#!/usr/bin/env python3
"""Side by side on the local S3 server (issue 15, done-when 6), whole processes, alternating runs, medians:

  * `floe convert --out s3://...` of the events NDJSON against pyarrow writing the same converted table into the
    bucket (`pq.write_table(..., filesystem=S3FileSystem(endpoint_override=...), compression="snappy")`, its own
    process: import, read the table from a local file, write it);
  * floe's peak RSS converting into the bucket at 200 MB and at 1 GB of input;
  * `floe cat s3://.../events.parquet` against `floe cat` of the same local file.

Run under the test servers (moto with signatures enforced; no proxy):

    .venv/bin/python Tests/Support/servers.py --s3 -- .venv/bin/python Benchmarks/compare-s3.py FLOE \
        [--events /tmp/events.ndjson] [--runs 5]

The events file is made with ../shared/bench/gen_events.py when missing (200 MB); the 1 GB input is 5 copies.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import boto3

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BENCH = os.environ.get("FLOE_SHARED_BENCH", os.path.join(os.path.dirname(ROOT), "shared", "bench"))
COLUMNS = os.path.join(ROOT, "Tests", "FirehoseTests", "TestVectors", "events.columns.json")
ENDPOINT = os.environ["FLOE_TEST_S3_ENDPOINT"]
KEY = os.environ["FLOE_TEST_AWS_ACCESS_KEY_ID"]
SECRET = os.environ["FLOE_TEST_AWS_SECRET_ACCESS_KEY"]
REGION = os.environ.get("FLOE_TEST_AWS_REGION", "us-east-1")
BUCKET = "floe-bench"

PYARROW_WRITE = """
import sys, pyarrow.parquet as pq, pyarrow.fs as fs
t = pq.read_table(sys.argv[1])
s3 = fs.S3FileSystem(access_key=sys.argv[3], secret_key=sys.argv[4], region=sys.argv[5], scheme="http",
                     endpoint_override=sys.argv[6])
pq.write_table(t, sys.argv[2], filesystem=s3, compression="snappy")
"""


def env():
    e = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    e.update(AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET, AWS_REGION=REGION, AWS_ENDPOINT_URL_S3=ENDPOINT)
    return e


def timed(argv, **kw):
    t = time.monotonic()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env(), **kw)
    return time.monotonic() - t


def peak_rss_mib(argv, tmp):
    out = os.path.join(tmp, "rss")
    subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out, *argv], check=True, stdout=subprocess.DEVNULL, env=env())
    return int(open(out).read().split()[-1]) / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("floe")
    ap.add_argument("--events", default="/tmp/events.ndjson")
    ap.add_argument("--big", default="/tmp/events-1g.ndjson")
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    floe = os.path.abspath(a.floe)
    if not os.path.exists(a.events):
        subprocess.run([sys.executable, os.path.join(BENCH, "gen_events.py"), "--mb", "200", "-o", a.events], check=True)
    s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name=REGION, aws_access_key_id=KEY, aws_secret_access_key=SECRET)
    s3.create_bucket(Bucket=BUCKET)
    tmp = tempfile.mkdtemp(prefix="floe-compare-s3-")
    conv = [floe, "convert", "--columns", COLUMNS, "--table", "events", "--buffer-size", "1GiB", "--compression",
            "snappy", "--quiet"]
    # the converted table, locally: pyarrow's input and the local side of the cat comparison
    subprocess.run(conv + ["--out", os.path.join(tmp, "local"), a.events], check=True)
    local_file = next(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(tmp, "local")) for f in fs
                      if f.endswith(".parquet"))
    s3.upload_file(local_file, BUCKET, "events.parquet")
    print(f"== convert {os.path.getsize(a.events) / 1e6:.0f} MB into the bucket, {a.runs} alternating runs "
          f"(after one warm-up each)")
    pyw = [sys.executable, "-c", PYARROW_WRITE, local_file, f"{BUCKET}/pyarrow/events.parquet", KEY, SECRET, REGION,
           ENDPOINT.replace("http://", "")]
    timed(conv + ["--out", f"s3://{BUCKET}/floe/warm", a.events])
    timed(pyw)
    F, P = [], []
    for i in range(a.runs):
        F.append(timed(conv + ["--out", f"s3://{BUCKET}/floe/run{i}", a.events]))
        P.append(timed(pyw))
    fm, pm = statistics.median(F), statistics.median(P)
    print("floe convert   " + " ".join(f"{x:.2f}" for x in F) + f"  median {fm:.2f}")
    print("pyarrow write  " + " ".join(f"{x:.2f}" for x in P) + f"  median {pm:.2f}")
    print(f"ratio floe/pyarrow {fm / pm:.3f} (target <= 1.0)")

    print(f"== floe peak RSS converting into the bucket (MiB), {a.runs} alternating runs")
    if not os.path.exists(a.big):
        with open(a.big, "wb") as out:
            for _ in range(5):
                with open(a.events, "rb") as f:
                    while chunk := f.read(1 << 24):
                        out.write(chunk)
    small, big = [], []
    for i in range(a.runs):
        small.append(peak_rss_mib(conv + ["--out", f"s3://{BUCKET}/rss200-{i}", a.events], tmp))
        big.append(peak_rss_mib(conv + ["--out", f"s3://{BUCKET}/rss1g-{i}", a.big], tmp))
    r200, r1g = statistics.median(small), statistics.median(big)
    print("200 MB  " + " ".join(f"{x:.0f}" for x in small) + f"  median {r200:.1f}")
    print("1 GB    " + " ".join(f"{x:.0f}" for x in big) + f"  median {r1g:.1f}")
    print(f"1 GB / 200 MB {r1g / r200:.3f} (target <= 256 MiB, flat)")

    print(f"== floe cat, s3 vs local, {a.runs} alternating runs")
    S, L = [], []
    timed([floe, "cat", f"s3://{BUCKET}/events.parquet"])
    for _ in range(a.runs):
        S.append(timed([floe, "cat", f"s3://{BUCKET}/events.parquet"]))
        L.append(timed([floe, "cat", local_file]))
    sm, lm = statistics.median(S), statistics.median(L)
    print("cat s3     " + " ".join(f"{x:.2f}" for x in S) + f"  median {sm:.2f}")
    print("cat local  " + " ".join(f"{x:.2f}" for x in L) + f"  median {lm:.2f}")
    print(f"ratio s3/local {sm / lm:.3f} (target <= 1.5)")


if __name__ == "__main__":
    main()
