#!/usr/bin/env python3
"""floe serve, kill -9 while producers send (issue 16, done-when 3).

usage: firehose_durability.py FLOE [--kills 6] [--records N]

Two boto3 producers send unique records (PutRecordBatch of 1-200; at least N in all, and on until the last kill) into a converting stream that flushes every
second, retrying a batch until it is answered; the server is SIGKILLed at 6 random moments and restarted at once.
After the last restart and a SIGTERM (which flushes): every acknowledged record is in the Parquet output; a record
sent once appears exactly once (replay adds no duplicate of its own); no record appears more times than it was
sent.
"""
import argparse, collections, glob, json, os, random, subprocess, sys, tempfile, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
COLUMNS = os.path.join(ROOT, "Tests", "FirehoseTests", "TestVectors", "events.columns.json")
sys.path.insert(0, HERE)
from serve_support import Server  # noqa: E402

ROLE = "arn:aws:iam::000000000000:role/firehose"


def client(url):
    import boto3, botocore.config
    return boto3.client("firehose", endpoint_url=url, region_name="us-east-1", aws_access_key_id="AKIDFLOETEST",
                        aws_secret_access_key="secret",
                        config=botocore.config.Config(retries={"mode": "standard", "max_attempts": 2},
                                                      connect_timeout=2, read_timeout=20))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("floe")
    ap.add_argument("--kills", type=int, default=6)
    ap.add_argument("--records", type=int, default=20000)
    a = ap.parse_args()
    import pyarrow.parquet as pq
    fails = []
    t_start = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        wh = os.path.join(tmp, "wh")
        subprocess.run([a.floe, "warehouse", "init", wh, "--name", "analytics"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([a.floe, "table", "create", "events", "--warehouse", wh, "--columns", COLUMNS], check=True,
                       stdout=subprocess.DEVNULL)
        server = Server(a.floe, wh).start()
        state = {"url": server.url}
        client(server.url).create_delivery_stream(DeliveryStreamName="events", ExtendedS3DestinationConfiguration={
            "RoleARN": ROLE, "BucketARN": "arn:aws:s3:::analytics", "Prefix": "events/", "ErrorOutputPrefix": "errors/",
            "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 1},
            "DataFormatConversionConfiguration": {
                "SchemaConfiguration": {"DatabaseName": "analytics", "TableName": "events", "RoleARN": ROLE},
                "InputFormatConfiguration": {"Deserializer": {"OpenXJsonSerDe": {}}},
                "OutputFormatConfiguration": {"Serializer": {"ParquetSerDe": {}}}}})
        sent = collections.Counter()
        acked = collections.Counter()
        lock = threading.Lock()
        done = threading.Event()
        kills_done = threading.Event()

        def producer(p):
            rnd = random.Random(p)
            i = 0
            per = a.records // 2
            stop_at = time.time() + 240
            # at least `per` records each, and on until every kill has happened (bounded in time)
            while (i < per or not kills_done.is_set()) and time.time() < stop_at:
                n = rnd.randint(1, 200)
                ids = [f"p{p}-{j}" for j in range(i, i + n)]
                i += n
                pending = ids
                deadline = time.time() + 120
                while pending and time.time() < deadline:
                    with lock:
                        for x in pending:
                            sent[x] += 1
                    try:
                        r = client(state["url"]).put_record_batch(DeliveryStreamName="events", Records=[
                            {"Data": (json.dumps({"id": x, "event_type": "click", "retweet_count": 1}) + "\n").encode()}
                            for x in pending])
                    except Exception:
                        time.sleep(0.2)
                        continue
                    with lock:
                        for x, rr in zip(pending, r["RequestResponses"]):
                            if "RecordId" in rr:
                                acked[x] += 1
                    pending = [x for x, rr in zip(pending, r["RequestResponses"]) if "ErrorCode" in rr]
                if pending:
                    fails.append(f"producer {p}: a batch was never answered")
            done.set()

        threads = [threading.Thread(target=producer, args=(p,)) for p in range(2)]
        for t in threads:
            t.start()
        rnd = random.Random(1603)
        kills = 0
        try:
            while kills < a.kills:
                time.sleep(rnd.uniform(0.3, 2.0))
                server.kill()  # SIGKILL: no flush, no goodbye
                kills += 1
                server.start()
                state["url"] = server.url
            kills_done.set()
            for t in threads:
                t.join(300)
            if server.stop() != 0:
                fails.append(f"exit status after SIGTERM {server.proc.returncode}")
        finally:
            kills_done.set()
            server.kill()
        got = collections.Counter()
        for f in glob.glob(os.path.join(wh, "events", "**", "*.parquet"), recursive=True):
            for x in pq.read_table(f, columns=["id"]).column("id").to_pylist():
                got[x] += 1
        lost = [x for x in acked if got[x] == 0]
        if lost:
            fails.append(f"{len(lost)} acknowledged records lost, e.g. {lost[:5]}")
        over = [x for x in got if got[x] > sent[x]]
        if over:
            fails.append(f"{len(over)} records appear more often than they were sent, e.g. {over[:5]}")
        once = [x for x in acked if sent[x] == 1 and got[x] != 1]
        if once:
            fails.append(f"{len(once)} records sent once appear {collections.Counter(got[x] for x in once)} times")
        dups = sum(got[x] - 1 for x in got if got[x] > 1)
        print(f"firehose_durability: {kills} kills, {len(acked)} acknowledged, {sum(got.values())} rows, "
              f"{sum(1 for x in sent if sent[x] > 1)} records resent by producers, {dups} duplicate rows "
              f"(each from a resent record), {time.time() - t_start:.0f}s")
        if fails:
            print(server.log())
    for f in fails:
        print("FAIL:", f)
    print("firehose_durability:", "FAILED" if fails else "ok")
    return 1 if fails else 0


sys.exit(main())
