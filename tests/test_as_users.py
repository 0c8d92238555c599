"""As users run it: `qa index` and `qa serve` as separate processes, on a folder other than data/.

An edited copy of the article (other cities, figures and years) is indexed into its own
index folder and served; the answers come from it, not from the bundled article.  Then
the article is edited and indexed again, and the running server moves to the new
version; `qa rollback` moves it back.  And `qa serve` with no options (`make run`) still
builds and serves the bundled article from data/.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from liveserver import QA, get_json, post_json, serve, wait_for_version
from test_edited_article import CITY_ROWS, edit
from conftest import ARTICLE, DATA, ROOT

pytestmark = pytest.mark.slow


def qa(*args, cwd: Path | None = None) -> str:
    run = subprocess.run([str(QA), *map(str, args)], capture_output=True, text=True, timeout=300, cwd=cwd)
    assert run.returncode == 0, run.stderr
    return run.stdout


def edited_copy(folder: Path) -> Path:
    """data/ with the article edited (cities, figures, years) and the glossary's city rows to match."""
    folder.mkdir()
    (folder / ARTICLE.name).write_text(edit(ARTICLE.read_text(encoding="utf-8")), encoding="utf-8")
    glossary = (DATA / "glossary.tsv").read_text(encoding="utf-8").splitlines()
    rows = [line for line in glossary if line.startswith("kind")]
    rows += [f"city\t{ja}\t{zh}\t{en}" for ja, (zh, en) in CITY_ROWS.items()]
    rows += [line for line in glossary if line.startswith(("term", "place"))]
    (folder / "glossary.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def replace(folder: Path, old: str, new: str) -> None:
    article = folder / ARTICLE.name
    article.write_text(article.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def answer(server, question: str) -> str:
    status, body = post_json(server.url + "/ask", {"question": question})
    assert status == 200 and body["answer"], body
    return body["answer"]["text"]


def current(index: Path) -> str:
    return json.loads(qa("versions", "--index", index, "--json"))[0]["id"]


XIAN = "西安には何社のブロックチェーン企業がありますか?"


def test_index_then_serve_another_folder_and_follow_its_edits(tmp_path):
    mine, index = edited_copy(tmp_path / "my-articles"), tmp_path / "my-index"
    out = qa("index", "--data", mine, "--out", index)
    assert "index version" in out
    first = current(index)
    with serve(index, None, tmp_path / "serve.log", timeout=60) as server:
        assert get_json(server.url + "/healthz")["index_version"] == first
        assert "77" in answer(server, XIAN)                                    # the edited copy's figure
        assert answer(server, "西安でブロックチェーンサミットが開催されたのはいつですか?") == "2022年9月"
        status, body = post_json(server.url + "/ask", {"question": "杭州のサミットはいつですか?"})
        assert body["answer"] is None                                          # the bundled city is unknown
        assert "building" not in server.log_text()
        assert [v["id"] for v in json.loads(qa("versions", "--index", index, "--json"))] == [first]

        replace(mine, "77社", "88社")                                          # edit, index again
        qa("index", "--data", mine, "--out", index)
        second = current(index)
        assert second != first
        wait_for_version(server, second, timeout=60)
        assert "88" in answer(server, XIAN)
    assert f"now serving index version {second}" in server.log_text()


def test_an_out_of_date_index_is_served_as_built_with_one_warning(tmp_path):
    mine, index = edited_copy(tmp_path / "my-articles"), tmp_path / "my-index"
    qa("index", "--data", mine, "--out", index)
    first = current(index)
    replace(mine, "77社", "88社")                                              # edited, not indexed again
    with serve(index, None, tmp_path / "serve.log", timeout=60) as server:
        assert get_json(server.url + "/healthz")["index_version"] == first
        assert "77" in answer(server, XIAN)
    source = mine.resolve()
    warnings = [line for line in server.log_text().splitlines() if line.startswith("warning: ")]
    assert warnings == [f"warning: {index}/ is out of date (the articles in {source}/ changed); serving it as "
                        f"built. To rebuild: qa index --data {source} --out {index}"]
    assert [v["id"] for v in json.loads(qa("versions", "--index", index, "--json"))] == [first]


def test_rollback_under_a_running_server(tmp_path):
    mine, index = edited_copy(tmp_path / "my-articles"), tmp_path / "my-index"
    qa("index", "--data", mine, "--out", index)
    first = current(index)
    replace(mine, "77社", "99社")
    qa("index", "--data", mine, "--out", index)
    second = current(index)
    with serve(index, None, tmp_path / "serve.log", timeout=60) as server:
        assert "99" in answer(server, XIAN)
        out = qa("rollback", "--index", index)
        assert f"index version {first}" in out and f"was {second}" in out
        wait_for_version(server, first, timeout=60)
        assert "77" in answer(server, XIAN)
        qa("rollback", second, "--index", index)                               # and forward again
        wait_for_version(server, second, timeout=60)
        assert "99" in answer(server, XIAN)
    listed = json.loads(qa("versions", "--index", index, "--json"))
    assert [v["id"] for v in listed] == [second, first] and listed[0]["current"]


def test_serve_with_no_options_builds_and_serves_the_bundled_article_as_make_run_does(tmp_path):
    shutil.copytree(DATA, tmp_path / "data")                                  # a checkout: data/, and index/
    (tmp_path / "index").mkdir()                                              # with only its README
    shutil.copy(ROOT / "index" / "README.md", tmp_path / "index" / "README.md")
    with serve(None, None, tmp_path / "serve.log", cwd=tmp_path, timeout=60) as server:
        assert answer(server, "杭州のサミットはいつですか?") == "2017年4月"
    assert "no index in index/: building it from data/ first" in server.log_text()
    replace(tmp_path / "data", "55社", "66社")                                 # edit data/, `make run` again
    with serve(None, None, tmp_path / "serve2.log", cwd=tmp_path, timeout=60) as server:
        assert "66" in answer(server, "杭州には何社のブロックチェーン企業がありますか?")
    assert "index/ is older than data/" in server.log_text() and "rebuilding it first" in server.log_text()
