"""PDF text in the project's raw format: rows, table cells, columns, pages (pypdfium2).

A PDF's text is read page by page with pypdfium2 (PDFium): every character with its
position, and the page's vector shapes (cell borders). From them :func:`page_lines` builds
one output line per text line, table rows as one line with TAB between cells (empty cells
kept, text wrapped inside a cell joined back into its row), a blank line where a paragraph
gap is, Swedish letters as they are, ligatures resolved, soft hyphens dropped inside a line
and shown as ``-`` at its end; a page set in two columns is read column by column.
:func:`extract_pdf` also returns the first line of every page, which the manifest records
(``page_lines``), so no page marker enters the text.

The assembly takes word boxes and rules from any library (``make bench-add`` feeds it
pdfplumber's and PyMuPDF's too, to compare them).
"""

from __future__ import annotations

import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lib.errors import DataError

# A word box: x0, top, x1, bottom (points, top-down), text.
Word = tuple[float, float, float, float, str]
# A horizontal rule: y, x0, x1 (points, top-down).
Rule = tuple[float, float, float]

CELL_GAP = 0.9  # a horizontal gap wider than this × the text height separates cells
PARAGRAPH_GAP = 1.4  # a vertical step larger than this × the usual line pitch is a blank line
LIGATURES = {chr(c): unicodedata.normalize("NFKC", chr(c)) for c in range(0xFB00, 0xFB07)}
SOFT_HYPHEN = "\u00ad"


# --------------------------------------------------------------------------- text cleanup


def clean_text(text: str) -> str:
    """Resolve ligatures (ﬁ → fi) and drop control characters; keep every other letter."""
    text = "".join(LIGATURES.get(ch, ch) for ch in text)
    return "".join(ch for ch in text if ch == "\t" or unicodedata.category(ch) != "Cc")


def _finish_line(text: str) -> str:
    """A soft hyphen ending a line was shown as a hyphen; elsewhere it is invisible."""
    text = text.rstrip(" ")  # trailing TABs are empty cells
    ended = text.endswith(SOFT_HYPHEN)
    text = text.replace(SOFT_HYPHEN, "")
    return text + "-" if ended else text


# --------------------------------------------------------------------------- layout


@dataclass
class _Row:
    """Words that share a baseline, left to right."""

    words: list[Word]

    @property
    def top(self) -> float:
        return min(w[1] for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w[3] for w in self.words)

    @property
    def height(self) -> float:
        return statistics.median(w[3] - w[1] for w in self.words)

    def cells(self) -> list[list[Word]]:
        """Split the row at gaps wider than CELL_GAP × its text height."""
        out: list[list[Word]] = [[self.words[0]]]
        limit = CELL_GAP * self.height
        for prev, word in zip(self.words, self.words[1:], strict=False):
            if word[0] - prev[2] > limit:
                out.append([word])
            else:
                out[-1].append(word)
        return out


def _rows(words: Iterable[Word]) -> list[_Row]:
    """Group words into rows: a word joins the row its vertical middle falls within."""
    rows: list[_Row] = []
    for word in sorted(words, key=lambda w: (w[1], w[0])):
        middle = (word[1] + word[3]) / 2
        for row in reversed(rows[-3:]):
            if row.top <= middle <= row.bottom:
                row.words.append(word)
                break
        else:
            rows.append(_Row([word]))
    for row in rows:
        row.words.sort(key=lambda w: w[0])
    return rows


def _gutter(rows: list[_Row], width: float) -> float | None:
    """The x of the gap between two text columns, if the page is set in two columns.

    A gutter is an x in the middle third of the page that most rows leave empty, with words
    on both sides, and where both sides read like prose (no cell gaps in either half).
    """
    if len(rows) < 8:
        return None
    best, best_count = None, 0
    for step in range(0, 61):
        x = width * (1 / 3 + step / 180)
        prose = 0
        for row in rows:
            left = [w for w in row.words if w[2] <= x]
            right = [w for w in row.words if w[0] >= x]
            if not left or not right or len(left) + len(right) != len(row.words):
                continue
            if len(_Row(left).cells()) == 1 and len(_Row(right).cells()) == 1:
                prose += 1
        if prose > best_count:
            best, best_count = x, prose
    return best if best_count >= max(5, len(rows) // 3) else None


def _reading_order(rows: list[_Row], width: float) -> list[_Row]:
    """Rows in reading order: on a two-column page, each band left column then right."""
    x = _gutter(rows, width)
    if x is None:
        return rows
    out: list[_Row] = []
    left: list[_Row] = []
    right: list[_Row] = []
    for row in rows:
        if any(w[0] < x < w[2] for w in row.words):  # a full-width row closes the band
            out += left + right + [row]
            left, right = [], []
            continue
        lw = [w for w in row.words if w[2] <= x]
        rw = [w for w in row.words if w[0] >= x]
        if lw:
            left.append(_Row(lw))
        if rw:
            right.append(_Row(rw))
    return out + left + right


def _cell_text(words: Sequence[Word]) -> str:
    return " ".join(w[4] for w in words)


def _join_wrapped(first: str, more: str) -> str:
    """A cell's text wrapped inside the cell, back on one line.

    A hyphen ending the first part is resolved as the passage builder does
    (:func:`lib.sources.words.hyphen_join`: ``för-`` ``valtningen``, ``individ-`` ``och``).
    """
    if not first or not more:
        return first or more
    if first[-1] not in "-" + SOFT_HYPHEN:
        return f"{first} {more}"
    from lib.sources.words import hyphen_join

    left = first[:-1].split()[-1] if first[:-1].split() else ""
    return first[:-1] + hyphen_join(left, more.split()[0]) + more


def _spans(lines: Iterable[_Row]) -> list[list[float]]:
    """Column spans: the union of the cells' x-ranges over the given lines."""
    spans: list[list[float]] = []
    for x0, x1 in sorted((c[0][0], c[-1][2]) for r in lines for c in r.cells()):
        if spans and x0 <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], x1)
        else:
            spans.append([x0, x1])
    return spans


def _fits(row: _Row, block: list[list[_Row]]) -> bool:
    """Whether a row's cells keep to the table's columns: none straddles two, no two share
    one (a cell where the table had none so far is a column its rows left empty)."""
    spans = _spans(line for r in block for line in r)
    hits = []
    for cell in row.cells():
        x0, x1 = cell[0][0], cell[-1][2]
        found = [i for i, s in enumerate(spans) if x0 < s[1] and x1 > s[0]]
        if len(found) > 1:
            return False
        hits += found
    return len(set(hits)) == len(hits)


def _table_lines(block: list[list[_Row]]) -> list[str]:
    """TAB-joined lines of a table block: one per row, cells aligned to common columns.

    A row is its first line and the lines its cells wrapped onto. Columns are the union of
    the cells' x-ranges over the block, so a row with an empty cell keeps its place
    (``Nettokostnadsutveckling\\t\\t2,0 %\\t5,9 %``) and wrapped text finds its cell.
    """
    spans = _spans(line for row in block for line in row)
    if len(spans) < 2:  # one column (a framed paragraph): its lines as read
        return [_cell_text(line.words) for row in block for line in row]
    out = []
    for row in block:
        slots = [""] * len(spans)
        for line in row:
            seen: set[int] = set()
            for cell in line.cells():
                j = next(i for i, s in enumerate(spans) if s[0] <= cell[0][0] <= s[1])
                if j in seen:  # a cell spanning columns merged two of them: keep lines as read
                    return ["\t".join(_cell_text(c) for c in li.cells()) for r in block for li in r]
                seen.add(j)
                slots[j] = _join_wrapped(slots[j], _cell_text(cell))
        out.append("\t".join(slots))
    return out


def _usual(steps: list[float]) -> float:
    """The most frequent step (to half a point), the smallest of equally frequent ones."""
    counts = Counter(round(step * 2) / 2 for step in steps)
    return min(counts, key=lambda step: (-counts[step], step))


def _pitch(rows: list[_Row]) -> float:
    """The page's usual line pitch: the median of the steps no taller than 1.6 lines."""
    height = statistics.median(r.height for r in rows)
    steps = [
        b.top - a.top
        for a, b in zip(rows, rows[1:], strict=False)
        if 0 < b.top - a.top <= 1.6 * height
    ]
    return statistics.median(steps) if steps else 1.2 * height


class _Rules:
    """Horizontal rules of a page (cell borders), to tell a table's rows apart."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules = sorted(rules)

    def _within(self, y0: float, y1: float, row: _Row) -> list[float]:
        x0, x1 = row.words[0][0], row.words[-1][2]
        return [y for y, rx0, rx1 in self.rules if y0 < y < y1 and rx0 < x1 and rx1 > x0]

    def _any(self, y0: float, y1: float, row: _Row) -> bool:
        return bool(self._within(y0, y1, row))

    def between(self, upper: _Row, lower: _Row) -> bool:
        return self._any((upper.top + upper.bottom) / 2, (lower.top + lower.bottom) / 2, lower)

    def apart(self, upper: _Row, lower: _Row) -> bool:
        """Whether the rules between two lines are separate borders with space between them
        (one table ends, another begins), rather than the one border two rows share."""
        ys = self._within((upper.top + upper.bottom) / 2, (lower.top + lower.bottom) / 2, lower)
        return bool(ys) and max(ys) - min(ys) > 0.5 * lower.height

    def above(self, row: _Row) -> bool:
        return self._any(row.top - 0.8 * row.height, (row.top + row.bottom) / 2, row)

    def below(self, row: _Row) -> bool:
        return self._any((row.top + row.bottom) / 2, row.bottom + 0.8 * row.height, row)


def _bounded_cell(rows: list[_Row], i: int, rules: _Rules, pitch: float) -> bool:
    """Whether rows[i] opens a one-cell table row: a rule above, its lines, a rule below."""
    if not rules.above(rows[i]) and not (i and rules.between(rows[i - 1], rows[i])):
        return False
    j = i
    while (
        j + 1 < len(rows)
        and not rules.between(rows[j], rows[j + 1])
        and 0 < rows[j + 1].top - rows[j].top <= PARAGRAPH_GAP * pitch
    ):
        j += 1
    return rules.below(rows[j])


def page_lines(words: Iterable[Word], width: float, rules: Iterable[Rule] = ()) -> list[str]:
    """The lines of one page from its word boxes, in the project's raw format.

    Rows become lines; a row with wide gaps is a table row (cells joined by TAB) and a run
    of such rows is aligned to common columns, so empty cells keep their place. Text that
    wraps inside a cell is joined back into its row: in a table with horizontal rules
    (``rules``: y, x0, x1 of the page's cell borders) a row is what lies between two rules,
    which also keeps rows whose only filled cell is the first; without rules, a line that
    follows closer than the table's rows follow each other (as measured in the table, or
    on the page for its first row) is wrapped text, and where the two are equally spaced
    they cannot be told apart and stay lines of their own. A vertical step clearly larger
    than the usual line pitch becomes one blank line, except between rows of a table
    padded apart that keep to its columns.
    """
    words = [(x0, top, x1, bottom, clean_text(t)) for x0, top, x1, bottom, t in words]
    rows = _reading_order(_rows(w for w in words if w[4].strip()), width)
    if not rows:
        return []
    ruling = _Rules(rules)
    pitch = _pitch(rows)
    # How far a table row usually lies below the line before it, on this page: the yardstick
    # for wrapped cell text until the current table has rows of its own.
    into_rows = [
        b.top - a.top
        for a, b in zip(rows, rows[1:], strict=False)
        if len(b.cells()) > 1 and 0 < b.top - a.top < 2.5 * pitch
    ]
    row_pitch = _usual(into_rows) if into_rows else pitch
    out: list[str] = []
    block: list[list[_Row]] = []  # the table's rows, each its lines
    row_steps: list[float] = []  # steps from one table row to the next, without rules
    ruled = False

    def flush() -> None:
        out.extend(_table_lines(block))
        block.clear()
        row_steps.clear()

    previous: _Row | None = None
    for i, row in enumerate(rows):
        step = row.top - previous.top if previous is not None else 0.0
        gap = previous is not None and step > PARAGRAPH_GAP * pitch
        multi = len(row.cells()) > 1
        if block and ruled and previous is not None:
            if not gap and not ruling.between(previous, row):
                block[-1].append(row)  # more text of the row's cells
            elif (multi or _bounded_cell(rows, i, ruling, pitch)) and not (
                gap and ruling.apart(previous, row)
            ):
                block.append([row])
            else:
                flush()
                ruled = False
            if block:
                previous = row
                continue
        if gap and block and multi and step < 2.5 * pitch and _fits(row, block):
            row_steps.append(step)  # rows padded apart, in the table's columns: no gap
            block.append([row])
            previous = row
            continue
        if gap:
            flush()
            out.append("")
        elif block and 0 < step < 0.85 * (_usual(row_steps) if row_steps else row_pitch):
            block[-1].append(row)  # wrapped cells of the row above
            previous = row
            continue
        if not block and (multi or _bounded_cell(rows, i, ruling, pitch)):
            ruled = bool(ruling.rules) and (
                ruling.above(row) or _bounded_cell(rows, i, ruling, pitch)
            )
            block.append([row])
        elif multi:
            row_steps.append(step)
            block.append([row])
        else:
            flush()
            out.append(_cell_text(row.words))
        previous = row
    flush()
    return [_finish_line(line) for line in out]


# --------------------------------------------------------------------------- PDF


@dataclass(frozen=True)
class Extraction:
    """A PDF's text in the raw format, where each page starts, and what produced it."""

    lines: list[str]
    page_lines: list[int]  # 1-based raw line where each page's text starts
    empty_pages: list[int]  # 1-based numbers of pages without any text
    tool: str  # e.g. "pypdfium2 5.15.2 (PDFium 159.0.8149.0)"

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
    diacritics share a row; words break at spaces and at horizontal jumps.
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
            if (
                current is not None
                and abs(top - current[1]) < 0.5 * (bottom - top)
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


def extract_pdf(path: Path, progress: bool = False) -> Extraction:
    """Extract a PDF's text in the raw format (see the module docstring).

    Raises :class:`DataError` for a file PDFium cannot open (damaged, encrypted) and for a
    PDF without a text layer (a scan), naming the OCR step that makes one.
    """
    import pypdfium2 as pdfium
    from tqdm import tqdm

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise DataError(
            f"{path}: cannot be read as a PDF ({exc}); check the file, "
            "or save it again from a PDF viewer (a password must be removed)."
        ) from None
    lines: list[str] = []
    starts: list[int] = []
    empty: list[int] = []
    try:
        pages = tqdm(range(len(document)), desc=path.name, unit="page", disable=not progress)
        for number in pages:
            page = document[number]
            try:
                page_text = page_lines(_page_words(page), page.get_width(), _page_rules(page))
            finally:
                page.close()
            while page_text and not page_text[-1]:
                page_text.pop()
            while page_text and not page_text[0]:
                page_text.pop(0)
            if not page_text:
                empty.append(number + 1)
            starts.append(len(lines) + 1)
            lines += page_text
    finally:
        document.close()
    if not lines:
        raise DataError(f"{path}: the PDF has no text layer (a scanned report?); {OCR_HINT}.")
    letters = [ch for line in lines for ch in line if ch.isalpha() or ch in "\ufffd"]
    unreadable = sum(ch == "\ufffd" or "\ue000" <= ch <= "\uf8ff" for ch in letters)
    if unreadable > 0.05 * len(letters):
        raise DataError(
            f"{path}: {unreadable} of {len(letters)} letters of the text layer "
            f"cannot be read (fonts without a Unicode map); {OCR_HINT} "
            "(with --force-ocr)."
        )
    return Extraction(lines, [min(s, len(lines)) for s in starts], empty, extraction_tool())
