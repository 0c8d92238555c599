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


def test_a_same_size_edit_with_its_time_set_back_is_still_refused(built, analyzer):
    """The load skips the checksums only while every file is as verified.json saw it; the
    change time moves on any write, whatever the modification time is set back to."""
    folder = resolve_version_dir(built)
    load_index(built, analyzer)
    assert (folder / "verified.json").is_file()
    target = folder / "passages.jsonl"
    before = target.stat()
    raw = target.read_bytes()
    target.write_bytes(raw.replace("杭州".encode(), "東京".encode(), 1))
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert target.stat().st_size == before.st_size
    with pytest.raises(IndexUnusable, match="passages.jsonl is damaged"):
        load_index(built, analyzer)
    target.write_bytes(raw)                        # put back: verified in full again, then served
    assert load_index(built, analyzer).version == folder.name


def test_arrays_vocabulary_and_passages_are_memory_mapped(built, analyzer):
    """The loaded index reads its files through shared read-only mappings, not copies."""
    from qa.npyfile import is_mapped
    index = load_index(built, analyzer)
    folder = resolve_version_dir(built)
    for rows in (index.bm25, index.windows, index.paragraphs):
        for array in (rows.offsets, rows.docs, rows.tfs, rows.doc_len):
            assert is_mapped(array)
    store = index.passages
    for array in (store.starts, store.doc, store.city, store.kind, store.paragraph):
        assert is_mapped(array)
    maps = open("/proc/self/maps", encoding="utf-8").read()
    for name in ("terms.json", "term_hashes.npy", "term_ends.npy", "passages.jsonl", "bm25_docs.npy",
                 "win_bm25_docs.npy", "para_bm25_tfs.npy"):
        assert str(folder / name) in maps, name
    p = index.passages[40]                      # columns and the line agree
    assert (p.id, p.doc, p.city, p.kind) == tuple(json.loads(store.line(40))[k] for k in ("id", "doc", "city", "kind"))
    assert all(index.by_id[q.id] == n for n, q in enumerate(index.passages))


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
