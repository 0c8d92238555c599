"""Language knowledge that is not about any article, for analysing text: stop words, parts
of speech, months, suggested-question templates (question cue words: cues.py).

It lives in `lexicon.json` beside this file (data, editable without touching code).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

LEXICON_PATH = Path(__file__).with_name("lexicon.json")


@dataclass(frozen=True)
class Lexicon:
    stopwords: dict[str, frozenset[str]]                  # lang -> words (normalised forms)
    drop_pos_ja: tuple[str, ...]                          # Sudachi POS heads dropped
    proper_pos_ja: tuple[str, ...]
    proper_flags_zh: tuple[str, ...]
    bound_starts: tuple[str, ...]
    months_en: dict[str, int] = field(default_factory=dict)
    suggestions: dict[str, dict[str, str]] = field(default_factory=dict)   # lang -> kind -> template

    def stop(self, lang: str) -> frozenset[str]:
        return self.stopwords.get(lang, frozenset())


def parse_lexicon(raw: dict) -> Lexicon:
    return Lexicon(
        stopwords={lang: frozenset(w.lower() for w in words) for lang, words in raw["stopwords"].items()},
        drop_pos_ja=tuple(raw["drop_pos_ja"]),
        proper_pos_ja=tuple(raw["proper_pos_ja"]),
        proper_flags_zh=tuple(raw["proper_flags_zh"]),
        bound_starts=tuple(raw["bound_starts"]),
        months_en={k.lower(): int(v) for k, v in raw["months_en"].items()},
        suggestions=dict(raw.get("suggestions", {})),
    )


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return parse_lexicon(json.loads(LEXICON_PATH.read_text(encoding="utf-8")))
