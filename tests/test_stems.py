"""Swedish word forms in search (lib.text.stems) and sentences that read as text
(lib.report.statements.is_sentence), on the real reports."""

from __future__ import annotations

import pytest

from lib.report import search, statements
from lib.text import stems
from lib.text.themes import fold


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("skyddat boende", "Det skyddade boendet heter nu Kriscentrums skyddade boende"),
        ("vräkning", "att förhindra vräkningar"),
        ("vrakning", "att förhindra vräkningar"),
        ("hemlöshet", "personer i hemlösheten"),
        ("försörjningsstödet", "hushåll med försörjningsstöd"),
    ],
)
def test_a_query_finds_other_forms_of_its_words(query: str, text: str) -> None:
    assert stems.search_regex(query).search(fold(text))


def test_words_must_follow_each_other_and_start_a_word() -> None:
    regex = stems.search_regex("skyddat boende")
    assert not regex.search(fold("skyddat och tryggt boende"))
    assert not regex.search(fold("oskyddat boende"))
    assert not stems.search_regex("").search("vad som helst")


def test_fts_query_has_only_quoted_stems() -> None:
    assert stems.fts_query("skyddat boende") == '"skydd"* "boend"*'
    assert stems.fts_query("Skyddat boende", folded=False) == '"skydd"* "boend"*'
    assert stems.fts_query("vräkningar") == '"vrakning"*'
    assert stems.fts_query('" OR 1=1 --') == '"or"* "1"* "1"*'
    assert stems.fts_query("") == '""' and stems.fts_query(None) == '""'


def test_search_finds_kriscentrums_skyddade_boendet() -> None:
    # Gemensamma 2024, rad 4539: "Det skyddade boendet heter nu Kriscentrums skyddade
    # boende"; rad 4651 states the 81 (72) people who lived there
    hits = search.hits("skyddat boende")
    assert "Gemensamma 2024, rad 4539" in set(hits.källa)
    assert {"skyddade boendet", "skyddade boende"} <= {m.lower() for m in hits.träff}
    figures = search.figures(hits)
    kc = figures[figures.indicator == "vnr_kc_skyddat_boende_personer"]
    assert sorted(kc.value) == [72, 81]
    assert len(search.hits("vräkning")) == len(search.hits("vrakning")) > 0


@pytest.mark.parametrize(
    "text",
    [
        "Förfrågningar om skyddat boende ökade med 14 procent (58).",
        "Under 2024 har socialsekreterarna träffat 615 personer, varav 562 år under 18 år.",
        "Nettokostnaden inom kategoriområdet ökade med nio procent mellan 2023 och 2024 (70 mnkr).",
    ],
)
def test_sentences_of_the_reports_read_as_sentences(text: str) -> None:
    assert statements.is_sentence(text)


@pytest.mark.parametrize(
    "text",
    [
        # Delårsrapport 2024 (OCR), a flattened table of shares
        "Andel ärenden som 35% helår 33% helår avslutats med att behovet 38% 34% 34% 34 % "
        "tillgodosett, vuxna perioden perioden",
        "47% 42% 38% 38 % tillgodosett, . . perioden perioden försörjningsstöd",
        # Gemensamma 2024: a table row ending in its figure
        "Antal ärenden gällande ekonomiskt bistånd för begravningskostnader Centrum 106",
        "Verksamhetens kostnader -17 640 610 -18 250 -18 249 -17 019",
        # Delårsrapport 2024, rad 125: two cells of a row read into one line
        "Antal hushåll med försörjningsstöd (exkl 20% 2,7 % etableringsenheten)",
    ],
)
def test_table_rows_and_ocr_debris_are_not_sentences(text: str) -> None:
    assert not statements.is_sentence(text)


def test_statements_keep_real_sentences_only() -> None:
    found = statements.statements("forsorjningsstod", 2024, "Centrum")
    assert len(found) == 8
    for r in found.itertuples():
        assert "perioden perioden" not in r.left + r.match + r.right
        assert not r.right.rstrip("…").strip().endswith("106")


def test_a_search_takes_phrases_and_or() -> None:
    assert stems.parse('"skyddat boende" OR vräkningar') == [[["skydd", "boend"]], [["vräkning"]]]
    assert stems.fts_expression("skyddat boende") == '"skydd"* AND "boend"*'
    assert stems.fts_expression('"skyddat boende" OR vräkning') == (
        '("skydd"* + "boend"*) OR ("vrakning"*)'
    )
    assert stems.fts_expression('"') == '""' and stems.fts_expression("NEAR") == '""'
    assert stems.unsupported("a NEAR b NOT c NEAR") == ["NEAR", "NOT"]


def test_matching_folds_case_and_word_forms() -> None:
    assert stems.matches("Antal vuxna i SKYDDADE BOENDEN", "skyddat boende")
    assert stems.matches("Ökning av antalet", "ÖKNING") and stems.matches("ökning", "Ökning")
    assert not stems.matches("boende som är skyddat", '"skyddat boende"')
    assert stems.matches("boende som är skyddat", "skyddat boende")  # words anywhere
    assert stems.matches("vräkningar", "hemlöshet OR vräkning")
    assert not stems.matches(None, "x") and not stems.matches("x", "")
