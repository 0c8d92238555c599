"""Articles -> sections -> passages (one claim each), with markup and duplicate copies removed.

An article is any UTF-8 `.md`/`.txt` file of a data folder (read by `qa.source`).  Headings (`#` lines, or
short plain lines followed by a paragraph) start sections; the city a section is about
is read from its heading (`City:stance`).  Every sentence becomes a passage, except that
a sentence pointing back at the previous one ("これは…") stays with it.  A sentence seen
before (the same article pasted twice) is kept once, at its first place.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Callable

ARTICLE_SUFFIXES = (".md", ".txt")

IMAGE_LINK = re.compile(r'!\s*\[[^\]\n]*\]\([^)\n]*\)')          # ! [name](url "title")
IMAGE_LINE = re.compile(r'^!\s*\S+\.(?:jpe?g|png|gif|webp|svg|bmp)\s*$', re.I)  # ! name.jpg
INLINE_HEADING = re.compile(r'(#{1,6})\s*')
SENTENCE_END = "。．！？!?"
SENTENCE = re.compile(r'[^。．！？!?\n]*(?:[。．！？!?]+[」』）)]*|$)')
MARKER_AFTER = " \t\u3000" + SENTENCE_END + "」』）)"
HEADING_COLON = re.compile(r'[:：]')
MAX_HEADING_CHARS = 60


@dataclass(frozen=True)
class Passage:
    id: str
    doc: str
    section: str | None
    city: str | None
    text: str
    kind: str = "claim"          # "heading", "claim" or "summary"
    lang: str = "ja"             # the article's language, for analysis
    paragraph: int = 0           # its paragraph in the article (a heading goes with the one after it)

    def to_dict(self) -> dict:
        return {f: getattr(self, f) for f in PASSAGE_FIELDS}


PASSAGE_FIELDS = tuple(Passage.__dataclass_fields__)


@dataclass
class Block:
    """A heading or a paragraph of an article, before sentence splitting."""
    kind: str                    # "heading", "paragraph" or "summary"
    text: str
    level: int = 0


# ---------------------------------------------------------------- blocks

def strip_images(line: str) -> str:
    """Remove image links and image-name lines."""
    if IMAGE_LINE.match(line.strip()):
        return ""
    return IMAGE_LINK.sub(" ", line)


def is_sentence_like(text: str) -> bool:
    return text.rstrip("」』）) ").endswith(tuple(SENTENCE_END)) or len(text) > MAX_HEADING_CHARS


def heading_markers(line: str) -> list[re.Match]:
    """`#` runs that start a heading: at the line start or after a space or sentence end."""
    return [m for m in INLINE_HEADING.finditer(line)
            if m.start() == 0 or line[m.start() - 1] in MARKER_AFTER]


def raw_segments(lines: list[str]) -> list[tuple[int, str]]:
    """Split lines at heading markers: (heading level or 0, text); ("", 0) ends a line."""
    out: list[tuple[int, str]] = []
    for line in lines:
        line = strip_images(line).strip()
        level, pos = 0, 0
        for m in heading_markers(line):
            piece = line[pos:m.start()].strip()
            if piece or level:
                out.append((level, piece))
            level, pos = len(m.group(1)), m.end()
        piece = line[pos:].strip()
        if piece or level:
            out.append((level, piece))
        out.append((0, ""))
    return out


def known_headings(segments: list[tuple[int, str]]) -> set[str]:
    """Headings that stand alone on a line: used to cut a heading off its run-on body."""
    found = set()
    texts = [(lvl, t) for lvl, t in segments if t]
    for i, (lvl, text) in enumerate(texts):
        if is_sentence_like(text):
            continue
        nxt = texts[i + 1][1] if i + 1 < len(texts) else ""
        if lvl > 0 or (nxt and is_sentence_like(nxt)):
            found.add(text)
    return found


def split_heading(text: str, headings: set[str]) -> tuple[str, str]:
    """Cut a `#` segment into (heading, body): by a heading seen alone elsewhere, else at a space."""
    for h in sorted(headings, key=len, reverse=True):
        if text.startswith(h):
            return h, text[len(h):].strip()
    if not is_sentence_like(text):
        return text, ""
    head, _, body = text.partition(" ")
    if body and not is_sentence_like(head):
        return head, body.strip()
    return "", text


def blocks_of(text: str) -> list[Block]:
    """Headings, paragraphs and stand-alone summary lines of an article, in order."""
    segments = raw_segments(text.splitlines())
    headings = known_headings(segments)
    blocks: list[Block] = []
    for level, seg in segments:
        if level > 0:
            head, body = split_heading(seg, headings)
            blocks += [Block("heading", head, level)] if head else []
            blocks += [Block("paragraph", body)] if body else []
        elif not seg:
            continue
        elif seg in headings:
            blocks.append(Block("heading", seg, 1))
        elif is_sentence_like(seg):
            blocks.append(Block("paragraph", seg))
        else:
            blocks.append(Block("summary", seg))
    return blocks


# ---------------------------------------------------------------- sentences

def sentences(paragraph: str) -> list[str]:
    return [s.strip() for s in SENTENCE.findall(paragraph) if s.strip()]


def claims(paragraph: str, bound_starts: tuple[str, ...]) -> list[str]:
    """Sentences of a paragraph; one that points back ("これは…") joins the one before."""
    out: list[str] = []
    for s in sentences(paragraph):
        if out and bound_starts and s.startswith(bound_starts):
            out[-1] += s
        else:
            out.append(s)
    return out


def dedup_key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


# ---------------------------------------------------------------- passages

CityOf = Callable[[str], "str | None"]


def heading_label(heading: str) -> str | None:
    """The part of a heading before its colon ("大阪:改革" -> "大阪"), if any."""
    parts = HEADING_COLON.split(heading, maxsplit=1)
    return parts[0].strip() if len(parts) == 2 and parts[0].strip() else None


def heading_stance(heading: str) -> str:
    parts = HEADING_COLON.split(heading, maxsplit=1)
    return parts[1].strip() if len(parts) == 2 and parts[1].strip() else heading.strip()


def passages_of(doc: str, text: str, city_of: CityOf,
                bound_starts: tuple[str, ...] = (), lang: str = "ja") -> list[Passage]:
    """Every claim of one article once, with its section heading and city."""
    seen: set[str] = set()
    out: list[Passage] = []
    section: str | None = None
    city: str | None = None
    title: str | None = None
    paragraph = number = 0

    def add(kind: str, text_: str, section_: str | None, city_: str | None) -> None:
        key = dedup_key(text_)
        if not key or key in seen:
            return
        seen.add(key)
        out.append(Passage(f"{doc}:{len(out) + 1:04d}", doc, section_, city_, text_, kind, lang, number))

    for block in blocks_of(text):
        paragraph += block.kind != "heading"       # a heading takes the number of the paragraph after it
        number = paragraph + (block.kind == "heading")
        if block.kind == "heading":
            section = block.text
            city = city_of(block.text)
            if title is None:
                title = block.text
            add("heading", block.text, section, city)
        elif block.kind == "summary":
            add("summary", block.text, title, None)
        else:
            for claim in claims(block.text, bound_starts):
                add("claim", claim, section, city)
    return out
