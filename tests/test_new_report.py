"""A new report from start to finish, as the README's "Adding a report" walks through it.

In a temporary copy of the repository (lib, data, notebooks): the 2022 Centrum årsrapport,
recast as a 2026 Hisingen årsrapport (years moved on by four, district renamed) and
rendered as a PDF by the test (tests/pdf_fixture.py: pages, running header, page numbers,
ruled tables), is added with ``python -m lib add``, proposed with ``propose``, two proposed
rows are marked ``ja`` in the Excel sheet and accepted with ``accept``, and the batch runs
for 2026 — a year no report had before — with the new figures in the försörjningsstöd
notebook's key-figure table.
"""

from __future__ import annotations

import subprocess
from functools import partial
from pathlib import Path

import openpyxl
import pandas as pd
import pdf_fixture
import pytest
import repocopy

from lib import paths
from lib.sources import corpus

SOURCE_DOC = "sn_centrum_arsrapport_2022"
DOC = "sn_hisingen_arsrapport_2026"
META = {
    "doc_id": DOC,
    "title": "Årsrapport 2026, Socialnämnden Hisingen",
    "short_title": "Årsrapport Hisingen 2026",
    "issuer": "Socialnämnden Hisingen",
    "district": "Hisingen",
    "report_type": "årsrapport",
    "period_start": "2026-01-01",
    "period_end": "2026-12-31",
}
# Line 121 of the 2022 report, a key-figure table row: where it lands in the text extracted
# from the PDF depends on the page layout, so the test finds it there.
HOUSEHOLDS_ROW = "Antal hushåll med försörjningsstöd (stadsområde)\t1 791\t1 694\t1 470"
TEXT_FILE = "2026_socialnamnden_hisingen_arsrapport.txt"
# A page footer with a document number, as the PDF of an external report had one (issue 16:
# its "dnr …-0127/23" was proposed 20 times as the figure 127); made up for the test.
FOOTER = "Socialnämnden Hisingen, dnr N131-0127/26, sida {number} ({total})"


def _recast(c: corpus.Corpus) -> list[str]:
    text = "\n".join(c.raw_lines(SOURCE_DOC))
    for old, new in (
        ("2023", "2027"),
        ("2022", "2026"),
        ("2021", "2025"),
        ("2020", "2024"),
        ("Centrum", "Hisingen"),
    ):
        text = text.replace(old, new)
    return text.split("\n")


def households_line(repo: Path) -> int:
    """The line of the households row in the text extracted from the PDF."""
    lines = (repo / "data" / "raw" / TEXT_FILE).read_text(encoding="utf-8").split("\n")
    return lines.index(HOUSEHOLDS_ROW) + 1


def _run(repo: Path, cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = repocopy.run(repo, cache, *args)
    assert result.returncode == 0, f"{args[0]}: {result.stderr[-2000:]}"
    return result


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory, shared_cache: Path) -> Path:
    """A copy of the repository with the recast report added, proposed, accepted, built."""
    base = tmp_path_factory.mktemp("new_report")
    repo = repocopy.make(base / "repo", notebooks=paths.NOTEBOOKS_DIR)
    run = partial(_run, repo, shared_cache)
    source = base / "Årsrapport 2026 Hisingen.pdf"
    source.write_bytes(
        pdf_fixture.render(
            _recast(corpus.load()), header="Årsrapport 2026, Socialnämnden Hisingen", footer=FOOTER
        ).pdf
    )
    run("add", str(source), *[f"--{k.replace('_', '-')}={v}" for k, v in META.items()])
    line_of_row = households_line(repo)
    run("build")
    run("propose", DOC)
    # Mark the rows in the Excel sheet, as a person would.
    sheet = repo / "data" / "curated" / "proposed" / f"{DOC}.xlsx"
    wb = openpyxl.load_workbook(sheet)
    ws = wb.worksheets[0]
    col = {cell.value: cell.column for cell in ws[1]}
    marked = 0
    for r in range(2, ws.max_row + 1):
        line, period = ws.cell(r, col["line"]).value, str(ws.cell(r, col["period"]).value)
        if line == line_of_row and period in ("2025", "2026"):
            ws.cell(r, col["accept"]).value = "ja"
            marked += 1
    assert marked == 2, f"the two households figures of line {line_of_row} were proposed"
    wb.save(sheet)
    run("accept", str(sheet))
    return repo


@pytest.mark.slow
def test_the_new_report_enters_the_build(repo: Path) -> None:
    processed = repo / "data" / "processed"
    documents = pd.read_parquet(processed / "documents.parquet").set_index("doc_id")
    assert documents.loc[DOC, ["year", "district", "short_title"]].tolist() == [
        2026,
        "Hisingen",
        META["short_title"],
    ]
    passages = pd.read_parquet(processed / "passages.parquet")
    assert (passages.doc_id == DOC).sum() > 100
    q = pd.read_parquet(processed / "quantities.parquet")
    row = q[(q.doc_id == DOC) & (q.line == households_line(repo))]
    assert list(zip(row.value, row.period, strict=True)) == [
        (1791.0, "2024"),
        (1694.0, "2025"),
        (1470.0, "2026"),
    ]
    # the PDF is kept beside its text; the copy was changed, not the repository's data/raw
    pdf = repo / "data" / "raw" / TEXT_FILE.replace(".txt", ".pdf")
    assert pdf.read_bytes().startswith(b"%PDF-")
    doc = corpus.load(repo / "data" / "raw").document(DOC)
    assert (doc.pdf, doc.extraction.split()[0]) == (pdf.name, "pypdfium2")
    assert len(doc.page_lines) > 30  # where each page starts
    assert not (paths.RAW_DIR / TEXT_FILE).exists()


@pytest.mark.slow
def test_the_accepted_figures_are_observations(repo: Path) -> None:
    obs = pd.read_parquet(repo / "data" / "processed" / "observations.parquet")
    new = obs[obs.doc_id == DOC].sort_values("period")
    line = households_line(repo)
    assert list(zip(new.period, new.value, new.line, strict=True)) == [
        ("2025", 1694.0, line),
        ("2026", 1470.0, line),
    ]
    # Learned from how the same table row was curated in the real 2022 report:
    assert set(new.indicator) == {"fs_hushall_stadsomrade"}
    assert set(new.geography) == {"Hisingen"} and set(new.basis) == {"utfall"}
    assert set(new.source_file) == {TEXT_FILE}


@pytest.mark.slow
def test_the_new_year_is_in_the_batch_and_the_notebook(repo: Path, shared_cache: Path) -> None:
    _run(
        repo,
        shared_cache,
        "batch",
        "--year",
        "2026",
        "--district",
        "Hisingen",
        "--theme",
        "forsorjningsstod",
        "--theme",
        "oversikt",
        "--jobs",
        "2",
    )
    out = repo / "outputs" / "2026"
    report = out / "Hisingen" / "30_forsorjningsstod"
    table = pd.read_csv(
        report / "forsorjningsstod_nyckeltal.csv", sep=";", decimal=",", encoding="utf-8-sig"
    )
    row = table[table["Benämning"].str.contains("hushåll med försörjningsstöd")].iloc[0]
    assert (row["Värde"], row["Föregående år"]) == (1470, 1694)
    assert f"rad {households_line(repo)}" in row["Källa"]
    assert (out / "Göteborg" / "00_oversikt" / "00_oversikt.html").is_file()
    index = (repo / "outputs" / "index.html").read_text(encoding="utf-8")
    assert ">2026, Hisingen</a>" in index and "<h2>Försörjningsstöd</h2>" in index


@pytest.mark.slow
def test_page_furniture_of_the_pdf_is_not_proposed(repo: Path) -> None:
    """The rendered PDF has a running header and a footer with a document number and the
    page on each page (tests/pdf_fixture.py); they come back as lines of the text, and
    none is proposed as a figure. Two rules keep the footer out, each enough alone: a
    document number is a reference, not a figure (lib/text/numbers.py), and a line repeated
    on every page is furniture (lib/text/layout.py, left out by curation/candidates.py);
    with both broken the footer's 127 is proposed on every page and this test fails."""
    lines = (repo / "data" / "raw" / TEXT_FILE).read_text(encoding="utf-8").split("\n")
    footers = {i + 1 for i, s in enumerate(lines) if "dnr N131-0127/26" in s}
    header = "Årsrapport 2026, Socialnämnden Hisingen"
    headers = {i + 1 for i, s in enumerate(lines) if s.strip() == header}
    assert len(footers) > 30 and len(headers) > 30  # one of each per page: the path is exercised
    sheet = pd.read_excel(repo / "data" / "curated" / "proposed" / f"{DOC}.xlsx")
    assert len(sheet) > 100
    proposed = set(sheet["line"].dropna().astype(int))
    assert not proposed & (footers | headers), sorted(proposed & (footers | headers))
