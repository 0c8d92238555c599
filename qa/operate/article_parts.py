"""Questions about the article itself: its title (or a city section's heading), its summary line,
what it is about, its country, the city it covers first or last."""
from __future__ import annotations

from ..analysis import Analyzer
from ..article import article_of, main_doc
from ..frame import Frame
from ..index import Index
from ..retrieve import Hit
from .cities import section_claims
from .result import Result, abstained


def about_article(frame: Frame, index: Index, hits: list[Hit], analyzer: Analyzer) -> Result:
    doc = main_doc(index, hits)
    if doc is None:
        return abstained("no_question")
    art = article_of(index, doc)
    if frame.part == "title" and frame.cities:              # "<city>のパートの見出しは?": the section's heading
        own = [n for n in art.headings if index.passages[n].city in frame.cities]
        if own:
            return Result("article", cited=own, cities=frame.cities,
                          city=frame.cities[0] if len(frame.cities) == 1 else None)
    if frame.part in ("first_section", "last_section") and frame.cities:   # "<city>のセクションで最初に書かれていること"
        claims = section_claims(frame.cities[0], index)
        if claims:
            n = claims[0] if frame.part == "first_section" else claims[-1]
            return Result("sentence", cited=[n], city=frame.cities[0], cities=frame.cities[:1])
    if frame.part in ("first_section", "last_section") and art.headings:   # "the city it covers first (last)"
        sections = [n for n in art.headings if index.passages[n].city]
        if not sections:
            return abstained("no_match")
        n = sections[0] if frame.part == "first_section" else sections[-1]
        city = index.passages[n].city                       # which city: the city; what about: its heading
        return Result("city" if frame.answer_type == "city" else "article", cited=[n], city=city, cities=[city])
    if frame.part == "title":
        cited = [art.title] if art.title is not None else art.headings[:1]
    elif frame.part == "summary":
        cited = art.summary or art.lead[:1]
    elif frame.part == "country":
        countries = analyzer.countries(" ".join(index.passages[n].text for n in art.cited()))
        if not countries:
            return abstained("no_match")
        return Result("countries", cited=art.lead[:1], countries=countries, cities=art.cities)
    else:
        cited = ([art.title] if art.title is not None else []) + (art.summary or art.lead[:1])
    if not cited:
        return abstained("no_match")
    return Result("article", cited=cited, cities=art.cities)
