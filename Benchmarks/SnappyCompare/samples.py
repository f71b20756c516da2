#!/usr/bin/env python3
"""Writes PLAIN page buffers of 20 000 values from the events file to OUTDIR (default /tmp/snappy-samples):
BYTE_ARRAY columns as 4-byte little-endian length + bytes, INT64/DOUBLE/INT32 as little-endian values, plus
256 KiB of random bytes. Needs pyarrow and numpy (~/.cache/floe-bench-venv/bin/python).
Usage: samples.py [EVENTS_PARQUET [OUTDIR]]"""
import os, struct, sys
import numpy as np
import pyarrow.parquet as pq

src = sys.argv[1] if len(sys.argv) > 1 else '/tmp/events.duckdb.parquet'
outdir = sys.argv[2] if len(sys.argv) > 2 else '/tmp/snappy-samples'
N = 20000
os.makedirs(outdir, exist_ok=True)
t = pq.read_table(src, columns=['id', 'text', 'session_id', 'score', 'coordinates', 'event_time_ms', 'event_type',
                                'lang', 'location', 'device', 'user', 'retweet_count'])

def byte_array(values):
    out = bytearray()
    for v in [v for v in values if v is not None][:N]:
        b = v.encode()
        out += struct.pack('<I', len(b)) + b
    return bytes(out)

def fixed(values, dtype):
    return np.array([v for v in values if v is not None][:N], dtype=dtype).tobytes()

col = lambda c: t.column(c).to_pylist()[:N + 5000]
users = col('user')
samples = {
    'id': byte_array(col('id')), 'text': byte_array(col('text')), 'session_id': byte_array(col('session_id')),
    'event_type': byte_array(col('event_type')), 'lang': byte_array(col('lang')),
    'location': byte_array(col('location')), 'device': byte_array(col('device')),
    'screen_name': byte_array([u['screen_name'] if u else None for u in users]),
    'score': fixed(col('score'), '<f8'),
    'lat': fixed([c['lat'] if c else None for c in col('coordinates')], '<f8'),
    'event_time_ms': fixed(col('event_time_ms'), '<i8'),
    'followers': fixed([u['followers_count'] if u and u['followers_count'] is not None else 0 for u in users], '<i8'),
    'retweet_i32': fixed([v or 0 for v in col('retweet_count')], '<i4'),
    'random': np.random.default_rng(42).bytes(256 * 1024),
}
for name, data in samples.items():
    with open(os.path.join(outdir, name + '.bin'), 'wb') as f:
        f.write(data)
    print(f'{name:14s} {len(data):8d} bytes')
