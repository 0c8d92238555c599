"""Browser tests: the real app on a live local server, driven through Debian's Chromium.

Playwright cannot download browsers here, so Chromium is always Debian's
(`/usr/bin/chromium`, or $QA_CHROMIUM); when it is missing the tests fail, never skip.
"""
from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
RESULTS = ROOT / "test-results" / "browser"
CHROMIUM = os.environ.get("QA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]

expect.set_options(timeout=10_000)


# ---------------------------------------------------------------- server and browser

@pytest.fixture(scope="session")
def live_server(tmp_path_factory, analyzer):
    """The real app (own index of data/) on a free local port, in a daemon thread."""
    from qa.app import create_app
    from qa.index import build_index
    from qa.service import Service

    index_dir = tmp_path_factory.mktemp("browser-index")
    build_index(DATA, index_dir, analyzer)
    app = create_app({"INDEX": str(index_dir), "SERVICE": Service(index_dir, analyzer)})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="qa-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    return live_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"Chromium not found at {CHROMIUM}: the browser tests need Debian's chromium and "
                    "fonts-noto-cjk (`make system-deps`, or set QA_CHROMIUM)", pytrace=False)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "ja-JP", "timezone_id": "Asia/Tokyo"}


# ---------------------------------------------------------------- the chat page

class Chat:
    """The chat page: its parts as locators, asking, and what the browser reported."""

    def __init__(self, page: Page):
        self.page = page
        self.console_errors: list[str] = []
        self.dialogs: list[str] = []
        self.allowed_errors: list[re.Pattern] = []   # console errors a test provokes on purpose
        self.response = None                          # of the page itself
        page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(msg.text))
        page.on("pageerror", lambda exc: self.console_errors.append(f"uncaught: {exc}"))
        page.on("dialog", self._on_dialog)

    def _on_dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    # parts
    # by id: their labels follow the language of the last question (tests of the labels name them)
    @property
    def input(self) -> Locator:
        return self.page.locator("#question")

    @property
    def send(self) -> Locator:
        return self.page.locator("#send")

    @property
    def new_chat(self) -> Locator:
        return self.page.locator("#new-chat")

    @property
    def log(self) -> Locator:
        return self.page.locator("#messages")

    @property
    def suggestions(self) -> Locator:
        return self.page.locator("#suggestions button")

    @property
    def replies(self) -> Locator:
        """Finished replies: answers, not-in-article answers and errors (not the thinking bubble)."""
        return self.page.locator(".msg-bot .bubble:not(.bubble-thinking)")

    @property
    def last_reply(self) -> Locator:
        return self.replies.last

    def open(self) -> "Chat":
        self.response = self.page.goto("/")
        expect(self.input).to_be_visible()
        return self

    def ask(self, question: str) -> Locator:
        """Type a question, press Enter, wait for its reply and return it."""
        before = self.replies.count()
        self.input.fill(question)
        self.input.press("Enter")
        expect(self.replies).to_have_count(before + 1)
        expect(self.log).to_have_attribute("aria-busy", "false")
        return self.last_reply

    def allow_console_error(self, pattern: str) -> None:
        """Chromium logs failed requests ("Failed to load resource: ... status of 500") as console errors."""
        self.allowed_errors.append(re.compile(pattern))

    def unexpected_console_errors(self) -> list[str]:
        return [e for e in self.console_errors if not any(p.search(e) for p in self.allowed_errors)]


@pytest.fixture
def chat(page: Page) -> Chat:
    """The chat page, opened; after the test, no console errors (CSP violations included) and no dialogs."""
    c = Chat(page).open()
    yield c
    assert c.unexpected_console_errors() == [], "console errors on the chat page"
    assert c.dialogs == [], "the page opened a dialog"


@pytest.fixture
def screenshot(page: Page):
    """Save what the viewport shows as a test artifact under test-results/browser/."""
    def _save(name: str) -> Path:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"{name}.png"
        page.screenshot(path=str(path))
        return path
    return _save
