"""Frame -> what it needs from the index: ranked passages, and the facts its slots select.

Passages come from BM25 retrieval within the frame's cities (and part of the article);
events and quantities from the facts table, filtered by city, period, event kind and
precision.  `fit` says how well a fact's own words match the frame's topic.
"""
from __future__ import annotations

import heapq
from typing import Callable

import numpy as np

from .analysis import Analyzer
from .article_pieces import KINDS
from .article import doc_ranges
from .facts import Fact
from .frame import ContentWord, Frame
from .index import Index, date_order
from .retrieve import Hit, matches_word, retrieve

DAY_PRECISION = 10          # len("YYYY-MM-DD")
MONTH_PRECISION = 7         # len("YYYY-MM")


def scope_mask(frame: Frame, index: Index) -> np.ndarray | None:
    """The passages a frame's scope allows (the lead paragraph of each article), or None."""
    if frame.scope != "lead":
        return None
    mask = index.derived.get("lead_mask")
    if mask is None:
        mask = index.derived["lead_mask"] = lead_mask(index)
    return mask


def lead_mask(index: Index) -> np.ndarray:
    """Each article's title and lead (`article_of`'s), from the passage columns at once."""
    store = index.passages
    n = len(store)
    mask = np.zeros(n, dtype=bool)
    if not n:
        return mask
    heading, summary = KINDS.index("heading"), KINDS.index("summary")
    kind, city = np.asarray(store.kind), np.asarray(store.city)
    firsts = np.asarray(store.doc_first)
    doc = np.repeat(np.arange(len(firsts) - 1), np.diff(firsts))
    city_heading = (kind == heading) & (city >= 0)
    upto = np.r_[0, np.cumsum(city_heading)]               # city headings before each passage
    seen = upto[1:] - np.repeat(upto[firsts[:-1]], np.diff(firsts))
    before = (seen == 0)                                    # before the article's first city heading
    mask |= before & (kind != heading) & (kind != summary) & (city < 0)
    plain_heading = np.flatnonzero(before & (kind == heading) & (city < 0))
    if len(plain_heading):
        first = np.r_[True, doc[plain_heading][1:] != doc[plain_heading][:-1]]
        mask[plain_heading[first]] = True                   # each article's title
    return mask


def passages(frame: Frame, index: Index) -> list[Hit]:
    """The ranked passages for a frame."""
    return retrieve(frame, index, scope_mask(frame, index))


# ---------------------------------------------------------------- facts

def in_cities(frame: Frame, cities: list[str] | None):
    wanted = cities if cities is not None else frame.cities
    return lambda f: (not wanted or f.city in wanted) and f.city not in frame.excluded


def events(frame: Frame, index: Index, cities: list[str] | None = None, kind: bool = True,
           doc: str | None = None, limit: int | None = None) -> list[Fact]:
    """Dated events in the frame's cities, period, event kind and precision (and one article's
    when `doc` names it), in date order (the first `limit` of them)."""
    city_ok = in_cities(frame, cities)
    ordered = False
    if doc is not None:
        first, last = doc_ranges(index).get(doc, (0, -1))
        pool = [f for n in range(first, last + 1) for f in index.facts_of.of_number(n)]
    elif frame.period:
        numbers = sorted({n for y in frame.period.years() for n in index.events_in.get(y, ())})
        pool = [f for n in numbers for f in index.facts_of.of_number(n)]
    else:
        pool, ordered = index.dated_events, True
    out = [f for f in pool if f.kind == "event" and f.date and city_ok(f)
           and (not frame.period or frame.period.covers(f.date, f.date_end))
           and (not kind or not frame.event_kind or any(k in (f.kinds or ()) for k in frame.kinds()))
           and (frame.precision != "day" or (len(f.date) == DAY_PRECISION and not f.date_end))]
    if ordered:
        return out[:limit]
    return heapq.nsmallest(limit, out, key=date_order) if limit is not None else sorted(out, key=date_order)


def quantities(frame: Frame, index: Index, cities: list[str] | None = None) -> list[Fact]:
    """Quantities in the frame's cities."""
    city_ok = in_cities(frame, cities)
    wanted = cities if cities is not None else frame.cities
    pool = [f for c in wanted for f in index.facts_in.get(c, [])] if wanted else index.facts
    return [f for f in pool if f.kind == "quantity" and city_ok(f)]


def stances(index: Index, city: str) -> list[Fact]:
    return [f for f in index.facts_in.get(city, []) if f.kind == "stance"]


# ---------------------------------------------------------------- topic

def text_has(word: ContentWord, terms: set[str]) -> bool:
    return any(all(k in terms for k in alt) for alt in word.alternatives)


def fit(words: list[ContentWord], text: str, analyzer: Analyzer) -> float:
    """The idf weight of `words` found in a text (a fact's clause)."""
    if not words:
        return 0.0
    terms = set(analyzer.analyze(text, "ja"))
    return sum(w.weight for w in words if text_has(w, terms))


def fact_fitter(words: list[ContentWord], index: Index, analyzer: Analyzer) -> Callable[[Fact], float]:
    """`fit` of facts' clauses, each analysed only for the words its passage holds (the clause
    is part of the passage, so it cannot hold a word its passage lacks)."""
    holding = [(w, word_rows(w, index)) for w in words]

    def fact_fit(fact: Fact) -> float:
        n = index.passages.number_of(fact.passage_id)
        return fit([w for w, rows in holding if n is None or n in rows], fact.text, analyzer)
    return fact_fit


def word_rows(word: ContentWord, index: Index) -> set[int]:
    """The passages that hold every key of one of the word's alternatives (common terms included)."""
    out: set[int] = set()
    for alt in word.alternatives:
        rows = None
        for k in alt:
            held = index.bm25.rows_of(k, common=True)
            rows = held if rows is None else np.intersect1d(rows, held, assume_unique=True)
        if rows is not None:
            out.update(rows.tolist())
    return out


def passage_fit(words: list[ContentWord], index: Index, number: int) -> float:
    return sum(w.weight for w in words if matches_word(index, w, number))


def held_in(words: list[ContentWord], cities: list[str], index: Index) -> bool:
    """One passage of these cities holds every one of the words (all keys of one of its forms)."""
    rows = {int(n) for alt in words[0].alternatives for n in index.bm25.rows_of(alt[0])}
    return any(index.passages[n].city in cities and all(matches_word(index, w, n) for w in words) for n in rows)
