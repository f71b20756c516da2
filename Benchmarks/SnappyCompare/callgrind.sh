#!/bin/bash
# Instructions (callgrind Ir) of one compression per sample: SnappyEncoder vs libsnappy's snappy_compress.
# Usage: callgrind.sh [SAMPLE_DIR]   (build first: swift build -c release)
set -e
cd "$(dirname "$0")"
B=.build/release/snappy-compare
dir=${1:-/tmp/snappy-samples}
ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect="*$1*" $B $2 1 "$3" 2>&1 |
       awk '/Collected/ {print $4}'; }
printf "%-16s %12s %12s %7s\n" sample "Ir Swift" "Ir libsnappy" ratio
for f in "$dir"/*.bin; do
  m=$(ir measureMine mine "$f"); l=$(ir measureLib lib "$f")
  printf "%-16s %12d %12d %7.3f\n" "$(basename "$f" .bin)" "$m" "$l" "$(echo "$m / $l" | bc -l)"
done
