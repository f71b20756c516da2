#!/usr/bin/env python3
"""Iceberg interop with pyiceberg (PyPI), driven by Tests/IcebergTests/IcebergInteropTests.swift.

    iceberg_interop.py read-floe CATALOG_DB WAREHOUSE EXPECTED.jsonl
        pyiceberg's SqlCatalog (catalog name "floe") on the SQLite file Floe wrote loads db.events and checks:
        field ids and types of the schema, the hour(event_time) partition spec, the snapshot summaries
        (total-records, total-data-files, a parent chain), rows scanned equal EXPECTED as multisets, and a scan
        filtered on one hour plans only that hour's files.
    iceberg_interop.py write-py CATALOG_DB WAREHOUSE OUT.jsonl
        pyiceberg creates db.py_events (day(ts) partitions) in the same catalog, appends three batches, evolves
        the schema (adds `extra`, renames `label` to `title`), appends again, deletes one day partition, overwrites
        rows by a filter that cuts through files, and writes its own scan of the result to OUT.jsonl.
    CATALOG_DB is the SQLite file, or a postgresql:// URL of the PostgreSQL catalog (pyiceberg[sql-postgres]
    through psycopg2); the catalog name is "floe" or FLOE_CATALOG_NAME.
    iceberg_interop.py compare A.jsonl B.jsonl
        The two files hold the same rows as multisets.
    iceberg_interop.py scan CATALOG_DB WAREHOUSE TABLE OUT.jsonl
        pyiceberg's scan of db.TABLE into OUT.jsonl.

Rows are normalised to JSON: timestamps as microseconds since the epoch, dates as days, NaN as "NaN".
Prints one summary line; exits 1 with the reason on any mismatch.
"""
import datetime
import json
import math
import os
import sys
from collections import Counter

import pyarrow as pa
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.expressions import And, GreaterThanOrEqual, LessThan
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import DayTransform, HourTransform
from pyiceberg.types import (DateType, DoubleType, ListType, LongType, NestedField, StringType, StructType,
                             TimestamptzType)

HOUR0 = 1_767_225_600_000_000  # 2026-01-01T00:00:00Z in microseconds
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def fail(msg: str) -> None:
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def catalog(db: str, warehouse: str) -> SqlCatalog:
    name = os.environ.get("FLOE_CATALOG_NAME", "floe")
    if db.startswith(("postgresql://", "postgres://")):
        uri = "postgresql+psycopg2://" + db.split("://", 1)[1]
    else:
        uri = f"sqlite:///{db}"
    return SqlCatalog(name, uri=uri, warehouse=f"file://{warehouse}")


def norm(v):
    if isinstance(v, float):
        return "NaN" if math.isnan(v) else v
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=datetime.timezone.utc)
        d = v - EPOCH
        return (d.days * 86_400 + d.seconds) * 1_000_000 + d.microseconds
    if isinstance(v, datetime.date):
        return (v - datetime.date(1970, 1, 1)).days
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items()}
    if isinstance(v, list):
        return [norm(x) for x in v]
    return v


def rows_of(table: pa.Table) -> list:
    return [norm(r) for r in table.to_pylist()]


def key(row) -> str:
    return json.dumps(row, sort_keys=True)


def load_jsonl(path: str) -> list:
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def same_rows(a: list, b: list, what: str) -> None:
    ca, cb = Counter(map(key, a)), Counter(map(key, b))
    if ca != cb:
        only_a = list((ca - cb).elements())[:3]
        only_b = list((cb - ca).elements())[:3]
        fail(f"{what}: {len(a)} vs {len(b)} rows; only in first: {only_a}; only in second: {only_b}")


def read_floe(db: str, warehouse: str, expected_path: str) -> None:
    cat = catalog(db, warehouse)
    t = cat.load_table("db.events")
    fields = {f.name: (f.field_id, str(f.field_type), f.required) for f in t.schema().fields}
    want = {"id": (1, "long", True), "event_time": (2, "timestamptz", True), "name": (3, "string", False),
            "score": (4, "double", False)}
    for name, w in want.items():
        if fields.get(name) != w:
            fail(f"schema field {name}: pyiceberg sees {fields.get(name)}, Floe wrote {w}")
    tags = t.schema().find_field("tags").field_type
    if not isinstance(tags, ListType) or tags.element_id != 7:
        fail(f"tags: {tags}")
    if t.schema().find_field("where.city").field_id != 8:
        fail("where.city field id")
    spec = t.spec()
    if len(spec.fields) != 1 or spec.fields[0].source_id != 2 or not isinstance(spec.fields[0].transform, HourTransform) \
            or spec.fields[0].field_id != 1000 or spec.fields[0].name != "event_time_hour":
        fail(f"partition spec: {spec}")
    expected = load_jsonl(expected_path)
    snap = t.current_snapshot()
    summary = snap.summary
    if summary.operation.value != "append":
        fail(f"operation {summary.operation}")
    if int(summary["total-records"]) != len(expected):
        fail(f"total-records {summary['total-records']} != {len(expected)}")
    tasks = list(t.scan().plan_files())
    if int(summary["total-data-files"]) != len(tasks):
        fail(f"total-data-files {summary['total-data-files']} != {len(tasks)} planned files")
    chain, s = 0, snap
    while s is not None:
        chain += 1
        s = t.snapshot_by_id(s.parent_snapshot_id) if s.parent_snapshot_id is not None else None
    if chain != len(t.metadata.snapshots):
        fail(f"parent chain of {chain} for {len(t.metadata.snapshots)} snapshots")
    same_rows(rows_of(t.scan().to_arrow()), expected, "pyiceberg scan vs rows Floe wrote")
    # A filter on the partition source column plans only that hour's files.
    lo = datetime.datetime.fromtimestamp((HOUR0 + 3_600_000_000) / 1e6, tz=datetime.timezone.utc)
    hi = lo + datetime.timedelta(hours=1)
    flt = And(GreaterThanOrEqual("event_time", lo.isoformat()), LessThan("event_time", hi.isoformat()))
    hour_tasks = list(t.scan(row_filter=flt).plan_files())
    want_files = [task for task in tasks if "event_time_hour=2026-01-01-01" in task.file.file_path]
    if not want_files or sorted(x.file.file_path for x in hour_tasks) != sorted(x.file.file_path for x in want_files):
        fail(f"filtered scan planned {len(hour_tasks)} files, the hour has {len(want_files)}")
    hour_rows = rows_of(t.scan(row_filter=flt).to_arrow())
    same_rows(hour_rows, [r for r in expected if HOUR0 + 3_600_000_000 <= r["event_time"] < HOUR0 + 7_200_000_000],
              "filtered scan")
    # Column metrics are what pyiceberg's evaluators read: check one file's counts and bounds decode.
    f0 = tasks[0].file
    if f0.value_counts.get(1) != f0.record_count or f0.null_value_counts.get(1) != 0:
        fail(f"metrics of {f0.file_path}: value_counts {f0.value_counts} null {f0.null_value_counts}")
    print(json.dumps({"table": "db.events", "rows": len(expected), "files": len(tasks), "snapshots": chain,
                      "hour_files": len(hour_tasks), "total-records": summary["total-records"]}))


PY_SCHEMA = Schema(
    NestedField(1, "id", LongType(), required=True),
    NestedField(2, "ts", TimestamptzType(), required=False),
    NestedField(3, "label", StringType(), required=False),
    NestedField(4, "value", DoubleType(), required=False),
    NestedField(5, "point", StructType(NestedField(6, "x", LongType(), required=False),
                                       NestedField(7, "day", DateType(), required=False)), required=False),
)


def write_py(db: str, warehouse: str, out: str) -> None:
    cat = catalog(db, warehouse)
    try:
        cat.create_namespace("db")
    except Exception:
        pass
    spec = PartitionSpec(PartitionField(source_id=2, field_id=1000, transform=DayTransform(), name="ts_day"))
    t = cat.create_table("db.py_events", schema=PY_SCHEMA, partition_spec=spec)
    arrow_schema = t.schema().as_arrow()
    written = []
    for batch in range(3):
        rows = []
        for i in range(40):
            n = batch * 100 + i
            ts = EPOCH + datetime.timedelta(microseconds=HOUR0 + (i % 4) * 86_400_000_000 + n)
            rows.append({"id": n, "ts": None if i % 13 == 5 else ts, "label": None if i % 6 == 0 else f"p{n}ü",
                         "value": float("nan") if i % 9 == 0 else n / 4,
                         "point": None if i % 11 == 0 else {"x": n * 3, "day": datetime.date(2026, 1, 1 + i % 28)}})
        t.append(pa.Table.from_pylist(rows, schema=arrow_schema))
        written += rows
    # Schema evolution: add a column, rename one; then append under the new schema.
    with t.update_schema() as u:
        u.add_column("extra", StringType())
        u.rename_column("label", "title")
    arrow_schema = t.schema().as_arrow()
    rows = [{"id": 500 + i, "ts": EPOCH + datetime.timedelta(microseconds=HOUR0 + i * 3_600_000_000), "title": f"new{i}",
             "value": 1.5 * i, "point": {"x": i, "day": datetime.date(2026, 2, 1)}, "extra": None if i % 2 else f"e{i}"}
            for i in range(30)]
    t.append(pa.Table.from_pylist(rows, schema=arrow_schema))
    # Delete one day partition (whole files: a metadata-only delete), then overwrite rows of another day with
    # a filter that cuts through files (copy-on-write rewrite).
    day2 = EPOCH + datetime.timedelta(microseconds=HOUR0 + 2 * 86_400_000_000)
    t.delete(delete_filter=And(GreaterThanOrEqual("ts", day2.isoformat()),
                               LessThan("ts", (day2 + datetime.timedelta(days=1)).isoformat())))
    replacement = [{"id": 700 + i, "ts": EPOCH + datetime.timedelta(microseconds=HOUR0 + 3 * 86_400_000_000 + i),
                    "title": f"over{i}", "value": float(i), "point": None, "extra": "o"} for i in range(5)]
    t.overwrite(pa.Table.from_pylist(replacement, schema=t.schema().as_arrow()), overwrite_filter=LessThan("id", 110))
    t = cat.load_table("db.py_events")
    ops = [s.summary.operation.value for s in t.metadata.snapshots]
    for needed in ("append", "delete", "overwrite"):
        if needed not in ops:
            fail(f"pyiceberg made no {needed} snapshot: {ops}")
    scanned = rows_of(t.scan().to_arrow())
    if not any(r.get("extra") == "o" for r in scanned) or any("label" in r for r in scanned):
        fail("schema evolution or overwrite not visible in pyiceberg's own scan")
    with open(out, "w") as f:
        for r in scanned:
            f.write(json.dumps(r) + "\n")
    print(json.dumps({"table": "db.py_events", "appended": len(written) + 30, "rows": len(scanned),
                      "snapshots": len(t.metadata.snapshots), "operations": ops,
                      "files": len(list(t.scan().plan_files()))}))


def scan(db: str, warehouse: str, table: str, out: str) -> None:
    t = catalog(db, warehouse).load_table("db." + table)
    rows = rows_of(t.scan().to_arrow())
    with open(out, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    print(json.dumps({"table": "db." + table, "rows": len(rows)}))


def main() -> int:
    a = sys.argv[1:]
    if a[:1] == ["read-floe"] and len(a) == 4:
        read_floe(a[1], a[2], a[3])
    elif a[:1] == ["write-py"] and len(a) == 4:
        write_py(a[1], a[2], a[3])
    elif a[:1] == ["compare"] and len(a) == 3:
        x, y = load_jsonl(a[1]), load_jsonl(a[2])
        same_rows(x, y, f"{a[1]} vs {a[2]}")
        print(json.dumps({"rows": len(x)}))
    elif a[:1] == ["scan"] and len(a) == 5:
        scan(a[1], a[2], a[3], a[4])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
