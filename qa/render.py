"""Result -> the answer as the API gives it: a short Japanese text, quoted from the article or
built from its facts, with the language-neutral fields scripts read (city, date, value,
cities, dates, count).  The sentences' frames come from messages.json.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from .facts import Fact
from .frame import Frame
from .index import Index
from .operate import Result

MESSAGES_PATH = Path(__file__).with_name("messages.json")


@lru_cache(maxsize=1)
def messages() -> dict:
    return json.loads(MESSAGES_PATH.read_text(encoding="utf-8"))


def words(lang: str = "ja") -> dict[str, str]:
    return messages()["answer"].get(lang, messages()["answer"]["ja"])


def abstain_json(lang: str, reason: str, fields: dict) -> dict:
    table = messages()["abstain"]
    return {"reason": reason, "message": table.get(lang, table["ja"])[reason].format(**fields)}


# ---------------------------------------------------------------- pieces

def ja_date(f: Fact) -> str:
    def one(d: str) -> str:
        return "".join(f"{int(x)}{u}" for x, u in zip(d.split("-"), "年月日"))
    text = one(f.date) + (f"〜{one(f.date_end)}" if f.date_end else "")
    return text + (f.qualifier if f.qualifier and f.qualifier != "期間" else "")


def event_line(f: Fact) -> str:
    w = words()
    return (w["event"] if f.city else w["event_nocity"]).format(date=ja_date(f), city=f.city, text=f.text)


def passage_text(index: Index, number: int) -> str:
    return index.passages[number].text


def dated_text(index: Index, number: int) -> str:
    """A passage quoted as the answer, with the full dates of its events whose year it leaves to an
    earlier sentence ("同年10月に…" -> "…（2017年10月）")."""
    text = passage_text(index, number)
    implied = [ja_date(f) for f in index.facts_of.of_number(number)
               if f.kind == "event" and f.date and f"{int(f.date[:4])}年" not in text]
    return text + (f"（{words()['sep'].join(dict.fromkeys(implied))}）" if implied else "")


# ---------------------------------------------------------------- shapes

def fact_answer(result: Result, index: Index) -> dict:
    f = result.facts[0]
    if result.shape == "date":
        return {"text": ja_date(f), "date": f.date, **({"date_end": f.date_end} if f.date_end else {}),
                "evidence": f.text}
    return {"text": f.text, "value": f.value, "unit": f.unit, **({"qualifier": f.qualifier} if f.qualifier else {})}


def extreme_answer(frame: Frame, result: Result) -> dict:
    """The winner(s) first; beside a named comparison, the others in brackets."""
    w = words()

    def line(f: Fact) -> str:
        if f.kind != "event":
            return w["city_fact"].format(city=f.city, text=f.text)
        if frame.answer_type == "city" and f.city:
            return w["city_event"].format(city=f.city, date=ja_date(f), text=f.text)
        return event_line(f)

    n = result.count or 1
    winners, others = result.facts[:n], result.facts[n:]
    lines = [line(f) for f in winners]
    if others and (len(frame.cities) >= 2 or frame.choices):
        lines.append(w["versus"].format(items=w["sep"].join(line(f) for f in others)))
    out = {"text": "\n".join(lines), "cities": result.cities}
    if len(winners) == 1 and winners[0].kind == "event":
        out.update(date=winners[0].date, evidence=winners[0].text)
    if len(winners) == 1 and winners[0].kind == "quantity":
        out.update(value=winners[0].value, unit=winners[0].unit)
    return out


def group_answer(result: Result) -> dict:
    w = words()
    keys = [w["year"].format(y=k) for k in result.cities] if result.shape == "group_years" else result.cities
    return {"text": w["sep"].join(w["group"].format(key=k, n=result.count) for k in keys),
            "count": result.count, **({"cities": result.cities} if result.shape == "group_cities" else
                                      {"years": result.cities})}


def count_answer(result: Result) -> dict:
    w = words()
    if result.shape == "count_cities":
        country = w["sep"].join(result.countries) + ("の" if result.countries else "")
        text = w["count_cities"].format(country=country, n=result.count, items=w["sep"].join(result.cities))
        return {"text": text, "count": result.count, "cities": result.cities,
                **({"countries": result.countries} if result.countries else {})}
    items = w["sep"].join(ja_date(f) + (f" {f.city}" if f.city else "") for f in result.facts)
    return {"text": w["count_events"].format(n=result.count, items=items), "count": result.count,
            "dates": [f.date for f in result.facts]}


def stance_answer(result: Result, index: Index) -> dict:
    w = words()
    heading, *summary = result.stance
    head = w["stance_summary"].format(stance=heading, summary=summary[0]) if summary else heading
    claims = [n for n in result.cited if index.passages[n].kind == "claim"]
    return {"text": "\n".join([head] + [passage_text(index, n) for n in claims[:1]])}


def compare_answer(result: Result) -> dict:
    lines = []
    for city in result.cities:
        own = [f for f in result.facts if f.city == city]
        stance = next((f.text for f in own if f.kind == "stance"), "")
        number = next((f.text for f in own if f.kind == "quantity"), "")
        dates = "、".join(ja_date(f) for f in own if f.kind == "event")
        lines.append(f"{city}: " + " / ".join(p for p in (stance, number, dates) if p))
    return {"text": "\n".join(lines), "cities": result.cities}


def shape_answer(frame: Frame, result: Result, index: Index) -> dict:
    shape = result.shape
    if shape in ("date", "quantity"):
        return fact_answer(result, index)
    if shape == "city":
        return {"text": result.city, "evidence": passage_text(index, result.cited[0])}
    if shape in ("events",):
        return {"text": "\n".join(event_line(f) for f in result.facts), "dates": [f.date for f in result.facts],
                **({"cities": result.cities} if len(result.cities) > 1 else {})}
    if shape in ("extreme_event", "extreme_quantity"):
        return extreme_answer(frame, result)
    if shape in ("group_cities", "group_years"):
        return group_answer(result)
    if shape in ("count_events", "count_cities"):
        return count_answer(result)
    if shape == "cities":
        return {"text": words()["sep"].join(result.cities), "cities": result.cities}
    if shape == "countries":
        return {"text": words()["sep"].join(result.countries), "countries": result.countries, "cities": result.cities}
    if shape == "stance":
        return stance_answer(result, index)
    if shape == "stances":                                # each city's line
        return {"text": "\n".join(f"{f.city}: {f.text}" for f in result.facts), "cities": result.cities}
    if shape == "compare":
        return compare_answer(result)
    if shape == "compare_sentences":                      # each city's sentence on the asked words
        return {"text": "\n".join(f"{index.passages[n].city}: {passage_text(index, n)}" for n in result.cited),
                "cities": result.cities}
    if shape in ("sentences", "article"):
        return {"text": "\n".join(dated_text(index, n) for n in result.cited),
                **({"cities": result.cities} if shape == "sentences" and len(result.cities) > 1 else {})}
    return {"text": dated_text(index, result.cited[0])}


def answer_json(frame: Frame, result: Result, index: Index) -> dict:
    """The `answer` object of an /ask response."""
    ans = shape_answer(frame, result, index)
    first = index.passages[result.cited[0]].id if result.cited else (result.facts[0].passage_id if result.facts else None)
    ans = {"text": ans.pop("text"), "city": result.city, "passage_id": first, **ans,
           "confidence": result.confidence, "type": frame.qtype, "op": frame.op, "answer_type": frame.answer_type}
    if frame.sources.get("cities") == "history" and ans["city"]:
        ans["text"] = f"［{ans['city']}］{ans['text']}"
    return ans


def summary_line(frame: Frame, labels, telling: list[str], name=lambda ja: ja) -> str:
    """What was understood, in a few words: "最も少ない · 企業 · 全都市" (`telling`: the topic
    words that tell passages apart; `name`: an article word in the asker's language)."""
    head = labels(frame.direction) if frame.op == "superlative" and frame.direction else labels(frame.op)
    parts = [head]
    if frame.op in ("lookup", "yes_no", "superlative") and frame.answer_type != "sentence":
        parts.append(labels(frame.answer_type))
    if frame.part:
        parts.append(labels(frame.part))
    if frame.category:
        parts.append(labels(frame.category))
    parts += [name(w) for w in telling[:2]]
    if frame.cities:
        parts.append("・".join(name(c) for c in frame.cities))
    elif frame.op in ("superlative", "count", "list", "timeline"):
        parts.append(labels("all_cities"))
    if frame.period:
        parts.append(frame.period.iso)
    if frame.sources.get("cities") == "history" or frame.sources.get("topic") == "history":
        parts.append(labels("history"))
    return " · ".join(dict.fromkeys(p for p in parts if p))
