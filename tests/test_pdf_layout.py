"""PDF page layout beyond one page and one generator's habits: a table continued on the next
page, a row broken by a page break, the known-word share that tells an unreadable text layer,
hyphens of any code point, and Ctrl-C inside a C library call. The word boxes and page lines
here are placed by the tests (each says what it stands for); tests/test_pdf_generators.py
checks the same on PDFs printed by Chromium and LibreOffice.
"""

from __future__ import annotations

import pytest

from lib.core import runs
from lib.sources import pagejoin, pagelayout, pdftext

REPORT = "sn_centrum_arsrapport_2022"


# ---------------------------------------------------------------- layout across pages


def _boxes(rows: list[list[tuple[float, str]]], top: float = 100.0) -> list[pdftext.Word]:
    """Word boxes of table rows 16 pt apart: per cell its right edge (a label its left
    edge, at 60) and text; each word 5.5 pt per character, words 3 pt apart."""
    words: list[pdftext.Word] = []
    for k, row in enumerate(rows):
        y = top + 16 * k
        for x, text in row:
            width = 5.5 * len(text) + 3 * (len(text.split()) - 1)
            x0 = x if x == 60 else x - width
            for word in text.split():
                words.append((x0, y, x0 + 5.5 * len(word), y + 10, word))
                x0 += 5.5 * len(word) + 3
    return words


def test_a_table_continued_on_the_next_page_keeps_its_columns():
    # The key-figure table of the 2022 årsrapport (lines 116-120) broken after its second
    # row, as placed word by word here: on the next page only rows whose 2020 cell is empty.
    first = [
        [(60, "Mått"), (400, "2020"), (480, "2021"), (560, "2022")],
        [
            (60, "Nettokostnad IFO totalt"),
            (400, "1 057 484"),
            (480, "1 078 250"),
            (560, "1 141 806"),
        ],
    ]
    second = [
        [(60, "Nettokostnadsutveckling IFO totalt"), (480, "2,0 %"), (560, "5,9 %")],
        [(60, "Nettokostnadsutveckling försörjningsstöd"), (480, "0,4 %"), (560, "-8,7 %")],
    ]
    lines, carry = pagelayout.page_layout(_boxes(first), 595.0)
    assert lines == [
        "Mått\t2020\t2021\t2022",
        "Nettokostnad IFO totalt\t1 057 484\t1 078 250\t1 141 806",
    ]
    alone = pagelayout.page_lines(_boxes(second), 595.0)
    assert alone[0] == "Nettokostnadsutveckling IFO totalt\t2,0 %\t5,9 %"  # a column short
    continued, _ = pagelayout.page_layout(_boxes(second), 595.0, carry=carry)
    assert continued == [
        "Nettokostnadsutveckling IFO totalt\t\t2,0 %\t5,9 %",
        "Nettokostnadsutveckling försörjningsstöd\t\t0,4 %\t-8,7 %",
    ]


def test_a_row_broken_by_a_page_break_is_joined_below_the_repeated_header():
    # Lines as two pages of a LibreOffice PDF give them (tests/test_pdf_generators.py prints
    # the real ones): the row's label wraps, and the page breaks inside it.
    pages = [
        [
            "Årsrapport 2022",
            "Mått\t2020\t2021\t2022",
            "Nettokostnadsutveckling barn\t\t29,1 %\t13,9 %",
            "Sida 1 (2)",
        ],
        [
            "Årsrapport 2022",
            "Mått\t2020\t2021\t2022",
            "och unga\t\t\t",
            "Antal barn och unga i familjehem\t144\t148\t149",
            "Sida 2 (2)",
        ],
    ]
    assert pagejoin.join_broken_rows(pages) == 1
    assert pages[0][2] == "Nettokostnadsutveckling barn och unga\t\t29,1 %\t13,9 %"
    assert pages[1][1:3] == [
        "Mått\t2020\t2021\t2022",
        "Antal barn och unga i familjehem\t144\t148\t149",
    ]
    # A new row (its label capitalised) is not joined to the row before.
    assert pagejoin.join_broken_rows(pages) == 0
    # Nor a lower-case row after a finished one (a label closed by a bracket, a value).
    pages = [
        ["Mått\t2020\t2021\t2022", "Antal hushåll (stadsområde)\t1 791\t1 694\t1 470", "Sida 1"],
        ["varav barnfamiljer\t\t\t", "Antal barn\t144\t148\t149", "Sida 2"],
    ]
    assert pagejoin.join_broken_rows(pages) == 0


def test_known_word_share_of_real_text_and_of_glyph_codes(c):
    real = c.raw_lines(REPORT)
    share, n = pagejoin.known_share(real)
    assert n == 5000 and share > 0.9
    # The garbled text layer quoted in issue 16 (a PDF whose fonts lack a Unicode map).
    garbled = ["UVUDSSRUW Ȋ 6RFLDOQ¤PQGHQ &HQWUXP"] * 30
    assert pagejoin.known_share(garbled)[0] < 0.1


@pytest.mark.parametrize("hyphen", ["-", "\u00ad", "\u2010", "\u2011"])
def test_a_word_broken_by_any_hyphen_at_a_line_end_is_rejoined(hyphen):
    from lib.sources.words import join_lines

    assert join_lines(f"har minskat för försörjningss{hyphen}", "töd i stadsområdet")[0] == (
        "har minskat för försörjningsstöd i stadsområdet"
    )
    # A compound's hyphen before "och" stays as printed; a soft one shows as "-".
    assert join_lines(f"vård{hyphen}", "och omsorg")[0] == (
        f"vård{hyphen.replace(chr(0xAD), '-')} och omsorg"
    )


def test_ctrl_c_inside_a_c_library_call_is_an_interruption(monkeypatch, capsys):
    # The reported traceback: SIGINT while ctypes converted an argument for PDFium became a
    # ctypes.ArgumentError. Here a real ctypes call (libc's abs) whose argument conversion
    # receives SIGINT, inside a command run by python -m lib's main().
    import ctypes
    import os
    import signal

    import lib.__main__ as cli

    class Interrupting:
        @classmethod
        def from_param(cls, obj: int) -> int:
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(100_000):  # the signal handler runs here, inside the conversion
                pass
            return obj

    libc_abs = ctypes.CDLL(None).abs
    libc_abs.argtypes = [Interrupting]
    # What the library raises by itself:
    with pytest.raises(ctypes.ArgumentError), runs.stop_on_signals():
        libc_abs(3)
    monkeypatch.setattr(cli, "_cmd_check", lambda args: libc_abs(3))
    assert cli.main(["check"]) == runs.EXIT_INTERRUPTED
    assert capsys.readouterr().err == "interrupted: stopped\n"
