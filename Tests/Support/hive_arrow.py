"""Hive column types (the `type` of each entry in a columns file) as pyarrow types, and pyarrow's own conversion of
NDJSON lines with those columns: the reference the interop checks compare floe's output with.

    import hive_arrow
    schema = hive_arrow.schema_of(COLUMNS)               # pyarrow schema, column order as in the file
    table = hive_arrow.reference_table(good.ndjson, COLUMNS)

Types follow Hive's DDL grammar: primitives (string, varchar(n), char(n), tinyint … bigint, float, double, boolean,
timestamp, date, binary, decimal(p[,s])) and array<T>, map<K,V>, struct<name:T,…>, nested freely. A timestamp is
microseconds in UTC, as floe writes it.
"""
import json
import re

_TOKEN = re.compile(r"\s*(?:([<>,:])|([A-Za-z_][A-Za-z0-9_]*)(\(\s*\d+\s*(?:,\s*\d+\s*)?\))?)")


def _tokens(text):
    out, i = [], 0
    text = text.strip()
    while i < len(text):
        m = _TOKEN.match(text, i)
        if not m or m.end() == i:
            raise ValueError(f"hive type {text!r}: cannot read at offset {i}")
        out.append(m.group(1) or (m.group(2), (m.group(3) or "").replace(" ", "")))
        i = m.end()
    return out


def arrow_type(text):
    """The pyarrow type of one Hive type string."""
    import pyarrow as pa
    toks = _tokens(text)
    at = [0]

    def expect(sym):
        if at[0] >= len(toks) or toks[at[0]] != sym:
            raise ValueError(f"hive type {text!r}: expected {sym!r}")
        at[0] += 1

    def one():
        if at[0] >= len(toks) or isinstance(toks[at[0]], str):
            raise ValueError(f"hive type {text!r}: expected a type name")
        name, args = toks[at[0]]
        name = name.lower()
        at[0] += 1
        if name == "array":
            expect("<"); item = one(); expect(">")
            return pa.list_(item)
        if name == "map":
            expect("<"); key = one(); expect(","); value = one(); expect(">")
            return pa.map_(key, value)
        if name == "struct":
            expect("<")
            fields = []
            while True:
                if at[0] >= len(toks) or isinstance(toks[at[0]], str):
                    raise ValueError(f"hive type {text!r}: expected a field name")
                field = toks[at[0]][0]  # a field name keeps its spelling
                at[0] += 1
                expect(":")
                fields.append((field, one()))
                if at[0] < len(toks) and toks[at[0]] == ",":
                    at[0] += 1
                    continue
                expect(">")
                return pa.struct([pa.field(n, t) for n, t in fields])
        if name == "decimal":
            nums = [int(x) for x in re.findall(r"\d+", args)] or [10, 0]
            return pa.decimal128(nums[0], nums[1] if len(nums) > 1 else 0)
        simple = {"string": pa.string(), "varchar": pa.string(), "char": pa.string(), "tinyint": pa.int8(),
                  "smallint": pa.int16(), "int": pa.int32(), "integer": pa.int32(), "bigint": pa.int64(),
                  "float": pa.float32(), "double": pa.float64(), "boolean": pa.bool_(),
                  "timestamp": pa.timestamp("us", tz="UTC"), "date": pa.date32(), "binary": pa.binary()}
        if name not in simple:
            raise ValueError(f"hive type {text!r}: unknown type {name!r}")
        return simple[name]

    t = one()
    if at[0] != len(toks):
        raise ValueError(f"hive type {text!r}: trailing text")
    return t


def schema_of(columns_path):
    """The pyarrow schema of a columns file (a JSON array of {"name", "type"})."""
    import pyarrow as pa
    return pa.schema([pa.field(c["name"], arrow_type(c["type"])) for c in json.load(open(columns_path))])


def reference_table(ndjson_path, columns_path):
    """pyarrow's conversion of NDJSON lines to the columns (other keys ignored)."""
    import pyarrow.json as pj
    schema = schema_of(columns_path)
    table = pj.read_json(ndjson_path, read_options=pj.ReadOptions(block_size=16 << 20),
                         parse_options=pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore"))
    return table.select(schema.names)
