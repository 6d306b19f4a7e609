"""Swedish words: whether a word is known, and words broken by a hyphen at a line end.

Both the PDF text layer (:mod:`lib.sources.pdftext`) and the document structure
(:mod:`lib.text.structure`) rejoin words hyphenated across lines with these rules.
"""

from __future__ import annotations

import re
from functools import lru_cache

_CONJ = frozenset({"och", "eller", "samt", "respektive", "resp", "till", "som"})
# A hyphen ending a line: hyphen-minus, soft hyphen, Unicode hyphen, non-breaking hyphen.
LINE_END_HYPHENS = "-\u00ad\u2010\u2011"
_LEFT_WORD_RE = re.compile(r"([^\W\d_]+)[-\u00ad\u2010\u2011]$")
_RIGHT_WORD_RE = re.compile(r"^([^\W_]+)")


@lru_cache(maxsize=4096)
def known_word(word: str) -> bool:
    """True if a lower-case word is in wordfreq's Swedish 'large' list (loaded once, lazily)."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "sv", wordlist="large") > 0


def hyphen_join(left_word: str, right_word: str) -> str:
    """How a word broken as ``left_word-`` / ``right_word`` at a line end is rejoined.

    Returns ``"- "`` (a compound hyphen before och/eller/samt: ``vård- och``), ``"-"``
    (a real hyphen: ``HR-perspektiv``, ``Frölunda-Tynnered``, ``jan-aug``) or ``""``
    (a word split across lines: ``för-`` / ``valtningen`` -> ``förvaltningen``).
    """
    if not right_word or right_word.lower() in _CONJ:
        return "- "
    if (
        len(left_word) == 1
        or any(ch.isdigit() for ch in left_word + right_word[0])
        or any(ch.isupper() for ch in left_word[1:])
        or right_word[0].isupper()
    ):
        return "-"
    joined = (left_word + right_word).lower()
    if known_word(joined):
        return ""
    left = left_word.lower()
    return "" if not known_word(left) or left.endswith("s") else "-"


def join_lines(left: str, right: str) -> tuple[str, int]:
    """Join two pieces of text across a line break; return the text and where ``right`` starts.

    A word broken at the line end by a hyphen of any code point (``försörjningss‐`` /
    ``töd``) is rejoined as :func:`hyphen_join` says.
    """
    left, right = left.rstrip(), right.lstrip()
    m = _LEFT_WORD_RE.search(left[-80:]) if left[-1:] in LINE_END_HYPHENS else None
    if m and right and right[0] not in "-–":
        if right.startswith(","):
            return left + right, len(left)
        r = _RIGHT_WORD_RE.match(right)
        sep = hyphen_join(m.group(1), r.group(1) if r else "")
        base = left[:-1] if sep == "" else left[:-1] + sep.rstrip(" ")
        if sep == "- ":  # a compound's hyphen stays as printed (a soft one shows as "-")
            base = left[:-1] + left[-1].replace("\u00ad", "-") + " "
        return base + right, len(base)
    base = left + " " if left else left
    return base + right, len(base)
