#!/usr/bin/env python3
"""The warehouse on s3:// (`--warehouse s3://bucket/prefix`) against moto (signatures enforced) through the
fault-injecting proxy. Run by `make test-objectstore` under Tests/Support/servers.py.

  * warehouse init writes the catalog create-only (a second init: exit 2); table create / list / ddl / drop --purge,
    partitions sync / list, aggregate, merge and convert --warehouse work on the bucket;
  * concurrency (issue 15, done-when 5): 4 processes each create 10 tables and sync their partitions in one S3
    warehouse at once: all 40 tables and every partition are in the catalog (the catalog object is updated by
    If-Match read-modify-write, retried on 412);
  * 20 merges (two writers at once, 10 each, into the table they read) with a reader running `floe cat` of the table
    all along: every read is one whole version (every row's sum is base + k x delta for one k), never an error or an
    empty table, k never goes back, and no merge is lost (the final k is 21); `--grace 0` then removes the old
    versions;
  * faults (done-when 4, merge): with each fault class injected at 10% of requests, merge produces exactly the table
    it produces without faults, with one version folder and no multipart upload left.

Usage: s3_warehouse.py FLOE_BINARY. Exit status 0 when everything holds.
"""
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import boto3
import pyarrow as pa
import pyarrow.parquet as pq

FLOE = os.path.abspath(sys.argv[1])
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Support"))
from s3_test_support import ENDPOINT, PROXY, KEY, SECRET, REGION, FAILURES, check, floe_env, proxy  # noqa: E402,F401
BUCKET = "floe-warehouse"
WH = f"s3://{BUCKET}/wh"


ENV = floe_env()


def floe(*args, env=None):
    return subprocess.run([FLOE, *args], capture_output=True, env=env or ENV, timeout=300)


def catalog(s3):
    return json.loads(s3.get_object(Bucket=BUCKET, Key="wh/floe-catalog.json")["Body"].read())


def keys(s3, prefix):
    out = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix):
        out += [o["Key"] for o in page.get("Contents", [])]
    return out


def parquet_bytes(table):
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="snappy")
    return buf.getvalue()


def rows(cat_stdout):
    return [json.loads(line) for line in cat_stdout.decode().splitlines() if line.strip()]


def main():
    s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name=REGION, aws_access_key_id=KEY,
                      aws_secret_access_key=SECRET)
    s3.create_bucket(Bucket=BUCKET)
    work = tempfile.mkdtemp(prefix="floe-s3-warehouse-")
    columns = os.path.join(work, "columns.json")
    with open(columns, "w") as f:
        json.dump([{"name": "id", "type": "string"}, {"name": "n", "type": "bigint"}], f)

    # 1. init, create-only.
    r = floe("warehouse", "init", WH, "--name", "analytics")
    check(r.returncode == 0, f"warehouse init {WH} ({r.stderr[:200]!r})")
    c = catalog(s3)
    check(c.get("format") == "floe-warehouse-catalog" and c.get("database") == "analytics" and c.get("tables") == [],
          "the catalog object is an empty floe catalog")
    r = floe("warehouse", "init", WH, "--name", "other")
    check(r.returncode == 2 and b"already holds a warehouse" in r.stderr and r.stderr.count(b"\n") == 1,
          f"a second init: exit 2, one line ({r.returncode}, {r.stderr[:200]!r})")
    r = floe("table", "list", "--warehouse", f"s3://{BUCKET}/nowhere")
    check(r.returncode == 2 and b"not a warehouse" in r.stderr, f"a prefix without a catalog: exit 2 ({r.stderr[:200]!r})")

    # 2. Concurrency: 4 processes at a time, each creating 10 tables and syncing their partitions.
    hours = {}
    for p in range(4):
        for t in range(10):
            name = f"p{p}_t{t}"
            hs = [f"2024/03/{1 + p:02d}/{h:02d}" for h in range(t % 3 + 1, t % 3 + 4)]
            hours[name] = hs
            for h in hs:
                s3.put_object(Bucket=BUCKET, Key=f"wh/{name}/{h}/part-0.parquet", Body=b"x")
    proxy("/__proxy/reset")

    def worker(p):
        errors = []
        for t in range(10):
            name = f"p{p}_t{t}"
            r1 = floe("table", "create", name, "--warehouse", WH, "--columns", columns, "--partition-key", "inserted_at")
            r2 = floe("partitions", "sync", "--warehouse", WH, "--table", name)
            for r in (r1, r2):
                if r.returncode != 0:
                    errors.append(f"{name}: exit {r.returncode}: {r.stderr[:200]!r}")
        return errors

    t0 = time.monotonic()
    with ThreadPoolExecutor(4) as ex:
        errors = sum(ex.map(worker, range(4)), [])
    secs = time.monotonic() - t0
    st = proxy("/__proxy/stats")
    check(not errors, f"4 concurrent processes x (10 creates + 10 syncs): every command succeeded ({errors[:3]})")
    c = catalog(s3)
    tables = {t["name"]: t for t in c["tables"]}
    check(set(tables) == set(hours), f"all 40 tables in the catalog ({len(tables)} of 40)")
    missing = [(n, h) for n, hs in hours.items() for h in hs
               if n in tables and [h] not in [p["values"] for p in tables[n]["partitions"]]]
    check(not missing, f"every partition registered ({sum(map(len, hours.values())) - len(missing)} of "
                       f"{sum(map(len, hours.values()))}; missing {missing[:3]})")
    check(c["version"] == 1 + 80, f"catalog version 81 after 80 changes, none lost (version {c['version']})")
    print(f"     {secs:.1f} s; {json.dumps(st.get('requests', st))[:300]}")
    r = floe("partitions", "list", "--warehouse", WH, "--table", "p2_t5")
    check(r.returncode == 0 and all(h.encode() in r.stdout for h in hours["p2_t5"]), f"partitions list ({r.stderr[:200]!r})")
    r = floe("table", "list", "--warehouse", WH)
    check(r.returncode == 0 and all(n.encode() in r.stdout for n in hours), "table list names the 40 tables")
    r = floe("table", "ddl", "p0_t0", "--warehouse", WH, "--engine", "athena")
    check(r.returncode == 0 and f"s3://{BUCKET}/wh/p0_t0/".encode() in r.stdout,
          f"table ddl: the location is the bucket's ({r.stdout[-300:]!r} {r.stderr[:200]!r})")
    r = floe("table", "create", "p0_t0", "--warehouse", WH, "--columns", columns)
    check(r.returncode == 2 and b"Duplicate table! Name: p0_t0" in r.stderr, f"duplicate table: exit 2 ({r.stderr[:200]!r})")
    r = floe("table", "drop", "p3_t9", "--warehouse", WH, "--purge")
    check(r.returncode == 0 and not keys(s3, "wh/p3_t9/") and "p3_t9" not in {t["name"] for t in catalog(s3)["tables"]},
          f"table drop --purge removes the entry and the objects ({r.stderr[:200]!r})")

    # 3. Serving layer: base and delta are folders of Parquet objects; merge builds `serving`.
    n = 2000
    base = pa.table({"location": [f"loc{i:05d}" for i in range(n)], "count": pa.array([i % 97 for i in range(n)], pa.int64())})
    delta = pa.table({"location": [f"loc{i:05d}" for i in range(0, n + 500, 3)],
                      "count": pa.array([1 + i % 5 for i in range(0, n + 500, 3)], pa.int64())})
    s3.put_object(Bucket=BUCKET, Key="wh/batch_layer/part-0.parquet", Body=parquet_bytes(base))
    s3.put_object(Bucket=BUCKET, Key="wh/speed_layer/part-0.parquet", Body=parquet_bytes(delta))
    base_count = {loc: c for loc, c in zip(base["location"].to_pylist(), base["count"].to_pylist())}
    delta_count = {loc: c for loc, c in zip(delta["location"].to_pylist(), delta["count"].to_pylist())}
    merge = ["merge", "--warehouse", WH, "--delta", "speed_layer", "--key", "location", "--sum", "count", "--quiet"]
    r = floe(*merge, "--base", "batch_layer", "--into", "serving")
    check(r.returncode == 0, f"merge batch_layer + speed_layer into serving ({r.stderr[:300]!r})")
    r = floe("cat", f"{WH}/serving/")
    first = rows(r.stdout)

    def version_of(rs):
        """k when every row is base + k x delta (new delta keys: k x delta), None otherwise."""
        if len(rs) != len(set(base_count) | set(delta_count)):
            return None
        ks = set()
        for row in rs:
            loc, c = row["location"], row["count"]
            d = delta_count.get(loc, 0)
            b = base_count.get(loc, 0)
            if d == 0:
                if c != b:
                    return None
                continue
            if (c - b) % d:
                return None
            ks.add((c - b) // d)
        return ks.pop() if len(ks) == 1 else None

    check(r.returncode == 0 and version_of(first) == 1, f"cat of serving: base + delta ({r.stderr[:200]!r})")

    stop = threading.Event()
    reads = []

    def reader():
        while not stop.is_set():
            r = floe("cat", f"{WH}/serving/")
            reads.append((r.returncode, version_of(rows(r.stdout)) if r.returncode == 0 else None, r.stderr[:200]))

    def merger(_):
        errs = []
        for _ in range(10):
            r = floe(*merge, "--base", "serving", "--into", "serving")
            if r.returncode != 0:
                errs.append(r.stderr[:200])
        return errs

    th = threading.Thread(target=reader)
    th.start()
    with ThreadPoolExecutor(2) as ex:
        merge_errors = sum(ex.map(merger, range(2)), [])
    stop.set()
    th.join()
    check(not merge_errors, f"20 merges by two writers at once succeed ({merge_errors[:2]})")
    bad = [x for x in reads if x[0] != 0 or x[1] is None]
    ks = [x[1] for x in reads if x[1] is not None]
    check(len(reads) >= 3 and not bad, f"{len(reads)} concurrent reads, each one whole version ({bad[:2]})")
    check(ks == sorted(ks), f"versions read never go back ({ks})")
    r = floe("cat", f"{WH}/serving/")
    check(version_of(rows(r.stdout)) == 21, f"no merge lost: serving is base + 21 x delta (k = {version_of(rows(r.stdout))})")
    ent = {t["name"]: t for t in catalog(s3)["tables"]}.get("serving", {})
    current = s3.get_object(Bucket=BUCKET, Key="wh/serving/_floe_current")["Body"].read().decode().strip()
    check(ent.get("kind") == "batch" and ent.get("properties", {}).get("floe.current_version") == current,
          f"serving registered as a batch table at the pointer's version {current} ({ent.get('properties')})")
    check(current.startswith("v-000021-"), f"the 21st version is current ({current})")
    r = floe(*merge, "--base", "serving", "--into", "serving", "--grace", "0")
    folders = {k.split("/")[2] for k in keys(s3, "wh/serving/") if k.count("/") >= 3}
    current = s3.get_object(Bucket=BUCKET, Key="wh/serving/_floe_current")["Body"].read().decode().strip()
    check(r.returncode == 0 and folders == {current}, f"--grace 0 removes the superseded versions ({sorted(folders)[:4]})")

    # 4. aggregate from a table written by convert --warehouse s3://.
    events = os.path.join(work, "events.ndjson")
    with open(events, "w") as f:
        for i in range(300):
            f.write(json.dumps({"id": f"k{i % 7}", "n": i}) + "\n")
    r = floe("table", "create", "events", "--warehouse", WH, "--columns", columns)
    r2 = floe("convert", "--warehouse", WH, "--table", "events", events)
    check(r.returncode == 0 and r2.returncode == 0, f"convert --warehouse s3:// --table events ({r2.stderr[:300]!r})")
    r = floe("aggregate", "--warehouse", WH, "--table", "events", "--group-by", "id", "--count", "*", "--sum", "n",
             "--into", "events_by_id", "--quiet")
    got = sorted((x["id"], x["count"], x["sum_n"]) for x in rows(floe("cat", f"{WH}/events_by_id/").stdout))
    want = sorted((f"k{k}", len(range(k, 300, 7)), sum(range(k, 300, 7))) for k in range(7))
    check(r.returncode == 0 and got == want, f"aggregate on s3:// ({r.stderr[:300]!r} {got[:2]})")

    # convert with --columns and --schema in the bucket and --stats-json into it.
    schema = os.path.join(work, "schema.json")
    with open(schema, "w") as f:
        json.dump({"type": "object", "required": ["id", "n"], "properties": {"n": {"type": "integer", "maximum": 250}}}, f)
    s3.upload_file(columns, BUCKET, "defs/events.json")
    s3.upload_file(schema, BUCKET, "defs/events.schema.json")
    r = floe("convert", "--columns", f"s3://{BUCKET}/defs/events.json", "--schema", f"s3://{BUCKET}/defs/events.schema.json",
             "--out", f"s3://{BUCKET}/conv", "--stats-json", f"s3://{BUCKET}/stats/run.json", events)
    try:
        stats = json.loads(s3.get_object(Bucket=BUCKET, Key="stats/run.json")["Body"].read())
    except Exception as e:
        stats = {"error": str(e)}
    check(r.returncode == 0 and stats.get("records_in") == 300 and stats.get("records_converted") == 251
          and stats.get("records_failed") == 49 and any(k.startswith("conv/events/") for k in keys(s3, "conv/")),
          f"convert --columns s3:// --schema s3:// --stats-json s3:// ({stats}, {r.stderr[:300]!r})")

    # 5. Merge under faults: the same table as without faults, one version, no upload left.
    r = floe(*merge, "--base", "batch_layer", "--into", "ref_serving")
    ref = floe("cat", f"{WH}/ref_serving/").stdout
    check(r.returncode == 0 and version_of(rows(ref)) == 1, "reference merge without faults")
    for fault in ["503", "500", "500after", "error200", "drop", "delay"]:
        proxy("/__proxy/reset")
        proxy("/__proxy/config", {"rate": 0.1, "faults": [fault], "seed": 11, "delay": 2})
        env = floe_env(FLOE_S3_TIMEOUT="1")
        target = f"faults_{fault}"
        m = floe(*merge, "--base", "batch_layer", "--into", target, env=env)
        m2 = floe(*merge, "--base", target, "--into", target, env=env)
        st = proxy("/__proxy/stats")
        proxy("/__proxy/config", {"rate": 0})
        got = floe("cat", f"{WH}/{target}/")
        check(m.returncode == 0 and m2.returncode == 0 and version_of(rows(got.stdout)) == 2,
              f"merge twice with {fault} at 10%: base + 2 x delta ({st.get('faults')} injected; {m.stderr[:200]!r} {m2.stderr[:200]!r})")
        one = floe(*merge, "--base", "batch_layer", "--into", target + "_once", env=env)
        check(one.returncode == 0 and floe("cat", f"{WH}/{target}_once/").stdout == ref,
              f"merge with {fault} at 10%: byte-identical cat to the merge without faults ({one.stderr[:200]!r})")
        folders = {k.split("/")[2] for k in keys(s3, f"wh/{target}_once/") if k.count("/") >= 3}
        check(len(folders) == 1, f"{fault}: one version folder ({sorted(folders)})")
    uploads = s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])
    check(not uploads, f"no multipart upload left ({len(uploads)})")

    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed", file=sys.stderr)
        sys.exit(1)
    print("s3_warehouse: all checks passed")


if __name__ == "__main__":
    main()
