"""Benchmark: ``python -m benchmarks.add`` times ``python -m lib add`` of a 50-page PDF.

The PDF is made in the run: the whole 2022 årsrapport (Socialnämnden Centrum, 1 353 raw
lines, 52 pages with its key-figure tables) rendered by ``tests/pdf_fixture.py``. ``add`` runs
as a user runs it (a fresh ``python -m lib add`` process) into a temporary copy of data/raw;
the floor, in the same run, is a fresh process that opens the same PDF with pypdfium2 and
reads every page's plain text (the least any extraction must do). Medians of ``--rounds``
alternating runs are reported, with their ratio.

Other generators (``tests/pdf_generators.py``): the whole 2022 årsrapport printed by headless
Chromium (print-to-PDF of HTML) and by LibreOffice (``soffice --convert-to pdf`` of an ODF
document) with Word-like styles at line spacing 1.0, 1.15 and 1.5; text lines and table rows
exact, and the table rows a page break split (rejoined by the extraction). The same PDFs with
their fonts' Unicode maps removed must be refused (known-word share). A generator that is
not installed is reported as skipped.

Fidelity is measured on five renderings of real report text whose lines are known: the
årsrapport with ruled tables; the same with borderless tables; the same ruled with a narrow
first column whose labels wrap inside their cells; borderless with wrapped labels and rows
padded apart; and the Boende och hemlöshet report of 2024 set in two columns.
``--compare`` also measures pdfplumber and PyMuPDF (if installed: ``pip install pdfplumber
pymupdf``), each feeding its word boxes and shapes to the same row and table assembly, and
each library's own plain-text output, for the choice in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import difflib
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from lib import paths
from lib.sources import corpus, pdftext
from tests import pdf_fixture

TARGET_SECONDS = 10.0
TARGET_LINES, TARGET_ROWS = 0.99, 0.97  # per generator and line spacing
META = [
    "--doc-id=bench_2025",
    "--title=Benchmark",
    "--issuer=Benchmark",
    "--district=Hisingen",
    "--report-type=årsrapport",
    "--period-start=2025-01-01",
    "--period-end=2025-12-31",
]
FLOOR_CODE = """
import sys, pypdfium2
doc = pypdfium2.PdfDocument(sys.argv[1])
n = sum(len(page.get_textpage().get_text_range()) for page in doc)
"""


def fixtures() -> dict[str, pdf_fixture.Rendered]:
    """Real report text rendered three ways (see the module docstring)."""
    c = corpus.load()
    report = c.raw_lines("sn_centrum_arsrapport_2022")
    part = c.part("gemensamma_verksamheter_2024", "gv_boende_hemloshet")
    housing = c.raw_lines(part.doc_id)[part.line_start - 1 : part.line_end]
    header = "Årsrapport 2022, Socialnämnden Centrum"
    return {
        "ruled tables": pdf_fixture.render(report, header=header),
        "borderless tables": pdf_fixture.render(report, header=header, ruled=False),
        "wrapped labels": pdf_fixture.render(report, header=header, label_width=150),
        "borderless, padded, wrapped": pdf_fixture.render(
            report, header=header, ruled=False, label_width=150, padding=5
        ),
        "two columns": pdf_fixture.render(
            housing, header="Årsrapport 2024, Boende och hemlöshet", columns=2
        ),
    }


def fidelity(expected: list[str], got: list[str]) -> dict[str, float]:
    """Text lines and table rows extracted exactly, in order; Swedish letters kept."""
    exp = [line for line in expected if line.strip()]
    out = [line for line in got if line.strip()]
    matcher = difflib.SequenceMatcher(None, exp, out, autojunk=False)
    ok = {b.a + k for b in matcher.get_matching_blocks() for k in range(b.size)}
    rows = [i for i, line in enumerate(exp) if "\t" in line]

    def letters(lines: list[str]) -> int:
        return sum(ch in "åäöÅÄÖ" for line in lines for ch in line)

    return {
        "lines": len(ok) / len(exp),
        "rows": sum(i in ok for i in rows) / len(rows) if rows else float("nan"),
        "åäö": letters(out) / letters(exp),
    }


# -- extractors: a PDF path -> its lines


def _pypdfium2(path: Path) -> list[str]:
    return pdftext.extract_pdf(path).lines


def _edges(boxes) -> list[pdftext.Rule]:
    """Rules from shape boxes (x0, top, x1, bottom), as :mod:`lib.sources.ingest` reads them
    from PDFium."""
    rules: list[pdftext.Rule] = []
    for x0, top, x1, bottom in boxes:
        if x1 - x0 < 8:
            continue
        rules += (
            [((top + bottom) / 2, x0, x1)]
            if bottom - top < 3
            else [(top, x0, x1), (bottom, x0, x1)]
        )
    return rules


def _pdfplumber_words(path: Path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [
            line
            for page in pdf.pages
            for line in pdftext.page_lines(
                [
                    (w["x0"], w["top"], w["x1"], w["bottom"], w["text"])
                    for w in page.extract_words()
                ],
                page.width,
                _edges((o["x0"], o["top"], o["x1"], o["bottom"]) for o in page.rects + page.lines),
            )
        ]


def _pdfplumber_text(path: Path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [line for page in pdf.pages for line in page.extract_text().split("\n")]


def _pymupdf_words(path: Path) -> list[str]:
    import pymupdf

    with pymupdf.open(path) as doc:
        return [
            line
            for page in doc
            for line in pdftext.page_lines(
                [tuple(w[:5]) for w in page.get_text("words")],
                page.rect.width,
                _edges(tuple(d["rect"]) for d in page.get_drawings()),
            )
        ]


def _pymupdf_text(path: Path) -> list[str]:
    import pymupdf

    with pymupdf.open(path) as doc:
        return [line for page in doc for line in page.get_text("text", sort=True).split("\n")]


def _pypdfium2_text(path: Path) -> list[str]:
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(path))
    return [
        line
        for page in doc
        for line in page.get_textpage().get_text_range().replace("\r\n", "\n").split("\n")
    ]


EXTRACTORS: dict[str, tuple[str, Callable[[Path], list[str]]]] = {
    "pypdfium2 characters + assembly (used)": ("pypdfium2", _pypdfium2),
    "pdfplumber words + assembly": ("pdfplumber", _pdfplumber_words),
    "PyMuPDF words + assembly": ("pymupdf", _pymupdf_words),
    "pypdfium2 plain text": ("pypdfium2", _pypdfium2_text),
    "pdfplumber plain text": ("pdfplumber", _pdfplumber_text),
    "PyMuPDF plain text (sorted)": ("pymupdf", _pymupdf_text),
}


def compare(
    pdfs: dict[str, Path], rendered: dict[str, pdf_fixture.Rendered], everything: bool
) -> list[tuple[str, str, dict[str, float], float]]:
    """Fidelity and extraction seconds of each available extractor on each fixture."""
    import importlib.util

    out = []
    for name, (module, extract) in EXTRACTORS.items():
        if not everything and "(used)" not in name:
            continue
        if importlib.util.find_spec(module) is None:
            print(f"skipped {name}: {module} is not installed", file=sys.stderr)
            continue
        for fixture, path in pdfs.items():
            start = time.perf_counter()
            lines = extract(path)
            elapsed = time.perf_counter() - start
            out.append((name, fixture, fidelity(rendered[fixture].lines, lines), elapsed))
    return out


def generators(folder: Path) -> list[tuple[str, float, int, dict[str, float], int]]:
    """Per available generator and line spacing: pages, fidelity and rows rejoined."""
    sys.path.insert(0, str(paths.ROOT / "tests"))
    import pdf_generators as gen

    lines = gen.report_lines(corpus.load())
    out = []
    for name in gen.GENERATORS:
        if gen.missing(name):
            print(f"skipped {name}: {gen.missing(name)}", file=sys.stderr)
            continue
        for spacing in gen.SPACINGS:
            printed = gen.print_pdf(name, spacing, lines, folder)
            ex = pdftext.extract_pdf(printed.pdf)
            fid = fidelity(printed.lines, ex.lines)
            out.append((name, spacing, len(ex.page_lines), fid, ex.joined_rows))
    return out


def unreadable(folder: Path) -> list[tuple[str, float, float, bool]]:
    """Per printed PDF at spacing 1.0: the known-word share of its text layer, of the same
    PDF without Unicode maps, and whether ``add`` refuses the latter."""
    import pdf_generators as gen

    from lib.errors import DataError
    from lib.sources import pagejoin

    out = []
    for pdf in sorted(folder.glob("*_1_00.pdf")):
        bad = folder / f"unmapped_{pdf.name}"
        bad.write_bytes(gen.unmapped(pdf.read_bytes()))
        good = pagejoin.known_share(pdftext.extract_pdf(pdf).lines)[0]
        share = pagejoin.known_share(pdftext.extract_pdf(bad, accept_text_layer=True).lines)[0]
        try:
            pdftext.extract_pdf(bad)
            refused = False
        except DataError:
            refused = True
        out.append((pdf.name.split("_")[0], good, share, refused))
    return out


def time_add(pdf: Path, rounds: int) -> tuple[list[float], list[float]]:
    """Wall times of ``python -m lib add`` and of the floor, alternating, fresh processes."""
    adds, floors = [], []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory(prefix="bench-add-") as tmp:
            raw = Path(tmp) / "raw"
            shutil.copytree(paths.RAW_DIR, raw)
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "lib", "add", str(pdf), "--raw-dir", str(raw), *META],
                check=True,
                capture_output=True,
                cwd=paths.ROOT,
            )
            adds.append(time.perf_counter() - start)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", FLOOR_CODE, str(pdf)], check=True)
        floors.append(time.perf_counter() - start)
    return adds, floors


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.add", description=__doc__)
    p.add_argument("--rounds", type=int, default=3, help="timed rounds (default 3)")
    p.add_argument(
        "--compare", action="store_true", help="also measure pdfplumber and PyMuPDF where installed"
    )
    args = p.parse_args(argv)
    rendered = fixtures()
    with tempfile.TemporaryDirectory(prefix="bench-add-pdf-") as tmp:
        pdfs = {}
        for name, r in rendered.items():
            pdfs[name] = Path(tmp) / (name.replace(" ", "_") + ".pdf")
            pdfs[name].write_bytes(r.pdf)
        results = compare(pdfs, rendered, args.compare)
        printed = generators(Path(tmp) / "generators")
        refusals = unreadable(Path(tmp) / "generators") if printed else []
        adds, floors = time_add(pdfs["ruled tables"], args.rounds)
    pages = len(rendered["ruled tables"].pages)
    add, floor = statistics.median(adds), statistics.median(floors)
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    print("\n| extraction | PDF | text lines exact | table rows exact | å/ä/ö kept | seconds |")
    print("|---|---|---|---|---|---|")
    for name, fixture, fid, seconds in results:
        rows = "–" if fid["rows"] != fid["rows"] else f"{fid['rows']:.3f}"
        print(
            f"| {name} | {fixture} ({len(rendered[fixture].pages)} p.) | {fid['lines']:.3f} "
            f"| {rows} | {fid['åäö']:.3f} | {seconds:.2f} |"
        )
    met = print_generators(printed, refusals)
    print(
        f"\n| measure | figure | target |\n|---|---|---|\n"
        f"| `python -m lib add` of a {pages}-page PDF, wall time, median of {len(adds)} "
        f"| {add:.2f} s ({min(adds):.2f}–{max(adds):.2f} s) | < {TARGET_SECONDS:.0f} s |\n"
        f"| floor: open it and read its plain text with pypdfium2, fresh process "
        f"| {floor:.2f} s | |\n| add / floor | {add / floor:.2f} | |"
    )
    return 0 if add < TARGET_SECONDS and met else 1


def print_generators(printed: list, refusals: list) -> bool:
    """The generators' tables; whether every target is met."""
    print(
        "\n| generator | line spacing | pages | text lines exact | table rows exact "
        "| rows broken by a page, rejoined | target |\n|---|---|---|---|---|---|---|"
    )
    met = True
    for name, spacing, pages, fid, joined in printed:
        ok = fid["lines"] >= TARGET_LINES and fid["rows"] >= TARGET_ROWS
        met &= ok
        print(
            f"| {name} | {spacing:.2f} | {pages} | {fid['lines']:.3f} | {fid['rows']:.3f} "
            f"| {joined} | ≥ {TARGET_LINES} / ≥ {TARGET_ROWS}: {'met' if ok else 'NOT met'} |"
        )
    print(
        "\n| PDF (spacing 1.0) | known-word share | without Unicode maps | refused |"
        "\n|---|---|---|---|"
    )
    for name, good, bad, refused in refusals:
        met &= refused
        print(f"| {name} | {good:.2f} | {bad:.2f} | {'yes' if refused else 'NO'} |")
    return met


if __name__ == "__main__":
    sys.exit(main())
