"""Helpers shared by the interop scripts in this folder (each runs as `python3 Tests/Interop/NAME.py`, so this
module is importable by name).

- `same(a, b)`: value equality for rows read back by pyarrow and friends, NaN equal to NaN, recursing through
  lists, tuples and dicts (key order matters, as it does in a row).
- `Tally`: pass/fail counting with one "FAIL: …" line per failed check and the closing "N passed, N failed" line.
"""
import math
import sys


def same(a, b):
    """Value equality, NaN equal to NaN, recursing through lists, tuples and dicts."""
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a.keys()) == list(b.keys()) and all(same(a[k], b[k]) for k in a)
    return type(a) == type(b) and a == b


class Tally:
    """Counts checks; `finish()` prints "N passed, N failed" and exits 1 when any failed."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL:", what, flush=True)

    def finish(self):
        print(f"{self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)
