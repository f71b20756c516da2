#!/usr/bin/env python3
"""The one helper that starts the servers tests need, on loopback ports it picks, and stops them after.

    servers.py [--s3] [--proxy] -- COMMAND...

--s3     moto's S3 server (`moto_server -H 127.0.0.1 -p PORT`) with signatures enforced: moto's IAM access control
         is on after the first requests, which create an IAM user, its policy and an access key through boto3.
--proxy  Tests/Support/fault_proxy.py in front of the S3 server.

COMMAND runs with FLOE_TEST_S3_ENDPOINT (the server), FLOE_TEST_S3_PROXY (the proxy), FLOE_TEST_AWS_ACCESS_KEY_ID
and FLOE_TEST_AWS_SECRET_ACCESS_KEY (the created key) and FLOE_TEST_AWS_REGION in its environment. Every server's
output goes to a log file that is printed when a server fails to start or COMMAND fails; the servers are stopped
in every case (including Ctrl-C). The exit status is COMMAND's.
"""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
VENV_BIN = os.path.dirname(sys.executable)
# Requests moto answers before enforcing signatures: create_user, put_user_policy, create_access_key.
SETUP_ACTIONS = 3


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, name, argv, port, env=None, startup_timeout=60):
        self.name, self.port = name, port
        self.log = tempfile.NamedTemporaryFile(prefix=f"floe-{name}-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, env=env,
                                     start_new_session=True)
        deadline = time.monotonic() + startup_timeout
        while True:
            if self.proc.poll() is not None:
                self.dump()
                raise RuntimeError(f"{name} exited with {self.proc.returncode} while starting")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    self.dump()
                    self.stop()
                    raise RuntimeError(f"{name} did not listen on 127.0.0.1:{port} within {startup_timeout}s")
                time.sleep(0.1)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def dump(self):
        self.log.flush()
        with open(self.log.name, errors="replace") as f:
            text = f.read()
        print(f"---- {self.name} log ({self.log.name}), last 4000 characters ----\n{text[-4000:]}", file=sys.stderr)

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def start_s3(env):
    port = free_port()
    e = dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT=str(SETUP_ACTIONS), MOTO_PORT=str(port))
    srv = Server("moto", [os.path.join(VENV_BIN, "moto_server"), "-H", "127.0.0.1", "-p", str(port)], port, env=e)
    import boto3
    iam = boto3.client("iam", endpoint_url=srv.url, region_name="us-east-1",
                       aws_access_key_id="setup", aws_secret_access_key="setup")
    iam.create_user(UserName="floe-test")
    iam.put_user_policy(UserName="floe-test", PolicyName="all-s3",
                        PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*",'
                                       '"Resource":"*"}]}')
    key = iam.create_access_key(UserName="floe-test")["AccessKey"]
    env["FLOE_TEST_S3_ENDPOINT"] = srv.url
    env["FLOE_TEST_AWS_ACCESS_KEY_ID"] = key["AccessKeyId"]
    env["FLOE_TEST_AWS_SECRET_ACCESS_KEY"] = key["SecretAccessKey"]
    env["FLOE_TEST_AWS_REGION"] = "us-east-1"
    return srv


def start_proxy(env, upstream):
    port = free_port()
    srv = Server("fault-proxy", [sys.executable, os.path.join(HERE, "fault_proxy.py"), "--listen-port", str(port),
                                 "--upstream", upstream], port)
    env["FLOE_TEST_S3_PROXY"] = srv.url
    return srv


def main(argv):
    # A SIGTERM (timeout, CI) unwinds through `finally` so the servers are stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if "--" not in argv:
        print(__doc__, file=sys.stderr)
        return 2
    split = argv.index("--")
    opts, command = argv[:split], argv[split + 1:]
    env = dict(os.environ)
    servers = []
    try:
        if "--s3" in opts or "--proxy" in opts:
            servers.append(start_s3(env))
        if "--proxy" in opts:
            servers.append(start_proxy(env, servers[0].url))
        code = subprocess.call(command, env=env)
        if code != 0:
            for s in servers:
                s.dump()
        return code
    finally:
        for s in reversed(servers):
            s.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
