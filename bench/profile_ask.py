#!/usr/bin/env python3
"""Where one distinct /ask spends its time: cProfile over Service.ask, answer cache off.

    python bench/profile_ask.py [--index DIR] [--questions 1000] [--top 25]

The index is all JSQuAD and CMRC 2018 articles (built here unless `--index` names one);
the questions are theirs in a shuffled order (Japanese and Chinese in their proportion,
58:42), each asked once after 300 others warmed the process.  Prints
ms per question without the profiler, the share of each step of the answer, and the
functions with the most cumulative time.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import distinct

QA = Path(sys.executable).with_name("qa")
STEPS = [("reading the question (understand)", "answer.py", "chat_frame"),
         ("retrieval (gather.passages)", "gather.py", "passages"),
         ("the operation (operate)", "operate/__init__.py", "operate"),
         ("highlighting the returned passages", "answer.py", "passage_json"),
         ("rendering and localising", "render.py", "answer_json")]


def cumulative(stats: pstats.Stats, file: str, name: str) -> float:
    return sum(v[3] for (path, _, func), v in stats.stats.items() if path.endswith(file) and func == name)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path)
    ap.add_argument("--questions", type=int, default=1000)
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    from qa.analysis import Analyzer
    from qa.service import Service
    asked = distinct.questions(["jsquad", "cmrc2018"])
    with tempfile.TemporaryDirectory() as tmp:
        index = args.index
        if index is None:
            index = Path(tmp) / "index"
            subprocess.run([str(QA), "index", "--data", str(distinct.corpus(Path(tmp), ["jsquad", "cmrc2018"])),
                            "--out", str(index)], check=True, capture_output=True)
        service = Service(index, Analyzer(), answer_cache=0)
        mixed = random.Random(0).sample(asked, len(asked))              # both languages, in their proportion
        for q in mixed[:300]:
            service.ask(q)
        plain, profiled = mixed[300:300 + args.questions], mixed[300 + args.questions:300 + 2 * args.questions]
        started = time.perf_counter()
        for q in plain:
            service.ask(q)
        ms = (time.perf_counter() - started) * 1000 / len(plain)
        profiler = cProfile.Profile()
        profiler.enable()
        for q in profiled:
            service.ask(q)
        profiler.disable()
    stats = pstats.Stats(profiler)
    total = cumulative(stats, "service.py", "ask")
    print(f"{ms:.2f} ms per distinct question without the profiler ({len(plain)} questions); "
          f"with it {1000 * total / len(profiled):.2f} ms ({len(profiled)} others)\n")
    print("| step | share of Service.ask |\n|---|---:|")
    for label, file, name in STEPS:
        print(f"| {label} | {100 * cumulative(stats, file, name) / total:.0f}% |")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
    print("\n" + out.getvalue())


if __name__ == "__main__":
    main()
