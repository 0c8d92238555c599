"""A build spread over processes gives the same index as one process; Sudachi runs once per text."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qa.index import build_workers, current_version_name, resolve_version_dir
from qa.source import read_source
from conftest import ARTICLE, DATA

QA = Path(sys.executable).with_name("qa")


def corpus(folder: Path) -> Path:
    """The bundled article, edited copies of it (other numbers, years, cities) and Chinese articles."""
    folder.mkdir()
    text = ARTICLE.read_text(encoding="utf-8")
    (folder / ARTICLE.name).write_text(text, encoding="utf-8")
    for i in range(6):
        edited = text.replace("2018", str(2030 + i)).replace("55", str(60 + i)).replace("杭州", "南京")
        (folder / f"edited{i}.md").write_text(edited, encoding="utf-8")
    for i in range(6):
        (folder / f"zh{i}.md").write_text(f"# 区块链{i}\n\n深圳市在{2019 + i}年设立了{i + 3}家区块链研究院。"
                                          f"广州的企业数量达到{100 * i + 7}家。\n", encoding="utf-8")
    return folder


def qa_index(data: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(QA), "index", "--data", str(data), "--out", str(out), *extra],
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_two_processes_build_the_same_index_as_one(tmp_path):
    data = corpus(tmp_path / "data")
    serial = qa_index(data, tmp_path / "serial", "--workers", "1")
    parallel = qa_index(data, tmp_path / "parallel", "--workers", "2")
    assert serial.returncode == 0 and parallel.returncode == 0, serial.stderr + parallel.stderr
    version = current_version_name(tmp_path / "serial")
    assert version and version == current_version_name(tmp_path / "parallel")
    a, b = resolve_version_dir(tmp_path / "serial"), resolve_version_dir(tmp_path / "parallel")
    manifest = json.loads((a / "manifest.json").read_text())
    for name in manifest["files"]:                      # every content file byte for byte
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


@pytest.mark.slow
def test_a_parallel_build_reports_its_progress_article_by_article(tmp_path, analyzer):
    from qa.index import build_index
    data = corpus(tmp_path / "data")
    seen = []
    r = build_index(data, tmp_path / "ix", analyzer, lambda stage, done, total: seen.append((stage, done, total)),
                    workers=2)
    steps = [(done, total) for stage, done, total in seen if stage == "analysing articles in 2 processes"]
    assert steps == [(i, r.articles) for i in range(r.articles + 1)]
    assert r.version == build_index(data, tmp_path / "serial", analyzer, workers=1).version


def test_one_process_for_little_text_every_core_for_much(tmp_path):
    small = read_source(DATA).articles
    assert build_workers(small, None) == 1
    assert build_workers(small, 4) == 1                 # never more processes than articles
    assert build_workers(small * 3, 2) == 2
    big = corpus(tmp_path / "data")
    many = read_source(big).articles * 400              # over the threshold of text to analyse
    assert build_workers(many, None) == (os.cpu_count() or 1)


COMPOUNDS = ["東京都立大学の大学院生が選挙管理委員会に意見書を提出した。",
             "国立研究開発法人情報通信研究機構は量子暗号通信の実証実験を始めた。",
             "粤港澳大湾区のブロックチェーン産業連盟が深圳市で設立された。",
             "外国人観光客向けの免税手続き電子化システムは2020年4月から運用されている。",
             "ｽﾏｰﾄﾌｫﾝ決済の普及率は７５％に達し、キャッシュレス化が加速した。"]


def texts() -> list[str]:
    """The article's lines and sentences full of compounds (which mode A splits)."""
    return [line for line in ARTICLE.read_text(encoding="utf-8").splitlines() if line.strip()] + COMPOUNDS


def test_mode_a_from_the_mode_c_morphemes_equals_tokenising_in_mode_a(analyzer):
    from sudachipy import SplitMode
    tokenizer = analyzer._sudachi_dict.tokenizer(mode=SplitMode.A)
    checked = split = 0
    for text in texts():
        for _, part in analyzer_chunks(text):
            expected = [m.surface() for m in tokenizer.tokenize(part)]
            for _, whole, fine in analyzer.morphemes(part):
                assert [m.surface() for m in fine] == expected, part
                split += len(fine) > len(whole)
            checked += 1
    assert checked >= 30 and split >= 10             # many texts whose compounds mode A cuts finer


def analyzer_chunks(text: str):
    from qa.analysis import SUDACHI_MAX_CHARS, chunks
    return chunks(text, SUDACHI_MAX_CHARS)
