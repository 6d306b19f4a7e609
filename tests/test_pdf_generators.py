"""PDFs as other generators make them: headless Chromium's print-to-PDF and LibreOffice.

The PDFs are printed in the session (tests/pdf_generators.py: real passages of the 2022
årsrapport, Socialnämnden Centrum, and of the 2024 annual reports of the city's common
services, with Word-like styles, at line spacing 1.0, 1.15 and 1.5), once for all the tests
and workers, into the session's temporary directory. A generator that is not installed
skips its tests and says why (``make test`` installs both as root on Debian). Printing
starts processes, so the tests are ``slow``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pdf_fixture
import pdf_generators as gen
import pytest

from lib import paths
from lib.errors import DataError
from lib.sources import ingest, pagejoin, pdftext
from lib.text.numbers import NUMBER

pytestmark = pytest.mark.slow

CASES = [(g, s) for g in gen.GENERATORS for s in gen.SPACINGS]
IDS = [f"{g}-{s}" for g, s in CASES]
META = pdf_fixture.NEW_REPORT  # the manifest fields of a report added in a test


def _add(pdf: Path, raw: Path) -> list[str]:
    """The command line of ``python -m lib add`` of a PDF into a raw directory."""
    meta = [f"--{k.replace('_', '-')}={v}" for k, v in META.items()]
    return [sys.executable, "-m", "lib", "add", str(pdf), "--raw-dir", str(raw), *meta]


def _case(printed: Path, real_corpus, g: str, s: float) -> tuple[Path, list[str]]:
    if gen.missing(g):
        pytest.skip(gen.missing(g))
    pdf = printed / (f"{g}_{s:.2f}".replace(".", "_") + ".pdf")
    return pdf, gen.expected(gen.blocks(gen.source_lines(real_corpus)))


def _in_order(expected: list[str], got: list[str]) -> list[str]:
    """The expected lines not found, in order, among the extracted ones."""
    import difflib

    matcher = difflib.SequenceMatcher(None, expected, got, autojunk=False)
    found = {b.a + k for b in matcher.get_matching_blocks() for k in range(b.size)}
    return [line for i, line in enumerate(expected) if i not in found]


@pytest.mark.parametrize(("generator", "spacing"), CASES, ids=IDS)
def test_every_line_and_table_row_comes_back(printed, real_corpus, generator, spacing):
    pdf, expected = _case(printed, real_corpus, generator, spacing)
    out = pdftext.extract_pdf(pdf)
    rows = [line for line in expected if "\t" in line]
    assert len(rows) >= 25 and len(expected) >= 150  # the passage's tables and text
    assert _in_order(expected, out.lines) == []
    # The key-figure row with its footnote marker apart from the number (1 470, then ¹).
    assert "Antal hushåll med försörjningsstöd (stadsområde)\t1 791\t1 694\t1 470 ¹" in out.lines
    row = next(line for line in out.lines if line.startswith("Antal hushåll med försörjningsstöd"))
    assert NUMBER.search(row.split("\t")[3]).group(0) == "1 470"  # read as 1 470, not 1
    # Bullets as list items (• and Word's Symbol-font bullet), not table cells.
    assert "• Nordost: 3 429 950 kr" in out.lines
    assert "• Likvärdig och effektiv socialtjänst" in out.lines
    assert all(unicodedata.is_normalized("NFC", line) for line in out.lines)


@pytest.mark.parametrize(("generator", "spacing"), CASES, ids=IDS)
def test_line_spacing_makes_no_blank_line_after_every_line(
    printed, real_corpus, generator, spacing
):
    pdf, expected = _case(printed, real_corpus, generator, spacing)
    out = pdftext.extract_pdf(pdf)
    text = [line for line in out.lines if line]
    blank = len(out.lines) - len(text)
    # A blank line per paragraph gap (a paragraph per block printed), none inside one.
    blocks = gen.blocks(gen.source_lines(real_corpus))
    assert blank <= len(blocks) + 2 * len(out.page_lines)
    assert blank < 0.4 * len(text)


def test_libreoffice_rows_broken_across_pages_are_rejoined(printed, real_corpus):
    joined = 0
    for spacing in gen.SPACINGS:
        pdf, expected = _case(printed, real_corpus, "libreoffice", spacing)
        out = pdftext.extract_pdf(pdf)
        joined += out.joined_rows
        assert _in_order([line for line in expected if "\t" in line], out.lines) == []
    # LibreOffice breaks a row whose label wraps when a page ends inside it (with Carlito
    # at 1.5: "Nettokostnadsutveckling barn" / "och unga"); the row is whole again.
    assert joined >= 1


def test_page_furniture_is_found_by_repetition(printed, real_corpus):
    pdf, _ = _case(printed, real_corpus, "libreoffice", 1.0)
    out = pdftext.extract_pdf(pdf)
    pages = [
        out.lines[a - 1 : b - 1]
        for a, b in zip(out.page_lines, out.page_lines[1:] + [len(out.lines) + 1], strict=True)
    ]
    assert len(pages) >= 4
    assert pagejoin.furniture(pages) == {
        "Årsrapport #, Socialnämnden Centrum",
        "Dnr SN-#-#/# Sida # (#)",  # its TAB as a space: a signature is the line's words
    }


# ---------------------------------------------------------------- unreadable text layers


@pytest.mark.parametrize("generator", gen.GENERATORS)
def test_text_layer_without_unicode_map_is_refused(printed, real_corpus, tmp_path, generator):
    pdf, _ = _case(printed, real_corpus, generator, 1.0)
    good = pagejoin.known_share(pdftext.extract_pdf(pdf).lines)
    bad_pdf = tmp_path / "unmapped.pdf"
    bad_pdf.write_bytes(gen.unmapped(pdf.read_bytes()))
    with pytest.raises(DataError, match=r"does not read as Swedish.*ocrmypdf.*--accept-text"):
        pdftext.extract_pdf(bad_pdf)
    accepted = pdftext.extract_pdf(bad_pdf, accept_text_layer=True)
    bad = pagejoin.known_share(accepted.lines)
    assert good[0] > 0.9 and good[1] > 1000
    assert bad[0] < 0.35 and bad[1] > 300


def test_add_refuses_an_unreadable_pdf_unless_told(printed, real_corpus, tmp_path, raw_copy):
    pdf, _ = _case(printed, real_corpus, "chromium", 1.0)
    bad_pdf = tmp_path / "unmapped.pdf"
    bad_pdf.write_bytes(gen.unmapped(pdf.read_bytes()))
    before = sorted(p.name for p in raw_copy.iterdir())
    manifest = (raw_copy / "manifest.yml").read_bytes()
    refused = subprocess.run(
        _add(bad_pdf, raw_copy), capture_output=True, text=True, cwd=paths.ROOT
    )
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and "ocrmypdf" in refused.stderr
    assert sorted(p.name for p in raw_copy.iterdir()) == before
    assert (raw_copy / "manifest.yml").read_bytes() == manifest
    added = ingest.add(ingest.Request(path=bad_pdf, accept_text_layer=True, **META), raw_copy)
    assert added.pdf_path is not None and added.pdf_path.is_file()


# ---------------------------------------------------------------- Ctrl-C


def test_ctrl_c_during_add_prints_one_line_and_leaves_nothing(c, tmp_path, raw_copy):
    # Two real reports (the 2022 årsrapport and the 2024 annual reports of the common
    # services) rendered to one PDF of about 150 pages, so that extraction takes a few
    # seconds: SIGINT arrives while PDFium reads pages (or earlier, while starting).
    lines = c.raw_lines("sn_centrum_arsrapport_2022") + c.raw_lines("gemensamma_verksamheter_2024")
    pdf = tmp_path / "rapport.pdf"
    pdf.write_bytes(pdf_fixture.render(lines, header="Årsrapport").pdf)
    before = {p.name: p.read_bytes() for p in raw_copy.iterdir()}
    full = raw_copy.parent / "raw_full"  # how long a whole addition takes, in another copy
    shutil.copytree(raw_copy, full)
    shutil.copytree(raw_copy, raw_copy.parent / "raw_before")
    start = time.perf_counter()
    subprocess.run(_add(pdf, full), check=True, capture_output=True, cwd=paths.ROOT)
    seconds = time.perf_counter() - start
    cmd = _add(pdf, raw_copy)
    interrupted = 0
    for delay in (seconds * f for f in (0.15, 0.3, 0.45, 0.6)):
        proc = subprocess.Popen(
            cmd, cwd=paths.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        if proc.returncode == 0:  # done before the signal (a loaded machine): all of it
            assert (raw_copy / "manifest.yml").read_bytes() != before["manifest.yml"]
            shutil.rmtree(raw_copy)
            shutil.copytree(full.parent / "raw_before", raw_copy)
            continue
        interrupted += 1
        assert proc.returncode == 130, f"after {delay:.2f} s: {err}"
        assert err.startswith("interrupted") and err.count("\n") == 1, err
        assert {p.name: p.read_bytes() for p in raw_copy.iterdir()} == before
    assert interrupted >= 2
