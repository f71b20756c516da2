"""Shared helpers of the Iceberg delivery tests (iceberg_convert_crash.py, iceberg_concurrency.py): a warehouse with
an Iceberg table made by floe, its SQL catalog opened with pyiceberg's SqlCatalog."""
import json, os, re, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# The events generator: the copy in Tests/Interop/TestVectors/bench (SOURCE there); FLOE_SHARED_BENCH=DIR runs
# DIR/gen_events.py instead. pyarrow's reference conversion: Tests/Support/hive_arrow.py.
BENCH = os.environ.get("FLOE_SHARED_BENCH", os.path.join(ROOT, "Tests", "Interop", "TestVectors", "bench"))
sys.path.insert(0, os.path.join(ROOT, "Tests", "Support"))
COLUMNS = os.path.join(ROOT, "Tests", "FirehoseTests", "TestVectors", "events.columns.json")
SCHEMA = os.path.join(ROOT, "Tests", "FirehoseTests", "TestVectors", "events.schema.json")


def iceberg_type(t, next_id):
    """A pyiceberg type for a Hive type string (the types the events columns use, and map / decimal)."""
    from pyiceberg import types as T
    t = t.strip()
    low = t.lower()
    prim = {"string": T.StringType(), "int": T.IntegerType(), "tinyint": T.IntegerType(), "smallint": T.IntegerType(),
            "bigint": T.LongType(), "double": T.DoubleType(), "float": T.FloatType(), "boolean": T.BooleanType(),
            "date": T.DateType(), "timestamp": T.TimestamptzType(), "binary": T.BinaryType()}
    if low in prim:
        return prim[low]
    if low.startswith("varchar") or low.startswith("char"):
        return T.StringType()
    m = re.fullmatch(r"decimal\((\d+),\s*(\d+)\)", low)
    if m:
        return T.DecimalType(int(m.group(1)), int(m.group(2)))

    def split(body):
        out, depth, cur = [], 0, ""
        for ch in body:
            if ch == "<" or ch == "(":
                depth += 1
            elif ch == ">" or ch == ")":
                depth -= 1
            if ch == "," and depth == 0:
                out.append(cur)
                cur = ""
            else:
                cur += ch
        out.append(cur)
        return out
    if low.startswith("array<"):
        eid = next_id()
        return T.ListType(eid, iceberg_type(t[6:-1], next_id), element_required=False)
    if low.startswith("map<"):
        k, v = split(t[4:-1])
        kid, vid = next_id(), next_id()
        return T.MapType(kid, iceberg_type(k, next_id), vid, iceberg_type(v, next_id), value_required=False)
    if low.startswith("struct<"):
        fields = []
        for part in split(t[7:-1]):
            name, typ = part.split(":", 1)
            fid = next_id()
            fields.append(T.NestedField(fid, name.strip().lower(), iceberg_type(typ, next_id), required=False))
        return T.StructType(*fields)
    raise ValueError(f"unsupported Hive type {t}")


def iceberg_schema(columns_path):
    from pyiceberg.schema import Schema
    from pyiceberg.types import NestedField
    cols = json.load(open(columns_path))
    counter = [len(cols)]

    def next_id():
        counter[0] += 1
        return counter[0]
    fields = [NestedField(i + 1, c["name"].lower(), iceberg_type(c["type"], next_id), required=False) for i, c in enumerate(cols)]
    return Schema(*fields)


def catalog(warehouse, url=None):
    from pyiceberg.catalog.sql import SqlCatalog
    wh = os.path.realpath(warehouse)
    uri = url.replace("postgresql://", "postgresql+psycopg2://", 1) if url else f"sqlite:///{wh}/iceberg-catalog.db"
    return SqlCatalog("floe", uri=uri, warehouse=f"file://{wh}")


def make_table(floe, warehouse, name, database="db", url=None, properties=None, partition_spec=None):
    """`floe warehouse init` (once) and `floe table create NAME --format iceberg`; the table is then created in the
    SQL catalog with pyiceberg if floe did not (the same schema floe derives from the columns)."""
    if not os.path.exists(os.path.join(warehouse, "floe-catalog.json")):
        subprocess.run([floe, "warehouse", "init", warehouse, "--name", database], check=True, stdout=subprocess.DEVNULL)
    base = [floe, "table", "create", name, "--warehouse", warehouse, "--columns", COLUMNS, "--format", "iceberg"]
    if partition_spec:
        base += ["--partition-spec", partition_spec]
    if url:
        r = subprocess.run(base + ["--catalog", url], capture_output=True)
        if r.returncode != 0:
            r = subprocess.run(base + ["--property", f"iceberg.catalog={url}"], capture_output=True)
    else:
        r = subprocess.run(base, capture_output=True)
    if r.returncode != 0:
        raise RuntimeError(f"floe table create: {r.stderr.decode()}")
    cat = catalog(warehouse, url)
    ns = (database,)
    try:
        cat.create_namespace(ns)
    except Exception:
        pass
    ident = (database, name)
    try:
        tbl = cat.load_table(ident)
    except Exception:
        tbl = cat.create_table(ident, iceberg_schema(COLUMNS), location=os.path.join(os.path.realpath(warehouse), name))
    if properties:
        with tbl.transaction() as tx:
            tx.set_properties(**properties)
    return cat, ident
