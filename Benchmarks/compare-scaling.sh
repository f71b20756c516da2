#!/usr/bin/env bash
# Scaling with cores, side by side: floe with --jobs 1, 2, 4, ... up to the core count against DuckDB with the same
# `threads`, on the same events NDJSON, as whole processes (interleaved runs, medians):
#   convert   floe convert (one output file)            vs DuckDB COPY (read_json ... ) TO parquet (snappy)
#   validate  floe validate --ndjson                     vs jsonschema-rs + orjson (single-threaded, one column)
#   read      floe bench read (every column decoded)      vs DuckDB max() over every column of the same file
# Prints a markdown table of wall seconds (CPU seconds in brackets), then the stage profiles of one floe run at the
# highest job count: the ordered (serial) stages' seconds per GB bound the speed-up on any machine (Amdahl).
#
#   Benchmarks/compare-scaling.sh
#
# Environment (all optional):
#   EVENTS_NDJSON  input (generated with peers.sh data when missing)   (default /tmp/events.ndjson)
#   EVENTS_MB      its size in MB when generated                       (default 200)
#   JOBS           job counts to run                                   (default "1 2 4 ... nproc")
#   RUNS           runs per cell (median)                              (default 5)
#   PEERS          path to peers.sh                                    (default <repo>/../shared/bench/peers.sh)
#   SKIP_BUILD=1   use the existing release binary
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
PEERS="${PEERS:-$(dirname "$REPO")/shared/bench/peers.sh}"
BENCH="$(dirname "$PEERS")"
EVENTS_NDJSON="${EVENTS_NDJSON:-/tmp/events.ndjson}"
EVENTS_MB="${EVENTS_MB:-200}"
RUNS="${RUNS:-5}"
COLUMNS="$REPO/Tests/FirehoseTests/TestVectors/events.columns.json"
SCHEMA="$BENCH/events.schema.json"
CORES="$(nproc)"
if [ -z "${JOBS:-}" ]; then
  JOBS=""; j=1
  while [ "$j" -lt "$CORES" ]; do JOBS="$JOBS $j"; j=$((j * 2)); done
  JOBS="$JOBS $CORES"
fi
OUT="$(mktemp -d "${TMPDIR:-/tmp}/floe-compare-scaling.XXXXXX")"
trap 'rm -rf "$OUT"' EXIT

[ -x "$PEERS" ] || { echo "compare-scaling: peers.sh not found at $PEERS (set PEERS)" >&2; exit 1; }
[ "${SKIP_BUILD:-0}" = 1 ] || (cd "$REPO" && swift build -c release --product floe >&2)
FLOE="$(cd "$REPO" && swift build -c release --show-bin-path 2>/dev/null)/floe"
PY="$("$PEERS" python -c 'import sys; print(sys.executable)' 2>/dev/null || true)"
[ -n "$PY" ] || { "$PEERS" setup >&2; PY="$("$PEERS" python -c 'import sys; print(sys.executable)')"; }
[ -f "$EVENTS_NDJSON" ] || "$PEERS" data "$EVENTS_MB" "$EVENTS_NDJSON" >&2
# the read benchmark's file: DuckDB's own conversion of the input
"$PEERS" convert duckdb "$EVENTS_NDJSON" "$OUT/events.parquet" 2>/dev/null

floe_convert() { rm -rf "$OUT/f"; "$FLOE" convert --columns "$COLUMNS" --out "$OUT/f" --table events \
  --buffer-size 1GiB --quiet --jobs "$1" "$EVENTS_NDJSON"; }
duck_convert() { "$PY" - "$1" "$BENCH" "$EVENTS_NDJSON" "$OUT/d.parquet" "$BENCH/events.columns.json" <<'PY'
import sys
threads, bench, inp, out, cols = sys.argv[1:6]
import duckdb
connect = duckdb.connect
def with_threads(*a, **k):
    con = connect(*a, **k)
    con.execute(f"SET threads={int(threads)}")
    return con
duckdb.connect = with_threads
sys.path.insert(0, bench)
import baseline_convert
sys.argv = ["baseline_convert.py", "duckdb", inp, out, "--columns", cols]
baseline_convert.main()
PY
}
floe_validate() { "$FLOE" validate --schema "$SCHEMA" --ndjson --jobs "$1" "$EVENTS_NDJSON" >/dev/null; }
peer_validate() { "$PEERS" validate "$EVENTS_NDJSON" "$SCHEMA" >/dev/null; }
floe_read() { "$FLOE" bench read "$OUT/events.parquet" --jobs "$1" >/dev/null; }
duck_read() { "$PY" - "$1" "$OUT/events.parquet" <<'PY'
import sys, duckdb
con = duckdb.connect()
con.execute(f"SET threads={int(sys.argv[1])}")
f = sys.argv[2].replace("'", "''")
cols = [c[0] for c in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{f}')").fetchall()]
exprs = ["count(*)"] + ['max("' + c.replace('"', '""') + '")::VARCHAR' for c in cols]
con.execute(f"SELECT {', '.join(exprs)} FROM read_parquet('{f}')").fetchone()
PY
}
export -f floe_convert duck_convert floe_validate peer_validate floe_read duck_read
export FLOE COLUMNS OUT EVENTS_NDJSON PY BENCH SCHEMA PEERS

# one measurement: "wall cpu" of a whole process
measure() { /usr/bin/time -f '%e %U %S' -o "$OUT/t" bash -c "$*" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
  awk '{printf "%.3f %.3f\n", $1, $2 + $3}' "$OUT/t"; }
med() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

declare -A WALL CPU
ROWS="floe_convert duck_convert floe_validate peer_validate floe_read duck_read"
echo "== $RUNS interleaved runs per cell, jobs:$JOBS, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for r in $(seq "$RUNS"); do
  for j in $JOBS; do
    for row in $ROWS; do
      [ "$row" = peer_validate ] && [ "$j" != "$(echo $JOBS | cut -d' ' -f1)" ] && continue
      read -r w c < <(measure "$row $j")
      WALL[$row,$j]="${WALL[$row,$j]:-} $w"; CPU[$row,$j]="${CPU[$row,$j]:-} $c"
    done
  done
  echo "   run $r done" >&2
done

label() { case "$1" in
  floe_convert) echo "\`floe convert\`";; duck_convert) echo "DuckDB \`COPY … TO parquet\`";;
  floe_validate) echo "\`floe validate --ndjson\`";; peer_validate) echo "jsonschema-rs + orjson (1 thread)";;
  floe_read) echo "\`floe bench read\`";; duck_read) echo "DuckDB read (max of every column)";; esac; }
printf '\n| wall s (CPU s), median of %s | %s |\n' "$RUNS" "$(echo $JOBS | sed 's/ / | /g')"
printf '| --- |%s\n' "$(for j in $JOBS; do printf ' --- |'; done)"
for row in $ROWS; do
  line="| $(label "$row") |"
  for j in $JOBS; do
    if [ -n "${WALL[$row,$j]:-}" ]; then
      w=$(printf '%s\n' ${WALL[$row,$j]} | med); c=$(printf '%s\n' ${CPU[$row,$j]} | med)
      line="$line $w ($c) |"
    else
      line="$line – |"
    fi
  done
  echo "$line"
done

last="${JOBS##* }"
echo
echo "== stage profiles (floe bench, --jobs $last): ordered seconds per GB bound the speed-up"
"$FLOE" bench convert --columns "$COLUMNS" --table events --buffer-size 1GiB --jobs "$last" "$EVENTS_NDJSON" \
  | tee "$OUT/pc.json"
"$FLOE" bench validate --schema "$SCHEMA" --ndjson --jobs "$last" "$EVENTS_NDJSON" | tee "$OUT/pv.json"
python3 - "$OUT/pc.json" "$OUT/pv.json" <<'PY'
import json, sys
for path in sys.argv[1:]:
    r = json.load(open(path))
    p = r["profile"]
    total = sum(s["seconds"] for s in p["stages"])
    f = p["ordered_seconds"] / total if total else 0  # the serial fraction of the work
    print(f"{r['op']}: ordered stages {p['ordered_s_per_gb']:.3f} s/GB, {100 * f:.2f}% of {total:.2f} CPU s"
          + "".join(f"; at most {1 / (f + (1 - f) / n):.1f}x on {n} cores" for n in (16, 64)))
    print("   " + ", ".join(f"{s['name']}{'*' if s['ordered'] else ''} {s['seconds']:.3f}s" for s in p["stages"])
          + "   (* ordered)")
PY
