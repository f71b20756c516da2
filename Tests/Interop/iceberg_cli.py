#!/usr/bin/env python3
"""Issue 17, done-when 1 through the command line: Iceberg tables that `floe table create --format iceberg` makes
and `floe merge` fills, loaded by pyiceberg's SqlCatalog from the warehouse's SQLite file and from PostgreSQL.

    Tests/Interop/iceberg_cli.py FLOE          (PostgreSQL part: under scripts/with_postgres.sh, which sets
                                               FLOE_TEST_POSTGRES_URL; FLOE_REQUIRE_POSTGRES=1 fails without it)

For each catalog: a table partitioned by hour(event_time), filled by three `floe merge` runs (each an overwrite
snapshot: base rows plus the new keys of a staging table that pyarrow wrote); then pyiceberg checks the schema's
field ids and types, the partition spec (hour transform on event_time's field id, field id 1000), the snapshot
summaries (`total-records`, `total-data-files` equal to the rows and the files of the current snapshot, the
parent chain), that its scan equals `floe cat` as multisets (also `--snapshot` of the first snapshot and
`--as-of` its commit time), and that a scan filtered on one hour of event_time plans only that hour's files.
Then `floe table snapshots|history|ddl`, `expire-snapshots` (old files gone, pyiceberg still reads the table),
`remove-orphan-files` (a stray file removed, the table's own files kept), and `aggregate` into a new Iceberg
table (equal to DuckDB's GROUP BY over pyiceberg's rows).
"""
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.expressions import And, GreaterThanOrEqual, LessThan
from pyiceberg.transforms import HourTransform

FLOE = sys.argv[1]
T0 = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.timezone.utc)
HOURS = 6


def run(*args, expect=0):
    p = subprocess.run([FLOE, *args], capture_output=True, text=True)
    if p.returncode != expect:
        raise SystemExit(f"FAIL: floe {' '.join(args)} exited {p.returncode} (want {expect}): {p.stderr.strip()}")
    return p.stdout


def check(cond, msg):
    if not cond:
        raise SystemExit("FAIL: " + msg)


def micros(v):
    """A timestamp as microseconds since the epoch (pyiceberg's datetime, or floe's ISO 8601 text)."""
    if isinstance(v, str):
        v = dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
    if v.tzinfo is None:
        v = v.replace(tzinfo=dt.timezone.utc)
    return int(v.timestamp() * 1_000_000)


def norm(row):
    return (row["id"], micros(row["event_time"]) if row["event_time"] is not None else None, row["user_name"],
            None if row["amount"] is None else round(row["amount"], 9))


def floe_rows(*args):
    return Counter(norm(json.loads(l)) for l in run("cat", *args).splitlines() if l)


def pyiceberg_rows(table, snapshot_id=None):
    return Counter(norm(r) for r in table.scan(snapshot_id=snapshot_id).to_arrow().to_pylist())


def staging(wh, name, ids, rng):
    os.makedirs(f"{wh}/{name}", exist_ok=True)
    times = [T0 + dt.timedelta(minutes=rng.randrange(HOURS * 60), seconds=rng.randrange(60)) for _ in ids]
    tbl = pa.table({
        "id": pa.array(ids, pa.int64()),
        "event_time": pa.array(times, pa.timestamp("us", tz="UTC")),
        "user_name": pa.array([None if rng.random() < 0.1 else f"user{rng.randrange(50)}" for _ in ids], pa.string()),
        "amount": pa.array([None if rng.random() < 0.1 else round(rng.uniform(0, 100), 3) for _ in ids], pa.float64()),
    })
    pq.write_table(tbl, f"{wh}/{name}/part-0.parquet")


def scenario(label, catalog_url, sql_uri, database):
    rng = random.Random(17)
    t_start = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        wh = os.path.join(tmp, "wh")
        run("warehouse", "init", wh, "--name", database)
        cols = os.path.join(tmp, "cols.json")
        with open(cols, "w") as f:
            json.dump([{"name": "id", "type": "bigint"}, {"name": "event_time", "type": "timestamp"},
                       {"name": "user_name", "type": "string", "comment": "who"}, {"name": "amount", "type": "double"}], f)
        extra = ["--catalog", catalog_url] if catalog_url else []
        run("table", "create", "events", "--warehouse", wh, "--format", "iceberg", "--columns", cols,
            "--partition-spec", "hour(event_time)", *extra)
        # a name clash and a bad spec are usage errors (exit 2) with one line naming the cause
        p = subprocess.run([FLOE, "table", "create", "events", "--warehouse", wh, "--format", "iceberg", "--columns", cols],
                           capture_output=True, text=True)
        check(p.returncode == 2 and "events" in p.stderr and len(p.stderr.strip().splitlines()) == 1, f"duplicate create: {p.returncode} {p.stderr!r}")
        p = subprocess.run([FLOE, "table", "create", "bad", "--warehouse", wh, "--format", "iceberg", "--columns", cols,
                            "--partition-spec", "hour(nope)", *extra], capture_output=True, text=True)
        check(p.returncode == 2 and "nope" in p.stderr, f"bad partition spec: {p.returncode} {p.stderr!r}")
        entry = json.loads(run("table", "show", "events", "--warehouse", wh, "--json"))
        check(entry["format"] == "iceberg" and entry["properties"].get("iceberg.catalog"), f"catalog entry {entry}")
        check(os.path.exists(f"{wh}/events/metadata/version-hint.text"), "no version-hint.text")

        # three batches through merge: each an overwrite snapshot (all rows so far + new keys; overlapping keys add amount)
        next_id = 0
        snapshots_rows = []
        for batch in range(3):
            ids = list(range(next_id, next_id + 150)) + rng.sample(range(next_id), min(next_id, 20))
            next_id += 150
            staging(wh, f"stage{batch}", ids, rng)
            run("merge", "--warehouse", wh, "--base", "events", "--delta", f"stage{batch}", "--key", "id",
                "--sum", "amount", "--into", "events", "--quiet")
            snapshots_rows.append(floe_rows(f"{wh}/events"))

        cat = SqlCatalog("floe", uri=sql_uri(wh), warehouse=f"file://{wh}")
        t = cat.load_table(f"{database}.events")
        # schema with field ids, in order, optional columns
        fields = [(f.field_id, f.name, str(f.field_type), f.required) for f in t.schema().fields]
        check(fields == [(1, "id", "long", False), (2, "event_time", "timestamptz", False),
                         (3, "user_name", "string", False), (4, "amount", "double", False)], f"schema {fields}")
        check(t.schema().find_field("user_name").doc == "who", "column comment not kept as doc")
        spec = t.spec()
        check(len(spec.fields) == 1 and isinstance(spec.fields[0].transform, HourTransform)
              and spec.fields[0].source_id == 2 and spec.fields[0].field_id == 1000
              and spec.fields[0].name == "event_time_hour", f"spec {spec}")
        # summaries and the parent chain
        snaps = t.metadata.snapshots
        check(len(snaps) == 3, f"{len(snaps)} snapshots, want 3")
        for i, s in enumerate(snaps):
            check(s.parent_snapshot_id == (snaps[i - 1].snapshot_id if i else None), "snapshots do not form a chain")
        cur = t.current_snapshot()
        rows = pyiceberg_rows(t)
        files = list(t.scan().plan_files())
        check(int(cur.summary["total-records"]) == sum(rows.values()) == 450, f"total-records {cur.summary['total-records']} vs {sum(rows.values())}")
        check(int(cur.summary["total-data-files"]) == len(files), f"total-data-files {cur.summary['total-data-files']} vs {len(files)} planned")
        check(cur.summary.operation.value == "overwrite", f"operation {cur.summary.operation}")
        # rows: pyiceberg's scan == floe cat, for the current snapshot, --snapshot of the first, --as-of the second
        check(rows == snapshots_rows[-1], "pyiceberg's scan differs from floe cat")
        check(pyiceberg_rows(t, snaps[0].snapshot_id) == floe_rows(f"{wh}/events", "--snapshot", str(snaps[0].snapshot_id)) == snapshots_rows[0],
              "--snapshot of the first snapshot differs")
        as_of = dt.datetime.fromtimestamp(snaps[1].timestamp_ms / 1000, dt.timezone.utc).isoformat(timespec="milliseconds")
        check(floe_rows(f"{wh}/events", "--as-of", as_of) == snapshots_rows[1], "--as-of the second snapshot differs")
        check(len(run("head", "-n", "7", f"{wh}/events").splitlines()) == 7, "head -n 7")
        p = subprocess.run([FLOE, "cat", f"{wh}/events", "--snapshot", "12345"], capture_output=True, text=True)
        check(p.returncode == 2 and "12345" in p.stderr, f"unknown snapshot: {p.returncode} {p.stderr!r}")
        # a filter on one hour plans only that hour's files
        hour = T0 + dt.timedelta(hours=2)
        planned = list(t.scan(row_filter=And(GreaterThanOrEqual("event_time", hour.isoformat()),
                                             LessThan("event_time", (hour + dt.timedelta(hours=1)).isoformat()))).plan_files())
        want_hour = int(hour.timestamp() // 3600)
        check(planned and all(f.file.partition[0] == want_hour for f in planned), "the hour filter planned other hours' files")
        check(len(planned) == sum(1 for f in files if f.file.partition[0] == want_hour) < len(files),
              f"planned {len(planned)} of {len(files)} files for one hour")

        # snapshots / history / ddl
        lines = [json.loads(l) for l in run("table", "snapshots", "events", "--warehouse", wh, "--json").splitlines()]
        check([l["snapshot_id"] for l in lines] == [s.snapshot_id for s in snaps] and lines[-1]["current"], "table snapshots")
        hist = [json.loads(l) for l in run("table", "history", "events", "--warehouse", wh, "--json").splitlines()]
        check([h["snapshot_id"] for h in hist] == [s.snapshot_id for s in snaps] and all(h["is_current_ancestor"] for h in hist), "table history")
        athena = run("table", "ddl", "events", "--warehouse", wh, "--engine", "athena", "--location", "s3://bucket/wh")
        check("'table_type'='ICEBERG'" in athena and "PARTITIONED BY (hour(`event_time`))" in athena
              and "LOCATION 's3://bucket/wh/events'" in athena, f"athena ddl: {athena}")
        glue = json.loads(run("table", "ddl", "events", "--warehouse", wh, "--engine", "glue", "--location", "s3://bucket/wh"))
        params = glue["TableInput"]["Parameters"]
        check(params["table_type"] == "ICEBERG" and params["metadata_location"] == "s3://bucket/wh/events/metadata/"
              + os.path.basename(t.metadata_location), f"glue ddl {params} vs {t.metadata_location}")
        duck = run("table", "ddl", "events", "--warehouse", wh, "--engine", "duckdb")
        check(f"iceberg_scan('{t.metadata_location.removeprefix('file://')}')" in duck, f"duckdb ddl: {duck}")

        # aggregate into a new Iceberg table (created because the source is one): equal to DuckDB's GROUP BY
        run("aggregate", "--warehouse", wh, "--table", "events", "--group-by", "user_name", "--count", "id",
            "--sum", "amount", "--into", "by_user", "--quiet")
        agg = cat.load_table(f"{database}.by_user")
        got = Counter((r["user_name"], r["count_id"], None if r["sum_amount"] is None else round(r["sum_amount"], 6))
                      for r in agg.scan().to_arrow().to_pylist())
        src = t.scan().to_arrow()
        want = Counter((u, c, None if s is None else round(s, 6)) for u, c, s in duckdb.sql(
            "SELECT user_name, count(id), sum(amount) FROM src GROUP BY user_name").fetchall())
        check(got == want, "aggregate into Iceberg differs from DuckDB")

        # expire-snapshots: only the current snapshot is left, its files all there, the others' files gone
        before = {os.path.join(d, f) for d, _, fs in os.walk(f"{wh}/events/data") for f in fs}
        out = json.loads(run("table", "expire-snapshots", "events", "--warehouse", wh, "--older-than", "0s",
                             "--retain-last", "1", "--json"))
        check(len(out["expired_snapshots"]) == 2 and out["deleted_files"] > 0, f"expire: {out}")
        t = cat.load_table(f"{database}.events")
        check(len(t.metadata.snapshots) == 1 and pyiceberg_rows(t) == snapshots_rows[-1], "rows after expiry")
        after = {os.path.join(d, f) for d, _, fs in os.walk(f"{wh}/events/data") for f in fs}
        live = {f.file.file_path.removeprefix("file://") for f in t.scan().plan_files()}
        check(after == live and after < before, f"after expiry {len(after)} files, {len(live)} live, {len(before)} before")
        # remove-orphan-files: a stray file goes, nothing the table references does
        stray = f"{wh}/events/data/event_time_hour=2026-12-01-02/stray.parquet"
        with open(stray, "wb") as f:
            f.write(b"junk")
        time.sleep(0.05)
        out = json.loads(run("table", "remove-orphan-files", "events", "--warehouse", wh, "--older-than", "0s", "--json"))
        check(out["orphan_files"] == [stray] and not os.path.exists(stray), f"orphans: {out}")
        check(pyiceberg_rows(cat.load_table(f"{database}.events")) == snapshots_rows[-1], "rows after remove-orphan-files")
        run("table", "drop", "events", "--warehouse", wh, "--purge")
        check(f"{database}.events" not in [".".join(i) for i in cat.list_tables(database)], "dropped table still in the SQL catalog")
    print(f"iceberg_cli [{label}]: ok: 3 merge snapshots of 450 rows, {len(files)} files, {len(planned)} planned for one hour; "
          f"aggregate, expiry, orphans ({time.time() - t_start:.1f} s)")


def main():
    scenario("sqlite", None, lambda wh: f"sqlite:///{wh}/iceberg-catalog.db", "analytics")
    pg = os.environ.get("FLOE_TEST_POSTGRES_URL")
    if pg:
        scenario("postgresql", pg, lambda wh: "postgresql+psycopg2://" + pg.split("://", 1)[1].split("?")[0], "analytics_pg")
    elif os.environ.get("FLOE_REQUIRE_POSTGRES") == "1":
        raise SystemExit("FAIL: FLOE_TEST_POSTGRES_URL is not set (run under scripts/with_postgres.sh)")
    else:
        print("iceberg_cli [postgresql]: skipped (no FLOE_TEST_POSTGRES_URL)")


if __name__ == "__main__":
    main()
