#!/usr/bin/env python3
"""Deterministic tweet/click/impression events for `make demo` (NDJSON on stdout).

    demo_events.py --records N [--seed S] [--bad K]

Records follow examples/events.columns.json: strings, RFC 3339 timestamps, a nested `user` struct, a `hashtags`
array, a nullable `coordinates` struct, optional keys left out. `--bad K` adds K malformed or mistyped lines, which
the converter routes to its error output.
"""
import argparse
import json
import random

LOCATIONS = ["Berlin, Germany", "Lyon, France", "Houston, USA", "Tokyo, Japan", "São Paulo, Brasil",
             "Lagos, Nigeria", "Mumbai, India", "서울, 대한민국", "Toronto, Canada", "Sydney, Australia"]
WORDS = ["data", "lake", "stream", "batch", "speed", "layer", "query", "parquet", "swift", "café", "🚀", "naïve"]
TAGS = ["AI", "data", "swift", "parquet", "日本", "cloud"]


def event(rng, i):
    ms = 1709251200000 + i * 997
    sec, frac = divmod(ms, 1000)
    hh, rem = divmod(sec % 86400, 3600)
    mm, ss = divmod(rem, 60)
    e = {
        "id": str(1763353455622979585 + i),
        "event_type": rng.choice(["click", "impression", "retweet", "tweet"]),
        "session_id": "%08x-%04x-4%03x-a%03x-%012x" % (rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(12),
                                                       rng.getrandbits(12), rng.getrandbits(48)),
        "event_time": "2024-03-01T%02d:%02d:%02d.%03dZ" % (hh, mm, ss, frac),
        "event_time_ms": ms,
        "user": {"id": rng.randrange(1, 5000), "screen_name": "user%d" % rng.randrange(5000),
                 "followers_count": rng.randrange(0, 100000), "verified": rng.random() < 0.1},
        "text": " ".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 12))),
        "retweet_count": rng.randrange(0, 500),
    }
    if rng.random() < 0.9:
        e["user"]["favorite_count"] = rng.randrange(0, 2000)
    if rng.random() < 0.9:
        e["location"] = rng.choice(LOCATIONS)
    if rng.random() < 0.9:
        e["lang"] = rng.choice(["en", "de", "fr", "ja", "pt"])
    e["hashtags"] = [rng.choice(TAGS) for _ in range(rng.randrange(0, 3))]
    e["coordinates"] = None if rng.random() < 0.3 else {"lat": round(rng.uniform(-60, 60), 4),
                                                         "lon": round(rng.uniform(-180, 180), 4)}
    e["score"] = rng.random()
    e["is_sensitive"] = rng.random() < 0.05
    return e


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--offset", type=int, default=0, help="first record number (ids and event times follow it)")
    ap.add_argument("--bad", type=int, default=0)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    bad_every = a.records // a.bad if a.bad else 0
    for i in range(a.records):
        line = json.dumps(event(rng, a.offset + i), ensure_ascii=False, separators=(",", ":"))
        if bad_every and i % bad_every == bad_every - 1:
            kind = (i // bad_every) % 3
            line = [line[: len(line) // 2],  # truncated
                    line.replace('"retweet_count":', '"retweet_count":"many", "x":'),  # wrong type
                    "{not json"][kind]
        print(line)


if __name__ == "__main__":
    main()
