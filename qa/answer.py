"""Question -> ranked passages -> a short extractive answer (or an honest "not in the article").

The short answer depends on the question type: a resolved
date (when), a quantity (how many), a city (which city), a stance, a timeline, a
side-by-side comparison, or else the best claim.
"""
from __future__ import annotations

from .analysis import Analyzer
from .facts import Fact
from .index import Index
from .question import Question, understand
from .retrieve import Hit, in_period, matches_word, retrieve, timeline_facts

ANSWER_WINDOW = 5        # how far down the ranking a typed answer (date, quantity) may come from
MIN_CONFIDENCE = 0.25

MESSAGES = {
    "ja": {"unknown_name": "記事は「{names}」について書いていません。",
           "not_in_article": "記事には「{words}」についての記述がありません。",
           "weak_match": "記事の中に、この質問に答える箇所が見つかりません。",
           "no_events": "記事にはこの期間の出来事がありません。",
           "no_question": "質問の内容を読み取れませんでした。都市名や知りたいことを書いてください。"},
    "zh": {"unknown_name": "文章没有提到「{names}」。",
           "not_in_article": "文章中没有关于「{words}」的内容。",
           "weak_match": "文章中找不到能回答这个问题的段落。",
           "no_events": "文章中没有这个时期的事件。",
           "no_question": "无法理解这个问题，请写明城市或想了解的内容。"},
    "en": {"unknown_name": "The article does not mention {names}.",
           "not_in_article": "The article says nothing about {words}.",
           "weak_match": "No passage of the article answers this question.",
           "no_events": "The article records no events in that period.",
           "no_question": "The question could not be understood: name a city or what you want to know."},
}


# ---------------------------------------------------------------- confidence and abstention

def confidence(q: Question, index: Index, number: int) -> float:
    """Share of the question's content (weighted by idf) that the passage contains."""
    total = sum(c.weight for c in q.content)
    got = sum(c.weight for c in q.content if c.known and matches_word(index, c, number))
    if q.period:
        top = float(index.bm25.idf.max()) if len(index.bm25.idf) else 1.0
        total += top
        got += top if in_period(q, index, number) else 0.0
    if total == 0:
        return 1.0 if q.cities else 0.0
    return round(got / total, 3)


def informative_match(q: Question, index: Index, number: int) -> bool:
    """The passage holds a content word found in at most half of the passages."""
    half = len(index.passages) / 2
    return any(c.known and matches_word(index, c, number)
               and any(all(index.bm25.df(k) for k in alt) and min(map(index.bm25.df, alt)) <= half
                       for alt in c.alternatives)
               for c in q.content)


def abstain_reason(q: Question, index: Index, hits: list[Hit]) -> tuple[str, dict] | None:
    if q.unknown_names:
        return "unknown_name", {"names": "、".join(dict.fromkeys(q.unknown_names))}
    if q.content and not any(c.known for c in q.content):
        return "not_in_article", {"words": "、".join(q.unknown_words)}
    if q.qtype == "timeline":
        return None if timeline_facts(q, index) else ("no_events", {})
    if not q.content and not q.cities and not q.period:
        return "no_question", {}
    if not hits:
        return "weak_match", {}
    top = [h.number for h in hits[:ANSWER_WINDOW]]
    if q.content and not any(informative_match(q, index, n) or in_period(q, index, n) for n in top):
        return "weak_match", {}
    if q.content and max(confidence(q, index, n) for n in top) < MIN_CONFIDENCE:
        return "weak_match", {}
    return None


# ---------------------------------------------------------------- facts

def ja_date(f: Fact) -> str:
    def one(d: str) -> str:
        parts = d.split("-")
        return "".join(f"{int(x)}{u}" for x, u in zip(parts, "年月日"))
    text = one(f.date) + (f"〜{one(f.date_end)}" if f.date_end else "")
    return text + (f.qualifier if f.qualifier and f.qualifier != "期間" else "")


def fact_order(f: Fact) -> tuple:
    return ({"stance": 0, "event": 1, "quantity": 2}.get(f.kind, 3), f.date or "", f.passage_id)


def facts_for(q: Question, index: Index, hits: list[Hit]) -> list[Fact]:
    """The facts that concern the question: its cities, its period, or its passages."""
    if q.qtype == "timeline" or (q.period and not q.cities):
        return timeline_facts(q, index)
    if q.cities:
        chosen = [f for c in q.cities for f in index.facts_in.get(c, [])
                  if (not q.period or f.kind == "stance" or q.period.covers(f.date, f.date_end))]
        if q.qtype == "compare":
            return sorted(chosen, key=lambda f: (q.cities.index(f.city), *fact_order(f)))
        return sorted(chosen, key=fact_order)
    ids = [index.passages[h.number].id for h in hits[:ANSWER_WINDOW]]
    return [f for pid in ids for f in sorted(index.facts_of.get(pid, []), key=fact_order)]


# ---------------------------------------------------------------- short answers

def overlap(q: Question, text: str, analyzer: Analyzer) -> int:
    terms = set(analyzer.analyze(text, "ja"))
    return sum(1 for c in q.content if any(all(k in terms for k in alt) for alt in c.alternatives))


def best_fact(q: Question, index: Index, hits: list[Hit], kind: str, analyzer: Analyzer):
    """The fact of `kind` in the top passages that best fits the question, with its rank."""
    best, best_key = None, None
    for r, h in enumerate(hits[:ANSWER_WINDOW]):
        for f in index.facts_of.get(index.passages[h.number].id, []):
            if f.kind != kind:
                continue
            fit = overlap(q, f.text, analyzer)
            if kind == "quantity" and q.unit_hint and q.unit_hint in (f.unit or ""):
                fit += 3
            if kind == "event" and q.period and q.period.covers(f.date, f.date_end):
                fit += 3
            key = (fit, -r)
            if best_key is None or key > best_key:
                best, best_key = (f, h), key
    return best


def claim_answer(index: Index, hit: Hit) -> dict:
    p = index.passages[hit.number]
    return {"text": p.text, "city": p.city, "passage_id": p.id}


def typed_answer(q: Question, index: Index, hits: list[Hit], analyzer: Analyzer) -> tuple[dict, Hit]:
    """The short answer for the question type and the hit it cites."""
    top = hits[0]
    if q.qtype == "when":
        found = best_fact(q, index, hits, "event", analyzer)
        if found:
            f, h = found
            return {"text": ja_date(f), "city": f.city, "passage_id": f.passage_id, "date": f.date,
                    **({"date_end": f.date_end} if f.date_end else {}), "evidence": f.text}, h
    if q.qtype == "how_many":
        found = best_fact(q, index, hits, "quantity", analyzer)
        if found:
            f, h = found
            return {"text": f.text, "city": f.city, "passage_id": f.passage_id, "value": f.value,
                    "unit": f.unit, **({"qualifier": f.qualifier} if f.qualifier else {})}, h
    if q.qtype == "which_city":
        for h in hits[:ANSWER_WINDOW]:
            p = index.passages[h.number]
            if p.city:
                return {"text": p.city, "city": p.city, "passage_id": p.id, "evidence": p.text}, h
    if q.qtype == "stance" and q.cities:
        for h in hits:
            stance = [f for f in index.facts_of.get(index.passages[h.number].id, []) if f.kind == "stance"
                      and f.city == q.cities[0]]
            if stance:
                return {"text": stance[0].text, "city": stance[0].city, "passage_id": stance[0].passage_id}, h
    return claim_answer(index, top), top


def timeline_answer(q: Question, index: Index) -> dict:
    events = timeline_facts(q, index)
    lines = [f"{ja_date(f)} {f.city or ''}: {f.text}".replace(" : ", " ") for f in events]
    return {"text": "\n".join(lines), "city": q.cities[0] if len(q.cities) == 1 else None,
            "passage_id": events[0].passage_id, "dates": [f.date for f in events]}


def compare_answer(q: Question, index: Index, analyzer: Analyzer) -> dict:
    """Each city side by side: its stance, its best-matching number, its dated events."""
    lines, first = [], None
    for city in q.cities:
        own = index.facts_in.get(city, [])
        stance = next((f.text for f in own if f.kind == "stance"), "")
        numbers = sorted((f for f in own if f.kind == "quantity"),
                         key=lambda f: -overlap(q, f.text, analyzer))
        dates = [ja_date(f) for f in sorted((f for f in own if f.kind == "event"), key=lambda f: f.date or "")]
        parts = [p for p in (stance, numbers[0].text if numbers else "",
                             ("、".join(dates[:4])) if dates else "") if p]
        lines.append(f"{city}: " + " / ".join(parts))
        first = first or next((f.passage_id for f in own), None)
    return {"text": "\n".join(lines), "city": None, "cities": list(q.cities), "passage_id": first}


# ---------------------------------------------------------------- the response

def passage_json(index: Index, hit: Hit, q: Question, analyzer: Analyzer) -> dict:
    p = index.passages[hit.number]
    wanted = {k for c in q.content if c.known for alt in c.alternatives for k in alt}
    return {"id": p.id, "doc": p.doc, "city": p.city, "section": p.section, "text": p.text,
            "score": round(hit.score, 4),
            "highlights": [list(s) for s in analyzer.spans(p.text, wanted, p.lang)] if wanted else []}


def answer(text: str, history: list[str], index: Index, analyzer: Analyzer, top_k: int = 5) -> dict:
    """The body of an /ask response, without timing and version."""
    q = understand(text, history, index, analyzer)
    hits = retrieve(q, index)
    reason = abstain_reason(q, index, hits)
    if reason and reason[0] == "weak_match" and len(q.cities) == 1 and q.from_history.get("topic"):
        q.qtype = "stance"                     # "大阪呢?": no match in the article; give the city's stance
        hits = retrieve(q, index)
        reason = None
    if reason:
        code, fields = reason
        message = MESSAGES.get(q.lang, MESSAGES["ja"])[code].format(**fields)
        return {"answer": None, "abstain": {"reason": code, "message": message},
                "passages": [passage_json(index, h, q, analyzer) for h in hits[:top_k]],
                "facts": [], "understood": q.understood()}
    if q.qtype == "timeline":
        ans = timeline_answer(q, index)
    elif q.qtype == "compare":
        ans = compare_answer(q, index, analyzer)
    else:
        ans, cited = typed_answer(q, index, hits, analyzer)
        hits = [cited] + [h for h in hits if h is not cited]
    if q.qtype in ("compare", "timeline"):
        ans["confidence"] = 1.0                # built from the facts table, not from one match
    else:
        ans["confidence"] = confidence(q, index, index.by_id[ans["passage_id"]])
    if q.from_history.get("city") and ans.get("city"):
        ans["text"] = f"［{ans['city']}］{ans['text']}"
    ans["type"] = q.qtype
    return {"answer": ans, "abstain": None,
            "passages": [passage_json(index, h, q, analyzer) for h in hits[:top_k]],
            "facts": [f.to_dict() for f in facts_for(q, index, hits)],
            "understood": q.understood()}
