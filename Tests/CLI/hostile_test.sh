#!/usr/bin/env bash
# Issue 11 ("Hostile and careless input") through the CLI: each check below failed on the binary the issue was
# filed against and names the rule it checks. The bulk sweeps (every command x every hostile path, the sentinel
# warehouse, signals) are Tests/Interop/hostile_input.py and signal_shutdown.py.
# Prints "N passed, N failed" and exits non-zero on any failure.
set -u
FLOE="${FLOE:?set FLOE to the floe binary}"
HERE="$(cd "$(dirname "$0")" && pwd)"
PQ="$HERE/../ParquetTests/TestVectors/parquet-testing/data/alltypes_plain.parquet"
TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect_exit CODE CMD...: runs CMD with stdout/stderr to $TMP/out, $TMP/err (10 s limit)
expect_exit() {
  local want=$1; shift
  timeout 10 "$@" >"$TMP/out" 2>"$TMP/err" </dev/null; local got=$?
  if [ "$got" = "$want" ]; then ok; else bad "exit $got (want $want): $* :: $(head -c 300 "$TMP/err")"; fi
}
one_line() { [ "$(wc -l <"$TMP/err")" = 1 ] && grep -q "^floe: " "$TMP/err" && ok || bad "$1: want one diagnostic line, got: $(head -c 300 "$TMP/err")"; }

cd "$TMP"
echo '[{"name":"id","type":"string"},{"name":"v","type":"int"}]' > cols.json
printf '{"id":"a","v":1}\n{"id":"b","v":2}\n' > in.json
mkdir -p sentinel && echo keep > sentinel/keep

# Rule 1: drop --purge never deletes outside the warehouse; a failed drop changes nothing.
"$FLOE" warehouse init wh --name db >/dev/null
"$FLOE" table create t --warehouse wh --columns cols.json >/dev/null
rmdir wh/t && ln -s ../sentinel wh/t
expect_exit 2 "$FLOE" table drop t --purge --warehouse wh
one_line "drop --purge of a symlinked table folder"
[ -f sentinel/keep ] && ok || bad "drop --purge deleted the symlink's target"
"$FLOE" table list --warehouse wh | grep -qx t && ok || bad "a failed drop removed the catalog entry"
# ... and refuses catalog entries whose location or name escape the warehouse, when the catalog is loaded.
"$FLOE" warehouse init wh2 --name db >/dev/null
"$FLOE" table create u --warehouse wh2 --columns cols.json >/dev/null
sed -i 's#"location": "u/"#"location": "../sentinel/"#' wh2/floe-catalog.json
expect_exit 2 "$FLOE" table drop u --purge --warehouse wh2
grep -q "location '../sentinel/'" "$TMP/err" && ok || bad "escaping location not named: $(cat "$TMP/err")"
[ -f sentinel/keep ] && ok || bad "drop --purge followed a catalog location out of the warehouse"
sed -i 's#"name": "u"#"name": "../sentinel"#' wh2/floe-catalog.json
expect_exit 2 "$FLOE" table drop ../sentinel --purge --warehouse wh2
[ -f sentinel/keep ] && ok || bad "drop --purge followed a catalog name out of the warehouse"
# A corrupt catalog is exit 2 for every command (it was 1 for table/partitions/merge, 2 for convert --warehouse).
echo '{"format":"nope"}' > wh2/floe-catalog.json
for cmd in "table list" "partitions list --table u" "merge --base a --delta b --key id --into c" "convert --table u in.json"; do
  expect_exit 2 "$FLOE" $cmd --warehouse wh2
done

# Rule 3: one run per checkpoint; the second exits 2 naming the holder's pid.
python3 -c 'import fcntl,os,sys,time; f=open(sys.argv[1],"w"); fcntl.flock(f,fcntl.LOCK_EX); f.write("%d\n"%os.getpid()); f.flush(); open(sys.argv[2],"w").close(); time.sleep(8)' cp.lock locked & holder=$!
for _ in $(seq 100); do [ -f locked ] && break; sleep 0.05; done
expect_exit 2 "$FLOE" convert --columns cols.json --out o1 --checkpoint cp in.json
grep -q "pid $holder" "$TMP/err" && ok || bad "checkpoint lock holder not named: $(cat "$TMP/err")"
kill $holder 2>/dev/null; wait $holder 2>/dev/null

# Rule 4: a truncated .gz is an error naming the file and byte offset (it was accepted with records lost).
python3 -c 'import gzip,sys; d=gzip.compress(b"".join(b"{\"id\":\"r%d\"}\n" % i for i in range(5000))); open(sys.argv[1],"wb").write(d[:len(d)//2])' cut.json.gz
expect_exit 1 "$FLOE" convert --columns cols.json --out o2 cut.json.gz
grep -q "cut.json.gz: gzip: truncated input: the file ends at byte [0-9]" "$TMP/err" && ok || bad "truncated gzip: $(cat "$TMP/err")"

# Rule 5: bounded reads from regular files only.
expect_exit 2 "$FLOE" validate --schema /dev/zero in.json; one_line "validate --schema /dev/zero"
expect_exit 2 "$FLOE" convert --columns /dev/zero --out o3 in.json; one_line "convert --columns /dev/zero"
mkfifo fifo
expect_exit 2 "$FLOE" validate --schema fifo in.json; one_line "validate --schema FIFO"
expect_exit 1 "$FLOE" cat /dev/zero
grep -q "not a regular file" "$TMP/err" && ok || bad "cat /dev/zero: $(cat "$TMP/err")"
python3 -c 'import json; json.dump({"description": "x" * 3000}, open("bigschema.json", "w"))'
expect_exit 2 "$FLOE" validate --schema bigschema.json --max-schema-size 1KiB in.json; one_line "schema beyond --max-schema-size"
grep -q "more than the limit of 1024 bytes" "$TMP/err" && ok || bad "size limit message: $(cat "$TMP/err")"
expect_exit 0 "$FLOE" validate --ndjson --schema bigschema.json --max-schema-size 1MiB in.json
echo '{"$ref":"file:///dev/zero"}' > refzero.json
expect_exit 2 "$FLOE" validate --schema refzero.json in.json; one_line "\$ref to file:///dev/zero"

# Rule 6: one walker: a table folder with `loop -> .` prints the table once.
mkdir -p loops && cp "$PQ" loops/ && ln -s . loops/loop1 && ln -s . loops/loop2
expect_exit 0 "$FLOE" cat loops
[ "$(wc -l <"$TMP/out")" = 8 ] && ok || bad "cat DIR with loops: $(wc -l <"$TMP/out") rows (want 8)"
mkdir -p inputs && cp in.json inputs/a.json && echo '{"id":"no"}' > inputs/x.txt && cp "$PQ" inputs/ && ln -s .. inputs/up
expect_exit 0 "$FLOE" convert --columns cols.json --out o4 --stats-json o4.json inputs
grep -q '"records_in":2,' o4.json && ok || bad "convert DIR kinds: $(cat o4.json)"

# Rule 7: uniqueItems is linear (20,000 items did not finish in 30 s).
echo '{"uniqueItems":true}' > uniq.json
python3 -c 'import json; json.dump(list(range(200000)), open("items.json","w"))'
expect_exit 0 "$FLOE" validate --schema uniq.json items.json
python3 -c 'import json; json.dump(list(range(200000))+[7.0], open("items2.json","w"))'
expect_exit 1 "$FLOE" validate --schema uniq.json items2.json
grep -q "items 7 and 200000 are equal" "$TMP/out" && ok || bad "uniqueItems 7 = 7.0: $(head -c 200 "$TMP/out")"

# Rules 8, 9: workers capped (stated in --help), every numeric flag range-checked in one line.
expect_exit 2 "$FLOE" convert --columns cols.json --out o5 --jobs 2147483647 in.json; one_line "--jobs 2147483647"
expect_exit 2 "$FLOE" convert --columns cols.json --out o5 --jobs -1 in.json; one_line "--jobs -1"
expect_exit 2 "$FLOE" convert --columns cols.json --out o5 --buffer-interval inf in.json; one_line "--buffer-interval inf"
expect_exit 2 "$FLOE" convert --columns cols.json --out o5 --buffer-interval 1e19 in.json; one_line "--buffer-interval 1e19"
"$FLOE" convert --help | tr -s " \n" "  " | grep -q "at most 4 x cores" && ok || bad "--help does not state the jobs cap"

# Rule 10: the Bloom filter is sized for the chunk's values, not a declared NDV.
expect_exit 0 "$FLOE" rewrite --bloom-filter id:99999999999999 "$PQ" bloom.parquet
[ "$(stat -c %s bloom.parquet)" -lt 65536 ] && ok || bad "bloom filter of an 8-row file: $(stat -c %s bloom.parquet) bytes"

# Exit codes and unclear errors.
echo '[1,2]' > s1.json; echo '{"minimum":"x"}' > s2.json; echo '{"$ref":"#"}' > s3.json
for s in s1 s2 s3; do
  expect_exit 2 "$FLOE" validate --schema $s.json in.json in.json; one_line "schema error $s reported once"
done
"$FLOE" warehouse init wa --name db >/dev/null
"$FLOE" table create empty --warehouse wa --columns cols.json >/dev/null
expect_exit 0 "$FLOE" aggregate --warehouse wa --table empty --group-by id --count id --into agg
"$FLOE" table list --warehouse wa | grep -qx agg && ok || bad "aggregate over an empty table did not register the result"
expect_exit 2 "$FLOE" aggregate --warehouse wa --table empty --group-by nope --into agg2
[ ! -e wa/agg2 ] && ok || bad "a failed aggregate left an unregistered folder"
expect_exit 2 "$FLOE" rewrite "$PQ" missing/out.parquet
grep -q "^floe: missing/out.parquet: " "$TMP/err" && ok || bad "rewrite into a missing folder names: $(cat "$TMP/err")"
printf '\xef\xbb\xbf{"id":"bom","v":1}\n' > bom.json
expect_exit 0 "$FLOE" convert --columns cols.json --out o6 --stats-json o6.json bom.json
grep -q '"records_failed":0' o6.json && ok || bad "BOM: $(cat o6.json)"
printf '{"id":"x","v":1}\n' | "$FLOE" ingest - --columns cols.json --out o7 >/dev/null 2>&1 && ok || bad "ingest - rejected"
"$FLOE" table create s --warehouse wa --columns cols.json --partition-key inserted_at >/dev/null
mkdir -p wa/s/2024/02/30/00 wa/s/2024/02/29/05 wa/s/junk
expect_exit 0 "$FLOE" partitions sync --warehouse wa --table s
grep -q "Registered 1 new partition" "$TMP/out" && ok || bad "partitions sync registered an impossible date: $(cat "$TMP/out")"
grep -q "wa/s/2024/02/30: warning" "$TMP/err" && grep -q "wa/s/junk: warning" "$TMP/err" && ok || bad "junk not warned: $(cat "$TMP/err")"
mkdir -p o8/.floe-staging/t/run-4194305-deadbeef && touch o8/.floe-staging/t/run-4194305-deadbeef/x.tmp
expect_exit 0 "$FLOE" convert --columns cols.json --out o8 --table t in.json
[ ! -e o8/.floe-staging/t/run-4194305-deadbeef ] && ok || bad "staging folder of a killed run not removed"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
