"""BM25 over an inverted index: rank_bm25's `BM25Plus` scores, at the cost of the postings.

Variant, chosen for small corpora: rank_bm25's BM25Plus idf, log((N+1)/n), is positive for
every term, where BM25Okapi's log((N-n+0.5)/(n+0.5)) is 0 for a term in half the passages
and negative above (then floored to epsilon x the mean idf, which can rank a term in 60% of
the passages above one in 45%).  rank_bm25 adds BM25Plus's delta x idf to *every* passage,
a per-query constant that cannot change a ranking, so delta = 0 here keeps scores sparse:
0 means no term matched.  A query then touches only the postings of its own terms.
"""
from __future__ import annotations

from collections import Counter
from itertools import chain
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np

from . import npyfile
from .vocabulary import Vocabulary

K1 = 1.2
B = 0.75
DENSE_RATIO = 16        # scores add up postings in a dense row once they are over 1/16 of the rows (else sort them)


class RowTerms:
    """One row set's view of the vocabulary: the terms its rows hold (dict-like: `in`, `[]`, get, len, iteration)."""

    def __init__(self, vocab: Vocabulary, idf: np.ndarray, count: int):
        self.vocab, self.idf, self.count = vocab, idf, count

    def get(self, term: str, default=None):
        t = self.vocab.id(term)
        return t if t is not None and self.idf[t] > 0 else default

    def __contains__(self, term) -> bool:
        return isinstance(term, str) and self.get(term) is not None

    def __getitem__(self, term: str) -> int:
        t = self.get(term)
        if t is None:
            raise KeyError(term)
        return t

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[str]:
        return (t for t, _ in self.items())

    def items(self) -> Iterator[tuple[str, int]]:
        return ((t, i) for t, i in self.vocab.items() if self.idf[i] > 0)


@dataclass
class BM25Index:
    vocab: Vocabulary       # the index's terms (then, once made: the terms these rows hold, see RowTerms)
    offsets: np.ndarray     # int64, len V+1: postings of term t are [offsets[t], offsets[t+1])
    docs: np.ndarray        # int32, passage number of each posting
    tfs: np.ndarray         # unsigned int, term frequency of each posting
    doc_len: np.ndarray     # int32, tokens per passage
    k1: float = K1
    b: float = B

    def __post_init__(self) -> None:
        n = len(self.doc_len)
        self.avgdl = float(self.doc_len.sum()) / n if n else 0.0
        df = np.diff(self.offsets)
        held = df > 0
        self.idf = np.log((n + 1) / np.maximum(df, 1))      # log((N+1)/n), rank_bm25's BM25Plus
        self.idf[~held] = 0.0                               # a term of the other row sets only
        count = int(np.count_nonzero(held))
        if not count:
            self.idf = self.idf[:0]
        self.terms = self.vocab                             # the shared vocabulary
        self.vocab = RowTerms(self.terms, self.idf, count)  # the terms these rows hold
        avgdl = self.avgdl or 1.0
        self.norm = self.k1 * (1 - self.b + self.b * self.doc_len / avgdl)

    @property
    def size(self) -> int:
        return len(self.doc_len)

    # ------------------------------------------------------------ build
    @classmethod
    def build(cls, token_lists: Iterable[Sequence[str]], k1: float = K1, b: float = B) -> "BM25Index":
        """The index of token lists."""
        token_lists = list(token_lists)
        vocab = Vocabulary.of(set(chain.from_iterable(token_lists)))
        lengths = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(token_lists))
        ids = vocab.numbers(chain.from_iterable(token_lists))
        return cls.from_ids(ids, lengths, vocab, k1, b)

    @classmethod
    def from_ids(cls, ids: np.ndarray, lengths: np.ndarray, vocab: Vocabulary,
                 k1: float = K1, b: float = B) -> "BM25Index":
        """The index of rows given as term numbers of `vocab` (`lengths` per row)."""
        p = Postings.of_rows(ids, lengths, len(vocab))
        return cls(vocab, p.offsets, p.docs, p.tfs, p.doc_len, k1, b)

    # ------------------------------------------------------------ score
    def weights(self, t: int, a: int, z: int) -> np.ndarray:
        docs, tf = self.docs[a:z], self.tfs[a:z].astype(np.float64)
        return self.idf[t] * tf * (self.k1 + 1) / (self.norm[docs] + tf)

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(passages, contribution to their score) of one query term."""
        t = self.vocab.get(term)
        if t is None:
            return np.empty(0, np.int32), np.empty(0)
        a, z = int(self.offsets[t]), int(self.offsets[t + 1])
        return self.docs[a:z], self.weights(t, a, z)

    def df(self, term: str) -> int:
        """How many rows hold the term."""
        t = self.vocab.get(term)
        return 0 if t is None else int(self.offsets[t + 1] - self.offsets[t])

    def rows_of(self, term: str, common: bool = False) -> np.ndarray:
        """The rows that hold a term (a term in most rows, of no weight, only when `common`)."""
        t = self.terms.id(term) if common else self.vocab.get(term)
        return self.docs[self.offsets[t]:self.offsets[t + 1]] if t is not None else self.docs[:0]

    def has(self, term: str, row: int) -> bool:
        """Whether one row holds the term (binary search in its postings)."""
        t = self.vocab.get(term)
        if t is None:
            return False
        docs = self.docs[self.offsets[t]:self.offsets[t + 1]]
        i = int(docs.searchsorted(row))
        return i < len(docs) and int(docs[i]) == row

    def vocabulary_ids(self, query: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The numbers in the shared vocabulary of the query's terms, once each in query order,
        and their counts: looked up once for the row sets that share it (see `scores`)."""
        found = [(t, n) for t, n in ((self.terms.id(term), n) for term, n in Counter(query).items()) if t is not None]
        return (np.array([t for t, _ in found], dtype=np.int64), np.array([n for _, n in found], dtype=np.float64))

    def scores(self, query: Sequence[str] | tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """(passages with a score > 0, their scores); each query token counts once per occurrence.
        `query`: its terms, or what `vocabulary_ids` made of them (for row sets sharing the vocabulary).

        All postings of the query's terms are gathered and weighted in a few array
        operations, so the cost follows the number of postings, not the corpus size."""
        ids, mult = query if isinstance(query, tuple) else self.vocabulary_ids(query)
        if len(ids) and len(self.idf):
            held = self.idf[ids] > 0                        # the terms these rows hold
            ids, mult = ids[held], mult[held]
        if not len(ids) or not len(self.idf):
            return np.empty(0, np.int32), np.empty(0)
        starts, ends = self.offsets[ids].tolist(), self.offsets[ids + 1].tolist()
        docs = np.concatenate([self.docs[a:z] for a, z in zip(starts, ends)])
        tf = np.concatenate([self.tfs[a:z] for a, z in zip(starts, ends)]).astype(np.float64)
        weights = np.repeat(self.idf[ids] * mult, np.subtract(ends, starts))
        weights *= tf                                     # idf x tf x (k1 + 1) / (norm + tf), in place
        weights *= self.k1 + 1
        below = self.norm[docs]
        below += tf
        weights /= below
        if len(docs) * DENSE_RATIO >= self.size:         # many postings: add them up in one dense row
            dense = np.bincount(docs, weights=weights, minlength=self.size)
            uniq = np.flatnonzero(dense > 0).astype(docs.dtype)     # every weight is > 0 (idf > 0, tf >= 1)
            return uniq, dense[uniq]
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
        """The row set's arrays, and the vocabulary beside them."""
        self.terms.save(Path(folder))
        Postings(self.offsets, self.docs, self.tfs, self.doc_len).save(folder, prefix)

    @classmethod
    def load(cls, folder: Path, k1: float, b: float, prefix: str = "",
             vocab: Vocabulary | None = None) -> "BM25Index":
        """A row set as memory-mapped arrays (read-only, shared by every process that maps them)."""
        vocab = vocab or Vocabulary.load(Path(folder))
        offsets, docs, tfs, doc_len = (npyfile.mapped(Path(folder) / f"{prefix}{name}") for name in cls.FILES)
        if len(offsets) != len(vocab) + 1 or offsets[-1] != len(docs) or len(tfs) != len(docs):
            raise ValueError("postings do not match the vocabulary")
        return cls(vocab, offsets, docs, tfs, doc_len, k1, b)


def tf_type(tfs: np.ndarray) -> type:
    """uint8, uint16 or uint32: the smallest that holds every term frequency."""
    top = int(np.max(tfs)) if len(tfs) else 0
    return np.uint8 if top < 1 << 8 else np.uint16 if top < 1 << 16 else np.uint32


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
    """One BM25 row set as stored: the postings arrays (terms numbered by the index's vocabulary)."""
    offsets: np.ndarray     # int64, len V+1
    docs: np.ndarray        # int32, row of each posting, ascending within a term
    tfs: np.ndarray         # term frequency of each posting
    doc_len: np.ndarray     # int32, terms per row

    @classmethod
    def of_rows(cls, ids: np.ndarray, lengths: np.ndarray, n_terms: int) -> "Postings":
        """Postings of rows given as term numbers, `lengths[r]` numbers for row r."""
        order = stable_order(np.asarray(ids), n_terms)
        terms = np.asarray(ids)[order]
        rows = np.repeat(np.arange(len(lengths), dtype=np.int32), lengths)[order]
        del order
        new = np.r_[len(terms) > 0, (terms[1:] != terms[:-1]) | (rows[1:] != rows[:-1])]
        starts = np.flatnonzero(new)
        offsets = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(np.bincount(terms[starts], minlength=n_terms), out=offsets[1:])
        return cls(offsets, rows[starts], np.diff(np.r_[starts, len(terms)]).astype(np.uint32),
                   np.asarray(lengths, dtype=np.int32))

    @classmethod
    def of_keys(cls, keys: np.ndarray, tfs: np.ndarray, rows: int, n_terms: int, doc_len: np.ndarray) -> "Postings":
        """Postings from sorted unique keys `term * rows + row` and their term frequencies."""
        term_of = keys // rows
        offsets = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(np.bincount(term_of, minlength=n_terms), out=offsets[1:])
        return cls(offsets, (keys - term_of * rows).astype(np.int32), tfs,
                   np.asarray(doc_len, dtype=np.int32))

    def files(self, prefix: str = "") -> Iterator[tuple[str, list]]:
        """(file name, content as bytes-like pieces): the arrays as .npy, term frequencies in the
        smallest unsigned type that holds them."""
        tfs = np.asarray(self.tfs, dtype=tf_type(self.tfs))          # no copy when they already are
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
