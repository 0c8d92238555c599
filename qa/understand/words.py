"""The question's names and words: glossary matches, cities, topic words and their index keys."""
from __future__ import annotations

import re

from ..analysis import Analyzer, bigrams, normalize
from ..cues import Cues
from ..frame import Choice, ContentWord
from ..glossary import Entry, fold_kana
from ..index import Index

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


def informative(words: list[ContentWord], index: Index) -> list[ContentWord]:
    """Known words found in at most half of the passages: the ones that tell passages apart."""
    half = len(index.passages) / 2
    return [w for w in words if w.known and any(
        all(index.bm25.df(k) for k in alt) and min(map(index.bm25.df, alt)) <= half for alt in w.alternatives)]


def beyond_start(words: list[ContentWord], cues: Cues) -> list[ContentWord]:
    """The words but those of starting: "which city started earliest" asks which was earliest."""
    return [w for w in words if not any(cues.states("start", k, "ja") for alt in w.alternatives for k in alt)]


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
    phrasing: set[str] | None = None           # read only when a word is unknown (tagging costs)
    out: list[ContentWord] = []
    seen: set[str] = set()
    for term, start, end in own_words(work, masked, analyzer, lang):
        surface = work[start:end]
        if term in seen or term.isdigit() or cues.is_noise(term, lang) or cues.is_noise(surface, lang):
            continue
        seen.add(term)
        keys, known = known_keys(term, index, surface)
        if not known and phrasing is None:
            phrasing = analyzer.phrasing_words(work, lang) | analyzer.phrasing_words(masked.text(), lang)
        if not known and term in phrasing:
            continue                            # an unknown verb or adjective: wording, not topic
        out.append(ContentWord(term, [keys], known, weight_of(keys, known, index), start))
    return out


def choices(text: str, joiners, topic: list[ContentWord], cities: list[tuple[int, str]]) -> list[Choice]:
    """The things a question chooses between ("X跟Y哪个早", "X or Y?"): the cities and known words
    of each side of its joiners; none unless two sides hold known words."""
    if joiners is None:
        return []
    bounds = [0] + [m.start() for m in joiners.finditer(text)] + [len(text) + 1]
    sides = []
    for lo, hi in zip(bounds, bounds[1:]):
        words = [w for w in topic if w.known and lo <= w.start < hi]
        if words:
            sides.append((list(dict.fromkeys(c for pos, c in cities if lo <= pos < hi)), words))
    return sides if len(sides) >= 2 else []


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
