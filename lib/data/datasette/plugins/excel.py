"""Datasette plugin (loaded with ``--plugins-dir``): downloads that open right in Excel.

* **CSV för Excel** (the output format ``excel``, beside Datasette's own CSV): UTF-8 with a
  byte order mark (without it Excel shows å, ä, ö as two characters), ``;`` between
  fields and a decimal comma (what Excel expects with Swedish settings, so ``5,5`` is a
  number), served as a file to save (``Content-Disposition: attachment``). Every row of
  a table or query, not one page: a table's first request is sent on with ``_size=max``
  (Datasette's row limit, 1 000, still applies: a file cut there says so in its name and
  in a last line, never silently). A link shows its label; text that
  Excel would take for a formula (``+58 förfrågningar``) is given as ``="+58 förfrågningar"``.
* **The workbook** the build writes (``data/processed/observations.xlsx``: one sheet per
  theme, values as numbers) is served at :data:`WORKBOOK_URL`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from datasette import Response, hookimpl

from lib.publish.browse import WORKBOOK_URL

FORMAT = "excel"
LABEL = "CSV för Excel"
WORKBOOK = "observations.xlsx"
BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@")
LIST_COLUMNS = {"teman"}  # JSON arrays in the table, lists for a reader


def cell(value: object, column: str = "") -> str:
    """A value as Excel with Swedish settings reads it: ``5.5`` -> ``5,5``; the themes of a
    figure (a JSON array, for Datasette's facets) as a list, as on the page."""
    if isinstance(value, dict):  # a foreign key shown with its label (_labels=on)
        value = value.get("label") or value.get("value")
    if column in LIST_COLUMNS and isinstance(value, str) and value.startswith("["):
        try:
            items = json.loads(value)
        except ValueError:
            items = None
        if isinstance(items, list):
            value = ", ".join(str(i) for i in items)
    if value is None:
        return ""
    if isinstance(value, (bool, int)):
        return str(int(value))  # a number: "-13" stays a number
    if isinstance(value, float):
        return repr(value).replace(".", ",") if not value.is_integer() else str(int(value))
    if isinstance(value, bytes):
        return value.hex()
    text = str(value)
    if text[:1] in FORMULA_START:
        # Excel reads a field starting with = + - @ as a formula ("+58 förfrågningar"
        # becomes #NAMN?, and a quote could run one): a constant formula shows it as text.
        return '="' + text.replace('"', '""') + '"'
    return text


def excel_csv(columns: list[str], rows: list) -> str:
    """The text of a CSV for Excel (BOM, ``;``, decimal comma, CRLF line ends)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(row[c], c) for c in columns])
    return BOM + out.getvalue()


def _name(table: str | None, query_name: str | None, cut: int = 0) -> str:
    stem = (table or query_name or "fraga").replace("/", "_")
    return f"{stem}_forsta_{cut}_raderna.csv" if cut else stem + ".csv"


def cut_note(shown: int) -> str:
    """The last line of a file cut at Datasette's row limit (Swedish, for the reader)."""
    return (
        f"Obs: bara de första {shown:,} raderna".replace(",", "\u00a0")
        + "; hela tabellen finns i data/processed (CSV och Parquet) och i rapporter.sqlite."
    )


def render(datasette, columns, rows, table, query_name, request, data):  # noqa: ANN001, ANN201
    if table and data.get("next") and "_size" not in request.args:
        separator = "&" if request.query_string else ""
        return Response.redirect(f"{request.path}?{request.query_string}{separator}_size=max")
    body = excel_csv(list(columns), rows)
    cut = len(rows) if data.get("next") else 0
    if cut:
        body += excel_csv([cut_note(cut)], [])[1:]
    disposition = f'attachment; filename="{_name(table, query_name, cut)}"'
    return Response(
        body,
        content_type="text/csv; charset=utf-8",
        headers={"content-disposition": disposition},
    )


@hookimpl
def register_output_renderer(datasette):  # noqa: ANN001, ANN201
    return {"extension": FORMAT, "render": render, "can_render": lambda: True}


async def workbook(datasette, request):  # noqa: ANN001, ANN201
    paths = [Path(db.path) for db in datasette.databases.values() if db.path]
    path = paths[0].parent / WORKBOOK if paths else Path(WORKBOOK)
    if not path.is_file():
        return Response.text("Arbetsboken finns inte; kör make data.", status=404)
    return Response(
        path.read_bytes(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": 'attachment; filename="siffror.xlsx"'},
    )


@hookimpl
def register_routes():  # noqa: ANN201
    return [("^" + re.escape(WORKBOOK_URL) + "$", workbook)]
