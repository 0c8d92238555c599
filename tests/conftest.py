"""Shared fixtures: one analyser and one built index per session (they are expensive)."""
from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
ARTICLE = DATA / "blockchain-five-cities.ja.txt"
EXAMPLES = ROOT / "tests" / "examples" / "questions.jsonl"

warnings.filterwarnings("ignore", category=DeprecationWarning)


@pytest.fixture(scope="session")
def analyzer():
    from qa.analysis import Analyzer
    return Analyzer()


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory, analyzer) -> Path:
    from qa.index import build_index
    out = tmp_path_factory.mktemp("index")
    build_index(DATA, out, analyzer)
    return out


@pytest.fixture(scope="session")
def index(index_dir, analyzer):
    from qa.index import load_index
    return load_index(index_dir, analyzer)


@pytest.fixture(scope="session")
def service(index_dir, analyzer):
    from qa.service import Service
    return Service(index_dir, analyzer)


@pytest.fixture
def app(service, index_dir):
    from qa.app import create_app
    return create_app({"TESTING": True, "INDEX": str(index_dir), "SERVICE": service})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ask(service):
    """Ask through the core, as /ask does."""
    def _ask(question: str, history: list[str] | None = None, top_k: int = 5) -> dict:
        return service.ask(question, history or [], top_k)
    return _ask


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A writable copy of data/."""
    dest = tmp_path / "data"
    shutil.copytree(DATA, dest)
    return dest
