#!/usr/bin/env python3
"""Property test of `floe merge` against DuckDB running the serving-layer SQL on the same Parquet files.

    Tests/Interop/merge_property.py FLOE [--cases N] [--seed S] [--max-rows R]

For random batch-layer (base) and speed-layer (delta) tables — keys only in the base, only in the delta, in
both; null measures; 0 to 100 000 rows (a few cases at the extremes) — it runs

    floe merge --base batch_layer --delta speed_layer --key location --sum count_id --sum sum_followers_count …
               --map 'count(id)=count_id' --map 'sum(followers_count)=sum_followers_count' … --into serving_layer

and compares the rows (`floe`'s output read back with pyarrow) as a multiset with what DuckDB gives for

    CREATE TABLE serving_tmp AS SELECT * FROM batch_layer;
    UPDATE serving_tmp SET count_id = count_id + speed_layer."count(id)", … FROM speed_layer
      WHERE serving_tmp.location = speed_layer.location;
    INSERT INTO serving_tmp SELECT * FROM speed_layer WHERE location NOT IN (SELECT DISTINCT location FROM serving_tmp);

with Floe's null rule on top: `coalesce(a + b, a, b)` in the UPDATE (a null measure adds nothing). Keys are
unique and non-null in each table, as the batch and speed layers' GROUP BY outputs are. Also checks a composite
key (location, lang), merging into the base itself, and a concurrent DuckDB reader of the serving table's
`current` link during merges (never an error, never a partial table).
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import Counter

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

MEASURES = [("count_id", "count(id)"), ("sum_followers_count", "sum(followers_count)"),
            ("sum_favorite_count", "sum(favorite_count)"), ("sum_retweet_count", "sum(retweet_count)")]


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"FAIL: {' '.join(cmd)} exited {p.returncode}: {p.stderr.strip()}")
    return p.stdout


def random_tables(rng, n_base, n_delta, overlap, null_rate, composite):
    """Base and delta tables with unique keys; `overlap` of the delta's keys are base keys."""
    pool = rng.sample(range(10 * (n_base + n_delta) + 10), n_base + n_delta)
    base_keys = pool[:n_base]
    n_both = min(n_base, int(n_delta * overlap))
    delta_keys = rng.sample(base_keys, n_both) + pool[n_base:n_base + n_delta - n_both]
    rng.shuffle(delta_keys)

    def key_cols(keys):
        if composite:
            return {"location": [f"loc{k // 3}" for k in keys], "lang": [["en", "fr", "de"][k % 3] for k in keys]}
        return {"location": [f"loc{k}" for k in keys]}

    def measure(n):
        return pa.array([None if rng.random() < null_rate else rng.randint(0, 10**9) for _ in range(n)], pa.int64())

    base = key_cols(base_keys)
    delta = key_cols(delta_keys)
    for name, delta_name in MEASURES:
        base[name] = measure(n_base)
        delta[delta_name] = measure(n_delta)
    key_schema = [("location", pa.string())] + ([("lang", pa.string())] if composite else [])
    bs = pa.schema(key_schema + [(m, pa.int64()) for m, _ in MEASURES])
    ds = pa.schema(key_schema + [(d, pa.int64()) for _, d in MEASURES])
    return pa.table(base, schema=bs), pa.table(delta, schema=ds)


def duckdb_serving(base_glob, delta_glob, keys):
    con = duckdb.connect()
    con.execute(f"CREATE VIEW batch_layer AS SELECT * FROM read_parquet('{base_glob}')")
    con.execute(f"CREATE VIEW speed_layer AS SELECT * FROM read_parquet('{delta_glob}')")
    con.execute("CREATE TABLE serving_tmp AS SELECT * FROM batch_layer")
    sets = ", ".join(f'{m} = coalesce({m} + speed_layer."{d}", {m}, speed_layer."{d}")' for m, d in MEASURES)
    where = " AND ".join(f"serving_tmp.{k} = speed_layer.{k}" for k in keys)
    con.execute(f"UPDATE serving_tmp SET {sets} FROM speed_layer WHERE {where}")
    if len(keys) == 1:
        k = keys[0]
        con.execute(f"INSERT INTO serving_tmp SELECT * FROM speed_layer WHERE {k} NOT IN (SELECT DISTINCT {k} FROM serving_tmp)")
    else:
        # NOT IN over a tuple, written as NOT EXISTS (the same for non-null keys).
        match = " AND ".join(f"s.{k} = speed_layer.{k}" for k in keys)
        con.execute(f"INSERT INTO serving_tmp SELECT * FROM speed_layer WHERE NOT EXISTS (SELECT 1 FROM serving_tmp s WHERE {match})")
    con.execute("DROP TABLE IF EXISTS serving_layer")
    con.execute("ALTER TABLE serving_tmp RENAME TO serving_layer")
    rows = con.execute("SELECT * FROM serving_layer").fetchall()
    con.close()
    return rows


def floe_rows(table_dir):
    cur = os.path.join(table_dir, "current")
    files = sorted(os.path.join(cur, f) for f in os.listdir(cur) if f.endswith(".parquet"))
    rows = []
    for f in files:
        t = pq.read_table(f)
        rows.extend(tuple(r.values()) for r in t.to_pylist())
    return rows


def merge_cmd(floe, wh, keys, base="batch_layer", into="serving_layer", extra=()):
    cmd = [floe, "merge", "--warehouse", wh, "--base", base, "--delta", "speed_layer", "--into", into, "--quiet"]
    for k in keys:
        cmd += ["--key", k]
    for m, d in MEASURES:
        cmd += ["--sum", m, "--map", f"{d}={m}"]
    return cmd + list(extra)


def one_case(floe, tmp, rng, case, n_base, n_delta, composite):
    wh = os.path.join(tmp, f"wh{case}")
    run([floe, "warehouse", "init", wh, "--name", "db"])
    overlap = rng.choice([0.0, 0.3, 0.7, 1.0])
    null_rate = rng.choice([0.0, 0.1, 0.5])
    base, delta = random_tables(rng, n_base, n_delta, overlap, null_rate, composite)
    os.makedirs(f"{wh}/batch_layer")
    os.makedirs(f"{wh}/speed_layer")
    # Split the base over up to 3 files and small row groups, so several files and row groups are merged.
    parts = rng.randint(1, 3) if n_base > 10 else 1
    step = (n_base + parts - 1) // parts if n_base else 0
    for i in range(parts):
        sl = base.slice(i * step, step) if n_base else base
        pq.write_table(sl, f"{wh}/batch_layer/part{i}.parquet", row_group_size=rng.choice([1000, 16384, 1 << 20]))
    pq.write_table(delta, f"{wh}/speed_layer/speed.parquet")
    keys = ["location", "lang"] if composite else ["location"]
    run(merge_cmd(floe, wh, keys))
    got = Counter(floe_rows(f"{wh}/serving_layer"))
    want = Counter(duckdb_serving(f"{wh}/batch_layer/*.parquet", f"{wh}/speed_layer/*.parquet", keys))
    if got != want:
        only_floe = list((got - want).items())[:5]
        only_duck = list((want - got).items())[:5]
        raise SystemExit(f"FAIL case {case} (base {n_base}, delta {n_delta}, composite {composite}): "
                         f"floe-only {only_floe}, duckdb-only {only_duck}")
    shutil.rmtree(wh)
    return sum(got.values())


def reader_during_merges(floe, tmp, rng, merges=20):
    """DuckDB reads the serving table through `current` while merges replace it: every read is one whole version."""
    wh = os.path.join(tmp, "whr")
    run([floe, "warehouse", "init", wh, "--name", "db"])
    base, delta = random_tables(rng, 20000, 2000, 0.5, 0.0, False)
    os.makedirs(f"{wh}/batch_layer")
    os.makedirs(f"{wh}/speed_layer")
    pq.write_table(base, f"{wh}/batch_layer/b.parquet")
    pq.write_table(delta, f"{wh}/speed_layer/d.parquet")
    run(merge_cmd(floe, wh, ["location"], into="serving_layer"))
    expected = {}  # rows -> set of valid count sums, filled as merges go
    con0 = duckdb.connect()
    glob = f"{wh}/serving_layer/current/*.parquet"
    valid = set()
    valid.add(con0.execute(f"SELECT count(*), sum(count_id) FROM read_parquet('{glob}')").fetchone())
    stop = threading.Event()
    seen = []
    errors = []

    def reader():
        con = duckdb.connect()
        while not stop.is_set():
            try:
                seen.append(con.execute(f"SELECT count(*), sum(count_id) FROM read_parquet('{glob}')").fetchone())
            except Exception as e:  # noqa: BLE001
                errors.append(str(e))
    t = threading.Thread(target=reader)
    t.start()
    for _ in range(merges):
        run(merge_cmd(floe, wh, ["location"], base="serving_layer", into="serving_layer", extra=["--grace", "0"]))
        valid.add(con0.execute(f"SELECT count(*), sum(count_id) FROM read_parquet('{glob}')").fetchone())
    stop.set()
    t.join()
    bad = [s for s in seen if s not in valid]
    del expected
    if errors or bad:
        raise SystemExit(f"FAIL concurrent reader: {len(errors)} errors (e.g. {errors[:1]}), {len(bad)} partial reads (e.g. {bad[:2]})")
    return len(seen)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("floe")
    ap.add_argument("--cases", type=int, default=40)
    ap.add_argument("--seed", type=int, default=int.from_bytes(os.urandom(4), "little"))
    ap.add_argument("--max-rows", type=int, default=100_000)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    print(f"merge_property: seed {a.seed}, {a.cases} cases")
    tmp = tempfile.mkdtemp(prefix="floe-merge-prop-")
    try:
        sizes = [(0, 0), (0, 5), (5, 0), (1, 1), (a.max_rows, a.max_rows // 10), (a.max_rows // 10, a.max_rows)]
        total = 0
        for case in range(a.cases):
            if case < len(sizes):
                nb, nd = sizes[case]
            else:
                scale = rng.choice([10, 1000, a.max_rows])
                nb, nd = rng.randint(0, scale), rng.randint(0, scale)
            composite = case % 5 == 4
            total += one_case(a.floe, tmp, rng, case, nb, nd, composite)
        print(f"merge_property: {a.cases} cases agree with DuckDB ({total} rows in all)")
        reads = reader_during_merges(a.floe, tmp, rng)
        print(f"merge_property: concurrent DuckDB reader: {reads} reads during 20 merges, each a whole version")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
