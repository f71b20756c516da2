#!/usr/bin/env python3
"""Issue 18, Done-when 4: floe validate vs check-jsonschema on N GitHub workflow YAML files (the vendored
github-workflows schema), whole-run wall time, median of R runs, both on the same file list, side by side.

usage: bench_validate_yaml.py FLOE CHECK_JSONSCHEMA [N=1000] [R=5]
"""
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

floe, cj = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
runs = int(sys.argv[4]) if len(sys.argv) > 4 else 5
rng = random.Random(18)


def workflow(i):
    jobs = []
    for j in range(rng.randint(1, 4)):
        steps = "".join(
            f"      - name: step {k}\n        run: make target-{k}\n" if k % 2 else f"      - uses: actions/checkout@v4\n"
            for k in range(rng.randint(2, 8)))
        jobs.append(f"  job{j}:\n    runs-on: ubuntu-latest\n    timeout-minutes: {rng.randint(5, 60)}\n"
                    f"    env:\n      N: \"{i}\"\n    steps:\n{steps}")
    bad = i % 10 == 0
    on = "on:\n  push:\n    branches: [main]\n  pull_request:\n"
    if bad:
        jobs[0] = jobs[0].replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest")
    return f"name: wf {i}\n{on}jobs:\n" + "".join(jobs)


with tempfile.TemporaryDirectory() as d:
    files = []
    for i in range(n):
        p = os.path.join(d, ".github", "workflows", f"wf{i:04d}.yml")
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(workflow(i))
        files.append(p)
    cmds = {
        "floe": [floe, "validate", "--builtin-schema", "github-workflows", "--assert-format", "--quiet"] + files,
        "check-jsonschema": [cj, "--builtin-schema", "vendor.github-workflows"] + files,
    }
    times = {k: [] for k in cmds}
    codes = {}
    for _ in range(runs):
        for k, c in cmds.items():
            t = time.perf_counter()
            r = subprocess.run(c, capture_output=True)
            times[k].append(time.perf_counter() - t)
            codes[k] = r.returncode
    med = {k: statistics.median(v) for k, v in times.items()}
    for k in cmds:
        print(f"{k}: median {med[k]:.3f} s over {runs} runs {['%.3f' % x for x in times[k]]}, exit {codes[k]}")
    print(f"ratio floe/check-jsonschema = {med['floe'] / med['check-jsonschema']:.4f} ({n} files, {n // 10} invalid)")
