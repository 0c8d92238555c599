"""The versions kept in an index folder: list them, and point `current` back at an earlier one.

A version's "built at" is the last time a build produced it: building the same data again
reuses its folder (same `index_version`) and takes the new time and source folder.  The
list is ordered by it, newest first; `qa rollback` without a version goes one row down
from the current version.  Rolling back only re-points `current` (one atomic rename, like
a build's swap), so a running `qa serve` picks it up the same way; it removes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .index import (IndexUnusable, build_lock, built_at, current_version_name, read_manifest, swap_current,
                    verify_version, version_folders)


@dataclass
class Version:
    id: str
    built_at: str
    source: str | None              # the data folder it was built from
    counts: dict
    current: bool
    problem: str | None = None      # why it cannot be served (only checked when asked)

    def to_dict(self) -> dict:
        return {"id": self.id, "built_at": self.built_at, "source": self.source, "current": self.current,
                **{k: self.counts.get(k) for k in ("articles", "passages", "facts")},
                **({"problem": self.problem} if self.problem else {})}


def list_versions(root: Path) -> list[Version]:
    """The kept versions, most recently built first."""
    root = Path(root)
    current = current_version_name(root)
    out = []
    for folder in version_folders(root):
        m = read_manifest(folder) or {}
        out.append(Version(folder.name, built_at(folder), (m.get("data") or {}).get("dir"), m.get("counts") or {},
                           folder.name == current, None if m else "no readable manifest"))
    return out


def pick_target(versions: list[Version], wanted: str | None) -> Version:
    """The version `qa rollback` goes to: the one named (or an unambiguous prefix), else the one built before."""
    if wanted:
        found = [v for v in versions if v.id == wanted] or [v for v in versions if v.id.startswith(wanted)]
        if len(found) != 1:
            kept = ", ".join(v.id for v in versions) or "none"
            raise IndexUnusable(f"{'no' if not found else 'more than one'} kept version matches {wanted!r} "
                                f"(kept: {kept})")
        return found[0]
    at = next((i for i, v in enumerate(versions) if v.current), None)
    if at is None or at + 1 >= len(versions):
        raise IndexUnusable("no earlier version is kept to roll back to (see `qa versions`)")
    return versions[at + 1]


def rollback(root: Path, wanted: str | None = None, analyzer_versions: dict | None = None) -> Version:
    """Point `current` at an earlier kept version (verified first); returns it."""
    root = Path(root)
    if not (root / "versions").is_dir():
        raise IndexUnusable(f"no index at {root}: build one with `qa index --out {root}`")
    with build_lock(root):
        target = pick_target(list_versions(root), wanted)
        folder = root / "versions" / target.id
        problem = verify_version(folder)
        if problem is None and analyzer_versions:
            built = (read_manifest(folder) or {}).get("analyzer")
            if built != analyzer_versions:
                problem = "it was built with another analyser"
        if problem:
            raise IndexUnusable(f"version {target.id} cannot be served ({problem}); current is unchanged")
        if not target.current:
            swap_current(root, folder)
    target.current = True
    return target
