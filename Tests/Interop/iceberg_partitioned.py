#!/usr/bin/env python3
"""floe convert / ingest into PARTITIONED Iceberg tables (issue 17), checked with pyiceberg.

usage: iceberg_partitioned.py FLOE [--rows N]

For each partition spec (hour(event_time), day(event_time), identity(category), bucket(16, id), truncate(4, note),
and day + bucket together) a warehouse table is created with `floe table create --format iceberg --partition-spec`
and filled by `floe convert` (with --checkpoint and a small buffer, so several snapshots, and a cap of 3 open
partition writers, so files close early) and by `floe ingest` from stdin. Then pyiceberg's SqlCatalog:
  - loads the table: its spec is the one given, field ids 1000+;
  - scans rows equal, as multisets, to `floe cat` and to the input's good records;
  - every data file's partition tuple equals the transform pyiceberg computes for each of its rows
    (pyiceberg.transforms: Iceberg spec "Partition Transforms"; bucket: "Bucket Transform Details" — Murmur3
    x86 32 of the value's bytes as Appendix B specifies: ints/longs as 8-byte little-endian longs, strings UTF-8),
    and the table's set of partitions equals that of a twin table pyiceberg wrote with the same rows;
  - data file paths are <location>/data/<name>=<value>/... with Java URLEncoder form encoding of both sides
    (PartitionSpec.partitionToPath; a null is the partition "null");
  - the manifest list's partition field summaries hold contains_null and lower/upper bounds of the tuples
    (spec "Manifest Lists": field_summary; bounds in Appendix D single-value serialization);
  - a scan filtered on the source column plans only files of the matching partitions.
Bad records (1 in 50) go to the error output, never into the table.
"""
import argparse, collections, datetime as dt, json, os, random, struct, subprocess, sys, tempfile, urllib.parse

FLOE = None
UTC = dt.timezone.utc
T0 = dt.datetime(2024, 3, 1, 22, 0, tzinfo=UTC)
SPECS = [
    ("by_hour", "hour(event_time)"),
    ("by_day", "day(event_time)"),
    ("by_category", "identity(category)"),
    ("by_bucket", "bucket(16, id)"),
    ("by_prefix", "truncate(4, note)"),
    ("by_day_bucket", "day(event_time), bucket(4, id)"),
]
NOTES = ["alpha", "alphabet", "beta", "bêta-max", "bêtas", "😀😀😀😀x", "😀😀😀😀", "ab", "", "a b c"]
CATEGORIES = ["books", "toys", "a b", "x/y=z", "é~*", "null", "", None]


def run(*args, stdin=None, expect=0):
    p = subprocess.run([FLOE, *args], capture_output=True, input=stdin)
    if p.returncode != expect:
        raise SystemExit(f"FAIL: floe {' '.join(args)} exited {p.returncode} (want {expect}): {p.stderr.decode().strip()}")
    return p.stdout.decode()


def micros(v):
    if v is None:
        return None
    if isinstance(v, str):
        v = dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
    if v.tzinfo is None:
        v = v.replace(tzinfo=UTC)
    return (v - dt.datetime(1970, 1, 1, tzinfo=UTC)) // dt.timedelta(microseconds=1)


def norm(r):
    return (r["id"], micros(r["event_time"]), r["category"], r["note"])


def make_rows(n, rng):
    """(NDJSON lines, good rows as normalized tuples); one record in 50 is bad (a string id)."""
    lines, good = [], []
    for i in range(n):
        t = T0 + dt.timedelta(seconds=rng.randrange(0, 30 * 3600), microseconds=rng.randrange(1_000_000))
        rec = {
            "id": None if rng.random() < 0.03 else rng.randrange(-10**12, 10**12),
            "event_time": None if rng.random() < 0.03 else t.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "category": rng.choice(CATEGORIES),
            # truncate[4] keeps 4 code points: "bêta", "😀😀😀😀" (astral characters count once), "ab", ""
            "note": None if rng.random() < 0.05 else rng.choice(NOTES),
        }
        if i % 50 == 49:
            rec["id"] = "not a number"
            lines.append(json.dumps(rec))
            continue
        lines.append(json.dumps(rec))
        good.append((rec["id"], micros(rec["event_time"]), rec["category"], rec["note"]))
    return lines, good


def java_form_encode(s):
    """java.net.URLEncoder.encode(s, UTF_8): a-zA-Z0-9 and .-*_ kept, space as +, other bytes %XX."""
    out = []
    for b in s.encode("utf-8"):
        c = chr(b)
        if c.isascii() and (c.isalnum() or c in ".-*_"):
            out.append(c)
        elif c == " ":
            out.append("+")
        else:
            out.append("%%%02X" % b)
    return "".join(out)


def human(transform, value, result_type):
    """Iceberg Java toHumanString of the partition values this test uses."""
    from pyiceberg.transforms import HourTransform, DayTransform
    if value is None:
        return "null"
    if isinstance(transform, HourTransform):
        d = dt.datetime(1970, 1, 1, tzinfo=UTC) + dt.timedelta(hours=value)
        return d.strftime("%Y-%m-%d-%H")
    if isinstance(transform, DayTransform):
        if isinstance(value, dt.date):
            return value.isoformat()
        return (dt.date(1970, 1, 1) + dt.timedelta(days=value)).isoformat()
    return str(value)


def main():
    global FLOE
    ap = argparse.ArgumentParser()
    ap.add_argument("floe")
    ap.add_argument("--rows", type=int, default=3000)
    a = ap.parse_args()
    FLOE = os.path.abspath(a.floe)
    import pyarrow as pa
    import pyarrow.parquet as pq
    from pyiceberg.catalog.sql import SqlCatalog
    from pyiceberg.expressions import EqualTo, GreaterThanOrEqual, LessThan, And
    from pyiceberg.manifest import ManifestEntryStatus
    from pyiceberg.conversions import from_bytes
    rng = random.Random(20261207)
    fails = []

    def check(cond, msg):
        if not cond:
            fails.append(msg)
            print("FAIL:", msg)

    with tempfile.TemporaryDirectory() as tmp:
        wh = os.path.realpath(os.path.join(tmp, "wh"))
        run("warehouse", "init", wh, "--name", "db")
        cols = os.path.join(tmp, "cols.json")
        with open(cols, "w") as f:
            json.dump([{"name": "id", "type": "bigint"}, {"name": "event_time", "type": "timestamp"},
                       {"name": "category", "type": "string"}, {"name": "note", "type": "string"}], f)
        lines, good = make_rows(a.rows, rng)
        half = len(lines) // 2
        inp = os.path.join(tmp, "in.ndjson")
        with open(inp, "w") as f:
            f.write("\n".join(lines[:half]) + "\n")
        cat = SqlCatalog("floe", uri=f"sqlite:///{wh}/iceberg-catalog.db", warehouse=f"file://{wh}")
        expected = collections.Counter(good)
        for name, spec in SPECS:
            run("table", "create", name, "--warehouse", wh, "--format", "iceberg", "--columns", cols,
                "--partition-spec", spec)
            # the first half by convert: checkpointed, small buffers, at most 3 open partition writers
            cp = os.path.join(tmp, name + ".cp")
            run("convert", "--warehouse", wh, "--table", name, inp, "--checkpoint", cp, "--buffer-size", "64KiB",
                "--max-open-partitions", "3", "--jobs", "2")
            # a rerun of a finished checkpoint adds nothing
            run("convert", "--warehouse", wh, "--table", name, inp, "--checkpoint", cp)
            # the second half by ingest from stdin
            run("ingest", "--warehouse", wh, "--table", name, stdin=("\n".join(lines[half:]) + "\n").encode())
            tbl = cat.load_table(("db", name))
            pspec = tbl.spec()
            schema = tbl.schema()
            check([f.field_id for f in pspec.fields] == list(range(1000, 1000 + len(pspec.fields))),
                  f"{name}: partition field ids {[f.field_id for f in pspec.fields]}")
            scan_rows = collections.Counter(norm(r) for r in tbl.scan().to_arrow().to_pylist())
            floe_rows = collections.Counter(norm(json.loads(l)) for l in run("cat", f"{wh}/{name}").splitlines() if l)
            check(scan_rows == floe_rows, f"{name}: pyiceberg scan ({sum(scan_rows.values())} rows) != floe cat ({sum(floe_rows.values())})")
            check(scan_rows == expected, f"{name}: scan ({sum(scan_rows.values())} rows) != the good input records ({len(good)})")
            snap = tbl.current_snapshot()
            check(int(snap.summary["total-records"]) == len(good), f"{name}: total-records {snap.summary['total-records']}")
            # every file: its tuple is each row's transform (pyiceberg computes it), its path the Java path
            transforms = []
            for f in pspec.fields:
                src = schema.find_field(f.source_id)
                transforms.append((f, src, f.transform.transform(src.field_type)))
            files = list(tbl.scan().plan_files())
            tuples = collections.Counter()
            for task in files:
                df = task.file
                part = tuple(df.partition[i] for i in range(len(pspec.fields)))
                t = pq.read_table(df.file_path.removeprefix("file://")).to_pylist()
                tuples[part] += len(t)
                for row in t:
                    want = []
                    for (f, src, fn) in transforms:
                        v = row[src.name]
                        if v is not None and src.name == "event_time":
                            v = micros(v)
                        want.append(fn(v))
                    if tuple(want) != part:
                        check(False, f"{name}: {df.file_path}: row {row} is in partition {part}, pyiceberg computes {tuple(want)}")
                        break
                rel = "/".join(java_form_encode(f.name) + "=" + java_form_encode(human(f.transform, part[i], None))
                               for i, f in enumerate(pspec.fields))
                want_dir = f"{tbl.location()}/data/{rel}/"
                path = df.file_path.removeprefix("file://")
                check(path.startswith(want_dir.removeprefix("file://")) and "/" not in path[len(want_dir.removeprefix("file://")):],
                      f"{name}: data file {path} is not in {want_dir}")
            # the manifest list's field summaries cover the tuples
            for mf in snap.manifests(tbl.io):
                if not mf.partitions:
                    check(not pspec.fields, f"{name}: manifest {mf.manifest_path} has no partition summaries")
                    continue
                entries = [e for e in mf.fetch_manifest_entry(tbl.io) if e.status != ManifestEntryStatus.DELETED]
                for i, (f, src, fn) in enumerate(transforms):
                    s = mf.partitions[i]
                    vals = [e.data_file.partition[i] for e in entries]
                    present = [v for v in vals if v is not None]
                    rtype = f.transform.result_type(src.field_type)
                    check(s.contains_null == (None in vals), f"{name}: {mf.manifest_path} field {f.name}: contains_null {s.contains_null}")
                    if present:
                        lo, hi = from_bytes(rtype, s.lower_bound), from_bytes(rtype, s.upper_bound)
                        check((lo, hi) == (min(present), max(present)),
                              f"{name}: field {f.name} summary bounds {(lo, hi)} != {(min(present), max(present))}")
            # a twin table written by pyiceberg with the same rows and spec: the same partitions and counts
            twin = cat.create_table(("db", name + "_twin"), schema=schema, partition_spec=pspec,
                                    location=f"file://{wh}/{name}_twin")
            arrow = tbl.scan().to_arrow()
            twin.append(arrow)
            twin_tuples = collections.Counter()
            for task in twin.scan().plan_files():
                twin_tuples[tuple(task.file.partition[i] for i in range(len(pspec.fields)))] += task.file.record_count
            check(tuples == twin_tuples, f"{name}: floe's partitions {sorted(tuples.items(), key=str)[:5]}… != pyiceberg's "
                  f"{sorted(twin_tuples.items(), key=str)[:5]}…")
            # pruning: a scan filtered on the source column plans only files of the matching partitions
            f0, src0, fn0 = transforms[0]
            sample = next(r for r in good if r[["id", "event_time", "category", "note"].index(src0.name)] is not None)
            v = sample[["id", "event_time", "category", "note"].index(src0.name)]
            if src0.name == "event_time":
                lo = dt.datetime.fromtimestamp(v // 3_600_000_000 * 3600, UTC)
                flt = And(GreaterThanOrEqual("event_time", lo.isoformat()),
                          LessThan("event_time", (lo + dt.timedelta(hours=1)).isoformat()))
                match = {fn0(x) for x in range(v // 3_600_000_000 * 3_600_000_000, (v // 3_600_000_000 + 1) * 3_600_000_000, 60_000_000)}
            else:
                flt = EqualTo(src0.name, v)
                match = {fn0(v)}
            planned = list(tbl.scan(row_filter=flt).plan_files())
            check(planned and all(t.file.partition[0] in match for t in planned),
                  f"{name}: the filtered scan plans {len(planned)} files, partitions {[t.file.partition[0] for t in planned][:5]}, want only {match}")
            with_rows = {t.file.file_path for t in files if t.file.partition[0] in match}
            pruned = len(files) - len(planned)
            check(pruned > 0 or len(with_rows) == len(files), f"{name}: nothing pruned ({len(files)} files)")
            print(f"{name} ({spec}): {sum(scan_rows.values())} rows, {len(files)} data files, {len(tuples)} partitions "
                  f"(pyiceberg twin {len(twin_tuples)}), filtered scan plans {len(planned)} of {len(files)} files")
        # the error output holds the bad records (1 in 50), never the table
        bad = 0
        for root, _, fs in os.walk(os.path.join(wh, "by_hour")):
            if "processing-failed" in root or "format-conversion-failed" in root:
                for f in fs:
                    bad += sum(1 for l in open(os.path.join(root, f)) if l.strip())
        check(bad == len(lines) - len(good), f"error records {bad}, want {len(lines) - len(good)}")
    if fails:
        print(f"iceberg partitioned writes: FAILED ({len(fails)} checks)")
        return 1
    print("iceberg partitioned writes: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
