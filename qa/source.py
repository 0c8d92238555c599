"""The data folder a build reads: its articles and glossary, checked before anything is written.

A build reads every file first and stops with one clear message when the folder is
missing or empty, or when a file is not UTF-8, over the size limit, not a regular
readable file (a folder or FIFO named `.md`, a broken symlink, no read permission), a
symlink leading outside the folder, or two files would be the same article (`a.md` and
`a.txt`).  Names starting with `.` (editor lock and swap files) are not articles.
"""
from __future__ import annotations

import hashlib
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from .corpus import ARTICLE_SUFFIXES

GLOSSARY_FILE = "glossary.tsv"
MAX_ARTICLE_MB = 10.0


class SourceError(ValueError):
    """The data folder cannot be built from; the message names the file and the fix."""


@dataclass(frozen=True)
class SourceFile:
    path: str             # as the user named it (data folder / file name)
    name: str
    content: bytes | None  # None: not read, its stat being what the last build recorded with its sha256
    sha256: str
    stat: tuple[int, ...] = ()     # (size, mtime_ns, ctime_ns, inode, device) before it was read

    @property
    def doc(self) -> str:
        """The article's id in passage ids: the file stem."""
        return self.name.rsplit(".", 1)[0]

    @property
    def raw(self) -> bytes:
        """The file's bytes (read now when the build trusted its stat)."""
        if self.content is None:
            try:
                raw = Path(self.path).read_bytes()
            except OSError as exc:
                raise SourceError(f"{self.path} cannot be read ({exc.strerror})") from None
            if hashlib.sha256(raw).hexdigest() != self.sha256:
                raise SourceError(f"{self.path} changed while the index was being built: run qa index again")
            object.__setattr__(self, "content", raw)
        return self.content

    def text(self) -> str:
        """The decoded text (UTF-8, with or without a BOM)."""
        try:
            return self.raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SourceError(f"{self.path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None


@dataclass(frozen=True)
class Source:
    folder: Path
    articles: list[SourceFile]
    glossary: SourceFile | None
    read_at: int = 0      # time.time_ns() when reading began

    def checksums(self) -> dict[str, str]:
        """File name -> sha256 of every file the build read (the manifest's `data.files`)."""
        return {f.name: f.sha256 for f in self.files()}

    def files(self) -> list[SourceFile]:
        return self.articles + ([self.glossary] if self.glossary else [])

    def seen(self) -> Seen:
        """Each file's stat and sha256 as this build saw them, for the next one (see known_sha256)."""
        return {os.path.abspath(f.path): [*f.stat, f.sha256, self.read_at] for f in self.files() if f.stat}


def is_source_name(name: str) -> bool:
    return not name.startswith(".") and (os.path.splitext(name)[1].lower() in ARTICLE_SUFFIXES or name == GLOSSARY_FILE)


def source_names(folder: Path) -> list[str]:
    """Names of the article and glossary entries of a folder, in a stable order (not checked yet)."""
    return sorted(name for name in os.listdir(folder) if is_source_name(name))


def kind_of(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file"


def check_link(path: str, root: Path) -> None:
    """A symlink must stay inside the data folder and lead to something."""
    target = Path(os.path.realpath(path))
    if not target.is_relative_to(root):
        raise SourceError(f"{path} is a symlink to {target}, outside the data folder {root}: "
                          f"copy the file into the folder instead")
    if not target.exists():
        raise SourceError(f"{path} cannot be read: it is a broken symlink (to {os.readlink(path)})")


Seen = dict[str, list]       # absolute path -> [size, mtime_ns, ctime_ns, inode, device, sha256, read at (ns)]
TRUST_AFTER_NS = 2_000_000_000   # a record is trusted when its file had not changed for 2 s when it was read


def identity(st: os.stat_result) -> list[int]:
    """What changes whenever a file's bytes may have: size, modification and change times, inode."""
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]


def known_sha256(seen: Seen, path: str, key: list[int]) -> str | None:
    """The sha256 a build recorded for this file, when its stat is still the one recorded then.

    Any write to a file sets its ctime, which no user can set back; a record is only
    trusted when the file's ctime was 2 s older than the read (as git does for racy
    files), so a write in the same clock tick as the read cannot go unseen."""
    rec = seen.get(os.path.abspath(path))
    if not rec or len(rec) != 7 or rec[:5] != key or not rec[2] < rec[6] - TRUST_AFTER_NS:
        return None
    return rec[5]


def read_file(folder: Path, name: str, root: Path, max_bytes: int, seen: Seen | None = None) -> SourceFile:
    """One checked file of the data folder, read whole (or not, when `seen` knows it unchanged)."""
    path = os.path.join(folder, name)
    try:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            check_link(path, root)
            st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise SourceError(f"{path} cannot be read: it is {kind_of(st.st_mode)}, not a text file")
        if st.st_size > max_bytes:
            raise SourceError(too_big(path, st.st_size, max_bytes))
        key = identity(st)
        sha = known_sha256(seen, path, key) if seen else None
        if sha:
            return SourceFile(path, name, None, sha, tuple(key))
        with open(path, "rb") as f:
            raw = f.read(st.st_size + 1)
            if len(raw) > st.st_size:                      # it grew since: read on, up to the limit
                raw += f.read(max_bytes + 1 - len(raw))
    except OSError as exc:
        raise SourceError(f"{path} cannot be read ({exc.strerror})") from None
    if len(raw) > max_bytes:
        raise SourceError(too_big(path, len(raw), max_bytes))
    return SourceFile(path, name, raw, hashlib.sha256(raw).hexdigest(), tuple(key))


def too_big(path: str, size: int, max_bytes: int) -> str:
    return (f"{path} is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:g} MB limit for a file of the data "
            f"folder (qa index --max-article-mb)")


def check_unique_docs(articles: list[SourceFile]) -> None:
    seen: dict[str, SourceFile] = {}
    for a in articles:
        if a.doc in seen:
            raise SourceError(f"{seen[a.doc].path} and {a.path} would both be article '{a.doc}': rename one")
        seen[a.doc] = a


def read_source(folder: Path, max_mb: float = MAX_ARTICLE_MB, check_text: bool = True,
                seen: Seen | None = None) -> Source:
    """Every article and the glossary of a data folder, read and checked; SourceError if unusable.

    `check_text=False` leaves the UTF-8 check to the caller (a build checks only the
    articles its cache does not already hold, before it writes anything).  Files whose
    stat `seen` recorded (the last build's) are not read: their sha256 is the recorded one."""
    folder = Path(folder)
    read_at = time.time_ns()
    if not folder.is_dir():
        raise SourceError(f"data folder {folder} does not exist")
    root = Path(os.path.realpath(folder))
    max_bytes = int(max_mb * 1_000_000)
    try:
        names = source_names(folder)
    except OSError as exc:
        raise SourceError(f"data folder {folder} cannot be read ({exc.strerror})") from None
    files = [read_file(folder, name, root, max_bytes, seen) for name in names]
    articles = [f for f in files if f.name != GLOSSARY_FILE]
    if not articles:
        raise SourceError(f"no articles in {folder}: add UTF-8 .md or .txt files")
    check_unique_docs(articles)
    for a in articles if check_text else ():
        a.text()
    glossary = next((f for f in files if f.name == GLOSSARY_FILE), None)
    return Source(folder, articles, glossary, read_at)


def source_checksums(folder: Path) -> dict[str, str] | None:
    """What `Source.checksums()` would be now, without failing (None: no folder); for staleness."""
    folder = Path(folder)
    if not folder.is_dir():
        return None
    out = {}
    try:
        names = source_names(folder)
    except OSError:
        return {}
    for name in names:
        path = folder / name
        try:
            out[name] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "unreadable"
        except OSError:
            out[name] = "unreadable"
    return out
