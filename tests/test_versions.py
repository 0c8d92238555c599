"""`qa versions` lists what an index folder keeps; `qa rollback` re-points `current` at an earlier one."""
from __future__ import annotations

import json

from click.testing import CliRunner

from qa.cli import DEFAULT_KEEP, MAX_ARTICLE_MB, main
from qa.index import KEEP_VERSIONS, build_index, current_version_name
from qa.source import MAX_ARTICLE_MB as SOURCE_MAX


def run(*args):
    r = CliRunner().invoke(main, [str(a) for a in args])
    return r.exit_code, r.output


def versions(index):
    code, out = run("versions", "--index", index, "--json")
    assert code == 0, out
    return json.loads(out)


def build_three(data, index, analyzer):
    """Three versions: the article, then with one extra article, then with two."""
    ids = [build_index(data, index, analyzer).version]
    for i in range(2):
        (data / f"extra{i}.md").write_text(f"# 追記{i}\n\n追記{i}の本文です。\n", encoding="utf-8")
        ids.append(build_index(data, index, analyzer).version)
    return ids


def test_the_cli_defaults_are_the_cores():
    assert DEFAULT_KEEP == KEEP_VERSIONS and MAX_ARTICLE_MB == SOURCE_MAX


def test_versions_lists_newest_first_with_counts_source_and_current(tmp_path, analyzer, data_copy):
    ids = build_three(data_copy, tmp_path / "ix", analyzer)
    listed = versions(tmp_path / "ix")
    assert [v["id"] for v in listed] == ids[::-1]
    assert [v["current"] for v in listed] == [True, False, False]
    assert [v["articles"] for v in listed] == [3, 2, 1] and listed[2]["passages"] == 45 and listed[2]["facts"] == 33
    assert {v["source"] for v in listed} == {str(data_copy.resolve())}
    code, out = run("versions", "--index", tmp_path / "ix")
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:3] == ["version", "built", "at"]
    assert lines[1].startswith(f"* {ids[2]}") and lines[3].startswith(f"  {ids[0]}")
    assert str(data_copy.resolve()) in lines[1]


def test_rebuilding_an_identical_version_updates_its_built_at_and_source(tmp_path, analyzer, data_copy):
    ids = build_three(data_copy, tmp_path / "ix", analyzer)
    for i in range(2):
        (data_copy / f"extra{i}.md").unlink()
    elsewhere = tmp_path / "elsewhere"
    data_copy.rename(elsewhere)
    r = build_index(elsewhere, tmp_path / "ix", analyzer)
    assert r.version == ids[0] and r.reused
    listed = versions(tmp_path / "ix")
    assert [v["id"] for v in listed] == [ids[0], ids[2], ids[1]] and listed[0]["current"]
    assert listed[0]["source"] == str(elsewhere.resolve())


def test_rollback_goes_one_version_back_each_time_and_stops_at_the_oldest(tmp_path, analyzer, data_copy):
    ids = build_three(data_copy, tmp_path / "ix", analyzer)
    code, out = run("rollback", "--index", tmp_path / "ix")
    assert code == 0 and f"index version {ids[1]}" in out and f"was {ids[2]}" in out
    assert current_version_name(tmp_path / "ix") == ids[1]
    assert [v["id"] for v in versions(tmp_path / "ix")] == ids[::-1]           # nothing removed or reordered
    run("rollback", "--index", tmp_path / "ix")
    assert current_version_name(tmp_path / "ix") == ids[0]
    code, out = run("rollback", "--index", tmp_path / "ix")
    assert code == 1 and out.startswith("Error: no earlier version") and current_version_name(tmp_path / "ix") == ids[0]


def test_rollback_to_a_named_version_or_its_prefix(tmp_path, analyzer, data_copy):
    ids = build_three(data_copy, tmp_path / "ix", analyzer)
    code, out = run("rollback", ids[0][:6], "--index", tmp_path / "ix")
    assert code == 0 and current_version_name(tmp_path / "ix") == ids[0]
    code, out = run("rollback", ids[2], "--index", tmp_path / "ix")          # forward again, by name
    assert code == 0 and current_version_name(tmp_path / "ix") == ids[2]
    code, out = run("rollback", "ffffffff", "--index", tmp_path / "ix")
    assert code == 1 and out.startswith("Error: no kept version matches 'ffffffff'") and ids[1] in out


def test_a_damaged_version_is_not_rolled_back_to(tmp_path, analyzer, data_copy):
    ids = build_three(data_copy, tmp_path / "ix", analyzer)
    target = tmp_path / "ix" / "versions" / ids[1] / "passages.jsonl"
    target.write_bytes(target.read_bytes()[:50])
    code, out = run("rollback", "--index", tmp_path / "ix")
    assert code == 1 and out.startswith(f"Error: version {ids[1]} cannot be served (passages.jsonl is damaged")
    assert current_version_name(tmp_path / "ix") == ids[2]


def test_keep_sets_how_many_versions_stay_and_a_build_keeps_the_one_it_replaced(tmp_path, analyzer, data_copy):
    code, out = run("index", "--data", data_copy, "--out", tmp_path / "ix", "--keep", "2")
    for i in range(3):
        (data_copy / "extra.md").write_text(f"# 追記\n\n追記{i}の本文です。\n", encoding="utf-8")
        code, out = run("index", "--data", data_copy, "--out", tmp_path / "ix", "--keep", "2")
        assert code == 0, out
    assert len(versions(tmp_path / "ix")) == 2
    ids = [v["id"] for v in versions(tmp_path / "ix")]
    run("rollback", "--index", tmp_path / "ix")                     # serving the older of the two
    (data_copy / "extra.md").write_text("# 追記\n\n新しい本文です。\n", encoding="utf-8")
    new = build_index(data_copy, tmp_path / "ix", analyzer, keep=2).version
    assert [v["id"] for v in versions(tmp_path / "ix")] == [new, ids[1]]   # the replaced one, not the newest
    run("index", "--data", data_copy, "--out", tmp_path / "ix", "--keep", "1")
    assert [v["id"] for v in versions(tmp_path / "ix")] == [new]


def test_versions_and_rollback_without_an_index_are_clear_errors(tmp_path):
    for args in (("versions", "--index", tmp_path / "none"), ("rollback", "--index", tmp_path / "none")):
        code, out = run(*args)
        assert code == 1 and out.startswith("Error: no index at") and "qa index --out" in out
