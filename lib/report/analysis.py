"""Selections, key figures, series, comparisons and statistical tests for the theme notebooks.

Everything reads the processed tables (:mod:`lib.report.processed`); nothing is rebuilt.

Selection rules (:func:`select`):

* **year** ``Y`` selects the figures whose period falls in or ends in ``Y``: ``"2024"``,
  the change ``"2023/2024"``, the interval ``"2024-01/2024-08"`` and the date
  ``"2024-06-30"`` all belong to 2024 (role ``current``). It adds the prior-year values
  they are compared with (role ``prior``): for a current figure of period ``P`` the
  outcome (basis ``utfall``) of the same indicator and geography for ``P`` moved back
  one year (``"2023"``, ``"2023-01/2023-08"``, ``"2023-06-30"``).
* **district**: the city (``Göteborg``, :func:`city`) selects every geography (districts,
  the city and the city-wide services such as Kriscentrum för kvinnor); any other district
  selects the rows whose geography is that district, nothing else (services are city-wide
  and appear only under the city). ``None`` means the city.
* An indicator belongs to every theme its catalog entry lists (column ``themes``).

Years, districts and themes are data: :func:`years` (every year with a report or a
figure), :func:`areas` (the manifest's vocabulary, via the ``areas`` table) and
:func:`lib.text.themes.theme_labels`. Approximations and bounds carry their ``qualifier``
(≈ < > ≤ ≥); changes are not computed from bounds, and bounds stay out of the tests.
* Restatements (rows with ``restatement_of`` set: the same figure again elsewhere in a
  report) are left out; the discrepancies table records where they disagree.

Statistical tests return :class:`TestResult` (tidy via :func:`results_frame`) with a
Swedish interpretation sentence and the caveats that belong beside it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import pandas as pd

from lib import paths
from lib.core import formats
from lib.errors import DataError
from lib.report import fmt, processed
from lib.text.themes import check_theme, theme_labels

BASIS_LABELS: dict[str, str] = {
    "utfall": "utfall", "prognos": "prognos", "budget": "budget", "mal": "mål",
}
COST_UNITS = ("kr", "tkr", "mnkr")
COUNT_UNITS = (
    "personer", "hushåll", "ärenden", "beslut", "förfrågningar", "placeringar", "besök",
    "samtal", "anmälningar", "utredningar", "barn", "kvinnor", "män", "antal",
)
_CHANGE_SUFFIXES = ("_forandring_pct", "_forandring", "_forandring_antal", "_forandring_mnkr")
_YEAR_RE = re.compile(r"\d{4}")
BOUNDS = frozenset({"<", ">", "≤", "≥"})


# ----------------------------------------------------------------------------- scope


def city() -> str:
    """The area standing for the whole city (the manifest's ``vocabulary.city``)."""
    return processed.city()


def areas() -> tuple[str, ...]:
    """The city, then its districts (the manifest's vocabulary)."""
    return processed.areas()


def districts() -> tuple[str, ...]:
    """The city's districts (every area but the city)."""
    return tuple(a for a in areas() if a != city())


def years() -> tuple[int, ...]:
    """Every year with a report (``documents.year``) or a figure (the year a period ends in)."""
    return _years(str(processed.processed_dir()))


def report_years() -> tuple[int, ...]:
    """The years the reports are for (``documents.year``)."""
    return tuple(sorted({int(y) for y in processed.load("documents").year}))


@cache
def _years(directory: str) -> tuple[int, ...]:
    periods = processed.load("observations").period
    return tuple(sorted(set(report_years()) | {period_year(p) for p in periods}))


def _area(district: str | None) -> str:
    return city() if district is None else district


def is_bound(qualifier: object) -> bool:
    """True for a bound (``<``, ``>``, ``≤``, ``≥``): not a value to compute with."""
    return isinstance(qualifier, str) and qualifier in BOUNDS


# ----------------------------------------------------------------------------- parameters


def validate_params(year: object, district: object, output_dir: object) -> None:
    """Check a notebook's parameters against the data; raise a one-line :class:`DataError`."""
    if isinstance(year, bool) or not isinstance(year, int) or year not in years():
        raise DataError(f"year={year!r}: ogiltigt år / invalid year; "
                        f"välj / choose one of {', '.join(map(str, years()))}.")
    if not isinstance(district, str) or district not in areas():
        raise DataError(f"district={district!r}: okänt område / unknown district; "
                        f"välj / choose one of {', '.join(areas())}.")
    if not isinstance(output_dir, str):
        raise DataError(f"output_dir={output_dir!r}: must be a string (a directory path, "
                        "or \"\" not to save files) / ska vara en sträng.")
    fmt.check_output_dir(output_dir)


# ----------------------------------------------------------------------------- periods


def period_year(period: str) -> int:
    """The year a period ends in: ``"2023/2024"`` -> 2024, ``"2024-01/2024-08"`` -> 2024."""
    years = _YEAR_RE.findall(period)
    if not years:
        raise DataError(f"period {period!r} has no year; see lib/curation/indicators.py "
                        "for the forms.")
    return int(years[-1])


def period_kind(period: str) -> str:
    """``year`` (2024), ``change`` (2023/2024), ``interval`` (2024-01/2024-08) or ``date``."""
    if re.fullmatch(r"\d{4}", period):
        return "year"
    if re.fullmatch(r"\d{4}/\d{4}", period):
        return "change"
    if re.fullmatch(r"\d{4}-\d{2}/\d{4}-\d{2}", period):
        return "interval"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", period):
        return "date"
    raise DataError(f"period {period!r}: not a known period form.")


def shift_period(period: str, years: int = -1) -> str:
    """The same period ``years`` years earlier or later (every year in it moves)."""
    return _YEAR_RE.sub(lambda m: str(int(m.group()) + years), period)


# ----------------------------------------------------------------------------- selection


def observations(theme: str | None = None) -> pd.DataFrame:
    """The curated observations (of one theme: every indicator listing it), restatements
    left out, with ``year`` (the year the period ends in) and ``source`` (file, line)."""
    obs = _observations(str(processed.processed_dir()))
    if theme is not None:
        check_theme(theme)
        obs = obs[obs.themes.str.split(";").map(lambda ts: theme in ts)]
    return obs.reset_index(drop=True)


@cache
def _observations(directory: str) -> pd.DataFrame:
    obs = processed.load("observations")
    obs = obs[obs.restatement_of.isna()].copy()
    obs["year"] = obs.period.map(period_year).astype("int64")
    obs["source"] = [formats.source(f, ln) for f, ln in zip(obs.source_file, obs.line, strict=True)]
    return obs.sort_values(["indicator", "geography", "period", "basis", "doc_id", "line"],
                           kind="stable").reset_index(drop=True)


def in_district(obs: pd.DataFrame, district: str | None) -> pd.DataFrame:
    """Rows of ``district``: all rows for the city, else rows with that geography."""
    district = _area(district)
    if district not in areas():
        raise DataError(f"district={district!r}: choose one of {', '.join(areas())}.")
    return obs if district == city() else obs[obs.geography == district]


def _prior_rows(obs: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    outcomes = obs[obs.basis == "utfall"]
    keys = {(r.indicator, r.geography, shift_period(r.period))
            for r in current.itertuples() if period_kind(r.period) != "change"}
    mask = pd.Series([(i, g, p) in keys for i, g, p in zip(
        outcomes.indicator, outcomes.geography, outcomes.period, strict=True)],
        index=outcomes.index, dtype=bool)
    return outcomes[mask]


def select(theme: str, year: int, district: str | None = None) -> pd.DataFrame:
    """The figures of a theme for a year and district (module docstring), with ``role``."""
    district = _area(district)
    validate_params(year, district, "")
    return _select(str(processed.processed_dir()), check_theme(theme), year, district).copy()


@cache
def _select(directory: str, theme: str, year: int, district: str) -> pd.DataFrame:
    obs = in_district(observations(theme), district)
    current = obs[obs.year == year].assign(role="current")
    prior = _prior_rows(obs, current)
    prior = prior[prior.year != year].assign(role="prior")
    out = pd.concat([current, prior], ignore_index=True)
    return out.sort_values(["role", "indicator", "geography", "period", "basis"],
                           kind="stable").reset_index(drop=True)


def place(district: str | None) -> str:
    """Swedish name of the selection's area: ``Göteborg (hela staden)`` or ``Centrum``."""
    district = _area(district)
    return f"{district} (hela staden, alla områden och verksamheter)" \
        if district == city() else f"stadsområde {district}"


def heading(year: int, district: str | None = None) -> str:
    """The Swedish sentence naming the selection a report shows (Markdown)."""
    return f"**Rapporten visar år {year}, {place(district)}.**"


def _count(n: int) -> str:
    return f"{n} uppgift" if n == 1 else f"{n} uppgifter"


def sources_legend(files: list[str]) -> str:
    """Markdown list of the reports behind ``files``: short label, file name and title."""
    docs = processed.load("documents").drop_duplicates("file").set_index("file")
    return "\n".join(f"- **{fmt.source_label(f)}**: {docs.doc_title.get(f, f)} (`{f}`)"
                      for f in sorted(files))


def summary(theme: str, year: int, district: str | None = None) -> str:
    """What the selection holds (or that it is empty), as Swedish Markdown prose.

    Lists the reports cited, with the short labels the tables use for them.
    """
    sel = select(theme, year, district)
    cur = sel[sel.role == "current"]
    label = theme_labels()[theme].lower()
    if cur.empty:
        return (f"Rapporterna innehåller inga uppgifter om {label} för {place(district)} "
                f"år {year}. Avsnitten nedan visar därför inga nyckeltal för urvalet; "
                "jämförelser och textutdrag visas där rapporterna har sådana.")
    n_prior = int((sel.role == "prior").sum())
    return (f"**Urval:** {label}, år {year}, {place(district)}. {_count(len(cur))} avser "
            f"{year} (perioder som ligger i eller slutar {year}), och {_count(n_prior)} "
            f"från {year - 1} används som jämförelse.\n\n"
            "**Källor.** Tabellerna anger källan med rapportens kortnamn och radnummer i "
            "textfilen; de sparade CSV-filerna har hela filnamnet.\n\n"
            + sources_legend(sorted(sel.source_file.unique())))


# ----------------------------------------------------------------------------- display

SOURCE_COLUMNS = frozenset({"source", "prior_source", "source_a", "source_b", "ocr_source"})
VIEW_HEADERS: dict[str, str] = {
    "item": "Uppgift", "when": "Period", "computed": "Beräknad förändring",
    "reported": "Förändring enligt rapporten",
}
_PP = "%\u2011enheter"  # percentage points, with a non-breaking hyphen
_UNIT_SHORT = {"procent": "%", "procentenheter": _PP}


def item(label: str, geography: str) -> str:
    """``label – geography``, the place left out for the city or when the label names it."""
    if geography == city() or geography.lower() in label.lower():
        return label
    return f"{label} – {geography}"


def _when(row: dict) -> str:
    basis = row.get("basis")
    text = formats.period(row["period"])
    return text if basis in (None, "utfall") or pd.isna(basis) else f"{text} ({basis})"


def _reported(row: dict) -> str:
    value = row["reported_change"]
    if pd.isna(value):
        return formats.NA
    unit = row.get("reported_change_unit") or ""
    return f"{formats.number(value, sign=True)} {_UNIT_SHORT.get(unit, unit)}".rstrip()


def _computed(row: dict) -> str:
    change, pct = row["change"], row.get("change_pct")
    if pd.isna(change):
        return formats.NA
    if row.get("value_type") == "share":
        return f"{formats.number(change, sign=True)} {_PP}"
    text = formats.number(change, sign=True)
    return text if pct is None or pd.isna(pct) else f"{text} ({formats.percent(pct, sign=True)})"


# Value columns shown with the qualifier of an approximation or bound (``ca 20 000``, ``< 5``).
_QUALIFIER_OF = {"value": "qualifier", "prior_value": "prior_qualifier"}


def view(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """A compact table for display, with Swedish headers; the CSV keeps the full table.

    ``columns`` are column names of ``df`` or the derived columns ``item`` (label and
    place), ``when`` (period in words, basis unless outcome), ``computed`` (the change
    from the prior-year value, in percent too for levels, in percentage points for
    shares) and ``reported`` (the change the report gives, with its unit). A value column
    becomes text (``ca 20 000``, ``< 5``) where some of its values are qualified, and
    stays numeric otherwise. Source columns
    show the short report label (:func:`lib.report.fmt.short_source`); periods read
    ``jan–aug 2024``; OCR repairs read ``a → b``.
    """
    derived = {"item": lambda r: item(r["label"], r["geography"]), "when": _when,
               "computed": _computed, "reported": _reported}
    records = df.to_dict("records")
    out = {}
    for col in columns:
        header = VIEW_HEADERS.get(col, fmt.HEADERS.get(col, col))
        if col in derived:
            out[header] = [derived[col](r) for r in records]
        elif col not in df.columns:
            raise DataError(f"analysis.view: column {col!r} is not in the table.")
        elif col in SOURCE_COLUMNS:
            out[header] = [fmt.short_source(v) for v in df[col]]
        elif col in _QUALIFIER_OF and df.get(_QUALIFIER_OF[col], pd.Series()).notna().any():
            out[header] = [formats.qualified(v, q) for v, q in zip(df[col], df[_QUALIFIER_OF[col]],
                                                                strict=True)]
        elif col == "period":
            out[header] = [formats.period(v) for v in df[col]]
        elif col == "repairs":
            out[header] = [v.replace("→", " → ") for v in df[col]]
        else:
            out[header] = df[col].to_numpy()
    return pd.DataFrame(out, columns=list(out))


# ----------------------------------------------------------------------------- key figures

# Columns of the key-figure CSV files (the notebooks show a compact view of them).
KEY_CSV_COLUMNS = (
    "label", "geography", "period", "basis", "qualifier", "value", "unit", "prior_period",
    "prior_qualifier", "prior_value",
    "change", "change_pct", "reported_change", "reported_change_unit", "source",
    "prior_source", "quote",
)
KEY_COLUMNS = (
    "indicator", "label", "geography", "period", "basis", "qualifier", "value", "unit",
    "value_type", "prior_period", "prior_qualifier", "prior_value", "change", "change_pct",
    "reported_change", "reported_change_unit", "source", "prior_source", "source_file", "line",
    "doc_id", "quote",
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
    period = (f"{int(row['period']) - 1}/{row['period']}"
              if period_kind(row["period"]) == "year" else row["period"])
    cands = [c for s in _CHANGE_SUFFIXES
             for c in changes.get((row["indicator"] + s, row["geography"], row["basis"],
                                   period), [])]
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
    changes = _index(current[current.value_type.str.startswith("change")],
                     ("indicator", "geography", "basis", "period"))
    rows = []
    for r in cur.to_dict("records"):
        pp = shift_period(r["period"]) if period_kind(r["period"]) != "change" else None
        prior = _pick(priors.get((r["indicator"], r["geography"], pp), []), r["doc_id"])
        rep = _reported_change(changes, r)
        pv = prior["value"] if prior is not None else math.nan
        pq = prior["qualifier"] if prior is not None else None
        bounded = is_bound(r["qualifier"]) or is_bound(pq)
        change = r["value"] - pv if prior is not None and not bounded else math.nan
        pct = (100 * change / pv if prior is not None and r["value_type"] == "level" and pv
               else math.nan)
        rows.append({
            **{k: r[k] for k in ("indicator", "label", "geography", "period", "basis",
                                 "qualifier", "value", "unit", "value_type", "source",
                                 "source_file", "line", "doc_id", "quote")},
            "prior_period": pp if prior is not None else None,
            "prior_qualifier": pq if isinstance(pq, str) else None,
            "prior_value": pv, "change": change,
            "change_pct": round(pct, 1) if not math.isnan(pct) else math.nan,
            "reported_change": rep["value"] if rep is not None else math.nan,
            "reported_change_unit": rep["unit"] if rep is not None else None,
            "prior_source": prior["source"] if prior is not None else None,
        })
    kf = pd.DataFrame(rows, columns=list(KEY_COLUMNS))
    kf = kf.astype({"value": "float64", "prior_value": "float64", "change": "float64",
                    "change_pct": "float64", "reported_change": "float64", "line": "int64"})
    kf["basis"] = kf.basis.map(BASIS_LABELS)
    compared = kf.prior_value.notna() | kf.reported_change.notna()
    kf = kf.assign(_c=~compared).sort_values(
        ["_c", "indicator", "geography", "period", "basis"], kind="stable")
    return kf.drop(columns="_c").reset_index(drop=True)


def figure(kf: pd.DataFrame, indicator: str, geography: str | None = None,
           period: str | None = None, basis: str = "utfall") -> pd.Series:
    """The one key-figure row of an indicator (for asserts); DataError unless exactly one."""
    geography = _area(geography)
    rows = kf[(kf.indicator == indicator) & (kf.geography == geography)
              & (kf.basis == BASIS_LABELS.get(basis, basis))]
    if period is not None:
        rows = rows[rows.period == period]
    if len(rows) != 1:
        raise DataError(f"key figure {indicator} / {geography} / {period} / {basis}: "
                        f"{len(rows)} rows; give the period or basis.")
    return rows.iloc[0]


REPORTED_CHANGE_COLUMNS = ("indicator", "label", "geography", "period", "basis", "value",
                           "unit", "value_type", "source", "source_file", "line", "quote")


def reported_changes(theme: str, year: int, district: str | None = None) -> pd.DataFrame:
    """The changes the reports state for the year (change_pct, change_pp, change_abs rows)."""
    sel = select(theme, year, district)
    ch = sel[(sel.role == "current") & sel.value_type.str.startswith("change")]
    ch = ch[list(REPORTED_CHANGE_COLUMNS)].assign(basis=ch.basis.map(BASIS_LABELS))
    return ch.reset_index(drop=True)


def change_chart_data(kf: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    """Percent changes of the year: reported where the report gives them, else computed.

    Columns: label, geography, period, basis, change_pct, kind (``rapporterad`` or
    ``beräknad``), source.
    """
    rep = changes[changes.value_type == "change_pct"]
    rows = [{"label": r.label, "geography": r.geography, "period": r.period, "basis": r.basis,
             "change_pct": r.value, "kind": "rapporterad", "source": r.source}
            for r in rep.itertuples()]
    comp = kf[kf.change_pct.notna() & ~(kf.reported_change_unit == "procent")]
    rows += [{"label": r.label, "geography": r.geography, "period": f"{r.prior_period}–{r.period}",
              "basis": r.basis, "change_pct": r.change_pct, "kind": "beräknad",
              "source": r.source} for r in comp.itertuples()]
    out = pd.DataFrame(rows, columns=["label", "geography", "period", "basis", "change_pct",
                                      "kind", "source"])
    return out.sort_values(["change_pct", "label", "geography"], kind="stable").reset_index(
        drop=True)


# ----------------------------------------------------------------------------- series


SERIES_COLUMNS = ("indicator", "label", "geography", "year", "basis", "value", "unit", "source")


def series(theme: str, district: str | None = None, min_points: int = 2) -> pd.DataFrame:
    """Whole-year levels and shares across all years the reports cover.

    One row per (indicator, geography, year, basis); outcomes only for the level series
    (budget, prognos and mål rows are kept for cost indicators). An indicator-geography
    series is kept when its outcomes cover at least ``min_points`` years. Costs in tkr are
    converted to mnkr.
    """
    obs = in_district(observations(theme), district)
    obs = obs[obs.value_type.isin(["level", "share"]) & (obs.period.map(period_kind) == "year")]
    obs = obs[(obs.basis == "utfall") | obs.unit.isin(COST_UNITS)]
    obs = obs.drop_duplicates(["indicator", "geography", "period", "basis"], keep="first")
    n = (obs[obs.basis == "utfall"].groupby(["indicator", "geography"]).year.nunique()
         .rename("n").reset_index())
    keep = n[n.n >= min_points][["indicator", "geography"]]
    out = obs.merge(keep, on=["indicator", "geography"])
    tkr = out.unit == "tkr"
    out.loc[tkr, "value"] = out.loc[tkr, "value"] / 1000
    out.loc[tkr, "unit"] = "mnkr"
    out = out.assign(basis=out.basis.map(BASIS_LABELS))
    return out[list(SERIES_COLUMNS)].sort_values(
        ["indicator", "geography", "year", "basis"]).reset_index(drop=True)


# ----------------------------------------------------------------------------- districts


COMPARISON_COLUMNS = ("indicator", "label", "period", "geography", "value", "unit", "basis",
                      "source")


def district_comparison(theme: str, year: int) -> pd.DataFrame:
    """Figures the reports give for two or more districts (same indicator, period, basis).

    Covers the four districts and, where given, the city total; always all districts, so
    a district notebook shows its district beside the others.
    """
    obs = observations(theme)
    obs = obs[(obs.year == year) & obs.geography.isin(areas())]
    key = ["indicator", "period", "basis"]
    parts = obs[obs.geography.isin(districts())].groupby(key).geography.nunique()
    keys = parts[parts >= 2].reset_index()[key]
    out = obs.merge(keys, on=key)
    order = {g: i for i, g in enumerate(districts() + (city(),))}
    out = out.assign(_o=out.geography.map(order), basis=out.basis.map(BASIS_LABELS))
    out = out.sort_values(["indicator", "period", "basis", "_o"], kind="stable")
    return out[list(COMPARISON_COLUMNS)].reset_index(drop=True)


# ----------------------------------------------------------------------------- tests


@dataclass(frozen=True)
class TestResult:
    """One statistical test, with its Swedish interpretation and caveats."""

    __test__ = False  # not a pytest test class

    test: str
    question: str
    statistic: float
    p_value: float
    n: int
    interpretation: str
    caveats: str


RESULT_COLUMNS = ("test", "question", "statistic", "p_value", "n", "interpretation", "caveats")
COUNT_CAVEATS = (
    "Antar att händelserna är oberoende (Poisson). Samma person kan stå för flera "
    "förfrågningar, besök eller ärenden, vilket ger mer variation än modellen och för små "
    "p-värden. Ändrade rutiner för registrering eller nya definitioner mellan åren fångas inte."
)


APPROX_CAVEAT = "Några antal är ungefärliga i rapporten (ca) och används som de står."


def _p(p: float) -> str:
    return f"p {formats.pvalue(p)}" if p < 0.001 else f"p = {formats.pvalue(p)}"


def _p_sentence(p: float) -> str:
    if p < 0.05:
        return (f"är större än vad slumpen normalt ger om den underliggande nivån vore "
                f"oförändrad ({_p(p)})")
    return f"ryms inom slumpvariationen ({_p(p)}); den kan inte skiljas från en oförändrad nivå"


def count_change_test(before: float, after: float, label: str, unit: str = "",
                      periods: tuple[str, str] = ("", "")) -> TestResult:
    """Is the change in a count between two equal periods larger than chance?

    Exact conditional test for two Poisson counts: under equal rates the later count given
    the total is Binomial(total, 1/2) (scipy.stats.binomtest, two-sided).
    """
    from scipy import stats

    if before < 0 or after < 0 or not float(before).is_integer() or not float(after).is_integer():
        raise DataError(f"count_change_test: {label}: counts must be whole numbers ≥ 0 "
                        f"(got {before}, {after}).")
    k, n = int(after), int(before) + int(after)
    if n == 0:
        raise DataError(f"count_change_test: {label}: both counts are zero.")
    res = stats.binomtest(k, n, 0.5)
    pct = 100 * (after - before) / before if before else math.nan
    direction = "ökningen" if after > before else ("minskningen" if after < before else
                                                   "skillnaden")
    unit_s = f" {unit}" if unit else ""
    p0, p1 = periods
    text = (f"{label}: {formats.number(before)}{unit_s}{f' ({p0})' if p0 else ''} → "
            f"{formats.number(after)}{unit_s}{f' ({p1})' if p1 else ''}"
            f"{f', {formats.percent(pct, sign=True)}' if not math.isnan(pct) else ''}. "
            f"{direction.capitalize()} {_p_sentence(res.pvalue)}.")
    return TestResult("Exakt binomialtest (två Poisson-antal)", f"Har {label.lower()} "
                      "förändrats mer än slumpen?", float(k), float(res.pvalue), n, text,
                      COUNT_CAVEATS)


def _with_place(label: str, geography: str) -> str:
    return label if geography.lower() in label.lower() else f"{label} ({geography})"


def count_change_tests(kf: pd.DataFrame) -> pd.DataFrame:
    """Count-change tests for every key figure that is a count with a prior-year outcome.

    Both periods must be whole years (or the same months of two years) and the basis an
    outcome; bounds (``färre än 5``) are left out, approximations (ca) say so in the
    caveats. Adds ``p_adjusted`` (Benjamini–Hochberg over the tests shown), since many
    tests at once make some small p-values likely by chance.
    """
    from scipy import stats

    ok = kf[(kf.basis == "utfall") & (kf.value_type == "level") & kf.unit.isin(COUNT_UNITS)
            & kf.prior_value.notna() & (kf.prior_value > 0)
            & ~kf.qualifier.map(is_bound) & ~kf.prior_qualifier.map(is_bound)]
    results = []
    for r in ok.itertuples():
        res = count_change_test(r.prior_value, r.value, _with_place(r.label, r.geography),
                                r.unit, (r.prior_period, r.period))
        if "≈" in (r.qualifier, r.prior_qualifier):
            res = replace(res, caveats=f"{res.caveats} {APPROX_CAVEAT}")
        results.append(res)
    out = results_frame(results)
    out.insert(0, "source", list(ok.source))
    out.insert(0, "indicator", list(ok.indicator))
    out["p_adjusted"] = (stats.false_discovery_control(out.p_value.to_numpy())
                         if len(out) else pd.Series(dtype="float64"))
    return out


def chi_square_test(table: pd.DataFrame, question: str, caveats: str = "",
                    share_of: str | None = None) -> TestResult:
    """Chi-square test of a contingency table (rows × columns) or, for one row, of equal shares.

    ``table`` holds counts, its index and columns the Swedish category names; ``share_of``
    names the first column in the interpretation ("Andel {share_of}: …").
    """
    from scipy import stats

    values = table.to_numpy(dtype="float64")
    n = int(values.sum())
    if values.shape[0] == 1:
        res = stats.chisquare(values[0])
        stat, p, dof, kind = float(res.statistic), float(res.pvalue), values.shape[1] - 1, \
            "Chi-två-test av lika fördelning"
        shares = ", ".join(f"{c} {formats.percent(100 * v / n)}"
                           for c, v in zip(table.columns, values[0], strict=True))
        finding = f"Fördelning: {shares}."
    else:
        res = stats.chi2_contingency(values, correction=values.shape == (2, 2))
        stat, p, dof, kind = float(res.statistic), float(res.pvalue), int(res.dof), \
            "Chi-två-test av oberoende"
        col = table.columns[0]
        shares = ", ".join(f"{idx} {formats.percent(100 * row[col] / row.sum())}"
                           for idx, row in table.iterrows())
        finding = f"Andel {share_of or col}: {shares}."
    verdict = ("Skillnaden i fördelning är större än vad slumpen normalt ger"
               if p < 0.05 else "Skillnaden i fördelning ryms inom slumpvariationen")
    text = (f"{finding} {verdict} (χ² = {formats.number(stat, 2)}, {dof} frihetsgrad"
            f"{'er' if dof != 1 else ''}, {_p(p)}, n = {formats.number(n)}).")
    return TestResult(kind, question, stat, p, n, text, caveats)


@dataclass(frozen=True)
class ChiSpec:
    """A distribution in the data worth a chi-square test: cells are (indicator, geography,
    period) triples arranged as rows × columns (data/curated/distribution_tests.yml)."""

    theme: str
    year: int
    question: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[tuple[str, str, str], ...], ...]
    caveats: str
    share_of: str | None = None

    def geographies(self) -> set[str]:
        return {g for row in self.cells for _, g, _ in row}


DISTRIBUTION_TESTS = paths.CURATED_DIR / "distribution_tests.yml"


def _chi_spec(entry: object, where: str) -> ChiSpec:
    if not isinstance(entry, dict):
        raise DataError(f"{where}: each test must be a mapping (theme, year, question, rows, "
                        "columns, cells, caveats).")
    missing = [k for k in ("theme", "year", "question", "rows", "columns", "cells", "caveats")
               if not entry.get(k)]
    if missing:
        raise DataError(f"{where}: missing {', '.join(missing)}; fill them in.")
    try:
        cells = tuple(tuple((c["indicator"], c["geography"], str(c["period"])) for c in row)
                      for row in entry["cells"])
    except (KeyError, TypeError):
        raise DataError(f"{where}: each cell needs indicator, geography and period.") from None
    if len(cells) != len(entry["rows"]) or any(len(r) != len(entry["columns"]) for r in cells):
        raise DataError(f"{where}: cells must have one row per row name and one cell per "
                        "column name.")
    return ChiSpec(check_theme(entry["theme"]), int(entry["year"]), str(entry["question"]),
                   tuple(entry["rows"]), tuple(entry["columns"]), cells,
                   str(entry["caveats"]), entry.get("share_of"))


@cache
def chi_specs(path: Path = DISTRIBUTION_TESTS) -> tuple[ChiSpec, ...]:
    """The chi-square tests declared in data/curated/distribution_tests.yml."""
    from lib.core.yamlio import load_yaml

    data = load_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("tests"), list):
        raise DataError(f"{path}: expected a top-level 'tests:' list.")
    return tuple(_chi_spec(e, f"{path.name} test {i}")
                 for i, e in enumerate(data["tests"], start=1))


def distribution_tests(theme: str, year: int, district: str | None = None) -> list[TestResult]:
    """The chi-square tests of :func:`chi_specs` that apply to the selection.

    A test whose cells include a bound (``färre än 5``) is left out: a bound is not a
    count. Approximate counts (ca) are used, with a caveat saying so.
    """
    district = _area(district)
    obs = observations(check_theme(theme))
    out = []
    for spec in chi_specs():
        if spec.theme != theme or spec.year != year:
            continue
        if district != city() and district not in spec.geographies():
            continue
        grid, qualifiers = [], set()
        for row in spec.cells:
            vals = []
            for ind, geo, per in row:
                hit = obs[(obs.indicator == ind) & (obs.geography == geo) & (obs.period == per)
                          & (obs.basis == "utfall")]
                if hit.empty:
                    raise DataError(f"{DISTRIBUTION_TESTS.name}: no observation {ind} / {geo} / "
                                    f"{per}; correct the test or the curated observations.")
                vals.append(float(hit.value.iloc[0]))
                qualifiers.add(hit.qualifier.iloc[0] if pd.notna(hit.qualifier.iloc[0])
                               else None)
            grid.append(vals)
        if any(is_bound(q) for q in qualifiers):
            continue
        caveats = f"{spec.caveats} {APPROX_CAVEAT}" if "≈" in qualifiers else spec.caveats
        table = pd.DataFrame(grid, index=list(spec.rows), columns=list(spec.columns))
        out.append(chi_square_test(table, spec.question, caveats, spec.share_of))
    return out


def results_frame(results: list[TestResult]) -> pd.DataFrame:
    """Test results as a tidy table (one row per test)."""
    return pd.DataFrame([vars(r) for r in results], columns=list(RESULT_COLUMNS))


# ----------------------------------------------------------------------------- statements

THEME_TERMS: dict[str, tuple[str, ...]] = {
    "hemloshet": ("hemlös", "socialt boende", "korttidsboende", "nödbistånd", "vräkning",
                  "bostad först", "boendedygn", "härbärge", "övernatt"),
    "vald_i_nara_relation": ("våld", "skyddat boende", "skyddade boende", "kriscentrum",
                             "heder", "kvinnojour", "barnahus", "våldsutsatt"),
    "forsorjningsstod": ("försörjningsstöd", "ekonomiskt bistånd", "hushåll", "långvarigt",
                         "etableringsenhet", "självförsörj"),
}
_CHANGE_WORDS = re.compile(
    r"\b(?:ökat|ökade|ökar|ökning\w*|minskat|minskade|minskar|minskning\w*|fördubbl\w*|"
    r"halver\w*|högre|lägre|fler|färre)\b", re.IGNORECASE)
_STRONG_WORDS = re.compile(
    r"\b(?:kraftig\w*|markant\w*|betydande|betydligt|tydlig\w*|rekord\w*|stor\w*|allvarlig\w*|"
    r"fortsatt|ansträngd\w*|utmaning\w*|brist\w*)\b", re.IGNORECASE)
KWIC_COLUMNS = ("left", "match", "right", "source", "source_file", "line", "doc_id", "section",
                "score")


def _term_regex(terms: tuple[str, ...]) -> re.Pattern[str]:
    from lib.text.themes import compile_pattern

    return re.compile("|".join(f"(?:{compile_pattern(t, prefix=True).pattern})" for t in terms))


def _passage_start(line: str, passage: str) -> int:
    """Where in ``line`` (folded) the passage (folded) begins; 0 if not found."""
    flat = " ".join(passage.split())
    for i in range(len(line)):
        if i and line[i - 1].isalnum():
            continue
        rest = " ".join(line[i:].split())
        if rest and (flat.startswith(rest) or rest.startswith(flat)):
            return i
    return 0


def _match_line(doc_id: str, start: int, end: int, text: str, s: int, e: int) -> int:
    """The raw line in [start, end] holding ``text[s:e]`` of a passage spanning those lines.

    The match is the k-th occurrence of its word in the passage; the lines are walked in
    order counting occurrences (the first line from where the passage starts). A word
    broken across lines (hyphenation) falls back to the line holding its first half.
    """
    from lib.text.themes import fold

    lines = processed.analysis_lines(doc_id)
    folded = fold(text)
    word = folded[s:e]
    k = folded[:s].count(word)
    for n in range(start, end + 1):
        lt = fold(lines[n - 1])
        if n == start:
            lt = lt[_passage_start(lt, folded):]
        c = lt.count(word)
        if k < c:
            return n
        k -= c
    head = word[: max(3, len(word) // 2)]
    for n in range(start, end + 1):
        if fold(lines[n - 1]).rstrip("-\u00ad ").endswith(head):
            return n
    return start


def _passages(theme: str, year: int, district: str) -> pd.DataFrame:
    docs = processed.load("documents")
    pas = processed.load("passages")
    # The OCR twin of a clean report would repeat every sentence: keep the clean one.
    twins = docs[(docs.text_quality == "ocr") & docs.same_report_as.notna()].doc_id
    docs = docs[(docs.year == year) & ~docs.doc_id.isin(twins)]
    pas = pas.merge(docs[["doc_id", "part_id", "district", "file"]], on=["doc_id", "part_id"])
    pas = pas[pas.themes.str.split(";").map(lambda ts: theme in ts)
              & pas.kind.isin(["sentence", "list_item"])]
    if district != city():
        named = pas.text.str.contains(rf"\b{district}\b", regex=True)
        pas = pas[(pas.district == district) | named]
    return pas


def statements(theme: str, year: int, district: str | None = None, n: int = 8,
               width: int = 70) -> pd.DataFrame:
    """The strongest statements of the year on a theme, as keyword-in-context rows.

    Candidates are sentences and list items tagged with the theme in the year's reports
    (the district's own reports and sentences naming the district, for a district). A
    sentence scores 2 for a number, 2 for a word of change (ökat, minskat, fler, …) and 1
    for a word of strength (kraftig, markant, ansträngd, …); the ``n`` best are kept (ties
    in document order; repeated sentences once). The keyword is the first theme term
    (:data:`THEME_TERMS`) in the sentence; ``line`` is the raw line holding it.
    """
    from lib.text.themes import fold

    regex = _term_regex(THEME_TERMS[check_theme(theme)])
    pas = _passages(theme, year, _area(district)).drop_duplicates("text")
    rows = []
    for p in pas.itertuples():
        m = regex.search(fold(p.text))
        if m is None:
            continue
        score = (2 * bool(re.search(r"\d", p.text)) + 2 * bool(_CHANGE_WORDS.search(p.text))
                 + bool(_STRONG_WORDS.search(p.text)))
        s, e = m.span()
        word_end = e + len(re.match(r"\w*", p.text[e:]).group())
        line = _match_line(p.doc_id, p.line_start, p.line_end, p.text, s, word_end)
        rows.append({"left": ("…" if s > width else "") + p.text[max(0, s - width):s],
                     "match": p.text[s:word_end],
                     "right": p.text[word_end:word_end + width]
                     + ("…" if len(p.text) > word_end + width else ""),
                     "source": formats.source(p.file, line), "source_file": p.file, "line": line,
                     "doc_id": p.doc_id, "section": p.section, "score": score,
                     "_order": (p.doc_id, p.line_start)})
    out = pd.DataFrame(rows, columns=[*KWIC_COLUMNS, "_order"])
    if out.empty:
        return out.drop(columns="_order")
    out = out.assign(_neg=-out.score).sort_values(["_neg", "_order"], kind="stable").head(n)
    return out.drop(columns=["_neg", "_order"]).reset_index(drop=True)


def kwic(term: str, theme: str | None = None, doc_id: str | None = None,
         width: int = 60, passages: pd.DataFrame | None = None) -> pd.DataFrame:
    """Keyword in context over the processed passages (fast; same matching as lib.text.themes.kwic).

    ``term`` matches at a word start and runs on to the end of the word, case- and
    diacritic-insensitively; ``theme`` restricts to passages tagged with the theme;
    ``passages`` (rows of the passages table) replaces the whole table.
    Columns: term, left, match, right, doc_id, part_id, line, section, passage_id.
    """
    from lib.text.themes import compile_pattern, fold

    regex = compile_pattern(term, prefix=True)
    pas = processed.load("passages") if passages is None else passages
    if doc_id is not None:
        pas = pas[pas.doc_id == doc_id]
    if theme is not None:
        pas = pas[pas.themes.str.split(";").map(lambda ts: check_theme(theme) in ts)]
    rows = []
    for p in pas.itertuples():
        for m in regex.finditer(fold(p.text)):
            s, e = m.span()
            rows.append({"term": term, "left": p.text[max(0, s - width):s],
                         "match": p.text[s:e], "right": p.text[e:e + width],
                         "doc_id": p.doc_id, "part_id": p.part_id,
                         "line": _match_line(p.doc_id, p.line_start, p.line_end, p.text, s, e),
                         "section": p.section, "passage_id": p.passage_id})
    return pd.DataFrame(rows, columns=["term", "left", "match", "right", "doc_id", "part_id",
                                       "line", "section", "passage_id"])


# ----------------------------------------------------------------------------- data quality


DISCREPANCY_COLUMNS = ("kind", "indicator", "label", "period", "geography", "value_a", "source_a",
                       "value_b", "source_b", "note")
DISCREPANCY_KINDS: dict[str, str] = {
    "restatement_differs": "Samma uppgift med olika värden",
    "change_differs_from_levels": "Angiven förändring stämmer inte med nivåerna",
    "parts_do_not_sum": "Delarna summerar inte till totalen",
    "twin_differs": "OCR-versionen avviker från den rena versionen",
}


def discrepancies(theme: str, year: int, district: str | None = None) -> pd.DataFrame:
    """Recorded inconsistencies of the theme whose period ends in ``year`` or the year after.

    (A change 2023/2024 concerns 2023 values too.) District rule as in :func:`select`.
    """
    d = processed.load("discrepancies")
    d = d[d.theme == check_theme(theme)]
    years = d.period.map(period_year)
    d = d[(years == year) | ((years == year + 1) & (d.period.map(period_kind) == "change"))]
    d = in_district(d, district)
    files = processed.load("documents").drop_duplicates("doc_id").set_index("doc_id").file
    labels = processed.load("indicators").set_index("id").label
    d = d.assign(
        label=d.indicator.map(labels),
        kind=d.kind.map(lambda k: DISCREPANCY_KINDS.get(k, k)),
        source_a=[formats.source(files[x], ln) for x, ln in zip(d.doc_id_a, d.line_a, strict=True)],
        source_b=[formats.source(files[x], ln) for x, ln in zip(d.doc_id_b, d.line_b, strict=True)])
    return d[list(DISCREPANCY_COLUMNS)].reset_index(drop=True)


OCR_COLUMNS = ("label", "geography", "period", "value", "source", "ocr_source", "repairs")


def ocr_figures(sel: pd.DataFrame) -> pd.DataFrame:
    """Selected figures read from OCR-damaged text, with the repairs made on their line.

    A figure counts when its source document is OCR'd or when it was checked against the
    OCR twin (``ocr_line``). ``repairs`` lists the OCR repair's changes (before→after) on the
    source line, empty if the line needed none.
    """
    docs = processed.load("documents").drop_duplicates("doc_id").set_index("doc_id")
    changes = processed.load("ocr_changes")
    by_line: dict[tuple[str, int], list[str]] = {}
    for d, ln, b, a in zip(changes.doc_id, changes.line, changes.before, changes.after,
                           strict=True):
        by_line.setdefault((d, int(ln)), []).append(f"{b}→{a}")
    ocr_docs = set(docs.index[docs.text_quality == "ocr"])
    rows = []
    for r in sel[sel.role == "current"].itertuples():
        if r.doc_id in ocr_docs:
            doc, line = r.doc_id, r.line
        elif pd.notna(r.ocr_doc_id):
            doc, line = r.ocr_doc_id, r.ocr_line
        else:
            continue
        rows.append({"label": r.label, "geography": r.geography, "period": r.period,
                     "value": r.value, "source": r.source,
                     "ocr_source": formats.source(docs.file[doc], line),
                     "repairs": "; ".join(by_line.get((doc, int(line)), []))})
    return pd.DataFrame(rows, columns=list(OCR_COLUMNS))


# ----------------------------------------------------------------------------- overview


def documents_overview() -> pd.DataFrame:
    """Documents and parts: title, district, type, period, year, text quality, lines."""
    d = processed.load("documents")
    cols = ["doc_id", "part_id", "part_title", "district", "report_type", "period_start",
            "period_end", "year", "text_quality", "line_start", "line_end", "n_lines"]
    return d[cols].reset_index(drop=True)


def _span(years_: tuple[int, ...]) -> str:
    return str(years_[0]) if len(years_) == 1 else f"{years_[0]}–{years_[-1]}"


def corpus_summary() -> str:
    """One Swedish sentence on what the data holds: documents, parts, report years, figures."""
    docs = processed.load("documents")
    obs = observations()
    n_docs, n_parts = docs.doc_id.nunique(), len(docs)
    parts = f" ({n_parts} delar)" if n_parts != n_docs else ""
    return (f"Underlaget är {n_docs} dokument{parts} från åren {_span(report_years())}, med "
            f"{formats.number(len(obs))} uppgifter om teman för åren {_span(years())}.")


def documents_view(docs: pd.DataFrame, year: int) -> pd.DataFrame:
    """The documents overview for display: fewer, merged columns (Swedish headers)."""
    quality = {"clean": "ren", "ocr": "OCR-läst"}
    return pd.DataFrame({
        "Del": docs.part_id.to_numpy(),
        "Titel": docs.part_title.to_numpy(),
        "Område": docs.district.to_numpy(),
        "Typ": docs.report_type.to_numpy(),
        "Period": [formats.period(f"{str(a)[:7]}/{str(b)[:7]}")
                   for a, b in zip(docs.period_start, docs.period_end, strict=True)],
        "Text": docs.text_quality.map(lambda q: quality.get(q, q)).to_numpy(),
        "Textrader": [f"{a}–{b}" for a, b in zip(docs.line_start, docs.line_end, strict=True)],
        f"År {year}": ["ja" if y == year else "" for y in docs.year],
    })


def text_quality() -> pd.DataFrame:
    """OCR repair per OCR'd document: words, changes, lines changed and, where the report
    has a clean twin, the word overlap with it before and after repair (order ignored)."""
    from collections import Counter

    docs = processed.load("documents")
    changes = processed.load("ocr_changes")
    rows = []
    for d in docs[docs.text_quality == "ocr"].drop_duplicates("doc_id").itertuples():
        raw = _raw_lines(d.file)
        fixed = processed.analysis_lines(d.doc_id)
        ch = changes[changes.doc_id == d.doc_id]
        n_words = sum(len(x.split()) for x in raw)
        row = {"doc_id": d.doc_id, "file": d.file, "words": n_words, "changes": len(ch),
               "changed_pct": round(100 * len(ch) / n_words, 2),
               "lines_changed": ch.line.nunique(), "lines": len(raw),
               "overlap_before": math.nan, "overlap_after": math.nan}
        if pd.notna(d.same_report_as):
            twin_doc, twin_part = d.same_report_as.split("/")
            t = docs[(docs.doc_id == twin_doc) & (docs.part_id == twin_part)].iloc[0]
            ref = Counter(_words(processed.analysis_lines(twin_doc)[t.line_start - 1:t.line_end]))
            total = sum(ref.values())
            for key, lines in (("overlap_before", raw), ("overlap_after", fixed)):
                got = Counter(_words(lines))
                row[key] = round(100 * sum((got & ref).values()) / total, 1)
        rows.append(row)
    return pd.DataFrame(rows)


def _raw_lines(file: str) -> list[str]:
    from lib import paths
    from lib.sources import corpus

    path = paths.RAW_DIR / file
    return corpus.split_lines(corpus.decode_text(path.read_bytes(), file))


def _words(lines) -> list[str]:
    strip = "\"'()[]{}.,;:!?*•–—-/”“’‘«»…"
    return [w.strip(strip) for line in lines for w in line.split() if w.strip(strip)]


def prominence() -> pd.DataFrame:
    """Theme mentions per 1 000 words: rows document parts (short label), columns themes."""
    tp = processed.load("theme_prominence").rename(columns={"part_id": "part"})
    order = list(dict.fromkeys(tp.part))
    m = tp.pivot(index="part", columns="theme_label", values="per_1000_words")
    return m.loc[order, [t for t in theme_labels().values() if t in m.columns]]


def coverage() -> pd.DataFrame:
    """Number of curated figures (restatements excluded) per theme × source × year."""
    obs = observations()
    labels = theme_labels()
    obs = obs.assign(theme_label=obs.theme.map(labels))
    m = obs.pivot_table(index=["theme_label", "doc_id"], columns="year", values="value",
                        aggfunc="size", fill_value=0)
    order = [(t, d) for t in labels.values() for d in sorted(obs.doc_id.unique())
             if (t, d) in m.index]
    return m.loc[order].astype("int64")
