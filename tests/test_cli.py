"""The qa command through click's runner: index, ask, eval; errors are one line, not a traceback."""
from __future__ import annotations

import json
import re

from click.testing import CliRunner

from qa.cli import main
from conftest import DATA, EXAMPLES


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_index_prints_counts_and_time(tmp_path):
    r = run("index", "--data", DATA, "--out", tmp_path / "ix")
    assert r.exit_code == 0, r.output
    assert "1 article: 45 passages, 33 facts" in r.output and " s\n" in r.output
    assert (tmp_path / "ix" / "current").is_symlink()


def test_index_again_says_what_came_from_the_cache(tmp_path, data_copy):
    run("index", "--data", data_copy, "--out", tmp_path / "ix")
    r = run("index", "--data", data_copy, "--out", tmp_path / "ix")
    assert "1 unchanged article reused from the cache, 0 analysed" in r.output and r.output.endswith("(unchanged)\n")
    (data_copy / "new.md").write_text("# 追記\n\n追記の本文です。\n", encoding="utf-8")
    r = run("index", "--data", data_copy, "--out", tmp_path / "ix")
    assert "indexed 2 articles" in r.output and "1 unchanged article reused from the cache, 1 analysed" in r.output


def test_index_command_is_on_the_flask_app_too(runner, tmp_path):
    r = runner.invoke(args=["index", "--data", str(DATA), "--out", str(tmp_path / "ix")])
    assert r.exit_code == 0 and "passages" in r.output


def test_ask_readable_and_json(index_dir):
    r = run("ask", "杭州のサミットはいつですか?", "--index", index_dir)
    assert r.exit_code == 0 and "A: 2017年4月" in r.output and "Passages:" in r.output and "Facts:" in r.output
    r = run("ask", "広州は?", "-H", "杭州には企業が何社ありますか?", "--index", index_dir, "--json")
    body = json.loads(r.output)
    assert body["answer"]["city"] == "広州" and body["index_version"]


def test_ask_prints_the_frame_and_the_answer_in_the_askers_language_first(index_dir):
    r = run("ask", "When did Hangzhou hold its blockchain summit?", "--index", index_dir)
    lines = r.output.splitlines()
    assert lines[1].startswith("   (understood: ") and "Hangzhou" in lines[1]
    assert lines[2] == "A: April 2017" and "2017年4月" in lines[4]
    r = run("ask", "杭州のサミットはいつですか?", "--index", index_dir)
    assert "\nA: 2017年4月" in r.output and "[en;" not in r.output


def test_ask_abstains_readably(index_dir):
    r = run("ask", "東京のブロックチェーン政策は?", "--index", index_dir)
    assert r.exit_code == 0 and "not in the article" in r.output and "東京" in r.output


def test_eval_scores_groups_and_exit_code(index_dir, tmp_path):
    r = run("eval", EXAMPLES, "--index", index_dir)
    assert r.exit_code == 0, r.output
    assert "passed 20/20" in r.output and "(0 wrong answers, 0 wrong refusals)" in r.output
    assert re.search(r"^d\s+20/20\s+100.0%\s+0\s+0$", r.output, re.M) and re.search(r"^ja\s+10/10", r.output, re.M)
    wrong = tmp_path / "wrong.jsonl"
    rows = [{"id": "x1", "lang": "ja", "q": "杭州のサミットはいつですか?", "answer_any": ["1999年"]},    # wrong answer
            {"id": "x2", "lang": "ja", "q": "杭州のサミットはいつですか?", "abstain": True},          # wrong answer
            {"id": "y1", "lang": "ja", "q": "東京のブロックチェーン政策は?", "answer_any": ["東京"]}]     # wrong refusal
    wrong.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    r = run("eval", wrong, "--index", index_dir)
    assert r.exit_code == 1 and "MISS x1 (wrong answer)" in r.output and "rule 5" in r.output
    assert "MISS y1 (wrong refusal)" in r.output and "(2 wrong answers, 1 wrong refusals)" in r.output
    assert re.search(r"^x\s+0/2\s+0.0%\s+2\s+0$", r.output, re.M) and re.search(r"^y\s+0/1\s+0.0%\s+0\s+1$", r.output, re.M)


def test_errors_are_one_clear_line(tmp_path):
    for args, needle in [
        (("ask", "杭州は?", "--index", tmp_path / "none"), "qa index"),
        (("index", "--data", tmp_path / "nodata", "--out", tmp_path / "ix"), "does not exist"),
        (("ask", "   ", "--index", tmp_path), "empty"),
    ]:
        r = CliRunner().invoke(main, [str(a) for a in args])
        assert r.exit_code == 1 and needle in r.output and "Traceback" not in r.output
        assert r.output.startswith("Error:")
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["eval", str(bad), "--index", str(tmp_path)])
    assert r.exit_code == 1 and "bad.jsonl:1" in r.output


def test_bad_glossary_line_is_named(tmp_path, data_copy):
    (data_copy / "glossary.tsv").write_text("kind\tja\tzh\ten\nterm\tブロックチェーン\t区块链\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["index", "--data", str(data_copy), "--out", str(tmp_path / "ix")])
    assert r.exit_code == 1 and "glossary.tsv:2" in r.output and "4 tab-separated columns" in r.output


def test_serve_help_documents_the_connection_limits():
    from qa.server import Limits
    r = run("serve", "--help")
    text = " ".join(r.output.split())
    for option, default in (("--max-connections", Limits.max_connections),
                            ("--request-timeout", Limits.request_timeout), ("--keepalive", Limits.keepalive)):
        assert re.search(rf"{option} .*?\[default: {default}[;\]]", text), option
    assert "--worker-class" not in text                    # the old model is for benchmarks only
