"""The structure of each article: title, lead paragraph, summary lines, city sections.

Read off the passages (their kind, section and paragraph), so any article that follows
the README's layout has one; used by questions about the article itself.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .index import Index


@dataclass
class Article:
    doc: str
    title: int | None = None                                 # passage number of the title heading
    lead: list[int] = field(default_factory=list)            # claims before the first city's section
    summary: list[int] = field(default_factory=list)         # stand-alone summary lines
    cities: list[str] = field(default_factory=list)          # cities of its sections, in order
    headings: list[int] = field(default_factory=list)        # every section heading

    def cited(self) -> list[int]:
        return [n for n in ([self.title] if self.title is not None else []) + self.summary + self.lead]


def doc_ranges(index: Index) -> dict[str, tuple[int, int]]:
    """Each document's passages as a [first, last] range (passages are stored article by article)."""
    cache = index.derived.get("doc_ranges")
    if cache is None:
        cache = index.derived["doc_ranges"] = index.passages.doc_ranges()
    return cache


def article_of(index: Index, doc: str) -> Article:
    """The structure of one article (computed once per index)."""
    key = ("article", doc)
    if key in index.derived:
        return index.derived[key]
    first, last = doc_ranges(index).get(doc, (0, -1))
    art = Article(doc)
    in_city = False
    for n in range(first, last + 1):
        p = index.passages[n]
        if p.kind == "heading":
            art.headings.append(n)
            if art.title is None and not p.city and not in_city:
                art.title = n
            in_city = in_city or bool(p.city)
            if p.city and p.city not in art.cities:
                art.cities.append(p.city)
        elif p.kind == "summary":
            art.summary.append(n)
        elif not in_city and not p.city:
            art.lead.append(n)
    index.derived[key] = art
    return art


def main_doc(index: Index, hits: list) -> str | None:
    """The article a question about "the article" means: the only one, or the best-matching one."""
    ranges = doc_ranges(index)
    if len(ranges) == 1:
        return next(iter(ranges))
    return index.passages[hits[0].number].doc if hits else None


# ---------------------------------------------------------------- the corpus's cities by name

def city_names(index: Index) -> dict[str, dict[str, list[str]]]:
    """Each corpus city's names per language: the glossary's forms (the first is the usual one),
    or just the article's own name."""
    cached = index.derived.get("city_names")
    if cached is None:
        cached = {c: {"ja": [c], "zh": [], "en": []} for c in index.cities}
        for e in index.glossary.entries:
            city = next((f for f in e.ja if f in cached), None)
            if e.kind == "city" and city:
                cached[city] = {"ja": list(dict.fromkeys((city,) + e.ja)), "zh": list(e.zh), "en": list(e.en)}
        index.derived["city_names"] = cached
    return cached


def resolve_city(index: Index, name: str, to_simplified=lambda s: s) -> str | None:
    """The corpus city a name means in any language or glyph form ("Canton" or a traditional-glyph name -> the article's)."""
    from .glossary import fold_kana, norm_form
    wanted = {fold_kana(norm_form(name)), fold_kana(norm_form(to_simplified(name)))}
    for city, names in city_names(index).items():
        forms = {fold_kana(norm_form(f)) for lang in names.values() for f in lang}
        forms |= {fold_kana(norm_form(to_simplified(f))) for f in forms}
        if wanted & forms:
            return city
    return None
