#!/usr/bin/env python3
"""floe serve --auth strict (issue 16, done-when 5): SigV4 checked against a credentials file, with two independent
signers — botocore (boto3) and requests-aws4auth sending raw requests.

Requests signed with a known key pass (both signers, a query string too); a wrong secret → InvalidSignatureException;
an unknown key → UnrecognizedClientException; a request 6 minutes old (and 6 minutes ahead) → InvalidSignatureException
"Signature expired" ("not yet current"); no Authorization header → MissingAuthenticationTokenException; a tampered
body → InvalidSignatureException. /health stays open.
"""
import datetime, json, os, subprocess, sys, tempfile, urllib.request
from unittest import mock

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from serve_support import Server  # noqa: E402

ROLE = "arn:aws:iam::000000000000:role/firehose"
fails = []


def check(cond, what):
    if not cond:
        fails.append(what)


def boto(url, akid, secret):
    import boto3, botocore.config
    return boto3.client("firehose", endpoint_url=url, region_name="eu-central-1", aws_access_key_id=akid,
                        aws_secret_access_key=secret, config=botocore.config.Config(retries={"max_attempts": 1}))


def code(fn, *a, **k):
    from botocore.exceptions import ClientError
    try:
        fn(*a, **k)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"].get("Message", "")
    return None, ""


def main():
    floe = sys.argv[1]
    import requests
    from requests_aws4auth import AWS4Auth
    with tempfile.TemporaryDirectory() as tmp:
        creds = os.path.join(tmp, "credentials")
        with open(creds, "w") as f:
            f.write("# access key -> secret\nAKIDSTRICT1 s3cr3t/with+chars\n[profile two]\naws_access_key_id = AKIDTWO\n"
                    "aws_secret_access_key = other\n")
        wh = os.path.join(tmp, "wh")
        os.makedirs(wh)
        s = Server(floe, wh, "--auth", "strict", "--credentials", creds).start()
        try:
            fh = boto(s.url, "AKIDSTRICT1", "s3cr3t/with+chars")
            fh.create_delivery_stream(DeliveryStreamName="s", ExtendedS3DestinationConfiguration={
                "RoleARN": ROLE, "BucketARN": "arn:aws:s3:::b"})
            arn = fh.describe_delivery_stream(DeliveryStreamName="s")["DeliveryStreamDescription"]["DeliveryStreamARN"]
            check(":eu-central-1:" in arn, f"region from the credential scope: {arn}")
            r = boto(s.url, "AKIDTWO", "other").put_record_batch(DeliveryStreamName="s", Records=[{"Data": b"a\n"}])
            check(r["FailedPutCount"] == 0, "botocore, second key of the INI form")
            # the second signer: raw requests signed by requests-aws4auth
            def raw(auth, body, headers=None, path="/"):
                h = {"X-Amz-Target": "Firehose_20150804.ListDeliveryStreams", "Content-Type": "application/x-amz-json-1.1"}
                h.update(headers or {})
                return requests.post(s.url + path, data=body, headers=h, auth=auth)
            good = AWS4Auth("AKIDSTRICT1", "s3cr3t/with+chars", "us-west-2", "firehose")
            r = raw(good, b"{}")
            check(r.status_code == 200 and r.json()["DeliveryStreamNames"] == ["s"], f"aws4auth: {r.status_code} {r.text}")
            r = raw(good, b"{}", path="/?b=2&a=1%202")
            check(r.status_code == 200, f"aws4auth with a query string: {r.status_code} {r.text}")
            r = raw(AWS4Auth("AKIDSTRICT1", "wrong", "us-west-2", "firehose"), b"{}")
            check(r.status_code == 400 and r.json()["__type"] == "InvalidSignatureException"
                  and r.headers["x-amzn-ErrorType"] == "InvalidSignatureException", f"wrong secret (aws4auth): {r.status_code} {r.text}")
            r = raw(AWS4Auth("AKIDNOBODY", "x", "us-west-2", "firehose"), b"{}")
            check(r.json().get("__type") == "UnrecognizedClientException", f"unknown key: {r.text}")
            old = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=6)).strftime("%Y%m%dT%H%M%SZ")
            r = raw(good, b"{}", headers={"X-Amz-Date": old})
            check(r.json().get("__type") == "InvalidSignatureException" and r.json()["message"].startswith("Signature expired: " + old),
                  f"6-minute skew (aws4auth): {r.text}")
            ahead = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=6)).strftime("%Y%m%dT%H%M%SZ")
            r = raw(good, b"{}", headers={"X-Amz-Date": ahead})
            check(r.json().get("__type") == "InvalidSignatureException" and "not yet current" in r.json()["message"],
                  f"6 minutes ahead: {r.text}")
            r = requests.post(s.url + "/", data=b"{}", headers={"X-Amz-Target": "Firehose_20150804.ListDeliveryStreams",
                                                                "Content-Type": "application/x-amz-json-1.1"})
            check(r.status_code == 403 and r.json().get("__type") == "MissingAuthenticationTokenException", f"no Authorization: {r.status_code} {r.text}")
            # a body changed after signing
            req = requests.Request("POST", s.url + "/", data=b'{"Limit":1}', headers={
                "X-Amz-Target": "Firehose_20150804.ListDeliveryStreams", "Content-Type": "application/x-amz-json-1.1"}, auth=good).prepare()
            req.body = b'{"Limit":2}'
            r = requests.Session().send(req)
            check(r.json().get("__type") == "InvalidSignatureException", f"tampered body: {r.text}")
            # botocore: wrong secret, skew, unknown key
            c = code(boto(s.url, "AKIDSTRICT1", "nope").list_delivery_streams)
            check(c[0] == "InvalidSignatureException", f"wrong secret (botocore): {c}")
            c = code(boto(s.url, "AKIDUNKNOWN", "x").list_delivery_streams)
            check(c[0] == "UnrecognizedClientException", f"unknown key (botocore): {c}")
            import botocore.auth
            skewed = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(minutes=6)
            with mock.patch.object(botocore.auth, "get_current_datetime", return_value=skewed):
                c = code(fh.list_delivery_streams)
            check(c[0] == "InvalidSignatureException" and c[1].startswith("Signature expired"), f"6-minute skew (botocore): {c}")
            with urllib.request.urlopen(s.url + "/health") as h:
                check(h.status == 200, "/health needs no signature")
            check(s.stop() == 0, "exit status after SIGTERM")
        finally:
            s.kill()
            if fails:
                print(s.log())
    for f in fails:
        print("FAIL:", f)
    print("firehose_auth:", "FAILED" if fails else "ok")
    return 1 if fails else 0


sys.exit(main())
