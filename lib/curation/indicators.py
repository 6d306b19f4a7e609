"""Theme indicators: the catalog, the curated observations, their validation and consistency.

Sources (reviewable data files):

* ``data/curated/indicators/<theme>.yml`` — the indicator catalog of a theme (id, Swedish
  label, definition, unit, value type, comparability note, and ``themes`` when the
  indicator belongs to more themes than its file's);
* ``data/curated/observations_<theme>.yml`` — every theme figure of the reports, read
  by hand: value, unit, period, geography, basis, and where it stands (doc_id, raw line,
  the raw text holding the number, the qualifier of an approximation or bound; for the 2024
  city-wide report also the OCR twin's line).

:func:`observations` turns them into one tidy table whose every row is validated: the
raw text stands at its line, the value can be read back from it, unit and value type
agree with the catalog, the qualifier (≈ < > ≤ ≥) is the one the text gives the number,
and there is one value per (indicator, period, geography, basis)
and source part unless a row is marked as a restatement. The quote is taken from the
analysed (repaired, for OCR'd sources) text at that line.
"""

from __future__ import annotations

import pandas as pd

from lib.core.schemas import Column, ForeignKey, Schema
from lib.curation.catalog import (
    BASES,
    QUALIFIERS,
    SCOPES,
    STATISTICS,
    UNITS,
    VALUE_TYPES,
    catalog_frame,
    headlines_frame,
    load_catalog,
    load_headlines,
)
from lib.curation.discrepancies import discrepancies
from lib.curation.observations import curated_observations, mark_automatic
from lib.sources import corpus
from lib.text.themes import theme_ids

# ---------------------------------------------------------------- tables

_S, _I, _F = "string", "int64", "float64"

SCHEMAS: dict[str, Schema] = {
    "indicators": Schema(
        key=("id",),
        columns={
            "id": Column(_S, "Indicator id (theme prefix hem_, vnr_, fs_)"),
            "theme": Column(_S, "Primary theme id (the catalog file it is in)", allowed=theme_ids),
            "label": Column(_S, "Swedish label"),
            "definition": Column(_S, "Swedish definition: what is counted, where"),
            "unit": Column(_S, "Unit as written in the reports", allowed=UNITS),
            "value_type": Column(_S, "level, share or kind of change", allowed=VALUE_TYPES),
            "comparability": Column(_S, "Swedish note on breaks in the series", nullable=True),
            "themes": Column(_S, "Every theme of the indicator, ';'-separated, primary first"),
            "statistic": Column(
                _S,
                "What kind of number it is: count (events or persons), mean (e.g. per "
                "month), share, rate, amount, volume (days), other, change; decides which "
                "tests fit (the catalog's statistic, else derived from unit and label)",
                allowed=tuple(STATISTICS),
            ),
            "break_from": Column(
                _S,
                "Period (year or month) from which the series is not comparable with "
                "earlier periods (changed rules, definitions or accounting)",
                nullable=True,
            ),
            "scope": Column(
                _S,
                "What area the figures are about: stadsområde (a district), stad (the city), "
                "område (either), enhet (a unit or service); the area is the observation's "
                "geography",
                allowed=tuple(SCOPES),
            ),
        },
    ),
    "headlines": Schema(
        key=("theme", "rank"),
        foreign_keys=(ForeignKey(("indicator",), "indicators", ("id",)),),
        columns={
            "theme": Column(_S, "Theme id", allowed=theme_ids),
            "rank": Column(_I, "Order on the theme's pages (1 first)"),
            "indicator": Column(_S, "A headline indicator of the theme"),
            "question": Column(_S, "The Swedish question the indicator answers"),
        },
    ),
    "observations": Schema(
        key=("indicator", "period", "geography", "basis", "doc_id", "line"),
        foreign_keys=(
            ForeignKey(("indicator",), "indicators", ("id",)),
            ForeignKey(("doc_id", "part_id"), "documents", ("doc_id", "part_id")),
        ),
        columns={
            "theme": Column(_S, "Primary theme id of the indicator", allowed=theme_ids),
            "themes": Column(_S, "Every theme of the indicator, ';'-separated, primary first"),
            "indicator": Column(_S, "Indicator id (see the indicators table)"),
            "label": Column(_S, "Swedish label of the indicator"),
            "qualifier": Column(
                _S,
                "≈ approximation (ca, ungefär), > < bound (över, färre än), "
                "≥ ≤ (minst, högst); empty when the figure is exact",
                nullable=True,
                allowed=QUALIFIERS,
            ),
            "value": Column(
                _F,
                "The figure, in the unit as written (448 miljoner kronor -> 448); "
                "read with qualifier",
                unit_column="unit",
            ),
            "unit": Column(_S, "Unit as written", allowed=UNITS),
            "value_type": Column(
                _S, "level | share | change_pct | change_pp | change_abs", allowed=VALUE_TYPES
            ),
            "basis": Column(_S, "utfall | prognos | budget | mal", allowed=BASES),
            "period": Column(_S, "YYYY, a change A/B, an interval YYYY-MM/YYYY-MM, or a date"),
            "geography": Column(_S, "Göteborg, a district, or the service the figure is about"),
            "doc_id": Column(_S, "Source document (the clean rendering where there are two)"),
            "part_id": Column(_S, "Source part"),
            "source_file": Column(_S, "File name in data/raw/"),
            "line": Column(_I, "1-based raw line where the number stands"),
            "quote": Column(
                _S,
                "The sentence or table row holding the figure, as analysed "
                "(repaired for OCR'd sources)",
            ),
            "line_text": Column(_S, "The analysed text of the raw line (whitespace collapsed)"),
            "method": Column(
                _S,
                "auto: the automatic quantities found the same figure; curated: read by hand",
                allowed=("auto", "curated"),
            ),
            "raw": Column(_S, "Exact raw text holding the number (as in data/raw)"),
            "ocr_doc_id": Column(_S, "The OCR rendering of the same report", nullable=True),
            "ocr_line": Column(_I, "Line of the figure in the OCR rendering", nullable=True),
            "restatement_of": Column(
                _S, "same_figure when the row repeats a figure of the same part", nullable=True
            ),
            "note": Column(
                _S, "Swedish note: approximations, scope, inconsistencies", nullable=True
            ),
        },
    ),
    "discrepancies": Schema(
        foreign_keys=(ForeignKey(("indicator",), "indicators", ("id",)),),
        columns={
            "kind": Column(
                _S,
                "restatement_differs | ocr_rendering_differs | "
                "change_differs_from_levels | parts_do_not_sum",
                allowed=(
                    "restatement_differs",
                    "ocr_rendering_differs",
                    "change_differs_from_levels",
                    "parts_do_not_sum",
                ),
            ),
            "theme": Column(_S, "Primary theme id", allowed=theme_ids),
            "indicator": Column(_S, "Indicator of statement a"),
            "period": Column(_S, "Period of statement a"),
            "geography": Column(_S, "Geography of statement a"),
            "basis": Column(_S, "Basis of statement a"),
            "value_a": Column(_F, "Value of statement a"),
            "doc_id_a": Column(_S, "Document of statement a"),
            "line_a": Column(_I, "Raw line of statement a"),
            "quote_a": Column(_S, "Quote of statement a"),
            "value_b": Column(_F, "Value of statement b (or the value implied)", nullable=True),
            "doc_id_b": Column(_S, "Document of statement b"),
            "line_b": Column(_I, "Raw line of statement b"),
            "quote_b": Column(_S, "Quote of statement b"),
            "note": Column(_S, "Swedish explanation"),
        },
    ),
}


def tables(c: corpus.Corpus, quantities: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The indicator catalog, the validated observations and their discrepancies."""
    catalog = load_catalog()
    obs = mark_automatic(curated_observations(catalog=catalog), quantities)
    return {
        "indicators": catalog_frame(catalog),
        "headlines": headlines_frame(load_headlines(catalog)),
        "observations": obs,
        "discrepancies": discrepancies(obs, catalog),
    }
