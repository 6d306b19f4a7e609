"""Datasette plugin (loaded with ``--plugins-dir``): matching as a Swede expects.

Registers three SQL functions on every connection, used by the canned queries:

* ``gbg_fts(text, folded)``: the FTS5 query for what the user typed
  (:func:`lib.text.stems.fts_expression`): every word its Swedish stem as a prefix, so
  "skyddat boende" finds "skyddade boendet" (the notebooks' rule); ``"a phrase"`` keeps
  its words in order; ``OR`` between alternatives. Only word characters reach the query.
* ``gbg_hittar(text, query)``: 1 when ``text`` holds what ``query`` asks for, by the same
  rules, compared folded (:func:`lib.text.stems.matches`): case, å/ä/ö and word forms do
  not matter (``ÖKNING`` finds ``ökning``; SQLite's ``like`` and ``lower`` fold ASCII only).
* ``gbg_lower(text)``: lower case for every letter (``HEMLÖSHET`` -> ``hemlöshet``).
"""

from __future__ import annotations

from datasette import hookimpl

from lib.text.stems import fts_expression, matches


def _lower(text: object) -> object:
    return text.lower() if isinstance(text, str) else text


@hookimpl
def prepare_connection(conn) -> None:  # noqa: ANN001 - sqlite3.Connection
    conn.create_function(
        "gbg_fts", 2, lambda text, folded: fts_expression(text, bool(folded)), deterministic=True
    )
    conn.create_function(
        "gbg_hittar", 2, lambda text, query: int(matches(text, query)), deterministic=True
    )
    conn.create_function("gbg_lower", 1, _lower, deterministic=True)
