"""The serving core: one analyser and the current index, swapped when a rebuild lands.

`Service.ask()` is what `/ask`, `qa ask` and `qa eval` all call.  A watcher thread (one
per process, started after a fork) notices a new index version (`index/current`
re-pointed by `qa index`), loads it and swaps it in whole; a request keeps the version it
started with, so every response is consistent with one index.  A version that fails verification is refused,
logged once, and the old one keeps serving.
"""
from __future__ import annotations

import logging
import os
from collections import OrderedDict
import threading
import time
from pathlib import Path

from .analysis import Analyzer
from .answer import answer
from .index import Index, current_version_name, load_index, resolve_version_dir

log = logging.getLogger("qa.service")


class AnswerCache:
    """The last `size` answers, keyed by index version and request; size 0 turns it off."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key, value) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)


class Service:
    def __init__(self, index_path: Path, analyzer: Analyzer | None = None, check_every: float = 0.25,
                 answer_cache: int = 1024):
        self.index_path = Path(index_path)
        self.analyzer = analyzer or Analyzer()
        self.check_every = check_every
        self._index = load_index(self.index_path, self.analyzer)
        self._seen = current_version_name(self.index_path)
        self._refused: set[str] = set()
        self._lock = threading.Lock()
        self._loading: threading.Thread | None = None
        self._suggested: dict[tuple[str, str], list[str]] = {}
        self._answers = AnswerCache(answer_cache)
        self._watcher_pid: int | None = None

    # ------------------------------------------------------------ index swaps
    @property
    def index(self) -> Index:
        """The index to answer with (the newest verified version)."""
        if self._watcher_pid != os.getpid():          # first use in this process (after a fork)
            self._start_watcher()
        return self._index

    def _start_watcher(self) -> None:
        with self._lock:
            if self._watcher_pid == os.getpid():
                return
            self._watcher_pid = os.getpid()
            threading.Thread(target=self._watch, name="qa-index-watcher", daemon=True).start()

    def _watch(self) -> None:
        while True:
            time.sleep(self.check_every)
            try:
                self.refresh(wait=True)
            except Exception:                          # never let the watcher die
                log.exception("index watcher")

    def refresh(self, wait: bool = True) -> str:
        """Look for a new version; load it (in the background unless `wait`). Returns the version."""
        name = current_version_name(self.index_path)
        if not name or name == self._seen or name in self._refused:
            return self._index.version
        with self._lock:
            if self._loading and self._loading.is_alive():
                thread = self._loading
            else:
                thread = threading.Thread(target=self._load, args=(name,), daemon=True)
                self._loading = thread
                thread.start()
        if wait:
            thread.join()
        return self._index.version

    def _load(self, name: str) -> None:
        try:
            folder = resolve_version_dir(self.index_path)
            new = load_index(folder, self.analyzer)
        except Exception as exc:                 # refused: keep serving the old index
            self._refused.add(name)
            log.error("refused index version %s, still serving %s: %s", name, self._index.version, exc)
            return
        self._index, self._seen = new, name
        log.info("now serving index version %s (%d passages)", new.version, len(new.passages))

    # ------------------------------------------------------------ answering
    def suggestions(self, lang: str = "ja") -> tuple[list[str], str]:
        """Answerable example questions in a language for the current index (computed once per version)."""
        from .suggest import suggestions
        index = self.index
        key = (index.version, lang)
        if key not in self._suggested:
            self._suggested = {k: v for k, v in self._suggested.items() if k[0] == index.version}
            self._suggested[key] = suggestions(index, self.analyzer, lang)
        return self._suggested[key], index.version

    def ask(self, question: str, history: list[str] | None = None, top_k: int = 5) -> dict:
        """The full /ask response body (a repeated question of the same index comes from a cache)."""
        started = time.perf_counter()
        index = self.index
        key = (index.version, question, tuple(history or ()), top_k)
        body = self._answers.get(key)
        if body is None:
            body = answer(question, history or [], index, self.analyzer, top_k)
            self._answers.put(key, body)
        return {"question": question, **body, "index_version": index.version,
                "took_ms": round((time.perf_counter() - started) * 1000, 2)}
