#!/usr/bin/env python3
"""floe convert with INPUTS in the bucket (issue 15: s3:// wherever Floe reads), and the bench commands on s3://,
against moto (signatures enforced) through the fault-injecting proxy. Run by `make test-objectstore` under
Tests/Support/servers.py.

  * an object, a .gz object and a prefix (listed like a folder: hidden names and other suffixes skipped, in key
    order) convert to tables whose `floe cat` equals that of the local conversion of the same files byte for byte,
    and whose error records equal the local ones byte for byte (the input's name in sequenceNumber aside);
  * the same with every fault class at 10% of requests (small ranged GETs, so many are hit);
  * kill -9 at 4 random moments of `convert s3://prefix/ --out s3:// --checkpoint s3://`, then a final rerun: every
    record exactly once, no incomplete multipart upload left; then an input object replaced under the checkpoint:
    one line, exit 2, nothing converted;
  * `floe bench read|write|validate|convert` on s3:// give the figures of the local runs (rows, records, invalid
    counts) and `bench write` to s3:// the bytes of the local output.

Usage: s3_inputs.py FLOE_BINARY [--mb 3]. Exit status 0 when everything holds.
"""
import argparse
import base64
import collections
import gzip
import io
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

import boto3
import pyarrow.parquet as pq

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GEN_DIR = os.environ.get("FLOE_SHARED_BENCH", os.path.join(ROOT, "Tests", "Interop", "TestVectors", "bench"))
COLUMNS = os.path.join(ROOT, "Tests", "FirehoseTests", "TestVectors", "events.columns.json")
SCHEMA = os.path.join(ROOT, "Tests", "FirehoseTests", "TestVectors", "events.schema.json")
BUCKET = "floe-inputs"
ARRIVAL = "2024-03-01T10:00:00Z"
sys.path.insert(0, os.path.join(ROOT, "Tests", "Support"))
from s3_test_support import ENDPOINT, KEY, SECRET, REGION, check, floe_env, proxy, finish, bucket_objects, local_files  # noqa: E402


def objects(s3, prefix):
    return bucket_objects(s3, BUCKET, prefix)


def errors_of(files, names):
    """The error records of a table (files: relative name -> bytes), concatenated in name order, each input's name
    in sequenceNumber replaced through `names` (local path or URL -> a common label)."""
    out = b""
    for k in sorted(files):
        if k.endswith(".parquet"):
            continue
        v = files[k].decode()
        for a, b in names.items():
            v = v.replace(json.dumps(a)[1:-1] + ":", b + ":")
        out += v.encode()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("floe")
    ap.add_argument("--mb", type=float, default=3)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    floe = os.path.abspath(a.floe)
    t_start = time.time()
    s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name=REGION, aws_access_key_id=KEY,
                      aws_secret_access_key=SECRET)
    s3.create_bucket(Bucket=BUCKET)
    work = tempfile.mkdtemp(prefix="floe-s3-inputs-")
    gen, idx = os.path.join(work, "events.ndjson"), os.path.join(work, "bad.tsv")
    subprocess.run([sys.executable, os.path.join(GEN_DIR, "gen_events.py"), "--mb", str(a.mb), "--bad-fraction", "0.03",
                    "--bad-index", idx, "-o", gen], check=True, stderr=subprocess.DEVNULL)
    lines = open(gen, "rb").read().split(b"\n")[:-1]
    bad_lines = {int(l.split("\t")[0]) for l in open(idx)}
    # three inputs: a plain file, a gzip file, a plain file in a subfolder (key order = path order), plus what a
    # folder walk skips: a hidden file, a hidden folder, another suffix
    third = len(lines) // 3
    parts = {"a.ndjson": lines[:third], "b.ndjson.gz": lines[third:2 * third], "sub/c.jsonl": lines[2 * third:]}
    first_line = {"a.ndjson": 1, "b.ndjson.gz": third + 1, "sub/c.jsonl": 2 * third + 1}
    src = os.path.join(work, "in")
    for name, ls in parts.items():
        p = os.path.join(src, name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        data = b"\n".join(ls) + b"\n"
        with open(p, "wb") as f:
            f.write(gzip.compress(data) if name.endswith(".gz") else data)
        s3.upload_file(p, BUCKET, "in/" + name)
    skipped = {".hidden.ndjson": b'{"id":"hidden"}\n', ".tmp/x.ndjson": b'{"id":"hidden2"}\n', "notes.txt": b"x\n"}
    for name, data in skipped.items():
        os.makedirs(os.path.dirname(os.path.join(src, name)), exist_ok=True)
        with open(os.path.join(src, name), "wb") as f:
            f.write(data)
        s3.put_object(Bucket=BUCKET, Key="in/" + name, Body=data)

    def run(*args, env=None, **kw):
        return subprocess.run([floe, *args], capture_output=True, env=env or floe_env(), timeout=600, **kw)

    def convert(out, *inputs, extra=(), env=None):
        return run("convert", "--columns", COLUMNS, "--schema", SCHEMA, "--out", out, "--table", "events",
                   "--arrival-time", ARRIVAL, "--quiet", *extra, *inputs, env=env)

    def cat(table):
        r = run("cat", table)
        return r.stdout if r.returncode == 0 else b"exit %d: %s" % (r.returncode, r.stderr)

    # 1. object, .gz object, prefix: cat and error records equal the local conversion's.
    cases = [("object", ["in/a.ndjson"]), ("gzip object", ["in/b.ndjson.gz"]), ("prefix", ["in/"]),
             ("prefix without its slash, and an object", ["in/sub", "in/a.ndjson"])]
    names = {}
    for name in parts:
        names[os.path.join(src, name)] = name
        names[f"s3://{BUCKET}/in/{name}"] = name
    for n, (what, keys) in enumerate(cases):
        local_out, s3_out = os.path.join(work, f"local{n}"), os.path.join(work, f"froms3-{n}")
        lr = convert(local_out, *[os.path.join(work, k) for k in keys])
        t = time.time()
        sr = convert(s3_out, *[f"s3://{BUCKET}/{k}" for k in keys])
        lc, sc = cat(os.path.join(local_out, "events")), cat(os.path.join(s3_out, "events"))
        le = errors_of(local_files(os.path.join(local_out, "events")), names)
        se = errors_of(local_files(os.path.join(s3_out, "events")), names)
        check(lr.returncode == 0 and sr.returncode == 0 and lc == sc and len(sc) > 1000 and le == se and le.count(b"\n") > 0,
              f"convert {what} from the bucket ({time.time() - t:.1f}s): cat equals the local conversion's "
              f"({len(sc)} bytes{'' if lc == sc else ', DIFFERENT'}), {se.count(b'dataCatalogTable')} error records "
              f"byte-exact{'' if le == se else ' (NOT: ' + repr(le[:300]) + ' vs ' + repr(se[:300]) + ')'} "
              f"{lr.stderr[-300:]!r} {sr.stderr[-300:]!r}")
    # the prefix took exactly the three inputs, in key order (sequence numbers name them)
    allin = local_files(os.path.join(work, "froms3-2", "events"))
    seqs = [json.loads(l)["sequenceNumber"].rsplit(":", 1)[0] for k, v in sorted(allin.items()) if not k.endswith(".parquet")
            for l in v.splitlines()]
    check(set(seqs) == {f"s3://{BUCKET}/in/{k}" for k in parts}, f"the prefix's inputs: {sorted(set(seqs))}")
    r = convert(os.path.join(work, "none"), f"s3://{BUCKET}/in/missing.ndjson")
    check(r.returncode == 1 and r.stderr.decode().count("\n") == 1 and f"s3://{BUCKET}/in/missing.ndjson" in r.stderr.decode(),
          f"a missing object: one line, exit {r.returncode}: {r.stderr.decode().strip()!r}")

    # 2. every fault class at 10% of requests, 64 KiB ranged GETs: the same tables.
    want = cat(os.path.join(work, "local2", "events"))
    want_err = errors_of(local_files(os.path.join(work, "local2", "events")), names)
    proxy("/__proxy/reset")
    proxy("/__proxy/config", {"rate": 0.1, "faults": ["503", "500", "500after", "drop", "delay"], "seed": 4, "delay": 2})
    t = time.time()
    r = convert(os.path.join(work, "faults"), f"s3://{BUCKET}/in/",
                env=floe_env(FLOE_S3_TIMEOUT="1", FLOE_S3_INPUT_BLOCK="64KiB"))
    st = proxy("/__proxy/stats")
    proxy("/__proxy/config", {"rate": 0})
    got_err = errors_of(local_files(os.path.join(work, "faults", "events")), names)
    n_faults = sum(st["faults"].values())
    check(r.returncode == 0 and cat(os.path.join(work, "faults", "events")) == want and got_err == want_err
          and n_faults > 0 and st["by_operation"].get("GetObject", 0) >= 8,
          f"convert s3://.../in/ with faults at 10% ({time.time() - t:.1f}s): the same table ({n_faults} faults "
          f"{st['faults']} in {st['requests']} requests, {st['by_operation'].get('GetObject', 0)} GETs) {r.stderr[-300:]!r}")

    # 3. kill -9 during convert of the prefix into the bucket with a checkpoint there; a final rerun: exactly once.
    out, cp = f"s3://{BUCKET}/crash", f"s3://{BUCKET}/state/cp.json"
    args = ["--buffer-size", "256KiB", "--jobs", "1", "--checkpoint", cp]
    slow = floe_env(FLOE_S3_TIMEOUT="10", FLOE_S3_INPUT_BLOCK="128KiB")
    proxy("/__proxy/reset")
    proxy("/__proxy/config", {"rate": 1.0, "faults": ["delay"], "seed": 1, "delay": 0.15})
    t0 = time.time()
    convert(f"s3://{BUCKET}/probe", f"s3://{BUCKET}/in/", extra=args[:4], env=slow)
    full = time.time() - t0
    rng = random.Random(a.seed)
    kills = 0
    for k in range(4):
        p = subprocess.Popen([floe, "convert", "--columns", COLUMNS, "--schema", SCHEMA, "--out", out, "--table", "events",
                              "--arrival-time", ARRIVAL, "--quiet", *args, f"s3://{BUCKET}/in/"], env=slow,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.5, max(1.0, full * 0.5)))
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            kills += 1
        p.wait()
    proxy("/__proxy/config", {"rate": 0})
    check(kills >= 3, f"{kills} of 4 runs were still working when killed (uninterrupted run {full:.2f}s)")
    r = convert(out, f"s3://{BUCKET}/in/", extra=args)
    check(r.returncode == 0, f"final rerun {r.stderr[-300:]!r}")
    objs = objects(s3, "crash/events/")
    ids = collections.Counter()
    errs = collections.Counter()
    for k, v in objs.items():
        if k.endswith(".parquet"):
            ids.update(pq.read_table(io.BytesIO(v), columns=["id"]).column("id").to_pylist())
        else:
            for line in v.split(b"\n")[:-1]:
                e = json.loads(line)
                url, n = e["sequenceNumber"].rsplit(":", 1)
                name = url[len(f"s3://{BUCKET}/in/"):]
                g = first_line[name] + int(n) - 1  # the line in the generated file
                errs[g] += 1
                if base64.b64decode(e["rawData"]) != lines[g - 1]:
                    check(False, f"{url}:{n}: rawData differs")
    want_ids = collections.Counter(json.loads(lines[i - 1])["id"] for i in range(1, len(lines) + 1) if i not in bad_lines)
    check(ids == want_ids, f"Parquet records after {kills} kills and a rerun: {sum(ids.values())}, want "
                           f"{sum(want_ids.values())} ({sum((ids - want_ids).values())} extra, "
                           f"{sum((want_ids - ids).values())} missing)")
    check(errs == collections.Counter(bad_lines), f"error records: {sum(errs.values())} for {len(errs)} lines, "
                                                  f"want {len(bad_lines)} once each")
    left = s3.list_multipart_uploads(Bucket=BUCKET, Prefix="crash/").get("Uploads", [])
    check(not left, f"no incomplete multipart upload left ({len(left)})")
    cpdoc = json.loads(s3.get_object(Bucket=BUCKET, Key="state/cp.json")["Body"].read())
    check(all("etag" in i and "size" in i for i in cpdoc["inputs"]) and len(cpdoc["inputs"]) == 3,
          f"the checkpoint names each input with its ETag and size: {[sorted(i) for i in cpdoc['inputs']][:1]}")
    # an input replaced since the checkpoint: one line, exit 2, nothing new written
    before = sorted(objects(s3, "crash/events/"))
    s3.put_object(Bucket=BUCKET, Key="in/a.ndjson", Body=b"\n".join(parts["a.ndjson"][:-1]) + b"\n")
    r = convert(out, f"s3://{BUCKET}/in/", extra=args)
    err = r.stderr.decode()
    check(r.returncode == 2 and err.count("\n") == 1 and f"s3://{BUCKET}/in/a.ndjson" in err and "changed since the checkpoint" in err
          and sorted(objects(s3, "crash/events/")) == before,
          f"an input replaced under the checkpoint: exit {r.returncode}, {err.strip()!r}")
    s3.upload_file(os.path.join(src, "a.ndjson"), BUCKET, "in/a.ndjson")

    # 4. bench commands on s3://
    table = os.path.join(work, "local2", "events")
    pfile = next(os.path.join(d, f) for d, _, fs in os.walk(table) for f in fs if f.endswith(".parquet"))
    s3.upload_file(pfile, BUCKET, "pq/events.parquet")
    lr, sr = run("bench", "read", pfile), run("bench", "read", f"s3://{BUCKET}/pq/events.parquet")
    lj = json.loads(lr.stdout) if lr.returncode == 0 else {}
    sj = json.loads(sr.stdout) if sr.returncode == 0 else {}
    check(sr.returncode == 0 and sj.get("rows") == lj.get("rows") and sj.get("bytes") == lj.get("bytes") and sj["rows"] > 0,
          f"bench read s3://: {sr.stdout.decode().strip()} (local rows {lj.get('rows')}) {sr.stderr[-200:]!r}")
    r = run("bench", "read", f"s3://{BUCKET}/pq/")
    check(r.returncode == 2 and "names a prefix" in r.stderr.decode(), f"bench read of a prefix: exit {r.returncode}")
    lw = os.path.join(work, "bw.parquet")
    r1 = run("bench", "write", pfile, lw)
    r2 = run("bench", "write", f"s3://{BUCKET}/pq/events.parquet", f"s3://{BUCKET}/pq/bw.parquet")
    r3 = run("bench", "write", pfile, f"s3://{BUCKET}/pq/bw-local.parquet")
    wrote = [s3.get_object(Bucket=BUCKET, Key=k)["Body"].read() if r.returncode == 0 else b""
             for k, r in [("pq/bw.parquet", r2), ("pq/bw-local.parquet", r3)]]
    check(r1.returncode == 0 and wrote[0] == wrote[1] == open(lw, "rb").read(),
          f"bench write s3->s3 and local->s3 give the local output's bytes {r2.stderr[-200:]!r} {r3.stderr[-200:]!r}")
    s3.upload_file(os.path.join(src, "a.ndjson"), BUCKET, "v/a.ndjson")
    s3.upload_file(SCHEMA, BUCKET, "v/schema.json")
    lv = run("bench", "validate", "--schema", SCHEMA, "--ndjson", os.path.join(src, "a.ndjson"))
    sv = run("bench", "validate", "--schema", f"s3://{BUCKET}/v/schema.json", "--ndjson", f"s3://{BUCKET}/v/a.ndjson")
    lvj = json.loads(lv.stdout) if lv.returncode == 0 else {}
    svj = json.loads(sv.stdout) if sv.returncode == 0 else {}
    check(sv.returncode == 0 and svj.get("records") == lvj.get("records") and svj.get("invalid") == lvj.get("invalid")
          and svj.get("bytes") == lvj.get("bytes") and svj["records"] > 0,
          f"bench validate s3://: records {svj.get('records')} invalid {svj.get('invalid')} (local "
          f"{lvj.get('records')}, {lvj.get('invalid')}) {sv.stderr[-200:]!r}")
    bc = run("bench", "convert", "--columns", COLUMNS, "--table", "events", f"s3://{BUCKET}/in/")
    bcj = json.loads(bc.stdout) if bc.returncode == 0 else {}
    check(bc.returncode == 0 and bcj.get("records") == len(lines), f"bench convert s3://.../in/: {bcj.get('records')} "
                                                                   f"records, want {len(lines)} {bc.stderr[-200:]!r}")

    return finish("s3_inputs", "S3 input", len(lines), len(bad_lines), a.mb, kills, f"{time.time() - t_start:.1f}s")


if __name__ == "__main__":
    sys.exit(main())
