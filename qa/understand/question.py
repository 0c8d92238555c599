"""One question on its own -> its frame: language, period, cues, cities and names, topic words."""
from __future__ import annotations

import re

from ..analysis import PAIR, Analyzer, detect_lang, normalize
from ..cues import Cues, default_cues
from ..frame import Frame
from ..glossary import Entry
from ..index import Index
from .periods import find_period, month_alone, year_part
from .slots import apply_cues, decide_op, excluded_cities
from .words import (Masked, choices, city_topics, concept_word, corpus_city, glossary_matches, informative, known_keys,
                    topic_words, unknown_capitalised)

QUERY_BLANKS = {("type", t) for t in ("date", "quantity", "city", "cities", "reason")} | {
    ("op", "compare"), ("op", "stance")}                  # question words: left out of the BM25 query
KANA_ONLY = re.compile(r"^[\u3041-\u309f]+$")      # a stray kana fragment is never a name


def question_lang(text: str, analyzer: Analyzer, cues: Cues) -> str:
    """The question's language; Han characters alone read as Japanese when only Japanese
    question words fit them ("何社?", "何位?")."""
    lang = detect_lang(text)
    if lang == "zh":
        asks = lambda found: any(m.slot in ("type", "op", "which") for m in found)
        if not asks(cues.find(analyzer.to_simplified(text), "zh")) and asks(cues.find(text, "ja")):
            return "ja"
    return lang


def read_question(text: str, index: Index, analyzer: Analyzer, cues: Cues | None = None) -> Frame:
    """Read one question on its own (no history) into a frame."""
    cues = cues or default_cues()
    asked, text = text, spelling_fixed(text, index)
    norm = normalize(text).text.strip()
    lang = question_lang(norm, analyzer, cues)
    work = norm
    script = ""
    if lang == "zh":
        simplified = analyzer.to_simplified(norm)
        work = simplified if len(simplified) == len(norm) else norm
        script = "hant" if simplified != norm else "hans"
    masked = Masked(work)
    frame = Frame(text=asked, lang=lang, script=script)
    frame.period, period_words = find_period(work, lang, analyzer, cues, masked)
    query = Masked("".join(masked.chars))        # the text BM25 searches: without question words only
    found = cues.find(masked.text(), lang)
    if lang == "ja" and not any(m.slot == "type" for m in found):
        found = sorted(found + chinese_question_words(masked.text(), work, analyzer, cues), key=lambda m: m.start)
    for m in found:
        if m.consume:
            masked.blank(m.start, m.end)
        if m.slot == "which" or (m.slot, m.value) in QUERY_BLANKS:
            query.blank(m.start, m.end)
    ops = apply_cues(frame, found, cues)
    relative_year(frame, found, work, masked, query, analyzer, cues)
    frame.since = frame.answer_type == "date" and cues.asks_since(work, lang)
    kinds = cues.event_kinds_in(work, lang)
    frame.event_kind, frame.other_kinds = (kinds[0], kinds[1:]) if kinds else (None, [])
    if len(kinds) > 1 and frame.answer_type == "quantity":
        frame.category = frame.category or "event"      # "how many were set up or announced": the events

    concepts: list[tuple[Entry, int]] = []
    concept_spans: list[tuple[int, int, Entry]] = []
    cities: list[tuple[int, str]] = []
    for entry, s, e in sorted(glossary_matches(work, lang, index), key=lambda m: (m[1], m[1] - m[2])):
        if not masked.free(s, e):
            continue
        masked.blank(s, e)
        query.blank(s, e)
        city = corpus_city(entry, index)
        if city:
            cities.append((s, city))
        elif entry.kind == "city":
            frame.unknown_names.append(entry.term)
        elif entry.term in cues.noise.get("ja", ()):
            continue                                 # "相关", "related": a word the article uses, but no topic
        else:
            concepts.append((entry, s))
            concept_spans.append((s, e, entry))
    city_view = analyzer.to_japanese_glyphs(work) if lang == "zh" else work
    if len(city_view) == len(work):
        for city in index.cities:
            for m in re.finditer(re.escape(normalize(city).text), city_view):
                if masked.free(m.start(), m.end()):
                    masked.blank(m.start(), m.end())
                    query.blank(m.start(), m.end())
                    cities.append((m.start(), city))
    cities.sort()
    excluded = excluded_cities(found, cities, work, lang)
    frame.cities = [c for c in dict.fromkeys(c for _, c in cities) if c not in excluded]
    frame.excluded = sorted(excluded)
    if frame.cities:
        frame.sources["cities"] = "question"

    terms = analyzer.terms(query.text(), lang)[1]
    own = analyzer.terms(masked.text(), lang)[1]
    frame.unknown_names = list(dict.fromkeys(
        frame.unknown_names + [t[0] for t in own if t[3] and t[4] and not known_keys(t[0], index)[1]
                               and not KANA_ONLY.match(t[0])]))
    if lang == "en":
        frame.unknown_names += unknown_capitalised(text, analyzer, index)

    frame.terms = [t[0] for t in terms] + (analyzer.analyze(period_words, lang) if period_words else [])
    frame.topic = topic_words(work, masked, lang, analyzer, index, cues)
    for entry, start in dict.fromkeys(concepts):
        frame.topic.append(concept_word(entry, analyzer, index, start))
        for form in entry.ja:
            frame.terms += analyzer.analyze(form, "ja")
    frame.topic.sort(key=lambda w: w.start)
    span = cues.focus_span(work, lang)
    if span:
        frame.focus = [w for w in frame.topic if span[0] <= w.start < span[1]]
    frame.phrases = [t for t in analyzer.analyze(work, lang) if PAIR in t]
    if lang != "ja":                                  # "internet industry": the article words paired, as the index pairs them
        pairs = concept_pairs(work, sorted(concept_spans, key=lambda c: c[0]))
        frame.phrases += pairs
        frame.terms += pairs
    frame.city_topics = city_topics(frame.topic, cities)
    if len(frame.cities) < 2:
        frame.choices = choices(work, cues.choices.get(lang), frame.topic, cities)
    for slot in ("period", "event_kind"):
        if getattr(frame, slot):
            frame.sources[slot] = "question"
    if frame.topic:
        frame.sources["topic"] = "question"
    frame.cues = ops
    frame.specific = bool(informative([w for w in frame.topic if w.start >= 0], index))
    decide_op(frame, ops, frame.specific)
    return frame


def chinese_question_words(text: str, work: str, analyzer: Analyzer, cues: Cues) -> list:
    """A Japanese question's Chinese question words written in Chinese glyphs ("…企業数、全国排第几?")."""
    if analyzer.to_japanese_glyphs(work) == work:
        return []
    simplified = analyzer.to_simplified(text)
    if len(simplified) != len(work):
        return []
    chinese = lambda m: analyzer.to_japanese_glyphs(work[m.start:m.end]) != work[m.start:m.end]
    return [m for m in cues.find(simplified, "zh") if m.slot == "type" and chinese(m)]


def relative_year(frame: Frame, found: list, work: str, masked: Masked, query: Masked, analyzer: Analyzer,
                  cues: Cues) -> None:
    """"その年の年末", "同年10月", "10月は?": the part of the earlier answer's year asked (follow-ups resolve it)."""
    that_year = next((m for m in found if m.slot == "relative" and m.value == "same_year"), None)
    if that_year:
        frame.relative_months, s, e = year_part(work, that_year.start, that_year.end, frame.lang, cues)
        masked.blank(s, e)
        query.blank(s, e)
        return
    month = month_alone(masked.text(), frame.lang, analyzer) if not frame.period and not frame.relative else None
    if month:                                         # "10月は?": that month of the earlier answer's year
        frame.relative, frame.relative_months = "same_year", (month[0], month[0])
        masked.blank(month[1], month[2])              # still searched: without a chat it is the only date said


def spelling_fixed(text: str, index: Index) -> str:
    """English words that misspell a city's name ("Shenzen") or a glossary term ("blockchian") written right."""
    def fixed(m: re.Match) -> str:
        name = index.glossary.spelling(m.group().lower())
        return (name.capitalize() if m.group()[0].isupper() else name) if name else m.group()
    return re.sub(r"[A-Za-z]+", fixed, text) if re.search(r"[A-Za-z]{5}", text) else text


def concept_pairs(work: str, spans: list[tuple[int, int, Entry]]) -> list[str]:
    """Glossary terms standing side by side in the question, paired in the articles' words."""
    return [f"{a.term}{PAIR}{b.term}" for (_, end, a), (start, _, b) in zip(spans, spans[1:])
            if not work[end:start].strip()]
