"""Frame + gathered evidence -> a result: the operation the question asks, computed.

Lookups pick a fact or a sentence from the ranked passages (lookup.py); superlatives,
counts, lists and timelines are computed over the facts table (over_facts.py); stances and
comparisons over each city's facts and section (cities.py); questions about the article
over its structure (article_parts.py).  A result says what it rests on (facts, cited
passages) or why the article cannot answer (result.py).
"""
from __future__ import annotations

from dataclasses import replace

from .. import gather
from ..analysis import Analyzer
from ..cues import Cues, default_cues
from ..frame import Frame
from ..index import Index
from ..retrieve import Hit
from ..understand import informative
from .article_parts import about_article
from .cities import compare, stance
from .lookup import lookup
from .over_facts import count, listing, superlative, timeline
from .result import Result

__all__ = ["Result", "operate"]


def falls_back_to_stance(frame: Frame, result: Result) -> bool:
    """"<city>は?" after a question the article answers for another city only: that city's stance."""
    return (result.abstain is not None and result.abstain[0] == "weak_match" and len(frame.cities) == 1
            and frame.sources.get("topic") == "history" and frame.answer_type == "sentence")


def analogous(frame: Frame, index: Index) -> Frame | None:
    """"And <city B>?" after a date asked of city A: the earlier words that B's passages hold
    (A's own words, "its government", are left behind); None when nothing is left out."""
    if (frame.sources.get("topic") != "history" or frame.sources.get("cities") != "question"
            or frame.answer_type != "date"):
        return None
    telling = {id(w) for w in informative(frame.topic, index)}
    kept = [w for w in frame.topic if id(w) not in telling or gather.held_in([w], frame.cities, index)]
    if len(kept) == len(frame.topic) or not any(id(w) in telling for w in kept):
        return None
    return replace(frame, topic=kept)


def operate(frame: Frame, index: Index, hits: list[Hit], analyzer: Analyzer, cues: Cues | None = None) -> Result:
    """Carry out the frame's operation; an operation the facts cannot carry out is a lookup."""
    cues = cues or default_cues()
    if frame.unknown_names:
        return Result("abstain", abstain=("unknown_name", {"names": "、".join(dict.fromkeys(frame.unknown_names))}))
    result = None
    if frame.op == "timeline":
        result = timeline(frame, index, hits)
    elif frame.op == "superlative":
        result = superlative(frame, index, analyzer, cues, hits)
    elif frame.op == "count":
        result = count(frame, index, hits, analyzer)
    elif frame.op == "list":
        result = listing(frame, index, hits, analyzer, cues)
    elif frame.op == "compare":
        result = compare(frame, index, analyzer, hits)
    elif frame.op == "stance":
        result = stance(frame, index, hits, analyzer, cues)
    elif frame.op == "about_article":
        result = about_article(frame, index, hits, analyzer)
    if result is None:
        result = lookup(frame, index, hits, analyzer, cues)
        if falls_back_to_stance(frame, result):
            result = stance(frame, index, hits, analyzer, cues) or result
        loose = analogous(frame, index) if result.abstain else None
        if loose is not None:
            retried = lookup(loose, index, gather.passages(loose, index), analyzer, cues)
            result = result if retried.abstain else retried
    return result
