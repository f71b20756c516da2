#!/usr/bin/env python3
"""Hostile and careless input against the floe binary (issue 11), one process per case, seen from outside.

1. The sweep: /dev/zero, a FIFO without a writer, a symbolic link loop (`a -> a`), a folder with `loop -> .`
   links, binary garbage, truncated gzip / zstd / brotli NDJSON inputs and absurd numeric flags, given to every
   command and flag that takes a path or a number. Each case ends within 10 s with exit 1 or 2 and exactly one
   diagnostic line on stderr (`floe: ...`), peak RSS under 256 MiB. Folder walks over symlink loops must instead
   succeed reading each file once (rule 6).
2. The sentinel: a warehouse whose table folders, catalog entries and inputs are laced with symbolic links and
   `..` paths pointing at a sentinel folder outside it; every warehouse, convert and rewrite command runs against
   it, and the sentinel folder (names, kinds, link targets, bytes, modes) is identical afterwards (rule 1).

Usage: hostile_input.py FLOE_BINARY. Prints "N passed, N failed"; exit status 0 when all hold.
"""
import ctypes
import ctypes.util
import gzip
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from interop_checks import Tally

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PARQUET = os.path.join(ROOT, "Tests", "ParquetTests", "TestVectors", "parquet-testing", "data", "alltypes_plain.parquet")
FLOE = os.path.abspath(sys.argv[1])
TIMEOUT = 10.0
RSS_LIMIT_KIB = 256 * 1024

TALLY = Tally()
check = TALLY.check


def run(argv, cwd=None, stdin=subprocess.DEVNULL):
    """(exit status, -signal or "hang"; stdout; stderr; peak RSS KiB; seconds) of argv under GNU time."""
    start = time.monotonic()
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rssfile:
        p = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rssfile.name] + argv, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, stdin=stdin, cwd=cwd, start_new_session=True)
        try:
            out, err = p.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.communicate()
            return ("hang", b"", "", 0, TIMEOUT)
        lines = open(rssfile.name).read().splitlines()
    code = p.returncode
    for l in lines:
        if l.startswith("Command terminated by signal"):
            code = -int(l.split()[-1])
    rss = int(lines[-1]) if lines and lines[-1].isdigit() else 0
    return (code, out, err.decode("utf-8", "replace"), rss, time.monotonic() - start)


def expect_error(argv, label, codes=(1, 2), cwd=None):
    code, _, err, rss, secs = run(argv, cwd=cwd)
    lines = err.splitlines()
    ok = code in codes and len(lines) == 1 and lines[0].startswith("floe: ") and rss < RSS_LIMIT_KIB
    check(ok, f"{label}: exit {code} (want {codes}), {len(lines)} stderr lines, {rss // 1024} MiB, {secs:.1f} s: "
              f"{err.strip()[:300]}")


def lib(name):
    path = ctypes.util.find_library(name)
    return ctypes.CDLL(path) if path else None


def zstd_compress(data):
    z = lib("zstd")
    z.ZSTD_compressBound.restype = ctypes.c_size_t
    z.ZSTD_compress.restype = ctypes.c_size_t
    cap = z.ZSTD_compressBound(ctypes.c_size_t(len(data)))
    buf = ctypes.create_string_buffer(cap)
    n = z.ZSTD_compress(buf, ctypes.c_size_t(cap), data, ctypes.c_size_t(len(data)), 3)
    return buf.raw[:n]


def brotli_compress(data):
    b = lib("brotlienc")
    size = ctypes.c_size_t(len(data) + 1024)
    buf = ctypes.create_string_buffer(size.value)
    ok = b.BrotliEncoderCompress(5, 22, 0, ctypes.c_size_t(len(data)), data, ctypes.byref(size), buf)
    assert ok == 1
    return buf.raw[:size.value]


def sweep(tmp):
    cols = os.path.join(tmp, "cols.json")
    open(cols, "w").write('[{"name":"id","type":"string"}]')
    good_schema = os.path.join(tmp, "schema.json")
    open(good_schema, "w").write('{"type":"object"}')
    good = os.path.join(tmp, "good.json")
    open(good, "w").write('{"id":"a"}\n')
    fifo = os.path.join(tmp, "fifo")
    os.mkfifo(fifo)
    selfloop = os.path.join(tmp, "selfloop.json")
    os.symlink("selfloop.json", selfloop)
    garbage = os.path.join(tmp, "garbage.json")
    open(garbage, "wb").write(bytes(range(256)) * 64)
    wh = os.path.join(tmp, "wh")
    subprocess.run([FLOE, "warehouse", "init", wh, "--name", "db"], check=True, capture_output=True)
    subprocess.run([FLOE, "table", "create", "t", "--warehouse", wh, "--columns", cols], check=True, capture_output=True)
    out = os.path.join(tmp, "out")

    hostile = {"/dev/zero": "/dev/zero", "fifo": fifo, "symlink loop": selfloop, "garbage": garbage}
    for name, p in hostile.items():
        # Parquet readers
        for cmd in (["cat", p], ["head", p], ["schema", p], ["meta", p], ["pages", p], ["rewrite", p, out + ".parquet"],
                    ["bench", "read", p]):
            expect_error([FLOE] + cmd, f"{' '.join(cmd[:1])} {name}")
        # schemas, instances, schema folders
        expect_error([FLOE, "validate", "--schema", p, good], f"validate --schema {name}", codes=(2,))
        expect_error([FLOE, "validate", "--metaschema", p], f"validate --metaschema {name}")
        expect_error([FLOE, "validate", "--schema", good_schema, p], f"validate INSTANCE {name}", codes=(1,))
        if name != "garbage":  # garbage lines are instances: one report per line is the point
            expect_error([FLOE, "validate", "--ndjson", "--schema", good_schema, p], f"validate --ndjson {name}",
                         codes=(1,))
        expect_error([FLOE, "validate", "--schema-dir", p, "--schema", good_schema, good], f"validate --schema-dir {name}",
                     codes=(2,))
        # conversion: column files, schemas, inputs, checkpoints
        expect_error([FLOE, "convert", "--columns", p, "--out", out, good], f"convert --columns {name}", codes=(2,))
        expect_error([FLOE, "convert", "--columns", cols, "--schema", p, "--out", out, good], f"convert --schema {name}",
                     codes=(2,))
        if name == "garbage":
            # garbage lines are records: each goes to the error output (Firehose's contract), exit 0
            code, _, err, rss, _ = run([FLOE, "convert", "--columns", cols, "--out", out, "--stats-json",
                                        out + ".stats", p])
            st = json.load(open(out + ".stats")) if code == 0 else {}
            check(code == 0 and st.get("records_failed") == st.get("records_in") and st.get("records_in", 0) > 0,
                  f"convert INPUT garbage: every line in the error output: {code} {st} {err}")
        else:
            expect_error([FLOE, "convert", "--columns", cols, "--out", out, p], f"convert INPUT {name}", codes=(1,))
        expect_error([FLOE, "convert", "--columns", cols, "--out", out, "--checkpoint", p, good],
                     f"convert --checkpoint {name}")
        # warehouse: column files and the warehouse folder itself
        expect_error([FLOE, "table", "create", "x", "--warehouse", wh, "--columns", p], f"table create --columns {name}",
                     codes=(2,))
        for cmd in (["table", "list", "--warehouse", p], ["partitions", "list", "--warehouse", p, "--table", "t"],
                    ["aggregate", "--warehouse", p, "--table", "t", "--group-by", "id", "--into", "a"],
                    ["convert", "--warehouse", p, "--table", "t", good]):
            expect_error([FLOE] + cmd, f"{cmd[0]} --warehouse {name}", codes=(2,))
    # a catalog that is itself hostile
    for name, p in hostile.items():
        w2 = os.path.join(tmp, "wh-" + name.replace(" ", "-").replace("/", ""))
        os.makedirs(w2)
        os.symlink(p, os.path.join(w2, "floe-catalog.json"))
        for cmd in (["table", "list", "--warehouse", w2], ["convert", "--warehouse", w2, "--table", "t", good]):
            expect_error([FLOE] + cmd, f"{cmd[0]} with a catalog that is {name}", codes=(2,))

    # truncated compressed NDJSON inputs: an error naming the file and a byte offset, exit 1
    text = "".join(json.dumps({"id": "r%d" % i}) + "\n" for i in range(20000)).encode()
    for ext, data in ((".gz", gzip.compress(text)), (".zst", zstd_compress(text)), (".br", brotli_compress(text))):
        whole = os.path.join(tmp, "whole.json" + ext)
        open(whole, "wb").write(data)
        code, _, err, _, _ = run([FLOE, "convert", "--columns", cols, "--out", os.path.join(tmp, "ok" + ext), whole])
        check(code == 0, f"whole {ext} input: exit {code}: {err.strip()}")
        for frac in (0.3, 0.6, 0.95):
            cut = os.path.join(tmp, f"cut{int(frac * 100)}.json{ext}")
            open(cut, "wb").write(data[:int(len(data) * frac)])
            label = f"truncated {ext} input at {int(frac * 100)}%"
            expect_error([FLOE, "convert", "--columns", cols, "--out", os.path.join(tmp, "t" + ext), cut], label,
                         codes=(1,))
            _, _, err, _, _ = run([FLOE, "convert", "--columns", cols, "--out", os.path.join(tmp, "t" + ext), cut])
            check(os.path.basename(cut) in err and "byte" in err, f"{label}: names file and byte offset: {err.strip()}")
    # concatenated gzip members are one stream
    cat = os.path.join(tmp, "members.json.gz")
    open(cat, "wb").write(gzip.compress(text) + gzip.compress(text))
    code, _, err, _, _ = run([FLOE, "convert", "--columns", cols, "--out", os.path.join(tmp, "members"), "--stats-json",
                              os.path.join(tmp, "members.stats"), cat])
    stats = json.load(open(os.path.join(tmp, "members.stats"))) if code == 0 else {}
    check(code == 0 and stats.get("records_converted") == 40000, f"concatenated gzip members: {code} {stats} {err}")

    # absurd numeric flags: one line, exit 2, at once
    p = PARQUET
    for argv in ([FLOE, "convert", "--columns", cols, "--out", out, "--jobs", "2147483647", good],
                 [FLOE, "convert", "--columns", cols, "--out", out, "--jobs", "100000000", good],
                 [FLOE, "convert", "--columns", cols, "--out", out, "--jobs", "-1", good],
                 [FLOE, "convert", "--columns", cols, "--out", out, "--jobs", "0", good],
                 [FLOE, "convert", "--columns", cols, "--out", out, "--buffer-interval", "inf", good],
                 [FLOE, "convert", "--columns", cols, "--out", out, "--buffer-interval", "1e19", good],
                 [FLOE, "convert", "--columns", cols, "--out", out, "--buffer-interval", "nan", good],
                 [FLOE, "convert", "--columns", cols, "--out", out, "--buffer-interval", "-5", good],
                 [FLOE, "convert", "--columns", cols, "--out", out, "--max-errors", "-1", good],
                 [FLOE, "convert", "--columns", cols, "--out", out, "--max-open-partitions", "99999999999", good],
                 [FLOE, "convert", "--columns", cols, "--out", out, "--buffer-size", "99999999999999GiB", good],
                 [FLOE, "validate", "--schema", good_schema, "--jobs", "2147483647", good],
                 [FLOE, "validate", "--schema", good_schema, "--jobs", "-3", good],
                 [FLOE, "cat", "--limit", "-1", p],
                 [FLOE, "head", "-n", "-5", p],
                 [FLOE, "cat", "--limit", "99999999999999999999999", p],
                 [FLOE, "rewrite", "--level", "2147483647", p, out + ".parquet"],
                 [FLOE, "rewrite", "--row-group-size", "99999999999999GiB", p, out + ".parquet"],
                 [FLOE, "merge", "--warehouse", wh, "--base", "t", "--delta", "t", "--key", "id", "--into", "m",
                  "--threads", "2147483647"],
                 [FLOE, "merge", "--warehouse", wh, "--base", "t", "--delta", "t", "--key", "id", "--into", "m",
                  "--grace", "-1"],
                 [FLOE, "partitions", "sync", "--warehouse", wh, "--table", "t", "--ahead", "2147483647"],
                 [FLOE, "bench", "read", "--jobs", "2147483647", p]):
        expect_error(argv, " ".join(argv[1:2] + argv[-4:]), codes=(2,))
    # a huge declared NDV does not inflate the Bloom filter of an 8-row file (rule 10)
    bf = os.path.join(tmp, "bloom.parquet")
    code, _, err, _, _ = run([FLOE, "rewrite", "--bloom-filter", "id:99999999999999", p, bf])
    check(code == 0 and os.path.getsize(bf) < 64 * 1024, f"bloom filter NDV cap: exit {code}, "
          f"{os.path.getsize(bf) if os.path.exists(bf) else -1} bytes: {err}")

    # folder walks over symlink loops: each file once, at once (rule 6)
    loops = os.path.join(tmp, "loops")
    os.makedirs(os.path.join(loops, "sub"))
    shutil.copy(PARQUET, os.path.join(loops, "a.parquet"))
    os.symlink(".", os.path.join(loops, "loop1"))
    os.symlink("..", os.path.join(loops, "sub", "loop2"))
    open(os.path.join(loops, "sub", "r.json"), "w").write('{"id":"x"}\n')
    open(os.path.join(loops, "x.txt"), "w").write('{"id":"not an input"}\n')
    code, out_bytes, err, rss, _ = run([FLOE, "cat", loops])
    rows = out_bytes.count(b"\n")
    check(code == 0 and rows == 8, f"cat DIR with symlink loops: exit {code}, {rows} rows (want 8): {err}")
    code, out_bytes, err, _, _ = run([FLOE, "validate", "--schema", good_schema, loops])
    check(code == 0 and out_bytes.count(b"\n") == 1, f"validate DIR with symlink loops: exit {code}: {out_bytes[:200]}")
    code, _, err, _, _ = run([FLOE, "convert", "--columns", cols, "--out", os.path.join(tmp, "loopout"), "--stats-json",
                              os.path.join(tmp, "loop.stats"), loops])
    stats = json.load(open(os.path.join(tmp, "loop.stats"))) if code == 0 else {}
    check(code == 0 and stats.get("records_in") == 1, f"convert DIR reads *.json once, not x.txt: {code} {stats} {err}")
    tdir = os.path.join(wh, "t")
    shutil.copy(PARQUET, os.path.join(tdir, "a.parquet"))
    os.symlink(".", os.path.join(tdir, "loop1"))
    os.symlink("..", os.path.join(tdir, "loop2"))
    code, _, err, _, _ = run([FLOE, "aggregate", "--warehouse", wh, "--table", "t", "--group-by", "id", "--into", "agg"])
    code2, out_bytes, _, _, _ = run([FLOE, "cat", os.path.join(wh, "agg")])
    check(code == 0 and out_bytes.count(b"\n") == 8, f"aggregate over a table folder with loops: {code} {err}")


def tree_digest(root):
    """Names, kinds, link targets, modes and bytes of everything below root (links not followed)."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for n in sorted(dirnames + filenames):
            p = os.path.join(dirpath, n)
            st = os.lstat(p)
            h.update(f"{os.path.relpath(p, root)}\0{st.st_mode}\0".encode())
            if os.path.islink(p):
                h.update(os.readlink(p).encode())
            elif os.path.isfile(p):
                h.update(open(p, "rb").read())
    return h.hexdigest()


def sentinel_test(tmp):
    sent = os.path.join(tmp, "sentinel")
    os.makedirs(os.path.join(sent, "t", "2024", "05", "01", "00"))
    os.makedirs(os.path.join(sent, "v-000001"))
    shutil.copy(PARQUET, os.path.join(sent, "data.parquet"))
    shutil.copy(PARQUET, os.path.join(sent, "v-000001", "agg-00000.parquet"))
    shutil.copy(PARQUET, os.path.join(sent, "t", "2024", "05", "01", "00", "x.parquet"))
    open(os.path.join(sent, "floe-catalog.json"), "w").write("not yours")
    open(os.path.join(sent, "keep.json"), "w").write('{"id":"sentinel"}\n')
    before = tree_digest(sent)

    cols = os.path.join(tmp, "scols.json")
    open(cols, "w").write('[{"name":"id","type":"int"}]')
    scols = os.path.join(tmp, "stream.json")
    open(scols, "w").write('{"Name":"s","StorageDescriptor":{"Columns":[{"Name":"id","Type":"int"}]},'
                           '"PartitionKeys":[{"Name":"inserted_at","Type":"string"}]}')
    wh = os.path.join(tmp, "swh")
    F = [FLOE]
    subprocess.run(F + ["warehouse", "init", wh, "--name", "db"], check=True, capture_output=True)
    for name, c in (("plain", cols), ("linked", cols), ("dotdot", cols), ("named", cols), ("s", scols),
                    ("agg", cols), ("cur", cols)):
        subprocess.run(F + ["table", "create", name, "--warehouse", wh, "--columns", c], check=True, capture_output=True)
    # table folders that are links out of the warehouse, or hold links out of it
    shutil.rmtree(os.path.join(wh, "linked"))
    os.symlink(sent, os.path.join(wh, "linked"))
    os.symlink(sent, os.path.join(wh, "plain", "escape"))
    os.symlink(os.path.join(sent, "data.parquet"), os.path.join(wh, "plain", "linked.parquet"))
    os.symlink(os.path.join(sent, "t", "2024"), os.path.join(wh, "s", "2024"))
    os.makedirs(os.path.join(wh, "s", "2025", "01", "01"))
    os.symlink(os.path.join(sent, "t", "2024", "05", "01", "00"), os.path.join(wh, "s", "2025", "01", "01", "00"))
    shutil.rmtree(os.path.join(wh, "agg"))
    os.symlink(sent, os.path.join(wh, "agg"))
    os.symlink("../../sentinel/v-000001", os.path.join(wh, "cur", "v-000002"))
    os.symlink("../" * 8 + sent.lstrip("/"), os.path.join(wh, "cur", "current"))
    os.symlink(sent, os.path.join(wh, "unregistered"))
    os.symlink(sent, os.path.join(wh, ".floe-staging"))
    # catalog entries whose location and name escape the warehouse (a second warehouse: this catalog is refused)
    wh2 = os.path.join(tmp, "swh2")
    shutil.copytree(wh, wh2, symlinks=True)
    cat = json.load(open(os.path.join(wh2, "floe-catalog.json")))
    for t in cat["tables"]:
        if t["name"] == "dotdot":
            t["location"] = "../sentinel/"
        if t["name"] == "named":
            t["name"] = "../sentinel"
            t["location"] = "../sentinel/"
    json.dump(cat, open(os.path.join(wh2, "floe-catalog.json"), "w"))
    inputs = os.path.join(tmp, "sin")
    os.makedirs(inputs)
    open(os.path.join(inputs, "r.json"), "w").write('{"id":1}\n{"id":2}\n')
    os.symlink(sent, os.path.join(inputs, "up"))
    os.symlink(os.path.join(sent, "keep.json"), os.path.join(inputs, "k.json"))
    out = os.path.join(tmp, "sout")
    os.makedirs(out)
    os.symlink(sent, os.path.join(out, "t"))
    out2 = os.path.join(tmp, "sout2")
    os.makedirs(out2)
    os.symlink(sent, os.path.join(out2, ".floe-staging"))
    rw = os.path.join(tmp, "rw.parquet")
    os.symlink(os.path.join(sent, "data.parquet"), rw)

    commands = []
    for w in (wh, wh2):
        commands += [
            ["warehouse", "init", w, "--name", "db"],
            ["table", "list", "--warehouse", w], ["table", "show", "linked", "--warehouse", w],
            ["table", "ddl", "linked", "--warehouse", w, "--engine", "duckdb"],
            ["table", "create", "unregistered", "--warehouse", w, "--columns", cols],
            ["partitions", "sync", "--warehouse", w, "--table", "s"],
            ["partitions", "list", "--warehouse", w, "--table", "s"],
            ["aggregate", "--warehouse", w, "--table", "plain", "--group-by", "id", "--into", "agg"],
            ["aggregate", "--warehouse", w, "--table", "linked", "--group-by", "id", "--into", "agg2"],
            ["aggregate", "--warehouse", w, "--table", "cur", "--group-by", "id", "--into", "cur"],
            ["aggregate", "--warehouse", w, "--table", "plain", "--group-by", "id", "--into", "unregistered"],
            ["merge", "--warehouse", w, "--base", "plain", "--delta", "plain", "--key", "id", "--into", "agg"],
            ["merge", "--warehouse", w, "--base", "plain", "--delta", "plain", "--key", "id", "--into", "linked"],
            ["convert", "--warehouse", w, "--table", "linked", inputs],
            ["convert", "--warehouse", w, "--table", "dotdot", inputs],
            ["cat", os.path.join(w, "cur")],
            ["table", "drop", "linked", "--purge", "--warehouse", w],
            ["table", "drop", "dotdot", "--purge", "--warehouse", w],
            ["table", "drop", "../sentinel", "--purge", "--warehouse", w],
            ["table", "drop", "plain", "--purge", "--warehouse", w],
            ["table", "drop", "agg", "--purge", "--warehouse", w],
            ["table", "drop", "cur", "--purge", "--warehouse", w],
            ["table", "drop", "s", "--purge", "--warehouse", w],
        ]
    commands += [
        ["convert", "--columns", cols, "--out", out, "--table", "t", inputs],
        ["convert", "--columns", cols, "--out", out2, "--table", "t", inputs],
        ["convert", "--columns", cols, "--out", os.path.join(tmp, "sout3"), "--table", "t", "--checkpoint",
         os.path.join(tmp, "scp"), inputs],
        ["convert", "--columns", cols, "--out", os.path.join(tmp, "sout4"), "--table", "../sentinel", inputs],
        ["rewrite", PARQUET, rw],
        ["rewrite", rw, os.path.join(tmp, "rw2.parquet")],
        ["rewrite", PARQUET, os.path.join(wh, "linked", "..", "sentinel-escape.parquet")],
    ]
    for c in commands:
        code, _, err, _, _ = run(F + c)
        check(code in (0, 1, 2), f"sentinel: {' '.join(c)}: exit {code}: {err[:200]}")
        now = tree_digest(sent)
        check(now == before, f"sentinel changed by: {' '.join(c)} (exit {code}: {err.strip()[:300]})")
        if now != before:
            break
    # the refusals name the cause
    code, _, err, _, _ = run(F + ["table", "drop", "x", "--purge", "--warehouse", wh2])
    check(code == 2 and "location" in err, f"escaping catalog entry refused at load: {code} {err}")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        sweep(tmp)
    with tempfile.TemporaryDirectory() as tmp:
        sentinel_test(tmp)
    TALLY.finish()


if __name__ == "__main__":
    main()
