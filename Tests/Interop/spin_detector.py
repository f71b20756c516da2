#!/usr/bin/env python3
"""Spin detector (issue 14, "no busy waiting anywhere"): threads that wait must sleep, never poll.

    spin_detector.py FLOE [--records N] [--runs R]

Runs `floe validate --ndjson` and `floe convert` on a small events input (scripts/demo_events.py) with --jobs 1
and with one job more than there are cores, and compares the processes' CPU time (user + system, from
wait4's rusage; wall time is not looked at). The work is the same whatever the job count, so a pipeline whose idle
threads sleep uses about the same CPU; a pipeline whose threads spin while waiting for work, for the ordered step
or for the printer burns CPU for every waiting thread. Fails when the CPU time with more jobs is more than 20% above
that with one job (the best of R runs each, so other load on the machine does not make it fail).

"More jobs" is one more than the cores: enough that a thread always waits, and few enough that the honest cost of
more jobs stays small. Each job holds a chunk and its column buffers in flight, so convert with --jobs 8 on 2 cores
touches about twice the memory of --jobs 1 (on 98 MB: 31,000 page faults and 130 MB peak RSS against 12,400 and
60 MB, +0.03 s system and +0.04 s user CPU on 0.45 s): a ratio of 1.11-1.27 with no thread waiting busily, which
failed a CI run. A polling thread is still far beyond 1.2 with cores + 1 jobs: pinned to one CPU with the workers,
the scheduler gives it its share of every time slice, so one spinning thread among three adds half the CPU time.

Both runs are pinned to one CPU. On machines whose CPUs are hyperthread siblings (this project's 2-core VMs are),
two threads running at once each run slower, so the CPU time of honest parallel work grows with the job count
(measured here: validate 0.25 s with --jobs 1, 0.38 s with --jobs 2, same instructions) and a limit on it would fail
for no spinning at all. On one CPU that effect is gone, while a thread that polls instead of sleeping still takes
the CPU from the thread doing the work, so its CPU time shows up as before.

A second check looks at waiting directly, whatever the machine: each command reads stdin with four jobs per core, gets half
the input, then nothing for a while (the pipe stays open). Once the first half is processed every thread has
nothing to do but wait, so the process's CPU time (from /proc/PID/stat, all threads) must stay still: over the
quiet second it may grow by at most IDLE_LIMIT seconds. A thread that polls a counter or spins on a lock in a loop
burns close to a full CPU second there.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLUMNS = os.path.join(REPO, "examples", "events.columns.json")
SCHEMA = os.path.join(REPO, "Tests", "FirehoseTests", "TestVectors", "events.schema.json")
LIMIT = 1.20
# CPU seconds a process may use during a quiet second of waiting for input (timers, a progress tick).
IDLE_LIMIT = 0.05
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# The one CPU every measured run is pinned to (the first this process may use).
PINNED_CPU = min(os.sched_getaffinity(0))


def cpu_seconds(cmd):
    """CPU seconds (user + system) of one run of `cmd` (output discarded)."""
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         preexec_fn=lambda: os.sched_setaffinity(0, {PINNED_CPU}))
    _, status, ru = os.wait4(p.pid, 0)
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"spin detector: {' '.join(cmd)} exited {code}: {err.strip()}")
    return ru.ru_utime + ru.ru_stime


def proc_cpu(pid):
    """CPU seconds (user + system, all threads) of a running process, from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def idle_cpu(cmd, first_half, settle=True):
    """CPU seconds `cmd` uses during one quiet second with stdin open and no input after `first_half`.

    The first half is written, then the process is given up to 60 s to finish it (its CPU time stops moving for
    0.5 s); the quiet second is measured after that. Returns (idle CPU seconds, settled?)."""
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        p.stdin.write(first_half)
        p.stdin.flush()
        deadline = time.monotonic() + 60
        settled = False
        last = proc_cpu(p.pid)
        while settle and time.monotonic() < deadline:
            time.sleep(0.5)
            now = proc_cpu(p.pid)
            if now - last < 0.02:
                settled = True
                break
            last = now
        start = proc_cpu(p.pid)
        time.sleep(1.0)
        used = proc_cpu(p.pid) - start
        if not settle:
            return used, settled
        p.stdin.close()
        p.wait(timeout=120)
        return used, settled
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def best(cmd, runs):
    return min(cpu_seconds(cmd) for _ in range(runs))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("floe")
    ap.add_argument("--records", type=int, default=200000)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    many = len(os.sched_getaffinity(0)) + 1
    idle_jobs = 4 * len(os.sched_getaffinity(0))
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        inp = os.path.join(tmp, "events.ndjson")
        with open(inp, "wb") as f:
            subprocess.run([sys.executable, os.path.join(REPO, "scripts", "demo_events.py"), "--records",
                            str(a.records), "--bad", "20"], stdout=f, check=True)
        size = os.path.getsize(inp)

        def validate(jobs):
            return [a.floe, "validate", "--schema", SCHEMA, "--ndjson", "--quiet", "--jobs", str(jobs), inp]

        def convert(jobs):
            out = os.path.join(tmp, f"out{jobs}")
            return ["bash", "-c", f'rm -rf "{out}" && exec "$0" "$@"', a.floe, "convert", "--columns", COLUMNS,
                    "--out", out, "--table", "events", "--quiet", "--jobs", str(jobs), inp]

        for name, make in (("validate", validate), ("convert", convert)):
            best(make(1), 1)  # warm the page cache and the binary
            # interleaved, so a burst of other load touches both sides alike
            ones, lotss = [], []
            for _ in range(a.runs):
                ones.append(cpu_seconds(make(1)))
                lotss.append(cpu_seconds(make(many)))
            one, lots = min(ones), min(lotss)
            ratio = lots / one if one > 0 else float("inf")
            limit = LIMIT
            verdict = "ok" if ratio <= limit else "FAIL"
            print(f"spin detector: {name} on {size / 1e6:.1f} MB: CPU --jobs 1 {one:.3f} s, --jobs {many} {lots:.3f} s,"
                  f" ratio {ratio:.2f} (limit {limit:.2f}) {verdict}")
            if ratio > limit:
                failures.append(name)
        # Waiting for input with many jobs: CPU time must stand still. First, the check must be able to fail: a
        # process that reads stdin on one thread and spins on another is flagged.
        spinner = [sys.executable, "-c", "import sys, threading\n"
                   "threading.Thread(target=lambda: sys.stdin.buffer.read(), daemon=True).start()\n"
                   "while True: pass"]
        spun, _ = idle_cpu(spinner, b"x\n", settle=False)
        if spun <= IDLE_LIMIT:
            print(f"spin detector: a spinning process used only {spun:.3f} CPU s in the quiet second: the idle check"
                  " cannot see spinning on this machine")
            failures.append("idle self-check")
        with open(inp, "rb") as f:
            data = f.read()
        half = data[:data.index(b"\n", len(data) // 2) + 1]
        idle_cmds = (
            ("validate", [a.floe, "validate", "--schema", SCHEMA, "--ndjson", "--quiet", "--jobs", str(idle_jobs), "-"]),
            ("convert", [a.floe, "convert", "--columns", COLUMNS, "--out", os.path.join(tmp, "idle"), "--table",
                         "events", "--quiet", "--jobs", str(idle_jobs), "-"]),
        )
        for name, cmd in idle_cmds:
            used, settled = min(idle_cpu(cmd, half) for _ in range(2))
            verdict = "ok" if used <= IDLE_LIMIT and settled else "FAIL"
            print(f"spin detector: {name} --jobs {idle_jobs} waiting on stdin: {used:.3f} CPU s in a quiet second"
                  f"{'' if settled else ' (CPU time never stopped moving)'} (limit {IDLE_LIMIT:.2f}) {verdict}")
            if verdict == "FAIL":
                failures.append(f"{name} (waiting)")
    if failures:
        print(f"spin detector: CPU grows with idle jobs in: {', '.join(failures)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
