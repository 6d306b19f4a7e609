"""The reports compared with each other: what they cover, where they state the same
figure, how forecasts held, and where they disagree (the notebook ``50_jamforelse``).

Everything here reads :func:`lib.report.series.points`, so a figure stated in several
reports is one point with all its sources:

* :func:`coverage` — for each headline indicator (``data/curated/headlines.yml``) and
  year, which reports state it and for how many areas;
* :func:`restated` — points stated in more than one report (file);
* :func:`part_and_whole` — an indicator given for part of a year (a delårsrapport's
  jan–aug) beside the same indicator for a whole year in the same or another report;
* :func:`forecasts` — each prognos beside the utfall of the same figure, where a report
  states one;
* :func:`disagreements` — disputed points with both statements and their sources.
"""

from __future__ import annotations

import textwrap

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from lib.core import formats
from lib.report import fmt, plots, processed, series

_REPORT_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000")
COVERAGE_COLUMNS = ("theme", "rank", "indicator", "label", "year", "reports", "areas")


def _files(refs: str) -> list[str]:
    """The report files of a point's ``refs`` (``file#line;…``), each once, in order."""
    return list(dict.fromkeys(r.split("#")[0] for r in refs.split(";") if r))


def report_names(refs: str) -> list[str]:
    """Short names of the reports that state a point (``Gemensamma 2024``, …)."""
    return [fmt.source_label(f) for f in _files(refs)]


def coverage(theme: str | None = None) -> pd.DataFrame:
    """One row per headline indicator and year the reports give it for: the reports
    (short names) and the number of areas (the city, districts, services). Indicators the
    reports give for no year keep one row with ``year`` missing."""
    heads = processed.load("headlines")
    if theme is not None:
        heads = heads[heads.theme == theme]
    pts = series.points()
    labels = processed.load("indicators").set_index("id").label
    rows = []
    for h in heads.sort_values(["theme", "rank"]).to_dict("records"):
        mine = pts[(pts.indicator == h["indicator"]) & (pts.kind != "change")]
        label = labels.get(h["indicator"], "")
        if mine.empty:
            rows.append({**h, "label": label, "year": None, "reports": "", "areas": 0})
            continue
        for year, d in mine.groupby("year"):
            names = [n for refs in d.refs for n in report_names(refs)]
            rows.append(
                {
                    **h,
                    "label": label,
                    "year": int(year),
                    "reports": "; ".join(dict.fromkeys(names)),
                    "areas": d.geography.nunique(),
                }
            )
    frame = pd.DataFrame(rows, columns=[*COVERAGE_COLUMNS, "question"])
    return frame.astype({"year": "Int64", "areas": "int64"})


def report_colors() -> dict[str, str]:
    """One colour per report (short name), the same in every chart, in the order of the
    documents table (by year)."""
    docs = processed.load("documents").sort_values(["year", "doc_id"], kind="stable")
    names = list(dict.fromkeys(docs.short_title))
    return {n: _REPORT_COLORS[i % len(_REPORT_COLORS)] for i, n in enumerate(names)}


def coverage_chart(cov: pd.DataFrame, theme_label: str, years: list[int] | None = None) -> Figure:
    """A grid of the headline indicators of one theme (rows) by year (columns): one dot
    per report that gives the indicator for that year, coloured by report (the legend
    names the reports by their short names)."""
    labels = list(dict.fromkeys(cov.sort_values("rank").label))
    known = cov.dropna(subset=["year"])
    if years is None:
        years = list(range(int(known.year.min()), int(known.year.max()) + 1))
    present = {n for text in known.reports for n in text.split("; ")}
    colors = {n: c for n, c in report_colors().items() if n in present}
    missing = [lab for lab in labels if lab not in set(known.label)]
    foot = "Källa: rapporterna i förklaringen (data/processed: observations, headlines)."
    if missing:
        foot += f" Ges inte för något år: {'; '.join(missing)}."
    footer = textwrap.fill(foot, 125)
    n_footer = footer.count("\n") + 1
    fig = plots._figure(plots.MAX_WIDTH, 1.3 + 0.45 * len(labels) + 0.17 * n_footer)
    plots._margins(fig, left=3.2, right=2.3, top=0.75, bottom=0.5 + 0.17 * n_footer)
    ax = fig.subplots()
    for r in known.to_dict("records"):
        here = r["reports"].split("; ")
        for i, name in enumerate(here):
            dx = (i - (len(here) - 1) / 2) * 0.16
            ax.scatter(r["year"] + dx, labels.index(r["label"]), s=70, color=colors[name], zorder=3)
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels([textwrap.fill(lab, 42) for lab in labels], fontsize=8)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xticks(years)
    ax.set_xticklabels([str(y) for y in years], fontsize=9)
    ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
    ax.grid(axis="both", color="#e3e3e3")
    ax.set_axisbelow(True)
    ax.legend(
        handles=[
            Line2D([], [], marker="o", linestyle="none", color=c, markersize=8, label=n)
            for n, c in colors.items()
        ],
        title="Rapport",
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
        fontsize="small",
        title_fontsize="small",
    )
    ax.set_title(
        f"{theme_label}: huvudindikatorernas år, per rapport",
        loc="left",
        fontsize="medium",
    )
    fig.text(0.01, 0.02, footer, fontsize="x-small", va="bottom", ha="left")
    fig.set_label(coverage_alt_text(cov, theme_label))
    return fig


def coverage_alt_text(cov: pd.DataFrame, theme_label: str) -> str:
    """The coverage chart in words."""
    parts = []
    for label, d in cov.sort_values(["rank", "year"]).groupby("label", sort=False):
        d = d.dropna(subset=["year"])
        years = ", ".join(f"{int(r.year)} ({r.reports})" for r in d.itertuples())
        parts.append(f"{label}: {years or 'inga år'}")
    return f"Diagram: {theme_label}, huvudindikatorernas år. " + "; ".join(parts) + "."


def restated(pts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Points stated in more than one report, with every report's statement."""
    pts = series.points() if pts is None else pts
    many = pts[pts.refs.map(lambda r: len(_files(r)) > 1)]
    return many.assign(reports=many.refs.map(lambda r: "; ".join(report_names(r))))


def part_and_whole(pts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each value for part of a year beside the whole-year values of the same indicator,
    area and year (any basis): how a delårsrapport's figure compares with the year's."""
    pts = series.points() if pts is None else pts
    part = pts[pts.kind == "part"]
    whole = pts[pts.kind == "year"]
    merged = part.merge(whole, on=["indicator", "geography", "year"], suffixes=("_part", "_year"))
    return merged.sort_values(["indicator", "geography", "period_part", "basis_year"])


def forecasts(pts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every prognos, with the utfall of the same indicator, area and period where a
    report gives one (``value_utfall`` missing where none does yet)."""
    pts = series.points() if pts is None else pts
    key = ["indicator", "geography", "period"]
    prog = pts[pts.basis == "prognos"]
    outcome = pts[pts.basis == "utfall"][[*key, "value", "qualifier", "sources", "disputed"]]
    return prog.merge(outcome, on=key, how="left", suffixes=("", "_utfall")).sort_values(
        ["indicator", "geography", "period"]
    )


def disagreements(pts: pd.DataFrame | None = None) -> pd.DataFrame:
    """The disputed points: one statement with its sources, the others in ``dispute``."""
    pts = series.points() if pts is None else pts
    return pts[pts.disputed].sort_values(["indicator", "geography", "x"])


def value_text(value: object, qualifier: object, unit: object, sign: bool = False) -> str:
    """``ca 15 000 dygn``, ``+20 procent``: a value as the report wrote it, with its unit
    (``sign`` for a change)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return fmt.NA
    return f"{formats.qualified(value, qualifier, sign=sign)} {unit}".strip()
