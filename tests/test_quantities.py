"""Tests of lib.text.quantities on real lines of the five reports (raw 1-based line numbers)."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from checks import every

from lib.errors import DataError
from lib.text import number_tables, numbers, quantities
from lib.text.repaired import analysis_lines

GV = "gemensamma_verksamheter_2024"
AR22 = "sn_centrum_arsrapport_2022"
DEL = "sn_centrum_delarsrapport_2024_08"
OCR_SG = "sf_centrum_stadengemensam_2024"


@pytest.fixture(scope="module")
def q(c) -> pd.DataFrame:
    return quantities.quantities(c)


@pytest.fixture(scope="module")
def tok(c) -> pd.DataFrame:
    return quantities.numeric_tokens(c)


def rows(q: pd.DataFrame, doc_id: str, line: int) -> pd.DataFrame:
    return q[(q.doc_id == doc_id) & (q.line == line)].sort_values("start")


def one(q: pd.DataFrame, doc_id: str, line: int, value: float) -> pd.Series:
    r = rows(q, doc_id, line)
    r = r[r.value == value]
    assert len(r) == 1, f"{doc_id}:{line} has {len(r)} rows with value {value}"
    return r.iloc[0]


def test_no_digit_token_dropped(c, tok):
    """Every whitespace-separated token with a digit, counted independently, has a row."""
    have = set(zip(tok.doc_id, tok.line, tok.start, tok.end, tok.token, strict=True))
    n = 0
    for doc_id in c.doc_ids:
        for i, line in enumerate(analysis_lines(c, doc_id)):
            for m in re.finditer(r"\S*\d\S*", line):
                n += 1
                assert (doc_id, i + 1, m.start(), m.end(), m.group()) in have, (doc_id, i + 1, m)
    assert n == len(tok) and n > 2500
    assert set(tok.kind) <= set(quantities.KINDS)


def test_tokens_link_to_quantities(tok, q):
    linked = tok.dropna(subset=["quantity_id"])
    assert every(linked.kind == "quantity")
    assert set(linked.quantity_id) <= set(q.quantity_id)
    assert every(tok[tok.kind == "quantity"].quantity_id.notna())


def test_schemas_validate(c):
    from lib.publish import registry

    built = quantities.tables(c)
    assert set(built) == {"quantities", "numeric_tokens"} == set(quantities.SCHEMAS)
    for name, df in built.items():
        checked = registry.validate(name, df)
        assert len(checked) == len(df) > 1000, name
        assert list(checked.columns) == list(quantities.SCHEMAS[name].columns)
    # a broken table is refused: a duplicated key
    q = built["quantities"]
    with pytest.raises(DataError, match="key .* is not unique"):
        registry.validate("quantities", pd.concat([q, q.head(1)]))


def test_thousands_separator_and_count_noun(q, c):
    # 3869: "2024 gjordes 23 315 registreringar av händelser (jämfört"
    assert "23 315 registreringar" in c.raw_lines(GV)[3868]
    r = one(q, GV, 3869, 23315.0)
    assert (r.unit, r.raw, r.period) == ("registreringar", "23 315 registreringar", "2024")
    # 3870: "med 26 669 för 2023)" — the comparison value in the parenthesis
    assert one(q, GV, 3870, 26669.0).period == "2023"


def test_nbsp_and_narrow_nbsp_are_thousands_separators():
    for sep in ("\u00a0", "\u202f", " "):
        m = numbers.NUMBER.search(f"totalt 23{sep}315 besök")
        assert m and numbers.parse_value(m["sign"], m["int"], m["frac"]) == 23315.0


def test_decimal_comma_and_mnkr(q):
    # 2333: "För 2023 uppgick dessa bidrag till 18,6 mnkr och för 2024 uppgick det till 19,1 mnkr."
    a, b = one(q, GV, 2333, 18.6), one(q, GV, 2333, 19.1)
    assert (a.unit, a.scale, a.period) == ("mnkr", 1e6, "2023")
    assert (b.unit, b.period) == ("mnkr", "2024")


def test_tkr_mdkr_and_approximations(q):
    # 3480: "vilket för 2025 uppgår till 3 035 tkr."
    r = one(q, GV, 3480, 3035.0)
    assert (r.unit, r.scale, r.period) == ("tkr", 1e3, "2025")
    # 924: "omsorg från privata utförare för cirka 2,5 mdkr per år."
    r = one(q, GV, 924, 2.5)
    assert (r.unit, r.scale, r.approx) == ("mdkr", 1e9, True)
    # 4381: "Under 2024 hanterade verksamheten drygt 328 miljoner kronor"
    r = one(q, GV, 4381, 328.0)
    assert (r.unit, r.approx, r.period, r.raw) == ("mnkr", True, "2024", "328 miljoner kronor")
    # 4396: "knappt 80 miljoner kr"
    assert one(q, GV, 4396, 80.0).approx
    # 2685: "fem procent från cirka 870 till 820 personer": the range takes the unit
    r = one(q, GV, 2685, 870.0)
    assert (r.unit, r.approx) == ("personer", True)
    assert not one(q, GV, 2685, 820.0).approx


def test_word_numbers(q):
    # 3477: "Inom verksamheten är det sju årsarbetare"; 3860: "Tolv ärenden"
    assert one(q, GV, 3477, 7.0).unit == "årsarbetare"
    assert one(q, GV, 3860, 12.0).unit == "ärenden"
    # 2608: "Placeringsdygnen har minskat med nio procent 2024 jämfört med 2023"
    r = one(q, GV, 2608, 9.0)
    assert (r.unit, r.change, r.period, r.base_period) == ("procent", True, "2024", "2023")


def test_number_broken_across_lines(q):
    # 2669 ends "(cirka 15 ", 2671 starts "000 dygn)."
    r = one(q, GV, 2669, 15000.0)
    assert (r.line_end, r.unit, r.approx) == (2671, "dygn", True)


def test_side_by_side_cells_read_from_header(q, c):
    # 3946 "Ärendetyp  2024 2023 Kommentar"; 3947 "Samarbetssamtal 515 522 Sammantaget ..."
    assert c.raw_lines(GV)[3946].startswith("Samarbetssamtal 515 522")
    r = rows(q, GV, 3947)
    assert list(zip(r.value, r.period, strict=True)) == [(515.0, "2024"), (522.0, "2023")]
    assert every(r.label == "Samarbetssamtal")
    assert not (q.value == 515522.0).any()
    # the OCR twin, 000 line 244: "Samarbetssamtal 515 522 | Sammantaget ..."
    r = rows(q, OCR_SG, 244)
    assert list(zip(r.value, r.period, strict=True)) == [(515.0, "2024"), (522.0, "2023")]


def test_spink_table_double_space_cells(q):
    # 1109 "Socialt boende  3 781  4 080  299  8%" (Jan-Dec 2023, Jan-Dec 2024, Diff., %)
    r = rows(q, GV, 1109)
    assert list(r.value) == [3781.0, 4080.0, 299.0, 8.0]
    assert list(r.period) == ["2023", "2024", "2024", "2024"]
    assert list(r.base_period.fillna("")) == ["", "", "2023", "2023"]
    assert r.unit.iloc[-1] == "procent"


def test_ambiguous_row_split_into_columns(q):
    # 3078 "Verksamhetens nettokostnader 1 360 168 1 192 1 192 1 051": five tkr columns
    r = rows(q, GV, 3078)
    assert list(r.value) == [1360.0, 168.0, 1192.0, 1192.0, 1051.0]
    assert list(r.basis) == ["utfall", "avvikelse", "budget", "prognos", "utfall"]
    assert every(r.unit == "tkr") and every(r.scale == 1e3)


def test_key_figure_table_year_columns(q):
    # 328 "Mått/Indikator<TAB>Utfall 2020<TAB>Utfall 2021<TAB>Utfall 2022<TAB>Målvärde 2022"
    # 329 "Antal hushåll som någon gång under året uppburit försörjningsstöd<TAB>3 028 …"
    r = rows(q, AR22, 329)
    assert list(r.value) == [3028.0, 2823.0, 2267.0, 2631.0]
    assert list(r.period) == ["2020", "2021", "2022", "2022"]
    assert list(r.basis) == ["utfall", "utfall", "utfall", "mål"]
    # 116 "Mått<TAB>2020<TAB>2021<TAB>2022"; 117 "Nettokostnad IFO totalt<TAB>1 057 484 …"
    r = rows(q, AR22, 117)
    assert list(zip(r.value, r.period, strict=True)) == [
        (1057484.0, "2020"),
        (1078250.0, "2021"),
        (1141806.0, "2022"),
    ]
    # 120: empty 2020 cell, then "0,4 %" and "-8,7 %"
    r = rows(q, AR22, 120)
    assert list(zip(r.value, r.period, r.unit, strict=True)) == [
        (0.4, "2021", "procent"),
        (-8.7, "2022", "procent"),
    ]
    # 886 "Antal anmälningar enligt Lex Sarah	0	1" under "Kvartal 3 2022	Kvartal 4 2022"
    r = rows(q, AR22, 886)
    assert list(r.period) == ["2022-07/2022-09", "2022-10/2022-12"]


def test_parenthesis_prior_year_idiom(q):
    # 4651 "I det skyddade boendet har 81 personer (72 år 2023) bott under 2024."
    a, b = one(q, GV, 4651, 81.0), one(q, GV, 4651, 72.0)
    assert (a.unit, a.period) == ("personer", "2024")
    assert (b.unit, b.period) == ("personer", "2023")
    # 4681 "genomfört 2051 besök (2253 år 2023)": 2051 is a count, not a year
    assert one(q, GV, 4681, 2051.0).period == "2024"
    assert one(q, GV, 4681, 2253.0).period == "2023"


def test_from_to_idiom(q):
    # 2586 "ökade från 409 miljoner kronor år 2023 till" / 2588 "448 miljoner kronor år 2024."
    a, b = one(q, GV, 2586, 409.0), one(q, GV, 2588, 448.0)
    assert (a.unit, a.scale, a.period) == ("mnkr", 1e6, "2023")
    assert (b.unit, b.period, b.change) == ("mnkr", "2024", False)
    # 2629-2631 "från 25 till 26 miljoner kronor 2024 jämfört med 2023"
    assert (one(q, GV, 2629, 25.0).period, one(q, GV, 2629, 26.0).period) == ("2023", "2024")


def test_jamfort_med_in_ocr_delarsrapport(q):
    # 139 "Antal boendedygn socialt boende vuxna -6,8% -4,9 %" under the header
    # "Utfall perioden jämfört med samma period föregående år | Prognos helår jämfört med ..."
    r = rows(q, DEL, 139)
    assert list(r.value) == [-6.8, -4.9]
    assert list(r.period) == ["2024-01/2024-08", "2024"]
    assert list(r.base_period) == ["2023-01/2023-08", "2023"]
    assert every(r.change) and every(r.unit == "procent")
    # 98 "... oförändrad på 34% jämfört med samma period föregående år." The section's
    # period is 1 January - 30 June 2024 (77 "januari till och med 30 juni 2024").
    r = one(q, DEL, 98, 34.0)
    assert (r.period, r.base_period, r.change) == ("2024-01/2024-06", "2023-01/2023-06", True)


def test_references_years_dates_pages_sections(tok):
    def kinds(doc_id, line):
        t = tok[(tok.doc_id == doc_id) & (tok.line == line)]
        return dict(zip(t.token, t.kind, strict=True))

    assert kinds(GV, 4120)["(2015:417)"] == "reference"  # lag (2015:417) om arv
    k = kinds(GV, 3812)  # kapitel 2 § 17.
    assert k["2"] == "reference" and k["17."] == "reference"
    assert kinds(GV, 775) == {"2024": "year", "6": "page", "(6)": "page"}
    k = kinds(AR22, 808)  # 2022-11-29 §245.
    assert (k["2022-11-29"], k["§245."]) == ("date", "reference")
    assert kinds(AR22, 87)["2.1.1"] == "section"
    assert kinds(AR22, 819)["9001,"] == "other"  # Speckod column
    assert kinds(GV, 3869)["2024"] == "year"
    assert kinds(GV, 4681)["2051"] == "quantity"


def test_questionnaire_percentages(q):
    # 004 line 518 "arbetar 100% med felaktiga utbetalningar"
    r = one(q, "sf_sydvast_trygghet_uppfoljning_2023", 518, 100.0)
    assert r.unit == "procent"


def test_deterministic(c):
    # Two extractions of the whole corpus give the same tables (the stage's time is measured
    # by make bench-build, not asserted here).
    a = quantities._build.__wrapped__(c)
    b = quantities._build.__wrapped__(c)
    assert len(a[0]) > 1000 and len(a[1]) > 1000
    for x, y in zip(a, b, strict=True):
        pd.testing.assert_frame_equal(x, y)


# --------------------------------------------------------------------------- OCR'd tables


def cells(q: pd.DataFrame, doc_id: str, line: int) -> list[tuple]:
    r = rows(q, doc_id, line)
    return list(zip(r.value, r.period, r.basis, strict=True))


def test_delarsrapport_key_figures_scrambled_table(q, c):
    # 58 "Mått/nyckeltal Utfall 2022 Utfall 2023 perioden Pl;ognos"; 61 "Andel ärenden som
    # 76% helår 76% helår 79% 79 %"; 62 "avslutats med att behovet 79% 7%"
    assert c.raw_lines(DEL)[60] == "Andel arenden som 76% helar 76% helar 79% 79 %"
    assert cells(q, DEL, 61) == [
        (76.0, "2022", "utfall"),
        (76.0, "2023", "utfall"),
        (79.0, "2024-01/2024-06", "utfall"),
        (79.0, "2024", "prognos"),
    ]
    assert cells(q, DEL, 62) == [
        (79.0, "2022-01/2022-06", "utfall"),
        (7.0, "2023-01/2023-06", "utfall"),
    ]  # OCR: 77 % in the text
    # 69 ". 47% 42% 38% 38 %": försörjningsstöd, perioden 2022 and 2023, then 2024
    r = rows(q, DEL, 69)
    assert list(r.period) == ["2022-01/2022-06", "2023-01/2023-06", "2024-01/2024-06", "2024"]
    assert every(r.unit == "procent")
    assert r.label.iloc[0] == (
        "Andel ärenden som avslutats med att behovet tillgodosett, försörjningsstöd"
    )
    # 104 "Första halvåret 2024 var andelen 38% jämfört med 42%" agrees with the table
    assert one(q, DEL, 104, 38.0).period == "2024-01/2024-06"


def test_delarsrapport_hr_table(q, tok):
    # 568 "Årsarbetare 452,6 442,3 858 839" was read as 452,6 / 442,3 / 858 839
    assert cells(q, DEL, 568) == [
        (452.6, "2024-01/2024-06", "utfall"),
        (442.3, "2023-01/2023-06", "utfall"),
        (858.0, "2023", "utfall"),
        (839.0, "2024", "prognos"),
    ]
    assert every(rows(q, DEL, 568).unit == "årsarbetare")
    assert every(rows(q, DEL, 569).unit == "procent")  # Total sjukfrånvaro (%)
    # 570 "Antal förvaltningsexterna 41 51": current period and the same period 2023
    assert [p for _, p, _ in cells(q, DEL, 570)] == ["2024-01/2024-06", "2023-01/2023-06"]
    # 564 "sedan i pe 9 Utfall 2023": header debris
    t = tok[(tok.doc_id == DEL) & (tok.line == 564)]
    assert dict(zip(t.token, t.kind, strict=True)) == {"9": "other", "2023": "year"}


def test_delarsrapport_result_summary_table(q, tok):
    # 658 "Intäkter 104 96 8 101 161 158 144 162" (was one number 8 101 161 158 144 162)
    assert cells(q, DEL, 658) == [
        (104.0, "2024-01/2024-08", "utfall"),
        (96.0, "2024-01/2024-08", "budget"),
        (8.0, "2024-01/2024-08", "avvikelse"),
        (101.0, "2023-01/2023-08", "utfall"),
        (161.0, "2024", "prognos"),
        (158.0, "2024", "prognos"),
        (144.0, "2024", "budget"),
        (162.0, "2023", "utfall"),
    ]
    assert every(rows(q, DEL, 658).unit == "mnkr")
    # 659 "-1 -1" and 661 "Kostnader -974 004 30 ...": budget cells split over two lines
    r = rows(q, DEL, 661)
    assert list(r.value) == [-974.0, 30.0, -948.0, -1517.0, -1523.0, -1450.0]
    t = tok[(tok.doc_id == DEL) & tok.line.isin([659, 661])]
    assert list(t[t.kind == "other"].token) == ["-1", "-1", "004", "529"]
    # 665 "Resultat 52 15 36 25 28 18 0 24": avvikelse 36 = "överskott ... 36 miljoner" (672)
    assert cells(q, DEL, 665)[2] == (36.0, "2024-01/2024-08", "avvikelse")


def test_delarsrapport_result_per_department_table(q):
    # 970 "Barn och unga 5,8 - 5,8 0 0": the dash is an empty budget cell, not a minus sign
    assert cells(q, DEL, 970) == [
        (5.8, "2024-01/2024-08", "utfall"),
        (5.8, "2024-01/2024-08", "avvikelse"),
        (0.0, "2024", "prognos"),
        (0.0, "2024", "prognos"),
    ]
    assert not ((q.doc_id == DEL) & (q.value == -5.8)).any()
    r = rows(q, DEL, 986)  # Totalt 51,7 15,4 36,3 28,0 18,0
    assert list(r.value) == [51.7, 15.4, 36.3, 28.0, 18.0]
    assert list(r.column.str.split(" \\(").str[0]) == [
        "Utfall och prognos per avdelning: " + name
        for name in (
            "Ackumulerat utfall augusti",
            "Ackumulerad budget augusti",
            "Avvikelse",
            "Prognos augusti",
            "Prognos maj",
        )
    ]


def test_cell_declaration_that_does_not_fit_fails(c):
    doc = numbers.Doc(c, DEL)
    st = numbers.State(doc, bytearray(len(doc.text)))
    spec = {"name": "t", "header": [1, 1], "columns": {"u": {"name": "u"}}}
    with pytest.raises(DataError, match="cannot place '77% u'"):
        number_tables._cell_line(st, spec, "x", 61, "77% u", "procent")


def test_prose_periods_delarsrapport(q):
    # 84-86 "ökning med två procentenheter jämfört med samma tidsperiod förra året och med
    # tre procentenheter jämfört med helåret 2023"
    a, b = one(q, DEL, 84, 2.0), one(q, DEL, 86, 3.0)
    assert (a.change, a.period, a.base_period) == (True, "2024-01/2024-06", "2023-01/2023-06")
    assert (b.change, b.period, b.base_period) == (True, "2024-01/2024-06", "2023")
    # 672 "överskott till och med augusti på 36 miljoner kronor"
    assert one(q, DEL, 672, 36.0).period == "2024-01/2024-08"
    # 1009 "en prognos på 21 miljoner kronor för helåret"
    r = one(q, DEL, 1009, 21.0)
    assert (r.period, r.basis) == ("2024", "prognos")


# --------------------------------------------------------------------------- missing periods


def test_comparison_stated_once_for_a_section(q):
    # 1153 "Samtliga jämförelser avser helår 2024 i förhållande till föregående år om inget
    # annat anges"; 1169 "Förfrågningar inom socialt boende med stöd ökade med åtta procent (299)."
    for value in (8.0, 299.0):
        r = one(q, GV, 1169, value)
        assert (r.change, r.period, r.base_period) == (True, "2024", "2023")
    # 1302-1306 "minskade 2023 i förhållande till 2022 med 11 procent och ... under 2024 då
    # förfrågningarna minskat med nio procent (-34)": the 2022 base belongs to the first clause
    r = one(q, GV, 1304, 11.0)
    assert (r.change, r.period, r.base_period) == (True, "2023", "2022")
    r = one(q, GV, 1306, -34.0)
    assert (r.change, r.period, r.base_period) == (True, "2024", "2023")


def test_the_year_before(q):
    # 4384 "cirka 1 000 (att jämföras med 1 200 för 2023 och 750 året innan)"
    assert [one(q, GV, 4384, v).period for v in (1000.0, 1200.0, 750.0)] == ["2024", "2023", "2022"]


def test_funding_split_table(q):
    # 247 "Nordost 37,9 % 4 187 500 3 429 950" under "Fördelningsnyckel | Summa fördelad
    # kostnad 2025 | 2024 års fördelning" (241-245)
    r = rows(q, GV, 247)
    assert list(zip(r.value, r.unit, r.period, strict=True)) == [
        (37.9, "procent", "2025"),
        (4187500.0, "kr", "2025"),
        (3429950.0, "kr", "2024"),
    ]
    assert list(rows(q, GV, 251).value) == [100.0, 11050000.0, 9050000.0]


def test_key_figure_table_unit_tkr(q):
    # 116 "Mått 2020 2021 2022" has no unit; the Nettokostnad rows are tkr (see the vocabulary)
    r = rows(q, AR22, 117)
    assert every(r.unit == "tkr") and every(r.scale == 1e3)
    assert every(rows(q, AR22, 118).unit == "procent")  # Nettokostnadsutveckling
    assert every(rows(q, AR22, 121).unit == "antal")  # Antal hushåll ...


def test_numbers_in_labels_and_age_brackets_are_other(q, tok):
    def kinds(doc_id, line):
        t = tok[(tok.doc_id == doc_id) & (tok.line == line)]
        return dict(zip(t.token, t.kind, strict=True))

    # 395 "Andel ej återaktualiserade ärenden 0-12 år<TAB><TAB>89%<TAB>89%<TAB>89%"
    assert kinds(AR22, 395) == {"0-12": "other", "89%": "quantity"}
    assert len(rows(q, AR22, 395)) == 3
    # 396 "Verkställda vräkningar/avhysningar som berör barn (per 100 000 invånare)"
    assert kinds(AR22, 396)["100"] == "other"
    # 377 prose "ärenden inom ett år, 0-12 år, ligger på 89 procent"
    assert kinds(AR22, 377)["0-12"] == "other"
    # 3914 "Två barngrupper om 5-6 barn i åldrarna 7-9 respektive 10-12 år"
    k = kinds(GV, 3914)
    assert (k["7-9"], k["10-12"], k["5-6"]) == ("other", "other", "quantity")


# --------------------------------------------------------------------------- sentences


def test_sentence_of_each_quantity(q, c):
    assert every(q.sentence.notna()) and every(q.sentence.str.len() > 0)
    assert one(q, GV, 4651, 72.0).sentence == (
        "I det skyddade boendet har 81 personer (72 år 2023) bott under 2024."
    )
    # a sentence over three raw lines (2586-2588)
    assert one(q, GV, 2588, 448.0).sentence == (
        "Nettokostnaderna för socialt boende ökade från 409 miljoner kronor år 2023 till "
        "448 miljoner kronor år 2024."
    )
    # the OCR'd report: the repaired text ("oförändrad", not "oforandrad")
    assert one(q, DEL, 98, 34.0).sentence.endswith(
        "oförändrad på 34% jämfört med samma period föregående år."
    )
    # a table row is its own passage
    assert one(q, AR22, 117, 1141806.0).sentence.startswith("Nettokostnad IFO totalt")
    for r in q.sample(200, random_state=0).itertuples():
        assert re.sub(r"\s+", " ", r.raw).strip() in r.sentence, r.quantity_id
