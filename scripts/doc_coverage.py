#!/usr/bin/env python3
"""Public declarations of Floe's library products without a doc comment, from the symbol graphs
(`swift package dump-symbol-graph --minimum-access-level public`).

Usage: scripts/doc_coverage.py SYMBOLGRAPH_DIR MODULE... [--max N] [--list]
Prints one line per module (documented / public) and the total missing; with --list every missing symbol as
`Module: path.to.symbol (file:line)`. Exits 1 when more than N declarations (default 0) lack a doc comment, so a
ceiling that only goes down keeps new API documented while the backlog is written.
Synthesized members (no source location), declarations outside Sources/ and members that dependencies'
protocol extensions add (located in .build/checkouts/) are not counted.
"""
import argparse
import glob
import json
import os
import sys

ap = argparse.ArgumentParser()
ap.add_argument("dir")
ap.add_argument("modules", nargs="+")
ap.add_argument("--max", type=int, default=0)
ap.add_argument("--list", action="store_true")
a = ap.parse_args()

missing_total = 0
for m in a.modules:
    files = glob.glob(os.path.join(a.dir, f"{m}.symbols.json")) + glob.glob(os.path.join(a.dir, f"{m}@*.symbols.json"))
    if not files:
        print(f"{m}: no symbol graph in {a.dir}", file=sys.stderr)
        sys.exit(2)
    seen = set()
    total = missing = 0
    for f in files:
        for s in json.load(open(f))["symbols"]:
            if s.get("accessLevel") not in ("public", "open") or "location" not in s:
                continue
            uri = s["location"]["uri"]
            # Members a dependency's protocol extension gives our types (e.g. PostgresNIO's RawRepresentable
            # defaults on a String enum) sit in .build/checkouts/<package>/Sources/: not ours to document.
            if "/Sources/" not in uri or "/.build/" in uri or "/checkouts/" in uri or s["identifier"]["precise"] in seen:
                continue
            seen.add(s["identifier"]["precise"])
            total += 1
            if not s.get("docComment"):
                missing += 1
                if a.list:
                    line = s["location"]["position"]["line"] + 1
                    print(f"{m}: {'.'.join(s['pathComponents'])} ({uri.split('/Sources/')[1]}:{line})")
    print(f"{m}: {total - missing} of {total} public declarations documented")
    missing_total += missing
print(f"undocumented public declarations: {missing_total} (ceiling {a.max})")
sys.exit(1 if missing_total > a.max else 0)
