"""An indicator across the reports: every statement of a figure, merged into points.

A *point* is one figure: an indicator's value for a geography, period and basis. The
reports state many figures more than once — a table and its text, last year's figure in
this year's report, the 2024 city-wide report in two renderings — so a point lists every
statement of it and all their sources. Statements that agree (:func:`lib.curation.
discrepancies.statements_agree`: the same value at the precision written) make one value;
statements that disagree make a *disputed* point, which keeps each value with its source
and never picks one. A point is disputed too where the build's ``discrepancies`` table
records a disagreement with another figure (a stated change the stated levels do not
imply, parts that do not add up to their total).

Each point carries what bears on reading it: the indicator's comparability note, the
notes of its statements, and its place relative to a break in the series (the catalog's
``break_from``: points before and after a break are never joined or compared). Periods are
told apart: a whole year, part of a year (``jan–aug 2024``: never joined to whole years),
a date, or a change between two periods.
"""

from __future__ import annotations

import itertools
import re
from functools import cache

import pandas as pd

from lib.core import formats
from lib.curation.discrepancies import statements_agree
from lib.report import fmt, processed
from lib.report.selection import city, districts, period_kind, period_year
from lib.text.numbers import MONTHS

POINT_COLUMNS = (
    "indicator",
    "label",
    "unit",
    "value_type",
    "statistic",
    "geography",
    "period",
    "kind",
    "year",
    "x",
    "basis",
    "value",
    "qualifier",
    "statements",
    "sources",
    "refs",
    "disputed",
    "dispute",
    "other_value",
    "other_qualifier",
    "note",
    "comparability",
    "break_from",
    "segment",
    "crosses_break",
)
# How each basis is drawn and named (Swedish), in legend order.
BASES = ("utfall", "prognos", "budget", "mal")
BASIS_NAMES = {"utfall": "utfall", "prognos": "prognos", "budget": "budget", "mal": "mål"}


def kind_of(period: str) -> str:
    """``year``, ``part`` (part of a year, e.g. jan–aug), ``date`` or ``change``."""
    kind = period_kind(period)
    if kind == "interval":
        m = re.fullmatch(r"(\d{4})-(\d\d)/(\d{4})-(\d\d)", period)
        assert m is not None
        whole = m[1] == m[3] and m[2] == "01" and m[4] == "12"
        return "year" if whole else "part"
    return kind


def position(period: str) -> float:
    """Where a period sits on a time axis in years: a whole year at its number (2024.0),
    part of a year at its middle month (jan–aug 2024 at 2023.83), a date at its day, a
    change at its later year."""
    kind = period_kind(period)
    if kind in ("year", "change"):
        return float(period_year(period))
    if kind == "date":
        year, month, day = (int(v) for v in period.split("-"))
        return year - 0.5 + (month - 1 + (day - 0.5) / 31) / 12
    m = re.fullmatch(r"(\d{4})-(\d\d)/(\d{4})-(\d\d)", period)
    assert m is not None
    start = int(m[1]) * 12 + int(m[2]) - 1
    end = int(m[3]) * 12 + int(m[4])
    return round((start + end) / 2 / 12 - 0.5, 4)


def _months(period: str) -> tuple[int, int]:
    """The first and last month of a period, in months since year 0 (a change runs from
    the end of its base year to the end of its later year; for comparing with a break)."""
    kind = period_kind(period)
    if kind == "year":
        return int(period) * 12, int(period) * 12 + 11
    if kind == "change":
        base, later = (int(y) for y in period.split("/"))
        return base * 12 + 11, later * 12 + 11
    if kind == "date":
        y, m, _ = period.split("-")
        return (int(y) * 12 + int(m) - 1,) * 2
    (y1, m1), (y2, m2) = (part.split("-") for part in period.split("/"))
    return int(y1) * 12 + int(m1) - 1, int(y2) * 12 + int(m2) - 1


def break_month(break_from: str) -> int:
    """Months since year 0 of the first month a break applies to (``2024`` -> January)."""
    y, _, m = break_from.partition("-")
    return int(y) * 12 + (int(m) - 1 if m else 0)


def segment(period: str, break_from: object) -> int:
    """0 for a period before the break (or without one), 1 for one that ends after it."""
    if not isinstance(break_from, str):
        return 0
    return int(_months(period)[1] >= break_month(break_from))


def crosses_break(period: str, break_from: object) -> bool:
    """Whether a change (or an interval) compares periods on both sides of the break."""
    if not isinstance(break_from, str):
        return False
    start, end = _months(period)
    return start < break_month(break_from) <= end


def break_text(break_from: str) -> str:
    """``2024`` -> ``2024``, ``2024-04`` -> ``april 2024``."""
    y, _, m = break_from.partition("-")
    return f"{MONTHS[int(m) - 1]} {y}" if m else y


def year_span(years: pd.Series) -> str:
    """``2020–2022`` or ``2024``: the years of some points."""
    lo, hi = int(years.min()), int(years.max())
    return str(lo) if lo == hi else f"{lo}–{hi}"


def period_text(period: str, basis: str) -> str:
    """``jan–aug 2024``, ``2024 (prognos)``: a period in words, with its basis unless utfall."""
    when = formats.period(period)
    return when if basis == "utfall" else f"{when} ({BASIS_NAMES.get(basis, basis)})"


def reference(file: str, line: int) -> str:
    """``Gemensamma 2024, rad 1109``: the short report name and raw line of a statement."""
    return fmt.short_source(formats.source(file, line))


def _dispute_texts(disc: pd.DataFrame, files: dict[str, str]) -> dict[tuple, list[str]]:
    """Swedish sentences for the points the discrepancies table names (kinds other than a
    restatement, which the points find themselves), by (indicator, geography, period,
    basis)."""
    out: dict[tuple, list[str]] = {}
    for r in disc.to_dict("records"):
        if r["kind"] == "restatement_differs":
            continue
        other = reference(files[r["doc_id_b"]], int(r["line_b"]))
        value = formats.number(r["value_b"]) if pd.notna(r["value_b"]) else ""
        if r["kind"] == "parts_do_not_sum":
            text = f"delarna summerar till {value} ({other})"
        elif r["kind"] == "change_differs_from_levels":
            text = f"nivåerna i rapporten ger en annan förändring ({other}): {r['note']}"
        else:
            text = f"{r['note']} {value} ({other})".strip()
        key = (r["indicator"], r["geography"], r["period"], r["basis"])
        out.setdefault(key, []).append(text)
    return out


def points(theme: str | None = None) -> pd.DataFrame:
    """Every figure of the reports as a point (module docstring), of one theme or all."""
    out = _points(str(processed.processed_dir()))
    if theme is not None:
        out = out[out.themes.str.split(";").map(lambda ts: theme in ts)]
    return out.drop(columns="themes").reset_index(drop=True)


@cache
def _points(directory: str) -> pd.DataFrame:
    obs = processed.load("observations")
    ind = processed.load("indicators").set_index("id")
    docs = processed.load("documents")
    files = dict(zip(docs.doc_id, docs.file, strict=True))
    disputes = _dispute_texts(processed.load("discrepancies"), files)
    rows = []
    key = ["indicator", "geography", "period", "basis"]
    records = obs.sort_values([*key, "doc_id", "line"], kind="stable").to_dict("records")
    catalog = ind.to_dict("index")  # one conversion: per-group pandas access is slow
    for k, group in itertools.groupby(records, key=lambda r: tuple(r[c] for c in key)):
        rows.append(
            _point(dict(zip(key, k, strict=True)), list(group), catalog[k[0]], disputes.get(k, []))
        )
    frame = pd.DataFrame(rows, columns=[*POINT_COLUMNS, "themes"])
    return frame.astype({"year": "int64", "statements": "int64", "segment": "int64"})


def _point(key: dict, rows: list[dict], ind: dict, extra: list[str]) -> dict:
    """One point from the statements of one figure (rows of the observations table)."""
    values: list[dict] = []  # distinct statements: value, qualifier, their references
    for r in rows:
        ref = reference(r["source_file"], int(r["line"]))
        raw = f"{r['source_file']}#{int(r['line'])}"
        for v in values:
            if statements_agree(v["value"], v["qualifier"], r["value"], r["qualifier"]):
                v["refs"].append(ref)
                v["raw"].append(raw)
                break
        else:
            values.append(
                {"value": r["value"], "qualifier": r["qualifier"], "refs": [ref], "raw": [raw]}
            )
    first = values[0]
    disputed = len(values) > 1 or bool(extra)
    dispute = [
        f"rapporterna anger också {formats.qualified(v['value'], v['qualifier'])} "
        f"({'; '.join(v['refs'])})"
        for v in values[1:]
    ] + extra
    notes = list(dict.fromkeys(str(r["note"]) for r in rows if isinstance(r["note"], str)))
    brk = ind["break_from"] if isinstance(ind["break_from"], str) else None
    return {
        **key,
        "label": ind["label"],
        "unit": ind["unit"],
        "value_type": ind["value_type"],
        "statistic": ind["statistic"],
        "kind": kind_of(key["period"]),
        "year": period_year(key["period"]),
        "x": position(key["period"]),
        "value": first["value"],
        "qualifier": first["qualifier"] if isinstance(first["qualifier"], str) else None,
        "statements": len(rows),
        # a disputed point's other statements carry their own sources (``dispute``)
        "sources": "; ".join(dict.fromkeys(first["refs"])),
        # every statement as file#line, the first value's in the order of ``sources``
        "refs": ";".join(raw for v in values for raw in v["raw"]),
        "disputed": disputed,
        "dispute": "; ".join(dispute) if dispute else None,
        # the value of the first other statement of the same figure, where there is one
        "other_value": values[1]["value"] if len(values) > 1 else None,
        "other_qualifier": values[1]["qualifier"] if len(values) > 1 else None,
        "note": " ".join(notes) if notes else None,
        "comparability": ind["comparability"] if isinstance(ind["comparability"], str) else None,
        "break_from": brk,
        "segment": segment(key["period"], brk),
        "crosses_break": crosses_break(key["period"], brk),
        "themes": ind["themes"],
    }


def is_service(geography: str) -> bool:
    """Whether a geography is a service or unit (Kriscentrum, Barnahus, …), not an area."""
    return geography != city() and geography not in districts()


def in_scope(pts: pd.DataFrame, district: str | None) -> pd.DataFrame:
    """The points a page of ``district`` shows: for the city (or ``None`` = every area),
    the city's own figures and the city-wide services and units; for a district, its own.
    (A page over every area shows all: :func:`points` unfiltered.)"""
    if district is None:
        return pts
    if district == city():
        return pts[pts.geography.map(is_service) | (pts.geography == city())]
    return pts[pts.geography == district]


def caveats(pts: pd.DataFrame) -> list[str]:
    """The caveats that bear on reading these points, each once, in Swedish: the indicator's
    comparability note, a break in the series, notes of the statements (one line per note,
    naming the areas and periods it concerns), disputed figures. The indicator's label leads
    each caveat only where the points are of several indicators."""
    several = pts.indicator.nunique() > 1
    out: list[str] = []
    notes: dict[tuple[str, str], list[str]] = {}
    for r in pts.sort_values(["indicator", "x"], kind="stable").to_dict("records"):
        label = f"{r['label']}: " if several else ""
        when = formats.period(r["period"], nobreak=False)
        if isinstance(r["comparability"], str):
            out.append(f"{label}{r['comparability']}")
        if isinstance(r["break_from"], str):
            out.append(
                f"{label}Serien bryts från {break_text(r['break_from'])}: värden före och "
                "efter jämförs inte."
            )
        if isinstance(r["note"], str):
            notes.setdefault((label, r["note"]), []).append(f"{r['geography']} {when}")
        if r["disputed"] is True:
            out.append(
                f"{label}Omstridd uppgift, {r['geography']}, {when}: "
                f"{formats.qualified(r['value'], r['qualifier'])} ({r['sources']}); "
                f"{r['dispute']}."
            )
    for (label, note), where in notes.items():
        out.append(f"{label}{', '.join(dict.fromkeys(where))}: {note}")
    return list(dict.fromkeys(out))
