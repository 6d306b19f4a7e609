"""Statistical tests for the theme notebooks: whether a change in a count is larger than
chance, and chi-square tests of distributions declared in data/curated.

Each returns :class:`TestResult` (tidy via :func:`results_frame`) with a Swedish
interpretation sentence and the caveats that belong beside it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import pandas as pd

from lib import paths
from lib.core import formats
from lib.errors import DataError
from lib.report.selection import area, city, is_bound, observations
from lib.text.themes import check_theme

COUNT_UNITS = (
    "personer",
    "hushåll",
    "ärenden",
    "beslut",
    "förfrågningar",
    "placeringar",
    "besök",
    "samtal",
    "anmälningar",
    "utredningar",
    "barn",
    "kvinnor",
    "män",
    "antal",
)


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
        return (
            f"är större än vad slumpen normalt ger om den underliggande nivån vore "
            f"oförändrad ({_p(p)})"
        )
    return f"ryms inom slumpvariationen ({_p(p)}); den kan inte skiljas från en oförändrad nivå"


def count_change_test(
    before: float, after: float, label: str, unit: str = "", periods: tuple[str, str] = ("", "")
) -> TestResult:
    """Is the change in a count between two equal periods larger than chance?

    Exact conditional test for two Poisson counts: under equal rates the later count given
    the total is Binomial(total, 1/2) (scipy.stats.binomtest, two-sided).
    """
    from scipy import stats

    if before < 0 or after < 0 or not float(before).is_integer() or not float(after).is_integer():
        raise DataError(
            f"count_change_test: {label}: counts must be whole numbers ≥ 0 (got {before}, {after})."
        )
    k, n = int(after), int(before) + int(after)
    if n == 0:
        raise DataError(f"count_change_test: {label}: both counts are zero.")
    res = stats.binomtest(k, n, 0.5)
    pct = 100 * (after - before) / before if before else math.nan
    direction = (
        "ökningen" if after > before else ("minskningen" if after < before else "skillnaden")
    )
    unit_s = f" {unit}" if unit else ""
    p0, p1 = periods
    text = (
        f"{label}: {formats.number(before)}{unit_s}{f' ({p0})' if p0 else ''} → "
        f"{formats.number(after)}{unit_s}{f' ({p1})' if p1 else ''}"
        f"{f', {formats.percent(pct, sign=True)}' if not math.isnan(pct) else ''}. "
        f"{direction.capitalize()} {_p_sentence(res.pvalue)}."
    )
    return TestResult(
        "Exakt binomialtest (två Poisson-antal)",
        f"Har {label.lower()} förändrats mer än slumpen?",
        float(k),
        float(res.pvalue),
        n,
        text,
        COUNT_CAVEATS,
    )


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

    ok = kf[
        (kf.basis == "utfall")
        & (kf.value_type == "level")
        & kf.unit.isin(COUNT_UNITS)
        & kf.prior_value.notna()
        & (kf.prior_value > 0)
        & ~kf.qualifier.map(is_bound)
        & ~kf.prior_qualifier.map(is_bound)
    ]
    results = []
    for r in ok.itertuples():
        res = count_change_test(
            r.prior_value,
            r.value,
            _with_place(r.label, r.geography),
            r.unit,
            (r.prior_period, r.period),
        )
        if "≈" in (r.qualifier, r.prior_qualifier):
            res = replace(res, caveats=f"{res.caveats} {APPROX_CAVEAT}")
        results.append(res)
    out = results_frame(results)
    out.insert(0, "source", list(ok.source))
    out.insert(0, "indicator", list(ok.indicator))
    out["p_adjusted"] = (
        stats.false_discovery_control(out.p_value.to_numpy())
        if len(out)
        else pd.Series(dtype="float64")
    )
    return out


def chi_square_test(
    table: pd.DataFrame, question: str, caveats: str = "", share_of: str | None = None
) -> TestResult:
    """Chi-square test of a contingency table (rows × columns) or, for one row, of equal shares.

    ``table`` holds counts, its index and columns the Swedish category names; ``share_of``
    names the first column in the interpretation ("Andel {share_of}: …").
    """
    from scipy import stats

    values = table.to_numpy(dtype="float64")
    n = int(values.sum())
    if values.shape[0] == 1:
        res = stats.chisquare(values[0])
        stat, p, dof, kind = (
            float(res.statistic),
            float(res.pvalue),
            values.shape[1] - 1,
            "Chi-två-test av lika fördelning",
        )
        shares = ", ".join(
            f"{c} {formats.percent(100 * v / n)}"
            for c, v in zip(table.columns, values[0], strict=True)
        )
        finding = f"Fördelning: {shares}."
    else:
        res = stats.chi2_contingency(values, correction=values.shape == (2, 2))
        stat, p, dof, kind = (
            float(res.statistic),
            float(res.pvalue),
            int(res.dof),
            "Chi-två-test av oberoende",
        )
        col = table.columns[0]
        shares = ", ".join(
            f"{idx} {formats.percent(100 * row[col] / row.sum())}" for idx, row in table.iterrows()
        )
        finding = f"Andel {share_of or col}: {shares}."
    verdict = (
        "Skillnaden i fördelning är större än vad slumpen normalt ger"
        if p < 0.05
        else "Skillnaden i fördelning ryms inom slumpvariationen"
    )
    text = (
        f"{finding} {verdict} (χ² = {formats.number(stat, 2)}, {dof} frihetsgrad"
        f"{'er' if dof != 1 else ''}, {_p(p)}, n = {formats.number(n)})."
    )
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
        raise DataError(
            f"{where}: each test must be a mapping (theme, year, question, rows, "
            "columns, cells, caveats)."
        )
    missing = [
        k
        for k in ("theme", "year", "question", "rows", "columns", "cells", "caveats")
        if not entry.get(k)
    ]
    if missing:
        raise DataError(f"{where}: missing {', '.join(missing)}; fill them in.")
    try:
        cells = tuple(
            tuple((c["indicator"], c["geography"], str(c["period"])) for c in row)
            for row in entry["cells"]
        )
    except (KeyError, TypeError):
        raise DataError(f"{where}: each cell needs indicator, geography and period.") from None
    if len(cells) != len(entry["rows"]) or any(len(r) != len(entry["columns"]) for r in cells):
        raise DataError(
            f"{where}: cells must have one row per row name and one cell per column name."
        )
    return ChiSpec(
        check_theme(entry["theme"]),
        int(entry["year"]),
        str(entry["question"]),
        tuple(entry["rows"]),
        tuple(entry["columns"]),
        cells,
        str(entry["caveats"]),
        entry.get("share_of"),
    )


@cache
def chi_specs(path: Path = DISTRIBUTION_TESTS) -> tuple[ChiSpec, ...]:
    """The chi-square tests declared in data/curated/distribution_tests.yml."""
    from lib.core.yamlio import load_yaml

    data = load_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("tests"), list):
        raise DataError(f"{path}: expected a top-level 'tests:' list.")
    return tuple(
        _chi_spec(e, f"{path.name} test {i}") for i, e in enumerate(data["tests"], start=1)
    )


def distribution_tests(theme: str, year: int, district: str | None = None) -> list[TestResult]:
    """The chi-square tests of :func:`chi_specs` that apply to the selection.

    A test whose cells include a bound (``färre än 5``) is left out: a bound is not a
    count. Approximate counts (ca) are used, with a caveat saying so.
    """
    district = area(district)
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
                hit = obs[
                    (obs.indicator == ind)
                    & (obs.geography == geo)
                    & (obs.period == per)
                    & (obs.basis == "utfall")
                ]
                if hit.empty:
                    raise DataError(
                        f"{DISTRIBUTION_TESTS.name}: no observation {ind} / {geo} / "
                        f"{per}; correct the test or the curated observations."
                    )
                vals.append(float(hit.value.iloc[0]))
                qualifiers.add(hit.qualifier.iloc[0] if pd.notna(hit.qualifier.iloc[0]) else None)
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
