#!/usr/bin/env python3
"""Interop check of Floe's Parquet writer against pyarrow, DuckDB and Polars.

Every readable file of Tests/ParquetTests/TestVectors/parquet-testing (those with a `.jsonl` in parquet-expected)
is rewritten by `floe rewrite` under each codec x data page version x dictionary on/off. For each rewritten file:
  * `floe cat` prints exactly the `.jsonl` (byte for byte);
  * pyarrow (page checksum verification on), DuckDB and Polars each read the same rows (value equality, NaN-aware)
    and the same schema from the rewritten file as they read from the original.
Then: statistics and Bloom filters through DuckDB's parquet_metadata() / parquet_bloom_probe(), the page index
through pyarrow, explicit encodings, and writer settings (sizes, no statistics/page index/checksums).

Usage: rewrite_interop.py [FLOE_BINARY]   (default .build/release/floe). Exit status 0 when everything holds.
"""
import concurrent.futures as cf
import glob
import os
import re
import subprocess
import sys
import tempfile
import time

import duckdb
import polars as pl
from interop_checks import same
import pyarrow.parquet as pq

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
VECTORS = os.path.join(ROOT, "Tests", "ParquetTests", "TestVectors")
FLOE = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build", "release", "floe"))

CODECS = ["none", "snappy", "gzip", "zstd", "lz4_raw", "brotli"]
PAGE_VERSIONS = ["1", "2"]
DICTIONARY = [True, False]

# Originals whose page checksums are deliberately wrong: read them without verification (the rewrites carry
# fresh, correct checksums and are always verified).
CORRUPT_CHECKSUM = {"data/datapage_v1-corrupt-checksum.parquet", "data/rle-dict-uncompressed-corrupt-checksum.parquet"}

# Peers that cannot read an original at all: there is nothing to compare the rewrite with.
SKIP = {
    ("pyarrow", "data/incorrect_map_schema.parquet"): "pyarrow: 'Map keys must be annotated as required' (the file's MAP key is optional)",
    ("polars", "data/incorrect_map_schema.parquet"): "polars: MAP key is optional in the file",
    ("polars", "data/dict-page-offset-zero.parquet"): "polars: 'SortingColumn.descending missing' in the original footer",
    ("polars", "data/nation.dict-malformed.parquet"): "polars: 'page header reported the wrong page size' in the original",
    ("polars", "data/unknown-logical-type.parquet"): "polars: 'LogicalType union has no variant set' (unknown logical type)",
}
for _g in glob.glob(os.path.join(VECTORS, "parquet-expected", "data", "geospatial", "*.jsonl")):
    SKIP[("polars", "data/geospatial/" + os.path.basename(_g)[:-6])] = \
        "polars: 'LogicalType union has no variant set' (GEOMETRY/GEOGRAPHY logical types)"

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg, flush=True)


def read_pyarrow(path, verify=True):
    t = pq.read_table(path, page_checksum_verification=verify)
    return t.schema.remove_metadata(), t.to_pylist()


def read_duckdb(path):
    con = duckdb.connect()
    try:
        cur = con.execute("SELECT * FROM read_parquet(?)", [path])
        rows = cur.fetchall()
        return [(d[0], str(d[1])) for d in cur.description], rows
    finally:
        con.close()


def read_polars(path):
    df = pl.read_parquet(path)
    return df.schema, df.rows()


PEERS = {"pyarrow": read_pyarrow, "duckdb": read_duckdb, "polars": read_polars}


def run(args, **kw):
    return subprocess.run([FLOE] + args, capture_output=True, **kw)


def rewrite_and_cat(rel, out, flags):
    """floe rewrite + floe cat; returns an error string or None."""
    src = os.path.join(VECTORS, "parquet-testing", rel)
    r = run(["rewrite", "--no-verify-checksums"] + flags + [src, out])
    if r.returncode != 0:
        return f"floe rewrite {' '.join(flags)} {rel}: exit {r.returncode}: {r.stderr.decode()[:300]}"
    c = run(["cat", out])
    if c.returncode != 0:
        return f"floe cat of rewritten {rel} ({' '.join(flags)}): exit {c.returncode}: {c.stderr.decode()[:300]}"
    with open(os.path.join(VECTORS, "parquet-expected", rel + ".jsonl"), "rb") as f:
        if c.stdout != f.read():
            return f"floe cat of rewritten {rel} ({' '.join(flags)}) differs from the .jsonl"
    return None


def main():
    start = time.time()
    if not os.access(FLOE, os.X_OK):
        print(f"no floe binary at {FLOE}", file=sys.stderr)
        return 2
    files = sorted(os.path.relpath(p, os.path.join(VECTORS, "parquet-expected"))[:-len(".jsonl")]
                   for p in glob.glob(os.path.join(VECTORS, "parquet-expected", "**", "*.jsonl"), recursive=True))
    tmp = tempfile.mkdtemp(prefix="floe-interop-")

    # References: what each peer reads from each original.
    reference = {}
    for rel in files:
        src = os.path.join(VECTORS, "parquet-testing", rel)
        for peer, read in PEERS.items():
            if (peer, rel) in SKIP:
                continue
            try:
                reference[(peer, rel)] = read(src, verify=False) if peer == "pyarrow" else read(src)
            except BaseException as e:  # polars raises PanicException (a BaseException)
                fail(f"{peer} cannot read original {rel} and it is not in the skip list: {str(e)[:200]}")

    configs = []
    for codec in CODECS:
        for pv in PAGE_VERSIONS:
            for d in DICTIONARY:
                flags = ["--compression", codec, "--page-version", pv] + ([] if d else ["--no-dictionary"])
                configs.append((f"{codec}-v{pv}-{'dict' if d else 'plain'}", flags))
    # Settings beyond the matrix: small pages and row groups, explicit encodings, everything off.
    configs.append(("small-pages", ["--page-size", "1KiB", "--row-group-size", "64KiB"]))
    configs.append(("tiny-pages", ["--page-size", "64", "--row-group-size", "2KiB", "--compression", "zstd", "--level", "9"]))
    configs.append(("all-off", ["--no-statistics", "--no-page-index", "--no-checksums", "--no-dictionary"]))

    jobs = []
    for name, flags in configs:
        for rel in files:
            out = os.path.join(tmp, name, rel.replace("/", "_"))
            os.makedirs(os.path.dirname(out), exist_ok=True)
            jobs.append((name, rel, out, flags))
    with cf.ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as ex:
        results = list(ex.map(lambda j: rewrite_and_cat(j[1], j[2], j[3]), jobs))
    ok_outputs = []
    for (name, rel, out, flags), err in zip(jobs, results):
        if err:
            fail(err)
        else:
            ok_outputs.append((name, rel, out))
    print(f"{len(jobs)} rewrites, floe cat == .jsonl for {len(ok_outputs)} ({time.time() - start:.1f}s)", flush=True)

    compared = {p: 0 for p in PEERS}
    for name, rel, out in ok_outputs:
        for peer, read in PEERS.items():
            if (peer, rel) not in reference:
                continue
            try:
                got = read(out)
            except BaseException as e:
                fail(f"{peer} cannot read rewritten {rel} [{name}]: {str(e)[:300]}")
                continue
            want = reference[(peer, rel)]
            if got[0] != want[0]:
                fail(f"{peer}: schema of rewritten {rel} [{name}] differs: {got[0]} vs {want[0]}")
            elif not same(got[1], want[1]):
                fail(f"{peer}: rows of rewritten {rel} [{name}] differ from the original's")
            else:
                compared[peer] += 1
    print(f"peer comparisons passed: {compared} ({time.time() - start:.1f}s)", flush=True)
    for (peer, rel), why in sorted(SKIP.items()):
        print(f"skipped {peer} on {rel}: {why}")

    check_statistics(tmp, files)
    check_page_index_and_footer(tmp)
    check_bloom_filters(tmp)
    check_encodings(tmp)

    print(f"interop: {len(failures)} failure(s), {time.time() - start:.1f}s")
    return 1 if failures else 0


def check_statistics(tmp, files):
    """Chunk statistics (DuckDB parquet_metadata) against what DuckDB computes from the rewritten data."""
    con = duckdb.connect()
    checked = 0
    for rel in files:
        out = os.path.join(tmp, "snappy-v1-dict", rel.replace("/", "_"))
        if not os.path.exists(out) or "geospatial" in rel:
            continue
        try:
            meta = con.execute(
                "SELECT row_group_id, path_in_schema, type, stats_min_value, stats_max_value, stats_null_count "
                "FROM parquet_metadata(?)", [out]).fetchall()
        except Exception as e:
            fail(f"duckdb parquet_metadata({rel}): {e}")
            continue
        if len({m[0] for m in meta}) != 1:
            continue
        try:
            # flat (non-list, non-struct) top-level columns only
            cols = [d[0] for d in con.execute("SELECT * FROM read_parquet(?) LIMIT 0", [out]).description
                    if not str(d[1]).endswith("[]") and not str(d[1]).startswith(("STRUCT", "MAP"))]
        except Exception:
            continue
        for _, path, ptype, smin, smax, snull in meta:
            if "." in path or path not in cols or ptype in ("INT96", "FIXED_LEN_BYTE_ARRAY") or smin is None:
                continue
            q = f'SELECT min("{path}")::VARCHAR, max("{path}")::VARCHAR, count(*) - count("{path}") FROM read_parquet(?)'
            try:
                mn, mx, nulls = con.execute(q, [out]).fetchone()
            except Exception:
                continue  # a type DuckDB cannot aggregate
            if snull != nulls:
                fail(f"statistics of {rel} column {path}: null_count {snull}, DuckDB counts {nulls}")
            for what, stat, val in (("min", smin, mn), ("max", smax, mx)):
                if val is None or val.lower() == "nan" or len(val) >= 64:
                    continue
                try:
                    equal = float(stat) == float(val)
                except ValueError:
                    equal = stat == val
                if not equal:
                    fail(f"statistics of {rel} column {path}: {what} {stat!r}, DuckDB computes {val!r}")
            checked += 1
    print(f"statistics checked on {checked} column chunks", flush=True)


def check_page_index_and_footer(tmp):
    """Page index presence (pyarrow), created_by, column orders; and their absence when turned off."""
    for rel in ("data/alltypes_plain.parquet", "data/nested_lists.snappy.parquet", "data/nulls.snappy.parquet"):
        out = os.path.join(tmp, "snappy-v1-dict", rel.replace("/", "_"))
        md = pq.ParquetFile(out).metadata
        if not re.match(r"floe version \d+\.\d+\.\d+ \(build [^)]+\)$", md.created_by or ""):
            fail(f"created_by of {rel}: {md.created_by!r}")
        for g in range(md.num_row_groups):
            for c in range(md.num_columns):
                col = md.row_group(g).column(c)
                if not col.has_offset_index:
                    fail(f"{rel}: row group {g} column {col.path_in_schema} has no offset index")
                if col.physical_type != "INT96" and not col.has_column_index:
                    fail(f"{rel}: row group {g} column {col.path_in_schema} has no column index")
                if col.physical_type != "INT96" and not col.is_stats_set:
                    fail(f"{rel}: row group {g} column {col.path_in_schema} has no statistics")
        off = pq.ParquetFile(os.path.join(tmp, "all-off", rel.replace("/", "_"))).metadata
        for c in range(off.num_columns):
            col = off.row_group(0).column(c)
            if col.has_offset_index or col.has_column_index or col.is_stats_set:
                fail(f"{rel} written with --no-page-index --no-statistics still has a page index or statistics")
    # several pages per column: the offset index lists them
    out = os.path.join(tmp, "tiny-pages", "data_alltypes_tiny_pages_plain.parquet")
    md = pq.ParquetFile(out).metadata
    if md.num_row_groups < 2:
        fail(f"--row-group-size 2KiB gave {md.num_row_groups} row group(s) for alltypes_tiny_pages_plain")
    print("page index and footer checked", flush=True)


def check_bloom_filters(tmp):
    src = os.path.join(VECTORS, "parquet-testing", "data", "alltypes_plain.parquet")
    out = os.path.join(tmp, "bloom.parquet")
    r = run(["rewrite", "--bloom-filter", "int_col", "--bloom-filter", "bigint_col:1000",
             "--bloom-filter", "date_string_col", src, out])
    if r.returncode != 0:
        fail(f"rewrite with bloom filters: {r.stderr.decode()}")
        return
    con = duckdb.connect()
    meta = con.execute("SELECT path_in_schema, bloom_filter_offset, bloom_filter_length FROM parquet_metadata(?)",
                       [out]).fetchall()
    with_filter = {p for p, o, n in meta if o is not None and n}
    if with_filter != {"int_col", "bigint_col", "date_string_col"}:
        fail(f"bloom filters on {sorted(with_filter)}, expected int_col, bigint_col, date_string_col")
    probes = [("int_col", 0, False), ("int_col", 1, False), ("bigint_col", 10, False),
              ("date_string_col", "'03/01/09'", False), ("date_string_col", "'no such value'", True),
              ("int_col", 123456, True), ("bigint_col", 987654321, True)]
    for col, val, excluded in probes:
        got = con.execute(f"SELECT bloom_filter_excludes FROM parquet_bloom_probe(?, '{col}', {val})", [out]).fetchall()
        if [g[0] for g in got] != [excluded]:
            fail(f"parquet_bloom_probe({col}, {val}) = {got}, expected excludes={excluded}")
    print("bloom filters checked", flush=True)


def check_encodings(tmp):
    """Explicit encodings per column; every peer reads them."""
    src = os.path.join(VECTORS, "parquet-testing", "data", "alltypes_plain.parquet")
    out = os.path.join(tmp, "encodings.parquet")
    enc = {"id": "DELTA_BINARY_PACKED", "bigint_col": "DELTA_BINARY_PACKED", "int_col": "BYTE_STREAM_SPLIT",
           "float_col": "BYTE_STREAM_SPLIT", "double_col": "BYTE_STREAM_SPLIT", "bool_col": "RLE",
           "date_string_col": "DELTA_BYTE_ARRAY", "string_col": "DELTA_LENGTH_BYTE_ARRAY"}
    for pv in ("1", "2"):
        flags = ["--page-version", pv]
        for k, v in enc.items():
            flags += ["--encoding", f"{k}={v}"]
        r = run(["rewrite"] + flags + [src, out])
        if r.returncode != 0:
            fail(f"rewrite with encodings: {r.stderr.decode()}")
            return
        md = pq.ParquetFile(out).metadata
        for c in range(md.num_columns):
            col = md.row_group(0).column(c)
            if col.path_in_schema in enc and enc[col.path_in_schema] not in col.encodings:
                fail(f"column {col.path_in_schema}: encodings {col.encodings}, expected {enc[col.path_in_schema]}")
        for peer, read in PEERS.items():
            want = read_pyarrow(src) if peer == "pyarrow" else read(src)
            got = read(out)
            if got[0] != want[0] or not same(got[1], want[1]):
                fail(f"{peer} reads explicit encodings (page v{pv}) differently from the original")
    print("explicit encodings checked", flush=True)


if __name__ == "__main__":
    sys.exit(main())
