#!/usr/bin/env python3
"""`/ask` on thousands of distinct questions beside `/healthz`, same `qa serve`, answer cache off.

    python bench/distinct.py [--seconds 10] [--connections 8] [--rounds 3] [--datasets jsquad,cmrc2018]
                             [--index DIR] [--no-bundled]

Two indexes, one server each: the external benchmarks' article folders (JSQuAD's and CMRC
2018's paragraphs, one file each, in one folder: 15,288 passages), and the bundled article
(what `make run` serves).  The questions are all of the benchmarks'
(4,442 Japanese and 3,219 Chinese), so no question repeats within a run of wrk: each wrk
thread starts at its own place in the list and goes round it.  The server is the
production one (`qa serve`, 2 gevent workers) with `--answer-cache 0`; the analyser's
own cache of analysed texts (1,024 texts a worker) cannot hold the thousands of questions
either.  GET /healthz and POST /ask are measured in turn on the same server, `--rounds`
times; the ratio is of the medians.  Beside each, the server's CPU time per request (its
master's and workers' user + system time over the run, divided by the requests): steadier
than req/s on a shared machine, whose /healthz rate swings with other load.  Also prints
the time one /ask takes in-process over the same questions (Service.ask, answer cache off).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from common import EXTERNAL, ROOT, children, pct, table

QA = Path(sys.executable).with_name("qa")

LUA = """
local questions = {%s}
local counter = 0
local nthreads = %d
function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
end
function init(args)
  i = math.floor(offset * #questions / nthreads)
end
request = function()
  i = i %% #questions + 1
  return wrk.format("POST", "/ask", {["Content-Type"] = "application/json"}, questions[i])
end
"""


def corpus(folder: Path, datasets: list[str]) -> Path:
    """One data folder with the articles of every dataset (copies: a build refuses links out of its folder)."""
    data = folder / "data"
    data.mkdir()
    for name in datasets:
        for f in sorted((EXTERNAL / name / "articles").iterdir()):
            shutil.copyfile(f, data / f"{name}-{f.name}")
    return data


def questions(datasets: list[str]) -> list[str]:
    out = []
    for name in datasets:
        out += [json.loads(line)["question"] for line in open(EXTERNAL / name / "questions.jsonl", encoding="utf-8")]
    return list(dict.fromkeys(out))


def wrk(url: str, seconds: int, connections: int, script: Path | None) -> dict:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"] + (["-s", str(script)] if script else []) + [url]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = {}
    for q in ("50", "99"):
        m = re.search(rf"{q}%\s+([\d.]+)(us|ms|s)", out)
        lat[q] = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return {"rps": rps, "p50_ms": lat["50"], "p99_ms": lat["99"], "requests": total,
            "non_2xx": int(errors.group(1)) if errors else 0}


def serve(index: Path, port: int, workers: int | None = None) -> subprocess.Popen:
    cmd = [str(QA), "serve", "--index", str(index), "--port", str(port), "--answer-cache", "0"]
    if workers:
        cmd += ["--workers", str(workers)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started = time.perf_counter()
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return proc
        except OSError:
            if proc.poll() is not None or time.perf_counter() - started > 120:
                proc.kill()
                raise SystemExit("qa serve did not start")
            time.sleep(0.05)


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def in_process(index: Path, asked: list[str], n: int = 1000) -> dict:
    """ms per Service.ask, answer cache off, over n distinct questions (after 200 others)."""
    from qa.analysis import Analyzer
    from qa.service import Service
    service = Service(index, Analyzer(), answer_cache=0)
    for q in asked[-200:]:
        service.ask(q)
    times = []
    step = max(1, len(asked) // n)
    for q in asked[::step][:n]:
        started = time.perf_counter()
        service.ask(q)
        times.append((time.perf_counter() - started) * 1000)
    return {"asks": len(times), "mean_ms": statistics.fmean(times), "p50_ms": pct(times, 50), "p99_ms": pct(times, 99)}


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time so far of these processes (from /proc/<pid>/stat)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:                      # a worker gunicorn replaced: its time is lost, not fatal
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def measured(url: str, args, script: Path | None, pids: list[int]) -> dict:
    """One wrk run, with the server's CPU time per request (its master and workers)."""
    before = cpu_seconds(pids)
    run = wrk(url, args.seconds, args.connections, script)
    return {**run, "server_cpu_ms": (cpu_seconds(pids) - before) * 1000 / max(1, run["requests"])}


def rounds(index: Path, script: Path, args) -> dict:
    """/healthz and /ask (distinct questions) in turn on one `qa serve` of `index`, `--rounds` times."""
    port = free_port()
    proc = serve(index, port)
    runs: dict[str, list[dict]] = {"trivial": [], "ask": []}
    try:
        base = f"http://127.0.0.1:{port}"
        wrk(base + "/ask", 2, args.connections, script)                 # warm up both workers
        pids = [proc.pid] + children(proc.pid)
        for _ in range(args.rounds):
            runs["trivial"].append(measured(base + "/healthz", args, None, pids))
            runs["ask"].append(measured(base + "/ask", args, script, pids))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    med = {ep: {k: statistics.median(r[k] for r in rs) for k in ("rps", "p50_ms", "p99_ms", "server_cpu_ms")}
           for ep, rs in runs.items()}
    return {"runs": runs, "median": med, "ratio": med["ask"]["rps"] / med["trivial"]["rps"],
            "per_round": [a["rps"] / t["rps"] for t, a in zip(runs["trivial"], runs["ask"])]}


def main() -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--datasets", default="jsquad,cmrc2018")
    ap.add_argument("--index", type=Path, help="an index of the datasets' articles already built (else built here)")
    ap.add_argument("--no-bundled", action="store_true", help="skip the same questions over the bundled article")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk (or make system-deps)")
    datasets = args.datasets.split(",")
    asked = questions(datasets)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        indexes = {f"{' + '.join(datasets)} articles": args.index}
        if not args.no_bundled:
            indexes["the bundled article"] = tmp / "bundled"
            subprocess.run([str(QA), "index", "--data", str(ROOT / "data"), "--out", str(tmp / "bundled")],
                           check=True, capture_output=True)
        if args.index is None:
            index = tmp / "index"
            print(f"distinct: indexing {', '.join(datasets)} ...", file=sys.stderr, flush=True)
            subprocess.run([str(QA), "index", "--data", str(corpus(tmp, datasets)), "--out", str(index)],
                           check=True, capture_output=True)
            indexes[f"{' + '.join(datasets)} articles"] = index
        bodies = ",".join(json.dumps(json.dumps({"question": q}, ensure_ascii=False), ensure_ascii=False)
                          for q in asked)
        script = tmp / "distinct.lua"
        script.write_text(LUA % (bodies, 2), encoding="utf-8")
        results = {}
        for label, index in indexes.items():
            results[label] = {**rounds(index, script, args), "in_process": in_process(index, asked)}
    print(f"\n### Distinct questions over HTTP ({len(asked):,} questions of {', '.join(datasets)}, "
          f"answer cache off)\n")
    rows = []
    for label, r in results.items():
        med = r["median"]
        rows += [[f"{label}: GET /healthz", med["trivial"]["rps"], med["trivial"]["p50_ms"], med["trivial"]["p99_ms"],
                  med["trivial"]["server_cpu_ms"], ""],
                 [f"{label}: POST /ask, distinct questions", med["ask"]["rps"], med["ask"]["p50_ms"],
                  med["ask"]["p99_ms"], med["ask"]["server_cpu_ms"], f"**{100 * r['ratio']:.0f}%**"]]
    print(table([f"qa serve (2 gevent workers, --answer-cache 0); wrk -t2 -c{args.connections} -d{args.seconds}s, "
                 f"median of {args.rounds} rounds", "req/s", "p50 ms", "p99 ms", "server CPU ms/request",
                 "/ask vs /healthz"], rows))
    print()
    for label, r in results.items():
        local = r["in_process"]
        cpu = r["median"]
        print(f"- {label}: ratio per round {', '.join(f'{100 * x:.0f}%' for x in r['per_round'])}; server CPU per "
              f"request /healthz over /ask {100 * cpu['trivial']['server_cpu_ms'] / cpu['ask']['server_cpu_ms']:.0f}%; "
              f"requests per "
              f"/ask run {', '.join(str(x['requests']) for x in r['runs']['ask'])} (non-2xx: "
              f"{sum(x['non_2xx'] for x in r['runs']['ask'])}); in-process Service.ask over {local['asks']} of the "
              f"questions (answer cache off): mean {local['mean_ms']:.2f} ms, p50 {local['p50_ms']:.2f} ms, "
              f"p99 {local['p99_ms']:.2f} ms.")
    first = next(iter(results.values()))
    return {"questions": len(asked), "indexes": results, "ratio": first["ratio"], "median": first["median"],
            "runs": first["runs"], "in_process": first["in_process"]}


if __name__ == "__main__":
    main()
