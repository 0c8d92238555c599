"""What keeps a question's cost bounded in a folder of many articles, and equal to the plain way on few."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from qa import gather
from qa.article import article_of, doc_ranges
from qa.frame import Frame, Period
from conftest import ARTICLE, DATA


@pytest.fixture(scope="module")
def several(tmp_path_factory, analyzer):
    """The bundled article, a copy with other years and cities, and an article without city sections."""
    from qa.index import build_index, load_index
    from qa.service import Service
    data = tmp_path_factory.mktemp("several")
    shutil.copy(ARTICLE, data / ARTICLE.name)
    shutil.copy(DATA / "glossary.tsv", data / "glossary.tsv")
    text = ARTICLE.read_text(encoding="utf-8")
    (data / "copy.md").write_text(text.replace("2018", "2031").replace("杭州", "南京"), encoding="utf-8")
    (data / "plain.md").write_text("# 気象の話\n\n梅雨明けは2019年7月に発表された。台風は2020年に多かった。\n",
                                   encoding="utf-8")
    out = tmp_path_factory.mktemp("several-index")
    build_index(data, out, analyzer)
    return load_index(out, analyzer), Service(out, analyzer, answer_cache=0)


def test_the_lead_mask_is_each_articles_title_and_lead(several, index):
    for ix in (several[0], index):
        plain = np.zeros(len(ix.passages), dtype=bool)
        for doc in doc_ranges(ix):
            art = article_of(ix, doc)
            plain[art.lead + ([art.title] if art.title is not None else [])] = True
        assert plain.any() and (gather.lead_mask(ix) == plain).all()


def test_events_in_date_order_with_and_without_a_limit(several):
    ix = several[0]
    everything = gather.events(Frame("", "ja"), ix)
    assert everything == sorted(ix.dated_events, key=gather.date_order) and len(everything) > 20
    assert gather.events(Frame("", "ja"), ix, limit=5) == everything[:5]
    period = Frame("", "ja", period=Period("2016", "2018"))
    within = gather.events(period, ix)
    assert within and all("2016" <= f.date[:4] <= "2018" for f in within)
    assert gather.events(period, ix, limit=3) == within[:3]


def test_a_timeline_of_a_folder_of_articles_is_the_best_matching_articles(several):
    _, service = several
    body = service.ask("梅雨明けの年表")
    assert body["answer"] and "2019" in body["answer"]["text"] and "2017" not in body["answer"]["text"]
    body = service.ask("杭州の年表")                  # a city: every article's events of it
    assert body["answer"] and "2017年4月" in body["answer"]["text"]
    assert {f["passage_id"].split(":")[0] for f in body["facts"]} == {ARTICLE.stem}


def test_past_the_limit_a_superlative_weighs_the_ranked_passages_facts(several, monkeypatch):
    from qa.operate import over_facts
    _, service = several
    question = "杭州で最も早い出来事は?"
    whole = service.ask(question)
    assert whole["answer"] and "2016年12月" in whole["answer"]["text"]
    monkeypatch.setattr(over_facts, "FACTS_WEIGHED", 0)
    assert service.ask(question)["answer"]["text"] == whole["answer"]["text"]   # its passages ranked first
