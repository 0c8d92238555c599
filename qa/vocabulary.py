"""An index's vocabulary: its terms numbered in the order of their crc32, in three files.

    terms.json       every term, as one JSON list in number order
    term_ends.npy    int64: where each term's JSON string ends in the list's body
    term_hashes.npy  uint32: the crc32 of each term's JSON string, ascending

A term's number is its place when the terms are sorted by that crc32 (the JSON strings
themselves break the rare ties), so numbering a corpus's terms is a sort of 32-bit keys
that the analysis cache already holds, not the construction of a trie; a rebuild after an
edit pays a sort, whatever the edit added.  A lookup hashes the term, finds the hash by
binary search and compares the JSON strings with that hash: exact.  The three files are
memory-mapped: every worker shares their pages.
"""
from __future__ import annotations

import json
import mmap
import zlib
from json.encoder import encode_basestring
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from . import npyfile

FILES = ("terms.json", "term_ends.npy", "term_hashes.npy")
LOOKUPS_KEPT = 1 << 16      # terms looked up kept per process (a dict beside the arrays)


def encoded(term: str) -> bytes:
    """A term's JSON string (quotes included), as the files hold it."""
    return encode_basestring(term).encode("utf-8")


def joined(strings: list[bytes]) -> tuple[bytes, np.ndarray, np.ndarray]:
    """JSON strings as one list body ("a", "b", ...), where each ends in it, and their crc32."""
    lengths = np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))
    return (b", ".join(strings), np.cumsum(lengths + 2) - 2,
            np.fromiter(map(zlib.crc32, strings), dtype=np.uint32, count=len(strings)))


def json_string(text, ends: np.ndarray, number: int) -> bytes:
    """The JSON string `number` of a list body `text` whose strings end at `ends`."""
    start = int(ends[number - 1]) + 2 if number else 0
    return bytes(text[start:int(ends[number])])


def hash_order(hashes: np.ndarray, string: "callable") -> np.ndarray:
    """The order that sorts items by (hash, JSON string): `string(i)` gives item i's bytes."""
    order = np.argsort(hashes, kind="stable")
    ordered = hashes[order]
    ties = np.flatnonzero(ordered[1:] == ordered[:-1])
    if len(ties):
        starts = ties[np.r_[True, np.diff(ties) > 1]]               # first of each run of equal hashes
        for start in starts.tolist():
            end = start + 1
            while end < len(ordered) and ordered[end] == ordered[start]:
                end += 1
            order[start:end] = sorted(order[start:end].tolist(), key=string)
    return order


class Vocabulary:
    """Every term of an index, one numbering for the three row sets (see the module's doc)."""

    def __init__(self, text, ends: np.ndarray, hashes: np.ndarray, keep=None):
        self.text = text                    # the JSON list's body: "a", "b", ... (bytes or a memoryview)
        self.ends = ends
        self.hashes = hashes
        self._keep = keep                   # the mapping `text` is a view of
        self._ids: dict[str, int | None] = {}

    @classmethod
    def of(cls, terms: Iterable[str]) -> "Vocabulary":
        return cls(*joined(sorted({encoded(t) for t in terms}, key=lambda e: (zlib.crc32(e), e))))

    @classmethod
    def load(cls, folder: Path) -> "Vocabulary":
        folder = Path(folder)
        with open(folder / FILES[0], "rb") as f:
            mapping = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        view = memoryview(mapping)
        if len(view) < 2 or view[:1] != b"[" or view[-1:] != b"]":
            raise ValueError(f"{FILES[0]} is not a JSON list")
        ends, hashes = npyfile.mapped(folder / FILES[1]), npyfile.mapped(folder / FILES[2])
        if len(ends) != len(hashes) or (len(ends) and ends[-1] != len(view) - 2):
            raise ValueError("the vocabulary's files do not match")
        return cls(view[1:-1], ends, hashes, mapping)

    def files(self) -> Iterator[tuple[str, list]]:
        yield FILES[0], [b"[", self.text, b"]"]
        yield FILES[1], npyfile.pieces(np.asarray(self.ends, dtype=np.int64))
        yield FILES[2], npyfile.pieces(np.asarray(self.hashes, dtype=np.uint32))

    def save(self, folder: Path) -> None:
        for name, content in self.files():
            npyfile.write(Path(folder) / name, content)

    def __len__(self) -> int:
        return len(self.hashes)

    def string(self, number: int) -> bytes:
        return json_string(self.text, self.ends, number)

    def id(self, term: str) -> int | None:
        """The term's number, None when the index lacks it."""
        try:
            return self._ids[term]
        except KeyError:
            pass
        e = encoded(term)
        h = zlib.crc32(e)
        i = int(self.hashes.searchsorted(np.uint32(h)))     # a Python int would cast every hash to int64 first
        found = None
        while i < len(self.hashes) and self.hashes[i] == h:
            if self.string(i) == e:
                found = i
                break
            i += 1
        if len(self._ids) >= LOOKUPS_KEPT:
            self._ids = {}
        self._ids[term] = found
        return found

    def numbers(self, terms: Iterable[str]) -> np.ndarray:
        """The number of each term (all in the vocabulary), as int64."""
        return np.array([self.id(t) for t in terms], dtype=np.int64)

    def term(self, number: int) -> str:
        return json.loads(self.string(number))

    def items(self) -> Iterator[tuple[str, int]]:
        """Every (term, number), in number order."""
        return ((t, i) for i, t in enumerate(json.loads(b"".join([b"[", bytes(self.text), b"]"]))))
