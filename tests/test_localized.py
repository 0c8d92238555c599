"""Answers in the asker's language: `answer.localized` rendered exactly from data, city names
in any language for scripts, suggestions per language (issue: answers in the asker's language)."""
from __future__ import annotations

import re

import pytest

KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ff]")


def localized(ask, question, history=None):
    body = ask(question, history or [])
    assert body["answer"] is not None, (question, body["abstain"])
    loc = body["answer"].get("localized")
    assert loc is None or not KANA.search(loc["text"]), loc
    return body["answer"], loc


@pytest.mark.parametrize("question,lang,expected", [
    # dates
    ("When was Shanghai's blockchain industry center set up?", "en", "May 25, 2018"),
    ("When did Hangzhou hold its blockchain summit?", "en", "April 2017"),
    ("Since when have Shenzhen's departments issued pro-blockchain documents?", "en", "since November 2016"),
    ("上海区块链产业中心是什么时候成立的?", "zh", "2018年5月25日"),
    # quantities with their nouns
    ("How many blockchain companies does Guangzhou have?", "en", "more than 6000 blockchain companies"),
    ("廣州有多少家區塊鏈企業?", "zh", "6000多家區塊鏈企業"),                 # traditional in, traditional out
    ("广州有多少家区块链企业?", "zh", "6000多家区块链企业"),
    ("How many support measures did the Shanghai district policy propose?", "en", "12 support measures"),
    ("What rank does Guangzhou hold nationally in blockchain companies?", "en", "No. 1"),
    # cities, lists, counts, superlatives
    ("Which city hosted the country's first government-sponsored blockchain summit?", "en", "Hangzhou"),
    ("Which city has the fewest blockchain companies?", "en", "Hangzhou: 55"),
    ("How many cities does the article cover?", "en", "5 cities: Beijing, Shanghai, Guangzhou, Shenzhen, Hangzhou"),
    ("文章里提到了哪些城市?", "zh", "北京、上海、广州、深圳、杭州"),
    ("文章裡提到了哪些城市?", "zh", "北京、上海、廣州、深圳、杭州"),              # traditional
    ("上海區塊鏈產業中心是什麼時候成立的?", "zh", "2018年5月25日"),
    ("廣州2017年做的幾件事裡,最晚的是哪一件?", "zh", "2017年12月 廣州"),
    ("Which came first: Shenzhen's documents or Beijing's plan on internet finance?", "en", "November 2016 — Shenzhen"),
    ("哪一年的事件最多?", "zh", "2018年（8件）"),
    ("Which country is the article about?", "en", "China"),
])
def test_localized_answers(ask, question, lang, expected):
    answer, loc = localized(ask, question)
    assert loc and loc["lang"] == lang and expected in loc["text"], loc
    assert answer["text"] and not answer["text"].isascii()            # answer.text keeps the Japanese answer


def test_timeline_lines_keep_the_japanese_sentence_beside_them(ask):
    answer, loc = localized(ask, "Give me Hangzhou's timeline")
    assert loc["text"].splitlines()[:2] == ["December 2016 — Hangzhou", "April 2017 — Hangzhou"]
    assert all(line["quote"] and KANA.search(line["quote"]) for line in loc["lines"])


def test_comparison_localizes_names_numbers_and_dates(ask):
    answer, loc = localized(ask, "Compare Guangzhou and Hangzhou")
    first, second = loc["text"].splitlines()
    assert first.startswith("Guangzhou:") and "more than 6000 blockchain companies" in first and "July 2017" in first
    assert second.startswith("Hangzhou:") and "April 2017" in second


def test_sentences_and_japanese_questions_get_no_localized_text(ask):
    assert localized(ask, "Why is regulation with blockchain seen as inevitable in Beijing?")[1] is None
    assert localized(ask, "杭州のサミットはいつですか?")[1] is None


def test_abstention_message_in_the_askers_language(ask):
    assert "does not mention" in ask("What is Tokyo's blockchain policy?")["abstain"]["message"]
    assert "没有提到" in ask("重庆有多少家区块链企业?")["abstain"]["message"]
    assert "沒有提到" in ask("重慶有多少家區塊鏈企業?")["abstain"]["message"]        # traditional
    assert "書いていません" in ask("大阪のブロックチェーン政策は?")["abstain"]["message"]


# ---------------------------------------------------------------- scripts name cities in their language

def test_facts_accept_a_city_in_any_language(client):
    forms = ["Guangzhou", "广州", "廣州", "広州", "guangzhou"]
    tables = [client.get("/facts", query_string={"city": f}).get_json()["facts"] for f in forms]
    assert tables[0] and all(t == tables[0] for t in tables)
    assert {f["city"] for f in tables[0]} == {"広州"}


def test_cities_list_their_names_in_three_languages(client):
    cities = {c["name"]: c for c in client.get("/cities").get_json()["cities"]}
    assert cities["広州"]["names"] == {"ja": "広州", "zh": "广州", "en": "Guangzhou"}
    assert "廣州" in cities["広州"]["aliases"]["zh"] and "Canton" in cities["広州"]["aliases"]["en"]


@pytest.mark.parametrize("lang,pattern", [("en", r"^[\x20-\x7e]+$"), ("zh", r"^[^\u3041-\u30ff]+$"), ("ja", r"[\u3041-\u30ff]")])
def test_suggestions_per_language(client, lang, pattern):
    r = client.get(f"/suggestions?lang={lang}").get_json()
    assert r["lang"] == lang and len(r["suggestions"]) >= 3
    assert all(re.search(pattern, q) for q in r["suggestions"]), r["suggestions"]
    for q in r["suggestions"]:                                         # each one is answered
        assert client.post("/ask", json={"question": q}).get_json()["answer"] is not None, q
    assert client.get("/suggestions?lang=fr").status_code == 400
