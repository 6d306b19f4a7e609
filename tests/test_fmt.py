"""Swedish number formatting and the Excel-friendly CSV export."""

from __future__ import annotations

import pandas as pd
import pytest

from lib import paths
from lib.core import formats
from lib.errors import DataError
from lib.report import fmt

NB = "\u00a0"


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1234.5, None, f"1{NB}234,5"),
        (4080.0, None, f"4{NB}080"),
        (139801, None, f"139{NB}801"),
        (-27.0, None, "\u221227"),
        (0.0, None, "0"),
        (24.25, None, "24,25"),
        (7.9, 2, "7,90"),
        (1234567.891, 1, f"1{NB}234{NB}567,9"),
    ],
)
def test_number(value, decimals, expected):
    assert formats.number(value, decimals) == expected


def test_number_sign_and_missing():
    assert formats.number(299, sign=True) == "+299"
    assert formats.number(-0.04, 1) == "0,0"  # rounds to zero: no sign
    assert formats.number(float("nan")) == formats.NA
    assert formats.number(None) == formats.NA
    assert formats.number(pd.NA) == formats.NA


def test_percent_and_pvalue():
    assert formats.percent(12.34) == f"12,3{NB}%"
    assert formats.percent(7.9, sign=True) == f"+7,9{NB}%"
    assert formats.percent(-22.06) == f"\u221222,1{NB}%"
    assert formats.pvalue(0.0004) == f"<{NB}0,001"
    assert formats.pvalue(0.0123) == "0,012"


def test_source_reference():
    assert (
        formats.source("2024_gemensamma_verksamheter_arsrapporter.txt", 1109)
        == "2024_gemensamma_verksamheter_arsrapporter.txt, rad 1109"
    )


def test_swedish_headers_select_and_reject_unknown():
    df = pd.DataFrame({"label": ["a"], "value": [1.0], "line": [3]})
    assert list(fmt.swedish(df, ["value", "line"]).columns) == ["Värde", "Rad"]
    with pytest.raises(DataError, match="not in the table"):
        fmt.swedish(df, ["nope"])


def test_table_html_is_swedish_compact_and_deterministic():
    df = fmt.swedish(
        pd.DataFrame(
            {
                "label": ["Socialt boende"],
                "value": [4080.0],
                "line": [1109],
                "p_value": [0.0001],
                "doc_id": ["gemensamma_verksamheter_2024"],
            }
        )
    )
    df = df.rename(columns={"Benämning": "Föregående år"})
    a, b = fmt.table_html(df, "x"), fmt.table_html(df, "x")
    assert a == b
    assert '<table id="T_x" class="gbg-tabell">' in a and "#T_x .r{text-align:right}" in a
    assert f'<td class="r">4{NB}080</td>' in a and "<td>1109</td>" in a  # line: no grouping
    assert f"<{NB}0,001" in a.replace("&lt;", "<")
    assert "Före\u00adgående år</th>" in a  # soft hyphen keeps the column narrow
    assert "gemensamma_<wbr>verksamheter_<wbr>2024" in a


def test_short_source_and_labels_of_every_report():
    ref = formats.source("2024_gemensamma_verksamheter_arsrapporter.txt", 1109)
    assert fmt.short_source(ref) == f"Gemensamma 2024, rad{NB}1109"
    assert fmt.short_source("ingen källa") == "ingen källa"
    assert fmt.short_source(None) == formats.NA
    files = sorted(p.name for p in paths.RAW_DIR.glob("*.txt"))
    labels = {fmt.source_label(f) for f in files}
    assert len(files) == 5 and len(labels) == 5  # every report has its own short label
    assert fmt.source_label("2022_sn_centrum_arsrapport.txt") == "Årsrapport 2022"
    assert fmt.source_label("okand.txt") == "okand"


def test_qualified_numbers():
    assert formats.qualified(20000, "≈") == f"ca{NB}20{NB}000"
    assert formats.qualified(5, "<") == f"<{NB}5"
    assert formats.qualified(4080, None) == f"4{NB}080"
    assert formats.qualified(float("nan"), "≈") == formats.NA


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2024-01/2024-08", "jan–aug 2024"),
        ("2024-07/2024-07", "jul 2024"),
        ("2023-09/2024-08", "sep 2023–aug 2024"),
        ("2024-12-31", "31 dec 2024"),
        ("2023/2024", "2023/2024"),
        ("2024", "2024"),
    ],
)
def test_period_in_words(period, expected):
    assert formats.period(period, nobreak=False) == expected
    assert formats.period(period) == expected.replace(" ", NB).replace("–", "–\u2060")


def test_csv_for_excel(tmp_path):
    df = fmt.swedish(pd.DataFrame({"label": ["Nettokostnad"], "value": [24.2], "line": [2860]}))
    path = fmt.save_table(df, tmp_path / "ut", "kostnad")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == "Benämning;Värde;Rad\nNettokostnad;24,2;2860\n"
    assert fmt.save_table(df, "", "kostnad") is None
    assert [p.name for p in (tmp_path / "ut").iterdir()] == ["kostnad.csv"]  # no temp left


def test_output_dir_that_is_a_file(tmp_path):
    f = tmp_path / "fil"
    f.write_text("x")
    with pytest.raises(DataError, match="is a file"):
        fmt.check_output_dir(f)
