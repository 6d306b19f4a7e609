"""Datasette plugin (loaded with ``--plugins-dir``): Jinja filters for the Swedish pages.

The templates in ``lib/data/datasette/templates`` are Datasette's own, translated. A few
words they show are made by Datasette's Python code, not by a template; these filters
give them in Swedish:

* ``tal``: a count with Swedish thousands separators (``1 234``, a no-break space), as
  :func:`lib.core.formats.number` writes them (Datasette's own ``"{:,}".format`` writes ``1,234``);
* ``sv``: a word or message of Datasette's code (the crumb ``home``, ``show``/``hide`` of
  the SQL, ``Table not found`` …) in Swedish; any other text is returned unchanged;
* ``sv_operator``: a filter operator's Swedish name, by its key (``contains``);
* ``sv_villkor``: the Swedish description of a table page's filters, search and sort
  (``där indikator = "x", sorterade efter period (fallande)``), in place of Datasette's
  ``human_description_en``; it is built from the same request.
"""

from __future__ import annotations

import json
import re

from datasette import hookimpl

from lib.core.formats import number

# Words and messages made by Datasette 0.65's Python code that the templates show.
WORDS = {
    "home": "Startsida",
    "show": "visa SQL",
    "hide": "dölj SQL",
    "404": "Sidan finns inte.",
    "Not Found": "Sidan finns inte.",
    "Database not found": "Databasen finns inte.",
    "Table not found": "Tabellen finns inte.",
    "Record not found": "Raden finns inte.",
    "No data": "Inga data.",
    "Cannot search by that column": "Det går inte att söka i den kolumnen.",
    "You do not have permission to view this table": "Du har inte behörighet att se tabellen.",
    "You do not have permission to view this database": "Du har inte behörighet att se databasen.",
    "You do not have permission to view this query": "Du har inte behörighet att se frågan.",
    "Permission denied": "Behörighet saknas.",
    "Database is immutable": "Databasen kan inte ändras.",
    "Database download is forbidden": "Databasen får inte laddas ned.",
    "Invalid SQL": "Ogiltig SQL",
    "SQL Interrupted": "Frågan avbröts",
    "string or blob too big": "Ett värde blev för stort: gränsen är 20 000 byte per värde.",
    "interrupted": "Frågan tog för lång tid och avbröts (gränsen är 2 sekunder).",
    "Cannot use _sort and _sort_desc at the same time": (
        "Sortera antingen stigande eller fallande, inte båda."
    ),
}
# Messages with a part that varies: (pattern, Swedish with the same groups).
PATTERNS = (
    (re.compile(r"Cannot sort table by (.+)"), r"Tabellen kan inte sorteras efter \1."),
    (re.compile(r"_n?o?col=(.+) - invalid columns"), r"Kolumnerna finns inte: \1."),
    (re.compile(r"no such column: (.+)"), r"Kolumnen finns inte: \1."),
    (re.compile(r"no such table: (.+)"), r"Tabellen finns inte: \1."),
    (re.compile(r"too many columns in result set"), "Frågan ger för många kolumner."),
)

# Filter operators of Datasette 0.65 (key -> Swedish name in the operator menu, and how
# a filter reads in the page's heading: {c} column, {v} value). SQL words stay SQL.
OPERATORS: dict[str, tuple[str, str]] = {
    "exact": ("=", '{c} = "{v}"'),
    "not": ("≠", '{c} ≠ "{v}"'),
    "contains": ("innehåller", '{c} innehåller "{v}"'),
    "endswith": ("slutar med", '{c} slutar med "{v}"'),
    "startswith": ("börjar med", '{c} börjar med "{v}"'),
    "gt": (">", "{c} > {v}"),
    "gte": ("≥", "{c} ≥ {v}"),
    "lt": ("<", "{c} < {v}"),
    "lte": ("≤", "{c} ≤ {v}"),
    "like": ("like (SQL)", '{c} like "{v}"'),
    "notlike": ("not like (SQL)", '{c} not like "{v}"'),
    "glob": ("glob (SQL)", '{c} glob "{v}"'),
    "in": ("är något av", "{c} är något av {v}"),
    "notin": ("är inget av", "{c} är inget av {v}"),
    "arraycontains": ("listan innehåller", '{c} innehåller "{v}"'),
    "arraynotcontains": ("listan innehåller inte", '{c} innehåller inte "{v}"'),
    "date": ("datum", "{c} är datumet {v}"),
    "isnull": ("saknas (null)", "{c} saknas"),
    "notnull": ("finns (inte null)", "{c} finns"),
    "isblank": ("är tom", "{c} är tom"),
    "notblank": ("är inte tom", "{c} är inte tom"),
}


def tal(value: object) -> str:
    """``1234`` -> ``1 234`` (no-break space); text that is not a number stays as it is."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "" if value is None else str(value)
    return number(value)


def storlek(size: object) -> str:
    """A file size in Swedish: ``7577600`` -> ``7,2 MB`` (Datasette writes ``7.2 MB``)."""
    if not isinstance(size, (int, float)) or isinstance(size, bool):
        return ""
    value, unit = float(size), "byte"
    for bigger in ("kB", "MB", "GB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{number(value, 0 if unit == 'byte' else 1)}\u00a0{unit}"


def sv(text: object) -> object:
    """Datasette's English word or message in Swedish; anything else unchanged."""
    if not isinstance(text, str):
        return text
    if text in WORDS:
        return WORDS[text]
    for pattern, swedish in PATTERNS:
        if pattern.fullmatch(text):
            return pattern.sub(swedish, text)
    return text


def sv_operator(key: str, default: str = "") -> str:
    """The Swedish name of a filter operator (``contains`` -> ``innehåller``)."""
    return OPERATORS[key][0] if key in OPERATORS else (default or key)


def _join(bits: list[str]) -> str:
    return " och ".join([b for b in (", ".join(bits[:-1]), bits[-1]) if b]) if bits else ""


def sv_villkor(
    filters,
    request,
    sort: str | None = None,  # noqa: ANN001
    sort_desc: str | None = None,
) -> str:
    """What the table page shows, in Swedish: its search, filters and sort."""
    bits = []
    args = request.args if request is not None else {}
    for key in args:
        value = args[key]
        if key == "_search":
            bits.append(f'söktexten "{value}" finns')
        elif key.startswith("_search_"):
            bits.append(f'söktexten "{value}" finns i {key.removeprefix("_search_")}')
        elif key == "_through":
            try:
                through = json.loads(value)
                bits.append(f'{through["table"]}.{through["column"]} = "{through["value"]}"')
            except (ValueError, KeyError, TypeError):
                pass
    for column, lookup, value in filters.selections() if filters is not None else ():
        if lookup in OPERATORS:
            clause = OPERATORS[lookup][1]
            if lookup in ("exact", "not") and value.isdigit():
                clause = clause.replace('"', "")  # a number, as Datasette writes it
            bits.append(clause.format(c=column, v=value))
    text = f"där {_join(bits)}" if bits else ""
    if sort or sort_desc:
        order = f"sorterade efter {sort or sort_desc}" + (" (fallande)" if sort_desc else "")
        text = f"{text}, {order}" if text else order
    return text


# Labels of the canned queries' parameters (their names in the URL are ASCII).
PARAMETERS = {"ar": "år", "rader": "rader före och efter"}


def sv_parameter(name: str) -> str:
    """The label of a canned query's parameter (``ar`` -> ``år``)."""
    return PARAMETERS.get(name, name)


def stod_inte(query: object) -> list[str]:
    """The operators of a search that are not supported (``NEAR``, ``NOT``)."""
    from lib.text.stems import unsupported

    return unsupported(query)


@hookimpl
def prepare_jinja2_environment(env) -> None:  # noqa: ANN001
    env.filters.update(
        tal=tal,
        sv=sv,
        sv_operator=sv_operator,
        sv_villkor=sv_villkor,
        sv_parameter=sv_parameter,
        storlek=storlek,
        stod_inte=stod_inte,
    )
