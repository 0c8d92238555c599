"""Build, save, verify, load and swap the index: plain JSON/JSONL + .npy files, no pickle.

Layout of an index folder (`index/` by default):

    index/current -> versions/<index_version>     (a symlink, replaced atomically)
    index/versions/<index_version>/manifest.json  (format, checksums, analyser versions, source folder)
                                  /passages.jsonl /passage_*.npy /docs.json /cities.json
                                  /facts.jsonl /glossary.json
                                  /terms.json /term_*.npy (the vocabulary of the three row sets) /*bm25_*.npy
                                  /verified.json (when each file was last checked: see verify_version)
    index/cache/                                  (the last build's analysis of each article: qa.cache)

The `index_version` is a hash of the content files, so the same data and analyser give the
same version.  A version folder is complete before `current` points at it.  A build
analyses only the articles that changed since the last one (the cache); the rest of the
index is assembled from all articles every time, so it equals a full build's.

A loaded index maps its arrays, vocabulary and passages from the files (read-only pages
shared by every process, read when touched), so its memory is mostly the page cache's,
shared by all workers; only the facts and a few per-passage arrays are its own.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from . import npyfile
from .analysis import Analyzer, stem_en
from .article_pieces import Article, analyse_article, city_finder, settings_key
from .assemble import Assembled, Numbering, TermTable, assemble
from .bm25 import B, K1, BM25Index
from .vocabulary import Vocabulary
from .cache import Cache, load_cache, load_seen, save_cache
from .corpus import Passage
from .facts import Fact
from .frame import date_span
from .glossary import Glossary, GlossaryError, parse_glossary
from .source import MAX_ARTICLE_MB, Source, SourceError, SourceFile, identity, read_source
from .store import ById, CityMasks, FactsOf, PassageStore

FORMAT = "qa-index"
FORMAT_VERSION = 5
VERIFIED = "verified.json"
PARALLEL_MIN_BYTES = 4 << 20       # text to analyse before a build starts processes (each loads the dictionaries)
TERM_SEP = "\x00"
KEEP_VERSIONS = 3
CACHE_DIR = "cache"
Progress = Callable[[str, int, int], None]


class IndexUnusable(Exception):
    """The index cannot be built or loaded; the message says what to do."""


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# ---------------------------------------------------------------- the loaded index

def date_order(f: Fact) -> tuple:
    """Events by the span of days their date can mean, then by passage."""
    return date_span(f.date, f.date_end), f.passage_id


@dataclass
class Index:
    path: Path
    manifest: dict
    passages: PassageStore          # read from the files on demand (qa.store)
    facts: list[Fact]
    glossary: Glossary
    bm25: BM25Index                 # one row per passage
    windows: BM25Index              # one row per passage: it and its neighbours in its paragraph
    paragraphs: BM25Index           # one row per paragraph (its passages and section heading)
    cities: list[str] = field(default_factory=list)
    derived: dict = field(default_factory=dict)        # structures computed on first use (qa/article.py)

    def __post_init__(self) -> None:
        store = self.passages
        n = len(store)
        self.by_id = ById(store)
        self.para_of = store.paragraph
        order = np.argsort(self.para_of, kind="stable")
        self.para_members = order.astype(np.int32)          # passages grouped by paragraph
        self.para_offsets = np.searchsorted(self.para_of[order], np.arange(self.paragraphs.size + 1))
        self.cities = list(store.cities)
        self.city_mask = CityMasks(store)
        self.has_fact = {k: np.zeros(n, dtype=bool) for k in ("event", "quantity", "stance")}
        self.events_in: dict[str, list[int]] = {}          # year -> passages with an event in it
        self.facts_in: dict[str | None, list[Fact]] = {}   # city -> its facts, in article order
        dated: list[Fact] = []
        numbers = np.empty(len(self.facts), dtype=np.int64)
        for i, f in enumerate(self.facts):
            number = store.number_of(f.passage_id)
            if number is None:
                raise ValueError(f"a fact of passage {f.passage_id}, which the index lacks")
            numbers[i] = number
            self.facts_in.setdefault(f.city, []).append(f)
            if f.kind in self.has_fact:
                self.has_fact[f.kind][number] = True
            if f.kind == "event" and f.date:
                dated.append(f)
                for year in range(int(f.date[:4]), int((f.date_end or f.date)[:4]) + 1):
                    self.events_in.setdefault(str(year), []).append(number)
        self.facts_of = FactsOf(store, self.facts, numbers)
        self.dated_events = sorted(dated, key=date_order)   # the events with a date, in date order

    @property
    def version(self) -> str:
        return self.manifest["index_version"]


# ---------------------------------------------------------------- build

@dataclass
class BuildResult:
    version: str
    path: Path
    articles: int
    passages: int
    facts: int
    terms: int
    seconds: float
    reused: bool = False
    analysed: int = 0             # articles analysed; the others came from the cache


def open_source(data_dir: Path, max_article_mb: float = MAX_ARTICLE_MB, root: Path | None = None) -> Source:
    """The data folder read and checked but for UTF-8 (IndexUnusable with the reason); the
    files that index folder `root`'s last build saw and that did not change since are not read."""
    try:
        seen = load_seen(Path(root) / CACHE_DIR) if root else None
        return read_source(Path(data_dir), max_article_mb, check_text=False, seen=seen)
    except SourceError as exc:
        raise IndexUnusable(str(exc)) from None


def check_texts(articles: list[SourceFile]) -> None:
    """Every one of these articles decodes as UTF-8 (IndexUnusable naming the first that does not)."""
    try:
        for a in articles:
            a.text()
    except SourceError as exc:
        raise IndexUnusable(str(exc)) from None


def glossary_entries(source: Source) -> list:
    if source.glossary is None:
        return []
    try:
        text = source.glossary.raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IndexUnusable(f"{source.glossary.path}: not UTF-8 ({exc.reason})") from None
    try:
        return parse_glossary(text, str(source.glossary.path))
    except GlossaryError as exc:
        raise IndexUnusable(str(exc)) from None


def read_corpus(data_dir: Path, analyzer: Analyzer) -> tuple[list[Passage], list, int]:
    """The passages of a data folder, its glossary entries and its number of articles."""
    source = open_source(data_dir)
    entries = glossary_entries(source)
    city_of = city_finder(analyzer, entries)
    passages = [Passage(**json.loads(line)) for f in source.articles
                for line in analyse_article(f, analyzer, city_of).passages.splitlines()]
    return passages, entries, len(source.articles)


def uncached(source: Source, cache: Cache) -> list[SourceFile]:
    return [f for f in source.articles if cache.get(f.doc, f.sha256) is None]


def build_workers(missing: list[SourceFile], workers: int | None) -> int:
    """Processes to analyse these articles with: `workers`, or (None) every core once there is enough to do."""
    if workers is None:
        workers = os.cpu_count() or 1
        if sum(len(f.raw) for f in missing) < PARALLEL_MIN_BYTES:
            workers = 1
    return max(1, min(workers, len(missing)))


_worker: tuple | None = None             # (analyser, city_of) of an analysis process


def start_worker(lexicon, use_bigrams: bool, entries) -> None:
    """A build process's initializer: its own analyser (the dictionaries load once per process)."""
    global _worker
    analyzer = Analyzer(lexicon, use_bigrams)
    _worker = (analyzer, city_finder(analyzer, entries))


def analyse_in_worker(f: SourceFile) -> Article:
    """One article analysed in a build process; its terms travel as one string (cheap to send)."""
    analyzer, city_of = _worker
    article = analyse_article(f, analyzer, city_of)
    if not any(TERM_SEP in t for t in article.terms):
        article.terms = TERM_SEP.join(article.terms) if article.terms else None
    return article


def received(article: Article) -> Article:
    if article.terms is None:
        article.terms = []
    elif isinstance(article.terms, str):
        article.terms = article.terms.split(TERM_SEP)
    return article


def analysed(missing: list[SourceFile], analyzer: Analyzer, entries, n: int) -> Iterator[Article]:
    """The articles analysed in order, here (n = 1) or by n spawned processes."""
    if n == 1:
        city_of = city_finder(analyzer, entries)
        yield from (analyse_article(f, analyzer, city_of) for f in missing)
        return
    context = multiprocessing.get_context("spawn")      # no fork of a process that may hold threads
    with ProcessPoolExecutor(n, mp_context=context, initializer=start_worker,
                             initargs=(analyzer.lexicon, analyzer.use_bigrams, entries)) as pool:
        chunk = max(1, min(64, len(missing) // (n * 16)))
        yield from map(received, pool.map(analyse_in_worker, missing, chunksize=chunk))


def analyse_articles(source: Source, analyzer: Analyzer, entries, cache: Cache, progress: Progress | None = None,
                     workers: int | None = None) -> tuple[list[Article], int, TermTable]:
    """Every article of the source: from the cache when unchanged, else analysed now, by
    `workers` processes (default: every core, for a large enough amount of text) in the
    source's order, so the result is the same however many analysed it.  The analysed
    articles' terms are numbered as they arrive: returns the articles, how many were
    analysed, and the cache's term table with their new terms."""
    missing = uncached(source, cache)
    step = progress or (lambda stage, done, total: None)
    n = build_workers(missing, workers)
    stage = "analysing articles" + (f" in {n} processes" if n > 1 else "")
    if missing:
        step(stage, 0, len(missing))
    fresh, numbering = {}, Numbering(cache.table)
    for i, (f, article) in enumerate(zip(missing, analysed(missing, analyzer, entries, n))):
        numbering.add(article)
        fresh[f.name] = article
        step(stage, i + 1, len(missing))
    table = numbering.table_numbers()
    return [fresh.get(f.name) or cache.get(f.doc, f.sha256) for f in source.articles], len(missing), table


def version_files(built: Assembled, entries) -> Iterator[tuple[str, list]]:
    """(file name, content as bytes-like pieces) of each file of one index version but its manifest."""
    yield "passages.jsonl", [built.passages]
    yield from built.columns.files()
    yield from built.vocab.files()
    yield "facts.jsonl", [built.facts]
    yield "glossary.json", [json.dumps([e.to_dict() for e in entries], ensure_ascii=False, indent=1).encode("utf-8")]
    for prefix, rows in built.rows.items():
        yield from rows.files(prefix)


def write_version(folder: Path, built: Assembled, entries, manifest: dict) -> dict:
    """Write every file of one index version, then its manifest (written last)."""
    for prefix, rows in built.rows.items():
        problem = rows.problem(built.counts["terms"])
        if problem:
            raise IndexUnusable(f"the {prefix or 'passage'} rows are inconsistent ({problem}): nothing was changed")
    files = dict(sorted((name, npyfile.write(folder / name, content))
                        for name, content in version_files(built, entries)))
    content = hashlib.sha256(json.dumps([files, manifest["bm25"], manifest["analyzer"]],
                                        sort_keys=True).encode()).hexdigest()[:16]
    sizes = {name: (folder / name).stat().st_size for name in files}
    manifest = {**manifest, "index_version": content, "files": files, "sizes": sizes}
    write_manifest(folder, manifest)
    return manifest


def write_manifest(folder: Path, manifest: dict) -> None:
    tmp = folder / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, folder / "manifest.json")


@contextlib.contextmanager
def build_lock(root: Path):
    """One build (or rollback) at a time per index folder."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def now(timespec: str = "seconds") -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec=timespec)


def build_index(data_dir: Path, root: Path, analyzer: Analyzer, progress: Progress | None = None,
                k1: float = K1, b: float = B, keep: int = KEEP_VERSIONS,
                max_article_mb: float = MAX_ARTICLE_MB, source: Source | None = None,
                workers: int | None = None) -> BuildResult:
    """Build from `data_dir` into a new version under `root`, verify it, then swap it in.

    The articles that need analysing are analysed by `workers` processes (default: every
    core when there is enough text; 1: in this process); the index is the same either way."""
    started = time.perf_counter()
    root = Path(root)
    step = progress or (lambda stage, done, total: None)
    step("reading the data folder", 0, 1)
    source = source or open_source(data_dir, max_article_mb, root)
    entries = glossary_entries(source)                  # every check passes before anything is written
    settings = settings_key(analyzer, entries)
    step("reading the analysis cache", 0, 1)
    cache = load_cache(root / CACHE_DIR, settings)      # immutable snapshots: safe to read before the lock
    check_texts(uncached(source, cache))                # (cached articles decoded when they were analysed)
    with build_lock(root):
        articles, analysed, table = analyse_articles(source, analyzer, entries, cache, progress, workers)
        step("building the BM25 index", 0, 1)
        built = assemble(articles, table)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created": now(),
            "built_at": now("microseconds"),           # orders versions; a rebuild of the same one updates it
            "data": {"dir": str(Path(data_dir).resolve()), "files": source.checksums()},
            "analyzer": analyzer.versions(),
            "bm25": {"variant": "rank_bm25.BM25Plus", "k1": k1, "b": b, "delta": 0},
            "counts": built.counts,
        }
        final, manifest, reused = write_and_swap(root, built, entries, manifest, keep, step)
        step("saving the analysis cache", 0, 1)
        try:
            save_cache(root / CACHE_DIR, settings, articles, built.passages, built.table, built.ids,
                       source.seen())
        except OSError as exc:                           # the index is built; only the next build is slower
            logging.getLogger("qa.index").warning("analysis cache not saved: %s", exc)
    c = built.counts
    return BuildResult(manifest["index_version"], final, c["articles"], c["passages"], c["facts"],
                       c["terms"], time.perf_counter() - started, reused, analysed)


def write_and_swap(root: Path, built: Assembled, entries, manifest: dict, keep: int,
                   step: Progress) -> tuple[Path, dict, bool]:
    """Write a version folder, read it back, swap it in and prune; an identical version is reused."""
    versions = root / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=versions))
    tmp.chmod(0o755)
    try:
        step("writing the index", 0, 1)
        manifest = write_version(tmp, built, entries, manifest)
        step("reading it back", 0, 1)
        problem = verify_version(tmp, full=True)   # every file read back against what was meant to be written
        if problem:
            raise IndexUnusable(f"the new version did not read back ({problem}): nothing was changed")
        final = versions / manifest["index_version"]
        reused = final.exists() and verify_version(final) is None
        if reused:
            shutil.rmtree(tmp)
            manifest = rebuilt_manifest(final, manifest)
        else:
            if final.exists():
                shutil.rmtree(final)
            os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    previous = current_version_name(root)
    swap_current(root, final)
    prune_versions(root, keep, previous)
    return final, manifest, reused


def rebuilt_manifest(folder: Path, manifest: dict) -> dict:
    """An identical version built again: it keeps its files and `created`, takes the new build time and source."""
    old = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    updated = {**old, "built_at": manifest["built_at"], "data": manifest["data"]}
    write_manifest(folder, updated)
    stamp_verified(folder, (folder / "manifest.json").read_bytes(), updated["files"])   # just verified
    return updated


def swap_current(root: Path, version_dir: Path) -> None:
    """Point `root/current` at a version folder in one atomic rename."""
    link = root / "current"
    tmp = root / f".current-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(os.path.relpath(version_dir, root), tmp)
    os.replace(tmp, link)


def read_manifest(folder: Path) -> dict | None:
    """A version folder's manifest, or None when it has none readable."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def built_at(folder: Path) -> str:
    """When a build last produced this version (older indexes: when it was created)."""
    m = read_manifest(folder) or {}
    stamp = m.get("built_at") or m.get("created")
    if isinstance(stamp, str):
        return stamp
    return dt.datetime.fromtimestamp(folder.stat().st_mtime, dt.timezone.utc).isoformat(timespec="seconds")


def version_folders(root: Path) -> list[Path]:
    """The version folders of an index, most recently built first."""
    folder = Path(root) / "versions"
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")]
    return sorted(found, key=lambda p: (built_at(p), p.stat().st_mtime), reverse=True)


def prune_versions(root: Path, keep: int, previous: str | None = None) -> None:
    """Keep `keep` versions: the current one, the one it replaced, then the most recently built."""
    current = current_version_name(root)
    ranked = sorted(version_folders(root), key=lambda p: (p.name != current, p.name != previous))
    for old in ranked[max(keep, 1):]:
        shutil.rmtree(old, ignore_errors=True)


# ---------------------------------------------------------------- load

def resolve_version_dir(path: Path) -> Path:
    """The version folder an index path means: itself, or what its `current` points at."""
    path = Path(path)
    if (path / "manifest.json").is_file():
        return path.resolve()
    current = path / "current"
    if current.exists():
        return current.resolve()
    raise IndexUnusable(f"no index at {path}: build one with `qa index --out {path}`")


def current_version_name(path: Path) -> str | None:
    """The version `path/current` points at, without loading anything (cheap)."""
    try:
        return os.path.basename(os.readlink(Path(path) / "current"))
    except OSError:
        return None


def file_identity(path: Path) -> list[int]:
    return identity(path.stat())


def stamped(folder: Path, manifest_raw: bytes, files: dict) -> bool:
    """Whether every file is as it was when its checksum last matched (verified.json says so)."""
    try:
        stamp = json.loads((folder / VERIFIED).read_text(encoding="utf-8"))
        if stamp.get("manifest") != hashlib.sha256(manifest_raw).hexdigest() or set(stamp["files"]) != set(files):
            return False
        return all(stamp["files"][name] == file_identity(folder / name) for name in files)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def stamp_verified(folder: Path, manifest_raw: bytes, files: dict) -> None:
    """Record that these files matched their checksums (best effort: a read-only folder is checked each time)."""
    tmp = folder / f".{VERIFIED}.{os.getpid()}.tmp"
    try:
        stamp = {"manifest": hashlib.sha256(manifest_raw).hexdigest(),
                 "files": {name: file_identity(folder / name) for name in files}}
        tmp.write_text(json.dumps(stamp), encoding="utf-8")
        os.replace(tmp, folder / VERIFIED)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()


def verify_version(folder: Path, full: bool = False) -> str | None:
    """Why a version folder cannot be used, or None when it is complete and intact.

    Every file must exist with the size the manifest gives and the sha256 it records.  The
    checksums are computed in full after a build and whenever a file is not exactly as it
    was when they last matched: `verified.json` keeps each file's size, modification and
    change times and inode from that check.  A file's bytes cannot change without moving its
    change time (ctime, which no system call sets back), so while these are unchanged the
    checksums still hold and a load need not read every byte (`full` reads them anyway)."""
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        return f"{folder} has no manifest.json (incomplete build)"
    try:
        raw = manifest_path.read_bytes()
        manifest = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        return f"{manifest_path} is not valid JSON ({exc})"
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return f"{manifest_path} is not a qa index manifest"
    if manifest.get("format_version") != FORMAT_VERSION:
        return (f"index format version {manifest.get('format_version')} is not the supported "
                f"version {FORMAT_VERSION}")
    files, sizes = manifest.get("files"), manifest.get("sizes")
    if not isinstance(files, dict) or not files or not isinstance(sizes, dict):
        return f"{manifest_path} lists no files"
    for name in files:
        path = folder / name
        if not path.is_file():
            return f"{name} is missing"
        if path.stat().st_size != sizes.get(name):
            return f"{name} is damaged ({path.stat().st_size} bytes, {sizes.get(name)} expected)"
    if not full and stamped(folder, raw, files):
        return None
    for name, digest in files.items():
        if sha256_file(folder / name) != digest:
            return f"{name} is damaged (checksum mismatch)"
    stamp_verified(folder, raw, files)
    return None


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_version(folder: Path, analyzer_versions: dict | None = None) -> Index:
    problem = verify_version(folder)
    if problem:
        raise IndexUnusable(f"index at {folder} refused: {problem}; rebuild it with `qa index`")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    built = manifest.get("analyzer") or {}
    if analyzer_versions and built != analyzer_versions:
        diff = ", ".join(f"{k} {built.get(k)} (now {v})" for k, v in analyzer_versions.items() if built.get(k) != v)
        raise IndexUnusable(f"index at {folder} was built with another analyser: {diff}; "
                          f"rebuild it with `qa index`")
    try:
        passages = PassageStore(folder)
        facts = [Fact.from_dict(row) for row in read_jsonl(folder / "facts.jsonl")]
        entries = Glossary.entries_from_json(json.loads((folder / "glossary.json").read_text(encoding="utf-8")))
        params = manifest["bm25"]
        vocab = Vocabulary.load(folder)
        bm25, windows, paragraphs = (BM25Index.load(folder, params["k1"], params["b"], prefix, vocab)
                                     for prefix in ("", "win_", "para_"))
        if (bm25.size != len(passages) or windows.size != len(passages)
                or paragraphs.size != (int(passages.paragraph.max()) + 1 if len(passages) else 0)):
            raise IndexUnusable(f"index at {folder} refused: {bm25.size} scored passages for "
                                f"{len(passages)} passages; rebuild it with `qa index`")
        return Index(folder, manifest, passages, facts, Glossary(entries), bm25, windows, paragraphs)
    except (ValueError, KeyError, TypeError, OSError, RuntimeError) as exc:
        raise IndexUnusable(f"index at {folder} refused: unreadable ({exc}); rebuild it with `qa index`") from None


def load_index(path: Path, analyzer: Analyzer | None = None) -> Index:
    """Load the current (or given) version, refusing damaged or incompatible ones."""
    index = load_version(resolve_version_dir(path), analyzer.versions() if analyzer else None)
    if analyzer:
        index.glossary = Glossary(index.glossary.entries, analyzer.to_simplified, stem_en)
    return index
