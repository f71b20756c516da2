#!/usr/bin/env python3
"""Iceberg tables in an s3:// warehouse (issues 15 and 17) against moto's S3 server (signatures enforced) and the SQL
catalog on PostgreSQL (FLOE_TEST_POSTGRES_URL from scripts/with_postgres.sh; without it a local SQLite file), with
pyiceberg's SqlCatalog reading and writing the same tables through its own S3 FileIO (`s3.endpoint`, …).

usage: iceberg_s3.py FLOE [--mb 3] [--kills 2] [--seed 5]
Run under Tests/Support/servers.py --s3 (FLOE_TEST_S3_ENDPOINT, FLOE_TEST_AWS_*).

  * `floe table create --format iceberg --warehouse s3://…` without --catalog: exit 2, one line naming --catalog;
    with it the table's location is s3://bucket/wh/<table>;
  * `floe convert --checkpoint s3://…` into the table, SIGKILLed twice mid-run (each kill when the checkpoint object
    has moved on), pyiceberg scanning the table after every kill (no record twice, total-records = rows); the rerun
    leaves every good record exactly once, every bad record once in the error output, no multipart upload open;
  * pyiceberg loads the table: field ids, total-records, total-data-files; its scan equals `floe cat s3://…` as a
    multiset (every primitive column); `cat --snapshot` / `--as-of` read older snapshots; snapshots / history / ddl;
  * Floe reads a table pyiceberg wrote on s3 (two appends, a delete, a column added and one renamed) and one
    pyiceberg created itself (`floe cat s3://…/metadata/<file>.metadata.json`);
  * `ingest --checkpoint s3://…` from stdin appends snapshots, every record once;
  * aggregate into a new Iceberg table and two merges (overwrite snapshots) into an s3 table equal Python's result;
  * expire-snapshots, then the listing of data/ and metadata/ holds only files the metadata reaches plus exactly
    what remove-orphan-files lists and removes (the files of the killed runs' failed commits).
"""
import argparse, base64, collections, datetime as dt, json, os, random, signal, subprocess, sys, tempfile, time

import boto3
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iceberg_support import BENCH, COLUMNS, SCHEMA  # noqa: E402

ENDPOINT = os.environ["FLOE_TEST_S3_ENDPOINT"]
KEY = os.environ["FLOE_TEST_AWS_ACCESS_KEY_ID"]
SECRET = os.environ["FLOE_TEST_AWS_SECRET_ACCESS_KEY"]
REGION = os.environ.get("FLOE_TEST_AWS_REGION", "us-east-1")
PG = os.environ.get("FLOE_TEST_POSTGRES_URL")
BUCKET = "floe-iceberg"
WH = f"s3://{BUCKET}/wh"
FAILS = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILS.append(what)


ENV = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
ENV.update(HOME=tempfile.mkdtemp(prefix="floe-home-"), AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET,
           AWS_REGION=REGION, AWS_ENDPOINT_URL_S3=ENDPOINT)


def floe(*args, expect=0):
    p = subprocess.run([FLOE, *args], capture_output=True, text=True, env=ENV)
    if p.returncode != expect:
        raise SystemExit(f"FAIL: floe {' '.join(args)} exited {p.returncode} (want {expect}): {p.stderr.strip()[-800:]}")
    return p


def micros(v):
    if isinstance(v, str):
        v = dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
    if v.tzinfo is None:
        v = v.replace(tzinfo=dt.timezone.utc)
    return (v - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)) // dt.timedelta(microseconds=1)


def norm_value(v):
    if isinstance(v, (dt.datetime,)):
        return ("ts", micros(v))
    if isinstance(v, str) and len(v) >= 20 and v[4] == "-" and v[10] == "T" and (v.endswith("Z") or "+" in v[19:]):
        try:
            return ("ts", micros(v))
        except ValueError:
            return v
    if isinstance(v, float):
        return round(v, 9)
    return v


def norm(row, cols):
    return tuple(norm_value(row.get(c)) for c in cols)


def cat_rows(path, cols, *extra):
    out = floe("cat", path, *extra).stdout
    return collections.Counter(norm(json.loads(l), cols) for l in out.split("\n") if l)


def scan_rows(tbl, cols, snapshot_id=None):
    return collections.Counter(norm(r, cols) for r in tbl.scan(snapshot_id=snapshot_id).to_arrow().to_pylist())


def reachable(tbl):
    """Every file the table's metadata reaches (metadata files, manifest lists, manifests, data files)."""
    io, m = tbl.io, tbl.metadata
    out = {tbl.metadata_location} | {e.metadata_file for e in m.metadata_log}
    for s in m.snapshots:
        out.add(s.manifest_list)
        for mf in s.manifests(io):
            out.add(mf.manifest_path)
            for e in mf.fetch_manifest_entry(io, discard_deleted=False):
                out.add(e.data_file.file_path)
    return out


def listing(s3, prefix):
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix):
        keys += [f"s3://{BUCKET}/{o['Key']}" for o in page.get("Contents", [])]
    return set(keys)


def main():
    global FLOE
    ap = argparse.ArgumentParser()
    ap.add_argument("floe")
    ap.add_argument("--mb", type=float, default=3)
    ap.add_argument("--kills", type=int, default=2)
    ap.add_argument("--seed", type=int, default=5)
    a = ap.parse_args()
    FLOE = os.path.abspath(a.floe)
    if not PG and os.environ.get("FLOE_REQUIRE_POSTGRES") == "1":
        raise SystemExit("FAIL: FLOE_REQUIRE_POSTGRES=1 but no FLOE_TEST_POSTGRES_URL (run under scripts/with_postgres.sh)")
    from pyiceberg.catalog.sql import SqlCatalog
    t_start = time.time()
    rng = random.Random(a.seed)
    s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name=REGION, aws_access_key_id=KEY, aws_secret_access_key=SECRET)
    s3.create_bucket(Bucket=BUCKET)
    tmp = tempfile.mkdtemp(prefix="floe-iceberg-s3-")
    catalog_url = PG or f"sqlite:///{tmp}/catalog.db"
    sql_uri = PG.replace("postgresql://", "postgresql+psycopg2://", 1) if PG else f"sqlite:///{tmp}/catalog.db"
    print(f"catalog: {'PostgreSQL' if PG else 'SQLite ' + tmp + '/catalog.db'}")
    cat = SqlCatalog("floe", uri=sql_uri, warehouse=WH, **{
        "s3.endpoint": ENDPOINT, "s3.access-key-id": KEY, "s3.secret-access-key": SECRET, "s3.region": REGION})

    floe("warehouse", "init", WH, "--name", "db")
    p = floe("table", "create", "events", "--warehouse", WH, "--format", "iceberg", "--columns", COLUMNS, expect=2)
    check(len(p.stderr.strip().splitlines()) == 1 and "--catalog" in p.stderr,
          f"an s3 warehouse's Iceberg table without --catalog: exit 2, one line naming --catalog ({p.stderr.strip()!r})")
    floe("table", "create", "events", "--warehouse", WH, "--format", "iceberg", "--columns", COLUMNS, "--catalog", catalog_url)
    entry = json.loads(floe("table", "show", "events", "--warehouse", WH, "--json").stdout)
    check(entry["properties"].get("iceberg.catalog", "").startswith("postgresql://" if PG else "/"),
          f"the catalog is remembered in the table entry ({entry['properties'].get('iceberg.catalog')})")
    ident = ("db", "events")
    t = cat.load_table(ident)
    check(t.location() == f"{WH}/events", f"table location {t.location()}")

    # ---- convert --checkpoint s3:// with kill -9 ----
    inp, idx = os.path.join(tmp, "events.ndjson"), os.path.join(tmp, "bad.tsv")
    subprocess.run([sys.executable, os.path.join(BENCH, "gen_events.py"), "--mb", str(a.mb), "--bad-fraction", "0.01",
                    "--bad-index", idx, "-o", inp], check=True, stderr=subprocess.DEVNULL)
    lines = open(inp, "rb").read().split(b"\n")[:-1]
    bad = {int(l.split("\t")[0]) for l in open(idx)}
    cp_key = "checkpoints/events.json"
    cmd = [FLOE, "convert", "--warehouse", WH, "--table", "events", "--schema", SCHEMA, "--buffer-size", "192KiB",
           "--arrival-time", "2024-03-01T10:00:00Z", "--quiet", "--jobs", "1", "--checkpoint", f"s3://{BUCKET}/{cp_key}", inp]

    def checkpoint_seq():
        try:
            body = json.loads(s3.get_object(Bucket=BUCKET, Key=cp_key)["Body"].read())
            return body.get("commit", {}).get("seq", 0)
        except s3.exceptions.NoSuchKey:
            return 0

    def scan_ids(label):
        try:
            tbl = cat.load_table(ident)
            ids = collections.Counter(tbl.scan(selected_fields=("id",)).to_arrow().column("id").to_pylist())
        except Exception as e:
            FAILS.append(f"{label}: pyiceberg cannot read the table: {type(e).__name__}: {e}")
            print("FAIL " + FAILS[-1])
            return collections.Counter()
        snap = tbl.current_snapshot()
        total = int(snap.summary["total-records"]) if snap is not None else 0
        dups = sum(1 for n in ids.values() if n > 1)
        check(total == sum(ids.values()) and dups == 0,
              f"{label}: pyiceberg scans {sum(ids.values())} rows, total-records {total}, {dups} twice")
        return ids

    kills = 0
    for k in range(a.kills):
        start = checkpoint_seq()
        target = start + rng.randint(2, 4)
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
        deadline = time.time() + 60
        while proc.poll() is None and checkpoint_seq() < target and time.time() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0, 0.05))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        scan_ids(f"after kill {k + 1} (checkpoint seq {checkpoint_seq()})")
    check(kills == a.kills, f"{kills} of {a.kills} runs were killed mid-run")
    r = subprocess.run(cmd, capture_output=True, text=True, env=ENV)
    check(r.returncode == 0, f"the final run succeeds ({r.stderr.strip()[-300:]})")
    ids = scan_ids("after the final run")
    want = collections.Counter(json.loads(lines[i - 1])["id"] for i in range(1, len(lines) + 1) if i not in bad)
    check(ids == want, f"exactly once: {sum(ids.values())} records, want {sum(want.values())} "
                       f"({sum((ids - want).values())} extra, {sum((want - ids).values())} missing)")
    errs = collections.Counter()
    for key in listing(s3, "wh/events/format-conversion-failed/"):
        for l in s3.get_object(Bucket=BUCKET, Key=key.split("/", 3)[3])["Body"].read().splitlines():
            e = json.loads(l)
            n = int(e["sequenceNumber"].rsplit(":", 1)[1])
            errs[n] += 1
            if base64.b64decode(e["rawData"]) != lines[n - 1]:
                FAILS.append(f"error record of line {n}: rawData differs")
    check(errs == collections.Counter(bad), f"error records: {sum(errs.values())} for {len(errs)} lines, want {len(bad)} once each")
    uploads = s3.list_multipart_uploads(Bucket=BUCKET, Prefix="wh/").get("Uploads", [])
    check(not uploads, f"no multipart upload left open ({len(uploads)})")

    # ---- pyiceberg loads Floe's table; its scan equals floe cat ----
    t = cat.load_table(ident)
    cols = json.load(open(COLUMNS))
    fields = [(f.field_id, f.name) for f in t.schema().fields]
    check(fields == [(i + 1, c["name"]) for i, c in enumerate(cols)], f"schema field ids {fields[:4]}…")
    snap = t.current_snapshot()
    plan = list(t.scan().plan_files())
    check(int(snap.summary["total-records"]) == sum(want.values()) and int(snap.summary["total-data-files"]) == len(plan)
          and all(f.file.file_path.startswith(f"{WH}/events/data/") for f in plan),
          f"summary total-records {snap.summary['total-records']}, total-data-files {snap.summary['total-data-files']}"
          f" = {len(plan)} files under {WH}/events/data/")
    flat = [c["name"] for c in cols if c["type"] in ("string", "bigint", "int", "double", "boolean", "timestamp")]
    check(scan_rows(t, flat) == cat_rows(f"{WH}/events", flat),
          f"pyiceberg's scan = floe cat s3://…/events as multisets ({len(flat)} columns, {sum(want.values())} rows)")
    snaps = sorted(t.metadata.snapshots, key=lambda s: s.sequence_number)
    first, mid = snaps[0], snaps[len(snaps) // 2]
    got = sum(cat_rows(f"{WH}/events", ["id"], "--snapshot", str(first.snapshot_id)).values())
    check(got == int(first.summary["total-records"]), f"cat --snapshot {first.snapshot_id}: {got} rows")
    as_of = dt.datetime.fromtimestamp(mid.timestamp_ms / 1000, dt.timezone.utc).isoformat(timespec="milliseconds")
    got = sum(cat_rows(f"{WH}/events", ["id"], "--as-of", as_of.replace("+00:00", "Z")).values())
    check(got == int(mid.summary["total-records"]), f"cat --as-of {as_of}: {got} rows")
    out = floe("table", "snapshots", "events", "--warehouse", WH, "--json").stdout.splitlines()
    check(len(out) == len(snaps) and json.loads(out[-1])["current"], f"table snapshots: {len(out)} lines")
    out = floe("table", "history", "events", "--warehouse", WH).stdout.splitlines()
    check(len(out) == 1 + len(t.metadata.snapshot_log), f"table history: {len(out) - 1} entries")
    ddl = floe("table", "ddl", "events", "--warehouse", WH, "--engine", "athena").stdout
    check(f"LOCATION '{WH}/events'" in ddl and "'table_type'='ICEBERG'" in ddl, "athena ddl names the s3 location")
    glue = json.loads(floe("table", "ddl", "events", "--warehouse", WH, "--engine", "glue").stdout)
    check(glue["TableInput"]["Parameters"]["metadata_location"] == t.metadata_location, "glue ddl's metadata_location")

    # ---- Floe reads what pyiceberg wrote on s3 ----
    small = os.path.join(tmp, "small.json")
    json.dump([{"name": "id", "type": "bigint"}, {"name": "event_time", "type": "timestamp"},
               {"name": "user_name", "type": "string"}, {"name": "amount", "type": "double"}], open(small, "w"))
    floe("table", "create", "pyt", "--warehouse", WH, "--format", "iceberg", "--columns", small, "--catalog", catalog_url)
    py = cat.load_table(("db", "pyt"))
    t0 = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)

    def batch(lo, hi, extra=None):
        n = hi - lo
        cols = {"id": pa.array(range(lo, hi), pa.int64()),
                "event_time": pa.array([t0 + dt.timedelta(seconds=rng.randrange(86400)) for _ in range(n)], pa.timestamp("us", tz="UTC")),
                "user_name": pa.array([None if rng.random() < 0.1 else f"user{rng.randrange(20)}" for _ in range(n)], pa.string()),
                "amount": pa.array([round(rng.uniform(0, 100), 3) for _ in range(n)], pa.float64())}
        if extra:
            cols.update(extra(n))
        return pa.table(cols, schema=py.schema().as_arrow())

    py.append(batch(0, 300))
    py.append(batch(300, 600))
    py.delete("id < 100")
    with py.update_schema() as u:
        u.add_column("note", __import__("pyiceberg.types", fromlist=["StringType"]).StringType())
        u.rename_column("amount", "value")
    py = cat.load_table(("db", "pyt"))
    py.append(pa.table({"id": pa.array(range(600, 700), pa.int64()),
                        "event_time": pa.array([t0] * 100, pa.timestamp("us", tz="UTC")),
                        "user_name": pa.array(["late"] * 100, pa.string()),
                        "value": pa.array([1.5] * 100, pa.float64()),
                        "note": pa.array([f"n{i}" for i in range(100)], pa.string())}, schema=py.schema().as_arrow()))
    py = cat.load_table(("db", "pyt"))
    pcols = ["id", "event_time", "user_name", "value", "note"]
    check(scan_rows(py, pcols) == cat_rows(f"{WH}/pyt", pcols) and sum(scan_rows(py, pcols).values()) == 600,
          "floe cat of the table pyiceberg appended to, deleted from and evolved on s3 = pyiceberg's scan (600 rows)")
    own = cat.create_table(("db", "pyown"), py.schema(), location=f"{WH}/pyown")
    own.append(py.scan().to_arrow())
    own = cat.load_table(("db", "pyown"))
    check(cat_rows(own.metadata_location, pcols) == scan_rows(own, pcols),
          "floe cat of a metadata file of a table pyiceberg created on s3 = pyiceberg's scan")

    # ---- ingest from stdin with an s3 checkpoint: appended, every record once ----
    floe("table", "create", "ingested", "--warehouse", WH, "--format", "iceberg", "--columns", small, "--catalog", catalog_url)
    stream = "".join(json.dumps({"id": i, "event_time": "2026-12-01T00:00:00Z", "user_name": f"u{i}", "amount": i / 4})
                     + "\n" for i in range(120))
    p = subprocess.run([FLOE, "ingest", "--warehouse", WH, "--table", "ingested", "--quiet", "--buffer-size", "2KiB",
                        "--checkpoint", f"s3://{BUCKET}/checkpoints/ingested.json"], input=stream, text=True,
                       capture_output=True, env=ENV)
    check(p.returncode == 0, f"ingest --checkpoint s3:// exits 0 ({p.stderr.strip()[-200:]})")
    ing = cat.load_table(("db", "ingested"))
    got = collections.Counter(r["id"] for r in ing.scan().to_arrow().to_pylist())
    check(got == collections.Counter(range(120)) and ing.current_snapshot() is not None,
          f"ingest into the s3 Iceberg table: {sum(got.values())} rows in {len(ing.metadata.snapshots)} snapshots, each once")

    # ---- aggregate and merge: overwrite snapshots on s3 ----
    floe("aggregate", "--warehouse", WH, "--table", "events", "--group-by", "event_type", "--count", "id",
         "--into", "by_type", "--quiet")
    agg = cat.load_table(("db", "by_type"))
    got = collections.Counter((r["event_type"], r["count_id"]) for r in agg.scan().to_arrow().to_pylist())
    types = collections.Counter(r["event_type"] for r in t.scan(selected_fields=("event_type",)).to_arrow().to_pylist())
    check(got == collections.Counter(types.items()) and agg.location() == f"{WH}/by_type",
          f"aggregate into a new Iceberg table on s3 ({len(got)} groups)")
    floe("table", "create", "serving", "--warehouse", WH, "--format", "iceberg", "--columns", small, "--catalog", catalog_url)
    expect = {}
    for n, lo in enumerate((0, 150)):
        ids = list(range(lo, lo + 200))
        tbl = pa.table({"id": pa.array(ids, pa.int64()),
                        "event_time": pa.array([t0] * len(ids), pa.timestamp("us", tz="UTC")),
                        "user_name": pa.array([f"u{i % 7}" for i in ids], pa.string()),
                        "amount": pa.array([float(i % 13) for i in ids], pa.float64())})
        buf = pa.BufferOutputStream()
        pq.write_table(tbl, buf)
        s3.put_object(Bucket=BUCKET, Key=f"wh/delta{n}/part-0.parquet", Body=buf.getvalue().to_pybytes())
        floe("merge", "--warehouse", WH, "--base", "serving", "--delta", f"delta{n}", "--key", "id", "--sum", "amount",
             "--into", "serving", "--quiet")
        for i in ids:
            expect[i] = expect.get(i, 0.0) + float(i % 13)
    sv = cat.load_table(("db", "serving"))
    got = {r["id"]: r["amount"] for r in sv.scan().to_arrow().to_pylist()}
    diff = sorted((k, got.get(k), expect.get(k)) for k in set(got) | set(expect) if got.get(k) != expect.get(k))
    op = sv.current_snapshot().summary.operation.value
    check(not diff and op == "overwrite", f"two merges into an s3 Iceberg table: {len(got)} keys, {op} snapshot"
          f" ({len(diff)} keys differ, e.g. {diff[:3]})")

    # ---- expire-snapshots, then only reachable files plus exactly what remove-orphan-files removes ----
    out = json.loads(floe("table", "expire-snapshots", "events", "--warehouse", WH, "--older-than", "0s",
                          "--retain-last", "2", "--json").stdout)
    t = cat.load_table(ident)
    check(len(t.metadata.snapshots) == 2 and out["deleted_files"] > 0 and scan_ids("after expiry") == want,
          f"expire-snapshots: {len(out['expired_snapshots'])} expired, {out['deleted_files']} files deleted, rows kept")
    files = listing(s3, "wh/events/data/") | listing(s3, "wh/events/metadata/")
    keep = reachable(t) | {f"{WH}/events/metadata/version-hint.text"}
    stray = files - keep
    out = json.loads(floe("table", "remove-orphan-files", "events", "--warehouse", WH, "--older-than", "0s", "--json").stdout)
    check(set(out["orphan_files"]) == stray, f"remove-orphan-files lists exactly the {len(stray)} unreachable objects"
          f" ({len(out['orphan_files'])} listed; e.g. {sorted(stray)[:2]})")
    after = listing(s3, "wh/events/data/") | listing(s3, "wh/events/metadata/")
    check(after == files & keep and not (keep - after - {f'{WH}/events/metadata/version-hint.text'}),
          f"after remove-orphan-files: {len(after)} objects, all reachable, none missing")
    check(scan_ids("after remove-orphan-files") == want, "the table reads the same after the clean-up")
    print(f"iceberg_s3: {len(lines)} lines ({len(bad)} bad), {kills} SIGKILLs, {len(snaps)} snapshots, "
          f"{len(stray)} stray files from the kills, {time.time() - t_start:.1f} s")


main()
for f in FAILS:
    print("FAIL:", f)
print("iceberg_s3:", "FAILED" if FAILS else "ok")
sys.exit(1 if FAILS else 0)
