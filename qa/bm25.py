"""BM25 over an inverted index: rank_bm25's `BM25Plus` scores, at the cost of the postings.

Variant, chosen for small corpora: rank_bm25's BM25Plus idf, log((N+1)/n), is positive for
every term, where BM25Okapi's log((N-n+0.5)/(n+0.5)) is 0 for a term in half the passages
and negative above (then floored to epsilon x the mean idf, which can rank a term in 60% of
the passages above one in 45%).  rank_bm25 adds BM25Plus's delta x idf to *every* passage,
a per-query constant that cannot change a ranking, so delta = 0 here keeps scores sparse:
0 means no term matched.  A query then touches only the postings of its own terms.
"""
from __future__ import annotations

import json
from collections import Counter
from itertools import chain
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np

from . import npyfile

K1 = 1.2
B = 0.75


@dataclass
class BM25Index:
    vocab: dict[str, int]
    offsets: np.ndarray     # int64, len V+1: postings of term t are [offsets[t], offsets[t+1])
    docs: np.ndarray        # int32, passage number of each posting
    tfs: np.ndarray         # float64, term frequency of each posting
    doc_len: np.ndarray     # int32, tokens per passage
    k1: float = K1
    b: float = B

    def __post_init__(self) -> None:
        n = len(self.doc_len)
        self.avgdl = float(self.doc_len.sum()) / n if n else 0.0
        df = np.diff(self.offsets)
        self.idf = np.log((n + 1) / np.maximum(df, 1))
        avgdl = self.avgdl or 1.0
        self.norm = self.k1 * (1 - self.b + self.b * self.doc_len / avgdl)

    @property
    def size(self) -> int:
        return len(self.doc_len)

    # ------------------------------------------------------------ build
    @classmethod
    def build(cls, token_lists: Iterable[Sequence[str]], k1: float = K1, b: float = B) -> "BM25Index":
        """The index of token lists; terms numbered in order of first appearance."""
        token_lists = list(token_lists)
        terms = list(dict.fromkeys(chain.from_iterable(token_lists)))
        number = {t: i for i, t in enumerate(terms)}
        lengths = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(token_lists))
        ids = np.fromiter(map(number.__getitem__, chain.from_iterable(token_lists)), dtype=np.int64,
                          count=int(lengths.sum()))
        return cls.from_ids(ids, lengths, terms, k1, b)

    @classmethod
    def from_ids(cls, ids: np.ndarray, lengths: np.ndarray, terms: list[str],
                 k1: float = K1, b: float = B) -> "BM25Index":
        """The index of rows given as term numbers (`lengths` per row), numbered by first appearance."""
        p = Postings.of_rows(ids, lengths, len(terms))
        return cls({t: i for i, t in enumerate(terms)}, p.offsets, p.docs, p.tfs.astype(np.float64),
                   p.doc_len, k1, b)

    # ------------------------------------------------------------ score
    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(passages, contribution to their score) of one query term."""
        t = self.vocab.get(term)
        if t is None:
            return np.empty(0, np.int32), np.empty(0)
        a, z = self.offsets[t], self.offsets[t + 1]
        docs, tf = self.docs[a:z], self.tfs[a:z]
        return docs, self.idf[t] * tf * (self.k1 + 1) / (self.norm[docs] + tf)

    def df(self, term: str) -> int:
        """How many rows hold the term."""
        t = self.vocab.get(term)
        return 0 if t is None else int(self.offsets[t + 1] - self.offsets[t])

    def rows_of(self, term: str) -> np.ndarray:
        """The rows that hold a term."""
        t = self.vocab.get(term)
        return self.docs[self.offsets[t]:self.offsets[t + 1]] if t is not None else self.docs[:0]

    def has(self, term: str, row: int) -> bool:
        """Whether one row holds the term (binary search in its postings)."""
        t = self.vocab.get(term)
        if t is None:
            return False
        docs = self.docs[self.offsets[t]:self.offsets[t + 1]]
        i = int(np.searchsorted(docs, row))
        return i < len(docs) and int(docs[i]) == row

    def scores(self, query: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(passages with a score > 0, their scores); each query token counts once per occurrence.

        All postings of the query's terms are gathered and weighted in a few array
        operations, so the cost follows the number of postings, not the corpus size."""
        counts = Counter(t for t in query if t in self.vocab)
        if not counts:
            return np.empty(0, np.int32), np.empty(0)
        ids = np.fromiter((self.vocab[t] for t in counts), dtype=np.int64, count=len(counts))
        mult = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        starts, lens = self.offsets[ids], self.offsets[ids + 1] - self.offsets[ids]
        shift = np.repeat(starts - (np.cumsum(lens) - lens), lens)
        pos = np.arange(int(lens.sum())) + shift
        docs, tf = self.docs[pos], self.tfs[pos]
        weights = np.repeat(self.idf[ids] * mult, lens) * tf * (self.k1 + 1) / (self.norm[docs] + tf)
        uniq, inverse = np.unique(docs, return_inverse=True)
        return uniq, np.bincount(inverse, weights=weights, minlength=len(uniq))

    def top(self, query: Sequence[str], k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The k best passages as (passage number, score), best first; ties by passage order."""
        docs, scores = self.scores(query)
        if allowed is not None and len(docs):
            keep = allowed[docs]
            docs, scores = docs[keep], scores[keep]
        if len(docs) > k:
            part = np.argpartition(-scores, k - 1)[:k]
            cut = scores[part].min()
            part = np.nonzero(scores >= cut)[0]          # keep every tie at the cut
            docs, scores = docs[part], scores[part]
        order = np.lexsort((docs, -scores))[:k]
        return [(int(docs[i]), float(scores[i])) for i in order]

    def dense_scores(self, query: Sequence[str]) -> np.ndarray:
        """Scores of every passage (0 where nothing matched), for comparison with rank_bm25."""
        out = np.zeros(self.size)
        docs, scores = self.scores(query)
        out[docs] = scores
        return out

    # ------------------------------------------------------------ files
    FILES = ("bm25_offsets.npy", "bm25_docs.npy", "bm25_tfs.npy", "bm25_doc_len.npy")

    def save(self, folder: Path, prefix: str = "") -> None:
        Postings(json.dumps(list(self.vocab), ensure_ascii=False).encode("utf-8"), self.offsets, self.docs,
                 self.tfs, self.doc_len).save(folder, prefix)

    @classmethod
    def load(cls, folder: Path, k1: float, b: float, prefix: str = "") -> "BM25Index":
        terms = json.loads((folder / f"{prefix}vocab.json").read_text(encoding="utf-8"))
        arrays = [np.load(folder / f"{prefix}{name}", allow_pickle=False) for name in cls.FILES]
        offsets, docs, tfs, doc_len = arrays
        if len(offsets) != len(terms) + 1 or offsets[-1] != len(docs) or len(tfs) != len(docs):
            raise ValueError("postings do not match the vocabulary")
        return cls({t: i for i, t in enumerate(terms)}, offsets, docs, tfs.astype(np.float64), doc_len, k1, b)


def stable_order(values: np.ndarray, bound: int) -> np.ndarray:
    """The order that sorts non-negative integers below `bound`, equal ones kept in place (radix)."""
    if bound > 1 << 32:
        return np.argsort(values, kind="stable")
    order = np.argsort((values & 0xFFFF).astype(np.uint16), kind="stable")   # numpy's radix sort
    if bound > 1 << 16:
        order = order[np.argsort((values[order] >> 16).astype(np.uint16), kind="stable")]
    return order


@dataclass
class Postings:
    """One BM25 row set as stored: the vocabulary (as its JSON text) and the postings arrays."""
    vocab_json: bytes       # the vocabulary file: a JSON list of the terms, in number order
    offsets: np.ndarray     # int64, len V+1
    docs: np.ndarray        # int32, row of each posting, ascending within a term
    tfs: np.ndarray         # term frequency of each posting
    doc_len: np.ndarray     # int32, terms per row

    @classmethod
    def of_rows(cls, ids: np.ndarray, lengths: np.ndarray, n_terms: int, vocab_json: bytes = b"") -> "Postings":
        """Postings of rows given as term numbers, `lengths[r]` numbers for row r."""
        order = stable_order(np.asarray(ids), n_terms)
        terms = np.asarray(ids)[order]
        rows = np.repeat(np.arange(len(lengths), dtype=np.int32), lengths)[order]
        del order
        new = np.r_[len(terms) > 0, (terms[1:] != terms[:-1]) | (rows[1:] != rows[:-1])]
        starts = np.flatnonzero(new)
        offsets = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(np.bincount(terms[starts], minlength=n_terms), out=offsets[1:])
        return cls(vocab_json, offsets, rows[starts], np.diff(np.r_[starts, len(terms)]).astype(np.uint32),
                   np.asarray(lengths, dtype=np.int32))

    @classmethod
    def of_keys(cls, keys: np.ndarray, tfs: np.ndarray, rows: int, n_terms: int, doc_len: np.ndarray,
                vocab_json: bytes = b"") -> "Postings":
        """Postings from sorted unique keys `term * rows + row` and their term frequencies."""
        term_of = keys // rows
        offsets = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(np.bincount(term_of, minlength=n_terms), out=offsets[1:])
        return cls(vocab_json, offsets, (keys - term_of * rows).astype(np.int32), tfs,
                   np.asarray(doc_len, dtype=np.int32))

    def files(self, prefix: str = "") -> Iterator[tuple[str, list]]:
        """(file name, content as bytes-like pieces): the vocabulary as JSON, the arrays as .npy."""
        yield f"{prefix}vocab.json", [self.vocab_json]
        tfs = np.asarray(self.tfs, dtype=np.uint32)         # no copy when they already are
        for name, arr in zip(BM25Index.FILES, (self.offsets, self.docs, tfs, self.doc_len)):
            yield f"{prefix}{name}", npyfile.pieces(arr)

    def save(self, folder: Path, prefix: str = "") -> None:
        for name, content in self.files(prefix):
            npyfile.write(folder / name, content)

    def problem(self, n_terms: int) -> str | None:
        """Why these arrays are not a consistent row set of `n_terms` terms, or None."""
        rows = len(self.doc_len)
        if len(self.offsets) != n_terms + 1 or self.offsets[0] != 0 or self.offsets[-1] != len(self.docs):
            return "postings do not match the vocabulary"
        if len(self.tfs) != len(self.docs) or np.any(np.diff(self.offsets) < 0):
            return "postings are out of order"
        if len(self.docs) and (self.docs.min() < 0 or self.docs.max() >= rows or self.tfs.min() < 1):
            return "postings point outside the rows"
        return None
