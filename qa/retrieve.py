"""Frame -> ranked passages: BM25 over claims, in the context of their neighbours and paragraph.

A passage's score adds three BM25 scores: the claim alone, the claim with its neighbours
in its paragraph, and its whole paragraph with the section heading.  A claim is found by
its own words and by the words around it.  Candidates are the passages of the best
windows and of the best paragraphs, so a query costs the postings of its terms, not the
corpus size.
The ranking is restricted to the cities asked about (and to a part of the article when
asked); passages whose dated events fall in the asked period are boosted.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from .frame import Frame
from .index import Index

CANDIDATES = 50          # best passages and best paragraphs taken into the final ranking
PARAGRAPH_WEIGHT = 2.0   # a paragraph's score beside a claim's window (claim + neighbours)
LOCAL_WEIGHT = 0.01      # orders the claims within a paragraph (paragraph order first)
ANSWER_TYPE_BOOST = 0.2  # a when-question prefers a passage with a date, how-many one with a number
PERIOD_EXTRA = 2 * CANDIDATES   # passages added for an event in the asked period that nothing else ranked
PERIOD_BOOST = 0.3       # per level of Period.fit: inside the period x1.6, overlapping it x1.3


@dataclass
class Hit:
    number: int
    score: float


# ---------------------------------------------------------------- retrieval

def matches_word(index: Index, word, number: int) -> bool:
    return any(all(index.bm25.has(k, number) for k in alt) for alt in word.alternatives)


def period_fit(q: Frame, index: Index, number: int) -> int:
    """How well the passage's events fit the asked period (see Period.fit)."""
    if not q.period:
        return 0
    return max((q.period.fit(f.date, f.date_end) for f in index.facts_of.of_number(number)
                if f.kind == "event"), default=0)


def in_period(q: Frame, index: Index, number: int) -> bool:
    return period_fit(q, index, number) > 0


def city_passages(index: Index, cities: list[str]) -> np.ndarray | None:
    if not cities:
        return None
    mask = np.zeros(len(index.passages), dtype=bool)
    for c in cities:
        mask |= index.city_mask.get(c, False)
    return mask


def best(docs: np.ndarray, scores: np.ndarray, k: int) -> np.ndarray:
    """The (at most) k rows with the highest scores, in no particular order."""
    if len(docs) <= k:
        return docs
    return docs[np.argpartition(-scores, k - 1)[:k]]


def score_of(docs: np.ndarray, scores: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Scores of `wanted` rows from a sparse (sorted rows, scores) result; 0 where absent."""
    if not len(docs):
        return np.zeros(len(wanted))
    i = np.minimum(np.searchsorted(docs, wanted), len(docs) - 1)
    return np.where(docs[i] == wanted, scores[i], 0.0)


def evidence(q: Frame, index: Index, candidates: np.ndarray) -> np.ndarray:
    """A multiplier per candidate: a fact of the asked kind (a date for when, a number for how
    many), an event inside or overlapping the asked period."""
    kind = {"date": "event", "quantity": "quantity", "money": "quantity"}.get(q.answer_type)
    boost = np.ones(len(candidates))
    if kind:
        boost *= 1 + ANSWER_TYPE_BOOST * index.has_fact[kind][candidates]
    if q.period:
        boost *= 1 + PERIOD_BOOST * np.array([period_fit(q, index, int(n)) for n in candidates])
    return boost


def paragraph_best(values: np.ndarray, paragraphs: np.ndarray) -> np.ndarray:
    """For each row, the highest value among the rows of its paragraph."""
    order = np.lexsort((-values, paragraphs))
    starts = np.flatnonzero(np.r_[True, paragraphs[order][1:] != paragraphs[order][:-1]])
    out = np.empty(len(values))
    out[order] = np.repeat(values[order][starts], np.diff(np.r_[starts, len(order)]))
    return out


def search(q: Frame, index: Index, allowed: np.ndarray | None) -> list[Hit]:
    """Paragraphs by their best claim in context, and within a paragraph claims by their own
    words: score = best (window + paragraph) of the paragraph + LOCAL_WEIGHT x (claim + window)."""
    terms = q.terms
    if index.bm25.terms is index.windows.terms is index.paragraphs.terms:     # one vocabulary: look up once
        terms = index.bm25.vocabulary_ids(terms)
    p_docs, p_scores = index.bm25.scores(terms)
    w_docs, w_scores = index.windows.scores(terms)
    g_docs, g_scores = index.paragraphs.scores(terms)
    parts = [best(w_docs, w_scores, CANDIDATES)]
    for g in best(g_docs, g_scores, CANDIDATES):
        parts.append(index.para_members[index.para_offsets[g]:index.para_offsets[g + 1]])
    candidates = np.unique(np.concatenate(parts))
    if allowed is not None and len(candidates):
        candidates = candidates[allowed[candidates]]
    if not len(candidates):
        return []
    boost = evidence(q, index, candidates)
    paras = index.para_of[candidates]
    window = score_of(w_docs, w_scores, candidates)
    local = boost * (score_of(p_docs, p_scores, candidates) + window)
    context = boost * (window + PARAGRAPH_WEIGHT * score_of(g_docs, g_scores, paras))
    total = paragraph_best(context, paras) + LOCAL_WEIGHT * local
    order = np.lexsort((candidates, -total))[:2 * CANDIDATES]
    return [Hit(int(candidates[i]), float(total[i])) for i in order if total[i] > 0]


def rank(q: Frame, index: Index, cities: list[str], allowed: np.ndarray | None = None) -> list[Hit]:
    """Search within the cities (and an allowed set); then (the first PERIOD_EXTRA) passages with an event in the period;
    the city's passages when nothing scores."""
    if allowed is None:
        allowed = city_passages(index, cities)
    elif cities:
        allowed = allowed & city_passages(index, cities)
    hits = search(q, index, allowed)
    seen = {h.number for h in hits}
    if q.period:
        extra = {n for y in q.period.years() for n in index.events_in.get(y, ())}
        dated = (n for n in sorted(extra) if n not in seen and (allowed is None or allowed[n]) and in_period(q, index, n))
        hits += [Hit(n, 0.0) for n in itertools.islice(dated, PERIOD_EXTRA)]
    if not hits and allowed is not None:                   # nothing matched: the city's passages
        hits = [Hit(int(n), 0.0) for n in np.flatnonzero(allowed)]
    return hits


def retrieve(q: Frame, index: Index, allowed: np.ndarray | None = None) -> list[Hit]:
    """Ranked passages for a frame; a comparison takes the best of each city in turn."""
    if q.op == "compare" and len(q.cities) >= 2:
        per_city = [rank(q, index, [c], allowed) for c in q.cities]
        out, i = [], 0
        while any(i < len(r) for r in per_city):
            out += [r[i] for r in per_city if i < len(r)]
            i += 1
        return out
    return rank(q, index, q.cities, allowed)
