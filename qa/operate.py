"""Frame + gathered evidence -> a result: the operation the question asks, computed.

Lookups pick a fact or a sentence from the ranked passages; superlatives, counts, lists
and timelines are computed over the facts table; comparisons and stances over each
city's facts and section; questions about the article over its structure.  A result
says what it rests on (facts, cited passages) or why the article cannot answer.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from . import gather
from .analysis import Analyzer
from .article import article_of, main_doc
from .cues import Cues, default_cues
from .facts import Fact
from .frame import Frame, date_span
from .index import Index
from .retrieve import Hit, in_period, matches_word
from .understand import informative

ANSWER_WINDOW = 5        # how far down the ranking a typed answer (date, quantity) may come from
MIN_CONFIDENCE = 0.25
LIST_LIMIT = 8           # sentences in a list of passages


@dataclass
class Result:
    shape: str                                           # how render.py writes it
    facts: list[Fact] = field(default_factory=list)      # what the answer rests on, in its order
    cited: list[int] = field(default_factory=list)       # passages it cites, its own first
    cities: list[str] = field(default_factory=list)
    city: str | None = None
    count: int | None = None
    stance: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    abstain: tuple[str, dict] | None = None
    confidence: float = 1.0


def abstained(reason: str, **fields) -> Result:
    return Result("abstain", abstain=(reason, fields))


# ---------------------------------------------------------------- confidence and abstention

def confidence(frame: Frame, index: Index, number: int) -> float:
    """Share of the question's content (weighted by idf) that the passage contains."""
    total = sum(c.weight for c in frame.topic)
    got = sum(c.weight for c in frame.topic if c.known and matches_word(index, c, number))
    if frame.period:
        top = float(index.bm25.idf.max()) if len(index.bm25.idf) else 1.0
        total += top
        got += top if in_period(frame, index, number) else 0.0
    if total == 0:
        return 1.0 if frame.cities else 0.0
    return round(got / total, 3)


def unanswerable(frame: Frame, index: Index, hits: list[Hit]) -> tuple[str, dict] | None:
    """Why the passages cannot answer a lookup: unknown names or words, or only weak matches."""
    if frame.unknown_names:
        return "unknown_name", {"names": "、".join(dict.fromkeys(frame.unknown_names))}
    if frame.topic and not any(c.known for c in frame.topic):
        return "not_in_article", {"words": "、".join(frame.unknown_words)}
    if frame.focus and not any(c.known for c in frame.focus):
        return "not_in_article", {"words": "、".join(c.label for c in frame.focus)}   # "…の住所は?"
    if not frame.topic and not frame.cities and not frame.period:
        return "no_question", {}
    if not hits:
        return "weak_match", {}
    top = [h.number for h in hits[:ANSWER_WINDOW]]
    useful = informative(frame.topic, index)
    if frame.topic and not any(gather.passage_fit(useful, index, n) or in_period(frame, index, n) for n in top):
        return "weak_match", {}
    if frame.topic and max(confidence(frame, index, n) for n in top) < MIN_CONFIDENCE:
        return "weak_match", {}
    if frame.period and (frame.event_kind or frame.category == "event") and not gather.events(frame, index):
        return "no_events", {}
    return None


# ---------------------------------------------------------------- lookups

def best_fact(frame: Frame, index: Index, hits: list[Hit], facts_ok, analyzer: Analyzer):
    """The fact (of those `facts_ok` accepts) in the top passages that best fits the question;
    only from a passage that holds one of the question's telling words, when it has any."""
    words = informative(frame.topic, index)
    best, best_key = None, None
    for r, h in enumerate(hits[:ANSWER_WINDOW]):
        if words and not gather.passage_fit(words, index, h.number):
            continue
        for f in index.facts_of.get(index.passages[h.number].id, []):
            if not facts_ok(f):
                continue
            score = gather.fit(frame.topic, f.text, analyzer)
            if frame.period and f.kind == "event" and frame.period.covers(f.date, f.date_end):
                score += 100
            key = (score, -r)
            if best_key is None or key > best_key:
                best, best_key = (f, h.number), key
    return best


def best_sentence(frame: Frame, index: Index, hits: list[Hit]) -> int:
    """Among the top passages, the one that holds most of the question's words (a claim before
    a heading, then the one holding the question's own phrases, then the best ranked)."""
    top = hits[:ANSWER_WINDOW]
    phrases = [t for t in frame.phrases if t in index.bm25.vocab]

    def key(rank_hit):
        r, h = rank_hit
        p = index.passages[h.number]
        held = sum(index.bm25.has(t, h.number) for t in phrases)
        return (confidence(frame, index, h.number), p.kind == "claim", held, -r)
    return max(enumerate(top), key=key)[1].number


def sentence(frame: Frame, index: Index, number: int) -> Result:
    p = index.passages[number]
    return Result("sentence", cited=[number], city=p.city, confidence=confidence(frame, index, number))


def date_answer(frame: Frame, index: Index, hits: list[Hit], analyzer: Analyzer) -> Result:
    found = best_fact(frame, index, hits, lambda f: f.kind == "event" and f.date, analyzer)
    if not found:
        return abstained("no_date")
    f, number = found
    return Result("date", facts=[f], cited=[number], city=f.city, confidence=confidence(frame, index, number))


def quantity_ok(frame: Frame, cues: Cues):
    """Which quantities can answer the question: its counter, money or not, goal or not."""
    nouns = cues.counters.get(frame.unit or "", ())

    def ok(f: Fact) -> bool:
        if f.kind != "quantity":
            return False
        if nouns and (f.unit or "") not in nouns and not any(n in (f.object or "") for n in nouns):
            return False
        if frame.answer_type in ("money", "size") and (f.unit or "") not in cues.counters.get(frame.answer_type, ()):
            return False
        if frame.modality in ("target", "future") and f.modality != "target":
            return False
        return True
    return ok


def counted_word(frame: Frame):
    """The word a how-many question counts: the topic word nearest its question word."""
    own = [w for w in frame.topic if w.start >= 0]
    return min(own, key=lambda w: abs(w.start - frame.type_at), default=None)


def quantity_answer(frame: Frame, index: Index, hits: list[Hit], analyzer: Analyzer, cues: Cues) -> Result:
    ok = quantity_ok(frame, cues)
    found = (best_fact(frame, index, hits, lambda f: ok(f) and f.modality != "target", analyzer)
             or best_fact(frame, index, hits, ok, analyzer))
    if found:
        f, number = found
        return Result("quantity", facts=[f], cited=[number], city=f.city, confidence=confidence(frame, index, number))
    word = counted_word(frame)
    strict = frame.unit or frame.answer_type in ("money", "size") or frame.modality
    if not strict and word and word.known and times_named(word, index.passages[hits[0].number].text, analyzer) >= 2:
        return sentence(frame, index, hits[0].number)       # the article lists them without a number
    return abstained("no_number")


def times_named(word, text: str, analyzer: Analyzer) -> int:
    """How often a passage names a word (in any of its forms)."""
    return max((min(len(analyzer.spans(text, {k}, "ja")) for k in alt) for alt in word.alternatives), default=0)


def city_answer(frame: Frame, index: Index, hits: list[Hit]) -> Result:
    for h in hits[:ANSWER_WINDOW]:
        p = index.passages[h.number]
        if p.city:
            return Result("city", cited=[h.number], city=p.city, confidence=confidence(frame, index, h.number))
    return sentence(frame, index, hits[0].number)


def name_answer(frame: Frame, index: Index, hits: list[Hit], analyzer: Analyzer) -> Result:
    """A name is answered only by a passage that holds a proper noun the question does not (a
    person's name for who-questions)."""
    asked = frame.text
    for h in hits[:2]:
        p = index.passages[h.number]
        names = [s for s, kind in analyzer.proper_nouns(p.text, p.lang) if len(s) > 1 and s not in asked
                 and s not in index.cities and (frame.answer_type != "person" or kind == "person")]
        if names:
            return sentence(frame, index, h.number)
    return abstained("no_name")


def covering(frame: Frame, index: Index, hits: list[Hit]) -> Result:
    """The best sentence, and a second one when it leaves some of the question's telling words
    out ("encourage or restrict?": one sentence for each)."""
    first = best_sentence(frame, index, hits)
    words = informative(frame.topic, index)
    left = [w for w in words if not matches_word(index, w, first)]
    second = max((h.number for h in hits[:2 * ANSWER_WINDOW] if h.number != first
                  and index.passages[h.number].kind == "claim"),
                 key=lambda n: gather.passage_fit(left, index, n), default=None) if left else None
    if second is None or not gather.passage_fit(left, index, second):
        return sentence(frame, index, first)
    p = index.passages[first]
    return Result("sentences", cited=[first, second], city=p.city, confidence=confidence(frame, index, first))


def lookup(frame: Frame, index: Index, hits: list[Hit], analyzer: Analyzer, cues: Cues) -> Result:
    reason = unanswerable(frame, index, hits)
    if reason:
        if (reason[0] == "weak_match" and len(frame.cities) == 1 and frame.sources.get("topic") == "history"
                and frame.answer_type == "sentence"):
            return stance(frame, index, hits, analyzer)     # "大阪は?" after another city: its stance
        return Result("abstain", abstain=reason)
    if frame.answer_type == "date":
        return date_answer(frame, index, hits, analyzer)
    if frame.answer_type in ("quantity", "money", "size"):
        return quantity_answer(frame, index, hits, analyzer, cues)
    if frame.answer_type == "city":
        return city_answer(frame, index, hits)
    if frame.answer_type in ("name", "person"):
        return name_answer(frame, index, hits, analyzer)
    if frame.op == "yes_no":
        return covering(frame, index, hits)
    return sentence(frame, index, best_sentence(frame, index, hits))


# ---------------------------------------------------------------- stance and comparison

def stance(frame: Frame, index: Index, hits: list[Hit], analyzer: Analyzer) -> Result:
    """A city's stance (its section heading, the summary's clause) and its sentence that best
    fits the question's words."""
    if not frame.cities:
        return lookup(frame, index, hits, analyzer, default_cues())
    city = frame.cities[0]
    own = gather.stances(index, city)
    if not own:
        return lookup(frame, index, hits, analyzer, default_cues())
    heading = next((index.by_id[f.passage_id] for f in own if index.passages[index.by_id[f.passage_id]].kind == "heading"),
                   index.by_id[own[0].passage_id])
    words = informative(frame.topic, index)
    claims = [h.number for h in hits if index.passages[h.number].kind == "claim" and index.passages[h.number].city == city]
    best = max(claims, key=lambda n: (gather.passage_fit(words, index, n), -claims.index(n)), default=None)
    better = best is not None and gather.passage_fit(words, index, best) > gather.passage_fit(words, index, heading)
    cited = [best, heading] if better else [heading] + ([best] if best is not None else [])
    return Result("stance", facts=own, cited=cited, city=city, stance=[f.text for f in own])


def compare(frame: Frame, index: Index, analyzer: Analyzer) -> Result:
    """Each city side by side: its stance, its best-matching number, its dated events."""
    facts, cited = [], []
    for city in frame.cities:
        own = index.facts_in.get(city, [])
        numbers = sorted((f for f in own if f.kind == "quantity"), key=lambda f: -gather.fit(frame.topic, f.text, analyzer))
        chosen = [f for f in own if f.kind == "stance"][:1] + numbers[:1] + [f for f in own if f.kind == "event"]
        facts += chosen
        cited += [index.by_id[f.passage_id] for f in chosen[:1]]
    return Result("compare", facts=facts, cited=cited, cities=list(frame.cities))


# ---------------------------------------------------------------- over the facts

def events_result(frame: Frame, index: Index) -> Result:
    found = gather.events(frame, index)
    if not found:
        return abstained("no_events")
    return Result("events", facts=found, cited=[index.by_id[f.passage_id] for f in found],
                  cities=list(dict.fromkeys(f.city for f in found if f.city)),
                  city=frame.cities[0] if len(frame.cities) == 1 else None)


def timeline(frame: Frame, index: Index) -> Result:
    return events_result(frame, index)


def sort_key(direction: str):
    """Earliest: the event surely over first (its last possible day first); latest: the one surely
    begun last (its first possible day last)."""
    if direction == "earliest":
        return lambda f: (date_span(f.date, f.date_end)[1], date_span(f.date, f.date_end)[0])
    return lambda f: tuple(-x for part in date_span(f.date, f.date_end) for x in part)


def best_by_topic(facts: list[Fact], words, analyzer: Analyzer) -> list[Fact]:
    """The facts whose words fit the topic best (all of them when the topic says nothing)."""
    if not words:
        return facts
    scored = [(gather.fit(words, f.text, analyzer), f) for f in facts]
    top = max((s for s, _ in scored), default=0.0)
    return [f for s, f in scored if s == top and s > 0]


def extremes(items: list, key) -> list:
    """Every item with the smallest key (ties kept)."""
    if not items:
        return []
    low = min(key(i) for i in items)
    return [i for i in items if key(i) == low]


def extreme_event(frame: Frame, index: Index, analyzer: Analyzer) -> Result | None:
    key = sort_key(frame.direction)
    words = informative(frame.topic, index)
    if len(frame.cities) >= 2:
        pool = []
        for city in frame.cities:
            own = informative(frame.city_topics.get(city) or frame.topic, index)
            pool += extremes(best_by_topic(gather.events(frame, index, [city]), own, analyzer), key)[:1]
    else:
        pool = best_by_topic(gather.events(frame, index), words, analyzer)
    if not pool:
        return None
    winners = extremes(pool, key)
    cities = list(dict.fromkeys(f.city for f in winners if f.city))
    others = [f for f in pool if f not in winners]
    return Result("extreme_event", facts=winners + others, cited=[index.by_id[f.passage_id] for f in winners + others],
                  cities=cities, city=cities[0] if len(cities) == 1 else None, count=len(winners))


def number(f: Fact) -> float:
    values = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", f.value or "")]
    return max(values) if values else 0.0


def extreme_quantity(frame: Frame, index: Index, analyzer: Analyzer, cues: Cues) -> Result | None:
    words = informative(frame.topic, index)
    ok = quantity_ok(frame, cues)
    pool = [f for f in gather.quantities(frame, index) if ok(f) and f.city and f.modality != "target"]
    scored = [(gather.fit(words, f.text, analyzer), f) for f in pool]
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


def superlative(frame: Frame, index: Index, hits: list[Hit], analyzer: Analyzer, cues: Cues) -> Result:
    result = None
    if frame.only is not None or (frame.direction in ("most", "least") and frame.category in ("event", "organisation")):
        result = group_count(frame, index)
    elif frame.direction in ("earliest", "latest"):
        result = extreme_event(frame, index, analyzer)
    elif frame.direction in ("most", "least"):
        result = extreme_quantity(frame, index, analyzer, cues)
    return result or lookup(frame, index, hits, analyzer, cues)    # worded in the article, not in its facts


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


def list_cities(frame: Frame, index: Index, hits: list[Hit], analyzer: Analyzer) -> Result:
    words = informative(frame.topic, index)
    if frame.period or frame.event_kind or frame.category == "event":
        found = gather.events(frame, index)
        facts = found
    elif words:
        facts = [f for f in gather.quantities(frame, index) if f.city and gather.fit(words, f.text, analyzer) > 0]
        if not facts:
            matched = [h.number for h in hits if gather.passage_fit(words, index, h.number) > 0]
            facts = [f for n in matched for f in index.facts_of.get(index.passages[n].id, []) if f.city]
    else:
        doc = main_doc(index, hits)
        cities = [c for c in (article_of(index, doc).cities if doc else index.cities) if c not in frame.excluded]
        facts = [f for c in cities for f in gather.stances(index, c)[:1]]
    cities = list(dict.fromkeys(f.city for f in facts if f.city and f.city not in frame.excluded))
    if not cities:
        return abstained("no_match")
    return Result("cities", facts=facts, cited=list(dict.fromkeys(index.by_id[f.passage_id] for f in facts)),
                  cities=cities)


def list_passages(frame: Frame, index: Index, hits: list[Hit], analyzer: Analyzer, cues: Cues) -> Result:
    """Every top passage that holds the topic's telling words: "all the firsts of Hangzhou"."""
    reason = unanswerable(frame, index, hits)
    if reason:
        return Result("abstain", abstain=reason)
    words = informative(frame.topic, index)
    if not words:
        return lookup(frame, index, hits, analyzer, cues)
    best = max(gather.passage_fit(words, index, h.number) for h in hits)
    chosen = [h.number for h in hits if best > 0 and gather.passage_fit(words, index, h.number) >= best / 2]
    chosen = [n for n in chosen if index.passages[n].kind == "claim"][:LIST_LIMIT]
    if len(chosen) <= 1:
        return lookup(frame, index, hits, analyzer, cues)
    return Result("sentences", cited=chosen, cities=list(dict.fromkeys(index.passages[n].city for n in chosen
                                                                        if index.passages[n].city)),
                  facts=[f for n in chosen for f in index.facts_of.get(index.passages[n].id, []) if f.kind != "stance"])


def listing(frame: Frame, index: Index, hits: list[Hit], analyzer: Analyzer, cues: Cues) -> Result:
    if frame.answer_type == "city":
        return list_cities(frame, index, hits, analyzer)
    if frame.category in ("event", "organisation") or (frame.event_kind and (frame.period or frame.cities)):
        return events_result(frame, index)
    return list_passages(frame, index, hits, analyzer, cues)


# ---------------------------------------------------------------- the article itself

def about_article(frame: Frame, index: Index, hits: list[Hit], analyzer: Analyzer) -> Result:
    doc = main_doc(index, hits)
    if doc is None:
        return abstained("no_question")
    art = article_of(index, doc)
    if frame.part == "title":
        cited = [art.title] if art.title is not None else art.headings[:1]
    elif frame.part == "summary":
        cited = art.summary or art.lead[:1]
    elif frame.part == "country":
        countries = analyzer.countries(" ".join(index.passages[n].text for n in art.cited()))
        if not countries:
            return abstained("no_match")
        return Result("countries", cited=art.lead[:1], countries=countries, cities=art.cities)
    else:
        cited = ([art.title] if art.title is not None else []) + (art.summary or art.lead[:1])
    if not cited:
        return abstained("no_match")
    return Result("article", cited=cited, cities=art.cities)


# ---------------------------------------------------------------- dispatch

def operate(frame: Frame, index: Index, hits: list[Hit], analyzer: Analyzer, cues: Cues | None = None) -> Result:
    """Carry out the frame's operation."""
    cues = cues or default_cues()
    if frame.unknown_names:
        return Result("abstain", abstain=("unknown_name", {"names": "、".join(dict.fromkeys(frame.unknown_names))}))
    if frame.op == "timeline":
        return timeline(frame, index)
    if frame.op == "superlative":
        return superlative(frame, index, hits, analyzer, cues)
    if frame.op == "count":
        return count(frame, index, hits, analyzer)
    if frame.op == "list":
        return listing(frame, index, hits, analyzer, cues)
    if frame.op == "compare":
        return compare(frame, index, analyzer)
    if frame.op == "stance":
        return stance(frame, index, hits, analyzer)
    if frame.op == "about_article":
        return about_article(frame, index, hits, analyzer)
    return lookup(frame, index, hits, analyzer, cues)
