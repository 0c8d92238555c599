"""Start the real `qa serve` (gunicorn) on a free loopback port for a test."""
from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

QA = Path(sys.executable).with_name("qa")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str, timeout: float = 5.0) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.loads(r.read().decode("utf-8"))


def post_json(url: str, body: dict, timeout: float = 10.0) -> tuple[int, dict]:
    req = urllib.request.Request(url, data=json.dumps(body).encode("utf-8"),
                                 headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read().decode("utf-8"))
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read().decode("utf-8"))


class Server:
    def __init__(self, proc: subprocess.Popen, port: int, log: Path):
        self.proc, self.port, self.log = proc, port, log
        self.url = f"http://127.0.0.1:{port}"

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextlib.contextmanager
def serve(index: Path | None, data: Path | None, log: Path, workers: int = 2, timeout: float = 30.0,
          args: tuple = (), cwd: Path | None = None):
    """`qa serve [--index INDEX] [--data DATA]` with `args` added, on a free port (in `cwd`);
    stopped with SIGTERM (SIGKILL after 20 s) on exit."""
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [str(QA), "serve", "--port", str(port), "--workers", str(workers), *map(str, args)]
    cmd += ["--index", str(index)] if index is not None else []
    cmd += ["--data", str(data)] if data is not None else []
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True, cwd=cwd)
    server = Server(proc, port, log)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"qa serve exited with {proc.returncode}:\n{server.log_text()}")
            try:
                get_json(server.url + "/healthz", timeout=1.0)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"qa serve not healthy after {timeout} s:\n{server.log_text()}")
                time.sleep(0.1)
        yield server
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def wait_for_version(server: Server, version: str, timeout: float = 30.0, streak: int = 20) -> None:
    """Until `streak` /healthz answers in a row (any worker) name `version`."""
    deadline = time.monotonic() + timeout
    seen = 0
    while seen < streak:
        seen = seen + 1 if get_json(server.url + "/healthz")["index_version"] == version else 0
        if time.monotonic() > deadline:
            raise AssertionError(f"qa serve did not move to {version}:\n{server.log_text()[-3000:]}")
        time.sleep(0.02)
