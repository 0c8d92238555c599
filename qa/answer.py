"""Question (+ the chat so far) -> the /ask body, in the order a question flows:

    understand (text + history -> frame) -> gather (passages) -> operate (result) -> render (JSON)

Each earlier question of the chat is taken through the same steps, so that a follow-up
can take its city and topic from the frame and the answer before it.
"""
from __future__ import annotations

from . import gather
from .analysis import Analyzer
from .cues import Cues, default_cues
from .facts import Fact
from .frame import Frame, date_span
from .index import Index
from .operate import Result, operate
from .localize import localize, word_in
from .render import abstain_json, answer_json, summary_line
from .retrieve import Hit
from .understand import Context, informative, merge_followup, read_question

FACT_SHAPES = {"events", "extreme_event", "extreme_quantity", "group_cities", "group_years", "count_events",
               "count_cities", "cities", "compare", "sentences"}


def chat_frame(text: str, history: list[str], index: Index, analyzer: Analyzer, cues: Cues) -> Frame:
    """The question's frame, with each earlier question of the chat resolved oldest first."""
    context = None
    for earlier in history:
        frame = merge_followup(read_question(earlier, index, analyzer, cues), context, index)
        result = operate(frame, index, gather.passages(frame, index), analyzer, cues)
        context = Context(frame, [result.city] if result.city else list(result.cities), answer_date(result, index))
    return merge_followup(read_question(text, index, analyzer, cues), context, index)


def answer_date(result: Result, index: Index) -> tuple[str, str] | None:
    """The first and last day of what a result answered: its first dated fact, else its cited passage's."""
    facts = result.facts or [f for n in result.cited[:1] for f in index.facts_of.of_number(n)]
    dated = next((f for f in facts if f.date), None)
    if dated is None:
        return None
    lo, hi = date_span(dated.date, dated.date_end)
    return "%04d-%02d-%02d" % lo, "%04d-%02d-%02d" % hi


# ---------------------------------------------------------------- the response

RELATED_LIMIT = 50      # facts of the asked period shown beside a looked-up answer (a large corpus has thousands)


def fact_order(f: Fact) -> tuple:
    return ({"stance": 0, "event": 1, "quantity": 2}.get(f.kind, 3), f.date or "", f.passage_id)


def related_facts(frame: Frame, index: Index, hits: list[Hit]) -> list[Fact]:
    """For a looked-up answer: the facts of its cities (in its period), else of its top passages."""
    if frame.period and not frame.cities:
        return gather.events(frame, index, kind=False, limit=RELATED_LIMIT)
    if frame.cities:
        return sorted((f for c in frame.cities for f in index.facts_in.get(c, [])
                       if not frame.period or f.kind == "stance" or frame.period.covers(f.date, f.date_end)),
                      key=fact_order)
    ids = [index.passages[h.number].id for h in hits[:5]]
    return [f for pid in ids for f in sorted(index.facts_of.get(pid, []), key=fact_order)]


def ordered_hits(result: Result, hits: list[Hit]) -> list[Hit]:
    """The passages the answer cites first, then the rest of the ranking."""
    score = {h.number: h.score for h in hits}
    cited = list(dict.fromkeys(result.cited))
    return [Hit(n, score.get(n, 0.0)) for n in cited] + [h for h in hits if h.number not in cited]


def highlights(index: Index, number: int, wanted: set[str], analyzer: Analyzer) -> list[list[int]]:
    """Where the wanted terms stand in a passage; a passage whose BM25 row (its own terms)
    holds none of them has none, and is not analysed again to find that out."""
    if not any(index.bm25.has(k, number) for k in wanted):
        return []
    p = index.passages[number]
    return [list(s) for s in analyzer.spans(p.text, wanted, p.lang)]


def passage_json(index: Index, hit: Hit, wanted: set[str], analyzer: Analyzer) -> dict:
    """One returned passage, the question's known topic words (`wanted`) highlighted."""
    p = index.passages[hit.number]
    return {"id": p.id, "doc": p.doc, "city": p.city, "section": p.section, "text": p.text,
            "score": round(hit.score, 4), "highlights": highlights(index, hit.number, wanted, analyzer)}


def answer(text: str, history: list[str], index: Index, analyzer: Analyzer, top_k: int = 5,
           cues: Cues | None = None) -> dict:
    """The body of an /ask response, without timing and version."""
    cues = cues or default_cues()
    frame = chat_frame(text, history, index, analyzer, cues)
    hits = gather.passages(frame, index)
    result = operate(frame, index, hits, analyzer, cues)
    telling = [w.label for w in informative(frame.topic, index)]
    understood = frame.understood(summary_line(frame, lambda key: cues.label(frame.lang, key), telling,
                                               word_in(index, frame.lang)))
    shown = ordered_hits(result, hits)[:top_k]
    wanted = {k for c in frame.topic if c.known for alt in c.alternatives for k in alt}
    passages = [passage_json(index, h, wanted, analyzer) for h in shown]
    if result.abstain:
        reason, fields = result.abstain
        abstain = abstain_json(frame.lang, reason, fields)
        if frame.script == "hant":
            abstain["message"] = analyzer.to_traditional(abstain["message"])
        return {"answer": None, "abstain": abstain, "passages": passages, "facts": [], "understood": understood}
    facts = result.facts if result.shape in FACT_SHAPES and (result.facts or result.shape != "sentences") \
        else related_facts(frame, index, hits)
    ans = answer_json(frame, result, index)
    localized = localize(frame, result, index, analyzer.to_traditional)
    if localized:
        ans["localized"] = localized
    return {"answer": ans, "abstain": None, "passages": passages,
            "facts": [f.to_dict() for f in facts], "understood": understood}
