"""A theme's page (lib.report.page) as the reader gets it, on the real data: every caveat
beside its figure in the HTML and the CSV, disputed figures marked wherever shown,
qualifiers kept, sources linked to outputs/kallor, an empty selection in one block.

The sections display through IPython; the tests collect what would be shown (HTML and
Markdown, a chart by its alt text) and read the CSV files the page writes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lib.report.page import ThemePage


def shown_text(monkeypatch: pytest.MonkeyPatch, page: ThemePage, *sections: str) -> str:
    """Everything the sections display, as one text (HTML, Markdown, charts' alt text)."""
    import IPython.display
    from IPython.core.formatters import DisplayFormatter

    shown: list[object] = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **_: shown.append(obj))
    for name in sections:
        getattr(page, name)()
    parts = []
    for obj in shown:
        data, _ = DisplayFormatter().format(obj)
        parts.append(data.get("text/html") or data.get("text/markdown") or data["text/plain"])
    return "\n".join(parts)


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig")


@pytest.fixture(scope="module")
def hem_all(tmp_path_factory: pytest.TempPathFactory) -> tuple[ThemePage, Path]:
    out = tmp_path_factory.mktemp("hemloshet")
    return ThemePage("hemloshet", None, None, str(out), "../kallor"), out


def test_comparability_note_of_korttidsboende_in_the_page_and_its_csv(hem_all, monkeypatch):
    page, out = hem_all
    html = shown_text(monkeypatch, page, "headlines")
    note = "Socialförvaltningarna har korttidsboende som beslutstyp i Treserva först"
    assert note in html
    assert "Serien bryts från 2024: värden före och efter jämförs inte." in html
    csv = read_csv(out / "hemloshet_hem_forfragningar_korttidsboende_uppgifter.csv")
    assert len(csv) == 2 and csv["Förbehåll"].str.contains(note).all()
    assert csv["Förbehåll"].str.contains("Serien bryts från 2024").all()


def test_comparability_note_of_skyddat_boende_in_the_page_and_its_csv(tmp_path, monkeypatch):
    page = ThemePage("vald_i_nara_relation", None, None, str(tmp_path), "")
    html = shown_text(monkeypatch, page, "headlines")
    assert "1 april 2024" in html
    csv = read_csv(
        tmp_path / "vald_i_nara_relation_vnr_spink_forfragningar_skyddat_boende_uppgifter.csv"
    )
    rows = csv[csv["Period"] == 2024]
    assert len(rows) == 1 and "1 april 2024" in rows["Förbehåll"].iloc[0]
    # 2023's 409 is disputed: the parts add up to 411 (Gemensamma 2024, rad 1207)
    before = csv[csv["Period"] == 2023]["Förbehåll"].iloc[0]
    assert "Omstridd" in before and "411" in before


@pytest.mark.parametrize(("year", "district"), [(None, None), (2024, "Centrum")])
def test_centrum_plus_twenty_percent_is_marked_disputed_wherever_shown(
    year, district, tmp_path, monkeypatch
):
    page = ThemePage("forsorjningsstod", year, district, str(tmp_path), "")
    html = shown_text(monkeypatch, page, "headlines", "figures")
    assert html.count("⚠ +20") >= 1  # the table
    assert "jan–aug 2024 20 % (omstridd)" in html  # the chart (its alt text)
    assert "rapporterna anger också 4" in html
    assert "+20" not in html.replace("⚠ +20", "")  # never unmarked
    csvs = [read_csv(p) for p in tmp_path.glob("*.csv")]
    rows = [
        r
        for c in csvs
        if "Värde" in c and "Period" in c
        for r in c.to_dict("records")
        if r["Värde"] == 20
        and "hushåll" in str(r.get("Benämning", ""))
        and r["Period"] == "2024-01/2024-08"
    ]
    assert rows and all("Omstridd" in r["Förbehåll"] for r in rows)


def test_approximations_keep_their_ca_in_the_reported_changes(tmp_path, monkeypatch):
    # Gemensamma 2024, rad 2669 and 2673: "cirka 15 000 dygn", "cirka 6 000", "cirka 2 procent"
    page = ThemePage("vald_i_nara_relation", 2024, "Göteborg", str(tmp_path), "")
    html = shown_text(monkeypatch, page, "figures")
    for shown in ("ca\u00a0+15\u00a0000", "ca\u00a0+6\u00a0000", "ca\u00a0+2"):
        assert shown in html, shown
    csv = read_csv(tmp_path / "vald_i_nara_relation_uppgifter.csv")
    assert "Källor" in csv.columns and "sources" not in csv.columns  # Swedish headers
    approx = csv[csv["Värde"].isin([15000, 6000, 2])]
    assert len(approx) == 3 and set(approx["Ungefär/gräns"]) == {"≈"}


def test_sources_link_to_their_line_in_outputs_kallor(hem_all, monkeypatch):
    page, _ = hem_all
    html = shown_text(monkeypatch, page, "headlines")
    link = '<a href="../kallor/2024_gemensamma_verksamheter_arsrapporter.html#L1109">'
    assert link + "Gemensamma 2024, rad\u00a01109</a>" in html


def test_an_empty_selection_is_one_short_block(monkeypatch):
    page = ThemePage("hemloshet", 2023, "Hisingen")
    assert page.empty
    text = shown_text(
        monkeypatch,
        page,
        "intro",
        "headlines",
        "key_figures",
        "figures",
        "districts",
        "tests",
        "statements",
        "quality",
    )
    assert text.count("\n") <= 1 and text.startswith("**Inga uppgifter.**")
    assert "år med uppgifter för området: 2024" in text


def test_a_district_chart_never_carries_the_citys_name_as_its_sum():
    # Gemensamma 2024, rad 3898: Socialjouren's events on housing, Göteborg 3 392 in all,
    # Centrum 985 and Hisingen 1 014 (the report names two of the four districts)
    from lib.report import page, series

    pts = series.points("hemloshet")
    comps = page.district_comparisons(pts[pts.year == 2024])
    [comp] = [c for c in comps if (c.indicator == "hem_socialjouren_handelser_boende").all()]
    fig = page.district_chart(comp)
    ax = fig.axes[0]
    assert [p.get_height() for p in ax.patches] == [985, 1014]  # the city is not a bar
    title = ax.get_title(loc="left")
    assert "de 2 av 4 stadsområden som rapporten anger" in title
    assert "hela staden enligt rapporten: 3\u00a0392" in title
    assert "totalt" not in title
    assert ax.get_ylim()[0] == 0
