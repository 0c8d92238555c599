#!/usr/bin/env python3
"""Retrieval quality on JSQuAD and CMRC 2018, beside the peer baselines, in one command.

    python bench/retrieval.py [--limit N] [--no-peers] [--datasets jsquad,cmrc2018]

Each dataset's articles/ folder is indexed with `qa index`'s code (build_index), every
question goes through the service's own question reading and retrieval
(qa.question.understand + qa.retrieve.retrieve), and the gold passage's rank is that of
the first passage of its article (`doc` = the file stem).  The peers come from
shared/bench/external/peers.py, run on the same machine in the same command.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from common import EXTERNAL, pct, table

warnings.filterwarnings("ignore")


def evaluate(name: str, limit: int) -> dict:
    from qa.analysis import Analyzer
    from qa.index import build_index, load_index
    from qa.understand import read_question
    from qa.retrieve import retrieve

    folder = EXTERNAL / name
    questions = [json.loads(line) for line in open(folder / "questions.jsonl", encoding="utf-8")]
    questions = questions[:limit] if limit else questions
    analyzer = Analyzer()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        built = build_index(folder / "articles", Path(tmp), analyzer)
        build_s = time.perf_counter() - t0
        index = load_index(Path(tmp), analyzer)
        ranks, lat = [], []
        for q in questions:
            s = time.perf_counter()
            hits = retrieve(read_question(q["question"], index, analyzer), index)
            lat.append((time.perf_counter() - s) * 1000)
            docs = list(dict.fromkeys(index.passages[h.number].doc for h in hits))[:10]
            ranks.append(docs.index(q["passage_id"]) + 1 if q["passage_id"] in docs else None)
    n = len(questions)
    return {"method": "qa (this project)", "hit@1": sum(r == 1 for r in ranks) / n,
            "hits@1": sum(r == 1 for r in ranks), "n": n,
            "hit@5": sum(1 for r in ranks if r and r <= 5) / n,
            "mrr@10": sum(1 / r for r in ranks if r and r <= 10) / n,
            "build_s": build_s, "passages": built.passages, "p50_ms": pct(lat, 50), "p95_ms": pct(lat, 95)}


def peers(name: str, limit: int) -> list[dict]:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        cmd = [sys.executable, str(EXTERNAL / "peers.py"), str(EXTERNAL / name), "--extras", "--json", out.name]
        if limit:
            cmd += ["--limit", str(limit)]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        return json.load(open(out.name, encoding="utf-8"))["results"]


def main() -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=0, help="only the first N questions of each set")
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--datasets", default="jsquad,cmrc2018")
    args = ap.parse_args()
    report = {}
    for name in args.datasets.split(","):
        print(f"retrieval: {name} ...", file=sys.stderr, flush=True)
        ours = evaluate(name, args.limit)
        rows = [[ours["method"], ours["hit@1"], ours["hit@5"], ours["mrr@10"], ours["p50_ms"], ours["p95_ms"]]]
        others = [] if args.no_peers else peers(name, args.limit)
        for r in others:
            rows.append([r["method"], r["hit@1"], r["hit@5"], r["mrr@10"], r["p50_ms"], r["p95_ms"]])
        report[name] = {"ours": ours, "peers": others}
        print(f"\n### {name}: {ours['n']} questions, {ours['passages']} passages "
              f"(hit@1 {ours['hits@1']}/{ours['n']}; index build {ours['build_s']:.1f} s)\n")
        print(table(["method", "hit@1", "hit@5", "MRR@10", "p50 ms/query", "p95 ms/query"], rows))
    return report


if __name__ == "__main__":
    main()
