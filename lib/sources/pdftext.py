"""PDF text in the project's raw format: rows, table cells, columns, pages (pypdfium2).

A PDF's text is read page by page with pypdfium2 (PDFium): every character with its
position (a small raised digit is a footnote marker, kept apart as a superscript digit),
and the page's vector shapes (cell borders). :mod:`lib.sources.pagelayout` builds each
page's lines from them, a table ending one page handing its columns to the next;
:mod:`lib.sources.pagejoin` joins table rows a page break split (below the running header
and a repeated header row) and tells whether the text layer reads as Swedish at all.
:func:`extract_pdf` also returns the first line of every page, which the manifest records
(``page_lines``), so no page marker enters the text.

PDFs from Word, LibreOffice and browsers (line spacing 1.0-1.5, rows broken across pages,
justified text, lists, NBSP, NFD, line-end hyphens of any code point) are measured by
``make bench-add`` (docs/benchmarks.md).
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from pathlib import Path

from lib.errors import DataError
from lib.sources.pagejoin import join_broken_rows, known_share
from lib.sources.pagelayout import (
    SOFT_HYPHEN,
    SUPERSCRIPTS,
    Rule,
    Word,
    clean_text,
    page_layout,
    page_lines,
)

__all__ = ["Extraction", "Rule", "Word", "clean_text", "extract_pdf", "page_lines"]


# --------------------------------------------------------------------------- PDF


@dataclass(frozen=True)
class Extraction:
    """A PDF's text in the raw format, where each page starts, and what produced it."""

    lines: list[str]
    page_lines: list[int]  # 1-based raw line where each page's text starts
    empty_pages: list[int]  # 1-based numbers of pages without any text
    tool: str  # e.g. "pypdfium2 5.15.2 (PDFium 159.0.8149.0)"
    joined_rows: int = 0  # table rows broken by a page break and joined again

    @property
    def text(self) -> str:
        """The text file's content: the lines joined by LF, with a final LF."""
        return "".join(line + "\n" for line in self.lines)


def extraction_tool() -> str:
    """The extraction library and version recorded in the manifest."""
    from importlib.metadata import version

    from pypdfium2 import version as pdfium_version

    engine = str(getattr(pdfium_version, "PDFIUM_INFO", "?")).split("@")[0]
    return f"pypdfium2 {version('pypdfium2')} (PDFium {engine})"


def _page_words(page) -> list[Word]:
    """Word boxes of one pypdfium2 page (top-down coordinates), built from its characters.

    Characters are read with their loose (font) boxes, so that letters with and without
    diacritics share a row; words break at spaces and at horizontal or vertical jumps.
    """
    from pypdfium2 import raw as pdfium_c

    height = page.get_height()
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range(0, count) if count else ""
        if len(text) != count:  # surrogate pairs: fall back to one call per character
            text = "".join(textpage.get_text_range(i, 1) or " " for i in range(count))
        rect = pdfium_c.FS_RECTF()
        words: list[Word] = []
        current: list | None = None
        for i, ch in enumerate(text):
            if ch.isspace() or not pdfium_c.FPDFText_GetLooseCharBox(textpage, i, rect):
                current = None
                continue
            x0, x1, top, bottom = rect.left, rect.right, height - rect.top, height - rect.bottom
            if ch == "\ufffe":  # PDFium's mark for a hyphen it reads as a soft hyphen
                ch = SOFT_HYPHEN
            if ch.isdigit() and _raised(textpage, i, text):  # a footnote marker: a word
                words.append((x0, top, x1, bottom, ch.translate(SUPERSCRIPTS)))
                current = None
                continue
            if (
                current is not None
                and _overlap(top, bottom, current[1], current[3])
                and current[0] - 1.0 <= x0
                and x0 - current[2] < 0.25 * (bottom - top)
            ):
                current[2] = max(current[2], x1)
                current[3] = max(current[3], bottom)
                current[4] += ch
            else:
                current = [x0, top, x1, bottom, ch]
                words.append(current)  # type: ignore[arg-type]
        return [tuple(w) for w in words]  # type: ignore[misc]
    finally:
        textpage.close()


def _overlap(top: float, bottom: float, other_top: float, other_bottom: float) -> bool:
    """Whether two boxes share most of the lower one's height (one line of text; glyph
    boxes differ in height, an Å reaching higher than an r)."""
    shared = min(bottom, other_bottom) - max(top, other_top)
    return shared > 0.5 * min(bottom - top, other_bottom - other_top)


def _raised(textpage, i: int, text: str) -> bool:
    """Whether digit ``i`` is set smaller and raised against the text beside it (a footnote
    marker, ``1 470¹``), so that it is kept apart from a number it follows."""
    from pypdfium2 import raw as pdfium_c

    def size_y(j: int) -> tuple[float, float]:
        x, y = ctypes.c_double(), ctypes.c_double()
        pdfium_c.FPDFText_GetCharOrigin(textpage, j, x, y)
        return pdfium_c.FPDFText_GetFontSize(textpage, j), y.value

    size, y = size_y(i)
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(text) and (text[j].isspace() or text[j].isdigit()) and abs(j - i) < 4:
            if text[j].isdigit() and abs(size_y(j)[0] - size) > 0.01:
                break  # a digit of the text beside it
            j += step
        if 0 <= j < len(text) and not text[j].isspace():
            other, y_other = size_y(j)
            if other >= 1.15 * size and 0.15 * other < y - y_other < 0.8 * other:
                return True
    return False


def _page_rules(page) -> list[Rule]:
    """Horizontal edges of the page's vector shapes (top-down): table rules and cell borders.

    A thin shape is one rule; a taller one (a cell's rectangle, a shaded row) gives its top
    and bottom edges. Vertical lines are ignored.
    """
    from pypdfium2 import raw as pdfium_c

    height = page.get_height()
    rules: list[Rule] = []
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=2):
        left, bottom, right, top = obj.get_bounds()
        if right - left < 8:
            continue
        if top - bottom < 3:
            rules.append((height - (top + bottom) / 2, left, right))
        else:
            rules += [(height - top, left, right), (height - bottom, left, right)]
    return rules


OCR_HINT = "run OCR first, e.g. `ocrmypdf -l swe in.pdf out.pdf`, and add out.pdf"
KNOWN_SHARE = 0.5  # a text layer where fewer of the words are known Swedish is unreadable


def _read_pages(document, name: str, progress: bool) -> list[list[str]]:
    """Every page's lines, a table ending one page giving its columns to the next."""
    from tqdm import tqdm

    pages: list[list[str]] = []
    carry = None
    for number in tqdm(range(len(document)), desc=name, unit="page", disable=not progress):
        page = document[number]
        try:
            words, rules = _page_words(page), _page_rules(page)
            page_text, carry = page_layout(words, page.get_width(), rules, carry)
        finally:
            page.close()
        while page_text and not page_text[-1]:
            page_text.pop()
        while page_text and not page_text[0]:
            page_text.pop(0)
        pages.append(page_text)
    return pages


def extract_pdf(path: Path, progress: bool = False, accept_text_layer: bool = False) -> Extraction:
    """Extract a PDF's text in the raw format (see the module docstring).

    Raises :class:`DataError` for a file PDFium cannot open (damaged, encrypted), for a PDF
    without a text layer (a scan), and for a text layer that cannot be read (fonts without
    a Unicode map: unmapped letters, or too few known Swedish words; ``accept_text_layer``
    lets the latter pass), naming the OCR step that makes a readable one.
    """
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise DataError(
            f"{path}: cannot be read as a PDF ({exc}); check the file, "
            "or save it again from a PDF viewer (a password must be removed)."
        ) from None
    try:
        pages = _read_pages(document, path.name, progress)
    finally:
        document.close()
    joined = join_broken_rows(pages)
    lines: list[str] = []
    starts: list[int] = []
    for page_text in pages:
        starts.append(len(lines) + 1)
        lines += page_text
    if not lines:
        raise DataError(f"{path}: the PDF has no text layer (a scanned report?); {OCR_HINT}.")
    _check_text_layer(path, lines, accept_text_layer)
    empty = [n for n, page_text in enumerate(pages, start=1) if not page_text]
    starts = [min(s, len(lines)) for s in starts]
    return Extraction(lines, starts, empty, extraction_tool(), joined)


def _check_text_layer(path: Path, lines: list[str], accept: bool) -> None:
    letters = [ch for line in lines for ch in line if ch.isalpha() or ch in "\ufffd"]
    unreadable = sum(ch == "\ufffd" or "\ue000" <= ch <= "\uf8ff" for ch in letters)
    if unreadable > 0.05 * len(letters):
        raise DataError(
            f"{path}: {unreadable} of {len(letters)} letters of the text layer "
            f"cannot be read (fonts without a Unicode map); {OCR_HINT} "
            "(with --force-ocr)."
        )
    share, n = known_share(lines)
    if n >= 20 and share < KNOWN_SHARE and not accept:
        sample = next(line for line in lines if line.strip())[:40]
        raise DataError(
            f"{path}: the text layer does not read as Swedish (only {share:.0%} of its {n} "
            f"words are known words; it begins {sample!r}): its fonts lack a Unicode map; "
            f"{OCR_HINT} (with --force-ocr), or give --accept-text-layer if the text is right."
        )
