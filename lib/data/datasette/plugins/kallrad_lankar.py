"""Datasette plugin (loaded with ``--plugins-dir``): report lines in query results link
to the line in its context.

In the results of a canned query, two kinds of cells become links to *Källrad i sitt
sammanhang* (the canned query ``kallrad``):

* ``Rad`` in a row that names its report in ``Rapport`` (*Sök i rapporterna*); a range
  ``125–127`` links its first line;
* ``Källa``, ``Källa A``, ``Källa B`` … holding ``<report>, rad <line>`` (*En indikator
  över åren*, *Motsägelser*).

Tables are left to Datasette (their sources are foreign keys, shown as links already).
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from datasette import hookimpl
from markupsafe import Markup, escape

CONTEXT_QUERY = "kallrad"
_FIRST_LINE = re.compile(r"\d+")
_SOURCE = re.compile(r"(?P<report>.+), rad (?P<line>\d+)")


def _report_and_line(row, value, column: str) -> tuple[str, str] | None:  # noqa: ANN001
    keys = row.keys() if hasattr(row, "keys") else ()
    if column == "Rad" and "Rapport" in keys and row["Rapport"]:
        first = _FIRST_LINE.match(str(value))
        return (str(row["Rapport"]), first.group()) if first else None
    if column.startswith("Källa"):
        source = _SOURCE.fullmatch(str(value))
        return (source["report"], source["line"]) if source else None
    return None


@hookimpl
def render_cell(row, value, column, table, database, datasette):  # noqa: ANN001, ANN201
    if table is not None or value is None:
        return None
    found = _report_and_line(row, value, column)
    if found is None:
        return None
    query = urlencode({"rapport": found[0], "rad": found[1]})
    href = f"{datasette.urls.database(database)}/{CONTEXT_QUERY}?{query}"
    return Markup('<a href="{}" title="Visa raden i sitt sammanhang">{}</a>').format(
        escape(href), escape(str(value))
    )
