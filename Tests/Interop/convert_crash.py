#!/usr/bin/env python3
"""Crash test of floe convert --checkpoint (issue 6, done-when 3).

usage: convert_crash.py FLOE [--mb 40] [--kills 6] [--seed S]

Converts ~40 MB of events (1% bad) with a small buffer size and a checkpoint, SIGKILLs the process at random
moments, and after every kill checks that no partial file is visible under the table folder (every *.parquet
reads completely, no temporary names); then reruns the same command. After the last run completes: every good
record is in the Parquet output exactly once and every bad record in the error output exactly once.
"""
import argparse, base64, collections, glob, json, os, random, signal, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# The events generator: the copy in Tests/Interop/TestVectors/bench (SOURCE there); FLOE_SHARED_BENCH=DIR runs
# DIR/gen_events.py instead.
GEN_DIR = os.environ.get("FLOE_SHARED_BENCH", os.path.join(ROOT, "Tests", "Interop", "TestVectors", "bench"))
COLUMNS = os.path.join(ROOT, "Tests", "FirehoseTests", "TestVectors", "events.columns.json")
SCHEMA = os.path.join(ROOT, "Tests", "FirehoseTests", "TestVectors", "events.schema.json")


def visible_ok(table):
    import pyarrow.parquet as pq
    problems = []
    for root, dirs, files in os.walk(table):
        for f in files:
            p = os.path.join(root, f)
            if f.startswith(".") or f.endswith(".tmp"):
                problems.append(f"temporary file visible: {p}")
            elif f.endswith(".parquet"):
                try:
                    pq.read_table(p)
                except Exception as e:
                    problems.append(f"unreadable: {p}: {e}")
            else:
                for l in open(p, "rb"):
                    try:
                        json.loads(l)
                    except Exception:
                        problems.append(f"partial error file: {p}")
                        break
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("floe")
    ap.add_argument("--mb", type=float, default=40)
    ap.add_argument("--kills", type=int, default=6)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    if not os.path.exists(os.path.join(GEN_DIR, "gen_events.py")):
        # The check is defined on the shared events generator and peer reference (bench/ in the shared folder beside the repository); CI has it.
        print(f"convert crash test: skipped: {GEN_DIR}/gen_events.py is not there (set FLOE_SHARED_BENCH)")
        return 0
    import pyarrow.parquet as pq
    rng = random.Random(a.seed)
    fails = []
    with tempfile.TemporaryDirectory() as tmp:
        inp, idx = os.path.join(tmp, "events.ndjson"), os.path.join(tmp, "bad.tsv")
        subprocess.run([sys.executable, os.path.join(GEN_DIR, "gen_events.py"), "--mb", str(a.mb), "--bad-fraction", "0.01",
                        "--bad-index", idx, "-o", inp], check=True, stderr=subprocess.DEVNULL)
        lines = open(inp, "rb").read().split(b"\n")[:-1]
        bad = {int(l.split("\t")[0]) for l in open(idx)}
        out = os.path.join(tmp, "out")
        cmd = [a.floe, "convert", "--columns", COLUMNS, "--schema", SCHEMA, "--out", out, "--table", "events", "--buffer-size", "2MiB",
               "--checkpoint", os.path.join(tmp, "cp.json"), "--arrival-time", "2024-03-01T10:00:00Z", "--quiet",
               "--jobs", "1", inp]
        # one uninterrupted timing run to pick kill moments (one worker, so that 40 MB take long enough to be killed
        # six times)
        t0 = time.time()
        probe = subprocess.Popen(cmd[:cmd.index("--checkpoint")] + cmd[cmd.index("--checkpoint") + 2:],
                                 cwd=tmp, env=dict(os.environ), stdout=subprocess.DEVNULL)
        probe.wait()
        full = time.time() - t0
        import shutil
        shutil.rmtree(out)
        kills = 0
        for k in range(a.kills):
            p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            # the kills together fall within ~60% of an uninterrupted run, so every run is still working when killed
            delay = rng.uniform(0.02, max(0.03, full * 0.6 / a.kills))
            time.sleep(delay)
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                kills += 1
            p.wait()
            for prob in visible_ok(os.path.join(out, "events")):
                fails.append(f"after kill {k + 1} at {delay:.2f}s: {prob}")
        if kills != a.kills:
            fails.append(f"only {kills} of {a.kills} runs were still working when the kill came")
        r = subprocess.run(cmd, capture_output=True)
        if r.returncode != 0:
            fails.append(f"final run exit {r.returncode}: {r.stderr.decode()[-500:]}")
        fails += visible_ok(os.path.join(out, "events"))
        ids = collections.Counter()
        for f in glob.glob(os.path.join(out, "events", "2024", "**", "*.parquet"), recursive=True):
            ids.update(pq.read_table(f, columns=["id"]).column("id").to_pylist())
        want = collections.Counter(json.loads(lines[i - 1])["id"] for i in range(1, len(lines) + 1) if i not in bad)
        if ids != want:
            dup = sum(1 for v in (ids - want).values())
            miss = sum(1 for v in (want - ids).values())
            fails.append(f"Parquet records: {sum(ids.values())}, want {sum(want.values())} ({dup} extra, {miss} missing)")
        errs = collections.Counter()
        for f in glob.glob(os.path.join(out, "events", "format-conversion-failed", "**", "*"), recursive=True):
            if os.path.isfile(f):
                for l in open(f, "rb"):
                    e = json.loads(l)
                    n = int(e["sequenceNumber"].rsplit(":", 1)[1])
                    errs[n] += 1
                    if base64.b64decode(e["rawData"]) != lines[n - 1]:
                        fails.append(f"line {n}: rawData differs")
        if errs != collections.Counter(bad):
            fails.append(f"error records: {sum(errs.values())} for {len(errs)} lines, want {len(bad)} once each")
        nfiles = len(glob.glob(os.path.join(out, "events", "2024", "**", "*.parquet"), recursive=True))
        print(f"convert_crash: seed {a.seed}, {len(lines)} lines ({len(bad)} bad), uninterrupted {full:.2f}s, "
              f"{kills} SIGKILLs, {nfiles} data files")
    for f in fails:
        print("FAIL:", f)
    print("convert_crash:", "FAILED" if fails else "ok")
    sys.exit(1 if fails else 0)


main()
