"""Hostile or broken data folders: the real `qa index` stops with one clear line and changes nothing.

Each case builds a good index first, breaks a copy of the data folder, runs `qa index` as a
user would (a separate process) and checks the exit status, the one-line `Error: ...`,
and that `current` still points at the same version with the same files (cache included).
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qa.index import build_index

QA = Path(sys.executable).with_name("qa")
UNREADABLE_AS_ROOT = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]   # root reads chmod 000 files


def state(index: Path) -> dict[str, str]:
    """Where `current` points and the sha256 of every file of the index folder."""
    files = {str(p.relative_to(index)): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(index.rglob("*")) if p.is_file() and not p.is_symlink() and p.name != ".lock"}
    return {"current": os.readlink(index / "current"), **files}


def oversize(data: Path) -> None:
    with open(data / "big.md", "wb") as f:
        f.write(("# 大きな記事\n\n" + "本文です。" * 100 + "\n").encode("utf-8"))
        f.truncate(10_500_000)


def unreadable(data: Path) -> None:
    (data / "secret.md").write_text("# 秘密\n\n本文。\n", encoding="utf-8")
    (data / "secret.md").chmod(0)


def outside_link(data: Path) -> None:
    outside = data.parent / "outside.md"
    outside.write_text("# 外\n\n外の記事。\n", encoding="utf-8")
    (data / "link.md").symlink_to(outside)


CASES = {
    # name: (break the folder, text the error must contain)
    "missing folder": (None, "does not exist"),
    "empty folder": (lambda d: [p.unlink() for p in d.iterdir()], "no articles in"),
    "not UTF-8": (lambda d: (d / "sjis.txt").write_bytes("本文です。".encode("shift_jis")),
                  "sjis.txt: not UTF-8 (invalid start byte at byte 0)"),
    "over the size limit": (oversize, "big.md is 10.5 MB, over the 10 MB limit for a file of the data folder "
                                      "(qa index --max-article-mb)"),
    "no read permission": (unreadable, "secret.md cannot be read (Permission denied)"),
    "a FIFO named .md": (lambda d: os.mkfifo(d / "pipe.md"), "pipe.md cannot be read: it is a FIFO, not a text file"),
    "a folder named .txt": (lambda d: (d / "notes.txt").mkdir(), "notes.txt cannot be read: it is a folder"),
    "a broken symlink": (lambda d: (d / "gone.md").symlink_to(d / "nowhere.md"),
                         "gone.md cannot be read: it is a broken symlink"),
    "a symlink outside the folder": (outside_link, "link.md is a symlink to"),
    "two files, one article": (lambda d: (d / "blockchain-five-cities.ja.md").write_text("# x\n\nx。\n", encoding="utf-8"),
                               "would both be article 'blockchain-five-cities.ja': rename one"),
    "a glossary with a bad row": (lambda d: (d / "glossary.tsv").write_text(
        "kind\tja\tzh\ten\nterm\tブロックチェーン\t区块链\n", encoding="utf-8"),
        "glossary.tsv:2: expected 4 tab-separated columns (kind, ja, zh, en), found 3"),
    "a glossary not in UTF-8": (lambda d: (d / "glossary.tsv").write_bytes("kind\tja\tzh\ten\n都市".encode("euc-jp")),
                                "glossary.tsv: not UTF-8"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_broken_folder_is_one_clear_error_and_changes_nothing(case, tmp_path, analyzer, data_copy):
    index = tmp_path / "index"
    build_index(data_copy, index, analyzer)
    before = state(index)
    breaker, expected = CASES[case]
    data = tmp_path / "missing" if breaker is None else data_copy
    if breaker:
        breaker(data)
    cmd = [str(QA), "index", "--data", str(data), "--out", str(index)]
    if case == "no read permission" and os.geteuid() == 0:
        cmd = UNREADABLE_AS_ROOT + cmd
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert run.stdout == "" and run.stderr.count("\n") == 1 and run.stderr.startswith("Error: "), run.stderr
    assert expected in run.stderr, run.stderr
    assert "Traceback" not in run.stderr
    assert state(index) == before
    print(f"{case}: {run.stderr.strip()}")


def test_the_size_limit_is_an_option(tmp_path, data_copy):
    (data_copy / "big.md").write_text("# 大\n\n" + "本文です。" * 200_000 + "\n", encoding="utf-8")   # 3 MB
    small = subprocess.run([str(QA), "index", "--data", str(data_copy), "--out", str(tmp_path / "ix"),
                            "--max-article-mb", "1"], capture_output=True, text=True, timeout=120)
    assert small.returncode == 1 and "over the 1 MB limit" in small.stderr
    assert not (tmp_path / "ix").exists()                          # a refused first build leaves nothing
    ok = subprocess.run([str(QA), "index", "--data", str(data_copy), "--out", str(tmp_path / "ix")],
                        capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0, ok.stderr


def test_symlinks_inside_the_folder_and_hidden_files_are_fine(tmp_path, analyzer, data_copy):
    (data_copy / "same.md").symlink_to(data_copy / "blockchain-five-cities.ja.txt")
    (data_copy / ".#blockchain-five-cities.ja.txt").symlink_to("user@host.123:456")   # an editor's lock
    r = build_index(data_copy, tmp_path / "ix", analyzer)
    assert r.articles == 2
