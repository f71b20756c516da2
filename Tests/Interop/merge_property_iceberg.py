#!/usr/bin/env python3
"""Issue 17, done-when 5: the serving layer on Iceberg. The batch, speed and serving layers are Iceberg tables of
the warehouse's SQL catalog; `floe merge` writes the serving layer as one overwrite snapshot.

    Tests/Interop/merge_property_iceberg.py FLOE [--cases N] [--seed S] [--max-rows R] [--merges M]

For random batch and speed layers (keys only in one, in both; null measures; empty layers; a composite key),
created with `floe table create --format iceberg` and filled by pyiceberg (a second writer, so Floe reads
pyiceberg's data files), it runs

    floe merge --base batch_layer --delta speed_layer --key location --sum count_id … --into serving_layer

(the serving layer is created as an Iceberg table because its sources are) and compares pyiceberg's scan of the
serving layer, as a multiset, with DuckDB running the seed's serving-layer SQL (Tests/Interop/merge_property.py)
on pyiceberg's scans of the two layers. Then a reader thread loads and scans the serving layer through pyiceberg
while M merges (default 50) of the speed layer into the serving layer itself commit: every read must be a state
that some commit produced (rows and measure sums), never a mixture, and the snapshots form one parent chain of
overwrites.
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter

import duckdb
import pyarrow as pa
from pyiceberg.catalog.sql import SqlCatalog

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from merge_property import MEASURES  # noqa: E402

NAMES = [m for m, _ in MEASURES]


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"FAIL: {' '.join(cmd)} exited {p.returncode}: {p.stderr.strip()}")
    return p.stdout


def layers(rng, n_base, n_delta, overlap, null_rate, composite):
    pool = rng.sample(range(10 * (n_base + n_delta) + 10), n_base + n_delta)
    base_keys = pool[:n_base]
    n_both = min(n_base, int(n_delta * overlap))
    delta_keys = rng.sample(base_keys, n_both) + pool[n_base:n_base + n_delta - n_both]
    rng.shuffle(delta_keys)
    key_schema = [("location", pa.string())] + ([("lang", pa.string())] if composite else [])
    schema = pa.schema(key_schema + [(m, pa.int64()) for m in NAMES])

    def table(keys):
        cols = {"location": [f"loc{k // 3}" if composite else f"loc{k}" for k in keys]}
        if composite:
            cols["lang"] = [["en", "fr", "de"][k % 3] for k in keys]
        for m in NAMES:
            cols[m] = [None if rng.random() < null_rate else rng.randint(0, 10**9) for _ in keys]
        return pa.table(cols, schema=schema)
    return table(base_keys), table(delta_keys)


def duckdb_serving(base, delta, keys):
    con = duckdb.connect()
    con.register("batch_layer", base)
    con.register("speed_layer", delta)
    con.execute("CREATE TABLE serving_tmp AS SELECT * FROM batch_layer")
    sets = ", ".join(f"{m} = coalesce(serving_tmp.{m} + speed_layer.{m}, serving_tmp.{m}, speed_layer.{m})" for m in NAMES)
    where = " AND ".join(f"serving_tmp.{k} = speed_layer.{k}" for k in keys)
    con.execute(f"UPDATE serving_tmp SET {sets} FROM speed_layer WHERE {where}")
    match = " AND ".join(f"s.{k} = speed_layer.{k}" for k in keys)
    con.execute(f"INSERT INTO serving_tmp SELECT * FROM speed_layer WHERE NOT EXISTS (SELECT 1 FROM serving_tmp s WHERE {match})")
    rows = con.execute("SELECT * FROM serving_tmp").fetchall()
    con.close()
    return rows


def setup(floe, wh, db, base, delta, composite):
    run([floe, "warehouse", "init", wh, "--name", db])
    cols = wh + ".cols.json"
    with open(cols, "w") as f:
        json.dump([{"name": "location", "type": "string"}] + ([{"name": "lang", "type": "string"}] if composite else [])
                  + [{"name": m, "type": "bigint"} for m in NAMES], f)
    for name, data in (("batch_layer", base), ("speed_layer", delta)):
        run([floe, "table", "create", name, "--warehouse", wh, "--format", "iceberg", "--columns", cols])
    cat = SqlCatalog("floe", uri=f"sqlite:///{wh}/iceberg-catalog.db", warehouse=f"file://{wh}")
    for name, data in (("batch_layer", base), ("speed_layer", delta)):
        if data.num_rows:
            cat.load_table(f"{db}.{name}").append(data)
    return cat


def merge_cmd(floe, wh, keys, base="batch_layer", into="serving_layer"):
    cmd = [floe, "merge", "--warehouse", wh, "--base", base, "--delta", "speed_layer", "--into", into, "--quiet"]
    for k in keys:
        cmd += ["--key", k]
    for m in NAMES:
        cmd += ["--sum", m]
    return cmd


def rows_of(cat, name):
    t = cat.load_table(name).scan().to_arrow()
    return Counter(tuple(r.values()) for r in t.to_pylist())


def one_case(floe, tmp, rng, case, n_base, n_delta, composite):
    wh = os.path.join(tmp, f"wh{case}")
    base, delta = layers(rng, n_base, n_delta, rng.choice([0.0, 0.3, 0.7, 1.0]), rng.choice([0.0, 0.1, 0.5]), composite)
    cat = setup(floe, wh, "db", base, delta, composite)
    keys = ["location", "lang"] if composite else ["location"]
    if n_base == 0 and n_delta == 0:
        # nothing to merge: a clear error, and no serving table appears
        p = subprocess.run(merge_cmd(floe, wh, keys), capture_output=True, text=True)
        if p.returncode == 0 or len(p.stderr.strip().splitlines()) != 1:
            raise SystemExit(f"FAIL case {case}: merging two empty layers: exit {p.returncode}, {p.stderr!r}")
        shutil.rmtree(wh)
        return 0
    run(merge_cmd(floe, wh, keys))
    got = rows_of(cat, "db.serving_layer")
    # DuckDB on the layers as pyiceberg reads them
    b = cat.load_table("db.batch_layer").scan().to_arrow()
    d = cat.load_table("db.speed_layer").scan().to_arrow()
    want = Counter(duckdb_serving(b, d, keys))
    if got != want:
        raise SystemExit(f"FAIL case {case} (base {n_base}, delta {n_delta}, composite {composite}): "
                         f"floe-only {list((got - want).items())[:3]}, duckdb-only {list((want - got).items())[:3]}")
    snap = cat.load_table("db.serving_layer").current_snapshot()
    if int(snap.summary["total-records"]) != sum(got.values()):
        raise SystemExit(f"FAIL case {case}: total-records {snap.summary['total-records']} != {sum(got.values())} rows")
    shutil.rmtree(wh)
    return sum(got.values())


def reader_during_merges(floe, tmp, rng, merges):
    wh = os.path.join(tmp, "whr")
    base, delta = layers(rng, 5000, 500, 0.5, 0.0, False)
    cat = setup(floe, wh, "db", base, delta, False)
    run(merge_cmd(floe, wh, ["location"]))

    def state(table):
        t = table.scan().to_arrow()
        return (t.num_rows, sum(x for x in t.column("count_id").to_pylist() if x is not None))
    valid = {state(cat.load_table("db.serving_layer"))}
    stop = threading.Event()
    seen, errors = [], []

    def reader():
        rcat = SqlCatalog("floe", uri=f"sqlite:///{wh}/iceberg-catalog.db", warehouse=f"file://{wh}")
        while not stop.is_set():
            try:
                seen.append(state(rcat.load_table("db.serving_layer")))
            except Exception as e:  # noqa: BLE001
                errors.append(f"{type(e).__name__}: {e}")
    th = threading.Thread(target=reader)
    th.start()
    try:
        for _ in range(merges):
            run(merge_cmd(floe, wh, ["location"], base="serving_layer", into="serving_layer"))
            valid.add(state(cat.load_table("db.serving_layer")))
    finally:
        stop.set()
        th.join()
    bad = [s for s in seen if s not in valid]
    if errors or bad or not seen:
        raise SystemExit(f"FAIL concurrent reader: {len(seen)} reads, {len(errors)} errors (e.g. {errors[:1]}), "
                         f"{len(bad)} reads of no committed state (e.g. {bad[:2]})")
    t = cat.load_table("db.serving_layer")
    snaps = t.metadata.snapshots
    if len(snaps) != merges + 1 or any(s.parent_snapshot_id != p.snapshot_id for p, s in zip(snaps, snaps[1:])):
        raise SystemExit(f"FAIL: {len(snaps)} snapshots after {merges + 1} merges, or not one parent chain")
    if any(s.summary.operation.value != "overwrite" for s in snaps[1:]):
        raise SystemExit("FAIL: a merge committed something other than an overwrite snapshot")
    return len(seen), len({s for s in seen})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("floe")
    ap.add_argument("--cases", type=int, default=12)
    ap.add_argument("--seed", type=int, default=int.from_bytes(os.urandom(4), "little"))
    ap.add_argument("--max-rows", type=int, default=10_000)
    ap.add_argument("--merges", type=int, default=50)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    print(f"merge_property_iceberg: seed {a.seed}, {a.cases} cases")
    tmp = tempfile.mkdtemp(prefix="floe-merge-ice-")
    t0 = time.time()
    try:
        sizes = [(0, 0), (0, 5), (5, 0), (1, 1), (a.max_rows, a.max_rows // 10), (a.max_rows // 10, a.max_rows)]
        total = 0
        for case in range(a.cases):
            nb, nd = sizes[case] if case < len(sizes) else (rng.randint(0, 2000), rng.randint(0, 2000))
            total += one_case(a.floe, tmp, rng, case, nb, nd, case % 5 == 4)
        print(f"merge_property_iceberg: {a.cases} cases agree with DuckDB ({total} rows in all, {time.time() - t0:.1f} s)")
        reads, states = reader_during_merges(a.floe, tmp, rng, a.merges)
        print(f"merge_property_iceberg: pyiceberg reader: {reads} reads ({states} distinct states) during {a.merges} merges, "
              f"each a committed snapshot ({time.time() - t0:.1f} s in all)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
