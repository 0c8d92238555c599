"""The development questions, judged by the shared examples' rules through POST /ask: the 20
examples and the 90 more of shared/examples, and the project's own (tests/dev: 166, and 80 + 70 + 60 in new
wordings written from the article alone, but those listed as still missed in questions-{2,3,4,5,6,7}-open.txt).  The
blind set (tests/blind) is not here: it is measured and reported, never tuned against."""
from __future__ import annotations

import pytest

from qa.evaluate import date_forms, judge, load_examples
from conftest import EXAMPLES, ROOT

DEV = ROOT / "tests" / "dev"
NEW_WORDINGS = [DEV / f"questions-{n}.jsonl" for n in (2, 3, 4, 5, 6, 7)]      # each with a list of its open misses
OPEN = {line.split("\t")[0] for path in NEW_WORDINGS
        for line in path.with_name(path.stem + "-open.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")}
EXAMPLE_ROWS = [ex for path in [EXAMPLES, ROOT / "tests" / "examples" / "questions-more.jsonl", DEV / "questions.jsonl",
                                *NEW_WORDINGS] for ex in load_examples(path) if ex["id"] not in OPEN]
OPEN_ROWS = [ex for path in NEW_WORDINGS for ex in load_examples(path) if ex["id"] in OPEN]


@pytest.mark.parametrize("ex", EXAMPLE_ROWS, ids=[e["id"] for e in EXAMPLE_ROWS])
def test_example(client, ex):
    r = client.post("/ask", json={"question": ex["q"], "history": ex.get("history", [])})
    assert judge(ex, r.status_code, r.get_json()) == []


def test_open_questions_are_the_ones_still_missed(client):
    """The dev questions listed as open exist and still miss (one that passes leaves the list)."""
    assert len(OPEN_ROWS) == len(OPEN)
    for ex in OPEN_ROWS:
        r = client.post("/ask", json={"question": ex["q"], "history": ex.get("history", [])})
        assert judge(ex, r.status_code, r.get_json()) != [], ex["id"]


def test_the_judge_can_fail():
    ex = {"id": "t", "q": "x", "city": "杭州", "answer_any": ["2017年4月"], "fact_dates": ["2017-04"]}
    body = {"question": "x", "answer": {"text": "2018-04", "city": "広州"}, "passages": [], "facts": [],
            "index_version": "v", "took_ms": 1.0}
    fails = judge(ex, 200, body)
    assert any(f.startswith("rule 5") for f in fails) and any(f.startswith("rule 6") for f in fails)
    assert judge(ex, 500, {}) == ["rule 1: HTTP 500 or missing keys"]


def test_dates_count_in_either_form():
    assert date_forms("2018年6月12日") == {"2018年6月12日", "2018-06-12"}
    assert "2017年4月" in date_forms("2017-04")


def test_answer_all_needs_every_string():
    ex = {"id": "t", "q": "x", "answer_all": ["北京", "杭州"]}
    body = {"question": "x", "answer": {"text": "北京"}, "passages": [], "facts": [], "index_version": "v",
            "took_ms": 1.0}
    assert any(f.startswith("rule 5") for f in judge(ex, 200, body))
    body["answer"]["text"] = "北京、杭州"
    assert judge(ex, 200, body) == []
