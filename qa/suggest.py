"""Suggested questions for an empty chat, drawn from the facts table.

Each candidate is asked through the pipeline and kept only when the answer cites the
passage of the fact it came from, so a suggestion is always a question the article answers.
"""
from __future__ import annotations

from collections import Counter

from .analysis import Analyzer
from .answer import answer
from .render import ja_date
from .index import Index

KIND_ORDER = ("stance", "quantity", "event")


def candidates(index: Index, templates: dict[str, str]) -> list[tuple[str, str, str]]:
    """(question, kind, passage_id) for every fact a template fits."""
    out = []
    for f in index.facts:
        if not f.city or f.kind not in templates:
            continue
        if f.kind == "stance" and index.passages[index.by_id[f.passage_id]].kind == "heading":
            out.append((templates["stance"].format(city=f.city), "stance", f.passage_id))
        elif f.kind == "quantity" and f.object:
            out.append((templates["quantity"].format(city=f.city, object=f.object), "quantity", f.passage_id))
        elif f.kind == "event" and f.date and not f.date_end and len(f.date) >= 7:
            out.append((templates["event"].format(city=f.city, date=ja_date(f)), "event", f.passage_id))
    return out


def suggestions(index: Index, analyzer: Analyzer, limit: int = 6) -> list[str]:
    """Up to `limit` answerable questions, taking kinds in turn and spreading the cities."""
    by_kind: dict[str, list[tuple[str, str]]] = {k: [] for k in KIND_ORDER}
    for question, kind, passage_id in candidates(index, analyzer.lexicon.suggestions):
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
