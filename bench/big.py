#!/usr/bin/env python3
"""`make bench-big`: a million passages built, loaded, asked and served, as one table.

    python bench/big.py [--passages 1000000] [--queries 500] [--keep DIR]

The corpus is made from the external benchmarks' sentences as bench/scaling.py makes its
1k-100k ones (articles of a title and 5 spliced sentences, Japanese and Chinese in turn).
Then, each in its own process:
  build   `qa index` (every core), wall time and peak resident memory
  load    load_index in a fresh process (checksums checked against verified.json)
  query   qa.retrieve.search on distinct JSQuAD/CMRC questions: p50/p99 ms, just after
          the load and after 300 other distinct questions (the figure held to the target)
  memory  resident KB per passage after loading and asking (bench/memory.py's measure), and
          `qa serve` with 1 and 2 workers, every worker warmed: the sum of PSS
  HTTP    `/ask` p50/p99 through `qa serve` (2 workers, answer cache off), one client in turn
Not part of `make test` or `make bench`: it takes about 15 minutes and 6 GB of disk here.
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import distinct
import memory
import scaling
from common import RESULTS, machine, pct, table

QA = Path(sys.executable).with_name("qa")
WARM_QUESTIONS = 300          # other distinct questions searched before the timed ones


def build(data: Path, out: Path) -> dict:
    started = time.perf_counter()
    r = subprocess.run([str(QA), "index", "--data", str(data), "--out", str(out)],
                       capture_output=True, text=True)
    wall = time.perf_counter() - started
    if r.returncode:
        raise SystemExit(f"qa index failed: {r.stderr[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024      # MB, the largest child
    counts = r.stdout.splitlines()[0]
    return {"build_s": wall, "build_peak_mb": peak, "built": counts}


def load_and_query(out: Path, asked: list[str], others: list[str]) -> dict:
    """In a fresh process: load time, then search() on each distinct question, first just
    after the load (the index's pages not yet mapped in), then again after `others` (other
    distinct questions) were searched, as in a server that has been answering for a while."""
    from qa.analysis import Analyzer
    from qa.index import load_index
    from qa.retrieve import search
    from qa.understand import read_question
    analyzer = Analyzer()
    started = time.perf_counter()
    index = load_index(out, analyzer)
    load_s = time.perf_counter() - started
    frames = [read_question(q, index, analyzer) for q in asked]

    def timed() -> list[float]:
        times = []
        for q in frames:
            started = time.perf_counter()
            search(q, index, None)
            times.append((time.perf_counter() - started) * 1000)
        return times
    cold = timed()
    for q in others:
        search(read_question(q, index, analyzer), index, None)
    warm = timed()
    return {"load_s": load_s, "passages": len(index.passages), "query_p50": pct(warm, 50), "query_p99": pct(warm, 99),
            "cold_p50": pct(cold, 50), "cold_p99": pct(cold, 99)}


def http_asks(index: Path, asked: list[str]) -> dict:
    port = distinct.free_port()
    proc = distinct.serve(index, port, 2)
    times = []
    try:
        for q in asked:
            req = urllib.request.Request(f"http://127.0.0.1:{port}/ask", json.dumps({"question": q}).encode(),
                                         {"Content-Type": "application/json"})
            started = time.perf_counter()
            urllib.request.urlopen(req, timeout=60).read()
            times.append((time.perf_counter() - started) * 1000)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return {"ask_p50": pct(times, 50), "ask_p99": pct(times, 99)}


def main() -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--passages", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=500)
    ap.add_argument("--keep", type=Path, help="keep the corpus and index in this folder (reused when there)")
    ap.add_argument("--step", choices=["query"], help=argparse.SUPPRESS)
    ap.add_argument("--index", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    questions = distinct.questions(["jsquad", "cmrc2018"])
    picked = random.Random(3).sample(questions, args.queries + WARM_QUESTIONS)
    asked, others = picked[:args.queries], picked[args.queries:]
    if args.step == "query":
        print(json.dumps(load_and_query(args.index, asked, others)))
        return {}
    tmp = None
    if args.keep:
        folder = args.keep
        folder.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory()
        folder = Path(tmp.name)
    data, out = folder / "data", folder / "index"
    try:
        row: dict = {"passages_asked": args.passages}
        if not data.exists():
            print(f"big: writing a corpus of about {args.passages:,} passages ...", file=sys.stderr, flush=True)
            data.mkdir()
            scaling.make_corpus(data, args.passages)
        print("big: qa index ...", file=sys.stderr, flush=True)
        row.update(build(data, out))
        print("big: load and query ...", file=sys.stderr, flush=True)
        cmd = [sys.executable, __file__, "--step", "query", "--index", str(out), "--queries", str(args.queries)]
        row.update(json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()[-1]))
        print("big: memory ...", file=sys.stderr, flush=True)
        cmd = [sys.executable, memory.__file__, "--step", "passage", "--index", str(out), "--asks", "300"]
        row["memory"] = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()[-1])
        row["serve"] = [memory.served(out, w, asked[:300]) for w in (1, 2)]
        print("big: /ask through HTTP ...", file=sys.stderr, flush=True)
        row.update(http_asks(out, asked))
    finally:
        if tmp:
            tmp.cleanup()
    m, s1, s2 = row["memory"], row["serve"][0], row["serve"][1]
    text = "\n".join([
        f"\n### A million passages (`make bench-big`; {row['passages']:,} passages; {machine()})\n",
        table(["measure", "value", "target"], [
            ["build (`qa index`, every core), s", row["build_s"], ""],
            ["build peak resident memory (largest process), MB", row["build_peak_mb"], ""],
            ["load (fresh process, checksums against verified.json), s", row["load_s"], "< 10"],
            ["query (qa.retrieve.search) p50 / p99, ms, after 300 other questions",
             f"{row['query_p50']:.2f} / {row['query_p99']:.2f}", "p50 < 20"],
            ["query p50 / p99, ms, the first questions after loading",
             f"{row['cold_p50']:.2f} / {row['cold_p99']:.2f}", ""],
            ["/ask through HTTP (2 workers, answer cache off) p50 / p99, ms",
             f"{row['ask_p50']:.2f} / {row['ask_p99']:.2f}", ""],
            ["resident KB per passage after loading", m["rss_loaded_kb"], ""],
            ["resident KB per passage after 300 distinct questions", m["rss_kb"], "<= 3"],
            ["qa serve PSS, 1 worker (master + worker), MB", s1["pss"], ""],
            ["qa serve PSS, 2 workers (master + workers), MB", s2["pss"], ""],
            ["2 workers vs 1 (PSS)", f"{s2['pss'] / s1['pss']:.2f}x", ""],
            ["index files on disk, MB", m["disk_mb"], ""],
        ]),
        f"\n`qa index` said: {row['built']}",
    ])
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "big.md").write_text(text.strip() + "\n", encoding="utf-8")
    (RESULTS / "big.json").write_text(json.dumps(row, indent=1, default=str), encoding="utf-8")
    return row


if __name__ == "__main__":
    main()
