#!/usr/bin/env bash
# Side by side: `floe convert` against DuckDB (peers.sh convert duckdb) turning the 200 MB events NDJSON into
# snappy Parquet vetted against events.columns.json, as whole processes, alternating runs; then peak RSS at 200 MB
# and at 1 GB of input (flat memory), and output sizes.
#
#   Benchmarks/compare-convert.sh
#
# Environment (all optional):
#   EVENTS_NDJSON   events NDJSON (generated with peers.sh data when missing)  (default /tmp/events.ndjson)
#   EVENTS_MB       its size in MB when generated                            (default 200)
#   BIG_NDJSON      the 1 GB input for the RSS check (5 copies of EVENTS_NDJSON; default /tmp/events-1g.ndjson)
#   PEERS           path to peers.sh                                         (default <repo>/../shared/bench/peers.sh)
#   RUNS            alternating runs per tool                                (default 5)
#   SKIP_BUILD=1    use the existing release binary
# Target (issue 6): floe wall <= 0.67 x DuckDB's, peak RSS <= 256 MiB and flat at 1 GB, output <= DuckDB's.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
PEERS="${PEERS:-$(dirname "$REPO")/shared/bench/peers.sh}"
EVENTS_NDJSON="${EVENTS_NDJSON:-/tmp/events.ndjson}"
BIG_NDJSON="${BIG_NDJSON:-/tmp/events-1g.ndjson}"
EVENTS_MB="${EVENTS_MB:-200}"
RUNS="${RUNS:-5}"
COLUMNS="$REPO/Tests/FirehoseTests/TestVectors/events.columns.json"
OUT="$(mktemp -d "${TMPDIR:-/tmp}/floe-compare-convert.XXXXXX")"
trap 'rm -rf "$OUT"' EXIT

[ "${SKIP_BUILD:-0}" = 1 ] || (cd "$REPO" && swift build -c release --product floe >&2)
FLOE="$(cd "$REPO" && swift build -c release --show-bin-path 2>/dev/null)/floe"
[ -x "$("$PEERS" python -c 'import sys; print(sys.executable)' 2>/dev/null || echo /nonexistent)" ] || "$PEERS" setup
[ -f "$EVENTS_NDJSON" ] || "$PEERS" data "$EVENTS_MB" "$EVENTS_NDJSON"

floe_run() { rm -rf "$OUT/floe"; "$FLOE" convert --columns "$COLUMNS" --out "$OUT/floe" --table events \
  --buffer-size 1GiB --compression snappy --quiet "$1"; }
duck_run() { "$PEERS" convert duckdb "$1" "$OUT/duck.parquet" 2>/dev/null; }
wall() { local s e; s=$(date +%s.%N); "$@"; e=$(date +%s.%N); awk "BEGIN{printf \"%.3f\", $e-$s}"; }

echo "== wall seconds, $RUNS alternating runs each (after one warm-up of each)"
floe_run "$EVENTS_NDJSON"; duck_run "$EVENTS_NDJSON"
F=(); D=()
for i in $(seq "$RUNS"); do
  F+=("$(wall floe_run "$EVENTS_NDJSON")")
  D+=("$(wall duck_run "$EVENTS_NDJSON")")
done
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
fm=$(med "${F[@]}"); dm=$(med "${D[@]}")
echo "floe   ${F[*]}  median $fm"
echo "duckdb ${D[*]}  median $dm"
echo "ratio floe/duckdb $(awk "BEGIN{printf \"%.3f\", $fm/$dm}") (target <= 0.67)"

echo "== output bytes"
fs=$(find "$OUT/floe/events" -name '*.parquet' -printf '%s\n' | awk '{s+=$1} END{print s}')
ds=$(stat -c %s "$OUT/duck.parquet")
echo "floe $fs, duckdb $ds, ratio $(awk "BEGIN{printf \"%.4f\", $fs/$ds}") (target <= 1)"

echo "== peak RSS (MiB)"
[ -f "$BIG_NDJSON" ] || { for i in 1 2 3 4 5; do cat "$EVENTS_NDJSON"; done > "$BIG_NDJSON"; }
rss() { /usr/bin/time -f '%M' -o "$OUT/rss" "$@" >/dev/null 2>&1; echo $(( $(tail -1 "$OUT/rss") / 1024 )); }
export FLOE COLUMNS OUT
r200=$(rss bash -c "$(declare -f floe_run); floe_run '$EVENTS_NDJSON'")
r1g=$(rss bash -c "$(declare -f floe_run); floe_run '$BIG_NDJSON'")
d200=$(rss "$PEERS" convert duckdb "$EVENTS_NDJSON" "$OUT/duck.parquet")
echo "floe 200 MB: $r200 MiB, floe 1 GB: $r1g MiB, duckdb 200 MB: $d200 MiB (target <= 256, flat)"
