"""What `qa serve --index X` does with X before serving: serve what was built.

- X has no index: build it (from `--data`, else from `data/`), and say so.
- `--data DIR` given: X must have been built from DIR; it is rebuilt when DIR changed
  since (or with `--rebuild`).  An index built from another folder is never overwritten.
- `--rebuild` alone: rebuild X from the folder it was built from.
- Otherwise X is served as built.  When its articles changed since, one warning line names
  the command that rebuilds it.  The one exception keeps `make run` as it always was: the
  default index `index/` built from the default folder `data/` is rebuilt when `data/`
  changed, unless it was rolled back on purpose (then it warns too).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .index import FORMAT_VERSION, IndexUnusable, read_manifest, resolve_version_dir, version_folders
from .source import source_checksums

INDEX_PARTS = {".lock", "versions", "cache", "current", "README.md"}      # README.md: the checkout's index/


@dataclass
class Plan:
    build_from: Path | None = None      # build the index from this folder first
    say: str | None = None              # one line for the user


def current_manifest(index: Path) -> dict | None:
    """The manifest of the version `index` serves, {} when unreadable, None when there is no index."""
    try:
        folder = resolve_version_dir(index)
    except IndexUnusable:
        return None
    return read_manifest(folder) or {}


def check_index_folder(index: Path) -> None:
    """Refuse to build into a folder that holds something else than an index."""
    if index.exists() and not index.is_dir():
        raise IndexUnusable(f"{index} is a file, not an index folder: choose another --index")
    if index.is_dir():
        other = sorted(p.name for p in index.iterdir() if p.name not in INDEX_PARTS and not p.name.startswith("."))
        if other:
            raise IndexUnusable(f"{index}/ holds other files ({', '.join(other[:3])}) and no index: "
                                f"choose another --index")


def changed_since(manifest: dict, folder: Path, analyzer_versions: dict) -> str | None:
    """Why an index no longer matches the folder it was built from (None when it does)."""
    now = source_checksums(folder)
    if now is None:
        return f"{folder}/ no longer exists"
    if manifest.get("analyzer") != analyzer_versions:
        return "the analyser changed"
    if manifest.get("format_version") != FORMAT_VERSION:
        return "the index format changed"
    if (manifest.get("data") or {}).get("files") != now:
        return f"the articles in {folder}/ changed"
    return None


def rolled_back(index: Path) -> bool:
    """Whether `current` is not the most recently built version (someone rolled back)."""
    kept = version_folders(index)
    return bool(kept) and (index / "current").resolve() != kept[0].resolve()


def same(a: Path, b: Path) -> bool:
    return Path(a).resolve() == Path(b).resolve()


def plan_index(index: Path, data: Path | None, rebuild: bool, analyzer_versions: dict,
               default_index: Path = Path("index"), default_data: Path = Path("data")) -> Plan:
    """What to do with `index` before serving it (IndexUnusable when it must not be served or built)."""
    index = Path(index)
    manifest = current_manifest(index)
    if manifest is None:
        check_index_folder(index)
        source = Path(data or default_data)
        return Plan(source, f"no index in {index}/: building it from {source}/ first")
    is_version = (index / "manifest.json").is_file()
    built_from = Path((manifest.get("data") or {}).get("dir") or "")
    known = bool((manifest.get("data") or {}).get("dir"))
    if is_version and (data or rebuild):
        raise IndexUnusable(f"{index}/ is one version of an index: give its index folder to rebuild it")
    if data is not None:
        if known and not same(data, built_from):
            raise IndexUnusable(f"{index}/ was built from {built_from}/, not {data}/; it is not overwritten: "
                                f"serve it without --data, choose another --index, or replace it "
                                f"with `qa index --data {data} --out {index}`")
        why = "--rebuild" if rebuild else (changed_since(manifest, Path(data), analyzer_versions) if known
                                           else "the folder it was built from is not recorded")
        return Plan(Path(data), f"rebuilding {index}/ from {data}/ first ({why})") if why else Plan()
    if rebuild:
        if not known or not built_from.is_dir():
            raise IndexUnusable(f"{index}/ was built from {built_from or 'an unknown folder'}, which is not "
                                f"there: give --data")
        return Plan(built_from, f"rebuilding {index}/ from {built_from}/ first (--rebuild)")
    why = changed_since(manifest, built_from, analyzer_versions) if known else None
    if why is None:
        return Plan()
    if (same(index, default_index) and same(built_from, default_data) and built_from.is_dir()
            and not rolled_back(index)):
        return Plan(Path(default_data), f"{index}/ is older than {default_data}/ ({why}): rebuilding it first")
    fix = f"qa index --data {built_from} --out {index}"
    if why == "the analyser changed":
        raise IndexUnusable(f"{index}/ was built with another analyser: rebuild it with `{fix}`")
    if why == "the index format changed":
        raise IndexUnusable(f"{index}/ was built in an older index format: rebuild it with `{fix}`")
    note = ", it was rolled back" if rolled_back(index) else ""
    return Plan(None, f"warning: {index}/ is out of date ({why}{note}); serving it as built. To rebuild: {fix}")
