#!/usr/bin/env python3
"""How often the short answer holds a gold answer, on JSQuAD's and CMRC 2018's questions.

    python bench/answers.py --index DIR

DIR: an index of both datasets' articles (`qa index --data <their articles in one folder>`,
as bench/distinct.py builds it).  Every distinct question is asked once (Service.ask, answer
cache off); an answer counts when its text holds one of the question's gold answers
(NFKC, case folded).  A coarse figure (a sentence holding the answer counts; an answer in
other words does not), for comparing two versions of the code on the same index.
"""
from __future__ import annotations

import argparse
import json
import unicodedata
from pathlib import Path

from common import EXTERNAL

DATASETS = ("jsquad", "cmrc2018")


def folded(text: str | None) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def gold_answers() -> dict[str, set[str]]:
    gold: dict[str, set[str]] = {}
    for name in DATASETS:
        for line in open(EXTERNAL / name / "questions.jsonl", encoding="utf-8"):
            row = json.loads(line)
            gold.setdefault(row["question"], set()).update(row["answers"])
    return gold


def main() -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, required=True)
    args = ap.parse_args()
    from qa.analysis import Analyzer
    from qa.service import Service
    service = Service(args.index, Analyzer(), answer_cache=0)
    gold = gold_answers()
    held = answered = 0
    for question, answers in gold.items():
        body = service.ask(question)
        text = folded((body.get("answer") or {}).get("text"))
        answered += body.get("answer") is not None
        held += any(folded(a) in text for a in answers)
    out = {"questions": len(gold), "answered": answered, "holds_gold": held}
    print(f"{held} of {len(gold)} answers hold a gold answer ({100 * held / len(gold):.1f}%); "
          f"{answered} answered, {len(gold) - answered} refused")
    return out


if __name__ == "__main__":
    main()
