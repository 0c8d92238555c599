"""Cues -> the frame's slots and its operation (the rules are written in the README)."""
from __future__ import annotations

from ..cues import Cues, CueMatch
from ..frame import BOTH_ENDS, Frame

NUMBERS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
           "ひと": 1, "ふた": 2, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "a single": 1}
CLAUSE_END = "、,，。.?？!！:：;；"
ASKERS = "何几幾第"


def number_of(word: str | None) -> int | None:
    if not word:
        return None
    return int(word) if word.isdigit() else NUMBERS.get(word.lower())


def apply_cues(frame: Frame, found: list[CueMatch], cues: Cues) -> set[str]:
    """Fill the frame's slots from the cues found; returns the operation cues seen."""
    types = [m for m in found if m.slot == "type"]
    if types:
        chosen = types[0] if frame.lang == "en" else types[-1]      # wh-word first in English, last in CJK
        if chosen.value == "quantity":                              # "补贴金额是多少": an amount, not a count
            chosen = next((m for m in types if m.value == "money"), chosen)
        frame.answer_type, frame.explicit_type, frame.type_at = chosen.value, True, chosen.start
        if chosen.value == "quantity":
            counter = next((c for c in (chosen.text, chosen.text.lstrip(ASKERS), chosen.text.split()[-1])
                            if c in cues.counters), None)
            frame.unit = counter if counter in cues.counters else None
    for slot in ("direction", "category", "part", "scope", "modality", "precision"):
        match = next((m for m in found if m.slot == slot and (slot, m.value) == ("category", "event")), None) \
            or next((m for m in found if m.slot == slot), None)     # "五个城市中的事件": events, among the cities
        if match:
            setattr(frame, slot, match.value)
            frame.sources[slot] = "question"
    if {m.value for m in found if m.slot == "direction"} >= {"earliest", "latest"}:
        frame.direction = BOTH_ENDS                                 # "最早…和最晚…", "the first and the last"
    only = next((m for m in found if m.slot == "only"), None)
    if only:
        frame.only = number_of(only.group)
    frame.refers = {m.value for m in found if m.slot == "refer"}
    frame.followup = any(m.slot == "followup" for m in found)
    frame.relative = next((m.value for m in found if m.slot == "relative"), None)
    return ({m.value for m in found if m.slot == "op"} | ({"which"} if any(m.slot == "which" for m in found) else set())
            | ({"across"} if any(m.slot == "across" for m in found) else set()))


def excluded_cities(found: list[CueMatch], cities: list[tuple[int, str]], text: str, lang: str) -> set[str]:
    """Cities inside an exclusion ("XとY以外", "除了X和Y", "apart from X and Y")."""
    out: set[str] = set()
    for cue in (m for m in found if m.slot == "exclude"):
        if lang == "ja":
            lo = max((i for i, c in enumerate(text[:cue.start]) if c in CLAUSE_END), default=-1)
            out |= {c for pos, c in cities if lo < pos < cue.start}
        else:
            hi = next((i for i in range(cue.end, len(text)) if text[i] in CLAUSE_END), len(text))
            out |= {c for pos, c in cities if cue.end <= pos < hi}
    return out


def decide_op(frame: Frame, ops: set[str], specific: bool, settled: bool = False) -> None:
    """The operation, from the cues and the frame's shape (rules in the README).  `specific`:
    the question has a telling topic word of its own.  A comparison with one city waits for
    the chat to name the other (`settled` once it cannot)."""
    topic = any(c.start >= 0 for c in frame.topic)
    if frame.answer_type == "person" and len(frame.cities) >= 2:
        frame.answer_type = "city"              # "<city A>和<city B>,谁…更早?": who of the cities named
    if frame.part in ("first_section", "last_section") and (frame.answer_type not in ("city", "sentence")
                                                             or frame.category == "event"):
        frame.direction = "earliest" if frame.part == "first_section" else "latest"
        frame.part = None                       # "最初に出てくる日付": the first date, not the first section
    if frame.category == "city" and frame.direction and "which" in ops and not frame.explicit_type:
        frame.answer_type = "city"              # "五個城市裡，哪一個…最大": one of the cities
    if frame.since and frame.cities and not specific and not frame.direction:
        frame.direction = "earliest"            # "When did <city> start?": its first event
    if "timeline" in ops:
        frame.op = "timeline"
    elif frame.direction or frame.only:
        frame.op = "superlative"
    elif frame.answer_type == "quantity" and frame.category in ("event", "city", "organisation"):
        frame.op = "count"
    elif "across" in ops and not frame.cities and (ops & {"stance", "character"} or frame.part == "summary"):
        frame.op = "stance"                     # "each city's stance": every city's line
    elif frame.part == "summary" and frame.cities:
        frame.op = "stance"                     # "<city>を一言で": the city's stance, not the article's
    elif frame.part in ("title", "summary", "country", "first_section", "last_section") or (frame.part == "topic" and not frame.cities and not specific):
        frame.op = "about_article"              # "what does the article say about <city>'s X" is a lookup
    elif frame.answer_type == "cities" or (frame.answer_type == "city" and not topic and not frame.period
                                           and not frame.event_kind and not frame.cities):
        frame.op, frame.answer_type = "list", "city"    # "which cities (does the article cover)?"
    elif "list" in ops and frame.answer_type in ("sentence", "name", "person", "city"):
        frame.op = "list"
        if frame.category == "city":
            frame.answer_type = "city"          # "all the cities but X": the cities themselves
    elif frame.category == "organisation" and frame.answer_type in ("sentence", "name"):
        frame.op = "list"
    elif (frame.category == "event" and frame.answer_type == "sentence" and (frame.period or not specific)
          and not frame.event_kind):
        frame.op = "timeline"                   # "What happened in 2016?": every event of the period
    elif frame.category == "event" and frame.answer_type == "sentence" and (frame.period or not specific):
        frame.op = "list"
    elif len(frame.cities) >= 2 or ("compare" in ops and frame.cities and not settled):
        frame.op = "compare"
    elif "stance" in ops or (ops & {"character", "weakness"} and frame.cities):
        frame.op = "stance"                     # "character"/"weakness": a city's, else the words are the topic
    elif frame.period and not topic and frame.answer_type == "sentence":
        frame.op = "timeline"
    elif frame.cities and not topic and not frame.period and not frame.explicit_type:
        frame.op = "stance"                     # "<city>は?": the city's stance
    elif "yes_no" in ops and not frame.explicit_type and "which" not in ops:
        frame.op = "yes_no"
    else:
        frame.op = "lookup"
    if "full_name" in ops and frame.op == "lookup":
        frame.answer_type = "name"              # "<part of a name>の正式名称は?": the name in full
    if frame.category == "organisation" and not frame.event_kind:
        frame.event_kind = "設立"                 # organisations are what was set up


def settle(frame: Frame) -> Frame:
    """A comparison left with one city is not one: read the question again without it."""
    if frame.op == "compare" and len(frame.cities) < 2:
        decide_op(frame, frame.cues - {"compare"}, frame.specific, settled=True)
    return frame
