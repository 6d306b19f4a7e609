"""Key figures of a year with their prior-year values and changes, and the data-quality
notes (discrepancies, OCR-repaired sources) of a theme page's selection
(:mod:`lib.report.selection`). Series across the years are :mod:`lib.report.series`.
"""

from __future__ import annotations

import math

import pandas as pd

from lib.core import formats
from lib.errors import DataError
from lib.report import processed
from lib.report.selection import (
    area,
    in_district,
    is_bound,
    period_kind,
    period_year,
    select,
    shift_period,
)
from lib.text.themes import check_theme

BASIS_LABELS: dict[str, str] = {
    "utfall": "utfall",
    "prognos": "prognos",
    "budget": "budget",
    "mal": "mål",
}
_CHANGE_SUFFIXES = ("_forandring_pct", "_forandring", "_forandring_antal", "_forandring_mnkr")


# ----------------------------------------------------------------------------- key figures

# Columns of the key-figure CSV files (the notebooks show a compact view of them).
KEY_CSV_COLUMNS = (
    "label",
    "geography",
    "period",
    "basis",
    "qualifier",
    "value",
    "unit",
    "prior_period",
    "prior_qualifier",
    "prior_value",
    "change",
    "change_pct",
    "reported_change",
    "reported_change_unit",
    "source",
    "prior_source",
    "quote",
)
KEY_COLUMNS = (
    "indicator",
    "label",
    "geography",
    "period",
    "basis",
    "qualifier",
    "value",
    "unit",
    "value_type",
    "prior_period",
    "prior_qualifier",
    "prior_value",
    "change",
    "change_pct",
    "reported_change",
    "reported_change_unit",
    "source",
    "prior_source",
    "source_file",
    "line",
    "doc_id",
    "quote",
)


def _pick(rows: list[dict], doc_id: str) -> dict | None:
    """One row of several candidates: the same document first, then document order."""
    if not rows:
        return None
    same = [r for r in rows if r["doc_id"] == doc_id]
    return (same or rows)[0]


def _index(rows: pd.DataFrame, key: tuple[str, ...]) -> dict[tuple, list[dict]]:
    out: dict[tuple, list[dict]] = {}
    for r in rows.to_dict("records"):
        out.setdefault(tuple(r[k] for k in key), []).append(r)
    return out


_CHANGE_ORDER = {"change_pct": 0, "change_pp": 1, "change_abs": 2}


def _reported_change(changes: dict[tuple, list[dict]], row: dict) -> dict | None:
    period = (
        f"{int(row['period']) - 1}/{row['period']}"
        if period_kind(row["period"]) == "year"
        else row["period"]
    )
    cands = [
        c
        for s in _CHANGE_SUFFIXES
        for c in changes.get((row["indicator"] + s, row["geography"], row["basis"], period), [])
    ]
    cands.sort(key=lambda c: (_CHANGE_ORDER[c["value_type"]], c["indicator"]))
    return _pick(cands, row["doc_id"])


def key_figures(theme: str, year: int, district: str | None = None) -> pd.DataFrame:
    """Levels and shares of the year with prior-year value, change and source (file, line).

    ``change`` is the difference to the prior-year value (units of the figure; percentage
    points for shares), ``change_pct`` the relative change of a level in percent; both
    computed from the values as written. ``reported_change`` is the change the report
    itself gives (its ``_forandring`` indicator for the same geography, basis and period),
    in ``reported_change_unit``. Rows with a comparison come first. ``qualifier`` and
    ``prior_qualifier`` mark approximations and bounds; no change is computed from a bound.
    """
    sel = select(theme, year, district)
    current = sel[sel.role == "current"]
    cur = current[current.value_type.isin(["level", "share"])]
    priors = _index(sel[sel.role == "prior"], ("indicator", "geography", "period"))
    changes = _index(
        current[current.value_type.str.startswith("change")],
        ("indicator", "geography", "basis", "period"),
    )
    rows = []
    for r in cur.to_dict("records"):
        pp = shift_period(r["period"]) if period_kind(r["period"]) != "change" else None
        prior = _pick(priors.get((r["indicator"], r["geography"], pp), []), r["doc_id"])
        rep = _reported_change(changes, r)
        pv = prior["value"] if prior is not None else math.nan
        pq = prior["qualifier"] if prior is not None else None
        bounded = is_bound(r["qualifier"]) or is_bound(pq)
        change = r["value"] - pv if prior is not None and not bounded else math.nan
        pct = (
            100 * change / pv
            if prior is not None and r["value_type"] == "level" and pv
            else math.nan
        )
        rows.append(
            {
                **{
                    k: r[k]
                    for k in (
                        "indicator",
                        "label",
                        "geography",
                        "period",
                        "basis",
                        "qualifier",
                        "value",
                        "unit",
                        "value_type",
                        "source",
                        "source_file",
                        "line",
                        "doc_id",
                        "quote",
                    )
                },
                "prior_period": pp if prior is not None else None,
                "prior_qualifier": pq if isinstance(pq, str) else None,
                "prior_value": pv,
                "change": change,
                "change_pct": round(pct, 1) if not math.isnan(pct) else math.nan,
                "reported_change": rep["value"] if rep is not None else math.nan,
                "reported_change_unit": rep["unit"] if rep is not None else None,
                "prior_source": prior["source"] if prior is not None else None,
            }
        )
    kf = pd.DataFrame(rows, columns=list(KEY_COLUMNS))
    kf = kf.astype(
        {
            "value": "float64",
            "prior_value": "float64",
            "change": "float64",
            "change_pct": "float64",
            "reported_change": "float64",
            "line": "int64",
        }
    )
    kf["basis"] = kf.basis.map(BASIS_LABELS)
    compared = kf.prior_value.notna() | kf.reported_change.notna()
    kf = kf.assign(_c=~compared).sort_values(
        ["_c", "indicator", "geography", "period", "basis"], kind="stable"
    )
    return kf.drop(columns="_c").reset_index(drop=True)


# ----------------------------------------------------------------------------- series


# ----------------------------------------------------------------------------- districts


# ----------------------------------------------------------------------------- data quality


def figure(
    kf: pd.DataFrame,
    indicator: str,
    geography: str | None = None,
    period: str | None = None,
    basis: str = "utfall",
) -> pd.Series:
    """The one key-figure row of an indicator (for asserts); DataError unless exactly one."""
    geography = area(geography)
    rows = kf[
        (kf.indicator == indicator)
        & (kf.geography == geography)
        & (kf.basis == BASIS_LABELS.get(basis, basis))
    ]
    if period is not None:
        rows = rows[rows.period == period]
    if len(rows) != 1:
        raise DataError(
            f"key figure {indicator} / {geography} / {period} / {basis}: "
            f"{len(rows)} rows; give the period or basis."
        )
    return rows.iloc[0]


DISCREPANCY_COLUMNS = (
    "kind",
    "indicator",
    "label",
    "period",
    "geography",
    "value_a",
    "source_a",
    "value_b",
    "source_b",
    "note",
)
DISCREPANCY_KINDS: dict[str, str] = {
    "restatement_differs": "Samma uppgift med olika värden",
    "change_differs_from_levels": "Angiven förändring stämmer inte med nivåerna",
    "parts_do_not_sum": "Delarna summerar inte till totalen",
    "twin_differs": "OCR-versionen avviker från den rena versionen",
}


def discrepancies(theme: str, year: int | None, district: str | None = None) -> pd.DataFrame:
    """Recorded inconsistencies of the theme whose period ends in ``year`` or the year after
    (every year for ``None``). (A change 2023/2024 concerns 2023 values too.) District rule
    as in :func:`lib.report.selection.in_district`.
    """
    d = processed.load("discrepancies")
    d = d[d.theme == check_theme(theme)]
    if year is not None:
        years = d.period.map(period_year)
        d = d[(years == year) | ((years == year + 1) & (d.period.map(period_kind) == "change"))]
    d = in_district(d, district)
    files = processed.load("documents").drop_duplicates("doc_id").set_index("doc_id").file
    labels = processed.load("indicators").set_index("id").label
    d = d.assign(
        label=d.indicator.map(labels),
        kind=d.kind.map(lambda k: DISCREPANCY_KINDS.get(k, k)),
        source_a=[formats.source(files[x], ln) for x, ln in zip(d.doc_id_a, d.line_a, strict=True)],
        source_b=[formats.source(files[x], ln) for x, ln in zip(d.doc_id_b, d.line_b, strict=True)],
    )
    return d[list(DISCREPANCY_COLUMNS)].reset_index(drop=True)


OCR_COLUMNS = ("label", "geography", "period", "value", "source", "ocr_source", "repairs")


def ocr_figures(sel: pd.DataFrame) -> pd.DataFrame:
    """Selected figures read from OCR-damaged text, with the repairs made on their line.

    A figure counts when its source document is OCR'd or when it was checked against the
    OCR twin (``ocr_line``). ``repairs`` lists the OCR repair's changes (before→after) on the
    source line, empty if the line needed none.
    """
    return ocr_figures_of(sel[sel.role == "current"])


def ocr_figures_of(obs: pd.DataFrame) -> pd.DataFrame:
    """The figures of ``obs`` (observation rows) read from OCR-damaged text, with the
    repairs made on their line (:func:`ocr_figures`)."""
    docs = processed.load("documents").drop_duplicates("doc_id").set_index("doc_id")
    changes = processed.load("ocr_changes")
    by_line: dict[tuple[str, int], list[str]] = {}
    for d, ln, b, a in zip(
        changes.doc_id, changes.line, changes.before, changes.after, strict=True
    ):
        by_line.setdefault((d, int(ln)), []).append(f"{b}→{a}")
    ocr_docs = set(docs.index[docs.text_quality == "ocr"])
    rows = []
    for r in obs.itertuples():
        if r.doc_id in ocr_docs:
            doc, line = r.doc_id, r.line
        elif pd.notna(r.ocr_doc_id):
            doc, line = r.ocr_doc_id, r.ocr_line
        else:
            continue
        rows.append(
            {
                "label": r.label,
                "geography": r.geography,
                "period": r.period,
                "value": r.value,
                "source": r.source,
                "ocr_source": formats.source(docs.file[doc], line),
                "repairs": "; ".join(by_line.get((doc, int(line)), [])),
            }
        )
    return pd.DataFrame(rows, columns=list(OCR_COLUMNS))
