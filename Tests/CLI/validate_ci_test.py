#!/usr/bin/env python3
"""Issue 18: `floe validate` for CI, checked with real peers (Done-when 2, 3, 4).

1. `--output junit` validates against the JUnit schema (TestVectors/junit/junit-10.xsd, lxml); `--output github`
   lines match GitHub's workflow-command grammar.
2. pre-commit (PyPI, offline) runs this repository's .pre-commit-hooks.yaml from a local clone (`language: swift`
   hooks build floe) on a fixture repository of valid and invalid workflows, actions, dependabot, GitLab CI and compose
   files: it passes on the valid ones, fails on the invalid ones, and names file:line.   (skipped with --no-precommit)
3. Side by side with check-jsonschema (PyPI) on the same vendored schemas and fixture files: equal verdicts.

usage: validate_ci_test.py FLOE [--no-precommit]
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
XSD = os.path.join(ROOT, "Tests/ConfigFormatsTests/TestVectors/junit/junit-10.xsd")
BIN = os.path.dirname(sys.executable)

# name -> (builtin schema, path in the fixture repo, valid?, text)
FIXTURES = [
    ("github-workflows", ".github/workflows/ok.yml", True,
     "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: make\n"),
    ("github-workflows", ".github/workflows/bad.yml", False,
     "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        run: make\n"),
    ("github-actions", "good/action.yml", True,
     "name: a\ndescription: d\nruns:\n  using: node20\n  main: index.js\n"),
    ("github-actions", "bad/action.yml", False,
     "name: a\ndescription: d\nruns:\n  using: node20\n  main: 5\n  bogus: yes\n"),
    ("dependabot", ".github/dependabot.yml", False,
     "version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n    schedule:\n      interval: hourly\n"),
    ("gitlab-ci", ".gitlab-ci.yml", False,
     "stages: [build]\nbuild:\n  stage: build\n  script: make\n  when: sometimes\n"),
    ("compose-spec", "compose.yaml", True,
     "services:\n  web:\n    image: nginx\n    ports:\n      - \"8080:80\"\n"),
    ("compose-spec", "deploy/docker-compose.yml", False,
     "services:\n  web:\n    image: nginx\n    restart: 12\n    bogus: 1\n"),
]

failures = 0


def check(cond, what):
    global failures
    if cond:
        print(f"ok   {what}")
    else:
        failures += 1
        print(f"FAIL {what}")


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def write_fixtures(repo, only_valid=False):
    for _, path, valid, text in FIXTURES:
        if only_valid and not valid:
            continue
        full = os.path.join(repo, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(text)


def junit_and_github(floe, work):
    from lxml import etree
    schema = etree.XMLSchema(etree.parse(XSD))
    write_fixtures(work)
    files = [os.path.join(work, p) for n, p, _, _ in FIXTURES if n == "compose-spec"]
    files.append(os.path.join(work, "missing.yaml"))
    r = run([floe, "validate", "--builtin-schema", "compose-spec", "--output", "junit"] + files)
    doc = etree.fromstring(r.stdout.encode())
    check(schema.validate(doc), f"--output junit validates against junit-10.xsd {schema.error_log.last_error}")
    check(len(doc.findall(".//testcase")) == 3 and len(doc.findall(".//failure")) == 1 and len(doc.findall(".//error")) == 1,
          "junit: one testcase per instance, one failure, one error")
    r = run([floe, "validate", "--builtin-schema", "compose-spec", "--output", "github"] + files[:2])
    grammar = re.compile(r"^::error file=[^,:\r\n]*,line=\d+,col=\d+,title=[^,:\r\n]*::[^\r\n]*$")
    lines = r.stdout.splitlines()
    check(lines and all(grammar.match(l) for l in lines), f"--output github lines match the grammar ({len(lines)})")


def precommit(floe, work):
    clone = os.path.join(work, "floe-clone")
    run(["git", "clone", "-q", ROOT, clone])
    # The hooks under test are those of the working tree: commit them into the clone.
    shutil.copy(os.path.join(ROOT, ".pre-commit-hooks.yaml"), clone)
    run(["git", "-C", clone, "add", "-A"])
    run(["git", "-C", clone, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "hooks", "--allow-empty"])
    rev = run(["git", "-C", clone, "rev-parse", "HEAD"]).stdout.strip()
    env = dict(os.environ, PRE_COMMIT_HOME=os.path.join(work, "pre-commit-home"), PATH=BIN + ":" + os.environ["PATH"])
    hooks = ["check-github-workflows", "check-github-actions", "check-dependabot", "check-gitlab-ci", "check-compose"]
    config = f"repos:\n  - repo: {clone}\n    rev: {rev}\n    hooks:\n" + "".join(f"      - id: {h}\n" for h in hooks)
    for only_valid in (True, False):
        repo = os.path.join(work, "fixture-valid" if only_valid else "fixture-all")
        os.makedirs(repo)
        run(["git", "init", "-q", repo])
        write_fixtures(repo, only_valid)
        with open(os.path.join(repo, ".pre-commit-config.yaml"), "w") as f:
            f.write(config)
        run(["git", "-C", repo, "add", "-A"])
        r = run([os.path.join(BIN, "pre-commit"), "run", "--all-files"], cwd=repo, env=env)
        out = r.stdout + r.stderr
        if only_valid:
            check(r.returncode == 0, "pre-commit passes on the valid fixtures\n" + (out if r.returncode else ""))
        else:
            check(r.returncode == 1, "pre-commit fails on the invalid fixtures")
            for _, path, valid, _ in FIXTURES:
                if not valid:
                    check(re.search(re.escape(path) + r":\d+:\d+: ", out) is not None, f"pre-commit output names {path}:line:column")
            if failures:
                print(out)


def side_by_side(floe, work):
    """Verdicts of floe and check-jsonschema (same vendored schema, format checks as check-jsonschema's default)."""
    cj = os.path.join(BIN, "check-jsonschema")
    for name, path, valid, _ in FIXTURES:
        f = os.path.join(work, path)
        a = run([floe, "validate", "--builtin-schema", name, "--assert-format", f]).returncode
        b = run([cj, "--builtin-schema", "vendor." + {"compose-spec": "compose-spec"}.get(name, name), f]).returncode
        check(a == b == (0 if valid else 1), f"{path}: floe exit {a}, check-jsonschema exit {b}, expected {0 if valid else 1}")


EXAMPLES = os.path.join(ROOT, "Tests/ConfigFormatsTests/TestVectors/check-jsonschema-examples")
# (floe exit, check-jsonschema exit) where they differ from each other or from the folder (DIFFERENCES.md).
EXPECTED_DIFFERENCES = {
    "positive/azure-pipelines/expression-from-lang-server.yaml": (1, 1),
    "positive/azure-pipelines/expression-transform.yaml": (1, 1),
    "positive/azure-pipelines/marshmallow.yaml": (0, 1),
    "positive/gitlab-ci/reference-tag.yaml": (0, 1),
    "positive/renovate/starter-config.json5": (0, 1),
    "positive/metaschema/draft3.json": (2, 0),
    "negative/metaschema/2020_invalid_format_value.json": (0, 0),
    "negative/drone-ci/unkown-type-pipeline.yml": (2, 1),
}


def examples(floe):
    """check-jsonschema's hook example files: floe and check-jsonschema side by side."""
    cj = os.path.join(BIN, "check-jsonschema")
    equal = 0
    for kind in ("positive", "negative"):
        for name in sorted(os.listdir(os.path.join(EXAMPLES, kind))):
            d = os.path.join(EXAMPLES, kind, name)
            for f in sorted(os.listdir(d)):
                if f.startswith("_"):
                    continue
                p = os.path.join(d, f)
                rel = f"{kind}/{name}/{f}"
                if name == "metaschema":
                    extra = ["--disable-formats", "*"] if rel == "positive/metaschema/2020_invalid_format_value.json" else []
                    a = run([floe, "validate", "--metaschema", p]).returncode
                    b = run([cj, "--check-metaschema"] + extra + [p]).returncode
                else:
                    a = run([floe, "validate", "--builtin-schema", name, "--assert-format", p]).returncode
                    b = run([cj, "--builtin-schema", "vendor." + name, p]).returncode
                want = 0 if kind == "positive" else 1
                expected = EXPECTED_DIFFERENCES.get(rel, (2, 0) if name == "drone-ci" else (want, want))
                check((a, b) == expected, f"{rel}: floe {a}, check-jsonschema {b}, expected {expected}")
                equal += a == b == want
    print(f"verdicts equal and as expected on {equal} example files")


def main():
    floe = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as work:
        junit_and_github(floe, work)
        side_by_side(floe, work)
        examples(floe)
        if "--no-precommit" not in sys.argv:
            precommit(floe, work)
    print(f"{failures == 0 and 'PASS' or 'FAIL'}: validate_ci_test ({failures} failed)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
