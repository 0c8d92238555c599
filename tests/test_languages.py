"""Chinese (simplified and traditional) and English questions, the glossary, follow-ups."""
from __future__ import annotations

import re

import pytest

from qa.glossary import GlossaryError, parse_glossary
from conftest import ROOT


@pytest.mark.parametrize("question,city,expected", [
    ("杭州什么时候举办了区块链峰会?", "杭州", "2017年4月"),                   # simplified
    ("杭州甚麼時候舉辦了區塊鏈峰會?", "杭州", "2017年4月"),                   # traditional
    ("廣州有多少家區塊鏈企業?", "広州", "6000"),
    ("哪个城市举办了第一个政府主办的区块链峰会?", "杭州", "杭州"),
    ("深圳的区块链政策主要由哪个部门主导?", "深圳", "金融部門"),
    ("为什么北京的区块链监管是必然趋势?", "北京", "規制機関"),
])
def test_chinese_questions(ask, question, city, expected):
    a = ask(question)["answer"]
    assert a and a["city"] == city and expected in a["text"]


@pytest.mark.parametrize("question,city,qtype,expected", [
    ("When was Shanghai's blockchain industry center set up?", "上海", "when", "2018年5月25日"),
    ("How many blockchain companies did Hangzhou have?", "杭州", "how_many", "55"),
    ("Which city held the first government-sponsored blockchain summit?", "杭州", "which_city", "杭州"),
    ("Why is regulation with blockchain inevitable in Beijing?", "北京", "why", "規制機関の所在地"),
    ("What did Shenzhen do in cross-border payments?", "深圳", "what", "クロスボーダー決済"),
    ("What is Guangzhou's goal for unicorn companies?", "広州", "what", "ユニコーン"),
])
def test_english_questions(ask, question, city, qtype, expected):
    a = ask(question)["answer"]
    assert a and (a["city"], a["type"]) == (city, qtype) and expected in a["text"]


def test_english_inflections_and_stop_words(ask):
    plain = ask("How many blockchain company does Hangzhou have?")["answer"]
    inflected = ask("How many blockchain companies did Hangzhou have?")["answer"]
    assert plain["text"] == inflected["text"]
    assert ask("What did Beijing ask for about virtual currencies?")["understood"]["terms"] == ["求め", "仮想通貨"]


def test_glossary_synonyms_and_readings(ask):
    a = ask("暗号資産について北京はどんな規制をしていますか?")["answer"]
    assert a["city"] == "北京" and "暗号通貨" in a["text"]
    assert ask("シャンハイの政策の特徴は?")["answer"]["city"] == "上海"
    assert "産業園" in ask("杭州の産業パークはいつ立ち上げられましたか?")["passages"][0]["text"]


@pytest.mark.parametrize("history,question,city,expected", [
    (["杭州にはブロックチェーン企業が何社ありますか?"], "広州は?", "広州", "6000"),          # ja
    (["深圳的区块链政策主要由哪个部门主导?"], "杭州呢?", "杭州", "政策の導き"),            # zh
    (["When was Shanghai's blockchain industry center set up?"], "And the research center?", "上海", "研究センター"),
    (["How many blockchain companies does Guangzhou have?"], "What about Hangzhou?", "杭州", "55"),
])
def test_follow_ups_in_each_language(ask, history, question, city, expected):
    body = ask(question, history)
    a = body["answer"]
    assert a["city"] == city and (expected in a["text"] or expected in body["passages"][0]["text"])
    assert body["understood"]["from_history"]


def test_follow_up_says_which_city_it_took_from_history(ask):
    body = ask("And the research center?", ["When was Shanghai's blockchain industry center set up?"])
    assert body["understood"]["from_history"]["city"] == ["上海"] and body["answer"]["text"].startswith("［上海］")


def test_follow_up_chain_resolves_oldest_first(ask):
    body = ask("広州は?", ["杭州にはブロックチェーン企業が何社ありますか?"])
    assert body["answer"]["city"] == "広州" and body["answer"]["type"] == "how_many"
    body = ask("深圳は?", ["杭州にはブロックチェーン企業が何社ありますか?", "広州は?"])
    assert body["understood"]["type"] == "how_many" and body["understood"]["cities"] == ["深圳"]
    assert body["answer"] is None and body["abstain"]["reason"] == "no_number"   # the article gives none


def test_a_complete_question_ignores_history(ask):
    alone = ask("北京の規制について専門家は何と考えていますか?")
    after = ask("北京の規制について専門家は何と考えていますか?", ["杭州にはブロックチェーン企業が何社ありますか?"])
    assert alone["answer"] == after["answer"] and after["understood"]["from_history"] == {}


def test_timeline_without_a_city_and_in_english(ask):
    body = ask("2016年に何がありましたか?")
    assert body["answer"]["type"] == "timeline" and len({f["city"] for f in body["facts"]}) >= 3
    body = ask("What happened in Hangzhou in 2017?")
    assert [f["date"] for f in body["facts"]] == ["2017-04", "2017-12"]
    assert "2017年4月" in body["answer"]["text"] and "2017年12月" in body["answer"]["text"]


def test_comparison_of_three_cities_in_chinese(ask):
    body = ask("比较北京、上海和广州的区块链政策")
    assert body["answer"]["cities"] == ["北京", "上海", "広州"]
    for c in ("北京", "上海", "広州"):
        assert sum(p["city"] == c for p in body["passages"]) >= 1
        assert sum(f["city"] == c for f in body["facts"]) >= 1


def test_misspelt_city_names_and_terms_are_read_as_spelt_right():
    from qa.glossary import Glossary
    g = Glossary(parse_glossary("kind\tja\tzh\ten\ncity\t甲市\t甲市\tAlphaville\ncity\t乙市\t乙市\tBetatown\n"
                                "term\t革新\t创新\tinnovation\n"))
    assert g.spelling("alphavile") == "alphaville" and g.spelling("betatwn") == "betatown"
    assert g.spelling("innovaton") == "innovation"          # a term's one-word English form
    assert g.spelling("alphaville") is None and g.spelling("innovation") is None   # spelt right: nothing to fix
    assert g.spelling("population") is None and g.spelling("beta") is None   # not close / too short


def test_misspelt_words_in_a_question(ask):
    body = ask("how many blockchian firms does guangzhuo have")
    assert body["answer"]["city"] == "広州" and "6000" in body["answer"]["text"]


def test_glossary_validation_names_the_line():
    ok = parse_glossary("kind\tja\tzh\ten\nterm\t企業\t企业\tcompany\n")
    assert ok[0].term == "企業"
    for text, needle in [
        ("ja\tzh\ten\n", ":1: the first line must be the header"),
        ("kind\tja\tzh\ten\nterm\t企業\t企业\n", ":2: expected 4 tab-separated columns"),
        ("kind\tja\tzh\ten\nword\t企業\t企业\tcompany\n", ":2: kind must be"),
        ("kind\tja\tzh\ten\nterm\t\t企业\tcompany\n", ":2: the ja column is empty"),
        ("kind\tja\tzh\ten\nterm\t企業\t企业\tfirm\nterm\t会社\t公司\tfirm\n", ":3: en form 'firm' is already used on line 2"),
    ]:
        with pytest.raises(GlossaryError, match=re.escape(needle)):
            parse_glossary(text, "g.tsv")


def test_the_bundled_glossary_is_valid_and_covers_the_article_terms():
    entries = parse_glossary((ROOT / "data" / "glossary.tsv").read_text(encoding="utf-8"))
    ja = {f for e in entries for f in e.ja}
    for term in ("ブロックチェーン", "仮想通貨", "ユニコーン", "サミット", "クロスボーダー決済", "産業園"):
        assert term in ja


def test_code_names_none_of_the_articles_cities_or_terms(index):
    """Cities, glossary terms and figures live in data/, never in qa/ or web/."""
    words = set(index.cities)
    words |= {f for e in index.glossary.entries for f in e.ja + e.zh + e.en if len(f) >= 3}
    words |= {f.text for f in index.facts if f.kind == "quantity"}
    files = [p for p in (ROOT / "qa").rglob("*") if p.suffix in (".py", ".json")]
    files += [p for p in (ROOT / "web").rglob("*") if p.is_file()]
    for path in files:
        text = path.read_text(encoding="utf-8")
        found = sorted(w for w in words if w in text and not w.isascii())
        assert not found, f"{path.relative_to(ROOT)} names {found}"
