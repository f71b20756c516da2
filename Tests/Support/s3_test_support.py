"""What the s3:// interop scripts share: the servers that Tests/Support/servers.py started (from the environment),
one-line checks, floe's environment (the test's key, the proxy as the endpoint, a private HOME), the fault proxy's
control API, and reading a bucket prefix or a local folder whole."""
import json
import os
import tempfile
import urllib.request

ENDPOINT = os.environ["FLOE_TEST_S3_ENDPOINT"]
PROXY = os.environ["FLOE_TEST_S3_PROXY"]
KEY = os.environ["FLOE_TEST_AWS_ACCESS_KEY_ID"]
SECRET = os.environ["FLOE_TEST_AWS_SECRET_ACCESS_KEY"]
REGION = os.environ.get("FLOE_TEST_AWS_REGION", "us-east-1")
FAILURES = []


def check(cond, what):
    """Prints `ok` or `FAIL` and the check; failures are collected in FAILURES."""
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILURES.append(what)


def verdict(what):
    """The script's last line, `N failed` or `all <what> checks hold`, and its exit status."""
    print(f"{len(FAILURES)} failed" if FAILURES else f"all {what} checks hold")
    return 1 if FAILURES else 0


def finish(script, what, lines, bad, mb, kills, extra):
    """A conversion script's summary line (its input, the kills, `extra`) and then verdict(what)."""
    print(f"{script}: {lines} lines ({bad} bad), {mb} MB, {kills} kills, {extra}")
    return verdict(what)


def floe_env(**extra):
    """floe's environment: no AWS_* of the caller, the test's key and region, the proxy as the S3 endpoint."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(HOME=tempfile.mkdtemp(prefix="floe-home-"), AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET,
               AWS_REGION=REGION, AWS_ENDPOINT_URL_S3=PROXY)
    env.update(extra)
    return {k: v for k, v in env.items() if v is not None}


def proxy(path, body=None):
    """POST to the fault proxy's control API (/__proxy/reset, /config, /queue, /stats)."""
    req = urllib.request.Request(PROXY + path, data=json.dumps(body or {}).encode(), method="POST")
    return json.loads(urllib.request.urlopen(req, timeout=10).read() or b"{}")


def bucket_objects(s3, bucket, prefix):
    """Every object under `prefix`: key -> bytes."""
    out = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for o in page.get("Contents", []):
            out[o["Key"]] = s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
    return out


def local_files(root):
    """Every file below `root`: relative path -> bytes."""
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            out[os.path.relpath(p, root)] = open(p, "rb").read()
    return out
