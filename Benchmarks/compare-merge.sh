#!/usr/bin/env bash
# `floe merge` against DuckDB running the serving-layer SQL on the same Parquet files.
#   Benchmarks/compare-merge.sh [BASE_ROWS] [DELTA_ROWS]        (default 10000000 1000000)
# Generates (pyarrow, once) a batch layer of BASE_ROWS unique locations and a speed layer of DELTA_ROWS
# locations, half of them in the base, with count(id)-style delta column names; then times with hyperfine
#   floe merge --base batch_layer --delta speed_layer --key location --sum … --map 'count(id)=count_id' …
#   duckdb: CREATE TABLE serving_tmp AS SELECT * FROM batch_layer; UPDATE … FROM speed_layer …; INSERT … NOT IN …;
#           COPY serving_tmp TO 'serving.parquet' (snappy)
# and reports peak RSS (/usr/bin/time -v) of both. Both write one snappy Parquet file of the result.
set -euo pipefail
cd "$(dirname "$0")/.."
NB=${1:-10000000}
ND=${2:-1000000}
PY=${PY:-.venv/bin/python}
FLOE=${FLOE:-.build/release/floe}
OUT=${TMPDIR:-/tmp}/floe-compare-merge
WH=$OUT/wh-$NB-$ND
[ -x "$FLOE" ] || swift build -c release --product floe
[ -x "$PY" ] || make venv

if [ ! -f "$WH/batch_layer/batch.parquet" ]; then
  rm -rf "$WH"; mkdir -p "$WH/batch_layer" "$WH/speed_layer"
  "$FLOE" warehouse init "$WH" --name bench >/dev/null
  "$PY" - "$WH" "$NB" "$ND" <<'PYEOF'
# Random values come from DuckDB's random() (fast; no numpy in the venv); pyarrow writes the files.
import sys, duckdb, pyarrow.parquet as pq
wh, nb, nd = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
con = duckdb.connect()
con.execute("SELECT setseed(0.7)").fetchall()
def m(hi):
    return f"CASE WHEN random() < 0.01 THEN NULL ELSE CAST(floor(random() * {hi}) AS BIGINT) END"
b = con.sql(f"""SELECT 'loc' || i AS location, {m(1000)} AS count_id, {m(10**7)} AS sum_followers_count,
  {m(10**5)} AS sum_favorite_count, {m(10**5)} AS sum_retweet_count FROM range({nb}) t(i) ORDER BY random()""").to_arrow_table()
pq.write_table(b, f"{wh}/batch_layer/batch.parquet", compression="snappy")
half = nd // 2
d = con.sql(f"""SELECT 'loc' || i AS location, {m(1000)} AS "count(id)", {m(10**7)} AS "sum(followers_count)",
  {m(10**5)} AS "sum(favorite_count)", {m(10**5)} AS "sum(retweet_count)"
  FROM (SELECT i FROM (SELECT i FROM range({nb}) t(i) ORDER BY random() LIMIT {half})
        UNION ALL SELECT {nb} + i FROM range({nd - half}) t(i)) ORDER BY random()""").to_arrow_table()
pq.write_table(d, f"{wh}/speed_layer/speed.parquet", compression="snappy")
PYEOF
fi

cat > "$OUT/duckdb_merge.py" <<PYEOF
import sys, duckdb
wh, out = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.execute(f"CREATE VIEW batch_layer AS SELECT * FROM read_parquet('{wh}/batch_layer/*.parquet')")
con.execute(f"CREATE VIEW speed_layer AS SELECT * FROM read_parquet('{wh}/speed_layer/*.parquet')")
con.execute("CREATE TABLE serving_tmp AS SELECT * FROM batch_layer")
con.execute('''UPDATE serving_tmp SET count_id = count_id + speed_layer."count(id)",
  sum_followers_count = sum_followers_count + speed_layer."sum(followers_count)",
  sum_favorite_count = sum_favorite_count + speed_layer."sum(favorite_count)",
  sum_retweet_count = sum_retweet_count + speed_layer."sum(retweet_count)"
  FROM speed_layer WHERE serving_tmp.location = speed_layer.location''')
con.execute("INSERT INTO serving_tmp SELECT * FROM speed_layer WHERE location NOT IN (SELECT DISTINCT location FROM serving_tmp)")
con.execute(f"COPY serving_tmp TO '{out}' (FORMAT parquet, COMPRESSION snappy)")
PYEOF

MERGE="$FLOE merge --warehouse $WH --base batch_layer --delta speed_layer --key location --quiet --grace 0 \
 --sum count_id --sum sum_followers_count --sum sum_favorite_count --sum sum_retweet_count \
 --map count(id)=count_id --map sum(followers_count)=sum_followers_count \
 --map sum(favorite_count)=sum_favorite_count --map sum(retweet_count)=sum_retweet_count --into serving_layer"
DUCK="$PY $OUT/duckdb_merge.py $WH $OUT/duckdb-serving.parquet"

echo "== base $NB rows, delta $ND rows ($(du -sh "$WH/batch_layer" | cut -f1) + $(du -sh "$WH/speed_layer" | cut -f1)), $(nproc) cores"
hyperfine -w 1 -r ${RUNS:-5} -N --export-json "$OUT/hyperfine.json" "$MERGE" "$DUCK"
echo "== peak RSS (KiB)"
r1=$( { /usr/bin/time -v $MERGE >/dev/null; } 2>&1 | awk '/Maximum resident/ {print $6}')
r2=$( { /usr/bin/time -v $DUCK >/dev/null; } 2>&1 | awk '/Maximum resident/ {print $6}')
echo "floe merge $r1, duckdb $r2"
echo "== rows: floe $("$PY" -c "import pyarrow.parquet as pq,glob; print(sum(pq.ParquetFile(f).metadata.num_rows for f in glob.glob('$WH/serving_layer/current/*.parquet')))"), duckdb $("$PY" -c "import pyarrow.parquet as pq; print(pq.ParquetFile('$OUT/duckdb-serving.parquet').metadata.num_rows)")"
