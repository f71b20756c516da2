#!/usr/bin/env python3
"""For every SAMPLE_DIR/*.bin with a SnappyEncoder output *.bin.sz next to it (written by
`.build/release/snappy-compare mine 1 SAMPLE_DIR/*.bin`): prints the compressed sizes of SnappyEncoder, the system
libsnappy (ctypes, libsnappy.so.1) and pyarrow's bundled snappy, and checks that pyarrow, cramjam (Rust `snap`)
and DuckDB decode SnappyEncoder's bytes. For DuckDB the bytes become the one SNAPPY data page of a hand-built
Parquet file (REQUIRED column, PLAIN) which DuckDB and pyarrow.parquet then read.
Usage: check.py [SAMPLE_DIR]   (with ~/.cache/floe-bench-venv/bin/python: pyarrow, duckdb, cramjam)"""
import ctypes, glob, os, struct, sys
import pyarrow as pa
import pyarrow.parquet as pq

try:
    import cramjam
except ImportError:
    cramjam = None
try:
    import duckdb
except ImportError:
    duckdb = None

libsnappy = ctypes.CDLL('libsnappy.so.1')

def lib_compress(buf):
    n = libsnappy.snappy_max_compressed_length(ctypes.c_size_t(len(buf)))
    out = ctypes.create_string_buffer(n)
    ol = ctypes.c_size_t(n)
    assert libsnappy.snappy_compress(buf, ctypes.c_size_t(len(buf)), out, ctypes.byref(ol)) == 0
    return out.raw[:ol.value]

# ---- minimal Thrift compact protocol writer, enough for a one-page Parquet file
def uvarint(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)

def zigzag(n):
    return uvarint((n << 1) ^ (n >> 63))

class Compact:
    def __init__(self):
        self.b = bytearray()
        self.last = [0]
    def field(self, fid, t):
        d = fid - self.last[-1]
        if 0 < d <= 15:
            self.b.append((d << 4) | t)
        else:
            self.b.append(t)
            self.b += zigzag(fid)
        self.last[-1] = fid
    def i32(self, fid, v): self.field(fid, 5); self.b += zigzag(v)
    def i64(self, fid, v): self.field(fid, 6); self.b += zigzag(v)
    def binary(self, fid, v): self.field(fid, 8); self.b += uvarint(len(v)) + v
    def struct(self, fid): self.field(fid, 12); self.last.append(0)
    def list(self, fid, elem_type, n): self.field(fid, 9); self.b.append((n << 4) | elem_type)
    def elem(self): self.last.append(0)           # a struct inside a list
    def end(self): self.b.append(0); self.last.pop()

def one_page_parquet(raw, compressed, num_values, physical_type):
    ph = Compact()
    ph.i32(1, 0); ph.i32(2, len(raw)); ph.i32(3, len(compressed))           # DATA_PAGE, sizes
    ph.struct(5); ph.i32(1, num_values); ph.i32(2, 0); ph.i32(3, 3); ph.i32(4, 3); ph.end()  # PLAIN, RLE levels
    ph.b.append(0)
    chunk = bytes(ph.b) + compressed
    fm = Compact()
    fm.i32(1, 1)
    fm.list(2, 12, 2)
    fm.elem(); fm.binary(4, b'schema'); fm.i32(5, 1); fm.end()
    fm.elem(); fm.i32(1, physical_type); fm.i32(3, 0); fm.binary(4, b'v'); fm.end()   # REQUIRED
    fm.i64(3, num_values)
    fm.list(4, 12, 1); fm.elem()
    fm.list(1, 12, 1); fm.elem(); fm.i64(2, 4); fm.struct(3)
    fm.i32(1, physical_type); fm.list(2, 5, 1); fm.b += zigzag(0)
    fm.list(3, 8, 1); fm.b += uvarint(1) + b'v'; fm.i32(4, 1)                # codec SNAPPY
    fm.i64(5, num_values); fm.i64(6, len(ph.b) + len(raw)); fm.i64(7, len(chunk)); fm.i64(9, 4)
    fm.end(); fm.end()
    fm.i64(2, len(raw)); fm.i64(3, num_values); fm.end()
    fm.b.append(0)
    footer = bytes(fm.b)
    return b'PAR1' + chunk + footer + struct.pack('<I', len(footer)) + b'PAR1'

FIXED = {'score': (5, '<d'), 'lat': (5, '<d'), 'event_time_ms': (2, '<q'), 'followers': (2, '<q'),
         'retweet_i32': (1, '<i')}

def duckdb_check(name, raw, compressed, path):
    if name in FIXED:
        ptype, fmt = FIXED[name]
        values = [v[0] for v in struct.iter_unpack(fmt, raw)]
    else:
        ptype, values, i = 6, [], 0
        while i + 4 <= len(raw):
            n = struct.unpack_from('<I', raw, i)[0]
            if i + 4 + n > len(raw):
                return 'n/a'
            values.append(raw[i + 4:i + 4 + n])
            i += 4 + n
        if i != len(raw):
            return 'n/a'                       # not a PLAIN BYTE_ARRAY page (random bytes)
    with open(path, 'wb') as f:
        f.write(one_page_parquet(raw, compressed, len(values), ptype))
    rows = duckdb.connect().execute(
        f"select v from read_parquet('{path}', file_row_number=true) order by file_row_number").fetchall()
    got = [bytes(r[0]) if ptype == 6 else r[0] for r in rows]
    ok = got == values and pq.read_table(path).num_rows == len(values)
    os.remove(path)
    return 'ok' if ok else 'FAIL'

sample_dir = sys.argv[1] if len(sys.argv) > 1 else '/tmp/snappy-samples'
print(f"{'sample':16s} {'bytes':>9s} {'Swift':>17s} {'libsnappy 1.1.9':>17s} {'pyarrow':>17s}  decoded by")
for path in sorted(glob.glob(os.path.join(sample_dir, '*.bin'))):
    name = os.path.basename(path)[:-4]
    raw = open(path, 'rb').read()
    mine = open(path + '.sz', 'rb').read()
    lib, arrow = len(lib_compress(raw)), len(pa.compress(raw, 'snappy', asbytes=True))
    checks = ['pyarrow ' + ('ok' if pa.decompress(mine, len(raw), 'snappy', asbytes=True) == raw else 'FAIL')]
    if cramjam:
        checks.append('cramjam ' + ('ok' if bytes(cramjam.snappy.decompress_raw(mine)) == raw else 'FAIL'))
    if duckdb:
        checks.append('duckdb ' + duckdb_check(name, raw, mine, path + '.parquet'))
    cell = lambda n: f"{n:9d} ({n / len(raw):.4f})"
    print(f"{name:16s} {len(raw):9d} {cell(len(mine))} {cell(lib)} {cell(arrow)}  {', '.join(checks)}")
