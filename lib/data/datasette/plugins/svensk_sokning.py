"""Datasette plugin (loaded with ``--plugins-dir``): Swedish word forms in full-text search.

Registers the SQL function ``gbg_fts(text, folded)`` on every connection: the FTS5 query
for ``text`` in which every word is its Swedish stem as a prefix (:func:`lib.text.stems.
fts_query`), so "skyddat boende" finds "skyddade boendet" — the same rule as the
notebooks' search. Only word characters reach the query.
"""

from __future__ import annotations

from datasette import hookimpl

from lib.text.stems import fts_query


@hookimpl
def prepare_connection(conn) -> None:  # noqa: ANN001 - sqlite3.Connection
    conn.create_function(
        "gbg_fts", 2, lambda text, folded: fts_query(text, bool(folded)), deterministic=True
    )
