"""Operations over the facts table: timelines, superlatives, counts and lists."""
from __future__ import annotations

import re
from collections import Counter

from .. import gather
from ..analysis import Analyzer
from ..article import article_of, doc_ranges, main_doc
from ..cues import Cues
from ..facts import Fact
from ..frame import BOTH_ENDS, Frame, date_span
from ..index import Index
from ..retrieve import Hit
from ..understand import beyond_start, informative
from .cities import article_lines, stated_extreme
from .lookup import denied, quantity_ok, unanswerable
from .result import LIST_LIMIT, Result, abstained


FACTS_WEIGHED = 2000    # facts a superlative weighs by their words; past this, those of the ranked passages


def surely_in(frame: Frame, found: list[Fact]) -> list[Fact]:
    """The events surely inside the period before those that only overlap it (a span of two
    years asked of one), those dated by the asked year alone after the dated ones; asked of a
    month or a day, or of the time before or after an earlier answer, only those surely in it
    when there are any (not those of a whole year that may be)."""
    if not frame.period:
        return found
    fits = [frame.period.fit(f.date, f.date_end) == 2 for f in found]
    inside = [f for f, ok in zip(found, fits) if ok]
    if len(frame.period.lo) >= gather.MONTH_PRECISION or frame.relative in ("before", "after"):
        return inside or found
    whole = [f for f in inside if f.date == frame.period.lo and not f.date_end]     # dated by the year alone
    return [f for f in inside if f not in whole] + whole + [f for f, ok in zip(found, fits) if not ok]


def events_result(frame: Frame, index: Index, doc: str | None = None) -> Result:
    found = surely_in(frame, gather.events(frame, index, doc=doc))
    if not found:
        return abstained("no_events")
    return Result("events", facts=found, cited=cities_first(found, index),
                  cities=list(dict.fromkeys(f.city for f in found if f.city)),
                  city=frame.cities[0] if len(frame.cities) == 1 else None)


def cities_first(found: list[Fact], index: Index) -> list[int]:
    """The passages of events in date order, each city's first event before the rest (the
    first passages shown then cover every city of a timeline)."""
    firsts = {f.city: f for f in reversed(found)}
    ordered = [f for f in found if firsts.get(f.city) is f] + found
    return list(dict.fromkeys(index.by_id[f.passage_id] for f in ordered))


def events_doc(frame: Frame, index: Index, hits: list[Hit]) -> str | None:
    """Events asked for with neither city nor period of a folder of several articles: those
    of the best-matching article (as for a question about the article); else None (all)."""
    whole = not frame.cities and not frame.period and len(doc_ranges(index)) > 1
    return main_doc(index, hits) if whole else None


def timeline(frame: Frame, index: Index, hits: list[Hit]) -> Result:
    """The events asked for, in date order."""
    return events_result(frame, index, events_doc(frame, index, hits))


def sort_key(direction: str):
    """Earliest: the event surely over first (its last possible day first); latest: the one surely
    begun last (its first possible day last)."""
    if direction == "earliest":
        return lambda f: (date_span(f.date, f.date_end)[1], date_span(f.date, f.date_end)[0])
    return lambda f: tuple(-x for part in date_span(f.date, f.date_end) for x in part)


def weighed(facts: list[Fact], index: Index, hits: list[Hit]) -> list[Fact]:
    """The facts a superlative weighs: all of them up to FACTS_WEIGHED, past that (a large
    corpus) those of the passages the question ranked."""
    if len(facts) <= FACTS_WEIGHED or not hits:
        return facts
    ranked = {id(f) for h in hits for f in index.facts_of.of_number(h.number)}
    return [f for f in facts if id(f) in ranked]


def best_by_topic(facts: list[Fact], words, index: Index, analyzer: Analyzer, hits: list[Hit]) -> list[Fact]:
    """The facts whose words fit the topic best (all of them when the topic says nothing)."""
    if not words:
        return facts
    facts = weighed(facts, index, hits)
    fact_fit = gather.fact_fitter(words, index, analyzer)
    scored = [(fact_fit(f), f) for f in facts]
    top = max((s for s, _ in scored), default=0.0)
    return [f for s, f in scored if s == top and s > 0]


def extremes(items: list, key) -> list:
    """Every item with the smallest key (ties kept)."""
    if not items:
        return []
    low = min(key(i) for i in items)
    return [i for i in items if key(i) == low]


def missing_cities(frame: Frame, found: list[Fact]) -> Result | None:
    """Two named cities compared when the article gives the measure for only some of them: say so."""
    have = {f.city for f in found}
    lacking = [c for c in frame.cities if c not in have]
    if len(frame.cities) >= 2 and lacking:
        return abstained("missing_for", names="、".join(lacking))
    return None


def both_ends(pool: list[Fact]) -> list[Fact]:
    """The earliest event(s) and then the latest (once each): "the first and the last"."""
    first = extremes(pool, sort_key("earliest"))
    return first + [f for f in extremes(pool, sort_key("latest")) if all(f is not g for g in first)]


def extreme_event(frame: Frame, index: Index, analyzer: Analyzer, cues: Cues, hits: list[Hit]) -> Result | None:
    """The earliest (latest) events fitting the words; words of starting dropped ("started earliest")."""
    ends = both_ends if frame.direction == BOTH_ENDS else None
    key = sort_key("earliest" if ends else frame.direction)
    if len(frame.cities) >= 2:                                      # each city with the words said beside it
        sides = [([city], frame.city_topics.get(city) or frame.topic) for city in frame.cities]
    else:                                                           # "X跟Y哪个早": each side with its own words
        sides = frame.choices if not ends else []
    pool = []
    for cities, own in sides:                                       # each side's own words say what kind
        chosen = best_by_topic(surely_in(frame, gather.events(frame, index, cities, kind=False)),
                               beyond_start(informative(own, index), cues), index, analyzer, hits)
        pool += ends(chosen) if ends else extremes(chosen, key)[:1]
    if len(frame.cities) < 2 and len(pool) < 2:                     # no two sides: the events that fit the words
        pool = best_by_topic(surely_in(frame, gather.events(frame, index)),
                             beyond_start(informative(frame.topic, index), cues), index, analyzer, hits)
    if not pool:
        return None
    missing = missing_cities(frame, pool)
    if missing:
        return missing
    winners = ends(pool) if ends else extremes(pool, key)
    cities = list(dict.fromkeys(f.city for f in winners if f.city))
    others = [f for f in pool if f not in winners]
    return Result("extreme_event", facts=winners + others, cited=[index.by_id[f.passage_id] for f in winners + others],
                  cities=cities, city=cities[0] if len(cities) == 1 else None, count=len(winners))


def number(f: Fact) -> float:
    values = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", f.value or "")]
    return max(values) if values else 0.0


def extreme_quantity(frame: Frame, index: Index, analyzer: Analyzer, cues: Cues, hits: list[Hit]) -> Result | None:
    words = informative(frame.topic, index)
    ok = quantity_ok(frame, cues)
    pool = [f for f in gather.quantities(frame, index) if ok(f) and f.city and f.modality != "target"]
    if words:
        pool = weighed(pool, index, hits)
    fact_fit = gather.fact_fitter(words, index, analyzer)
    scored = [(fact_fit(f), f) for f in pool]
    per_city: dict[str, tuple] = {}
    for s, f in scored:
        if s <= 0:
            continue
        rank = (s, -len(f.object or f.unit or ""))        # the closest wording: fewest extra words
        if f.city not in per_city or rank > per_city[f.city][0]:
            per_city[f.city] = (rank, f)
    chosen = [f for _, f in per_city.values()]
    if not chosen:
        return None
    missing = missing_cities(frame, chosen)
    if missing:
        return missing
    sign = -1 if frame.direction == "most" else 1
    winners = extremes(chosen, lambda f: sign * number(f))
    others = sorted((f for f in chosen if f not in winners), key=lambda f: sign * number(f))
    cities = [f.city for f in winners]
    return Result("extreme_quantity", facts=winners + others, cited=[index.by_id[f.passage_id] for f in winners + others],
                  cities=cities, city=cities[0] if len(cities) == 1 else None, count=len(winners))


def group_count(frame: Frame, index: Index) -> Result | None:
    """Events counted by city (or by year, for a when-question); the most, the fewest, or exactly N."""
    found = gather.events(frame, index)
    by_year = frame.answer_type == "date"
    groups: Counter = Counter()
    for f in found:
        keys = range(int(f.date[:4]), int((f.date_end or f.date)[:4]) + 1) if by_year else [f.city]
        for k in keys:
            if k:
                groups[str(k)] += 1
    if not groups:
        return None
    if frame.only is not None:
        winners = [k for k, n in groups.items() if n == frame.only]
    else:
        sign = -1 if frame.direction in ("most", None) else 1
        winners = extremes(list(groups), lambda k: sign * groups[k])
    if not winners:
        return abstained("no_match")
    if by_year:
        facts = [f for f in found if any(str(y) in winners for y in range(int(f.date[:4]), int((f.date_end or f.date)[:4]) + 1))]
    else:
        facts = [f for f in found if f.city in winners]
    shape = "group_years" if by_year else "group_cities"
    return Result(shape, facts=facts, cited=[index.by_id[f.passage_id] for f in facts], cities=winners,
                  count=groups[winners[0]], city=winners[0] if len(winners) == 1 and not by_year else None)


def superlative(frame: Frame, index: Index, analyzer: Analyzer, cues: Cues, hits: list[Hit]) -> Result | None:
    stated = stated_extreme(frame, index, cues)       # the article says which was early or late
    if stated is not None:
        return stated
    result = None
    if frame.only is not None or (frame.direction in ("most", "least") and frame.category in ("event", "organisation")):
        result = group_count(frame, index)
    elif frame.direction in ("earliest", "latest", BOTH_ENDS):
        result = extreme_event(frame, index, analyzer, cues, hits)
    elif frame.direction in ("most", "least"):
        result = extreme_quantity(frame, index, analyzer, cues, hits)
    return result                           # None: worded in the article, not in its facts


def count(frame: Frame, index: Index, hits: list[Hit], analyzer: Analyzer) -> Result:
    if frame.category == "city":
        doc = main_doc(index, hits)
        art = article_of(index, doc) if doc else None
        cities = [c for c in (art.cities if art else index.cities) if c not in frame.excluded]
        if frame.period or frame.event_kind:
            cities = [c for c in cities if gather.events(frame, index, [c])]
        countries = analyzer.countries(" ".join(index.passages[n].text for n in art.cited())) if art and frame.part == "country" else []
        cited = art.lead[:1] if art else []
        return Result("count_cities", cited=cited, cities=cities, count=len(cities), countries=countries,
                      facts=[f for c in cities for f in gather.stances(index, c)[:1]])
    found = gather.events(frame, index)
    if not found:
        return Result("count_events", count=0, cities=list(frame.cities))
    return Result("count_events", facts=found, cited=[index.by_id[f.passage_id] for f in found], count=len(found),
                  cities=list(dict.fromkeys(f.city for f in found if f.city)),
                  city=frame.cities[0] if len(frame.cities) == 1 else None)


def list_cities(frame: Frame, index: Index, hits: list[Hit], analyzer: Analyzer, cues: Cues) -> Result:
    words = informative(frame.topic, index)
    cities: list[str] | None = None                 # the cities of the facts found, unless the article's own
    lead: list[int] = []
    if frame.period or frame.event_kind or frame.category == "event":
        found = gather.events(frame, index)
        telling = [w for w in words if w.label not in frame.kinds()]           # "set up" is the kind, said by every one
        facts = best_by_topic(found, telling, index, analyzer, hits) or found    # "set up a research centre": those
    elif words:
        fact_fit = gather.fact_fitter(words, index, analyzer)
        facts = [f for f in gather.quantities(frame, index) if f.city and fact_fit(f) > 0]
        if not facts:
            matched = saying(frame, index, hits, words, analyzer, cues)
            facts = [f for n in matched for f in index.facts_of.of_number(n) if f.city]
            if not facts:                          # said in passages, in no fact: the passages' cities
                cited = [n for n in matched if index.passages[n].city and index.passages[n].city not in frame.excluded]
                named = list(dict.fromkeys(index.passages[n].city for n in cited))
                return Result("cities", cited=cited, cities=named, city=named[0] if len(named) == 1 else None) \
                    if cited else abstained("no_match")
    else:                                           # the article's cities: its lead names them, then each heading
        art, cities, facts = article_lines(frame, index, hits)
        lead = [n for n in (art.lead if art else []) if sum(c in index.passages[n].text for c in cities) >= 2][:1]
    if cities is None:
        cities = list(dict.fromkeys(f.city for f in facts if f.city and f.city not in frame.excluded))
    if not cities:
        return abstained("no_match")
    return Result("cities", facts=facts, cited=list(dict.fromkeys(lead + [index.by_id[f.passage_id] for f in facts])),
                  cities=cities, city=cities[0] if len(cities) == 1 else None)


def fitting(words, index: Index, hits: list[Hit]) -> list[int]:
    """The ranked passages that hold the words at least half as well as the best one."""
    fits = [(h.number, gather.passage_fit(words, index, h.number)) for h in hits]
    best = max((fit for _, fit in fits), default=0)
    return [n for n, fit in fits if best > 0 and fit >= best / 2]


def list_passages(frame: Frame, index: Index, hits: list[Hit]) -> Result | None:
    """Every top passage that holds the topic's telling words ("all the firsts of a city"); None
    when one passage at most does (then it is a lookup)."""
    reason = unanswerable(frame, index, hits)
    if reason:
        return Result("abstain", abstain=reason)
    words = informative(frame.topic, index)
    if not words:
        return None
    chosen = [n for n in fitting(words, index, hits) if index.passages[n].kind == "claim"][:LIST_LIMIT]
    if len(chosen) <= 1:
        return None
    named = list(dict.fromkeys(index.passages[n].city for n in chosen if index.passages[n].city))
    return Result("sentences", cited=chosen, cities=named, city=named[0] if len(named) == 1 else None,
                  facts=[f for n in chosen for f in index.facts_of.of_number(n) if f.kind != "stance"])


def saying(frame: Frame, index: Index, hits: list[Hit], words, analyzer: Analyzer, cues: Cues) -> list[int]:
    """The passages `fitting` the question's words that do not deny them."""
    return [n for n in fitting(words, index, hits) if not denied(frame, index, n, analyzer, cues)]


def listing(frame: Frame, index: Index, hits: list[Hit], analyzer: Analyzer, cues: Cues) -> Result | None:
    if frame.answer_type == "city":
        return list_cities(frame, index, hits, analyzer, cues)
    if frame.category in ("event", "organisation") or (frame.event_kind and (frame.period or frame.cities)):
        return events_result(frame, index, events_doc(frame, index, hits))
    return list_passages(frame, index, hits)
