#!/usr/bin/env python3
"""Issue 18, Done-when 4: floe validate vs check-jsonschema, whole-run wall time, median of R runs, both on the same
files, side by side.

- default: N GitHub workflow YAML files, the vendored github-workflows schema (one run each).
- --mixed: a tree of N/5 repositories, each with a workflow, an action.yml, a dependabot.yml, a .gitlab-ci.yml and a
  compose.yaml (every 10th of each invalid). floe: one run, `--schema-from-catalog` picks each file's schema by name
  (as the check-schemastore-catalog hook does); check-jsonschema has no such choice, so its whole run is one
  invocation per schema (as its five hooks are), timed together.

usage: bench_validate_yaml.py FLOE CHECK_JSONSCHEMA [N=1000] [R=5] [--mixed]
"""
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

mixed = "--mixed" in sys.argv
args = [a for a in sys.argv if a != "--mixed"]
floe, cj = args[1], args[2]
n = int(args[3]) if len(args) > 3 else 1000
runs = int(args[4]) if len(args) > 4 else 5
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


def action(i):
    bad = i % 10 == 0
    return (f"name: action {i}\ndescription: does {i}\ninputs:\n  token:\n    description: t\n    required: false\n"
            f"runs:\n  using: {'node99' if bad else 'node20'}\n  main: dist/index.js\n")


def dependabot(i):
    bad = i % 10 == 0
    return ("version: 2\nupdates:\n" + "".join(
        f"  - package-ecosystem: {eco}\n    directory: /\n    schedule:\n      interval: {'hourly' if bad and k == 0 else 'weekly'}\n"
        for k, eco in enumerate(["pip", "npm", "github-actions"][:rng.randint(1, 3)])))


def gitlab(i):
    bad = i % 10 == 0
    jobs = "".join(f"job{j}:\n  stage: {'build' if j % 2 else 'test'}\n  image: python:3.12\n  script:\n    - make {j}\n"
                   f"  when: {'sometimes' if bad and j == 0 else 'on_success'}\n" for j in range(rng.randint(1, 5)))
    return "stages: [build, test]\nvariables:\n  GIT_DEPTH: \"1\"\n" + jobs


def compose(i):
    bad = i % 10 == 0
    svcs = "".join(f"  svc{j}:\n    image: nginx:1.{j}\n    ports:\n      - \"{8000 + j}:80\"\n    restart: {'12' if bad and j == 0 else 'always'}\n"
                   f"    environment:\n      A: \"{i}\"\n" for j in range(rng.randint(1, 4)))
    return "services:\n" + svcs


def bench(cmds, label):
    times = {k: [] for k in cmds}
    codes = {}
    for _ in range(runs):
        for k, c in cmds.items():
            t = time.perf_counter()
            for cmd in c:
                r = subprocess.run(cmd, capture_output=True)
                codes.setdefault(k, []).append(r.returncode)
            times[k].append(time.perf_counter() - t)
    med = {k: statistics.median(v) for k, v in times.items()}
    for k in cmds:
        print(f"{k}: median {med[k]:.3f} s over {runs} runs {['%.3f' % x for x in times[k]]}, {len(cmds[k])} invocation(s), exit {sorted(set(codes[k]))}")
    print(f"ratio floe/check-jsonschema = {med['floe'] / med['check-jsonschema']:.4f} ({label})")


if mixed:
    kinds = [("github-workflows", ".github/workflows/ci.yml", workflow), ("github-actions", "action.yml", action),
             ("dependabot", ".github/dependabot.yml", dependabot), ("gitlab-ci", ".gitlab-ci.yml", gitlab),
             ("compose-spec", "compose.yaml", compose)]
    with tempfile.TemporaryDirectory() as d:
        per = {k: [] for k, _, _ in kinds}
        for i in range(n // len(kinds)):
            for name, rel, gen in kinds:
                p = os.path.join(d, f"repo{i:04d}", rel)
                os.makedirs(os.path.dirname(p), exist_ok=True)
                with open(p, "w") as f:
                    f.write(gen(i))
                per[name].append(p)
        files = [p for ps in per.values() for p in ps]
        bench({"floe": [[floe, "validate", "--schema-from-catalog", "--assert-format", "--quiet"] + files],
               "check-jsonschema": [[cj, "--builtin-schema", "vendor." + k] + ps for k, ps in per.items()]},
              f"{len(files)} files in {n // len(kinds)} repositories, 5 schemas, {len(files) // 10} invalid")
    sys.exit(0)

with tempfile.TemporaryDirectory() as d:
    files = []
    for i in range(n):
        p = os.path.join(d, ".github", "workflows", f"wf{i:04d}.yml")
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(workflow(i))
        files.append(p)
    bench({"floe": [[floe, "validate", "--builtin-schema", "github-workflows", "--assert-format", "--quiet"] + files],
           "check-jsonschema": [[cj, "--builtin-schema", "vendor.github-workflows"] + files]},
          f"{n} files, {n // 10} invalid")
