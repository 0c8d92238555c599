"""Frame -> what it needs from the index: ranked passages, and the facts its slots select.

Passages come from BM25 retrieval within the frame's cities (and part of the article);
events and quantities from the facts table, filtered by city, period, event kind and
precision.  `fit` says how well a fact's own words match the frame's topic.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .analysis import Analyzer
from .article import article_of, doc_ranges
from .facts import Fact
from .frame import ContentWord, Frame, date_span
from .index import Index
from .retrieve import Hit, matches_word, retrieve

DAY_PRECISION = 10          # len("2018-05-25")


def scope_mask(frame: Frame, index: Index) -> np.ndarray | None:
    """The passages a frame's scope allows (the lead paragraph of each article), or None."""
    if frame.scope != "lead":
        return None
    mask = np.zeros(len(index.passages), dtype=bool)
    for doc in doc_ranges(index):
        art = article_of(index, doc)
        mask[[n for n in art.lead + ([art.title] if art.title is not None else [])]] = True
    return mask


def passages(frame: Frame, index: Index) -> list[Hit]:
    """The ranked passages for a frame."""
    return retrieve(frame, index, scope_mask(frame, index))


# ---------------------------------------------------------------- facts

def in_cities(frame: Frame, cities: list[str] | None):
    wanted = cities if cities is not None else frame.cities
    return lambda f: (not wanted or f.city in wanted) and f.city not in frame.excluded


def events(frame: Frame, index: Index, cities: list[str] | None = None, kind: bool = True) -> list[Fact]:
    """Dated events in the frame's cities, period, event kind and precision, in date order."""
    city_ok = in_cities(frame, cities)
    if frame.period:
        numbers = sorted({n for y in frame.period.years() for n in index.events_in.get(y, ())})
        pool = [f for n in numbers for f in index.facts_of.of_number(n)]
    else:
        pool = index.dated_events
    out = [f for f in pool if f.kind == "event" and f.date and city_ok(f)
           and (not frame.period or frame.period.covers(f.date, f.date_end))
           and (not kind or not frame.event_kind or frame.event_kind in (f.kinds or ()))
           and (frame.precision != "day" or (len(f.date) == DAY_PRECISION and not f.date_end))]
    return sorted(out, key=lambda f: (date_span(f.date, f.date_end), f.passage_id))


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
    """`fit` of a fact's clause, analysed only for the words its passage holds (the clause is
    part of the passage, so it cannot hold a word its passage lacks)."""
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
