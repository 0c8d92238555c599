"""The period a question asks about: dates in any of the three languages, narrowed by a
half or an end of year, joined into a range, or open on one side ("2017年以前", "since 2018")."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..analysis import Analyzer
from ..cues import Cues
from ..facts import YearContext, iso
from ..frame import Period, date_span
from .words import Masked

EARLIEST, LATEST = "1900", "2100"      # the open end of a one-sided period
LINK = re.compile(r"\s*(?:の|的)?\s*")          # "2018年の下半期", "那年的年底"
YEAR_PARTS = {"上半期", "下半期", "末", "初め"}   # a date mention's qualifiers that name part of its year (narrow() reads them)
ISO_DATE = re.compile(r"(?<!\d)((?:1[5-9]|2\d)\d\d)(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?!\d)")


@dataclass
class DateSpan:
    start: int
    end: int
    lo: str
    hi: str


def month_names(analyzer: Analyzer) -> str:
    """The English month names as one alternation, longest first ("september" before "sep")."""
    return "|".join(sorted(analyzer.lexicon.months_en, key=len, reverse=True))


def date_spans(text: str, lang: str, analyzer: Analyzer) -> list[DateSpan]:
    """Every date the question writes: Japanese/Chinese style, English month names, ISO."""
    out: list[DateSpan] = []
    if lang == "en":
        months, names = analyzer.lexicon.months_en, month_names(analyzer)
        for m in re.finditer(rf"\b(?:({names})\.?\s+(?:(\d{{1,2}})(?:st|nd|rd|th)?,?\s+)?)?((?:1[5-9]|2\d)\d\d)\b", text):
            date = iso(int(m.group(3)), months.get(m.group(1) or ""), int(m.group(2)) if m.group(2) else None)
            if date:
                out.append(DateSpan(m.start(), m.end(), date, date))
    for mention in YearContext().mentions(text):
        if all(mention.end <= d.start or mention.start >= d.end for d in out):
            end = mention.end - len(mention.qualifier or "") if mention.qualifier in YEAR_PARTS else mention.end
            out.append(DateSpan(mention.start, end, mention.date, mention.date_end or mention.date))
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
        after = part.pattern.match(text, LINK.match(text, span.end).end())
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
    if last is first:
        bounded = bound(first, text, lang, cues)
        if bounded:
            (start, end), period = bounded
            masked.blank(start, end)
            return period, text[first.start:first.end]
    masked.blank(first.start, last.end)
    words = text[first.start:last.end]
    return Period(first.lo, last.hi if last.hi != first.lo else None), words


def step(iso_date: str, days: int) -> str:
    """The day before (-1) or after (+1) a date's span, at day precision."""
    import datetime as dt
    lo, hi = date_span(iso_date)
    day = dt.date(*lo) - dt.timedelta(days=1) if days < 0 else dt.date(*hi) + dt.timedelta(days=1)
    return day.isoformat()


def bound(span: DateSpan, text: str, lang: str, cues: Cues):
    """A date opened on one side by the word beside it: ((start, end) of date and word, Period)."""
    for side, pattern in cues.bounds.get(lang, {}).items():
        inside = [m for m in pattern.finditer(text, span.start, span.end) if m.end() == span.end]
        after = pattern.match(text, span.end) or (inside[-1] if inside else None)
        before = [m for m in pattern.finditer(text, max(0, span.start - 12), span.start)
                  if not text[m.end():span.start].strip()]
        m = after or (before[-1] if before else None)
        if not m:
            continue
        where = (min(span.start, m.start()), max(span.end, m.end()))
        return where, {"or_before": Period(EARLIEST, span.hi), "before": Period(EARLIEST, step(span.lo, -1)),
                       "or_after": Period(span.lo, LATEST), "after": Period(step(span.hi, 1), LATEST)}[side]
    return None


MONTH_AFTER = re.compile(r"\s*(\d{1,2})\s*月")


def year_part(text: str, start: int, end: int, lang: str, cues: Cues) -> tuple[tuple[int, int] | None, int, int]:
    """The part of a year named beside "that year" ("その年の年末", "同年10月", "the end of that year"):
    its months (None: the whole year) and the span the words take."""
    month = MONTH_AFTER.match(text, end)
    if month and lang != "en" and 1 <= int(month.group(1)) <= 12:
        return (int(month.group(1)),) * 2, start, month.end()
    after = LINK.match(text, end).end()
    for part in cues.period_parts.get(lang, []):
        m = part.pattern.match(text, after)
        if m:
            return part.months, start, m.end()
        before = [b for b in part.pattern.finditer(text, max(0, start - 24), start) if not text[b.end():start].strip()]
        if before:
            return part.months, before[-1].start(), end
    return None, start, end


MONTH_ALONE = re.compile(r"(?<![\d年/.-])(\d{1,2})\s*月(?!\s*\d{1,2}\s*[日号])")


def month_alone(text: str, lang: str, analyzer: Analyzer) -> tuple[int, int, int] | None:
    """A month named without its year ("10月は?", "what about October?"): (month, start, end)."""
    if lang == "en":
        months, names = analyzer.lexicon.months_en, month_names(analyzer)
        for m in re.finditer(rf"\b({names})\b\.?", text, re.I):
            modal = m.group(1).lower() == "may" and not re.search(r"\b(?:in|about|of|during|for|and)\s+$", text[:m.start()]) \
                and text[m.end():].strip(" ?？.") != ""
            if not modal:                             # "may" the verb is no month
                return months[m.group(1).lower()], m.start(), m.end()
        return None
    m = MONTH_ALONE.search(text)
    return (int(m.group(1)), m.start(), m.end()) if m and 1 <= int(m.group(1)) <= 12 else None

