"""Fraction and share words as the shares they stand for: ``hälften`` (50 %), ``en
femtedel`` (20 %), ``två tredjedelar`` (67 %), ``var fjärde`` (25 %), ``varannan`` (50 %),
written with or without å, ä, ö (the OCR'd reports lost them). ``varannan vecka`` and
``var tredje år`` are frequencies, not shares.

Proposing reads them as candidate figures (unit ``procent``, a share;
:mod:`lib.curation.candidates`), and reading a curated value back accepts them
(:mod:`lib.curation.values`). Values are whole percent (a third is 33) except halves of a
percent (an eighth is 12.5).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

_WORD = r"[A-Za-zÅÄÖåäöÉéÜü]"

# The noun of a fraction, as the share one of it is (``tredjedel``) and the share the
# plural most often stands for (``tredjedelar``: two thirds).
FRACTION_WORDS = {
    "hälften": 50.0,
    "tredjedel": 33.0,
    "tredjedelar": 67.0,
    "fjärdedel": 25.0,
    "fjärdedelar": 75.0,
    "femtedel": 20.0,
    "femtedelar": 40.0,
    "sjättedel": 17.0,
    "åttondel": 12.5,
    "tiondel": 10.0,
    "tiondelar": 30.0,
    "varannan": 50.0,
    "vartannat": 50.0,
}
# ``var fjärde``: one in n
ORDINAL_SHARES = {"tredje": 33.0, "fjärde": 25.0, "femte": 20.0, "sjätte": 17.0, "tionde": 10.0}
_COUNTS = {"en": 1, "ett": 1, "två": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6}
_TIME_NOUNS = (
    "vecka",
    "veckor",
    "månad",
    "år",
    "året",
    "dag",
    "gång",
    "kvartal",
    "termin",
    "timme",
    "vår",
    "höst",
    "sommar",
    "vinter",
    "mandatperiod",
)
VALUES = frozenset(FRACTION_WORDS.values()) | frozenset(ORDINAL_SHARES.values())


def _fold(word: str) -> str:
    nfd = unicodedata.normalize("NFD", word.lower())
    return "".join(ch for ch in nfd if not unicodedata.combining(ch))


@cache
def _folded() -> dict[str, float]:
    return {_fold(w): v for w, v in {**ORDINAL_SHARES, **FRACTION_WORDS}.items()}


def word_value(word: str) -> float | None:
    """The share a fraction word stands for (``femtedel`` 20), with or without å, ä, ö."""
    return _folded().get(_fold(word))


def _loose(word: str) -> str:
    """A word as a pattern that matches it with or without å, ä, ö."""
    return "".join({"å": "[åa]", "ä": "[äa]", "ö": "[öo]"}.get(ch, re.escape(ch)) for ch in word)


def _alternatives(words) -> str:  # noqa: ANN001 - any iterable of str
    return "|".join(_loose(w) for w in sorted(words, key=len, reverse=True))


@cache
def _fraction_re() -> re.Pattern:
    return re.compile(
        rf"(?<!{_WORD})(?:(?:(?P<n>{_alternatives(_COUNTS)})\s+)?(?P<noun>"
        rf"{_alternatives(FRACTION_WORDS)})|var\s+(?P<ord>{_alternatives(ORDINAL_SHARES)}))"
        rf"(?!{_WORD})(?!\s+(?:{_alternatives(_TIME_NOUNS)})(?!{_WORD}))",
        re.IGNORECASE,
    )


def fractions(text: str) -> list[tuple[int, int, float, str]]:
    """The fraction and share words of a line: (start, end, percent, words as written)."""
    out = []
    for m in _fraction_re().finditer(text):
        word = _fold(m.group("ord") or m.group("noun"))
        value = word_value(word)
        if value is None:
            continue
        n = _count(m.group("n"))
        if n > 1 and word.endswith("ar"):
            single = word_value(word[:-2]) or value  # ``tre fjärdedelar``
            share = 100 * n / round(100 / single)
            value = share if abs(share - round(share)) == 0.5 else float(round(share))
        out.append((m.start(), m.end(), float(value), m.group()))
    return out


def _count(word: str | None) -> int:
    if not word:
        return 0
    return {_fold(w): n for w, n in _COUNTS.items()}.get(_fold(word), 0)
