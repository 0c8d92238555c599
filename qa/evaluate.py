"""Judge /ask responses against example questions (rules of shared/examples/README.md)."""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

REQUIRED = ("question", "answer", "passages", "facts", "index_version", "took_ms")
JA_DATE = re.compile(r"^(\d{4})年(?:(\d{1,2})月(?:(\d{1,2})日)?)?$")
ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def load_examples(path: Path) -> list[dict]:
    out = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise ValueError(f"{path}:{n}: not JSON ({exc})") from None
        if not isinstance(row, dict) or not isinstance(row.get("q"), str) or "id" not in row:
            raise ValueError(f"{path}:{n}: needs at least 'id' and 'q'")
        out.append(row)
    return out


def date_forms(s: str) -> set[str]:
    """A date in the article's form and in ISO form ("2018年6月12日" <-> "2018-06-12")."""
    forms = {s}
    m = JA_DATE.match(s)
    if m:
        y, mo, d = m.groups()
        forms.add(y + (f"-{int(mo):02d}" if mo else "") + (f"-{int(d):02d}" if d else ""))
    m = ISO_DATE.match(s)
    if m:
        y, mo, d = m.groups()
        forms.add(f"{y}年" + (f"{int(mo)}月" if mo else "") + (f"{int(d)}日" if d else ""))
    return forms


def judge(ex: dict, status: int, body: dict) -> list[str]:
    """The rules this response breaks (empty when it passes)."""
    if status != 200 or not isinstance(body, dict) or any(k not in body for k in REQUIRED):
        return [f"rule 1: HTTP {status} or missing keys"]
    fails = []
    answer, passages, facts = body["answer"], body["passages"], body["facts"]
    if ex.get("abstain") and answer is not None:
        fails.append(f"rule 2: should abstain, answered {answer.get('text', '')[:40]!r}")
    if "passage_any" in ex:
        top = passages[0]["text"] if passages else ""
        if not any(s in top for s in ex["passage_any"]):
            fails.append(f"rule 3: passages[0] {top[:40]!r} has none of {ex['passage_any']}")
    if "city" in ex and "fact_dates" not in ex and "cities_all" not in ex:
        got = answer.get("city") if answer else None
        if got != ex["city"]:
            fails.append(f"rule 4: answer.city {got!r} != {ex['city']!r}")
    text = answer.get("text", "") if answer else ""
    if "answer_any" in ex and not any(f in text for s in ex["answer_any"] for f in date_forms(s)):
        fails.append(f"rule 5: answer {text[:40]!r} has none of {ex['answer_any']}")
    missing = [s for s in ex.get("answer_all", []) if not any(f in text for f in date_forms(s))]
    if missing:
        fails.append(f"rule 5: answer {text[:40]!r} lacks {missing}")
    for date in ex.get("fact_dates", []):
        if not any(f.get("kind") == "event" and f.get("date") == date
                   and ("city" not in ex or f.get("city") == ex["city"]) for f in facts):
            fails.append(f"rule 6: no event fact dated {date}" + (f" for {ex['city']}" if "city" in ex else ""))
    for city in ex.get("cities_all", []):
        if not any(p.get("city") == city for p in passages) or not any(f.get("city") == city for f in facts):
            fails.append(f"rule 7: {city} missing from passages or facts")
    return fails


def group_of(example_id: str) -> str:
    m = re.match(r"[A-Za-z]+", str(example_id))
    return m.group() if m else "?"


def error_kind(ex: dict, body: dict | None, fails: list[str]) -> str | None:
    """None for a pass; "refused" when it abstained from an answerable question; else "wrong"."""
    if not fails:
        return None
    answered = isinstance(body, dict) and body.get("answer") is not None
    return "wrong" if answered or ex.get("abstain") else "refused"


@dataclass
class Outcome:
    example: dict
    fails: list[str]
    kind: str | None                 # None (passed), "wrong" (a wrong answer) or "refused" (a wrong refusal)


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def results(self) -> list[tuple[dict, list[str]]]:
        return [(o.example, o.fails) for o in self.outcomes]

    @property
    def passed(self) -> int:
        return sum(1 for o in self.outcomes if o.kind is None)

    def count(self, kind: str) -> int:
        return sum(1 for o in self.outcomes if o.kind == kind)

    def table(self, key: Callable[[dict], str]) -> dict[str, dict[str, int]]:
        """Per key: passed, total, wrong answers, wrong refusals."""
        out: dict[str, dict[str, int]] = defaultdict(lambda: {"passed": 0, "total": 0, "wrong": 0, "refused": 0})
        for o in self.outcomes:
            row = out[key(o.example)]
            row["total"] += 1
            row["passed" if o.kind is None else o.kind] += 1
        return dict(sorted(out.items()))

    def by_group(self) -> dict[str, dict[str, int]]:
        return self.table(lambda ex: group_of(ex["id"]))

    def by_lang(self) -> dict[str, dict[str, int]]:
        return self.table(lambda ex: ex.get("lang", "?"))


def run(examples: list[dict], ask: Callable[[str, list[str]], tuple[int, dict]]) -> Report:
    report = Report()
    for ex in examples:
        status, body = ask(ex["q"], ex.get("history", []))
        fails = judge(ex, status, body)
        report.outcomes.append(Outcome(ex, fails, error_kind(ex, body if status == 200 else None, fails)))
    return report
