#!/usr/bin/env python3
"""Avro interop with fastavro (PyPI), driven by Tests/IcebergTests/AvroInteropTests.swift.

    avro_interop.py roundtrip IN.avro OUT.avro CODEC

Reads IN.avro (written by Floe) with fastavro, checks the header (schema parses in fastavro, codec and user
metadata readable), then writes every record back with fastavro's writer under the same schema into OUT.avro with
CODEC, for Floe to read and compare with what it wrote. Prints one summary line; exits 1 on any problem.
"""
import json
import sys

import fastavro


def main() -> int:
    if len(sys.argv) != 5 or sys.argv[1] != "roundtrip":
        print(__doc__, file=sys.stderr)
        return 2
    src, dst, codec = sys.argv[2], sys.argv[3], sys.argv[4]
    with open(src, "rb") as f:
        reader = fastavro.reader(f)
        schema = reader.writer_schema
        meta = reader.metadata
        records = list(reader)
    parsed = fastavro.parse_schema(schema)
    bad = [i for i, r in enumerate(records) if not fastavro.validate(r, parsed, raise_errors=False)]
    if bad:
        print(f"FAIL: fastavro says records {bad[:5]} do not match the schema Floe wrote", file=sys.stderr)
        return 1
    with open(dst, "wb") as f:
        fastavro.writer(f, parsed, records, codec=codec, metadata={"roundtrip": "fastavro " + fastavro.__version__})
    print(json.dumps({"records": len(records), "codec": meta.get("avro.codec", "null"),
                      "floe": meta.get("floe"), "fastavro": fastavro.__version__}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
