#!/usr/bin/env bash
# `make install PREFIX=…` on this machine (issue 13): the installed floe runs, names its version and commit, links
# no Swift runtime library (--static-swift-stdlib), and brings bash/zsh/fish completions and a man page.
# Prints "N passed, N failed"; exits non-zero on any failure.
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$HERE/../.."
PREFIX="$(mktemp -d)"; trap 'rm -rf "$PREFIX"' EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

if make -C "$ROOT" --no-print-directory install PREFIX="$PREFIX" >"$PREFIX.log" 2>&1; then ok; else
  bad "make install failed: $(tail -5 "$PREFIX.log")"; fi
rm -f "$PREFIX.log"
BIN="$PREFIX/bin/floe"
v=$("$BIN" --version 2>&1) && ok || bad "floe --version exited non-zero: $v"
commit=$(git -C "$ROOT" rev-parse --short=12 HEAD)
[[ "$v" =~ ^floe\ [0-9]+\.[0-9]+\.[0-9]+\ \(commit\ [0-9a-f]{12}(-modified)?\)$ ]] && ok || bad "version text: $v"
[[ "$v" == *"$commit"* ]] && ok || bad "version does not name HEAD $commit: $v"
libs=$(ldd "$BIN")
if grep -qiE 'libswift|libFoundation|libdispatch|libBlocksRuntime|lib_Foundation' <<<"$libs"; then
  bad "ldd lists a Swift runtime library: $(grep -iE 'swift|Foundation|dispatch' <<<"$libs" | tr '\n' ' ')"
else ok; fi
grep -q 'libc.so' <<<"$libs" && ok || bad "ldd output unexpected: $libs"
for f in share/bash-completion/completions/floe share/zsh/site-functions/_floe share/fish/vendor_completions.d/floe.fish share/man/man1/floe.1; do
  [ -s "$PREFIX/$f" ] && ok || bad "missing or empty: $f"
done
grep -q 'convert' "$PREFIX/share/bash-completion/completions/floe" && ok || bad "bash completion lacks subcommands"
grep -q '^#compdef floe' "$PREFIX/share/zsh/site-functions/_floe" && ok || bad "zsh completion header"
grep -q "complete -c 'floe'" "$PREFIX/share/fish/vendor_completions.d/floe.fish" && ok || bad "fish completion"
bash -n "$PREFIX/share/bash-completion/completions/floe" && ok || bad "bash completion is not valid bash"
if command -v man >/dev/null; then
  man -l "$PREFIX/share/man/man1/floe.1" 2>/dev/null | grep -q 'convert' && ok || bad "man page does not render"
else
  grep -q '^\.Dt FLOE 1' "$PREFIX/share/man/man1/floe.1" && ok || bad "man page header"
fi
# The installed binary works on real data.
"$BIN" head -n 1 "$ROOT/Tests/ParquetTests/TestVectors/parquet-testing/data/alltypes_plain.parquet" >/dev/null 2>&1 \
  && ok || bad "installed floe cannot read a file"
# The built-in schemas of validate come with it.
"$BIN" validate --builtin-schema list 2>&1 | grep -q 'github-workflow' && ok || bad "installed floe lists no built-in schemas"
[ -d "$PREFIX/bin/Floe_ConfigFormats.resources" ] && ok || bad "built-in schema bundle not installed"
echo "install: $pass passed, $fail failed"
[ "$fail" = 0 ]
