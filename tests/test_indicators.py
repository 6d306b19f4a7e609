"""Theme indicators: every curated figure validates against the real reports."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
import yaml

from lib.curation import discrepancies, observations, values
from lib.curation.catalog import CATALOG_DIR, catalog_frame, load_catalog
from lib.errors import DataError
from lib.publish import excel
from lib.sources import corpus
from lib.text import repaired, themes

GV = "gemensamma_verksamheter_2024"


def _one(obs, **where) -> pd.Series:
    sel = obs
    for k, v in where.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1, (where, len(sel))
    return sel.iloc[0]


def test_several_hundred_observations_in_all_three_themes(obs):
    assert len(obs) >= 300
    assert set(obs.theme) == set(themes.theme_ids())


@pytest.mark.parametrize(
    "theme, docs",
    [
        ("hemloshet", {GV, "sn_centrum_arsrapport_2022", "sn_centrum_delarsrapport_2024_08"}),
        (
            "vald_i_nara_relation",
            {GV, "sn_centrum_arsrapport_2022", "sn_centrum_delarsrapport_2024_08"},
        ),
        (
            "forsorjningsstod",
            {
                GV,
                "sn_centrum_arsrapport_2022",
                "sn_centrum_delarsrapport_2024_08",
                "sf_sydvast_trygghet_uppfoljning_2023",
            },
        ),
    ],
)
def test_each_theme_is_covered_in_every_report_where_it_appears(obs, theme, docs):
    assert docs <= set(obs[obs.theme == theme].doc_id)


def test_every_raw_text_stands_at_its_line_and_holds_the_value(obs):
    c = corpus.load()
    for row in obs.itertuples():
        line = c.raw_lines(row.doc_id)[row.line - 1]
        assert row.raw in line, (row.indicator, row.line)


def test_every_quote_is_analysed_text_at_its_line_and_shows_the_value(obs):
    c = corpus.load()
    for row in obs.itertuples():
        analysed = " ".join(repaired.analysis_lines(c, row.doc_id)[row.line - 1].split())
        assert row.line_text == analysed
        if row.quote != row.line_text:  # a sentence or table row spanning the line
            assert values.value_in_text(row.value, row.quote), (row.indicator, row.line)


def test_units_and_value_types_agree_with_the_catalog(obs, catalog):
    for row in obs.itertuples():
        assert (row.unit, row.value_type) == (
            catalog[row.indicator].unit,
            catalog[row.indicator].value_type,
        )


def test_one_value_per_key_and_part_unless_restated(obs):
    key = ["indicator", "period", "geography", "basis", "doc_id", "part_id"]
    assert not obs[obs.restatement_of.isna()].duplicated(key).any()


@pytest.mark.parametrize(
    "indicator, period, value, line, geography",
    [
        # Årsrapport 2022, key figures (TAB table): 1 791 / 1 694 / 1 470
        ("fs_hushall_stadsomrade", "2020", 1791, 121, "Centrum"),
        ("fs_hushall_stadsomrade", "2022", 1470, 121, "Centrum"),
        # Spink's request table: "Socialt boende  3 781  4 080  299  8%"
        ("hem_forfragningar_socialt_boende", "2024", 4080, 1109, "Göteborg"),
        ("hem_forfragningar_socialt_boende", "2023", 3781, 1109, "Göteborg"),
        # "I det skyddade boendet har 81 personer (72 år 2023) bott under 2024."
        ("vnr_kc_skyddat_boende_personer", "2024", 81, 4651, "Kriscentrums skyddade boende"),
        ("vnr_kc_skyddat_boende_personer", "2023", 72, 4651, "Kriscentrums skyddade boende"),
    ],
)
def test_known_figures(obs, indicator, period, value, line, geography):
    row = _one(
        obs[obs.restatement_of.isna()],
        indicator=indicator,
        period=period,
        geography=geography,
        basis="utfall",
    )
    assert (row.value, row.line) == (value, line)
    raw_line = corpus.load().raw_lines(row.doc_id)[line - 1]
    assert values.value_in_text(value, raw_line)


def test_city_wide_figures_cite_the_clean_rendering_with_the_ocr_line(obs):
    row = _one(obs, indicator="vnr_kc_skyddat_boende_personer", period="2024")
    assert row.doc_id == GV and row.ocr_doc_id == "sf_centrum_stadengemensam_2024"
    ocr = corpus.load().raw_lines("sf_centrum_stadengemensam_2024")[int(row.ocr_line) - 1]
    assert "81 personer" in ocr


def test_number_reading():
    assert values.value_in_text(23315, "totalt 23\u00a0315 händelser")
    assert values.value_in_text(18.6, "ökade med 18,6 procent")
    assert values.value_in_text(12, "tolv ärenden")
    # Cells of a space-separated table row are read one by one: "515 522" holds 515 and 522.
    assert values.value_in_text(522, "Samarbetssamtal 515 522")
    assert not values.value_in_text(31, "totalt 23 315 händelser")
    assert not values.value_in_text(2331, "totalt 23 315 händelser")
    assert not values.value_in_text(18, "18,6 procent")


def test_discrepancies_list_real_contradictions(obs, catalog):
    d = discrepancies.discrepancies(obs, catalog)
    pairs = {(r.indicator, r.period, r.value_a, r.value_b) for r in d.itertuples()}
    # 2022: key-figure table 1 470 households (line 121), indicator table 1 472 (line 569)
    assert ("fs_hushall_stadsomrade", "2022", 1470, 1472) in pairs
    # Spink 2023: causes 317 + 49 + 45 = 411 against the table total 409
    assert ("vnr_spink_forfragningar_skyddat_boende", "2023", 409, 411) in pairs
    # 2022: "ökat med 13 procent" (line 152) while the table gives 119 913 -> 139 801 (+16,6 %)
    row = d[
        (d.kind == "change_differs_from_levels")
        & (d.indicator == "hem_boendedygn_vuxna_forandring")
    ].iloc[0]
    assert (row.line_a, row.value_a) == (152, 13)
    # Rounded restatements agree: -18,1 and -18 mnkr are not a discrepancy.
    assert "hem_budgetavvikelse_kopt_vard_boende_vuxna" not in set(d.indicator)


def test_implied_change_respects_rounding():
    value, low, high = discrepancies._implied_change("change_pct", 30.7, 29.5)
    assert round(value, 2) == -3.91 and low < -3.8 < high


def _curated_copy(tmp_path, theme, edit):
    target = tmp_path / "curated"
    shutil.copytree(observations.CURATED_DIR, target)
    path = target / f"observations_{theme}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data["observations"])
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def test_a_value_that_is_not_in_the_raw_text_is_refused(tmp_path, catalog):
    def edit(rows):
        rows[0]["value"] = rows[0]["value"] + 1

    curated = _curated_copy(tmp_path, "hemloshet", edit)
    with pytest.raises(
        DataError, match="observations_hemloshet.yml observation 1 .*cannot be read back"
    ):
        observations.curated_observations(curated, catalog)


def test_a_raw_text_on_the_wrong_line_is_refused(tmp_path, catalog):
    def edit(rows):
        rows[0]["line"] = rows[0]["line"] + 1

    curated = _curated_copy(tmp_path, "forsorjningsstod", edit)
    with pytest.raises(DataError, match="is not on line"):
        observations.curated_observations(curated, catalog)


def test_an_unmarked_duplicate_is_refused(tmp_path, catalog):
    def edit(rows):
        rows.append(dict(rows[0], restatement_of=None))

    curated = _curated_copy(tmp_path, "vald_i_nara_relation", edit)
    with pytest.raises(DataError, match="given more than once"):
        observations.curated_observations(curated, catalog)


def test_unit_disagreeing_with_catalog_is_refused(tmp_path, catalog):
    def edit(rows):
        rows[0]["unit"] = "kr"

    curated = _curated_copy(tmp_path, "hemloshet", edit)
    with pytest.raises(DataError, match="differ from the catalog"):
        observations.curated_observations(curated, catalog)


def test_excel_export_has_a_sheet_per_theme_with_numbers_as_numbers(obs):
    data = excel.workbook_bytes(obs.assign(method="curated"))
    assert data == excel.workbook_bytes(obs.assign(method="curated"))  # reproducible bytes
    import io

    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None)
    assert list(sheets) == ["Hemlöshet", "Våld i nära relation", "Försörjningsstöd"]
    sheet = sheets["Försörjningsstöd"]
    assert list(sheet.columns)[:4] == ["Indikator", "Benämning", "Ungefär/gräns", "Värde"]
    assert pd.api.types.is_float_dtype(sheet["Värde"]) and pd.api.types.is_integer_dtype(
        sheet["Rad"]
    )
    in_theme = obs.themes.str.split(";").map(lambda ts: "forsorjningsstod" in ts)
    assert len(sheet) == in_theme.sum()
    # An indicator of two themes is on both sheets; approximations read "ca" before the value.
    both = sheets["Hemlöshet"][
        sheets["Hemlöshet"].Indikator == "fs_temporara_bostader_kommuncentral"
    ]
    assert len(both) > 0 and set(both.Teman) == {"Försörjningsstöd, Hemlöshet"}
    approx = sheets["Hemlöshet"][sheets["Hemlöshet"].Indikator == "hem_korttidsboende_dygn_sf"]
    assert approx[["Ungefär/gräns", "Värde"]].values.tolist() == [["ca", 20000]]


# ---------------------------------------------------------------- qualifiers and themes


def test_approximations_and_bounds_are_marked(obs):
    q = obs.set_index(["indicator", "line"]).qualifier
    assert q["hem_korttidsboende_dygn_sf", 2870] == "≈"  # "ca 20 000 dygn"
    assert q["vnr_spink_andel_forfragningar_skyddat_boende_vnr_heder"].iloc[0] == "≈"
    assert q["hem_vrakningar_barn", 379] == "<"  # "färre än 5"
    row = obs[(obs.indicator == "hem_vrakningar_barn") & (obs.line == 396) & (obs.value == 5)]
    assert row.qualifier.tolist() == [">"]  # table cell ">5"
    assert pd.isna(q["hem_forfragningar_socialt_boende", 1109].iloc[0])
    assert obs.qualifier.notna().sum() == 18


def test_text_gives_the_qualifier():
    assert values.qualifiers_in_text(20000, "stod de för ca 20 000 dygn") == {"≈"}
    assert values.qualifiers_in_text(5, "var för 2022 färre än 5.") == {"<"}
    assert values.qualifiers_in_text(5, "\t>5\t0") == {">"}
    assert values.qualifiers_in_text(15000, "15 000 dygn)", before="dygn (cirka") == {"≈"}
    assert values.qualifiers_in_text(2, "med cirka två procent") == {"≈"}
    assert values.qualifiers_in_text(459, "2024 hanterade vi 459") == {None}


def test_bounds_that_exclude_each_other_are_a_discrepancy(obs, catalog):
    d = discrepancies.discrepancies(obs, catalog)
    row = d[d.indicator == "hem_vrakningar_barn"].iloc[0]
    assert (row.kind, row.line_a, row.line_b) == ("restatement_differs", 379, 396)
    assert "utesluter varandra" in row.note
    assert discrepancies.statements_agree(5, "<", 4, None)
    assert discrepancies.statements_agree(5, "≤", 5, None)
    assert not discrepancies.statements_agree(5, "<", 5, None)
    assert discrepancies.statements_agree(20000, "≈", 20000, None)


def test_a_missing_qualifier_is_refused(tmp_path, catalog):
    def edit(rows):
        row = next(r for r in rows if r["indicator"] == "hem_korttidsboende_dygn_sf")
        row.pop("qualifier")

    curated = _curated_copy(tmp_path, "hemloshet", edit)
    with pytest.raises(
        DataError,
        match="hem_korttidsboende_dygn_sf.*text gives 20000 as '≈', "
        "the entry as exact; set qualifier",
    ):
        observations.curated_observations(curated, catalog)


def test_a_wrong_qualifier_is_refused(tmp_path, catalog):
    def edit(rows):
        rows[0]["qualifier"] = "≈"

    curated = _curated_copy(tmp_path, "hemloshet", edit)
    with pytest.raises(DataError, match="observation 1 .*as exact, the entry as '≈'"):
        observations.curated_observations(curated, catalog)


def test_indicators_may_belong_to_several_themes(catalog, obs):
    ind = catalog["fs_temporara_bostader_kommuncentral"]
    assert (ind.theme, ind.themes) == ("forsorjningsstod", ("forsorjningsstod", "hemloshet"))
    assert catalog["hem_forfragningar_socialt_boende"].themes == ("hemloshet",)
    rows = obs[obs.indicator == "fs_temporara_bostader_kommuncentral"]
    assert set(rows.themes) == {"forsorjningsstod;hemloshet"}
    frame = catalog_frame(catalog).set_index("id")
    assert frame.themes["fs_temporara_bostader_kommuncentral"] == "forsorjningsstod;hemloshet"


def test_the_catalog_lives_with_the_curated_data():
    from lib import paths

    assert CATALOG_DIR == paths.DATA_DIR / "curated" / "indicators"
    assert (CATALOG_DIR / "hemloshet.yml").is_file()


def test_an_unknown_theme_in_the_catalog_is_refused(tmp_path):
    target = tmp_path / "indicators"
    shutil.copytree(CATALOG_DIR, target)
    path = target / "forsorjningsstod.yml"
    text = path.read_text(encoding="utf-8").replace(
        "themes: [forsorjningsstod, hemloshet]", "themes: [forsorjningsstod, boende]", 1
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match="forsorjningsstod.yml indicator .*unknown theme.*boende"):
        load_catalog(target)
