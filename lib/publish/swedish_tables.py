"""The tables and views of the database for people: Swedish names, figures as read, caveats.

Derived from the processed tables and the raw lines (:mod:`lib.publish.database` writes
them into ``rapporter.sqlite``): ``rapporter`` (the reports with their short names),
``kallrader`` (each cited line with its context), ``raw_lines`` (every line of every
report), ``observationer`` (every figure with its source as a link and the caveats that
go with it: the indicator's comparability note, the observation's note and a mark where
another statement of the same figure disagrees) and the views over them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

import pandas as pd

from lib import paths
from lib.core import formats
from lib.core.schemas import Column, ForeignKey, Schema
from lib.core.yamlio import load_yaml
from lib.errors import DataError
from lib.sources import corpus as corpus_mod
from lib.text import repaired

TEXTS_PATH = paths.PACKAGE_DATA_DIR / "publish.yml"
# How a figure was read: every figure was read by hand; "auto" ones were also found by
# the automatic reading of quantities.
METHODS = {"auto": "handläst, även funnen automatiskt", "curated": "handläst"}
VALUE_TYPES = {  # what kind of figure an indicator's values are
    "level": "nivå",
    "share": "andel",
    "change_pct": "förändring i procent",
    "change_pp": "förändring i procentenheter",
    "change_abs": "förändring i antal",
}
# The singular of the units counted in the reports (1 person, 1 förfrågan).
SINGULAR = {
    "personer": "person",
    "ärenden": "ärende",
    "förfrågningar": "förfrågan",
    "platser": "plats",
    "kvinnor": "kvinna",
    "män": "man",
    "utredningar": "utredning",
}
RESTATEMENTS = {"same_figure": "samma siffra"}  # a figure repeated in the same report part
CONTEXT_LINES = 5  # lines shown before and after a cited line
_S, _I, _N = "string", "int64", "float64"
_DOCS_FK = ForeignKey(("dokument",), "rapporter", ("dokument",))

# Tables of the database only (for people, with Swedish names), derived from the processed
# tables and the raw lines. ``värde`` of observationer is declared ANY (NUMERIC affinity):
# whole numbers are stored as integers, so 1470 is not shown as 1470.0.
SCHEMAS: dict[str, Schema] = {
    "raw_lines": Schema(
        key=("doc_id", "line"),
        foreign_keys=(ForeignKey(("doc_id",), "rapporter", ("dokument",)),),
        columns={
            "doc_id": Column(_S, "Document id"),
            "line": Column(_I, "Raw 1-based line number"),
            "text": Column(_S, "The analysed text of the line (repaired for OCR'd reports)"),
            "raw": Column(_S, "The line exactly as in data/raw"),
        },
    ),
    "rapporter": Schema(
        key=("dokument",),
        columns={
            "dokument": Column(_S, "Document id"),
            "rapport": Column(_S, "Short name of the report used in source references"),
            "titel": Column(_S, "Title"),
            "utgivare": Column(_S, "Issuer"),
            "område": Column(_S, "District, or Göteborg"),
            "typ": Column(_S, "Report type"),
            "år": Column(_I, "Reporting year"),
            "period": Column(_S, "Reporting period, first and last day"),
            "textkvalitet": Column(_S, "Text quality in Swedish"),
            "fil": Column(_S, "File name in data/raw/"),
        },
    ),
    "kallrader": Schema(
        key=("källa",),
        foreign_keys=(_DOCS_FK,),
        columns={
            "källa": Column(_S, "Report short name and line: the link text"),
            "rapport": Column(_S, "Report short name"),
            "dokument": Column(_S, "Document id"),
            "rad": Column(_I, "Raw 1-based line number"),
            "text": Column(_S, "The analysed text of the line"),
            "rå_text": Column(
                _S, "The raw line where it differs from the analysed text", nullable=True
            ),
            "sammanhang": Column(_S, "The line (marked) with the lines around it"),
        },
    ),
    "observationer": Schema(
        key=("nr",),
        foreign_keys=(
            ForeignKey(("indikator",), "indicators", ("id",)),
            ForeignKey(("källa",), "kallrader", ("källa",)),
            ForeignKey(("ocr_källa",), "kallrader", ("källa",)),
        ),
        columns={
            "nr": Column(_I, "Running number (the order of the observations table)"),
            "indikator": Column(_S, "Indicator id (a link showing its label)"),
            "område": Column(_S, "Geography"),
            "period": Column(_S, "Period"),
            "grund": Column(_S, "Basis"),
            "uppgift": Column(_S, "Value with unit in Swedish number format"),
            "källa": Column(_S, "Source: report and line (a link to the line in context)"),
            "jämförbarhet": Column(
                _S, "The indicator's note on breaks in the series (Swedish)", nullable=True
            ),
            "anmärkning": Column(_S, "Note", nullable=True),
            "motsägelse": Column(
                _S,
                "Where another statement of the same figure disagrees: its source, value and "
                "the kind of discrepancy (Swedish)",
                nullable=True,
            ),
            "citat": Column(_S, "Quote"),
            "värde": Column(_N, "Value", unit_column="enhet"),
            "enhet": Column(_S, "Unit"),
            "benämning": Column(_S, "The indicator's Swedish label (to filter and download by)"),
            "år": Column(_I, "Year the period ends in"),
            "teman": Column(
                _S,
                "Themes of the indicator, Swedish labels, as a JSON array "
                "(primary first; Datasette facets it element by element)",
            ),
            "metod": Column(_S, "How the figure was read, in Swedish (method auto or curated)"),
            "ocr_källa": Column(_S, "Line in the OCR rendering", nullable=True),
            "upprepning": Column(
                _S, "'samma siffra' for a restatement in the same report part", nullable=True
            ),
        },
    ),
}
# Views for the common questions (SQL over the tables above).
VIEWS: dict[str, str] = {
    "siffror_med_kallfil": """
        select o.indicator as indikator, o.label as benämning, o.geography as område,
               o.period, o.basis as grund, o.qualifier as kvalificering, o.value as värde,
               o.unit as enhet, d.short_title as rapport, o.source_file as källfil,
               o.line as rad, o.quote as citat
        from observations o
        join documents d on d.doc_id = o.doc_id and d.part_id = o.part_id
        order by o.rowid""",
    "indikator_over_aren": """
        select i.label as indikator, o.område, o.grund, o.år, o.period, o.uppgift, o.källa,
               o.jämförbarhet, o.anmärkning, o.motsägelse, o.citat, o.värde, o.enhet,
               o.indikator as indikator_id
        from observationer o join indicators i on i.id = o.indikator
        where o.upprepning is null
        order by i.label, o.område, o.grund, o.år, o.period, o.källa""",
}


@cache
def texts() -> dict[str, Any]:
    """The Swedish texts of ``lib/data/publish.yml``."""
    data = load_yaml(TEXTS_PATH)
    if not isinstance(data, dict) or not all(k in data for k in ("package", "tables", "columns")):
        raise DataError(f"{TEXTS_PATH}: needs the sections package, tables and columns.")
    return data


def raw_lines(c: corpus_mod.Corpus) -> pd.DataFrame:
    """Every line of every report: raw, and as analysed (repaired for OCR'd reports)."""
    frames = []
    for doc_id in c.doc_ids:
        raw = c.raw_lines(doc_id)
        frames.append(
            pd.DataFrame(
                {
                    "doc_id": doc_id,
                    "line": range(1, len(raw) + 1),
                    "text": repaired.analysis_lines(c, doc_id),
                    "raw": raw,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def rapporter(documents: pd.DataFrame) -> pd.DataFrame:
    """One row per report (document) with its short name and metadata in Swedish."""
    quality = texts().get("quality", {})
    docs = documents.drop_duplicates("doc_id")
    return pd.DataFrame(
        {
            "dokument": docs.doc_id,
            "rapport": docs.short_title,
            "titel": docs.doc_title,
            "utgivare": docs.issuer.map(_swedish_notes),
            "område": docs.district,
            "typ": docs.report_type,
            "år": docs.year,
            "period": docs.period_start + " – " + docs.period_end,
            "textkvalitet": docs.text_quality.map(lambda q: quality.get(q, q)),
            "fil": docs.file,
        }
    ).reset_index(drop=True)


def _swedish_notes(text: object) -> object:
    """A manifest value with its English remarks in Swedish (``notes`` in publish.yml):
    ``… (inferred from the text; …)`` -> ``… (härlett ur texten; …)``."""
    if not isinstance(text, str):
        return text
    for english, swedish in (texts().get("notes") or {}).items():
        text = text.replace(english, swedish)
    return text


def source_label(report: str, line: int) -> str:
    """The text of a source link: ``Årsrapport 2022, rad 121``."""
    return f"{report}, rad {int(line)}"


def _cited(tables: Mapping[str, pd.DataFrame]) -> list[tuple[str, int]]:
    obs, disc = tables["observations"], tables["discrepancies"]
    pairs = [
        pair
        for docs, lines in (
            (obs.doc_id, obs.line),
            (obs.ocr_doc_id, obs.ocr_line),
            (disc.doc_id_a, disc.line_a),
            (disc.doc_id_b, disc.line_b),
        )
        for pair in zip(docs, lines, strict=True)
    ]
    return sorted({(str(d), int(n)) for d, n in pairs if not (pd.isna(d) or pd.isna(n))})


def kallrader(
    tables: Mapping[str, pd.DataFrame], lines: pd.DataFrame, reports: pd.DataFrame
) -> pd.DataFrame:
    """Each line that a figure or discrepancy cites, with the lines around it."""
    by_doc = {d: (g.text.tolist(), g.raw.tolist()) for d, g in lines.groupby("doc_id", sort=False)}
    name = dict(zip(reports.dokument, reports.rapport, strict=True))
    rows = []
    for doc_id, line in _cited(tables):
        analysed, raw = by_doc[doc_id]
        lo, hi = max(1, line - CONTEXT_LINES), min(len(analysed), line + CONTEXT_LINES)
        width = len(str(hi))
        context = "\n".join(
            f"{'▶' if n == line else ' '} {n:>{width}}  {analysed[n - 1]}"
            for n in range(lo, hi + 1)
        )
        here, here_raw = analysed[line - 1], raw[line - 1]
        rows.append(
            {
                "källa": source_label(name[doc_id], line),
                "rapport": name[doc_id],
                "dokument": doc_id,
                "rad": line,
                "text": here,
                "rå_text": here_raw if here_raw != here else None,
                "sammanhang": context,
            }
        )
    return pd.DataFrame(rows, columns=list(SCHEMAS["kallrader"].columns))


def uppgift(value: float, unit: str, value_type: str, qualifier: object = None) -> str:
    """A figure as read: ``1 470 hushåll``, ``+12,3 %``, ``448 mnkr`` (Swedish format)."""
    number = formats.number(value, sign=value_type.startswith("change"))
    unit_text = {"procent": "%", "antal": ""}.get(unit, unit)
    if formats.finite(value) and abs(float(value)) == 1:
        unit_text = SINGULAR.get(unit_text, unit_text)  # 1 person, not 1 personer
    prefix = f"{qualifier} " if isinstance(qualifier, str) and qualifier else ""
    return f"{prefix}{number}{formats.NBSP if unit_text else ''}{unit_text}"


def observationer(tables: Mapping[str, pd.DataFrame], reports: pd.DataFrame) -> pd.DataFrame:
    """The observations for people: Swedish columns, figures as read, sources as links."""
    from lib.text import themes

    obs = tables["observations"]
    name = dict(zip(reports.dokument, reports.rapport, strict=True))
    qualifiers = obs["qualifier"] if "qualifier" in obs.columns else [None] * len(obs)
    ocr = [
        source_label(name[d], n) if not (pd.isna(d) or pd.isna(n)) else None
        for d, n in zip(obs.ocr_doc_id, obs.ocr_line, strict=True)
    ]
    return pd.DataFrame(
        {
            "nr": range(1, len(obs) + 1),
            "teman": obs.themes.map(
                lambda ts: json.dumps([themes.label(t) for t in ts.split(";")], ensure_ascii=False)
            ),
            "indikator": obs.indicator,
            "benämning": obs.label,
            "område": obs.geography,
            "period": obs.period,
            "år": obs.period.map(lambda p: int(re.findall(r"\d{4}", p)[-1])),
            "grund": obs.basis.replace({"mal": "mål"}),
            "uppgift": [
                uppgift(v, u, t, q)
                for v, u, t, q in zip(obs.value, obs.unit, obs.value_type, qualifiers, strict=True)
            ],
            "värde": obs.value,
            "enhet": obs.unit,
            "källa": [source_label(name[d], n) for d, n in zip(obs.doc_id, obs.line, strict=True)],
            "citat": obs.quote,
            "metod": obs.method.map(lambda m: METHODS.get(m, m)),
            "anmärkning": obs.note,
            "jämförbarhet": obs.indicator.map(comparability(tables["indicators"])),
            "motsägelse": disputes(obs, tables["discrepancies"], name),
            "ocr_källa": ocr,
            "upprepning": obs.restatement_of.map(
                lambda r: RESTATEMENTS.get(r, r), na_action="ignore"
            ),
        }
    )


def comparability(indicators: pd.DataFrame) -> dict[str, str]:
    """The comparability note of each indicator that has one, by indicator id."""
    notes = indicators.dropna(subset=["comparability"])
    return {i: " ".join(str(n).split()) for i, n in zip(notes.id, notes.comparability, strict=True)}


def disputes(obs: pd.DataFrame, discrepancies: pd.DataFrame, name: Mapping[str, str]) -> list:
    """Per observation, the other statements of the same figure that disagree with it
    (``Motsägs av Årsrapport 2022, rad 569: 1 472 (samma uppgift anges med olika
    värden)``), or None. A statement is matched by indicator, period, document, line and
    value, on either side of a discrepancy (a line can hold several figures)."""
    kinds = texts().get("kinds", {})
    units = dict(zip(obs.indicator, zip(obs.unit, obs.value_type, strict=True), strict=True))
    marks: dict[tuple, list[str]] = {}
    for d in discrepancies.itertuples(index=False):
        kind = kinds.get(d.kind, d.kind)
        kind = kind[:1].lower() + kind[1:]
        for here, there in (
            ((d.doc_id_a, d.line_a, d.value_a), (d.doc_id_b, d.line_b, d.value_b)),
            ((d.doc_id_b, d.line_b, d.value_b), (d.doc_id_a, d.line_a, d.value_a)),
        ):
            if not formats.finite(here[2]):
                continue  # an implied value stands on no line
            other = source_label(name[there[0]], int(there[1]))
            unit, value_type = units.get(d.indicator, ("antal", "level"))
            figure = f": {uppgift(there[2], unit, value_type)}" if formats.finite(there[2]) else ""
            key = (d.indicator, d.period, here[0], int(here[1]), round(float(here[2]), 6))
            marks.setdefault(key, []).append(f"Motsägs av {other}{figure} ({kind})")
    keys = zip(
        obs.indicator,
        obs.period,
        obs.doc_id,
        obs.line.astype(int),
        obs.value.astype(float).round(6),
        strict=True,
    )
    return ["; ".join(marks[k]) if k in marks else None for k in keys]
