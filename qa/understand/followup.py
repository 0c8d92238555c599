"""Follow-ups: what a question leaves out, taken from the turn before it (README: Follow-ups)."""
from __future__ import annotations

from dataclasses import dataclass, replace

from .. import gather
from ..frame import Frame, Period
from ..index import Index
from .periods import EARLIEST, LATEST, step
from .slots import decide_op, settle
from .words import informative

EARLIER_WEIGHT = 0.3     # an earlier question's words beside a follow-up's own: they say which thing, not what is asked

@dataclass
class Context:
    """What one turn of a chat leaves for the next: its frame and the cities it answered with."""
    frame: Frame
    answer_cities: list[str]
    answer_date: tuple[str, str] | None = None       # the first and last day of what it answered, ISO


def fits_city(frame: Frame, cities: list[str], index: Index) -> bool:
    """A lookup's telling words are all found in one passage of these cities: it can be about them."""
    words = informative([w for w in frame.topic if w.start >= 0], index)
    if not words or frame.op not in ("lookup", "yes_no"):
        return False
    return gather.held_in(words, cities, index)


def related(frame: Frame, previous: Frame, cities: list[str], index: Index) -> bool:
    """The question continues the one before: it points back, is bare, shares a topic word, or
    asks of the earlier city something the article says of it."""
    if frame.refers or frame.followup or frame.relative or frame.is_bare():
        return True
    if frame.op not in ("lookup", "yes_no", "stance"):
        return False                            # "which city … the earliest …?" asks of the whole article
    before = {k for c in informative(previous.topic, index) for alt in c.alternatives for k in alt}
    if any(k in before for c in informative(frame.topic, index) for alt in c.alternatives for k in alt):
        return True
    return fits_city(frame, cities, index)


def merge_followup(frame: Frame, context: Context | None, index: Index) -> Frame:
    """Fill what a follow-up leaves out from the turn before it (README: Follow-ups)."""
    if context is None:
        return settle(frame)
    prev = context.frame
    frame = replace(frame, sources=dict(frame.sources), topic=list(frame.topic), terms=list(frame.terms))
    before_cities = prev.cities or context.answer_cities
    across_cities = frame.op == "superlative" and frame.direction in ("most", "least") and not frame.refers
    if (not frame.cities and before_cities and not prev.unknown_names and not across_cities
            and related(frame, prev, before_cities, index)):
        frame.cities = list(before_cities)
        frame.sources["cities"] = "history"
    elif frame.op == "compare" and len(frame.cities) == 1 and before_cities:
        frame.cities = list(dict.fromkeys(list(before_cities) + frame.cities))
        frame.sources["cities"] = "question+history"
    if frame.relative and context.answer_date and not frame.period:
        relative_period(frame, context.answer_date)
    if frame.relative in ("before", "after") and frame.sources.get("period") == "history":
        return settle(frame)                    # the nearest event on that side, whatever the earlier topic
    if frame.is_bare() and not frame.unknown_names:
        inherit_topic(frame, prev)
        loosen_kind(frame, index)
        loosen_period(frame)
    else:
        if "topic" in frame.refers:
            add_topic(frame, prev)
        if frame.followup and not frame.explicit_type and "which" not in frame.cues:
            inherit_type(frame, prev)
    return settle(frame)


def relative_period(frame: Frame, answer_date: tuple[str, str]) -> None:
    """"その前は?", "after that?", "the end of that year?", "October?", "at the same time?": a period
    read from the earlier answer's date; before and after ask for the nearest event on that side."""
    lo, hi = answer_date
    if frame.relative == "same_year":
        year, months = lo[:4], frame.relative_months
        frame.period = Period(f"{year}-{months[0]:02d}", f"{year}-{months[1]:02d}") if months else Period(year)
    elif frame.relative == "same_time":
        frame.period = Period(lo, hi if hi != lo else None)
    else:
        before = frame.relative == "before"
        frame.period = Period(EARLIEST, step(lo, -1)) if before else Period(step(hi, 1), LATEST)
        frame.direction = frame.direction or ("latest" if before else "earliest")
        frame.category = frame.category or "event"
    frame.sources["period"] = "history"
    decide_op(frame, frame.cues, frame.specific)


def add_topic(frame: Frame, prev: Frame) -> None:
    """"When was that announced?": the earlier topic joins the question's own words."""
    have = {c.label for c in frame.topic}
    frame.topic += [replace(c, weight=c.weight * EARLIER_WEIGHT) for c in prev.topic if c.label not in have]
    frame.terms += list(prev.terms)
    frame.topic_from = prev.text
    frame.sources["topic"] = "question+history"


def inherit_type(frame: Frame, prev: Frame) -> None:
    """"What about the innovation base?": the earlier question asked again of a new topic."""
    frame.answer_type, frame.unit, frame.explicit_type = prev.answer_type, prev.unit, prev.explicit_type
    if frame.op in ("lookup", "stance", "yes_no") and prev.op in ("lookup", "yes_no"):
        frame.op = prev.op
    frame.sources["answer_type"] = "history"


def inherit_topic(frame: Frame, prev: Frame) -> None:
    """A bare follow-up keeps the earlier topic, and its type unless it asks its own."""
    frame.topic, frame.terms = list(prev.topic), frame.terms + list(prev.terms)
    frame.topic_from = prev.text
    frame.sources["topic"] = "history"
    for slot in ("event_kind", "category", "part", "scope", "modality", "precision", "period"):
        if getattr(frame, slot) is None and getattr(prev, slot) is not None:
            setattr(frame, slot, getattr(prev, slot))
            frame.sources[slot] = "history"
            if slot == "event_kind":
                frame.other_kinds = list(prev.other_kinds)
    frame.unknown_names = list(prev.unknown_names)
    if not frame.explicit_type:
        frame.answer_type, frame.unit, frame.explicit_type = prev.answer_type, prev.unit, prev.explicit_type
        frame.since = prev.since
        if frame.op in ("lookup", "stance", "yes_no") or prev.op in ("compare",):
            frame.op, frame.direction, frame.only = prev.op, prev.direction, prev.only
        if frame.op == "compare" and len(frame.cities) < 2:
            frame.op = "stance" if prev.op == "compare" else frame.op
        frame.sources["op"] = "history"
    elif frame.op in ("stance", "yes_no"):
        frame.op = "lookup"


def loosen_kind(frame: Frame, index: Index) -> None:
    """"And <city B> that month?" after "What did <city A> announce in <month>?": when the new
    city has no event of the earlier kind in the period, its events of any kind answer."""
    if frame.sources.get("event_kind") != "history" or not frame.period or gather.events(frame, index):
        return
    if gather.events(frame, index, kind=False):
        frame.event_kind, frame.other_kinds, frame.topic, frame.op, frame.category = None, [], [], "timeline", "event"
        frame.sources["event_kind"] = frame.sources["topic"] = "history, loosened"


def loosen_period(frame: Frame) -> None:
    """"那<city>呢?" after a count dated to a month: another city's count is asked, whenever it is dated."""
    if (frame.sources.get("period") == "history" and frame.sources.get("cities") == "question"
            and frame.answer_type in ("quantity", "money") and frame.category is None):
        frame.period = None
        frame.sources["period"] = "history, loosened"
