"""The reports compared (lib.report.comparison) and the reports' lines as pages
(lib.report.sources_view), on the real data."""

from __future__ import annotations

from pathlib import Path

import pytest

from lib.report import comparison, pages, processed, sources_view


def test_coverage_of_the_headline_indicators_names_the_reports():
    cov = comparison.coverage()
    heads = processed.load("headlines")
    assert set(cov.indicator) == set(heads.indicator)
    assert heads.groupby("theme").size().between(6, 12).all()
    soc = cov[cov.indicator == "hem_forfragningar_socialt_boende"]
    assert list(soc.year) == [2023, 2024] and set(soc.reports) == {"Gemensamma 2024"}
    hh = cov[cov.indicator == "fs_hushall_stadsomrade"]
    assert list(hh.year) == [2020, 2021, 2022] and set(hh.reports) == {"Årsrapport 2022"}
    fig = comparison.coverage_chart(cov[cov.theme == "forsorjningsstod"], "Försörjningsstöd")
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["Årsrapport 2022", "Gemensamma 2024", "Delårsrapport 2024"]  # by year
    assert "Antal hushåll med försörjningsstöd, stadsområdet: 2020 (Årsrapport 2022)" in (
        fig.get_label()
    )


def test_part_of_the_year_beside_the_whole_year():
    both = comparison.part_and_whole()
    # Barnahus' avtalskommuner: 6 in jan–aug 2024 (Delårsrapport, rad 854), 9 for the
    # year (Gemensamma 2024, rad 4580)
    row = both[(both.indicator == "vnr_avtalskommuner") & (both.geography == "Barnahus")]
    assert (row.value_part.tolist(), row.value_year.tolist()) == ([6], [9])
    assert row.sources_part.iloc[0] == "Delårsrapport 2024, rad\u00a0854"
    assert row.sources_year.iloc[0] == "Gemensamma 2024, rad\u00a04580"


def test_forecasts_wait_for_their_outcome_and_disagreements_keep_both_sources():
    fc = comparison.forecasts()
    assert len(fc) == 13 and fc.value_utfall.isna().all()  # no annual report 2024 for Centrum yet
    dis = comparison.disagreements()
    row = dis[dis.indicator == "fs_hushall_stadsomrade"].iloc[0]
    assert (row.value, row.other_value) == (1470, 1472)
    assert "Årsrapport 2022, rad\u00a0569" in row.dispute and row.sources.endswith("rad\u00a0121")
    assert comparison.restated().empty  # no figure is stated by two different reports


def test_every_report_line_has_its_anchor_and_repairs_show_beside_the_ocr(tmp_path: Path):
    written = sources_view.write(tmp_path)
    names = {p.name for p in written}
    assert "index.html" in names and len(names) == 1 + processed.load("documents").file.nunique()
    page = (tmp_path / "kallor" / "2024_gemensamma_verksamheter_arsrapporter.html").read_text(
        encoding="utf-8"
    )
    n_lines = len(processed.analysis_lines("gemensamma_verksamheter_2024"))
    assert page.count('<tr id="L') == n_lines
    assert '<tr id="L1109">' in page and "3 781" in page.split('<tr id="L1109">')[1][:400]
    ocr = (tmp_path / "kallor" / "2024_sn_centrum_delarsrapport_augusti_ocr.html").read_text(
        encoding="utf-8"
    )
    assert 'class="r"' in ocr  # the repaired text beside a repaired OCR line
    pages.write_index(tmp_path)  # the pages link back to the index
    assert pages.broken_links(tmp_path) == []


@pytest.mark.parametrize("base", ["", "../kallor"])
def test_references_in_text_link_to_their_line(base: str):
    text = "rapporterna anger också 1\u00a0472 (Årsrapport 2022, rad\u00a0569)"
    html = sources_view.link_references(text, base)
    if base:
        assert (
            '<a href="../kallor/2022_sn_centrum_arsrapport.html#L569">Årsrapport 2022, '
            "rad\u00a0569</a>" in html
        )
    else:
        assert html == text
    assert sources_view.link_references("<b>", base) == "&lt;b&gt;"
