"""`qa serve --index X` serves what was built: what it builds, refuses or warns about before serving."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qa.analysis import analyzer_versions
from qa.index import IndexUnusable, build_index
from qa.serve_rules import plan_index
from qa.versions import rollback
from conftest import DATA


@pytest.fixture
def place(tmp_path):
    """A working folder with its own data/ (the default) and another article folder mine/."""
    shutil.copytree(DATA, tmp_path / "data")
    shutil.copytree(DATA, tmp_path / "mine")
    return tmp_path


def plan(place, index, data=None, rebuild=False):
    return plan_index(place / index, None if data is None else place / data, rebuild, analyzer_versions(),
                      place / "index", place / "data")


def edit(folder: Path, old="55社", new="77社"):
    article = folder / "blockchain-five-cities.ja.txt"
    article.write_text(article.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_a_missing_index_is_built_from_data_or_the_given_folder_and_says_so(place):
    p = plan(place, "index")
    assert p.build_from == place / "data" and p.say == f"no index in {place / 'index'}/: building it from {place / 'data'}/ first"
    p = plan(place, "mine-index", "mine")
    assert p.build_from == place / "mine" and "no index" in p.say


def test_an_index_built_from_another_folder_is_served_as_built(place, analyzer):
    build_index(place / "mine", place / "mine-index", analyzer)
    p = plan(place, "mine-index")
    assert p.build_from is None and p.say is None                     # nothing to say: it is up to date
    edit(place / "mine")
    p = plan(place, "mine-index")
    assert p.build_from is None                                       # stale: served, with one warning line
    assert p.say.startswith("warning: ") and "\n" not in p.say
    assert f"qa index --data {place / 'mine'} --out {place / 'mine-index'}" in p.say


def test_the_default_index_of_the_default_folder_rebuilds_when_data_changed(place, analyzer):
    build_index(place / "data", place / "index", analyzer)
    assert plan(place, "index").build_from is None
    edit(place / "data")
    p = plan(place, "index")
    assert p.build_from == place / "data" and "rebuilding it first" in p.say


def test_the_default_index_built_from_elsewhere_is_never_overwritten(place, analyzer):
    build_index(place / "mine", place / "index", analyzer)
    edit(place / "data")
    edit(place / "mine", "杭州", "西安")
    p = plan(place, "index")
    assert p.build_from is None and p.say.startswith("warning: ")     # its own source changed: warned
    with pytest.raises(IndexUnusable, match="not overwritten"):
        plan(place, "index", "data")


def test_a_rolled_back_default_index_is_not_rebuilt_behind_the_users_back(place, analyzer):
    build_index(place / "data", place / "index", analyzer)
    edit(place / "data")
    build_index(place / "data", place / "index", analyzer)
    rollback(place / "index")
    p = plan(place, "index")
    assert p.build_from is None and "rolled back" in p.say and p.say.startswith("warning: ")


def test_data_given_rebuilds_its_own_index_when_changed_and_rebuild_forces_it(place, analyzer):
    build_index(place / "mine", place / "mine-index", analyzer)
    assert plan(place, "mine-index", "mine").build_from is None
    assert plan(place, "mine-index", rebuild=True).build_from == place / "mine"
    assert plan(place, "mine-index", "mine", rebuild=True).build_from == place / "mine"
    edit(place / "mine")
    assert plan(place, "mine-index", "mine").build_from == place / "mine"


def test_rebuild_without_its_source_folder_is_refused(place, analyzer):
    build_index(place / "mine", place / "mine-index", analyzer)
    shutil.rmtree(place / "mine")
    with pytest.raises(IndexUnusable, match="give --data"):
        plan(place, "mine-index", rebuild=True)
    assert plan(place, "mine-index").say.startswith("warning: ")      # still served as built


def test_a_folder_that_is_not_an_index_is_not_built_into(place):
    (place / "notes").mkdir()
    (place / "notes" / "todo.txt").write_text("x", encoding="utf-8")
    with pytest.raises(IndexUnusable, match="holds other files"):
        plan(place, "notes")


def test_an_index_of_an_older_format_is_rebuilt_by_make_run_and_named_otherwise(place, analyzer):
    """After an upgrade that changes the index format: the default index rebuilds, another is refused with the fix."""
    import json
    from qa.index import resolve_version_dir
    for index, data in (("index", "data"), ("mine-index", "mine")):
        build_index(place / data, place / index, analyzer)
        manifest = resolve_version_dir(place / index) / "manifest.json"
        m = json.loads(manifest.read_text(encoding="utf-8"))
        manifest.write_text(json.dumps({**m, "format_version": m["format_version"] - 1}), encoding="utf-8")
    p = plan(place, "index")
    assert p.build_from == place / "data" and "the index format changed" in p.say
    with pytest.raises(IndexUnusable, match=f"older index format: rebuild it with `qa index --data {place / 'mine'} "
                                            f"--out {place / 'mine-index'}`"):
        plan(place, "mine-index")
