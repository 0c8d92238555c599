"""Ingestion: each claim once, no image markup, the city of every passage from its heading."""
from __future__ import annotations

import re
from collections import Counter

from qa.corpus import blocks_of, dedup_key, heading_label, passages_of
from qa.source import SourceError, read_source
from conftest import ARTICLE, DATA


def test_bundled_article_is_the_shared_file_byte_for_byte():
    shared = DATA.parent.parent / "shared" / "corpus" / ARTICLE.name
    if shared.exists():                       # only on the development machine
        assert ARTICLE.read_bytes() == shared.read_bytes()
    assert ARTICLE.read_bytes().startswith("# ブロックチェーン".encode())


def test_every_claim_once_although_the_article_is_pasted_twice(index):
    keys = Counter(dedup_key(p.text) for p in index.passages)
    assert keys and max(keys.values()) == 1
    # every sentence of the plain copy (lines without markup) is some passage's text or inside one
    plain = [line for line in ARTICLE.read_text(encoding="utf-8").splitlines()[2:]
             if line and not line.startswith("!")]
    texts = "".join(p.text for p in index.passages)
    for line in plain:
        for sentence in re.findall(r"[^。]+。", line):
            assert sentence in texts, sentence


def test_no_image_names_or_urls_in_any_passage(index):
    for p in index.passages:
        assert not re.search(r"https?://|\.jpe?g|!\s*\[|\]\(", p.text), p.text


def test_city_comes_from_the_section_heading(index):
    for p in index.passages:
        if p.kind != "summary":
            assert p.section is not None
        label = heading_label(p.section or "")
        if p.city:
            assert label == p.city and p.section.startswith(p.city)
    assert index.cities == ["北京", "上海", "広州", "深圳", "杭州"]


def test_intro_and_summary_belong_to_no_city_and_are_searchable(index, ask):
    intro = [p for p in index.passages if "5つの都市" in p.text]
    summary = [p for p in index.passages if p.kind == "summary"]
    assert len(intro) == 1 and intro[0].city is None
    assert len(summary) == 1 and summary[0].city is None and "比較" in summary[0].text
    body = ask("五大都市の政策配置の比較で重要な拠点となっている理由は何ですか?")
    assert any(p["city"] is None for p in body["passages"])


def test_one_passage_per_sentence_except_bound_pairs(index):
    bound = [p for p in index.passages if "これは広東省" in p.text]
    assert len(bound) == 1 and bound[0].text.startswith("2017年7月")
    for p in index.passages:
        if p.kind == "claim":
            assert p.text.count("。") <= 2


def test_ids_are_stable_and_carry_doc_and_order(index, analyzer):
    from qa.index import read_corpus
    again, _, _ = read_corpus(DATA, analyzer)
    assert [p.id for p in again] == [p.id for p in index.passages]
    assert all(p.doc == ARTICLE.stem and p.id.startswith(p.doc + ":") for p in index.passages)


def test_markdown_headings_split_from_run_on_text():
    text = "# Title\n\n## 大阪:速い大阪は速い。次の文。\n大阪:速い\n大阪は速い。次の文。\n"
    blocks = blocks_of(text)
    assert [b.kind for b in blocks][:3] == ["heading", "heading", "paragraph"]
    ps = passages_of("t", text, lambda h: heading_label(h))
    assert [p.text for p in ps] == ["Title", "大阪:速い", "大阪は速い。", "次の文。"]
    assert [p.city for p in ps][2:] == ["大阪", "大阪"]


def test_articles_are_md_and_txt_files_only(tmp_path):
    (tmp_path / "a.md").write_text("# A\n\n本文。\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("本文。\n", encoding="utf-8")
    (tmp_path / "glossary.tsv").write_text("kind\tja\tzh\ten\n", encoding="utf-8")
    (tmp_path / "notes.json").write_text("{}", encoding="utf-8")
    (tmp_path / ".#a.md").write_text("an editor's lock file", encoding="utf-8")
    source = read_source(tmp_path)
    assert [a.name for a in source.articles] == ["a.md", "b.txt"] and source.glossary.name == "glossary.tsv"


def test_a_non_utf8_article_is_a_clear_error(tmp_path):
    import pytest
    bad = tmp_path / "bad.txt"
    bad.write_bytes("本文".encode("shift_jis"))
    with pytest.raises(SourceError, match="bad.txt: not UTF-8"):
        read_source(tmp_path)
