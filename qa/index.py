"""Build, save, verify, load and swap the index: plain JSON/JSONL + .npy files, no pickle.

Layout of an index folder (`index/` by default):

    index/current -> versions/<index_version>     (a symlink, replaced atomically)
    index/versions/<index_version>/manifest.json  (format, checksums, analyser versions)
                                  /passages.jsonl /facts.jsonl /glossary.json
                                  /vocab.json /bm25_*.npy

The `index_version` is a hash of the content files, so the same data and analyser give the
same version.  A version folder is complete before `current` points at it.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from . import corpus
from .analysis import Analyzer, detect_lang, normalize, stem_en
from .bm25 import B, K1, BM25Index
from .corpus import Passage
from .facts import Fact, extract_facts
from .glossary import Glossary, GlossaryError, load_glossary

FORMAT = "qa-index"
FORMAT_VERSION = 3
GLOSSARY_FILE = "glossary.tsv"
KEEP_VERSIONS = 3
Progress = Callable[[str, int, int], None]


class IndexUnusable(Exception):
    """The index cannot be built or loaded; the message says what to do."""


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def data_files(data_dir: Path) -> list[Path]:
    """The files a build reads: the articles and the glossary."""
    files = corpus.article_paths(data_dir)
    if (data_dir / GLOSSARY_FILE).is_file():
        files.append(data_dir / GLOSSARY_FILE)
    return files


def data_checksums(data_dir: Path) -> dict[str, str]:
    return {p.name: sha256_file(p) for p in data_files(Path(data_dir))}


# ---------------------------------------------------------------- the loaded index

@dataclass
class Index:
    path: Path
    manifest: dict
    passages: list[Passage]
    facts: list[Fact]
    glossary: Glossary
    bm25: BM25Index                 # one row per passage
    windows: BM25Index              # one row per passage: it and its neighbours in its paragraph
    paragraphs: BM25Index           # one row per paragraph (its passages and section heading)
    cities: list[str] = field(default_factory=list)
    by_id: dict[str, int] = field(default_factory=dict)
    city_mask: dict[str, np.ndarray] = field(default_factory=dict)
    facts_of: dict[str, list[Fact]] = field(default_factory=dict)
    derived: dict = field(default_factory=dict)        # structures computed on first use (qa/article.py)

    def __post_init__(self) -> None:
        self.by_id = {p.id: i for i, p in enumerate(self.passages)}
        self.para_of = np.asarray(paragraph_numbers(self.passages), dtype=np.int32)
        order = np.argsort(self.para_of, kind="stable")
        self.para_members = order.astype(np.int32)          # passages grouped by paragraph
        self.para_offsets = np.searchsorted(self.para_of[order], np.arange(self.paragraphs.size + 1))
        seen: dict[str, None] = {}
        for p in self.passages:
            if p.city:
                seen.setdefault(p.city)
        self.cities = list(seen)
        cities = np.array([p.city or "" for p in self.passages], dtype=object)
        self.city_mask = {c: cities == c for c in self.cities}
        self.has_fact = {k: np.zeros(len(self.passages), dtype=bool) for k in ("event", "quantity", "stance")}
        self.events_in: dict[str, list[int]] = {}          # year -> passages with an event in it
        self.facts_in: dict[str | None, list[Fact]] = {}   # city -> its facts, in article order
        for f in self.facts:
            self.facts_of.setdefault(f.passage_id, []).append(f)
            self.facts_in.setdefault(f.city, []).append(f)
            if f.kind in self.has_fact:
                self.has_fact[f.kind][self.by_id[f.passage_id]] = True
            if f.kind == "event" and f.date:
                for year in range(int(f.date[:4]), int((f.date_end or f.date)[:4]) + 1):
                    self.events_in.setdefault(str(year), []).append(self.by_id[f.passage_id])

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


def city_finder(analyzer: Analyzer, entries) -> Callable[[str], str | None]:
    """The city a heading is about: its label before the colon, when that is a place name."""
    known = {form for e in entries if e.kind == "city" for form in e.ja}

    def city_of(heading: str) -> str | None:
        label = corpus.heading_label(heading)
        if label and (label in known or analyzer.is_place_name(label)):
            return label
        return None
    return city_of


def read_corpus(data_dir: Path, analyzer: Analyzer) -> tuple[list[Passage], list, int]:
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise IndexUnusable(f"data folder {data_dir} does not exist")
    paths = corpus.article_paths(data_dir)
    if not paths:
        raise IndexUnusable(f"no articles in {data_dir}: add UTF-8 .md or .txt files")
    entries = []
    if (data_dir / GLOSSARY_FILE).is_file():
        try:
            entries = load_glossary(data_dir / GLOSSARY_FILE)
        except GlossaryError as exc:
            raise IndexUnusable(str(exc)) from None
    try:
        passages = list(corpus.read_passages(
            paths, city_finder(analyzer, entries), lambda t: detect_lang(normalize(t[:5000]).text),
            analyzer.lexicon.bound_starts))
    except ValueError as exc:
        raise IndexUnusable(str(exc)) from None
    return passages, entries, len(paths)


def index_terms(analyzer: Analyzer, passages: list[Passage], progress: Progress | None = None) -> list[list[str]]:
    """Terms of every passage (the same text repeated is analysed once)."""
    cache: dict[tuple[str, str], list[str]] = {}
    out = []
    step = max(1, len(passages) // 100)
    for i, p in enumerate(passages):
        key = (p.text, p.lang)
        if key not in cache:
            cache[key] = analyzer.analyze(p.text, p.lang)
        out.append(cache[key])
        if progress and (i % step == 0 or i + 1 == len(passages)):
            progress("analysing passages", i + 1, len(passages))
    return out


def paragraph_numbers(passages: list[Passage]) -> list[int]:
    """The paragraph row of each passage: (doc, paragraph) numbered in order of appearance."""
    rows: dict[tuple[str, int], int] = {}
    return [rows.setdefault((p.doc, p.paragraph), len(rows)) for p in passages]


def paragraph_terms(analyzer: Analyzer, passages: list[Passage], terms: list[list[str]]) -> list[list[str]]:
    """Terms of each paragraph: its section heading, then its passages."""
    numbers = paragraph_numbers(passages)
    out: list[list[str]] = [[] for _ in range(max(numbers, default=-1) + 1)]
    headings: dict[tuple[str, str], list[str]] = {}
    for p, n, t in zip(passages, numbers, terms):
        if not out[n] and p.kind == "claim" and p.section:
            key = (p.section, p.lang)
            if key not in headings:
                headings[key] = analyzer.analyze(p.section, p.lang)
            out[n].extend(headings[key])
        out[n].extend(t)
    return out


def window_terms(passages: list[Passage], terms: list[list[str]], radius: int = 1) -> list[list[str]]:
    """Terms of each passage with those of its neighbours in the same paragraph."""
    numbers = paragraph_numbers(passages)
    out = []
    for i in range(len(passages)):
        lo, hi = max(0, i - radius), min(len(passages), i + radius + 1)
        out.append([t for j in range(lo, hi) if numbers[j] == numbers[i] for t in terms[j]])
    return out


def write_jsonl(path: Path, rows: Iterable[dict]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_version(folder: Path, passages: list[Passage], facts: list[Fact], entries,
                  scorers: dict[str, BM25Index], manifest: dict) -> dict:
    """Write every file of one index version, then its manifest (written last)."""
    write_jsonl(folder / "passages.jsonl", (p.to_dict() for p in passages))
    write_jsonl(folder / "facts.jsonl", (f.to_dict() for f in facts))
    (folder / "glossary.json").write_text(
        json.dumps([e.to_dict() for e in entries], ensure_ascii=False, indent=1), encoding="utf-8")
    for prefix, scorer in scorers.items():
        scorer.save(folder, prefix=prefix)
    files = {p.name: sha256_file(p) for p in sorted(folder.iterdir()) if p.name != "manifest.json"}
    content = hashlib.sha256(json.dumps([files, manifest["bm25"], manifest["analyzer"]],
                                        sort_keys=True).encode()).hexdigest()[:16]
    manifest = {**manifest, "index_version": content, "files": files}
    tmp = folder / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, folder / "manifest.json")
    return manifest


@contextlib.contextmanager
def build_lock(root: Path):
    """One build at a time per index folder."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def build_index(data_dir: Path, root: Path, analyzer: Analyzer, progress: Progress | None = None,
                k1: float = K1, b: float = B) -> BuildResult:
    """Build from `data_dir` into a new version under `root`, verify it, then swap it in."""
    started = time.perf_counter()
    root = Path(root)
    passages, entries, n_articles = read_corpus(Path(data_dir), analyzer)
    facts = extract_facts(passages)
    terms = index_terms(analyzer, passages, progress)
    if progress:
        progress("building the BM25 index", 0, 1)
    scorers = {"": BM25Index.build(terms, k1=k1, b=b),
               "win_": BM25Index.build(window_terms(passages, terms), k1=k1, b=b),
               "para_": BM25Index.build(paragraph_terms(analyzer, passages, terms), k1=k1, b=b)}
    bm25, paragraphs = scorers[""], scorers["para_"]
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "data": {"dir": str(Path(data_dir).resolve()), "files": data_checksums(Path(data_dir))},
        "analyzer": analyzer.versions(),
        "bm25": {"variant": "rank_bm25.BM25Plus", "k1": k1, "b": b, "delta": 0},
        "counts": {"articles": n_articles, "passages": len(passages), "paragraphs": paragraphs.size,
                   "facts": len(facts),
                   "terms": len(bm25.vocab), "cities": len({p.city for p in passages if p.city})},
    }
    with build_lock(root):
        versions = root / "versions"
        versions.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=versions))
        tmp.chmod(0o755)
        try:
            if progress:
                progress("writing the index", 0, 1)
            manifest = write_version(tmp, passages, facts, entries, scorers, manifest)
            load_version(tmp)                       # refuse to swap in what cannot be read back
            final = versions / manifest["index_version"]
            reused = final.exists() and verify_version(final) is None
            if reused:
                shutil.rmtree(tmp)
            else:
                if final.exists():
                    shutil.rmtree(final)
                os.replace(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        swap_current(root, final)
        prune_versions(root, keep=KEEP_VERSIONS)
    return BuildResult(manifest["index_version"], final, n_articles, len(passages), len(facts),
                       len(bm25.vocab), time.perf_counter() - started, reused)


def swap_current(root: Path, version_dir: Path) -> None:
    """Point `root/current` at a version folder in one atomic rename."""
    link = root / "current"
    tmp = root / f".current-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(os.path.relpath(version_dir, root), tmp)
    os.replace(tmp, link)


def prune_versions(root: Path, keep: int) -> None:
    """Remove old versions, keeping the newest `keep` (the current one always)."""
    current = resolve_version_dir(root)
    versions = sorted((p for p in (root / "versions").iterdir() if p.is_dir() and not p.name.startswith(".")),
                      key=lambda p: p.stat().st_mtime, reverse=True)
    for old in versions[keep:]:
        if old.resolve() != current:
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


def verify_version(folder: Path) -> str | None:
    """Why a version folder cannot be used, or None when it is complete and intact."""
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        return f"{folder} has no manifest.json (incomplete build)"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        return f"{manifest_path} is not valid JSON ({exc})"
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return f"{manifest_path} is not a qa index manifest"
    if manifest.get("format_version") != FORMAT_VERSION:
        return (f"index format version {manifest.get('format_version')} is not the supported "
                f"version {FORMAT_VERSION}")
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        return f"{manifest_path} lists no files"
    for name, digest in files.items():
        path = folder / name
        if not path.is_file():
            return f"{name} is missing"
        if sha256_file(path) != digest:
            return f"{name} is damaged (checksum mismatch)"
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
        passages = [Passage(**row) for row in read_jsonl(folder / "passages.jsonl")]
        facts = [Fact.from_dict(row) for row in read_jsonl(folder / "facts.jsonl")]
        entries = Glossary.entries_from_json(json.loads((folder / "glossary.json").read_text(encoding="utf-8")))
        params = manifest["bm25"]
        bm25 = BM25Index.load(folder, params["k1"], params["b"])
        windows = BM25Index.load(folder, params["k1"], params["b"], prefix="win_")
        paragraphs = BM25Index.load(folder, params["k1"], params["b"], prefix="para_")
    except (ValueError, KeyError, TypeError, OSError) as exc:
        raise IndexUnusable(f"index at {folder} refused: unreadable ({exc}); rebuild it with `qa index`") from None
    if (bm25.size != len(passages) or windows.size != len(passages)
            or paragraphs.size != len(set(paragraph_numbers(passages)))):
        raise IndexUnusable(f"index at {folder} refused: {bm25.size} scored passages for "
                          f"{len(passages)} passages; rebuild it with `qa index`")
    return Index(folder, manifest, passages, facts, Glossary(entries), bm25, windows, paragraphs)


def load_index(path: Path, analyzer: Analyzer | None = None) -> Index:
    """Load the current (or given) version, refusing damaged or incompatible ones."""
    index = load_version(resolve_version_dir(path), analyzer.versions() if analyzer else None)
    if analyzer:
        index.glossary = Glossary(index.glossary.entries, analyzer.to_simplified, stem_en)
    return index


def is_stale(path: Path, data_dir: Path, analyzer_versions: dict | None = None) -> bool:
    """True when there is no index, or the data or the analyser changed since it was built."""
    try:
        folder = resolve_version_dir(path)
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (IndexUnusable, OSError, ValueError):
        return True
    if analyzer_versions and manifest.get("analyzer") != analyzer_versions:
        return True
    return manifest.get("data", {}).get("files") != data_checksums(Path(data_dir))
