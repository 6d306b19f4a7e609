"""Swedish formats of numbers, percentages, p-values, periods and source references.

Numbers: space-grouped thousands and decimal comma (``1 234,5``; the space is a
no-break space, U+00A0, so a number never wraps), percent with a space before the
sign (``12,3 %``), and a real minus sign (U+2212) for negative values. Used wherever a
figure is shown to people: the database's Swedish views, the Excel workbook, the notebooks.
"""

from __future__ import annotations

import math
import re

import pandas as pd

NBSP = "\u00a0"
WJ = "\u2060"  # word joiner: no line break after the dash of "jan–aug"
MINUS = "\u2212"
NA = "–"


def finite(x: object) -> bool:
    """Whether ``x`` is a finite number (not None, NA, NaN, a bool or text)."""
    if x is None or x is pd.NA or isinstance(x, bool):
        return False
    try:
        return math.isfinite(float(x))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def number(x: object, decimals: int | None = None, sign: bool = False) -> str:
    """``1234.5`` -> ``1 234,5``; ``decimals=None`` keeps up to 2 significant decimals.

    Whole numbers are shown without decimals; ``sign`` adds ``+`` to positive values.
    Missing values give ``–``.
    """
    if not finite(x):
        return NA
    v = float(x)  # type: ignore[arg-type]
    if decimals is None:
        decimals = 0 if v.is_integer() else (1 if round(v, 1) == round(v, 2) else 2)
    text = f"{abs(v):,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    if round(abs(v), decimals) == 0:
        return text
    if v < 0:
        return MINUS + text
    return ("+" + text) if sign else text


# How a qualifier reads before a number: ≈ as "ca", bounds as their sign.
QUALIFIER_TEXT: dict[str, str] = {"≈": "ca", "<": "<", ">": ">", "≤": "≤", "≥": "≥"}


def qualifier_text(qualifier: object) -> str:
    """``ca`` for an approximation, the sign of a bound (``<``), ``""`` when exact."""
    return QUALIFIER_TEXT.get(qualifier, "") if isinstance(qualifier, str) else ""


def qualified(
    x: object, qualifier: object = None, decimals: int | None = None, sign: bool = False
) -> str:
    """A number with its qualifier: ``ca 20 000``, ``< 5``; the plain number when exact."""
    text = number(x, decimals, sign)
    word = qualifier_text(qualifier)
    return f"{word}{NBSP}{text}" if word and text != NA else text


def percent(x: object, decimals: int = 1, sign: bool = False) -> str:
    """A value in percent units: ``12.34`` -> ``12,3 %``."""
    if not finite(x):
        return NA
    return f"{number(x, decimals, sign)}{NBSP}%"


def pvalue(p: object) -> str:
    """A p-value: ``< 0,001`` below one in a thousand, else three decimals (``0,012``)."""
    if not finite(p):
        return NA
    return f"<{NBSP}0,001" if float(p) < 0.001 else number(p, 3)  # type: ignore[arg-type]


MONTHS = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def period(text: object, nobreak: bool = True) -> str:
    """A period in words: ``2024-01/2024-08`` -> ``jan–aug 2024``, ``2024-12-31`` ->
    ``31 dec 2024``; years (``2024``) and changes (``2023/2024``) stay as they are.

    ``nobreak`` (for HTML) keeps the words on one line (no-break space, word joiner).
    """
    if not isinstance(text, str):
        return NA
    out = text
    m = re.fullmatch(r"(\d{4})-(\d\d)/(\d{4})-(\d\d)", text)
    d = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)", text)
    if m:
        y0, m0, y1, m1 = m.group(1), MONTHS[int(m[2]) - 1], m.group(3), MONTHS[int(m[4]) - 1]
        out = (
            f"{m0} {y0}–{m1} {y1}" if y0 != y1 else f"{m0} {y1}" if m0 == m1 else f"{m0}–{m1} {y1}"
        )
    elif d:
        out = f"{int(d[3])} {MONTHS[int(d[2]) - 1]} {d[1]}"
    return out.replace(" ", NBSP).replace("–", "–" + WJ) if nobreak else out


def counted(n: int, one: str, many: str) -> str:
    """``1 uppgift``, ``2 uppgifter``: a count with its noun in singular or plural."""
    return f"{number(n)} {one if n == 1 else many}"


def source(file: str, line: object) -> str:
    """A source reference: ``2024_gemensamma_verksamheter_arsrapporter.txt, rad 1109``."""
    if not finite(line):
        return NA
    return f"{file}, rad {int(line)}"  # type: ignore[call-overload]
