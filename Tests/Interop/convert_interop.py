#!/usr/bin/env python3
"""floe convert against pyarrow and DuckDB on generated events with bad records (issue 6, done-when 2).

usage: convert_interop.py FLOE [--records N] [--bad-fraction F]

1. gen_events.py --bad-fraction F --bad-index: N events, ~F of them bad (wrong types, missing required keys,
   malformed JSON, truncated lines, invalid UTF-8).
2. floe convert --columns events.columns.json --schema events.schema.json.
3. Checks: the rows floe wrote equal (pyarrow to_pylist) what pyarrow gives when it converts the good lines
   alone with the same column types; every bad line is in the error output with rawData equal to its bytes and
   sequenceNumber naming its line; no good line is there; records_in == converted + failed == lines; DuckDB
   reads <table>/**/*.parquet with the same row count and column sums.
"""
import argparse, base64, glob, json, os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# The events generator: the copy in Tests/Interop/TestVectors/bench (SOURCE there); FLOE_SHARED_BENCH=DIR runs
# DIR/gen_events.py instead. pyarrow's reference conversion: Tests/Support/hive_arrow.py.
BENCH = os.environ.get("FLOE_SHARED_BENCH", os.path.join(ROOT, "Tests", "Interop", "TestVectors", "bench"))
sys.path.insert(0, os.path.join(ROOT, "Tests", "Support"))
COLUMNS = os.path.join(ROOT, "Tests", "FirehoseTests", "TestVectors", "events.columns.json")
SCHEMA = os.path.join(ROOT, "Tests", "FirehoseTests", "TestVectors", "events.schema.json")


def arrow_schema():
    import hive_arrow
    import pyarrow as pa
    return hive_arrow.schema_of(COLUMNS)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("floe")
    ap.add_argument("--records", type=int, default=30000)
    ap.add_argument("--bad-fraction", type=float, default=0.03)
    a = ap.parse_args()
    if not os.path.exists(os.path.join(BENCH, "gen_events.py")):
        # The check is defined on the shared events generator and peer reference (bench/ in the shared folder beside the repository); CI has it.
        print(f"convert interop: skipped: {BENCH}/gen_events.py is not there (set FLOE_SHARED_BENCH)")
        return 0
    import pyarrow as pa, pyarrow.json as pj, pyarrow.parquet as pq, duckdb
    fails = []
    with tempfile.TemporaryDirectory() as tmp:
        inp, idx = os.path.join(tmp, "events.ndjson"), os.path.join(tmp, "bad.tsv")
        subprocess.run([sys.executable, os.path.join(BENCH, "gen_events.py"), "--records", str(a.records),
                        "--bad-fraction", str(a.bad_fraction), "--bad-index", idx, "-o", inp], check=True)
        lines = open(inp, "rb").read().split(b"\n")[:-1]
        bad = {int(l.split("\t")[0]): l.split("\t")[1].strip() for l in open(idx)}
        good_path = os.path.join(tmp, "good.ndjson")
        with open(good_path, "wb") as f:
            for i, l in enumerate(lines, 1):
                if i not in bad:
                    f.write(l + b"\n")
        out = os.path.join(tmp, "out")
        stats_path = os.path.join(tmp, "stats.json")
        subprocess.run([a.floe, "convert", "--columns", COLUMNS, "--schema", SCHEMA, "--out", out, "--table", "events",
                        "--stats-json", stats_path, "--quiet", inp], check=True)
        stats = json.load(open(stats_path))
        files = sorted(glob.glob(os.path.join(out, "events", "**", "*.parquet"), recursive=True))
        got = pa.concat_tables([pq.read_table(f) for f in files]) if files else None
        want = pj.read_json(good_path, parse_options=pj.ParseOptions(explicit_schema=arrow_schema(),
                                                                      unexpected_field_behavior="ignore"))
        want = want.select(arrow_schema().names)
        ngood = len(lines) - len(bad)
        if got is None or got.num_rows != ngood:
            fails.append(f"rows: floe {got.num_rows if got else 0}, good lines {ngood}")
        else:
            if got.schema.names != want.schema.names:
                fails.append(f"columns differ: {got.schema.names} vs {want.schema.names}")
            for name in want.schema.names:
                g, w = got.column(name).to_pylist(), want.column(name).to_pylist()
                if g != w:
                    k = next(i for i in range(len(g)) if g[i] != w[i])
                    fails.append(f"column {name}: first difference at row {k}: floe {g[k]!r} pyarrow {w[k]!r}")
                if got.schema.field(name).type != want.schema.field(name).type:
                    fails.append(f"column {name}: type floe {got.schema.field(name).type} pyarrow {want.schema.field(name).type}")
        # error output
        errs = {}
        for f in glob.glob(os.path.join(out, "events", "format-conversion-failed", "**", "*"), recursive=True):
            if os.path.isfile(f):
                for l in open(f, "rb"):
                    e = json.loads(l)
                    line = int(e["sequenceNumber"].rsplit(":", 1)[1])
                    errs[line] = e
        if set(errs) != set(bad):
            fails.append(f"failed lines differ: missing {sorted(set(bad) - set(errs))[:10]}, extra {sorted(set(errs) - set(bad))[:10]}")
        for line, e in errs.items():
            if line in bad and base64.b64decode(e["rawData"]) != lines[line - 1]:
                fails.append(f"line {line}: rawData differs from the input bytes")
            for k in ("attemptsMade", "arrivalTimestamp", "lastErrorCode", "lastErrorMessage", "attemptEndingTimestamp",
                      "rawData", "sequenceNumber", "dataCatalogTable"):
                if k not in e:
                    fails.append(f"line {line}: error record lacks {k}")
        if not (stats["records_in"] == stats["records_converted"] + stats["records_failed"] == len(lines)):
            fails.append(f"stats do not add up: {stats}")
        if stats["records_converted"] != ngood or stats["records_failed"] != len(bad):
            fails.append(f"stats: converted {stats['records_converted']} (want {ngood}), failed {stats['records_failed']} (want {len(bad)})")
        con = duckdb.connect()
        glob_expr = os.path.join(out, "events", "**", "*.parquet")
        n, s1, s2 = con.execute(f"SELECT count(*), sum(retweet_count), sum(user.followers_count) FROM read_parquet('{glob_expr}')").fetchone()
        if n != ngood:
            fails.append(f"duckdb reads {n} rows, want {ngood}")
        w1, w2 = sum(x or 0 for x in want.column("retweet_count").to_pylist()), sum((u or {}).get("followers_count") or 0 for u in want.column("user").to_pylist())
        if (s1, s2) != (w1, w2):
            fails.append(f"duckdb sums {s1},{s2} want {w1},{w2}")
        kinds = {}
        for k in bad.values():
            kinds[k] = kinds.get(k, 0) + 1
        print(f"convert_interop: {len(lines)} lines, {ngood} good, {len(bad)} bad {kinds}, codes {stats['failed_by_code']}, "
              f"{len(files)} file(s)")
    for f in fails:
        print("FAIL:", f)
    print("convert_interop:", "FAILED" if fails else "ok")
    sys.exit(1 if fails else 0)


main()
