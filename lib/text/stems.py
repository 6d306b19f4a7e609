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
