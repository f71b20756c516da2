#!/usr/bin/env python3
"""End to end: scripts/demo_pipeline.sh (the `make demo` pipeline: ingest -> partitions sync -> batch and speed
layer aggregates -> merge), then DuckDB queries the same warehouse through the DDL floe prints and must get the
same numbers as the serving layer.

Usage: e2e_warehouse.py FLOE_BINARY. Prints "N passed, N failed"; exit status 0 when all hold.
"""
import json
import os
import subprocess
import sys
import tempfile

import duckdb

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FLOE = os.path.abspath(sys.argv[1])
passed, failed = 0, 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def floe(*args):
    return subprocess.run([FLOE, *args], check=True, capture_output=True, text=True).stdout


with tempfile.TemporaryDirectory() as tmp:
    w = os.path.join(tmp, "warehouse")
    subprocess.run(["bash", os.path.join(ROOT, "scripts", "demo_pipeline.sh"), FLOE, w], check=True,
                   stdout=subprocess.DEVNULL)
    # Every ingested record is converted or in the error output.
    for h in range(3):
        s = json.load(open(os.path.join(w, f".ingest-0{h}.json")))
        check(s["records_in"] == 4000 and s["records_in"] == s["records_converted"] + s["records_failed"]
              and s["records_failed"] == 20, f"ingest stats hour {h}: {s}")
    serving = {}
    for line in floe("cat", os.path.join(w, "serving_layer")).splitlines():
        r = json.loads(line)
        serving[r["location"]] = (r["count_id"], r["sum_followers_count"], r["sum_favorite_count"],
                                  r["sum_retweet_count"])
    check(len(serving) > 0, "serving layer has rows")
    con = duckdb.connect()
    con.execute(floe("table", "ddl", "events", "--warehouse", w, "--engine", "duckdb"))
    con.execute(floe("table", "ddl", "serving_layer", "--warehouse", w, "--engine", "duckdb"))
    raw = {r[0]: tuple(r[1:]) for r in con.execute(
        'SELECT location, count(id), sum("user".followers_count), sum("user".favorite_count), sum(retweet_count) '
        'FROM events GROUP BY location').fetchall()}
    check(raw == serving, f"DuckDB over the raw events equals the serving layer:\n  duckdb {raw}\n  floe {serving}")
    view = {r[0]: tuple(r[1:]) for r in con.execute(
        "SELECT location, count_id, sum_followers_count, sum_favorite_count, sum_retweet_count FROM serving_layer"
    ).fetchall()}
    check(view == serving, "DuckDB's view of the serving layer equals floe cat")
    parts = con.execute("SELECT DISTINCT inserted_at FROM events ORDER BY 1").fetchall()
    check([p[0] for p in parts] == ["2024/03/01/00", "2024/03/01/01", "2024/03/01/02"], f"partitions {parts}")
    total = con.execute("SELECT count(*) FROM events").fetchone()[0]
    check(total == 3 * (4000 - 20), f"rows in events: {total}")

print(f"e2e warehouse: {passed} passed, {failed} failed")
sys.exit(0 if failed == 0 else 1)
