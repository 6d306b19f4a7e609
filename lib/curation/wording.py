"""Words as proposing compares them: folded (å, ä, ö and accents dropped), function
words that say nothing about a figure, and the names of units.
"""

from __future__ import annotations

import re
import unicodedata

WORD = r"[A-Za-zÅÄÖåäöÉéÜü]"


def fold(s: str) -> str:
    """Lower case without diacritics (the OCR'd reports lost å, ä, ö)."""
    s = s.lower().translate(_PLAIN)
    if s.isascii():
        return s
    return "".join(ch for ch in unicodedata.normalize("NFD", s) if not unicodedata.combining(ch))


# the usual Swedish letters without their diacritics (what NFD and dropping marks gives)
_PLAIN = str.maketrans("åäöéüàè", "aaoeuae")


def word_list(text: str) -> list[str]:
    return re.findall(rf"{WORD}[\w-]*", text)


# --------------------------------------------------------------------------- words

MONEY = {"kr", "tkr", "mnkr", "mdkr"}
UNIT_NAMES = frozenset(
    {
        "kr",
        "tkr",
        "mnkr",
        "mdkr",
        "%",
        "procent",
        "procentenheter",
        "kronor",
        "miljoner",
        "miljon",
        "miljarder",
        "st",
        "stycken",
    }
)
# Words that name no figure: function words, hedges and change verbs (folded).
FUNCTION_WORDS = frozenset(
    fold(w)
    for w in (
        "och",
        "att",
        "som",
        "med",
        "för",
        "har",
        "hade",
        "ha",
        "det",
        "den",
        "de",
        "dessa",
        "till",
        "av",
        "på",
        "i",
        "om",
        "en",
        "ett",
        "är",
        "var",
        "vid",
        "under",
        "samt",
        "från",
        "än",
        "mot",
        "sig",
        "jämfört",
        "cirka",
        "ca",
        "drygt",
        "knappt",
        "ungefär",
        "nästan",
        "runt",
        "ökat",
        "ökade",
        "öka",
        "ökar",
        "ökning",
        "ökningen",
        "minskat",
        "minskade",
        "minska",
        "minskar",
        "minskning",
        "minskningen",
        "steg",
        "sjönk",
        "förändrats",
        "respektive",
        "bedöms",
        "beräknas",
        "förväntas",
        "totalt",
        "perioden",
        "period",
        "året",
        "år",
        "helår",
        "helåret",
        "procent",
        "kronor",
        "miljoner",
        "miljon",
        "vilket",
        "där",
        "detta",
        "även",
        "också",
        "så",
        "här",
        "långt",
    )
)
