#!/usr/bin/env python3
"""Memory of a loaded index: resident KB per passage in one process, and `qa serve` with 1 vs 4 workers (PSS).

    python bench/memory.py [--passages 100000 | --index DIR] [--asks 300]

The index is a synthetic corpus of about `--passages` passages made as bench/scaling.py
makes its corpora (large enough that what is per passage outweighs what is per process),
unless `--index` names one already built; the questions are JSQuAD's and CMRC 2018's.
- Per passage: a fresh process loads the analyser and asks `--asks` distinct questions of
  the bundled article (so the dictionaries and the analyser's caches are in), then loads
  the index and asks them again (so the pages and structures a query touches are in); the
  growth of its resident set (RSS) and of its private memory (USS: pages no other process
  shares) from before the load, divided by the passages.  Index files on disk beside it.
- Workers: `qa serve --workers 1` and `--workers 4` in turn, every worker warmed with the
  same distinct questions; the sum of PSS (each shared page split between the processes
  that map it) over the master and its workers, from /proc/<pid>/smaps_rollup.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import distinct
import scaling
from common import ROOT, children, table

QA = Path(sys.executable).with_name("qa")


def memory_of(pid: int) -> dict[str, float]:
    """RSS, PSS and USS (private clean + dirty) of one process, in MB."""
    out = {"rss": 0.0, "pss": 0.0, "uss": 0.0}
    with open(f"/proc/{pid}/smaps_rollup", encoding="utf-8") as f:
        for line in f:
            key, _, rest = line.partition(":")
            kb = int(rest.split()[0]) if rest.strip() and rest.split()[0].isdigit() else 0
            if key == "Rss":
                out["rss"] = kb / 1024
            elif key == "Pss":
                out["pss"] = kb / 1024
            elif key in ("Private_Clean", "Private_Dirty"):
                out["uss"] += kb / 1024
    return out


def per_passage(index: Path, asked: list[str]) -> dict:
    """In this (fresh) process: growth of RSS and USS from loading the index and asking."""
    from qa.analysis import Analyzer
    from qa.index import build_index, load_index
    from qa.service import Service
    analyzer = Analyzer()
    with tempfile.TemporaryDirectory() as tmp:          # the analyser's dictionaries and caches in first:
        small = Path(tmp) / "index"                     # the same questions over the bundled article
        build_index(ROOT / "data", small, analyzer)
        warm = Service(small, analyzer, answer_cache=0)
        for q in asked:
            warm.ask(q)
        del warm
    gc.collect()
    before = memory_of(os.getpid())
    started = time.perf_counter()
    load_index(index, analyzer)                             # (a first load, timed, then dropped)
    load_s = time.perf_counter() - started
    service = Service(index, analyzer, answer_cache=0)
    loaded = memory_of(os.getpid())
    for q in asked:
        service.ask(q)
    after = memory_of(os.getpid())
    n = len(service.index.passages)
    folder = Path(service.index.path)
    disk = sum(f.stat().st_size for f in folder.iterdir() if f.is_file())
    return {"passages": n, "load_s": load_s, "disk_mb": disk / 2**20,
            "rss_loaded_kb": (loaded["rss"] - before["rss"]) * 1024 / n,
            "rss_kb": (after["rss"] - before["rss"]) * 1024 / n,
            "uss_kb": (after["uss"] - before["uss"]) * 1024 / n}


def served(index: Path, workers: int, asked: list[str]) -> dict:
    """Sum of PSS/RSS/USS over qa serve's processes, every worker warmed with `asked`."""
    port = distinct.free_port()
    proc = distinct.serve(index, port, workers)
    try:
        url = f"http://127.0.0.1:{port}/ask"
        for _ in range(2):                                   # each worker sees (most of) them
            for q in asked:
                req = urllib.request.Request(url, json.dumps({"question": q}).encode(),
                                             {"Content-Type": "application/json"})
                urllib.request.urlopen(req, timeout=30).read()
        time.sleep(0.5)
        pids = [proc.pid] + children(proc.pid)
        mems = [memory_of(p) for p in pids]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return {"workers": workers, "processes": len(pids),
            **{k: sum(m[k] for m in mems) for k in ("rss", "pss", "uss")}}


def main() -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, help="an index already built (else a synthetic corpus, built here)")
    ap.add_argument("--passages", type=int, default=100_000)
    ap.add_argument("--datasets", default="jsquad,cmrc2018")
    ap.add_argument("--asks", type=int, default=300)
    ap.add_argument("--step", choices=["passage"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    datasets = args.datasets.split(",")
    asked = distinct.questions(datasets)[:: max(1, len(distinct.questions(datasets)) // args.asks)][: args.asks]
    if args.step == "passage":
        print(json.dumps(per_passage(args.index, asked)))
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        index = args.index
        if index is None:
            index = Path(tmp) / "index"
            print(f"memory: indexing about {args.passages:,} passages ...", file=sys.stderr, flush=True)
            data = Path(tmp) / "data"
            data.mkdir()
            scaling.make_corpus(data, args.passages)
            subprocess.run([str(QA), "index", "--data", str(data), "--out", str(index)], check=True, capture_output=True)
        cmd = [sys.executable, __file__, "--step", "passage", "--index", str(index), "--asks", str(args.asks),
               "--datasets", args.datasets]
        one = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()[-1])
        serve = [served(index, w, asked) for w in (1, 4)]
    ratio = serve[1]["pss"] / serve[0]["pss"]
    what = "(synthetic, as bench/scaling.py)" if args.index is None else f"in {args.index}"
    print(f"\n### Memory ({one['passages']:,} passages {what}; index files "
          f"{one['disk_mb']:.1f} MB on disk)\n")
    print(table(["one process: growth from loading the index and asking {} distinct questions".format(args.asks),
                 "KB per passage"],
                [["resident (RSS) just after loading", one["rss_loaded_kb"]],
                 ["resident (RSS) after the questions", one["rss_kb"]],
                 ["private (USS: not shared with other processes) after the questions", one["uss_kb"]]]))
    print(f"\nLoad: {one['load_s']:.2f} s.\n")
    print(table(["qa serve, every worker warmed with the questions", "processes", "PSS MB", "RSS MB", "USS MB"],
                [[f"--workers {s['workers']}", s["processes"], s["pss"], s["rss"], s["uss"]] for s in serve]))
    print(f"\n4 workers vs 1 (PSS): **{ratio:.2f}x**")
    return {"per_passage": one, "serve": serve, "ratio_4_vs_1": ratio}


if __name__ == "__main__":
    main()
