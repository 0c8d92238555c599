"""The analysis cache of an index folder: the last build's articles, reused while unchanged.

    <index>/cache/state.json           format, settings key, the snapshot's files and their sha256,
                                       the data files' stats and sha256 (read again only when changed)
                  <kind>-<tag>.<ext>   the snapshot: articles.json (doc, content hash, counts, cities),
                                       passages/facts .jsonl (their lines), passage_info, fact_info,
                                       headings, ids .npy (numbers), terms.json (a JSON list),
                                       term_ends, term_hashes .npy (the term table the ids number into)

An article is reused when its file stem and content hash match and the settings key
(analyser versions, lexicon, glossary cities, code) is unchanged.  A cache that is
missing, damaged or made with other settings is ignored (everything is analysed again),
never an error.  Each build replaces it with a snapshot of its own articles, so it holds
one corpus at most.  JSON, JSONL and .npy files only (no pickle).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import npyfile
from .article_pieces import COUNT, LINE, PASSAGE_COLUMNS, TERMS, Article
from .assemble import TermTable

FORMAT = 3
STATE = "state.json"
ARRAYS = ("passage_info", "fact_info", "headings", "ids", "term_ends", "term_hashes")
FILES = {"articles": "json", "passages": "jsonl", "facts": "jsonl", "terms": "json", **{k: "npy" for k in ARRAYS}}
log = logging.getLogger("qa.cache")


@dataclass
class Cache:
    table: TermTable = field(default_factory=lambda: TermTable.of([]))
    articles: dict[tuple[str, str], Article] = field(default_factory=dict)   # (doc, sha256) -> article

    def get(self, doc: str, sha256: str) -> Article | None:
        return self.articles.get((doc, sha256))


def read_checked(folder: Path, state: dict) -> dict[str, bytes]:
    """The snapshot's files, each checked against its recorded sha256."""
    out = {}
    for kind in FILES:
        raw = (folder / Path(state["files"][kind]).name).read_bytes()
        if hashlib.sha256(raw).hexdigest() != state["sha256"][kind]:
            raise ValueError(f"{state['files'][kind]} is damaged")
        out[kind] = raw
    return out


def ranges(counts: np.ndarray) -> np.ndarray:
    """[start, end) of consecutive pieces of these sizes."""
    ends = np.cumsum(counts)
    return np.stack([ends - counts, ends], axis=1)


def total(pieces: np.ndarray) -> int:
    return int(pieces[-1, 1]) if len(pieces) else 0


def parse(raw: dict[str, bytes]) -> Cache:
    arrays = {k: npyfile.view(raw[k]) for k in ARRAYS}
    terms = memoryview(raw["terms"])[1:-1]                 # the JSON list of the terms, brackets off
    table = TermTable(terms, arrays["term_ends"].astype(np.int64), arrays["term_hashes"].astype(np.uint32))
    ids = arrays["ids"]
    if len(ids) and (ids.min() < 0 or ids.max() >= len(table)):
        raise ValueError("term numbers outside the table")
    metas = json.loads(raw["articles"])
    info, facts, heads = arrays["passage_info"], arrays["fact_info"], arrays["headings"]
    if info.ndim != 2 or info.shape[1] != PASSAGE_COLUMNS:
        raise ValueError("passage_info has other columns")
    p = ranges(np.array([m[2] for m in metas], dtype=np.int64))
    f = ranges(np.array([m[3] for m in metas], dtype=np.int64))
    h = ranges(np.array([m[4] for m in metas], dtype=np.int64))
    line_end = np.r_[0, np.cumsum(info[:, LINE])]
    fact_end = np.r_[0, np.cumsum(facts[:, LINE])]
    term_end = np.r_[0, np.cumsum(info[:, TERMS])]
    head_end = np.r_[0, np.cumsum(heads[:, COUNT])]
    n_ids = (term_end[p[:, 1]] - term_end[p[:, 0]]) + (head_end[h[:, 1]] - head_end[h[:, 0]])
    i = ranges(n_ids)
    if ([len(info), len(facts), len(heads), len(ids), len(raw["passages"]), len(raw["facts"])]
            != [total(p), total(f), total(h), total(i), line_end[-1], fact_end[-1]]):
        raise ValueError("the snapshot's parts do not match")
    passages, facts_text = memoryview(raw["passages"]), memoryview(raw["facts"])
    articles = {}
    for m, (p0, p1), (f0, f1), (h0, h1), (i0, i1) in zip(metas, p.tolist(), f.tolist(), h.tolist(), i.tolist()):
        doc, sha, _, _, _, cities, summaries = m
        articles[(doc, sha)] = Article(doc, sha, cities, summaries, passages[line_end[p0]:line_end[p1]],
                                       info[p0:p1], facts_text[fact_end[f0]:fact_end[f1]], facts[f0:f1],
                                       heads[h0:h1], ids[i0:i1])
    return Cache(table, articles)


def load_cache(folder: Path, settings: str) -> Cache:
    """The cache in `folder` if it was made with these settings and is intact; else an empty one."""
    folder = Path(folder)
    try:
        state = json.loads((folder / STATE).read_text(encoding="utf-8"))
        if state.get("format") != FORMAT or state.get("settings") != settings:
            return Cache()
        return parse(read_checked(folder, state))
    except FileNotFoundError:
        return Cache()
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
        log.warning("analysis cache in %s ignored: %s", folder, exc)
        return Cache()


def stack(parts: list[np.ndarray], columns: int) -> np.ndarray:
    return np.concatenate(parts).reshape(-1, columns) if parts else np.empty((0, columns), np.int64)


def snapshot(articles: list[Article], passages: bytes, table: TermTable, ids: list[np.ndarray]) -> dict[str, list]:
    """The cache files of these articles as bytes-like pieces (`passages`: their lines, as the index has them)."""
    return {
        "articles": [json.dumps([a.meta() for a in articles], ensure_ascii=False).encode("utf-8")],
        "passages": [passages],
        "facts": list(a.facts for a in articles),
        "terms": [b"[", table.text, b"]"],
        "passage_info": npyfile.pieces(stack([a.passage_info for a in articles], PASSAGE_COLUMNS)),
        "fact_info": npyfile.pieces(stack([a.fact_info for a in articles], 2)),
        "headings": npyfile.pieces(stack([a.headings for a in articles], 2)),
        "ids": npyfile.pieces(np.concatenate(ids or [np.empty(0, np.int64)]).astype(np.int32)),
        "term_ends": npyfile.pieces(table.ends),
        "term_hashes": npyfile.pieces(table.hashes),
    }


def load_seen(folder: Path) -> dict[str, list]:
    """The source files' stats and sha256 as the last build saw them (qa.source.known_sha256); {} if none."""
    try:
        state = json.loads((Path(folder) / STATE).read_text(encoding="utf-8"))
        seen = state.get("sources") if state.get("format") == FORMAT else None
        return seen if isinstance(seen, dict) else {}
    except (OSError, ValueError, AttributeError):
        return {}


def save_cache(folder: Path, settings: str, articles: list[Article], passages: bytes, table: TermTable,
               ids: list[np.ndarray], seen: dict[str, list] | None = None) -> None:
    """Replace the cache by a snapshot of these articles (their terms numbered in `table`) and
    the stats of the files they were read from (`seen`)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tag = uuid.uuid4().hex[:12]
    names, digests = {}, {}
    for kind, content in snapshot(articles, passages, table, ids).items():
        names[kind] = f"{kind}-{tag}.{FILES[kind]}"
        digests[kind] = npyfile.write(folder / names[kind], content)
    state = {"format": FORMAT, "settings": settings, "files": names, "sha256": digests, "sources": seen or {}}
    tmp = folder / f"{STATE}.tmp"
    tmp.write_text(json.dumps(state), encoding="utf-8")
    os.replace(tmp, folder / STATE)
    for old in folder.iterdir():                       # the previous snapshot
        if old.name != STATE and old.name not in names.values() and old.is_file():
            old.unlink(missing_ok=True)
