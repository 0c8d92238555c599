"""Incremental builds: reuse the analysis of unchanged articles, and equal a full build byte for byte.

The reference below builds the index files the plain way (every article analysed, every
row's terms listed and counted, one vocabulary for the three row sets), as the code did
before the cache; the real builds must give the same files, whether from scratch or after edits.
"""
from __future__ import annotations

import io
import json
import os
import shutil
import zlib
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from qa.analysis import detect_lang, normalize
from qa.corpus import heading_label, passages_of
from qa.facts import extract_facts
from qa.glossary import parse_glossary
import qa.source
from qa.index import build_index, current_version_name, open_source, resolve_version_dir
from qa.source import SourceError, read_source
from conftest import DATA

pytestmark = pytest.mark.slow


# ---------------------------------------------------------------- the plain way

def plain_rows(token_lists, number):
    """The postings arrays of rows of terms, terms numbered by `number` (term -> number)."""
    rows, doc_len = [[] for _ in range(len(number))], []
    for d, tokens in enumerate(token_lists):
        doc_len.append(len(tokens))
        for term, tf in Counter(tokens).items():
            rows[number[term]].append((d, tf))
    offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(r) for r in rows], out=offsets[1:])
    tfs = [tf for r in rows for _, tf in r]
    tf_type = np.uint8 if max(tfs, default=0) < 256 else np.uint16 if max(tfs) < 65536 else np.uint32
    return (offsets, np.array([d for r in rows for d, _ in r], dtype=np.int32),
            np.array(tfs, dtype=tf_type), np.array(doc_len, dtype=np.int32))


def plain_vocabulary(*row_sets):
    """The vocabulary of every row set: its terms' JSON strings sorted by (crc32, string); a
    term's number is its place."""
    strings = sorted({json.dumps(t, ensure_ascii=False).encode("utf-8") for rows in row_sets for r in rows for t in r},
                     key=lambda e: (zlib.crc32(e), e))
    files = {"terms.json": b"[" + b", ".join(strings) + b"]",
             "term_ends.npy": npy(np.cumsum([len(e) + 2 for e in strings], dtype=np.int64) - 2),
             "term_hashes.npy": npy(np.array([zlib.crc32(e) for e in strings], dtype=np.uint32))}
    return files, {json.loads(e): i for i, e in enumerate(strings)}


def npy(array):
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=False)
    return buf.getvalue()


def plain_files(data: Path, analyzer) -> dict[str, bytes]:
    """The content files of an index of `data`, built without any cache or array tricks."""
    gloss = data / "glossary.tsv"
    entries = parse_glossary(gloss.read_text(encoding="utf-8")) if gloss.exists() else []
    known = {form for e in entries if e.kind == "city" for form in e.ja}

    def city_of(heading):
        label = heading_label(heading)
        return label if label and (label in known or analyzer.is_place_name(label)) else None

    passages, docs = [], []
    for path in sorted(p for p in data.iterdir() if p.suffix in (".md", ".txt") and not p.name.startswith(".")):
        text = path.read_text(encoding="utf-8-sig")
        docs.append(path.stem)
        passages += passages_of(path.stem, text, city_of, analyzer.lexicon.bound_starts,
                                detect_lang(normalize(text[:5000]).text))
    terms = [analyzer.analyze(p.text, p.lang) for p in passages]
    rows: dict = {}
    numbers = [rows.setdefault((p.doc, p.paragraph), len(rows)) for p in passages]
    windows = [[t for j in range(max(0, i - 1), min(len(passages), i + 2)) if numbers[j] == numbers[i]
                for t in terms[j]] for i in range(len(passages))]
    paragraphs = [[] for _ in range(max(numbers, default=-1) + 1)]
    for p, n, t in zip(passages, numbers, terms):
        if not paragraphs[n] and p.kind == "claim" and p.section:
            paragraphs[n].extend(analyzer.analyze(p.section, p.lang))
        paragraphs[n].extend(t)
    files = {"passages.jsonl": "".join(json.dumps(p.to_dict(), ensure_ascii=False) + "\n" for p in passages),
             "facts.jsonl": "".join(json.dumps(f.to_dict(), ensure_ascii=False) + "\n"
                                    for f in extract_facts(passages)),
             "glossary.json": json.dumps([e.to_dict() for e in entries], ensure_ascii=False, indent=1)}
    cities = list(dict.fromkeys(p.city for p in passages if p.city))
    files["docs.json"] = json.dumps(docs, ensure_ascii=False)
    files["cities.json"] = json.dumps(cities, ensure_ascii=False)
    files = {k: v.encode("utf-8") for k, v in files.items()}
    lines = [len((json.dumps(p.to_dict(), ensure_ascii=False) + "\n").encode("utf-8")) for p in passages]
    files["passage_starts.npy"] = npy(np.array([0] + lines, dtype=np.int64).cumsum())
    files["passage_doc.npy"] = npy(np.array([docs.index(p.doc) for p in passages], dtype=np.int32))
    files["passage_city.npy"] = npy(np.array([cities.index(p.city) if p.city else -1 for p in passages], dtype=np.int32))
    files["passage_kind.npy"] = npy(np.array([("heading", "claim", "summary").index(p.kind) for p in passages],
                                             dtype=np.int8))
    files["passage_paragraph.npy"] = npy(np.array(numbers, dtype=np.int32))
    vocabulary, number = plain_vocabulary(terms, paragraphs)
    files.update(vocabulary)
    for prefix, rows in (("", terms), ("win_", windows), ("para_", paragraphs)):
        arrays = plain_rows(rows, number)
        for name, arr in zip(("bm25_offsets.npy", "bm25_docs.npy", "bm25_tfs.npy", "bm25_doc_len.npy"), arrays):
            files[prefix + name] = npy(arr)
    return files


def built_files(index: Path) -> dict[str, bytes]:
    folder = resolve_version_dir(index)
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name not in ("manifest.json", "verified.json")}


def assert_same_files(index: Path, expected: dict[str, bytes]) -> None:
    got = built_files(index)
    assert sorted(got) == sorted(expected)
    for name in expected:
        assert got[name] == expected[name], name


# ---------------------------------------------------------------- corpora

SENTENCES = ["2017年4月、{c}は国内初のサミットを開催した。", "同年10月には支援策を発表した。",
             "{c}には55社のブロックチェーン企業がある。", "これは全国で1位である。", "5月25日に産業センターを設立した。",
             "企業の数は6000以上に増えた。", "政策の導き、アプリケーション指向が特徴である。", "長江は中国最長の河流である。",
             "杭州的区块链企业有55家。", "北京は規制を重視する。", "深圳と上海は金融を重視する。"]
CITIES = ["北京", "上海", "広州", "深圳", "杭州", "大阪"]


def article(n_sections: int, pick) -> str:
    """An article with sections (some about a city), paragraphs, repeats and a summary line."""
    lines = [f"# タイトル{pick(range(3))}", "", f"概要：{pick(CITIES)}は速い、{pick(CITIES)}は堅い", ""]
    for _ in range(n_sections):
        city = pick(CITIES)
        lines += [f"## {city}:{pick(['慎重', '積極的', '開放'])}" if pick([True, False]) else "## 背景", ""]
        for _ in range(pick([1, 2, 3])):
            lines += ["".join(pick(SENTENCES).format(c=city) for _ in range(pick([1, 2, 3]))), ""]
    return "\n".join(lines) + "\n"


def write_corpus(folder: Path, texts: dict[str, str], glossary: str | None = None) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    if glossary:
        (folder / "glossary.tsv").write_text(glossary, encoding="utf-8")


GLOSSARY = "kind\tja\tzh\ten\ncity\t大阪\t大阪\tOsaka\nterm\tサミット\t峰会\tsummit\n"


# ---------------------------------------------------------------- tests

def test_a_build_equals_the_plain_way_on_the_bundled_article(tmp_path, analyzer):
    build_index(DATA, tmp_path / "ix", analyzer)
    assert_same_files(tmp_path / "ix", plain_files(DATA, analyzer))


def test_one_changed_article_is_analysed_again_and_the_result_equals_a_full_build(tmp_path, analyzer, data_copy):
    for i in range(4):                                   # more articles: copies with other stems
        shutil.copy(data_copy / "blockchain-five-cities.ja.txt", data_copy / f"copy{i}.md")
    first = build_index(data_copy, tmp_path / "ix", analyzer)
    assert first.analysed == 5
    again = build_index(data_copy, tmp_path / "ix", analyzer)
    assert again.analysed == 0 and again.reused and again.version == first.version
    copy = data_copy / "copy2.md"
    copy.write_text(copy.read_text(encoding="utf-8").replace("55社", "77社"), encoding="utf-8")
    edited = build_index(data_copy, tmp_path / "ix", analyzer)
    assert edited.analysed == 1 and edited.version != first.version
    full = build_index(data_copy, tmp_path / "fresh", analyzer)
    assert full.analysed == 5 and full.version == edited.version
    assert_same_files(tmp_path / "ix", plain_files(data_copy, analyzer))


def test_added_removed_and_renamed_articles(tmp_path, analyzer, data_copy):
    build_index(data_copy, tmp_path / "ix", analyzer)
    (data_copy / "new.md").write_text("# 大阪:追い上げ\n\n大阪には30社がある。2019年に始まった。\n", encoding="utf-8")
    assert build_index(data_copy, tmp_path / "ix", analyzer).analysed == 1
    (data_copy / "blockchain-five-cities.ja.txt").rename(data_copy / "renamed.txt")   # new stem: new ids
    r = build_index(data_copy, tmp_path / "ix", analyzer)
    assert r.analysed == 1 and r.version == build_index(data_copy, tmp_path / "fresh", analyzer).version
    (data_copy / "new.md").unlink()
    r = build_index(data_copy, tmp_path / "ix", analyzer)
    assert r.analysed == 0 and r.version == build_index(data_copy, tmp_path / "fresh2", analyzer).version


def test_a_glossary_city_change_invalidates_the_cache(tmp_path, analyzer):
    data = tmp_path / "data"
    texts = {"a.md": "# 梅田:速い\n\n梅田には10社がある。\n", "b.md": "# 背景\n\n梅田と大阪は近い。\n"}
    write_corpus(data, texts)
    build_index(data, tmp_path / "ix", analyzer)
    (data / "glossary.tsv").write_text("kind\tja\tzh\ten\ncity\t梅田\t梅田\tUmeda\n", encoding="utf-8")
    r = build_index(data, tmp_path / "ix", analyzer)
    assert r.analysed == 2                                  # the city names change what a heading is about
    assert_same_files(tmp_path / "ix", plain_files(data, analyzer))
    (data / "glossary.tsv").write_text("kind\tja\tzh\ten\ncity\t梅田\t梅田\tUmeda\nterm\t会社\t公司\tcompany\n",
                                       encoding="utf-8")
    assert build_index(data, tmp_path / "ix", analyzer).analysed == 0   # a term row changes no article


def test_a_damaged_or_foreign_cache_is_ignored(tmp_path, analyzer, data_copy):
    first = build_index(data_copy, tmp_path / "ix", analyzer)
    cache = tmp_path / "ix" / "cache"
    for f in cache.iterdir():
        if f.name.startswith("passages-"):
            f.write_bytes(f.read_bytes()[:100])
    r = build_index(data_copy, tmp_path / "ix", analyzer)
    assert r.analysed == 1 and r.version == first.version
    state = json.loads((cache / "state.json").read_text(encoding="utf-8"))
    state["settings"] = "another analyser"
    (cache / "state.json").write_text(json.dumps(state), encoding="utf-8")
    assert build_index(data_copy, tmp_path / "ix", analyzer).analysed == 1


def test_the_cache_is_one_snapshot_of_plain_files(tmp_path, analyzer, data_copy):
    for i in range(3):
        (data_copy / "extra.md").write_text(f"# 追記\n\n追記{i}の本文です。\n", encoding="utf-8")
        build_index(data_copy, tmp_path / "ix", analyzer)
    files = sorted((tmp_path / "ix" / "cache").iterdir())
    assert len(files) == 11 and {f.suffix for f in files} == {".json", ".jsonl", ".npy"}
    for f in files:
        if f.suffix == ".npy":
            np.load(f, allow_pickle=False)
        elif f.suffix == ".json":
            json.loads(f.read_text(encoding="utf-8"))
        else:
            [json.loads(line) for line in f.read_text(encoding="utf-8").splitlines()]
    assert current_version_name(tmp_path / "ix")


def test_unchanged_data_files_are_not_read_again_and_an_edit_is_seen_whatever_its_mtime(
        tmp_path, analyzer, data_copy, monkeypatch):
    monkeypatch.setattr(qa.source, "TRUST_AFTER_NS", 0)     # (else: only files unchanged for 2 s)
    for i in range(3):
        (data_copy / f"a{i}.md").write_text(f"# 大阪:追い上げ\n\n大阪には{i}1社がある。\n", encoding="utf-8")
    first = build_index(data_copy, tmp_path / "ix", analyzer)
    source = open_source(data_copy, root=tmp_path / "ix")
    assert [f.content for f in source.articles] == [None] * 4       # stats as recorded: sha256 known, not read
    assert source.checksums() == read_source(data_copy).checksums()
    edited = data_copy / "a1.md"
    before = edited.stat()
    edited.write_text("# 大阪:追い上げ\n\n大阪には99社がある。\n", encoding="utf-8")     # same size ...
    os.utime(edited, ns=(before.st_atime_ns, before.st_mtime_ns))                     # ... and mtime
    source = open_source(data_copy, root=tmp_path / "ix")
    assert [f.name for f in source.articles if f.content is not None] == ["a1.md"]     # its ctime moved
    r = build_index(data_copy, tmp_path / "ix", analyzer)
    assert r.analysed == 1 and r.version != first.version
    assert "99社" in (resolve_version_dir(tmp_path / "ix") / "passages.jsonl").read_text(encoding="utf-8")
    assert r.version == build_index(data_copy, tmp_path / "fresh", analyzer).version


def test_a_data_file_written_just_before_a_build_is_read_again(tmp_path, analyzer, data_copy):
    build_index(data_copy, tmp_path / "ix", analyzer)
    source = open_source(data_copy, root=tmp_path / "ix")        # written less than 2 s before it was read
    assert all(f.content is not None for f in source.articles)


def test_a_file_changed_after_its_stat_was_trusted_is_refused_not_analysed(tmp_path, analyzer, data_copy,
                                                                           monkeypatch):
    monkeypatch.setattr(qa.source, "TRUST_AFTER_NS", 0)
    build_index(data_copy, tmp_path / "ix", analyzer)
    source = open_source(data_copy, root=tmp_path / "ix")
    article = source.articles[0]
    assert article.content is None
    Path(article.path).write_text("# 変更\n\n別の本文。\n", encoding="utf-8")
    with pytest.raises(SourceError, match="changed while the index was being built"):
        article.raw


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_random_corpora_and_edits_equal_the_plain_way(tmp_path_factory, analyzer, data):
    root = tmp_path_factory.mktemp("random")
    pick = lambda xs: data.draw(st.sampled_from(list(xs)))                            # noqa: E731
    texts = {f"a{i}.md": article(data.draw(st.integers(0, 3)), pick) for i in range(data.draw(st.integers(1, 4)))}
    if pick([True, False]):
        texts["empty.txt"] = ""
    write_corpus(root / "data", texts, GLOSSARY if pick([True, False]) else None)
    build_index(root / "data", root / "ix", analyzer)
    assert_same_files(root / "ix", plain_files(root / "data", analyzer))
    for _ in range(2):                                      # edit, add or remove an article, rebuild
        name = pick(list(texts) + ["added.md"])
        if name in texts and len(texts) > 1 and pick([True, False]):
            del texts[name]
        else:
            texts[name] = article(data.draw(st.integers(0, 3)), pick)
        write_corpus(root / "data", texts, GLOSSARY if pick([True, False]) else None)
        build_index(root / "data", root / "ix", analyzer)
        assert_same_files(root / "ix", plain_files(root / "data", analyzer))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.lists(st.lists(st.integers(0, 12), max_size=6), min_size=0, max_size=6),
                          st.lists(st.booleans(), min_size=6, max_size=6),
                          st.lists(st.lists(st.integers(0, 14), min_size=1, max_size=3), min_size=6, max_size=6)),
                min_size=1, max_size=4))
def test_assembled_rows_equal_the_plain_way_on_random_term_lists(spec):
    """Articles of random term numbers, paragraph breaks and heading inserts, through `assemble`."""
    from qa.article_pieces import Article
    from qa.assemble import TermTable, assemble
    words = [f"w{i}" for i in range(15)]
    table = TermTable.of([json.dumps(w).encode() for w in reversed(words)])          # any numbering
    number = {w: len(words) - 1 - i for i, w in enumerate(words)}
    articles, passages_terms, row_of, heads_of = [], [], [], {}
    for k, (passages, breaks, heads) in enumerate(spec):
        rows, row, inserts = [], 0, []
        for i, terms in enumerate(passages):
            row += i > 0 and breaks[i]
            rows.append(row)
            if breaks[i] and i % 2:                              # a heading opens this row
                inserts.append((i, [words[t] for t in heads[i]]))
        terms = [[words[t] for t in ts] for ts in passages]
        for (i, h) in inserts:
            heads_of[(k, i)] = h
        passages_terms += terms
        row_of += [(k, r) for r in rows]
        ids = [number[w] for ts in terms for w in ts] + [number[w] for _, h in inserts for w in h]
        info = np.array([[0, r, len(ts), 1, -1] for r, ts in zip(rows, terms)], dtype=np.int64).reshape(-1, 5)
        articles.append(Article(f"d{k}", "x", [], [], b"", info, b"", np.empty((0, 2), np.int64),
                                np.array([[i, len(h)] for i, h in inserts], dtype=np.int64).reshape(-1, 2),
                                ids=np.array(ids, dtype=np.int64)))
    built = assemble(articles, table)
    numbers = {}
    para = [numbers.setdefault(r, len(numbers)) for r in row_of]
    windows = [[t for j in range(max(0, i - 1), min(len(para), i + 2)) if para[j] == para[i] for t in passages_terms[j]]
               for i in range(len(para))]
    paragraphs = [[] for _ in range(len(numbers))]
    flat = [(k, i) for k, (passages, _, _) in enumerate(spec) for i in range(len(passages))]
    for key, n, t in zip(flat, para, passages_terms):
        paragraphs[n] += heads_of.get(key, []) + t
    vocabulary, number = plain_vocabulary(passages_terms, paragraphs)
    assert {name: b"".join(bytes(p) for p in content) for name, content in built.vocab.files()} == vocabulary
    for prefix, rows in (("", passages_terms), ("win_", windows), ("para_", paragraphs)):
        arrays = plain_rows(rows, number)
        got = built.rows[prefix]
        for ours, plain in zip((got.offsets, got.docs, got.tfs, got.doc_len), arrays):
            assert np.array_equal(np.asarray(ours, dtype=np.int64), plain.astype(np.int64)), prefix
