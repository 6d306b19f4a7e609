"""Swedish word forms for search: a query word matches every word that begins with its stem.

The stem is the Snowball Swedish stemmer's (the ``snowballstemmer`` package): ``skyddat``
and ``skyddade`` -> ``skydd``, ``boende`` -> ``boend``, ``vräkningar`` -> ``vräkning``. A
query word matches a word of the text that starts with the query word's stem, regardless
of case and of å/ä/ö (compared folded, :func:`lib.text.themes.fold`): "skyddat boende"
finds "skyddade boendet", "vräkning" finds "vräkningar", "vrakning" finds them too. The
same rule serves the notebooks' search (:func:`search_regex`) and the database's
full-text index (:func:`fts_query`, registered in Datasette as ``gbg_fts``), so both find
the same passages.
"""

from __future__ import annotations

import re
from functools import cache

from lib.text.themes import fold

_WORD = re.compile(r"\w+")


@cache
def _stemmer():  # noqa: ANN202 - snowballstemmer has no type hints
    import snowballstemmer

    return snowballstemmer.stemmer("swedish")


@cache
def stem(word: str) -> str:
    """The Swedish stem of one word, lower case (diacritics kept): ``skyddade`` -> ``skydd``."""
    return str(_stemmer().stemWord(word.lower()))


def query_stems(query: str) -> list[str]:
    """The stems of the words of a query, in order (digits and letters only)."""
    return [stem(w) for w in _WORD.findall(query)]


def search_regex(query: str) -> re.Pattern[str]:
    """A regex on folded text (:func:`lib.text.themes.fold`) for ``query`` as a phrase:
    each word a word starting with its stem, the words in order with space between."""
    words = [re.escape(fold(s)) + r"\w*" for s in query_stems(query)]
    if not words:
        return re.compile(r"(?!x)x")  # nothing to search for: matches nothing
    return re.compile(r"(?<!\w)" + r"\s+".join(words))


def fts_query(query: object, folded: bool = True) -> str:
    """An SQLite FTS5 query for ``query``: every word's stem as a quoted prefix
    (``"skydd"* "boend"*``), all required; ``folded`` for an index that removes diacritics.
    Only word characters reach the query (no FTS syntax from the user); a query without
    words gives ``'""'``, which matches nothing."""
    if not isinstance(query, str):
        return '""'
    stems = [fold(s) if folded else s for s in query_stems(query)]
    return " ".join(f'"{s}"*' for s in stems) or '""'


# --------------------------------------------------------------------------- query language
# A search as typed: words (all required, anywhere), "a phrase" (its words in order), and
# OR between alternatives; AND is the default and may be written. NEAR and NOT are not
# supported: they are left out (the search page says so).
_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
IGNORED = ("AND", "NEAR", "NOT")


def parse(query: object) -> list[list[list[str]]]:
    """``query`` as alternatives (OR) of terms (all required), each term a phrase: the
    stems of its words in order. ``'"skyddat boende" OR vräkning'`` ->
    ``[[["skydd", "boend"]], [["vräkning"]]]``. Empty when there is nothing to search."""
    if not isinstance(query, str):
        return []
    groups: list[list[list[str]]] = [[]]
    for phrase, word in _TOKEN.findall(query):
        if word == "OR":
            groups.append([])
        elif word not in IGNORED:
            stems = query_stems(phrase or word)
            terms = [stems] if phrase else [[s] for s in stems]
            groups[-1].extend(t for t in terms if t)
    return [g for g in groups if g]


def unsupported(query: object) -> list[str]:
    """The operators of ``query`` that are not supported (``NEAR``, ``NOT``), in order."""
    if not isinstance(query, str):
        return []
    words = [w for _, w in _TOKEN.findall(query)]
    return [w for w in dict.fromkeys(words) if w in ("NEAR", "NOT")]


def fts_expression(query: object, folded: bool = True) -> str:
    """An FTS5 query for ``query`` (:func:`parse`): each word its stem as a prefix, a
    phrase as prefixes joined with ``+``, alternatives with ``OR``. Only word characters
    of the user reach it; nothing to search gives ``'""'``, which matches nothing."""
    groups = parse(query)

    def term(stems: list[str]) -> str:
        return " + ".join(f'"{fold(s) if folded else s}"*' for s in stems)

    alternatives = [" AND ".join(term(t) for t in g) for g in groups]
    if len(alternatives) == 1:
        return alternatives[0]
    return " OR ".join(f"({a})" for a in alternatives) or '""'


def _term_regex(stems: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + r"\s+".join(re.escape(fold(s)) + r"\w*" for s in stems))


def matches(text: object, query: object) -> bool:
    """Whether ``text`` holds what ``query`` asks for (:func:`parse`), compared folded:
    case, å/ä/ö and word forms ignored (``Skyddade boenden`` matches ``skyddat boende``)."""
    if not isinstance(text, str):
        return False
    folded = fold(text)
    return any(all(_term_regex(t).search(folded) for t in g) for g in parse(query))
