"""Browsing the database in Datasette (``make browse``): metadata, canned queries, server.

:func:`metadata` generates Datasette's metadata from the declared schemas and the Swedish
texts of ``lib/data/publish.yml`` (:mod:`lib.publish.database`): Swedish table and column
descriptions, units, licence and source, facets, label columns and the canned queries
of :mod:`lib.publish.queries` (*Sök bland siffrorna*, *Sök i rapporterna*, *En indikator
över åren*, *Motsägelser*, *Källrad i sitt sammanhang*).

Each figure's source in ``observationer`` links to its row in ``kallrader`` (a foreign key,
which Datasette shows as a link), where the line stands with its context. In the results
of the canned queries, the line numbers of search hits and figures link to *Källrad i sitt
sammanhang* (a small plugin, ``lib/data/datasette/plugins``). Datasette's own words are
Swedish too: its templates, translated, in ``lib/data/datasette/templates`` (with
``UPSTREAM.json``, what each was translated from), and the Jinja filters of the plugin
``svenska.py`` for the words its Python code makes.
:func:`serve` writes the metadata beside the database and starts Datasette on
127.0.0.1 in immutable (read-only) mode.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

from lib import paths
from lib.errors import DataError
from lib.publish import database, queries

DATABASE_NAME = Path(database.DATABASE).stem  # Datasette's name of the database: "rapporter"
METADATA = "datasette.json"
HOST = "127.0.0.1"
PORT = 8001
SETTINGS = {
    "suggest_facets": "off",
    "default_page_size": "50",
    "default_facet_size": "8",
    "sql_time_limit_ms": "2000",
}
# Mount point and directory of the static files: only the stylesheet lives there (the
# plugins and templates are beside it, not under it, so they are not served).
STATIC = ("gbg", paths.PACKAGE_DATA_DIR / "datasette" / "static")
CSS = f"/{STATIC[0]}/rapporter.css"
# Datasette plugins of this project: report lines in query results link to their context.
PLUGINS_DIR = paths.PACKAGE_DATA_DIR / "datasette" / "plugins"
# Datasette's own templates translated into Swedish (UPSTREAM.json: what they came from).
TEMPLATES_DIR = paths.PACKAGE_DATA_DIR / "datasette" / "templates"
# Facets: a column name, or {"array": column} for a JSON array (each element a value).
FACETS: dict[str, list[str | dict[str, str]]] = {
    "observationer": [{"array": "teman"}, "indikator", "period", "område"],
    "observations": ["theme", "indicator", "period", "geography"],
    "indicators": ["theme", "unit", "value_type"],
    "discrepancies": ["kind", "theme"],
    "passages": ["doc_id", "kind"],
    "quantities": ["doc_id", "unit"],
    "rapporter": ["område", "år"],
    "kallrader": ["rapport"],
}
WORKBOOK_URL = "/-/excel/siffror.xlsx"  # the build's workbook (plugins/excel.py serves it)
ABOUT_URL = "/-/om"  # the page "Om datan" (plugins/om_datan.py)
# Templates of this project (not translations of Datasette's, so not in UPSTREAM.json).
OWN_TEMPLATES = ("om_datan.html",)
LABEL_COLUMNS = {"indicators": "label", "rapporter": "rapport", "kallrader": "källa"}


def _table_metadata(name: str) -> dict[str, Any]:
    schema = database.published_schemas()[name]
    sv = database.table_text(name)
    meta: dict[str, Any] = {"title": sv.get("title", name)}
    if sv.get("description"):
        meta["description"] = " ".join(sv["description"].split())
    columns = {}
    for column, col in schema.columns.items():
        desc = database.column_text(name, column, schema)
        if desc.casefold() == column.casefold():
            continue  # "enhet: Enhet" says nothing
        if col.unit:
            desc += f" (enhet: {col.unit})"
        elif col.unit_column:
            desc += f" (enheten står i kolumnen {col.unit_column})"
        columns[column] = desc
    meta["columns"] = columns
    if name in FACETS:
        meta["facets"] = [
            f for f in FACETS[name] if (f["array"] if isinstance(f, dict) else f) in schema.columns
        ]
    if name in LABEL_COLUMNS:
        meta["label_column"] = LABEL_COLUMNS[name]
    if name == "passages":
        meta.update(fts_table=database.FTS, fts_pk="rowid")
    if name == "observationer":
        workbook = " ".join(database.texts()["package"]["workbook"].split())
        meta["description_html"] = (
            f"<p>{html.escape(meta.get('description', ''))}</p>"
            f"<p>{workbook.format(excel=WORKBOOK_URL)}</p>"
        )
    return meta


def _link(path: str) -> str:
    return f"/{DATABASE_NAME}/{quote(path)}"


def metadata() -> dict[str, Any]:
    """Datasette metadata of the database, generated from the declared schemas (Swedish)."""
    package = database.texts()["package"]
    names = sorted(database.published_schemas())
    guide = " ".join(package["guide"].split()).format(
        observationer=_link("observationer"),
        sok=_link("sok"),
        indikator=_link("indikator"),
        motsagelser=_link("motsagelser"),
        siffror=_link("siffror"),
        excel=WORKBOOK_URL,
    )
    views = {
        "indikator_over_aren": {
            "title": "En indikator över åren (alla)",
            "description": "Alla indikatorer med sina siffror sorterade efter indikator, område "
            "och år, upprepningar borttagna.",
            "facets": ["indikator", "område"],
        },
        "siffror_med_kallfil": {
            "title": "Siffror med källfil och rad",
            "description": "Varje siffra med benämning, rapportens textfil, radnummer och citat "
            "– för den som vill citera eller kontrollera i filen.",
            "facets": ["rapport", "område"],
        },
    }
    return {
        "title": package["title"],
        # The start page (templates/index.html) leads to the pages; the guide is on the
        # database's page.
        "description_html": f"<p>{html.escape(' '.join(package['description'].split()))}</p>",
        "license": "Allmänna handlingar från Göteborgs Stad (se Om datan)",
        "license_url": f"{ABOUT_URL}#licens",
        "source": package["source"],
        "extra_css_urls": [CSS],
        "databases": {
            DATABASE_NAME: {
                "title": package["title"],
                "description_html": guide,
                "tables": {**{n: _table_metadata(n) for n in names}, **views},
                # query.html makes the page's <title> from the title and the search term.
                "queries": {
                    name: {
                        "title": title,
                        "description": desc,
                        "sql": queries.SQL[name]().strip(),
                        "hide_sql": True,
                    }
                    for name, (title, desc) in queries.QUERIES.items()
                },
            }
        },
    }


def metadata_bytes() -> bytes:
    """The metadata as UTF-8 JSON (deterministic)."""
    return (json.dumps(metadata(), ensure_ascii=False, indent=2) + "\n").encode()


def command(database: Path, metadata_path: Path, port: int = PORT) -> list[str]:
    """The Datasette command line that serves ``database`` read-only on 127.0.0.1."""
    exe = shutil.which("datasette", path=str(Path(sys.executable).parent)) or "datasette"
    settings = [arg for k, v in SETTINGS.items() for arg in ("--setting", k, v)]
    return [
        exe,
        "serve",
        "--immutable",
        str(database),
        "--metadata",
        str(metadata_path),
        "--static",
        f"{STATIC[0]}:{STATIC[1]}",
        "--plugins-dir",
        str(PLUGINS_DIR),
        "--template-dir",
        str(TEMPLATES_DIR),
        "--host",
        HOST,
        "--port",
        str(port),
        *settings,
    ]


def app(database: Path):  # noqa: ANN201 - datasette.app.Datasette, imported lazily
    """An in-process Datasette configured like :func:`command` (for tests and notebooks)."""
    from datasette.app import Datasette

    settings = {k: (v == "on") if v in ("on", "off") else int(v) for k, v in SETTINGS.items()}
    return Datasette(
        files=[],
        immutables=[str(database)],
        metadata=metadata(),
        static_mounts=[(STATIC[0], str(STATIC[1]))],
        plugins_dir=str(PLUGINS_DIR),
        template_dir=str(TEMPLATES_DIR),
        settings=settings,
    )


def serve(port: int = PORT, processed_dir: Path = paths.PROCESSED_DIR) -> None:
    """Write the metadata beside the database and replace this process by Datasette."""
    from lib.core.store import atomic_path

    db_file = processed_dir / database.DATABASE
    if not db_file.is_file():
        raise DataError(f"{db_file}: the database is missing; run `make data` first.")
    target = processed_dir / METADATA
    with atomic_path(target) as tmp:
        tmp.write_bytes(metadata_bytes())
    print(f"Datasette: http://{HOST}:{port}/{DATABASE_NAME} (Ctrl-C stops it)", flush=True)
    cmd = command(db_file, target, port)
    os.execv(cmd[0], cmd)
