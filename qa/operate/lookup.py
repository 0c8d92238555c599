"""Lookups: the fact (a date, a number) or the sentence of the best passages that answers the
question, or why the passages cannot."""
from __future__ import annotations

from .. import gather
from ..analysis import Analyzer
from ..article import doc_ranges
from ..cues import Cues
from ..facts import Fact
from ..frame import Frame, date_span
from ..index import Index
from ..retrieve import Hit, in_period, matches_word
from ..understand import informative
from .result import ANSWER_WINDOW, MIN_CONFIDENCE, Result, abstained


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



def best_fact(frame: Frame, index: Index, hits: list[Hit], facts_ok, analyzer: Analyzer, tie=None):
    """The fact (of those `facts_ok` accepts) in the top passages that best fits the question;
    only from a passage that holds one of the question's telling words, when it has any.
    Of equal fits the one `tie` ranks highest, then the best ranked."""
    words = informative(frame.topic, index)
    best, best_key = None, None
    for r, h in enumerate(hits[:ANSWER_WINDOW]):
        if words and not gather.passage_fit(words, index, h.number):
            continue
        for f in index.facts_of.of_number(h.number):
            if not facts_ok(f):
                continue
            score = gather.fit(frame.topic, f.text, analyzer)
            if frame.period and f.kind == "event" and frame.period.covers(f.date, f.date_end):
                score += 100
            key = (score, tie(f) if tie else (), -r)
            if best_key is None or key > best_key:
                best, best_key = (f, h.number), key
    return best


def best_sentence(frame: Frame, index: Index, hits: list[Hit], window: int = ANSWER_WINDOW) -> int:
    """Among the top passages, the one that holds most of the question's words (a claim before
    a heading, then the one holding the question's own phrases, then the best ranked)."""
    top = hits[:window]
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


def earlier_first(f: Fact) -> tuple:
    return tuple(-x for x in date_span(f.date, f.date_end)[0])


def date_answer(frame: Frame, index: Index, hits: list[Hit], analyzer: Analyzer) -> Result:
    """The date of the event that best fits; "since when … start?" the earliest of equal fits."""
    found = best_fact(frame, index, hits, lambda f: f.kind == "event" and f.date, analyzer,
                      tie=earlier_first if frame.since else None)
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


def dated_elsewhere(frame: Frame, index: Index, number: int) -> bool:
    """Asked of a period, the passage is dated to another time (a count "as of" another year), or,
    undated ("現在…", "now …"), its article's last date is before the period."""
    if not frame.period:
        return False
    dated = [e for e in index.facts_of.of_number(number) if e.kind == "event" and e.date]
    if not dated:
        last = last_date(index, index.passages[number].doc)
        return last is not None and last[:4] < frame.period.lo[:4]
    return not any(frame.period.covers(e.date, e.date_end) for e in dated)


def last_date(index: Index, doc: str) -> str | None:
    """The latest date an article gives (its events' ends), computed once per index."""
    key = ("last_date", doc)
    if key not in index.derived:
        first, last = doc_ranges(index).get(doc, (0, -1))
        ends = [e.date_end or e.date for n in range(first, last + 1) for e in index.facts_of.of_number(n)
                if e.kind == "event" and e.date]
        index.derived[key] = max(ends, default=None)
    return index.derived[key]


def quantity_answer(frame: Frame, index: Index, hits: list[Hit], analyzer: Analyzer, cues: Cues) -> Result:
    kind_ok = quantity_ok(frame, cues)

    def ok(f: Fact) -> bool:
        return kind_ok(f) and not dated_elsewhere(frame, index, index.by_id[f.passage_id])
    found = (best_fact(frame, index, hits, lambda f: ok(f) and f.modality != "target", analyzer)
             or best_fact(frame, index, hits, ok, analyzer))
    if found:
        f, number = found
        return Result("quantity", facts=[f], cited=[number], city=f.city, confidence=confidence(frame, index, number))
    if frame.unit and cues.counters.get(frame.unit) == cues.counters.get("rank"):     # "第幾個?" with no number:
        first = next((h.number for h in hits[:2] if cues.says_first(index.passages[h.number].text,
                                                                    index.passages[h.number].lang)), None)
        if first is not None:
            return sentence(frame, index, first)            # the sentence saying it was the first of its kind
    word = counted_word(frame)
    strict = (frame.unit or frame.answer_type in ("money", "size") or frame.modality
              or dated_elsewhere(frame, index, hits[0].number))
    if not strict and word and word.known and times_named(word, index.passages[hits[0].number].text, analyzer) >= 2:
        return sentence(frame, index, hits[0].number)       # the article lists them without a number
    return abstained("no_number")


def times_named(word, text: str, analyzer: Analyzer) -> int:
    """How often a passage names a word (in any of its forms)."""
    return max((min(len(analyzer.spans(text, {k}, "ja")) for k in alt) for alt in word.alternatives), default=0)


def denied(frame: Frame, index: Index, number: int, analyzer: Analyzer, cues: Cues) -> bool:
    """Every telling word of the question the passage holds stands in a clause that denies it."""
    p = index.passages[number]
    keys = {k for w in informative(frame.topic, index) for alt in w.alternatives for k in alt}
    spans = analyzer.spans(p.text, keys, p.lang) if keys else []
    return bool(spans) and all(cues.denies(p.text, end, p.lang) for _, end in spans)


def city_answer(frame: Frame, index: Index, hits: list[Hit], analyzer: Analyzer, cues: Cues) -> Result:
    """The city of the top passage that holds most of the question's words (and does not deny them):
    among the top passages and each city's first two (one city's section can fill the top)."""
    seen: dict[str, int] = {}
    with_city = []
    for r, h in enumerate(hits):
        city = index.passages[h.number].city
        if city and (r < 2 * ANSWER_WINDOW or seen.get(city, 0) < 2):
            with_city.append(h)
            seen[city] = seen.get(city, 0) + 1
    if not with_city:                                          # articles without cities: the best sentence
        return sentence(frame, index, best_sentence(frame, index, hits, 2 * ANSWER_WINDOW))
    affirming = [h for h in with_city if not denied(frame, index, h.number, analyzer, cues)]
    if not affirming:
        return sentence(frame, index, with_city[0].number)     # the article says which city does not
    with_city = affirming
    number = best_sentence(frame, index, with_city, len(with_city))
    return Result("city", cited=[number], city=index.passages[number].city, confidence=confidence(frame, index, number))


def name_answer(frame: Frame, index: Index, hits: list[Hit], analyzer: Analyzer, cues: Cues) -> Result:
    """A name is answered only by a passage that holds a proper noun the question does not (for
    who-questions a person's name, or the body its sentence says acted: "…部門は…求めた"); a
    full name asked, by one that holds every word of the part given."""
    asked = frame.text
    words = informative(frame.topic, index)
    for h in hits[:2]:
        p = index.passages[h.number]
        if "full_name" in frame.cues and words and all(matches_word(index, w, h.number) for w in words):
            return sentence(frame, index, h.number)        # the passage naming it with every word asked
        names = [s for s, kind in analyzer.proper_nouns(p.text, p.lang) if len(s) > 1 and s not in asked
                 and s not in index.cities and (frame.answer_type != "person" or kind == "person")]
        if frame.answer_type == "person":
            names += [a for a in cues.actors_in(p.text, p.lang) if a not in asked]
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
        return Result("abstain", abstain=reason)
    if frame.answer_type == "date":
        return date_answer(frame, index, hits, analyzer)
    if frame.answer_type in ("quantity", "money", "size"):
        return quantity_answer(frame, index, hits, analyzer, cues)
    if frame.answer_type == "city":
        return city_answer(frame, index, hits, analyzer, cues)
    if frame.answer_type in ("name", "person"):
        return name_answer(frame, index, hits, analyzer, cues)
    if frame.op == "yes_no":
        return covering(frame, index, hits)
    return sentence(frame, index, best_sentence(frame, index, hits, 2 * ANSWER_WINDOW))
