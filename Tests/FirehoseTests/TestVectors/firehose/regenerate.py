#!/usr/bin/env python3
"""Writes expected.jsonl / expected_errors.jsonl of every case with a floe binary (then review the diff!).
usage: regenerate.py FLOE [CASE...]
Each case folder: input.ndjson, columns.json, optional options.json / schema.json.
expected.jsonl: the rows in canonical JSONL (floe cat --format jsonl), in input order.
expected_errors.jsonl: per failed record, lastErrorCode, rawData (base64 of the exact bytes), sequenceNumber,
subSequenceNumber, in input order."""
import glob, json, os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

def args_for(case, opts):
    a = []
    if opts.get("serde"): a += ["--serde", opts["serde"]]
    if opts.get("case_sensitive"): a += ["--case-sensitive"]
    for k, v in opts.get("key_mapping", {}).items(): a += ["--key-mapping", f"{k}={v}"]
    if opts.get("dots_to_underscores"): a += ["--dots-to-underscores"]
    if opts.get("timestamp"): a += ["--timestamp", opts["timestamp"]]
    if opts.get("schema"): a += ["--schema", os.path.join(case, opts["schema"])]
    return a

def main():
    floe = sys.argv[1]
    cases = sys.argv[2:] or sorted(d for d in os.listdir(HERE) if os.path.isdir(os.path.join(HERE, d)))
    for name in cases:
        case = os.path.join(HERE, name)
        opts = json.load(open(os.path.join(case, "options.json"))) if os.path.exists(os.path.join(case, "options.json")) else {}
        with tempfile.TemporaryDirectory() as out:
            subprocess.run([floe, "convert", "--columns", os.path.join(case, "columns.json"), "--out", out,
                            "--table", "t", "--arrival-time", "2024-03-01T10:00:00Z", "--jobs", "1", "--quiet"]
                           + args_for(case, opts) + ["input.ndjson"], check=True, cwd=case)
            files = sorted(glob.glob(f"{out}/t/2024/**/*.parquet", recursive=True))
            assert len(files) <= 1, files
            rows = subprocess.run([floe, "cat", files[0]], check=True, capture_output=True).stdout if files else b""
            errs = []
            for f in sorted(glob.glob(f"{out}/t/*-failed/**/t-1-*", recursive=True)):
                for line in open(f, "rb"):
                    e = json.loads(line)
                    errs.append({k: e[k] for k in ("lastErrorCode", "rawData", "sequenceNumber", "subSequenceNumber")})
        open(os.path.join(case, "expected.jsonl"), "wb").write(rows)
        with open(os.path.join(case, "expected_errors.jsonl"), "w") as f:
            for e in errs: f.write(json.dumps(e) + "\n")
        print(name, rows.count(b'\n'), 'rows', len(errs), 'errors')

main()
