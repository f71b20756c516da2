#!/usr/bin/env python3
"""convert and ingest talk on a terminal and stay silent otherwise (issue 13, conventions/cli.md "Long work shows a
progress bar on stderr when stderr is a terminal; --quiet silences it").

Runs `floe convert` and `floe ingest` with stderr on a pseudo-terminal: the bar is redrawn (carriage returns,
bytes, records/s, ETA for a file input) at most 10 times a second, and one summary line ends the run
(`converted N of M records (K failed) into F file(s), X MB, S s`). With stderr on a pipe, or with --quiet on the
terminal, stderr stays empty on success. Usage: progress_test.py FLOE COLUMNS GEN_EVENTS_SCRIPT
Prints "N passed, N failed"; exits 1 on any failure.
"""
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

FLOE, COLS, GEN = sys.argv[1], sys.argv[2], sys.argv[3]
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def run_on_pty(args, stdin_bytes=None, cwd=None):
    """Runs args with stderr on a pty; returns (exit code, stderr bytes, seconds)."""
    master, slave = pty.openpty()
    t0 = time.monotonic()
    p = subprocess.Popen(args, stdin=subprocess.PIPE if stdin_bytes is not None else subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=slave, cwd=cwd)
    os.close(slave)
    if stdin_bytes is not None:
        p.stdin.write(stdin_bytes)
        p.stdin.close()
    out = b""
    while True:
        r, _, _ = select.select([master], [], [], 60)
        if not r:
            break
        try:
            d = os.read(master, 65536)
        except OSError:
            break
        if not d:
            break
        out += d
    p.wait(timeout=120)
    os.close(master)
    return p.returncode, out, time.monotonic() - t0


SUMMARY = re.compile(rb"converted ([\d,]+) of ([\d,]+) records \(([\d,]+) failed\) into (\d+) files?, "
                     rb"[\d.]+ [kMG]B, [\d.]+ s\r?\n$")

tmp = tempfile.mkdtemp()
try:
    data = os.path.join(tmp, "in.ndjson")
    # enough input that the run lasts several redraws even on a fast machine
    with open(data, "wb") as f:
        subprocess.run([sys.executable, GEN, "--records", "40000", "--bad", "7", "--seed", "3"], stdout=f, check=True)
    args = [FLOE, "convert", "--columns", COLS, "--out", os.path.join(tmp, "o1"), "--table", "ev", "--jobs", "1",
            "--buffer-size", "4MiB", data]
    code, err, secs = run_on_pty(args)
    check(code == 0, f"convert on a terminal exit {code}: {err[-300:]!r}")
    m = SUMMARY.search(err)
    check(m is not None, f"summary line missing: {err[-300:]!r}")
    if m:
        check(m.group(2) == b"40,000" and m.group(3) == b"7" and m.group(1) == b"39,993", f"summary counts: {m.group(0)!r}")
        check(int(m.group(4)) >= 2, f"summary names the files written: {m.group(0)!r}")
    frames = [f for f in err.split(b"\r") if b"rec/s" in f]
    check(len(frames) >= 1, f"no progress frame drawn in {secs:.1f}s: {err[:300]!r}")
    check(len(frames) <= secs * 10 + 2, f"{len(frames)} redraws in {secs:.1f}s (more than 10 a second)")
    check(any(b"ETA" in f and b"%" in f for f in frames) or secs < 0.3, "a file input shows percent and ETA")
    nl = err.count(b"\n")
    check(nl == 1, f"exactly one line stays on the terminal: {nl}")

    # --quiet on a terminal: nothing.
    code, err, _ = run_on_pty(args[:5] + [os.path.join(tmp, "o2")] + args[6:] + ["--quiet"])
    check(code == 0 and err == b"", f"--quiet on a terminal wrote {err[:200]!r}")

    # Not a terminal: stderr empty on success.
    p = subprocess.run(args[:5] + [os.path.join(tmp, "o3")] + args[6:], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    check(p.returncode == 0 and p.stderr == b"", f"stderr not a terminal: exit {p.returncode}, {p.stderr[:200]!r}")

    # ingest from a pipe, stderr on a terminal: bar without ETA (size unknown), summary at the end.
    with open(data, "rb") as f:
        head = b"".join(f.readlines()[:5000])
    code, err, _ = run_on_pty([FLOE, "ingest", "--columns", COLS, "--out", os.path.join(tmp, "o4"), "--table", "ev"],
                              stdin_bytes=head)
    check(code == 0, f"ingest on a terminal exit {code}: {err[-300:]!r}")
    m = SUMMARY.search(err)
    check(m is not None and m.group(2) == b"5,000", f"ingest summary: {err[-300:]!r}")
    check(b"ETA" not in err, "no ETA when the input size is unknown")
    p = subprocess.run([FLOE, "ingest", "--columns", COLS, "--out", os.path.join(tmp, "o5"), "--table", "ev"],
                       input=head, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    check(p.returncode == 0 and p.stderr == b"", f"ingest without a terminal: {p.stderr[:200]!r}")
finally:
    shutil.rmtree(tmp, ignore_errors=True)

print(f"progress: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
