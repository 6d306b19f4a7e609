"""Datasette plugin (loaded with ``--plugins-dir``): values as a Swedish reader expects them.

In the HTML pages only (JSON and CSV keep the stored values):

* values (``värde``, ``Värde A`` …) in Swedish number format: ``1 470``, ``-4,9``;
* the themes of a figure (a JSON array, so that Datasette can facet it) as a list:
  ``Hemlöshet, Våld i nära relation``;
* the value types of the indicators in Swedish (``level`` -> ``nivå``), and on an
  indicator's page (the link of every figure) its theme ids as labels, its kind of number
  (``count``) and its scope in words; the labels of that page's values are Swedish
  (``scope`` -> *Omfång*, ``labels`` in ``lib/data/publish.yml``);
* a cited line's number (``kallrader.rad``) links to *Källrad i sitt sammanhang*;
* on a row page (``/rapporter/observationer/256``), where Datasette shows foreign keys as
  bare ids, the indicator and the source are links again, with their labels, as on the
  table page.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils import tilde_encode
from markupsafe import Markup, escape

from lib.core.formats import number
from lib.curation.catalog import SCOPES, STATISTICS
from lib.publish import swedish_tables
from lib.publish.swedish_tables import VALUE_TYPES

VALUE_COLUMNS = {"värde", "value", "value_a", "value_b", "Värde", "Värde A", "Värde B"}
LIST_COLUMNS = {"teman"}
THEME_COLUMNS = {"theme", "themes"}  # theme ids, ";" between several
WORDS = {"statistic": STATISTICS, "scope": SCOPES}
READER_TABLES = {*swedish_tables.SCHEMAS, *swedish_tables.VIEWS}  # Swedish column names


def _theme_labels(ids: str) -> str | None:
    from lib.text import themes

    labels = themes.theme_labels()
    parts = ids.split(";")
    return ", ".join(labels[p] for p in parts) if all(p in labels for p in parts) else None


def swedish_value(value: object, column: str) -> str | None:
    """The text a reader sees for ``value`` of ``column``, or None to leave it as it is."""
    if column in VALUE_COLUMNS and isinstance(value, (int, float)) and not isinstance(value, bool):
        return number(value)
    if column == "value_type" and isinstance(value, str):
        return VALUE_TYPES.get(value)
    if column in WORDS and isinstance(value, str):
        return WORDS[column].get(value)
    if column in THEME_COLUMNS and isinstance(value, str):
        return _theme_labels(value)
    if column in LIST_COLUMNS and isinstance(value, str) and value.startswith("["):
        try:
            items = json.loads(value)
        except ValueError:
            return None
        return ", ".join(str(i) for i in items) if isinstance(items, list) else None
    return None


def visning(value: object, column: str) -> object:
    """Jinja filter: :func:`swedish_value`, or the value as it is (facet values)."""
    shown = swedish_value(value, column)
    return value if shown is None else shown


def etikett(column: str, table: str | None = None) -> str:
    """Jinja filter: the label of ``column`` on a row page: its Swedish name for an
    English table (``scope`` -> ``Omfång``), the column name itself for a Swedish one."""
    if table in READER_TABLES:
        return column
    return str((swedish_tables.texts().get("labels") or {}).get(column, column))


@hookimpl
def prepare_jinja2_environment(env, datasette) -> None:  # noqa: ANN001
    def tabellnamn(name: str, database: str | None = None) -> str:
        """Jinja filter: a table's Swedish title (``indicators`` -> ``Indikatorer``) for
        the crumbs, or its name when it has none."""
        if not database:
            return name
        return str(datasette.table_metadata(database, name).get("title") or name)

    env.filters["visning"] = visning
    env.filters["etikett"] = etikett
    env.filters["tabellnamn"] = tabellnamn


_FKS: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}  # the database is immutable


async def _foreign_keys(db, table: str) -> dict[str, tuple[str, str]]:  # noqa: ANN001
    key = (db.name, table)
    if key not in _FKS:
        fks = await db.foreign_keys_for_table(table)
        _FKS[key] = {fk["column"]: (fk["other_table"], fk["other_column"]) for fk in fks}
    return _FKS[key]


async def _link(datasette, database: str, table: str, column: str, value: object):  # noqa: ANN001, ANN202
    """A link to the row a foreign key names, showing that row's label."""
    db = datasette.get_database(database)
    fks = await _foreign_keys(db, table)
    if column not in fks:
        return None
    other, other_column = fks[column]
    label = value
    label_column = await db.label_column_for_table(other)
    if label_column:
        found = await db.execute(
            f"select [{label_column}] from [{other}] where [{other_column}] = ?", [value]
        )
        label = found.first()[0] if found.rows else value
    href = f"{datasette.urls.table(database, other)}/{tilde_encode(str(value))}"
    return Markup('<a href="{}">{}</a>').format(href, escape(str(label)))


def _context_link(row, value, datasette, database: str):  # noqa: ANN001, ANN202
    """A cited line's number in ``kallrader`` as a link to *Källrad i sitt sammanhang*,
    where the window can be widened and moved."""
    keys = row.keys() if hasattr(row, "keys") else ()
    if "rapport" not in keys or not isinstance(value, int):
        return None
    query = urlencode({"rapport": row["rapport"], "rad": value})
    href = f"{datasette.urls.database(database)}/kallrad?{query}"
    return Markup('<a href="{}" title="Visa fler rader runt omkring">{}</a>').format(href, value)


@hookimpl
def render_cell(row, value, column, table, database, datasette):  # noqa: ANN001, ANN201
    shown = swedish_value(value, column)
    if shown is not None:
        return shown
    if table == "kallrader" and column == "rad":
        return _context_link(row, value, datasette, database)
    if table is None or not isinstance(value, (str, int)) or isinstance(value, bool):
        return None  # an expanded foreign key (a dict) is Datasette's link already
    known = _FKS.get((database, table))
    if known is not None and column not in known:
        return None

    async def inner():  # noqa: ANN202
        return await _link(datasette, database, table, column, value)

    return inner
