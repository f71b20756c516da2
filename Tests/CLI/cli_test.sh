#!/usr/bin/env bash
# The floe command-line contract (conventions/cli.md): results on stdout, one-line diagnostics on stderr,
# exit 0 / 1 (bad data) / 2 (usage). Prints "N passed, N failed" and exits non-zero on any failure.
set -u
FLOE="${FLOE:?set FLOE to the floe binary}"
HERE="$(cd "$(dirname "$0")" && pwd)"
TV="$HERE/../ParquetTests/TestVectors"
DATA="$TV/parquet-testing/data"
EXP="$TV/parquet-expected/data"
TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect_exit CODE CMD...: runs CMD with stdout/stderr to $TMP/out, $TMP/err
expect_exit() {
  local want=$1; shift
  "$@" >"$TMP/out" 2>"$TMP/err" </dev/null; local got=$?
  if [ "$got" = "$want" ]; then ok; else bad "exit $got (want $want): $* :: $(head -c 300 "$TMP/err")"; fi
}

# cat --format jsonl is byte-exact.
for f in alltypes_plain.parquet nested_lists.snappy.parquet nonnullable.impala.parquet datapage_v2.snappy.parquet; do
  expect_exit 0 "$FLOE" cat "$DATA/$f"
  cmp -s "$TMP/out" "$EXP/$f.jsonl" && ok || bad "cat $f differs from reference"
done
# head = cat --limit.
expect_exit 0 "$FLOE" head -n 3 "$DATA/alltypes_plain.parquet"
head -n 3 "$EXP/alltypes_plain.parquet.jsonl" | cmp -s - "$TMP/out" && ok || bad "head -n 3"
expect_exit 0 "$FLOE" cat --limit 2 "$DATA/alltypes_plain.parquet"
[ "$(wc -l <"$TMP/out")" = 2 ] && ok || bad "cat --limit 2"
# Projection of nested paths.
expect_exit 0 "$FLOE" cat --columns nested_Struct.a,ID "$DATA/nonnullable.impala.parquet"
[ "$(cat "$TMP/out")" = '{"ID":8,"nested_Struct":{"a":-1}}' ] && ok || bad "projection: $(cat "$TMP/out")"
# CSV quoting per RFC 4180 and the table format.
expect_exit 0 "$FLOE" cat --format csv "$DATA/list_columns.parquet"
[ "$(sed -n 2p "$TMP/out")" = '"[1,2,3]","[""abc"",""efg"",""hij""]"' ] && ok || bad "csv: $(sed -n 2p "$TMP/out")"
expect_exit 0 "$FLOE" cat --format table "$DATA/alltypes_plain.parquet"
grep -q "(8 rows)" "$TMP/out" && ok || bad "table footer"
# Schema, meta, pages.
expect_exit 0 "$FLOE" schema "$DATA/alltypes_plain.parquet"
grep -q "^message schema {" "$TMP/out" && grep -q "optional int96 timestamp_col;" "$TMP/out" && ok || bad "schema text"
expect_exit 0 "$FLOE" schema --json "$DATA/alltypes_plain.parquet"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["fields"])==11' "$TMP/out" && ok || bad "schema --json"
expect_exit 0 "$FLOE" meta --json "$DATA/alltypes_tiny_pages_plain.parquet"
python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
assert d["num_rows"]==7300, d["num_rows"]
c=d["row_groups"][0]["columns"][0]
assert c["codec"]=="UNCOMPRESSED" and c["column_index"] is not None and c["offset_index"] is not None, c
' "$TMP/out" && ok || bad "meta --json"
expect_exit 0 "$FLOE" meta "$DATA/alltypes_plain.parquet"
grep -q "^num_rows: 8" "$TMP/out" && ok || bad "meta text"
expect_exit 0 "$FLOE" pages --json --column id "$DATA/alltypes_tiny_pages_plain.parquet"
python3 -c '
import json,sys
pages=[json.loads(l) for l in open(sys.argv[1])]
assert len(pages) > 100 and all(p["column"]=="id" for p in pages), len(pages)
assert sum(p.get("num_values",0) for p in pages if p["type"]=="DATA_PAGE")==7300
' "$TMP/out" && ok || bad "pages --json"
# Checksums: verified by default, skippable.
expect_exit 1 "$FLOE" cat "$DATA/datapage_v1-corrupt-checksum.parquet"
grep -q "^floe: .*datapage_v1-corrupt-checksum.parquet: column .* page .*CRC" "$TMP/err" && ok || bad "checksum message: $(cat "$TMP/err")"
[ "$(wc -l <"$TMP/err")" = 1 ] && ok || bad "one-line diagnostic"
expect_exit 0 "$FLOE" cat --no-verify-checksums "$DATA/datapage_v1-corrupt-checksum.parquet"
cmp -s "$TMP/out" "$EXP/datapage_v1-corrupt-checksum.parquet.jsonl" && ok || bad "--no-verify-checksums rows"
# Bad data: exit 1 with a one-line error naming the file.
for f in "$TV/parquet-testing/bad_data/PARQUET-1481.parquet" "$TV/parquet-testing/bad_data/ARROW-GH-41317.parquet" \
         "$DATA/uniform_encryption.parquet.encrypted" "$HERE/cli_test.sh"; do
  expect_exit 1 "$FLOE" cat "$f"
  grep -q "^floe: $f: " "$TMP/err" && ok || bad "diagnostic for $f: $(cat "$TMP/err")"
done
grep -q "encrypted" <("$FLOE" cat "$DATA/uniform_encryption.parquet.encrypted" 2>&1) && ok || bad "encrypted message"
expect_exit 1 "$FLOE" cat "$TMP/missing.parquet"
# Encryption (conventions/cli.md "Encryption"): keys on every reading command; wrong/missing keys exit 1 naming
# the footer or the column; bad key text exits 2; rewrite --encrypt round-trips.
FK=$(printf %s 0123456789012345 | od -An -tx1 | tr -d ' \n'); CK1=$(printf %s 1234567890123450 | od -An -tx1 | tr -d ' \n')
CK2=$(printf %s 1234567890123451 | od -An -tx1 | tr -d ' \n')
ENC="$DATA/encrypt_columns_and_footer.parquet.encrypted"
for cmd in "cat" "head -n 2" "schema" "meta" "pages" "bench read"; do
  expect_exit 0 "$FLOE" $cmd "$ENC" --footer-key "$FK" --column-key "double_field:$CK1" --column-key "float_field:$CK2"
done
expect_exit 1 "$FLOE" cat "$ENC" --footer-key "$CK1"
grep -q "^floe: $ENC: footer: " "$TMP/err" && [ "$(wc -l <"$TMP/err")" = 1 ] && ok || bad "wrong footer key: $(cat "$TMP/err")"
expect_exit 1 "$FLOE" cat "$ENC" --footer-key "$FK" --column-key "float_field:$CK2"
grep -q "column double_field" "$TMP/err" && ok || bad "missing column key: $(cat "$TMP/err")"
expect_exit 2 "$FLOE" cat "$ENC" --footer-key "xyz"
expect_exit 0 "$FLOE" rewrite "$DATA/alltypes_plain.parquet" "$TMP/enc.parquet" --encrypt --footer-key "$FK" \
  --column-key "id:base64:$(printf %s 1234567890123450 | base64)" --algorithm gcm-ctr --plaintext-footer
expect_exit 0 "$FLOE" cat "$TMP/enc.parquet" --footer-key "$FK" --column-key "id:$CK1"
cmp -s "$TMP/out" "$EXP/alltypes_plain.parquet.jsonl" && ok || bad "encrypted rewrite rows"
expect_exit 1 "$FLOE" cat "$TMP/enc.parquet" --footer-key "$FK"
grep -q "column id" "$TMP/err" && ok || bad "plaintext footer, missing column key: $(cat "$TMP/err")"
expect_exit 2 "$FLOE" rewrite "$DATA/alltypes_plain.parquet" "$TMP/enc2.parquet" --algorithm gcm-ctr
# Usage errors exit 2.
expect_exit 2 "$FLOE" cat
expect_exit 2 "$FLOE" cat --format xml "$DATA/alltypes_plain.parquet"
expect_exit 2 "$FLOE" cat --columns nope "$DATA/alltypes_plain.parquet"
expect_exit 2 "$FLOE" frobnicate
expect_exit 0 "$FLOE" --help
# A table folder: every *.parquet below it, one CSV header, --limit across files.
mkdir -p "$TMP/table/2024/03/01/00" "$TMP/table/2024/03/01/01"
cp "$DATA/alltypes_plain.parquet" "$TMP/table/2024/03/01/00/a.parquet"
cp "$DATA/alltypes_plain.parquet" "$TMP/table/2024/03/01/01/b.parquet"
expect_exit 0 "$FLOE" cat "$TMP/table"
[ "$(wc -l <"$TMP/out")" = 16 ] && ok || bad "table folder rows: $(wc -l <"$TMP/out")"
expect_exit 0 "$FLOE" cat --format csv --limit 10 --columns id "$TMP/table"
[ "$(wc -l <"$TMP/out")" = 11 ] && [ "$(grep -c '^id$' "$TMP/out")" = 1 ] && ok || bad "table folder csv: $(cat "$TMP/out")"
printf 'garbage' > "$TMP/table/2024/03/01/01/c.parquet"
expect_exit 1 "$FLOE" cat "$TMP/table"
grep -q "c.parquet" "$TMP/err" && ok || bad "table folder error names the file: $(cat "$TMP/err")"

# floe ingest flushes by arrival interval; convert reads .gz and .zst; writer knobs reach the Parquet files.
GEN="python3 $HERE/../../scripts/demo_events.py"
COLS="$HERE/../../examples/events.columns.json"
( $GEN --records 50 --seed 1; sleep 2.5; $GEN --records 50 --seed 2 --offset 50 ) \
  | "$FLOE" ingest --columns "$COLS" --out "$TMP/ingest" --table ev --buffer-interval 1 --quiet \
      --stats-json "$TMP/ingest.json" && ok || bad "ingest exit status"
[ "$(find "$TMP/ingest/ev" -name '*.parquet' | wc -l)" = 2 ] && ok || bad "ingest: one file per interval"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["records_in"]==100 and s["records_converted"]==100 and s["files_written"]==2, s' "$TMP/ingest.json" && ok || bad "ingest stats"
$GEN --records 30 --bad 3 | gzip > "$TMP/in.ndjson.gz"
expect_exit 0 "$FLOE" convert --columns "$COLS" --out "$TMP/gz" --table ev --stats-json "$TMP/gz.json" --quiet "$TMP/in.ndjson.gz"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["records_in"]==30 and s["records_failed"]==3 and s["records_converted"]==27, s' "$TMP/gz.json" && ok || bad "gz input stats"
if command -v zstd >/dev/null 2>&1; then
  $GEN --records 30 | zstd -q > "$TMP/in.ndjson.zst"
  expect_exit 0 "$FLOE" convert --columns "$COLS" --out "$TMP/zst" --table ev --stats-json "$TMP/zst.json" \
    --compression zstd --writer-version V2 --quiet "$TMP/in.ndjson.zst"
  python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["records_converted"]==30, s' "$TMP/zst.json" && ok || bad "zst input"
  f="$(find "$TMP/zst/ev" -name '*.parquet' | head -1)"
  expect_exit 0 "$FLOE" meta --json "$f"
  grep -q '"codec":"ZSTD"' "$TMP/out" && ok || bad "--compression zstd"
  expect_exit 0 "$FLOE" pages --json --column id "$f"
  grep -q '"type":"DATA_PAGE_V2"' "$TMP/out" && ok || bad "--writer-version V2"
else
  bad "zstd command missing (make deps installs it)"
fi

# bench read prints one JSON line.
expect_exit 0 "$FLOE" bench read "$DATA/alltypes_plain.parquet"
python3 -c '
import json,sys
lines=open(sys.argv[1]).read().splitlines(); assert len(lines)==1
d=json.loads(lines[0]); assert d["op"]=="read" and d["rows"]==8 and d["bytes"]>0, d
' "$TMP/out" && ok || bad "bench read json"

# --version names the version and the commit (issue 13).
expect_exit 0 "$FLOE" --version
grep -qE '^floe [0-9]+\.[0-9]+\.[0-9]+ \(commit ([0-9a-f]{12}(-modified)?|unknown)\)$' "$TMP/out" && ok || bad "--version: $(cat "$TMP/out")"
# --format table: null differs from an empty string.
expect_exit 0 "$FLOE" cat --format table "$DATA/float16_zeros_and_nans.parquet"
grep -q "| NULL " "$TMP/out" && ok || bad "table shows null as NULL"
# A progress bar and a summary on a terminal, silence otherwise (issue 13).
python3 "$HERE/progress_test.py" "$FLOE" "$COLS" "$HERE/../../scripts/demo_events.py" && ok || bad "progress_test.py"
# Log events of the long-running commands through swift-log (issue 13): none by default; at --log-level info (or
# FLOE_LOG_LEVEL=info) the start, progress every --log-interval seconds and the outcome, one line each; an unknown
# level is a usage error.
python3 "$HERE/../../scripts/demo_events.py" --records 2000 > "$TMP/log.ndjson"
expect_exit 0 "$FLOE" convert --columns "$COLS" --out "$TMP/logout" "$TMP/log.ndjson"
[ ! -s "$TMP/err" ] && ok || bad "convert logged at the default level: $(head -c 300 "$TMP/err")"
expect_exit 0 "$FLOE" convert --columns "$COLS" --out "$TMP/logout" --log-level info "$TMP/log.ndjson"
grep -qE '^floe: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z convert info: started .*inputs=[^ ]*log.ndjson' "$TMP/err" && ok || bad "no start event: $(cat "$TMP/err")"
grep -qE '^floe: [0-9T:.Z-]+ convert info: finished .*records_converted=2000 ' "$TMP/err" && ok || bad "no outcome event: $(cat "$TMP/err")"
(python3 -c 'import sys,time; sys.stdout.write(open(sys.argv[1]).read()); sys.stdout.flush(); time.sleep(3)' "$TMP/log.ndjson" \
  | FLOE_LOG_LEVEL=info "$FLOE" ingest --columns "$COLS" --out "$TMP/logout" --log-interval 0.2 >/dev/null 2>"$TMP/ingest.err") \
  && grep -qE ' ingest info: progress .*records_in=2000 ' "$TMP/ingest.err" && grep -q ' ingest info: finished ' "$TMP/ingest.err" \
  && ok || bad "ingest progress events: $(head -c 600 "$TMP/ingest.err")"
expect_exit 2 "$FLOE" convert --columns "$COLS" --out "$TMP/logout" --log-level chatty "$TMP/log.ndjson"
grep -q "unknown level 'chatty'" "$TMP/err" && ok || bad "--log-level chatty: $(cat "$TMP/err")"
# URLs: a scheme Floe does not handle is a usage error, never a local path; s3:// where a command does not take it
# yet, and s3:// without a region, are exit 2 with one line, before any network access (no server here).
for args in "cat gs://bucket/x.parquet" "meta http://host/x.parquet" "rewrite $DATA/alltypes_plain.parquet hdfs://nn/x"; do
  expect_exit 2 "$FLOE" $args
  [ "$(wc -l <"$TMP/err")" = 1 ] && grep -q "unsupported URL scheme" "$TMP/err" && ok || bad "$args: $(cat "$TMP/err")"
done
expect_exit 2 "$FLOE" convert --columns "$TMP/none.json" --out s3://bucket/prefix "$TMP/none.ndjson"
[ ! -e s3: ] && [ "$(wc -l <"$TMP/err")" = 1 ] && ok || bad "convert --out s3://: $(cat "$TMP/err")"
# an s3:// input without a region: one line naming what is missing, exit 2, nothing written
expect_exit 2 env -u AWS_REGION -u AWS_DEFAULT_REGION AWS_ACCESS_KEY_ID=A AWS_SECRET_ACCESS_KEY=S HOME="$TMP" \
  AWS_CONFIG_FILE="$TMP/none" "$FLOE" convert --columns "$COLS" --out "$TMP/o" s3://bucket/events.ndjson
[ ! -e s3: ] && [ ! -e "$TMP/o" ] && grep -q "s3://bucket/events.ndjson: .*no AWS region" "$TMP/err" \
  && [ "$(wc -l <"$TMP/err")" = 1 ] && ok || bad "convert s3:// input without a region: $(cat "$TMP/err")"
expect_exit 2 "$FLOE" convert --columns "$COLS" --out "$TMP/o" gs://bucket/events.ndjson
[ ! -e gs: ] && grep -q "unsupported URL scheme" "$TMP/err" && ok || bad "convert gs:// input: $(cat "$TMP/err")"
expect_exit 2 env -u AWS_REGION -u AWS_DEFAULT_REGION AWS_ACCESS_KEY_ID=A AWS_SECRET_ACCESS_KEY=S HOME="$TMP" \
  AWS_CONFIG_FILE="$TMP/none" "$FLOE" schema s3://bucket/x.parquet
grep -q "no AWS region" "$TMP/err" && [ "$(wc -l <"$TMP/err")" = 1 ] && ok || bad "no region: $(cat "$TMP/err")"

echo "cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
