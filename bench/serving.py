#!/usr/bin/env python3
"""`/ask` over HTTP under `qa serve` with wrk, beside a trivial endpoint; in-process /ask.

    python bench/http.py [--seconds 10] [--connections 8]

Starts the production server (gunicorn, the same options as `qa serve`) on loopback with
the bundled article, measures the time from start to the first healthy response, then
runs wrk for a bounded time against GET /healthz (trivial) and POST /ask (the example
questions in turn), same threads and connections.  Also times one /ask in-process
(Flask test client, no network) over the example questions.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import warnings
from pathlib import Path

from common import ROOT, pct, table

warnings.filterwarnings("ignore")
QA = Path(sys.executable).with_name("qa")
EXAMPLES = ROOT / "tests" / "examples" / "questions.jsonl"

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


def over_http(seconds: int, connections: int, answer_cache: int) -> dict:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk (or make system-deps)")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        subprocess.run([str(QA), "index", "--data", str(ROOT / "data"), "--out", str(tmp / "index")],
                       check=True, capture_output=True)
        bodies = ",".join(json.dumps(json.dumps({"question": ex["q"], "history": ex.get("history", [])},
                                                ensure_ascii=False), ensure_ascii=False) for ex in questions())
        script = tmp / "ask.lua"
        script.write_text(LUA % bodies, encoding="utf-8")
        port = 18000 + int(time.time()) % 1000
        started = time.perf_counter()
        proc = subprocess.Popen([str(QA), "serve", "--index", str(tmp / "index"), "--data", str(ROOT / "data"),
                                 "--port", str(port), "--answer-cache", str(answer_cache)],
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
            healthy_s = time.perf_counter() - started
            base = f"http://127.0.0.1:{port}"
            trivial = wrk(base + "/healthz", seconds, connections, None)
            ask = wrk(base + "/ask", seconds, connections, script)
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    return {"healthy_s": healthy_s, "trivial": trivial, "ask": ask, "ratio": ask["rps"] / trivial["rps"]}


def main() -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=8)
    args = ap.parse_args()
    local = in_process()
    runs = {"answer cache on (default)": over_http(args.seconds, args.connections, 1024),
            "answer cache off": over_http(args.seconds, args.connections, 0)}
    print(f"\n### Service (bundled article)\n")
    print(f"In-process POST /ask, answer computed every time (Flask test client, {local['requests']} "
          f"requests over the 20 examples): p50 {local['p50_ms']:.2f} ms, p95 {local['p95_ms']:.2f} ms.\n")
    rows = []
    for label, http in runs.items():
        rows.append([f"GET /healthz (trivial), {label}", http["trivial"]["rps"], http["trivial"]["p99_ms"],
                     http["trivial"]["non_2xx"], ""])
        rows.append([f"POST /ask (examples in turn), {label}", http["ask"]["rps"], http["ask"]["p99_ms"],
                     http["ask"]["non_2xx"], f"{100 * http['ratio']:.0f}%"])
    print(table(["server: qa serve (gunicorn, 2 sync workers); client: wrk -t2 -c%d -d%ds, loopback"
                 % (args.connections, args.seconds), "req/s", "p99 ms", "non-2xx", "/ask vs trivial"], rows))
    print("\n`qa serve` healthy " + ", ".join(f"{h['healthy_s']:.2f} s" for h in runs.values())
          + " after start (index already built).")
    return {"in_process": local, "http": runs}


if __name__ == "__main__":
    main()
