"""The fast paths give the same results as the plain computation they replace."""
from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from qa import retrieve
from qa.cli import main
from qa.understand import read_question

QUESTIONS = ["杭州のサミットはいつですか?", "広州のブロックチェーン企業数は全国で何位ですか?", "規制機関の所在地",
             "How many blockchain companies did Hangzhou have?", "2018年に上海で何が設立されましたか?"]


def dense_ranking(q, index):
    """The ranking formula of retrieve.search over every passage, without pruning."""
    n = len(index.passages)
    own, window = index.bm25.dense_scores(q.terms), index.windows.dense_scores(q.terms)
    para = index.paragraphs.dense_scores(q.terms)[index.para_of]
    boost = retrieve.evidence(q, index, np.arange(n))
    context = boost * (window + retrieve.PARAGRAPH_WEIGHT * para)
    lead = np.array([context[index.para_of == index.para_of[i]].max() for i in range(n)])
    total = lead + retrieve.LOCAL_WEIGHT * boost * (own + window)
    order = np.lexsort((np.arange(n), -total))
    return [(int(i), float(total[i])) for i in order if total[i] > 0]


@pytest.mark.parametrize("question", QUESTIONS)
def test_search_equals_the_dense_formula(index, analyzer, question):
    q = read_question(question, index, analyzer)
    fast = [(h.number, h.score) for h in retrieve.search(q, index, None)]
    dense = dense_ranking(q, index)[: len(fast)]
    assert [n for n, _ in fast] == [n for n, _ in dense]
    assert np.allclose([s for _, s in fast], [s for _, s in dense])


def test_answer_cache_is_per_index_version_and_can_be_off(index_dir, analyzer):
    from qa.service import Service
    cached = Service(index_dir, analyzer, answer_cache=4)
    first, again = cached.ask("杭州のサミットはいつですか?"), cached.ask("杭州のサミットはいつですか?")
    assert first["answer"] is again["answer"]                      # the same object: from the cache
    off = Service(index_dir, analyzer, answer_cache=0)
    assert off.ask("杭州のサミットはいつですか?")["answer"] is not off.ask("杭州のサミットはいつですか?")["answer"]
    for i in range(10):
        cached.ask(f"杭州の企業は何社ですか{i}?")
    assert len(cached._answers._items) == 4                        # bounded
    assert all(key[0] == cached.index.version for key in cached._answers._items)


def test_index_shows_progress_on_long_builds(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for i in range(300):
        (data / f"a{i:03d}.md").write_text(f"# 記事{i}\n\n第{i}の記事の本文です。二つ目の文です。三つ目の文です。\n",
                                          encoding="utf-8")
    r = CliRunner().invoke(main, ["index", "--data", str(data), "--out", str(tmp_path / "ix")])
    assert r.exit_code == 0, r.output
    assert "analysing articles: 100% (300/300)" in r.output and "300 articles: 1200 passages" in r.output
