"""What an operation gives: the facts and passages an answer rests on, or why there is none."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..facts import Fact

ANSWER_WINDOW = 5        # how far down the ranking a typed answer (date, quantity) may come from
MIN_CONFIDENCE = 0.25
LIST_LIMIT = 8           # sentences in a list of passages


@dataclass
class Result:
    shape: str                                           # how render.py writes it
    facts: list[Fact] = field(default_factory=list)      # what the answer rests on, in its order
    cited: list[int] = field(default_factory=list)       # passages it cites, its own first
    cities: list[str] = field(default_factory=list)
    city: str | None = None
    count: int | None = None
    stance: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    abstain: tuple[str, dict] | None = None
    confidence: float = 1.0


def abstained(reason: str, **fields) -> Result:
    return Result("abstain", abstain=(reason, fields))
