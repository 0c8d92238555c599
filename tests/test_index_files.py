"""Index files: inspectable, versioned, verified; damaged or failed builds never replace a good one."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest

from qa.analysis import analyzer_versions
from qa.index import (FORMAT_VERSION, IndexUnusable, build_index, current_version_name, load_index, read_manifest,
                      resolve_version_dir)
from qa.serve_rules import changed_since
from conftest import DATA


@pytest.fixture
def built(tmp_path, analyzer):
    out = tmp_path / "index"
    build_index(DATA, out, analyzer)
    return out


def test_layout_manifest_and_plain_files(built):
    folder = resolve_version_dir(built)
    assert (built / "current").is_symlink() and folder.parent.name == "versions"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["index_version"] == folder.name == current_version_name(built)
    assert set(manifest["data"]["files"]) == {"blockchain-five-cities.ja.txt", "glossary.tsv"}
    assert {"SudachiPy", "SudachiDict-core", "jieba", "OpenCC"} <= set(manifest["analyzer"])
    assert manifest["counts"]["passages"] == len((folder / "passages.jsonl").read_text(encoding="utf-8").splitlines())
    assert "杭州" in (folder / "passages.jsonl").read_text(encoding="utf-8")      # unescaped
    for name in manifest["files"]:
        assert name.endswith((".json", ".jsonl", ".npy"))
    for npy in folder.glob("*.npy"):
        np.load(npy, allow_pickle=False)


def test_same_data_gives_the_same_version(built, analyzer):
    first = current_version_name(built)
    again = build_index(DATA, built, analyzer)
    assert again.version == first and again.reused


@pytest.mark.parametrize("damage", ["truncate", "flip", "delete", "format"])
def test_damaged_index_is_refused_with_the_fix_named(built, analyzer, damage):
    folder = resolve_version_dir(built)
    target = folder / "passages.jsonl"
    if damage == "truncate":
        target.write_bytes(target.read_bytes()[:100])
    elif damage == "flip":
        target.write_text(target.read_text(encoding="utf-8").replace("杭州", "東京", 1), encoding="utf-8")
    elif damage == "delete":
        (folder / "bm25_docs.npy").unlink()
    else:
        m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        m["format_version"] = 99
        (folder / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    with pytest.raises(IndexUnusable, match="qa index"):
        load_index(built, analyzer)


def test_missing_index_names_the_fix(tmp_path, analyzer):
    with pytest.raises(IndexUnusable, match="qa index"):
        load_index(tmp_path / "nothing", analyzer)


def test_failed_build_keeps_the_old_index(built, analyzer, data_copy):
    before = current_version_name(built)
    (data_copy / "glossary.tsv").write_text("kind\tja\tzh\ten\nterm\t\tx\ty\n", encoding="utf-8")
    with pytest.raises(IndexUnusable, match="glossary.tsv:2"):
        build_index(data_copy, built, analyzer)
    assert current_version_name(built) == before
    assert not [p for p in (built / "versions").iterdir() if p.name.startswith(".build-")]
    load_index(built, analyzer)


def test_rebuild_swaps_atomically_and_prunes(built, analyzer, data_copy):
    versions = []
    for i in range(5):
        with open(data_copy / "extra.md", "w", encoding="utf-8") as f:
            f.write(f"# 追記{i}\n\n追記の本文{i}です。\n")
        versions.append(build_index(data_copy, built, analyzer).version)
    assert len(set(versions)) == 5
    assert current_version_name(built) == versions[-1]
    kept = {p.name for p in (built / "versions").iterdir()}
    assert versions[-1] in kept and len(kept) <= 3
    assert os.readlink(built / "current") == f"versions/{versions[-1]}"


def test_stale_when_data_changes(built, data_copy, analyzer):
    build_index(data_copy, built, analyzer)
    manifest = read_manifest(resolve_version_dir(built))
    assert manifest["data"]["dir"] == str(data_copy.resolve())
    assert changed_since(manifest, data_copy, analyzer_versions()) is None
    (data_copy / "new.md").write_text("# 新\n\n新しい記事。\n", encoding="utf-8")
    assert changed_since(manifest, data_copy, analyzer_versions()) == f"the articles in {data_copy}/ changed"
    assert changed_since(manifest, data_copy, {**analyzer_versions(), "jieba": "0"}) == "the analyser changed"


def test_other_articles_are_indexed_with_their_file_stem(tmp_path, analyzer):
    data = tmp_path / "data"
    data.mkdir()
    (data / "梅雨.md").write_text("# 梅雨\n\n梅雨は雨季の一種である。5月から7月にかけて来る。\n", encoding="utf-8")
    (data / "cn.md").write_text("# 长江\n\n长江是中国最长的河流。\n", encoding="utf-8")
    build_index(data, tmp_path / "ix", analyzer)
    ix = load_index(tmp_path / "ix", analyzer)
    assert {p.doc for p in ix.passages} == {"梅雨", "cn"}
    assert ix.cities == []
    assert {p.lang for p in ix.passages} == {"ja", "zh"}
