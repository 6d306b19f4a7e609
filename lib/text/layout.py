"""The layout of a report: each line's role and the headings.

Every document part is read from :func:`lib.text.repaired.analysis_lines` (repaired text for
OCR'd reports), line by line. Each line gets a role (:data:`ROLES`): blank, page furniture
(page numbers, stamps, repeated headers: :func:`furniture`), table-of-contents entry,
heading, table row, list item or text. Headings, numbered or not, are found with their
continuation lines. :func:`document_layout` gives a document's roles and headings, from the
cache of derived artefacts; :mod:`lib.text.structure` builds sections and passages on it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

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
RECURRING = 3  # an unnumbered heading this frequent in a part is a generic sub-heading

_TAG_RE = re.compile(r"</?(?:p|i|b|u|em|strong|br)\s*/?>", re.IGNORECASE)


# --------------------------------------------------------------------------- line roles


def clean(line: str) -> str:
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

    Page numbers (``7 (42)``, with or without a running title; ``Sida 3 av 20``, ``3/20``
    recurring with rising numbers), organisation stamps (``Socialförvaltningen
    Sydväst``, ``goteborg.se``), table headers repeated at page breaks, within a few
    lines of a page number running titles that recur at several page breaks and lone
    years or dates, and anywhere a short line with a number other than a year or date (a
    document number, ``dnr …-0127/23``) repeated at least three times, pages apart.
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
    for i in _counters(lines):
        out.setdefault(i, "page")
    for i in _repeated(lines):
        out.setdefault(i, "repeated")
    return out


# ``Sida 3 av 20``, ``3 av 20``, ``… 3/20`` (a browser's footer): a page counter when the
# same total recurs on at least REPEATS lines with rising page numbers.
_COUNTER_RE = re.compile(
    r"^\s*(?P<pre>.{0,90}?)\s*(?:sida\s+)?(?P<p>\d{1,3})\s*(?:av|/)\s*(?P<n>\d{1,3})\s*$",
    re.IGNORECASE,
)
REPEATS = 3
_REPEAT_GAP = 10  # lines between two occurrences of a running header or footer, at least


def _counters(lines: list[str]) -> list[int]:
    groups: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for i, line in enumerate(lines):
        m = _COUNTER_RE.match(line)
        if m and int(m["p"]) <= int(m["n"]):
            key = (re.sub(r"\d+", "#", m["pre"].casefold()), m["n"])
            groups.setdefault(key, []).append((i, int(m["p"])))
    out = []
    for found in groups.values():
        pages = [p for _, p in found]
        if len(found) >= REPEATS and all(a < b for a, b in zip(pages, pages[1:], strict=False)):
            out += [i for i, _ in found]
    return out


# a year or a date: a running title's number that never becomes a figure anyway
_DATED = re.compile(r"(?:19|20)\d\d(?:-\d\d-\d\d)?[.:]?")


def _repeated(lines: list[str]) -> list[int]:
    """Running headers and footers with a number that is not a year or date (``Dnr
    N131-0127/23``): the same short line with words, no table row, at least REPEATS times
    and never closer than a page's few lines."""
    where: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        s = " ".join(line.split())
        if s and len(s) <= 100 and "\t" not in line and not s.endswith((".", "!", "?")):
            if not re.search(r"[^\W\d_]{2}", s):
                continue
            if any(not _DATED.fullmatch(t) for t in re.findall(r"\d[\d./:-]*", s)):
                where.setdefault(s.casefold(), []).append(i)
    out = []
    for found in where.values():
        gaps = [b - a for a, b in zip(found, found[1:], strict=False)]
        if len(found) >= REPEATS and min(gaps) >= _REPEAT_GAP:
            out += found
    return out


def starts_lower(s: str) -> bool:
    s = s.lstrip()
    return bool(s) and s[0].islower()


def ends_terminal(s: str) -> bool:
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
    line = clean(lines[i])
    m = _NUM_HEADING_RE.match(line)
    if not m or "\t" in lines[i]:
        return None
    parts = [int(p) for p in m["num"].split(".")]
    if parts[0] == 0 or parts[0] > 20 or any(p > 30 for p in parts):
        return None
    prev = _prev_content(lines, i, roles)
    after_heading = prev is not None and roles[prev] in (HEADING, HEADING_CONT)
    if prev == i - 1 and not (ends_terminal(lines[prev]) or after_heading):
        return None
    title, last = m["title"].strip(), i
    while last - i < 4 and title[-1] not in ".;:!?" and last + 1 < len(lines):
        nxt = clean(lines[last + 1]).strip()
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


_FUNCTION_WORDS = frozenset(
    (
        "och",
        "eller",
        "samt",
        "som",
        "att",
        "av",
        "i",
        "på",
        "för",
        "med",
        "till",
        "om",
        "från",
        "mellan",
        "under",
        "inom",
        "via",
        "vid",
        "inför",
        "efter",
        "mot",
        "den",
        "det",
        "de",
        "en",
        "ett",
        "är",
        "har",
        "kan",
        "ska",
        "var",
        "blir",
        "men",
        "då",
        "när",
        "där",
        "hos",
        "utan",
        "än",
        "både",
        "vilket",
        "vilka",
        "sin",
        "sina",
        "sitt",
        "vår",
        "våra",
    )
)
_INNER_SENTENCE_RE = re.compile(r"[.!?]\s+[" + _UPPER + r"]")


def _unnumbered(lines: list[str], i: int, roles: list[str | None], stop: int) -> _Heading | None:
    """A short title-like line standing on its own (not the start or end of a paragraph)."""
    raw = clean(lines[i])
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
        before = clean(lines[prev]).strip()
        if not ends_terminal(before) and (
            prev == i - 1
            or before.endswith("-")
            or len(before) >= 70
            or before.split()[-1].lower() in _FUNCTION_WORDS
        ):
            return None
    nxt = _next_content(lines, i, roles, stop)
    if nxt is not None:
        following = clean(lines[nxt]).lstrip(" (\"”'")
        if starts_lower(following) or (nxt == i + 1 and len(s) >= 60):
            return None
    return _Heading(i, i, None, re.sub(r"\s+", " ", s))


def is_questionnaire(c: corpus_mod.Corpus, doc_id: str) -> bool:
    return c.document(doc_id).layout == "questionnaire"


@dataclass
class DocStructure:
    """Per-document analysis: lines, roles and headings (with levels and parts)."""

    doc_id: str
    lines: list[str]
    roles: list[str]
    furniture: dict[int, str]
    headings: list[tuple[str, _Heading, int]]  # (part_id, heading, level)


def _analyse(c: corpus_mod.Corpus, doc_id: str) -> DocStructure:
    lines = repaired.analysis_lines(c, doc_id)
    furn = furniture(lines)
    roles: list[str | None] = [None] * len(lines)
    for i, line in enumerate(lines):
        if i in furn:
            roles[i] = FURNITURE
        elif not line.strip():
            roles[i] = BLANK
        elif _TOC_RE.match(clean(line)) or _TOC_TITLE_RE.match(line):
            roles[i] = TOC
    headings: list[tuple[str, _Heading, int]] = []
    for part in c.parts(doc_id):
        headings += _part_headings(part, lines, roles, is_questionnaire(c, doc_id))
    for i, line in enumerate(lines):
        if roles[i] is None:
            s = clean(line)
            roles[i] = TABLE if "\t" in line else LIST if _BULLET_RE.match(s) else TEXT
    return DocStructure(doc_id, lines, roles, furn, headings)  # type: ignore[arg-type]


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
    recurring = {
        t
        for t, n in Counter(h.title.casefold() for h in kept if h.number is None).items()
        if n >= RECURRING
    }
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


def cached(
    kind: str, c: corpus_mod.Corpus, doc_id: str, compute: Callable[[], T], module: str
) -> T:
    """A document's layout or passages from the cache of derived artefacts, keyed by the
    corpus and the code of ``module`` (with what it imports)."""
    from lib.core import cache

    key = cache.key(kind, doc_id, cache.corpus_digest(c), modules=(module,))
    return cache.memo(kind, key, compute)


@lru_cache(maxsize=16)
def document_layout(c: corpus_mod.Corpus, doc_id: str) -> DocStructure:
    """The roles of a document's lines and its headings (cached)."""
    return cached("structure", c, doc_id, lambda: _analyse(c, doc_id), __name__)


# --------------------------------------------------------------------------- paragraphs


@dataclass
class Para:
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
        return self.text[self.offsets[-1] :] if self.offsets else ""


def section_label(number: str | None, heading: str) -> str:
    return f"{number} {heading}" if number else heading
