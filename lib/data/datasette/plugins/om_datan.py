"""Datasette plugin (loaded with ``--plugins-dir``): the page *Om datan* and the start page's links.

* ``/-/om`` — *Om datan*: what the data is, for a reader who knows no SQL: the reports
  (read from the database's ``rapporter`` table), how the figures were read (by hand,
  some also found automatically), the repair of OCR-damaged text, comparability notes and
  discrepancies (counted from the database), and the licence (``lib/data/publish.yml``).
  The words are in the template ``om_datan.html``; the numbers come from the database.
* Template variables for the start page and the database page: the addresses of this page
  and of the workbook, and which tables are the ones for readers (Swedish names).
"""

from __future__ import annotations

from datasette import Response, hookimpl

from lib.publish import swedish_tables
from lib.publish.browse import ABOUT_URL, DATABASE_NAME, WORKBOOK_URL

READER_TABLES = [*swedish_tables.SCHEMAS, *swedish_tables.VIEWS]

_COUNTS = {
    "figures": "select count(*) from observationer where upprepning is null",
    "indicators": "select count(distinct indikator) from observationer",
    "with_note": "select count(*) from indicators where comparability is not null",
    "indicators_all": "select count(*) from indicators",
    "discrepancies": "select count(*) from discrepancies",
    # of the figures counted above (a restatement is not a figure of its own)
    "auto": "select count(*) from observationer where metod != 'handläst' and upprepning is null",
    "ocr_changes": "select count(*) from ocr_changes",
    "ocr_files": "select count(distinct file) from documents where text_quality = 'ocr'",
}


async def about(datasette, request):  # noqa: ANN001, ANN201
    db = datasette.get_database(DATABASE_NAME)
    counts = {k: (await db.execute(sql)).first()[0] for k, sql in _COUNTS.items()}
    reports = (
        await db.execute(
            "select rapport, titel, utgivare, år, textkvalitet, fil from rapporter "
            "order by år, rapport"
        )
    ).rows
    texts = swedish_tables.texts()["package"]
    page = await datasette.render_template(
        "om_datan.html",
        {
            "counts": counts,
            "reports": reports,
            "licence": " ".join(texts["licence_title"].split()),
            "source": texts["source"],
            "database": DATABASE_NAME,
        },
        request=request,
    )
    return Response.html(page)


@hookimpl
def register_routes():  # noqa: ANN201
    return [("^" + ABOUT_URL + "$", about)]


@hookimpl
def extra_template_vars():  # noqa: ANN201
    return {
        "gbg_about": ABOUT_URL,
        "gbg_workbook": WORKBOOK_URL,
        "gbg_reader_tables": READER_TABLES,
        "gbg_database": DATABASE_NAME,
    }
