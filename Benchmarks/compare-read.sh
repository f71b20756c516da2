#!/usr/bin/env bash
# Side by side: `floe bench read` against DuckDB, pyarrow and Polars reading every column of the same Parquet
# file (the 200 MB events file converted by DuckDB), as whole processes under hyperfine, printed as ratios.
#
#   Benchmarks/compare-read.sh                 build floe (release), set up peers and data if missing, measure
#
# Environment (all optional):
#   EVENTS_NDJSON   events NDJSON to generate/use       (default /tmp/events.ndjson)
#   EVENTS_PARQUET  the Parquet file every tool reads   (default /tmp/events.duckdb.parquet)
#   EVENTS_MB       size of the generated NDJSON in MB  (default 200)
#   PEERS           path to peers.sh                    (default <repo>/../shared/bench/peers.sh)
#   RUNS, WARMUP    hyperfine runs / warmup runs        (default 10 / 1)
#   OUT_DIR         where hyperfine's JSON goes         (default a temp dir, kept and printed)
#   SKIP_BUILD=1    use the existing .build/release/floe
#
# Needs: swift, python3, hyperfine (installed with apt-get when missing and running as root).
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
PEERS="${PEERS:-$(dirname "$REPO")/shared/bench/peers.sh}"
EVENTS_NDJSON="${EVENTS_NDJSON:-/tmp/events.ndjson}"
EVENTS_PARQUET="${EVENTS_PARQUET:-/tmp/events.duckdb.parquet}"
EVENTS_MB="${EVENTS_MB:-200}"
RUNS="${RUNS:-10}"
WARMUP="${WARMUP:-1}"
OUT_DIR="${OUT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/floe-compare-read.XXXXXX")}"
FLOE="$(cd "$REPO" && swift build -c release --show-bin-path 2>/dev/null)/floe"
mkdir -p "$OUT_DIR"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'compare-read: %s\n' "$*" >&2; exit 1; }

if [ ! -x "$PEERS" ]; then
  die "peers script not found at $PEERS.
The peer tools (DuckDB, pyarrow, Polars) and the events generator live in the shared/ folder beside the repository
(<repo>/../shared/bench/peers.sh). Check out shared/ next to the repo, or point PEERS=/path/to/peers.sh."
fi

# hyperfine
if ! command -v hyperfine >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    say "installing hyperfine (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null
  else
    die "hyperfine is missing; run: sudo apt-get install -y hyperfine"
  fi
fi
command -v python3 >/dev/null 2>&1 || die "python3 is missing"

# floe, release
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  say "building floe (release)"
  (cd "$REPO" && swift build -c release --product floe >&2)
fi
[ -x "$FLOE" ] || die "$FLOE not found (build failed, or SKIP_BUILD=1 without a release build)"

# peers venv (idempotent: pip only installs what is missing)
say "peers venv: $PEERS setup"
"$PEERS" setup >&2

# data
if [ ! -s "$EVENTS_PARQUET" ]; then
  if [ ! -s "$EVENTS_NDJSON" ]; then
    say "generating $EVENTS_MB MB of events -> $EVENTS_NDJSON"
    "$PEERS" data "$EVENTS_MB" "$EVENTS_NDJSON" >&2
  fi
  say "converting with DuckDB -> $EVENTS_PARQUET"
  "$PEERS" convert duckdb "$EVENTS_NDJSON" "$EVENTS_PARQUET" >&2
fi

# Sanity: every tool reads the file (a failing reader stops the script) and reports the same row count.
say "checking every reader on $EVENTS_PARQUET"
floe_out="$("$FLOE" bench read "$EVENTS_PARQUET")"
echo "floe $floe_out" >&2
floe_rows="$(sed -n 's/.*"rows":\([0-9]*\).*/\1/p' <<<"$floe_out")"
for engine in duckdb pyarrow polars; do
  peer_out="$("$PEERS" read "$engine" "$EVENTS_PARQUET")"
  echo "$peer_out" >&2
  peer_rows="$(sed -n 's/.*rows=\([0-9]*\).*/\1/p' <<<"$peer_out")"
  [ "$peer_rows" = "$floe_rows" ] || die "row counts differ: floe $floe_rows, $engine $peer_rows"
done

cores="$(nproc 2>/dev/null || echo '?')"
say "hyperfine: $RUNS runs, $WARMUP warmup, $cores cores; JSON in $OUT_DIR"

q() { printf '%q' "$1"; }
F="$(q "$EVENTS_PARQUET")"
P="$(q "$PEERS")"

# One hyperfine run, so every figure shares the machine's state: floe with one worker per core (its default),
# floe on one thread (--jobs 1), each peer with its own default threading, and each peer's process startup alone
# (python + import), which its whole-process time includes.
hyperfine -N -w "$WARMUP" -r "$RUNS" --export-json "$OUT_DIR/read.json" \
  -n floe "$(q "$FLOE") bench read $F" \
  -n "floe --jobs 1" "$(q "$FLOE") bench read --jobs 1 $F" \
  -n duckdb "$P read duckdb $F" \
  -n pyarrow "$P read pyarrow $F" \
  -n polars "$P read polars $F" \
  -n "duckdb startup" "$P python -c 'import duckdb'" \
  -n "pyarrow startup" "$P python -c 'import pyarrow.parquet'" \
  -n "polars startup" "$P python -c 'import polars'" >&2

python3 - "$OUT_DIR/read.json" "$EVENTS_PARQUET" "$cores" <<'EOF'
import json, os, sys
out, path, cores = sys.argv[1], sys.argv[2], sys.argv[3]
res = {r["command"]: r for r in json.load(open(out))["results"]}
def line(name):
    r = res[name]
    return f"  {name:<16} mean {r['mean']:.3f} s ± {r['stddev']:.3f}   median {r['median']:.3f} s   " \
           f"user {r['user']:.2f} s  sys {r['system']:.2f} s"
size = os.path.getsize(path)
print(f"read every column of {path} ({size / 1e6:.1f} MB), {cores} cores, mean wall time of {len(res['floe']['times'])} runs")
for n in ["floe", "floe --jobs 1", "duckdb", "pyarrow", "polars", "duckdb startup", "pyarrow startup", "polars startup"]:
    print(line(n))
print("ratios (wall time, < 1 means floe is faster):")
for f in ["floe", "floe --jobs 1"]:
    for peer in ["duckdb", "pyarrow", "polars"]:
        ratio = res[f]["mean"] / res[peer]["mean"]
        print(f"  {f + ' / ' + peer:<26} {ratio:.2f}")
print("ratios with each peer's startup (python + import) taken off its time:")
for f in ["floe", "floe --jobs 1"]:
    for peer in ["duckdb", "pyarrow", "polars"]:
        work = res[peer]["mean"] - res[peer + " startup"]["mean"]
        ratio = res[f]["mean"] / work if work > 0 else float("nan")
        print(f"  {f + ' / ' + peer + ' (read only)':<38} {ratio:.2f}")
cpu = lambda n: res[n]["user"] + res[n]["system"]
print("CPU time (user + sys) ratios, startup taken off the peers (steadier than wall time on a busy machine):")
for peer in ["duckdb", "pyarrow", "polars"]:
    work = cpu(peer) - cpu(peer + " startup")
    print(f"  {'floe / ' + peer + ' (read only, CPU)':<38} {cpu('floe') / work:.2f}" if work > 0 else "  n/a")
target = res["floe"]["mean"] <= res["duckdb"]["mean"]
print(f"target floe wall time <= DuckDB's: {'met' if target else 'NOT met'}")
EOF
