#!/usr/bin/env bash
# The serverless-warehouse pipeline end to end, on one machine:
#   generate events -> floe ingest into a streaming table (three hourly arrivals) -> partitions sync
#   -> aggregate the batch layer (every hour but the newest) -> aggregate the newest hour as the speed layer
#      (Spark-style column names: count(id), sum(...)) -> merge into the serving layer -> floe cat it.
# usage: demo_pipeline.sh FLOE WAREHOUSE_DIR      (the folder is created; it must not exist)
set -euo pipefail
FLOE="$1"; W="$2"
HERE="$(cd "$(dirname "$0")" && pwd)"
say() { printf '\n== %s\n' "$*"; }

say "floe warehouse init $W --name demo"
"$FLOE" warehouse init "$W" --name demo
say "floe table create events (streaming input table, partitioned by inserted_at)"
"$FLOE" table create events --warehouse "$W" --columns "$HERE/../examples/events.columns.json" --partition-key inserted_at
for h in 0 1 2; do
  say "hour 0$h: 4000 generated events (20 of them bad) | floe ingest --warehouse $W --table events"
  python3 "$HERE/demo_events.py" --records 4000 --offset $((h * 4000)) --seed "$h" --bad 20 \
    | "$FLOE" ingest --warehouse "$W" --table events --arrival-time "2024-03-01T0$h:30:00Z" --quiet \
        --stats-json "$W/.ingest-0$h.json"
  cat "$W/.ingest-0$h.json"; echo
done
say "floe partitions sync --table events"
"$FLOE" partitions sync --warehouse "$W" --table events
"$FLOE" partitions list --warehouse "$W" --table events

MEASURES=(--count id --sum user.followers_count --sum user.favorite_count --sum retweet_count)
say "floe aggregate: batch layer over the hours before the newest"
"$FLOE" aggregate --warehouse "$W" --table events --group-by location "${MEASURES[@]}" \
  --where-partition 'inserted_at<2024/03/01/02' --into batch_layer
say "floe aggregate: speed layer over the newest hour, named the way Spark names them"
"$FLOE" aggregate --warehouse "$W" --table events --group-by location "${MEASURES[@]}" \
  --where-partition 'inserted_at>=2024/03/01/02' \
  --as 'count(id)=count(id)' --as 'sum(user.followers_count)=sum(followers_count)' \
  --as 'sum(user.favorite_count)=sum(favorite_count)' --as 'sum(retweet_count)=sum(retweet_count)' --into speed_layer
say "floe merge: serving layer = batch layer + speed layer by location"
"$FLOE" merge --warehouse "$W" --base batch_layer --delta speed_layer --key location \
  --sum count_id --sum sum_followers_count --sum sum_favorite_count --sum sum_retweet_count \
  --map 'count(id)=count_id' --map 'sum(followers_count)=sum_followers_count' \
  --map 'sum(favorite_count)=sum_favorite_count' --map 'sum(retweet_count)=sum_retweet_count' --into serving_layer
say "floe cat serving_layer"
"$FLOE" cat "$W/serving_layer" --format table
say "floe table ddl events --engine athena (for the same layout on S3)"
"$FLOE" table ddl events --warehouse "$W" --engine athena --location s3://demo-bucket/warehouse
