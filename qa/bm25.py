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
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

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
        vocab: dict[str, int] = {}
        rows: list[list[tuple[int, int]]] = []      # per term: (doc, tf)
        doc_len: list[int] = []
        for d, tokens in enumerate(token_lists):
            doc_len.append(len(tokens))
            for term, tf in Counter(tokens).items():
                t = vocab.setdefault(term, len(vocab))
                if t == len(rows):
                    rows.append([])
                rows[t].append((d, tf))
        counts = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        flat = [p for r in rows for p in r]
        docs = np.fromiter((p[0] for p in flat), dtype=np.int32, count=len(flat))
        tfs = np.fromiter((p[1] for p in flat), dtype=np.float64, count=len(flat))
        return cls(vocab, offsets, docs, tfs, np.asarray(doc_len, dtype=np.int32), k1, b)

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
        import json
        (folder / f"{prefix}vocab.json").write_text(
            json.dumps(list(self.vocab), ensure_ascii=False), encoding="utf-8")
        for name, arr in zip(self.FILES, (self.offsets, self.docs, self.tfs.astype(np.uint32), self.doc_len)):
            np.save(folder / f"{prefix}{name}", arr, allow_pickle=False)

    @classmethod
    def load(cls, folder: Path, k1: float, b: float, prefix: str = "") -> "BM25Index":
        import json
        terms = json.loads((folder / f"{prefix}vocab.json").read_text(encoding="utf-8"))
        arrays = [np.load(folder / f"{prefix}{name}", allow_pickle=False) for name in cls.FILES]
        offsets, docs, tfs, doc_len = arrays
        if len(offsets) != len(terms) + 1 or offsets[-1] != len(docs) or len(tfs) != len(docs):
            raise ValueError("postings do not match the vocabulary")
        return cls({t: i for i, t in enumerate(terms)}, offsets, docs, tfs.astype(np.float64), doc_len, k1, b)

