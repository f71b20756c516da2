#!/usr/bin/env python3
"""Damaged Parquet files against the floe binary, one process per damaged copy, so that every outcome is seen
from outside: exit 0 (a read) or 1 (a clean error with a one-line `floe: <file>: ...` diagnostic); never a crash
(signal), a usage exit, a hang (10 s limit) or a peak RSS beyond a small multiple of the file size.

Every readable test file is truncated at 20 offsets and gets 50 seeded random byte flips (one per copy); the
encrypted files (*.parquet.encrypted) are read with their keys.
Usage: damaged_files.py FLOE_BINARY. Prints "N passed, N failed"; exit status 0 when all hold.
"""
import glob
import os
import random
import signal
import subprocess
import concurrent.futures
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.path.join(ROOT, "Tests", "ParquetTests", "TestVectors", "parquet-testing")
FLOE = os.path.abspath(sys.argv[1])
TIMEOUT = 10.0


def baseline_rss_kib():
    """Peak RSS of floe reading a tiny valid file: the process's fixed cost."""
    f = os.path.join(DATA, "data", "alltypes_plain.parquet")
    return run([FLOE, "cat", f])[2]


def run(argv):
    """Runs argv under GNU time (a small process, so the peak RSS it reports is floe's own, not that of a forked
    Python); returns (exit status or -signal or "hang", stderr, max RSS in KiB, seconds)."""
    start = time.monotonic()
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rssfile:
        p = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rssfile.name] + argv, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, start_new_session=True)
        try:
            _, err = p.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.communicate()
            return ("hang", "", 0, TIMEOUT)
        lines = open(rssfile.name).read().splitlines()
    err = err.decode("utf-8", "replace")
    code = p.returncode
    for l in lines:
        if l.startswith("Command terminated by signal"):
            code = -int(l.split()[-1])
    rss = int(lines[-1]) if lines and lines[-1].isdigit() else 0
    return (code, err, rss, time.monotonic() - start)


def ascii_hex(s):
    return s.encode().hex()


# Keys of the encrypted files (parquet-testing data/README.md; the digits are ASCII key bytes).
KEYS_128 = ["--footer-key", ascii_hex("0123456789012345"), "--column-key", "double_field:" + ascii_hex("1234567890123450"),
            "--column-key", "float_field:" + ascii_hex("1234567890123451")]


def key_args(rel, tmp):
    """The key flags reading an encrypted test file needs (files written to `tmp` for key files)."""
    if not rel.endswith(".encrypted"):
        return []
    prefix = ["--aad-prefix", "tester"] if "aad" in os.path.basename(rel) else []
    if rel.startswith("data/aes256/"):
        keys = {"kf": ascii_hex("01234567890123456789012345678901")}
        for n in range(1, 9):
            keys[f"kc{n}"] = ascii_hex("1234567890123456789012345678901" + str(n + 1))
        path = os.path.join(tmp, "aes256-keys.json")
        with open(path, "w") as f:
            f.write(repr(keys).replace("'", '"'))
        return ["--key-file", path] + prefix
    if "external_key_material" in rel:
        path = os.path.join(tmp, "kms.json")
        with open(path, "w") as f:
            f.write('{"kf":"%s","kc1":"%s","kc2":"%s"}' % (ascii_hex("0123456789012345"), ascii_hex("1234567890123450"),
                                                           ascii_hex("1234567890123451")))
        # the key material file sits beside the file it belongs to, by name
        material = os.path.join(os.path.dirname(os.path.join(DATA, rel)), "_KEY_MATERIAL_FOR_" + os.path.basename(rel) + ".json")
        with open(material, "rb") as src, open(os.path.join(tmp, "_KEY_MATERIAL_FOR_damaged.parquet.json"), "wb") as dst:
            dst.write(src.read())
        return ["--kms-keys", path]
    return KEYS_128 + prefix


def main():
    # Plain files, and the encrypted ones read with their keys (Encryption.md: a damaged module fails its GCM
    # authentication or its framing, cleanly).
    files = sorted(f for f in glob.glob(os.path.join(DATA, "**", "*.parquet"), recursive=True))
    files += sorted(glob.glob(os.path.join(DATA, "**", "*.parquet.encrypted"), recursive=True))
    only = os.environ.get("DAMAGED_ONLY")  # a substring of the paths to sweep (default: every file)
    if only:
        files = [f for f in files if only in f]
    base = baseline_rss_kib()

    def sweep(path, tmp):
        """Every damaged variant of one file through cat and bench read: (passed, failed, worst, failure lines)."""
        passed = failed = 0
        worst = (0.0, "")
        lines = []
        data = open(path, "rb").read()
        rel = os.path.relpath(path, DATA)
        rng = random.Random(rel)
        variants = []
        cuts = sorted(set([len(data) * i // 10 for i in range(10)] + [rng.randrange(len(data)) for _ in range(10)]))
        while len(cuts) < 20:
            cuts.append(rng.randrange(len(data)))
        for c in cuts[:20]:
            variants.append((f"truncated at {c}", data[:c]))
        for _ in range(50):
            at = rng.randrange(len(data))
            b = bytearray(data)
            b[at] ^= rng.randrange(1, 256)
            variants.append((f"byte {at} flipped", bytes(b)))
        # Allowance: the process's own baseline plus a small multiple of the file size.
        limit_kib = base + 16 * 1024 + 8 * len(data) // 1024
        keys = key_args(rel, tmp)
        for what, blob in variants:
            damaged = os.path.join(tmp, "damaged.parquet")
            with open(damaged, "wb") as out:
                out.write(blob)
            for argv in ([FLOE, "cat", "--no-verify-checksums", damaged] + keys,
                         [FLOE, "bench", "read", "--jobs", "1", damaged] + keys):
                code, err, rss, secs = run(argv)
                problem = None
                if code == "hang":
                    problem = f"no answer within {TIMEOUT} s"
                elif code < 0:
                    problem = f"killed by signal {-code} ({signal.Signals(-code).name}): {err.strip()[-300:]}"
                elif code not in (0, 1):
                    problem = f"exit {code}: {err.strip()[:300]}"
                elif code == 1 and not (err.startswith(f"floe: {damaged}: ") and err.count("\n") == 1):
                    problem = f"diagnostic is not one line naming the file: {err[:300]!r}"
                elif rss > limit_kib:
                    problem = f"peak RSS {rss} KiB over the allowance {limit_kib} KiB"
                if problem:
                    failed += 1
                    lines.append(f"FAIL {rel} {what} ({argv[1]}): {problem}")
                else:
                    passed += 1
                worst = max(worst, (rss / max(1, limit_kib), f"{rel} {what}: {rss} KiB"))
        return passed, failed, worst, lines

    # One file per worker at a time, as many workers as CPUs (each run is one small floe process; the checks are
    # exit status, diagnostics and peak RSS, none of them timing but the generous hang limit).
    passed = failed = 0
    worst = (0.0, "")
    with tempfile.TemporaryDirectory() as tmp:
        def task(n_path):
            n, path = n_path
            folder = os.path.join(tmp, str(n))
            os.mkdir(folder)
            return sweep(path, folder)
        workers = max(1, min(4, len(os.sched_getaffinity(0))))
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            for p_, f_, w_, lines in pool.map(task, enumerate(files)):
                passed += p_
                failed += f_
                worst = max(worst, w_)
                for l in lines:
                    print(l)
    print(f"damaged files: baseline RSS {base} KiB; closest to the allowance: {worst[1]}")
    print(f"damaged: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
