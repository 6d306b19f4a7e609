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

import re
from functools import lru_cache

import pandas as pd

from lib.core.schemas import Column, ForeignKey, Schema
from lib.sources import corpus
from lib.text.number_tables import cell_tables, declared_tables, space_tables, tab_tables
from lib.text.numbers import (
    Doc,
    Quantity,
    Span,
    State,
    cut,
    entities,
    prose_numbers,
    vocab,
    word_numbers,
)
from lib.text.periods import attach_periods, range_units

KINDS = ("quantity", "year", "date", "page", "section", "reference", "other")
BASES = ("utfall", "mål", "budget", "prognos", "avvikelse")


def _extract(c: corpus.Corpus, doc_id: str) -> State:
    """The figures and numeric entities of a document, from the cache of derived artefacts
    when the corpus and this module's code are unchanged (:mod:`lib.core.cache`)."""
    from lib.core import cache

    def compute() -> tuple[list[Span], list[Quantity]]:
        st = _find(c, doc_id)
        return st.spans, st.quantities

    key = cache.key("quantities", doc_id, cache.corpus_digest(c), modules=("lib.text.quantities",))
    spans, found = cache.memo("quantities", key, compute)
    return State(Doc(c, doc_id), bytearray(), spans, found)


def _find(c: corpus.Corpus, doc_id: str) -> State:
    doc = Doc(c, doc_id)
    st = State(doc, bytearray(len(doc.text)))
    cell_tables(st)
    entities(st)
    tab_tables(st)
    declared_tables(st)
    space_tables(st)
    prose_numbers(st)
    word_numbers(st)
    range_units(st)
    attach_periods(st)
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
        needle = cut(raw)
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
            owner[sp.start : sp.end] = [(sp.kind, None)] * (sp.end - sp.start)
        for q in sorted(st.quantities, key=lambda q: q.start):
            line, col = doc.locate(q.start)
            line_end, col_end = doc.locate(q.unit_end)
            qid = _quantity_id(doc_id, line, col)
            owner[q.start : q.end] = [("quantity", qid)] * (q.end - q.start)
            q_rows.append(
                {
                    "quantity_id": qid,
                    "doc_id": doc_id,
                    "part_id": doc.part_of(line),
                    "line": line,
                    "line_end": line_end,
                    "start": col,
                    "end": col_end,
                    "value": q.value,
                    "unit": q.unit,
                    "scale": v.scales.get(q.unit, 1.0),
                    "approx": q.approx,
                    "qualifier": q.qualifier,
                    "change": q.change,
                    "period": q.period,
                    "base_period": q.base_period,
                    "basis": q.basis,
                    "label": q.label,
                    "column": q.column,
                    "raw": doc.text[q.start : q.unit_end],
                    "sentence": sentence_of(line, doc.text[q.start : q.unit_end]),
                }
            )
        for i, text in enumerate(doc.lines):
            base = doc.line_starts[i]
            for m in re.finditer(r"\S*\d\S*", text):
                found: tuple[str, str | None] = ("other", None)  # kind, quantity id
                for p in range(base + m.start(), base + m.end()):
                    held = owner[p]
                    if doc.text[p].isdigit() and held is not None:
                        found = held
                        break
                t_rows.append(
                    {
                        "doc_id": doc_id,
                        "part_id": doc.part_of(i + 1),
                        "line": i + 1,
                        "start": m.start(),
                        "end": m.end(),
                        "token": m.group(),
                        "kind": found[0],
                        "quantity_id": found[1],
                    }
                )
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
_UNITS = tuple(vocab().units)

SCHEMAS: dict[str, Schema] = {
    "numeric_tokens": Schema(
        key=("doc_id", "line", "start"),
        foreign_keys=(
            ForeignKey(("doc_id", "part_id"), "documents", ("doc_id", "part_id")),
            ForeignKey(("quantity_id",), "quantities", ("quantity_id",)),
        ),
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
            "value": Column(
                _F, "Value in the unit as written (448 miljoner kronor -> 448)", unit_column="unit"
            ),
            "unit": Column(_S, "Unit (antal: no unit written)", allowed=_UNITS),
            "scale": Column(_F, "Multiplier to the base unit (mnkr: 1e6 kronor)"),
            "approx": Column(
                _B, "Approximate figure or a bound (cirka, drygt, 20-tal, färre än, > …)"
            ),
            "qualifier": Column(
                _S,
                "≈ approximation, > < bound, ≥ ≤ at least/most; empty when "
                "exact (qualifier_words in lib/data/quantities_units.yml)",
                nullable=True,
                allowed=("≈", "<", ">", "≤", "≥"),
            ),
            "change": Column(_B, "A change between two periods (ökat med, Diff.)"),
            "period": Column(
                _S,
                "Period of the value: 2024, 2024-01/2024-08, 2022-12-31; for a "
                "change the later period",
                nullable=True,
            ),
            "base_period": Column(
                _S, "For a change: the period it is measured against", nullable=True
            ),
            "basis": Column(_S, "Table column basis", nullable=True, allowed=BASES),
            "label": Column(_S, "Table row label", nullable=True),
            "column": Column(_S, "Table column header", nullable=True),
            "raw": Column(_S, "The figure and its unit as in the text (lines joined by \\n)"),
            "sentence": Column(
                _S,
                "The passage (sentence, list item, table row) holding the "
                "figure; the analysed line when no passage holds it",
            ),
        },
    ),
}
