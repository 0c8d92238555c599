#!/usr/bin/env python3
"""Full build vs incremental rebuild after one article changed, on about 2,000 articles.

    python bench/incremental.py [--full-runs 5] [--edits 9]

The corpus is every article of the external benchmarks (JSQuAD's 1,145 paragraphs and
CMRC 2018's 848, one file each: 1,993 articles).  Each build runs in a fresh process, as
`qa index` does, and is timed inside it around `build_index` only (Python and the
analyser's dictionaries loaded before the clock starts).  A full build writes into an
empty index folder; an incremental one rebuilds the same folder after one article
(first, middle or last in turn) gained a sentence.  Figures are medians; the last
incremental build is checked to give the same index version as a full build.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import EXTERNAL, table

DATASETS = ("jsquad", "cmrc2018")


def make_corpus(folder: Path) -> int:
    """Every article of the external datasets in one folder."""
    folder.mkdir(parents=True, exist_ok=True)
    n = 0
    for name in DATASETS:
        for article in sorted((EXTERNAL / name / "articles").glob("*.md")):
            shutil.copyfile(article, folder / article.name)
            n += 1
    return n


def build_once(data: Path, out: Path) -> dict:
    """One timed build in this process (the analyser loaded first), with the time of each stage."""
    from qa.analysis import Analyzer
    from qa.index import build_index
    analyzer = Analyzer()
    marks: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        marks.setdefault(stage, time.perf_counter())

    started = time.perf_counter()
    r = build_index(data, out, analyzer, progress)
    ended = time.perf_counter()
    times = sorted(marks.values()) + [ended]
    stages = {stage: times[times.index(t) + 1] - t for stage, t in marks.items()}
    return {"seconds": ended - started, "version": r.version, "analysed": r.analysed,
            "articles": r.articles, "passages": r.passages, "stages": stages}


def build(data: Path, out: Path) -> dict:
    cmd = [sys.executable, __file__, "--step", "build", "--data", str(data), "--out", str(out)]
    run = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(run.stdout.strip().splitlines()[-1])


def edit(article: Path, n: int) -> None:
    text = article.read_text(encoding="utf-8")
    article.write_text(text.rstrip("\n") + f"この記事は第{n}版で追記された。\n", encoding="utf-8")


def measure(full_runs: int, edits: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        data, index = Path(tmp) / "data", Path(tmp) / "index"
        make_corpus(data)
        full = [build(data, Path(tmp) / f"full{i}") for i in range(full_runs)]
        build(data, index)
        names = sorted(p.name for p in data.iterdir())
        incremental = []
        for i in range(edits):
            edit(data / names[[0, len(names) // 2, len(names) - 1][i % 3]], i)
            incremental.append(build(data, index))
        check = build(data, Path(tmp) / "check")
    f = statistics.median(r["seconds"] for r in full)
    inc = statistics.median(r["seconds"] for r in incremental)
    stages = {k: (statistics.median(r["stages"].get(k, 0) for r in full),
                  statistics.median(r["stages"].get(k, 0) for r in incremental)) for k in full[0]["stages"]}
    return {"articles": full[0]["articles"], "passages": full[0]["passages"], "full_s": f, "incremental_s": inc,
            "stages": stages,
            "ratio": inc / f, "full_runs": [r["seconds"] for r in full],
            "incremental_runs": [r["seconds"] for r in incremental],
            "analysed": sorted({r["analysed"] for r in incremental}),
            "identical": incremental[-1]["version"] == check["version"]}


def main() -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full-runs", type=int, default=5)
    ap.add_argument("--edits", type=int, default=9)
    ap.add_argument("--step", choices=["build"], help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.step == "build":
        print(json.dumps(build_once(args.data, args.out)))
        return {}
    print("incremental: full builds and one-article rebuilds ...", file=sys.stderr, flush=True)
    r = measure(args.full_runs, args.edits)
    print("\n### Incremental rebuild (one article changed among all the external articles)\n")
    print(table(["articles", "passages", "full build s", "rebuild after one edit s", "rebuild / full",
                 "articles analysed", "same version as a full build"],
                [[r["articles"], r["passages"], r["full_s"], r["incremental_s"], f"{100 * r['ratio']:.1f}%",
                  ",".join(map(str, r["analysed"])), "yes" if r["identical"] else "NO"]]))
    print(f"\nmedians of {len(r['full_runs'])} full builds "
          f"({', '.join(f'{s:.2f}' for s in r['full_runs'])} s) and {len(r['incremental_runs'])} rebuilds "
          f"({', '.join(f'{s:.2f}' for s in r['incremental_runs'])} s); each timed inside its own process, "
          f"start-up excluded")
    print("\n" + table(["stage (median s)", "full build", "rebuild after one edit"],
                        [[k, full, inc] for k, (full, inc) in r["stages"].items()]))
    return r


if __name__ == "__main__":
    main()
