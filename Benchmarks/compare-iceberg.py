#!/usr/bin/env python3
"""Side by side (issue 17, done-when 6): `floe convert` of the 200 MB events into an Iceberg table against the same
conversion into a plain folder table, as whole processes, alternating runs; then the commit latency of small
appends (one commit per input file) on the SQLite catalog and, when FLOE_TEST_POSTGRES_URL is set
(scripts/with_postgres.sh), on PostgreSQL, from `floe convert --profile` (`iceberg commits N, p50 …`).

    Benchmarks/compare-iceberg.py [--floe BIN] [--runs 5] [--commits 200]
    scripts/with_postgres.sh .venv/bin/python Benchmarks/compare-iceberg.py     # adds the PostgreSQL commit figures

Environment: EVENTS_NDJSON (default /tmp/events.ndjson, generated with the shared gen_events.py --mb EVENTS_MB=200
when missing). Needs pyiceberg in the Python running it (the Makefile's venv) only to create the table when
`floe table create --format iceberg` does not. Targets: wall (and CPU) ratio iceberg/plain <= 1.1; commit p50 <=
20 ms on SQLite, <= 30 ms on PostgreSQL (release build). Reports medians of the runs.
"""
import argparse, os, re, shutil, statistics, subprocess, sys, tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "Tests", "Interop"))
from iceberg_support import BENCH, COLUMNS, make_table  # noqa: E402


def timed(cmd):
    """(wall, user+sys) seconds of a command, via /usr/bin/time."""
    with tempfile.NamedTemporaryFile("r") as t:
        r = subprocess.run(["/usr/bin/time", "-f", "%e %U %S", "-o", t.name] + cmd, capture_output=True)
        if r.returncode != 0:
            sys.exit(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr.decode()[-400:]}")
        e, u, s = map(float, open(t.name).read().split()[-3:])
        return e, u + s, r.stderr.decode()


def commit_latency(floe, tmp, label, url, commits):
    wh = os.path.join(tmp, "lat-" + label)
    make_table(floe, wh, "small", url=url)
    src = os.path.join(tmp, "small.ndjson")
    if not os.path.exists(src):
        subprocess.run([sys.executable, os.path.join(BENCH, "gen_events.py"), "--records", str(commits * 20), "-o", src],
                       check=True, stderr=subprocess.DEVNULL)
    lines = open(src, "rb").read().split(b"\n")[:-1]
    files = []
    for i in range(commits):
        p = os.path.join(tmp, f"small-{i:04d}.ndjson")
        with open(p, "wb") as f:
            f.write(b"\n".join(lines[i * 20:(i + 1) * 20]) + b"\n")
        files.append(p)
    _, _, err = timed([floe, "convert", "--warehouse", wh, "--table", "small", "--buffer-size", "1", "--jobs", "1",
                       "--quiet", "--profile"] + files)
    m = re.search(r"iceberg commits (\d+), p50 ([\d.]+) ms, p90 ([\d.]+) ms, max ([\d.]+) ms", err)
    if not m:
        sys.exit(f"no commit profile line in: {err[-400:]}")
    print(f"{label}: {m.group(1)} commits, p50 {m.group(2)} ms, p90 {m.group(3)} ms, max {m.group(4)} ms "
          f"(target p50 <= {20 if label == 'sqlite' else 30} ms)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--floe", default=os.path.join(REPO, ".build", "release", "floe"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--commits", type=int, default=200)
    ap.add_argument("--skip-convert", action="store_true")
    a = ap.parse_args()
    events = os.environ.get("EVENTS_NDJSON", "/tmp/events.ndjson")
    if not os.path.exists(events):
        subprocess.run([sys.executable, os.path.join(BENCH, "gen_events.py"), "--mb", os.environ.get("EVENTS_MB", "200"),
                        "-o", events], check=True, stderr=subprocess.DEVNULL)
    with tempfile.TemporaryDirectory() as tmp:
        if not a.skip_convert:
            wh = os.path.join(tmp, "wh")
            make_table(a.floe, wh, "ice")
            subprocess.run([a.floe, "table", "create", "plain", "--warehouse", wh, "--columns", COLUMNS], check=True,
                           stdout=subprocess.DEVNULL)
            common = ["--buffer-size", "1GiB", "--compression", "snappy", "--quiet", events]

            def plain():
                shutil.rmtree(os.path.join(wh, "plain"), ignore_errors=True)
                os.makedirs(os.path.join(wh, "plain"))
                return timed([a.floe, "convert", "--warehouse", wh, "--table", "plain"] + common)[:2]

            def ice():
                return timed([a.floe, "convert", "--warehouse", wh, "--table", "ice"] + common)[:2]
            plain(), ice()  # warm-up
            P, I = [], []
            for _ in range(a.runs):
                P.append(plain())
                I.append(ice())
            pw, pc = statistics.median(x[0] for x in P), statistics.median(x[1] for x in P)
            iw, ic = statistics.median(x[0] for x in I), statistics.median(x[1] for x in I)
            print(f"plain   wall {[x[0] for x in P]} median {pw:.2f}s; cpu median {pc:.2f}s")
            print(f"iceberg wall {[x[0] for x in I]} median {iw:.2f}s; cpu median {ic:.2f}s")
            print(f"ratio iceberg/plain: wall {iw / pw:.3f}, cpu {ic / pc:.3f} (target <= 1.1)")
        commit_latency(a.floe, tmp, "sqlite", None, a.commits)
        url = os.environ.get("FLOE_TEST_POSTGRES_URL")
        if url:
            commit_latency(a.floe, tmp, "postgresql", url, a.commits)
        else:
            print("postgresql: skipped (run under scripts/with_postgres.sh)")


main()
