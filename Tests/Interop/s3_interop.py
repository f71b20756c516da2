#!/usr/bin/env python3
"""floe on s3:// against moto (signatures enforced) through the fault-injecting proxy, checked with pyarrow's
S3FileSystem(endpoint_override=...). Run by `make test-objectstore` under Tests/Support/servers.py.

  * cat / head / schema / meta / pages of s3://... print exactly what they print for the same local file
    (parquet-testing files and a 20-column, 6-row-group file pyarrow writes straight into the bucket);
  * request economy, counted at the proxy: meta and schema make at most 2 GETs; `cat --columns c07` fetches at most
    c07's chunk bytes + the footer + 64 KiB per row group;
  * rewrite local->s3, s3->s3 and s3->local give files equal, byte for byte, to the local rewrite; pyarrow reads
    them from the bucket with the rows it reads from the original;
  * `cat s3://bucket/prefix/` reads a table folder as `cat` of the local folder does;
  * with every fault class injected at 10% of requests, cat and rewrite give the same bytes and no multipart upload
    is left;
  * usage and configuration errors: an unsupported scheme, a missing region, a wrong secret: one line, exit 2.

Usage: s3_interop.py FLOE_BINARY. Exit status 0 when everything holds.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request

import boto3
import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.path.join(ROOT, "Tests", "ParquetTests", "TestVectors", "parquet-testing", "data")
FLOE = os.path.abspath(sys.argv[1])
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Support"))
from s3_test_support import ENDPOINT, PROXY, KEY, SECRET, REGION, check, floe_env, proxy, verdict  # noqa: E402,F401
BUCKET = "floe-interop"
FILES = ["alltypes_plain.parquet", "nonnullable.impala.parquet", "nested_lists.snappy.parquet",
         "datapage_v2.snappy.parquet", "alltypes_tiny_pages_plain.parquet"]


def floe(*args, env=None):
    return subprocess.run([FLOE, *args], capture_output=True, env=env or floe_env(), timeout=300)


def main():
    s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name=REGION, aws_access_key_id=KEY,
                      aws_secret_access_key=SECRET)
    s3.create_bucket(Bucket=BUCKET)
    fs = pafs.S3FileSystem(access_key=KEY, secret_key=SECRET, region=REGION, scheme="http",
                           endpoint_override=ENDPOINT.replace("http://", ""))
    work = tempfile.mkdtemp(prefix="floe-s3-interop-")

    # pyarrow writes a 20-column file with 6 row groups into the bucket (and the same bytes locally).
    n = 60_000
    table = pa.table({f"c{i:02d}": ([f"v{(j * (i + 3)) % 997}-{i}" for j in range(n)] if i % 3 == 0
                                    else [float(j * i) / 7 for j in range(n)] if i % 3 == 1
                                    else list(range(i, n + i))) for i in range(20)})
    pq.write_table(table, BUCKET + "/wide.parquet", filesystem=fs, row_group_size=10_000, compression="snappy")
    wide_local = os.path.join(work, "wide.parquet")
    with fs.open_input_stream(BUCKET + "/wide.parquet") as f, open(wide_local, "wb") as out:
        out.write(f.read())
    for name in FILES:
        s3.upload_file(os.path.join(DATA, name), BUCKET, "data/" + name)

    # 1. Same output from s3:// as from the local file.
    for name, local in [(n_, os.path.join(DATA, n_)) for n_ in FILES] + [("wide.parquet", wide_local)]:
        url = f"s3://{BUCKET}/" + ("data/" + name if name != "wide.parquet" else name)
        for cmd in (["cat"], ["head", "-n", "3"], ["schema"], ["meta", "--json"], ["pages"]):
            a, b = floe(*cmd, local), floe(*cmd, url)
            check(a.returncode == 0 and b.returncode == a.returncode and a.stdout == b.stdout,
                  f"{' '.join(cmd)} {name}: s3 output equals local (exit {b.returncode}, {b.stderr[:200]!r})")

    # 2. Request economy.
    md = pq.ParquetFile(wide_local).metadata
    footer = md.serialized_size + 8
    c07 = [md.row_group(g).column(7) for g in range(md.num_row_groups)]
    chunk_bytes = sum(c.total_compressed_size for c in c07)
    for cmd in (["meta"], ["schema"], ["meta", "--json"]):
        proxy("/__proxy/reset")
        r = floe(*cmd, f"s3://{BUCKET}/wide.parquet")
        st = proxy("/__proxy/stats")
        check(r.returncode == 0 and st["gets"] <= 2, f"floe {' '.join(cmd)}: {st['gets']} GETs (at most 2)")
    proxy("/__proxy/reset")
    r = floe("cat", "--columns", "c07", f"s3://{BUCKET}/wide.parquet")
    st = proxy("/__proxy/stats")
    bound = chunk_bytes + footer + 65536 * md.num_row_groups
    check(r.returncode == 0 and st["get_bytes"] <= bound,
          f"cat --columns c07: {st['get_bytes']} bytes fetched in {st['gets']} GETs (bound {bound}: chunks "
          f"{chunk_bytes} + footer {footer} + 64 KiB x {md.num_row_groups})")
    check(r.stdout == floe("cat", "--columns", "c07", wide_local).stdout, "cat --columns c07 equals local")

    # 3. rewrite local->s3, s3->s3, s3->local equal the local rewrite.
    for name in ["alltypes_plain.parquet", "nested_lists.snappy.parquet"]:
        src = os.path.join(DATA, name)
        ref = os.path.join(work, "ref-" + name)
        flags = ["--compression", "zstd", "--page-version", "2"]
        check(floe("rewrite", src, ref, *flags).returncode == 0, f"local rewrite {name}")
        want = open(ref, "rb").read()
        r1 = floe("rewrite", src, f"s3://{BUCKET}/rw/l2s-{name}", *flags)
        r2 = floe("rewrite", f"s3://{BUCKET}/data/{name}", f"s3://{BUCKET}/rw/s2s-{name}", *flags)
        back = os.path.join(work, "s2l-" + name)
        r3 = floe("rewrite", f"s3://{BUCKET}/data/{name}", back, *flags)
        got1 = s3.get_object(Bucket=BUCKET, Key=f"rw/l2s-{name}")["Body"].read() if r1.returncode == 0 else b""
        got2 = s3.get_object(Bucket=BUCKET, Key=f"rw/s2s-{name}")["Body"].read() if r2.returncode == 0 else b""
        got3 = open(back, "rb").read() if r3.returncode == 0 else b""
        check(got1 == want, f"rewrite local->s3 {name} equals the local rewrite {r1.stderr[:200]!r}")
        check(got2 == want, f"rewrite s3->s3 {name} equals the local rewrite {r2.stderr[:200]!r}")
        check(got3 == want, f"rewrite s3->local {name} equals the local rewrite {r3.stderr[:200]!r}")
        t = pq.read_table(f"{BUCKET}/rw/s2s-{name}", filesystem=fs)
        check(t.equals(pq.read_table(src)), f"pyarrow reads the s3 rewrite of {name} from the bucket")
    r = floe("rewrite", wide_local, f"s3://{BUCKET}/rw/wide.parquet")
    check(r.returncode == 0 and pq.read_table(f"{BUCKET}/rw/wide.parquet", filesystem=fs).equals(table),
          "pyarrow reads floe's rewrite of the 20-column file from the bucket")

    # 4. A prefix is a table folder.
    folder = os.path.join(work, "table")
    os.makedirs(os.path.join(folder, "2024"))
    for i, name in enumerate(["alltypes_plain.parquet", "alltypes_plain.snappy.parquet"]):
        shutil.copy(os.path.join(DATA, name), os.path.join(folder, "2024", f"part-{i}.parquet"))
        s3.upload_file(os.path.join(DATA, name), BUCKET, f"table/2024/part-{i}.parquet")
    a, b = floe("cat", folder), floe("cat", f"s3://{BUCKET}/table/")
    check(a.returncode == 0 and a.stdout == b.stdout and b.returncode == 0, "cat s3://bucket/table/ equals cat of the folder")

    # 5. Faults at 10% of requests, each class.
    ref = os.path.join(work, "wide-ref.parquet")
    floe("rewrite", wide_local, ref)
    want_rows = floe("cat", wide_local).stdout
    for fault in ["503", "500", "500after", "drop", "delay"]:
        proxy("/__proxy/reset")
        proxy("/__proxy/config", {"rate": 0.1, "faults": [fault], "seed": 7, "delay": 2})
        env = floe_env(FLOE_S3_TIMEOUT="1")  # the proxy's delays (2 s) outlast it
        a = floe("cat", f"s3://{BUCKET}/wide.parquet", env=env)
        b = floe("rewrite", f"s3://{BUCKET}/wide.parquet", f"s3://{BUCKET}/faults/{fault}.parquet", env=env)
        st = proxy("/__proxy/stats")
        proxy("/__proxy/config", {"rate": 0})
        check(a.returncode == 0 and a.stdout == want_rows,
              f"cat with {fault} at 10%: same rows ({st['faults']} injected, {st['requests']} requests) {a.stderr[:200]!r}")
        got = s3.get_object(Bucket=BUCKET, Key=f"faults/{fault}.parquet")["Body"].read() if b.returncode == 0 else b""
        check(got == open(ref, "rb").read(), f"rewrite s3->s3 with {fault} at 10%: same bytes {b.stderr[:200]!r}")
    uploads = s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])
    check(not uploads, f"no multipart upload left ({len(uploads)})")

    # 6. Usage and configuration errors: one line, exit 2.
    for args, env, what in [
        (["cat", "gs://bucket/x.parquet"], floe_env(), "unsupported URL scheme"),
        (["cat", f"s3://{BUCKET}/wide.parquet"], floe_env(AWS_REGION=None), "no AWS region"),
        (["cat", f"s3://{BUCKET}/wide.parquet"], floe_env(AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None),
         "no AWS credentials"),
        (["meta", f"s3://{BUCKET}/wide.parquet"], floe_env(AWS_SECRET_ACCESS_KEY="wrong"), "SignatureDoesNotMatch"),
        (["schema", f"s3://{BUCKET}/wide.parquet"], floe_env(AWS_ACCESS_KEY_ID="AKIAUNKNOWNKEY000000"), "refused"),
        (["rewrite", wide_local, "hdfs://nn/x.parquet"], floe_env(), "unsupported URL scheme"),
    ]:
        r = floe(*args, env=env)
        err = r.stderr.decode()
        check(r.returncode == 2 and err.count("\n") == 1 and what in err and err.startswith("floe: "),
              f"{' '.join(args[:1])} -> exit {r.returncode}, one line with '{what}': {err.strip()!r}")
    r = floe("cat", f"s3://{BUCKET}/missing.parquet")
    check(r.returncode == 1 and "no such object" in r.stderr.decode(), f"missing object: exit 1 {r.stderr!r}")

    shutil.rmtree(work, ignore_errors=True)
    return verdict("S3 interop")


if __name__ == "__main__":
    sys.exit(main())
