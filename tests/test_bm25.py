"""The sparse BM25 gives rank_bm25's scores and ranking on the same tokens."""
from __future__ import annotations

import random

import numpy as np
from rank_bm25 import BM25Okapi, BM25Plus

from qa.bm25 import BM25Index


def reference(index):
    bm = index.bm25
    return BM25Plus(token_lists(index), k1=bm.k1, b=bm.b, delta=0)


def token_lists(index):
    from qa.analysis import Analyzer
    a = Analyzer()
    return [a.analyze(p.text, p.lang) for p in index.passages]


def test_scores_and_ranking_equal_rank_bm25_on_the_real_passages(index, analyzer):
    tokens = token_lists(index)
    ref = BM25Plus(tokens, k1=index.bm25.k1, b=index.bm25.b, delta=0)
    ours = BM25Index.build(tokens, index.bm25.k1, index.bm25.b)
    rng = random.Random(7)
    vocab = sorted({t for doc in tokens for t in doc})
    queries = [analyzer.analyze(q) for q in ("広州のブロックチェーン企業数", "杭州のサミット", "規制機関の所在地")]
    queries += [rng.sample(vocab, rng.randint(1, 12)) + ["未知語"] for _ in range(200)]
    for q in queries:
        r = ref.get_scores(q)
        assert np.allclose(ours.dense_scores(q), r, rtol=1e-12, atol=1e-12)
        expected = [int(i) for i in np.lexsort((np.arange(len(r)), -r)) if r[i] > 0][:10]
        assert [d for d, _ in ours.top(q, 10)] == expected


def test_delta_of_rank_bm25_plus_is_a_constant_shift(index):
    tokens = token_lists(index)
    q = tokens[5][:6]
    a = BM25Plus(tokens, k1=1.2, b=0.75, delta=1).get_scores(q)
    b = BM25Plus(tokens, k1=1.2, b=0.75, delta=0).get_scores(q)
    assert np.allclose(a - b, (a - b)[0]) and (a - b)[0] > 0


def test_idf_is_positive_and_monotone_at_the_real_passage_count(index):
    """BM25Okapi's trap: a term in half the passages or more gets idf <= 0, then a floor."""
    tokens = token_lists(index)
    okapi = BM25Okapi(tokens)
    df = {t: sum(1 for d in tokens if t in d) for t in okapi.idf}
    common = max(df, key=df.get)
    assert df[common] >= len(tokens) / 2                      # such terms exist in this corpus
    assert okapi.idf[common] == okapi.epsilon * okapi.average_idf   # Okapi floors them
    ours = index.bm25
    idf = {t: float(ours.idf[ours.vocab[t]]) for t in df}
    assert min(idf.values()) > 0
    by_df = sorted(df, key=df.get)
    assert all(idf[a] >= idf[b] for a, b in zip(by_df, by_df[1:]))   # rarer never weighs less


def test_filter_and_ties(index):
    bm = index.bm25
    allowed = index.city_mask["杭州"]
    hits = bm.top(["ブロック"], 50, allowed)
    assert hits and all(index.passages[d].city == "杭州" for d, _ in hits)
    scores = [s for _, s in hits]
    assert scores == sorted(scores, reverse=True)


def test_save_and_load_without_pickle(tmp_path, index):
    index.bm25.save(tmp_path)
    for f in tmp_path.glob("*.npy"):
        np.load(f, allow_pickle=False)
    back = BM25Index.load(tmp_path, index.bm25.k1, index.bm25.b)
    q = ["ブロック", "企業", "広州"]
    assert np.allclose(back.dense_scores(q), index.bm25.dense_scores(q))


def test_terms_looked_up_once_score_as_the_terms_do_in_each_row_set(index, analyzer):
    """The three row sets share one vocabulary: a query's numbers in it give each the same scores."""
    rng = random.Random(11)
    vocab = sorted(index.bm25.vocab)
    queries = [analyzer.analyze(q) for q in ("広州のブロックチェーン企業数", "杭州のサミットはいつ", "深圳")]
    queries += [rng.sample(vocab, rng.randint(1, 8)) * rng.randint(1, 2) + ["未知語"] for _ in range(100)]
    for rows in (index.bm25, index.windows, index.paragraphs):
        assert rows.terms is index.bm25.terms
        for q in queries:
            by_terms, by_ids = rows.scores(q), rows.scores(index.bm25.vocabulary_ids(q))
            assert np.array_equal(by_terms[0], by_ids[0]) and np.array_equal(by_terms[1], by_ids[1])
    assert [len(a) for a in index.bm25.scores(index.bm25.vocabulary_ids(["未知語"]))] == [0, 0]


def test_vocabulary_numbers_terms_by_crc32_and_finds_terms_whose_crc32_collide(tmp_path):
    from qa.vocabulary import Vocabulary, hash_order
    terms = ["plumless", "buckeroo", "杭州", "峰会", "深圳+企業", 'a"b\\c']      # the first two: one crc32
    vocab = Vocabulary.of(terms)
    vocab.save(tmp_path)
    loaded = Vocabulary.load(tmp_path)
    for v in (vocab, loaded):
        assert sorted(v.id(t) for t in terms) == list(range(len(terms)))
        assert [v.term(v.id(t)) for t in terms] == terms
        assert v.id("buckeroo") == v.id("plumless") - 1                   # the tie broken by the JSON string
        assert v.id("unknown") is None and v.id("plumlesz") is None
        assert sorted(t for t, _ in v.items()) == sorted(terms)
    hashes = np.array([5, 3, 5, 3, 1], dtype=np.uint32)
    names = [b"e", b"d", b"c", b"b", b"a"]
    assert hash_order(hashes, lambda i: names[i]).tolist() == [4, 3, 1, 2, 0]


def test_dense_and_sorted_sums_give_the_same_passages_and_scores(index, analyzer, monkeypatch):
    """A query's postings are added up in a dense row when they are many, else sorted: the
    two ways give the same passages and the same scores, bit for bit."""
    import qa.bm25
    tokens = token_lists(index)
    ours = BM25Index.build(tokens, index.bm25.k1, index.bm25.b)
    rng = random.Random(11)
    vocab = sorted({t for doc in tokens for t in doc})
    queries = [analyzer.analyze("広州のブロックチェーン企業数")]
    queries += [rng.sample(vocab, rng.randint(1, 30)) * rng.randint(1, 2) for _ in range(100)]
    results = {}
    for ratio in (0, 10 ** 9):                            # never dense, always dense
        monkeypatch.setattr(qa.bm25, "DENSE_RATIO", ratio)
        results[ratio] = [ours.scores(q) for q in queries]
    for (docs_a, scores_a), (docs_b, scores_b) in zip(results[0], results[10 ** 9]):
        assert docs_a.dtype == docs_b.dtype and np.array_equal(docs_a, docs_b)
        assert np.array_equal(scores_a, scores_b)
        assert len(docs_a) and (scores_a > 0).all()
