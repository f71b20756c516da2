#!/usr/bin/env bash
# The getting-started snippets of the DocC articles (Snippets/*.swift) run and do what the articles say.
# Usage: snippets_test.sh BIN_DIR (where `swift build` put the snippet executables). Prints "N passed, N failed".
set -u
BIN="$(cd "${1:?bin dir}" && pwd)"
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$HERE/../.."
TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
for s in "$ROOT"/Snippets/*.swift; do
  n=$(basename "$s" .swift); [ -x "$BIN/$n" ] && ok || bad "snippet $n was not built"
done
out=$("$BIN/WriteParquetRows" "$TMP/rows.parquet" 2>&1) && [ "$out" = "wrote 2 rows" ] && ok || bad "WriteParquetRows: $out"
out=$("$BIN/WriteParquetColumns" "$TMP/cols.parquet" 2>&1) && [ "$out" = "wrote 3 rows" ] && ok || bad "WriteParquetColumns: $out"
out=$("$BIN/ReadParquet" "$TMP/rows.parquet" 2>&1)
[ "$out" = $'2 rows in 1 row groups, 3 leaf columns\n{"id":1,"name":"ada","tags":["x","y"]}\n{"id":2,"name":null,"tags":[]}\nid: 2 values, 2 levels' ] \
  && ok || bad "ReadParquet: $out"
out=$("$BIN/ReadParquet" "$TMP/cols.parquet" 2>&1)
grep -q '{"id":11,"score":null}' <<<"$out" && ok || bad "ReadParquet of the column-written file: $out"
out=$("$BIN/ValidateJSON" 2>&1)
[ "$(head -1 <<<"$out")" = 'valid {"id": 1, "tags": ["a"]}' ] && grep -q '^invalid ' <<<"$out" \
  && grep -q '/id: ' <<<"$out" && grep -q '/tags/0: ' <<<"$out" && ok || bad "ValidateJSON: $out"
printf '%s\n' '{"id":1,"user":{"name":"a","followers":3}}' '{"id":"x"}' 'not json' > "$TMP/in.ndjson"
out=$(cd "$TMP" && "$BIN/ConvertNDJSON" "$TMP/in.ndjson" "$TMP/out" 2>&1)
[ "$out" = "converted 1 of 3 records, 2 failed, 1 files" ] && ok || bad "ConvertNDJSON: $out"
[ "$(find "$TMP/out/events" -name '*.parquet' | wc -l)" = 1 ] && ok || bad "ConvertNDJSON wrote no Parquet file"
echo "snippets: $pass passed, $fail failed"
[ "$fail" = 0 ]
