"""Answer rules: question types, short extractive answers, abstention, relevant facts."""
from __future__ import annotations

import pytest


def test_when_gives_the_resolved_date_with_its_year(ask):
    a = ask("上海ブロックチェーン技術研究センターはいつ設立されましたか?")["answer"]
    assert a["type"] == "when" and a["date"] == "2018-06-12" and a["text"] == "2018年6月12日"
    assert a["city"] == "上海"


def test_how_many_gives_the_quantity(ask):
    a = ask("杭州にはブロックチェーン関連企業が何社ありますか?")["answer"]
    assert a["type"] == "how_many" and a["value"] == "55" and "55社" in a["text"]
    a = ask("広州のブロックチェーン企業数は全国で何位ですか?")["answer"]
    assert a["value"] == "1" and a["text"] == "1位"


def test_which_city_gives_the_city(ask):
    a = ask("国内初の政府主催のブロックチェーンサミットを開催したのはどの都市ですか?")["answer"]
    assert a["type"] == "which_city" and a["text"] == "杭州" and a["city"] == "杭州"


def test_why_and_what_give_the_best_claim(ask):
    body = ask("なぜ北京ではブロックチェーン技術を用いた規制が必然的な流れなのですか?")
    assert body["answer"]["type"] == "why"
    assert "規制機関の所在地" in body["answer"]["text"] and "規制機関の所在地" in body["passages"][0]["text"]
    a = ask("深圳の政策は主にどの部門が主導していますか?")["answer"]
    assert a["type"] == "what" and "金融部門" in a["text"]


def test_the_cited_passage_comes_first(ask):
    body = ask("杭州のブロックチェーン企業は何社ですか?")
    assert body["answer"]["passage_id"] == body["passages"][0]["id"]


@pytest.mark.parametrize("question", [
    "東京のブロックチェーン政策は?",
    "重慶にはブロックチェーン企業が何社ありますか?",
    "成都のブロックチェーン産業について教えてください。",
    "大阪のブロックチェーン産業について教えてください。",
    "杭州の人口は?",
    "広州の天気はどうですか?",
    "What is the population of Hangzhou?",
    "What is Tokyo's blockchain policy?",
    "こんにちは",
])
def test_abstains_when_the_article_does_not_answer(ask, question):
    body = ask(question)
    assert body["answer"] is None, body["answer"]
    assert body["abstain"]["reason"] and body["abstain"]["message"]
    assert body["facts"] == []
    assert isinstance(body["passages"], list)          # ranked passages are still returned


def test_unknown_place_is_named_in_the_message(ask):
    body = ask("大阪のブロックチェーン産業について教えてください。")
    assert body["abstain"]["reason"] == "unknown_name" and "大阪" in body["abstain"]["message"]


def test_facts_concern_the_question_not_the_whole_table(ask, index):
    body = ask("杭州のサミットはいつですか?")
    assert body["facts"] and {f["city"] for f in body["facts"]} == {"杭州"}
    assert len(body["facts"]) < len(index.facts)
    body = ask("2017年に何がありましたか?")
    assert body["facts"] and all(f["date"].startswith("2017") or f.get("date_end", "").startswith("2017")
                                 for f in body["facts"])


def test_timeline_lists_events_in_date_order(ask):
    body = ask("2016年に何がありましたか?")
    dates = [f["date"] for f in body["facts"]]
    spans = [f["date"] for f in body["facts"] if f.get("date_end", f["date"])[:4] != "2016"]
    assert spans and dates[-len(spans):] == spans             # a span past the year only overlaps it: last
    assert body["answer"]["type"] == "timeline" and dates[:-len(spans)] == sorted(dates[:-len(spans)])
    assert {"2016-02", "2016-11", "2016-12"} <= set(dates)
    assert all(d in body["answer"]["dates"] for d in dates)


def test_comparison_is_balanced(ask):
    body = ask("北京と上海と杭州の政策の違いは?")
    assert body["answer"]["type"] == "compare" and body["answer"]["cities"] == ["北京", "上海", "杭州"]
    cities = [p["city"] for p in body["passages"]]
    assert cities[:3] == ["北京", "上海", "杭州"]
    for c in ("北京", "上海", "杭州"):
        assert any(f["city"] == c for f in body["facts"])
        assert any(line.startswith(c + ":") for line in body["answer"]["text"].splitlines())


def test_a_city_alone_gives_its_stance(ask):
    a = ask("深圳は?")["answer"]
    assert a["type"] == "stance" and a["city"] == "深圳" and "金融テクノロジーセンター" in a["text"]


def test_highlights_are_offsets_of_matched_terms(ask):
    body = ask("杭州で開催されたサミットは?")
    p = body["passages"][0]
    marked = [p["text"][s:e] for s, e in p["highlights"]]
    assert "サミット" in marked and "開催" in marked


def test_a_passages_bm25_row_holds_exactly_its_analysed_terms_so_highlights_can_skip_it(index, analyzer):
    """Highlighting skips a passage whose row holds none of the wanted terms: that is sound only
    while a passage's row is exactly the terms `analyze` gives its text, checked here."""
    import numpy as np

    from qa.answer import highlights
    per_row = np.bincount(index.bm25.docs, minlength=len(index.passages))
    vocab = sorted({t for p in index.passages for t in analyzer.analyze(p.text, p.lang)})
    for i, p in enumerate(index.passages):
        terms = set(analyzer.analyze(p.text, p.lang))
        assert all(index.bm25.has(t, i) for t in terms) and per_row[i] == len(terms)
        absent = {t for t in vocab[i::7] if t not in terms}
        assert highlights(index, i, absent, analyzer) == [] == analyzer.spans(p.text, absent, p.lang)
        some = set(sorted(terms)[::3])
        assert highlights(index, i, some, analyzer) == [list(s) for s in analyzer.spans(p.text, some, p.lang)]


def test_a_clause_denying_what_it_says():
    from qa.cues import default_cues
    cues = default_cues()
    text = "杭州の政策は産業集積を形成することにあり、大規模な財政補助金を提供することではありません。"
    at = text.index("財政補助金") + len("財政補助金")
    assert cues.denies(text, at, "ja")
    assert not cues.denies(text, text.index("産業集積") + 4, "ja")       # the clause before the comma affirms
    assert not cues.denies("深圳は財政補助に大きな力を入れており、", 7, "ja")
