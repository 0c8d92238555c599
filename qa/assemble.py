"""Per-article analyses -> the files of one index version, exactly as a full build makes them.

What depends on the whole corpus is computed here from the articles' pieces, with array
operations so that a rebuild after a small edit costs little more than its writing:
the vocabulary (one for the three row sets; a term's number is its place in crc32 order),
the three BM25 row sets (passages, passages with their neighbours in the paragraph,
paragraphs with their section heading), the passages' columns (line offsets, article,
city, kind, paragraph row), and the stances of summary lines (which name the corpus's
cities).

Terms travel as numbers into a `TermTable` (the cache keeps it between builds), and the
articles' passages and facts as the bytes of their lines, so nothing is parsed or
encoded again for an article that did not change.
"""
from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Iterator

import numpy as np

from . import npyfile
from .article_pieces import AT, CITY, COUNT, FACT_LINE, FACT_PASSAGE, KIND, LINE, ROW, TERMS, Article
from .bm25 import Postings
from .corpus import Passage
from .facts import summary_stances
from .vocabulary import Vocabulary, hash_order, joined, json_string

@dataclass
class TermTable:
    """Numbered terms as one text: their JSON strings joined by ", " (a vocabulary file's inside)."""
    text: bytes             # (or a memoryview of them)
    ends: np.ndarray        # int64: where each term's JSON string ends in `text` (the next starts 2 later)
    hashes: np.ndarray      # uint32: crc32 of each JSON string, to find a term without a dict of all

    @classmethod
    def of(cls, encoded: list[bytes]) -> "TermTable":
        return cls(*joined(encoded))

    def __len__(self) -> int:
        return len(self.ends)

    @property
    def starts(self) -> np.ndarray:
        return np.r_[0, self.ends[:-1] + 2] if len(self.ends) else self.ends

    def numbers(self, encoded: list[bytes]) -> list[int | None]:
        """The number of each JSON-encoded term, None when the table lacks it."""
        wanted = {e: i for i, e in enumerate(encoded)}
        out: list[int | None] = [None] * len(encoded)
        hashes = np.fromiter(map(zlib.crc32, encoded), dtype=np.uint32, count=len(encoded))
        starts = self.starts
        buckets = (self.hashes & 0xFFFFF).astype(np.int64)       # a cheap first filter, then the bytes
        for n in np.flatnonzero(np.isin(buckets, (hashes & 0xFFFFF).astype(np.int64), kind="table")).tolist():
            i = wanted.get(bytes(self.text[starts[n]:self.ends[n]]))
            if i is not None:
                out[i] = n
        return out

    def extended(self, encoded: list[bytes]) -> "TermTable":
        if not encoded:
            return self
        more = TermTable.of(encoded)
        if not len(self):
            return more
        return TermTable(b", ".join([self.text, more.text]), np.r_[self.ends, more.ends + len(self.text) + 2],
                         np.r_[self.hashes, more.hashes])

    def picked(self, order: np.ndarray) -> "TermTable":
        """The table of the terms `order` names, in that order (copied by runs of consecutive numbers)."""
        if not len(order):
            return TermTable(b"", np.empty(0, np.int64), np.empty(0, np.uint32))
        breaks = np.flatnonzero(np.diff(order) != 1) + 1
        first, last = order[np.r_[0, breaks]], order[np.r_[breaks, len(order)] - 1]
        starts = self.starts
        text = b", ".join(self.text[a:b] for a, b in zip(starts[first].tolist(), self.ends[last].tolist()))
        lengths = self.ends[order] - starts[order]
        return TermTable(text, np.cumsum(lengths + 2) - 2, self.hashes[order])

    def string(self, number: int) -> bytes:
        """One term's JSON string."""
        return json_string(self.text, self.ends, number)


class Numbering:
    """Terms of freshly analysed articles numbered as the articles arrive (while others are
    still being analysed), then given the term table's numbers, new terms after the table's."""

    def __init__(self, table: TermTable):
        self.table = table
        self.number: dict[str, int] = {}              # a fresh term -> its place in order of arrival
        self.fresh: list[Article] = []

    def add(self, article: Article) -> None:
        """Number one fresh article's terms (its `ids` in order of arrival for now; `terms`, `local` let go)."""
        number, terms = self.number, article.terms
        new = [t for t in terms if t not in number]
        number.update(zip(new, range(len(number), len(number) + len(new))))
        article.ids = np.fromiter(map(number.__getitem__, terms), dtype=np.int64, count=len(terms))[article.local]
        article.terms = article.local = None
        self.fresh.append(article)

    def table_numbers(self) -> TermTable:
        """Every fresh article's `ids` moved to the table's numbers; the table with the new terms."""
        if not self.fresh:
            return self.table
        encoded = [encode_basestring(t).encode("utf-8") for t in self.number]
        found = self.table.numbers(encoded) if len(self.table) else [None] * len(encoded)
        new = [e for e, n in zip(encoded, found) if n is None]
        next_number = iter(range(len(self.table), len(self.table) + len(new)))
        final = np.fromiter((n if n is not None else next(next_number) for n in found), dtype=np.int64,
                            count=len(found))
        for a in self.fresh:
            a.ids = final[a.ids]
        self.fresh = []
        return self.table.extended(new)


def number_terms(articles: list[Article], table: TermTable) -> TermTable:
    """Number the terms of freshly analysed articles (those without `ids`) in `table`, adding the new ones."""
    numbering = Numbering(table)
    for a in articles:
        if a.ids is None:
            numbering.add(a)
    return numbering.table_numbers()


@dataclass
class Stream:
    """The corpus's terms in row order: passages' terms, and section-heading terms that open paragraph rows."""
    base: np.ndarray        # every passage's term numbers, passage after passage
    lengths: np.ndarray     # terms per passage
    rows: np.ndarray        # paragraph row of each passage
    n_rows: int
    heads: np.ndarray       # heading terms inserted, in order
    head_at: np.ndarray     # the passage each insert opens
    head_n: np.ndarray      # terms of each insert

    @classmethod
    def of(cls, articles: list[Article]) -> "Stream":
        info = np.concatenate([a.passage_info for a in articles])
        heads = np.concatenate([a.headings for a in articles])
        n_passages = np.fromiter((len(a.passage_info) for a in articles), dtype=np.int64, count=len(articles))
        n_heads = np.fromiter((len(a.headings) for a in articles), dtype=np.int64, count=len(articles))
        article = np.repeat(np.arange(len(articles)), n_passages)
        n_rows = np.zeros(len(articles), dtype=np.int64)
        np.maximum.at(n_rows, article, info[:, ROW] + 1)
        rows = info[:, ROW] + np.repeat(np.cumsum(n_rows) - n_rows, n_passages)
        head_at = heads[:, AT] + np.repeat(np.cumsum(n_passages) - n_passages, n_heads)
        own = np.bincount(article, weights=info[:, TERMS], minlength=len(articles)).astype(np.int64)
        inserted = np.bincount(np.repeat(np.arange(len(articles)), n_heads), weights=heads[:, COUNT],
                               minlength=len(articles)).astype(np.int64)
        is_base = np.repeat(np.tile([True, False], len(articles)), np.stack([own, inserted], 1).reshape(-1))
        full = np.concatenate([a.ids for a in articles])
        return cls(full[is_base], info[:, TERMS].copy(), rows, int(n_rows.sum()), full[~is_base],
                   head_at, heads[:, COUNT].copy())


def window_rows(base: Postings, stream: Stream) -> Postings:
    """Each passage with its neighbours in the same paragraph, from the passages' postings, in order.

    A posting (term, passage d) reaches rows d-1, d and d+1 (those in d's paragraph).  Each
    row is emitted once, by the first posting of its term that reaches it, with the sum of
    the term frequencies of the passages in its window; so rows come out in order, unsorted.
    `gap` is how far a posting's passage is from the previous posting's of the same term."""
    n = len(stream.lengths)
    prev_same = np.zeros(n + 3, dtype=bool)                # prev_same[d + 1]: passage d-1 is in d's paragraph
    prev_same[2:n + 1] = stream.rows[1:] == stream.rows[:-1]
    d = np.asarray(base.docs, dtype=np.int32)
    tf = np.asarray(base.tfs, dtype=np.uint32)
    far = np.int32(3)                                      # no window spans 3 passages' distance
    gap = np.empty(len(d), dtype=np.int32)
    gap[1:] = np.minimum(d[1:] - d[:-1], far)
    gap[base.offsets[:-1][np.diff(base.offsets) > 0]] = far            # a term's first posting
    gap_next, gap_next2 = np.r_[gap[1:], far], np.r_[gap[2:], far, far][:len(d)]
    tf_next, tf_next2 = np.r_[tf[1:], np.uint32(0)], np.r_[tf[2:], np.uint32(0), np.uint32(0)][:len(d)]
    joined_before, joined_after = prev_same[d + 1], prev_same[d + 2]   # d-1, d+1 in d's window
    after_next = prev_same[d + 3]                                     # d+2 in d+1's window
    emit = np.empty((len(d), 3), dtype=bool)
    emit[:, 0] = joined_before & (gap != 1) & ~((gap == 2) & prev_same[d])
    emit[:, 1] = ~((gap == 1) & joined_before)
    emit[:, 2] = joined_after
    next_is_near = gap_next == 1
    weight = np.empty((len(d), 3), dtype=np.uint32)
    weight[:, 0] = tf
    weight[:, 1] = tf + tf_next * (next_is_near & joined_after)
    weight[:, 2] = (tf + tf_next * (next_is_near | (after_next & (gap_next == 2)))
                    + tf_next2 * (after_next & next_is_near & (gap_next2 == 1)))
    rows = np.empty((len(d), 3), dtype=np.int32)
    rows[:, 0], rows[:, 1], rows[:, 2] = d - 1, d, d + 1
    emitted = np.r_[0, np.cumsum(emit[:, 0].astype(np.int64) + emit[:, 1] + emit[:, 2])]   # (faster than sum(axis=1))
    keep = emit.reshape(-1)
    doc_len = stream.lengths.copy()
    doc_len[1:] += np.where(prev_same[2:n + 1], stream.lengths[:-1], 0)
    doc_len[:-1] += np.where(prev_same[2:n + 1], stream.lengths[1:], 0)
    return Postings(emitted[base.offsets], rows.reshape(-1)[keep], weight.reshape(-1)[keep],
                    doc_len.astype(np.int32))


def paragraph_rows(base: Postings, stream: Stream, heads: np.ndarray) -> Postings:
    """Each paragraph row: its passages' terms and the heading terms that open it."""
    doc_len = (np.bincount(stream.rows, weights=stream.lengths, minlength=stream.n_rows)
               + np.bincount(stream.rows[stream.head_at], weights=stream.head_n, minlength=stream.n_rows))
    row = stream.rows[base.docs]                          # non-decreasing within a term
    starts = np.ones(len(row), dtype=bool)
    starts[1:] = row[1:] != row[:-1]
    starts[base.offsets[:-1][np.diff(base.offsets) > 0]] = True
    at = np.flatnonzero(starts)
    tfs = np.add.reduceat(base.tfs, at) if len(at) else base.tfs
    per_term = np.diff(np.r_[0, np.cumsum(starts, dtype=np.int64)][base.offsets])
    if not len(heads):
        return Postings(np.r_[0, np.cumsum(per_term)], row[at].astype(np.int32), tfs, doc_len.astype(np.int32))
    rows = max(stream.n_rows, 1)
    head_keys = heads * rows + np.repeat(stream.rows[stream.head_at], stream.head_n)
    keys = np.repeat(np.arange(len(per_term), dtype=np.int64), per_term) * rows + row[at]
    keys, tfs = insert_sorted(keys, tfs, head_keys)
    return Postings.of_keys(keys, tfs, rows, len(per_term), doc_len.astype(np.int64))


def insert_sorted(keys: np.ndarray, tfs: np.ndarray, more: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique keys with their counts, and a few more keys (each counting 1) merged in."""
    extra, counts = np.unique(more, return_counts=True)
    at = np.searchsorted(keys, extra)
    found = at < len(keys)
    found[found] = keys[at[found]] == extra[found]
    tfs = tfs.copy()
    np.add.at(tfs, at[found], counts[found].astype(tfs.dtype))
    return (np.insert(keys, at[~found], extra[~found]),
            np.insert(tfs, at[~found], counts[~found].astype(tfs.dtype)))


def article_facts(a: Article, cities: list[str]) -> tuple[list[bytes], int]:
    """An article's facts.jsonl lines, the stances of its summary lines in place, and their number."""
    if not a.summaries:
        return [a.facts], len(a.fact_info)
    ends = np.cumsum(a.fact_info[:, FACT_LINE]).tolist()
    owner = a.fact_info[:, FACT_PASSAGE].tolist()
    pieces, done, n = [], 0, len(a.fact_info)
    for i in a.summaries:
        stances = summary_stances(Passage(**json.loads(a.passage_line(i))), cities)
        upto = next((k for k, p in enumerate(owner) if p >= i), len(owner))   # facts of earlier passages
        start = ends[done - 1] if done else 0
        stop = ends[upto - 1] if upto else 0
        pieces.append(a.facts[start:stop])
        pieces += [(json.dumps(f.to_dict(), ensure_ascii=False) + "\n").encode("utf-8") for f in stances]
        done, n = upto, n + len(stances)
    pieces.append(a.facts[(ends[done - 1] if done else 0):])
    return pieces, n


@dataclass
class PassageColumns:
    """Per passage: where its passages.jsonl line starts, its article, city, kind and paragraph row."""
    starts: np.ndarray              # int64, passages + 1 (the last: the file's size)
    doc: np.ndarray                 # int32: its article's number in `docs`
    city: np.ndarray                # int32: its city's number in `cities`, -1 for none
    kind: np.ndarray                # int8: qa.article_pieces.KINDS
    paragraph: np.ndarray           # int32: its paragraph row (the para_ rows)
    docs: list[str]                 # every article's doc name, in order
    cities: list[str]               # the passages' cities, in order of first appearance

    FILES = ("starts", "doc", "city", "kind", "paragraph")

    def files(self) -> Iterator[tuple[str, list]]:
        for name in self.FILES:
            yield f"passage_{name}.npy", npyfile.pieces(getattr(self, name))
        yield "docs.json", [json.dumps(self.docs, ensure_ascii=False).encode("utf-8")]
        yield "cities.json", [json.dumps(self.cities, ensure_ascii=False).encode("utf-8")]


def passage_columns(articles: list[Article], stream: Stream) -> PassageColumns:
    info = np.concatenate([a.passage_info for a in articles])
    n_passages = np.fromiter((len(a.passage_info) for a in articles), dtype=np.int64, count=len(articles))
    cities = list(dict.fromkeys(c for a in articles for c in a.cities))
    number = {c: i for i, c in enumerate(cities)}
    local = [np.array([number[c] for c in a.cities] + [-1], dtype=np.int64) for a in articles]
    city = np.concatenate([m[a.passage_info[:, CITY]] for m, a in zip(local, articles)] or [np.empty(0, np.int64)])
    return PassageColumns(np.r_[0, np.cumsum(info[:, LINE])].astype(np.int64),
                          np.repeat(np.arange(len(articles), dtype=np.int32), n_passages),
                          city.astype(np.int32), info[:, KIND].astype(np.int8), stream.rows.astype(np.int32),
                          [a.doc for a in articles], cities)


@dataclass
class Assembled:
    passages: bytes                 # passages.jsonl
    facts: bytes                    # facts.jsonl
    vocab: Vocabulary               # every term (terms.json, term_ends.npy, term_hashes.npy)
    rows: dict[str, Postings]       # file prefix -> BM25 row set
    columns: PassageColumns
    counts: dict[str, int]
    table: TermTable                # every term, in the numbering of `ids` (the vocabulary's)
    ids: list[np.ndarray]           # each article's term numbers in `table` (for the cache)


def assemble(articles: list[Article], table: TermTable) -> Assembled:
    """The passages, facts, vocabulary and BM25 rows of a corpus, from its articles in order."""
    table = number_terms(articles, table)
    stream = Stream.of(articles)
    size = len(table)
    used = np.zeros(size, dtype=bool)
    used[stream.base] = True
    used[stream.heads] = True
    used = np.flatnonzero(used)                           # the terms of this corpus, in table order
    n_terms = len(used)
    order = used[hash_order(table.hashes[used], lambda i: table.string(int(used[i])))]   # the vocabulary's order
    number = np.full(size, -1, dtype=np.int64)            # table number -> the vocabulary's
    number[order] = np.arange(n_terms)
    picked = table.picked(order)
    base = Postings.of_rows(number[stream.base].astype(np.int32), stream.lengths, n_terms)
    rows = {"": base, "win_": window_rows(base, stream), "para_": paragraph_rows(base, stream, number[stream.heads])}
    cities = sorted({c for a in articles for c in a.cities}, key=len, reverse=True)
    facts = [article_facts(a, cities) for a in articles]
    counts = {"articles": len(articles), "passages": len(stream.lengths), "paragraphs": stream.n_rows,
              "facts": sum(n for _, n in facts), "terms": n_terms, "cities": len(cities)}
    return Assembled(b"".join(a.passages for a in articles), b"".join(p for pieces, _ in facts for p in pieces),
                     Vocabulary(picked.text, picked.ends, picked.hashes), rows, passage_columns(articles, stream),
                     counts, picked, [number[a.ids] for a in articles])
