#!/usr/bin/env python3
"""floe serve delivering into an Iceberg table (issue 17), through boto3, read back with pyiceberg.

usage: firehose_iceberg.py FLOE [--records N]

A warehouse (database `analytics`) with an Iceberg table `clicks` partitioned by hour(event_time) and one
unpartitioned (`plain`). A stream per table with ExtendedS3DestinationConfiguration, BucketARN the warehouse's
database and Prefix "<table>/":
  1. boto3 sends N records (1 in 40 malformed) in PutRecordBatch calls; SIGTERM flushes; pyiceberg's SqlCatalog
     scans each table: the rows equal the good records as multisets; each snapshot's summary carries the stream's
     write-ahead log position (floe.checkpoint = {"stream", "lsn"}); every data file of `clicks` lies in the folder
     of its hour (data/event_time_hour=YYYY-MM-DD-HH/) and its rows fall in that hour.
  2. Restarted with a 1 s buffer interval; a producer thread sends batches while the server is SIGKILLed once
     mid-stream, then restarted; it keeps sending until done, then SIGTERM: every acknowledged record is in the
     table, none twice, and none that was never sent.
"""
import collections, datetime as dt, json, os, random, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_support import Server, parse_args  # noqa: E402

ROLE = "arn:aws:iam::000000000000:role/firehose"
UTC = dt.timezone.utc
fails = []


def check(cond, what):
    if not cond:
        fails.append(what)
        print("FAIL:", what)
    return cond


def client(url):
    import boto3, botocore.config
    return boto3.client("firehose", endpoint_url=url, region_name="eu-west-1", aws_access_key_id="AKIDFLOETEST",
                        aws_secret_access_key="secret",
                        config=botocore.config.Config(retries={"mode": "standard", "max_attempts": 3},
                                                      connect_timeout=2, read_timeout=20))


def record(i, rng):
    t = dt.datetime(2024, 5, 1, tzinfo=UTC) + dt.timedelta(seconds=rng.randrange(6 * 3600))
    return {"id": i, "event_time": t.strftime("%Y-%m-%dT%H:%M:%SZ"), "user": f"u{rng.randrange(100)}"}


def micros(v):
    if isinstance(v, str):
        v = dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
    return (v - dt.datetime(1970, 1, 1, tzinfo=UTC)) // dt.timedelta(microseconds=1)


def rows(cat, name):
    t = cat.load_table(("analytics", name))
    return t, collections.Counter((r["id"], micros(r["event_time"]), r["user"]) for r in t.scan().to_arrow().to_pylist())


def send(fh, stream, recs):
    """PutRecordBatch until every record is accepted; returns the records acknowledged."""
    pending = recs
    for _ in range(20):
        if not pending:
            break
        out = fh.put_record_batch(DeliveryStreamName=stream, Records=[{"Data": r} for r in pending])
        pending = [r for r, x in zip(pending, out["RequestResponses"]) if "ErrorCode" in x]
    return [r for r in recs if r not in pending]


def main():
    a = parse_args(records=6000)
    floe = a.floe
    import subprocess
    from pyiceberg.catalog.sql import SqlCatalog
    rng = random.Random(17)
    with tempfile.TemporaryDirectory() as tmp:
        wh = os.path.realpath(os.path.join(tmp, "wh"))
        subprocess.run([floe, "warehouse", "init", wh, "--name", "analytics"], check=True, capture_output=True)
        cols = os.path.join(tmp, "cols.json")
        json.dump([{"name": "id", "type": "bigint"}, {"name": "event_time", "type": "timestamp"},
                   {"name": "user", "type": "string"}], open(cols, "w"))
        for name, spec in [("clicks", ["--partition-spec", "hour(event_time)"]), ("plain", [])]:
            subprocess.run([floe, "table", "create", name, "--warehouse", wh, "--format", "iceberg", "--columns", cols,
                            *spec], check=True, capture_output=True)
        cat = SqlCatalog("floe", uri=f"sqlite:///{wh}/iceberg-catalog.db", warehouse=f"file://{wh}")
        server = Server(floe, wh)
        server.start()
        good = {"clicks": collections.Counter(), "plain": collections.Counter()}
        try:
            fh = client(server.url)
            # clicks: the warehouse bucket with Prefix "clicks/"; plain: botocore's IcebergDestinationConfiguration
            fh.create_delivery_stream(DeliveryStreamName="clicks", ExtendedS3DestinationConfiguration={
                "RoleARN": ROLE, "BucketARN": "arn:aws:s3:::analytics", "Prefix": "clicks/",
                "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60}})
            ice = {"RoleARN": ROLE, "CatalogConfiguration": {"CatalogARN": "arn:aws:glue:eu-west-1:000000000000:catalog"},
                   "S3Configuration": {"RoleARN": ROLE, "BucketARN": "arn:aws:s3:::analytics", "ErrorOutputPrefix": "errors/"},
                   "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60},
                   "DestinationTableConfigurationList": [{"DestinationDatabaseName": "analytics", "DestinationTableName": "plain"}]}
            fh.create_delivery_stream(DeliveryStreamName="plain", IcebergDestinationConfiguration=ice)
            desc = fh.describe_delivery_stream(DeliveryStreamName="plain")["DeliveryStreamDescription"]["Destinations"][0]
            idd = desc.get("IcebergDestinationDescription", {})
            check(idd.get("DestinationTableConfigurationList") == ice["DestinationTableConfigurationList"]
                  and idd.get("BufferingHints") == {"SizeInMBs": 1, "IntervalInSeconds": 60}
                  and idd.get("S3DestinationDescription", {}).get("BucketARN") == "arn:aws:s3:::analytics"
                  and "ExtendedS3DestinationDescription" not in desc, f"DescribeDeliveryStream of an Iceberg stream: {desc}")
            bad = dict(ice, DestinationTableConfigurationList=[{"DestinationDatabaseName": "analytics", "DestinationTableName": "nope"}])
            from botocore.exceptions import ClientError
            try:
                fh.create_delivery_stream(DeliveryStreamName="nope", IcebergDestinationConfiguration=bad)
                check(False, "a stream into a table that is not there was created")
            except ClientError as e:
                check(e.response["Error"]["Code"] == "InvalidArgumentException", f"unknown table: {e.response['Error']}")
            # 1. send, SIGTERM: each table holds the good records
            recs = {n: [] for n in good}
            for i in range(a.records):
                r = record(i, rng)
                for n in good:
                    if i % 40 == 39:
                        recs[n].append(b'{"id": ' + str(i).encode() + b', broken\n')
                    else:
                        recs[n].append((json.dumps(r) + "\n").encode())
                        good[n][(r["id"], micros(r["event_time"]), r["user"])] += 1
            for n in good:
                for k in range(0, len(recs[n]), 500):
                    acked = send(fh, n, recs[n][k:k + 500])
                    check(len(acked) == len(recs[n][k:k + 500]), f"{n}: a batch was not accepted")
            # a stream landing raw objects in the warehouse bucket, then pointed at the Iceberg table by UpdateDestination
            fh.create_delivery_stream(DeliveryStreamName="switch", ExtendedS3DestinationConfiguration={
                "RoleARN": ROLE, "BucketARN": "arn:aws:s3:::analytics", "Prefix": "landing/",
                "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60}})
            send(fh, "switch", [b'{"raw": 1}\n'] * 10)
            fh.update_destination(DeliveryStreamName="switch", CurrentDeliveryStreamVersionId="1",
                                  DestinationId="destinationId-000000000001", ExtendedS3DestinationUpdate={"Prefix": "plain/"})
            switched = []
            for i in range(a.records, a.records + 50):
                r = record(i + 100000, rng)
                switched.append((json.dumps(r) + "\n").encode())
                good["plain"][(r["id"], micros(r["event_time"]), r["user"])] += 1
            check(len(send(fh, "switch", switched)) == 50, "switch: a batch was not accepted")
            landed = sum(1 for root, _, fs in os.walk(os.path.join(wh, "landing")) for f in fs for l in open(os.path.join(root, f), "rb") if l.strip())
            check(landed == 10, f"switch: {landed} raw records landed before the update, want 10")
            check(server.stop() == 0, "SIGTERM exit status")
            for n in good:
                t, got = rows(cat, n)
                check(got == good[n], f"{n}: pyiceberg scan {sum(got.values())} rows, want the {sum(good[n].values())} good records")
                snaps = t.snapshots()
                marks = [json.loads(s.summary["floe.checkpoint"]) for s in snaps if "floe.checkpoint" in s.summary.additional_properties]
                check(snaps and len(marks) == len(snaps) and all(m["stream"] in (n, "switch") for m in marks),
                      f"{n}: snapshot summaries without the stream's log position: {[s.summary for s in snaps][:2]}")
                check(int(t.current_snapshot().summary["total-records"]) == sum(good[n].values()), f"{n}: total-records")
                print(f"{n}: {sum(got.values())} rows in {len(snaps)} snapshots, log positions {[m['lsn'] for m in marks][:6]}")
            t = cat.load_table(("analytics", "clicks"))
            for task in t.scan().plan_files():
                h = task.file.partition[0]
                folder = (dt.datetime(1970, 1, 1, tzinfo=UTC) + dt.timedelta(hours=h)).strftime("event_time_hour=%Y-%m-%d-%H")
                check(f"/data/{folder}/" in task.file.file_path, f"clicks: {task.file.file_path} is not in {folder}")
            # 2. kill -9 mid-stream, restart: acknowledged records exactly once
            server.extra = []
            server.start()
            fh = client(server.url)
            for n in good:
                upd = {"BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 1}}
                fh.update_destination(DeliveryStreamName=n, CurrentDeliveryStreamVersionId=fh.describe_delivery_stream(
                    DeliveryStreamName=n)["DeliveryStreamDescription"]["VersionId"], DestinationId="destinationId-000000000001",
                    **({"ExtendedS3DestinationUpdate": upd} if n == "clicks" else {"IcebergDestinationUpdate": upd}))
            d = fh.describe_delivery_stream(DeliveryStreamName="plain")["DeliveryStreamDescription"]["Destinations"][0]
            check(d["IcebergDestinationDescription"]["BufferingHints"]["IntervalInSeconds"] == 1, f"IcebergDestinationUpdate: {d}")
            acked, sent = collections.Counter(), collections.Counter()
            stop = threading.Event()
            state = {"url": server.url}

            def producer():
                i = a.records
                while not stop.is_set() and i < a.records + 8000:
                    batch = []
                    for _ in range(100):
                        r = record(i, rng)
                        batch.append((r, (json.dumps(r) + "\n").encode()))
                        i += 1
                    for r, _ in batch:
                        sent[(r["id"], micros(r["event_time"]), r["user"])] += 1
                    try:
                        out = client(state["url"]).put_record_batch(DeliveryStreamName="clicks", Records=[{"Data": b} for _, b in batch])
                        for (r, _), x in zip(batch, out["RequestResponses"]):
                            if "ErrorCode" not in x:
                                acked[(r["id"], micros(r["event_time"]), r["user"])] += 1
                    except Exception:
                        time.sleep(0.2)
                    time.sleep(0.05)

            th = threading.Thread(target=producer)
            th.start()
            time.sleep(2.5)
            before_kill = sum(acked.values())
            snaps_before = len(cat.load_table(("analytics", "clicks")).snapshots())
            server.kill()
            time.sleep(0.5)
            server.start()
            state["url"] = server.url
            th.join(120)
            stop.set()
            check(server.stop() == 0, "SIGTERM exit status after the restart")
            t, got = rows(cat, "clicks")
            expected = good["clicks"] + acked
            missing = expected - got
            extra = got - (good["clicks"] + sent)
            dups = [k for k, c in got.items() if c > 1]
            if missing:
                ids = sorted(k[0] for k in missing)
                print(f"missing ids {ids[:3]}…{ids[-3:]}; snapshots: " + "; ".join(
                    f"{s.summary.get('added-records')} rows {s.summary.additional_properties.get('floe.checkpoint')}" for s in t.snapshots()))
            check(not missing, f"clicks: {sum(missing.values())} acknowledged records missing after kill -9")
            check(not extra and not dups, f"clicks: {sum(extra.values())} records never sent, {len(dups)} twice")
            check(0 < before_kill < sum(acked.values()), f"the kill was not mid-stream: {before_kill} of {sum(acked.values())} acknowledged before it")
            print(f"kill -9 mid-stream ({before_kill} acknowledged and {snaps_before - 1} snapshots committed before it): "
                  f"{sum(acked.values())} acknowledged of {sum(sent.values())} sent, table "
                  f"{sum(got.values())} rows ({sum(got.values()) - sum(good['clicks'].values())} from this phase), "
                  f"{len(t.snapshots())} snapshots")
        finally:
            if fails:
                print(server.log()[-3000:])
            server.kill()
    if fails:
        print(f"firehose iceberg: FAILED ({len(fails)} checks)")
        return 1
    print("firehose iceberg: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
