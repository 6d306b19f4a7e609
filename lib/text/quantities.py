"""Every number in the reports: quantities with unit, scale, approximation and period.

Two tables (see :data:`SCHEMAS`):

- ``numeric_tokens``: every whitespace-separated token of the analysed text that
  holds a digit, classified as quantity, year, date, page, section, reference or
  other, so that no number is silently dropped.
- ``quantities``: one row per figure, with its value in the unit as written
  (``448 miljoner kronor`` -> 448.0, unit ``mnkr``, scale 1e6).

The text is each document's :func:`lib.text.repaired.analysis_lines`, joined with line
breaks so that idioms and numbers can span lines; offsets are mapped back to
raw 1-based line numbers and character offsets within the analysed line.

Period convention: ``period`` is the period the value describes: a year
(``2024``), an ISO month interval (``2024-01/2024-08``), an ISO date interval
(``2023-12-01/2024-11-30``) or a date (``2022-12-31``). A change between two
periods (``ökat med 9 procent jämfört med 2023``, a Diff. column) has the later
period in ``period`` and the period it is measured against in ``base_period``
(``period=2024, base_period=2023``; the lead's ``2023/2024`` is
``f"{base_period}/{period}"``). Unknown periods are null.

lib/data/quantities_units.yml declares, reviewably, what the text alone cannot
settle: tables whose headers or cells the extraction scattered (``tables``,
``cell_tables``), units a table header omits (``table_units``) and periods a
report states once for a stretch of text (``period_contexts``). ``sentence`` is
the lib.text.structure passage holding the figure.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from lib import paths
from lib.core import yamlio
from lib.core.schemas import Column, ForeignKey, Schema
from lib.errors import DataError
from lib.sources import corpus
from lib.text.repaired import analysis_lines

VOCAB_PATH = paths.PACKAGE_DATA_DIR / "quantities_units.yml"

KINDS = ("quantity", "year", "date", "page", "section", "reference", "other")
BASES = ("utfall", "mål", "budget", "prognos", "avvikelse")

_SEP = "[ \u00a0\u202f]"
_W = "A-Za-zÅÄÖåäöÉéÜü"
_MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
           "september", "oktober", "november", "december")
_MONTH_RE = "|".join(_MONTHS)
_YEAR = r"(?:19[5-9]\d|20[0-4]\d)"


def _fold(s: str) -> str:
    """Strip diacritics (å -> a, ö -> o) as the OCR'd reports do."""
    return "".join(ch for ch in unicodedata.normalize("NFD", s) if not unicodedata.combining(ch))


# --------------------------------------------------------------------------- vocabulary


def qualifier_before(before: str) -> str | None:
    """The qualifier (≈ < > ≤ ≥) that the text right before a number gives it, or None.

    ``ca 20 000`` -> ≈, ``färre än 5`` -> <, a table cell ``>5`` -> >; the words are
    ``qualifier_words`` in lib/data/quantities_units.yml.
    """
    v = vocab()
    m = v.qualifier_re.search(before)
    return v.qualifier_of[" ".join(m.group("q").lower().split())] if m else None


@dataclass(frozen=True)
class Vocab:
    """The unit vocabulary, number words, approximation words and scattered tables."""

    unit_re: re.Pattern
    unit_of: dict[str, str]
    tail_forms: tuple[tuple[str, str], ...]
    scales: dict[str, float]
    number_words: dict[str, int]
    qualifier_re: re.Pattern
    qualifier_of: dict[str, str]
    tables: tuple[dict, ...]
    units: tuple[str, ...]
    cell_tables: tuple[dict, ...] = ()
    table_units: tuple[dict, ...] = ()
    period_contexts: tuple[dict, ...] = ()


@lru_cache(maxsize=1)
def vocab() -> Vocab:
    """Load lib/data/quantities_units.yml."""
    data = yamlio.safe_load(VOCAB_PATH.read_text(encoding="utf-8"))
    unit_of: dict[str, str] = {}
    for unit, forms in data["units"].items():
        for form in forms:
            for f in (form.lower(), _fold(form.lower())):
                unit_of.setdefault(f, unit)
    forms = sorted(unit_of, key=lambda f: (-len(f), f))
    alts = "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in forms)
    unit_re = re.compile(rf"(?:{alts})(?![{_W}\d])", re.IGNORECASE)
    money = {"procent", "procentenheter", "kr", "tkr", "mnkr", "mdkr"}
    tails = tuple((f, u) for f, u in sorted(unit_of.items(), key=lambda x: (-len(x[0]), x[0]))
                  if u not in money and len(f) >= 4 and " " not in f)
    words: dict[str, int] = {}
    for w, v in data["number_words"].items():
        words[w] = v
        words[_fold(w)] = v
    qualifier_of = {f: symbol for symbol, ws in data["qualifier_words"].items()
                    for w in ws for f in (w.lower(), _fold(w.lower()))}
    alt = "|".join(re.escape(a).replace(r"\ ", r"\s+")
                   for a in sorted(qualifier_of, key=len, reverse=True))
    qualifier_re = re.compile(rf"(?:^|(?<=[\s(]))(?P<q>{alt})\s*\(?\s*$", re.IGNORECASE)
    return Vocab(unit_re, unit_of, tails, {k: float(v) for k, v in data["scales"].items()},
                 words, qualifier_re, qualifier_of, tuple(data.get("tables") or ()),
                 tuple(data["units"]),
                 tuple(data.get("cell_tables") or ()), tuple(data.get("table_units") or ()),
                 tuple(data.get("period_contexts") or ()))


# --------------------------------------------------------------------------- patterns

_REFERENCE = re.compile(
    r"\b\d{4}:\d+\b"
    r"|\bkap(?:itel|\.)?\s*\d+(?:\s*§\s*\d+)?"
    r"|\b\d+\s*kap\.?(?:\s*\d+\s*§)?"
    r"|§\s*\d+"
    r"|(?<![-\d])\b\d+\s*§",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\b(?:19|20)\d\d-[01]\d-[0-3]\d\b"
    rf"|\b[0-3]?\d\s+(?:{_MONTH_RE})(?:\s+{_YEAR})?\b",
    re.IGNORECASE,
)
_YEAR_PAIR = re.compile(rf"\b{_YEAR}/(?:\d\d|{_YEAR})\b")
_PAGE = re.compile(r"\b\d{1,3}\s*\(\d{1,3}\)[ \t]*$|\.{4,}\s*\d{1,3}[ \t]*$", re.MULTILINE)
_SECTION = re.compile(
    r"\b\d+(?:\.\d+){2,}\b"
    r"|^[ \t]*\d{1,2}(?:\.\d{1,2})*\.?(?=[ \t]+[A-ZÅÄÖ]|[ \t]*$)"
    r"|(?<=rubrik )\d+(?:\.\d+)*|(?<=avsnitt )\d+(?:\.\d+)*",
    re.MULTILINE,
)
_NUMBER = re.compile(
    r"(?<![\w.,:/§])"
    r"(?P<sign>(?<![\w])[-−–][ \t]?)?"
    rf"(?P<int>\d{{1,3}}(?:{_SEP}\d{{3}}(?![\d]))+|\d{{1,3}}(?:[ \t]*\n\s*\d{{3}}(?![\d,]))"
    r"|\d+)"
    r"(?:[,.](?P<frac>\d+)(?![.\d]))?"
    r"(?=tkr\b|mnkr\b|mkr\b|kr\b|%|[^\w]|$)"
)
_OTHER_PREFIX = re.compile(r"(?:vecka|v\.|nr|iteration|kvartal|steg|fas|version|covid-)\s*$", re.I)
_CHANGE_BEFORE = re.compile(
    r"(?:ök\w*|ok\w*|6k\w*|minsk\w*|höj\w*|sänk\w*|förändr\w*|skillnad\w*)"
    r"(?:\s+[\w,]+){0,5}?\s+(?:med|på)\s+(?:\S+\s+){0,1}$",
    re.IGNORECASE,
)
_AGAINST = re.compile(
    rf"(?:jämfört\s+med|jamf.rt\s+med|i\s+förhållande\s+till|i\s+forhallande\s+till|jmf\.?)"
    rf"\s+(?:(?:helåret|helaret|år|ar)\s+)?(?P<year>{_YEAR})\b"
    r"|(?P<same>samma\s+(?:tids)?period\s+f.reg.ende\s+.r|samma\s+(?:tids)?period\s+f.rra\s+.ret)"
    r"|(?P<prev>f.reg.ende\s+.r|f.rra\s+.ret|året\s+innan)",
    re.IGNORECASE,
)
_BETWEEN = re.compile(rf"mellan\s+(?:år\s+)?(?P<a>{_YEAR})\s+och\s+(?P<b>{_YEAR})", re.I)
_YEAR_AFTER = re.compile(rf"[ \t\n,]*(?:(?:år|ar|under|för|for|i)\s+)?(?P<y>{_YEAR})(?![\d/-])",
                         re.IGNORECASE)
_PAREN_PRIOR = re.compile(
    rf"[^\S\n]*\n?\s*(?:år|ar|under|för|for)\s+(?P<y>{_YEAR})\s*\)", re.IGNORECASE)
_PERIOD_PHRASE = re.compile(
    rf"(?P<d1>[0-3]?\d)\s+(?P<m1>{_MONTH_RE})\s+(?P<y1>{_YEAR})\s+(?:till|-|–)\s+(?:och\s+med\s+)?"
    rf"(?P<d2>[0-3]?\d)\s+(?P<m2>{_MONTH_RE})\s+(?P<y2>{_YEAR})"
    rf"|(?P<ma>{_MONTH_RE})\s+(?:till|-|–)\s+(?:och\s+med\s+)?(?P<mb>{_MONTH_RE})\s+(?P<yb>{_YEAR})"
    rf"|(?:under|för|for|år|ar|i|helår|helåret|helar|helaret|inför|infor|per)\s+(?P<y>{_YEAR})"
    r"(?![\d/-])"
    rf"|^[ \t\n•]*(?P<y0>{_YEAR})(?=[ \t\n]+[a-zåäö])"
    rf"|(?P<half>första|forsta|andra)\s+halv(?:å|a)ret\s+(?P<yh>{_YEAR})"
    rf"|till\s+och\s+med\s+(?P<mt>{_MONTH_RE})(?![ \t\n]+(?:\d|{_YEAR}))"
    r"|(?P<cur>(?:under|för|for|till\s+och\s+med)\s+perioden)\b"
    r"|(?P<full>(?:för|for|under)\s+(?:hel|hela\s+)?(?:å|a)ret)(?![ \t\n]+\d)",
    re.IGNORECASE,
)
_SENT_END = re.compile(r"[.!?](?=\s+[A-ZÅÄÖ•])|•|\n[ \t]*\n(?=[ \t]*[A-ZÅÄÖ•])")
_WORD_NUMBER = re.compile(r"(?<![\w])(?P<w>[a-zåäö]+)\s+(?=\S)", re.IGNORECASE)
_TAL = re.compile(r"-tal\b")


# --------------------------------------------------------------------------- data model


@dataclass
class Quantity:
    """A figure found in a document's joined text (offsets into that text)."""

    start: int
    end: int
    value: float
    unit: str = "antal"
    unit_end: int = 0
    approx: bool = False
    qualifier: str | None = None
    period: str | None = None
    base_period: str | None = None
    basis: str | None = None
    label: str | None = None
    column: str | None = None
    in_table: bool = False
    change: bool = False
    verb_at: int = -1  # offset of the change verb (`ökade`) of a change in prose
    token_spans: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Span:
    """A non-quantity numeric entity (year, date, page, section, reference, other)."""

    start: int
    end: int
    kind: str


class Doc:
    """A document's analysed text joined with line breaks, with offset-to-line mapping."""

    def __init__(self, c: corpus.Corpus, doc_id: str) -> None:
        self.doc_id = doc_id
        self.document = c.document(doc_id)
        self.lines = analysis_lines(c, doc_id)
        self.text = "\n".join(self.lines)
        self.line_starts: list[int] = []
        pos = 0
        for line in self.lines:
            self.line_starts.append(pos)
            pos += len(line) + 1
        self.parts = c.parts(doc_id)
        d = self.document
        full_year = ((d.period_start.month, d.period_start.day, d.period_end.month,
                      d.period_end.day) == (1, 1, 12, 31)
                     and d.period_start.year == d.period_end.year)
        self.report_period = (str(d.year) if full_year else
                              f"{d.period_start:%Y-%m}/{d.period_end:%Y-%m}")
        self.prior_period = (str(d.year - 1) if full_year else
                             f"{d.period_start.year - 1}-{d.period_start:%m}/"
                             f"{d.period_end.year - 1}-{d.period_end:%m}")

        self.contexts = self._contexts()

    def _contexts(self) -> list[dict]:
        """The declared period contexts of this document, each checked against its source line."""
        out = []
        for ctx in vocab().period_contexts:
            if ctx["doc_id"] != self.doc_id:
                continue
            if ctx["quote"] not in self.lines[ctx["source"] - 1]:
                raise DataError(f"{VOCAB_PATH}: period_contexts: {ctx['quote']!r} is not in line "
                                f"{ctx['source']} of {self.doc_id}; fix the declaration")
            out.append(ctx)
        return out

    def context(self, offset: int) -> dict | None:
        """The declared period context holding a text offset, if any."""
        line = self.locate(offset)[0]
        for ctx in self.contexts:
            if ctx["lines"][0] <= line <= ctx["lines"][1]:
                return ctx
        return None

    def current_period(self, offset: int) -> str:
        """The period "this year" / "perioden" means at a text offset."""
        ctx = self.context(offset)
        return ctx["period"] if ctx else self.report_period

    def locate(self, offset: int) -> tuple[int, int]:
        """Raw 1-based line and column of a text offset."""
        i = bisect.bisect_right(self.line_starts, offset) - 1
        return i + 1, offset - self.line_starts[i]

    def part_of(self, line: int) -> str:
        """The part_id holding a raw line."""
        for p in self.parts:
            if p.line_start <= line <= p.line_end:
                return p.part_id
        return self.parts[-1].part_id


# --------------------------------------------------------------------------- helpers


def _parse_value(sign: str | None, int_part: str, frac: str | None) -> float:
    digits = re.sub(r"\s", "", int_part)
    value = float(f"{digits}.{frac}" if frac else digits)
    return -value if sign else value


def _unit_after(doc: Doc, pos: int, limit: int = 60) -> tuple[str, int, bool]:
    """Unit written right after a number at ``pos``: (unit, end offset, is -tal approximation)."""
    v = vocab()
    text = doc.text
    tal = False
    m = _TAL.match(text, pos)
    if m:
        tal, pos = True, m.end()
    ws = re.compile(r"[ \t\u00a0\u202f]*(?:\n\s*)?").match(text, pos)
    start = ws.end()
    seg = text[start:start + limit]
    m = v.unit_re.match(seg)
    if m and m.group().lower() in ("år", "ar") and re.match(rf"\s+{_YEAR}\b", seg[m.end():]):
        m = None
    if m and not (text[pos:start] and m.group() == "%" and "\n" in text[pos:start]):
        return v.unit_of[re.sub(r"\s+", " ", m.group().lower())], start + m.end(), tal
    w = re.match(rf"[{_W}]+", seg)
    if w and "\n" not in text[pos:start]:
        word = w.group().lower()
        for form, unit in v.tail_forms:
            if word.endswith(form) and len(word) > len(form):
                return unit, start + w.end(), tal
    return "antal", pos, tal


def _cut(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


@dataclass
class _State:
    """Per-document working state: occupied characters, spans and quantities."""

    doc: Doc
    occupied: bytearray
    spans: list[Span] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)

    def free(self, s: int, e: int) -> bool:
        return not any(self.occupied[s:e])

    def occupy(self, s: int, e: int) -> None:
        self.occupied[s:e] = b"\x01" * (e - s)

    def add_span(self, s: int, e: int, kind: str) -> None:
        self.spans.append(Span(s, e, kind))
        self.occupy(s, e)


_AGE = re.compile(
    r"(?<![\d,.])\d{1,2}[ \t]?[-–][ \t]?\d{1,2}"
    r"(?=(?:[ \t]+(?:respektive|och|eller)[ \t]+\d{1,2}[ \t]?[-–][ \t]?\d{1,2})*[ \t]+(?:år|ar)\b)")


def _entities(st: _State) -> None:
    for rx, kind in ((_AGE, "other"), (_DATE, "date"), (_REFERENCE, "reference"),
                     (_YEAR_PAIR, "year"), (_PAGE, "page"), (_SECTION, "section")):
        for m in rx.finditer(st.doc.text):
            s, e = m.span()
            if any(ch.isdigit() for ch in m.group()) and st.free(s, e):
                st.add_span(s, e, kind)


# --------------------------------------------------------------------------- tables

_HEADER_WORDS = re.compile(r"utfall|budget|avvikelse|mål|bokslut|prognos|kvartal|\bsol\b|\blss\b",
                           re.IGNORECASE)
_HEADER_NOISE = re.compile(
    rf"(?:19|20)\d\d-\d\d-\d\d|\b{_YEAR}\b|kvartal\s+[1-4]|\b[0-3]?\d\s+(?:{_MONTH_RE})",
    re.IGNORECASE)
_GROUP = re.compile(r"[-−–]?\d+(?:,\d+)?%?")  # one whitespace-free group of a table row


def _period_of_header(cell: str, doc: Doc) -> str | None:
    m = re.search(rf"kvartal\s+([1-4])\s+({_YEAR})", cell, re.I)
    if m:
        q, y = int(m.group(1)), m.group(2)
        return f"{y}-{3 * q - 2:02d}/{y}-{3 * q:02d}"
    m = re.search(r"\b((?:19|20)\d\d-[01]\d-[0-3]\d)\b", cell)
    if m:
        return m.group(1)
    years = sorted(set(re.findall(rf"\b{_YEAR}\b", cell)))
    if len(years) == 1:
        return years[0]
    if not years and _HEADER_WORDS.search(cell):
        return doc.report_period
    return None


def _basis_of(cell: str) -> str | None:
    c = cell.lower()
    for word, basis in (("avvikelse", "avvikelse"), ("mål", "mål"), ("budget", "budget"),
                        ("prognos", "prognos"), ("utfall", "utfall"), ("bokslut", "utfall")):
        if word in c:
            return basis
    return None


def _unit_hint(*texts: str) -> str | None:
    t = " ".join(texts).lower()
    for pat, unit in ((r"\(%\)|procent", "procent"), (r"\btkr\b|tusen kronor", "tkr"),
                      (r"\bmn?kr\b|miljoner", "mnkr"), (r"\bkronor\b|\bkr\b", "kr")):
        if re.search(pat, t):
            return unit
    return None


def _cell_numbers(st: _State, offset: int, cell: str, header: str | None, label: str,
                  table_hint: str, unit: str | None = None) -> None:
    doc = st.doc
    if header and re.search(r"kod\b", header, re.I):
        for m in _NUMBER.finditer(cell):
            st.add_span(offset + m.start(), offset + m.end(), "other")
        return
    for m in _NUMBER.finditer(cell):
        s, e = offset + m.start(), offset + m.end()
        if not st.free(s, e):
            continue
        q = Quantity(s, e, _parse_value(m.group("sign"), m.group("int"), m.group("frac")),
                     in_table=True, label=_cut(label) or None,
                     column=_cut(header) if header else None)
        after = cell[m.end():]
        if after.lstrip().startswith("%"):
            q.unit, q.unit_end = "procent", offset + m.end() + after.index("%") + 1
        else:
            q.unit = unit or _unit_hint(label, header or "", table_hint) or "antal"
            q.unit_end = e
        before = cell[:m.start()]
        q.qualifier = qualifier_before(before)
        q.approx = q.qualifier is not None
        if header:
            q.period = _period_of_header(header, doc)
            q.basis = _basis_of(header)
        _add_quantity(st, q)


def _add_quantity(st: _State, q: Quantity) -> None:
    st.quantities.append(q)
    st.occupy(q.start, q.end)


def _tab_tables(st: _State) -> None:
    doc = st.doc
    header: list[str] | None = None
    header_line = 0
    rules = [r for r in vocab().table_units if r["doc_id"] == doc.doc_id]
    for i, line in enumerate(doc.lines):
        if "\t" not in line:
            header = None
            continue
        cells = line.split("\t")
        offs = [0]
        for cell in cells[:-1]:
            offs.append(offs[-1] + len(cell) + 1)
        base = doc.line_starts[i]
        numeric = [j for j, cell in enumerate(cells[1:], 1)
                   if re.fullmatch(r"\s*[<>]?\s*[-−–]?[\d  ,]+\s*%?\*?\s*", cell)]
        if re.fullmatch(r"\s*\d+(?:\.\d+)*\s*", cells[0]) and numeric == [len(cells) - 1]:
            s = base + offs[-1]  # table of contents: section <TAB> heading <TAB> page
            st.add_span(s, s + len(cells[-1].rstrip()), "page")
            continue
        heads = [re.search(rf"\b{_YEAR}\b", c) or _HEADER_WORDS.search(c) for c in cells[1:]]
        no_values = not any(re.search(r"\d", _HEADER_NOISE.sub("", c)) for c in cells[1:])
        if no_values and any(heads) and not (numeric and not all(
                re.fullmatch(rf"\s*{_YEAR}\s*", cells[j]) for j in numeric)):
            header, header_line = cells, i + 1
            for m in re.finditer(rf"\b{_YEAR}\b", line):
                if st.free(base + m.start(), base + m.end()):
                    st.add_span(base + m.start(), base + m.end(), "year")
            continue
        unit = next((r["unit"] for r in rules if header and r["header"] == header_line
                     and re.search(r["label"], cells[0])), None)
        for j, cell in enumerate(cells[1:], 1):
            h = header[j] if header and j < len(header) else None
            _cell_numbers(st, base + offs[j], cell, h, cells[0], header[0] if header else "", unit)
        if numeric:
            _label_numbers(st, base, cells[0])


def _label_numbers(st: _State, base: int, label: str) -> None:
    """Digits in a table row's label (`0-12 år`, `inom 14 dagar`) name the row: not values."""
    for m in re.finditer(r"\d+(?:[-–,.:]\d+)*", label):
        s, e = base + m.start(), base + m.end()
        if st.free(s, e):
            st.add_span(s, e, "year" if re.fullmatch(_YEAR, m.group()) else "other")


def _partitions(groups: list[tuple[int, int, str, bool]], n: int) -> list[list[list[int]]]:
    """All ways to read digit groups as exactly n Swedish numbers (space thousands separator).

    ``groups`` holds (start, end, text, forced_break_before).
    """
    out: list[list[list[int]]] = []

    def number_ends(i: int) -> list[int]:
        g = groups[i][2]
        if not re.fullmatch(r"[-−–]?\d{1,3}", g):
            return [i]
        if re.fullmatch(r"0\d\d", g):
            return []
        ends = [i]
        j = i + 1
        while (j < len(groups) and not groups[j][3]
               and re.fullmatch(r"\d{3}(?:,\d+)?%?", groups[j][2])):
            ends.append(j)
            if not re.fullmatch(r"\d{3}", groups[j][2]):
                break
            j += 1
        return ends

    def walk(i: int, acc: list[list[int]]) -> None:
        if len(out) > 64:
            return
        if i == len(groups):
            if len(acc) == n:
                out.append([list(a) for a in acc])
            return
        if len(acc) >= n:
            return
        for end in number_ends(i):
            walk(end + 1, acc + [list(range(i, end + 1))])

    walk(0, [])
    return out


_ROW = re.compile(r"^[ \t]*(?P<label>[^\d\n|]*?[^\W\d][^\d\n|]*?)[ \t]+(?P<run>[-−–]?\d[^\n|]*?)"
                  r"[ \t]*(?=\||$|[ \t]+[^\W\d])")


def _row(st: _State, i: int, columns: list[dict], unit: str | None, header_text: str) -> bool:
    """Read line i as `label n1 n2 ...` with one number per column; True if it fits."""
    doc = st.doc
    line = doc.lines[i]
    m = _ROW.match(line)
    if not m:
        return False
    run_start = m.start("run")
    groups = []
    prev_end = None
    for g in re.finditer(r"\S+(?:[ \t]%)?", m.group("run")):
        if not _GROUP.fullmatch(g.group().replace(" ", "").replace("\t", "")):
            break
        gap = line[run_start + prev_end:run_start + g.start()] if prev_end is not None else ""
        groups.append((run_start + g.start(), run_start + g.end(), g.group(), len(gap) >= 2))
        prev_end = g.end()
    parts = _partitions(groups, len(columns)) if groups else []
    if not parts:
        return False
    best = min(parts, key=lambda p: max(sum(len(re.sub(r"\D", "", groups[k][2])) for k in idx)
                                        for idx in p))
    base = doc.line_starts[i]
    label = _cut(m.group("label"))
    for idx, col in zip(best, columns, strict=True):
        s, e = base + groups[idx[0]][0], base + groups[idx[-1]][1]
        raw = doc.text[s:e]
        mm = re.fullmatch(r"(?P<sign>[-−–])?(?P<int>[\d \u00a0\u202f]+?)(?:,(?P<frac>\d+))?"
                          r"(?P<pct>[ \t]?%)?", raw)
        if not mm or not st.free(s, e):
            continue
        q = Quantity(s, e, _parse_value(mm.group("sign"), mm.group("int"), mm.group("frac")),
                     in_table=True, label=label, column=col.get("name") or header_text,
                     period=col.get("period"), base_period=col.get("base_period"),
                     basis=col.get("basis"), change=col.get("base_period") is not None)
        q.unit = "procent" if mm.group("pct") else (unit or "antal")
        q.unit_end = e
        if mm.group("pct"):
            q.end = e - len(mm.group("pct"))
        _add_quantity(st, q)
    return True


def _declared_tables(st: _State) -> None:
    for spec in vocab().tables:
        if spec["doc_id"] != st.doc.doc_id:
            continue
        lo, hi = spec["lines"]
        cols = [dict(c) for c in spec["columns"]]
        for c in cols:
            c["name"] = f"{spec['name']} (rader {spec['header'][0]}–{spec['header'][1]})"
        for i in range(lo - 1, hi):
            _row(st, i, cols, spec.get("unit"), spec["name"])


_CELL_VALUE = re.compile(r"(?P<sign>[-−–])?(?P<int>\d[\d \u00a0\u202f]*?)(?:[,.](?P<frac>\d+))?"
                         r"(?P<pct>[ \t]?%)?")


def _cell_tables(st: _State) -> None:
    """Tables whose cells the OCR scrambled, read cell by cell as declared in the vocabulary."""
    for spec in vocab().cell_tables:
        if spec["doc_id"] != st.doc.doc_id:
            continue
        for row in spec["rows"]:
            unit = row.get("unit", spec.get("unit", "antal"))
            for line, cells in row["cells"].items():
                _cell_line(st, spec, row["label"], int(line), cells, unit)


def _cell_line(st: _State, spec: dict, label: str, line: int, cells: str, unit: str) -> None:
    doc = st.doc
    text, base, cursor = doc.lines[line - 1], doc.line_starts[line - 1], 0
    where = f"{VOCAB_PATH}: cell_tables {spec['name']!r}, line {line} of {doc.doc_id}"
    h0, h1 = spec["header"]
    for item in (c.strip() for c in cells.split(";")):
        tok, _, key = item.rpartition(" ")
        m = re.compile(rf"(?<![\d,.]){re.escape(tok)}(?![\d])").search(text, cursor)
        if not m or (key != "-" and key not in spec["columns"]):
            raise DataError(f"{where}: cannot place {item!r} (text not found after offset {cursor}"
                            " or unknown column); fix the declaration")
        cursor = m.end()
        s, e = base + m.start(), base + m.end()
        if key == "-":
            st.add_span(s, e, "other")
            continue
        col = spec["columns"][key]
        v = _CELL_VALUE.fullmatch(tok)
        if not v:
            raise DataError(f"{where}: {tok!r} is not a number; fix the declaration")
        q = Quantity(s, e, _parse_value(v.group("sign"), v.group("int"), v.group("frac")),
                     unit="procent" if v.group("pct") else unit, unit_end=e, in_table=True,
                     label=label, column=f"{spec['name']}: {col['name']} (rubrik rader {h0}–{h1})",
                     period=col.get("period"), base_period=col.get("base_period"),
                     basis=col.get("basis"), change=col.get("base_period") is not None)
        if v.group("pct"):
            q.end = e - len(v.group("pct"))
        _add_quantity(st, q)


_YEAR_HEADER = re.compile(rf"^[ \t]*[^\W\d][^\d\n]*?[ \t]+(?P<years>{_YEAR}(?:[ \t|]+{_YEAR})+)"
                          r"(?:[ \t|]+[^\W\d][^\d\n]*)?[ \t]*$")


def _space_tables(st: _State) -> None:
    """Tables with a one-line header of adjacent year columns (`Ärendetyp  2024 2023 Kommentar`)."""
    doc = st.doc
    for i, line in enumerate(doc.lines):
        if "\t" in line:
            continue
        m = _YEAR_HEADER.match(line)
        if not m:
            continue
        base = doc.line_starts[i]
        years = list(re.finditer(_YEAR, line))
        for y in years:
            if st.free(base + y.start(), base + y.end()):
                st.add_span(base + y.start(), base + y.end(), "year")
        cols = [{"period": y.group(), "name": f"{_cut(line)} (rad {i + 1})"} for y in years]
        misses = 0
        for j in range(i + 1, min(i + 60, len(doc.lines))):
            if not doc.lines[j].strip():
                continue
            if _row(st, j, cols, None, _cut(line)):
                misses = 0
            else:
                misses += 1
                if misses > 6:
                    break


# --------------------------------------------------------------------------- prose

_YEAR_CONTEXT = re.compile(
    r"(?:under|för|for|sedan|år|ar|i|från|fran|till|inför|infor|och|mellan|hösten|våren|"
    r"hosten|varen|början|borjan|slutet|av|med|jmf|start|helår|helåret|helar|helaret|"
    r"januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december)"
    r"[ \t\n]*$",
    re.IGNORECASE,
)


def _prose_numbers(st: _State) -> None:
    doc = st.doc
    text = doc.text
    for m in _NUMBER.finditer(text):
        s, e = m.span()
        if not st.free(s, e):
            continue
        int_part, frac, sign = m.group("int"), m.group("frac"), m.group("sign")
        before = text[max(0, s - 30):s]
        if _OTHER_PREFIX.search(before):
            st.add_span(s, e, "other")
            continue
        unit, unit_end, tal = _unit_after(doc, e)
        year_like = (not sign and not frac and re.fullmatch(_YEAR, int_part) is not None)
        if year_like:
            paren_prior = before.rstrip().endswith("(") and _PAREN_PRIOR.match(text, unit_end)
            if not paren_prior and (unit in ("antal", "år") or _YEAR_CONTEXT.search(before)):
                st.add_span(s, e, "year")
                continue
        if "." in text[s:e] and frac and doc.document.text_quality != "ocr":
            st.add_span(s, e, "other")
            continue
        qualifier = qualifier_before(before) or ("≈" if tal else None)
        q = Quantity(s, e, _parse_value(sign, int_part, frac), unit=unit,
                     unit_end=max(unit_end, e), approx=qualifier is not None,
                     qualifier=qualifier)
        _add_quantity(st, q)


def _word_numbers(st: _State) -> None:
    doc = st.doc
    v = vocab()
    words = "|".join(sorted(v.number_words, key=len, reverse=True))
    rx = re.compile(rf"(?<![\w-])(?P<w>{words}|en|ett)(?=[ \t\n]+\S)", re.IGNORECASE)
    for m in rx.finditer(doc.text):
        w = m.group("w").lower()
        unit, unit_end, _ = _unit_after(doc, m.end())
        if unit == "antal" or "\n" in doc.text[m.end():unit_end].strip():
            continue
        if w in ("en", "ett"):
            if unit not in ("mnkr", "mdkr"):
                continue
            value = 1.0
        else:
            value = float(v.number_words[w])
        before = doc.text[max(0, m.start() - 30):m.start()]
        qualifier = qualifier_before(before)
        q = Quantity(m.start(), m.end(), value, unit=unit, unit_end=unit_end,
                     approx=qualifier is not None, qualifier=qualifier)
        st.quantities.append(q)


# --------------------------------------------------------------------------- periods


def _sentence_bounds(doc: Doc) -> list[int]:
    return [m.end() for m in _SENT_END.finditer(doc.text)]


def _shift_year(period: str, by: int) -> str:
    return re.sub(r"\d{4}", lambda m: str(int(m.group()) + by), period)


def _phrase_period(m: re.Match, doc: Doc, offset: int) -> str:
    g = m.groupdict()
    if g["y1"]:
        d1 = f"{g['y1']}-{_MONTHS.index(g['m1'].lower()) + 1:02d}-{int(g['d1']):02d}"
        d2 = f"{g['y2']}-{_MONTHS.index(g['m2'].lower()) + 1:02d}-{int(g['d2']):02d}"
        return f"{d1}/{d2}"
    if g["yb"]:
        a, b = _MONTHS.index(g["ma"].lower()) + 1, _MONTHS.index(g["mb"].lower()) + 1
        if (a, b) == (1, 12):
            return g["yb"]
        return f"{g['yb']}-{a:02d}/{g['yb']}-{b:02d}"
    if g["yh"]:
        first = g["half"].lower().startswith("f")
        return f"{g['yh']}-01/{g['yh']}-06" if first else f"{g['yh']}-07/{g['yh']}-12"
    current = doc.current_period(offset)
    if g["mt"]:
        return f"{current[:4]}-01/{current[:4]}-{_MONTHS.index(g['mt'].lower()) + 1:02d}"
    if g["cur"]:
        return current
    if g["full"]:
        return current[:4]
    return g["y"] or g["y0"]


def _range_units(st: _State) -> None:
    """`mellan 25 och 35 procent`, `1 000 till 1 499 miljoner kronor`: the unit is written once."""
    text = st.doc.text
    prose = sorted((q for q in st.quantities if not q.in_table), key=lambda q: q.start)
    for q, nxt in zip(prose[::-1][1:], prose[::-1][:-1], strict=True):
        if q.unit == "antal" and nxt.unit != "antal" and re.fullmatch(
                r"[ \t]*(?:till|och|à|-|–)[ \t]*", text[q.end:nxt.start]):
            q.unit = nxt.unit


_REL_PRIOR = re.compile(r"[ \t\n]*(?:året\s+innan|året\s+före|f.reg.ende\s+år|f.rra\s+året)\b",
                        re.IGNORECASE)
_AFTER_PERIOD = re.compile(
    r"[ \t\n]*(?:i\s+(?:utfall|prognos)\s+)?"
    rf"(?:(?:fram\s+)?till\s+och\s+med\s+(?P<mt>{_MONTH_RE})"
    r"|(?:för|for|under)\s+(?:(?P<cur>perioden)|(?P<full>(?:hel|hela\s+)?(?:å|a)ret)))"
    r"(?![ \t\n]+\d)", re.IGNORECASE)
_PROGNOS_BEFORE = re.compile(r"\b(?:i\s+)?prognos(?:en|t\w*)?\b[^.\d]{0,50}$", re.IGNORECASE)
_DURATION = ("år", "månader", "veckor", "dagar", "timmar")


def _attach_periods(st: _State) -> None:
    doc = st.doc
    text = doc.text
    bounds = _sentence_bounds(doc)
    prose = sorted((q for q in st.quantities if not q.in_table), key=lambda q: q.start)
    fixed = _paren_prior(st, prose, bounds)
    for k, q in enumerate(prose):
        if k in fixed:
            continue
        b = bisect.bisect_right(bounds, q.start)
        s0 = max(bounds[b - 1] if b else 0, q.start - 400)
        s1 = min(bounds[b] if b < len(bounds) else len(text), q.unit_end + 400)
        s1 = max(s1, q.unit_end)
        before = text[s0:q.start]
        prev = prose[k - 1] if k and prose[k - 1].unit_end >= s0 else None
        nxt = prose[k + 1] if k + 1 < len(prose) and prose[k + 1].start < s1 else None
        if (re.search(r"\(\s*$", before) and prev and prev.change
                and re.fullmatch(r"[ \t\n]*(?:\S+[ \t\n]+){0,6}\(\s*",
                                 text[prev.unit_end:q.start])):
            q.change, q.period, q.base_period = True, prev.period, prev.base_period
            continue
        tail = before[-80:]
        verb = _CHANGE_BEFORE.search(tail)
        if verb or (prev and prev.change and re.search(r"\boch\s+med\s+$", before)
                    and len(text[prev.unit_end:q.start]) < 120):
            q.change = True
            verb_start = q.start - len(tail) + verb.start() if verb else prev.unit_end
            q.verb_at = verb_start
            _change_period(q, doc, text, (s0, s1, verb_start), prev)
            continue
        _from_to(q, nxt, text, before, s0, s1)
        if _PROGNOS_BEFORE.search(before[-60:]):
            q.basis = "prognos"
        after = _AFTER_PERIOD.match(text, q.unit_end)
        if q.period is None and after:
            q.period = _after_period(after, doc.current_period(q.start))
        if q.period is None and _REL_PRIOR.match(text, q.unit_end):
            ref = prev.period if prev and prev.period else doc.current_period(q.start)
            q.period = _shift_year(ref, -1)
        if q.period is None:
            ym = _YEAR_AFTER.match(text, q.unit_end)
            if ym and ym.end() <= s1:
                q.period = ym.group("y")
        if q.period is None:
            phrases = list(_PERIOD_PHRASE.finditer(before))
            if phrases:
                q.period = _phrase_period(phrases[-1], doc, s0 + phrases[-1].start())
        if q.period is None and q.unit not in _DURATION and doc.context(q.start):
            q.period = doc.current_period(q.start)


def _after_period(m: re.Match, current: str) -> str:
    """The period of `… till och med augusti`, `… för perioden`, `… för helåret`."""
    if m.group("mt"):
        return f"{current[:4]}-01/{current[:4]}-{_MONTHS.index(m.group('mt').lower()) + 1:02d}"
    return current if m.group("cur") else current[:4]


def _from_to(q: Quantity, nxt: Quantity | None, text: str, before: str, s0: int,
             s1: int) -> None:
    """`från X [år Y1] till Z [år Y2]` / `från X till Z, Y2 jämfört med Y1`."""
    if not (re.search(r"\bfr[åa]n\s+(?:\S+\s+)?$", before, re.I) and nxt):
        return
    mid = text[q.unit_end:nxt.start]
    if re.fullmatch(rf"\s*(?:(?:år\s+|ar\s+)?{_YEAR}\s+)?till\s+(?:\S+\s+)?", mid, re.I):
        tail = re.match(rf"[\s,]*(?:år\s+|ar\s+)?(?P<b>{_YEAR})\s+"
                        r"(?:jämfört med|jamfort med|i förhållande till)"
                        rf"\s+(?:år\s+)?(?P<a>{_YEAR})",
                        text[nxt.unit_end:s1], re.I)
        between = _BETWEEN.search(text[s0:s1])
        if tail:
            q.period, nxt.period = tail.group("a"), tail.group("b")
        elif between and not re.match(rf"\s*(?:år\s+)?{_YEAR}", mid):
            q.period, nxt.period = between.group("a"), between.group("b")


def _paren_prior(st: _State, prose: list[Quantity], bounds: list[int]) -> set[int]:
    """`81 personer (72 år 2023)`: 72 is the 2023 value, 81 the report period's."""
    doc, text = st.doc, st.doc.text
    fixed: set[int] = set()
    for k, q in enumerate(prose):
        before = text[max(0, q.start - 20):q.start]
        if not re.search(r"\(\s*(?:jmf\.?|j[äa]mf[öo]rt\s+med)?\s*$", before, re.I):
            continue
        pm = _PAREN_PRIOR.match(text, q.unit_end)
        if not pm:
            continue
        q.period = pm.group("y")
        fixed.add(k)
        prev = prose[k - 1] if k else None
        if prev and re.fullmatch(r"[ \t\n]*(?:[^\W\d]+[ \t\n]+){0,2}\(\s*(?:[^\W\d]+\.?\s*){0,2}",
                                 text[prev.unit_end:q.start]):
            prev.period = doc.current_period(prev.start)
            fixed.add(k - 1)
            if q.unit == "antal":
                q.unit = prev.unit
    return fixed


def _change_period(q: Quantity, doc: Doc, text: str, window: tuple[int, int, int],
                   prev: Quantity | None) -> None:
    """Period and base period of a change (`ökat med 9 procent jämfört med 2023`)."""
    s0, s1, verb_start = window
    current = doc.current_period(q.start)
    ym = _YEAR_AFTER.match(text, q.unit_end)
    if ym and ym.end() <= s1:
        q.period = ym.group("y")
    vy = re.match(rf"\S+\s+(?:under\s+|år\s+)?(?P<y>{_YEAR})\b", text[verb_start:q.start])
    if q.period is None and vy:
        q.period = vy.group("y")
    between = _BETWEEN.search(text, s0, s1)
    if between:
        q.base_period, q.period = between.group("a"), between.group("b")
        return
    against = _AGAINST.search(text, q.unit_end, s1)
    if against is None:
        earlier = list(_AGAINST.finditer(text, s0, q.start))
        # an earlier comparison counts unless it sits inside the previous change's clause
        if earlier and not (prev and prev.change and prev.verb_at < earlier[-1].start()):
            against = earlier[-1]
    if against:
        q.period = q.period or current
        if against.group("year"):
            q.base_period = against.group("year")
            if q.period == q.base_period:
                q.period = current
        else:
            q.base_period = _shift_year(q.period, -1)
        return
    if q.period is None:
        phrases = list(_PERIOD_PHRASE.finditer(text[s0:q.start]))
        if phrases:
            q.period = _phrase_period(phrases[-1], doc, s0 + phrases[-1].start())
    ctx = doc.context(q.start)
    if ctx and q.period in (None, ctx["period"]):
        q.period, q.base_period = ctx["period"], ctx["base_period"]


# --------------------------------------------------------------------------- tables out


def _extract(c: corpus.Corpus, doc_id: str) -> _State:
    """The figures and numeric entities of a document, from the cache of derived artefacts
    when the corpus and this module's code are unchanged (:mod:`lib.core.cache`)."""
    from lib.core import cache

    def compute() -> tuple[list[Span], list[Quantity]]:
        st = _find(c, doc_id)
        return st.spans, st.quantities

    key = cache.key("quantities", doc_id, cache.corpus_digest(c), modules=("lib.text.quantities",))
    spans, found = cache.memo("quantities", key, compute)
    return _State(Doc(c, doc_id), bytearray(), spans, found)


def _find(c: corpus.Corpus, doc_id: str) -> _State:
    doc = Doc(c, doc_id)
    st = _State(doc, bytearray(len(doc.text)))
    _cell_tables(st)
    _entities(st)
    _tab_tables(st)
    _declared_tables(st)
    _space_tables(st)
    _prose_numbers(st)
    _word_numbers(st)
    _range_units(st)
    _attach_periods(st)
    return st


def _quantity_id(doc_id: str, line: int, col: int) -> str:
    return f"{doc_id}:{line}:{col}"


class _SentenceFinder:
    """The passage (lib.text.structure) holding a figure's line and raw text."""

    def __init__(self, c: corpus.Corpus, doc: Doc) -> None:
        from lib.text import structure

        self.doc = doc
        self.by_line: dict[int, list] = {}
        for p in structure.iter_passages(c, doc.doc_id):
            for line in dict.fromkeys(p.lines):
                self.by_line.setdefault(line, []).append(p)

    def __call__(self, line: int, raw: str) -> str:
        needle = _cut(raw)
        candidates = [p for p in self.by_line.get(line, ()) if needle in p.text]
        for p in candidates:
            k = p.text.find(needle)
            while k >= 0:
                if p.line_at(k) == line:
                    return p.text
                k = p.text.find(needle, k + 1)
        if candidates:
            return candidates[0].text
        return self.doc.lines[line - 1].strip()


@lru_cache(maxsize=4)
def _build(c: corpus.Corpus) -> tuple[pd.DataFrame, pd.DataFrame]:
    q_rows: list[dict] = []
    t_rows: list[dict] = []
    v = vocab()
    for doc_id in c.doc_ids:
        st = _extract(c, doc_id)
        doc = st.doc
        sentence_of = _SentenceFinder(c, doc)
        owner: list[tuple[str, str | None] | None] = [None] * len(doc.text)
        for sp in st.spans:
            owner[sp.start:sp.end] = [(sp.kind, None)] * (sp.end - sp.start)
        for q in sorted(st.quantities, key=lambda q: q.start):
            line, col = doc.locate(q.start)
            line_end, col_end = doc.locate(q.unit_end)
            qid = _quantity_id(doc_id, line, col)
            owner[q.start:q.end] = [("quantity", qid)] * (q.end - q.start)
            q_rows.append({
                "quantity_id": qid, "doc_id": doc_id, "part_id": doc.part_of(line),
                "line": line, "line_end": line_end, "start": col, "end": col_end,
                "value": q.value, "unit": q.unit, "scale": v.scales.get(q.unit, 1.0),
                "approx": q.approx, "qualifier": q.qualifier, "change": q.change,
                "period": q.period, "base_period": q.base_period, "basis": q.basis,
                "label": q.label,
                "column": q.column, "raw": doc.text[q.start:q.unit_end],
                "sentence": sentence_of(line, doc.text[q.start:q.unit_end]),
            })
        for i, text in enumerate(doc.lines):
            base = doc.line_starts[i]
            for m in re.finditer(r"\S*\d\S*", text):
                kind, qid = "other", None
                for p in range(base + m.start(), base + m.end()):
                    if doc.text[p].isdigit() and owner[p] is not None:
                        kind, qid = owner[p]
                        break
                t_rows.append({
                    "doc_id": doc_id, "part_id": doc.part_of(i + 1), "line": i + 1,
                    "start": m.start(), "end": m.end(), "token": m.group(), "kind": kind,
                    "quantity_id": qid,
                })
    quantities_df = pd.DataFrame(q_rows, columns=list(SCHEMAS["quantities"].columns))
    tokens_df = pd.DataFrame(t_rows, columns=list(SCHEMAS["numeric_tokens"].columns))
    return _typed(tokens_df, "numeric_tokens"), _typed(quantities_df, "quantities")


def _typed(df: pd.DataFrame, name: str) -> pd.DataFrame:
    schema = SCHEMAS[name]
    return df.astype({k: col.dtype for k, col in schema.columns.items()}).reset_index(drop=True)


def numeric_tokens(c: corpus.Corpus) -> pd.DataFrame:
    """Every digit-bearing whitespace-separated token of the corpus, classified."""
    return _build(c)[0].copy()


def quantities(c: corpus.Corpus) -> pd.DataFrame:
    """Every figure of the corpus with value, unit, scale, approximation and period."""
    return _build(c)[1].copy()


def tables(c: corpus.Corpus) -> dict[str, pd.DataFrame]:
    """The processed tables of this module: numeric_tokens and quantities."""
    tokens, qty = _build(c)
    return {"numeric_tokens": tokens.copy(), "quantities": qty.copy()}


_S, _I, _F, _B = "string", "int64", "float64", "bool"
_UNITS = tuple(yamlio.safe_load(VOCAB_PATH.read_text(encoding="utf-8"))["units"])

SCHEMAS: dict[str, Schema] = {
    "numeric_tokens": Schema(
        key=("doc_id", "line", "start"),
        foreign_keys=(ForeignKey(("doc_id", "part_id"), "documents", ("doc_id", "part_id")),
                      ForeignKey(("quantity_id",), "quantities", ("quantity_id",))),
        columns={
            "doc_id": Column(_S, "Document id"),
            "part_id": Column(_S, "Part id of the line"),
            "line": Column(_I, "Raw 1-based line number"),
            "start": Column(_I, "Offset of the token's first character in the analysed line"),
            "end": Column(_I, "Offset after the token's last character in the analysed line"),
            "token": Column(_S, "The whitespace-separated token as in the analysed line"),
            "kind": Column(_S, "What the digits are", allowed=KINDS),
            "quantity_id": Column(_S, "The quantities row the token belongs to", nullable=True),
        },
    ),
    "quantities": Schema(
        key=("quantity_id",),
        foreign_keys=(ForeignKey(("doc_id", "part_id"), "documents", ("doc_id", "part_id")),),
        columns={
            "quantity_id": Column(_S, "doc_id:line:start of the figure"),
            "doc_id": Column(_S, "Document id"),
            "part_id": Column(_S, "Part id of the line"),
            "line": Column(_I, "Raw 1-based line where the figure starts"),
            "line_end": Column(_I, "Raw line where the figure and its unit end"),
            "start": Column(_I, "Offset of the figure in line `line` of the analysed text"),
            "end": Column(_I, "Offset after the figure and its unit in line `line_end`"),
            "value": Column(_F, "Value in the unit as written (448 miljoner kronor -> 448)",
                            unit_column="unit"),
            "unit": Column(_S, "Unit (antal: no unit written)", allowed=_UNITS),
            "scale": Column(_F, "Multiplier to the base unit (mnkr: 1e6 kronor)"),
            "approx": Column(_B, "Approximate figure or a bound (cirka, drygt, 20-tal, färre än, "
                                 "> …)"),
            "qualifier": Column(_S, "≈ approximation, > < bound, ≥ ≤ at least/most; empty when "
                                    "exact (qualifier_words in lib/data/quantities_units.yml)",
                                nullable=True, allowed=("≈", "<", ">", "≤", "≥")),
            "change": Column(_B, "A change between two periods (ökat med, Diff.)"),
            "period": Column(_S, "Period of the value: 2024, 2024-01/2024-08, 2022-12-31; for a "
                                 "change the later period", nullable=True),
            "base_period": Column(_S, "For a change: the period it is measured against",
                                  nullable=True),
            "basis": Column(_S, "Table column basis", nullable=True, allowed=BASES),
            "label": Column(_S, "Table row label", nullable=True),
            "column": Column(_S, "Table column header", nullable=True),
            "raw": Column(_S, "The figure and its unit as in the text (lines joined by \\n)"),
            "sentence": Column(_S, "The passage (sentence, list item, table row) holding the "
                                   "figure; the analysed line when no passage holds it"),
        },
    ),
}
