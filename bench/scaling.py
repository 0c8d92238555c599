#!/usr/bin/env python3
"""Index build (every core, and one process), load, query time and memory at 1k, 10k and 100k passages, beside bm25s.

    python bench/scaling.py [--sizes 1000,10000,100000] [--queries 500]

The synthetic corpora are built from the external benchmarks' passages: each article is
a title and a paragraph of sentences, every sentence spliced from halves of two real
sentences of one language (Japanese from JSQuAD, Chinese from CMRC 2018), so texts are
unique and the vocabulary grows with the corpus.  Each size is measured in fresh
processes: one builds the index (`build_index`, as `qa index`), one loads it and asks.
Query time is on the same analysed terms for every engine:
  qa search    the service's ranking (claim + window + paragraph, qa.retrieve.search)
  qa bm25      one BM25 row per passage (qa.bm25.BM25Index.top, = rank_bm25's BM25Plus)
  bm25s        bm25s 0.3 (numpy backend) indexed on the same passage terms
"""
from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from common import EXTERNAL, pct, rss_mb, table

warnings.filterwarnings("ignore")
SENTENCES_PER_ARTICLE = 5


def sentence_pool(name: str) -> tuple[list[str], list[str]]:
    rows = [json.loads(line) for line in open(EXTERNAL / name / "passages.jsonl", encoding="utf-8")]
    sentences = [s for r in rows for s in re.findall(r"[^。！？]+[。！？]", r["text"]) if len(s) > 8]
    return sentences, [r["title"] for r in rows if r["title"]]


def make_corpus(folder: Path, passages: int, seed: int = 7) -> int:
    """Write articles totalling about `passages` passages (a heading and 5 claims each)."""
    rng = random.Random(seed)
    pools = [sentence_pool("jsquad"), sentence_pool("cmrc2018")]
    articles = max(1, passages // (SENTENCES_PER_ARTICLE + 1))
    for i in range(articles):
        sentences, titles = pools[i % 2]
        lines = []
        for _ in range(SENTENCES_PER_ARTICLE):
            a, b = rng.choice(sentences), rng.choice(sentences)
            lines.append(a[: len(a) // 2] + b[len(b) // 2:])
        (folder / f"s{i:06d}.md").write_text(f"# {rng.choice(titles)}{i}\n\n{''.join(lines)}\n", encoding="utf-8")
    return articles


def build_one(data: Path, out: Path) -> dict:
    """A build as `qa index` does it (every core once there is enough text), then one in a
    single process into another folder: times, and whether they give the same version."""
    from qa.analysis import Analyzer
    from qa.cli import Progress
    from qa.index import build_index
    analyzer = Analyzer()
    started = time.perf_counter()
    r = build_index(data, out, analyzer, Progress())
    build_s = time.perf_counter() - started
    started = time.perf_counter()
    serial = build_index(data, out.with_name(out.name + "-serial"), analyzer, workers=1)
    return {"build_s": build_s, "serial_s": time.perf_counter() - started, "passages": r.passages,
            "terms": r.terms, "same_version": serial.version == r.version}


def query_one(out: Path, n_queries: int) -> dict:
    import numpy as np
    from qa.analysis import Analyzer
    from qa.index import load_index
    from qa.understand import read_question
    from qa.retrieve import search
    analyzer = Analyzer()
    base = rss_mb()
    t = time.perf_counter()
    index = load_index(out, analyzer)
    load_s = time.perf_counter() - t
    rss = rss_mb() - base
    rng = random.Random(11)
    questions = [json.loads(line)["question"] for name in ("jsquad", "cmrc2018")
                 for line in open(EXTERNAL / name / "questions.jsonl", encoding="utf-8")]
    asked = [read_question(q, index, analyzer) for q in rng.sample(questions, n_queries)]

    def timed(fn) -> list[float]:
        out = []
        for q in asked:
            s = time.perf_counter()
            fn(q)
            out.append((time.perf_counter() - s) * 1000)
        return out

    ours = timed(lambda q: search(q, index, None))
    single = timed(lambda q: index.bm25.top(q.terms, 10))
    import bm25s
    bm = index.bm25
    terms = list(bm.vocab)
    docs = [[] for _ in range(bm.size)]
    for t, i in bm.vocab.items():                       # the same passage terms, from the postings
        for d, tf in zip(bm.docs[bm.offsets[i]:bm.offsets[i + 1]], bm.tfs[bm.offsets[i]:bm.offsets[i + 1]]):
            docs[d].extend([t] * int(tf))
    retriever = bm25s.BM25(k1=bm.k1, b=bm.b, method="lucene", backend="numpy")
    retriever.index(docs, show_progress=False)
    known = [[t for t in q.terms if t in bm.vocab] or [terms[0]] for q in asked]
    it = iter(known)
    other = timed(lambda q: retriever.retrieve([next(it)], k=10, show_progress=False, n_threads=0))
    return {"load_s": load_s, "rss_mb": rss, "ours_p50": pct(ours, 50), "ours_p95": pct(ours, 95),
            "single_p50": pct(single, 50), "single_p95": pct(single, 95),
            "bm25s_p50": pct(other, 50), "bm25s_p95": pct(other, 95), "queries": n_queries}


def measure(size: int, n_queries: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        data, out = Path(tmp) / "data", Path(tmp) / "index"
        data.mkdir()
        make_corpus(data, size)
        row = {"size": size}
        for step in ("build", "query"):
            cmd = [sys.executable, __file__, "--step", step, "--data", str(data), "--out", str(out),
                   "--queries", str(n_queries)]
            result = subprocess.run(cmd, check=True, capture_output=True, text=True)
            sys.stderr.write(result.stderr[-400:])
            row.update(json.loads(result.stdout.strip().splitlines()[-1]))
        return row


def main() -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--queries", type=int, default=500)
    ap.add_argument("--step", choices=["build", "query"], help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.step == "build":
        print(json.dumps(build_one(args.data, args.out)))
        return []
    if args.step == "query":
        print(json.dumps(query_one(args.out, args.queries)))
        return []
    rows = []
    for size in map(int, args.sizes.split(",")):
        print(f"scaling: {size} passages ...", file=sys.stderr, flush=True)
        rows.append(measure(size, args.queries))
    print("\n### Scaling (synthetic corpora from the external passages)\n")
    print(table(["passages", "terms", "qa index s", "1 process s", "same index", "load s", "RSS MB", "qa search p50/p95 ms",
                 "qa bm25 p50/p95 ms", "bm25s p50/p95 ms", "search / bm25s (p50)"],
                [[r["passages"], r["terms"], r["build_s"], r["serial_s"], "yes" if r["same_version"] else "**no**",
                  r["load_s"], round(r["rss_mb"]),
                  f"{r['ours_p50']:.2f} / {r['ours_p95']:.2f}", f"{r['single_p50']:.2f} / {r['single_p95']:.2f}",
                  f"{r['bm25s_p50']:.2f} / {r['bm25s_p95']:.2f}", f"{r['ours_p50'] / r['bm25s_p50']:.2f}x"]
                 for r in rows]))
    return rows


if __name__ == "__main__":
    main()
