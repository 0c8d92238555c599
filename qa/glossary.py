"""The cross-language glossary: Japanese terms with their Chinese and English variants.

`glossary.tsv` has a header `kind<TAB>ja<TAB>zh<TAB>en` (and optionally `<TAB>measure`);
each row is one concept, its forms separated by `|`; `measure` is the Chinese measure word
that counts the noun (企业 -> 家), for answers rendered in Chinese.  The first Japanese form is the one the articles use; the other
Japanese forms are synonyms or readings.  `kind` is `city`, `place` or `term`.
Lines starting with `#` and blank lines are ignored.  Applied to questions, and to render
answers' names, units and nouns in the asker's language.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, asdict
from pathlib import Path
from typing import Callable, Iterable

HEADER = ["kind", "ja", "zh", "en"]
CITY_SPELLING = 0.8          # how close (difflib ratio) a misspelt English word must be to a city's name
TERM_SPELLING = 0.85         # ... to a glossary term's one-word English form (of 6 letters or more)
MEASURE = "measure"          # optional fifth column: the Chinese measure word that counts the noun (家)
SMALL_KANA = str.maketrans("ァィゥェォヵヶッャュョヮ", "アイウエオカケツヤユヨワ")
KINDS = {"city", "place", "term"}
LANGS = ("ja", "zh", "en")


class GlossaryError(ValueError):
    """A malformed glossary; the message names the file and line."""


@dataclass(frozen=True)
class Entry:
    kind: str
    ja: tuple[str, ...]
    zh: tuple[str, ...]
    en: tuple[str, ...]
    line: int = 0
    measure: str = ""

    @property
    def term(self) -> str:
        return self.ja[0]

    def to_dict(self) -> dict:
        d = asdict(self)
        d["ja"], d["zh"], d["en"] = list(self.ja), list(self.zh), list(self.en)
        return d


def _forms(cell: str) -> tuple[str, ...]:
    return tuple(f.strip() for f in cell.split("|") if f.strip())


def norm_form(form: str) -> str:
    return unicodedata.normalize("NFKC", form).lower().strip()


def fold_kana(text: str) -> str:
    """Small katakana as full size (ヴァ = ヴア): foreign names are spelt both ways."""
    return text.translate(SMALL_KANA)


def parse_glossary(text: str, source: str = "glossary.tsv") -> list[Entry]:
    """Rows of a glossary file; a clear GlossaryError for the first malformed line."""
    entries: list[Entry] = []
    owner: dict[tuple[str, str], int] = {}
    header_seen = False
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = line.split("\t")
        if not header_seen:
            names = [c.strip().lower() for c in cells]
            if names not in (HEADER, HEADER + [MEASURE]):
                raise GlossaryError(f"{source}:{n}: the first line must be the header "
                                    f"'kind<TAB>ja<TAB>zh<TAB>en' (optionally <TAB>measure), found {line[:60]!r}")
            header_seen, columns = True, len(names)
            continue
        if not 4 <= len(cells) <= columns:
            raise GlossaryError(f"{source}:{n}: expected {columns} tab-separated columns "
                                f"({', '.join((HEADER + [MEASURE])[:columns])}), found {len(cells)}")
        kind = cells[0].strip()
        if kind not in KINDS:
            raise GlossaryError(f"{source}:{n}: kind must be one of {sorted(KINDS)}, found {kind!r}")
        ja, zh, en = (_forms(c) for c in cells[1:4])
        measure = cells[4].strip() if len(cells) > 4 else ""
        if not ja:
            raise GlossaryError(f"{source}:{n}: the ja column is empty")
        if not zh and not en and len(ja) < 2:
            raise GlossaryError(f"{source}:{n}: a row needs a variant (zh, en or a second ja form)")
        for lang, forms in zip(LANGS, (ja, zh, en)):
            for form in forms:
                key = (lang, norm_form(form))
                if key in owner and entries[owner[key]].term != ja[0]:
                    raise GlossaryError(f"{source}:{n}: {lang} form {form!r} is already used on "
                                        f"line {entries[owner[key]].line}")
                owner.setdefault(key, len(entries))
        entries.append(Entry(kind, ja, zh, en, n, measure))
    if not header_seen:
        raise GlossaryError(f"{source}: empty glossary (no header line)")
    return entries


def load_glossary(path: Path) -> list[Entry]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise GlossaryError(f"{path}: not UTF-8 ({exc.reason})") from None
    return parse_glossary(text, str(path))


@dataclass(frozen=True)
class Match:
    entry: Entry
    start: int
    end: int


class Glossary:
    """Finds glossary forms in a question, longest first, without overlaps."""

    def __init__(self, entries: Iterable[Entry], to_simplified: Callable[[str], str] = lambda s: s,
                 stem: Callable[[str], str] = lambda s: s):
        self.entries = list(entries)
        self._stem = stem
        cjk: dict[str, Entry] = {}
        latin: dict[str, Entry] = {}
        for e in self.entries:
            for form in e.ja + e.zh:
                f = fold_kana(norm_form(form))
                cjk.setdefault(f, e)
                cjk.setdefault(fold_kana(norm_form(to_simplified(f))), e)
            for form in e.en:
                latin.setdefault(self.stem_phrase(form), e)
        self._cjk = cjk
        self._latin = latin
        self._city_words = sorted({norm_form(f) for e in self.entries if e.kind == "city" for f in e.en
                                   if re.fullmatch(r"[a-z]+", norm_form(f))})
        self._term_words = sorted({w for e in self.entries if e.kind != "city" for f in e.en
                                   if re.fullmatch(r"[a-z]{6,}", w := norm_form(f))})
        self._cjk_re = _alternation(cjk)
        self._latin_re = _alternation(latin, r"(?<![a-z0-9])", r"(?![a-z0-9])")

    def spelling(self, word: str) -> str | None:
        """The city name ("shenzen", "guangzho") or one-word term ("blockchian", "innovaton") a
        misspelt English word means, if one is close; None for a word the glossary knows."""
        if len(word) < 5 or word in self._city_words or self._stem(word) in self._latin:
            return None
        close = _closest(word, self._city_words, CITY_SPELLING)
        if close is None and len(word) >= 6:
            close = _closest(word, self._term_words, TERM_SPELLING)
        return close

    def stem_phrase(self, text: str) -> str:
        return " ".join(self._stem(w) for w in re.findall(r"[a-z0-9]+", norm_form(text)))

    def find_cjk(self, text: str) -> list[Match]:
        """Matches in a text whose small kana are folded (fold_kana)."""
        if self._cjk_re is None:
            return []
        return [Match(self._cjk[m.group()], m.start(), m.end()) for m in self._cjk_re.finditer(text)]

    def find_latin(self, stemmed: str) -> list[Match]:
        """Matches in a text of stemmed words joined by single spaces."""
        if self._latin_re is None:
            return []
        return [Match(self._latin[m.group()], m.start(), m.end()) for m in self._latin_re.finditer(stemmed)]

    def to_json(self) -> list[dict]:
        return [e.to_dict() for e in self.entries]

    @staticmethod
    def entries_from_json(rows: list[dict]) -> list[Entry]:
        return [Entry(r["kind"], tuple(r["ja"]), tuple(r["zh"]), tuple(r["en"]), r.get("line", 0), r.get("measure", ""))
                for r in rows]


def _closest(word: str, words: list[str], cutoff: float) -> str | None:
    near = [w for w in words if w[0] == word[0] and abs(len(w) - len(word)) <= 2]     # cheap first
    close = difflib.get_close_matches(word, near, n=1, cutoff=cutoff) if near else []
    return close[0] if close else None


def _alternation(forms: dict, before: str = "", after: str = "") -> re.Pattern | None:
    if not forms:
        return None
    alts = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True) if f)
    return re.compile(f"{before}(?:{alts}){after}")
