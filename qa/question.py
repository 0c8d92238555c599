"""What a question asks: language, type, cities, period, content words, and follow-ups.

The question is read against the loaded index: its cities are the corpus's own cities
(with the glossary's other-language names and readings), and its words are checked
against the corpus vocabulary so that the answerer can tell when the article is silent.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .analysis import Analyzer, bigrams, detect_lang, normalize
from .facts import YearContext, iso
from .glossary import Entry
from .index import Index

ISO_DATE = re.compile(r"(?<!\d)((?:1[5-9]|2\d)\d\d)(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?!\d)")
DEFAULT_TYPE = "what"
COUNTER_ASKERS = "何几幾"


@dataclass(frozen=True)
class Period:
    """A year, month or day, as an ISO prefix ("2016", "2018-09", "2018-09-06")."""
    iso: str

    def covers(self, date: str | None, date_end: str | None = None) -> bool:
        """True when an event dated [date, date_end] falls in (or overlaps) this period."""
        if not date:
            return False
        lo, hi, p = date, date_end or date, self.iso
        k, k2 = min(len(p), len(lo)), min(len(p), len(hi))
        return lo[:k] <= p[:k] and p[:k2] <= hi[:k2]

    def fit(self, date: str | None, date_end: str | None = None) -> int:
        """2: the event lies inside the period; 1: it only overlaps it (a coarser date); 0: neither."""
        if not self.covers(date, date_end):
            return 0
        return 2 if not date_end and date.startswith(self.iso) else 1


@dataclass
class ContentWord:
    """A word the question is about; matched in a passage when all keys of one alternative are."""
    label: str
    alternatives: list[list[str]]
    known: bool
    weight: float


@dataclass
class Question:
    text: str
    lang: str
    qtype: str = DEFAULT_TYPE
    explicit_type: bool = False
    cities: list[str] = field(default_factory=list)
    period: Period | None = None
    terms: list[str] = field(default_factory=list)          # BM25 query terms
    content: list[ContentWord] = field(default_factory=list)
    unknown_names: list[str] = field(default_factory=list)  # proper nouns the corpus lacks
    unit_hint: str | None = None
    from_history: dict = field(default_factory=dict)        # {"city": [...], "topic": "..."}

    @property
    def unknown_words(self) -> list[str]:
        return [c.label for c in self.content if not c.known]

    def understood(self) -> dict:
        """A summary for API responses: how the question was read."""
        return {"lang": self.lang, "type": self.qtype, "cities": self.cities,
                "period": self.period.iso if self.period else None,
                "terms": [c.label for c in self.content], "from_history": self.from_history}


# ---------------------------------------------------------------- pieces

class Masked:
    """A text whose used-up spans (question words, dates, names) are blanked out."""

    def __init__(self, text: str):
        self.chars = list(text)

    def free(self, start: int, end: int) -> bool:
        return all(c != "\0" for c in self.chars[start:end])

    def blank(self, start: int, end: int) -> None:
        for i in range(start, end):
            self.chars[i] = "\0"

    def text(self) -> str:
        return "".join(" " if c == "\0" else c for c in self.chars)


def classify(text: str, lang: str, analyzer: Analyzer, masked: Masked) -> tuple[str, bool, str | None]:
    """(type, explicit?, unit hint); the question words found are blanked."""
    qtype, explicit, unit = DEFAULT_TYPE, False, None
    for kind, pat_lang, pattern in analyzer.lexicon.question_types:
        if pat_lang != lang:
            continue
        for m in pattern.finditer(text):
            if not masked.free(m.start(), m.end()):
                continue
            masked.blank(m.start(), m.end())
            if kind == "which":
                continue
            if kind == "how_many" and len(m.group()) > 1 and m.group()[0] in COUNTER_ASKERS:
                unit = m.group()[1:]                    # 何位 -> 位, 几家 -> 家
            if not explicit:
                qtype, explicit = kind, True
    return qtype, explicit, unit


def find_period(text: str, lang: str, analyzer: Analyzer, masked: Masked) -> tuple[Period | None, str]:
    """The period asked about and the words that named it (blanked from the question)."""
    if lang == "en":
        months = analyzer.lexicon.months_en
        names = "|".join(sorted(months, key=len, reverse=True))
        m = re.search(rf"\b(?:({names})\.?\s+(?:(\d{{1,2}})(?:st|nd|rd|th)?,?\s+)?)?((?:1[5-9]|2\d)\d\d)\b", text)
        if m:
            masked.blank(m.start(), m.end())
            date = iso(int(m.group(3)), months.get(m.group(1) or ""), int(m.group(2)) if m.group(2) else None)
            return (Period(date) if date else None), m.group()
    for mention in YearContext().mentions(text):
        masked.blank(mention.start, mention.end)
        return Period(mention.date), text[mention.start:mention.end]
    m = ISO_DATE.search(text)
    if m:
        masked.blank(m.start(), m.end())
        date = iso(int(m.group(1)), int(m.group(2)) if m.group(2) else None, int(m.group(3)) if m.group(3) else None)
        return (Period(date) if date else None), m.group()
    return None, ""


def latin_matches(text: str, index: Index) -> list[tuple[Entry, int, int]]:
    """Glossary matches of English words (inflections stemmed), as spans of `text`."""
    words = [(m.start(), m.end(), w) for m in re.finditer(r"[a-z0-9]+(?:'[a-z]+)?", text)
             for w in [m.group()]]
    stems, starts = [], []
    pos = 0
    for s, e, w in words:
        stem = index.glossary.stem_phrase(w) or w
        starts.append(pos)
        stems.append(stem)
        pos += len(stem) + 1
    joined = " ".join(stems)
    out = []
    for m in index.glossary.find_latin(joined):
        first = max(i for i, p in enumerate(starts) if p <= m.start)
        last = max(i for i, p in enumerate(starts) if p < m.end)
        out.append((m.entry, words[first][0], words[last][1]))
    return out


def glossary_matches(text: str, lang: str, analyzer: Analyzer, index: Index) -> list[tuple[Entry, int, int]]:
    found = latin_matches(text, index)
    if lang in ("ja", "zh"):
        found += [(m.entry, m.start, m.end) for m in index.glossary.find_cjk(text)]
    return found


def corpus_city(entry: Entry, index: Index) -> str | None:
    for form in entry.ja:
        if form in index.cities:
            return form
    return None


def known_keys(word: str, index: Index) -> tuple[list[str], bool]:
    """Index keys for a word: itself, or its bigrams when only those are indexed."""
    vocab = index.bm25.vocab
    if word in vocab:
        return [word], True
    grams = [g for g, *_ in bigrams(word)] if len(word) >= 2 else []
    if grams and all(g in vocab for g in grams):
        return grams, True
    return [word], False


def weight_of(keys: list[str], known: bool, index: Index) -> float:
    bm = index.bm25
    max_idf = float(bm.idf.max()) if len(bm.idf) else 1.0
    if not known:
        return max_idf
    return sum(float(bm.idf[bm.vocab[k]]) for k in keys) / len(keys)


def concept_word(entry: Entry, analyzer: Analyzer, index: Index) -> ContentWord:
    alts = []
    for form in entry.ja:
        words = [t for t, _, _, is_word, _ in analyzer.terms(form, "ja")[1] if is_word]
        keys: list[str] = []
        ok = True
        for w in words or [normalize(form).text]:
            k, known = known_keys(w, index)
            keys += k
            ok = ok and known
        alts.append((keys, ok))
    known_alts = [k for k, ok in alts if ok]
    use = known_alts or [alts[0][0]]
    weight = max(weight_of(k, bool(known_alts), index) for k in use)
    return ContentWord(entry.term, use, bool(known_alts), weight)


# ---------------------------------------------------------------- parse

def parse(text: str, index: Index, analyzer: Analyzer) -> Question:
    """Read one question on its own (no history)."""
    norm = normalize(text).text.strip()
    lang = detect_lang(norm)
    work = norm
    if lang == "zh":
        simplified = analyzer.to_simplified(norm)
        work = simplified if len(simplified) == len(norm) else norm
    masked = Masked(work)
    q = Question(text=text, lang=lang)
    q.qtype, q.explicit_type, q.unit_hint = classify(work, lang, analyzer, masked)
    q.period, period_words = find_period(work, lang, analyzer, masked)

    concepts: list[Entry] = []
    cities: list[tuple[int, str]] = []
    for entry, s, e in sorted(glossary_matches(work, lang, analyzer, index), key=lambda m: (m[1], m[1] - m[2])):
        if not masked.free(s, e):
            continue
        masked.blank(s, e)
        city = corpus_city(entry, index)
        if city:
            cities.append((s, city))
        elif entry.kind == "city":
            q.unknown_names.append(entry.term)
        else:
            concepts.append(entry)
    city_view = analyzer.to_japanese_glyphs(work) if lang == "zh" else work
    if len(city_view) == len(work):
        for city in index.cities:
            for m in re.finditer(re.escape(normalize(city).text), city_view):
                if masked.free(m.start(), m.end()):
                    masked.blank(m.start(), m.end())
                    cities.append((m.start(), city))
    q.cities = list(dict.fromkeys(c for _, c in sorted(cities)))

    residual = masked.text()
    terms = analyzer.terms(residual, lang)[1]
    q.unknown_names = list(dict.fromkeys(
        q.unknown_names + [t[0] for t in terms if t[3] and t[4] and not known_keys(t[0], index)[1]]))
    if lang == "en":
        q.unknown_names += unknown_capitalised(text, analyzer, index)

    q.terms = [t[0] for t in terms] + (analyzer.analyze(period_words, lang) if period_words else [])
    seen: set[str] = set()
    for term, _, _, is_word, _ in terms:
        if is_word and term not in seen and not term.isdigit():
            seen.add(term)
            keys, known = known_keys(term, index)
            q.content.append(ContentWord(term, [keys], known, weight_of(keys, known, index)))
    for entry in dict.fromkeys(concepts):
        q.content.append(concept_word(entry, analyzer, index))
        for form in entry.ja:
            q.terms += analyzer.analyze(form, "ja")
    return classify_shape(q)


def unknown_capitalised(text: str, analyzer: Analyzer, index: Index) -> list[str]:
    """Capitalised English words past the first that neither glossary nor corpus knows."""
    out = []
    stop = analyzer.lexicon.stop("en")
    months = analyzer.lexicon.months_en
    latin = {(s, e) for _, s, e in latin_matches(normalize(text).text, index)}
    covered = [range(s, e) for s, e in latin]
    for m in re.finditer(r"\b[A-Z][a-zA-Z]+\b", text):
        if m.start() == 0 or any(m.start() in r for r in covered):
            continue
        w = m.group().lower()
        if w in stop or w in months or w in index.bm25.vocab:
            continue
        out.append(m.group())
    return out


def classify_shape(q: Question) -> Question:
    """Comparison when two or more cities are named; timeline when only a period is asked."""
    if len(q.cities) >= 2:
        q.qtype = "compare"
    elif q.cities and not q.content and not q.period and q.qtype == DEFAULT_TYPE:
        q.qtype = "stance"                     # "大阪は?" on its own: the city's stance
    elif q.period and q.qtype in (DEFAULT_TYPE,) and not q.content:
        q.qtype = "timeline"
    elif q.qtype == "compare" and len(q.cities) < 2:
        q.qtype = DEFAULT_TYPE
    return q


# ---------------------------------------------------------------- follow-ups

def follow_up(q: Question, previous: Question | None) -> Question:
    """Fill what a follow-up leaves out (city, topic) from the question before it."""
    if previous is None:
        return q
    q = replace(q, from_history=dict(q.from_history))
    if not q.cities and previous.cities and not previous.unknown_names:
        q.cities = list(previous.cities)
        q.from_history["city"] = list(previous.cities)
    if not q.content and not q.explicit_type:
        q.content = list(previous.content)
        q.terms = list(q.terms) + list(previous.terms)
        q.qtype, q.explicit_type, q.unit_hint = previous.qtype, previous.explicit_type, previous.unit_hint
        q.unknown_names = q.unknown_names or list(previous.unknown_names)
        if q.period is None:
            q.period = previous.period
        q.from_history["topic"] = previous.text
    if q.qtype in ("compare", "timeline") or len(q.cities) >= 2:
        q.qtype = DEFAULT_TYPE if q.qtype in ("compare", "timeline") else q.qtype
        q = classify_shape(q)
    return q


def understand(text: str, history: list[str], index: Index, analyzer: Analyzer) -> Question:
    """The question as asked in its chat: earlier questions resolved oldest first."""
    previous = None
    for earlier in history:
        previous = follow_up(parse(earlier, index, analyzer), previous)
    return follow_up(parse(text, index, analyzer), previous)
