"""lib.report.search (the notebook 05_sok): hits with sources on the real processed tables."""

from __future__ import annotations

import pytest

from lib.errors import DataError
from lib.report import plots, processed, search
from lib.sources import corpus

AR22 = "sn_centrum_arsrapport_2022"
DELAR = "sn_centrum_delarsrapport_2024_08"


@pytest.fixture(scope="module")
def raw():
    c = corpus.load()
    return {d: c.raw_lines(d) for d in c.doc_ids}


def test_hits_stand_on_their_lines_with_or_without_diacritics(raw):
    hits = search.hits("vräkning")
    assert hits[["rapport", "line"]].values.tolist()[:2] == [["Årsrapport 2022", 379]] * 2
    assert hits.equals(search.hits("vrakning"))
    for h in hits.itertuples():
        assert h.träff.lower() in raw[h.doc_id][h.line - 1].lower()
        assert h.källa == f"{h.rapport}, rad {h.line}"
    assert set(hits.träff.str.lower()) >= {"vräkningar"}  # a word start runs on


def test_repaired_ocr_text_is_searched_and_ocr_twins_are_left_out(raw):
    hits = search.hits("försörjningsstöd", year=2024)
    delar = hits[hits.doc_id == DELAR]
    assert len(delar) > 10
    assert any("försörjningsstöd" not in raw[DELAR][n - 1] for n in delar.line)  # repaired
    docs = processed.load("documents")
    twins = set(docs[docs.same_report_as.notna() & (docs.text_quality == "ocr")].doc_id)
    assert twins and not twins & set(search.hits("försörjningsstöd").doc_id)


def test_filters_by_theme_year_and_district():
    every = search.hits("försörjningsstöd")
    assert set(every.år) == {2022, 2023, 2024}
    centrum = search.hits("försörjningsstöd", year=2024, district="Centrum")
    assert set(centrum.rapport) == {"Delårsrapport 2024"} and len(centrum) < len(every)
    themed = search.hits("hushåll", theme="forsorjningsstod")
    assert 0 < len(themed) < len(search.hits("hushåll"))


def test_counts_and_figures_of_the_matching_sentences():
    hits = search.hits("skyddat boende")
    counts = search.counts(hits)
    assert counts.träffar.sum() == len(hits)
    assert counts.rapport.tolist() == ["Årsrapport 2022", "Delårsrapport 2024", "Gemensamma 2024"]
    figures = search.figures(hits)
    spink = figures[figures.indicator == "vnr_spink_forfragningar_skyddat_boende"]
    assert sorted(spink.value) == [409, 467] and set(spink.line) == {1115}
    assert plots.search_counts(counts, "skyddat boende") is not None
    assert search.figures(search.hits("xyzzy")).empty and search.counts(hits.iloc[:0]).empty


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"query": ""}, "query='': give a word or a phrase"),
        ({"query": "..."}, "query='...': give a word or a phrase"),
        ({"query": "x", "year": "2024"}, "year='2024': give a year as a number"),
        ({"query": "x", "year": 1999}, "year=1999: unknown; choose one of 2022, 2023, 2024"),
        ({"query": "x", "district": "Angered"}, "district='Angered': unknown; choose one of"),
        ({"query": "x", "theme": "hem"}, "theme='hem': unknown; choose one of hemloshet"),
    ],
)
def test_bad_parameters_are_one_line_errors(kwargs, message):
    with pytest.raises(DataError, match=message.replace("(", r"\(")) as err:
        search.hits(**kwargs)
    assert "\n" not in str(err.value)
