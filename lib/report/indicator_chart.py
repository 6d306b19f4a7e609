"""The chart of one indicator over the reports: every point, told apart as it should be read.

Takes the points of one indicator (:func:`lib.report.series.points`, any number of areas)
and draws them as a reader of an Our World in Data chart would expect:

* **an honest axis**: levels, counts and amounts from zero, whole-number ticks for counts;
  changes as bars from zero;
* **what kind of figure**: utfall filled and joined by a solid line, prognos hollow and
  dotted, budget and mål hollow and dashed; a part of a year (jan–aug) or a date is a
  point of its own, labelled, never joined to whole years; a line joins only consecutive
  years, so a gap is a gap;
* **breaks**: where the catalog marks a break in the series, no line crosses it and a
  dotted vertical line says where it falls;
* **disputed figures** are circled in red, and the other statement of the same figure is
  drawn too (a red cross, labelled), so neither is shown as plain fact;
* **one colour per area** on every chart (:func:`area_colors`, colour-blind safe);
* a **title** saying what, where, unit and period, and under the chart the **sources**
  (report and line of every point) and the **caveats** that apply.
"""

from __future__ import annotations

import textwrap
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, MaxNLocator

from lib.core import formats
from lib.report import plots, processed, series

# Okabe–Ito: distinguishable with the common colour-vision deficiencies, printable in grey.
OKABE_ITO = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#D55E00", "#0072B2", "#CC79A7")
SERVICE_COLORS = ("#0072B2", "#CC79A7", "#7F7F7F", "#B07AA1", "#9C755F")
STYLE: dict[str, tuple[Any, str, bool]] = {  # basis -> (line style, marker, filled)
    "utfall": ("-", "o", True),
    "prognos": (":", "o", False),
    "budget": ("--", "s", False),
    "mal": ("--", "D", False),
}
DISPUTED = "#C0392B"
WIDTH = plots.MAX_WIDTH
_COUNTS = ("count", "other", "volume")


def area_colors() -> dict[str, str]:
    """The colour of each area (the city, then its districts, as the manifest lists them)."""
    areas = processed.areas()
    return {a: OKABE_ITO[i % len(OKABE_ITO)] for i, a in enumerate(areas)}


def colors_for(geographies: list[str]) -> dict[str, str]:
    """Colours for the geographies of a chart: each area its own, services the next free."""
    fixed = area_colors()
    out: dict[str, str] = {}
    k = 0
    for g in geographies:
        if g in fixed:
            out[g] = fixed[g]
        else:
            out[g] = SERVICE_COLORS[k % len(SERVICE_COLORS)]
            k += 1
    return out


def where(geographies: list[str]) -> str:
    """The Swedish name of what a chart covers: one area or service, the districts, or a list."""
    geos = list(dict.fromkeys(geographies))
    districts = set(processed.areas()) - {processed.city()}
    if len(geos) == 1:
        return geos[0]
    if set(geos) <= districts:
        return "stadsområdena"
    if len(geos) <= 3:
        return ", ".join(geos[:-1]) + " och " + geos[-1]
    return "flera områden och verksamheter"


def title(pts: pd.DataFrame, place: str | None = None) -> str:
    """``label – where`` on the first line; unit and years on the second."""
    place = place or where(list(pts.geography))
    unit = pts.unit.iloc[0]
    label = pts.label.iloc[0]
    what = label if place.lower() in label.lower() else f"{label} – {place}"
    head = textwrap.fill(what, 72, break_long_words=False)
    return f"{head}\n{unit}, {series.year_span(pts.year)}"


def chart(pts: pd.DataFrame, place: str | None = None) -> Figure | None:
    """The chart of one indicator's points (module docstring); None when there are none."""
    if pts.empty:
        return None
    if pts.indicator.nunique() != 1:
        raise ValueError("chart: give the points of one indicator")
    pts = pts.sort_values(["geography", "basis", "x"], kind="stable")
    sources = _sources_text(pts)
    notes = series.caveats(pts)
    footer = _wrapped([f"Källa: {sources}"] + [f"Förbehåll: {n}" for n in notes])
    n_footer = footer.count("\n") + 1
    colors = colors_for(sorted(pts.geography.unique(), key=_geo_order))
    fig = plots._figure(WIDTH, 3.4 + 0.17 * n_footer)
    ax = fig.subplots()
    bottom = 0.65 + 0.17 * n_footer
    head = title(pts, place)
    top = 0.3 + 0.22 * (head.count("\n") + 1)
    fig.set_size_inches(WIDTH, 3.0 + top + 0.17 * n_footer)
    plots._margins(fig, left=1.1, right=2.1, top=top, bottom=bottom)
    if pts.value_type.iloc[0].startswith("change"):
        _change_axes(ax, pts, _bars(ax, pts, colors))
    else:
        _lines(ax, pts, colors)
        _breaks(ax, pts)
        _axes(ax, pts)
    _legend(ax, pts, colors)
    ax.set_title(head, loc="left", fontsize="medium")
    fig.text(0.01, 0.02, footer, fontsize="x-small", va="bottom", ha="left", wrap=False)
    fig.set_label(alt_text(pts, place))
    return fig


def _geo_order(g: str) -> tuple[int, str]:
    areas = processed.areas()
    return (areas.index(g), g) if g in areas else (len(areas), g)


def _wrapped(lines: list[str], width: int = 125) -> str:
    return "\n".join(
        "\n".join(textwrap.wrap(line, width, break_long_words=False, subsequent_indent="  "))
        for line in lines
    )


def _sources_text(pts: pd.DataFrame) -> str:
    """``Gemensamma 2024, rad 1109, 1115; Årsrapport 2022, rad 121``: every point's source."""
    refs = list(dict.fromkeys(s for text in pts.sources for s in text.split("; ")))
    by_report: dict[str, set[int]] = {}
    for ref in refs:
        report, _, line = ref.rpartition(", rad")
        by_report.setdefault(report, set()).add(int(line.strip()))
    return "; ".join(f"{r}, rad {', '.join(map(str, sorted(ls)))}" for r, ls in by_report.items())


def _value_text(value: float, qualifier: object, unit: str) -> str:
    text = formats.qualified(value, qualifier)
    return f"{text} %" if unit == "procent" else text


def _lines(ax: Axes, pts: pd.DataFrame, colors: dict[str, str]) -> None:
    unit = pts.unit.iloc[0]
    for (geo, basis), d in pts.groupby(["geography", "basis"], sort=False):
        style, marker, filled = STYLE.get(basis, STYLE["utfall"])
        color = colors[geo]
        years = d[d.kind == "year"]
        for run in _runs(years):
            ax.plot(run.x, run.value, linestyle=style, color=color, linewidth=1.6, zorder=2)
        last_below = -99.0  # x of the last label set below a point (parts of years)
        for r in d.itertuples():
            face = color if filled else "white"
            ax.plot(
                [r.x],
                [r.value],
                marker=marker,
                markersize=7,
                color=color,
                markerfacecolor=face,
                markeredgecolor=color,
                linestyle="none",
                zorder=3,
            )
            label = _value_text(r.value, r.qualifier, unit)
            if r.kind != "year":
                label += f"\n{formats.period(r.period, nobreak=False)}"
            # whole-year outcomes labelled above, parts of years below, other bases right
            side = 0 if basis == "utfall" else 1
            below = side == 0 and r.kind != "year"
            dx = 10 * side
            if below and r.x - last_below < 0.4:  # two parts of one year: the second aside
                dx, side = 8, 1
            if below:
                last_below = r.x
            ax.annotate(
                label,
                (r.x, r.value),
                xytext=(dx, -9 if below else 7 - 10 * side),
                textcoords="offset points",
                ha="left" if side else "center",
                va="top" if below else "bottom",
                fontsize="x-small",
                color=color,
            )
            if r.disputed:
                _mark_disputed(ax, r.x, r.value, r.other_value, r.other_qualifier, unit)


def _runs(points: pd.DataFrame) -> list[pd.DataFrame]:
    """Stretches of consecutive whole years in one segment (a gap or a break ends a run)."""
    runs: list[pd.DataFrame] = []
    rows = points.sort_values("x")
    start = 0
    idx = list(range(len(rows)))
    for i in idx[1:]:
        prev, cur = rows.iloc[i - 1], rows.iloc[i]
        if cur.year - prev.year != 1 or cur.segment != prev.segment:
            runs.append(rows.iloc[start:i])
            start = i
    runs.append(rows.iloc[start:])
    return [r for r in runs if len(r) >= 2]


def _bars(ax: Axes, pts: pd.DataFrame, colors: dict[str, str]) -> list[str]:
    """Changes as bars from zero, one slot per period (in time order), one bar per area and
    basis; returns the slots' labels."""
    periods = list(pts.sort_values("x").drop_duplicates("period").period)
    slot = {p: i for i, p in enumerate(periods)}
    keys = list(pts[["geography", "basis"]].drop_duplicates().itertuples(index=False, name=None))
    width = 0.8 / max(1, len(keys))
    unit = pts.unit.iloc[0]
    for k, (geo, basis) in enumerate(keys):
        d = pts[(pts.geography == geo) & (pts.basis == basis)]
        _, _, filled = STYLE.get(basis, STYLE["utfall"])
        offset = (k - (len(keys) - 1) / 2) * width
        for r in d.itertuples():
            x = slot[r.period] + offset
            ax.bar(
                x,
                r.value,
                width=width * 0.9,
                color=colors[geo] if filled else "white",
                edgecolor=colors[geo],
                linewidth=1.4,
                hatch=None if filled else "//",
                zorder=2,
            )
            label = formats.qualified(r.value, r.qualifier, sign=True)
            label += " %" if unit == "procent" else ""
            va, dy = ("bottom", 3) if r.value >= 0 else ("top", -3)
            ax.annotate(
                label,
                (x, r.value),
                xytext=(0, dy),
                textcoords="offset points",
                ha="center",
                va=va,
                fontsize="x-small",
            )
            if r.disputed:
                _mark_disputed(ax, x, r.value, r.other_value, r.other_qualifier, unit)
    ax.axhline(0, color="black", linewidth=0.8)
    return [formats.period(p, nobreak=False) for p in periods]


def _mark_disputed(
    ax: Axes, x: float, y: float, other: object, other_qualifier: object, unit: str
) -> None:
    """A red ring round a disputed figure; the other statement as a red cross, labelled."""
    ax.plot(
        [x],
        [y],
        marker="o",
        markersize=15,
        markerfacecolor="none",
        markeredgecolor=DISPUTED,
        markeredgewidth=1.5,
        linestyle="none",
        zorder=4,
    )
    text = "omstridd"
    if isinstance(other, float) and not pd.isna(other):
        ax.plot([x], [other], marker="x", markersize=8, color=DISPUTED, linestyle="none", zorder=4)
        text += f": också {_value_text(other, other_qualifier, unit)}"
    ax.annotate(
        text,
        (x, y),
        xytext=(10, -14),
        textcoords="offset points",
        fontsize="x-small",
        color=DISPUTED,
    )


def _breaks(ax: Axes, pts: pd.DataFrame) -> None:
    brk = pts.break_from.dropna()
    if brk.empty:
        return
    month = series.break_month(str(brk.iloc[0]))
    x = month / 12 - 0.5  # the start of that month on the chart's year axis
    ax.axvline(x, color="#555555", linestyle=(0, (2, 2)), linewidth=1, zorder=1)
    ax.annotate(
        "serien bryts",
        (x, 1),
        xycoords=("data", "axes fraction"),
        xytext=(3, -3),
        textcoords="offset points",
        fontsize="x-small",
        va="top",
        color="#555555",
    )


def _axes(ax: Axes, pts: pd.DataFrame) -> None:
    if (pts.kind == "part").all() and pts.year.nunique() == 1:  # months of one year
        ticks = pts.drop_duplicates("x").sort_values("x")
        ax.set_xlim(ticks.x.min() - 0.08, ticks.x.max() + 0.08)
        ax.xaxis.set_major_locator(FixedLocator(list(ticks.x)))
        ax.set_xticklabels([formats.period(p, nobreak=False) for p in ticks.period])
        _y_axis(ax, pts)
        return
    years = range(int(pts.year.min()), int(pts.year.max()) + 1)
    lo_x = min(pts.x.min(), years[0]) - 0.6
    hi_x = max(pts.x.max(), years[-1]) + 0.6
    ax.set_xlim(lo_x, hi_x)
    ax.xaxis.set_major_locator(FixedLocator(list(years)))
    ax.set_xticklabels([str(y) for y in years])
    _y_axis(ax, pts)


def _y_axis(ax: Axes, pts: pd.DataFrame) -> None:
    """From zero (counts, amounts, levels and shares), whole-number ticks for counts."""
    ax.set_xlabel("")
    ax.set_ylabel(pts.unit.iloc[0])
    ax.yaxis.set_major_formatter(plots._NUMBER)
    values = pd.concat([pts.value, pts.other_value.dropna().astype(float)])
    ax.set_ylim(0, values.max() * 1.25 or 1)
    integer = pts.statistic.iloc[0] in _COUNTS and (values % 1 == 0).all()
    ax.yaxis.set_major_locator(MaxNLocator(5, integer=integer))


def _change_axes(ax: Axes, pts: pd.DataFrame, slots: list[str]) -> None:
    """A slot per period on x; y through zero with room for the labels."""
    values = pd.concat([pts.value, pts.other_value.dropna().astype(float)])
    lo, hi = min(0.0, values.min()), max(0.0, values.max())
    pad = 0.3 * (hi - lo or 1)
    ax.set_ylim(lo - (pad if lo < 0 else 0), hi + (pad if hi > 0 else 0))
    ax.set_xlim(-0.6, len(slots) - 0.4)
    ax.xaxis.set_major_locator(FixedLocator(list(range(len(slots)))))
    ax.set_xticklabels(slots)
    ax.set_xlabel("")
    ax.set_ylabel(pts.unit.iloc[0])
    ax.yaxis.set_major_formatter(plots._NUMBER)
    ax.yaxis.set_major_locator(MaxNLocator(5))


def _legend(ax: Axes, pts: pd.DataFrame, colors: dict[str, str]) -> None:
    handles: list[Line2D | Patch] = [
        Line2D(
            [],
            [],
            color=colors[g],
            marker="s",
            linestyle="none",
            markersize=8,
            label=textwrap.fill(g, 20),
        )
        for g in colors
    ]
    bars = pts.value_type.iloc[0].startswith("change")
    for basis in series.BASES:
        if basis in set(pts.basis):
            style, marker, filled = STYLE[basis]
            if bars:  # a bar filled for an outcome, hatched for the other bases
                handles.append(
                    Patch(
                        facecolor="#333333" if filled else "white",
                        edgecolor="#333333",
                        hatch=None if filled else "//",
                        label=series.BASIS_NAMES[basis],
                    )
                )
                continue
            handles.append(
                Line2D(
                    [],
                    [],
                    color="#333333",
                    linestyle=style,
                    marker=marker,
                    markerfacecolor="#333333" if filled else "white",
                    label=series.BASIS_NAMES[basis],
                )
            )
    if pts.disputed.any():
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                markersize=10,
                markerfacecolor="none",
                markeredgecolor=DISPUTED,
                linestyle="none",
                label="omstridd",
            )
        )
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
        fontsize="small",
    )


def alt_text(pts: pd.DataFrame, place: str | None = None) -> str:
    """The chart in words, every point with its value: what a screen reader reads and what
    the notebook tests compare."""
    # the title's first line may be wrapped ("… avhopparverksamhet –\nGöteborg"): its
    # lines join with a space, the unit and years follow after a comma
    what, _, unit_years = title(pts, place).rpartition("\n")
    head = f"{' '.join(what.split())}, {unit_years}"
    parts = []
    for (geo, basis), d in pts.sort_values("x").groupby(["geography", "basis"], sort=False):
        values = ", ".join(
            f"{formats.period(r.period, nobreak=False)} "
            f"{_value_text(r.value, r.qualifier, r.unit)}{' (omstridd)' if r.disputed else ''}"
            for r in d.itertuples()
        )
        parts.append(f"{geo}, {series.BASIS_NAMES.get(basis, basis)}: {values}")
    return f"Diagram: {head}. " + "; ".join(parts) + "."
