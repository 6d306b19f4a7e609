"""Document structure: sections, paragraphs and sentences with raw line spans.

On the layout of each document (:mod:`lib.text.layout`: every line's role, the headings),
headings open sections (:func:`sections`) and the remaining lines are rebuilt into
paragraphs (words hyphenated at line ends rejoined, compound hyphens kept) and split into
sentences (:func:`iter_passages`; as a table with each passage's themes,
:func:`lib.text.mentions.passages`). Each passage knows the raw line of every character
(:meth:`Passage.line_at`). :func:`line_roles` lists every raw line with its role, so that
dropped lines stay accounted for. The questions of a questionnaire
(:mod:`lib.text.questionnaire`) are sections too.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd

from lib.core.schemas import Column, ForeignKey, Schema
from lib.sources import corpus as corpus_mod
from lib.text.layout import (
    BLANK,
    FURNITURE,
    HEADING,
    HEADING_CONT,
    LIST,
    RECURRING,
    TABLE,
    TEXT,
    TOC,
    DocStructure,
    Para,
    cached,
    clean,
    document_layout,
    ends_terminal,
    is_questionnaire,
    section_label,
    starts_lower,
)
from lib.text.questionnaire import questionnaire_rows

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


_ABBREVIATIONS = frozenset(
    {
        "t.ex",
        "tex",
        "bl.a",
        "bla",
        "m.m",
        "ca",
        "kap",
        "p.g.a",
        "pga",
        "s.k",
        "f.d",
        "d.v.s",
        "dvs",
        "jfr",
        "inkl",
        "exkl",
        "resp",
        "enl",
        "ang",
        "tel",
        "kl",
        "nr",
        "m.fl",
        "o.s.v",
        "osv",
        "etc",
        "fr.o.m",
        "t.o.m",
        "o.d",
        "dnr",
        "sid",
        "ff",
        "f.ö",
        "bl",
        "mfl",
        "s",
        "f",
        "e.d",
        "prop",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "okt",
        "nov",
        "dec",
    }
)
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
            before = text[start : m.start()].split()
            token = before[-1].lstrip("(\"”'").lower() if before else ""
            if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                continue
            if len(before) == 1 and token.isdigit() and len(token) <= 2:
                continue
            if len(before) >= 2 and before[-2] == "§" and nxt.isdigit():
                continue
        spans.append((start, m.end()))
        start = m.end() + len(text[m.end() :]) - len(text[m.end() :].lstrip())
    if start < len(text) and text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans


def _slice(para: Para, a: int, b: int) -> tuple[str, tuple[int, ...], tuple[int, ...]]:
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


def _paragraphs(ds: DocStructure, part: corpus_mod.Part) -> Iterator[Para]:
    """Paragraphs, list items, table rows and headings of a part, in order."""
    heads = {h.index: h for pid, h, _ in ds.headings if pid == part.part_id}
    cur: Para | None = None
    gap = False
    i, stop = part.line_start - 1, part.line_end
    while i < stop:
        role, line = ds.roles[i], clean(ds.lines[i])
        if role in (BLANK, FURNITURE, TOC, HEADING_CONT):
            gap = gap or role != HEADING_CONT
            i += 1
            continue
        if role == HEADING:
            if cur is not None:
                yield cur
            h = heads[i]
            para = Para(HEADING)
            for j in range(h.index, h.last + 1):
                para.add(j + 1, clean(ds.lines[j]))
            yield para
            cur, gap, i = None, False, h.last + 1
            continue
        if role == TABLE:
            if cur is not None:
                yield cur
            para = Para(TABLE)
            para.add(i + 1, line)
            yield para
            cur, gap, i = None, False, i + 1
            continue
        if cur is not None and _continues(cur, line, role, gap):
            cur.add(i + 1, line)
        else:
            if cur is not None:
                yield cur
            cur = Para(LIST if role == LIST else TEXT)
            cur.add(i + 1, line)
        gap = False
        i += 1
    if cur is not None:
        yield cur


def _continues(cur: Para, line: str, role: str, gap: bool) -> bool:
    """Whether a line continues the current paragraph rather than starting a new one."""
    prev = cur.last_line_text.rstrip()
    s = line.strip()
    open_end = not ends_terminal(prev)
    if role == LIST:
        # "- för att förebygga …" after an unfinished line is a dash, not a bullet.
        return not gap and open_end and s[:1] in "-–" and starts_lower(s[1:])
    if not gap:
        return not (open_end and _line_ends_row(prev) and s[:1].isupper())
    head = s.lstrip("(\"”'")[:1]
    return open_end and (prev.endswith("-") or head.islower() or head.isdigit())


_KIND = {TEXT: "sentence", LIST: "list_item", TABLE: "table_row", HEADING: "heading"}


@lru_cache(maxsize=16)
def _passages(c: corpus_mod.Corpus, doc_id: str) -> tuple[Passage, ...]:
    return cached("passages", c, doc_id, lambda: _compute_passages(c, doc_id), __name__)


def _compute_passages(c: corpus_mod.Corpus, doc_id: str) -> tuple[Passage, ...]:
    ds = document_layout(c, doc_id)
    secs = _sections_list(c, doc_id)
    out: list[Passage] = []
    for part in c.parts(doc_id):
        part_secs = [s for s in secs if s["part_id"] == part.part_id]
        starts = [s["line_start"] for s in part_secs]
        for para in _paragraphs(ds, part):
            assert para.lines is not None
            spans = (
                split_sentences(para.text) if para.kind in (TEXT, LIST) else [(0, len(para.text))]
            )
            for a, b in spans:
                text, offsets, lines = _slice(para, a, b)
                if not text:
                    continue
                section = _innermost(part_secs, starts, lines[0])
                context = " / ".join(
                    sec["label"]
                    for sec in part_secs[: bisect.bisect_right(starts, lines[0])]
                    if sec["line_start"] <= lines[0] <= sec["line_end"]
                )
                out.append(
                    Passage(
                        doc_id,
                        part.part_id,
                        len(out) + 1,
                        _KIND[para.kind],
                        section,
                        text,
                        offsets,
                        lines,
                        context,
                    )
                )
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
    ds = document_layout(c, doc_id)
    part_of = {}
    for part in c.parts(doc_id):
        for i in range(part.line_start - 1, part.line_end):
            part_of[i] = part.part_id
    return pd.DataFrame(
        {
            "doc_id": doc_id,
            "part_id": [part_of.get(i) for i in range(len(ds.lines))],
            "line": range(1, len(ds.lines) + 1),
            "role": ds.roles,
            "furniture": [ds.furniture.get(i) for i in range(len(ds.lines))],
        }
    )


# --------------------------------------------------------------------------- sections


def _sections_list(c: corpus_mod.Corpus, doc_id: str) -> list[dict]:
    ds = document_layout(c, doc_id)
    rows: list[dict] = []
    q_items = questionnaire_rows(c, doc_id) if is_questionnaire(c, doc_id) else []
    for part in c.parts(doc_id):
        entries: list[dict[str, Any]] = [
            {"number": h.number, "heading": h.title, "level": level, "line_start": h.index + 1}
            for pid, h, level in ds.headings
            if pid == part.part_id
        ]
        for q in q_items:
            if part.line_start <= q["line_start"] <= part.line_end:
                entries.append(
                    {
                        "number": None,
                        "heading": q["question"],
                        "level": q["level"],
                        "line_start": q["line_start"],
                    }
                )
        entries.sort(key=lambda e: e["line_start"])
        generic = Counter(e["heading"].casefold() for e in entries if e["number"] is None)
        for k, e in enumerate(entries):
            end = part.line_end
            for later in entries[k + 1 :]:
                if later["level"] <= e["level"]:
                    end = later["line_start"] - 1
                    break
            e["label"] = section_label(e["number"], e["heading"])
            parent = next((p for p in reversed(entries[:k]) if p["level"] < e["level"]), None)
            if parent is not None and generic[e["heading"].casefold()] >= RECURRING:
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


# --------------------------------------------------------------------------- tables

_S, _I = "string", "int64"

SCHEMAS: dict[str, Schema] = {
    "sections": Schema(
        key=("doc_id", "part_id", "line_start"),
        foreign_keys=(ForeignKey(("doc_id", "part_id"), "documents", ("doc_id", "part_id")),),
        columns={
            "doc_id": Column(_S, "Document id from data/raw/manifest.yml"),
            "part_id": Column(_S, "Part id; a section never crosses a part boundary"),
            "number": Column(
                _S, "Heading number as printed (2.1.1); empty if unnumbered", nullable=True
            ),
            "heading": Column(
                _S,
                "Heading text (continuation lines joined); for a questionnaire item, the question",
            ),
            "level": Column(
                _I,
                "Depth: number of components of the heading number; an "
                "unnumbered heading or question is one below its numbered parent",
            ),
            "line_start": Column(_I, "Raw line of the heading (1-based)"),
            "line_end": Column(
                _I,
                "Last raw line before the next heading of the same or a "
                "higher level, or the part's last line",
            ),
        },
    ),
    "passages": Schema(
        key=("doc_id", "passage_id"),
        foreign_keys=(ForeignKey(("doc_id", "part_id"), "documents", ("doc_id", "part_id")),),
        columns={
            "doc_id": Column(_S, "Document id"),
            "part_id": Column(_S, "Part id"),
            "passage_id": Column(_I, "Running number of the passage within the document"),
            "kind": Column(
                _S,
                "sentence, list_item, table_row (a TAB-separated row) or heading",
                allowed=("sentence", "list_item", "table_row", "heading"),
            ),
            "section": Column(
                _S,
                "Innermost section: number and heading; empty before the first heading",
                nullable=True,
            ),
            "line_start": Column(_I, "First raw line of the passage (1-based)"),
            "line_end": Column(_I, "Last raw line of the passage (1-based)"),
            "text": Column(
                _S,
                "Passage text, lines joined (hyphenation at line ends undone, "
                "page furniture dropped); repaired text for OCR'd reports",
            ),
            "themes": Column(
                _S,
                "Theme ids mentioned (lib/data/themes.yml), sorted and ';'-joined; empty if none",
            ),
        },
    ),
}
