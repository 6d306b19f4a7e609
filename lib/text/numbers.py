"""How numbers are written in the reports: the unit vocabulary, number words and
qualifier words of lib/data/quantities_units.yml, the patterns of numbers, years, dates,
pages and references, and the records the extraction fills (:class:`Quantity`, :class:`Doc`,
:class:`State`). Numbers in running text are read here too (:func:`prose_numbers`,
:func:`word_numbers`); numbers in tables in :mod:`lib.text.number_tables`, and the period
of each in :mod:`lib.text.periods`. :mod:`lib.text.quantities` puts them together.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from lib import paths
from lib.core import yamlio
from lib.errors import DataError
from lib.sources import corpus
from lib.text.repaired import analysis_lines

VOCAB_PATH = paths.PACKAGE_DATA_DIR / "quantities_units.yml"

_SEP = "[ \u00a0\u202f]"
_W = "A-Za-zÅÄÖåäöÉéÜü"
MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)
MONTH_RE = "|".join(MONTHS)
YEAR = r"(?:19[5-9]\d|20[0-4]\d)"


def _fold(s: str) -> str:
    """Strip diacritics (å -> a, ö -> o) as the OCR'd reports do."""
    return "".join(ch for ch in unicodedata.normalize("NFD", s) if not unicodedata.combining(ch))


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
    number_words_also_nouns: frozenset[str] = frozenset()  # "sex": a figure before a noun only


@lru_cache(maxsize=1)
def vocab() -> Vocab:
    """Load lib/data/quantities_units.yml."""
    data = yamlio.safe_load(VOCAB_PATH.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise DataError(
            f"{VOCAB_PATH}: expected a mapping with units, number_words, "
            "qualifier_words and scales at the top."
        )
    unit_of: dict[str, str] = {}
    for unit, forms in data["units"].items():
        for form in forms:
            for f in (form.lower(), _fold(form.lower())):
                unit_of.setdefault(f, unit)
    forms = sorted(unit_of, key=lambda f: (-len(f), f))
    alts = "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in forms)
    unit_re = re.compile(rf"(?:{alts})(?![{_W}\d])", re.IGNORECASE)
    money = {"procent", "procentenheter", "kr", "tkr", "mnkr", "mdkr"}
    tails = tuple(
        (f, u)
        for f, u in sorted(unit_of.items(), key=lambda x: (-len(x[0]), x[0]))
        if u not in money and len(f) >= 4 and " " not in f
    )
    words: dict[str, int] = {}
    for w, v in data["number_words"].items():
        words[w] = v
        words[_fold(w)] = v
    qualifier_of = {
        f: symbol
        for symbol, ws in data["qualifier_words"].items()
        for w in ws
        for f in (w.lower(), _fold(w.lower()))
    }
    alt = "|".join(
        re.escape(a).replace(r"\ ", r"\s+") for a in sorted(qualifier_of, key=len, reverse=True)
    )
    qualifier_re = re.compile(rf"(?:^|(?<=[\s(]))(?P<q>{alt})\s*\(?\s*$", re.IGNORECASE)
    return Vocab(
        unit_re,
        unit_of,
        tails,
        {k: float(v) for k, v in data["scales"].items()},
        words,
        qualifier_re,
        qualifier_of,
        tuple(data.get("tables") or ()),
        tuple(data["units"]),
        tuple(data.get("cell_tables") or ()),
        tuple(data.get("table_units") or ()),
        tuple(data.get("period_contexts") or ()),
        frozenset(f for w in data.get("number_words_also_nouns") or () for f in (w, _fold(str(w)))),
    )


# --------------------------------------------------------------------------- patterns

_REFERENCE = re.compile(
    r"\b\d{4}:\d+\b"
    r"|\bkap(?:itel|\.)?\s*\d+(?:\s*§\s*\d+)?"
    r"|\b\d+\s*kap\.?(?:\s*\d+\s*§)?"
    r"|§\s*\d+"
    r"|(?<![-\d])\b\d+\s*§"
    # a document number: ``Dnr N131-0127/23``, ``diarienummer 1234/22``, ``…-0127/23``
    r"|\b(?:dnr|diarienr|diarienummer)\b\.?:?\s*[\w./-]*\d[\w./-]*"
    r"|(?<=[A-Za-z\d]-)\d+/\d{2,4}\b"
    # a footnote marker in square brackets: ``vuxna.[1]Arbetet``, ``[1] Inom …``
    r"|\[\d{1,3}\]",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\b(?:19|20)\d\d-[01]\d-[0-3]\d\b"
    rf"|\b[0-3]?\d\s+(?:{MONTH_RE})(?:\s+{YEAR})?\b",
    re.IGNORECASE,
)
_YEAR_PAIR = re.compile(rf"\b{YEAR}/(?:\d\d|{YEAR})\b")
_PAGE = re.compile(r"\b\d{1,3}\s*\(\d{1,3}\)[ \t]*$|\.{4,}\s*\d{1,3}[ \t]*$", re.MULTILINE)
_SECTION = re.compile(
    r"\b\d+(?:\.\d+){2,}\b"
    r"|^[ \t]*\d{1,2}(?:\.\d{1,2})*\.?(?=[ \t]+[A-ZÅÄÖ]|[ \t]*$)"
    r"|(?<=rubrik )\d+(?:\.\d+)*|(?<=avsnitt )\d+(?:\.\d+)*",
    re.MULTILINE,
)
NUMBER = re.compile(
    r"(?<![\w.,:/§])"
    r"(?P<sign>(?<![\w])[-−–][ \t]?)?"
    rf"(?P<int>\d{{1,3}}(?:{_SEP}\d{{3}}(?![\d]))+|\d{{1,3}}(?:[ \t]*\n\s*\d{{3}}(?![\d,]))"
    r"|\d+)"
    r"(?:[,.](?P<frac>\d+)(?![.\d]))?"
    r"(?=tkr\b|mnkr\b|mkr\b|kr\b|%|[^\w]|$)"
)
_OTHER_PREFIX = re.compile(r"(?:vecka|v\.|nr|iteration|kvartal|steg|fas|version|covid-)\s*$", re.I)
PAREN_PRIOR = re.compile(
    rf"[^\S\n]*\n?\s*(?:år|ar|under|för|for)\s+(?P<y>{YEAR})\s*\)", re.IGNORECASE
)
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
        full_year = (
            d.period_start.month,
            d.period_start.day,
            d.period_end.month,
            d.period_end.day,
        ) == (1, 1, 12, 31) and d.period_start.year == d.period_end.year
        self.report_period = (
            str(d.year) if full_year else f"{d.period_start:%Y-%m}/{d.period_end:%Y-%m}"
        )
        self.prior_period = (
            str(d.year - 1)
            if full_year
            else f"{d.period_start.year - 1}-{d.period_start:%m}/"
            f"{d.period_end.year - 1}-{d.period_end:%m}"
        )

        self.contexts = self._contexts()

    def _contexts(self) -> list[dict]:
        """The declared period contexts of this document, each checked against its source line."""
        out = []
        for ctx in vocab().period_contexts:
            if ctx["doc_id"] != self.doc_id:
                continue
            if ctx["quote"] not in self.lines[ctx["source"] - 1]:
                raise DataError(
                    f"{VOCAB_PATH}: period_contexts: {ctx['quote']!r} is not in line "
                    f"{ctx['source']} of {self.doc_id}; fix the declaration"
                )
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


def parse_value(sign: str | None, int_part: str, frac: str | None) -> float:
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
    start = (
        pos + len(text[pos:]) - len(re.sub(r"^[ \t\u00a0\u202f]*(?:\n\s*)?", "", text[pos:]))
    )  # past the spaces
    seg = text[start : start + limit]
    m = v.unit_re.match(seg)
    if m and m.group().lower() in ("år", "ar") and re.match(rf"\s+{YEAR}\b", seg[m.end() :]):
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


def cut(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


@dataclass
class State:
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
    r"(?=(?:[ \t]+(?:respektive|och|eller)[ \t]+\d{1,2}[ \t]?[-–][ \t]?\d{1,2})*[ \t]+(?:år|ar)\b)"
)


def entities(st: State) -> None:
    for rx, kind in (
        (_AGE, "other"),
        (_DATE, "date"),
        (_REFERENCE, "reference"),
        (_YEAR_PAIR, "year"),
        (_PAGE, "page"),
        (_SECTION, "section"),
    ):
        for m in rx.finditer(st.doc.text):
            s, e = m.span()
            if any(ch.isdigit() for ch in m.group()) and st.free(s, e):
                st.add_span(s, e, kind)


def add_quantity(st: State, q: Quantity) -> None:
    st.quantities.append(q)
    st.occupy(q.start, q.end)


# --------------------------------------------------------------------------- prose

_YEAR_CONTEXT = re.compile(
    r"(?:under|för|for|sedan|år|ar|i|från|fran|till|inför|infor|och|mellan|hösten|våren|"
    r"hosten|varen|början|borjan|slutet|av|med|jmf|start|helår|helåret|helar|helaret|"
    r"januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december)"
    r"[ \t\n]*$",
    re.IGNORECASE,
)


def prose_numbers(st: State) -> None:
    doc = st.doc
    text = doc.text
    for m in NUMBER.finditer(text):
        s, e = m.span()
        if not st.free(s, e):
            continue
        int_part, frac, sign = m.group("int"), m.group("frac"), m.group("sign")
        before = text[max(0, s - 30) : s]
        if _OTHER_PREFIX.search(before):
            st.add_span(s, e, "other")
            continue
        unit, unit_end, tal = _unit_after(doc, e)
        year_like = not sign and not frac and re.fullmatch(YEAR, int_part) is not None
        if year_like:
            paren_prior = before.rstrip().endswith("(") and PAREN_PRIOR.match(text, unit_end)
            if not paren_prior and (unit in ("antal", "år") or _YEAR_CONTEXT.search(before)):
                st.add_span(s, e, "year")
                continue
        if "." in text[s:e] and frac and doc.document.text_quality != "ocr":
            st.add_span(s, e, "other")
            continue
        qualifier = qualifier_before(before) or ("≈" if tal else None)
        q = Quantity(
            s,
            e,
            parse_value(sign, int_part, frac),
            unit=unit,
            unit_end=max(unit_end, e),
            approx=qualifier is not None,
            qualifier=qualifier,
        )
        add_quantity(st, q)


def word_numbers(st: State) -> None:
    doc = st.doc
    v = vocab()
    words = "|".join(sorted(v.number_words, key=len, reverse=True))
    rx = re.compile(rf"(?<![\w-])(?P<w>{words}|en|ett)(?=[ \t\n]+\S)", re.IGNORECASE)
    for m in rx.finditer(doc.text):
        w = m.group("w").lower()
        unit, unit_end, _ = _unit_after(doc, m.end())
        if unit == "antal" or "\n" in doc.text[m.end() : unit_end].strip():
            continue
        if w in ("en", "ett"):
            if unit not in ("mnkr", "mdkr"):
                continue
            value = 1.0
        else:
            value = float(v.number_words[w])
        before = doc.text[max(0, m.start() - 30) : m.start()]
        qualifier = qualifier_before(before)
        q = Quantity(
            m.start(),
            m.end(),
            value,
            unit=unit,
            unit_end=unit_end,
            approx=qualifier is not None,
            qualifier=qualifier,
        )
        st.quantities.append(q)
