"""The passages of a loaded index, read from its files on demand (no Python object per passage).

An index version keeps its passages as `passages.jsonl` and a few columns beside it
(`passage_starts.npy`: where each line starts; `passage_doc`, `passage_city`,
`passage_kind`, `passage_paragraph`), all memory-mapped: every worker shares the same
pages, and a page is read from disk only when a request touches it.  `index.passages[n]`
is a small handle: its article, city, kind and id come from the columns; its text, section
and language from its JSON line, parsed when first asked for (the last few thousand
parsed passages are kept).  Facts are few beside passages and stay Python objects; they
are found by passage through arrays (`FactsOf`), not a dict keyed by passage.
"""
from __future__ import annotations

import json
import mmap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Iterator

import numpy as np

from . import npyfile
from .article_pieces import KINDS
from .corpus import Passage
from .facts import Fact

PARSED_KEPT = 4096           # parsed passages kept per process
MASKS_KEPT = 64              # city masks kept per index


class PassageStore(Sequence):
    """The passages of one index version: a sequence of `PassageRef`."""

    def __init__(self, folder: Path):
        folder = Path(folder)
        self.starts = npyfile.mapped(folder / "passage_starts.npy")
        self.doc = npyfile.mapped(folder / "passage_doc.npy")
        self.city = npyfile.mapped(folder / "passage_city.npy")
        self.kind = npyfile.mapped(folder / "passage_kind.npy")
        self.paragraph = npyfile.mapped(folder / "passage_paragraph.npy")
        self.docs: list[str] = json.loads((folder / "docs.json").read_text(encoding="utf-8"))
        self.cities: list[str] = json.loads((folder / "cities.json").read_text(encoding="utf-8"))
        n = len(self.doc)
        if (len(self.starts) != n + 1 or len(self.city) != n or len(self.kind) != n or len(self.paragraph) != n
                or (n and (self.doc.min() < 0 or self.doc.max() >= len(self.docs) or np.any(np.diff(self.doc) < 0)
                           or self.city.max() >= len(self.cities) or self.kind.min() < 0
                           or self.kind.max() >= len(KINDS)))):
            raise ValueError("the passage columns do not match")
        with open(folder / "passages.jsonl", "rb") as f:
            size = f.seek(0, 2)
            self.text = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        if n and int(self.starts[-1]) != len(self.text):
            raise ValueError("passages.jsonl does not match its line offsets")
        self.doc_number = {d: i for i, d in enumerate(self.docs)}
        self.doc_first = np.searchsorted(self.doc, np.arange(len(self.docs) + 1)).astype(np.int64)
        self.city_number = {c: i for i, c in enumerate(self.cities)}
        self._parsed: dict[int, Passage] = {}

    def __len__(self) -> int:
        return len(self.doc)

    def __getitem__(self, n):
        if isinstance(n, slice):
            return [PassageRef(self, i) for i in range(*n.indices(len(self)))]
        n = int(n)
        if n < 0:
            n += len(self)
        if not 0 <= n < len(self):
            raise IndexError("passage number out of range")
        return PassageRef(self, n)

    def __iter__(self) -> Iterator["PassageRef"]:
        return (PassageRef(self, n) for n in range(len(self)))

    # ------------------------------------------------------------ columns
    def doc_of(self, n: int) -> str:
        return self.docs[self.doc[n]]

    def city_of(self, n: int) -> str | None:
        c = int(self.city[n])
        return self.cities[c] if c >= 0 else None

    def kind_of(self, n: int) -> str:
        return KINDS[self.kind[n]]

    def id_of(self, n: int) -> str:
        """"<doc>:<its place in the article, from 1, 4 digits at least>" (qa.corpus numbers them so)."""
        d = int(self.doc[n])
        return f"{self.docs[d]}:{n - int(self.doc_first[d]) + 1:04d}"

    def number_of(self, passage_id: str) -> int | None:
        """The passage number of an id, None when no passage has it."""
        doc, sep, local = str(passage_id).rpartition(":")
        d = self.doc_number.get(doc)
        if not sep or d is None or not local.isascii() or not local.isdigit():
            return None
        n = int(self.doc_first[d]) + int(local) - 1
        return n if int(self.doc_first[d]) <= n < int(self.doc_first[d + 1]) and self.id_of(n) == passage_id else None

    def doc_ranges(self) -> dict[str, tuple[int, int]]:
        """Each article with passages: its [first, last] passage numbers."""
        first, end = self.doc_first[:-1].tolist(), self.doc_first[1:].tolist()
        return {d: (a, z - 1) for d, a, z in zip(self.docs, first, end) if z > a}

    # ------------------------------------------------------------ lines
    def line(self, n: int) -> bytes:
        return self.text[int(self.starts[n]):int(self.starts[n + 1])]

    def passage(self, n: int) -> Passage:
        """Passage n, parsed from its line (kept while among the last few thousand parsed)."""
        p = self._parsed.get(n)
        if p is None:
            p = Passage(**json.loads(self.line(n)))
            if len(self._parsed) >= PARSED_KEPT:
                self._parsed = {}
            self._parsed[n] = p
        return p


class PassageRef:
    """Passage n of a store: what the columns hold is read from them, the rest from its line."""

    __slots__ = ("store", "number")

    def __init__(self, store: PassageStore, number: int):
        self.store, self.number = store, number

    id = property(lambda self: self.store.id_of(self.number))
    doc = property(lambda self: self.store.doc_of(self.number))
    city = property(lambda self: self.store.city_of(self.number))
    kind = property(lambda self: self.store.kind_of(self.number))
    text = property(lambda self: self.store.passage(self.number).text)
    section = property(lambda self: self.store.passage(self.number).section)
    lang = property(lambda self: self.store.passage(self.number).lang)
    paragraph = property(lambda self: self.store.passage(self.number).paragraph)

    def to_dict(self) -> dict:
        return self.store.passage(self.number).to_dict()

    def __eq__(self, other) -> bool:
        if isinstance(other, PassageRef):
            return self.to_dict() == other.to_dict()
        return isinstance(other, Passage) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(self.store.passage(self.number))

    def __repr__(self) -> str:
        return f"PassageRef({self.number}, {self.store.passage(self.number)!r})"


class ById(Mapping):
    """Passage id -> passage number, computed from the columns (no dict of every id)."""

    def __init__(self, store: PassageStore):
        self.store = store

    def __getitem__(self, passage_id: str) -> int:
        n = self.store.number_of(passage_id)
        if n is None:
            raise KeyError(passage_id)
        return n

    def __len__(self) -> int:
        return len(self.store)

    def __iter__(self) -> Iterator[str]:
        return (self.store.id_of(n) for n in range(len(self.store)))


class CityMasks(Mapping):
    """City -> boolean mask of its passages, made when first asked for (the last few kept)."""

    def __init__(self, store: PassageStore):
        self.store = store
        self._made: dict[str, np.ndarray] = {}

    def __getitem__(self, city: str) -> np.ndarray:
        mask = self._made.get(city)
        if mask is None:
            c = self.store.city_number[city]            # KeyError for a city the corpus lacks
            mask = np.asarray(self.store.city) == c
            if len(self._made) >= MASKS_KEPT:
                self._made = {}
            self._made[city] = mask
        return mask

    def __contains__(self, city) -> bool:
        return city in self.store.city_number

    def __len__(self) -> int:
        return len(self.store.cities)

    def __iter__(self) -> Iterator[str]:
        return iter(self.store.cities)


class FactsOf(Mapping):
    """Passage id -> its facts (in facts.jsonl order), through arrays: facts sorted by passage."""

    def __init__(self, store: PassageStore, facts: list[Fact], numbers: np.ndarray):
        self.store, self.facts = store, facts
        self.order = np.argsort(numbers, kind="stable").astype(np.int32)
        self.first = np.searchsorted(numbers[self.order], np.arange(len(store) + 1)).astype(np.int64)

    def of_number(self, n: int) -> list[Fact]:
        a, z = int(self.first[n]), int(self.first[n + 1])
        return [self.facts[i] for i in self.order[a:z].tolist()] if z > a else []

    def __getitem__(self, passage_id: str) -> list[Fact]:
        n = self.store.number_of(passage_id)
        if n is None or self.first[n + 1] == self.first[n]:
            raise KeyError(passage_id)
        return self.of_number(n)

    def get(self, passage_id: str, default=None):
        n = self.store.number_of(passage_id)
        if n is None or self.first[n + 1] == self.first[n]:
            return default
        return self.of_number(n)

    def __len__(self) -> int:
        return int(np.count_nonzero(np.diff(self.first)))

    def __iter__(self) -> Iterator[str]:
        return (self.store.id_of(n) for n in np.flatnonzero(np.diff(self.first)).tolist())
