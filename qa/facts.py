"""Structured facts read off the passages by general rules: dated events, quantities, stances.

Dates resolve to ISO (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`); a date without a year ("同年10月",
"5月25日に", "12月には") takes the year last written earlier in the same section.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from .corpus import Passage, heading_stance
from .cues import Cues, default_cues

YEAR = r"(?P<y>(?:1[5-9]|2[0-9])\d\d)年(?!代)"
PERIOD = re.compile(YEAR + r"(?:(?P<m>\d{1,2})月)?(?:から|より|[-~〜～])"
                    r"(?P<y2>(?:1[5-9]|2[0-9])\d\d)年(?:(?P<m2>\d{1,2})月)?(?:にかけて|まで)?")
FULL = re.compile(YEAR + r"(?:(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日)?)?(?P<q>以降|以来|時点|末|初め|上半期|下半期)?")
SAME_YEAR = re.compile(r"同年(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日)?")
MONTH_DAY = re.compile(r"(?<![\d年.\-/])(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日)?(?P<q>以降|以来|時点|末)?")
QUANTITY = re.compile(
    r"(?<![\d.,\-])(?P<num>\d+(?:[.,]\d+)*(?:\s*[-~〜～]\s*\d+(?:[.,]\d+)*)?)"
    r"(?P<qual>以上|以下|未満|超|余り|あまり|近く|前後|程度|多)?"
    r"(?P<unit>社|位|つ|個|件|人|名|家|か所|カ所|ヶ所|校|団体|種類|項|回|億円|万円|億|万|%|％)?"
    r"(?P<of>の)?(?P<obj>[\u30a0-\u30ff\u3400-\u9fff々]{1,24})?")
NOT_QUANTITY_AFTER = re.compile(r"^(?:年|月|日|時|分|秒|世紀)")
CLAUSE_TRIM = "、,，。 "


@dataclass
class Fact:
    city: str | None
    kind: str                      # "event", "quantity" or "stance"
    text: str
    passage_id: str
    doc: str = ""
    date: str | None = None        # events: ISO start
    date_end: str | None = None    # events over a period: ISO end
    value: str | None = None       # quantities: "6000", "3-5"
    unit: str | None = None        # quantities: counter or counted noun
    qualifier: str | None = None   # "以上", "以降", "時点" ...
    object: str | None = None      # quantities: what is counted ("IT企業")
    kinds: list[str] | None = None # events: what happened ("設立", "発表", "開催"), from cues.json
    modality: str | None = None    # quantities: "target" for a goal, not a count of what exists

    def to_dict(self) -> dict:
        return {k: v for k, v in vars(self).items() if v is not None}

    @classmethod
    def from_dict(cls, d: dict) -> "Fact":
        return cls(**{"city": None, **d})


def iso(y: int, m: int | None = None, d: int | None = None) -> str | None:
    if m is not None and not 1 <= m <= 12 or d is not None and not 1 <= d <= 31:
        return None
    return f"{y:04d}" + (f"-{m:02d}" if m else "") + (f"-{d:02d}" if m and d else "")


def _int(s: str | None) -> int | None:
    return int(s) if s else None


# ---------------------------------------------------------------- dates

@dataclass
class DateMention:
    start: int
    end: int
    date: str
    date_end: str | None = None
    qualifier: str | None = None


class YearContext:
    """The year (and month) last written in a section, for dates that leave it out."""

    def __init__(self) -> None:
        self.year: int | None = None

    def mentions(self, text: str) -> list[DateMention]:
        found: list[DateMention] = []
        taken: list[tuple[int, int]] = []

        def free(m: re.Match) -> bool:
            return all(m.end() <= s or m.start() >= e for s, e in taken)

        for pattern in (PERIOD, FULL, SAME_YEAR, MONTH_DAY):
            for m in pattern.finditer(text):
                if not free(m):
                    continue
                mention = self._resolve(pattern, m)
                if mention:
                    taken.append((m.start(), m.end()))
                    found.append(mention)
        found.sort(key=lambda d: d.start)
        for mention in found:                  # the year carries to later sentences
            self.year = int(mention.date[:4]) if not mention.date_end else int(mention.date_end[:4])
        return found

    def _resolve(self, pattern: re.Pattern, m: re.Match) -> DateMention | None:
        g = m.groupdict()
        if pattern is PERIOD:
            start, end = iso(int(g["y"]), _int(g["m"])), iso(int(g["y2"]), _int(g["m2"]))
            return DateMention(m.start(), m.end(), start, end, "期間") if start and end else None
        if pattern is FULL:
            date = iso(int(g["y"]), _int(g["m"]), _int(g["d"]))
            self.year = int(g["y"])
        else:
            year = self.year
            date = iso(year, _int(g["m"]), _int(g.get("d"))) if year else None
        return DateMention(m.start(), m.end(), date, None, g.get("q")) if date else None


# ---------------------------------------------------------------- events

def event_clauses(text: str, mentions: list[DateMention]) -> list[str]:
    """The part of a sentence each date governs: up to the next date."""
    out = []
    for i, mention in enumerate(mentions):
        start = 0 if i == 0 else mention.start
        end = mentions[i + 1].start if i + 1 < len(mentions) else len(text)
        out.append(text[start:end].strip(CLAUSE_TRIM) + ("。" if end == len(text) and text.endswith("。") else ""))
    return out


def events_of(passage: Passage, mentions: list[DateMention], cues: Cues) -> list[Fact]:
    return [Fact(passage.city, "event", clause, passage.id, passage.doc,
                 date=m.date, date_end=m.date_end, qualifier=m.qualifier,
                 kinds=cues.event_kinds_in(clause, passage.lang) or None)
            for m, clause in zip(mentions, event_clauses(passage.text, mentions))]


# ---------------------------------------------------------------- quantities

def clause_at(text: str, pos: int) -> str:
    """From the clause a position stands in to the end of its sentence."""
    start = max(text.rfind(c, 0, pos) for c in "。！？!?、，,") + 1
    ends = [i for i in (text.find(c, pos) for c in "。！？!?") if i >= 0]
    return text[start:min(ends) + 1 if ends else len(text)]


def quantities_of(passage: Passage, date_spans: list[tuple[int, int]], cues: Cues) -> list[Fact]:
    out = []
    text = passage.text
    for m in QUANTITY.finditer(text):
        if any(s <= m.start() < e for s, e in date_spans):
            continue
        if NOT_QUANTITY_AFTER.match(text[m.end("num"):]):
            continue
        unit, obj = m.group("unit"), m.group("obj") if m.group("of") else None
        if not unit and not obj:
            continue
        end = m.end("obj") if obj else m.end("unit")
        out.append(Fact(passage.city, "quantity", text[m.start():end], passage.id, passage.doc,
                        value=re.sub(r"[,\s]", "", m.group("num")).replace("〜", "-").replace("～", "-").replace("~", "-"),
                        unit=unit or obj, qualifier=m.group("qual"), object=obj,
                        modality="target" if cues.is_target(clause_at(text, m.start())) else None))
    return out


# ---------------------------------------------------------------- stances

def stances_of(passage: Passage, cities: Iterable[str]) -> list[Fact]:
    """A city's heading is its stance; a summary line gives one clause per city it names."""
    if passage.kind == "heading" and passage.city:
        return [Fact(passage.city, "stance", heading_stance(passage.text), passage.id, passage.doc)]
    if passage.kind != "summary":
        return []
    out = [Fact(None, "stance", passage.text, passage.id, passage.doc)]
    body = re.split(r"[:：]", passage.text, maxsplit=1)[-1]
    for clause in re.split(r"[、,，;；]", body):
        named = [c for c in cities if c in clause]
        if len(named) == 1:
            out.append(Fact(named[0], "stance", clause.strip(), passage.id, passage.doc))
    return out


# ---------------------------------------------------------------- all

def extract_facts(passages: list[Passage], cues: Cues | None = None) -> list[Fact]:
    """Events, quantities and stances of passages given in article order."""
    cities = corpus_cities(passages)
    facts: list[Fact] = []
    for p, own in zip(passages, own_facts(passages, cues)):
        facts += summary_stances(p, cities) + own
    return facts


def corpus_cities(passages: Iterable[Passage]) -> list[str]:
    """The cities of a corpus, longest first (what a summary line is matched against)."""
    return sorted({p.city for p in passages if p.city}, key=len, reverse=True)


def summary_stances(passage: Passage, cities: list[str]) -> list[Fact]:
    """The stances of a summary line: the only facts that depend on other articles (their cities)."""
    return stances_of(passage, cities) if passage.kind == "summary" else []


def own_facts(passages: list[Passage], cues: Cues | None = None) -> list[list[Fact]]:
    """Per passage, its facts but summary stances: they depend on its own article only."""
    cues = cues or default_cues()
    out: list[list[Fact]] = []
    context, section = YearContext(), None
    for p in passages:
        if (p.doc, p.section) != section:
            context, section = YearContext(), (p.doc, p.section)
        if p.kind == "heading":
            out.append(stances_of(p, ()))
            continue
        mentions = context.mentions(p.text)
        out.append(events_of(p, mentions, cues) + quantities_of(p, [(m.start, m.end) for m in mentions], cues))
    return out
