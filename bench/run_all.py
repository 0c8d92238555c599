#!/usr/bin/env python3
"""`make bench`: retrieval quality beside the peers, scaling beside bm25s, incremental rebuilds, HTTP serving,
distinct questions beside /healthz, memory per passage and per worker.

Prints the tables and writes them, with the machine and date, to bench/results/latest.md
(and the raw figures to bench/results/latest.json).  Takes about 20 minutes here, most of
it the peers' rank_bm25 runs and the 100k-passage build.
"""
from __future__ import annotations

import contextlib
import io
import json
import sys

import distinct
import incremental
import memory
import retrieval
import scaling
import serving
from common import RESULTS, machine


def capture(fn, argv: list[str]):
    sys.argv = argv
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = fn()
    text = out.getvalue()
    print(text, flush=True)
    return text, result


def main() -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    sections, raw = [], {}
    for name, fn, argv in [("retrieval", retrieval.main, ["retrieval.py"]),
                           ("scaling", scaling.main, ["scaling.py"]),
                           ("incremental", incremental.main, ["incremental.py"]),
                           ("serving", serving.main, ["serving.py"]),
                           ("distinct", distinct.main, ["distinct.py"]),
                           ("memory", memory.main, ["memory.py"])]:
        text, raw[name] = capture(fn, argv)
        sections.append(text.strip())
    header = f"# Benchmarks\n\nMeasured {machine()} with `make bench`.\n\n"
    (RESULTS / "latest.md").write_text(header + "\n\n".join(sections) + "\n", encoding="utf-8")
    (RESULTS / "latest.json").write_text(json.dumps({"machine": machine(), **raw}, ensure_ascii=False,
                                                    indent=1, default=str), encoding="utf-8")
    print(f"\nwritten: {RESULTS / 'latest.md'}")


if __name__ == "__main__":
    main()
