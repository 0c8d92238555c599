#!/usr/bin/env python3
"""Time per distinct question on the bundled article: every dev and example question, with its history.

    python bench/question_speed.py [--code DIR] [--index DIR]

`--code` is a checkout whose `qa` package is timed (default: this one), so two versions can
be compared in separate processes on the same index, e.g. a `git worktree` of an older
commit against this one, run alternately.  Fresh analyser (its cache of analysed texts
empty), answer cache off; 50 questions warm the process first.  Prints ms per question.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETS = sorted((ROOT / "tests" / "dev").glob("questions*.jsonl")) + [
    ROOT / "tests" / "examples" / "questions.jsonl", ROOT / "tests" / "examples" / "questions-more.jsonl"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--code", type=Path, default=ROOT)
    ap.add_argument("--index", type=Path, default=ROOT / "index")
    args = ap.parse_args()
    sys.path.insert(0, str(args.code.resolve()))
    import qa
    from qa.analysis import Analyzer
    from qa.service import Service
    assert Path(qa.__file__).resolve().is_relative_to(args.code.resolve()), qa.__file__
    rows = [json.loads(line) for path in SETS for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    warm = Service(args.index, Analyzer(), answer_cache=0)
    for r in rows[:50]:
        warm.ask(r["q"], r.get("history", []))
    service = Service(args.index, Analyzer(), answer_cache=0)
    start = time.perf_counter()
    for r in rows:
        service.ask(r["q"], r.get("history", []))
    took = time.perf_counter() - start
    print(f"{args.code}: {len(rows)} questions, {took * 1000 / len(rows):.3f} ms each")


if __name__ == "__main__":
    main()
