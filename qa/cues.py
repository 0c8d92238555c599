"""Question cues per language (`cues.json`): which words set which slot of a question frame.

Also the Japanese event kinds and target words applied to the articles' facts at build
time, the counter words of how-many questions, and the words of a frame's summary line.
All of it is data, editable without touching code.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

CUES_PATH = Path(__file__).with_name("cues.json")
LANGS = ("ja", "zh", "en")
CLAUSE_ENDS = "、,，。.;；!！?？\n"


@dataclass(frozen=True)
class Cue:
    slot: str
    value: str
    pattern: re.Pattern
    consume: bool = True


@dataclass(frozen=True)
class CueMatch:
    slot: str
    value: str
    start: int
    end: int
    text: str
    group: str | None = None         # the first captured group (a number for "only N")
    consume: bool = True             # blanked from the question's topic words


@dataclass(frozen=True)
class PeriodPart:
    months: tuple[int, int]
    pattern: re.Pattern


@dataclass(frozen=True)
class Cues:
    by_lang: dict[str, list[Cue]]
    event_kinds: dict[str, dict[str, re.Pattern]]     # kind -> lang -> pattern
    period_parts: dict[str, list[PeriodPart]]
    range_words: dict[str, re.Pattern]
    bounds: dict[str, dict[str, re.Pattern]]          # lang -> before/or_before/after/or_after -> words
    target: re.Pattern | None
    counters: dict[str, tuple[str, ...]]
    labels: dict[str, dict[str, str]]
    noise: dict[str, frozenset[str]]
    noise_patterns: dict[str, re.Pattern]
    focus: dict[str, re.Pattern]
    digest: str                                       # what changes the facts of an index
    negation: dict[str, re.Pattern] = field(default_factory=dict)   # lang -> a clause's denial, in passages
    since: dict[str, re.Pattern] = field(default_factory=dict)      # lang -> "since when … start?"
    choices: dict[str, re.Pattern] = field(default_factory=dict)    # lang -> "X or Y" joiners
    actors: dict[str, re.Pattern] = field(default_factory=dict)     # lang -> a sentence's acting body, in passages
    weakness: dict[str, re.Pattern] = field(default_factory=dict)   # lang -> a sentence saying a city is weak
    stated: dict[str, dict[str, re.Pattern]] = field(default_factory=dict)   # earliest/latest/start -> lang -> words
    first: dict[str, re.Pattern] = field(default_factory=dict)      # lang -> a sentence saying "the first of its kind"

    def says_weak(self, text: str, lang: str) -> bool:
        return _search(self.weakness, text, lang)

    def says_first(self, text: str, lang: str) -> bool:
        """The sentence says its thing was the first of its kind (words in cues.json, `first`)."""
        return _search(self.first, text, lang)

    def states(self, direction: str, text: str, lang: str) -> bool:
        """The sentence says in words that its city was early (or late): "整備が早かった"."""
        return _search(self.stated.get(direction, {}), text, lang)

    def actors_in(self, text: str, lang: str) -> list[str]:
        """The bodies or people a passage's sentence says acted ("…部門は、…求めました")."""
        pattern = self.actors.get(lang)
        return [m.group(1) for m in pattern.finditer(text)] if pattern else []

    def asks_since(self, text: str, lang: str) -> bool:
        return _search(self.since, text, lang)

    def denies(self, text: str, at: int, lang: str) -> bool:
        """The clause from `at` to its end denies what it says ("…を行うことではありません")."""
        pattern = self.negation.get(lang)
        if pattern is None:
            return False
        end = min((i for i in (text.find(c, at) for c in CLAUSE_ENDS) if i >= 0), default=len(text))
        return bool(pattern.search(text, at, end))

    def find(self, text: str, lang: str) -> list[CueMatch]:
        """Every cue of the language in the text, earlier cues winning overlapping spans."""
        taken: list[tuple[int, int]] = []
        out: list[CueMatch] = []
        for cue in self.by_lang.get(lang, []):
            for m in cue.pattern.finditer(text):
                if m.end() == m.start() or any(m.start() < e and s < m.end() for s, e in taken):
                    continue
                taken.append((m.start(), m.end()))
                group = next((g for g in m.groups() if g), None) if m.groups() else None
                out.append(CueMatch(cue.slot, cue.value, m.start(), m.end(), m.group(), group, cue.consume))
        return sorted(out, key=lambda c: c.start)

    def event_kinds_in(self, text: str, lang: str = "ja") -> list[str]:
        """The event kinds whose words occur in a text ("設立", "発表" ...)."""
        return [kind for kind, pats in self.event_kinds.items() if lang in pats and pats[lang].search(text)]

    def is_noise(self, word: str, lang: str) -> bool:
        """A word that says nothing about a question's topic ("出る", "到底", "way")."""
        pattern = self.noise_patterns.get(lang)
        return word in self.noise.get(lang, ()) or bool(pattern and pattern.match(word))

    def focus_span(self, text: str, lang: str) -> tuple[int, int] | None:
        """Where the question names the thing it asks for ("XのYは?" -> Y), if it says."""
        pattern = self.focus.get(lang)
        m = pattern.search(text) if pattern else None
        if not m:
            return None
        group = next(i for i in range(1, (m.lastindex or 0) + 1) if m.group(i)) if m.lastindex else 0
        return m.span(group)

    def is_target(self, text: str) -> bool:
        return bool(self.target and self.target.search(text))

    def label(self, lang: str, key: str) -> str:
        return self.labels.get(lang, self.labels.get("en", {})).get(key, key)


def _search(patterns: dict[str, re.Pattern], text: str, lang: str) -> bool:
    """The language's pattern of a one-pattern-per-language section is found in the text."""
    pattern = patterns.get(lang)
    return bool(pattern and pattern.search(text))


def _compile(pattern: str, lang: str) -> re.Pattern:
    return re.compile(pattern, re.I if lang == "en" else 0)


def parse_cues(raw: dict) -> Cues:
    by_lang: dict[str, list[Cue]] = {lang: [] for lang in LANGS}
    for row in raw["cues"]:
        for lang in LANGS:
            if row.get(lang):
                by_lang[lang].append(Cue(row["slot"], row["value"], _compile(row[lang], lang),
                                         row.get("consume", True)))
    kinds = {row["kind"]: {lang: _compile(row[lang], lang) for lang in LANGS if row.get(lang)}
             for row in raw.get("event_kinds", [])}
    period = raw.get("period", {})
    parts = {lang: [PeriodPart(tuple(p["months"]), _compile(p[lang], lang)) for p in period.get("parts", []) if p.get(lang)]
             for lang in LANGS}
    ranges = {lang: _compile(p, lang) for lang, p in period.get("range", {}).items()}
    bounds = {lang: {side: _compile(p, lang) for side, p in sides.items()}
              for lang, sides in period.get("bounds", {}).items() if lang in LANGS}
    fact_cues = raw.get("fact_cues", {})
    counters = {k: tuple(v) for k, v in raw.get("counters", {}).items() if not k.startswith("_")}
    labels = {k: v for k, v in raw.get("labels", {}).items() if not k.startswith("_")}
    used_by_facts = [[(r["kind"], r.get("ja")) for r in raw.get("event_kinds", [])], fact_cues.get("target")]
    digest = hashlib.sha256(repr(used_by_facts).encode()).hexdigest()[:16]
    target = _compile(fact_cues["target"], "ja") if fact_cues.get("target") else None
    noise_raw = raw.get("noise", {})
    noise = {lang: frozenset(w.lower() for w in noise_raw.get(lang, [])) for lang in LANGS}
    noise_patterns = {lang: _compile(p, lang) for lang, p in noise_raw.get("pattern", {}).items()}
    return Cues(by_lang, kinds, parts, ranges, bounds, target, counters, labels, noise, noise_patterns,
                per_lang(raw, "focus"), digest, per_lang(raw, "negation"), per_lang(raw, "since"), per_lang(raw, "choices"),
                per_lang(raw, "actors"), per_lang(raw, "weakness"),
                {d: per_lang(raw.get("stated", {}), d) for d in ("earliest", "latest", "start")},
                per_lang(raw, "first"))


def per_lang(raw: dict, section: str) -> dict[str, re.Pattern]:
    """A section of one pattern per language ({"ja": ..., "zh": ..., "en": ...}), compiled."""
    return {lang: _compile(p, lang) for lang, p in raw.get(section, {}).items() if lang in LANGS}


@lru_cache(maxsize=1)
def default_cues() -> Cues:
    return parse_cues(json.loads(CUES_PATH.read_text(encoding="utf-8")))
