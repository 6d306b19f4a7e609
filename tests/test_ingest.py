"""``python -m lib add``: PDF extraction of real report passages, the manifest row, refusals.

The PDFs here are made by the tests (tests/pdf_fixture.py renders real lines of the 2022
årsrapport, Socialnämnden Centrum, with fpdf2) so that the expected text is known. Every
registration runs against a temporary copy of data/raw (the ``raw_copy`` fixture) or of the
repository, never against the real data/raw.
"""

from __future__ import annotations

import bisect
import hashlib
import subprocess
import sys
import time
from pathlib import Path

import pdf_fixture
import pytest
import yaml

from lib import paths
from lib.core import runs
from lib.errors import DataError
from lib.sources import corpus, ingest, pdftext

REPORT = "sn_centrum_arsrapport_2022"
HEADER = "Årsrapport 2022, Socialnämnden Centrum"
META = pdf_fixture.NEW_REPORT  # the manifest fields of a report added in a test


def _real(c: corpus.Corpus, first: int, last: int) -> list[str]:
    """Raw lines first..last (1-based, inclusive) of the 2022 årsrapport."""
    return c.raw_lines(REPORT)[first - 1 : last]


def _pdf(tmp_path: Path, rendered: pdf_fixture.Rendered, name: str = "rapport.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(rendered.pdf)
    return path


def _request(path: Path, **override) -> ingest.Request:
    return ingest.Request(path=path, **{**META, **override})


def _text(lines: list[str]) -> list[str]:
    """The lines that hold text: where blank lines fall depends on the page's spacing."""
    return [line for line in lines if line]


def _snapshot(directory: Path) -> dict[str, bytes]:
    """Every entry of a directory (hidden ones too) with its bytes."""
    return {p.name: (p.read_bytes() if p.is_file() else b"<dir>") for p in directory.iterdir()}


# ---------------------------------------------------------------- extraction fidelity


@pytest.mark.parametrize("ruled", [True, False], ids=["ruled", "borderless"])
def test_key_figure_table_rows_come_back_cell_by_cell(c, tmp_path, ruled):
    # Lines 114-132 of the 2022 report: a heading, then the volume and cost key figures.
    lines = _real(c, 114, 132)
    rendered = pdf_fixture.render(lines, header=HEADER, ruled=ruled)
    out = pdftext.extract_pdf(_pdf(tmp_path, rendered))
    rows = [line.split("\t") for line in out.lines if "\t" in line]
    assert rows[0] == ["Mått", "2020", "2021", "2022"]
    assert rows[5] == [
        "Antal hushåll med försörjningsstöd (stadsområde)",
        "1 791",
        "1 694",
        "1 470",
    ]
    assert rows[6] == [
        "Antal hushåll med försörjningsstöd (etableringsenheten) Stad",
        "402",
        "355",
        "275",
    ]
    assert rows[2] == ["Nettokostnadsutveckling IFO totalt", "", "2,0 %", "5,9 %"]  # empty cell
    assert rows[9] == ["Antal vård dagar institution vuxna", "3827", "4082", "3147"]
    expected = [line.split("\t") for line in lines if "\t" in line]
    assert rows == expected  # every row of the table, every cell


@pytest.mark.parametrize("ruled", [True, False], ids=["ruled", "borderless"])
def test_labels_wrapped_inside_their_cells_rejoin_their_row(c, tmp_path, ruled):
    # The same key figures with a narrow first column: "Antal hushåll med /
    # försörjningsstöd / (stadsområde)" takes three lines of its cell, the figures the first.
    lines = _real(c, 114, 132)
    rendered = pdf_fixture.render(lines, header=HEADER, ruled=ruled, label_width=150)
    out = pdftext.extract_pdf(_pdf(tmp_path, rendered))
    rows = [line.split("\t") for line in out.lines if "\t" in line]
    assert rows[5] == [
        "Antal hushåll med försörjningsstöd (stadsområde)",
        "1 791",
        "1 694",
        "1 470",
    ]
    assert _text(out.lines) == rendered.text_lines


@pytest.mark.parametrize("label_width", [None, 150], ids=["wide", "narrow"])
def test_ruled_table_keeps_label_rows_and_empty_cells(c, tmp_path, label_width):
    # Lines 245-249: two rows with only a label (their four other cells empty), a header
    # row whose first cell is empty, then figures with empty cells in the middle. With
    # cell borders, each row is what lies between two rules: all five come back exactly,
    # also when the labels wrap inside a narrow first column.
    lines = _real(c, 245, 249)
    assert lines[0].endswith("\t\t\t\t") and lines[2].startswith("\t")
    rendered = pdf_fixture.render(lines, header=HEADER, label_width=label_width)
    out = _text(pdftext.extract_pdf(_pdf(tmp_path, rendered)).lines)
    assert out[1:-1] == lines


def test_borderless_table_label_rows_stay_lines_of_their_own(c, tmp_path):
    # Known limit: without borders, a row whose only filled cell is the first reads as
    # plain text (its empty cells cannot be seen; wrapped, one line per text line), but it is
    # never merged into a neighbouring row.
    lines = _real(c, 245, 249)
    rendered = pdf_fixture.render(lines, header=HEADER, ruled=False)
    out = _text(pdftext.extract_pdf(_pdf(tmp_path, rendered)).lines)
    assert out[-4:-1] == lines[2:]
    assert " ".join(out[1:-4]) == " ".join(lines[0].split() + lines[1].split())


def test_borderless_padded_table_with_wrapped_labels_across_a_page_break(c, tmp_path):
    # Rows padded apart (as most report tables are), labels wrapping in a narrow column,
    # no borders, and the table running over a page break: every row comes back whole,
    # with its empty cells, on both pages.
    lines = [*_real(c, 55, 88), "", *_real(c, 116, 132)]
    rendered = pdf_fixture.render(lines, header=HEADER, ruled=False, label_width=150, padding=5)
    out = pdftext.extract_pdf(_pdf(tmp_path, rendered))
    at = [i + 1 for i, line in enumerate(out.lines) if "\t" in line]
    pages = {bisect.bisect_right(out.page_lines, line) for line in at}
    assert len(pages) == 2  # the table is split by a page break
    assert [out.lines[i - 1] for i in at] == _real(c, 116, 132)


def test_indicator_table_with_target_column(c, tmp_path):
    # Lines 568-576: Mått/Indikator tables with Utfall 2020-2022 and Målvärde 2022.
    lines = _real(c, 568, 576)
    out = pdftext.extract_pdf(_pdf(tmp_path, pdf_fixture.render(lines, header=HEADER)))
    rows = [line.split("\t") for line in out.lines if "\t" in line]
    assert rows[0] == [
        "Mått/Indikator",
        "Utfall 2020",
        "Utfall 2021",
        "Utfall 2022",
        "Målvärde 2022",
    ]
    assert rows[1] == ["Antal hushåll med försörjningsstöd", "1 791", "1 694", "1 472", "1 648"]
    assert rows[5] == ["Antal barn i pågående ärenden", "1 233", "1 067", "866", "995"]
    assert rows[-1] == ["Antal avslutade ärenden", "140", "138", "114", "136"]


def test_paragraph_keeps_swedish_letters_one_line_per_text_line(c, tmp_path):
    paragraph = _real(c, 102, 102)[0]  # "Andelen ärenden inom barn och unga ... ökat något ..."
    assert "ä" in paragraph and "ö" in paragraph and "å" in paragraph
    rendered = pdf_fixture.render([paragraph], header=HEADER)
    out = pdftext.extract_pdf(_pdf(tmp_path, rendered))
    assert _text(out.lines) == rendered.text_lines  # header, each wrapped line, "1 (1)"
    assert len(rendered.text_lines) > 3
    assert " ".join(_text(out.lines)[1:-1]) == " ".join(paragraph.split())


def test_ligatures_and_soft_hyphens(tmp_path):
    # "ﬁ" (U+FB01) as a PDF font may encode it; a soft hyphen inside a line and one ending it.
    lines = [
        "Det ﬁnns en mängd andra avslutningsorsaker",
        "",
        "försörj\u00adningsstöd inom stadsområdet",
        "",
        "försörj\u00ad",
    ]
    out = pdftext.extract_pdf(_pdf(tmp_path, pdf_fixture.render(lines)))
    # Each source paragraph gap is a blank line in the extraction.
    assert out.lines[:5] == [
        "Det finns en mängd andra avslutningsorsaker",
        "",
        "försörjningsstöd inom stadsområdet",
        "",
        "försörj-",
    ]


def test_multi_page_document_records_where_each_page_starts(c, tmp_path):
    lines = _real(c, 55, 140)  # the summary and the start of the key figures: three pages
    rendered = pdf_fixture.render(lines, header=HEADER)
    out = pdftext.extract_pdf(_pdf(tmp_path, rendered))
    n = len(rendered.pages)
    assert n >= 3 and len(out.page_lines) == n
    assert _text(out.lines) == rendered.text_lines
    assert out.lines[out.lines.index("1 Sammanfattning") + 1] == ""  # a paragraph gap
    for number, start in enumerate(out.page_lines, start=1):
        assert out.lines[start - 1] == HEADER  # each page opens with its running header
        end = out.page_lines[number] - 1 if number < n else len(out.lines)
        assert out.lines[end - 1] == f"{number} ({n})"  # and closes with its page number


def test_two_column_page_is_read_column_by_column(c, tmp_path):
    # Enough of the Boende och hemlöshet report (prose, no tables) to fill the left column
    # of the first page and run on into the right one.
    lines = c.raw_lines("gemensamma_verksamheter_2024")[3395:3470]
    rendered = pdf_fixture.render(lines, header="Årsrapport 2024, Boende och hemlöshet", columns=2)
    assert rendered.columns_used[0] == {0, 1}  # the first page has text in both columns
    out = pdftext.extract_pdf(_pdf(tmp_path, rendered))
    assert _text(out.lines) == rendered.text_lines  # left column, then right column


def test_scan_without_text_layer_is_refused(c, tmp_path):
    path = tmp_path / "skannad.pdf"
    path.write_bytes(pdf_fixture.render_scan(_real(c, 114, 132)))
    with pytest.raises(DataError, match=r"no text layer.*ocrmypdf -l swe"):
        pdftext.extract_pdf(path)


# ---------------------------------------------------------------- add: PDF and text


def test_add_pdf_keeps_pdf_and_text_and_records_both(c, tmp_path, raw_copy):
    rendered = pdf_fixture.render(_real(c, 55, 140), header=HEADER)
    path = _pdf(tmp_path, rendered, "Årsrapport 2025 Hisingen.pdf")
    before = (raw_copy / "manifest.yml").read_text(encoding="utf-8")
    added = ingest.add(_request(path), raw_copy)
    assert added.text_path.name == "2025_socialnamnden_hisingen_arsrapport.txt"
    assert added.pdf_path.read_bytes() == rendered.pdf
    after = (raw_copy / "manifest.yml").read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n") + "\n\n  - doc_id: sn_hisingen_arsrapport_2025")
    loaded = corpus.load(raw_copy)
    doc = loaded.document(META["doc_id"])
    assert (doc.pdf, doc.year, doc.text_quality) == (added.pdf_path.name, 2025, "clean")
    assert doc.pdf_sha256 == hashlib.sha256(rendered.pdf).hexdigest()
    assert doc.extraction.startswith("pypdfium2 ")
    assert doc.origin_file == "Årsrapport 2025 Hisingen.pdf"
    assert _text(loaded.raw_lines(doc.doc_id)) == rendered.text_lines
    assert loaded.page_of_line(doc.doc_id, 1) == 1
    n_lines = len(loaded.raw_lines(doc.doc_id))
    assert loaded.page_of_line(doc.doc_id, n_lines) == len(rendered.pages)
    assert not [p for p in raw_copy.iterdir() if p.name.startswith(".")]  # no staging left


def test_add_text_file_keeps_manifest_comments_and_rows_byte_for_byte(c, tmp_path, raw_copy):
    given = "\n".join(_real(c, 114, 140)) + "\n"
    path = tmp_path / "hisingen_2025.txt"
    path.write_text(given, encoding="utf-8")
    before = (raw_copy / "manifest.yml").read_bytes()
    added = ingest.add(
        _request(
            path,
            file="2025_sn_hisingen_arsrapport.txt",
            source="Test: lines 114-140 of the 2022 report.",
        ),
        raw_copy,
    )
    after = (raw_copy / "manifest.yml").read_bytes()
    assert after.startswith(before.rstrip(b"\n") + b"\n\n")
    assert after.count(b"\n#") == before.count(b"\n#")  # every comment line kept
    row = yaml.safe_load(after)["documents"][-1]
    assert row["file"] == "2025_sn_hisingen_arsrapport.txt" and "pdf" not in row
    assert (raw_copy / row["file"]).read_bytes() == given.encode()
    assert added.pdf_path is None
    loaded = corpus.load(raw_copy)
    assert loaded.doc_ids[:5] == c.doc_ids
    assert loaded.raw_lines(META["doc_id"]) == given.split("\n")[:-1]
    assert loaded.document(META["doc_id"]).source == "Test: lines 114-140 of the 2022 report."


def test_an_addition_waits_while_another_holds_data_raw(c, tmp_path, raw_copy, capsys):
    """While another addition holds data/raw (the lock is held here), a second one says
    it waits and writes nothing; when the first is done it appends its row to the manifest
    as the first left it."""
    import threading

    ingest.add(_request(_text_input(c, tmp_path)), raw_copy)  # the first addition, done
    second = tmp_path / "b.txt"
    second.write_text("\n".join(_real(c, 121, 130)) + "\n", encoding="utf-8")
    before = _snapshot(raw_copy)
    done: list[ingest.Added] = []
    with runs.exclusive(raw_copy, "test"):
        waiting = threading.Thread(
            target=lambda: done.append(
                ingest.add(
                    _request(
                        second,
                        doc_id="sn_nordost_arsrapport_2025",
                        district="Nordost",
                        issuer="Socialnämnden Nordost",
                        title="Årsrapport 2025, Socialnämnden Nordost",
                    ),
                    raw_copy,
                )
            )
        )
        waiting.start()
        deadline = time.monotonic() + 30
        while "waiting: another addition" not in capsys.readouterr().err:
            assert time.monotonic() < deadline, "the second addition did not wait"
            time.sleep(0.05)
        assert _snapshot(raw_copy) == before and not done
    waiting.join(timeout=60)
    assert [a.doc_id for a in done] == ["sn_nordost_arsrapport_2025"]
    assert corpus.load(raw_copy).doc_ids[-2:] == [META["doc_id"], "sn_nordost_arsrapport_2025"]


def test_ocr_quality_can_be_declared_for_a_text_file(c, tmp_path, raw_copy):
    path = tmp_path / "ocr.txt"
    path.write_text("\n".join(_real(c, 114, 120)) + "\n", encoding="utf-8")
    ingest.add(
        _request(path, text_quality="ocr", year="2024", short_title="Hisingen 2025"), raw_copy
    )
    doc = corpus.load(raw_copy).document(META["doc_id"])
    assert (doc.text_quality, doc.year, doc.label) == ("ocr", 2024, "Hisingen 2025")


# ---------------------------------------------------------------- refusals: nothing written


def _text_input(c, tmp_path) -> Path:
    path = tmp_path / "rapport.txt"
    path.write_text("\n".join(_real(c, 114, 132)) + "\n", encoding="utf-8")
    return path


REFUSALS = {
    "doc_id taken": (
        lambda c, t: _request(_text_input(c, t), doc_id=REPORT),
        r"--doc-id 'sn_centrum_arsrapport_2022' is already in",
    ),
    "unknown district": (
        lambda c, t: _request(_text_input(c, t), district="Majorna"),
        r"--district 'Majorna' is not in the manifest's vocabulary; use one of Göteborg, "
        r"Centrum, Hisingen, Nordost, Sydväst, or add it to vocabulary.districts",
    ),
    "unknown report type": (
        lambda c, t: _request(_text_input(c, t), report_type="kvartalsrapport"),
        r"--report-type 'kvartalsrapport'.*årsrapport, delårsrapport.*vocabulary.report_types",
    ),
    "end before start": (
        lambda c, t: _request(
            _text_input(c, t), period_start="2025-12-31", period_end="2025-01-01"
        ),
        r"--period-end 2025-01-01 is before --period-start 2025-12-31",
    ),
    "not a date": (
        lambda c, t: _request(_text_input(c, t), period_end="2025-13-01"),
        r"--period-end '2025-13-01' is not a date; give it as YYYY-MM-DD",
    ),
    "missing file": (lambda c, t: _request(t / "finns_inte.pdf"), r"finns_inte.pdf: no such file"),
    "directory": (lambda c, t: _request(t), r"not a file"),
    "same bytes as a raw file": (
        lambda c, t: _request(paths.RAW_DIR / "2022_sn_centrum_arsrapport.txt"),
        r"already registered as sn_centrum_arsrapport_2022",
    ),
    "bad file name": (
        lambda c, t: _request(_text_input(c, t), file="../x.txt"),
        r"--file '../x.txt': give a plain file name ending in .txt",
    ),
    "file name taken": (
        lambda c, t: _request(_text_input(c, t), file="2022_sn_centrum_arsrapport.txt"),
        r"2022_sn_centrum_arsrapport.txt already exists",
    ),
}


def _write(t: Path, name: str, data: bytes) -> Path:
    (t / name).write_bytes(data)
    return t / name


BAD_FILES = {
    "empty": (b"  \n", r"the file is empty"),
    "not UTF-8": ("Försörjningsstöd ökade".encode("latin-1"), r"not valid UTF-8"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00", r"binary"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_refusals_name_the_problem_and_change_nothing(c, tmp_path, raw_copy, case):
    build, message = REFUSALS[case]
    request = build(c, tmp_path)
    before = _snapshot(raw_copy)
    with pytest.raises(DataError, match=message):
        ingest.add(request, raw_copy)
    assert _snapshot(raw_copy) == before


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_unreadable_text_files_are_refused(tmp_path, raw_copy, case):
    data, message = BAD_FILES[case]
    before = _snapshot(raw_copy)
    with pytest.raises(DataError, match=message):
        ingest.add(_request(_write(tmp_path, "rapport.txt", data)), raw_copy)
    assert _snapshot(raw_copy) == before


def test_scan_and_fake_pdf_change_nothing(c, tmp_path, raw_copy):
    before = _snapshot(raw_copy)
    scan = _write(tmp_path, "skannad.pdf", pdf_fixture.render_scan(_real(c, 114, 132)))
    with pytest.raises(DataError, match=r"skannad.pdf: the PDF has no text layer.*ocrmypdf"):
        ingest.add(_request(scan), raw_copy)
    fake = _write(tmp_path, "fel.pdf", "Årsrapport".encode())
    with pytest.raises(DataError, match=r"fel.pdf: named .pdf but is not a PDF"):
        ingest.add(_request(fake), raw_copy)
    broken = _write(tmp_path, "trasig.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 50)
    with pytest.raises(DataError, match=r"trasig.pdf: cannot be read as a PDF"):
        ingest.add(_request(broken), raw_copy)
    assert _snapshot(raw_copy) == before


def test_the_same_pdf_twice_is_refused(c, tmp_path, raw_copy):
    path = _pdf(tmp_path, pdf_fixture.render(_real(c, 114, 132), header=HEADER))
    ingest.add(_request(path), raw_copy)
    before = _snapshot(raw_copy)
    with pytest.raises(DataError, match=r"already registered as sn_hisingen_arsrapport_2025"):
        ingest.add(_request(path, doc_id="another_2025", file="annan.txt"), raw_copy)
    assert _snapshot(raw_copy) == before


@pytest.mark.slow
def test_missing_options_are_named_together_on_one_line(tmp_path, raw_copy):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "lib",
            "add",
            str(tmp_path / "x.pdf"),
            "--raw-dir",
            str(raw_copy),
            "--doc-id",
            "x_2025",
            "--district",
            "Hisingen",
        ],
        capture_output=True,
        text=True,
        cwd=paths.ROOT,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr == (
        "error: add: missing --title, --issuer, --report-type, "
        "--period-start, --period-end; give every one "
        "(python -m lib add --help lists them).\n"
    )


def test_a_manifest_that_fails_with_the_new_row_changes_nothing(c, tmp_path, raw_copy):
    # Another row names a twin that does not exist: the staged manifest cannot validate.
    manifest = raw_copy / "manifest.yml"
    text = manifest.read_text(encoding="utf-8").replace(
        "      part_id: gv_stadengemensam", "      part_id: gv_saknas"
    )
    manifest.write_text(text, encoding="utf-8")
    before = _snapshot(raw_copy)
    path = _pdf(tmp_path, pdf_fixture.render(_real(c, 114, 132)))
    with pytest.raises(DataError, match=r"gv_saknas"):
        ingest.add(_request(path), raw_copy)
    assert _snapshot(raw_copy) == before


def test_interrupted_commit_leaves_no_new_file(c, tmp_path, raw_copy, monkeypatch):
    before = _snapshot(raw_copy)
    real_replace = ingest.os.replace

    def fail_on_manifest(src, dst):
        if Path(dst).name == "manifest.yml":
            raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(ingest.os, "replace", fail_on_manifest)
    with pytest.raises(KeyboardInterrupt):
        ingest.add(_request(_pdf(tmp_path, pdf_fixture.render(_real(c, 114, 132)))), raw_copy)
    assert _snapshot(raw_copy) == before


# ---------------------------------------------------------------- manifest validation


def _add_pdf_row(c, tmp_path, raw_copy) -> dict:
    ingest.add(_request(_pdf(tmp_path, pdf_fixture.render(_real(c, 114, 132)))), raw_copy)
    return yaml.safe_load((raw_copy / "manifest.yml").read_text(encoding="utf-8"))


def test_missing_or_altered_pdf_is_caught_by_the_corpus(c, tmp_path, raw_copy):
    row = _add_pdf_row(c, tmp_path, raw_copy)["documents"][-1]
    pdf = raw_copy / row["pdf"]
    pdf.chmod(0o644)
    pdf.write_bytes(pdf.read_bytes() + b"\n")
    with pytest.raises(DataError, match=rf"{row['pdf']}: sha256 mismatch"):
        corpus.Corpus(raw_copy)
    pdf.unlink()
    with pytest.raises(DataError, match=rf"{row['pdf']}: listed in manifest.yml .*but missing"):
        corpus.Corpus(raw_copy)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda r: r.pop("pdf_sha256"),
            r"needs all of pdf, pdf_sha256, extraction; missing "
            r"pdf_sha256",
        ),
        (lambda r: r.update(page_lines=[2, 1]), r"page_lines must list"),
        (lambda r: r.update(page_lines=[1, 5000]), r"page_lines reach line 5000, past the end"),
        (lambda r: r.update(pdf="2022_sn_centrum_arsrapport.txt"), r"must be a file name .*\.pdf"),
    ],
)
def test_pdf_fields_are_validated(c, tmp_path, raw_copy, edit, message):
    data = _add_pdf_row(c, tmp_path, raw_copy)
    edit(data["documents"][-1])
    (raw_copy / "manifest.yml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    with pytest.raises(DataError, match=message):
        corpus.Corpus(raw_copy)


# A report for a new year added in a copy of the repository and carried through the build,
# proposing, accepting and the batch: tests/test_new_report.py.
