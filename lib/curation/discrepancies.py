"""Statements of the same figure that disagree, recorded and never corrected: a figure
restated with another value, the OCR rendering against the clean one, a stated change the
stated levels do not imply, and parts that do not add up to their total (declared in
``data/curated/consistency.yml``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from lib import paths
from lib.curation.catalog import Indicator, load_catalog, read_mapping
from lib.curation.observations import line_text
from lib.curation.values import value_in_text
from lib.errors import DataError
from lib.sources import corpus

# ---------------------------------------------------------------- consistency

DISCREPANCY_COLUMNS = (
    "kind",
    "theme",
    "indicator",
    "period",
    "geography",
    "basis",
    "value_a",
    "doc_id_a",
    "line_a",
    "quote_a",
    "value_b",
    "doc_id_b",
    "line_b",
    "quote_b",
    "note",
)


def _pair(kind: str, a: dict, b: dict, note: str) -> dict:
    return {
        "kind": kind,
        "theme": a["theme"],
        "indicator": a["indicator"],
        "period": a["period"],
        "geography": a["geography"],
        "basis": a["basis"],
        "value_a": a["value"],
        "doc_id_a": a["doc_id"],
        "line_a": a["line"],
        "quote_a": a["quote"],
        "value_b": b["value"],
        "doc_id_b": b["doc_id"],
        "line_b": b["line"],
        "quote_b": b["quote"],
        "note": note,
    }


def agree_at_precision(a: float, b: float) -> bool:
    """True if two statements of a figure agree once the more precise is rounded like the other
    (``-18,1`` and ``-18`` agree; ``1 470`` and ``1 472`` do not)."""
    digits = min(_decimals(a), _decimals(b))
    return round(a, digits) == round(b, digits)


_BOUNDS = {">": (False, None), "≥": (True, None), "<": (None, False), "≤": (None, True)}


def _interval(value: float, qualifier: str | None) -> tuple[float, float, bool, bool]:
    """The values a statement allows: (low, high, low included, high included)."""
    inf = float("inf")
    if qualifier in (">", "≥"):
        return value, inf, qualifier == "≥", False
    if qualifier in ("<", "≤"):
        return -inf, value, False, qualifier == "≤"
    return value, value, True, True


def statements_agree(a: float, qa: str | None, b: float, qb: str | None) -> bool:
    """True if two statements of a figure can both hold.

    Exact values and approximations (≈) agree at the precision written
    (:func:`agree_at_precision`); a bound (> < ≥ ≤) agrees with a statement whose values
    it admits: ``färre än 5`` and a table cell ``>5`` do not agree.
    """
    qa, qb = (q if isinstance(q, str) else None for q in (qa, qb))
    if qa not in _BOUNDS and qb not in _BOUNDS:
        return agree_at_precision(a, b)
    lo_a, hi_a, li_a, hi_in_a = _interval(a, qa)
    lo_b, hi_b, li_b, hi_in_b = _interval(b, qb)
    low, low_in = max((lo_a, li_a), (lo_b, li_b), key=lambda x: (x[0], not x[1]))
    high, high_in = min((hi_a, hi_in_a), (hi_b, hi_in_b), key=lambda x: (x[0], x[1]))
    return low < high or (low == high and low_in and high_in)


def restated_disagreements(rows: list[dict]) -> list[dict]:
    """Figures stated more than once (same indicator, period, geography, basis) that differ."""
    out = []
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault(
            (row["indicator"], row["period"], row["geography"], row["basis"]), []
        ).append(row)
    for key in sorted(groups):
        first, *others = groups[key]  # a figure stated once cannot disagree
        for other in others:
            a, b = first["value"], other["value"]
            if not statements_agree(a, first["qualifier"], b, other["qualifier"]):
                out.append(
                    _pair(
                        "restatement_differs",
                        first,
                        other,
                        "Samma uppgift anges med gränser som utesluter varandra "
                        f"({first['qualifier'] or ''}{a:g} och "
                        f"{other['qualifier'] or ''}{b:g})."
                        if a == b
                        else "Samma uppgift anges med olika värden.",
                    )
                )
    return out


def twin_disagreements(rows: list[dict]) -> list[dict]:
    """Figures whose OCR rendering (the twin's line) does not show the clean value."""
    out = []
    c = corpus.load()
    for row in rows:
        if pd.isna(row["ocr_line"]):
            continue
        ocr_line = int(row["ocr_line"])
        raw = c.raw_lines(row["ocr_doc_id"])[ocr_line - 1]
        if not value_in_text(row["value"], raw):
            out.append(
                _pair(
                    "ocr_rendering_differs",
                    row,
                    {
                        "value": None,
                        "doc_id": row["ocr_doc_id"],
                        "line": ocr_line,
                        "quote": line_text(row["ocr_doc_id"], ocr_line),
                    },
                    "Värdet syns inte på motsvarande rad i den OCR-lästa versionen.",
                )
            )
    return out


def _decimals(value: float) -> int:
    text = repr(float(value)).rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text else 0


def _implied_change(value_type: str, a: float, b: float) -> tuple[float, float, float]:
    """The change from a to b, and its range given that a and b are rounded as written."""
    ha, hb = (0.5 * 10 ** -_decimals(v) for v in (a, b))
    if value_type == "change_abs":
        return b - a, (b - hb) - (a + ha), (b + hb) - (a - ha)
    corners = [(bb - aa) / aa * 100 for aa in (a - ha, a + ha) for bb in (b - hb, b + hb) if aa]
    return (b - a) / a * 100, min(corners), max(corners)


def _level_of(change_id: str, catalog: dict[str, Indicator]) -> str | None:
    for suffix in ("_forandring_pct", "_forandring_antal", "_forandring"):
        if change_id.endswith(suffix):
            level = change_id[: -len(suffix)]
            if level in catalog and catalog[level].value_type == "level":
                return level
    return None


def derived_disagreements(rows: list[dict], catalog: dict[str, Indicator]) -> list[dict]:
    """Stated year-on-year changes that differ from the change implied by the stated levels.

    A change indicator ``X_forandring[_pct|_antal]`` with period ``A/B`` is compared with
    level indicator ``X`` in years A and B (same geography and basis). A stated percentage
    must match the implied one to within half a unit of its last written digit.
    """
    out = []
    first: dict[tuple, dict] = {}  # the first level row of each indicator/geography/basis/period
    for r in rows:
        if r["value_type"] == "level":
            first.setdefault((r["indicator"], r["geography"], r["basis"], r["period"]), r)
    for ch in rows:
        if ch["value_type"] not in ("change_pct", "change_abs") or not re.fullmatch(
            r"\d{4}/\d{4}", ch["period"]
        ):
            continue
        level_id = _level_of(ch["indicator"], catalog)
        if level_id is None:
            continue
        a_year, b_year = ch["period"].split("/")
        a0 = first.get((level_id, ch["geography"], ch["basis"], a_year))
        b0 = first.get((level_id, ch["geography"], ch["basis"], b_year))
        if a0 is None or b0 is None or a0["value"] == 0:
            continue
        value = ch["value"]
        implied, low, high = _implied_change(ch["value_type"], a0["value"], b0["value"])
        tolerance = 0.5 * 10 ** -_decimals(value) + 1e-9
        if not low - tolerance <= value <= high + tolerance:
            note = (
                f"Angiven förändring {value:g} men nivåerna {a0['value']:g} ({a_year}, "
                f"rad {a0['line']}) och {b0['value']:g} ({b_year}, rad {b0['line']}) ger "
                f"{implied:.1f}."
            )
            out.append(_pair("change_differs_from_levels", ch, b0, note))
    return out


def load_consistency_checks(path: Path = paths.CURATED_DIR / "consistency.yml") -> dict:
    """The declared data tests (parts that must sum to a total)."""
    data = read_mapping(path)
    return {"sums": list(data.get("sums") or [])}


def sum_disagreements(rows: list[dict], checks: dict) -> list[dict]:
    """Declared totals whose parts, as stated, do not add up."""
    out = []
    for check in checks["sums"]:
        for period in check["periods"]:
            where = (period, check["geography"], check.get("basis", "utfall"))
            first: dict[str, dict] = {}  # the first statement of each indicator there
            for r in rows:
                if (r["period"], r["geography"], r["basis"]) == where:
                    first.setdefault(r["indicator"], r)
            if any(i not in first for i in (check["total"], *check["parts"])):
                raise DataError(
                    f"consistency.yml: check of {check['total']} for {period} "
                    "refers to observations that do not exist; fix the check."
                )
            t, parts = first[check["total"]], [first[p] for p in check["parts"]]
            summed = sum(p["value"] for p in parts)
            if summed != t["value"]:
                lines = ", ".join(str(p["line"]) for p in parts)
                out.append(
                    _pair(
                        "parts_do_not_sum",
                        t,
                        {**parts[0], "value": summed},
                        f"{check['note']} Delarna (rader {lines}) summerar till "
                        f"{summed:g}, totalen är {t['value']:g}.",
                    )
                )
    return out


def discrepancies(
    obs: pd.DataFrame, catalog: dict[str, Indicator] | None = None, checks: dict | None = None
) -> pd.DataFrame:
    """All recorded inconsistencies: restatements, OCR twin, implied changes, sums
    (``checks``: the declared data tests, by default those of data/curated)."""
    catalog = catalog if catalog is not None else load_catalog()
    checks = checks if checks is not None else load_consistency_checks()
    rows = obs.to_dict("records")  # the checks read the observations row by row
    found = (
        restated_disagreements(rows)
        + twin_disagreements(rows)
        + derived_disagreements(rows, catalog)
        + sum_disagreements(rows, checks)
    )
    return pd.DataFrame.from_records(found, columns=list(DISCREPANCY_COLUMNS))
