"""Facts: every dated event of the article with its resolved date, the quantities, the stances."""
from __future__ import annotations

from qa.corpus import Passage
from qa.facts import extract_facts

EVENTS = {   # (city, date, date_end, a phrase of the event)
    ("北京", "2016-02", None, "中関村ブロックチェーン産業連盟"),
    ("北京", "2016-12", None, "インターネット金融の範疇"),
    ("北京", "2018-08", None, "推奨活動"),
    ("上海", "2016", "2017", "端材"),
    ("上海", "2018", None, "追い上げを開始"),
    ("上海", "2018-05-25", None, "ブロックチェーン産業センター"),
    ("上海", "2018-06-12", None, "技術研究センター"),
    ("上海", "2018-09-06", None, "12の支援策"),
    ("広州", "2017-07", None, "産業協会を設立"),
    ("広州", "2017-10", None, "イノベーション基地"),
    ("広州", "2017-12", None, "最初のブロックチェーン産業支援政策"),
    ("広州", "2018-05", None, "実施細則"),
    ("広州", "2018-10", None, "ユニコーン"),
    ("深圳", "2016-11", None, "文書を発表"),
    ("杭州", "2016-12", None, "フィンテック企業"),
    ("杭州", "2017-04", None, "サミット"),
    ("杭州", "2017-12", None, "先発優位"),
    ("杭州", "2018-08", None, "55社"),
}

QUANTITIES = {   # (city, value, qualifier, unit or counted thing)
    (None, "5", None, "つ"),
    ("広州", "6000", "以上", "ブロックチェーン企業"),
    ("広州", "1", None, "位"),
    ("広州", "3-5", None, "ブロックチェーンユニコーン企業"),
    ("上海", "12", None, "支援策"),
    ("杭州", "55", None, "社"),
}


def test_every_dated_event_with_its_resolved_date(index):
    events = [f for f in index.facts if f.kind == "event"]
    got = {(f.city, f.date, f.date_end) for f in events}
    assert got == {(c, d, e) for c, d, e, _ in EVENTS}
    for city, date, end, phrase in EVENTS:
        assert any(f.city == city and f.date == date and phrase in f.text for f in events), (city, date, phrase)


def test_period_and_as_of_qualifiers(index):
    by_date = {(f.city, f.date): f for f in index.facts if f.kind == "event"}
    assert by_date[("上海", "2016")].date_end == "2017"
    assert by_date[("杭州", "2018-08")].qualifier == "時点"
    assert by_date[("深圳", "2016-11")].qualifier == "以降"


def test_quantities_with_unit_and_qualifier(index):
    got = {(f.city, f.value, f.qualifier, f.unit) for f in index.facts if f.kind == "quantity"}
    assert got == QUANTITIES
    hz = next(f for f in index.facts if f.kind == "quantity" and f.value == "55")
    assert hz.object == "ブロックチェーン技術サービス関連企業" and hz.text.startswith("55社")


def test_stances_from_headings_and_the_summary_line(index):
    stances = {(f.city, f.text) for f in index.facts if f.kind == "stance"}
    assert ("北京", "政策先行だが規制は厳しい") in stances
    assert ("杭州", "政策の導き、アプリケーション指向") in stances
    assert ("上海", "上海は追走") in stances
    assert any(c is None and "五大都市" in t for c, t in stances)


def test_every_fact_points_at_its_passage(index):
    for f in index.facts:
        p = index.passages[index.by_id[f.passage_id]]
        assert f.city == p.city or (f.kind == "stance" and p.kind == "summary")
        if f.kind != "stance":
            assert f.text.rstrip("。") in p.text or f.text in p.text


def passages(*texts, city="A"):
    return [Passage(f"d:{i}", "d", "S", city, t) for i, t in enumerate(texts)]


def test_year_carries_over_sentences_of_a_section_but_not_across_sections():
    ps = passages("2019年3月に始まった。", "同年5月に続いた。", "7月8日には終わった。", "12月には再開した。")
    ps.append(Passage("d:9", "d", "T", "B", "6月に別の都市で起きた。"))
    dates = [f.date for f in extract_facts(ps) if f.kind == "event"]
    assert dates == ["2019-03", "2019-05", "2019-07-08", "2019-12"]


def test_no_dates_invented_or_misread():
    facts = extract_facts(passages("3か月で100社が集まった。", "2020年代に向けて13の施策がある。", "13ヶ月目。"))
    assert [f.date for f in facts if f.kind == "event"] == []
    assert {(f.value, f.unit) for f in facts if f.kind == "quantity"} == {("100", "社"), ("13", "施策")}


def test_facts_serialise_without_empty_fields(index):
    d = next(f for f in index.facts if f.kind == "event").to_dict()
    assert {"city", "kind", "date", "text", "passage_id"} <= set(d) and "value" not in d
