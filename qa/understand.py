"""Question text (and what the chat said before) -> a frame.

read_question: cues of the question's language (qa/cues.json) set the operation, the
answer type and the slots; the glossary and the corpus give its cities and topic words;
dates give its period.  merge_followup: a follow-up takes what it leaves out from the
turn before it, by the rules written in the README ("Follow-ups").
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .analysis import PAIR, Analyzer, bigrams, detect_lang, normalize
from .cues import Cues, CueMatch, default_cues
from .facts import YearContext, iso
from .frame import ContentWord, Frame, Period
from .glossary import Entry, fold_kana
from .index import Index

ISO_DATE = re.compile(r"(?<!\d)((?:1[5-9]|2\d)\d\d)(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?!\d)")
NUMBERS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
           "ひと": 1, "ふた": 2, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "a single": 1}
CLAUSE_END = "、,，。.?？!！:：;；"
QUERY_BLANKS = {("type", t) for t in ("date", "quantity", "city", "cities", "reason")} | {
    ("op", "compare"), ("op", "stance")}                  # question words: left out of the BM25 query
ASKERS = "何几幾第"
KANA_ONLY = re.compile(r"^[\u3041-\u309f]+$")      # a stray kana fragment is never a name


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


@dataclass
class Context:
    """What one turn of a chat leaves for the next: its frame and the cities it answered with."""
    frame: Frame
    answer_cities: list[str]


# ---------------------------------------------------------------- periods

@dataclass
class DateSpan:
    start: int
    end: int
    lo: str
    hi: str


def date_spans(text: str, lang: str, analyzer: Analyzer) -> list[DateSpan]:
    """Every date the question writes: Japanese/Chinese style, English month names, ISO."""
    out: list[DateSpan] = []
    if lang == "en":
        months = analyzer.lexicon.months_en
        names = "|".join(sorted(months, key=len, reverse=True))
        for m in re.finditer(rf"\b(?:({names})\.?\s+(?:(\d{{1,2}})(?:st|nd|rd|th)?,?\s+)?)?((?:1[5-9]|2\d)\d\d)\b", text):
            date = iso(int(m.group(3)), months.get(m.group(1) or ""), int(m.group(2)) if m.group(2) else None)
            if date:
                out.append(DateSpan(m.start(), m.end(), date, date))
    for mention in YearContext().mentions(text):
        if all(mention.end <= d.start or mention.start >= d.end for d in out):
            out.append(DateSpan(mention.start, mention.end, mention.date, mention.date_end or mention.date))
    for m in ISO_DATE.finditer(text):
        if all(m.end() <= d.start or m.start() >= d.end for d in out):
            date = iso(int(m.group(1)), int(m.group(2)) if m.group(2) else None, int(m.group(3)) if m.group(3) else None)
            if date:
                out.append(DateSpan(m.start(), m.end(), date, date))
    return sorted(out, key=lambda d: d.start)


def narrow(span: DateSpan, text: str, lang: str, cues: Cues) -> DateSpan:
    """A year narrowed by a word beside it ("2016年下半年", "second half of 2016", "2017年底")."""
    if len(span.lo) != 4 or span.lo != span.hi:
        return span
    for part in cues.period_parts.get(lang, []):
        after = part.pattern.match(text, span.end)
        before = [m for m in part.pattern.finditer(text, max(0, span.start - 24), span.start)
                  if not text[m.end():span.start].strip()]
        if after or before:
            m1, m2 = part.months
            s = min(span.start, before[-1].start()) if before else span.start
            e = after.end() if after else span.end
            return DateSpan(s, e, f"{span.lo}-{m1:02d}", f"{span.lo}-{m2:02d}")
    return span


def find_period(text: str, lang: str, analyzer: Analyzer, cues: Cues, masked: Masked) -> tuple[Period | None, str]:
    """The period asked about and the words that named it (blanked from the question)."""
    spans = [narrow(s, text, lang, cues) for s in date_spans(text, lang, analyzer)]
    if not spans:
        return None, ""
    first, last = spans[0], spans[0]
    joiner = cues.range_words.get(lang)
    if len(spans) > 1 and joiner and joiner.fullmatch(text[first.end:spans[1].start].strip()):
        last = spans[1]
    masked.blank(first.start, last.end)
    words = text[first.start:last.end]
    return Period(first.lo, last.hi if last.hi != first.lo else None), words


# ---------------------------------------------------------------- names and words

def latin_matches(text: str, index: Index) -> list[tuple[Entry, int, int]]:
    """Glossary matches of English words (inflections stemmed), as spans of `text`."""
    words = [(m.start(), m.end(), m.group()) for m in re.finditer(r"[a-z0-9]+(?:'[a-z]+)?", text)]
    stems, starts = [], []
    pos = 0
    for s, e, w in words:
        stem = index.glossary.stem_phrase(w) or w
        starts.append(pos)
        stems.append(stem)
        pos += len(stem) + 1
    out = []
    for m in index.glossary.find_latin(" ".join(stems)):
        first = max(i for i, p in enumerate(starts) if p <= m.start)
        last = max(i for i, p in enumerate(starts) if p < m.end)
        out.append((m.entry, words[first][0], words[last][1]))
    return out


def glossary_matches(text: str, lang: str, index: Index) -> list[tuple[Entry, int, int]]:
    found = latin_matches(text, index)
    if lang in ("ja", "zh"):
        found += [(m.entry, m.start, m.end) for m in index.glossary.find_cjk(fold_kana(text))]
    return found


def corpus_city(entry: Entry, index: Index) -> str | None:
    return next((form for form in entry.ja if form in index.cities), None)


def known_keys(word: str, index: Index, surface: str | None = None) -> tuple[list[str], bool]:
    """Index keys for a word: itself, or the bigrams of its surface (as written) or of itself
    when only those are indexed."""
    vocab = index.bm25.vocab
    if word in vocab:
        return [word], True
    for text in dict.fromkeys(t for t in (surface, word) if t):
        grams = [g for g, *_ in bigrams(text)] if len(text) >= 2 else []
        if grams and all(g in vocab for g in grams):
            return grams, True
    return [word], False


def weight_of(keys: list[str], known: bool, index: Index) -> float:
    bm = index.bm25
    if not known:
        return float(bm.idf.max()) if len(bm.idf) else 1.0
    return sum(float(bm.idf[bm.vocab[k]]) for k in keys) / len(keys)


def concept_word(entry: Entry, analyzer: Analyzer, index: Index, start: int) -> ContentWord:
    """A glossary concept as a content word: any of its Japanese forms matches."""
    alts = []
    for form in entry.ja:
        norm, terms = analyzer.terms(form, "ja")
        words = [(t, norm.text[s:e]) for t, s, e, is_word, _ in analyzer.first_pass(list(terms)) if is_word]
        keys: list[str] = []
        ok = True
        for w, surface in words or [(norm.text, norm.text)]:
            k, known = known_keys(w, index, surface)
            keys += k
            ok = ok and known
        alts.append((list(dict.fromkeys(keys)), ok))
    known_alts = [k for k, ok in alts if ok]
    use = known_alts or [alts[0][0]]
    weight = max(weight_of(k, bool(known_alts), index) for k in use)
    return ContentWord(entry.term, use, bool(known_alts), weight, start)


def unknown_capitalised(text: str, analyzer: Analyzer, index: Index) -> list[str]:
    """Capitalised English words past the first that neither glossary nor corpus knows."""
    out = []
    stop = analyzer.lexicon.stop("en")
    months = analyzer.lexicon.months_en
    covered = [range(s, e) for _, s, e in latin_matches(normalize(text).text, index)]
    for m in re.finditer(r"\b[A-Z][a-zA-Z]+\b", text):
        if m.start() == 0 or any(m.start() in r for r in covered):
            continue
        w = m.group().lower()
        if w in stop or w in months or w in index.bm25.vocab:
            continue
        out.append(m.group())
    return out


def number_of(word: str | None) -> int | None:
    if not word:
        return None
    return int(word) if word.isdigit() else NUMBERS.get(word.lower())


# ---------------------------------------------------------------- cues -> slots

def apply_cues(frame: Frame, found: list[CueMatch], cues: Cues) -> set[str]:
    """Fill the frame's slots from the cues found; returns the operation cues seen."""
    types = [m for m in found if m.slot == "type"]
    if types:
        chosen = types[0] if frame.lang == "en" else types[-1]      # wh-word first in English, last in CJK
        frame.answer_type, frame.explicit_type, frame.type_at = chosen.value, True, chosen.start
        if chosen.value == "quantity":
            counter = next((c for c in (chosen.text, chosen.text.lstrip(ASKERS), chosen.text.split()[-1])
                            if c in cues.counters), None)
            frame.unit = counter if counter in cues.counters else None
    for slot in ("direction", "category", "part", "scope", "modality", "precision"):
        match = next((m for m in found if m.slot == slot), None)
        if match:
            setattr(frame, slot, match.value)
            frame.sources[slot] = "question"
    only = next((m for m in found if m.slot == "only"), None)
    if only:
        frame.only = number_of(only.group)
    frame.refers = {m.value for m in found if m.slot == "refer"}
    frame.followup = any(m.slot == "followup" for m in found)
    return {m.value for m in found if m.slot == "op"} | ({"which"} if any(m.slot == "which" for m in found) else set())


def excluded_cities(found: list[CueMatch], cities: list[tuple[int, str]], text: str, lang: str) -> set[str]:
    """Cities inside an exclusion ("XとY以外", "除了X和Y", "apart from X and Y")."""
    out: set[str] = set()
    for cue in (m for m in found if m.slot == "exclude"):
        if lang == "ja":
            lo = max((i for i, c in enumerate(text[:cue.start]) if c in CLAUSE_END), default=-1)
            out |= {c for pos, c in cities if lo < pos < cue.start}
        else:
            hi = next((i for i in range(cue.end, len(text)) if text[i] in CLAUSE_END), len(text))
            out |= {c for pos, c in cities if cue.end <= pos < hi}
    return out


def informative(words: list[ContentWord], index: Index) -> list[ContentWord]:
    """Known words found in at most half of the passages: the ones that tell passages apart."""
    half = len(index.passages) / 2
    return [w for w in words if w.known and any(
        all(index.bm25.df(k) for k in alt) and min(map(index.bm25.df, alt)) <= half for alt in w.alternatives)]


def decide_op(frame: Frame, ops: set[str], specific: bool, settled: bool = False) -> None:
    """The operation, from the cues and the frame's shape (rules in the README).  `specific`:
    the question has a telling topic word of its own.  A comparison with one city waits for
    the chat to name the other (`settled` once it cannot)."""
    topic = any(c.start >= 0 for c in frame.topic)
    if "timeline" in ops:
        frame.op = "timeline"
    elif frame.direction or frame.only:
        frame.op = "superlative"
    elif frame.answer_type == "quantity" and frame.category in ("event", "city", "organisation"):
        frame.op = "count"
    elif frame.part == "summary" and frame.cities:
        frame.op = "stance"                     # "<city>を一言で": the city's stance, not the article's
    elif frame.part in ("title", "summary", "topic", "country"):
        frame.op = "about_article"
    elif frame.answer_type == "cities" or (frame.answer_type == "city" and not topic and not frame.period
                                           and not frame.event_kind and not frame.cities):
        frame.op, frame.answer_type = "list", "city"    # "which cities (does the article cover)?"
    elif "list" in ops and frame.answer_type in ("sentence", "name", "person", "city"):
        frame.op = "list"
        if frame.category == "city":
            frame.answer_type = "city"          # "all the cities but X": the cities themselves
    elif frame.category == "organisation" and frame.answer_type in ("sentence", "name"):
        frame.op = "list"
    elif (frame.category == "event" and frame.answer_type == "sentence" and (frame.period or not specific)
          and not frame.event_kind):
        frame.op = "timeline"                   # "What happened in 2016?": every event of the period
    elif frame.category == "event" and frame.answer_type == "sentence" and (frame.period or not specific):
        frame.op = "list"
    elif len(frame.cities) >= 2 or ("compare" in ops and frame.cities and not settled):
        frame.op = "compare"
    elif "stance" in ops:
        frame.op = "stance"
    elif frame.period and not topic and frame.answer_type == "sentence":
        frame.op = "timeline"
    elif frame.cities and not topic and not frame.period and not frame.explicit_type and "which" not in ops:
        frame.op = "stance"                     # "<city>は?": the city's stance
    elif "yes_no" in ops and not frame.explicit_type and "which" not in ops:
        frame.op = "yes_no"
    else:
        frame.op = "lookup"
    if frame.category == "organisation" and not frame.event_kind:
        frame.event_kind = "設立"                 # organisations are what was set up


# ---------------------------------------------------------------- one question

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
    norm = normalize(text).text.strip()
    lang = question_lang(norm, analyzer, cues)
    work = norm
    script = ""
    if lang == "zh":
        simplified = analyzer.to_simplified(norm)
        work = simplified if len(simplified) == len(norm) else norm
        script = "hant" if simplified != norm else "hans"
    masked = Masked(work)
    frame = Frame(text=text, lang=lang, script=script)
    frame.period, period_words = find_period(work, lang, analyzer, cues, masked)
    query = Masked("".join(masked.chars))        # the text BM25 searches: without question words only
    found = cues.find(masked.text(), lang)
    for m in found:
        if m.consume:
            masked.blank(m.start, m.end)
        if m.slot == "which" or (m.slot, m.value) in QUERY_BLANKS:
            query.blank(m.start, m.end)
    ops = apply_cues(frame, found, cues)
    frame.event_kind = next(iter(cues.event_kinds_in(work, lang)), None)

    concepts: list[tuple[Entry, int]] = []
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
        else:
            concepts.append((entry, s))
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
    frame.city_topics = city_topics(frame.topic, cities)
    for slot in ("period", "event_kind"):
        if getattr(frame, slot):
            frame.sources[slot] = "question"
    if frame.topic:
        frame.sources["topic"] = "question"
    frame.cues = ops
    frame.specific = bool(informative([w for w in frame.topic if w.start >= 0], index))
    decide_op(frame, ops, frame.specific)
    return frame


def own_words(work: str, masked: Masked, analyzer: Analyzer, lang: str) -> list[tuple[str, int, int]]:
    """The question's words outside its cues, dates and names: words of the whole question where
    they stand free (read in context), the leftover text's words where a cue cut into one."""
    residual = masked.text()
    full = [(t, s, e) for t, s, e, is_word, _ in analyzer.first_pass(list(analyzer.terms(work, lang)[1]))
            if is_word and e > s and masked.free(s, e)]
    rest = [(t, s, e) for t, s, e, is_word, _ in analyzer.first_pass(list(analyzer.terms(residual, lang)[1]))
            if is_word and not any(s < e2 and s2 < e for _, s2, e2 in full)]
    return sorted(full + rest, key=lambda w: w[1])


def topic_words(work: str, masked: Masked, lang: str, analyzer: Analyzer, index: Index,
                cues: Cues) -> list[ContentWord]:
    """Content words: own words that are neither noise nor (when the article lacks them) mere
    wording (a verb or adjective)."""
    phrasing = analyzer.phrasing_words(work, lang) | analyzer.phrasing_words(masked.text(), lang)
    out: list[ContentWord] = []
    seen: set[str] = set()
    for term, start, end in own_words(work, masked, analyzer, lang):
        surface = work[start:end]
        if term in seen or term.isdigit() or cues.is_noise(term, lang) or cues.is_noise(surface, lang):
            continue
        seen.add(term)
        keys, known = known_keys(term, index, surface)
        if not known and term in phrasing:
            continue                            # an unknown verb or adjective: wording, not topic
        out.append(ContentWord(term, [keys], known, weight_of(keys, known, index), start))
    return out


def city_topics(topic: list[ContentWord], cities: list[tuple[int, str]]) -> dict[str, list[ContentWord]]:
    """Words said after each city up to the next ("AのxとBのy"): its own topic."""
    if len({c for _, c in cities}) < 2:
        return {}
    out: dict[str, list[ContentWord]] = {}
    bounds = [pos for pos, _ in cities[1:]] + [10 ** 9]
    for (pos, city), nxt in zip(cities, bounds):
        own = [w for w in topic if pos <= w.start < nxt]
        if own:
            out.setdefault(city, []).extend(own)
    return out


# ---------------------------------------------------------------- follow-ups

def fits_city(frame: Frame, cities: list[str], index: Index) -> bool:
    """A lookup's telling words are all found in one passage of these cities: it can be about them."""
    words = informative([w for w in frame.topic if w.start >= 0], index)
    if not words or frame.op not in ("lookup", "yes_no"):
        return False
    rows = {int(n) for alt in words[0].alternatives for n in index.bm25.rows_of(alt[0])}
    return any(index.passages[n].city in cities and all(
        any(all(index.bm25.has(k, n) for k in alt) for alt in w.alternatives) for w in words) for n in rows)


def related(frame: Frame, previous: Frame, cities: list[str], index: Index) -> bool:
    """The question continues the one before: it points back, is bare, shares a topic word, or
    asks of the earlier city something the article says of it."""
    if frame.refers or frame.followup or frame.is_bare():
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
    if (not frame.cities and before_cities and not prev.unknown_names
            and related(frame, prev, before_cities, index)):
        frame.cities = list(before_cities)
        frame.sources["cities"] = "history"
    elif frame.op == "compare" and len(frame.cities) == 1 and before_cities:
        frame.cities = list(dict.fromkeys(list(before_cities) + frame.cities))
        frame.sources["cities"] = "question+history"
    if frame.is_bare() and not frame.unknown_names:
        inherit_topic(frame, prev)
    else:
        if "topic" in frame.refers:
            add_topic(frame, prev)
        if frame.followup and not frame.explicit_type and "which" not in frame.cues:
            inherit_type(frame, prev)
    return settle(frame)


def add_topic(frame: Frame, prev: Frame) -> None:
    """"When was that announced?": the earlier topic joins the question's own words."""
    have = {c.label for c in frame.topic}
    frame.topic += [c for c in prev.topic if c.label not in have]
    frame.terms += list(prev.terms)
    frame.topic_from = prev.text
    frame.sources["topic"] = "question+history"


def inherit_type(frame: Frame, prev: Frame) -> None:
    """"What about the innovation base?": the earlier question asked again of a new topic."""
    frame.answer_type, frame.unit, frame.explicit_type = prev.answer_type, prev.unit, prev.explicit_type
    if frame.op in ("lookup", "stance", "yes_no") and prev.op in ("lookup", "yes_no"):
        frame.op = prev.op
    frame.sources["answer_type"] = "history"


def settle(frame: Frame) -> Frame:
    """A comparison left with one city is not one: read the question again without it."""
    if frame.op == "compare" and len(frame.cities) < 2:
        decide_op(frame, frame.cues - {"compare"}, frame.specific, settled=True)
    return frame


def inherit_topic(frame: Frame, prev: Frame) -> None:
    """A bare follow-up keeps the earlier topic, and its type unless it asks its own."""
    frame.topic, frame.terms = list(prev.topic), frame.terms + list(prev.terms)
    frame.topic_from = prev.text
    frame.sources["topic"] = "history"
    for slot in ("event_kind", "category", "part", "scope", "modality", "precision", "period"):
        if getattr(frame, slot) is None and getattr(prev, slot) is not None:
            setattr(frame, slot, getattr(prev, slot))
            frame.sources[slot] = "history"
    frame.unknown_names = list(prev.unknown_names)
    if not frame.explicit_type:
        frame.answer_type, frame.unit, frame.explicit_type = prev.answer_type, prev.unit, prev.explicit_type
        if frame.op in ("lookup", "stance", "yes_no") or prev.op in ("compare",):
            frame.op, frame.direction, frame.only = prev.op, prev.direction, prev.only
        if frame.op == "compare" and len(frame.cities) < 2:
            frame.op = "stance" if prev.op == "compare" else frame.op
        frame.sources["op"] = "history"
    elif frame.op in ("stance", "yes_no"):
        frame.op = "lookup"
