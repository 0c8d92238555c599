"""Text -> index terms, the same way for passages and questions.

normalize (NFKC, lower case) -> detect the language -> words (SudachiPy for Japanese, in
its long and short split modes from one tokenisation, jieba for Chinese with its glyphs mapped to Japanese forms by OpenCC, a light stemmer for
English) -> drop particles, punctuation and stop words -> add character bigrams of CJK
runs, so that words cut differently by two tokenisers still meet, and pairs of adjacent
words, so that a phrase weighs more than its words scattered.
"""
from __future__ import annotations

import functools
import hashlib
import importlib.metadata as md
import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from typing import Iterator

from .cues import default_cues
from .lexicon import Lexicon, default_lexicon

ANALYZER_VERSION = "3"
SUDACHI_MAX_CHARS = 4000          # Sudachi refuses inputs over 49,149 bytes
POSSEG_UNKNOWN_CHARS = 8          # characters unknown to jieba's tagger model beyond which it guesses no words
TERMS_CACHE = 1024                # analysed texts kept in memory (per process: a passage's terms take ~10 KB)
MORPHEMES_CACHE = 64              # Japanese texts whose morphemes are kept (a question's words, then its wording)

KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\u3007]")
LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\u3007\u30a1-\u30fa\u30fc\u3041-\u3096]+")
EN_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
PAIR = "+"                        # joins adjacent words into a pair term; never inside a word

# one term with where it came from: (term, start, end, is_word, is_proper_noun)
Term = tuple[str, int, int, bool, bool]


@dataclass(frozen=True)
class Normalized:
    """NFKC + lower-cased text, with a map back to offsets in the original."""
    text: str
    origin: list[int] | None      # origin[i] = index in the original text; None = same

    def span(self, start: int, end: int) -> tuple[int, int]:
        if self.origin is None:
            return start, end
        if start >= len(self.origin):
            return len(self.origin), len(self.origin)
        return self.origin[start], self.origin[max(start, end - 1)] + 1


def normalize(text: str) -> Normalized:
    """NFKC (full-width -> half-width, compatibility forms) and lower case, offsets kept."""
    lowered = text.lower()
    if unicodedata.is_normalized("NFKC", text) and len(lowered) == len(text):
        return Normalized(lowered, None)
    mapped = [NORMALIZED_CHAR.get(ch) or normalized_char(ch) for ch in text]
    out = "".join(mapped)
    if len(out) == len(text):                   # one character for one: the offsets are the same
        return Normalized(out, None)
    return Normalized(out, [i for i, m in enumerate(mapped) for _ in m])


NORMALIZED_CHAR: dict[str, str] = {}            # a character -> NFKC and lower case, as met


def normalized_char(ch: str) -> str:
    out = NORMALIZED_CHAR[ch] = unicodedata.normalize("NFKC", ch).lower()
    return out


def detect_lang(text: str) -> str:
    """'ja' when there is kana, 'zh' for Han without kana, 'en' for Latin letters."""
    if KANA.search(text):
        return "ja"
    if HAN.search(text):
        return "zh"
    if LATIN.search(text):
        return "en"
    return "ja"


def stem_en(word: str) -> str:
    """Strip simple English inflections: companies -> company, established -> establish."""
    if word.endswith("'s"):
        word = word[:-2]
    for suffix, repl in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) + len(repl) >= 3 and not word.endswith("ss"):
            word = word[: len(word) - len(suffix)] + repl
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def bigrams(text: str) -> Iterator[Term]:
    """Overlapping character bigrams of every CJK run (a one-character run stays whole)."""
    for m in CJK_RUN.finditer(text):
        run, base = m.group(), m.start()
        if len(run) == 1:
            yield run, base, base + 1, False, False
        for i in range(len(run) - 1):
            yield run[i:i + 2], base + i, base + i + 2, False, False


def tagged_zh(text: str):
    """jieba's words with their parts of speech; its HMM guesses unknown words only while the
    text has few characters its model lacks (each costs it ~8 ms: 256 states squared)."""
    import jieba.posseg
    from jieba.posseg.char_state_tab import P as modelled
    unknown = sum(1 for ch in text if ch not in modelled and "\u4e00" <= ch <= "\u9fd5")
    return jieba.posseg.cut(text, HMM=unknown <= POSSEG_UNKNOWN_CHARS)


def chunks(text: str, size: int) -> Iterator[tuple[int, str]]:
    """Cut long text for Sudachi, at a line or sentence end where one is near."""
    pos = 0
    while pos < len(text):
        end = min(len(text), pos + size)
        if end < len(text):
            cut = max(text.rfind("\n", pos, end), text.rfind("。", pos, end))
            end = cut + 1 if cut > pos + size // 2 else end
        yield pos, text[pos:end]
        pos = end


def analyzer_versions(lexicon: Lexicon | None = None, use_bigrams: bool = True) -> dict:
    """What an index records of the analyser (packages, this code, the lexicon that shapes terms)."""
    ver = {}
    for pkg in ("SudachiPy", "SudachiDict-core", "jieba", "OpenCC"):
        try:
            ver[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            ver[pkg] = "missing"
    ver["analyzer"] = ANALYZER_VERSION
    lex = lexicon or default_lexicon()           # only what changes the terms of a passage
    used = [sorted((k, sorted(v)) for k, v in lex.stopwords.items()), lex.drop_pos_ja,
            lex.bound_starts, use_bigrams]
    ver["lexicon"] = hashlib.sha256(repr(used).encode()).hexdigest()[:16]
    ver["fact_cues"] = default_cues().digest          # event kinds and target words of facts
    return ver


class Analyzer:
    """Holds the dictionaries (loaded once) and turns text into terms."""

    def __init__(self, lexicon: Lexicon | None = None, use_bigrams: bool = True):
        self.lexicon = lexicon or default_lexicon()
        self.use_bigrams = use_bigrams
        self._local = threading.local()
        # the same texts come back (passages to highlight, facts, glossary forms, questions)
        self.terms = functools.lru_cache(maxsize=TERMS_CACHE)(self._terms)
        self.morpheme_rows = functools.lru_cache(maxsize=MORPHEMES_CACHE)(self._morpheme_rows)
        self._load()
        self.warm_up()

    # ------------------------------------------------------------ resources
    def _load(self) -> None:
        import jieba
        import opencc
        from sudachipy import Dictionary

        import jieba.posseg

        from . import pos_viterbi

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        pos_viterbi.install()                             # the same tags, 3x faster on unknown words
        self._jieba = jieba.dt
        self._zh_tags = jieba.posseg.dt.word_tag_tab      # word -> part of speech (ns: place ...)
        self._sudachi_dict = Dictionary(dict="core")
        self._opencc = opencc

    def warm_up(self) -> None:
        """Load every lazy model now (jieba's POS tagger, OpenCC), not on the first request."""
        for text in ("東京の企業は2018年に設立された。", "东京有多少家企业?", "How many companies?"):
            self.analyze(text)
            self.proper_nouns(text)

    def _tls(self):
        """Per-thread tokenizers: SudachiPy tokenizers are not thread-safe."""
        tls = self._local
        if not hasattr(tls, "sudachi"):
            from sudachipy import SplitMode
            tls.sudachi = self._sudachi_dict.tokenizer(mode=SplitMode.C)
            tls.s2t = self._opencc.OpenCC("s2t")
            tls.t2jp = self._opencc.OpenCC("t2jp")
            tls.t2s = self._opencc.OpenCC("t2s")
        return tls

    def versions(self) -> dict:
        return analyzer_versions(self.lexicon, self.use_bigrams)

    # ------------------------------------------------------------ glyphs
    def to_japanese_glyphs(self, text: str) -> str:
        """Chinese glyphs -> Japanese forms (东京 -> 東京, 企业 -> 企業)."""
        tls = self._tls()
        return tls.t2jp.convert(tls.s2t.convert(text))

    def to_simplified(self, text: str) -> str:
        return self._tls().t2s.convert(text)

    def to_traditional(self, text: str) -> str:
        return self._tls().s2t.convert(text)

    # ------------------------------------------------------------ words
    def morphemes(self, text: str) -> Iterator[tuple[int, list, list]]:
        """Sudachi's morphemes of each chunk of a text, in mode C and in mode A, from one tokenisation.

        Mode A is each mode C morpheme's `split()`: Sudachi finds one best path whatever the
        mode and only cuts its words finer for A, so this is what tokenising again in mode A
        gives (the tests compare them), at the cost of one lattice instead of two."""
        from sudachipy import SplitMode
        tok = self._tls().sudachi
        for base, part in chunks(text, SUDACHI_MAX_CHARS):
            whole, fine = [], []
            for m in tok.tokenize(part):
                whole.append(m)
                sub = m.split(SplitMode.A) if m.end() - m.begin() > 1 else None    # (never add_single=True:
                if sub:                                                            #  its lists can panic)
                    fine.extend(sub)
                else:
                    fine.append(m)
            yield base, whole, fine

    def _morpheme_rows(self, text: str) -> tuple:
        """`morphemes` as plain rows: (chunk offset, mode C rows, mode A rows), a row being a
        morpheme's (part of speech, normalised form in lower case, begin, end)."""
        def rows(ms) -> tuple:
            return tuple((m.part_of_speech(), m.normalized_form().lower(), m.begin(), m.end()) for m in ms)
        return tuple((base, rows(whole), rows(fine)) for base, whole, fine in self.morphemes(text))

    def _words_ja(self, text: str) -> Iterator[Term]:
        """Sudachi words twice over: mode C (compounds whole) and mode A (compounds split)."""
        drop, stop, proper = self.lexicon.drop_pos_ja, self.lexicon.stop("ja"), self.lexicon.proper_pos_ja
        for base, whole, fine in self.morpheme_rows(text):
            for rows in (whole, fine):
                for pos, term, begin, end in rows:
                    if pos[0] in drop or term in stop or not term.strip():
                        continue
                    yield term, base + begin, base + end, True, pos[1] in proper

    def _words_zh(self, text: str) -> Iterator[Term]:
        simplified = self.to_simplified(text)
        japanese = self.to_japanese_glyphs(simplified)
        aligned = len(simplified) == len(text) and len(japanese) == len(text)
        stop, proper = self.lexicon.stop("zh"), self.lexicon.proper_flags_zh
        tags = self._zh_tags
        for word, start, end in self._jieba.tokenize(simplified):
            if not word.strip() or not any(c.isalnum() for c in word):
                continue
            if word in stop or (aligned and japanese[start:end] in stop):
                continue
            term = japanese[start:end] if aligned else self.to_japanese_glyphs(word)
            if not aligned:
                start, end = 0, 0
            yield term.lower(), start, end, True, tags.get(word) in proper

    def _words_en(self, text: str) -> Iterator[Term]:
        stop = self.lexicon.stop("en")
        for m in EN_WORD.finditer(text):
            word = m.group()
            if word in stop or word.removesuffix("'s") in stop:
                continue
            yield stem_en(word), m.start(), m.end(), True, False

    def words(self, text: str, lang: str) -> Iterator[Term]:
        if lang == "zh":
            return self._words_zh(text)
        if lang == "en":
            return self._words_en(text)
        return self._words_ja(text)

    @staticmethod
    def word_pairs(words: list[Term]) -> Iterator[Term]:
        """Each word joined to the next ("輸出+255"): phrase evidence for BM25, not a word itself."""
        for a, b in zip(words, words[1:]):
            if a[2] <= b[1]:                       # in text order (mode C words come first)
                yield f"{a[0]}{PAIR}{b[0]}", a[1], b[2], False, False

    def proper_nouns(self, text: str, lang: str | None = None) -> list[tuple[str, str]]:
        """Proper nouns of a text as (normalised surface, "place", "person" or "name")."""
        norm = normalize(text).text
        lang = lang or detect_lang(norm)
        out = []
        if lang == "zh":
            for w in tagged_zh(self.to_simplified(norm)):
                if w.flag in self.lexicon.proper_flags_zh:
                    out.append((self.to_japanese_glyphs(w.word), {"ns": "place", "nr": "person"}.get(w.flag, "name")))
        elif lang == "ja":
            for base, part in chunks(norm, SUDACHI_MAX_CHARS):
                for m in self._tls().sudachi.tokenize(part):
                    pos = m.part_of_speech()
                    if pos[1] in self.lexicon.proper_pos_ja:
                        out.append((m.surface(), {"地名": "place", "人名": "person"}.get(pos[2], "name")))
        return out

    def phrasing_words(self, text: str, lang: str) -> set[str]:
        """Verbs, adjectives and adverbs of a text (normalised forms): how it is said, not what of."""
        norm = normalize(text).text
        out: set[str] = set()
        if lang == "ja":
            for _, whole, fine in self.morpheme_rows(norm):
                for pos, term, _, _ in whole + fine:
                    if pos[0] in ("動詞", "形容詞", "副詞", "形状詞"):
                        out.add(term)
        elif lang == "zh":
            for w in tagged_zh(self.to_simplified(norm)):
                if w.flag[:1] in ("v", "a", "d"):
                    out.add(self.to_japanese_glyphs(w.word).lower())
        return out

    def countries(self, text: str) -> list[str]:
        """Country names in a Japanese text (Sudachi's 固有名詞/地名/国), in order, once each."""
        out: dict[str, None] = {}
        for base, part in chunks(normalize(text).text, SUDACHI_MAX_CHARS):
            for m in self._tls().sudachi.tokenize(part):
                pos = m.part_of_speech()
                if pos[1] in self.lexicon.proper_pos_ja and pos[3] == "国":
                    out.setdefault(m.surface())
        return list(out)

    def is_place_name(self, text: str) -> bool:
        """True when the whole text is one place name ("大阪", "名古屋")."""
        found = self.proper_nouns(text)
        return len(found) == 1 and found[0] == (normalize(text).text, "place")

    @staticmethod
    def first_pass(words: list[Term]) -> list[Term]:
        """The words of the first segmentation (Sudachi mode C, or jieba): offsets increase."""
        out: list[Term] = []
        for w in words:
            if out and w[1] < out[-1][1]:
                break
            out.append(w)
        return out

    # ------------------------------------------------------------ the pipeline
    def _terms(self, text: str, lang: str | None = None) -> tuple[Normalized, tuple[Term, ...]]:
        """All terms of a text with their offsets in the normalised text."""
        norm = normalize(text)
        lang = lang or detect_lang(norm.text)
        found = list(self.words(norm.text, lang))
        if lang != "en":
            found.extend(self.word_pairs(self.first_pass(found)))
        if self.use_bigrams:
            grams_of = norm.text if lang != "zh" else self.to_japanese_glyphs(self.to_simplified(norm.text))
            if len(grams_of) == len(norm.text):
                found.extend(bigrams(grams_of))
        return norm, tuple(found)

    def analyze(self, text: str, lang: str | None = None) -> list[str]:
        """The index terms of a text: words and CJK bigrams."""
        return [t[0] for t in self.terms(text, lang)[1]]

    def spans(self, text: str, wanted: set[str], lang: str | None = None) -> list[tuple[int, int]]:
        """Where terms of `wanted` occur in the original text, merged, in order."""
        norm, found = self.terms(text, lang)
        hits = sorted(norm.span(s, e) for term, s, e, _, _ in found if term in wanted and e > s)
        merged: list[list[int]] = []
        for s, e in hits:
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        return [(s, e) for s, e in merged]
