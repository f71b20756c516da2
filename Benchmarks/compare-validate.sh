#!/usr/bin/env bash
# Side by side: `floe validate --ndjson` against jsonschema-rs + orjson (`peers.sh validate`) on the 200 MB events
# file and events.schema.json, whole processes under hyperfine in one run, printed as ratios. floe runs
# single-threaded (--jobs 1) and with its default (one worker per core).
#
# Environment (optional): EVENTS_NDJSON (default /tmp/events.ndjson), EVENTS_MB (200), PEERS (peers.sh path),
# SCHEMA (default <shared>/bench/events.schema.json), RUNS (5), WARMUP (1), SKIP_BUILD=1.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
PEERS="${PEERS:-$(dirname "$REPO")/shared/bench/peers.sh}"
SCHEMA="${SCHEMA:-$(dirname "$PEERS")/events.schema.json}"
EVENTS_NDJSON="${EVENTS_NDJSON:-/tmp/events.ndjson}"
EVENTS_MB="${EVENTS_MB:-200}"
RUNS="${RUNS:-5}"; WARMUP="${WARMUP:-1}"
OUT_DIR="$(mktemp -d "${TMPDIR:-/tmp}/floe-compare-validate.XXXXXX")"
die() { printf 'compare-validate: %s\n' "$*" >&2; exit 1; }
[ -x "$PEERS" ] || die "peers script not found at $PEERS (shared/ must sit beside the repository, or set PEERS)"
command -v hyperfine >/dev/null 2>&1 || { [ "$(id -u)" = 0 ] && apt-get install -y -qq hyperfine >/dev/null; } \
  || die "hyperfine is missing; run: sudo apt-get install -y hyperfine"
if [ "${SKIP_BUILD:-0}" != 1 ]; then (cd "$REPO" && swift build -c release --product floe >&2); fi
FLOE="$(cd "$REPO" && swift build -c release --show-bin-path)/floe"
"$PEERS" setup >&2
[ -s "$EVENTS_NDJSON" ] || "$PEERS" data "$EVENTS_MB" "$EVENTS_NDJSON" >&2
# Both must accept every line of the (valid) events file.
"$FLOE" validate --schema "$SCHEMA" --ndjson --jobs 1 "$EVENTS_NDJSON" >/dev/null || die "floe found invalid lines"
"$PEERS" validate "$EVENTS_NDJSON" "$SCHEMA" >&2
q() { printf '%q' "$1"; }
hyperfine -N -w "$WARMUP" -r "$RUNS" --export-json "$OUT_DIR/validate.json" \
  -n "floe --jobs 1" "$(q "$FLOE") validate --schema $(q "$SCHEMA") --ndjson --jobs 1 $(q "$EVENTS_NDJSON")" \
  -n floe "$(q "$FLOE") validate --schema $(q "$SCHEMA") --ndjson $(q "$EVENTS_NDJSON")" \
  -n "jsonschema-rs + orjson" "$(q "$PEERS") validate $(q "$EVENTS_NDJSON") $(q "$SCHEMA")" >&2
python3 - "$OUT_DIR/validate.json" <<'PY'
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
for n, r in res.items():
    print(f"  {n:<24} mean {r['mean']:.3f} s ± {r['stddev']:.3f}  user {r['user']:.2f} s")
peer = res["jsonschema-rs + orjson"]["mean"]
for n in ["floe --jobs 1", "floe"]:
    print(f"  {n} / jsonschema-rs+orjson: {res[n]['mean'] / peer:.2f} (target <= 0.67 single-threaded)")
PY
