#!/usr/bin/env python3
"""Concurrent writers on one Iceberg table (issue 17, done-when 3).

usage: iceberg_concurrency.py FLOE [--catalog sqlite|postgresql] [--commits 20] [--writers 4]

4 `floe convert` processes (each 20 input files with --buffer-size 1, so each file is one flush: 20 commits) and
1 pyiceberg writer (20 appends, retried on CommitFailedException after reloading the table) append to one table at
once. The catalog is SQLite in the warehouse folder, or PostgreSQL (FLOE_TEST_POSTGRES_URL, see
scripts/with_postgres.sh). Checks: every writer succeeds; the current snapshot's total-records equals the sum of
all appends and the rows scanned; every snapshot lies on the current snapshot's parent chain (one chain, no lost
commit); every record is in the table exactly once.
"""
import argparse, collections, json, os, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iceberg_support import BENCH, make_table  # noqa: E402

RETRY = {"commit.retry.num-retries": "200", "commit.retry.min-wait-ms": "5", "commit.retry.max-wait-ms": "200",
         "commit.retry.total-timeout-ms": "240000"}


def python_writer(warehouse, url, ident, commits, rows):
    """Runs in a child process: `commits` appends of `rows` rows each, every one retried until it lands."""
    import pyarrow as pa
    from pyiceberg.exceptions import CommitFailedException
    from iceberg_support import catalog
    cat = catalog(warehouse, url)
    arrow_schema = cat.load_table(ident).schema().as_arrow()
    n = 0
    for c in range(commits):
        cols = {f.name: pa.nulls(rows, f.type) for f in arrow_schema}
        cols["id"] = pa.array([f"py-{c}-{i}" for i in range(rows)], pa.large_string() if pa.types.is_large_string(arrow_schema.field("id").type) else pa.string())
        batch = pa.table(cols, schema=arrow_schema)
        for attempt in range(400):
            try:
                cat.load_table(ident).append(batch)
                break
            except CommitFailedException:
                time.sleep(0.005 * (1 + attempt % 10))
        else:
            raise SystemExit(f"python writer: commit {c} lost 400 times")
        n += 1
    print(n)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("floe")
    ap.add_argument("--catalog", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--commits", type=int, default=20)
    ap.add_argument("--writers", type=int, default=4)
    ap.add_argument("--records", type=int, default=80, help="records per input file (per floe commit)")
    ap.add_argument("--python-writer", nargs=4, metavar=("WH", "URL", "COMMITS", "ROWS"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.python_writer:
        wh, url, commits, rows = a.python_writer
        python_writer(wh, None if url == "-" else url, ("db", "events"), int(commits), int(rows))
        return 0
    if not os.path.exists(os.path.join(BENCH, "gen_events.py")):
        print(f"iceberg concurrency test: skipped: {BENCH}/gen_events.py is not there (set FLOE_SHARED_BENCH)")
        return 0
    url = None
    if a.catalog == "postgresql":
        url = os.environ.get("FLOE_TEST_POSTGRES_URL")
        if not url:
            print("iceberg concurrency test: FAILED: no FLOE_TEST_POSTGRES_URL (run under scripts/with_postgres.sh)")
            return 1
    fails = []
    py_rows = 10
    with tempfile.TemporaryDirectory() as tmp:
        wh = os.path.join(tmp, "wh")
        cat, ident = make_table(a.floe, wh, "events", url=url, properties=RETRY)
        n_files = a.writers * a.commits
        src = os.path.join(tmp, "events.ndjson")
        subprocess.run([sys.executable, os.path.join(BENCH, "gen_events.py"), "--records", str(n_files * a.records),
                        "-o", src], check=True, stderr=subprocess.DEVNULL)
        lines = open(src, "rb").read().split(b"\n")[:-1]
        inputs = []
        for w in range(a.writers):
            files = []
            for c in range(a.commits):
                k = w * a.commits + c
                p = os.path.join(tmp, f"in-{w}-{c:02d}.ndjson")
                with open(p, "wb") as f:
                    f.write(b"\n".join(lines[k * a.records:(k + 1) * a.records]) + b"\n")
                files.append(p)
            inputs.append(files)
        t0 = time.time()
        procs = [subprocess.Popen([a.floe, "convert", "--warehouse", wh, "--table", "events", "--buffer-size", "1",
                                   "--jobs", "1", "--quiet", "--arrival-time", "2024-03-01T10:00:00Z"] + files,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for files in inputs]
        procs.append(subprocess.Popen([sys.executable, os.path.abspath(__file__), a.floe, "--python-writer", wh, url or "-",
                                       str(a.commits), str(py_rows)], stdout=subprocess.PIPE, stderr=subprocess.PIPE))
        for i, p in enumerate(procs):
            try:
                out, err = p.communicate(timeout=600)
            except subprocess.TimeoutExpired:
                p.kill()
                out, err = p.communicate()
                fails.append(f"writer {i}: still running after 600 s")
            if p.returncode != 0:
                fails.append(f"writer {i}: exit {p.returncode}: {err.decode()[-400:]}")
        wall = time.time() - t0
        tbl = cat.load_table(ident)
        snaps = tbl.metadata.snapshots
        chain, cur = [], tbl.current_snapshot()
        while cur is not None:
            chain.append(cur)
            cur = tbl.snapshot_by_id(cur.parent_snapshot_id) if cur.parent_snapshot_id is not None else None
        want_commits = a.writers * a.commits + a.commits
        if len(snaps) != want_commits:
            fails.append(f"{len(snaps)} snapshots, want {want_commits} ({a.writers} x {a.commits} floe + {a.commits} pyiceberg)")
        if len(chain) != len(snaps):
            fails.append(f"{len(snaps)} snapshots, {len(chain)} on the current snapshot's parent chain")
        want_total = len(lines) + a.commits * py_rows
        total = int(tbl.current_snapshot().summary["total-records"]) if chain else 0
        added = sum(int(s.summary.get("added-records", 0)) for s in chain)
        if total != want_total or added != want_total:
            fails.append(f"total-records {total}, sum of added-records {added}, want {want_total}")
        ids = collections.Counter(tbl.scan(selected_fields=("id",)).to_arrow().column("id").to_pylist())
        want = collections.Counter([json.loads(l)["id"] for l in lines] +
                                   [f"py-{c}-{i}" for c in range(a.commits) for i in range(py_rows)])
        if ids != want:
            fails.append(f"scan: {sum(ids.values())} rows, want {sum(want.values())} "
                         f"({sum((ids - want).values())} extra, {sum((want - ids).values())} missing)")
        floe_snaps = sum(1 for s in snaps if s.summary.get("added-records") == str(a.records))
        print(f"iceberg_concurrency ({a.catalog}): {a.writers} floe x {a.commits} + pyiceberg x {a.commits} commits in "
              f"{wall:.1f}s; {len(snaps)} snapshots ({floe_snaps} of {a.records} records), total-records {total}")
    for f in fails:
        print("FAIL:", f)
    print(f"iceberg_concurrency ({a.catalog}):", "FAILED" if fails else "ok")
    return 1 if fails else 0


sys.exit(main())
