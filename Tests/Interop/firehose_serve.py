#!/usr/bin/env python3
"""floe serve through real clients (issue 16, done-when 1 and 2): boto3 and the AWS CLI v1 against the server on
a loopback port.

usage: firehose_serve.py FLOE [--records N] [--producers P]

1. Lifecycle: create (with and without conversion), describe (every field and default), list with paging,
   update destination (version ids, ConcurrentModificationException), tags, delete; each misuse's error code.
2. Delivery: N generated events (gen_events.py; the malformed, truncated and invalid-UTF-8 lines are the bad ~3%)
   sent by P concurrent boto3 producers in PutRecordBatch calls of 1-500 records (retrying refused records),
   plus one `aws firehose put-record`, into a streaming warehouse table. After SIGTERM: the Parquet rows equal,
   as a multiset, pyarrow's conversion of the good lines; every bad line is in the error output with rawData
   byte-exact; DuckDB reads <prefix>**/*.parquet; `floe partitions list` shows every hour holding a file; the
   DDL's DuckDB view returns every good record.
"""
import argparse, base64, collections, glob, json, os, random, subprocess, sys, tempfile, threading, time, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# The events generator: the copy in Tests/Interop/TestVectors/bench (SOURCE there); FLOE_SHARED_BENCH=DIR runs
# DIR/gen_events.py instead. pyarrow's reference conversion: Tests/Support/hive_arrow.py.
BENCH = os.environ.get("FLOE_SHARED_BENCH", os.path.join(ROOT, "Tests", "Interop", "TestVectors", "bench"))
sys.path.insert(0, os.path.join(ROOT, "Tests", "Support"))
COLUMNS = os.path.join(ROOT, "Tests", "FirehoseTests", "TestVectors", "events.columns.json")
sys.path.insert(0, HERE)
from serve_support import Server  # noqa: E402

ROLE = "arn:aws:iam::000000000000:role/firehose"
fails = []


def check(cond, what):
    if not cond:
        fails.append(what)
    return cond


def client(url, attempts=10):
    """botocore's standard retry mode; the lifecycle checks use one attempt (it retries LimitExceededException)."""
    import boto3, botocore.config
    return boto3.client("firehose", endpoint_url=url, region_name="eu-west-1", aws_access_key_id="AKIDFLOETEST",
                        aws_secret_access_key="secret",
                        config=botocore.config.Config(retries={"mode": "standard", "max_attempts": attempts}))


def error_code(fn, *a, **k):
    from botocore.exceptions import ClientError
    try:
        fn(*a, **k)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    return None, 200


def conversion(table="events", db="analytics"):
    return {"SchemaConfiguration": {"DatabaseName": db, "TableName": table, "RoleARN": ROLE},
            "InputFormatConfiguration": {"Deserializer": {"OpenXJsonSerDe": {}}},
            "OutputFormatConfiguration": {"Serializer": {"ParquetSerDe": {}}}}


def lifecycle(fh, url):
    raw = {"RoleARN": ROLE, "BucketARN": "arn:aws:s3:::raw-bucket"}
    arn = fh.create_delivery_stream(DeliveryStreamName="plain", ExtendedS3DestinationConfiguration=raw,
                                    Tags=[{"Key": "team", "Value": "data"}])["DeliveryStreamARN"]
    check(arn == "arn:aws:firehose:eu-west-1:000000000000:deliverystream/plain", f"ARN {arn}")
    d = fh.describe_delivery_stream(DeliveryStreamName="plain")["DeliveryStreamDescription"]
    check(d["DeliveryStreamStatus"] == "ACTIVE" and d["DeliveryStreamType"] == "DirectPut" and d["VersionId"] == "1",
          f"describe: status/type/version {d['DeliveryStreamStatus']} {d['DeliveryStreamType']} {d['VersionId']}")
    check(d["DeliveryStreamEncryptionConfiguration"] == {"Status": "DISABLED"}, "describe: encryption")
    check(d["HasMoreDestinations"] is False and len(d["Destinations"]) == 1, "describe: one destination")
    dest = d["Destinations"][0]
    check(dest["DestinationId"] == "destinationId-000000000001", f"destination id {dest['DestinationId']}")
    ext = dest["ExtendedS3DestinationDescription"]
    want = {"RoleARN": ROLE, "BucketARN": "arn:aws:s3:::raw-bucket", "BufferingHints": {"SizeInMBs": 5, "IntervalInSeconds": 300},
            "CompressionFormat": "UNCOMPRESSED", "EncryptionConfiguration": {"NoEncryptionConfig": "NoEncryption"},
            "CloudWatchLoggingOptions": {"Enabled": False}, "S3BackupMode": "Disabled"}
    for k, v in want.items():
        check(ext.get(k) == v, f"describe default {k}: {ext.get(k)!r} want {v!r}")
    check("S3DestinationDescription" in dest and dest["S3DestinationDescription"]["BufferingHints"] == want["BufferingHints"],
          "describe: S3DestinationDescription")
    check(hasattr(d["CreateTimestamp"], "year"), "CreateTimestamp is a timestamp")
    # with conversion: SizeInMBs defaults to 128
    fh.create_delivery_stream(DeliveryStreamName="converted", ExtendedS3DestinationConfiguration={
        "RoleARN": ROLE, "BucketARN": "arn:aws:s3:::analytics", "Prefix": "events/",
        "ErrorOutputPrefix": "errors/", "DataFormatConversionConfiguration": conversion()})
    ce = fh.describe_delivery_stream(DeliveryStreamName="converted")["DeliveryStreamDescription"]["Destinations"][0]["ExtendedS3DestinationDescription"]
    check(ce["BufferingHints"] == {"SizeInMBs": 128, "IntervalInSeconds": 300}, f"conversion default hints {ce['BufferingHints']}")
    sc = ce["DataFormatConversionConfiguration"]["SchemaConfiguration"]
    check(ce["DataFormatConversionConfiguration"]["Enabled"] is True and sc["VersionId"] == "LATEST"
          and sc["Region"] == "eu-west-1", f"conversion defaults {ce['DataFormatConversionConfiguration']}")
    # misuse
    codes = {
        "duplicate": error_code(fh.create_delivery_stream, DeliveryStreamName="plain", ExtendedS3DestinationConfiguration=raw),
        "bad name": error_code(fh.create_delivery_stream, DeliveryStreamName="bad name!", ExtendedS3DestinationConfiguration=raw),
        "no destination": error_code(fh.create_delivery_stream, DeliveryStreamName="nodest"),
        "conversion+GZIP": error_code(fh.create_delivery_stream, DeliveryStreamName="c2", ExtendedS3DestinationConfiguration={
            "RoleARN": ROLE, "BucketARN": "arn:aws:s3:::analytics", "CompressionFormat": "GZIP",
            "DataFormatConversionConfiguration": conversion()}),
        "conversion+5MB": error_code(fh.create_delivery_stream, DeliveryStreamName="c3", ExtendedS3DestinationConfiguration={
            "RoleARN": ROLE, "BucketARN": "arn:aws:s3:::analytics", "BufferingHints": {"SizeInMBs": 5, "IntervalInSeconds": 60},
            "DataFormatConversionConfiguration": conversion()}),
        "unknown table": error_code(fh.create_delivery_stream, DeliveryStreamName="c4", ExtendedS3DestinationConfiguration={
            "RoleARN": ROLE, "BucketARN": "arn:aws:s3:::analytics", "DataFormatConversionConfiguration": conversion("nosuch")}),
        "describe missing": error_code(fh.describe_delivery_stream, DeliveryStreamName="missing"),
        "delete missing": error_code(fh.delete_delivery_stream, DeliveryStreamName="missing"),
        "put missing": error_code(fh.put_record, DeliveryStreamName="missing", Record={"Data": b"x"}),
        "501 records": error_code(fh.put_record_batch, DeliveryStreamName="plain", Records=[{"Data": b"x"}] * 501),
        "record over 1000 KiB": error_code(fh.put_record_batch, DeliveryStreamName="plain", Records=[{"Data": b"x" * 1_024_001}]),
        "call over 4 MiB": error_code(fh.put_record_batch, DeliveryStreamName="plain", Records=[{"Data": b"x" * 1_000_000}] * 5),
        "51 tags": error_code(fh.tag_delivery_stream, DeliveryStreamName="plain",
                              Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)]),
    }
    want_codes = {"duplicate": "ResourceInUseException", "bad name": "ValidationException",
                  "no destination": "InvalidArgumentException", "conversion+GZIP": "InvalidArgumentException",
                  "conversion+5MB": "InvalidArgumentException", "unknown table": "InvalidArgumentException",
                  "describe missing": "ResourceNotFoundException", "delete missing": "ResourceNotFoundException",
                  "put missing": "ResourceNotFoundException", "501 records": "ValidationException",
                  "record over 1000 KiB": "ValidationException", "call over 4 MiB": "ValidationException",
                  "51 tags": "LimitExceededException"}
    for k, w in want_codes.items():
        check(codes[k][0] == w and codes[k][1] == 400, f"{k}: got {codes[k]}, want {w} (HTTP 400)")
    # unknown operation, raw request: body and headers as AWS answers them
    req = urllib.request.Request(url + "/", data=b"{}", method="POST", headers={
        "X-Amz-Target": "Firehose_20150804.Frobnicate", "Content-Type": "application/x-amz-json-1.1"})
    try:
        urllib.request.urlopen(req)
        check(False, "unknown operation answered 200")
    except urllib.error.HTTPError as e:
        body = e.read()
        check(e.code == 400 and e.headers["x-amzn-ErrorType"] == "UnknownOperationException" and e.headers["x-amzn-RequestId"]
              and json.loads(body)["__type"] == "UnknownOperationException", f"unknown operation: {e.code} {body!r}")
    # list with paging
    for n in ["b-stream", "a-stream", "c-stream"]:
        fh.create_delivery_stream(DeliveryStreamName=n, ExtendedS3DestinationConfiguration=raw)
    names, start = [], None
    while True:
        kw = {"Limit": 2}
        if start:
            kw["ExclusiveStartDeliveryStreamName"] = start
        page = fh.list_delivery_streams(**kw)
        check(len(page["DeliveryStreamNames"]) <= 2, "page longer than Limit")
        names += page["DeliveryStreamNames"]
        if not page["HasMoreDeliveryStreams"]:
            break
        start = page["DeliveryStreamNames"][-1]
    check(names == ["a-stream", "b-stream", "c-stream", "converted", "plain"], f"paged list {names}")
    check(fh.list_delivery_streams()["DeliveryStreamNames"] == names, "default Limit 10 lists all five")
    # update destination
    up = error_code(fh.update_destination, DeliveryStreamName="plain", CurrentDeliveryStreamVersionId="7",
                    DestinationId="destinationId-000000000001", ExtendedS3DestinationUpdate={"Prefix": "x/"})
    check(up[0] == "ConcurrentModificationException", f"stale version: {up}")
    fh.update_destination(DeliveryStreamName="plain", CurrentDeliveryStreamVersionId="1",
                          DestinationId="destinationId-000000000001",
                          ExtendedS3DestinationUpdate={"Prefix": "logs/", "BufferingHints": {"IntervalInSeconds": 60},
                                                       "CompressionFormat": "GZIP"})
    d = fh.describe_delivery_stream(DeliveryStreamName="plain")["DeliveryStreamDescription"]
    e2 = d["Destinations"][0]["ExtendedS3DestinationDescription"]
    check(d["VersionId"] == "2" and "LastUpdateTimestamp" in d, f"version after update {d['VersionId']}")
    check(e2["Prefix"] == "logs/" and e2["BufferingHints"] == {"SizeInMBs": 5, "IntervalInSeconds": 60}
          and e2["CompressionFormat"] == "GZIP", f"merged update {e2}")
    # tags
    fh.tag_delivery_stream(DeliveryStreamName="plain", Tags=[{"Key": "env", "Value": "test"}, {"Key": "team", "Value": "core"}])
    t = fh.list_tags_for_delivery_stream(DeliveryStreamName="plain")
    check(t["Tags"] == [{"Key": "team", "Value": "core"}, {"Key": "env", "Value": "test"}] and t["HasMoreTags"] is False, f"tags {t['Tags']}")
    t1 = fh.list_tags_for_delivery_stream(DeliveryStreamName="plain", Limit=1)
    check(t1["Tags"] == [{"Key": "team", "Value": "core"}] and t1["HasMoreTags"] is True, f"tag paging {t1}")
    fh.untag_delivery_stream(DeliveryStreamName="plain", TagKeys=["team"])
    check(fh.list_tags_for_delivery_stream(DeliveryStreamName="plain")["Tags"] == [{"Key": "env", "Value": "test"}], "untag")
    # delete
    for n in ["a-stream", "b-stream", "c-stream", "converted"]:
        fh.delete_delivery_stream(DeliveryStreamName=n)
    check(fh.list_delivery_streams()["DeliveryStreamNames"] == ["plain"], "list after delete")
    # compact JSON: some clients match "FailedPutCount":0 literally
    body = json.dumps({"DeliveryStreamName": "plain", "Records": [{"Data": base64.b64encode(b"hi\n").decode()}]}).encode()
    req = urllib.request.Request(url + "/", data=body, method="POST", headers={
        "X-Amz-Target": "Firehose_20150804.PutRecordBatch", "Content-Type": "application/x-amz-json-1.1"})
    with urllib.request.urlopen(req) as r:
        check(b'"FailedPutCount":0' in r.read(), "compact JSON FailedPutCount")


def arrow_schema():
    import hive_arrow
    import pyarrow as pa
    return hive_arrow.schema_of(COLUMNS)


def produce(url, batches, sent_ok, lock, stats):
    fh = client(url)
    for batch in batches:
        pending = batch
        for attempt in range(50):
            r = fh.put_record_batch(DeliveryStreamName="events", Records=[{"Data": d} for d in pending])
            stats["calls"] += 1
            retry = [d for d, rr in zip(pending, r["RequestResponses"]) if "ErrorCode" in rr]
            with lock:
                sent_ok.extend(d for d, rr in zip(pending, r["RequestResponses"]) if "RecordId" in rr)
            if not retry:
                break
            pending = retry
            time.sleep(0.05 * (attempt + 1))
        else:
            fails.append("records still refused after 50 attempts")


def delivery(floe, tmp, records, producers):
    import pyarrow as pa, pyarrow.json as pj, pyarrow.parquet as pq, duckdb
    wh = os.path.join(tmp, "wh")
    subprocess.run([floe, "warehouse", "init", wh, "--name", "analytics"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([floe, "table", "create", "events", "--warehouse", wh, "--columns", COLUMNS, "--partition-key",
                    "inserted_at"], check=True, stdout=subprocess.DEVNULL)
    inp, idx = os.path.join(tmp, "events.ndjson"), os.path.join(tmp, "bad.tsv")
    subprocess.run([sys.executable, os.path.join(BENCH, "gen_events.py"), "--records", str(records), "--bad-fraction",
                    "0.05", "--bad-index", idx, "-o", inp], check=True, stderr=subprocess.DEVNULL)
    lines = open(inp, "rb").read().split(b"\n")[:-1]
    kinds = {int(l.split("\t")[0]): l.split("\t")[1].strip() for l in open(idx)}
    # wrong-type records are valid JSON the OpenX SerDe may coerce; the bad records of this check are the ones no
    # JSON reader accepts (malformed, truncated, invalid UTF-8), missing-required ones are good (nulls)
    bad_kinds = {"malformed_json", "truncated", "invalid_utf8"}
    recs = [l + b"\n" for i, l in enumerate(lines, 1) if kinds.get(i) != "wrong_type"]
    bad = [l + b"\n" for i, l in enumerate(lines, 1) if kinds.get(i) in bad_kinds]
    bad_set = set(bad)
    good = [r for r in recs if r not in bad_set]
    server = Server(floe, wh)
    server.start()
    try:
        fh = client(server.url)
        fh.create_delivery_stream(DeliveryStreamName="events", ExtendedS3DestinationConfiguration={
            "RoleARN": ROLE, "BucketARN": "arn:aws:s3:::analytics", "Prefix": "events/",
            "ErrorOutputPrefix": "errors/events/!{firehose:error-output-type}/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/!{timestamp:HH}/",
            "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 5}, "DataFormatConversionConfiguration": conversion()})
        rnd = random.Random(16)
        order = recs[:]
        rnd.shuffle(order)
        batches, i = [], 0
        while i < len(order):
            n = rnd.randint(1, 500)
            batches.append(order[i:i + n])
            i += n
        per = [batches[k::producers] for k in range(producers)]
        sent_ok, lock, stats = [], threading.Lock(), {"calls": 0}
        t0 = time.time()
        threads = [threading.Thread(target=produce, args=(server.url, p, sent_ok, lock, stats)) for p in per]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.time() - t0
        # the AWS CLI (v1) lands too
        cli_rec = {"id": "from-the-aws-cli", "event_type": "click", "retweet_count": 7}
        env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDFLOETEST", AWS_SECRET_ACCESS_KEY="secret", AWS_DEFAULT_REGION="eu-west-1")
        aws = os.path.join(os.path.dirname(sys.executable), "aws")
        out = subprocess.run([aws, "firehose", "put-record", "--endpoint-url", server.url, "--delivery-stream-name",
                              "events", "--record", json.dumps({"Data": json.dumps(cli_rec) + "\n"})],
                             env=env, capture_output=True, text=True)
        check(out.returncode == 0 and "RecordId" in out.stdout, f"aws firehose put-record: {out.returncode} {out.stderr[-300:]}")
        metrics = urllib.request.urlopen(server.url + "/metrics").read().decode()
        check(f'firehose_IncomingRecords{{delivery_stream="events"}} {len(recs) + 1}' in metrics,
              "metrics: IncomingRecords counts every record")
        rc = server.stop()
        check(rc == 0, f"floe serve exit status after SIGTERM {rc}")
    finally:
        server.kill()
    check(len(sent_ok) == len(recs), f"acknowledged {len(sent_ok)} of {len(recs)}")
    files = sorted(glob.glob(os.path.join(wh, "events", "**", "*.parquet"), recursive=True))
    got = pa.concat_tables([pq.read_table(f) for f in files]) if files else None
    good_path = os.path.join(tmp, "good.ndjson")
    with open(good_path, "wb") as f:
        f.writelines(good)
        f.write((json.dumps(cli_rec) + "\n").encode())
    want = pj.read_json(good_path, parse_options=pj.ParseOptions(explicit_schema=arrow_schema(),
                                                                  unexpected_field_behavior="ignore")).select(arrow_schema().names)
    check(got is not None and got.num_rows == want.num_rows, f"rows: floe {got.num_rows if got else 0}, good {want.num_rows}")
    if got is not None:
        # as multisets: the rows floe wrote beyond pyarrow's and those it lacks, named by id and file (a row
        # written twice shows which call's records were doubled and where)
        key = lambda r: json.dumps(r, sort_keys=True, default=str)
        g = collections.Counter(map(key, got.select(want.schema.names).to_pylist()))
        w = collections.Counter(map(key, want.to_pylist()))
        extra, lacking = g - w, w - g
        if not check(not extra and not lacking, f"Parquet rows differ from pyarrow's conversion of the good lines (as "
                     f"multisets): {sum(extra.values())} rows too many, {sum(lacking.values())} missing"):
            ids = lambda c: sorted(str(json.loads(k).get("id")) for k in c.elements())
            files_of = collections.defaultdict(set)
            bad_ids = set(ids(extra))
            for f in files:
                for x in pq.read_table(f, columns=["id"]).column("id").to_pylist():
                    if str(x) in bad_ids:
                        files_of[str(x)].add(os.path.basename(f))
            call_of = {}
            for k, b in enumerate(batches):
                for d in b:
                    try:
                        call_of[str(json.loads(d).get("id"))] = (k, len(b))
                    except ValueError:
                        pass
            calls = collections.Counter(call_of.get(x) for x in bad_ids)
            fails.append(f"ids too many ({len(bad_ids)}): " + ", ".join(f"{x} in {sorted(files_of[x])}" for x in sorted(bad_ids)[:10])
                         + f"; by call (index, records): {dict(calls)}")
            fails.append(f"ids missing: {ids(lacking)[:10]}")
    errs = []
    for f in glob.glob(os.path.join(wh, "errors", "events", "**", "*"), recursive=True):
        if os.path.isfile(f):
            errs += [json.loads(l) for l in open(f, "rb")]
    raw = sorted(base64.b64decode(e["rawData"]) for e in errs)
    check(raw == sorted(bad), f"error output: {len(raw)} records, {len(bad)} bad lines; same bytes: {set(raw) == bad_set}")
    check(all(e["errorCode"].startswith("DataFormatConversion.") for e in errs), "error codes")
    con = duckdb.connect()
    n = con.execute(f"SELECT count(*) FROM read_parquet('{wh}/events/**/*.parquet')").fetchone()[0]
    check(n == want.num_rows, f"duckdb reads {n} rows, want {want.num_rows}")
    # the streaming table's hourly partitions, registered as files were published
    hours = sorted({os.path.relpath(os.path.dirname(f), os.path.join(wh, "events")) for f in files})
    pl = subprocess.run([floe, "partitions", "list", "--warehouse", wh, "--table", "events"], capture_output=True, text=True)
    for h in hours:
        check(h in pl.stdout, f"partitions list lacks hour {h}: {pl.stdout[:300]}")
    ddl = subprocess.run([floe, "table", "ddl", "events", "--warehouse", wh, "--engine", "duckdb"], capture_output=True,
                         text=True, check=True).stdout
    con2 = duckdb.connect()
    cwd = os.getcwd()
    os.chdir(os.path.dirname(wh))
    try:
        con2.execute(ddl)
        vn = con2.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        os.chdir(cwd)
    check(vn == want.num_rows, f"DDL view returns {vn} rows, want {want.num_rows}")
    rate = len(recs) / elapsed
    print(f"firehose_serve delivery: {len(recs)} records ({len(bad)} bad) by {producers} producers in {stats['calls']} "
          f"calls, {elapsed:.1f}s ({rate:.0f} records/s), {len(files)} Parquet file(s), hours {hours}")


def backpressure(floe, tmp, records=12000):
    """A 2 MiB log bound: producers are throttled (per record, or whole calls with HTTP 503 that botocore
    retries), resend what was refused, and everything is delivered; peak RSS stays bounded."""
    import pyarrow.parquet as pq
    wh = os.path.join(tmp, "bp")
    subprocess.run([floe, "warehouse", "init", wh, "--name", "analytics"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([floe, "table", "create", "events", "--warehouse", wh, "--columns", COLUMNS], check=True,
                   stdout=subprocess.DEVNULL)
    server = Server(floe, wh, "--wal-limit", "2MiB").start()
    try:
        fh = client(server.url)
        fh.create_delivery_stream(DeliveryStreamName="events", ExtendedS3DestinationConfiguration={
            "RoleARN": ROLE, "BucketARN": "arn:aws:s3:::analytics", "Prefix": "events/", "ErrorOutputPrefix": "errors/",
            "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 1}, "DataFormatConversionConfiguration": conversion()})
        pad = "x" * 550
        recs = [(json.dumps({"id": f"r{i}", "event_type": "click", "text": pad}) + "\n").encode() for i in range(records)]
        batches = [recs[i:i + 250] for i in range(0, len(recs), 250)]
        sent_ok, lock, stats = [], threading.Lock(), {"calls": 0}
        t0 = time.time()
        threads = [threading.Thread(target=produce, args=(server.url, batches[k::4], sent_ok, lock, stats)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.time() - t0
        metrics = urllib.request.urlopen(server.url + "/metrics").read().decode()
        throttled = int(next(l for l in metrics.splitlines() if l.startswith('firehose_ThrottledRecords{delivery_stream="events"}')).split()[-1])
        rss_kib = int(next(l for l in open(f"/proc/{server.proc.pid}/status") if l.startswith("VmHWM:")).split()[1])
        check(server.stop() == 0, "exit status after SIGTERM")
    finally:
        server.kill()
    check(throttled > 0, "a 2 MiB log bound throttles 7 MB of records")
    check(len(sent_ok) == records, f"acknowledged {len(sent_ok)} of {records}")
    ids = []
    for f in glob.glob(os.path.join(wh, "events", "**", "*.parquet"), recursive=True):
        ids += pq.read_table(f, columns=["id"]).column("id").to_pylist()
    check(sorted(ids) == sorted(f"r{i}" for i in range(records)), f"delivered {len(ids)} rows, {len(set(ids))} distinct, want {records}")
    check(rss_kib < 2048 + 200 * 1024, f"peak RSS {rss_kib} KiB over the 2 MiB bound + 200 MiB")
    print(f"firehose_serve backpressure: {records} records in {stats['calls']} calls, {throttled} refused and resent, "
          f"{elapsed:.1f}s, peak RSS {rss_kib // 1024} MiB")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("floe")
    ap.add_argument("--records", type=int, default=100000)
    ap.add_argument("--producers", type=int, default=4)
    a = ap.parse_args()
    if not os.path.exists(os.path.join(BENCH, "gen_events.py")):
        print(f"firehose_serve: skipped: {BENCH}/gen_events.py is not there (set FLOE_SHARED_BENCH)")
        return 0
    t0 = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        wh = os.path.join(tmp, "lifecycle")
        subprocess.run([a.floe, "warehouse", "init", wh, "--name", "analytics"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([a.floe, "table", "create", "events", "--warehouse", wh, "--columns", COLUMNS], check=True,
                       stdout=subprocess.DEVNULL)
        s = Server(a.floe, wh).start()
        try:
            lifecycle(client(s.url, attempts=1), s.url)
            check(s.stop() == 0, "exit status after SIGTERM")
            # streams persist across restarts
            s.start()
            check(client(s.url).list_delivery_streams()["DeliveryStreamNames"] == ["plain"], "streams after a restart")
            s.stop()
        finally:
            s.kill()
            if fails:
                print(s.log())
        print(f"firehose_serve lifecycle: {'ok' if not fails else 'FAILED'}")
        delivery(a.floe, tmp, a.records, a.producers)
        backpressure(a.floe, tmp)
    for f in fails:
        print("FAIL:", f)
    print(f"firehose_serve: {'FAILED' if fails else 'ok'} ({time.time() - t0:.0f}s)")
    return 1 if fails else 0


sys.exit(main())
