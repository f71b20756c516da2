#!/usr/bin/env python3
"""Writes randomly generated S3 requests signed by botocore's S3SigV4Auth, one JSON object per line, for
Tests/ObjectStoreTests/SigV4Tests.swift to sign again with Floe's signer and compare (canonical request and
Authorization header).

Usage: sigv4_cases.py OUT.jsonl [COUNT] [SEED]
"""
import base64
import datetime
import json
import random
import sys
from urllib.parse import quote

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ALPHABET = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
            "-_.~ !$&'()*+,;=:@%/?#[]^`{}|\\\"<>" + "éßሴ😀中" + "\t")


def rand_text(rng, lo, hi, alphabet=ALPHABET):
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(lo, hi)))


class FixedClock(datetime.datetime):
    now_value = None

    @classmethod
    def utcnow(cls):
        return cls.now_value

    @classmethod
    def now(cls, tz=None):
        return cls.now_value if tz is None else cls.now_value.replace(tzinfo=tz)


def main():
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 15)
    botocore.auth.datetime.datetime = FixedClock
    with open(out, "w") as f:
        for i in range(count):
            method = rng.choice(["GET", "PUT", "POST", "DELETE", "HEAD"])
            bucket = rng.choice(["bucket", "my-bucket.with.dots", "b-1"])
            key = rand_text(rng, 1, 40).replace("\t", "x")
            path = "/" + bucket + "/" + key
            query = [(rand_text(rng, 1, 8), rand_text(rng, 0, 8)) for _ in range(rng.randint(0, 4))]
            if rng.random() < 0.3:
                query.append(("uploads", ""))
            host = rng.choice(["127.0.0.1:9000", "s3.eu-west-1.amazonaws.com", "localhost:4566"])
            headers = [("host", host)]
            for name, value in [("If-None-Match", "*"), ("If-Match", '"%032x"' % rng.getrandbits(128)),
                                ("Range", "bytes=%d-%d" % (rng.randint(0, 99), rng.randint(100, 9999))),
                                ("Content-Type", "application/xml"),
                                ("x-amz-copy-source", quote("/bucket/" + rand_text(rng, 1, 10), safe="/~")),
                                ("X-Amz-Meta-Note", "  two  spaces\tand tab  ")]:
                if rng.random() < 0.3:
                    headers.append((name, value))
            body = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 64))) if method in ("PUT", "POST") else b""
            epoch = rng.randint(1_400_000_000, 2_000_000_000)
            token = base64.b64encode(bytes(rng.getrandbits(8) for _ in range(60))).decode() if rng.random() < 0.4 else None
            access = "AKIA" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
            secret = rand_text(rng, 40, 40, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/")
            region = rng.choice(["us-east-1", "eu-west-1", "ap-southeast-2"])

            FixedClock.now_value = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).replace(tzinfo=None)
            req = AWSRequest(method=method, url="http://" + host + quote(path, safe="/~"), data=body,
                             headers=dict(headers), params=query)
            auth = botocore.auth.S3SigV4Auth(Credentials(access, secret, token), "s3", region)
            seen = []
            original = auth.canonical_request
            auth.canonical_request = lambda r: seen.append(original(r)) or seen[-1]
            auth.add_auth(req)
            f.write(json.dumps({
                "method": method, "path": path, "query": query, "headers": headers,
                "body": base64.b64encode(body).decode(), "epoch": epoch,
                "access": access, "secret": secret, "token": token, "region": region,
                "canonical_request": seen[0],
                "authorization": req.headers["Authorization"],
            }) + "\n")


if __name__ == "__main__":
    main()
