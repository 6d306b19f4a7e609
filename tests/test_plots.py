"""Charts: they draw the real data, carry Swedish labels, and save deterministic files."""

from __future__ import annotations

import pandas as pd
import pytest

from lib.report import analysis, overview, plots


@pytest.fixture(scope="module")
def hem_series() -> pd.DataFrame:
    return analysis.series("hemloshet")


def _texts(fig) -> list[str]:
    return [
        t.get_text()
        for ax in fig.axes
        for t in (ax.title, ax.xaxis.label, ax.yaxis.label, *ax.get_yticklabels())
    ]


def test_levels_panels_and_values(hem_series):
    fig = plots.levels(hem_series, 2024)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 4
    first = axes[0]
    assert first.get_title() == "Antal boendedygn vuxna (Centrum)"
    assert list(first.lines[0].get_ydata()) == [113900, 119913, 139801]
    assert "År" in _texts(fig)
    assert fig._suptitle.get_text() == "Utveckling över åren (utfall)"


def test_costs_in_mnkr(hem_series):
    fig = plots.costs(hem_series)
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert "Nettokostnad för socialt boende\nmed stöd" in titles
    ax = fig.axes[titles.index("Nettokostnad för socialt boende\nmed stöd")]
    assert list(ax.lines[0].get_ydata()) == [409, 448]
    assert all(ax.get_ylabel() == "mnkr" for ax in fig.axes if ax.get_visible())


def test_changes_chart_labels_and_bars():
    kf = analysis.key_figures("hemloshet", 2024)
    data = analysis.change_chart_data(kf, analysis.reported_changes("hemloshet", 2024))
    fig = plots.changes(data)
    ax = fig.axes[0]
    widths = sorted(round(p.get_width(), 1) for p in ax.patches if p.get_height() > 0)
    assert 46.0 in widths and -12.0 in widths
    assert ax.get_xlabel() == "Förändring mot föregående år (%)"
    assert "+46,0\u00a0%" in [t.get_text() for t in ax.texts]


def test_district_comparison_highlight():
    df = analysis.district_comparison("forsorjningsstod", 2024)
    fig = plots.district_comparison(df, "Nordost")
    ax = fig.axes[0]
    heights = [p.get_height() for p in ax.patches]
    assert heights == [106, 95, 125, 74]
    colors = [p.get_facecolor() for p in ax.patches]
    assert colors[2] != colors[0]  # Nordost is highlighted


def test_empty_data_gives_none():
    empty = analysis.series("hemloshet", "Hisingen")
    assert plots.levels(empty) is None
    assert plots.district_comparison(analysis.district_comparison("hemloshet", 2022)) is None


def test_overview_heatmaps():
    fig = plots.prominence_heatmap(overview.prominence())
    assert "Omnämnanden per 1 000 ord" in [a.get_ylabel() for a in fig.axes]
    fig = plots.coverage_matrix(overview.coverage())
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "Hemlöshet · gemensamma_verksamheter_2024" in labels


def test_alt_text_and_width(hem_series):
    fig = plots.levels(hem_series, 2024)
    assert plots.alt_text(fig) == (
        "Diagram: Utveckling över åren (utfall). Delar: Antal boendedygn vuxna (Centrum); "
        "Andel Bostad först i egen regi; Antal unika personer med Bostad först; "
        "Antal placeringsförfrågningar om Bostad först."
    )
    kf = analysis.key_figures("hemloshet", 2024)
    changes = plots.changes(
        analysis.change_chart_data(kf, analysis.reported_changes("hemloshet", 2024))
    )
    assert plots.alt_text(changes) == "Diagram: Förändringar under året."
    for f in (fig, changes, plots.coverage_matrix(overview.coverage())):
        assert f.get_figwidth() <= plots.MAX_WIDTH


def test_save_is_deterministic(tmp_path, hem_series):
    a = plots.save(plots.levels(hem_series, 2024), tmp_path / "a", "utveckling")
    b = plots.save(plots.levels(hem_series, 2024), tmp_path / "b", "utveckling")
    assert [p.name for p in a] == ["utveckling.png", "utveckling.svg"]
    for pa, pb in zip(a, b, strict=True):
        assert pa.read_bytes() == pb.read_bytes()
    svg = a[1].read_text(encoding="utf-8")
    assert "<dc:date>" not in svg and "Utveckling över åren" in svg
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == [
        "utveckling.png",
        "utveckling.svg",
    ]
    assert plots.save(plots.levels(hem_series), "", "x") == []


def test_a_shown_chart_is_its_alt_text_as_plain_text(hem_series, monkeypatch, tmp_path):
    # nbval compares a notebook's plain-text outputs: a chart's must carry its figures.
    import IPython.display
    from IPython.core.formatters import DisplayFormatter

    shown: list[object] = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **_: shown.append(obj))
    fig = plots.levels(hem_series, 2024)
    plots.show(fig, "niva", tmp_path)
    data, _ = DisplayFormatter().format(shown[0])
    import base64

    assert base64.b64decode(data["image/png"]) == (tmp_path / "niva.png").read_bytes()
    assert data["text/plain"] == plots.alt_text(fig)
    assert data["text/plain"].startswith("Diagram: Utveckling över åren (utfall).")
    assert "Antal boendedygn vuxna (Centrum)" in data["text/plain"]
