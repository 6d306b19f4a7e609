"""Page layout: one page's word boxes and rules as lines of the project's raw format.

:func:`page_lines` builds one output line per text line, table rows as one line with TAB
between cells (empty cells kept, text wrapped inside a cell joined back into its row), a
blank line where a paragraph gap is (the line pitch measured from baselines, so line spacing
1.0, 1.15 or 1.5 makes no blank lines), Swedish letters as they are (NFC), ligatures
resolved, hyphens of any kind ending a line written ``-``, justified lines and list items
kept as prose (a bullet is not a table cell), footnote markers as superscript digits apart
from the number; a page set in two columns is read column by column. :func:`page_layout`
also takes and gives a table's columns, so a table continued on the next page keeps them.

The assembly takes word boxes and rules from any library (``make bench-add`` feeds it
pdfplumber's and PyMuPDF's too, to compare them); :mod:`lib.sources.pdftext` reads them
from a PDF with pypdfium2.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# A word box: x0, top, x1, bottom (points, top-down), text.
Word = tuple[float, float, float, float, str]
# A horizontal rule: y, x0, x1 (points, top-down).
Rule = tuple[float, float, float]
# A table's columns: x0, x1 of each.
Spans = list[list[float]]

CELL_GAP = 0.9  # a horizontal gap wider than this × the text height separates cells
PARAGRAPH_GAP = 1.25  # a vertical step larger than this × the usual line pitch is a blank line
LIGATURES = {chr(c): unicodedata.normalize("NFKC", chr(c)) for c in range(0xFB00, 0xFB07)}
SOFT_HYPHEN = "\u00ad"
# Hyphens a generator prints where it breaks a word at a line end: the soft hyphen, the
# Unicode hyphen and non-breaking hyphen (Word, LibreOffice) and the hyphen-minus.
LINE_END_HYPHENS = SOFT_HYPHEN + "\u2010\u2011-"
# Markers that open a list item: bullets (U+F0B7 is Word's Symbol-font bullet, U+F0A7 its
# square), or a number or letter with . or ).
BULLETS = {"\uf0b7": "•", "\uf0a7": "▪", "\uf076": "❖", "\uf0d8": "➢"}
# A middle dot or small bullet as a list marker (Word's HTML writes "·" in the Symbol font)
MARKERS = {"·": "•", "∙": "•"}
_SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
SUPERSCRIPTS = str.maketrans("0123456789", _SUPERSCRIPT_DIGITS)
_MARKER_RE = re.compile(r"[•◦▪▫■□‣⁃∙·○●–—*\-]|\d{1,2}[.)]|[a-z][.)]")


# --------------------------------------------------------------------------- text cleanup


def clean_text(text: str) -> str:
    """Resolve ligatures (ﬁ → fi) and Symbol-font bullets, drop control characters, and
    compose letters (NFC: a decomposed ``o`` + U+0308 becomes ``ö``)."""
    text = "".join(LIGATURES.get(ch, BULLETS.get(ch, ch)) for ch in text)
    text = "".join(ch for ch in text if ch == "\t" or unicodedata.category(ch) != "Cc")
    return unicodedata.normalize("NFC", text)


def _finish_line(text: str) -> str:
    """A hyphen of any kind ending a line is written ``-`` (the word goes on, joined later by
    :func:`lib.sources.words.join_lines`); a soft hyphen inside a line is invisible."""
    text = text.rstrip(" ")  # trailing TABs are empty cells
    if text[-1:] in LINE_END_HYPHENS[:-1] and text[-3:-1].endswith(" "):
        text = text[:-2] + text[-1]  # a hyphen from another font, apart from its word
    ended = text[-1:] in LINE_END_HYPHENS and len(text) > 1 and text[-2].isalpha()
    text = text[:-1] if ended else text
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
        """Split the row at gaps wider than CELL_GAP × its text height.

        A justified line of prose (its words spaced evenly, however wide) and a list item
        (a bullet or number, then its text) are one cell.
        """
        out: list[list[Word]] = [[self.words[0]]]
        limit = CELL_GAP * self.height
        for prev, word in zip(self.words, self.words[1:], strict=False):
            if word[0] - prev[2] > limit:
                out.append([word])
            else:
                out[-1].append(word)
        if len(out) > 1 and self._justified():
            return [self.words]
        if len(out) > 1 and _list_item(out):
            return [self.words]
        return out

    def _justified(self) -> bool:
        """Words spaced evenly, most of them words of letters: a justified line, not cells."""
        if len(self.words) < 4:
            return False
        gaps = [b[0] - a[2] for a, b in zip(self.words, self.words[1:], strict=False)]
        lettered = sum(any(ch.isalpha() for ch in w[4]) for w in self.words)
        return (
            max(gaps) - min(gaps) < 0.35 * self.height
            and max(gaps) < 6.0 * self.height
            and lettered >= 0.6 * len(self.words)
        )


def _list_item(cells: list[list[Word]]) -> bool:
    """A bullet or item number alone in the first cell, then the item's text."""
    if len(cells) != 2 or len(cells[0]) != 1 or not _MARKER_RE.fullmatch(cells[0][0][4]):
        return False
    return any(ch.isalpha() for w in cells[1] for ch in w[4])


def _rows(words: Iterable[Word]) -> list[_Row]:
    """Group words into rows: a word joins the row its vertical middle falls within; a
    footnote marker (superscript digits) the row its bottom falls within."""
    rows: list[_Row] = []
    words = list(words)
    markers = [w for w in words if w[4] and w[4][0] in _SUPERSCRIPT_DIGITS]
    for word in sorted(words, key=lambda w: (w[1], w[0])):
        if word in markers:
            continue
        middle = (word[1] + word[3]) / 2
        for row in reversed(rows[-3:]):
            if row.top <= middle <= row.bottom:
                row.words.append(word)
                break
        else:
            rows.append(_Row([word]))
    for word in markers:
        into = [r for r in rows if r.top <= word[3] <= r.bottom]
        if into:
            into[0].words.append(word)
        else:
            rows.append(_Row([word]))
    rows.sort(key=lambda r: r.top)
    for row in rows:
        row.words.sort(key=lambda w: w[0])
    return rows


def _gutter(rows: list[_Row], width: float) -> float | None:
    """The x of the gap between two text columns, if the page is set in two columns.

    A gutter is an x in the middle third of the page that most rows leave empty, with words
    on both sides, where both sides read like prose (no cell gaps in either half) and the
    right side's lines start at one margin (a justified page's wide word gaps line up by
    chance at some x, but the words after them do not start at one x).
    """
    if len(rows) < 8:
        return None
    best, best_count = None, 0
    for step in range(0, 61):
        x = width * (1 / 3 + step / 180)
        starts: list[float] = []
        for row in rows:
            left = [w for w in row.words if w[2] <= x]
            right = [w for w in row.words if w[0] >= x]
            if not left or not right or len(left) + len(right) != len(row.words):
                continue
            if len(_Row(left).cells()) == 1 and len(_Row(right).cells()) == 1:
                starts.append(right[0][0])
        margin = Counter(round(x0) for x0 in starts).most_common(1)
        prose = len(starts) if margin and margin[0][1] >= 0.6 * len(starts) else 0
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


def join_wrapped(first: str, more: str) -> str:
    """A cell's text wrapped inside the cell, back on one line.

    A hyphen ending the first part is resolved as the passage builder does
    (:func:`lib.sources.words.hyphen_join`: ``för-`` ``valtningen``, ``individ-`` ``och``);
    a dash after a space stays a dash (``utfall -`` ``budget``); text wrapped after a slash
    goes on without a space (``FHM/`` ``Socialstyrelsen``).
    """
    if not first or not more:
        return first or more
    if first[-1] == "/":
        return first + more
    if first[-1] not in LINE_END_HYPHENS or first[-2:-1] in (" ", ""):
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


def _continued(spans: Spans, carry: Spans | None) -> Spans:
    """A table's columns, with those of the table it continues (from the previous page)
    where its rows here leave a column empty: each column here must lie within one there."""
    if not carry or len(spans) >= len(carry):
        return spans
    homes = [[i for i, c in enumerate(carry) if s[0] < c[1] and s[1] > c[0]] for s in spans]
    if any(len(h) != 1 for h in homes):
        return spans
    merged = [list(c) for c in carry]
    for s, (i,) in zip(spans, homes, strict=True):
        merged[i] = [min(merged[i][0], s[0]), max(merged[i][1], s[1])]
    return merged


def _table_lines(block: list[list[_Row]], carry: Spans | None = None) -> tuple[list[str], Spans]:
    """TAB-joined lines of a table block: one per row, cells aligned to common columns.

    A row is its first line and the lines its cells wrapped onto. Columns are the union of
    the cells' x-ranges over the block, so a row with an empty cell keeps its place
    (``Nettokostnadsutveckling\\t\\t2,0 %\\t5,9 %``) and wrapped text finds its cell; a table
    continued from the previous page (``carry``: its columns) keeps that table's columns.
    Returns the lines and the columns.
    """
    spans = _continued(_spans(line for row in block for line in row), carry)
    if len(spans) < 2:  # one column (a framed paragraph): its lines as read
        return [_cell_text(line.words) for row in block for line in row], []
    out = []
    for row in block:
        slots = [""] * len(spans)
        for line in row:
            seen: set[int] = set()
            for cell in line.cells():
                j = next(i for i, s in enumerate(spans) if s[0] <= cell[0][0] <= s[1])
                if j in seen:  # a cell spanning columns merged two of them: keep lines as read
                    lines = [r for b in block for r in b]
                    return ["\t".join(_cell_text(c) for c in li.cells()) for li in lines], []
                seen.add(j)
                slots[j] = join_wrapped(slots[j], _cell_text(cell))
        out.append("\t".join(slots))
    return out, spans


def _usual(steps: list[float]) -> float:
    """The most frequent step (to half a point), the smallest of equally frequent ones."""
    counts = Counter(round(step * 2) / 2 for step in steps)
    return min(counts, key=lambda step: (-counts[step], step))


def _pitch(rows: list[_Row]) -> float:
    """The page's usual line pitch, from baseline to baseline (the rows' bottoms).

    The steps between consecutive lines of prose (rows of one cell) fall into clusters: the
    line pitch within paragraphs and the larger steps across paragraph gaps (on a page of
    short paragraphs, the more frequent ones). The pitch is the smallest step (to a point)
    that is frequent, the median of the steps near it; on a page of tables, from all its
    rows. Line spacing 1.0, 1.15 or 1.5 only changes that step; a paragraph gap is a step
    clearly above it.
    """
    height = statistics.median(r.height for r in rows)
    prose = [r for r in rows if len(r.cells()) == 1]
    for lines in (prose, rows):
        usual = _smallest_frequent(
            [
                b.bottom - a.bottom
                for a, b in zip(lines, lines[1:], strict=False)
                if 0.8 * height < b.bottom - a.bottom <= 4.0 * height
            ]
        )
        if usual:
            return usual
    return 1.2 * height  # too few lines to tell (a title page): the text's height says


def _smallest_frequent(steps: list[float]) -> float | None:
    """The smallest step (to a point, ±1) that at least 3 and 0.3 × the most frequent take,
    as the median of the steps near it; None if there is none."""
    counts = Counter(round(step) for step in steps)
    frequent = max(3.0, 0.3 * max(counts.values(), default=0))
    clusters = {
        step: sum(n for other, n in counts.items() if abs(other - step) <= 1) for step in counts
    }
    usual = min((step for step, n in clusters.items() if n >= frequent), default=None)
    if usual is None:
        return None
    return statistics.median(s for s in steps if abs(s - usual) <= 0.1 * usual + 0.5)


class _Rules:
    """Horizontal rules of a page (cell borders), to tell a table's rows apart."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules = sorted(rules)
        self.leading = 0.0  # the line spacing's room above and below a line's text

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
        reach = 0.8 * row.height + self.leading
        return self._any(row.top - reach, (row.top + row.bottom) / 2, row)

    def below(self, row: _Row) -> bool:
        reach = 0.8 * row.height + self.leading
        return self._any((row.top + row.bottom) / 2, row.bottom + reach, row)


def _bounded_cell(rows: list[_Row], i: int, rules: _Rules, pitch: float) -> bool:
    """Whether rows[i] opens a one-cell table row: a rule above, its lines, a rule below."""
    if not rules.above(rows[i]) and not (i and rules.between(rows[i - 1], rows[i])):
        return False
    j = i
    while (
        j + 1 < len(rows)
        and not rules.between(rows[j], rows[j + 1])
        and 0 < rows[j + 1].bottom - rows[j].bottom <= PARAGRAPH_GAP * pitch
    ):
        j += 1
    return rules.below(rows[j])


def page_lines(words: Iterable[Word], width: float, rules: Iterable[Rule] = ()) -> list[str]:
    """The lines of one page from its word boxes, in the project's raw format (see
    :func:`page_layout`)."""
    return page_layout(words, width, rules)[0]


# Rows at the top or bottom of a page that may be its running header or footer.
_FURNITURE_ROWS = 3


def page_layout(
    words: Iterable[Word], width: float, rules: Iterable[Rule] = (), carry: Spans | None = None
) -> tuple[list[str], Spans | None]:
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

    ``carry`` is the columns of a table that ended the previous page: a table opening this
    page (below at most a running header) keeps them. Returns the lines and the columns of
    a table that ends the page (above at most a footer), or None.
    """
    words = [(x0, top, x1, bottom, clean_text(t)) for x0, top, x1, bottom, t in words]
    rows = _reading_order(_rows(w for w in words if w[4].strip()), width)
    if not rows:
        return [], None
    for row in rows:  # a middle dot opening a line is a list's bullet
        x0, top, x1, bottom, first = row.words[0]
        if first in MARKERS and len(row.words) > 1:
            row.words[0] = (x0, top, x1, bottom, MARKERS[first])
    ruling = _Rules(rules)
    pitch = _pitch(rows)
    ruling.leading = max(0.0, pitch - statistics.median(r.bottom - r.top for r in rows))
    # How far a table row usually lies below the line before it, on this page: the yardstick
    # for wrapped cell text until the current table has rows of its own.
    into_rows = [
        b.bottom - a.bottom
        for a, b in zip(rows, rows[1:], strict=False)
        if len(b.cells()) > 1 and 0 < b.bottom - a.bottom < 2.5 * pitch
    ]
    row_pitch = _usual(into_rows) if into_rows else pitch
    out: list[str] = []
    block: list[list[_Row]] = []  # the table's rows, each its lines
    row_steps: list[float] = []  # steps from one table row to the next, without rules
    ruled = False

    ends: list[tuple[int, Spans]] = []  # each table's last row (index) and its columns

    def flush() -> None:
        if not block:
            return
        first = next(i for i, r in enumerate(rows) if r is block[0][0])
        lines, spans = _table_lines(block, carry if first < _FURNITURE_ROWS else None)
        out.extend(lines)
        ends.append((next(i for i, r in enumerate(rows) if r is block[-1][-1]), spans))
        block.clear()
        row_steps.clear()

    previous: _Row | None = None
    for i, row in enumerate(rows):
        step = row.bottom - previous.bottom if previous is not None else 0.0
        gap = previous is not None and step > PARAGRAPH_GAP * pitch
        multi = len(row.cells()) > 1
        if block and ruled and previous is not None:
            if not gap and not ruling.between(previous, row):
                block[-1].append(row)  # more text of the row's cells
            elif (multi or _bounded_cell(rows, i, ruling, pitch)) and not (
                gap and (ruling.apart(previous, row) or not ruling.above(row))
            ):  # a row of the table; after a gap, only right below a rule (not a footer)
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
    last = ends[-1] if ends and ends[-1][0] >= len(rows) - _FURNITURE_ROWS else None
    return [_finish_line(line) for line in out], (last[1] or None) if last else None
