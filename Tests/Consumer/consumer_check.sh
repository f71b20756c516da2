#!/usr/bin/env bash
# Floe as a dependency (issue 13): a throwaway package outside the tree depends on a local clone of Floe by
# `.package(url:from:)` at a version tag, imports every library product Floe declares, and builds and runs an
# executable that writes a Parquet file, reads it back and validates JSON against a schema.
# SwiftPM refuses unsafe build flags in a dependency that is not a local path, so this build fails if one comes
# back; the second half proves that by injecting one into a copy tagged one patch higher and expecting the
# refusal. Prints "N passed, N failed"; exits non-zero on any failure.
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SWIFT="${SWIFT:-swift}"
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

VERSION=$(sed -n 's/.*public static let version = "\([0-9.]*\)".*/\1/p' "$ROOT/Sources/Parquet/Writer/WriterOptions.swift")
[ -n "$VERSION" ] || { echo "FAIL: no version number in Sources/Parquet/Writer/WriterOptions.swift"; exit 1; }
# The tree as it is (uncommitted changes to tracked files included) as a commit of its own, cloned and tagged.
commit=$(git -C "$ROOT" stash create 2>/dev/null); [ -n "$commit" ] || commit=$(git -C "$ROOT" rev-parse HEAD)
git clone -q --no-checkout "$ROOT" "$WORK/floe" && git -C "$WORK/floe" fetch -q "$ROOT" "$commit" 2>/dev/null
git -C "$WORK/floe" checkout -q "$commit" && git -C "$WORK/floe" tag "$VERSION" || { echo "FAIL: cannot clone"; exit 1; }

# Every library product, from the manifest itself.
products=$(cd "$ROOT" && "$SWIFT" package dump-package 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join(p["name"] for p in d["products"] if "library" in p["type"]))')
[ -n "$products" ] && ok || bad "no library products found in the manifest"

mkdir -p "$WORK/consumer/Sources/consumer"
{
  echo '// swift-tools-version:6.0'
  echo 'import PackageDescription'
  echo 'let package = Package('
  echo '    name: "consumer",'
  echo "    dependencies: [.package(url: \"file://$WORK/floe\", from: \"$VERSION\")],"
  echo '    targets: [.executableTarget(name: "consumer", dependencies: ['
  for p in $products; do echo "        .product(name: \"$p\", package: \"floe\"),"; done
  echo '    ])]'
  echo ')'
} > "$WORK/consumer/Package.swift"
{
  for p in $products; do echo "import $p"; done
  cat <<'SWIFT'
#if canImport(Glibc)
import Glibc
#endif

// Writes a small Parquet file from rows, reads it back as canonical JSON lines, validates JSON against a schema.
let out = CommandLine.arguments[1]
let schema = Schema(fields: [.int64("id", .required), .string("name")])
let writer = try ParquetWriter(path: out, schema: schema)
try writer.write(rows: [.record([("id", .int(1)), ("name", .string("a"))]), .record([("id", .int(2)), ("name", .null)])])
try writer.close()
let file = try ParquetFile(path: out)
var text: [UInt8] = []
try RowExporter(file: file).export(format: .jsonl, limit: nil) { text += $0 }
print(String(decoding: text, as: UTF8.self), terminator: "")
let validator = try JSONSchemaValidator(schema: try JSONParser.parse(#"{"type":"object","required":["id"]}"#))
print(validator.isValid(try JSONParser.parse(#"{"id":1}"#)), validator.isValid(try JSONParser.parse(#"{}"#)))
SWIFT
} > "$WORK/consumer/Sources/consumer/main.swift"

# FLOE_CONSUMER_SCRATCH: a build folder to build the consumer in (`make test` passes the tree's own .build, so the
# dependencies checked out and compiled there for the tree's debug build — swift-nio, BoringSSL, postgres-nio … —
# are reused as they are: same checkout paths, same commands; Floe's own modules are compiled again, from the
# tagged clone, as a dependency). Resolution is the consumer's own either way: its Package.resolved, the clone by
# URL and tag. Without it, the consumer builds in its own .build from scratch.
scratch=("--scratch-path" "${FLOE_CONSUMER_SCRATCH:-$WORK/consumer/.build}")
log="$WORK/build.log"
if (cd "$WORK/consumer" && "$SWIFT" build "${scratch[@]}" >"$log" 2>&1); then ok; else bad "consumer build failed: $(grep -m3 -E 'error' "$log")"; fi
got=$("$(cd "$WORK/consumer" && "$SWIFT" build "${scratch[@]}" --show-bin-path)/consumer" "$WORK/t.parquet" 2>&1)
want=$'{"id":1,"name":"a"}\n{"id":2,"name":null}\ntrue false'
[ "$got" = "$want" ] && ok || bad "consumer output: $got"

# The check can fail: the same package with an unsafe flag, tagged one patch higher, is refused by SwiftPM.
next=$(awk -F. '{printf "%d.%d.%d", $1, $2, $3 + 1}' <<<"$VERSION")
python3 - "$WORK/floe/Package.swift" <<'PY'
import re, sys
p = sys.argv[1]; s = open(p).read()
# swiftSettings goes after the JSON target's other arguments (dependencies, path …), before its closing parenthesis.
start = s.find('.target(name: "JSON"')
assert start >= 0 and "swiftSettings" not in s[start:s.find("\n", start)], "could not inject an unsafe flag"
depth, i = 0, start + len(".target")
while True:
    depth += {"(": 1, ")": -1}.get(s[i], 0)
    if depth == 0:
        break
    i += 1
s = s[:i] + ', swiftSettings: [.unsafeFlags(["-Onone"])]' + s[i:]
open(p, "w").write(s)
PY
git -C "$WORK/floe" -c user.email=t@t -c user.name=t commit -qam "unsafe flag" && git -C "$WORK/floe" tag "$next" ||
  { echo "FAIL: could not inject an unsafe flag into the clone's Package.swift"; exit 1; }
sed -i "s/from: \"$VERSION\"/exact: \"$next\"/" "$WORK/consumer/Package.swift"
# (SwiftPM refuses it while loading the package graph, before compiling anything, so this half needs no compiled
# dependencies: it runs in a scratch folder of its own and leaves the shared one as the first half left it.)
if (cd "$WORK/consumer" && rm -f Package.resolved && "$SWIFT" build --scratch-path "$WORK/consumer/.build-unsafe" >"$log" 2>&1); then
  bad "a dependency with an unsafe flag was accepted"
else
  grep -q "unsafe build flags" "$log" && ok || bad "refused for another reason: $(grep -m3 error "$log")"
fi
echo "consumer: $pass passed, $fail failed"
[ "$fail" = 0 ]
