#!/usr/bin/env python3
"""floe convert --out s3://... against moto (signatures enforced) through the fault-injecting proxy (issue 15,
done-when 2 and 4). Run by `make test-objectstore` under Tests/Support/servers.py.

  * interop: the events generator with 3% bad records converted into the bucket and into a local folder with the
    same flags: the Parquet objects equal the local files byte for byte, `floe cat s3://.../events/` equals
    `floe cat` of the local table, pyarrow's S3FileSystem reads every good record with the values pyarrow gives
    converting the good lines itself, and the error objects equal the local error files byte for byte;
  * faults: with each fault class at 10% of requests the conversion gives the same Parquet and error bytes, no
    partial object is ever listed, and no multipart upload is left;
  * kill -9 at 6 random moments of `convert --out s3://... --checkpoint s3://...` (several flushes), each followed by
    a check that every listed object is whole; then a final rerun: every good record exactly once in the Parquet
    objects, every bad line exactly once in the error objects, no incomplete multipart upload left.

Usage: s3_convert.py FLOE_BINARY [--mb 8]. Exit status 0 when everything holds.
"""
import argparse
import base64
import collections
import io
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3
import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# The events generator: the copy in Tests/Interop/TestVectors/bench (SOURCE there); FLOE_SHARED_BENCH=DIR runs
# DIR/gen_events.py instead.
GEN_DIR = os.environ.get("FLOE_SHARED_BENCH", os.path.join(ROOT, "Tests", "Interop", "TestVectors", "bench"))
sys.path.insert(0, os.path.join(ROOT, "Tests", "Support"))
COLUMNS = os.path.join(ROOT, "Tests", "FirehoseTests", "TestVectors", "events.columns.json")
SCHEMA = os.path.join(ROOT, "Tests", "FirehoseTests", "TestVectors", "events.schema.json")
from s3_test_support import ENDPOINT, PROXY, KEY, SECRET, REGION, check, floe_env, proxy, finish  # noqa: E402,F401
from s3_test_support import bucket_objects, local_files  # noqa: E402
BUCKET = "floe-convert"
ARRIVAL = "2024-03-01T10:00:00Z"


def convert_args(out, inp, *extra):
    return ["convert", "--columns", COLUMNS, "--schema", SCHEMA, "--out", out, "--table", "events", "--arrival-time", ARRIVAL,
            "--quiet", *extra, inp]


def objects(s3, prefix):
    return bucket_objects(s3, BUCKET, prefix)


def shape(files):
    """Relative folder and content of each file, sorted (names carry random ids)."""
    return sorted((os.path.dirname(k), v) for k, v in files.items())


def whole(objs):
    """Problems of listed objects: a Parquet object pyarrow cannot read, an error object with a partial line."""
    problems = []
    for k, v in objs.items():
        if k.endswith(".parquet"):
            try:
                pq.read_table(io.BytesIO(v))
            except Exception as e:
                problems.append(f"{k}: unreadable: {e}")
        else:
            for line in v.split(b"\n")[:-1]:
                try:
                    json.loads(line)
                except Exception:
                    problems.append(f"{k}: partial error object")
                    break
            if v and not v.endswith(b"\n"):
                problems.append(f"{k}: error object does not end a line")
    return problems


def uploads(s3, prefix=""):
    return s3.list_multipart_uploads(Bucket=BUCKET, Prefix=prefix).get("Uploads", [])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("floe")
    ap.add_argument("--mb", type=float, default=8)
    ap.add_argument("--seed", type=int, default=11)
    a = ap.parse_args()
    floe = os.path.abspath(a.floe)
    if not os.path.exists(os.path.join(GEN_DIR, "gen_events.py")):
        print(f"s3_convert: skipped: {GEN_DIR}/gen_events.py is not there (set FLOE_SHARED_BENCH)")
        return 0
    s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name=REGION, aws_access_key_id=KEY,
                      aws_secret_access_key=SECRET)
    s3.create_bucket(Bucket=BUCKET)
    fs = pafs.S3FileSystem(access_key=KEY, secret_key=SECRET, region=REGION, scheme="http",
                           endpoint_override=ENDPOINT.replace("http://", ""))
    work = tempfile.mkdtemp(prefix="floe-s3-convert-")
    inp, idx = os.path.join(work, "events.ndjson"), os.path.join(work, "bad.tsv")
    subprocess.run([sys.executable, os.path.join(GEN_DIR, "gen_events.py"), "--mb", str(a.mb), "--bad-fraction", "0.03",
                    "--bad-index", idx, "-o", inp], check=True, stderr=subprocess.DEVNULL)
    lines = open(inp, "rb").read().split(b"\n")[:-1]
    bad = {int(l.split("\t")[0]) for l in open(idx)}
    good_path = os.path.join(work, "good.ndjson")
    with open(good_path, "wb") as g:
        for i, l in enumerate(lines, 1):
            if i not in bad:
                g.write(l + b"\n")

    def run(*args, env=None, **kw):
        return subprocess.run([floe, *args], capture_output=True, env=env or floe_env(), timeout=600, **kw)

    # 1. Interop: the same conversion into the bucket and into a local folder.
    local = os.path.join(work, "local")
    t = time.time()
    r = run(*convert_args(local, inp, "--buffer-size", "4MiB"))
    check(r.returncode == 0, f"local convert ({time.time() - t:.1f}s) {r.stderr[-300:]!r}")
    t = time.time()
    r = run(*convert_args(f"s3://{BUCKET}/interop/", inp, "--buffer-size", "4MiB"))
    check(r.returncode == 0, f"convert --out s3:// ({time.time() - t:.1f}s) {r.stderr[-300:]!r}")
    loc = local_files(os.path.join(local, "events"))
    got = {k[len("interop/events/"):]: v for k, v in objects(s3, "interop/events/").items()}
    check(len(got) == len(loc) and len(got) >= 2, f"{len(got)} objects, {len(loc)} local files")
    check(shape(got) == shape(loc), "every object equals a local file in the same folder, byte for byte")
    a_ = run("cat", os.path.join(local, "events"))
    b_ = run("cat", f"s3://{BUCKET}/interop/events/")
    # Both list files in path order, but file names carry random ids, so two files of one folder may sort
    # differently in the two runs: the local side is cat'ed file by file in the order of the objects' keys, each
    # object matched to the local file with the same folder and bytes.
    by_content = {}
    for k, v in loc.items():
        by_content.setdefault((os.path.dirname(k), v), []).append(k)
    expected = b""
    for k in sorted(got):
        if k.endswith(".parquet"):
            twin = by_content[(os.path.dirname(k), got[k])].pop()
            expected += run("cat", os.path.join(local, "events", twin)).stdout
    check(a_.returncode == 0 and b_.returncode == 0 and b_.stdout == expected and b_.stdout
          and sorted(a_.stdout.splitlines()) == sorted(b_.stdout.splitlines()),
          f"floe cat s3://.../events/ equals floe cat of the local table ({len(b_.stdout)} bytes) {b_.stderr[:200]!r}")
    err_local = b"".join(v for k, v in sorted(loc.items()) if not k.endswith(".parquet"))
    err_s3 = b"".join(v for k, v in sorted(got.items()) if not k.endswith(".parquet"))
    n_err = err_s3.count(b"\n")
    check(err_local == err_s3 and n_err == len(bad), f"error records byte-exact ({n_err} in the bucket, {len(bad)} bad lines)")
    data = [f"{BUCKET}/interop/events/{k}" for k in sorted(got) if k.endswith(".parquet")]
    from_bucket = pa.concat_tables([pq.read_table(p, filesystem=fs) for p in data])
    import hive_arrow
    try:
        ref, ref_error = hive_arrow.reference_table(good_path, COLUMNS), None
    except Exception as e:  # pyarrow refusing the good lines is a failure of the check, reported below
        ref, ref_error = None, e
    if ref is not None:
        want = sorted(json.dumps(r, sort_keys=True, default=str) for r in ref.to_pylist())
        have = sorted(json.dumps(r, sort_keys=True, default=str)
                      for r in from_bucket.select(ref.column_names).to_pylist())
        check(have == want, f"pyarrow reads {from_bucket.num_rows} records from the bucket with the values pyarrow "
                            f"gives converting the {len(lines) - len(bad)} good lines")
    else:
        check(False, f"pyarrow's conversion of the good lines failed: {ref_error}")

    # 2. Faults at 10% of requests, each class: the same bytes, nothing partial listed, no upload left.
    # (small files, so that each run makes enough requests for 10% to hit several)
    r = run(*convert_args(os.path.join(work, "small"), inp, "--buffer-size", "512KiB"))
    want_shape = shape(local_files(os.path.join(work, "small", "events")))
    for fault in ["503", "500", "500after", "drop", "delay"]:
        prefix = f"faults-{fault}/"
        proxy("/__proxy/reset")
        proxy("/__proxy/config", {"rate": 0.1, "faults": [fault], "seed": 5, "delay": 2})
        r = run(*convert_args(f"s3://{BUCKET}/{prefix}", inp, "--buffer-size", "512KiB"),
                env=floe_env(FLOE_S3_TIMEOUT="1"))
        st = proxy("/__proxy/stats")
        proxy("/__proxy/config", {"rate": 0})
        objs = objects(s3, prefix + "events/")
        have = shape({k[len(prefix + "events/"):]: v for k, v in objs.items()})
        n_faults = sum(st["faults"].values()) if isinstance(st["faults"], dict) else st["faults"]
        check(r.returncode == 0 and have == want_shape and n_faults > 0,
              f"convert with {fault} at 10%: same {len(objs)} objects ({n_faults} faults in {st['requests']} requests) "
              f"{r.stderr[-200:]!r}")
        check(not whole(objs), f"{fault}: every listed object whole")
        check(not uploads(s3, prefix), f"{fault}: no multipart upload left")

    # 3. kill -9 during convert --checkpoint s3://, then a final rerun: exactly once, no upload left.
    out, cp = f"s3://{BUCKET}/crash", f"s3://{BUCKET}/state/cp.json"
    args = convert_args(out, inp, "--buffer-size", "1MiB", "--jobs", "1", "--checkpoint", cp)
    # Every answer delayed by 0.2 s (within the timeout): a flush's uploads stay open long enough for kills to land
    # in every phase (parts uploading, staged before the checkpoint write, logged but not yet completed).
    proxy("/__proxy/reset")
    proxy("/__proxy/config", {"rate": 1.0, "faults": ["delay"], "seed": 1, "delay": 0.2})
    slow = floe_env(FLOE_S3_TIMEOUT="10")
    t0 = time.time()
    run(*convert_args(f"s3://{BUCKET}/probe", inp, "--buffer-size", "1MiB", "--jobs", "1"), env=slow)
    full = time.time() - t0
    rng = random.Random(a.seed)
    kills = 0
    left_after_kills = 0
    for k in range(6):
        p = subprocess.Popen([floe, *args], env=slow, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # each run starts by rolling its checkpoint forward and aborting leftovers (a few delayed requests), then
        # resumes where the checkpoint is
        delay = rng.uniform(0.5, max(1.0, full * 0.6))
        time.sleep(delay)
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            kills += 1
        p.wait()
        for prob in whole(objects(s3, "crash/")):
            check(False, f"after kill {k + 1} at {delay:.2f}s: {prob}")
        left_after_kills += len(uploads(s3, "crash/"))
    check(kills >= 5, f"{kills} of 6 runs were still working when killed (uninterrupted run {full:.2f}s)")
    left_before = len(uploads(s3, "crash/"))
    proxy("/__proxy/config", {"rate": 0})
    r = run(*args)
    check(r.returncode == 0, f"final rerun {r.stderr[-300:]!r}")
    objs = objects(s3, "crash/events/")
    check(not whole(objs), "every object whole after the rerun")
    ids = collections.Counter()
    for k, v in objs.items():
        if k.endswith(".parquet"):
            ids.update(pq.read_table(io.BytesIO(v), columns=["id"]).column("id").to_pylist())
    want = collections.Counter(json.loads(lines[i - 1])["id"] for i in range(1, len(lines) + 1) if i not in bad)
    check(ids == want, f"Parquet records: {sum(ids.values())}, want {sum(want.values())} "
                       f"({sum((ids - want).values())} extra, {sum((want - ids).values())} missing)")
    errs = collections.Counter()
    for k, v in objs.items():
        if not k.endswith(".parquet"):
            for line in v.split(b"\n")[:-1]:
                e = json.loads(line)
                n = int(e["sequenceNumber"].rsplit(":", 1)[1])
                errs[n] += 1
                if base64.b64decode(e["rawData"]) != lines[n - 1]:
                    check(False, f"line {n}: rawData differs")
    check(errs == collections.Counter(bad), f"error records: {sum(errs.values())} for {len(errs)} lines, "
                                            f"want {len(bad)} once each")
    left = uploads(s3)
    check(left_after_kills > 0, f"some kill came while uploads were open ({left_after_kills} left over in all)")
    check(not left, f"no incomplete multipart upload left ({len(left)}; the kills left {left_after_kills} in all, "
                    f"{left_before} before the final rerun)")
    # 4. validate: instances, schema and --schema-dir in the bucket give the output of the local files, with the
    #    objects' URLs for names.
    vdir = os.path.join(work, "v")
    os.makedirs(os.path.join(vdir, "schemas"))
    part = os.path.join(vdir, "part.ndjson")
    with open(part, "wb") as f:
        f.write(b"\n".join(lines[:400]) + b"\n")
    a_json = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://example.com/a.json",
              "$ref": "b.json"}
    b_json = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://example.com/b.json",
              "type": "object", "required": ["id", "event_type"]}
    for name, doc in [("a.json", a_json), ("b.json", b_json)]:
        with open(os.path.join(vdir, "schemas", name), "w") as f:
            json.dump(doc, f)
        s3.upload_file(os.path.join(vdir, "schemas", name), BUCKET, "schemas/" + name)
    s3.upload_file(SCHEMA, BUCKET, "schemas/events.schema.json")
    s3.upload_file(part, BUCKET, "v/part.ndjson")
    s3.put_object(Bucket=BUCKET, Key="v/docs/one.json", Body=b'{"id": "1", "event_type": "click"}')
    s3.put_object(Bucket=BUCKET, Key="v/docs/two.json", Body=b'{"id": "2"}')
    os.makedirs(os.path.join(vdir, "docs"))
    for k in ["one.json", "two.json"]:
        with open(os.path.join(vdir, "docs", k), "wb") as f:
            f.write(s3.get_object(Bucket=BUCKET, Key="v/docs/" + k)["Body"].read())
    cases = [
        (["--schema", SCHEMA, "--ndjson", part], ["--schema", f"s3://{BUCKET}/schemas/events.schema.json", "--ndjson",
                                                   f"s3://{BUCKET}/v/part.ndjson"], {part: f"s3://{BUCKET}/v/part.ndjson"}),
        (["--schema", os.path.join(vdir, "schemas", "a.json"), "--schema-dir", os.path.join(vdir, "schemas"),
          os.path.join(vdir, "docs")],
         ["--schema", f"s3://{BUCKET}/schemas/a.json", "--schema-dir", f"s3://{BUCKET}/schemas/", f"s3://{BUCKET}/v/docs/"],
         {os.path.join(vdir, "docs") + "/": f"s3://{BUCKET}/v/docs/"}),
    ]
    for local_args, s3_args, names in cases:
        lr, sr = run("validate", *local_args), run("validate", *s3_args)
        want = lr.stdout.decode()
        for k, v in names.items():
            want = want.replace(k, v)
        check(lr.returncode == sr.returncode == 1 and sr.stdout.decode() == want and want,
              f"validate {' '.join(s3_args)}: exit {sr.returncode}, output of the local files with URLs "
              f"{sr.stdout.decode()[:200]!r} {sr.stderr.decode()[:200]!r}")
    r = run("validate", "--schema", SCHEMA, f"s3://{BUCKET}/v/missing.json")
    check(r.returncode != 0 and "no such object" in r.stderr.decode() and r.stderr.decode().count("\n") == 1,
          f"validate of a missing object: one line, exit {r.returncode}: {r.stderr.decode().strip()!r}")

    data_objects = sum(1 for k in objs if k.endswith('.parquet'))
    return finish("s3_convert", "S3 convert", len(lines), len(bad), a.mb, kills,
                  f"{data_objects} data objects after the rerun")


if __name__ == "__main__":
    sys.exit(main())
