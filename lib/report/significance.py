"""Statistical tests for the theme notebooks: whether a change in a count is larger than
chance, and chi-square tests of distributions declared in data/curated.

Each returns :class:`TestResult` (tidy via :func:`results_frame`) with a Swedish
interpretation sentence and the caveats that belong beside it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from lib import paths
from lib.core import formats
from lib.errors import DataError
from lib.report.selection import area, city, is_bound, observations
from lib.text.themes import check_theme

ADMINISTRATIVE = (
    "Siffrorna är administrativa totaler för hela verksamheten, inte urval: ”slumpen” "
    "betyder här hur mycket ett antal brukar variera från år till år fast förhållandena är "
    "desamma (som i en Poissonprocess), inte osäkerhet från ett urval."
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
    "förfrågningar, besök eller ärenden, vilket ger mer variation än modellen och för snäva "
    "intervall och små p-värden. Ändrade rutiner för registrering mellan åren fångas inte."
)
APPROX_CAVEAT = "Några antal är ungefärliga i rapporten (ca) och används som de står."


def _p(p: float) -> str:
    return f"p {formats.pvalue(p)}" if p < 0.001 else f"p = {formats.pvalue(p)}"


@dataclass(frozen=True)
class RateRatio:
    """The ratio of two counts of equal periods with its exact 95 % confidence interval."""

    ratio: float
    low: float
    high: float
    p_value: float


def rate_ratio(before: float, after: float) -> RateRatio:
    """The rate ratio after/before of two Poisson counts over equal periods, with the exact
    (conditional, Clopper–Pearson) 95 % interval and the two-sided exact p-value for an
    unchanged rate: given the total, the later count is Binomial(total, 1/2)."""
    from scipy import stats

    if before < 0 or after < 0 or not float(before).is_integer() or not float(after).is_integer():
        raise DataError(f"rate_ratio: counts must be whole numbers ≥ 0 (got {before}, {after}).")
    k, n = int(after), int(before) + int(after)
    if n == 0 or before == 0:
        raise DataError("rate_ratio: the earlier count must be above zero.")
    res = stats.binomtest(k, n, 0.5)
    ci = res.proportion_ci(confidence_level=0.95, method="exact")
    low = ci.low / (1 - ci.low)
    high = math.inf if ci.high >= 1 else ci.high / (1 - ci.high)
    return RateRatio(after / before, low, high, float(res.pvalue))


def rate_ratio_text(rr: RateRatio) -> str:
    """``kvot 1,08 (95 % KI 1,03–1,13)``."""
    high = "∞" if math.isinf(rr.high) else formats.number(rr.high, 2)
    return f"kvot {formats.number(rr.ratio, 2)} (95\u00a0% KI {formats.number(rr.low, 2)}–{high})"


def verdict(p_adjusted: float, p_value: float | None = None) -> str:
    """The Swedish wording, decided by the adjusted p-value (not a hard verdict on one
    test); a change that is clear alone (``p_value`` < 0,05) but not after the adjustment
    says so."""
    if p_adjusted < 0.05:
        return "större än den variation mellan åren man kan vänta sig om nivån vore oförändrad"
    if p_value is not None and p_value < 0.05:
        return (
            "tydlig prövad för sig, men inte efter justering för antalet prövningar på sidan; "
            "den räcker inte för att säga att nivån har ändrats"
        )
    return "inom den variation mellan åren man kan vänta sig; den visar inte att nivån har ändrats"


COMPARISON_COLUMNS = (
    "indicator",
    "label",
    "geography",
    "before_period",
    "before",
    "after_period",
    "after",
    "ratio",
    "ci_low",
    "ci_high",
    "p_value",
    "p_adjusted",
    "interpretation",
    "source",
    "caveats",
)
NOT_TESTED_COLUMNS = ("indicator", "label", "geography", "periods", "reason")


def _pairs(pts: pd.DataFrame) -> list[tuple[dict, dict]]:
    """Consecutive comparable periods of each indicator, area and basis: two whole years
    in a row, or the same months of two years in a row."""
    from lib.report.selection import shift_period

    out = []
    keyed = {
        (r["indicator"], r["geography"], r["basis"], r["period"]): r for r in pts.to_dict("records")
    }
    for (ind, geo, basis, period), r in keyed.items():
        if r["kind"] not in ("year", "part"):
            continue
        prev = keyed.get((ind, geo, basis, shift_period(period)))
        if prev is not None:
            out.append((prev, r))
    return out


def _reason(a: dict, b: dict) -> str | None:
    """Why a count test does not fit two figures (one Swedish line), or None if it fits."""
    from lib.curation.catalog import STATISTICS
    from lib.report.series import break_text

    if a["value_type"] != "level" or a["statistic"] != "count":
        what = "en förändring" if a["value_type"] != "level" else STATISTICS[a["statistic"]]
        return f"{what}; antalstestet gäller bara antal händelser eller personer"
    if a["basis"] != "utfall":
        return f"{series_basis(a['basis'])} prövas inte, bara utfall"
    if a["segment"] != b["segment"] or b["crosses_break"]:
        return f"serien bryts från {break_text(str(b['break_from']))}; åren är inte jämförbara"
    if a["disputed"] or b["disputed"]:
        return "omstridd uppgift: rapporterna anger olika värden"
    if is_bound(a["qualifier"]) or is_bound(b["qualifier"]):
        return "en gräns (t.ex. färre än 5) är inget värde att pröva"
    if a["value"] <= 0 or not float(a["value"]).is_integer() or not float(b["value"]).is_integer():
        return "inte heltal större än noll"
    return None


def series_basis(basis: str) -> str:
    return {"mal": "mål"}.get(basis, basis).capitalize()


def count_comparisons(pts: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Count tests of consecutive periods of the points (:mod:`lib.report.series`), and the
    comparisons a count test does not fit, each with its reason.

    A test fits two whole years in a row (or the same months of two years) of an outcome
    that counts events or persons (catalog ``statistic: count``), on the same side of any
    break in the series, neither figure disputed nor a bound. Each gives the rate ratio
    with its exact 95 % interval (:func:`rate_ratio`); the p-values are adjusted for the
    number of tests on the page (Benjamini–Hochberg), and the adjusted p decides the
    wording (:func:`verdict`).
    """
    from scipy import stats

    tested, skipped = [], []
    for a, b in _pairs(pts):
        reason = _reason(a, b)
        periods = (
            f"{formats.period(a['period'], nobreak=False)}–"
            f"{formats.period(b['period'], nobreak=False)}"
        )
        if reason is not None:
            if a["value_type"] == "level":  # changes are not comparisons of two figures
                skipped.append(
                    {
                        "indicator": a["indicator"],
                        "label": a["label"],
                        "geography": a["geography"],
                        "periods": periods,
                        "reason": reason,
                    }
                )
            continue
        rr = rate_ratio(a["value"], b["value"])
        caveats = COUNT_CAVEATS
        if "≈" in (a["qualifier"], b["qualifier"]):
            caveats = f"{caveats} {APPROX_CAVEAT}"
        tested.append(
            {
                "indicator": a["indicator"],
                "label": a["label"],
                "geography": a["geography"],
                "before_period": a["period"],
                "before": a["value"],
                "after_period": b["period"],
                "after": b["value"],
                "ratio": rr.ratio,
                "ci_low": rr.low,
                "ci_high": rr.high,
                "p_value": rr.p_value,
                "source": b["sources"],
                "caveats": caveats,
                "_rr": rr,
            }
        )
    out = pd.DataFrame(tested, columns=[*COMPARISON_COLUMNS, "_rr"])
    out["p_adjusted"] = stats.false_discovery_control(out.p_value.to_numpy()) if len(out) else []
    out["interpretation"] = [_interpretation(r) for r in out.to_dict("records")]
    out = out.drop(columns="_rr").astype({"before": "float64", "after": "float64"})
    skip = pd.DataFrame(skipped, columns=list(NOT_TESTED_COLUMNS)).drop_duplicates()
    return out.reset_index(drop=True), skip.reset_index(drop=True)


def _interpretation(r: dict) -> str:
    place = (
        r["label"]
        if r["geography"].lower() in r["label"].lower()
        else (f"{r['label']} ({r['geography']})")
    )
    change = r["after"] - r["before"]
    word = "ökningen" if change > 0 else ("minskningen" if change < 0 else "skillnaden")
    return (
        f"{place}: {formats.number(r['before'])} ({formats.period(r['before_period'], False)})"
        f" → {formats.number(r['after'])} ({formats.period(r['after_period'], False)}), "
        f"{rate_ratio_text(r['_rr'])}. {word.capitalize()} är "
        f"{verdict(r['p_adjusted'], r['p_value'])} "
        f"(justerat {_p(r['p_adjusted'])})."
    )


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
