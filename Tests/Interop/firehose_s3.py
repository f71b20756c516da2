#!/usr/bin/env python3
"""floe serve --bucket-root s3:// (issue 16: "the real bucket NAME when the object-storage work is there"): streams
whose BucketARN names a bucket of moto's S3 server, records sent with boto3, the objects read back with boto3.

usage: servers.py --s3 -- firehose_s3.py FLOE [--records N]

1. A converting stream (OpenX JSON -> Parquet) and a GZIP stream without conversion into one bucket, both with
   CustomTimeZone Asia/Kolkata (UTC+05:30): the default YYYY/MM/dd/HH/ folders and the object names' time are
   Kolkata's wall clock at arrival (https://docs.aws.amazon.com/firehose/latest/dev/s3-object-name.html).
2. Durability as with folders: records are acknowledged from the write-ahead log; `floe serve` is killed (-9)
   before any buffer is due, restarted (the log replayed) and stopped (SIGTERM publishes every buffer). Then the
   Parquet objects hold every good record exactly once (rows equal, as multisets, to pyarrow's conversion of the
   good records), the error objects every bad record byte-exact, the GZIP objects every raw record exactly once,
   and no multipart upload is left open.
3. A bucket that does not exist: the records stay in the log (nothing acknowledged is lost), and are delivered
   once the bucket is created and the server restarted.
4. kill -9 while a buffer is being uploaded (a 48 MiB buffer of 100 KiB records: six 8 MiB parts, so the multipart
   upload is open for a while): the restart aborts the upload the killed process left (and not another writer's
   upload under the same prefix), and after a flush every acknowledged record is in the bucket exactly once.
"""
import base64, datetime, gzip, io, json, os, random, subprocess, sys, tempfile, time
from zoneinfo import ZoneInfo

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
COLUMNS = os.path.join(ROOT, "Tests", "FirehoseTests", "TestVectors", "events.columns.json")
sys.path.insert(0, HERE)
from serve_support import Server, parse_args  # noqa: E402

ENDPOINT = os.environ["FLOE_TEST_S3_ENDPOINT"]
KEY = os.environ["FLOE_TEST_AWS_ACCESS_KEY_ID"]
SECRET = os.environ["FLOE_TEST_AWS_SECRET_ACCESS_KEY"]
REGION = os.environ.get("FLOE_TEST_AWS_REGION", "us-east-1")
ROLE = "arn:aws:iam::000000000000:role/firehose"
ZONE = "Asia/Kolkata"
fails = []


def check(cond, what):
    if not cond:
        fails.append(what)
    return cond


def serve_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(HOME=tempfile.mkdtemp(prefix="floe-home-"), AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET,
               AWS_REGION=REGION, AWS_ENDPOINT_URL_S3=ENDPOINT)
    return env


class S3Server(Server):
    """serve_support.Server with the S3 environment (credentials of moto's IAM user, endpoint)."""

    def start(self, timeout=60):
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(serve_env())
        try:
            return super().start(timeout)
        finally:
            os.environ.clear()
            os.environ.update(saved)


def firehose(url):
    import boto3, botocore.config
    return boto3.client("firehose", endpoint_url=url, region_name="eu-west-1", aws_access_key_id="AKIDFLOETEST",
                        aws_secret_access_key="secret",
                        config=botocore.config.Config(retries={"mode": "standard", "max_attempts": 10}))


def events(n, seed=16):
    """n records: ~3% bad (malformed JSON, truncated, invalid UTF-8), the rest good events of the table."""
    rnd = random.Random(seed)
    good, bad = [], []
    for i in range(n):
        e = {"id": f"e{i:06d}", "event_type": rnd.choice(["click", "view", "buy"]), "session_id": f"s{rnd.randrange(500)}",
             "event_time_ms": 1760000000000 + i, "retweet_count": rnd.randrange(1000), "score": rnd.random(),
             "text": "x" * rnd.randrange(50, 400), "hashtags": [f"h{rnd.randrange(20)}" for _ in range(rnd.randrange(3))],
             "user": {"id": rnd.randrange(10 ** 6), "screen_name": f"u{rnd.randrange(999)}", "verified": rnd.random() < 0.1}}
        line = json.dumps(e).encode() + b"\n"
        r = rnd.random()
        if r < 0.01:
            bad.append(line[: len(line) // 2] + b"\n")
        elif r < 0.02:
            bad.append(b'{"id": "broken" "event_type": 1}\n')
        elif r < 0.03:
            bad.append(b'{"id": "\xff\xfe bad utf-8"}\n')
        else:
            good.append(line)
    return good, bad


def send(url, stream, records, rnd):
    fh = firehose(url)
    acked = 0
    i = 0
    while i < len(records):
        batch = records[i:i + rnd.randint(1, 500)]
        i += len(batch)
        pending = batch
        for attempt in range(50):
            r = fh.put_record_batch(DeliveryStreamName=stream, Records=[{"Data": d} for d in pending])
            retry = [d for d, rr in zip(pending, r["RequestResponses"]) if "ErrorCode" in rr]
            acked += len(pending) - len(retry)
            if not retry:
                break
            pending = retry
            time.sleep(0.05 * (attempt + 1))
    return acked


def objects(s3, bucket, prefix):
    out = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for o in page.get("Contents", []):
            out[o["Key"]] = s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
    return out


def kolkata_hours(t0, t1):
    """The YYYY/MM/dd/HH folders of Kolkata's wall clock between the UTC instants t0 and t1 (seconds)."""
    z = ZoneInfo(ZONE)
    hours, t = set(), t0 - 3600
    while t <= t1 + 3600:
        hours.add(datetime.datetime.fromtimestamp(t, z).strftime("%Y/%m/%d/%H"))
        t += 600
    return hours


def killed_upload(floe, tmp, s3):
    """Part 4: kill -9 while a multipart upload is in flight; returns the server (for its log)."""
    s3.create_bucket(Bucket="big")
    # another writer's upload under the stream's prefix: not ours, so the restart must leave it alone
    other = s3.create_multipart_upload(Bucket="big", Key="big/another-writer.bin")["UploadId"]
    wh = os.path.join(tmp, "wh-big")
    subprocess.run([floe, "warehouse", "init", wh, "--name", "bigwh"], check=True, stdout=subprocess.DEVNULL)
    server = S3Server(floe, wh, "--bucket-root", "s3://")
    server.start()
    rnd = random.Random(11)
    acked, seq = [], 0
    caught = False
    try:
        fh = firehose(server.url)
        fh.create_delivery_stream(DeliveryStreamName="big", ExtendedS3DestinationConfiguration={
            "RoleARN": ROLE, "BucketARN": "arn:aws:s3:::big", "Prefix": "big/", "ErrorOutputPrefix": "big-errors/",
            "BufferingHints": {"SizeInMBs": 48, "IntervalInSeconds": 900}})
        deadline = time.time() + 240
        for attempt in range(3):  # a round whose upload finished before the poll saw it is repeated (bounded)
            sent = 0
            while sent < (48 << 20) + (1 << 20) and time.time() < deadline:
                batch = []
                for _ in range(38):  # 38 x 100 KiB: under the 4 MiB per call
                    body = b"%09d " % seq + rnd.randbytes(51_200).hex().encode() + b"\n"
                    seq += 1
                    batch.append(body)
                r = fh.put_record_batch(DeliveryStreamName="big", Records=[{"Data": d} for d in batch])
                acked += [d for d, rr in zip(batch, r["RequestResponses"]) if "ErrorCode" not in rr]
                sent += sum(map(len, batch))
            # the buffer is due: the stream's flush uploads it; kill -9 as soon as its upload is open
            t_poll = time.time() + 30
            killed = False
            while time.time() < min(t_poll, deadline):
                ups = s3.list_multipart_uploads(Bucket="big").get("Uploads", [])
                if any(u["UploadId"] != other for u in ups):
                    server.kill()
                    killed = True
                    break
                time.sleep(0.005)
            # still open after the kill (not completed between the poll and the kill): the case under test
            left = {u["UploadId"] for u in s3.list_multipart_uploads(Bucket="big").get("Uploads", [])} - {other}
            caught = killed and bool(left)
            if killed:
                server.start()
                fh = firehose(server.url)
            if caught:
                # the restart aborted the killed run's upload(s) before serving, and only those (the replayed
                # buffer, due at once, may be uploading again already: new ids)
                ids = {u["UploadId"] for u in s3.list_multipart_uploads(Bucket="big").get("Uploads", [])}
                check(not (ids & left), f"after the restart: {len(ids & left)} upload(s) of the killed run still open")
                check(other in ids, "after the restart: another writer's upload under the prefix was aborted")
                break
        check(caught, "no multipart upload of the stream was caught open by kill -9 (3 rounds)")
        check(server.stop() == 0, "exit status after SIGTERM (big)")
    finally:
        server.kill()
    ups = s3.list_multipart_uploads(Bucket="big").get("Uploads", [])
    check([u["UploadId"] for u in ups] == [other], f"after the flush: uploads {[u['Key'] for u in ups]}")
    s3.abort_multipart_upload(Bucket="big", Key="big/another-writer.bin", UploadId=other)
    got = b"".join(objects(s3, "big", "big/").values()).splitlines(keepends=True)
    check(sorted(got) == sorted(acked),
          f"big: {len(got)} records in the bucket, {len(acked)} acknowledged (each exactly once, byte-exact)")
    check(not objects(s3, "big", "big-errors/"), "big: no error output")
    return server, len(acked)


def main():
    a = parse_args(records=6000)
    floe = a.floe
    import boto3, pyarrow as pa, pyarrow.json as pj, pyarrow.parquet as pq
    s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name=REGION, aws_access_key_id=KEY, aws_secret_access_key=SECRET)
    s3.create_bucket(Bucket="lake")
    tmp = tempfile.mkdtemp(prefix="floe-firehose-s3-")
    wh = os.path.join(tmp, "wh")
    subprocess.run([floe, "warehouse", "init", wh, "--name", "analytics"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([floe, "table", "create", "events", "--warehouse", wh, "--columns", COLUMNS], check=True,
                   stdout=subprocess.DEVNULL)
    good, bad = events(a.records)
    recs = good + bad
    random.Random(3).shuffle(recs)
    server = S3Server(floe, wh, "--bucket-root", "s3://")
    server.start()
    t0 = time.time()
    try:
        fh = firehose(server.url)
        conv = {"SchemaConfiguration": {"DatabaseName": "analytics", "TableName": "events", "RoleARN": ROLE},
                "InputFormatConfiguration": {"Deserializer": {"OpenXJsonSerDe": {}}},
                "OutputFormatConfiguration": {"Serializer": {"ParquetSerDe": {}}}}
        fh.create_delivery_stream(DeliveryStreamName="events", ExtendedS3DestinationConfiguration={
            "RoleARN": ROLE, "BucketARN": "arn:aws:s3:::lake", "Prefix": "events/", "CustomTimeZone": ZONE,
            "ErrorOutputPrefix": "errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH}/",
            "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 900}, "DataFormatConversionConfiguration": conv})
        fh.create_delivery_stream(DeliveryStreamName="raw", ExtendedS3DestinationConfiguration={
            "RoleARN": ROLE, "BucketARN": "arn:aws:s3:::lake", "Prefix": "raw/", "CustomTimeZone": ZONE,
            "CompressionFormat": "GZIP", "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 900}})
        fh.create_delivery_stream(DeliveryStreamName="later", ExtendedS3DestinationConfiguration={
            "RoleARN": ROLE, "BucketARN": "arn:aws:s3:::not-yet", "Prefix": "later/",
            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 900}})
        d = fh.describe_delivery_stream(DeliveryStreamName="events")["DeliveryStreamDescription"]
        check(d["Destinations"][0]["ExtendedS3DestinationDescription"].get("CustomTimeZone") == ZONE,
              "describe returns CustomTimeZone")
        # an unknown zone is refused as AWS refuses it
        from botocore.exceptions import ClientError
        try:
            fh.create_delivery_stream(DeliveryStreamName="badzone", ExtendedS3DestinationConfiguration={
                "RoleARN": ROLE, "BucketARN": "arn:aws:s3:::lake", "CustomTimeZone": "Mars/Olympus_Mons"})
            fails.append("CustomTimeZone Mars/Olympus_Mons was accepted")
        except ClientError as e:
            check(e.response["Error"]["Code"] == "InvalidArgumentException", f"unknown zone: {e.response['Error']}")
        rnd = random.Random(7)
        half = len(recs) // 2
        acked = send(server.url, "events", recs[:half], rnd)
        acked_raw = send(server.url, "raw", good[:2000], rnd)  # 1 MiB buffers: some objects published already
        acked_later = send(server.url, "later", good[:300], rnd)
        # kill -9: nothing of the converting stream is published yet, everything is in the log
        server.kill()
        check(not objects(s3, "lake", "events/"), "no Parquet object before the first flush")
        server.start()
        acked += send(server.url, "events", recs[half:], rnd)
        rc = server.stop()
        check(rc == 0, f"exit status after SIGTERM: {rc}")
        # the bucket that did not exist: its records wait in the log; they are delivered once it exists
        s3.create_bucket(Bucket="not-yet")
        server.start()
        check(server.stop() == 0, "exit status after the second SIGTERM")
    finally:
        server.kill()
    t1 = time.time()
    check(acked == len(recs) and acked_raw == 2000 and acked_later == 300, f"acknowledged {acked}/{len(recs)}, {acked_raw}, {acked_later}")
    lake = objects(s3, "lake", "")
    parquet = {k: v for k, v in lake.items() if k.startswith("events/")}
    check(parquet and all(k.endswith(".parquet") for k in parquet), f"Parquet objects: {sorted(parquet)[:5]}")
    hours = kolkata_hours(t0, t1)
    for k in list(parquet) + [k for k in lake if k.startswith("raw/")]:
        parts = k.split("/")
        folder, name = "/".join(parts[1:5]), parts[-1]
        check(folder in hours, f"{k}: folder {folder} is not Kolkata's hour at arrival ({sorted(hours)})")
        # <stream>-1-yyyy-MM-dd-HH-mm-ss-<uuid>: the time is Kolkata's wall clock too (the folder's hour)
        stamp = name.split("-1-", 1)[1][:13]
        check(stamp.replace("-", "/") == folder, f"{k}: object name time {stamp} is not the folder's hour {folder}")
    schema_cols = [c["name"] for c in json.load(open(COLUMNS))]
    got = pa.concat_tables([pq.read_table(io.BytesIO(v)) for v in parquet.values()]) if parquet else None
    good_path = os.path.join(tmp, "good.ndjson")
    with open(good_path, "wb") as f:
        f.writelines(good)
    want = pj.read_json(good_path)
    ids_got = sorted(got.column("id").to_pylist()) if got is not None else []
    check(ids_got == sorted(want.column("id").to_pylist()),
          f"Parquet rows: {len(ids_got)}, good records {want.num_rows} (each exactly once)")
    if got is not None and check(got.schema.names == schema_cols, f"columns {got.schema.names}"):
        key = lambda r: json.dumps(r, sort_keys=True, default=str)
        common = [c for c in ["id", "event_type", "session_id", "event_time_ms", "retweet_count", "score", "text", "hashtags"]]
        g = sorted(map(key, got.select(common).to_pylist()))
        w = sorted(map(key, want.select(common).to_pylist()))
        check(g == w, "Parquet rows differ from pyarrow's reading of the good records (as multisets)")
    errs = []
    for k, v in lake.items():
        if k.startswith("errors/"):
            check(k.startswith("errors/format-conversion-failed/"), f"error object {k}")
            errs += [json.loads(l) for l in v.splitlines()]
    check(sorted(base64.b64decode(e["rawData"]) for e in errs) == sorted(bad),
          f"error output: {len(errs)} records, {len(bad)} bad ones, rawData byte-exact")
    raw = b"".join(gzip.decompress(v) for k, v in sorted(lake.items()) if k.startswith("raw/"))
    check(all(k.endswith(".gz") for k in lake if k.startswith("raw/")), "GZIP objects end in .gz")
    check(sorted(raw.splitlines(keepends=True)) == sorted(good[:2000]), "GZIP objects hold every raw record exactly once")
    later = b"".join(objects(s3, "not-yet", "later/").values())
    check(sorted(later.splitlines(keepends=True)) == sorted(good[:300]),
          "records for a bucket created later are delivered from the log")
    big_server, big_acked = killed_upload(floe, tmp, s3)
    for b in ["lake", "not-yet", "big"]:
        left = s3.list_multipart_uploads(Bucket=b).get("Uploads", [])
        check(not left, f"{b}: {len(left)} multipart upload(s) left open")
    if fails:
        print("firehose_s3: FAILED\n  " + "\n  ".join(fails[:20]) + "\n--- server log ---\n" + server.log()
              + "\n--- server log (kill -9 during an upload) ---\n" + big_server.log())
        return 1
    print(f"firehose_s3: ok ({len(recs)} records, {len(bad)} bad; {len(parquet)} Parquet, "
          f"{sum(1 for k in lake if k.startswith('raw/'))} GZIP object(s) in Asia/Kolkata folders; "
          f"{big_acked} records of 100 KiB through a kill -9 during their upload)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
