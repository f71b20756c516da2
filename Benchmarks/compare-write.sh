#!/usr/bin/env bash
# Floe's Parquet writer against pyarrow's write_table on the same table, snappy both.
#   Benchmarks/compare-write.sh [INPUT.parquet]      (default /tmp/events.duckdb.parquet)
# Reports: writer-only seconds (reading excluded) for both, whole-process hyperfine timings (read + write),
# output sizes, and peak RSS (/usr/bin/time -v) for the input and for a doubled input (same rows twice).
set -euo pipefail
cd "$(dirname "$0")/.."
IN=${1:-/tmp/events.duckdb.parquet}
PY=${PY:-$HOME/.cache/floe-bench-venv/bin/python}
FLOE="$(swift build -c release --show-bin-path 2>/dev/null)/floe"
OUT=${TMPDIR:-/tmp}/floe-compare-write
mkdir -p "$OUT"
[ -x "$FLOE" ] || swift build -c release --product floe

cat > "$OUT/pa_write.py" <<'PYEOF'
import os, sys, time
import pyarrow.parquet as pq
t = pq.read_table(sys.argv[1])
s = time.perf_counter()
pq.write_table(t, sys.argv[2], compression="snappy")
e = time.perf_counter() - s
n = os.path.getsize(sys.argv[2])
print('{"op":"pyarrow_write","bytes":%d,"rows":%d,"seconds":%.3f,"mb_per_s":%.3f}' % (n, t.num_rows, e, n / 1e6 / e))
PYEOF

# A doubled input (the same row groups twice) for the memory check.
if [ ! -f "$OUT/double.parquet" ] || [ "$IN" -nt "$OUT/double.parquet" ]; then
  "$PY" - "$IN" "$OUT/double.parquet" <<'PYEOF'
import sys, pyarrow.parquet as pq
f = pq.ParquetFile(sys.argv[1])
with pq.ParquetWriter(sys.argv[2], f.schema_arrow, compression="snappy") as w:
    for _ in range(2):
        for g in range(f.num_row_groups):
            w.write_table(f.read_row_group(g), row_group_size=f.metadata.row_group(g).num_rows)
PYEOF
fi

echo "== writer only (best of 5; reading excluded)"
best() { sort -t: -k5 -n | head -1; }
for i in 1 2 3 4 5; do "$FLOE" bench write "$IN" "$OUT/floe.parquet"; done | sort -t'"' -k11 | awk -F'"seconds":' '{split($2,a,","); print a[1], $0}' | sort -n | head -1 | cut -d' ' -f2-
for i in 1 2 3 4 5; do "$PY" "$OUT/pa_write.py" "$IN" "$OUT/pyarrow.parquet"; done | awk -F'"seconds":' '{split($2,a,","); print a[1], $0}' | sort -n | head -1 | cut -d' ' -f2-

echo "== sizes (snappy)"
fs=$(stat -c %s "$OUT/floe.parquet"); ps=$(stat -c %s "$OUT/pyarrow.parquet")
echo "floe $fs bytes, pyarrow $ps bytes, ratio $(awk "BEGIN{printf \"%.4f\", $fs/$ps}")"

echo "== whole process (read + write)"
hyperfine -w 1 -r 5 -N \
  "$FLOE bench write $IN $OUT/floe.parquet" \
  "$PY $OUT/pa_write.py $IN $OUT/pyarrow.parquet"

echo "== peak RSS (KiB): input, doubled input"
for f in "$IN" "$OUT/double.parquet"; do
  r1=$( { /usr/bin/time -v "$FLOE" bench write "$f" "$OUT/floe-rss.parquet" >/dev/null; } 2>&1 | awk '/Maximum resident/ {print $6}')
  r2=$( { /usr/bin/time -v "$PY" "$OUT/pa_write.py" "$f" "$OUT/pa-rss.parquet" >/dev/null; } 2>&1 | awk '/Maximum resident/ {print $6}')
  echo "$(basename "$f"): floe $r1, pyarrow $r2"
done
