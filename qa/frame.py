"""A question as a frame: the operation asked for, the answer type, and the slots it fills.

    op           lookup | superlative | count | list | timeline | compare | about_article | stance | yes_no
    answer_type  date | quantity | money | size | city | name | person | reason | sentence
    slots        cities, excluded cities, period, topic words, event kind, direction
                 (most/least/earliest/latest), category counted (event/city/organisation),
                 article part (title/summary/topic/country), scope (lead), ...

`sources` says where each filled slot came from: the question itself or the history.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

BOTH_ENDS = "earliest_and_latest"     # a direction: the first and the last event ("最早和最晚")
LEGACY_TYPES = {"date": "when", "quantity": "how_many", "money": "how_many", "size": "how_many", "city": "which_city",
                "reason": "why", "name": "what", "person": "what", "sentence": "what"}


# ---------------------------------------------------------------- periods

@functools.lru_cache(maxsize=1 << 16)
def _start(iso: str) -> tuple[int, int, int]:
    parts = [int(x) for x in iso.split("-")]
    return parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1


@functools.lru_cache(maxsize=1 << 16)
def _end(iso: str) -> tuple[int, int, int]:
    parts = [int(x) for x in iso.split("-")]
    y = parts[0]
    m = parts[1] if len(parts) > 1 else 12
    if len(parts) > 2:
        return y, m, parts[2]
    last = (dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)).day
    return y, m, last


def date_span(date: str, date_end: str | None = None) -> tuple[tuple, tuple]:
    """The first and last day an ISO date (or period) can mean."""
    return _start(date), _end(date_end or date)


@dataclass(frozen=True)
class Period:
    """A span of time asked about: from `lo` to `hi`, each an ISO prefix ("2016", "2018-09-06")."""
    lo: str
    hi: str | None = None

    @property
    def end(self) -> str:
        return self.hi or self.lo

    @property
    def iso(self) -> str:
        return self.lo if self.end == self.lo else f"{self.lo}/{self.end}"

    def years(self) -> list[str]:
        return [str(y) for y in range(int(self.lo[:4]), int(self.end[:4]) + 1)]

    def covers(self, date: str | None, date_end: str | None = None) -> bool:
        """True when an event dated [date, date_end] falls in (or overlaps) this period."""
        if not date:
            return False
        lo, hi = date_span(date, date_end)
        return lo <= _end(self.end) and _start(self.lo) <= hi

    def fit(self, date: str | None, date_end: str | None = None) -> int:
        """2: the event lies inside the period; 1: it only overlaps it (a coarser date); 0: neither."""
        if not self.covers(date, date_end):
            return 0
        lo, hi = date_span(date, date_end)
        return 2 if _start(self.lo) <= lo and hi <= _end(self.end) else 1


# ---------------------------------------------------------------- words

@dataclass
class ContentWord:
    """A word the question is about; matched in a passage when all keys of one alternative are."""
    label: str
    alternatives: list[list[str]]
    known: bool
    weight: float
    start: int = -1                  # where it stands in the question (-1: not from its text)


Choice = tuple[list[str], list[ContentWord]]          # one side of "X or Y": its cities, its words


# ---------------------------------------------------------------- the frame

@dataclass
class Frame:
    text: str
    lang: str
    script: str = ""                                            # "hant" for a traditional-Chinese question
    op: str = "lookup"
    answer_type: str = "sentence"
    cities: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    period: Period | None = None
    topic: list[ContentWord] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)              # BM25 query terms
    phrases: list[str] = field(default_factory=list)            # pairs of adjacent words, cities kept
    focus: list[ContentWord] = field(default_factory=list)      # the words naming what is asked for ("住所")
    city_topics: dict[str, list[ContentWord]] = field(default_factory=dict)   # words said beside each city
    choices: list[Choice] = field(default_factory=list)        # "X or Y": each side's cities and words
    event_kind: str | None = None
    other_kinds: list[str] = field(default_factory=list)       # more kinds named ("set up or announced")
    direction: str | None = None
    category: str | None = None
    part: str | None = None
    scope: str | None = None
    only: int | None = None
    precision: str | None = None
    modality: str | None = None
    unit: str | None = None                                     # the counter of a how-many ("社", "位")
    unknown_names: list[str] = field(default_factory=list)
    refers: set[str] = field(default_factory=set)               # "city" / "topic": points back at history
    followup: bool = False
    explicit_type: bool = False
    since: bool = False                                         # "since when … start?"
    relative: str | None = None                                 # "before"/"after"/"same_year" the earlier answer's date
    relative_months: tuple[int, int] | None = None              # the part of "that year" asked ("the end of that year")
    type_at: int = -1                                           # where the answer type's cue stands
    cues: set[str] = field(default_factory=set)                 # operation cues seen in the question
    specific: bool = False                                      # a telling topic word of its own
    sources: dict[str, str] = field(default_factory=dict)       # slot -> "question" | "history"
    topic_from: str | None = None                               # the earlier question a topic came from

    # ------------------------------------------------------------ reading
    @property
    def unknown_words(self) -> list[str]:
        return [c.label for c in self.topic if not c.known]

    @property
    def qtype(self) -> str:
        """The type name of earlier versions of the API (`answer.type`)."""
        if self.op == "lookup" or self.op == "yes_no":
            return LEGACY_TYPES.get(self.answer_type, "what")
        return self.op

    def kinds(self) -> list[str]:
        """The event kinds asked for: any of them counts."""
        return [self.event_kind, *self.other_kinds] if self.event_kind else []

    def is_bare(self) -> bool:
        """No words of its own beyond cues, cities and a period ("いつ?", "<city>は?", "When?")."""
        own = [c for c in self.topic if c.start >= 0]
        return not own and not self.event_kind and not self.part and not self.category

    def understood(self, summary: str = "") -> dict:
        """How the question was read, for API responses."""
        slots = {"cities": self.cities, "excluded": self.excluded or None,
                 "period": self.period.iso if self.period else None,
                 "topic": [c.label for c in self.topic] or None, "event_kind": self.event_kind,
                 "direction": self.direction, "category": self.category, "part": self.part,
                 "scope": self.scope, "only": self.only, "precision": self.precision,
                 "modality": self.modality, "unit": self.unit}
        history = {k: v for k, v in (("city", self.cities if self.sources.get("cities") == "history" else None),
                                     ("topic", self.topic_from)) if v}
        return {"lang": self.lang, **({"script": self.script} if self.script else {}), "op": self.op, "answer_type": self.answer_type, "type": self.qtype,
                "slots": {k: v for k, v in slots.items() if v not in (None, [], "")},
                "sources": dict(self.sources), "summary": summary,
                "cities": self.cities, "period": slots["period"], "terms": [c.label for c in self.topic],
                "from_history": history}
