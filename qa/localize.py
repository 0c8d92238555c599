"""The answer in the asker's language (English or Chinese), rendered exactly from data.

Dates and numbers are written by rule; city, place and term names come from the glossary
(its first Chinese and English forms, and its Chinese measure words).  Nothing is
translated by guesswork: when any part of an answer has no exact rendering (a Japanese
sentence, a noun the glossary lacks), there is no localized text and the Japanese quote
stands alone.  Multi-line answers keep each line's Japanese sentence beside it (`quote`).
"""
from __future__ import annotations

import re

from .facts import Fact
from .frame import Frame
from .glossary import Entry
from .index import Index
from .operate import Result
from .render import messages

KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ff]")


class Untranslatable(Exception):
    """A part of the answer has no exact rendering in the target language."""


def pluralize(noun: str) -> str:
    """company -> companies, measure -> measures (the last word of a noun phrase)."""
    head, _, last = noun.rpartition(" ")
    if re.search(r"[^aeiou]y$", last):
        last = last[:-1] + "ies"
    elif re.search(r"(?:s|x|z|ch|sh)$", last):
        last += "es"
    elif last:
        last += "s"
    return f"{head} {last}".strip()


class Localizer:
    """Renders facts, names and counts in one language from the index's glossary."""

    def __init__(self, index: Index, lang: str):
        self.lang = lang
        self.words = messages()["localized"][lang]
        self.forms: dict[str, Entry] = {}
        for e in index.glossary.entries:
            for form in e.ja:
                self.forms.setdefault(form, e)
        self.by_length = sorted(self.forms, key=len, reverse=True)

    # ------------------------------------------------------------ names and nouns
    def entry_name(self, e: Entry) -> str:
        forms = e.en if self.lang == "en" else e.zh
        if not forms:
            raise Untranslatable(e.term)
        return forms[0]

    def name(self, ja: str) -> str:
        if ja not in self.forms:
            raise Untranslatable(ja)
        return self.entry_name(self.forms[ja])

    def segments(self, text: str) -> list[Entry]:
        """The glossary entries that spell a Japanese noun phrase exactly, longest first."""
        out, pos = [], 0
        while pos < len(text):
            form = next((f for f in self.by_length if text.startswith(f, pos)), None)
            if form is None:
                raise Untranslatable(text)
            out.append(self.forms[form])
            pos += len(form)
        return out

    def noun(self, ja: str, plural: bool) -> tuple[str, str]:
        """(the noun phrase, its Chinese measure word)."""
        parts = self.segments(ja)
        if self.lang == "en":
            phrase = " ".join(self.entry_name(e) for e in parts)
            return (pluralize(phrase) if plural else phrase), ""
        return "".join(self.entry_name(e) for e in parts), parts[-1].measure or self.words["measure"]

    # ------------------------------------------------------------ dates and numbers
    def one_date(self, iso: str) -> str:
        y, *rest = iso.split("-")
        w = self.words
        if len(rest) == 2:
            month = w["months"][int(rest[0]) - 1] if "months" in w else int(rest[0])
            return w["day"].format(y=y, m=int(rest[0]), d=int(rest[1]), month=month)
        if len(rest) == 1:
            month = w["months"][int(rest[0]) - 1] if "months" in w else int(rest[0])
            return w["month"].format(y=y, m=int(rest[0]), month=month)
        return w["year"].format(y=y)

    def date(self, f: Fact) -> str:
        text = self.one_date(f.date)
        if f.date_end:
            text = self.words["range"].format(a=text, b=self.one_date(f.date_end))
        qualifier = self.words["date_qualifiers"].get(f.qualifier or "")
        return qualifier.format(d=text) if qualifier else text

    def number(self, f: Fact) -> str:
        value = f.value or ""
        a, _, b = value.partition("-")
        n = self.words["range_number"].format(a=a, b=b) if b else value
        qualifier = self.words["number_qualifiers"].get(f.qualifier or "")
        return qualifier.format(n=n) if qualifier else n

    def quantity(self, f: Fact) -> str:
        w = self.words
        if f.unit == "位" and not f.object:
            return w["rank"].format(n=f.value)
        plural = f.value != "1"
        if f.object:
            noun, measure = self.noun(f.object, plural)
            if self.lang == "zh" and f.unit in w["units"] and w["units"][f.unit]:
                measure = w["units"][f.unit]
        elif f.unit in w["units"]:
            base = w["units"][f.unit]
            noun, measure = ((pluralize(base) if plural and base else base), "") if self.lang == "en" else ("", base)
        else:
            noun, measure = self.noun(f.unit or "", plural)
        return w["quantity"].format(n=self.number(f), noun=noun, measure=measure).strip()

    # ------------------------------------------------------------ lines
    def event_line(self, f: Fact) -> dict:
        w = self.words
        text = (w["line"].format(date=self.date(f), city=self.name(f.city)) if f.city
                else w["line_nocity"].format(date=self.date(f)))
        return {"text": text, "quote": f.text}

    def join(self, items) -> str:
        return self.words["sep"].join(items)

    def events_word(self, n: int) -> str:
        return self.words["event"] if n == 1 else self.words["events"]


# ---------------------------------------------------------------- shapes

def lines_answer(lines: list[dict]) -> dict:
    return {"text": "\n".join(line["text"] for line in lines), "lines": lines}


def localized_shape(frame: Frame, result: Result, loc: Localizer, index: Index) -> dict | None:
    w = loc.words
    shape, facts = result.shape, result.facts
    if shape == "date":
        return {"text": loc.date(facts[0])}
    if shape == "quantity":
        return {"text": loc.quantity(facts[0])}
    if shape == "city":
        return {"text": loc.name(result.city)}
    if shape == "cities":
        return {"text": loc.join(loc.name(c) for c in result.cities)}
    if shape == "countries":
        return {"text": loc.join(loc.name(c) for c in result.countries)}
    if shape == "count_cities":
        country = w["country"].format(names=loc.join(loc.name(c) for c in result.countries)) if result.countries else ""
        return {"text": w["count_cities"].format(country=country, n=result.count,
                                                   items=loc.join(loc.name(c) for c in result.cities))}
    if shape == "compare_sentences":                     # each city named, its sentence quoted
        return lines_answer([{"text": loc.name(index.passages[n].city), "quote": index.passages[n].text}
                             for n in result.cited])
    if shape == "stances":                               # each city named, its line quoted
        return lines_answer([{"text": loc.name(f.city), "quote": f.text} for f in facts])
    if shape == "count_events":
        items = loc.join(w["city_date"].format(city=loc.name(f.city), date=loc.date(f)) if f.city else loc.date(f)
                         for f in facts)
        return {"text": w["count_events"].format(n=result.count, events=loc.events_word(result.count), items=items)}
    if shape in ("group_cities", "group_years"):
        keys = [loc.name(c) for c in result.cities] if shape == "group_cities" else \
            [loc.one_date(y) for y in result.cities]
        return {"text": loc.join(w["group"].format(key=k, n=result.count, events=loc.events_word(result.count))
                                 for k in keys)}
    if shape in ("events", "extreme_event"):
        chosen = facts if shape == "events" else facts[:result.count or 1]
        if shape == "extreme_event" and frame.answer_type == "city":
            return lines_answer([{"text": w["city_date"].format(city=loc.name(f.city), date=loc.date(f)), "quote": f.text}
                                 for f in chosen])
        return lines_answer([loc.event_line(f) for f in chosen])
    if shape == "extreme_quantity":
        return lines_answer([{"text": w["city_line"].format(city=loc.name(f.city), text=loc.quantity(f)), "quote": f.text}
                             for f in facts[:result.count or 1]])
    if shape == "compare":
        lines = []
        for city in result.cities:
            own = [f for f in facts if f.city == city]
            parts = [loc.quantity(f) for f in own if f.kind == "quantity"]
            dates = [loc.date(f) for f in own if f.kind == "event"]
            if dates:
                parts.append(w["dates"].format(items=loc.join(dates)))
            lines.append({"text": w["compare"].format(city=loc.name(city), parts="; ".join(parts)), "quote": None})
        return lines_answer(lines)
    return None                             # a sentence of the article: the Japanese quote stands alone


def localizer(index: Index, lang: str) -> Localizer:
    """The index's renderer for a language (built once per index)."""
    key = ("localizer", lang)
    return index.derived.get(key) or index.derived.setdefault(key, Localizer(index, lang))


def word_in(index: Index, lang: str):
    """An article word (a city, a glossary term) in `lang` where the glossary has it, else as written."""
    if lang not in ("en", "zh"):
        return lambda ja: ja
    loc = localizer(index, lang)

    def name(ja: str) -> str:
        try:
            return loc.name(ja)
        except Untranslatable:
            return ja
    return name


def localize(frame: Frame, result: Result, index: Index, to_traditional=None) -> dict | None:
    """{"lang", "text"[, "lines"]} for an English or Chinese question whose answer can be
    rendered exactly; None otherwise."""
    if frame.lang not in ("en", "zh") or result.abstain:
        return None
    loc = localizer(index, frame.lang)
    try:
        out = localized_shape(frame, result, loc, index)
    except (Untranslatable, KeyError, ValueError, TypeError):
        return None
    if not out or not out["text"].strip() or KANA.search(out["text"]):
        return None
    if frame.lang == "zh" and frame.script == "hant" and to_traditional:
        out["text"] = to_traditional(out["text"])
        for line in out.get("lines", []):
            line["text"] = to_traditional(line["text"])
    return {"lang": frame.lang, **out}
