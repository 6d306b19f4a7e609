"""Charts: they draw the real data, carry Swedish labels, and save deterministic files."""

from __future__ import annotations

import pytest

from lib.report import indicator_chart, overview, plots, series


@pytest.fixture(scope="module")
def households():  # noqa: ANN201 - a Figure: Centrum's households 2020–2022
    pts = series.points("forsorjningsstod")
    rows = pts[(pts.indicator == "fs_hushall_stadsomrade") & (pts.geography == "Centrum")]
    return lambda: indicator_chart.chart(rows)


def test_overview_heatmaps():
    fig = plots.prominence_heatmap(overview.prominence())
    assert "Omnämnanden per 1 000 ord" in [a.get_ylabel() for a in fig.axes]
    fig = plots.coverage_matrix(overview.coverage())
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "Hemlöshet · gemensamma_verksamheter_2024" in labels
    assert fig.get_figwidth() <= plots.MAX_WIDTH


def test_alt_text_from_the_figure_label_or_its_titles(households):
    fig = households()
    assert plots.alt_text(fig) == fig.get_label()
    assert plots.alt_text(fig).startswith(
        "Diagram: Antal hushåll med försörjningsstöd, stadsområdet – Centrum, hushåll, "
        "2020–2022. Centrum, utfall: 2020 1\u00a0791, 2021 1\u00a0694"
    )
    heat = plots.prominence_heatmap(overview.prominence())
    assert plots.alt_text(heat).startswith("Diagram: ")
    assert fig.get_figwidth() <= plots.MAX_WIDTH


def test_save_is_deterministic(tmp_path, households):
    a = plots.save(households(), tmp_path / "a", "hushall")
    b = plots.save(households(), tmp_path / "b", "hushall")
    assert [p.name for p in a] == ["hushall.png", "hushall.svg"]
    for pa, pb in zip(a, b, strict=True):
        assert pa.read_bytes() == pb.read_bytes()
    svg = a[1].read_text(encoding="utf-8")
    assert "<dc:date>" not in svg and "Årsrapport 2022, rad 121, 569" in svg
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["hushall.png", "hushall.svg"]
    assert plots.save(households(), "", "x") == []


def test_a_shown_chart_is_its_alt_text_as_plain_text(households, monkeypatch, tmp_path):
    # nbval compares a notebook's plain-text outputs: a chart's must carry its figures.
    import base64

    import IPython.display
    from IPython.core.formatters import DisplayFormatter

    shown: list[object] = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **_: shown.append(obj))
    fig = households()
    plots.show(fig, "hushall", tmp_path)
    data, _ = DisplayFormatter().format(shown[0])
    assert base64.b64decode(data["image/png"]) == (tmp_path / "hushall.png").read_bytes()
    assert data["text/plain"] == plots.alt_text(fig)
    assert "2022 1\u00a0470 (omstridd)" in data["text/plain"]
