"""Across pages: running headers and footers, table rows broken by a page break, and
whether a text layer reads as Swedish at all.

Word and LibreOffice let a table row break across a page (their default), so the first
lines of a row's cells end one page and the rest open the next, below the running header
and, often, the table's header row printed again. :func:`join_broken_rows` puts such a row
back together on the page it started on. Page furniture is found by repetition: a line at
the top or bottom of most pages (digits aside: ``Sida 3 (7)``, ``Dnr SN-2022-0127/23``).

:func:`known_share` is the share of a text's words that are known Swedish words (wordfreq's
list, :func:`lib.sources.words.known_word`): about 0.9 for a report's text layer, far lower
for fonts without a Unicode map, whose text reads like ``UVUDSSRUW Ȋ 6RFLDOQ¤PQGHQ``.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import islice

from lib.sources.pagelayout import join_wrapped

EDGE = 3  # lines at the top and at the bottom of a page that may be furniture
_PUNCTUATION = ".,;:()[]?!\"'»«”“’*"
_NUMBER_RE = re.compile(r"[\d\s.,%+\-−–/]+")


def _signature(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.split()))


def furniture(pages: list[list[str]]) -> set[str]:
    """Signatures (digits as ``#``) of lines at the top or bottom of at least half the
    pages, and of at least two: running headers, footers, page numbers."""
    if len(pages) < 2:
        return set()
    seen: Counter[str] = Counter()
    for page in pages:
        text = [line for line in page if line.strip()]
        seen.update({_signature(line) for line in text[:EDGE] + text[-EDGE:]})
    least = max(2, (len(pages) + 1) // 2)
    return {sig for sig, n in seen.items() if n >= least}


def _edge(page: list[str], furn: set[str], last: bool) -> int | None:
    """Index of the first (or last) line of a page that holds text and is not furniture."""
    order = range(len(page) - 1, -1, -1) if last else range(len(page))
    skipped = 0
    for i in order:
        if not page[i].strip():
            continue
        if _signature(page[i]) in furn and skipped < EDGE:
            skipped += 1
            continue
        return i
    return None


def _table_head(page: list[str], i: int) -> str:
    """The first row of the run of table rows that holds line i."""
    while i > 0 and "\t" in page[i - 1]:
        i -= 1
    return page[i]


def _rest_of_row(tail: str, head: str) -> bool:
    """Whether a table row opening a page is the rest of the row ending the page before: its
    filled cells go on with lower-case words, or fill cells the row left empty."""
    t, h = tail.split("\t"), head.split("\t")
    if len(h) > len(t):
        return False
    filled = [(a.strip(), b.strip()) for a, b in zip(t, h, strict=False) if b.strip()]
    goes_on = [b for a, b in filled if b[0].islower() and a and _unfinished(a)]
    return bool(goes_on) and all(b[0].islower() or not a for a, b in filled)


def _unfinished(cell: str) -> bool:
    """Whether a cell's text can go on on the next line: it ends with a letter, a comma or
    a hyphen (not with a number, a closing bracket or a full stop)."""
    return cell[-1].isalpha() or cell[-1] in ",-\u00ad\u2010\u2011"


def join_broken_rows(pages: list[list[str]]) -> int:
    """Join each table row broken by a page break into its first part; return how many.

    The rest of the row (the first table row on the next page, below the running header
    and a repeated header row of the table) is merged cell by cell into the row that ended
    the page, and removed from the next page.
    """
    furn = furniture(pages)
    joined = 0
    for page, after in zip(pages, pages[1:], strict=False):
        i, j = _edge(page, furn, last=True), _edge(after, furn, last=False)
        if i is None or j is None or "\t" not in page[i]:
            continue
        if after[j] == _table_head(page, i):  # the table's header row, repeated
            j = next((k for k in range(j + 1, len(after)) if after[k].strip()), len(after))
        if j >= len(after) or "\t" not in after[j] or not _rest_of_row(page[i], after[j]):
            continue
        t, h = page[i].split("\t"), after[j].split("\t")
        h += [""] * (len(t) - len(h))
        page[i] = "\t".join(join_wrapped(a, b) for a, b in zip(t, h, strict=True))
        del after[j]
        joined += 1
    return joined


def known_share(lines: list[str], limit: int = 5000) -> tuple[float, int]:
    """The share of a text's words (the first ``limit``) that are known Swedish words, and
    how many words were looked at.

    A word is what stands between spaces, punctuation at its ends taken off; numbers are
    left out. Real report text scores about 0.9 (OCR'd text about 0.8); the text layer of a
    PDF whose fonts lack a Unicode map 0.1 to 0.3, its "words" being glyph codes.
    """
    from lib.sources.words import known_word

    tokens = (
        t.strip(_PUNCTUATION).rstrip("-\u2010\u2011\u00ad") for ln in lines for t in ln.split()
    )
    words = list(islice((t for t in tokens if t and not _NUMBER_RE.fullmatch(t)), limit))
    if not words:
        return 1.0, 0
    known = sum(word.isalpha() and known_word(word.lower()) for word in words)
    return known / len(words), len(words)
