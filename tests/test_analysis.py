"""Selections, key figures, comparisons and tests on the real processed tables."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from checks import every

from lib.errors import DataError
from lib.report import analysis, overview, processed, selection, significance, statements

GV = "2024_gemensamma_verksamheter_arsrapporter.txt"


@pytest.fixture(scope="module")
def kf_hem_2024() -> pd.DataFrame:
    return analysis.key_figures("hemloshet", 2024, "Göteborg")


@pytest.mark.parametrize(
    ("year", "district", "output_dir", "message"),
    [
        (2019, "Göteborg", "", "year=2019"),
        ("2024", "Göteborg", "", "year='2024'"),
        (True, "Göteborg", "", "year=True"),
        (2024, "Angered", "", "district='Angered'"),
        (2024, "göteborg", "", "district='göteborg'"),
        (2024, "Göteborg", 5, "output_dir=5"),
    ],
)
def test_validate_params_rejects(year, district, output_dir, message):
    with pytest.raises(DataError, match=message.replace("(", r"\(")):
        selection.validate_params(year, district, output_dir)


def test_validate_params_accepts_all_documented_values(tmp_path):
    for year in (2022, 2023, 2024):
        for district in ("Göteborg", "Centrum", "Hisingen", "Nordost", "Sydväst"):
            selection.validate_params(year, district, "")
    selection.validate_params(2024, "Centrum", str(tmp_path / "ny"))
    assert (tmp_path / "ny").is_dir()


def test_periods():
    assert selection.period_year("2023/2024") == 2024
    assert selection.period_year("2024-01/2024-08") == 2024
    assert selection.period_year("2024-12-31") == 2024
    assert selection.period_kind("2024-01/2024-08") == "interval"
    assert selection.shift_period("2024-01/2024-08") == "2023-01/2023-08"
    assert selection.shift_period("2024-06-30") == "2023-06-30"


def test_select_year_adds_prior_year_values():
    sel = selection.select("hemloshet", 2024, "Göteborg")
    cur, prior = sel[sel.role == "current"], sel[sel.role == "prior"]
    assert set(cur.year) == {2024}
    assert set(prior.year) == {2023}
    # A change 2023/2024 and an interval Jan-Aug 2024 both belong to 2024.
    assert {"2023/2024", "2024-01/2024-08"} <= set(cur.period)
    row = prior[prior.indicator == "hem_forfragningar_socialt_boende"].iloc[0]
    assert (row.value, row.line) == (3781, 1109)
    # Restatements are left out: 4 080 stands once, not twice.
    assert len(cur[cur.indicator == "hem_forfragningar_socialt_boende"]) == 1


def test_select_district_rules():
    city = selection.select("vald_i_nara_relation", 2024, "Göteborg")
    assert "Kriscentrum för kvinnor" in set(city.geography)
    nordost = selection.select("vald_i_nara_relation", 2024, "Nordost")
    assert set(nordost.geography) == {"Nordost"}
    assert selection.select("hemloshet", 2022, "Hisingen").empty


def test_key_figure_with_prior_year_change_and_source(kf_hem_2024):
    row = analysis.figure(kf_hem_2024, "hem_forfragningar_socialt_boende")
    assert (row.value, row.prior_value, row.change) == (4080, 3781, 299)
    assert row.change_pct == 7.9  # computed from the levels as written
    assert (row.reported_change, row.reported_change_unit) == (8, "procent")  # as reported
    assert (row.source_file, row.line) == (GV, 1109)
    assert row.source == f"{GV}, rad 1109"
    assert row.quote == "Socialt boende 3 781 4 080 299 8%"


def test_key_figure_share_change_in_percentage_points(kf_hem_2024):
    row = analysis.figure(kf_hem_2024, "hem_korttidsboende_andel_egen_regi")
    assert (row.value, row.prior_value, row.change) == (5, 20, -15)
    assert math.isnan(row.change_pct)


def test_key_figure_prognosis_compared_with_prior_outcome():
    kf = analysis.key_figures("forsorjningsstod", 2024, "Centrum")
    row = analysis.figure(
        kf, "fs_andel_avslutade_behov_tillgodosett", "Centrum", "2024", basis="prognos"
    )
    assert (row.value, row.prior_value, row.line) == (38, 44, 69)
    half = analysis.figure(
        kf, "fs_andel_avslutade_behov_tillgodosett", "Centrum", "2024-01/2024-06"
    )
    assert (half.value, half.prior_period, half.prior_value) == (38, "2023-01/2023-06", 42)


def test_key_figures_2022_centrum_and_empty_selection():
    kf = analysis.key_figures("forsorjningsstod", 2022, "Centrum")
    row = analysis.figure(kf, "fs_hushall_stadsomrade", "Centrum")
    assert (row.value, row.prior_value, row.reported_change) == (1470, 1694, -13)
    assert row.source == "2022_sn_centrum_arsrapport.txt, rad 121"
    empty = analysis.key_figures("hemloshet", 2022, "Hisingen")
    assert empty.empty and list(empty.columns) == list(analysis.KEY_COLUMNS)
    with pytest.raises(DataError, match="0 rows"):
        analysis.figure(empty, "hem_forfragningar_socialt_boende")


def test_rate_ratio_with_exact_interval():
    from scipy import stats

    # Gemensamma 2024, rad 1109: förfrågningar om socialt boende 3 781 -> 4 080
    rr = significance.rate_ratio(3781, 4080)
    assert rr.ratio == pytest.approx(4080 / 3781)
    assert rr.p_value == pytest.approx(stats.binomtest(4080, 7861, 0.5).pvalue)
    assert 1 < rr.low < rr.ratio < rr.high
    same = significance.rate_ratio(30, 30)  # Barnahus, barnärenden 2023 and 2024
    assert same.p_value == 1.0 and same.low < 1 < same.high
    with pytest.raises(DataError, match="whole numbers"):
        significance.rate_ratio(2.5, 3)


def test_count_tests_only_where_they_fit_and_adjusted_p_decides():
    from lib.report import series

    tested, skipped = significance.count_comparisons(series.points("hemloshet"))
    assert len(tested) >= 3
    assert every(tested.p_adjusted >= tested.p_value - 1e-12)
    assert every(tested.ci_low < tested.ratio) and every(tested.ratio < tested.ci_high)
    # Bostad först 82 -> 113: p = 0,031 alone, 0,094 adjusted: the wording says both
    bf = tested[tested.indicator == "hem_forfragningar_bostad_forst"].iloc[0]
    assert (bf.before, bf.after) == (82, 113)
    assert bf.p_value < 0.05 <= bf.p_adjusted
    assert "inte efter justering" in bf.interpretation
    assert "95\u00a0% KI 1,03–1,85" in bf.interpretation
    # korttidsboende 738 -> 908 crosses the break of 2024 (a new decision type): no test
    assert "hem_forfragningar_korttidsboende" not in set(tested.indicator)
    kort = skipped[skipped.indicator == "hem_forfragningar_korttidsboende"]
    assert kort.reason.tolist() == ["serien bryts från 2024; åren är inte jämförbara"]
    # amounts and placement days are not counts of events or persons
    cost = skipped[skipped.indicator == "hem_nodbistand_nettokostnad"]
    assert cost.reason.str.startswith("belopp;").all() and len(cost) == 1


def test_no_count_test_on_an_average_per_month():
    from lib.report import series

    pts = series.points("forsorjningsstod")
    means = pts[pts.statistic == "mean"]
    assert "fs_arenden_langvarigt" in set(means.indicator)  # "genomsnitt per månad"
    tested, skipped = significance.count_comparisons(pts)
    assert not set(tested.indicator) & set(means.indicator)
    reasons = skipped[skipped.indicator == "fs_arenden_langvarigt"].reason
    assert len(reasons) == 2 and reasons.str.startswith("genomsnitt").all()


def test_bounds_and_disputed_figures_are_not_tested_and_approximations_say_so():
    from lib.report import series

    pts = series.points("hemloshet")
    soc = pts[(pts.indicator == "hem_forfragningar_nodbistand") & (pts.geography == "Göteborg")]
    assert len(significance.count_comparisons(soc)[0]) == 1  # 346 -> 319
    # The same real rows, as if the report had written "fler än 319" / "ca 319" / two values:
    for change, reason in (
        ({"qualifier": ">"}, "en gräns"),
        ({"disputed": True}, "omstridd uppgift"),
    ):
        tested, skipped = significance.count_comparisons(soc.assign(**change))
        assert tested.empty and skipped.reason.str.startswith(reason).all()
    approx, _ = significance.count_comparisons(soc.assign(qualifier="≈"))
    assert approx.caveats.iloc[0].endswith(significance.APPROX_CAVEAT)


def test_chi_square_women_and_men_overnight_guests():
    from scipy import stats

    [res] = significance.distribution_tests("hemloshet", 2024, "Göteborg")
    expected = stats.chi2_contingency([[16, 60], [7, 31]])
    assert res.p_value == pytest.approx(expected.pvalue)
    assert res.n == 114
    assert "Andel kvinnor: Biståndsbedömda 21,1" in res.interpretation
    assert "låg styrka" in res.caveats
    assert significance.distribution_tests("hemloshet", 2024, "Hisingen") == []
    assert len(significance.distribution_tests("forsorjningsstod", 2024, "Hisingen")) == 1


def test_statements_have_sources():
    st = statements.statements("hemloshet", 2024)
    assert len(st) == 8
    top = st.iloc[0]
    lines = processed.analysis_lines("gemensamma_verksamheter_2024")
    assert top.match.lower() in lines[top.line - 1].lower()
    assert top.source == f"{GV}, rad {top.line}"
    assert statements.statements("hemloshet", 2023, "Hisingen").empty


def test_kwic_agrees_with_lib_text_mentions(real_corpus):
    from lib.text import mentions

    fast = statements.kwic("skyddat boende")
    slow = mentions.kwic("skyddat boende", real_corpus)
    assert sorted(zip(fast.doc_id, fast.line, fast.match, strict=True)) == sorted(
        zip(slow.doc_id, slow.line, slow.match, strict=True)
    )


def test_discrepancies_and_ocr_figures():
    d = analysis.discrepancies("vald_i_nara_relation", 2023)
    assert d.value_a.tolist() == [409] and d.value_b.tolist() == [411]
    assert d.source_a.tolist() == [f"{GV}, rad 1115"]
    ocr = analysis.ocr_figures(selection.select("forsorjningsstod", 2024, "Centrum"))
    assert len(ocr) == 12
    assert every(ocr.ocr_source.str.contains("_ocr.txt, rad "))
    # The begravning figure stands in the clean report and was checked against its OCR twin.
    burial = ocr[ocr.source.str.startswith(GV)]
    assert every(burial.label.str.contains("begravning", case=False))
    assert ocr.repairs.str.contains("forsorjningsstéd→försörjningsstöd").any()


def test_overview_tables():
    q = overview.text_quality().set_index("doc_id")
    twin = q.loc["sf_centrum_stadengemensam_2024"]
    assert twin.overlap_after > twin.overlap_before + 10
    assert math.isnan(q.loc["sn_centrum_delarsrapport_2024_08"].overlap_before)
    cov = overview.coverage()
    assert int(cov.to_numpy().sum()) == len(selection.observations())
    assert cov.loc[("Hemlöshet", "gemensamma_verksamheter_2024"), 2024] > 0
    prom = overview.prominence()
    assert list(prom.columns) == ["Hemlöshet", "Våld i nära relation", "Försörjningsstöd"]
    view = overview.documents_view(overview.documents_overview(), 2024).set_index("Del")
    assert view.loc["gv_spink", "Textrader"] == "807–3091"
    assert view.loc["sn_centrum_delarsrapport_2024_08", "Period"] == "jan–\u2060aug\u00a02024"
    assert (view.loc["sn_centrum_arsrapport_2022", "År 2024"], view.loc["gv_spink", "År 2024"]) == (
        "",
        "ja",
    )


def test_view_is_compact_and_keeps_the_numbers(kf_hem_2024):
    row = kf_hem_2024[kf_hem_2024.indicator == "hem_forfragningar_socialt_boende"]
    v = selection.view(
        row, ["item", "when", "value", "prior_value", "computed", "reported", "source"]
    )
    assert list(v.columns) == [
        "Uppgift",
        "Period",
        "Värde",
        "Föregående år",
        "Beräknad förändring",
        "Förändring enligt rapporten",
        "Källa",
    ]
    r = v.iloc[0]
    assert (r["Värde"], r["Föregående år"]) == (4080, 3781)
    assert r["Beräknad förändring"] == "+299 (+7,9\u00a0%)"
    assert r["Förändring enligt rapporten"] == "+8 %"
    assert r["Källa"] == "Gemensamma 2024, rad\u00a01109"
    share = selection.view(
        kf_hem_2024[kf_hem_2024.indicator == "hem_bostad_forst_andel_egen_regi"], ["computed"]
    )
    assert share.iloc[0, 0] == "\u22122 %\u2011enheter"  # 46 % after 48 %: percentage points
    ocr = analysis.ocr_figures(selection.select("forsorjningsstod", 2024, "Centrum"))
    v = selection.view(ocr, ["item", "period", "ocr_source", "repairs"])
    assert every(v.Uppgift.str.endswith(" – Centrum"))
    assert "jan–\u2060aug\u00a02024" in set(v.Period)
    assert v["OCR-källa"].str.startswith("Delårsrapport 2024, rad").any()
    assert v.Reparationer.str.contains("forsorjningsstéd → försörjningsstöd").any()
    with pytest.raises(DataError, match="not in the table"):
        selection.view(ocr, ["nope"])


def test_heading_names_the_scope():
    assert selection.heading(2024, "Centrum") == "**Sidan visar år 2024, stadsområde Centrum.**"
    assert "alla år" in selection.heading(None, None)


def test_missing_table_message(monkeypatch, tmp_path):
    monkeypatch.setenv(processed.ENV_VAR, str(tmp_path))
    with pytest.raises(DataError, match="run `make data` first"):
        processed.load("observations")
    with pytest.raises(DataError, match="unknown processed table"):
        processed.load("nope")


def test_qualified_values_show_their_qualifier_and_bounds_give_no_change():
    kf = analysis.key_figures("hemloshet", 2024)
    row = kf[kf.indicator == "hem_korttidsboende_dygn_sf"]
    assert row.qualifier.tolist() == ["≈"]
    v = selection.view(row, ["item", "value"])
    assert v["Värde"].tolist() == ["ca\u00a020\u00a0000"]
    kf22 = analysis.key_figures("hemloshet", 2022, "Centrum")
    bound = kf22[(kf22.indicator == "hem_vrakningar_barn") & (kf22.basis == "utfall")]
    assert bound.qualifier.tolist() == ["<"]  # "färre än 5" (2022, line 379)
