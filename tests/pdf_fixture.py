"""Render report text to a PDF whose lines are known: fixtures for the tests and benchmarks.

The project never ships made-up reports; this module exists so that the PDF extraction of
``python -m lib add`` can be checked against real report passages. It takes lines in the
project's raw format (a paragraph per line, table rows with TAB between cells, blank lines
between paragraphs), lays them out as a report page would (running header, page number
``n (N)`` in the footer, paragraphs wrapped to the text width, tables in aligned columns,
optionally ruled, optionally two text columns) and returns the PDF together with the lines
an exact extraction should give, page by page.

Needs fpdf2 (the ``dev`` extra) and the DejaVu fonts that matplotlib ships.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

PAGE_W, PAGE_H = 595.28, 841.89  # A4 in points
# The manifest fields of a report that does not exist, added from a PDF in the tests
# (`python -m lib add`): a district's årsrapport of a year the corpus does not have.
NEW_REPORT = {
    "doc_id": "sn_hisingen_arsrapport_2025",
    "title": "Årsrapport 2025, Socialnämnden Hisingen",
    "issuer": "Socialnämnden Hisingen",
    "district": "Hisingen",
    "report_type": "årsrapport",
    "period_start": "2025-01-01",
    "period_end": "2025-12-31",
}
MARGIN = 56.0
CELL_PAD = 14.0


@dataclass(frozen=True)
class Rendered:
    """A rendered PDF and, per page, the lines an exact extraction gives ('' for a gap)."""

    pdf: bytes
    pages: list[list[str]]
    # Per page, the text columns that hold text (0 = the left one): a test of two-column
    # reading checks that the second column was really used.
    columns_used: list[frozenset[int]] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        """All expected lines, page after page ('' where a paragraph gap is)."""
        return [line for page in self.pages for line in page]

    @property
    def text_lines(self) -> list[str]:
        """The expected lines that hold text (the layout decides where blank lines fall)."""
        return [line for line in self.lines if line]


def _font_path(bold: bool = False) -> Path:
    import matplotlib

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name


def _new_pdf():
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_creation_date(dt.datetime(2025, 1, 1, tzinfo=dt.UTC))  # deterministic
    pdf.add_font("DejaVu", "", str(_font_path()))
    pdf.add_font("DejaVu", "B", str(_font_path(bold=True)))
    return pdf


def _wrap(pdf, text: str, width: float) -> list[str]:
    """Greedy word wrap of one paragraph to a width (in points, the current font)."""
    out: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}" if current else word
        if current and pdf.get_string_width(trial) > width:
            out.append(current)
            current = word
        else:
            current = trial
    if current:
        out.append(current)
    return out


def _blocks(lines: list[str]) -> list[tuple[str, list[str]]]:
    """Group raw lines into ('gap', []), ('text', [line]) and ('table', rows) blocks."""
    blocks: list[tuple[str, list[str]]] = []
    for line in lines:
        kind = "table" if "\t" in line else ("text" if line.strip() else "gap")
        if kind == "table" and blocks and blocks[-1][0] == "table":
            blocks[-1][1].append(line)
        elif kind == "gap":
            if blocks and blocks[-1][0] != "gap":
                blocks.append(("gap", []))
        else:
            blocks.append((kind, [line]))
    return blocks


class _Layout:
    """Places lines on pages and records what an exact extraction reads."""

    def __init__(
        self,
        pdf,
        size: float,
        header: str | None,
        columns: int,
        ruled: bool,
        label_width: float | None = None,
        padding: float = 0.0,
        footer: str = "{number} ({total})",
    ) -> None:
        self.pdf, self.size, self.header, self.ruled = pdf, size, header, ruled
        self.footer = footer
        self.label_width, self.padding = label_width, padding
        self.lead = size * 1.4
        self.columns = columns
        self.col_w = (PAGE_W - 2 * MARGIN - (columns - 1) * 24) / columns
        self.pages: list[list[str]] = []
        self.ops: list[list[tuple]] = []  # drawing operations per page, replayed at the end
        self.used: list[set[int]] = []  # per page, the columns that got text
        self._new_page()

    def _new_page(self) -> None:
        self.pages.append([] if self.header is None else [self.header])
        self.ops.append([])
        self.used.append(set())
        self.col, self.y = 0, MARGIN + self.lead

    def _room(self, n: int = 1) -> None:
        if self.y + (n - 1) * self.lead <= PAGE_H - MARGIN:
            return
        if self.col + 1 < self.columns:
            self.col, self.y = self.col + 1, MARGIN + self.lead
        else:
            self._new_page()

    def gap(self) -> None:
        if self.pages[-1] and self.pages[-1][-1] != "" and self.y > MARGIN + self.lead:
            self.pages[-1].append("")
            self.y += self.lead

    def text(self, paragraph: str) -> None:
        self.pdf.set_font("DejaVu", "", self.size)
        for line in _wrap(self.pdf, paragraph, self.col_w):
            self._room()
            x = MARGIN + self.col * (self.col_w + 24)
            self.ops[-1].append(("text", x, self.y, line, self.size))
            self.used[-1].add(self.col)
            self.pages[-1].append(
                line.replace("\u00ad", "-")
                if line.endswith("\u00ad")
                else line.replace("\u00ad", "")
            )
            self.y += self.lead

    def table(self, rows: list[str]) -> None:
        cells = [[" ".join(c.split()) for c in row.split("\t")] for row in rows]
        n = max(len(r) for r in cells)
        cells = [r + [""] * (n - len(r)) for r in cells]
        size = self.size
        while True:
            self.pdf.set_font("DejaVu", "", size)
            widths = [
                max(self.pdf.get_string_width(r[j]) for r in cells) + CELL_PAD for j in range(n)
            ]
            if self.label_width is not None:
                widths[0] = min(widths[0], self.label_width + CELL_PAD)
            if sum(widths) <= PAGE_W - 2 * MARGIN or size <= 8:
                break
            size -= 0.5
        room = PAGE_W - 2 * MARGIN
        while sum(widths) > room:  # still too wide: the widest column wraps its cells
            j = widths.index(max(widths))
            narrower = max(widths[j] - (sum(widths) - room), widths[j] * 0.6, 40.0)
            if narrower >= widths[j]:
                break  # every column is as narrow as it gets
            widths[j] = narrower
        lead, inner = size * 1.6 + self.padding, size * 1.15
        for row in cells:
            parts = [
                _wrap(self.pdf, cell, widths[j] - CELL_PAD) or [""] for j, cell in enumerate(row)
            ]
            height = lead + (max(len(p) for p in parts) - 1) * inner
            if self.y + height > PAGE_H - MARGIN:
                self._new_page()
            x = MARGIN
            top = self.y - size * 1.1
            for j, cell_lines in enumerate(parts):
                # Each cell wraps within its width, top-aligned; the label column is left-
                # aligned, the others right-aligned.
                for k, part in enumerate(cell_lines):
                    w = self.pdf.get_string_width(part)
                    cx = x + CELL_PAD / 2 if j == 0 else x + widths[j] - CELL_PAD / 2 - w
                    if part:
                        self.ops[-1].append(("text", cx, self.y + k * inner, part, size))
                if self.ruled:
                    self.ops[-1].append(("rect", x, top, widths[j], height))
                x += widths[j]
            self.pages[-1].append("\t".join(row))
            self.y += height

    def render(self) -> Rendered:
        total = len(self.pages)
        for number, (ops, page) in enumerate(zip(self.ops, self.pages, strict=True), start=1):
            self.pdf.add_page()
            if self.header is not None:
                self.pdf.set_font("DejaVu", "B", self.size - 1)
                self.pdf.text(MARGIN, MARGIN - 16, self.header)
            for op in ops:
                if op[0] == "text":
                    self.pdf.set_font("DejaVu", "", op[4])
                    self.pdf.text(op[1], op[2], op[3])
                else:
                    self.pdf.rect(op[1], op[2], op[3], op[4])
            footer = self.footer.format(number=number, total=total)
            self.pdf.set_font("DejaVu", "", self.size - 1)
            self.pdf.text(
                PAGE_W - MARGIN - self.pdf.get_string_width(footer), PAGE_H - MARGIN + 24, footer
            )
            while page and page[-1] == "":
                page.pop()
            page.append(footer)
        return Rendered(
            bytes(self.pdf.output()), self.pages, [frozenset(cols) for cols in self.used]
        )


def render(
    lines: list[str],
    *,
    header: str | None = None,
    columns: int = 1,
    ruled: bool = True,
    size: float = 10.0,
    label_width: float | None = None,
    padding: float = 0.0,
    footer: str = "{number} ({total})",
) -> Rendered:
    """Lay out raw-format lines as report pages; return the PDF and its expected lines.

    Paragraph lines are wrapped to the column width, TAB-separated lines become a table
    (first column left-aligned, the others right-aligned, ruled if ``ruled``) and blank lines
    become a paragraph gap (one empty expected line). With ``label_width`` (points) a
    table's first column is that narrow and longer labels wrap inside their cells, as in
    many reports; the row is still expected as one line. ``padding`` (points) spaces a
    table's rows further apart than the lines within a cell. Cells too wide for the page
    wrap. Every page gets ``header`` (if given) at the top and ``footer`` at the bottom
    (``{number}`` and ``{total}`` filled in; ``n (N)`` unless given). A
    soft hyphen (U+00AD) ending a wrapped line is expected back as ``-``; inside a line it
    is expected to vanish.
    """
    pdf = _new_pdf()
    layout = _Layout(pdf, size, header, columns, ruled, label_width, padding, footer)
    for kind, block in _blocks(lines):
        if kind == "gap":
            layout.gap()
        elif kind == "text":
            layout.text(block[0])
        else:
            layout.table(block)
    return layout.render()


def render_scan(lines: list[str], pages: int = 1) -> bytes:
    """A PDF of page images only (no text layer), like a scanned report."""
    from PIL import Image, ImageDraw, ImageFont

    pdf = _new_pdf()
    font = ImageFont.truetype(str(_font_path()), 22)
    for _ in range(pages):
        image = Image.new("L", (1240, 1754), 255)
        draw = ImageDraw.Draw(image)
        for i, line in enumerate(lines[:60]):
            draw.text((110, 110 + i * 30), line.replace("\t", "    "), fill=0, font=font)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        pdf.add_page()
        pdf.image(buffer, x=0, y=0, w=PAGE_W, h=PAGE_H)
    return bytes(pdf.output())
