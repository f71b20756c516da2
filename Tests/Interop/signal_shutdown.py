#!/usr/bin/env python3
"""SIGTERM / SIGINT on `floe ingest` and `floe convert` (issue 11, rule 2), against the binary, seen from outside.

- `floe ingest` fed through a pipe whose writer stays open; after N records the process gets SIGTERM (then, in a
  second run, SIGINT): every one of the N records is in Parquet or in the error output, the staging folder is
  empty, the exit status is 0 (the end of the stream, as Firehose flushes on shutdown), within a few seconds.
- `floe convert --checkpoint` on a large file gets SIGTERM mid-file: exit 143 (130 for SIGINT), a summary line,
  some records published, none partial; the rerun with the same checkpoint exits 0 and every record is there
  exactly once.
- A second signal aborts at once (exit 128 + signal), nothing partial visible, and the rerun still completes
  exactly once.

Usage: signal_shutdown.py FLOE_BINARY. Prints "N passed, N failed"; exit status 0 when all hold.
"""
import glob
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

from interop_checks import Tally

FLOE = os.path.abspath(sys.argv[1])
TALLY = Tally()
check = TALLY.check


def table_ids(out, table):
    """ids in the table's Parquet files (floe cat of the folder) and in its error output (base64 rawData)."""
    import base64
    ids = []
    folder = os.path.join(out, table)
    if glob.glob(os.path.join(folder, "**", "*.parquet"), recursive=True):
        r = subprocess.run([FLOE, "cat", folder], capture_output=True, check=True)
        ids += [json.loads(l)["id"] for l in r.stdout.splitlines()]
    for f in glob.glob(os.path.join(folder, "**", "*failed*", "**", "*"), recursive=True):
        if os.path.isfile(f):
            for l in open(f):
                raw = base64.b64decode(json.loads(l)["rawData"]).decode()
                ids.append(raw.split('"id":')[1].split(",")[0].strip(' "}\n'))
    return ids


def staging_files(out):
    return [f for f in glob.glob(os.path.join(out, ".floe-staging", "**", "*"), recursive=True) if os.path.isfile(f)]


def visible_partials(out):
    return [f for f in glob.glob(os.path.join(out, "**", "*"), recursive=True)
            if os.path.isfile(f) and ".floe-staging" not in f and (f.endswith(".tmp") or "/." in f)]


def ingest_case(tmp, sig):
    cols = os.path.join(tmp, "cols.json")
    open(cols, "w").write('[{"name":"id","type":"string"},{"name":"n","type":"int"}]')
    out = os.path.join(tmp, "ingest-%d" % sig)
    errfile = open(out + ".err", "w+")
    p = subprocess.Popen([FLOE, "ingest", "--columns", cols, "--out", out, "--table", "t", "--buffer-interval", "300"],
                         stdin=subprocess.PIPE, stderr=errfile)
    n = 3000
    for i in range(n):
        # every 100th record has a value of the wrong type: it goes to the error output
        val = '"x"' if i % 100 == 0 else str(i)
        # the last record has no newline yet: a stop makes it the last record of the stream
        p.stdin.write(('{"id":"r%d","n":%s}%s' % (i, val, "\n" if i < n - 1 else "")).encode())
    p.stdin.flush()
    time.sleep(1.0)
    t0 = time.monotonic()
    p.send_signal(sig)
    try:
        p.wait(timeout=20)  # the writer keeps the pipe open: only the signal can end the stream
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        check(False, f"ingest {signal.Signals(sig).name}: did not exit")
        return
    secs = time.monotonic() - t0
    p.stdin.close()
    errfile.seek(0)
    err = errfile.read().encode()
    name = signal.Signals(sig).name
    check(p.returncode == 0, f"ingest {name}: exit {p.returncode} (want 0): {err.decode()[:300]}")
    check(secs < 10, f"ingest {name}: took {secs:.1f} s to stop")
    ids = table_ids(out, "t")
    check(sorted(ids) == sorted("r%d" % i for i in range(n)),
          f"ingest {name}: {len(ids)} records out of {n} in Parquet + error output ({len(set(ids))} distinct)")
    check(staging_files(out) == [], f"ingest {name}: staging not empty: {staging_files(out)[:3]}")
    check(name in err.decode(), f"ingest {name}: summary line names the signal: {err.decode()[:300]}")


def convert_case(tmp, sig, second_signal=False):
    cols = os.path.join(tmp, "cols.json")
    open(cols, "w").write('[{"name":"id","type":"string"},{"name":"n","type":"int"}]')
    data = os.path.join(tmp, "big.json")
    n = 1_500_000
    if not os.path.exists(data):
        with open(data, "w") as f:
            for i in range(n):
                f.write('{"id":"r%d","n":%d}\n' % (i, i))
    name = signal.Signals(sig).name + (" twice" if second_signal else "")
    out = os.path.join(tmp, "convert-%d-%d" % (sig, second_signal))
    cp = os.path.join(tmp, "cp-%d-%d" % (sig, second_signal))
    argv = [FLOE, "convert", "--columns", cols, "--out", out, "--table", "t", "--checkpoint", cp,
            "--buffer-size", "4MiB", "--jobs", "2", data]
    p = subprocess.Popen(argv, stderr=subprocess.PIPE)
    # wait until the first files are published, i.e. the run is mid-file
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not glob.glob(os.path.join(out, "t", "**", "*.parquet"), recursive=True):
        time.sleep(0.05)
    p.send_signal(sig)
    if second_signal:
        time.sleep(0.01)
        p.send_signal(sig)
    try:
        _, err = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        check(False, f"convert {name}: did not exit")
        return
    check(p.returncode == 128 + sig, f"convert {name}: exit {p.returncode} (want {128 + sig}): {err.decode()[:300]}")
    check(visible_partials(out) == [], f"convert {name}: partial files visible: {visible_partials(out)[:3]}")
    first = len(table_ids(out, "t"))
    check(0 < first < n, f"convert {name}: {first} of {n} records published before the stop (want some, not all)")
    r = subprocess.run(argv, capture_output=True)
    check(r.returncode == 0, f"convert {name}: rerun exit {r.returncode}: {r.stderr.decode()[:300]}")
    ids = table_ids(out, "t")
    check(len(ids) == n and len(set(ids)) == n, f"convert {name}: after the rerun {len(ids)} records, "
          f"{len(set(ids))} distinct (want {n} exactly once)")
    check(staging_files(out) == [] or all("/cp-" in f for f in staging_files(out)),
          f"convert {name}: staging leftovers {staging_files(out)[:3]}")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        ingest_case(tmp, signal.SIGTERM)
        ingest_case(tmp, signal.SIGINT)
        convert_case(tmp, signal.SIGTERM)
        convert_case(tmp, signal.SIGINT)
        convert_case(tmp, signal.SIGTERM, second_signal=True)
    TALLY.finish()


if __name__ == "__main__":
    main()
