"""Document structure: sections, page furniture, paragraphs and sentences with raw line spans.

Every document part is read from :func:`lib.text.repaired.analysis_lines` (repaired text for
OCR'd reports), line by line. Each line gets a role (:func:`line_roles`): blank,
page furniture, table-of-contents entry, heading, table row, list item or text.
Headings open sections (:func:`sections`); the remaining lines are rebuilt into
paragraphs (words hyphenated at line ends rejoined, compound hyphens kept) and
split into sentences (:func:`iter_passages`; as a table with each passage's themes,
:func:`lib.text.mentions.passages`). Each passage
knows the raw line of every character (:meth:`Passage.line_at`).

Documents with ``layout: questionnaire`` in the manifest (the safety-programme
follow-up) are questionnaires: :func:`questionnaire` returns one row per question, and
their questions are sections too.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

import pandas as pd

from lib.core.schemas import Column, ForeignKey, Schema
from lib.sources import corpus as corpus_mod
from lib.sources.words import join_lines
from lib.text import repaired

# Line roles (the `role` column of line_roles).
BLANK, FURNITURE, TOC = "blank", "furniture", "toc"
HEADING, HEADING_CONT = "heading", "heading_cont"
TABLE, LIST, TEXT = "table", "list", "text"
ROLES = (BLANK, FURNITURE, TOC, HEADING, HEADING_CONT, TABLE, LIST, TEXT)
T = TypeVar("T")

_UPPER = "A-ZÅÄÖÉÜ"
_LOWER = "a-zåäöéüø"

# -- furniture -------------------------------------------------------------------------------

# "7 (42)", "Årsrapport 2024 - Integrerad digitalisering 6 (6)": page n of m, optional title.
_PAGE_RE = re.compile(r"^\s*(?P<pre>.{0,90}?)\s*(?P<p>\d{1,3}) ?\((?P<n>\d{1,3})\)\s*$")
# Lines that are furniture wherever they stand: organisation stamps and web address.
_STAMP_RE = re.compile(
    r"^\s*(?:Göteborgs Stad,?\s*)?Social(?:förvaltningen|forvaltningen|nämnden|namnden)"
    r"(?:\s+[" + _UPPER + r"][\w-]*){1,2}(?:\s+\d{4}-\d{2}-\d{2})?\s*$"
    r"|^\s*goteborg\.se\s*$",
    re.IGNORECASE,
)
# Lines that are furniture next to a page number: a year or a date alone.
_YEAR_DATE_RE = re.compile(r"^\s*(?:\d{4}|\d{4}-\d{2}-\d{2})\s*$")
# Table headers repeated at every page break.
_REPEATED_HEADER_RE = re.compile(
    r"^\s*Uppföljningsfrågor\s+Svarsalternativ\s+med\s+kommentar\s*$", re.IGNORECASE
)
_PAGE_WINDOW = 6

# -- table of contents -----------------------------------------------------------------------

_TOC_RE = re.compile(
    r"^\s*\d{1,2}(?:\.\d{1,2}){0,4}\.?(?:\t.+\t\s*\d{1,3}|\s+.+?\.{4,}\s*\d{1,3})\s*$"
)
_TOC_TITLE_RE = re.compile(r"^\s*Inneh[åa]llsf[öo]rteckning\s*$", re.IGNORECASE)

# -- headings --------------------------------------------------------------------------------

_NUM_HEADING_RE = re.compile(
    r"^\s*(?P<num>\d{1,2}(?:\.\d{1,2}){0,4})\.?[ \t]+(?P<title>[\"”'(]?[" + _UPPER + r"].*?)\s*$"
)
_BULLET_RE = re.compile(r"^\s*(?:[•●▪◦·*–-]\s|\d{1,2}[.)]\s|[a-z]\)\s|<p>\s*\d{1,2}\.\s)")
_YEARISH_RE = re.compile(r"^(?:19|20)\d\d(?:\s*[–-]\s*(?:19|20)\d\d)?$")
_TERMINAL = ".,;:!?"
_MAX_HEADING = 100
_MAX_CONT = 70
_RECURRING = 3  # an unnumbered heading this frequent in a part is a generic sub-heading

_TAG_RE = re.compile(r"</?(?:p|i|b|u|em|strong|br)\s*/?>", re.IGNORECASE)


# --------------------------------------------------------------------------- line roles


def _clean(line: str) -> str:
    """A line without markup tags, trailing whitespace and with no-break spaces as spaces."""
    return _TAG_RE.sub("", line).replace("\u00a0", " ").rstrip()


def _page_lines(lines: list[str]) -> list[int]:
    out = []
    for i, line in enumerate(lines):
        m = _PAGE_RE.match(line)
        if m and int(m["p"]) <= int(m["n"]) and not m["pre"].rstrip().endswith((".", ",")):
            out.append(i)
    return out


def furniture(lines: list[str]) -> dict[int, str]:
    """Page furniture of a document: 0-based line index -> reason (page, stamp, header, title).

    Page numbers (``7 (42)``, with or without a running title), organisation stamps
    (``Socialförvaltningen Sydväst``, ``goteborg.se``), table headers repeated at page
    breaks, and, within a few lines of a page number, running titles that recur at
    several page breaks and lone years or dates.
    """
    out: dict[int, str] = {}
    pages = _page_lines(lines)
    for i in pages:
        out[i] = "page"
    for i, line in enumerate(lines):
        if _STAMP_RE.match(line):
            out[i] = "stamp"
        elif _REPEATED_HEADER_RE.match(line):
            out[i] = "header"
    near: dict[int, str] = {}
    for p in pages:
        for i in range(max(0, p - _PAGE_WINDOW), min(len(lines), p + _PAGE_WINDOW + 1)):
            s = lines[i].strip()
            if s and i not in out and len(s) <= 100:
                near[i] = re.sub(r"\s+", " ", s).casefold()
    counts = Counter(near.values())
    for i, key in near.items():
        if counts[key] >= 2 or _YEAR_DATE_RE.match(lines[i]):
            out[i] = "title"
    return out


def _starts_lower(s: str) -> bool:
    s = s.lstrip()
    return bool(s) and s[0].islower()


def _ends_terminal(s: str) -> bool:
    s = s.rstrip()
    return bool(s) and s[-1] in ".!?:"


def _title_like(title: str, max_len: int = _MAX_HEADING) -> bool:
    """A short line that can be a heading's title: mostly letters, no trailing numbers."""
    t = title.strip()
    if not t or len(t) > max_len or "\t" in t or t[-1] in _TERMINAL + "-–":
        return False
    tokens = t.split()
    numbers = [tok for tok in tokens if any(ch.isdigit() for ch in tok)]
    if len(numbers) > 1 or any(tok in ("x", "X") for tok in tokens):
        return False
    last = tokens[-1].strip("()")
    if any(ch.isdigit() for ch in last) and not _YEARISH_RE.match(last):
        return False
    letters = sum(ch.isalpha() for ch in t)
    return letters >= 0.6 * len(t.replace(" ", ""))


@dataclass(frozen=True)
class _Heading:
    index: int  # 0-based line index of the first line
    last: int  # 0-based index of the last (continuation) line
    number: str | None
    title: str


def _numbered(lines: list[str], i: int, roles: list[str | None]) -> _Heading | None:
    line = _clean(lines[i])
    m = _NUM_HEADING_RE.match(line)
    if not m or "\t" in lines[i]:
        return None
    parts = [int(p) for p in m["num"].split(".")]
    if parts[0] == 0 or parts[0] > 20 or any(p > 30 for p in parts):
        return None
    prev = _prev_content(lines, i, roles)
    after_heading = prev is not None and roles[prev] in (HEADING, HEADING_CONT)
    if prev == i - 1 and not (_ends_terminal(lines[prev]) or after_heading):
        return None
    title, last = m["title"].strip(), i
    while last - i < 4 and title[-1] not in ".;:!?" and last + 1 < len(lines):
        nxt = _clean(lines[last + 1]).strip()
        if roles[last + 1] is not None or not nxt or len(nxt) > _MAX_CONT:
            break
        if not (nxt[0].islower() or nxt[0].isdigit()):
            break
        title = join_lines(title, nxt)[0]
        last += 1
    if len(m["title"].strip()) > _MAX_HEADING or not _title_like(title, 2 * _MAX_HEADING):
        return None
    return _Heading(i, last, m["num"], re.sub(r"\s+", " ", title).strip())


def _prev_content(lines: list[str], i: int, roles: list[str | None]) -> int | None:
    j = i - 1
    while j >= 0 and (not lines[j].strip() or roles[j] in (FURNITURE, TOC)):
        j -= 1
    return j if j >= 0 else None


def _next_content(lines: list[str], i: int, roles: list[str | None], stop: int) -> int | None:
    j = i + 1
    while j < stop and (not lines[j].strip() or roles[j] in (FURNITURE, TOC)):
        j += 1
    return j if j < stop else None


_FUNCTION_WORDS = frozenset((
    "och", "eller", "samt", "som", "att", "av", "i", "på", "för", "med", "till", "om", "från",
    "mellan", "under", "inom", "via", "vid", "inför", "efter", "mot", "den", "det", "de", "en",
    "ett", "är", "har", "kan", "ska", "var", "blir", "men", "då", "när", "där", "hos", "utan",
    "än", "både", "vilket", "vilka", "sin", "sina", "sitt", "vår", "våra",
))
_INNER_SENTENCE_RE = re.compile(r"[.!?]\s+[" + _UPPER + r"]")


def _unnumbered(lines: list[str], i: int, roles: list[str | None], stop: int) -> _Heading | None:
    """A short title-like line standing on its own (not the start or end of a paragraph)."""
    raw = _clean(lines[i])
    s = raw.strip()
    if "\t" in lines[i] or not s or not s[0].isupper() or len(raw) - len(raw.lstrip()) >= 10:
        return None
    if _BULLET_RE.match(raw) or len(s.split()) > 12 or s in ("Ja", "Nej") or ":" in s:
        return None
    if not _title_like(s) or _INNER_SENTENCE_RE.search(s):
        return None
    if len(s) >= 50 and s.split()[-1].lower() in _FUNCTION_WORDS:
        return None
    prev = _prev_content(lines, i, roles)
    if prev is not None and roles[prev] not in (HEADING, HEADING_CONT, TABLE, LIST):
        before = _clean(lines[prev]).strip()
        if not _ends_terminal(before) and (
            prev == i - 1 or before.endswith("-") or len(before) >= 70
            or before.split()[-1].lower() in _FUNCTION_WORDS
        ):
            return None
    nxt = _next_content(lines, i, roles, stop)
    if nxt is not None:
        following = _clean(lines[nxt]).lstrip(" (\"”'")
        if _starts_lower(following) or (nxt == i + 1 and len(s) >= 60):
            return None
    return _Heading(i, i, None, re.sub(r"\s+", " ", s))


def _is_questionnaire(c: corpus_mod.Corpus, doc_id: str) -> bool:
    return c.document(doc_id).layout == "questionnaire"


@dataclass
class _DocStructure:
    """Per-document analysis: lines, roles and headings (with levels and parts)."""

    doc_id: str
    lines: list[str]
    roles: list[str]
    furniture: dict[int, str]
    headings: list[tuple[str, _Heading, int]]  # (part_id, heading, level)


def _analyse(c: corpus_mod.Corpus, doc_id: str) -> _DocStructure:
    lines = repaired.analysis_lines(c, doc_id)
    furn = furniture(lines)
    roles: list[str | None] = [None] * len(lines)
    for i, line in enumerate(lines):
        if i in furn:
            roles[i] = FURNITURE
        elif not line.strip():
            roles[i] = BLANK
        elif _TOC_RE.match(_clean(line)) or _TOC_TITLE_RE.match(line):
            roles[i] = TOC
    headings: list[tuple[str, _Heading, int]] = []
    for part in c.parts(doc_id):
        headings += _part_headings(part, lines, roles, _is_questionnaire(c, doc_id))
    for i, line in enumerate(lines):
        if roles[i] is None:
            s = _clean(line)
            roles[i] = TABLE if "\t" in line else LIST if _BULLET_RE.match(s) else TEXT
    return _DocStructure(doc_id, lines, roles, furn, headings)  # type: ignore[arg-type]


def _part_headings(
    part: corpus_mod.Part, lines: list[str], roles: list[str | None], questionnaire: bool
) -> list[tuple[str, _Heading, int]]:
    start, stop = part.line_start - 1, part.line_end
    found: list[_Heading] = []
    i = start
    while i < stop:
        if roles[i] is not None:
            i += 1
            continue
        h = _numbered(lines, i, roles)
        if h is None and not questionnaire:
            h = _unnumbered(lines, i, roles, stop)
        if h is None:
            roles[i] = TEXT  # provisional: keeps runs of heading candidates apart
            i += 1
            continue
        h = _Heading(h.index, min(h.last, stop - 1), h.number, h.title)
        roles[h.index] = HEADING
        for j in range(h.index + 1, h.last + 1):
            roles[j] = HEADING_CONT
        found.append(h)
        i = h.last + 1
    kept = _drop_table_runs(found, roles)
    for i in range(start, stop):
        if roles[i] == TEXT:
            roles[i] = None
    recurring = {t for t, n in Counter(h.title.casefold() for h in kept if h.number is None).items()
                 if n >= _RECURRING}
    out: list[tuple[str, _Heading, int]] = []
    parent = 0
    for h in kept:
        if h.number is not None:
            parent = h.number.count(".") + 1
            out.append((part.part_id, h, parent))
        elif h.title.casefold() in recurring:  # "Arbete under året" under each unit's heading
            out.append((part.part_id, h, parent + 2))
        else:
            out.append((part.part_id, h, parent + 1))
    return out


def _drop_table_runs(found: list[_Heading], roles: list[str | None]) -> list[_Heading]:
    """Demote runs of three or more unnumbered headings with no text between them.

    Such runs are cells of a flattened table (``Insats`` / ``Ramavtal`` / ``IOP``) or
    lists of titles, not section headings.
    """
    kept: list[_Heading] = []
    run: list[_Heading] = []

    def flush() -> None:
        if len(run) >= 3:
            for h in run:
                for j in range(h.index, h.last + 1):
                    roles[j] = TEXT
        else:
            kept.extend(run)
        run.clear()

    for h in found:
        if h.number is not None:
            flush()
            kept.append(h)
            continue
        if run and any(roles[j] == TEXT for j in range(run[-1].last + 1, h.index)):
            flush()
        run.append(h)
    flush()
    return kept


# --------------------------------------------------------------------------- passages


@dataclass(frozen=True)
class Passage:
    """A sentence, list item, table row or heading, with the raw line of each character.

    ``offsets[k]`` is the character offset in ``text`` where the contribution of raw
    line ``lines[k]`` starts (offsets are increasing, the first is 0).
    """

    doc_id: str
    part_id: str
    passage_id: int
    kind: str  # sentence | list_item | table_row | heading
    section: str | None
    text: str
    offsets: tuple[int, ...]
    lines: tuple[int, ...]
    context: str = ""  # labels of all enclosing sections, outermost first (for theme rules)

    @property
    def line_start(self) -> int:
        """First raw line (1-based) of the passage."""
        return self.lines[0]

    @property
    def line_end(self) -> int:
        """Last raw line (1-based) of the passage."""
        return self.line_at(max(len(self.text) - 1, 0))

    def line_at(self, char_offset: int) -> int:
        """The raw line (1-based) holding character ``char_offset`` of ``text``."""
        if not 0 <= char_offset < max(len(self.text), 1):
            raise IndexError(f"offset {char_offset} outside passage of length {len(self.text)}")
        return self.lines[bisect.bisect_right(self.offsets, char_offset) - 1]

    def locate(self, substring: str) -> tuple[int, int] | None:
        """Raw lines (first, last) of the first occurrence of ``substring``, or None."""
        k = self.text.find(substring)
        if k < 0 or not substring:
            return None
        return self.line_at(k), self.line_at(k + len(substring) - 1)


@dataclass
class _Para:
    kind: str
    text: str = ""
    offsets: list[int] | None = None
    lines: list[int] | None = None

    def add(self, line_no: int, piece: str) -> None:
        if self.offsets is None or self.lines is None:
            self.text, self.offsets, self.lines = piece.strip(), [0], [line_no]
            return
        self.text, at = join_lines(self.text, piece)
        if at >= len(self.text):
            return
        self.offsets.append(at)
        self.lines.append(line_no)

    @property
    def last_line_text(self) -> str:
        return self.text[self.offsets[-1]:] if self.offsets else ""


_ABBREVIATIONS = frozenset({
    "t.ex", "tex", "bl.a", "bla", "m.m", "ca", "kap", "p.g.a", "pga", "s.k", "f.d", "d.v.s", "dvs",
    "jfr", "inkl", "exkl", "resp", "enl", "ang", "tel", "kl", "nr", "m.fl", "o.s.v", "osv",
    "etc", "fr.o.m", "t.o.m", "o.d", "dnr", "sid", "ff", "f.ö", "bl", "mfl", "s", "f", "e.d",
    "prop", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "okt", "nov", "dec",
})
_SENT_END_RE = re.compile(r"[.!?…]+[\"”’)\]]*(?=\s+(\S))")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) of a paragraph.

    A sentence ends at ``.``, ``!``, ``?`` followed by space and an upper-case letter,
    digit or quote; never after an abbreviation (``t.ex.``, ``bl.a.``, ``m.m.``,
    ``ca.``, ``kap.`` …), an initial, or a list number opening the sentence (``1.``).
    Decimal numbers have no space after the point, so they never end a sentence.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENT_END_RE.finditer(text):
        nxt = m.group(1)[0]
        if not (nxt.isupper() or nxt.isdigit() or nxt in "\"”'(•–-§"):
            continue
        if m.group(0)[0] == ".":
            before = text[start:m.start()].split()
            token = before[-1].lstrip("(\"”'").lower() if before else ""
            if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                continue
            if len(before) == 1 and token.isdigit() and len(token) <= 2:
                continue
            if len(before) >= 2 and before[-2] == "§" and nxt.isdigit():
                continue
        spans.append((start, m.end()))
        start = m.end() + len(text[m.end():]) - len(text[m.end():].lstrip())
    if start < len(text) and text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans


def _slice(para: _Para, a: int, b: int) -> tuple[str, tuple[int, ...], tuple[int, ...]]:
    """Text, offsets and raw lines of the span [a, b) of a paragraph."""
    assert para.offsets is not None and para.lines is not None
    raw = para.text[a:b]
    lead = len(raw) - len(raw.lstrip())
    a += lead
    text = raw.strip()
    b = a + len(text)
    offsets: list[int] = []
    lines: list[int] = []
    for k, off in enumerate(para.offsets):
        end = para.offsets[k + 1] if k + 1 < len(para.offsets) else len(para.text)
        if end <= a or off >= b:
            continue
        offsets.append(max(off - a, 0))
        lines.append(para.lines[k])
    return text, tuple(offsets), tuple(lines)


def _line_ends_row(s: str) -> bool:
    """A line ending in a figure: the end of a flattened table row."""
    s = s.rstrip()
    return bool(s) and (s[-1].isdigit() or s[-1] == "%")


def _paragraphs(ds: _DocStructure, part: corpus_mod.Part) -> Iterator[_Para]:
    """Paragraphs, list items, table rows and headings of a part, in order."""
    heads = {h.index: h for pid, h, _ in ds.headings if pid == part.part_id}
    cur: _Para | None = None
    gap = False
    i, stop = part.line_start - 1, part.line_end
    while i < stop:
        role, line = ds.roles[i], _clean(ds.lines[i])
        if role in (BLANK, FURNITURE, TOC, HEADING_CONT):
            gap = gap or role != HEADING_CONT
            i += 1
            continue
        if role == HEADING:
            if cur is not None:
                yield cur
            h = heads[i]
            para = _Para(HEADING)
            for j in range(h.index, h.last + 1):
                para.add(j + 1, _clean(ds.lines[j]))
            yield para
            cur, gap, i = None, False, h.last + 1
            continue
        if role == TABLE:
            if cur is not None:
                yield cur
            para = _Para(TABLE)
            para.add(i + 1, line)
            yield para
            cur, gap, i = None, False, i + 1
            continue
        if cur is not None and _continues(cur, line, role, gap):
            cur.add(i + 1, line)
        else:
            if cur is not None:
                yield cur
            cur = _Para(LIST if role == LIST else TEXT)
            cur.add(i + 1, line)
        gap = False
        i += 1
    if cur is not None:
        yield cur


def _continues(cur: _Para, line: str, role: str, gap: bool) -> bool:
    """Whether a line continues the current paragraph rather than starting a new one."""
    prev = cur.last_line_text.rstrip()
    s = line.strip()
    open_end = not _ends_terminal(prev)
    if role == LIST:
        # "- för att förebygga …" after an unfinished line is a dash, not a bullet.
        return not gap and open_end and s[:1] in "-–" and _starts_lower(s[1:])
    if not gap:
        return not (open_end and _line_ends_row(prev) and s[:1].isupper())
    head = s.lstrip("(\"”'")[:1]
    return open_end and (prev.endswith("-") or head.islower() or head.isdigit())


_KIND = {TEXT: "sentence", LIST: "list_item", TABLE: "table_row", HEADING: "heading"}


def _section_label(number: str | None, heading: str) -> str:
    return f"{number} {heading}" if number else heading


def _cached(kind: str, c: corpus_mod.Corpus, doc_id: str, compute: Callable[[], T]) -> T:
    """A document's structure or passages from the cache of derived artefacts, keyed by the
    corpus and the code of this module (with what it imports)."""
    from lib.core import cache

    key = cache.key(kind, doc_id, cache.corpus_digest(c), modules=("lib.text.structure",))
    return cache.memo(kind, key, compute)


@lru_cache(maxsize=16)
def _structure(c: corpus_mod.Corpus, doc_id: str) -> _DocStructure:
    return _cached("structure", c, doc_id, lambda: _analyse(c, doc_id))


@lru_cache(maxsize=16)
def _passages(c: corpus_mod.Corpus, doc_id: str) -> tuple[Passage, ...]:
    return _cached("passages", c, doc_id, lambda: _compute_passages(c, doc_id))


def _compute_passages(c: corpus_mod.Corpus, doc_id: str) -> tuple[Passage, ...]:
    ds = _structure(c, doc_id)
    secs = _sections_list(c, doc_id)
    out: list[Passage] = []
    for part in c.parts(doc_id):
        part_secs = [s for s in secs if s["part_id"] == part.part_id]
        starts = [s["line_start"] for s in part_secs]
        for para in _paragraphs(ds, part):
            assert para.lines is not None
            spans = split_sentences(para.text) if para.kind in (TEXT, LIST) else [
                (0, len(para.text))
            ]
            for a, b in spans:
                text, offsets, lines = _slice(para, a, b)
                if not text:
                    continue
                section = _innermost(part_secs, starts, lines[0])
                context = " / ".join(
                    sec["label"] for sec in part_secs[:bisect.bisect_right(starts, lines[0])]
                    if sec["line_start"] <= lines[0] <= sec["line_end"]
                )
                out.append(Passage(doc_id, part.part_id, len(out) + 1, _KIND[para.kind], section,
                                   text, offsets, lines, context))
    return tuple(out)


def _innermost(part_secs: list[dict], starts: list[int], line: int) -> str | None:
    """Label of the innermost section holding a raw line (the latest-starting one)."""
    k = bisect.bisect_right(starts, line) - 1
    while k >= 0:
        s = part_secs[k]
        if s["line_start"] <= line <= s["line_end"]:
            return s["label"]
        k -= 1
    return None


def iter_passages(c: corpus_mod.Corpus, doc_id: str) -> Iterator[Passage]:
    """The passages (sentences, list items, table rows, headings) of a document, in order."""
    c.document(doc_id)
    yield from _passages(c, doc_id)


# --------------------------------------------------------------------------- line roles table


def line_roles(c: corpus_mod.Corpus, doc_id: str) -> pd.DataFrame:
    """Every raw line of a document with its role, so that dropped lines stay accounted for.

    Columns: doc_id, part_id, line, role (one of ROLES), furniture (page, stamp, header,
    title or None).
    """
    ds = _structure(c, doc_id)
    part_of = {}
    for part in c.parts(doc_id):
        for i in range(part.line_start - 1, part.line_end):
            part_of[i] = part.part_id
    return pd.DataFrame({
        "doc_id": doc_id,
        "part_id": [part_of.get(i) for i in range(len(ds.lines))],
        "line": range(1, len(ds.lines) + 1),
        "role": ds.roles,
        "furniture": [ds.furniture.get(i) for i in range(len(ds.lines))],
    })


# --------------------------------------------------------------------------- sections


def _sections_list(c: corpus_mod.Corpus, doc_id: str) -> list[dict]:
    ds = _structure(c, doc_id)
    rows: list[dict] = []
    q_items = _questionnaire_rows(c, doc_id) if _is_questionnaire(c, doc_id) else []
    for part in c.parts(doc_id):
        entries = [
            {"number": h.number, "heading": h.title, "level": level, "line_start": h.index + 1}
            for pid, h, level in ds.headings if pid == part.part_id
        ]
        for q in q_items:
            if part.line_start <= q["line_start"] <= part.line_end:
                entries.append({"number": None, "heading": q["question"], "level": q["level"],
                                "line_start": q["line_start"]})
        entries.sort(key=lambda e: e["line_start"])
        generic = Counter(e["heading"].casefold() for e in entries if e["number"] is None)
        for k, e in enumerate(entries):
            end = part.line_end
            for later in entries[k + 1:]:
                if later["level"] <= e["level"]:
                    end = later["line_start"] - 1
                    break
            e["label"] = _section_label(e["number"], e["heading"])
            parent = next((p for p in reversed(entries[:k]) if p["level"] < e["level"]), None)
            if parent is not None and generic[e["heading"].casefold()] >= _RECURRING:
                e["label"] = f"{parent['label']} / {e['label']}"
            rows.append({"doc_id": doc_id, "part_id": part.part_id, **e, "line_end": end})
    return rows


def sections(c: corpus_mod.Corpus, doc_id: str | None = None) -> pd.DataFrame:
    """Sections of one document (or all): numbered and unnumbered headings, questionnaire items.

    Columns: doc_id, part_id, number (``2.1.1`` or None), heading, level (1 = top),
    line_start (the heading's raw line), line_end (last raw line before the next
    heading of the same or a higher level, within the part).
    """
    rows = [r for d in ([doc_id] if doc_id else c.doc_ids) for r in _sections_list(c, d)]
    cols = list(SCHEMAS["sections"].columns)
    rows = [{k: r[k] for k in cols} for r in rows]
    return pd.DataFrame(rows, columns=list(SCHEMAS["sections"].columns)).astype(
        {"level": "int64", "line_start": "int64", "line_end": "int64"}
    )


# --------------------------------------------------------------------------- questionnaire

_QUESTION_END_RE = re.compile(r"\?\s*(?:\([^)]*\))?\s*$")
_ANSWERS = ("Ja", "Nej")
_AREA_RE = re.compile(r"(?:Målområde|Fokusområde)\s*\d*", re.IGNORECASE)


def _blocks(ds: _DocStructure, part: corpus_mod.Part) -> list[tuple[str, int, int, str]]:
    """Blocks of the questionnaire: (kind, first line, last line, text); kind heading|block.

    Blank lines and headings end a block; repeated table headers are skipped.
    """
    heads = {h.index: h for pid, h, _ in ds.headings if pid == part.part_id}
    out: list[tuple[str, int, int, str]] = []
    cur: _Para | None = None

    def flush() -> None:
        nonlocal cur
        if cur is not None and cur.lines:
            out.append(("block", cur.lines[0], cur.lines[-1], cur.text))
        cur = None

    i = part.line_start - 1
    while i < part.line_end:
        role = ds.roles[i]
        if role == HEADING:
            flush()
            h = heads[i]
            out.append(("heading", h.index + 1, h.last + 1, _section_label(h.number, h.title)))
            i = h.last + 1
            continue
        if role == BLANK:
            flush()
        elif role not in (FURNITURE, TOC, HEADING_CONT):
            cur = cur or _Para(TEXT)
            cur.add(i + 1, _clean(ds.lines[i]))
        i += 1
    flush()
    return out


@lru_cache(maxsize=8)
def _questionnaire_cached(c: corpus_mod.Corpus, doc_id: str) -> tuple[dict, ...]:
    ds = _structure(c, doc_id)
    levels = {h.index + 1: level for _, h, level in ds.headings}
    rows: list[dict] = []
    plan = area = None
    level = 1
    for part in c.parts(doc_id):
        q: dict | None = None
        for kind, first, last, text in _blocks(ds, part):
            if kind == "heading":
                q = _close(q, rows)
                level = levels[first]
                title = text.split(" ", 1)[1] if " " in text else text
                if level == 1:
                    plan, area = title, None
                elif _AREA_RE.match(title):
                    area = title
                continue
            if _QUESTION_END_RE.search(text):
                q = _close(q, rows)
                q = {"plan": plan, "malomrade": area, "question": text, "strategy": [],
                     "answer": None, "comment": [], "line_start": first, "line_end": last,
                     "level": level + 1}
            elif q is None:
                continue
            elif q["answer"] is None and not q["comment"] and text in _ANSWERS:
                q["answer"], q["line_end"] = text, last
            elif q["answer"] is None:
                q["strategy"].append(text)
                q["line_end"] = last
            else:
                q["comment"].append(text)
                q["line_end"] = last
        _close(q, rows)
    return tuple(rows)


def _close(q: dict | None, rows: list[dict]) -> None:
    if q is not None:
        rows.append({
            **q, "strategy": " ".join(q["strategy"]) or None,
            "comment": " ".join(q["comment"]) or None,
        })
    return None


def _questionnaire_rows(c: corpus_mod.Corpus, doc_id: str) -> list[dict]:
    return list(_questionnaire_cached(c, doc_id))


def questionnaire(c: corpus_mod.Corpus) -> pd.DataFrame:
    """One row per question of the questionnaires (manifest ``layout: questionnaire``).

    Columns: doc_id, question_no, plan, malomrade (målområde / fokusområde heading or
    None), strategy (Strategi / insats and expected result), question, answer (Ja, Nej
    or None), comment, line_start, line_end (raw lines of question through comment).
    """
    rows = [
        {"doc_id": doc.doc_id, "question_no": k, **{
            key: r[key] for key in ("plan", "malomrade", "strategy", "question", "answer",
                                    "comment", "line_start", "line_end")}}
        for doc in c.documents if doc.layout == "questionnaire"
        for k, r in enumerate(_questionnaire_rows(c, doc.doc_id), start=1)
    ]
    return pd.DataFrame(rows, columns=list(SCHEMAS["questionnaire"].columns)).astype(
        {"question_no": "int64", "line_start": "int64", "line_end": "int64"}
    )


# --------------------------------------------------------------------------- tables

_S, _I = "string", "int64"

SCHEMAS: dict[str, Schema] = {
    "sections": Schema(
        key=("doc_id", "part_id", "line_start"),
        foreign_keys=(ForeignKey(("doc_id", "part_id"), "documents", ("doc_id", "part_id")),),
        columns={
            "doc_id": Column(_S, "Document id from data/raw/manifest.yml"),
            "part_id": Column(_S, "Part id; a section never crosses a part boundary"),
            "number": Column(_S, "Heading number as printed (2.1.1); empty if unnumbered",
                             nullable=True),
            "heading": Column(_S, "Heading text (continuation lines joined); for a "
                                  "questionnaire item, the question"),
            "level": Column(_I, "Depth: number of components of the heading number; an "
                                "unnumbered heading or question is one below its numbered parent"),
            "line_start": Column(_I, "Raw line of the heading (1-based)"),
            "line_end": Column(_I, "Last raw line before the next heading of the same or a "
                                   "higher level, or the part's last line"),
        },
    ),
    "passages": Schema(
        key=("doc_id", "passage_id"),
        foreign_keys=(ForeignKey(("doc_id", "part_id"), "documents", ("doc_id", "part_id")),),
        columns={
            "doc_id": Column(_S, "Document id"),
            "part_id": Column(_S, "Part id"),
            "passage_id": Column(_I, "Running number of the passage within the document"),
            "kind": Column(_S, "sentence, list_item, table_row (a TAB-separated row) or heading",
                           allowed=("sentence", "list_item", "table_row", "heading")),
            "section": Column(_S, "Innermost section: number and heading; empty before the "
                                  "first heading", nullable=True),
            "line_start": Column(_I, "First raw line of the passage (1-based)"),
            "line_end": Column(_I, "Last raw line of the passage (1-based)"),
            "text": Column(_S, "Passage text, lines joined (hyphenation at line ends undone, "
                               "page furniture dropped); repaired text for OCR'd reports"),
            "themes": Column(_S, "Theme ids mentioned (lib/data/themes.yml), sorted and "
                                 "';'-joined; empty if none"),
        },
    ),
    "questionnaire": Schema(
        key=("doc_id", "question_no"),
        columns={
            "doc_id": Column(_S, "Document id (the safety-programme follow-up)"),
            "question_no": Column(_I, "Running number of the question in the document"),
            "plan": Column(_S, "Programme or plan the question follows up (top heading)",
                           nullable=True),
            "malomrade": Column(_S, "Målområde / fokusområde heading; empty where the plan "
                                    "has none", nullable=True),
            "strategy": Column(_S, "Strategi or insats text with its expected result",
                               nullable=True),
            "question": Column(_S, "Uppföljningsfråga"),
            "answer": Column(_S, "Svarsalternativ", nullable=True, allowed=("Ja", "Nej")),
            "comment": Column(_S, "Kommentar (the answer's free text)", nullable=True),
            "line_start": Column(_I, "Raw line where the question starts"),
            "line_end": Column(_I, "Raw line where the item (its comment) ends"),
        },
    ),
}


def tables(c: corpus_mod.Corpus) -> dict[str, pd.DataFrame]:
    """The structure tables of the whole corpus: sections and questionnaire. (The passages
    table, with each passage's themes, is :func:`lib.text.mentions.passages`.)"""
    return {"sections": sections(c), "questionnaire": questionnaire(c)}
