"""Property tests: arbitrary Unicode never breaks analysis, fact extraction, parsing or /ask."""
from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings, strategies as st

from qa.corpus import Passage, passages_of
from qa.facts import extract_facts

SCRIPTS = [
    "ブロックチェーン産業センター", "区块链峰会廣州", "Hangzhou blockchain", "2018年5月25日", "١٢٣ مرحبا بالعالم",
    "שלום עולם", "ＡＢＣ１２３（全角）", "ｶﾀｶﾅﾊﾝｶｸ", "e\u0301\u0308a\u0323", "🙂🚀👩‍👩‍👧", "\u200b\u200d\ufeff",
    "𠮷野家", "한국어 텍스트", "Ελληνικά", "\u202eRTL override\u202c", "。、！？「」", "- 3-5 ~ 12の",
]
mixed = st.lists(st.sampled_from(SCRIPTS) | st.text(max_size=20), max_size=12).map("".join)
runs = st.tuples(st.characters(), st.integers(1, 3000)).map(lambda t: t[0] * t[1])
texts = st.one_of(st.text(max_size=300), mixed, runs)
SETTINGS = settings(max_examples=150, deadline=timedelta(seconds=5),
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@SETTINGS
@given(texts)
def test_analysis_never_raises(analyzer, text):
    for lang in (None, "ja", "zh", "en"):
        terms = analyzer.terms(text, lang)[1]
        assert all(isinstance(t[0], str) and t[0] for t in terms)
    for s, e in analyzer.spans(text, set(analyzer.analyze(text))):
        assert 0 <= s < e <= len(text)
    analyzer.proper_nouns(text)


@SETTINGS
@given(texts)
def test_fact_extraction_never_raises(text):
    facts = extract_facts([Passage("d:1", "d", "S", "X", text), Passage("d:2", "d", "S", "X", text[::-1])])
    for f in facts:
        assert f.kind in ("event", "quantity", "stance")
        if f.date:
            assert len(f.date) in (4, 7, 10)


@SETTINGS
@given(texts)
def test_article_parsing_never_raises(text):
    for p in passages_of("d", text, lambda h: None):
        assert p.text.strip()


@SETTINGS
@given(st.one_of(st.text(max_size=600), mixed, st.tuples(st.characters(), st.integers(1, 600)).map(lambda t: t[0] * t[1])),
       st.lists(st.text(max_size=50), max_size=3))
def test_ask_answers_or_refuses_cleanly(client, question, history):
    r = client.post("/ask", json={"question": question, "history": history})
    assert r.status_code in (200, 400), r.get_data(as_text=True)[:200]
    body = r.get_json()
    assert ("error" in body) == (r.status_code == 400)
    if r.status_code == 200:
        assert body["answer"] is None or body["answer"]["text"]
        for p in body["passages"]:
            for s, e in p["highlights"]:
                assert 0 <= s < e <= len(p["text"])
