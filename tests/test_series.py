"""An indicator across the reports: statements merged into points, disputes, breaks,
caveats and the city kept apart from the districts (lib.report.series), on the real data."""

from __future__ import annotations

import pandas as pd
import pytest
from checks import every

from lib.report import series


@pytest.fixture(scope="module")
def pts() -> pd.DataFrame:
    return series.points().set_index(["indicator", "geography", "period", "basis"])


def test_one_point_per_figure_with_every_source(pts):
    assert pts.index.is_unique
    # Årsrapport 2022 gives Centrum's households in its key-figure table (rad 121) and
    # again in the indicator table (rad 569): 2020 and 2021 agree, one point each
    hh = pts.loc[("fs_hushall_stadsomrade", "Centrum", "2021", "utfall")]
    assert (hh.value, hh.statements, hh.disputed) == (1694, 2, False)
    assert hh.sources == "Årsrapport 2022, rad\u00a0121; Årsrapport 2022, rad\u00a0569"
    assert hh.refs == "2022_sn_centrum_arsrapport.txt#121;2022_sn_centrum_arsrapport.txt#569"


def test_statements_that_disagree_are_both_kept(pts):
    # 1 470 (rad 121) against 1 472 (rad 569): neither is picked as the fact
    hh = pts.loc[("fs_hushall_stadsomrade", "Centrum", "2022", "utfall")]
    assert (hh.value, hh.other_value, hh.disputed) == (1470, 1472, True)
    assert "1\u00a0472 (Årsrapport 2022, rad\u00a0569)" in hh.dispute
    assert hh.refs.split(";")[0] == "2022_sn_centrum_arsrapport.txt#121"  # aligned with sources


def test_the_plus_twenty_percent_of_the_interim_report_is_disputed(pts):
    # Delårsrapport 2024, rad 125: +20 % households jan–aug; rad 1013: "ökat med 4 procent"
    p = pts.loc[("fs_hushall_stadsomrade_forandring", "Centrum", "2024-01/2024-08", "utfall")]
    assert (p.value, p.disputed, p.kind) == (20, True, "part")
    assert "4" in p.dispute and "rad\u00a01013" in p.dispute
    assert "OCR" in p.note  # the build's reading: probably 2,0 % with the comma lost


def test_periods_are_told_apart():
    assert series.kind_of("2024") == "year"
    assert series.kind_of("2024-01/2024-12") == "year"
    assert series.kind_of("2024-01/2024-08") == "part"
    assert series.kind_of("2023/2024") == "change"
    assert series.kind_of("2024-06-30") == "date"
    assert series.position("2024-01/2024-08") == pytest.approx(2024 - 0.5 + 4 / 12)


def test_a_break_splits_the_series_and_is_a_caveat(pts):
    # Korttidsboende is a decision type of its own in Treserva from 2024 (Gemensamma 2024)
    before = pts.loc[("hem_forfragningar_korttidsboende", "Göteborg", "2023", "utfall")]
    after = pts.loc[("hem_forfragningar_korttidsboende", "Göteborg", "2024", "utfall")]
    assert (before.segment, after.segment) == (0, 1) and after.break_from == "2024"
    kort = series.points("hemloshet")
    kort = kort[kort.indicator == "hem_forfragningar_korttidsboende"]
    notes = series.caveats(kort)
    assert any("Treserva" in n for n in notes)
    assert "Serien bryts från 2024: värden före och efter jämförs inte." in notes
    # skyddat boende: new rules from 1 April 2024
    sky = pts.loc[("vnr_spink_forfragningar_skyddat_boende", "Göteborg", "2024", "utfall")]
    assert sky.break_from == "2024-04" and "1 april 2024" in sky.comparability
    assert series.break_text("2024-04") == "april 2024"


def test_city_means_the_city_and_its_services_never_a_district():
    every_pt = series.points("forsorjningsstod")
    city = series.in_scope(every_pt, "Göteborg")
    assert not city.empty
    assert every(~city.geography.isin(["Centrum", "Hisingen", "Nordost", "Sydväst"]))
    assert "Etableringsenheten" in set(city.geography)
    centrum = series.in_scope(every_pt, "Centrum")
    assert set(centrum.geography) == {"Centrum"}
    assert len(series.in_scope(every_pt, None)) == len(every_pt)
