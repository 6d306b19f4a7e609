"""The chart of one indicator is honest (lib.report.indicator_chart), on the real data:
axes from zero, whole-number ticks for counts, parts of years never joined to whole years,
no line across a break, disputed figures marked with the other statement, one colour per
area, and the sources and caveats under the chart."""

from __future__ import annotations

import pandas as pd
import pytest

from lib.report import indicator_chart, series


@pytest.fixture(scope="module")
def pts() -> pd.DataFrame:
    return series.points()


def _of(pts: pd.DataFrame, indicator: str, geography: str | None = None) -> pd.DataFrame:
    rows = pts[pts.indicator == indicator]
    rows = rows if geography is None else rows[rows.geography == geography]
    assert not rows.empty, indicator
    return rows


def _footer(fig) -> str:  # noqa: ANN001
    return "\n".join(t.get_text() for t in fig.texts)


def _joined_lines(fig):  # noqa: ANN001, ANN202
    """Lines through two or more points (not the vertical line that marks a break)."""
    return [ln for ln in fig.axes[0].lines if len(set(ln.get_xdata())) >= 2]


def test_counts_start_at_zero_with_whole_number_ticks(pts):
    # Barnahus, barnärenden 30 -> 30 (Gemensamma 2024): once drawn on 28,8–31,2
    fig = indicator_chart.chart(_of(pts, "vnr_barnahus_stod_barnarenden", "Barnahus"))
    ax = fig.axes[0]
    assert ax.get_ylim()[0] == 0
    ticks = [t for t in ax.get_yticks() if 0 <= t <= ax.get_ylim()[1]]
    assert len(ticks) >= 3 and all(float(t).is_integer() for t in ticks)


def test_amounts_start_at_zero(pts):
    # nödbiståndsboende 25 -> 26 mnkr: once drawn on a 25–26 axis
    rows = _of(pts, "hem_nodbistand_nettokostnad", "Göteborg")
    assert sorted(rows.value) == [25, 26]
    fig = indicator_chart.chart(rows)
    assert fig.axes[0].get_ylim()[0] == 0
    assert fig.axes[0].get_ylabel() == "mnkr"


def test_title_says_what_where_unit_and_period_and_the_footer_the_sources(pts):
    rows = _of(pts, "fs_hushall_stadsomrade", "Centrum")
    fig = indicator_chart.chart(rows)
    assert fig.axes[0].get_title(loc="left") == (
        "Antal hushåll med försörjningsstöd, stadsområdet – Centrum\nhushåll, 2020–2022"
    )
    footer = _footer(fig)
    assert "Källa: Årsrapport 2022, rad 121, 569" in footer
    assert "Förbehåll: Omstridd uppgift, Centrum, 2022" in footer
    # the main series is drawn: 1 791, 1 694, 1 470 joined (all utfall, consecutive years)
    [line] = [ln for ln in _joined_lines(fig) if ln.get_linestyle() == "-"]
    assert list(line.get_ydata()) == [1791, 1694, 1470]


def test_disputed_figure_is_ringed_and_the_other_statement_drawn(pts):
    fig = indicator_chart.chart(_of(pts, "fs_hushall_stadsomrade", "Centrum"))
    ax = fig.axes[0]
    rings = [ln for ln in ax.lines if ln.get_markeredgecolor() == indicator_chart.DISPUTED]
    assert [(ln.get_marker(), list(ln.get_ydata())) for ln in rings] == [
        ("o", [1470]),
        ("x", [1472]),
    ]
    assert "omstridd: också 1\u00a0472" in [t.get_text() for t in ax.texts]
    assert "1\u00a0470 (omstridd)" in fig.get_label()
    # a change shown as a bar: Centrum's +20 % jan–aug 2024 carries the mark and the 4
    bars = indicator_chart.chart(_of(pts, "fs_hushall_stadsomrade_forandring", "Centrum"))
    texts = [t.get_text() for t in bars.axes[0].texts]
    assert "+20 %" in texts and "omstridd: också 4 %" in texts
    assert "jan–aug 2024 20 % (omstridd)" in bars.get_label()


def test_part_of_a_year_is_never_joined_to_whole_years(pts):
    rows = _of(pts, "fs_andel_avslutade_behov_tillgodosett", "Centrum")
    assert {"year", "part"} <= set(rows.kind)
    fig = indicator_chart.chart(rows)
    joined = _joined_lines(fig)
    assert joined  # the whole years are joined ...
    for line in joined:  # ... and only whole years
        assert all(float(x).is_integer() for x in line.get_xdata())


def test_no_line_crosses_a_break(pts):
    rows = _of(pts, "hem_forfragningar_korttidsboende", "Göteborg")
    fig = indicator_chart.chart(rows)
    assert _joined_lines(fig) == []  # 2023 and 2024 are on either side of the break
    assert "serien bryts" in [t.get_text() for t in fig.axes[0].texts]
    # without the break the same two years are joined: the test above can fail
    unbroken = rows.assign(break_from=None, segment=0)
    assert len(_joined_lines(indicator_chart.chart(unbroken))) == 1


def test_one_colour_per_area_on_every_chart(pts):
    colors = indicator_chart.area_colors()
    assert len(set(colors.values())) == len(colors)
    burial = indicator_chart.chart(_of(pts, "fs_begravning_arenden"))
    households = indicator_chart.chart(_of(pts, "fs_hushall_stadsomrade", "Centrum"))
    centrum = colors["Centrum"].lower()

    def used(fig) -> set[str]:  # noqa: ANN001
        from matplotlib.colors import to_hex

        return {to_hex(ln.get_color()) for ln in fig.axes[0].lines} | {
            to_hex(p.get_facecolor()) for p in fig.axes[0].patches
        }

    assert centrum in used(burial) and centrum in used(households)


def test_alt_text_carries_every_value(pts):
    rows = _of(pts, "hem_forfragningar_socialt_boende", "Göteborg")
    alt = indicator_chart.chart(rows).get_label()
    assert alt.startswith("Diagram: Antal placeringsförfrågningar om socialt boende med stöd")
    assert "2023 3\u00a0781" in alt and "2024 4\u00a0080" in alt
    # a long title wraps in the chart, not in the words (it read "… stöd –, Göteborg")
    long = _of(pts, "vnr_spink_forfragningar_skyddat_boende_avhoppare", "Göteborg")
    assert "\n" in indicator_chart.title(long)[: indicator_chart.title(long).rfind("\n")]
    alt = indicator_chart.alt_text(long)
    assert "–," not in alt and " – Göteborg, förfrågningar, 2023–2024." in alt
