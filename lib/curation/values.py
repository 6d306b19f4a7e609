"""Whether a figure can be read back from the text it is quoted from: the ways a
number is written (``1 470``, ``1470``, ``5,5``, number words such as ``tolv``) and the
qualifier (≈ < > ≤ ≥) the words before it give it.
"""

from __future__ import annotations

import re
from functools import cache

from lib.text import fractions

# ---------------------------------------------------------------- reading values back


def number_forms(value: float) -> set[str]:
    """Ways a value can be written in the reports: `23 315`, `23315`, `18,6`, `-2,5`."""
    forms = set()
    magnitude = abs(value)
    if float(magnitude).is_integer():
        n = int(magnitude)
        forms |= {
            str(n),
            f"{n:,}".replace(",", " "),
            f"{n:,}".replace(",", "\u00a0"),
            f"{n:,}".replace(",", "\u202f"),
        }
        forms |= {f"{n},0", f"{n},00"}
    else:
        s = repr(magnitude)
        whole, frac = s.split(".")
        grouped = f"{int(whole):,}".replace(",", " ")
        for w in {whole, grouped}:
            forms.add(f"{w},{frac}")
            forms.add(f"{w}.{frac}")
            forms.add(f"{w},{frac}0")
    return forms


WS = re.compile(r"[\s\u00a0\u202f]+")


# Number words the quantities vocabulary does not list because they are also articles
# ("en", "ett") or fractions; accepted when reading a curated value back.
_EXTRA_WORDS = {"en": 1.0, "ett": 1.0, "halv": 0.5, "halva": 0.5}


@cache
def _number_words() -> dict[str, float]:
    from lib.text import numbers

    words = {w: float(v) for w, v in numbers.vocab().number_words.items()}
    return {**words, **_EXTRA_WORDS}


def _form_spans(form: str, flat: str) -> list[tuple[int, int]]:
    """Where a written number stands in ``flat``, not inside a longer number: the matches of
    ``(?<![\\d,.])FORM(?![\\d]|,\\d)``, found without compiling a pattern per number."""
    spans, n = [], len(form)
    i = flat.find(form) if n else -1
    while i >= 0:
        end = i + n
        before, after = flat[i - 1 : i], flat[end : end + 2]
        if (
            before.isdecimal()
            or before in (",", ".")
            or after[:1].isdecimal()
            or (after[:1] == "," and after[1:2].isdecimal())
        ):
            i = flat.find(form, i + 1)
        else:
            spans.append((i, end))
            i = flat.find(form, end)
    return spans


def _value_spans(value: float, flat: str) -> list[tuple[int, int]]:
    """Where the value stands in whitespace-collapsed text: digit forms and number words."""
    spans = {span for form in number_forms(value) for span in _form_spans(WS.sub(" ", form), flat)}
    if abs(value) in _number_word_values():  # else no word can stand for it
        spans |= {
            m.span()
            for m in re.finditer(r"[^\W\d_]+", flat)
            if _number_words().get(m.group().lower()) == abs(value)
        }
    if abs(value) in fractions.VALUES:
        spans |= {
            m.span()
            for m in re.finditer(r"[^\W\d_]+", flat)
            if fractions.word_value(m.group()) == abs(value)
        }
    return sorted(spans)


@cache
def _number_word_values() -> frozenset[float]:
    return frozenset(_number_words().values())


def value_in_text(value: float, raw: str) -> bool:
    """True if the value stands in ``raw`` as the reports write it: digits or a number word."""
    return bool(_value_spans(value, WS.sub(" ", raw)))


def qualifiers_in_text(value: float, text: str, before: str = "") -> set[str | None]:
    """The qualifiers (≈ < > ≤ ≥, None for exact) the text gives each occurrence of the value.

    ``before`` is the text preceding ``text`` (the start of the line, the line above), read
    for a qualifier word that stands just before the number (``cirka`` / ``15 000``).
    """
    from lib.text.numbers import qualifier_before

    head = WS.sub(" ", before).strip()
    head = f"{head} " if head else ""
    flat = WS.sub(" ", text)
    return {qualifier_before(head + flat[:start]) for start, _ in _value_spans(value, flat)}
