"""One article analysed on its own: the pieces a build reuses while the article is unchanged.

Its passages, their terms, its own facts and its paragraph rows depend only on the
article's text and file stem and on the build settings (the analyser and its versions,
the lexicon, the glossary's city names, this code): `settings_key` names all of them.
What depends on the whole corpus (BM25 statistics, row numbers, the stances of a summary
line, which name the corpus's cities) is assembled from these pieces afterwards
(`qa.assemble`), the same way for every build.

An article is kept as the bytes and numbers the index files are made of, so that a
cached one is joined into a build without being parsed again.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from . import analysis, corpus, cues, facts, lexicon
from .analysis import Analyzer, detect_lang, normalize
from .corpus import Passage
from .source import SourceFile

CityOf = Callable[[str], "str | None"]
LINE, ROW, TERMS, KIND, CITY = 0, 1, 2, 3, 4   # columns of Article.passage_info
PASSAGE_COLUMNS = 5
KINDS = ("heading", "claim", "summary")         # Passage.kind, numbered in the index's passage_kind.npy
FACT_LINE, FACT_PASSAGE = 0, 1       # columns of Article.fact_info
AT, COUNT = 0, 1                     # columns of Article.headings


@dataclass
class Article:
    doc: str
    sha256: str
    cities: list[str]                 # the cities of its sections, in order
    summaries: list[int]              # its passages that are summary lines
    passages: bytes                   # its passages.jsonl lines
    passage_info: np.ndarray          # per passage: line bytes, paragraph row in the article, number of terms,
                                      # kind (KINDS), city (its place in `cities`, -1 for none)
    facts: bytes                      # its facts.jsonl lines, but the stances of summary lines
    fact_info: np.ndarray             # per fact: line bytes, passage
    headings: np.ndarray              # per section heading that opens a paragraph row: passage, number of terms
    ids: np.ndarray | None = None     # term numbers (passages' then headings') in a term table, or ...
    terms: list[str] | None = None    # ... (a fresh analysis) its distinct terms, and
    local: np.ndarray | None = None   # ... for each of its terms in order, its place in `terms`

    def meta(self) -> list:
        """What the cache keeps beside the arrays."""
        return [self.doc, self.sha256, len(self.passage_info), len(self.fact_info), len(self.headings),
                self.cities, self.summaries]

    def passage_line(self, i: int) -> bytes:
        """The passages.jsonl line of its passage i."""
        ends = np.cumsum(self.passage_info[:, LINE])
        return bytes(self.passages[int(ends[i] - self.passage_info[i, LINE]):int(ends[i])])


def city_finder(analyzer: Analyzer, entries) -> CityOf:
    """The city a heading is about: its label before the colon, when that is a place name."""
    known = {form for e in entries if e.kind == "city" for form in e.ja}

    def city_of(heading: str) -> str | None:
        label = corpus.heading_label(heading)
        if label and (label in known or analyzer.is_place_name(label)):
            return label
        return None
    return city_of


def code_version() -> str:
    """A hash of the code an article's analysis runs (so an edited rule never reuses stale results)."""
    h = hashlib.sha256()
    for path in (analysis.__file__, corpus.__file__, facts.__file__, cues.__file__, lexicon.__file__, __file__,
                 lexicon.LEXICON_PATH, cues.CUES_PATH):
        h.update(Path(path).read_bytes())
    return h.hexdigest()


def settings_key(analyzer: Analyzer, entries) -> str:
    """What an article's analysis depends on besides its text: analyser, lexicon, glossary cities, code."""
    lex = analyzer.lexicon
    parts = [analyzer.versions(), sorted(lex.proper_pos_ja), sorted(lex.proper_flags_zh),
             sorted(form for e in entries if e.kind == "city" for form in e.ja), code_version()]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def line(row: dict) -> bytes:
    """One JSONL line, as the index files write it."""
    return (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8")


def local_rows(passages: list[Passage]) -> list[int]:
    """Each passage's paragraph row within its article, numbered in order of appearance."""
    rows: dict[int, int] = {}
    return [rows.setdefault(p.paragraph, len(rows)) for p in passages]


def heading_inserts(analyzer: Analyzer, passages: list[Passage], rows: list[int],
                    terms: list[list[str]]) -> list[tuple[int, list[str]]]:
    """Section-heading terms that open a paragraph row: before its first claim when nothing precedes it."""
    filled = [False] * (max(rows, default=-1) + 1)
    out = []
    for i, (p, row, t) in enumerate(zip(passages, rows, terms)):
        if not filled[row] and p.kind == "claim" and p.section:
            heading = analyzer.analyze(p.section, p.lang)
            if heading:
                out.append((i, heading))
                filled[row] = True
        filled[row] = filled[row] or bool(t)
    return out


def table(rows: list[list[int]], columns: int) -> np.ndarray:
    return np.array(rows, dtype=np.int64).reshape(-1, columns)


def analyse_article(source: SourceFile, analyzer: Analyzer, city_of: CityOf) -> Article:
    """Read, split and analyse one article."""
    text = source.text()
    lang = detect_lang(normalize(text[:5000]).text)
    passages = corpus.passages_of(source.doc, text, city_of, analyzer.lexicon.bound_starts, lang)
    terms = [analyzer.analyze(p.text, p.lang) for p in passages]
    rows = local_rows(passages)
    headings = heading_inserts(analyzer, passages, rows, terms)
    lines = [line(p.to_dict()) for p in passages]
    own = [(i, line(f.to_dict())) for i, fs in enumerate(facts.own_facts(passages)) for f in fs]
    cities = list(dict.fromkeys(p.city for p in passages if p.city))
    city_number = {c: i for i, c in enumerate(cities)}
    return Article(
        doc=source.doc, sha256=source.sha256,
        cities=cities,
        summaries=[i for i, p in enumerate(passages) if p.kind == "summary"],
        passages=b"".join(lines),
        passage_info=table([[len(b), r, len(t), KINDS.index(p.kind), city_number[p.city] if p.city else -1]
                            for b, r, t, p in zip(lines, rows, terms, passages)], PASSAGE_COLUMNS),
        facts=b"".join(b for _, b in own),
        fact_info=table([[len(b), i] for i, b in own], 2),
        headings=table([[i, len(h)] for i, h in headings], 2),
        **distinct_terms([t for ts in terms for t in ts] + [t for _, h in headings for t in h]))


def distinct_terms(terms: list[str]) -> dict:
    """An article's terms as its distinct terms and, for each term in order, its place among them."""
    distinct = list(dict.fromkeys(terms))
    place = dict(zip(distinct, range(len(distinct))))
    return {"terms": distinct, "local": np.fromiter(map(place.__getitem__, terms), dtype=np.int32, count=len(terms))}
