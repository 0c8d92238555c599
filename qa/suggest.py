"""Suggested questions for an empty chat, drawn from the facts table.

Each candidate is asked through the pipeline and kept only when the answer cites the
passage of the fact it came from, so a suggestion is always a question the article answers.
"""
from __future__ import annotations

from collections import Counter

from .analysis import Analyzer
from .answer import answer
from .index import Index
from .localize import Localizer, Untranslatable
from .render import ja_date

KIND_ORDER = ("stance", "quantity", "event")


class JapaneseWords:
    """The article's own words, for Japanese templates."""

    def name(self, ja: str) -> str:
        return ja

    def one_date(self, f) -> str:
        return ja_date(f)

    def noun(self, ja: str, plural: bool) -> tuple[str, str]:
        return ja, ""


def words_for(index: Index, lang: str):
    if lang == "ja":
        return JapaneseWords()
    loc = Localizer(index, lang)
    loc.one_date = lambda f, one=loc.one_date: one(f.date)
    return loc


def candidates(index: Index, templates: dict[str, str], lang: str = "ja") -> list[tuple[str, str, str]]:
    """(question, kind, passage_id) for every fact a template fits and the language can name."""
    words = words_for(index, lang)
    out = []
    for f in index.facts:
        if not f.city or f.kind not in templates:
            continue
        try:
            if f.kind == "stance" and index.passages[index.by_id[f.passage_id]].kind == "heading":
                out.append((templates["stance"].format(city=words.name(f.city)), "stance", f.passage_id))
            elif f.kind == "quantity" and f.object:
                noun, measure = words.noun(f.object, True)
                out.append((templates["quantity"].format(city=words.name(f.city), object=noun, measure=measure),
                            "quantity", f.passage_id))
            elif f.kind == "event" and f.date and not f.date_end and len(f.date) >= 7:
                out.append((templates["event"].format(city=words.name(f.city), date=words.one_date(f)),
                            "event", f.passage_id))
        except Untranslatable:
            continue                        # the glossary cannot name it in this language
    return out


def suggestions(index: Index, analyzer: Analyzer, lang: str = "ja", limit: int = 6) -> list[str]:
    """Up to `limit` answerable questions in a language, taking kinds in turn and spreading the cities."""
    by_kind: dict[str, list[tuple[str, str]]] = {k: [] for k in KIND_ORDER}
    for question, kind, passage_id in candidates(index, analyzer.lexicon.suggestions[lang], lang):
        body = answer(question, [], index, analyzer, top_k=3)
        if body["answer"] and (body["answer"].get("passage_id") == passage_id
                               or any(f["passage_id"] == passage_id for f in body["facts"])):
            by_kind[kind].append((question, index.passages[index.by_id[passage_id]].city or ""))
    picked: list[str] = []
    per_city: Counter = Counter()
    while len(picked) < limit and any(by_kind.values()):
        for kind in KIND_ORDER:
            pool = by_kind[kind]
            if pool and len(picked) < limit:
                question, city = min(pool, key=lambda c: per_city[c[1]])
                pool.remove((question, city))
                if question not in picked:
                    picked.append(question)
                    per_city[city] += 1
    return picked
