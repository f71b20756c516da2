#!/usr/bin/env python3
"""Crash test of floe convert --checkpoint into an Iceberg table (issue 17, done-when 4).

usage: iceberg_convert_crash.py FLOE [--mb 16] [--kills 6] [--seed S]

Converts ~16 MB of events (1% bad) into an Iceberg table of a warehouse (SQLite catalog) with a small buffer size
and a checkpoint, so that every flush commits a snapshot; SIGKILLs the process at random moments, and after every
kill pyiceberg's SqlCatalog loads the table and scans it: the scan works, no record is there twice, and the current
snapshot's total-records equals the rows scanned. After the final rerun every good record is in the table exactly
once and every bad record in the error output exactly once.
"""
import argparse, base64, collections, glob, json, os, random, signal, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iceberg_support import BENCH, SCHEMA, make_table  # noqa: E402


def check_table(cat, ident, label, fails):
    """pyiceberg reads the table: returns the id counter of its rows."""
    try:
        tbl = cat.load_table(ident)
        ids = collections.Counter(tbl.scan(selected_fields=("id",)).to_arrow().column("id").to_pylist())
    except Exception as e:
        fails.append(f"{label}: pyiceberg cannot read the table: {type(e).__name__}: {e}")
        return collections.Counter()
    snap = tbl.current_snapshot()
    total = int(snap.summary["total-records"]) if snap is not None else 0
    if total != sum(ids.values()):
        fails.append(f"{label}: total-records {total}, scan {sum(ids.values())} rows")
    dups = [k for k, n in ids.items() if n > 1]
    if dups:
        fails.append(f"{label}: {len(dups)} records twice, e.g. {dups[0]}")
    return ids


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("floe")
    ap.add_argument("--mb", type=float, default=16)
    ap.add_argument("--kills", type=int, default=6)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--partition-spec", help="the table's Iceberg partition spec (default: unpartitioned)")
    ap.add_argument("--buffer-size", default="1MiB", help="convert --buffer-size (a partitioned table's files fill slower)")
    a = ap.parse_args()
    if not os.path.exists(os.path.join(BENCH, "gen_events.py")):
        print(f"iceberg convert crash test: skipped: {BENCH}/gen_events.py is not there (set FLOE_SHARED_BENCH)")
        return 0
    try:
        import pyiceberg.catalog.sql  # noqa: F401
    except ImportError:
        print("iceberg convert crash test: FAILED: pyiceberg is not installed (make venv)")
        return 1
    rng = random.Random(a.seed)
    fails = []
    with tempfile.TemporaryDirectory() as tmp:
        inp, idx = os.path.join(tmp, "events.ndjson"), os.path.join(tmp, "bad.tsv")
        subprocess.run([sys.executable, os.path.join(BENCH, "gen_events.py"), "--mb", str(a.mb), "--bad-fraction", "0.01",
                        "--bad-index", idx, "-o", inp], check=True, stderr=subprocess.DEVNULL)
        lines = open(inp, "rb").read().split(b"\n")[:-1]
        bad = {int(l.split("\t")[0]) for l in open(idx)}
        wh = os.path.join(tmp, "wh")
        cat, ident = make_table(a.floe, wh, "events", partition_spec=a.partition_spec)
        make_table(a.floe, wh, "probe", partition_spec=a.partition_spec)

        def cmd(table, checkpoint):
            c = [a.floe, "convert", "--warehouse", wh, "--table", table, "--schema", SCHEMA, "--buffer-size", a.buffer_size,
                 "--arrival-time", "2024-03-01T10:00:00Z", "--quiet", "--jobs", "1", inp]
            return c + (["--checkpoint", checkpoint] if checkpoint else [])
        # one uninterrupted timing run (into another table) to pick kill moments
        t0 = time.time()
        r = subprocess.run(cmd("probe", None), capture_output=True)
        full = time.time() - t0
        if r.returncode != 0:
            fails.append(f"probe run exit {r.returncode}: {r.stderr.decode()[-500:]}")
        cp = os.path.join(tmp, "cp.json")
        kills = 0
        for k in range(a.kills):
            p = subprocess.Popen(cmd("events", cp), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            # the kills together fall within ~60% of an uninterrupted run, so every run is still working when killed
            delay = rng.uniform(0.05, max(0.06, full * 0.6 / a.kills))
            time.sleep(delay)
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                kills += 1
            p.wait()
            check_table(cat, ident, f"after kill {k + 1} at {delay:.2f}s", fails)
        if kills != a.kills:
            fails.append(f"only {kills} of {a.kills} runs were still working when the kill came")
        r = subprocess.run(cmd("events", cp), capture_output=True)
        if r.returncode != 0:
            fails.append(f"final run exit {r.returncode}: {r.stderr.decode()[-500:]}")
        ids = check_table(cat, ident, "after the final run", fails)
        want = collections.Counter(json.loads(lines[i - 1])["id"] for i in range(1, len(lines) + 1) if i not in bad)
        if ids != want:
            extra = sum((ids - want).values())
            miss = sum((want - ids).values())
            fails.append(f"table records: {sum(ids.values())}, want {sum(want.values())} ({extra} extra, {miss} missing)")
        errs = collections.Counter()
        for f in glob.glob(os.path.join(wh, "events", "format-conversion-failed", "**", "*"), recursive=True):
            if os.path.isfile(f):
                for l in open(f, "rb"):
                    e = json.loads(l)
                    n = int(e["sequenceNumber"].rsplit(":", 1)[1])
                    errs[n] += 1
                    if base64.b64decode(e["rawData"]) != lines[n - 1]:
                        fails.append(f"line {n}: rawData differs")
        if errs != collections.Counter(bad):
            fails.append(f"error records: {sum(errs.values())} for {len(errs)} lines, want {len(bad)} once each")
        tbl = cat.load_table(ident)
        snaps = tbl.metadata.snapshots
        # every snapshot of the runs carries the checkpoint's mark, in one parent chain
        chain, cur = [], tbl.current_snapshot()
        while cur is not None:
            chain.append(cur)
            cur = tbl.snapshot_by_id(cur.parent_snapshot_id) if cur.parent_snapshot_id is not None else None
        if len(chain) != len(snaps):
            fails.append(f"{len(snaps)} snapshots, {len(chain)} in the current snapshot's parent chain")
        seqs = [int(s.summary["floe.checkpoint-seq"]) for s in reversed(chain) if "floe.checkpoint-seq" in s.summary]
        if len(seqs) != len(chain) or seqs != sorted(set(seqs)):
            fails.append(f"checkpoint sequence numbers of the snapshots not increasing: {seqs}")
        print(f"iceberg_convert_crash: seed {a.seed}, {len(lines)} lines ({len(bad)} bad), uninterrupted {full:.2f}s, "
              f"{kills} SIGKILLs, {len(snaps)} snapshots")
    for f in fails:
        print("FAIL:", f)
    print("iceberg_convert_crash:", "FAILED" if fails else "ok")
    return 1 if fails else 0


sys.exit(main())
