#!/usr/bin/env python3
"""`/ask` over HTTP under `qa serve` with wrk, beside a trivial endpoint; before/after the serving model.

    python bench/serving.py [--seconds 10] [--connections 8] [--rounds 2]

Starts the production server (`qa serve`, the same options) on loopback with the bundled
article, measures the time from start to the first healthy response, then runs wrk for a
bounded time against GET /healthz (trivial) and POST /ask (the example questions in
turn), same threads and connections.  The serving models are compared in the same run:
the default (gevent workers, qa/worker.py) and the old one (`--worker-class sync`, sync
workers), both running, measured in turn (`--rounds` times, median), and under the
issue's probe: 120 idle or half-sent connections held while 200 other requests are sent
at once, each given 5 s.  Also times one /ask in-process (Flask test client, no network).
"""
from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import warnings
from pathlib import Path

from common import ROOT, pct, table

warnings.filterwarnings("ignore")
QA = Path(sys.executable).with_name("qa")
EXAMPLES = ROOT / "tests" / "examples" / "questions.jsonl"
MODELS = {"sync": "before: 2 sync workers", "gevent": "after: 2 gevent workers (default)"}

LUA = """
local questions = {%s}
local i = 0
request = function()
  i = i %% #questions + 1
  return wrk.format("POST", "/ask", {["Content-Type"] = "application/json"}, questions[i])
end
"""


def questions() -> list[dict]:
    return [json.loads(line) for line in EXAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]


def in_process(rounds: int = 20) -> dict:
    from qa.app import create_app
    from qa.index import build_index
    from qa.service import Service
    from qa.analysis import Analyzer
    with tempfile.TemporaryDirectory() as tmp:
        analyzer = Analyzer()
        build_index(ROOT / "data", Path(tmp), analyzer)
        service = Service(Path(tmp), analyzer, answer_cache=0)     # compute every answer
        client = create_app({"INDEX": tmp, "SERVICE": service}).test_client()
        times = []
        for _ in range(rounds):
            for ex in questions():
                s = time.perf_counter()
                r = client.post("/ask", json={"question": ex["q"], "history": ex.get("history", [])})
                times.append((time.perf_counter() - s) * 1000)
                assert r.status_code == 200
    return {"requests": len(times), "p50_ms": pct(times, 50), "p95_ms": pct(times, 95)}


def wrk(url: str, seconds: int, connections: int, script: Path | None) -> dict:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"] + (["-s", str(script)] if script else []) + [url]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p99_ms": p99_ms, "non_2xx": int(errors.group(1)) if errors else 0,
            "socket_errors": socket_errors.group(1) if socket_errors else ""}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def qa_serve(index: Path, answer_cache: int = 1024, worker_class: str = "gevent"):
    """`qa serve` on a free loopback port; yields (port, seconds from start to healthy)."""
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen([str(QA), "serve", "--index", str(index), "--data", str(ROOT / "data"),
                             "--port", str(port), "--answer-cache", str(answer_cache),
                             "--worker-class", worker_class],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None or time.perf_counter() - started > 30:
                    raise SystemExit("qa serve did not start")
                time.sleep(0.02)
        yield port, time.perf_counter() - started
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def ask_script(folder: Path) -> Path:
    bodies = ",".join(json.dumps(json.dumps({"question": ex["q"], "history": ex.get("history", [])},
                                            ensure_ascii=False), ensure_ascii=False) for ex in questions())
    script = folder / "ask.lua"
    script.write_text(LUA % bodies, encoding="utf-8")
    return script


def endpoints(port: int, seconds: int, connections: int, script: Path) -> dict:
    base = f"http://127.0.0.1:{port}"
    return {"trivial": wrk(base + "/healthz", seconds, connections, None),
            "ask": wrk(base + "/ask", seconds, connections, script)}


def held_probe(port: int, timeout: float = 5.0) -> dict:
    """The issue's probe: 120 connections held (60 silent, 40 half headers, 20 half a body) while
    200 well-formed requests (GET /healthz, POST /ask in turn) are sent at once, each given `timeout`."""
    body = json.dumps({"question": questions()[0]["q"]}, ensure_ascii=False).encode("utf-8")
    post = (b"POST /ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
            % len(body))
    raws = [b""] * 60 + [b"GET /healthz HTTP/1.1\r\nHost: x\r\nUser-Ag"] * 40 + [post + body[: len(body) // 2]] * 20
    held = []
    for raw in raws:
        held.append(socket.create_connection(("127.0.0.1", port), timeout=30))
        held[-1].sendall(raw)
    time.sleep(0.5)
    times: list[float] = []

    def one(i: int) -> None:
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            if i % 2:
                conn.request("GET", "/healthz")
            else:
                conn.request("POST", "/ask", body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            if response.status == 200 and time.perf_counter() - started <= timeout:
                times.append((time.perf_counter() - started) * 1000)
        except OSError:
            pass
        finally:
            conn.close()

    pool = [threading.Thread(target=one, args=(i,)) for i in range(200)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    for sock in held:
        sock.close()
    return {"ok": len(times), "sent": 200, "p99_ms": pct(times, 99) if times else None}


def compare_models(index: Path, script: Path, seconds: int, connections: int, rounds: int) -> dict:
    """Both models running, measured in turn `rounds` times: median req/s and p99 of each endpoint."""
    runs: dict[str, list[dict]] = {model: [] for model in MODELS}
    with qa_serve(index, 1024, "sync") as (old, _), qa_serve(index, 1024, "gevent") as (new, _):
        for _ in range(rounds):
            for model, port in (("sync", old), ("gevent", new)):
                runs[model].append(endpoints(port, seconds, connections, script))
    return {model: {ep: {"rps": statistics.median(r[ep]["rps"] for r in rs),
                         "p99_ms": statistics.median(r[ep]["p99_ms"] for r in rs),
                         "non_2xx": sum(r[ep]["non_2xx"] for r in rs), "runs": [r[ep]["rps"] for r in rs]}
                    for ep in ("trivial", "ask")}
            for model, rs in runs.items()}


def over_http(seconds: int, connections: int, rounds: int) -> dict:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk (or make system-deps)")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        index = tmp / "index"
        subprocess.run([str(QA), "index", "--data", str(ROOT / "data"), "--out", str(index)],
                       check=True, capture_output=True)
        script = ask_script(tmp)
        models = compare_models(index, script, seconds, connections, rounds)
        with qa_serve(index, 0) as (port, healthy_off):
            cache_off = endpoints(port, seconds, connections, script)
        held, healthy = {}, {}
        for model in MODELS:
            with qa_serve(index, 1024, model) as (port, healthy[model]):
                held[model] = held_probe(port)
    on = models["gevent"]
    return {"models": models, "held": held, "healthy_s": healthy, "healthy_cache_off_s": healthy_off,
            "cache_on": {"trivial": on["trivial"], "ask": on["ask"], "ratio": on["ask"]["rps"] / on["trivial"]["rps"]},
            "cache_off": {**cache_off, "ratio": cache_off["ask"]["rps"] / cache_off["trivial"]["rps"]}}


def main() -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=2, help="turns of the before/after comparison (median)")
    args = ap.parse_args()
    local = in_process()
    http_ = over_http(args.seconds, args.connections, args.rounds)
    client = f"wrk -t2 -c{args.connections} -d{args.seconds}s, loopback"
    print("\n### Service (bundled article)\n")
    print(f"In-process POST /ask, answer computed every time (Flask test client, {local['requests']} "
          f"requests over the 20 examples): p50 {local['p50_ms']:.2f} ms, p95 {local['p95_ms']:.2f} ms.\n")
    rows = []
    for label in ("cache_on", "cache_off"):
        run, name = http_[label], {"cache_on": "answer cache on (default)", "cache_off": "answer cache off"}[label]
        rows.append([f"GET /healthz (trivial), {name}", run["trivial"]["rps"], run["trivial"]["p99_ms"],
                     run["trivial"]["non_2xx"], ""])
        rows.append([f"POST /ask (examples in turn), {name}", run["ask"]["rps"], run["ask"]["p99_ms"],
                     run["ask"]["non_2xx"], f"{100 * run['ratio']:.0f}%"])
    print(table([f"server: qa serve (default: gunicorn, 2 gevent workers); client: {client}", "req/s", "p99 ms",
                 "non-2xx", "/ask vs trivial"], rows))
    print(f"\n#### Serving model, before and after (both servers up, measured in turn, median of "
          f"{args.rounds} rounds)\n")
    old, new = http_["models"]["sync"], http_["models"]["gevent"]
    rows = [[label, old[ep]["rps"], new[ep]["rps"], f"{new[ep]['rps'] / old[ep]['rps']:.2f}x",
             old[ep]["p99_ms"], new[ep]["p99_ms"]]
            for label, ep in (("GET /healthz", "trivial"), ("POST /ask, answer cache on", "ask"))]
    print(table([f"{client}", "sync req/s", "gevent req/s", "gevent / sync", "sync p99 ms", "gevent p99 ms"], rows))
    held = http_["held"]
    print("\nRequests answered within 5 s while 120 connections are held (60 silent, 40 half the headers, "
          "20 half a body): " + "; ".join(
              f"{MODELS[m]} {h['ok']}/{h['sent']}" + (f" (p99 {h['p99_ms']:.0f} ms)" if h["p99_ms"] else "")
              for m, h in held.items()) + ".")
    print("\n`qa serve` healthy " + ", ".join(f"{s:.2f} s ({m})" for m, s in http_["healthy_s"].items())
          + " after start (index already built).")
    return {"in_process": local, "http": http_}


if __name__ == "__main__":
    main()
