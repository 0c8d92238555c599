"""The example questions of shared/examples, judged by its rules through POST /ask."""
from __future__ import annotations

import pytest

from qa.evaluate import date_forms, judge, load_examples
from conftest import EXAMPLES

EXAMPLE_ROWS = load_examples(EXAMPLES)


@pytest.mark.parametrize("ex", EXAMPLE_ROWS, ids=[e["id"] for e in EXAMPLE_ROWS])
def test_example(client, ex):
    r = client.post("/ask", json={"question": ex["q"], "history": ex.get("history", [])})
    assert judge(ex, r.status_code, r.get_json()) == []


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
