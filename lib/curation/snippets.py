"""The words a proposal quotes: a short exact piece of the raw line around a figure, and
the qualifier (≈ < > ≤ ≥) the words before it give it (:mod:`lib.curation.candidates`).
"""

from __future__ import annotations

import re
from functools import lru_cache


def qualifier_of(r: dict) -> str:
    """≈ for an approximate figure, < > ≤ ≥ for a bound; empty when exact (as the build
    reads it: :func:`lib.text.numbers.qualifier_before`)."""
    from lib.text.numbers import qualifier_before

    if r.get("qualifier"):
        return str(r["qualifier"])
    if r["source"] != "quantity":
        return qualifier_before(r["line_before"]) or ""
    return ""


@lru_cache(maxsize=4096)
def _figure_re(value: float, word: str | None) -> re.Pattern:
    """A figure as the raw text may write it: the number word, or its digit forms."""
    from lib.curation import values

    if word is not None:
        pattern = re.escape(word)
    else:
        forms = sorted(values.number_forms(value), key=len, reverse=True)
        pattern = "|".join(re.escape(f) for f in forms)
    return re.compile(rf"(?<![\d,.])(?:{pattern})(?!\d|,\d)")


def raw_snippet(raw_line: str, r: dict, analysed_len: int) -> str:
    """A short exact piece of the raw line around the figure (the whole line if unsure)."""
    from lib.curation import values

    value = abs(float(r["value"]))
    if "\t" in raw_line:  # a table row: the whole row, as curators quote it
        return raw_line.strip()
    word = str(r["raw"]) if r["source"] in ("word", "fraction") else None
    hits = list(_figure_re(value, word).finditer(raw_line))
    if not hits:
        return raw_line.strip()
    target = r["start"] / max(analysed_len, 1) * len(raw_line)
    m = min(hits, key=lambda m: abs(m.start() - target))
    left = [x.start() for x in re.finditer(r"\S+", raw_line[: m.start()])]
    a = left[-5] if len(left) >= 5 else 0
    right = [x.end() for x in re.finditer(r"\S+", raw_line[m.end() :])]
    b = m.end() + (right[2] if len(right) >= 3 else len(raw_line) - m.end())
    snippet = raw_line[a:b].strip()
    if len(snippet) < 3 or not values.value_in_text(value, snippet):
        return raw_line.strip()
    return snippet
