"""One helper to run `floe serve` in tests: a loopback port it picks (--listen 127.0.0.1:0 --port-file), readiness
wait on GET /health, the log shown when a check fails, SIGTERM (or SIGKILL) to stop; and the serve scripts' command
line, `FLOE [--records N]`."""
import argparse, os, signal, subprocess, tempfile, time, urllib.request


def parse_args(records):
    """The command line `FLOE [--records N]` of a floe serve script (N defaults to `records`); FLOE made absolute."""
    ap = argparse.ArgumentParser()
    ap.add_argument("floe")
    ap.add_argument("--records", type=int, default=records)
    a = ap.parse_args()
    a.floe = os.path.abspath(a.floe)
    return a


class Server:
    def __init__(self, floe, warehouse, *extra, log_dir=None):
        self.floe, self.warehouse, self.extra = floe, warehouse, list(extra)
        self.log_dir = log_dir or tempfile.mkdtemp(prefix="floe-serve-log-")
        self.proc, self.port, self.starts = None, None, 0

    def start(self, timeout=60):
        self.starts += 1
        port_file = os.path.join(self.log_dir, f"port-{self.starts}")
        self.log_path = os.path.join(self.log_dir, f"serve-{self.starts}.log")
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([self.floe, "serve", "--warehouse", self.warehouse, "--listen", "127.0.0.1:0",
                                      "--port-file", port_file] + self.extra, stdout=log, stderr=log)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"floe serve exited with {self.proc.returncode}:\n{self.log()}")
            try:
                self.port = int(open(port_file).read().strip())
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=5) as r:
                    if r.status == 200:
                        return self
            except (OSError, ValueError):
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError("floe serve did not become healthy:\n" + self.log())

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def log(self):
        try:
            return open(self.log_path, errors="replace").read()[-4000:]
        except OSError:
            return ""

    def stop(self, timeout=60):
        """SIGTERM: every buffer is published, then the process exits 0."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise RuntimeError("floe serve did not stop within %ss of SIGTERM:\n%s" % (timeout, self.log()))
        return self.proc.returncode if self.proc else None

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.kill()
