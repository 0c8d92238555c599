"""The blind set (tests/blind) is well formed and its gold is the article's own text.

Its score is measured with `qa eval tests/blind/questions.jsonl` and reported; no test
asks the service to pass it, and its misses are not used to change code.
"""
from __future__ import annotations

import json

from conftest import ARTICLE, ROOT

BLIND = [ROOT / "tests" / "blind" / name for name in ("questions.jsonl", "questions-2.jsonl", "questions-3.jsonl",
                                                        "questions-4.jsonl", "questions-5.jsonl",
                                                        "questions-6.jsonl", "questions-7.jsonl")]
FIELDS = {"id", "lang", "q", "history", "abstain", "city", "passage_any", "answer_any", "answer_all",
          "fact_dates", "cities_all"}


def rows() -> list[dict]:
    return [json.loads(line) for path in BLIND for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def test_blind_set_is_large_enough_and_well_formed():
    qs = rows()
    assert len(qs) >= 80 and len({q["id"] for q in qs}) == len(qs)
    assert {q["lang"] for q in qs} == {"ja", "zh", "en"} and sum(bool(q.get("history")) for q in qs) >= 5
    for q in qs:
        assert set(q) <= FIELDS, q["id"]
        assert q.get("abstain") or {"answer_any", "answer_all", "fact_dates", "cities_all", "passage_any"} & set(q), q["id"]


def test_blind_gold_comes_from_the_article():
    article = ARTICLE.read_text(encoding="utf-8")
    for q in rows():
        for s in q.get("answer_all", []) + q.get("passage_any", []) + q.get("cities_all", []):
            assert s in article, (q["id"], s)
        if q.get("city"):
            assert q["city"] in article, q["id"]
        if q.get("answer_any"):             # at least one accepted form is the article's (or its date)
            assert any(s in article or s.replace("-", "") .isdigit() or s[:4].isdigit() for s in q["answer_any"]), q["id"]
        for d in q.get("fact_dates", []):
            y, *rest = d.split("-")
            assert f"{y}年" in article or (rest and f"{int(rest[0])}月" in article), (q["id"], d)
