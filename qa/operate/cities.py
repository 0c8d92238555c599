"""Questions about cities as wholes: a city's stance, cities side by side."""
from __future__ import annotations

from .. import gather
from ..article import Article, article_of, main_doc
from ..analysis import Analyzer
from ..cues import Cues, default_cues
from ..facts import Fact
from ..frame import Frame
from ..index import Index
from ..retrieve import Hit
from ..understand import beyond_start, informative
from .result import Result


def best_claim(city: str, words, index: Index, hits: list[Hit]) -> int | None:
    """The city's ranked claim that best fits the words (of equals, the one its section says first:
    such sections open with the city's line)."""
    claims = [h.number for h in hits if index.passages[h.number].kind == "claim" and index.passages[h.number].city == city]
    return max(claims, key=lambda n: (gather.passage_fit(words, index, n), -n), default=None)


def heading_of(city: str, index: Index) -> int | None:
    """The passage of the city's section heading (else of its first stance)."""
    own = gather.stances(index, city)
    if not own:
        return None
    return next((index.by_id[f.passage_id] for f in own if index.passages[index.by_id[f.passage_id]].kind == "heading"),
                index.by_id[own[0].passage_id])


def section_claims(city: str, index: Index) -> list[int]:
    """The sentences of the city's section, in order (from its heading to the next city's)."""
    start = heading_of(city, index)
    if start is None:
        return []
    out = []
    for n in range(start + 1, len(index.passages)):
        p = index.passages[n]
        if p.city != city or p.kind == "heading":
            break
        if p.kind == "claim":
            out.append(n)
    return out


def section_lead(city: str, index: Index) -> int | None:
    """The first sentence of the city's section, which such articles open with the city's line."""
    return next(iter(section_claims(city, index)), None)


def weak_claim(city: str, index: Index, hits: list[Hit], cues: Cues) -> int | None:
    """The city's sentence that says it is weak (late, strict, short of …): the best ranked, else the
    first of its section."""
    ranked = [h.number for h in hits if index.passages[h.number].city == city and index.passages[h.number].kind == "claim"]
    return next((n for n in ranked + section_claims(city, index)
                 if cues.says_weak(index.passages[n].text, index.passages[n].lang)), None)


def stated_claims(city: str, direction: str, index: Index, cues: Cues) -> list[int]:
    """The city's sentences that say in words, with no date of their own, that it was early (late)."""
    return [n for n in section_claims(city, index)
            if cues.states(direction, index.passages[n].text, index.passages[n].lang)
            and not any(f.kind == "event" for f in index.facts_of.of_number(n))]


def stated_extreme(frame: Frame, index: Index, cues: Cues) -> Result | None:
    """"Which city's policy was earliest (latest)?" said in words: the one city, of those asked, whose
    undated sentence says it was early (late) and holds most of the question's words; None for events
    ("the first summit"), which the dated facts answer."""
    if (frame.direction not in ("earliest", "latest") or frame.period or frame.event_kind
            or frame.category in ("event", "organisation") or (frame.answer_type != "city" and len(frame.cities) < 2)):
        return None
    asked = informative(frame.topic, index)
    if not asked:
        return None                                            # nothing asked about but the date: the facts
    words = beyond_start(asked, cues)                          # "started earliest": was early
    cities = frame.cities if len(frame.cities) >= 2 else [c for c in index.cities if c not in frame.excluded]
    best: dict[str, tuple[float, int]] = {}
    for city in cities:
        for n in stated_claims(city, frame.direction, index, cues):
            score = gather.passage_fit(words, index, n) if words else 1.0
            if score > best.get(city, (0.0, -1))[0]:
                best[city] = (score, n)
    top = max((s for s, _ in best.values()), default=0.0)
    winners = [c for c, (s, _) in best.items() if s == top]
    if top <= 0 or top < sum(w.weight for w in words) / 2 or len(winners) != 1:
        return None                                            # most of what is asked is not what it says
    return Result("city", cited=[best[winners[0]][1]], city=winners[0], cities=winners)


def article_lines(frame: Frame, index: Index, hits: list[Hit]) -> tuple[Article | None, list[str], list[Fact]]:
    """The best-ranked article (None for a corpus without one), its cities but those excluded, and each
    one's line (its first stance), in the article's order."""
    doc = main_doc(index, hits)
    art = article_of(index, doc) if doc else None
    cities = [c for c in (art.cities if art else index.cities) if c not in frame.excluded]
    return art, cities, [f for c in cities for f in gather.stances(index, c)[:1]]


def each_stance(frame: Frame, index: Index, hits: list[Hit]) -> Result | None:
    """"What is each city's stance?": every city's line (its section heading's), in the article's order."""
    _, _, facts = article_lines(frame, index, hits)
    if not facts:
        return None
    return Result("stances", facts=facts, cited=[index.by_id[f.passage_id] for f in facts],
                  cities=[f.city for f in facts])


def stance(frame: Frame, index: Index, hits: list[Hit], analyzer: Analyzer, cues: Cues | None = None) -> Result | None:
    """A city's stance (its section heading, the summary's clause) and its sentence that best
    fits the question's words; None without a city that has one.  Asked of each city, every city's."""
    if not frame.cities:
        return each_stance(frame, index, hits) if "across" in frame.cues else None
    city = frame.cities[0]
    own = gather.stances(index, city)
    if not own:
        return None
    heading = heading_of(city, index)
    words = informative(frame.topic, index)
    best = best_claim(city, words, index, hits)
    if "weakness" in frame.cues and (best is None or not gather.passage_fit(words, index, best)):
        best = weak_claim(city, index, hits, cues or default_cues()) or best     # no word of the article names it
    explains = frame.answer_type == "reason" or bool(frame.cues & {"character", "weakness"})   # a sentence first
    better = best is not None and (explains or gather.passage_fit(words, index, best) > gather.passage_fit(words, index, heading))
    cited = [best, heading] if better else [heading] + ([best] if best is not None else [])
    return Result("stance", facts=own, cited=cited, city=city, stance=[f.text for f in own])


def compare_on(frame: Frame, index: Index, hits: list[Hit]) -> Result | None:
    """Cities compared on the question's telling words ("how do X and Y differ on subsidies"): each city's
    sentence that best fits them, when every city has one."""
    words = informative(frame.topic, index)
    if not words:
        return None
    cited = []
    for city in frame.cities:
        best = best_claim(city, words, index, hits)
        if best is None or gather.passage_fit(words, index, best) <= 0:
            return None
        cited.append(best)
    return Result("compare_sentences", cited=cited, cities=[index.passages[n].city for n in cited])


def chosen_city(frame: Frame, index: Index, hits: list[Hit]) -> Result | None:
    """"Which of X, Y or Z launched …?": the one named city whose sentence holds the question's words
    best (None on a tie: then they are compared)."""
    words = informative(frame.topic, index)
    if frame.answer_type != "city" or not words or len(frame.cities) < 2:
        return None
    fits = []
    for city in frame.cities:
        best = best_claim(city, words, index, hits)
        fits.append((gather.passage_fit(words, index, best) if best is not None else 0.0, city, best))
    fits.sort(key=lambda x: -x[0])
    (top, city, best), runner_up = fits[0], fits[1][0]
    if top <= runner_up:
        return None
    return Result("city", cited=[best], city=city, cities=[city])


def compare(frame: Frame, index: Index, analyzer: Analyzer, hits: list[Hit] | None = None) -> Result:
    """Each city side by side: on the question's words, its sentence about them; else its
    stance, its best-matching number, its dated events.  Asked which one of them, the one."""
    chosen = chosen_city(frame, index, hits or [])
    if chosen:
        return chosen
    topical = compare_on(frame, index, hits or [])
    if topical:
        return topical
    if frame.cues & {"character", "stance"}:        # "how do their approaches differ": each city's opening line
        leads = [section_lead(city, index) for city in frame.cities]
        if all(n is not None for n in leads):
            return Result("compare_sentences", cited=leads, cities=list(frame.cities))
    facts, cited = [], []
    for city in frame.cities:
        own = index.facts_in.get(city, [])
        numbers = sorted((f for f in own if f.kind == "quantity"), key=lambda f: -gather.fit(frame.topic, f.text, analyzer))
        chosen = [f for f in own if f.kind == "stance"][:1] + numbers[:1] + [f for f in own if f.kind == "event"]
        facts += chosen
        cited += [index.by_id[f.passage_id] for f in chosen[:1]]
    return Result("compare", facts=facts, cited=cited, cities=list(frame.cities))
